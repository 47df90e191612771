/* SPDX-License-Identifier: MIT */
/*
 * core/memmap.c and the boot that writes the memmap once: a machine booted
 * through the sparse and buddy stages in one machine_boot call (the memmap
 * written by the buddy stage) is in exactly the state of one booted a stage
 * at a time (written at the sparse stage, changed by the buddy stage), by
 * the digest, on topologies with holes, misaligned zones (the merge bug
 * on and off), memoryless nodes and vmemmap blocks of several sections;
 * also when the buddy stage fails and the boot stops at the sparse stage.
 * And the writer of a free block gives the bytes the two-step path gives.
 */
#include "page_alloc.h"
#include "test.h"
#include "slabfuzz/digest.h"

static struct sf_digest da, db;

struct config {
	const char *name;
	struct sf_topology t;
	struct sf_options o;
};

static void holes_topology(struct sf_topology *t)
{
	sf_topology_simple(t, 2, 2, 16);
	t->nr_ranges = 3;
	t->ranges[0] = (struct sf_mem_range){ 0x10, 0x300, 0 };
	t->ranges[1] = (struct sf_mem_range){ 0x500, 0x900, 0 };
	t->ranges[2] = (struct sf_mem_range){ 0xc00, 0x1000, 1 };
	t->zone_dma_end = 0x180;	/* not MAX_ORDER aligned */
	t->zone_dma32_end = 0x700;
	t->max_order = 9;
	t->section_shift = 8;
	t->vmemmap_block_sections = 4;
}

static unsigned int configs(struct config *c)
{
	unsigned int n = 0;

	memset(c, 0, 8 * sizeof(*c));
	c[n].name = "default";
	sf_topology_default(&c[n++].t);
	c[n].name = "small";
	sf_topology_simple(&c[n++].t, 1, 2, 4);
	c[n].name = "holes";
	holes_topology(&c[n].t);
	c[n++].o.debug_level = 3;
	c[n].name = "holes, merge bug, memmaps together";
	holes_topology(&c[n].t);
	c[n].o.bugs = SF_BUG_BUDDY_MERGE_UNALIGNED;
	c[n].o.memmap_together = true;
	c[n++].o.debug_level = -1;
	c[n].name = "memoryless node 0";
	sf_topology_simple(&c[n].t, 3, 3, 12);
	c[n].t.ranges[0].node = 1;
	c[n].t.ranges[1].node = 1;
	c[n++].o.debug_level = -1;
	return n;
}

static struct machine *create(const struct config *c)
{
	struct machine *m = machine_create(&c->t, &c->o, NULL);

	if (m)
		sf_set_report_handler(m, sf_report_collect, NULL);
	return m;
}

/* Boot m to target a stage a call; the first failure's code. */
static int boot_stagewise(struct machine *m, enum boot_stage target)
{
	for (int s = machine_stage(m) + 1; s <= (int)target; s++) {
		int ret = machine_boot(m, (enum boot_stage)s);

		if (ret)
			return ret;
	}
	return 0;
}

static void expect_same_digest(struct machine *a, struct machine *b, const char *what)
{
	long diff;

	assert_true(sf_digest_take(a, &da) == 0);
	assert_true(sf_digest_take(b, &db) == 0);
	diff = sf_digest_diff(&da, &db);
	if (diff >= 0)
		test_fail(__FILE__, __LINE__, "%s: digests differ at field %ld (kind %u, %u %u %u)",
			  what, diff, (size_t)diff < da.nr ? da.f[diff].kind : 0,
			  (size_t)diff < da.nr ? da.f[diff].a : 0,
			  (size_t)diff < da.nr ? da.f[diff].b : 0,
			  (size_t)diff < da.nr ? da.f[diff].c : 0);
	expect_eq(diff, -1);
}

static void test_one_call_equals_stages(void)
{
	static const enum boot_stage targets[] = { STAGE_BUDDY, STAGE_RUNNING };
	struct config c[8];
	unsigned int nr = configs(c);

	for (unsigned int i = 0; i < nr; i++) {
		for (unsigned int k = 0; k < 2; k++) {
			struct machine *a = create(&c[i]), *b = create(&c[i]);

			assert_nonnull(a);
			assert_nonnull(b);
			expect_eq(machine_boot(a, targets[k]), 0);
			expect_eq(boot_stagewise(b, targets[k]), 0);
			expect_false(a->sparse.memmap_deferred);
			expect_same_digest(a, b, c[i].name);
			/* The merge bug's boot breaks P2 (blocks across zones). */
			expect_true(check_machine(a) == !c[i].o.bugs);
			machine_destroy(a);
			machine_destroy(b);
		}
	}
}

/* Fail the nth boot memory allocation: the one-call boot stops where the
 * stagewise one does, in the same state, and both boot on alike. */
static void test_failed_boot_equals_stages(void)
{
	struct config c[8];
	unsigned int failed_at_buddy = 0, nth;

	configs(c);
	for (nth = 1; nth < 100; nth++) {
		struct machine *a = create(&c[2]), *b = create(&c[2]);
		struct fault_attr attr = { .nth = nth }, off = { 0 };
		int ra, rb;

		assert_nonnull(a);
		assert_nonnull(b);
		fail_page_alloc_set(a, &attr);
		fail_page_alloc_set(b, &attr);
		ra = machine_boot(a, STAGE_BUDDY);
		rb = boot_stagewise(b, STAGE_BUDDY);
		expect_eq(ra, rb);
		expect_eq(machine_stage(a), machine_stage(b));
		failed_at_buddy += ra && machine_stage(a) == STAGE_SPARSE;
		expect_false(a->sparse.memmap_deferred);
		expect_true(check_machine(a));
		expect_same_digest(a, b, "failed boot");
		fail_page_alloc_set(a, &off);
		fail_page_alloc_set(b, &off);
		expect_eq(machine_boot(a, STAGE_RUNNING), 0);
		expect_eq(boot_stagewise(b, STAGE_RUNNING), 0);
		expect_same_digest(a, b, "boot after the failure");
		machine_destroy(a);
		machine_destroy(b);
		if (!ra)
			break;
	}
	expect_true(nth < 100);
	expect_true(failed_at_buddy > 0);	/* the pagesets: after the memmaps */
}

/* memmap_init_free_block gives the bytes of memmap_init_pages followed by
 * page_block_set_state(PS_BUDDY) on the tails, for every block size. */
static void test_free_block_bytes(void)
{
	struct sf_topology t;
	struct machine *m;
	static struct page two_step[1 << 10], one_step[1 << 10];

	sf_topology_simple(&t, 2, 2, 16);
	m = create(&(struct config){ "", t, { .debug_level = -1 } });
	assert_nonnull(m);
	assert_true(machine_boot(m, STAGE_SPARSE) == 0);
	for (unsigned int order = 0; order < m->max_order && order <= 10; order++) {
		pfn_t pfn = (pfn_t)3 << order;	/* memory, aligned to the block */
		unsigned long n = 1ul << order;

		memset(two_step, 0xa5, sizeof(two_step));
		memset(one_step, 0x5a, sizeof(one_step));
		memmap_init_pages(m, two_step, pfn, pfn + n, 0);
		page_block_set_state(m, two_step, order, PS_BUDDY);
		memmap_init_pages(m, two_step, pfn, pfn + 1, 0);	/* the head stays reserved */
		memmap_init_free_block(m, one_step, pfn, order);
		expect_true(!memcmp(two_step, one_step, n * sizeof(struct page)));
		expect_eq(one_step[n - 1].pfn, pfn + n - 1);
		expect_eq(one_step[0].state, PS_RESERVED);
		if (n > 1)
			expect_eq(one_step[n - 1].head_offset, n - 1);
	}
	machine_destroy(m);
}

int main(void)
{
	RUN(test_one_call_equals_stages);
	RUN(test_failed_boot_equals_stages);
	RUN(test_free_block_bytes);
	sf_digest_free(&da);
	sf_digest_free(&db);
	return test_summary();
}
