/* SPDX-License-Identifier: MIT */
/*
 * The program format round-trips, over seeded random byte strings and over
 * every file named on the command line (corpus seeds, regressions):
 *
 *   bytes -> decode -> encode = canonical c
 *   c -> decode -> print = text t;  t -> parse -> encode = c   (binary -> text -> binary)
 *   t -> parse -> print = t                                    (text -> binary -> text)
 *   t -> parse -> encode -> decode -> print = t
 *
 * Random strings of every version (first byte 1 is version 1, 3 to 5 that
 * version, any other version 2, whose opcode bytes are modulo the
 * version 2 op count as before version 3 existed; a version 3 input's are
 * modulo the version 3 op count as before version 4 existed; a version 4
 * failslab has no filter byte) and of every length up to the largest binary
 * program. A failure prints the seed and
 * the case number; rerun one with: test_program --seed S --cases N.
 *
 *   test_program [--seed S] [--cases N] [FILE...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"

static struct sf_program p1, p2, p3;
static uint8_t c1[SF_PROG_BINARY_MAX], c2[SF_PROG_BINARY_MAX], c3[SF_PROG_BINARY_MAX];
static char t1[1 << 18], t2[1 << 18];
static unsigned long long seed = 1;
static unsigned int failures;

static uint64_t rng_state;

static uint64_t next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fail(const char *what, const char *name, const char *detail)
{
	failures++;
	fprintf(stderr, "FAIL %s: %s (seed %llu)\n%s%s", name, what, seed, detail ? detail : "",
		detail ? "\n" : "");
}

/* The properties for the canonical text t of a program (printed into t1). */
static void check_text(const char *name, const struct sf_program *p)
{
	char err[256];
	size_t n1, n2, n3;

	n1 = sf_prog_encode(p, c1, sizeof(c1));
	if (n1 > sizeof(c1)) {
		fail("encoding larger than SF_PROG_BINARY_MAX", name, NULL);
		return;
	}
	if (sf_prog_print(p, t1, sizeof(t1)) >= sizeof(t1)) {
		fail("text larger than the buffer", name, NULL);
		return;
	}
	/* binary -> text -> binary */
	if (sf_prog_parse(t1, &p2, err, sizeof(err))) {
		fail("printed text does not parse", name, err);
		fprintf(stderr, "%s", t1);
		return;
	}
	n2 = sf_prog_encode(&p2, c2, sizeof(c2));
	if (n2 != n1 || memcmp(c1, c2, n1)) {
		size_t at = 0;

		while (at < n1 && at < n2 && c1[at] == c2[at])
			at++;
		fprintf(stderr, "encodings of %zu and %zu bytes differ at byte %zu; ops %u vs %u\n",
			n1, n2, at, p->nr_ops, p2.nr_ops);
		fail("binary -> text -> binary differs", name, t1);
		return;
	}
	/* text -> text, and text -> binary -> text */
	sf_prog_print(&p2, t2, sizeof(t2));
	if (strcmp(t1, t2)) {
		fail("text -> parse -> print differs", name, t1);
		return;
	}
	sf_prog_decode(c2, n2, &p3);
	n3 = sf_prog_encode(&p3, c3, sizeof(c3));
	sf_prog_print(&p3, t2, sizeof(t2));
	if (strcmp(t1, t2) || n3 != n1 || memcmp(c1, c3, n1)) {
		fail("text -> binary -> text differs", name, t1);
		fprintf(stderr, "---- became\n%s", t2);
	}
}

static void check_bytes(const char *name, const uint8_t *data, size_t size)
{
	sf_prog_decode(data, size, &p1);
	if (size && (data[0] == 1 || (data[0] >= 3 && data[0] <= SF_PROG_VERSION)) &&
	    p1.version != data[0])
		fail("version byte 1 or 3 to the newest did not decode as that version", name, NULL);
	if (size && data[0] != 1 && (data[0] < 3 || data[0] > SF_PROG_VERSION) && p1.version != 2)
		fail("a version byte other than 1 and 3 to the newest did not decode as version 2",
		     name, NULL);
	for (unsigned int i = 0; i < p1.nr_ops; i++)
		if (p1.ops[i].code >= sf_prog_nr_opcodes(p1.version))
			fail("an op outside its version's op set", name, NULL);
	check_text(name, &p1);
}

/* Versions 3 and 4 added ops without moving the old ones: an opcode byte
 * past the version 2 op count still wraps to the same op in a version 2
 * input, modulo the version 3 count in a version 3 one (as before version
 * 4 existed) and modulo the whole count in a version 4 one. */
/* Does op parse in a one-node program of version v? (0: yes) */
static int parses(unsigned int v, const char *op)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "slabfuzz-program %u\nmachine nodes=1 cpus=1 boot=cpu0 max_order=9 "
		 "section_shift=9 vmemmap_block=1 memmap_together=0 debug=0 "
		 "slab_debug=none\ncpu_nodes node0\nrange node0 0-0x100\n"
		 "zones dma=0 dma32=0 movable=none\n%s\n", v, op);
	return sf_prog_parse(text, &p1, (char *)t1, sizeof(t1));
}

static void check_versions(void)
{
	static uint8_t b[SF_PROG_BINARY_MAX];
	unsigned int differ = 0, v4_new = 0;
	int v3_code;
	size_t n;

	sf_prog_decode((const uint8_t *)"\2", 1, &p1);
	n = sf_prog_encode(&p1, b, sizeof(b));
	for (unsigned int code = SF_PROG_V2_OPCODES + OP_CHECK; code < 256;
	     code += SF_PROG_V2_OPCODES) {
		/* Version 2: check, then a truncated boot. */
		b[0] = 2;
		b[n] = (uint8_t)code;
		b[n + 1] = 0;
		sf_prog_decode(b, n + 2, &p1);
		if (p1.version != 2 || p1.nr_ops != 1 || p1.ops[0].code != OP_CHECK)
			fail("a version 2 opcode byte changed meaning", "versions", NULL);
		/* Version 3: the op of code modulo its count (skipped when it
		 * names a handle, none exists). */
		b[0] = 3;
		sf_prog_decode(b, n + 2, &p1);
		if (p1.version != 3 || (p1.nr_ops && p1.ops[0].code != code % SF_PROG_V3_OPCODES))
			fail("a version 3 opcode byte is not modulo the version 3 op count",
			     "versions", NULL);
		differ += p1.nr_ops && p1.ops[0].code != OP_CHECK;
		b[0] = 4;
		sf_prog_decode(b, n + 2, &p1);
		if (p1.version != 4 || (p1.nr_ops && p1.ops[0].code != code % NR_OPCODES))
			fail("a version 4 opcode byte is not modulo the version 4 op count",
			     "versions", NULL);
	}
	if (!differ)
		fail("no opcode byte tells version 2 from version 3", "versions", NULL);
	/* Some opcode byte is corrupt in version 4 and another op in version 3. */
	for (unsigned int code = 0; code < 256; code++) {
		b[0] = 3;
		b[n] = (uint8_t)code;
		b[n + 1] = 0;
		b[n + 2] = 0;
		sf_prog_decode(b, n + 3, &p1);
		v3_code = p1.nr_ops ? p1.ops[0].code : -1;
		b[0] = 4;
		sf_prog_decode(b, n + 3, &p1);
		if (p1.nr_ops && p1.ops[0].code == OP_CORRUPT && v3_code != OP_CORRUPT)
			v4_new++;
	}
	if (!v4_new)
		fail("no opcode byte tells version 3 from version 4", "versions", NULL);
	if (!parses(2, "local_irq_save"))
		fail("a version 3 op parsed in a version 2 program", "versions", NULL);
	if (!parses(3, "corrupt free_order index=0"))
		fail("a version 4 op parsed in a version 3 program", "versions", NULL);
	if (parses(4, "corrupt free_order index=0"))
		fail("corrupt does not parse in a version 4 program", "versions", NULL);
	/* Version 5 added failslab's filter: a version 4 failslab keeps its
	 * four argument bytes (the next op keeps its meaning) and text. */
	b[0] = 4;
	b[n] = OP_FAILSLAB;
	b[n + 1] = 1;
	b[n + 2] = b[n + 3] = b[n + 4] = 0;
	b[n + 5] = OP_CHECK;
	sf_prog_decode(b, n + 6, &p1);
	if (p1.nr_ops != 2 || p1.ops[0].code != OP_FAILSLAB || p1.ops[0].arg[4] ||
	    p1.ops[1].code != OP_CHECK)
		fail("a version 4 failslab does not decode as before version 5", "versions", NULL);
	b[0] = 5;
	b[n + 5] = 1;
	sf_prog_decode(b, n + 6, &p1);
	if (p1.nr_ops != 1 || p1.ops[0].code != OP_FAILSLAB ||
	    strcmp(sf_prog_failslab_filter(p1.ops[0].arg[4]), "cache0"))
		fail("a version 5 failslab does not read its filter byte", "versions", NULL);
	if (!parses(4, "failslab nth=1 ppm=0 persistent=0 ignore_reclaim=0 filter=cache0"))
		fail("a failslab filter parsed in a version 4 program", "versions", NULL);
	if (parses(4, "failslab nth=1 ppm=0 persistent=0 ignore_reclaim=0"))
		fail("failslab without a filter does not parse in version 4", "versions", NULL);
	if (parses(5, "failslab nth=1 ppm=0 persistent=0 ignore_reclaim=0 filter=cache0"))
		fail("a failslab filter does not parse in version 5", "versions", NULL);
}

int main(int argc, char **argv)
{
	static uint8_t buf[SF_PROG_BINARY_MAX + 64];
	unsigned int cases = 4000;
	int files = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--cases") && i + 1 < argc) {
			cases = (unsigned int)strtoul(argv[++i], NULL, 0);
		} else {
			char err[512];

			files++;
			if (sf_prog_load_file(argv[i], &p1, err, sizeof(err))) {
				fail("does not load", argv[i], err);
				continue;
			}
			check_text(argv[i], &p1);
		}
	}
	check_versions();
	for (unsigned int c = 0; c < cases; c++) {
		char name[64];
		size_t size;
		uint64_t r;

		rng_state = seed * 1000003ull + c;
		r = next();
		/* Mostly short (small machines, few ops), some up to the maximum. */
		size = (r & 3) ? (size_t)(next() % 200) : (size_t)(next() % sizeof(buf));
		for (size_t i = 0; i < size; i++)
			buf[i] = (uint8_t)next();
		if (size && (r >> 8) % 6 == 0)
			buf[0] = 1;		/* version 1 */
		else if (size && (r >> 8) % 6 == 1)
			buf[0] = 2;
		else if (size && (r >> 8) % 6 == 2)
			buf[0] = 3;
		else if (size && (r >> 8) % 6 == 3)
			buf[0] = 4;
		else if (size && (r >> 8) % 6 == 4)
			buf[0] = SF_PROG_VERSION;
		snprintf(name, sizeof(name), "random case %u (%zu bytes)", c, size);
		check_bytes(name, buf, size);
		if (failures >= 5)
			break;
	}
	if (failures) {
		fprintf(stderr, "%u failures (seed %llu; rerun: %s --seed %llu)\n", failures, seed,
			argv[0], seed);
		return 1;
	}
	printf("round trip: %u random programs (seed %llu) and %d files\n", cases, seed, files);
	return 0;
}
