/* SPDX-License-Identifier: MIT */
/* Slab layer: caches, kmalloc family, queues, nodes, attributes, slabinfo. */
#include "test.h"

#include "slab.h"

static struct machine *boot_default(const char *slab_debug)
{
	struct sf_topology t;
	struct sf_options o = { .debug_level = 3, .slab_debug = slab_debug };

	sf_topology_default(&t);
	return test_machine(&t, &o, STAGE_RUNNING);
}

static void test_boot_caches(void)
{
	struct machine *m = boot_default(NULL);
	char buf[64];

	assert_nonnull(m);
	expect_true(slab_is_available(m));
	for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size = size * 2 + 1) {
		struct kmem_cache *s = kmalloc_slab(m, size, GFP_KERNEL);

		assert_nonnull(s);
		expect_true(kmem_cache_size(s) >= size);
		expect_nonnull(kmalloc_slab(m, size, GFP_KERNEL | __GFP_DMA));
	}
	expect_eq(kmem_cache_size(kmalloc_slab(m, 96, 0)), 96);
	expect_eq(kmem_cache_size(kmalloc_slab(m, 150, 0)), 192);
	expect_str_contains(kmem_cache_name(kmalloc_slab(m, 64, __GFP_DMA)), "dma-kmalloc-64");
	expect_true(slab_attr_show(m, "kmalloc-64", "object_size", buf, sizeof(buf)) > 0);
	expect_str_contains(buf, "64");
	expect_true(slab_attr_show(m, "kmem_cache_node", "object_size", buf, sizeof(buf)) > 0);
	expect_eq(strtoul(buf, NULL, 10), kmem_cache_node_size(m, 0));
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_kmalloc_family(void)
{
	struct machine *m = boot_default(NULL);
	unsigned char *p, *q;

	assert_nonnull(m);
	expect_true(kmalloc(m, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	kfree(m, ZERO_SIZE_PTR);
	kfree(m, NULL);
	p = kzalloc(m, 100, GFP_KERNEL);
	assert_nonnull(p);
	for (int i = 0; i < 100; i++)
		expect_eq(p[i], 0);
	expect_eq(ksize(m, p), 128);
	memset(p, 0x5a, 128);
	q = krealloc(m, p, 120, GFP_KERNEL);
	expect_true(q == p);
	q = krealloc(m, p, 1000, GFP_KERNEL);
	assert_nonnull(q);
	expect_eq(q[127], 0x5a);
	expect_eq(ksize(m, q), 1024);
	expect_true(krealloc(m, q, 0, GFP_KERNEL) == ZERO_SIZE_PTR);
	expect_null(kcalloc(m, SIZE_MAX / 2, 4, GFP_KERNEL));
	p = kcalloc(m, 10, 10, GFP_KERNEL);
	assert_nonnull(p);
	expect_eq(p[99], 0);
	kfree(m, p);
	/* Large: straight from the page allocator. */
	p = kmalloc(m, 3 * PAGE_SIZE, GFP_KERNEL);
	assert_nonnull(p);
	expect_eq(ksize(m, p), 4 * PAGE_SIZE);
	p[3 * PAGE_SIZE - 1] = 1;
	kfree(m, p);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_dma_kmalloc(void)
{
	struct machine *m = boot_default(NULL);
	void *p;

	assert_nonnull(m);
	p = kmalloc(m, 64, GFP_KERNEL | __GFP_DMA);
	if (p) {
		expect_eq(page_zonenum(m, virt_to_page(m, p)), ZONE_DMA);
		kfree(m, p);
	}
	/* A machine without DMA memory: NULL, never a crash. */
	machine_destroy(m);
	{
		struct sf_topology t;

		sf_topology_default(&t);
		t.zone_dma_end = 0;
		m = test_machine(&t, NULL, STAGE_RUNNING);
		assert_nonnull(m);
		expect_null(kmalloc(m, 64, GFP_KERNEL | __GFP_DMA));
		expect_true(check_machine(m));
		machine_destroy(m);
	}
}

static void ctor_fill(void *obj)
{
	memset(obj, 0x42, 24);
}

static void test_create_merge_destroy(void)
{
	struct machine *m = boot_default(NULL);
	struct kmem_cache *a, *b, *c, *d;
	char buf[64];
	void *x;

	assert_nonnull(m);
	a = kmem_cache_create(m, "test-a", 60, 0, 0, NULL);
	b = kmem_cache_create(m, "test-b", 64, 0, 0, NULL);
	assert_nonnull(a);
	expect_true(a == b);	/* both merge into kmalloc-64 */
	expect_true(a == kmalloc_slab(m, 64, 0));
	expect_true(slab_attr_show(m, "test-a", "object_size", buf, sizeof(buf)) > 0);
	expect_true(slab_attr_show(m, "kmalloc-64", "aliases", buf, sizeof(buf)) > 0);
	expect_eq(strtoul(buf, NULL, 10), 2);
	c = kmem_cache_create(m, "test-c", 60, 0, SLAB_NO_MERGE, NULL);
	assert_nonnull(c);
	expect_true(c != a);
	expect_null(kmem_cache_create(m, "test-c", 60, 0, SLAB_NO_MERGE, NULL));
	expect_eq(sf_reports_count(m, "kmem_cache_create: Cache name already exists"), 1);
	d = kmem_cache_create(m, "test-ctor", 24, 0, 0, ctor_fill);
	assert_nonnull(d);
	x = kmem_cache_alloc(m, d, GFP_KERNEL);
	assert_nonnull(x);
	expect_eq(((unsigned char *)x)[23], 0x42);
	kmem_cache_free(m, d, x);
	x = kmem_cache_alloc(m, c, GFP_KERNEL);
	assert_nonnull(x);
	kmem_cache_free(m, c, x);
	kmem_cache_destroy(m, a);
	kmem_cache_destroy(m, b);
	kmem_cache_destroy(m, c);
	kmem_cache_destroy(m, d);
	expect_eq(slab_attr_show(m, "test-c", "object_size", buf, sizeof(buf)), -ENOENT);
	expect_true(check_machine(m));
	expect_eq(sf_reports_count(m, "kmem_cache_create: Cache name already exists"), 1);
	expect_no_reports(m);
	machine_destroy(m);
}

/* A merge into a cache of a smaller object size widens it to the new request. */
static void test_merge_widens(void)
{
	struct machine *m = boot_default(NULL);
	struct kmem_cache *a, *b;
	char buf[64];
	void *x;

	assert_nonnull(m);
	a = kmem_cache_create(m, "test-100", 100, 0, 0, NULL);
	b = kmem_cache_create(m, "test-101", 101, 0, 0, NULL);
	assert_nonnull(a);
	expect_true(a == b);
	expect_eq(kmem_cache_size(b), 101);
	expect_true(slab_attr_show(m, "test-101", "object_size", buf, sizeof(buf)) > 0);
	expect_eq(strtoul(buf, NULL, 10), 101);
	x = kmem_cache_alloc(m, b, GFP_KERNEL);
	assert_nonnull(x);
	expect_true(ksize(m, x) >= 101);
	memset(x, 0x5a, 101);
	kmem_cache_free(m, b, x);
	kmem_cache_destroy(m, b);
	kmem_cache_destroy(m, a);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_destroy_with_objects(void)
{
	struct machine *m = boot_default(NULL);
	struct kmem_cache *s;
	void *x;

	assert_nonnull(m);
	s = kmem_cache_create(m, "test-cache", 100, 0, 0, NULL);
	assert_nonnull(s);
	x = kmem_cache_alloc(m, s, GFP_KERNEL);
	assert_nonnull(x);
	kmem_cache_destroy(m, s);
	expect_only_reports(m, "BUG kmem_cache_destroy test-cache: Objects remaining", 1);
	/* The cache is kept: its object can still go back. */
	kmem_cache_free(m, s, x);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/* Many objects on every cpu, frees on other cpus (alien), checker between. */
static void test_workload_all_cpus(void)
{
	struct machine *m = boot_default(NULL);
	enum { N = 3000 };
	static void *objs[N];
	struct kmem_cache *s;

	assert_nonnull(m);
	s = kmem_cache_create(m, "work", 200, 0, SLAB_NO_MERGE, NULL);
	assert_nonnull(s);
	for (int i = 0; i < N; i++) {
		cpu_switch(m, i % 4);
		objs[i] = (i & 1) ? kmem_cache_alloc(m, s, GFP_KERNEL)
				  : kmalloc(m, 8 + test_rand() % 2000, GFP_KERNEL);
		assert_nonnull(objs[i]);
		memset(objs[i], i, 8);
	}
	expect_true(check_machine(m));
	for (int i = 0; i < N; i++) {
		cpu_switch(m, (i * 7) % 4);
		if (i & 1)
			kmem_cache_free(m, s, objs[i]);
		else
			kfree(m, objs[i]);
		if (i % 500 == 0)
			expect_true(check_machine(m));
	}
	expect_true(check_machine(m));
	expect_eq(kmem_cache_shrink(m, s), 0);
	expect_true(check_machine(m));
	kmem_cache_destroy(m, s);
	cpu_switch(m, 0);
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_nodes(void)
{
	struct machine *m = boot_default(NULL);
	void *x;

	assert_nonnull(m);
	x = kmalloc_node(m, 64, GFP_KERNEL, 1);
	assert_nonnull(x);
	expect_eq(page_to_nid(m, virt_to_page(m, x)), 1);
	kfree(m, x);	/* remote free from cpu on node 0: alien */
	x = kmem_cache_alloc_node(m, kmalloc_slab(m, 64, 0), GFP_KERNEL | __GFP_THISNODE, 0);
	assert_nonnull(x);
	expect_eq(page_to_nid(m, virt_to_page(m, x)), 0);
	kfree(m, x);
	expect_null(kmalloc_node(m, 64, GFP_KERNEL, 7));
	expect_eq(sf_reports_count(m, "WARNING: kmem_cache_alloc_node with an invalid node"), 1);
	expect_true(check_machine(m));
	machine_destroy(m);
}

/*
 * Allocation from a cpu on a memoryless node at every stage:
 *   node0: cpus 0-1, no memory   node1: cpus 2-3, all memory
 */
static void test_memoryless_cpu(void)
{
	struct sf_topology t;
	struct machine *m;

	sf_topology_simple(&t, 2, 4, 16);
	t.ranges[0].node = 1;
	t.boot_cpu = 0;
	m = test_machine(&t, NULL, STAGE_SLAB_PARTIAL);
	assert_nonnull(m);
	for (enum boot_stage st = STAGE_SLAB_PARTIAL; st <= STAGE_RUNNING; st++) {
		void *x;

		expect_eq(machine_boot(m, st), 0);
		x = kmalloc(m, 128, GFP_KERNEL);
		assert_nonnull(x);
		expect_eq(page_to_nid(m, virt_to_page(m, x)), 1);
		kfree(m, x);
		expect_null(kmalloc_node(m, 128, GFP_KERNEL | __GFP_THISNODE, 0));
		expect_true(check_machine(m));
	}
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_tune_and_attrs(void)
{
	struct machine *m = boot_default(NULL);
	struct kmem_cache *s;
	void *objs[100];
	char buf[64];

	assert_nonnull(m);
	s = kmem_cache_create(m, "tuned", 48, 0, SLAB_NO_MERGE, NULL);
	assert_nonnull(s);
	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(m, s, GFP_KERNEL);
	for (int i = 0; i < 50; i++)
		kmem_cache_free(m, s, objs[i]);
	expect_eq(kmem_cache_tune(m, s, 0, 1, 0), -EINVAL);
	expect_eq(kmem_cache_tune(m, s, 8, 9, 0), -EINVAL);
	expect_eq(kmem_cache_tune(m, s, 16, 4, 2), 0);
	expect_true(check_machine(m));
	expect_eq(slab_attr_store(m, "tuned", "cpu_queue_size", "200"), 0);
	expect_eq(slab_attr_store(m, "tuned", "batch", "50"), 0);
	expect_eq(slab_attr_store(m, "tuned", "shared", "0"), 0);
	expect_eq(slab_attr_store(m, "tuned", "object_size", "1"), -EACCES);
	expect_eq(slab_attr_store(m, "tuned", "batch", "x"), -EINVAL);
	expect_eq(slab_attr_store(m, "nope", "batch", "1"), -ENOENT);
	slab_attr_show(m, "tuned", "cpu_queue_size", buf, sizeof(buf));
	expect_eq(strtoul(buf, NULL, 10), 200);
	slab_attr_show(m, "tuned", "objects", buf, sizeof(buf));
	expect_eq(strtoul(buf, NULL, 10), 50);
	expect_true(check_machine(m));
	for (int i = 50; i < 100; i++)
		kmem_cache_free(m, s, objs[i]);
	expect_eq(slab_attr_store(m, "tuned", "shrink", "1"), 0);
	slab_attr_show(m, "tuned", "slabs", buf, sizeof(buf));
	expect_eq(strtoul(buf, NULL, 10), 0);
	expect_eq(slab_attr_store(m, "tuned", "validate", "1"), 0);
	kmem_cache_destroy(m, s);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_slabinfo(void)
{
	struct machine *m = boot_default(NULL);
	static char buf[16384];
	size_t len;

	assert_nonnull(m);
	len = dump_slabinfo(m, buf, sizeof(buf));
	expect_true(len < sizeof(buf));
	expect_str_contains(buf, "slabinfo - version: 2.1\n");
	expect_str_contains(buf, ": tunables <limit> <batchcount> <sharedfactor>");
	expect_str_contains(buf, "kmalloc-8k");
	expect_str_contains(buf, "dma-kmalloc-64 ");
	expect_eq(dump_slabinfo(m, buf, 10), len);
	expect_true(slab_sysfs_list(m, buf, sizeof(buf)) > 0);
	expect_str_contains(buf, "kmem_cache\n");
	machine_destroy(m);
}

/* Attribute formats as the kernel's, the kernel's directory names. */
static void test_sysfs_formats(void)
{
	struct machine *m = boot_default(NULL);
	struct kmem_cache *s, *hw, *alias;
	void *objs[5];
	char buf[256];
	unsigned int i;
	bool w;

	assert_nonnull(m);
	s = kmem_cache_create(m, "fmt", 200, 0, SLAB_NO_MERGE, NULL);
	hw = kmem_cache_create(m, "hw", 100, 0, SLAB_HWCACHE_ALIGN | SLAB_NO_MERGE, NULL);
	alias = kmem_cache_create(m, "m64", 64, 0, 0, NULL);
	assert_nonnull(s);
	assert_nonnull(hw);
	assert_nonnull(alias);
	for (i = 0; i < 5; i++) {
		objs[i] = kmem_cache_alloc_node(m, s, GFP_KERNEL | __GFP_THISNODE, i < 3 ? 0 : 1);
		assert_nonnull(objs[i]);
	}
	expect_eq(kmem_cache_shrink(m, s), 0);	/* no queued objects left */
	expect_eq(slab_attr_show(m, "fmt", "objects", buf, sizeof(buf)), 12);
	expect_true(!strcmp(buf, "5 N0=3 N1=2\n"));
	expect_eq(slab_attr_show(m, "fmt", "objects_partial", buf, sizeof(buf)), 12);
	expect_true(!strcmp(buf, "5 N0=3 N1=2\n"));
	slab_attr_show(m, "fmt", "slabs", buf, sizeof(buf));
	expect_true(!strcmp(buf, "2 N0=1 N1=1\n"));
	slab_attr_show(m, "fmt", "partial", buf, sizeof(buf));
	expect_true(!strcmp(buf, "2 N0=1 N1=1\n"));
	slab_attr_show(m, "fmt", "objs_per_slab", buf, sizeof(buf));
	i = (unsigned int)strtoul(buf, NULL, 10);
	snprintf(buf + 64, 64, "%u N0=%u N1=%u\n", 2 * i, i, i);
	slab_attr_show(m, "fmt", "total_objects", buf, 64);
	expect_true(!strcmp(buf, buf + 64));
	for (i = 0; i < 5; i++)
		kmem_cache_free(m, s, objs[i]);
	expect_eq(kmem_cache_shrink(m, s), 0);
	slab_attr_show(m, "fmt", "slabs", buf, sizeof(buf));
	expect_true(!strcmp(buf, "0\n"));	/* no node has a count */
	expect_eq(slab_attr_show(m, "fmt", "validate", buf, sizeof(buf)), 0);
	expect_true(!strcmp(buf, ""));
	expect_eq(slab_attr_show(m, "fmt", "shrink", buf, sizeof(buf)), 0);
	slab_attr_show(m, "hw", "hwcache_align", buf, sizeof(buf));
	expect_true(!strcmp(buf, "1\n"));
	slab_attr_show(m, "fmt", "hwcache_align", buf, sizeof(buf));
	expect_true(!strcmp(buf, "0\n"));
	for (i = 0; slab_attr_name(i, &w); i++)
		expect_true(slab_attr_show(m, "fmt", slab_attr_name(i, NULL), buf, sizeof(buf)) >=
			    0);
	expect_eq(i, 23);
	expect_true(slab_attr_name(4, &w) && !strcmp(slab_attr_name(4, &w), "objects") && !w);
	expect_true(!strcmp(slab_attr_name(1 + 18, &w), "validate") && w);

	expect_eq(slab_sysfs_dir_name(m, "kmalloc-64", buf, sizeof(buf)), 8);
	expect_true(!strcmp(buf, ":0000064"));
	slab_sysfs_dir_name(m, "m64", buf, sizeof(buf));	/* the alias: its target's */
	expect_true(!strcmp(buf, ":0000064"));
	slab_sysfs_dir_name(m, "dma-kmalloc-64", buf, sizeof(buf));
	expect_true(!strcmp(buf, ":d-0000064"));
	slab_sysfs_dir_name(m, "kmalloc-8k", buf, sizeof(buf));
	expect_true(!strcmp(buf, ":0008192"));
	slab_sysfs_dir_name(m, "kmem_cache_node", buf, sizeof(buf));
	expect_true(!strcmp(buf, "kmem_cache_node"));
	slab_sysfs_dir_name(m, "fmt", buf, sizeof(buf));
	expect_true(!strcmp(buf, "fmt"));
	expect_eq(slab_sysfs_dir_name(m, "nope", buf, sizeof(buf)), -ENOENT);
	kmem_cache_destroy(m, alias);
	kmem_cache_destroy(m, hw);
	kmem_cache_destroy(m, s);
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

/* Page reclaim reaches the slab shrinker. */
static void test_shrinker(void)
{
	struct machine *m = boot_default(NULL);
	enum { N = 4000 };
	static void *objs[N];
	unsigned long before;

	assert_nonnull(m);
	for (int i = 0; i < N; i++)
		objs[i] = kmalloc(m, 512, GFP_KERNEL);
	for (int i = 0; i < N; i++)
		kfree(m, objs[i]);
	before = nr_free_pages(m);
	expect_true(m->slab->shrinker.scan_objects(m, &m->slab->shrinker, 1) > 0);
	expect_true(nr_free_pages(m) > before);
	expect_true(check_machine(m));
	machine_destroy(m);
}

int main(void)
{
	RUN(test_boot_caches);
	RUN(test_kmalloc_family);
	RUN(test_dma_kmalloc);
	RUN(test_create_merge_destroy);
	RUN(test_merge_widens);
	RUN(test_destroy_with_objects);
	RUN(test_workload_all_cpus);
	RUN(test_nodes);
	RUN(test_memoryless_cpu);
	RUN(test_tune_and_attrs);
	RUN(test_slabinfo);
	RUN(test_sysfs_formats);
	RUN(test_shrinker);
	return test_summary();
}
