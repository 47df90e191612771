/* SPDX-License-Identifier: MIT */
/*
 * The digest of a machine (slabfuzz/digest.h): what the reset-equivalence
 * oracle compares between a run from a snapshot and the same run from a
 * fresh boot. A field is a kind (its name's format) with up to three
 * indexes and a value; pointers become offsets into simulated memory
 * (phys), pfns, or list positions, never host addresses.
 */
#include <string.h>

#include "slab.h"

SF_NO_COVERAGE_BEGIN

#define HASH_INIT 0xcbf29ce484222325ull

static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0x100000001b3ull;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = HASH_INIT;

	while (*s)
		h = mix(h, (uint8_t)*s++);
	return h;
}

struct dg {
	struct machine *m;
	struct sf_digest *d;
	int err;
	struct kmem_cache *caches[256];	/* list positions, for pointers to caches */
	unsigned int nr_caches;
};

static void put(struct dg *g, enum dg_kind kind, uint32_t a, uint32_t b, uint32_t c,
		uint64_t value)
{
	struct sf_digest *d = g->d;

	if (d->nr == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 4096;
		struct sf_digest_field *f = realloc(d->f, ncap * sizeof(*f));

		if (!f) {
			g->err = -ENOMEM;
			return;
		}
		d->f = f;
		d->cap = ncap;
	}
	d->f[d->nr++] = (struct sf_digest_field){ (uint16_t)kind, a, b, c, value };
}

/* A pointer into simulated memory as its offset there; other pointers as a
 * mark (they are host pointers, whose address means nothing across machines). */
static uint64_t stable_ptr(const struct machine *m, const void *p)
{
	const uint8_t *b = p;

	if (!p)
		return 0;
	if (b >= m->mem_base && b < m->mem_base + m->mem_size)
		return (uint64_t)(b - m->mem_base) + 1;
	return 1ull << 63;
}

static uint64_t cache_ref(struct dg *g, const struct kmem_cache *s)
{
	if (!s)		/* most struct pages: no search */
		return 0;
	for (unsigned int i = 0; i < g->nr_caches; i++)
		if (g->caches[i] == s)
			return i + 1;
	return 1ull << 62;
}

/* The pfns of a list of struct pages, in list order. */
static uint64_t hash_page_list(struct machine *m, const struct list_head *head)
{
	uint64_t h = HASH_INIT;
	const struct list_head *pos;
	unsigned long n = 0;

	list_for_each(pos, head) {
		const struct page *p = list_entry(pos, struct page, lru);

		h = mix(h, stable_ptr(m, p));
		n++;
	}
	return mix(h, n);
}

static uint64_t hash_ac(const struct machine *m, const struct array_cache *ac)
{
	uint64_t h = HASH_INIT;

	if (!ac)
		return 0;
	h = mix(mix(mix(h, ac->avail), ac->limit), ac->batchcount);
	for (unsigned int i = 0; i < ac->avail && i < ac->limit; i++)
		h = mix(h, stable_ptr(m, ac->entry[i]));
	return h;
}

static uint64_t hash_fault(const struct fault_state *fs)
{
	const struct fault_attr *a = &fs->attr;
	uint64_t h = HASH_INIT;

	h = mix(h, atomic_load(&fs->enabled));
	h = mix(mix(mix(h, a->nth), a->persistent), a->probability);
	h = mix(mix(mix(h, a->seed), a->ignore_gfp_reclaim), a->min_order);
	h = mix(h, hash_str(a->cache_filter));
	return mix(mix(mix(h, fs->rng), fs->stats.calls), fs->stats.failures);
}

static void digest_machine(struct dg *g)
{
	struct machine *m = g->m;
	uint64_t states = 0;

	put(g, DG_MACHINE, DGM_STAGE, 0, 0, m->stage);
	put(g, DG_MACHINE, DGM_GFP_MASK, 0, 0, atomic_load(&m->gfp_allowed_mask));
	put(g, DG_MACHINE, DGM_BUGS, 0, 0, m->bugs);
	put(g, DG_MACHINE, DGM_DEBUG, 0, 0, (uint64_t)m->debug_level);
	put(g, DG_MACHINE, DGM_MAX_PFN, 0, 0, m->max_pfn);
	put(g, DG_MACHINE, DGM_CUR_CPU, 0, 0, (uint64_t)m->current_cpu);
	for (unsigned int i = 0; i < NR_NODE_STATES; i++)
		states = mix(states, m->node_states[i]);
	put(g, DG_MACHINE, DGM_NODE_STATES, 0, 0, states);
	for (unsigned int c = 0; c < m->topo.nr_cpus; c++) {
		const struct cpu *cpu = &m->cpus[c];
		uint64_t h = HASH_INIT;

		put(g, DG_CPU, c, DGC_ONLINE, 0, atomic_load(&cpu->online));
		put(g, DG_CPU, c, DGC_IRQS, 0, cpu->irqs_enabled);
		put(g, DG_CPU, c, DGC_IRQ_DEPTH, 0, (uint64_t)cpu->irq_depth);
		put(g, DG_CPU, c, DGC_PREEMPT, 0, (uint64_t)cpu->preempt_count);
		put(g, DG_CPU, c, DGC_TIMER, 0,
		    mix(atomic_load(&cpu->timer_pending), atomic_load(&cpu->timer_fired)));
		for (unsigned int s = 0; s < NR_SCHED_POINTS; s++)
			h = mix(h, atomic_load(&cpu->sched_hits[s]));
		put(g, DG_CPU, c, DGC_SCHED, 0, h);
	}
	put(g, DG_FAULT, 0, 0, 0, hash_fault(&m->fail_page_alloc));
	put(g, DG_FAULT, 1, 0, 0, hash_fault(&m->failslab));
}

static void digest_memblock(struct dg *g)
{
	const struct memblock *mb = &g->m->memblock;
	const struct memblock_type *types[2] = { &mb->memory, &mb->reserved };

	for (unsigned int t = 0; t < 2; t++) {
		uint64_t h = HASH_INIT;

		put(g, DG_MEMBLOCK, t, DGB_CNT, 0, types[t]->cnt);
		for (unsigned int i = 0; i < types[t]->cnt; i++)
			h = mix(mix(mix(h, types[t]->regions[i].base), types[t]->regions[i].size),
				(uint64_t)types[t]->regions[i].nid);
		put(g, DG_MEMBLOCK, t, DGB_REGIONS, 0, h);
	}
	put(g, DG_MEMBLOCK, 1, DGB_FLAGS, 0,
	    mix(mix(mb->retired, mb->freed_late), mb->allocated_bytes));
}

static void digest_sparse(struct dg *g)
{
	struct machine *m = g->m;
	const struct sparse *sp = &m->sparse;
	uint64_t h = HASH_INIT;

	put(g, DG_SPARSE, DGS_SHAPE, 0, 0,
	    mix(mix(mix(mix(h, sp->section_shift), sp->block_shift), sp->nr_sections),
		sp->init_pages));
	/* nr_sections and nr_blocks are 0 while the tables are NULL. */
	for (unsigned long i = 0; i < sp->nr_sections; i++)
		h = mix(mix(mix(h, sp->sections[i].flags), (uint64_t)sp->sections[i].nid),
			sp->sections[i].memmap_allocated);
	put(g, DG_SPARSE, DGS_SECTIONS, 0, 0, h);
	h = HASH_INIT;
	for (unsigned long i = 0; i < sp->nr_blocks; i++)
		h = mix(mix(mix(mix(h, (uint64_t)sp->blocks[i].state), (uint64_t)sp->blocks[i].nid),
			    sp->blocks[i].populate_count), stable_ptr(m, sp->blocks[i].pages));
	put(g, DG_SPARSE, DGS_BLOCKS, 0, 0, h);
}

static void digest_zones(struct dg *g)
{
	struct machine *m = g->m;

	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		for (unsigned int zi = 0; zi < MAX_NR_ZONES; zi++) {
			struct zone *z = &m->nodes[n].node_zones[zi];

			if (!z->spanned_pages && !z->present_pages)
				continue;
			put(g, DG_ZONE, n, zi, DGZ_SPAN,
			    mix(z->zone_start_pfn, z->zone_end_pfn));
			put(g, DG_ZONE, n, zi, DGZ_PAGES, mix(z->present_pages, z->managed_pages));
			put(g, DG_ZONE, n, zi, DGZ_WATERMARKS,
			    mix(mix(z->watermark[0], z->watermark[1]), z->watermark[2]));
			put(g, DG_ZONE, n, zi, DGZ_FREE_PAGES,
			    (uint64_t)atomic_load(&z->free_pages));
			for (unsigned int o = 0; o < m->max_order; o++) {
				put(g, DG_FREE_AREA, n, zi, o, z->free_area[o].nr_free);
				put(g, DG_FREE_LIST, n, zi, o,
				    hash_page_list(m, &z->free_area[o].free_list));
			}
			for (unsigned int c = 0; z->pageset && c < m->topo.nr_cpus; c++) {
				struct per_cpu_pages *pcp = &z->pageset[c];
				uint64_t h = HASH_INIT;

				h = mix(mix(mix(h, (uint64_t)pcp->count), (uint64_t)pcp->high),
					(uint64_t)pcp->batch);
				for (unsigned int o = 0; o < NR_PCP_ORDERS; o++)
					h = mix(h, hash_page_list(m, &pcp->lists[o]));
				put(g, DG_PCP, n, zi, c, h);
			}
		}
	}
}

static void digest_memmap(struct dg *g)
{
	struct machine *m = g->m;

	for (pfn_t pfn = 0; pfn < m->max_pfn; pfn++) {
		const struct page *p;
		uint64_t h = HASH_INIT;

		if (!sparse_pfn_valid(m, pfn))
			continue;
		p = sparse_pfn_to_page(m, pfn);
		h = mix(mix(mix(mix(h, p->state), p->order), p->zone), p->tail);
		h = mix(mix(mix(mix(h, p->node), p->flags), (uint64_t)atomic_load(&p->refcount)),
			p->head_offset);
		h = mix(mix(h, stable_ptr(m, p->lru.next)), stable_ptr(m, p->lru.prev));
		h = mix(mix(h, cache_ref(g, p->slab_cache)), stable_ptr(m, p->slab_mgmt));
		h = mix(mix(mix(mix(h, p->slab_inuse), p->slab_objects), p->pfn), p->private);
		put(g, DG_PAGE, (uint32_t)pfn, 0, 0, h);
	}
	if (!kasan_shadow_size(PAGE_SIZE))
		return;
	for (unsigned int i = 0; i < m->topo.nr_ranges; i++)
		for (pfn_t pfn = m->topo.ranges[i].start_pfn; pfn < m->topo.ranges[i].end_pfn;
		     pfn++)
			put(g, DG_ASAN_PAGE, (uint32_t)pfn, 0, 0,
			    kasan_shadow_hash(m->mem_base + PFN_PHYS(pfn), PAGE_SIZE));
}

static void digest_reports(struct dg *g)
{
	const struct report_log *log = &g->m->reports;

	put(g, DG_REPORTS, DGR_TOTAL, 0, 0, log->total);
	put(g, DG_REPORTS, DGR_KINDS, 0, 0,
	    mix(mix(log->by_kind[0], log->by_kind[1]), log->by_kind[2]));
	put(g, DG_REPORTS, DGR_DISTINCT, 0, 0, log->nr_distinct);
	put(g, DG_REPORTS, DGR_DROPPED, 0, 0, log->dropped);
	for (unsigned int i = 0; i < log->nr_distinct && i < SF_REPORT_LOG_MAX; i++)
		put(g, DG_REPORT, i, 0, 0,
		    mix(mix(hash_str(log->first[i].title), log->count[i]),
			(uint64_t)log->first[i].kind));
}

static void digest_cache(struct dg *g, unsigned int i, struct kmem_cache *s)
{
	struct machine *m = g->m;

	put(g, DG_CACHE, i, DGK_NAME, 0, hash_str(s->name));
	put(g, DG_CACHE, i, DGK_GEOMETRY, 0,
	    mix(mix(mix(mix(mix(mix(mix(mix(mix(HASH_INIT, s->object_size), s->size), s->align),
					s->red_left_pad), s->inuse), s->track_offset), s->order),
		    s->objects), mix(s->mgmt_offset, s->state_offset)));
	put(g, DG_CACHE, i, DGK_TUNABLES, 0, mix(mix(s->limit, s->batchcount), s->shared));
	put(g, DG_CACHE, i, DGK_FLAGS, 0, mix(mix(s->flags, s->allocflags), s->ctor != NULL));
	put(g, DG_CACHE, i, DGK_REFCOUNT, 0, mix((uint64_t)s->refcount, s->sysfs_registered));
	for (unsigned int c = 0; c < m->topo.nr_cpus; c++)	/* never NULL on the list */
		put(g, DG_CACHE_CPU, i, c, 0,
		    mix(hash_ac(m, s->cpu_slab[c].ac), (uint64_t)s->cpu_slab[c].live));
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		struct kmem_cache_node *kn = s->node[n];

		if (!kn)
			continue;
		put(g, DG_CACHE_NODE, i, n, DGN_COUNTS,
		    mix(mix(mix(mix(mix(mix(HASH_INIT, kn->nr_partial), kn->nr_full), kn->nr_free),
				kn->free_objects), kn->total_objects), kn->free_limit));
		put(g, DG_CACHE_NODE, i, n, DGN_PARTIAL, hash_page_list(m, &kn->slabs_partial));
		put(g, DG_CACHE_NODE, i, n, DGN_FULL, hash_page_list(m, &kn->slabs_full));
		put(g, DG_CACHE_NODE, i, n, DGN_FREE, hash_page_list(m, &kn->slabs_free));
		put(g, DG_CACHE_NODE, i, n, DGN_SHARED, hash_ac(m, kn->shared));
		for (unsigned int r = 0; r < kn->nr_alien; r++)
			put(g, DG_CACHE_ALIEN, i, n, r,
			    kn->alien[r] ? hash_ac(m, kn->alien[r]->ac) : 0);
	}
}

static void digest_slab(struct dg *g)
{
	struct slab_state *ss = g->m->slab;
	struct list_head *pos;
	uint64_t h = HASH_INIT;
	unsigned int i = 0;

	if (!ss)
		return;
	g->nr_caches = 0;
	list_for_each(pos, &ss->caches) {
		if (g->nr_caches < sizeof(g->caches) / sizeof(g->caches[0]))
			g->caches[g->nr_caches] = list_entry(pos, struct kmem_cache, list);
		g->nr_caches++;
	}
	put(g, DG_SLAB, DGL_NR_CACHES, 0, 0, g->nr_caches);
	if (g->nr_caches > sizeof(g->caches) / sizeof(g->caches[0]))
		g->nr_caches = sizeof(g->caches) / sizeof(g->caches[0]);
	put(g, DG_SLAB, DGL_STATE, 0, 0, ss->state);
	for (unsigned int t = 0; t < NR_KMALLOC_TYPES; t++)
		for (unsigned int k = 0; k < NR_KMALLOC_INDEX; k++)
			h = mix(h, cache_ref(g, ss->kmalloc_caches[t][k]));
	h = mix(mix(h, cache_ref(g, ss->kmem_cache)), cache_ref(g, ss->kmem_cache_node));
	put(g, DG_SLAB, DGL_KMALLOC, 0, 0, h);
	put(g, DG_SLAB, DGL_TRACK_SEQ, 0, 0, atomic_load(&ss->track_seq));
	put(g, DG_SLAB, DGL_BOOT_PAGE, 0, 0, mix(stable_ptr(g->m, ss->boot_page), ss->boot_order));
	put(g, DG_SLAB, DGL_SHRINKER, 0, 0, ss->shrinker_registered);
	put(g, DG_SLAB, DGL_NR_SYSFS, 0, 0, ss->nr_sysfs);
	for (unsigned int e = 0; e < ss->nr_sysfs; e++)
		put(g, DG_SYSFS, e, 0, 0,
		    mix(mix(hash_str(ss->sysfs[e].name), cache_ref(g, ss->sysfs[e].s)),
			ss->sysfs[e].alias));
	for (i = 0; i < g->nr_caches; i++)
		digest_cache(g, i, g->caches[i]);
}

int sf_digest_take(struct machine *m, struct sf_digest *d)
{
	struct dg g = { .m = m, .d = d };

	d->nr = 0;
	digest_machine(&g);
	digest_memblock(&g);
	digest_sparse(&g);
	digest_zones(&g);
	/* Before the memmap: struct pages name their cache by list position. */
	digest_slab(&g);
	digest_memmap(&g);
	digest_reports(&g);
	return g.err;
}

void sf_digest_free(struct sf_digest *d)
{
	free(d->f);
	memset(d, 0, sizeof(*d));
}

static bool same_name(const struct sf_digest_field *x, const struct sf_digest_field *y)
{
	return x->kind == y->kind && x->a == y->a && x->b == y->b && x->c == y->c;
}

long sf_digest_diff(const struct sf_digest *a, const struct sf_digest *b)
{
	size_t n = a->nr < b->nr ? a->nr : b->nr;

	for (size_t i = 0; i < n; i++)
		if (!same_name(&a->f[i], &b->f[i]) || a->f[i].value != b->f[i].value)
			return (long)i;
	return a->nr == b->nr ? -1 : (long)n;
}

SF_NO_COVERAGE_END
