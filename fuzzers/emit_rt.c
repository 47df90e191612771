/*
 * ---- the interpreter's rules, as plain C (fuzzers/emit_rt.c) ----
 *
 * The calls below are the ones fuzzers/interp*.c makes for each operation,
 * in the same order with the same arguments, under the same guards (the
 * harness's own record of cpus, interrupts, preemption and live handles),
 * and with the same memory writes (a pattern in every page block, object
 * and memblock allocation). A report the interpreter provokes on purpose
 * (an invalid gfp, a misuse op ...) is expected here too; any other BUG or
 * WARN report ends the run as a finding, as in the harness. Harness oracles
 * kept here (docs/fuzzing.md): the boot oracle, interrupt context, contents
 * of pages, objects and memblock allocations, misuse and invalid requests
 * that go unreported, zeroing, cache object size, tune results, the slab
 * and page accounting at the end, check_machine without a report. The rest
 * ("HARNESS: ..." titles not above) need the harness's shadow model: this
 * file then makes the same calls but does not check them.
 */
#define MAYBE_UNUSED __attribute__((unused))
#define GEOM_PAGE 4096u		/* the simulated page: kmalloc's natural alignment cap */

static struct machine *m;
static struct sf_topology topo;
static unsigned int opi = ~0u;		/* op running (~0u: prologue, epilogue) */
static const char *phase = "prologue";
static int cur;				/* the cpu the harness made current */
static char buf[1 << 16];
static char lbuf[1 << 14];

static struct {
	bool on;
	int depth, pre;
	int nr_saved;		/* local_irq_save: flags, state and depth saved */
	bool flags[4], saved[4];
	int saved_depth[4];
} cs[SF_MAX_CPUS];

enum { PH_PAGES, PH_ADDR, PH_EXACT };
static struct ph {
	bool live;
	int kind;
	unsigned int order;
	struct page *page;
	uint8_t *addr;
	size_t size;
	unsigned long nr;
	pfn_t pfn;
} pg[NH];
static struct mbh {
	bool live;
	uint8_t *ptr;
	size_t size;
} mb[NH];
static struct ch {
	bool live;
	struct kmem_cache *s;	/* set once created: stays after a destroy */
	size_t size;
	unsigned int flags, name, align_i;
	bool ctor;
} kc[NH];
static struct oh {
	bool live;
	uint8_t *ptr;
	size_t size, ks;
	int cache;		/* cache handle, -1: kmalloc */
	struct kmem_cache *km;	/* kmalloc: its kmalloc cache, NULL for a large one */
	bool dma;
	uint8_t seed;
} ob[NH];
static long live_pages;
static bool fail_page_on, failslab_on, boot_excused, slab_used;
static bool have_base, base_exact;
static long base_alloc, base_free;
static unsigned int since_check;

static struct {
	bool armed;
	int sp, code, h;
	unsigned int a1, a2;
} inj;
static bool in_hook;

/* ---- findings ---- */

static bool deferred;
static char deferred_title[SF_REPORT_TITLE_MAX];
static const char *expect_t[6];
static unsigned long expect_n[6];
static unsigned int nr_expect;

static _Noreturn void finding(const char *title)
{
	if (opi != ~0u)
		printf("finding at op #%u: %s\n", opi, title);
	else
		printf("finding during the %s: %s\n", phase, title);
	if (want[0] && !strcmp(want, title))
		printf("reproduced: %s\n", title);
	fflush(stdout);
	/* Like the harness's abort(): no exit handlers in the middle of a call
	 * (a leak check there would report what the call holds). */
	_Exit(1);
}

/* A harness oracle kept in this file; a WARN held back came first. */
static _Noreturn void hfail(const char *title)
{
	finding(deferred ? deferred_title : title);
}

static void after(void)
{
	if (deferred)
		finding(deferred_title);
}

static void expect(const char *title)
{
	if (nr_expect < 6) {
		expect_t[nr_expect] = title;
		expect_n[nr_expect++] = 0;
	}
}

static void expect_clear(void)
{
	nr_expect = 0;
}

static unsigned long seen(const char *title)
{
	for (unsigned int i = 0; i < nr_expect; i++)
		if (!strcmp(expect_t[i], title))
			return expect_n[i];
	return 0;
}

/* "BUG * (Not tainted): X": a cache name in the middle. */
static bool title_match(const char *pat, const char *title)
{
	const char *star = strchr(pat, '*');
	size_t pre, post, tl = strlen(title);

	if (!star)
		return !strcmp(pat, title);
	pre = (size_t)(star - pat);
	post = strlen(star + 1);
	return tl >= pre + post && !strncmp(pat, title, pre) && !strcmp(title + tl - post, star + 1);
}

static void on_report(struct machine *mm, const struct sf_report *r, void *d)
{
	(void)mm;
	(void)d;
	if (r->kind == SF_REPORT_INFO)
		return;
	printf("report: %s\n", r->title);
	for (unsigned int i = 0; i < nr_expect; i++)
		if (title_match(expect_t[i], r->title)) {
			expect_n[i]++;
			return;
		}
	/* A pending timer fires legitimately once interrupts are on. */
	if (!strcmp(r->title, "BUG: timer interrupt before timer init") &&
	    r->stage >= STAGE_IRQS_ON)
		return;
	/* A WARN lets the call finish; a BUG ends the run at once. */
	if (r->kind == SF_REPORT_WARN) {
		if (!deferred) {
			deferred = true;
			snprintf(deferred_title, sizeof(deferred_title), "%s", r->title);
		}
		return;
	}
	finding(r->title);
}

static void misuse_expect(const char *title);
static void memblock_release(int h);

/* ---- contexts ---- */

static MAYBE_UNUSED bool slab_ready(void)
{
	return machine_stage(m) >= STAGE_SLAB_PARTIAL;
}

static int me(void)
{
	return smp_processor_id(m);
}

static void switch_to(int cpu)
{
	if (!cpu_switch(m, cpu))
		cur = cpu;
}

static void ctx(void)
{
	int c = me();

	if (irqs_disabled(m) == cs[c].on)
		hfail(cs[c].on ? "HARNESS: interrupts disabled behind the caller's back" :
				 "HARNESS: interrupts enabled behind the caller's back");
	if (in_interrupt(m) != (cs[c].depth > 0))
		hfail("HARNESS: interrupt context changed behind the caller's back");
}

static bool atomic_ctx(void)
{
	int c = me();

	return machine_stage(m) >= STAGE_IRQS_ON && (!cs[c].on || cs[c].depth || cs[c].pre);
}

/* Expected reports of an allocation; true: an invalid request. */
static bool expect_alloc(gfp_t gfp)
{
	expect_clear();
	if (gfp & ~(gfp_t)__GFP_BITS_MASK) {
		expect("WARNING: invalid gfp flags");
		return true;
	}
	if ((gfp & __GFP_DMA) && (gfp & __GFP_DMA32)) {
		expect("WARNING: invalid gfp zone modifiers");
		return true;
	}
	if (gfpflags_allow_blocking(gfp & machine_gfp_allowed_mask(m)) && atomic_ctx())
		expect("BUG: sleeping function called from invalid context");
	expect("WARNING: __GFP_NOFAIL allocation impossible");
	return false;
}

/* Commands that may allocate with GFP_KERNEL. */
static MAYBE_UNUSED void expect_ctx(void)
{
	expect_clear();
	if (atomic_ctx())
		expect("BUG: sleeping function called from invalid context");
}

/* ---- pages ---- */

static uint64_t cookie(int h, size_t word)
{
	return (0x5AB0000000000000ull ^ ((uint64_t)h << 32)) + word * 0x9E3779B97F4A7C15ull;
}

static MAYBE_UNUSED bool do_memblock_alloc_invalid(int bad_node, size_t size)
{
	const char *title = bad_node ? "WARNING: memblock allocation on invalid node" :
				       "WARNING: memblock allocation with bad alignment";
	void *p;

	if (machine_stage(m) >= STAGE_BUDDY || in_hook)
		return false;
	expect_clear();
	expect(title);
	p = bad_node ? memblock_alloc_node(m, size, 8, (int)topo.nr_nodes) :
		       memblock_alloc_node(m, size, 24, SF_NO_NODE);
	if (p)
		hfail("HARNESS: invalid memblock allocation succeeded");
	misuse_expect(title);
	return true;
}

static MAYBE_UNUSED bool do_memblock_double_free(int h)
{
	struct mbh *b = &mb[h];

	if (!b->live || !b->size || machine_stage(m) >= STAGE_BUDDY || in_hook)
		return false;
	memblock_release(h);
	expect("WARNING: memblock_free of unreserved memory");
	memblock_free(m, b->ptr, b->size);
	misuse_expect("WARNING: memblock_free of unreserved memory");
	return true;
}

static int pfn_node(pfn_t pfn)
{
	for (unsigned int i = 0; i < topo.nr_ranges; i++)
		if (pfn >= topo.ranges[i].start_pfn && pfn < topo.ranges[i].end_pfn)
			return topo.ranges[i].node;
	return -1;
}

#define OWNED_PFNS 8192	/* > the largest pfn a program can describe */
static uint64_t owned[OWNED_PFNS / 64];

static bool owned_test(pfn_t pfn)
{
	return pfn < OWNED_PFNS && (owned[pfn / 64] >> (pfn % 64)) & 1;
}

static void owned_set(pfn_t pfn, bool on)
{
	if (pfn >= OWNED_PFNS)
		return;
	if (on)
		owned[pfn / 64] |= 1ull << (pfn % 64);
	else
		owned[pfn / 64] &= ~(1ull << (pfn % 64));
}

/* The zone of pfn by the topology's boundaries; the highest zone gfp allows. */
static int pfn_zone(pfn_t pfn)
{
	if (pfn < topo.zone_dma_end)
		return ZONE_DMA;
	if (pfn < topo.zone_dma32_end)
		return ZONE_DMA32;
	return pfn < topo.zone_movable_start ? ZONE_NORMAL : ZONE_MOVABLE;
}

static int gfp_zone_of(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return ZONE_DMA;
	if (gfp & __GFP_DMA32)
		return ZONE_DMA32;
	return (gfp & __GFP_MOVABLE) ? ZONE_MOVABLE : ZONE_NORMAL;
}

/* Nodes the zonelist may start from: the node asked, the cpu's (-2), or
 * (SF_NO_NODE) the nearest nodes with memory to the cpu's node. */
static uint32_t preferred_nodes(int nid)
{
	unsigned int best = ~0u;
	uint32_t mask = 0, mem = 0;
	int from = topo.cpu_node[me()];

	if (nid >= 0)
		return 1u << nid;
	if (nid == -2)
		return 1u << from;
	for (unsigned int i = 0; i < topo.nr_ranges; i++)
		mem |= 1u << topo.ranges[i].node;
	for (unsigned int n = 0; n < topo.nr_nodes; n++) {
		unsigned int d = sf_topology_distance(&topo, from, (int)n);

		if (!((mem >> n) & 1))
			continue;
		if (d < best) {
			best = d;
			mask = 0;
		}
		if (d == best)
			mask |= 1u << n;
	}
	return mask;
}

/* The ownership shadow: [p, p+len) against every live page block,
 * memblock allocation and object (the new one is not live yet). */
static void claim(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;

	if (!len)
		return;
	for (int i = 0; i < NH; i++) {
		if ((pg[i].live && pg[i].addr < end && pg[i].addr + pg[i].nr * SF_PAGE_SIZE > p) ||
		    (mb[i].live && mb[i].size && mb[i].ptr < end && mb[i].ptr + mb[i].size > p) ||
		    (ob[i].live && ob[i].ks && ob[i].ptr < end && ob[i].ptr + ob[i].ks > p))
			hfail("HARNESS: live allocations overlap");
	}
}

/* A new block: where the gfp allows, never owned twice, zeroed when asked. */
static void page_got(int h, gfp_t gfp, int nid)
{
	struct ph *p = &pg[h];
	gfp_t eff = gfp & machine_gfp_allowed_mask(m);
	pfn_t pfn = page_to_pfn(m, p->page);
	uint8_t *addr = page_address(m, p->page);
	int zone = (int)page_zonenum(m, p->page), got;
	uint32_t pref;
	uint64_t *w;

	if (p->kind != PH_EXACT && pfn & ((1ul << p->order) - 1))
		hfail("HARNESS: page block misaligned");
	if (p->addr && p->addr != addr)
		hfail("HARNESS: page address mismatch");
	if (zone != pfn_zone(pfn) || pfn_zone(pfn) > gfp_zone_of(eff))
		hfail("HARNESS: page from a zone the gfp does not allow");
	for (unsigned long i = 0; i < p->nr; i++) {
		if (pfn + i >= topo.ranges[topo.nr_ranges - 1].end_pfn || !pfn_valid(m, pfn + i))
			hfail("HARNESS: page outside memory");
		if (owned_test(pfn + i))
			hfail("HARNESS: page handed out twice");
	}
	if (eff & __GFP_ZERO)
		for (size_t i = 0; i < p->nr * SF_PAGE_SIZE; i++)
			if (addr[i])
				hfail("HARNESS: __GFP_ZERO page not zeroed");
	got = pfn_node(pfn);
	pref = preferred_nodes(nid);
	if (got >= 0 && pref && !((pref >> got) & 1) && (eff & __GFP_THISNODE))
		hfail("HARNESS: __GFP_THISNODE page from another node");
	for (unsigned long i = 0; i < p->nr; i++)
		owned_set(pfn + i, true);
	claim(addr, p->nr * SF_PAGE_SIZE);
	p->pfn = pfn;
	p->addr = addr;
	w = (uint64_t *)(void *)p->addr;
	for (size_t i = 0; i < p->nr * SF_PAGE_SIZE / 8; i++)
		w[i] = cookie(h, i);
	p->live = true;
	live_pages += (long)p->nr;
}

static void page_release(int h)
{
	struct ph *p = &pg[h];
	const uint64_t *w = (const uint64_t *)(const void *)p->addr;

	if (!p->live)
		return;
	for (size_t i = 0; i < p->nr * SF_PAGE_SIZE / 8; i++)
		if (w[i] != cookie(h, i))
			hfail("HARNESS: page contents changed while allocated");
	p->live = false;
	live_pages -= (long)p->nr;
	for (unsigned long i = 0; i < p->nr; i++)
		owned_set(p->pfn + i, false);
	expect_clear();
	if (p->kind == PH_PAGES)
		__free_pages(m, p->page, p->order);
	else if (p->kind == PH_ADDR)
		free_pages(m, (unsigned long)(uintptr_t)p->addr, p->order);
	else
		free_pages_exact(m, p->addr, p->size);
	after();
}

/* alloc_pages, alloc_pages_node (nid), __get_free_pages (addr). */
static void page_alloc(int h, int kind, int nid, gfp_t gfp, unsigned int order)
{
	struct ph *p = &pg[h];
	bool invalid = expect_alloc(gfp);

	memset(p, 0, sizeof(*p));
	if (order >= topo.max_order) {
		if (!(gfp & __GFP_NOWARN) && !invalid)
			expect("WARNING: page allocation order too large");
		invalid = true;
	}
	if (machine_stage(m) < STAGE_BUDDY && !invalid) {
		expect("WARNING: page allocation before buddy allocator is up");
		invalid = true;
	}
	p->order = order;
	p->nr = 1ul << order;
	p->kind = kind == PH_ADDR || kind == PH_ADDR + 10 ? PH_ADDR : PH_PAGES;
	if (kind == PH_ADDR + 10) {	/* get_zeroed_page */
		p->addr = (uint8_t *)(uintptr_t)get_zeroed_page(m, gfp);
		p->page = p->addr ? virt_to_page(m, p->addr) : NULL;
	} else if (kind == PH_ADDR) {
		p->addr = (uint8_t *)(uintptr_t)__get_free_pages(m, gfp, order);
		p->page = p->addr ? virt_to_page(m, p->addr) : NULL;
	} else if (nid != -2) {
		p->page = alloc_pages_node(m, nid, gfp, order);
	} else {
		p->page = alloc_pages(m, gfp, order);
	}
	after();
	if (invalid) {
		if (p->page)
			hfail("HARNESS: invalid page allocation succeeded");
		for (unsigned int i = 0; i < nr_expect; i++)
			if (strcmp(expect_t[i], "WARNING: __GFP_NOFAIL allocation impossible") &&
			    strcmp(expect_t[i], "BUG: sleeping function called from invalid context") &&
			    !expect_n[i])
				hfail("HARNESS: invalid page allocation not reported");
		expect_clear();
		return;
	}
	if (p->page && nr_expect && !strcmp(expect_t[0], "BUG: sleeping function called from "
					    "invalid context") && !expect_n[0])
		hfail("HARNESS: blocking allocation from atomic context not reported");
	if (!p->page) {
		if ((gfp & __GFP_NOFAIL) && !seen("WARNING: __GFP_NOFAIL allocation impossible"))
			hfail("HARNESS: __GFP_NOFAIL allocation returned NULL");
		expect_clear();
		return;
	}
	expect_clear();
	page_got(h, gfp, nid);
}

static MAYBE_UNUSED bool do_alloc_pages(int h, gfp_t gfp, unsigned int order)
{
	page_alloc(h, PH_PAGES, -2, gfp, order);
	return true;
}

static MAYBE_UNUSED bool do_alloc_pages_node(int h, int nid, gfp_t gfp, unsigned int order)
{
	page_alloc(h, PH_PAGES, nid, gfp, order);
	return true;
}

static MAYBE_UNUSED bool do_get_free_pages(int h, gfp_t gfp, unsigned int order)
{
	page_alloc(h, PH_ADDR, -2, gfp, order);
	return true;
}

static MAYBE_UNUSED bool do_alloc_pages_exact(int h, gfp_t gfp, size_t size)
{
	struct ph *p = &pg[h];
	bool invalid = expect_alloc(gfp);
	unsigned int order = 0;

	memset(p, 0, sizeof(*p));
	while (((size_t)SF_PAGE_SIZE << order) < size)
		order++;
	if (size && order >= topo.max_order && order < SF_MAX_ORDER_LIMIT && !invalid) {
		if (!(gfp & __GFP_NOWARN))
			expect("WARNING: page allocation order too large");
		invalid = true;
	}
	if (size && machine_stage(m) < STAGE_BUDDY && !invalid) {
		expect("WARNING: page allocation before buddy allocator is up");
		invalid = true;
	}
	p->kind = PH_EXACT;
	p->size = size;
	p->nr = (size + SF_PAGE_SIZE - 1) / SF_PAGE_SIZE;
	p->addr = alloc_pages_exact(m, size, gfp);
	after();
	if (!p->addr) {
		if (size && !invalid && order < topo.max_order && (gfp & __GFP_NOFAIL) &&
		    !seen("WARNING: __GFP_NOFAIL allocation impossible"))
			hfail("HARNESS: __GFP_NOFAIL allocation returned NULL");
		expect_clear();
		return true;
	}
	expect_clear();
	if (invalid || !size)
		hfail("HARNESS: invalid page allocation succeeded");
	p->page = virt_to_page(m, p->addr);
	if (!p->page)
		hfail("HARNESS: page outside memory");
	page_got(h, gfp, -2);
	return true;
}

static MAYBE_UNUSED bool do_free(int h)
{
	page_release(h);
	return true;
}

/* double_free, free_wrong_order (order < 0: double free). */
static MAYBE_UNUSED bool do_misuse(int h, int order)
{
	struct ph *p = &pg[h];
	bool armed = inj.armed;

	if (!p->live || in_hook)
		return true;
	inj.armed = false;	/* no interrupt may reuse the page in between */
	if (order < 0) {
		page_release(h);
		expect("BUG: Page already free");
		if (p->kind == PH_PAGES)
			__free_pages(m, p->page, p->order);
		else
			free_pages(m, (unsigned long)(uintptr_t)p->addr,
				   p->kind == PH_ADDR ? p->order : 0);
		after();
		if (!seen("BUG: Page already free"))
			hfail("HARNESS: double free not reported");
	} else if (p->kind != PH_EXACT && (unsigned int)order != p->order) {
		expect("BUG: Freeing page with wrong order");
		__free_pages(m, p->page, (unsigned int)order);
		after();
		if (!seen("BUG: Freeing page with wrong order"))
			hfail("HARNESS: free with wrong order not reported");
	}
	expect_clear();
	inj.armed = armed;
	return true;
}

static MAYBE_UNUSED bool do_get_zeroed_page(int h, gfp_t gfp)
{
	page_alloc(h, PH_ADDR + 10, -2, gfp | __GFP_ZERO, 0);
	return true;
}

/* A free the allocator must refuse with its report. */
static void misuse_expect(const char *title)
{
	after();
	if (!seen(title))
		hfail("HARNESS: misuse not reported");
	expect_clear();
}

static MAYBE_UNUSED bool do_free_tail_page(int h)
{
	struct ph *p = &pg[h];

	if (!p->live || p->kind == PH_EXACT || !p->order || in_hook)
		return false;
	expect_clear();
	expect("BUG: Freeing tail page");
	__free_pages(m, pfn_to_page(m, p->pfn + 1), 0);
	misuse_expect("BUG: Freeing tail page");
	return true;
}

/* The first reserved page from pfn `from` on (wrapping at max). */
static MAYBE_UNUSED bool do_free_reserved_page(pfn_t from, pfn_t max)
{
	if (machine_stage(m) < STAGE_BUDDY || !max || in_hook)
		return false;
	for (pfn_t i = 0; i < max; i++) {
		pfn_t pfn = (from + i) % max;

		if (pfn_page_state(m, pfn) != SF_PAGE_RESERVED)
			continue;
		expect_clear();
		expect("BUG: Freeing reserved page");
		__free_pages(m, pfn_to_page(m, pfn), 0);
		misuse_expect("BUG: Freeing reserved page");
		return true;
	}
	return false;
}

/* 16 bytes into the struct page of a pfn whose next pfn shares its section. */
static struct page *foreign_interior(void)
{
	pfn_t mask = ((pfn_t)1 << topo.section_shift) - 1;

	for (unsigned int i = 0; i < topo.nr_ranges; i++)
		for (pfn_t pfn = topo.ranges[i].start_pfn;
		     pfn + 1 < topo.ranges[i].end_pfn && pfn <= topo.ranges[i].start_pfn + 1; pfn++)
			if (((pfn + 1) & mask) && pfn_to_page(m, pfn))
				return (struct page *)(void *)((uint8_t *)pfn_to_page(m, pfn) + 16);
	return NULL;
}

static MAYBE_UNUSED bool do_free_foreign(int kind)
{
	static uint64_t not_a_page[64];
	const char *title = kind == 2 ? "WARNING: memblock_free of unreserved memory" :
					"BUG: Bad page address";
	struct page *inside = kind == 3 ? foreign_interior() : NULL;

	if (machine_stage(m) < STAGE_BUDDY || in_hook || (kind == 3 && !inside))
		return false;
	expect_clear();
	expect(title);
	if (kind == 0)
		free_pages(m, (unsigned long)(uintptr_t)not_a_page, 0);
	else if (kind == 1)
		__free_pages(m, (struct page *)(void *)not_a_page, 0);
	else if (kind == 2)
		memblock_free(m, not_a_page, sizeof(not_a_page));
	else
		__free_pages(m, inside, 0);
	misuse_expect(title);
	return true;
}

/* ---- memblock, pfn walks, dumps ---- */

static MAYBE_UNUSED bool do_memblock_alloc(int h, int nid, size_t size)
{
	struct mbh *b = &mb[h];
	bool late = machine_stage(m) >= STAGE_BUDDY;

	memset(b, 0, sizeof(*b));
	expect_clear();
	if (late)
		expect("WARNING: memblock allocation after buddy is up");
	b->ptr = nid == SF_NO_NODE ? memblock_alloc(m, size, 8) : memblock_alloc_node(m, size, 8, nid);
	after();
	if (late && (!seen("WARNING: memblock allocation after buddy is up") || b->ptr))
		hfail("HARNESS: memblock allocation after buddy not refused");
	expect_clear();
	if (!b->ptr)
		return true;
	for (size_t i = 0; i < size; i++)
		if (b->ptr[i])
			hfail("HARNESS: memblock allocation not zeroed");
	claim(b->ptr, size);
	memset(b->ptr, 0xa5 ^ (h & 0xff), size);
	b->size = size;
	b->live = true;
	return true;
}

static void memblock_release(int h)
{
	struct mbh *b = &mb[h];

	if (!b->live)
		return;
	for (size_t i = 0; i < b->size; i++)
		if (b->ptr[i] != (uint8_t)(0xa5 ^ (h & 0xff)))
			hfail("HARNESS: memblock contents changed");
	b->live = false;
	expect_clear();
	memblock_free(m, b->ptr, b->size);
	after();
}

static MAYBE_UNUSED bool do_memblock_free(int h)
{
	memblock_release(h);
	return true;
}

/* start is already taken modulo the program's largest pfn + 64. */
static MAYBE_UNUSED bool do_pfn_walk(pfn_t start, unsigned int count)
{
	bool sparse_up = machine_stage(m) >= STAGE_SPARSE;

	for (pfn_t pfn = start; pfn < start + count; pfn++) {
		bool valid = pfn_valid(m, pfn);
		int nid = pfn_node(pfn);
		struct page *page;

		if (!sparse_up && valid)
			hfail("HARNESS: pfn_valid before sparse init");
		if (sparse_up && nid >= 0 && !valid)
			hfail("HARNESS: memory pfn not valid");
		if (!valid)
			continue;
		page = pfn_to_page(m, pfn);
		if (!page || page_to_pfn(m, page) != pfn)
			hfail("HARNESS: pfn_to_page/page_to_pfn disagree");
		if (virt_to_page(m, page_address(m, page)) != page)
			hfail("HARNESS: page_address/virt_to_page disagree");
		if (nid >= 0 && page_to_nid(m, page) != nid)
			hfail("HARNESS: page on the wrong node");
		if (nid >= 0)
			(void)page_zonenum(m, page);
	}
	return true;
}

static MAYBE_UNUSED bool do_dump(unsigned int kind)
{
	enum boot_stage s = machine_stage(m);

	if (kind == 0 && s >= STAGE_BUDDY)
		dump_buddyinfo(m, buf, sizeof(buf));
	else if (kind == 1 && s >= STAGE_BUDDY)
		dump_zoneinfo(m, buf, sizeof(buf));
	else if (kind == 2 && s >= STAGE_SPARSE)
		dump_memory_map(m, buf, sizeof(buf));
	else if (kind >= 3 && s >= STAGE_SLAB_PARTIAL)
		dump_slabinfo(m, buf, sizeof(buf));
	return true;
}

/* ---- slab ---- */

#define PF_HWCACHE 1u
#define PF_DMA 2u
#define PF_NO_MERGE 4u
#define PF_CONSISTENCY 8u
#define PF_RED_ZONE 16u
#define PF_POISON_USER 32u
#define PF_CTOR 64u

static const char *const cache_names[] = { "cache0", "cache1", "cache2", "cache3",
					   "kmalloc-64", "kmem_cache_node", "dup", "dup",
					   "a_cache_name_31_characters_long" };
static const unsigned int aligns[] = { 0, 8, 16, 32, 64, 128, 4, 3, 1, 2 };

static void ctor(void *x)
{
	memset(x, 0xc7, 1);
}

static uint8_t pat(uint8_t seed, size_t i)
{
	return (uint8_t)(seed * 31u + i * 7u + 1u);
}

static bool intact(const struct oh *o, const uint8_t *p, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
		if (p[i] != pat(o->seed, i))
			return false;
	return true;
}

/* A slab op: the result handle starts empty; the slab layer must be up. */
static MAYBE_UNUSED bool slab_op(int result, bool obj)
{
	if (result >= 0) {
		if (obj)
			memset(&ob[result], 0, sizeof(ob[0]));
		else
			memset(&kc[result], 0, sizeof(kc[0]));
	}
	if (slab_ready())
		return true;
	if (PROLOGUE >= STAGE_SLAB_PARTIAL && !boot_excused)
		hfail("HARNESS: slab op skipped: the slab layer is not up");
	return false;
}

static void expect_slab_alloc(gfp_t gfp, bool kmalloc_family)
{
	expect_alloc(gfp);
	expect_clear();
	if (kmalloc_family && (gfp & (__GFP_DMA32 | ~(gfp_t)__GFP_BITS_MASK)))
		expect("WARNING: Unexpected gfp in kmalloc");
	if (gfpflags_allow_blocking(gfp & machine_gfp_allowed_mask(m)) && atomic_ctx())
		expect("BUG: sleeping function called from invalid context");
	expect("WARNING: __GFP_NOFAIL allocation impossible");
}

/* What the harness expects of a new object. */
struct obj_want {
	int cache;		/* cache handle, -1: kmalloc */
	struct kmem_cache *km;	/* kmalloc: its cache (NULL: a large kmalloc) */
	bool dma;
	unsigned int align;
};

static struct obj_want want_kmalloc(size_t size, bool dma)
{
	struct obj_want w = { -1, kmalloc_slab(m, size, dma ? __GFP_DMA : 0), dma, 8 };

	return w;
}

static struct obj_want want_cache(int c)
{
	unsigned int a = aligns[kc[c].align_i];
	struct obj_want w = { c, NULL, (kc[c].flags & PF_DMA) != 0, 8 };

	if (!(a & (a - 1)) && a > 8)
		w.align = a;
	return w;
}

/* A new object: aligned, in ZONE_DMA and on the node when asked, zeroed
 * from zero_from (< size) when asked. */
static void obj_got(int h, uint8_t *p, size_t size, const struct obj_want *e, gfp_t gfp,
		    size_t zero_from, int nid)
{
	struct oh *o = &ob[h];
	size_t nat = size & -size;

	if (!size) {
		if ((void *)p != ZERO_SIZE_PTR)
			hfail("HARNESS: kmalloc(0) did not return ZERO_SIZE_PTR");
		return;
	}
	if (ZERO_OR_NULL_PTR(p))
		hfail("HARNESS: slab object is ZERO_SIZE_PTR");
	if ((uintptr_t)p % e->align)
		hfail("HARNESS: slab object misaligned");
	if (e->cache < 0 && (uintptr_t)p % (nat > GEOM_PAGE ? GEOM_PAGE : nat))
		hfail("HARNESS: kmalloc object not naturally aligned");
	o->ks = ksize(m, p);
	if (o->ks < size)
		hfail("HARNESS: ksize smaller than the size asked");
	if (e->dma && page_zonenum(m, virt_to_page(m, p)) != ZONE_DMA)
		hfail("HARNESS: DMA slab object outside ZONE_DMA");
	if (nid >= 0 && (gfp & __GFP_THISNODE) && page_to_nid(m, virt_to_page(m, p)) != nid)
		hfail("HARNESS: __GFP_THISNODE slab object from another node");
	claim(p, o->ks);
	if (zero_from < size && !(e->cache >= 0 && kc[e->cache].ctor))
		for (size_t i = zero_from; i < size; i++)
			if (p[i])
				hfail("HARNESS: zeroed slab object not zeroed");
	o->ptr = p;
	o->size = size;
	o->cache = e->cache;
	o->km = e->km;
	o->dma = e->dma;
	o->seed = (uint8_t)(h * 13u + 5u);
	o->live = true;
	for (size_t i = 0; i < o->ks; i++)
		p[i] = pat(o->seed, i);
	slab_used = true;
}

static void alloc_result(int h, void *p, size_t size, const struct obj_want *e, gfp_t gfp,
			 bool zero, int nid)
{
	gfp_t eff = gfp & machine_gfp_allowed_mask(m);

	after();
	expect_clear();
	if (!p)
		return;
	obj_got(h, p, size, e, gfp, zero || (eff & __GFP_ZERO) ? 0 : SIZE_MAX, nid);
}

static void obj_release(int h, bool twice)
{
	struct oh *o = &ob[h];
	struct kmem_cache *s;

	if (!o->live)
		return;
	if (!intact(o, o->ptr, o->ks))
		hfail("HARNESS: slab object contents changed while allocated");
	o->live = false;
	s = o->cache >= 0 ? kc[o->cache].s : NULL;
	expect_clear();
	if (s)
		kmem_cache_free(m, s, o->ptr);
	else
		kfree(m, o->ptr);
	after();
	if (!twice)
		return;
	expect("BUG * (Not tainted): Object already free");
	if (s)
		kmem_cache_free(m, s, o->ptr);
	else
		kfree(m, o->ptr);
	after();
	if (!seen("BUG * (Not tainted): Object already free"))
		hfail("HARNESS: slab double free not reported");
	expect_clear();
}

static void kmalloc_op(int h, size_t size, gfp_t gfp, int nid, bool zero)
{
	struct obj_want w;
	void *p;

	expect_slab_alloc(gfp, true);
	if (zero)
		p = kzalloc(m, size, gfp);
	else if (nid >= 0)
		p = kmalloc_node(m, size, gfp, nid);
	else
		p = kmalloc(m, size, gfp);
	w = want_kmalloc(size, (gfp & __GFP_DMA) != 0);
	alloc_result(h, p, size, &w, gfp, zero, nid);
}

static MAYBE_UNUSED bool do_kmem_cache_create(int h, unsigned int name, unsigned int size,
					      unsigned int align_i, unsigned int f)
{
	struct ch *c = &kc[h];
	unsigned int align = aligns[align_i], flags = 0;
	struct kmem_cache *s;

	if (!slab_op(h, false))
		return false;
	c->name = name;
	c->align_i = align_i;
	flags |= (f & PF_HWCACHE) ? SLAB_HWCACHE_ALIGN : 0;
	flags |= (f & PF_DMA) ? SLAB_CACHE_DMA : 0;
	flags |= (f & PF_NO_MERGE) ? SLAB_NO_MERGE : 0;
	flags |= (f & PF_CONSISTENCY) ? SLAB_CONSISTENCY_CHECKS : 0;
	flags |= (f & PF_RED_ZONE) ? SLAB_RED_ZONE : 0;
	flags |= (f & PF_POISON_USER) ? SLAB_POISON | SLAB_STORE_USER : 0;
	expect_ctx();
	/* A name already taken: refused with the sysfs WARN. */
	for (int i = 0; i < h; i++)
		if (kc[i].s && !strcmp(cache_names[kc[i].name], cache_names[name]))
			expect("WARNING: sysfs: cannot create duplicate filename");
	if (name == 4 || name == 5)
		expect("WARNING: sysfs: cannot create duplicate filename");
	c->size = size;
	c->ctor = (f & PF_CTOR) != 0;
	s = kmem_cache_create(m, cache_names[name], size, align, flags,
			      (f & PF_CTOR) ? ctor : NULL);
	after();
	slab_used = true;
	if (!s)
		return true;
	c->s = s;
	c->flags = f;
	c->live = true;
	if (kmem_cache_size(s) < size && !(f & PF_CTOR))
		hfail("HARNESS: cache object size smaller than asked");
	return true;
}

static void cache_destroy(int h)
{
	struct ch *c = &kc[h];

	if (!c->live)
		return;
	/* The last reference with objects live would be the caller's bug. */
	for (int i = 0; i < NR_OBJ_H + 8 && i < MAX_OPS; i++)
		if (ob[i].live && ob[i].cache >= 0 && kc[ob[i].cache].s == c->s)
			return;
	c->live = false;
	expect_ctx();
	kmem_cache_destroy(m, c->s);
	after();
}

static MAYBE_UNUSED bool do_kmem_cache_destroy(int h)
{
	if (!slab_op(-1, false))
		return false;
	cache_destroy(h);
	return true;
}

static MAYBE_UNUSED bool do_kmem_cache_alloc(int h, int c, gfp_t gfp, int nid)
{
	struct obj_want w;
	void *p;

	if (!slab_op(h, true) || !kc[c].live)
		return false;
	expect_slab_alloc(gfp, false);
	p = nid == SF_NO_NODE ? kmem_cache_alloc(m, kc[c].s, gfp) :
				kmem_cache_alloc_node(m, kc[c].s, gfp, nid);
	w = want_cache(c);
	alloc_result(h, p, kc[c].size, &w, gfp, false, nid);
	return true;
}

static MAYBE_UNUSED bool do_kfree(int h)
{
	if (!slab_op(-1, false))
		return false;
	obj_release(h, false);
	return true;
}

static MAYBE_UNUSED bool do_slab_double_free(int h)
{
	if (!slab_op(-1, false))
		return false;
	if (in_hook || !ob[h].live || ob[h].cache < 0 || !(kc[ob[h].cache].flags & PF_CONSISTENCY))
		return false;
	obj_release(h, true);
	return true;
}

static MAYBE_UNUSED bool do_kmalloc(int h, size_t size, gfp_t gfp, int nid, bool zero)
{
	if (!slab_op(h, true))
		return false;
	kmalloc_op(h, size, gfp, nid, zero);
	return true;
}

static MAYBE_UNUSED bool do_kcalloc(int h, size_t n, size_t size, gfp_t gfp)
{
	struct obj_want w;
	void *p;

	if (!slab_op(h, true))
		return false;
	expect_slab_alloc(gfp, true);
	p = kcalloc(m, n, size, gfp);
	w = want_kmalloc(n * size, (gfp & __GFP_DMA) != 0);
	alloc_result(h, p, n * size, &w, gfp, true, -1);
	return true;
}

static MAYBE_UNUSED bool do_krealloc(int h, int old_h, size_t size, gfp_t gfp)
{
	struct oh *old = &ob[old_h], saved;
	struct obj_want w;
	gfp_t eff = gfp & machine_gfp_allowed_mask(m);
	uint8_t *p;

	if (!slab_op(h, true))
		return false;
	if (!old->live)
		return true;
	saved = *old;
	if (!intact(old, old->ptr, old->ks))
		hfail("HARNESS: slab object contents changed while allocated");
	expect_slab_alloc(gfp, true);
	p = krealloc(m, old->ptr, size, gfp);
	after();
	expect_clear();
	if (!p)
		return true;
	old->live = false;
	if (!size)
		return true;
	(void)ksize(m, p);
	if (!intact(&saved, p, saved.ks < size ? saved.ks : size))
		hfail("HARNESS: krealloc lost the contents");
	if (p == saved.ptr) {
		/* In place: still the old object, of the old one's cache. */
		w = saved.cache >= 0 ? want_cache(saved.cache) : want_kmalloc(size, saved.dma);
		w.km = saved.km;
		obj_got(h, p, size, &w, 0, SIZE_MAX, -1);
	} else {
		w = want_kmalloc(size, (gfp & __GFP_DMA) != 0);
		obj_got(h, p, size, &w, gfp, (eff & __GFP_ZERO) ? saved.ks : SIZE_MAX, -1);
	}
	return true;
}

static MAYBE_UNUSED bool do_kmem_cache_tune(int h, unsigned int limit, unsigned int batch,
					    unsigned int shared)
{
	bool valid = limit >= 1 && limit <= SLAB_LIMIT_MAX && batch >= 1 && batch <= limit &&
		     batch <= SLAB_BATCH_MAX && shared <= SLAB_SHARED_MAX;
	unsigned long injected;
	int ret;

	if (!slab_op(-1, false) || !kc[h].live)
		return false;
	injected = failslab_stats(m).failures;
	expect_ctx();
	ret = kmem_cache_tune(m, kc[h].s, limit, batch, shared);
	after();
	/* failslab failed one of its new arrays: nothing changed */
	if (valid && ret == -ENOMEM && failslab_stats(m).failures > injected)
		return true;
	if ((ret == 0) != valid)
		hfail("HARNESS: kmem_cache_tune result differs from the shadow");
	return true;
}

static MAYBE_UNUSED bool do_kmem_cache_shrink(int h)
{
	if (!slab_op(-1, false) || !kc[h].live)
		return false;
	expect_ctx();
	kmem_cache_shrink(m, kc[h].s);
	after();
	return true;
}

static MAYBE_UNUSED bool do_kmem_cache_validate(int h)
{
	if (!slab_op(-1, false) || !kc[h].live)
		return false;
	expect_ctx();
	if (kmem_cache_validate(m, kc[h].s))
		hfail("HARNESS: kmem_cache_validate found problems without a report");
	after();
	return true;
}

static long attr_read(const char *dir, const char *attr, unsigned long *v)
{
	static char abuf[4096];
	long ret;

	expect_clear();
	ret = slab_attr_show(m, dir, attr, abuf, sizeof(abuf));
	after();
	*v = ret > 0 ? strtoul(abuf, NULL, 10) : 0;
	return ret;
}

static MAYBE_UNUSED bool do_attr_show(int h, const char *attr, bool totals)
{
	unsigned long v;

	if (!slab_op(-1, false) || !kc[h].live || machine_stage(m) < STAGE_SLAB_UP)
		return false;
	(void)attr_read(kmem_cache_name(kc[h].s), attr, &v);
	if (totals) {
		(void)attr_read(kmem_cache_name(kc[h].s), "slabs", &v);
		(void)attr_read(kmem_cache_name(kc[h].s), "total_objects", &v);
		(void)attr_read(kmem_cache_name(kc[h].s), "partial", &v);
	}
	return true;
}

static MAYBE_UNUSED bool do_attr_store(int h, const char *attr, const char *val)
{
	if (!slab_op(-1, false) || !kc[h].live || machine_stage(m) < STAGE_SLAB_UP)
		return false;
	expect_ctx();
	(void)slab_attr_store(m, kmem_cache_name(kc[h].s), attr, val);
	after();
	return true;
}

/* The program's fault injection (prob in units of 1000 ppm). */
static MAYBE_UNUSED struct fault_attr fault_of(unsigned int nth, unsigned int prob,
					       unsigned int persistent, unsigned int ignore_reclaim,
					       unsigned int seed)
{
	struct fault_attr a;

	memset(&a, 0, sizeof(a));
	a.nth = nth;
	a.probability = prob * 1000u;
	a.persistent = persistent;
	a.ignore_gfp_reclaim = ignore_reclaim;
	a.seed = seed;
	return a;
}

static MAYBE_UNUSED bool do_failslab(unsigned int nth, unsigned int prob, unsigned int persistent,
				     unsigned int ignore_reclaim, unsigned int seed,
				     const char *filter)
{
	struct fault_attr a = fault_of(nth, prob, persistent, ignore_reclaim, seed);

	snprintf(a.cache_filter, sizeof(a.cache_filter), "%s", filter);
	if (!slab_ready())
		return false;
	failslab_on = a.nth || a.probability;
	failslab_set(m, failslab_on ? &a : NULL);
	return true;
}

static MAYBE_UNUSED bool do_failslab_off(void)
{
	if (!slab_ready())
		return false;
	failslab_on = false;
	failslab_set(m, NULL);
	return true;
}

/* Frees the slab layer must refuse with its report, freeing nothing. */
static bool bad_free(const char *title)
{
	after();
	if (!seen(title))
		hfail("HARNESS: misuse not reported");
	expect_clear();
	return true;
}

static MAYBE_UNUSED bool do_kfree_page(int h)
{
	if (!slab_op(-1, false) || in_hook)
		return false;
	expect_clear();
	if (!pg[h].live)
		return false;
	expect("WARNING: kfree of memory not from kmalloc");
	kfree(m, pg[h].addr);
	return bad_free("WARNING: kfree of memory not from kmalloc");
}

static MAYBE_UNUSED bool do_kfree_foreign(void)
{
	static uint64_t not_an_object[8];

	if (!slab_op(-1, false) || in_hook)
		return false;
	expect_clear();
	expect("WARNING: kfree of memory not from kmalloc");
	kfree(m, not_an_object);
	return bad_free("WARNING: kfree of memory not from kmalloc");
}

static MAYBE_UNUSED bool do_kmem_cache_free_wrong(int c, int h)
{
	struct oh *o = &ob[h];

	if (!slab_op(-1, false) || in_hook)
		return false;
	expect_clear();
	if (!kc[c].live || !o->live || o->cache < 0 || kc[o->cache].s == kc[c].s)
		return false;
	expect("BUG * (Not tainted): Wrong slab cache");
	kmem_cache_free(m, kc[c].s, o->ptr);
	return bad_free("BUG * (Not tainted): Wrong slab cache");
}

/* The slab of a live object as the core lays it out (virt_to_slab,
 * page_block_order and the cache's align and slab_size attributes): the
 * interpreter takes the same from its own geometry, equal unless one of
 * its geometry oracles fires. */
static bool obj_slab(const struct oh *o, struct page **head, unsigned int *order,
		     unsigned long *align, unsigned long *stride)
{
	struct kmem_cache *s;

	if (!o->live || (o->cache < 0 && !o->km))
		return false;
	s = virt_to_slab(m, o->ptr, head);
	if (!s)
		return false;
	*order = page_block_order(m, *head);
	if (align && (attr_read(kmem_cache_name(s), "align", align) <= 0 ||
		      attr_read(kmem_cache_name(s), "slab_size", stride) <= 0))
		return false;
	return true;
}

static MAYBE_UNUSED bool do_kmem_cache_free_interior(int h, int kind)
{
	struct oh *o = &ob[h];
	unsigned long align = 0, stride = 0;
	unsigned int order;
	struct page *head;
	const char *title = kind ? "BUG * (Not tainted): Invalid object pointer" :
				   "BUG * (Not tainted): Misaligned object pointer";
	uint8_t *x;

	if (!slab_op(-1, false) || in_hook)
		return false;
	expect_clear();
	if (!o->live || DEBUG_LEVEL < 1 || !obj_slab(o, &head, &order, &align, &stride))
		return false;
	x = kind ? (align < stride ? o->ptr + align : NULL) : (align > 1 ? o->ptr + 1 : NULL);
	if (!x)
		return false;
	expect_clear();
	expect(title);
	if (o->cache >= 0)
		kmem_cache_free(m, kc[o->cache].s, x);
	else
		kfree(m, x);
	return bad_free(title);
}

static MAYBE_UNUSED bool do_free_slab_page(int h)
{
	unsigned int order;
	struct page *head;

	if (!slab_op(-1, false) || in_hook)
		return false;
	expect_clear();
	if (!obj_slab(&ob[h], &head, &order, NULL, NULL))
		return false;
	expect("BUG: Bad page state");
	__free_pages(m, head, order);
	return bad_free("BUG: Bad page state");
}

static bool is_kmalloc_cache(struct kmem_cache *s);

/* A second destroy of a handle merged into a kmalloc cache. */
static MAYBE_UNUSED bool do_kmem_cache_destroy_again(int h)
{
	if (!slab_op(-1, false) || in_hook)
		return false;
	expect_clear();
	if (kc[h].live || !kc[h].s || !is_kmalloc_cache(kc[h].s))
		return false;
	for (int i = 0; i < NR_CACHE_H; i++)
		if (i != h && kc[i].live && kc[i].s == kc[h].s)
			return false;
	expect("WARNING: kmem_cache_destroy of a cache that cannot go");
	kmem_cache_destroy(m, kc[h].s);
	return bad_free("WARNING: kmem_cache_destroy of a cache that cannot go");
}

/* The shrink of every registered cache (the harness's baseline). */
static void shrink_all(void)
{
	size_t n;

	if (machine_stage(m) < STAGE_SLAB_UP)
		return;
	n = slab_sysfs_list(m, lbuf, sizeof(lbuf));
	if (n >= sizeof(lbuf))
		return;
	for (char *s = lbuf; *s;) {
		size_t l = strcspn(s, "\n");
		char name[SLAB_NAME_MAX + 1];

		if (l && l < sizeof(name)) {
			memcpy(name, s, l);
			name[l] = '\0';
			expect_clear();
			(void)slab_attr_store(m, name, "shrink", "1");
			after();
		}
		s += l;
		if (*s)
			s++;
	}
}

/* ---- injected interrupts ---- */

static MAYBE_UNUSED bool do_arm(int code, int sp, int h, unsigned int a1, unsigned int a2)
{
	if (code == 2 && !slab_op(h, true))
		return false;
	if (code == 0 && h >= 0)
		memset(&pg[h], 0, sizeof(pg[0]));
	inj.armed = true;
	inj.sp = sp;
	inj.code = code;
	inj.h = h;
	inj.a1 = a1;
	inj.a2 = a2;
	return true;
}

static void injected(void)
{
	int c = me();
	bool caller_on = cs[c].on;
	const char *saved[6];
	unsigned long saved_n[6];
	unsigned int saved_nr = nr_expect;

	memcpy(saved, expect_t, sizeof(saved));
	memcpy(saved_n, expect_n, sizeof(saved_n));
	inj.armed = false;
	in_hook = true;
	irq_enter(m);
	cs[c].depth++;
	cs[c].on = false;
	if (inj.code == 0)	/* irq_at: alloc_pages */
		page_alloc(inj.h, PH_PAGES, -2, inj.a1, inj.a2);
	else if (inj.code == 1)	/* irq_free_at */
		page_release((int)inj.a1);
	else if (slab_ready())	/* kmalloc_irq_at */
		kmalloc_op(inj.h, inj.a1, inj.a2, -1, false);
	ctx();
	irq_exit(m);
	cs[c].depth--;
	cs[c].on = caller_on;
	in_hook = false;
	memcpy(expect_t, saved, sizeof(saved));
	memcpy(expect_n, saved_n, sizeof(saved_n));
	nr_expect = saved_nr;
}

static void hook(struct machine *mm, enum sched_point sp, int cpu, void *d)
{
	(void)d;
	if (cpu != cur)
		hfail("HARNESS: sched point on another cpu");
	if (!inj.armed || in_hook || (int)sp != inj.sp || irqs_disabled(mm) || in_interrupt(mm))
		return;
	injected();
}

/* ---- boot and accounting ---- */

static void count_pages(long *alloc, long *free_now)
{
	*alloc = 0;
	*free_now = 0;
	for (unsigned int i = 0; i < topo.nr_ranges; i++)
		for (pfn_t pfn = topo.ranges[i].start_pfn; pfn < topo.ranges[i].end_pfn; pfn++) {
			enum sf_page_state st = pfn_page_state(m, pfn);

			*alloc += st == SF_PAGE_ALLOCATED;
			*free_now += st == SF_PAGE_BUDDY || st == SF_PAGE_PCP;
		}
	*alloc -= live_pages;
	*free_now += live_pages;
}

static void take_baseline(void)
{
	have_base = false;
	if (machine_stage(m) < STAGE_BUDDY)
		return;
	shrink_all();
	count_pages(&base_alloc, &base_free);
	/* after the shrink, which an armed interrupt may allocate in */
	base_exact = true;
	for (int i = 0; i < NR_OBJ_H; i++)
		base_exact &= !ob[i].live;
	for (int i = 0; i < NR_CACHE_H; i++)
		base_exact &= !kc[i].live;
	have_base = true;
	slab_used = false;
}

static void check_accounting(void)
{
	long alloc, free_now;
	bool unshrinkable = slab_used && machine_stage(m) >= STAGE_SLAB_PARTIAL &&
			    machine_stage(m) < STAGE_SLAB_UP;

	if (!have_base)
		return;
	shrink_all();
	count_pages(&alloc, &free_now);
	if (alloc + free_now != base_alloc + base_free || (!unshrinkable && alloc > base_alloc) ||
	    (!unshrinkable && base_exact && alloc != base_alloc))
		hfail("HARNESS: page accounting differs from the post-boot state");
}

static void run_check(void)
{
	expect_clear();
	if (!check_machine(m))
		hfail("HARNESS: check_machine failed without a report");
	after();
}

/* The harness's rule of enough memory to boot (fuzzers/interp.c). */
static bool boot_memory_enough(void)
{
	long normal[SF_MAX_NODES] = { 0 }, memmap[SF_MAX_NODES] = { 0 };
	long largest[SF_MAX_NODES] = { 0 };
	long held = live_pages;
	unsigned int bshift = topo.section_shift, nodes_normal = 0;
	pfn_t end = topo.ranges[topo.nr_ranges - 1].end_pfn;

	for (int i = 0; i < NR_OBJ_H + 8 && i < MAX_OPS; i++)
		if (ob[i].live)
			return false;
	for (int i = 0; i < NR_CACHE_H; i++)
		if (kc[i].live)
			return false;
	for (int i = 0; i < NR_MB_H; i++)
		if (mb[i].live)
			held += (long)((mb[i].size + SF_PAGE_SIZE - 1) / SF_PAGE_SIZE) + 1;
	while ((1u << (bshift - topo.section_shift)) < topo.vmemmap_block_sections)
		bshift++;
	for (unsigned int i = 0; i < topo.nr_ranges; i++) {
		const struct sf_mem_range *rg = &topo.ranges[i];
		pfn_t top = rg->end_pfn < topo.zone_movable_start ? rg->end_pfn :
								    topo.zone_movable_start;

		if ((long)(rg->end_pfn - rg->start_pfn) > largest[rg->node])
			largest[rg->node] = (long)(rg->end_pfn - rg->start_pfn);
		if (rg->start_pfn < topo.zone_movable_start)
			normal[rg->node] += (long)(top - rg->start_pfn);
	}
	for (pfn_t b = 0; b < end; b += (pfn_t)1 << bshift) {
		pfn_t first = SF_MAX_PFN;
		int nid = -1;

		for (unsigned int i = 0; i < topo.nr_ranges; i++) {
			const struct sf_mem_range *rg = &topo.ranges[i];
			pfn_t lo = rg->start_pfn > b ? rg->start_pfn : b;

			if (rg->end_pfn > b && rg->start_pfn < b + ((pfn_t)1 << bshift) && lo < first) {
				first = lo;
				nid = rg->node;
			}
		}
		if (nid >= 0)
			memmap[nid] += (long)((((pfn_t)1 << bshift) * 64 + SF_PAGE_SIZE - 1) /
					      SF_PAGE_SIZE);
	}
	for (unsigned int n = 0; n < topo.nr_nodes; n++) {
		if (!normal[n])
			continue;
		nodes_normal++;
		if (normal[n] - memmap[n] - held < 32 || largest[n] - held < memmap[n])
			return false;
	}
	return nodes_normal > 0;
}

static void boot_op(enum boot_stage stage)
{
	int c = me();
	enum boot_stage before = machine_stage(m), now;
	int ret;

	if (stage <= before || cs[c].depth || cs[c].pre || (before >= STAGE_IRQS_ON && !cs[c].on) ||
	    c != (int)topo.boot_cpu)
		return;
	expect_clear();
	ret = machine_boot(m, stage);
	after();
	now = machine_stage(m);
	if (before < STAGE_IRQS_ON && now >= STAGE_IRQS_ON)
		cs[me()].on = true;
	if (before < STAGE_SMP_UP && now >= STAGE_SMP_UP)
		for (unsigned int i = 0; i < topo.nr_cpus; i++)
			if ((int)i != me() && i != topo.boot_cpu)
				cs[i].on = true;
	if (ret) {
		printf("machine_boot(%s) from %s returned %d\n", boot_stage_name(stage),
		       boot_stage_name(before), ret);
		if (fail_page_on || failslab_on)
			boot_excused = true;
		if (!boot_excused) {
			boot_excused = true;
			if (boot_memory_enough()) {
				run_check();
				hfail("HARNESS: boot failed with memory available");
			}
		}
	}
	take_baseline();
}

/* ---- the core ops ---- */

static MAYBE_UNUSED bool do_boot(enum boot_stage stage)
{
	boot_op(stage);
	return true;
}

static MAYBE_UNUSED bool do_cpu(int cpu)
{
	if (!cpu_online(m, cpu))
		return false;
	switch_to(cpu);
	return true;
}

static MAYBE_UNUSED bool do_local_irq_disable(void)
{
	local_irq_disable(m);
	cs[me()].on = false;
	return true;
}

static MAYBE_UNUSED bool do_local_irq_enable(void)
{
	int c = me();

	if (machine_stage(m) < STAGE_IRQS_ON || cs[c].depth)
		return false;
	local_irq_enable(m);
	cs[c].on = true;
	return true;
}

static MAYBE_UNUSED bool do_local_irq_save(void)
{
	int c = me(), n = cs[c].nr_saved;

	if (n == 4)
		return false;
	cs[c].flags[n] = local_irq_save(m);
	cs[c].saved[n] = cs[c].on;
	cs[c].saved_depth[n] = cs[c].depth;
	cs[c].nr_saved++;
	cs[c].on = false;
	return true;
}

static MAYBE_UNUSED bool do_local_irq_restore(void)
{
	int c = me(), n = cs[c].nr_saved;

	if (!n || cs[c].saved_depth[n - 1] != cs[c].depth)
		return false;
	cs[c].nr_saved--;
	local_irq_restore(m, cs[c].flags[n - 1]);
	cs[c].on = cs[c].saved[n - 1];
	return true;
}

/* machine_create_invalid: machine_create of this machine's topology with
 * one field broken must refuse it, naming that field (fuzzers/interp_topology.c). */
static MAYBE_UNUSED bool do_machine_create_invalid(unsigned int kind)
{
	struct sf_topology t = topo;
	struct sf_options opts = { .debug_level = -1, .seed = 1 };
	struct sf_error err = { "", "" };
	unsigned int last = t.nr_ranges - 1;
	char want_field[sizeof(err.field)];
	struct machine *m2;
	unsigned int d;

	switch (kind) {
	case 0: t.nr_nodes = 0; snprintf(want_field, sizeof(want_field), "nr_nodes"); break;
	case 1: t.nr_nodes = SF_MAX_NODES + 1; snprintf(want_field, sizeof(want_field), "nr_nodes"); break;
	case 2: t.nr_cpus = 0; snprintf(want_field, sizeof(want_field), "nr_cpus"); break;
	case 3: t.boot_cpu = t.nr_cpus; snprintf(want_field, sizeof(want_field), "boot_cpu"); break;
	case 4: t.cpu_node[0] = (int)t.nr_nodes; snprintf(want_field, sizeof(want_field), "cpu_node[0]"); break;
	case 5: t.distance[0][0] = 20; snprintf(want_field, sizeof(want_field), "distance[0][0]"); break;
	case 6:
	case 7:
		if (t.nr_nodes < 2)
			return false;
		d = t.distance[0][1];
		if (kind == 6)
			t.distance[0][1] = t.distance[1][0] = 10;
		else
			t.distance[0][1] = (uint8_t)(d == 255 ? 254 : d + 1);
		snprintf(want_field, sizeof(want_field), "distance[0][1]");
		break;
	case 8: t.max_order = SF_MAX_ORDER_LIMIT + 1; snprintf(want_field, sizeof(want_field), "max_order"); break;
	case 9: t.section_shift = 19; snprintf(want_field, sizeof(want_field), "section_shift"); break;
	case 10:
		t.vmemmap_block_sections = 3;
		snprintf(want_field, sizeof(want_field), "vmemmap_block_sections");
		break;
	case 11: t.nr_ranges = 0; snprintf(want_field, sizeof(want_field), "nr_ranges"); break;
	case 12:
		t.ranges[0].end_pfn = t.ranges[0].start_pfn;
		snprintf(want_field, sizeof(want_field), "ranges[0]");
		break;
	case 13:
		t.ranges[last].end_pfn = SF_MAX_PFN + 1;
		snprintf(want_field, sizeof(want_field), "ranges[%u]", last);
		break;
	case 14:
		t.ranges[0].node = (int)t.nr_nodes;
		snprintf(want_field, sizeof(want_field), "ranges[0].node");
		break;
	case 15:
		t.ranges[t.nr_ranges] = t.ranges[0];
		snprintf(want_field, sizeof(want_field), "ranges[%u]", t.nr_ranges++);
		break;
	case 16:
		t.zone_dma_end = t.zone_dma32_end + 1;
		snprintf(want_field, sizeof(want_field), "zone_dma_end");
		break;
	case 17:
		t.zone_dma_end = 0;
		t.zone_dma32_end = 2;
		t.zone_movable_start = 1;
		snprintf(want_field, sizeof(want_field), "zone_dma32_end");
		break;
	default:
		t.zone_movable_start = SF_MAX_PFN + 1;
		snprintf(want_field, sizeof(want_field), "zone_movable_start");
		break;
	}
	m2 = machine_create(&t, &opts, &err);
	if (m2) {
		machine_destroy(m2);
		hfail("HARNESS: invalid topology accepted");
	}
	if (strcmp(err.field, want_field) || !err.msg[0])
		hfail("HARNESS: invalid topology refused for another field");
	return true;
}

static MAYBE_UNUSED bool do_irq_enter(void)
{
	int c = me();

	if (!cs[c].on || cs[c].depth >= 2)
		return false;
	irq_enter(m);
	cs[c].depth++;
	cs[c].on = false;
	return true;
}

static MAYBE_UNUSED bool do_irq_exit(void)
{
	int c = me();

	if (!cs[c].depth)
		return false;
	irq_exit(m);
	cs[c].depth--;
	cs[c].on = true;
	return true;
}

static MAYBE_UNUSED bool do_preempt_disable(void)
{
	int c = me();

	if (cs[c].pre >= 3)
		return false;
	preempt_disable(m);
	cs[c].pre++;
	return true;
}

static MAYBE_UNUSED bool do_preempt_enable(void)
{
	int c = me();

	if (!cs[c].pre)
		return false;
	preempt_enable(m);
	cs[c].pre--;
	return true;
}

static MAYBE_UNUSED bool do_timer_set_pending(int cpu)
{
	timer_set_pending(m, cpu);
	return true;
}

static MAYBE_UNUSED bool do_fail_page_alloc(unsigned int nth, unsigned int prob,
					    unsigned int persistent, unsigned int ignore_reclaim,
					    unsigned int min_order, unsigned int seed)
{
	struct fault_attr a = fault_of(nth, prob, persistent, ignore_reclaim, seed);

	a.min_order = min_order;
	fail_page_on = a.nth || a.probability;
	fail_page_alloc_set(m, fail_page_on ? &a : NULL);
	return true;
}

static MAYBE_UNUSED bool do_fail_page_alloc_off(void)
{
	fail_page_on = false;
	fail_page_alloc_set(m, NULL);
	return true;
}

static MAYBE_UNUSED bool do_check(void)
{
	run_check();
	return true;
}

/* The checker canary (corrupt): the harness corrupts one field, expects the
 * checker's report and restores it, which needs the core's internals; this
 * file makes the check the harness makes after the restore. */
static MAYBE_UNUSED bool do_corrupt(const char *kind, unsigned int index)
{
	(void)kind;
	(void)index;
	expect_clear();
	if (!check_machine(m))
		hfail("HARNESS: check_machine failed without a report");
	after();
	return true;
}

/* query (interp_api.c): the same calls; their oracles need the harness's
 * count of reports and its topology rules. */
static MAYBE_UNUSED bool do_query(unsigned int kind, unsigned int n)
{
	struct sf_topology t;
	unsigned int bugs;
	struct sf_error err;

	switch (kind) {
	case 0:
		for (unsigned int i = 0; sf_reports_get(m, i); i++)
			(void)sf_reports_matching(m, sf_reports_get(m, i)->title);
		break;
	case 1:
		for (unsigned int b = 1; b <= SF_BUG_SLAB_SYSFS_RACE; b <<= 1)
			(void)sf_bugs_parse(sf_bug_name((enum sf_bug)b), &bugs, &err);
		break;
	case 2:
		sf_topology_simple(&t, 1 + n % 4, 1 + (n / 4) % 8, 1 + n / 32);
		(void)sf_topology_validate(&t, &err);
		break;
	case 3:
		sf_topology_default(&t);
		(void)sf_topology_validate(&t, &err);
		break;
	default:
		/* memblock_is_memory_pfn is internal to the core. */
		break;
	}
	return true;
}

static MAYBE_UNUSED bool do_drain_local_pages(void)
{
	drain_local_pages(m);
	return true;
}

static MAYBE_UNUSED bool do_drain_all_pages(void)
{
	drain_all_pages(m);
	return true;
}

/* After each op the interpreter ran (not one outside the target's set). */
static MAYBE_UNUSED void step(bool ran)
{
	after();
	ctx();
	if (ran && ++since_check >= CHECK_EVERY) {
		since_check = 0;
		run_check();
	}
}

/* ---- the epilogue ---- */

static void workload(void)
{
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_ATOMIC, GFP_KERNEL | __GFP_ZERO,
				      GFP_NOWAIT | __GFP_DMA32, GFP_KERNEL | __GFP_DMA };
	static const size_t sizes[] = { 8, 64, 200, 1000, 5000 };

	if (machine_stage(m) < STAGE_RUNNING)
		boot_op(STAGE_RUNNING);
	if (machine_stage(m) < STAGE_BUDDY)
		return;
	for (unsigned int cpu = 0; cpu < topo.nr_cpus; cpu++) {
		if (!cpu_online(m, (int)cpu))
			continue;
		switch_to((int)cpu);
		if (!cs[cpu].on || cs[cpu].depth || cs[cpu].pre)
			continue;
		/* Handles past the program's own: the epilogue's. */
		for (int i = 0; i < 5 && NR_PAGE_H + i < MAX_OPS; i++)
			page_alloc(NR_PAGE_H + i, PH_PAGES, -2, gfps[i] | __GFP_NOWARN,
				   (unsigned int)i % 3);
		for (int i = 0; i < 5 && NR_PAGE_H + i < MAX_OPS; i++)
			page_release(NR_PAGE_H + i);
		if (slab_ready()) {
			for (int i = 0; i < 5 && NR_OBJ_H + i < MAX_OPS; i++) {
				memset(&ob[NR_OBJ_H + i], 0, sizeof(ob[0]));
				kmalloc_op(NR_OBJ_H + i, sizes[i], GFP_KERNEL | __GFP_NOWARN, -1,
					   false);
			}
			for (int i = 0; i < 5 && NR_OBJ_H + i < MAX_OPS; i++)
				obj_release(NR_OBJ_H + i, false);
		}
		ctx();
	}
	switch_to((int)topo.boot_cpu);
	run_check();
}

static const unsigned int kclasses[] = { 8,   16,   32,   64,   96,   128,  192,
					 256, 512,  1024, 2048, 4096, 8192 };

static bool is_kmalloc_cache(struct kmem_cache *s)
{
	for (unsigned int i = 0; i < sizeof(kclasses) / sizeof(kclasses[0]); i++)
		for (int dma = 0; dma < 2; dma++)
			if (kmalloc_slab(m, kclasses[i], dma ? __GFP_DMA : 0) == s)
				return true;
	return false;
}

/* Live objects the program holds in core cache s. */
static unsigned long objects_in(struct kmem_cache *s)
{
	unsigned long n = 0;

	for (int i = 0; i < NR_OBJ_H + 8 && i < MAX_OPS; i++)
		if (ob[i].live && (ob[i].cache >= 0 ? kc[ob[i].cache].s == s : ob[i].km == s))
			n++;
	return n;
}

static bool cache_used(struct kmem_cache *s)
{
	for (int i = 0; i < NR_CACHE_H; i++)
		if (kc[i].s == s)
			return true;
	for (int i = 0; i < NR_OBJ_H + 8 && i < MAX_OPS; i++)
		if (ob[i].ptr && ob[i].km == s)
			return true;
	return false;
}

static void account_one(struct kmem_cache *s, bool empty)
{
	const char *dir = kmem_cache_name(s);
	unsigned long v, slabs;

	if (empty)
		(void)slab_attr_store(m, dir, "shrink", "1");
	(void)attr_read(dir, "objects", &v);
	(void)attr_read(dir, "slabs", &slabs);
	if (v != objects_in(s))
		hfail("HARNESS: slab objects unaccounted at the end of the run");
	if (empty && slabs)
		hfail("HARNESS: slab cache not empty after freeing everything");
}

/* Every cache the program used: objects as held; empty once all are freed. */
static void account_caches(bool empty)
{
	if (machine_stage(m) < STAGE_SLAB_UP)
		return;
	for (unsigned int i = 0; i < sizeof(kclasses) / sizeof(kclasses[0]); i++)
		for (int dma = 0; dma < 2; dma++) {
			struct kmem_cache *s = kmalloc_slab(m, kclasses[i], dma ? __GFP_DMA : 0);

			if (s && cache_used(s))
				account_one(s, empty);
		}
	for (int h = 0; h < NR_CACHE_H; h++) {
		bool first = kc[h].live && !is_kmalloc_cache(kc[h].s);

		for (int i = 0; i < h && first; i++)
			first = !kc[i].live || kc[i].s != kc[h].s;
		if (first)
			account_one(kc[h].s, empty);
	}
}

static void teardown(void)
{
	phase = "teardown";
	inj.armed = false;
	fail_page_on = false;
	failslab_on = false;
	fail_page_alloc_set(m, NULL);
	failslab_set(m, NULL);
	for (unsigned int cpu = 0; cpu < topo.nr_cpus; cpu++) {
		if (!cpu_online(m, (int)cpu))
			continue;
		switch_to((int)cpu);
		for (; cs[cpu].depth; cs[cpu].depth--) {
			irq_exit(m);
			cs[cpu].on = true;
		}
		for (; cs[cpu].pre; cs[cpu].pre--)
			preempt_enable(m);
		if (machine_stage(m) >= STAGE_IRQS_ON && !cs[cpu].on) {
			local_irq_enable(m);
			cs[cpu].on = true;
		}
	}
	switch_to((int)topo.boot_cpu);
	/* slab, then pages (the interpreter's modules backwards) */
	account_caches(false);
	for (int h = 0; h < NR_OBJ_H + 8 && h < MAX_OPS; h++)
		obj_release(h, false);
	account_caches(true);
	for (int h = 0; h < NR_CACHE_H; h++)
		cache_destroy(h);
	for (int h = 0; h < NR_PAGE_H + 8 && h < MAX_OPS; h++)
		page_release(h);
	for (int h = 0; h < NR_MB_H; h++)
		memblock_release(h);
	if (machine_stage(m) >= STAGE_BUDDY)
		drain_all_pages(m);
	run_check();
	check_accounting();
}

static void start(void)
{
	struct sf_options o;
	struct sf_error err;

	setup(&topo, &o);
	m = machine_create(&topo, &o, &err);
	if (!m) {
		printf("machine_create: %s: %s\n", err.field, err.msg);
		exit(2);
	}
	cur = (int)topo.boot_cpu;
	sf_set_report_handler(m, on_report, NULL);
	sched_set_hook(m, hook, NULL);
	if (PROLOGUE > STAGE_EARLY)
		boot_op(PROLOGUE);
	phase = "ops";
}

static int finish(void)
{
	opi = ~0u;
	phase = "epilogue";
	if (WORKLOAD)
		workload();
	teardown();
	after();
	sched_set_hook(m, NULL, NULL);
	machine_destroy(m);
	{
		char why[128];

		if (machine_leaked(why, sizeof(why)))
			hfail("HARNESS: host structures leaked at machine destroy");
	}
	if (!strncmp(want, "HARNESS: ", 9)) {
		printf("state only: '%s' is a harness oracle this file does not check; "
		       "it made the calls the harness made (docs/fuzzing.md)\n", want);
		return 2;
	}
	if (want[0]) {
		printf("not reproduced: %s\n", want);
		return 0;
	}
	printf("clean\n");
	return 0;
}
