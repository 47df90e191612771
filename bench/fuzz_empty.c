/* SPDX-License-Identifier: MIT */
/*
 * The empty fuzz target: the engine's own cost per execution, the ceiling
 * bench/throughput.sh compares the machine targets against. One branch on
 * the input so the engine sees an edge.
 */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned int sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == 'x')
		sink++;
	return 0;
}
