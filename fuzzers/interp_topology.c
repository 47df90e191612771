/* SPDX-License-Identifier: MIT */
/*
 * machine_create_invalid: a topology a user could get wrong. The op breaks
 * one field of the program's own (valid) topology and asks machine_create
 * for a second machine: it must refuse, naming that field (the harness
 * knows which it broke; the run's machine is not touched).
 */
#include <stdio.h>
#include <string.h>

#include "interp_internal.h"

/* Break field `kind` of t (the order of topo_names in program.c); the field
 * sf_topology_validate must name into want. false: the topology has no such
 * field to break (one node has no remote distance). */
static bool topology_break(struct sf_topology *t, unsigned int kind, char *want, size_t len)
{
	unsigned int last = t->nr_ranges - 1;
	unsigned int d;

	switch (kind) {
	case 0: t->nr_nodes = 0; snprintf(want, len, "nr_nodes"); break;
	case 1: t->nr_nodes = SF_MAX_NODES + 1; snprintf(want, len, "nr_nodes"); break;
	case 2: t->nr_cpus = 0; snprintf(want, len, "nr_cpus"); break;
	case 3: t->boot_cpu = t->nr_cpus; snprintf(want, len, "boot_cpu"); break;
	case 4: t->cpu_node[0] = (int)t->nr_nodes; snprintf(want, len, "cpu_node[0]"); break;
	case 5: t->distance[0][0] = 20; snprintf(want, len, "distance[0][0]"); break;
	case 6:
	case 7:
		if (t->nr_nodes < 2)
			return false;
		d = t->distance[0][1];
		if (kind == 6)
			t->distance[0][1] = t->distance[1][0] = 10;
		else
			t->distance[0][1] = (uint8_t)(d == 255 ? 254 : d + 1);
		snprintf(want, len, "distance[0][1]");
		break;
	case 8: t->max_order = SF_MAX_ORDER_LIMIT + 1; snprintf(want, len, "max_order"); break;
	case 9: t->section_shift = 19; snprintf(want, len, "section_shift"); break;
	case 10:
		t->vmemmap_block_sections = 3;
		snprintf(want, len, "vmemmap_block_sections");
		break;
	case 11: t->nr_ranges = 0; snprintf(want, len, "nr_ranges"); break;
	case 12:
		t->ranges[0].end_pfn = t->ranges[0].start_pfn;
		snprintf(want, len, "ranges[0]");
		break;
	case 13:
		t->ranges[last].end_pfn = SF_MAX_PFN + 1;
		snprintf(want, len, "ranges[%u]", last);
		break;
	case 14:
		t->ranges[0].node = (int)t->nr_nodes;
		snprintf(want, len, "ranges[0].node");
		break;
	case 15:
		t->ranges[t->nr_ranges] = t->ranges[0];
		snprintf(want, len, "ranges[%u]", t->nr_ranges++);
		break;
	case 16:
		t->zone_dma_end = t->zone_dma32_end + 1;
		snprintf(want, len, "zone_dma_end");
		break;
	case 17:
		t->zone_dma_end = 0;
		t->zone_dma32_end = 2;
		t->zone_movable_start = 1;
		snprintf(want, len, "zone_dma32_end");
		break;
	default:
		t->zone_movable_start = SF_MAX_PFN + 1;
		snprintf(want, len, "zone_movable_start");
		break;
	}
	return true;
}

bool topology_invalid_op(struct run *r, const struct sf_op *op)
{
	struct sf_topology t = r->topo;
	struct sf_options opts = { .debug_level = -1, .seed = 1 };
	struct sf_error err = { "", "" };
	struct machine *m2;
	char want[sizeof(err.field)];

	if (!topology_break(&t, op->arg[0], want, sizeof(want)))
		return false;
	m2 = r->o->test_machine_create ? r->o->test_machine_create(&t, &opts, &err) :
					 machine_create(&t, &opts, &err);
	if (m2) {
		machine_destroy(m2);
		run_fail(r, "HARNESS: invalid topology accepted", "%s broken, machine created",
			 want);
	}
	if (strcmp(err.field, want) || !err.msg[0])
		run_fail(r, "HARNESS: invalid topology refused for another field",
			 "%s broken, refused for '%s': %s", want, err.field, err.msg);
	return true;
}
