/* SPDX-License-Identifier: MIT */
/*
 * Buddy split and merge next to a zone boundary that is not MAX_ORDER
 * aligned (incident 5).
 *
 *   pfn 0x000                 0x2c0                               0x800
 *   |---------- ZONE_DMA -------|------------ ZONE_DMA32 ------------|
 *                               ^ boundary: 64-aligned, MAX_ORDER block is 256
 *   free blocks at boot: ... [0x280,0x2c0) order 6 | [0x2c0,0x300) order 6 ...
 *   These two are buddies by pfn (0x280 ^ 0x40 == 0x2c0) but must never merge.
 */
#include "test.h"
#include "page_alloc.h"

static void unaligned_topology(struct sf_topology *t)
{
	sf_topology_simple(t, 1, 2, 8);
	t->max_order = 9;
	t->section_shift = 9;
	t->zone_dma_end = 0x2c0;
	t->zone_dma32_end = 0x800;
}

static struct machine *boot_unaligned(unsigned int bugs)
{
	struct sf_topology t;
	struct sf_options o = { 0 };

	unaligned_topology(&t);
	o.bugs = bugs;
	o.debug_level = 3;
	return test_machine(&t, &o, STAGE_RUNNING);
}

static void test_misalignment_reported_at_init(void)
{
	struct machine *m = boot_unaligned(0);

	assert_nonnull(m);
	/* DMA's end and DMA32's start: a notice each, never an error. */
	expect_eq(sf_reports_count(m, "INFO: zone boundary not MAX_ORDER aligned"), 2);
	expect_no_reports(m);
	expect_true(m->nodes[0].node_zones[ZONE_DMA].unaligned_end);
	expect_true(m->nodes[0].node_zones[ZONE_DMA32].unaligned_start);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/* Alloc everything at order o from both zones, free in a shuffled order. */
static void churn_order(struct machine *m, unsigned int o)
{
	struct page **pages = calloc(4096, sizeof(*pages));
	int n = 0;

	if (!pages) {
		test_fail(__FILE__, __LINE__, "out of host memory");
		return;
	}
	for (;;) {
		gfp_t gfp = (n & 1) ? (GFP_KERNEL | __GFP_DMA) : GFP_KERNEL;
		struct page *p = alloc_pages(m, gfp | __GFP_NOWARN, o);

		if (!p)
			p = alloc_pages(m, GFP_ATOMIC | __GFP_NOWARN, o);
		if (!p)
			break;
		pages[n++] = p;
		if (n == 4096)
			break;
	}
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(test_rand() % (uint64_t)(i + 1));
		struct page *tmp = pages[i];

		pages[i] = pages[j];
		pages[j] = tmp;
	}
	for (int i = 0; i < n; i++) {
		__free_pages(m, pages[i], o);
		if ((i & 15) == 0)
			expect_true(check_page_layer(m));
	}
	free(pages);
}

static void test_split_merge_every_order(void)
{
	unsigned long base = 0;
	struct machine *m = boot_unaligned(0);
	char before[2048], after[2048];

	assert_nonnull(m);
	base = nr_allocated_pages(m);
	drain_all_pages(m);
	dump_buddyinfo(m, before, sizeof(before));
	for (unsigned int o = 0; o < m->max_order; o++) {
		churn_order(m, o);
		drain_all_pages(m);
		expect_true(check_page_layer(m));
	}
	dump_buddyinfo(m, after, sizeof(after));
	/* Everything merged back exactly as at boot: no block crossed the boundary. */
	expect_eq(strcmp(before, after), 0);
	expect_no_reports(m);
	expect_eq(nr_allocated_pages(m), base);
	machine_destroy(m);
}

/* With the historical allocator, the first free next to the boundary merges across it. */
static void test_incident5_bug_switch(void)
{
	struct sf_topology t;
	struct sf_options o = { 0 };
	struct machine *m;

	o.bugs = SF_BUG_BUDDY_MERGE_UNALIGNED;
	m = boot_unaligned(SF_BUG_BUDDY_MERGE_UNALIGNED);
	assert_nonnull(m);
	expect_true(sf_reports_count(m, "BUG: buddy merge across zone boundary") >= 1);
	expect_false(check_page_layer(m));
	machine_destroy(m);

	/* Same switch, aligned boundaries: nothing to find. */
	unaligned_topology(&t);
	t.zone_dma_end = 0x300 & ~0xffu;
	m = test_machine(&t, &o, STAGE_RUNNING);
	assert_nonnull(m);
	churn_order(m, 0);
	churn_order(m, 3);
	drain_all_pages(m);
	expect_eq(sf_reports_count(m, "BUG: buddy merge across zone boundary"), 0);
	expect_true(check_page_layer(m));
	expect_no_reports(m);
	machine_destroy(m);
}

/* The checker sees a block that crosses a zone (P2), built by hand. */
static void test_checker_catches_cross_zone_block(void)
{
	struct machine *m = boot_unaligned(0);
	struct zone *dma;
	struct page *p;

	assert_nonnull(m);
	expect_true(check_page_layer(m));
	dma = &m->nodes[0].node_zones[ZONE_DMA];
	/* Corrupt: claim the order-6 block at 0x280 is order 7. */
	p = pfn_to_page(m, 0x280);
	assert_true(p->state == PS_BUDDY && p->order == 6);
	spin_lock(&dma->lock);
	list_del(&p->lru);
	dma->free_area[6].nr_free--;
	p->order = 7;
	list_add(&p->lru, &dma->free_area[7].free_list);
	dma->free_area[7].nr_free++;
	spin_unlock(&dma->lock);
	expect_false(check_page_layer(m));
	expect_eq(sf_reports_count(m, "BUG: page allocator invariant broken"), 1);
	/* Undo, so destroy sees a sane machine. */
	spin_lock(&dma->lock);
	list_del(&p->lru);
	dma->free_area[7].nr_free--;
	p->order = 6;
	list_add(&p->lru, &dma->free_area[6].free_list);
	dma->free_area[6].nr_free++;
	spin_unlock(&dma->lock);
	expect_true(check_page_layer(m));
	machine_destroy(m);
}

int main(void)
{
	RUN(test_misalignment_reported_at_init);
	RUN(test_split_merge_every_order);
	RUN(test_incident5_bug_switch);
	RUN(test_checker_catches_cross_zone_block);
	return test_summary();
}
