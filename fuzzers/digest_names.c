/* SPDX-License-Identifier: MIT */
/*
 * The names of a digest's fields (slabfuzz/digest.h), for the
 * reset-equivalence oracle's report: "node[0].zone[2].free_area[3].nr_free",
 * "cache[4].limit/batch/shared", "memmap[pfn 0x1f1]".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "digest_names.h"
#include "interp_internal.h"

SF_NO_COVERAGE_BEGIN

static const char *const dgm_names[] = { "stage", "gfp_allowed_mask", "bugs", "debug_level",
					 "max_pfn", "current_cpu", "node_states", "holes" };
static const char *const dgc_names[] = { "online", "irqs_enabled", "irq_depth",
					 "preempt_count", "timers", "sched_hits" };
static const char *const dgb_names[] = { "cnt", "regions", "retired/freed_late/bytes" };
static const char *const dgs_names[] = { "shape", "sections", "blocks" };
static const char *const dgz_names[] = { "span", "present/managed", "watermark",
					 "free_pages" };
static const char *const dgr_names[] = { "total", "by_kind", "nr_distinct", "dropped" };
static const char *const dgl_names[] = { "state", "kmalloc_caches", "track_seq", "boot_page",
					 "nr_caches", "nr_sysfs", "shrinker" };
static const char *const dgk_names[] = { "name", "geometry", "limit/batch/shared", "flags",
					 "refcount/sysfs" };
static const char *const dgn_names[] = { "counters", "slabs_partial", "slabs_full",
					 "slabs_free", "shared" };
static const char *const dgf_names[] = { "fail_page_alloc", "failslab" };

/*
 * How a kind's name is printed: parts[0], index 0, parts[1], index 1, ...
 * for nidx indexes (a, b, c); the index sub_of is printed as subs[index]
 * (sub_of >= nidx: none), the others in decimal, or pfns in hex.
 */
struct dg_desc {
	const char *parts[4];
	const char *const *subs;
	uint8_t nsubs, sub_of, nidx;
	bool hex;
};

#define SUBS(names) names, sizeof(names) / sizeof(names[0])

static const struct dg_desc dg_descs[NR_DG_KINDS] = {
	[DG_MACHINE] = { { "machine.", "" }, SUBS(dgm_names), 0, 1, false },
	[DG_CPU] = { { "cpu[", "].", "" }, SUBS(dgc_names), 1, 2, false },
	[DG_MEMBLOCK] = { { "memblock.type[", "].", "" }, SUBS(dgb_names), 1, 2, false },
	[DG_SPARSE] = { { "sparse.", "" }, SUBS(dgs_names), 0, 1, false },
	[DG_ZONE] = { { "node[", "].zone[", "].", "" }, SUBS(dgz_names), 2, 3, false },
	[DG_FREE_AREA] = { { "node[", "].zone[", "].free_area[", "].nr_free" }, NULL, 0, 3, 3,
			   false },
	[DG_FREE_LIST] = { { "node[", "].zone[", "].free_area[", "].free_list" }, NULL, 0, 3,
			   3, false },
	[DG_PCP] = { { "node[", "].zone[", "].pcp[cpu ", "]" }, NULL, 0, 3, 3, false },
	[DG_PAGE] = { { "memmap[pfn ", "]" }, NULL, 0, 1, 1, true },
	[DG_ASAN_PAGE] = { { "asan_shadow[pfn ", "]" }, NULL, 0, 1, 1, true },
	[DG_FAULT] = { { "", "" }, SUBS(dgf_names), 0, 1, false },
	[DG_REPORTS] = { { "reports.", "" }, SUBS(dgr_names), 0, 1, false },
	[DG_REPORT] = { { "reports.log[", "]" }, NULL, 0, 1, 1, false },
	[DG_SLAB] = { { "slab.", "" }, SUBS(dgl_names), 0, 1, false },
	[DG_CACHE] = { { "cache[", "].", "" }, SUBS(dgk_names), 1, 2, false },
	[DG_CACHE_NODE] = { { "cache[", "].node[", "].", "" }, SUBS(dgn_names), 2, 3, false },
	[DG_CACHE_CPU] = { { "cache[", "].cpu[", "].queue" }, NULL, 0, 2, 2, false },
	[DG_CACHE_ALIEN] = { { "cache[", "].node[", "].alien[", "]" }, NULL, 0, 3, 3, false },
	[DG_SYSFS] = { { "slab.sysfs[", "]" }, NULL, 0, 1, 1, false },
};

size_t sf_digest_field_name(const struct sf_digest *d, size_t i, char *buf, size_t len)
{
	const struct sf_digest_field *f = i < d->nr ? &d->f[i] : NULL;
	const struct dg_desc *desc = f && f->kind < NR_DG_KINDS ? &dg_descs[f->kind] : NULL;
	uint32_t idx[3];
	size_t n;

	if (!desc)
		return (size_t)snprintf(buf, len, "(end)");
	idx[0] = f->a;
	idx[1] = f->b;
	idx[2] = f->c;
	n = (size_t)snprintf(buf, len, "%s", desc->parts[0]);
	for (unsigned int k = 0; k < desc->nidx; k++) {
		char num[16];
		const char *x = num;

		if (k == desc->sub_of)
			x = idx[k] < desc->nsubs ? desc->subs[idx[k]] : "?";
		else
			snprintf(num, sizeof(num), desc->hex ? "%#x" : "%u", idx[k]);
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s", x,
				      desc->parts[k + 1]);
	}
	return n;
}

size_t sf_digest_describe_diff(const struct sf_digest *a, const struct sf_digest *b,
			       char *buf, size_t len)
{
	long i = sf_digest_diff(a, b);
	char na[96], nb[96];

	if (len)
		buf[0] = '\0';
	if (i < 0)
		return 0;
	sf_digest_field_name(a, (size_t)i, na, sizeof(na));
	sf_digest_field_name(b, (size_t)i, nb, sizeof(nb));
	if (strcmp(na, nb))
		return (size_t)snprintf(buf, len, "field %ld: %s vs %s", i, na, nb);
	return (size_t)snprintf(buf, len, "%s: %#llx vs %#llx", na,
				(unsigned long long)a->f[i].value,
				(unsigned long long)b->f[i].value);
}

SF_NO_COVERAGE_END
