/* SPDX-License-Identifier: MIT */
/*
 * Page-level benchmarks:
 *  - create + boot to STAGE_RUNNING + destroy of the default machine
 *    (2 nodes, 4 cpus, 64 MiB): every fuzz execution pays this;
 *  - create + boot + destroy of a small fuzz-sized machine (1 node, 4 MiB);
 *  - an order-0 alloc_pages + __free_pages pair through the per-cpu list.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "slabfuzz/slabfuzz.h"

struct boot_arg {
	struct sf_topology t;
};

static void boot_destroy(void *p, long iters)
{
	struct boot_arg *a = p;

	for (long i = 0; i < iters; i++) {
		struct machine *m = machine_create(&a->t, NULL, NULL);

		if (!m || machine_boot(m, STAGE_RUNNING)) {
			fprintf(stderr, "boot failed\n");
			exit(1);
		}
		machine_destroy(m);
	}
}

static void pcp_pair(void *p, long iters)
{
	struct machine *m = p;

	for (long i = 0; i < iters; i++) {
		struct page *page = alloc_pages(m, GFP_KERNEL, 0);

		__free_pages(m, page, 0);
	}
}

int main(void)
{
	struct boot_arg def, small;
	struct machine *m;

	sf_topology_default(&def.t);
	sf_topology_simple(&small.t, 1, 2, 4);
	printf("build: %s\n", bench_build());
	printf("create+boot+destroy default (2 nodes, 4 cpus, 64 MiB): %10.1f us\n",
	       bench_median_ns(boot_destroy, &def, 20, 15) / 1000.0);
	printf("create+boot+destroy small   (1 node, 2 cpus, 4 MiB):   %10.1f us\n",
	       bench_median_ns(boot_destroy, &small, 50, 15) / 1000.0);
	m = machine_create(&def.t, NULL, NULL);
	if (!m || machine_boot(m, STAGE_RUNNING))
		return 1;
	pcp_pair(m, 1000);
	printf("alloc_pages+__free_pages order 0 (pcp list):          %10.1f ns\n",
	       bench_median_ns(pcp_pair, m, 200000, 11));
	machine_destroy(m);
	return 0;
}
