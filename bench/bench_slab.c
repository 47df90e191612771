/* SPDX-License-Identifier: MIT */
/*
 * Slab benchmarks, side by side in one run:
 *  - kmalloc(64)+kfree hitting the per-cpu queue, against glibc malloc+free
 *    and mimalloc mi_malloc+mi_free (when libmimalloc-dev is installed);
 *  - cost per object of the refill and flush slow paths (bursts larger than
 *    the per-cpu queue);
 *  - cost per object of a remote (alien) free: objects of node 1 freed from
 *    a cpu of node 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "slabfuzz/slabfuzz.h"

#ifdef SF_HAVE_MIMALLOC
#include <mimalloc.h>
static void *host_mi_malloc(size_t n) { return mi_malloc(n); }
static void host_mi_free(void *p) { mi_free(p); }
#define MI_ALLOC host_mi_malloc
#define MI_FREE host_mi_free
#else
#define MI_ALLOC NULL
#define MI_FREE NULL
#endif

struct host_alloc {
	void *(*alloc)(size_t);
	void (*free)(void *);
};

static void host_pair(void *p, long iters)
{
	struct host_alloc *h = p;

	for (long i = 0; i < iters; i++) {
		void *volatile x = h->alloc(64);

		h->free(x);
	}
}

static void kmalloc_pair(void *p, long iters)
{
	struct machine *m = p;

	for (long i = 0; i < iters; i++) {
		void *volatile x = kmalloc(m, 64, GFP_KERNEL);

		kfree(m, x);
	}
}

#define BURST 4096

struct burst_arg {
	struct machine *m;
	void **objs;
};

/* Allocate BURST objects then free them all: every queue-sized chunk
 * goes through refill on the way in and flush on the way out. */
static void burst(void *p, long iters)
{
	struct burst_arg *b = p;

	for (long i = 0; i < iters; i++) {
		for (int j = 0; j < BURST; j++)
			b->objs[j] = kmalloc(b->m, 64, GFP_KERNEL);
		for (int j = 0; j < BURST; j++)
			kfree(b->m, b->objs[j]);
	}
}

/* Objects allocated on a cpu of node 1, freed on a cpu of node 0 (alien). */
static void remote_free(void *p, long iters)
{
	struct burst_arg *b = p;

	for (long i = 0; i < iters; i++) {
		cpu_switch(b->m, 3);
		for (int j = 0; j < 256; j++)
			b->objs[j] = kmalloc(b->m, 64, GFP_KERNEL);
		cpu_switch(b->m, 0);
		for (int j = 0; j < 256; j++)
			kfree(b->m, b->objs[j]);
	}
}

static void local_free(void *p, long iters)
{
	struct burst_arg *b = p;

	for (long i = 0; i < iters; i++) {
		for (int j = 0; j < 256; j++)
			b->objs[j] = kmalloc(b->m, 64, GFP_KERNEL);
		for (int j = 0; j < 256; j++)
			kfree(b->m, b->objs[j]);
	}
}

int main(void)
{
	struct sf_topology t;
	struct machine *m;
	struct host_alloc glibc = { malloc, free }, mi = { MI_ALLOC, MI_FREE };
	struct burst_arg b;
	double ns;

	sf_topology_default(&t);
	m = machine_create(&t, NULL, NULL);
	if (!m || machine_boot(m, STAGE_RUNNING))
		return 1;
	b.m = m;
	b.objs = calloc(BURST, sizeof(void *));
	if (!b.objs)
		return 1;
	printf("build: %s\n", bench_build());
	printf("64-byte alloc+free pair, hot:\n");
	printf("  slabfuzz kmalloc+kfree (per-cpu queue) %8.1f ns\n",
	       bench_median_ns(kmalloc_pair, m, 1000000, 11));
	printf("  glibc malloc+free                      %8.1f ns\n",
	       bench_median_ns(host_pair, &glibc, 1000000, 11));
	if (mi.alloc)
		printf("  mimalloc mi_malloc+mi_free             %8.1f ns\n",
		       bench_median_ns(host_pair, &mi, 1000000, 11));
	else
		printf("  mimalloc: not built (libmimalloc-dev missing)\n");
	ns = bench_median_ns(burst, &b, 20, 11);
	printf("refill+flush slow paths: burst of %d, per object pair %8.1f ns\n", BURST,
	       ns / BURST);
	ns = bench_median_ns(local_free, &b, 2000, 11);
	printf("256 objects allocated and freed on one cpu, per pair %8.1f ns\n", ns / 256);
	ns = bench_median_ns(remote_free, &b, 2000, 11);
	printf("256 objects of node 1 freed on node 0 (alien), per pair %6.1f ns\n", ns / 256);
	free(b.objs);
	machine_destroy(m);
	return 0;
}
