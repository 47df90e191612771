/* SPDX-License-Identifier: MIT */
/*
 * The machine: creation from a topology, the boot stages, destruction.
 *
 * Simulated physical memory is one anonymous host mapping of max_pfn pages,
 * reserved but not touched: holes are never written, so a machine costs host
 * memory only for what it uses; a destroyed machine's mapping is zeroed and
 * parked for the next one (core/host_memory.c). Everything the machine owns
 * hangs off struct machine; two machines share nothing.
 */
#include <linux/membarrier.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

static const char *const stage_names[NR_BOOT_STAGES] = {
	[STAGE_NONE] = "none",
	[STAGE_EARLY] = "early",
	[STAGE_SPARSE] = "sparse",
	[STAGE_BUDDY] = "buddy",
	[STAGE_SLAB_PARTIAL] = "slab_partial",
	[STAGE_SLAB_UP] = "slab_up",
	[STAGE_IRQS_ON] = "irqs_on",
	[STAGE_TIMERS_ON] = "timers_on",
	[STAGE_SMP_UP] = "smp_up",
	[STAGE_RUNNING] = "running",
};

const char *boot_stage_name(enum boot_stage stage)
{
	return (unsigned int)stage < NR_BOOT_STAGES ? stage_names[stage] : "?";
}

/*
 * The seam for "current cpu" of host threads that drive one cpu each
 * (stress drivers). Single-threaded drivers use machine->current_cpu.
 */
_Thread_local struct cpu_binding sf_cpu_binding;

int smp_processor_id(struct machine *m)
{
	return this_cpu_id(m);
}

int cpu_switch(struct machine *m, int cpu)
{
	if (cpu < 0 || (unsigned int)cpu >= m->topo.nr_cpus)
		return -EINVAL;
	m->current_cpu = cpu;
	return 0;
}

int cpu_bind(struct machine *m, int cpu)
{
	if (cpu < 0) {
		if (sf_cpu_binding.m == m) {
			sf_cpu_binding.m = NULL;
			atomic_fetch_sub(&m->nr_bound_threads, 1);
		}
		return 0;
	}
	if ((unsigned int)cpu >= m->topo.nr_cpus)
		return -EINVAL;
	if (sf_cpu_binding.m != m)
		atomic_fetch_add(&m->nr_bound_threads, 1);
	sf_cpu_binding.m = m;
	sf_cpu_binding.cpu = cpu;
	return 0;
}

/* Registration is per process and idempotent; false when the kernel lacks it. */
static bool host_membarrier_register(void)
{
	return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

void host_heavy_fence(struct machine *m)
{
	if (m->membarrier_ok && atomic_load_explicit(&m->nr_bound_threads, memory_order_relaxed) &&
	    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
		return;
	atomic_thread_fence(memory_order_seq_cst);
}

bool cpu_online(const struct machine *m, int cpu)
{
	if (cpu < 0 || (unsigned int)cpu >= m->topo.nr_cpus)
		return false;
	return atomic_load(&m->cpus[cpu].online);
}

int cpu_to_node(const struct machine *m, int cpu)
{
	return m->cpus[cpu].node;
}

int cpu_to_mem(const struct machine *m, int cpu)
{
	return m->cpus[cpu].mem_node;
}

const struct sf_topology *machine_topology(const struct machine *m)
{
	return &m->topo;
}

enum boot_stage machine_stage(const struct machine *m)
{
	return m->stage;
}

gfp_t machine_gfp_allowed_mask(const struct machine *m)
{
	return atomic_load_explicit(&m->gfp_allowed_mask, memory_order_relaxed);
}

/* ---- interrupt state of the current cpu ---- */

void local_irq_disable(struct machine *m)
{
	this_cpu(m)->irqs_enabled = false;
}

void local_irq_enable(struct machine *m)
{
	this_cpu(m)->irqs_enabled = true;
}

bool irqs_disabled(struct machine *m)
{
	return !this_cpu(m)->irqs_enabled;
}

bool local_irq_save(struct machine *m)
{
	struct cpu *c = this_cpu(m);
	bool was = c->irqs_enabled;

	c->irqs_enabled = false;
	return was;
}

void local_irq_restore(struct machine *m, bool were_enabled)
{
	this_cpu(m)->irqs_enabled = were_enabled;
}

void preempt_disable(struct machine *m)
{
	this_cpu(m)->preempt_count++;
}

void preempt_enable(struct machine *m)
{
	struct cpu *c = this_cpu(m);

	SF_BUG_ON(c->preempt_count <= 0);
	c->preempt_count--;
}

bool in_interrupt(struct machine *m)
{
	return this_cpu(m)->irq_depth > 0;
}

void irq_enter(struct machine *m)
{
	struct cpu *c = this_cpu(m);

	c->irq_depth++;
	c->irqs_enabled = false;
}

void irq_exit(struct machine *m)
{
	struct cpu *c = this_cpu(m);

	SF_BUG_ON(c->irq_depth <= 0);
	c->irq_depth--;
	/* Interrupts were on when the interrupt was taken. */
	c->irqs_enabled = true;
}

/* ---- timers and sched points ---- */

void timer_set_pending(struct machine *m, int cpu)
{
	if (cpu < 0 || (unsigned int)cpu >= m->topo.nr_cpus)
		return;
	atomic_store(&m->cpus[cpu].timer_pending, true);
}

bool timer_pending(const struct machine *m, int cpu)
{
	if (cpu < 0 || (unsigned int)cpu >= m->topo.nr_cpus)
		return false;
	return atomic_load(&m->cpus[cpu].timer_pending);
}

unsigned long timer_fired(const struct machine *m, int cpu)
{
	if (cpu < 0 || (unsigned int)cpu >= m->topo.nr_cpus)
		return 0;
	return atomic_load(&m->cpus[cpu].timer_fired);
}

/*
 * The timer interrupt handler. Before STAGE_TIMERS_ON the clock event
 * device is not set up and the handler runs on uninitialised state: the
 * crash of incident 2, reported here instead.
 */
static void timer_interrupt(struct machine *m, struct cpu *c, enum sched_point sp)
{
	atomic_store(&c->timer_pending, false);
	atomic_fetch_add(&c->timer_fired, 1);
	if (m->stage < STAGE_TIMERS_ON) {
		struct report_ctx ctx = REPORT_CTX_NONE(sched_point_name(sp));

		report(m, SF_REPORT_BUG, "BUG: timer interrupt before timer init", &ctx,
		       "timer interrupt taken on cpu %d at %s during stage %s: the clock\n"
		       "event device is not initialised yet (interrupts were enabled too early)\n",
		       c->id, sched_point_name(sp), boot_stage_name(m->stage));
	}
}

static const char *const sched_point_names[NR_SCHED_POINTS] = {
#define SF_SP_NAME(name) [name] = #name,
	SF_SCHED_POINTS(SF_SP_NAME)
#undef SF_SP_NAME
};

const char *sched_point_name(enum sched_point sp)
{
	return (unsigned int)sp < NR_SCHED_POINTS ? sched_point_names[sp] : "?";
}

void sched_set_hook(struct machine *m, sched_hook_fn fn, void *data)
{
	m->sched_hook = fn;
	m->sched_hook_data = data;
}

unsigned long sched_point_hits(const struct machine *m, enum sched_point sp)
{
	unsigned long n = 0;

	if ((unsigned int)sp >= NR_SCHED_POINTS)
		return 0;
	for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
		n += atomic_load_explicit(&m->cpus[c].sched_hits[sp], memory_order_relaxed);
	return n;
}

void sched_point(struct machine *m, enum sched_point sp)
{
	int cpu = smp_processor_id(m);
	struct cpu *c = &m->cpus[cpu];

	atomic_store_explicit(&c->sched_hits[sp],
			      atomic_load_explicit(&c->sched_hits[sp], memory_order_relaxed) + 1,
			      memory_order_relaxed);
	if (c->irqs_enabled && atomic_load_explicit(&c->timer_pending, memory_order_relaxed))
		timer_interrupt(m, c, sp);
	if (m->sched_hook)
		m->sched_hook(m, sp, cpu, m->sched_hook_data);
}

/* ---- nodes ---- */

int nodes_by_distance(const struct machine *m, int nid, int *order, bool memory_only)
{
	int n = 0;

	for (unsigned int i = 0; i < m->topo.nr_nodes; i++) {
		int cand = (int)i;
		int j;

		if (memory_only && !node_state(m, cand, N_MEMORY))
			continue;
		/* Insertion sort by (distance, node id): stable and deterministic. */
		for (j = n; j > 0; j--) {
			unsigned int dj = sf_topology_distance(&m->topo, nid, order[j - 1]);
			unsigned int dc = sf_topology_distance(&m->topo, nid, cand);

			if (dj < dc || (dj == dc && order[j - 1] < cand))
				break;
			order[j] = order[j - 1];
		}
		order[j] = cand;
		n++;
	}
	return n;
}

enum zone_type pfn_zone_type(const struct machine *m, pfn_t pfn)
{
	if (pfn < m->topo.zone_dma_end)
		return ZONE_DMA;
	if (pfn < m->topo.zone_dma32_end)
		return ZONE_DMA32;
	if (pfn < m->topo.zone_movable_start)
		return ZONE_NORMAL;
	return ZONE_MOVABLE;
}

static void machine_init_nodes(struct machine *m)
{
	const struct sf_topology *t = &m->topo;

	for (unsigned int n = 0; n < t->nr_nodes; n++) {
		m->node_states[N_POSSIBLE] |= 1u << n;
		m->node_states[N_ONLINE] |= 1u << n;
		m->nodes[n].node_id = (int)n;
		m->nodes[n].node_start_pfn = SF_MAX_PFN;
		m->nodes[n].node_end_pfn = 0;
	}
	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		const struct sf_mem_range *r = &t->ranges[i];
		struct pglist_data *pgdat = &m->nodes[r->node];

		m->node_states[N_MEMORY] |= 1u << r->node;
		if (r->start_pfn < t->zone_movable_start)
			m->node_states[N_NORMAL_MEMORY] |= 1u << r->node;
		if (r->start_pfn < pgdat->node_start_pfn)
			pgdat->node_start_pfn = r->start_pfn;
		if (r->end_pfn > pgdat->node_end_pfn)
			pgdat->node_end_pfn = r->end_pfn;
		pgdat->node_present_pages += r->end_pfn - r->start_pfn;
		if (r->end_pfn > m->max_pfn)
			m->max_pfn = r->end_pfn;
	}
	for (unsigned int n = 0; n < t->nr_nodes; n++) {
		int order[SF_MAX_NODES];
		struct pglist_data *pgdat = &m->nodes[n];

		if (pgdat->node_end_pfn == 0)
			pgdat->node_start_pfn = 0;
		pgdat->nearest_mem_node = nodes_by_distance(m, (int)n, order, true) ? order[0] : -1;
	}
	for (unsigned int c = 0; c < t->nr_cpus; c++) {
		struct cpu *cpu = &m->cpus[c];

		cpu->id = (int)c;
		cpu->node = t->cpu_node[c];
		cpu->mem_node = m->nodes[cpu->node].nearest_mem_node;
		m->node_states[N_CPU] |= 1u << cpu->node;
	}
}

static void fault_state_init(struct fault_state *fs)
{
	memset(fs, 0, sizeof(*fs));
	spin_lock_init(&fs->lock);
}

struct machine *machine_create(const struct sf_topology *t, const struct sf_options *opts,
			       struct sf_error *err)
{
	struct host_arena *arena;
	struct machine *m;

	if (sf_topology_validate(t, err))
		return NULL;
	arena = host_arena_new();
	m = arena ? host_zalloc(arena, sizeof(*m)) : NULL;
	if (m)
		m->arena = arena;
	if (!m || !lockdep_machine_add(m)) {
		host_free(arena, m);
		host_arena_delete(arena);
		if (err) {
			snprintf(err->field, sizeof(err->field), "host");
			snprintf(err->msg, sizeof(err->msg), m ? "too many live machines" :
								  "out of host memory");
		}
		return NULL;
	}
	m->topo = *t;
	if (opts)
		m->opts = *opts;
	else
		m->opts.debug_level = -1;
	m->debug_level = m->opts.debug_level >= 0 ? m->opts.debug_level : SF_DEFAULT_DEBUG_LEVEL;
	if (!opts)
		m->opts.debug_level = m->debug_level;
	m->bugs = m->opts.bugs;
	m->max_order = t->max_order;
	m->current_cpu = (int)t->boot_cpu;
	m->membarrier_ok = host_membarrier_register();
	m->report_fn = sf_report_print;
	spin_lock_init(&m->report_lock);
	spin_lock_init(&m->shrinker_lock);
	fault_state_init(&m->fail_page_alloc);
	fault_state_init(&m->failslab);
	atomic_store(&m->gfp_allowed_mask, GFP_BOOT_MASK);
	machine_init_nodes(m);

	m->mem_size = (size_t)m->max_pfn << PAGE_SHIFT;
	if (host_memory_map(m)) {
		if (err) {
			snprintf(err->field, sizeof(err->field), "host");
			snprintf(err->msg, sizeof(err->msg), "cannot map %zu bytes of memory",
				 m->mem_size);
		}
		machine_destroy(m);
		return NULL;
	}
	/* Nothing in simulated memory is usable until memblock hands it out. */
	for (unsigned int i = 0; i < t->nr_ranges; i++)
		kasan_poison(m->mem_base + PFN_PHYS(t->ranges[i].start_pfn),
			     PFN_PHYS(t->ranges[i].end_pfn - t->ranges[i].start_pfn));

	/* The boot cpu runs with interrupts off until STAGE_IRQS_ON. */
	atomic_store(&m->cpus[t->boot_cpu].online, true);
	if (memblock_init(m)) {
		if (err) {
			snprintf(err->field, sizeof(err->field), "host");
			snprintf(err->msg, sizeof(err->msg), "out of host memory for memblock");
		}
		machine_destroy(m);
		return NULL;
	}
	m->stage = STAGE_EARLY;
	return m;
}

static int boot_one_stage(struct machine *m, enum boot_stage next, enum boot_stage target)
{
	int ret = 0;

	switch (next) {
	case STAGE_NONE:
	case STAGE_EARLY:
	case NR_BOOT_STAGES:
		break;
	case STAGE_SPARSE:
		/* Nothing runs between the sparse and the buddy stage when one
		 * call boots through both: the memmap is written once, then. */
		ret = sparse_init_boot(m, target >= STAGE_BUDDY);
		if (!ret)
			ret = free_area_init(m);
		break;
	case STAGE_BUDDY:
		ret = mm_core_init(m);
		break;
	case STAGE_SLAB_PARTIAL:
	case STAGE_SLAB_UP:
		m->stage = next;	/* the slab layer looks at the stage it is in */
		ret = slab_boot_stage(m, next);
		break;
	case STAGE_IRQS_ON:
		atomic_store(&m->gfp_allowed_mask, (gfp_t)__GFP_BITS_MASK);
		m->stage = next;
		local_irq_enable(m);
		break;
	case STAGE_TIMERS_ON:
		break;
	case STAGE_SMP_UP:
		m->stage = next;
		for (unsigned int c = 0; c < m->topo.nr_cpus && !ret; c++) {
			if (cpu_online(m, (int)c))
				continue;
			ret = page_alloc_cpu_online(m, (int)c);
			if (!ret) {
				m->cpus[c].irqs_enabled = true;
				atomic_store(&m->cpus[c].online, true);
			}
		}
		if (!ret)
			ret = slab_boot_stage(m, next);
		break;
	case STAGE_RUNNING:
		break;
	}
	return ret;
}

int machine_boot(struct machine *m, enum boot_stage target)
{
	if (target >= NR_BOOT_STAGES)
		return -EINVAL;
	while (m->stage < target) {
		enum boot_stage prev = m->stage;
		enum boot_stage next = (enum boot_stage)(m->stage + 1);
		int ret = boot_one_stage(m, next, target);

		if (ret) {
			m->stage = prev;
			return ret;
		}
		m->stage = next;
	}
	return 0;
}

unsigned int machine_left_behind(uintptr_t gone, char *why, size_t len)
{
	unsigned int slots = lockdep_machine_slots(gone);
	unsigned int held = lockdep_held_depth();
	unsigned int bound = (uintptr_t)sf_cpu_binding.m == gone;

	snprintf(why, len, "lockdep registry slots %u, held locks %u, cpu binding %u", slots,
		 held, bound);
	return slots + held + bound;
}

unsigned long machine_leaked(char *why, size_t len)
{
	return host_arena_parked_live(why, len);
}

void machine_destroy(struct machine *m)
{
	struct host_arena *arena;

	if (!m)
		return;
	if (sf_cpu_binding.m == m)
		sf_cpu_binding.m = NULL;	/* nobody will look at the count again */
	slab_release(m);
	page_alloc_release(m);
	sparse_release(m);
	memblock_release(m);
	if (m->mem_base)
		for (unsigned int i = 0; i < m->topo.nr_ranges; i++)
			kasan_unpoison(m->mem_base + PFN_PHYS(m->topo.ranges[i].start_pfn),
				       PFN_PHYS(m->topo.ranges[i].end_pfn -
						m->topo.ranges[i].start_pfn));
	host_memory_unmap(m);
	spin_lock_destroy(&m->report_lock);
	spin_lock_destroy(&m->shrinker_lock);
	spin_lock_destroy(&m->fail_page_alloc.lock);
	spin_lock_destroy(&m->failslab.lock);
	arena = m->arena;
	lockdep_machine_remove(m);
	host_free(arena, m);
	host_arena_delete(arena);
}
