/* SPDX-License-Identifier: MIT */
/*
 * The ownership shadow: the ranges of simulated memory the harness's live
 * allocations cover (page blocks, memblock allocations, slab objects), kept
 * sorted by start so a claim finds its neighbours by binary search. Its
 * answers come from the harness's own bookkeeping, never from the core.
 */
#include <string.h>

#include "interp_internal.h"

/* Oracle code: out of coverage feedback (fuzzers/coverage.denylist). */
SF_NO_COVERAGE_BEGIN

static const char *const kind_name[NR_SHADOW_KINDS] = { "page block", "memblock allocation",
							"slab object", "large kmalloc" };
static const char kind_letter[NR_SHADOW_KINDS] = { 'p', 'm', 'o', 'o' };

/* First span whose start is >= a. */
static unsigned int lower_bound(const struct run *r, uintptr_t a)
{
	unsigned int lo = 0, hi = r->nr_shadow;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (r->shadow[mid].start < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static _Noreturn void overlap(struct run *r, const struct shadow_span *old, uintptr_t start,
			      uintptr_t end, enum shadow_kind kind, int handle, const char *op)
{
	run_fail(r, "HARNESS: live allocations overlap",
		 "%s: %s %c%d [%#lx+%#lx) overlaps live %s %c%d [%#lx+%#lx)", op, kind_name[kind],
		 kind_letter[kind], handle, (unsigned long)start, (unsigned long)(end - start),
		 kind_name[old->kind], kind_letter[old->kind], old->handle,
		 (unsigned long)old->start, (unsigned long)(old->end - old->start));
}

void shadow_claim(struct run *r, const void *p, size_t len, enum shadow_kind kind, int handle,
		  const char *op)
{
	uintptr_t start = (uintptr_t)p, end = start + len;
	unsigned int i;

	if (!len)
		return;
	i = lower_bound(r, start);
	if (i < r->nr_shadow && r->shadow[i].start < end)
		overlap(r, &r->shadow[i], start, end, kind, handle, op);
	if (i > 0 && r->shadow[i - 1].end > start)
		overlap(r, &r->shadow[i - 1], start, end, kind, handle, op);
	if (r->nr_shadow == sizeof(r->shadow) / sizeof(r->shadow[0]))
		run_fail(r, "HARNESS: ownership shadow full", "%s: %u spans", op, r->nr_shadow);
	memmove(&r->shadow[i + 1], &r->shadow[i], (r->nr_shadow - i) * sizeof(r->shadow[0]));
	r->shadow[i].start = start;
	r->shadow[i].end = end;
	r->shadow[i].kind = (uint8_t)kind;
	r->shadow[i].handle = handle;
	r->nr_shadow++;
}

void shadow_release(struct run *r, const void *p, enum shadow_kind kind, int handle)
{
	uintptr_t start = (uintptr_t)p;
	unsigned int i = lower_bound(r, start);

	if (i >= r->nr_shadow || r->shadow[i].start != start || r->shadow[i].kind != kind ||
	    r->shadow[i].handle != handle)
		run_fail(r, "HARNESS: shadow release of an unclaimed range", "%s %c%d at %#lx",
			 kind_name[kind], kind_letter[kind], handle, (unsigned long)start);
	memmove(&r->shadow[i], &r->shadow[i + 1], (r->nr_shadow - i - 1) * sizeof(r->shadow[0]));
	r->nr_shadow--;
}

SF_NO_COVERAGE_END
