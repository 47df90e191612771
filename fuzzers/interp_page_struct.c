/* SPDX-License-Identifier: MIT */
/*
 * The struct pages of a new page block against the request (white-box: it
 * reads the core's struct page, never asks the core what it should be).
 * Called by page_got (interp_page.c) for every block a page op gets.
 */
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
