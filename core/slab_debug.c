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

struct slab_check {
	struct machine *m;
	struct kmem_cache *s;
	bool failed;
	void **objs;		/* every queued object */
	size_t nr, cap;
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
	report(cc->m, SF_REPORT_BUG, "BUG: slab invariant broken", &ctx, "cache %s: %s\n",
	       cc->s->name, buf);
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return x < y ? -1 : x > y;
}

/* A queued object: a slab object of s on node nid with its bit set. */
static void check_queued(struct slab_check *cc, struct array_cache *ac, int nid,
			 const char *where)
{
	struct machine *m = cc->m;
	struct kmem_cache *s = cc->s;

	if (ac->avail > ac->limit || ac->batchcount > ac->limit)
		check_fail(cc, "S1: %s queue holds %u of limit %u (batch %u)", where, ac->avail,
			   ac->limit, ac->batchcount);
	for (unsigned int i = 0; i < ac->avail && !cc->failed; i++) {
		void *x = ac->entry[i];
		struct page *page = virt_to_page(m, x);
		size_t off;

		if (!page || !((page = compound_head(page))->flags & PG_slab) ||
		    page->slab_cache != s) {
			check_fail(cc, "S2: %s queue entry %u is not an object of the cache", where,
				   i);
			break;
		}
		off = (size_t)((char *)x - (char *)slab_base(m, page));
		if (off < s->red_left_pad || (off - s->red_left_pad) % s->size) {
			check_fail(cc, "S2: %s queue entry %u is not an object start", where, i);
			break;
		}
		if (nid >= 0 && page->node != nid)
			check_fail(cc, "S3: %s queue entry %u is from node %d, expected %d", where,
				   i, page->node, nid);
		if (!test_bit_ul(slab_bitmap(m, s, page), slab_obj_index(m, s, page, x)))
			check_fail(cc, "S4: %s queue entry %u is free in its slab", where, i);
		if (slab_has_debug(s) &&
		    atomic_load_explicit(obj_state(m, s, page, slab_obj_index(m, s, page, x)),
					 memory_order_relaxed) == OBJ_ALLOCATED)
			check_fail(cc, "S4: %s queue entry %u is marked allocated", where, i);
		if (cc->nr == cc->cap) {
			size_t ncap = cc->cap ? cc->cap * 2 : 256;
			void **n = realloc(cc->objs, ncap * sizeof(void *));

			if (!n)
				return;	/* host memory short: check less */
			cc->objs = n;
			cc->cap = ncap;
		}
		cc->objs[cc->nr++] = x;
	}
}

static bool is_queued(struct slab_check *cc, void *x)
{
	return cc->nr && bsearch(&x, cc->objs, cc->nr, sizeof(void *), ptr_cmp) != NULL;
}

static unsigned long check_node(struct slab_check *cc, struct kmem_cache_node *n, int nid)
{
	struct machine *m = cc->m;
	struct kmem_cache *s = cc->s;
	unsigned long counts[3] = { 0, 0, 0 }, free_objs = 0, total = 0, inuse_sum = 0;
	struct list_head *lists[3] = { &n->slabs_partial, &n->slabs_full, &n->slabs_free };
	static const char *const names[3] = { "partial", "full", "free" };

	if (n->node != nid)
		check_fail(cc, "S5: node structure %d says node %d", nid, n->node);
	for (int l = 0; l < 3 && !cc->failed; l++) {
		struct list_head *pos;

		list_for_each(pos, lists[l]) {
			struct page *page = list_entry(pos, struct page, lru);
			unsigned int used = popcount_bitmap(slab_bitmap(m, s, page), s->objects);
			unsigned int in = page->slab_inuse;

			counts[l]++;
			if (!(page->flags & PG_slab) || page->slab_cache != s || page->node != nid ||
			    page->slab_objects != s->objects || page->tail) {
				check_fail(cc, "S5: %s slab on node %d: flags %#x node %d objects %u",
					   names[l], nid, page->flags, page->node,
					   page->slab_objects);
				break;
			}
			if (used != in)
				check_fail(cc, "S6: bitmap has %u objects in use, slab_inuse %u", used,
					   in);
			if ((l == 0 && (in == 0 || in >= s->objects)) ||
			    (l == 1 && in != s->objects) || (l == 2 && in != 0))
				check_fail(cc, "S7: slab with %u of %u in use on the %s list", in,
					   s->objects, names[l]);
			free_objs += s->objects - in;
			total += s->objects;
			inuse_sum += in;
			for (unsigned int i = 0; i < s->objects && slab_has_debug(s) && !cc->failed;
			     i++) {
				void *x = slab_obj(m, s, page, i);
				bool bit = test_bit_ul(slab_bitmap(m, s, page), i);
				unsigned char st = atomic_load_explicit(obj_state(m, s, page, i),
									memory_order_relaxed);

				if (!bit && st == OBJ_ALLOCATED)
					check_fail(cc, "S8: object %u free in its slab but allocated",
						   i);
				else if (bit && st == OBJ_ALLOCATED && is_queued(cc, x))
					check_fail(cc, "S8: allocated object %u is in a queue", i);
				else if (bit && st != OBJ_ALLOCATED && !is_queued(cc, x))
					check_fail(cc, "S8: object %u is in no queue and not allocated",
						   i);
			}
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

static void check_cache(struct slab_check *cc)
{
	struct machine *m = cc->m;
	struct kmem_cache *s = cc->s;
	unsigned int nr_nodes = m->topo.nr_nodes;
	unsigned long inuse = 0;
	long live = 0;

	cc->nr = 0;
	cpu_queues_lock_all(cc->m, s);
	for (unsigned int nid = 0; nid < nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		for (unsigned int r = 0; n && r < n->nr_alien; r++)
			if (n->alien[r])
				spin_lock(&n->alien[r]->lock);
	}
	for (unsigned int nid = 0; nid < nr_nodes; nid++)
		if (get_node(s, (int)nid))
			spin_lock(&get_node(s, (int)nid)->list_lock);

	for (unsigned int c = 0; c < m->topo.nr_cpus; c++) {
		char where[48];

		snprintf(where, sizeof(where), "cpu %u", c);
		check_queued(cc, s->cpu_slab[c].ac, m->slab->mem_node[c], where);
		live += s->cpu_slab[c].live;
	}
	for (unsigned int nid = 0; nid < nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);
		char where[48];

		if (!n)
			continue;
		if (n->shared) {
			snprintf(where, sizeof(where), "node %u shared", nid);
			check_queued(cc, n->shared, (int)nid, where);
		}
		for (unsigned int r = 0; r < n->nr_alien; r++) {
			if (!n->alien[r])
				continue;
			snprintf(where, sizeof(where), "node %u alien %u", nid, r);
			check_queued(cc, n->alien[r]->ac, (int)r, where);
		}
	}
	if (cc->nr)
		qsort(cc->objs, cc->nr, sizeof(void *), ptr_cmp);
	for (size_t i = 1; i < cc->nr; i++)
		if (cc->objs[i] == cc->objs[i - 1])
			check_fail(cc, "S9: an object is in two queue places at once");
	for (unsigned int nid = 0; nid < nr_nodes && !cc->failed; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (n)
			inuse += check_node(cc, n, (int)nid);
		else if (node_state(m, (int)nid, N_NORMAL_MEMORY) && m->slab->state >= SLAB_UP)
			check_fail(cc, "S5: node %u has normal memory but no per-node structure",
				   nid);
	}
	if (!cc->failed && (long)inuse != (long)cc->nr + live)
		check_fail(cc, "S10: %lu objects in use in slabs, %zu queued + %ld allocated", inuse,
			   cc->nr, live);

	for (unsigned int nid = nr_nodes; nid-- > 0;)
		if (get_node(s, (int)nid))
			spin_unlock(&get_node(s, (int)nid)->list_lock);
	for (unsigned int nid = nr_nodes; nid-- > 0;) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		for (unsigned int r = 0; n && r < n->nr_alien; r++)
			if (n->alien[r])
				spin_unlock(&n->alien[r]->lock);
	}
	cpu_queues_unlock_all(m, s);
}

bool check_slab_layer(struct machine *m)
{
	struct slab_state *ss = m->slab;
	struct slab_check cc = { .m = m };
	struct list_head *pos;

	if (!ss)
		return true;
	/* Busy (create/destroy/tune in progress, maybe on this very thread): skip. */
	if (!spin_trylock(&ss->slab_mutex))
		return true;
	list_for_each(pos, &ss->caches) {
		cc.s = list_entry(pos, struct kmem_cache, list);
		check_cache(&cc);
		if (cc.failed)
			break;
	}
	if (!cc.failed) {
		for (int t = 0; t < NR_KMALLOC_TYPES; t++) {
			for (int i = 0; i < NR_KMALLOC_INDEX; i++) {
				struct kmem_cache *k = ss->kmalloc_caches[t][i];
				bool found = false;

				if (!k)
					continue;
				list_for_each(pos, &ss->caches)
					found |= list_entry(pos, struct kmem_cache, list) == k;
				if (!found) {
					cc.s = k;
					check_fail(&cc, "S11: kmalloc cache [%d][%d] is not on the list",
						   t, i);
				}
			}
		}
	}
	spin_unlock(&ss->slab_mutex);
	free(cc.objs);
	return !cc.failed;
}
