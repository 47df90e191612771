/* SPDX-License-Identifier: MIT */
/*
 * Topology descriptions: defaults, distances and validation.
 * A description that makes no sense is refused with the field it got wrong;
 * nothing here allocates or crashes on any input.
 */
#include <stdarg.h>
#include <string.h>

#include "internal.h"

static const char *const zone_names[MAX_NR_ZONES] = {
	[ZONE_DMA] = "DMA",
	[ZONE_DMA32] = "DMA32",
	[ZONE_NORMAL] = "Normal",
	[ZONE_MOVABLE] = "Movable",
};

const char *zone_type_name(enum zone_type zt)
{
	return (unsigned int)zt < MAX_NR_ZONES ? zone_names[zt] : "?";
}

static void topology_base(struct sf_topology *t)
{
	memset(t, 0, sizeof(*t));
	t->max_order = 11;
	t->section_shift = 13;			/* 32 MiB sections */
	t->vmemmap_block_sections = 1;
}

void sf_topology_simple(struct sf_topology *t, unsigned int nr_nodes, unsigned int nr_cpus,
			unsigned int mib)
{
	pfn_t pages = (pfn_t)mib << (20 - PAGE_SHIFT);
	pfn_t per_node;

	topology_base(t);
	if (nr_nodes == 0)
		nr_nodes = 1;
	if (nr_nodes > SF_MAX_NODES)
		nr_nodes = SF_MAX_NODES;
	t->nr_nodes = nr_nodes;
	t->nr_cpus = nr_cpus;
	for (unsigned int c = 0; c < nr_cpus && c < SF_MAX_CPUS; c++)
		t->cpu_node[c] = (int)(c * nr_nodes / (nr_cpus ? nr_cpus : 1));
	per_node = pages / nr_nodes;
	t->nr_ranges = nr_nodes;
	for (unsigned int n = 0; n < nr_nodes; n++) {
		t->ranges[n].start_pfn = per_node * n;
		t->ranges[n].end_pfn = per_node * (n + 1);
		t->ranges[n].node = (int)n;
	}
	/* Scale zones so that a small machine has DMA, DMA32 and Normal. */
	t->zone_dma_end = pages / 16;
	t->zone_dma32_end = pages / 4;
	t->zone_movable_start = SF_MAX_PFN;
	/* Sections of 1/16 of memory at most, and no smaller than a MAX_ORDER block. */
	t->section_shift = 8;
	while (t->section_shift < 13 && ((pfn_t)1 << (t->section_shift + 1)) <= pages / 16)
		t->section_shift++;
	if (t->max_order - 1 > t->section_shift)
		t->max_order = t->section_shift + 1;
	t->vmemmap_block_sections = 2;
}

void sf_topology_default(struct sf_topology *t)
{
	sf_topology_simple(t, 2, 4, 64);
}

unsigned int sf_topology_distance(const struct sf_topology *t, int a, int b)
{
	unsigned int d;

	if (a < 0 || b < 0 || a >= SF_MAX_NODES || b >= SF_MAX_NODES)
		return 255;
	d = t->distance[a][b];
	if (d)
		return d;
	return a == b ? 10 : 20;
}

static int topo_err(struct sf_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int topo_err(struct sf_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		snprintf(err->field, sizeof(err->field), "%s", field);
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int sf_topology_validate(const struct sf_topology *t, struct sf_error *err)
{
	char field[64];
	pfn_t present = 0;

	if (!t)
		return topo_err(err, "topology", "no topology given");
	if (t->nr_nodes < 1 || t->nr_nodes > SF_MAX_NODES)
		return topo_err(err, "nr_nodes", "%u nodes; must be 1..%d", t->nr_nodes,
				SF_MAX_NODES);
	if (t->nr_cpus < 1 || t->nr_cpus > SF_MAX_CPUS)
		return topo_err(err, "nr_cpus", "%u cpus; must be 1..%d", t->nr_cpus,
				SF_MAX_CPUS);
	if (t->boot_cpu >= t->nr_cpus)
		return topo_err(err, "boot_cpu", "cpu %u does not exist (nr_cpus %u)",
				t->boot_cpu, t->nr_cpus);
	for (unsigned int c = 0; c < t->nr_cpus; c++) {
		if (t->cpu_node[c] < 0 || (unsigned int)t->cpu_node[c] >= t->nr_nodes) {
			snprintf(field, sizeof(field), "cpu_node[%u]", c);
			return topo_err(err, field, "node %d does not exist (nr_nodes %u)",
					t->cpu_node[c], t->nr_nodes);
		}
	}
	for (unsigned int a = 0; a < t->nr_nodes; a++) {
		for (unsigned int b = 0; b < t->nr_nodes; b++) {
			unsigned int d = sf_topology_distance(t, (int)a, (int)b);

			snprintf(field, sizeof(field), "distance[%u][%u]", a, b);
			if (a == b && d != 10)
				return topo_err(err, field, "local distance %u; must be 10", d);
			if (a != b && d <= 10)
				return topo_err(err, field, "remote distance %u; must be > 10", d);
			if (sf_topology_distance(t, (int)b, (int)a) != d)
				return topo_err(err, field, "not symmetric (%u vs %u)", d,
						sf_topology_distance(t, (int)b, (int)a));
		}
	}
	if (t->max_order < SF_MIN_MAX_ORDER || t->max_order > SF_MAX_ORDER_LIMIT)
		return topo_err(err, "max_order", "%u; must be %d..%d", t->max_order,
				SF_MIN_MAX_ORDER, SF_MAX_ORDER_LIMIT);
	if (t->section_shift < t->max_order - 1 || t->section_shift > 18)
		return topo_err(err, "section_shift",
				"%u; must be %u..18 (a section holds a MAX_ORDER block)",
				t->section_shift, t->max_order - 1);
	if (t->vmemmap_block_sections < 1 || t->vmemmap_block_sections > 64 ||
	    (t->vmemmap_block_sections & (t->vmemmap_block_sections - 1)))
		return topo_err(err, "vmemmap_block_sections",
				"%u; must be a power of two in 1..64", t->vmemmap_block_sections);
	if (t->nr_ranges < 1 || t->nr_ranges > SF_MAX_RANGES)
		return topo_err(err, "nr_ranges", "%u ranges; must be 1..%d (no memory at all?)",
				t->nr_ranges, SF_MAX_RANGES);
	for (unsigned int i = 0; i < t->nr_ranges; i++) {
		const struct sf_mem_range *r = &t->ranges[i];

		snprintf(field, sizeof(field), "ranges[%u]", i);
		if (r->end_pfn <= r->start_pfn)
			return topo_err(err, field, "empty range [%#llx, %#llx)",
					(unsigned long long)r->start_pfn,
					(unsigned long long)r->end_pfn);
		if (r->end_pfn > SF_MAX_PFN)
			return topo_err(err, field, "end pfn %#llx past the maximum %#lx",
					(unsigned long long)r->end_pfn, SF_MAX_PFN);
		if (r->node < 0 || (unsigned int)r->node >= t->nr_nodes) {
			snprintf(field, sizeof(field), "ranges[%u].node", i);
			return topo_err(err, field, "node %d does not exist (nr_nodes %u)",
					r->node, t->nr_nodes);
		}
		for (unsigned int j = 0; j < i; j++) {
			const struct sf_mem_range *o = &t->ranges[j];

			if (r->start_pfn < o->end_pfn && o->start_pfn < r->end_pfn)
				return topo_err(err, field, "overlaps ranges[%u]", j);
		}
		present += r->end_pfn - r->start_pfn;
	}
	if (present > SF_MAX_PRESENT_PAGES)
		return topo_err(err, "ranges", "%llu pages of memory; at most %lu supported",
				(unsigned long long)present, SF_MAX_PRESENT_PAGES);
	if (t->zone_dma_end > t->zone_dma32_end)
		return topo_err(err, "zone_dma_end", "%#llx above zone_dma32_end %#llx",
				(unsigned long long)t->zone_dma_end,
				(unsigned long long)t->zone_dma32_end);
	if (t->zone_dma32_end > t->zone_movable_start)
		return topo_err(err, "zone_dma32_end", "%#llx above zone_movable_start %#llx",
				(unsigned long long)t->zone_dma32_end,
				(unsigned long long)t->zone_movable_start);
	if (t->zone_movable_start > SF_MAX_PFN)
		return topo_err(err, "zone_movable_start", "%#llx past the maximum pfn %#lx",
				(unsigned long long)t->zone_movable_start, SF_MAX_PFN);
	return 0;
}

static const char *const bug_names[] = {
	"vmemmap_repopulate",	 "buddy_merge_unaligned", "slab_memoryless_boot",
	"slab_early_irq_enable", "slab_dma_duplicate",	  "slab_resize_race",
	"slab_sysfs_race",
};

const char *sf_bug_name(enum sf_bug bug)
{
	for (unsigned int i = 0; i < sizeof(bug_names) / sizeof(bug_names[0]); i++)
		if ((unsigned int)bug == 1u << i)
			return bug_names[i];
	return "?";
}

int sf_bugs_parse(const char *list, unsigned int *bugs, struct sf_error *err)
{
	unsigned int out = 0;
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		unsigned int i;

		for (i = 0; i < sizeof(bug_names) / sizeof(bug_names[0]); i++)
			if (strlen(bug_names[i]) == len && !strncmp(p, bug_names[i], len))
				break;
		if (i == sizeof(bug_names) / sizeof(bug_names[0]))
			return topo_err(err, "bugs", "unknown bug '%.*s'", (int)len, p);
		out |= 1u << i;
		p += len;
		if (*p == ',')
			p++;
	}
	*bugs = out;
	return 0;
}

static const struct {
	gfp_t bits;
	const char *name;
} gfp_names[] = {
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ __GFP_DMA, "__GFP_DMA" },
	{ __GFP_DMA32, "__GFP_DMA32" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
};

char *gfp_format(gfp_t gfp, char *buf, size_t size)
{
	size_t len = 0;
	gfp_t left = gfp;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(gfp_names) / sizeof(gfp_names[0]); i++) {
		if ((left & gfp_names[i].bits) != gfp_names[i].bits || !gfp_names[i].bits)
			continue;
		left &= ~gfp_names[i].bits;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "|" : "",
						gfp_names[i].name);
	}
	if (left && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%s%#x", len ? "|" : "", left);
	if (!gfp && size)
		snprintf(buf, size, "0");
	return buf;
}
