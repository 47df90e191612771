/* SPDX-License-Identifier: MIT */
/*
 * AFL++ persistent-mode driver with shared-memory test cases
 * (afl-clang-fast). Without a fuzzer attached the AFL++ runtime reads
 * one input from stdin.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__AFL_FUZZ_INIT();

int main(int argc, char **argv)
{
	uint8_t *buf;

	LLVMFuzzerInitialize(&argc, &argv);
	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(10000)) {
		int len = __AFL_FUZZ_TESTCASE_LEN;

		LLVMFuzzerTestOneInput(buf, (size_t)len);
	}
	return 0;
}
