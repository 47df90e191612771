/* SPDX-License-Identifier: MIT */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

int test_failures;
int test_checks;
const char *test_current = "?";
jmp_buf test_bail;
uint64_t test_seed = 0x5eed5eedULL;
static uint64_t rng_state;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	test_failures++;
	fprintf(stderr, "FAIL %s (%s:%d, seed %" PRIu64 "): ", test_current, file, line,
		test_seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void test_run(const char *name, void (*fn)(void))
{
	test_current = name;
	if (!setjmp(test_bail))
		fn();
}

int test_summary(void)
{
	if (test_checks == 0) {
		fprintf(stderr, "no checks ran\n");
		return 1;
	}
	printf("%d checks, %d failed\n", test_checks, test_failures);
	return test_failures ? 1 : 0;
}

uint64_t test_rand(void)
{
	if (!rng_state)
		rng_state = test_seed ? test_seed : 1;
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct machine *test_machine(const struct sf_topology *t, const struct sf_options *opts,
			     enum boot_stage stage)
{
	struct sf_error err;
	struct machine *m = machine_create(t, opts, &err);

	if (!m) {
		test_fail(__FILE__, __LINE__, "machine_create: %s: %s", err.field, err.msg);
		return NULL;
	}
	sf_set_report_handler(m, sf_report_collect, NULL);
	if (machine_boot(m, stage)) {
		test_fail(__FILE__, __LINE__, "machine_boot to %s failed", boot_stage_name(stage));
		machine_destroy(m);
		return NULL;
	}
	return m;
}
