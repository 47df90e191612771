/* SPDX-License-Identifier: MIT */
/* Topology validation: every nonsense description is refused by field. */
#include "test.h"

static void expect_invalid(const struct sf_topology *t, const char *field)
{
	struct sf_error err;
	struct machine *m;

	memset(&err, 0, sizeof(err));
	expect_eq(sf_topology_validate(t, &err), -22);
	expect_str_contains(err.field, field);
	expect_true(err.msg[0] != '\0');
	m = machine_create(t, NULL, &err);
	expect_null(m);
	machine_destroy(m);
}

static void test_default_is_valid(void)
{
	struct sf_topology t;
	struct sf_error err;

	sf_topology_default(&t);
	expect_eq(sf_topology_validate(&t, &err), 0);
	expect_eq(t.nr_nodes, 2);
	expect_eq(t.nr_cpus, 4);
	expect_eq(t.ranges[1].end_pfn, 64 << 8);
}

static void test_rejections(void)
{
	struct sf_topology t;

	expect_eq(sf_topology_validate(NULL, NULL), -22);

	sf_topology_default(&t);
	t.nr_cpus = 0;
	expect_invalid(&t, "nr_cpus");

	sf_topology_default(&t);
	t.nr_cpus = SF_MAX_CPUS + 1;
	expect_invalid(&t, "nr_cpus");

	sf_topology_default(&t);
	t.nr_nodes = 0;
	expect_invalid(&t, "nr_nodes");

	sf_topology_default(&t);
	t.nr_nodes = SF_MAX_NODES + 1;
	expect_invalid(&t, "nr_nodes");

	sf_topology_default(&t);
	t.cpu_node[3] = 2;
	expect_invalid(&t, "cpu_node[3]");

	sf_topology_default(&t);
	t.boot_cpu = 4;
	expect_invalid(&t, "boot_cpu");

	sf_topology_default(&t);
	t.ranges[1].start_pfn = t.ranges[0].end_pfn - 1;
	expect_invalid(&t, "ranges[1]");

	sf_topology_default(&t);
	t.ranges[0].node = 5;
	expect_invalid(&t, "ranges[0].node");

	sf_topology_default(&t);
	t.nr_ranges = 0;
	expect_invalid(&t, "nr_ranges");

	sf_topology_default(&t);
	t.ranges[0].end_pfn = t.ranges[0].start_pfn;
	expect_invalid(&t, "ranges[0]");

	sf_topology_default(&t);
	t.ranges[1].end_pfn = SF_MAX_PFN + 1;
	expect_invalid(&t, "ranges[1]");

	sf_topology_default(&t);
	t.ranges[0].start_pfn = 0;
	t.ranges[0].end_pfn = SF_MAX_PRESENT_PAGES;
	t.ranges[1].start_pfn = SF_MAX_PRESENT_PAGES;
	t.ranges[1].end_pfn = SF_MAX_PRESENT_PAGES + 16;
	expect_invalid(&t, "ranges");

	sf_topology_default(&t);
	t.max_order = 0;
	expect_invalid(&t, "max_order");

	sf_topology_default(&t);
	t.max_order = SF_MAX_ORDER_LIMIT + 1;
	expect_invalid(&t, "max_order");

	sf_topology_default(&t);
	t.section_shift = t.max_order - 2;
	expect_invalid(&t, "section_shift");

	sf_topology_default(&t);
	t.vmemmap_block_sections = 3;
	expect_invalid(&t, "vmemmap_block_sections");

	sf_topology_default(&t);
	t.distance[0][1] = 30;
	t.distance[1][0] = 40;
	expect_invalid(&t, "distance[0][1]");

	sf_topology_default(&t);
	t.distance[1][1] = 20;
	expect_invalid(&t, "distance[1][1]");

	sf_topology_default(&t);
	t.zone_dma_end = t.zone_dma32_end + 1;
	expect_invalid(&t, "zone_dma_end");

	sf_topology_default(&t);
	t.zone_movable_start = t.zone_dma32_end - 1;
	expect_invalid(&t, "zone_dma32_end");
}

static void test_bug_names(void)
{
	unsigned int bugs = 0;
	struct sf_error err;

	expect_eq(sf_bugs_parse("vmemmap_repopulate,buddy_merge_unaligned", &bugs, &err), 0);
	expect_eq(bugs, SF_BUG_VMEMMAP_REPOPULATE | SF_BUG_BUDDY_MERGE_UNALIGNED);
	expect_eq(sf_bugs_parse("no_such_bug", &bugs, &err), -22);
	expect_str_contains(err.msg, "no_such_bug");
	expect_str_contains(sf_bug_name(SF_BUG_SLAB_DMA_DUPLICATE), "dma");
}

static void test_gfp_format(void)
{
	char buf[128];

	expect_str_contains(gfp_format(GFP_KERNEL | __GFP_ZERO, buf, sizeof(buf)),
			    "GFP_KERNEL|__GFP_ZERO");
	expect_eq(strcmp(gfp_format(0, buf, sizeof(buf)), "0"), 0);
	expect_str_contains(gfp_format(GFP_ATOMIC, buf, sizeof(buf)), "GFP_ATOMIC");
}

int main(void)
{
	RUN(test_default_is_valid);
	RUN(test_rejections);
	RUN(test_bug_names);
	RUN(test_gfp_format);
	return test_summary();
}
