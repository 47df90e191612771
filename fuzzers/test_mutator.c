/* SPDX-License-Identifier: MIT */
/*
 * fuzzers/mutator.c outside libFuzzer (a stub LLVMFuzzerMutate flips one
 * bit chosen by a hash of the bytes): chains of mutations from seeded random inputs stay within
 * max_size, are deterministic in (input, seed), and the result always
 * decodes to a program whose canonical encoding decodes to itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static uint64_t state = 1;

static unsigned int rnd(void)
{
	state = state * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned int)(state >> 33);
}

/* Deterministic in the bytes, like the custom mutator must be in its seed. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
	uint32_t h = 2166136261u;

	if (!size)
		return 0;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	data[h % size] ^= (uint8_t)(1u << (h >> 29));
	return size < max_size ? size : max_size;
}

static uint8_t a[SF_PROG_BINARY_MAX], b[SF_PROG_BINARY_MAX], c[SF_PROG_BINARY_MAX];
static struct sf_program p1, p2;

int main(int argc, char **argv)
{
	unsigned int cases = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 200;
	unsigned long steps = 0;

	for (unsigned int n = 0; n < cases; n++) {
		size_t len = rnd() % 96, max = 64 + rnd() % 448;

		for (size_t i = 0; i < len; i++)
			a[i] = (uint8_t)rnd();
		for (unsigned int s = 0; s < 50; s++, steps++) {
			unsigned int seed = rnd();
			size_t la, lb, lc;

			memcpy(b, a, len);
			la = LLVMFuzzerCustomMutator(a, len, max, seed);
			lb = LLVMFuzzerCustomMutator(b, len, max, seed);
			if (la > max || la != lb || memcmp(a, b, la)) {
				fprintf(stderr, "case %u step %u: size %zu/%zu (max %zu) or "
					"not deterministic\n", n, s, la, lb, max);
				return 1;
			}
			sf_prog_decode(a, la, &p1);
			lc = sf_prog_encode(&p1, c, sizeof(c));
			sf_prog_decode(c, lc, &p2);
			if (sf_prog_encode(&p2, b, sizeof(b)) != lc || memcmp(b, c, lc)) {
				fprintf(stderr, "case %u step %u: canonical form unstable\n", n, s);
				return 1;
			}
			len = la;
		}
	}
	printf("%lu mutations, %u cases: ok\n", steps, cases);
	return 0;
}
