/* SPDX-License-Identifier: MIT */
/*
 * The page dumps' text (dump buddyinfo, dump zoneinfo) against the
 * harness's own view of each zone: the topology (which pfns of a node lie
 * in a zone) and the memmap's page states (pfn_page_state), never the
 * zone's counters or free lists.
 *
 * A correct buddy allocator keeps no two free buddies apart (they merge),
 * so its free blocks are exactly the maximal aligned runs of free-list
 * pages inside one zone, below MAX_ORDER: the harness decomposes the free
 * pages so and counts the blocks of each order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"
#include "sanitizer.h"

/* Oracle code: out of coverage feedback (fuzzers/coverage.denylist). */
SF_NO_COVERAGE_BEGIN

#define DUMP_MAX_ORDER 16

struct zone_count {
	long blocks[DUMP_MAX_ORDER];	/* free-list blocks of each order */
	long buddy, pcp, present, managed;
	pfn_t lo, hi;			/* the zone's span: the node's span in its bounds */
};

/* The zone's span: the node's pfns (its first range start to its last
 * range end, holes included) within the zone's bounds. */
static void zone_span(const struct run *r, int nid, enum zone_type zt, pfn_t *lo, pfn_t *hi)
{
	pfn_t dma = r->topo.zone_dma_end;
	pfn_t dma32 = r->topo.zone_dma32_end > dma ? r->topo.zone_dma32_end : dma;
	pfn_t movable = r->topo.zone_movable_start > dma32 ? r->topo.zone_movable_start : dma32;
	const pfn_t edge[] = { 0, dma, dma32, movable, SF_MAX_PFN };
	pfn_t start = SF_MAX_PFN, end = 0;

	for (unsigned int i = 0; i < r->topo.nr_ranges; i++) {
		const struct sf_mem_range *rg = &r->topo.ranges[i];

		if (rg->node != nid)
			continue;
		start = rg->start_pfn < start ? rg->start_pfn : start;
		end = rg->end_pfn > end ? rg->end_pfn : end;
	}
	*lo = start > edge[zt] ? start : edge[zt];
	*hi = end < edge[zt + 1] ? end : edge[zt + 1];
}

static bool in_zone(const struct run *r, pfn_t pfn, int nid, enum zone_type zt)
{
	return run_pfn_node(r, pfn) == nid && run_pfn_zone(r, pfn) == zt;
}

/* The order of the free block at pfn: the largest aligned run of
 * free-list pages in the zone that starts there. */
static unsigned int block_order(struct run *r, pfn_t pfn, int nid, enum zone_type zt)
{
	unsigned int o = 0;

	while (o + 1 < r->topo.max_order && o + 1 < DUMP_MAX_ORDER &&
	       !(pfn & (((pfn_t)2 << o) - 1))) {
		pfn_t n = (pfn_t)1 << o;
		bool all = true;

		for (pfn_t p = pfn + n; p < pfn + 2 * n && all; p++)
			all = in_zone(r, p, nid, zt) && pfn_page_state(r->m, p) == SF_PAGE_BUDDY;
		if (!all)
			break;
		o++;
	}
	return o;
}

static void zone_count_of(struct run *r, int nid, enum zone_type zt, struct zone_count *zc)
{
	pfn_t end = run_end_pfn(r);

	memset(zc, 0, sizeof(*zc));
	for (pfn_t pfn = 0; pfn < end;) {
		enum sf_page_state st;
		pfn_t len = 1;

		if (!in_zone(r, pfn, nid, zt)) {
			pfn++;
			continue;
		}
		st = pfn_page_state(r->m, pfn);
		if (st == SF_PAGE_BUDDY) {
			unsigned int o = block_order(r, pfn, nid, zt);

			zc->blocks[o]++;
			len = (pfn_t)1 << o;
			zc->buddy += (long)len;
		}
		zc->pcp += st == SF_PAGE_PCP;
		zc->managed += st == SF_PAGE_BUDDY ? (long)len :
			       st == SF_PAGE_PCP || st == SF_PAGE_ALLOCATED;
		zc->present += (long)len;
		pfn += len;
	}
	zone_span(r, nid, zt, &zc->lo, &zc->hi);
}

static enum zone_type zone_named(const char *name)
{
	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		if (!strcmp(name, zone_type_name((enum zone_type)zt)))
			return (enum zone_type)zt;
	return MAX_NR_ZONES;
}

/* Each buddyinfo line's count of every order is the harness's. The line
 * format, the zones listed and their page totals are page_check_buddyinfo's. */
void dump_check_buddyinfo(struct run *r, const char *text)
{
	for (const char *line = text; *line;) {
		unsigned int nid;
		char name[16];
		int used;
		enum zone_type zt;
		struct zone_count zc;
		const char *p;

		if (sscanf(line, "Node %u, zone %15s %n", &nid, name, &used) != 2 ||
		    nid >= r->topo.nr_nodes || (zt = zone_named(name)) == MAX_NR_ZONES)
			return;		/* page_check_buddyinfo's finding */
		zone_count_of(r, (int)nid, zt, &zc);
		p = line + used;
		for (unsigned int o = 0; o < r->topo.max_order && o < DUMP_MAX_ORDER; o++) {
			unsigned long nr;
			int n;

			if (sscanf(p, "%lu %n", &nr, &n) != 1)
				return;
			if ((long)nr != zc.blocks[o])
				run_fail(r, "HARNESS: buddyinfo differs from the memmap",
					 "node %u zone %s order %u: %lu blocks listed, the memmap's "
					 "free pages make %ld", nid, name, o, nr, zc.blocks[o]);
			p += n;
		}
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
}

/* The value after "key" on the line at *p (moved past the line). */
static bool zi_field(const char **p, const char *key, long *v)
{
	const char *s = *p + strspn(*p, " ");
	int n = 0;

	if (strncmp(s, key, strlen(key)) || sscanf(s + strlen(key), "%ld%n", v, &n) != 1)
		return false;
	s += strlen(key) + (size_t)n;
	*p = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s);
	return true;
}

static _Noreturn void zoneinfo_fail(struct run *r, unsigned int nid, enum zone_type zt,
				    const char *what, long got, long want)
{
	run_fail(r, "HARNESS: zoneinfo differs from the memmap",
		 "node %u zone %s: %s %ld, the harness %ld", nid, zone_type_name(zt), what, got,
		 want);
}

/*
 * zoneinfo: a header for every zone of every node, in order; for a zone
 * with memory (the topology's present pfns) pages free = its free-list
 * pages, the watermarks (min 1/128 of managed, at least 4 from 64 pages
 * on; low 5/4, high 3/2 of min), spanned and start pfn (the node's span
 * in the zone's bounds), present, managed (pages given to buddy: free or
 * allocated), one pageset per cpu in order with batch 1/1024 of present
 * (1..31) and high 6 batches, their counts adding up to its pages on
 * per-cpu lists.
 */
void dump_check_zoneinfo(struct run *r, const char *text)
{
	const char *p = text;

	for (unsigned int n = 0; n < r->topo.nr_nodes; n++) {
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			enum zone_type zt = (enum zone_type)z;
			struct zone_count zc;
			unsigned int gn;
			char name[16];
			long v, sum = 0, d[5], wmin, batch, ph, pb;
			int used = 0;

			if (sscanf(p, "Node %u, zone %15s%n", &gn, name, &used) != 2 || gn != n ||
			    zone_named(name) != zt)
				zoneinfo_fail(r, n, zt, "no header line", 0, 0);
			p = strchr(p + used, '\n');
			p = p ? p + 1 : "";
			zone_count_of(r, (int)n, zt, &zc);
			if (!zc.present)
				continue;
			if (!zi_field(&p, "pages free", &v) || v != zc.buddy)
				zoneinfo_fail(r, n, zt, "pages free", v, zc.buddy);
			wmin = zc.managed / 128;
			if (wmin < 4 && zc.managed >= 64)
				wmin = 4;
			if (!zi_field(&p, "min", &d[0]) || !zi_field(&p, "low", &d[1]) ||
			    !zi_field(&p, "high", &d[2]))
				zoneinfo_fail(r, n, zt, "watermark lines", 0, 0);
			if (d[0] != wmin || d[1] != wmin + wmin / 4 || d[2] != wmin + wmin / 2)
				zoneinfo_fail(r, n, zt, "watermark min (low, high follow)", d[0], wmin);
			if (!zi_field(&p, "spanned", &v) || v != (long)(zc.hi - zc.lo))
				zoneinfo_fail(r, n, zt, "spanned", v, (long)(zc.hi - zc.lo));
			if (!zi_field(&p, "present", &v) || v != zc.present)
				zoneinfo_fail(r, n, zt, "present", v, zc.present);
			if (!zi_field(&p, "managed", &v) || v != zc.managed)
				zoneinfo_fail(r, n, zt, "managed", v, zc.managed);
			if (strncmp(p, "  pagesets\n", 11))
				zoneinfo_fail(r, n, zt, "no pagesets line", 0, 0);
			p += 11;
			batch = zc.present / 1024 < 1 ? 1 : zc.present / 1024 > 31 ? 31 :
							  zc.present / 1024;
			for (unsigned int c = 0; zi_field(&p, "cpu:", &d[3]); c++) {
				if (d[3] != (long)c || !zi_field(&p, "count:", &d[4]) ||
				    !zi_field(&p, "high:", &ph) || !zi_field(&p, "batch:", &pb))
					zoneinfo_fail(r, n, zt, "a pageset's lines", 0, 0);
				if (pb != batch || ph != 6 * batch)
					zoneinfo_fail(r, n, zt, "a pageset's batch (high 6 batches)", pb,
						      batch);
				sum += d[4];
			}
			if (sum != zc.pcp)
				zoneinfo_fail(r, n, zt, "pages on per-cpu lists", sum, zc.pcp);
			if (!zi_field(&p, "node_unreclaimable:", &v) ||
			    !zi_field(&p, "start_pfn:", &v) || v != (long)zc.lo)
				zoneinfo_fail(r, n, zt, "start_pfn", v, (long)zc.lo);
		}
	}
	if (*p)
		run_fail(r, "HARNESS: zoneinfo differs from the memmap", "text past the last zone: %.80s",
			 p);
}

/* ---- the memory map ---- */

static char map_want[1 << 16];

#define MAP_EMIT(...)                                                                    \
	(len += (size_t)snprintf(map_want + (len < sizeof(map_want) ? len : sizeof(map_want)), \
				 len < sizeof(map_want) ? sizeof(map_want) - len : 0, __VA_ARGS__))

/* Pages of node nid in zone zt by the topology. */
static unsigned long zone_present(const struct run *r, int nid, enum zone_type zt)
{
	pfn_t lo, hi;
	unsigned long n = 0;

	zone_span(r, nid, zt, &lo, &hi);
	for (unsigned int i = 0; i < r->topo.nr_ranges; i++) {
		const struct sf_mem_range *rg = &r->topo.ranges[i];
		pfn_t s = rg->start_pfn > lo ? rg->start_pfn : lo;
		pfn_t e = rg->end_pfn < hi ? rg->end_pfn : hi;

		if (rg->node == nid && s < e)
			n += (unsigned long)(e - s);
	}
	return n;
}

/* The node of section nr: that of the lowest range in it (memblock marks
 * sections in address order), -1: no memory there. */
static int section_node(const struct run *r, unsigned long nr)
{
	pfn_t s = (pfn_t)nr << r->topo.section_shift, e = s + ((pfn_t)1 << r->topo.section_shift);
	pfn_t best = SF_MAX_PFN;
	int nid = -1;

	for (unsigned int i = 0; i < r->topo.nr_ranges; i++) {
		const struct sf_mem_range *rg = &r->topo.ranges[i];

		if (rg->start_pfn < e && rg->end_pfn > s && rg->start_pfn < best) {
			best = rg->start_pfn;
			nid = rg->node;
		}
	}
	return nid;
}

/* The map without its vmemmap block lines: the machine line, each node
 * (span, present pages, memoryless/normal, its cpus) and its zones with
 * memory (span, present pages, MAX_ORDER alignment of the span), then
 * every section with memory (initialised, its block mapped). */
static size_t memory_map_want(const struct run *r)
{
	pfn_t align = (pfn_t)1 << (r->topo.max_order - 1), max = 0;
	size_t len = 0;

	MAP_EMIT("machine: %u nodes, %u cpus (boot cpu %u), MAX_ORDER %u, stage %s\n",
		 r->topo.nr_nodes, r->topo.nr_cpus, r->topo.boot_cpu, r->topo.max_order,
		 boot_stage_name(machine_stage(r->m)));
	for (unsigned int n = 0; n < r->topo.nr_nodes; n++) {
		pfn_t start = SF_MAX_PFN, end = 0;
		unsigned long present = 0;
		bool normal = false;

		for (unsigned int i = 0; i < r->topo.nr_ranges; i++) {
			const struct sf_mem_range *rg = &r->topo.ranges[i];

			if (rg->node != (int)n)
				continue;
			start = rg->start_pfn < start ? rg->start_pfn : start;
			end = rg->end_pfn > end ? rg->end_pfn : end;
			max = rg->end_pfn > max ? rg->end_pfn : max;
			present += (unsigned long)(rg->end_pfn - rg->start_pfn);
			normal |= rg->start_pfn < r->topo.zone_movable_start;
		}
		if (!end)
			start = 0;
		MAP_EMIT("node %u: pfn [%#llx-%#llx) present %lu%s%s cpus:", n,
			 (unsigned long long)start, (unsigned long long)end, present,
			 present ? "" : " memoryless", normal ? " normal" : "");
		for (unsigned int c = 0; c < r->topo.nr_cpus; c++)
			if (r->topo.cpu_node[c] == (int)n)
				MAP_EMIT(" %u", c);
		MAP_EMIT("\n");
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			enum zone_type zt = (enum zone_type)z;
			unsigned long zp = zone_present(r, (int)n, zt);
			pfn_t lo, hi;

			if (!zp)
				continue;
			zone_span(r, (int)n, zt, &lo, &hi);
			MAP_EMIT("  zone %-7s pfn [%#llx-%#llx) present %lu%s%s\n", zone_type_name(zt),
				 (unsigned long long)lo, (unsigned long long)hi, zp,
				 lo & (align - 1) ? " unaligned-start" : "",
				 hi & (align - 1) ? " unaligned-end" : "");
		}
	}
	for (unsigned long nr = 0; ((pfn_t)nr << r->topo.section_shift) < max; nr++) {
		pfn_t s = (pfn_t)nr << r->topo.section_shift;

		if (section_node(r, nr) < 0)
			continue;
		MAP_EMIT("section %lu: pfn [%#lx-%#lx) node %d initialised block %lu\n", nr,
			 (unsigned long)s, (unsigned long)(s + ((pfn_t)1 << r->topo.section_shift)),
			 section_node(r, nr), nr / r->topo.vmemmap_block_sections);
	}
	return len;
}

/*
 * The memory map (dump memory_map) is the harness's own from the topology,
 * line for line, and then one vmemmap block line for each block holding a
 * section with memory, in order, populated once, on a node with memory
 * (the node its backing came from: memblock's choice, not predicted).
 */
void dump_check_memory_map(struct run *r, const char *text)
{
	size_t len = memory_map_want(r);
	unsigned long last = 0;
	const char *p;
	bool first = true;

	if (len >= sizeof(map_want))
		return;
	if (strncmp(text, map_want, len)) {
		size_t i = 0, l = 0;

		while (text[i] == map_want[i]) {
			if (text[i] == '\n')
				l = i + 1;
			i++;
		}
		run_fail(r, "HARNESS: memory map differs from the topology",
			 "the dump: %.*s\nthe harness: %.*s", (int)strcspn(text + l, "\n"), text + l,
			 (int)strcspn(map_want + l, "\n"), map_want + l);
	}
	p = text + len;
	for (unsigned long nr = 0; nr < RUN_MAX_PFN; nr++) {
		unsigned long block = nr / r->topo.vmemmap_block_sections, got, times;
		int nid, n = 0;

		if (((pfn_t)nr << r->topo.section_shift) >= RUN_MAX_PFN)
			break;
		if (section_node(r, nr) < 0 || (!first && block == last))
			continue;
		first = false;
		last = block;
		if (sscanf(p, "vmemmap block %lu: node %d populated %lu times\n%n", &got, &nid,
			   &times, &n) != 3 || !n || got != block || times != 1 || nid < 0 ||
		    nid >= (int)r->topo.nr_nodes || !zone_present(r, nid, ZONE_DMA) +
		    !zone_present(r, nid, ZONE_DMA32) + !zone_present(r, nid, ZONE_NORMAL) +
		    !zone_present(r, nid, ZONE_MOVABLE) == 4)
			run_fail(r, "HARNESS: memory map differs from the topology",
				 "vmemmap block %lu: the dump says %.*s", block, (int)strcspn(p, "\n"),
				 p);
		p += n;
	}
	if (*p)
		run_fail(r, "HARNESS: memory map differs from the topology",
			 "text past the last vmemmap block: %.80s", p);
}

/* ---- short buffers ---- */

/*
 * Every dump and every sysfs read takes (buf, size) and is documented like
 * snprintf (mm.h, slab.h): it returns the length the whole text needs and
 * writes at most size bytes, the text's prefix NUL-terminated. The harness
 * calls each one again into exactly-sized heap buffers (0, 1, half, the
 * length - 1, the length, the length + 1 bytes: a byte past size is
 * AddressSanitizer's heap-buffer-overflow) and compares with the text the
 * call gave into a big buffer.
 */
enum short_call { SC_BUDDYINFO, SC_ZONEINFO, SC_MEMORY_MAP, SC_SLABINFO, SC_SYSFS_LIST,
		  SC_DIR_NAME, SC_ATTR_SHOW };

static const char *const short_call_names[] = {
	"dump_buddyinfo", "dump_zoneinfo", "dump_memory_map", "dump_slabinfo",
	"slab_sysfs_list", "slab_sysfs_dir_name", "slab_attr_show",
};

static char short_want[1 << 16];
/*
 * The short buffers: one area, reused, whose first `size` bytes are the
 * buffer and the rest of the text plus a 64-byte red zone poisoned, so an
 * ASan build catches a write past the end as it would in a heap block of
 * that size (a heap block per call
 * was most of fuzz_slab's heap traffic, which ASan's quarantine keeps:
 * RSS). It is filled with a byte no text has before each call, so bytes
 * the call did not write never pass for the expected prefix.
 */
static char short_area[sizeof(short_want) + 64] __attribute__((aligned(64)));
#define SHORT_UNWRITTEN '\xa5'

static long short_do(struct run *r, enum short_call c, const char *cache, const char *attr,
		     char *buf, size_t size)
{
	switch (c) {
	case SC_BUDDYINFO: return (long)dump_buddyinfo(r->m, buf, size);
	case SC_ZONEINFO: return (long)dump_zoneinfo(r->m, buf, size);
	case SC_MEMORY_MAP: return (long)dump_memory_map(r->m, buf, size);
	case SC_SLABINFO: return (long)slab_dump(r, buf, size);
	case SC_SYSFS_LIST: return (long)slab_sysfs_list(r->m, buf, size);
	case SC_DIR_NAME: return slab_sysfs_dir_name(r->m, cache, buf, size);
	default: return slab_attr_show(r->m, cache, attr, buf, size);
	}
}

static void short_check(struct run *r, enum short_call c, const char *cache, const char *attr)
{
	long full = short_do(r, c, cache, attr, short_want, sizeof(short_want));
	size_t sizes[6];

	if (full < 0 || (size_t)full >= sizeof(short_want))
		return;
	sizes[0] = 0;
	sizes[1] = 1;
	sizes[2] = (size_t)full / 2;
	sizes[3] = full ? (size_t)full - 1 : 0;
	sizes[4] = (size_t)full;
	sizes[5] = (size_t)full + 1;
	/* The text and a red zone past it: a write past the size lands there. */
	kasan_poison(short_area, (size_t)full + 64);
	for (unsigned int i = 0; i < 6; i++) {
		size_t size = sizes[i], keep = size && size - 1 < (size_t)full ? size - 1 : (size_t)full;
		char *buf = short_area;
		long got;

		kasan_unpoison(buf, size);
		memset(buf, SHORT_UNWRITTEN, size);
		got = short_do(r, c, cache, attr, buf, size);
		if (r->o->test_short_result)
			r->o->test_short_result(short_call_names[c], buf, size, &got);
		if (got != full || (size && (memcmp(buf, short_want, keep) || buf[keep]))) {
			int shown = size && got == full && !buf[keep] ? (int)strlen(buf) : 0;

			run_fail(r, "HARNESS: dump into a short buffer differs from the whole text",
				 "%s(%s%s%s) into %zu bytes returned %ld (the whole text %ld), "
				 "wrote %d bytes of its prefix",
				 short_call_names[c], cache ? cache : "", attr ? ", " : "",
				 attr ? attr : "", size, got, full, shown);
		}
		kasan_poison(buf, size);
	}
}

/* The short-buffer check of dump kind (the dump op's numbering); after the
 * slab dump also the sysfs list, and the directory name and every attribute
 * of one registered name (the op's index picks it: a few calls per op). */
void dump_check_short(struct run *r, unsigned int kind)
{
	static char names[1 << 14];
	unsigned int nr = 0;
	long len;
	char *s;

	if (kind < SC_SLABINFO) {
		short_check(r, (enum short_call)kind, NULL, NULL);
		return;
	}
	short_check(r, SC_SLABINFO, NULL, NULL);
	short_check(r, SC_SYSFS_LIST, NULL, NULL);
	len = (long)slab_sysfs_list(r->m, names, sizeof(names));
	if (len <= 0 || (size_t)len >= sizeof(names))
		return;
	for (s = names; *s; s += strcspn(s, "\n") + (s[strcspn(s, "\n")] != '\0'))
		nr++;
	s = names;
	for (unsigned int i = r->op_index % nr; i; i--)
		s += strcspn(s, "\n") + 1;
	s[strcspn(s, " \n")] = '\0';	/* "name -> target": the alias itself */
	short_check(r, SC_DIR_NAME, s, NULL);
	for (unsigned int i = 0; slab_attr_name(i, NULL); i++)
		short_check(r, SC_ATTR_SHOW, s, slab_attr_name(i, NULL));
}

SF_NO_COVERAGE_END
