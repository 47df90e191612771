/* SPDX-License-Identifier: MIT */
/*
 * The sparse memory model with a virtual memory map (SPARSEMEM_VMEMMAP).
 *
 * Physical memory [0, max_pfn) is cut into sections of 2^section_shift
 * pages. A section is present when any memory lies in it (memory_present)
 * and initialised (SECTION_HAS_MEM_MAP, pfn_valid) once its struct pages
 * exist. The struct pages live in the vmemmap, mapped in blocks of
 * vmemmap_block_sections sections; each block is backed by ONE memblock
 * allocation on the node of its first present section:
 *
 *   pfn     0        256       512       768       1024      1280 ...
 *           | sect 0  | sect 1  | sect 2  | sect 3  | sect 4  | ...
 *           |<------------ vmemmap block 0 -------->|<-- block 1 ...
 *   backing [ struct page x 1024, from memblock    ]
 *
 * Incident 3 (seed 002): with memmaps allocated for all sections before
 * any section is initialised (opts.memmap_together), asking "is this block
 * populated?" by pfn_valid() answers no for every section of a block, so
 * the block is mapped again for each of them. Populated-ness is a property
 * of the mapping (block->state); SF_BUG_VMEMMAP_REPOPULATE switches the
 * powerpc answer back on and the second mapping is reported, as
 * hash__vmemmap_create_mapping failed.
 *
 * Only the boot cpu touches this state while it is built (STAGE_SPARSE);
 * afterwards it is read-only, so pfn_valid and pfn_to_page take no lock.
 */
#include <string.h>

#include "internal.h"
#include "slabfuzz/seq_buf.h"

static inline unsigned long pfn_to_section_nr(const struct sparse *sp, pfn_t pfn)
{
	return (unsigned long)(pfn >> sp->section_shift);
}

static inline pfn_t section_nr_to_pfn(const struct sparse *sp, unsigned long nr)
{
	return (pfn_t)nr << sp->section_shift;
}

static inline unsigned long section_to_block(const struct sparse *sp, unsigned long nr)
{
	return nr >> (sp->block_shift - sp->section_shift);
}

static inline unsigned long sections_per_block(const struct sparse *sp)
{
	return 1UL << (sp->block_shift - sp->section_shift);
}

static inline size_t block_memmap_size(const struct sparse *sp)
{
	return ((size_t)1 << sp->block_shift) * sizeof(struct page);
}

/* The node whose memory holds phys, by the topology; -1 for a hole. */
static int phys_to_nid(const struct machine *m, uint64_t phys)
{
	pfn_t pfn = PHYS_PFN(phys);

	for (unsigned int i = 0; i < m->topo.nr_ranges; i++)
		if (pfn >= m->topo.ranges[i].start_pfn && pfn < m->topo.ranges[i].end_pfn)
			return m->topo.ranges[i].node;
	return SF_NO_NODE;
}

/* ---- pfn <-> page: hot paths, no lock, cheap ---- */

bool pfn_valid(struct machine *m, pfn_t pfn)
{
	return sparse_pfn_valid(m, pfn);
}

struct page *pfn_to_page(struct machine *m, pfn_t pfn)
{
	return sparse_pfn_to_page(m, pfn);
}

/* enum page_state -> enum sf_page_state, by table (the walks below are hot). */
static const uint8_t public_state[256] = {
	[PS_UNINIT] = SF_PAGE_UNINIT, [PS_RESERVED] = SF_PAGE_RESERVED,
	[PS_BUDDY] = SF_PAGE_BUDDY, [PS_PCP] = SF_PAGE_PCP, [PS_ALLOCATED] = SF_PAGE_ALLOCATED,
};

enum sf_page_state pfn_page_state(struct machine *m, pfn_t pfn)
{
	const struct page *page = sparse_pfn_valid(m, pfn) ? sparse_pfn_to_page(m, pfn) : NULL;

	return page ? (enum sf_page_state)public_state[page_state_get(page)] : SF_PAGE_NONE;
}

/*
 * pfn_page_state of every pfn of [start, end) into st: section by section,
 * the section's validity and memmap looked up once (a section never
 * straddles two vmemmap blocks).
 */
void pfn_page_states(struct machine *m, pfn_t start, pfn_t end, uint8_t *st)
{
	const struct sparse *sp = &m->sparse;
	pfn_t pfn = start;

	while (pfn < end) {
		pfn_t next = ((pfn >> sp->section_shift) + 1) << sp->section_shift;
		const struct page *map;

		if (!sp->sections || pfn >= m->max_pfn)
			next = end;
		else if (next > m->max_pfn)
			next = m->max_pfn;
		if (next > end)
			next = end;
		map = sparse_pfn_valid(m, pfn) ? sparse_pfn_to_page(m, pfn) : NULL;
		if (!map) {
			memset(st + (pfn - start), SF_PAGE_NONE, (size_t)(next - pfn));
		} else {
			uint8_t *out = st + (pfn - start);

			for (pfn_t i = 0, n = next - pfn; i < n; i++)
				out[i] = public_state[page_state_get(map + i)];
		}
		pfn = next;
	}
}

pfn_t page_to_pfn(struct machine *m, const struct page *page)
{
	(void)m;
	return page->pfn;
}

void *page_address(struct machine *m, const struct page *page)
{
	return m->mem_base + PFN_PHYS(page->pfn);
}

static bool virt_in_memory(struct machine *m, const void *addr)
{
	const uint8_t *p = addr;

	return m->mem_base && p >= m->mem_base && p < m->mem_base + m->mem_size;
}

bool virt_addr_valid(struct machine *m, const void *addr)
{
	pfn_t pfn;

	if (!virt_in_memory(m, addr))
		return false;
	pfn = PHYS_PFN(virt_to_phys(m, addr));
	/* Holes inside a present section have struct pages but no memory. */
	return pfn_valid(m, pfn) && !(pfn_to_page(m, pfn)->flags & PG_hole);
}

struct page *virt_to_page(struct machine *m, const void *addr)
{
	return sparse_virt_to_page(m, addr);
}

int page_to_nid(struct machine *m, const struct page *page)
{
	(void)m;
	return page->node;
}

enum zone_type page_zonenum(struct machine *m, const struct page *page)
{
	(void)m;
	return (enum zone_type)page->zone;
}

/* ---- building the memory map ---- */

/* Mark every section holding memblock memory present, with the node of its first memory. */
static void memory_present(struct machine *m)
{
	struct sparse *sp = &m->sparse;
	const struct memblock_type *mem = &m->memblock.memory;

	for (unsigned int i = 0; i < mem->cnt; i++) {
		const struct memblock_region *r = &mem->regions[i];
		pfn_t start = PHYS_PFN(r->base);
		pfn_t end = PHYS_PFN(r->base + r->size + PAGE_SIZE - 1);

		for (unsigned long nr = pfn_to_section_nr(sp, start);
		     nr <= pfn_to_section_nr(sp, end - 1); nr++) {
			struct mem_section *ms = &sp->sections[nr];

			if (ms->flags & SECTION_MARKED_PRESENT)
				continue;
			ms->flags |= SECTION_MARKED_PRESENT;
			ms->nid = r->nid;
		}
	}
}

static int block_first_present_nid(const struct sparse *sp, unsigned long block)
{
	unsigned long first = block * sections_per_block(sp);

	for (unsigned long nr = first; nr < first + sections_per_block(sp); nr++)
		if (sp->sections[nr].flags & SECTION_MARKED_PRESENT)
			return sp->sections[nr].nid;
	return SF_NO_NODE;
}

/*
 * Is the vmemmap block already mapped? The mapping itself says so. The
 * powerpc answer of incident 3 asked pfn_valid() of the block's sections
 * instead, which is false until one of them is initialised.
 */
static bool vmemmap_populated(struct machine *m, unsigned long block)
{
	struct sparse *sp = &m->sparse;
	unsigned long first = block * sections_per_block(sp);

	if (!machine_bug(m, SF_BUG_VMEMMAP_REPOPULATE))
		return sp->blocks[block].state == VMEMMAP_MAPPED;
	for (unsigned long nr = first; nr < first + sections_per_block(sp); nr++)
		if (pfn_valid(m, section_nr_to_pfn(sp, nr)))
			return true;
	return false;
}

/* Map backing at block: like vmemmap_create_mapping, fails on a mapped block. */
static void vmemmap_create_mapping(struct machine *m, unsigned long block, struct page *backing)
{
	struct sparse *sp = &m->sparse;
	struct vmemmap_block *vb = &sp->blocks[block];
	pfn_t start = (pfn_t)block << sp->block_shift;

	vb->populate_count++;
	if (vb->state == VMEMMAP_MAPPED) {
		struct report_ctx ctx = { "vmemmap_populate", vb->nid, -1, (int64_t)start };

		/* The old backing stays reserved in memblock: leaked, as the kernel did. */
		report(m, SF_REPORT_BUG, "BUG: vmemmap block populated twice", &ctx,
		       "vmemmap block %lu: pfn [%#llx-%#llx) node %d populated %u times\n"
		       "vmemmap_create_mapping: block already mapped to phys %#llx, "
		       "new backing phys %#llx\n",
		       block, (unsigned long long)start,
		       (unsigned long long)(start + ((pfn_t)1 << sp->block_shift)), vb->nid,
		       vb->populate_count, (unsigned long long)virt_to_phys(m, vb->pages),
		       (unsigned long long)virt_to_phys(m, backing));
	}
	vb->state = VMEMMAP_MAPPED;
	vb->pages = backing;
	vb->nid = phys_to_nid(m, virt_to_phys(m, backing));
}

/*
 * Fill a new backing in one pass: the struct pages of present sections are
 * zero but for their pfn (which sparse_init_one_section makes valid), or
 * for sparse_init_boot already in free_area_init's state, or not written yet
 * when mm_core_init writes them (memmap_deferred); those of absent sections
 * zero.
 */
static void vmemmap_fill(struct machine *m, unsigned long block, struct page *backing)
{
	struct sparse *sp = &m->sparse;
	unsigned long first = block * sections_per_block(sp);
	pfn_t per_section = (pfn_t)1 << sp->section_shift;

	for (unsigned long i = 0; i < sections_per_block(sp); i++) {
		struct page *pages = backing + i * per_section;
		pfn_t start = section_nr_to_pfn(sp, first + i);

		if (!(sp->sections[first + i].flags & SECTION_MARKED_PRESENT)) {
			memset(pages, 0, per_section * sizeof(*pages));
			continue;
		}
		if (sp->memmap_deferred)
			continue;	/* mm_core_init writes it */
		if (sp->init_pages) {
			memmap_init_pages(m, pages, start, start + per_section,
					  sp->sections[first + i].nid);
			continue;
		}
		for (pfn_t j = 0; j < per_section; j++)
			pages[j] = (struct page){ .pfn = (uint32_t)(start + j) };
	}
}

/* Make sure the memmap of section nr is mapped. Returns 0 or -ENOMEM. */
static int vmemmap_populate(struct machine *m, unsigned long nr)
{
	struct sparse *sp = &m->sparse;
	unsigned long block = section_to_block(sp, nr);
	struct page *backing;

	sp->sections[nr].memmap_allocated = true;
	if (vmemmap_populated(m, block))
		return 0;
	backing = memblock_alloc_node_raw(m, block_memmap_size(sp), PAGE_SIZE,
					  block_first_present_nid(sp, block));
	if (!backing)
		return -ENOMEM;
	vmemmap_fill(m, block, backing);
	vmemmap_create_mapping(m, block, backing);
	return 0;
}

/* The section's struct pages exist (with their pfn, vmemmap_fill): make
 * pfn_valid true. */
static void sparse_init_one_section(struct machine *m, unsigned long nr)
{
	struct sparse *sp = &m->sparse;

	SF_BUG_ON(sp->blocks[section_to_block(sp, nr)].state != VMEMMAP_MAPPED);
	sp->sections[nr].flags |= SECTION_HAS_MEM_MAP;
}

/* Give the memmaps back to memblock and drop the section arrays. */
static void sparse_teardown(struct machine *m)
{
	struct sparse *sp = &m->sparse;

	for (unsigned long b = 0; sp->blocks && b < sp->nr_blocks; b++)
		if (sp->blocks[b].state == VMEMMAP_MAPPED)
			memblock_free(m, sp->blocks[b].pages, block_memmap_size(sp));
	sparse_release(m);
}

/* Chunks of whole MAX_ORDER blocks, at most MEMMAP_MAX_CHUNKS of them;
 * every count starts again (a reader's view is of one boot stage). */
static void memmap_marks_init(struct machine *m)
{
	struct memmap_marks *mk = &m->marks;
	unsigned int shift = m->max_order - 1;

	while ((m->max_pfn + ((pfn_t)1 << shift) - 1) >> shift > MEMMAP_MAX_CHUNKS)
		shift++;
	mk->chunk_shift = shift;
	mk->nr_chunks = (unsigned int)((m->max_pfn + ((pfn_t)1 << shift) - 1) >> shift);
	for (unsigned int c = 0; c < MEMMAP_MAX_CHUNKS; c++)
		atomic_store_explicit(&mk->changes[c], 0, memory_order_relaxed);
}

unsigned int memmap_chunk_shift(struct machine *m)
{
	return m->marks.chunk_shift;
}

unsigned long memmap_chunk_changes(struct machine *m, pfn_t pfn)
{
	pfn_t c = pfn >> m->marks.chunk_shift;

	return c < m->marks.nr_chunks ?
		       atomic_load_explicit(&m->marks.changes[c], memory_order_relaxed) : 0;
}

static int sparse_init_common(struct machine *m, bool init_pages, bool deferred)
{
	struct sparse *sp = &m->sparse;
	unsigned int block_sections_shift = 0;
	int ret = -ENOMEM;

	/* A retry after a failed boot starts from scratch. */
	if (sp->sections || sp->blocks)
		sparse_teardown(m);
	sp->init_pages = init_pages;
	sp->memmap_deferred = deferred;
	while ((1u << block_sections_shift) < m->topo.vmemmap_block_sections)
		block_sections_shift++;
	sp->section_shift = m->topo.section_shift;
	sp->block_shift = sp->section_shift + block_sections_shift;
	sp->nr_blocks = (unsigned long)((m->max_pfn + ((pfn_t)1 << sp->block_shift) - 1) >>
					sp->block_shift);
	sp->nr_sections = sp->nr_blocks << block_sections_shift;
	memmap_marks_init(m);
	sp->sections = host_calloc(m->arena, sp->nr_sections, sizeof(*sp->sections));
	sp->blocks = host_calloc(m->arena, sp->nr_blocks, sizeof(*sp->blocks));
	if (!sp->sections || !sp->blocks)
		goto undo;
	memory_present(m);

	if (m->opts.memmap_together) {
		/* All memmaps first, then every section (the 2018 ordering). */
		for (unsigned long nr = 0; nr < sp->nr_sections; nr++) {
			if (!(sp->sections[nr].flags & SECTION_MARKED_PRESENT))
				continue;
			ret = vmemmap_populate(m, nr);
			if (ret)
				goto undo;
		}
		for (unsigned long nr = 0; nr < sp->nr_sections; nr++)
			if (sp->sections[nr].flags & SECTION_MARKED_PRESENT)
				sparse_init_one_section(m, nr);
	} else {
		for (unsigned long nr = 0; nr < sp->nr_sections; nr++) {
			if (!(sp->sections[nr].flags & SECTION_MARKED_PRESENT))
				continue;
			ret = vmemmap_populate(m, nr);
			if (ret)
				goto undo;
			sparse_init_one_section(m, nr);
		}
	}
	return 0;

undo:
	sparse_teardown(m);
	return ret;
}

int sparse_init(struct machine *m)
{
	return sparse_init_common(m, false, false);
}

int sparse_init_boot(struct machine *m, bool defer_memmap)
{
	return sparse_init_common(m, true, defer_memmap);
}

void sparse_release(struct machine *m)
{
	host_free(m->arena, m->sparse.sections);
	host_free(m->arena, m->sparse.blocks);
	memset(&m->sparse, 0, sizeof(m->sparse));
}

/* ---- validator and map ---- */

static bool sparse_section_is_valid(struct machine *m, unsigned long nr, char *why, size_t len)
{
	struct sparse *sp = &m->sparse;
	const struct mem_section *ms = &sp->sections[nr];
	pfn_t start = section_nr_to_pfn(sp, nr);
	pfn_t end = start + ((pfn_t)1 << sp->section_shift);
	pfn_t step;

	if (end > m->max_pfn)
		end = m->max_pfn;
	if (!(ms->flags & SECTION_HAS_MEM_MAP))
		return true;
	if (!(ms->flags & SECTION_MARKED_PRESENT)) {
		snprintf(why, len, "section %lu: initialised but not present", nr);
		return false;
	}
	/* First and last pfn are cheap; every pfn only at debug level 3. */
	step = m->debug_level >= 3 ? 1 : (end - start > 1 ? end - start - 1 : 1);
	for (pfn_t pfn = start; pfn < end; pfn += step) {
		const struct page *page = pfn_to_page(m, pfn);

		if (!page || page->pfn != pfn) {
			snprintf(why, len, "section %lu: pfn_to_page(%#llx)->pfn is %#llx", nr,
				 (unsigned long long)pfn,
				 page ? (unsigned long long)page->pfn : ~0ULL);
			return false;
		}
	}
	return true;
}

bool sparse_is_valid(struct machine *m, char *why, size_t len)
{
	struct sparse *sp = &m->sparse;

	if (!sp->sections)
		return true;	/* before sparse_init: nothing to check */
	for (unsigned long b = 0; b < sp->nr_blocks; b++) {
		const struct vmemmap_block *vb = &sp->blocks[b];
		unsigned long first = b * sections_per_block(sp);
		bool present = false;

		/* The backing first: the section checks below read through it. */
		if (vb->state == VMEMMAP_MAPPED &&
		    (!vb->pages ||
		     !memblock_is_reserved_pfn(m, PHYS_PFN(virt_to_phys(m, vb->pages))))) {
			snprintf(why, len, "vmemmap block %lu: backing is not reserved boot memory",
				 b);
			return false;
		}
		for (unsigned long nr = first; nr < first + sections_per_block(sp); nr++) {
			const struct mem_section *ms = &sp->sections[nr];

			present |= (ms->flags & SECTION_MARKED_PRESENT) != 0;
			if ((ms->flags & SECTION_MARKED_PRESENT) && vb->state != VMEMMAP_MAPPED) {
				snprintf(why, len, "section %lu: present but vmemmap block %lu unmapped",
					 nr, b);
				return false;
			}
			if ((ms->flags & SECTION_HAS_MEM_MAP) && vb->state != VMEMMAP_MAPPED) {
				snprintf(why, len,
					 "section %lu: initialised but vmemmap block %lu unmapped", nr,
					 b);
				return false;
			}
			if (!sparse_section_is_valid(m, nr, why, len))
				return false;
		}
		if (vb->state == VMEMMAP_MAPPED) {
			if (vb->populate_count != 1) {
				snprintf(why, len, "vmemmap block %lu: populated %u times", b,
					 vb->populate_count);
				return false;
			}
			if (!present) {
				snprintf(why, len, "vmemmap block %lu: mapped without a present section",
					 b);
				return false;
			}
		} else if (vb->populate_count != 0 || vb->pages) {
			snprintf(why, len, "vmemmap block %lu: unmapped but populated %u times", b,
				 vb->populate_count);
			return false;
		}
	}
	return true;
}

size_t sparse_dump_map(struct machine *m, char *buf, size_t size)
{
	struct sparse *sp = &m->sparse;
	struct seq_buf mb = SEQ_BUF_INIT(buf, size);

	if (buf && size)
		buf[0] = '\0';
	if (!sp->sections)
		return 0;
	for (unsigned long nr = 0; nr < sp->nr_sections; nr++) {
		const struct mem_section *ms = &sp->sections[nr];
		unsigned long block = section_to_block(sp, nr);
		pfn_t start = section_nr_to_pfn(sp, nr);

		if (!(ms->flags & SECTION_MARKED_PRESENT))
			continue;
		seq_buf_printf(&mb, "section %lu: pfn [%#lx-%#lx) node %d %s block %lu%s\n", nr,
			   (unsigned long)start,
			   (unsigned long)(start + ((pfn_t)1 << sp->section_shift)), ms->nid,
			   (ms->flags & SECTION_HAS_MEM_MAP) ? "initialised" : "present", block,
			   sp->blocks[block].state == VMEMMAP_MAPPED ? "" : " (unmapped)");
	}
	for (unsigned long b = 0; b < sp->nr_blocks; b++) {
		const struct vmemmap_block *vb = &sp->blocks[b];

		if (vb->state != VMEMMAP_MAPPED && !vb->populate_count)
			continue;
		seq_buf_printf(&mb, "vmemmap block %lu: node %d populated %u times\n", b, vb->nid,
			   vb->populate_count);
	}
	return seq_buf_done(&mb);
}
