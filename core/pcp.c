/* SPDX-License-Identifier: MIT */
/*
 * Per-cpu page lists: each cpu keeps blocks of order 0..NR_PCP_ORDERS-1
 * per zone so that most allocations and frees skip zone->lock.
 * Refill takes `batch` pages from buddy; a free that takes the count to
 * `high` or above gives `batch` pages back. pcp->lock is taken by the owning
 * cpu and by drains from other cpus (lock order: pcp->lock, then zone->lock).
 */
#include "page_alloc.h"

static struct per_cpu_pages *zone_pcp(struct zone *zone, int cpu)
{
	return &zone->pageset[cpu];
}

/* Give `count` pages (at least) from the tail of pcp's lists back to buddy. */
static void free_pcppages_bulk(struct machine *m, struct zone *zone, struct per_cpu_pages *pcp,
			       int count)
{
	int order = NR_PCP_ORDERS - 1;

	spin_lock(&zone->lock);
	while (count > 0 && pcp->count > 0) {
		struct page *page;
		pfn_t pfn;

		/* Highest order first: fewer, larger blocks back to buddy. */
		while (list_empty(&pcp->lists[order]))
			order--;
		page = list_last_entry(&pcp->lists[order], struct page, lru);
		list_del(&page->lru);
		pcp->count -= 1 << order;
		count -= 1 << order;
		pfn = page_to_pfn(m, page);
		page_block_set_state(m, page, (unsigned int)order, PS_BUDDY);
		buddy_free_block(m, zone, page, pfn, (unsigned int)order);
	}
	spin_unlock(&zone->lock);
}

/*
 * Sched points sit outside pcp->lock: a real kernel holds it with
 * interrupts off, so an injected interrupt can only come before or after.
 */
struct page *pcp_alloc(struct machine *m, struct zone *zone, unsigned int order)
{
	struct per_cpu_pages *pcp;
	struct list_head *list;
	struct page *page;

	sched_point(m, SP_PCP_REFILL);
	pcp = zone_pcp(zone, this_cpu_id(m));
	list = &pcp->lists[order];
	spin_lock(&pcp->lock);
	if (list_empty(list)) {
		int blocks = (pcp->batch >> order) ? (pcp->batch >> order) : 1;

		spin_lock(&zone->lock);
		for (int i = 0; i < blocks; i++) {
			struct page *b = buddy_take_smallest(m, zone, order);

			if (!b)
				break;
			page_block_set_state(m, b, order, PS_PCP);
			list_add_tail(&b->lru, list);
			pcp->count += 1 << order;
		}
		spin_unlock(&zone->lock);
		if (list_empty(list)) {
			spin_unlock(&pcp->lock);
			return NULL;
		}
	}
	page = list_first_entry(list, struct page, lru);
	list_del(&page->lru);
	pcp->count -= 1 << order;
	spin_unlock(&pcp->lock);
	return page;
}

void pcp_free(struct machine *m, struct zone *zone, struct page *page, unsigned int order)
{
	struct per_cpu_pages *pcp = zone_pcp(zone, this_cpu_id(m));
	bool drained = false;

	spin_lock(&pcp->lock);
	page_block_set_state(m, page, order, PS_PCP);
	list_add(&page->lru, &pcp->lists[order]);
	pcp->count += 1 << order;
	if (pcp->count >= pcp->high) {
		free_pcppages_bulk(m, zone, pcp, pcp->batch);
		drained = true;
	}
	spin_unlock(&pcp->lock);
	if (drained)
		sched_point(m, SP_PCP_DRAIN);
}

void pcp_drain_cpu_zone(struct machine *m, struct zone *zone, int cpu)
{
	struct per_cpu_pages *pcp = zone_pcp(zone, cpu);

	spin_lock(&pcp->lock);
	if (pcp->count)
		free_pcppages_bulk(m, zone, pcp, pcp->count);
	spin_unlock(&pcp->lock);
}
