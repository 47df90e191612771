/* SPDX-License-Identifier: MIT */
/*
 * Slab layer debugging: the slab_debug= option, red zones, poisoning,
 * alloc/free tracking, the checks on free, validate, and the invariant
 * checker of the slab layer. Debug code is always compiled; what runs is
 * decided per cache (flags) and per machine (debug_level).
 *
 * Red zones, tracks and free objects are ASan-poisoned; this file
 * unpoisons exactly what it reads or writes and poisons it again.
 */
#include <sched.h>
#include <stdarg.h>
#include <string.h>

#include "slab.h"

#define BITS_PER_LONG_ (8 * sizeof(long))

static unsigned int align_up(unsigned int x, unsigned int a)
{
	return (x + a - 1) & ~(a - 1);
}

/* ---- options and layout ---- */

unsigned int slab_debug_parse(const char *opt, char *filter, size_t filter_size)
{
	unsigned int flags = 0;
	bool letters = false;
	const char *p;

	filter[0] = '\0';
	if (!opt || !opt[0])
		return 0;
	for (p = opt; *p && *p != ','; p++) {
		letters = true;
		switch (*p) {
		case 'f': case 'F': flags |= SLAB_CONSISTENCY_CHECKS; break;
		case 'z': case 'Z': flags |= SLAB_RED_ZONE; break;
		case 'p': case 'P': flags |= SLAB_POISON; break;
		case 'u': case 'U': flags |= SLAB_STORE_USER; break;
		case '-': flags = 0; break;
		default: break;		/* unknown letters are ignored, as the kernel does */
		}
	}
	if (!letters)
		flags = SLAB_DEBUG_FLAGS;
	if (*p == ',' && p[1])
		snprintf(filter, filter_size, "%s,", p);	/* ",a,b," */
	return flags;
}

unsigned int slab_debug_flags_for(struct machine *m, const char *name, unsigned int flags)
{
	struct slab_state *ss = m->slab;
	char key[SLAB_NAME_MAX + 2];

	if (!ss->debug_flags)
		return flags;
	if (ss->debug_filter[0]) {
		snprintf(key, sizeof(key), ",%s,", name);
		if (!strstr(ss->debug_filter, key))
			return flags;
	}
	return flags | ss->debug_flags;
}

void slab_debug_layout(struct kmem_cache *s)
{
	unsigned int a = s->align, end;

	s->red_left_pad = (s->flags & SLAB_RED_ZONE) ? align_up(RED_ZONE_SIZE, a) : 0;
	s->inuse = s->red_left_pad + s->object_size;
	if (s->flags & SLAB_RED_ZONE)
		s->inuse = align_up(s->inuse, 8) + RED_ZONE_SIZE;
	end = s->inuse;
	s->track_offset = 0;
	if (s->flags & SLAB_STORE_USER) {
		s->track_offset = align_up(s->inuse, 8);
		end = s->track_offset + 2 * (unsigned int)sizeof(struct track);
	}
	s->size = align_up(end, a);
}

/* ---- object pieces ---- */

static inline char *slot_of(struct kmem_cache *s, const void *x)
{
	return (char *)(uintptr_t)x - s->red_left_pad;
}

static inline atomic_uchar *obj_state(struct machine *m, struct kmem_cache *s,
				      const struct page *page, unsigned int idx)
{
	return (atomic_uchar *)(slab_obj_state(m, s, page) + idx);
}

static struct track *get_track(struct kmem_cache *s, const void *x, enum track_item item)
{
	return (struct track *)(slot_of(s, x) + s->track_offset) + item;
}

/* First byte in [p, p+n) that is not v, or NULL. */
static const uint8_t *check_bytes(const uint8_t *p, uint8_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return p + i;
	return NULL;
}

static void set_track(struct machine *m, struct kmem_cache *s, const void *x,
		      enum track_item item, const char *op, uintptr_t caller)
{
	struct track *t = get_track(s, x, item);

	kasan_unpoison(t, sizeof(*t));
	t->seq = atomic_fetch_add_explicit(&m->slab->track_seq, 1, memory_order_relaxed) + 1;
	t->caller = caller;
	t->op = op;
	t->cpu = smp_processor_id(m);
	t->stage = (int32_t)m->stage;
	kasan_poison(t, sizeof(*t));
}

static int print_track(struct kmem_cache *s, const void *x, enum track_item item, char *buf,
		       size_t size)
{
	struct track t, *tp = get_track(s, x, item);

	kasan_unpoison(tp, sizeof(*tp));
	t = *tp;
	kasan_poison(tp, sizeof(*tp));
	if (!t.seq)
		return snprintf(buf, size, "%s: never\n", item == TRACK_ALLOC ? "Allocated" : "Freed");
	return snprintf(buf, size, "%s by %s caller=%#lx cpu=%d stage=%s seq=%llu\n",
			item == TRACK_ALLOC ? "Allocated" : "Freed", t.op ? t.op : "?",
			(unsigned long)t.caller, t.cpu, boot_stage_name((enum boot_stage)t.stage),
			(unsigned long long)t.seq);
}

static bool object_start(struct machine *m, struct kmem_cache *s, struct page *page,
			 const void *x)
{
	size_t off = (size_t)((const char *)x - (const char *)slab_base(m, page));

	return off >= s->red_left_pad && (off - s->red_left_pad) % s->size == 0 &&
	       (off - s->red_left_pad) / s->size < s->objects;
}

void slab_report_object(struct machine *m, struct kmem_cache *s, const void *x,
			const char *what, const char *op, const char *fmt, ...)
{
	char title[SF_REPORT_TITLE_MAX], body[SF_REPORT_BODY_MAX];
	struct page *page = virt_to_page(m, x);
	struct report_ctx ctx = REPORT_CTX_NONE(op);
	int len;
	va_list ap;

	snprintf(title, sizeof(title), "BUG %s (Not tainted): %s", s->name, what);
	if (page) {
		page = compound_head(page);
		ctx.node = page->node;
		ctx.zone = page->zone;
		ctx.pfn = (int64_t)page_to_pfn(m, page);
	}
	len = snprintf(body, sizeof(body), "cache %s object_size %u size %u: object %p\n", s->name,
		       s->object_size, s->size, x);
	va_start(ap, fmt);
	len += vsnprintf(body + len, sizeof(body) - (size_t)len, fmt, ap);
	va_end(ap);
	if (s->track_offset && page && (page->flags & PG_slab) && page->slab_cache == s &&
	    object_start(m, s, page, x) && (size_t)len < sizeof(body)) {
		len += print_track(s, x, TRACK_ALLOC, body + len, sizeof(body) - (size_t)len);
		if ((size_t)len < sizeof(body))
			print_track(s, x, TRACK_FREE, body + len, sizeof(body) - (size_t)len);
	}
	report(m, SF_REPORT_BUG, title, &ctx, "%s", body);
}

/* ---- red zones and poison ---- */

static void set_redzones(struct kmem_cache *s, void *x, uint8_t v)
{
	char *left = slot_of(s, x);
	char *right = (char *)x + s->object_size;
	size_t rlen = (size_t)(s->inuse - s->red_left_pad - s->object_size);

	kasan_unpoison(left, s->red_left_pad);
	memset(left, v, s->red_left_pad);
	kasan_poison(left, s->red_left_pad);
	kasan_unpoison(right, rlen);
	memset(right, v, rlen);
	kasan_poison(right, rlen);
}

/* Check both red zones hold v; report and repair when not. */
static bool check_redzones(struct machine *m, struct kmem_cache *s, void *x, uint8_t v,
			   const char *op)
{
	char *left = slot_of(s, x);
	char *right = (char *)x + s->object_size;
	size_t rlen = (size_t)(s->inuse - s->red_left_pad - s->object_size);
	const uint8_t *bad;
	bool ok = true;

	kasan_unpoison(left, s->red_left_pad);
	bad = check_bytes((const uint8_t *)left, v, s->red_left_pad);
	if (bad) {
		slab_report_object(m, s, x, "Redzone overwritten", op,
				   "left red zone byte at offset -%ld is %#x, expected %#x\n",
				   (long)((char *)x - (const char *)bad), *bad, v);
		ok = false;
	}
	kasan_poison(left, s->red_left_pad);
	kasan_unpoison(right, rlen);
	bad = check_bytes((const uint8_t *)right, v, rlen);
	if (bad && ok) {
		slab_report_object(m, s, x, "Redzone overwritten", op,
				   "right red zone byte at offset %ld is %#x, expected %#x\n",
				   (long)((const char *)bad - (char *)x), *bad, v);
		ok = false;
	}
	kasan_poison(right, rlen);
	if (!ok)
		set_redzones(s, x, v);
	return ok;
}

static bool poisons(const struct kmem_cache *s)
{
	return (s->flags & SLAB_POISON) && !s->ctor;
}

static void set_poison(struct kmem_cache *s, void *x)
{
	kasan_unpoison(x, s->object_size);
	memset(x, POISON_FREE, s->object_size - 1);
	((uint8_t *)x)[s->object_size - 1] = POISON_END;
}

static bool check_poison(struct machine *m, struct kmem_cache *s, void *x, const char *op)
{
	const uint8_t *bad;

	kasan_unpoison(x, s->object_size);
	bad = check_bytes(x, POISON_FREE, s->object_size - 1);
	if (!bad && ((uint8_t *)x)[s->object_size - 1] != POISON_END)
		bad = (uint8_t *)x + s->object_size - 1;
	if (bad) {
		slab_report_object(m, s, x, "Poison overwritten", op,
				   "byte at offset %ld is %#x: written after free\n",
				   (long)(bad - (uint8_t *)x), *bad);
		set_poison(s, x);
	}
	kasan_poison(x, s->object_size);
	return bad == NULL;
}

void slab_debug_init_slab(struct machine *m, struct kmem_cache *s, struct page *page)
{
	for (unsigned int i = 0; i < s->objects; i++) {
		void *x = slab_obj(m, s, page, i);

		if (s->flags & SLAB_RED_ZONE)
			set_redzones(s, x, SLUB_RED_INACTIVE);
		if (poisons(s))
			set_poison(s, x);
		if (s->flags & SLAB_STORE_USER) {
			/* "never" until set: a new slab's memory is not zeroed. */
			struct track *t = get_track(s, x, TRACK_ALLOC);

			kasan_unpoison(t, 2 * sizeof(*t));
			memset(t, 0, 2 * sizeof(*t));
			kasan_poison(t, 2 * sizeof(*t));
		}
	}
}

/*
 * The debug hooks change an object's red zones, poison, tracks and state
 * together under its slab's node list_lock, so validate (which holds that
 * lock while it checks the node's slabs) sees each object either before or
 * after, never half way. Before the node's structure exists (bootstrap,
 * one cpu) there is nothing to race with.
 */
static spinlock_t *debug_lock_of(struct kmem_cache *s, const struct page *page)
{
	struct kmem_cache_node *n = get_node(s, page->node);

	return n ? &n->list_lock : NULL;
}

bool slab_debug_alloc(struct machine *m, struct kmem_cache *s, struct page *page, void *x,
		      const char *op, uintptr_t caller)
{
	unsigned int idx = slab_obj_index(m, s, page, x);
	spinlock_t *lock = debug_lock_of(s, page);
	bool ok = true;

	if (lock)
		spin_lock(lock);
	if (s->flags & SLAB_RED_ZONE) {
		ok &= check_redzones(m, s, x, SLUB_RED_INACTIVE, op);
		set_redzones(s, x, SLUB_RED_ACTIVE);
	}
	if (poisons(s))
		ok &= check_poison(m, s, x, op);
	if (s->flags & SLAB_STORE_USER)
		set_track(m, s, x, TRACK_ALLOC, op, caller);
	atomic_store_explicit(obj_state(m, s, page, idx), OBJ_ALLOCATED, memory_order_relaxed);
	if (lock)
		spin_unlock(lock);
	return ok;
}

bool slab_debug_free(struct machine *m, struct kmem_cache *s, struct page *page, void *x,
		     const char *op, uintptr_t caller)
{
	unsigned int idx = slab_obj_index(m, s, page, x);
	spinlock_t *lock = debug_lock_of(s, page);

	if (lock)
		spin_lock(lock);
	if (s->flags & SLAB_RED_ZONE) {
		check_redzones(m, s, x, SLUB_RED_ACTIVE, op);
		set_redzones(s, x, SLUB_RED_INACTIVE);
	}
	if (poisons(s))
		set_poison(s, x);
	if (s->flags & SLAB_STORE_USER)
		set_track(m, s, x, TRACK_FREE, op, caller);
	atomic_store_explicit(obj_state(m, s, page, idx), OBJ_FREED, memory_order_relaxed);
	if (lock)
		spin_unlock(lock);
	return true;
}

/*
 * Every free: the pointer must be an object start of this slab and the
 * object in use. Cheap checks run at debug_level >= 1 or for debug caches;
 * debug caches know each object's state and tell a double free from a free
 * of an object never handed out.
 */
bool slab_free_checks(struct machine *m, struct kmem_cache *s, struct page *page,
		      const void *x, const char *op)
{
	const char *base = slab_base(m, page);
	size_t off = (size_t)((const char *)x - base);
	unsigned int idx;

	if (!slab_has_debug(s) && m->debug_level < 1)
		return true;
	if ((uintptr_t)x & (s->align - 1)) {
		slab_report_object(m, s, x, "Misaligned object pointer", op,
				   "pointer not aligned to %u\n", s->align);
		return false;
	}
	if (off < s->red_left_pad || (off - s->red_left_pad) % s->size ||
	    (off - s->red_left_pad) / s->size >= s->objects) {
		slab_report_object(m, s, x, "Invalid object pointer", op,
				   "offset %zu in the slab is not an object start\n", off);
		return false;
	}
	idx = (unsigned int)((off - s->red_left_pad) / s->size);
	if (slab_has_debug(s)) {
		unsigned char st = atomic_load_explicit(obj_state(m, s, page, idx),
							memory_order_relaxed);

		if (st == OBJ_FREED) {
			slab_report_object(m, s, x, "Object already free", op, "double free\n");
			return false;
		}
		if (st == OBJ_NEVER) {
			slab_report_object(m, s, x, "Freeing never-allocated object", op,
					   "object %u of its slab was never handed out\n", idx);
			return false;
		}
		return true;
	}
	if (!test_bit_ul(slab_bitmap(m, s, page), idx)) {
		slab_report_object(m, s, x, "Object already free", op,
				   "object %u is free in its slab\n", idx);
		return false;
	}
	return true;
}

/* ---- validate ---- */

static unsigned int popcount_bitmap(const unsigned long *map, unsigned int bits)
{
	unsigned int n = 0;

	for (unsigned int w = 0; w < (bits + BITS_PER_LONG_ - 1) / BITS_PER_LONG_; w++)
		n += (unsigned int)__builtin_popcountl(map[w]);
	return n;
}

static unsigned long validate_slab(struct machine *m, struct kmem_cache *s, struct page *page)
{
	unsigned long errors = 0;

	if (popcount_bitmap(slab_bitmap(m, s, page), s->objects) != page->slab_inuse) {
		slab_report_object(m, s, slab_obj(m, s, page, 0), "Wrong object count", "validate",
				   "bitmap has %u objects in use, the slab says %u\n",
				   popcount_bitmap(slab_bitmap(m, s, page), s->objects),
				   page->slab_inuse);
		errors++;
	}
	if (!slab_has_debug(s))
		return errors;
	for (unsigned int i = 0; i < s->objects; i++) {
		void *x = slab_obj(m, s, page, i);
		unsigned char st = atomic_load_explicit(obj_state(m, s, page, i),
							memory_order_relaxed);

		if (st == OBJ_ALLOCATED) {
			if ((s->flags & SLAB_RED_ZONE) &&
			    !check_redzones(m, s, x, SLUB_RED_ACTIVE, "validate"))
				errors++;
			continue;
		}
		if ((s->flags & SLAB_RED_ZONE) &&
		    !check_redzones(m, s, x, SLUB_RED_INACTIVE, "validate"))
			errors++;
		if (poisons(s) && !check_poison(m, s, x, "validate"))
			errors++;
	}
	return errors;
}

/*
 * Validate every slab of s. Queues are held still (their cpu and alien
 * locks) so that no queued object is handed out under our feet.
 */
unsigned long slab_validate_cache(struct machine *m, struct kmem_cache *s)
{
	unsigned long errors = 0;

	cpu_queues_lock_all(m, s);
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);
		struct list_head *lists[3];

		if (!n)
			continue;
		node_slab_lists(n, lists);
		spin_lock(&n->list_lock);
		for (int l = 0; l < 3; l++) {
			struct list_head *pos;

			list_for_each(pos, lists[l])
				errors += validate_slab(m, s, list_entry(pos, struct page, lru));
		}
		if (m->slab->debug_flags) {
			/* The debug tail ends the structure (kmem_cache_node_size). */
			struct kmem_cache_node_debug *d =
				(void *)((char *)n + m->slab->node_size - sizeof(*d));

			d->validated++;
			d->last_errors = errors;
			d->errors += errors;
		}
		spin_unlock(&n->list_lock);
	}
	cpu_queues_unlock_all(m, s);
	return errors;
}

/* ---- the invariant checker ---- */

/* Out of coverage feedback from here to the end (fuzzers/coverage.denylist). */
SF_NO_COVERAGE_BEGIN

/*
 * check_slab_layer(): ids as in docs/architecture.md and docs/slab.md.
 *   S1  queues within their limits; queue sizes are the cache's tunables
 *   S2  queued entries are object starts of the cache
 *   S3  queued objects are of the queue's node
 *   S4  queued objects have their bit set and are not marked allocated
 *   S5  slabs on a node's lists belong to the cache and node, allocated
 *       blocks of the cache's order
 *   S6  bitmap popcount equals slab_inuse
 *   S7  slabs on the right list; node counters equal the lists
 *   S8  every object in exactly one place: free in its slab, in one queue,
 *       or allocated; per object against obj_state for debug caches and
 *       against the structures they hold for kmem_cache and
 *       kmem_cache_node; by count (S10) for the others
 *   S9  no object in two queue places
 *   S10 objects in use in slabs = queued + allocated (live counters)
 *   S11 kmalloc table entries are caches on the list, of their class size
 *       and zone, DMA index 0 empty (kmalloc_caches_valid)
 *   S12 every node with normal memory, and no other, has its per-node
 *       structure in every cache, with an alien buffer for every other such
 *       node; each cpu allocates from its nearest node with normal memory
 *   S13 every PG_slab page is an allocated block on exactly one slab list
 *       of its cache's node structure, and its cache is on the list
 *   S14 from SLAB_UP the attribute registry matches the cache list
 *   S15 the check ran: slab_mutex was free (else a WARNING, never a pass)
 *   S16 between calls no cpu queue is locked: lock word, remote request,
 *       owner flags all clear (read before the check takes the locks)
 * Linear in objects and pages (queued objects are sorted once per cache).
 */

#define CHECK_MUTEX_TRIES 1000

struct slab_check {
	struct machine *m;
	struct kmem_cache *s;	/* the cache being checked, NULL for the machine */
	bool failed;
	void **objs;		/* every queued object of s, sorted */
	size_t nr, cap;
	struct kmem_cache **caches;	/* the cache list, sorted */
	size_t nr_caches;
	void **node_structs;	/* every cache's per-node structures, sorted */
	size_t nr_node_structs;
	unsigned long *on_list;	/* bit per pfn: a slab seen on a list */
	bool *selected;		/* per entry of caches: checked this time */
	const struct check_view *view;	/* which memmap chunks S13 reads */
	unsigned long allocated;	/* objects of s allocated by the S8 pass */
	void *const *expect;	/* what the allocated objects of s must be, or NULL */
	size_t nr_expect;
};

static void check_fail(struct slab_check *cc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void check_fail(struct slab_check *cc, const char *fmt, ...)
{
	struct report_ctx ctx = REPORT_CTX_NONE("check_slab_layer");
	char buf[SF_REPORT_BODY_MAX - SLAB_NAME_MAX - 16];
	va_list ap;

	if (cc->failed)
		return;
	cc->failed = true;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (cc->s)
		report(cc->m, SF_REPORT_BUG, "BUG: slab invariant broken", &ctx, "cache %s: %s\n",
		       cc->s->name, buf);
	else
		report(cc->m, SF_REPORT_BUG, "BUG: slab invariant broken", &ctx, "%s\n", buf);
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

static bool ptr_in(void *const *set, size_t nr, const void *x)
{
	return nr && bsearch(&x, set, nr, sizeof(void *), ptr_cmp) != NULL;
}

static bool cache_is_listed(struct slab_check *cc, const void *s)
{
	return ptr_in((void *const *)cc->caches, cc->nr_caches, s);
}

/*
 * Room for one more pointer in *v (of *cap); false when host memory is
 * short. The checker's arrays come from the machine's arena, not the host
 * heap: a check point runs after nearly every op, and freed heap blocks
 * pile up in ASan's quarantine (the fuzz targets' RSS); the arena reuses
 * its chunks and poisons them when free, as the heap does.
 */
static bool ptr_reserve(struct machine *m, void ***v, size_t nr, size_t *cap)
{
	size_t ncap;
	void **n;

	if (nr < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 256;
	n = host_realloc(m->arena, *v, ncap * sizeof(void *));
	if (!n)
		return false;
	*v = n;
	*cap = ncap;
	return true;
}

/* Which queue, named only when a report needs it (the check runs often). */
struct queue_place {
	enum { Q_CPU, Q_SHARED, Q_ALIEN } kind;
	unsigned int id, r;		/* cpu or node; alien: the objects' node */
	char name[48];
};

static const char *place_name(struct queue_place *q)
{
	if (q->kind == Q_CPU)
		snprintf(q->name, sizeof(q->name), "cpu %u", q->id);
	else if (q->kind == Q_SHARED)
		snprintf(q->name, sizeof(q->name), "node %u shared", q->id);
	else
		snprintf(q->name, sizeof(q->name), "node %u alien %u", q->id, q->r);
	return q->name;
}

/* A queued object: a slab object of s on node nid with its bit set. */
static bool check_queued(struct slab_check *cc, struct array_cache *ac, unsigned int limit,
			 unsigned int batch, int nid, struct queue_place *where)
{
	struct machine *m = cc->m;
	struct kmem_cache *s = cc->s;

	if (ac->avail > ac->limit || ac->batchcount > ac->limit || ac->limit != limit ||
	    ac->batchcount != batch)
		check_fail(cc, "S1: %s queue holds %u of limit %u (batch %u), the cache's tunables "
			   "say limit %u batch %u", place_name(where), ac->avail, ac->limit, ac->batchcount,
			   limit, batch);
	for (unsigned int i = 0; i < ac->avail && !cc->failed; i++) {
		void *x = ac->entry[i];
		struct page *page = sparse_virt_to_page(m, x);
		size_t off;

		if (!page || !((page = compound_head(page))->flags & PG_slab) ||
		    page->slab_cache != s) {
			check_fail(cc, "S2: %s queue entry %u is not an object of the cache", place_name(where),
				   i);
			break;
		}
		off = (size_t)((char *)x - (char *)slab_base(m, page));
		if (off < s->red_left_pad || (off - s->red_left_pad) % s->size ||
		    (off - s->red_left_pad) / s->size >= s->objects) {
			check_fail(cc, "S2: %s queue entry %u is not an object start", place_name(where), i);
			break;
		}
		if (nid >= 0 && page->node != nid)
			check_fail(cc, "S3: %s queue entry %u is from node %d, expected %d", place_name(where),
				   i, page->node, nid);
		if (!test_bit_ul(slab_bitmap(m, s, page), slab_obj_index(m, s, page, x)))
			check_fail(cc, "S4: %s queue entry %u is free in its slab", place_name(where), i);
		if (slab_has_debug(s) &&
		    atomic_load_explicit(obj_state(m, s, page, slab_obj_index(m, s, page, x)),
					 memory_order_relaxed) == OBJ_ALLOCATED)
			check_fail(cc, "S4: %s queue entry %u is marked allocated", place_name(where), i);
		if (!ptr_reserve(m, &cc->objs, cc->nr, &cc->cap))
			return false;
		cc->objs[cc->nr++] = x;
	}
	return true;
}

static bool is_queued(struct slab_check *cc, void *x)
{
	return ptr_in(cc->objs, cc->nr, x);
}

/* S8 for one slab: each object free, queued or allocated, and only one. */
static void check_objects(struct slab_check *cc, struct page *page, pfn_t pfn)
{
	struct machine *m = cc->m;
	struct kmem_cache *s = cc->s;
	bool debug = slab_has_debug(s);

	for (unsigned int i = 0; i < s->objects && !cc->failed; i++) {
		void *x = slab_obj(m, s, page, i);
		bool bit = test_bit_ul(slab_bitmap(m, s, page), i);
		unsigned char st = debug ? atomic_load_explicit(obj_state(m, s, page, i),
								memory_order_relaxed)
					 : OBJ_NEVER;
		bool queued = bit && is_queued(cc, x);

		if (!bit) {
			if (st == OBJ_ALLOCATED)
				check_fail(cc, "S8: object %u of slab pfn %#llx is free in its slab "
					   "but marked allocated", i, (unsigned long long)pfn);
			continue;
		}
		if (queued) {
			if (st == OBJ_ALLOCATED)
				check_fail(cc, "S8: object %u of slab pfn %#llx is queued and "
					   "marked allocated", i, (unsigned long long)pfn);
			continue;
		}
		cc->allocated++;
		if (debug && st != OBJ_ALLOCATED)
			check_fail(cc, "S8: object %u of slab pfn %#llx is in no queue and not "
				   "allocated", i, (unsigned long long)pfn);
		else if (cc->expect && !ptr_in(cc->expect, cc->nr_expect, x))
			check_fail(cc, "S8: object %u of slab pfn %#llx is allocated but no cache "
				   "holds it", i, (unsigned long long)pfn);
	}
}

static unsigned long check_node(struct slab_check *cc, struct kmem_cache_node *n, int nid)
{
	struct machine *m = cc->m;
	struct kmem_cache *s = cc->s;
	unsigned long counts[3] = { 0, 0, 0 }, free_objs = 0, total = 0, inuse_sum = 0;
	struct list_head *lists[3];
	static const char *const names[3] = { "partial", "full", "free" };
	bool per_object = slab_has_debug(s) || cc->expect;

	node_slab_lists(n, lists);
	if (n->node != nid)
		check_fail(cc, "S5: node structure %d says node %d", nid, n->node);
	for (int l = 0; l < 3 && !cc->failed; l++) {
		struct list_head *pos;

		list_for_each(pos, lists[l]) {
			struct page *page = list_entry(pos, struct page, lru);
			unsigned int used, in = page->slab_inuse;
			pfn_t pfn = page_to_pfn(m, page);

			counts[l]++;
			if (!(page->flags & PG_slab) || page->slab_cache != s || page->node != nid ||
			    page->slab_objects != s->objects || page->tail ||
			    page->state != PS_ALLOCATED || page->order != s->order) {
				check_fail(cc, "S5: %s slab pfn %#llx on node %d: flags %#x node %d "
					   "objects %u state %u order %u", names[l],
					   (unsigned long long)pfn, nid, page->flags, page->node,
					   page->slab_objects, page->state, page->order);
				break;
			}
			if (test_bit_ul(cc->on_list, (unsigned int)pfn)) {
				check_fail(cc, "S13: slab pfn %#llx is on a slab list twice",
					   (unsigned long long)pfn);
				break;
			}
			cc->on_list[pfn / BITS_PER_LONG_] |= 1ul << (pfn % BITS_PER_LONG_);
			used = popcount_bitmap(slab_bitmap(m, s, page), s->objects);
			if (used != in)
				check_fail(cc, "S6: slab pfn %#llx: bitmap has %u objects in use, "
					   "slab_inuse %u", (unsigned long long)pfn, used, in);
			if ((l == 0 && (in == 0 || in >= s->objects)) ||
			    (l == 1 && in != s->objects) || (l == 2 && in != 0))
				check_fail(cc, "S7: slab with %u of %u in use on the %s list", in,
					   s->objects, names[l]);
			free_objs += s->objects - in;
			total += s->objects;
			inuse_sum += in;
			if (per_object)
				check_objects(cc, page, pfn);
		}
	}
	if (counts[0] != n->nr_partial || counts[1] != n->nr_full || counts[2] != n->nr_free ||
	    free_objs != n->free_objects || total != n->total_objects)
		check_fail(cc,
			   "S7: node %d counters partial %lu/%lu full %lu/%lu free %lu/%lu "
			   "free_objects %lu/%lu total %lu/%lu",
			   nid, counts[0], n->nr_partial, counts[1], n->nr_full, counts[2],
			   n->nr_free, free_objs, n->free_objects, total, n->total_objects);
	return inuse_sum;
}

static void lock_cache(struct machine *m, struct kmem_cache *s)
{
	cpu_queues_lock_all(m, s);
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		for (unsigned int r = 0; n && r < n->nr_alien; r++)
			if (n->alien[r])
				spin_lock(&n->alien[r]->lock);
	}
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++)
		if (get_node(s, (int)nid))
			spin_lock(&get_node(s, (int)nid)->list_lock);
}

static void unlock_cache(struct machine *m, struct kmem_cache *s)
{
	for (unsigned int nid = m->topo.nr_nodes; nid-- > 0;)
		if (get_node(s, (int)nid))
			spin_unlock(&get_node(s, (int)nid)->list_lock);
	for (unsigned int nid = m->topo.nr_nodes; nid-- > 0;) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		for (unsigned int r = 0; n && r < n->nr_alien; r++)
			if (n->alien[r])
				spin_unlock(&n->alien[r]->lock);
	}
	cpu_queues_unlock_all(m, s);
}

/* Queue every queued object of s into cc->objs, sorted; false when host memory is short. */
static bool collect_queued(struct slab_check *cc)
{
	struct machine *m = cc->m;
	struct kmem_cache *s = cc->s;

	for (unsigned int c = 0; c < m->topo.nr_cpus && !cc->failed; c++) {
		struct queue_place q = { .kind = Q_CPU, .id = c };

		if (!check_queued(cc, s->cpu_slab[c].ac, s->limit, s->batchcount,
				  m->slab->mem_node[c], &q))
			return false;
	}
	for (unsigned int nid = 0; nid < m->topo.nr_nodes && !cc->failed; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);
		struct queue_place q = { .kind = Q_SHARED, .id = nid };

		if (!n)
			continue;
		if (!n->shared != !s->shared)
			check_fail(cc, "S1: node %u has %s shared queue, the cache's shared factor "
				   "is %u", nid, n->shared ? "a" : "no", s->shared);
		if (n->shared && !check_queued(cc, n->shared, s->shared * s->batchcount,
					       s->batchcount, (int)nid, &q))
			return false;
		for (unsigned int r = 0; r < n->nr_alien; r++) {
			q.kind = Q_ALIEN;
			q.r = r;
			if (n->alien[r] && !check_queued(cc, n->alien[r]->ac, SLAB_ALIEN_LIMIT,
							 SLAB_ALIEN_LIMIT, (int)r, &q))
				return false;
		}
	}
	if (cc->nr)
		qsort(cc->objs, cc->nr, sizeof(void *), ptr_cmp);
	return true;
}

static bool check_cache(struct slab_check *cc)
{
	struct machine *m = cc->m;
	struct kmem_cache *s = cc->s;
	struct slab_state *ss = m->slab;
	unsigned long inuse = 0;
	bool ok;
	long live = 0;

	cc->nr = 0;
	cc->allocated = 0;
	cc->expect = NULL;
	cc->nr_expect = 0;
	if (s == ss->kmem_cache) {
		cc->expect = (void *const *)cc->caches;
		cc->nr_expect = cc->nr_caches;
	} else if (s == ss->kmem_cache_node) {
		cc->expect = cc->node_structs;
		cc->nr_expect = cc->nr_node_structs;
	}
	lock_cache(m, s);
	for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
		live += s->cpu_slab[c].live;
	ok = collect_queued(cc);
	for (size_t i = 1; ok && i < cc->nr; i++)
		if (cc->objs[i] == cc->objs[i - 1])
			check_fail(cc, "S9: an object is in two queue places at once");
	for (unsigned int nid = 0; ok && nid < m->topo.nr_nodes && !cc->failed; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (n)
			inuse += check_node(cc, n, (int)nid);
	}
	if (ok && !cc->failed && cc->expect && cc->allocated != cc->nr_expect)
		check_fail(cc, "S8: %lu objects allocated, the caches hold %zu of its structures",
			   cc->allocated, cc->nr_expect);
	if (ok && !cc->failed && (long)inuse != (long)cc->nr + live)
		check_fail(cc, "S10: %lu objects in use in slabs, %zu queued + %ld allocated", inuse,
			   cc->nr, live);
	unlock_cache(m, s);
	return ok;
}

/* S12 */
static void check_node_structs(struct slab_check *cc)
{
	struct machine *m = cc->m;
	struct slab_state *ss = m->slab;
	unsigned int nr_nodes = m->topo.nr_nodes;
	struct list_head *pos;

	for (unsigned int c = 0; c < m->topo.nr_cpus; c++) {
		int want = check_nearest_node(m, cpu_to_node(m, (int)c), N_NORMAL_MEMORY);

		if (ss->mem_node[c] != want) {
			check_fail(cc, "S12: cpu %u allocates from node %d, its nearest node with "
				   "normal memory is %d", c, ss->mem_node[c], want);
			return;
		}
	}
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (cc->failed)
			break;
		cc->s = s;
		for (unsigned int nid = 0; nid < nr_nodes && !cc->failed; nid++) {
			struct kmem_cache_node *n = get_node(s, (int)nid);
			bool normal = node_state(m, (int)nid, N_NORMAL_MEMORY);

			if (!n != !normal) {
				check_fail(cc, "S12: node %u %s normal memory but %s per-node "
					   "structure", nid, normal ? "has" : "has no",
					   n ? "has a" : "no");
				break;
			}
			if (!n)
				continue;
			if (n->nr_alien != (nr_nodes > 1 ? nr_nodes : 0))
				check_fail(cc, "S12: node %u has %u alien slots for %u nodes", nid,
					   n->nr_alien, nr_nodes);
			for (unsigned int r = 0; r < n->nr_alien && !cc->failed; r++)
				if (!n->alien[r] !=
				    (r == nid || !node_state(m, (int)r, N_NORMAL_MEMORY)))
					check_fail(cc, "S12: node %u %s an alien buffer for node %u",
						   nid, n->alien[r] ? "has" : "lacks", r);
		}
	}
	cc->s = NULL;
}

static size_t cache_index(struct slab_check *cc, const struct kmem_cache *s)
{
	struct kmem_cache **p = bsearch(&s, cc->caches, cc->nr_caches, sizeof(*p), ptr_cmp);

	return (size_t)(p - cc->caches);
}

/*
 * The slab pages (PG_slab heads) of the view's chunks, section by section:
 * with select, the caches they belong to are checked this time (or S13 when
 * a cache is not on the list); else S13 for each: on a slab list of its
 * cache.
 */
static void walk_slab_pages(struct slab_check *cc, bool select)
{
	struct machine *m = cc->m;
	unsigned int shift = m->sparse.section_shift;

	for (unsigned int c = 0; c < m->marks.nr_chunks && !cc->failed; c++) {
		pfn_t pfn = (pfn_t)c << m->marks.chunk_shift;
		pfn_t end = pfn + ((pfn_t)1 << m->marks.chunk_shift);

		if (!cc->view->dirty[c])
			continue;
		if (end > m->max_pfn)
			end = m->max_pfn;
		while (pfn < end && !cc->failed) {
			pfn_t stop = ((pfn >> shift) + 1) << shift;
			struct page *map = sparse_pfn_valid(m, pfn) ? sparse_pfn_to_page(m, pfn) : NULL;

			if (stop > end)
				stop = end;
			for (pfn_t i = 0; map && pfn + i < stop && !cc->failed;) {
				struct page *page = map + i;
				struct kmem_cache *s = page->slab_cache;

				if (page->tail || page->order >= m->max_order) {
					i++;
					continue;
				}
				if ((page->flags & PG_slab) &&
				    (page->state != PS_ALLOCATED || !cache_is_listed(cc, s)))
					check_fail(cc, "S13: PG_slab page pfn %#llx (state %u) belongs "
						   "to no cache on the list",
						   (unsigned long long)(pfn + i), page->state);
				else if ((page->flags & PG_slab) && select)
					cc->selected[cache_index(cc, s)] = true;
				else if ((page->flags & PG_slab) &&
					 !test_bit_ul(cc->on_list, (unsigned int)(pfn + i)))
					check_fail(cc, "S13: PG_slab page pfn %#llx of cache %s, node "
						   "%d, is on no slab list of the cache",
						   (unsigned long long)(pfn + i), s->name, page->node);
				i += (pfn_t)1 << page->order;
			}
			pfn = stop;
		}
	}
}

static int entry_name_cmp(const void *a, const void *b)
{
	const struct slab_sysfs_entry *x = *(const struct slab_sysfs_entry *const *)a;
	const struct slab_sysfs_entry *y = *(const struct slab_sysfs_entry *const *)b;

	return strcmp(x->name, y->name);
}

/* S14 (sysfs_lock held). Returns false when host memory is short. */
static bool check_registry_locked(struct slab_check *cc)
{
	struct slab_state *ss = cc->m->slab;
	struct slab_sysfs_entry **sorted;
	unsigned int *dirs;

	if (ss->state < SLAB_UP) {
		for (size_t i = 0; i < cc->nr_caches && !cc->failed; i++)
			if (cc->caches[i]->sysfs_registered)
				check_fail(cc, "S14: cache %s is registered before SLAB_UP",
					   cc->caches[i]->name);
		if (ss->nr_sysfs)
			check_fail(cc, "S14: %u attribute entries before SLAB_UP", ss->nr_sysfs);
		return true;
	}
	if (ss->nr_sysfs > ss->max_sysfs || (ss->nr_sysfs && !ss->sysfs)) {
		check_fail(cc, "S14: registry holds %u entries of %u", ss->nr_sysfs, ss->max_sysfs);
		return true;
	}
	sorted = host_alloc(cc->m->arena, (ss->nr_sysfs + 1) * sizeof(*sorted));
	dirs = host_calloc(cc->m->arena, cc->nr_caches + 1, sizeof(*dirs));
	if (!sorted || !dirs) {
		host_free(cc->m->arena, sorted);
		host_free(cc->m->arena, dirs);
		return false;
	}
	for (unsigned int i = 0; i < ss->nr_sysfs && !cc->failed; i++) {
		struct slab_sysfs_entry *e = &ss->sysfs[i];

		sorted[i] = e;
		if (!cache_is_listed(cc, e->s)) {
			check_fail(cc, "S14: attribute entry %.*s points at no cache on the list",
				   SLAB_NAME_MAX, e->name);
		} else if (!e->alias) {
			if (strcmp(e->name, e->s->name) || !e->s->sysfs_registered)
				check_fail(cc, "S14: directory %.*s is of cache %s (registered %d)",
					   SLAB_NAME_MAX, e->name, e->s->name,
					   e->s->sysfs_registered);
			dirs[cache_index(cc, e->s)]++;
		}
	}
	if (!cc->failed && ss->nr_sysfs) {
		qsort(sorted, ss->nr_sysfs, sizeof(*sorted), entry_name_cmp);
		for (unsigned int i = 1; i < ss->nr_sysfs && !cc->failed; i++)
			if (!strcmp(sorted[i]->name, sorted[i - 1]->name))
				check_fail(cc, "S14: two attribute entries named %.*s", SLAB_NAME_MAX,
					   sorted[i]->name);
	}
	for (size_t i = 0; i < cc->nr_caches && !cc->failed; i++) {
		struct kmem_cache *s = cc->caches[i];

		if (dirs[i] > 1 || (s->refcount > 0 && !dirs[i]) || s->sysfs_registered != !!dirs[i])
			check_fail(cc, "S14: cache %s (refcount %d, registered %d) has %u "
				   "directories", s->name, s->refcount, s->sysfs_registered, dirs[i]);
	}
	host_free(cc->m->arena, sorted);
	host_free(cc->m->arena, dirs);
	return true;
}

static bool check_registry(struct slab_check *cc)
{
	struct slab_state *ss = cc->m->slab;
	bool ok;

	spin_lock(&ss->sysfs_lock);
	ok = check_registry_locked(cc);
	spin_unlock(&ss->sysfs_lock);
	return ok;
}

/* The cache list and every cache's per-node structures, sorted. */
static bool collect_caches(struct slab_check *cc)
{
	struct machine *m = cc->m;
	struct slab_state *ss = m->slab;
	size_t cap = 0, ncap = 0;
	struct list_head *pos;

	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (!ptr_reserve(m, (void ***)&cc->caches, cc->nr_caches, &cap))
			return false;
		cc->caches[cc->nr_caches++] = s;
		for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
			if (!get_node(s, (int)nid))
				continue;
			if (!ptr_reserve(m, &cc->node_structs, cc->nr_node_structs, &ncap))
				return false;
			cc->node_structs[cc->nr_node_structs++] = get_node(s, (int)nid);
		}
	}
	if (cc->nr_caches)
		qsort(cc->caches, cc->nr_caches, sizeof(void *), ptr_cmp);
	if (cc->nr_node_structs)
		qsort(cc->node_structs, cc->nr_node_structs, sizeof(void *), ptr_cmp);
	for (size_t i = 1; i < cc->nr_caches; i++)
		if (cc->caches[i] == cc->caches[i - 1])
			check_fail(cc, "S11: cache %s is on the list twice", cc->caches[i]->name);
	for (size_t i = 1; i < cc->nr_node_structs && !cc->failed; i++)
		if (cc->node_structs[i] == cc->node_structs[i - 1])
			check_fail(cc, "S12: one per-node structure serves two nodes or caches");
	cc->on_list = host_calloc(m->arena, (m->max_pfn + BITS_PER_LONG_ - 1) / BITS_PER_LONG_ + 1,
			     sizeof(unsigned long));
	return cc->on_list != NULL;
}

/* S11 */
static void check_kmalloc_table(struct slab_check *cc)
{
	struct slab_state *ss = cc->m->slab;

	for (int t = 0; t < NR_KMALLOC_TYPES && !cc->failed; t++) {
		for (int i = 0; i < NR_KMALLOC_INDEX && !cc->failed; i++) {
			struct kmem_cache *k = ss->kmalloc_caches[t][i];

			if (k && !cache_is_listed(cc, k))
				check_fail(cc, "S11: kmalloc cache [%d][%d] is not on the list", t, i);
		}
	}
	if (!cc->failed) {
		char why[160];

		if (!kmalloc_caches_valid(cc->m, why, sizeof(why)))
			check_fail(cc, "S11: %s", why);
	}
}

static void check_skipped(struct machine *m, const char *why)
{
	static const char title[] = "WARNING: slab invariant check skipped";
	struct report_ctx ctx = REPORT_CTX_NONE("check_slab_layer");

	report(m, SF_REPORT_WARN, title, &ctx,
	       "S15: %s: the slab layer was not checked (skip %lu)\n", why,
	       sf_reports_count(m, title) + 1);
}

/* slab_mutex, retried: an operation in flight on another thread lets go soon. */
static bool lock_slab_mutex(struct slab_state *ss)
{
	for (int i = 0; i < CHECK_MUTEX_TRIES; i++) {
		if (spin_trylock(&ss->slab_mutex))
			return true;
		sched_yield();
	}
	return false;
}

/* Did s change since the checker last saw it? Clears the marks. */
static bool cache_take_dirty(struct machine *m, struct kmem_cache *s)
{
	bool dirty = false;

	for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
		dirty |= atomic_exchange_explicit(&s->cpu_slab[c].check_dirty, false,
						  memory_order_relaxed);
	return dirty;
}

/*
 * S16: a check point is between calls, so no cpu queue lock may be held or
 * wanted. Only reads the lock's state (the check then takes every lock,
 * which a word left set would turn into a hang).
 */
static void check_queue_locks(struct slab_check *cc)
{
	struct machine *m = cc->m;
	struct list_head *pos;

	list_for_each(pos, &m->slab->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		for (unsigned int cpu = 0; cpu < m->topo.nr_cpus; cpu++) {
			struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
			uintptr_t lock = atomic_load_explicit(&c->lock, memory_order_relaxed);
			int req = atomic_load_explicit(&c->remote_req, memory_order_relaxed);
			int active = atomic_load_explicit(&c->owner_active, memory_order_relaxed);

			if (!lock && !req && !active && !c->owner_locked)
				continue;
			check_fail(cc, "S16: cache %s cpu %u queue locked between calls: lock %#lx "
				   "remote_req %d owner_active %d owner_locked %d", s->name, cpu,
				   (unsigned long)lock, req, active, c->owner_locked);
			return;
		}
	}
}

bool check_slab_layer_view(struct machine *m, const struct check_view *v)
{
	struct slab_state *ss = m->slab;
	struct slab_check cc = { .m = m, .view = v };
	struct list_head *pos;
	bool ok = true;

	if (!ss)
		return true;
	/*
	 * Busy for CHECK_MUTEX_TRIES tries: held by this very thread (a check
	 * from inside create/destroy/tune), never released, or a caller that
	 * checks while other threads work. Never a silent pass.
	 */
	if (!lock_slab_mutex(ss)) {
		check_skipped(m, "slab_mutex busy");
		return false;
	}
	check_queue_locks(&cc);
	ok = cc.failed || collect_caches(&cc);
	if (ok) {
		cc.selected = host_calloc(m->arena, cc.nr_caches + 1, sizeof(*cc.selected));
		ok = cc.selected != NULL;
	}
	if (ok && !cc.failed)
		check_node_structs(&cc);
	/* Incremental: the caches marked, the boot caches, those of slab pages
	 * in changed chunks; the marks of every cache checked are cleared. */
	if (ok && !cc.failed && v->incremental)
		walk_slab_pages(&cc, true);
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);
		bool *sel;

		if (!ok || cc.failed)
			break;
		sel = &cc.selected[cache_index(&cc, s)];
		*sel |= cache_take_dirty(m, s) || !v->incremental || s == ss->kmem_cache ||
			s == ss->kmem_cache_node;
		if (!*sel)
			continue;
		cc.s = s;
		ok = check_cache(&cc);
	}
	cc.s = NULL;
	if (ok && !cc.failed)
		check_kmalloc_table(&cc);
	if (ok && !cc.failed)
		walk_slab_pages(&cc, false);
	if (ok && !cc.failed)
		ok = check_registry(&cc);
	spin_unlock(&ss->slab_mutex);
	host_free(m->arena, cc.objs);
	host_free(m->arena, cc.caches);
	host_free(m->arena, cc.node_structs);
	host_free(m->arena, cc.on_list);
	host_free(m->arena, cc.selected);
	if (!ok)
		check_skipped(m, "host memory short");
	return ok && !cc.failed;
}

SF_NO_COVERAGE_END
