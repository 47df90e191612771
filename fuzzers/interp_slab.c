/* SPDX-License-Identifier: MIT */
/*
 * Slab operations of the interpreter, against a shadow model of live
 * objects: never overlapping, aligned, ksize at least what was asked, the
 * pattern written at allocation intact until the free, zeroed when asked,
 * in ZONE_DMA when the gfp or the cache asks for DMA memory.
 */
#include <string.h>

#include "interp_internal.h"

#define SLAB_OBJ_MAX_CHECK 4096	/* pattern bytes checked per object */

/* kmem_cache_create flag bits of the program (ARG flags) */
#define PF_HWCACHE 1u
#define PF_DMA 2u
#define PF_NO_MERGE 4u
#define PF_CONSISTENCY 8u
#define PF_RED_ZONE 16u
#define PF_POISON_USER 32u
#define PF_CTOR 64u

static const char *const cache_name_of[] = { "cache0", "cache1", "cache2", "cache3",
					     "kmalloc-64", "kmem_cache_node", "dup", "dup" };
static const unsigned int align_of[] = { 0, 8, 16, 32, 64, 128, 4, 3 };

static void ctor_fn(void *object)
{
	/* Every object has at least one byte: the ctor must not assume more. */
	memset(object, 0xc7, 1);
}

static bool slab_ready(struct run *r)
{
	return machine_stage(r->m) >= STAGE_SLAB_PARTIAL;
}

static uint8_t pat(uint8_t seed, size_t i)
{
	return (uint8_t)(seed * 31u + i * 7u + 1u);
}

static void obj_fill(struct obj_h *o)
{
	size_t n = o->size < SLAB_OBJ_MAX_CHECK ? o->size : SLAB_OBJ_MAX_CHECK;

	for (size_t i = 0; i < n; i++)
		o->ptr[i] = pat(o->seed, i);
}

static bool obj_intact(const struct obj_h *o, size_t upto)
{
	size_t n = upto < SLAB_OBJ_MAX_CHECK ? upto : SLAB_OBJ_MAX_CHECK;

	for (size_t i = 0; i < n; i++)
		if (o->ptr[i] != pat(o->seed, i))
			return false;
	return true;
}

/* Object handles in use this run (the epilogue's come after the program's). */
static unsigned int obj_limit(const struct run *r)
{
	unsigned int n = r->p->nr_handles[HK_OBJ] + 8;

	return n < SF_PROG_MAX_OPS ? n : SF_PROG_MAX_OPS;
}

static void *cache_of(struct run *r, int h)
{
	return h >= 0 ? r->caches[h].cache : NULL;
}

/* A new object: check it against the model and own it. */
static void obj_got(struct run *r, unsigned int h, void *ptr, size_t size, int cache, gfp_t gfp,
		    bool zero, const char *op)
{
	struct machine *m = r->m;
	struct obj_h *o = &r->objs[h];
	gfp_t eff = gfp & machine_gfp_allowed_mask(m);
	size_t ks;
	unsigned int align = 8;
	bool dma = (gfp & __GFP_DMA) != 0;

	if (!size) {
		if (ptr != ZERO_SIZE_PTR)
			run_fail(r, "HARNESS: kmalloc(0) did not return ZERO_SIZE_PTR", "%s: %p", op,
				 ptr);
		return;
	}
	if (ZERO_OR_NULL_PTR(ptr))
		run_fail(r, "HARNESS: slab object is ZERO_SIZE_PTR", "%s size %zu", op, size);
	if (cache >= 0) {
		dma = (r->caches[cache].flags & PF_DMA) != 0;
		if (r->caches[cache].align > align)
			align = r->caches[cache].align;
	}
	if ((uintptr_t)ptr % align)
		run_fail(r, "HARNESS: slab object misaligned", "%s: %p, align %u", op, ptr, align);
	if (!virt_addr_valid(m, ptr) || !virt_addr_valid(m, (uint8_t *)ptr + size - 1))
		run_fail(r, "HARNESS: slab object outside memory", "%s: %p size %zu", op, ptr, size);
	ks = ksize(m, ptr);
	if (ks < size)
		run_fail(r, "HARNESS: ksize smaller than the size asked", "%s: ksize %zu < %zu", op,
			 ks, size);
	if (dma && page_zonenum(m, virt_to_page(m, ptr)) != ZONE_DMA)
		run_fail(r, "HARNESS: DMA slab object outside ZONE_DMA", "%s: %p in zone %s", op, ptr,
			 zone_type_name(page_zonenum(m, virt_to_page(m, ptr))));
	for (unsigned int i = 0; i < obj_limit(r); i++) {
		const struct obj_h *x = &r->objs[i];

		if (i == h || !x->live)
			continue;
		if ((uint8_t *)ptr < x->ptr + x->size && x->ptr < (uint8_t *)ptr + size)
			run_fail(r, "HARNESS: live slab objects overlap",
				 "%s: o%u [%p+%zu) overlaps o%u [%p+%zu)", op, h, ptr, size, i,
				 (void *)x->ptr, x->size);
	}
	if ((zero || (eff & __GFP_ZERO)) && !(cache >= 0 && r->caches[cache].ctor)) {
		static const uint8_t z[256];

		for (size_t off = 0; off < size && off < SLAB_OBJ_MAX_CHECK; off += sizeof(z))
			if (memcmp((uint8_t *)ptr + off, z,
				   size - off < sizeof(z) ? size - off : sizeof(z)))
				run_fail(r, "HARNESS: zeroed slab object not zeroed", "%s: %p size %zu",
					 op, ptr, size);
	}
	o->ptr = ptr;
	o->size = size;
	o->cache = cache;
	o->seed = (uint8_t)(h * 13u + 5u);
	o->live = true;
	obj_fill(o);
	r->slab_used = true;
}

/* The expected reports of a slab allocation; kmalloc warns about DMA32
 * and invalid bits and goes on without them. */
static void expect_slab_alloc(struct run *r, gfp_t gfp, bool kmalloc)
{
	run_expect_alloc(r, gfp, true);
	run_expect_clear(r);
	if (kmalloc && (gfp & (__GFP_DMA32 | ~(gfp_t)__GFP_BITS_MASK)))
		run_expect(r, "WARNING: Unexpected gfp in kmalloc");
	{
		struct cpu_shadow *c = run_cpu(r);
		gfp_t eff = gfp & machine_gfp_allowed_mask(r->m);

		if (gfpflags_allow_blocking(eff) && machine_stage(r->m) >= STAGE_IRQS_ON &&
		    (!c->irqs_on || c->irq_depth > 0 || c->preempt > 0))
			run_expect(r, "BUG: sleeping function called from invalid context");
	}
	run_expect(r, "WARNING: __GFP_NOFAIL allocation impossible");
}

static void alloc_result(struct run *r, const struct sf_op *op, void *ptr, size_t size, int cache,
			 gfp_t gfp, bool zero)
{
	const char *name = sf_op_specs[op->code].name;
	struct fault_stats fs = failslab_stats(r->m);

	run_after_call(r);
	if (!ptr) {
		/* failslab may fail anything; otherwise NOFAIL means not NULL */
		/* Small, no zone or node constraint: the cache always exists. */
		if ((gfp & __GFP_NOFAIL) && size && size <= 2048 && !fs.failures &&
		    !(gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_THISNODE | ~(gfp_t)__GFP_BITS_MASK)) &&
		    (cache < 0 || !(r->caches[cache].flags & PF_DMA)) &&
		    !run_seen(r, "WARNING: __GFP_NOFAIL allocation impossible") &&
		    !(cache < 0 && (gfp & __GFP_DMA) && machine_stage(r->m) < STAGE_SLAB_UP))
			run_fail(r, "HARNESS: __GFP_NOFAIL slab allocation returned NULL",
				 "%s size %zu gfp %#x", name, size, gfp);
		run_expect_clear(r);
		return;
	}
	run_expect_clear(r);
	obj_got(r, (unsigned int)op->result, ptr, size, cache, gfp, zero, name);
}

static void obj_release(struct run *r, unsigned int h, bool twice)
{
	struct obj_h *o = &r->objs[h];
	struct kmem_cache *s;

	if (!o->live)
		return;
	if (!obj_intact(o, o->size))
		run_fail(r, "HARNESS: slab object contents changed while allocated",
			 "o%u %p size %zu", h, (void *)o->ptr, o->size);
	o->live = false;
	s = cache_of(r, o->cache);
	run_expect_clear(r);
	if (s)
		kmem_cache_free(r->m, s, o->ptr);
	else
		kfree(r->m, o->ptr);
	run_after_call(r);
	if (!twice)
		return;
	run_expect(r, "BUG * (Not tainted): Object already free");
	if (s)
		kmem_cache_free(r->m, s, o->ptr);
	else
		kfree(r->m, o->ptr);
	run_after_call(r);
	if (!run_seen(r, "BUG * (Not tainted): Object already free"))
		run_fail(r, "HARNESS: slab double free not reported", "o%u %p", h, (void *)o->ptr);
	run_expect_clear(r);
}

/* Commands that may allocate with GFP_KERNEL: from atomic context the
 * harness provokes might_sleep on purpose. */
static void expect_ctx(struct run *r)
{
	struct cpu_shadow *c = run_cpu(r);

	run_expect_clear(r);
	if (machine_stage(r->m) >= STAGE_IRQS_ON &&
	    (!c->irqs_on || c->irq_depth > 0 || c->preempt > 0))
		run_expect(r, "BUG: sleeping function called from invalid context");
}

static void cache_create(struct run *r, const struct sf_op *op)
{
	struct cache_h *c = &r->caches[op->result];
	unsigned int f = op->arg[3];
	unsigned int flags = 0;
	struct kmem_cache *s;

	memset(c, 0, sizeof(*c));
	c->name = op->arg[0];
	if (f & PF_HWCACHE)
		flags |= SLAB_HWCACHE_ALIGN;
	if (f & PF_DMA)
		flags |= SLAB_CACHE_DMA;
	if (f & PF_NO_MERGE)
		flags |= SLAB_NO_MERGE;
	if (f & PF_CONSISTENCY)
		flags |= SLAB_CONSISTENCY_CHECKS;
	if (f & PF_RED_ZONE)
		flags |= SLAB_RED_ZONE;
	if (f & PF_POISON_USER)
		flags |= SLAB_POISON | SLAB_STORE_USER;
	expect_ctx(r);
	/* A name taken by a cache or an alias: refused with a WARN, as the
	 * kernel's sysfs does. The harness knows when it reuses a name. */
	for (int i = 0; i < op->result; i++)
		if (r->caches[i].cache &&
		    !strcmp(cache_name_of[r->caches[i].name], cache_name_of[op->arg[0]]))
			run_expect(r, "WARNING: sysfs: cannot create duplicate filename");
	if (op->arg[0] == 4 || op->arg[0] == 5)
		run_expect(r, "WARNING: sysfs: cannot create duplicate filename");
	s = kmem_cache_create(r->m, cache_name_of[op->arg[0]], op->arg[1], align_of[op->arg[2]],
			      flags, (f & PF_CTOR) ? ctor_fn : NULL);
	run_after_call(r);
	r->slab_used = true;
	if (!s)
		return;
	if (kmem_cache_size(s) < op->arg[1] && !(f & PF_CTOR))
		run_fail(r, "HARNESS: cache object size smaller than asked", "c%d: %zu < %u",
			 op->result, kmem_cache_size(s), op->arg[1]);
	c->cache = s;
	c->size = op->arg[1];
	c->align = align_of[op->arg[2]] & (align_of[op->arg[2]] - 1) ? 0 : align_of[op->arg[2]];
	c->flags = f;
	c->name = op->arg[0];
	c->ctor = (f & PF_CTOR) != 0;
	c->live = true;
}

static void cache_destroy(struct run *r, unsigned int h)
{
	struct cache_h *c = &r->caches[h];

	if (!c->live)
		return;
	/* The last reference with objects live would be the caller's bug. */
	for (unsigned int i = 0; i < obj_limit(r); i++)
		if (r->objs[i].live && r->objs[i].cache >= 0 &&
		    r->caches[r->objs[i].cache].cache == c->cache)
			return;
	c->live = false;
	expect_ctx(r);
	kmem_cache_destroy(r->m, c->cache);
	run_after_call(r);
	/* Objects of other handles of a merged cache keep working through it;
	 * forget the pointer in those that are dead. */
}

static void do_kmalloc_op(struct run *r, const struct sf_op *op, size_t size, gfp_t gfp,
			  int nid, bool zero)
{
	void *p;

	expect_slab_alloc(r, gfp, true);
	if (zero)
		p = kzalloc(r->m, size, gfp);
	else if (nid >= 0)
		p = kmalloc_node(r->m, size, gfp, nid);
	else
		p = kmalloc(r->m, size, gfp);
	alloc_result(r, op, p, size, -1, gfp, zero);
}

static void krealloc_op(struct run *r, const struct sf_op *op)
{
	struct obj_h *old = &r->objs[op->arg[0]];
	size_t size = op->arg[1];
	gfp_t gfp = op->arg[2];
	struct obj_h saved = *old;
	void *p;
	uint8_t *orig = old->ptr;

	if (!old->live)
		return;
	if (!obj_intact(old, old->size))
		run_fail(r, "HARNESS: slab object contents changed while allocated",
			 "o%u before krealloc", op->arg[0]);
	expect_slab_alloc(r, gfp, true);
	p = krealloc(r->m, old->ptr, size, gfp);
	run_after_call(r);
	if (!p) {
		run_expect_clear(r);
		return;	/* the old object stays */
	}
	run_expect_clear(r);
	old->live = false;
	if (!size)
		return;	/* freed, ZERO_SIZE_PTR */
	/* The first min(old, new) bytes moved along. */
	saved.ptr = p;
	if (!obj_intact(&saved, saved.size < size ? saved.size : size))
		run_fail(r, "HARNESS: krealloc lost the contents", "o%u -> o%d", op->arg[0],
			 op->result);
	/* In place: still an object of the old one's cache. */
	obj_got(r, (unsigned int)op->result, p, size, (uint8_t *)p == orig ? saved.cache : -1, 0,
		false, "krealloc");
}

static char attr_buf[4096];

bool slab_op(struct run *r, const struct sf_op *op)
{
	struct machine *m = r->m;
	const uint32_t *a = op->arg;
	int nid;

	if (op->result >= 0) {
		if (sf_op_specs[op->code].result == HK_OBJ)
			memset(&r->objs[op->result], 0, sizeof(r->objs[0]));
		else
			memset(&r->caches[op->result], 0, sizeof(r->caches[0]));
	}
	if (!slab_ready(r))
		return false;
	switch ((enum sf_opcode)op->code) {
	case OP_CACHE_CREATE:
		cache_create(r, op);
		break;
	case OP_CACHE_DESTROY:
		cache_destroy(r, a[0]);
		break;
	case OP_CACHE_ALLOC: {
		struct cache_h *c = &r->caches[a[0]];
		void *p;

		if (!c->live)
			return false;
		nid = a[2] >= r->topo.nr_nodes ? SF_NO_NODE : (int)a[2];
		expect_slab_alloc(r, a[1], false);
		p = nid == SF_NO_NODE ? kmem_cache_alloc(m, c->cache, a[1]) :
					kmem_cache_alloc_node(m, c->cache, a[1], nid);
		alloc_result(r, op, p, c->size, (int)a[0], a[1], false);
		break;
	}
	case OP_CACHE_FREE:
	case OP_KFREE:
		obj_release(r, a[0], false);
		break;
	case OP_SLAB_DOUBLE_FREE:
		/* Detected only with consistency checks (as in the kernel). */
		if (r->in_hook || !r->objs[a[0]].live || r->objs[a[0]].cache < 0 ||
		    !(r->caches[r->objs[a[0]].cache].flags & PF_CONSISTENCY))
			return false;
		obj_release(r, a[0], true);
		break;
	case OP_KMALLOC:
		do_kmalloc_op(r, op, a[0], a[1], a[2] >= r->topo.nr_nodes ? -1 : (int)a[2], false);
		break;
	case OP_KZALLOC:
		do_kmalloc_op(r, op, a[0], a[1], -1, true);
		break;
	case OP_KCALLOC: {
		void *p;

		expect_slab_alloc(r, a[2], true);
		p = kcalloc(m, a[0], a[1], a[2]);
		alloc_result(r, op, p, (size_t)a[0] * a[1], -1, a[2], true);
		break;
	}
	case OP_KREALLOC:
		krealloc_op(r, op);
		break;
	case OP_CACHE_TUNE:
		if (!r->caches[a[0]].live)
			return false;
		expect_ctx(r);
		(void)kmem_cache_tune(m, r->caches[a[0]].cache, a[1], a[2], a[3]);
		run_after_call(r);
		break;
	case OP_CACHE_SHRINK:
		if (!r->caches[a[0]].live)
			return false;
		expect_ctx(r);
		kmem_cache_shrink(m, r->caches[a[0]].cache);
		run_after_call(r);
		break;
	case OP_CACHE_VALIDATE:
		if (!r->caches[a[0]].live)
			return false;
		expect_ctx(r);
		if (kmem_cache_validate(m, r->caches[a[0]].cache))
			run_fail(r, "HARNESS: kmem_cache_validate found problems without a report",
				 "c%u", a[0]);
		run_after_call(r);
		break;
	case OP_ATTR_SHOW: {
		static const char *const attrs[] = {
			"object_size", "slab_size", "objs_per_slab", "order", "objects",
			"total_objects", "slabs", "partial", "cpu_queue_size", "batch", "shared",
			"alien", "aliases", "align", "cache_dma", "sanity_checks", "red_zone",
			"poison", "store_user", "validate", "shrink", "no_such_attr"
		};

		if (!r->caches[a[0]].live || machine_stage(m) < STAGE_SLAB_UP)
			return false;
		run_expect_clear(r);
		(void)slab_attr_show(m, kmem_cache_name(r->caches[a[0]].cache),
				     attrs[a[1] % (sizeof(attrs) / sizeof(attrs[0]))], attr_buf,
				     sizeof(attr_buf));
		run_after_call(r);
		break;
	}
	case OP_ATTR_STORE: {
		static const char *const wattrs[] = { "cpu_queue_size", "batch", "shared",
						      "validate", "shrink", "object_size" };
		char val[16];

		if (!r->caches[a[0]].live || machine_stage(m) < STAGE_SLAB_UP)
			return false;
		snprintf(val, sizeof(val), "%u", a[2]);
		expect_ctx(r);
		(void)slab_attr_store(m, kmem_cache_name(r->caches[a[0]].cache),
				      wattrs[a[1] % (sizeof(wattrs) / sizeof(wattrs[0]))], val);
		run_after_call(r);
		break;
	}
	case OP_KMALLOC_IRQ_AT:
		r->inj.armed = true;
		r->inj.sp = (enum sched_point)a[0];
		r->inj.code = op->code;
		r->inj.op = op;
		break;
	default:
		return false;
	}
	return true;
}

void slab_irq_op(struct run *r, const struct sf_op *op)
{
	if (op->code != OP_KMALLOC_IRQ_AT || !slab_ready(r))
		return;
	do_kmalloc_op(r, op, op->arg[1], op->arg[2], -1, false);
}

static char list_buf[1 << 14];

void slab_shrink_all(struct run *r)
{
	struct machine *m = r->m;
	size_t n;

	if (machine_stage(m) < STAGE_SLAB_UP)
		return;
	n = slab_sysfs_list(m, list_buf, sizeof(list_buf));
	if (n >= sizeof(list_buf))
		return;
	for (char *s = list_buf; *s;) {
		size_t l = strcspn(s, "\n");
		char name[SLAB_NAME_MAX + 1];

		if (l && l < sizeof(name)) {
			memcpy(name, s, l);
			name[l] = '\0';
			run_expect_clear(r);
			(void)slab_attr_store(m, name, "shrink", "1");
			run_after_call(r);
		}
		s += l;
		if (*s)
			s++;
	}
}

void slab_teardown(struct run *r)
{
	for (unsigned int h = 0; h < obj_limit(r); h++)
		obj_release(r, h, false);
	for (unsigned int h = 0; h < r->p->nr_handles[HK_CACHE]; h++)
		cache_destroy(r, h);
}

void slab_workload(struct run *r)
{
	static const size_t sizes[] = { 8, 64, 200, 1000, 5000 };
	struct sf_op op = { .code = OP_KMALLOC };
	unsigned int first = r->p->nr_handles[HK_OBJ];

	if (!slab_ready(r))
		return;
	for (unsigned int i = 0; i < 5 && first + i < SF_PROG_MAX_OPS; i++) {
		op.result = (int32_t)(first + i);
		memset(&r->objs[first + i], 0, sizeof(r->objs[0]));
		do_kmalloc_op(r, &op, sizes[i], GFP_KERNEL | __GFP_NOWARN, -1, false);
	}
	for (unsigned int i = 0; i < 5 && first + i < SF_PROG_MAX_OPS; i++)
		obj_release(r, first + i, false);
}

size_t slab_dump(struct run *r, char *buf, size_t size)
{
	if (!slab_ready(r)) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	return dump_slabinfo(r->m, buf, size);
}

/* ---- dispatch (interp_internal.h) ---- */

static const op_fn slab_op_table[NR_OPCODES] = {
	[OP_CACHE_CREATE] = slab_op,	[OP_CACHE_DESTROY] = slab_op,
	[OP_CACHE_ALLOC] = slab_op,	[OP_CACHE_FREE] = slab_op,
	[OP_KMALLOC] = slab_op,		[OP_KZALLOC] = slab_op,
	[OP_KCALLOC] = slab_op,		[OP_KREALLOC] = slab_op,
	[OP_KFREE] = slab_op,		[OP_CACHE_TUNE] = slab_op,
	[OP_CACHE_SHRINK] = slab_op,	[OP_CACHE_VALIDATE] = slab_op,
	[OP_ATTR_SHOW] = slab_op,	[OP_ATTR_STORE] = slab_op,
	[OP_KMALLOC_IRQ_AT] = slab_op,	[OP_SLAB_DOUBLE_FREE] = slab_op,
};

const struct interp_module slab_module = {
	"slab", slab_op_table, slab_irq_op, slab_workload, slab_teardown, NULL,
};
