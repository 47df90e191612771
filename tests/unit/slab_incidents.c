/* SPDX-License-Identifier: MIT */
/*
 * The slab incidents of seed-bugs.md: each switch shows its report under
 * the historical conditions only, and the same scenario is clean with the
 * switch off.
 */
#include "test.h"

#include "slab.h"

static struct machine *create(const struct sf_topology *t, unsigned int bugs, const char *dbg)
{
	struct sf_options o = { .debug_level = 3, .bugs = bugs, .slab_debug = dbg };
	struct sf_error err;
	struct machine *m = machine_create(t, &o, &err);

	if (m)
		sf_set_report_handler(m, sf_report_collect, NULL);
	return m;
}

static bool is_kmalloc_size(unsigned int size)
{
	if (size == 96 || size == 192)
		return true;
	return size >= 8 && size <= 8192 && !(size & (size - 1));
}

/* nr_nodes (and debug) for which the node structure size is or is not a kmalloc size. */
static int find_topology(bool coincide, const char **dbg)
{
	static const char *const dbgs[] = { NULL, "FZPU" };

	for (unsigned int d = 0; d < 2; d++) {
		for (unsigned int nodes = 1; nodes <= 16; nodes++) {
			struct sf_topology t;
			struct machine *m;
			bool hit;

			sf_topology_simple(&t, nodes, nodes, 4 * nodes);
			m = create(&t, 0, dbgs[d]);
			if (!m)
				continue;
			hit = is_kmalloc_size(kmem_cache_node_size(m, dbgs[d] ? SLAB_DEBUG_FLAGS : 0));
			machine_destroy(m);
			if (hit == coincide) {
				*dbg = dbgs[d];
				return (int)nodes;
			}
		}
	}
	return -1;
}

/* Incident 4: DMA caches created from kmalloc index 0 (kmem_cache_node). */
static void test_dma_duplicate(void)
{
	const char *dbg;
	int nodes = find_topology(true, &dbg);
	struct sf_topology t;
	struct machine *m;

	assert_true(nodes > 0);
	sf_topology_simple(&t, (unsigned int)nodes, (unsigned int)nodes, 4 * (unsigned int)nodes);

	m = create(&t, SF_BUG_SLAB_DMA_DUPLICATE, dbg);
	assert_nonnull(m);
	expect_ne(machine_boot(m, STAGE_RUNNING), 0);
	expect_eq(sf_reports_count(m, "WARNING: sysfs: cannot create duplicate filename"), 1);
	expect_eq(test_errors(m), 1);
	expect_true(check_machine(m));
	machine_destroy(m);

	m = create(&t, 0, dbg);
	assert_nonnull(m);
	expect_eq(machine_boot(m, STAGE_RUNNING), 0);
	expect_no_reports(m);
	expect_true(check_machine(m));
	machine_destroy(m);

	/* The switch on, sizes apart: no name clash, an extra odd DMA cache at
	 * index 0, which the checker finds (S11, kmalloc_caches_valid). */
	nodes = find_topology(false, &dbg);
	assert_true(nodes > 0);
	sf_topology_simple(&t, (unsigned int)nodes, (unsigned int)nodes, 4 * (unsigned int)nodes);
	m = create(&t, SF_BUG_SLAB_DMA_DUPLICATE, dbg);
	assert_nonnull(m);
	expect_eq(machine_boot(m, STAGE_RUNNING), 0);
	expect_no_reports(m);
	expect_false(check_machine(m));
	expect_only_reports(m, "BUG: slab invariant broken", 1);
	for (unsigned int i = 0; sf_reports_get(m, i); i++)
		if (sf_reports_get(m, i)->kind == SF_REPORT_BUG)
			expect_str_contains(sf_reports_get(m, i)->body, "S11: DMA kmalloc index 0");
	machine_destroy(m);
}

/*
 * The default machine with slab_debug: 2 nodes, a simulated node structure
 * of 192 bytes on every host (kmem_cache_node_size is the model's own).
 */
static void test_dma_duplicate_default_debug(void)
{
	struct sf_topology t;
	struct machine *m;

	sf_topology_default(&t);
	m = create(&t, SF_BUG_SLAB_DMA_DUPLICATE, "FZPU");
	assert_nonnull(m);
	expect_eq(kmem_cache_node_size(m, SLAB_DEBUG_FLAGS), 192);
	expect_ne(machine_boot(m, STAGE_RUNNING), 0);
	expect_eq(sf_reports_count(m, "WARNING: sysfs: cannot create duplicate filename"), 1);
	machine_destroy(m);
}

/*
 * Incident 1: boot cpu on memoryless node 0, memory only on node 1.
 *   node0: cpus 0-1, no memory   node1: cpus 2-3, all memory
 */
static void memoryless_topology(struct sf_topology *t, unsigned int boot_cpu)
{
	sf_topology_simple(t, 2, 4, 16);
	t->ranges[0].node = 1;
	t->boot_cpu = boot_cpu;
}

static void test_memoryless_boot(void)
{
	struct sf_topology t;
	struct machine *m;

	memoryless_topology(&t, 0);
	m = create(&t, SF_BUG_SLAB_MEMORYLESS_BOOT, NULL);
	assert_nonnull(m);
	/* The switch reports nothing itself: the bootstrap finds no memory on
	 * node 0 and boot fails, though node 1 has all of it (the fuzz targets'
	 * boot oracle: HARNESS: boot failed with memory available). */
	expect_eq(machine_boot(m, STAGE_RUNNING), -ENOMEM);
	expect_no_reports(m);
	expect_true(machine_stage(m) < STAGE_SLAB_PARTIAL);
	machine_destroy(m);

	/* Off: the same machine boots and allocates from node 1. */
	m = create(&t, 0, NULL);
	assert_nonnull(m);
	expect_eq(machine_boot(m, STAGE_RUNNING), 0);
	expect_nonnull(kmalloc(m, 32, GFP_KERNEL));
	expect_no_reports(m);
	expect_true(check_machine(m));
	machine_destroy(m);

	/* On, but the boot cpu has memory: nothing shows. */
	memoryless_topology(&t, 2);
	m = create(&t, SF_BUG_SLAB_MEMORYLESS_BOOT, NULL);
	assert_nonnull(m);
	expect_eq(machine_boot(m, STAGE_RUNNING), 0);
	expect_no_reports(m);
	expect_true(check_machine(m));
	machine_destroy(m);

	/* Variant: memory only on the farthest of four nodes. */
	sf_topology_simple(&t, 4, 4, 16);
	for (unsigned int i = 0; i < t.nr_ranges; i++)
		t.ranges[i].node = 3;
	t.boot_cpu = 0;
	m = create(&t, 0, NULL);
	assert_nonnull(m);
	expect_eq(machine_boot(m, STAGE_RUNNING), 0);
	expect_no_reports(m);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/* Incident 2: an early GFP_KERNEL allocation that misses the queue, timer pending. */
static void early_irq_scenario(unsigned int bugs, gfp_t gfp, unsigned long expect)
{
	struct sf_topology t;
	struct machine *m;
	struct kmem_cache *s;
	int cpu;

	sf_topology_default(&t);
	m = create(&t, bugs, NULL);
	assert_nonnull(m);
	assert_true(machine_boot(m, STAGE_SLAB_UP) == 0);
	s = kmem_cache_create(m, "early", 128, 0, SLAB_NO_MERGE, NULL);
	assert_nonnull(s);
	cpu = smp_processor_id(m);
	timer_set_pending(m, cpu);
	expect_nonnull(kmem_cache_alloc(m, s, gfp));	/* empty queue, no slab: grows */
	expect_eq(sf_reports_count(m, "BUG: timer interrupt before timer init"), expect);
	expect_eq(test_errors(m), expect);
	expect_true(irqs_disabled(m));
	expect_eq(timer_pending(m, cpu), !expect);
	expect_true(check_machine(m));
	machine_destroy(m);
}

static void test_early_irq_enable(void)
{
	early_irq_scenario(SF_BUG_SLAB_EARLY_IRQ_ENABLE, GFP_KERNEL, 1);
	early_irq_scenario(0, GFP_KERNEL, 0);
	early_irq_scenario(SF_BUG_SLAB_EARLY_IRQ_ENABLE, GFP_NOWAIT, 0);
}

/* The race switches exist and change nothing single-threaded. */
static void test_race_switches_single_thread(void)
{
	struct sf_topology t;
	struct machine *m;
	struct kmem_cache *s;
	void *x;

	sf_topology_default(&t);
	m = create(&t, SF_BUG_SLAB_RESIZE_RACE | SF_BUG_SLAB_SYSFS_RACE, NULL);
	assert_nonnull(m);
	assert_true(machine_boot(m, STAGE_RUNNING) == 0);
	s = kmem_cache_create(m, "racy", 64, 0, SLAB_NO_MERGE, NULL);
	assert_nonnull(s);
	x = kmem_cache_alloc(m, s, GFP_KERNEL);
	expect_eq(kmem_cache_tune(m, s, 10, 5, 1), 0);
	kmem_cache_free(m, s, x);
	kmem_cache_destroy(m, s);
	expect_no_reports(m);
	expect_true(check_machine(m));
	machine_destroy(m);
}

int main(void)
{
	RUN(test_dma_duplicate);
	RUN(test_dma_duplicate_default_debug);
	RUN(test_memoryless_boot);
	RUN(test_early_irq_enable);
	RUN(test_race_switches_single_thread);
	return test_summary();
}
