/* SPDX-License-Identifier: MIT */
/*
 * The whole-machine invariant checker, which fuzzers run after every
 * operation: check_machine() on the default machine (2 nodes, 4 cpus,
 * 64 MiB) booted to STAGE_RUNNING, idle and with 4096 kmalloc objects of
 * mixed sizes live, and on a small fuzz-sized machine (1 node, 2 cpus,
 * 4 MiB).
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
	for (int i = 0; i < NR_LIVE; i++)
		kfree(m, live[i]);
	machine_destroy(m);
	m = booted(&small);
	printf("check_machine small (1 node, 2 cpus, 4 MiB), idle:           %10.1f us\n",
	       bench_median_ns(check_loop, m, 50, 11) / 1000.0);
	machine_destroy(m);
	return 0;
}
