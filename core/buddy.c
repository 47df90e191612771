/* SPDX-License-Identifier: MIT */
/*
 * The buddy allocator proper: per-zone free lists of 2^order blocks, split
 * on allocation, merged on free. Callers hold zone->lock.
 *
 * A block of order o starts at a pfn aligned to 2^o; its buddy is at
 * pfn ^ 2^o. Two buddies merge only when the buddy is a free block head of
 * the same order AND in the same zone (hence the same node): zone
 * boundaries need not be MAX_ORDER aligned, so alignment alone does not keep
 * a merge inside the zone (incident 5).
 *
 *        zone DMA32         | zone Normal        (boundary at pfn 0x300,
 *   [0x200 ....... 0x2ff]   | [0x300 ... 0x3ff]   not 0x400 aligned)
 *   free order 8 block      | free order 8 block  -> buddies by pfn, but
 *                                                    never merged.
 */
#include "page_alloc.h"

void page_block_set_head(struct machine *m, struct page *head, unsigned int order,
			 enum page_state state)
{
	memmap_mark(m, head->pfn);
	page_state_set(head, state);
	head->order = (uint8_t)order;
	head->tail = 0;
	head->head_offset = 0;
}

void page_block_set_state(struct machine *m, struct page *head, unsigned int order,
			  enum page_state state)
{
	unsigned long nr = 1ul << order;

	page_block_set_head(m, head, order, state);
	for (unsigned long i = 1; i < nr; i++) {
		struct page *p = head + i;

		page_state_set(p, state);
		p->order = 0;
		p->tail = 1;
		p->head_offset = (uint32_t)i;
	}
}

static void buddy_list_add(struct zone *zone, struct page *page, unsigned int order)
{
	memmap_mark(zone->machine, page->pfn);
	page_state_set(page, PS_BUDDY);
	page->order = (uint8_t)order;
	page->tail = 0;
	list_add(&page->lru, &zone->free_area[order].free_list);
	zone->free_area[order].nr_free++;
}

static void buddy_list_del(struct zone *zone, struct page *page, unsigned int order)
{
	list_del(&page->lru);
	zone->free_area[order].nr_free--;
}

/*
 * Is the page at buddy_pfn the free buddy of order `order` of page?
 * The same-zone test is what the historical allocator lacked
 * (SF_BUG_BUDDY_MERGE_UNALIGNED switches it off).
 */
static struct page *find_free_buddy(struct machine *m, struct page *page, pfn_t buddy_pfn,
				    unsigned int order)
{
	struct page *buddy;

	if (buddy_pfn >= m->max_pfn || !pfn_valid(m, buddy_pfn))
		return NULL;
	buddy = pfn_to_page(m, buddy_pfn);
	if (page_state_get(buddy) != PS_BUDDY || buddy->tail || buddy->order != order)
		return NULL;
	if (!machine_bug(m, SF_BUG_BUDDY_MERGE_UNALIGNED) &&
	    (buddy->zone != page->zone || buddy->node != page->node))
		return NULL;
	return buddy;
}

/* The VM_DEBUG check that caught incident 5: it costs a compare. */
static void check_merge_zone(struct machine *m, struct page *page, struct page *buddy,
			     pfn_t pfn, pfn_t buddy_pfn, unsigned int order)
{
	struct report_ctx ctx = { "__free_one_page", page->node, page->zone, (int64_t)pfn };

	if (buddy->zone == page->zone && buddy->node == page->node)
		return;
	report(m, SF_REPORT_BUG, "BUG: buddy merge across zone boundary", &ctx,
	       "merging order-%u block at pfn %#llx (node %d zone %s) with its buddy at\n"
	       "pfn %#llx (node %d zone %s): zone boundaries are not MAX_ORDER aligned\n",
	       order, (unsigned long long)pfn, page->node,
	       zone_type_name((enum zone_type)page->zone), (unsigned long long)buddy_pfn,
	       buddy->node, zone_type_name((enum zone_type)buddy->zone));
}

void buddy_free_block(struct machine *m, struct zone *zone, struct page *page, pfn_t pfn,
		      unsigned int order)
{
	unsigned long nr = 1ul << order;

	while (order < m->max_order - 1) {
		pfn_t buddy_pfn = pfn ^ ((pfn_t)1 << order);
		struct page *buddy = find_free_buddy(m, page, buddy_pfn, order);
		struct zone *buddy_zone;

		if (!buddy)
			break;
		check_merge_zone(m, page, buddy, pfn, buddy_pfn, order);
		buddy_zone = page_zone(m, buddy);
		buddy_list_del(buddy_zone, buddy, order);
		if (buddy_zone != zone) {
			/* Only under the historical bug: pages move zones. */
			atomic_fetch_sub(&buddy_zone->free_pages, 1l << order);
			atomic_fetch_add(&zone->free_pages, 1l << order);
		}
		if (buddy_pfn < pfn) {
			page->tail = 1;
			page->order = 0;
			page = buddy;
			pfn = buddy_pfn;
		} else {
			buddy->tail = 1;
			buddy->order = 0;
		}
		order++;
	}
	buddy_list_add(zone, page, order);
	atomic_fetch_add(&zone->free_pages, (long)nr);
}

/* Split a block of order high down to order low, freeing the upper halves. */
static void expand(struct zone *zone, struct page *page, unsigned int low, unsigned int high)
{
	while (high > low) {
		struct page *upper;

		high--;
		upper = page + (1ul << high);
		buddy_list_add(zone, upper, high);
	}
}

struct page *buddy_take_smallest(struct machine *m, struct zone *zone, unsigned int order)
{
	for (unsigned int o = order; o < m->max_order; o++) {
		struct free_area *area = &zone->free_area[o];
		struct page *page;

		if (list_empty(&area->free_list))
			continue;
		page = list_first_entry(&area->free_list, struct page, lru);
		buddy_list_del(zone, page, o);
		expand(zone, page, order, o);
		page->order = (uint8_t)order;
		atomic_fetch_sub(&zone->free_pages, 1l << order);
		return page;
	}
	return NULL;
}
