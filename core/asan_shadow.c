/* SPDX-License-Identifier: MIT */
/*
 * The ASan shadow bytes of host memory, read and written as they are: the
 * snapshot (core/snapshot.c) keeps the shadow of the simulated memory and of
 * the arena as a boot left them and puts them back exactly (partial granules
 * and all), and the digest (core/digest.c) hashes them. The shadow is found
 * through ASan's own mapping (__asan_get_shadow_mapping); the functions that
 * touch it are not instrumented themselves. Without ASan there is no shadow:
 * the size is 0 and the functions do nothing.
 * Ranges are 8-byte aligned (the granule), as pages and arena chunks are.
 */
#include <string.h>

#include "internal.h"

#ifdef SF_HAVE_ASAN

static uint8_t *shadow_of(const void *addr)
{
	size_t scale, offset;

	__asan_get_shadow_mapping(&scale, &offset);
	return (uint8_t *)(((uintptr_t)addr >> scale) + offset);
}

size_t kasan_shadow_size(size_t size)
{
	return size / 8;
}

__attribute__((no_sanitize("address"))) void kasan_shadow_save(const void *addr, size_t size,
							       uint8_t *out)
{
	const volatile uint8_t *s = shadow_of(addr);

	for (size_t i = 0; i < size / 8; i++)
		out[i] = s[i];
}

__attribute__((no_sanitize("address"))) void kasan_shadow_load(const void *addr, size_t size,
							       const uint8_t *in)
{
	volatile uint8_t *s = shadow_of(addr);

	for (size_t i = 0; i < size / 8; i++)
		s[i] = in[i];
}

__attribute__((no_sanitize("address"))) uint64_t kasan_shadow_hash(const void *addr,
								   size_t size)
{
	const volatile uint8_t *s = shadow_of(addr);
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < size / 8; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

#else

size_t kasan_shadow_size(size_t size)
{
	(void)size;
	return 0;
}

void kasan_shadow_save(const void *addr, size_t size, uint8_t *out)
{
	(void)addr;
	(void)size;
	(void)out;
}

void kasan_shadow_load(const void *addr, size_t size, const uint8_t *in)
{
	(void)addr;
	(void)size;
	(void)in;
}

uint64_t kasan_shadow_hash(const void *addr, size_t size)
{
	(void)addr;
	(void)size;
	return 0;
}

#endif
