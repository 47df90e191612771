/* SPDX-License-Identifier: MIT */
/*
 * stress_pages: concurrent page allocation and free of random orders on
 * random nodes through the per-cpu lists, with drains and fault injection.
 *
 * Each worker runs on its own simulated cpu and keeps a set of live blocks.
 * Every block is filled on allocation with a cookie naming its owner
 * (worker, sequence number), one per page, and checked when it is freed, so
 * a block handed out twice, or written by someone else, is caught. Workers
 * hand blocks to each other so that frees land on other cpus' per-cpu lists.
 *
 * At the end every block is freed and the machine must be exactly as after
 * boot: no page allocated beyond the boot value, nr_free_pages() equal to
 * the post-boot value after a drain, check_machine() clean and no BUG or
 * WARNING report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stress.h"

/* A live block as its owner sees it; also the item handed between workers. */
struct pobj {
	void *addr;		/* page_address of the head */
	uint64_t cookie;	/* stress_cookie(owner, seq) */
	uint32_t order;		/* 2^order pages */
	uint32_t owner;		/* worker that allocated it */
};

struct pages_stats {
	unsigned long long allocs;	/* blocks allocated */
	unsigned long long alloc_fails;	/* allocations that returned NULL */
	unsigned long long frees;	/* blocks freed */
	unsigned long long remote_frees; /* blocks freed by a worker other than the owner */
	unsigned long long handoffs;	/* blocks pushed to another worker */
	unsigned long long drains;	/* drain_local_pages + drain_all_pages */
	unsigned long long fault_toggles; /* fail_page_alloc_set calls */
	unsigned long long pages_in;	/* pages allocated */
	unsigned long long pages_out;	/* pages freed */
};

struct pages_thread {
	struct pobj *live;		/* owned blocks, nr_live of cap */
	unsigned int nr_live;
	unsigned int cap;
	uint64_t seq;			/* allocations made: the cookie's sequence */
	struct stress_inbox inbox;	/* blocks handed to this worker */
	struct pages_stats st;		/* written by the owner only */
};

struct pages_ctx {
	unsigned long long live;	/* --live */
	unsigned long long fail_ppm;	/* --fail-ppm */
	unsigned long long handoff_pct;	/* --handoff */
	unsigned int max_order;		/* of the machine */
	unsigned int nr_nodes;
	struct pages_thread *pt;	/* per worker */
	struct pages_stats end_st;	/* blocks the main thread freed at the end */
};

#define INBOX_CAP 256
#define RECV_BATCH 32
#define BURST 32

static uint64_t page_cookie(uint64_t cookie, unsigned long i)
{
	return cookie ^ (i * 0x9e3779b97f4a7c15ULL);
}

static void block_fill(const struct pobj *o)
{
	unsigned long nr = 1ul << o->order;

	for (unsigned long i = 0; i < nr; i++)
		stress_fill((char *)o->addr + i * SF_PAGE_SIZE, SF_PAGE_SIZE,
			    page_cookie(o->cookie, i));
}

/* Check the cookie of every page and that the block is still what it was. */
static bool block_check(struct stress_thread *t, const struct pobj *o, const char *when)
{
	struct machine *m = t->run->m;
	unsigned long nr = 1ul << o->order;
	struct page *page = virt_to_page(m, o->addr);

	if (!page || page_address(m, page) != o->addr) {
		stress_fail(t->run, "worker %u: %s: block %p (owner %u, order %u) is not a page "
			    "address", t->id, when, o->addr, o->owner, o->order);
		return false;
	}
	for (unsigned long i = 0; i < nr; i++) {
		long off = stress_check((char *)o->addr + i * SF_PAGE_SIZE, SF_PAGE_SIZE,
					page_cookie(o->cookie, i));

		if (off >= 0) {
			stress_fail(t->run, "worker %u: %s: cookie of block %p (owner %u, order %u) "
				    "broken in page %lu at offset %ld: the block was handed out "
				    "twice or written by someone else", t->id, when, o->addr,
				    o->owner, o->order, i, off);
			return false;
		}
	}
	return true;
}

static unsigned int pick_order(struct stress_thread *t, const struct pages_ctx *c)
{
	uint64_t r = stress_below(&t->rng, 100);
	unsigned int order;

	if (r < 50)
		order = 0;
	else if (r < 70)
		order = 1;
	else if (r < 82)
		order = 2;
	else if (r < 92)
		order = 3;
	else
		order = 4 + (unsigned int)stress_below(&t->rng, 5);	/* past the pcp orders */
	return order < c->max_order ? order : c->max_order - 1;
}

static gfp_t pick_gfp(struct stress_thread *t, int *nid, const struct pages_ctx *c)
{
	uint64_t r = stress_below(&t->rng, 100);
	gfp_t gfp;

	if (r < 70)
		gfp = GFP_KERNEL;
	else if (r < 90)
		gfp = GFP_ATOMIC;
	else
		gfp = GFP_NOWAIT;
	gfp |= __GFP_NOWARN;
	*nid = stress_below(&t->rng, 4) ? (int)stress_below(&t->rng, c->nr_nodes) : SF_NO_NODE;
	if (*nid != SF_NO_NODE && stress_below(&t->rng, 10) == 0)
		gfp |= __GFP_THISNODE;
	r = stress_below(&t->rng, 100);
	if (r < 5)
		gfp |= __GFP_DMA32;
	else if (r < 7)
		gfp |= __GFP_DMA;
	if (stress_below(&t->rng, 10) == 0)
		gfp |= __GFP_ZERO;
	if (stress_below(&t->rng, 5) == 0)
		gfp |= __GFP_COMP;
	return gfp;
}

/* What the gfp promised: zone, node, zeroed memory, alignment. */
static bool block_check_new(struct stress_thread *t, struct page *page, const struct pobj *o,
			    gfp_t gfp, int nid)
{
	struct machine *m = t->run->m;
	enum zone_type zt = page_zonenum(m, page);
	pfn_t pfn = page_to_pfn(m, page);
	enum zone_type highest = (gfp & __GFP_DMA) ? ZONE_DMA :
				 (gfp & __GFP_DMA32) ? ZONE_DMA32 : ZONE_NORMAL;

	if (zt > highest) {
		stress_fail(t->run, "worker %u: order-%u block at pfn %#" PRIx64 " in zone %s, "
			    "gfp %#x allows up to %s", t->id, o->order, (uint64_t)pfn,
			    zone_type_name(zt), gfp, zone_type_name(highest));
		return false;
	}
	if ((gfp & __GFP_THISNODE) && page_to_nid(m, page) != nid) {
		stress_fail(t->run, "worker %u: __GFP_THISNODE block for node %d on node %d",
			    t->id, nid, page_to_nid(m, page));
		return false;
	}
	if (pfn & ((1ull << o->order) - 1)) {
		stress_fail(t->run, "worker %u: order-%u block at pfn %#" PRIx64 " not aligned",
			    t->id, o->order, (uint64_t)pfn);
		return false;
	}
	if (gfp & __GFP_ZERO) {
		unsigned long nr = 1ul << o->order;

		for (unsigned long i = 0; i < nr; i++) {
			const unsigned char *p = (const unsigned char *)o->addr + i * SF_PAGE_SIZE;

			for (size_t k = 0; k < SF_PAGE_SIZE; k += 64) {
				if (p[k]) {
					stress_fail(t->run, "worker %u: __GFP_ZERO block %p has a "
						    "nonzero byte at page %lu offset %zu", t->id,
						    o->addr, i, k);
					return false;
				}
			}
		}
	}
	return true;
}

static void do_alloc(struct stress_thread *t, struct pages_ctx *c, struct pages_thread *pt)
{
	struct machine *m = t->run->m;
	unsigned int order = pick_order(t, c);
	int nid;
	gfp_t gfp = pick_gfp(t, &nid, c);
	struct page *page = alloc_pages_node(m, nid, gfp, order);
	struct pobj o;

	if (!page) {
		pt->st.alloc_fails++;
		return;
	}
	o.addr = page_address(m, page);
	o.order = order;
	o.owner = t->id;
	o.cookie = stress_cookie(t->id, ++pt->seq);
	pt->st.allocs++;
	pt->st.pages_in += 1ull << order;
	if (!block_check_new(t, page, &o, gfp, nid))
		return;		/* leaked on purpose: the run has failed */
	block_fill(&o);
	pt->live[pt->nr_live++] = o;
}

static void free_block(struct stress_thread *t, struct pages_stats *st, const struct pobj *o)
{
	struct machine *m = t->run->m;

	if (!block_check(t, o, "free"))
		return;
	/* Scribble over the cookie so a stale second copy cannot pass. */
	memset(o->addr, 0xa5, 16);
	__free_pages(m, virt_to_page(m, o->addr), o->order);
	st->frees++;
	st->pages_out += 1ull << o->order;
	if (o->owner != t->id)
		st->remote_frees++;
}

static struct pobj take_random(struct stress_thread *t, struct pages_thread *pt)
{
	unsigned int i = (unsigned int)stress_below(&t->rng, pt->nr_live);
	struct pobj o = pt->live[i];

	pt->live[i] = pt->live[--pt->nr_live];
	return o;
}

static void do_handoff(struct stress_thread *t, struct pages_ctx *c, struct pages_thread *pt)
{
	struct stress_run *run = t->run;
	unsigned int to = (unsigned int)stress_below(&t->rng, run->nr_workers - 1);
	struct pobj o = take_random(t, pt);

	if (to >= t->id)
		to++;
	if (stress_inbox_push(&c->pt[to].inbox, &o)) {
		pt->st.handoffs++;
		return;
	}
	free_block(t, &pt->st, &o);	/* the receiver is full: free it here */
}

static void receive(struct stress_thread *t, struct pages_thread *pt)
{
	struct pobj in[RECV_BATCH];
	unsigned int n = stress_inbox_pop(&pt->inbox, in, RECV_BATCH);

	for (unsigned int i = 0; i < n; i++) {
		if (!block_check(t, &in[i], "hand-off"))
			return;
		/* Keep some (freed later, maybe handed on), free the rest now. */
		if (pt->nr_live < pt->cap && stress_below(&t->rng, 2))
			pt->live[pt->nr_live++] = in[i];
		else
			free_block(t, &pt->st, &in[i]);
	}
}

static void toggle_faults(struct stress_thread *t, struct pages_ctx *c, struct pages_thread *pt)
{
	struct fault_attr attr;

	pt->st.fault_toggles++;
	if (stress_below(&t->rng, 2)) {
		fail_page_alloc_set(t->run->m, NULL);
		return;
	}
	memset(&attr, 0, sizeof(attr));
	attr.probability = (uint32_t)(stress_below(&t->rng, 2 * c->fail_ppm) + 1);
	attr.seed = stress_rand(&t->rng);
	attr.min_order = (unsigned int)stress_below(&t->rng, 2);
	fail_page_alloc_set(t->run->m, &attr);
}

static void free_random(struct stress_thread *t, struct pages_thread *pt)
{
	struct pobj o = take_random(t, pt);

	free_block(t, &pt->st, &o);
}

/*
 * One operation of the stream. Out of 1000:
 *   alloc 460, free 540 - handoff, hand-off 10 * --handoff,
 *   drain_local_pages 8, drain_all_pages 2, fault injection change 2
 * (an alloc with a full set frees instead; a free with an empty set allocates).
 */
static void one_op(struct stress_thread *t, struct pages_ctx *c, struct pages_thread *pt)
{
	struct machine *m = t->run->m;
	uint64_t r = stress_below(&t->rng, 1000);
	uint64_t handoff = t->run->nr_workers > 1 ? c->handoff_pct * 10 : 0;

	if (r < 12) {
		if (r < 8) {
			drain_local_pages(m);
			pt->st.drains++;
		} else if (r < 10) {
			drain_all_pages(m);
			pt->st.drains++;
		} else if (c->fail_ppm) {
			toggle_faults(t, c, pt);
		}
		return;
	}
	if (r < 472 || pt->nr_live == 0) {
		if (pt->nr_live < pt->cap)
			do_alloc(t, c, pt);
		else
			free_random(t, pt);
		return;
	}
	if (r < 472 + handoff)
		do_handoff(t, c, pt);
	else
		free_random(t, pt);
}

static void worker(struct stress_thread *t)
{
	struct pages_ctx *c = t->run->priv;
	struct pages_thread *pt = &c->pt[t->id];
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
	/* Give everything back on this cpu. */
	stress_cpu_enter(t);
	receive(t, pt);
	while (pt->nr_live && !stress_failed(t->run))
		free_random(t, pt);
	stress_cpu_leave(t);
}

/* After the join: what is left in the inboxes, freed from cpu 0. */
static void free_leftovers(struct stress_run *run, struct pages_ctx *c)
{
	struct stress_thread main_thread;
	struct pobj in[RECV_BATCH];

	memset(&main_thread, 0, sizeof(main_thread));
	main_thread.run = run;
	main_thread.id = run->nr_workers;
	cpu_bind(run->m, 0);
	for (unsigned int w = 0; w < run->nr_workers; w++) {
		struct pages_thread *pt = &c->pt[w];
		unsigned int n;

		while ((n = stress_inbox_pop(&pt->inbox, in, RECV_BATCH))) {
			for (unsigned int i = 0; i < n; i++)
				free_block(&main_thread, &c->end_st, &in[i]);
		}
	}
	cpu_bind(run->m, -1);
}

static void add_stats(struct pages_stats *sum, const struct pages_stats *s)
{
	sum->allocs += s->allocs;
	sum->alloc_fails += s->alloc_fails;
	sum->frees += s->frees;
	sum->remote_frees += s->remote_frees;
	sum->handoffs += s->handoffs;
	sum->drains += s->drains;
	sum->fault_toggles += s->fault_toggles;
	sum->pages_in += s->pages_in;
	sum->pages_out += s->pages_out;
}

int main(int argc, char **argv)
{
	struct stress_config cfg = {
		.prog = "stress_pages",
		.summary =
			"Concurrent page allocation and free of random orders on random nodes\n"
			"through the per-cpu lists, with drains, fault injection and blocks handed\n"
			"between threads so that frees land on other cpus. Every block carries a\n"
			"cookie naming its owner, checked at free; at the end every page must be\n"
			"back and the machine exactly as after boot.",
	};
	struct pages_ctx c = { .live = 64, .fail_ppm = 2000, .handoff_pct = 15 };
	const struct stress_opt extra[] = {
		{ "live", STRESS_OPT_UINT, "N", "live blocks per thread (default 64, /4 under TSan)",
		  1, 1u << 16, &c.live },
		{ "fail-ppm", STRESS_OPT_UINT, "PPM",
		  "fail_page_alloc probability around this, per million (default 2000; 0 off)", 0,
		  1000000, &c.fail_ppm },
		{ "handoff", STRESS_OPT_UINT, "PCT",
		  "percent of operations that hand a block to another thread (default 15)", 0, 50,
		  &c.handoff_pct },
	};
	struct stress_run run;
	struct pages_stats sum = { 0 };
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
	if (stress_setup(&run, &cfg, 0)) {
		stress_teardown(&run);
		return STRESS_EXIT_FAIL;
	}
	run.priv = &c;
	c.max_order = machine_topology(run.m)->max_order;
	c.nr_nodes = machine_topology(run.m)->nr_nodes;
	c.pt = calloc(run.nr_workers, sizeof(*c.pt));
	if (!c.pt) {
		fprintf(stderr, "stress_pages: out of host memory\n");
		return STRESS_EXIT_FAIL;
	}
	for (unsigned int w = 0; w < run.nr_workers; w++) {
		c.pt[w].cap = (unsigned int)c.live;
		c.pt[w].live = calloc(c.pt[w].cap, sizeof(struct pobj));
		if (!c.pt[w].live || stress_inbox_init(&c.pt[w].inbox, INBOX_CAP, sizeof(struct pobj))) {
			fprintf(stderr, "stress_pages: out of host memory\n");
			return STRESS_EXIT_FAIL;
		}
	}

	stress_quiesce(run.m);
	boot_allocated = nr_allocated_pages(run.m);
	boot_free = nr_free_pages(run.m);
	if (c.fail_ppm) {
		struct fault_attr attr = { .probability = (uint32_t)c.fail_ppm, .seed = cfg.seed };

		fail_page_alloc_set(run.m, &attr);
	}
	stress_info(&run, "stress_pages: %u threads, %u cpus, topology %s, seed %#" PRIx64
		    ", %u live blocks per thread, boot: %lu pages allocated, %lu free\n",
		    cfg.threads, cfg.cpus, cfg.topology, cfg.seed, (unsigned int)c.live,
		    boot_allocated, boot_free);

	stress_run(&run, worker, NULL);

	/* Accounting: everything handed out came back, the machine is as booted. */
	fail_page_alloc_set(run.m, NULL);
	free_leftovers(&run, &c);
	for (unsigned int w = 0; w < run.nr_workers; w++)
		add_stats(&sum, &c.pt[w].st);
	add_stats(&sum, &c.end_st);
	end_allocated = nr_allocated_pages(run.m);
	stress_quiesce(run.m);
	end_free = nr_free_pages(run.m);
	if (!stress_failed(&run)) {
		if (sum.allocs != sum.frees || sum.pages_in != sum.pages_out)
			stress_fail(&run, "lost blocks: %llu allocated, %llu freed (%llu vs %llu "
				    "pages)", sum.allocs, sum.frees, sum.pages_in, sum.pages_out);
		else if (end_allocated != boot_allocated)
			stress_fail(&run, "nr_allocated_pages %lu at the end, %lu after boot",
				    end_allocated, boot_allocated);
		else if (end_free != boot_free)
			stress_fail(&run, "nr_free_pages %lu at the end after a drain, %lu after "
				    "boot", end_free, boot_free);
	}
	stress_check_end(&run);
	printf("stress_pages: %llu blocks (%llu pages) allocated and freed, %llu allocation "
	       "failures, %llu handed off, %llu freed on another thread, %llu drains, %llu "
	       "fault injection changes\n",
	       sum.allocs, sum.pages_in, sum.alloc_fails, sum.handoffs, sum.remote_frees,
	       sum.drains, sum.fault_toggles);
	ret = stress_finish(&run);
	for (unsigned int w = 0; w < run.nr_workers; w++) {
		stress_inbox_destroy(&c.pt[w].inbox);
		free(c.pt[w].live);
	}
	free(c.pt);
	stress_teardown(&run);
	return ret;
}
