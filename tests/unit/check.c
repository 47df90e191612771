/* SPDX-License-Identifier: MIT */
/*
 * The invariant checker (core/check.c, check_slab_layer in
 * core/slab_debug.c). Each invariant id of docs/architecture.md is broken
 * here by corrupting exactly its state on a small booted machine; the check
 * must fail with its title and the id in the body, and pass again once the
 * state is restored. The checker also passes on sane machines at every
 * boot stage.
 */
#include "test.h"

#include "page_alloc.h"
#include "slab.h"

#define PAGE_TITLE "BUG: page allocator invariant broken"
#define SLAB_TITLE "BUG: slab invariant broken"
#define SKIP_TITLE "WARNING: slab invariant check skipped"

/* 2 nodes (node 0: DMA, DMA32, Normal; node 1: Normal), 2 cpus, 8 MiB. */
static struct machine *boot_small(const char *slab_debug, enum boot_stage stage)
{
	struct sf_topology t;
	struct sf_options o = { .debug_level = 3, .slab_debug = slab_debug };

	sf_topology_simple(&t, 2, 2, 8);
	return test_machine(&t, &o, stage);
}

static const struct sf_report *find_report(struct machine *m, const char *title)
{
	for (unsigned int i = 0; sf_reports_get(m, i); i++)
		if (!strcmp(sf_reports_get(m, i)->title, title))
			return sf_reports_get(m, i);
	return NULL;
}

/* The check fails with exactly one BUG or WARN report: title, and id in the body. */
#define expect_broken(m, title_, id_)                                                    \
	do {                                                                             \
		const struct sf_report *r_;                                              \
		expect_false(check_machine(m));                                          \
		expect_eq(test_errors(m), 1);                                            \
		r_ = find_report((m), (title_));                                         \
		expect_nonnull(r_);                                                      \
		if (r_)                                                                  \
			expect_str_contains(r_->body, id_ ":");                          \
		sf_reports_clear(m);                                                     \
	} while (0)

#define expect_clean(m)                                                                  \
	do {                                                                             \
		expect_true(check_machine(m));                                           \
		expect_no_reports(m);                                                    \
	} while (0)

/* A cache of 64-byte objects with one object queued on cpu 0 and one live. */
struct fixture {
	struct machine *m;
	struct kmem_cache *s;
	void *live, *queued;
	struct array_cache *ac;		/* cpu 0's queue: queued is its top */
};

static bool setup(struct fixture *f, const char *slab_debug)
{
	memset(f, 0, sizeof(*f));
	f->m = boot_small(slab_debug, STAGE_RUNNING);
	if (!f->m)
		return false;
	f->s = kmem_cache_create(f->m, "checked", 64, 0, SLAB_NO_MERGE, NULL);
	if (!f->s)
		return false;
	f->live = kmem_cache_alloc(f->m, f->s, GFP_KERNEL);
	f->queued = kmem_cache_alloc(f->m, f->s, GFP_KERNEL);
	if (!f->live || !f->queued)
		return false;
	kmem_cache_free(f->m, f->s, f->queued);
	f->ac = f->s->cpu_slab[0].ac;
	if (!f->ac->avail || f->ac->entry[f->ac->avail - 1] != f->queued)
		return false;
	expect_clean(f->m);
	return true;
}

static void teardown(struct fixture *f)
{
	if (!f->m)
		return;
	expect_clean(f->m);
	if (f->s) {
		kmem_cache_free(f->m, f->s, f->live);
		kmem_cache_destroy(f->m, f->s);
	}
	expect_clean(f->m);
	machine_destroy(f->m);
}

static struct page *slab_page_of(struct machine *m, const void *x)
{
	return compound_head(virt_to_page(m, x));
}

static struct zone *zone_of(struct machine *m, int nid, enum zone_type zt)
{
	return &m->nodes[nid].node_zones[zt];
}

/* A sane machine passes at every stage, several topologies. */
static void test_clean_at_every_stage(void)
{
	struct sf_topology tops[3];
	struct sf_options o = { .debug_level = 3 };

	sf_topology_simple(&tops[0], 2, 2, 8);
	sf_topology_default(&tops[1]);
	/* node 0 memoryless with the boot cpu; node 2 movable memory only */
	sf_topology_simple(&tops[2], 3, 3, 12);
	tops[2].ranges[0].node = 1;
	tops[2].zone_movable_start = tops[2].ranges[2].start_pfn;
	for (int i = 0; i < 3; i++) {
		struct sf_error err;
		struct machine *m = machine_create(&tops[i], &o, &err);

		assert_nonnull(m);
		sf_set_report_handler(m, sf_report_collect, NULL);
		expect_clean(m);
		for (int st = STAGE_SPARSE; st < NR_BOOT_STAGES; st++) {
			expect_eq(machine_boot(m, (enum boot_stage)st), 0);
			expect_clean(m);
		}
		machine_destroy(m);
	}
}

/* ---- page layer ---- */

static void test_p1_refcount(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct page *p;

	assert_nonnull(m);
	p = alloc_pages(m, GFP_KERNEL, 2);
	assert_nonnull(p);
	atomic_store(&p->refcount, 0);
	expect_broken(m, PAGE_TITLE, "P1");
	atomic_store(&p->refcount, 1);
	expect_clean(m);
	__free_pages(m, p, 2);
	machine_destroy(m);
}

/* Under ASan a free block's memory is poisoned: one byte of a free page's
 * last granule made accessible breaks P1 (nothing to break without ASan). */
static void test_p1_free_unpoisoned(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct page *p;
	uint8_t *b;

	assert_nonnull(m);
	p = alloc_pages(m, GFP_KERNEL, 1);
	assert_nonnull(p);
	b = page_address(m, p) + 2 * PAGE_SIZE - 8;
	__free_pages(m, p, 1);
	expect_clean(m);
	if (kasan_shadow_size(PAGE_SIZE)) {
		kasan_unpoison(b, 8);
		expect_broken(m, PAGE_TITLE, "P1");
		kasan_poison(b, 8);
		expect_clean(m);
	}
	machine_destroy(m);
}

/* P13: the header of a host arena chunk (the machine's own) overwritten. */
static void test_p13_host_arena(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	uint8_t *hdr = (uint8_t *)m - 16;

	assert_nonnull(m);
	kasan_unpoison(hdr, 16);
	hdr[0] ^= 0x01;
	kasan_poison(hdr, 16);
	expect_broken(m, PAGE_TITLE, "P13");
	kasan_unpoison(hdr, 16);
	hdr[0] ^= 0x01;
	kasan_poison(hdr, 16);
	expect_clean(m);
	machine_destroy(m);
}

/* A free block on its list whose head says another zone. */
static void test_p2_free_block_zone(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct zone *z;
	struct page *p = NULL;

	assert_nonnull(m);
	z = zone_of(m, 0, ZONE_DMA32);
	for (unsigned int o = m->max_order; o-- > 0 && !p;)
		if (!list_empty(&z->free_area[o].free_list))
			p = list_first_entry(&z->free_area[o].free_list, struct page, lru);
	assert_nonnull(p);
	p->zone = ZONE_NORMAL;
	expect_broken(m, PAGE_TITLE, "P2");
	p->zone = ZONE_DMA32;
	expect_clean(m);
	machine_destroy(m);
}

static void test_p3_nr_free(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct zone *z;

	assert_nonnull(m);
	z = zone_of(m, 1, ZONE_NORMAL);
	z->free_area[0].nr_free++;
	expect_broken(m, PAGE_TITLE, "P3");
	z->free_area[0].nr_free--;
	expect_clean(m);
	machine_destroy(m);
}

static void test_p4_pcp_count(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct per_cpu_pages *pcp;

	assert_nonnull(m);
	pcp = &zone_of(m, 1, ZONE_NORMAL)->pageset[0];
	pcp->count++;
	expect_broken(m, PAGE_TITLE, "P4");
	pcp->count--;
	expect_clean(m);
	machine_destroy(m);
}

static void test_p5_nr_allocated(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);

	assert_nonnull(m);
	atomic_fetch_add(&m->nr_allocated_pages, 1);
	expect_broken(m, PAGE_TITLE, "P5");
	atomic_fetch_sub(&m->nr_allocated_pages, 1);
	expect_clean(m);
	machine_destroy(m);
}

static void test_p6_memblock(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);

	assert_nonnull(m);
	m->memblock.allocated_bytes += 8;
	expect_broken(m, PAGE_TITLE, "P6");
	m->memblock.allocated_bytes -= 8;
	expect_clean(m);
	machine_destroy(m);
}

static void test_p7_vmemmap(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);

	assert_nonnull(m);
	m->sparse.blocks[0].populate_count++;
	expect_broken(m, PAGE_TITLE, "P7");
	m->sparse.blocks[0].populate_count--;
	expect_clean(m);
	machine_destroy(m);
}

/* The boot mask after IRQS_ON, and the full mask before it. */
static void test_p8_gfp_mask(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);

	assert_nonnull(m);
	atomic_store(&m->gfp_allowed_mask, GFP_BOOT_MASK);
	expect_broken(m, PAGE_TITLE, "P8");
	atomic_store(&m->gfp_allowed_mask, (gfp_t)__GFP_BITS_MASK);
	expect_clean(m);
	machine_destroy(m);

	m = boot_small(NULL, STAGE_SLAB_UP);
	assert_nonnull(m);
	atomic_store(&m->gfp_allowed_mask, (gfp_t)__GFP_BITS_MASK);
	expect_broken(m, PAGE_TITLE, "P8");
	atomic_store(&m->gfp_allowed_mask, GFP_BOOT_MASK);
	expect_clean(m);
	machine_destroy(m);
}

static void swap_zonerefs(struct zonelist *zl, int a, int b)
{
	struct zone *t = zl->zones[a].zone;

	zl->zones[a].zone = zl->zones[b].zone;
	zl->zones[b].zone = t;
}

/* Zone order inside a node, node order by distance, local first, completeness. */
static void test_p9_zonelists(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct zonelist *fb0, *fb1, *nofb;
	struct zone *last;

	assert_nonnull(m);
	fb0 = &m->nodes[0].node_zonelists[ZONELIST_FALLBACK];
	fb1 = &m->nodes[1].node_zonelists[ZONELIST_FALLBACK];
	nofb = &m->nodes[0].node_zonelists[ZONELIST_NOFALLBACK];
	/* node 0: Normal, DMA32, DMA of node 0, then Normal of node 1 */
	assert_true(fb0->zones[0].zone == zone_of(m, 0, ZONE_NORMAL));
	assert_true(fb0->zones[3].zone == zone_of(m, 1, ZONE_NORMAL) && !fb0->zones[4].zone);
	swap_zonerefs(fb0, 0, 1);	/* DMA32 before Normal */
	expect_broken(m, PAGE_TITLE, "P9");
	swap_zonerefs(fb0, 0, 1);
	expect_clean(m);
	swap_zonerefs(fb1, 0, 1);	/* node 1 starts with node 0's zones */
	expect_broken(m, PAGE_TITLE, "P9");
	swap_zonerefs(fb1, 0, 1);
	last = fb0->zones[3].zone;
	fb0->zones[3].zone = NULL;	/* a populated zone missing */
	expect_broken(m, PAGE_TITLE, "P9");
	fb0->zones[3].zone = last;
	swap_zonerefs(nofb, 0, 2);
	expect_broken(m, PAGE_TITLE, "P9");
	swap_zonerefs(nofb, 0, 2);
	expect_clean(m);
	machine_destroy(m);
}

/* On the default machine node 1 with distance 30 must come after node 2 at 20. */
static void test_p9_distance_order(void)
{
	struct sf_topology t;
	struct sf_options o = { .debug_level = 3 };
	struct machine *m;
	struct zonelist *fb;

	sf_topology_simple(&t, 3, 3, 12);
	t.distance[0][1] = t.distance[1][0] = 30;
	m = test_machine(&t, &o, STAGE_RUNNING);
	assert_nonnull(m);
	expect_clean(m);
	fb = &m->nodes[0].node_zonelists[ZONELIST_FALLBACK];
	/* node 0 has DMA, DMA32, Normal; then node 2 Normal, then node 1 Normal */
	assert_true(fb->zones[3].zone == zone_of(m, 2, ZONE_NORMAL));
	assert_true(fb->zones[4].zone == zone_of(m, 1, ZONE_NORMAL));
	swap_zonerefs(fb, 3, 4);
	expect_broken(m, PAGE_TITLE, "P9");
	swap_zonerefs(fb, 3, 4);
	expect_clean(m);
	machine_destroy(m);
}

static void test_p10_watermarks(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct zone *z;

	assert_nonnull(m);
	z = zone_of(m, 1, ZONE_NORMAL);
	assert_true(z->watermark[WMARK_MIN] > 0);
	z->watermark[WMARK_LOW]++;
	expect_broken(m, PAGE_TITLE, "P10");
	z->watermark[WMARK_LOW]--;
	expect_clean(m);
	z->managed_pages++;
	expect_broken(m, PAGE_TITLE, "P10");
	z->managed_pages--;
	expect_clean(m);
	machine_destroy(m);
}

static void test_p11_node_states(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);

	assert_nonnull(m);
	m->node_states[N_CPU] ^= 1u << 1;
	expect_broken(m, PAGE_TITLE, "P11");
	m->node_states[N_CPU] ^= 1u << 1;
	expect_clean(m);
	m->node_states[N_NORMAL_MEMORY] &= ~(1u << 1);
	expect_broken(m, PAGE_TITLE, "P11");
	m->node_states[N_NORMAL_MEMORY] |= 1u << 1;
	m->cpus[1].mem_node = 0;
	expect_broken(m, PAGE_TITLE, "P11");
	m->cpus[1].mem_node = 1;
	expect_clean(m);
	machine_destroy(m);

	/* Before sparse too: the states come from the topology. */
	m = boot_small(NULL, STAGE_EARLY);
	assert_nonnull(m);
	m->node_states[N_MEMORY] &= ~1u;
	expect_broken(m, PAGE_TITLE, "P11");
	m->node_states[N_MEMORY] |= 1u;
	expect_clean(m);
	machine_destroy(m);
}

static bool holds_memmap(struct machine *m, const struct memblock_region *r)
{
	for (unsigned long b = 0; b < m->sparse.nr_blocks; b++) {
		const struct vmemmap_block *vb = &m->sparse.blocks[b];
		uint64_t phys;

		if (vb->state != VMEMMAP_MAPPED)
			continue;
		phys = virt_to_phys(m, vb->pages);
		if (phys >= r->base && phys < r->base + r->size)
			return true;
	}
	return false;
}

/* A reservation over a page buddy holds, and a reservation dropped while
 * its pages stay reserved (fine only once freed late, after the hand-over). */
static void test_p12_handover(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct memblock_type *rsv;
	struct memblock_region dropped;
	unsigned int k;
	pfn_t pfn = 0;

	assert_nonnull(m);
	rsv = &m->memblock.reserved;
	while (pfn < m->max_pfn && (!pfn_valid(m, pfn) || pfn_to_page(m, pfn)->state != PS_BUDDY))
		pfn++;
	assert_true(pfn < m->max_pfn);
	assert_true(rsv->cnt > 0 && rsv->cnt < rsv->max && PFN_PHYS(pfn) < rsv->regions[0].base);
	memmove(&rsv->regions[1], &rsv->regions[0], rsv->cnt * sizeof(rsv->regions[0]));
	rsv->regions[0] = (struct memblock_region){ PFN_PHYS(pfn), 64, 0 };
	rsv->cnt++;
	m->memblock.allocated_bytes += 64;
	expect_broken(m, PAGE_TITLE, "P12");
	rsv->cnt--;
	memmove(&rsv->regions[0], &rsv->regions[1], rsv->cnt * sizeof(rsv->regions[0]));
	m->memblock.allocated_bytes -= 64;
	expect_clean(m);

	/* Drop a reservation that backs no memmap (P7 would see that first). */
	k = rsv->cnt;
	while (k-- > 0 && holds_memmap(m, &rsv->regions[k]))
		;
	assert_true(k < rsv->cnt);
	dropped = rsv->regions[k];
	memmove(&rsv->regions[k], &rsv->regions[k + 1], (rsv->cnt - k - 1) * sizeof(dropped));
	rsv->cnt--;
	m->memblock.allocated_bytes -= dropped.size;
	expect_broken(m, PAGE_TITLE, "P12");
	m->memblock.freed_late = true;
	expect_clean(m);
	m->memblock.freed_late = false;
	memmove(&rsv->regions[k + 1], &rsv->regions[k], (rsv->cnt - k) * sizeof(dropped));
	rsv->regions[k] = dropped;
	rsv->cnt++;
	m->memblock.allocated_bytes += dropped.size;
	expect_clean(m);
	machine_destroy(m);
}

/* ---- slab layer ---- */

static void test_s1_queue_limit(void)
{
	struct fixture f;

	assert_true(setup(&f, NULL));
	f.ac->batchcount = f.ac->limit + 1;
	expect_broken(f.m, SLAB_TITLE, "S1");
	f.ac->batchcount = f.s->batchcount;
	expect_clean(f.m);
	f.s->limit++;	/* the queue is no longer of the cache's size */
	expect_broken(f.m, SLAB_TITLE, "S1");
	f.s->limit--;
	teardown(&f);
}

static void test_s2_not_object_start(void)
{
	struct fixture f;

	const struct sf_report *r;

	assert_true(setup(&f, NULL));
	f.ac->entry[f.ac->avail - 1] = (char *)f.queued + 8;
	expect_false(check_machine(f.m));
	r = find_report(f.m, SLAB_TITLE);
	assert_nonnull(r);
	expect_str_contains(r->body, "cache checked: S2: cpu 0 queue entry");
	sf_reports_clear(f.m);
	expect_broken(f.m, SLAB_TITLE, "S2");
	f.ac->entry[f.ac->avail - 1] = f.queued;
	teardown(&f);
}

static void test_s3_wrong_node(void)
{
	struct fixture f;
	void *remote;

	assert_true(setup(&f, NULL));
	remote = kmem_cache_alloc_node(f.m, f.s, GFP_KERNEL, 1);
	assert_nonnull(remote);
	assert_true(slab_page_of(f.m, remote)->node == 1);
	f.ac->entry[f.ac->avail - 1] = remote;	/* cpu 0 allocates from node 0 */
	expect_broken(f.m, SLAB_TITLE, "S3");
	f.ac->entry[f.ac->avail - 1] = f.queued;
	expect_clean(f.m);
	kmem_cache_free(f.m, f.s, remote);
	teardown(&f);
}

static void flip_bit(struct machine *m, struct kmem_cache *s, const void *x)
{
	struct page *page = slab_page_of(m, x);
	unsigned int idx = slab_obj_index(m, s, page, x);

	slab_bitmap(m, s, page)[idx / (8 * sizeof(long))] ^= 1ul << (idx % (8 * sizeof(long)));
}

static void test_s4_queued_but_free(void)
{
	struct fixture f;

	assert_true(setup(&f, NULL));
	flip_bit(f.m, f.s, f.queued);
	expect_broken(f.m, SLAB_TITLE, "S4");
	flip_bit(f.m, f.s, f.queued);
	teardown(&f);
}

static void test_s5_node_structure(void)
{
	struct fixture f;
	struct kmem_cache_node *n;

	assert_true(setup(&f, NULL));
	n = get_node(f.s, 1);
	n->node = 0;
	expect_broken(f.m, SLAB_TITLE, "S5");
	n->node = 1;
	teardown(&f);
}

static void test_s6_inuse(void)
{
	struct fixture f;
	struct page *page;

	assert_true(setup(&f, NULL));
	page = slab_page_of(f.m, f.live);
	page->slab_inuse++;
	expect_broken(f.m, SLAB_TITLE, "S6");
	page->slab_inuse--;
	teardown(&f);
}

static void test_s7_counters(void)
{
	struct fixture f;

	assert_true(setup(&f, NULL));
	get_node(f.s, 0)->free_objects++;
	expect_broken(f.m, SLAB_TITLE, "S7");
	get_node(f.s, 0)->free_objects--;
	teardown(&f);
}

/* Debug cache: an allocated object marked free. */
static void test_s8_debug_state(void)
{
	struct fixture f;
	struct page *page;
	atomic_uchar *st;

	assert_true(setup(&f, "F"));
	page = slab_page_of(f.m, f.live);
	st = (atomic_uchar *)slab_obj_state(f.m, f.s, page) + slab_obj_index(f.m, f.s, page, f.live);
	atomic_store(st, OBJ_FREED);
	expect_broken(f.m, SLAB_TITLE, "S8");
	atomic_store(st, OBJ_ALLOCATED);
	teardown(&f);
}

/* kmem_cache without debug flags: an allocated object that is no cache's structure. */
static void test_s8_cache_structures(void)
{
	struct fixture f;
	void *stray;

	assert_true(setup(&f, NULL));
	assert_true(!slab_has_debug(f.m->slab->kmem_cache));
	stray = kmem_cache_alloc(f.m, f.m->slab->kmem_cache, GFP_KERNEL);
	assert_nonnull(stray);
	expect_broken(f.m, SLAB_TITLE, "S8");
	kmem_cache_free(f.m, f.m->slab->kmem_cache, stray);
	expect_clean(f.m);
	stray = kmem_cache_alloc(f.m, f.m->slab->kmem_cache_node, GFP_KERNEL);
	assert_nonnull(stray);
	expect_broken(f.m, SLAB_TITLE, "S8");
	kmem_cache_free(f.m, f.m->slab->kmem_cache_node, stray);
	teardown(&f);
}

static void test_s9_twice_queued(void)
{
	struct fixture f;

	assert_true(setup(&f, NULL));
	assert_true(f.ac->avail < f.ac->limit);
	f.ac->entry[f.ac->avail] = f.queued;
	f.ac->avail++;
	expect_broken(f.m, SLAB_TITLE, "S9");
	f.ac->avail--;
	teardown(&f);
}

static void test_s10_live(void)
{
	struct fixture f;

	assert_true(setup(&f, NULL));
	f.s->cpu_slab[1].live++;
	expect_broken(f.m, SLAB_TITLE, "S10");
	f.s->cpu_slab[1].live--;
	teardown(&f);
}

static void test_s11_kmalloc_table(void)
{
	struct fixture f;
	struct kmem_cache **slot, *k64;

	assert_true(setup(&f, NULL));
	slot = &f.m->slab->kmalloc_caches[KMALLOC_DMA][0];
	assert_true(*slot == NULL);
	*slot = (struct kmem_cache *)f.live;
	expect_broken(f.m, SLAB_TITLE, "S11");
	*slot = NULL;
	expect_clean(f.m);
	/* Caches on the list, in each other's size class. */
	slot = &f.m->slab->kmalloc_caches[KMALLOC_NORMAL][6];
	k64 = *slot;
	*slot = f.m->slab->kmalloc_caches[KMALLOC_NORMAL][7];
	expect_broken(f.m, SLAB_TITLE, "S11");
	*slot = k64;
	expect_clean(f.m);
	/* SLAB_KMALLOC off a table entry, and on a cache that is no entry. */
	k64->flags &= ~SLAB_KMALLOC;
	expect_broken(f.m, SLAB_TITLE, "S11");
	k64->flags |= SLAB_KMALLOC;
	f.s->flags |= SLAB_KMALLOC;
	expect_broken(f.m, SLAB_TITLE, "S11");
	f.s->flags &= ~SLAB_KMALLOC;
	teardown(&f);
}

/* Incident 1's state: a node with normal memory and no per-node structure. */
static void test_s12_missing_node(void)
{
	struct fixture f;
	struct kmem_cache_node *n;
	struct machine *m;
	struct kmem_cache *k;

	assert_true(setup(&f, NULL));
	n = f.s->node[1];
	f.s->node[1] = NULL;
	expect_broken(f.m, SLAB_TITLE, "S12");
	f.s->node[1] = n;
	expect_clean(f.m);
	f.m->slab->mem_node[1] = 0;
	expect_broken(f.m, SLAB_TITLE, "S12");
	f.m->slab->mem_node[1] = 1;
	teardown(&f);

	/* From slab_partial on, for the boot and kmalloc caches too. */
	m = boot_small(NULL, STAGE_SLAB_PARTIAL);
	assert_nonnull(m);
	expect_clean(m);
	k = m->slab->kmalloc_caches[KMALLOC_NORMAL][6];
	assert_nonnull(k);
	n = k->node[0];
	k->node[0] = NULL;
	expect_broken(m, SLAB_TITLE, "S12");
	k->node[0] = n;
	expect_clean(m);
	machine_destroy(m);
}

/* A PG_slab page on no list of its cache. */
static void test_s13_unlisted_slab(void)
{
	struct fixture f;
	struct page *p;

	assert_true(setup(&f, NULL));
	p = alloc_pages(f.m, GFP_KERNEL, f.s->order);
	assert_nonnull(p);
	p->flags |= PG_slab;
	p->slab_cache = f.s;
	expect_broken(f.m, SLAB_TITLE, "S13");
	p->slab_cache = NULL;
	expect_broken(f.m, SLAB_TITLE, "S13");
	p->flags &= (uint16_t)~PG_slab;
	expect_clean(f.m);
	__free_pages(f.m, p, f.s->order);
	teardown(&f);
}

static struct slab_sysfs_entry *registry_entry(struct machine *m, const char *name)
{
	for (unsigned int i = 0; i < m->slab->nr_sysfs; i++)
		if (!strcmp(m->slab->sysfs[i].name, name))
			return &m->slab->sysfs[i];
	return NULL;
}

/* A missing directory, an alias to a freed cache, a duplicate name. */
static void test_s14_registry(void)
{
	struct fixture f;
	struct slab_sysfs_entry *e, saved;
	struct kmem_cache *alias;
	struct machine *m;

	assert_true(setup(&f, NULL));
	alias = kmem_cache_create(f.m, "merged", 60, 0, 0, NULL);
	assert_nonnull(alias);
	e = registry_entry(f.m, "checked");
	assert_nonnull(e);
	saved = *e;
	snprintf(e->name, sizeof(e->name), "renamed");
	expect_broken(f.m, SLAB_TITLE, "S14");
	*e = saved;
	expect_clean(f.m);
	e = registry_entry(f.m, "merged");
	assert_true(e && e->alias);
	saved = *e;
	e->s = (struct kmem_cache *)f.live;	/* not a cache */
	expect_broken(f.m, SLAB_TITLE, "S14");
	*e = saved;
	snprintf(e->name, sizeof(e->name), "kmalloc-64");
	expect_broken(f.m, SLAB_TITLE, "S14");
	*e = saved;
	expect_clean(f.m);
	kmem_cache_destroy(f.m, alias);
	teardown(&f);

	/* Before slab_up nothing is registered. */
	m = boot_small(NULL, STAGE_SLAB_PARTIAL);
	assert_nonnull(m);
	expect_clean(m);
	m->slab->kmem_cache->sysfs_registered = true;
	expect_broken(m, SLAB_TITLE, "S14");
	m->slab->kmem_cache->sysfs_registered = false;
	expect_clean(m);
	machine_destroy(m);
}

/* A busy slab_mutex is a reported skip, never a pass. */
static void test_s15_busy_mutex(void)
{
	struct fixture f;

	assert_true(setup(&f, NULL));
	spin_lock(&f.m->slab->slab_mutex);
	expect_broken(f.m, SKIP_TITLE, "S15");
	spin_unlock(&f.m->slab->slab_mutex);
	teardown(&f);
}

/* A cpu queue lock left taken or wanted between calls (each field alone). */
static void test_s16_queue_lock(void)
{
	struct fixture f;
	struct kmem_cache_cpu *c;

	assert_true(setup(&f, NULL));
	c = &f.s->cpu_slab[1];
	atomic_store(&c->remote_req, 1);
	expect_broken(f.m, SLAB_TITLE, "S16");
	atomic_store(&c->remote_req, 0);
	atomic_store(&c->lock, 1);
	expect_broken(f.m, SLAB_TITLE, "S16");
	atomic_store(&c->lock, 0);
	atomic_store(&c->owner_active, 1);
	expect_broken(f.m, SLAB_TITLE, "S16");
	atomic_store(&c->owner_active, 0);
	c->owner_locked = true;
	expect_broken(f.m, SLAB_TITLE, "S16");
	c->owner_locked = false;
	expect_clean(f.m);
	teardown(&f);
}

/* ---- the incremental check (check_machine_incremental) ---- */

#define NEVER_FULL 1000u

/* The next check_machine_incremental(m, NEVER_FULL) is an incremental one. */
static bool view_valid(struct machine *m)
{
	return m->check.valid &&
	       (m->check.stage == machine_stage(m) || m->check.stage >= STAGE_SLAB_UP) &&
	       m->check.since_full < NEVER_FULL;
}

/* The first report's body starts with the id (both checkers file one). */
static void expect_id(struct machine *m, const char *title, const char *id)
{
	const struct sf_report *r = find_report(m, title);

	expect_eq(test_errors(m), 1);
	expect_nonnull(r);
	if (r)
		expect_str_contains(r->body, id);
	sf_reports_clear(m);
}

/*
 * Broken in a region the core marked changed: the incremental check (known
 * to run incrementally) and then the full check report the same id.
 */
#define expect_broken_both(m, title_, id_)                                               	do {                                                                             		expect_true(view_valid(m));                                              		expect_false(check_machine_incremental((m), NEVER_FULL));                		expect_id((m), (title_), id_ ":");                                       		expect_false(check_machine(m));                                          		expect_id((m), (title_), id_ ":");                                       	} while (0)

#define expect_stats(m, full_, incr_)                                                     \
	do {                                                                             \
		unsigned long full, incr;                                                \
		check_stats((m), &full, &incr);                                          \
		expect_eq(full, (full_));                                                \
		expect_eq(incr, (incr_));                                                \
	} while (0)

/* An incremental check of a clean, unchanged machine reads no chunk and
 * passes; a change makes its chunk be read; stats count both kinds. */
static void test_incremental_counts(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct page *p;

	assert_nonnull(m);
	expect_true(check_machine_incremental(m, NEVER_FULL));	/* first: full */
	expect_stats(m, 1, 0);
	p = alloc_pages(m, GFP_KERNEL, 1);
	assert_nonnull(p);
	expect_ne(memmap_chunk_changes(m, page_to_pfn(m, p)), m->check.seen[page_to_pfn(m, p) >>
									    memmap_chunk_shift(m)]);
	expect_true(check_machine_incremental(m, NEVER_FULL));
	__free_pages(m, p, 1);
	expect_true(check_machine_incremental(m, 2));
	expect_true(check_machine_incremental(m, 2));	/* two since the full one: full */
	expect_stats(m, 2, 2);
	expect_no_reports(m);
	machine_destroy(m);
}

/* Page layer, broken where an operation just ran (or in state every check reads). */
static void test_incremental_agrees_pages(void)
{
	struct machine *m = boot_small(NULL, STAGE_RUNNING);
	struct per_cpu_pages *pcp;
	struct page *p;

	assert_nonnull(m);
	expect_clean(m);
	p = alloc_pages(m, GFP_KERNEL, 2);
	assert_nonnull(p);
	atomic_store(&p->refcount, 0);
	expect_broken_both(m, PAGE_TITLE, "P1");
	atomic_store(&p->refcount, 1);
	expect_clean(m);
	zone_of(m, 1, ZONE_NORMAL)->free_area[0].nr_free++;
	expect_broken_both(m, PAGE_TITLE, "P3");
	zone_of(m, 1, ZONE_NORMAL)->free_area[0].nr_free--;
	expect_clean(m);
	pcp = &zone_of(m, 1, ZONE_NORMAL)->pageset[0];
	pcp->count++;
	expect_broken_both(m, PAGE_TITLE, "P4");
	pcp->count--;
	expect_clean(m);
	atomic_fetch_add(&m->nr_allocated_pages, 1);
	expect_broken_both(m, PAGE_TITLE, "P5");
	atomic_fetch_sub(&m->nr_allocated_pages, 1);
	expect_clean(m);
	__free_pages(m, p, 2);
	expect_true(check_machine_incremental(m, NEVER_FULL));
	expect_no_reports(m);
	machine_destroy(m);
}

/* Slab layer: after an operation on the cache, its state broken. */
static void test_incremental_agrees_slab(void)
{
	struct fixture f;
	struct page *page, *p;

	assert_true(setup(&f, NULL));
	page = slab_page_of(f.m, f.live);
	kmem_cache_free(f.m, f.s, kmem_cache_alloc(f.m, f.s, GFP_KERNEL));
	page->slab_inuse++;
	expect_broken_both(f.m, SLAB_TITLE, "S6");
	page->slab_inuse--;
	expect_clean(f.m);
	kmem_cache_free(f.m, f.s, kmem_cache_alloc(f.m, f.s, GFP_KERNEL));
	get_node(f.s, 0)->free_objects++;
	expect_broken_both(f.m, SLAB_TITLE, "S7");
	get_node(f.s, 0)->free_objects--;
	expect_clean(f.m);
	kmem_cache_free(f.m, f.s, kmem_cache_alloc(f.m, f.s, GFP_KERNEL));
	f.ac->entry[f.ac->avail++] = f.queued;
	expect_broken_both(f.m, SLAB_TITLE, "S9");
	f.ac->avail--;
	expect_clean(f.m);
	kmem_cache_free(f.m, f.s, kmem_cache_alloc(f.m, f.s, GFP_KERNEL));
	f.s->cpu_slab[1].live++;
	expect_broken_both(f.m, SLAB_TITLE, "S10");
	f.s->cpu_slab[1].live--;
	expect_clean(f.m);
	/* A page allocation marks its chunk: the stray slab page is read. */
	p = alloc_pages(f.m, GFP_KERNEL, f.s->order);
	assert_nonnull(p);
	p->flags |= PG_slab;
	p->slab_cache = f.s;
	expect_broken_both(f.m, SLAB_TITLE, "S13");
	p->flags &= (uint16_t)~PG_slab;
	p->slab_cache = NULL;
	expect_clean(f.m);
	__free_pages(f.m, p, f.s->order);
	teardown(&f);
}

/*
 * Broken where nothing changed since the last check: the incremental check
 * does not read it (it passes), the next full one, the full_every-th,
 * reports it.
 */
static void test_incremental_clean_region(void)
{
	struct fixture f;
	struct page *p;

	assert_true(setup(&f, NULL));
	p = alloc_pages(f.m, GFP_KERNEL, 2);
	assert_nonnull(p);
	expect_clean(f.m);
	atomic_store(&p->refcount, 0);
	expect_true(view_valid(f.m));
	expect_true(check_machine_incremental(f.m, 2));
	expect_true(check_machine_incremental(f.m, 2));
	expect_no_reports(f.m);
	expect_false(check_machine_incremental(f.m, 2));
	expect_id(f.m, PAGE_TITLE, "P1:");
	atomic_store(&p->refcount, 1);
	expect_clean(f.m);
	/* A cache with no operation since the last check. */
	get_node(f.s, 0)->free_objects++;
	expect_true(check_machine_incremental(f.m, 1));
	expect_no_reports(f.m);
	expect_false(check_machine_incremental(f.m, 1));
	expect_id(f.m, SLAB_TITLE, "S7:");
	get_node(f.s, 0)->free_objects--;
	expect_clean(f.m);
	__free_pages(f.m, p, 2);
	teardown(&f);
}

/*
 * A failed check, a boot stage change up to slab_up: the next incremental
 * check is full. The stages after slab_up keep the view.
 */
static void test_incremental_falls_back(void)
{
	struct machine *m = boot_small(NULL, STAGE_SLAB_PARTIAL);

	assert_nonnull(m);
	expect_true(check_machine_incremental(m, NEVER_FULL));
	expect_eq(machine_boot(m, STAGE_SLAB_UP), 0);
	expect_false(view_valid(m));
	expect_true(check_machine_incremental(m, NEVER_FULL));
	expect_stats(m, 2, 0);
	expect_eq(machine_boot(m, STAGE_RUNNING), 0);
	expect_true(view_valid(m));
	expect_true(check_machine_incremental(m, NEVER_FULL));
	expect_stats(m, 2, 1);
	atomic_fetch_add(&m->nr_allocated_pages, 1);
	expect_false(check_machine_incremental(m, NEVER_FULL));
	expect_id(m, PAGE_TITLE, "P5:");
	atomic_fetch_sub(&m->nr_allocated_pages, 1);
	expect_false(view_valid(m));
	expect_true(check_machine_incremental(m, NEVER_FULL));
	expect_stats(m, 3, 1);
	machine_destroy(m);
}

int main(void)
{
	RUN(test_clean_at_every_stage);
	RUN(test_p1_refcount);
	RUN(test_p1_free_unpoisoned);
	RUN(test_p13_host_arena);
	RUN(test_p2_free_block_zone);
	RUN(test_p3_nr_free);
	RUN(test_p4_pcp_count);
	RUN(test_p5_nr_allocated);
	RUN(test_p6_memblock);
	RUN(test_p7_vmemmap);
	RUN(test_p8_gfp_mask);
	RUN(test_p9_zonelists);
	RUN(test_p9_distance_order);
	RUN(test_p10_watermarks);
	RUN(test_p11_node_states);
	RUN(test_p12_handover);
	RUN(test_s1_queue_limit);
	RUN(test_s2_not_object_start);
	RUN(test_s3_wrong_node);
	RUN(test_s4_queued_but_free);
	RUN(test_s5_node_structure);
	RUN(test_s6_inuse);
	RUN(test_s7_counters);
	RUN(test_s8_debug_state);
	RUN(test_s8_cache_structures);
	RUN(test_s9_twice_queued);
	RUN(test_s10_live);
	RUN(test_s11_kmalloc_table);
	RUN(test_s12_missing_node);
	RUN(test_s13_unlisted_slab);
	RUN(test_s14_registry);
	RUN(test_s15_busy_mutex);
	RUN(test_s16_queue_lock);
	RUN(test_incremental_counts);
	RUN(test_incremental_agrees_pages);
	RUN(test_incremental_agrees_slab);
	RUN(test_incremental_clean_region);
	RUN(test_incremental_falls_back);
	return test_summary();
}
