/* SPDX-License-Identifier: MIT */
/*
 * Page-level API: memblock, the sparse memory model, the buddy allocator.
 * Kernel names and shapes; the machine is always the first argument.
 *
 * Error convention: producers return NULL (or 0 for addresses) on failure;
 * commands return 0 or a negative errno; predicates return bool.
 */
#ifndef SLABFUZZ_MM_H
#define SLABFUZZ_MM_H

#include "slabfuzz/machine.h"
#include "slabfuzz/fault.h"

/* ---- memblock (STAGE_EARLY .. STAGE_SPARSE) ---- */

/*
 * Allocate size bytes aligned to align from boot memory on node nid,
 * falling back to the nearest node with memory. Zeroed. Returns NULL when
 * no node has room or the buddy allocator already owns memory.
 */
void *memblock_alloc_node(struct machine *m, size_t size, size_t align, int nid);
void *memblock_alloc(struct machine *m, size_t size, size_t align);
/* Give back a memblock allocation made at an early stage (before BUDDY). */
void memblock_free(struct machine *m, void *ptr, size_t size);

/* ---- sparse memory model ---- */

bool pfn_valid(struct machine *m, pfn_t pfn);
struct page *pfn_to_page(struct machine *m, pfn_t pfn);
pfn_t page_to_pfn(struct machine *m, const struct page *page);
void *page_address(struct machine *m, const struct page *page);
/* The struct page of a simulated kernel address, NULL if none. */
struct page *virt_to_page(struct machine *m, const void *addr);
/* Is addr inside the simulated physical memory of m? */
bool virt_addr_valid(struct machine *m, const void *addr);

int page_to_nid(struct machine *m, const struct page *page);
enum zone_type page_zonenum(struct machine *m, const struct page *page);

/*
 * What the struct page of pfn says about it (its state field, nothing
 * derived from free lists or counters): for oracles that walk the memmap.
 */
enum sf_page_state {
	SF_PAGE_NONE,		/* no struct page (pfn not valid) */
	SF_PAGE_UNINIT,		/* memmap there, page not initialised */
	SF_PAGE_RESERVED,	/* memblock, hole, never given to buddy */
	SF_PAGE_BUDDY,		/* in a free block on a zone free list */
	SF_PAGE_PCP,		/* in a block on a per-cpu list */
	SF_PAGE_ALLOCATED,	/* handed out */
};
enum sf_page_state pfn_page_state(struct machine *m, pfn_t pfn);
/* pfn_page_state of each pfn of [start, end) into st[0 .. end - start). */
void pfn_page_states(struct machine *m, pfn_t start, pfn_t end, uint8_t *st);

/*
 * Change marks of the memmap, for readers that keep their own view of it
 * and read again only what changed: pfns are grouped in chunks of
 * 2^memmap_chunk_shift() (whole MAX_ORDER blocks); every change the page
 * allocator makes to the struct pages of a chunk raises its count. The
 * counts start again at each sparse_init. A hint of where to look, never an
 * answer: a reader checks its view against a whole walk now and then.
 */
unsigned int memmap_chunk_shift(struct machine *m);
unsigned long memmap_chunk_changes(struct machine *m, pfn_t pfn);

/* ---- buddy page allocator ---- */

struct page *alloc_pages_node(struct machine *m, int nid, gfp_t gfp, unsigned int order);
struct page *alloc_pages(struct machine *m, gfp_t gfp, unsigned int order);
void __free_pages(struct machine *m, struct page *page, unsigned int order);
/* Address-based variants; 0 on failure. */
unsigned long __get_free_pages(struct machine *m, gfp_t gfp, unsigned int order);
unsigned long get_zeroed_page(struct machine *m, gfp_t gfp);
void free_pages(struct machine *m, unsigned long addr, unsigned int order);
/* Exactly size bytes of pages (rounded up to pages); the rest is freed. */
void *alloc_pages_exact(struct machine *m, size_t size, gfp_t gfp);
void free_pages_exact(struct machine *m, void *virt, size_t size);

/* Free pages of the machine (buddy + per-cpu lists). */
unsigned long nr_free_pages(struct machine *m);
/* Pages handed out by the buddy allocator and not yet returned. */
unsigned long nr_allocated_pages(struct machine *m);

/* Empty the per-cpu page lists of one cpu, or of all cpus. */
void drain_local_pages(struct machine *m);
void drain_all_pages(struct machine *m);

/* Reclaim: the page allocator calls shrinkers when memory is short. */
struct shrinker {
	const char *name;
	unsigned long (*count_objects)(struct machine *m, struct shrinker *s);
	unsigned long (*scan_objects)(struct machine *m, struct shrinker *s,
				      unsigned long nr_to_scan);
	void *private_data;
	struct shrinker *next;	/* owned by the machine's list */
};
int register_shrinker(struct machine *m, struct shrinker *s);
void unregister_shrinker(struct machine *m, struct shrinker *s);

/* ---- checks and dumps ---- */

/*
 * Check every invariant of the page layer (gfp mask, node states, memblock,
 * sections, vmemmap, free lists, per-cpu lists, page states, zonelists,
 * watermarks). Returns true when all hold; otherwise files a "BUG: page
 * allocator invariant broken" report naming the first broken relation and
 * returns false.
 */
bool check_page_layer(struct machine *m);
/*
 * Whole machine: the page layer, then from STAGE_SLAB_PARTIAL the slab layer
 * (queues, slabs, objects, per-node structures, registry). false comes with
 * a report: "BUG: page allocator invariant broken", "BUG: slab invariant
 * broken", or "WARNING: slab invariant check skipped" when slab_mutex stays
 * busy. Invariant ids: docs/architecture.md.
 */
bool check_machine(struct machine *m);
/*
 * check_machine over what changed since the last check: the memmap chunks
 * the page allocator marked (memmap_chunk_changes), every cache that had an
 * operation, and everything cheap (gfp mask, node states, memblock, free
 * and per-cpu lists, counters, zonelists, watermarks, kmalloc table,
 * per-node structures, registry). It is the full check_machine when no full
 * check passed yet at this boot stage (a full one at slab_up or later
 * holds for the later stages), after one that failed, and when
 * full_every incremental checks ran since the last full one (0: always).
 * What only the full check covers: docs/architecture.md. Same reports.
 */
bool check_machine_incremental(struct machine *m, unsigned int full_every);
/* Full and incremental checks that passed on m so far. */
void check_stats(struct machine *m, unsigned long *full, unsigned long *incremental);

/* Dumps in the kernel's formats, written to buf; return the length that
 * would have been written (like snprintf). */
size_t dump_buddyinfo(struct machine *m, char *buf, size_t size);
size_t dump_zoneinfo(struct machine *m, char *buf, size_t size);
size_t dump_memory_map(struct machine *m, char *buf, size_t size);

#endif
