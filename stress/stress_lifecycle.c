/* SPDX-License-Identifier: MIT */
/*
 * stress_lifecycle: caches created and destroyed while others use them.
 *
 * Workers, each bound to a simulated cpu, mix four kinds of operation on a
 * table of cache slots and a small pool of names (so that names repeat):
 *   - create a cache in an empty slot: a random pool name (duplicates must
 *     fail cleanly), a random size, mergeable or not (SLAB_NO_MERGE, debug
 *     flags, a constructor);
 *   - destroy the cache of a slot once its objects are back; with
 *     --destroy-live-ppm, sometimes while objects are live: that must give a
 *     "BUG kmem_cache_destroy <name>: Objects remaining" report and keep the
 *     cache (or, for a merged cache, just drop a reference), never crash;
 *   - allocate from and free to a slot's cache (cookies checked at free);
 *   - read and write attributes by name (pool names, kmalloc names), list
 *     the directories and dump slabinfo, racing lookups with destroys.
 * A slot's rwlock keeps a cache from being destroyed in the middle of an
 * allocation from it (that would be caller misuse); attribute access by name
 * takes no driver lock at all: that is the race under test.
 *
 * At the end every object is freed and every cache destroyed; the only
 * reports allowed are the "Objects remaining" ones the run asked for; when
 * there were none the page counters must equal their post-boot values.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

#define NR_SLOTS 8
#define NR_POOL_NAMES 12
#define BURST 16
#define DUP_TITLE "WARNING: sysfs: cannot create duplicate filename"

struct slot {
	pthread_rwlock_t lock;		/* write: create/destroy; read: alloc/free */
	struct kmem_cache *s;		/* NULL: empty */
	char name[SLAB_NAME_MAX];
	size_t size;
	atomic_long live;		/* objects allocated from s, not freed */
	bool orphan;			/* destroyed with live objects: kept, never destroyed again */
};

struct lobj {
	void *p;
	uint64_t cookie;
	uint32_t size;
	uint32_t slot;
};

struct lc_stats {
	unsigned long long creates;
	unsigned long long create_fails;	/* NULL: duplicate name or no memory */
	unsigned long long destroys;
	unsigned long long destroys_live;	/* destroys with live objects (reports) */
	unsigned long long allocs;
	unsigned long long alloc_fails;
	unsigned long long frees;
	unsigned long long attr_ok;
	unsigned long long attr_enoent;		/* lookups that lost the race (or no such cache) */
	unsigned long long lists;
};

struct lc_thread {
	struct lobj *live;
	unsigned int nr_live;
	unsigned int cap;
	uint64_t seq;
	struct lc_stats st;
};

struct lc_ctx {
	unsigned long long live;		/* --live */
	unsigned long long destroy_live_ppm;	/* --destroy-live-ppm */
	unsigned long long preempt_us;		/* --preempt-us */
	bool no_merge;				/* --no-merge */
	struct slot slots[NR_SLOTS];
	struct lc_thread *lt;
	char **kmalloc_names;
	int nr_kmalloc_names;
};

/* A preemption at the create/destroy sched points: the thread sleeps there. */
static void preempt_hook(struct machine *m, enum sched_point sp, int cpu, void *data)
{
	const struct lc_ctx *c = data;

	(void)m;
	(void)cpu;
	if (sp == SP_SLAB_DESTROY || sp == SP_SLAB_CREATE)
		usleep((useconds_t)c->preempt_us);
}

static void ctor_fill(void *object)
{
	memset(object, 0x3c, 16);
}

static void pool_name(struct stress_thread *t, char *buf, size_t size)
{
	snprintf(buf, size, "lc-%u", (unsigned int)stress_below(&t->rng, NR_POOL_NAMES));
}

static void do_create(struct stress_thread *t, struct lc_ctx *c, struct lc_thread *lt,
		      struct slot *sl)
{
	static const size_t sizes[] = { 8, 16, 24, 32, 64, 96, 100, 128, 192, 256, 512, 1000 };
	unsigned int flags = 0;
	kmem_ctor_fn ctor = NULL;
	uint64_t r = stress_below(&t->rng, 10);
	char name[SLAB_NAME_MAX];
	size_t size = sizes[stress_below(&t->rng, sizeof(sizes) / sizeof(sizes[0]))];
	struct kmem_cache *s;

	if (r == 0)
		flags = SLAB_NO_MERGE;
	else if (r == 1)
		flags = SLAB_RED_ZONE | SLAB_POISON;
	else if (r == 2)
		ctor = ctor_fill;
	if (c->no_merge)
		flags |= SLAB_NO_MERGE;
	pool_name(t, name, sizeof(name));
	pthread_rwlock_wrlock(&sl->lock);
	if (sl->s && !(sl->orphan && atomic_load(&sl->live) == 0)) {
		pthread_rwlock_unlock(&sl->lock);
		return;
	}
	/* An orphan with no objects left: forget it (leaked, as the kernel does). */
	sl->s = NULL;
	s = kmem_cache_create(t->run->m, name, size, 0, flags, ctor);
	if (!s) {
		lt->st.create_fails++;
	} else {
		lt->st.creates++;
		sl->s = s;
		sl->size = size;
		sl->orphan = false;
		snprintf(sl->name, sizeof(sl->name), "%s", name);
	}
	pthread_rwlock_unlock(&sl->lock);
}

static void do_destroy(struct stress_thread *t, struct lc_ctx *c, struct lc_thread *lt,
		       struct slot *sl)
{
	bool with_live = c->destroy_live_ppm && stress_chance(&t->rng, (uint32_t)c->destroy_live_ppm);

	pthread_rwlock_wrlock(&sl->lock);
	if (!sl->s || sl->orphan) {
		pthread_rwlock_unlock(&sl->lock);
		return;
	}
	if (atomic_load(&sl->live) == 0) {
		kmem_cache_destroy(t->run->m, sl->s);
		sl->s = NULL;
		lt->st.destroys++;
	} else if (with_live) {
		/* Caller misuse on purpose: a report, the cache kept. */
		kmem_cache_destroy(t->run->m, sl->s);
		sl->orphan = true;
		lt->st.destroys_live++;
	}
	pthread_rwlock_unlock(&sl->lock);
}

static void do_alloc(struct stress_thread *t, struct lc_ctx *c, struct lc_thread *lt,
		     unsigned int idx)
{
	struct slot *sl = &c->slots[idx];
	struct lobj o;

	pthread_rwlock_rdlock(&sl->lock);
	if (!sl->s || sl->orphan) {
		/*
		 * No allocations from a cache whose destroy was called: it may be
		 * a merged cache whose last reference another slot drops.
		 */
		pthread_rwlock_unlock(&sl->lock);
		return;
	}
	o.p = kmem_cache_alloc(t->run->m, sl->s, GFP_KERNEL);
	o.size = (uint32_t)sl->size;
	if (o.p)
		atomic_fetch_add(&sl->live, 1);
	pthread_rwlock_unlock(&sl->lock);
	if (!o.p) {
		lt->st.alloc_fails++;
		return;
	}
	o.slot = idx;
	o.cookie = stress_cookie(t->id, ++lt->seq);
	stress_fill(o.p, o.size, o.cookie);
	lt->st.allocs++;
	lt->live[lt->nr_live++] = o;
}

static void free_obj(struct stress_thread *t, struct lc_ctx *c, struct lc_stats *st,
		     const struct lobj *o)
{
	struct slot *sl = &c->slots[o->slot];
	long off = stress_check(o->p, o->size, o->cookie);

	if (off >= 0) {
		stress_fail(t->run, "thread %u: cookie of object %p (%u bytes, slot %u) broken at "
			    "offset %ld", t->id, o->p, o->size, o->slot, off);
		return;
	}
	pthread_rwlock_rdlock(&sl->lock);
	kmem_cache_free(t->run->m, sl->s, o->p);
	atomic_fetch_sub(&sl->live, 1);
	pthread_rwlock_unlock(&sl->lock);
	st->frees++;
}

static void free_random(struct stress_thread *t, struct lc_ctx *c, struct lc_thread *lt)
{
	unsigned int i = (unsigned int)stress_below(&t->rng, lt->nr_live);
	struct lobj o = lt->live[i];

	lt->live[i] = lt->live[--lt->nr_live];
	free_obj(t, c, &lt->st, &o);
}

static const char *const attrs[] = {
	"object_size", "slab_size", "objs_per_slab", "order", "objects", "total_objects",
	"slabs", "partial", "cpu_queue_size", "batch", "shared", "alien", "aliases", "align",
	"red_zone", "poison",
};

static void do_attr(struct stress_thread *t, struct lc_ctx *c, struct lc_thread *lt)
{
	struct machine *m = t->run->m;
	char name[SLAB_NAME_MAX], buf[128];
	uint64_t r = stress_below(&t->rng, 100);
	long ret;

	if (r < 15 && c->nr_kmalloc_names)
		snprintf(name, sizeof(name), "%s",
			 c->kmalloc_names[stress_below(&t->rng, (uint64_t)c->nr_kmalloc_names)]);
	else
		pool_name(t, name, sizeof(name));
	r = stress_below(&t->rng, 100);
	if (r < 60) {
		ret = slab_attr_show(m, name, attrs[stress_below(&t->rng, sizeof(attrs) / sizeof(attrs[0]))],
				     buf, sizeof(buf));
	} else if (r < 75) {
		snprintf(buf, sizeof(buf), "%u", 1 + (unsigned int)stress_below(&t->rng, 120));
		ret = slab_attr_store(m, name, stress_below(&t->rng, 2) ? "cpu_queue_size" : "batch",
				      buf);
		if (ret == -EINVAL)
			ret = 0;
	} else if (r < 85) {
		ret = slab_attr_store(m, name, "shrink", "1");
	} else if (r < 95) {
		char list[4096];

		slab_sysfs_list(m, list, sizeof(list));
		lt->st.lists++;
		return;
	} else {
		char info[8192];

		dump_slabinfo(m, info, sizeof(info));
		lt->st.lists++;
		return;
	}
	if (ret >= 0)
		lt->st.attr_ok++;
	else if (ret == -ENOENT)
		lt->st.attr_enoent++;
	else
		stress_fail(t->run, "thread %u: attribute access on %s returned %ld", t->id, name,
			    ret);
}

/* Out of 100: create 8, destroy 8, alloc 30, free 24, attributes 30. */
static void one_op(struct stress_thread *t, struct lc_ctx *c, struct lc_thread *lt)
{
	uint64_t r = stress_below(&t->rng, 100);
	unsigned int idx = (unsigned int)stress_below(&t->rng, NR_SLOTS);

	if (r < 8)
		do_create(t, c, lt, &c->slots[idx]);
	else if (r < 16)
		do_destroy(t, c, lt, &c->slots[idx]);
	else if (r < 46 || (r < 70 && !lt->nr_live)) {
		if (lt->nr_live < lt->cap)
			do_alloc(t, c, lt, idx);
		else
			free_random(t, c, lt);
	} else if (r < 70)
		free_random(t, c, lt);
	else
		do_attr(t, c, lt);
}

static void worker(struct stress_thread *t)
{
	struct lc_ctx *c = t->run->priv;
	struct lc_thread *lt = &c->lt[t->id];
	bool more = true;

	while (more && !stress_stopping(t)) {
		stress_cpu_enter(t);
		for (int i = 0; i < BURST && more; i++) {
			one_op(t, c, lt);
			more = stress_op_done(t);
		}
		stress_cpu_leave(t);
	}
	stress_cpu_enter(t);
	while (lt->nr_live && !stress_failed(t->run))
		free_random(t, c, lt);
	stress_cpu_leave(t);
}

static void add_stats(struct lc_stats *sum, const struct lc_stats *s)
{
	sum->creates += s->creates;
	sum->create_fails += s->create_fails;
	sum->destroys += s->destroys;
	sum->destroys_live += s->destroys_live;
	sum->allocs += s->allocs;
	sum->alloc_fails += s->alloc_fails;
	sum->frees += s->frees;
	sum->attr_ok += s->attr_ok;
	sum->attr_enoent += s->attr_enoent;
	sum->lists += s->lists;
}

int main(int argc, char **argv)
{
	struct stress_config cfg = {
		.prog = "stress_lifecycle",
		.summary =
			"Threads create and destroy caches (random and duplicate names, mergeable and\n"
			"not) while others allocate from them and read and write their attributes by\n"
			"name, racing lookups with destroys. With --destroy-live-ppm a destroy with\n"
			"live objects must be a report, never a crash. At the end every object is\n"
			"freed and every cache destroyed; without such destroys the page counters\n"
			"equal their post-boot values.",
	};
	static struct lc_ctx c = { .live = 32 };
	const struct stress_opt extra[] = {
		{ "live", STRESS_OPT_UINT, "N", "live objects per thread (default 32)", 1, 4096,
		  &c.live },
		{ "destroy-live-ppm", STRESS_OPT_UINT, "PPM",
		  "chance per destroy, per million, to destroy a cache with live objects "
		  "(default 0)", 0, 1000000, &c.destroy_live_ppm },
		{ "preempt-us", STRESS_OPT_UINT, "US",
		  "sleep this long at the cache create/destroy sched points, as a preempted "
		  "thread would, to widen race windows (default 0)", 0, 100000, &c.preempt_us },
		{ "no-merge", STRESS_OPT_FLAG, NULL,
		  "create every cache with SLAB_NO_MERGE, so that each destroy frees its cache",
		  0, 0, &c.no_merge },
	};
	struct stress_run run;
	struct lc_stats sum = { 0 };
	unsigned long boot_allocated, boot_free, end_allocated, end_free;
	unsigned long long orphans = 0;
	int ret;

	ret = stress_parse(&cfg, argc, argv, extra, sizeof(extra) / sizeof(extra[0]));
	if (ret)
		return ret > 0 ? STRESS_EXIT_OK : STRESS_EXIT_USAGE;
	if (stress_setup(&run, &cfg, 0)) {
		stress_teardown(&run);
		return STRESS_EXIT_FAIL;
	}
	run.priv = &c;
	if (c.preempt_us)
		sched_set_hook(run.m, preempt_hook, &c);
	/*
	 * Reports the run asks for, checked by count at the end: "Objects
	 * remaining" for each destroy with live objects, the sysfs duplicate
	 * WARNING for a create with a name in use.
	 */
	run.expect_reports = true;
	c.lt = calloc(run.nr_workers, sizeof(*c.lt));
	if (!c.lt)
		return STRESS_EXIT_FAIL;
	for (unsigned int w = 0; w < run.nr_workers; w++) {
		c.lt[w].cap = (unsigned int)c.live;
		c.lt[w].live = calloc(c.lt[w].cap, sizeof(struct lobj));
		if (!c.lt[w].live)
			return STRESS_EXIT_FAIL;
	}
	{
		/* Writers (create/destroy) first: readers never stop coming. */
		pthread_rwlockattr_t attr;

		pthread_rwlockattr_init(&attr);
		pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		for (int i = 0; i < NR_SLOTS; i++)
			pthread_rwlock_init(&c.slots[i].lock, &attr);
		pthread_rwlockattr_destroy(&attr);
	}
	stress_quiesce(run.m);
	boot_allocated = nr_allocated_pages(run.m);
	boot_free = nr_free_pages(run.m);
	c.nr_kmalloc_names = stress_slab_names(run.m, &c.kmalloc_names);
	if (c.nr_kmalloc_names < 0)
		c.nr_kmalloc_names = 0;
	stress_info(&run, "stress_lifecycle: %u threads, %u cpus, topology %s, seed %#" PRIx64
		    ", %d slots, %d pool names\n", cfg.threads, cfg.cpus, cfg.topology, cfg.seed,
		    NR_SLOTS, NR_POOL_NAMES);

	stress_run(&run, worker, NULL);

	for (unsigned int w = 0; w < run.nr_workers; w++)
		add_stats(&sum, &c.lt[w].st);
	if (!stress_failed(&run) && sum.allocs != sum.frees)
		stress_fail(&run, "lost objects: %llu allocated, %llu freed", sum.allocs, sum.frees);
	cpu_bind(run.m, 0);
	for (int i = 0; i < NR_SLOTS && !stress_failed(&run); i++) {
		struct slot *sl = &c.slots[i];

		if (sl->orphan)
			orphans++;
		else if (sl->s)
			kmem_cache_destroy(run.m, sl->s);
	}
	cpu_bind(run.m, -1);
	if (!stress_failed(&run)) {
		unsigned long bugs = sf_reports_of_kind(run.m, SF_REPORT_BUG);
		unsigned long warns = sf_reports_of_kind(run.m, SF_REPORT_WARN);
		unsigned long remaining = sf_reports_matching(run.m, ": Objects remaining");
		unsigned long dups = sf_reports_count(run.m, DUP_TITLE);

		/* A destroy of a merged cache only drops a reference: no report. */
		if (bugs != remaining || remaining > sum.destroys_live)
			stress_fail(&run, "%llu destroys with live objects but %lu BUG reports (%lu "
				    "\"Objects remaining\")", sum.destroys_live, bugs, remaining);
		else if (warns != dups || dups > sum.create_fails)
			stress_fail(&run, "%lu WARNING reports, %lu of them duplicate names, for %llu "
				    "failed creates", warns, dups, sum.create_fails);
	}
	stress_quiesce(run.m);
	end_allocated = nr_allocated_pages(run.m);
	end_free = nr_free_pages(run.m);
	if (!stress_failed(&run) && !sum.destroys_live &&
	    (end_allocated != boot_allocated || end_free != boot_free))
		stress_fail(&run, "pages: %lu allocated and %lu free at the end, %lu and %lu after "
			    "boot", end_allocated, end_free, boot_allocated, boot_free);
	stress_check_end(&run);
	printf("stress_lifecycle: %llu creates (%llu failed: duplicates or memory), %llu destroys, "
	       "%llu with live objects (%llu caches kept), %llu objects allocated and freed, "
	       "%llu attribute accesses (%llu lost the race or had no cache), %llu lists\n",
	       sum.creates, sum.create_fails, sum.destroys, sum.destroys_live, orphans, sum.allocs,
	       sum.attr_ok + sum.attr_enoent, sum.attr_enoent, sum.lists);
	ret = stress_finish(&run);
	for (unsigned int w = 0; w < run.nr_workers; w++)
		free(c.lt[w].live);
	free(c.lt);
	for (int i = 0; i < NR_SLOTS; i++)
		pthread_rwlock_destroy(&c.slots[i].lock);
	stress_slab_names_free(c.kmalloc_names, c.nr_kmalloc_names);
	stress_teardown(&run);
	return ret;
}
