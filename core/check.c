/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker of the page layer. Invariant IDs match
 * docs/architecture.md:
 *   P1 every valid pfn is in exactly one block, and all pages of a block
 *      share its state; tails are marked tail, heads not
 *   P2 every free block is aligned to its order and lies inside one zone of
 *      one node
 *   P3 nr_free of each free_area equals its list; zone free_pages equals the
 *      pages on its free lists
 *   P4 per-cpu list counts equal their lists; no list above high
 *   P5 pages in PS_ALLOCATED blocks equal nr_allocated_pages
 *   P6 memblock regions sorted, disjoint, inside memory (memblock_is_valid)
 *   P7 every vmemmap block with a present section is populated exactly once
 *      (sparse_is_valid)
 * Linear in the number of pages: cheap on machines of a few MiB.
 */
#include <stdarg.h>
#include <string.h>

#include "page_alloc.h"

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

/* P1, P5: walk every valid pfn block by block. */
static bool check_page_states(struct check_ctx *cc, long *free_pages, long *allocated)
{
	struct machine *m = cc->m;
	pfn_t pfn = 0;

	while (pfn < m->max_pfn) {
		struct page *head;
		unsigned long nr;

		if (!pfn_valid(m, pfn)) {
			pfn++;
			continue;
		}
		head = pfn_to_page(m, pfn);
		if (head->pfn != pfn)
			return fail(cc, "P1: struct page of pfn %#llx says pfn %#x",
				    (unsigned long long)pfn, head->pfn);
		if (head->tail)
			return fail(cc, "P1: pfn %#llx is a tail outside any block (state %u)",
				    (unsigned long long)pfn, head->state);
		if (head->state == PS_UNINIT)
			return fail(cc, "P1: pfn %#llx never initialised", (unsigned long long)pfn);
		if (head->state == PS_RESERVED && head->order)
			return fail(cc, "P1: reserved pfn %#llx has order %u",
				    (unsigned long long)pfn, head->order);
		nr = 1ul << head->order;
		if ((head->state == PS_ALLOCATED) !=
		    (atomic_load_explicit(&head->refcount, memory_order_relaxed) > 0))
			return fail(cc, "P1: pfn %#llx state %u with refcount %d",
				    (unsigned long long)pfn, head->state,
				    atomic_load_explicit(&head->refcount, memory_order_relaxed));
		for (unsigned long i = 1; i < nr; i++) {
			struct page *p = pfn_to_page(m, pfn + i);

			if (!p || !p->tail || p->state != head->state)
				return fail(cc, "P1: pfn %#llx in block at %#llx order %u: tail %u "
					    "state %u (head state %u)",
					    (unsigned long long)(pfn + i), (unsigned long long)pfn,
					    head->order, p ? p->tail : 0, p ? p->state : 0,
					    head->state);
			if (head->state != PS_BUDDY && p->head_offset != i)
				return fail(cc, "P1: tail pfn %#llx head_offset %u, expected %lu",
					    (unsigned long long)(pfn + i), p->head_offset, i);
		}
		if (head->state == PS_BUDDY || head->state == PS_PCP)
			*free_pages += (long)nr;
		else if (head->state == PS_ALLOCATED)
			*allocated += (long)nr;
		pfn += nr;
	}
	return true;
}

static void check_report(struct check_ctx *cc)
{
	struct report_ctx ctx = REPORT_CTX_NONE("check_page_layer");

	report(cc->m, SF_REPORT_BUG, "BUG: page allocator invariant broken", &ctx, "%s\n",
	       cc->why);
}

bool check_page_layer(struct machine *m)
{
	struct check_ctx cc = { .m = m };
	long list_pages = 0, pcp_pages = 0, state_free = 0, allocated = 0;

	if (!memblock_is_valid(m, cc.why, sizeof(cc.why))) {
		cc.failed = true;
		goto out;
	}
	if (m->stage < STAGE_SPARSE)
		return true;
	if (!sparse_is_valid(m, cc.why, sizeof(cc.why))) {
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
	if (!check_page_states(&cc, &state_free, &allocated))
		goto out;
	if (state_free != list_pages + pcp_pages) {
		fail(&cc, "P1: %ld pages in free states, lists hold %ld (buddy %ld + pcp %ld)",
		     state_free, list_pages + pcp_pages, list_pages, pcp_pages);
		goto out;
	}
	if (allocated != atomic_load(&m->nr_allocated_pages))
		fail(&cc, "P5: %ld pages in allocated blocks, nr_allocated_pages %ld", allocated,
		     (long)atomic_load(&m->nr_allocated_pages));
out:
	if (cc.failed)
		check_report(&cc);
	return !cc.failed;
}

bool check_machine(struct machine *m)
{
	if (!check_page_layer(m))
		return false;
	if (m->stage >= STAGE_SLAB_PARTIAL)
		return check_slab_layer(m);
	return true;
}
