/* SPDX-License-Identifier: MIT */
/*
 * The struct pages of a new page block against the request (white-box: it
 * reads the core's struct page, never asks the core what it should be).
 * Called by page_got (interp_page.c) for every block a page op gets.
 */
#include <string.h>

#include "interp_internal.h"
#include "internal.h"

/*
 * The struct pages of a new block as the request makes them: allocated, a
 * head of the order asked with refcount 1 and PG_head exactly when the
 * request was compound (alloc_pages and alloc_pages_node with __GFP_COMP;
 * __get_free_pages and alloc_pages_exact never are), its tails numbered
 * from it; an exact allocation's pages each an order-0 block. No page
 * PG_slab or PG_hole. One pass over the block's struct pages.
 */
void page_struct_check(struct run *r, const struct page_h *ph, gfp_t eff, const char *op)
{
	bool exact = ph->kind == PH_EXACT;
	bool comp = ph->kind == PH_PAGES && (eff & __GFP_COMP);
	unsigned long nr = exact ? ph->nr : 1ul << ph->order;

	for (unsigned long i = 0; i < nr; i++) {
		const struct page *p = ph->page + i;
		bool tail = !exact && i;
		uint16_t flags = !i && comp ? PG_head : 0;
		unsigned int order = tail || exact ? 0 : ph->order;
		int refcount = tail ? 0 : 1;
		int got = atomic_load_explicit(&p->refcount, memory_order_relaxed);

		if (p->state == PS_ALLOCATED && p->tail == tail && p->flags == flags &&
		    p->order == order && p->head_offset == (tail ? i : 0) && got == refcount)
			continue;
		run_fail(r, "HARNESS: new page block's struct pages differ from the request",
			 "%s gfp %#x order %u: pfn %#llx (page %lu of the block) has state %u tail "
			 "%u flags %#x order %u head_offset %u refcount %d; expected state %u "
			 "tail %d flags %#x order %u head_offset %lu refcount %d", op, eff,
			 ph->order, (unsigned long long)(ph->pfn + i), i, p->state, p->tail,
			 p->flags, p->order, p->head_offset, got, PS_ALLOCATED, tail, flags, order,
			 tail ? i : 0, refcount);
	}
}

/* The node a hole pfn of section [lo, hi) belongs to: the first node (by id)
 * whose span (its lowest range start to its highest range end) holds it,
 * else the node of the section's lowest memory. */
static int topo_hole_node(const struct sf_topology *t, pfn_t pfn, pfn_t lo, pfn_t hi)
{
	pfn_t best = SF_MAX_PFN;
	int section_nid = -1;

	for (unsigned int n = 0; n < t->nr_nodes; n++) {
		pfn_t start, end;

		run_node_span(t, (int)n, &start, &end);
		if (pfn >= start && pfn < end)
			return (int)n;
	}
	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		const struct sf_mem_range *rg = &t->ranges[i];

		if (rg->start_pfn < hi && rg->end_pfn > lo && rg->start_pfn < best) {
			best = rg->start_pfn;
			section_nid = rg->node;
		}
	}
	return section_nid;
}

/*
 * Every struct page of every section holding memory (below the highest
 * memory: pfn_valid ends there) against the topology,
 * once a run when the memmap is whole (from BUDDY on): its zone by the zone
 * boundaries, its node (a memory pfn the node of its range; a hole as
 * topo_hole_node says, as memmap_init_pages documents), PG_hole exactly on
 * holes, a hole reserved. White-box: reads the core's struct pages, asks
 * the core nothing about what they should be.
 */
void memmap_topology_check(struct run *r)
{
	static int8_t node_of[RUN_MAX_PFN];	/* by the ranges, -1 a hole */
	const struct sf_topology *t = &r->topo;
	pfn_t per_section = (pfn_t)1 << t->section_shift, max_pfn = run_end_pfn(r);
	pfn_t edge[MAX_NR_ZONES + 1];

	for (int zt = 0; zt < MAX_NR_ZONES; zt++)
		run_zone_bounds(r, (enum zone_type)zt, &edge[zt], &edge[zt + 1]);
	if (max_pfn > RUN_MAX_PFN)
		max_pfn = RUN_MAX_PFN;
	memset(node_of, -1, (size_t)max_pfn);
	for (unsigned int i = 0; i < t->nr_ranges; i++)
		for (pfn_t pfn = t->ranges[i].start_pfn; pfn < t->ranges[i].end_pfn && pfn < max_pfn;
		     pfn++)
			if (node_of[pfn] < 0)
				node_of[pfn] = (int8_t)t->ranges[i].node;
	/* Sections up to the highest memory; pfn_valid ends at max_pfn. */
	for (pfn_t lo = 0; lo < max_pfn; lo += per_section) {
		pfn_t hi = lo + per_section < max_pfn ? lo + per_section : max_pfn;
		bool present = false;
		int zone = 0, hole_nid = -1;

		for (unsigned int i = 0; i < t->nr_ranges && !present; i++)
			present = t->ranges[i].start_pfn < hi && t->ranges[i].end_pfn > lo;
		if (!present)
			continue;
		for (pfn_t pfn = lo; pfn < hi; pfn++) {
			const struct page *p = sparse_pfn_valid(r->m, pfn) ?
					       sparse_pfn_to_page(r->m, pfn) : NULL;
			int nid = node_of[pfn];
			bool hole = nid < 0;

			while (zone + 1 < MAX_NR_ZONES && pfn >= edge[zone + 1])
				zone++;
			/* a run of holes in one section has one answer: its
			 * bounds are range bounds, as the node spans' are */
			if (hole && (pfn == lo || node_of[pfn - 1] >= 0))
				hole_nid = topo_hole_node(t, pfn, lo, hi);
			if (hole)
				nid = hole_nid;
			if (p && p->node == nid && p->zone == zone &&
			    !!(p->flags & PG_hole) == hole && (!hole || p->state == PS_RESERVED))
				continue;
			if (!p)
				run_fail(r, "HARNESS: struct page differs from the topology",
					 "pfn %#llx of a section with memory has no struct page",
					 (unsigned long long)pfn);
			run_fail(r, "HARNESS: struct page differs from the topology",
				 "pfn %#llx (%s) has node %u zone %u flags %#x state %u; expected "
				 "node %d zone %d%s", (unsigned long long)pfn,
				 hole ? "a hole" : "memory", p->node, p->zone, p->flags, p->state,
				 nid, zone, hole ? ", PG_hole, reserved" : ", no PG_hole");
		}
	}
}
