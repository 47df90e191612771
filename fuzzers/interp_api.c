/* SPDX-License-Identifier: MIT */
/*
 * Op "query KIND n=N" (format version 4): the core API that only the unit
 * tests, the stress drivers and the tools called, each against the
 * harness's own expectation.
 *
 *   report_log        sf_reports_get and sf_reports_matching against the
 *                     harness's own count of the reports delivered: the
 *                     i-th distinct report is the i-th title it counted,
 *                     matching(title) the sum of its counts of the titles
 *                     that contain it; of_kind of a value that is no
 *                     kind (-2, -1, 3-5) 0
 *   bug_names         sf_bug_name and sf_bugs_parse: every historical bug
 *                     switch has its own name, which parses back to it
 *                     (alone and all in one list); an unknown name is
 *                     refused naming the field "bugs"; parsing changes no
 *                     switch of the machine
 *   topology_simple   sf_topology_simple with nodes, cpus and MiB from N:
 *                     what was asked, memory split evenly in ranges from
 *                     pfn 0, the zones, sections and cpus as its header
 *                     documents, and sf_topology_validate accepts it
 *   topology_default  sf_topology_default: 2 nodes, 4 cpus, 64 MiB, valid
 *   memory_pfn        memblock_is_memory_pfn of every pfn to past the end
 *                     of memory: exactly the pfns of the topology's ranges
 *   report_print      the default printer (sf_report_fprint into a memory
 *                     stream) of every distinct report logged, against the
 *                     harness's own rendering of its fields: nothing for
 *                     INFO, nothing for a WARN the harness counted more
 *                     than once, else "slabfuzz: " and the report
 *   cpu_bind          cpu_bind of cpu N mod (cpus + 2) - 1 (unbind, each
 *                     cpu, one past the last), then unbind twice: -EINVAL
 *                     past the last cpu, smp_processor_id the bound cpu
 *                     while bound and the harness's current cpu after, the
 *                     count of bound threads back where it was
 *   sched_points      sched_point_name and sched_point_hits of every point
 *                     and N mod 4 past the last: a distinct name and at
 *                     least the harness hook's count each, "?" and 0 past
 *   timers            timer_pending and timer_fired of cpus -2 to N mod 4
 *                     past the last: false and 0 outside the machine
 *
 * Findings: "HARNESS: report log differs from the reports delivered",
 * "HARNESS: bug switch names do not round-trip", "HARNESS: ready-made
 * topology differs from what was asked", "HARNESS: memblock memory differs
 * from the topology", "HARNESS: default report printer differs from the
 * report", "HARNESS: cpu binding differs from what was asked", "HARNESS:
 * sched point query differs from the hook", "HARNESS: timer query outside
 * the machine".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"
#include "internal.h"

static void report_log(struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_titles; i++) {
		const struct sf_report *rep = sf_reports_get(r->m, i);
		unsigned long want = 0;

		if (!rep || strcmp(rep->title, r->titles[i].title))
			run_fail(r, "HARNESS: report log differs from the reports delivered",
				 "distinct report %u is '%s', the harness counted '%s' there", i,
				 rep ? rep->title : "(none)", r->titles[i].title);
		for (unsigned int j = 0; j < r->nr_titles; j++)
			if (strstr(r->titles[j].title, rep->title))
				want += r->titles[j].n;
		if (sf_reports_matching(r->m, rep->title) != want)
			run_fail(r, "HARNESS: report log differs from the reports delivered",
				 "sf_reports_matching('%s') is %lu, the harness counts %lu", rep->title,
				 sf_reports_matching(r->m, rep->title), want);
	}
	/* A value that is no kind counts nothing (as the header says). */
	for (int k = -2; k < 6; k += k == -1 ? 4 : 1)
		if (sf_reports_of_kind(r->m, (enum sf_report_kind)k))
			run_fail(r, "HARNESS: report log differs from the reports delivered",
				 "sf_reports_of_kind(%d), no kind, is %lu", k,
				 sf_reports_of_kind(r->m, (enum sf_report_kind)k));
	/* The harness keeps RUN_MAX_TITLES titles: past them it cannot tell. */
	if (r->nr_titles < RUN_MAX_TITLES && sf_reports_get(r->m, i))
		run_fail(r, "HARNESS: report log differs from the reports delivered",
			 "distinct report %u is '%s'; the harness counted %u titles", i,
			 sf_reports_get(r->m, i)->title, r->nr_titles);
}

/* The historical bug switches (core/include/slabfuzz/topology.h). */
static const enum sf_bug all_bugs[] = {
	SF_BUG_VMEMMAP_REPOPULATE,   SF_BUG_BUDDY_MERGE_UNALIGNED, SF_BUG_SLAB_MEMORYLESS_BOOT,
	SF_BUG_SLAB_EARLY_IRQ_ENABLE, SF_BUG_SLAB_DMA_DUPLICATE,   SF_BUG_SLAB_RESIZE_RACE,
	SF_BUG_SLAB_SYSFS_RACE,
};
#define NR_ALL_BUGS (sizeof(all_bugs) / sizeof(all_bugs[0]))

static void bug_names(struct run *r)
{
	char list[512] = "";
	unsigned int bugs, all = 0, before = r->m->bugs;
	struct sf_error err;
	size_t len = 0;

	for (unsigned int i = 0; i < NR_ALL_BUGS; i++) {
		const char *name = sf_bug_name(all_bugs[i]);

		all |= all_bugs[i];
		memset(&err, 0, sizeof(err));
		if (!strcmp(name, "?") || sf_bugs_parse(name, &bugs, &err) || bugs != all_bugs[i])
			run_fail(r, "HARNESS: bug switch names do not round-trip",
				 "bug %#x: name '%s' parses to %#x (%s)", (unsigned int)all_bugs[i],
				 name, bugs, err.msg);
		for (unsigned int j = 0; j < i; j++)
			if (!strcmp(name, sf_bug_name(all_bugs[j])))
				run_fail(r, "HARNESS: bug switch names do not round-trip",
					 "bugs %#x and %#x are both '%s'", (unsigned int)all_bugs[j],
					 (unsigned int)all_bugs[i], name);
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? "," : "", name);
	}
	if (sf_bugs_parse(list, &bugs, &err) || bugs != all)
		run_fail(r, "HARNESS: bug switch names do not round-trip",
			 "'%s' parses to %#x, expected %#x", list, bugs, all);
	memset(&err, 0, sizeof(err));
	if (!sf_bugs_parse("vmemmap_repopulate,no_such_bug", &bugs, &err) ||
	    strcmp(err.field, "bugs") || strcmp(sf_bug_name((enum sf_bug)0), "?"))
		run_fail(r, "HARNESS: bug switch names do not round-trip",
			 "an unknown name was accepted, or refused naming '%s', or bug 0 is named",
			 err.field);
	if (r->m->bugs != before)
		run_fail(r, "HARNESS: bug switch names do not round-trip",
			 "parsing changed the machine's switches from %#x to %#x", before,
			 r->m->bugs);
}

static void check_ready_made(struct run *r, const struct sf_topology *t, unsigned int nodes,
			     unsigned int cpus, unsigned int mib, const char *what)
{
	pfn_t per_node = ((pfn_t)mib << (20 - SF_PAGE_SHIFT)) / nodes, pfn = 0, pages;
	unsigned int shift;
	struct sf_error err;

	memset(&err, 0, sizeof(err));
	if (sf_topology_validate(t, &err))
		run_fail(r, "HARNESS: ready-made topology differs from what was asked",
			 "%s refused: %s: %s", what, err.field, err.msg);
	if (t->nr_nodes != nodes || t->nr_cpus != cpus || t->nr_ranges != nodes)
		run_fail(r, "HARNESS: ready-made topology differs from what was asked",
			 "%s: %u nodes, %u cpus, %u ranges for %u nodes and %u cpus", what,
			 t->nr_nodes, t->nr_cpus, t->nr_ranges, nodes, cpus);
	/* The layout the header documents for the zones, sections and cpus. */
	pages = (pfn_t)mib << (20 - SF_PAGE_SHIFT);
	shift = 8;
	while (shift < 13 && ((pfn_t)1 << (shift + 1)) <= pages / 16)
		shift++;
	if (t->zone_dma_end != pages / 16 || t->zone_dma32_end != pages / 4 ||
	    t->zone_movable_start != SF_MAX_PFN || t->section_shift != shift ||
	    t->max_order != (shift + 1 < 11 ? shift + 1 : 11) || t->vmemmap_block_sections != 2)
		run_fail(r, "HARNESS: ready-made topology differs from what was asked",
			 "%s: zones dma %#llx dma32 %#llx movable %#llx, section_shift %u, "
			 "max_order %u, vmemmap blocks of %u for %llu pages", what,
			 (unsigned long long)t->zone_dma_end, (unsigned long long)t->zone_dma32_end,
			 (unsigned long long)t->zone_movable_start, t->section_shift, t->max_order,
			 t->vmemmap_block_sections, (unsigned long long)pages);
	for (unsigned int c = 0; c < cpus; c++)
		if (t->cpu_node[c] != (int)(c * nodes / cpus))
			run_fail(r, "HARNESS: ready-made topology differs from what was asked",
				 "%s: cpu %u on node %d, expected %u", what, c, t->cpu_node[c],
				 c * nodes / cpus);
	for (unsigned int n = 0; n < nodes; n++, pfn += per_node)
		if (t->ranges[n].start_pfn != pfn || t->ranges[n].end_pfn != pfn + per_node ||
		    t->ranges[n].node != (int)n)
			run_fail(r, "HARNESS: ready-made topology differs from what was asked",
				 "%s: range %u is node %d [%#llx, %#llx), expected node %u [%#llx, "
				 "+%#llx)", what, n, t->ranges[n].node,
				 (unsigned long long)t->ranges[n].start_pfn,
				 (unsigned long long)t->ranges[n].end_pfn, n, (unsigned long long)pfn,
				 (unsigned long long)per_node);
}

static void topology_simple(struct run *r, unsigned int n)
{
	unsigned int nodes = 1 + n % SF_PROG_MAX_NODES, cpus = 1 + (n / 4) % SF_PROG_MAX_CPUS;
	unsigned int mib = 1 + n / 32;
	struct sf_topology t;

	sf_topology_simple(&t, nodes, cpus, mib);
	check_ready_made(r, &t, nodes, cpus, mib, "sf_topology_simple");
}

static void topology_default(struct run *r)
{
	struct sf_topology t;

	sf_topology_default(&t);
	check_ready_made(r, &t, 2, 4, 64, "sf_topology_default");
}

static void memory_pfn(struct run *r)
{
	pfn_t end = sf_prog_max_pfn(&r->p->h) + 64;

	for (pfn_t pfn = 0; pfn < end; pfn++) {
		bool want = run_pfn_node(r, pfn) >= 0;

		if (memblock_is_memory_pfn(r->m, pfn) != want)
			run_fail(r, "HARNESS: memblock memory differs from the topology",
				 "memblock_is_memory_pfn(%#llx) is %d, the topology says %d",
				 (unsigned long long)pfn, !want, want);
	}
}

static void report_print(struct run *r)
{
	static const char *const kinds[] = {
		[SF_REPORT_BUG] = "BUG", [SF_REPORT_WARN] = "WARNING", [SF_REPORT_INFO] = "INFO",
	};
	static char want[SF_REPORT_TITLE_MAX + SF_REPORT_BODY_MAX + 512];

	for (unsigned int i = 0; i < r->nr_titles; i++) {
		const struct sf_report *rep = sf_reports_get(r->m, i);
		char pfn[32] = "-", *got = NULL;
		size_t len = 0;
		FILE *f;

		if (!rep)
			return;	/* report_log's finding */
		want[0] = 0;
		if (rep->kind == SF_REPORT_BUG || (rep->kind == SF_REPORT_WARN && r->titles[i].n == 1)) {
			if (rep->pfn >= 0)
				snprintf(pfn, sizeof(pfn), "0x%llx", (unsigned long long)rep->pfn);
			snprintf(want, sizeof(want),
				 "slabfuzz: %s\nkind: %s  op: %s  stage: %s  cpu: %d  node: %d  zone: "
				 "%s  pfn: %s\n%s\n", rep->title, kinds[rep->kind],
				 rep->op ? rep->op : "-", boot_stage_name((enum boot_stage)rep->stage),
				 rep->cpu, rep->node,
				 rep->zone >= 0 ? zone_type_name((enum zone_type)rep->zone) : "-", pfn,
				 rep->body);
		}
		f = open_memstream(&got, &len);
		if (!f)
			return;	/* host memory: nothing to compare */
		sf_report_fprint(r->m, rep, f);
		fclose(f);
		if (strcmp(got, want))
			run_fail(r, "HARNESS: default report printer differs from the report",
				 "report '%s' (kind %d, counted %lu) printed:\n%s\nthe harness:\n%s",
				 rep->title, rep->kind, r->titles[i].n, got, want);
		free(got);
	}
}

static void expect_bound_cpu(struct run *r, int want, int bound, const char *when)
{
	if (smp_processor_id(r->m) != want)
		run_fail(r, "HARNESS: cpu binding differs from what was asked",
			 "%s: smp_processor_id is %d, expected %d (bound %d, current cpu %d)", when,
			 smp_processor_id(r->m), want, bound, r->cur_cpu);
}

static void bind_cpu(struct run *r, unsigned int n)
{
	int nr = (int)r->topo.nr_cpus, cpu = (int)(n % (unsigned int)(nr + 2)) - 1;
	int bound_before = atomic_load(&r->m->nr_bound_threads);
	bool binds = cpu >= 0 && cpu < nr;
	int ret = cpu_bind(r->m, cpu), want = cpu >= nr ? -EINVAL : 0;

	if (ret != want || atomic_load(&r->m->nr_bound_threads) != bound_before + binds)
		run_fail(r, "HARNESS: cpu binding differs from what was asked",
			 "cpu_bind(%d) of %d cpus returned %d (expected %d), %d threads bound, "
			 "%d before", cpu, nr, ret, want, atomic_load(&r->m->nr_bound_threads),
			 bound_before);
	expect_bound_cpu(r, binds ? cpu : r->cur_cpu, cpu, "bound");
	for (int i = 0; i < 2; i++) {
		ret = cpu_bind(r->m, -1);
		if (ret || atomic_load(&r->m->nr_bound_threads) != bound_before)
			run_fail(r, "HARNESS: cpu binding differs from what was asked",
				 "unbind %d after cpu_bind(%d) returned %d, %d threads bound, %d "
				 "before", i, cpu, ret, atomic_load(&r->m->nr_bound_threads),
				 bound_before);
		expect_bound_cpu(r, r->cur_cpu, -1, "unbound");
	}
}

static void sched_points(struct run *r, unsigned int n)
{
	unsigned int end = NR_SCHED_POINTS + n % 4;

	for (unsigned int sp = 0; sp < end; sp++) {
		const char *name = sched_point_name((enum sched_point)sp);
		unsigned long hits = sched_point_hits(r->m, (enum sched_point)sp);
		bool valid = sp < NR_SCHED_POINTS, dup = false;

		for (unsigned int j = 0; valid && j < sp; j++)
			dup |= !strcmp(name, sched_point_name((enum sched_point)j));
		if (valid ? (dup || !strcmp(name, "?") || hits < r->sched_seen[sp])
			  : (strcmp(name, "?") || hits))
			run_fail(r, "HARNESS: sched point query differs from the hook",
				 "sched point %u of %d: name '%s'%s, %lu hits, the hook saw %lu", sp,
				 NR_SCHED_POINTS, name, dup ? " (twice)" : "", hits,
				 valid ? r->sched_seen[sp] : 0);
	}
}

static void timers(struct run *r, unsigned int n)
{
	int nr = (int)r->topo.nr_cpus;

	for (int cpu = -2; cpu < nr + (int)(n % 4); cpu++) {
		if (cpu >= 0 && cpu < nr)
			continue;
		if (timer_pending(r->m, cpu) || timer_fired(r->m, cpu))
			run_fail(r, "HARNESS: timer query outside the machine",
				 "cpu %d of %d: timer_pending %d, timer_fired %lu", cpu, nr,
				 timer_pending(r->m, cpu), timer_fired(r->m, cpu));
	}
}

/* KIND: the index of its name in program.c's query_names. */
static bool op_query(struct run *r, const struct sf_op *op)
{
	switch (op->arg[0]) {
	case 0:
		report_log(r);
		break;
	case 1:
		bug_names(r);
		break;
	case 2:
		topology_simple(r, op->arg[1]);
		break;
	case 3:
		topology_default(r);
		break;
	case 4:
		memory_pfn(r);
		break;
	case 5:
		report_print(r);
		break;
	case 6:
		bind_cpu(r, op->arg[1]);
		break;
	case 7:
		sched_points(r, op->arg[1]);
		break;
	default:
		timers(r, op->arg[1]);
		break;
	}
	return true;
}

static void api_irq_op(struct run *r, const struct sf_op *op)
{
	(void)r;
	(void)op;
}

static void api_nothing(struct run *r)
{
	(void)r;
}

static const op_fn api_op_table[NR_OPCODES] = {
	[OP_QUERY] = op_query,
};

const struct interp_module api_module = {
	"api", api_op_table, api_irq_op, api_nothing, api_nothing, NULL, NULL,
};
