/* SPDX-License-Identifier: MIT */
/*
 * Fault injection: fail_page_alloc and failslab.
 * Deterministic: the probability draws come from the attr's seed.
 */
#include <string.h>

#include "internal.h"

static uint64_t fault_rand(struct fault_state *fs)
{
	uint64_t x = fs->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	fs->rng = x;
	return x;
}

static void fault_set(struct fault_state *fs, const struct fault_attr *attr)
{
	spin_lock(&fs->lock);
	memset(&fs->stats, 0, sizeof(fs->stats));
	if (attr) {
		fs->attr = *attr;
		fs->attr.cache_filter[sizeof(fs->attr.cache_filter) - 1] = '\0';
		fs->rng = attr->seed ? attr->seed : 0x9e3779b97f4a7c15ULL;
		atomic_store(&fs->enabled, attr->nth || attr->probability);
	} else {
		memset(&fs->attr, 0, sizeof(fs->attr));
		atomic_store(&fs->enabled, false);
	}
	spin_unlock(&fs->lock);
}

bool should_fail(struct fault_state *fs, gfp_t gfp, unsigned int order, const char *cache)
{
	bool fail = false;

	if (!atomic_load_explicit(&fs->enabled, memory_order_relaxed))
		return false;
	spin_lock(&fs->lock);
	if (!atomic_load(&fs->enabled))
		goto out;
	if (fs->attr.ignore_gfp_reclaim && (gfp & __GFP_DIRECT_RECLAIM))
		goto out;
	if (order < fs->attr.min_order)
		goto out;
	if (fs->attr.cache_filter[0] && (!cache || strcmp(cache, fs->attr.cache_filter)))
		goto out;
	fs->stats.calls++;
	if (fs->attr.nth) {
		if (fs->stats.calls == fs->attr.nth ||
		    (fs->attr.persistent && fs->stats.calls > fs->attr.nth))
			fail = true;
	}
	if (!fail && fs->attr.probability &&
	    fault_rand(fs) % 1000000u < fs->attr.probability)
		fail = true;
	if (fail)
		fs->stats.failures++;
out:
	spin_unlock(&fs->lock);
	return fail;
}

void fail_page_alloc_set(struct machine *m, const struct fault_attr *attr)
{
	fault_set(&m->fail_page_alloc, attr);
}

struct fault_stats fail_page_alloc_stats(const struct machine *m)
{
	return m->fail_page_alloc.stats;
}

void failslab_set(struct machine *m, const struct fault_attr *attr)
{
	fault_set(&m->failslab, attr);
}

struct fault_stats failslab_stats(const struct machine *m)
{
	return m->failslab.stats;
}
