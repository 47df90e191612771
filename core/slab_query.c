/* SPDX-License-Identifier: MIT */
/*
 * Read-only views of slab pages for checkers outside the core (the fuzz
 * harness compares them with a geometry it computes itself). Nothing here
 * changes state or takes a lock: the caller owns the object it asks about.
 */
#include "slab.h"

struct kmem_cache *virt_to_slab(struct machine *m, const void *addr, struct page **head)
{
	struct page *page = sparse_virt_to_page_nocheck(m, addr);

	if (head)
		*head = NULL;
	if (!page)
		return NULL;
	page = compound_head(page);
	if (!(page->flags & PG_slab))
		return NULL;
	if (head)
		*head = page;
	return page->slab_cache;
}

unsigned int page_block_order(struct machine *m, const struct page *page)
{
	(void)m;
	return compound_head((struct page *)(uintptr_t)page)->order;
}
