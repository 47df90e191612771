/* SPDX-License-Identifier: MIT */
/*
 * memblock: the boot memory allocator (core/memblock.c), white-box.
 * Every machine here stays at STAGE_EARLY: memblock is all there is.
 */
#include "test.h"
#include "internal.h"

#ifdef SF_HAVE_ASAN
static const bool have_asan = true;
#else
static const bool have_asan = false;
#endif

#define MIB (1ULL << 20)

/* A topology of ranges given as data: { start_pfn, end_pfn, node }. */
static void topo_ranges(struct sf_topology *t, unsigned int nr_nodes,
			const struct sf_mem_range *ranges, unsigned int nr_ranges)
{
	sf_topology_simple(t, nr_nodes, nr_nodes, 16);
	t->nr_ranges = nr_ranges;
	memcpy(t->ranges, ranges, nr_ranges * sizeof(ranges[0]));
	for (unsigned int c = 0; c < t->nr_cpus; c++)
		t->cpu_node[c] = (int)c;
	t->zone_dma_end = 0;
	t->zone_dma32_end = 0;
	t->zone_movable_start = SF_MAX_PFN;
}

static bool phys_in(uint64_t phys, uint64_t size, pfn_t start, pfn_t end)
{
	return phys >= PFN_PHYS(start) && phys + size <= PFN_PHYS(end);
}

static void expect_valid(struct machine *m)
{
	char why[256] = "";
	bool ok = memblock_is_valid(m, why, sizeof(why));

	expect_true(ok);
	if (!ok)
		fprintf(stderr, "  memblock_is_valid: %s\n", why);
}

/*
 * Ranges out of order, two of them adjacent on one node:
 *
 *   pfn 0     0x100     0x200      0x300     0x400
 *       | n1   |  hole   | n0  | n0 |  hole  | ...
 */
static void test_memory_from_topology(void)
{
	static const struct sf_mem_range ranges[] = {
		{ 0x280, 0x300, 0 }, { 0x000, 0x100, 1 }, { 0x200, 0x280, 0 },
	};
	struct sf_topology t;
	struct machine *m;
	struct memblock *mb;

	topo_ranges(&t, 2, ranges, 3);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	mb = &m->memblock;
	expect_eq(mb->memory.cnt, 2);
	expect_eq(mb->memory.regions[0].base, 0);
	expect_eq(mb->memory.regions[0].size, PFN_PHYS(0x100));
	expect_eq(mb->memory.regions[0].nid, 1);
	expect_eq(mb->memory.regions[1].base, PFN_PHYS(0x200));
	expect_eq(mb->memory.regions[1].size, PFN_PHYS(0x100));
	expect_eq(mb->memory.regions[1].nid, 0);
	expect_eq(mb->reserved.cnt, 0);
	expect_eq(mb->allocated_bytes, 0);
	expect_true(memblock_is_memory_pfn(m, 0));
	expect_true(memblock_is_memory_pfn(m, 0xff));
	expect_false(memblock_is_memory_pfn(m, 0x100));
	expect_false(memblock_is_memory_pfn(m, 0x1ff));
	expect_true(memblock_is_memory_pfn(m, 0x2ff));
	expect_false(memblock_is_memory_pfn(m, 0x300));
	expect_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

/* Default machine: node 0 [0, 0x2000), node 1 [0x2000, 0x4000). */
static void test_alloc_node_aware(void)
{
	struct sf_topology t;
	struct machine *m;
	uint8_t *p0, *p1, *p2;

	sf_topology_default(&t);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);

	p0 = memblock_alloc_node(m, 3000, 64, 0);
	p1 = memblock_alloc_node(m, 3000, 64, 1);
	assert_nonnull(p0);
	assert_nonnull(p1);
	expect_true(phys_in(virt_to_phys(m, p0), 3000, t.ranges[0].start_pfn,
			    t.ranges[0].end_pfn));
	expect_true(phys_in(virt_to_phys(m, p1), 3000, t.ranges[1].start_pfn,
			    t.ranges[1].end_pfn));
	/* Top-down: the first allocation of a node sits at its end, aligned down. */
	expect_eq(virt_to_phys(m, p1), (PFN_PHYS(t.ranges[1].end_pfn) - 3000) & ~63ULL);
	for (int i = 0; i < 3000; i++)
		expect_eq(p0[i] | p1[i], 0);
	expect_false(kasan_is_poisoned(p0));
	expect_false(kasan_is_poisoned(p0 + 2999));
	memset(p0, 0xaa, 3000);
	expect_eq(m->memblock.allocated_bytes, 6000);

	/* SF_NO_NODE: the memory node of the current cpu. */
	cpu_switch(m, 3);
	p2 = memblock_alloc(m, 100, 0);
	assert_nonnull(p2);
	expect_true(phys_in(virt_to_phys(m, p2), 100, t.ranges[1].start_pfn,
			    t.ranges[1].end_pfn));
	cpu_switch(m, 0);
	p2 = memblock_alloc(m, 100, 0);
	assert_nonnull(p2);
	expect_true(phys_in(virt_to_phys(m, p2), 100, t.ranges[0].start_pfn,
			    t.ranges[0].end_pfn));
	expect_eq(virt_to_phys(m, p2) % 8, 0);
	expect_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

/*
 * Three nodes, memory only on the farthest from node 0:
 *
 *   node 0 (cpu 0, no memory) --15-- node 1 (cpu 1, no memory)
 *        \                               /
 *         40                          30
 *           \                        /
 *            node 2: pfn [0, 0x400) 4 MiB
 *
 * An allocation for node 0 or node 1 lands on node 2, the nearest node
 * WITH memory, not on the nearest node.
 */
static void test_fallback_memory_only_on_farthest(void)
{
	static const struct sf_mem_range ranges[] = { { 0, 0x400, 2 } };
	struct sf_topology t;
	struct machine *m;
	void *p;

	topo_ranges(&t, 3, ranges, 1);
	t.distance[0][1] = t.distance[1][0] = 15;
	t.distance[0][2] = t.distance[2][0] = 40;
	t.distance[1][2] = t.distance[2][1] = 30;
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	for (int nid = 0; nid < 3; nid++) {
		p = memblock_alloc_node(m, PAGE_SIZE, PAGE_SIZE, nid);
		assert_nonnull(p);
		expect_true(phys_in(virt_to_phys(m, p), PAGE_SIZE, 0, 0x400));
	}
	/* The boot cpu sits on memoryless node 0. */
	p = memblock_alloc(m, 64, 64);
	assert_nonnull(p);
	expect_eq(m->memblock.reserved.regions[0].nid, 2);
	expect_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

/*
 * Three nodes; node 2 has the higher id but is nearer to node 0:
 *
 *   node 0 (cpu 0, no memory)
 *     --30-- node 1: pfn [0x000, 0x100) 1 MiB
 *     --20-- node 2: pfn [0x100, 0x140) 256 KiB
 *
 * Node 0's allocations go to node 2 until it is full, then to node 1.
 */
static void test_fallback_by_distance(void)
{
	static const struct sf_mem_range ranges[] = { { 0x000, 0x100, 1 }, { 0x100, 0x140, 2 } };
	struct sf_topology t;
	struct machine *m;
	void *p;
	int on_node2 = 0;

	topo_ranges(&t, 3, ranges, 2);
	t.distance[0][1] = t.distance[1][0] = 30;
	t.distance[0][2] = t.distance[2][0] = 20;
	t.distance[1][2] = t.distance[2][1] = 25;
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	for (;;) {
		p = memblock_alloc_node(m, 16 * PAGE_SIZE, PAGE_SIZE, 0);
		assert_nonnull(p);
		if (!phys_in(virt_to_phys(m, p), 16 * PAGE_SIZE, 0x100, 0x140))
			break;
		on_node2++;
	}
	expect_eq(on_node2, 4);
	/* Node 2 is full: the next nearest node with memory. */
	expect_true(phys_in(virt_to_phys(m, p), 16 * PAGE_SIZE, 0x000, 0x100));
	/* An allocation for node 2 itself falls back to node 1 as well. */
	p = memblock_alloc_node(m, 8, 8, 2);
	assert_nonnull(p);
	expect_true(phys_in(virt_to_phys(m, p), 8, 0x000, 0x100));
	expect_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_alignment(void)
{
	struct sf_topology t;
	struct machine *m;

	sf_topology_simple(&t, 1, 1, 16);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	for (size_t align = 1; align <= MIB; align <<= 1) {
		/* Odd sizes leave the next top unaligned. */
		void *p = memblock_alloc(m, 24 + align / 3, align);

		assert_nonnull(p);
		expect_eq(virt_to_phys(m, p) & (align - 1), 0);
	}
	expect_eq(virt_to_phys(m, memblock_alloc(m, 1, 0)) % 8, 0);
	expect_no_reports(m);

	expect_null(memblock_alloc(m, 64, 48));
	expect_only_reports(m, "WARNING: memblock allocation with bad alignment", 1);
	sf_reports_clear(m);
	expect_null(memblock_alloc_node(m, 64, 64, 1));
	expect_null(memblock_alloc_node(m, 64, 64, -2));
	expect_only_reports(m, "WARNING: memblock allocation on invalid node", 2);
	expect_null(memblock_alloc(m, 0, 0));
	expect_valid(m);
	machine_destroy(m);
}

/* One node of 4 MiB: fill it with 64 KiB chunks until nothing fits. */
static void test_exhaustion(void)
{
	struct sf_topology t;
	struct machine *m;
	void *p, *last = NULL;
	unsigned int n = 0;

	sf_topology_simple(&t, 1, 1, 4);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	expect_null(memblock_alloc(m, 4 * MIB + 1, 0));
	while ((p = memblock_alloc(m, 64 * 1024, PAGE_SIZE)) != NULL) {
		last = p;
		n++;
	}
	expect_eq(n, 64);
	expect_eq(m->memblock.allocated_bytes, 4 * MIB);
	expect_eq(m->memblock.reserved.cnt, 1);
	expect_null(memblock_alloc(m, 1, 1));
	/* Top-down: the last chunk is at the bottom. Give it back and get it again. */
	assert_nonnull(last);
	expect_eq(virt_to_phys(m, last), 0);
	memblock_free(m, last, 64 * 1024);
	expect_eq(virt_to_phys(m, memblock_alloc(m, 64 * 1024, PAGE_SIZE)), 0);
	expect_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_free_and_realloc(void)
{
	struct sf_topology t;
	struct machine *m;
	uint8_t *a, *b, *c, *b2;

	sf_topology_simple(&t, 1, 1, 16);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	a = memblock_alloc(m, 3 * PAGE_SIZE, PAGE_SIZE);
	b = memblock_alloc(m, 5 * PAGE_SIZE, PAGE_SIZE);
	c = memblock_alloc(m, 2 * PAGE_SIZE, PAGE_SIZE);
	assert_true(a && b && c);
	expect_true(c + 2 * PAGE_SIZE == b && b + 5 * PAGE_SIZE == a);
	expect_eq(m->memblock.reserved.cnt, 1);
	memset(b, 0x5a, 5 * PAGE_SIZE);

	memblock_free(m, b, 5 * PAGE_SIZE);
	expect_eq(m->memblock.reserved.cnt, 2);
	expect_eq(m->memblock.allocated_bytes, 5 * PAGE_SIZE);
	expect_eq(kasan_is_poisoned(b), have_asan);
	expect_eq(kasan_is_poisoned(b + 5 * PAGE_SIZE - 1), have_asan);
	expect_false(kasan_is_poisoned(a));
	/* The hole b left is the highest fit: reused, and zeroed again. */
	b2 = memblock_alloc(m, 5 * PAGE_SIZE, PAGE_SIZE);
	expect_true(b2 == b);
	expect_eq(b2[0] | b2[5 * PAGE_SIZE - 1], 0);
	expect_eq(m->memblock.reserved.cnt, 1);

	/* Freeing the middle of an allocation splits its region. */
	memblock_free(m, b + PAGE_SIZE, 100);
	expect_eq(m->memblock.reserved.cnt, 2);
	expect_true(memblock_is_reserved_pfn(m, PHYS_PFN(virt_to_phys(m, b)) + 1));
	memblock_free(m, b + PAGE_SIZE + 100, PAGE_SIZE - 100);
	expect_eq(m->memblock.reserved.cnt, 2);
	expect_false(memblock_is_reserved_pfn(m, PHYS_PFN(virt_to_phys(m, b)) + 1));
	expect_true(memblock_is_reserved_pfn(m, PHYS_PFN(virt_to_phys(m, b))));
	expect_valid(m);
	expect_no_reports(m);

	/* Double free, a free across a hole in reserved, a pointer outside memory. */
	memblock_free(m, b + PAGE_SIZE, 100);
	memblock_free(m, b, 3 * PAGE_SIZE);
	memblock_free(m, &t, 8);
	expect_only_reports(m, "WARNING: memblock_free of unreserved memory", 3);
	expect_eq(m->memblock.allocated_bytes, 9 * PAGE_SIZE);
	memblock_free(m, NULL, 8);
	expect_valid(m);
	machine_destroy(m);
}

/*
 * Two nodes touching at pfn 0x100:
 *
 *   pfn 0       0xf0  0x100                         0x200
 *       | node 0 | rsv | rsv (all of node 1)            |
 *
 * Reservations merge only with neighbours of the same node.
 */
static void test_reserved_merging(void)
{
	static const struct sf_mem_range ranges[] = { { 0x000, 0x100, 0 }, { 0x100, 0x200, 1 } };
	struct sf_topology t;
	struct machine *m;
	struct memblock_type *rsv;

	topo_ranges(&t, 2, ranges, 2);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	rsv = &m->memblock.reserved;
	for (int i = 0; i < 16; i++)
		assert_nonnull(memblock_alloc_node(m, PAGE_SIZE, PAGE_SIZE, 0));
	expect_eq(rsv->cnt, 1);
	expect_eq(rsv->regions[0].base, PFN_PHYS(0xf0));
	expect_eq(rsv->regions[0].size, PFN_PHYS(0x10));
	assert_nonnull(memblock_alloc_node(m, PFN_PHYS(0x100), PAGE_SIZE, 1));
	expect_eq(rsv->cnt, 2);
	expect_eq(rsv->regions[1].base, PFN_PHYS(0x100));
	expect_eq(rsv->regions[1].nid, 1);
	expect_eq(rsv->regions[0].nid, 0);
	/* A free spanning both nodes' reservations is fine. */
	memblock_free(m, phys_to_virt(m, PFN_PHYS(0xff)), 2 * PAGE_SIZE);
	expect_eq(rsv->cnt, 2);
	expect_eq(rsv->regions[0].size, PFN_PHYS(0xf));
	expect_eq(rsv->regions[1].base, PFN_PHYS(0x101));
	/* Node 1 gets its page 0x100 back; then it is full and falls back to node 0. */
	assert_true(memblock_alloc_node(m, PAGE_SIZE, PAGE_SIZE, 1) ==
		    phys_to_virt(m, PFN_PHYS(0x100)));
	assert_true(memblock_alloc_node(m, PAGE_SIZE, PAGE_SIZE, 1) ==
		    phys_to_virt(m, PFN_PHYS(0xff)));
	expect_eq(rsv->cnt, 2);
	expect_eq(rsv->regions[0].base, PFN_PHYS(0xf0));
	expect_eq(rsv->regions[0].size, PFN_PHYS(0x10));
	expect_eq(rsv->regions[1].base, PFN_PHYS(0x100));
	expect_eq(rsv->regions[1].size, PFN_PHYS(0x100));
	expect_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

struct walk {
	unsigned int n;
	pfn_t start[16], end[16];
	int nid[16];
};

static void walk_fn(struct machine *m, pfn_t start, pfn_t end, int nid, void *arg)
{
	struct walk *w = arg;

	(void)m;
	if (w->n < 16) {
		w->start[w->n] = start;
		w->end[w->n] = end;
		w->nid[w->n] = nid;
	}
	w->n++;
}

static void expect_range(const struct walk *w, unsigned int i, pfn_t start, pfn_t end, int nid)
{
	expect_true(i < w->n);
	if (i >= w->n || i >= 16)
		return;
	expect_eq(w->start[i], start);
	expect_eq(w->end[i], end);
	expect_eq(w->nid[i], nid);
}

/*
 * Holes between ranges and a node boundary without a hole:
 *
 *   pfn 0x000    0x100     0x200    0x300     0x400
 *       | node 0  |  hole   | node 0 | node 1  |
 *
 * then reservations in the middle of node 0's second range, one of them
 * covering only part of page 0x250:
 *
 *       0x200  0x220 0x228    0x250(part)          0x2ff 0x300
 *       | free  | rsv | free   | rsv | free          |rsv|
 */
static void test_free_range_walk(void)
{
	static const struct sf_mem_range ranges[] = {
		{ 0x000, 0x100, 0 }, { 0x200, 0x300, 0 }, { 0x300, 0x400, 1 },
	};
	struct sf_topology t;
	struct machine *m;
	struct walk w;
	uint8_t *all;

	topo_ranges(&t, 2, ranges, 3);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);

	memset(&w, 0, sizeof(w));
	memblock_for_each_free_range(m, walk_fn, &w);
	expect_eq(w.n, 3);
	expect_range(&w, 0, 0x000, 0x100, 0);
	expect_range(&w, 1, 0x200, 0x300, 0);
	expect_range(&w, 2, 0x300, 0x400, 1);

	/* Take all of [0x200, 0x300) and give back all but the reservations. */
	all = memblock_alloc_node(m, PFN_PHYS(0x100), PAGE_SIZE, 0);
	assert_nonnull(all);
	assert_true(virt_to_phys(m, all) == PFN_PHYS(0x200));
	memblock_free(m, all, PFN_PHYS(0x20));
	memblock_free(m, all + PFN_PHYS(0x28), PFN_PHYS(0x28) + 100);
	memblock_free(m, all + PFN_PHYS(0x50) + 200, PFN_PHYS(0xff - 0x50) - 200);
	expect_eq(m->memblock.reserved.cnt, 3);
	expect_true(memblock_is_reserved_pfn(m, 0x220));
	expect_true(memblock_is_reserved_pfn(m, 0x227));
	expect_false(memblock_is_reserved_pfn(m, 0x228));
	expect_true(memblock_is_reserved_pfn(m, 0x250));
	expect_false(memblock_is_reserved_pfn(m, 0x251));
	expect_true(memblock_is_reserved_pfn(m, 0x2ff));
	expect_false(memblock_is_reserved_pfn(m, 0x300));
	expect_false(memblock_is_reserved_pfn(m, 0x100));

	memset(&w, 0, sizeof(w));
	memblock_for_each_free_range(m, walk_fn, &w);
	expect_eq(w.n, 5);
	expect_range(&w, 0, 0x000, 0x100, 0);
	expect_range(&w, 1, 0x200, 0x220, 0);
	expect_range(&w, 2, 0x228, 0x250, 0);
	expect_range(&w, 3, 0x251, 0x2ff, 0);
	expect_range(&w, 4, 0x300, 0x400, 1);
	expect_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_fault_injection(void)
{
	struct sf_topology t;
	struct fault_attr attr;
	struct machine *m;

	sf_topology_default(&t);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);

	memset(&attr, 0, sizeof(attr));
	attr.nth = 1;
	fail_page_alloc_set(m, &attr);
	expect_null(memblock_alloc(m, 64, 0));
	expect_nonnull(memblock_alloc(m, 64, 0));
	expect_eq(fail_page_alloc_stats(m).calls, 2);
	expect_eq(fail_page_alloc_stats(m).failures, 1);

	attr.nth = 3;
	attr.persistent = true;
	fail_page_alloc_set(m, &attr);
	expect_nonnull(memblock_alloc_node(m, 64, 0, 0));
	expect_nonnull(memblock_alloc_node(m, 64, 0, 1));
	for (int i = 0; i < 4; i++)
		expect_null(memblock_alloc_node(m, 64, 0, i & 1));
	expect_eq(fail_page_alloc_stats(m).failures, 4);
	fail_page_alloc_set(m, NULL);
	expect_nonnull(memblock_alloc(m, 64, 0));
	expect_eq(m->memblock.allocated_bytes, 4 * 64);
	expect_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

static uint64_t region_end_of(const struct memblock_region *r)
{
	return r->base + r->size;
}

static void expect_invalid_why(struct machine *m, const char *needle)
{
	char why[256] = "";

	expect_false(memblock_is_valid(m, why, sizeof(why)));
	expect_str_contains(why, needle);
}

/* Break one relation at a time in the arrays; the validator names it. */
static void test_validator_catches_corruption(void)
{
	struct sf_topology t;
	struct machine *m;
	struct memblock *mb;
	struct memblock_region saved;

	sf_topology_default(&t);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	mb = &m->memblock;
	assert_nonnull(memblock_alloc_node(m, PAGE_SIZE, 0, 0));
	assert_nonnull(memblock_alloc_node(m, PAGE_SIZE, 0, 1));
	expect_valid(m);
	assert_true(mb->memory.cnt == 2 && mb->reserved.cnt == 2);

	saved = mb->memory.regions[0];
	mb->memory.regions[0] = mb->memory.regions[1];
	mb->memory.regions[1] = saved;
	expect_invalid_why(m, "memblock.memory[1]");
	mb->memory.regions[1] = mb->memory.regions[0];
	mb->memory.regions[0] = saved;
	expect_valid(m);

	mb->memory.regions[0].size += PAGE_SIZE;
	expect_invalid_why(m, "overlapping");
	mb->memory.regions[0].size -= PAGE_SIZE;

	saved = mb->reserved.regions[1];
	mb->reserved.regions[1].size = 0;
	expect_invalid_why(m, "memblock.reserved[1]: size 0");
	mb->reserved.regions[1] = saved;

	mb->reserved.regions[0].nid = 9;
	expect_invalid_why(m, "nid 9");
	mb->reserved.regions[0].nid = 1;
	expect_invalid_why(m, "its memory is on node 0");
	mb->reserved.regions[0].nid = 0;

	/* A reservation straddling the node boundary lies in no single region. */
	saved = mb->reserved.regions[0];
	mb->reserved.regions[0].size = mb->reserved.regions[1].base - saved.base + 1;
	expect_invalid_why(m, "overlapping");
	assert_true(region_end_of(&saved) == PFN_PHYS(t.ranges[0].end_pfn));
	mb->reserved.regions[0].size = saved.size + 1;
	expect_invalid_why(m, "not inside one memory region");
	mb->reserved.regions[0] = saved;
	expect_valid(m);

	mb->allocated_bytes++;
	expect_invalid_why(m, "allocated_bytes");
	mb->allocated_bytes--;

	mb->reserved.cnt = mb->reserved.max + 1;
	expect_invalid_why(m, "cnt");
	mb->reserved.cnt = 2;
	expect_valid(m);
	machine_destroy(m);
}

static void test_alloc_after_retire(void)
{
	struct sf_topology t;
	struct machine *m;
	const struct sf_report *r;

	sf_topology_default(&t);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	expect_nonnull(memblock_alloc(m, 64, 0));
	memblock_retire(m);
	expect_null(memblock_alloc(m, 64, 0));
	expect_null(memblock_alloc_node(m, 64, 0, 1));
	expect_only_reports(m, "WARNING: memblock allocation after buddy is up", 2);
	r = sf_reports_get(m, 0);
	assert_nonnull(r);
	expect_eq(r->kind, SF_REPORT_WARN);
	expect_str_contains(r->body, "size 64");
	expect_eq(m->memblock.allocated_bytes, 64);
	machine_destroy(m);
}

/* With the page allocator up, memblock refuses and says why. */
static void test_alloc_after_boot(void)
{
	struct sf_topology t;
	struct machine *m;
	char why[256] = "";

	sf_topology_default(&t);
	m = test_machine(&t, NULL, STAGE_BUDDY);
	assert_nonnull(m);
	expect_true(m->memblock.retired);
	expect_true(memblock_is_valid(m, why, sizeof(why)));
	expect_null(memblock_alloc(m, 64, 0));
	expect_only_reports(m, "WARNING: memblock allocation after buddy is up", 1);
	machine_destroy(m);
}

int main(void)
{
	RUN(test_memory_from_topology);
	RUN(test_alloc_node_aware);
	RUN(test_fallback_memory_only_on_farthest);
	RUN(test_fallback_by_distance);
	RUN(test_alignment);
	RUN(test_exhaustion);
	RUN(test_free_and_realloc);
	RUN(test_reserved_merging);
	RUN(test_free_range_walk);
	RUN(test_fault_injection);
	RUN(test_validator_catches_corruption);
	RUN(test_alloc_after_retire);
	RUN(test_alloc_after_boot);
	return test_summary();
}
