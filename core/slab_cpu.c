/* SPDX-License-Identifier: MIT */
/*
 * Slab layer: where objects live and move. Slabs with a free bitmap outside
 * the objects, per-node lists, per-CPU object queues (alloc pops, free
 * pushes, refill and flush in batches), the per-node shared queue, alien
 * buffers for frees of remote objects, run-time queue tuning, drain and
 * shrink. Lock order and the "exactly one place" rule: core/slab.h.
 *
 * Resize (kmem_cache_tune, docs/slab.md): each cpu's queue is guarded by an
 * asymmetric per-cpu lock (core/slab.h): the owner's fast path costs two
 * plain stores and a load, a remote locker pays a heavy fence and waits for
 * the owner to leave. The tuner locks one cpu at a time to swap the queue
 * pointer and give the old queue's objects back to their slabs, so no
 * object is lost or duplicated whatever the other cpus do. It plays the
 * part of local_irq_save() on the owner and of the IPI on the tuner.
 */
#include <sched.h>
#include <string.h>

#include "slab.h"

#define BITS_PER_LONG_ (8 * sizeof(long))
#define BITS_TO_LONGS_(n) (((n) + BITS_PER_LONG_ - 1) / BITS_PER_LONG_)

void cpu_queue_misuse(struct kmem_cache_cpu *c, enum lock_misuse kind)
{
	lock_misuse(c, kind, "cpu queue lock", __builtin_FUNCTION());
}

/* The holder taking c->lock again would wait for itself: a report. */
void cpu_queue_lock_slow(struct kmem_cache_cpu *c)
{
	uintptr_t self = lock_self(), free_;

	if (atomic_load_explicit(&c->lock, memory_order_relaxed) == self) {
		cpu_queue_misuse(c, LOCK_RECURSIVE);
		return;
	}
	do {
		while (atomic_load_explicit(&c->lock, memory_order_relaxed))
			sched_yield();
		free_ = 0;
	} while (!atomic_compare_exchange_weak_explicit(&c->lock, &free_, self,
							memory_order_acquire,
							memory_order_relaxed));
}

static bool cpu_queue_lock_held(struct kmem_cache_cpu *c)
{
	return atomic_load_explicit(&c->lock, memory_order_relaxed) == lock_self();
}

void cpu_queue_lock_owner_slow(struct kmem_cache_cpu *c)
{
	atomic_store_explicit(&c->owner_active, 0, memory_order_release);
	cpu_queue_lock_slow(c);
	c->owner_locked = true;
}

void cpu_queue_lock_remote(struct machine *m, struct kmem_cache_cpu *c)
{
	cpu_queue_lock_slow(c);
	atomic_store_explicit(&c->remote_req, 1, memory_order_relaxed);
	host_heavy_fence(m);
	while (atomic_load_explicit(&c->owner_active, memory_order_acquire))
		sched_yield();
}

void cpu_queue_unlock_remote(struct kmem_cache_cpu *c)
{
	if (!cpu_queue_lock_held(c)) {
		cpu_queue_misuse(c, LOCK_BAD_UNLOCK);
		return;
	}
	atomic_store_explicit(&c->remote_req, 0, memory_order_release);
	atomic_store_explicit(&c->lock, 0, memory_order_release);
}

/* Every cpu of s, in cpu order, for the price of one heavy fence. */
void cpu_queues_lock_all(struct machine *m, struct kmem_cache *s)
{
	unsigned int nr = m->topo.nr_cpus;

	for (unsigned int cpu = 0; cpu < nr; cpu++) {
		cpu_queue_lock_slow(&s->cpu_slab[cpu]);
		atomic_store_explicit(&s->cpu_slab[cpu].remote_req, 1, memory_order_relaxed);
	}
	host_heavy_fence(m);
	for (unsigned int cpu = 0; cpu < nr; cpu++)
		while (atomic_load_explicit(&s->cpu_slab[cpu].owner_active, memory_order_acquire))
			sched_yield();
}

void cpu_queues_unlock_all(struct machine *m, struct kmem_cache *s)
{
	for (unsigned int cpu = m->topo.nr_cpus; cpu-- > 0;)
		cpu_queue_unlock_remote(&s->cpu_slab[cpu]);
}

/*
 * The slab's own structures that SLAB takes with kmalloc_node (the per-cpu
 * and shared arrays, the alien caches) can fail under failslab as the
 * kernel's do: a GFP_KERNEL call (less what the boot stage allows) with no
 * cache name, so a cache filter never selects it.
 */
static bool slab_meta_should_fail(struct machine *m)
{
	return atomic_load_explicit(&m->failslab.enabled, memory_order_relaxed) &&
	       should_fail(&m->failslab, GFP_KERNEL & machine_gfp_allowed_mask(m), 0, NULL);
}

struct array_cache *alloc_arraycache(struct machine *m, unsigned int limit, unsigned int batch)
{
	struct array_cache *ac;

	if (slab_meta_should_fail(m))
		return NULL;
	ac = host_alloc(m->arena, sizeof(*ac) + (size_t)limit * sizeof(void *));
	if (!ac)
		return NULL;
	ac->avail = 0;
	ac->limit = limit;
	ac->batchcount = batch;
	return ac;
}

/* ---- bitmap slabs (list_lock held: lockdep_assert_held where lists change) ---- */

/* Bitmap words are atomics, read without the lock by the cheap free checks. */
static inline atomic_ulong *bitmap_words(struct machine *m, struct kmem_cache *s,
					 const struct page *page)
{
	return (atomic_ulong *)slab_bitmap(m, s, page);
}

static void slab_list_fix(struct kmem_cache *s, struct kmem_cache_node *n, struct page *page,
			  unsigned int old_inuse)
{
	unsigned int inuse = page->slab_inuse;
	struct list_head *to;

	lockdep_assert_held(&n->list_lock);
	if (old_inuse == inuse)
		return;
	if (old_inuse == 0)
		n->nr_free--;
	else if (old_inuse == s->objects)
		n->nr_full--;
	else
		n->nr_partial--;
	if (inuse == 0) {
		to = &n->slabs_free;
		n->nr_free++;
	} else if (inuse == s->objects) {
		to = &n->slabs_full;
		n->nr_full++;
	} else {
		to = &n->slabs_partial;
		n->nr_partial++;
	}
	list_move(&page->lru, to);
}

/* Set up to want bits of one slab, store the objects in out. */
static unsigned int slab_take(struct machine *m, struct kmem_cache *s, struct kmem_cache_node *n,
			      struct page *page, void **out, unsigned int want)
{
	atomic_ulong *map = bitmap_words(m, s, page);
	unsigned int nwords = (unsigned int)BITS_TO_LONGS_(s->objects);
	unsigned int old = page->slab_inuse, got = 0;

	for (unsigned int w = 0; w < nwords && got < want; w++) {
		unsigned long word = atomic_load_explicit(&map[w], memory_order_relaxed);
		unsigned long freebits = ~word;

		if (w == nwords - 1 && s->objects % BITS_PER_LONG_)
			freebits &= (1ul << (s->objects % BITS_PER_LONG_)) - 1;
		while (freebits && got < want) {
			unsigned int b = (unsigned int)__builtin_ctzl(freebits);

			freebits &= freebits - 1;
			word |= 1ul << b;
			out[got++] = slab_obj(m, s, page, w * (unsigned int)BITS_PER_LONG_ + b);
		}
		atomic_store_explicit(&map[w], word, memory_order_relaxed);
	}
	page->slab_inuse += got;
	n->free_objects -= got;
	slab_list_fix(s, n, page, old);
	return got;
}

/* Take up to want objects from the node's slabs: partial first, then free. */
static unsigned int node_take(struct machine *m, struct kmem_cache *s, struct kmem_cache_node *n,
			      void **out, unsigned int want)
{
	unsigned int got = 0;

	while (got < want) {
		struct page *page;

		if (!list_empty(&n->slabs_partial))
			page = list_first_entry(&n->slabs_partial, struct page, lru);
		else if (!list_empty(&n->slabs_free))
			page = list_first_entry(&n->slabs_free, struct page, lru);
		else
			break;
		got += slab_take(m, s, n, page, out + got, want - got);
	}
	return got;
}

/* Trim free slabs above the node's free_limit onto to_free. */
static void node_trim(struct kmem_cache *s, struct kmem_cache_node *n, struct list_head *to_free,
		      bool all)
{
	lockdep_assert_held(&n->list_lock);
	while (!list_empty(&n->slabs_free) && (all || n->free_objects > n->free_limit)) {
		struct page *page = list_last_entry(&n->slabs_free, struct page, lru);

		list_move(&page->lru, to_free);
		n->nr_free--;
		n->free_objects -= s->objects;
		n->total_objects -= s->objects;
	}
}

/*
 * Give objects back to their slabs. Objects may be of several nodes; held
 * is a node whose list_lock the caller holds (its objects only), or NULL.
 */
static void free_block_held(struct machine *m, struct kmem_cache *s, void **objs,
			    unsigned int nr, struct list_head *to_free,
			    struct kmem_cache_node *held)
{
	struct kmem_cache_node *locked = held;

	for (unsigned int i = 0; i < nr; i++) {
		struct page *page = compound_head(sparse_virt_to_page(m, objs[i]));
		struct kmem_cache_node *n = get_node(s, page->node);
		unsigned int idx = slab_obj_index(m, s, page, objs[i]);
		atomic_ulong *map = bitmap_words(m, s, page);
		unsigned int old;

		if (n != locked) {
			SF_BUG_ON(held != NULL);
			if (locked) {
				node_trim(s, locked, to_free, false);
				spin_unlock(&locked->list_lock);
			}
			spin_lock(&n->list_lock);
			locked = n;
		}
		old = page->slab_inuse;
		atomic_store_explicit(&map[idx / BITS_PER_LONG_],
				      atomic_load_explicit(&map[idx / BITS_PER_LONG_],
							   memory_order_relaxed) &
					      ~(1ul << (idx % BITS_PER_LONG_)),
				      memory_order_relaxed);
		page->slab_inuse--;
		n->free_objects++;
		slab_list_fix(s, n, page, old);
	}
	if (locked) {
		node_trim(s, locked, to_free, false);
		if (!held)
			spin_unlock(&locked->list_lock);
	}
}

static void free_block(struct machine *m, struct kmem_cache *s, void **objs, unsigned int nr,
		       struct list_head *to_free)
{
	free_block_held(m, s, objs, nr, to_free, NULL);
}

/* Give slab pages back to the page allocator (no slab lock held). */
static void discard_slabs(struct machine *m, struct kmem_cache *s, struct list_head *to_free)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, to_free) {
		struct page *page = list_entry(pos, struct page, lru);

		list_del(&page->lru);
		kasan_unpoison(page_address(m, page), PAGE_SIZE << s->order);
		page->flags &= (uint16_t)~PG_slab;
		page->slab_cache = NULL;
		page->slab_mgmt = NULL;
		page->slab_inuse = 0;
		page->slab_objects = 0;
		__free_pages(m, page, s->order);
	}
}

/* ---- new slabs ---- */

#define SLAB_PAGE_GFP_PASS (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH | __GFP_NOFAIL | \
			    __GFP_NORETRY | __GFP_RETRY_MAYFAIL | __GFP_MEMALLOC | \
			    __GFP_NOMEMALLOC)

/*
 * Allocate a slab on exactly node nid. gfp is already masked by
 * gfp_allowed_mask; orig_gfp is what the caller passed. Interrupts are
 * enabled around the page allocation only when the masked gfp allows
 * blocking (incident 2; SF_BUG_SLAB_EARLY_IRQ_ENABLE decides on orig_gfp).
 */
static struct page *new_slab(struct machine *m, struct kmem_cache *s, gfp_t gfp, gfp_t orig_gfp,
			     int nid)
{
	gfp_t decide = machine_bug(m, SF_BUG_SLAB_EARLY_IRQ_ENABLE) ? orig_gfp : gfp;
	bool enabled = false;
	struct page *page;
	char *base;

	if (gfpflags_allow_blocking(decide) && irqs_disabled(m)) {
		local_irq_enable(m);
		enabled = true;
	}
	sched_point(m, SP_SLAB_NEW_SLAB);
	page = alloc_pages_node(m, nid,
				(gfp & SLAB_PAGE_GFP_PASS) | s->allocflags | __GFP_THISNODE |
					__GFP_NOWARN | (s->order ? __GFP_COMP : 0),
				s->order);
	if (enabled)
		local_irq_disable(m);
	if (!page)
		return NULL;
	base = page_address(m, page);
	page->flags |= PG_slab;
	page->slab_cache = s;
	page->slab_mgmt = base + s->mgmt_offset;
	page->slab_inuse = 0;
	page->slab_objects = s->objects;
	memset(base + s->mgmt_offset, 0, (PAGE_SIZE << s->order) - s->mgmt_offset);
	if (slab_has_debug(s))
		slab_debug_init_slab(m, s, page);
	if (s->ctor) {
		for (unsigned int i = 0; i < s->objects; i++) {
			void *x = slab_obj(m, s, page, i);

			s->ctor(x);
			kmsan_mark_init(x, s->object_size);
		}
	}
	/* Objects and red zones are out of bounds until handed out. */
	kasan_poison(base, s->mgmt_offset);
	return page;
}

static void node_add_slab(struct kmem_cache *s, struct kmem_cache_node *n, struct page *page)
{
	lockdep_assert_held(&n->list_lock);
	list_add(&page->lru, &n->slabs_free);
	n->nr_free++;
	n->free_objects += s->objects;
	n->total_objects += s->objects;
}

static bool grow(struct machine *m, struct kmem_cache *s, gfp_t gfp, gfp_t orig_gfp, int nid)
{
	struct kmem_cache_node *n = get_node(s, nid);
	struct page *page;

	if (!n)
		return false;
	page = new_slab(m, s, gfp, orig_gfp, nid);
	if (!page)
		return false;
	spin_lock(&n->list_lock);
	node_add_slab(s, n, page);
	spin_unlock(&n->list_lock);
	return true;
}

/* ---- per-node and per-cpu structures ---- */

/* Free objects a node keeps before giving empty slabs back. */
static unsigned long node_free_limit(struct machine *m, struct kmem_cache *s, int nid)
{
	unsigned long cpus_on_node = 0;

	for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
		if (m->slab->mem_node[c] == nid)
			cpus_on_node++;
	return (1 + cpus_on_node) * s->batchcount + s->objects;
}

void slab_init_node(struct machine *m, struct kmem_cache *s, struct kmem_cache_node *n, int nid)
{

	spin_lock_init(&n->list_lock);
	INIT_LIST_HEAD(&n->slabs_partial);
	INIT_LIST_HEAD(&n->slabs_full);
	INIT_LIST_HEAD(&n->slabs_free);
	n->nr_partial = n->nr_full = n->nr_free = 0;
	n->free_objects = n->total_objects = 0;
	n->free_limit = node_free_limit(m, s, nid);
	n->shared = NULL;
	n->node = nid;
	n->nr_alien = m->topo.nr_nodes > 1 ? m->topo.nr_nodes : 0;
	for (unsigned int r = 0; r < n->nr_alien; r++)
		n->alien[r] = NULL;
}

void slab_free_node_queues(struct machine *m, struct kmem_cache_node *n)
{
	host_free(m->arena, n->shared);
	n->shared = NULL;
	for (unsigned int r = 0; r < n->nr_alien; r++) {
		if (!n->alien[r])
			continue;
		spin_lock_destroy(&n->alien[r]->lock);
		host_free(m->arena, n->alien[r]->ac);
		host_free(m->arena, n->alien[r]);
		n->alien[r] = NULL;
	}
}

int slab_alloc_node_queues(struct machine *m, struct kmem_cache *s, struct kmem_cache_node *n)
{
	if (s->shared) {
		n->shared = alloc_arraycache(m, s->shared * s->batchcount, s->batchcount);
		if (!n->shared)
			return -ENOMEM;
	}
	for (unsigned int r = 0; r < n->nr_alien; r++) {
		struct alien_cache *a;

		if ((int)r == n->node || !node_state(m, (int)r, N_NORMAL_MEMORY))
			continue;
		a = slab_meta_should_fail(m) ? NULL : host_alloc(m->arena, sizeof(*a));
		if (!a)
			goto fail;
		a->ac = alloc_arraycache(m, SLAB_ALIEN_LIMIT, SLAB_ALIEN_LIMIT);
		if (!a->ac) {
			host_free(m->arena, a);
			goto fail;
		}
		spin_lock_init(&a->lock);
		n->alien[r] = a;
	}
	return 0;
fail:
	slab_free_node_queues(m, n);
	return -ENOMEM;
}

int slab_alloc_cpu_caches(struct machine *m, struct kmem_cache *s)
{
	unsigned int nr = m->topo.nr_cpus;

	s->cpu_slab = host_alloc(m->arena, nr * sizeof(struct kmem_cache_cpu));
	if (!s->cpu_slab)
		return -ENOMEM;
	memset(s->cpu_slab, 0, nr * sizeof(struct kmem_cache_cpu));
	for (unsigned int c = 0; c < nr; c++) {
		s->cpu_slab[c].owner_fence = !m->membarrier_ok;
		atomic_store_explicit(&s->cpu_slab[c].check_dirty, true, memory_order_relaxed);
		s->cpu_slab[c].ac = alloc_arraycache(m, s->limit, s->batchcount);
		if (!s->cpu_slab[c].ac) {
			while (c--)
				host_free(m->arena, s->cpu_slab[c].ac);
			host_free(m->arena, s->cpu_slab);
			s->cpu_slab = NULL;
			return -ENOMEM;
		}
	}
	return 0;
}

/* Count an object handed to or taken back from the user on this cpu. */
static void account_live(struct machine *m, struct kmem_cache *s, long delta)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[this_cpu_id(m)];

	cpu_queue_lock(c);
	c->live += delta;
	cpu_queue_unlock(c);
}

void *slab_early_node_alloc(struct machine *m, struct kmem_cache *s, int nid, gfp_t gfp)
{
	struct kmem_cache_node *n;
	struct page *page;
	void *x;

	slab_mark_dirty(m, s);
	page = new_slab(m, s, gfp, gfp, nid);

	if (!page)
		return NULL;
	/* The first object of the node's first slab is the node's structure. */
	x = slab_obj(m, s, page, 0);
	atomic_store_explicit(&bitmap_words(m, s, page)[0], 1ul, memory_order_relaxed);
	page->slab_inuse = 1;
	if (slab_has_debug(s))
		slab_debug_alloc(m, s, page, x, "kmem_cache_node bootstrap", 0);
	kasan_unpoison(x, s->object_size);
	n = x;
	slab_init_node(m, s, n, nid);
	s->node[nid] = n;
	n->total_objects = s->objects;
	n->free_objects = s->objects - 1;
	if (s->objects == 1) {
		list_add(&page->lru, &n->slabs_full);
		n->nr_full = 1;
	} else {
		list_add(&page->lru, &n->slabs_partial);
		n->nr_partial = 1;
	}
	account_live(m, s, 1);
	return x;
}

/* ---- allocation ---- */

static void *take_one_from_node(struct machine *m, struct kmem_cache *s, struct kmem_cache_node *n)
{
	void *x = NULL;

	spin_lock(&n->list_lock);
	node_take(m, s, n, &x, 1);
	spin_unlock(&n->list_lock);
	return x;
}

static void report_missing_node(struct machine *m, struct kmem_cache *s, int nid)
{
	struct report_ctx ctx = { "fallback_alloc", nid, -1, -1 };

	report(m, SF_REPORT_BUG, "BUG: kernel NULL pointer dereference in fallback_alloc", &ctx,
	       "cache %s: fallback to node %d, which has normal memory, found no per-node\n"
	       "structure: a node used before it was set up (incident 1)\n",
	       s->name, nid);
}

/*
 * The local node could not give an object: walk the nodes with memory by
 * distance and take one from the first that can (its lists, or a new slab
 * there). The object bypasses the cpu queue.
 */
static void *fallback_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp, gfp_t orig_gfp,
			    int nid)
{
	int order[SF_MAX_NODES];
	int nr;

	if (gfp & __GFP_THISNODE)
		return NULL;
	nr = nodes_by_distance(m, nid, order, true);
	for (int i = 0; i < nr; i++) {
		struct kmem_cache_node *n = get_node(s, order[i]);
		void *x;

		if (!n) {
			/* From SLAB_PARTIAL on every node with normal memory has
			 * one (the kernel dereferenced NULL here: incident 1). */
			if (node_state(m, order[i], N_NORMAL_MEMORY) &&
			    m->slab->state >= SLAB_PARTIAL) {
				report_missing_node(m, s, order[i]);
				return NULL;
			}
			continue;
		}
		x = take_one_from_node(m, s, n);
		if (!x && order[i] != nid && grow(m, s, gfp, orig_gfp, order[i]))
			x = take_one_from_node(m, s, n);
		if (x) {
			account_live(m, s, 1);
			return x;
		}
	}
	return NULL;
}

/* Allocation for a node other than the local one: straight from its slabs. */
static void *cache_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t orig_gfp, int nid)
{
	gfp_t gfp = orig_gfp & machine_gfp_allowed_mask(m);
	struct kmem_cache_node *n;

	if (nid < 0 || (unsigned int)nid >= m->topo.nr_nodes) {
		struct report_ctx ctx = REPORT_CTX_NONE("kmem_cache_alloc_node");

		report(m, SF_REPORT_WARN, "WARNING: kmem_cache_alloc_node with an invalid node",
		       &ctx, "cache %s: node %d of %u\n", s->name, nid, m->topo.nr_nodes);
		return NULL;
	}
	n = get_node(s, nid);
	if (!n) {
		if (gfp & __GFP_THISNODE)
			return NULL;
		return fallback_alloc(m, s, gfp, orig_gfp, nid);
	}
	sched_point(m, SP_SLAB_ALLOC_SLOWPATH);
	for (;;) {
		void *x = take_one_from_node(m, s, n);

		if (x) {
			account_live(m, s, 1);
			return x;
		}
		if (!grow(m, s, gfp, orig_gfp, nid))
			return fallback_alloc(m, s, gfp, orig_gfp, nid);
	}
}

/* The cpu queue is empty: refill a batch from shared, then slabs, then a new slab. */
static void *cache_alloc_refill(struct machine *m, struct kmem_cache *s, gfp_t orig_gfp)
{
	/* Masked before any decision about sleeping (incident 2). */
	gfp_t gfp = orig_gfp & machine_gfp_allowed_mask(m);

	sched_point(m, SP_SLAB_ALLOC_SLOWPATH);
	for (;;) {
		int cpu = this_cpu_id(m);
		int nid = m->slab->mem_node[cpu];
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		struct kmem_cache_node *n = get_node(s, nid);
		struct array_cache *ac;

		if (!n)
			return fallback_alloc(m, s, gfp, orig_gfp, nid);
		sched_point(m, SP_SLAB_REFILL);
		cpu_queue_lock(c);
		ac = c->ac;
		if (!ac->avail) {
			unsigned int want = ac->batchcount;

			spin_lock(&n->list_lock);
			if (n->shared && n->shared->avail) {
				struct array_cache *sh = n->shared;
				unsigned int nr = sh->avail < want ? sh->avail : want;

				sh->avail -= nr;
				memcpy(ac->entry, sh->entry + sh->avail, nr * sizeof(void *));
				ac->avail = nr;
			} else {
				ac->avail = node_take(m, s, n, ac->entry, want);
			}
			spin_unlock(&n->list_lock);
		}
		if (ac->avail) {
			void *x = ac->entry[--ac->avail];

			c->live++;
			cpu_queue_unlock(c);
			return x;
		}
		cpu_queue_unlock(c);
		if (!grow(m, s, gfp, orig_gfp, nid))
			return fallback_alloc(m, s, gfp, orig_gfp, nid);
	}
}

void *slab_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid,
		      size_t orig_size, const char *op, uintptr_t caller)
{
	int cpu = this_cpu_id(m);
	struct cpu *pc = &m->cpus[cpu];
	bool were_enabled;
	void *x;

	if (__builtin_expect(atomic_load_explicit(&m->failslab.enabled, memory_order_relaxed), 0) &&
	    should_fail(&m->failslab, gfp & machine_gfp_allowed_mask(m), 0, s->name))
		return NULL;
	slab_mark_dirty(m, s);
	were_enabled = pc->irqs_enabled;
	pc->irqs_enabled = false;
	if (__builtin_expect(nid == SF_NO_NODE || nid == m->slab->mem_node[cpu], 1)) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		struct array_cache *ac;

		cpu_queue_lock(c);
		ac = c->ac;
		if (__builtin_expect(ac->avail != 0, 1)) {
			x = ac->entry[--ac->avail];
			c->live++;
			cpu_queue_unlock(c);
			pc->irqs_enabled = were_enabled;
			goto got_object;
		} else {
			cpu_queue_unlock(c);
			x = cache_alloc_refill(m, s, gfp);
		}
	} else {
		x = cache_alloc_node(m, s, gfp, nid);
	}
	/* The slow path may have switched cpus at a sched point. */
	m->cpus[this_cpu_id(m)].irqs_enabled = were_enabled;
	if (!x)
		return NULL;
got_object:
	if (__builtin_expect(slab_has_debug(s), 0))
		slab_debug_alloc(m, s, compound_head(sparse_virt_to_page(m, x)), x, op, caller);
	kasan_unpoison(x, orig_size);
	if (gfp & __GFP_ZERO)
		memset(x, 0, orig_size);
	else if (!s->ctor)
		kmsan_mark_uninit(x, orig_size);
	return x;
}

/* ---- free ---- */

/*
 * Move a batch from a full cpu queue to the shared queue or the slabs.
 * A cpu queue holds objects of its cpu's memory node only (n).
 */
static void cache_flusharray(struct machine *m, struct kmem_cache *s, struct kmem_cache_node *n,
			     struct array_cache *ac, struct list_head *to_free)
{
	unsigned int batch = ac->batchcount;
	struct array_cache *sh;

	spin_lock(&n->list_lock);
	sh = n->shared;	/* replaced by tune under list_lock */
	if (sh && sh->avail < sh->limit) {
		unsigned int room = sh->limit - sh->avail;

		if (room < batch)
			batch = room;
		memcpy(sh->entry + sh->avail, ac->entry, batch * sizeof(void *));
		sh->avail += batch;
	} else {
		free_block_held(m, s, ac->entry, batch, to_free, n);
	}
	spin_unlock(&n->list_lock);
	ac->avail -= batch;
	memmove(ac->entry, ac->entry + batch, ac->avail * sizeof(void *));
}

/* Empty an alien buffer (objects of node nid) into nid: shared first, then slabs. */
static void drain_alien(struct machine *m, struct kmem_cache *s, struct array_cache *ac, int nid,
			struct list_head *to_free)
{
	struct kmem_cache_node *rn = get_node(s, nid);
	struct array_cache *sh;

	spin_lock(&rn->list_lock);
	sh = rn->shared;
	if (sh && sh->avail < sh->limit) {
		unsigned int room = sh->limit - sh->avail;
		unsigned int nr = room < ac->avail ? room : ac->avail;

		memcpy(sh->entry + sh->avail, ac->entry + ac->avail - nr, nr * sizeof(void *));
		sh->avail += nr;
		ac->avail -= nr;
	}
	free_block_held(m, s, ac->entry, ac->avail, to_free, rn);
	spin_unlock(&rn->list_lock);
	ac->avail = 0;
}

static void cache_free_alien(struct machine *m, struct kmem_cache *s, void *x, int local, int nid,
			     struct list_head *to_free)
{
	struct kmem_cache_node *n = get_node(s, local);
	struct alien_cache *a = n && (unsigned int)nid < n->nr_alien ? n->alien[nid] : NULL;
	bool flushed = false;

	if (!a) {
		free_block(m, s, &x, 1, to_free);
		return;
	}
	spin_lock(&a->lock);
	if (a->ac->avail == a->ac->limit) {
		drain_alien(m, s, a->ac, nid, to_free);
		flushed = true;
	}
	a->ac->entry[a->ac->avail++] = x;
	spin_unlock(&a->lock);
	if (flushed)
		sched_point(m, SP_SLAB_ALIEN_FLUSH);
}

void slab_free(struct machine *m, struct kmem_cache *s, struct page *page, void *x,
	       const char *op, uintptr_t caller)
{
	int cpu = this_cpu_id(m);
	struct cpu *pc = &m->cpus[cpu];
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	int local = m->slab->mem_node[cpu];
	struct list_head to_free;
	bool were_enabled;

	slab_mark_dirty(m, s);
	if (__builtin_expect(slab_has_debug(s), 0)) {
		if (!slab_debug_free(m, s, page, x, op, caller))
			return;
	}
	kasan_poison(x, s->object_size);
	were_enabled = pc->irqs_enabled;
	pc->irqs_enabled = false;
	if (__builtin_expect(page->node == local, 1)) {
		struct array_cache *ac;

		cpu_queue_lock(c);
		ac = c->ac;
		c->live--;
		if (__builtin_expect(ac->avail < ac->limit, 1)) {
			ac->entry[ac->avail++] = x;
			cpu_queue_unlock(c);
			pc->irqs_enabled = were_enabled;
			return;
		}
		INIT_LIST_HEAD(&to_free);
		cache_flusharray(m, s, get_node(s, local), ac, &to_free);
		ac->entry[ac->avail++] = x;
		cpu_queue_unlock(c);
		pc->irqs_enabled = were_enabled;
		sched_point(m, SP_SLAB_FLUSH);
	} else {
		INIT_LIST_HEAD(&to_free);
		cpu_queue_lock(c);
		c->live--;
		cpu_queue_unlock(c);
		cache_free_alien(m, s, x, local, page->node, &to_free);
		pc->irqs_enabled = were_enabled;
	}
	discard_slabs(m, s, &to_free);
}

/* ---- drain, shrink, tune ---- */

void slab_drain_all(struct machine *m, struct kmem_cache *s)
{
	struct list_head to_free;

	slab_mark_dirty(m, s);
	INIT_LIST_HEAD(&to_free);
	cpu_queues_lock_all(m, s);
	for (unsigned int cpu = 0; cpu < m->topo.nr_cpus; cpu++) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];

		free_block(m, s, c->ac->entry, c->ac->avail, &to_free);
		c->ac->avail = 0;
	}
	cpu_queues_unlock_all(m, s);
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (!n)
			continue;
		for (unsigned int r = 0; r < n->nr_alien; r++) {
			struct alien_cache *a = n->alien[r];

			if (!a)
				continue;
			spin_lock(&a->lock);
			if (a->ac->avail)
				drain_alien(m, s, a->ac, (int)r, &to_free);
			spin_unlock(&a->lock);
		}
	}
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (!n || !n->shared)
			continue;
		spin_lock(&n->list_lock);
		free_block_held(m, s, n->shared->entry, n->shared->avail, &to_free, n);
		n->shared->avail = 0;
		spin_unlock(&n->list_lock);
	}
	discard_slabs(m, s, &to_free);
}

unsigned long slab_shrink_nodes(struct machine *m, struct kmem_cache *s)
{
	struct list_head to_free;
	unsigned long pages = 0;

	slab_mark_dirty(m, s);
	INIT_LIST_HEAD(&to_free);
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (!n)
			continue;
		spin_lock(&n->list_lock);
		pages += n->nr_free << s->order;
		node_trim(s, n, &to_free, true);
		spin_unlock(&n->list_lock);
	}
	discard_slabs(m, s, &to_free);
	return pages;
}

void slab_queued_by_node(struct machine *m, struct kmem_cache *s, bool alien_only,
			 unsigned long nr[SF_MAX_NODES])
{
	memset(nr, 0, SF_MAX_NODES * sizeof(nr[0]));
	if (!alien_only) {
		cpu_queues_lock_all(m, s);
		for (unsigned int cpu = 0; cpu < m->topo.nr_cpus; cpu++)
			nr[m->slab->mem_node[cpu]] += s->cpu_slab[cpu].ac->avail;
		cpu_queues_unlock_all(m, s);
	}
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (!n)
			continue;
		for (unsigned int r = 0; r < n->nr_alien; r++) {
			if (!n->alien[r])
				continue;
			spin_lock(&n->alien[r]->lock);
			nr[r] += n->alien[r]->ac->avail;
			spin_unlock(&n->alien[r]->lock);
		}
		if (!alien_only && n->shared) {
			spin_lock(&n->list_lock);
			nr[nid] += n->shared->avail;
			spin_unlock(&n->list_lock);
		}
	}
}

unsigned long slab_queued_objects(struct machine *m, struct kmem_cache *s, bool alien_only)
{
	unsigned long per_node[SF_MAX_NODES], nr = 0;

	slab_queued_by_node(m, s, alien_only, per_node);
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++)
		nr += per_node[nid];
	return nr;
}

void slab_default_tunables(struct machine *m, struct kmem_cache *s, unsigned int *limit,
			   unsigned int *batch, unsigned int *shared)
{
	unsigned int size = s->size;

	if (size > 131072)
		*limit = 1;
	else if (size > PAGE_SIZE)
		*limit = 8;
	else if (size > 1024)
		*limit = 24;
	else if (size > 256)
		*limit = 54;
	else
		*limit = 120;
	*batch = (*limit + 1) / 2;
	*shared = (m->topo.nr_cpus > 1 && size <= PAGE_SIZE) ? 8 : 0;
}

/*
 * Replace every cpu queue and every node's shared queue (slab_mutex held).
 * All new queues are allocated first, so -ENOMEM changes nothing.
 */
int slab_do_tune(struct machine *m, struct kmem_cache *s, unsigned int limit,
		 unsigned int batch, unsigned int shared)
{
	unsigned int nr_cpus = m->topo.nr_cpus, nr_nodes = m->topo.nr_nodes;
	struct array_cache **cpu_new, *node_new[SF_MAX_NODES] = { NULL };
	struct list_head to_free;
	bool racy = machine_bug(m, SF_BUG_SLAB_RESIZE_RACE);

	slab_mark_dirty(m, s);
	cpu_new = host_calloc(m->arena, nr_cpus, sizeof(*cpu_new));
	if (!cpu_new)
		return -ENOMEM;
	for (unsigned int c = 0; c < nr_cpus; c++) {
		cpu_new[c] = alloc_arraycache(m, limit, batch);
		if (!cpu_new[c])
			goto nomem;
	}
	for (unsigned int nid = 0; nid < nr_nodes && shared; nid++) {
		if (!get_node(s, (int)nid))
			continue;
		node_new[nid] = alloc_arraycache(m, shared * batch, batch);
		if (!node_new[nid])
			goto nomem;
	}

	INIT_LIST_HEAD(&to_free);
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		struct array_cache *old;

		sched_point(m, SP_SLAB_RESIZE);
		if (racy) {
			/* SF_BUG_SLAB_RESIZE_RACE: the owner may be pushing and popping. */
			unsigned int keep;

			old = c->ac;
			keep = old->avail < limit ? old->avail : limit;
			memcpy(cpu_new[cpu]->entry, old->entry, keep * sizeof(void *));
			cpu_new[cpu]->avail = keep;
			c->ac = cpu_new[cpu];
			free_block(m, s, old->entry + keep, old->avail - keep, &to_free);
		} else {
			cpu_queue_lock_remote(m, c);
			old = c->ac;
			free_block(m, s, old->entry, old->avail, &to_free);
			c->ac = cpu_new[cpu];
			cpu_queue_unlock_remote(c);
		}
		host_free(m->arena, old);
	}
	s->limit = limit;
	s->batchcount = batch;
	s->shared = shared;
	for (unsigned int nid = 0; nid < nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);
		struct array_cache *old;

		if (!n)
			continue;
		spin_lock(&n->list_lock);
		old = n->shared;
		if (old && node_new[nid]) {
			unsigned int keep = old->avail < node_new[nid]->limit ? old->avail
									     : node_new[nid]->limit;

			memcpy(node_new[nid]->entry, old->entry + old->avail - keep,
			       keep * sizeof(void *));
			node_new[nid]->avail = keep;
			old->avail -= keep;
		}
		n->shared = node_new[nid];
		node_new[nid] = NULL;
		n->free_limit = node_free_limit(m, s, (int)nid);
		if (old)
			free_block_held(m, s, old->entry, old->avail, &to_free, n);
		spin_unlock(&n->list_lock);
		host_free(m->arena, old);
	}
	host_free(m->arena, cpu_new);
	discard_slabs(m, s, &to_free);
	return 0;
nomem:
	for (unsigned int c = 0; c < nr_cpus; c++)
		host_free(m->arena, cpu_new[c]);
	for (unsigned int nid = 0; nid < nr_nodes; nid++)
		host_free(m->arena, node_new[nid]);
	host_free(m->arena, cpu_new);
	return -ENOMEM;
}
