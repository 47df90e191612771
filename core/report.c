/* SPDX-License-Identifier: MIT */
/*
 * Reports: titled, counted by title, handed to the machine's handler.
 *
 * The log keeps the first report of each distinct title and a count per
 * title, whatever the handler does, so tests and triage can ask "how many
 * BUG: Bad page state". WARN-class reports print once per title (WARN_ONCE).
 */
#include <stdarg.h>
#include <string.h>

#include "internal.h"

static const char *const report_kind_names[] = {
	[SF_REPORT_BUG] = "BUG",
	[SF_REPORT_WARN] = "WARNING",
	[SF_REPORT_INFO] = "INFO",
};

_Noreturn void sf_bug_on_fail(const char *cond, const char *file, int line, const char *func)
{
	fprintf(stderr, "slabfuzz: internal invariant broken: %s at %s:%d (%s)\n", cond, file,
		line, func);
	abort();
}

char *sf_report_format(const struct sf_report *r, char *buf, size_t size)
{
	char pfn[24] = "-";

	if (r->pfn >= 0)
		snprintf(pfn, sizeof(pfn), "0x%llx", (unsigned long long)r->pfn);
	snprintf(buf, size,
		 "%s\n"
		 "kind: %s  op: %s  stage: %s  cpu: %d  node: %d  zone: %s  pfn: %s\n"
		 "%s",
		 r->title, report_kind_names[r->kind], r->op ? r->op : "-",
		 boot_stage_name((enum boot_stage)r->stage), r->cpu, r->node,
		 r->zone >= 0 ? zone_type_name((enum zone_type)r->zone) : "-", pfn, r->body);
	return buf;
}

void sf_report_fprint(struct machine *m, const struct sf_report *r, void *file)
{
	char buf[SF_REPORT_TITLE_MAX + SF_REPORT_BODY_MAX + 256];

	/* INFO notices are only counted; WARN once per title. */
	if (r->kind == SF_REPORT_INFO)
		return;
	if (r->kind == SF_REPORT_WARN && sf_reports_count(m, r->title) > 1)
		return;
	fprintf(file, "slabfuzz: %s\n", sf_report_format(r, buf, sizeof(buf)));
}

void sf_report_print(struct machine *m, const struct sf_report *r, void *data)
{
	(void)data;
	sf_report_fprint(m, r, stderr);
}

void sf_report_collect(struct machine *m, const struct sf_report *r, void *data)
{
	/* The log in report() already holds it. */
	(void)m;
	(void)r;
	(void)data;
}

void sf_set_report_handler(struct machine *m, sf_report_handler_fn fn, void *data)
{
	m->report_fn = fn ? fn : sf_report_print;
	m->report_data = data;
}

static void report_log_add(struct machine *m, const struct sf_report *r)
{
	struct report_log *log = &m->reports;
	unsigned int i;

	spin_lock(&m->report_lock);
	log->total++;
	log->by_kind[r->kind]++;
	for (i = 0; i < log->nr_distinct; i++) {
		if (!strcmp(log->first[i].title, r->title)) {
			log->count[i]++;
			goto out;
		}
	}
	if (log->nr_distinct < SF_REPORT_LOG_MAX) {
		log->first[log->nr_distinct] = *r;
		log->count[log->nr_distinct] = 1;
		log->nr_distinct++;
	} else {
		log->dropped++;
	}
out:
	spin_unlock(&m->report_lock);
}

static int report_cpu(struct machine *m)
{
	return m->stage >= STAGE_EARLY ? smp_processor_id(m) : -1;
}

static void report_fill(struct machine *m, struct sf_report *r, enum sf_report_kind kind,
			const char *title, const struct report_ctx *ctx)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	snprintf(r->title, sizeof(r->title), "%s", title);
	r->stage = (int)m->stage;
	r->cpu = report_cpu(m);
	r->node = ctx ? ctx->node : -1;
	r->zone = ctx ? ctx->zone : -1;
	r->pfn = ctx ? ctx->pfn : -1;
	r->op = ctx ? ctx->op : NULL;
}

static void report_deliver(struct machine *m, const struct sf_report *r)
{
	report_log_add(m, r);
	m->report_fn(m, r, m->report_data);
}

void report(struct machine *m, enum sf_report_kind kind, const char *title,
	    const struct report_ctx *ctx, const char *fmt, ...)
{
	struct sf_report r;
	va_list ap;

	report_fill(m, &r, kind, title, ctx);
	va_start(ap, fmt);
	vsnprintf(r.body, sizeof(r.body), fmt, ap);
	va_end(ap);
	report_deliver(m, &r);
}

void report_page(struct machine *m, enum sf_report_kind kind, const char *title,
		 struct page *page, const char *op, const char *reason)
{
	struct report_ctx ctx = { op, page->node, page->zone, (int64_t)page_to_pfn(m, page) };

	report(m, kind, title, &ctx,
	       "page: state:%u order:%u tail:%u head_offset:%u refcount:%d flags:%#x\n"
	       "page dumped because: %s\n",
	       page->state, page->order, page->tail, page->head_offset,
	       atomic_load_explicit(&page->refcount, memory_order_relaxed), page->flags,
	       reason);
}

unsigned long sf_reports_total(const struct machine *m)
{
	return m->reports.total;
}

unsigned long sf_reports_of_kind(const struct machine *m, enum sf_report_kind kind)
{
	return (unsigned int)kind < 3 ? m->reports.by_kind[kind] : 0;
}

unsigned long sf_reports_count(const struct machine *m, const char *title)
{
	const struct report_log *log = &m->reports;

	for (unsigned int i = 0; i < log->nr_distinct; i++)
		if (!strcmp(log->first[i].title, title))
			return log->count[i];
	return 0;
}

unsigned long sf_reports_matching(const struct machine *m, const char *substr)
{
	const struct report_log *log = &m->reports;
	unsigned long n = 0;

	for (unsigned int i = 0; i < log->nr_distinct; i++)
		if (strstr(log->first[i].title, substr))
			n += log->count[i];
	return n;
}

const struct sf_report *sf_reports_get(const struct machine *m, unsigned int i)
{
	return i < m->reports.nr_distinct ? &m->reports.first[i] : NULL;
}

void sf_reports_clear(struct machine *m)
{
	spin_lock(&m->report_lock);
	memset(&m->reports, 0, sizeof(m->reports));
	spin_unlock(&m->report_lock);
}
