/* SPDX-License-Identifier: MIT */
/*
 * The interpreter: machine, page-layer operations, contexts, injected
 * interrupts, the shadow model of owned pages and the end-of-run
 * accounting. Slab operations are in interp_slab.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"

#define OPS(...) ops_mask_of((const int[]){ __VA_ARGS__, -1 })

static uint64_t ops_mask_of(const int *codes)
{
	uint64_t m = 0;

	for (; *codes >= 0; codes++)
		m |= 1ull << *codes;
	return m;
}

#define CTX_OPS OP_CPU, OP_IRQ_DISABLE, OP_IRQ_ENABLE, OP_IRQ_ENTER, OP_IRQ_EXIT, \
		OP_PREEMPT_DISABLE, OP_PREEMPT_ENABLE, OP_TIMER
#define PAGE_OPS OP_ALLOC_PAGES, OP_ALLOC_PAGES_NODE, OP_GET_FREE_PAGES, OP_ALLOC_PAGES_EXACT, \
		 OP_FREE, OP_DRAIN_LOCAL, OP_DRAIN_ALL
#define SLAB_OPS OP_CACHE_CREATE, OP_CACHE_DESTROY, OP_CACHE_ALLOC, OP_CACHE_FREE, OP_KMALLOC, \
		 OP_KZALLOC, OP_KCALLOC, OP_KREALLOC, OP_KFREE, OP_CACHE_TUNE, OP_CACHE_SHRINK, \
		 OP_CACHE_VALIDATE, OP_ATTR_SHOW, OP_ATTR_STORE, OP_KMALLOC_IRQ_AT, OP_FAILSLAB, \
		 OP_FAILSLAB_OFF

const struct sf_target sf_targets[] = {
	{ "fuzz_boot", STAGE_EARLY,
	  0, /* filled below: every op */ true, 4 },
	{ "fuzz_gfp", STAGE_EARLY, 0, false, 16 },
	{ "fuzz_pages", STAGE_RUNNING, 0, false, 16 },
	{ "fuzz_sparse", STAGE_EARLY, 0, false, 4 },
	{ "fuzz_slab", STAGE_RUNNING, 0, false, 16 },
	{ "fuzz_program_text", STAGE_EARLY, 0, false, 8 },
	{ "program", STAGE_EARLY, ~0ull, false, 8 },
	{ NULL, STAGE_NONE, 0, false, 0 },
};

static uint64_t target_ops(const struct sf_target *t)
{
	if (!strcmp(t->name, "fuzz_boot"))
		return OPS(OP_BOOT, OP_MEMBLOCK_ALLOC, OP_MEMBLOCK_FREE, OP_CHECK, OP_DUMP,
			   OP_FAIL_PAGE_ALLOC, OP_FAIL_PAGE_ALLOC_OFF, OP_PFN_WALK, OP_TIMER,
			   OP_ALLOC_PAGES, OP_FREE, OP_CPU, OP_KMALLOC, OP_KFREE);
	if (!strcmp(t->name, "fuzz_gfp"))
		return OPS(OP_BOOT, PAGE_OPS, CTX_OPS, OP_IRQ_AT, OP_IRQ_FREE_AT, OP_CHECK,
			   OP_MEMBLOCK_ALLOC, OP_KMALLOC, OP_KZALLOC, OP_KFREE, OP_KMALLOC_IRQ_AT,
			   OP_CACHE_CREATE, OP_CACHE_ALLOC, OP_CACHE_FREE);
	if (!strcmp(t->name, "fuzz_pages"))
		return OPS(PAGE_OPS, OP_CPU, OP_DOUBLE_FREE, OP_FREE_WRONG_ORDER, OP_FAIL_PAGE_ALLOC,
			   OP_FAIL_PAGE_ALLOC_OFF, OP_CHECK, OP_DUMP, OP_IRQ_AT, OP_IRQ_FREE_AT,
			   OP_IRQ_DISABLE, OP_IRQ_ENABLE, OP_PFN_WALK);
	if (!strcmp(t->name, "fuzz_sparse"))
		return OPS(OP_BOOT, OP_MEMBLOCK_ALLOC, OP_MEMBLOCK_FREE, OP_PFN_WALK, OP_CHECK,
			   OP_DUMP, OP_FAIL_PAGE_ALLOC, OP_FAIL_PAGE_ALLOC_OFF, OP_ALLOC_PAGES,
			   OP_FREE);
	if (!strcmp(t->name, "fuzz_slab"))
		return OPS(SLAB_OPS, OP_SLAB_DOUBLE_FREE, OP_CPU, OP_CHECK, OP_DUMP, OP_IRQ_DISABLE,
			   OP_IRQ_ENABLE, OP_FAIL_PAGE_ALLOC, OP_FAIL_PAGE_ALLOC_OFF, OP_DRAIN_ALL,
			   OP_ALLOC_PAGES, OP_FREE);
	return t->ops;
}

const struct sf_target *sf_target_find(const char *name)
{
	for (const struct sf_target *t = sf_targets; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* ---- failure ---- */

static char dump_buf[1 << 16];

static void print_state(struct run *r)
{
	struct machine *m = r->m;

	if (!r->o->dump_on_failure || !m)
		return;
	fprintf(stderr, "---- state: stage %s, cpu %d\n", boot_stage_name(machine_stage(m)),
		smp_processor_id(m));
	if (machine_stage(m) >= STAGE_BUDDY) {
		dump_buddyinfo(m, dump_buf, sizeof(dump_buf));
		fprintf(stderr, "---- buddyinfo\n%s", dump_buf);
		dump_zoneinfo(m, dump_buf, sizeof(dump_buf));
		fprintf(stderr, "---- zoneinfo\n%s", dump_buf);
	}
	if (machine_stage(m) >= STAGE_SPARSE) {
		dump_memory_map(m, dump_buf, sizeof(dump_buf));
		fprintf(stderr, "---- memory map\n%s", dump_buf);
	}
	if (machine_stage(m) >= STAGE_SLAB_PARTIAL) {
		slab_dump(r, dump_buf, sizeof(dump_buf));
		fprintf(stderr, "---- slabinfo\n%s", dump_buf);
	}
}

static void print_where(struct run *r)
{
	char buf[256];

	if (r->phase && !strcmp(r->phase, "op") && r->op_index < r->p->nr_ops) {
		sf_prog_print_op(r->p, &r->p->ops[r->op_index], buf, sizeof(buf));
		fprintf(stderr, "slabfuzz: at op #%u: %s%s (target %s)\n", r->op_index, buf,
			r->in_hook ? " [in injected interrupt]" : "", r->t->name);
	} else {
		fprintf(stderr, "slabfuzz: during %s (target %s)\n", r->phase ? r->phase : "?",
			r->t->name);
	}
}

static _Noreturn void fail_report(struct run *r, const struct sf_report *rep);

_Noreturn void run_fail(struct run *r, const char *title, const char *fmt, ...)
{
	va_list ap;

	/* A report held back (a WARN, or anything in dump mode) came first. */
	if (r->deferred)
		fail_report(r, &r->deferred_report);
	fflush(stdout);
	fprintf(stderr, "slabfuzz: %s\n", title);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	print_where(r);
	print_state(r);
	fflush(stderr);
	abort();
}

static _Noreturn void fail_report(struct run *r, const struct sf_report *rep)
{
	static char buf[SF_REPORT_TITLE_MAX + SF_REPORT_BODY_MAX + 256];

	fflush(stdout);
	fprintf(stderr, "slabfuzz: %s\n", sf_report_format(rep, buf, sizeof(buf)));
	print_where(r);
	print_state(r);
	fflush(stderr);
	abort();
}

/* ---- expectations ---- */

void run_expect(struct run *r, const char *title)
{
	if (r->nr_expect < RUN_MAX_EXPECT) {
		r->expect[r->nr_expect] = title;
		r->expect_seen[r->nr_expect++] = 0;
	}
}

void run_expect_clear(struct run *r)
{
	r->nr_expect = 0;
}

/* Titles with a cache name in them are expected as "BUG * (Not tainted): X". */
static bool title_match(const char *pat, const char *title)
{
	const char *star = strchr(pat, '*');
	size_t pre, post, tl;

	if (!star)
		return !strcmp(pat, title);
	pre = (size_t)(star - pat);
	post = strlen(star + 1);
	tl = strlen(title);
	return tl >= pre + post && !strncmp(pat, title, pre) &&
	       !strcmp(title + tl - post, star + 1);
}

unsigned long run_seen(const struct run *r, const char *title)
{
	for (unsigned int i = 0; i < r->nr_expect; i++)
		if (!strcmp(r->expect[i], title))
			return r->expect_seen[i];
	return 0;
}

static void on_report(struct machine *m, const struct sf_report *rep, void *data)
{
	struct run *r = data;

	(void)m;
	if (rep->kind == SF_REPORT_INFO)
		return;
	for (unsigned int i = 0; i < r->nr_expect; i++) {
		if (title_match(r->expect[i], rep->title)) {
			r->expect_seen[i]++;
			return;
		}
	}
	/* The harness made a timer pending; once interrupts are on (and before
	 * timers are) it fires legitimately. Before IRQS_ON it is incident 2. */
	if (!strcmp(rep->title, "BUG: timer interrupt before timer init") &&
	    rep->stage >= STAGE_IRQS_ON)
		return;
	/*
	 * A WARN lets the call finish (the kernel goes on after a WARN): the run
	 * fails when the call returns, or at once with a BUG the WARN led to,
	 * which names the failure (incident 4: the sysfs duplicate WARN, then
	 * the BUG in kmem_cache_release). In dump mode every report waits for
	 * the call to finish (locks released), then dumps and stops.
	 */
	if (rep->kind == SF_REPORT_WARN || r->o->dump_on_failure) {
		if (!r->deferred || (r->deferred_report.kind == SF_REPORT_WARN &&
				     rep->kind == SF_REPORT_BUG)) {
			r->deferred = true;
			r->deferred_report = *rep;
		}
		return;
	}
	fail_report(r, rep);
}

void run_after_call(struct run *r)
{
	if (r->deferred)
		fail_report(r, &r->deferred_report);
}

struct cpu_shadow *run_cpu(struct run *r)
{
	return &r->cpu[smp_processor_id(r->m)];
}

static int gfp_zone_of(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	if (gfp & __GFP_MOVABLE)
		return ZONE_MOVABLE;
	return ZONE_NORMAL;
}

/* Might this gfp sleep in the current context? (might_sleep in the core) */
static bool atomic_blocking(struct run *r, gfp_t gfp)
{
	struct cpu_shadow *c = run_cpu(r);
	gfp_t eff = gfp & machine_gfp_allowed_mask(r->m);

	if (!gfpflags_allow_blocking(eff) || machine_stage(r->m) < STAGE_IRQS_ON)
		return false;
	return !c->irqs_on || c->irq_depth > 0 || c->preempt > 0;
}

bool run_expect_alloc(struct run *r, gfp_t gfp, bool slab)
{
	run_expect_clear(r);
	if (gfp & ~(gfp_t)__GFP_BITS_MASK) {
		run_expect(r, "WARNING: invalid gfp flags");
		return true;
	}
	if ((gfp & __GFP_DMA) && (gfp & __GFP_DMA32)) {
		run_expect(r, "WARNING: invalid gfp zone modifiers");
		return true;
	}
	if (atomic_blocking(r, gfp))
		run_expect(r, "BUG: sleeping function called from invalid context");
	run_expect(r, "WARNING: __GFP_NOFAIL allocation impossible");
	(void)slab;
	return false;
}

/* ---- pages ---- */

static bool owned_test(struct run *r, pfn_t pfn)
{
	return pfn < RUN_MAX_PFN && (r->owned[pfn / 64] >> (pfn % 64)) & 1;
}

static void owned_set(struct run *r, pfn_t pfn, bool on)
{
	if (pfn >= RUN_MAX_PFN)
		return;
	if (on)
		r->owned[pfn / 64] |= 1ull << (pfn % 64);
	else
		r->owned[pfn / 64] &= ~(1ull << (pfn % 64));
}

static uint64_t cookie(unsigned int h, unsigned long i)
{
	return 0x5AB0000000000000ull ^ ((uint64_t)h << 20) ^ i;
}

static void pattern_write(uint8_t *addr, unsigned long nr, unsigned int h)
{
	for (unsigned long i = 0; i < nr; i++) {
		uint64_t c = cookie(h, i), nc = ~c;

		memcpy(addr + i * SF_PAGE_SIZE, &c, 8);
		memcpy(addr + (i + 1) * SF_PAGE_SIZE - 8, &nc, 8);
	}
}

static bool pattern_ok(const uint8_t *addr, unsigned long nr, unsigned int h)
{
	for (unsigned long i = 0; i < nr; i++) {
		uint64_t c, nc;

		memcpy(&c, addr + i * SF_PAGE_SIZE, 8);
		memcpy(&nc, addr + (i + 1) * SF_PAGE_SIZE - 8, 8);
		if (c != cookie(h, i) || nc != ~cookie(h, i))
			return false;
	}
	return true;
}

static bool zeroed(const uint8_t *addr, size_t len)
{
	static const uint8_t zero[256];

	/* Large blocks: the first and last 256 bytes of every page. */
	if (len > 16 * SF_PAGE_SIZE) {
		for (size_t off = 0; off < len; off += SF_PAGE_SIZE)
			if (memcmp(addr + off, zero, 256) ||
			    memcmp(addr + off + SF_PAGE_SIZE - 256, zero, 256))
				return false;
		return true;
	}
	for (size_t off = 0; off < len; off += sizeof(zero))
		if (memcmp(addr + off, zero, len - off < sizeof(zero) ? len - off : sizeof(zero)))
			return false;
	return true;
}

/* A new block from the page allocator: check it against the model and own it. */
static void page_got(struct run *r, unsigned int h, struct page_h *ph, gfp_t gfp, int nid,
		     const char *op)
{
	struct machine *m = r->m;
	gfp_t eff = gfp & machine_gfp_allowed_mask(m);
	struct page *page = ph->page;
	pfn_t pfn = page_to_pfn(m, page);
	uint8_t *addr = page_address(m, page);
	int zone = (int)page_zonenum(m, page);

	ph->pfn = pfn;
	if (ph->kind != PH_EXACT && pfn & ((1ul << ph->order) - 1))
		run_fail(r, "HARNESS: page block misaligned", "%s: pfn %#llx order %u", op,
			 (unsigned long long)pfn, ph->order);
	if (ph->addr && ph->addr != addr)
		run_fail(r, "HARNESS: page address mismatch", "%s: address %p, page_address %p",
			 op, ph->addr, (void *)addr);
	if (zone > gfp_zone_of(eff))
		run_fail(r, "HARNESS: page from a zone the gfp does not allow",
			 "%s: pfn %#llx in zone %s, gfp %#x allows up to %s", op,
			 (unsigned long long)pfn, zone_type_name((enum zone_type)zone), gfp,
			 zone_type_name((enum zone_type)gfp_zone_of(eff)));
	if ((eff & __GFP_THISNODE) && nid >= 0 && page_to_nid(m, page) != nid)
		run_fail(r, "HARNESS: __GFP_THISNODE page from another node",
			 "%s: asked node %d, got pfn %#llx on node %d", op, nid,
			 (unsigned long long)pfn, page_to_nid(m, page));
	for (unsigned long i = 0; i < ph->nr; i++) {
		if (pfn + i >= r->topo.ranges[r->topo.nr_ranges - 1].end_pfn ||
		    !pfn_valid(m, pfn + i))
			run_fail(r, "HARNESS: page outside memory", "%s: pfn %#llx", op,
				 (unsigned long long)(pfn + i));
		if (owned_test(r, pfn + i))
			run_fail(r, "HARNESS: page handed out twice",
				 "%s: pfn %#llx is already owned by a live allocation", op,
				 (unsigned long long)(pfn + i));
	}
	if ((eff & __GFP_ZERO) && !zeroed(addr, ph->nr * SF_PAGE_SIZE))
		run_fail(r, "HARNESS: __GFP_ZERO page not zeroed", "%s: pfn %#llx order %u", op,
			 (unsigned long long)pfn, ph->order);
	for (unsigned long i = 0; i < ph->nr; i++)
		owned_set(r, pfn + i, true);
	pattern_write(addr, ph->nr, h);
	ph->addr = addr;
	ph->live = true;
	r->live_pages += (long)ph->nr;
}

static void page_alloc_op(struct run *r, const struct sf_op *op, gfp_t gfp, unsigned int order,
			  int nid_arg)
{
	struct machine *m = r->m;
	struct page_h *ph = &r->pages[op->result];
	bool invalid = run_expect_alloc(r, gfp, false);
	int nid = -1;
	const char *name = sf_op_specs[op->code].name;

	memset(ph, 0, sizeof(*ph));
	if (order >= r->topo.max_order) {
		if (!(gfp & __GFP_NOWARN) && !invalid)
			run_expect(r, "WARNING: page allocation order too large");
		invalid = true;
	}
	if (machine_stage(m) < STAGE_BUDDY && !invalid) {
		run_expect(r, "WARNING: page allocation before buddy allocator is up");
		invalid = true;
	}
	ph->order = order;
	ph->nr = 1ul << order;
	switch (op->code) {
	case OP_ALLOC_PAGES_NODE:
		nid = nid_arg;
		ph->kind = PH_PAGES;
		ph->page = alloc_pages_node(m, nid, gfp, order);
		if (nid == SF_NO_NODE)
			nid = cpu_to_mem(m, smp_processor_id(m));
		break;
	case OP_GET_FREE_PAGES:
		ph->kind = PH_ADDR;
		ph->addr = (void *)(uintptr_t)__get_free_pages(m, gfp, order);
		ph->page = ph->addr ? virt_to_page(m, ph->addr) : NULL;
		nid = cpu_to_node(m, smp_processor_id(m));
		break;
	default:
		ph->kind = PH_PAGES;
		ph->page = alloc_pages(m, gfp, order);
		nid = cpu_to_node(m, smp_processor_id(m));
		break;
	}
	run_after_call(r);
	if (invalid) {
		if (ph->page)
			run_fail(r, "HARNESS: invalid page allocation succeeded",
				 "%s gfp %#x order %u", name, gfp, order);
		for (unsigned int i = 0; i < r->nr_expect; i++)
			if (strcmp(r->expect[i], "WARNING: __GFP_NOFAIL allocation impossible") &&
			    strcmp(r->expect[i], "BUG: sleeping function called from invalid context") &&
			    !r->expect_seen[i])
				run_fail(r, "HARNESS: invalid page allocation not reported",
					 "%s gfp %#x order %u: expected '%s'", name, gfp, order,
					 r->expect[i]);
		run_expect_clear(r);
		return;
	}
	if (!ph->page) {
		if ((gfp & __GFP_NOFAIL) && !run_seen(r, "WARNING: __GFP_NOFAIL allocation impossible"))
			run_fail(r, "HARNESS: __GFP_NOFAIL allocation returned NULL",
				 "%s gfp %#x order %u", name, gfp, order);
		run_expect_clear(r);
		return;
	}
	run_expect_clear(r);
	page_got(r, (unsigned int)op->result, ph, gfp, nid, name);
}

static void page_exact_op(struct run *r, const struct sf_op *op, gfp_t gfp, size_t size)
{
	struct machine *m = r->m;
	struct page_h *ph = &r->pages[op->result];
	bool invalid = run_expect_alloc(r, gfp, false);
	unsigned int order = 0;

	memset(ph, 0, sizeof(*ph));
	while (((size_t)SF_PAGE_SIZE << order) < size)
		order++;
	if (size && order >= r->topo.max_order && order < SF_MAX_ORDER_LIMIT && !invalid) {
		if (!(gfp & __GFP_NOWARN))
			run_expect(r, "WARNING: page allocation order too large");
		invalid = true;
	}
	if (size && machine_stage(m) < STAGE_BUDDY && !invalid) {
		run_expect(r, "WARNING: page allocation before buddy allocator is up");
		invalid = true;
	}
	ph->kind = PH_EXACT;
	ph->size = size;
	ph->nr = (size + SF_PAGE_SIZE - 1) / SF_PAGE_SIZE;
	ph->addr = alloc_pages_exact(m, size, gfp);
	run_after_call(r);
	if (!ph->addr) {
		if (size && !invalid && order < r->topo.max_order && (gfp & __GFP_NOFAIL) &&
		    !run_seen(r, "WARNING: __GFP_NOFAIL allocation impossible"))
			run_fail(r, "HARNESS: __GFP_NOFAIL allocation returned NULL",
				 "alloc_pages_exact size %zu gfp %#x", size, gfp);
		run_expect_clear(r);
		return;
	}
	run_expect_clear(r);
	if (invalid || !size)
		run_fail(r, "HARNESS: invalid page allocation succeeded",
			 "alloc_pages_exact size %zu gfp %#x", size, gfp);
	ph->page = virt_to_page(m, ph->addr);
	if (!ph->page)
		run_fail(r, "HARNESS: page outside memory", "alloc_pages_exact returned %p",
			 ph->addr);
	page_got(r, (unsigned int)op->result, ph, gfp, -1, "alloc_pages_exact");
}

/* Give a live page handle back (pattern checked). */
static void page_release(struct run *r, unsigned int h)
{
	struct page_h *ph = &r->pages[h];

	if (!ph->live)
		return;
	if (!pattern_ok(ph->addr, ph->nr, h))
		run_fail(r, "HARNESS: page contents changed while allocated",
			 "p%u: pfn %#llx, %lu pages", h, (unsigned long long)ph->pfn, ph->nr);
	ph->live = false;
	r->live_pages -= (long)ph->nr;
	for (unsigned long i = 0; i < ph->nr; i++)
		owned_set(r, ph->pfn + i, false);
	run_expect_clear(r);
	switch ((enum page_h_kind)ph->kind) {
	case PH_PAGES:
		__free_pages(r->m, ph->page, ph->order);
		break;
	case PH_ADDR:
		free_pages(r->m, (unsigned long)(uintptr_t)ph->addr, ph->order);
		break;
	case PH_EXACT:
		free_pages_exact(r->m, ph->addr, ph->size);
		break;
	}
	run_after_call(r);
}

static void misuse_op(struct run *r, const struct sf_op *op)
{
	unsigned int h = op->arg[0];
	struct page_h *ph = &r->pages[h];
	struct injected saved = r->inj;

	if (!ph->live || r->in_hook)
		return;
	/* No injected interrupt may reuse the page between the two frees. */
	r->inj.armed = false;
	if (op->code == OP_DOUBLE_FREE) {
		page_release(r, h);
		run_expect(r, "BUG: Page already free");
		if (ph->kind == PH_PAGES)
			__free_pages(r->m, ph->page, ph->order);
		else
			free_pages(r->m, (unsigned long)(uintptr_t)ph->addr, ph->kind == PH_ADDR ?
									     ph->order : 0);
		run_after_call(r);
		if (!run_seen(r, "BUG: Page already free"))
			run_fail(r, "HARNESS: double free not reported", "p%u pfn %#llx", h,
				 (unsigned long long)ph->pfn);
	} else if (ph->kind != PH_EXACT && op->arg[1] != ph->order) {
		run_expect(r, "BUG: Freeing page with wrong order");
		__free_pages(r->m, ph->page, op->arg[1]);
		run_after_call(r);
		if (!run_seen(r, "BUG: Freeing page with wrong order"))
			run_fail(r, "HARNESS: free with wrong order not reported",
				 "p%u order %u freed as %u", h, ph->order, op->arg[1]);
	}
	run_expect_clear(r);
	r->inj = saved;
}

/* ---- memblock ---- */

static void memblock_op(struct run *r, const struct sf_op *op)
{
	struct machine *m = r->m;
	struct mb_h *mh = &r->mbs[op->result];
	int nid = op->arg[0] >= r->topo.nr_nodes ? SF_NO_NODE : (int)op->arg[0];
	size_t size = op->arg[1];
	bool after = machine_stage(m) >= STAGE_BUDDY;

	memset(mh, 0, sizeof(*mh));
	run_expect_clear(r);
	if (after)
		run_expect(r, "WARNING: memblock allocation after buddy is up");
	mh->ptr = memblock_alloc_node(m, size, 8, nid);
	run_after_call(r);
	if (after && (!run_seen(r, "WARNING: memblock allocation after buddy is up") || mh->ptr))
		run_fail(r, "HARNESS: memblock allocation after buddy not refused",
			 "memblock_alloc size %zu returned %p", size, (void *)mh->ptr);
	run_expect_clear(r);
	if (!mh->ptr)
		return;
	/* virt_addr_valid needs the memmap: only from STAGE_SPARSE on. */
	if (!size || (uintptr_t)mh->ptr % 8 ||
	    (machine_stage(m) >= STAGE_SPARSE &&
	     (!virt_addr_valid(m, mh->ptr) || !virt_addr_valid(m, mh->ptr + size - 1))))
		run_fail(r, "HARNESS: memblock allocation outside memory", "%p size %zu",
			 (void *)mh->ptr, size);
	if (!zeroed(mh->ptr, size < 4096 ? size : 4096))
		run_fail(r, "HARNESS: memblock allocation not zeroed", "%p size %zu",
			 (void *)mh->ptr, size);
	for (unsigned int i = 0; i < r->p->nr_handles[HK_MEMBLOCK]; i++) {
		struct mb_h *o = &r->mbs[i];

		if (o != mh && o->live && o->ptr < mh->ptr + size && mh->ptr < o->ptr + o->size)
			run_fail(r, "HARNESS: memblock allocations overlap", "m%d and m%u",
				 op->result, i);
	}
	memset(mh->ptr, 0xa5 ^ (op->result & 0xff), size);
	mh->size = size;
	mh->live = true;
}

static void memblock_release_h(struct run *r, unsigned int h)
{
	struct mb_h *mh = &r->mbs[h];

	if (!mh->live || machine_stage(r->m) >= STAGE_BUDDY)
		return;
	for (size_t i = 0; i < mh->size; i += 61)
		if (mh->ptr[i] != (uint8_t)(0xa5 ^ (h & 0xff)))
			run_fail(r, "HARNESS: memblock contents changed", "m%u offset %zu", h, i);
	mh->live = false;
	run_expect_clear(r);
	memblock_free(r->m, mh->ptr, mh->size);
	run_after_call(r);
}

/* ---- sparse: pfn walk ---- */

static int range_node_of(const struct run *r, pfn_t pfn)
{
	for (unsigned int i = 0; i < r->topo.nr_ranges; i++)
		if (pfn >= r->topo.ranges[i].start_pfn && pfn < r->topo.ranges[i].end_pfn)
			return r->topo.ranges[i].node;
	return -1;
}

static enum zone_type zone_of_pfn(const struct run *r, pfn_t pfn)
{
	if (pfn < r->topo.zone_dma_end)
		return ZONE_DMA;
	if (pfn < r->topo.zone_dma32_end)
		return ZONE_DMA32;
	if (pfn < r->topo.zone_movable_start)
		return ZONE_NORMAL;
	return ZONE_MOVABLE;
}

static void pfn_walk_op(struct run *r, pfn_t start, unsigned int count)
{
	struct machine *m = r->m;
	pfn_t max = sf_prog_max_pfn(&r->p->h);
	bool sparse_up = machine_stage(m) >= STAGE_SPARSE;

	start %= max + 64;
	for (pfn_t pfn = start; pfn < start + count; pfn++) {
		bool valid = pfn_valid(m, pfn);
		int nid = range_node_of(r, pfn);
		struct page *page;

		if (!sparse_up && valid)
			run_fail(r, "HARNESS: pfn_valid before sparse init", "pfn %#llx",
				 (unsigned long long)pfn);
		if (sparse_up && nid >= 0 && !valid)
			run_fail(r, "HARNESS: memory pfn not valid", "pfn %#llx node %d",
				 (unsigned long long)pfn, nid);
		if (!valid)
			continue;
		page = pfn_to_page(m, pfn);
		if (!page || page_to_pfn(m, page) != pfn)
			run_fail(r, "HARNESS: pfn_to_page/page_to_pfn disagree", "pfn %#llx",
				 (unsigned long long)pfn);
		if (virt_to_page(m, page_address(m, page)) != page)
			run_fail(r, "HARNESS: page_address/virt_to_page disagree", "pfn %#llx",
				 (unsigned long long)pfn);
		if (nid >= 0 && page_to_nid(m, page) != nid)
			run_fail(r, "HARNESS: page on the wrong node", "pfn %#llx: node %d, topology %d",
				 (unsigned long long)pfn, page_to_nid(m, page), nid);
		if (nid >= 0 && page_zonenum(m, page) != zone_of_pfn(r, pfn))
			run_fail(r, "HARNESS: page in the wrong zone", "pfn %#llx: zone %s, topology %s",
				 (unsigned long long)pfn, zone_type_name(page_zonenum(m, page)),
				 zone_type_name(zone_of_pfn(r, pfn)));
	}
}

/* ---- contexts and injected interrupts ---- */

static void sync_boot_shadow(struct run *r, enum boot_stage before)
{
	struct machine *m = r->m;
	enum boot_stage now = machine_stage(m);

	if (before < STAGE_IRQS_ON && now >= STAGE_IRQS_ON)
		run_cpu(r)->irqs_on = true;
	if (before < STAGE_SMP_UP && now >= STAGE_SMP_UP)
		for (unsigned int c = 0; c < r->topo.nr_cpus; c++)
			if ((int)c != smp_processor_id(m) && c != r->topo.boot_cpu)
				r->cpu[c].irqs_on = true;
}

static void check_context(struct run *r)
{
	struct machine *m = r->m;
	struct cpu_shadow *c = run_cpu(r);

	if (irqs_disabled(m) == c->irqs_on)
		run_fail(r, c->irqs_on ? "HARNESS: interrupts disabled behind the caller's back" :
					 "HARNESS: interrupts enabled behind the caller's back",
			 "cpu %d stage %s: the caller had interrupts %s", smp_processor_id(m),
			 boot_stage_name(machine_stage(m)), c->irqs_on ? "on" : "off");
	if (in_interrupt(m) != (c->irq_depth > 0))
		run_fail(r, "HARNESS: interrupt context changed behind the caller's back",
			 "cpu %d: depth %d", smp_processor_id(m), c->irq_depth);
}

static void injected_interrupt(struct run *r)
{
	struct machine *m = r->m;
	struct cpu_shadow *c = run_cpu(r);
	const struct sf_op *op = r->inj.op;
	unsigned int saved_n = r->nr_expect;
	const char *saved[RUN_MAX_EXPECT];
	unsigned long saved_seen[RUN_MAX_EXPECT];
	bool caller_irqs_on = c->irqs_on;

	memcpy(saved, r->expect, sizeof(saved));
	memcpy(saved_seen, r->expect_seen, sizeof(saved_seen));
	r->inj.armed = false;
	r->in_hook = true;
	irq_enter(m);
	c->irq_depth++;
	c->irqs_on = false;
	if (r->o->trace) {
		char buf[256];

		sf_prog_print_op(r->p, op, buf, sizeof(buf));
		fprintf(r->o->trace, "    [interrupt at %s] %s\n",
			sched_point_name(r->inj.sp), buf);
	}
	switch (op->code) {
	case OP_IRQ_AT:
		page_alloc_op(r, op, op->arg[1], op->arg[2], SF_NO_NODE);
		break;
	case OP_IRQ_FREE_AT:
		page_release(r, op->arg[1]);
		break;
	default:
		slab_irq_op(r, op);
		break;
	}
	check_context(r);
	irq_exit(m);
	c->irq_depth--;
	/* The core may have enabled interrupts for the call the interrupt came
	 * in (a slab growing with a blocking gfp): the caller's view returns. */
	c->irqs_on = caller_irqs_on;
	r->in_hook = false;
	memcpy(r->expect, saved, sizeof(saved));
	memcpy(r->expect_seen, saved_seen, sizeof(saved_seen));
	r->nr_expect = saved_n;
}

static void sched_hook(struct machine *m, enum sched_point sp, int cpu, void *data)
{
	struct run *r = data;

	(void)cpu;
	if (!r->inj.armed || r->in_hook || sp != r->inj.sp || irqs_disabled(m) || in_interrupt(m))
		return;
	injected_interrupt(r);
}

/* ---- accounting ---- */

static void take_baseline(struct run *r)
{
	struct machine *m = r->m;

	r->have_base = false;
	if (machine_stage(m) < STAGE_BUDDY)
		return;
	/* Live slab objects and caches hold slab pages the end would not:
	 * no exact baseline then. */
	for (unsigned int i = 0; i < r->p->nr_handles[HK_OBJ]; i++)
		if (r->objs[i].live)
			return;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_CACHE]; i++)
		if (r->caches[i].live)
			return;
	slab_shrink_all(r);
	r->base_alloc = (long)nr_allocated_pages(m) - r->live_pages;
	r->base_free = (long)nr_free_pages(m) + r->live_pages;
	r->have_base = true;
	r->slab_used = false;
}

static void check_accounting(struct run *r, const char *when)
{
	struct machine *m = r->m;
	long alloc, free_now;

	if (!r->have_base)
		return;
	/* Before SLAB_UP the boot caches cannot be shrunk from outside. */
	if (r->slab_used && machine_stage(m) >= STAGE_SLAB_PARTIAL &&
	    machine_stage(m) < STAGE_SLAB_UP)
		return;
	slab_shrink_all(r);
	alloc = (long)nr_allocated_pages(m) - r->live_pages;
	free_now = (long)nr_free_pages(m) + r->live_pages;
	if (alloc != r->base_alloc || free_now != r->base_free)
		run_fail(r, "HARNESS: page accounting differs from the post-boot state",
			 "%s: allocated %ld (post-boot %ld), free %ld (post-boot %ld), live %ld",
			 when, alloc, r->base_alloc, free_now, r->base_free, r->live_pages);
}

static void run_check(struct run *r)
{
	run_expect_clear(r);
	if (!check_machine(r->m))
		run_fail(r, "HARNESS: check_machine failed without a report", "stage %s",
			 boot_stage_name(machine_stage(r->m)));
	run_after_call(r);
}

/* ---- one operation ---- */

static void fault_op(struct run *r, const struct sf_op *op, bool slab)
{
	struct fault_attr a;

	memset(&a, 0, sizeof(a));
	a.nth = op->arg[0];
	a.probability = op->arg[1] * 1000u;
	a.persistent = op->arg[2];
	a.ignore_gfp_reclaim = op->arg[3];
	a.seed = 0x5eed0000u + r->op_index;
	if (slab) {
		failslab_set(r->m, (a.nth || a.probability) ? &a : NULL);
		return;
	}
	a.min_order = op->arg[4];
	fail_page_alloc_set(r->m, (a.nth || a.probability) ? &a : NULL);
}

static void boot_op(struct run *r, enum boot_stage stage)
{
	struct machine *m = r->m;
	struct cpu_shadow *c = run_cpu(r);
	enum boot_stage before = machine_stage(m);

	if (stage <= before || c->irq_depth || c->preempt ||
	    (before >= STAGE_IRQS_ON && !c->irqs_on) ||
	    smp_processor_id(m) != (int)r->topo.boot_cpu)
		return;
	run_expect_clear(r);
	(void)machine_boot(m, stage);
	run_after_call(r);
	sync_boot_shadow(r, before);
	/* Even a failed stage may have left caches behind: a new baseline. */
	take_baseline(r);
}

static void dump_op(struct run *r, unsigned int kind)
{
	struct machine *m = r->m;
	size_t n = 0;

	switch (kind) {
	case 0:
		if (machine_stage(m) >= STAGE_BUDDY)
			n = dump_buddyinfo(m, dump_buf, sizeof(dump_buf));
		break;
	case 1:
		if (machine_stage(m) >= STAGE_BUDDY)
			n = dump_zoneinfo(m, dump_buf, sizeof(dump_buf));
		break;
	case 2:
		if (machine_stage(m) >= STAGE_SPARSE)
			n = dump_memory_map(m, dump_buf, sizeof(dump_buf));
		break;
	default:
		if (machine_stage(m) >= STAGE_SLAB_PARTIAL)
			n = slab_dump(r, dump_buf, sizeof(dump_buf));
		break;
	}
	if (n && r->o->trace)
		fprintf(r->o->trace, "%s", dump_buf);
}

/* Returns false when the op was skipped. */
static bool run_op(struct run *r, const struct sf_op *op)
{
	struct machine *m = r->m;
	struct cpu_shadow *c = run_cpu(r);
	const struct sf_op_spec *s = &sf_op_specs[op->code];

	if (s->slab)
		return slab_op(r, op);
	switch ((enum sf_opcode)op->code) {
	case OP_BOOT:
		boot_op(r, (enum boot_stage)op->arg[0]);
		break;
	case OP_ALLOC_PAGES:
	case OP_GET_FREE_PAGES:
		page_alloc_op(r, op, op->arg[0], op->arg[1], -1);
		break;
	case OP_ALLOC_PAGES_NODE:
		page_alloc_op(r, op, op->arg[1], op->arg[2],
			      op->arg[0] >= r->topo.nr_nodes ? SF_NO_NODE : (int)op->arg[0]);
		break;
	case OP_ALLOC_PAGES_EXACT:
		page_exact_op(r, op, op->arg[0], op->arg[1]);
		break;
	case OP_FREE:
		page_release(r, op->arg[0]);
		break;
	case OP_DOUBLE_FREE:
	case OP_FREE_WRONG_ORDER:
		misuse_op(r, op);
		break;
	case OP_DRAIN_LOCAL:
		drain_local_pages(m);
		break;
	case OP_DRAIN_ALL:
		drain_all_pages(m);
		break;
	case OP_CPU:
		if (!cpu_online(m, (int)op->arg[0]))
			return false;
		cpu_switch(m, (int)op->arg[0]);
		break;
	case OP_IRQ_DISABLE:
		local_irq_disable(m);
		c->irqs_on = false;
		break;
	case OP_IRQ_ENABLE:
		/* Only where a kernel may: after IRQS_ON, outside a handler. */
		if (machine_stage(m) < STAGE_IRQS_ON || c->irq_depth)
			return false;
		local_irq_enable(m);
		c->irqs_on = true;
		break;
	case OP_IRQ_ENTER:
		/* An interrupt is only taken with interrupts on. */
		if (!c->irqs_on || c->irq_depth >= 2)
			return false;
		irq_enter(m);
		c->irq_depth++;
		c->irqs_on = false;
		break;
	case OP_IRQ_EXIT:
		if (!c->irq_depth)
			return false;
		irq_exit(m);
		c->irq_depth--;
		c->irqs_on = true;
		break;
	case OP_PREEMPT_DISABLE:
		if (c->preempt >= 3)
			return false;
		preempt_disable(m);
		c->preempt++;
		break;
	case OP_PREEMPT_ENABLE:
		if (!c->preempt)
			return false;
		preempt_enable(m);
		c->preempt--;
		break;
	case OP_TIMER:
		timer_set_pending(m, (int)op->arg[0]);
		break;
	case OP_FAIL_PAGE_ALLOC:
		fault_op(r, op, false);
		break;
	case OP_FAIL_PAGE_ALLOC_OFF:
		fail_page_alloc_set(m, NULL);
		break;
	case OP_CHECK:
		run_check(r);
		break;
	case OP_DUMP:
		dump_op(r, op->arg[0]);
		break;
	case OP_MEMBLOCK_ALLOC:
		memblock_op(r, op);
		break;
	case OP_MEMBLOCK_FREE:
		memblock_release_h(r, op->arg[0]);
		break;
	case OP_PFN_WALK:
		pfn_walk_op(r, op->arg[0], op->arg[1]);
		break;
	case OP_IRQ_AT:
	case OP_IRQ_FREE_AT:
		memset(&r->pages[op->result >= 0 ? op->result : 0], 0,
		       op->result >= 0 ? sizeof(struct page_h) : 0);
		r->inj.armed = true;
		r->inj.sp = (enum sched_point)op->arg[0];
		r->inj.code = op->code;
		r->inj.op = op;
		break;
	default:
		return false;
	}
	return true;
}

/* ---- the run ---- */

static void workload(struct run *r)
{
	struct machine *m = r->m;
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_KERNEL | __GFP_ZERO,
				      GFP_NOWAIT | __GFP_DMA32, GFP_KERNEL | __GFP_DMA };
	struct sf_op op = { .code = OP_ALLOC_PAGES };

	if (machine_stage(m) < STAGE_RUNNING)
		boot_op(r, STAGE_RUNNING);
	if (machine_stage(m) < STAGE_BUDDY)
		return;
	for (unsigned int cpu = 0; cpu < r->topo.nr_cpus; cpu++) {
		unsigned int first = r->p->nr_handles[HK_PAGE];

		if (!cpu_online(m, (int)cpu))
			continue;
		cpu_switch(m, (int)cpu);
		if (!r->cpu[cpu].irqs_on || r->cpu[cpu].irq_depth || r->cpu[cpu].preempt)
			continue;
		/* Handles past the program's own: the epilogue's. */
		for (unsigned int i = 0; i < 5 && first + i < SF_PROG_MAX_OPS; i++) {
			op.result = (int32_t)(first + i);
			page_alloc_op(r, &op, gfps[i] | __GFP_NOWARN, i % 3, -1);
		}
		for (unsigned int i = 0; i < 5 && first + i < SF_PROG_MAX_OPS; i++)
			page_release(r, first + i);
		slab_workload(r);
		check_context(r);
	}
	cpu_switch(m, (int)r->topo.boot_cpu);
	run_check(r);
}

static void teardown(struct run *r)
{
	struct machine *m = r->m;

	r->phase = "teardown";
	r->inj.armed = false;
	fail_page_alloc_set(m, NULL);
	failslab_set(m, NULL);
	/* Back to process context on every cpu. */
	for (unsigned int cpu = 0; cpu < r->topo.nr_cpus; cpu++) {
		struct cpu_shadow *c = &r->cpu[cpu];

		if (!cpu_online(m, (int)cpu))
			continue;
		cpu_switch(m, (int)cpu);
		while (c->irq_depth) {
			irq_exit(m);
			c->irq_depth--;
			c->irqs_on = true;
		}
		while (c->preempt) {
			preempt_enable(m);
			c->preempt--;
		}
		if (machine_stage(m) >= STAGE_IRQS_ON && !c->irqs_on) {
			local_irq_enable(m);
			c->irqs_on = true;
		}
	}
	cpu_switch(m, (int)r->topo.boot_cpu);
	slab_teardown(r);
	for (unsigned int h = 0; h < r->p->nr_handles[HK_PAGE] + 8 && h < SF_PROG_MAX_OPS; h++)
		page_release(r, h);
	for (unsigned int h = 0; h < r->p->nr_handles[HK_MEMBLOCK]; h++)
		memblock_release_h(r, h);
	if (machine_stage(m) >= STAGE_BUDDY)
		drain_all_pages(m);
	run_check(r);
	check_accounting(r, "end of run");
}

static struct run the_run;

int sf_run_program(const struct sf_target *t, const struct sf_program *p,
		   const struct sf_run_opts *o)
{
	struct run *r = &the_run;
	struct sf_options opts;
	struct sf_error err;
	uint64_t ops = target_ops(t);
	unsigned int since_check = 0;

	memset(r, 0, offsetof(struct run, pages));
	memset(r->pages, 0, sizeof(r->pages[0]) * (p->nr_handles[HK_PAGE] + 8 < SF_PROG_MAX_OPS ?
						   p->nr_handles[HK_PAGE] + 8 : SF_PROG_MAX_OPS));
	memset(r->mbs, 0, sizeof(r->mbs[0]) * p->nr_handles[HK_MEMBLOCK]);
	memset(r->caches, 0, sizeof(r->caches[0]) * p->nr_handles[HK_CACHE]);
	memset(r->objs, 0, sizeof(r->objs[0]) * (p->nr_handles[HK_OBJ] + 8 < SF_PROG_MAX_OPS ?
						 p->nr_handles[HK_OBJ] + 8 : SF_PROG_MAX_OPS));
	memset(r->owned, 0, sizeof(r->owned));
	r->live_pages = 0;
	r->base_alloc = 0;
	r->base_free = 0;
	r->have_base = false;
	r->slab_used = false;
	r->t = t;
	r->p = p;
	r->o = o;
	r->phase = "machine_create";
	sf_prog_topology(&p->h, &r->topo);
	memset(&opts, 0, sizeof(opts));
	opts.bugs = o->bugs;
	opts.debug_level = p->h.debug_level;
	opts.slab_debug = sf_prog_slab_debug(&p->h);
	opts.memmap_together = p->h.memmap_together;
	opts.seed = 1;
	r->m = machine_create(&r->topo, &opts, &err);
	if (!r->m)
		run_fail(r, "HARNESS: machine_create refused a decoded topology", "%s: %s",
			 err.field, err.msg);
	sf_set_report_handler(r->m, on_report, r);
	sched_set_hook(r->m, sched_hook, r);
	r->phase = "prologue";
	if (t->prologue > STAGE_EARLY) {
		boot_op(r, t->prologue);
		if (o->trace)
			fprintf(o->trace, "  prologue: booted to %s\n",
				boot_stage_name(machine_stage(r->m)));
	}
	r->phase = "op";
	for (r->op_index = 0; r->op_index < p->nr_ops; r->op_index++) {
		const struct sf_op *op = &p->ops[r->op_index];
		bool ran;

		if (!((ops >> op->code) & 1)) {
			if (o->trace)
				fprintf(o->trace, "  #%u skipped (not a %s op)\n", r->op_index,
					t->name);
			continue;
		}
		if (o->trace) {
			char buf[256];

			sf_prog_print_op(p, op, buf, sizeof(buf));
			fprintf(o->trace, "  #%u %s\n", r->op_index, buf);
			fflush(o->trace);
		}
		ran = run_op(r, op);
		run_after_call(r);
		if (o->trace && !ran)
			fprintf(o->trace, "     (skipped: not allowed in this context)\n");
		check_context(r);
		if (ran && ++since_check >= t->check_every) {
			since_check = 0;
			run_check(r);
		}
	}
	r->phase = "epilogue";
	if (t->workload)
		workload(r);
	teardown(r);
	run_after_call(r);
	sched_set_hook(r->m, NULL, NULL);
	machine_destroy(r->m);
	r->m = NULL;
	return 0;
}

/* ---- fuzz entry helpers ---- */

void sf_fuzz_init(struct sf_run_opts *o)
{
	const char *env = getenv("SLABFUZZ_BUGS");
	struct sf_error err;

	memset(o, 0, sizeof(*o));
	if (env && sf_bugs_parse(env, &o->bugs, &err)) {
		fprintf(stderr, "slabfuzz: SLABFUZZ_BUGS: %s\n", err.msg);
		exit(2);
	}
	if (getenv("SLABFUZZ_TRACE"))
		o->trace = stdout;
}

static struct sf_program the_program;

int sf_fuzz_one(const char *target, const struct sf_run_opts *o, const uint8_t *data,
		size_t size)
{
	const struct sf_target *t = sf_target_find(target);

	if (!t)
		abort();
	if (!strcmp(target, "fuzz_program_text"))
		return sf_fuzz_text(data, size);
	if (size > SF_PROG_BINARY_MAX)
		size = SF_PROG_BINARY_MAX;
	sf_prog_decode(data, size, &the_program);
	return sf_run_program(t, &the_program, o);
}

static char text_a[1 << 16], text_b[1 << 16];
static uint8_t bin_a[SF_PROG_BINARY_MAX], bin_b[SF_PROG_BINARY_MAX];
static struct sf_program prog_b;

int sf_fuzz_text(const uint8_t *data, size_t size)
{
	char err[256];
	char *text;
	size_t la, lb;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sf_prog_parse(text, &the_program, err, sizeof(err))) {
		free(text);
		if (!strncmp(err, "line ", 5))
			return 0;
		fprintf(stderr, "slabfuzz: HARNESS: parse error without a line number\n%s\n", err);
		abort();
	}
	free(text);
	la = sf_prog_print(&the_program, text_a, sizeof(text_a));
	if (la >= sizeof(text_a))
		return 0;
	if (sf_prog_parse(text_a, &prog_b, err, sizeof(err))) {
		fprintf(stderr, "slabfuzz: HARNESS: printed program does not parse\n%s\n%s\n", err,
			text_a);
		abort();
	}
	lb = sf_prog_print(&prog_b, text_b, sizeof(text_b));
	if (la != lb || memcmp(text_a, text_b, la)) {
		fprintf(stderr, "slabfuzz: HARNESS: text round trip differs\n%s\n----\n%s\n", text_a,
			text_b);
		abort();
	}
	la = sf_prog_encode(&the_program, bin_a, sizeof(bin_a));
	sf_prog_decode(bin_a, la, &prog_b);
	lb = sf_prog_encode(&prog_b, bin_b, sizeof(bin_b));
	sf_prog_print(&prog_b, text_b, sizeof(text_b));
	if (la != lb || memcmp(bin_a, bin_b, la) || strcmp(text_a, text_b)) {
		fprintf(stderr, "slabfuzz: HARNESS: binary round trip differs\n%s\n----\n%s\n",
			text_a, text_b);
		abort();
	}
	return 0;
}
