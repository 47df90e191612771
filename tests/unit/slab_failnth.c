/* SPDX-License-Identifier: MIT */
/*
 * Fail the Nth slab or page allocation for N = 1, 2, ... (transient and
 * persistent) over the slab bootstrap and over a mixed workload, until a run
 * sees no injected failure: never a crash, the checker holds, and
 * machine_destroy leaves no leak (LeakSanitizer for the process's heap,
 * machine_leaked for the machine's host arena: every unwinding frees what it
 * took).
 */
#include "test.h"

#include "slab.h"

typedef void (*set_fn)(struct machine *m, const struct fault_attr *attr);
typedef struct fault_stats (*stats_fn)(const struct machine *m);

static struct machine *create(void)
{
	struct sf_topology t;
	struct sf_options o = { .debug_level = 3, .slab_debug = NULL };
	struct machine *m;

	sf_topology_default(&t);
	m = machine_create(&t, &o, NULL);
	if (m)
		sf_set_report_handler(m, sf_report_collect, NULL);
	return m;
}

static void destroy_no_leak(struct machine *m, unsigned long nth)
{
	char why[128];
	unsigned long leaked;

	machine_destroy(m);
	leaked = machine_leaked(why, sizeof(why));
	if (leaked)
		fprintf(stderr, "nth %lu: %lu host structures leaked (sizes %s)\n", nth, leaked,
			why);
	expect_true(leaked == 0);
}

static void boot_loop(set_fn set, stats_fn stats, bool persistent)
{
	for (unsigned long nth = 1; nth < 5000; nth++) {
		struct fault_attr attr = { .nth = nth, .persistent = persistent };
		struct machine *m = create();
		unsigned long failures;
		int ret;

		assert_nonnull(m);
		assert_true(machine_boot(m, STAGE_BUDDY) == 0);
		set(m, &attr);
		ret = machine_boot(m, STAGE_RUNNING);
		expect_true(ret == 0 || ret == -ENOMEM || ret == -EEXIST);
		if (ret == 0) {
			void *x = kmalloc(m, 100, GFP_KERNEL);

			kfree(m, x);
		}
		failures = stats(m).failures;
		set(m, NULL);
		expect_true(check_machine(m));
		expect_no_reports(m);
		if (test_errors(m))
			fprintf(stderr, "boot nth %lu: %s\n", nth, sf_reports_get(m, 0)->title);
		if (failures == 0) {
			expect_eq(ret, 0);
			destroy_no_leak(m, nth);
			return;
		}
		destroy_no_leak(m, nth);
	}
	expect_true(!"boot never ran without an injected failure");
}

static void test_boot_failslab(void)
{
	boot_loop(failslab_set, failslab_stats, false);
	boot_loop(failslab_set, failslab_stats, true);
}

static void test_boot_fail_page_alloc(void)
{
	boot_loop(fail_page_alloc_set, fail_page_alloc_stats, false);
	boot_loop(fail_page_alloc_set, fail_page_alloc_stats, true);
}

/* A mixed workload whose every allocation may fail. */
static void workload(struct machine *m)
{
	enum { N = 300 };
	void *objs[N] = { NULL };
	struct kmem_cache *s = kmem_cache_create(m, "mixed", 72, 0, SLAB_NO_MERGE, NULL);

	for (int i = 0; i < N; i++) {
		cpu_switch(m, i % 4);
		switch (i % 5) {
		case 0: objs[i] = kmalloc(m, 16 + (size_t)i * 7 % 3000, GFP_KERNEL); break;
		case 1: objs[i] = s ? kmem_cache_alloc(m, s, GFP_KERNEL) : NULL; break;
		case 2: objs[i] = kmalloc_node(m, 200, GFP_KERNEL, i & 1); break;
		case 3: objs[i] = kzalloc(m, 5000, GFP_ATOMIC); break;
		default: objs[i] = kmalloc(m, 64, GFP_KERNEL | __GFP_DMA); break;
		}
		if (i % 3 == 0 && i >= 3 && (i - 3) % 5 != 1) {
			void *n = krealloc(m, objs[i - 3], 700, GFP_KERNEL);

			if (n)
				objs[i - 3] = n;
		}
	}
	if (s)
		kmem_cache_tune(m, s, 30, 10, 2);
	for (int i = 0; i < N; i++) {
		cpu_switch(m, (i * 3) % 4);
		if (i % 5 == 1)
			kmem_cache_free(m, s, objs[i]);
		else
			kfree(m, objs[i]);
	}
	cpu_switch(m, 0);
	kmem_cache_destroy(m, s);
}

static void workload_loop(set_fn set, stats_fn stats, bool persistent)
{
	for (unsigned long nth = 1; nth < 5000; nth++) {
		struct fault_attr attr = { .nth = nth, .persistent = persistent };
		struct machine *m = create();

		assert_nonnull(m);
		assert_true(machine_boot(m, STAGE_RUNNING) == 0);
		{
		set(m, &attr);
		unsigned long failures;

		workload(m);
		failures = stats(m).failures;
		set(m, NULL);
		expect_true(check_machine(m));
		expect_no_reports(m);
		if (test_errors(m))
			fprintf(stderr, "nth %lu: %s\n", nth, sf_reports_get(m, 0)->title);
		if (failures == 0) {
			destroy_no_leak(m, nth);
			return;
		}
		destroy_no_leak(m, nth);
		}
	}
	expect_true(!"workload never ran without an injected failure");
}

static void test_workload(void)
{
	workload_loop(failslab_set, failslab_stats, false);
	workload_loop(failslab_set, failslab_stats, true);
	workload_loop(fail_page_alloc_set, fail_page_alloc_stats, false);
	workload_loop(fail_page_alloc_set, fail_page_alloc_stats, true);
}

int main(void)
{
	RUN(test_boot_failslab);
	RUN(test_boot_fail_page_alloc);
	RUN(test_workload);
	return test_summary();
}
