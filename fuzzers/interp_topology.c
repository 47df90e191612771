/* SPDX-License-Identifier: MIT */
/*
 * machine_create_invalid: a topology a user could get wrong. The op breaks
 * one field of the program's own (valid) topology and asks machine_create
 * for a second machine: it must refuse, naming that field (the harness
 * knows which it broke; the run's machine is not touched), and its message
 * must state the bad value and the bounds it breaks, as the harness
 * computes them (the limits of types.h, the topology's other fields).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"

#define WANT_NUMS 4

/* The numbers the refusal's message must contain. */
struct want_nums {
	unsigned long long v[WANT_NUMS];
	unsigned int nr;
};

static void nums(struct want_nums *w, unsigned int nr, unsigned long long a,
		 unsigned long long b, unsigned long long c)
{
	w->v[0] = a;
	w->v[1] = b;
	w->v[2] = c;
	w->nr = nr;
}

/* Break field `kind` of t (the order of topo_names in program.c); the field
 * sf_topology_validate must name into want, the value and bounds its
 * message must state into w. false: the topology has no such field to
 * break (one node has no remote distance). */
static bool topology_break(struct sf_topology *t, unsigned int kind, char *want, size_t len,
			   struct want_nums *w)
{
	unsigned int last = t->nr_ranges - 1;
	unsigned int d;

	switch (kind) {
	case 0:
		t->nr_nodes = 0;
		nums(w, 3, 0, 1, SF_MAX_NODES);
		snprintf(want, len, "nr_nodes");
		break;
	case 1:
		t->nr_nodes = SF_MAX_NODES + 1;
		nums(w, 3, SF_MAX_NODES + 1, 1, SF_MAX_NODES);
		snprintf(want, len, "nr_nodes");
		break;
	case 2:
		t->nr_cpus = 0;
		nums(w, 3, 0, 1, SF_MAX_CPUS);
		snprintf(want, len, "nr_cpus");
		break;
	case 3:
		t->boot_cpu = t->nr_cpus;
		nums(w, 1, t->nr_cpus, 0, 0);
		snprintf(want, len, "boot_cpu");
		break;
	case 4:
		t->cpu_node[0] = (int)t->nr_nodes;
		nums(w, 1, t->nr_nodes, 0, 0);
		snprintf(want, len, "cpu_node[0]");
		break;
	case 5:
		t->distance[0][0] = 20;
		nums(w, 2, 20, 10, 0);
		snprintf(want, len, "distance[0][0]");
		break;
	case 6:
	case 7:
		if (t->nr_nodes < 2)
			return false;
		d = t->distance[0][1];
		if (kind == 6) {
			t->distance[0][1] = t->distance[1][0] = 10;
			nums(w, 2, 10, 10, 0);
		} else {
			t->distance[0][1] = (uint8_t)(d == 255 ? 254 : d + 1);
			/* an entry 0 is the default remote distance, 20 */
			d = t->distance[1][0] ? t->distance[1][0] : 20;
			if (t->distance[0][1] <= 10)
				nums(w, 2, t->distance[0][1], 10, 0);
			else
				nums(w, 2, t->distance[0][1], d, 0);
		}
		snprintf(want, len, "distance[0][1]");
		break;
	case 8:
		t->max_order = SF_MAX_ORDER_LIMIT + 1;
		nums(w, 3, SF_MAX_ORDER_LIMIT + 1, SF_MIN_MAX_ORDER, SF_MAX_ORDER_LIMIT);
		snprintf(want, len, "max_order");
		break;
	case 9:
		/* a section holds a MAX_ORDER block, at most 2^18 pages */
		t->section_shift = 19;
		nums(w, 3, 19, t->max_order - 1, 18);
		snprintf(want, len, "section_shift");
		break;
	case 10:
		t->vmemmap_block_sections = 3;
		nums(w, 3, 3, 1, 64);
		snprintf(want, len, "vmemmap_block_sections");
		break;
	case 11:
		t->nr_ranges = 0;
		nums(w, 3, 0, 1, SF_MAX_RANGES);
		snprintf(want, len, "nr_ranges");
		break;
	case 12:
		t->ranges[0].end_pfn = t->ranges[0].start_pfn;
		nums(w, 1, t->ranges[0].start_pfn, 0, 0);
		snprintf(want, len, "ranges[0]");
		break;
	case 13:
		t->ranges[last].end_pfn = SF_MAX_PFN + 1;
		nums(w, 2, SF_MAX_PFN + 1, SF_MAX_PFN, 0);
		snprintf(want, len, "ranges[%u]", last);
		break;
	case 14:
		t->ranges[0].node = (int)t->nr_nodes;
		nums(w, 1, t->nr_nodes, 0, 0);
		snprintf(want, len, "ranges[0].node");
		break;
	case 15:
		t->ranges[t->nr_ranges] = t->ranges[0];
		nums(w, 1, 0, 0, 0);	/* the range it overlaps */
		snprintf(want, len, "ranges[%u]", t->nr_ranges++);
		break;
	case 16:
		t->zone_dma_end = t->zone_dma32_end + 1;
		nums(w, 2, t->zone_dma_end, t->zone_dma32_end, 0);
		snprintf(want, len, "zone_dma_end");
		break;
	case 17:
		t->zone_dma_end = 0;
		t->zone_dma32_end = 2;
		t->zone_movable_start = 1;
		nums(w, 2, 2, 1, 0);
		snprintf(want, len, "zone_dma32_end");
		break;
	default:
		t->zone_movable_start = SF_MAX_PFN + 1;
		nums(w, 2, SF_MAX_PFN + 1, SF_MAX_PFN, 0);
		snprintf(want, len, "zone_movable_start");
		break;
	}
	return true;
}

/*
 * The other side of kind's bounds: field `kind` of t set to the lowest
 * (side 0) or highest (side 1) value the bounds that kind breaks allow,
 * the fields it depends on moved to keep the topology valid. The harness
 * takes the bounds from types.h and the refusal messages' own statement of
 * them, not from the validator. false: kind has no such side here.
 */
static bool topology_at_bound(struct sf_topology *t, unsigned int kind, unsigned int side,
			      char *what, size_t len)
{
	switch (kind) {
	case 0:
	case 1:
		if (!side)
			return false;	/* one node: every cpu and range on node 0 */
		for (unsigned int a = t->nr_nodes; a < SF_MAX_NODES; a++)
			for (unsigned int b = 0; b < SF_MAX_NODES; b++)
				t->distance[a][b] = t->distance[b][a] = 0;	/* the defaults */
		t->nr_nodes = SF_MAX_NODES;
		snprintf(what, len, "nr_nodes %d", SF_MAX_NODES);
		return true;
	case 2:
		if (side) {
			for (unsigned int c = t->nr_cpus; c < SF_MAX_CPUS; c++)
				t->cpu_node[c] = 0;
			t->nr_cpus = SF_MAX_CPUS;
		} else {
			t->nr_cpus = 1;
			t->boot_cpu = 0;
		}
		snprintf(what, len, "nr_cpus %u", t->nr_cpus);
		return true;
	case 8:
		t->max_order = side ? SF_MAX_ORDER_LIMIT : SF_MIN_MAX_ORDER;
		if (t->section_shift < t->max_order - 1)
			t->section_shift = t->max_order - 1;
		snprintf(what, len, "max_order %u (section_shift %u)", t->max_order,
			 t->section_shift);
		return true;
	case 9:
		t->section_shift = side ? 18 : t->max_order - 1;
		snprintf(what, len, "section_shift %u (max_order %u)", t->section_shift,
			 t->max_order);
		return true;
	case 12:
		if (side)
			return false;
		t->ranges[0].end_pfn = t->ranges[0].start_pfn + 1;	/* one page */
		snprintf(what, len, "ranges[0] [%#llx, %#llx)",
			 (unsigned long long)t->ranges[0].start_pfn,
			 (unsigned long long)t->ranges[0].end_pfn);
		return true;
	case 13: {
		unsigned int hi = 0;

		if (!side)
			return false;
		/* the highest range moved up to end the address space (the
		 * others all lie below it) */
		for (unsigned int i = 1; i < t->nr_ranges; i++)
			if (t->ranges[i].end_pfn > t->ranges[hi].end_pfn)
				hi = i;
		t->ranges[hi].start_pfn += SF_MAX_PFN - t->ranges[hi].end_pfn;
		t->ranges[hi].end_pfn = SF_MAX_PFN;
		snprintf(what, len, "ranges[%u] ending at %#lx", hi, SF_MAX_PFN);
		return true;
	}
	case 10:
		t->vmemmap_block_sections = side ? 64 : 1;
		snprintf(what, len, "vmemmap_block_sections %u", t->vmemmap_block_sections);
		return true;
	default:
		return false;
	}
}

/* Each side of the bounds of the field kind breaks is accepted. */
static void topology_bounds_accepted(struct run *r, unsigned int kind)
{
	for (unsigned int side = 0; side < 2; side++) {
		struct sf_topology t = r->topo;
		struct sf_error err = { "", "" };
		char what[96];
		int ret;

		if (!topology_at_bound(&t, kind, side, what, sizeof(what)))
			continue;
		ret = r->o->test_topology_validate ? r->o->test_topology_validate(&t, &err) :
						     sf_topology_validate(&t, &err);
		if (ret)
			run_fail(r, "HARNESS: topology at its bound refused",
				 "%s (valid: the bound itself), refused for '%s': %s", what,
				 err.field, err.msg);
	}
}

/* Does msg state number v (decimal, or hex after 0x)? */
static bool msg_has_number(const char *msg, unsigned long long v)
{
	for (const char *p = msg; *p; p++) {
		char *end;

		if (*p < '0' || *p > '9' || (p > msg && ((p[-1] >= '0' && p[-1] <= '9') ||
							   (p[-1] >= 'a' && p[-1] <= 'z') ||
							   (p[-1] >= 'A' && p[-1] <= 'Z'))))
			continue;
		if (strtoull(p, &end, 0) == v)
			return true;
		p = end - 1;
	}
	return false;
}

bool topology_invalid_op(struct run *r, const struct sf_op *op)
{
	struct sf_topology t = r->topo;
	struct sf_options opts = { .debug_level = -1, .seed = 1 };
	struct sf_error err = { "", "" };
	struct machine *m2;
	char want[sizeof(err.field)];
	struct want_nums w = { { 0 }, 0 };

	topology_bounds_accepted(r, op->arg[0]);
	if (!topology_break(&t, op->arg[0], want, sizeof(want), &w))
		return false;
	m2 = r->o->test_machine_create ? r->o->test_machine_create(&t, &opts, &err) :
					 machine_create(&t, &opts, &err);
	if (m2) {
		run_destroy(r, m2);
		run_fail(r, "HARNESS: invalid topology accepted", "%s broken, machine created",
			 want);
	}
	if (strcmp(err.field, want) || !err.msg[0])
		run_fail(r, "HARNESS: invalid topology refused for another field",
			 "%s broken, refused for '%s': %s", want, err.field, err.msg);
	for (unsigned int i = 0; i < w.nr; i++)
		if (!msg_has_number(err.msg, w.v[i]))
			run_fail(r, "HARNESS: invalid topology refused without its bound",
				 "%s broken: '%s' does not state %llu (%#llx)", want, err.msg, w.v[i],
				 w.v[i]);
	return true;
}
