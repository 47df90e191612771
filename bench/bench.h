/* SPDX-License-Identifier: MIT */
/* Timing helpers for benchmarks: median of rounds, nanoseconds per op. */
#ifndef SLABFUZZ_BENCH_H
#define SLABFUZZ_BENCH_H

#include <stdint.h>

uint64_t bench_now_ns(void);
/* Run fn(arg, iters) `rounds` times; return the median ns per iteration. */
double bench_median_ns(void (*fn)(void *arg, long iters), void *arg, long iters, int rounds);
const char *bench_build(void);
/* iters times create + boot to STAGE_RUNNING + destroy a machine of the
 * struct sf_topology at topology (exits when a boot fails). */
void bench_boot_destroy(void *topology, long iters);

#endif
