/* SPDX-License-Identifier: MIT */
/*
 * emit-c: the same program as plain calls into the core. The context rules
 * of the interpreter (interrupts enabled only where a kernel may, cpus only
 * when online, no double frees outside the misuse ops) become run-time
 * guards on the public API, so the file needs nothing but libslabfuzz_core.
 * Harness oracles (titles "HARNESS: ...") are not reproduced, but for the
 * boot oracle (a failed machine_boot the harness says had memory enough):
 * the file shows the core's reports. Injected interrupts become a sched hook. Slab
 * operations are real calls too (caches, objects, kmalloc family, tune,
 * shrink, validate, attributes, failslab, kmalloc in an injected interrupt).
 */
#include <string.h>

#include "emit.h"

static const char *stage_enum(unsigned int s)
{
	static const char *const names[] = { "STAGE_NONE",	   "STAGE_EARLY",  "STAGE_SPARSE",
					     "STAGE_BUDDY",	   "STAGE_SLAB_PARTIAL",
					     "STAGE_SLAB_UP",	   "STAGE_IRQS_ON",
					     "STAGE_TIMERS_ON",	   "STAGE_SMP_UP",
					     "STAGE_RUNNING" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "STAGE_RUNNING";
}

static void emit_header(FILE *f, const struct sf_program *p, unsigned int bugs)
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
	if (sf_prog_slab_debug(&p->h))
		fprintf(f, "\to->slab_debug = \"%s\";\n", sf_prog_slab_debug(&p->h));
	fprintf(f, "\to->seed = 1;\n}\n\n");
}

/* The interpreter's cache names, alignments and flag bits (interp_slab.c). */
static const char *const cache_names[] = { "cache0", "cache1", "cache2", "cache3",
					   "kmalloc-64", "kmem_cache_node", "dup", "dup" };
static const unsigned int aligns[] = { 0, 8, 16, 32, 64, 128, 4, 3 };
static const char *const attrs[] = {
	"object_size", "slab_size", "objs_per_slab", "order", "objects", "total_objects",
	"slabs", "partial", "cpu_queue_size", "batch", "shared", "alien", "aliases", "align",
	"cache_dma", "sanity_checks", "red_zone", "poison", "store_user", "validate", "shrink",
	"no_such_attr"
};
static const char *const wattrs[] = { "cpu_queue_size", "batch", "shared", "validate", "shrink",
				      "object_size" };

static void emit_cache_flags(FILE *f, unsigned int pf)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} map[] = { { 1, "SLAB_HWCACHE_ALIGN" },     { 2, "SLAB_CACHE_DMA" },
		    { 4, "SLAB_NO_MERGE" },	     { 8, "SLAB_CONSISTENCY_CHECKS" },
		    { 16, "SLAB_RED_ZONE" },	     { 32, "SLAB_POISON | SLAB_STORE_USER" } };
	bool any = false;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!(pf & map[i].bit))
			continue;
		fprintf(f, "%s%s", any ? " | " : "", map[i].name);
		any = true;
	}
	if (!any)
		fprintf(f, "0");
}

/* Slab operations: the interpreter's guards (slab available, live handles,
 * no destroy with objects left) as run-time checks. */
static void emit_slab_op(FILE *f, const struct sf_program *p, const struct sf_op *op)
{
	const uint32_t *a = op->arg;
	int node;

	switch ((enum sf_opcode)op->code) {
	case OP_CACHE_CREATE:
		fprintf(f, "	if (SLAB_READY) { kc[%d] = kmem_cache_create(m, \"%s\", %u, %u, ",
			op->result, cache_names[a[0] % 8], a[1], aligns[a[2] % 8]);
		emit_cache_flags(f, a[3]);
		fprintf(f, ", %s); kcf[%d] = %u; }\n", (a[3] & 64) ? "ctor" : "NULL", op->result,
			a[3]);
		break;
	case OP_CACHE_DESTROY:
		fprintf(f, "\tif (SLAB_READY && kc[%u] && !busy(kc[%u])) "
			   "{ kmem_cache_destroy(m, kc[%u]); kc[%u] = NULL; }\n",
			a[0], a[0], a[0], a[0]);
		break;
	case OP_CACHE_ALLOC:
		node = a[2] >= p->h.nr_nodes ? SF_NO_NODE : (int)a[2];
		fprintf(f, "\tif (SLAB_READY && kc[%u]) { ob[%d] = ", a[0], op->result);
		if (node == SF_NO_NODE)
			fprintf(f, "kmem_cache_alloc(m, kc[%u], %#x);", a[0], a[1]);
		else
			fprintf(f, "kmem_cache_alloc_node(m, kc[%u], %#x, %d);", a[0], a[1], node);
		fprintf(f, " obk[%d] = kc[%u]; obf[%d] = kcf[%u]; }\n", op->result, a[0],
			op->result, a[0]);
		break;
	case OP_CACHE_FREE:
	case OP_KFREE:
		fprintf(f, "\tif (SLAB_READY) ofree(m, %u);\n", a[0]);
		break;
	case OP_SLAB_DOUBLE_FREE:
		fprintf(f, "\tif (SLAB_READY && ob[%u] && obk[%u] && (obf[%u] & 8)) "
			   "{ struct kmem_cache *s = obk[%u]; void *x = ob[%u]; ofree(m, %u); "
			   "kmem_cache_free(m, s, x); }\n",
			a[0], a[0], a[0], a[0], a[0], a[0]);
		break;
	case OP_KMALLOC:
		node = a[2] >= p->h.nr_nodes ? SF_NO_NODE : (int)a[2];
		if (node == SF_NO_NODE)
			fprintf(f, "\tif (SLAB_READY) ob[%d] = kmalloc(m, %u, %#x);\n", op->result,
				a[0], a[1]);
		else
			fprintf(f, "\tif (SLAB_READY) ob[%d] = kmalloc_node(m, %u, %#x, %d);\n",
				op->result, a[0], a[1], node);
		break;
	case OP_KZALLOC:
		fprintf(f, "\tif (SLAB_READY) ob[%d] = kzalloc(m, %u, %#x);\n", op->result, a[0],
			a[1]);
		break;
	case OP_KCALLOC:
		fprintf(f, "\tif (SLAB_READY) ob[%d] = kcalloc(m, %u, %u, %#x);\n", op->result,
			a[0], a[1], a[2]);
		break;
	case OP_KREALLOC:
		fprintf(f, "\tif (SLAB_READY && ob[%u]) { void *x = krealloc(m, ob[%u], %u, %#x);\n"
			   "\t\tif (x) { if (%u) { ob[%d] = x; obk[%d] = x == ob[%u] ? obk[%u] : NULL; "
			   "obf[%d] = obk[%d] ? obf[%u] : 0; }\n"
			   "\t\t\tob[%u] = NULL; obk[%u] = NULL; } }\n",
			a[0], a[0], a[1], a[2], a[1], op->result, op->result, a[0], a[0], op->result,
			op->result, a[0], a[0], a[0]);
		break;
	case OP_CACHE_TUNE:
		fprintf(f, "\tif (SLAB_READY && kc[%u]) (void)kmem_cache_tune(m, kc[%u], %u, %u, %u);\n",
			a[0], a[0], a[1], a[2], a[3]);
		break;
	case OP_CACHE_SHRINK:
		fprintf(f, "\tif (SLAB_READY && kc[%u]) kmem_cache_shrink(m, kc[%u]);\n", a[0], a[0]);
		break;
	case OP_CACHE_VALIDATE:
		fprintf(f, "\tif (SLAB_READY && kc[%u]) (void)kmem_cache_validate(m, kc[%u]);\n",
			a[0], a[0]);
		break;
	case OP_ATTR_SHOW:
		fprintf(f, "\tif (machine_stage(m) >= STAGE_SLAB_UP && kc[%u]) (void)slab_attr_show(m, "
			   "kmem_cache_name(kc[%u]), \"%s\", buf, sizeof(buf));\n",
			a[0], a[0], attrs[a[1] % (sizeof(attrs) / sizeof(attrs[0]))]);
		break;
	case OP_ATTR_STORE:
		fprintf(f, "\tif (machine_stage(m) >= STAGE_SLAB_UP && kc[%u]) (void)slab_attr_store(m, "
			   "kmem_cache_name(kc[%u]), \"%s\", \"%u\");\n",
			a[0], a[0], wattrs[a[1] % (sizeof(wattrs) / sizeof(wattrs[0]))], a[2]);
		break;
	case OP_KMALLOC_IRQ_AT:
		fprintf(f, "\tif (SLAB_READY) { inj_sp = %u; inj_size = %u; inj_gfp = %#x; "
			   "inj_h = %d; inj_free = 2; }\n", a[0], a[1], a[2], op->result);
		break;
	case OP_FAILSLAB:
		fprintf(f, "\tif (SLAB_READY) { struct fault_attr fa = { .nth = %u, .persistent = %u, "
			   ".probability = %u, .seed = %#x, .ignore_gfp_reclaim = %u };\n"
			   "\t  failslab_set(m, %s); }\n",
			a[0], a[2], a[1] * 1000u, 0x5eed0000u + (unsigned int)(op - p->ops), a[3],
			(a[0] || a[1]) ? "&fa" : "NULL");
		break;
	case OP_FAILSLAB_OFF:
		fprintf(f, "\tif (SLAB_READY) failslab_set(m, NULL);\n");
		break;
	case OP_KFREE_PAGE:
		fprintf(f, "\tif (SLAB_READY && (pg[%u] || ex[%u])) "
			   "kfree(m, pg[%u] ? page_address(m, pg[%u]) : ex[%u]);\n",
			a[0], a[0], a[0], a[0], a[0]);
		break;
	case OP_KFREE_FOREIGN:
		fprintf(f, "\tif (SLAB_READY) kfree(m, buf);\n");
		break;
	case OP_CACHE_FREE_INTERIOR:
	case OP_FREE_SLAB_PAGE:
		fprintf(f, "\t/* %s o%u: needs the harness's slab layout, not emitted */\n",
			sf_op_specs[op->code].name, a[0]);
		break;
	case OP_CACHE_DESTROY_AGAIN:
		fprintf(f, "\t/* %s c%u: needs the harness's merge record, not emitted */\n",
			sf_op_specs[op->code].name, a[0]);
		break;
	case OP_CACHE_FREE_WRONG:
		fprintf(f, "\tif (SLAB_READY && kc[%u] && ob[%u] && obk[%u] && obk[%u] != kc[%u]) "
			   "kmem_cache_free(m, kc[%u], ob[%u]);\n",
			a[0], a[1], a[1], a[1], a[0], a[0], a[1]);
		break;
	default:
		fprintf(f, "\t/* %s: nothing to call */\n", sf_op_specs[op->code].name);
		break;
	}
}

static void emit_op(FILE *f, const struct sf_program *p, const struct sf_op *op)
{
	const uint32_t *a = op->arg;
	int node;

	switch ((enum sf_opcode)op->code) {
	case OP_BOOT:
		fprintf(f, "\tboot(m, %s);\n", stage_enum(a[0]));
		break;
	case OP_ALLOC_PAGES:
		fprintf(f, "\tpg[%d] = alloc_pages(m, %#x, %u); ord[%d] = %u;\n", op->result, a[0],
			a[1], op->result, a[1]);
		break;
	case OP_GET_FREE_PAGES:
		fprintf(f, "\tpg[%d] = virt_to_page(m, (void *)__get_free_pages(m, %#x, %u)); "
			   "ord[%d] = %u;\n", op->result, a[0], a[1], op->result, a[1]);
		break;
	case OP_ALLOC_PAGES_NODE:
		node = a[0] >= p->h.nr_nodes ? SF_NO_NODE : (int)a[0];
		fprintf(f, "\tpg[%d] = alloc_pages_node(m, %d, %#x, %u); ord[%d] = %u;\n",
			op->result, node, a[1], a[2], op->result, a[2]);
		break;
	case OP_ALLOC_PAGES_EXACT:
		fprintf(f, "\tex[%d] = alloc_pages_exact(m, %u, %#x); exsz[%d] = %u;\n", op->result,
			a[1], a[0], op->result, a[1]);
		break;
	case OP_FREE:
		fprintf(f, "\tput(m, %u);\n", a[0]);
		break;
	case OP_DOUBLE_FREE:
		fprintf(f, "\tif (pg[%u]) { struct page *x = pg[%u]; put(m, %u); "
			   "__free_pages(m, x, ord[%u]); }\n", a[0], a[0], a[0], a[0]);
		break;
	case OP_FREE_WRONG_ORDER:
		fprintf(f, "\tif (pg[%u] && ord[%u] != %u) __free_pages(m, pg[%u], %u);\n", a[0],
			a[0], a[1], a[0], a[1]);
		break;
	case OP_DRAIN_LOCAL:
		fprintf(f, "\tdrain_local_pages(m);\n");
		break;
	case OP_DRAIN_ALL:
		fprintf(f, "\tdrain_all_pages(m);\n");
		break;
	case OP_CPU:
		fprintf(f, "\tif (cpu_online(m, %u)) cpu_switch(m, %u);\n", a[0], a[0]);
		break;
	case OP_IRQ_DISABLE:
		fprintf(f, "\tlocal_irq_disable(m);\n");
		break;
	case OP_IRQ_ENABLE:
		fprintf(f, "\tif (machine_stage(m) >= STAGE_IRQS_ON && !in_interrupt(m)) "
			   "local_irq_enable(m);\n");
		break;
	case OP_IRQ_ENTER:
		fprintf(f, "\tif (!irqs_disabled(m) && depth[smp_processor_id(m)] < 2) "
			   "{ irq_enter(m); depth[smp_processor_id(m)]++; }\n");
		break;
	case OP_IRQ_EXIT:
		fprintf(f, "\tif (depth[smp_processor_id(m)]) "
			   "{ irq_exit(m); depth[smp_processor_id(m)]--; }\n");
		break;
	case OP_PREEMPT_DISABLE:
		fprintf(f, "\tif (pre[smp_processor_id(m)] < 3) "
			   "{ preempt_disable(m); pre[smp_processor_id(m)]++; }\n");
		break;
	case OP_PREEMPT_ENABLE:
		fprintf(f, "\tif (pre[smp_processor_id(m)]) "
			   "{ preempt_enable(m); pre[smp_processor_id(m)]--; }\n");
		break;
	case OP_TIMER:
		fprintf(f, "\ttimer_set_pending(m, %u);\n", a[0]);
		break;
	case OP_FAIL_PAGE_ALLOC:
		fprintf(f, "\t{ struct fault_attr fa = { .nth = %u, .persistent = %u, "
			   ".probability = %u, .seed = %#x, .ignore_gfp_reclaim = %u, "
			   ".min_order = %u };\n\t  fail_page_alloc_set(m, %s); }\n",
			a[0], a[2], a[1] * 1000u, 0x5eed0000u + (unsigned int)(op - p->ops), a[3],
			a[4], (a[0] || a[1]) ? "&fa" : "NULL");
		break;
	case OP_FAIL_PAGE_ALLOC_OFF:
		fprintf(f, "\tfail_page_alloc_set(m, NULL);\n");
		break;
	case OP_CHECK:
		fprintf(f, "\tcheck_machine(m);\n");
		break;
	case OP_DUMP:
		fprintf(f, "\tif (machine_stage(m) >= STAGE_BUDDY) dump_buddyinfo(m, buf, sizeof(buf));\n");
		break;
	case OP_MEMBLOCK_ALLOC:
		node = a[0] >= p->h.nr_nodes ? SF_NO_NODE : (int)a[0];
		fprintf(f, "\tmb[%d] = memblock_alloc_node(m, %u, 8, %d); mbsz[%d] = %u;\n",
			op->result, a[1], node, op->result, a[1]);
		break;
	case OP_MEMBLOCK_FREE:
		fprintf(f, "\tif (mb[%u] && machine_stage(m) < STAGE_BUDDY) "
			   "{ memblock_free(m, mb[%u], mbsz[%u]); mb[%u] = NULL; }\n",
			a[0], a[0], a[0], a[0]);
		break;
	case OP_PFN_WALK:
		fprintf(f, "\tfor (pfn_t pfn = %u; pfn < %u; pfn++) if (pfn_valid(m, pfn)) "
			   "(void)page_to_pfn(m, pfn_to_page(m, pfn));\n", a[0], a[0] + a[1]);
		break;
	case OP_IRQ_AT:
		fprintf(f, "\tinj_sp = %u; inj_gfp = %#x; inj_order = %u; inj_h = %d; "
			   "inj_free = 0;\n", a[0], a[1], a[2], op->result);
		break;
	case OP_IRQ_FREE_AT:
		fprintf(f, "\tinj_sp = %u; inj_h = %u; inj_free = 1;\n", a[0], a[1]);
		break;
	case OP_GET_ZEROED_PAGE:
		fprintf(f, "\tpg[%d] = virt_to_page(m, (void *)get_zeroed_page(m, %#x)); "
			   "ord[%d] = 0;\n", op->result, a[0], op->result);
		break;
	case OP_FREE_TAIL:
		fprintf(f, "\tif (pg[%u] && ord[%u]) "
			   "__free_pages(m, pfn_to_page(m, page_to_pfn(m, pg[%u]) + 1), 0);\n",
			a[0], a[0], a[0]);
		break;
	case OP_FREE_RESERVED:
		fprintf(f, "\tfor (pfn_t i = 0; machine_stage(m) >= STAGE_BUDDY && i < %llu; i++)\n"
			   "\t\tif (pfn_page_state(m, (%u + i) %% %llu) == SF_PAGE_RESERVED) "
			   "{ __free_pages(m, pfn_to_page(m, (%u + i) %% %llu), 0); break; }\n",
			(unsigned long long)sf_prog_max_pfn(&p->h), a[0],
			(unsigned long long)sf_prog_max_pfn(&p->h), a[0],
			(unsigned long long)sf_prog_max_pfn(&p->h));
		break;
	case OP_FREE_FOREIGN:
		fprintf(f, "\tif (machine_stage(m) >= STAGE_BUDDY) %s;\n",
			a[0] ? "__free_pages(m, (struct page *)buf, 0)" :
			       "free_pages(m, (unsigned long)buf, 0)");
		break;
	case OP_MEMBLOCK_ALLOC_INVALID:
		fprintf(f, "\tif (machine_stage(m) < STAGE_BUDDY) (void)memblock_alloc_node(m, %u, %s);\n",
			a[1], a[0] ? "8, machine_topology(m)->nr_nodes" : "24, SF_NO_NODE");
		break;
	case OP_MEMBLOCK_DOUBLE_FREE:
		fprintf(f, "\tif (mb[%u] && mbsz[%u] && machine_stage(m) < STAGE_BUDDY) "
			   "{ memblock_free(m, mb[%u], mbsz[%u]); memblock_free(m, mb[%u], mbsz[%u]); "
			   "mb[%u] = NULL; }\n", a[0], a[0], a[0], a[0], a[0], a[0], a[0]);
		break;
	case OP_TOPOLOGY_INVALID:
		fprintf(f, "\t/* machine_create_invalid: machine_create refuses a broken topology; "
			   "this machine is not touched */\n");
		break;
	case OP_IRQ_SAVE:
		fprintf(f, "\t{ int c = smp_processor_id(m); if (nsv[c] < 4) "
			   "sv[c][nsv[c]++] = local_irq_save(m) | depth[c] << 1; }\n");
		break;
	case OP_IRQ_RESTORE:
		fprintf(f, "\t{ int c = smp_processor_id(m); if (nsv[c] && "
			   "sv[c][nsv[c] - 1] >> 1 == depth[c]) "
			   "local_irq_restore(m, sv[c][--nsv[c]] & 1); }\n");
		break;
	default:
		emit_slab_op(f, p, op);
		break;
	}
}

int sf_emit_c(FILE *f, const struct sf_target *t, const struct sf_program *p, unsigned int bugs,
	      const char *title)
{
	static char text[1 << 18];
	unsigned int n = SF_PROG_MAX_OPS + 8;

	sf_prog_print(p, text, sizeof(text));
	fprintf(f, "/* Generated by slabfuzz emit-c (target %s). The program:\n", t->name);
	for (const char *s = text; *s;) {
		size_t l = strcspn(s, "\n");

		fprintf(f, " *   %.*s\n", (int)l, s);
		s += l;
		if (*s)
			s++;
	}
	fprintf(f, " * Build: cc -std=c11 -Icore/include THIS.c libslabfuzz_core.a -lpthread -lm\n */\n");
	fprintf(f, "#include <stdio.h>\n#include <string.h>\n#include \"slabfuzz/slabfuzz.h\"\n\n");
	fprintf(f, "static const char *want = %s%s%s;\nstatic int seen;\n", title ? "\"" : "",
		title ? title : "NULL", title ? "\"" : "");
	fprintf(f, "static struct page *pg[%u];\nstatic unsigned int ord[%u];\n", n, n);
	fprintf(f, "static void *ex[%u];\nstatic unsigned int exsz[%u];\n", n, n);
	fprintf(f, "static void *mb[%u];\nstatic unsigned int mbsz[%u];\n", n, n);
	fprintf(f, "static int depth[%d], pre[%d];\nstatic char buf[1 << 16];\n", SF_MAX_CPUS,
		SF_MAX_CPUS);
	fprintf(f, "static int sv[%d][4], nsv[%d];\n", SF_MAX_CPUS, SF_MAX_CPUS);
	fprintf(f, "static int inj_sp = -1, inj_h, inj_free, inj_busy;\n"
		   "static unsigned int inj_gfp, inj_order, inj_size;\n");
	fprintf(f, "static struct kmem_cache *kc[%u];\nstatic unsigned int kcf[%u];\n", n, n);
	fprintf(f, "static void *ob[%u];\nstatic struct kmem_cache *obk[%u];\n"
		   "static unsigned int obf[%u];\n"
		   "#define SLAB_READY (machine_stage(m) >= STAGE_SLAB_PARTIAL)\n\n", n, n, n);
	emit_header(f, p, bugs);
	fprintf(f,
		"static void on_report(struct machine *m, const struct sf_report *r, void *d)\n{\n"
		"\t(void)m;\n\t(void)d;\n"
		"\tif (r->kind == SF_REPORT_INFO)\n\t\treturn;\n"
		"\tprintf(\"report: %%s\\n\", r->title);\n"
		"\tif (want && !strcmp(r->title, want))\n\t\tseen = 1;\n}\n\n"
		"static void put(struct machine *m, int h)\n{\n"
		"\tif (pg[h]) { __free_pages(m, pg[h], ord[h]); pg[h] = NULL; }\n"
		"\tif (ex[h]) { free_pages_exact(m, ex[h], exsz[h]); ex[h] = NULL; }\n}\n\n"
		"static void ctor(void *x)\n{\n\tmemset(x, 0xc7, 1);\n}\n\n"
		"static void ofree(struct machine *m, int h)\n{\n"
		"\tif (!ob[h])\n\t\treturn;\n"
		"\tif (obk[h])\n\t\tkmem_cache_free(m, obk[h], ob[h]);\n"
		"\telse\n\t\tkfree(m, ob[h]);\n"
		"\tob[h] = NULL;\n\tobk[h] = NULL;\n}\n\n"
		"static int busy(struct kmem_cache *s)\n{\n"
		"\tfor (unsigned int i = 0; i < sizeof(ob) / sizeof(ob[0]); i++)\n"
		"\t\tif (ob[i] && obk[i] == s)\n\t\t\treturn 1;\n\treturn 0;\n}\n\n"
		"static void hook(struct machine *m, enum sched_point sp, int cpu, void *d)\n{\n"
		"\t(void)cpu;\n\t(void)d;\n"
		"\tif (inj_busy || (int)sp != inj_sp || irqs_disabled(m) || in_interrupt(m))\n"
		"\t\treturn;\n"
		"\tinj_sp = -1;\n\tinj_busy = 1;\n\tirq_enter(m);\n"
		"\tif (inj_free == 2)\n\t\tob[inj_h] = kmalloc(m, inj_size, inj_gfp), obk[inj_h] = NULL;\n"
		"\telse if (inj_free)\n\t\tput(m, inj_h);\n"
		"\telse\n\t\tpg[inj_h] = alloc_pages(m, inj_gfp, inj_order), ord[inj_h] = inj_order;\n"
		"\tirq_exit(m);\n\tinj_busy = 0;\n}\n\n"
		"static void boot(struct machine *m, enum boot_stage s)\n{\n"
		"\tif (smp_processor_id(m) == (int)machine_topology(m)->boot_cpu &&\n"
		"\t    !in_interrupt(m) && !pre[smp_processor_id(m)] &&\n"
		"\t    (machine_stage(m) < STAGE_IRQS_ON || !irqs_disabled(m))) {\n"
		"\t\tint ret = machine_boot(m, s);\n\n"
		"\t\t/* The harness found memory enough to boot this machine. */\n"
		"\t\tif (ret) {\n"
		"\t\t\tprintf(\"machine_boot(%%d) returned %%d\\n\", (int)s, ret);\n"
		"\t\t\tif (want && !strcmp(want, \"HARNESS: boot failed with memory available\"))\n"
		"\t\t\t\tseen = 1;\n"
		"\t\t}\n\t}\n}\n\n");
	fprintf(f, "int main(void)\n{\n\tstruct sf_topology t;\n\tstruct sf_options o;\n"
		   "\tstruct sf_error err;\n\tstruct machine *m;\n\n"
		   "\tsetup(&t, &o);\n\tm = machine_create(&t, &o, &err);\n"
		   "\tif (!m) {\n\t\tprintf(\"machine_create: %%s: %%s\\n\", err.field, err.msg);\n"
		   "\t\treturn 2;\n\t}\n"
		   "\tsf_set_report_handler(m, on_report, NULL);\n"
		   "\tsched_set_hook(m, hook, NULL);\n"
		   "\t(void)mb; (void)mbsz; (void)depth; (void)pre; (void)buf; (void)kcf; (void)obf;\n"
		   "\t(void)sv; (void)nsv;\n"
		   "\t(void)ctor;\n");
	if (t->prologue > STAGE_EARLY)
		fprintf(f, "\tboot(m, %s);\n", stage_enum(t->prologue));
	for (unsigned int i = 0; i < p->nr_ops; i++)
		emit_op(f, p, &p->ops[i]);
	fprintf(f, "\tsched_set_hook(m, NULL, NULL);\n"
		   "\tfor (int h = 0; h < %u; h++)\n\t\tput(m, h);\n"
		   "\tfor (int h = 0; h < %u; h++)\n\t\tofree(m, h);\n"
		   "\tfor (int h = 0; h < %u; h++)\n"
		   "\t\tif (kc[h] && !busy(kc[h]))\n\t\t\tkmem_cache_destroy(m, kc[h]);\n"
		   "\tcheck_machine(m);\n\tmachine_destroy(m);\n"
		   "\tif (want && seen) {\n\t\tprintf(\"reproduced: %%s\\n\", want);\n"
		   "\t\treturn 1;\n\t}\n"
		   "\tprintf(\"%%s\\n\", want ? \"not reproduced\" : \"clean\");\n"
		   "\treturn 0;\n}\n", n, n, n);
	return 0;
}
