/* SPDX-License-Identifier: MIT */
/* Slab debugging: every report triggered on purpose and matched by title. */
#include "test.h"

#include "slab.h"

static struct machine *boot(const char *slab_debug, int level)
{
	struct sf_topology t;
	struct sf_options o = { .debug_level = level, .slab_debug = slab_debug };

	sf_topology_default(&t);
	return test_machine(&t, &o, STAGE_RUNNING);
}

/* Write a byte the sanitizer guards, as a buggy caller would. */
static void scribble(void *p, unsigned char v)
{
	kasan_unpoison(p, 1);
	*(volatile unsigned char *)p = v;
	kasan_poison(p, 1);
}

static void test_parse(void)
{
	char filter[64];

	expect_eq(slab_debug_parse(NULL, filter, sizeof(filter)), 0);
	expect_eq(slab_debug_parse("FZPU", filter, sizeof(filter)), SLAB_DEBUG_FLAGS);
	expect_eq(slab_debug_parse("z", filter, sizeof(filter)), SLAB_RED_ZONE);
	expect_eq(slab_debug_parse(",kmalloc-64", filter, sizeof(filter)), SLAB_DEBUG_FLAGS);
	expect_str_contains(filter, ",kmalloc-64,");
	expect_eq(slab_debug_parse("-", filter, sizeof(filter)), 0);
}

static void test_redzone(void)
{
	struct machine *m = boot("FZPU", 3);
	unsigned char *p;

	assert_nonnull(m);
	p = kmalloc(m, 64, GFP_KERNEL);
	assert_nonnull(p);
	scribble(p + 64, 0);	/* one past the end */
	kfree(m, p);
	expect_only_reports(m, "BUG kmalloc-64 (Not tainted): Redzone overwritten", 1);
	sf_reports_clear(m);
	p = kmalloc(m, 64, GFP_KERNEL);
	assert_nonnull(p);
	scribble(p - 1, 0);	/* left red zone */
	expect_eq(kmem_cache_validate(m, kmalloc_slab(m, 64, 0)), 1);
	expect_only_reports(m, "BUG kmalloc-64 (Not tainted): Redzone overwritten", 1);
	kfree(m, p);
	expect_true(check_machine(m));
	machine_destroy(m);
}

static void test_poison(void)
{
	struct machine *m = boot("P", 3);
	struct kmem_cache *s;
	unsigned char *p;

	assert_nonnull(m);
	s = kmem_cache_create(m, "poisoned", 40, 0, 0, NULL);
	assert_nonnull(s);
	p = kmem_cache_alloc(m, s, GFP_KERNEL);
	assert_nonnull(p);
	kmem_cache_free(m, s, p);
	scribble(p + 5, 0x11);	/* write after free */
	expect_eq(kmem_cache_validate(m, s), 1);
	expect_only_reports(m, "BUG poisoned (Not tainted): Poison overwritten", 1);
	scribble(p + 6, 0x11);
	p = kmem_cache_alloc(m, s, GFP_KERNEL);	/* LIFO: the same object */
	expect_only_reports(m, "BUG poisoned (Not tainted): Poison overwritten", 2);
	kmem_cache_free(m, s, p);
	kmem_cache_destroy(m, s);
	expect_true(check_machine(m));
	machine_destroy(m);
}

static void test_double_and_never(void)
{
	struct machine *m = boot("FU", 3);
	struct kmem_cache *s;
	char *p, *q;

	assert_nonnull(m);
	s = kmem_cache_create(m, "tracked", 32, 0, 0, NULL);
	assert_nonnull(s);
	p = kmem_cache_alloc(m, s, GFP_KERNEL);
	q = kmem_cache_alloc(m, s, GFP_KERNEL);
	assert_nonnull(p);
	kmem_cache_free(m, s, p);
	kmem_cache_free(m, s, p);
	expect_only_reports(m, "BUG tracked (Not tainted): Object already free", 1);
	expect_str_contains(sf_reports_get(m, 0)->body, "Freed by kmem_cache_free");
	/* The slot before q's was never handed out (queues pop from the top). */
	kmem_cache_free(m, s, q - s->size);
	expect_eq(sf_reports_count(m, "BUG tracked (Not tainted): Freeing never-allocated object"),
		  1);
	kmem_cache_free(m, s, q + 8);
	expect_eq(sf_reports_count(m, "BUG tracked (Not tainted): Invalid object pointer"), 1);
	kmem_cache_free(m, s, q + 1);
	expect_eq(sf_reports_count(m, "BUG tracked (Not tainted): Misaligned object pointer"), 1);
	kmem_cache_free(m, kmalloc_slab(m, 32, 0), q);
	expect_eq(sf_reports_count(m, "BUG kmalloc-32 (Not tainted): Wrong slab cache"), 1);
	kmem_cache_free(m, s, q);
	expect_eq(test_errors(m), 5);
	kmem_cache_destroy(m, s);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/* Without debug flags, debug_level >= 1 still catches the cheap cases. */
static void test_cheap_checks(void)
{
	struct machine *m = boot(NULL, 1);
	char *p, *keep, *q, stack[16];

	assert_nonnull(m);
	p = kmalloc(m, 64, GFP_KERNEL);
	keep = kmalloc(m, 64, GFP_KERNEL);	/* keeps p's slab alive */
	assert_nonnull(p);
	kfree(m, p + 4);
	expect_only_reports(m, "BUG kmalloc-64 (Not tainted): Misaligned object pointer", 1);
	/* kmalloc-96 is aligned to 32: q + 32 is aligned but no object start. */
	q = kmalloc(m, 96, GFP_KERNEL);
	assert_nonnull(q);
	kfree(m, q + 32);
	expect_eq(sf_reports_count(m, "BUG kmalloc-96 (Not tainted): Invalid object pointer"), 1);
	kfree(m, q);
	kfree(m, stack);
	expect_eq(sf_reports_count(m, "WARNING: kfree of memory not from kmalloc"), 1);
	kfree(m, p);
	/* p is in the cpu queue now; drain it back to the slab, free again. */
	kmem_cache_shrink(m, kmalloc_slab(m, 64, 0));
	kfree(m, p);
	expect_eq(sf_reports_count(m, "BUG kmalloc-64 (Not tainted): Object already free"), 1);
	kfree(m, keep);
	expect_eq(test_errors(m), 4);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/* Debug flags for one cache only. */
static void test_filter(void)
{
	struct machine *m = boot("Z,kmalloc-128", 3);
	char buf[32];

	assert_nonnull(m);
	slab_attr_show(m, "kmalloc-128", "red_zone", buf, sizeof(buf));
	expect_eq(strtoul(buf, NULL, 10), 1);
	slab_attr_show(m, "kmalloc-64", "red_zone", buf, sizeof(buf));
	expect_eq(strtoul(buf, NULL, 10), 0);
	expect_no_reports(m);
	machine_destroy(m);
}

/* The checker sees a corrupted bitmap. */
static void test_checker_catches(void)
{
	struct machine *m = boot(NULL, 3);
	struct page *page;
	void *p;

	assert_nonnull(m);
	p = kmalloc(m, 256, GFP_KERNEL);
	assert_nonnull(p);
	page = compound_head(virt_to_page(m, p));
	page->slab_inuse++;
	expect_false(check_machine(m));
	expect_only_reports(m, "BUG: slab invariant broken", 1);
	page->slab_inuse--;
	kfree(m, p);
	machine_destroy(m);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_redzone);
	RUN(test_poison);
	RUN(test_double_and_never);
	RUN(test_cheap_checks);
	RUN(test_filter);
	RUN(test_checker_catches);
	return test_summary();
}
