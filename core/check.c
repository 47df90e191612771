/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker of the page layer. Invariant IDs match
 * docs/architecture.md:
 *   P1 every valid pfn is in exactly one block, and all pages of a block
 *      share its state; tails are marked tail, heads not
 *   P2 every block on a free list is a buddy head of that order, aligned to
 *      it, inside one zone of one node
 *   P3 nr_free of each free_area equals its list; zone free_pages equals the
 *      pages on its free lists
 *   P4 per-cpu list entries are pcp heads of the list's order and zone;
 *      counts equal their lists; no list at or above high
 *   P5 pages in PS_ALLOCATED blocks equal nr_allocated_pages
 *   P6 memblock regions sorted, disjoint, inside memory (memblock_is_valid)
 *   P7 every vmemmap block with a present section is populated exactly once
 *      (sparse_is_valid)
 *   P8 gfp_allowed_mask is what the boot stage allows
 *   P9 zonelists: each node's fallback list holds every populated zone once,
 *      its own zones first, then nodes by non-decreasing distance (ties by
 *      id), each node's zones highest first; the no-fallback list is the
 *      node's own populated zones
 *   P10 managed_pages equals the zone's pages given to buddy (free or
 *      allocated); watermarks follow the model's formula, min <= low <= high
 *   P11 node states and cpu nodes agree with the topology and the zones
 *   P12 the memblock hand-over: after it, a page of memory is reserved
 *       exactly when a memblock reservation overlaps it (every other page
 *       went to buddy; a reservation freed late leaves its pages reserved)
 *   P13 the machine's host arena is valid (host_arena_validate: chunk
 *       headers, free lists, the live count), in full checks
 * Linear in the number of pages: cheap on machines of a few MiB.
 */
#include <stdarg.h>
#include <string.h>

#include "page_alloc.h"

/* The checker is the oracle, not a path under test: out of coverage feedback
 * (fuzzers/coverage.denylist says why). */
SF_NO_COVERAGE_BEGIN

struct check_ctx {
	struct machine *m;
	char why[256];
	bool failed;
};

static bool fail(struct check_ctx *cc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(struct check_ctx *cc, const char *fmt, ...)
{
	va_list ap;

	if (cc->failed)
		return false;
	cc->failed = true;
	va_start(ap, fmt);
	vsnprintf(cc->why, sizeof(cc->why), fmt, ap);
	va_end(ap);
	return false;
}

/* P2, P3 */
static bool check_free_lists(struct check_ctx *cc, struct zone *z)
{
	struct machine *m = cc->m;
	long pages = 0;

	for (unsigned int o = 0; o < m->max_order; o++) {
		struct free_area *area = &z->free_area[o];
		unsigned long n = 0;
		struct list_head *pos;

		list_for_each(pos, &area->free_list) {
			struct page *page = list_entry(pos, struct page, lru);
			pfn_t pfn = page->pfn;
			pfn_t last = pfn + (1ul << o) - 1;
			struct page *lp;

			if (page->state != PS_BUDDY || page->tail || page->order != o)
				return fail(cc, "P2: pfn %#llx on order-%u list of node %d %s has "
					    "state %u tail %u order %u", (unsigned long long)pfn, o,
					    z->node, z->name, page->state, page->tail, page->order);
			if (pfn & ((1ul << o) - 1))
				return fail(cc, "P2: free block pfn %#llx not aligned to order %u",
					    (unsigned long long)pfn, o);
			if (!zone_spans_pfn(z, pfn) || !zone_spans_pfn(z, last))
				return fail(cc, "P2: free block [%#llx, %#llx] outside node %d zone "
					    "%s [%#llx, %#llx)", (unsigned long long)pfn,
					    (unsigned long long)last, z->node, z->name,
					    (unsigned long long)z->zone_start_pfn,
					    (unsigned long long)z->zone_end_pfn);
			lp = pfn_to_page(m, last);
			if (page->zone != z->type || page->node != z->node || !lp ||
			    lp->zone != z->type || lp->node != z->node)
				return fail(cc, "P2: free block at pfn %#llx order %u crosses a zone "
					    "or node boundary", (unsigned long long)pfn, o);
			n++;
			if (n > z->spanned_pages)
				return fail(cc, "P3: order-%u list of %s loops", o, z->name);
		}
		if (n != area->nr_free)
			return fail(cc, "P3: node %d %s order %u: nr_free %lu, list holds %lu",
				    z->node, z->name, o, area->nr_free, n);
		pages += (long)(n << o);
	}
	if (pages != atomic_load(&z->free_pages))
		return fail(cc, "P3: node %d %s free_pages %ld, free lists hold %ld", z->node,
			    z->name, (long)atomic_load(&z->free_pages), pages);
	return true;
}

/* P4 */
static bool check_pcp(struct check_ctx *cc, struct zone *z, long *pcp_pages)
{
	if (!z->pageset)
		return true;
	for (unsigned int c = 0; c < cc->m->topo.nr_cpus; c++) {
		struct per_cpu_pages *pcp = &z->pageset[c];
		int count = 0;

		spin_lock(&pcp->lock);
		for (int o = 0; o < NR_PCP_ORDERS; o++) {
			struct list_head *pos;

			list_for_each(pos, &pcp->lists[o]) {
				struct page *page = list_entry(pos, struct page, lru);

				if (page->state != PS_PCP || page->tail || page->order != o ||
				    page->zone != z->type || page->node != z->node) {
					spin_unlock(&pcp->lock);
					return fail(cc, "P4: cpu %u %s pcp list %d holds pfn %#x "
						    "state %u order %u", c, z->name, o, page->pfn,
						    page->state, page->order);
				}
				count += 1 << o;
			}
		}
		spin_unlock(&pcp->lock);
		if (count != pcp->count)
			return fail(cc, "P4: cpu %u node %d %s pcp count %d, lists hold %d", c,
				    z->node, z->name, pcp->count, count);
		if (count >= pcp->high)
			return fail(cc, "P4: cpu %u %s pcp count %d at or above high %d", c,
				    z->name, count, pcp->high);
		*pcp_pages += count;
	}
	return true;
}

/* Pages in blocks given to buddy, per node and zone (P10). */
typedef unsigned long managed_count_t[SF_MAX_NODES][MAX_NR_ZONES];

/* The memmap of pfn's section when the section is initialised, else NULL. */
static struct page *section_map(struct machine *m, pfn_t pfn)
{
	return sparse_pfn_valid(m, pfn) ? sparse_pfn_to_page(m, pfn) : NULL;
}

/*
 * P1 under ASan: a free block's memory is poisoned (KASAN's rule: a free
 * page may not be touched), the first and last byte of each of its pages.
 */
static bool check_free_poisoned(struct check_ctx *cc, pfn_t pfn, const struct page *head)
{
	struct machine *m = cc->m;

	if ((head->state != PS_BUDDY && head->state != PS_PCP) || !kasan_shadow_size(PAGE_SIZE))
		return true;
	for (unsigned long i = 0; i < 1ul << head->order; i++) {
		const uint8_t *b = m->mem_base + PFN_PHYS(pfn + i);

		if (!kasan_is_poisoned(b) || !kasan_is_poisoned(b + PAGE_SIZE - 1))
			return fail(cc, "P1: free pfn %#llx (block at %#llx order %u) is not poisoned",
				    (unsigned long long)(pfn + i), (unsigned long long)pfn,
				    head->order);
	}
	return true;
}

/*
 * P1 for one block at pfn (its head): the block lies inside the chunk
 * ending at chunk_end and its pages share its state. Tails inside the
 * section are read from the section's memmap (map: its first page, first:
 * its first pfn), past it through pfn_to_page.
 */
static bool check_block(struct check_ctx *cc, const struct page *map, pfn_t first, pfn_t pfn,
			pfn_t chunk_end)
{
	struct machine *m = cc->m;
	const struct page *head = map + (pfn - first);
	pfn_t section_end = first + ((pfn_t)1 << m->sparse.section_shift);
	unsigned long nr;

	if (head->pfn != pfn)
		return fail(cc, "P1: struct page of pfn %#llx says pfn %#x",
			    (unsigned long long)pfn, head->pfn);
	if (head->tail)
		return fail(cc, "P1: pfn %#llx is a tail outside any block (state %u)",
			    (unsigned long long)pfn, head->state);
	if (head->state == PS_UNINIT)
		return fail(cc, "P1: pfn %#llx never initialised", (unsigned long long)pfn);
	if (head->state == PS_RESERVED && head->order)
		return fail(cc, "P1: reserved pfn %#llx has order %u", (unsigned long long)pfn,
			    head->order);
	if (head->order >= m->max_order || pfn + (1ul << head->order) > chunk_end)
		return fail(cc, "P1: block at pfn %#llx of order %u crosses a MAX_ORDER block",
			    (unsigned long long)pfn, head->order);
	nr = 1ul << head->order;
	if ((head->state == PS_ALLOCATED) !=
	    (atomic_load_explicit(&head->refcount, memory_order_relaxed) > 0))
		return fail(cc, "P1: pfn %#llx state %u with refcount %d", (unsigned long long)pfn,
			    head->state, atomic_load_explicit(&head->refcount, memory_order_relaxed));
	for (unsigned long i = 1; i < nr; i++) {
		const struct page *p = pfn + i < section_end ? head + i : pfn_to_page(m, pfn + i);

		if (!p || !p->tail || p->state != head->state)
			return fail(cc, "P1: pfn %#llx in block at %#llx order %u: tail %u "
				    "state %u (head state %u)", (unsigned long long)(pfn + i),
				    (unsigned long long)pfn, head->order, p ? p->tail : 0,
				    p ? p->state : 0, head->state);
		if (head->state != PS_BUDDY && p->head_offset != i)
			return fail(cc, "P1: tail pfn %#llx head_offset %u, expected %lu",
				    (unsigned long long)(pfn + i), p->head_offset, i);
	}
	return check_free_poisoned(cc, pfn, head);
}

/*
 * P1, P5 over one chunk of the memmap, block by block, section by section
 * (a section's memmap looked up once): the pages in free and allocated
 * states into the view, and with managed the pages given to buddy per node
 * and zone (P10).
 */
static bool check_chunk(struct check_ctx *cc, unsigned int c, managed_count_t managed)
{
	struct machine *m = cc->m;
	struct check_state *cs = &m->check;
	unsigned int shift = m->sparse.section_shift;
	pfn_t pfn = (pfn_t)c << m->marks.chunk_shift;
	pfn_t end = pfn + ((pfn_t)1 << m->marks.chunk_shift);
	uint32_t free_pages = 0, allocated = 0;

	if (end > m->max_pfn)
		end = m->max_pfn;
	while (pfn < end) {
		pfn_t first = pfn >> shift << shift;
		pfn_t stop = first + ((pfn_t)1 << shift);
		const struct page *map = section_map(m, pfn);

		if (stop > end)
			stop = end;
		if (!map) {
			pfn = stop;
			continue;
		}
		map -= pfn - first;
		while (pfn < stop) {
			const struct page *head = map + (pfn - first);
			unsigned long nr;

			if (!check_block(cc, map, first, pfn, end))
				return false;
			nr = 1ul << head->order;
			if (head->state == PS_BUDDY || head->state == PS_PCP)
				free_pages += (uint32_t)nr;
			else if (head->state == PS_ALLOCATED)
				allocated += (uint32_t)nr;
			if (managed && head->state != PS_RESERVED && head->node < SF_MAX_NODES &&
			    head->zone < MAX_NR_ZONES)
				managed[head->node][head->zone] += nr;
			pfn += nr;
		}
	}
	cs->free[c] = free_pages;
	cs->allocated[c] = allocated;
	return true;
}

/* P1, P5: the chunks of the view (every chunk when full), then the totals
 * of every chunk, those not read this time as the last check counted them. */
static bool check_page_states(struct check_ctx *cc, const struct check_view *v,
			      long *free_pages, long *allocated, managed_count_t managed)
{
	struct machine *m = cc->m;
	struct check_state *cs = &m->check;

	for (unsigned int c = 0; c < m->marks.nr_chunks; c++) {
		if (v->dirty[c] && !check_chunk(cc, c, managed))
			return false;
		*free_pages += cs->free[c];
		*allocated += cs->allocated[c];
	}
	return true;
}

/* P8 */
static bool check_gfp_mask(struct check_ctx *cc)
{
	struct machine *m = cc->m;
	gfp_t want = m->stage >= STAGE_IRQS_ON ? (gfp_t)__GFP_BITS_MASK : (gfp_t)GFP_BOOT_MASK;
	gfp_t have = machine_gfp_allowed_mask(m);

	if (have != want)
		return fail(cc, "P8: stage %s has gfp_allowed_mask %#x, the stage allows %#x",
			    boot_stage_name(m->stage), (unsigned int)have, (unsigned int)want);
	return true;
}

/*
 * The checker's own answer to "nearest node in state st to nid": least
 * distance, ties by id; -1 if none.
 */
int check_nearest_node(struct machine *m, int nid, enum node_states st)
{
	unsigned int best_d = ~0u;
	int best = -1;

	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		unsigned int d = sf_topology_distance(&m->topo, nid, (int)n);

		if (node_state(m, (int)n, st) && d < best_d) {
			best_d = d;
			best = (int)n;
		}
	}
	return best;
}

/* P11 */
static bool check_node_states(struct check_ctx *cc)
{
	struct machine *m = cc->m;
	const struct sf_topology *t = &m->topo;
	uint32_t all = (uint32_t)((1ull << t->nr_nodes) - 1), mem = 0, normal = 0, cpu = 0;
	static const char *const names[NR_NODE_STATES] = {
		[N_POSSIBLE] = "N_POSSIBLE", [N_ONLINE] = "N_ONLINE", [N_MEMORY] = "N_MEMORY",
		[N_NORMAL_MEMORY] = "N_NORMAL_MEMORY", [N_CPU] = "N_CPU",
	};
	uint32_t want[NR_NODE_STATES];

	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		mem |= 1u << t->ranges[i].node;
		if (t->ranges[i].start_pfn < t->zone_movable_start)
			normal |= 1u << t->ranges[i].node;
	}
	for (unsigned int c = 0; c < t->nr_cpus; c++)
		cpu |= 1u << t->cpu_node[c];
	want[N_POSSIBLE] = want[N_ONLINE] = all;
	want[N_MEMORY] = mem;
	want[N_NORMAL_MEMORY] = normal;
	want[N_CPU] = cpu;
	for (int s = 0; s < NR_NODE_STATES; s++)
		if (m->node_states[s] != want[s])
			return fail(cc, "P11: %s is %#x, the topology says %#x", names[s],
				    m->node_states[s], want[s]);
	for (unsigned int n = 0; n < t->nr_nodes && m->stage >= STAGE_SPARSE; n++) {
		struct pglist_data *pgdat = NODE_DATA(m, (int)n);
		unsigned long present = 0;
		bool has_mem = false, has_normal = false;

		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &pgdat->node_zones[zt];

			present += z->present_pages;
			has_mem |= populated_zone(z);
			has_normal |= populated_zone(z) && zt <= ZONE_NORMAL;
		}
		if (has_mem != node_state(m, (int)n, N_MEMORY) ||
		    has_normal != node_state(m, (int)n, N_NORMAL_MEMORY))
			return fail(cc, "P11: node %u: N_MEMORY %d N_NORMAL_MEMORY %d, its zones say "
				    "%d %d", n, node_state(m, (int)n, N_MEMORY),
				    node_state(m, (int)n, N_NORMAL_MEMORY), has_mem, has_normal);
		if (present != pgdat->node_present_pages)
			return fail(cc, "P11: node %u present pages %lu, its zones hold %lu", n,
				    pgdat->node_present_pages, present);
	}
	for (unsigned int n = 0; n < t->nr_nodes; n++)
		if (m->nodes[n].nearest_mem_node != check_nearest_node(m, (int)n, N_MEMORY))
			return fail(cc, "P11: node %u nearest node with memory %d, expected %d", n,
				    m->nodes[n].nearest_mem_node, check_nearest_node(m, (int)n, N_MEMORY));
	for (unsigned int c = 0; c < t->nr_cpus; c++) {
		struct cpu *pc = &m->cpus[c];

		if (pc->node != t->cpu_node[c] ||
		    pc->mem_node != check_nearest_node(m, t->cpu_node[c], N_MEMORY))
			return fail(cc, "P11: cpu %u on node %d (topology %d) allocates from node %d, "
				    "expected %d", c, pc->node, t->cpu_node[c], pc->mem_node,
				    check_nearest_node(m, t->cpu_node[c], N_MEMORY));
	}
	return true;
}

/* P9: one node's two zonelists. */
static bool check_zonelists(struct check_ctx *cc, int nid, unsigned int populated)
{
	struct machine *m = cc->m;
	const struct zonelist *fb = &NODE_DATA(m, nid)->node_zonelists[ZONELIST_FALLBACK];
	const struct zonelist *nofb = &NODE_DATA(m, nid)->node_zonelists[ZONELIST_NOFALLBACK];
	bool seen[SF_MAX_NODES][MAX_NR_ZONES] = { { false } };
	unsigned int i, j = 0, prev_d = 0;
	int prev_node = -1, prev_type = MAX_NR_ZONES;

	for (i = 0; i <= MAX_ZONES_PER_ZONELIST && fb->zones[i].zone; i++) {
		const struct zone *z = fb->zones[i].zone;
		unsigned int d;

		if (i == MAX_ZONES_PER_ZONELIST || z->node < 0 ||
		    (unsigned int)z->node >= m->topo.nr_nodes || (unsigned int)z->type >= MAX_NR_ZONES ||
		    z != &m->nodes[z->node].node_zones[z->type])
			return fail(cc, "P9: node %d fallback zonelist entry %u is not a zone", nid, i);
		if (!populated_zone(z))
			return fail(cc, "P9: node %d fallback zonelist entry %u is node %d %s, which "
				    "has no memory", nid, i, z->node, z->name);
		if (seen[z->node][z->type])
			return fail(cc, "P9: node %d fallback zonelist holds node %d %s twice", nid,
				    z->node, z->name);
		seen[z->node][z->type] = true;
		d = sf_topology_distance(&m->topo, nid, z->node);
		if (i == 0 && node_state(m, nid, N_MEMORY) && z->node != nid)
			return fail(cc, "P9: node %d has memory but its fallback zonelist starts "
				    "with node %d", nid, z->node);
		if (z->node != prev_node) {
			if (prev_node >= 0 && (d < prev_d || (d == prev_d && z->node < prev_node)))
				return fail(cc, "P9: node %d fallback zonelist: node %d (distance %u) "
					    "after node %d (distance %u)", nid, z->node, d,
					    prev_node, prev_d);
		} else if ((int)z->type >= prev_type) {
			return fail(cc, "P9: node %d fallback zonelist: node %d %s after %s", nid,
				    z->node, z->name, zone_type_name((enum zone_type)prev_type));
		}
		prev_node = z->node;
		prev_d = d;
		prev_type = (int)z->type;
	}
	if (i != populated)
		return fail(cc, "P9: node %d fallback zonelist holds %u zones of %u populated", nid,
			    i, populated);
	for (int zt = MAX_NR_ZONES - 1; zt >= 0; zt--) {
		const struct zone *z = &m->nodes[nid].node_zones[zt];

		if (!populated_zone(z))
			continue;
		if (nofb->zones[j].zone != z)
			return fail(cc, "P9: node %d no-fallback zonelist entry %u is not its %s", nid,
				    j, z->name);
		j++;
	}
	if (nofb->zones[j].zone)
		return fail(cc, "P9: node %d no-fallback zonelist has an entry past its own zones",
			    nid);
	return true;
}

/* P10 */
static bool check_watermarks(struct check_ctx *cc, struct zone *z, const unsigned long *counted)
{
	unsigned long min = z->managed_pages / 128;
	unsigned long managed = counted ? *counted : z->managed_pages;
	const unsigned long *wm = z->watermark;

	if (managed != z->managed_pages || z->managed_pages > z->present_pages ||
	    z->present_pages > z->spanned_pages)
		return fail(cc, "P10: node %d %s managed %lu (pages given to buddy %lu), present "
			    "%lu, spanned %lu", z->node, z->name, z->managed_pages, managed,
			    z->present_pages, z->spanned_pages);
	if (min < 4 && z->managed_pages >= 64)
		min = 4;
	if (wm[WMARK_MIN] > wm[WMARK_LOW] || wm[WMARK_LOW] > wm[WMARK_HIGH] ||
	    wm[WMARK_MIN] != min || wm[WMARK_LOW] != min + min / 4 ||
	    wm[WMARK_HIGH] != min + min / 2)
		return fail(cc, "P10: node %d %s watermarks min %lu low %lu high %lu, managed %lu "
			    "gives %lu %lu %lu", z->node, z->name, wm[WMARK_MIN], wm[WMARK_LOW],
			    wm[WMARK_HIGH], z->managed_pages, min, min + min / 4, min + min / 2);
	return true;
}

/* P12 */
static bool check_handover(struct check_ctx *cc)
{
	struct machine *m = cc->m;
	const struct memblock *mb = &m->memblock;
	const struct memblock_type *rsv = &mb->reserved;
	unsigned int j = 0;

	if (!mb->retired)
		return fail(cc, "P12: buddy is up but memblock is not retired");
	for (unsigned int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		pfn_t end = PHYS_PFN(r->base + r->size);

		/* Block by block: the pages of a block share its state (P1). */
		for (pfn_t pfn = PHYS_PFN(r->base + PAGE_SIZE - 1); pfn < end;) {
			uint64_t lo = PFN_PHYS(pfn);
			const struct page *page = pfn_to_page(m, pfn);
			pfn_t nr;
			bool reserved;

			if (!page)
				return fail(cc, "P12: memory pfn %#llx has no struct page",
					    (unsigned long long)pfn);
			nr = page->state == PS_RESERVED || page->tail ? 1 : (pfn_t)1 << page->order;
			if (nr > end - pfn)
				nr = end - pfn;
			while (j < rsv->cnt && rsv->regions[j].base + rsv->regions[j].size <= lo)
				j++;
			reserved = j < rsv->cnt && rsv->regions[j].base < PFN_PHYS(pfn + nr);
			if (reserved != (page->state == PS_RESERVED) &&
			    (reserved || !mb->freed_late))
				return fail(cc, "P12: pfn %#llx is %s a memblock reservation but in "
					    "state %u", (unsigned long long)pfn,
					    reserved ? "in" : "outside", page->state);
			pfn += nr;
		}
	}
	return true;
}

/* P9, P10; managed: the pages counted in blocks given to buddy, or NULL
 * (not counted: the incremental check). */
static bool check_zones_setup(struct check_ctx *cc, managed_count_t managed)
{
	struct machine *m = cc->m;
	unsigned int populated = 0;

	for (unsigned int n = 0; n < m->topo.nr_nodes; n++)
		for (int zt = 0; zt < MAX_NR_ZONES; zt++)
			populated += populated_zone(&m->nodes[n].node_zones[zt]);
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		if (!check_zonelists(cc, (int)n, populated))
			return false;
		for (int zt = 0; zt < MAX_NR_ZONES; zt++)
			if (!check_watermarks(cc, &m->nodes[n].node_zones[zt],
					      managed ? &managed[n][zt] : NULL))
				return false;
	}
	return true;
}

static void check_report(struct check_ctx *cc)
{
	struct report_ctx ctx = REPORT_CTX_NONE("check_page_layer");

	report(cc->m, SF_REPORT_BUG, "BUG: page allocator invariant broken", &ctx, "%s\n",
	       cc->why);
}

/*
 * The page layer over view v. An incremental view reads the struct pages
 * of its dirty chunks only and leaves out what does not change after boot
 * or costs a walk of every pfn: P7 (sparse), the managed-pages count of P10
 * and P12 (the hand-over). Everything else is checked whole.
 */
static bool check_page_layer_view(struct machine *m, const struct check_view *v)
{
	struct check_ctx cc = { .m = m };
	long list_pages = 0, pcp_pages = 0, state_free = 0, allocated = 0;
	managed_count_t managed = { { 0 } };

	if (!v->incremental && host_arena_check(m->arena, cc.why + 5, sizeof(cc.why) - 5)) {
		memcpy(cc.why, "P13: ", 5);
		cc.failed = true;
		goto out;
	}
	if (!check_gfp_mask(&cc) || !check_node_states(&cc))
		goto out;
	if (!memblock_is_valid(m, cc.why + 4, sizeof(cc.why) - 4)) {
		memcpy(cc.why, "P6: ", 4);
		cc.failed = true;
		goto out;
	}
	if (m->stage < STAGE_SPARSE)
		return true;
	if (!v->incremental && !sparse_is_valid(m, cc.why + 4, sizeof(cc.why) - 4)) {
		memcpy(cc.why, "P7: ", 4);
		cc.failed = true;
		goto out;
	}
	if (m->stage < STAGE_BUDDY)
		return true;
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[n].node_zones[zt];

			if (!populated_zone(z))
				continue;
			spin_lock(&z->lock);
			check_free_lists(&cc, z);
			list_pages += atomic_load(&z->free_pages);
			spin_unlock(&z->lock);
			if (cc.failed || !check_pcp(&cc, z, &pcp_pages))
				goto out;
		}
	}
	if (!check_page_states(&cc, v, &state_free, &allocated, v->incremental ? NULL : managed))
		goto out;
	if (state_free != list_pages + pcp_pages) {
		fail(&cc, "P1: %ld pages in free states, lists hold %ld (buddy %ld + pcp %ld)",
		     state_free, list_pages + pcp_pages, list_pages, pcp_pages);
		goto out;
	}
	if (allocated != atomic_load(&m->nr_allocated_pages)) {
		fail(&cc, "P5: %ld pages in allocated blocks, nr_allocated_pages %ld", allocated,
		     (long)atomic_load(&m->nr_allocated_pages));
		goto out;
	}
	if (check_zones_setup(&cc, v->incremental ? NULL : managed) && !v->incremental)
		check_handover(&cc);
out:
	if (cc.failed)
		check_report(&cc);
	return !cc.failed;
}

/* A full view: every chunk, the change counts as they are now. */
static void view_full(struct machine *m, struct check_view *v)
{
	v->incremental = false;
	for (unsigned int c = 0; c < MEMMAP_MAX_CHUNKS; c++) {
		v->now[c] = atomic_load_explicit(&m->marks.changes[c], memory_order_relaxed);
		v->dirty[c] = true;
	}
}

/* After the check of v: what it saw is the view for the next one. */
static void view_done(struct machine *m, const struct check_view *v, bool ok)
{
	struct check_state *cs = &m->check;

	if (!ok) {
		cs->valid = false;
		return;
	}
	memcpy(cs->seen, v->now, sizeof(cs->seen));
	if (v->incremental) {
		cs->since_full++;
		cs->incremental_checks++;
		return;
	}
	cs->valid = true;
	cs->stage = m->stage;
	cs->since_full = 0;
	cs->full_checks++;
}

bool check_page_layer(struct machine *m)
{
	struct check_view v;
	bool ok;

	view_full(m, &v);
	ok = check_page_layer_view(m, &v);
	/* The slab layer's view is not refreshed: the next check is full. */
	m->check.valid = false;
	return ok;
}

static bool check_machine_view(struct machine *m, const struct check_view *v)
{
	if (!check_page_layer_view(m, v))
		return false;
	if (m->stage >= STAGE_SLAB_PARTIAL)
		return check_slab_layer_view(m, v);
	return true;
}

bool check_machine(struct machine *m)
{
	struct check_view v;
	bool ok;

	view_full(m, &v);
	ok = check_machine_view(m, &v);
	view_done(m, &v, ok);
	return ok;
}

bool check_machine_incremental(struct machine *m, unsigned int full_every)
{
	struct check_state *cs = &m->check;
	struct check_view v;
	bool ok;

	/* The boot stages after slab_up change nothing the marks miss: the
	 * gfp mask, interrupts, cpus online with their per-cpu lists (P4, P8
	 * are checked whole every time). */
	if (!cs->valid || (cs->stage != m->stage && cs->stage < STAGE_SLAB_UP) ||
	    cs->since_full >= full_every)
		return check_machine(m);
	v.incremental = true;
	for (unsigned int c = 0; c < MEMMAP_MAX_CHUNKS; c++) {
		v.now[c] = atomic_load_explicit(&m->marks.changes[c], memory_order_relaxed);
		v.dirty[c] = v.now[c] != cs->seen[c];
	}
	ok = check_machine_view(m, &v);
	view_done(m, &v, ok);
	return ok;
}

void check_stats(struct machine *m, unsigned long *full, unsigned long *incremental)
{
	*full = m->check.full_checks;
	*incremental = m->check.incremental_checks;
}

SF_NO_COVERAGE_END
