/* SPDX-License-Identifier: MIT */
/*
 * Slab operations of the interpreter, against a shadow model of live
 * objects: never overlapping, aligned, ksize at least what was asked, the
 * pattern written at allocation intact until the free, zeroed when asked,
 * in ZONE_DMA when the gfp or the cache asks for DMA memory.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"
#include "slab_calls.h"

/* kmem_cache_create flag bits of the program (ARG flags) */
#define PF_HWCACHE 1u
#define PF_DMA 2u
#define PF_NO_MERGE 4u
#define PF_CONSISTENCY 8u
#define PF_RED_ZONE 16u
#define PF_POISON_USER 32u
#define PF_CTOR 64u

#define NID_ANY (-1)	/* no node asked */
#define NID_OLD (-2)	/* krealloc kept the object: no node claim */

static const char *const cache_name_of[] = { "cache0", "cache1", "cache2", "cache3",
					     "kmalloc-64", "kmem_cache_node", "dup", "dup",
					     "a_cache_name_31_characters_long" };
static const unsigned int align_of[] = { 0, 8, 16, 32, 64, 128, 4, 3, 1, 2 };

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

/* The pattern covers the whole usable object, [0, ksize). */
static void obj_fill(struct obj_h *o)
{
	for (size_t i = 0; i < o->ks; i++)
		o->ptr[i] = pat(o->seed, i);
}

static SF_NO_COVERAGE bool obj_intact(const struct obj_h *o, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
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

static unsigned int debug_flags(const struct run *r)
{
	return geom_debug_flags(sf_prog_slab_debug(&r->p->h));
}

/* What the harness expects of a new object: where it comes from and its
 * layout. kclass 0 and cache -1: a large kmalloc (a page block). */
struct obj_expect {
	int cache;			/* cache handle, -1 for kmalloc */
	unsigned int kclass;		/* kmalloc class, 0 for large */
	bool dma;
	struct slab_geom geom;		/* slab objects */
	size_t ks;			/* ksize */
	unsigned int align;		/* requested alignment */
};

static void expect_kmalloc_class(struct run *r, struct obj_expect *e, size_t size, bool dma)
{
	memset(e, 0, sizeof(*e));
	e->cache = -1;
	e->dma = dma;
	e->align = 8;
	if (size <= GEOM_KMALLOC_MAX) {
		slab_geom_kmalloc(&e->geom, kmalloc_class(size), dma, debug_flags(r),
				  r->topo.max_order);
		/* A class that fits no slab of this machine: the page path. */
		if (e->geom.ok) {
			e->kclass = kmalloc_class(size);
			e->ks = e->kclass;
			return;
		}
	}
	e->ks = (size_t)GEOM_PAGE_SIZE << kmalloc_large_order(size);
}

static void expect_cache(struct run *r, struct obj_expect *e, int cache)
{
	struct cache_h *c = &r->caches[cache];

	memset(e, 0, sizeof(*e));
	e->cache = cache;
	e->dma = (c->flags & PF_DMA) != 0;
	e->geom = c->geom;
	e->ks = c->geom.object_size;
	e->align = c->align > 8 ? c->align : 8;
}

static void check_slab_place(struct run *r, const struct obj_expect *e, uint8_t *ptr,
			     const char *op)
{
	struct machine *m = r->m;
	const struct slab_geom *g = &e->geom;
	struct page *head;
	struct kmem_cache *s = virt_to_slab(m, ptr, &head);
	pfn_t pfn = page_to_pfn(m, virt_to_page(m, ptr));
	pfn_t base_pfn = pfn & ~(((pfn_t)1 << g->order) - 1);
	uint8_t *base;
	size_t off;

	if (e->cache >= 0) {
		if (s != r->caches[e->cache].cache)
			run_fail(r, "HARNESS: slab object from another cache",
				 "%s: %p is in %s, not in c%d (%s)", op, (void *)ptr,
				 s ? kmem_cache_name(s) : "no slab", e->cache,
				 kmem_cache_name(r->caches[e->cache].cache));
	} else {
		char want[SLAB_NAME_MAX];

		kmalloc_class_name(want, sizeof(want), e->kclass, e->dma);
		if (!s || strcmp(kmem_cache_name(s), want))
			run_fail(r, "HARNESS: slab object from another cache",
				 "%s: %p is in %s, not in %s", op, (void *)ptr,
				 s ? kmem_cache_name(s) : "no slab", want);
	}
	base = page_address(m, pfn_to_page(m, base_pfn));
	if (page_to_pfn(m, head) != base_pfn || page_block_order(m, head) != g->order)
		run_fail(r, "HARNESS: slab order differs from the shadow",
			 "%s: %p in a slab at pfn %#llx order %u, shadow: pfn %#llx order %u", op,
			 (void *)ptr, (unsigned long long)page_to_pfn(m, head),
			 page_block_order(m, head), (unsigned long long)base_pfn, g->order);
	off = (size_t)(ptr - base);
	if (off < g->red_left_pad || (off - g->red_left_pad) % g->size)
		run_fail(r, "HARNESS: slab object not at an object start",
			 "%s: %p at offset %zu of its slab, stride %u, object at %u in a slot", op,
			 (void *)ptr, off, g->size, g->red_left_pad);
	if ((off - g->red_left_pad) / g->size >= g->objects ||
	    off + g->object_size > g->mgmt_offset)
		run_fail(r, "HARNESS: slab object inside the slab's management area",
			 "%s: %p at offset %zu, %u objects, management area at %u", op,
			 (void *)ptr, off, g->objects, g->mgmt_offset);
}

static void check_align(struct run *r, const struct obj_expect *e, uintptr_t p, size_t size,
			const char *op)
{
	if (p % e->align)
		run_fail(r, "HARNESS: slab object misaligned", "%s: %#lx, align %u", op,
			 (unsigned long)p, e->align);
	/* kmalloc(size) is aligned to the largest power of two dividing size
	 * (Documentation/core-api/memory-allocation.rst), debug options
	 * included; capped at a page, the alignment of the simulated memory. */
	if (e->cache < 0) {
		size_t want = size & -size;

		if (want > GEOM_PAGE_SIZE)
			want = GEOM_PAGE_SIZE;
		if (p % want)
			run_fail(r, "HARNESS: kmalloc object not naturally aligned",
				 "%s: %#lx size %zu, alignment %zu", op, (unsigned long)p, size,
				 want);
	}
	if (e->cache >= 0 && (e->geom.flags & SLAB_HWCACHE_ALIGN) && p % e->geom.align)
		run_fail(r, "HARNESS: SLAB_HWCACHE_ALIGN object not aligned",
			 "%s: %#lx, object size %u, align %u", op, (unsigned long)p,
			 e->geom.object_size, e->geom.align);
}

/*
 * kmalloc_node/kmem_cache_alloc_node without __GFP_THISNODE gave an object
 * of another node: a finding while node nid could have grown a slab there
 * (the page side's rule on nid alone, the slab's order and zone; the
 * object a node's lists or queues hand out is always of that node), with
 * fault injection off and outside an injected interrupt.
 */
static void preferred_node_check(struct run *r, const struct obj_expect *e, gfp_t gfp, int nid,
				 const void *ptr, const char *op)
{
	gfp_t pg = (gfp & ~(gfp_t)(GFP_ZONEMASK | ~(gfp_t)__GFP_BITS_MASK)) | __GFP_THISNODE;
	unsigned int order;
	char why[160];

	if (r->in_hook || r->fail_page_on || r->failslab_on || (e->cache < 0 && !e->kclass))
		return;
	order = e->geom.order;
	pg = (pg | (e->dma ? __GFP_DMA : 0)) & machine_gfp_allowed_mask(r->m);
	if (page_block_available(r, pg, order, nid, why, sizeof(why)))
		run_fail(r, "HARNESS: slab object from another node while the preferred node has "
			    "free memory",
			 "%s: %p on node %d, asked %d: %s", op, ptr,
			 page_to_nid(r->m, virt_to_page(r->m, ptr)), nid, why);
}

/*
 * The node a kmalloc/kmem_cache_alloc without a node takes its object
 * from: the current cpu's queue and then its node's lists hold objects of
 * the cpu's memory node only. When the cpu's own node (the topology's) is
 * strictly nearest to itself it is that node whenever it has normal memory
 * (the rule below asks for a free block there); -1: no claim.
 */
static int local_slab_node(struct run *r)
{
	int from = r->topo.cpu_node[r->cur_cpu];
	unsigned int self = sf_topology_distance(&r->topo, from, from);

	for (unsigned int n = 0; n < r->topo.nr_nodes; n++)
		if ((int)n != from && sf_topology_distance(&r->topo, from, (int)n) <= self)
			return -1;
	return from;
}

/* A new object: check it against the model and own it. Bytes
 * [zero_from, size) must be zero (SIZE_MAX: none); nid >= 0 with
 * __GFP_THISNODE: the object must be on that node; NID_ANY (no node
 * asked): local_slab_node's rule; NID_OLD: an object kept in place. */
static SF_NO_COVERAGE void obj_got(struct run *r, unsigned int h, void *ptr, size_t size,
		    const struct obj_expect *e, gfp_t gfp, size_t zero_from, int nid, const char *op)
{
	struct machine *m = r->m;
	struct obj_h *o = &r->objs[h];
	uint8_t *p;
	size_t ks;

	if (!size) {
		if (ptr != ZERO_SIZE_PTR)
			run_fail(r, "HARNESS: kmalloc(0) did not return ZERO_SIZE_PTR", "%s: %p", op,
				 ptr);
		return;
	}
	if (ZERO_OR_NULL_PTR(ptr))
		run_fail(r, "HARNESS: slab object is ZERO_SIZE_PTR", "%s size %zu", op, size);
	p = ptr;
	check_align(r, e, (uintptr_t)p, size, op);
	if (!virt_addr_valid(m, p) || !virt_addr_valid(m, p + e->ks - 1))
		run_fail(r, "HARNESS: slab object outside memory", "%s: %p size %zu", op, ptr,
			 e->ks);
	ks = ksize(m, ptr);
	if (ks < size)
		run_fail(r, "HARNESS: ksize smaller than the size asked", "%s: ksize %zu < %zu", op,
			 ks, size);
	if (ks != e->ks)
		run_fail(r, "HARNESS: ksize differs from the shadow", "%s: ksize %zu, shadow %zu",
			 op, ks, e->ks);
	if (e->dma && page_zonenum(m, virt_to_page(m, ptr)) != ZONE_DMA)
		run_fail(r, "HARNESS: DMA slab object outside ZONE_DMA", "%s: %p in zone %s", op, ptr,
			 zone_type_name(page_zonenum(m, virt_to_page(m, ptr))));
	if (nid >= 0 && (gfp & __GFP_THISNODE) && page_to_nid(m, virt_to_page(m, ptr)) != nid)
		run_fail(r, "HARNESS: __GFP_THISNODE slab object from another node",
			 "%s: %p on node %d, asked %d", op, ptr,
			 page_to_nid(m, virt_to_page(m, ptr)), nid);
	if (nid >= 0 && !(gfp & __GFP_THISNODE) && page_to_nid(m, virt_to_page(m, ptr)) != nid)
		preferred_node_check(r, e, gfp, nid, ptr, op);
	if (nid == NID_ANY && local_slab_node(r) >= 0 &&
	    page_to_nid(m, virt_to_page(m, ptr)) != local_slab_node(r))
		preferred_node_check(r, e, gfp, local_slab_node(r), ptr, op);
	/* A large kmalloc is placed by ksize: PAGE_SIZE << order only at the
	 * start of a block of that order. */
	if (e->cache >= 0 || e->kclass)
		check_slab_place(r, e, p, op);
	/* [p, p+ksize) against every live object, page block and memblock
	 * allocation (the shared ownership shadow). */
	shadow_claim(r, p, ks, e->cache >= 0 || e->kclass ? SH_OBJECT : SH_LARGE_KMALLOC, (int)h,
		     op);
	if (zero_from < size && !(e->cache >= 0 && r->caches[e->cache].ctor)) {
		for (size_t i = zero_from; i < size; i++)
			if (p[i])
				run_fail(r, "HARNESS: zeroed slab object not zeroed",
					 "%s: %p size %zu: byte %zu is %#x", op, ptr, size, i, p[i]);
	}
	o->ptr = p;
	o->size = size;
	o->ks = ks;
	o->cache = e->cache;
	o->kclass = e->kclass;
	o->dma = e->dma;
	o->seed = (uint8_t)(h * 13u + 5u);
	o->live = true;
	obj_fill(o);
	r->slab_used = true;
	if (nid != NID_OLD)
		slab_debug_new(r, h, e->cache < 0 ? "kmalloc" : nid >= 0 ? "kmem_cache_alloc_node" :
					 "kmem_cache_alloc");
}

/*
 * Before slab_up no cache has a directory (the slab layer registers them
 * all at slab_up; before slab_partial there is no slab layer): the
 * directory of kmalloc-64 is -ENOENT, as a tool that asks early would see.
 */
static void sysfs_before_up_check(struct run *r)
{
	char buf[SLAB_NAME_MAX + 16];
	long len;

	if (machine_stage(r->m) >= STAGE_SLAB_UP)
		return;
	len = slab_sysfs_dir_name(r->m, "kmalloc-64", buf, sizeof(buf));
	if (len != -ENOENT)
		run_fail(r, "HARNESS: slab sysfs directory differs from the shadow",
			 "kmalloc-64 at stage %s (before slab_up): slab_sysfs_dir_name %ld, "
			 "not -ENOENT", boot_stage_name(machine_stage(r->m)), len);
}

static SF_NO_COVERAGE void slab_check_objects(struct run *r)
{
	sysfs_before_up_check(r);
	slab_debug_check(r);
	for (unsigned int h = 0; h < obj_limit(r); h++) {
		const struct obj_h *o = &r->objs[h];

		if (o->live && !obj_intact(o, o->ks))
			run_fail(r, "HARNESS: slab object contents changed while allocated",
				 "o%u %p ksize %zu, at a check point", h, (void *)o->ptr, o->ks);
	}
}

/* The expected reports of a slab allocation; kmalloc warns about DMA32
 * and invalid bits and goes on without them. None of the page allocator's
 * gfp warnings (run_expect_alloc): slab pages take the cache's zone and
 * only the reclaim and reserve bits of the caller's gfp, and kmalloc drops
 * the bits before a large block, so an invalid zone combination never
 * reaches the page allocator from here. */
static void expect_slab_alloc(struct run *r, gfp_t gfp, bool kmalloc)
{
	r->slab_reclaim_seen = r->sched_seen[SP_ALLOC_PAGES_RECLAIM];
	r->slab_alloc_armed = r->inj.armed;
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

/*
 * A slab allocation returned NULL that fault injection cannot explain (the
 * program's record, by the harness's rule, run_fault_may_fail_slab:
 * failslab off or not eligible for the call, fail_page_alloc off or with a
 * min_order above the block's), outside an injected interrupt:
 * a finding when the page allocator must have found the block a new slab
 * (the shadow's order, in the cache's zone) or a large kmalloc (the gfp's
 * zone) needs, by the page side's rule (an eligible zone with a free
 * block above the low-watermark bound; with __GFP_THISNODE on that node).
 * kmalloc drops __GFP_DMA32 and invalid bits first (with its WARN); DMA
 * kmalloc before slab_up and a block order past MAX_ORDER fail by design.
 */
static void slab_null(struct run *r, const struct obj_expect *e, size_t size, gfp_t gfp, int nid,
		      const char *name)
{
	gfp_t pg = gfp;
	unsigned int order;
	char why[160];

	if (!size || r->in_hook)
		return;
	if (e->cache < 0) {
		pg &= ~(gfp_t)(__GFP_DMA32 | ~(gfp_t)__GFP_BITS_MASK);
		if ((pg & __GFP_DMA) && machine_stage(r->m) < STAGE_SLAB_UP)
			return;
	} else if (e->dma) {
		pg |= __GFP_DMA;
	}
	if ((pg & ~(gfp_t)__GFP_BITS_MASK) || ((pg & __GFP_DMA) && (pg & __GFP_DMA32)))
		return;		/* invalid: refused with its WARN */
	/* Slab pages come from the cache's zone (ZONE_DMA or the normal
	 * zones), whatever zone modifier the gfp has; a large kmalloc takes
	 * the gfp's. */
	if (e->cache >= 0 || e->kclass)
		pg = (pg & ~(gfp_t)GFP_ZONEMASK) | (e->dma ? __GFP_DMA : 0);
	order = e->cache >= 0 || e->kclass ? e->geom.order : kmalloc_large_order(e->ks);
	if (order >= r->topo.max_order || run_fault_may_fail_slab(r, order))
		return;
	pg &= machine_gfp_allowed_mask(r->m);
	if (page_block_available(r, pg, order, nid >= 0 ? nid : SF_NO_NODE, why, sizeof(why)))
		run_fail(r, "HARNESS: slab allocation failed with free memory",
			 "%s size %zu gfp %#x: a slab of order %u fits %s", name, size, gfp, order,
			 why);
}

/*
 * A slab allocation during which direct reclaim ran (the harness's hook
 * saw SP_ALLOC_PAGES_RECLAIM) leaves no free slab in any cache: from
 * slab_up the slab shrinker is registered, and reclaim's scan drains every
 * queue and gives back every free slab; after it nothing frees (not across
 * an injected interrupt, not from one), and a slab grown after it gives at
 * least one object to the caller, so it is not free.
 */
static void reclaim_shrunk_check(struct run *r, const char *name, size_t size)
{
	char who[96];
	unsigned long nr;

	if (r->sched_seen[SP_ALLOC_PAGES_RECLAIM] == r->slab_reclaim_seen || r->in_hook ||
	    r->slab_alloc_armed || r->inj.armed || machine_stage(r->m) < STAGE_SLAB_UP)
		return;
	nr = slab_free_slabs_walk(r->m, who, sizeof(who));
	if (nr)
		run_fail(r, "HARNESS: free slabs kept through reclaim",
			 "%s size %zu: direct reclaim ran; %lu free slabs left (%s)", name, size,
			 nr, who);
}

static void alloc_result(struct run *r, const struct sf_op *op, void *ptr, size_t size,
			 const struct obj_expect *e, gfp_t gfp, bool zero, int nid)
{
	const char *name = sf_op_specs[op->code].name;
	struct fault_stats fs = failslab_stats(r->m);
	gfp_t eff = gfp & machine_gfp_allowed_mask(r->m);

	run_failslab_call_end(r, name);
	run_after_call(r);
	if (r->o->test_slab_result)
		r->o->test_slab_result(r->m, name, &ptr, size);
	if (!ptr) {
		/* failslab may fail anything; otherwise NOFAIL means not NULL */
		/* Small, no zone or node constraint: the cache always exists. */
		if ((gfp & __GFP_NOFAIL) && size && size <= 2048 && !fs.failures &&
		    !(gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_THISNODE | ~(gfp_t)__GFP_BITS_MASK)) &&
		    (e->cache < 0 || !(r->caches[e->cache].flags & PF_DMA)) &&
		    !run_seen(r, "WARNING: __GFP_NOFAIL allocation impossible") &&
		    !(e->cache < 0 && (gfp & __GFP_DMA) && machine_stage(r->m) < STAGE_SLAB_UP))
			run_fail(r, "HARNESS: __GFP_NOFAIL slab allocation returned NULL",
				 "%s size %zu gfp %#x", name, size, gfp);
		run_expect_clear(r);
		reclaim_shrunk_check(r, name, size);
		slab_null(r, e, size, gfp, nid, name);
		return;
	}
	run_expect_clear(r);
	reclaim_shrunk_check(r, name, size);
	obj_got(r, (unsigned int)op->result, ptr, size, e, gfp,
		zero || (eff & __GFP_ZERO) ? 0 : SIZE_MAX, nid, name);
}

/*
 * After a free: SLAB's free limit on every node of the object's cache, the
 * old batch's while a tune that lowered it has not been trimmed to yet
 * (relax_batch of the cache's handles; cleared once the new limit holds).
 */
static void free_limit_check(struct run *r, unsigned int h, void *cache, char *who, size_t len)
{
	unsigned int relax = 0;

	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++)
		if (r->caches[i].live && r->caches[i].cache == cache &&
		    r->caches[i].relax_batch > relax)
			relax = r->caches[i].relax_batch;
	if (!slab_free_limit_walk(r->m, cache, relax, who, len))
		run_fail(r, "HARNESS: node keeps free slabs above its free limit", "o%u %p: %s", h,
			 (void *)r->objs[h].ptr, who);
	if (!relax || !slab_free_limit_walk(r->m, cache, 0, who, len))
		return;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++)
		if (r->caches[i].cache == cache)
			r->caches[i].relax_batch = 0;
}

static void obj_release(struct run *r, unsigned int h, bool twice)
{
	struct obj_h *o = &r->objs[h];
	struct kmem_cache *s;
	void *freed_to;
	char who[160];
	struct queue_state queue;
	bool armed, queued;

	if (!o->live)
		return;
	if (!obj_intact(o, o->ks))
		run_fail(r, "HARNESS: slab object contents changed while allocated",
			 "o%u %p size %zu ksize %zu", h, (void *)o->ptr, o->size, o->ks);
	o->live = false;
	shadow_release(r, o->ptr, o->cache >= 0 || o->kclass ? SH_OBJECT : SH_LARGE_KMALLOC,
		       (int)h);
	s = cache_of(r, o->cache);
	freed_to = slab_cache_of_page(r->m, o->ptr);
	armed = r->inj.armed;
	queued = freed_to && !r->in_hook && !armed && machine_stage(r->m) >= STAGE_SLAB_UP &&
		 slab_free_queue_state(r->m, freed_to, r->cur_cpu, o->ptr, &queue);
	run_expect_clear(r);
	/* The free's track is set before anything an interrupt can come into. */
	slab_debug_free_event(r, o);
	if (s)
		call_kmem_cache_free(r->m, s, o->ptr);
	else
		call_kfree(r->m, o->ptr);
	run_after_call(r);
	if (freed_to && !r->in_hook)
		free_limit_check(r, h, freed_to, who, sizeof(who));
	if (freed_to && !r->in_hook && !armed && r->topo.nr_nodes > 1 &&
	    machine_stage(r->m) >= STAGE_SLAB_UP &&
	    !slab_alien_holds(r->m, freed_to, r->cur_cpu, o->ptr, who, sizeof(who)))
		run_fail(r, "HARNESS: remote free not in the alien buffer", "o%u %p: %s", h,
			 (void *)o->ptr, who);
	if (r->o->test_slab_ret)
		(void)r->o->test_slab_ret(r->m, "kmem_cache_free", 0);
	if (queued && !slab_flush_fills_shared(freed_to, &queue, who, sizeof(who)))
		run_fail(r, queue.local ? "HARNESS: cpu queue flush did not fill the shared queue "
					  "first" :
					  "HARNESS: alien flush did not fill the shared queue first",
			 "o%u %p: %s", h, (void *)o->ptr, who);
	if (!twice)
		return;
	run_expect(r, "BUG * (Not tainted): Object already free");
	slab_report_expect(r, (int)h, -1, o->ptr, s ? "kmem_cache_free" : "kfree", "double free");
	if (s)
		call_kmem_cache_free(r->m, s, o->ptr);
	else
		call_kfree(r->m, o->ptr);
	run_after_call(r);
	r->objrep.on = false;
	if (!run_seen(r, "BUG * (Not tainted): Object already free"))
		run_fail(r, "HARNESS: slab double free not reported", "o%u %p", h, (void *)o->ptr);
	run_expect_clear(r);
}

/* Another live handle holds a reference to handle h's core cache. */
static bool cache_alive_other(const struct run *r, int h)
{
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++)
		if ((int)i != h && r->caches[i].live && r->caches[i].cache == r->caches[h].cache)
			return true;
	return false;
}

bool slab_obj_geom(struct run *r, const struct obj_h *o, struct slab_geom *g)
{
	if (o->cache >= 0) {
		*g = r->caches[o->cache].geom;
		return true;
	}
	if (!o->kclass)
		return false;
	slab_geom_kmalloc(g, o->kclass, o->dma, debug_flags(r), r->topo.max_order);
	return g->ok;
}

/* The pointer a free of an object's interior passes: one byte in
 * (misaligned) or one alignment unit in (aligned, not an object start).
 * NULL when the layout has no such pointer. */
static void *interior_ptr(const struct obj_h *o, const struct slab_geom *g, unsigned int kind)
{
	if (kind == 0)
		return g->align > 1 ? o->ptr + 1 : NULL;
	return g->align < g->size ? o->ptr + g->align : NULL;
}

/* Frees the slab layer must refuse with a report, freeing nothing: kfree of
 * a page-allocator block or of memory outside the machine, kmem_cache_free
 * of an object into another cache, of a pointer inside an object, a slab's
 * page to the page allocator; a second destroy of a handle that merged into
 * a kmalloc cache (which cannot go; for any other cache it would be a use
 * after free). The program keeps what it had (its patterns are checked as
 * before). */
static bool bad_free_op(struct run *r, const struct sf_op *op)
{
	struct slab_geom g;
	struct page *page;
	pfn_t pfn;
	static uint64_t not_an_object[8];
	const char *title = "WARNING: kfree of memory not from kmalloc";
	const struct page_h *ph;
	const struct obj_h *o;
	void *s, *p;

	if (r->in_hook)
		return false;
	run_expect_clear(r);
	switch (op->code) {
	case OP_KFREE_PAGE:
		ph = &r->pages[op->arg[0]];
		if (!ph->live)
			return false;
		run_expect(r, title);
		kfree(r->m, ph->addr);
		break;
	case OP_KFREE_FOREIGN:
		run_expect(r, title);
		kfree(r->m, not_an_object);
		break;
	case OP_CACHE_FREE_INTERIOR:
		/* Checked with debug_level >= 1 (the fast path takes any
		 * pointer otherwise, as the kernel's does). */
		o = &r->objs[op->arg[0]];
		if (!o->live || r->p->h.debug_level < 1 || !slab_obj_geom(r, o, &g) ||
		    !interior_ptr(o, &g, op->arg[1]))
			return false;
		title = op->arg[1] ? "BUG * (Not tainted): Invalid object pointer" :
				     "BUG * (Not tainted): Misaligned object pointer";
		run_expect(r, title);
		p = interior_ptr(o, &g, op->arg[1]);
		pfn = page_to_pfn(r->m, virt_to_page(r->m, o->ptr)) & ~(((pfn_t)1 << g.order) - 1);
		if (op->arg[1])
			slab_report_expect(r, (int)op->arg[0], -1, p, o->cache >= 0 ?
					   "kmem_cache_free" : "kfree",
					   "offset %zu in the slab is not an object start",
					   (size_t)((uint8_t *)p - (uint8_t *)page_address(r->m,
							pfn_to_page(r->m, pfn))));
		else
			slab_report_expect(r, (int)op->arg[0], -1, p, o->cache >= 0 ?
					   "kmem_cache_free" : "kfree",
					   "pointer not aligned to %u", g.align);
		if (o->cache >= 0)
			call_kmem_cache_free(r->m, cache_of(r, o->cache), p);
		else
			call_kfree(r->m, p);
		break;
	case OP_CACHE_DESTROY_AGAIN:
		if (r->caches[op->arg[0]].live || r->caches[op->arg[0]].owner >= 0 ||
		    !cache_of(r, (int)op->arg[0]) || cache_alive_other(r, (int)op->arg[0]))
			return false;
		title = "WARNING: kmem_cache_destroy of a cache that cannot go";
		run_expect(r, title);
		kmem_cache_destroy(r->m, cache_of(r, (int)op->arg[0]));
		break;
	case OP_FREE_SLAB_PAGE:
		/* The slab's block, as the page allocator gave it: its head is
		 * the object's pfn aligned down to the harness's slab order. */
		o = &r->objs[op->arg[0]];
		if (!o->live || !slab_obj_geom(r, o, &g))
			return false;
		pfn = page_to_pfn(r->m, virt_to_page(r->m, o->ptr)) & ~(((pfn_t)1 << g.order) - 1);
		page = pfn_to_page(r->m, pfn);
		title = "BUG: Bad page state";
		run_expect(r, title);
		__free_pages(r->m, page, g.order);
		break;
	default:
		o = &r->objs[op->arg[1]];
		s = cache_of(r, (int)op->arg[0]);
		if (!r->caches[op->arg[0]].live || !o->live || o->cache < 0 ||
		    cache_of(r, o->cache) == s)
			return false;
		title = "BUG * (Not tainted): Wrong slab cache";
		run_expect(r, title);
		slab_report_expect(r, (int)op->arg[1], (int)op->arg[0], o->ptr, "kmem_cache_free",
				   "object belongs to another cache");
		call_kmem_cache_free(r->m, s, o->ptr);
		break;
	}
	run_after_call(r);
	r->objrep.on = false;
	if (!run_seen(r, title))
		run_fail(r, "HARNESS: misuse not reported", "%s: expected '%s'",
			 sf_op_specs[op->code].name, title);
	run_expect_clear(r);
	return true;
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

/* ---- the cache shadow: names, merges, tunables, attributes ---- */

static unsigned int next_class(unsigned int cls)
{
	return cls == 64 ? 96 : cls == 96 ? 128 : cls == 128 ? 192 : cls == 192 ? 256 : cls * 2;
}

/* The core cache of handle h still exists (a kmalloc cache always does). */
static bool cache_alive(const struct run *r, int h)
{
	const struct cache_h *c = &r->caches[h];

	if (!c->cache || c->gone)
		return false;
	if (c->owner < 0)
		return true;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++)
		if (r->caches[i].live && r->caches[i].cache == c->cache)
			return true;
	return false;
}

/* The registered directory name of handle h's core cache: its name. */
void slab_cache_name(const struct run *r, int h, char *buf, size_t size)
{
	const struct cache_h *c = &r->caches[h];

	if (c->owner < 0)
		kmalloc_class_name(buf, size, (unsigned int)c->kmalloc, (c->flags & PF_DMA) != 0);
	else
		snprintf(buf, size, "%s", cache_name_of[r->caches[c->owner].name]);
}

/* A cache of that name is on the cache list (the boot and kmalloc caches
 * the program can name, and the live caches the program made). */
static bool name_is_cache(const struct run *r, int upto, const char *name)
{
	if (!strcmp(name, "kmalloc-64") || !strcmp(name, "kmem_cache_node"))
		return true;
	for (int i = 0; i < upto; i++)
		if (r->caches[i].owner == i && cache_alive(r, i) &&
		    !strcmp(cache_name_of[r->caches[i].name], name))
			return true;
	return false;
}

/* The handle whose alias of that name is registered, -1: none. A later
 * alias of a name replaces an earlier one; all go with their cache. */
static int alias_owner(const struct run *r, int upto, const char *name)
{
	int last = -1;

	for (int i = 0; i < upto; i++)
		if (r->caches[i].alias && !strcmp(cache_name_of[r->caches[i].name], name))
			last = i;
	return last >= 0 && cache_alive(r, last) ? last : -1;
}

/* Aliases registered for handle h's core cache. */
static unsigned long alias_count(const struct run *r, int h)
{
	int n = (int)r->p->nr_handles[HK_CACHE];
	unsigned long count = 0;

	for (int i = 0; i < n; i++)
		if (r->caches[i].alias && r->caches[i].cache == r->caches[h].cache &&
		    alias_owner(r, n, cache_name_of[r->caches[i].name]) == i)
			count++;
	return count;
}

/* A known cache s is a live handle's (returns it), a kmalloc cache (-1)
 * or new (-2). */
static int known_cache(struct run *r, int self, struct kmem_cache *s, struct slab_geom *g,
		       int *kmalloc)
{
	*kmalloc = 0;
	for (int i = 0; i < self; i++)
		if (r->caches[i].live && r->caches[i].cache == s) {
			*g = r->caches[i].geom;
			*kmalloc = r->caches[i].kmalloc;
			return i;
		}
	for (unsigned int cls = 8; cls <= GEOM_KMALLOC_MAX; cls = next_class(cls))
		for (int dma = 0; dma < 2; dma++)
			if (kmalloc_slab(r->m, cls, dma ? __GFP_DMA : 0) == s) {
				slab_geom_kmalloc(g, cls, dma, debug_flags(r), r->topo.max_order);
				*kmalloc = (int)cls;
				return -1;
			}
	return -2;
}

static bool mergeable_flags(unsigned int flags, bool ctor)
{
	return !ctor && !(flags & (SLAB_NO_MERGE | SLAB_DEBUG_FLAGS));
}

/* The kernel's merge rule: the stride holds the request aligned as asked
 * (SLAB_HWCACHE_ALIGN included), is a multiple of that alignment, wastes
 * less than a pointer; same DMA flag; neither side has a ctor, a debug
 * flag or SLAB_NO_MERGE. */
static bool merge_fits(const struct slab_geom *want, size_t size, const struct slab_geom *g)
{
	unsigned int need = (unsigned int)((size + want->align - 1) / want->align * want->align);

	return mergeable_flags(g->flags, false) &&
	       (g->flags & SLAB_CACHE_DMA) == (want->flags & SLAB_CACHE_DMA) && g->size >= need &&
	       g->size % want->align == 0 && g->size - need < 8 && g->align % want->align == 0;
}

/* Some cache the create could merge into exists. */
static bool merge_candidate(struct run *r, int h, const struct slab_geom *want, size_t size,
			    bool ctor)
{
	bool dma = (want->flags & SLAB_CACHE_DMA) != 0;
	struct slab_geom g;

	if (!mergeable_flags(want->flags, ctor))
		return false;
	for (int i = 0; i < h; i++)
		if (r->caches[i].live && !r->caches[i].ctor &&
		    merge_fits(want, size, &r->caches[i].geom))
			return true;
	if (dma && machine_stage(r->m) < STAGE_SLAB_UP)
		return false;
	for (unsigned int cls = 8; cls <= GEOM_KMALLOC_MAX; cls = next_class(cls)) {
		slab_geom_kmalloc(&g, cls, dma, debug_flags(r), r->topo.max_order);
		if (g.ok && merge_fits(want, size, &g))
			return true;
	}
	return false;
}

/* SLAB's defaults by stride (docs/slab.md), sized at STAGE_SLAB_UP. */
static void default_tunables(const struct run *r, const struct cache_h *c, unsigned int *limit,
			     unsigned int *batch, unsigned int *shared)
{
	unsigned int size = c->geom.size;

	if (machine_stage(r->m) < STAGE_SLAB_UP) {
		*limit = *batch = 1;
		*shared = 0;
		return;
	}
	*limit = size > GEOM_PAGE_SIZE ? 8 : size > 1024 ? 24 : size > 256 ? 54 : 120;
	*batch = (*limit + 1) / 2;
	*shared = r->topo.nr_cpus > 1 && size <= GEOM_PAGE_SIZE ? 8 : 0;
}

static void tunables_of(const struct run *r, const struct cache_h *c, unsigned int *limit,
			unsigned int *batch, unsigned int *shared)
{
	if (c->tuned && (!c->tuned_early || machine_stage(r->m) < STAGE_SLAB_UP)) {
		*limit = c->limit;
		*batch = c->batch;
		*shared = c->shared;
		return;
	}
	default_tunables(r, c, limit, batch, shared);
}

static void tunables_copy(struct cache_h *to, const struct cache_h *from)
{
	to->tuned = from->tuned;
	to->tuned_early = from->tuned_early;
	to->limit = from->limit;
	to->batch = from->batch;
	to->shared = from->shared;
	to->tuned_at = from->tuned_at;
	to->relax_batch = from->relax_batch;
}

/* Tunables of a core cache changed: every handle of it sees them. */
static void tunables_set(struct run *r, int h, unsigned int limit, unsigned int batch,
			 unsigned int shared)
{
	struct cache_h t = { .tuned = true, .limit = limit, .batch = batch, .shared = shared };
	unsigned int ol, ob, os;

	tunables_of(r, &r->caches[h], &ol, &ob, &os);
	t.relax_batch = r->caches[h].relax_batch > ob ? r->caches[h].relax_batch : ob;
	if (t.relax_batch <= batch)
		t.relax_batch = 0;
	t.tuned_early = machine_stage(r->m) < STAGE_SLAB_UP;
	t.tuned_at = r->op_index + 1;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++)
		if (r->caches[i].live && r->caches[i].cache == r->caches[h].cache)
			tunables_copy(&r->caches[i], &t);
}

/*
 * The layout of a new cache, or the checks of a merge: the cache merged
 * into takes no ctor, no debug flag and no SLAB_NO_MERGE, has the same DMA
 * flag, a stride that holds the object, and an alignment (and stride) that
 * is a multiple of the alignment asked for, SLAB_HWCACHE_ALIGN included.
 * The merged object size is the larger of the two.
 */
static void cache_shadow(struct run *r, int h, const struct slab_geom *want)
{
	struct cache_h *c = &r->caches[h];
	struct slab_geom g;
	int kmalloc, k = known_cache(r, h, c->cache, &g, &kmalloc), dead = -1;

	if (k == -2) {
		if (!want->ok)
			run_fail(r, "HARNESS: kmem_cache_create result differs from the shadow",
				 "c%d: a cache of %zu bytes fits no slab of order < %u, created", h,
				 c->size, r->topo.max_order);
		c->geom = *want;
		c->owner = h;
		return;
	}
	if (!mergeable_flags(want->flags, c->ctor) || (k >= 0 && r->caches[k].ctor) ||
	    (g.flags & (SLAB_NO_MERGE | SLAB_DEBUG_FLAGS)) ||
	    (g.flags & SLAB_CACHE_DMA) != (want->flags & SLAB_CACHE_DMA) || g.size < c->size ||
	    g.align % want->align || g.size % want->align)
		run_fail(r, "HARNESS: cache merged into an incompatible cache",
			 "c%d (size %zu align %u flags %#x%s) merged into %s (stride %u align %u flags %#x)",
			 h, c->size, want->align, want->flags, c->ctor ? " ctor" : "",
			 kmem_cache_name(c->cache), g.size, g.align, g.flags);
	if (g.object_size < c->size)
		g.object_size = (unsigned int)c->size;
	c->geom = g;
	c->kmalloc = kmalloc;
	c->owner = k >= 0 ? r->caches[k].owner : -1;
	c->alias = machine_stage(r->m) >= STAGE_SLAB_UP;
	/* Tunes of the cache through another handle (a kmalloc cache too).
	 * A kmalloc cache outlives its aliases: with none live, the latest
	 * tune through one gone stays. */
	for (int i = 0; i < h; i++) {
		if (r->caches[i].cache != c->cache)
			continue;
		if (r->caches[i].live) {
			tunables_copy(c, &r->caches[i]);
			r->caches[i].geom.object_size = g.object_size;
			dead = -2;
		} else if (kmalloc > 0 && dead != -2 && r->caches[i].tuned_at &&
			   (dead < 0 || r->caches[i].tuned_at > r->caches[dead].tuned_at)) {
			dead = i;
		}
	}
	if (dead >= 0)
		tunables_copy(c, &r->caches[dead]);
}

/*
 * The memory rule of the create oracles below: an order-3 block free above
 * the low watermark, for GFP_KERNEL | __GFP_THISNODE, on every node with
 * normal memory (more than the cache's structure and its per-node
 * structures, one on each such node, take; a node without normal memory
 * gets none, and a cpu there allocates from its nearest node with it).
 * Memory on some node is not enough: a node's structure comes from that
 * node, and objects an earlier create freed may sit in another cpu's queue
 * (regression slab_create_dup_name_node_memory).
 */
static bool create_memory_everywhere(struct run *r, char *why, size_t len)
{
	gfp_t eff = (GFP_KERNEL | __GFP_THISNODE) & machine_gfp_allowed_mask(r->m);

	for (unsigned int nid = 0; nid < r->topo.nr_nodes; nid++)
		if (run_node_has_normal(r, (int)nid) &&
		    !page_block_available(r, eff, 3, (int)nid, why, len))
			return false;
	return true;
}

/*
 * A new cache (no merge) under the name of a live alias cannot have its
 * directory: the create fails with sysfs's duplicate-name WARN. Its NULL
 * without the WARN is a finding when fault injection is off and memory
 * was there for the cache's structures (create_memory_everywhere), so the
 * create got as far as the name.
 */
static void dup_name_check(struct run *r, int h, const char *name)
{
	static const char title[] = "WARNING: sysfs: cannot create duplicate filename";
	char why[160];

	if (machine_stage(r->m) < STAGE_SLAB_UP || alias_owner(r, h, name) < 0 || r->in_hook ||
	    r->failslab_on || r->fail_page_on || run_seen(r, title))
		return;
	if (create_memory_everywhere(r, why, sizeof(why)))
		run_fail(r, "HARNESS: duplicate sysfs name not reported",
			 "c%d = %s: NULL without '%s' (the name is c%d's alias); memory on "
			 "every node (last: %s)", h, name, title, alias_owner(r, h, name), why);
}

/*
 * A new cache (no merge by the shadow) with valid arguments, a geometry
 * that fits the machine's orders and a name neither listed nor an alias
 * came back NULL: with fault injection off and memory for its structures
 * (create_memory_everywhere), that is a finding.
 */
static void create_null_check(struct run *r, int h, const char *name,
			      const struct slab_geom *want)
{
	char why[160];

	if (!want->ok || alias_owner(r, h, name) >= 0 || r->in_hook || r->failslab_on ||
	    r->fail_page_on || !create_memory_everywhere(r, why, sizeof(why)))
		return;
	run_fail(r, "HARNESS: kmem_cache_create result differs from the shadow",
		 "c%d = %s size %zu align %u flags %#x: NULL with memory on every node and no "
		 "fault injection", h, name, r->caches[h].size, r->caches[h].align, want->flags);
}

/*
 * The sched point a slab entry point passes on its way (create, destroy,
 * shrink, and tune once per cpu) counted by the harness's hook over the
 * call: the kernel may preempt there, the injected interrupts and the
 * interleavings depend on it, so a call passes it exactly as often as
 * documented (core/include/slabfuzz/machine.h).
 */
static void expect_sched_points(struct run *r, enum sched_point sp, unsigned long before,
				unsigned long want, const char *call)
{
	unsigned long got = r->sched_seen[sp] - before;

	if (got != want)
		run_fail(r, "HARNESS: slab call passed its sched point a wrong number of times",
			 "%s passed %s %lu times, expected %lu", call, sched_point_name(sp), got,
			 want);
}

static void cache_create(struct run *r, const struct sf_op *op)
{
	struct cache_h *c = &r->caches[op->result];
	const char *name = cache_name_of[op->arg[0]];
	unsigned int f = op->arg[3], align = align_of[op->arg[2]];
	unsigned int flags = 0;
	struct kmem_cache *s;
	struct slab_geom want;
	bool must_fail, merge;
	unsigned long full, incremental;
	unsigned long points;

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
		if (r->caches[i].cache && !strcmp(cache_name_of[r->caches[i].name], name))
			run_expect(r, "WARNING: sysfs: cannot create duplicate filename");
	if (op->arg[0] == 4 || op->arg[0] == 5)
		run_expect(r, "WARNING: sysfs: cannot create duplicate filename");
	/* The shadow's prediction: refused for a bad argument, in interrupt
	 * context or a name on the cache list; a merge needs no memory. */
	c->size = op->arg[1];
	c->align = align & (align - 1) ? 0 : align;
	c->ctor = (f & PF_CTOR) != 0;
	slab_geom_compute(&want, op->arg[1], c->align, flags, c->ctor, debug_flags(r),
			  r->topo.max_order);
	must_fail = !op->arg[1] || (align & (align - 1)) || run_cpu(r)->irq_depth ||
		    name_is_cache(r, op->result, name);
	merge = merge_candidate(r, op->result, &want, op->arg[1], c->ctor);
	points = r->sched_seen[SP_SLAB_CREATE];
	s = kmem_cache_create(r->m, name, op->arg[1], align, flags,
			      (f & PF_CTOR) ? ctor_fn : NULL);
	run_after_call(r);
	/* Past the argument checks (a size, a power-of-two alignment, not in
	 * an interrupt) it passes SP_SLAB_CREATE once, merged or not. */
	expect_sched_points(r, SP_SLAB_CREATE, points,
			    op->arg[1] && !(align & (align - 1)) && !run_cpu(r)->irq_depth,
			    "kmem_cache_create");
	if (r->o->test_slab_result)
		r->o->test_slab_result(r->m, "kmem_cache_create", (void **)&s, op->arg[1]);
	r->slab_used = true;
	if (s && must_fail)
		run_fail(r, "HARNESS: kmem_cache_create result differs from the shadow",
			 "c%d = %s size %u align %u: created, the shadow says refused", op->result,
			 name, op->arg[1], align);
	if (s && !must_fail && !merge && !want.ok)
		run_fail(r, "HARNESS: kmem_cache_create result differs from the shadow",
			 "c%d = %s size %u align %u flags %#x: created, the shadow says no slab "
			 "order below max_order %u holds an object",
			 op->result, name, op->arg[1], align, flags, r->topo.max_order);
	/* No layout fits: refused before the name is registered, no WARN. */
	if (!s && !must_fail && !merge && want.ok) {
		dup_name_check(r, op->result, name);
		create_null_check(r, op->result, name, &want);
	}
	if (!s && !must_fail && merge && !failslab_stats(r->m).failures)
		run_fail(r, "HARNESS: kmem_cache_create result differs from the shadow",
			 "c%d = %s size %u align %u flags %#x: NULL, the shadow has a cache to "
			 "merge into",
			 op->result, name, op->arg[1], align, flags);
	if (!s)
		return;
	c->cache = s;
	c->flags = f;
	cache_shadow(r, op->result, &want);
	check_stats(r->m, &full, &incremental);
	c->made_at_check = full + incremental;
	if (c->owner == op->result && machine_stage(r->m) >= STAGE_SLAB_UP &&
	    alias_owner(r, op->result, name) >= 0)
		run_fail(r, "HARNESS: kmem_cache_create result differs from the shadow",
			 "c%d = %s: a new cache under a registered alias name", op->result, name);
	c->live = true;
	if (kmem_cache_size(s) < op->arg[1] && !(f & PF_CTOR))
		run_fail(r, "HARNESS: cache object size smaller than asked", "c%d: %zu < %u",
			 op->result, kmem_cache_size(s), op->arg[1]);
}

static char attr_buf[4096];	/* what an attribute read returns */

static void cache_destroy(struct run *r, unsigned int h)
{
	struct cache_h *c = &r->caches[h];
	unsigned long points;
	bool gone;

	if (!c->live)
		return;
	/* The last reference with objects live would be the caller's bug. */
	for (unsigned int i = 0; i < obj_limit(r); i++)
		if (r->objs[i].live && r->objs[i].cache >= 0 &&
		    r->caches[r->objs[i].cache].cache == c->cache)
			return;
	c->live = false;
	expect_ctx(r);
	points = r->sched_seen[SP_SLAB_DESTROY];
	kmem_cache_destroy(r->m, c->cache);
	run_after_call(r);
	if (r->o->test_slab_ret)
		(void)r->o->test_slab_ret(r->m, "kmem_cache_destroy", 0);
	gone = c->owner >= 0 && !cache_alive(r, (int)h);
	/* SP_SLAB_DESTROY once when the last reference goes, else never. */
	expect_sched_points(r, SP_SLAB_DESTROY, points, gone, "kmem_cache_destroy");
	/* The last handle of a cache the program made: the cache is gone,
	 * with its directory and aliases (its address may come back): a read
	 * of any of its names is -ENOENT, as for a name never registered. */
	if (!gone)
		return;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++) {
		const char *name = cache_name_of[r->caches[i].name];
		long ret;

		/* (a handle gone before named an earlier cache at this address) */
		if (r->caches[i].cache != c->cache || r->caches[i].gone)
			continue;
		r->caches[i].gone = true;
		if (machine_stage(r->m) < STAGE_SLAB_UP)
			continue;
		run_expect_clear(r);
		ret = slab_attr_show(r->m, name, "object_size", attr_buf, sizeof(attr_buf));
		run_after_call(r);
		if (ret != -ENOENT)
			run_fail(r, "HARNESS: slab sysfs directory differs from the shadow",
				 "%s (c%u) destroyed: its object_size still reads %ld, not -ENOENT",
				 name, i, ret);
	}
}

/* A valid tune (kmem_cache_tune or a tunable's attribute store) may fail
 * with -ENOMEM only when failslab failed one of its new arrays during the
 * call (injected: failslab's failures before it); the tunables then stay
 * the shadow's. */
static bool tune_failed_by_failslab(struct run *r, int ret, unsigned long injected)
{
	return ret == -ENOMEM && failslab_stats(r->m).failures > injected;
}

/*
 * Tune within the documented limits is accepted (0), outside refused; a
 * valid tune may fail with -ENOMEM only when failslab failed one of its
 * new arrays (and then changes nothing: the tunables stay the shadow's).
 */
static void cache_tune(struct run *r, unsigned int h, unsigned int limit, unsigned int batch,
		       unsigned int shared)
{
	bool valid = limit >= 1 && limit <= SLAB_LIMIT_MAX && batch >= 1 && batch <= limit &&
		     batch <= SLAB_BATCH_MAX && shared <= SLAB_SHARED_MAX;
	unsigned long injected = failslab_stats(r->m).failures;
	unsigned long points = r->sched_seen[SP_SLAB_RESIZE];
	int ret, core_ret;

	expect_ctx(r);
	ret = kmem_cache_tune(r->m, r->caches[h].cache, limit, batch, shared);
	run_after_call(r);
	core_ret = ret;
	if (r->o->test_slab_ret)
		ret = r->o->test_slab_ret(r->m, "kmem_cache_tune", ret);
	/* A queue replaced per cpu, each at SP_SLAB_RESIZE; none when refused. */
	expect_sched_points(r, SP_SLAB_RESIZE, points, core_ret ? 0 : r->topo.nr_cpus,
			    "kmem_cache_tune");
	if (valid && tune_failed_by_failslab(r, ret, injected))
		return;
	if ((ret == 0) != valid)
		run_fail(r, "HARNESS: kmem_cache_tune result differs from the shadow",
			 "c%u limit %u batch %u shared %u: %d", h, limit, batch, shared, ret);
	if (!ret)
		tunables_set(r, (int)h, limit, batch, shared);
}

/* Live objects the program holds in handle h's core cache, in all and
 * (nr, if not NULL) by the node of their page in the harness's topology. */
static unsigned long objects_by_node(const struct run *r, int h, unsigned long *nr)
{
	const struct cache_h *c = &r->caches[h];
	unsigned long n = 0;

	if (nr)
		memset(nr, 0, SF_MAX_NODES * sizeof(*nr));
	for (unsigned int i = 0; i < obj_limit(r); i++) {
		const struct obj_h *o = &r->objs[i];
		int nid;

		if (!o->live)
			continue;
		if (!(o->cache >= 0 ? r->caches[o->cache].cache == c->cache :
				      c->owner < 0 && o->kclass == (unsigned int)c->kmalloc &&
					      o->dma == ((c->flags & PF_DMA) != 0)))
			continue;
		n++;
		if (!nr)
			continue;
		nid = run_pfn_node(r, page_to_pfn(r->m, virt_to_page(r->m, o->ptr)));
		if (nid >= 0 && nid < SF_MAX_NODES)
			nr[nid]++;
	}
	return n;
}

static unsigned long objects_in(const struct run *r, int h)
{
	return objects_by_node(r, h, NULL);
}

enum attr_id {
	AT_OBJECT_SIZE, AT_SLAB_SIZE, AT_OBJS_PER_SLAB, AT_ORDER, AT_OBJECTS, AT_TOTAL_OBJECTS,
	AT_SLABS, AT_PARTIAL, AT_CPU_QUEUE_SIZE, AT_BATCH, AT_SHARED, AT_ALIEN, AT_ALIASES,
	AT_ALIGN, AT_CACHE_DMA, AT_SANITY, AT_RED_ZONE, AT_POISON, AT_STORE_USER, AT_VALIDATE,
	AT_SHRINK, AT_NONE, NR_ATTR_IDS
};
static const char *const attrs[NR_ATTR_IDS] = {
	"object_size", "slab_size", "objs_per_slab", "order", "objects",
	"total_objects", "slabs", "partial", "cpu_queue_size", "batch", "shared",
	"alien", "aliases", "align", "cache_dma", "sanity_checks", "red_zone",
	"poison", "store_user", "validate", "shrink", "no_such_attr"
};

/*
 * A counter attribute reads as SLUB formats it: the total, then " N<node>=<n>"
 * for each node with a nonzero count, nodes ascending and below nr_nodes,
 * the parts summing to the total, a newline ending the text at its
 * length. Each node's part is returned in nr.
 */
static bool attr_is_counter(const char *attr)
{
	static const char *const counters[] = { "objects", "total_objects", "slabs", "partial",
						"objects_partial" };

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (!strcmp(attr, counters[i]))
			return true;
	return false;
}

static void attr_counter_text(struct run *r, const char *dir, const char *attr, long len,
			      unsigned long nr[SF_MAX_NODES])
{
	const char *p = attr_buf, *why = NULL;
	unsigned long total, sum = 0;
	unsigned int next = 0;
	char *end;

	memset(nr, 0, SF_MAX_NODES * sizeof(*nr));
	total = strtoul(p, &end, 10);
	if (end == p)
		why = "no total";
	for (p = end; !why && *p == ' '; p = end) {
		unsigned long nid, n;

		if (p[1] != 'N') {
			why = "a part not N<node>=";
			break;
		}
		nid = strtoul(p + 2, &end, 10);
		if (end == p + 2 || *end != '=' || nid < next || nid >= r->topo.nr_nodes) {
			why = "a node out of order or range";
			break;
		}
		p = end + 1;
		n = strtoul(p, &end, 10);
		if (end == p || !n) {
			why = "a node part empty or zero";
			break;
		}
		nr[nid] = n;
		sum += n;
		next = (unsigned int)nid + 1;
	}
	if (!why && (p[0] != '\n' || p[1] || p + 1 - attr_buf != len))
		why = "not ended by one newline at its length";
	if (!why && sum != total)
		why = "node parts not summing to the total";
	if (why)
		run_fail(r, "HARNESS: slab attribute text malformed", "%s/%s: %s: '%.*s'", dir,
			 attr, why, (int)strcspn(attr_buf, "\n"), attr_buf);
}

static long attr_read_nodes(struct run *r, const char *dir, const char *attr, unsigned long *v,
			    unsigned long nr[SF_MAX_NODES])
{
	long ret;

	run_expect_clear(r);
	ret = slab_attr_show(r->m, dir, attr, attr_buf, sizeof(attr_buf));
	run_after_call(r);
	*v = ret > 0 ? strtoul(attr_buf, NULL, 10) : 0;
	if (ret > 0 && attr_is_counter(attr))
		attr_counter_text(r, dir, attr, ret, nr);
	return ret;
}

static long attr_read(struct run *r, const char *dir, const char *attr, unsigned long *v)
{
	unsigned long nr[SF_MAX_NODES];

	return attr_read_nodes(r, dir, attr, v, nr);
}

/* The shadow's value of an attribute; false when it has no exact one. */
static bool attr_shadow(const struct run *r, int h, enum attr_id id, unsigned long *want)
{
	const struct cache_h *c = &r->caches[h];
	const struct slab_geom *g = &c->geom;
	unsigned int t[3];

	tunables_of(r, c, &t[0], &t[1], &t[2]);
	switch (id) {
	case AT_OBJECT_SIZE: *want = g->object_size; return true;
	case AT_SLAB_SIZE: *want = g->size; return true;
	case AT_OBJS_PER_SLAB: *want = g->objects; return true;
	case AT_ORDER: *want = g->order; return true;
	case AT_OBJECTS: *want = objects_in(r, h); return true;
	case AT_CPU_QUEUE_SIZE: *want = t[0]; return true;
	case AT_BATCH: *want = t[1]; return true;
	case AT_SHARED: *want = t[2]; return true;
	case AT_ALIEN: *want = r->topo.nr_nodes == 1 ? 0 : slab_alien_walk(r->m, c->cache); return true;
	case AT_ALIASES: *want = alias_count(r, h); return true;
	case AT_ALIGN: *want = g->align; return true;
	case AT_CACHE_DMA: *want = !!(g->flags & SLAB_CACHE_DMA); return true;
	case AT_SANITY: *want = !!(g->flags & SLAB_CONSISTENCY_CHECKS); return true;
	case AT_RED_ZONE: *want = !!(g->flags & SLAB_RED_ZONE); return true;
	case AT_POISON: *want = !!(g->flags & SLAB_POISON); return true;
	case AT_STORE_USER: *want = !!(g->flags & SLAB_STORE_USER); return true;
	case AT_VALIDATE:
	case AT_SHRINK: *want = 0; return true;
	default: return false;
	}
}

/*
 * An attribute read equals the shadow: the geometry and flags, the
 * tunables, the aliases, the objects the program holds (in-use objects not
 * in a queue); the totals agree with the geometry (total_objects = slabs x
 * objs_per_slab, room for the objects held, partial <= slabs); alien the
 * objects in the alien buffers by the harness's own walk (none on one node);
 * an unknown attribute is -ENOENT.
 */
/*
 * The attribute table the core lists (slab_attr_name) holds each attribute
 * the harness knows, once, writable exactly for the tunables, validate and
 * shrink. The directory the cache's name links to (slab_sysfs_dir_name) is
 * SLUB's: the cache's own name when it never merges (a ctor, a debug flag,
 * SLAB_NO_MERGE), else ":[d-]" and its slot size in 7 digits (the harness's
 * geometry).
 */
/* Read-only attributes SLUB lists that the attribute op does not pick
 * (the op's choice of attrs[] is part of the input format). */
static const char *const attrs_listed_only[] = { "objects_partial", "hwcache_align" };

static void check_attr_listed(struct run *r, const char *attr, bool want_w)
{
	unsigned int found = 0;
	bool w = false, wi;
	const char *name;

	for (unsigned int i = 0; (name = slab_attr_name(i, &wi)); i++) {
		if (strcmp(name, attr))
			continue;
		found++;
		w = wi;
	}
	if (found != 1 || w != want_w)
		run_fail(r, "HARNESS: slab attribute table differs from the shadow",
			 "%s: listed %u times, %swritable", attr, found, w ? "" : "not ");
}

static void check_attr_table(struct run *r)
{
	for (unsigned int id = 0; id < AT_NONE; id++)
		check_attr_listed(r, attrs[id], id == AT_CPU_QUEUE_SIZE || id == AT_BATCH ||
						id == AT_SHARED || id == AT_VALIDATE ||
						id == AT_SHRINK);
	for (size_t i = 0; i < sizeof(attrs_listed_only) / sizeof(attrs_listed_only[0]); i++)
		check_attr_listed(r, attrs_listed_only[i], false);
}

static void check_dir_link(struct run *r, unsigned int h, const char *dir)
{
	const struct cache_h *c = &r->caches[h];
	bool ctor = c->owner >= 0 && r->caches[c->owner].ctor;
	char want[SLAB_NAME_MAX + 16], got[SLAB_NAME_MAX + 16];
	long len;

	if (!mergeable_flags(c->geom.flags, ctor))
		snprintf(want, sizeof(want), "%s", dir);
	else
		snprintf(want, sizeof(want), ":%s%07u", (c->geom.flags & SLAB_CACHE_DMA) ? "d-" : "",
			 c->geom.size);
	len = slab_sysfs_dir_name(r->m, dir, got, sizeof(got));
	if (len < 0 || strcmp(got, want))
		run_fail(r, "HARNESS: slab sysfs directory differs from the shadow",
			 "%s (c%u): slab_sysfs_dir_name %ld '%s', shadow '%s'", dir, h, len,
			 len < 0 ? "" : got, want);
}

/*
 * With every read, the attributes the op cannot pick: hwcache_align is the
 * shadow's flag; objects_partial counts the objects in use on partial
 * slabs (queued ones included), so at least one and at most all but one
 * per partial slab.
 */
static void attr_listed_only_check(struct run *r, unsigned int h, const char *dir)
{
	const struct slab_geom *g = &r->caches[h].geom;
	unsigned long v, partial;

	if (attr_read(r, dir, "hwcache_align", &v) <= 0 ||
	    v != !!(g->flags & SLAB_HWCACHE_ALIGN))
		run_fail(r, "HARNESS: slab attribute differs from the shadow",
			 "%s/hwcache_align (c%u): %lu, shadow %d", dir, h, v,
			 !!(g->flags & SLAB_HWCACHE_ALIGN));
	(void)attr_read(r, dir, "partial", &partial);
	if (attr_read(r, dir, "objects_partial", &v) <= 0 || v < partial ||
	    v > partial * (g->objects - 1))
		run_fail(r, "HARNESS: slab attribute differs from the shadow",
			 "%s/objects_partial (c%u): %lu for %lu partial slabs of %u objects", dir,
			 h, v, partial, g->objects);
}

/* objects by node: each node's part is the objects the program holds on
 * that node's pages (the harness's topology). */
static void objects_node_check(struct run *r, unsigned int h, const char *dir,
			       const unsigned long nr[SF_MAX_NODES])
{
	unsigned long want[SF_MAX_NODES];

	objects_by_node(r, (int)h, want);
	for (unsigned int nid = 0; nid < r->topo.nr_nodes; nid++)
		if (nr[nid] != want[nid])
			run_fail(r, "HARNESS: slab attribute differs from the shadow",
				 "%s/objects (c%u): N%u=%lu, shadow %lu", dir, h, nid, nr[nid],
				 want[nid]);
}

static void attr_show_op(struct run *r, unsigned int h, unsigned int which)
{
	enum attr_id id = (enum attr_id)(which % NR_ATTR_IDS);
	const struct slab_geom *g = &r->caches[h].geom;
	char dir[SLAB_NAME_MAX];
	unsigned long v, want, slabs, nr[SF_MAX_NODES];
	long ret;

	slab_cache_name(r, (int)h, dir, sizeof(dir));
	ret = attr_read_nodes(r, dir, attrs[id], &v, nr);
	if (id == AT_OBJECTS && ret > 0)
		objects_node_check(r, h, dir, nr);
	if (id == AT_NONE) {
		if (ret != -ENOENT)
			run_fail(r, "HARNESS: slab attribute differs from the shadow",
				 "%s/%s: %ld, not -ENOENT", dir, attrs[id], ret);
		return;
	}
	/* validate and shrink read empty, as in the kernel */
	if (id == AT_VALIDATE || id == AT_SHRINK ? ret != 0 : ret <= 0)
		run_fail(r, "HARNESS: slab attribute differs from the shadow",
			 "%s/%s (c%u): show returned %ld", dir, attrs[id], h, ret);
	check_attr_table(r);
	check_dir_link(r, h, dir);
	if (r->o->test_slab_ret)
		v = (unsigned long)r->o->test_slab_ret(r->m, attrs[id], (int)v);
	if (attr_shadow(r, (int)h, id, &want) && v != want)
		run_fail(r, "HARNESS: slab attribute differs from the shadow",
			 "%s/%s (c%u): %lu, shadow %lu", dir, attrs[id], h, v, want);
	attr_listed_only_check(r, h, dir);
	if (id != AT_TOTAL_OBJECTS && id != AT_SLABS && id != AT_PARTIAL)
		return;
	(void)attr_read(r, dir, "slabs", &slabs);
	(void)attr_read(r, dir, "total_objects", &v);
	if (v != slabs * g->objects || v < objects_in(r, (int)h))
		run_fail(r, "HARNESS: slab attribute differs from the shadow",
			 "%s (c%u): total_objects %lu, slabs %lu x %u objects, %lu held", dir, h,
			 v, slabs, g->objects, objects_in(r, (int)h));
	(void)attr_read(r, dir, "partial", &v);
	if (v > slabs)
		run_fail(r, "HARNESS: slab attribute differs from the shadow",
			 "%s (c%u): partial %lu > slabs %lu", dir, h, v, slabs);
}

/* A store is accepted or refused as the shadow predicts, with the error
 * it predicts (a name sysfs has no file for -ENOENT, a read-only file
 * -EACCES, a value out of range -EINVAL); the tunables follow it. */
static void attr_store_op(struct run *r, unsigned int h, unsigned int which, unsigned int v)
{
	static const char *const wattrs[] = { "cpu_queue_size", "batch", "shared",
					      "validate", "shrink", "object_size", "nonexistent" };
	unsigned int w = which % (sizeof(wattrs) / sizeof(wattrs[0]));
	unsigned int limit, batch, shared;
	char dir[SLAB_NAME_MAX], val[16];
	int want = -EINVAL;
	unsigned long injected;
	bool ok;
	int ret;

	slab_cache_name(r, (int)h, dir, sizeof(dir));
	tunables_of(r, &r->caches[h], &limit, &batch, &shared);
	snprintf(val, sizeof(val), "%u", v);
	switch (w) {
	case 0:
		ok = v >= 1 && v <= SLAB_LIMIT_MAX;
		batch = batch > v ? v : batch;
		limit = v;
		break;
	case 1:
		ok = v >= 1 && v <= limit && v <= SLAB_BATCH_MAX;
		batch = v;
		break;
	case 2:
		ok = v <= SLAB_SHARED_MAX;
		shared = v;
		break;
	case 5:
		ok = false;	/* read-only */
		want = -EACCES;
		break;
	case 6:
		ok = false;	/* no such file */
		want = -ENOENT;
		break;
	default:
		ok = v == 1;	/* validate, shrink */
		break;
	}
	expect_ctx(r);
	injected = failslab_stats(r->m).failures;
	ret = slab_attr_store(r->m, dir, wattrs[w], val);
	run_after_call(r);
	if (r->o->test_slab_ret)
		ret = r->o->test_slab_ret(r->m, "attr_store", ret);
	/* A tunable's store is a tune. */
	if (ok && w < 3 && tune_failed_by_failslab(r, ret, injected))
		return;
	if ((ret == 0) != ok || (!ok && ret != want))
		run_fail(r, "HARNESS: slab attribute store differs from the shadow",
			 "%s/%s (c%u) = %u: %d, the shadow gives %d", dir, wattrs[w], h, v, ret,
			 ok ? 0 : want);
	if (!ret && w < 3)
		tunables_set(r, (int)h, limit, batch ? batch : 1, shared);
}

/* A kmalloc of size passes the failslab check of the kmalloc cache it
 * takes: none for size 0, a large kmalloc or a DMA one before slab_up. */
static void announce_kmalloc(struct run *r, size_t size, gfp_t gfp)
{
	bool dma = (gfp & __GFP_DMA) != 0;
	char name[SLAB_NAME_MAX];
	struct obj_expect e;

	expect_kmalloc_class(r, &e, size, dma);
	if (!size || !e.kclass || (dma && machine_stage(r->m) < STAGE_SLAB_UP)) {
		run_failslab_call(r, NULL, gfp);
		return;
	}
	kmalloc_class_name(name, sizeof(name), e.kclass, dma);
	run_failslab_call(r, name, gfp);
}

static void do_kmalloc_op(struct run *r, const struct sf_op *op, size_t size, gfp_t gfp,
			  int nid, bool zero)
{
	struct obj_expect e;
	void *p;

	expect_slab_alloc(r, gfp, true);
	announce_kmalloc(r, size, gfp);
	if (zero)
		p = call_kzalloc(r->m, size, gfp);
	else if (nid >= 0)
		p = call_kmalloc_node(r->m, size, gfp, nid);
	else
		p = call_kmalloc(r->m, size, gfp);
	expect_kmalloc_class(r, &e, size, (gfp & __GFP_DMA) != 0);
	alloc_result(r, op, p, size, &e, gfp, zero, nid);
}

/*
 * krealloc keeps the object when the new size fits its ksize; otherwise it
 * is a new kmalloc with gfp (zone modifiers honoured) holding the old
 * ksize bytes, and with __GFP_ZERO the bytes past them zeroed (the core
 * zeroes the new object before the copy; in place nothing is zeroed, as in
 * the kernel before 6.11, so the harness checks no zeroing there).
 */
static void krealloc_op(struct run *r, const struct sf_op *op)
{
	struct obj_h *old = &r->objs[op->arg[0]];
	size_t size = op->arg[1];
	gfp_t gfp = op->arg[2];
	gfp_t eff = gfp & machine_gfp_allowed_mask(r->m);
	struct obj_h saved = *old;
	uint8_t *orig = old->ptr;
	struct obj_expect e;
	void *p;

	if (!old->live)
		return;
	if (!obj_intact(old, old->ks))
		run_fail(r, "HARNESS: slab object contents changed while allocated",
			 "o%u before krealloc", op->arg[0]);
	expect_slab_alloc(r, gfp, true);
	/* The old object's free: first when it is all krealloc does, else
	 * after the new object's alloc (an interrupt may come in between). */
	if (!size)
		slab_debug_free_event(r, &saved);
	if (size && r->inj.armed)
		r->track_inexact = true;
	announce_kmalloc(r, size > saved.ks ? size : 0, gfp);
	p = call_krealloc(r->m, old->ptr, size, gfp);
	run_failslab_call_end(r, "krealloc");
	run_after_call(r);
	if (p && size && (uint8_t *)p != orig)
		slab_debug_free_event(r, &saved);
	if (!p) {
		run_expect_clear(r);
		/* The old object stays; growing needed a new kmalloc. */
		expect_kmalloc_class(r, &e, size, (gfp & __GFP_DMA) != 0);
		if (size > saved.ks)
			slab_null(r, &e, size, gfp, -1, "krealloc");
		return;
	}
	run_expect_clear(r);
	old->live = false;
	shadow_release(r, orig, saved.cache >= 0 || saved.kclass ? SH_OBJECT : SH_LARGE_KMALLOC,
		       (int)op->arg[0]);
	if (!size)
		return;	/* freed, ZERO_SIZE_PTR */
	/* ksize makes the whole object usable again (in place, krealloc
	 * poisons what is past the new size). */
	(void)ksize(r->m, p);
	saved.ptr = p;
	if (!obj_intact(&saved, saved.ks < size ? saved.ks : size))
		run_fail(r, "HARNESS: krealloc lost the contents", "o%u -> o%d", op->arg[0],
			 op->result);
	if ((uint8_t *)p == orig) {
		/* In place: still the old object, of the old one's cache. */
		if (saved.cache >= 0)
			expect_cache(r, &e, saved.cache);
		else
			expect_kmalloc_class(r, &e, saved.kclass ? saved.kclass : saved.ks,
					     saved.dma);
		if (r->o->test_slab_result)
			r->o->test_slab_result(r->m, "krealloc", &p, size);
		obj_got(r, (unsigned int)op->result, p, size, &e, 0, SIZE_MAX, NID_OLD, "krealloc");
		/* The alloc track stays the old object's. */
		r->objs[op->result].track_op = saved.track_op;
		r->objs[op->result].track_seq = saved.track_seq;
		r->objs[op->result].track_cpu = saved.track_cpu;
		r->objs[op->result].track_stage = saved.track_stage;
		return;
	}
	expect_kmalloc_class(r, &e, size, (gfp & __GFP_DMA) != 0);
	if (r->o->test_slab_result)
		r->o->test_slab_result(r->m, "krealloc", &p, size);
	obj_got(r, (unsigned int)op->result, p, size, &e, gfp,
		(eff & __GFP_ZERO) ? saved.ks : SIZE_MAX, -1, "krealloc");
}

bool slab_op(struct run *r, const struct sf_op *op)
{
	struct machine *m = r->m;
	const uint32_t *a = op->arg;
	int nid;
	unsigned long points;

	if (op->result >= 0) {
		if (sf_op_specs[op->code].result == HK_OBJ)
			memset(&r->objs[op->result], 0, sizeof(r->objs[0]));
		else
			memset(&r->caches[op->result], 0, sizeof(r->caches[0]));
	}
	/* No silent skip: a target that boots past slab_partial before its
	 * ops has a slab layer unless the boot failed and the boot oracle
	 * excused it (memory short, fault injection). */
	if (!slab_ready(r)) {
		if (r->t->prologue >= STAGE_SLAB_PARTIAL && !r->boot_excused)
			run_fail(r, "HARNESS: slab op skipped: the slab layer is not up",
				 "stage %s after a prologue to %s that reported no failure",
				 boot_stage_name(machine_stage(m)), boot_stage_name(r->t->prologue));
		return false;
	}
	switch ((enum sf_opcode)op->code) {
	case OP_CACHE_CREATE:
		cache_create(r, op);
		break;
	case OP_CACHE_DESTROY:
		cache_destroy(r, a[0]);
		break;
	case OP_CACHE_ALLOC: {
		struct cache_h *c = &r->caches[a[0]];
		char name[SLAB_NAME_MAX];
		struct obj_expect e;
		void *p;

		if (!c->live)
			return false;
		nid = a[2] >= r->topo.nr_nodes ? SF_NO_NODE : (int)a[2];
		expect_slab_alloc(r, a[1], false);
		slab_cache_name(r, (int)a[0], name, sizeof(name));
		run_failslab_call(r, name, a[1]);
		p = nid == SF_NO_NODE ? call_kmem_cache_alloc(m, c->cache, a[1]) :
					call_kmem_cache_alloc_node(m, c->cache, a[1], nid);
		expect_cache(r, &e, (int)a[0]);
		alloc_result(r, op, p, c->size, &e, a[1], false, nid == SF_NO_NODE ? -1 : nid);
		break;
	}
	case OP_CACHE_FREE:
	case OP_KFREE:
		obj_release(r, a[0], false);
		break;
	case OP_KFREE_PAGE:
	case OP_KFREE_FOREIGN:
	case OP_CACHE_FREE_WRONG:
	case OP_CACHE_FREE_INTERIOR:
	case OP_FREE_SLAB_PAGE:
	case OP_CACHE_DESTROY_AGAIN:
		return bad_free_op(r, op);
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
		struct obj_expect e;
		void *p;

		expect_slab_alloc(r, a[2], true);
		announce_kmalloc(r, (size_t)a[0] * a[1], a[2]);
		p = call_kcalloc(m, a[0], a[1], a[2]);
		expect_kmalloc_class(r, &e, (size_t)a[0] * a[1], (a[2] & __GFP_DMA) != 0);
		alloc_result(r, op, p, (size_t)a[0] * a[1], &e, a[2], true, -1);
		break;
	}
	case OP_KREALLOC:
		krealloc_op(r, op);
		break;
	case OP_CACHE_TUNE:
		if (!r->caches[a[0]].live)
			return false;
		cache_tune(r, a[0], a[1], a[2], a[3]);
		break;
	case OP_CACHE_SHRINK:
		if (!r->caches[a[0]].live)
			return false;
		expect_ctx(r);
		points = r->sched_seen[SP_SLAB_SHRINK];
		kmem_cache_shrink(m, r->caches[a[0]].cache);
		run_after_call(r);
		expect_sched_points(r, SP_SLAB_SHRINK, points, 1, "kmem_cache_shrink");
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
	case OP_ATTR_SHOW:
		if (!r->caches[a[0]].live || machine_stage(m) < STAGE_SLAB_UP)
			return false;
		attr_show_op(r, a[0], a[1]);
		break;
	case OP_ATTR_STORE:
		if (!r->caches[a[0]].live || machine_stage(m) < STAGE_SLAB_UP)
			return false;
		attr_store_op(r, a[0], a[1], a[2]);
		break;
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

/* ---- end-of-run accounting ---- */

/* Live objects the program holds in the kmalloc cache of a class. */
static unsigned long kmalloc_objects_in(const struct run *r, unsigned int cls, bool dma)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < obj_limit(r); i++) {
		const struct obj_h *o = &r->objs[i];
		const struct cache_h *c = o->cache >= 0 ? &r->caches[o->cache] : NULL;

		if (!o->live)
			continue;
		if (c ? c->owner < 0 && c->kmalloc == (int)cls && ((c->flags & PF_DMA) != 0) == dma :
			o->kclass == cls && o->dma == dma)
			n++;
	}
	return n;
}

/* The kmalloc cache of a class was used by the program (an object or a
 * cache merged into it). */
static bool kmalloc_used(const struct run *r, unsigned int cls, bool dma)
{
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++) {
		const struct cache_h *c = &r->caches[i];

		if (c->cache && c->owner < 0 && c->kmalloc == (int)cls &&
		    ((c->flags & PF_DMA) != 0) == dma)
			return true;
	}
	for (unsigned int i = 0; i < obj_limit(r); i++)
		if (r->objs[i].ptr && r->objs[i].kclass == cls && r->objs[i].dma == dma)
			return true;
	return false;
}

/*
 * Every cache the program used, by its directory: with the objects still
 * held, "objects" is exactly what the program holds; once all are freed
 * and the cache shrunk, it has no object and no slab left (a cache starts
 * empty, and nothing but the program allocates from these caches).
 */
static void account_caches(struct run *r, bool empty)
{
	char dir[SLAB_NAME_MAX];
	unsigned long v, slabs, want;

	if (machine_stage(r->m) < STAGE_SLAB_UP)
		return;
	/* struct kmem_cache_node's simulated size (docs/slab.md): 152 bytes,
	 * 8 per node on NUMA machines, 24 more with slab_debug=. */
	want = 152 + (r->topo.nr_nodes > 1 ? 8 * r->topo.nr_nodes : 0) + (debug_flags(r) ? 24 : 0);
	if (!empty && attr_read(r, "kmem_cache_node", "object_size", &v) > 0 && v != want)
		run_fail(r, "HARNESS: slab attribute differs from the shadow",
			 "kmem_cache_node object_size %lu; the documented size for %u nodes%s is "
			 "%lu", v, r->topo.nr_nodes, debug_flags(r) ? " and slab_debug" : "", want);
	for (unsigned int cls = 8; cls <= GEOM_KMALLOC_MAX; cls = next_class(cls))
		for (int dma = 0; dma < 2; dma++) {
			struct slab_geom g;

			slab_geom_kmalloc(&g, cls, dma, debug_flags(r), r->topo.max_order);
			if (!g.ok || !kmalloc_used(r, cls, dma))
				continue;
			kmalloc_class_name(dir, sizeof(dir), cls, dma);
			if (empty)
				(void)slab_attr_store(r->m, dir, "shrink", "1");
			(void)attr_read(r, dir, "objects", &v);
			(void)attr_read(r, dir, "slabs", &slabs);
			if (v != kmalloc_objects_in(r, cls, dma))
				run_fail(r, "HARNESS: slab objects unaccounted at the end of the run",
					 "%s: objects %lu, the program holds %lu", dir, v,
					 kmalloc_objects_in(r, cls, dma));
			if (empty && slabs)
				run_fail(r, "HARNESS: slab cache not empty after freeing everything",
					 "%s: %lu slabs after all objects were freed and a shrink", dir,
					 slabs);
		}
	for (unsigned int h = 0; h < r->p->nr_handles[HK_CACHE]; h++) {
		bool first = r->caches[h].live && r->caches[h].owner >= 0;

		for (unsigned int i = 0; i < h && first; i++)
			first = !r->caches[i].live || r->caches[i].cache != r->caches[h].cache;
		if (!first)
			continue;
		slab_cache_name(r, (int)h, dir, sizeof(dir));
		if (empty)
			(void)slab_attr_store(r->m, dir, "shrink", "1");
		(void)attr_read(r, dir, "objects", &v);
		(void)attr_read(r, dir, "slabs", &slabs);
		if (v != objects_in(r, (int)h))
			run_fail(r, "HARNESS: slab objects unaccounted at the end of the run",
				 "%s (c%u): objects %lu, the program holds %lu", dir, h, v,
				 objects_in(r, (int)h));
		if (empty && slabs)
			run_fail(r, "HARNESS: slab cache not empty after freeing everything",
				 "%s (c%u): %lu slabs after all objects were freed and a shrink", dir,
				 h, slabs);
	}
}

void slab_teardown(struct run *r)
{
	account_caches(r, false);
	for (unsigned int h = 0; h < obj_limit(r); h++)
		obj_release(r, h, false);
	account_caches(r, true);
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

/* The live handle whose tunables are those of the core cache of kmalloc
 * class cls (one merged into it), -1: none ever (the defaults), -2: only
 * handles gone (a tune through them is not followed). */
static int kmalloc_handle(const struct run *r, unsigned int cls, bool dma)
{
	int found = -1;

	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++) {
		const struct cache_h *c = &r->caches[i];

		if (!c->cache || c->owner >= 0 || c->kmalloc != (int)cls ||
		    ((c->flags & PF_DMA) != 0) != dma)
			continue;
		if (c->live)
			return (int)i;
		found = -2;
	}
	return found;
}

/* A slabinfo line against the shadow of cache c (geometry, tunables) and
 * the objects the program holds there. */
static void check_slabinfo_line(struct run *r, const char *line, const struct cache_h *c,
				unsigned long held)
{
	unsigned long active, num, aslabs, slabs, savail;
	unsigned int objsize, perslab, pages, limit, batch, shared, t[3];
	const struct slab_geom *g = &c->geom;
	char name[SLAB_NAME_MAX + 1];

	tunables_of(r, c, &t[0], &t[1], &t[2]);
	if (sscanf(line, "%32s %lu %lu %u %u %u : tunables %u %u %u : slabdata %lu %lu %lu", name,
		   &active, &num, &objsize, &perslab, &pages, &limit, &batch, &shared, &aslabs,
		   &slabs, &savail) != 12 ||
	    objsize != g->size || perslab != g->objects || pages != 1u << g->order ||
	    (machine_stage(r->m) >= STAGE_SLAB_UP &&
	     (limit != t[0] || batch != t[1] || shared != t[2])) || num != slabs * g->objects ||
	    active < held || active > num || aslabs > slabs)
		run_fail(r, "HARNESS: slabinfo differs from the shadow",
			 "%.160s\nthe shadow: objsize %u objperslab %u pagesperslab %u tunables %u "
			 "%u %u, num_objs = num_slabs x objperslab, active_objs >= %lu held",
			 line, g->size, g->objects, 1u << g->order, t[0], t[1], t[2], held);
}

/*
 * Before slab_partial there is no slab layer (a boot that fails on the way
 * leaves none): /proc/slabinfo is its two header lines, the version and
 * the column names, and no cache line.
 */
static void slabinfo_check_empty(struct run *r, const char *text)
{
	static const char version[] = "slabinfo - version: 2.1\n";
	const char *names = text + strlen(version), *end;

	end = strncmp(text, version, strlen(version)) ? NULL : strchr(names, '\n');
	if (!end || strncmp(names, "# name ", 7) || end[1])
		run_fail(r, "HARNESS: slabinfo differs from the shadow",
			 "stage %s, no slab layer: the dump is not the header alone:\n%.240s",
			 boot_stage_name(machine_stage(r->m)), text);
}

/*
 * The text of dump_slabinfo: the line of every cache the program made that
 * still lives and of every kmalloc class, each as the cache shadow says
 * (check_slabinfo_line; the tunables from slab_up on: a boot to slab_up
 * that failed may leave some caches tuned); other caches (the boot
 * caches) are not checked.
 */
void slab_check_slabinfo(struct run *r, const char *text)
{
	if (!slab_ready(r)) {
		slabinfo_check_empty(r, text);
		return;
	}
	for (const char *line = text; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		char name[SLAB_NAME_MAX + 1];
		struct cache_h k;
		int h = -1;

		if (*line == '#' || sscanf(line, "%32s", name) != 1)
			continue;
		for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE] && h < 0; i++)
			if (r->caches[i].live && r->caches[i].owner >= 0 &&
			    !strcmp(cache_name_of[r->caches[r->caches[i].owner].name], name))
				h = (int)i;
		if (h >= 0) {
			check_slabinfo_line(r, line, &r->caches[h], objects_in(r, h));
			continue;
		}
		for (unsigned int cls = 8; cls <= GEOM_KMALLOC_MAX; cls = next_class(cls))
			for (int dma = 0; dma < 2; dma++) {
				char want[SLAB_NAME_MAX];
				int kh;

				kmalloc_class_name(want, sizeof(want), cls, dma);
				if (strcmp(want, name))
					continue;
				kh = kmalloc_handle(r, cls, dma);
				if (kh == -2)
					continue;
				memset(&k, 0, sizeof(k));
				if (kh >= 0)
					k = r->caches[kh];
				slab_geom_kmalloc(&k.geom, cls, dma, debug_flags(r), r->topo.max_order);
				check_slabinfo_line(r, line, &k, kmalloc_objects_in(r, cls, dma));
			}
	}
}

size_t slab_dump(struct run *r, char *buf, size_t size)
{
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
	[OP_KFREE_PAGE] = slab_op,	[OP_KFREE_FOREIGN] = slab_op,
	[OP_CACHE_FREE_WRONG] = slab_op,	[OP_CACHE_FREE_INTERIOR] = slab_op,
	[OP_FREE_SLAB_PAGE] = slab_op,	[OP_CACHE_DESTROY_AGAIN] = slab_op,
};

const struct interp_module slab_module = {
	"slab", slab_op_table, slab_irq_op, slab_workload, slab_teardown, slab_check_objects,
	slab_report_check,
};
