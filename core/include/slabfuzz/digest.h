/* SPDX-License-Identifier: MIT */
/*
 * A digest of a machine's state: a sequence of named fields (free lists,
 * counters, per-cpu/shared/alien queues, caches and their attributes, the
 * memmap, the report log, the ASan poisoning of the simulated memory in ASan
 * builds), each a number or a hash of one structure. Pointers enter as
 * offsets into simulated memory or as indexes, so two machines built the same
 * way at different host addresses give the same digest. Two digests compare
 * field by field; the harness prints the first difference by name
 * (fuzzers/digest_names.c). Object contents are not in it (they hold host
 * pointers).
 */
#ifndef SLABFUZZ_DIGEST_H
#define SLABFUZZ_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct machine;

/* What a field is: its kind and what its indexes a, b, c mean. The names
 * (fuzzers/digest_names.c) follow these. */
enum dg_kind {
	DG_MACHINE,		/* a: enum dg_machine */
	DG_CPU,			/* a: cpu, b: enum dg_cpu */
	DG_MEMBLOCK,		/* a: 0 memory 1 reserved, b: enum dg_memblock */
	DG_SPARSE,		/* a: enum dg_sparse */
	DG_ZONE,		/* a: node, b: zone, c: enum dg_zone */
	DG_FREE_AREA,		/* a: node, b: zone, c: order (nr_free) */
	DG_FREE_LIST,		/* a: node, b: zone, c: order (hash of the pfns in order) */
	DG_PCP,			/* a: node, b: zone, c: cpu (count, high, batch, lists) */
	DG_PAGE,		/* a: pfn (hash of the struct page) */
	DG_ASAN_PAGE,		/* a: pfn (hash of the page's shadow) */
	DG_FAULT,		/* a: 0 fail_page_alloc 1 failslab */
	DG_REPORTS,		/* a: enum dg_reports */
	DG_REPORT,		/* a: index in the log (title hash and count) */
	DG_SLAB,		/* a: enum dg_slab */
	DG_CACHE,		/* a: cache (list position), b: enum dg_cache */
	DG_CACHE_NODE,		/* a: cache, b: node, c: enum dg_cache_node */
	DG_CACHE_CPU,		/* a: cache, b: cpu (the queue: avail, limit, batch, entries) */
	DG_CACHE_ALIEN,		/* a: cache, b: node, c: remote node */
	DG_SYSFS,		/* a: entry (name, cache, alias) */
	NR_DG_KINDS
};

enum dg_machine { DGM_STAGE, DGM_GFP_MASK, DGM_BUGS, DGM_DEBUG, DGM_MAX_PFN, DGM_CUR_CPU,
		  DGM_NODE_STATES, DGM_HOLES };
enum dg_cpu { DGC_ONLINE, DGC_IRQS, DGC_IRQ_DEPTH, DGC_PREEMPT, DGC_TIMER, DGC_SCHED };
enum dg_memblock { DGB_CNT, DGB_REGIONS, DGB_FLAGS };
enum dg_sparse { DGS_SHAPE, DGS_SECTIONS, DGS_BLOCKS };
enum dg_zone { DGZ_SPAN, DGZ_PAGES, DGZ_WATERMARKS, DGZ_FREE_PAGES };
enum dg_reports { DGR_TOTAL, DGR_KINDS, DGR_DISTINCT, DGR_DROPPED };
enum dg_slab { DGL_STATE, DGL_KMALLOC, DGL_TRACK_SEQ, DGL_BOOT_PAGE, DGL_NR_CACHES,
	       DGL_NR_SYSFS, DGL_SHRINKER };
enum dg_cache { DGK_NAME, DGK_GEOMETRY, DGK_TUNABLES, DGK_FLAGS, DGK_REFCOUNT };
enum dg_cache_node { DGN_COUNTS, DGN_PARTIAL, DGN_FULL, DGN_FREE, DGN_SHARED };

struct sf_digest_field {
	uint16_t kind;		/* which name (core/digest.c) */
	uint32_t a, b, c;	/* the name's indexes */
	uint64_t value;
};

struct sf_digest {
	struct sf_digest_field *f;	/* host malloc; kept between takes */
	size_t nr, cap;
};

/* Digest m into d (reusing d's storage). 0, or -ENOMEM. No lock taken: the
 * machine must be quiet (no other thread in it). */
int sf_digest_take(struct machine *m, struct sf_digest *d);
void sf_digest_free(struct sf_digest *d);
/* Index of the first field that differs (by name or value); the shorter
 * length when one is a prefix of the other; -1 when they are equal. */
long sf_digest_diff(const struct sf_digest *a, const struct sf_digest *b);

#endif
