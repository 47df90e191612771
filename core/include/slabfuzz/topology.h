/* SPDX-License-Identifier: MIT */
/*
 * A machine's topology and options: pure data, validated before anything is
 * built from it.
 *
 *   node 0 (memoryless, cpus 0-1)      node 1 (cpus 2-3)
 *                                      pfn [0x0000, 0x4000) 64 MiB
 *   zones by pfn:  DMA [0, dma_end)  DMA32 [dma_end, dma32_end)
 *                  NORMAL [dma32_end, movable_start)  MOVABLE [movable_start, ...)
 *
 * Ranges are half-open pfn intervals; the gaps between them are holes.
 * A node's span is the smallest interval holding its ranges; each zone of a
 * node is its span cut by the zone pfn boundaries, which need not be
 * MAX_ORDER aligned (incident 5).
 */
#ifndef SLABFUZZ_TOPOLOGY_H
#define SLABFUZZ_TOPOLOGY_H

#include "slabfuzz/types.h"

struct sf_mem_range {
	pfn_t start_pfn;	/* first pfn */
	pfn_t end_pfn;		/* one past the last pfn, > start_pfn */
	int node;		/* owning node, < nr_nodes */
};

struct sf_topology {
	unsigned int nr_nodes;		/* 1..SF_MAX_NODES */
	/* distance[a][b]: 10 local; 0 means "default" (10 local, 20 remote) */
	uint8_t distance[SF_MAX_NODES][SF_MAX_NODES];
	unsigned int nr_cpus;		/* 1..SF_MAX_CPUS */
	int cpu_node[SF_MAX_CPUS];	/* node of each cpu, < nr_nodes */
	unsigned int boot_cpu;		/* < nr_cpus, on any node */
	unsigned int nr_ranges;		/* 1..SF_MAX_RANGES */
	struct sf_mem_range ranges[SF_MAX_RANGES];
	pfn_t zone_dma_end;		/* ZONE_DMA is [0, zone_dma_end) */
	pfn_t zone_dma32_end;		/* ZONE_DMA32 is [zone_dma_end, zone_dma32_end) */
	pfn_t zone_movable_start;	/* ZONE_MOVABLE is [zone_movable_start, SF_MAX_PFN) */
	unsigned int max_order;		/* MAX_ORDER: orders 0..max_order-1 */
	unsigned int section_shift;	/* log2 of pages per sparse section */
	unsigned int vmemmap_block_sections; /* sections a vmemmap block covers, power of 2 */
};

/* Historical bugs that can be switched back on (never by fuzz input). */
enum sf_bug {
	SF_BUG_VMEMMAP_REPOPULATE = 1u << 0,	/* incident 3 */
	SF_BUG_BUDDY_MERGE_UNALIGNED = 1u << 1,	/* incident 5 */
	SF_BUG_SLAB_MEMORYLESS_BOOT = 1u << 2,	/* incident 1 */
	SF_BUG_SLAB_EARLY_IRQ_ENABLE = 1u << 3,	/* incident 2 */
	SF_BUG_SLAB_DMA_DUPLICATE = 1u << 4,	/* incident 4 */
	SF_BUG_SLAB_RESIZE_RACE = 1u << 5,	/* queue resize unsynchronised */
	SF_BUG_SLAB_SYSFS_RACE = 1u << 6,	/* attribute registration unlocked */
};

struct sf_options {
	unsigned int bugs;		/* enum sf_bug bits */
	int debug_level;		/* 0 none, 1 cheap checks, 2 + validators, 3 + expensive */
	const char *slab_debug;		/* like slab_debug=FZPU, NULL for none */
	bool memmap_together;		/* allocate all memmaps before section init */
	uint64_t seed;			/* for probabilistic fault injection */
};

struct sf_error {
	char field[64];		/* the offending field, e.g. "ranges[2].node" */
	char msg[160];		/* what is wrong with it: its value, the bounds */
};

/* Fill t with the default machine: 2 nodes, 4 cpus, 64 MiB. */
void sf_topology_default(struct sf_topology *t);

/*
 * Fill t with a machine of nr_nodes nodes (1 for 0, at most SF_MAX_NODES),
 * nr_cpus cpus and mib MiB split evenly: node n's range from pfn 0 on, cpu c
 * on node c * nodes / cpus; ZONE_DMA the first 1/16 of the pages, ZONE_DMA32
 * up to 1/4, no ZONE_MOVABLE (it starts at SF_MAX_PFN); sections of 2^8
 * pages doubled while twice the size still fits in 1/16 of the pages, up to
 * 2^13; MAX_ORDER 11, or section_shift + 1 when that is smaller; vmemmap
 * blocks of 2 sections.
 */
void sf_topology_simple(struct sf_topology *t, unsigned int nr_nodes,
			unsigned int nr_cpus, unsigned int mib);

/* Distance between two nodes, applying the defaults for 0 entries. */
unsigned int sf_topology_distance(const struct sf_topology *t, int a, int b);

/*
 * Check t. Returns 0 when it describes a machine we can build, or -EINVAL
 * with err naming the first bad field.
 */
int sf_topology_validate(const struct sf_topology *t, struct sf_error *err);

/* Environment switch for bugs: parse "vmemmap_repopulate,buddy_merge_unaligned". */
int sf_bugs_parse(const char *list, unsigned int *bugs, struct sf_error *err);
const char *sf_bug_name(enum sf_bug bug);

#endif
