/* SPDX-License-Identifier: MIT */
/*
 * A small test harness. expect_* records a failure and goes on; assert_*
 * records it and leaves the current test. Each test file's main() runs its
 * tests with RUN() and returns test_summary().
 */
#ifndef SLABFUZZ_TEST_H
#define SLABFUZZ_TEST_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "slabfuzz/slabfuzz.h"

extern int test_failures;
extern int test_checks;
extern const char *test_current;
extern jmp_buf test_bail;

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define expect_true(c)                                                          \
	do {                                                                    \
		test_checks++;                                                  \
		if (!(c))                                                       \
			test_fail(__FILE__, __LINE__, "expected: %s", #c);      \
	} while (0)
#define expect_false(c) expect_true(!(c))
#define expect_eq(a, b)                                                         \
	do {                                                                    \
		long long va_ = (long long)(a), vb_ = (long long)(b);           \
		test_checks++;                                                  \
		if (va_ != vb_)                                                 \
			test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", \
				  #a, #b, va_, vb_);                            \
	} while (0)
#define expect_ne(a, b)                                                         \
	do {                                                                    \
		long long va_ = (long long)(a), vb_ = (long long)(b);           \
		test_checks++;                                                  \
		if (va_ == vb_)                                                 \
			test_fail(__FILE__, __LINE__, "%s != %s: both %lld",    \
				  #a, #b, va_);                                 \
	} while (0)
#define expect_null(p) expect_true((p) == NULL)
#define expect_nonnull(p) expect_true((p) != NULL)
#define expect_str_contains(hay, needle)                                        \
	do {                                                                    \
		test_checks++;                                                  \
		if (!strstr((hay), (needle)))                                   \
			test_fail(__FILE__, __LINE__, "\"%s\" not in \"%s\"",   \
				  (needle), (hay));                             \
	} while (0)

#define assert_true(c)                                                          \
	do {                                                                    \
		test_checks++;                                                  \
		if (!(c)) {                                                     \
			test_fail(__FILE__, __LINE__, "required: %s", #c);      \
			longjmp(test_bail, 1);                                  \
		}                                                               \
	} while (0)
#define assert_nonnull(p) assert_true((p) != NULL)

/* Run one test; assert_* longjmps back here. */
void test_run(const char *name, void (*fn)(void));
#define RUN(fn) test_run(#fn, fn)

/* Exit status for main(): 0 when every check passed and at least one ran. */
int test_summary(void);

/* A machine with the collect report handler, booted to stage; NULL on error. */
struct machine *test_machine(const struct sf_topology *t, const struct sf_options *opts,
			     enum boot_stage stage);

/* Deterministic rng for tests; the seed is printed by test_fail. */
extern uint64_t test_seed;
uint64_t test_rand(void);

/* BUG and WARN reports: INFO notices (misaligned zones...) do not count. */
#define test_errors(m) (sf_reports_of_kind((m), SF_REPORT_BUG) + sf_reports_of_kind((m), SF_REPORT_WARN))
/* Expect exactly n reports with this title, and no other BUG or WARN. */
#define expect_only_reports(m, title, n)                                       \
	do {                                                                    \
		expect_eq(sf_reports_count((m), (title)), (n));                \
		expect_eq(test_errors(m), (n));                                \
	} while (0)
#define expect_no_reports(m) expect_eq(test_errors(m), 0)

#endif
