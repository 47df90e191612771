/* SPDX-License-Identifier: MIT */
/*
 * Every slab oracle of the interpreter can fail: each case runs a small
 * fuzz_slab program in a child with a hook (interp.h: test_slab_result) that
 * corrupts one new object or the core's state the way a broken core would,
 * and expects the run to abort with exactly that oracle's title. The same
 * program without the hook must run clean, so the title comes from the
 * corruption and nothing else.
 *
 * Usage: test_slab_oracles [case-name]   (no argument: every case)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "slab.h"	/* struct page, struct kmem_cache: the corruption cases */
#include "interp.h"
#include "test_child.h"

#define MACHINE1                                                                         \
	"slabfuzz-program 2\n"                                                           \
	"machine nodes=1 cpus=1 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "  \
	"memmap_together=0 debug=0 slab_debug=none\n"                                    \
	"cpu_nodes node0\n"                                                              \
	"range node0 0x0-0x400\n"                                                        \
	"zones dma=0x100 dma32=0x200 movable=none\n"
/* node1 has cpu1 and no memory (the shape of incident 1) */
#define MACHINE_MEMLESS                                                                  \
	"slabfuzz-program 2\n"                                                           \
	"machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "  \
	"memmap_together=0 debug=0 slab_debug=none\n"                                    \
	"cpu_nodes node0 node1\n"                                                        \
	"distance node0 node1 20\n"                                                      \
	"range node0 0x0-0x400\n"                                                        \
	"zones dma=0x100 dma32=0x200 movable=none\n"
#define MACHINE2                                                                         \
	"slabfuzz-program 2\n"                                                           \
	"machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=2 "  \
	"memmap_together=0 debug=0 slab_debug=none\n"                                    \
	"cpu_nodes node0 node1\n"                                                        \
	"distance node0 node1 20\n"                                                      \
	"range node0 0x0-0x200\n"                                                        \
	"range node1 0x200-0x400\n"                                                      \
	"zones dma=0x100 dma32=0x200 movable=none\n"

static int calls;
static void *first;

/* The n-th new object (or created cache) of op, 1-based. */
static bool nth(const char *op, const char *want, int n)
{
	return !strcmp(op, want) && ++calls == n;
}

static void h_tail(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (!strcmp(op, "kmalloc") && !first) {
		first = *p;
		return;
	}
	/* Past the 5000 bytes asked and past 4096, inside ksize 8192. */
	if (!strcmp(op, "kmalloc"))
		((unsigned char *)first)[6000] ^= 0x55;
}

static void h_ksize(struct machine *m, const char *op, void **p, size_t size)
{
	(void)size;
	if (!strcmp(op, "kmalloc"))
		*p = kmalloc(m, 200, GFP_KERNEL);	/* kmalloc-192 for a 100-byte ask */
}

static void h_plus8(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (strcmp(op, "kmem_cache_create"))
		*p = (char *)*p + 8;
}

static void h_mgmt(struct machine *m, const char *op, void **p, size_t size)
{
	struct page *head;
	struct kmem_cache *s;

	(void)size;
	if (strcmp(op, "kmalloc"))
		return;
	s = virt_to_slab(m, *p, &head);
	/* kmalloc-96: 42 objects, the bitmap at 42 * 96 */
	if (s)
		*p = (char *)page_address(m, head) + 42 * 96;
}

static void h_other_cache(struct machine *m, const char *op, void **p, size_t size)
{
	if (!strcmp(op, "kmem_cache_alloc"))
		*p = kmalloc(m, size, GFP_KERNEL);
}

static void h_order(struct machine *m, const char *op, void **p, size_t size)
{
	struct page *head;

	(void)size;
	if (strcmp(op, "kmalloc") || !virt_to_slab(m, *p, &head))
		return;
	head->order = 1;	/* kmalloc-8k slabs are order 3 */
}

static void h_node0(struct machine *m, const char *op, void **p, size_t size)
{
	if (!strcmp(op, "kmalloc"))
		*p = kmalloc_node(m, size, GFP_KERNEL | __GFP_THISNODE, 0);
}

static void h_node1(struct machine *m, const char *op, void **p, size_t size)
{
	if (!strcmp(op, "kmalloc"))
		*p = kmalloc_node(m, size, GFP_KERNEL | __GFP_THISNODE, 1);
}

static void h_not_dma(struct machine *m, const char *op, void **p, size_t size)
{
	if (!strcmp(op, "krealloc"))
		*p = kmalloc(m, size, GFP_KERNEL);
}

static void h_realloc_zero(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (!strcmp(op, "krealloc"))
		((unsigned char *)*p)[64] = 1;	/* the first byte past the old ksize */
}

static void h_merge_dma(struct machine *m, const char *op, void **p, size_t size)
{
	(void)size;
	if (nth(op, "kmem_cache_create", 1))
		*p = kmalloc_slab(m, 64, __GFP_DMA);
}

static void h_create_unfit(struct machine *m, const char *op, void **p, size_t size)
{
	(void)size;
	if (!strcmp(op, "kmem_cache_create") && !*p)
		*p = kmem_cache_create(m, "unfit", 4000, 0, SLAB_NO_MERGE, NULL);
}

static void h_create_null(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (nth(op, "kmem_cache_create", 2))
		*p = NULL;	/* c1 would merge into c0: no memory needed */
}

static void h_create_null_first(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (nth(op, "kmem_cache_create", 1))
		*p = NULL;	/* a new cache (no merge) refused with memory free */
}

static void h_create_refused(struct machine *m, const char *op, void **p, size_t size)
{
	(void)size;
	if (!strcmp(op, "kmem_cache_create") && !*p)
		*p = kmem_cache_create(m, "other", 64, 0, SLAB_NO_MERGE, NULL);
}

static void h_objs_per_slab(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (!strcmp(op, "kmem_cache_create") && *p)
		((struct kmem_cache *)*p)->objects--;
}

/* A cache's batch count off the defaults behind the harness's back. */
static void h_batch(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (!strcmp(op, "kmem_cache_create") && *p)
		((struct kmem_cache *)*p)->batchcount = 1;
}

/* The created cache (merged into kmalloc-64) stops merging behind the
 * harness's back: its directory becomes its name, not ":0000064". */
static void h_no_merge(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (!strcmp(op, "kmem_cache_create") && *p)
		((struct kmem_cache *)*p)->flags |= SLAB_NO_MERGE;
}

/* A destroy that leaves the name behind: cache0 registered again, as an
 * alias of kmem_cache_node. */
static int r_name_left(struct machine *m, const char *op, int ret)
{
	if (!strcmp(op, "kmem_cache_destroy"))
		(void)sysfs_slab_alias(m, m->slab->kmem_cache_node, "cache0");
	return ret;
}

/* The 13th remote free of cache0's node-0 objects from cpu1 (the alien
 * buffer full by then) loses what node 0's shared queue holds after it. */
static int r_shared_lost(struct machine *m, const char *op, int ret)
{
	struct list_head *pos;

	if (strcmp(op, "kmem_cache_free") || ++calls != 13)
		return ret;
	list_for_each(pos, &m->slab->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if (!strcmp(s->name, "cache0") && get_node(s, 0)->shared)
			get_node(s, 0)->shared->avail = 0;
	}
	return ret;
}

/* kmem_cache_node's object size said 8 bytes larger than documented. */
static void h_node_size(struct machine *m, const char *op, void **p, size_t size)
{
	(void)p;
	(void)size;
	if (!strcmp(op, "kmem_cache_create"))
		m->slab->kmem_cache_node->object_size = m->slab->node_size + 8;
}

static int r_flip(struct machine *m, const char *op, int ret)
{
	(void)m;
	(void)op;
	return ret ? 0 : -EINVAL;
}

/* A tune that passes SP_SLAB_RESIZE once more than once per cpu. */
static int r_resize_again(struct machine *m, const char *op, int ret)
{
	if (!strcmp(op, "kmem_cache_tune"))
		sched_point(m, SP_SLAB_RESIZE);
	return ret;
}

/* The slab shrinker unregistered behind the harness's back (at the first
 * object): reclaim then keeps the free slabs. */
static void h_no_shrinker(struct machine *m, const char *op, void **p, size_t size)
{
	(void)p;
	(void)size;
	if (nth(op, "kmem_cache_alloc", 1))
		unregister_shrinker(m, &m->slab->shrinker);
}

/* Appends fmt (one %u: the line's number) for 0..n-1 to buf at len. */
static size_t append_lines(char *buf, size_t size, size_t len, const char *fmt, unsigned int n)
{
	for (unsigned int i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, fmt, i);
	return len;
}

/*
 * Free slabs when memory runs out (corpus/fuzz_slab/pressure.txt's
 * scenario): 40 objects of 4000 bytes in ten slabs, page blocks taken
 * largest first, the objects given back (a queue of 32: free slabs stay),
 * then a kmalloc of 8192 bytes needs a new slab and reclaim.
 */
static char pressure[8192];

static void pressure_program(void)
{
	static const unsigned int orders[] = { 8, 8, 8, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 2,
					       1, 1, 1, 0, 0, 0, 0, 0, 0, 7, 6, 5, 4, 3, 3, 2,
					       2, 1, 1, 0, 0, 0, 0 };
	size_t n = sizeof(orders) / sizeof(orders[0]), len;

	len = (size_t)snprintf(pressure, sizeof(pressure), "%s",
			       MACHINE1 "c0 = kmem_cache_create cache0 size=4000 align=0 flags=0x4\n"
					"kmem_cache_tune c0 limit=32 batch=16 shared=0\n");
	len = append_lines(pressure, sizeof(pressure), len,
			   "o%u = kmem_cache_alloc c0 GFP_KERNEL any\n", 40);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(pressure + len, sizeof(pressure) - len,
					"p%zu = alloc_pages GFP_KERNEL order=%u\n", i, orders[i]);
	len = append_lines(pressure, sizeof(pressure), len, "kmem_cache_free o%u\n", 40);
	len += (size_t)snprintf(pressure + len, sizeof(pressure) - len,
				"o40 = kmalloc size=8192 GFP_KERNEL any\n");
	if (len >= sizeof(pressure)) {
		fprintf(stderr, "pressure program truncated\n");
		exit(2);
	}
}

/* alien: a core that leaves node0's objects out of the count. */
static int r_alien_lost(struct machine *m, const char *op, int ret)
{
	(void)m;
	return strcmp(op, "alien") ? ret : 0;
}

/* A node that keeps one batch more than SLAB's free limit (set behind the
 * harness's back at the first object). */
static void h_free_limit_up(struct machine *m, const char *op, void **p, size_t size)
{
	struct kmem_cache *s;

	(void)size;
	if (nth(op, "kmem_cache_alloc", 1) && (s = virt_to_slab(m, *p, NULL)))
		get_node(s, 0)->free_limit += s->batchcount;
}

/* A remote free that skips the alien buffer: node1's buffer for node0
 * taken away at the first object (the free then goes straight back to
 * node0's slab). */
static void h_alien_gone(struct machine *m, const char *op, void **p, size_t size)
{
	struct kmem_cache_node *n;
	struct kmem_cache *s;

	(void)size;
	if (!nth(op, "kmem_cache_alloc", 1) || !(s = virt_to_slab(m, *p, NULL)))
		return;
	n = get_node(s, 1);
	spin_lock_destroy(&n->alien[0]->lock);
	host_free(m->arena, n->alien[0]->ac);
	host_free(m->arena, n->alien[0]);
	n->alien[0] = NULL;
}

/* SLAB's free limit (corpus/fuzz_slab/free_limit.txt's scenario on one
 * cpu): 48 objects of 1000 bytes, four to a slab, given back through a
 * queue of 8 flushing 4. */
static char free_limit[4096];

static void free_limit_program(void)
{
	size_t len;

	len = (size_t)snprintf(free_limit, sizeof(free_limit), "%s",
			       MACHINE1 "c0 = kmem_cache_create cache0 size=1000 align=0 flags=0x4\n"
					"kmem_cache_tune c0 limit=8 batch=4 shared=0\n");
	len = append_lines(free_limit, sizeof(free_limit), len,
			   "o%u = kmem_cache_alloc c0 GFP_KERNEL any\n", 48);
	len = append_lines(free_limit, sizeof(free_limit), len, "kmem_cache_free o%u\n", 48);
	if (len >= sizeof(free_limit)) {
		fprintf(stderr, "free_limit program truncated\n");
		exit(2);
	}
}

static void h_leak(struct machine *m, const char *op, void **p, size_t size)
{
	(void)p;
	if (!strcmp(op, "kmalloc"))
		(void)kmalloc(m, size, GFP_KERNEL);	/* an object nobody holds */
}

static void h_phantom_slab(struct machine *m, const char *op, void **p, size_t size)
{
	struct kmem_cache *s;

	(void)size;
	if (strcmp(op, "kmalloc") || !(s = virt_to_slab(m, *p, NULL)))
		return;
	s->node[0]->nr_free++;	/* a counted slab that is on no list */
}

static void h_null(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (!strcmp(op, "kmem_cache_alloc"))
		*p = NULL;	/* the object is leaked: the run stops at the oracle */
}

/* The new object's right red zone (its first byte) overwritten. */
static void h_redzone(struct machine *m, const char *op, void **p, size_t size)
{
	struct kmem_cache *s;
	char *rz;

	if (strcmp(op, "kmem_cache_alloc") || !(s = virt_to_slab(m, *p, NULL)))
		return;
	rz = (char *)*p + s->object_size;
	kasan_unpoison(rz, 1);
	*rz = 0;
	kasan_poison(rz, 1);
	(void)size;
}

/* The alloc track of a new cache object, unpoisoned (NULL: none). */
static struct track *alloc_track(struct machine *m, const char *op, void *p)
{
	struct kmem_cache *s = virt_to_slab(m, p, NULL);
	struct track *t;

	if (strcmp(op, "kmem_cache_alloc") || !s || !s->track_offset)
		return NULL;
	t = (struct track *)((char *)p - s->red_left_pad + s->track_offset);
	kasan_unpoison(t, sizeof(*t));
	return t;
}

/* The alloc track names the harness function that called the wrapper
 * (what __builtin_return_address(1) would record). */
static void h_track_caller(struct machine *m, const char *op, void **p, size_t size)
{
	struct track *t = alloc_track(m, op, *p);

	(void)size;
	if (t)
		t->caller = (uintptr_t)__builtin_return_address(0);
}

/* The first tracked event numbered 0 (a sequence counter off by one). */
static void h_track_seq(struct machine *m, const char *op, void **p, size_t size)
{
	struct track *t = alloc_track(m, op, *p);

	(void)size;
	if (t)
		t->seq--;
}

/* The second tracked event numbered as if one more had come between. */
static void h_track_gap(struct machine *m, const char *op, void **p, size_t size)
{
	struct track *t = alloc_track(m, op, *p);

	(void)size;
	if (t && ++calls == 2)
		t->seq++;
}

/* The cache renamed behind the harness's back: its object reports name
 * another cache. */
static void h_rename(struct machine *m, const char *op, void **p, size_t size)
{
	(void)m;
	(void)size;
	if (!strcmp(op, "kmem_cache_create") && *p)
		snprintf(((struct kmem_cache *)*p)->name, SLAB_NAME_MAX, "renamed");
}

/* The slab's head page says another zone: a report's zone field. */
static void h_slab_zone(struct machine *m, const char *op, void **p, size_t size)
{
	struct page *head;

	(void)size;
	if (nth(op, "kmem_cache_alloc", 1) && virt_to_slab(m, *p, &head))
		head->zone = head->zone == ZONE_DMA ? ZONE_NORMAL : ZONE_DMA;
}

/* A slab page the shutdown of the slab layer kept. */
static void a_keep_page(struct machine *m)
{
	(void)alloc_pages(m, GFP_KERNEL, 0);
}

static int r_boot_ok(struct machine *m, int ret, void *arg)
{
	(void)m;
	(void)ret;
	(void)arg;
	return 0;	/* a failed boot reported as done */
}

struct oracle_case {
	const char *name;
	const char *program;
	void (*hook)(struct machine *m, const char *op, void **p, size_t size);
	const char *title;
	int (*ret_hook)(struct machine *m, const char *op, int ret);
	int (*boot_hook)(struct machine *m, int ret, void *arg);
	void (*release_hook)(struct machine *m);
};

static const struct oracle_case cases[] = {
	{ "pattern_whole_ksize",
	  MACHINE1 "o0 = kmalloc size=5000 GFP_KERNEL any\n"
		   "o1 = kmalloc size=8 GFP_KERNEL any\n"
		   "check\n",
	  h_tail, "HARNESS: slab object contents changed while allocated", NULL, NULL, NULL },
	{ "ksize_exact", MACHINE1 "o0 = kmalloc size=100 GFP_KERNEL any\n", h_ksize,
	  "HARNESS: ksize differs from the shadow", NULL, NULL, NULL },
	{ "object_start", MACHINE1 "o0 = kmalloc size=72 GFP_KERNEL any\n", h_plus8,
	  "HARNESS: slab object not at an object start", NULL, NULL, NULL },
	{ "management_area", MACHINE1 "o0 = kmalloc size=72 GFP_KERNEL any\n", h_mgmt,
	  "HARNESS: slab object inside the slab's management area", NULL, NULL, NULL },
	{ "another_cache",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=64 align=0 flags=0x4\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  h_other_cache, "HARNESS: slab object from another cache", NULL, NULL, NULL },
	{ "slab_order", MACHINE1 "o0 = kmalloc size=8000 GFP_KERNEL any\n", h_order,
	  "HARNESS: slab order differs from the shadow", NULL, NULL, NULL },
	{ "natural_alignment", MACHINE1 "o0 = kmalloc size=64 GFP_KERNEL any\n", h_plus8,
	  "HARNESS: kmalloc object not naturally aligned", NULL, NULL, NULL },
	{ "requested_alignment",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=40 align=64 flags=0x4\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  h_plus8, "HARNESS: slab object misaligned", NULL, NULL, NULL },
	{ "hwcache_alignment",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=40 align=0 flags=0x5\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  h_plus8, "HARNESS: SLAB_HWCACHE_ALIGN object not aligned", NULL, NULL, NULL },
	{ "thisnode", MACHINE2 "o0 = kmalloc size=64 GFP_KERNEL|__GFP_THISNODE node1\n", h_node0,
	  "HARNESS: __GFP_THISNODE slab object from another node", NULL, NULL, NULL },
	{ "krealloc_dma",
	  MACHINE1 "o0 = kmalloc size=64 GFP_KERNEL any\n"
		   "o1 = krealloc o0 size=200 GFP_KERNEL|__GFP_DMA\n",
	  h_not_dma, "HARNESS: DMA slab object outside ZONE_DMA", NULL, NULL, NULL },
	{ "krealloc_zero",
	  MACHINE1 "o0 = kmalloc size=50 GFP_KERNEL any\n"
		   "o1 = krealloc o0 size=200 GFP_KERNEL|__GFP_ZERO\n",
	  h_realloc_zero, "HARNESS: zeroed slab object not zeroed", NULL, NULL, NULL },
	{ "merge_incompatible", MACHINE1 "c0 = kmem_cache_create cache0 size=64 align=0 flags=0\n",
	  h_merge_dma, "HARNESS: cache merged into an incompatible cache", NULL, NULL, NULL },
	{ "create_unfit",
	  "slabfuzz-program 2\n"
	  "machine nodes=1 cpus=1 boot=cpu0 max_order=1 section_shift=9 vmemmap_block=1 "
	  "memmap_together=0 debug=0 slab_debug=none\n"
	  "cpu_nodes node0\n"
	  "range node0 0x0-0x400\n"
	  "zones dma=0x100 dma32=0x200 movable=none\n"
	  "c0 = kmem_cache_create cache0 size=4096 align=0 flags=0\n",
	  h_create_unfit, "HARNESS: kmem_cache_create result differs from the shadow", NULL, NULL, NULL },
	{ "create_null_with_merge",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0\n"
		   "c1 = kmem_cache_create cache1 size=100 align=0 flags=0\n",
	  h_create_null, "HARNESS: kmem_cache_create result differs from the shadow", NULL, NULL, NULL },
	{ "create_null_no_merge",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=1 flags=0x4\n",
	  h_create_null_first, "HARNESS: kmem_cache_create result differs from the shadow", NULL,
	  NULL, NULL },
	/* a node without memory needs no structure: the rule still applies */
	{ "create_null_memoryless",
	  MACHINE_MEMLESS "c0 = kmem_cache_create cache0 size=100 align=1 flags=0x4\n",
	  h_create_null_first, "HARNESS: kmem_cache_create result differs from the shadow", NULL,
	  NULL, NULL },
	{ "create_refused_name",
	  MACHINE1 "c0 = kmem_cache_create kmalloc-64 size=100 align=0 flags=0x4\n",
	  h_create_refused, "HARNESS: kmem_cache_create result differs from the shadow", NULL, NULL,
	  NULL },
	{ "attr_objs_per_slab",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "attr_show c0 objs_per_slab\n",
	  h_objs_per_slab, "HARNESS: slab attribute differs from the shadow", NULL, NULL, NULL },
	{ "attr_dir_link",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=64 align=0 flags=0\n"
		   "attr_show c0 object_size\n",
	  h_no_merge, "HARNESS: slab sysfs directory differs from the shadow", NULL, NULL, NULL },
	{ "tune_result",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "kmem_cache_tune c0 limit=32 batch=8 shared=2\n",
	  NULL, "HARNESS: kmem_cache_tune result differs from the shadow", r_flip, NULL, NULL },
	{ "destroyed_name_left",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "kmem_cache_destroy c0\n",
	  NULL, "HARNESS: slab sysfs directory differs from the shadow", r_name_left, NULL, NULL },
	{ "alien_flush_shared", MACHINE2 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "kmem_cache_tune c0 limit=4 batch=2 shared=8\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o1 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o2 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o3 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o4 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o5 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o6 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o7 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o8 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o9 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o10 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o11 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "o12 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "cpu cpu1\n"
		   "kmem_cache_free o0\n"
		   "kmem_cache_free o1\n"
		   "kmem_cache_free o2\n"
		   "kmem_cache_free o3\n"
		   "kmem_cache_free o4\n"
		   "kmem_cache_free o5\n"
		   "kmem_cache_free o6\n"
		   "kmem_cache_free o7\n"
		   "kmem_cache_free o8\n"
		   "kmem_cache_free o9\n"
		   "kmem_cache_free o10\n"
		   "kmem_cache_free o11\n"
		   "kmem_cache_free o12\n",
	  NULL, "HARNESS: alien flush did not fill the shared queue first", r_shared_lost, NULL,
	  NULL },
	{ "node_struct_size",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n",
	  h_node_size, "HARNESS: slab attribute differs from the shadow", NULL, NULL, NULL },
	{ "tune_sched_points",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "kmem_cache_tune c0 limit=32 batch=8 shared=2\n",
	  NULL, "HARNESS: slab call passed its sched point a wrong number of times", r_resize_again,
	  NULL, NULL },
	{ "attr_store_result",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "attr_store c0 batch val=4\n",
	  NULL, "HARNESS: slab attribute store differs from the shadow", r_flip, NULL, NULL },
	{ "attr_alien",
	  MACHINE2 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "cpu cpu1\n"
		   "kmem_cache_free o0\n"
		   "attr_show c0 alien\n",
	  NULL, "HARNESS: slab attribute differs from the shadow", r_alien_lost, NULL, NULL },
	{ "reclaim_keeps_free_slabs", pressure, h_no_shrinker,
	  "HARNESS: free slabs kept through reclaim", NULL, NULL, NULL },
	{ "free_limit", free_limit, h_free_limit_up,
	  "HARNESS: node keeps free slabs above its free limit", NULL, NULL, NULL },
	{ "alien_skipped",
	  MACHINE2 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL node0\n"
		   "cpu cpu1\n"
		   "kmem_cache_free o0\n",
	  h_alien_gone, "HARNESS: remote free not in the alien buffer", NULL, NULL, NULL },
	{ "end_unaccounted", MACHINE1 "o0 = kmalloc size=64 GFP_KERNEL any\n", h_leak,
	  "HARNESS: slab objects unaccounted at the end of the run", NULL, NULL, NULL },
	{ "end_not_empty", MACHINE1 "o0 = kmalloc size=64 GFP_KERNEL any\n", h_phantom_slab,
	  "HARNESS: slab cache not empty after freeing everything", NULL, NULL, NULL },
	{ "release_keeps_page",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=200 align=0 flags=0\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  NULL, "HARNESS: pages still allocated after slab_release", NULL, NULL, a_keep_page },
	{ "alloc_failed_with_memory",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=3000 align=0 flags=0x4\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  h_null, "HARNESS: slab allocation failed with free memory", NULL, NULL, NULL },
	{ "preferred_node",
	  MACHINE2 "o0 = kmalloc size=64 GFP_KERNEL node1\n", h_node0,
	  "HARNESS: slab object from another node while the preferred node has free memory", NULL, NULL,
	  NULL },
	/* No node asked: cpu0's node0 has memory, so the object is node0's. */
	{ "local_node",
	  MACHINE2 "o0 = kmalloc size=64 GFP_KERNEL any\n", h_node1,
	  "HARNESS: slab object from another node while the preferred node has free memory", NULL, NULL,
	  NULL },
	{ "slabinfo_geometry",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "dump slabinfo\n",
	  h_objs_per_slab, "HARNESS: slabinfo differs from the shadow", NULL, NULL, NULL },
	{ "slabinfo_tunables",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n"
		   "dump slabinfo\n",
	  h_batch, "HARNESS: slabinfo differs from the shadow", NULL, NULL, NULL },
	{ "redzone",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=97 align=0 flags=0x10\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  h_redzone, "HARNESS: slab red zone differs from the shadow", NULL, NULL, NULL },
	{ "track_caller",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=97 align=0 flags=0x20\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  h_track_caller, "HARNESS: slab alloc track differs from the shadow", NULL, NULL, NULL },
	{ "track_seq",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=97 align=0 flags=0x20\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  h_track_seq, "HARNESS: slab alloc track differs from the shadow", NULL, NULL, NULL },
	{ "track_seq_count",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=97 align=0 flags=0x20\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n"
		   "kmem_cache_free o0\n"
		   "o1 = kmem_cache_alloc c0 GFP_KERNEL any\n",
	  h_track_gap, "HARNESS: slab alloc track differs from the shadow", NULL, NULL, NULL },
	{ "object_report_cache",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=97 align=0 flags=0x28\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n"
		   "slab_double_free o0\n",
	  h_rename, "HARNESS: object report differs from the shadow", NULL, NULL, NULL },
	{ "object_report_zone",
	  MACHINE1 "c0 = kmem_cache_create cache0 size=97 align=0 flags=0x28\n"
		   "o0 = kmem_cache_alloc c0 GFP_KERNEL any\n"
		   "o1 = kmem_cache_alloc c0 GFP_KERNEL any\n"
		   "slab_double_free o0\n",
	  h_slab_zone, "HARNESS: object report differs from the shadow", NULL, NULL, NULL },
	{ "slab_not_up",
	  "slabfuzz-program 2\n"
	  "machine nodes=1 cpus=1 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "
	  "memmap_together=0 debug=0 slab_debug=none\n"
	  "cpu_nodes node0\n"
	  "range node0 0x0-0x200\n"
	  "zones dma=0x0 dma32=0x0 movable=0x0\n"	/* no normal memory: no slab */
	  "o0 = kmalloc size=64 GFP_KERNEL any\n",
	  NULL, "HARNESS: slab op skipped: the slab layer is not up", NULL, r_boot_ok, NULL },
};

struct child_arg {
	const struct oracle_case *c;
	const struct sf_program *prog;
	bool hooked;
};

static void child_case(void *arg)
{
	const struct child_arg *a = arg;
	const struct oracle_case *c = a->c;
	struct sf_run_opts o;

	memset(&o, 0, sizeof(o));
	o.test_slab_result = a->hooked ? c->hook : NULL;
	o.test_slab_ret = a->hooked ? c->ret_hook : NULL;
	o.test_boot_result = a->hooked ? c->boot_hook : NULL;
	o.test_after_release = a->hooked ? c->release_hook : NULL;
	sf_run_program(sf_target_find("fuzz_slab"), a->prog, &o);
}

/* Runs c in a child; returns the first "slabfuzz: " line of its stderr
 * (or "") and whether it aborted. */
static bool run_case(const struct oracle_case *c, bool hooked, char *title, size_t size,
		     bool *aborted)
{
	static struct sf_program prog;
	struct child_arg child;
	int status;
	char buf[1 << 16];
	char err[256];

	if (sf_prog_parse(c->program, &prog, err, sizeof(err))) {
		fprintf(stderr, "%s: program does not parse: %s\n", c->name, err);
		return false;
	}
	child.c = c;
	child.prog = &prog;
	child.hooked = hooked;
	status = test_child_run(child_case, &child, false, buf, sizeof(buf));
	if (status < 0)
		return false;
	*aborted = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
	title[0] = '\0';
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, "slabfuzz: ", 10)) {
			size_t k = strcspn(l + 10, "\n");

			snprintf(title, size, "%.*s", (int)k, l + 10);
			break;
		}
	}
	if (!*aborted && WIFEXITED(status) && WEXITSTATUS(status)) {
		fprintf(stderr, "%s: child exited %d\n%s", c->name, WEXITSTATUS(status), buf);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	int failed = 0, ran = 0;

	pressure_program();
	free_limit_program();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct oracle_case *c = &cases[i];
		char title[256];
		bool aborted;

		if (argc > 1 && strcmp(argv[1], c->name))
			continue;
		ran++;
		calls = 0;
		first = NULL;
		if (!run_case(c, false, title, sizeof(title), &aborted) || aborted) {
			fprintf(stderr, "FAIL %s: not clean without the hook (%s)\n", c->name, title);
			failed++;
			continue;
		}
		if (!run_case(c, true, title, sizeof(title), &aborted) || !aborted ||
		    strcmp(title, c->title)) {
			fprintf(stderr, "FAIL %s: expected abort with '%s', got %s'%s'\n", c->name,
				c->title, aborted ? "abort with " : "no abort, ", title);
			failed++;
			continue;
		}
		printf("ok %s: %s\n", c->name, title);
	}
	if (!ran) {
		fprintf(stderr, "no case named %s\n", argc > 1 ? argv[1] : "?");
		return 2;
	}
	printf("%d of %d cases failed\n", failed, ran);
	return failed != 0;
}
