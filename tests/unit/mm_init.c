/* SPDX-License-Identifier: MIT */
/*
 * Zone setup at boot: each zone's per-cpu pagesets follow the rule of
 * docs (batch 1/1024 of the zone's present pages, at least 1, at most 31;
 * high six batches), read from zoneinfo and computed here from the
 * topology, on machines from a few MiB to ones whose zones pass the cap.
 */
#include <stdlib.h>

#include "test.h"

static char buf[1 << 16];

/* Pages of the topology's ranges in [lo, hi). */
static unsigned long present_in(const struct sf_topology *t, pfn_t lo, pfn_t hi)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		pfn_t s = t->ranges[i].start_pfn > lo ? t->ranges[i].start_pfn : lo;
		pfn_t e = t->ranges[i].end_pfn < hi ? t->ranges[i].end_pfn : hi;

		if (s < e)
			n += (unsigned long)(e - s);
	}
	return n;
}

/* Every pageset of the zone whose header starts text, up to the next
 * header: its batch and high; the number of pagesets seen. */
static unsigned int check_pagesets(const char *text, long batch)
{
	const char *end = strstr(text + 1, "Node ");
	unsigned int nr = 0;

	for (const char *p = strstr(text, "batch:"); p && (!end || p < end);
	     p = strstr(p + 1, "batch:")) {
		const char *h = p;

		while (h > text && strncmp(h, "high:", 5))
			h--;
		expect_eq(strtol(p + 6, NULL, 10), batch);
		expect_eq(strtol(h + 5, NULL, 10), 6 * batch);
		nr++;
	}
	return nr;
}

static void check_machine_pagesets(unsigned int mib, unsigned int cpus, bool want_cap)
{
	static const char *const names[] = { "DMA", "DMA32", "Normal", "Movable" };
	struct sf_topology t;
	struct machine *m;
	bool capped = false;

	sf_topology_simple(&t, 1, cpus, mib);
	m = test_machine(&t, NULL, STAGE_BUDDY);
	assert_nonnull(m);
	assert_true(dump_zoneinfo(m, buf, sizeof(buf)) < sizeof(buf));
	for (int z = 0; z < 4; z++) {
		pfn_t dma = t.zone_dma_end;
		pfn_t dma32 = t.zone_dma32_end > dma ? t.zone_dma32_end : dma;
		pfn_t mov = t.zone_movable_start > dma32 ? t.zone_movable_start : dma32;
		const pfn_t edge[] = { 0, dma, dma32, mov, SF_MAX_PFN };
		unsigned long present = present_in(&t, edge[z], edge[z + 1]);
		long batch = present / 1024 < 1 ? 1 : present / 1024 > 31 ? 31 : (long)present / 1024;
		char header[64];
		const char *zone;

		if (!present)
			continue;
		snprintf(header, sizeof(header), "Node 0, zone %8s\n", names[z]);
		zone = strstr(buf, header);
		assert_nonnull(zone);
		expect_eq(check_pagesets(zone, batch), cpus);
		capped |= present / 1024 > 31;
	}
	expect_eq(capped, want_cap);
	machine_destroy(m);
}

static void test_pageset_batch_small(void)
{
	check_machine_pagesets(1, 1, false);
	check_machine_pagesets(4, 2, false);
	check_machine_pagesets(64, 2, false);
}

/* The Normal zone is 3/4 of memory: 160 MiB gives it 30720 pages (30
 * batches, under the cap), 172 MiB 33024 (32: the first past it), 176 MiB
 * 33792. */
static void test_pageset_batch_capped(void)
{
	check_machine_pagesets(160, 2, false);
	check_machine_pagesets(172, 1, true);
	check_machine_pagesets(176, 2, true);
	check_machine_pagesets(256, 1, true);
}

int main(void)
{
	RUN(test_pageset_batch_small);
	RUN(test_pageset_batch_capped);
	return test_summary();
}
