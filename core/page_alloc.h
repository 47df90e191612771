/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the page allocator: mm_init.c (zones, zonelists,
 * watermarks, handing memblock to buddy), buddy.c (free lists, split and
 * merge), pcp.c (per-cpu page lists), page_alloc.c (gfp handling, fast and
 * slow paths, reclaim, the API), check.c and dump.c.
 *
 * Page block states (all pages of a block share state; the head has
 * tail == 0 and the order, the tails tail == 1):
 *   PS_RESERVED  single pages never given to buddy (memblock, holes)
 *   PS_BUDDY     on zone->free_area[order]; tails' head_offset is stale
 *   PS_PCP       on a per_cpu_pages list; tails' head_offset valid
 *   PS_ALLOCATED handed out; head refcount 1, tails' head_offset valid
 */
#ifndef SLABFUZZ_PAGE_ALLOC_H
#define SLABFUZZ_PAGE_ALLOC_H

#include "internal.h"

/* alloc_flags, as in mm/internal.h */
#define ALLOC_WMARK_MIN		0x00
#define ALLOC_WMARK_LOW		0x01
#define ALLOC_WMARK_HIGH	0x02
#define ALLOC_NO_WATERMARKS	0x04
#define ALLOC_WMARK_MASK	0x03
#define ALLOC_HARDER		0x10	/* atomic: dig a bit deeper */
#define ALLOC_HIGH		0x20	/* __GFP_HIGH: dig deeper still */

static inline struct zone *page_zone(struct machine *m, const struct page *page)
{
	return &m->nodes[page->node].node_zones[page->zone];
}

static inline bool zone_spans_pfn(const struct zone *z, pfn_t pfn)
{
	return pfn >= z->zone_start_pfn && pfn < z->zone_end_pfn;
}

/* buddy.c: zone->lock held */
void buddy_free_block(struct machine *m, struct zone *zone, struct page *page, pfn_t pfn,
		      unsigned int order);
struct page *buddy_take_smallest(struct machine *m, struct zone *zone, unsigned int order);
/* Set state of every page of the block at head (tails get head_offset). */
void page_block_set_state(struct machine *m, struct page *head, unsigned int order,
			  enum page_state state);
/* Only the head's part of it (the tails are already in that state). */
void page_block_set_head(struct machine *m, struct page *head, unsigned int order,
			 enum page_state state);

/* pcp.c */
struct page *pcp_alloc(struct machine *m, struct zone *zone, unsigned int order);
void pcp_free(struct machine *m, struct zone *zone, struct page *page, unsigned int order);
void pcp_drain_cpu_zone(struct machine *m, struct zone *zone, int cpu);

/* page_alloc.c */
bool zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
		       unsigned int alloc_flags);

#endif
