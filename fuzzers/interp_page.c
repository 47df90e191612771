/* SPDX-License-Identifier: MIT */
/*
 * Page-layer operations of the interpreter: the buddy allocator (all its
 * APIs, misuse ops), memblock and pfn walks of the memmap, against the
 * shadow model of owned pages. The interpreter core reaches them through
 * page_module (interp_internal.h) only.
 */
#include <stdio.h>
#include <string.h>

#include "interp_internal.h"

/* The harness's own reading of the zone modifiers, on purpose not the core's
 * gfp_zone(): an oracle must not reuse the code it checks. */
static int gfp_zone_of(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	if (gfp & __GFP_MOVABLE)
		return ZONE_MOVABLE;
	return ZONE_NORMAL;
}

/* ---- the harness's own view of free memory ---- */

/*
 * From the page states of the memmap (pfn_page_state), never from the free
 * lists or counters: a zone's free pages, and whether it holds an aligned
 * run of 2^order free pages (what a correct buddy has merged into a block).
 */
struct zone_view {
	long present;		/* pfns of the zone with memory (topology) */
	long managed;		/* given to buddy: free or allocated */
	long free;		/* SF_PAGE_BUDDY + SF_PAGE_PCP */
	long buddy;		/* SF_PAGE_BUDDY */
	bool block;		/* aligned 2^order run: buddy pages (+ pcp when drained) */
};

#define RUN_STATES_CHUNK 256

/* The index of the range of node nid with the lowest start above after
 * (-1: none): the node's ranges in pfn order, whatever the topology's. */
static int next_range_of(const struct run *r, int nid, pfn_t after, bool first)
{
	int best = -1;

	for (unsigned int i = 0; i < r->topo.nr_ranges; i++) {
		const struct sf_mem_range *rg = &r->topo.ranges[i];

		if (rg->node != nid || (!first && rg->start_pfn <= after))
			continue;
		if (best < 0 || rg->start_pfn < r->topo.ranges[best].start_pfn)
			best = (int)i;
	}
	return best;
}

static void zone_view_of(struct run *r, int nid, enum zone_type zt, unsigned int order,
			 bool drained, struct zone_view *v)
{
	uint8_t states[RUN_STATES_CHUNK];
	unsigned long nr = 1ul << order, run = 0;
	pfn_t lo, hi, last = 0;
	bool first = true;

	memset(v, 0, sizeof(*v));
	run_zone_bounds(r, zt, &lo, &hi);
	/* The node's ranges in pfn order: a block may span two that touch. */
	for (int i = next_range_of(r, nid, 0, true); i >= 0;
	     i = next_range_of(r, nid, r->topo.ranges[i].start_pfn, false)) {
		const struct sf_mem_range *rg = &r->topo.ranges[i];
		pfn_t start = rg->start_pfn > lo ? rg->start_pfn : lo;
		pfn_t end = rg->end_pfn < hi ? rg->end_pfn : hi;

		if (start >= end)
			continue;
		if (first || start != last)
			run = 0;
		first = false;
		last = end;
		for (pfn_t pfn = start; pfn < end; pfn++) {
			enum sf_page_state st;
			bool ok;

			/* The states of the range a chunk at a time. */
			if (pfn == start || !(pfn & (RUN_STATES_CHUNK - 1))) {
				pfn_t to = (pfn | (RUN_STATES_CHUNK - 1)) + 1;

				pfn_page_states(r->m, pfn, to < end ? to : end,
						states + (pfn & (RUN_STATES_CHUNK - 1)));
			}
			v->present++;
			st = (enum sf_page_state)states[pfn & (RUN_STATES_CHUNK - 1)];
			v->buddy += st == SF_PAGE_BUDDY;
			v->managed += st == SF_PAGE_BUDDY || st == SF_PAGE_PCP ||
				      st == SF_PAGE_ALLOCATED;
			ok = st == SF_PAGE_BUDDY || (drained && st == SF_PAGE_PCP);
			/* Pages on per-cpu lists count toward no watermark (as
			 * NR_FREE_PAGES), unless the lists are drained first. */
			v->free += ok;
			if (!ok)
				run = 0;
			else if (!(pfn & (nr - 1)))
				run = 1;
			else if (run)
				run++;
			if (run == nr)
				v->block = true;
		}
	}
}

/* Pages of node nid in zone zt that are in a free block on a zone free list. */
static long zone_buddy_pages(struct run *r, int nid, enum zone_type zt)
{
	struct zone_view v;

	zone_view_of(r, nid, zt, 0, false, &v);
	return v.buddy;
}

void page_check_buddyinfo(struct run *r, const char *text)
{
	bool seen[SF_MAX_NODES][MAX_NR_ZONES] = { { false } };
	const char *line = text;

	while (*line) {
		unsigned int nid, zt, o;
		char name[16];
		long pages = 0, want;
		int used;
		const char *p;

		if (sscanf(line, "Node %u, zone %15s %n", &nid, name, &used) != 2 ||
		    nid >= r->topo.nr_nodes)
			run_fail(r, "HARNESS: buddyinfo differs from the memmap",
				 "a line not of a node of the topology: %.80s", line);
		for (zt = 0; zt < MAX_NR_ZONES; zt++)
			if (!strcmp(name, zone_type_name((enum zone_type)zt)))
				break;
		if (zt == MAX_NR_ZONES || seen[nid][zt])
			run_fail(r, "HARNESS: buddyinfo differs from the memmap",
				 "zone '%s' of node %u unknown or twice", name, nid);
		seen[nid][zt] = true;
		p = line + used;
		for (o = 0; o < r->topo.max_order; o++) {
			unsigned long nr;
			int n;

			if (sscanf(p, "%lu %n", &nr, &n) != 1)
				run_fail(r, "HARNESS: buddyinfo differs from the memmap",
					 "node %u zone %s: %u counts for %u orders", nid, name, o,
					 r->topo.max_order);
			pages += (long)(nr << o);
			p += n;
		}
		want = zone_buddy_pages(r, (int)nid, (enum zone_type)zt);
		if (pages != want)
			run_fail(r, "HARNESS: buddyinfo differs from the memmap",
				 "node %u zone %s: the free lists hold %ld pages, the memmap %ld "
				 "pages in free blocks", nid, name, pages, want);
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	for (unsigned int n = 0; n < r->topo.nr_nodes; n++)
		for (int zt = 0; zt < MAX_NR_ZONES; zt++)
			if (!seen[n][zt] && zone_buddy_pages(r, (int)n, (enum zone_type)zt))
				run_fail(r, "HARNESS: buddyinfo differs from the memmap",
					 "node %u zone %s: free blocks in the memmap, no line", n,
					 zone_type_name((enum zone_type)zt));
}

void page_memmap_count(struct run *r, long *allocated, long *free_pages)
{
	uint8_t states[RUN_STATES_CHUNK];
	long count[NR_SF_PAGE_STATES] = { 0 };

	for (unsigned int i = 0; i < r->topo.nr_ranges; i++) {
		const struct sf_mem_range *rg = &r->topo.ranges[i];

		for (pfn_t pfn = rg->start_pfn; pfn < rg->end_pfn; pfn += RUN_STATES_CHUNK) {
			pfn_t n = rg->end_pfn - pfn < RUN_STATES_CHUNK ? rg->end_pfn - pfn :
									 RUN_STATES_CHUNK;

			pfn_page_states(r->m, pfn, pfn + n, states);
			for (pfn_t j = 0; j < n; j++)
				count[states[j]]++;
		}
	}
	*allocated = count[SF_PAGE_ALLOCATED];
	*free_pages = count[SF_PAGE_BUDDY] + count[SF_PAGE_PCP];
}

/* The model's min watermark of a zone of managed pages, exactly (the core
 * scales it to 1/128 of them, at least 4 from 64 pages on); of its present
 * pages, an upper bound (managed <= present). */
static long wmark_min(long pages)
{
	long min = pages / 128;

	if (min < 4 && pages >= 64)
		min = 4;
	return min;
}

/* ... and its low watermark, 5/4 of min. */
static long wmark_low(long pages)
{
	long min = wmark_min(pages);

	return min + min / 4;
}

/* The lowest min watermark gfp may use in a zone of managed pages (the
 * model's formula, exactly): halved for __GFP_HIGH, less a quarter when
 * the caller cannot block (ALLOC_HARDER). */
static long min_watermark_floor(long managed, gfp_t eff)
{
	long min = wmark_min(managed);

	if (eff & __GFP_HIGH)
		min -= min / 2;
	if (!(eff & __GFP_DIRECT_RECLAIM) && !(eff & __GFP_NOMEMALLOC))
		min -= min / 4;
	return min;
}

/* The node of the current cpu (the topology's, not cpu_to_node). */
#define NID_CPU (-2)

/* Nodes the zonelist of the request may start from: the node asked (or
 * the cpu's, NID_CPU), else (SF_NO_NODE) the nearest nodes with memory to
 * the cpu's node, as cpu_to_mem picks one of them. */
static uint32_t preferred_nodes(struct run *r, int nid)
{
	const struct sf_topology *t = &r->topo;
	unsigned int best = ~0u;
	uint32_t mask = 0, mem = 0;
	int from = t->cpu_node[smp_processor_id(r->m)];

	if (nid >= 0)
		return 1u << nid;
	if (nid == NID_CPU)
		return 1u << from;
	for (unsigned int i = 0; i < t->nr_ranges; i++)
		mem |= 1u << t->ranges[i].node;
	for (unsigned int n = 0; n < t->nr_nodes; n++) {
		unsigned int d = sf_topology_distance(t, from, (int)n);

		if (!((mem >> n) & 1))
			continue;
		if (d < best) {
			best = d;
			mask = 0;
		}
		if (d == best)
			mask |= 1u << n;
	}
	return mask;
}

/* Does the zonelist of every node in pref start with that node's zones
 * (every other node strictly farther than its own distance)? */
static bool preferred_is_nearest(struct run *r, uint32_t pref)
{
	for (unsigned int n = 0; n < r->topo.nr_nodes; n++) {
		if (!((pref >> n) & 1))
			continue;
		for (unsigned int o = 0; o < r->topo.nr_nodes; o++)
			if (o != n && sf_topology_distance(&r->topo, (int)n, (int)o) <=
					      sf_topology_distance(&r->topo, (int)n, (int)n))
				return false;
	}
	return true;
}

/* The watermark a free block must clear for must_find. */
enum wm_rule {
	WM_LOW,		/* the fast path: an upper bound of the low watermark */
	WM_MIN,		/* the slow path's first try: the exact min for the gfp */
	WM_NOFAIL,	/* __GFP_NOFAIL: per-cpu lists drained, no watermark */
};

/*
 * Must a correct allocator find memory for (eff, order) on these nodes?
 * A free block in an eligible zone whose free pages stay at or above the
 * rule's watermark. Writes the zone it found into why.
 */
static bool free_block_on(struct run *r, uint32_t nodes, gfp_t eff, unsigned int order,
			  enum wm_rule rule, char *why, size_t len)
{
	bool nofail = rule == WM_NOFAIL;

	int highest = gfp_zone_of(eff);

	for (unsigned int n = 0; n < r->topo.nr_nodes; n++) {
		if (!((nodes >> n) & 1))
			continue;
		for (int zt = 0; zt <= highest; zt++) {
			struct zone_view v;

			zone_view_of(r, (int)n, (enum zone_type)zt, order, nofail, &v);
			if (!v.block)
				continue;
			if (rule == WM_LOW && v.free - (1l << order) < wmark_low(v.present))
				continue;
			if (rule == WM_MIN &&
			    v.free - (1l << order) < min_watermark_floor(v.managed, eff))
				continue;
			snprintf(why, len, "node %u zone %s: %ld free pages of %ld, an order-%u block",
				 n, zone_type_name((enum zone_type)zt), v.free, v.present, order);
			return true;
		}
	}
	return false;
}

/* Nodes the allocation may take memory from: with __GFP_THISNODE only the
 * zonelist's own node (every candidate must have it), else any node. */
static bool must_find(struct run *r, gfp_t eff, unsigned int order, int nid, enum wm_rule rule,
		      char *why, size_t len)
{
	uint32_t pref = preferred_nodes(r, nid);

	if (!pref)
		return false;
	if (!(eff & __GFP_THISNODE))
		return free_block_on(r, (1u << r->topo.nr_nodes) - 1, eff, order, rule, why, len);
	for (unsigned int n = 0; n < r->topo.nr_nodes; n++)
		if (((pref >> n) & 1) && !free_block_on(r, 1u << n, eff, order, rule, why, len))
			return false;
	return true;
}

/*
 * A page allocation returned NULL (a valid request). Findings: without
 * __GFP_NOFAIL and with fault injection off, when the harness sees memory
 * a correct allocator must have found; the "impossible" WARN without
 * __GFP_NOFAIL, or while a block exists for it.
 */
static void page_null(struct run *r, gfp_t gfp, unsigned int order, int nid, const char *name)
{
	gfp_t eff = gfp & machine_gfp_allowed_mask(r->m);
	bool impossible = run_seen(r, "WARNING: __GFP_NOFAIL allocation impossible") != 0;
	char why[160];

	if (impossible && !(gfp & __GFP_NOFAIL))
		run_fail(r, "HARNESS: __GFP_NOFAIL impossible WARN without __GFP_NOFAIL",
			 "%s gfp %#x order %u", name, gfp, order);
	/* Inside an injected interrupt a block may be in transit: no claim. */
	if (r->in_hook)
		return;
	if (impossible && must_find(r, eff, order, nid, WM_NOFAIL, why, sizeof(why)))
		run_fail(r, "HARNESS: __GFP_NOFAIL allocation impossible with a free block",
			 "%s gfp %#x order %u: %s", name, gfp, order, why);
	if (!(gfp & __GFP_NOFAIL) && !r->fail_page_on &&
	    must_find(r, eff, order, nid, WM_MIN, why, sizeof(why)))
		run_fail(r, "HARNESS: page allocation failed with free memory",
			 "%s gfp %#x order %u: %s", name, gfp, order, why);
}

/* ---- the fast path and the slow path ---- */

/*
 * Does a valid page allocation enter the slow path (its sched point
 * SP_ALLOC_PAGES_SLOWPATH, passed once as it starts)? The fast path tries
 * each zone of the zonelist the gfp may use at the zone's low watermark
 * with no reserve flag: a zone whose free (buddy) pages stay at or above
 * its low watermark (the model's, of its managed pages) after the block,
 * and that holds a free block of the order (buddy pages; an empty per-cpu
 * list refills from them), serves it. From the memmap before the call:
 *   SLOW_NO   a zone of the list has both, or the list has no zone the gfp
 *             may use (then nothing is tried at all);
 *   SLOW_YES  it has such zones and none passes the watermark with a free
 *             run of the order, of buddy or per-cpu pages;
 *   otherwise (a run only with per-cpu pages: this cpu's list of the order
 *   may hold it or not) no prediction. Exact unless an injected interrupt
 *   came into the call or fault injection failed it (before the fast path).
 */
enum slow_want { SLOW_UNKNOWN, SLOW_NO, SLOW_YES };

struct zone_pages {
	long present, managed, buddy, pcp;
};

/* Every node's zones, from the memmap view (read again where it changed). */
static void zone_pages_all(struct run *r, struct zone_pages zp[SF_MAX_NODES][MAX_NR_ZONES])
{
	memset(zp, 0, sizeof(zp[0]) * SF_MAX_NODES);
	memmap_view_refresh(r);
	for (unsigned int i = 0; i < r->memmap.nr; i++) {
		const struct memmap_segment *s = &r->memmap.seg[i];
		struct zone_pages *z = &zp[s->node][s->zone];

		z->present += (long)(s->hi - s->lo);
		z->buddy += s->count[SF_PAGE_BUDDY];
		z->pcp += s->count[SF_PAGE_PCP];
		z->managed += (long)s->count[SF_PAGE_BUDDY] + s->count[SF_PAGE_PCP] +
			      s->count[SF_PAGE_ALLOCATED];
	}
}

/* A free aligned run of 2^order pages in node nid's zone zt (buddy pages;
 * with_pcp: per-cpu ones too). The counts decide most requests, a segment
 * wholly free many others, a walk of the zone the rest. */
static bool zone_has_run(struct run *r, int nid, int zt, const struct zone_pages *z,
			 unsigned int order, bool with_pcp)
{
	pfn_t need = (pfn_t)1 << order;
	struct zone_view v;

	if (z->buddy + (with_pcp ? z->pcp : 0) < (long)need)
		return false;
	if (!order)
		return true;
	for (unsigned int i = 0; i < r->memmap.nr; i++) {
		const struct memmap_segment *s = &r->memmap.seg[i];
		pfn_t start = (s->lo + need - 1) & ~(need - 1);
		long free = (long)s->count[SF_PAGE_BUDDY] + (with_pcp ? s->count[SF_PAGE_PCP] : 0);

		if (s->node == nid && s->zone == zt && free == (long)(s->hi - s->lo) &&
		    start + need <= s->hi)
			return true;
	}
	zone_view_of(r, nid, (enum zone_type)zt, order, with_pcp, &v);
	return v.block;
}

/* The prediction for a zonelist of the zones of nodes up to highest. */
static enum slow_want slow_on(struct run *r, struct zone_pages zp[SF_MAX_NODES][MAX_NR_ZONES],
			      uint32_t nodes, int highest, unsigned int order)
{
	bool any = false, maybe = false;

	for (unsigned int n = 0; n < r->topo.nr_nodes; n++) {
		if (!((nodes >> n) & 1))
			continue;
		for (int zt = 0; zt <= highest; zt++) {
			const struct zone_pages *z = &zp[n][zt];

			if (!z->present)
				continue;	/* in no zonelist */
			any = true;
			if (z->buddy - (1l << order) < wmark_low(z->managed))
				continue;
			if (zone_has_run(r, (int)n, zt, z, order, false))
				return SLOW_NO;
			maybe |= zone_has_run(r, (int)n, zt, z, order, true);
		}
	}
	return !any ? SLOW_NO : maybe ? SLOW_UNKNOWN : SLOW_YES;
}

/* nid as for preferred_nodes; eff the gfp after the stage's mask. */
static enum slow_want slow_predict(struct run *r, gfp_t eff, unsigned int order, int nid)
{
	struct zone_pages zp[SF_MAX_NODES][MAX_NR_ZONES];
	uint32_t pref;
	enum slow_want want = SLOW_UNKNOWN;
	bool first = true;

	if (r->in_hook || machine_stage(r->m) < STAGE_BUDDY)
		return SLOW_UNKNOWN;
	pref = preferred_nodes(r, nid);
	if (!pref)
		return SLOW_UNKNOWN;
	zone_pages_all(r, zp);
	/* Every fallback zonelist holds every populated zone (P9). */
	if (!(eff & __GFP_THISNODE))
		return slow_on(r, zp, (1u << r->topo.nr_nodes) - 1, gfp_zone_of(eff), order);
	for (unsigned int n = 0; n < r->topo.nr_nodes; n++) {
		enum slow_want w;

		if (!((pref >> n) & 1))
			continue;
		w = slow_on(r, zp, 1u << n, gfp_zone_of(eff), order);
		if (!first && w != want)
			return SLOW_UNKNOWN;
		want = w;
		first = false;
	}
	return want;
}

/* After the call, the other checks of its result done: the slow path's
 * sched point passed as predicted. n: the times the call passed it; irq:
 * an injected interrupt came into the call (its allocations count, it may
 * free). */
static void slow_check(struct run *r, enum slow_want want, unsigned long n, bool irq,
		       gfp_t gfp, unsigned int order, bool got, const char *op)
{
	if (irq || r->in_hook)
		return;
	if (want == SLOW_NO && n)
		run_fail(r, "HARNESS: page allocation took the slow path with memory for the fast path",
			 "%s gfp %#x order %u: a zone of its zonelist has a free block above "
			 "its low watermark (or none may serve it), yet %s passed", op, gfp, order,
			 sched_point_name(SP_ALLOC_PAGES_SLOWPATH));
	/* fail_page_alloc fails a request before the fast path */
	if (want == SLOW_YES && !n && (got || !r->fail_page_on || (gfp & __GFP_NOFAIL)))
		run_fail(r, "HARNESS: page allocation skipped the slow path",
			 "%s gfp %#x order %u: no zone of its zonelist has a free block above its "
			 "low watermark, yet %s was not passed (%s)", op, gfp, order,
			 sched_point_name(SP_ALLOC_PAGES_SLOWPATH), got ? "got a block" : "NULL");
}

/* ---- pages ---- */

static bool owned_test(struct run *r, pfn_t pfn)
{
	return pfn < RUN_MAX_PFN && (r->owned[pfn / 64] >> (pfn % 64)) & 1;
}

static void owned_set(struct run *r, pfn_t pfn, bool on)
{
	if (pfn >= RUN_MAX_PFN)
		return;
	if (on)
		r->owned[pfn / 64] |= 1ull << (pfn % 64);
	else
		r->owned[pfn / 64] &= ~(1ull << (pfn % 64));
}

/* The pattern of page handle h: one 64-bit word per 8 bytes of the block,
 * different for every handle and offset. */
/*
 * The other side of the watermark rule: a block handed out to a caller
 * that cannot block (no reclaim can add free pages) without
 * ALLOC_NO_WATERMARKS (__GFP_MEMALLOC without __GFP_NOMEMALLOC, or
 * __GFP_NOFAIL) must leave its zone at or above the lowest min watermark
 * its gfp may use (min_watermark_floor), from the managed and buddy pages
 * the memmap shows before the call.
 */
struct zone_count {
	long managed;		/* given to buddy: free or allocated */
	long buddy;
};

struct zone_counts {
	bool taken;
	struct zone_count z[SF_MAX_NODES][MAX_NR_ZONES];
};

static bool watermark_checked(gfp_t eff)
{
	return !(eff & (__GFP_NOFAIL | __GFP_DIRECT_RECLAIM)) &&
	       (!(eff & __GFP_MEMALLOC) || (eff & __GFP_NOMEMALLOC));
}

/* The zones up to highest only: no other may hand out the block. From the
 * memmap view, read again where the core marked a change. */
static void zone_counts_of(struct run *r, int highest, struct zone_counts *zc)
{
	memset(zc, 0, sizeof(*zc));
	zc->taken = true;
	memmap_view_refresh(r);
	for (unsigned int n = 0; n < r->topo.nr_nodes; n++) {
		for (int zt = 0; zt <= highest; zt++) {
			uint32_t count[NR_SF_PAGE_STATES];

			memmap_view_zone(r, (int)n, (enum zone_type)zt, count);
			zc->z[n][zt].managed = (long)count[SF_PAGE_BUDDY] + count[SF_PAGE_PCP] +
					       count[SF_PAGE_ALLOCATED];
			zc->z[n][zt].buddy = count[SF_PAGE_BUDDY];
		}
	}
}

static void page_watermark_check(struct run *r, const struct zone_counts *before, gfp_t gfp,
				 pfn_t pfn, unsigned int order, const char *op)
{
	gfp_t eff = gfp & machine_gfp_allowed_mask(r->m);
	int nid = run_pfn_node(r, pfn);
	enum zone_type zt = run_pfn_zone(r, pfn);
	const struct zone_count *c;
	long floor;

	if (!before->taken || !watermark_checked(eff) || nid < 0 || (int)zt > gfp_zone_of(eff))
		return;
	c = &before->z[nid][zt];
	floor = min_watermark_floor(c->managed, eff);
	if (c->buddy - (1l << order) < floor)
		run_fail(r, "HARNESS: page allocation below the min watermark",
			 "%s gfp %#x order %u from node %d zone %s: %ld free pages before, min "
			 "watermark for this gfp %ld (managed %ld)", op, gfp, order, nid,
			 zone_type_name(zt), c->buddy, floor, c->managed);
}

#define COOKIE_STEP 0x9E3779B97F4A7C15ull

static uint64_t cookie(unsigned int h, size_t word)
{
	return (0x5AB0000000000000ull ^ ((uint64_t)h << 32)) + word * COOKIE_STEP;
}

/* Blocks are page aligned: whole words. */
/*
 * Both walk a block 16 words a step, written out: the loop's compare is
 * paid once a step under the fuzzers' compare hooks, not once a word.
 */
#define PATTERN_STEP 16
#define PATTERN_4(op, k) op(k) op(k + 1) op(k + 2) op(k + 3)
#define PATTERN_16(op) PATTERN_4(op, 0) PATTERN_4(op, 4) PATTERN_4(op, 8) PATTERN_4(op, 12)
_Static_assert(SF_PAGE_SIZE % (8 * PATTERN_STEP) == 0, "a page is whole steps");

static void pattern_write(uint8_t *addr, unsigned long nr, unsigned int h)
{
	uint64_t *w = (uint64_t *)(void *)addr;
	size_t words = nr * SF_PAGE_SIZE / 8;
	uint64_t want = cookie(h, 0);

#define PATTERN_SET(k) w[i + (k)] = want + (k) * COOKIE_STEP;
	for (size_t i = 0; i < words; i += PATTERN_STEP) {
		PATTERN_16(PATTERN_SET)
		want += PATTERN_STEP * COOKIE_STEP;
	}
#undef PATTERN_SET
}

/*
 * The whole block; returns the first byte offset that differs, or -1. The
 * differences are or-ed together (no compare a word); a block that
 * differs is then searched word by word.
 */
static long pattern_bad(const uint8_t *addr, unsigned long nr, unsigned int h)
{
	const uint64_t *w = (const uint64_t *)(const void *)addr;
	size_t words = nr * SF_PAGE_SIZE / 8;
	uint64_t want = cookie(h, 0), diff = 0;

#define PATTERN_DIFF(k) diff |= w[i + (k)] ^ (want + (k) * COOKIE_STEP);
	for (size_t i = 0; i < words; i += PATTERN_STEP) {
		PATTERN_16(PATTERN_DIFF)
		want += PATTERN_STEP * COOKIE_STEP;
	}
#undef PATTERN_DIFF
	if (!diff)
		return -1;
	for (size_t i = 0; i < words; i++)
		if (w[i] != cookie(h, i))
			return (long)(i * 8);
	return -1;
}

/* Every byte (no sampling); returns the first nonzero offset, or -1. */
static long nonzero_at(const uint8_t *addr, size_t len)
{
	static const uint8_t zero[SF_PAGE_SIZE];

	for (size_t off = 0; off < len; off += sizeof(zero)) {
		size_t n = len - off < sizeof(zero) ? len - off : sizeof(zero);

		if (memcmp(addr + off, zero, n))
			for (size_t i = 0; i < n; i++)
				if (addr[off + i])
					return (long)(off + i);
	}
	return -1;
}

/*
 * The node of a new block (the topology's, not page_to_nid): with
 * __GFP_THISNODE the zonelist's node; and the preferred node whenever it
 * still has an eligible free block above the watermark (the zonelist
 * starts with its zones). nid: as for preferred_nodes.
 */
static void page_node_check(struct run *r, const struct page_h *ph, gfp_t eff, int nid,
			    const char *op)
{
	int got = run_pfn_node(r, ph->pfn);
	uint32_t pref = preferred_nodes(r, nid);
	char why[160];

	if ((pref >> got) & 1 || !pref)
		return;
	if (eff & __GFP_THISNODE)
		run_fail(r, "HARNESS: __GFP_THISNODE page from another node",
			 "%s: zonelist node mask %#x, got pfn %#llx on node %d", op, pref,
			 (unsigned long long)ph->pfn, got);
	if (r->in_hook || ph->kind == PH_EXACT || !preferred_is_nearest(r, pref))
		return;
	if (must_find(r, eff | __GFP_THISNODE, ph->order, nid, WM_LOW, why, sizeof(why)))
		run_fail(r, "HARNESS: page from another node while the preferred node has free memory",
			 "%s: pfn %#llx on node %d; %s", op, (unsigned long long)ph->pfn, got, why);
}

/* A new block from the page allocator: check it against the model and own it. */
static SF_NO_COVERAGE void page_got(struct run *r, unsigned int h, struct page_h *ph, gfp_t gfp, int nid,
		     const char *op)
{
	struct machine *m = r->m;
	gfp_t eff = gfp & machine_gfp_allowed_mask(m);
	struct page *page = ph->page;
	pfn_t pfn = page_to_pfn(m, page);
	uint8_t *addr = page_address(m, page);
	int zone = (int)page_zonenum(m, page);

	ph->pfn = pfn;
	if (ph->kind != PH_EXACT && pfn & ((1ul << ph->order) - 1))
		run_fail(r, "HARNESS: page block misaligned", "%s: pfn %#llx order %u", op,
			 (unsigned long long)pfn, ph->order);
	if (ph->addr && ph->addr != addr)
		run_fail(r, "HARNESS: page address mismatch", "%s: address %p, page_address %p",
			 op, ph->addr, (void *)addr);
	if (zone != (int)run_pfn_zone(r, pfn) || (int)run_pfn_zone(r, pfn) > gfp_zone_of(eff))
		run_fail(r, "HARNESS: page from a zone the gfp does not allow",
			 "%s: pfn %#llx in zone %s, gfp %#x allows up to %s", op,
			 (unsigned long long)pfn, zone_type_name((enum zone_type)zone), gfp,
			 zone_type_name((enum zone_type)gfp_zone_of(eff)));
	for (unsigned long i = 0; i < ph->nr; i++) {
		if (pfn + i >= r->topo.ranges[r->topo.nr_ranges - 1].end_pfn ||
		    !pfn_valid(m, pfn + i))
			run_fail(r, "HARNESS: page outside memory", "%s: pfn %#llx", op,
				 (unsigned long long)(pfn + i));
		if (owned_test(r, pfn + i))
			run_fail(r, "HARNESS: page handed out twice",
				 "%s: pfn %#llx is already owned by a live allocation", op,
				 (unsigned long long)(pfn + i));
	}
	page_struct_check(r, ph, eff, op);
	if (eff & __GFP_ZERO) {
		long bad = nonzero_at(addr, ph->nr * SF_PAGE_SIZE);

		if (bad >= 0)
			run_fail(r, "HARNESS: __GFP_ZERO page not zeroed",
				 "%s: pfn %#llx order %u, byte %ld is %#x", op,
				 (unsigned long long)pfn, ph->order, bad, addr[bad]);
	}
	page_node_check(r, ph, eff, nid, op);
	for (unsigned long i = 0; i < ph->nr; i++)
		owned_set(r, pfn + i, true);
	shadow_claim(r, addr, ph->nr * SF_PAGE_SIZE, SH_PAGES, (int)h, op);
	pattern_write(addr, ph->nr, h);
	ph->addr = addr;
	ph->live = true;
	r->live_pages += (long)ph->nr;
}

/*
 * A valid page allocation's failure reports name the node whose zonelist
 * it used (the one asked, the cpu's, or for SF_NO_NODE one of the nearest
 * with memory) and no zone.
 */
static void page_expect_where(struct run *r, int nid)
{
	uint32_t nodes = preferred_nodes(r, nid);

	run_expect_at(r, "WARNING: __GFP_NOFAIL allocation impossible", nodes, -1);
	run_expect_at(r, "INFO: page allocation failure", nodes, -1);
}

static void page_alloc_op(struct run *r, const struct sf_op *op, gfp_t gfp, unsigned int order,
			  int nid_arg)
{
	struct machine *m = r->m;
	struct page_h *ph = &r->pages[op->result];
	bool invalid = run_expect_alloc(r, gfp, false);
	int nid = NID_CPU;	/* the zonelist's node, for preferred_nodes */
	const char *name = sf_op_specs[op->code].name;

	struct zone_counts before;
	bool irq_armed = r->inj.armed, irq_in;
	gfp_t eff = gfp & machine_gfp_allowed_mask(m);
	enum slow_want slow;
	unsigned long slow_passed;

	before.taken = false;
	if (watermark_checked(eff) && !r->in_hook && machine_stage(m) >= STAGE_BUDDY)
		zone_counts_of(r, gfp_zone_of(eff), &before);
	memset(ph, 0, sizeof(*ph));
	if (order >= r->topo.max_order) {
		if (!(gfp & __GFP_NOWARN) && !invalid)
			run_expect(r, "WARNING: page allocation order too large");
		invalid = true;
	}
	if (machine_stage(m) < STAGE_BUDDY && !invalid) {
		run_expect(r, "WARNING: page allocation before buddy allocator is up");
		invalid = true;
	}
	ph->order = order;
	ph->nr = 1ul << order;
	if (op->code == OP_ALLOC_PAGES_NODE)
		nid = nid_arg;
	if (!invalid)
		page_expect_where(r, nid);
	slow = invalid ? SLOW_UNKNOWN : slow_predict(r, eff, order, nid);
	slow_passed = sched_point_hits(m, SP_ALLOC_PAGES_SLOWPATH);
	switch (op->code) {
	case OP_ALLOC_PAGES_NODE:
		ph->kind = PH_PAGES;
		ph->page = alloc_pages_node(m, nid, gfp, order);
		break;
	case OP_GET_FREE_PAGES:
	case OP_GET_ZEROED_PAGE:
		ph->kind = PH_ADDR;
		ph->addr = (void *)(uintptr_t)(op->code == OP_GET_ZEROED_PAGE ?
						       get_zeroed_page(m, gfp) :
						       __get_free_pages(m, gfp, order));
		ph->page = ph->addr ? virt_to_page(m, ph->addr) : NULL;
		nid = NID_CPU;
		break;
	default:
		ph->kind = PH_PAGES;
		ph->page = alloc_pages(m, gfp, order);
		nid = NID_CPU;
		break;
	}
	slow_passed = sched_point_hits(m, SP_ALLOC_PAGES_SLOWPATH) - slow_passed;
	irq_in = irq_armed && !r->inj.armed;
	if (r->o->test_page_result) {
		ph->page = r->o->test_page_result(m, ph->page, r->o->test_arg);
		if (ph->kind == PH_ADDR)
			ph->addr = ph->page ? page_address(m, ph->page) : NULL;
	}
	run_after_call(r);
	if (invalid) {
		if (ph->page)
			run_fail(r, "HARNESS: invalid page allocation succeeded",
				 "%s gfp %#x order %u", name, gfp, order);
		for (unsigned int i = 0; i < r->nr_expect; i++)
			if (strcmp(r->expect[i], "WARNING: __GFP_NOFAIL allocation impossible") &&
			    strcmp(r->expect[i], "BUG: sleeping function called from invalid context") &&
			    !r->expect_seen[i])
				run_fail(r, "HARNESS: invalid page allocation not reported",
					 "%s gfp %#x order %u: expected '%s'", name, gfp, order,
					 r->expect[i]);
		run_expect_clear(r);
		return;
	}
	/* A valid request passed might_sleep(): blocking from atomic context
	 * (the harness's own record of the context) must have been reported. */
	for (unsigned int i = 0; ph->page && i < r->nr_expect; i++)
		if (!strcmp(r->expect[i], "BUG: sleeping function called from invalid context") &&
		    !r->expect_seen[i])
			run_fail(r, "HARNESS: blocking allocation from atomic context not reported",
				 "%s gfp %#x order %u", name, gfp, order);
	if (!ph->page) {
		if ((gfp & __GFP_NOFAIL) && !run_seen(r, "WARNING: __GFP_NOFAIL allocation impossible"))
			run_fail(r, "HARNESS: __GFP_NOFAIL allocation returned NULL",
				 "%s gfp %#x order %u", name, gfp, order);
		page_null(r, gfp, order, nid, name);
		run_expect_clear(r);
		slow_check(r, slow, slow_passed, irq_in, gfp, order, false, name);
		return;
	}
	run_expect_clear(r);
	page_got(r, (unsigned int)op->result, ph, gfp, nid, name);
	/* An interrupt injected into the call may have freed pages. */
	if (!r->in_hook && !irq_in)
		page_watermark_check(r, &before, gfp, ph->pfn, order, name);
	slow_check(r, slow, slow_passed, irq_in, gfp, order, true, name);
}

/*
 * alloc_pages_exact past the largest block any machine may have (2^(the
 * order limit - 1) pages, types.h) returns NULL and reports nothing, with
 * any gfp at any stage: the op asks the size it names past that limit too
 * (the size argument cannot reach it).
 */
static void page_exact_beyond(struct run *r, gfp_t gfp, size_t size)
{
	size_t limit = (size_t)SF_PAGE_SIZE << (SF_MAX_ORDER_LIMIT - 1);
	void *p;

	run_expect_clear(r);
	p = alloc_pages_exact(r->m, limit + 1 + size, gfp);
	run_after_call(r);
	if (r->o->test_exact_beyond)
		p = r->o->test_exact_beyond(r->m, p);
	if (p)
		run_fail(r, "HARNESS: page allocation past the largest order succeeded",
			 "alloc_pages_exact size %zu (the limit %zu) gfp %#x returned %p",
			 limit + 1 + size, limit, gfp, p);
}

static void page_exact_op(struct run *r, const struct sf_op *op, gfp_t gfp, size_t size)
{
	struct machine *m = r->m;
	struct page_h *ph = &r->pages[op->result];
	bool invalid, valid, armed = r->inj.armed;
	unsigned int order = 0;
	enum slow_want slow;
	unsigned long slow_passed;

	page_exact_beyond(r, gfp, size);
	invalid = run_expect_alloc(r, gfp, false);

	memset(ph, 0, sizeof(*ph));
	while (((size_t)SF_PAGE_SIZE << order) < size)
		order++;
	if (size && order >= r->topo.max_order && order < SF_MAX_ORDER_LIMIT && !invalid) {
		if (!(gfp & __GFP_NOWARN))
			run_expect(r, "WARNING: page allocation order too large");
		invalid = true;
	}
	if (size && machine_stage(m) < STAGE_BUDDY && !invalid) {
		run_expect(r, "WARNING: page allocation before buddy allocator is up");
		invalid = true;
	}
	if (!invalid)
		page_expect_where(r, NID_CPU);
	valid = size && !invalid && order < SF_MAX_ORDER_LIMIT;
	slow = valid ? slow_predict(r, gfp & machine_gfp_allowed_mask(m), order, NID_CPU) :
		       SLOW_UNKNOWN;
	slow_passed = sched_point_hits(m, SP_ALLOC_PAGES_SLOWPATH);
	ph->kind = PH_EXACT;
	ph->size = size;
	ph->nr = (size + SF_PAGE_SIZE - 1) / SF_PAGE_SIZE;
	ph->addr = alloc_pages_exact(m, size, gfp);
	slow_passed = sched_point_hits(m, SP_ALLOC_PAGES_SLOWPATH) - slow_passed;
	run_after_call(r);
	if (!ph->addr) {
		if (size && !invalid && order < r->topo.max_order && (gfp & __GFP_NOFAIL) &&
		    !run_seen(r, "WARNING: __GFP_NOFAIL allocation impossible"))
			run_fail(r, "HARNESS: __GFP_NOFAIL allocation returned NULL",
				 "alloc_pages_exact size %zu gfp %#x", size, gfp);
		if (size && !invalid)
			page_null(r, gfp, order, NID_CPU, "alloc_pages_exact");
		run_expect_clear(r);
		if (valid)
			slow_check(r, slow, slow_passed, armed && !r->inj.armed, gfp, order, false,
				   "alloc_pages_exact");
		return;
	}
	run_expect_clear(r);
	if (invalid || !size)
		run_fail(r, "HARNESS: invalid page allocation succeeded",
			 "alloc_pages_exact size %zu gfp %#x", size, gfp);
	ph->page = virt_to_page(m, ph->addr);
	if (!ph->page)
		run_fail(r, "HARNESS: page outside memory", "alloc_pages_exact returned %p",
			 ph->addr);
	page_got(r, (unsigned int)op->result, ph, gfp, NID_CPU, "alloc_pages_exact");
	slow_check(r, slow, slow_passed, armed && !r->inj.armed, gfp, order, true,
		   "alloc_pages_exact");
}

static SF_NO_COVERAGE void page_pattern_check(struct run *r, unsigned int h, const char *when)
{
	const struct page_h *ph = &r->pages[h];
	long bad = pattern_bad(ph->addr, ph->nr, h);

	if (bad >= 0)
		run_fail(r, "HARNESS: page contents changed while allocated",
			 "p%u at %s: pfn %#llx, %lu pages, byte %ld", h, when,
			 (unsigned long long)ph->pfn, ph->nr, bad);
}

/* Give a live page handle back (pattern checked). */
static void page_release(struct run *r, unsigned int h)
{
	struct page_h *ph = &r->pages[h];

	if (!ph->live)
		return;
	page_pattern_check(r, h, "free");
	ph->live = false;
	shadow_release(r, ph->addr, SH_PAGES, (int)h);
	r->live_pages -= (long)ph->nr;
	for (unsigned long i = 0; i < ph->nr; i++)
		owned_set(r, ph->pfn + i, false);
	run_expect_clear(r);
	switch ((enum page_h_kind)ph->kind) {
	case PH_PAGES:
		__free_pages(r->m, ph->page, ph->order);
		break;
	case PH_ADDR:
		free_pages(r->m, (unsigned long)(uintptr_t)ph->addr, ph->order);
		break;
	case PH_EXACT:
		free_pages_exact(r->m, ph->addr, ph->size);
		break;
	}
	run_after_call(r);
}

static void misuse_op(struct run *r, const struct sf_op *op)
{
	unsigned int h = op->arg[0];
	struct page_h *ph = &r->pages[h];
	struct injected saved = r->inj;

	if (!ph->live || r->in_hook)
		return;
	/* No injected interrupt may reuse the page between the two frees. */
	r->inj.armed = false;
	if (op->code == OP_DOUBLE_FREE) {
		page_release(r, h);
		run_expect(r, "BUG: Page already free");
		if (ph->kind == PH_PAGES)
			__free_pages(r->m, ph->page, ph->order);
		else
			free_pages(r->m, (unsigned long)(uintptr_t)ph->addr, ph->kind == PH_ADDR ?
									     ph->order : 0);
		run_after_call(r);
		if (!run_seen(r, "BUG: Page already free"))
			run_fail(r, "HARNESS: double free not reported", "p%u pfn %#llx", h,
				 (unsigned long long)ph->pfn);
	} else if (ph->kind != PH_EXACT && op->arg[1] != ph->order) {
		run_expect(r, "BUG: Freeing page with wrong order");
		__free_pages(r->m, ph->page, op->arg[1]);
		run_after_call(r);
		if (!run_seen(r, "BUG: Freeing page with wrong order"))
			run_fail(r, "HARNESS: free with wrong order not reported",
				 "p%u order %u freed as %u", h, ph->order, op->arg[1]);
	}
	run_expect_clear(r);
	r->inj = saved;
}

/* Frees the allocator must refuse, each with its report; nothing the
 * program owns changes (the pattern checks see to that). */
static void misuse_expect(struct run *r, const char *title, const char *what)
{
	run_after_call(r);
	if (!run_seen(r, title))
		run_fail(r, "HARNESS: misuse not reported", "%s: expected '%s'", what, title);
	run_expect_clear(r);
}

/* A tail page of a live block of order >= 1. */
static bool op_free_tail(struct run *r, const struct sf_op *op)
{
	struct page_h *ph = &r->pages[op->arg[0]];

	if (!ph->live || ph->kind == PH_EXACT || !ph->order || r->in_hook)
		return false;
	run_expect_clear(r);
	run_expect(r, "BUG: Freeing tail page");
	__free_pages(r->m, pfn_to_page(r->m, ph->pfn + 1), 0);
	misuse_expect(r, "BUG: Freeing tail page", "free of a tail page");
	return true;
}

/* The first page from pfn `from` on (wrapping) the memmap shows reserved:
 * boot memory (memmap, per-cpu pagesets), never given to buddy. */
static bool op_free_reserved(struct run *r, const struct sf_op *op)
{
	pfn_t max = sf_prog_max_pfn(&r->p->h);

	if (machine_stage(r->m) < STAGE_BUDDY || !max || r->in_hook)
		return false;
	for (pfn_t i = 0; i < max; i++) {
		pfn_t pfn = (op->arg[0] + i) % max;

		if (pfn_page_state(r->m, pfn) != SF_PAGE_RESERVED)
			continue;
		run_expect_clear(r);
		run_expect(r, "BUG: Freeing reserved page");
		__free_pages(r->m, pfn_to_page(r->m, pfn), 0);
		misuse_expect(r, "BUG: Freeing reserved page", "free of a reserved page");
		return true;
	}
	return false;
}

/* An address, or a struct page, that is not the machine's. */
/*
 * A struct page pointer that is not one: FOREIGN_INTERIOR bytes into the
 * struct page of a pfn whose next pfn shares its section (the bytes a
 * struct page's worth on stay inside the section's memmap), still aligned.
 * NULL when no range has such a pfn.
 */
#define FOREIGN_INTERIOR 16

static struct page *foreign_interior(struct run *r)
{
	pfn_t mask = ((pfn_t)1 << r->topo.section_shift) - 1;

	for (unsigned int i = 0; i < r->topo.nr_ranges; i++) {
		const struct sf_mem_range *mr = &r->topo.ranges[i];

		for (pfn_t pfn = mr->start_pfn; pfn + 1 < mr->end_pfn && pfn <= mr->start_pfn + 1;
		     pfn++) {
			struct page *page = (pfn + 1) & mask ? pfn_to_page(r->m, pfn) : NULL;

			if (page)
				return (struct page *)(void *)((uint8_t *)page + FOREIGN_INTERIOR);
		}
	}
	return NULL;
}

/* Memory the allocators do not own given to them: a host address to
 * free_pages, a host buffer as a struct page to __free_pages, a host buffer
 * to memblock_free, a pointer inside a struct page to __free_pages. */
static bool op_free_foreign(struct run *r, const struct sf_op *op)
{
	static uint64_t not_a_page[64];
	const char *title = op->arg[0] == 2 ? "WARNING: memblock_free of unreserved memory" :
					      "BUG: Bad page address";
	struct page *inside = op->arg[0] == 3 ? foreign_interior(r) : NULL;

	if (machine_stage(r->m) < STAGE_BUDDY || r->in_hook || (op->arg[0] == 3 && !inside))
		return false;
	run_expect_clear(r);
	/* None of them is memory of the machine: no pfn, no node, no zone. */
	run_expect_pfn(r, title, RUN_PFN_NONE);
	if (op->arg[0] == 0)
		free_pages(r->m, (unsigned long)(uintptr_t)not_a_page, 0);
	else if (op->arg[0] == 1)
		__free_pages(r->m, (struct page *)not_a_page, 0);
	else if (op->arg[0] == 2)
		memblock_free(r->m, not_a_page, sizeof(not_a_page));
	else
		__free_pages(r->m, inside, 0);
	misuse_expect(r, title, op->arg[0] == 2 ? "memblock_free" :
				op->arg[0] ? "__free_pages" : "free_pages");
	return true;
}

/* ---- memblock ---- */

static void memblock_op(struct run *r, const struct sf_op *op)
{
	struct machine *m = r->m;
	struct mb_h *mh = &r->mbs[op->result];
	int nid = op->arg[0] >= r->topo.nr_nodes ? SF_NO_NODE : (int)op->arg[0];
	size_t size = op->arg[1];
	bool after = machine_stage(m) >= STAGE_BUDDY;

	memset(mh, 0, sizeof(*mh));
	run_expect_clear(r);
	if (after)
		run_expect(r, "WARNING: memblock allocation after buddy is up");
	mh->ptr = nid == SF_NO_NODE ? memblock_alloc(m, size, 8) :
				      memblock_alloc_node(m, size, 8, nid);
	run_after_call(r);
	if (after && (!run_seen(r, "WARNING: memblock allocation after buddy is up") || mh->ptr))
		run_fail(r, "HARNESS: memblock allocation after buddy not refused",
			 "memblock_alloc size %zu returned %p", size, (void *)mh->ptr);
	run_expect_clear(r);
	if (!mh->ptr)
		return;
	/* virt_addr_valid needs the memmap: only from STAGE_SPARSE on. */
	if (!size || (uintptr_t)mh->ptr % 8 ||
	    (machine_stage(m) >= STAGE_SPARSE &&
	     (!virt_addr_valid(m, mh->ptr) || !virt_addr_valid(m, mh->ptr + size - 1))))
		run_fail(r, "HARNESS: memblock allocation outside memory", "%p size %zu",
			 (void *)mh->ptr, size);
	if (nonzero_at(mh->ptr, size) >= 0)
		run_fail(r, "HARNESS: memblock allocation not zeroed", "%p size %zu, byte %ld",
			 (void *)mh->ptr, size, nonzero_at(mh->ptr, size));
	shadow_claim(r, mh->ptr, size, SH_MEMBLOCK, op->result, "memblock_alloc");
	memset(mh->ptr, 0xa5 ^ (op->result & 0xff), size);
	mh->size = size;
	mh->live = true;
}

static SF_NO_COVERAGE void memblock_pattern_check(struct run *r, unsigned int h)
{
	const struct mb_h *mh = &r->mbs[h];

	uint8_t want[256];

	memset(want, 0xa5 ^ (h & 0xff), sizeof(want));
	for (size_t off = 0; off < mh->size; off += sizeof(want)) {
		size_t n = mh->size - off < sizeof(want) ? mh->size - off : sizeof(want);

		if (!memcmp(mh->ptr + off, want, n))
			continue;
		for (size_t i = off; i < off + n; i++)
			if (mh->ptr[i] != want[0])
				run_fail(r, "HARNESS: memblock contents changed", "m%u offset %zu", h,
					 i);
	}
}

/* Pages of node nid's memory ranges in [lo, hi): the topology alone. */
static unsigned long range_pages(const struct sf_topology *t, int nid, pfn_t lo, pfn_t hi)
{
	unsigned long n = 0;

	for (unsigned int k = 0; k < t->nr_ranges; k++) {
		pfn_t s = t->ranges[k].start_pfn > lo ? t->ranges[k].start_pfn : lo;
		pfn_t e = t->ranges[k].end_pfn < hi ? t->ranges[k].end_pfn : hi;

		if (t->ranges[k].node == nid && s < e)
			n += e - s;
	}
	return n;
}

/*
 * free_area_init reports each populated zone whose span (its node's span,
 * first to last pfn of the node's ranges, cut to the zone's boundaries)
 * starts or ends off a MAX_ORDER block: exactly one INFO for each such zone
 * among the reports delivered, from sparse on.
 */
static void page_check_alignment_infos(struct run *r)
{
	static const char title[] = "INFO: zone boundary not MAX_ORDER aligned";
	const struct sf_topology *t = &r->topo;
	pfn_t align = (pfn_t)1 << (t->max_order - 1);
	unsigned long want = 0, seen;
	unsigned int i;

	if (machine_stage(r->m) < STAGE_SPARSE)
		return;
	for (i = 0; i < r->nr_titles && strcmp(r->titles[i].title, title); i++)
		;
	if (i == RUN_MAX_TITLES)
		return;		/* the harness stopped counting new titles */
	seen = i < r->nr_titles ? r->titles[i].n : 0;
	for (unsigned int n = 0; n < t->nr_nodes; n++) {
		pfn_t ns, ne;

		run_node_span(t, (int)n, &ns, &ne);
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			pfn_t lo, hi;

			run_zone_bounds(r, (enum zone_type)zt, &lo, &hi);
			lo = lo > ns ? lo : ns;
			hi = hi < ne ? hi : ne;
			if (lo >= hi)
				continue;
			want += range_pages(t, (int)n, lo, hi) &&
				((lo & (align - 1)) || (hi & (align - 1)));
		}
	}
	if (seen != want)
		run_fail(r, "HARNESS: zone alignment INFO differs from the topology",
			 "'%s' reported %lu times; the topology has %lu zones off a %llu-page "
			 "block", title, seen, want, (unsigned long long)align);
}

static SF_NO_COVERAGE void page_check_point(struct run *r)
{
	page_check_alignment_infos(r);
	for (unsigned int h = 0; h < r->p->nr_handles[HK_PAGE] + 8 && h < SF_PROG_MAX_OPS; h++)
		if (r->pages[h].live)
			page_pattern_check(r, h, "check");
	for (unsigned int h = 0; h < r->p->nr_handles[HK_MEMBLOCK]; h++)
		if (r->mbs[h].live)
			memblock_pattern_check(r, h);
}

/* Also after buddy is up (a late free: memblock forgets the reservation,
 * its pages stay reserved, check_machine's P12 exempts them). */
static void memblock_release_h(struct run *r, unsigned int h)
{
	struct mb_h *mh = &r->mbs[h];

	if (!mh->live)
		return;
	memblock_pattern_check(r, h);
	mh->live = false;
	shadow_release(r, mh->ptr, SH_MEMBLOCK, (int)h);
	run_expect_clear(r);
	memblock_free(r->m, mh->ptr, mh->size);
	run_after_call(r);
}

/* ---- sparse: pfn walk ---- */

static void pfn_walk_op(struct run *r, pfn_t start, unsigned int count)
{
	struct machine *m = r->m;
	pfn_t max = sf_prog_max_pfn(&r->p->h);
	bool sparse_up = machine_stage(m) >= STAGE_SPARSE;

	start %= max + 64;
	for (pfn_t pfn = start; pfn < start + count; pfn++) {
		bool valid = pfn_valid(m, pfn);
		int nid = run_pfn_node(r, pfn);
		struct page *page;

		if (!sparse_up && valid)
			run_fail(r, "HARNESS: pfn_valid before sparse init", "pfn %#llx",
				 (unsigned long long)pfn);
		if (sparse_up && nid >= 0 && !valid)
			run_fail(r, "HARNESS: memory pfn not valid", "pfn %#llx node %d",
				 (unsigned long long)pfn, nid);
		if (!valid)
			continue;
		page = pfn_to_page(m, pfn);
		if (!page || page_to_pfn(m, page) != pfn)
			run_fail(r, "HARNESS: pfn_to_page/page_to_pfn disagree", "pfn %#llx",
				 (unsigned long long)pfn);
		if (virt_to_page(m, page_address(m, page)) != page)
			run_fail(r, "HARNESS: page_address/virt_to_page disagree", "pfn %#llx",
				 (unsigned long long)pfn);
		if (nid >= 0 && page_to_nid(m, page) != nid)
			run_fail(r, "HARNESS: page on the wrong node", "pfn %#llx: node %d, topology %d",
				 (unsigned long long)pfn, page_to_nid(m, page), nid);
		if (nid >= 0 && page_zonenum(m, page) != run_pfn_zone(r, pfn))
			run_fail(r, "HARNESS: page in the wrong zone", "pfn %#llx: zone %s, topology %s",
				 (unsigned long long)pfn, zone_type_name(page_zonenum(m, page)),
				 zone_type_name(run_pfn_zone(r, pfn)));
	}
}


/* ---- dispatch ---- */

static bool op_alloc_pages(struct run *r, const struct sf_op *op)
{
	page_alloc_op(r, op, op->arg[0], op->arg[1], -1);
	return true;
}

static bool op_alloc_pages_node(struct run *r, const struct sf_op *op)
{
	page_alloc_op(r, op, op->arg[1], op->arg[2],
		      op->arg[0] >= r->topo.nr_nodes ? SF_NO_NODE : (int)op->arg[0]);
	return true;
}

static bool op_alloc_pages_exact(struct run *r, const struct sf_op *op)
{
	page_exact_op(r, op, op->arg[0], op->arg[1]);
	return true;
}

static bool op_get_zeroed_page(struct run *r, const struct sf_op *op)
{
	page_alloc_op(r, op, op->arg[0] | __GFP_ZERO, 0, -1);
	return true;
}

/* Pages of node nid's zone zt on per-cpu lists (the memmap view's states). */
static long zone_pcp_pages(struct run *r, int nid, enum zone_type zt, long *present)
{
	uint32_t count[NR_SF_PAGE_STATES];

	memmap_view_refresh(r);
	memmap_view_zone(r, nid, zt, count);
	*present = 0;
	for (int st = 0; st < NR_SF_PAGE_STATES; st++)
		*present += count[st];
	return count[SF_PAGE_PCP];
}

/*
 * A free of an order-0..3 block goes to the cpu's list; one that takes the
 * list to its high mark gives back a batch (the harness's own: 1/1024 of
 * the zone's present pages, 1..31), highest orders first: at least batch
 * pages, less than batch plus the last block (at most 8 pages), and with a
 * batch of 1 one block (a power of two). drained: pages that left the
 * zone's per-cpu lists in the free, but for the block itself.
 */
static void pcp_drain_check(struct run *r, long drained, long present, const char *what,
			    unsigned long drain_points)
{
	long batch = present / 1024;

	batch = batch < 1 ? 1 : batch > 31 ? 31 : batch;
	if (!drained)
		return;
	if (drained < batch || drained >= batch + 8 || (batch == 1 && (drained & (drained - 1))))
		run_fail(r, "HARNESS: per-cpu list drain differs from a batch",
			 "%s: %ld pages left the per-cpu lists, batch %ld", what, drained, batch);
	/* The drain is a point where the free could be preempted
	 * (SP_PCP_DRAIN, once the list lock is dropped). */
	if (!drain_points)
		run_fail(r, "HARNESS: per-cpu list drain without its sched point",
			 "%s: %ld pages left the per-cpu lists, sched point %s not passed", what,
			 drained, sched_point_name(SP_PCP_DRAIN));
}

static bool op_free(struct run *r, const struct sf_op *op)
{
	struct page_h *ph = &r->pages[op->arg[0]];
	bool watch = ph->live && ph->kind != PH_EXACT && ph->order < 4 && !r->in_hook &&
		     run_pfn_node(r, ph->pfn) >= 0;
	bool armed = r->inj.armed;
	int nid = watch ? run_pfn_node(r, ph->pfn) : 0;
	enum zone_type zt = run_pfn_zone(r, ph->pfn);
	long before = 0, after, present, nr = (long)ph->nr;
	char what[64];

	unsigned long points = r->sched_seen[SP_PCP_DRAIN];
	unsigned long passed = sched_point_hits(r->m, SP_PCP_DRAIN);

	if (watch)
		before = zone_pcp_pages(r, nid, zt, &present);
	page_release(r, op->arg[0]);
	/* An interrupt injected into the free may have moved pages too. */
	if (!watch || (armed && !r->inj.armed))
		return true;
	after = zone_pcp_pages(r, nid, zt, &present);
	snprintf(what, sizeof(what), "free p%u order %u (node %d zone %s)", op->arg[0],
		 ph->order, nid, zone_type_name(zt));
	/* A point the core counts but the hook missed is check_sched_calls'
	 * finding (the next check point), not this one. */
	points = r->sched_seen[SP_PCP_DRAIN] - points + sched_point_hits(r->m, SP_PCP_DRAIN) -
		 passed;
	if (r->o->test_hide_pcp_drain_point)
		points = 0;
	pcp_drain_check(r, before + nr - after, present, what, points);
	return true;
}

static bool op_misuse(struct run *r, const struct sf_op *op)
{
	misuse_op(r, op);
	return true;
}

static bool op_drain_local(struct run *r, const struct sf_op *op)
{
	(void)op;
	drain_local_pages(r->m);
	return true;
}

static bool op_drain_all(struct run *r, const struct sf_op *op)
{
	(void)op;
	drain_all_pages(r->m);
	return true;
}

static bool op_memblock_alloc(struct run *r, const struct sf_op *op)
{
	memblock_op(r, op);
	return true;
}

static bool op_memblock_free(struct run *r, const struct sf_op *op)
{
	memblock_release_h(r, op->arg[0]);
	return true;
}

/* Boot memory misuse, before buddy (after it every memblock call is the
 * "after buddy" WARN): a bad alignment or node, a second free. */
static bool op_memblock_alloc_invalid(struct run *r, const struct sf_op *op)
{
	const char *title = op->arg[0] ? "WARNING: memblock allocation on invalid node" :
					 "WARNING: memblock allocation with bad alignment";
	void *p;

	if (machine_stage(r->m) >= STAGE_BUDDY || r->in_hook)
		return false;
	run_expect_clear(r);
	/* The invalid node is named as given; no node for the alignment. */
	run_expect_at(r, title, op->arg[0] ? 1u << r->topo.nr_nodes : 0, -1);
	p = op->arg[0] ? memblock_alloc_node(r->m, op->arg[1], 8, (int)r->topo.nr_nodes) :
			 memblock_alloc_node(r->m, op->arg[1], 24, SF_NO_NODE);
	if (p)
		run_fail(r, "HARNESS: invalid memblock allocation succeeded", "%s size %u: %p",
			 op->arg[0] ? "node" : "align", op->arg[1], p);
	misuse_expect(r, title, "memblock_alloc_invalid");
	return true;
}

static bool op_memblock_double_free(struct run *r, const struct sf_op *op)
{
	struct mb_h *mh = &r->mbs[op->arg[0]];

	if (!mh->live || !mh->size || machine_stage(r->m) >= STAGE_BUDDY || r->in_hook)
		return false;
	memblock_release_h(r, op->arg[0]);
	/* The range freed is memory: the report names its pfn and that pfn's node. */
	run_expect_pfn(r, "WARNING: memblock_free of unreserved memory", RUN_PFN_NODE);
	memblock_free(r->m, mh->ptr, mh->size);
	misuse_expect(r, "WARNING: memblock_free of unreserved memory", "memblock double free");
	return true;
}

static bool op_pfn_walk(struct run *r, const struct sf_op *op)
{
	pfn_walk_op(r, op->arg[0], op->arg[1]);
	return true;
}

/* irq_at / irq_free_at: arm the injected interrupt (page_irq_op runs it). */
static bool op_irq_arm(struct run *r, const struct sf_op *op)
{
	if (op->result >= 0)
		memset(&r->pages[op->result], 0, sizeof(struct page_h));
	r->inj.armed = true;
	r->inj.sp = (enum sched_point)op->arg[0];
	r->inj.code = op->code;
	r->inj.op = op;
	return true;
}

static void page_irq_op(struct run *r, const struct sf_op *op)
{
	if (op->code == OP_IRQ_AT)
		page_alloc_op(r, op, op->arg[1], op->arg[2], SF_NO_NODE);
	else if (op->code == OP_IRQ_FREE_AT)
		page_release(r, op->arg[1]);
}

static void page_cpu_workload(struct run *r)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_KERNEL | __GFP_ZERO,
				      GFP_NOWAIT | __GFP_DMA32, GFP_KERNEL | __GFP_DMA };
	struct sf_op op = { .code = OP_ALLOC_PAGES };
	unsigned int first = r->p->nr_handles[HK_PAGE];

	if (machine_stage(r->m) < STAGE_BUDDY)
		return;
	/* Handles past the program's own: the epilogue's. */
	for (unsigned int i = 0; i < 5 && first + i < SF_PROG_MAX_OPS; i++) {
		op.result = (int32_t)(first + i);
		page_alloc_op(r, &op, gfps[i] | __GFP_NOWARN, i % 3, -1);
	}
	for (unsigned int i = 0; i < 5 && first + i < SF_PROG_MAX_OPS; i++)
		page_release(r, first + i);
}

static void page_teardown(struct run *r)
{
	for (unsigned int h = 0; h < r->p->nr_handles[HK_PAGE] + 8 && h < SF_PROG_MAX_OPS; h++)
		page_release(r, h);
	for (unsigned int h = 0; h < r->p->nr_handles[HK_MEMBLOCK]; h++)
		memblock_release_h(r, h);
	if (machine_stage(r->m) >= STAGE_BUDDY)
		drain_all_pages(r->m);
}

static const op_fn page_op_table[NR_OPCODES] = {
	[OP_ALLOC_PAGES] = op_alloc_pages,
	[OP_GET_FREE_PAGES] = op_alloc_pages,
	[OP_ALLOC_PAGES_NODE] = op_alloc_pages_node,
	[OP_ALLOC_PAGES_EXACT] = op_alloc_pages_exact,
	[OP_FREE] = op_free,
	[OP_DOUBLE_FREE] = op_misuse,
	[OP_FREE_WRONG_ORDER] = op_misuse,
	[OP_DRAIN_LOCAL] = op_drain_local,
	[OP_DRAIN_ALL] = op_drain_all,
	[OP_MEMBLOCK_ALLOC] = op_memblock_alloc,
	[OP_MEMBLOCK_FREE] = op_memblock_free,
	[OP_PFN_WALK] = op_pfn_walk,
	[OP_IRQ_AT] = op_irq_arm,
	[OP_IRQ_FREE_AT] = op_irq_arm,
	[OP_GET_ZEROED_PAGE] = op_get_zeroed_page,
	[OP_FREE_TAIL] = op_free_tail,
	[OP_FREE_RESERVED] = op_free_reserved,
	[OP_FREE_FOREIGN] = op_free_foreign,
	[OP_MEMBLOCK_ALLOC_INVALID] = op_memblock_alloc_invalid,
	[OP_MEMBLOCK_DOUBLE_FREE] = op_memblock_double_free,
};

const struct interp_module page_module = {
	"page", page_op_table, page_irq_op, page_cpu_workload, page_teardown, page_check_point,
	NULL,
};

/* For the slab side (interp_slab.c): must a correct allocator find an
 * order-order block for eff from node nid's zonelist (SF_NO_NODE: the
 * cpu's nearest nodes), by the fast path's rule above? */
bool page_block_available(struct run *r, gfp_t eff, unsigned int order, int nid, char *why,
			  size_t len)
{
	return must_find(r, eff, order, nid, WM_LOW, why, len);
}
