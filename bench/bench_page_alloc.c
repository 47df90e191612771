/* SPDX-License-Identifier: MIT */
/*
 * Page-level benchmarks:
 *  - create + boot to STAGE_RUNNING + destroy of the default machine
 *    (2 nodes, 4 cpus, 64 MiB): every fuzz execution pays this; beside it a
 *    memset of the default machine's memmap size (a struct page per pfn),
 *    the floor of any boot that writes the memmap once, and the ratio;
 *  - create + boot + destroy of a small fuzz-sized machine (1 node, 4 MiB);
 *  - an order-0 alloc_pages + __free_pages pair through the per-cpu list.
 * `bench_page_alloc --boots N` only runs N create+boot+destroy of the default
 * machine, for timing the whole process (CPU time, A/B against another build).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "internal.h"
#include "slabfuzz/slabfuzz.h"

struct boot_arg {
	struct sf_topology t;
};

struct memset_arg {
	void *buf;
	size_t size;
};

static void memset_memmap(void *p, long iters)
{
	struct memset_arg *a = p;

	for (long i = 0; i < iters; i++) {
		memset(a->buf, (int)i, a->size);
		__asm__ volatile("" : : "r"(a->buf) : "memory");
	}
}

/* Bytes of memmap of topology t: a struct page per pfn below its last range end. */
static size_t memmap_size(const struct sf_topology *t)
{
	pfn_t end = 0;

	for (unsigned int i = 0; i < t->nr_ranges; i++)
		if (t->ranges[i].end_pfn > end)
			end = t->ranges[i].end_pfn;
	return (size_t)end * sizeof(struct page);
}

static void pcp_pair(void *p, long iters)
{
	struct machine *m = p;

	for (long i = 0; i < iters; i++) {
		struct page *page = alloc_pages(m, GFP_KERNEL, 0);

		__free_pages(m, page, 0);
	}
}

int main(int argc, char **argv)
{
	struct boot_arg def, small;
	struct memset_arg ms;
	struct machine *m;
	double boot_ns, memset_ns;

	sf_topology_default(&def.t);
	sf_topology_simple(&small.t, 1, 2, 4);
	if (argc == 3 && !strcmp(argv[1], "--boots")) {
		char *end;
		long n = strtol(argv[2], &end, 10);

		if (*end || n <= 0) {
			fprintf(stderr, "bench_page_alloc: --boots needs a positive count\n");
			return 2;
		}
		bench_boot_destroy(&def.t, n);
		return 0;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: bench_page_alloc [--boots N]\n");
		return 2;
	}
	ms.size = memmap_size(&def.t);
	ms.buf = malloc(ms.size);
	if (!ms.buf)
		return 1;
	memset_memmap(&ms, 1);
	printf("build: %s\n", bench_build());
	boot_ns = bench_median_ns(bench_boot_destroy, &def.t, 20, 15);
	memset_ns = bench_median_ns(memset_memmap, &ms, 20, 15);
	printf("create+boot+destroy default (2 nodes, 4 cpus, 64 MiB): %10.1f us\n",
	       boot_ns / 1000.0);
	printf("memset of its memmap size (%zu KiB):                %10.1f us  (boot/memset %.1fx)\n",
	       ms.size >> 10, memset_ns / 1000.0, boot_ns / memset_ns);
	free(ms.buf);
	printf("create+boot+destroy small   (1 node, 2 cpus, 4 MiB):   %10.1f us\n",
	       bench_median_ns(bench_boot_destroy, &small.t, 50, 15) / 1000.0);
	m = machine_create(&def.t, NULL, NULL);
	if (!m || machine_boot(m, STAGE_RUNNING))
		return 1;
	pcp_pair(m, 1000);
	printf("alloc_pages+__free_pages order 0 (pcp list):          %10.1f ns\n",
	       bench_median_ns(pcp_pair, m, 200000, 11));
	machine_destroy(m);
	return 0;
}
