/* SPDX-License-Identifier: MIT */
/* The page allocator: boot, gfp flags, zonelists, pcp lists, page state checks. */
#include "test.h"
#include "page_alloc.h"

static struct machine *small_machine(unsigned int nodes, unsigned int cpus, unsigned int mib)
{
	struct sf_topology t;

	sf_topology_simple(&t, nodes, cpus, mib);
	return test_machine(&t, NULL, STAGE_RUNNING);
}

static void test_boot_and_destroy(void)
{
	struct sf_topology t;
	struct machine *m;
	char buf[8192];

	sf_topology_default(&t);
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	expect_eq(machine_stage(m), STAGE_RUNNING);
	expect_true(check_machine(m));
	expect_no_reports(m);
	expect_true(nr_free_pages(m) > 15000);
	expect_true(nr_allocated_pages(m) < 64);	/* the slab layer's boot caches */
	expect_true(dump_buddyinfo(m, buf, sizeof(buf)) > 0);
	expect_str_contains(buf, "Node 0, zone      DMA");
	expect_true(dump_zoneinfo(m, buf, sizeof(buf)) > 0);
	expect_str_contains(buf, "        managed  ");
	expect_true(dump_memory_map(m, buf, sizeof(buf)) > 0);
	expect_str_contains(buf, "node 1: pfn");
	machine_destroy(m);
}

static void test_two_machines(void)
{
	struct machine *a = small_machine(1, 1, 4), *b = small_machine(2, 2, 8);
	struct page *pa, *pb;

	unsigned long base_a, base_b;

	assert_nonnull(a);
	assert_nonnull(b);
	base_a = nr_allocated_pages(a);
	base_b = nr_allocated_pages(b);
	pa = alloc_pages(a, GFP_KERNEL, 0);
	pb = alloc_pages(b, GFP_KERNEL, 0);
	expect_nonnull(pa);
	expect_nonnull(pb);
	expect_eq(nr_allocated_pages(a), base_a + 1);
	expect_eq(nr_allocated_pages(b), base_b + 1);
	__free_pages(a, pa, 0);
	__free_pages(b, pb, 0);
	expect_true(check_machine(a));
	expect_true(check_machine(b));
	expect_no_reports(a);
	expect_no_reports(b);
	machine_destroy(a);
	machine_destroy(b);
}

/* Allocate and free at every order; the free lists come back whole. */
static void test_every_order(void)
{
	struct machine *m = small_machine(1, 2, 8);
	unsigned long before, base;

	assert_nonnull(m);
	drain_all_pages(m);
	before = nr_free_pages(m);
	base = nr_allocated_pages(m);
	for (unsigned int o = 0; o < m->max_order; o++) {
		struct page *p = alloc_pages(m, GFP_KERNEL, o);

		assert_nonnull(p);
		expect_eq(p->pfn & ((1u << o) - 1), 0);
		expect_eq(nr_allocated_pages(m), base + (1ul << o));
		memset(page_address(m, p), 0xab, SF_PAGE_SIZE << o);
		expect_true(check_machine(m));
		__free_pages(m, p, o);
		expect_true(check_machine(m));
	}
	drain_all_pages(m);
	expect_eq(nr_free_pages(m), before);
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_gfp_zone_selection(void)
{
	struct machine *m = small_machine(1, 1, 16);
	struct page *p;

	assert_nonnull(m);
	p = alloc_pages(m, GFP_KERNEL | __GFP_DMA, 0);
	assert_nonnull(p);
	expect_eq(page_zonenum(m, p), ZONE_DMA);
	__free_pages(m, p, 0);
	p = alloc_pages(m, GFP_KERNEL | __GFP_DMA32, 1);
	assert_nonnull(p);
	expect_true(page_zonenum(m, p) <= ZONE_DMA32);
	__free_pages(m, p, 1);
	p = alloc_pages(m, GFP_KERNEL, 2);
	assert_nonnull(p);
	expect_eq(page_zonenum(m, p), ZONE_NORMAL);
	__free_pages(m, p, 2);
	/* Invalid combination: a WARN and a failure. */
	p = alloc_pages(m, GFP_KERNEL | __GFP_DMA | __GFP_DMA32, 0);
	expect_null(p);
	expect_only_reports(m, "WARNING: invalid gfp zone modifiers", 1);
	p = alloc_pages(m, 0x80000000u, 0);
	expect_null(p);
	expect_eq(sf_reports_count(m, "WARNING: invalid gfp flags"), 1);
	p = alloc_pages(m, GFP_KERNEL, 30);
	expect_null(p);
	expect_eq(sf_reports_count(m, "WARNING: page allocation order too large"), 1);
	p = alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 30);
	expect_null(p);
	expect_eq(sf_reports_count(m, "WARNING: page allocation order too large"), 1);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/* ZONE_MOVABLE only for __GFP_MOVABLE; MEMALLOC below watermarks; retry counts. */
static void test_gfp_movable_memalloc_retry(void)
{
	struct sf_topology t;
	struct machine *m;
	struct page *p, **all;
	unsigned long n = 0, runs;

	sf_topology_simple(&t, 1, 1, 8);
	t.zone_movable_start = 0x600;
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	p = alloc_pages(m, GFP_HIGHUSER_MOVABLE, 0);
	assert_nonnull(p);
	expect_eq(page_zonenum(m, p), ZONE_MOVABLE);
	__free_pages(m, p, 0);
	all = calloc(4096, sizeof(*all));
	assert_nonnull(all);
	while ((p = alloc_pages(m, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0))) {
		expect_true(page_zonenum(m, p) != ZONE_MOVABLE);
		all[n++] = p;
	}
	/* Atomic allocations dig deeper, and never reclaim. */
	runs = m->reclaim_runs;
	while ((p = alloc_pages(m, GFP_ATOMIC | __GFP_NOWARN, 0)))
		all[n++] = p;
	expect_eq(m->reclaim_runs, runs);
	/* Below every watermark: only MEMALLOC may go on. */
	expect_null(alloc_pages(m, GFP_NOWAIT | __GFP_NOWARN, 0));
	p = alloc_pages(m, GFP_NOWAIT | __GFP_MEMALLOC, 0);
	expect_nonnull(p);
	if (p)
		all[n++] = p;
	expect_null(alloc_pages(m, GFP_NOWAIT | __GFP_MEMALLOC | __GFP_NOMEMALLOC | __GFP_NOWARN, 0));
	runs = m->reclaim_runs;
	expect_null(alloc_pages(m, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN, 0));
	expect_eq(m->reclaim_runs - runs, 1);
	runs = m->reclaim_runs;
	expect_null(alloc_pages(m, GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN, 0));
	expect_eq(m->reclaim_runs - runs, 3);
	expect_true(check_machine(m));
	while (n)
		__free_pages(m, all[--n], 0);
	free(all);
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_gfp_zero(void)
{
	struct machine *m = small_machine(1, 1, 4);
	struct page *p;
	unsigned char *addr;
	unsigned long zeroes = 0;

	assert_nonnull(m);
	p = alloc_pages(m, GFP_KERNEL, 1);
	assert_nonnull(p);
	memset(page_address(m, p), 0x5a, 2 * SF_PAGE_SIZE);
	__free_pages(m, p, 1);
	p = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, 1);
	assert_nonnull(p);
	addr = page_address(m, p);
	for (unsigned long i = 0; i < 2 * SF_PAGE_SIZE; i++)
		zeroes += addr[i] == 0;
	expect_eq(zeroes, 2 * SF_PAGE_SIZE);
	__free_pages(m, p, 1);
	expect_eq(get_zeroed_page(m, GFP_KERNEL) != 0, 1);
	expect_no_reports(m);
	machine_destroy(m);
}

/*
 * Fallback by distance:
 *   node0 (cpu0, memoryless) -- 30 -- node1 (mem) ; node0 -- 15 -- node2 (mem)
 * From cpu 0, local allocations land on node 2 first; with node 2 full, on 1.
 */
static void test_fallback_by_distance(void)
{
	unsigned long base = 0;
	struct sf_topology t;
	struct machine *m;
	struct page *p;
	int got[SF_MAX_NODES] = { 0 };

	sf_topology_simple(&t, 3, 3, 12);
	t.ranges[0].node = 1;		/* node 0 has no memory */
	t.ranges[1].node = 1;
	t.nr_ranges = 3;
	t.ranges[2].node = 2;
	t.cpu_node[0] = 0;
	t.boot_cpu = 0;
	t.distance[0][1] = t.distance[1][0] = 30;
	t.distance[0][2] = t.distance[2][0] = 15;
	t.distance[1][2] = t.distance[2][1] = 20;
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	base = nr_allocated_pages(m);
	expect_eq(cpu_to_mem(m, 0), 2);
	p = alloc_pages(m, GFP_KERNEL, 0);
	assert_nonnull(p);
	expect_eq(page_to_nid(m, p), 2);
	__free_pages(m, p, 0);
	/* THISNODE on a memoryless node fails cleanly. */
	p = alloc_pages_node(m, 0, GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN, 0);
	expect_null(p);
	/* Exhaust: every page comes from 2 until 2 is spent, then 1. */
	{
		struct page **all = calloc(4096, sizeof(*all));
		int n = 0;
		bool node2_low = true;

		assert_nonnull(all);
		while (n < 4096 && (p = alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0))) {
			int nid = page_to_nid(m, p);

			/* Node 1 is used only once node 2 is down to its low watermark. */
			if (nid == 1 && got[1] == 0) {
				for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
					struct zone *z = &m->nodes[2].node_zones[zt];

					if (populated_zone(z) &&
					    zone_watermark_ok(z, 0, z->watermark[WMARK_LOW], 0))
						node2_low = false;
				}
			}
			got[nid]++;
			all[n++] = p;
		}
		expect_true(node2_low);
		expect_true(got[2] > 0);
		expect_true(got[1] > 0);
		expect_eq(got[0], 0);
		expect_true(check_machine(m));
		while (n > 0)
			__free_pages(m, all[--n], 0);
		free(all);
	}
	expect_true(check_machine(m));
	expect_eq(nr_allocated_pages(m), base);
	machine_destroy(m);
}

static void test_thisnode(void)
{
	struct machine *m = small_machine(2, 2, 8);
	struct page *p;

	assert_nonnull(m);
	for (int nid = 0; nid < 2; nid++) {
		p = alloc_pages_node(m, nid, GFP_KERNEL | __GFP_THISNODE, 0);
		assert_nonnull(p);
		expect_eq(page_to_nid(m, p), nid);
		__free_pages(m, p, 0);
	}
	/* Node 1 has no ZONE_DMA: fails at once, no reclaim can help. */
	{
		unsigned long runs = m->reclaim_runs;

		p = alloc_pages_node(m, 1, GFP_KERNEL | __GFP_DMA | __GFP_THISNODE, 0);
		expect_null(p);
		expect_eq(m->reclaim_runs, runs);
		expect_eq(sf_reports_count(m, "INFO: page allocation failure"), 1);
		/* NOFAIL cannot be honoured there either: said so. */
		p = alloc_pages_node(m, 1, GFP_KERNEL | __GFP_DMA | __GFP_THISNODE | __GFP_NOFAIL, 0);
		expect_null(p);
		expect_eq(sf_reports_count(m, "WARNING: __GFP_NOFAIL allocation impossible"), 1);
	}
	p = alloc_pages_node(m, 7, GFP_KERNEL, 0);
	expect_null(p);
	expect_eq(sf_reports_count(m, "WARNING: page allocation on invalid node"), 1);
	machine_destroy(m);
}

/* Page state checks on free: each a titled report, the allocator intact. */
static void test_free_checks(void)
{
	struct machine *m = small_machine(1, 1, 4);
	struct page *p, *q;

	assert_nonnull(m);
	p = alloc_pages(m, GFP_KERNEL, 2);
	assert_nonnull(p);
	__free_pages(m, p + 1, 2);
	expect_eq(sf_reports_count(m, "BUG: Freeing tail page"), 1);
	__free_pages(m, p, 1);
	expect_eq(sf_reports_count(m, "BUG: Freeing page with wrong order"), 1);
	__free_pages(m, p, 2);
	expect_true(check_machine(m));
	__free_pages(m, p, 2);
	expect_eq(sf_reports_count(m, "BUG: Page already free"), 1);
	/* A reserved page: the memmap itself lives in reserved memory. */
	q = virt_to_page(m, p);
	assert_nonnull(q);
	expect_eq(q->state, PS_RESERVED);
	__free_pages(m, q, 0);
	expect_eq(sf_reports_count(m, "BUG: Freeing reserved page"), 1);
	/* Bad state: PG_slab left set by the owner. */
	p = alloc_pages(m, GFP_KERNEL, 0);
	assert_nonnull(p);
	p->flags |= PG_slab;
	__free_pages(m, p, 0);
	expect_eq(sf_reports_count(m, "BUG: Bad page state"), 1);
	p->flags &= (uint16_t)~PG_slab;
	__free_pages(m, p, 0);
	free_pages(m, 12345, 0);
	expect_eq(sf_reports_count(m, "BUG: Bad page address"), 1);
	expect_true(check_machine(m));
	expect_eq(test_errors(m), 6);
	machine_destroy(m);
}

static void test_pcp_lists(void)
{
	struct machine *m = small_machine(1, 2, 16);
	struct zone *z;
	struct page *pages[64];
	int high;

	assert_nonnull(m);
	z = &((struct machine *)m)->nodes[0].node_zones[ZONE_NORMAL];
	assert_true(z->pageset != NULL);
	high = z->pageset[0].high;
	expect_true(z->pageset[0].batch >= 1);
	expect_eq(z->pageset[0].count, 0);
	pages[0] = alloc_pages(m, GFP_KERNEL, 0);
	assert_nonnull(pages[0]);
	/* A refill brought a batch; one was handed out. */
	expect_eq(z->pageset[0].count, z->pageset[0].batch - 1);
	__free_pages(m, pages[0], 0);
	expect_eq(z->pageset[0].count, z->pageset[0].batch);
	/* Freeing many pushes the list to high, and a batch goes back. */
	for (int i = 0; i < 64; i++)
		pages[i] = alloc_pages(m, GFP_KERNEL, 0);
	for (int i = 0; i < 64; i++)
		__free_pages(m, pages[i], 0);
	expect_true(z->pageset[0].count < high);
	expect_true(check_machine(m));
	/* cpu 1 has its own list. */
	cpu_switch(m, 1);
	pages[0] = alloc_pages(m, GFP_KERNEL, 0);
	expect_true(z->pageset[1].count > 0 || z->pageset[1].batch == 1);
	__free_pages(m, pages[0], 0);
	drain_all_pages(m);
	expect_eq(z->pageset[0].count, 0);
	expect_eq(z->pageset[1].count, 0);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

struct held_pages {
	struct page *pages[32];
	int nr;
};

static unsigned long shrinker_count(struct machine *m, struct shrinker *s)
{
	struct held_pages *h = s->private_data;

	(void)m;
	return (unsigned long)h->nr;
}

/* The pages a shrinker holds are what reclaim can give back. */
static unsigned long shrinker_scan(struct machine *m, struct shrinker *s, unsigned long nr)
{
	struct held_pages *h = s->private_data;
	unsigned long freed = 0;

	while (h->nr && freed < nr) {
		__free_pages(m, h->pages[--h->nr], 0);
		freed++;
	}
	return freed;
}

/* Reclaim drains pcp lists and calls shrinkers; NORETRY; NOFAIL; atomic reserves. */
static void test_reclaim_and_nofail(void)
{
	unsigned long base = 0;
	struct machine *m = small_machine(1, 1, 4);
	struct held_pages held = { .nr = 0 };
	struct shrinker s = { "test", shrinker_count, shrinker_scan, &held, NULL };
	struct page **all;
	struct page *p;
	unsigned long n = 0, nofail = 0;

	assert_nonnull(m);
	base = nr_allocated_pages(m);
	all = calloc(2048, sizeof(*all));
	assert_nonnull(all);
	register_shrinker(m, &s);
	while ((p = alloc_pages(m, GFP_NOWAIT | __GFP_NOWARN, 0)))
		all[n++] = p;
	expect_true(n > 0);
	/* Atomic (__GFP_HIGH) digs below where GFP_NOWAIT stopped. */
	p = alloc_pages(m, GFP_ATOMIC | __GFP_NOWARN, 0);
	expect_nonnull(p);
	if (p)
		all[n++] = p;
	while ((p = alloc_pages(m, GFP_ATOMIC | __GFP_NOWARN, 0)))
		all[n++] = p;
	/* The shrinker holds 32 of them; GFP_KERNEL reclaims them and succeeds. */
	while (held.nr < 32)
		held.pages[held.nr++] = all[--n];
	p = alloc_pages(m, GFP_KERNEL, 0);
	expect_nonnull(p);
	expect_eq(m->reclaim_runs, 1);
	expect_eq(held.nr, 0);
	if (p)
		all[n++] = p;
	/* Reclaim left the shrunk pages on the pcp list: drain, exhaust again. */
	drain_all_pages(m);
	while ((p = alloc_pages(m, GFP_ATOMIC | __GFP_NOWARN, 0)))
		all[n++] = p;
	/* Below the watermarks: NORETRY fails after one reclaim, with a notice. */
	p = alloc_pages(m, GFP_KERNEL | __GFP_NORETRY, 0);
	expect_null(p);
	if (p)
		all[n++] = p;
	expect_eq(sf_reports_count(m, "INFO: page allocation failure"), 1);
	/* NOFAIL succeeds while any page is free, then reports once. */
	while ((p = alloc_pages(m, GFP_KERNEL | __GFP_NOFAIL, 0))) {
		all[n++] = p;
		nofail++;
	}
	expect_true(nofail > 0);
	expect_eq(nr_free_pages(m), 0);
	expect_eq(sf_reports_count(m, "WARNING: __GFP_NOFAIL allocation impossible"), 1);
	expect_true(check_machine(m));
	unregister_shrinker(m, &s);
	while (n)
		__free_pages(m, all[--n], 0);
	expect_eq(nr_allocated_pages(m), base);
	expect_true(check_machine(m));
	free(all);
	machine_destroy(m);
}

static void test_alloc_pages_exact(void)
{
	unsigned long base = 0;
	struct machine *m = small_machine(1, 1, 4);
	void *p;

	assert_nonnull(m);
	base = nr_allocated_pages(m);
	p = alloc_pages_exact(m, 5 * SF_PAGE_SIZE - 100, GFP_KERNEL);
	assert_nonnull(p);
	expect_eq(nr_allocated_pages(m), base + 5);
	memset(p, 1, 5 * SF_PAGE_SIZE - 100);
	expect_true(check_machine(m));
	free_pages_exact(m, p, 5 * SF_PAGE_SIZE - 100);
	expect_eq(nr_allocated_pages(m), base);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_before_buddy(void)
{
	struct sf_topology t;
	struct machine *m;

	sf_topology_simple(&t, 1, 1, 4);
	m = test_machine(&t, NULL, STAGE_SPARSE);
	assert_nonnull(m);
	expect_null(alloc_pages(m, GFP_KERNEL, 0));
	expect_only_reports(m, "WARNING: page allocation before buddy allocator is up", 1);
	machine_destroy(m);
}

/* Before STAGE_IRQS_ON sleeping bits are masked; after, might_sleep checks. */
static void test_gfp_allowed_mask_and_might_sleep(void)
{
	struct sf_topology t;
	struct machine *m;
	struct page *p;

	sf_topology_simple(&t, 1, 2, 4);
	m = test_machine(&t, NULL, STAGE_BUDDY);
	assert_nonnull(m);
	expect_eq(machine_gfp_allowed_mask(m), GFP_BOOT_MASK);
	p = alloc_pages(m, GFP_KERNEL, 0);	/* irqs off at boot: fine, masked */
	assert_nonnull(p);
	__free_pages(m, p, 0);
	expect_no_reports(m);
	assert_true(machine_boot(m, STAGE_RUNNING) == 0);
	expect_eq(machine_gfp_allowed_mask(m), __GFP_BITS_MASK);
	local_irq_disable(m);
	p = alloc_pages(m, GFP_KERNEL, 0);
	expect_eq(sf_reports_count(m, "BUG: sleeping function called from invalid context"), 1);
	local_irq_enable(m);
	if (p)
		__free_pages(m, p, 0);
	irq_enter(m);
	p = alloc_pages(m, GFP_ATOMIC, 0);	/* fine in interrupt */
	expect_nonnull(p);
	if (p)
		__free_pages(m, p, 0);
	irq_exit(m);
	expect_eq(test_errors(m), 1);
	machine_destroy(m);
}

static void test_fail_page_alloc(void)
{
	struct machine *m = small_machine(1, 1, 4);
	struct fault_attr a = { 0 };
	struct page *p;

	assert_nonnull(m);
	a.nth = 2;
	fail_page_alloc_set(m, &a);
	p = alloc_pages(m, GFP_KERNEL, 0);
	expect_nonnull(p);
	expect_null(alloc_pages(m, GFP_KERNEL, 0));
	__free_pages(m, alloc_pages(m, GFP_KERNEL, 0), 0);
	__free_pages(m, p, 0);
	expect_eq(fail_page_alloc_stats(m).failures, 1);
	/* min_order and ignore-gfp-wait */
	a.nth = 1;
	a.persistent = true;
	a.min_order = 2;
	fail_page_alloc_set(m, &a);
	p = alloc_pages(m, GFP_KERNEL, 0);
	expect_nonnull(p);
	__free_pages(m, p, 0);
	expect_null(alloc_pages(m, GFP_KERNEL, 2));
	expect_null(alloc_pages(m, GFP_KERNEL, 3));
	a.ignore_gfp_reclaim = true;
	fail_page_alloc_set(m, &a);
	p = alloc_pages(m, GFP_KERNEL, 2);
	expect_nonnull(p);
	__free_pages(m, p, 2);
	expect_null(alloc_pages(m, GFP_ATOMIC, 2));
	/* NOFAIL is never failed by injection. */
	p = alloc_pages(m, GFP_ATOMIC | __GFP_NOFAIL, 2);
	expect_nonnull(p);
	__free_pages(m, p, 2);
	/* probability: seeded, so the same count twice */
	{
		unsigned long f1 = 0, f2 = 0;

		memset(&a, 0, sizeof(a));
		a.probability = 300000;
		a.seed = 42;
		for (int round = 0; round < 2; round++) {
			fail_page_alloc_set(m, &a);
			for (int i = 0; i < 100; i++) {
				p = alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0);
				if (p)
					__free_pages(m, p, 0);
			}
			if (round == 0)
				f1 = fail_page_alloc_stats(m).failures;
			else
				f2 = fail_page_alloc_stats(m).failures;
		}
		expect_true(f1 > 10 && f1 < 60);
		expect_eq(f1, f2);
	}
	fail_page_alloc_set(m, NULL);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/*
 * The contract of the draw (docs/fuzzing.md): xorshift64 13/7/17 from the
 * seed, a failure when draw % 10^6 < probability. From seed 1 the first draw
 * is 0x40822041 (1082269761): probability 269761 is exactly the draw's
 * remainder, so the call succeeds; one ppm more and it fails. The nth rule
 * goes first and takes no draw: with nth 1 the second call makes the first
 * draw.
 */
static void test_fault_draw_rule(void)
{
	struct machine *m = small_machine(1, 1, 4);
	struct fault_attr a = { 0 };
	struct page *p;

	assert_nonnull(m);
	a.seed = 1;
	a.probability = 269761;
	fail_page_alloc_set(m, &a);
	p = alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0);
	expect_nonnull(p);
	if (p)
		__free_pages(m, p, 0);
	a.probability = 269762;
	fail_page_alloc_set(m, &a);
	expect_null(alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0));
	a.nth = 1;
	fail_page_alloc_set(m, &a);
	expect_null(alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0));
	expect_null(alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0));
	expect_eq(fail_page_alloc_stats(m).calls, 2);
	expect_eq(fail_page_alloc_stats(m).failures, 2);
	a.probability = 269761;
	fail_page_alloc_set(m, &a);
	expect_null(alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0));
	p = alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0);
	expect_nonnull(p);
	if (p)
		__free_pages(m, p, 0);
	fail_page_alloc_set(m, NULL);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/* Fail the Nth allocation of boot for N = 1, 2, ... until a boot sees none. */
static void fail_nth_boot(bool persistent)
{
	struct sf_topology t;
	unsigned long n;

	sf_topology_simple(&t, 2, 2, 8);
	for (n = 1; n < 10000; n++) {
		struct sf_error err;
		struct machine *m = machine_create(&t, NULL, &err);
		struct fault_attr a = { 0 };
		int ret;

		assert_nonnull(m);
		sf_set_report_handler(m, sf_report_collect, NULL);
		a.nth = n;
		a.persistent = persistent;
		fail_page_alloc_set(m, &a);
		ret = machine_boot(m, STAGE_RUNNING);
		if (fail_page_alloc_stats(m).failures == 0) {
			expect_eq(ret, 0);
			expect_true(check_machine(m));
			machine_destroy(m);
			break;
		}
		/* A failed boot stops cleanly at a stage; the machine is checkable. */
		if (ret)
			expect_true(machine_stage(m) < STAGE_RUNNING);
		expect_true(check_page_layer(m));
		machine_destroy(m);
	}
	expect_true(n > 1);
	expect_true(n < 10000);
}

static void test_fail_nth_boot(void)
{
	fail_nth_boot(false);
	fail_nth_boot(true);
}

int main(void)
{
	RUN(test_boot_and_destroy);
	RUN(test_two_machines);
	RUN(test_every_order);
	RUN(test_gfp_zone_selection);
	RUN(test_gfp_movable_memalloc_retry);
	RUN(test_gfp_zero);
	RUN(test_fallback_by_distance);
	RUN(test_thisnode);
	RUN(test_free_checks);
	RUN(test_pcp_lists);
	RUN(test_reclaim_and_nofail);
	RUN(test_alloc_pages_exact);
	RUN(test_before_buddy);
	RUN(test_gfp_allowed_mask_and_might_sleep);
	RUN(test_fail_page_alloc);
	RUN(test_fault_draw_rule);
	RUN(test_fail_nth_boot);
	return test_summary();
}
