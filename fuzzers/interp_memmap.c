/* SPDX-License-Identifier: MIT */
/*
 * The harness's own count of the memmap's page states, per node and zone,
 * kept up to date cheaply: the topology's memory is cut into segments of
 * one node, one zone and one memmap chunk of the core (memmap_chunk_shift),
 * each with its count of pages in each state (pfn_page_states, counted
 * here). A segment is read again when its chunk's change count moved
 * (memmap_chunk_changes): the core's mark says only where to look, the
 * counting is the harness's. At full check points every segment is read
 * again and must equal what the marks kept: a struct page changed behind
 * its mark is "HARNESS: memmap changed without a change mark".
 */
#include <string.h>

#include "interp_internal.h"

static uint8_t states[RUN_MAX_PFN];

/* Count the states of segment s into its counters. */
static void segment_read(struct run *r, struct memmap_segment *s, uint32_t *count)
{
	memset(count, 0, sizeof(s->count));
	pfn_page_states(r->m, s->lo, s->hi, states);
	for (pfn_t i = 0, n = s->hi - s->lo; i < n; i++)
		count[states[i]]++;
}

/* The segments of [lo, hi) of node nid in zone zt, cut at chunk boundaries. */
static void add_segments(struct run *r, pfn_t lo, pfn_t hi, int nid, enum zone_type zt)
{
	struct memmap_view *v = &r->memmap;

	while (lo < hi) {
		pfn_t next = ((lo >> v->chunk_shift) + 1) << v->chunk_shift;
		struct memmap_segment *s = &v->seg[v->nr];

		if (next > hi)
			next = hi;
		/* At most a segment per chunk, zone and range boundary: a bug here. */
		if (v->nr == RUN_MAX_SEGMENTS || next - lo > RUN_MAX_PFN)
			run_fail(r, "HARNESS: memmap view out of room",
				 "%u segments, [%#llx, %#llx)", v->nr, (unsigned long long)lo,
				 (unsigned long long)next);
		v->nr++;
		s->lo = lo;
		s->hi = next;
		s->node = (int8_t)nid;
		s->zone = (int8_t)zt;
		lo = next;
	}
}

void run_zone_bounds(const struct run *r, enum zone_type zt, pfn_t *lo, pfn_t *hi)
{
	pfn_t dma = r->topo.zone_dma_end;
	pfn_t dma32 = r->topo.zone_dma32_end > dma ? r->topo.zone_dma32_end : dma;
	pfn_t movable = r->topo.zone_movable_start > dma32 ? r->topo.zone_movable_start : dma32;
	const pfn_t edge[] = { 0, dma, dma32, movable, SF_MAX_PFN };

	*lo = edge[zt];
	*hi = edge[zt + 1];
}

void memmap_view_reset(struct run *r)
{
	struct memmap_view *v = &r->memmap;
	const struct sf_topology *t = &r->topo;

	v->nr = 0;
	v->valid = false;
	if (machine_stage(r->m) < STAGE_SPARSE)
		return;
	v->chunk_shift = memmap_chunk_shift(r->m);
	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		pfn_t start = t->ranges[i].start_pfn, end = t->ranges[i].end_pfn;

		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			pfn_t lo, hi;

			run_zone_bounds(r, (enum zone_type)zt, &lo, &hi);
			lo = lo > start ? lo : start;
			hi = hi < end ? hi : end;
			if (lo < hi)
				add_segments(r, lo, hi, t->ranges[i].node, (enum zone_type)zt);
		}
	}
	for (unsigned int i = 0; i < v->nr; i++) {
		v->seg[i].seen = memmap_chunk_changes(r->m, v->seg[i].lo);
		segment_read(r, &v->seg[i], v->seg[i].count);
	}
	v->valid = true;
}

void memmap_view_refresh(struct run *r)
{
	struct memmap_view *v = &r->memmap;

	if (!v->valid) {
		memmap_view_reset(r);
		return;
	}
	for (unsigned int i = 0; i < v->nr; i++) {
		struct memmap_segment *s = &v->seg[i];
		unsigned long now = memmap_chunk_changes(r->m, s->lo);

		if (now == s->seen)
			continue;
		s->seen = now;
		segment_read(r, s, s->count);
	}
}

void memmap_view_verify(struct run *r)
{
	struct memmap_view *v = &r->memmap;
	uint32_t count[NR_SF_PAGE_STATES];

	if (!v->valid) {
		memmap_view_reset(r);
		return;
	}
	memmap_view_refresh(r);
	for (unsigned int i = 0; i < v->nr; i++) {
		struct memmap_segment *s = &v->seg[i];

		segment_read(r, s, count);
		if (memcmp(count, s->count, sizeof(count)))
			run_fail(r, "HARNESS: memmap changed without a change mark",
				 "pfns [%#llx, %#llx) of node %d zone %s: %u buddy %u pcp %u "
				 "allocated pages now, %u %u %u when last read, its chunk's "
				 "change count %lu then and now", (unsigned long long)s->lo, (unsigned long long)s->hi,
				 s->node, zone_type_name((enum zone_type)s->zone),
				 count[SF_PAGE_BUDDY], count[SF_PAGE_PCP], count[SF_PAGE_ALLOCATED],
				 s->count[SF_PAGE_BUDDY], s->count[SF_PAGE_PCP],
				 s->count[SF_PAGE_ALLOCATED], s->seen);
	}
}

void memmap_view_zone(struct run *r, int nid, enum zone_type zt, uint32_t *count)
{
	struct memmap_view *v = &r->memmap;

	memset(count, 0, sizeof(v->seg[0].count));
	for (unsigned int i = 0; i < v->nr; i++)
		if (v->seg[i].node == nid && v->seg[i].zone == (int)zt)
			for (int st = 0; st < NR_SF_PAGE_STATES; st++)
				count[st] += v->seg[i].count[st];
}

void memmap_view_totals(struct run *r, long *allocated, long *free_pages)
{
	struct memmap_view *v = &r->memmap;

	*allocated = *free_pages = 0;
	for (unsigned int i = 0; i < v->nr; i++) {
		*allocated += v->seg[i].count[SF_PAGE_ALLOCATED];
		*free_pages += v->seg[i].count[SF_PAGE_BUDDY] + v->seg[i].count[SF_PAGE_PCP];
	}
}
