/* SPDX-License-Identifier: MIT */
/*
 * The machine: a value created from a topology, booted stage by stage and
 * destroyed. No global state: any number of machines may live at once.
 */
#ifndef SLABFUZZ_MACHINE_H
#define SLABFUZZ_MACHINE_H

#include "slabfuzz/topology.h"
#include "slabfuzz/gfp.h"
#include "slabfuzz/report.h"

/*
 * Boot stages in order. gfp_allowed_mask is GFP_BOOT_MASK up to and
 * including SLAB_UP, the full mask from IRQS_ON on (incident 2).
 */
enum boot_stage {
	STAGE_NONE,		/* created, nothing set up */
	STAGE_EARLY,		/* memblock: boot memory allocator only */
	STAGE_SPARSE,		/* sections, memmaps and vmemmap; zones initialised */
	STAGE_BUDDY,		/* memblock released to the buddy allocator */
	STAGE_SLAB_PARTIAL,	/* bootstrap caches exist, kmalloc caches being made */
	STAGE_SLAB_UP,		/* kmalloc and DMA caches usable */
	STAGE_IRQS_ON,		/* boot cpu takes interrupts; full gfp mask */
	STAGE_TIMERS_ON,	/* timer interrupts can be handled */
	STAGE_SMP_UP,		/* secondary cpus online */
	STAGE_RUNNING,		/* init done */
	NR_BOOT_STAGES
};

const char *boot_stage_name(enum boot_stage stage);

/*
 * Create a machine from t and opts (opts may be NULL for defaults).
 * Returns NULL with err filled when t is invalid or host memory is short.
 * The machine is at STAGE_EARLY when returned.
 */
struct machine *machine_create(const struct sf_topology *t, const struct sf_options *opts,
			       struct sf_error *err);

/*
 * Advance through every stage up to and including target.
 * Returns 0, or -ENOMEM when a stage could not get the memory it needs (the
 * machine stays usable at the last completed stage and can be destroyed).
 */
int machine_boot(struct machine *m, enum boot_stage target);
enum boot_stage machine_stage(const struct machine *m);

/* Release everything the machine owns. NULL is fine. */
void machine_destroy(struct machine *m);

/*
 * Process-wide state that still refers to a destroyed machine (gone: its
 * address, never dereferenced): lockdep's registry of machines, a cpu
 * binding of the calling thread, and any lock the calling thread still
 * holds. Returns how many entries are left; why names them. A correct
 * core returns 0 after every machine_destroy.
 */
unsigned int machine_left_behind(uintptr_t gone, char *why, size_t len);

/*
 * Host structures of the machine destroyed last that its release did not
 * free (kmemleak's question, asked of the host arena every structure comes
 * from): how many chunks were still allocated, their sizes (the first few)
 * in why. A correct core returns 0 after every machine_destroy.
 */
unsigned long machine_leaked(char *why, size_t len);

/* The topology the machine was built from. */
const struct sf_topology *machine_topology(const struct machine *m);

gfp_t machine_gfp_allowed_mask(const struct machine *m);

/* ---- simulated cpus ---- */

/*
 * The current cpu of the calling host thread on this machine: the cpu bound
 * with cpu_bind() by this thread, otherwise the machine's current cpu set by
 * cpu_switch() (initially the boot cpu).
 */
int smp_processor_id(struct machine *m);
/* Make cpu current for single-threaded drivers. Returns 0 or -EINVAL. */
int cpu_switch(struct machine *m, int cpu);
/* Bind the calling thread to cpu (stress drivers); cpu -1 unbinds. */
int cpu_bind(struct machine *m, int cpu);
bool cpu_online(const struct machine *m, int cpu);
int cpu_to_node(const struct machine *m, int cpu);
/* Nearest node with memory to the cpu's node (numa_mem_id). */
int cpu_to_mem(const struct machine *m, int cpu);

void local_irq_disable(struct machine *m);
void local_irq_enable(struct machine *m);
bool irqs_disabled(struct machine *m);
/* Saved state: returns true when interrupts were enabled. */
bool local_irq_save(struct machine *m);
void local_irq_restore(struct machine *m, bool were_enabled);
void preempt_disable(struct machine *m);
void preempt_enable(struct machine *m);
bool in_interrupt(struct machine *m);

/* Make a timer interrupt pending on cpu; it fires at the next sched point
 * where that cpu has interrupts enabled. */
void timer_set_pending(struct machine *m, int cpu);
bool timer_pending(const struct machine *m, int cpu);
unsigned long timer_fired(const struct machine *m, int cpu);

/* ---- sched points ---- */

#define SF_SCHED_POINTS(X)				\
	X(SP_ALLOC_PAGES_SLOWPATH)			\
	X(SP_ALLOC_PAGES_RECLAIM)			\
	X(SP_PCP_REFILL)				\
	X(SP_PCP_DRAIN)					\
	X(SP_FREE_PAGES)				\
	X(SP_SLAB_ALLOC_SLOWPATH)			\
	X(SP_SLAB_REFILL)				\
	X(SP_SLAB_NEW_SLAB)				\
	X(SP_SLAB_FLUSH)				\
	X(SP_SLAB_ALIEN_FLUSH)				\
	X(SP_SLAB_RESIZE)				\
	X(SP_SLAB_CREATE)				\
	X(SP_SLAB_DESTROY)				\
	X(SP_SLAB_SHRINK)

enum sched_point {
#define SF_SP_ENUM(name) name,
	SF_SCHED_POINTS(SF_SP_ENUM)
#undef SF_SP_ENUM
	NR_SCHED_POINTS
};

const char *sched_point_name(enum sched_point sp);

/*
 * Called at every sched point of the current cpu, after a pending timer had
 * its chance to fire. The hook may run an interrupt handler (irq_enter(),
 * allocate, irq_exit()) or switch cpus; it must not destroy the machine.
 */
typedef void (*sched_hook_fn)(struct machine *m, enum sched_point sp, int cpu, void *data);
void sched_set_hook(struct machine *m, sched_hook_fn fn, void *data);
unsigned long sched_point_hits(const struct machine *m, enum sched_point sp);

/* Enter and leave interrupt context on the current cpu (for injected handlers). */
void irq_enter(struct machine *m);
void irq_exit(struct machine *m);

#endif
