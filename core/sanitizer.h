/* SPDX-License-Identifier: MIT */
/*
 * The seam to the sanitizers: what the core knows about memory, told to
 * ASan (poison), MSan (uninitialised) and nothing for TSan, which sees the
 * core's atomics and locks directly. Without a sanitizer these are no-ops.
 */
#ifndef SLABFUZZ_SANITIZER_H
#define SLABFUZZ_SANITIZER_H

#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SF_HAVE_ASAN 1
#endif
#if __has_feature(memory_sanitizer)
#define SF_HAVE_MSAN 1
#endif
#if __has_feature(thread_sanitizer)
#define SF_HAVE_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SF_HAVE_ASAN)
#define SF_HAVE_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__) && !defined(SF_HAVE_TSAN)
#define SF_HAVE_TSAN 1
#endif

/*
 * Host plumbing whose branches depend on what earlier machines of the
 * process did (core/host_memory.c): kept out of the fuzzers' coverage
 * feedback, which must be the same for the same input (clang's
 * SanitizerCoverage; AFL++ reads fuzzers/coverage.denylist).
 */
#if defined(__clang__) && __clang_major__ >= 13
#define SF_NO_COVERAGE __attribute__((no_sanitize("coverage")))
/* The same for every function of a file, from here to SF_NO_COVERAGE_END:
 * the snapshot, digest and oracle plumbing, which runs or not depending on
 * the inputs before (a cached configuration, every Nth run). */
#define SF_NO_COVERAGE_BEGIN \
	_Pragma("clang attribute push (__attribute__((no_sanitize(\"coverage\"))), apply_to = function)")
#define SF_NO_COVERAGE_END _Pragma("clang attribute pop")
#else
#define SF_NO_COVERAGE
#define SF_NO_COVERAGE_BEGIN
#define SF_NO_COVERAGE_END
#endif

#ifdef SF_HAVE_ASAN
#include <sanitizer/asan_interface.h>
/* Free memory: any access is a bug (like KASAN). */
static inline void kasan_poison(const void *addr, size_t size)
{
	ASAN_POISON_MEMORY_REGION(addr, size);
}
static inline void kasan_unpoison(const void *addr, size_t size)
{
	ASAN_UNPOISON_MEMORY_REGION(addr, size);
}
static inline int kasan_is_poisoned(const void *addr)
{
	return __asan_address_is_poisoned(addr);
}
#else
static inline void kasan_poison(const void *addr, size_t size)
{
	(void)addr;
	(void)size;
}
static inline void kasan_unpoison(const void *addr, size_t size)
{
	(void)addr;
	(void)size;
}
static inline int kasan_is_poisoned(const void *addr)
{
	(void)addr;
	return 0;
}
#endif

#ifdef SF_HAVE_MSAN
#include <sanitizer/msan_interface.h>
/* Handed-out memory whose content nobody wrote. */
static inline void kmsan_mark_uninit(const void *addr, size_t size)
{
	__msan_allocated_memory(addr, size);
}
static inline void kmsan_mark_init(const void *addr, size_t size)
{
	__msan_unpoison(addr, size);
}
#else
static inline void kmsan_mark_uninit(const void *addr, size_t size)
{
	(void)addr;
	(void)size;
}
static inline void kmsan_mark_init(const void *addr, size_t size)
{
	(void)addr;
	(void)size;
}
#endif

#endif
