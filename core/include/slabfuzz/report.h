/* SPDX-License-Identifier: MIT */
/*
 * Reports: every error the core can detect.
 *
 * A report has a stable kernel-style title, the dedup key for triage
 * ("BUG: Bad page state", "BUG kmalloc-64 (Not tainted): Object already free"),
 * and a body with the context (stage, cpu, node, zone, pfn, flags, operation).
 * Titles never contain addresses, pfns or counters.
 *
 * The handler is per machine: abort (fuzz builds), collect (tests) or
 * print and count (stress runs). Every report is also counted by title in
 * the machine's report log, whatever the handler.
 */
#ifndef SLABFUZZ_REPORT_H
#define SLABFUZZ_REPORT_H

#include "slabfuzz/types.h"

enum sf_report_kind {
	SF_REPORT_BUG,		/* allocator state is broken or caller corrupted it */
	SF_REPORT_WARN,		/* caller misuse the allocator refused (WARN_ON) */
	SF_REPORT_INFO,		/* printk-level notice, never fatal */
};

#define SF_REPORT_TITLE_MAX 128
#define SF_REPORT_BODY_MAX 768

struct sf_report {
	enum sf_report_kind kind;
	char title[SF_REPORT_TITLE_MAX];	/* stable dedup key */
	char body[SF_REPORT_BODY_MAX];		/* context lines */
	int stage;				/* enum boot_stage */
	int cpu;				/* -1 when unknown */
	int node;				/* -1 when not relevant */
	int zone;				/* enum zone_type, -1 when not relevant */
	int64_t pfn;				/* -1 when not relevant */
	const char *op;				/* the API operation, e.g. "__free_pages" */
};

typedef void (*sf_report_handler_fn)(struct machine *m, const struct sf_report *r,
				     void *data);

/* Ready-made handlers. */
void sf_report_collect(struct machine *m, const struct sf_report *r, void *data);
/* Print BUG reports, WARN once per title; INFO is only counted. The default. */
void sf_report_print(struct machine *m, const struct sf_report *r, void *data);
/* What sf_report_print prints, to file (a FILE *): a handler that prints
 * elsewhere. */
void sf_report_fprint(struct machine *m, const struct sf_report *r, void *file);

void sf_set_report_handler(struct machine *m, sf_report_handler_fn fn, void *data);

/* Write a report as the kernel would print it, into buf. Returns buf. */
char *sf_report_format(const struct sf_report *r, char *buf, size_t size);

/* The report log: totals, and counts by title. */
unsigned long sf_reports_total(const struct machine *m);
/* Reports of one kind (SF_REPORT_BUG + SF_REPORT_WARN are the errors); 0 for a
 * value that is no kind. */
unsigned long sf_reports_of_kind(const struct machine *m, enum sf_report_kind kind);
unsigned long sf_reports_count(const struct machine *m, const char *title);
/* Counts of reports whose title contains substr (e.g. "Redzone overwritten"). */
unsigned long sf_reports_matching(const struct machine *m, const char *substr);
/* The i-th distinct report kept (first of its title), NULL past the end. */
const struct sf_report *sf_reports_get(const struct machine *m, unsigned int i);
void sf_reports_clear(struct machine *m);

#endif
