/* SPDX-License-Identifier: MIT */
/*
 * Writing the memmap at boot: the struct pages of an initialised section
 * from a template, whole 16-byte chunks at a time (field by field it is ten
 * stores a page, twice the time of a memset of the memmap; the chunks are
 * four, with the counting fields added in as vectors).
 *
 *   memmap_init_pages      the reserved state free_area_init gives every
 *                          struct page (STAGE_SPARSE)
 *   memmap_init_free_block a block the hand-over to buddy frees (STAGE_BUDDY,
 *                          when one machine_boot call runs both stages and
 *                          the memmap is written once, mm_core_init): its
 *                          head still reserved, its tails as
 *                          page_block_set_state(PS_BUDDY) leaves them
 */
#include <string.h>

#include "internal.h"

/* A struct page as four chunks of four 32-bit lanes. */
typedef uint32_t page_chunk __attribute__((vector_size(16)));

#define PAGE_CHUNKS (sizeof(struct page) / sizeof(page_chunk))
/* Where the counting fields sit: head_offset in chunk 0, pfn in chunk 3. */
#define OFFSET_CHUNK (offsetof(struct page, head_offset) / sizeof(page_chunk))
#define OFFSET_LANE (offsetof(struct page, head_offset) % sizeof(page_chunk) / 4)
#define PFN_CHUNK (offsetof(struct page, pfn) / sizeof(page_chunk))
#define PFN_LANE (offsetof(struct page, pfn) % sizeof(page_chunk) / 4)

_Static_assert(sizeof(struct page) % sizeof(page_chunk) == 0, "struct page is whole chunks");
_Static_assert(PAGE_CHUNKS == 4 && OFFSET_CHUNK == 0 && PFN_CHUNK == 3,
	       "the counting fields are in the first and last chunk");
_Static_assert(offsetof(struct page, head_offset) % 4 == 0 && offsetof(struct page, pfn) % 4 == 0,
	       "the counting fields are whole lanes");

/*
 * n struct pages from p on: tmpl with pfn counting up from pfn and, when
 * count_offset, head_offset counting up from tmpl's.
 */
static void fill_pages(struct page *p, const struct page *tmpl, unsigned long n, pfn_t pfn,
		       bool count_offset)
{
	page_chunk c[PAGE_CHUNKS], step0 = { 0 }, step3 = { 0 };

	memcpy(c, tmpl, sizeof(c));
	c[PFN_CHUNK][PFN_LANE] = (uint32_t)pfn;
	step3[PFN_LANE] = 1;
	step0[OFFSET_LANE] = count_offset;
	for (unsigned long i = 0; i < n; i++) {
		memcpy(p + i, c, sizeof(c));
		c[OFFSET_CHUNK] += step0;
		c[PFN_CHUNK] += step3;
	}
}

/* The node a hole pfn is attributed to: the node whose span holds it. */
static int pfn_hole_node(const struct machine *m, pfn_t pfn, int fallback)
{
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++)
		if (pfn >= m->nodes[n].node_start_pfn && pfn < m->nodes[n].node_end_pfn)
			return (int)n;
	return fallback;
}

static int pfn_memory_node(const struct machine *m, pfn_t pfn)
{
	for (unsigned int i = 0; i < m->topo.nr_ranges; i++)
		if (pfn >= m->topo.ranges[i].start_pfn && pfn < m->topo.ranges[i].end_pfn)
			return m->topo.ranges[i].node;
	return -1;
}

/* The next zone boundary above pfn (SF_MAX_PFN when none). */
static pfn_t next_zone_boundary(const struct machine *m, pfn_t pfn)
{
	const pfn_t bounds[] = { m->topo.zone_dma_end, m->topo.zone_dma32_end,
				 m->topo.zone_movable_start };

	for (unsigned int i = 0; i < 3; i++)
		if (bounds[i] > pfn)
			return bounds[i];
	return SF_MAX_PFN;
}

static pfn_t min_pfn(pfn_t a, pfn_t b)
{
	return a < b ? a : b;
}

/* The reserved state of the struct page of memory pfn (node nid). */
static struct page reserved_page(const struct machine *m, pfn_t pfn, int nid)
{
	return (struct page){ .state = PS_RESERVED, .zone = (uint8_t)pfn_zone_type(m, pfn),
			      .node = (uint16_t)nid };
}

void memmap_init_pages(struct machine *m, struct page *base, pfn_t start, pfn_t end,
		       int fallback_nid)
{
	pfn_t pfn = start;

	/* Runs of pfns with the same node, zone and memory-or-hole answer are
	 * filled in one loop. */
	while (pfn < end) {
		int nid = pfn_memory_node(m, pfn);
		pfn_t run_end = min_pfn(end, next_zone_boundary(m, pfn));
		struct page tmpl;

		for (unsigned int i = 0; i < m->topo.nr_ranges; i++) {
			const struct sf_mem_range *r = &m->topo.ranges[i];

			if (nid >= 0 && pfn >= r->start_pfn && pfn < r->end_pfn)
				run_end = min_pfn(run_end, r->end_pfn);
			else if (nid < 0 && r->start_pfn > pfn)
				run_end = min_pfn(run_end, r->start_pfn);
		}
		if (nid >= 0) {
			tmpl = reserved_page(m, pfn, nid);
		} else {
			tmpl = reserved_page(m, pfn, pfn_hole_node(m, pfn, fallback_nid));
			tmpl.flags = PG_hole;
		}
		fill_pages(base + (pfn - start), &tmpl, run_end - pfn, pfn, false);
		pfn = run_end;
	}
}

void memmap_init_free_block(struct machine *m, struct page *head, pfn_t pfn, unsigned int order)
{
	struct page tmpl = reserved_page(m, pfn, pfn_memory_node(m, pfn));

	fill_pages(head, &tmpl, 1, pfn, false);
	tmpl.state = PS_BUDDY;
	tmpl.tail = 1;
	tmpl.head_offset = 1;
	fill_pages(head + 1, &tmpl, (1ul << order) - 1, pfn + 1, true);
}
