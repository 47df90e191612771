/* SPDX-License-Identifier: MIT */
/*
 * The interpreter core: the machine, failures and expected reports,
 * contexts (cpu, interrupts, preemption), injected interrupts, boot, fault
 * injection, checks and the end-of-run accounting. Operations dispatch
 * through the op modules' tables (interp_internal.h): the core ops here,
 * page-layer ops in interp_page.c, slab ops in interp_slab.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"

/* ---- failure ---- */

static char dump_buf[1 << 16];

/* The dumps of the machine's state, on stderr; when says at what point. */
static void dump_state(struct run *r, const char *when)
{
	struct machine *m = r->m;

	if (!m)
		return;
	fprintf(stderr, "---- state%s: stage %s, cpu %d\n", when, boot_stage_name(machine_stage(m)),
		smp_processor_id(m));
	if (machine_stage(m) >= STAGE_BUDDY) {
		dump_buddyinfo(m, dump_buf, sizeof(dump_buf));
		fprintf(stderr, "---- buddyinfo\n%s", dump_buf);
		dump_zoneinfo(m, dump_buf, sizeof(dump_buf));
		fprintf(stderr, "---- zoneinfo\n%s", dump_buf);
	}
	if (machine_stage(m) >= STAGE_SPARSE) {
		dump_memory_map(m, dump_buf, sizeof(dump_buf));
		fprintf(stderr, "---- memory map\n%s", dump_buf);
	}
	if (machine_stage(m) >= STAGE_SLAB_PARTIAL) {
		slab_dump(r, dump_buf, sizeof(dump_buf));
		fprintf(stderr, "---- slabinfo\n%s", dump_buf);
	}
}

static void print_state(struct run *r)
{
	if (r->o->dump_on_failure)
		dump_state(r, "");
}

static void print_where(struct run *r)
{
	char buf[256];

	if (r->phase && !strcmp(r->phase, "op") && r->op_index < r->p->nr_ops) {
		sf_prog_print_op(r->p, &r->p->ops[r->op_index], buf, sizeof(buf));
		fprintf(stderr, "slabfuzz: at op #%u: %s%s (target %s)\n", r->op_index, buf,
			r->in_hook ? " [in injected interrupt]" : "", r->t->name);
	} else {
		fprintf(stderr, "slabfuzz: during %s (target %s)\n", r->phase ? r->phase : "?",
			r->t->name);
	}
}

static _Noreturn void fail_report(struct run *r, const struct sf_report *rep);

_Noreturn void run_fail(struct run *r, const char *title, const char *fmt, ...)
{
	va_list ap;

	/* A report held back (a WARN, or anything in dump mode) came first. */
	if (r->deferred)
		fail_report(r, &r->deferred_report);
	run_snapshot_failed(r, title);
	fflush(stdout);
	fprintf(stderr, "slabfuzz: %s\n", title);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	print_where(r);
	print_state(r);
	fflush(stderr);
	abort();
}

static _Noreturn void fail_report(struct run *r, const struct sf_report *rep)
{
	static char buf[SF_REPORT_TITLE_MAX + SF_REPORT_BODY_MAX + 256];

	run_snapshot_failed(r, rep->title);
	fflush(stdout);
	fprintf(stderr, "slabfuzz: %s\n", sf_report_format(rep, buf, sizeof(buf)));
	print_where(r);
	print_state(r);
	fflush(stderr);
	abort();
}

/* ---- expectations ---- */

void run_expect(struct run *r, const char *title)
{
	if (r->nr_expect < RUN_MAX_EXPECT) {
		r->expect[r->nr_expect] = title;
		r->expect_where[r->nr_expect] = (struct run_where){ 0 };
		r->expect_seen[r->nr_expect++] = 0;
	}
}

/* The expectation of title, made when there is none; NULL when full. */
static struct run_where *expect_where_of(struct run *r, const char *title)
{
	for (unsigned int i = 0; i < r->nr_expect; i++)
		if (!strcmp(r->expect[i], title))
			return &r->expect_where[i];
	if (r->nr_expect == RUN_MAX_EXPECT)
		return NULL;
	run_expect(r, title);
	return &r->expect_where[r->nr_expect - 1];
}

void run_expect_at(struct run *r, const char *title, uint32_t nodes, int zone)
{
	struct run_where *w = expect_where_of(r, title);

	if (w)
		*w = (struct run_where){ nodes, true, zone, RUN_PFN_ANY };
}

/* title names no zone, and the pfn and node rule (RUN_PFN_*) says. */
void run_expect_pfn(struct run *r, const char *title, int rule)
{
	struct run_where *w = expect_where_of(r, title);

	if (w)
		*w = (struct run_where){ 0, true, -1, rule };
}

/* A node the expectation w names (a bit per node, up to 32). */
static bool where_names_node(const struct run_where *w, int node)
{
	return node >= 0 && node < 32 && ((w->nodes >> node) & 1);
}

void run_expect_clear(struct run *r)
{
	r->nr_expect = 0;
}

/* Titles with a cache name in them are expected as "BUG * (Not tainted): X". */
static bool title_match(const char *pat, const char *title)
{
	const char *star = strchr(pat, '*');
	size_t pre, post, tl;

	if (!star)
		return !strcmp(pat, title);
	pre = (size_t)(star - pat);
	post = strlen(star + 1);
	tl = strlen(title);
	return tl >= pre + post && !strncmp(pat, title, pre) &&
	       !strcmp(title + tl - post, star + 1);
}

unsigned long run_seen(const struct run *r, const char *title)
{
	for (unsigned int i = 0; i < r->nr_expect; i++)
		if (!strcmp(r->expect[i], title))
			return r->expect_seen[i];
	return 0;
}

/* ---- the context a report gives ---- */

void run_cpu_switch(struct run *r, int cpu)
{
	if (!cpu_switch(r->m, cpu))
		r->cur_cpu = cpu;
}

SF_NO_COVERAGE int run_pfn_node(const struct run *r, pfn_t pfn)
{
	for (unsigned int i = 0; i < r->topo.nr_ranges; i++)
		if (pfn >= r->topo.ranges[i].start_pfn && pfn < r->topo.ranges[i].end_pfn)
			return r->topo.ranges[i].node;
	return -1;
}

SF_NO_COVERAGE pfn_t run_end_pfn(const struct run *r)
{
	pfn_t end = 0;

	for (unsigned int i = 0; i < r->topo.nr_ranges; i++)
		if (r->topo.ranges[i].end_pfn > end)
			end = r->topo.ranges[i].end_pfn;
	return end;
}

SF_NO_COVERAGE void run_node_span(const struct sf_topology *t, int nid, pfn_t *start, pfn_t *end)
{
	*start = SF_MAX_PFN;
	*end = 0;
	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		if (t->ranges[i].node != nid)
			continue;
		*start = t->ranges[i].start_pfn < *start ? t->ranges[i].start_pfn : *start;
		*end = t->ranges[i].end_pfn > *end ? t->ranges[i].end_pfn : *end;
	}
}

SF_NO_COVERAGE bool run_node_has_normal(const struct run *r, int nid)
{
	for (unsigned int i = 0; i < r->topo.nr_ranges; i++)
		if (r->topo.ranges[i].node == nid &&
		    r->topo.ranges[i].start_pfn < r->topo.zone_movable_start)
			return true;
	return false;
}

SF_NO_COVERAGE enum zone_type run_pfn_zone(const struct run *r, pfn_t pfn)
{
	if (pfn < r->topo.zone_dma_end)
		return ZONE_DMA;
	if (pfn < r->topo.zone_dma32_end)
		return ZONE_DMA32;
	if (pfn < r->topo.zone_movable_start)
		return ZONE_NORMAL;
	return ZONE_MOVABLE;
}

/*
 * A report the run goes on after (INFO, provoked, a legitimate timer) must
 * name the cpu the harness made current (none before early boot: no cpu
 * exists yet), and its text must render its fields and the machine's stage
 * (a triager reads them). Node, zone and pfn are not checked against the
 * topology: a boundary report names the first pfn past its zone.
 */
static void check_report_context(struct run *r, const struct sf_report *rep)
{
	static const char *const kinds[] = {
		[SF_REPORT_BUG] = "BUG", [SF_REPORT_WARN] = "WARNING", [SF_REPORT_INFO] = "INFO",
	};
	static char text[SF_REPORT_TITLE_MAX + SF_REPORT_BODY_MAX + 256];
	enum boot_stage stage = machine_stage(r->m);
	int cpu = stage >= STAGE_EARLY ? r->cur_cpu : -1;
	char want[SF_REPORT_TITLE_MAX + 256];
	const char *why = rep->cpu != cpu ? "cpu" : NULL;

	if (!why) {
		char pfn[32] = "-";	/* the core's placeholder for no pfn */

		if (rep->pfn >= 0)
			snprintf(pfn, sizeof(pfn), "0x%llx", (unsigned long long)rep->pfn);
		snprintf(want, sizeof(want),
			 "%s\nkind: %s  op: %s  stage: %s  cpu: %d  node: %d  zone: %s  pfn: %s\n",
			 rep->title, (unsigned int)rep->kind < 3 ? kinds[rep->kind] : "?",
			 rep->op ? rep->op : "-", boot_stage_name(stage), cpu, rep->node,
			 rep->zone >= 0 ? zone_type_name((enum zone_type)rep->zone) : "-", pfn);
		sf_report_format(rep, text, sizeof(text));
		if (strncmp(text, want, strlen(want)))
			why = "text";
	}
	if (why)
		run_fail(r, "HARNESS: report context differs from the shadow",
			 "%s: report '%s' says stage %d cpu %d node %d zone %d pfn %lld; the harness: "
			 "stage %s cpu %d; the text:\n%s", why, rep->title, rep->stage, rep->cpu,
			 rep->node, rep->zone, (long long)rep->pfn, boot_stage_name(stage), cpu,
			 why[0] == 't' ? text : "");
}

/* The harness's own count of the reports delivered to it. */
static void count_report(struct run *r, const struct sf_report *rep)
{
	unsigned int i;

	if ((unsigned int)rep->kind < 3)
		r->reports_by_kind[rep->kind]++;
	for (i = 0; i < r->nr_titles; i++)
		if (!strcmp(r->titles[i].title, rep->title))
			break;
	if (i == r->nr_titles) {
		if (i == RUN_MAX_TITLES)
			return;
		snprintf(r->titles[i].title, sizeof(r->titles[i].title), "%s", rep->title);
		r->nr_titles++;
	}
	r->titles[i].n++;
}

/*
 * The machine's report log (sf_reports_*: what triage and the tools read)
 * holds every report delivered: the total, each kind and each title the
 * harness counted (the log keeps 64 titles; the harness counts 16).
 */
static void check_report_log(struct run *r)
{
	unsigned long total = 0;

	for (int k = 0; k < 3; k++) {
		total += r->reports_by_kind[k];
		if (sf_reports_of_kind(r->m, (enum sf_report_kind)k) != r->reports_by_kind[k])
			run_fail(r, "HARNESS: report log differs from the reports delivered",
				 "kind %d: the log counts %lu, the harness %lu", k,
				 sf_reports_of_kind(r->m, (enum sf_report_kind)k),
				 r->reports_by_kind[k]);
	}
	if (sf_reports_total(r->m) != total)
		run_fail(r, "HARNESS: report log differs from the reports delivered",
			 "total: the log counts %lu, the harness %lu", sf_reports_total(r->m), total);
	for (unsigned int i = 0; i < r->nr_titles; i++)
		if (sf_reports_count(r->m, r->titles[i].title) != r->titles[i].n)
			run_fail(r, "HARNESS: report log differs from the reports delivered",
				 "'%s': the log counts %lu, the harness %lu", r->titles[i].title,
				 sf_reports_count(r->m, r->titles[i].title), r->titles[i].n);
}

static void modules_on_report(struct run *r, const struct sf_report *rep);

/*
 * Every report's fields in their ranges: a known kind and stage, cpu -1 or
 * a cpu of the topology, node -1 or one of its nodes, zone -1 or a zone
 * index, pfn -1 or at most the end of memory (a boundary report names the
 * first pfn past its zone). A node outside them only where the harness
 * predicted that very node (a misuse that names the node it was given).
 */
static void check_report_fields(struct run *r, const struct sf_report *rep,
				const struct run_where *w)
{
	pfn_t end = run_end_pfn(r);
	const char *bad = NULL;

	if ((unsigned int)rep->kind >= 3)
		bad = "kind";
	else if (rep->stage < 0 || rep->stage >= NR_BOOT_STAGES)
		bad = "stage";
	else if (rep->cpu < -1 || rep->cpu >= (int)r->topo.nr_cpus)
		bad = "cpu";
	else if ((rep->node < -1 || rep->node >= (int)r->topo.nr_nodes) &&
		 !(w && where_names_node(w, rep->node)))
		bad = "node";
	else if (rep->zone < -1 || rep->zone >= MAX_NR_ZONES)
		bad = "zone";
	else if (rep->pfn < -1 || rep->pfn > (int64_t)end)
		bad = "pfn";
	if (bad)
		run_fail(r, "HARNESS: report field out of range",
			 "%s: report '%s' kind %d stage %d cpu %d node %d zone %d pfn %lld; the "
			 "topology: %u cpus, %u nodes, memory ends at pfn %#llx", bad, rep->title,
			 (int)rep->kind, rep->stage, rep->cpu, rep->node, rep->zone,
			 (long long)rep->pfn, r->topo.nr_cpus, r->topo.nr_nodes,
			 (unsigned long long)end);
}

/* An expected report at the node and zone the harness predicted for it. */
static void check_report_where(struct run *r, const struct sf_report *rep,
			       const struct run_where *w)
{
	bool node_ok = !w->nodes || where_names_node(w, rep->node);

	if (w->pfn != RUN_PFN_ANY) {
		int want = rep->pfn >= 0 ? run_pfn_node(r, (pfn_t)rep->pfn) : -1;
		bool ok = w->pfn == RUN_PFN_NONE ? rep->pfn == -1 && rep->node == -1 :
						   rep->pfn >= 0 && want >= 0 && rep->node == want;

		if (!ok)
			run_fail(r, "HARNESS: report context differs from the shadow",
				 "pfn: report '%s' says node %d pfn %lld; the harness: %s (the "
				 "topology puts that pfn on node %d)", rep->title, rep->node,
				 (long long)rep->pfn, w->pfn == RUN_PFN_NONE ? "no pfn, no node" :
				 "a pfn of memory and its node", want);
	}
	if (node_ok && (!w->zone_set || rep->zone == w->zone))
		return;
	run_fail(r, "HARNESS: report context differs from the shadow",
		 "%s: report '%s' says node %d zone %d; the harness: nodes %#x zone %d",
		 node_ok ? "zone" : "node", rep->title, rep->node, rep->zone, w->nodes,
		 w->zone_set ? w->zone : -1);
}

static const struct interp_module *op_module(unsigned int code);

/*
 * A report that names a gfp by its flags (core's gfp_format) names that
 * gfp: the names parse back (sf_gfp_parse, the program format's names) to
 * the mode it prints beside them, or hold the flags the title is about.
 */
#define GFP_NAMES_MAX 767	/* a token of a body: the scanf widths below */
_Static_assert(GFP_NAMES_MAX + 1 >= SF_REPORT_BODY_MAX, "a body's token fits");

static void check_report_gfp(struct run *r, const struct sf_report *rep)
{
	char names[GFP_NAMES_MAX + 1] = "";
	unsigned int mode = 0;
	gfp_t parsed = 0, want = 0, any = 0;
	const char *at = NULL;
	bool ok, have_mode = false;

	if (!strcmp(rep->title, "INFO: page allocation failure")) {
		at = strstr(rep->body, "mode:");
		ok = at && sscanf(at, "mode:%x(%767[^)])", &mode, names) == 2;
		have_mode = true;
	} else if (!strcmp(rep->title, "WARNING: invalid gfp zone modifiers")) {
		at = strstr(rep->body, "gfp ");
		ok = at && sscanf(at, "gfp %767s", names) == 1;
		want = __GFP_DMA | __GFP_DMA32;
	} else if (!strcmp(rep->title, "WARNING: Unexpected gfp in kmalloc")) {
		at = strstr(rep->body, "gfp ");
		ok = at && sscanf(at, "gfp %767[^:]", names) == 1;
		/* kmalloc takes neither __GFP_DMA32 nor bits outside the mask */
		any = __GFP_DMA32 | ~(gfp_t)__GFP_BITS_MASK;
	} else {
		return;
	}
	if (ok && !sf_gfp_parse(names, &parsed) && (!have_mode || parsed == mode) &&
	    (parsed & want) == want && (!any || (parsed & any)))
		return;
	run_fail(r, "HARNESS: report names another gfp",
		 "'%s': the body says\n%sits flags '%s' parse to %#x%s", rep->title, rep->body,
		 names, parsed, have_mode ? ", not the mode beside them" : ", without the flags "
		 "the title is about");
}

/*
 * A report whose body the harness predicts: might_sleep's names the
 * context as the harness's record of the current cpu has it, the kernel's
 * in_atomic() (preempt count) and in_interrupt() (interrupt depth) always,
 * irqs_disabled() for a page op (a slab op's new slab turns interrupts on
 * around the page allocation for a blocking gfp, core/slab_cpu.c).
 */
static void check_report_body(struct run *r, const struct sf_report *rep)
{
	const struct cpu_shadow *c = run_cpu(r);
	const struct sf_op *op = r->in_hook ? r->inj.op :
				 r->op_index < r->p->nr_ops ? &r->p->ops[r->op_index] : NULL;
	bool page_op = op && op_module(op->code) == &page_module;
	const char *at = strstr(rep->body, "in_atomic(): ");
	int atomic = -1, irqs = -1, intr = -1;

	if (strcmp(rep->title, "BUG: sleeping function called from invalid context"))
		return;
	if (at && sscanf(at, "in_atomic(): %d, irqs_disabled(): %d, in_interrupt(): %d,", &atomic,
			 &irqs, &intr) == 3 && atomic == (c->preempt > 0) &&
	    intr == (c->irq_depth > 0) && (!page_op || irqs == !c->irqs_on))
		return;
	run_fail(r, "HARNESS: report body differs from the shadow",
		 "'%s': the body says\n%sthe harness expects in_atomic() %d, irqs_disabled() %s, "
		 "in_interrupt() %d", rep->title, rep->body, c->preempt > 0,
		 page_op ? (c->irqs_on ? "0" : "1") : "any (a slab op)", c->irq_depth > 0);
}

/* The expectation rep fulfils, counted; -1 when none. */
static int expect_match(struct run *r, const struct sf_report *rep)
{
	for (unsigned int i = 0; i < r->nr_expect; i++) {
		if (title_match(r->expect[i], rep->title)) {
			r->expect_seen[i]++;
			return (int)i;
		}
	}
	return -1;
}

static void on_report(struct machine *m, const struct sf_report *rep, void *data)
{
	struct run *r = data;
	int e = expect_match(r, rep);
	const struct run_where *w = e >= 0 ? &r->expect_where[e] : NULL;

	(void)m;
	count_report(r, rep);
	check_report_fields(r, rep, w);
	check_report_gfp(r, rep);
	if (w) {
		check_report_where(r, rep, w);
		check_report_body(r, rep);
	}
	if (rep->kind == SF_REPORT_INFO) {
		check_report_context(r, rep);
		return;
	}
	if (w) {
		if (!r->nr_caught++)
			r->caught = *rep;
		check_report_context(r, rep);
		modules_on_report(r, rep);
		return;
	}
	/* The harness made a timer pending; once interrupts are on (and before
	 * timers are) it fires legitimately. Before IRQS_ON it is incident 2. */
	if (!strcmp(rep->title, "BUG: timer interrupt before timer init") &&
	    rep->stage >= STAGE_IRQS_ON) {
		check_report_context(r, rep);
		return;
	}
	/*
	 * A WARN lets the call finish (the kernel goes on after a WARN): the run
	 * fails when the call returns, or at once with a BUG the WARN led to,
	 * which names the failure (incident 4: the sysfs duplicate WARN, then
	 * the BUG in kmem_cache_release). In dump mode every report waits for
	 * the call to finish (locks released), then dumps and stops.
	 */
	if (rep->kind == SF_REPORT_WARN || r->o->dump_on_failure) {
		if (!r->deferred || (r->deferred_report.kind == SF_REPORT_WARN &&
				     rep->kind == SF_REPORT_BUG)) {
			r->deferred = true;
			r->deferred_report = *rep;
		}
		return;
	}
	fail_report(r, rep);
}

void run_after_call(struct run *r)
{
	if (r->deferred)
		fail_report(r, &r->deferred_report);
}

struct cpu_shadow *run_cpu(struct run *r)
{
	return &r->cpu[smp_processor_id(r->m)];
}

/* Might this gfp sleep in the current context? (might_sleep in the core) */
static bool atomic_blocking(struct run *r, gfp_t gfp)
{
	struct cpu_shadow *c = run_cpu(r);
	gfp_t eff = gfp & machine_gfp_allowed_mask(r->m);

	if (!gfpflags_allow_blocking(eff) || machine_stage(r->m) < STAGE_IRQS_ON)
		return false;
	return !c->irqs_on || c->irq_depth > 0 || c->preempt > 0;
}

bool run_expect_alloc(struct run *r, gfp_t gfp, bool slab)
{
	run_expect_clear(r);
	if (gfp & ~(gfp_t)__GFP_BITS_MASK) {
		run_expect(r, "WARNING: invalid gfp flags");
		return true;
	}
	if ((gfp & __GFP_DMA) && (gfp & __GFP_DMA32)) {
		run_expect(r, "WARNING: invalid gfp zone modifiers");
		return true;
	}
	if (atomic_blocking(r, gfp))
		run_expect(r, "BUG: sleeping function called from invalid context");
	run_expect(r, "WARNING: __GFP_NOFAIL allocation impossible");
	(void)slab;
	return false;
}

/* ---- contexts and injected interrupts ---- */

static void sync_boot_shadow(struct run *r, enum boot_stage before)
{
	struct machine *m = r->m;
	enum boot_stage now = machine_stage(m);

	if (before < STAGE_IRQS_ON && now >= STAGE_IRQS_ON)
		run_cpu(r)->irqs_on = true;
	if (before < STAGE_SMP_UP && now >= STAGE_SMP_UP)
		for (unsigned int c = 0; c < r->topo.nr_cpus; c++)
			if ((int)c != smp_processor_id(m) && c != r->topo.boot_cpu)
				r->cpu[c].irqs_on = true;
}

static void check_context(struct run *r)
{
	struct machine *m = r->m;
	struct cpu_shadow *c = run_cpu(r);

	if (irqs_disabled(m) == c->irqs_on)
		run_fail(r, c->irqs_on ? "HARNESS: interrupts disabled behind the caller's back" :
					 "HARNESS: interrupts enabled behind the caller's back",
			 "cpu %d stage %s: the caller had interrupts %s", smp_processor_id(m),
			 boot_stage_name(machine_stage(m)), c->irqs_on ? "on" : "off");
	if (in_interrupt(m) != (c->irq_depth > 0))
		run_fail(r, "HARNESS: interrupt context changed behind the caller's back",
			 "cpu %d: depth %d", smp_processor_id(m), c->irq_depth);
}

static void injected_interrupt(struct run *r)
{
	struct machine *m = r->m;
	struct cpu_shadow *c = run_cpu(r);
	const struct sf_op *op = r->inj.op;
	unsigned int saved_n = r->nr_expect;
	const char *saved[RUN_MAX_EXPECT];
	unsigned long saved_seen[RUN_MAX_EXPECT];
	struct run_where saved_where[RUN_MAX_EXPECT];
	bool caller_irqs_on = c->irqs_on;

	memcpy(saved, r->expect, sizeof(saved));
	memcpy(saved_seen, r->expect_seen, sizeof(saved_seen));
	memcpy(saved_where, r->expect_where, sizeof(saved_where));
	r->inj.armed = false;
	r->in_hook = true;
	irq_enter(m);
	c->irq_depth++;
	c->irqs_on = false;
	if (r->o->trace) {
		char buf[256];

		sf_prog_print_op(r->p, op, buf, sizeof(buf));
		fprintf(r->o->trace, "    [interrupt at %s] %s\n",
			sched_point_name(r->inj.sp), buf);
	}
	op_module(op->code)->irq_op(r, op);
	check_context(r);
	irq_exit(m);
	c->irq_depth--;
	/* The core may have enabled interrupts for the call the interrupt came
	 * in (a slab growing with a blocking gfp): the caller's view returns. */
	c->irqs_on = caller_irqs_on;
	r->in_hook = false;
	memcpy(r->expect, saved, sizeof(saved));
	memcpy(r->expect_seen, saved_seen, sizeof(saved_seen));
	memcpy(r->expect_where, saved_where, sizeof(saved_where));
	r->nr_expect = saved_n;
}

static unsigned long sched_hits_total(struct machine *m)
{
	unsigned long n = 0;

	for (int sp = 0; sp < NR_SCHED_POINTS; sp++)
		n += sched_point_hits(m, (enum sched_point)sp);
	return n;
}

/*
 * Every sched point the core passes calls the hook, on the cpu the harness
 * made current: injected interrupts depend on it. The hook's own count
 * against the points passed is checked at every check point.
 */
static void check_sched_calls(struct run *r)
{
	unsigned long hits = sched_hits_total(r->m) - r->sched_base, calls = 0;

	for (int sp = 0; sp < NR_SCHED_POINTS; sp++)
		calls += r->sched_seen[sp];
	if (hits != calls)
		run_fail(r, "HARNESS: sched point passed without the hook",
			 "%lu sched points passed since machine_create, the hook ran %lu times",
			 hits, calls);
}

static void sched_hook(struct machine *m, enum sched_point sp, int cpu, void *data)
{
	struct run *r = data;

	r->sched_seen[sp]++;
	if (cpu != r->cur_cpu)
		run_fail(r, "HARNESS: sched point on another cpu",
			 "sched point %s on cpu %d; the harness made cpu %d current",
			 sched_point_name(sp), cpu, r->cur_cpu);
	/* A timer the program made pending is taken at the first sched point
	 * of its cpu with interrupts on (the core's state there: a call may
	 * turn them off for a while). */
	if (r->cpu[cpu].timer_set && !irqs_disabled(m)) {
		r->cpu[cpu].timer_set = false;
		if (timer_fired(m, cpu) == r->cpu[cpu].timer_fired_at_set)
			run_fail(r, "HARNESS: pending timer did not fire",
				 "cpu %d passed %s with interrupts on, stage %s: the timer the "
				 "program made pending is still not taken (fired %lu times)",
				 cpu, sched_point_name(sp), boot_stage_name(machine_stage(m)),
				 timer_fired(m, cpu));
	}
	if (!r->inj.armed || r->in_hook || sp != r->inj.sp || irqs_disabled(m) || in_interrupt(m))
		return;
	injected_interrupt(r);
}

/* ---- accounting ---- */

static void modules_check_point(struct run *r);

/*
 * Page accounting by the memmap's page states (the harness's own count):
 * allocated pfns and free (buddy + per-cpu) pfns, without the program's
 * live page handles. The baseline is taken at every boot stage from BUDDY
 * on; it is exact when no program object or cache is live then.
 */
static void count_pages(struct run *r, long *alloc, long *free_now)
{
	memmap_view_reset(r);	/* a new boot stage: the change counts start again */
	memmap_view_totals(r, alloc, free_now);
	*alloc -= r->live_pages;
	*free_now += r->live_pages;
}

/*
 * The core's page counters (what the tools and stress drivers read) against
 * the memmap's page states, from BUDDY on, outside an injected interrupt
 * (the memmap's counts into alloc and free_now, else 0); and what the
 * machine says its topology is: the one it was given. The memmap's states
 * from the harness's view of it (interp_memmap.c): at a full check point
 * read whole and checked against the view, else where the core marked a
 * change.
 */
static void check_page_counters(struct run *r, bool full, long *alloc, long *free_now)
{
	*alloc = *free_now = 0;
	if (memcmp(machine_topology(r->m), &r->topo, sizeof(r->topo)))
		run_fail(r, "HARNESS: machine_topology differs from the topology given",
			 "at stage %s", boot_stage_name(machine_stage(r->m)));
	if (machine_stage(r->m) < STAGE_BUDDY || r->in_hook)
		return;
	if (full)
		memmap_view_verify(r);
	else
		memmap_view_refresh(r);
	memmap_view_totals(r, alloc, free_now);
	if ((long)nr_free_pages(r->m) != *free_now || (long)nr_allocated_pages(r->m) != *alloc)
		run_fail(r, "HARNESS: page counters differ from the memmap",
			 "nr_free_pages %lu, nr_allocated_pages %lu; memmap: %ld free, "
			 "%ld allocated", nr_free_pages(r->m), nr_allocated_pages(r->m), *free_now,
			 *alloc);
}

static void take_baseline(struct run *r)
{
	struct machine *m = r->m;

	r->have_base = false;
	if (machine_stage(m) < STAGE_BUDDY)
		return;
	if (!r->memmap_topo_checked && !r->in_hook) {
		r->memmap_topo_checked = true;
		memmap_topology_check(r);
	}
	slab_shrink_all(r);
	count_pages(r, &r->base_alloc, &r->base_free);
	/* After the shrink: an interrupt armed at a sched point the shrink
	 * passes may allocate in it (regression baseline_interrupt_in_shrink). */
	r->base_exact = true;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_OBJ]; i++)
		if (r->objs[i].live)
			r->base_exact = false;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++)
		if (r->caches[i].live)
			r->base_exact = false;
	r->have_base = true;
	r->slab_used = false;
}

/*
 * At the end of every run (from BUDDY on): allocated + free pages are what
 * they were after boot
 * (nothing lost or made up); and allocated pages are back to the post-boot
 * number, exactly when the baseline is exact, at most when objects were
 * live at it. Before SLAB_UP the boot caches cannot be shrunk from outside:
 * then only the sum.
 */
static void check_accounting(struct run *r, const char *when)
{
	struct machine *m = r->m;
	long alloc, free_now, all;
	bool unshrinkable = r->slab_used && machine_stage(m) >= STAGE_SLAB_PARTIAL &&
			    machine_stage(m) < STAGE_SLAB_UP;

	if (!r->have_base)
		return;
	slab_shrink_all(r);
	/* The full check point just read the memmap whole: what changed since. */
	check_page_counters(r, false, &alloc, &free_now);	/* from BUDDY, no hook */
	alloc -= r->live_pages;
	free_now += r->live_pages;
	all = r->base_alloc + r->base_free;
	if (alloc + free_now != all || (!unshrinkable && alloc > r->base_alloc) ||
	    (!unshrinkable && r->base_exact && alloc != r->base_alloc))
		run_fail(r, "HARNESS: page accounting differs from the post-boot state",
			 "%s: allocated %ld (post-boot %ld%s), free %ld (post-boot %ld), live %ld",
			 when, alloc, r->base_alloc, r->base_exact ? "" : ", objects live then",
			 free_now, r->base_free, r->live_pages);
}

static void check_faults(struct run *r);

/*
 * A check point. The machine's check and the memmap view are incremental
 * (what changed since the last check point, check_machine_incremental) but
 * at every full_check_every-th check point and where full says: the end of
 * the run and a failure that a check may explain.
 */
static void run_check_point(struct run *r, bool full)
{
	unsigned int every = r->o->full_check_every ? r->o->full_check_every :
						      RUN_FULL_CHECK_EVERY;
	long alloc, free_now;
	bool ok;

	if (full || ++r->checks_since_full >= every)
		full = true;
	if (full)
		r->checks_since_full = 0;
	check_sched_calls(r);
	check_faults(r);
	check_report_log(r);
	check_page_counters(r, full, &alloc, &free_now);
	modules_check_point(r);
	run_expect_clear(r);
	ok = full ? check_machine(r->m) : check_machine_incremental(r->m, ~0u);
	if (!ok)
		run_fail(r, "HARNESS: check_machine failed without a report", "stage %s",
			 boot_stage_name(machine_stage(r->m)));
	run_after_call(r);
}

static void run_check(struct run *r)
{
	run_check_point(r, false);
}

/* ---- one operation ---- */

/* The contract of the draw (docs/fuzzing.md "Fault injection"): xorshift64
 * with shifts 13, 7, 17 from the attr's seed (0 means 0x9e3779b97f4a7c15). */
#define RUN_FAULT_SEED0 0x9e3779b97f4a7c15ULL

static uint64_t fault_next_draw(uint64_t *state)
{
	uint64_t v = *state;

	v ^= v << 13;
	v ^= v >> 7;
	*state = v ^ (v << 17);
	return *state;
}

static void fault_shadow_start(struct fault_shadow *sh, const struct fault_attr *a)
{
	sh->rng = a && a->seed ? a->seed : RUN_FAULT_SEED0;
	sh->calls = 0;
	sh->failures = 0;
}

static void fault_op(struct run *r, const struct sf_op *op, bool slab)
{
	struct fault_attr a;

	memset(&a, 0, sizeof(a));
	a.nth = op->arg[0];
	a.probability = op->arg[1] * 1000u;
	a.persistent = op->arg[2];
	a.ignore_gfp_reclaim = op->arg[3];
	a.seed = 0x5eed0000u + r->op_index;
	if (slab) {
		snprintf(a.cache_filter, sizeof(a.cache_filter), "%s",
			 sf_prog_failslab_filter(op->arg[4]));
		r->failslab_on = a.nth || a.probability;
		r->failslab_attr = a;
		fault_shadow_start(&r->failslab_shadow, &a);
		failslab_set(r->m, r->failslab_on ? &a : NULL);
		return;
	}
	a.min_order = op->arg[4];
	r->fail_page_on = a.nth || a.probability;
	r->fail_page_attr = a;
	fault_shadow_start(&r->fail_page_shadow, &a);
	fail_page_alloc_set(r->m, r->fail_page_on ? &a : NULL);
}

/*
 * The core's fault counts against the program's settings (the harness's
 * record): off (never set, or set off), nothing is counted; on, the
 * harness decides each counted call itself by the documented rule: the nth
 * rule first (the nth call, or every call from it when persistent: a
 * failure without a draw), else with a probability one draw, a failure
 * when draw % 10^6 < ppm. The failures of the calls the core counted must
 * be exactly those. Incremental: each check point decides the calls since
 * the last one.
 */
static void check_fault(struct run *r, const char *name, bool on, const struct fault_attr *a,
			struct fault_shadow *sh, struct fault_stats st)
{
	unsigned long from = sh->calls;

	if (on && st.calls >= sh->calls) {
		while (sh->calls < st.calls) {
			bool fail = false;

			sh->calls++;
			if (a->nth)
				fail = sh->calls == a->nth || (a->persistent && sh->calls > a->nth);
			if (!fail && a->probability)
				fail = fault_next_draw(&sh->rng) % 1000000u < a->probability;
			sh->failures += fail;
		}
		if (st.failures == sh->failures)
			return;
	} else if (!on && !st.calls && !st.failures) {
		return;
	}
	run_fail(r, "HARNESS: fault injection counts differ from its settings",
		 "%s %s (nth %lu%s, %u ppm, seed %#llx): %lu calls, %lu failures; the draw rule "
		 "gives %lu failures (%lu calls decided before)",
		 name, on ? "on" : "off", a->nth, a->persistent ? " persistent" : "",
		 a->probability, (unsigned long long)a->seed, st.calls, st.failures,
		 sh->failures, from);
}

static void check_faults(struct run *r)
{
	check_fault(r, "fail_page_alloc", r->fail_page_on, &r->fail_page_attr,
		    &r->fail_page_shadow, fail_page_alloc_stats(r->m));
	check_fault(r, "failslab", r->failslab_on, &r->failslab_attr, &r->failslab_shadow,
		    failslab_stats(r->m));
}

/*
 * Which calls the settings count (the documented rule, the harness's own
 * reading of it): none of a caller that may sleep with ignore_reclaim,
 * none of an order below min_order, with a cache filter only those of the
 * cache of exactly that name (failslab; a page allocation names none).
 */
static bool fault_eligible(const struct fault_attr *a, gfp_t gfp, unsigned int order,
			   const char *cache)
{
	if (a->ignore_gfp_reclaim && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (order < a->min_order)
		return false;
	return !a->cache_filter[0] || (cache && !strcmp(cache, a->cache_filter));
}

/* failslab sees the gfp through the boot stage's allowed mask. */
void run_failslab_call(struct run *r, const char *cache, gfp_t gfp)
{
	bool may = r->failslab_on && cache &&
		   fault_eligible(&r->failslab_attr, gfp & machine_gfp_allowed_mask(r->m), 0,
				  cache);

	r->failslab_may[r->in_hook] = may;
	if (!r->failslab_on)
		return;
	if (!r->failslab_win.open) {
		r->failslab_win.open = true;
		r->failslab_win.hook = r->in_hook;
		r->failslab_win.core_from = failslab_stats(r->m).calls;
		r->failslab_win.eligible = 0;
	}
	r->failslab_win.eligible += may;
}

void run_failslab_call_end(struct run *r, const char *op)
{
	unsigned long counted;

	if (!r->failslab_win.open || r->failslab_win.hook != r->in_hook)
		return;
	r->failslab_win.open = false;
	counted = failslab_stats(r->m).calls - r->failslab_win.core_from;
	if (counted != r->failslab_win.eligible)
		run_fail(r, "HARNESS: fault injection counts differ from its settings",
			 "failslab (nth %lu%s, %u ppm%s, filter '%s'): %s counted %lu calls, "
			 "the settings make %lu of the calls the harness made eligible",
			 r->failslab_attr.nth, r->failslab_attr.persistent ? " persistent" : "",
			 r->failslab_attr.probability,
			 r->failslab_attr.ignore_gfp_reclaim ? ", ignore_reclaim" : "",
			 r->failslab_attr.cache_filter, op, counted, r->failslab_win.eligible);
}

bool run_fault_may_fail_slab(const struct run *r, unsigned int order)
{
	return r->failslab_may[r->in_hook] ||
	       (r->fail_page_on && order >= r->fail_page_attr.min_order);
}

/* ---- boot oracle ---- */

/*
 * Is the memory of the machine enough to boot? The harness's own rule,
 * from the topology and what the program holds (docs/fuzzing.md): some node
 * has normal memory (below ZONE_MOVABLE), and every such node has a range
 * that could hold all its memmap in one piece (memblock allocations are
 * contiguous), and keeps at least RUN_BOOT_NODE_PAGES normal pages after
 *   - the memmap of the vmemmap blocks whose first memory is on it
 *     (2^block_shift struct pages of RUN_STRUCT_PAGE bytes each), and
 *   - everything the program holds: live memblock allocations and page
 *     handles, counted against every node.
 * Not claimed while the program holds slab objects or caches.
 */
#define RUN_STRUCT_PAGE 64	/* bytes of the model's struct page */
#define RUN_BOOT_NODE_PAGES 32

static bool boot_memory_enough(struct run *r, char *why, size_t len)
{
	const struct sf_topology *t = &r->topo;
	long normal[SF_MAX_NODES] = { 0 }, memmap[SF_MAX_NODES] = { 0 };
	long largest[SF_MAX_NODES] = { 0 };
	long held = r->live_pages;
	unsigned int bshift = t->section_shift, nodes_normal = 0;
	pfn_t end = t->ranges[t->nr_ranges - 1].end_pfn;

	for (unsigned int i = 0; i < r->p->nr_handles[HK_OBJ] + 8 && i < SF_PROG_MAX_OPS; i++)
		if (r->objs[i].live)
			return false;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++)
		if (r->caches[i].live)
			return false;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_MEMBLOCK]; i++)
		if (r->mbs[i].live)
			held += (long)((r->mbs[i].size + SF_PAGE_SIZE - 1) / SF_PAGE_SIZE) + 1;
	while ((1u << (bshift - t->section_shift)) < t->vmemmap_block_sections)
		bshift++;
	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		const struct sf_mem_range *rg = &t->ranges[i];

		if ((long)(rg->end_pfn - rg->start_pfn) > largest[rg->node])
			largest[rg->node] = (long)(rg->end_pfn - rg->start_pfn);
		if (rg->start_pfn < t->zone_movable_start)
			normal[rg->node] += (long)((rg->end_pfn < t->zone_movable_start ?
							    rg->end_pfn : t->zone_movable_start) -
						   rg->start_pfn);
	}
	for (pfn_t b = 0; b < end; b += (pfn_t)1 << bshift) {
		pfn_t first = SF_MAX_PFN;
		int nid = -1;

		for (unsigned int i = 0; i < t->nr_ranges; i++) {
			const struct sf_mem_range *rg = &t->ranges[i];
			pfn_t lo = rg->start_pfn > b ? rg->start_pfn : b;

			if (rg->end_pfn > b && rg->start_pfn < b + ((pfn_t)1 << bshift) && lo < first) {
				first = lo;
				nid = rg->node;
			}
		}
		if (nid >= 0)
			memmap[nid] += (long)(((((pfn_t)1 << bshift) * RUN_STRUCT_PAGE) +
					       SF_PAGE_SIZE - 1) / SF_PAGE_SIZE);
	}
	for (unsigned int n = 0; n < t->nr_nodes; n++) {
		long left = normal[n] - memmap[n] - held;

		if (!normal[n])
			continue;
		nodes_normal++;
		if (left < RUN_BOOT_NODE_PAGES || largest[n] - held < memmap[n])
			return false;
		snprintf(why + strlen(why), len - strlen(why),
			 " node%u: %ld normal pages - %ld memmap - %ld held = %ld;", n, normal[n],
			 memmap[n], held, left);
	}
	return nodes_normal > 0;
}

/* A boot stage failed: a finding unless fault injection explains it or
 * the memory is not enough by the rule above. */
static void boot_failed(struct run *r, enum boot_stage before, enum boot_stage target, int ret)
{
	char why[512] = "";

	if (r->fail_page_on || r->failslab_on)
		r->boot_excused = true;
	/* A failed attempt may keep what it took: later ones are excused too. */
	if (r->boot_excused)
		return;
	r->boot_excused = true;
	if (!boot_memory_enough(r, why, sizeof(why)))
		return;
	/* A broken invariant behind the failure names it better. */
	run_check_point(r, true);
	run_fail(r, "HARNESS: boot failed with memory available",
		 "machine_boot(%s) from %s returned %d, stage now %s;%s", boot_stage_name(target),
		 boot_stage_name(before), ret, boot_stage_name(machine_stage(r->m)), why);
}

/* After a boot that succeeded: the boot cpu is online from the start,
 * every other cpu of the topology from smp_up on. */
static void check_cpus_online(struct run *r)
{
	bool smp = machine_stage(r->m) >= STAGE_SMP_UP;

	for (unsigned int cpu = 0; cpu < r->topo.nr_cpus; cpu++)
		if (cpu_online(r->m, (int)cpu) != (smp || cpu == r->topo.boot_cpu))
			run_fail(r, "HARNESS: cpu online state differs from the boot stage",
				 "stage %s: cpu %u is %s (boot cpu %u)",
				 boot_stage_name(machine_stage(r->m)), cpu,
				 cpu_online(r->m, (int)cpu) ? "online" : "offline", r->topo.boot_cpu);
}

static void boot_op(struct run *r, enum boot_stage stage)
{
	struct machine *m = r->m;
	struct cpu_shadow *c = run_cpu(r);
	enum boot_stage before = machine_stage(m);
	int ret;

	if (stage <= before || c->irq_depth || c->preempt ||
	    (before >= STAGE_IRQS_ON && !c->irqs_on) ||
	    smp_processor_id(m) != (int)r->topo.boot_cpu)
		return;
	run_expect_clear(r);
	ret = machine_boot(m, stage);
	if (r->o->test_boot_result)
		ret = r->o->test_boot_result(m, ret, r->o->test_arg);
	run_after_call(r);
	sync_boot_shadow(r, before);
	if (ret && machine_stage(m) == STAGE_EARLY)
		page_check_failed_sparse(r);
	if (ret)
		boot_failed(r, before, stage, ret);
	else
		check_cpus_online(r);
	/* Even a failed stage may have left caches behind: a new baseline. */
	take_baseline(r);
}

static void dump_op(struct run *r, unsigned int kind)
{
	struct machine *m = r->m;
	size_t n = 0;

	dump_buf[0] = '\0';
	switch (kind) {
	case 0:
		if (machine_stage(m) >= STAGE_BUDDY) {
			n = dump_buddyinfo(m, dump_buf, sizeof(dump_buf));
			if (n < sizeof(dump_buf)) {
				page_check_buddyinfo(r, dump_buf);
				dump_check_buddyinfo(r, dump_buf);
			}
		}
		break;
	case 1:
		if (machine_stage(m) >= STAGE_BUDDY) {
			n = dump_zoneinfo(m, dump_buf, sizeof(dump_buf));
			if (n < sizeof(dump_buf))
				dump_check_zoneinfo(r, dump_buf);
		}
		break;
	case 2:
		if (machine_stage(m) >= STAGE_SPARSE) {
			n = dump_memory_map(m, dump_buf, sizeof(dump_buf));
			if (n < sizeof(dump_buf))
				dump_check_memory_map(r, dump_buf);
		}
		break;
	default:	/* before slab_partial too: the header alone */
		n = slab_dump(r, dump_buf, sizeof(dump_buf));
		if (n < sizeof(dump_buf))
			slab_check_slabinfo(r, dump_buf);
		break;
	}
	if (r->o->test_dump_len)
		n = r->o->test_dump_len(m, kind, n);
	/* Like snprintf: the length the whole dump needs, the text when it fits. */
	if (n < sizeof(dump_buf) && n != strlen(dump_buf))
		run_fail(r, "HARNESS: dump length differs from its text",
			 "dump %u returned %zu, its text has %zu bytes", kind, n, strlen(dump_buf));
	if (n && n < sizeof(dump_buf))
		dump_check_short(r, kind);
	if (n && r->o->trace)
		fprintf(r->o->trace, "%s", dump_buf);
}

static bool op_boot(struct run *r, const struct sf_op *op)
{
	boot_op(r, (enum boot_stage)op->arg[0]);
	return true;
}

static bool op_cpu(struct run *r, const struct sf_op *op)
{
	if (!cpu_online(r->m, (int)op->arg[0]))
		return false;
	run_cpu_switch(r, (int)op->arg[0]);
	return true;
}

static bool op_irq_disable(struct run *r, const struct sf_op *op)
{
	(void)op;
	local_irq_disable(r->m);
	run_cpu(r)->irqs_on = false;
	return true;
}

static bool op_irq_enable(struct run *r, const struct sf_op *op)
{
	struct cpu_shadow *c = run_cpu(r);

	(void)op;
	/* Only where a kernel may: after IRQS_ON, outside a handler. */
	if (machine_stage(r->m) < STAGE_IRQS_ON || c->irq_depth)
		return false;
	local_irq_enable(r->m);
	c->irqs_on = true;
	return true;
}

/* local_irq_save's result goes back to local_irq_restore, as a caller's
 * flags do; the shadow keeps its own record of the state saved, so a wrong
 * result shows after the restore (check_context: the core's interrupt
 * state against the shadow's). Restore only at the interrupt depth of the
 * save (innermost first). */
static bool op_irq_save(struct run *r, const struct sf_op *op)
{
	struct cpu_shadow *c = run_cpu(r);

	(void)op;
	if (c->nr_saved == RUN_MAX_IRQ_SAVE)
		return false;
	c->flags[c->nr_saved] = local_irq_save(r->m);
	c->saved[c->nr_saved] = c->irqs_on;
	c->saved_depth[c->nr_saved++] = c->irq_depth;
	c->irqs_on = false;
	return true;
}

static bool op_irq_restore(struct run *r, const struct sf_op *op)
{
	struct cpu_shadow *c = run_cpu(r);

	(void)op;
	if (!c->nr_saved || c->saved_depth[c->nr_saved - 1] != c->irq_depth)
		return false;
	c->nr_saved--;
	local_irq_restore(r->m, c->flags[c->nr_saved]);
	c->irqs_on = c->saved[c->nr_saved];
	return true;
}

static bool op_irq_enter(struct run *r, const struct sf_op *op)
{
	struct cpu_shadow *c = run_cpu(r);

	(void)op;
	/* An interrupt is only taken with interrupts on. */
	if (!c->irqs_on || c->irq_depth >= 2)
		return false;
	irq_enter(r->m);
	c->irq_depth++;
	c->irqs_on = false;
	return true;
}

static bool op_irq_exit(struct run *r, const struct sf_op *op)
{
	struct cpu_shadow *c = run_cpu(r);

	(void)op;
	if (!c->irq_depth)
		return false;
	irq_exit(r->m);
	c->irq_depth--;
	c->irqs_on = true;
	return true;
}

static bool op_preempt_disable(struct run *r, const struct sf_op *op)
{
	struct cpu_shadow *c = run_cpu(r);

	(void)op;
	if (c->preempt >= 3)
		return false;
	preempt_disable(r->m);
	c->preempt++;
	return true;
}

static bool op_preempt_enable(struct run *r, const struct sf_op *op)
{
	struct cpu_shadow *c = run_cpu(r);

	(void)op;
	if (!c->preempt)
		return false;
	preempt_enable(r->m);
	c->preempt--;
	return true;
}

/* The harness's record of the timers it made pending (sched_hook checks
 * that each fires). */
static bool op_timer(struct run *r, const struct sf_op *op)
{
	int cpu = (int)op->arg[0];

	timer_set_pending(r->m, cpu);
	/* Made pending, it is pending until a sched point takes it. */
	if (cpu >= 0 && (unsigned int)cpu < r->topo.nr_cpus && !timer_pending(r->m, cpu))
		run_fail(r, "HARNESS: timer query differs from the timer made pending",
			 "timer_pending(%d) is false right after timer_set_pending", cpu);
	if (cpu >= 0 && (unsigned int)cpu < r->topo.nr_cpus && !r->cpu[cpu].timer_set) {
		r->cpu[cpu].timer_set = true;
		r->cpu[cpu].timer_fired_at_set = timer_fired(r->m, cpu);
	}
	return true;
}

static bool op_fail_page_alloc(struct run *r, const struct sf_op *op)
{
	fault_op(r, op, false);
	return true;
}

static bool op_fail_page_alloc_off(struct run *r, const struct sf_op *op)
{
	(void)op;
	r->fail_page_on = false;
	fault_shadow_start(&r->fail_page_shadow, NULL);
	fail_page_alloc_set(r->m, NULL);
	return true;
}

/* failslab, like the slab ops, once the slab layer is there. */
static bool op_failslab(struct run *r, const struct sf_op *op)
{
	if (machine_stage(r->m) < STAGE_SLAB_PARTIAL)
		return false;
	fault_op(r, op, true);
	return true;
}

static bool op_failslab_off(struct run *r, const struct sf_op *op)
{
	(void)op;
	if (machine_stage(r->m) < STAGE_SLAB_PARTIAL)
		return false;
	r->failslab_on = false;
	fault_shadow_start(&r->failslab_shadow, NULL);
	failslab_set(r->m, NULL);
	return true;
}

static bool op_check(struct run *r, const struct sf_op *op)
{
	(void)op;
	run_check(r);
	return true;
}

static bool op_dump(struct run *r, const struct sf_op *op)
{
	dump_op(r, op->arg[0]);
	return true;
}

static void core_irq_op(struct run *r, const struct sf_op *op)
{
	(void)r;
	(void)op;
}

static void core_nothing(struct run *r)
{
	(void)r;
}

static const op_fn core_op_table[NR_OPCODES] = {
	[OP_BOOT] = op_boot,
	[OP_CPU] = op_cpu,
	[OP_IRQ_DISABLE] = op_irq_disable,
	[OP_IRQ_ENABLE] = op_irq_enable,
	[OP_IRQ_ENTER] = op_irq_enter,
	[OP_IRQ_EXIT] = op_irq_exit,
	[OP_PREEMPT_DISABLE] = op_preempt_disable,
	[OP_PREEMPT_ENABLE] = op_preempt_enable,
	[OP_TIMER] = op_timer,
	[OP_IRQ_SAVE] = op_irq_save,
	[OP_IRQ_RESTORE] = op_irq_restore,
	[OP_TOPOLOGY_INVALID] = topology_invalid_op,
	[OP_FAIL_PAGE_ALLOC] = op_fail_page_alloc,
	[OP_FAIL_PAGE_ALLOC_OFF] = op_fail_page_alloc_off,
	[OP_FAILSLAB] = op_failslab,
	[OP_FAILSLAB_OFF] = op_failslab_off,
	[OP_CHECK] = op_check,
	[OP_DUMP] = op_dump,
};

static const struct interp_module core_module = {
	"core", core_op_table, core_irq_op, core_nothing, core_nothing, NULL, NULL,
};

/* The op modules in workload order (teardown runs them backwards). */
static const struct interp_module *const modules[] = {
	&core_module,
	&page_module,
	&slab_module,
	&canary_module,
	&api_module,
};
#define NR_MODULES (sizeof(modules) / sizeof(modules[0]))

static const struct interp_module null_module = {
	"none", NULL, core_irq_op, core_nothing, core_nothing, NULL, NULL,
};

static void modules_check_point(struct run *r)
{
	for (unsigned int i = 0; i < NR_MODULES; i++)
		if (modules[i]->check_point)
			modules[i]->check_point(r);
}

static void modules_on_report(struct run *r, const struct sf_report *rep)
{
	for (unsigned int i = 0; i < NR_MODULES; i++)
		if (modules[i]->on_report)
			modules[i]->on_report(r, rep);
}

/* The module whose table has a handler for code (null_module: none). */
static const struct interp_module *op_module(unsigned int code)
{
	for (unsigned int i = 0; code < NR_OPCODES && i < NR_MODULES; i++)
		if (modules[i]->ops[code])
			return modules[i];
	return &null_module;
}

/* Returns false when the op was skipped. */
static bool run_op(struct run *r, const struct sf_op *op)
{
	const struct interp_module *mod = op_module(op->code);

	return mod->ops ? mod->ops[op->code](r, op) : false;
}

/* ---- the run ---- */

/*
 * An input leaves nothing behind: once a machine of the run is destroyed,
 * no process-wide registry may still name it (a later machine at the same
 * address would inherit it), the harness's thread holds no lock, and the
 * machine's release freed every host structure it had.
 */
void run_destroy(struct run *r, struct machine *m)
{
	uintptr_t gone = (uintptr_t)m;
	unsigned long leaked;
	char why[128];

	if (!m)
		return;
	machine_destroy(m);
	if (machine_left_behind(gone, why, sizeof(why)))
		run_fail(r, "HARNESS: input left state behind", "machine %#lx destroyed: %s",
			 (unsigned long)gone, why);
	leaked = machine_leaked(why, sizeof(why));
	if (leaked)
		run_fail(r, "HARNESS: host structures leaked at machine destroy",
			 "%lu host arena chunks still allocated after every release (sizes %s)",
			 leaked, why);
}

static void workload(struct run *r)
{
	struct machine *m = r->m;

	if (machine_stage(m) < STAGE_RUNNING)
		boot_op(r, STAGE_RUNNING);
	if (machine_stage(m) < STAGE_BUDDY)
		return;
	for (unsigned int cpu = 0; cpu < r->topo.nr_cpus; cpu++) {
		if (!cpu_online(m, (int)cpu))
			continue;
		run_cpu_switch(r, (int)cpu);
		if (!r->cpu[cpu].irqs_on || r->cpu[cpu].irq_depth || r->cpu[cpu].preempt)
			continue;
		for (unsigned int i = 0; i < NR_MODULES; i++)
			modules[i]->cpu_workload(r);
		check_context(r);
	}
	run_cpu_switch(r, (int)r->topo.boot_cpu);
	run_check(r);
}

/*
 * After teardown the harness owns nothing: once the slab layer is shut
 * down (its caches, slabs and boot page back to buddy), the memmap must
 * show no allocated page.
 */
static void release_check(struct run *r)
{
	long alloc, free_pages;

	slab_release(r->m);
	if (r->o->test_after_release)
		r->o->test_after_release(r->m);
	run_after_call(r);
	page_memmap_count(r, &alloc, &free_pages);
	if (alloc)
		run_fail(r, "HARNESS: pages still allocated after slab_release",
			 "%ld pages allocated, %ld free (the harness owns none)", alloc,
			 free_pages);
	run_expect_clear(r);
	if (!check_machine(r->m))
		run_fail(r, "HARNESS: check_machine failed without a report",
			 "after slab_release, stage %s", boot_stage_name(machine_stage(r->m)));
	run_after_call(r);
}

static void teardown(struct run *r)
{
	struct machine *m = r->m;

	r->phase = "teardown";
	r->inj.armed = false;
	r->fail_page_on = false;
	r->failslab_on = false;
	fault_shadow_start(&r->fail_page_shadow, NULL);
	fault_shadow_start(&r->failslab_shadow, NULL);
	fail_page_alloc_set(m, NULL);
	failslab_set(m, NULL);
	/* Back to process context on every cpu. */
	for (unsigned int cpu = 0; cpu < r->topo.nr_cpus; cpu++) {
		struct cpu_shadow *c = &r->cpu[cpu];

		if (!cpu_online(m, (int)cpu))
			continue;
		run_cpu_switch(r, (int)cpu);
		while (c->irq_depth) {
			irq_exit(m);
			c->irq_depth--;
			c->irqs_on = true;
		}
		while (c->preempt) {
			preempt_enable(m);
			c->preempt--;
		}
		if (machine_stage(m) >= STAGE_IRQS_ON && !c->irqs_on) {
			local_irq_enable(m);
			c->irqs_on = true;
		}
	}
	run_cpu_switch(r, (int)r->topo.boot_cpu);
	for (unsigned int i = NR_MODULES; i-- > 0;)
		modules[i]->teardown(r);
	run_check_point(r, true);
	check_accounting(r, "end of run");
	release_check(r);
}

static struct run the_run;

/* A fresh machine for the run, booted by the target's prologue; a
 * snapshot of it is kept when the options ask for one. */
static void run_create_boot(struct run *r, const struct sf_header *h)
{
	struct sf_options opts;
	struct sf_error err;

	memset(&opts, 0, sizeof(opts));
	opts.bugs = r->o->bugs;
	opts.debug_level = h->debug_level;
	opts.slab_debug = sf_prog_slab_debug(h);
	opts.memmap_together = h->memmap_together;
	opts.seed = 1;
	r->m = machine_create(&r->topo, &opts, &err);
	if (!r->m)
		run_fail(r, "HARNESS: machine_create refused a decoded topology", "%s: %s",
			 err.field, err.msg);
	sf_set_report_handler(r->m, on_report, r);
	r->sched_base = sched_hits_total(r->m);
	sched_set_hook(r->m, sched_hook, r);
	r->phase = "prologue";
	if (r->t->prologue > STAGE_EARLY) {
		boot_op(r, r->t->prologue);
		run_snapshot_keep(r);
	}
}

int sf_run_program(const struct sf_target *t, const struct sf_program *p,
		   const struct sf_run_opts *o)
{
	struct run *r = &the_run;
	struct machine *m;
	uint64_t ops = t->ops;
	unsigned int since_check = 0;

	memset(r, 0, offsetof(struct run, pages));
	memset(r->pages, 0, sizeof(r->pages[0]) * (p->nr_handles[HK_PAGE] + 8 < SF_PROG_MAX_OPS ?
						   p->nr_handles[HK_PAGE] + 8 : SF_PROG_MAX_OPS));
	memset(r->mbs, 0, sizeof(r->mbs[0]) * p->nr_handles[HK_MEMBLOCK]);
	memset(r->caches, 0, sizeof(r->caches[0]) * p->nr_handles[HK_CACHE]);
	memset(r->objs, 0, sizeof(r->objs[0]) * (p->nr_handles[HK_OBJ] + 8 < SF_PROG_MAX_OPS ?
						 p->nr_handles[HK_OBJ] + 8 : SF_PROG_MAX_OPS));
	memset(r->owned, 0, sizeof(r->owned));
	r->live_pages = 0;
	r->base_alloc = 0;
	r->base_free = 0;
	r->have_base = false;
	r->slab_used = false;
	r->fail_page_on = false;
	r->failslab_on = false;
	r->failslab_win.open = false;
	r->memmap_topo_checked = false;
	r->failslab_may[0] = r->failslab_may[1] = false;
	memset(&r->fail_page_attr, 0, sizeof(r->fail_page_attr));
	memset(&r->failslab_attr, 0, sizeof(r->failslab_attr));
	fault_shadow_start(&r->fail_page_shadow, NULL);
	fault_shadow_start(&r->failslab_shadow, NULL);
	r->boot_excused = false;
	r->memmap.valid = false;
	r->memmap.nr = 0;
	r->checks_since_full = 0;
	r->nr_shadow = 0;
	r->t = t;
	r->p = p;
	r->o = o;
	r->phase = "machine_create";
	sf_prog_topology(&p->h, &r->topo);
	r->cur_cpu = (int)r->topo.boot_cpu;	/* machine_create's current cpu */
	if (!run_snapshot_start(r))
		run_create_boot(r, &p->h);
	if (t->prologue > STAGE_EARLY && o->trace)
		fprintf(o->trace, "  prologue: booted to %s%s\n", boot_stage_name(machine_stage(r->m)),
			r->from_snapshot ? " (restored from a snapshot)" : "");
	r->phase = "op";
	for (r->op_index = 0; r->op_index < p->nr_ops; r->op_index++) {
		const struct sf_op *op = &p->ops[r->op_index];
		bool ran;

		if (!((ops >> op->code) & 1)) {
			if (o->trace)
				fprintf(o->trace, "  #%u skipped (not a %s op)\n", r->op_index,
					t->name);
			continue;
		}
		if (o->trace) {
			char buf[256];

			sf_prog_print_op(p, op, buf, sizeof(buf));
			fprintf(o->trace, "  #%u %s\n", r->op_index, buf);
			fflush(o->trace);
		}
		ran = run_op(r, op);
		run_after_call(r);
		if (o->test_after_op)
			o->test_after_op(r->m, r->op_index, o->test_arg);
		if (o->trace && !ran)
			fprintf(o->trace, "     (skipped: not allowed in this context)\n");
		check_context(r);
		if (ran && ++since_check >= t->check_every) {
			since_check = 0;
			run_check(r);
		}
	}
	r->phase = "epilogue";
	if (t->workload)
		workload(r);
	if (o->dump_at_end)
		dump_state(r, " at the end (before the harness frees what the program holds)");
	if (o->at_end)
		o->at_end(r->m, o->at_end_arg);
	run_snapshot_digest(r);
	teardown(r);
	run_after_call(r);
	sched_set_hook(r->m, NULL, NULL);
	m = r->m;
	/* A machine of the snapshot cache stays for the next restore. */
	if (run_snapshot_end(r)) {
		r->m = NULL;
		return 0;
	}
	r->m = NULL;	/* a failure must not dump the destroyed machine */
	run_destroy(r, m);
	return 0;
}

/* ---- fuzz entry helpers ---- */

/* A number from the environment, def when unset; exits on a bad value. */
static unsigned long env_flag(const char *name, unsigned long def, unsigned long max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return def;
	n = strtoul(v, &end, 10);
	if (*end || n > max || *v == '-') {
		fprintf(stderr, "slabfuzz: %s=%s: a number from 0 to %lu\n", name, v, max);
		exit(2);
	}
	return n;
}

void sf_fuzz_init(struct sf_run_opts *o)
{
	const char *env = getenv("SLABFUZZ_BUGS");
	struct sf_error err;

	memset(o, 0, sizeof(*o));
	if (env && sf_bugs_parse(env, &o->bugs, &err)) {
		fprintf(stderr, "slabfuzz: SLABFUZZ_BUGS: %s\n", err.msg);
		exit(2);
	}
	o->snapshot = env_flag("SLABFUZZ_SNAPSHOT", 0, 1);	/* measured slower: docs/bench.md */
	o->snapshot_check_every = (unsigned int)env_flag("SLABFUZZ_SNAPSHOT_CHECK",
							 SF_SNAPSHOT_CHECK_EVERY, 1u << 30);
	if (getenv("SLABFUZZ_TRACE"))
		o->trace = stdout;
}

static struct sf_program the_program;

int sf_fuzz_one(const char *target, const struct sf_run_opts *o, const uint8_t *data,
		size_t size)
{
	const struct sf_target *t = sf_target_find(target);

	if (!t)
		abort();
	if (!strcmp(target, "fuzz_program_text"))
		return sf_fuzz_text(data, size);
	if (size > SF_PROG_BINARY_MAX)
		size = SF_PROG_BINARY_MAX;
	sf_prog_decode(data, size, &the_program);
	return sf_run_program(t, &the_program, o);
}

static char text_a[1 << 16], text_b[1 << 16];
static uint8_t bin_a[SF_PROG_BINARY_MAX], bin_b[SF_PROG_BINARY_MAX];
static struct sf_program prog_b;

int sf_fuzz_text(const uint8_t *data, size_t size)
{
	char err[256];
	char *text;
	size_t la, lb;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sf_prog_parse(text, &the_program, err, sizeof(err))) {
		free(text);
		if (!strncmp(err, "line ", 5))
			return 0;
		fprintf(stderr, "slabfuzz: HARNESS: parse error without a line number\n%s\n", err);
		abort();
	}
	free(text);
	la = sf_prog_print(&the_program, text_a, sizeof(text_a));
	if (la >= sizeof(text_a))
		return 0;
	if (sf_prog_parse(text_a, &prog_b, err, sizeof(err))) {
		fprintf(stderr, "slabfuzz: HARNESS: printed program does not parse\n%s\n%s\n", err,
			text_a);
		abort();
	}
	lb = sf_prog_print(&prog_b, text_b, sizeof(text_b));
	if (la != lb || memcmp(text_a, text_b, la)) {
		fprintf(stderr, "slabfuzz: HARNESS: text round trip differs\n%s\n----\n%s\n", text_a,
			text_b);
		abort();
	}
	la = sf_prog_encode(&the_program, bin_a, sizeof(bin_a));
	sf_prog_decode(bin_a, la, &prog_b);
	lb = sf_prog_encode(&prog_b, bin_b, sizeof(bin_b));
	sf_prog_print(&prog_b, text_b, sizeof(text_b));
	if (la != lb || memcmp(bin_a, bin_b, la) || strcmp(text_a, text_b)) {
		fprintf(stderr, "slabfuzz: HARNESS: binary round trip differs\n%s\n----\n%s\n",
			text_a, text_b);
		abort();
	}
	return 0;
}
