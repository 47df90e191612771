/* SPDX-License-Identifier: MIT */
/*
 * emit-c handles every op kind of the program format (ctest fuzz.emit_c.ops):
 * for each op code, a program ending with that op emits without error and
 * the op becomes a call of the runtime (reserved27, which the interpreter
 * skips, an explicit "false"); an unknown op code is an error.
 *   test_emit               the checks above
 *   test_emit --all-ops F   write a text program with every op kind to F
 *                           (tools/test_emit_c.sh compiles and runs its C)
 *   test_emit --emit-as PROGRAM TITLE OUT.c
 *                           its C as if the interpreter had found TITLE (the
 *                           verdicts of a title not seen, tools/test_emit_c.sh)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

#define SF_STR2(x) #x
#define SF_STR(x) SF_STR2(x)

static int fails;

static void fail(const char *what, unsigned int code)
{
	fprintf(stderr, "FAIL: op %u (%s): %s\n", code,
		code < NR_OPCODES ? sf_op_specs[code].name : "unknown", what);
	fails++;
}

static void add(struct sf_program *p, unsigned int code, uint32_t a0)
{
	struct sf_op *op = &p->ops[p->nr_ops++];

	memset(op, 0, sizeof(*op));
	op->code = (uint8_t)code;
	op->arg[0] = a0;
	op->result = -1;
}

/* A machine with memory, booted, and a handle of every kind (p0 m0 c0 o0)
 * for the ops that take one. */
static void base(struct sf_program *p)
{
	static const char text[] =
		"slabfuzz-program " SF_STR(SF_PROG_VERSION) "\n"
		"machine nodes=1 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "
		"memmap_together=0 debug=3 slab_debug=none\n"
		"cpu_nodes node0 node0\n"
		"range node0 0x0-0x400\n"
		"zones dma=0x80 dma32=0x200 movable=none\n"
		"m0 = memblock_alloc node0 size=64\n"
		"boot running\n"
		"p0 = alloc_pages GFP_KERNEL order=1\n"
		"c0 = kmem_cache_create cache0 size=64 align=0 flags=8\n"
		"o0 = kmem_cache_alloc c0 GFP_KERNEL any\n";
	char err[256];

	if (sf_prog_parse(text, p, err, sizeof(err))) {
		fprintf(stderr, "FAIL: base program: %s\n", err);
		exit(1);
	}
}

/* Give new result handles numbers; every op must survive. */
static void finish(struct sf_program *p, unsigned int code)
{
	unsigned int n = p->nr_ops;

	for (unsigned int i = 0; i < p->nr_ops; i++) {
		unsigned int k = sf_op_specs[p->ops[i].code].result;

		p->ops[i].result = k != HK_NONE ? (int32_t)p->nr_handles[k]++ : -1;
	}
	sf_prog_renumber(p);
	if (p->nr_ops != n)
		fail("dropped by renumbering", code);
}

static int all_ops(const char *path)
{
	static struct sf_program p;
	static char text[1 << 16];
	FILE *f;

	base(&p);
	memset(p.nr_handles, 0, sizeof(p.nr_handles));
	for (unsigned int code = 0; code < NR_OPCODES; code++)
		add(&p, code, code == OP_BOOT ? STAGE_RUNNING : 0);
	finish(&p, NR_OPCODES);
	for (unsigned int code = 0; code < NR_OPCODES; code++) {
		bool found = false;

		for (unsigned int i = 0; i < p.nr_ops; i++)
			found |= p.ops[i].code == code;
		if (!found)
			fail("not in the all-ops program", code);
	}
	if (sf_prog_print(&p, text, sizeof(text)) >= sizeof(text))
		fail("program text too long", NR_OPCODES);
	f = fopen(path, "wx");
	if (!f) {
		perror(path);
		return 1;
	}
	fprintf(f, "# target: program\n# every op kind (test_emit --all-ops)\n%s", text);
	if (fclose(f))
		return 1;
	return fails ? 1 : 0;
}

/* The C of program file in as if the interpreter had found title. */
static int emit_as(const char *in, const char *title, const char *out)
{
	static struct sf_program p;
	char err[256];
	FILE *f;
	int ret;

	if (sf_prog_load_file(in, &p, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	f = fopen(out, "wx");
	if (!f) {
		perror(out);
		return 1;
	}
	ret = sf_emit_c(f, sf_target_find("program"), &p, 0, title);
	return fclose(f) || ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct sf_program p;
	const struct sf_target *t = sf_target_find("program");

	if (argc == 3 && !strcmp(argv[1], "--all-ops"))
		return all_ops(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "--emit-as"))
		return emit_as(argv[2], argv[3], argv[4]);
	if (argc != 1) {
		fprintf(stderr, "usage: test_emit [--all-ops FILE | --emit-as PROGRAM TITLE OUT.c]\n");
		return 2;
	}
	for (unsigned int code = 0; code <= NR_OPCODES; code++) {
		char *out = NULL, want[64];
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		unsigned int last;
		int ret;

		base(&p);
		memset(p.nr_handles, 0, sizeof(p.nr_handles));
		add(&p, code < NR_OPCODES ? code : OP_CHECK, 0);
		finish(&p, code);
		last = p.nr_ops - 1;
		if (code == NR_OPCODES)
			p.ops[last].code = NR_OPCODES;	/* not an op of the format */
		ret = sf_emit_c(f, t, &p, 0, NULL);
		fclose(f);
		if (code == NR_OPCODES) {
			if (ret != -1)
				fail("an unknown op code emitted without error", code);
		} else if (ret) {
			fail("emit-c returned an error", code);
		} else {
			snprintf(want, sizeof(want), "\topi = %u;\n\tstep(%s", last,
				 code == OP_RESERVED27 ? "false)" : "do_");
			if (!strstr(out, want))
				fail("no runtime call emitted for it", code);
		}
		free(out);
	}
	if (fails) {
		fprintf(stderr, "%d failure(s)\n", fails);
		return 1;
	}
	printf("ok: %d op kinds emitted as calls, an unknown op code refused\n", NR_OPCODES);
	return 0;
}
