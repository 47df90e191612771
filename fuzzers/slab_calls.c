/* SPDX-License-Identifier: MIT */
/* The harness's tracked slab API calls, in section sf_slab_calls (slab_calls.h). */
#include "slab_calls.h"

/* Into the section; a call followed by a compiler barrier is no tail call
 * (a tail call would return into the wrapper's caller). */
#define SLAB_CALL __attribute__((noinline, section("sf_slab_calls")))
#define after_call() __asm__ __volatile__("" : : : "memory")

/* The linker's bounds of the section. */
extern const char __start_sf_slab_calls[], __stop_sf_slab_calls[];

SLAB_CALL void *call_kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t gfp)
{
	void *p = kmem_cache_alloc(m, s, gfp);

	after_call();
	return p;
}

SLAB_CALL void *call_kmem_cache_alloc_node(struct machine *m, struct kmem_cache *s, gfp_t gfp,
					   int nid)
{
	void *p = kmem_cache_alloc_node(m, s, gfp, nid);

	after_call();
	return p;
}

SLAB_CALL void *call_kmalloc(struct machine *m, size_t size, gfp_t gfp)
{
	void *p = kmalloc(m, size, gfp);

	after_call();
	return p;
}

SLAB_CALL void *call_kmalloc_node(struct machine *m, size_t size, gfp_t gfp, int nid)
{
	void *p = kmalloc_node(m, size, gfp, nid);

	after_call();
	return p;
}

SLAB_CALL void *call_kzalloc(struct machine *m, size_t size, gfp_t gfp)
{
	void *p = kzalloc(m, size, gfp);

	after_call();
	return p;
}

SLAB_CALL void *call_kcalloc(struct machine *m, size_t n, size_t size, gfp_t gfp)
{
	void *p = kcalloc(m, n, size, gfp);

	after_call();
	return p;
}

SLAB_CALL void *call_krealloc(struct machine *m, const void *x, size_t size, gfp_t gfp)
{
	void *p = krealloc(m, x, size, gfp);

	after_call();
	return p;
}

SLAB_CALL void call_kmem_cache_free(struct machine *m, struct kmem_cache *s, void *x)
{
	kmem_cache_free(m, s, x);
	after_call();
}

SLAB_CALL void call_kfree(struct machine *m, const void *x)
{
	kfree(m, x);
	after_call();
}

bool slab_call_site(uintptr_t caller)
{
	return caller > (uintptr_t)__start_sf_slab_calls && caller < (uintptr_t)__stop_sf_slab_calls;
}
