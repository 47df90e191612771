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

SF_NO_COVERAGE_BEGIN

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

/*
 * Word at a time through volatile pointers: the compiler must not turn the
 * loops into memcpy, which ASan intercepts and which would check the shadow
 * of the shadow. Sizes are multiples of 64 bytes (8 shadow words) here:
 * pages and arena extents; a tail is copied by bytes.
 */
__attribute__((no_sanitize("address"))) void kasan_shadow_save(const void *addr, size_t size,
							       uint8_t *out)
{
	const volatile uint64_t *s = (const volatile uint64_t *)shadow_of(addr);
	size_t n = size / 64;

	for (size_t i = 0; i < n; i++)
		memcpy(out + i * 8, &(uint64_t){ s[i] }, 8);
	for (size_t i = n * 8; i < size / 8; i++)
		out[i] = ((const volatile uint8_t *)s)[i];
}

__attribute__((no_sanitize("address"))) void kasan_shadow_load(const void *addr, size_t size,
							       const uint8_t *in)
{
	volatile uint64_t *s = (volatile uint64_t *)shadow_of(addr);
	size_t n = size / 64;

	for (size_t i = 0; i < n; i++) {
		uint64_t w;

		memcpy(&w, in + i * 8, 8);
		if (s[i] != w)
			s[i] = w;
	}
	for (size_t i = n * 8; i < size / 8; i++)
		((volatile uint8_t *)s)[i] = in[i];
}

__attribute__((no_sanitize("address"))) uint64_t kasan_shadow_hash(const void *addr,
								   size_t size)
{
	const volatile uint64_t *s = (const volatile uint64_t *)shadow_of(addr);
	uint64_t h = 0xcbf29ce484222325ull;

	/* size is a page here: whole words. */
	for (size_t i = 0; i < size / 64; i++)
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

SF_NO_COVERAGE_END
