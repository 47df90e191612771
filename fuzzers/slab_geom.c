/* SPDX-License-Identifier: MIT */
/* The harness's slab geometry model (see slab_geom.h). */
#include <stdio.h>

#include "slabfuzz/slab.h"
#include "slab_geom.h"

static unsigned int up(unsigned int x, unsigned int a)
{
	return (x + a - 1) / a * a;
}

unsigned int kmalloc_class(size_t size)
{
	unsigned int c = 8;

	if (size > 64 && size <= 96)
		return 96;
	if (size > 128 && size <= 192)
		return 192;
	while (c < size)
		c *= 2;
	return c;
}

unsigned int kmalloc_large_order(size_t size)
{
	unsigned int order = 0;

	while ((size_t)GEOM_PAGE_SIZE << order < size)
		order++;
	return order;
}

unsigned int geom_debug_flags(const char *slab_debug)
{
	unsigned int f = 0;

	for (const char *p = slab_debug; p && *p; p++) {
		if (*p == 'F')
			f |= SLAB_CONSISTENCY_CHECKS;
		else if (*p == 'Z')
			f |= SLAB_RED_ZONE;
		else if (*p == 'P')
			f |= SLAB_POISON;
		else if (*p == 'U')
			f |= SLAB_STORE_USER;
	}
	return f;
}

/* Bitmap words, then an object-state byte each for debug caches. */
static unsigned int mgmt_size(unsigned int objects, bool debug)
{
	return up((objects + 63) / 64 * 8 + (debug ? objects : 0), 8);
}

void slab_geom_compute(struct slab_geom *g, unsigned int object_size, unsigned int align,
		       unsigned int flags, bool ctor, unsigned int debug_flags,
		       unsigned int max_order)
{
	unsigned int a = align > 8 ? align : 8, end;
	bool debug;

	g->ok = false;
	g->flags = flags | debug_flags;
	if (ctor)
		g->flags &= ~SLAB_POISON;
	debug = (g->flags & SLAB_DEBUG_FLAGS) != 0;
	/* A cache line, halved while the object fits twice. */
	if (g->flags & SLAB_HWCACHE_ALIGN) {
		unsigned int line = GEOM_CACHE_LINE;

		while (line > 8 && object_size <= line / 2)
			line /= 2;
		if (line > a)
			a = line;
	}
	g->object_size = object_size;
	g->align = a;
	/* [left red zone][object][right red zone][2 tracks][padding] */
	g->red_left_pad = (g->flags & SLAB_RED_ZONE) ? up(GEOM_RED_ZONE, a) : 0;
	end = g->red_left_pad + object_size;
	if (g->flags & SLAB_RED_ZONE)
		end = up(end, 8) + GEOM_RED_ZONE;
	g->inuse = end;
	g->track_offset = 0;
	if (g->flags & SLAB_STORE_USER) {
		g->track_offset = up(end, 8);
		end = g->track_offset + 2 * GEOM_TRACK_SIZE;
	}
	g->size = up(end, a);
	g->objects = 0;
	g->order = 0;
	g->mgmt_offset = 0;
	if (!object_size)
		return;		/* refused */
	for (unsigned int order = 0; order <= GEOM_MAX_SLAB_ORDER && order < max_order; order++) {
		unsigned int bytes = GEOM_PAGE_SIZE << order;
		unsigned int n = bytes / g->size;

		while (n && n * g->size + mgmt_size(n, debug) > bytes)
			n--;
		if (n > g->objects) {
			g->objects = n;
			g->order = order;
		}
		if (n >= GEOM_MIN_OBJECTS)
			break;
	}
	g->mgmt_offset = g->objects * g->size;
	g->ok = g->objects > 0;
}

/* A kmalloc cache is aligned to the largest power of two dividing its
 * size (the kernel's guarantee, debug options included). */
void slab_geom_kmalloc(struct slab_geom *g, unsigned int class_size, bool dma,
		       unsigned int debug_flags, unsigned int max_order)
{
	slab_geom_compute(g, class_size, class_size & -class_size, dma ? SLAB_CACHE_DMA : 0,
			  false, debug_flags, max_order);
}

void kmalloc_class_name(char *buf, size_t size, unsigned int class_size, bool dma)
{
	if (class_size >= 1024 && class_size % 1024 == 0)
		snprintf(buf, size, "%skmalloc-%uk", dma ? "dma-" : "", class_size / 1024);
	else
		snprintf(buf, size, "%skmalloc-%u", dma ? "dma-" : "", class_size);
}
