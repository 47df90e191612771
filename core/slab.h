/* SPDX-License-Identifier: MIT */
/*
 * Slab layer, core-internal: the structures shared by slab.c (bootstrap,
 * create/destroy/merge, kmalloc), slab_cpu.c (queues, refill, flush, alien,
 * resize), slab_debug.c (red zones, poison, tracking, validate, the
 * invariant checker) and slab_sysfs.c (attributes, slabinfo).
 *
 * Lock order (outermost first), all in struct slab_state or the caches:
 *   slab_mutex			caches list, refcounts, tunables, create/destroy
 *     sysfs_lock		the attribute registry (a leaf under slab_mutex)
 *     kmem_cache_cpu.lock	one cpu's queue pointer and contents: the
 *				asymmetric lock (owner fast path; resize, drain,
 *				validate and check as remote lockers, validate
 *				and the checker holding all cpus in cpu order)
 *       alien_cache.lock	one node's buffer of frees for another node
 *         kmem_cache_node.list_lock  slab lists, counters, shared queue; also
 *				the debug state (red zones, poison, tracks,
 *				obj_state) of the node's objects, which the
 *				debug hooks change with no other slab lock held
 *           page allocator locks
 * No slab lock is held across a sched point or a call into the page
 * allocator (which has sched points): an interrupt injected there may
 * allocate on the same cpu.
 *
 * Where objects are: every object of a slab is free in its slab (bitmap bit
 * clear), or its bit is set and it is in exactly one per-CPU, shared or
 * alien queue, or it is allocated (live). check_slab_layer() checks it (S8:
 * per object for debug caches and the boot caches, by count for the others).
 */
#ifndef SLABFUZZ_SLAB_INTERNAL_H
#define SLABFUZZ_SLAB_INTERNAL_H

#include <string.h>

#include "internal.h"
#include "slabfuzz/slab.h"

#define BOOT_CPUCACHE_ENTRIES	1	/* queue size before STAGE_SLAB_UP */
#define SLAB_ALIEN_LIMIT	12	/* objects an alien buffer holds */
#define SLAB_MIN_OBJECTS	4	/* order chosen so a slab holds at least this */
#define SLAB_MAX_ORDER		3	/* never ask for more than order 3 for a slab */
#define RED_ZONE_SIZE		8	/* bytes of each red zone */

/* kmalloc size classes: index 1 is 96, 2 is 192, i >= 3 is 1 << i. */
#define KMALLOC_SHIFT_LOW	3
#define KMALLOC_SHIFT_HIGH	13	/* 8192 = KMALLOC_MAX_CACHE_SIZE */
#define NR_KMALLOC_INDEX	(KMALLOC_SHIFT_HIGH + 1)
enum kmalloc_cache_type { KMALLOC_NORMAL, KMALLOC_DMA, NR_KMALLOC_TYPES };

/* Internal cache flags (public ones are in slabfuzz/slab.h). */
#define SLAB_BOOT_CACHE		0x10000000u	/* kmem_cache or kmem_cache_node */
#define SLAB_KMALLOC		0x20000000u	/* a kmalloc cache */

/* Values in red zones and free objects (the kernel's poison.h bytes). */
#define SLUB_RED_INACTIVE	0xbb
#define SLUB_RED_ACTIVE		0xcc
#define POISON_FREE		0x6b
#define POISON_END		0xa5

/* Per-object debug state (debug caches), in the slab's management area. */
enum obj_state { OBJ_NEVER = 0, OBJ_ALLOCATED = 1, OBJ_FREED = 2 };

/* large kmalloc pages are marked in page->private */
#define LARGE_KMALLOC_MAGIC	0x6b6d6c67u

/* A queue of object pointers: per cpu, per node shared, per node alien. */
struct array_cache {
	unsigned int avail;		/* objects in entry[0..avail) */
	unsigned int limit;		/* capacity; avail <= limit */
	unsigned int batchcount;	/* refill and flush chunk, <= limit */
	void *entry[];			/* LIFO: entry[avail - 1] is the hottest */
};

/* Frees on node n of objects that belong to node r wait here (n's alien[r]). */
struct alien_cache {
	spinlock_t lock;		/* ac */
	struct array_cache *ac;		/* limit SLAB_ALIEN_LIMIT */
};

/*
 * Per-cpu state of a cache, in host memory (the percpu allocator is not
 * modelled), one cache line per cpu. The queue pointer may be replaced by
 * kmem_cache_tune() at any time: it is only read or written with lock held
 * (the racy SF_BUG_SLAB_RESIZE_RACE aside).
 */
struct kmem_cache_cpu {
	atomic_uintptr_t lock;		/* 0 free, else the holder's lock_self() */
	atomic_int owner_active;	/* owner inside its critical section (fast mode) */
	atomic_int remote_req;		/* a remote locker holds or wants the queue */
	bool owner_locked;		/* owner only: took lock on the slow path */
	bool owner_fence;		/* no membarrier: the owner fences itself */
	struct array_cache *ac;		/* never NULL while the cache lives */
	long live;			/* objects handed out minus taken back on this cpu */
	atomic_bool check_dirty;	/* the cache changed since the checker last saw it */
} __attribute__((aligned(64)));

/*
 * Per-node structure, one object of the kmem_cache_node cache (so it lives
 * in simulated memory). Its object size is kmem_cache_node_size(): the
 * fixed part, an alien pointer per node on NUMA machines, and a debug tail
 * when a slab_debug option is given - the size therefore depends on the
 * topology and the debug options, as it did in incident 4.
 */
struct kmem_cache_node {
	spinlock_t list_lock;		/* everything below but alien[] */
	struct list_head slabs_partial;	/* 0 < inuse < objects */
	struct list_head slabs_full;	/* inuse == objects */
	struct list_head slabs_free;	/* inuse == 0 */
	unsigned long nr_partial;	/* slabs on slabs_partial */
	unsigned long nr_full;
	unsigned long nr_free;
	unsigned long free_objects;	/* objects with a clear bit, all lists */
	unsigned long total_objects;	/* objects in all slabs of the node */
	unsigned long free_limit;	/* keep at most this many free objects */
	struct array_cache *shared;	/* shared queue, NULL when shared == 0 */
	int node;			/* the node this structure is for */
	unsigned int nr_alien;		/* entries in alien[]: nr_nodes or 0 */
	struct alien_cache *alien[];	/* [r]: buffer for node r, NULL for self */
};

/* The debug tail of a kmem_cache_node (slab_debug option given). */
struct kmem_cache_node_debug {
	unsigned long validated;	/* slabs checked by validate */
	unsigned long errors;		/* problems validate found */
	unsigned long last_errors;	/* problems found by the last validate */
};

/* Alloc/free tracking (SLAB_STORE_USER), after the right red zone. */
struct track {
	uint64_t seq;			/* machine-wide sequence number, 0: never */
	uintptr_t caller;		/* return address of the API call */
	const char *op;			/* "kmalloc", "kmem_cache_free", ... */
	int32_t cpu;
	int32_t stage;			/* enum boot_stage */
};
enum track_item { TRACK_ALLOC, TRACK_FREE };

/*
 * A cache. The structure is an object of the kmem_cache cache (simulated
 * memory) of size sizeof(struct kmem_cache) + nr_nodes pointers.
 *
 * Object layout within a slot of size bytes:
 *   [red_left_pad: left red zone][object_size: object][right red zone to
 *   inuse][track alloc, track free][padding to size]
 * The slab's management area (bitmap, then an obj_state byte per object
 * for debug caches) follows the last slot: the allocator never writes
 * into a free object.
 */
struct kmem_cache {
	struct kmem_cache_cpu *cpu_slab;	/* [nr_cpus], host memory */
	unsigned int flags;		/* SLAB_* */
	unsigned int object_size;	/* what the user asked for (kmalloc: class size) */
	unsigned int size;		/* slot stride */
	unsigned int align;		/* object alignment, power of 2 */
	unsigned int red_left_pad;	/* 0 or the left red zone */
	unsigned int inuse;		/* red_left_pad + object + right red zone */
	unsigned int track_offset;	/* from slot start; 0 when no tracking */
	unsigned int order;		/* pages per slab: 1 << order */
	unsigned int objects;		/* objects per slab */
	unsigned int mgmt_offset;	/* from slab start: bitmap */
	unsigned int state_offset;	/* from slab start: obj_state[], 0: none */
	unsigned int limit;		/* cpu queue size (tunable) */
	unsigned int batchcount;	/* cpu queue batch (tunable) */
	unsigned int shared;		/* shared factor: shared queue = shared * batch */
	gfp_t allocflags;		/* __GFP_DMA for DMA caches */
	kmem_ctor_fn ctor;
	int refcount;			/* under slab_mutex; 0: destroyed with objects left */
	bool sysfs_registered;		/* has a directory in the registry */
	struct list_head list;		/* slab_state.caches */
	char name[SLAB_NAME_MAX];
	struct kmem_cache_node *node[];	/* [nr_nodes]: NULL without normal memory */
};

/*
 * The cache is about to change (objects, queues, slabs, tunables): the
 * incremental checker must look at it again. The flag of the calling cpu,
 * so the fast path writes its own cache line only.
 */
static inline void slab_mark_dirty(struct machine *m, struct kmem_cache *s)
{
	atomic_store_explicit(&s->cpu_slab[this_cpu_id(m)].check_dirty, true,
			      memory_order_relaxed);
}

/* An entry of the attribute registry (/sys/kernel/slab/<name>). */
struct slab_sysfs_entry {
	char name[SLAB_NAME_MAX];
	struct kmem_cache *s;
	bool alias;			/* a link to another cache's directory */
};

enum slab_boot { SLAB_DOWN, SLAB_PARTIAL, SLAB_UP, SLAB_FULL };

struct slab_state {
	spinlock_t slab_mutex;		/* caches, refcounts, tunables, create/destroy */
	enum slab_boot state;		/* follows the boot stages */
	struct list_head caches;	/* every kmem_cache, newest last */
	struct kmem_cache *kmem_cache;		/* the cache of caches */
	struct kmem_cache *kmem_cache_node;	/* the per-node structure cache */
	/* [type][index]; [KMALLOC_NORMAL][0] is kmem_cache_node, as in the 2010 code */
	struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][NR_KMALLOC_INDEX];
	int mem_node[SF_MAX_CPUS];	/* nearest node with normal memory per cpu */
	uint32_t slab_nodes;		/* nodes that get per-node structures */
	unsigned int node_size;		/* object size of struct kmem_cache_node */
	unsigned int cache_size;	/* object size of struct kmem_cache */
	unsigned int debug_flags;	/* from sf_options.slab_debug */
	char debug_filter[128];		/* ",name,name" of slab_debug=, "" all */
	atomic_ulong track_seq;		/* alloc/free tracking sequence */
	bool shrinker_registered;
	struct shrinker shrinker;
	struct page *boot_page;		/* boot kmem_cache structures, until moved */
	unsigned int boot_order;

	spinlock_t sysfs_lock;		/* the registry below */
	struct slab_sysfs_entry *sysfs;	/* host memory */
	unsigned int nr_sysfs;
	unsigned int max_sysfs;
};

/* ---- slab.c ---- */
unsigned int kmem_cache_node_size(const struct machine *m, unsigned int debug_flags);
bool kmalloc_caches_valid(struct machine *m, char *why, size_t len);
struct kmem_cache *slab_cache_lookup_locked(struct machine *m, const char *name);

/* ---- slab_cpu.c ---- */
/*
 * The per-cpu queue lock is asymmetric (docs/slab.md): the owning cpu's
 * fast path announces itself with a plain store and checks for a remote
 * request, no atomic read-modify-write; a remote locker (tune, drain,
 * validate, the checker) takes c->lock, raises remote_req, runs a heavy
 * fence (membarrier(2) when threads are bound to cpus, which makes the
 * owner's compiler barrier a full one) and waits for the owner to leave.
 * An owner that sees a remote request falls back to taking c->lock.
 * Without membarrier the owner runs a full fence itself (owner_fence).
 * remote_req is cleared with release and read with acquire (a plain load
 * on x86), so what a remote locker wrote is visible to the owner after.
 *
 * The discipline is checked as for spinlock_t (core/internal.h): the owner
 * entering while inside (owner_active; on the slow path, c->lock its own),
 * a remote locker taking c->lock it holds, an unlock by a thread that is
 * not inside are reports, and the lock operation is skipped.
 */
void cpu_queue_lock_slow(struct kmem_cache_cpu *c);
void cpu_queue_lock_owner_slow(struct kmem_cache_cpu *c);
__attribute__((cold)) void cpu_queue_misuse(struct kmem_cache_cpu *c, enum lock_misuse kind);
static inline void cpu_queue_lock(struct kmem_cache_cpu *c)
{
	/* Inside on the slow path (owner_locked), only a nested slow path is
	 * found (cpu_queue_lock_slow: c->lock is its own). */
	if (__builtin_expect(atomic_load_explicit(&c->owner_active, memory_order_relaxed), 0)) {
		cpu_queue_misuse(c, LOCK_RECURSIVE);
		return;
	}
	atomic_store_explicit(&c->owner_active, 1, memory_order_relaxed);
	if (__builtin_expect(c->owner_fence, 0))
		atomic_thread_fence(memory_order_seq_cst);
	else
		atomic_signal_fence(memory_order_seq_cst);
	if (__builtin_expect(atomic_load_explicit(&c->remote_req, memory_order_acquire), 0))
		cpu_queue_lock_owner_slow(c);
}
static inline void cpu_queue_unlock(struct kmem_cache_cpu *c)
{
	if (__builtin_expect(c->owner_locked, 0)) {
		c->owner_locked = false;
		atomic_store_explicit(&c->lock, 0, memory_order_release);
		return;
	}
	if (__builtin_expect(!atomic_load_explicit(&c->owner_active, memory_order_relaxed), 0)) {
		cpu_queue_misuse(c, LOCK_BAD_UNLOCK);
		return;
	}
	atomic_store_explicit(&c->owner_active, 0, memory_order_release);
}
/* Any cpu, never from inside the owner's critical section. */
void cpu_queue_lock_remote(struct machine *m, struct kmem_cache_cpu *c);
void cpu_queue_unlock_remote(struct kmem_cache_cpu *c);
/* All cpus of a cache at once (drain, validate, check, statistics). */
void cpu_queues_lock_all(struct machine *m, struct kmem_cache *s);
void cpu_queues_unlock_all(struct machine *m, struct kmem_cache *s);
struct array_cache *alloc_arraycache(struct machine *m, unsigned int limit, unsigned int batch);
int slab_alloc_cpu_caches(struct machine *m, struct kmem_cache *s);
int slab_alloc_node_queues(struct machine *m, struct kmem_cache *s,
			   struct kmem_cache_node *n);
void slab_free_node_queues(struct machine *m, struct kmem_cache_node *n);
void slab_init_node(struct machine *m, struct kmem_cache *s, struct kmem_cache_node *n,
		    int nid);
/* Grow a slab on nid (exactly) and hand out its first object (bootstrap). */
void *slab_early_node_alloc(struct machine *m, struct kmem_cache *s, int nid, gfp_t gfp);
void *slab_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid,
		      size_t orig_size, const char *op, uintptr_t caller);
void slab_free(struct machine *m, struct kmem_cache *s, struct page *page, void *x,
	       const char *op, uintptr_t caller);
/* Drain every cpu, shared and alien queue of s back to its slabs. */
void slab_drain_all(struct machine *m, struct kmem_cache *s);
/* Free empty slabs of s; returns pages freed. */
unsigned long slab_shrink_nodes(struct machine *m, struct kmem_cache *s);
int slab_do_tune(struct machine *m, struct kmem_cache *s, unsigned int limit,
		 unsigned int batch, unsigned int shared);
void slab_default_tunables(struct machine *m, struct kmem_cache *s, unsigned int *limit,
			   unsigned int *batch, unsigned int *shared);
unsigned long slab_queued_objects(struct machine *m, struct kmem_cache *s, bool alien_only);
/* The same per node of the objects (cpu queues: the cpu's memory node;
 * shared: the node; alien buffer r: node r). */
void slab_queued_by_node(struct machine *m, struct kmem_cache *s, bool alien_only,
			 unsigned long nr[SF_MAX_NODES]);
/* s never merges with a later create (SLUB's slab_unmergeable without the
 * refcount): a ctor, SLAB_NO_MERGE, a debug flag, a boot cache. */
static inline bool slab_unmergeable(const struct kmem_cache *s)
{
	return s->ctor || (s->flags & (SLAB_NO_MERGE | SLAB_BOOT_CACHE | SLAB_DEBUG_FLAGS));
}

static inline void *slab_base(struct machine *m, const struct page *page)
{
	return page_address(m, page);
}
static inline unsigned long *slab_bitmap(struct machine *m, struct kmem_cache *s,
					 const struct page *page)
{
	return (unsigned long *)((char *)slab_base(m, page) + s->mgmt_offset);
}
static inline uint8_t *slab_obj_state(struct machine *m, struct kmem_cache *s,
				      const struct page *page)
{
	return s->state_offset ? (uint8_t *)slab_base(m, page) + s->state_offset : NULL;
}
/* The object at index idx of a slab (user pointer, past the left red zone). */
static inline void *slab_obj(struct machine *m, struct kmem_cache *s, const struct page *page,
			     unsigned int idx)
{
	return (char *)slab_base(m, page) + (size_t)idx * s->size + s->red_left_pad;
}
static inline unsigned int slab_obj_index(struct machine *m, struct kmem_cache *s,
					  const struct page *page, const void *x)
{
	return (unsigned int)(((const char *)x - (const char *)slab_base(m, page) -
			       s->red_left_pad) / s->size);
}
static inline struct kmem_cache_node *get_node(struct kmem_cache *s, int nid)
{
	return s->node[nid];
}
/* Bitmap words are written under list_lock and may be read without it. */
static inline bool test_bit_ul(const unsigned long *map, unsigned int i)
{
	const atomic_ulong *w = (const atomic_ulong *)(map + i / (8 * sizeof(long)));

	return (atomic_load_explicit(w, memory_order_relaxed) >> (i % (8 * sizeof(long)))) & 1ul;
}
/* A node's three slab lists, in the order partial, full, free. */
static inline void node_slab_lists(struct kmem_cache_node *n, struct list_head *lists[3])
{
	lists[0] = &n->slabs_partial;
	lists[1] = &n->slabs_full;
	lists[2] = &n->slabs_free;
}

static inline bool slab_has_debug(const struct kmem_cache *s)
{
	return (s->flags & SLAB_DEBUG_FLAGS) != 0;
}

/*
 * The fast paths, inline into kmalloc/kfree and kmem_cache_alloc/free: a
 * pop from or a push to the local cpu queue of a cache without debug
 * flags. There is no sched point in them, so the cpu cannot be interrupted
 * and its interrupt state need not be touched (the kernel's
 * local_irq_save() is what cpu_queue_lock() models). Anything else -
 * fault injection, a remote node, an empty or full queue, debug - takes
 * the full slab_alloc_node()/slab_free().
 */
/* always_inline: the lock checks made the compiler keep them out of line. */
static inline __attribute__((always_inline)) void *
slab_alloc_fast(struct machine *m, struct kmem_cache *s, gfp_t gfp, size_t size)
{
	struct kmem_cache_cpu *c;
	struct array_cache *ac;
	void *x;

	if (__builtin_expect(slab_has_debug(s) ||
			     atomic_load_explicit(&m->failslab.enabled, memory_order_relaxed), 0))
		return NULL;
	c = &s->cpu_slab[this_cpu_id(m)];
	cpu_queue_lock(c);
	ac = c->ac;
	if (__builtin_expect(ac->avail == 0, 0)) {
		cpu_queue_unlock(c);
		return NULL;
	}
	x = ac->entry[--ac->avail];
	c->live++;
	cpu_queue_unlock(c);
	kasan_unpoison(x, size);
	if (gfp & __GFP_ZERO)
		memset(x, 0, size);
	else if (!s->ctor)
		kmsan_mark_uninit(x, size);
	return x;
}

/* true when x went onto the local queue. */
static inline __attribute__((always_inline)) bool
slab_free_fast(struct machine *m, struct kmem_cache *s, const struct page *page, void *x)
{
	int cpu = this_cpu_id(m);
	struct kmem_cache_cpu *c;
	struct array_cache *ac;

	if (__builtin_expect(slab_has_debug(s) || m->debug_level >= 1 ||
			     page->node != m->slab->mem_node[cpu], 0))
		return false;
	c = &s->cpu_slab[cpu];
	cpu_queue_lock(c);
	ac = c->ac;
	if (__builtin_expect(ac->avail >= ac->limit, 0)) {
		cpu_queue_unlock(c);
		return false;
	}
	kasan_poison(x, s->object_size);
	ac->entry[ac->avail++] = x;
	c->live--;
	cpu_queue_unlock(c);
	return true;
}

/* ---- slab_debug.c ---- */
unsigned int slab_debug_parse(const char *opt, char *filter, size_t filter_size);
unsigned int slab_debug_flags_for(struct machine *m, const char *name, unsigned int flags);
/* Lay out red zones and tracking for s->object_size; sets size, inuse... */
void slab_debug_layout(struct kmem_cache *s);
/* A new slab: every object gets inactive red zones and poison. */
void slab_debug_init_slab(struct machine *m, struct kmem_cache *s, struct page *page);
/* Checks on alloc (object leaving the allocator) and free (coming back).
 * Return false when the object must not be used (it is left where it is). */
bool slab_debug_alloc(struct machine *m, struct kmem_cache *s, struct page *page, void *x,
		      const char *op, uintptr_t caller);
bool slab_debug_free(struct machine *m, struct kmem_cache *s, struct page *page, void *x,
		     const char *op, uintptr_t caller);
/* Checks every free needs (cheap): right cache, object start, bitmap. */
bool slab_free_checks(struct machine *m, struct kmem_cache *s, struct page *page,
		      const void *x, const char *op);
void slab_report_object(struct machine *m, struct kmem_cache *s, const void *x,
			const char *what, const char *op, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
unsigned long slab_validate_cache(struct machine *m, struct kmem_cache *s);

/* ---- slab_sysfs.c ---- */
int sysfs_slab_add(struct machine *m, struct kmem_cache *s);
int sysfs_slab_alias(struct machine *m, struct kmem_cache *s, const char *name);
void sysfs_slab_remove(struct machine *m, struct kmem_cache *s);
void slab_sysfs_release(struct machine *m);

#endif
