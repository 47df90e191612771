/* SPDX-License-Identifier: MIT */
/* The machine: boot stages, gfp_allowed_mask, cpus, interrupts, timers, sched points. */
#include <pthread.h>

#include "test.h"
#include "internal.h"

static void test_stages_in_order(void)
{
	struct sf_topology t;
	struct machine *m;

	sf_topology_simple(&t, 2, 4, 8);
	m = test_machine(&t, NULL, STAGE_EARLY);
	assert_nonnull(m);
	expect_eq(machine_stage(m), STAGE_EARLY);
	for (int s = STAGE_SPARSE; s < NR_BOOT_STAGES; s++) {
		expect_eq(machine_boot(m, (enum boot_stage)s), 0);
		expect_eq(machine_stage(m), s);
		expect_eq(machine_gfp_allowed_mask(m),
			  s >= STAGE_IRQS_ON ? __GFP_BITS_MASK : GFP_BOOT_MASK);
		/* The boot cpu takes interrupts from IRQS_ON; the others from SMP_UP. */
		expect_eq(irqs_disabled(m), s < STAGE_IRQS_ON);
		expect_eq(cpu_online(m, 1), s >= STAGE_SMP_UP);
		expect_true(check_machine(m));
	}
	expect_eq(machine_boot(m, NR_BOOT_STAGES), -EINVAL);
	expect_true(strcmp(boot_stage_name(STAGE_SLAB_UP), "slab_up") == 0);
	expect_no_reports(m);
	machine_destroy(m);
	machine_destroy(NULL);
}

/*
 * Boot from a memoryless node (incident 1 at the page layer):
 *   node0: cpus 0-1, no memory   node1: cpus 2-3, all memory
 */
static void test_boot_cpu_on_memoryless_node(void)
{
	struct sf_topology t;
	struct machine *m;
	struct page *p;

	sf_topology_simple(&t, 2, 4, 8);
	t.ranges[0].node = 1;
	t.boot_cpu = 0;
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	expect_eq(cpu_to_node(m, 0), 0);
	expect_eq(cpu_to_mem(m, 0), 1);
	p = alloc_pages(m, GFP_KERNEL, 0);
	assert_nonnull(p);
	expect_eq(page_to_nid(m, p), 1);
	__free_pages(m, p, 0);
	p = alloc_pages_node(m, SF_NO_NODE, GFP_KERNEL | __GFP_THISNODE, 0);
	assert_nonnull(p);	/* NUMA_NO_NODE means the nearest node with memory */
	expect_eq(page_to_nid(m, p), 1);
	__free_pages(m, p, 0);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_cpu_switch_and_irqs(void)
{
	struct sf_topology t;
	struct machine *m;

	sf_topology_simple(&t, 1, 3, 4);
	t.boot_cpu = 2;
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	expect_eq(smp_processor_id(m), 2);
	expect_eq(cpu_switch(m, 3), -EINVAL);
	expect_eq(cpu_switch(m, 0), 0);
	expect_eq(smp_processor_id(m), 0);
	expect_false(irqs_disabled(m));
	{
		bool flags = local_irq_save(m);

		expect_true(flags);
		expect_true(irqs_disabled(m));
		local_irq_restore(m, flags);
	}
	expect_false(irqs_disabled(m));
	irq_enter(m);
	expect_true(in_interrupt(m));
	expect_true(irqs_disabled(m));
	irq_exit(m);
	expect_false(in_interrupt(m));
	preempt_disable(m);
	expect_eq(this_cpu(m)->preempt_count, 1);
	preempt_enable(m);
	machine_destroy(m);
}

struct hook_state {
	int fired;
	enum sched_point want;
	struct page *got;
};

/* An interrupt handler that allocates on the same cpu, injected at a sched point. */
static void alloc_in_irq_hook(struct machine *m, enum sched_point sp, int cpu, void *data)
{
	struct hook_state *hs = data;

	(void)cpu;
	if (sp != hs->want || hs->fired || irqs_disabled(m))
		return;
	hs->fired++;
	irq_enter(m);
	hs->got = alloc_pages(m, GFP_ATOMIC, 0);
	irq_exit(m);
}

static void test_sched_hook_injects_interrupt(void)
{
	struct sf_topology t;
	struct machine *m;
	struct hook_state hs = { 0, SP_PCP_REFILL, NULL };
	struct page *p;

	sf_topology_simple(&t, 1, 1, 4);
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	sched_set_hook(m, alloc_in_irq_hook, &hs);
	p = alloc_pages(m, GFP_KERNEL, 0);
	assert_nonnull(p);
	expect_eq(hs.fired, 1);
	assert_nonnull(hs.got);
	expect_ne((long)(uintptr_t)hs.got, (long)(uintptr_t)p);
	expect_true(sched_point_hits(m, SP_PCP_REFILL) >= 2);
	sched_set_hook(m, NULL, NULL);
	__free_pages(m, hs.got, 0);
	__free_pages(m, p, 0);
	expect_true(check_machine(m));
	expect_no_reports(m);
	expect_true(strcmp(sched_point_name(SP_SLAB_RESIZE), "SP_SLAB_RESIZE") == 0);
	machine_destroy(m);
}

/* A pending timer fires at the next sched point with interrupts on. */
static void test_timer_interrupts(void)
{
	struct sf_topology t;
	struct machine *m;
	struct page *p;

	sf_topology_simple(&t, 1, 2, 4);
	m = test_machine(&t, NULL, STAGE_BUDDY);
	assert_nonnull(m);
	/* Early boot: interrupts off, the timer stays pending. */
	timer_set_pending(m, 0);
	p = alloc_pages(m, GFP_KERNEL, 0);
	assert_nonnull(p);
	__free_pages(m, p, 0);
	expect_true(timer_pending(m, 0));
	expect_eq(timer_fired(m, 0), 0);
	/* Interrupts enabled too early (what incident 2's slow path did): it fires
	 * into uninitialised timer code. */
	local_irq_enable(m);
	p = alloc_pages(m, GFP_KERNEL, 0);
	local_irq_disable(m);
	assert_nonnull(p);
	__free_pages(m, p, 0);
	expect_false(timer_pending(m, 0));
	expect_eq(timer_fired(m, 0), 1);
	expect_only_reports(m, "BUG: timer interrupt before timer init", 1);
	/* After TIMERS_ON the same is harmless. */
	assert_true(machine_boot(m, STAGE_RUNNING) == 0);
	timer_set_pending(m, 0);
	p = alloc_pages(m, GFP_KERNEL, 0);
	assert_nonnull(p);
	__free_pages(m, p, 0);
	expect_eq(timer_fired(m, 0), 2);
	expect_eq(test_errors(m), 1);
	machine_destroy(m);
}

struct thread_arg {
	struct machine *m;
	int cpu;
	int ops;
	struct page **handoff;	/* pages this thread frees from the other */
	int nr_handoff;
};

/* Two real threads on two cpus, freeing each other's pages. */
static void *page_thread(void *p)
{
	struct thread_arg *a = p;
	struct page *mine[64];

	cpu_bind(a->m, a->cpu);
	for (int i = 0; i < a->ops; i++) {
		int n = 1 + i % 64;

		for (int j = 0; j < n; j++)
			mine[j] = alloc_pages(a->m, GFP_KERNEL, (unsigned int)(j % 3));
		for (int j = 0; j < n; j++)
			if (mine[j])
				__free_pages(a->m, mine[j], (unsigned int)(j % 3));
	}
	for (int i = 0; i < a->nr_handoff; i++)
		__free_pages(a->m, a->handoff[i], 0);
	cpu_bind(a->m, -1);
	return NULL;
}

static void test_two_threads(void)
{
	unsigned long base = 0;
	struct sf_topology t;
	struct machine *m;
	pthread_t th[2];
	struct thread_arg args[2];
	struct page *hand[2][32];

	sf_topology_simple(&t, 2, 2, 8);
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	base = nr_allocated_pages(m);
	for (int c = 0; c < 2; c++) {
		cpu_switch(m, c);
		for (int i = 0; i < 32; i++) {
			hand[c][i] = alloc_pages(m, GFP_KERNEL, 0);
			assert_nonnull(hand[c][i]);
		}
	}
	for (int c = 0; c < 2; c++) {
		args[c] = (struct thread_arg){ m, c, 200, hand[1 - c], 32 };
		pthread_create(&th[c], NULL, page_thread, &args[c]);
	}
	for (int c = 0; c < 2; c++)
		pthread_join(th[c], NULL);
	expect_eq(nr_allocated_pages(m), base);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

int main(void)
{
	RUN(test_stages_in_order);
	RUN(test_boot_cpu_on_memoryless_node);
	RUN(test_cpu_switch_and_irqs);
	RUN(test_sched_hook_injects_interrupt);
	RUN(test_timer_interrupts);
	RUN(test_two_threads);
	return test_summary();
}
