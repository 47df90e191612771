/* SPDX-License-Identifier: MIT */
/*
 * stress_pcpu: the slab allocator's per-cpu queues under real threads.
 *
 * Workers, each bound to a simulated cpu, allocate and free objects of
 * random sizes from kmalloc (small, large, DMA, on a chosen node, zeroed) and
 * from custom caches (mergeable, SLAB_NO_MERGE, cache-line aligned, with a
 * constructor, with debugging on). Objects are handed to other workers so
 * that frees land on other cpus and, across nodes, in the alien caches. A
 * tuner thread on a cpu of its own resizes the queue size, batch and shared
 * factor of random caches, shrinks them, validates them and reads their
 * attributes, by pointer and by name.
 *
 * Every object is filled with a cookie naming its owner (worker, sequence
 * number) on allocation and checked when it is freed, so an object handed
 * out twice is caught. At the end every object is freed, the custom caches
 * are destroyed (a "Objects remaining" report fails the run), and after a
 * shrink of every cache and a drain the page counters must equal their
 * post-boot values; check_machine() must hold and no BUG or WARNING may
 * have been reported.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stress.h"

#define KMALLOC_CACHE (-1)

/* A live object as its owner sees it; also the item handed between workers. */
struct sobj {
	void *p;
	uint64_t cookie;	/* stress_cookie(owner, seq) */
	uint32_t size;		/* bytes asked for: the cookie covers these */
	int16_t cache;		/* index in pcpu_ctx.caches, or KMALLOC_CACHE */
	uint16_t owner;		/* worker that allocated it */
};

struct pcpu_stats {
	unsigned long long allocs;
	unsigned long long alloc_fails;
	unsigned long long frees;
	unsigned long long remote_frees;	/* freed by a worker other than the owner */
	unsigned long long handoffs;
	unsigned long long large;		/* kmalloc past KMALLOC_MAX_CACHE_SIZE */
	unsigned long long reallocs;
	unsigned long long tunes;		/* tuner: queue changes accepted */
	unsigned long long tune_rejects;	/* tuner: -EINVAL (values out of range) */
	unsigned long long shrinks;
	unsigned long long attr_reads;
	unsigned long long validates;
};

struct pcpu_thread {
	struct sobj *live;
	unsigned int nr_live;
	unsigned int cap;
	uint64_t seq;
	struct stress_inbox inbox;
	struct pcpu_stats st;		/* written by the owner only */
};

struct custom_cache {
	const char *name;
	size_t size;
	size_t align;
	unsigned int flags;
	kmem_ctor_fn ctor;
	struct kmem_cache *s;
};

struct pcpu_ctx {
	unsigned long long live;	/* --live */
	unsigned long long handoff_pct;	/* --handoff */
	unsigned long long tune_us;	/* --tune-us: tuner pause; 0: no tuner */
	bool no_debug_cache;		/* --no-debug-cache */
	bool kmalloc_only;		/* --kmalloc-only */
	bool no_validate;		/* --no-validate */
	unsigned int nr_nodes;
	struct custom_cache *caches;
	unsigned int nr_caches;
	char **names;			/* every slab directory at the start */
	int nr_names;
	struct pcpu_thread *pt;		/* per worker */
	struct pcpu_stats tuner_st;	/* the tuner's counts */
	struct pcpu_stats end_st;	/* frees by the main thread at the end */
};

#define INBOX_CAP 256
#define RECV_BATCH 32
#define BURST 32
#define LARGE_MAX (4 * KMALLOC_MAX_CACHE_SIZE)

static void ctor_fill(void *object)
{
	memset(object, 0x3c, 64);
}

static const struct custom_cache custom_caches[] = {
	{ "stress-24", 24, 0, 0, NULL, NULL },				/* mergeable */
	{ "stress-100-nomerge", 100, 0, SLAB_NO_MERGE, NULL, NULL },
	{ "stress-512-hwalign", 512, 0, SLAB_HWCACHE_ALIGN, NULL, NULL },
	{ "stress-64-ctor", 64, 0, 0, ctor_fill, NULL },
	{ "stress-192-align64", 192, 64, 0, NULL, NULL },
	{ "stress-200-debug", 200, 0, SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER |
				      SLAB_CONSISTENCY_CHECKS, NULL, NULL },
};
#define NR_CUSTOM (sizeof(custom_caches) / sizeof(custom_caches[0]))

static size_t pick_size(struct stress_thread *t)
{
	if (stress_below(&t->rng, 100) == 0)
		return KMALLOC_MAX_CACHE_SIZE + 1 +
		       stress_below(&t->rng, LARGE_MAX - KMALLOC_MAX_CACHE_SIZE);
	/* Log-uniform over 1..KMALLOC_MAX_CACHE_SIZE: small sizes dominate. */
	return 1 + stress_below(&t->rng, (uint64_t)8 << stress_below(&t->rng, 11));
}

static bool obj_check(struct stress_thread *t, const struct sobj *o, const char *when)
{
	long off = stress_check(o->p, o->size, o->cookie);

	if (off < 0)
		return true;
	stress_fail(t->run, "worker %u: %s: cookie of object %p (%u bytes, %s, owner %u) broken at "
		    "offset %ld: the object was handed out twice or written by someone else",
		    t->id, when, o->p, o->size,
		    o->cache == KMALLOC_CACHE ? "kmalloc" :
		    ((struct pcpu_ctx *)t->run->priv)->caches[o->cache].name, o->owner, off);
	return false;
}

static bool obj_check_new(struct stress_thread *t, const struct sobj *o, gfp_t gfp,
			  size_t align)
{
	struct machine *m = t->run->m;

	if (align && ((uintptr_t)o->p & (align - 1))) {
		stress_fail(t->run, "worker %u: object %p not aligned to %zu", t->id, o->p, align);
		return false;
	}
	if (o->cache == KMALLOC_CACHE && ksize(m, o->p) < o->size) {
		stress_fail(t->run, "worker %u: ksize(%p) %zu < %u asked for", t->id, o->p,
			    ksize(m, o->p), o->size);
		return false;
	}
	if (gfp & __GFP_DMA) {
		struct page *page = virt_to_page(m, o->p);

		if (!page || page_zonenum(m, page) != ZONE_DMA) {
			stress_fail(t->run, "worker %u: GFP_DMA kmalloc(%u) %p not in ZONE_DMA",
				    t->id, o->size, o->p);
			return false;
		}
	}
	if (gfp & __GFP_ZERO) {
		const unsigned char *b = o->p;

		for (size_t i = 0; i < o->size; i++) {
			if (b[i]) {
				stress_fail(t->run, "worker %u: kzalloc(%u) %p byte %zu is %#x",
					    t->id, o->size, o->p, i, b[i]);
				return false;
			}
		}
	}
	return true;
}

static void do_alloc(struct stress_thread *t, struct pcpu_ctx *c, struct pcpu_thread *pt)
{
	struct machine *m = t->run->m;
	gfp_t gfp = stress_below(&t->rng, 5) ? GFP_KERNEL : GFP_ATOMIC;
	int nid = stress_below(&t->rng, 10) ? SF_NO_NODE : (int)stress_below(&t->rng, c->nr_nodes);
	struct sobj o = { 0 };
	size_t align = 0;

	if (c->kmalloc_only || stress_below(&t->rng, 10) < 6) {
		uint64_t r = stress_below(&t->rng, 100);

		o.size = (uint32_t)pick_size(t);
		o.cache = KMALLOC_CACHE;
		if (r < 5)
			gfp |= __GFP_ZERO;
		else if (r < 7 && o.size <= KMALLOC_MAX_CACHE_SIZE)
			gfp |= __GFP_DMA;
		o.p = nid == SF_NO_NODE ? kmalloc(m, o.size, gfp) : kmalloc_node(m, o.size, gfp, nid);
		if (o.p && o.size > KMALLOC_MAX_CACHE_SIZE)
			pt->st.large++;
		align = o.size >= 8 ? 8 : 0;
	} else {
		struct custom_cache *cc = &c->caches[stress_below(&t->rng, c->nr_caches)];

		o.cache = (int16_t)(cc - c->caches);
		o.size = (uint32_t)cc->size;
		o.p = nid == SF_NO_NODE ? kmem_cache_alloc(m, cc->s, gfp) :
					  kmem_cache_alloc_node(m, cc->s, gfp, nid);
		align = cc->align;
	}
	if (!o.p) {
		pt->st.alloc_fails++;
		return;
	}
	o.owner = (uint16_t)t->id;
	o.cookie = stress_cookie(t->id, ++pt->seq);
	pt->st.allocs++;
	if (!obj_check_new(t, &o, gfp, align))
		return;		/* leaked on purpose: the run has failed */
	stress_fill(o.p, o.size, o.cookie);
	pt->live[pt->nr_live++] = o;
}

static void free_obj(struct stress_thread *t, struct pcpu_stats *st, const struct sobj *o)
{
	struct machine *m = t->run->m;
	struct pcpu_ctx *c = t->run->priv;

	if (!obj_check(t, o, "free"))
		return;
	/* Scribble over the cookie so that a stale second copy cannot pass. */
	memset(o->p, 0x5a, o->size < 8 ? o->size : 8);
	if (o->cache == KMALLOC_CACHE)
		kfree(m, o->p);
	else
		kmem_cache_free(m, c->caches[o->cache].s, o->p);
	st->frees++;
	if (o->owner != t->id)
		st->remote_frees++;
}

static struct sobj take_random(struct stress_thread *t, struct pcpu_thread *pt)
{
	unsigned int i = (unsigned int)stress_below(&t->rng, pt->nr_live);
	struct sobj o = pt->live[i];

	pt->live[i] = pt->live[--pt->nr_live];
	return o;
}

static void free_random(struct stress_thread *t, struct pcpu_thread *pt)
{
	struct sobj o = take_random(t, pt);

	free_obj(t, &pt->st, &o);
}

/* krealloc a kmalloc object: the old cookie must survive the move. */
static void do_realloc(struct stress_thread *t, struct pcpu_thread *pt)
{
	struct machine *m = t->run->m;
	unsigned int i = (unsigned int)stress_below(&t->rng, pt->nr_live);
	struct sobj *o = &pt->live[i];
	uint32_t new_size = (uint32_t)(1 + stress_below(&t->rng, 2 * o->size + 64));
	void *p;

	if (o->cache != KMALLOC_CACHE || !obj_check(t, o, "krealloc"))
		return;
	p = krealloc(m, o->p, new_size, GFP_KERNEL);
	if (!p) {
		pt->st.alloc_fails++;
		return;
	}
	pt->st.reallocs++;
	/* The first min(old, new) bytes are kept: all of the fill when growing. */
	if (new_size >= o->size ? stress_check(p, o->size, o->cookie) >= 0
				: memcmp(p, &o->cookie, new_size < 8 ? new_size : 8) != 0) {
		stress_fail(t->run, "worker %u: krealloc(%p, %u -> %u) lost the contents", t->id,
			    o->p, o->size, new_size);
		return;
	}
	o->p = p;
	o->size = new_size;
	o->cookie = stress_cookie(t->id, ++pt->seq);
	o->owner = (uint16_t)t->id;
	stress_fill(o->p, o->size, o->cookie);
}

static void do_handoff(struct stress_thread *t, struct pcpu_ctx *c, struct pcpu_thread *pt)
{
	unsigned int to = (unsigned int)stress_below(&t->rng, t->run->nr_workers - 1);
	struct sobj o = take_random(t, pt);

	if (to >= t->id)
		to++;
	if (stress_inbox_push(&c->pt[to].inbox, &o)) {
		pt->st.handoffs++;
		return;
	}
	free_obj(t, &pt->st, &o);
}

static void receive(struct stress_thread *t, struct pcpu_thread *pt)
{
	struct sobj in[RECV_BATCH];
	unsigned int n = stress_inbox_pop(&pt->inbox, in, RECV_BATCH);

	for (unsigned int i = 0; i < n; i++) {
		if (!obj_check(t, &in[i], "hand-off"))
			return;
		if (pt->nr_live < pt->cap && stress_below(&t->rng, 2))
			pt->live[pt->nr_live++] = in[i];
		else
			free_obj(t, &pt->st, &in[i]);
	}
}

/*
 * Out of 1000: alloc 480, krealloc 10, hand-off 10 * --handoff, free the rest
 * (an alloc with a full set frees; a free with an empty set allocates).
 */
static void one_op(struct stress_thread *t, struct pcpu_ctx *c, struct pcpu_thread *pt)
{
	uint64_t r = stress_below(&t->rng, 1000);
	uint64_t handoff = t->run->nr_workers > 1 ? c->handoff_pct * 10 : 0;

	if (r < 480 || pt->nr_live == 0) {
		if (pt->nr_live < pt->cap)
			do_alloc(t, c, pt);
		else
			free_random(t, pt);
	} else if (r < 490) {
		do_realloc(t, pt);
	} else if (r < 490 + handoff) {
		do_handoff(t, c, pt);
	} else {
		free_random(t, pt);
	}
}

static void worker(struct stress_thread *t)
{
	struct pcpu_ctx *c = t->run->priv;
	struct pcpu_thread *pt = &c->pt[t->id];
	bool more = true;

	while (more && !stress_stopping(t)) {
		stress_cpu_enter(t);
		receive(t, pt);
		for (int i = 0; i < BURST && more; i++) {
			one_op(t, c, pt);
			more = stress_op_done(t);
		}
		stress_cpu_leave(t);
	}
	stress_cpu_enter(t);
	receive(t, pt);
	while (pt->nr_live && !stress_failed(t->run))
		free_random(t, pt);
	stress_cpu_leave(t);
}

/* ---- the tuner ---- */

static const char *const tunables[] = { "cpu_queue_size", "batch", "shared" };
static const char *const readable[] = {
	"object_size", "slab_size", "objs_per_slab", "order", "objects", "total_objects",
	"slabs", "partial", "cpu_queue_size", "batch", "shared", "alien", "aliases", "align",
	"cache_dma", "sanity_checks", "red_zone", "poison", "store_user",
};

static void tuner_count(struct pcpu_stats *st, int ret)
{
	if (!ret)
		st->tunes++;
	else if (ret == -EINVAL)
		st->tune_rejects++;
}

static void tuner_op(struct stress_thread *t, struct pcpu_ctx *c)
{
	struct machine *m = t->run->m;
	struct pcpu_stats *st = &c->tuner_st;
	const char *name = c->names[stress_below(&t->rng, (uint64_t)c->nr_names)];
	uint64_t r = stress_below(&t->rng, 100);
	char buf[64];

	if (r < 30) {
		struct custom_cache *cc = &c->caches[stress_below(&t->rng, c->nr_caches)];
		unsigned int limit = 1 + (unsigned int)stress_below(&t->rng, 256);
		unsigned int batch = 1 + (unsigned int)stress_below(&t->rng, limit);

		if (batch > SLAB_BATCH_MAX)
			batch = SLAB_BATCH_MAX;
		tuner_count(st, kmem_cache_tune(m, cc->s, limit, batch,
						(unsigned int)stress_below(&t->rng, 5)));
	} else if (r < 55) {
		const char *attr = tunables[stress_below(&t->rng, 3)];

		snprintf(buf, sizeof(buf), "%u", (unsigned int)stress_below(&t->rng, 200));
		tuner_count(st, slab_attr_store(m, name, attr, buf));
	} else if (r < 65) {
		if (stress_below(&t->rng, 2))
			kmem_cache_shrink(m, c->caches[stress_below(&t->rng, c->nr_caches)].s);
		else
			slab_attr_store(m, name, "shrink", "1");
		st->shrinks++;
	} else if (r < 67) {
		if (!c->no_validate) {
			slab_attr_store(m, name, "validate", "1");
			st->validates++;
		}
	} else {
		const char *attr = readable[stress_below(&t->rng, sizeof(readable) / sizeof(readable[0]))];

		if (slab_attr_show(m, name, attr, buf, sizeof(buf)) < 0)
			stress_fail(t->run, "tuner: slab_attr_show(%s, %s) failed for a live cache",
				    name, attr);
		st->attr_reads++;
	}
}

static void tuner(struct stress_thread *t)
{
	struct pcpu_ctx *c = t->run->priv;
	struct timespec pause = { 0, (long)(c->tune_us * 1000) };

	while (!stress_stopping(t)) {
		tuner_op(t, c);
		stress_op_done(t);
		if (c->tune_us)
			nanosleep(&pause, NULL);
	}
}

/* ---- setup and accounting ---- */

static int create_caches(struct stress_run *run, struct pcpu_ctx *c)
{
	c->caches = calloc(NR_CUSTOM, sizeof(*c->caches));
	if (!c->caches)
		return -1;
	cpu_bind(run->m, 0);
	for (unsigned int i = 0; i < NR_CUSTOM; i++) {
		if (c->no_debug_cache && (custom_caches[i].flags & SLAB_DEBUG_FLAGS))
			continue;
		c->caches[c->nr_caches] = custom_caches[i];
		c->caches[c->nr_caches].s = kmem_cache_create(run->m, custom_caches[i].name,
							       custom_caches[i].size,
							       custom_caches[i].align,
							       custom_caches[i].flags,
							       custom_caches[i].ctor);
		if (!c->caches[c->nr_caches].s) {
			fprintf(stderr, "stress_pcpu: kmem_cache_create(%s) failed\n",
				custom_caches[i].name);
			cpu_bind(run->m, -1);
			return -1;
		}
		c->nr_caches++;
	}
	cpu_bind(run->m, -1);
	c->nr_names = stress_slab_names(run->m, &c->names);
	return c->nr_names > 0 ? 0 : -1;
}

static void destroy_caches(struct stress_run *run, struct pcpu_ctx *c)
{
	cpu_bind(run->m, 0);
	for (unsigned int i = 0; i < c->nr_caches; i++)
		kmem_cache_destroy(run->m, c->caches[i].s);
	cpu_bind(run->m, -1);
}

static void free_leftovers(struct stress_run *run, struct pcpu_ctx *c)
{
	struct stress_thread main_thread;
	struct sobj in[RECV_BATCH];

	memset(&main_thread, 0, sizeof(main_thread));
	main_thread.run = run;
	main_thread.id = run->nr_workers + run->nr_helpers;
	cpu_bind(run->m, 0);
	for (unsigned int w = 0; w < run->nr_workers; w++) {
		unsigned int n;

		while ((n = stress_inbox_pop(&c->pt[w].inbox, in, RECV_BATCH)))
			for (unsigned int i = 0; i < n; i++)
				free_obj(&main_thread, &c->end_st, &in[i]);
	}
	cpu_bind(run->m, -1);
}

static void add_stats(struct pcpu_stats *sum, const struct pcpu_stats *s)
{
	sum->allocs += s->allocs;
	sum->alloc_fails += s->alloc_fails;
	sum->frees += s->frees;
	sum->remote_frees += s->remote_frees;
	sum->handoffs += s->handoffs;
	sum->large += s->large;
	sum->reallocs += s->reallocs;
	sum->tunes += s->tunes;
	sum->tune_rejects += s->tune_rejects;
	sum->shrinks += s->shrinks;
	sum->attr_reads += s->attr_reads;
	sum->validates += s->validates;
}

int main(int argc, char **argv)
{
	struct stress_config cfg = {
		.prog = "stress_pcpu",
		.summary =
			"Threads bound to simulated cpus allocate and free kmalloc and custom-cache\n"
			"objects of random sizes, hand objects to each other so that frees land on\n"
			"other cpus and nodes (alien caches), while a tuner thread on a cpu of its own\n"
			"resizes queue size, batch and shared of random caches, shrinks, validates and\n"
			"reads attributes. Objects carry cookies checked at free; at the end every\n"
			"object is back and the page counters equal their post-boot values.\n"
			"Local-free benchmark: --handoff 0 --tune-us 0.",
	};
	struct pcpu_ctx c = { .live = 128, .handoff_pct = 20, .tune_us = 200 };
	bool no_tuner = false;
	const struct stress_opt extra[] = {
		{ "live", STRESS_OPT_UINT, "N", "live objects per thread (default 128, /4 under TSan)",
		  1, 1u << 16, &c.live },
		{ "handoff", STRESS_OPT_UINT, "PCT",
		  "percent of operations that hand an object to another thread (default 20)", 0,
		  50, &c.handoff_pct },
		{ "tune-us", STRESS_OPT_UINT, "US",
		  "tuner pause between operations in microseconds (default 200)", 0, 1000000,
		  &c.tune_us },
		{ "no-tuner", STRESS_OPT_FLAG, NULL, "no tuner thread (local-free benchmark)", 0, 0,
		  &no_tuner },
		{ "no-debug-cache", STRESS_OPT_FLAG, NULL,
		  "leave out the custom cache with red zones, poison and tracking", 0, 0,
		  &c.no_debug_cache },
		{ "no-validate", STRESS_OPT_FLAG, NULL,
		  "the tuner never validates (see docs/stress.md: validate vs debug caches)", 0, 0,
		  &c.no_validate },
		{ "kmalloc-only", STRESS_OPT_FLAG, NULL, "only kmalloc/kfree, no custom caches", 0,
		  0, &c.kmalloc_only },
	};
	struct stress_run run;
	struct pcpu_stats sum = { 0 };
	unsigned long boot_allocated, boot_free, end_allocated, end_free;
	bool live_set = false;
	int ret;

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--live", 6))
			live_set = true;
	ret = stress_parse(&cfg, argc, argv, extra, sizeof(extra) / sizeof(extra[0]));
	if (ret)
		return ret > 0 ? STRESS_EXIT_OK : STRESS_EXIT_USAGE;
	if (!live_set)
		c.live = stress_scaled((unsigned int)c.live);
	if (stress_setup(&run, &cfg, no_tuner ? 0 : 1)) {
		stress_teardown(&run);
		return STRESS_EXIT_FAIL;
	}
	run.priv = &c;
	c.nr_nodes = machine_topology(run.m)->nr_nodes;
	c.pt = calloc(run.nr_workers, sizeof(*c.pt));
	if (!c.pt)
		return STRESS_EXIT_FAIL;
	for (unsigned int w = 0; w < run.nr_workers; w++) {
		c.pt[w].cap = (unsigned int)c.live;
		c.pt[w].live = calloc(c.pt[w].cap, sizeof(struct sobj));
		if (!c.pt[w].live || stress_inbox_init(&c.pt[w].inbox, INBOX_CAP, sizeof(struct sobj)))
			return STRESS_EXIT_FAIL;
	}
	stress_quiesce(run.m);
	boot_allocated = nr_allocated_pages(run.m);
	boot_free = nr_free_pages(run.m);
	if (create_caches(&run, &c)) {
		fprintf(stderr, "stress_pcpu: cannot set up the custom caches\n");
		stress_teardown(&run);
		return STRESS_EXIT_FAIL;
	}
	stress_info(&run, "stress_pcpu: %u threads, %u cpus (+%u tuner), topology %s, seed %#"
		    PRIx64 ", %u live objects per thread, %u custom caches, %d slab names\n",
		    cfg.threads, cfg.cpus, run.nr_helpers, cfg.topology, cfg.seed,
		    (unsigned int)c.live, c.nr_caches, c.nr_names);

	stress_run(&run, worker, tuner);

	free_leftovers(&run, &c);
	for (unsigned int w = 0; w < run.nr_workers; w++)
		add_stats(&sum, &c.pt[w].st);
	add_stats(&sum, &c.end_st);
	add_stats(&sum, &c.tuner_st);
	if (!stress_failed(&run) && sum.allocs != sum.frees)
		stress_fail(&run, "lost objects: %llu allocated, %llu freed", sum.allocs, sum.frees);
	if (!stress_failed(&run)) {
		/* Every object is back: destroy must not find any (a report fails the run). */
		destroy_caches(&run, &c);
		stress_quiesce(run.m);
		end_allocated = nr_allocated_pages(run.m);
		end_free = nr_free_pages(run.m);
		if (!stress_failed(&run) && end_allocated != boot_allocated)
			stress_fail(&run, "nr_allocated_pages %lu after destroy, shrink and drain; "
				    "%lu after boot", end_allocated, boot_allocated);
		else if (!stress_failed(&run) && end_free != boot_free)
			stress_fail(&run, "nr_free_pages %lu after destroy, shrink and drain; %lu "
				    "after boot", end_free, boot_free);
	}
	stress_check_end(&run);
	printf("stress_pcpu: %llu objects allocated and freed (%llu large, %llu krealloc), %llu "
	       "allocation failures, %llu handed off, %llu freed on another thread; tuner: %llu "
	       "queue changes (%llu rejected), %llu shrinks, %llu validates, %llu attribute "
	       "reads\n",
	       sum.allocs, sum.large, sum.reallocs, sum.alloc_fails, sum.handoffs,
	       sum.remote_frees, sum.tunes, sum.tune_rejects, sum.shrinks, sum.validates,
	       sum.attr_reads);
	ret = stress_finish(&run);
	for (unsigned int w = 0; w < run.nr_workers; w++) {
		stress_inbox_destroy(&c.pt[w].inbox);
		free(c.pt[w].live);
	}
	free(c.pt);
	free(c.caches);
	stress_slab_names_free(c.names, c.nr_names);
	stress_teardown(&run);
	return ret;
}
