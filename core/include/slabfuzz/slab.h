/* SPDX-License-Identifier: MIT */
/*
 * The slab allocator: a SLUB+Q-style object allocator on top of the page
 * allocator (per-CPU object queues, bitmap slabs, per-node shared and alien
 * caches, run-time queue tuning, kmalloc and DMA kmalloc caches).
 *
 * Kernel names and shapes; the machine is always the first argument.
 * Error convention: producers return NULL on failure; commands return 0 or a
 * negative errno; predicates return bool. Caller misuse (double free, invalid
 * free, corrupted red zones, ...) is a titled report, never a crash.
 *
 * Usable from STAGE_SLAB_PARTIAL (kmem_cache_create, kmalloc without
 * __GFP_DMA) and fully from STAGE_SLAB_UP (DMA caches, attributes, shrinker).
 */
#ifndef SLABFUZZ_SLAB_H
#define SLABFUZZ_SLAB_H

#include "slabfuzz/machine.h"

struct kmem_cache;

/* kmem_cache_create flags. The debug flags are the letters of slab_debug=. */
#define SLAB_CONSISTENCY_CHECKS	0x00000100u	/* F: check every alloc and free */
#define SLAB_RED_ZONE		0x00000400u	/* Z: red zones around each object */
#define SLAB_POISON		0x00000800u	/* P: poison free objects (write after free) */
#define SLAB_STORE_USER		0x00010000u	/* U: alloc/free tracking */
#define SLAB_HWCACHE_ALIGN	0x00002000u	/* align objects to a cache line */
#define SLAB_CACHE_DMA		0x00004000u	/* slab pages from ZONE_DMA */
#define SLAB_NO_MERGE		0x01000000u	/* never merge with another cache */
#define SLAB_DEBUG_FLAGS	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | \
				 SLAB_STORE_USER)

#define KMALLOC_MIN_SIZE	8
#define KMALLOC_MAX_CACHE_SIZE	(2 * SF_PAGE_SIZE)	/* larger: page allocator */
#define SLAB_NAME_MAX		32			/* names incl. the NUL */

/* kmalloc(0) returns this: not NULL, not dereferenceable, kfree-able. */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((uintptr_t)(x) <= (uintptr_t)ZERO_SIZE_PTR)

typedef void (*kmem_ctor_fn)(void *object);

/* kmalloc works (STAGE_SLAB_PARTIAL done): "kmalloc if slab is up, else boot memory". */
bool slab_is_available(struct machine *m);

/*
 * Create a cache of objects of size bytes aligned to align (0: the
 * default, 8). Serialised with destroy by the global slab mutex. May return
 * an existing compatible cache with its reference count raised (merging),
 * unless flags has SLAB_NO_MERGE, a debug flag, or ctor is set.
 * Returns NULL on a bad argument, a duplicate name or no memory; a failed
 * create leaves nothing behind.
 */
struct kmem_cache *kmem_cache_create(struct machine *m, const char *name, size_t size,
				     size_t align, unsigned int flags, kmem_ctor_fn ctor);
/*
 * Drop a reference; the last one drains every per-CPU, shared and alien
 * queue (offline cpus too) and frees the cache. With objects still live it
 * reports "BUG kmem_cache_destroy <name>: Objects remaining" and keeps the
 * cache (like the kernel). NULL is fine.
 */
void kmem_cache_destroy(struct machine *m, struct kmem_cache *s);

/*
 * Shut the slab layer down: every cache, slab and boot page goes back to
 * the page allocator (machine_destroy does it first). Nothing of the slab
 * layer may be used after it; a second call does nothing.
 */
void slab_release(struct machine *m);

void *kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp);
/* nid SF_NO_NODE: local. Without __GFP_THISNODE falls back by distance. */
void *kmem_cache_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid);
void kmem_cache_free(struct machine *m, struct kmem_cache *s, void *object);
/* Drain all queues of s and give its empty slabs back. Returns 0. */
int kmem_cache_shrink(struct machine *m, struct kmem_cache *s);

const char *kmem_cache_name(const struct kmem_cache *s);
size_t kmem_cache_size(const struct kmem_cache *s);	/* object_size */

/*
 * Run-time tuning, like writing "name limit batchcount shared" to
 * /proc/slabinfo: 1 <= batch <= limit <= SLAB_LIMIT_MAX, batch <= SLAB_BATCH_MAX,
 * 0 <= shared <= SLAB_SHARED_MAX. Safe while other cpus allocate and free
 * (docs/slab.md). Returns 0, -EINVAL or -ENOMEM (nothing changed).
 */
#define SLAB_LIMIT_MAX 1024
#define SLAB_BATCH_MAX 256
#define SLAB_SHARED_MAX 16
int kmem_cache_tune(struct machine *m, struct kmem_cache *s, unsigned int limit,
		    unsigned int batch, unsigned int shared);

/*
 * Check every slab of s (bitmaps, counters, red zones, poison). Files the
 * titled reports it finds; returns the number of problems.
 */
unsigned long kmem_cache_validate(struct machine *m, struct kmem_cache *s);

/* kmalloc family. kcalloc checks n * size for overflow. */
void *kmalloc(struct machine *m, size_t size, gfp_t gfp);
void *kmalloc_node(struct machine *m, size_t size, gfp_t gfp, int nid);
void *kzalloc(struct machine *m, size_t size, gfp_t gfp);
void *kcalloc(struct machine *m, size_t n, size_t size, gfp_t gfp);
void *krealloc(struct machine *m, const void *p, size_t new_size, gfp_t gfp);
void kfree(struct machine *m, const void *p);
/* Usable size of a kmalloc'ed or cache object (unpoisons all of it). */
size_t ksize(struct machine *m, const void *p);
/* The kmalloc cache kmalloc(size, gfp) would use, NULL for large sizes. */
struct kmem_cache *kmalloc_slab(struct machine *m, size_t size, gfp_t gfp);

/*
 * Attributes, like /sys/kernel/slab/<cache>/<attr>. Lookups by name from
 * any cpu, safe against a concurrent destroy. Readable: object_size,
 * slab_size, objs_per_slab, order, objects, objects_partial, total_objects,
 * slabs, partial, cpu_queue_size, batch, shared, alien, aliases, align,
 * cache_dma, hwcache_align, sanity_checks, red_zone, poison, store_user,
 * validate, shrink. Writable: cpu_queue_size, batch, shared, validate
 * ("1"), shrink ("1"). Formats are the kernel's: "%u\n"; the counters
 * (slabs, partial, objects, objects_partial, total_objects) "total N0=a
 * N1=b\n" with the nodes that have a count; validate and shrink read empty.
 * show returns the length written (like snprintf) or -ENOENT (no such
 * cache or attribute); store returns 0 or -errno.
 */
long slab_attr_show(struct machine *m, const char *cache, const char *attr, char *buf,
		    size_t size);
int slab_attr_store(struct machine *m, const char *cache, const char *attr, const char *val);
/* Names of all registered directories and aliases, one a line. */
size_t slab_sysfs_list(struct machine *m, char *buf, size_t size);
/* The attributes: the i-th name and whether it takes stores; NULL past the last. */
const char *slab_attr_name(unsigned int i, bool *writable);
/*
 * The name the kernel (SLUB) gives the directory of the cache a registered
 * name leads to: the cache's name when it never merges (a ctor, a debug
 * flag, SLAB_NO_MERGE, a boot cache), else its unique id ":[d-]0000064"
 * that its name and aliases link to. Length like snprintf, or -ENOENT.
 */
long slab_sysfs_dir_name(struct machine *m, const char *cache, char *buf, size_t size);

/* /proc/slabinfo (version 2.1) into buf; returns the full length. */
size_t dump_slabinfo(struct machine *m, char *buf, size_t size);

/*
 * Read-only views for checkers (core/slab_query.c): the cache of the slab
 * holding addr (NULL when addr is not in a slab page) and that slab's first
 * page; the order of the block page belongs to.
 */
struct kmem_cache *virt_to_slab(struct machine *m, const void *addr, struct page **head);
unsigned int page_block_order(struct machine *m, const struct page *page);

#endif
