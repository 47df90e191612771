/* SPDX-License-Identifier: MIT */
/*
 * Memory initialisation: zones and struct pages (free_area_init, at
 * STAGE_SPARSE), then per-cpu pagesets, watermarks, zonelists and the
 * release of boot memory to the buddy allocator (mm_core_init, at
 * STAGE_BUDDY).
 *
 *   node span   [node_start_pfn ........................ node_end_pfn)
 *   zones       [DMA ....)[DMA32 ..........)[Normal ...............)
 *                         ^ zone_dma_end    ^ zone_dma32_end
 * A zone of a node is the node's span cut by the zone boundaries. The
 * boundaries need not be MAX_ORDER aligned: misalignment is reported at
 * init (incident 5) and the buddy allocator checks the zone on merge.
 */
#include <string.h>

#include "page_alloc.h"

static pfn_t zone_type_start(const struct machine *m, enum zone_type zt)
{
	switch (zt) {
	case ZONE_DMA:
		return 0;
	case ZONE_DMA32:
		return m->topo.zone_dma_end;
	case ZONE_NORMAL:
		return m->topo.zone_dma32_end;
	case ZONE_MOVABLE:
	case MAX_NR_ZONES:
		break;
	}
	return m->topo.zone_movable_start;
}

static pfn_t zone_type_end(const struct machine *m, enum zone_type zt)
{
	return zt + 1 < MAX_NR_ZONES ? zone_type_start(m, (enum zone_type)(zt + 1)) : SF_MAX_PFN;
}

static pfn_t max_pfn_u(pfn_t a, pfn_t b)
{
	return a > b ? a : b;
}

static pfn_t min_pfn_u(pfn_t a, pfn_t b)
{
	return a < b ? a : b;
}

/* Pages of memory (not holes) of node nid in [start, end). */
static unsigned long present_pages_in(const struct machine *m, int nid, pfn_t start, pfn_t end)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < m->topo.nr_ranges; i++) {
		const struct sf_mem_range *r = &m->topo.ranges[i];
		pfn_t s = max_pfn_u(r->start_pfn, start), e = min_pfn_u(r->end_pfn, end);

		if (r->node == nid && s < e)
			n += e - s;
	}
	return n;
}

static void zone_check_alignment(struct machine *m, struct zone *z)
{
	pfn_t align = (pfn_t)1 << (m->max_order - 1);
	struct report_ctx ctx = { "free_area_init", z->node, (int)z->type, -1 };

	z->unaligned_start = (z->zone_start_pfn & (align - 1)) != 0;
	z->unaligned_end = (z->zone_end_pfn & (align - 1)) != 0;
	if (!z->unaligned_start && !z->unaligned_end)
		return;
	ctx.pfn = (int64_t)(z->unaligned_start ? z->zone_start_pfn : z->zone_end_pfn);
	report(m, SF_REPORT_INFO, "INFO: zone boundary not MAX_ORDER aligned", &ctx,
	       "node %d zone %s misaligned %s pfn %#llx (MAX_ORDER block %llu pages)\n",
	       z->node, z->name, z->unaligned_start ? "start" : "end",
	       (unsigned long long)ctx.pfn, (unsigned long long)align);
}

static void init_zone(struct machine *m, struct pglist_data *pgdat, enum zone_type zt)
{
	struct zone *z = &pgdat->node_zones[zt];
	pfn_t start = max_pfn_u(pgdat->node_start_pfn, zone_type_start(m, zt));
	pfn_t end = min_pfn_u(pgdat->node_end_pfn, zone_type_end(m, zt));

	memset(z, 0, sizeof(*z));
	spin_lock_init(&z->lock);
	z->machine = m;
	z->node = pgdat->node_id;
	z->type = zt;
	z->name = zone_type_name(zt);
	for (unsigned int o = 0; o < SF_MAX_ORDER_LIMIT; o++)
		INIT_LIST_HEAD(&z->free_area[o].free_list);
	if (start >= end)
		return;
	z->zone_start_pfn = start;
	z->zone_end_pfn = end;
	z->spanned_pages = end - start;
	z->present_pages = present_pages_in(m, pgdat->node_id, start, end);
	if (populated_zone(z))
		zone_check_alignment(m, z);
}

/* Initialise every struct page of an initialised section: reserved until
 * memblock hands its memory to buddy. */
static void init_section_pages(struct machine *m, unsigned long nr)
{
	pfn_t start = (pfn_t)nr << m->sparse.section_shift;
	pfn_t end = start + ((pfn_t)1 << m->sparse.section_shift);

	/* a section's memmap is contiguous */
	memmap_init_pages(m, pfn_to_page(m, start), start, end, m->sparse.sections[nr].nid);
}

int free_area_init(struct machine *m)
{
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		struct pglist_data *pgdat = &m->nodes[n];

		for (int zt = 0; zt < MAX_NR_ZONES; zt++)
			init_zone(m, pgdat, (enum zone_type)zt);
	}
	if (m->sparse.init_pages)
		return 0;	/* sparse_init_boot wrote them */
	for (unsigned long nr = 0; nr < m->sparse.nr_sections; nr++)
		if (m->sparse.sections[nr].flags & SECTION_HAS_MEM_MAP)
			init_section_pages(m, nr);
	return 0;
}

/* ---- zonelists ---- */

static void build_zonelist(struct machine *m, struct pglist_data *pgdat)
{
	int order[SF_MAX_NODES];
	int nr = nodes_by_distance(m, pgdat->node_id, order, true);
	struct zonelist *fb = &pgdat->node_zonelists[ZONELIST_FALLBACK];
	struct zonelist *nofb = &pgdat->node_zonelists[ZONELIST_NOFALLBACK];
	int i = 0, j = 0;

	/* Node order: nearest node first, each node's zones highest first. */
	for (int k = 0; k < nr; k++) {
		struct pglist_data *other = &m->nodes[order[k]];

		for (int zt = MAX_NR_ZONES - 1; zt >= 0; zt--) {
			struct zone *z = &other->node_zones[zt];

			if (!populated_zone(z))
				continue;
			fb->zones[i++].zone = z;
			if (other == pgdat)
				nofb->zones[j++].zone = z;
		}
	}
	fb->zones[i].zone = NULL;
	nofb->zones[j].zone = NULL;
}

static void build_all_zonelists(struct machine *m)
{
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++)
		build_zonelist(m, &m->nodes[n]);
}

/*
 * Watermarks scaled for small machines: min is 1/128 of the zone (at least
 * 4 pages when the zone can spare them), low 5/4 and high 3/2 of min.
 */
static void setup_zone_watermarks(struct zone *z)
{
	unsigned long min = z->managed_pages / 128;

	if (min < 4 && z->managed_pages >= 64)
		min = 4;
	z->watermark[WMARK_MIN] = min;
	z->watermark[WMARK_LOW] = min + min / 4;
	z->watermark[WMARK_HIGH] = min + min / 2;
}

/* ---- per-cpu pagesets ---- */

static int setup_zone_pageset(struct machine *m, struct zone *z)
{
	size_t size = sizeof(struct per_cpu_pages) * m->topo.nr_cpus;
	struct per_cpu_pages *sets = memblock_alloc_node(m, size, 64, z->node);
	int batch;

	if (!sets)
		return -ENOMEM;
	/* batch ~ 1/1024 of the zone, 1..31 pages; high six batches. */
	batch = (int)(z->present_pages / 1024);
	if (batch < 1)
		batch = 1;
	if (batch > 31)
		batch = 31;
	for (unsigned int c = 0; c < m->topo.nr_cpus; c++) {
		struct per_cpu_pages *pcp = &sets[c];

		spin_lock_init(&pcp->lock);
		pcp->count = 0;
		pcp->batch = batch;
		pcp->high = 6 * batch;
		for (int o = 0; o < NR_PCP_ORDERS; o++)
			INIT_LIST_HEAD(&pcp->lists[o]);
	}
	z->pageset = sets;
	return 0;
}

/*
 * The hand-over to buddy: each free range of memblock, zone by zone, in the
 * largest aligned blocks that fit, each freed through the merge path.
 *
 * When one machine_boot call runs the sparse and the buddy stages
 * (sparse.memmap_deferred), nothing runs between them and the memmap of the
 * present sections is written here, once, instead of once at each stage:
 * a first walk writes every struct page (reserved ones as free_area_init
 * would have, the tails of the blocks as page_block_set_state leaves them,
 * the heads still reserved); the second, the hand-over, sets the heads and
 * frees them in the same order as ever. Merging looks at the buddy's head,
 * which is reserved until its turn either way, so the frees see what they
 * saw before and leave the same state.
 */
struct handover {
	bool deferred;		/* the memmap is written by this hand-over */
	pfn_t written;		/* first walk: struct pages below written */
};

typedef void (*handover_block_fn)(struct machine *m, struct zone *z, pfn_t pfn,
				  unsigned int order, struct handover *h);

/* Call fn for each block of the free range [start, end) of node nid. */
static void handover_blocks(struct machine *m, pfn_t start, pfn_t end, int nid,
			    handover_block_fn fn, struct handover *h)
{
	unsigned int max_block = m->max_order - 1;

	while (start < end) {
		struct zone *z = &m->nodes[nid].node_zones[pfn_zone_type(m, start)];
		pfn_t zend = min_pfn_u(end, z->zone_end_pfn);
		unsigned int order = 0;

		while (order < max_block && !(start & (((pfn_t)2 << order) - 1)) &&
		       start + ((pfn_t)2 << order) <= zend)
			order++;
		fn(m, z, start, order, h);
		start += (pfn_t)1 << order;
	}
}

/* The deferred memmap of [h->written, end): reserved, section by section. */
static void write_reserved_below(struct machine *m, struct handover *h, pfn_t end)
{
	const struct sparse *sp = &m->sparse;

	while (h->written < end) {
		unsigned long nr = (unsigned long)(h->written >> sp->section_shift);
		pfn_t next = min_pfn_u(end, (pfn_t)(nr + 1) << sp->section_shift);

		if (sp->sections[nr].flags & SECTION_HAS_MEM_MAP)
			memmap_init_pages(m, pfn_to_page(m, h->written), h->written, next,
					  sp->sections[nr].nid);
		h->written = next;
	}
}

static void write_block(struct machine *m, struct zone *z, pfn_t pfn, unsigned int order,
			struct handover *h)
{
	memmap_init_free_block(m, pfn_to_page(m, pfn), pfn, order);
	h->written = pfn + ((pfn_t)1 << order);
}

static void write_free_range(struct machine *m, pfn_t start, pfn_t end, int nid, void *arg)
{
	struct handover *h = arg;

	write_reserved_below(m, h, start);
	handover_blocks(m, start, end, nid, write_block, h);
}

/* Write the deferred memmap of the boot; the blocks' as the hand-over frees them, or
 * (handing_over false) every struct page reserved. */
static void write_deferred_memmap(struct machine *m, bool handing_over)
{
	struct handover h = { true, 0 };

	if (handing_over)
		memblock_for_each_free_range(m, write_free_range, &h);
	write_reserved_below(m, &h, (pfn_t)m->sparse.nr_sections << m->sparse.section_shift);
	m->sparse.memmap_deferred = false;
}

static void free_block(struct machine *m, struct zone *z, pfn_t pfn, unsigned int order,
		       struct handover *h)
{
	struct page *page = pfn_to_page(m, pfn);

	if (h->deferred)
		page_block_set_head(m, page, order, PS_BUDDY);	/* tails written */
	else
		page_block_set_state(m, page, order, PS_BUDDY);
	z->managed_pages += 1ul << order;
	spin_lock(&z->lock);
	buddy_free_block(m, z, page, pfn, order);
	spin_unlock(&z->lock);
}

static void free_range_to_buddy(struct machine *m, pfn_t start, pfn_t end, int nid, void *arg)
{
	handover_blocks(m, start, end, nid, free_block, arg);
}

int mm_core_init(struct machine *m)
{
	struct handover h = { m->sparse.memmap_deferred, 0 };

	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[n].node_zones[zt];

			if (populated_zone(z) && setup_zone_pageset(m, z)) {
				/* The boot stops at STAGE_SPARSE: its memmap. */
				if (h.deferred)
					write_deferred_memmap(m, false);
				return -ENOMEM;
			}
		}
	}
	memblock_retire(m);
	if (h.deferred)
		write_deferred_memmap(m, true);
	memblock_for_each_free_range(m, free_range_to_buddy, &h);
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++)
		for (int zt = 0; zt < MAX_NR_ZONES; zt++)
			setup_zone_watermarks(&m->nodes[n].node_zones[zt]);
	build_all_zonelists(m);
	return 0;
}

int page_alloc_cpu_online(struct machine *m, int cpu)
{
	/* Pagesets exist for every possible cpu since STAGE_BUDDY. */
	(void)m;
	(void)cpu;
	return 0;
}

void page_alloc_release(struct machine *m)
{
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[n].node_zones[zt];

			if (!z->machine)
				continue;
			if (z->pageset)
				for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
					spin_lock_destroy(&z->pageset[c].lock);
			spin_lock_destroy(&z->lock);
			z->machine = NULL;
		}
	}
}
