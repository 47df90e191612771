/* SPDX-License-Identifier: MIT */
/*
 * emit-c: a program as a standalone C file that makes the core API calls
 * the interpreter makes for the program's target, and nothing else: the
 * target's prologue boot, each op of the target's set (the others are
 * skipped, as in the interpreter), check_machine() at the target's rate,
 * fuzz_boot's final boot and workload, and the end-of-run teardown and
 * checks. The interpreter's rules (which op may run in which context, which
 * reports it provokes on purpose) and a part of its oracles come with the
 * file as plain C (emit_rt.c, embedded at build time); docs/fuzzing.md says
 * which oracles. An op code the emitter does not know is an error.
 */
#include <string.h>

#include "emit.h"

static const char runtime_text[] = {
#include "emit_rt.inc"
};

static const char *const stage_enum[] = {
	"STAGE_NONE",	 "STAGE_EARLY",	  "STAGE_SPARSE",    "STAGE_BUDDY", "STAGE_SLAB_PARTIAL",
	"STAGE_SLAB_UP", "STAGE_IRQS_ON", "STAGE_TIMERS_ON", "STAGE_SMP_UP", "STAGE_RUNNING",
};
_Static_assert(sizeof(stage_enum) / sizeof(stage_enum[0]) == STAGE_RUNNING + 1,
	       "a name per boot stage");

static const char *stage_name(unsigned int s)
{
	return s <= STAGE_RUNNING ? stage_enum[s] : "STAGE_RUNNING";
}

/* A C string literal of s (NULL: the word NULL). */
static void emit_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("NULL", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			fprintf(f, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void emit_setup(FILE *f, const struct sf_program *p, unsigned int bugs)
{
	struct sf_topology t;

	sf_prog_topology(&p->h, &t);
	fprintf(f, "static void setup(struct sf_topology *t, struct sf_options *o)\n{\n");
	fprintf(f, "\tmemset(t, 0, sizeof(*t));\n\tmemset(o, 0, sizeof(*o));\n");
	fprintf(f, "\tt->nr_nodes = %u;\n\tt->nr_cpus = %u;\n\tt->boot_cpu = %u;\n", t.nr_nodes,
		t.nr_cpus, t.boot_cpu);
	for (unsigned int c = 0; c < t.nr_cpus; c++)
		fprintf(f, "\tt->cpu_node[%u] = %d;\n", c, t.cpu_node[c]);
	for (unsigned int a = 0; a < t.nr_nodes; a++)
		for (unsigned int b = 0; b < t.nr_nodes; b++)
			fprintf(f, "\tt->distance[%u][%u] = %u;\n", a, b, t.distance[a][b]);
	fprintf(f, "\tt->nr_ranges = %u;\n", t.nr_ranges);
	for (unsigned int i = 0; i < t.nr_ranges; i++)
		fprintf(f, "\tt->ranges[%u] = (struct sf_mem_range){ %#llx, %#llx, %d };\n", i,
			(unsigned long long)t.ranges[i].start_pfn,
			(unsigned long long)t.ranges[i].end_pfn, t.ranges[i].node);
	fprintf(f, "\tt->zone_dma_end = %#llx;\n\tt->zone_dma32_end = %#llx;\n",
		(unsigned long long)t.zone_dma_end, (unsigned long long)t.zone_dma32_end);
	fprintf(f, "\tt->zone_movable_start = %#llx;\n", (unsigned long long)t.zone_movable_start);
	fprintf(f, "\tt->max_order = %u;\n\tt->section_shift = %u;\n", t.max_order,
		t.section_shift);
	fprintf(f, "\tt->vmemmap_block_sections = %u;\n", t.vmemmap_block_sections);
	fprintf(f, "\to->bugs = %#x;\n\to->debug_level = %d;\n\to->memmap_together = %d;\n",
		bugs, p->h.debug_level, p->h.memmap_together ? 1 : 0);
	fprintf(f, "\to->slab_debug = ");
	emit_string(f, sf_prog_slab_debug(&p->h));
	fprintf(f, ";\n\to->seed = 1;\n}\n\n");
}

/* The node argument as the interpreter reads it (past the last: none). */
static int node_of(const struct sf_program *p, uint32_t a)
{
	return a >= p->h.nr_nodes ? SF_NO_NODE : (int)a;
}

/* A sched point as its enum name (the decoder keeps it in range). */
static const char *sp_name(uint32_t sp)
{
	return sched_point_name(sp < NR_SCHED_POINTS ? (enum sched_point)sp : SP_FREE_PAGES);
}

static const char *enum_arg(const struct sf_op *op, unsigned int i)
{
	return sf_op_specs[op->code].args[i].names[op->arg[i]];
}

/* The call of one op (a bool expression: did the interpreter run it?).
 * Returns -1 for an op code this emitter does not know. */
static int emit_call(FILE *f, const struct sf_program *p, const struct sf_op *op)
{
	const uint32_t *a = op->arg;
	unsigned int seed = 0x5eed0000u + (unsigned int)(op - p->ops);
	int h = op->result;

	switch ((enum sf_opcode)op->code) {
	case OP_BOOT:
		fprintf(f, "do_boot(%s)", stage_name(a[0]));
		break;
	case OP_ALLOC_PAGES:
		fprintf(f, "do_alloc_pages(%d, %#x, %u)", h, a[0], a[1]);
		break;
	case OP_ALLOC_PAGES_NODE:
		fprintf(f, "do_alloc_pages_node(%d, %d, %#x, %u)", h, node_of(p, a[0]), a[1], a[2]);
		break;
	case OP_GET_FREE_PAGES:
		fprintf(f, "do_get_free_pages(%d, %#x, %u)", h, a[0], a[1]);
		break;
	case OP_ALLOC_PAGES_EXACT:
		fprintf(f, "do_alloc_pages_exact(%d, %#x, %u)", h, a[0], a[1]);
		break;
	case OP_FREE:
		fprintf(f, "do_free(%u)", a[0]);
		break;
	case OP_DOUBLE_FREE:
		fprintf(f, "do_misuse(%u, -1)", a[0]);
		break;
	case OP_FREE_WRONG_ORDER:
		fprintf(f, "do_misuse(%u, %u)", a[0], a[1]);
		break;
	case OP_DRAIN_LOCAL:
		fprintf(f, "do_drain_local_pages()");
		break;
	case OP_DRAIN_ALL:
		fprintf(f, "do_drain_all_pages()");
		break;
	case OP_CPU:
		fprintf(f, "do_cpu(%u)", a[0]);
		break;
	case OP_IRQ_DISABLE:
		fprintf(f, "do_local_irq_disable()");
		break;
	case OP_IRQ_ENABLE:
		fprintf(f, "do_local_irq_enable()");
		break;
	case OP_IRQ_ENTER:
		fprintf(f, "do_irq_enter()");
		break;
	case OP_IRQ_EXIT:
		fprintf(f, "do_irq_exit()");
		break;
	case OP_PREEMPT_DISABLE:
		fprintf(f, "do_preempt_disable()");
		break;
	case OP_PREEMPT_ENABLE:
		fprintf(f, "do_preempt_enable()");
		break;
	case OP_TIMER:
		fprintf(f, "do_timer_set_pending(%u)", a[0]);
		break;
	case OP_FAIL_PAGE_ALLOC:
		fprintf(f, "do_fail_page_alloc(%u, %u, %u, %u, %u, %#x)", a[0], a[1], a[2], a[3],
			a[4], seed);
		break;
	case OP_FAIL_PAGE_ALLOC_OFF:
		fprintf(f, "do_fail_page_alloc_off()");
		break;
	case OP_CHECK:
		fprintf(f, "do_check()");
		break;
	case OP_DUMP:
		fprintf(f, "do_dump(%u)", a[0]);
		break;
	case OP_MEMBLOCK_ALLOC:
		fprintf(f, "do_memblock_alloc(%d, %d, %u)", h, node_of(p, a[0]), a[1]);
		break;
	case OP_MEMBLOCK_FREE:
		fprintf(f, "do_memblock_free(%u)", a[0]);
		break;
	case OP_PFN_WALK:
		fprintf(f, "do_pfn_walk(%#llx, %u)",
			(unsigned long long)(a[0] % (sf_prog_max_pfn(&p->h) + 64)), a[1]);
		break;
	case OP_IRQ_AT:
		fprintf(f, "do_arm(0, %s, %d, %#x, %u)", sp_name(a[0]), h, a[1], a[2]);
		break;
	case OP_IRQ_FREE_AT:
		fprintf(f, "do_arm(1, %s, -1, %u, 0)", sp_name(a[0]), a[1]);
		break;
	case OP_RESERVED27:
		/* No module of the interpreter runs it: skipped. */
		fprintf(f, "false");
		break;
	case OP_CACHE_CREATE:
		fprintf(f, "do_kmem_cache_create(%d, %u, %u, %u, %#x)", h, a[0], a[1], a[2], a[3]);
		break;
	case OP_CACHE_DESTROY:
		fprintf(f, "do_kmem_cache_destroy(%u)", a[0]);
		break;
	case OP_CACHE_ALLOC:
		fprintf(f, "do_kmem_cache_alloc(%d, %u, %#x, %d)", h, a[0], a[1], node_of(p, a[2]));
		break;
	case OP_CACHE_FREE:
	case OP_KFREE:
		fprintf(f, "do_kfree(%u)", a[0]);
		break;
	case OP_KMALLOC:
		fprintf(f, "do_kmalloc(%d, %u, %#x, %d, false)", h, a[0], a[1], node_of(p, a[2]));
		break;
	case OP_KZALLOC:
		fprintf(f, "do_kmalloc(%d, %u, %#x, -1, true)", h, a[0], a[1]);
		break;
	case OP_KCALLOC:
		fprintf(f, "do_kcalloc(%d, %u, %u, %#x)", h, a[0], a[1], a[2]);
		break;
	case OP_KREALLOC:
		fprintf(f, "do_krealloc(%d, %u, %u, %#x)", h, a[0], a[1], a[2]);
		break;
	case OP_CACHE_TUNE:
		fprintf(f, "do_kmem_cache_tune(%u, %u, %u, %u)", a[0], a[1], a[2], a[3]);
		break;
	case OP_CACHE_SHRINK:
		fprintf(f, "do_kmem_cache_shrink(%u)", a[0]);
		break;
	case OP_CACHE_VALIDATE:
		fprintf(f, "do_kmem_cache_validate(%u)", a[0]);
		break;
	case OP_ATTR_SHOW: {
		const char *attr = enum_arg(op, 1);
		/* total_objects, slabs and partial are read again with the
		 * other two (their consistency). */
		bool totals = !strcmp(attr, "total_objects") || !strcmp(attr, "slabs") ||
			      !strcmp(attr, "partial");

		fprintf(f, "do_attr_show(%u, \"%s\", %s)", a[0], attr, totals ? "true" : "false");
		break;
	}
	case OP_ATTR_STORE:
		fprintf(f, "do_attr_store(%u, \"%s\", \"%u\")", a[0], enum_arg(op, 1), a[2]);
		break;
	case OP_KMALLOC_IRQ_AT:
		fprintf(f, "do_arm(2, %s, %d, %u, %#x)", sp_name(a[0]), h, a[1], a[2]);
		break;
	case OP_FAILSLAB:
		fprintf(f, "do_failslab(%u, %u, %u, %u, %#x, ", a[0], a[1], a[2], a[3], seed);
		emit_string(f, sf_prog_failslab_filter(a[4]));
		fprintf(f, ")");
		break;
	case OP_FAILSLAB_OFF:
		fprintf(f, "do_failslab_off()");
		break;
	case OP_SLAB_DOUBLE_FREE:
		fprintf(f, "do_slab_double_free(%u)", a[0]);
		break;
	case OP_GET_ZEROED_PAGE:
		fprintf(f, "do_get_zeroed_page(%d, %#x)", h, a[0]);
		break;
	case OP_FREE_TAIL:
		fprintf(f, "do_free_tail_page(%u)", a[0]);
		break;
	case OP_FREE_RESERVED:
		fprintf(f, "do_free_reserved_page(%u, %#llx)", a[0],
			(unsigned long long)sf_prog_max_pfn(&p->h));
		break;
	case OP_FREE_FOREIGN:
		fprintf(f, "do_free_foreign(%u)", a[0]);
		break;
	case OP_IRQ_SAVE:
		fprintf(f, "do_local_irq_save()");
		break;
	case OP_IRQ_RESTORE:
		fprintf(f, "do_local_irq_restore()");
		break;
	case OP_TOPOLOGY_INVALID:
		fprintf(f, "do_machine_create_invalid(%u)", a[0]);
		break;
	case OP_KFREE_PAGE:
		fprintf(f, "do_kfree_page(%u)", a[0]);
		break;
	case OP_KFREE_FOREIGN:
		fprintf(f, "do_kfree_foreign()");
		break;
	case OP_CACHE_FREE_WRONG:
		fprintf(f, "do_kmem_cache_free_wrong(%u, %u)", a[0], a[1]);
		break;
	case OP_CACHE_FREE_INTERIOR:
		fprintf(f, "do_kmem_cache_free_interior(%u, %u)", a[0], a[1]);
		break;
	case OP_FREE_SLAB_PAGE:
		fprintf(f, "do_free_slab_page(%u)", a[0]);
		break;
	case OP_MEMBLOCK_ALLOC_INVALID:
		fprintf(f, "do_memblock_alloc_invalid(%u, %u)", a[0], a[1]);
		break;
	case OP_MEMBLOCK_DOUBLE_FREE:
		fprintf(f, "do_memblock_double_free(%u)", a[0]);
		break;
	case OP_CACHE_DESTROY_AGAIN:
		fprintf(f, "do_kmem_cache_destroy_again(%u)", a[0]);
		break;
	case OP_CORRUPT:
		fprintf(f, "do_corrupt(\"%s\", %u)", enum_arg(op, 0), a[1]);
		break;
	case OP_QUERY:
		fprintf(f, "do_query(%u, %u)", a[0], a[1]);
		break;
	case NR_OPCODES:
	default:
		return -1;
	}
	return 0;
}

int sf_emit_c(FILE *f, const struct sf_target *t, const struct sf_program *p, unsigned int bugs,
	      const char *title)
{
	static char text[1 << 18];

	for (unsigned int i = 0; i < p->nr_ops; i++)
		if (p->ops[i].code >= NR_OPCODES) {
			fprintf(stderr, "emit-c: op #%u: unknown op code %u\n", i, p->ops[i].code);
			return -1;
		}
	sf_prog_print(p, text, sizeof(text));
	fprintf(f, "/* Generated by slabfuzz emit-c (target %s). The program:\n", t->name);
	for (const char *s = text; *s;) {
		size_t l = strcspn(s, "\n");

		fprintf(f, " *   %.*s\n", (int)l, s);
		s += l;
		if (*s)
			s++;
	}
	fprintf(f, " * Build: cc -std=c11 -Icore/include THIS.c libslabfuzz_core.a -lpthread -lm\n"
		   " * Prints every BUG/WARN report; exits 1 at the first one the harness\n"
		   " * would not have provoked (\"finding ...\", and \"reproduced: TITLE\"\n"
		   " * when it is the one below), 0 when clean, 2 when the finding is a\n"
		   " * harness oracle this file does not check (docs/fuzzing.md).\n */\n");
	fprintf(f, "#include <errno.h>\n#include <stdbool.h>\n#include <stdint.h>\n#include <stdio.h>\n"
		   "#include <stdlib.h>\n#include <string.h>\n\n#include \"slabfuzz/slabfuzz.h\"\n\n");
	fprintf(f, "#define MAX_OPS %d\n#define NH %d\n", SF_PROG_MAX_OPS, SF_PROG_MAX_OPS + 8);
	fprintf(f, "#define NR_PAGE_H %u\n#define NR_MB_H %u\n#define NR_CACHE_H %u\n"
		   "#define NR_OBJ_H %u\n", p->nr_handles[HK_PAGE], p->nr_handles[HK_MEMBLOCK],
		p->nr_handles[HK_CACHE], p->nr_handles[HK_OBJ]);
	fprintf(f, "#define PROLOGUE %s\n#define WORKLOAD %d\n#define CHECK_EVERY %u\n"
		   "#define DEBUG_LEVEL %d\n\n", stage_name(t->prologue), t->workload ? 1 : 0,
		t->check_every, p->h.debug_level);
	fprintf(f, "/* The interpreter's finding on this input (\"\": none). */\n"
		   "static const char want[] = ");
	emit_string(f, title ? title : "");
	fprintf(f, ";\n\n");
	emit_setup(f, p, bugs);
	fputs(runtime_text, f);
	fprintf(f, "\nint main(void)\n{\n\tstart();\n");
	for (unsigned int i = 0; i < p->nr_ops; i++) {
		const struct sf_op *op = &p->ops[i];
		char line[256];

		sf_prog_print_op(p, op, line, sizeof(line));
		if (!((t->ops >> op->code) & 1)) {
			fprintf(f, "\t/* #%u %s: skipped, not a %s op */\n", i, line, t->name);
			continue;
		}
		fprintf(f, "\t/* #%u %s */\n\topi = %u;\n\tstep(", i, line, i);
		if (emit_call(f, p, op)) {
			fprintf(stderr, "emit-c: op #%u (%s): not handled by the emitter\n", i, line);
			return -1;
		}
		fprintf(f, ");\n");
	}
	fprintf(f, "\treturn finish();\n}\n");
	return 0;
}
