/* SPDX-License-Identifier: MIT */
/*
 * The harness's calls of the slab API that a debug track records (the
 * caller: the return address of the API call). Each is a wrapper of its
 * own, never inlined, never a tail call, and all live in one text section,
 * so the harness knows where its own calls return to: a track's caller
 * must lie inside that section (slab_call_site).
 */
#ifndef SLABFUZZ_FUZZ_SLAB_CALLS_H
#define SLABFUZZ_FUZZ_SLAB_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "slabfuzz/slab.h"

void *call_kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp);
void *call_kmem_cache_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t gfp, int nid);
void *call_kmalloc(struct machine *m, size_t size, gfp_t gfp);
void *call_kmalloc_node(struct machine *m, size_t size, gfp_t gfp, int nid);
void *call_kzalloc(struct machine *m, size_t size, gfp_t gfp);
void *call_kcalloc(struct machine *m, size_t n, size_t size, gfp_t gfp);
void *call_krealloc(struct machine *m, const void *p, size_t size, gfp_t gfp);
void call_kmem_cache_free(struct machine *m, struct kmem_cache *s, void *x);
void call_kfree(struct machine *m, const void *x);

/* caller is a return address inside one of the wrappers above. */
bool slab_call_site(uintptr_t caller);

#endif
