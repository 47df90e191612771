/* SPDX-License-Identifier: MIT */
/*
 * The harness's own model of slab geometry: the kmalloc size classes and
 * the layout of a cache (alignment, slot stride, red zones, slab order,
 * objects per slab, where the management area starts), computed from what
 * the caller asked and the layout rules core/slab.h documents - never read
 * back from the core. The interpreter compares the core's objects, ksize
 * and attributes with it.
 */
#ifndef SLABFUZZ_FUZZ_SLAB_GEOM_H
#define SLABFUZZ_FUZZ_SLAB_GEOM_H

#include <stdbool.h>
#include <stddef.h>

#define GEOM_PAGE_SIZE 4096u
#define GEOM_MAX_SLAB_ORDER 3u		/* a slab is never larger than order 3 */
#define GEOM_MIN_OBJECTS 4u		/* the smallest order with this many wins */
#define GEOM_RED_ZONE 8u
#define GEOM_TRACK_SIZE 32u		/* one alloc/free track record */
#define GEOM_CACHE_LINE 64u
#define GEOM_KMALLOC_MAX 8192u		/* larger: a page block */

struct slab_geom {
	bool ok;			/* false: nothing fits, create must fail */
	unsigned int flags;		/* effective SLAB_* flags (slab_debug= applied) */
	unsigned int object_size;	/* ksize of an object */
	unsigned int align;		/* every object is aligned to this */
	unsigned int size;		/* slot stride */
	unsigned int red_left_pad;	/* object offset within its slot */
	unsigned int inuse;		/* end of the right red zone in a slot */
	unsigned int track_offset;	/* alloc, then free track; 0: none */
	unsigned int order;		/* slab block order */
	unsigned int objects;		/* objects per slab */
	unsigned int mgmt_offset;	/* management area, from the slab start */
};

/* kmalloc class of size (0 < size <= GEOM_KMALLOC_MAX): 8..8192, 96, 192. */
unsigned int kmalloc_class(size_t size);
/* Order of the page block a large kmalloc of size takes. */
unsigned int kmalloc_large_order(size_t size);
/* slab_debug= flags of the program ("FZPU", "FZ", "PU" or NULL). */
unsigned int geom_debug_flags(const char *slab_debug);
/* Layout of a cache of object_size bytes (align 0: default 8). */
void slab_geom_compute(struct slab_geom *g, unsigned int object_size, unsigned int align,
		       unsigned int flags, bool ctor, unsigned int debug_flags,
		       unsigned int max_order);
/* The kmalloc cache of a class (DMA or not). */
void slab_geom_kmalloc(struct slab_geom *g, unsigned int class_size, bool dma,
		       unsigned int debug_flags, unsigned int max_order);
/* Name of the kmalloc cache of class_size ("kmalloc-1k", "dma-kmalloc-96"). */
void kmalloc_class_name(char *buf, size_t size, unsigned int class_size, bool dma);

#endif
