/* SPDX-License-Identifier: MIT */
/*
 * core/host_memory.c: a destroyed machine's mapping is reused by the next
 * machine it fits, and reads exactly like a fresh one: every page the
 * earlier machine wrote is zero again when handed out, memory not handed out
 * is poisoned (ASan builds), and a mapping with many written pages is given
 * back to the host.
 */
#include "internal.h"
#include "test.h"

#ifdef SF_HAVE_ASAN
static const bool have_asan = true;
#else
static const bool have_asan = false;
#endif

#define MAX_PAGES 4096

/* Allocate order-0 pages until none is left; returns how many (pages[]). */
static unsigned int alloc_all(struct machine *m, struct page **pages, gfp_t gfp)
{
	unsigned int n = 0;

	while (n < MAX_PAGES) {
		struct page *p = alloc_pages(m, gfp | __GFP_NOWARN | __GFP_NORETRY, 0);

		if (!p)
			break;
		pages[n++] = p;
	}
	return n;
}

static void free_all(struct machine *m, struct page **pages, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		__free_pages(m, pages[i], 0);
}

/* The host bytes behind a page handed out without __GFP_ZERO (uninitialised
 * for MSan: the test looks at what the mapping holds, on purpose). */
static bool page_is_zero(struct machine *m, struct page *p)
{
	const uint8_t *a = page_address(m, p);

	kmsan_mark_init(a, PAGE_SIZE);

	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (a[i])
			return false;
	return true;
}

static struct page *pages[MAX_PAGES];

static void test_reused_mapping_reads_fresh(void)
{
	struct sf_topology t;
	struct machine *m;
	uint8_t *base;
	unsigned int n, nonzero = 0;
	void *obj;

	sf_topology_simple(&t, 1, 2, 4);
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	/* Write every free page and a kmalloc object, leave some live. */
	n = alloc_all(m, pages, GFP_KERNEL);
	expect_true(n > 512);
	for (unsigned int i = 0; i < n; i++)
		memset(page_address(m, pages[i]), 0xa5, PAGE_SIZE);
	free_all(m, pages, n / 2);
	obj = kmalloc(m, 200, GFP_KERNEL);
	assert_nonnull(obj);
	memset(obj, 0x5a, 200);
	base = m->mem_base;
	expect_no_reports(m);
	machine_destroy(m);

	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	expect_true(m->mem_base == base);	/* the parked mapping */
	if (have_asan)
		for (unsigned int i = 0; i < t.nr_ranges; i++)
			expect_true(kasan_is_poisoned(m->mem_base +
						      PFN_PHYS(t.ranges[i].start_pfn)));
	expect_eq(machine_boot(m, STAGE_RUNNING), 0);
	/* Without __GFP_ZERO: what a fresh mapping holds, zero. */
	n = alloc_all(m, pages, GFP_KERNEL);
	expect_true(n > 512);
	for (unsigned int i = 0; i < n; i++)
		nonzero += !page_is_zero(m, pages[i]);
	expect_eq(nonzero, 0);
	free_all(m, pages, n);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_larger_machine_maps_and_keeps_the_larger(void)
{
	struct sf_topology small, big;
	struct machine *m;
	uint8_t *small_base, *big_base;

	sf_topology_simple(&small, 1, 2, 4);
	sf_topology_simple(&big, 1, 2, 16);
	m = test_machine(&small, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	small_base = m->mem_base;
	machine_destroy(m);
	/* The parked 4 MiB mapping does not fit: a fresh one. */
	m = test_machine(&big, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	big_base = m->mem_base;
	expect_eq(m->mem_map_size, (size_t)16 << 20);
	machine_destroy(m);
	/* The 16 MiB one is parked now and fits the small machine too. */
	m = test_machine(&small, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	expect_true(m->mem_base == big_base);
	expect_eq(m->mem_size, (size_t)4 << 20);
	expect_eq(m->mem_map_size, (size_t)16 << 20);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
	(void)small_base;
}

static void test_many_written_pages_are_given_back(void)
{
	struct sf_topology t;
	struct machine *m;
	unsigned int n;

	sf_topology_simple(&t, 1, 2, 64);
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	/* 4096 pages (16 MiB) a round, written and kept: three rounds pass the
	 * 32 MiB bound of written pages. */
	for (int round = 0; round < 3; round++) {
		n = alloc_all(m, pages, GFP_KERNEL);
		expect_eq(n, MAX_PAGES);
		for (unsigned int i = 0; i < n; i++)
			memset(page_address(m, pages[i]), 0xa5, PAGE_SIZE);
	}
	expect_true(atomic_load(&m->mem_resident) > (32u << 20) / PAGE_SIZE);
	machine_destroy(m);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	expect_eq(atomic_load(&m->mem_resident), 0);
	expect_eq(machine_boot(m, STAGE_RUNNING), 0);
	n = alloc_all(m, pages, GFP_KERNEL);
	expect_eq(n, MAX_PAGES);
	for (unsigned int i = 0; i < n; i++)
		expect_true(page_is_zero(m, pages[i]));
	expect_no_reports(m);
	machine_destroy(m);
}

int main(void)
{
	RUN(test_reused_mapping_reads_fresh);
	RUN(test_larger_machine_maps_and_keeps_the_larger);
	RUN(test_many_written_pages_are_given_back);
	return test_summary();
}
