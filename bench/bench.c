/* SPDX-License-Identifier: MIT */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slabfuzz/slabfuzz.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median_ns(void (*fn)(void *arg, long iters), void *arg, long iters, int rounds)
{
	double v[64];

	if (rounds > 64)
		rounds = 64;
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_now_ns();

		fn(arg, iters);
		v[r] = (double)(bench_now_ns() - t0) / (double)iters;
	}
	qsort(v, (size_t)rounds, sizeof(v[0]), cmp_double);
	return v[rounds / 2];
}

const char *bench_build(void)
{
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
	return "asan";
#endif
#endif
#ifdef NDEBUG
	return "release";
#else
	return "debug";
#endif
}

void bench_boot_destroy(void *topology, long iters)
{
	const struct sf_topology *t = topology;

	for (long i = 0; i < iters; i++) {
		struct machine *m = machine_create(t, NULL, NULL);

		if (!m || machine_boot(m, STAGE_RUNNING)) {
			fprintf(stderr, "boot failed\n");
			exit(1);
		}
		machine_destroy(m);
	}
}
