/* SPDX-License-Identifier: MIT */
/*
 * core/host_arena.c: allocations are 64-byte aligned and reused by size
 * class, realloc keeps the contents, freed chunks, headers and rounding slack
 * are poisoned (ASan builds), the validator passes on a good arena and names
 * a broken header or free list, a machine's host structures (itself, its
 * queues, sysfs entries, memblock regions) all live in its arena, and a
 * structure its release forgets is named by machine_leaked.
 */
#include "internal.h"
#include "slab.h"
#include "test.h"

#ifdef SF_HAVE_ASAN
static const bool have_asan = true;
#else
static const bool have_asan = false;
#endif

static bool valid(struct host_arena *a)
{
	char why[256];

	if (host_arena_validate(a, why, sizeof(why))) {
		fprintf(stderr, "arena: %s\n", why);
		return false;
	}
	return true;
}

static void test_alloc_free_reuse(void)
{
	struct host_arena *a = host_arena_new();
	uint8_t *p, *q, *r;
	size_t used;

	assert_nonnull(a);
	p = host_zalloc(a, 40);
	q = host_alloc(a, 1000);
	assert_nonnull(p);
	assert_nonnull(q);
	expect_eq((uintptr_t)p % 64, 0);
	expect_eq((uintptr_t)q % 64, 0);
	for (unsigned int i = 0; i < 40; i++)
		expect_eq(p[i], 0);
	memset(q, 0x5a, 1000);
	expect_eq(host_arena_live(a), 2);
	expect_true(valid(a));
	used = host_arena_used(a);
	host_free(a, p);
	expect_eq(host_arena_live(a), 1);
	expect_true(valid(a));
	/* Same class: the freed chunk again, nothing bumped. */
	r = host_alloc(a, 30);
	expect_true(r == p);
	expect_eq(host_arena_used(a), used);
	/* Growing past the class moves and keeps the bytes. */
	q = host_realloc(a, q, 5000);
	assert_nonnull(q);
	for (unsigned int i = 0; i < 1000; i++)
		expect_eq(q[i], 0x5a);
	q = host_realloc(a, q, 100);
	assert_nonnull(q);
	for (unsigned int i = 0; i < 100; i++)
		expect_eq(q[i], 0x5a);
	expect_true(valid(a));
	expect_null(host_calloc(a, SIZE_MAX / 2, 4));
	expect_null(host_alloc(a, (size_t)1 << 40));
	host_free(a, q);
	host_free(a, r);
	host_free(a, NULL);
	expect_eq(host_arena_live(a), 0);
	expect_true(valid(a));
	host_arena_delete(a);
}

static void test_poisoning(void)
{
	struct host_arena *a = host_arena_new();
	uint8_t *p, *q;

	assert_nonnull(a);
	p = host_alloc(a, 100);
	q = host_alloc(a, 100);
	assert_nonnull(p);
	assert_nonnull(q);
	expect_false(kasan_is_poisoned(p));
	expect_false(kasan_is_poisoned(p + 99));
	if (have_asan) {
		expect_true(kasan_is_poisoned(p + 100));	/* slack of the 128-byte class */
		expect_true(kasan_is_poisoned(q - 1));		/* q's header */
		expect_true(kasan_is_poisoned(q - 16));
	}
	host_free(a, p);
	if (have_asan) {
		expect_true(kasan_is_poisoned(p));
		expect_true(kasan_is_poisoned(p + 50));
	}
	q = host_realloc(a, q, 40);
	if (have_asan)
		expect_true(kasan_is_poisoned(q + 40));
	host_free(a, q);
	host_arena_delete(a);
}

/* The validator fails on a broken free list and a broken header. */
static void test_validator_catches(void)
{
	struct host_arena *a = host_arena_new();
	char why[256] = "";
	uint8_t *p, *q;
	uint32_t *head;

	assert_nonnull(a);
	p = host_alloc(a, 100);
	q = host_alloc(a, 100);
	assert_nonnull(q);
	host_free(a, p);
	/* The control block's free-list heads follow four 8-byte fields and
	 * the lock; find the head that holds p's chunk. */
	head = NULL;
	for (uint32_t *w = (uint32_t *)a; (uint8_t *)w < p - 16; w++)
		if (*w == (uint32_t)(p - 16 - (uint8_t *)a))
			head = w;
	assert_nonnull(head);
	/* The list points at a live chunk. */
	*head = (uint32_t)(q - 16 - (uint8_t *)a);
	expect_eq(host_arena_validate(a, why, sizeof(why)), -1);
	expect_str_contains(why, "free list entry");
	*head = (uint32_t)(p - 16 - (uint8_t *)a);
	expect_true(valid(a));
	/* A live chunk's header overwritten (an overflow of the one before). */
	kasan_unpoison(q - 16, 16);
	q[-16] ^= 0xff;
	expect_eq(host_arena_validate(a, why, sizeof(why)), -1);
	expect_str_contains(why, "chunk header");
	kasan_unpoison(q - 16, 16);	/* the validator closed the header again */
	q[-16] ^= 0xff;
	kasan_poison(q - 16, 16);
	expect_true(valid(a));
	host_free(a, q);
	host_arena_delete(a);
}

static bool in_arena(struct machine *m, const void *p)
{
	const uint8_t *b = (const uint8_t *)m->arena;

	return (const uint8_t *)p > b && (const uint8_t *)p < b + host_arena_used(m->arena);
}

static void test_machine_lives_in_its_arena(void)
{
	struct sf_topology t;
	struct machine *m;
	struct kmem_cache *s;
	unsigned long live;

	sf_topology_simple(&t, 2, 4, 16);
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	expect_true(in_arena(m, m));
	expect_true(in_arena(m, m->slab));
	expect_true(in_arena(m, m->memblock.reserved.regions));
	expect_true(in_arena(m, m->sparse.sections));
	s = kmem_cache_create(m, "arena-test", 96, 0, SLAB_NO_MERGE, NULL);
	assert_nonnull(s);
	expect_true(in_arena(m, s->cpu_slab));
	expect_true(in_arena(m, s->cpu_slab[0].ac));
	expect_true(valid(m->arena));
	live = host_arena_live(m->arena);
	kmem_cache_destroy(m, s);
	/* The cache's per-cpu arrays and queues went back. */
	expect_true(host_arena_live(m->arena) < live);
	expect_true(valid(m->arena));
	expect_true(check_machine(m));
	machine_destroy(m);
}

/* Every release frees what it made: nothing is left at destroy, and one
 * structure left is counted with its size. */
static void test_leak_at_destroy(void)
{
	struct sf_topology t;
	struct machine *m;
	struct kmem_cache *s;
	char why[128];

	sf_topology_simple(&t, 2, 4, 16);
	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	s = kmem_cache_create(m, "leak-test", 96, 0, SLAB_NO_MERGE, NULL);
	assert_nonnull(s);
	machine_destroy(m);	/* the cache too: slab_release */
	expect_true(machine_leaked(why, sizeof(why)) == 0);
	expect_true(why[0] == '\0');

	m = test_machine(&t, NULL, STAGE_RUNNING);
	assert_nonnull(m);
	assert_nonnull(host_alloc(m->arena, 200));
	machine_destroy(m);
	expect_true(machine_leaked(why, sizeof(why)) == 1);
	expect_true(!strcmp(why, "200"));
}

int main(void)
{
	RUN(test_alloc_free_reuse);
	RUN(test_poisoning);
	RUN(test_validator_catches);
	RUN(test_machine_lives_in_its_arena);
	RUN(test_leak_at_destroy);
	return test_summary();
}
