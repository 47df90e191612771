/* SPDX-License-Identifier: MIT */
/*
 * The sparse memory model (core/sparse.c), white-box: machines stay at
 * STAGE_EARLY and sparse_init() is called directly, so the memory map is
 * tested without the page allocator on top of it.
 */
#include "test.h"
#include "internal.h"

#define MIB_PAGES 256	/* pages per MiB */

/*
 * A machine from ranges given as data, with small sections:
 * 2^section_shift pages per section, block_sections sections per vmemmap block.
 */
static void topo_sparse(struct sf_topology *t, unsigned int nr_nodes,
			const struct sf_mem_range *ranges, unsigned int nr_ranges,
			unsigned int section_shift, unsigned int block_sections)
{
	sf_topology_simple(t, nr_nodes, nr_nodes, 16);
	t->nr_ranges = nr_ranges;
	memcpy(t->ranges, ranges, nr_ranges * sizeof(ranges[0]));
	for (unsigned int c = 0; c < t->nr_cpus; c++)
		t->cpu_node[c] = (int)c;
	t->zone_dma_end = 0;
	t->zone_dma32_end = 0;
	t->zone_movable_start = SF_MAX_PFN;
	t->max_order = section_shift + 1 < SF_MAX_ORDER_LIMIT ? section_shift + 1 : SF_MAX_ORDER_LIMIT;
	t->section_shift = section_shift;
	t->vmemmap_block_sections = block_sections;
}

static struct machine *early_machine(const struct sf_topology *t, unsigned int bugs,
				     bool together)
{
	struct sf_options opts;

	memset(&opts, 0, sizeof(opts));
	opts.bugs = bugs;
	opts.memmap_together = together;
	opts.debug_level = 3;
	return test_machine(t, &opts, STAGE_EARLY);
}

static void expect_sparse_valid(struct machine *m)
{
	char why[256] = "";
	bool ok = sparse_is_valid(m, why, sizeof(why));

	expect_true(ok);
	if (!ok)
		fprintf(stderr, "  sparse_is_valid: %s\n", why);
}

static void expect_sparse_invalid(struct machine *m, const char *needle)
{
	char why[256] = "";

	expect_false(sparse_is_valid(m, why, sizeof(why)));
	expect_str_contains(why, needle);
}

static bool phys_in_node(struct machine *m, uint64_t phys, uint64_t size, int nid)
{
	for (unsigned int i = 0; i < m->topo.nr_ranges; i++) {
		const struct sf_mem_range *r = &m->topo.ranges[i];

		if (r->node == nid && phys >= PFN_PHYS(r->start_pfn) &&
		    phys + size <= PFN_PHYS(r->end_pfn))
			return true;
	}
	return false;
}

/*
 * 256-page sections, 4 sections per block, memory up to pfn 0x1100:
 *
 *   pfn 0x000      0x400      0x800      0xc00      0x1000 0x1100
 *       | block 0   | block 1  | block 2  | block 3  | block 4 ...
 *       [========= node 0 =========][========= node 1 =======]
 *
 * max_pfn is not block aligned: 5 blocks, 20 sections.
 */
static void test_geometry(void)
{
	static const struct sf_mem_range ranges[] = { { 0, 0x900, 0 }, { 0x900, 0x1100, 1 } };
	struct sf_topology t;
	struct machine *m;
	char buf[64];

	topo_sparse(&t, 2, ranges, 2, 8, 4);
	m = early_machine(&t, 0, false);
	assert_nonnull(m);

	/* Before sparse_init nothing is valid and nothing crashes. */
	expect_false(pfn_valid(m, 0));
	expect_null(pfn_to_page(m, 0));
	expect_null(virt_to_page(m, m->mem_base));
	expect_false(virt_addr_valid(m, m->mem_base));
	expect_sparse_valid(m);
	expect_eq(sparse_dump_map(m, buf, sizeof(buf)), 0);

	assert_true(sparse_init(m) == 0);
	expect_eq(m->sparse.section_shift, 8);
	expect_eq(m->sparse.block_shift, 10);
	expect_eq(m->sparse.nr_blocks, 5);
	expect_eq(m->sparse.nr_sections, 20);
	for (unsigned long nr = 0; nr < 20; nr++) {
		const struct mem_section *ms = &m->sparse.sections[nr];

		expect_eq(ms->flags, nr < 17 ? SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP : 0);
		if (nr < 17)
			expect_eq(ms->nid, nr < 9 ? 0 : 1);
	}
	for (unsigned long b = 0; b < 5; b++) {
		expect_eq(m->sparse.blocks[b].state, VMEMMAP_MAPPED);
		expect_eq(m->sparse.blocks[b].populate_count, 1);
	}
	/* One memmap allocation of 1024 struct pages per block. */
	expect_eq(m->memblock.allocated_bytes, 5 * 1024 * sizeof(struct page));
	expect_sparse_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

/*
 * Holes inside sections, between sections and between blocks:
 *
 *   pfn 0x000  0x100   0x180 0x200       0x400          0x600   0x800  0x900
 *       | s0    | s1    :     | s2 | s3   | s4 | s5      | s6 s7 | s8   |
 *       [node 0 ========]hole  absent      absent        [node 1 =======]
 *       |<------- block 0 ------------->|<--------- block 1 --------->|<-- block 2
 *
 * Section 1 is present (half memory, half hole): all of its pfns are valid.
 * Sections 2-5 have no memory: invalid, even where their block is mapped.
 */
static const struct sf_mem_range holey_ranges[] = { { 0x000, 0x180, 0 }, { 0x600, 0x900, 1 } };

static void test_pfn_valid(void)
{
	struct sf_topology t;
	struct machine *m;

	topo_sparse(&t, 2, holey_ranges, 2, 8, 4);
	m = early_machine(&t, 0, false);
	assert_nonnull(m);
	assert_true(sparse_init(m) == 0);
	expect_eq(m->max_pfn, 0x900);
	for (pfn_t pfn = 0; pfn < 0xc00; pfn++) {
		bool valid = pfn < 0x200 || (pfn >= 0x600 && pfn < 0x900);

		expect_eq(pfn_valid(m, pfn), valid);
	}
	expect_false(pfn_valid(m, SF_MAX_PFN));
	expect_false(pfn_valid(m, ~(pfn_t)0));
	expect_null(pfn_to_page(m, 0x900));
	expect_null(pfn_to_page(m, ~(pfn_t)0));
	/* Block 0 and 1 are mapped, block 2 too (section 8); all one each. */
	expect_eq(m->sparse.nr_blocks, 3);
	expect_eq(m->memblock.allocated_bytes, 3 * 1024 * sizeof(struct page));
	expect_sparse_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

static void test_round_trips(void)
{
	struct sf_topology t;
	struct machine *m;
	unsigned long nr_valid = 0;
	int local = 0;

	topo_sparse(&t, 2, holey_ranges, 2, 8, 4);
	m = early_machine(&t, 0, true);
	assert_nonnull(m);
	assert_true(sparse_init(m) == 0);
	for (pfn_t pfn = 0; pfn < m->max_pfn; pfn++) {
		struct page *page = pfn_to_page(m, pfn);
		uint8_t *addr = m->mem_base + PFN_PHYS(pfn);

		if (!pfn_valid(m, pfn)) {
			expect_null(virt_to_page(m, addr));
			expect_false(virt_addr_valid(m, addr));
			continue;
		}
		nr_valid++;
		assert_nonnull(page);
		expect_eq(page_to_pfn(m, page), pfn);
		expect_true(page_address(m, page) == addr);
		expect_true(virt_to_page(m, addr) == page);
		expect_true(virt_to_page(m, addr + PAGE_SIZE - 1) == page);
		expect_true(virt_addr_valid(m, addr + 17));
		/* The struct page is in the simulated memory, in reserved boot memory. */
		expect_true(memblock_is_reserved_pfn(m, PHYS_PFN(virt_to_phys(m, page))));
		expect_eq(page->state, PS_UNINIT);
	}
	expect_eq(nr_valid, 0x200 + 0x300);
	expect_null(virt_to_page(m, &local));
	expect_false(virt_addr_valid(m, &local));
	expect_null(virt_to_page(m, m->mem_base + m->mem_size));
	expect_false(virt_addr_valid(m, m->mem_base - 1));
	expect_sparse_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

/*
 * Two nodes, two blocks each; every block's memmap lives on its node:
 *
 *   pfn 0x000         0x800          0x1000         0x1800   0x2000
 *       | block 0      | block 1      | block 2      | block 3 |
 *       [========== node 0 ==========][========== node 1 =======]
 */
static void test_memmap_on_section_node(void)
{
	static const struct sf_mem_range ranges[] = { { 0, 0x1000, 0 }, { 0x1000, 0x2000, 1 } };
	struct sf_topology t;
	struct machine *m;
	size_t bytes = 0x800 * sizeof(struct page);

	topo_sparse(&t, 2, ranges, 2, 9, 4);
	m = early_machine(&t, 0, false);
	assert_nonnull(m);
	assert_true(sparse_init(m) == 0);
	assert_true(m->sparse.nr_blocks == 4);
	for (unsigned long b = 0; b < 4; b++) {
		const struct vmemmap_block *vb = &m->sparse.blocks[b];
		int nid = b < 2 ? 0 : 1;

		expect_eq(vb->nid, nid);
		expect_true(phys_in_node(m, virt_to_phys(m, vb->pages), bytes, nid));
		expect_true(phys_in_node(m, virt_to_phys(m, pfn_to_page(m, b * 0x800)), 64, nid));
	}
	expect_sparse_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

/*
 * Node 0 has 8 pages, too few for block 0's memmap (1024 struct pages,
 * 64 KiB = 16 pages): memblock falls back to node 1.
 *
 *   pfn 0x000 0x008      0x400                          0x1000
 *       [n0]   hole       [============ node 1 ============]
 *       |<-- block 0 -->|<- block 1 ->| ...
 */
static void test_memmap_falls_back_when_node_full(void)
{
	static const struct sf_mem_range ranges[] = { { 0, 0x8, 0 }, { 0x400, 0x1000, 1 } };
	struct sf_topology t;
	struct machine *m;

	topo_sparse(&t, 2, ranges, 2, 8, 4);
	m = early_machine(&t, 0, true);
	assert_nonnull(m);
	assert_true(sparse_init(m) == 0);
	expect_eq(m->sparse.sections[0].nid, 0);
	expect_eq(m->sparse.blocks[0].nid, 1);
	expect_true(phys_in_node(m, virt_to_phys(m, m->sparse.blocks[0].pages),
				 1024 * sizeof(struct page), 1));
	expect_true(pfn_valid(m, 0));
	expect_true(pfn_valid(m, 0xff));	/* hole in a present section */
	expect_false(pfn_valid(m, 0x100));
	expect_eq(page_to_pfn(m, pfn_to_page(m, 7)), 7);
	expect_sparse_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

/*
 * Incident 3 (seed 002): many small sections sharing vmemmap blocks.
 *
 *   pfn 0x000  0x100  0x200  0x300  0x400  0x500  0x600  0x700  0x800
 *       | s0   | s1   | s2   | s3   | s4   | s5   | s6   | s7   |
 *       |<-------- block 0 -------->|<-------- block 1 -------->|
 *       [========================= node 0, 8 MiB ===============]
 *
 * memmap_together: vmemmap_populate(s0..s7) first, then init s0..s7.
 * With the powerpc answer (pfn_valid of the block's sections) no section
 * is initialised while the memmaps are populated, so every section maps
 * its block again: 3 extra mappings per block.
 */
static const struct sf_mem_range incident3_ranges[] = { { 0, 8 * MIB_PAGES, 0 } };

static struct machine *incident3_machine(unsigned int bugs, bool together)
{
	struct sf_topology t;
	struct machine *m;

	topo_sparse(&t, 1, incident3_ranges, 1, 8, 4);
	m = early_machine(&t, bugs, together);
	if (m && sparse_init(m) != 0) {
		test_fail(__FILE__, __LINE__, "sparse_init failed");
		machine_destroy(m);
		return NULL;
	}
	return m;
}

static void test_incident3_bug_with_memmap_together(void)
{
	struct machine *m = incident3_machine(SF_BUG_VMEMMAP_REPOPULATE, true);
	const struct sf_report *r;
	char map[2048];

	assert_nonnull(m);
	expect_only_reports(m, "BUG: vmemmap block populated twice", 6);
	r = sf_reports_get(m, 0);
	assert_nonnull(r);
	expect_eq(r->kind, SF_REPORT_BUG);
	expect_eq(r->node, 0);
	expect_eq(r->pfn, 0);
	expect_str_contains(r->body, "vmemmap block 0: pfn [0-0x400) node 0 populated 2 times");
	for (unsigned long b = 0; b < 2; b++)
		expect_eq(m->sparse.blocks[b].populate_count, 4);
	/* Each repopulation leaked a memmap in memblock, as the kernel did. */
	expect_eq(m->memblock.allocated_bytes, 8 * 1024 * sizeof(struct page));
	expect_sparse_invalid(m, "vmemmap block 0: populated 4 times");
	sparse_dump_map(m, map, sizeof(map));
	expect_str_contains(map, "vmemmap block 1: node 0 populated 4 times");
	machine_destroy(m);
}

static void test_incident3_bug_section_at_a_time_is_clean(void)
{
	struct machine *m = incident3_machine(SF_BUG_VMEMMAP_REPOPULATE, false);

	assert_nonnull(m);
	expect_no_reports(m);
	for (unsigned long b = 0; b < 2; b++)
		expect_eq(m->sparse.blocks[b].populate_count, 1);
	expect_sparse_valid(m);
	machine_destroy(m);
}

static void test_incident3_fixed_with_memmap_together_is_clean(void)
{
	struct machine *m = incident3_machine(0, true);

	assert_nonnull(m);
	expect_no_reports(m);
	for (unsigned long b = 0; b < m->sparse.nr_blocks; b++) {
		expect_eq(m->sparse.blocks[b].state, VMEMMAP_MAPPED);
		expect_eq(m->sparse.blocks[b].populate_count, 1);
	}
	for (unsigned long nr = 0; nr < m->sparse.nr_sections; nr++)
		expect_true(m->sparse.sections[nr].memmap_allocated);
	expect_eq(m->memblock.allocated_bytes, 2 * 1024 * sizeof(struct page));
	expect_sparse_valid(m);
	machine_destroy(m);
}

/*
 * fail the Nth memblock allocation, N = 1, 2, ...: sparse_init returns
 * -ENOMEM, gives every memmap back and leaves nothing valid; the machine
 * can still be destroyed (LeakSanitizer checks the host side).
 */
static void test_enomem_fail_nth(void)
{
	static const struct sf_mem_range ranges[] = { { 0, 0x900, 0 }, { 0x900, 0x1100, 1 } };
	struct sf_topology t;
	unsigned long nth;

	topo_sparse(&t, 2, ranges, 2, 8, 4);
	for (int mode = 0; mode < 3; mode++) {
		for (nth = 1; nth < 100; nth++) {
			struct machine *m = early_machine(&t, mode == 2 ? SF_BUG_VMEMMAP_REPOPULATE : 0,
							  mode != 0);
			struct fault_attr attr;
			char why[256] = "";
			int ret;

			assert_nonnull(m);
			memset(&attr, 0, sizeof(attr));
			attr.nth = nth;
			attr.persistent = nth & 1;
			fail_page_alloc_set(m, &attr);
			ret = sparse_init(m);
			if (ret == 0) {
				expect_eq(fail_page_alloc_stats(m).failures, 0);
				machine_destroy(m);
				break;
			}
			expect_eq(ret, -ENOMEM);
			expect_false(pfn_valid(m, 0));
			expect_null(pfn_to_page(m, 0));
			expect_true(m->sparse.sections == NULL);
			if (mode != 2)
				expect_eq(m->memblock.allocated_bytes, 0);
			expect_true(memblock_is_valid(m, why, sizeof(why)));
			expect_sparse_valid(m);
			/* The boot can be retried once memory is there. */
			fail_page_alloc_set(m, NULL);
			expect_eq(sparse_init(m), 0);
			expect_true(pfn_valid(m, 0x10ff));
			if (mode != 2)
				expect_sparse_valid(m);
			machine_destroy(m);
		}
		/* 5 blocks; with the bug, 17 sections each map their block. */
		expect_eq(nth, mode == 2 ? 18 : 6);
	}
}

/*
 * A second sparse init over a built map starts from scratch: the first
 * map's blocks go back to memblock before the new ones are taken, so the
 * reserved bytes are those of one map, and the new map is valid.
 */
static void test_reinit_replaces_map(void)
{
	static const struct sf_mem_range ranges[] = { { 0, 0x900, 0 }, { 0x900, 0x1100, 1 } };
	struct sf_topology t;
	struct machine *m;
	uint64_t one_map;
	char why[256] = "";

	topo_sparse(&t, 2, ranges, 2, 8, 4);
	m = early_machine(&t, 0, false);
	assert_nonnull(m);
	assert_true(sparse_init(m) == 0);
	one_map = m->memblock.allocated_bytes;
	expect_true(one_map > 0);
	expect_eq(sparse_init(m), 0);
	expect_eq(m->memblock.allocated_bytes, one_map);
	expect_true(memblock_is_valid(m, why, sizeof(why)));
	expect_true(pfn_valid(m, 0x10ff));
	expect_sparse_valid(m);
	machine_destroy(m);
}

static void test_dump_map(void)
{
	static const struct sf_mem_range ranges[] = { { 0x000, 0x180, 0 }, { 0x600, 0x700, 1 } };
	struct sf_topology t;
	struct machine *m;
	char buf[1024];
	size_t len;

	topo_sparse(&t, 2, ranges, 2, 8, 4);
	m = early_machine(&t, 0, false);
	assert_nonnull(m);
	assert_true(sparse_init(m) == 0);
	len = sparse_dump_map(m, buf, sizeof(buf));
	expect_eq(len, strlen(buf));
	expect_eq(strcmp(buf, "section 0: pfn [0-0x100) node 0 initialised block 0\n"
			      "section 1: pfn [0x100-0x200) node 0 initialised block 0\n"
			      "section 6: pfn [0x600-0x700) node 1 initialised block 1\n"
			      "vmemmap block 0: node 0 populated 1 times\n"
			      "vmemmap block 1: node 1 populated 1 times\n"),
		  0);
	/* Truncated like snprintf: same length, NUL-terminated prefix. */
	expect_eq(sparse_dump_map(m, buf, 10), len);
	expect_eq(strlen(buf), 9);
	expect_eq(sparse_dump_map(m, NULL, 0), len);
	expect_no_reports(m);
	machine_destroy(m);
}

/* Break one relation at a time; the validator names the first broken one. */
static void test_validator_catches_corruption(void)
{
	struct sf_topology t;
	struct machine *m;
	struct sparse *sp;
	struct page *page, *saved_pages;

	topo_sparse(&t, 2, holey_ranges, 2, 8, 4);
	m = early_machine(&t, 0, false);
	assert_nonnull(m);
	assert_true(sparse_init(m) == 0);
	sp = &m->sparse;
	expect_sparse_valid(m);

	sp->blocks[1].populate_count = 2;
	expect_sparse_invalid(m, "vmemmap block 1: populated 2 times");
	sp->blocks[1].populate_count = 1;

	sp->sections[3].flags |= SECTION_HAS_MEM_MAP;
	expect_sparse_invalid(m, "section 3: initialised but not present");
	sp->sections[3].flags = 0;

	page = pfn_to_page(m, 0x1ff);	/* last pfn of section 1 */
	page->pfn = 0x1fe;
	expect_sparse_invalid(m, "section 1: pfn_to_page(0x1ff)->pfn is 0x1fe");
	page->pfn = 0x1ff;

	/* A pfn in the middle: only the expensive level looks at every pfn. */
	page = pfn_to_page(m, 0x680);
	page->pfn = 0;
	expect_sparse_invalid(m, "section 6: pfn_to_page(0x680)");
	m->debug_level = 1;
	expect_sparse_valid(m);
	m->debug_level = 3;
	page->pfn = 0x680;

	sp->blocks[2].state = VMEMMAP_UNMAPPED;
	expect_sparse_invalid(m, "section 8: present but vmemmap block 2 unmapped");
	sp->blocks[2].state = VMEMMAP_MAPPED;

	saved_pages = sp->blocks[1].pages;
	sp->blocks[1].pages = NULL;
	expect_sparse_invalid(m, "vmemmap block 1: backing is not reserved");
	sp->blocks[1].pages = (struct page *)(m->mem_base + PFN_PHYS(0x300));	/* a hole */
	expect_sparse_invalid(m, "vmemmap block 1: backing is not reserved");
	sp->blocks[1].pages = saved_pages;

	sp->blocks[2].state = VMEMMAP_UNMAPPED;
	sp->sections[8].flags = 0;
	expect_sparse_invalid(m, "vmemmap block 2: unmapped but populated 1 times");
	sp->blocks[2].populate_count = 0;
	saved_pages = sp->blocks[2].pages;
	sp->blocks[2].pages = NULL;
	expect_sparse_valid(m);
	sp->blocks[2].state = VMEMMAP_MAPPED;
	sp->blocks[2].populate_count = 1;
	sp->blocks[2].pages = saved_pages;
	expect_sparse_invalid(m, "vmemmap block 2: mapped without a present section");
	sp->sections[8].flags = SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP;
	expect_sparse_valid(m);
	expect_no_reports(m);
	machine_destroy(m);
}

/* ---- with the page allocator on top: full boots ---- */

static struct machine *booted_machine(const struct sf_topology *t, unsigned int bugs,
				      bool together, enum boot_stage stage)
{
	struct sf_options opts;

	memset(&opts, 0, sizeof(opts));
	opts.bugs = bugs;
	opts.memmap_together = together;
	opts.debug_level = 3;
	return test_machine(t, &opts, stage);
}

/* Incident 3 through machine_boot: reported at STAGE_SPARSE, caught by the checker. */
static void test_boot_incident3(void)
{
	struct sf_topology t;
	struct machine *m;

	topo_sparse(&t, 1, incident3_ranges, 1, 8, 4);
	m = booted_machine(&t, SF_BUG_VMEMMAP_REPOPULATE, true, STAGE_SPARSE);
	assert_nonnull(m);
	expect_true(sf_reports_count(m, "BUG: vmemmap block populated twice") > 0);
	expect_false(check_machine(m));
	machine_destroy(m);

	for (int mode = 0; mode < 2; mode++) {
		m = booted_machine(&t, mode ? SF_BUG_VMEMMAP_REPOPULATE : 0, !mode,
				   STAGE_RUNNING);
		assert_nonnull(m);
		expect_no_reports(m);
		expect_sparse_valid(m);
		expect_true(check_machine(m));
		machine_destroy(m);
	}
}

/* After free_area_init: holes are not virt_addr_valid, pages know node and zone. */
static void test_boot_holes_and_nodes(void)
{
	struct sf_topology t;
	struct machine *m;

	topo_sparse(&t, 2, holey_ranges, 2, 8, 4);
	t.zone_dma_end = 0x100;
	t.zone_dma32_end = 0x700;
	m = booted_machine(&t, 0, true, STAGE_BUDDY);
	assert_nonnull(m);
	for (pfn_t pfn = 0; pfn < m->max_pfn; pfn++) {
		struct page *page;
		bool mem = pfn < 0x180 || pfn >= 0x600;

		if (!pfn_valid(m, pfn))
			continue;
		page = pfn_to_page(m, pfn);
		expect_eq(virt_addr_valid(m, page_address(m, page)), mem);
		expect_true(virt_to_page(m, page_address(m, page)) == page);
		if (mem) {
			expect_eq(page_to_nid(m, page), pfn < 0x600 ? 0 : 1);
			expect_eq(page_zonenum(m, page), pfn_zone_type(m, pfn));
		}
	}
	expect_true(check_machine(m));
	expect_no_reports(m);
	machine_destroy(m);
}

/* fail the Nth boot memory allocation of a whole boot: -ENOMEM, then destroy. */
static void test_boot_fail_nth(void)
{
	struct sf_topology t;
	unsigned long nth;

	topo_sparse(&t, 2, holey_ranges, 2, 8, 4);
	for (nth = 1; nth < 200; nth++) {
		struct sf_error err;
		struct machine *m = machine_create(&t, NULL, &err);
		struct fault_attr attr;
		int ret;

		assert_nonnull(m);
		sf_set_report_handler(m, sf_report_collect, NULL);
		memset(&attr, 0, sizeof(attr));
		attr.nth = nth;
		fail_page_alloc_set(m, &attr);
		ret = machine_boot(m, STAGE_BUDDY);
		if (ret == 0) {
			expect_eq(fail_page_alloc_stats(m).failures, 0);
			expect_true(check_machine(m));
			machine_destroy(m);
			break;
		}
		expect_eq(ret, -ENOMEM);
		expect_true(machine_stage(m) < STAGE_BUDDY);
		machine_destroy(m);
	}
	expect_true(nth > 3);	/* at least the three memmaps failed once each */
	expect_true(nth < 200);
}

int main(void)
{
	RUN(test_geometry);
	RUN(test_pfn_valid);
	RUN(test_round_trips);
	RUN(test_memmap_on_section_node);
	RUN(test_memmap_falls_back_when_node_full);
	RUN(test_incident3_bug_with_memmap_together);
	RUN(test_incident3_bug_section_at_a_time_is_clean);
	RUN(test_incident3_fixed_with_memmap_together_is_clean);
	RUN(test_enomem_fail_nth);
	RUN(test_reinit_replaces_map);
	RUN(test_dump_map);
	RUN(test_validator_catches_corruption);
	RUN(test_boot_incident3);
	RUN(test_boot_holes_and_nodes);
	RUN(test_boot_fail_nth);
	return test_summary();
}
