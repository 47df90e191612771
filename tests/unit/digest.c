/* SPDX-License-Identifier: MIT */
/*
 * core/digest.c: two machines built and used the same way have the same
 * digest although they live at different host addresses; a difference in a
 * free list, a cache attribute, a counter, the report log or the ASan
 * poisoning is the first difference, in the field that holds it (the
 * names are printed by fuzzers/digest_names.c, tested in test_snapshot).
 */
#include "slab.h"
#include "test.h"

#ifdef SF_HAVE_ASAN
static const bool have_asan = true;
#else
static const bool have_asan = false;
#endif

static struct machine *booted(void)
{
	struct sf_topology t;

	sf_topology_simple(&t, 2, 4, 16);
	return test_machine(&t, NULL, STAGE_RUNNING);
}

/* The same small workload on either machine. */
static void *workload(struct machine *m, struct page **page)
{
	void *keep = kmalloc(m, 200, GFP_KERNEL);
	void *gone = kmalloc(m, 64, GFP_KERNEL);

	kfree(m, gone);
	*page = alloc_pages(m, GFP_KERNEL, 2);
	return keep;
}

static struct sf_digest da, db;

/* The first difference is a field of this kind with these indexes. */
static bool differs_at(unsigned int kind, uint32_t a, uint32_t b)
{
	long i = sf_digest_diff(&da, &db);

	return i >= 0 && (size_t)i < da.nr && da.f[i].kind == kind && da.f[i].a == a &&
	       da.f[i].b == b && da.f[i].value != db.f[i].value;
}

static void test_same_build_same_digest(void)
{
	struct machine *a = booted(), *b;
	struct page *pa, *pb;
	void *oa, *ob;

	assert_nonnull(a);
	/* Both alive at once: different host addresses for everything. */
	b = booted();
	assert_nonnull(b);
	expect_true(a->mem_base != b->mem_base);
	oa = workload(a, &pa);
	ob = workload(b, &pb);
	assert_nonnull(pa);
	assert_nonnull(pb);
	expect_eq(sf_digest_take(a, &da), 0);
	expect_eq(sf_digest_take(b, &db), 0);
	expect_true(da.nr > 100);
	expect_eq(sf_digest_diff(&da, &db), -1);

	/* One more free on a: a difference. */
	__free_pages(a, pa, 2);
	expect_eq(sf_digest_take(a, &da), 0);
	expect_true(sf_digest_diff(&da, &db) >= 0);
	__free_pages(b, pb, 2);
	expect_eq(sf_digest_take(a, &da), 0);
	expect_eq(sf_digest_take(b, &db), 0);
	expect_eq(sf_digest_diff(&da, &db), -1);
	kfree(a, oa);
	kfree(b, ob);
	machine_destroy(a);
	machine_destroy(b);
}

static void test_difference_named(void)
{
	struct machine *a = booted(), *b = booted();
	struct kmem_cache *s;

	assert_nonnull(a);
	assert_nonnull(b);
	/* A cache attribute. */
	s = kmalloc_slab(b, 64, GFP_KERNEL);
	assert_nonnull(s);
	s->refcount++;
	expect_eq(sf_digest_take(a, &da), 0);
	expect_eq(sf_digest_take(b, &db), 0);
	expect_true(da.f[sf_digest_diff(&da, &db)].kind == DG_CACHE);
	expect_true(da.f[sf_digest_diff(&da, &db)].b == DGK_REFCOUNT);
	s->refcount--;
	/* A counter of the report log. */
	b->reports.dropped++;
	expect_eq(sf_digest_take(b, &db), 0);
	expect_true(differs_at(DG_REPORTS, DGR_DROPPED, 0));
	b->reports.dropped--;
	/* The poisoning of one free page. */
	if (have_asan) {
		struct page *p = alloc_pages(b, GFP_KERNEL, 0);
		struct page *q = alloc_pages(a, GFP_KERNEL, 0);
		uint8_t *x;

		assert_nonnull(p);
		assert_nonnull(q);
		__free_pages(b, p, 0);
		__free_pages(a, q, 0);
		expect_eq(sf_digest_take(a, &da), 0);
		x = page_address(b, p);
		kasan_unpoison(x + 8, 8);
		expect_eq(sf_digest_take(b, &db), 0);
		expect_true(differs_at(DG_ASAN_PAGE, (uint32_t)page_to_pfn(b, p), 0));
		kasan_poison(x + 8, 8);
	}
	expect_eq(sf_digest_take(b, &db), 0);
	expect_eq(sf_digest_diff(&da, &db), -1);
	machine_destroy(a);
	machine_destroy(b);
}

int main(void)
{
	RUN(test_same_build_same_digest);
	RUN(test_difference_named);
	sf_digest_free(&da);
	sf_digest_free(&db);
	return test_summary();
}
