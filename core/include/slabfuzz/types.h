/* SPDX-License-Identifier: MIT */
/*
 * Basic types and limits of a slabfuzz machine.
 *
 * Everything here is a property of the simulated machine, not of the host:
 * the page size is the simulated page size, a pfn indexes simulated physical
 * memory, a node and a cpu are simulated.
 */
#ifndef SLABFUZZ_TYPES_H
#define SLABFUZZ_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SF_PAGE_SHIFT 12
#define SF_PAGE_SIZE (1UL << SF_PAGE_SHIFT)

#define SF_MAX_NODES 16		/* MAX_NUMNODES */
#define SF_MAX_CPUS 64		/* NR_CPUS */
#define SF_MAX_RANGES 32	/* memory ranges in a topology */
#define SF_MAX_ORDER_LIMIT 11	/* largest MAX_ORDER a machine may choose */
#define SF_MIN_MAX_ORDER 1	/* MAX_ORDER 1 means order-0 pages only */
#define SF_MAX_PFN (1UL << 20)	/* 4 GiB of simulated physical address space */
#define SF_MAX_PRESENT_PAGES (1UL << 18) /* 1 GiB of present memory at most */
#define SF_NO_NODE (-1)		/* NUMA_NO_NODE */

typedef uint64_t pfn_t;
typedef unsigned int gfp_t;

struct machine;
struct page;

enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_MOVABLE,
	MAX_NR_ZONES
};

/* The name a kernel developer knows ("DMA", "DMA32", "Normal", "Movable"). */
const char *zone_type_name(enum zone_type zt);

#endif
