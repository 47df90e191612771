/* SPDX-License-Identifier: MIT */
/*
 * The cost of a snapshot restore against the boot it replaces:
 *  - create + boot to STAGE_RUNNING + destroy (what a fuzz input pays
 *    without a snapshot);
 *  - a small workload (64 order-0 pages and 64 kmalloc-128 objects taken and
 *    given back, a cache created and destroyed) then sf_snapshot_restore
 *    (what it pays with one: the restore undoes that workload);
 *  - the workload alone, to subtract;
 * for the default machine (2 nodes, 4 cpus, 64 MiB), a small one (1 node,
 * 2 cpus, 4 MiB) and a fuzz-seed-sized one (2 nodes, 2 cpus, 4 MiB), and
 * what the snapshot keeps. Median ns of 7 rounds.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "internal.h"
#include "slabfuzz/slabfuzz.h"

struct arg {
	struct sf_topology t;
	struct sf_snapshot *s;
	struct machine *m;
};

static void workload(struct machine *m)
{
	struct page *pages[64];
	void *objs[64];
	struct kmem_cache *s = kmem_cache_create(m, "bench", 200, 0, SLAB_NO_MERGE, NULL);

	for (int i = 0; i < 64; i++) {
		pages[i] = alloc_pages(m, GFP_KERNEL, 0);
		objs[i] = kmalloc(m, 128, GFP_KERNEL);
	}
	for (int i = 0; i < 64; i++) {
		if (pages[i])
			__free_pages(m, pages[i], 0);
		kfree(m, objs[i]);
	}
	kmem_cache_destroy(m, s);
}

static void work_restore(void *p, long iters)
{
	struct arg *a = p;

	for (long i = 0; i < iters; i++) {
		workload(a->m);
		sf_snapshot_restore(a->s);
	}
}

static void restore_only(void *p, long iters)
{
	struct arg *a = p;

	for (long i = 0; i < iters; i++)
		sf_snapshot_restore(a->s);
}

static void work_only(void *p, long iters)
{
	struct arg *a = p;

	for (long i = 0; i < iters; i++)
		workload(a->m);
}

static void one(const char *name, struct arg *a, long iters)
{
	double boot = bench_median_ns(bench_boot_destroy, &a->t, iters, 7), restore, work, clean;
	struct machine *m = machine_create(&a->t, NULL, NULL);

	if (!m || machine_boot(m, STAGE_RUNNING) || !(a->s = sf_snapshot_take(m))) {
		fprintf(stderr, "%s: no snapshot\n", name);
		exit(1);
	}
	a->m = sf_snapshot_machine(a->s);
	restore = bench_median_ns(work_restore, a, iters, 7);
	clean = bench_median_ns(restore_only, a, iters, 7);
	/* The workload from the snapshot without a restore after it drifts:
	 * measure it on the restored machine, restoring between rounds. */
	work = bench_median_ns(work_only, a, 1, 7);
	printf("%-34s boot %9.1f us  workload+restore %8.1f us  restore after nothing %7.1f us"
	       "  workload %7.1f us  restore/boot %.3f  snapshot %zu KiB\n",
	       name, boot / 1e3, restore / 1e3, clean / 1e3, work / 1e3,
	       (restore - work) / boot, sf_snapshot_bytes(a->s) >> 10);
	sf_snapshot_destroy(a->s);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200;
	struct arg a;

	printf("bench_snapshot (%s)\n", bench_build());
	sf_topology_default(&a.t);
	one("default (2 nodes, 4 cpus, 64 MiB)", &a, iters / 4 ? iters / 4 : 1);
	sf_topology_simple(&a.t, 1, 2, 4);
	one("small (1 node, 2 cpus, 4 MiB)", &a, iters);
	sf_topology_simple(&a.t, 2, 2, 4);
	one("fuzz-sized (2 nodes, 2 cpus, 4 MiB)", &a, iters);
	return 0;
}
