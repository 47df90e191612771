/* SPDX-License-Identifier: MIT */
/*
 * Slab layer: bootstrap along the boot stages, kmem_cache_create/destroy
 * with merging, the kmalloc and DMA kmalloc caches, the kmalloc family,
 * the shrinker, and release. Lock order and object placement: slab.h.
 *
 * Bootstrap (STAGE_SLAB_PARTIAL), from the page allocator up:
 *   1. one page holds the boot kmem_cache structures of the two boot caches;
 *   2. kmem_cache_node: for every node with normal memory, the first object
 *      of a slab grown on that node is the node's own structure (incident 1:
 *      all of them before the first allocation from any cpu);
 *   3. kmem_cache (the cache of caches) gets its per-node structures from
 *      kmem_cache_node;
 *   4. both boot structures are copied into objects of kmem_cache and the
 *      boot page goes back; then the kmalloc caches.
 * STAGE_SLAB_UP: attributes for every cache, real queue sizes, the DMA
 * kmalloc caches (under slab_mutex, GFP_NOWAIT: drivers may already ask
 * for DMA memory; incident 4), the shrinker.
 */
#include <string.h>

#include "slab.h"

#define GFP_SLAB_BUG_MASK (__GFP_DMA32 | ~(gfp_t)__GFP_BITS_MASK)

static unsigned int align_up(unsigned int x, unsigned int a)
{
	return (x + a - 1) & ~(a - 1);
}

/*
 * The simulated size of a kmem_cache_node object: the model's own figures,
 * not the host's sizeof, so which configurations make it a kmalloc size
 * (incident 4) is the same on every host. The host structure must fit.
 */
#define KCN_SIM_FIXED	152u	/* lock, three lists, six counters, shared, node, nr_alien */
#define KCN_SIM_PTR	8u	/* one alien pointer */
#define KCN_SIM_DEBUG	24u	/* the debug tail */
_Static_assert(offsetof(struct kmem_cache_node, alien) <= KCN_SIM_FIXED,
	       "struct kmem_cache_node outgrew its simulated size");
_Static_assert(sizeof(struct alien_cache *) <= KCN_SIM_PTR, "alien pointer size");
_Static_assert(sizeof(struct kmem_cache_node_debug) <= KCN_SIM_DEBUG, "debug tail size");

unsigned int kmem_cache_node_size(const struct machine *m, unsigned int debug_flags)
{
	unsigned int size = KCN_SIM_FIXED;

	if (m->topo.nr_nodes > 1)
		size += m->topo.nr_nodes * KCN_SIM_PTR;
	if (debug_flags)
		size += KCN_SIM_DEBUG;
	return size;
}

bool slab_is_available(struct machine *m)
{
	return m->slab && m->slab->state >= SLAB_PARTIAL &&
	       m->slab->kmalloc_caches[KMALLOC_NORMAL][KMALLOC_SHIFT_LOW];
}

const char *kmem_cache_name(const struct kmem_cache *s)
{
	return s->name;
}

size_t kmem_cache_size(const struct kmem_cache *s)
{
	return s->object_size;
}

/* ---- sizes ---- */

static unsigned int mgmt_bytes(const struct kmem_cache *s, unsigned int objects)
{
	unsigned int bytes = (unsigned int)(((objects + 63) / 64) * sizeof(long));

	if (slab_has_debug(s))
		bytes += objects;
	return align_up(bytes, 8);
}

/* Slot layout, slab order and objects per slab. Returns false if nothing fits. */
/*
 * The alignment of a cache: what was asked, at least 8, and with
 * SLAB_HWCACHE_ALIGN a cache line (halved while the object fits in half).
 * Creation and merging both use it.
 */
static unsigned int cache_alignment(unsigned int flags, size_t align, unsigned int object_size)
{
	unsigned int a = align ? (unsigned int)align : 8;

	if (a < 8)
		a = 8;
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int line = 64;

		while (line > 8 && object_size <= line / 2)
			line /= 2;
		if (line > a)
			a = line;
	}
	return a;
}

static bool calculate_sizes(struct machine *m, struct kmem_cache *s, size_t align)
{
	unsigned int a = cache_alignment(s->flags, align, s->object_size);
	unsigned int best_order = 0, best = 0;

	s->align = a;
	if (slab_has_debug(s)) {
		slab_debug_layout(s);
	} else {
		s->red_left_pad = 0;
		s->inuse = s->object_size;
		s->track_offset = 0;
		s->size = align_up(s->object_size, a);
	}
	for (unsigned int order = 0; order <= SLAB_MAX_ORDER && order < m->max_order; order++) {
		unsigned int bytes = (unsigned int)(PAGE_SIZE << order);
		unsigned int n = bytes / s->size;

		while (n && n * s->size + mgmt_bytes(s, n) > bytes)
			n--;
		if (n > best) {
			best = n;
			best_order = order;
		}
		if (n >= SLAB_MIN_OBJECTS)
			break;
	}
	if (!best)
		return false;
	s->order = best_order;
	s->objects = best;
	s->mgmt_offset = best * s->size;
	s->state_offset = slab_has_debug(s)
				  ? s->mgmt_offset + (unsigned int)(((best + 63) / 64) * sizeof(long))
				  : 0;
	return true;
}

/* ---- creating and releasing one cache (slab_mutex held) ---- */

static void kmem_cache_init_fields(struct machine *m, struct kmem_cache *s, const char *name,
				   unsigned int size, unsigned int flags, kmem_ctor_fn ctor)
{
	memset(s, 0, m->slab->cache_size);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->object_size = size;
	s->flags = slab_debug_flags_for(m, name, flags);
	if (ctor)
		s->flags &= ~SLAB_POISON;	/* constructed objects keep their state */
	s->ctor = ctor;
	s->allocflags = (flags & SLAB_CACHE_DMA) ? __GFP_DMA : 0;
	s->refcount = 1;
	s->limit = BOOT_CPUCACHE_ENTRIES;
	s->batchcount = BOOT_CPUCACHE_ENTRIES;
	s->shared = 0;
	INIT_LIST_HEAD(&s->list);
}

/* Free what the cache holds besides slabs: node structures, queues, itself. */
static void kmem_cache_release(struct machine *m, struct kmem_cache *s, bool free_struct)
{
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = s->node[nid];

		if (!n)
			continue;
		slab_free_node_queues(m, n);
		spin_lock_destroy(&n->list_lock);
		s->node[nid] = NULL;
		kmem_cache_free(m, m->slab->kmem_cache_node, n);
	}
	if (s->cpu_slab) {
		for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
			host_free(m->arena, s->cpu_slab[c].ac);
		host_free(m->arena, s->cpu_slab);
		s->cpu_slab = NULL;
	}
	if (free_struct)
		kmem_cache_free(m, m->slab->kmem_cache, s);
}

static int init_cache_nodes(struct machine *m, struct kmem_cache *s, uint32_t nodes, gfp_t gfp)
{
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n;

		if (!((nodes >> nid) & 1u) || s->node[nid])
			continue;
		n = kmem_cache_alloc_node(m, m->slab->kmem_cache_node, gfp | __GFP_THISNODE,
					  (int)nid);
		if (!n)
			return -ENOMEM;
		slab_init_node(m, s, n, (int)nid);
		if (slab_alloc_node_queues(m, s, n)) {
			spin_lock_destroy(&n->list_lock);
			kmem_cache_free(m, m->slab->kmem_cache_node, n);
			return -ENOMEM;
		}
		s->node[nid] = n;
	}
	return 0;
}

/*
 * Make a cache (slab_mutex held). *err gets -EINVAL, -ENOMEM or -EEXIST
 * (attribute name taken). On failure nothing is left behind.
 */
static struct kmem_cache *create_cache(struct machine *m, const char *name, unsigned int size,
				       size_t align, unsigned int flags, kmem_ctor_fn ctor,
				       gfp_t gfp, int *err)
{
	struct slab_state *ss = m->slab;
	struct kmem_cache *s = kmem_cache_alloc(m, ss->kmem_cache, gfp);

	*err = -ENOMEM;
	if (!s)
		return NULL;
	kmem_cache_init_fields(m, s, name, size, flags, ctor);
	if (!calculate_sizes(m, s, align)) {
		*err = -EINVAL;
		goto out_free;
	}
	if (ss->state >= SLAB_UP)
		slab_default_tunables(m, s, &s->limit, &s->batchcount, &s->shared);
	if (slab_alloc_cpu_caches(m, s))
		goto out_free;
	if (init_cache_nodes(m, s, ss->slab_nodes, gfp))
		goto out_free;
	list_add_tail(&s->list, &ss->caches);
	/* SF_BUG_SLAB_SYSFS_RACE moves kmem_cache_create's registration only. */
	if (ss->state >= SLAB_UP &&
	    (!machine_bug(m, SF_BUG_SLAB_SYSFS_RACE) || (flags & SLAB_KMALLOC))) {
		int ret = sysfs_slab_add(m, s);

		if (ret) {
			list_del(&s->list);
			*err = ret;
			goto out_free;
		}
	}
	*err = 0;
	return s;
out_free:
	kmem_cache_release(m, s, true);
	return NULL;
}

static struct kmem_cache *find_mergeable(struct machine *m, unsigned int size, size_t align,
					 unsigned int flags, kmem_ctor_fn ctor)
{
	struct slab_state *ss = m->slab;
	unsigned int want_flags = slab_debug_flags_for(m, "", flags);
	unsigned int a = cache_alignment(flags, align, size);
	unsigned int need = align_up(size, a);
	struct list_head *pos;

	if (ctor || (want_flags & (SLAB_NO_MERGE | SLAB_DEBUG_FLAGS)))
		return NULL;
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (s->refcount <= 0 || slab_unmergeable(s))
			continue;
		if ((s->flags & SLAB_CACHE_DMA) != (flags & SLAB_CACHE_DMA))
			continue;
		if (need > s->size || s->size - need >= sizeof(void *))
			continue;
		if (s->align % a)
			continue;
		return s;
	}
	return NULL;
}

struct kmem_cache *slab_cache_lookup_locked(struct machine *m, const char *name)
{
	struct list_head *pos;

	list_for_each(pos, &m->slab->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

struct kmem_cache *kmem_cache_create(struct machine *m, const char *name, size_t size,
				     size_t align, unsigned int flags, kmem_ctor_fn ctor)
{
	struct slab_state *ss = m->slab;
	struct kmem_cache *s;
	int err;

	if (!ss || ss->state < SLAB_PARTIAL || !name || !name[0] ||
	    strlen(name) >= SLAB_NAME_MAX || size == 0 ||
	    size > (PAGE_SIZE << SLAB_MAX_ORDER) || (align & (align - 1)) || align > PAGE_SIZE ||
	    in_interrupt(m))
		return NULL;
	flags &= SLAB_DEBUG_FLAGS | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA | SLAB_NO_MERGE;
	sched_point(m, SP_SLAB_CREATE);
	spin_lock(&ss->slab_mutex);
	if (slab_cache_lookup_locked(m, name)) {
		struct report_ctx ctx = REPORT_CTX_NONE("kmem_cache_create");

		report(m, SF_REPORT_INFO, "kmem_cache_create: Cache name already exists", &ctx,
		       "kmem_cache_create(%s): a cache of that name exists\n", name);
		spin_unlock(&ss->slab_mutex);
		return NULL;
	}
	s = find_mergeable(m, (unsigned int)size, align, flags, ctor);
	if (s) {
		s->refcount++;
		/* The alias serves the larger request too: widen what is in use
		 * (the slot, s->size, already holds it; merged caches carry no
		 * debug layout, so inuse is object_size). */
		if (size > s->object_size) {
			s->object_size = (unsigned int)size;
			s->inuse = s->object_size;
		}
		if (ss->state >= SLAB_UP) {
			if (machine_bug(m, SF_BUG_SLAB_SYSFS_RACE)) {
				spin_unlock(&ss->slab_mutex);
				if (sysfs_slab_alias(m, s, name)) {
					spin_lock(&ss->slab_mutex);
					s->refcount--;
					spin_unlock(&ss->slab_mutex);
					return NULL;
				}
				return s;
			}
			if (sysfs_slab_alias(m, s, name)) {
				s->refcount--;
				s = NULL;
			}
		}
		spin_unlock(&ss->slab_mutex);
		return s;
	}
	s = create_cache(m, name, (unsigned int)size, align, flags, ctor, GFP_KERNEL, &err);
	spin_unlock(&ss->slab_mutex);
	if (s && ss->state >= SLAB_UP && machine_bug(m, SF_BUG_SLAB_SYSFS_RACE)) {
		/* SF_BUG_SLAB_SYSFS_RACE: registered outside slab_mutex. */
		if (sysfs_slab_add(m, s)) {
			kmem_cache_destroy(m, s);
			return NULL;
		}
	}
	return s;
}

static bool cache_has_objects(struct machine *m, struct kmem_cache *s)
{
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = s->node[nid];
		bool busy;

		if (!n)
			continue;
		spin_lock(&n->list_lock);
		busy = n->total_objects != 0;
		spin_unlock(&n->list_lock);
		if (busy)
			return true;
	}
	return false;
}

void kmem_cache_destroy(struct machine *m, struct kmem_cache *s)
{
	struct slab_state *ss = m->slab;
	struct report_ctx ctx = REPORT_CTX_NONE("kmem_cache_destroy");
	bool racy;

	if (!s || !ss)
		return;
	spin_lock(&ss->slab_mutex);
	if (s->refcount <= 0 || ((s->flags & (SLAB_BOOT_CACHE | SLAB_KMALLOC)) && s->refcount == 1)) {
		report(m, SF_REPORT_WARN, "WARNING: kmem_cache_destroy of a cache that cannot go",
		       &ctx, "cache %s: refcount %d%s\n", s->name, s->refcount,
		       (s->flags & (SLAB_BOOT_CACHE | SLAB_KMALLOC)) ? " (a boot or kmalloc cache)"
								      : "");
		spin_unlock(&ss->slab_mutex);
		return;
	}
	if (--s->refcount > 0) {
		spin_unlock(&ss->slab_mutex);
		return;
	}
	list_del(&s->list);
	slab_drain_all(m, s);
	slab_shrink_nodes(m, s);
	if (cache_has_objects(m, s)) {
		char title[SF_REPORT_TITLE_MAX];

		snprintf(title, sizeof(title), "BUG kmem_cache_destroy %s: Objects remaining",
			 s->name);
		report(m, SF_REPORT_BUG, title, &ctx,
		       "cache %s still has objects in use; it is kept (and leaked) as the\n"
		       "kernel does\n",
		       s->name);
		list_add_tail(&s->list, &ss->caches);
		s->refcount = 0;
		spin_unlock(&ss->slab_mutex);
		return;
	}
	for (int type = 0; type < NR_KMALLOC_TYPES; type++)
		for (int i = 0; i < NR_KMALLOC_INDEX; i++)
			if (ss->kmalloc_caches[type][i] == s)
				ss->kmalloc_caches[type][i] = NULL;
	racy = machine_bug(m, SF_BUG_SLAB_SYSFS_RACE);
	if (!racy)
		sysfs_slab_remove(m, s);
	kmem_cache_release(m, s, !racy);
	spin_unlock(&ss->slab_mutex);
	if (racy) {
		/*
		 * SF_BUG_SLAB_SYSFS_RACE: the old order, the directory goes
		 * last; a lookup by name in between finds a freed cache (a
		 * preemption can come here: destroy may sleep).
		 */
		kmem_cache_free(m, ss->kmem_cache, s);
		sched_point(m, SP_SLAB_DESTROY);
		sysfs_slab_remove(m, s);
		return;
	}
	sched_point(m, SP_SLAB_DESTROY);
}

int kmem_cache_shrink(struct machine *m, struct kmem_cache *s)
{
	if (!s)
		return -EINVAL;
	sched_point(m, SP_SLAB_SHRINK);
	slab_drain_all(m, s);
	slab_shrink_nodes(m, s);
	return 0;
}

int kmem_cache_tune(struct machine *m, struct kmem_cache *s, unsigned int limit,
		    unsigned int batch, unsigned int shared)
{
	int ret;

	if (!s || !m->slab || limit < 1 || limit > SLAB_LIMIT_MAX || batch < 1 || batch > limit ||
	    batch > SLAB_BATCH_MAX || shared > SLAB_SHARED_MAX)
		return -EINVAL;
	spin_lock(&m->slab->slab_mutex);
	ret = slab_do_tune(m, s, limit, batch, shared);
	spin_unlock(&m->slab->slab_mutex);
	return ret;
}

unsigned long kmem_cache_validate(struct machine *m, struct kmem_cache *s)
{
	unsigned long errors;

	if (!s || !m->slab)
		return 0;
	spin_lock(&m->slab->slab_mutex);
	errors = slab_validate_cache(m, s);
	spin_unlock(&m->slab->slab_mutex);
	return errors;
}

void *kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp)
{
	void *x = slab_alloc_fast(m, s, gfp, s->object_size);

	if (__builtin_expect(x != NULL, 1))
		return x;
	return slab_alloc_node(m, s, gfp, SF_NO_NODE, s->object_size, "kmem_cache_alloc",
			       (uintptr_t)__builtin_return_address(0));
}

void *kmem_cache_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid)
{
	return slab_alloc_node(m, s, gfp, nid, s->object_size, "kmem_cache_alloc_node",
			       (uintptr_t)__builtin_return_address(0));
}

static void report_bad_free(struct machine *m, struct kmem_cache *s, const void *x, const char *op,
			    const char *why)
{
	if (s) {
		slab_report_object(m, s, x, "Wrong slab cache", op, "%s\n", why);
	} else {
		struct report_ctx ctx = REPORT_CTX_NONE(op);

		report(m, SF_REPORT_WARN, "WARNING: kfree of memory not from kmalloc", &ctx,
		       "%s: %s\n", op, why);
	}
}

void kmem_cache_free(struct machine *m, struct kmem_cache *s, void *x)
{
	struct page *page;

	if (!x)
		return;
	page = sparse_virt_to_page_nocheck(m, x);
	if (!page) {
		report_bad_free(m, s, x, "kmem_cache_free", "address not in the machine's memory");
		return;
	}
	page = compound_head(page);
	if (!(page->flags & PG_slab) || page->slab_cache != s) {
		report_bad_free(m, s, x, "kmem_cache_free",
				(page->flags & PG_slab) ? "object belongs to another cache"
							: "page is not a slab");
		return;
	}
	if (__builtin_expect(slab_free_fast(m, s, page, x), 1))
		return;
	if ((slab_has_debug(s) || m->debug_level >= 1) &&
	    !slab_free_checks(m, s, page, x, "kmem_cache_free"))
		return;
	slab_free(m, s, page, x, "kmem_cache_free", (uintptr_t)__builtin_return_address(0));
}

/* ---- kmalloc ---- */

static unsigned int kmalloc_index(size_t size)
{
	if (size <= 8)
		return 3;
	if (size <= 16)
		return 4;
	if (size <= 32)
		return 5;
	if (size <= 64)
		return 6;
	if (size <= 96)
		return 1;
	if (size <= 128)
		return 7;
	if (size <= 192)
		return 2;
	return (unsigned int)(64 - __builtin_clzl((unsigned long)size - 1));
}

static unsigned int kmalloc_size(unsigned int index)
{
	return index == 1 ? 96 : index == 2 ? 192 : 1u << index;
}

/* Is s an entry of a kmalloc table? */
static bool kmalloc_table_holds(const struct slab_state *ss, const struct kmem_cache *s)
{
	for (int type = 0; type < NR_KMALLOC_TYPES; type++)
		for (unsigned int i = 1; i < NR_KMALLOC_INDEX; i++)
			if (ss->kmalloc_caches[type][i] == s)
				return true;
	return false;
}

/* SLAB_KMALLOC marks the table's caches only: a listed cache with the flag
 * is a table entry (the entries' own flags are checked below). */
static bool kmalloc_flag_valid(struct machine *m, char *why, size_t len)
{
	struct slab_state *ss = m->slab;
	struct list_head *pos;

	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if ((s->flags & SLAB_KMALLOC) && !kmalloc_table_holds(ss, s)) {
			snprintf(why, len, "%s has SLAB_KMALLOC (flags %#x) but no kmalloc index",
				 s->name, s->flags);
			return false;
		}
	}
	return true;
}

/*
 * The kmalloc tables: index 0 of the normal table is kmem_cache_node (as in
 * the 2010 code), index 0 of the DMA table is empty, and every other entry
 * is a kmalloc cache of its class size and of its table's zone, and no other
 * listed cache has SLAB_KMALLOC. Returns
 * false with the first broken relation in why (slab_mutex held).
 */
bool kmalloc_caches_valid(struct machine *m, char *why, size_t len)
{
	struct slab_state *ss = m->slab;

	if (ss->state >= SLAB_PARTIAL && ss->kmalloc_caches[KMALLOC_NORMAL][0] &&
	    ss->kmalloc_caches[KMALLOC_NORMAL][0] != ss->kmem_cache_node) {
		snprintf(why, len, "kmalloc index 0 is %s, not kmem_cache_node",
			 ss->kmalloc_caches[KMALLOC_NORMAL][0]->name);
		return false;
	}
	if (ss->kmalloc_caches[KMALLOC_DMA][0]) {
		snprintf(why, len, "DMA kmalloc index 0 holds %s (index 0 is no kmalloc class)",
			 ss->kmalloc_caches[KMALLOC_DMA][0]->name);
		return false;
	}
	for (int type = 0; type < NR_KMALLOC_TYPES; type++) {
		for (unsigned int i = 1; i < NR_KMALLOC_INDEX; i++) {
			struct kmem_cache *k = ss->kmalloc_caches[type][i];
			bool dma = (k && (k->flags & SLAB_CACHE_DMA));

			if (!k)
				continue;
			if (!(k->flags & SLAB_KMALLOC) || k->object_size != kmalloc_size(i) ||
			    dma != (type == KMALLOC_DMA) || k->refcount <= 0) {
				snprintf(why, len,
					 "%s kmalloc index %u holds %s: object size %u, flags %#x, "
					 "refcount %d (class size %u)",
					 type == KMALLOC_DMA ? "DMA" : "normal", i, k->name,
					 k->object_size, k->flags, k->refcount, kmalloc_size(i));
				return false;
			}
		}
	}
	return kmalloc_flag_valid(m, why, len);
}

struct kmem_cache *kmalloc_slab(struct machine *m, size_t size, gfp_t gfp)
{
	if (!m->slab || size == 0 || size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	return m->slab->kmalloc_caches[(gfp & __GFP_DMA) ? KMALLOC_DMA : KMALLOC_NORMAL]
				       [kmalloc_index(size)];
}

static void *kmalloc_large(struct machine *m, size_t size, gfp_t gfp, int nid)
{
	unsigned int order = 0;
	struct page *page;
	void *p;

	while ((PAGE_SIZE << order) < size)
		order++;
	if (order >= m->max_order)
		return NULL;
	page = alloc_pages_node(m, nid, gfp | __GFP_COMP, order);
	if (!page)
		return NULL;
	page->private = LARGE_KMALLOC_MAGIC;
	p = page_address(m, page);
	kasan_poison((char *)p + size, (PAGE_SIZE << order) - size);
	return p;
}

static inline void *do_kmalloc(struct machine *m, size_t size, gfp_t gfp, int nid, uintptr_t caller)
{
	struct kmem_cache *s;

	if (!size)
		return ZERO_SIZE_PTR;
	if (gfp & GFP_SLAB_BUG_MASK) {
		struct report_ctx ctx = REPORT_CTX_NONE("kmalloc");
		char buf[GFP_FORMAT_MAX];

		report(m, SF_REPORT_WARN, "WARNING: Unexpected gfp in kmalloc", &ctx,
		       "gfp %s: __GFP_DMA32 has no kmalloc caches\n",
		       gfp_format(gfp, buf, sizeof(buf)));
		gfp &= ~GFP_SLAB_BUG_MASK;
	}
	s = kmalloc_slab(m, size, gfp);
	if (!s) {
		/* Large, a class that does not fit this machine, or too early. */
		if (size <= KMALLOC_MAX_CACHE_SIZE && !slab_is_available(m))
			return NULL;
		if (size <= KMALLOC_MAX_CACHE_SIZE && (gfp & __GFP_DMA) &&
		    m->slab->state < SLAB_UP)
			return NULL;	/* the DMA caches come at STAGE_SLAB_UP */
		return kmalloc_large(m, size, gfp, nid);
	}
	if (nid == SF_NO_NODE) {
		void *x = slab_alloc_fast(m, s, gfp, size);

		if (__builtin_expect(x != NULL, 1))
			return x;
	}
	return slab_alloc_node(m, s, gfp, nid, size, "kmalloc", caller);
}

void *kmalloc(struct machine *m, size_t size, gfp_t gfp)
{
	return do_kmalloc(m, size, gfp, SF_NO_NODE, (uintptr_t)__builtin_return_address(0));
}

void *kmalloc_node(struct machine *m, size_t size, gfp_t gfp, int nid)
{
	return do_kmalloc(m, size, gfp, nid, (uintptr_t)__builtin_return_address(0));
}

void *kzalloc(struct machine *m, size_t size, gfp_t gfp)
{
	return do_kmalloc(m, size, gfp | __GFP_ZERO, SF_NO_NODE,
			  (uintptr_t)__builtin_return_address(0));
}

void *kcalloc(struct machine *m, size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return do_kmalloc(m, bytes, gfp | __GFP_ZERO, SF_NO_NODE,
			  (uintptr_t)__builtin_return_address(0));
}

/* Usable size of p, 0 if p is not from kmalloc or a cache. */
static size_t usable_size(struct machine *m, const void *p, struct page **pagep)
{
	struct page *page = sparse_virt_to_page(m, p);

	if (!page)
		return 0;
	page = compound_head(page);
	*pagep = page;
	if (page->flags & PG_slab)
		return ((struct kmem_cache *)page->slab_cache)->object_size;
	if (page->private == LARGE_KMALLOC_MAGIC && page_address(m, page) == p)
		return PAGE_SIZE << page->order;
	return 0;
}

size_t ksize(struct machine *m, const void *p)
{
	struct page *page;
	size_t size;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	size = usable_size(m, p, &page);
	if (size)
		kasan_unpoison(p, size);
	return size;
}

void kfree(struct machine *m, const void *p)
{
	struct page *page;
	struct kmem_cache *s;
	void *x = (void *)(uintptr_t)p;

	if (ZERO_OR_NULL_PTR(p))
		return;
	page = sparse_virt_to_page_nocheck(m, p);
	if (!page) {
		report_bad_free(m, NULL, p, "kfree", "address not in the machine's memory");
		return;
	}
	page = compound_head(page);
	if (!(page->flags & PG_slab)) {
		if (page->private != LARGE_KMALLOC_MAGIC || page_address(m, page) != p ||
		    page->state != PS_ALLOCATED) {
			report_bad_free(m, NULL, p, "kfree", "not a slab object or large kmalloc");
			return;
		}
		page->private = 0;
		kasan_unpoison(x, PAGE_SIZE << page->order);
		__free_pages(m, page, page->order);
		return;
	}
	s = page->slab_cache;
	if (__builtin_expect(slab_free_fast(m, s, page, x), 1))
		return;
	if ((slab_has_debug(s) || m->debug_level >= 1) &&
	    !slab_free_checks(m, s, page, x, "kfree"))
		return;
	slab_free(m, s, page, x, "kfree", (uintptr_t)__builtin_return_address(0));
}

void *krealloc(struct machine *m, const void *p, size_t new_size, gfp_t gfp)
{
	struct page *page;
	size_t ks;
	void *n;

	if (!new_size) {
		kfree(m, p);
		return ZERO_SIZE_PTR;
	}
	if (ZERO_OR_NULL_PTR(p))
		return do_kmalloc(m, new_size, gfp, SF_NO_NODE,
				  (uintptr_t)__builtin_return_address(0));
	ks = usable_size(m, p, &page);
	if (!ks)
		return NULL;
	if (new_size <= ks) {
		kasan_unpoison(p, new_size);
		kasan_poison((const char *)p + new_size, ks - new_size);
		return (void *)(uintptr_t)p;
	}
	n = do_kmalloc(m, new_size, gfp, SF_NO_NODE, (uintptr_t)__builtin_return_address(0));
	if (!n)
		return NULL;
	kasan_unpoison(p, ks);
	memcpy(n, p, ks);
	kfree(m, p);
	return n;
}

/* ---- boot ---- */

static void kmalloc_name(char *buf, size_t size, const char *prefix, unsigned int bytes)
{
	if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(buf, size, "%skmalloc-%uk", prefix, bytes / 1024);
	else
		snprintf(buf, size, "%skmalloc-%u", prefix, bytes);
}

/*
 * A kmalloc object is aligned to the largest power of two dividing the
 * size asked, red zones and tracking included (the kernel's
 * memory-allocation guarantee): so a class is aligned to that of its size.
 */
static size_t kmalloc_align(unsigned int size)
{
	return size & -size;
}

static int create_kmalloc_caches(struct machine *m)
{
	struct slab_state *ss = m->slab;

	for (unsigned int i = 1; i < NR_KMALLOC_INDEX; i++) {
		unsigned int size = kmalloc_size(i);
		char name[SLAB_NAME_MAX];
		struct kmem_cache *s;
		int err;

		kmalloc_name(name, sizeof(name), "", size);
		s = create_cache(m, name, size, kmalloc_align(size), SLAB_KMALLOC, NULL,
				 GFP_NOWAIT, &err);
		if (!s) {
			if (err == -EINVAL)
				continue;
			return err;
		}
		s->flags |= SLAB_KMALLOC;
		ss->kmalloc_caches[KMALLOC_NORMAL][i] = s;
	}
	return 0;
}

/*
 * The DMA variants, at STAGE_SLAB_UP with slab_mutex held and GFP_NOWAIT.
 * Index 0 holds kmem_cache_node (as in the 2010 code) and must be skipped;
 * SF_BUG_SLAB_DMA_DUPLICATE starts at 0 (incident 4). When the per-node
 * structure's size is a kmalloc size, that makes a second cache of the same
 * name, whose attribute registration fails (the generic duplicate-name
 * WARN of sysfs_insert); otherwise an odd-sized DMA cache at index 0, which
 * the checker's kmalloc-table invariant sees.
 */
static int create_dma_caches(struct machine *m)
{
	struct slab_state *ss = m->slab;
	unsigned int first = machine_bug(m, SF_BUG_SLAB_DMA_DUPLICATE) ? 0 : 1;

	for (unsigned int i = first; i < NR_KMALLOC_INDEX; i++) {
		struct kmem_cache *base = ss->kmalloc_caches[KMALLOC_NORMAL][i];
		char name[SLAB_NAME_MAX];
		struct kmem_cache *s;
		int err;

		if (!base)
			continue;
		kmalloc_name(name, sizeof(name), "dma-", base->object_size);
		s = create_cache(m, name, base->object_size, kmalloc_align(base->object_size),
				 SLAB_KMALLOC | SLAB_CACHE_DMA, NULL,
				 GFP_NOWAIT, &err);
		if (!s)
			return err;
		s->flags |= SLAB_KMALLOC;
		ss->kmalloc_caches[KMALLOC_DMA][i] = s;
	}
	return 0;
}

/*
 * The nodes whose per-node structures the bootstrap sets up first: every
 * node with normal memory, before the first allocation from any cpu.
 * SF_BUG_SLAB_MEMORYLESS_BOOT reverts to the boot cpu's node only (2008):
 * on a memoryless node the bootstrap finds no memory and boot fails with
 * memory available elsewhere; with a little memory there, the first local
 * miss falls back to nodes that have none yet.
 */
static uint32_t bootstrap_nodes(struct machine *m)
{
	if (machine_bug(m, SF_BUG_SLAB_MEMORYLESS_BOOT))
		return 1u << cpu_to_node(m, (int)m->topo.boot_cpu);
	return m->slab->slab_nodes;
}

/*
 * kmem_cache_node's own structure on every node of nodes that has none yet:
 * the first object of a slab grown on that node (the normal path would
 * need the structure it is making).
 */
static int bootstrap_node_structures(struct machine *m, struct kmem_cache *kcn, uint32_t nodes)
{
	uint32_t added = 0;

	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		if (!((nodes >> nid) & 1u) || kcn->node[nid])
			continue;
		if (!slab_early_node_alloc(m, kcn, (int)nid, GFP_NOWAIT))
			return -ENOMEM;
		added |= 1u << nid;
	}
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++)
		if (((added >> nid) & 1u) && slab_alloc_node_queues(m, kcn, kcn->node[nid]))
			return -ENOMEM;
	return 0;
}

static void boot_cache_open(struct machine *m, struct kmem_cache *s, const char *name,
			    unsigned int size)
{
	kmem_cache_init_fields(m, s, name, size, SLAB_BOOT_CACHE | SLAB_NO_MERGE, NULL);
}

/* Point everything that names the boot structure at its final copy. */
static void boot_cache_move(struct machine *m, struct kmem_cache *boot, struct kmem_cache *s)
{
	memcpy(s, boot, m->slab->cache_size);
	INIT_LIST_HEAD(&s->list);
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = s->node[nid];
		struct list_head *lists[3];

		if (!n)
			continue;
		node_slab_lists(n, lists);
		for (int l = 0; l < 3; l++) {
			struct list_head *pos;

			list_for_each(pos, lists[l])
				list_entry(pos, struct page, lru)->slab_cache = s;
		}
	}
}

/*
 * On failure the pieces stay reachable from m->slab (kmem_cache,
 * kmem_cache_node, boot_page) and slab_release() gives them all back.
 */
static int kmem_cache_init(struct machine *m)
{
	struct slab_state *ss = m->slab;
	struct kmem_cache *boot_node, *boot_cache, *s;
	uint32_t first_nodes = bootstrap_nodes(m);

	while ((PAGE_SIZE << ss->boot_order) < 2 * (size_t)align_up(ss->cache_size, 64))
		ss->boot_order++;
	ss->boot_page = alloc_pages(m, GFP_NOWAIT, ss->boot_order);
	if (!ss->boot_page)
		return -ENOMEM;
	boot_node = page_address(m, ss->boot_page);
	boot_cache = (struct kmem_cache *)((char *)boot_node + align_up(ss->cache_size, 64));

	/* 1. kmem_cache_node, its structures from its own first slabs. */
	boot_cache_open(m, boot_node, "kmem_cache_node", ss->node_size);
	ss->kmem_cache_node = boot_node;
	if (!calculate_sizes(m, boot_node, 0) || slab_alloc_cpu_caches(m, boot_node))
		return -ENOMEM;
	ss->state = SLAB_DOWN;
	if (bootstrap_node_structures(m, boot_node, first_nodes))
		return -ENOMEM;
	ss->state = SLAB_PARTIAL;

	/* 2. kmem_cache, its structures from kmem_cache_node. */
	boot_cache_open(m, boot_cache, "kmem_cache", ss->cache_size);
	ss->kmem_cache = boot_cache;
	if (!calculate_sizes(m, boot_cache, 0) || slab_alloc_cpu_caches(m, boot_cache) ||
	    init_cache_nodes(m, boot_cache, first_nodes, GFP_NOWAIT))
		return -ENOMEM;

	/* 3. Both into objects of kmem_cache; the boot page goes back. */
	s = kmem_cache_alloc(m, boot_cache, GFP_NOWAIT);
	if (!s)
		return -ENOMEM;
	boot_cache_move(m, boot_cache, s);
	ss->kmem_cache = s;
	list_add_tail(&s->list, &ss->caches);
	s = kmem_cache_alloc(m, ss->kmem_cache, GFP_NOWAIT);
	if (!s)
		return -ENOMEM;
	boot_cache_move(m, boot_node, s);
	ss->kmem_cache_node = s;
	list_add(&s->list, &ss->caches);
	ss->kmalloc_caches[KMALLOC_NORMAL][0] = s;
	__free_pages(m, ss->boot_page, ss->boot_order);
	ss->boot_page = NULL;

	/* Nodes not set up yet (none, or all but the boot node under
	 * SF_BUG_SLAB_MEMORYLESS_BOOT). */
	if (bootstrap_node_structures(m, ss->kmem_cache_node, ss->slab_nodes) ||
	    init_cache_nodes(m, ss->kmem_cache, ss->slab_nodes, GFP_NOWAIT))
		return -ENOMEM;
	return create_kmalloc_caches(m);
}

/* ---- the shrinker ---- */

static unsigned long slab_shrink_count(struct machine *m, struct shrinker *sh)
{
	struct slab_state *ss = m->slab;
	unsigned long nr = 0;
	struct list_head *pos;

	(void)sh;
	if (!spin_trylock(&ss->slab_mutex))
		return 0;
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
			struct kmem_cache_node *n = s->node[nid];

			if (!n)
				continue;
			spin_lock(&n->list_lock);
			nr += n->nr_free * s->objects + (n->shared ? n->shared->avail : 0);
			spin_unlock(&n->list_lock);
		}
		nr += slab_queued_objects(m, s, true);
	}
	spin_unlock(&ss->slab_mutex);
	return nr;
}

static unsigned long slab_shrink_scan(struct machine *m, struct shrinker *sh, unsigned long nr)
{
	struct slab_state *ss = m->slab;
	unsigned long pages = 0;
	struct list_head *pos;

	(void)sh;
	(void)nr;
	if (!spin_trylock(&ss->slab_mutex))
		return 0;
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		slab_drain_all(m, s);
		pages += slab_shrink_nodes(m, s);
	}
	spin_unlock(&ss->slab_mutex);
	return pages;
}

/* ---- stages and release ---- */

static int slab_partial_init(struct machine *m)
{
	struct slab_state *ss = host_zalloc(m->arena, sizeof(*ss));
	int ret;

	if (!ss)
		return -ENOMEM;
	spin_lock_init(&ss->slab_mutex);
	spin_lock_init(&ss->sysfs_lock);
	INIT_LIST_HEAD(&ss->caches);
	ss->state = SLAB_DOWN;
	ss->slab_nodes = m->node_states[N_NORMAL_MEMORY];
	for (unsigned int c = 0; c < m->topo.nr_cpus; c++) {
		int order[SF_MAX_NODES];
		int nr = nodes_by_distance(m, cpu_to_node(m, (int)c), order, true);

		ss->mem_node[c] = -1;
		for (int i = 0; i < nr; i++) {
			if (node_state(m, order[i], N_NORMAL_MEMORY)) {
				ss->mem_node[c] = order[i];
				break;
			}
		}
	}
	ss->debug_flags = slab_debug_parse(m->opts.slab_debug, ss->debug_filter,
					   sizeof(ss->debug_filter));
	ss->node_size = kmem_cache_node_size(m, ss->debug_flags);
	ss->cache_size = (unsigned int)(sizeof(struct kmem_cache) +
					m->topo.nr_nodes * sizeof(struct kmem_cache_node *));
	m->slab = ss;
	if (ss->mem_node[m->topo.boot_cpu] < 0) {
		ret = -ENOMEM;	/* no normal memory anywhere */
	} else {
		spin_lock(&ss->slab_mutex);
		ret = kmem_cache_init(m);
		spin_unlock(&ss->slab_mutex);
	}
	if (ret) {
		slab_release(m);
		return ret;
	}
	return 0;
}

static void slab_up_undo(struct machine *m)
{
	struct slab_state *ss = m->slab;

	for (unsigned int i = 0; i < NR_KMALLOC_INDEX; i++) {
		struct kmem_cache *s = ss->kmalloc_caches[KMALLOC_DMA][i];

		if (!s)
			continue;
		ss->kmalloc_caches[KMALLOC_DMA][i] = NULL;
		list_del(&s->list);
		slab_drain_all(m, s);
		slab_shrink_nodes(m, s);
		kmem_cache_release(m, s, true);
	}
	slab_sysfs_release(m);
	if (ss->shrinker_registered) {
		unregister_shrinker(m, &ss->shrinker);
		ss->shrinker_registered = false;
	}
	ss->state = SLAB_PARTIAL;
}

static int slab_up_init(struct machine *m)
{
	struct slab_state *ss = m->slab;
	struct list_head *pos;
	int ret = 0;

	spin_lock(&ss->slab_mutex);
	ss->state = SLAB_UP;
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);
		unsigned int limit, batch, shared;

		ret = sysfs_slab_add(m, s);
		if (!ret) {
			slab_default_tunables(m, s, &limit, &batch, &shared);
			ret = slab_do_tune(m, s, limit, batch, shared);
		}
		if (ret)
			goto fail;
	}
	ret = create_dma_caches(m);
	if (ret)
		goto fail;
	ss->shrinker.name = "slab";
	ss->shrinker.count_objects = slab_shrink_count;
	ss->shrinker.scan_objects = slab_shrink_scan;
	ret = register_shrinker(m, &ss->shrinker);
	if (ret)
		goto fail;
	ss->shrinker_registered = true;
	spin_unlock(&ss->slab_mutex);
	return 0;
fail:
	slab_up_undo(m);
	spin_unlock(&ss->slab_mutex);
	return ret;
}

int slab_boot_stage(struct machine *m, enum boot_stage stage)
{
	switch (stage) {
	case STAGE_SLAB_PARTIAL:
		return m->slab ? 0 : slab_partial_init(m);
	case STAGE_SLAB_UP:
		if (!m->slab)
			return -ENOMEM;
		return m->slab->state >= SLAB_UP ? 0 : slab_up_init(m);
	case STAGE_SMP_UP:
		if (m->slab)
			m->slab->state = SLAB_FULL;
		return 0;
	default:
		return 0;
	}
}

struct page_ref {
	struct page *page;
	unsigned int order;
};

/* Collect the slabs of s onto refs (grown as needed); free its host memory. */
static int release_cache(struct machine *m, struct kmem_cache *s, struct page_ref **refs,
			 size_t *nr, size_t *cap)
{
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = s->node[nid];
		struct list_head *lists[3];

		if (!n)
			continue;
		node_slab_lists(n, lists);
		for (int l = 0; l < 3; l++) {
			struct list_head *pos;

			list_for_each(pos, lists[l]) {
				if (*nr == *cap) {
					size_t ncap = *cap ? *cap * 2 : 64;
					struct page_ref *r = realloc(*refs, ncap * sizeof(*r));

					if (!r)
						return -ENOMEM;
					*refs = r;
					*cap = ncap;
				}
				(*refs)[*nr].page = list_entry(pos, struct page, lru);
				(*refs)[(*nr)++].order = s->order;
			}
		}
		slab_free_node_queues(m, n);
		spin_lock_destroy(&n->list_lock);
	}
	if (s->cpu_slab) {
		for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
			host_free(m->arena, s->cpu_slab[c].ac);
		host_free(m->arena, s->cpu_slab);
		s->cpu_slab = NULL;
	}
	return 0;
}

void slab_release(struct machine *m)
{
	struct slab_state *ss = m->slab;
	struct page_ref *refs = NULL;
	size_t nr = 0, cap = 0;
	struct list_head *pos;
	bool ok = true;

	if (!ss)
		return;
	if (ss->shrinker_registered)
		unregister_shrinker(m, &ss->shrinker);
	slab_sysfs_release(m);
	/* Every structure lives in slabs of the two boot caches: collect all
	 * slab pages first, free them after. */
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (s != ss->kmem_cache && s != ss->kmem_cache_node && ok)
			ok = !release_cache(m, s, &refs, &nr, &cap);
	}
	if (ss->kmem_cache && ok)
		ok = !release_cache(m, ss->kmem_cache, &refs, &nr, &cap);
	if (ss->kmem_cache_node && ok)
		ok = !release_cache(m, ss->kmem_cache_node, &refs, &nr, &cap);
	for (size_t i = 0; i < nr; i++) {
		struct page *page = refs[i].page;

		kasan_unpoison(page_address(m, page), PAGE_SIZE << refs[i].order);
		page->flags &= (uint16_t)~PG_slab;
		page->slab_cache = NULL;
		page->slab_mgmt = NULL;
		page->slab_inuse = 0;
		page->slab_objects = 0;
		__free_pages(m, page, refs[i].order);
	}
	free(refs);
	if (ss->boot_page)
		__free_pages(m, ss->boot_page, ss->boot_order);
	spin_lock_destroy(&ss->slab_mutex);
	spin_lock_destroy(&ss->sysfs_lock);
	host_free(m->arena, ss);
	m->slab = NULL;
}
