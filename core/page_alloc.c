/* SPDX-License-Identifier: MIT */
/*
 * The page allocator's API: gfp handling, the zonelist walk, the fast path
 * (per-cpu lists, then buddy at the low watermark), the slow path (min
 * watermark, reserves, direct reclaim = draining per-cpu lists and calling
 * shrinkers, __GFP_NOFAIL) and the checked free path.
 *
 * Every allocation first applies the machine's gfp_allowed_mask, so no
 * decision below sees a reclaim bit the boot stage does not allow
 * (incident 2).
 */
#include <string.h>

#include "page_alloc.h"

#define RECLAIM_RETRIES 3

/* ---- gfp ---- */

/* Highest zone the allocation may use, or -1 for an invalid combination. */
static int gfp_zone(gfp_t gfp)
{
	if ((gfp & __GFP_DMA) && (gfp & __GFP_DMA32))
		return -1;
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	if (gfp & __GFP_MOVABLE)
		return ZONE_MOVABLE;
	return ZONE_NORMAL;
}

static bool gfp_check(struct machine *m, gfp_t gfp, unsigned int order, int nid,
		      const char *op)
{
	struct report_ctx ctx = { op, nid, -1, -1 };
	char buf[GFP_FORMAT_MAX];

	if (gfp & ~(gfp_t)__GFP_BITS_MASK) {
		report(m, SF_REPORT_WARN, "WARNING: invalid gfp flags", &ctx,
		       "gfp %#x has bits outside __GFP_BITS_MASK %#x\n", gfp, __GFP_BITS_MASK);
		return false;
	}
	if (gfp_zone(gfp) < 0) {
		report(m, SF_REPORT_WARN, "WARNING: invalid gfp zone modifiers", &ctx,
		       "gfp %s asks for both __GFP_DMA and __GFP_DMA32\n",
		       gfp_format(gfp, buf, sizeof(buf)));
		return false;
	}
	if (order >= m->max_order) {
		if (!(gfp & __GFP_NOWARN))
			report(m, SF_REPORT_WARN, "WARNING: page allocation order too large", &ctx,
			       "order %u >= MAX_ORDER %u\n", order, m->max_order);
		return false;
	}
	if (nid != SF_NO_NODE && (nid < 0 || (unsigned int)nid >= m->topo.nr_nodes)) {
		report(m, SF_REPORT_WARN, "WARNING: page allocation on invalid node", &ctx,
		       "node %d does not exist (nr_nodes %u)\n", nid, m->topo.nr_nodes);
		return false;
	}
	if (m->stage < STAGE_BUDDY) {
		report(m, SF_REPORT_WARN, "WARNING: page allocation before buddy allocator is up",
		       &ctx, "stage %s: use memblock\n", boot_stage_name(m->stage));
		return false;
	}
	return true;
}

/* might_sleep(): a blocking allocation from atomic context. */
static void might_sleep_check(struct machine *m, gfp_t gfp, const char *op)
{
	struct cpu *c = this_cpu(m);
	struct report_ctx ctx = REPORT_CTX_NONE(op);

	if (!gfpflags_allow_blocking(gfp) || m->stage < STAGE_IRQS_ON)
		return;
	if (c->irqs_enabled && c->irq_depth == 0 && c->preempt_count == 0)
		return;
	report(m, SF_REPORT_BUG, "BUG: sleeping function called from invalid context", &ctx,
	       "in_atomic(): %d, irqs_disabled(): %d, in_interrupt(): %d, gfp %#x\n",
	       c->preempt_count > 0, !c->irqs_enabled, c->irq_depth > 0, gfp);
}

/* ---- watermarks ---- */

bool zone_watermark_ok(const struct zone *z, unsigned int order, unsigned long mark,
		       unsigned int alloc_flags)
{
	long min = (long)mark;
	long free = atomic_load_explicit(&z->free_pages, memory_order_relaxed);

	if (alloc_flags & ALLOC_NO_WATERMARKS)
		return free >= (1l << order);
	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 4;
	return free - (1l << order) >= min;
}

/* ---- allocation ---- */

static void prep_new_page(struct machine *m, struct page *page, unsigned int order, gfp_t gfp)
{
	unsigned long nr = 1ul << order;
	void *addr = page_address(m, page);

	for (unsigned long i = 0; i < nr; i++) {
		struct page *p = page + i;

		if ((p->flags & (PG_slab | PG_head | PG_hole)) ||
		    atomic_load_explicit(&p->refcount, memory_order_relaxed) != 0 ||
		    (p->state != PS_BUDDY && p->state != PS_PCP))
			report_page(m, SF_REPORT_BUG, "BUG: Bad page state", p, "prep_new_page",
				    "free page with nonzero refcount, flags or state");
	}
	page_block_set_state(m, page, order, PS_ALLOCATED);
	if (gfp & __GFP_COMP)
		page->flags |= PG_head;
	atomic_store_explicit(&page->refcount, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->nr_allocated_pages, (long)nr, memory_order_relaxed);
	memory_hand_out(m, addr, nr << PAGE_SHIFT, gfp & __GFP_ZERO);
	if (gfp & __GFP_ZERO) {
		memset(addr, 0, nr << PAGE_SHIFT);
		kmsan_mark_init(addr, nr << PAGE_SHIFT);
	} else {
		kmsan_mark_uninit(addr, nr << PAGE_SHIFT);
	}
}

static struct page *rmqueue(struct machine *m, struct zone *zone, unsigned int order)
{
	struct page *page;

	if (order < NR_PCP_ORDERS && zone->pageset)
		return pcp_alloc(m, zone, order);
	spin_lock(&zone->lock);
	page = buddy_take_smallest(m, zone, order);
	/*
	 * Off the free lists, the block must stop looking like a free buddy
	 * before zone->lock is dropped (__ClearPageBuddy in the kernel): a
	 * concurrent free of its buddy would merge with it and list_del it a
	 * second time. PS_PCP is the state pcp_alloc gives the blocks it takes;
	 * prep_new_page accepts it and makes the block PS_ALLOCATED.
	 */
	if (page)
		page_block_set_state(m, page, order, PS_PCP);
	spin_unlock(&zone->lock);
	return page;
}

struct alloc_context {
	struct zonelist *zonelist;
	int highest_zone;
	int preferred_nid;
};

static struct page *get_page_from_freelist(struct machine *m, gfp_t gfp, unsigned int order,
					   unsigned int alloc_flags,
					   const struct alloc_context *ac)
{
	for (struct zoneref *zr = ac->zonelist->zones; zr->zone; zr++) {
		struct zone *zone = zr->zone;
		unsigned long mark = zone->watermark[alloc_flags & ALLOC_WMARK_MASK];
		struct page *page;

		if ((int)zone->type > ac->highest_zone)
			continue;
		if (!zone_watermark_ok(zone, order, mark, alloc_flags))
			continue;
		page = rmqueue(m, zone, order);
		if (page) {
			prep_new_page(m, page, order, gfp);
			return page;
		}
	}
	return NULL;
}

static unsigned long shrink_slab(struct machine *m)
{
	unsigned long freed = 0;

	/*
	 * A trylock, as the kernel's down_read_trylock(&shrinker_rwsem): a
	 * shrinker frees pages, which has sched points, and an interrupt that
	 * allocates there may come back into reclaim on this very cpu.
	 */
	if (!spin_trylock(&m->shrinker_lock))
		return 0;
	for (struct shrinker *s = m->shrinkers; s; s = s->next) {
		unsigned long count = s->count_objects ? s->count_objects(m, s) : 0;

		if (count && s->scan_objects)
			freed += s->scan_objects(m, s, count);
	}
	spin_unlock(&m->shrinker_lock);
	return freed;
}

/* Direct reclaim: what this model can give back without swap or page cache. */
static void direct_reclaim(struct machine *m)
{
	sched_point(m, SP_ALLOC_PAGES_RECLAIM);
	atomic_fetch_add_explicit(&m->reclaim_runs, 1, memory_order_relaxed);
	drain_all_pages(m);
	shrink_slab(m);
}

static void warn_alloc(struct machine *m, gfp_t gfp, unsigned int order, int nid)
{
	struct report_ctx ctx = { "alloc_pages", nid, -1, -1 };
	char buf[GFP_FORMAT_MAX];

	if (gfp & __GFP_NOWARN)
		return;
	report(m, SF_REPORT_INFO, "INFO: page allocation failure", &ctx,
	       "page allocation failure: order:%u, mode:%#x(%s), nodemask=(null)\n", order,
	       gfp, gfp_format(gfp, buf, sizeof(buf)));
}

static void nofail_impossible(struct machine *m, gfp_t gfp, unsigned int order, int nid)
{
	struct report_ctx ctx = { "alloc_pages", nid, -1, -1 };

	report(m, SF_REPORT_WARN, "WARNING: __GFP_NOFAIL allocation impossible", &ctx,
	       "no zone allowed by gfp %#x has a free order-%u block\n", gfp, order);
}

static struct page *alloc_pages_slowpath(struct machine *m, gfp_t gfp, unsigned int order,
					 const struct alloc_context *ac)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;
	int retries = 0;
	struct page *page;

	sched_point(m, SP_ALLOC_PAGES_SLOWPATH);
	if (gfp & __GFP_HIGH)
		alloc_flags |= ALLOC_HIGH;
	if (!gfpflags_allow_blocking(gfp) && !(gfp & __GFP_NOMEMALLOC))
		alloc_flags |= ALLOC_HARDER;
	for (;;) {
		page = get_page_from_freelist(m, gfp, order, alloc_flags, ac);
		if (page)
			return page;
		if ((gfp & __GFP_MEMALLOC) && !(gfp & __GFP_NOMEMALLOC)) {
			page = get_page_from_freelist(m, gfp, order, ALLOC_NO_WATERMARKS, ac);
			if (page)
				return page;
		}
		if (!gfpflags_allow_blocking(gfp))
			break;
		if (retries && (gfp & __GFP_NORETRY))
			break;
		if (retries >= RECLAIM_RETRIES)
			break;
		direct_reclaim(m);
		retries++;
	}
	if (gfp & __GFP_NOFAIL) {
		/* Never fail while memory can be found: dig into every reserve. */
		drain_all_pages(m);
		page = get_page_from_freelist(m, gfp, order, ALLOC_NO_WATERMARKS, ac);
		if (page)
			return page;
		nofail_impossible(m, gfp, order, ac->preferred_nid);
	}
	warn_alloc(m, gfp, order, ac->preferred_nid);
	return NULL;
}

/* Does the zonelist hold any zone the allocation may use? */
static bool has_eligible_zone(const struct alloc_context *ac)
{
	for (const struct zoneref *zr = ac->zonelist->zones; zr->zone; zr++)
		if ((int)zr->zone->type <= ac->highest_zone)
			return true;
	return false;
}

static struct page *alloc_pages_common(struct machine *m, int nid, int zonelist_nid, gfp_t gfp,
				       unsigned int order, const char *op)
{
	struct alloc_context ac;
	struct page *page;

	if (!gfp_check(m, gfp, order, nid, op))
		return NULL;
	gfp &= machine_gfp_allowed_mask(m);
	might_sleep_check(m, gfp, op);
	if (!(gfp & __GFP_NOFAIL) && should_fail(&m->fail_page_alloc, gfp, order, NULL))
		return NULL;
	ac.preferred_nid = zonelist_nid;
	ac.highest_zone = gfp_zone(gfp);
	ac.zonelist = &m->nodes[zonelist_nid].node_zonelists[(gfp & __GFP_THISNODE) ?
								  ZONELIST_NOFALLBACK :
								  ZONELIST_FALLBACK];
	if (!has_eligible_zone(&ac)) {
		/* Nothing the gfp allows, e.g. __GFP_DMA|__GFP_THISNODE on a node
		 * without ZONE_DMA: no watermark or reclaim can change that. */
		if (gfp & __GFP_NOFAIL)
			nofail_impossible(m, gfp, order, zonelist_nid);
		warn_alloc(m, gfp, order, zonelist_nid);
		return NULL;
	}
	page = get_page_from_freelist(m, gfp, order, ALLOC_WMARK_LOW, &ac);
	if (!page)
		page = alloc_pages_slowpath(m, gfp, order, &ac);
	return page;
}

struct page *alloc_pages_node(struct machine *m, int nid, gfp_t gfp, unsigned int order)
{
	int zl_nid = nid;

	if (nid == SF_NO_NODE)
		zl_nid = cpu_to_mem(m, this_cpu_id(m));
	else if (nid < 0 || (unsigned int)nid >= m->topo.nr_nodes)
		zl_nid = 0;	/* rejected by gfp_check */
	return alloc_pages_common(m, nid, zl_nid, gfp, order, "alloc_pages_node");
}

struct page *alloc_pages(struct machine *m, gfp_t gfp, unsigned int order)
{
	int nid = cpu_to_node(m, this_cpu_id(m));

	return alloc_pages_common(m, nid, nid, gfp, order, "alloc_pages");
}

unsigned long __get_free_pages(struct machine *m, gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(m, gfp & ~(gfp_t)__GFP_COMP, order);

	return page ? (unsigned long)(uintptr_t)page_address(m, page) : 0;
}

unsigned long get_zeroed_page(struct machine *m, gfp_t gfp)
{
	return __get_free_pages(m, gfp | __GFP_ZERO, 0);
}

/* ---- free ---- */

static void free_pages_prepare_block(struct machine *m, struct page *page, unsigned int order)
{
	unsigned long nr = 1ul << order;

	page->flags &= (uint16_t)~PG_head;
	atomic_store_explicit(&page->refcount, 0, memory_order_relaxed);
	atomic_fetch_sub_explicit(&m->nr_allocated_pages, (long)nr, memory_order_relaxed);
	kasan_poison(page_address(m, page), nr << PAGE_SHIFT);
}

/* Free a block that is no longer anybody's: to pcp or buddy. */
static void free_block_to_allocator(struct machine *m, struct page *page, unsigned int order)
{
	struct zone *zone = page_zone(m, page);

	if (order < NR_PCP_ORDERS && zone->pageset) {
		pcp_free(m, zone, page, order);
		return;
	}
	spin_lock(&zone->lock);
	page_block_set_state(m, page, order, PS_BUDDY);
	buddy_free_block(m, zone, page, page_to_pfn(m, page), order);
	spin_unlock(&zone->lock);
}

/*
 * The checks of free_pages_check(): what the caller may have got wrong.
 * Returns true when the block may be freed.
 */
static bool free_pages_check(struct machine *m, struct page *page, unsigned int order,
			     const char *op)
{
	unsigned long nr;

	if (page->flags & PG_hole || page->state == PS_RESERVED) {
		report_page(m, SF_REPORT_BUG, "BUG: Freeing reserved page", page, op,
			    "page is reserved or a hole, never given out by buddy");
		return false;
	}
	if (page->state == PS_BUDDY || page->state == PS_PCP) {
		report_page(m, SF_REPORT_BUG, "BUG: Page already free", page, op,
			    "double free of a page");
		return false;
	}
	if (page->state != PS_ALLOCATED) {
		report_page(m, SF_REPORT_BUG, "BUG: Bad page state", page, op,
			    "page in an unknown state");
		return false;
	}
	if (page->tail) {
		report_page(m, SF_REPORT_BUG, "BUG: Freeing tail page", page, op,
			    "freeing a tail page of a higher-order allocation");
		return false;
	}
	if (page->order != order) {
		char reason[96];

		snprintf(reason, sizeof(reason), "freed with order %u, allocated with order %u",
			 order, page->order);
		report_page(m, SF_REPORT_BUG, "BUG: Freeing page with wrong order", page, op,
			    reason);
		return false;
	}
	if ((page->flags & PG_slab) ||
	    atomic_load_explicit(&page->refcount, memory_order_relaxed) != 1) {
		report_page(m, SF_REPORT_BUG, "BUG: Bad page state", page, op,
			    "PG_slab set or refcount not 1 at free");
		return false;
	}
	nr = 1ul << order;
	for (unsigned long i = 1; i < nr; i++) {
		struct page *p = page + i;

		if (p->state != PS_ALLOCATED || !p->tail || p->head_offset != i ||
		    (p->flags & (PG_slab | PG_head))) {
			report_page(m, SF_REPORT_BUG, "BUG: Bad page state", p, op,
				    "corrupted tail page");
			return false;
		}
	}
	return true;
}

static void free_pages_common(struct machine *m, struct page *page, unsigned int order,
			      const char *op)
{
	if (order >= m->max_order) {
		struct report_ctx ctx = REPORT_CTX_NONE(op);

		report(m, SF_REPORT_BUG, "BUG: Freeing page with wrong order", &ctx,
		       "order %u >= MAX_ORDER %u\n", order, m->max_order);
		return;
	}
	if (!free_pages_check(m, page, order, op))
		return;
	sched_point(m, SP_FREE_PAGES);
	free_pages_prepare_block(m, page, order);
	free_block_to_allocator(m, page, order);
}

static bool page_belongs(struct machine *m, const struct page *page)
{
	uintptr_t p = (uintptr_t)page;

	if (!page || p % _Alignof(struct page) || (const uint8_t *)page < m->mem_base ||
	    (const uint8_t *)page >= m->mem_base + m->mem_size)
		return false;
	/* The struct page must be the one the memmap holds for its pfn. */
	return page->pfn < m->max_pfn && pfn_valid(m, page->pfn) &&
	       pfn_to_page(m, page->pfn) == page;
}

void __free_pages(struct machine *m, struct page *page, unsigned int order)
{
	if (!page_belongs(m, page)) {
		struct report_ctx ctx = REPORT_CTX_NONE("__free_pages");

		report(m, SF_REPORT_BUG, "BUG: Bad page address", &ctx,
		       "%p is not a struct page of this machine\n", (void *)page);
		return;
	}
	free_pages_common(m, page, order, "__free_pages");
}

void free_pages(struct machine *m, unsigned long addr, unsigned int order)
{
	struct page *page;

	if (!addr)
		return;
	page = virt_to_page(m, (void *)(uintptr_t)addr);
	if (!page || (addr & (PAGE_SIZE - 1))) {
		struct report_ctx ctx = REPORT_CTX_NONE("free_pages");

		report(m, SF_REPORT_BUG, "BUG: Bad page address", &ctx,
		       "%#lx is not a page address of this machine\n", addr);
		return;
	}
	free_pages_common(m, page, order, "free_pages");
}

/* ---- exact allocations ---- */

static unsigned int get_order(size_t size)
{
	unsigned int order = 0;

	while (((size_t)PAGE_SIZE << order) < size)
		order++;
	return order;
}

/*
 * Allocate 2^order pages and give back the tail beyond size: the kept pages
 * become order-0 allocations, freed one by one by free_pages_exact.
 */
void *alloc_pages_exact(struct machine *m, size_t size, gfp_t gfp)
{
	unsigned int order;
	unsigned long used, nr;
	struct page *page;

	if (!size || size > ((size_t)PAGE_SIZE << (SF_MAX_ORDER_LIMIT - 1)))
		return NULL;
	order = get_order(size);
	page = alloc_pages(m, gfp & ~(gfp_t)__GFP_COMP, order);
	if (!page)
		return NULL;
	used = (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	nr = 1ul << order;
	memmap_mark(m, page->pfn);
	/* Split into order-0 allocations. */
	for (unsigned long i = 0; i < nr; i++) {
		struct page *p = page + i;

		page_state_set(p, PS_ALLOCATED);
		p->tail = 0;
		p->head_offset = 0;
		p->order = 0;
		atomic_store_explicit(&p->refcount, 1, memory_order_relaxed);
	}
	for (unsigned long i = used; i < nr; i++)
		free_pages_common(m, page + i, 0, "alloc_pages_exact");
	return page_address(m, page);
}

void free_pages_exact(struct machine *m, void *virt, size_t size)
{
	unsigned long addr = (unsigned long)(uintptr_t)virt;
	unsigned long end = addr + ((size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));

	for (; addr < end; addr += PAGE_SIZE)
		free_pages(m, addr, 0);
}

/* ---- counters, drains, shrinkers ---- */

unsigned long nr_free_pages(struct machine *m)
{
	long n = 0;

	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[nid].node_zones[zt];

			if (!populated_zone(z))
				continue;
			n += atomic_load(&z->free_pages);
			if (!z->pageset)
				continue;
			for (unsigned int c = 0; c < m->topo.nr_cpus; c++) {
				spin_lock(&z->pageset[c].lock);
				n += z->pageset[c].count;
				spin_unlock(&z->pageset[c].lock);
			}
		}
	}
	return (unsigned long)n;
}

unsigned long nr_allocated_pages(struct machine *m)
{
	return (unsigned long)atomic_load(&m->nr_allocated_pages);
}

static void drain_cpu_pages(struct machine *m, int cpu)
{
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[nid].node_zones[zt];

			if (z->pageset)
				pcp_drain_cpu_zone(m, z, cpu);
		}
	}
}

void drain_local_pages(struct machine *m)
{
	if (m->stage >= STAGE_BUDDY)
		drain_cpu_pages(m, this_cpu_id(m));
}

void drain_all_pages(struct machine *m)
{
	if (m->stage < STAGE_BUDDY)
		return;
	for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
		drain_cpu_pages(m, (int)c);
}

int register_shrinker(struct machine *m, struct shrinker *s)
{
	if (!s)
		return -EINVAL;
	spin_lock(&m->shrinker_lock);
	s->next = m->shrinkers;
	m->shrinkers = s;
	spin_unlock(&m->shrinker_lock);
	return 0;
}

void unregister_shrinker(struct machine *m, struct shrinker *s)
{
	spin_lock(&m->shrinker_lock);
	for (struct shrinker **pp = &m->shrinkers; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			s->next = NULL;
			break;
		}
	}
	spin_unlock(&m->shrinker_lock);
}
