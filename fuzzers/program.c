/* SPDX-License-Identifier: MIT */
/*
 * The program format: binary decode/encode and text print/parse.
 *
 * Header bytes (missing bytes read as 0; each field is stored XORed with
 * its default so that 0 gives the default):
 *   version | nodes | cpus | boot cpu | cpu_node[cpus] | max_order |
 *   section_shift | vmemmap_block | options | nr_ranges |
 *   ranges[nr] (node, gap, len) | distance[a<b] | dma_end(2) | dma32(2) |
 *   movable(2)
 * The options byte: bit 0 memmap_together, bits 1-2 debug level, bits 3-4
 * slab_debug (version 2 only; a version byte of 1 ignores them).
 * Then operations: opcode byte (modulo the version's op count,
 * sf_prog_nr_opcodes) and the op's arguments, each 1 byte (2 for numbers with
 * a range above 256, 3 for gfp); an argument a later version added is not
 * in the bytes of an older one (sf_op_nargs).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "slabfuzz/seq_buf.h"

/* ---- the operation table ---- */

static const char *const dump_names[] = { "buddyinfo", "zoneinfo", "memory_map", "slabinfo",
					  NULL };
static const char *const cache_names[] = { "cache0", "cache1", "cache2", "cache3",
					   "kmalloc-64", "kmem_cache_node", "dup", "dup",
					   "a_cache_name_31_characters_long", NULL };
/* failslab's cache filter (version 5): the program's cache names, kmalloc
 * caches and the boot caches the slab layer allocates its own structures
 * from, a name no cache has. */
static const char *const filter_names[] = {
	"filter=none", "filter=cache0", "filter=cache1", "filter=cache2", "filter=cache3",
	"filter=dup", "filter=a_cache_name_31_characters_long", "filter=kmalloc-8",
	"filter=kmalloc-64", "filter=kmalloc-1k", "filter=dma-kmalloc-64", "filter=kmem_cache",
	"filter=kmem_cache_node", "filter=no_such_cache", NULL
};
static const char *const align_names[] = { "align=0", "align=8", "align=16", "align=32",
					   "align=64", "align=128", "align=4", "align=3",
					   "align=1", "align=2", NULL };
static const char *const attr_names[] = {
	"object_size", "slab_size", "objs_per_slab", "order", "objects", "total_objects",
	"slabs", "partial", "cpu_queue_size", "batch", "shared", "alien", "aliases", "align",
	"cache_dma", "sanity_checks", "red_zone", "poison", "store_user", "validate", "shrink",
	"no_such_attr", NULL
};
static const char *const foreign_names[] = { "address", "struct_page", "memblock", "interior",
					     NULL };
static const char *const interior_names[] = { "misaligned", "inside", NULL };
static const char *const mb_invalid_names[] = { "align", "node", NULL };
static const char *const topo_names[] = {
	"no_nodes", "too_many_nodes", "no_cpus", "boot_cpu", "cpu_node", "local_distance",
	"remote_distance", "asymmetric_distance", "max_order", "section_shift", "vmemmap_block",
	"no_ranges", "empty_range", "range_past_max_pfn", "range_node", "overlapping_ranges",
	"dma_above_dma32", "dma32_above_movable", "movable_past_max_pfn", NULL
};
static const char *const query_names[] = { "report_log", "bug_names",
					   "topology_simple", "topology_default", "memory_pfn",
					   "report_print", "cpu_bind", "sched_points", "timers",
					   NULL };
static const char *const wattr_names[] = { "cpu_queue_size", "batch", "shared", "validate",
					   "shrink", "object_size", "nonexistent", NULL };

const char *const sf_canary_names[NR_CANARY_KINDS + 1] = {
#define SF_CANARY_NAME(id, name) name,
	SF_CANARY_LIST(SF_CANARY_NAME)
#undef SF_CANARY_NAME
	NULL
};

#define A_STAGE { .kind = ARG_STAGE }
#define A_GFP { .kind = ARG_GFP }
#define A_NODE { .kind = ARG_NODE }
#define A_CPU { .kind = ARG_CPU }
#define A_SP { .kind = ARG_SP }
#define A_H(k) { .kind = ARG_HANDLE, .handle = (k) }
#define A_NUM(k, m) { .kind = ARG_NUM, .key = (k), .mod = (m) }
#define A_NUMS(k, m, s) { .kind = ARG_NUM, .key = (k), .mod = (m), .scale = (s) }
#define A_ENUM(n) { .kind = ARG_ENUM, .names = (n) }
#define A_ENUM_SINCE(n, v) { .kind = ARG_ENUM, .names = (n), .since = (v) }
#define A_ORDER A_NUM("order", 12)
#define A_SIZE A_NUM("size", 8193)

const struct sf_op_spec sf_op_specs[NR_OPCODES] = {
	[OP_BOOT] = { "boot", HK_NONE, 1, 0, { A_STAGE } },
	[OP_ALLOC_PAGES] = { "alloc_pages", HK_PAGE, 2, 0, { A_GFP, A_ORDER } },
	[OP_ALLOC_PAGES_NODE] = { "alloc_pages_node", HK_PAGE, 3, 0, { A_NODE, A_GFP, A_ORDER } },
	[OP_GET_FREE_PAGES] = { "get_free_pages", HK_PAGE, 2, 0, { A_GFP, A_ORDER } },
	[OP_ALLOC_PAGES_EXACT] = { "alloc_pages_exact", HK_PAGE, 2, 0,
				   { A_GFP, A_NUM("size", 40000) } },
	[OP_FREE] = { "free", HK_NONE, 1, 0, { A_H(HK_PAGE) } },
	[OP_DOUBLE_FREE] = { "double_free", HK_NONE, 1, 0, { A_H(HK_PAGE) } },
	[OP_FREE_WRONG_ORDER] = { "free_wrong_order", HK_NONE, 2, 0, { A_H(HK_PAGE), A_ORDER } },
	[OP_DRAIN_LOCAL] = { "drain_local_pages", HK_NONE, 0, 0, { { 0 } } },
	[OP_DRAIN_ALL] = { "drain_all_pages", HK_NONE, 0, 0, { { 0 } } },
	[OP_CPU] = { "cpu", HK_NONE, 1, 0, { A_CPU } },
	[OP_IRQ_DISABLE] = { "local_irq_disable", HK_NONE, 0, 0, { { 0 } } },
	[OP_IRQ_ENABLE] = { "local_irq_enable", HK_NONE, 0, 0, { { 0 } } },
	[OP_IRQ_ENTER] = { "irq_enter", HK_NONE, 0, 0, { { 0 } } },
	[OP_IRQ_EXIT] = { "irq_exit", HK_NONE, 0, 0, { { 0 } } },
	[OP_PREEMPT_DISABLE] = { "preempt_disable", HK_NONE, 0, 0, { { 0 } } },
	[OP_PREEMPT_ENABLE] = { "preempt_enable", HK_NONE, 0, 0, { { 0 } } },
	[OP_TIMER] = { "timer_set_pending", HK_NONE, 1, 0, { A_CPU } },
	[OP_FAIL_PAGE_ALLOC] = { "fail_page_alloc", HK_NONE, 5, 0,
				 { A_NUM("nth", 256), A_NUMS("ppm", 256, 1000),
				   A_NUM("persistent", 2), A_NUM("ignore_reclaim", 2),
				   A_NUM("min_order", 11) } },
	[OP_FAIL_PAGE_ALLOC_OFF] = { "fail_page_alloc_off", HK_NONE, 0, 0, { { 0 } } },
	[OP_CHECK] = { "check", HK_NONE, 0, 0, { { 0 } } },
	[OP_DUMP] = { "dump", HK_NONE, 1, 0, { A_ENUM(dump_names) } },
	[OP_MEMBLOCK_ALLOC] = { "memblock_alloc", HK_MEMBLOCK, 2, 0,
				{ A_NODE, A_NUM("size", 65536) } },
	[OP_MEMBLOCK_FREE] = { "memblock_free", HK_NONE, 1, 0, { A_H(HK_MEMBLOCK) } },
	[OP_PFN_WALK] = { "pfn_walk", HK_NONE, 2, 0,
			  { A_NUM("start", 65536), A_NUM("count", 256) } },
	[OP_IRQ_AT] = { "irq_at", HK_PAGE, 3, 0, { A_SP, A_GFP, A_ORDER } },
	[OP_IRQ_FREE_AT] = { "irq_free_at", HK_NONE, 2, 0, { A_SP, A_H(HK_PAGE) } },
	[OP_RESERVED27] = { "reserved27", HK_NONE, 0, 0, { { 0 } } },
	[OP_CACHE_CREATE] = { "kmem_cache_create", HK_CACHE, 4, 1,
			      { A_ENUM(cache_names), A_NUM("size", 4097), A_ENUM(align_names),
				A_NUM("flags", 128) } },
	[OP_CACHE_DESTROY] = { "kmem_cache_destroy", HK_NONE, 1, 1, { A_H(HK_CACHE) } },
	[OP_CACHE_ALLOC] = { "kmem_cache_alloc", HK_OBJ, 3, 1, { A_H(HK_CACHE), A_GFP, A_NODE } },
	[OP_CACHE_FREE] = { "kmem_cache_free", HK_NONE, 1, 1, { A_H(HK_OBJ) } },
	[OP_KMALLOC] = { "kmalloc", HK_OBJ, 3, 1, { A_SIZE, A_GFP, A_NODE } },
	[OP_KZALLOC] = { "kzalloc", HK_OBJ, 2, 1, { A_SIZE, A_GFP } },
	[OP_KCALLOC] = { "kcalloc", HK_OBJ, 3, 1,
			 { A_NUM("n", 64), A_NUM("size", 1024), A_GFP } },
	[OP_KREALLOC] = { "krealloc", HK_OBJ, 3, 1, { A_H(HK_OBJ), A_SIZE, A_GFP } },
	[OP_KFREE] = { "kfree", HK_NONE, 1, 1, { A_H(HK_OBJ) } },
	[OP_CACHE_TUNE] = { "kmem_cache_tune", HK_NONE, 4, 1,
			    { A_H(HK_CACHE), A_NUM("limit", 1100), A_NUM("batch", 300),
			      A_NUM("shared", 20) } },
	[OP_CACHE_SHRINK] = { "kmem_cache_shrink", HK_NONE, 1, 1, { A_H(HK_CACHE) } },
	[OP_CACHE_VALIDATE] = { "kmem_cache_validate", HK_NONE, 1, 1, { A_H(HK_CACHE) } },
	[OP_ATTR_SHOW] = { "attr_show", HK_NONE, 2, 1, { A_H(HK_CACHE), A_ENUM(attr_names) } },
	[OP_ATTR_STORE] = { "attr_store", HK_NONE, 3, 1,
			    { A_H(HK_CACHE), A_ENUM(wattr_names), A_NUM("val", 1100) } },
	[OP_KMALLOC_IRQ_AT] = { "kmalloc_irq_at", HK_OBJ, 3, 1, { A_SP, A_SIZE, A_GFP } },
	[OP_FAILSLAB] = { "failslab", HK_NONE, 5, 1,
			  { A_NUM("nth", 256), A_NUMS("ppm", 256, 1000), A_NUM("persistent", 2),
			    A_NUM("ignore_reclaim", 2), A_ENUM_SINCE(filter_names, 5) } },
	[OP_FAILSLAB_OFF] = { "failslab_off", HK_NONE, 0, 1, { { 0 } } },
	[OP_SLAB_DOUBLE_FREE] = { "slab_double_free", HK_NONE, 1, 1, { A_H(HK_OBJ) } },
	/* version 3 */
	[OP_GET_ZEROED_PAGE] = { "get_zeroed_page", HK_PAGE, 1, 0, { A_GFP } },
	[OP_FREE_TAIL] = { "free_tail_page", HK_NONE, 1, 0, { A_H(HK_PAGE) } },
	[OP_FREE_RESERVED] = { "free_reserved_page", HK_NONE, 1, 0, { A_NUM("from", 8192) } },
	[OP_FREE_FOREIGN] = { "free_foreign", HK_NONE, 1, 0, { A_ENUM(foreign_names) } },
	[OP_IRQ_SAVE] = { "local_irq_save", HK_NONE, 0, 0, { { 0 } } },
	[OP_IRQ_RESTORE] = { "local_irq_restore", HK_NONE, 0, 0, { { 0 } } },
	[OP_TOPOLOGY_INVALID] = { "machine_create_invalid", HK_NONE, 1, 0, { A_ENUM(topo_names) } },
	[OP_KFREE_PAGE] = { "kfree_page", HK_NONE, 1, 1, { A_H(HK_PAGE) } },
	[OP_KFREE_FOREIGN] = { "kfree_foreign", HK_NONE, 0, 1, { { 0 } } },
	[OP_CACHE_FREE_WRONG] = { "kmem_cache_free_wrong", HK_NONE, 2, 1,
				  { A_H(HK_CACHE), A_H(HK_OBJ) } },
	[OP_CACHE_FREE_INTERIOR] = { "kmem_cache_free_interior", HK_NONE, 2, 1,
				     { A_H(HK_OBJ), A_ENUM(interior_names) } },
	[OP_FREE_SLAB_PAGE] = { "free_slab_page", HK_NONE, 1, 1, { A_H(HK_OBJ) } },
	[OP_MEMBLOCK_ALLOC_INVALID] = { "memblock_alloc_invalid", HK_NONE, 2, 0,
					{ A_ENUM(mb_invalid_names), A_NUM("size", 65536) } },
	[OP_MEMBLOCK_DOUBLE_FREE] = { "memblock_double_free", HK_NONE, 1, 0,
				      { A_H(HK_MEMBLOCK) } },
	[OP_CACHE_DESTROY_AGAIN] = { "kmem_cache_destroy_again", HK_NONE, 1, 1,
				     { A_H(HK_CACHE) } },
	/* version 4 */
	[OP_CORRUPT] = { "corrupt", HK_NONE, 2, 0,
			 { A_ENUM(sf_canary_names), A_NUM("index", 256) } },
	[OP_QUERY] = { "query", HK_NONE, 2, 0, { A_ENUM(query_names), A_NUM("n", 256) } },
};

unsigned int sf_op_nargs(const struct sf_op_spec *s, unsigned int version)
{
	unsigned int n = s->nargs;

	while (n && s->args[n - 1].since > version)
		n--;
	return n;
}

const char *sf_prog_failslab_filter(uint32_t v)
{
	const char *name = v && v < sizeof(filter_names) / sizeof(filter_names[0]) - 1 ?
				   filter_names[v] :
				   NULL;

	return name ? strchr(name, '=') + 1 : "";
}

unsigned int sf_prog_nr_opcodes(unsigned int version)
{
	return version >= 4 ? NR_OPCODES : version == 3 ? SF_PROG_V3_OPCODES : SF_PROG_V2_OPCODES;
}

const char *const sf_slab_debug_names[SF_PROG_NR_SLAB_DEBUG] = { "none", "FZPU", "FZ", "PU" };

const char *sf_prog_slab_debug(const struct sf_header *h)
{
	return h->slab_debug && h->slab_debug < SF_PROG_NR_SLAB_DEBUG ?
		       sf_slab_debug_names[h->slab_debug] :
		       NULL;
}

static const char handle_prefix[NR_HANDLE_KINDS] = { '?', 'p', 'm', 'c', 'o' };

static unsigned int enum_count(const char *const *names)
{
	unsigned int n = 0;

	while (names[n])
		n++;
	return n;
}

/* ---- header ---- */

pfn_t sf_prog_max_pfn(const struct sf_header *h)
{
	pfn_t pfn = 0;

	for (unsigned int i = 0; i < h->nr_ranges; i++)
		pfn += (pfn_t)(h->ranges[i].gap_units + h->ranges[i].len_units) *
		       SF_PROG_RANGE_UNIT;
	return pfn;
}

void sf_prog_topology(const struct sf_header *h, struct sf_topology *t)
{
	pfn_t pfn = 0;

	memset(t, 0, sizeof(*t));
	t->nr_nodes = h->nr_nodes;
	t->nr_cpus = h->nr_cpus;
	t->boot_cpu = h->boot_cpu;
	for (unsigned int c = 0; c < h->nr_cpus; c++)
		t->cpu_node[c] = h->cpu_node[c];
	for (unsigned int a = 0; a < h->nr_nodes; a++)
		for (unsigned int b = 0; b < h->nr_nodes; b++)
			t->distance[a][b] = a == b ? 10 : h->distance[a][b];
	t->nr_ranges = h->nr_ranges;
	for (unsigned int i = 0; i < h->nr_ranges; i++) {
		pfn += (pfn_t)h->ranges[i].gap_units * SF_PROG_RANGE_UNIT;
		t->ranges[i].start_pfn = pfn;
		pfn += (pfn_t)h->ranges[i].len_units * SF_PROG_RANGE_UNIT;
		t->ranges[i].end_pfn = pfn;
		t->ranges[i].node = h->ranges[i].node;
	}
	t->zone_dma_end = h->zone_dma_end;
	t->zone_dma32_end = h->zone_dma32_end;
	t->zone_movable_start = h->zone_movable_start;
	t->max_order = h->max_order;
	t->section_shift = h->section_shift;
	t->vmemmap_block_sections = h->vmemmap_block_sections;
}

/* Header field encodings: value = (byte ^ dflt) % range (+ base). */
#define D_NODES 0
#define D_CPUS 1	/* 2 cpus */
#define D_SHIFT 4	/* section_shift 9 */
#define D_ORDER 8	/* max_order 9 */
#define D_VMEMMAP 1	/* 2 sections a block */
#define D_OPTS 2	/* debug level 1 */
#define D_LEN 15	/* 16 units: 512 pages */
#define D_DIST 9	/* 20 */

struct reader {
	const uint8_t *p;
	size_t left;
	bool eof;
};

static uint8_t rd8(struct reader *r)
{
	if (!r->left) {
		r->eof = true;
		return 0;
	}
	r->left--;
	return *r->p++;
}

static unsigned int rd16(struct reader *r)
{
	unsigned int lo = rd8(r);

	return lo | (unsigned int)rd8(r) << 8;
}

static unsigned int order_range(unsigned int section_shift)
{
	return section_shift + 1 < SF_MAX_ORDER_LIMIT ? section_shift + 1 : SF_MAX_ORDER_LIMIT;
}

static void decode_zones(struct sf_header *h, unsigned int dma, unsigned int dma32,
			 unsigned int movable)
{
	pfn_t max = sf_prog_max_pfn(h);
	pfn_t k;

	h->zone_dma_end = dma % (max + 1);
	h->zone_dma32_end = h->zone_dma_end + dma32 % (max + 1 - h->zone_dma_end);
	k = movable % (max + 2 - h->zone_dma32_end);
	h->zone_movable_start = k ? h->zone_dma32_end + k - 1 : SF_MAX_PFN;
}

/* The version byte: 1 is version 1, 3 to 5 that version, every other
 * value version 2 (what every byte but 1 meant before version 3: old inputs
 * keep their meaning; a binary input whose first byte is 5 meant version 2
 * before version 5, as one whose first byte is 3 or 4 did before theirs). */
static unsigned int decode_version(unsigned int b)
{
	return b == 1 || (b >= 3 && b <= SF_PROG_VERSION) ? b : 2;
}

static void decode_header(struct reader *r, struct sf_header *h, unsigned int *version)
{
	unsigned int b;

	memset(h, 0, sizeof(*h));
	*version = decode_version(rd8(r));
	h->nr_nodes = 1 + (rd8(r) ^ D_NODES) % SF_PROG_MAX_NODES;
	h->nr_cpus = 1 + (rd8(r) ^ D_CPUS) % SF_PROG_MAX_CPUS;
	h->boot_cpu = rd8(r) % h->nr_cpus;
	for (unsigned int c = 0; c < h->nr_cpus; c++)
		h->cpu_node[c] = (int)(rd8(r) % h->nr_nodes);
	h->section_shift = 5 + (rd8(r) ^ D_SHIFT) % 6;
	h->max_order = 1 + (rd8(r) ^ D_ORDER) % order_range(h->section_shift);
	h->vmemmap_block_sections = 1u << ((rd8(r) ^ D_VMEMMAP) % 4);
	b = rd8(r) ^ D_OPTS;
	h->memmap_together = b & 1;
	h->debug_level = (int)((b >> 1) & 3);
	if (*version >= 2)
		h->slab_debug = (b >> 3) & 3;
	h->nr_ranges = 1 + rd8(r) % SF_PROG_MAX_RANGES;
	for (unsigned int i = 0; i < h->nr_ranges; i++) {
		h->ranges[i].node = (int)(rd8(r) % h->nr_nodes);
		h->ranges[i].gap_units = rd8(r) % SF_PROG_MAX_GAP_UNITS;
		h->ranges[i].len_units = 1 + (rd8(r) ^ D_LEN) % SF_PROG_MAX_RANGE_UNITS;
	}
	for (unsigned int a = 0; a < h->nr_nodes; a++) {
		h->distance[a][a] = 10;
		for (unsigned int c = a + 1; c < h->nr_nodes; c++) {
			h->distance[a][c] = (uint8_t)(11 + (rd8(r) ^ D_DIST) % 90);
			h->distance[c][a] = h->distance[a][c];
		}
	}
	{
		unsigned int dma = rd16(r), dma32 = rd16(r), movable = rd16(r);

		decode_zones(h, dma, dma32, movable);
	}
}

/* ---- gfp names ---- */

static const struct {
	gfp_t bits;
	const char *name;
} gfp_names[] = {
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ __GFP_DMA, "__GFP_DMA" },
	{ __GFP_DMA32, "__GFP_DMA32" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ SF_GFP_INVALID_BIT, "__GFP_INVALID" },
};

char *sf_gfp_print(gfp_t gfp, char *buf, size_t size)
{
	size_t len = 0;
	gfp_t left = gfp;

	if (size)
		buf[0] = '\0';
	if (!gfp) {
		snprintf(buf, size, "0");
		return buf;
	}
	for (size_t i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]); i++) {
		if ((left & gfp_names[i].bits) != gfp_names[i].bits)
			continue;
		left &= ~gfp_names[i].bits;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "|" : "",
						gfp_names[i].name);
	}
	if (left && len < size)
		snprintf(buf + len, size - len, "%s%#x", len ? "|" : "", left);
	return buf;
}

int sf_gfp_parse(const char *s, gfp_t *gfp)
{
	gfp_t v = 0;

	while (*s) {
		size_t len = strcspn(s, "|");
		size_t i;

		for (i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]); i++)
			if (strlen(gfp_names[i].name) == len && !strncmp(s, gfp_names[i].name, len))
				break;
		if (i < sizeof(gfp_names) / sizeof(gfp_names[0])) {
			v |= gfp_names[i].bits;
		} else {
			char num[32], *end;
			unsigned long n;

			if (len == 0 || len >= sizeof(num))
				return -1;
			memcpy(num, s, len);
			num[len] = '\0';
			errno = 0;
			n = strtoul(num, &end, 0);
			if (*end || errno || n > (__GFP_BITS_MASK | SF_GFP_INVALID_BIT))
				return -1;
			v |= (gfp_t)n;
		}
		s += len;
		if (*s == '|') {
			s++;
			if (!*s)
				return -1;
		}
	}
	*gfp = v;
	return 0;
}

/* gfp in 3 bytes: the 18 valid bits, and the invalid bit only when both top
 * bits of the third byte are set (a quarter of random inputs would otherwise
 * be refused allocations). */
static gfp_t decode_gfp(struct reader *r)
{
	unsigned int b0 = rd8(r), b1 = rd8(r), b2 = rd8(r);
	gfp_t g = (b0 | b1 << 8 | (b2 & 3) << 16) & __GFP_BITS_MASK;

	if ((b2 & 0xc0) == 0xc0)
		g |= SF_GFP_INVALID_BIT;
	return g;
}

/* ---- operations ---- */

static bool decode_arg(struct reader *r, const struct sf_header *h,
		       const unsigned int *nr_handles, const struct sf_arg_spec *a, uint32_t *out)
{
	unsigned int b;

	switch ((enum sf_arg_kind)a->kind) {
	case ARG_STAGE:
		*out = rd8(r) % NR_BOOT_STAGES;
		break;
	case ARG_GFP:
		*out = decode_gfp(r);
		break;
	case ARG_NODE:
		*out = rd8(r) % (h->nr_nodes + 1);	/* nr_nodes: any */
		break;
	case ARG_CPU:
		*out = rd8(r) % h->nr_cpus;
		break;
	case ARG_HANDLE:
		b = rd8(r);
		if (!nr_handles[a->handle])
			return false;
		*out = b % nr_handles[a->handle];
		break;
	case ARG_SP:
		*out = rd8(r) % NR_SCHED_POINTS;
		break;
	case ARG_ENUM:
		*out = rd8(r) % enum_count(a->names);
		/* A name listed twice (more likely to be picked) is one value:
		 * the first, so that the text form round-trips. */
		for (unsigned int i = 0; i < *out; i++) {
			if (!strcmp(a->names[i], a->names[*out])) {
				*out = i;
				break;
			}
		}
		break;
	case ARG_NUM:
		*out = (a->mod > 256 ? rd16(r) : rd8(r)) % a->mod;
		break;
	}
	return true;
}

void sf_prog_decode_cut(const uint8_t *data, size_t size, struct sf_program *p,
			struct sf_prog_cut *cut)
{
	struct reader r = { data, size, false };

	memset(p, 0, offsetof(struct sf_program, ops));
	if (cut)
		memset(cut, 0, sizeof(*cut));
	decode_header(&r, &p->h, &p->version);
	if (cut && r.eof)
		cut->header = true;
	while (r.left && p->nr_ops < SF_PROG_MAX_OPS) {
		struct sf_op op = { .code = (uint8_t)(rd8(&r) % sf_prog_nr_opcodes(p->version)),
				    .result = -1 };
		const struct sf_op_spec *s = &sf_op_specs[op.code];
		size_t left = r.left + 1;
		bool ok = true;

		for (unsigned int i = 0; i < sf_op_nargs(s, p->version); i++)
			if (!decode_arg(&r, &p->h, p->nr_handles, &s->args[i], &op.arg[i]))
				ok = false;
		if (r.eof) {
			/* a truncated op ends the program */
			if (cut) {
				cut->op_bytes = left;
				cut->op_index = p->nr_ops;
			}
			break;
		}
		if (!ok)
			continue;	/* refers to a handle that does not exist: skipped */
		if (s->result != HK_NONE)
			op.result = (int32_t)p->nr_handles[s->result]++;
		p->ops[p->nr_ops++] = op;
	}
	if (cut)
		cut->ignored = r.left;
}

void sf_prog_decode(const uint8_t *data, size_t size, struct sf_program *p)
{
	sf_prog_decode_cut(data, size, p, NULL);
}

struct writer {
	uint8_t *p;
	size_t size;
	size_t len;
};

static void wr8(struct writer *w, unsigned int v)
{
	if (w->len < w->size)
		w->p[w->len] = (uint8_t)v;
	w->len++;
}

static void wr16(struct writer *w, unsigned int v)
{
	wr8(w, v & 0xff);
	wr8(w, (v >> 8) & 0xff);
}

size_t sf_prog_encode(const struct sf_program *p, uint8_t *buf, size_t size)
{
	struct writer w = { buf, size, 0 };
	const struct sf_header *h = &p->h;
	pfn_t max = sf_prog_max_pfn(h);

	wr8(&w, p->version);
	wr8(&w, (h->nr_nodes - 1) ^ D_NODES);
	wr8(&w, (h->nr_cpus - 1) ^ D_CPUS);
	wr8(&w, h->boot_cpu);
	for (unsigned int c = 0; c < h->nr_cpus; c++)
		wr8(&w, (unsigned int)h->cpu_node[c]);
	wr8(&w, (h->section_shift - 5) ^ D_SHIFT);
	wr8(&w, (h->max_order - 1) ^ D_ORDER);
	{
		unsigned int l = 0;

		while ((1u << l) < h->vmemmap_block_sections)
			l++;
		wr8(&w, l ^ D_VMEMMAP);
	}
	wr8(&w, ((unsigned int)h->memmap_together | (unsigned int)h->debug_level << 1 |
		 (p->version >= 2 ? (h->slab_debug & 3) << 3 : 0)) ^
			D_OPTS);
	wr8(&w, h->nr_ranges - 1);
	for (unsigned int i = 0; i < h->nr_ranges; i++) {
		wr8(&w, (unsigned int)h->ranges[i].node);
		wr8(&w, h->ranges[i].gap_units);
		wr8(&w, (h->ranges[i].len_units - 1) ^ D_LEN);
	}
	for (unsigned int a = 0; a < h->nr_nodes; a++)
		for (unsigned int c = a + 1; c < h->nr_nodes; c++)
			wr8(&w, (h->distance[a][c] - 11u) ^ D_DIST);
	wr16(&w, (unsigned int)h->zone_dma_end);
	wr16(&w, (unsigned int)(h->zone_dma32_end - h->zone_dma_end));
	wr16(&w, h->zone_movable_start >= SF_MAX_PFN || h->zone_movable_start > max ?
			 0 :
			 (unsigned int)(h->zone_movable_start - h->zone_dma32_end + 1));
	for (unsigned int i = 0; i < p->nr_ops; i++) {
		const struct sf_op *op = &p->ops[i];
		const struct sf_op_spec *s = &sf_op_specs[op->code];

		wr8(&w, op->code);
		for (unsigned int j = 0; j < sf_op_nargs(s, p->version); j++) {
			const struct sf_arg_spec *a = &s->args[j];
			uint32_t v = op->arg[j];

			switch ((enum sf_arg_kind)a->kind) {
			case ARG_GFP:
				wr8(&w, v & 0xff);
				wr8(&w, (v >> 8) & 0xff);
				wr8(&w, ((v >> 16) & 3) | ((v & SF_GFP_INVALID_BIT) ? 0xc0 : 0));
				break;
			case ARG_NUM:
				if (a->mod > 256)
					wr16(&w, v);
				else
					wr8(&w, v);
				break;
			case ARG_STAGE:
			case ARG_NODE:
			case ARG_CPU:
			case ARG_HANDLE:
			case ARG_SP:
			case ARG_ENUM:
				wr8(&w, v);
				break;
			}
		}
	}
	return w.len;
}

/* ---- text: print ---- */

static void print_op(struct seq_buf *o, const struct sf_program *p, const struct sf_op *op)
{
	const struct sf_op_spec *s = &sf_op_specs[op->code];
	char gbuf[256];

	if (op->result >= 0)
		seq_buf_printf(o, "%c%d = ", handle_prefix[s->result], op->result);
	seq_buf_printf(o, "%s", s->name);
	for (unsigned int j = 0; j < sf_op_nargs(s, p->version); j++) {
		const struct sf_arg_spec *a = &s->args[j];
		uint32_t v = op->arg[j];

		switch ((enum sf_arg_kind)a->kind) {
		case ARG_STAGE:
			seq_buf_printf(o, " %s", boot_stage_name((enum boot_stage)v));
			break;
		case ARG_GFP:
			seq_buf_printf(o, " %s", sf_gfp_print(v, gbuf, sizeof(gbuf)));
			break;
		case ARG_NODE:
			if (v >= p->h.nr_nodes)
				seq_buf_printf(o, " any");
			else
				seq_buf_printf(o, " node%u", v);
			break;
		case ARG_CPU:
			seq_buf_printf(o, " cpu%u", v);
			break;
		case ARG_HANDLE:
			seq_buf_printf(o, " %c%u", handle_prefix[a->handle], v);
			break;
		case ARG_SP:
			seq_buf_printf(o, " %s", sched_point_name((enum sched_point)v));
			break;
		case ARG_ENUM:
			seq_buf_printf(o, " %s", a->names[v]);
			break;
		case ARG_NUM:
			if (!strcmp(a->key, "flags") || !strcmp(a->key, "start"))
				seq_buf_printf(o, " %s=%#x", a->key, v * (a->scale ? a->scale : 1));
			else
				seq_buf_printf(o, " %s=%u", a->key, v * (a->scale ? a->scale : 1));
			break;
		}
	}
}

size_t sf_prog_print_op(const struct sf_program *p, const struct sf_op *op, char *buf,
			size_t size)
{
	struct seq_buf o = SEQ_BUF_INIT(buf, size);

	if (size)
		buf[0] = '\0';
	print_op(&o, p, op);
	return o.len;
}

static void print_pfn(struct seq_buf *o, pfn_t pfn)
{
	seq_buf_printf(o, "%#llx", (unsigned long long)pfn);
}

size_t sf_prog_print(const struct sf_program *p, char *buf, size_t size)
{
	struct seq_buf o = SEQ_BUF_INIT(buf, size);
	const struct sf_header *h = &p->h;
	struct sf_topology t;

	if (size)
		buf[0] = '\0';
	sf_prog_topology(h, &t);
	seq_buf_printf(&o, "slabfuzz-program %u\n", p->version);
	seq_buf_printf(&o,
	     "machine nodes=%u cpus=%u boot=cpu%u max_order=%u section_shift=%u "
	     "vmemmap_block=%u memmap_together=%d debug=%d",
	     h->nr_nodes, h->nr_cpus, h->boot_cpu, h->max_order, h->section_shift,
	     h->vmemmap_block_sections, h->memmap_together ? 1 : 0, h->debug_level);
	if (p->version >= 2)
		seq_buf_printf(&o, " slab_debug=%s", sf_slab_debug_names[h->slab_debug & 3]);
	seq_buf_printf(&o, "\n");
	seq_buf_printf(&o, "cpu_nodes");
	for (unsigned int c = 0; c < h->nr_cpus; c++)
		seq_buf_printf(&o, " node%d", h->cpu_node[c]);
	seq_buf_printf(&o, "\n");
	for (unsigned int a = 0; a < h->nr_nodes; a++)
		for (unsigned int c = a + 1; c < h->nr_nodes; c++)
			seq_buf_printf(&o, "distance node%u node%u %u\n", a, c, h->distance[a][c]);
	for (unsigned int i = 0; i < h->nr_ranges; i++) {
		seq_buf_printf(&o, "range node%d ", h->ranges[i].node);
		print_pfn(&o, t.ranges[i].start_pfn);
		seq_buf_printf(&o, "-");
		print_pfn(&o, t.ranges[i].end_pfn);
		seq_buf_printf(&o, "\n");
	}
	seq_buf_printf(&o, "zones dma=");
	print_pfn(&o, h->zone_dma_end);
	seq_buf_printf(&o, " dma32=");
	print_pfn(&o, h->zone_dma32_end);
	if (h->zone_movable_start >= SF_MAX_PFN) {
		seq_buf_printf(&o, " movable=none\n");
	} else {
		seq_buf_printf(&o, " movable=");
		print_pfn(&o, h->zone_movable_start);
		seq_buf_printf(&o, "\n");
	}
	for (unsigned int i = 0; i < p->nr_ops; i++) {
		print_op(&o, p, &p->ops[i]);
		seq_buf_printf(&o, "\n");
	}
	return o.len;
}

/* ---- text: parse ---- */

struct parser {
	char *err;
	size_t errsize;
	int line;
};

static int perr(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->errsize, "line %d: ", ps->line);

	if (n < 0 || (size_t)n >= ps->errsize)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errsize - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Split line into whitespace-separated tokens (in place). */
static int tokenize(char *line, char **tok, int max)
{
	int n = 0;

	for (char *s = line; *s;) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		if (n == max)
			return -1;
		tok[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static bool parse_ul(const char *s, unsigned long *v)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return !*end && !errno;
}

/* "prefixN" with N < limit. */
static bool parse_named(const char *s, const char *prefix, unsigned long limit, unsigned long *v)
{
	size_t l = strlen(prefix);

	if (strncmp(s, prefix, l) || !isdigit((unsigned char)s[l]))
		return false;
	return parse_ul(s + l, v) && *v < limit;
}

/* "key=N" */
static bool parse_kv(const char *s, const char *key, unsigned long *v)
{
	size_t l = strlen(key);

	return !strncmp(s, key, l) && s[l] == '=' && parse_ul(s + l + 1, v);
}

static int parse_machine(struct parser *ps, char **tok, int n, struct sf_header *h,
			 unsigned int version)
{
	static const char *const keys[] = { "nodes", "cpus", "boot", "max_order", "section_shift",
					    "vmemmap_block", "memmap_together", "debug" };
	unsigned long v[8];
	unsigned int sd = 0;

	if (n != (version >= 2 ? 10 : 9))
		return perr(ps, "machine: expected %d fields (nodes= cpus= boot= max_order= "
				"section_shift= vmemmap_block= memmap_together= debug=%s)",
			    version >= 2 ? 9 : 8, version >= 2 ? " slab_debug=" : "");
	if (version >= 2) {
		if (strncmp(tok[9], "slab_debug=", 11))
			return perr(ps, "machine: expected slab_debug=NAME at '%s'", tok[9]);
		for (sd = 0; sd < SF_PROG_NR_SLAB_DEBUG; sd++)
			if (!strcmp(tok[9] + 11, sf_slab_debug_names[sd]))
				break;
		if (sd == SF_PROG_NR_SLAB_DEBUG)
			return perr(ps, "machine: slab_debug=%s not none, FZPU, FZ or PU",
				    tok[9] + 11);
	}
	for (int i = 0; i < 8; i++) {
		bool ok = i == 2 ? (!strncmp(tok[i + 1], "boot=", 5) &&
				    parse_named(tok[i + 1] + 5, "cpu", SF_PROG_MAX_CPUS, &v[i])) :
				   parse_kv(tok[i + 1], keys[i], &v[i]);

		if (!ok)
			return perr(ps, "machine: expected %s=<number> at '%s'", keys[i],
				    tok[i + 1]);
	}
	if (v[0] < 1 || v[0] > SF_PROG_MAX_NODES)
		return perr(ps, "machine: nodes=%lu out of 1..%d", v[0], SF_PROG_MAX_NODES);
	if (v[1] < 1 || v[1] > SF_PROG_MAX_CPUS)
		return perr(ps, "machine: cpus=%lu out of 1..%d", v[1], SF_PROG_MAX_CPUS);
	if (v[2] >= v[1])
		return perr(ps, "machine: boot=cpu%lu but only %lu cpus", v[2], v[1]);
	if (v[4] < 5 || v[4] > 10)
		return perr(ps, "machine: section_shift=%lu out of 5..10", v[4]);
	if (v[3] < 1 || v[3] > order_range((unsigned int)v[4]))
		return perr(ps, "machine: max_order=%lu out of 1..%u for section_shift=%lu", v[3],
			    order_range((unsigned int)v[4]), v[4]);
	if (v[5] < 1 || v[5] > 8 || (v[5] & (v[5] - 1)))
		return perr(ps, "machine: vmemmap_block=%lu not 1, 2, 4 or 8", v[5]);
	if (v[6] > 1)
		return perr(ps, "machine: memmap_together=%lu not 0 or 1", v[6]);
	if (v[7] > 3)
		return perr(ps, "machine: debug=%lu out of 0..3", v[7]);
	h->nr_nodes = (unsigned int)v[0];
	h->nr_cpus = (unsigned int)v[1];
	h->boot_cpu = (unsigned int)v[2];
	h->max_order = (unsigned int)v[3];
	h->section_shift = (unsigned int)v[4];
	h->vmemmap_block_sections = (unsigned int)v[5];
	h->memmap_together = v[6];
	h->debug_level = (int)v[7];
	h->slab_debug = sd;
	for (unsigned int a = 0; a < h->nr_nodes; a++)
		for (unsigned int b = 0; b < h->nr_nodes; b++)
			h->distance[a][b] = a == b ? 10 : 20;
	return 0;
}

static int parse_range(struct parser *ps, char **tok, int n, struct sf_header *h, pfn_t *end)
{
	unsigned long node, s, e;
	char *dash;
	struct sf_range *r;

	if (n != 3 || !parse_named(tok[1], "node", h->nr_nodes, &node))
		return perr(ps, "range: expected 'range nodeN START-END'");
	dash = strchr(tok[2], '-');
	if (!dash)
		return perr(ps, "range: expected START-END, got '%s'", tok[2]);
	*dash = '\0';
	if (!parse_ul(tok[2], &s) || !parse_ul(dash + 1, &e))
		return perr(ps, "range: bad pfn in '%s-%s'", tok[2], dash + 1);
	if (h->nr_ranges == SF_PROG_MAX_RANGES)
		return perr(ps, "range: at most %d ranges", SF_PROG_MAX_RANGES);
	if (s < *end || e <= s)
		return perr(ps, "range: %#lx-%#lx must be non-empty and above the previous range",
			    s, e);
	if ((s - *end) % SF_PROG_RANGE_UNIT || (e - s) % SF_PROG_RANGE_UNIT)
		return perr(ps, "range: bounds must be multiples of %d pages",
			    SF_PROG_RANGE_UNIT);
	if ((s - *end) / SF_PROG_RANGE_UNIT >= SF_PROG_MAX_GAP_UNITS)
		return perr(ps, "range: hole before it must be below %d pages",
			    SF_PROG_MAX_GAP_UNITS * SF_PROG_RANGE_UNIT);
	if ((e - s) / SF_PROG_RANGE_UNIT > SF_PROG_MAX_RANGE_UNITS)
		return perr(ps, "range: at most %d pages", SF_PROG_MAX_RANGE_UNITS *
							   SF_PROG_RANGE_UNIT);
	r = &h->ranges[h->nr_ranges++];
	r->node = (int)node;
	r->gap_units = (uint32_t)((s - *end) / SF_PROG_RANGE_UNIT);
	r->len_units = (uint32_t)((e - s) / SF_PROG_RANGE_UNIT);
	*end = e;
	return 0;
}

static int parse_zones(struct parser *ps, char **tok, int n, struct sf_header *h)
{
	unsigned long dma, dma32, movable = SF_MAX_PFN;
	pfn_t max = sf_prog_max_pfn(h);

	if (!h->nr_ranges)
		return perr(ps, "zones: must follow the range lines");
	if (n != 4 || !parse_kv(tok[1], "dma", &dma) || !parse_kv(tok[2], "dma32", &dma32) ||
	    (strcmp(tok[3], "movable=none") && !parse_kv(tok[3], "movable", &movable)))
		return perr(ps, "zones: expected 'zones dma=PFN dma32=PFN movable=PFN|none'");
	if (dma > max || dma32 < dma || dma32 > max)
		return perr(ps, "zones: need dma <= dma32 <= %#llx (end of memory)",
			    (unsigned long long)max);
	if (movable != SF_MAX_PFN && (movable < dma32 || movable > max))
		return perr(ps, "zones: movable must be none or in dma32..%#llx",
			    (unsigned long long)max);
	h->zone_dma_end = dma;
	h->zone_dma32_end = dma32;
	h->zone_movable_start = movable;
	return 0;
}

static int find_enum(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static int parse_op(struct parser *ps, char **tok, int n, struct sf_program *p)
{
	struct sf_op op = { .result = -1 };
	const struct sf_op_spec *s = NULL;
	int first = 0;
	char want[16] = "";

	if (n >= 3 && !strcmp(tok[1], "=")) {
		snprintf(want, sizeof(want), "%s", tok[0]);
		first = 2;
	}
	for (unsigned int c = 0; c < NR_OPCODES; c++) {
		if (!strcmp(sf_op_specs[c].name, tok[first])) {
			op.code = (uint8_t)c;
			s = &sf_op_specs[c];
			break;
		}
	}
	/* reserved27 parses too: the decoder gives it (a no-op) and it prints. */
	if (!s)
		return perr(ps, "unknown operation '%s'", tok[first]);
	if (op.code >= sf_prog_nr_opcodes(p->version))
		return perr(ps, "%s needs 'slabfuzz-program %d' (this program is version %u)",
			    s->name, op.code < SF_PROG_V3_OPCODES ? 3 : 4, p->version);
	if (s->result != HK_NONE) {
		char expect[16];

		snprintf(expect, sizeof(expect), "%c%u", handle_prefix[s->result],
			 p->nr_handles[s->result]);
		if (strcmp(want, expect))
			return perr(ps, "%s creates a handle: write '%s = %s ...'", s->name, expect,
				    s->name);
		op.result = (int32_t)p->nr_handles[s->result];
	} else if (first) {
		return perr(ps, "%s creates no handle", s->name);
	}
	if (n - first - 1 != (int)sf_op_nargs(s, p->version)) {
		unsigned int have = sf_op_nargs(s, p->version);

		if (have < s->nargs && n - first - 1 > (int)have)
			return perr(ps, "%s takes %u arguments in version %u, got %d (more need "
				    "'slabfuzz-program %u')", s->name, have, p->version,
				    n - first - 1, s->args[have].since);
		return perr(ps, "%s takes %u arguments, got %d", s->name, have, n - first - 1);
	}
	for (unsigned int j = 0; j < sf_op_nargs(s, p->version); j++) {
		const struct sf_arg_spec *a = &s->args[j];
		const char *t = tok[first + 1 + j];
		unsigned long v = 0;
		int e;
		gfp_t g;

		switch ((enum sf_arg_kind)a->kind) {
		case ARG_STAGE:
			for (v = 0; v < NR_BOOT_STAGES; v++)
				if (!strcmp(boot_stage_name((enum boot_stage)v), t))
					break;
			if (v == NR_BOOT_STAGES)
				return perr(ps, "unknown boot stage '%s'", t);
			break;
		case ARG_GFP:
			if (sf_gfp_parse(t, &g))
				return perr(ps, "bad gfp '%s'", t);
			v = g;
			break;
		case ARG_NODE:
			if (!strcmp(t, "any"))
				v = p->h.nr_nodes;
			else if (!parse_named(t, "node", p->h.nr_nodes, &v))
				return perr(ps, "bad node '%s' (node0..node%u or any)", t,
					    p->h.nr_nodes - 1);
			break;
		case ARG_CPU:
			if (!parse_named(t, "cpu", p->h.nr_cpus, &v))
				return perr(ps, "bad cpu '%s' (cpu0..cpu%u)", t, p->h.nr_cpus - 1);
			break;
		case ARG_HANDLE: {
			char pre[2] = { handle_prefix[a->handle], '\0' };

			if (!parse_named(t, pre, p->nr_handles[a->handle], &v))
				return perr(ps, "'%s' is not a %s handle defined above", t, pre);
			break;
		}
		case ARG_SP:
			for (v = 0; v < NR_SCHED_POINTS; v++)
				if (!strcmp(sched_point_name((enum sched_point)v), t))
					break;
			if (v == NR_SCHED_POINTS)
				return perr(ps, "unknown sched point '%s'", t);
			break;
		case ARG_ENUM:
			e = find_enum(a->names, t);
			if (e < 0)
				return perr(ps, "bad value '%s' for %s", t, s->name);
			v = (unsigned long)e;
			break;
		case ARG_NUM: {
			unsigned long scale = a->scale ? a->scale : 1;

			if (!parse_kv(t, a->key, &v))
				return perr(ps, "expected %s=<number>, got '%s'", a->key, t);
			if (v % scale || v / scale >= a->mod)
				return perr(ps, "%s=%lu out of range (multiple of %lu below %lu)",
					    a->key, v, scale, (unsigned long)a->mod * scale);
			v /= scale;
			break;
		}
		}
		op.arg[j] = (uint32_t)v;
	}
	if (p->nr_ops == SF_PROG_MAX_OPS)
		return perr(ps, "more than %d operations", SF_PROG_MAX_OPS);
	if (s->result != HK_NONE)
		p->nr_handles[s->result]++;
	p->ops[p->nr_ops++] = op;
	return 0;
}

int sf_prog_parse(const char *text, struct sf_program *p, char *err, size_t errsize)
{
	struct parser ps = { err, errsize, 0 };
	enum { WANT_VERSION, WANT_MACHINE, WANT_CPUS, IN_HEADER, IN_OPS } st = WANT_VERSION;
	const char *s = text;
	pfn_t end = 0;
	bool have_zones = false;
	bool dist_seen[SF_PROG_MAX_NODES][SF_PROG_MAX_NODES] = { { false } };

	memset(p, 0, offsetof(struct sf_program, ops));
	p->version = SF_PROG_VERSION;
	if (errsize)
		err[0] = '\0';
	while (*s) {
		char line[512], *tok[16];
		size_t len = strcspn(s, "\n");
		int n;

		ps.line++;
		if (len >= sizeof(line))
			return perr(&ps, "line too long");
		memcpy(line, s, len);
		line[len] = '\0';
		s += len;
		if (*s)
			s++;
		line[strcspn(line, "#")] = '\0';
		n = tokenize(line, tok, 16);
		if (n < 0)
			return perr(&ps, "too many words");
		if (n == 0)
			continue;
		if (memchr(line, '\0', len) != line + strlen(line) && 0)
			return perr(&ps, "NUL byte");
		switch (st) {
		case WANT_VERSION: {
			unsigned long v;

			if (strcmp(tok[0], "slabfuzz-program") || n != 2 || !parse_ul(tok[1], &v))
				return perr(&ps, "expected 'slabfuzz-program %d' first",
					    SF_PROG_VERSION);
			if (v < SF_PROG_MIN_VERSION || v > SF_PROG_VERSION)
				return perr(&ps,
					    "program format version %lu; this build reads %d..%d",
					    v, SF_PROG_MIN_VERSION, SF_PROG_VERSION);
			p->version = (unsigned int)v;
			st = WANT_MACHINE;
			continue;
		}
		case WANT_MACHINE:
			if (strcmp(tok[0], "machine"))
				return perr(&ps, "expected the 'machine' line");
			if (parse_machine(&ps, tok, n, &p->h, p->version))
				return -1;
			st = WANT_CPUS;
			continue;
		case WANT_CPUS:
			if (strcmp(tok[0], "cpu_nodes") || n != (int)p->h.nr_cpus + 1)
				return perr(&ps, "expected 'cpu_nodes' with %u nodes", p->h.nr_cpus);
			for (unsigned int c = 0; c < p->h.nr_cpus; c++) {
				unsigned long v;

				if (!parse_named(tok[c + 1], "node", p->h.nr_nodes, &v))
					return perr(&ps, "cpu_nodes: bad node '%s'", tok[c + 1]);
				p->h.cpu_node[c] = (int)v;
			}
			st = IN_HEADER;
			continue;
		case IN_HEADER:
			if (!strcmp(tok[0], "distance")) {
				unsigned long a, b, d;

				if (n != 4 || !parse_named(tok[1], "node", p->h.nr_nodes, &a) ||
				    !parse_named(tok[2], "node", p->h.nr_nodes, &b) ||
				    !parse_ul(tok[3], &d))
					return perr(&ps, "distance: expected 'distance nodeA nodeB D'");
				if (a >= b || d < 11 || d > 100 || dist_seen[a][b])
					return perr(&ps, "distance: need A < B, 11 <= D <= 100, once a pair");
				dist_seen[a][b] = true;
				p->h.distance[a][b] = p->h.distance[b][a] = (uint8_t)d;
				continue;
			}
			if (!strcmp(tok[0], "range")) {
				if (have_zones)
					return perr(&ps, "range after zones");
				if (parse_range(&ps, tok, n, &p->h, &end))
					return -1;
				continue;
			}
			if (!strcmp(tok[0], "zones")) {
				if (have_zones)
					return perr(&ps, "zones given twice");
				if (parse_zones(&ps, tok, n, &p->h))
					return -1;
				have_zones = true;
				st = IN_OPS;
				continue;
			}
			return perr(&ps, "expected distance, range or zones, got '%s'", tok[0]);
		case IN_OPS:
			if (parse_op(&ps, tok, n, p))
				return -1;
			continue;
		}
	}
	if (st != IN_OPS) {
		ps.line++;
		return perr(&ps, "truncated: the header ends before the 'zones' line");
	}
	return 0;
}

bool sf_prog_is_text(const uint8_t *data, size_t size)
{
	static const char magic[] = "slabfuzz-program";
	size_t i = 0;

	/* Skip comment lines and blank space. */
	while (i < size) {
		if (data[i] == '#') {
			while (i < size && data[i] != '\n')
				i++;
		} else if (isspace(data[i])) {
			i++;
		} else {
			break;
		}
	}
	return size - i >= sizeof(magic) - 1 && !memcmp(data + i, magic, sizeof(magic) - 1);
}

static int lerr(char *err, size_t errsize, const char *path, const char *what)
{
	snprintf(err, errsize, "%s: %s", path, what);
	return -1;
}

int sf_prog_load_file(const char *path, struct sf_program *p, char *err, size_t errsize)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t len = 0, cap = 4096;
	int ret = 0;

	if (!f) {
		snprintf(err, errsize, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		return lerr(err, errsize, path, "out of memory");
	}
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (len < cap)
			break;
		if (cap >= (1u << 24)) {
			free(buf);
			fclose(f);
			return lerr(err, errsize, path, "too large for a program (16 MiB)");
		}
		cap *= 2;
		{
			uint8_t *nb = realloc(buf, cap + 1);

			if (!nb) {
				free(buf);
				fclose(f);
				return lerr(err, errsize, path, "out of memory");
			}
			buf = nb;
		}
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return lerr(err, errsize, path, "read error");
	}
	fclose(f);
	if (len == 0) {
		free(buf);
		return lerr(err, errsize, path, "empty file");
	}
	buf[len] = '\0';
	if (sf_prog_is_text(buf, len)) {
		char perrbuf[256];

		if (memchr(buf, '\0', len)) {
			free(buf);
			return lerr(err, errsize, path, "text program contains a NUL byte");
		}
		if (sf_prog_parse((const char *)buf, p, perrbuf, sizeof(perrbuf))) {
			snprintf(err, errsize, "%s: %s", path, perrbuf);
			ret = -1;
		}
	} else {
		sf_prog_decode(buf, len, p);
	}
	free(buf);
	return ret;
}

void sf_prog_renumber(struct sf_program *p)
{
	static int32_t map[NR_HANDLE_KINDS][SF_PROG_MAX_OPS];
	unsigned int count[NR_HANDLE_KINDS] = { 0 };
	unsigned int out = 0;

	for (int k = 0; k < NR_HANDLE_KINDS; k++)
		for (int i = 0; i < SF_PROG_MAX_OPS; i++)
			map[k][i] = -1;
	for (unsigned int i = 0; i < p->nr_ops; i++) {
		struct sf_op op = p->ops[i];
		const struct sf_op_spec *s = &sf_op_specs[op.code];
		bool ok = true;

		for (unsigned int j = 0; j < s->nargs; j++) {
			if (s->args[j].kind != ARG_HANDLE)
				continue;
			if (op.arg[j] >= SF_PROG_MAX_OPS || map[s->args[j].handle][op.arg[j]] < 0)
				ok = false;
			else
				op.arg[j] = (uint32_t)map[s->args[j].handle][op.arg[j]];
		}
		if (!ok)
			continue;
		if (s->result != HK_NONE) {
			if (op.result >= 0 && op.result < SF_PROG_MAX_OPS)
				map[s->result][op.result] = (int32_t)count[s->result];
			op.result = (int32_t)count[s->result]++;
		}
		p->ops[out++] = op;
	}
	p->nr_ops = out;
	memcpy(p->nr_handles, count, sizeof(count));
}
