/* SPDX-License-Identifier: MIT */
/*
 * memblock: the boot memory allocator, from machine_create until the buddy
 * allocator takes over at STAGE_BUDDY.
 *
 * Two sorted arrays of byte ranges: memory (what the topology says exists,
 * one region per node-contiguous run) and reserved (what memblock_alloc
 * handed out). Allocation is top-down first fit inside the asked node,
 * falling back to the other nodes with memory by distance, as the kernel's
 * memblock_alloc_try_nid does. The arrays live in host memory and grow by
 * doubling; the allocations themselves live in simulated memory, are
 * unpoisoned for KASAN while handed out and poisoned again when freed.
 *
 * Only the boot cpu touches memblock, before STAGE_BUDDY: no lock.
 */
#include <string.h>

#include "internal.h"

#define MEMBLOCK_INIT_REGIONS	16
#define MEMBLOCK_DEFAULT_ALIGN	8

static inline uint64_t region_end(const struct memblock_region *r)
{
	return r->base + r->size;
}

/* Make room for at least want regions. Returns 0 or -ENOMEM. */
static int memblock_reserve_slots(struct machine *m, struct memblock_type *type,
				  unsigned int want)
{
	struct memblock_region *regions;
	unsigned int max = type->max ? type->max : MEMBLOCK_INIT_REGIONS;

	if (want <= type->max)
		return 0;
	while (max < want)
		max *= 2;
	regions = host_realloc(m->arena, type->regions, (size_t)max * sizeof(*regions));
	if (!regions)
		return -ENOMEM;
	type->regions = regions;
	type->max = max;
	return 0;
}

/* First region whose base is >= base (cnt when none). */
static unsigned int memblock_lower_bound(const struct memblock_type *type, uint64_t base)
{
	unsigned int lo = 0, hi = type->cnt;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (type->regions[mid].base < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The region holding byte addr, NULL when none does. */
static const struct memblock_region *memblock_search(const struct memblock_type *type,
						     uint64_t addr)
{
	unsigned int idx = memblock_lower_bound(type, addr + 1);
	const struct memblock_region *r;

	/* idx is the first region starting past addr: the candidate is before it. */
	if (idx == 0)
		return NULL;
	r = &type->regions[idx - 1];
	return addr < region_end(r) ? r : NULL;
}

/*
 * Add [base, base + size) of node nid to type, merging with neighbours of
 * the same node it touches. The range must not overlap an existing region.
 * Returns 0 or -ENOMEM.
 */
static int memblock_add_range(struct machine *m, struct memblock_type *type, uint64_t base,
			      uint64_t size, int nid)
{
	unsigned int idx = memblock_lower_bound(type, base);
	struct memblock_region *prev = idx > 0 ? &type->regions[idx - 1] : NULL;
	struct memblock_region *next = idx < type->cnt ? &type->regions[idx] : NULL;
	bool merge_prev = prev && region_end(prev) == base && prev->nid == nid;
	bool merge_next = next && base + size == next->base && next->nid == nid;

	SF_BUG_ON(prev && region_end(prev) > base);
	SF_BUG_ON(next && base + size > next->base);
	if (merge_prev && merge_next) {
		prev->size += size + next->size;
		memmove(next, next + 1, (type->cnt - idx - 1) * sizeof(*next));
		type->cnt--;
	} else if (merge_prev) {
		prev->size += size;
	} else if (merge_next) {
		next->base = base;
		next->size += size;
	} else {
		if (memblock_reserve_slots(m, type, type->cnt + 1))
			return -ENOMEM;
		memmove(&type->regions[idx + 1], &type->regions[idx],
			(type->cnt - idx) * sizeof(type->regions[0]));
		type->regions[idx] = (struct memblock_region){ base, size, nid };
		type->cnt++;
	}
	return 0;
}

/*
 * Remove [base, base + size) from type, splitting the regions at its ends.
 * Returns 0, -ENOENT when some byte of the range is not in type (nothing
 * changed), or -ENOMEM.
 */
static int memblock_remove_range(struct machine *m, struct memblock_type *type, uint64_t base,
				 uint64_t size)
{
	uint64_t end = base + size;
	struct memblock_region keep[2];
	unsigned int first, last, nkeep = 0, nold;
	uint64_t pos = base;
	const struct memblock_region *r = memblock_search(type, base);

	if (!r || end < base)
		return -ENOENT;
	first = (unsigned int)(r - type->regions);
	/* The range must be covered without a gap. */
	for (last = first; ; last++) {
		if (last >= type->cnt || type->regions[last].base > pos)
			return -ENOENT;
		pos = region_end(&type->regions[last]);
		if (pos >= end)
			break;
	}
	if (type->regions[first].base < base)
		keep[nkeep++] = (struct memblock_region){
			type->regions[first].base, base - type->regions[first].base,
			type->regions[first].nid };
	if (region_end(&type->regions[last]) > end)
		keep[nkeep++] = (struct memblock_region){
			end, region_end(&type->regions[last]) - end, type->regions[last].nid };
	nold = last - first + 1;
	if (nkeep > nold && memblock_reserve_slots(m, type, type->cnt + nkeep - nold))
		return -ENOMEM;
	memmove(&type->regions[first + nkeep], &type->regions[last + 1],
		(type->cnt - last - 1) * sizeof(type->regions[0]));
	memcpy(&type->regions[first], keep, nkeep * sizeof(keep[0]));
	type->cnt = type->cnt - nold + nkeep;
	return 0;
}

int memblock_init(struct machine *m)
{
	struct memblock *mb = &m->memblock;

	memset(mb, 0, sizeof(*mb));
	if (memblock_reserve_slots(m, &mb->memory, m->topo.nr_ranges) ||
	    memblock_reserve_slots(m, &mb->reserved, MEMBLOCK_INIT_REGIONS))
		goto free_arrays;
	for (unsigned int i = 0; i < m->topo.nr_ranges; i++) {
		const struct sf_mem_range *r = &m->topo.ranges[i];

		if (memblock_add_range(m, &mb->memory, PFN_PHYS(r->start_pfn),
				       PFN_PHYS(r->end_pfn - r->start_pfn), r->node))
			goto free_arrays;
	}
	return 0;

free_arrays:
	memblock_release(m);
	return -ENOMEM;
}

void memblock_release(struct machine *m)
{
	host_free(m->arena, m->memblock.memory.regions);
	host_free(m->arena, m->memblock.reserved.regions);
	memset(&m->memblock, 0, sizeof(m->memblock));
}

void memblock_retire(struct machine *m)
{
	m->memblock.retired = true;
}

/* Highest align-aligned start of size bytes inside [lo, hi), if any. */
static bool fit_top_down(uint64_t lo, uint64_t hi, uint64_t size, uint64_t align,
			 uint64_t *out)
{
	uint64_t cand;

	if (hi <= lo || hi - lo < size)
		return false;
	cand = (hi - size) & ~(align - 1);
	if (cand < lo)
		return false;
	*out = cand;
	return true;
}

/* Top-down first fit in the memory of node nid, between reservations. */
static bool memblock_find_in_node(struct memblock *mb, int nid, uint64_t size, uint64_t align,
				  uint64_t *out)
{
	const struct memblock_type *rsv = &mb->reserved;

	for (unsigned int i = mb->memory.cnt; i-- > 0;) {
		const struct memblock_region *r = &mb->memory.regions[i];
		uint64_t lo = r->base, hi = region_end(r);
		unsigned int j = memblock_lower_bound(rsv, hi);

		if (r->nid != nid)
			continue;
		/* Reservations below hi, from the top: each ends a free gap. */
		while (j-- > 0 && hi > lo) {
			const struct memblock_region *rr = &rsv->regions[j];

			if (region_end(rr) <= lo)
				break;
			if (fit_top_down(region_end(rr) > lo ? region_end(rr) : lo, hi, size, align,
					 out))
				return true;
			hi = rr->base;
		}
		if (fit_top_down(lo, hi, size, align, out))
			return true;
	}
	return false;
}

static int memblock_region_nid(struct memblock *mb, uint64_t phys)
{
	const struct memblock_region *r = memblock_search(&mb->memory, phys);

	return r ? r->nid : SF_NO_NODE;
}

static void *memblock_alloc_common(struct machine *m, size_t size, size_t align, int nid,
				   bool zero)
{
	struct memblock *mb = &m->memblock;
	struct report_ctx ctx = { "memblock_alloc", nid, -1, -1 };
	int order[SF_MAX_NODES];
	int nr;
	uint64_t phys;
	void *virt;

	if (mb->retired) {
		report(m, SF_REPORT_WARN, "WARNING: memblock allocation after buddy is up", &ctx,
		       "memblock_alloc(size %zu, align %zu, nid %d) at stage %s: boot memory\n"
		       "was handed to the buddy allocator; use alloc_pages or kmalloc\n",
		       size, align, nid, boot_stage_name(m->stage));
		return NULL;
	}
	if (align == 0)
		align = MEMBLOCK_DEFAULT_ALIGN;
	if (align & (align - 1)) {
		report(m, SF_REPORT_WARN, "WARNING: memblock allocation with bad alignment", &ctx,
		       "memblock_alloc(size %zu, align %zu): align is not a power of two\n",
		       size, align);
		return NULL;
	}
	if (nid != SF_NO_NODE && (nid < 0 || (unsigned int)nid >= m->topo.nr_nodes)) {
		report(m, SF_REPORT_WARN, "WARNING: memblock allocation on invalid node", &ctx,
		       "memblock_alloc(size %zu, nid %d): the machine has %u nodes\n", size, nid,
		       m->topo.nr_nodes);
		return NULL;
	}
	if (size == 0)
		return NULL;
	if (should_fail(&m->fail_page_alloc, 0, 0, NULL))
		return NULL;
	if (nid == SF_NO_NODE)
		nid = cpu_to_mem(m, smp_processor_id(m));
	if (nid == SF_NO_NODE)
		return NULL;
	/* The node itself first when it has memory, then by distance. */
	nr = nodes_by_distance(m, nid, order, true);
	for (int i = 0; i < nr; i++) {
		if (!memblock_find_in_node(mb, order[i], size, align, &phys))
			continue;
		if (memblock_add_range(m, &mb->reserved, phys, size, memblock_region_nid(mb, phys)))
			return NULL;
		mb->allocated_bytes += size;
		virt = phys_to_virt(m, phys);
		memory_hand_out(m, virt, size, true);
		if (zero)
			memset(virt, 0, size);
		return virt;
	}
	return NULL;
}

void *memblock_alloc_node(struct machine *m, size_t size, size_t align, int nid)
{
	return memblock_alloc_common(m, size, align, nid, true);
}

void *memblock_alloc_node_raw(struct machine *m, size_t size, size_t align, int nid)
{
	return memblock_alloc_common(m, size, align, nid, false);
}

void *memblock_alloc(struct machine *m, size_t size, size_t align)
{
	return memblock_alloc_node(m, size, align, SF_NO_NODE);
}

void memblock_free(struct machine *m, void *ptr, size_t size)
{
	struct memblock *mb = &m->memblock;
	const uint8_t *p = ptr;
	uint64_t phys;
	struct report_ctx ctx = REPORT_CTX_NONE("memblock_free");
	int ret;

	if (!ptr || size == 0)
		return;
	if (p < m->mem_base || p >= m->mem_base + m->mem_size ||
	    size > (size_t)(m->mem_base + m->mem_size - p)) {
		ret = -ENOENT;
		phys = 0;
	} else {
		phys = virt_to_phys(m, ptr);
		ctx.pfn = (int64_t)PHYS_PFN(phys);
		ctx.node = memblock_region_nid(mb, phys);
		ret = memblock_remove_range(m, &mb->reserved, phys, size);
	}
	if (ret == -ENOENT) {
		report(m, SF_REPORT_WARN, "WARNING: memblock_free of unreserved memory", &ctx,
		       "memblock_free(%p, size %zu): phys %#llx..%#llx is not wholly reserved\n",
		       ptr, size, (unsigned long long)phys, (unsigned long long)(phys + size));
		return;
	}
	if (ret)
		return;		/* host out of memory splitting a region: leak it */
	mb->allocated_bytes -= size;
	mb->freed_late |= mb->retired;
	kasan_poison(ptr, size);
}

/* ---- queries for the page allocator ---- */

bool memblock_is_memory_pfn(struct machine *m, pfn_t pfn)
{
	return memblock_search(&m->memblock.memory, PFN_PHYS(pfn)) != NULL;
}

bool memblock_is_reserved_pfn(struct machine *m, pfn_t pfn)
{
	const struct memblock_type *rsv = &m->memblock.reserved;
	unsigned int idx = memblock_lower_bound(rsv, PFN_PHYS(pfn + 1));

	/* The last reservation starting inside or before the page decides. */
	return idx > 0 && region_end(&rsv->regions[idx - 1]) > PFN_PHYS(pfn);
}

struct free_range_walk {
	pfn_t start, end;	/* pending range, empty when start == end */
	int nid;
	memblock_range_fn fn;
	void *arg;
};

static void free_range_emit(struct machine *m, struct free_range_walk *w, uint64_t lo,
			    uint64_t hi, int nid)
{
	/* Only whole pages: round the free bytes inwards. */
	pfn_t start = PHYS_PFN(lo + PAGE_SIZE - 1), end = PHYS_PFN(hi);

	if (start >= end)
		return;
	if (w->start < w->end && w->end == start && w->nid == nid) {
		w->end = end;
		return;
	}
	if (w->start < w->end)
		w->fn(m, w->start, w->end, w->nid, w->arg);
	w->start = start;
	w->end = end;
	w->nid = nid;
}

void memblock_for_each_free_range(struct machine *m, memblock_range_fn fn, void *arg)
{
	const struct memblock *mb = &m->memblock;
	const struct memblock_type *rsv = &mb->reserved;
	struct free_range_walk w = { 0, 0, SF_NO_NODE, fn, arg };
	unsigned int j = 0;

	for (unsigned int i = 0; i < mb->memory.cnt; i++) {
		const struct memblock_region *r = &mb->memory.regions[i];
		uint64_t lo = r->base, hi = region_end(r);

		while (j < rsv->cnt && region_end(&rsv->regions[j]) <= lo)
			j++;
		for (unsigned int k = j; k < rsv->cnt && rsv->regions[k].base < hi; k++) {
			const struct memblock_region *rr = &rsv->regions[k];

			if (rr->base > lo)
				free_range_emit(m, &w, lo, rr->base, r->nid);
			if (region_end(rr) > lo)
				lo = region_end(rr);
		}
		if (lo < hi)
			free_range_emit(m, &w, lo, hi, r->nid);
	}
	if (w.start < w.end)
		fn(m, w.start, w.end, w.nid, arg);
}

/* ---- validator ---- */

static bool memblock_type_is_valid(const struct machine *m, const struct memblock_type *type,
				   const char *name, char *why, size_t len)
{
	if (type->cnt > type->max) {
		snprintf(why, len, "memblock.%s: cnt %u > max %u", name, type->cnt, type->max);
		return false;
	}
	if (type->cnt && !type->regions) {
		snprintf(why, len, "memblock.%s: %u regions but no array", name, type->cnt);
		return false;
	}
	for (unsigned int i = 0; i < type->cnt; i++) {
		const struct memblock_region *r = &type->regions[i];

		if (r->size == 0) {
			snprintf(why, len, "memblock.%s[%u]: size 0 at %#llx", name, i,
				 (unsigned long long)r->base);
			return false;
		}
		if (region_end(r) < r->base || region_end(r) > PFN_PHYS(m->max_pfn)) {
			snprintf(why, len, "memblock.%s[%u]: [%#llx, +%#llx) past max_pfn %#llx",
				 name, i, (unsigned long long)r->base,
				 (unsigned long long)r->size, (unsigned long long)m->max_pfn);
			return false;
		}
		if (r->nid < 0 || (unsigned int)r->nid >= m->topo.nr_nodes) {
			snprintf(why, len, "memblock.%s[%u]: nid %d not in 0..%u", name, i, r->nid,
				 m->topo.nr_nodes - 1);
			return false;
		}
		if (i > 0 && region_end(&type->regions[i - 1]) > r->base) {
			snprintf(why, len,
				 "memblock.%s[%u]: base %#llx below end %#llx of [%u] "
				 "(unsorted or overlapping)",
				 name, i, (unsigned long long)r->base,
				 (unsigned long long)region_end(&type->regions[i - 1]), i - 1);
			return false;
		}
	}
	return true;
}

bool memblock_is_valid(struct machine *m, char *why, size_t len)
{
	const struct memblock *mb = &m->memblock;
	uint64_t reserved_bytes = 0;

	if (!memblock_type_is_valid(m, &mb->memory, "memory", why, len) ||
	    !memblock_type_is_valid(m, &mb->reserved, "reserved", why, len))
		return false;
	for (unsigned int i = 0; i < mb->reserved.cnt; i++) {
		const struct memblock_region *rr = &mb->reserved.regions[i];
		const struct memblock_region *r = memblock_search(&mb->memory, rr->base);

		if (!r || region_end(rr) > region_end(r)) {
			snprintf(why, len,
				 "memblock.reserved[%u]: [%#llx, %#llx) not inside one memory region",
				 i, (unsigned long long)rr->base,
				 (unsigned long long)region_end(rr));
			return false;
		}
		if (r->nid != rr->nid) {
			snprintf(why, len, "memblock.reserved[%u]: nid %d but its memory is on node %d",
				 i, rr->nid, r->nid);
			return false;
		}
		reserved_bytes += rr->size;
	}
	if (reserved_bytes != mb->allocated_bytes) {
		snprintf(why, len, "memblock: reserved %llu bytes but allocated_bytes %llu",
			 (unsigned long long)reserved_bytes,
			 (unsigned long long)mb->allocated_bytes);
		return false;
	}
	return true;
}
