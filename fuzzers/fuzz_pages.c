/* SPDX-License-Identifier: MIT */
/* fuzz_pages: see fuzzers/interp.c (target table) and docs/fuzzing.md. */
#include "interp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sf_run_opts opts;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sf_fuzz_init(&opts);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return sf_fuzz_one("fuzz_pages", &opts, data, size);
}
