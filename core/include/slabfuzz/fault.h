/* SPDX-License-Identifier: MIT */
/*
 * Fault injection in the shape of fail_page_alloc and failslab.
 *
 * A fault_attr fails the Nth call (nth >= 1; transient fails only that call,
 * persistent fails it and every later one) and/or each call with a seeded
 * probability. Calls that may sleep can be ignored (ignore-gfp-wait), and
 * fail_page_alloc only considers orders >= min_order.
 */
#ifndef SLABFUZZ_FAULT_H
#define SLABFUZZ_FAULT_H

#include "slabfuzz/types.h"

struct fault_attr {
	unsigned long nth;		/* 1-based call to fail; 0: off */
	bool persistent;		/* also fail every call after the nth */
	uint32_t probability;		/* chance per call, in parts per million */
	uint64_t seed;			/* rng seed for probability */
	bool ignore_gfp_reclaim;	/* skip calls that may sleep */
	unsigned int min_order;		/* fail_page_alloc only: skip lower orders */
	char cache_filter[32];		/* failslab only: only this cache ("" = all) */
};

struct fault_stats {
	unsigned long calls;		/* calls considered (not ignored) */
	unsigned long failures;		/* calls failed */
};

/* Set (copy) or clear (attr NULL) page allocation fault injection. */
void fail_page_alloc_set(struct machine *m, const struct fault_attr *attr);
struct fault_stats fail_page_alloc_stats(const struct machine *m);

/* Same for slab allocations (the slab layer consults it). */
void failslab_set(struct machine *m, const struct fault_attr *attr);
struct fault_stats failslab_stats(const struct machine *m);

#endif
