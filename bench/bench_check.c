/* SPDX-License-Identifier: MIT */
/*
 * The whole-machine invariant checker, which fuzzers run after every
 * operation: check_machine() on the default machine (2 nodes, 4 cpus,
 * 64 MiB) booted to STAGE_RUNNING, idle and with 4096 kmalloc objects of
 * mixed sizes live, and on a small fuzz-sized machine (1 node, 2 cpus,
 * 4 MiB); and check_machine_incremental() after one operation (a kmalloc
 * and kfree of 64 bytes, a page allocated and freed), as the fuzzers run it
 * between full checks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "slabfuzz/slabfuzz.h"

#define NR_LIVE 4096

static void check_loop(void *p, long iters)
{
	struct machine *m = p;

	for (long i = 0; i < iters; i++) {
		if (!check_machine(m)) {
			fprintf(stderr, "check_machine failed\n");
			exit(1);
		}
	}
}

/* One operation: a kmalloc and kfree, a page allocated and freed. */
static void op_loop(void *p, long iters)
{
	struct machine *m = p;

	for (long i = 0; i < iters; i++) {
		kfree(m, kmalloc(m, 64, GFP_KERNEL));
		free_pages(m, __get_free_pages(m, GFP_KERNEL, 0), 0);
	}
}

/* The operation, then the incremental check (never full: the check before
 * the loop made the view valid). */
static void incremental_loop(void *p, long iters)
{
	for (long i = 0; i < iters; i++) {
		op_loop(p, 1);
		if (!check_machine_incremental(p, ~0u)) {
			fprintf(stderr, "check_machine_incremental failed\n");
			exit(1);
		}
	}
}

/* The incremental check alone: the loop with it less the loop without. */
static double incremental_us(struct machine *m, long iters)
{
	double with, without;

	if (!check_machine(m)) {
		fprintf(stderr, "check_machine failed\n");
		exit(1);
	}
	with = bench_median_ns(incremental_loop, m, iters, 11);
	without = bench_median_ns(op_loop, m, iters, 11);
	return (with - without) / 1000.0;
}

static struct machine *booted(const struct sf_topology *t)
{
	struct machine *m = machine_create(t, NULL, NULL);

	if (!m || machine_boot(m, STAGE_RUNNING)) {
		fprintf(stderr, "boot failed\n");
		exit(1);
	}
	return m;
}

int main(void)
{
	static void *live[NR_LIVE];
	struct sf_topology def, small;
	struct machine *m;

	sf_topology_default(&def);
	sf_topology_simple(&small, 1, 2, 4);
	printf("build: %s\n", bench_build());
	m = booted(&def);
	printf("check_machine default (2 nodes, 4 cpus, 64 MiB), idle:       %10.1f us\n",
	       bench_median_ns(check_loop, m, 20, 11) / 1000.0);
	for (int i = 0; i < NR_LIVE; i++) {
		live[i] = kmalloc(m, 8u << (i % 9), GFP_KERNEL);
		if (!live[i]) {
			fprintf(stderr, "kmalloc failed\n");
			return 1;
		}
	}
	printf("check_machine default, %d kmalloc objects live:            %10.1f us\n", NR_LIVE,
	       bench_median_ns(check_loop, m, 20, 11) / 1000.0);
	printf("check_machine_incremental default, objects live, after 1 op: %10.1f us\n",
	       incremental_us(m, 200));
	for (int i = 0; i < NR_LIVE; i++)
		kfree(m, live[i]);
	machine_destroy(m);
	m = booted(&small);
	printf("check_machine small (1 node, 2 cpus, 4 MiB), idle:           %10.1f us\n",
	       bench_median_ns(check_loop, m, 50, 11) / 1000.0);
	printf("check_machine_incremental small, after 1 op:                 %10.1f us\n",
	       incremental_us(m, 500));
	machine_destroy(m);
	return 0;
}
