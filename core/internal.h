/* SPDX-License-Identifier: MIT */
/*
 * Core-internal types: the machine and its page-level structures.
 * Files of core/ include this; nothing outside core/ and white-box tests may.
 *
 * Lock order (outermost first; see docs/architecture.md):
 *   slab_mutex (machine->slab, issue 3)
 *     kmem_cache_node->list_lock
 *       per_cpu_pages->lock
 *         zone->lock
 *           machine->shrinker_lock, machine->report_lock (leaves)
 * memblock and sparse state are only touched before STAGE_BUDDY, by the boot
 * cpu, and need no lock.
 */
#ifndef SLABFUZZ_INTERNAL_H
#define SLABFUZZ_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "slabfuzz/slabfuzz.h"
#include "list.h"
#include "sanitizer.h"

#define PAGE_SHIFT SF_PAGE_SHIFT
#define PAGE_SIZE SF_PAGE_SIZE
#define PFN_PHYS(pfn) ((uint64_t)(pfn) << PAGE_SHIFT)
#define PHYS_PFN(phys) ((pfn_t)((phys) >> PAGE_SHIFT))

#ifndef SF_DEFAULT_DEBUG_LEVEL
#define SF_DEFAULT_DEBUG_LEVEL 0
#endif

/* Our own broken invariant: stop with a message (never for caller misuse). */
#define SF_BUG_ON(cond)                                                            \
	do {                                                                       \
		if (__builtin_expect(!!(cond), 0))                                 \
			sf_bug_on_fail(#cond, __FILE__, __LINE__, __func__);       \
	} while (0)
_Noreturn void sf_bug_on_fail(const char *cond, const char *file, int line, const char *func);

/*
 * ---- locks: pthread mutexes so TSan sees them exactly ----
 *
 * Lock discipline is checked always, as lockdep does it (core/lockdep.c):
 * each thread keeps the stack of spinlocks it holds (thread-local, so no
 * races and no change to the lock's size), so unlocking a lock this thread
 * does not hold, taking a lock it already holds (a self-deadlock),
 * destroying a held lock and lockdep_assert_held() of a lock not held are
 * reports, and the call goes on without the mutex operation that would be
 * undefined or would hang. The reports name the lock expression and the
 * calling function.
 */

typedef struct {
	pthread_mutex_t mutex;
} spinlock_t;

/* The checker holds every alien lock of a cache and every list_lock at once. */
#define LOCK_MAX_HELD (SF_MAX_NODES * (SF_MAX_NODES + 1) + 16)
struct held_locks {
	unsigned int depth;
	const void *lock[LOCK_MAX_HELD];
};
extern _Thread_local struct held_locks held_locks;

/* This thread's identity: the address of its held-lock stack. */
static inline uintptr_t lock_self(void)
{
	return (uintptr_t)&held_locks;
}

enum lock_misuse {
	LOCK_BAD_UNLOCK,	/* unlock of a lock this thread does not hold */
	LOCK_RECURSIVE,		/* lock of a lock this thread holds */
	LOCK_HELD_FREED,	/* destroy of a held lock */
	LOCK_NOT_HELD,		/* lockdep_assert_held() failed */
	LOCK_TOO_DEEP,		/* more than LOCK_MAX_HELD locks held */
};

/*
 * Reports the misuse to the machine that owns lock (the one whose host
 * arena or simulated memory holds it, core/lockdep.c).
 */
__attribute__((cold)) void lock_misuse(const void *lock, enum lock_misuse kind, const char *what,
				 const char *func);
/* Machines register so a lock's misuse finds its report handler. */
/* false: the registry is full (a machine whose lock misuse could not be
 * reported; machine_create refuses it). */
bool lockdep_machine_add(struct machine *m);
void lockdep_machine_remove(struct machine *m);
/* Forget the locks of m this thread holds (a snapshot restore frees them). */
void lockdep_forget_machine(struct machine *m);
/* Registry slots naming the machine at address m (machine_left_behind). */
unsigned int lockdep_machine_slots(uintptr_t m);
/* Locks the calling thread holds, of any machine. */
unsigned int lockdep_held_depth(void);
bool lock_held_slow(const void *lock);
void lock_release_slow(spinlock_t *l, const char *what, const char *func);

void spin_lock_destroy_at(spinlock_t *l, const char *what, const char *func);

static inline bool lock_held(const void *lock)
{
	unsigned int d = held_locks.depth;

	return d && (held_locks.lock[d - 1] == lock || lock_held_slow(lock));
}

static inline void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->mutex, NULL);
}
/* A lock taken at the first try cannot have been this thread's already. */
static inline void spin_lock_at(spinlock_t *l, const char *what, const char *func)
{
	if (__builtin_expect(pthread_mutex_trylock(&l->mutex) != 0, 0)) {
		if (lock_held(l)) {
			lock_misuse(l, LOCK_RECURSIVE, what, func);
			return;
		}
		pthread_mutex_lock(&l->mutex);
	}
	if (__builtin_expect(held_locks.depth == LOCK_MAX_HELD, 0)) {
		lock_misuse(l, LOCK_TOO_DEEP, what, func);
		return;
	}
	held_locks.lock[held_locks.depth++] = l;
}
/* As in the kernel, a trylock of a lock this thread holds just fails. */
static inline bool spin_trylock_at(spinlock_t *l, const char *what, const char *func)
{
	if (pthread_mutex_trylock(&l->mutex))
		return false;
	if (__builtin_expect(held_locks.depth == LOCK_MAX_HELD, 0)) {
		lock_misuse(l, LOCK_TOO_DEEP, what, func);
		return true;
	}
	held_locks.lock[held_locks.depth++] = l;
	return true;
}
static inline void spin_unlock_at(spinlock_t *l, const char *what, const char *func)
{
	unsigned int d = held_locks.depth;

	if (__builtin_expect(d && held_locks.lock[d - 1] == l, 1)) {
		held_locks.depth = d - 1;
		pthread_mutex_unlock(&l->mutex);
		return;
	}
	lock_release_slow(l, what, func);	/* not the innermost, or not held */
}
#define spin_lock(l) spin_lock_at((l), #l, __func__)
#define spin_trylock(l) spin_trylock_at((l), #l, __func__)
#define spin_unlock(l) spin_unlock_at((l), #l, __func__)
#define spin_lock_destroy(l) spin_lock_destroy_at((l), #l, __func__)

/* The caller changes state that l guards: this thread must hold l. */
#define lockdep_assert_held(l)                                                     \
	do {                                                                       \
		if (__builtin_expect(!lock_held(l), 0))                            \
			lock_misuse((l), LOCK_NOT_HELD, #l, __func__);             \
	} while (0)

/* ---- struct page ---- */

enum page_state {
	PS_UNINIT = 0,		/* memmap allocated, page not initialised yet */
	PS_RESERVED,		/* memblock reserved, a hole, or never given to buddy */
	PS_BUDDY,		/* in a free block on a zone free list */
	PS_PCP,			/* in a block on a per-cpu page list */
	PS_ALLOCATED,		/* handed out by the page allocator */
};

/* page->flags */
#define PG_hole		(1u << 0)	/* no memory behind this pfn (PS_RESERVED) */
#define PG_head		(1u << 1)	/* head of a compound page (__GFP_COMP) */
#define PG_slab		(1u << 2)	/* owned by the slab allocator */

/*
 * One per pfn of a present section, 64 bytes, living in the simulated memory
 * (the memmap is allocated from memblock). A block of 2^order pages has one
 * head (tail == 0) and tails that point back with head_offset.
 */
struct page {
	uint8_t state;		/* enum page_state, the same for all pages of a block */
	uint8_t order;		/* head: order of the block; tail: 0 */
	uint8_t zone;		/* enum zone_type the pfn belongs to */
	uint8_t tail;		/* 1 for a non-head page of a block */
	uint16_t node;		/* node the pfn belongs to */
	uint16_t flags;		/* PG_* */
	atomic_int refcount;	/* > 0 exactly when PS_ALLOCATED (head) */
	uint32_t head_offset;	/* tail: pfn - head pfn; head: 0 */
	struct list_head lru;	/* head: free list, pcp list or slab list */
	/* Owned by the slab layer while PG_slab is set. */
	void *slab_cache;	/* struct kmem_cache * */
	void *slab_mgmt;	/* slab bookkeeping (free bitmap) */
	uint32_t slab_inuse;	/* objects allocated from this slab */
	uint32_t slab_objects;	/* objects in this slab */
	uint32_t pfn;		/* set when the section is initialised; page_to_pfn */
	uint32_t private;	/* free for the owner of the page */
};

_Static_assert(sizeof(struct page) == 64, "struct page is 64 bytes");

/*
 * page->state is read under zone->lock by buddy merging (find_free_buddy
 * looks at the neighbour block) while the owner of that neighbour changes it
 * without zone->lock (prep_new_page, pcp_free, alloc_pages_exact). A block
 * enters and leaves PS_BUDDY only under zone->lock, so the other fields of a
 * PS_BUDDY page are stable for the reader; the state itself goes through
 * these two wrappers on both sides.
 */
static inline enum page_state page_state_get(const struct page *p)
{
	return (enum page_state)__atomic_load_n(&p->state, __ATOMIC_RELAXED);
}
static inline void page_state_set(struct page *p, enum page_state state)
{
	__atomic_store_n(&p->state, (uint8_t)state, __ATOMIC_RELAXED);
}

/* The head page of the block page belongs to (struct pages of a block are
 * contiguous: a block never crosses a section). */
static inline struct page *compound_head(struct page *page)
{
	return page - page->head_offset;
}

/* ---- memblock ---- */

struct memblock_region {
	uint64_t base;		/* physical address */
	uint64_t size;		/* bytes, > 0 */
	int nid;		/* node */
};

struct memblock_type {
	unsigned int cnt;		/* regions in use, sorted by base, not overlapping */
	unsigned int max;		/* capacity of regions */
	struct memblock_region *regions;
};

struct memblock {
	struct memblock_type memory;	/* all present memory */
	struct memblock_type reserved;	/* allocated from boot memory */
	bool retired;			/* given to the buddy allocator: no more use */
	bool freed_late;		/* a reservation freed after retirement (its
					 * pages stay reserved, never reach buddy) */
	uint64_t allocated_bytes;	/* total handed out by memblock_alloc */
};

/* Called for a maximal free pfn range [start, end) of one node. */
typedef void (*memblock_range_fn)(struct machine *m, pfn_t start, pfn_t end, int nid,
				  void *arg);
/*
 * Every maximal pfn range in memory that overlaps no reserved byte (a page
 * partly reserved counts as reserved), ascending, never across two nodes.
 */
void memblock_for_each_free_range(struct machine *m, memblock_range_fn fn, void *arg);
bool memblock_is_memory_pfn(struct machine *m, pfn_t pfn);
bool memblock_is_reserved_pfn(struct machine *m, pfn_t pfn);
/* memblock_alloc_node without the clearing: the caller writes every byte. */
void *memblock_alloc_node_raw(struct machine *m, size_t size, size_t align, int nid);
/* The buddy allocator owns memory now: later memblock_alloc is misuse. */
void memblock_retire(struct machine *m);
/* Validator: false with the first broken relation written into why. */
bool memblock_is_valid(struct machine *m, char *why, size_t len);

/* ---- sparse memory model ---- */

#define SECTION_MARKED_PRESENT	(1u << 0)	/* has memory (memory_present) */
#define SECTION_HAS_MEM_MAP	(1u << 1)	/* initialised: pfn_valid is true */

struct mem_section {
	unsigned int flags;	/* SECTION_* */
	int nid;		/* node of the section's memory */
	bool memmap_allocated;	/* its memmap has been asked for (vmemmap populate) */
};

#define VMEMMAP_UNMAPPED	0
#define VMEMMAP_MAPPED		1

struct vmemmap_block {
	int state;		/* VMEMMAP_UNMAPPED or VMEMMAP_MAPPED */
	int nid;		/* node whose memory backs it */
	unsigned int populate_count;	/* times a mapping was created; 1 when sane */
	struct page *pages;	/* backing: struct pages of all its sections */
};

struct sparse {
	unsigned int section_shift;	/* log2 pages per section */
	unsigned int block_shift;	/* log2 pages per vmemmap block */
	unsigned long nr_sections;	/* covering [0, max_pfn) */
	unsigned long nr_blocks;
	struct mem_section *sections;
	struct vmemmap_block *blocks;
	bool init_pages;	/* sparse_init_boot: memmap written with its reserved state */
	/* sparse_init_boot for a boot through STAGE_BUDDY in one call: the
	 * struct pages of present sections are not written yet; mm_core_init
	 * writes them once (false again when machine_boot returns) */
	bool memmap_deferred;
};

/*
 * Change marks of the memmap: [0, max_pfn) is cut into at most
 * MEMMAP_MAX_CHUNKS chunks of 2^chunk_shift pfns (a chunk is a whole number
 * of MAX_ORDER blocks, so no block crosses one). Every change the page
 * allocator makes to the struct pages of a block adds one to its chunk's
 * count (memmap_mark), so a reader that remembers the counts it saw knows
 * which chunks it must read again: the incremental checker (check.c) and
 * the harness's page counts. Set by sparse_init.
 */
#define MEMMAP_MAX_CHUNKS 256

struct memmap_marks {
	unsigned int chunk_shift;
	unsigned int nr_chunks;
	atomic_ulong changes[MEMMAP_MAX_CHUNKS];
};

/* Validator: false with the first broken relation written into why. */
bool sparse_is_valid(struct machine *m, char *why, size_t len);
/* Textual map of present sections and vmemmap blocks; returns the length
 * that would have been written (like snprintf). */
size_t sparse_dump_map(struct machine *m, char *buf, size_t size);

/* ---- zones and nodes ---- */

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

#define NR_PCP_ORDERS 4		/* per-cpu lists hold orders 0..3 (PAGE_ALLOC_COSTLY_ORDER) */

struct free_area {
	struct list_head free_list;	/* heads of PS_BUDDY blocks of this order */
	unsigned long nr_free;		/* blocks on free_list */
};

struct per_cpu_pages {
	spinlock_t lock;
	int count;			/* pages (not blocks) on the lists */
	int high;			/* drain down to high - batch above this */
	int batch;			/* refill and drain chunk, in pages */
	struct list_head lists[NR_PCP_ORDERS];	/* heads of PS_PCP blocks */
};

struct zone {
	spinlock_t lock;		/* free_area, nr_free */
	struct machine *machine;
	int node;
	enum zone_type type;
	const char *name;
	pfn_t zone_start_pfn;		/* span: [zone_start_pfn, zone_end_pfn) */
	pfn_t zone_end_pfn;
	unsigned long spanned_pages;	/* zone_end_pfn - zone_start_pfn */
	unsigned long present_pages;	/* pages with memory in the span */
	unsigned long managed_pages;	/* pages given to the buddy allocator */
	unsigned long watermark[NR_WMARK];
	atomic_long free_pages;		/* NR_FREE_PAGES: buddy + pcp */
	struct free_area free_area[SF_MAX_ORDER_LIMIT];
	struct per_cpu_pages *pageset;	/* [nr_cpus], NULL until STAGE_BUDDY */
	bool unaligned_start;		/* start not MAX_ORDER aligned (reported at init) */
	bool unaligned_end;
};

static inline bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}

struct zoneref {
	struct zone *zone;		/* NULL terminates */
};

#define MAX_ZONES_PER_ZONELIST (SF_MAX_NODES * MAX_NR_ZONES)

struct zonelist {
	struct zoneref zones[MAX_ZONES_PER_ZONELIST + 1];
};

enum { ZONELIST_FALLBACK, ZONELIST_NOFALLBACK, MAX_ZONELISTS };

enum node_states {
	N_POSSIBLE,
	N_ONLINE,
	N_MEMORY,		/* has memory in any zone */
	N_NORMAL_MEMORY,	/* has memory in DMA..NORMAL */
	N_CPU,			/* has cpus */
	NR_NODE_STATES
};

struct pglist_data {
	int node_id;
	pfn_t node_start_pfn;		/* span of the node's ranges */
	pfn_t node_end_pfn;
	unsigned long node_present_pages;
	struct zone node_zones[MAX_NR_ZONES];
	struct zonelist node_zonelists[MAX_ZONELISTS];
	int nearest_mem_node;		/* numa_mem_id of a cpu here (self if it has memory) */
};

/* ---- cpus ---- */

struct cpu {
	int id;
	int node;			/* cpu_to_node */
	int mem_node;			/* cpu_to_mem: nearest node with memory */
	atomic_bool online;
	/* Written only by the thread running this cpu. */
	bool irqs_enabled;
	int irq_depth;			/* in_interrupt() when > 0 */
	int preempt_count;
	atomic_bool timer_pending;
	atomic_ulong timer_fired;
	/* Written by this cpu's thread only (load+store, no RMW); read by anyone. */
	atomic_ulong sched_hits[NR_SCHED_POINTS];
};

/* ---- fault injection state ---- */

struct fault_state {
	spinlock_t lock;
	atomic_bool enabled;		/* read without the lock on the fast path */
	struct fault_attr attr;
	uint64_t rng;			/* xorshift state */
	struct fault_stats stats;
};

/* Should this call fail? order is ignored for failslab (pass 0). */
bool should_fail(struct fault_state *fs, gfp_t gfp, unsigned int order, const char *cache);

/* ---- reports ---- */

#define SF_REPORT_LOG_MAX 64

struct report_log {
	unsigned long total;
	unsigned long by_kind[3];			/* enum sf_report_kind */
	unsigned int nr_distinct;
	struct sf_report first[SF_REPORT_LOG_MAX];	/* first report of each title */
	unsigned long count[SF_REPORT_LOG_MAX];
	unsigned long dropped;				/* distinct titles past the log */
};

struct report_ctx {
	const char *op;		/* API operation, may be NULL */
	int node;		/* -1 when not relevant */
	int zone;		/* -1 when not relevant */
	int64_t pfn;		/* -1 when not relevant */
};

#define REPORT_CTX_NONE(op_) ((struct report_ctx){ (op_), -1, -1, -1 })

void report(struct machine *m, enum sf_report_kind kind, const char *title,
	    const struct report_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* "BUG: Bad page state" and friends, with the page's fields in the body. */
void report_page(struct machine *m, enum sf_report_kind kind, const char *title,
		 struct page *page, const char *op, const char *reason);

/* ---- the incremental checker's view (check.c) ---- */

/*
 * What the last check saw: per memmap chunk the change count it read and
 * the pages in free and allocated states it counted there. valid: a full
 * check passed at this stage and nothing since invalidated the view.
 */
struct check_state {
	bool valid;
	enum boot_stage stage;		/* of the last full check */
	unsigned int since_full;	/* incremental checks since it */
	unsigned long full_checks, incremental_checks;
	unsigned long seen[MEMMAP_MAX_CHUNKS];
	uint32_t free[MEMMAP_MAX_CHUNKS];
	uint32_t allocated[MEMMAP_MAX_CHUNKS];
};

/* ---- the machine ---- */

struct slab_state;	/* slab layer, core/slab*.c */

struct machine {
	struct sf_topology topo;
	struct sf_options opts;
	enum boot_stage stage;
	_Atomic gfp_t gfp_allowed_mask;
	int debug_level;		/* opts.debug_level or the build default */
	unsigned int bugs;		/* enum sf_bug bits in force */
	unsigned int max_order;		/* MAX_ORDER: orders 0..max_order-1 */

	/* Simulated physical memory [0, max_pfn) pages; holes never touched.
	 * The host mapping may be larger (a parked one, core/host_memory.c). */
	struct host_arena *arena;	/* every host allocation of the machine, itself too */
	uint8_t *mem_base;
	size_t mem_size;
	pfn_t max_pfn;
	size_t mem_map_size;
	uint8_t *mem_dirty;		/* a generation byte per page of the mapping */
	uint8_t mem_gen;		/* this machine's generation */
	atomic_ulong mem_resident;	/* pages of the mapping handed out since mapped */

	struct memblock memblock;
	struct sparse sparse;
	struct memmap_marks marks;
	struct check_state check;	/* the incremental checker's view (check.c) */
	struct pglist_data nodes[SF_MAX_NODES];
	uint32_t node_states[NR_NODE_STATES];	/* bit per node */
	struct cpu cpus[SF_MAX_CPUS];
	int current_cpu;		/* for single-threaded drivers */
	atomic_int nr_bound_threads;	/* host threads bound with cpu_bind() */
	bool membarrier_ok;		/* membarrier(2) private expedited is usable */

	atomic_long nr_allocated_pages;	/* pages handed out, not yet freed */

	spinlock_t report_lock;
	struct report_log reports;
	sf_report_handler_fn report_fn;
	void *report_data;

	sched_hook_fn sched_hook;
	void *sched_hook_data;

	struct fault_state fail_page_alloc;
	struct fault_state failslab;

	spinlock_t shrinker_lock;
	struct shrinker *shrinkers;
	atomic_ulong reclaim_runs;	/* times direct reclaim ran (any cpu) */

	struct slab_state *slab;	/* NULL until STAGE_SLAB_PARTIAL */
};

static inline bool node_state(const struct machine *m, int nid, enum node_states s)
{
	return nid >= 0 && nid < SF_MAX_NODES && (m->node_states[s] >> nid) & 1u;
}

static inline struct pglist_data *NODE_DATA(struct machine *m, int nid)
{
	return &m->nodes[nid];
}

static inline int this_cpu_id(const struct machine *m);

static inline struct cpu *this_cpu(struct machine *m)
{
	return &m->cpus[this_cpu_id(m)];
}

static inline bool machine_bug(const struct machine *m, enum sf_bug bug)
{
	return (m->bugs & (unsigned int)bug) != 0;
}

/*
 * The heavy side of an asymmetric fence (slab per-cpu queues): a full
 * barrier on every host thread of the process when threads are bound to
 * cpus and membarrier(2) works, a local full fence otherwise.
 */
void host_heavy_fence(struct machine *m);

/* Hit a sched point on the current cpu: fire a pending timer, run the hook. */
void sched_point(struct machine *m, enum sched_point sp);

/* Nodes by distance from nid (nid first), count returned. */
int nodes_by_distance(const struct machine *m, int nid, int *order, bool memory_only);

/* ---- module entry points called by machine.c ---- */

int memblock_init(struct machine *m);		/* STAGE_EARLY */
void memblock_release(struct machine *m);	/* destroy */
int sparse_init(struct machine *m);		/* STAGE_SPARSE: sections, memmaps */
/* sparse_init for machine_boot, which runs free_area_init right after: each
 * memmap is written once, already in the state free_area_init gives it, or
 * (defer_memmap: the same call boots on through STAGE_BUDDY) by mm_core_init. */
int sparse_init_boot(struct machine *m, bool defer_memmap);
void sparse_release(struct machine *m);
int free_area_init(struct machine *m);		/* STAGE_SPARSE: nodes, zones, pages */
/* memmap.c. The struct pages of [start, end), base the first: reserved, of
 * their node and zone, PG_hole outside memory (holes of no node's span:
 * fallback_nid). */
void memmap_init_pages(struct machine *m, struct page *base, pfn_t start, pfn_t end,
		       int fallback_nid);
/* The 2^order struct pages of the free block of memory at pfn, head the
 * first, before the hand-over frees it: the head reserved, the tails PS_BUDDY
 * tails (page_block_set_state). */
void memmap_init_free_block(struct machine *m, struct page *head, pfn_t pfn, unsigned int order);
int mm_core_init(struct machine *m);		/* STAGE_BUDDY: memblock -> buddy, pcp */
void page_alloc_release(struct machine *m);
int page_alloc_cpu_online(struct machine *m, int cpu);	/* STAGE_SMP_UP */
/* Slab layer stage hooks: STAGE_SLAB_PARTIAL, STAGE_SLAB_UP, STAGE_SMP_UP. */
int slab_boot_stage(struct machine *m, enum boot_stage stage);
/*
 * What one check looks at: every chunk of the memmap (full) or the chunks
 * whose change count differs from what the last check saw (incremental).
 */
struct check_view {
	bool incremental;
	unsigned long now[MEMMAP_MAX_CHUNKS];	/* change counts read at the start */
	bool dirty[MEMMAP_MAX_CHUNKS];		/* read this chunk (all when full) */
};

/* The slab layer's invariants over v (check_slab_layer in the docs); an
 * incremental view: the caches marked dirty, the boot caches and the caches
 * of slabs in its dirty chunks only for S1-S10, S13 (clears the marks). */
bool check_slab_layer_view(struct machine *m, const struct check_view *v);
/* The checker's nearest node to nid in state st (distance, then id); -1 if none. */
int check_nearest_node(struct machine *m, int nid, enum node_states st);

/*
 * Inline memory-model lookups for hot paths (kfree, kmem_cache_free); the
 * public pfn_valid/pfn_to_page/virt_to_page in sparse.c are these.
 */
static inline bool sparse_pfn_valid(const struct machine *m, pfn_t pfn)
{
	const struct sparse *sp = &m->sparse;

	if (pfn >= m->max_pfn || !sp->sections)
		return false;
	return (sp->sections[pfn >> sp->section_shift].flags & SECTION_HAS_MEM_MAP) != 0;
}

static inline struct page *sparse_pfn_to_page(const struct machine *m, pfn_t pfn)
{
	const struct sparse *sp = &m->sparse;
	const struct vmemmap_block *block;

	if (pfn >= m->max_pfn || !sp->blocks)
		return NULL;
	block = &sp->blocks[pfn >> sp->block_shift];
	if (block->state != VMEMMAP_MAPPED)
		return NULL;
	return block->pages + (pfn & (((pfn_t)1 << sp->block_shift) - 1));
}

/*
 * A block at pfn changed (page allocator, under the lock that owns it).
 * A relaxed load and store, not a locked add: this runs twice on every
 * per-cpu list alloc/free pair, where the locked adds cost 8 ns of 50
 * (bench_page_alloc). Two cpus marking one chunk at once (their own pcp
 * locks, real-thread stress) can lose a count and, in the worst
 * interleaving, bring it back to one a reader saw; only the incremental
 * check reads the marks, and it runs where one thread drives the machine
 * (the fuzz harness); the full check never reads them.
 */
static inline void memmap_mark(struct machine *m, pfn_t pfn)
{
	pfn_t c = pfn >> m->marks.chunk_shift;

	if (c < m->marks.nr_chunks)
		atomic_store_explicit(&m->marks.changes[c],
				      atomic_load_explicit(&m->marks.changes[c],
							   memory_order_relaxed) + 1,
				      memory_order_relaxed);
}

static inline struct page *sparse_virt_to_page(const struct machine *m, const void *addr)
{
	const uint8_t *p = addr;
	pfn_t pfn;

	if (!m->mem_base || p < m->mem_base || p >= m->mem_base + m->mem_size)
		return NULL;
	pfn = (pfn_t)((size_t)(p - m->mem_base) >> PAGE_SHIFT);
	return sparse_pfn_valid(m, pfn) ? sparse_pfn_to_page(m, pfn) : NULL;
}

/*
 * For frees: the struct page behind addr without the section-valid test.
 * Every struct page of a mapped vmemmap block is initialised or zeroed, so
 * a pointer into a hole or an absent section finds a page without PG_slab
 * and is reported by the caller, never dereferenced past its struct page.
 */
static inline struct page *sparse_virt_to_page_nocheck(const struct machine *m, const void *addr)
{
	const uint8_t *p = addr;

	if (p < m->mem_base || p >= m->mem_base + m->mem_size)
		return NULL;
	return sparse_pfn_to_page(m, (pfn_t)((size_t)(p - m->mem_base) >> PAGE_SHIFT));
}

/*
 * The host seam for "which simulated cpu is this thread" (machine.c):
 * set by cpu_bind() for threads driving one cpu each.
 */
struct cpu_binding {
	const struct machine *m;
	int cpu;
};
extern _Thread_local struct cpu_binding sf_cpu_binding;

/* smp_processor_id(), inline for the hot paths. */
static inline int this_cpu_id(const struct machine *m)
{
	return sf_cpu_binding.m == m ? sf_cpu_binding.cpu : m->current_cpu;
}

/*
 * The machine's host allocations (core/host_arena.c): malloc, calloc,
 * realloc and free of one arena at a fixed address. An arena pointer of the
 * wrong arena or a double free is the core's bug (SF_BUG_ON).
 */
struct host_arena;
struct host_arena *host_arena_new(void);
void host_arena_delete(struct host_arena *a);
void *host_alloc(struct host_arena *a, size_t size);
void *host_zalloc(struct host_arena *a, size_t size);
void *host_calloc(struct host_arena *a, size_t n, size_t size);
void *host_realloc(struct host_arena *a, void *p, size_t size);
void host_free(struct host_arena *a, void *p);
size_t host_arena_used(const struct host_arena *a);
/* p is inside the arena's reservation (used or not). */
bool host_arena_contains(const struct host_arena *a, const void *p);
unsigned long host_arena_live(const struct host_arena *a);
unsigned long host_arena_parked_live(char *why, size_t len);
int host_arena_validate(const struct host_arena *a, char *why, size_t len);
/* The same under the arena's lock (check_machine's P13). */
int host_arena_check(struct host_arena *a, char *why, size_t len);
/* The same, stopping with the problem (our own broken invariant). */
void host_arena_assert_valid(const struct host_arena *a);

/*
 * ASan's shadow of host memory as raw bytes (core/asan_shadow.c): size / 8
 * bytes for [addr, addr + size), both 8-byte aligned; size 0 and no-ops
 * without ASan.
 */
size_t kasan_shadow_size(size_t size);
void kasan_shadow_save(const void *addr, size_t size, uint8_t *out);
void kasan_shadow_load(const void *addr, size_t size, const uint8_t *in);
uint64_t kasan_shadow_hash(const void *addr, size_t size);

/* The host mapping of simulated memory (core/host_memory.c): a parked one
 * when it fits, reading exactly like a fresh one. */
int host_memory_map(struct machine *m);
void host_memory_unmap(struct machine *m);
/*
 * [addr, addr + size) of simulated memory is handed out and may be written:
 * pages an earlier machine wrote read as zero again (not cleared when
 * zeroing, the caller zeroes the range itself).
 */
void host_memory_hand_out(struct machine *m, void *addr, size_t size, bool zeroing);
/* The page reads as written by an older machine: zeroed when next handed
 * out (a snapshot's restore, for pages handed out after the take). */
void host_memory_forget(struct machine *m, pfn_t pfn);

/* Handing out simulated memory: fresh for the host, usable for ASan. */
static inline void memory_hand_out(struct machine *m, void *addr, size_t size, bool zeroing)
{
	host_memory_hand_out(m, addr, size, zeroing);
	kasan_unpoison(addr, size);
}

/* Physical <-> simulated virtual. */
static inline void *phys_to_virt(struct machine *m, uint64_t phys)
{
	return m->mem_base + phys;
}
static inline uint64_t virt_to_phys(struct machine *m, const void *virt)
{
	return (uint64_t)((const uint8_t *)virt - m->mem_base);
}

/* Which zone a pfn of node nid belongs to, by the topology's boundaries. */
enum zone_type pfn_zone_type(const struct machine *m, pfn_t pfn);

#endif
