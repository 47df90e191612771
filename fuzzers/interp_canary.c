/* SPDX-License-Identifier: MIT */
/*
 * The checker canary: op "corrupt KIND index=N" (format version 4).
 *
 * An oracle for the invariant checker (check_machine: P1-P12 of core/check.c,
 * S1-S14 of core/slab_debug.c) and the object validator (kmem_cache_validate)
 * over the states the fuzzer reaches. KIND names one invariant (or validator
 * check) that one field of the live state breaks; index chooses WHICH live
 * object, page, zone, queue or cache of the current state gets it (modulo
 * the candidates there are). The harness saves the bytes, corrupts them,
 * runs the full check (validator kinds: kmem_cache_validate of the cache),
 * expects exactly the report the table below names (its title, and the
 * invariant id its body starts with), restores the bytes exactly and checks
 * again: the state must be clean. A check that stays quiet is
 * "HARNESS: checker missed a corruption"; a report of another invariant is
 * "HARNESS: checker named another invariant", the report with the check
 * passing "HARNESS: checker reported but passed". A state with no candidate
 * skips the corruption (the trace says so) and runs only the clean check.
 *
 * Free-time kinds break a block the program holds and call the core's free
 * instead of the check: it must refuse with exactly the report of that
 * page. And the state digest (core/digest.c) taken before and after the
 * corruption must differ, for every kind but those of digest_blind[].
 *
 * The failure branches this runs are the checker's, provoked by the harness
 * on purpose: a correct core never hands a fuzz target a broken state.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "interp_internal.h"
#include "page_alloc.h"
#include "sanitizer.h"
#include "slab.h"
#include "slabfuzz/digest.h"

#define PAGE_TITLE "BUG: page allocator invariant broken"
#define SLAB_TITLE "BUG: slab invariant broken"

#define CANARY_SAVES 3
#define LONG_BITS (8 * sizeof(long))
#define CANARY_SAVE_MAX 64

struct canary_kind;

struct canary {
	struct run *r;
	struct machine *m;
	int kind;			/* enum sf_canary_kind */
	const struct canary_kind *k;	/* its table entry */
	unsigned int want;		/* the candidate to corrupt (UINT_MAX: count only) */
	unsigned int n;			/* candidates seen */
	unsigned int nr_saved;
	struct canary_save {
		void *addr;
		size_t len;
		bool poisoned;		/* sanitizer-poisoned memory (red zones, free objects) */
		bool unpoisoned;	/* the corruption is the unpoisoning: poison again */
		uint8_t bytes[CANARY_SAVE_MAX];
	} saved[CANARY_SAVES];
	char target[192];		/* what was corrupted, for the trace and findings */
	char says[96];			/* what the report must say of it ("": not predicted) */
	struct kmem_cache *validate;	/* validator kinds: the cache to validate */
	struct kmem_cache *in_cache;	/* cache walks: the cache corrupted */
	int qnode;			/* walk_queues: the node the queue's objects are of */
	bool aliens;			/* walk_queues: the alien buffers only */
	struct page *probe;		/* slab_has_queued: the slab looked for */
	struct kmem_cache_cpu *queue;	/* lock-time kinds: the queue whose lock is misused */
	struct kmem_cache *lock_cache;	/* unlock_order: the cache whose list_locks it takes */
	struct page *free_head;		/* free-time kinds: the block to free, */
	unsigned int free_order;	/* its order */
	pfn_t free_pfn;			/* and the page the report must name */
};

/* The next candidate: true when it is the one to corrupt. */
static bool chosen(struct canary *c)
{
	return c->n++ == c->want;
}

static void save(struct canary *c, void *addr, size_t len, bool poisoned)
{
	struct canary_save *sv = &c->saved[c->nr_saved++];

	if (c->nr_saved > CANARY_SAVES || len > CANARY_SAVE_MAX)
		run_fail(c->r, "HARNESS: canary saves more than it can restore", "%zu bytes",
			 len);
	sv->addr = addr;
	sv->len = len;
	sv->poisoned = poisoned;
	sv->unpoisoned = false;
	if (poisoned)
		kasan_unpoison(addr, len);
	memcpy(sv->bytes, addr, len);
}

/* The corruption is unpoisoning poisoned memory (its bytes unread):
 * restore poisons it again. */
static void unpoison(struct canary *c, void *addr, size_t len)
{
	struct canary_save *sv = &c->saved[c->nr_saved++];

	if (c->nr_saved > CANARY_SAVES)
		run_fail(c->r, "HARNESS: canary saves more than it can restore", "%zu bytes",
			 len);
	*sv = (struct canary_save){ .addr = addr, .len = len, .unpoisoned = true };
	kasan_unpoison(addr, len);
}

/* After the corruption was written: poisoned memory is poisoned again. */
static void repoison(struct canary *c)
{
	for (unsigned int i = 0; i < c->nr_saved; i++)
		if (c->saved[i].poisoned)
			kasan_poison(c->saved[i].addr, c->saved[i].len);
}

static void restore(struct canary *c)
{
	while (c->nr_saved) {
		struct canary_save *sv = &c->saved[--c->nr_saved];

		if (sv->unpoisoned) {
			kasan_poison(sv->addr, sv->len);
			continue;
		}
		if (sv->poisoned)
			kasan_unpoison(sv->addr, sv->len);
		memcpy(sv->addr, sv->bytes, sv->len);
		if (sv->poisoned)
			kasan_poison(sv->addr, sv->len);
	}
}

#define TARGET(c, ...) snprintf((c)->target, sizeof((c)->target), __VA_ARGS__)
/* The words the report's body must hold: which record broke and how. */
#define SAYS(c, ...) snprintf((c)->says, sizeof((c)->says), __VA_ARGS__)

/* ---- walks of the live state ---- */

static struct zone *zone_at(struct machine *m, unsigned int n, int zt)
{
	return &m->nodes[n].node_zones[zt];
}

/* Populated zones, node by node, lowest zone first. */
#define for_each_pop_zone(m, n, zt, z)                                                   \
	for (unsigned int n = 0; n < (m)->topo.nr_nodes; n++)                            \
		for (int zt = 0; zt < MAX_NR_ZONES; zt++)                                \
			if (!populated_zone(z = zone_at((m), n, zt))) {                  \
			} else

typedef bool (*block_fn)(struct canary *c, struct page *head, pfn_t pfn);

/* Every block of the memmap (the checker's P1 walk), head by head. */
static bool walk_blocks(struct canary *c, block_fn fn)
{
	struct machine *m = c->m;

	if (machine_stage(m) < STAGE_BUDDY)
		return false;
	for (pfn_t pfn = 0; pfn < m->max_pfn;) {
		struct page *head;

		if (!pfn_valid(m, pfn)) {
			pfn++;
			continue;
		}
		head = pfn_to_page(m, pfn);
		if (fn(c, head, pfn))
			return true;
		pfn += (pfn_t)1 << head->order;
	}
	return false;
}

typedef bool (*cache_fn)(struct canary *c, struct kmem_cache *s);

static bool slab_checked(struct machine *m)
{
	return m->slab && machine_stage(m) >= STAGE_SLAB_PARTIAL;
}

static bool walk_caches(struct canary *c, cache_fn fn)
{
	struct list_head *pos;

	if (!slab_checked(c->m))
		return false;
	list_for_each(pos, &c->m->slab->caches) {
		c->in_cache = list_entry(pos, struct kmem_cache, list);
		if (fn(c, c->in_cache))
			return true;
	}
	c->in_cache = NULL;
	return false;
}

/*
 * The incremental checker reads the boot caches (kmem_cache and
 * kmem_cache_node) at every check, changed or not: a corruption in one of
 * them is held to the incremental check a check point runs (slab
 * invariants: the page layer's incremental check reads changed chunks only).
 */
static bool in_boot_cache(const struct canary *c)
{
	const struct slab_state *ss = c->m->slab;

	return c->in_cache && (c->in_cache == ss->kmem_cache || c->in_cache == ss->kmem_cache_node);
}

typedef bool (*queue_fn)(struct canary *c, struct kmem_cache *s, struct array_cache *ac,
			 const char *where);

/* Every queue of s: cpu queues, then per node the shared queue and the
 * alien buffers. */
static bool walk_queues(struct canary *c, struct kmem_cache *s, queue_fn fn)
{
	struct machine *m = c->m;
	char where[48];

	for (unsigned int cpu = 0; !c->aliens && cpu < m->topo.nr_cpus; cpu++) {
		snprintf(where, sizeof(where), "cpu %u queue", cpu);
		c->qnode = m->slab->mem_node[cpu];
		if (fn(c, s, s->cpu_slab[cpu].ac, where))
			return true;
	}
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (!n)
			continue;
		snprintf(where, sizeof(where), "node %u shared queue", nid);
		c->qnode = (int)nid;
		if (!c->aliens && n->shared && fn(c, s, n->shared, where))
			return true;
		for (unsigned int r = 0; r < n->nr_alien; r++) {
			snprintf(where, sizeof(where), "node %u alien buffer %u", nid, r);
			c->qnode = (int)r;
			if (n->alien[r] && fn(c, s, n->alien[r]->ac, where))
				return true;
		}
	}
	return false;
}

typedef bool (*slab_fn)(struct canary *c, struct kmem_cache *s, struct page *page);

/* Every slab of s on its nodes' lists. */
static bool walk_slabs(struct canary *c, struct kmem_cache *s, slab_fn fn)
{
	for (unsigned int nid = 0; nid < c->m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);
		struct list_head *lists[3];

		if (!n)
			continue;
		node_slab_lists(n, lists);
		for (int l = 0; l < 3; l++) {
			struct list_head *pos;

			list_for_each(pos, lists[l])
				if (fn(c, s, list_entry(pos, struct page, lru)))
					return true;
		}
	}
	return false;
}

static pfn_t pfn_of(struct machine *m, const struct page *page)
{
	return page_to_pfn(m, page);
}

static bool is_debug_cache(const struct kmem_cache *s)
{
	return s->state_offset != 0;
}

static uint8_t *obj_state_of(struct canary *c, struct kmem_cache *s, struct page *page,
			     unsigned int i)
{
	return slab_obj_state(c->m, s, page) + i;
}

/* ---- P1-P5: the memmap, free lists and per-cpu lists ---- */

/* The free blocks on the free lists, zone by zone, order by order (P2;
 * free_unpoisoned: P1, a free block's memory under ASan). */
static bool free_blocks(struct canary *c)
{
	int kind = c->kind;

	struct machine *m = c->m;
	struct zone *z;

	if (machine_stage(m) < STAGE_BUDDY)
		return false;
	/* free_unpoisoned: no shadow (not ASan), nothing to break */
	if (kind == CANARY_FREE_UNPOISONED && !kasan_shadow_size(SF_PAGE_SIZE))
		return false;
	for_each_pop_zone(m, n, zt, z) {
		for (unsigned int o = 0; o < m->max_order; o++) {
			struct list_head *pos;

			list_for_each(pos, &z->free_area[o].free_list) {
				struct page *page = list_entry(pos, struct page, lru);

				if (!chosen(c))
					continue;
				TARGET(c, "free block pfn %#llx order %u of node %u %s",
				       (unsigned long long)pfn_of(m, page), o, n, z->name);
				if (kind == CANARY_FREE_UNPOISONED) {
					/* its last page's first granule accessible */
					unpoison(c, (uint8_t *)page_address(m, page) +
							    ((1ul << o) - 1) * SF_PAGE_SIZE, 8);
				} else if (kind == CANARY_FREE_ORDER) {
					save(c, &page->order, 1, false);
					page->order = (uint8_t)(o + 1);
				} else if (kind == CANARY_FREE_STATE) {
					save(c, &page->state, 1, false);
					page->state = PS_ALLOCATED;
				} else {
					save(c, &page->zone, 1, false);
					page->zone = (uint8_t)((zt + 1) % MAX_NR_ZONES);
				}
				return true;
			}
		}
	}
	return false;
}

/* Counters of every populated zone: nr_free per order (P3), free_pages
 * (P3), managed_pages (P10), the watermarks (P10). */
static bool zone_fields(struct canary *c)
{
	static const char *const wmarks[NR_WMARK] = { "min", "low", "high" };
	struct machine *m = c->m;
	int kind = c->kind;
	struct zone *z;

	if (machine_stage(m) < STAGE_BUDDY)
		return false;
	for_each_pop_zone(m, n, zt, z) {
		unsigned int nr = kind == CANARY_FREE_COUNT ? m->max_order :
				  kind == CANARY_WATERMARK ? NR_WMARK : 1;

		for (unsigned int j = 0; j < nr; j++) {
			unsigned long *field = kind == CANARY_FREE_COUNT ? &z->free_area[j].nr_free :
					       kind == CANARY_WATERMARK ? &z->watermark[j] :
					       &z->managed_pages;

			if (!chosen(c))
				continue;
			if (kind == CANARY_ZONE_FREE_PAGES) {
				TARGET(c, "free_pages of node %u %s", n, z->name);
				save(c, &z->free_pages, sizeof(z->free_pages), false);
				atomic_fetch_add(&z->free_pages, 1);
				return true;
			}
			TARGET(c, "%s%s of node %u %s (%lu)",
			       kind == CANARY_FREE_COUNT ? "nr_free of an order" :
			       kind == CANARY_WATERMARK ? wmarks[j] : "managed_pages",
			       kind == CANARY_WATERMARK ? " watermark" : "", n, z->name, *field);
			save(c, field, sizeof(*field), false);
			(*field)++;
			return true;
		}
	}
	return false;
}

/* The per-cpu lists of every populated zone, cpu by cpu. */
static bool pcp_lists(struct canary *c)
{
	int kind = c->kind;

	struct machine *m = c->m;
	struct zone *z;

	if (machine_stage(m) < STAGE_BUDDY)
		return false;
	for_each_pop_zone(m, n, zt, z) {
		for (unsigned int cpu = 0; z->pageset && cpu < m->topo.nr_cpus; cpu++) {
			struct per_cpu_pages *pcp = &z->pageset[cpu];

			if (kind == CANARY_PCP_PAGE) {
				for (int o = 0; o < NR_PCP_ORDERS; o++) {
					struct list_head *pos;

					list_for_each(pos, &pcp->lists[o]) {
						struct page *page = list_entry(pos, struct page, lru);

						if (!chosen(c))
							continue;
						TARGET(c, "pfn %#llx on cpu %u's %s pcp list %d",
						       (unsigned long long)pfn_of(m, page), cpu,
						       z->name, o);
						save(c, &page->state, 1, false);
						page->state = PS_BUDDY;
						return true;
					}
				}
				continue;
			}
			if (!chosen(c))
				continue;
			TARGET(c, "cpu %u's pcp of node %u %s (count %d high %d)", cpu, n, z->name,
			       pcp->count, pcp->high);
			if (kind == CANARY_PCP_COUNT) {
				save(c, &pcp->count, sizeof(pcp->count), false);
				pcp->count++;
			} else {
				save(c, &pcp->high, sizeof(pcp->high), false);
				pcp->high = pcp->count;
			}
			return true;
		}
	}
	return false;
}

static bool b_refcount(struct canary *c, struct page *head, pfn_t pfn)
{
	if (head->state != PS_ALLOCATED || !chosen(c))
		return false;
	TARGET(c, "refcount of the allocated block at pfn %#llx order %u",
	       (unsigned long long)pfn, head->order);
	save(c, &head->refcount, sizeof(head->refcount), false);
	atomic_store(&head->refcount, 0);
	return true;
}

/* The tail pages of blocks (allocated ones only: head_offset). */
static bool tails(struct canary *c, struct page *head, pfn_t pfn)
{
	bool offset = c->kind == CANARY_HEAD_OFFSET;

	if (head->state == PS_RESERVED || (offset && head->state != PS_ALLOCATED))
		return false;
	for (unsigned long i = 1; i < 1ul << head->order; i++) {
		struct page *p = pfn_to_page(c->m, pfn + i);

		if (!chosen(c))
			continue;
		TARGET(c, "tail pfn %#llx of the block at %#llx order %u (state %u)",
		       (unsigned long long)(pfn + i), (unsigned long long)pfn, head->order,
		       head->state);
		if (offset) {
			save(c, &p->head_offset, sizeof(p->head_offset), false);
			p->head_offset++;
		} else {
			save(c, &p->tail, 1, false);
			p->tail = 0;
		}
		return true;
	}
	return false;
}

static bool k_nr_allocated(struct canary *c)
{
	struct machine *m = c->m;

	if (machine_stage(m) < STAGE_BUDDY || !chosen(c))
		return false;
	TARGET(c, "nr_allocated_pages (%ld)", (long)atomic_load(&m->nr_allocated_pages));
	save(c, &m->nr_allocated_pages, sizeof(m->nr_allocated_pages), false);
	atomic_fetch_add(&m->nr_allocated_pages, 1);
	return true;
}

/* ---- P6, P7: memblock and sparse (their validators) ---- */

static bool memblock_regions(struct canary *c)
{
	int kind = c->kind;

	struct memblock *mb = &c->m->memblock;
	struct memblock_type *types[2] = { &mb->memory, &mb->reserved };
	static const char *const names[2] = { "memory", "reserved" };

	for (int t = 0; t < 2; t++) {
		for (unsigned int i = 0; i < types[t]->cnt; i++) {
			struct memblock_region *rg = &types[t]->regions[i];

			if (!chosen(c))
				continue;
			TARGET(c, "memblock.%s[%u] [%#llx, +%#llx) node %d", names[t], i,
			       (unsigned long long)rg->base, (unsigned long long)rg->size, rg->nid);
			if (kind == CANARY_MEMBLOCK_NID) {
				save(c, &rg->nid, sizeof(rg->nid), false);
				rg->nid = (int)c->m->topo.nr_nodes;
				SAYS(c, "memblock.%s[%u]: nid %d not in 0..%u", names[t], i, rg->nid,
				     c->r->topo.nr_nodes - 1);
			} else {
				save(c, &rg->size, sizeof(rg->size), false);
				rg->size = 0;
				SAYS(c, "memblock.%s[%u]: size 0 at %#llx", names[t], i,
				     (unsigned long long)rg->base);
			}
			return true;
		}
	}
	return false;
}

static bool k_memblock_bytes(struct canary *c)
{
	struct memblock *mb = &c->m->memblock;

	if (!chosen(c))
		return false;
	TARGET(c, "memblock allocated_bytes (%llu)", (unsigned long long)mb->allocated_bytes);
	save(c, &mb->allocated_bytes, sizeof(mb->allocated_bytes), false);
	mb->allocated_bytes++;
	return true;
}

static bool k_vmemmap_ref(struct canary *c)
{
	struct sparse *sp = &c->m->sparse;

	if (machine_stage(c->m) < STAGE_SPARSE || !sp->sections)
		return false;
	for (unsigned long b = 0; b < sp->nr_blocks; b++) {
		if (!chosen(c))
			continue;
		TARGET(c, "populate count of vmemmap block %lu (state %d, %u)", b,
		       (int)sp->blocks[b].state, sp->blocks[b].populate_count);
		save(c, &sp->blocks[b].populate_count, sizeof(sp->blocks[b].populate_count), false);
		sp->blocks[b].populate_count++;
		return true;
	}
	return false;
}

static bool k_section_present(struct canary *c)
{
	struct sparse *sp = &c->m->sparse;

	if (machine_stage(c->m) < STAGE_SPARSE || !sp->sections)
		return false;
	for (unsigned long nr = 0; nr < sp->nr_sections; nr++) {
		struct mem_section *ms = &sp->sections[nr];

		if (!(ms->flags & SECTION_HAS_MEM_MAP) || !chosen(c))
			continue;
		TARGET(c, "present flag of initialised section %lu", nr);
		save(c, &ms->flags, sizeof(ms->flags), false);
		ms->flags &= ~SECTION_MARKED_PRESENT;
		return true;
	}
	return false;
}

/* ---- P8-P12: boot stage, zonelists, zones, node states, hand-over ---- */

static bool k_gfp_mask(struct canary *c)
{
	struct machine *m = c->m;

	for (unsigned int bit = 0; bit < 32; bit++) {
		gfp_t g = (gfp_t)1 << bit;

		if (!(g & (gfp_t)__GFP_BITS_MASK) || !chosen(c))
			continue;
		TARGET(c, "bit %#x of gfp_allowed_mask at stage %s", (unsigned int)g,
		       boot_stage_name(machine_stage(m)));
		save(c, &m->gfp_allowed_mask, sizeof(m->gfp_allowed_mask), false);
		atomic_fetch_xor(&m->gfp_allowed_mask, g);
		return true;
	}
	return false;
}

static bool zonelists(struct canary *c)
{
	int kind = c->kind;

	struct machine *m = c->m;

	if (machine_stage(m) < STAGE_BUDDY)
		return false;
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		struct zonelist *fb = &NODE_DATA(m, (int)n)->node_zonelists[ZONELIST_FALLBACK];
		struct zonelist *nofb = &NODE_DATA(m, (int)n)->node_zonelists[ZONELIST_NOFALLBACK];
		unsigned int len = 0;

		while (len < MAX_ZONES_PER_ZONELIST && fb->zones[len].zone)
			len++;
		if (kind == CANARY_NOFALLBACK) {
			if (!nofb->zones[0].zone || !chosen(c))
				continue;
			TARGET(c, "entry 0 (%s) of node %u's no-fallback zonelist",
			       nofb->zones[0].zone->name, n);
			save(c, &nofb->zones[0], sizeof(nofb->zones[0]), false);
			nofb->zones[0].zone = NULL;
			return true;
		}
		if (kind == CANARY_ZONELIST_DROP) {
			if (!len || !chosen(c))
				continue;
			TARGET(c, "last entry %u of node %u's fallback zonelist", len - 1, n);
			save(c, &fb->zones[len - 1], sizeof(fb->zones[0]), false);
			fb->zones[len - 1].zone = NULL;
			return true;
		}
		for (unsigned int i = 0; i + 1 < len; i++) {
			struct zone *a = fb->zones[i].zone;

			if (!chosen(c))
				continue;
			TARGET(c, "entries %u and %u (node %d %s, node %d %s) of node %u's fallback "
			       "zonelist swapped", i, i + 1, a->node, a->name,
			       fb->zones[i + 1].zone->node, fb->zones[i + 1].zone->name, n);
			save(c, &fb->zones[i], 2 * sizeof(fb->zones[0]), false);
			fb->zones[i].zone = fb->zones[i + 1].zone;
			fb->zones[i + 1].zone = a;
			return true;
		}
	}
	return false;
}

static bool k_node_state(struct canary *c)
{
	struct machine *m = c->m;

	for (int s = 0; s < NR_NODE_STATES; s++) {
		for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
			if (!chosen(c))
				continue;
			TARGET(c, "node %u in node state %d (%s)", n, s,
			       node_state(m, (int)n, (enum node_states)s) ? "set" : "clear");
			save(c, &m->node_states[s], sizeof(m->node_states[s]), false);
			m->node_states[s] ^= 1u << n;
			return true;
		}
	}
	return false;
}

/* Each cpu's memory node: the page layer's (P11) and the slab layer's (S12). */
static bool cpu_nodes(struct canary *c)
{
	bool slab = c->kind == CANARY_SLAB_MEM_NODE;

	if (slab && !slab_checked(c->m))
		return false;
	for (unsigned int cpu = 0; cpu < c->m->topo.nr_cpus; cpu++) {
		int *node = slab ? &c->m->slab->mem_node[cpu] : &c->m->cpus[cpu].mem_node;

		if (!chosen(c))
			continue;
		TARGET(c, "%s memory node of cpu %u (%d)", slab ? "slab" : "page", cpu, *node);
		save(c, node, sizeof(*node), false);
		(*node)++;
		return true;
	}
	return false;
}

static bool k_memblock_retired(struct canary *c)
{
	struct memblock *mb = &c->m->memblock;

	if (machine_stage(c->m) < STAGE_BUDDY || !mb->retired || !chosen(c))
		return false;
	TARGET(c, "memblock's retired flag after the hand-over");
	save(c, &mb->retired, sizeof(mb->retired), false);
	mb->retired = false;
	return true;
}

/* ---- S1-S14: the slab layer ---- */

static bool q_batch(struct canary *c, struct kmem_cache *s, struct array_cache *ac,
		    const char *where)
{
	if (!chosen(c))
		return false;
	TARGET(c, "batchcount of cache %s's %s (%u of limit %u)", s->name, where, ac->batchcount,
	       ac->limit);
	save(c, &ac->batchcount, sizeof(ac->batchcount), false);
	ac->batchcount++;
	return true;
}

static bool c_cache_limit(struct canary *c, struct kmem_cache *s)
{
	if (!chosen(c))
		return false;
	TARGET(c, "cpu queue limit of cache %s (%u)", s->name, s->limit);
	save(c, &s->limit, sizeof(s->limit), false);
	s->limit++;
	return true;
}

static bool queued_entries(struct canary *c, struct kmem_cache *s, struct array_cache *ac,
			   const char *where)
{
	bool bit = c->kind == CANARY_QUEUE_BIT;

	for (unsigned int i = 0; i < ac->avail; i++) {
		struct page *page;
		unsigned int idx;
		unsigned long *map;

		if (!chosen(c))
			continue;
		TARGET(c, "%s entry %u of cache %s (%s)", where, i, s->name,
		       bit ? "its bit cleared" : "one byte past the object start");
		if (!bit) {
			save(c, &ac->entry[i], sizeof(ac->entry[i]), false);
			ac->entry[i] = (char *)ac->entry[i] + 1;
			return true;
		}
		page = compound_head(virt_to_page(c->m, ac->entry[i]));
		idx = slab_obj_index(c->m, s, page, ac->entry[i]);
		map = slab_bitmap(c->m, s, page) + idx / LONG_BITS;
		save(c, map, sizeof(*map), false);
		*map &= ~(1ul << (idx % LONG_BITS));
		return true;
	}
	return false;
}

static bool q_twice(struct canary *c, struct kmem_cache *s, struct array_cache *ac,
		    const char *where)
{
	if (!ac->avail || ac->avail >= ac->limit || !chosen(c))
		return false;
	TARGET(c, "%s of cache %s: its top entry queued again", where, s->name);
	save(c, &ac->avail, sizeof(ac->avail), false);
	save(c, &ac->entry[ac->avail], sizeof(ac->entry[0]), false);
	ac->entry[ac->avail] = ac->entry[ac->avail - 1];
	ac->avail++;
	return true;
}

static bool node_structs(struct canary *c, struct kmem_cache *s)
{
	int kind = c->kind;

	static const char *const counters[] = { "nr_partial", "nr_full", "nr_free",
						"free_objects", "total_objects" };

	for (unsigned int nid = 0; nid < c->m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (!n)
			continue;
		if (kind == CANARY_NODE_COUNTER) {
			unsigned long *cnt[] = { &n->nr_partial, &n->nr_full, &n->nr_free,
						 &n->free_objects, &n->total_objects };

			for (int k = 0; k < 5; k++) {
				if (!chosen(c))
					continue;
				TARGET(c, "%s of cache %s's node %u structure (%lu)", counters[k],
				       s->name, nid, *cnt[k]);
				save(c, cnt[k], sizeof(*cnt[k]), false);
				(*cnt[k])++;
				return true;
			}
			continue;
		}
		if (!chosen(c))
			continue;
		if (kind == CANARY_NODE_ID) {
			TARGET(c, "node id of cache %s's node %u structure", s->name, nid);
			save(c, &n->node, sizeof(n->node), false);
			n->node = (int)nid + 1;
		} else {
			TARGET(c, "cache %s's node %u structure pointer", s->name, nid);
			save(c, &s->node[nid], sizeof(s->node[nid]), false);
			s->node[nid] = NULL;
		}
		return true;
	}
	return false;
}

static bool s_inuse(struct canary *c, struct kmem_cache *s, struct page *page)
{
	if (!chosen(c))
		return false;
	TARGET(c, "slab_inuse of cache %s's slab pfn %#llx (%u of %u)", s->name,
	       (unsigned long long)pfn_of(c->m, page), page->slab_inuse, s->objects);
	c->validate = s;	/* validate_count: the validator's count */
	save(c, &page->slab_inuse, sizeof(page->slab_inuse), false);
	page->slab_inuse++;
	return true;
}

/* The validator's object count: the same field, kmem_cache_validate. */
/* A free object's bit set in its slab. */
static bool s_bit(struct canary *c, struct kmem_cache *s, struct page *page)
{
	unsigned long *map = slab_bitmap(c->m, s, page);

	for (unsigned int i = 0; i < s->objects; i++) {
		unsigned long *w = map + i / LONG_BITS;

		if ((*w >> (i % LONG_BITS)) & 1ul || !chosen(c))
			continue;
		TARGET(c, "bit of free object %u of cache %s's slab pfn %#llx", i, s->name,
		       (unsigned long long)pfn_of(c->m, page));
		save(c, w, sizeof(*w), false);
		*w |= 1ul << (i % LONG_BITS);
		return true;
	}
	return false;
}

/* Objects of a debug cache: allocated ones (obj_state, redzone) or free
 * ones (poison), each kind its field. */
static bool s_objects(struct canary *c, struct kmem_cache *s, struct page *page)
{
	int kind = c->kind;

	/* The harness's own rule of what the validator checks: red zones with
	 * SLAB_RED_ZONE, poison of free objects with SLAB_POISON and no ctor. */
	bool redzone = kind == CANARY_REDZONE || kind == CANARY_REDZONE_LEFT;
	bool poison = kind == CANARY_POISON || kind == CANARY_POISON_END;

	if (!is_debug_cache(s) || (redzone && !(s->flags & SLAB_RED_ZONE)) ||
	    (poison && (!(s->flags & SLAB_POISON) || s->ctor)))
		return false;
	for (unsigned int i = 0; i < s->objects; i++) {
		uint8_t *st = obj_state_of(c, s, page, i);
		char *x = slab_obj(c->m, s, page, i);
		size_t rlen = s->inuse - s->red_left_pad - s->object_size;

		if ((kind == CANARY_POISON || kind == CANARY_POISON_END) == (*st == OBJ_ALLOCATED))
			continue;
		if ((kind == CANARY_REDZONE && !rlen) ||
		    (kind == CANARY_REDZONE_LEFT && !s->red_left_pad))
			continue;
		if (!chosen(c))
			continue;
		TARGET(c, "%s of %s object %u of cache %s's slab pfn %#llx",
		       kind == CANARY_OBJ_STATE ? "debug state" :
		       redzone ? "a red zone byte" : "a poison byte",
		       *st == OBJ_ALLOCATED ? "allocated" : "free", i, s->name,
		       (unsigned long long)pfn_of(c->m, page));
		if (kind == CANARY_OBJ_STATE) {
			save(c, st, 1, false);
			*st = OBJ_FREED;
			return true;
		}
		c->validate = s;
		if (kind == CANARY_REDZONE)
			x += s->object_size;
		else if (kind == CANARY_REDZONE_LEFT)
			x--;
		else if (kind == CANARY_POISON_END)
			x += s->object_size - 1;
		save(c, x, 1, true);
		*x ^= 0x01;
		repoison(c);
		return true;
	}
	return false;
}

static bool c_cpu_live(struct canary *c, struct kmem_cache *s)
{
	for (unsigned int cpu = 0; cpu < c->m->topo.nr_cpus; cpu++) {
		if (!chosen(c))
			continue;
		TARGET(c, "live count of cache %s on cpu %u (%ld)", s->name, cpu,
		       s->cpu_slab[cpu].live);
		save(c, &s->cpu_slab[cpu].live, sizeof(s->cpu_slab[cpu].live), false);
		s->cpu_slab[cpu].live++;
		return true;
	}
	return false;
}

/* S11: two neighbouring kmalloc table entries swapped (their sizes are
 * then wrong), an entry pointing at no cache on the list. */
static bool k_kmalloc_table(struct canary *c)
{
	struct slab_state *ss = c->m->slab;
	bool swap = c->kind == CANARY_KMALLOC_SWAP;

	if (!slab_checked(c->m))
		return false;
	for (int t = 0; t < NR_KMALLOC_TYPES; t++) {
		for (int i = 1; i + swap < NR_KMALLOC_INDEX; i++) {
			struct kmem_cache **k = &ss->kmalloc_caches[t][i], *first = k[0];

			if ((swap && (!k[0] || !k[1])) || !chosen(c))
				continue;
			TARGET(c, "kmalloc table entry [%d][%d] (%s): %s", t, i,
			       k[0] ? k[0]->name : "empty",
			       swap ? "swapped with the next" : "a stray pointer");
			save(c, k, (1 + swap) * sizeof(*k), false);
			if (swap) {
				k[0] = k[1];
				k[1] = first;
			} else {
				k[0] = (struct kmem_cache *)(void *)ss;
			}
			return true;
		}
	}
	return false;
}

/* S11: SLAB_KMALLOC cleared on a kmalloc table entry, or set on a listed
 * cache that is no entry (kmem_cache, kmem_cache_node, the program's). */
static bool k_kmalloc_flag(struct canary *c)
{
	struct slab_state *ss = c->m->slab;
	struct list_head *pos;

	if (!slab_checked(c->m))
		return false;
	for (int t = 0; t < NR_KMALLOC_TYPES; t++) {
		for (int i = 1; i < NR_KMALLOC_INDEX; i++) {
			struct kmem_cache *k = ss->kmalloc_caches[t][i];

			if (!k || !chosen(c))
				continue;
			TARGET(c, "kmalloc table entry [%d][%d] (%s): SLAB_KMALLOC cleared", t, i,
			       k->name);
			save(c, &k->flags, sizeof(k->flags), false);
			k->flags &= ~SLAB_KMALLOC;
			return true;
		}
	}
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		if ((s->flags & SLAB_KMALLOC) || !chosen(c))
			continue;
		TARGET(c, "cache %s: SLAB_KMALLOC set", s->name);
		save(c, &s->flags, sizeof(s->flags), false);
		s->flags |= SLAB_KMALLOC;
		return true;
	}
	return false;
}

/* S13: PG_slab on a page block the program holds, with no cache or with
 * kmem_cache (which has no such slab on its lists). */
static bool k_pg_slab(struct canary *c)
{
	struct run *r = c->r;
	bool cache = c->kind == CANARY_PG_SLAB_CACHE;

	if (!slab_checked(c->m))
		return false;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_PAGE]; i++) {
		struct page *head;

		if (!r->pages[i].live || !chosen(c))
			continue;
		head = pfn_to_page(c->m, r->pages[i].pfn);
		TARGET(c, "PG_slab%s on page block p%u (pfn %#llx)",
		       cache ? " of cache kmem_cache" : "", i, (unsigned long long)r->pages[i].pfn);
		save(c, head, sizeof(*head), false);
		head->flags |= PG_slab;
		if (cache)
			head->slab_cache = c->m->slab->kmem_cache;
		return true;
	}
	return false;
}

static bool k_registry_name(struct canary *c)
{
	struct slab_state *ss = c->m->slab;

	if (!slab_checked(c->m) || ss->state < SLAB_UP)
		return false;
	for (unsigned int i = 0; i < ss->nr_sysfs; i++) {
		struct slab_sysfs_entry *e = &ss->sysfs[i];

		/* An alias's name is checked only against the others'. */
		if (e->alias || !chosen(c))
			continue;
		TARGET(c, "name of attribute directory %u (%.*s)", i, SLAB_NAME_MAX, e->name);
		save(c, e->name, 1, false);
		e->name[0] = e->name[0] == '#' ? '%' : '#';
		return true;
	}
	return false;
}

static bool c_registered(struct canary *c, struct kmem_cache *s)
{
	if (!chosen(c))
		return false;
	TARGET(c, "sysfs_registered of cache %s (%d)", s->name, s->sysfs_registered);
	save(c, &s->sysfs_registered, sizeof(s->sysfs_registered), false);
	s->sysfs_registered = !s->sysfs_registered;
	return true;
}

/* ---- more of each invariant's failures ---- */

/* P2 (a zone's span shrunk to nothing under its free blocks), P3 (its
 * spanned pages 0: its free lists look like loops). */
static bool zone_spans(struct canary *c)
{
	struct machine *m = c->m;
	struct zone *z;

	if (machine_stage(m) < STAGE_BUDDY)
		return false;
	for_each_pop_zone(m, n, zt, z) {
		bool has_free = false;

		for (unsigned int o = 0; o < m->max_order; o++)
			has_free |= !list_empty(&z->free_area[o].free_list);
		if (!has_free || !chosen(c))
			continue;
		if (c->kind == CANARY_ZONE_SPAN) {
			TARGET(c, "end of node %u %s's span moved to its start", n, z->name);
			save(c, &z->zone_end_pfn, sizeof(z->zone_end_pfn), false);
			z->zone_end_pfn = z->zone_start_pfn;
		} else {
			TARGET(c, "spanned_pages of node %u %s (%lu) set to 0", n, z->name,
			       z->spanned_pages);
			save(c, &z->spanned_pages, sizeof(z->spanned_pages), false);
			z->spanned_pages = 0;
		}
		return true;
	}
	return false;
}

/* Is pfn the first or last of its section, or is every pfn checked (debug
 * level 3)? Then sparse_is_valid (P7) reads its struct page's pfn first. */
static bool pfn_checked_by_p7(struct machine *m, pfn_t pfn)
{
	pfn_t mask = ((pfn_t)1 << m->sparse.section_shift) - 1;

	return m->debug_level >= 3 || !(pfn & mask) || (pfn & mask) == mask ||
	       pfn + 1 == m->max_pfn;
}

/* P1 for heads on no list (allocated or reserved): the struct page's pfn,
 * a tail flag, the state PS_UNINIT, a reserved page's order, a block that
 * says free but is on no list (refcount 0 too). */
static bool b_head(struct canary *c, struct page *head, pfn_t pfn)
{
	int kind = c->kind;

	if (head->state != PS_ALLOCATED && head->state != PS_RESERVED)
		return false;
	if ((kind == CANARY_RESERVED_ORDER && head->state != PS_RESERVED) ||
	    (kind == CANARY_STRAY_FREE && head->state != PS_ALLOCATED) ||
	    (kind == CANARY_PAGE_PFN && pfn_checked_by_p7(c->m, pfn)) || !chosen(c))
		return false;
	TARGET(c, "%s of the %s block at pfn %#llx order %u",
	       kind == CANARY_PAGE_PFN ? "the struct page's pfn" :
	       kind == CANARY_HEAD_TAIL ? "the tail flag" :
	       kind == CANARY_PAGE_UNINIT ? "the state (uninitialised)" :
	       kind == CANARY_RESERVED_ORDER ? "the order" : "state free, refcount 0,",
	       head->state == PS_RESERVED ? "reserved" : "allocated", (unsigned long long)pfn,
	       head->order);
	save(c, head, sizeof(*head), false);
	if (kind == CANARY_PAGE_PFN) {
		head->pfn++;
	} else if (kind == CANARY_HEAD_TAIL) {
		head->tail = 1;
	} else if (kind == CANARY_PAGE_UNINIT) {
		head->state = PS_UNINIT;
	} else if (kind == CANARY_RESERVED_ORDER) {
		head->order = 1;
	} else {
		head->state = PS_BUDDY;
		atomic_store(&head->refcount, 0);
	}
	return true;
}

/* P11: a node's present pages against its zones', its nearest node with
 * memory. */
static bool node_fields(struct canary *c)
{
	struct machine *m = c->m;
	bool present = c->kind == CANARY_PRESENT_PAGES;

	if (present && machine_stage(m) < STAGE_SPARSE)
		return false;
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		if (!chosen(c))
			continue;
		if (present) {
			unsigned long *v = &NODE_DATA(m, (int)n)->node_present_pages;

			TARGET(c, "present pages of node %u (%lu)", n, *v);
			save(c, v, sizeof(*v), false);
			(*v)++;
		} else {
			int *v = &m->nodes[n].nearest_mem_node;

			TARGET(c, "nearest node with memory of node %u (%d)", n, *v);
			save(c, v, sizeof(*v), false);
			(*v)++;
		}
		return true;
	}
	return false;
}

/* P9: a fallback zonelist entry repeated over its successor. */
static bool k_zonelist_dup(struct canary *c)
{
	struct machine *m = c->m;

	if (machine_stage(m) < STAGE_BUDDY)
		return false;
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		struct zonelist *fb = &NODE_DATA(m, (int)n)->node_zonelists[ZONELIST_FALLBACK];

		for (unsigned int i = 0; i + 1 < MAX_ZONES_PER_ZONELIST && fb->zones[i + 1].zone;
		     i++) {
			if (!chosen(c))
				continue;
			TARGET(c, "entry %u of node %u's fallback zonelist repeated over entry %u",
			       i, n, i + 1);
			save(c, &fb->zones[i + 1], sizeof(fb->zones[0]), false);
			fb->zones[i + 1].zone = fb->zones[i].zone;
			return true;
		}
	}
	return false;
}

/* P6: a type's count past its array, two regions out of order, a region
 * past the end of memory, a reservation on another node than its memory. */
static bool memblock_more(struct canary *c)
{
	struct machine *m = c->m;
	struct memblock *mb = &m->memblock;
	struct memblock_type *types[2] = { &mb->memory, &mb->reserved };
	static const char *const names[2] = { "memory", "reserved" };
	int kind = c->kind;

	for (int t = 0; t < 2; t++) {
		struct memblock_type *type = types[t];

		if (kind == CANARY_MEMBLOCK_CNT || kind == CANARY_MEMBLOCK_ARRAY) {
			if (!type->cnt || !chosen(c))
				continue;
			TARGET(c, "memblock.%s %s (%u of %u)", names[t],
			       kind == CANARY_MEMBLOCK_CNT ? "count" : "array gone", type->cnt,
			       type->max);
			if (kind == CANARY_MEMBLOCK_CNT) {
				save(c, &type->cnt, sizeof(type->cnt), false);
				type->cnt = type->max + 1;
			} else {
				save(c, &type->regions, sizeof(type->regions), false);
				type->regions = NULL;
			}
			return true;
		}
		for (unsigned int i = 0; i < type->cnt; i++) {
			struct memblock_region *rg = &type->regions[i];

			if ((kind == CANARY_MEMBLOCK_ORDER && !i) ||
			    (kind == CANARY_MEMBLOCK_WRAP && rg->base < 2) ||
			    (kind == CANARY_RESERVED_NID && (t != 1 || m->topo.nr_nodes < 2)) ||
			    !chosen(c))
				continue;
			TARGET(c, "memblock.%s[%u] [%#llx, +%#llx) node %d", names[t], i,
			       (unsigned long long)rg->base, (unsigned long long)rg->size, rg->nid);
			save(c, rg, sizeof(*rg), false);
			if (kind == CANARY_MEMBLOCK_ORDER) {
				const struct memblock_region *prev = &type->regions[i - 1];

				rg->base = prev->base;
				SAYS(c, "memblock.%s[%u]: base %#llx below end %#llx of [%u]", names[t],
				     i, (unsigned long long)rg->base,
				     (unsigned long long)(prev->base + prev->size), i - 1);
			} else if (kind == CANARY_MEMBLOCK_PAST || kind == CANARY_MEMBLOCK_WRAP) {
				rg->size = kind == CANARY_MEMBLOCK_PAST ?
						   PFN_PHYS(m->max_pfn) - rg->base + SF_PAGE_SIZE :
						   ~rg->base + 2;	/* base + size wraps past 0 */
				SAYS(c, "memblock.%s[%u]: [%#llx, +%#llx) past max_pfn", names[t], i,
				     (unsigned long long)rg->base, (unsigned long long)rg->size);
			} else if (kind == CANARY_MEMBLOCK_NID_NEG) {
				rg->nid = -2;
				SAYS(c, "memblock.%s[%u]: nid -2 not in 0..%u", names[t], i,
				     c->r->topo.nr_nodes - 1);
			} else {
				rg->nid = (rg->nid + 1) % (int)m->topo.nr_nodes;
			}
			return true;
		}
	}
	return false;
}

/* P7: a mapped vmemmap block's backing gone or its state unmapped, the
 * struct page of a section's first pfn naming another pfn. */
static bool vmemmap_more(struct canary *c)
{
	struct sparse *sp = &c->m->sparse;
	int kind = c->kind;

	if (machine_stage(c->m) < STAGE_SPARSE || !sp->sections)
		return false;
	if (kind == CANARY_SECTION_PFN) {
		for (unsigned long nr = 0; nr < sp->nr_sections; nr++) {
			pfn_t pfn = (pfn_t)nr << sp->section_shift;
			struct page *page;

			if (!(sp->sections[nr].flags & SECTION_HAS_MEM_MAP) || !chosen(c))
				continue;
			page = pfn_to_page(c->m, pfn);
			TARGET(c, "pfn of the struct page of section %lu's first pfn %#llx", nr,
			       (unsigned long long)pfn);
			save(c, &page->pfn, sizeof(page->pfn), false);
			page->pfn ^= 1;
			return true;
		}
		return false;
	}
	for (unsigned long b = 0; b < sp->nr_blocks; b++) {
		struct vmemmap_block *vb = &sp->blocks[b];

		if ((vb->state == VMEMMAP_MAPPED) == (kind == CANARY_VMEMMAP_PAGES) || !chosen(c))
			continue;
		if (kind == CANARY_VMEMMAP_PAGES) {
			TARGET(c, "backing of unmapped vmemmap block %lu", b);
			SAYS(c, "vmemmap block %lu: unmapped but populated", b);
			save(c, &vb->pages, sizeof(vb->pages), false);
			vb->pages = (struct page *)(void *)sp;
			return true;
		}
		TARGET(c, "%s of mapped vmemmap block %lu",
		       kind == CANARY_VMEMMAP_BACKING ? "the backing" : "the state", b);
		save(c, vb, sizeof(*vb), false);
		if (kind == CANARY_VMEMMAP_BACKING) {
			vb->pages = NULL;
			SAYS(c, "vmemmap block %lu: backing is not reserved boot memory", b);
		} else {
			/* its first present section's message */
			vb->state = VMEMMAP_UNMAPPED;
			SAYS(c, "but vmemmap block %lu unmapped", b);
		}
		return true;
	}
	return false;
}

/* The first slab of another cache than s (NULL: none). */
static void *other_cache_object(struct canary *c, struct kmem_cache *s)
{
	struct list_head *pos;

	list_for_each(pos, &c->m->slab->caches) {
		struct kmem_cache *o = list_entry(pos, struct kmem_cache, list);

		for (unsigned int nid = 0; o != s && nid < c->m->topo.nr_nodes; nid++) {
			struct kmem_cache_node *n = get_node(o, (int)nid);
			struct list_head *lists[3];

			if (!n)
				continue;
			node_slab_lists(n, lists);
			for (int l = 0; l < 3; l++)
				if (!list_empty(lists[l]))
					return slab_obj(c->m, o, list_first_entry(lists[l],
									struct page, lru), 0);
		}
	}
	return NULL;
}

/* An object of a slab of s on another node than nid (NULL: none). */
static void *other_node_object(struct canary *c, struct kmem_cache *s, int nid)
{
	for (unsigned int other = 0; other < c->m->topo.nr_nodes; other++) {
		struct kmem_cache_node *n = get_node(s, (int)other);
		struct list_head *lists[3];

		if ((int)other == nid || !n)
			continue;
		node_slab_lists(n, lists);
		for (int l = 0; l < 3; l++)
			if (!list_empty(lists[l]))
				return slab_obj(c->m, s, list_first_entry(lists[l], struct page, lru),
						0);
	}
	return NULL;
}

/* S2 (an entry that is another cache's object), S3 (an object of another
 * node), S4 (a debug cache's queued object marked allocated). */
static bool q_more(struct canary *c, struct kmem_cache *s, struct array_cache *ac,
		   const char *where)
{
	int kind = c->kind;
	void *x = NULL;

	if (!ac->avail)
		return false;
	if (kind == CANARY_QUEUE_FOREIGN)
		x = other_cache_object(c, s);
	else if (kind == CANARY_QUEUE_NODE)
		x = other_node_object(c, s, c->qnode);
	else if (is_debug_cache(s))
		x = ac->entry[ac->avail - 1];
	if (!x || !chosen(c))
		return false;
	TARGET(c, "top entry of %s of cache %s: %s", where, s->name,
	       kind == CANARY_QUEUE_FOREIGN ? "another cache's object" :
	       kind == CANARY_QUEUE_NODE ? "an object of another node" : "marked allocated");
	if (kind == CANARY_QUEUED_STATE) {
		struct page *page = compound_head(virt_to_page(c->m, x));
		uint8_t *st = obj_state_of(c, s, page, slab_obj_index(c->m, s, page, x));

		save(c, st, 1, false);
		*st = OBJ_ALLOCATED;
		return true;
	}
	save(c, &ac->entry[ac->avail - 1], sizeof(ac->entry[0]), false);
	ac->entry[ac->avail - 1] = x;
	return true;
}

/* S5: a slab's object count; S8: a debug cache's free object marked
 * allocated. */
static bool s_more(struct canary *c, struct kmem_cache *s, struct page *page)
{
	if (c->kind == CANARY_SLAB_OBJECTS) {
		if (!chosen(c))
			return false;
		TARGET(c, "slab_objects of cache %s's slab pfn %#llx (%u)", s->name,
		       (unsigned long long)pfn_of(c->m, page), page->slab_objects);
		save(c, &page->slab_objects, sizeof(page->slab_objects), false);
		page->slab_objects++;
		return true;
	}
	for (unsigned int i = 0; is_debug_cache(s) && i < s->objects; i++) {
		uint8_t *st = obj_state_of(c, s, page, i);

		if (test_bit_ul(slab_bitmap(c->m, s, page), i) || !chosen(c))
			continue;
		TARGET(c, "free object %u of cache %s's slab pfn %#llx marked allocated", i,
		       s->name, (unsigned long long)pfn_of(c->m, page));
		save(c, st, 1, false);
		*st = OBJ_ALLOCATED;
		return true;
	}
	return false;
}

/* S1: a node's shared queue gone; S12: an alien buffer gone. */
static bool c_node_queues(struct canary *c, struct kmem_cache *s)
{
	for (unsigned int nid = 0; nid < c->m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (!n)
			continue;
		if (c->kind == CANARY_SHARED_QUEUE) {
			if (!n->shared || !chosen(c))
				continue;
			TARGET(c, "cache %s's node %u shared queue", s->name, nid);
			save(c, &n->shared, sizeof(n->shared), false);
			n->shared = NULL;
			return true;
		}
		for (unsigned int r = 0; r < n->nr_alien; r++) {
			if (!n->alien[r] || !chosen(c))
				continue;
			TARGET(c, "cache %s's node %u alien buffer for node %u", s->name, nid, r);
			save(c, &n->alien[r], sizeof(n->alien[r]), false);
			n->alien[r] = NULL;
			return true;
		}
	}
	return false;
}

/* S14: an entry pointing at no cache, an entry named as another, a
 * directory turned into an alias of another cache, the registry's count
 * past its array (before SLAB_UP: any entry). */
static bool registry_more(struct canary *c)
{
	struct slab_state *ss = c->m->slab;
	int kind = c->kind;

	if (!slab_checked(c->m))
		return false;
	if (kind == CANARY_REGISTRY_COUNT) {
		if (!chosen(c))
			return false;
		TARGET(c, "registry count (%u of %u)", ss->nr_sysfs, ss->max_sysfs);
		save(c, &ss->nr_sysfs, sizeof(ss->nr_sysfs), false);
		ss->nr_sysfs = ss->state < SLAB_UP ? 1 : ss->max_sysfs + 1;
		return true;
	}
	for (unsigned int i = kind == CANARY_REGISTRY_DUP; i < ss->nr_sysfs; i++) {
		struct slab_sysfs_entry *e = &ss->sysfs[i];

		if ((kind == CANARY_REGISTRY_ALIAS && e->alias) || !chosen(c))
			continue;
		TARGET(c, "attribute entry %u (%.*s): %s", i, SLAB_NAME_MAX, e->name,
		       kind == CANARY_REGISTRY_CACHE ? "its cache a stray pointer" :
		       kind == CANARY_REGISTRY_ALIAS ? "an alias of another cache (its cache "
						       "left with no directory)" :
						       "named as entry 0");
		if (kind == CANARY_REGISTRY_ALIAS) {
			save(c, e, sizeof(*e), false);
			e->alias = true;
			e->s = e->s == ss->kmem_cache ? ss->kmem_cache_node : ss->kmem_cache;
		} else if (kind == CANARY_REGISTRY_CACHE) {
			save(c, &e->s, sizeof(e->s), false);
			e->s = (struct kmem_cache *)(void *)e;
		} else {
			save(c, e->name, sizeof(e->name), false);
			memcpy(e->name, ss->sysfs[0].name, sizeof(e->name));
		}
		return true;
	}
	return false;
}

/* P9: a fallback entry replaced by a zone with no memory; an entry past
 * the no-fallback list's own zones; an entry pointed at a copy of its zone
 * (the same node, type and memory, outside the node's zone array) or at the
 * zone of a node the machine does not have. */
static bool zonelists_more(struct canary *c)
{
	static struct zone copy;
	struct machine *m = c->m;
	struct zone *empty = NULL;

	if (machine_stage(m) < STAGE_BUDDY)
		return false;
	for (unsigned int n = 0; n < m->topo.nr_nodes && !empty; n++)
		for (int zt = 0; zt < MAX_NR_ZONES && !empty; zt++)
			if (!populated_zone(zone_at(m, n, zt)))
				empty = zone_at(m, n, zt);
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		struct zonelist *fb = &NODE_DATA(m, (int)n)->node_zonelists[ZONELIST_FALLBACK];
		struct zonelist *nofb = &NODE_DATA(m, (int)n)->node_zonelists[ZONELIST_NOFALLBACK];
		unsigned int j = 0;

		if (c->kind == CANARY_NOFALLBACK_EXTRA) {
			while (nofb->zones[j].zone)
				j++;
			if (!fb->zones[0].zone || !chosen(c))
				continue;
			TARGET(c, "an entry past node %u's no-fallback zonelist", n);
			save(c, &nofb->zones[j], sizeof(nofb->zones[j]), false);
			nofb->zones[j].zone = fb->zones[0].zone;
			return true;
		}
		if (c->kind == CANARY_ZONELIST_FOREIGN) {
			for (unsigned int i = 0; fb->zones[i].zone; i++) {
				struct zone *z = fb->zones[i].zone;
				struct zone *absent = m->topo.nr_nodes < SF_MAX_NODES ?
					&m->nodes[m->topo.nr_nodes].node_zones[z->type] : NULL;

				if (chosen(c)) {
					TARGET(c, "entry %u of node %u's fallback zonelist: a copy of "
					       "node %d %s", i, n, z->node, z->name);
					SAYS(c, "node %u fallback zonelist entry %u is not a zone", n,
					     i);
					copy = *z;
					save(c, &fb->zones[i], sizeof(fb->zones[i]), false);
					fb->zones[i].zone = &copy;
					return true;
				}
				/* The zone of a node the machine does not have, which
				 * names that node. */
				if (absent && chosen(c)) {
					TARGET(c, "entry %u of node %u's fallback zonelist: zone %s of "
					       "node %u, which the machine does not have", i, n,
					       z->name, m->topo.nr_nodes);
					SAYS(c, "node %u fallback zonelist entry %u is not a zone", n,
					     i);
					save(c, &absent->node, sizeof(absent->node), false);
					save(c, &absent->type, sizeof(absent->type), false);
					absent->node = (int)m->topo.nr_nodes;
					absent->type = z->type;
					save(c, &fb->zones[i], sizeof(fb->zones[i]), false);
					fb->zones[i].zone = absent;
					return true;
				}
			}
			continue;
		}
		for (unsigned int i = 0; empty && fb->zones[i].zone; i++) {
			if (!chosen(c))
				continue;
			TARGET(c, "entry %u of node %u's fallback zonelist: node %d %s, which has no "
			       "memory", i, n, empty->node, empty->name);
			save(c, &fb->zones[i], sizeof(fb->zones[i]), false);
			fb->zones[i].zone = empty;
			return true;
		}
	}
	return false;
}

/* P11: a populated zone's present pages 0 (its node's memory states and
 * present pages then disagree with its zones); a cpu's node. */
static bool k_zone_present(struct canary *c)
{
	struct machine *m = c->m;
	struct zone *z;

	if (machine_stage(m) < STAGE_SPARSE)
		return false;
	for_each_pop_zone(m, n, zt, z) {
		if (!chosen(c))
			continue;
		TARGET(c, "present_pages of node %u %s (%lu) set to 0", n, z->name,
		       z->present_pages);
		save(c, &z->present_pages, sizeof(z->present_pages), false);
		z->present_pages = 0;
		return true;
	}
	return false;
}

static bool k_cpu_node(struct canary *c)
{
	struct machine *m = c->m;

	for (unsigned int cpu = 0; cpu < m->topo.nr_cpus; cpu++) {
		if (!chosen(c))
			continue;
		TARGET(c, "node of cpu %u (%d)", cpu, m->cpus[cpu].node);
		save(c, &m->cpus[cpu].node, sizeof(m->cpus[cpu].node), false);
		m->cpus[cpu].node++;
		return true;
	}
	return false;
}

/* S1: a queue holding more than its limit. */
static bool q_avail(struct canary *c, struct kmem_cache *s, struct array_cache *ac,
		    const char *where)
{
	if (!chosen(c))
		return false;
	TARGET(c, "%s of cache %s holds %u of limit %u", where, s->name, ac->limit + 1,
	       ac->limit);
	save(c, &ac->avail, sizeof(ac->avail), false);
	ac->avail = ac->limit + 1;
	return true;
}

static bool q_in_slab(struct canary *c, struct kmem_cache *s, struct array_cache *ac,
		      const char *where)
{
	(void)s;
	(void)where;
	for (unsigned int i = 0; i < ac->avail; i++)
		if (compound_head(virt_to_page(c->m, ac->entry[i])) == c->probe)
			return true;
	return false;
}

/* Does a queue of s hold an object of page? (The queue checks, S2, would
 * see a change of the slab's cache first.) */
static bool slab_has_queued(struct canary *c, struct kmem_cache *s, struct page *page)
{
	c->probe = page;
	return walk_queues(c, s, q_in_slab);
}

/* S5: a slab of another cache on the list; S7: a slab with one more
 * object in use (bit and count agree) on the list it no longer belongs
 * to. */
static bool s_list(struct canary *c, struct kmem_cache *s, struct page *page)
{
	unsigned long *map = slab_bitmap(c->m, s, page);

	if (c->kind == CANARY_SLAB_CACHE) {
		struct kmem_cache *other = s == c->m->slab->kmem_cache ? c->m->slab->kmem_cache_node :
									c->m->slab->kmem_cache;

		if (slab_has_queued(c, s, page) || !chosen(c))
			return false;
		TARGET(c, "cache of cache %s's slab pfn %#llx: %s", s->name,
		       (unsigned long long)pfn_of(c->m, page), other->name);
		save(c, &page->slab_cache, sizeof(page->slab_cache), false);
		page->slab_cache = other;
		return true;
	}
	/* Only a slab whose list that makes wrong (the per-object check S8
	 * of the same slab comes after the list check). */
	if (page->slab_inuse && page->slab_inuse + 1 != s->objects)
		return false;
	for (unsigned int i = 0; i < s->objects; i++) {
		unsigned long *w = map + i / LONG_BITS;

		if ((*w >> (i % LONG_BITS)) & 1ul)
			continue;
		if (!chosen(c))
			return false;
		TARGET(c, "object %u of cache %s's slab pfn %#llx counted in use (%u of %u)", i,
		       s->name, (unsigned long long)pfn_of(c->m, page), page->slab_inuse + 1,
		       s->objects);
		save(c, w, sizeof(*w), false);
		save(c, &page->slab_inuse, sizeof(page->slab_inuse), false);
		*w |= 1ul << (i % LONG_BITS);
		page->slab_inuse++;
		return true;
	}
	return false;
}

/*
 * S12: one per-node structure serving two nodes of a cache, or the same
 * node of the cache and of the next one on the cache list.
 */
static bool c_node_shared(struct canary *c, struct kmem_cache *s)
{
	struct kmem_cache *t = s->list.next == &c->m->slab->caches ? NULL :
			       list_entry(s->list.next, struct kmem_cache, list);

	for (unsigned int a = 0; a < c->m->topo.nr_nodes; a++) {
		for (unsigned int b = a + 1; s->node[a] && b < c->m->topo.nr_nodes; b++) {
			if (!s->node[b] || !chosen(c))
				continue;
			TARGET(c, "cache %s's node %u structure also serves node %u", s->name, a, b);
			SAYS(c, "one per-node structure serves two nodes or caches");
			save(c, &s->node[b], sizeof(s->node[b]), false);
			s->node[b] = s->node[a];
			return true;
		}
	}
	for (unsigned int a = 0; t && a < c->m->topo.nr_nodes; a++) {
		if (!s->node[a] || !t->node[a] || !chosen(c))
			continue;
		TARGET(c, "cache %s's node %u structure also serves cache %s", s->name, a, t->name);
		SAYS(c, "one per-node structure serves two nodes or caches");
		save(c, &t->node[a], sizeof(t->node[a]), false);
		t->node[a] = s->node[a];
		return true;
	}
	return false;
}

/* S8: a cache taken off the cache list (its structure is then an object
 * of kmem_cache, its per-node structures objects of kmem_cache_node, that
 * no listed cache holds). */
static bool c_unlisted(struct canary *c, struct kmem_cache *s)
{
	struct list_head *e = &s->list;

	if (s == c->m->slab->kmem_cache || s == c->m->slab->kmem_cache_node || !chosen(c))
		return false;
	TARGET(c, "cache %s taken off the cache list", s->name);
	save(c, &e->prev->next, sizeof(e->prev->next), false);
	save(c, &e->next->prev, sizeof(e->next->prev), false);
	e->prev->next = e->next;
	e->next->prev = e->prev;
	return true;
}

/* S16: a cpu queue's lock word or remote request left set. */
static bool c_queue_lock(struct canary *c, struct kmem_cache *s)
{
	bool lock = c->kind == CANARY_QUEUE_LOCK;

	for (unsigned int cpu = 0; cpu < c->m->topo.nr_cpus; cpu++) {
		struct kmem_cache_cpu *q = &s->cpu_slab[cpu];

		if (!chosen(c))
			continue;
		TARGET(c, "%s of cache %s's cpu %u queue set", lock ? "lock word" : "remote_req",
		       s->name, cpu);
		if (lock) {
			save(c, &q->lock, sizeof(q->lock), false);
			atomic_store(&q->lock, 1);
		} else {
			save(c, &q->remote_req, sizeof(q->remote_req), false);
			atomic_store(&q->remote_req, 1);
		}
		return true;
	}
	return false;
}

/* The digest only: the count of one distinct title of the report log. */
static bool k_report_count(struct canary *c)
{
	struct report_log *log = &c->m->reports;

	for (unsigned int i = 0; i < log->nr_distinct && i < SF_REPORT_LOG_MAX; i++) {
		if (!chosen(c))
			continue;
		TARGET(c, "count of report log entry %u '%s' (%lu)", i, log->first[i].title,
		       log->count[i]);
		save(c, &log->count[i], sizeof(log->count[i]), false);
		log->count[i]++;
		return true;
	}
	return false;
}

/* The fields of a tail page free_tail breaks, one a candidate: each is one
 * way free_pages_check must see that the page is no tail of its block. */
enum tail_field { TF_HEAD_OFFSET, TF_STATE, TF_TAIL, TF_PG_SLAB, TF_PG_HEAD, NR_TAIL_FIELDS };

static const char *const tail_field_names[NR_TAIL_FIELDS] = {
	"head_offset", "state (PS_BUDDY)", "tail flag (cleared)", "PG_slab", "PG_head",
};

static void tail_break(struct page *p, enum tail_field f)
{
	switch (f) {
	case TF_HEAD_OFFSET:
		p->head_offset++;
		break;
	case TF_STATE:
		p->state = PS_BUDDY;
		break;
	case TF_TAIL:
		p->tail = 0;
		break;
	case TF_PG_SLAB:
		p->flags |= PG_slab;
		break;
	default:
		p->flags |= PG_head;
		break;
	}
}

/* Free-time kinds: a page block the program holds (its head, order), one
 * field of the head or of one of its tail pages broken (free_tail: every
 * tail, 1 to the last, and for each every field of tail_field); the core's
 * free must refuse it. */
static bool held_blocks(struct canary *c)
{
	struct run *r = c->r;
	int kind = c->kind;

	if (machine_stage(c->m) < STAGE_BUDDY)
		return false;
	for (unsigned int h = 0; h < r->p->nr_handles[HK_PAGE]; h++) {
		struct page_h *ph = &r->pages[h];
		struct page *head;
		unsigned long first = kind == CANARY_FREE_TAIL, nr = 1;
		unsigned int fields = kind == CANARY_FREE_TAIL ? NR_TAIL_FIELDS : 1;

		if (!ph->live || ph->kind == PH_EXACT)
			continue;
		head = pfn_to_page(c->m, ph->pfn);
		if (kind == CANARY_FREE_TAIL)
			nr = 1ul << ph->order;
		for (unsigned long i = first; i < nr; i++) {
			for (unsigned int f = 0; f < fields; f++) {
				struct page *p = head + i;

				if (!chosen(c))
					continue;
				if (kind == CANARY_FREE_TAIL)
					TARGET(c, "%s of tail page %lu of page block p%u (pfn %#llx "
						  "order %u)", tail_field_names[f], i, h,
					       (unsigned long long)ph->pfn, ph->order);
				else
					TARGET(c, "%s of page block p%u (pfn %#llx order %u)",
					       kind == CANARY_FREE_PG_SLAB ? "PG_slab on the head" :
									    "refcount 2 on the head",
					       h, (unsigned long long)ph->pfn, ph->order);
				c->free_head = head;
				c->free_order = ph->order;
				c->free_pfn = ph->pfn + i;
				save(c, p, sizeof(*p), false);
				if (kind == CANARY_FREE_TAIL)
					tail_break(p, (enum tail_field)f);
				else if (kind == CANARY_FREE_PG_SLAB)
					p->flags |= PG_slab;
				else
					atomic_store(&p->refcount, 2);
				return true;
			}
		}
	}
	return false;
}

/* ---- the host arena ---- */

/*
 * P13: the magic of the chunk header (the 16 bytes before every host
 * allocation, core/host_arena.c) of the machine's own control block, one
 * bit flipped as an overflow of the chunk before would. The header is
 * poisoned; the validator reads it without touching its poisoning.
 */
/*
 * One host allocation's chunk header (16 bytes before it): its magic's
 * first bit flipped. Under ASan a header is poisoned while the arena is not
 * working on it (core/host_arena.c), so an overflow into it is caught at
 * the access: one the harness finds accessible is "HARNESS: host arena
 * chunk header not poisoned".
 */
/*
 * What the P13 report must say of the broken header: its offset in the
 * arena and every field as the header's bytes hold them, read by the
 * harness (core/host_arena.c's layout: magic u32, class u8, free u8, two
 * unused bytes, next_free u32, size u32; host byte order).
 */
static void arena_says(struct canary *c, const uint8_t *hdr)
{
	uint32_t magic, size;

	memcpy(&magic, hdr, sizeof(magic));
	memcpy(&size, hdr + 12, sizeof(size));
	SAYS(c, "arena chunk header bad at offset %llu: magic %#x class %u free %u size %u",
	     (unsigned long long)(hdr - (const uint8_t *)c->m->arena), magic, hdr[4], hdr[5],
	     size);
}

static bool arena_chunk(struct canary *c, const void *p, const char *what)
{
	uint8_t *hdr;

	if (!p || !chosen(c))
		return false;
	hdr = (uint8_t *)p - 16;
	TARGET(c, "magic of the host arena chunk header of %s at %p", what, p);
	for (unsigned int i = 0; kasan_shadow_size(16) && i < 16; i++)
		if (!kasan_is_poisoned(hdr + i))
			run_fail(c->r, "HARNESS: host arena chunk header not poisoned",
				 "the header of %s at %p: byte %u is accessible", what, p, i);
	save(c, hdr, 16, true);
	if (c->kind == CANARY_ARENA_SIZE) {
		/* A live chunk's size one byte past what its class holds
		 * (the class's bytes less the 16-byte header). */
		uint32_t size = (uint32_t)((64ull << (hdr[4] & 31)) - 16 + 1);

		TARGET(c, "size of the host arena chunk of %s at %p: %u, past its class %u", what,
		       p, size, hdr[4]);
		memcpy(hdr + 12, &size, sizeof(size));
	} else {
		hdr[0] ^= 0x01;
	}
	arena_says(c, hdr);
	repoison(c);
	return true;
}

static bool cache_chunks(struct canary *c, struct kmem_cache *s)
{
	char what[96];

	snprintf(what, sizeof(what), "cache %s's cpu structures", s->name);
	if (arena_chunk(c, s->cpu_slab, what))
		return true;
	for (unsigned int cpu = 0; s->cpu_slab && cpu < c->m->topo.nr_cpus; cpu++) {
		snprintf(what, sizeof(what), "cache %s's cpu %u queue", s->name, cpu);
		if (arena_chunk(c, s->cpu_slab[cpu].ac, what))
			return true;
	}
	return false;
}

/* P13: the machine's own chunk first, then the slab state, the sparse
 * arrays, every cache's cpu structures and cpu queues. */
static bool k_arena_header(struct canary *c)
{
	struct machine *m = c->m;

	return arena_chunk(c, m, "the machine's own control block") ||
	       arena_chunk(c, m->slab, "the slab state") ||
	       arena_chunk(c, m->sparse.sections, "the sparse sections") ||
	       arena_chunk(c, m->sparse.blocks, "the vmemmap blocks") ||
	       walk_caches(c, cache_chunks);
}

/* ---- slab list and kmalloc table kinds ---- */

/*
 * S7: a partial slab filled up (every object's bit set, slab_inuse the
 * slab's objects) and its node's free object count lowered to match, so
 * that only the slab's place is wrong: a full slab on the partial list.
 * Slabs whose bitmap fits one save.
 */
static bool s_full(struct canary *c, struct kmem_cache *s, struct page *page)
{
	unsigned long *map = slab_bitmap(c->m, s, page);
	struct kmem_cache_node *n = get_node(s, page->node);
	size_t words = (s->objects + LONG_BITS - 1) / LONG_BITS;
	unsigned int in = page->slab_inuse;

	if (!n || !in || in >= s->objects || words * sizeof(long) > CANARY_SAVE_MAX ||
	    !chosen(c))
		return false;
	TARGET(c, "cache %s's partial slab pfn %#llx filled (%u of %u in use)", s->name,
	       (unsigned long long)pfn_of(c->m, page), in, s->objects);
	save(c, map, words * sizeof(long), false);
	save(c, &page->slab_inuse, sizeof(page->slab_inuse), false);
	save(c, &n->free_objects, sizeof(n->free_objects), false);
	for (unsigned int i = 0; i < s->objects; i++)
		map[i / LONG_BITS] |= 1ul << (i % LONG_BITS);
	page->slab_inuse = s->objects;
	n->free_objects -= s->objects - in;
	return true;
}

/*
 * S11: any entry of the kmalloc tables, index 0 of each included, the
 * empty ones too (index=N: type N / NR_KMALLOC_INDEX, index N modulo it),
 * made to point at kmem_cache, a listed cache that is no kmalloc class; the
 * report names the table (normal or DMA) and the index.
 */
static bool k_kmalloc_entry(struct canary *c)
{
	struct slab_state *ss = c->m->slab;

	if (!slab_checked(c->m))
		return false;
	for (int t = 0; t < NR_KMALLOC_TYPES; t++) {
		for (int i = 0; i < NR_KMALLOC_INDEX; i++) {
			struct kmem_cache **k = &ss->kmalloc_caches[t][i];

			if (!chosen(c))
				continue;
			TARGET(c, "kmalloc table entry [%d][%d] (%s): kmem_cache", t, i,
			       *k ? (*k)->name : "empty");
			/* the table and index the report names */
			if (!i && t == KMALLOC_NORMAL)
				SAYS(c, "kmalloc index 0 is kmem_cache, not kmem_cache_node");
			else
				SAYS(c, "%s kmalloc index %d holds kmem_cache",
				     t == KMALLOC_DMA ? "DMA" : "normal", i);
			save(c, k, sizeof(*k), false);
			*k = ss->kmem_cache;
			return true;
		}
	}
	return false;
}

/* ---- a node's slab lists, the queue locks ---- */

/*
 * S7: a node list head of a cache (partial, full or free; every non-empty
 * one a candidate) made to skip its first slab: the slab is on no list
 * walked forward, the node's counters still count it. Only the list
 * changes (the state digest must see it: DGN_PARTIAL, DGN_FULL, DGN_FREE).
 */
static bool c_list_skip(struct canary *c, struct kmem_cache *s)
{
	static const char *const names[3] = { "partial", "full", "free" };

	for (unsigned int nid = 0; nid < c->m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);
		struct list_head *lists[3];

		if (!n)
			continue;
		node_slab_lists(n, lists);
		for (int l = 0; l < 3; l++) {
			struct list_head *head = lists[l];

			if (list_empty(head) || !chosen(c))
				continue;
			TARGET(c, "cache %s node %u %s list skipping its first slab pfn %#llx",
			       s->name, nid, names[l],
			       (unsigned long long)pfn_of(c->m,
							  list_entry(head->next, struct page, lru)));
			save(c, &head->next, sizeof(head->next), false);
			head->next = head->next->next;
			return true;
		}
	}
	return false;
}

/*
 * Lock-time kinds: every cpu queue of every cache, its lock misused the
 * way the core says it reports (core/slab.h): a remote unlock of a queue
 * nobody holds, the owner's unlock outside its critical section, a remote
 * locker taking the lock it holds (then unlocking it once). Nothing is
 * corrupted: the report must come and the lock end as it was.
 */
static bool c_queue_misuse(struct canary *c, struct kmem_cache *s)
{
	for (unsigned int cpu = 0; cpu < c->m->topo.nr_cpus; cpu++) {
		if (!chosen(c))
			continue;
		if (c->kind == CANARY_MUTEX_RELOCK)
			TARGET(c, "slab_mutex (at cache %s's cpu %u queue)", s->name, cpu);
		else
			TARGET(c, "cache %s's cpu %u queue lock", s->name, cpu);
		c->queue = &s->cpu_slab[cpu];
		return true;
	}
	return false;
}

static void queue_misuse(struct machine *m, struct kmem_cache_cpu *q, int kind)
{
	if (kind == CANARY_QUEUE_UNLOCK) {
		cpu_queue_unlock_remote(q);
	} else if (kind == CANARY_OWNER_UNLOCK) {
		cpu_queue_unlock(q);
	} else if (kind == CANARY_MUTEX_RELOCK) {
		/* a spinlock taken again by its holder: slab_mutex */
		spin_lock(&m->slab->slab_mutex);
		spin_lock(&m->slab->slab_mutex);
		spin_unlock(&m->slab->slab_mutex);
	} else {
		cpu_queue_lock_remote(m, q);
		cpu_queue_lock_remote(m, q);
		cpu_queue_unlock_remote(q);
	}
}

/*
 * unlock_order: a legitimate use of spinlocks that lockdep must pass in
 * silence, keeping its held-lock stack as the harness's own record says:
 * slab_mutex, then the list_lock of each node structure of a cache (every
 * cache with one a candidate), released out of order: while three or more
 * are held the second taken, else the first.
 */
static bool c_lock_order(struct canary *c, struct kmem_cache *s)
{
	unsigned int nodes = 0;

	for (unsigned int nid = 0; nid < c->m->topo.nr_nodes; nid++)
		nodes += get_node(s, (int)nid) != NULL;
	if (!nodes || !chosen(c))
		return false;
	TARGET(c, "slab_mutex and cache %s's list_lock of %u node%s, released out of order",
	       s->name, nodes, nodes > 1 ? "s" : "");
	c->lock_cache = s;
	return true;
}

#define ORDER_MAX_LOCKS (1 + SF_MAX_NODES)

/* Is this thread's mutex of l taken? (trylock of a taken one fails) */
static bool mutex_taken(spinlock_t *l)
{
	if (pthread_mutex_trylock(&l->mutex))
		return true;
	pthread_mutex_unlock(&l->mutex);
	return false;
}

/* The stack above base holds exactly held[0..nr) in that order, their
 * mutexes taken, the mutexes of the released ones free. Else every lock
 * of the set is let go (the failure's state dump takes slab_mutex). */
static void lock_order_check(struct canary *c, const char *kind, unsigned int base,
			     spinlock_t *const *all, unsigned int nr_all, spinlock_t *const *held,
			     unsigned int nr, const char *step)
{
	unsigned int depth = lockdep_held_depth(), bad = UINT_MAX;

	for (unsigned int j = 0; j < nr && depth == base + nr; j++)
		if (held_locks.lock[base + j] != held[j] || !mutex_taken(held[j]))
			bad = j;
	for (unsigned int a = 0; a < nr_all; a++) {
		bool in = false;

		for (unsigned int j = 0; j < nr; j++)
			in |= held[j] == all[a];
		if (!in && mutex_taken(all[a]))
			bad = nr + a;
	}
	if (depth == base + nr && bad == UINT_MAX)
		return;
	for (unsigned int a = 0; a < nr_all; a++)
		if (mutex_taken(all[a]))
			pthread_mutex_unlock(&all[a]->mutex);
	lockdep_forget_machine(c->m);
	run_fail(c->r, "HARNESS: held-lock stack differs from the locks held",
		 "corrupt %s: %s; after %s: %u locks on this thread's stack above the %u held "
		 "before, the harness holds %u (%s)", kind, c->target, step, depth - base, base, nr,
		 depth != base + nr ? "depth differs" :
		 bad < nr ? "a held lock not in its place or its mutex free" :
			    "a released lock's mutex still taken");
}

static void expect_order_kept(struct canary *c, const char *kind)
{
	struct run *r = c->r;
	struct kmem_cache *s = c->lock_cache;
	spinlock_t *all[ORDER_MAX_LOCKS] = { NULL }, *held[ORDER_MAX_LOCKS] = { NULL };
	unsigned int nr = 0, base = lockdep_held_depth();
	char step[96];

	all[nr++] = &c->m->slab->slab_mutex;
	for (unsigned int nid = 0; nid < c->m->topo.nr_nodes; nid++)
		if (get_node(s, (int)nid))
			all[nr++] = &get_node(s, (int)nid)->list_lock;
	run_expect_clear(r);
	for (unsigned int i = 0; i < nr; i++) {
		spin_lock(all[i]);
		held[i] = all[i];
	}
	lock_order_check(c, kind, base, all, nr, held, nr, "taking them");
	for (unsigned int left = nr; left; left--) {
		unsigned int j = left >= 3 ? 1 : 0;
		spinlock_t *l = held[j];

		if (r->o->test_canary_unlock)
			r->o->test_canary_unlock(c->m, l);
		else
			spin_unlock(l);
		memmove(&held[j], &held[j + 1], (left - 1 - j) * sizeof(held[0]));
		snprintf(step, sizeof(step), "releasing the lock taken %u%s of %u held", j + 1,
			 j ? "nd" : "st", left);
		lock_order_check(c, kind, base, all, nr, held, left - 1, step);
	}
	run_after_call(r);
}

/* ---- the table ---- */

struct canary_kind {
	const char *id;		/* the invariant id the report's body starts with, NULL:
				 * a validator kind (the title names it) */
	const char *title;	/* the title expected (validators: after the cache's) */
	/* What the kind walks to find its candidates (one of these). */
	bool (*pick)(struct canary *c);	/* the machine's structures */
	block_fn block;			/* the memmap's blocks */
	cache_fn cache;			/* every cache */
	queue_fn queue;			/* every queue of every cache */
	slab_fn slab;			/* every slab of every cache */
	bool alien;			/* queue kinds: the alien buffers only */
	const char *free_reason;	/* free-time kinds: the report's reason (title: its) */
	bool misuse;			/* lock-time kinds (title: the misuse's report) */
	bool order;			/* unlock_order: no report, the held-lock stack kept */
};

#define CK(kind, id_, title_, how, fn) [CANARY_##kind] = { .id = id_, .title = title_, .how = fn }
/* The alien buffers' objects, as the cpu queues'. */
#define CK_ALIEN(kind, id_, fn)                                                          \
	[CANARY_##kind] = { .id = id_, .title = SLAB_TITLE, .queue = fn, .alien = true }
/* Caught by the core's free (__free_pages), not by the checker. */
#define CK_FREE(kind, reason)                                                            \
	[CANARY_##kind] = { .title = "BUG: Bad page state", .pick = held_blocks,         \
			    .free_reason = reason }
/* A cpu queue lock misused: the core's lockdep report. */
#define CK_LOCK(kind, title_)                                                            \
	[CANARY_##kind] = { .title = title_, .cache = c_queue_misuse, .misuse = true }
/* Locks used legitimately: no report, lockdep's stack as the harness's. */
#define CK_ORDER(kind, fn) [CANARY_##kind] = { .cache = fn, .order = true }
/* Seen by the state digest only (no checker looks at it): no title. */
#define CK_DIGEST(kind, fn) [CANARY_##kind] = { .pick = fn }

static const struct canary_kind canary_kinds[NR_CANARY_KINDS] = {
	CK(FREE_ORDER, "P2", PAGE_TITLE, pick, free_blocks),
	CK(FREE_STATE, "P2", PAGE_TITLE, pick, free_blocks),
	CK(FREE_ZONE, "P2", PAGE_TITLE, pick, free_blocks),
	CK(FREE_COUNT, "P3", PAGE_TITLE, pick, zone_fields),
	CK(ZONE_FREE_PAGES, "P3", PAGE_TITLE, pick, zone_fields),
	CK(PCP_COUNT, "P4", PAGE_TITLE, pick, pcp_lists),
	CK(PCP_HIGH, "P4", PAGE_TITLE, pick, pcp_lists),
	CK(PCP_PAGE, "P4", PAGE_TITLE, pick, pcp_lists),
	CK(REFCOUNT, "P1", PAGE_TITLE, block, b_refcount),
	CK(TAIL_FLAG, "P1", PAGE_TITLE, block, tails),
	CK(HEAD_OFFSET, "P1", PAGE_TITLE, block, tails),
	CK(NR_ALLOCATED, "P5", PAGE_TITLE, pick, k_nr_allocated),
	CK(MEMBLOCK_NID, "P6", PAGE_TITLE, pick, memblock_regions),
	CK(MEMBLOCK_SIZE, "P6", PAGE_TITLE, pick, memblock_regions),
	CK(MEMBLOCK_BYTES, "P6", PAGE_TITLE, pick, k_memblock_bytes),
	CK(VMEMMAP_REF, "P7", PAGE_TITLE, pick, k_vmemmap_ref),
	CK(SECTION_PRESENT, "P7", PAGE_TITLE, pick, k_section_present),
	CK(GFP_MASK, "P8", PAGE_TITLE, pick, k_gfp_mask),
	CK(ZONELIST_ORDER, "P9", PAGE_TITLE, pick, zonelists),
	CK(ZONELIST_DROP, "P9", PAGE_TITLE, pick, zonelists),
	CK(NOFALLBACK, "P9", PAGE_TITLE, pick, zonelists),
	CK(MANAGED, "P10", PAGE_TITLE, pick, zone_fields),
	CK(WATERMARK, "P10", PAGE_TITLE, pick, zone_fields),
	CK(NODE_STATE, "P11", PAGE_TITLE, pick, k_node_state),
	CK(CPU_MEM_NODE, "P11", PAGE_TITLE, pick, cpu_nodes),
	CK(MEMBLOCK_RETIRED, "P12", PAGE_TITLE, pick, k_memblock_retired),
	CK(QUEUE_BATCH, "S1", SLAB_TITLE, queue, q_batch),
	CK(CACHE_LIMIT, "S1", SLAB_TITLE, cache, c_cache_limit),
	CK(QUEUE_ENTRY, "S2", SLAB_TITLE, queue, queued_entries),
	CK(QUEUE_BIT, "S4", SLAB_TITLE, queue, queued_entries),
	CK(NODE_ID, "S5", SLAB_TITLE, cache, node_structs),
	CK(SLAB_INUSE, "S6", SLAB_TITLE, slab, s_inuse),
	CK(SLAB_BIT, "S6", SLAB_TITLE, slab, s_bit),
	CK(NODE_COUNTER, "S7", SLAB_TITLE, cache, node_structs),
	CK(OBJ_STATE, "S8", SLAB_TITLE, slab, s_objects),
	CK(TWICE_QUEUED, "S9", SLAB_TITLE, queue, q_twice),
	CK(CPU_LIVE, "S10", SLAB_TITLE, cache, c_cpu_live),
	CK(KMALLOC_SWAP, "S11", SLAB_TITLE, pick, k_kmalloc_table),
	CK(NODE_STRUCT, "S12", SLAB_TITLE, cache, node_structs),
	CK(SLAB_MEM_NODE, "S12", SLAB_TITLE, pick, cpu_nodes),
	CK(PG_SLAB, "S13", SLAB_TITLE, pick, k_pg_slab),
	CK(REGISTRY_NAME, "S14", SLAB_TITLE, pick, k_registry_name),
	CK(CACHE_REGISTERED, "S14", SLAB_TITLE, cache, c_registered),
	CK(REDZONE, NULL, "Redzone overwritten", slab, s_objects),
	CK(POISON, NULL, "Poison overwritten", slab, s_objects),
	CK(VALIDATE_COUNT, NULL, "Wrong object count", slab, s_inuse),
	CK(ZONE_SPAN, "P2", PAGE_TITLE, pick, zone_spans),
	CK(ZONE_SPANNED, "P3", PAGE_TITLE, pick, zone_spans),
	CK(PAGE_PFN, "P1", PAGE_TITLE, block, b_head),
	CK(HEAD_TAIL, "P1", PAGE_TITLE, block, b_head),
	CK(PAGE_UNINIT, "P1", PAGE_TITLE, block, b_head),
	CK(RESERVED_ORDER, "P1", PAGE_TITLE, block, b_head),
	CK(STRAY_FREE, "P1", PAGE_TITLE, block, b_head),
	CK(PRESENT_PAGES, "P11", PAGE_TITLE, pick, node_fields),
	CK(NEAREST_NODE, "P11", PAGE_TITLE, pick, node_fields),
	CK(ZONELIST_DUP, "P9", PAGE_TITLE, pick, k_zonelist_dup),
	CK(MEMBLOCK_CNT, "P6", PAGE_TITLE, pick, memblock_more),
	CK(MEMBLOCK_ORDER, "P6", PAGE_TITLE, pick, memblock_more),
	CK(MEMBLOCK_PAST, "P6", PAGE_TITLE, pick, memblock_more),
	CK(RESERVED_NID, "P6", PAGE_TITLE, pick, memblock_more),
	CK(VMEMMAP_BACKING, "P7", PAGE_TITLE, pick, vmemmap_more),
	CK(VMEMMAP_STATE, "P7", PAGE_TITLE, pick, vmemmap_more),
	CK(SECTION_PFN, "P7", PAGE_TITLE, pick, vmemmap_more),
	CK(QUEUE_FOREIGN, "S2", SLAB_TITLE, queue, q_more),
	CK(QUEUE_NODE, "S3", SLAB_TITLE, queue, q_more),
	CK(QUEUED_STATE, "S4", SLAB_TITLE, queue, q_more),
	CK(SLAB_OBJECTS, "S5", SLAB_TITLE, slab, s_more),
	CK(SHARED_QUEUE, "S1", SLAB_TITLE, cache, c_node_queues),
	CK(FREE_MARKED, "S8", SLAB_TITLE, slab, s_more),
	CK(ALIEN_BUFFER, "S12", SLAB_TITLE, cache, c_node_queues),
	CK(PG_SLAB_CACHE, "S13", SLAB_TITLE, pick, k_pg_slab),
	CK(REGISTRY_CACHE, "S14", SLAB_TITLE, pick, registry_more),
	CK(REGISTRY_DUP, "S14", SLAB_TITLE, pick, registry_more),
	CK(REGISTRY_COUNT, "S14", SLAB_TITLE, pick, registry_more),
	CK(KMALLOC_STRAY, "S11", SLAB_TITLE, pick, k_kmalloc_table),
	CK(REDZONE_LEFT, NULL, "Redzone overwritten", slab, s_objects),
	CK(POISON_END, NULL, "Poison overwritten", slab, s_objects),
	CK(MEMBLOCK_ARRAY, "P6", PAGE_TITLE, pick, memblock_more),
	CK(MEMBLOCK_WRAP, "P6", PAGE_TITLE, pick, memblock_more),
	CK(MEMBLOCK_NID_NEG, "P6", PAGE_TITLE, pick, memblock_more),
	CK(ZONELIST_EMPTY, "P9", PAGE_TITLE, pick, zonelists_more),
	CK(NOFALLBACK_EXTRA, "P9", PAGE_TITLE, pick, zonelists_more),
	CK(ZONELIST_FOREIGN, "P9", PAGE_TITLE, pick, zonelists_more),
	CK(ZONE_PRESENT, "P11", PAGE_TITLE, pick, k_zone_present),
	CK(CPU_NODE, "P11", PAGE_TITLE, pick, k_cpu_node),
	CK(VMEMMAP_PAGES, "P7", PAGE_TITLE, pick, vmemmap_more),
	CK(QUEUE_AVAIL, "S1", SLAB_TITLE, queue, q_avail),
	CK(SLAB_CACHE, "S5", SLAB_TITLE, slab, s_list),
	CK(SLAB_LIST, "S7", SLAB_TITLE, slab, s_list),
	CK(NODE_SHARED, "S12", SLAB_TITLE, cache, c_node_shared),
	CK(CACHE_UNLISTED, "S8", SLAB_TITLE, cache, c_unlisted),
	CK(REGISTRY_ALIAS, "S14", SLAB_TITLE, pick, registry_more),
	CK(KMALLOC_FLAG, "S11", SLAB_TITLE, pick, k_kmalloc_flag),
	CK_ALIEN(ALIEN_ENTRY, "S2", queued_entries),
	CK_ALIEN(ALIEN_TWICE, "S9", q_twice),
	CK_ALIEN(ALIEN_AVAIL, "S1", q_avail),
	CK(QUEUE_LOCK, "S16", SLAB_TITLE, cache, c_queue_lock),
	CK(QUEUE_REMOTE, "S16", SLAB_TITLE, cache, c_queue_lock),
	CK_DIGEST(REPORT_COUNT, k_report_count),
	CK_FREE(FREE_TAIL, "corrupted tail page"),
	CK_FREE(FREE_PG_SLAB, "PG_slab set or refcount not 1 at free"),
	CK_FREE(FREE_REFCOUNT, "PG_slab set or refcount not 1 at free"),
	/* sanitizer state */
	CK(FREE_UNPOISONED, "P1", PAGE_TITLE, pick, free_blocks),
	/* the host arena */
	CK(ARENA_HEADER, "P13", PAGE_TITLE, pick, k_arena_header),
	CK(ARENA_SIZE, "P13", PAGE_TITLE, pick, k_arena_header),
	/* slab list and kmalloc table kinds */
	CK(SLAB_FULL, "S7", SLAB_TITLE, slab, s_full),
	CK(KMALLOC_ENTRY, "S11", SLAB_TITLE, pick, k_kmalloc_entry),
	CK(SLAB_LIST_SKIP, "S7", SLAB_TITLE, cache, c_list_skip),
	/* lock-time kinds */
	CK_LOCK(QUEUE_UNLOCK, "WARNING: bad unlock balance detected!"),
	CK_LOCK(OWNER_UNLOCK, "WARNING: bad unlock balance detected!"),
	CK_LOCK(QUEUE_RELOCK, "WARNING: possible recursive locking detected"),
	CK_LOCK(MUTEX_RELOCK, "WARNING: possible recursive locking detected"),
	CK_ORDER(UNLOCK_ORDER, c_lock_order),
};

/*
 * The kinds whose corrupted field the state digest (core/digest.c) does
 * not cover, and why; every other kind must change the digest.
 */
static const char *const digest_blind[NR_CANARY_KINDS] = {
#define NOT_DIGESTED "a field the digest leaves out"
#define IN_SLAB "in-slab metadata or object contents (simulated memory the digest does not read)"
#define UNSAFE "the digest would read through the broken pointer or count"
	[CANARY_NR_ALLOCATED] = NOT_DIGESTED " (the memmap it counts is digested)",
	[CANARY_MEMBLOCK_CNT] = UNSAFE,
	[CANARY_MEMBLOCK_ARRAY] = UNSAFE,
	[CANARY_REGISTRY_COUNT] = UNSAFE,
	[CANARY_VMEMMAP_BACKING] = UNSAFE,
	[CANARY_VMEMMAP_STATE] = UNSAFE,
	[CANARY_QUEUE_AVAIL] = UNSAFE " (entries never written: MSan)",
	[CANARY_ALIEN_AVAIL] = UNSAFE " (entries never written: MSan)",
	[CANARY_ZONELIST_ORDER] = NOT_DIGESTED " (zonelists: built from the topology)",
	[CANARY_ZONELIST_DROP] = NOT_DIGESTED " (zonelists)",
	[CANARY_ZONELIST_DUP] = NOT_DIGESTED " (zonelists)",
	[CANARY_ZONELIST_EMPTY] = NOT_DIGESTED " (zonelists)",
	[CANARY_NOFALLBACK] = NOT_DIGESTED " (zonelists)",
	[CANARY_NOFALLBACK_EXTRA] = NOT_DIGESTED " (zonelists)",
	[CANARY_ZONELIST_FOREIGN] = NOT_DIGESTED " (zonelists)",
	[CANARY_CPU_MEM_NODE] = NOT_DIGESTED " (cpu topology)",
	[CANARY_CPU_NODE] = NOT_DIGESTED " (cpu topology)",
	[CANARY_SLAB_MEM_NODE] = NOT_DIGESTED " (cpu topology)",
	[CANARY_PRESENT_PAGES] = NOT_DIGESTED " (a node's pages: its zones' are)",
	[CANARY_NEAREST_NODE] = NOT_DIGESTED " (node topology)",
	[CANARY_ZONE_SPANNED] = NOT_DIGESTED " (the span's ends are)",
	[CANARY_NODE_ID] = NOT_DIGESTED " (a node structure's contents are, not its node)",
	[CANARY_NODE_SHARED] = NOT_DIGESTED " (a node structure's contents are, not its identity)",
	[CANARY_ARENA_HEADER] = NOT_DIGESTED " (host arena chunk headers)",
	[CANARY_ARENA_SIZE] = NOT_DIGESTED " (host arena chunk headers)",
	[CANARY_QUEUE_LOCK] = NOT_DIGESTED " (lock state)",
	[CANARY_QUEUE_REMOTE] = NOT_DIGESTED " (lock state)",
	[CANARY_QUEUE_UNLOCK] = "nothing corrupted (a misuse of a lock)",
	[CANARY_OWNER_UNLOCK] = "nothing corrupted (a misuse of a lock)",
	[CANARY_QUEUE_RELOCK] = "nothing corrupted (a misuse of a lock)",
	[CANARY_MUTEX_RELOCK] = "nothing corrupted (a misuse of a lock)",
	[CANARY_UNLOCK_ORDER] = "nothing corrupted (locks used as the core may)",
	[CANARY_QUEUE_BIT] = IN_SLAB,
	[CANARY_SLAB_BIT] = IN_SLAB,
	[CANARY_OBJ_STATE] = IN_SLAB,
	[CANARY_FREE_MARKED] = IN_SLAB,
	[CANARY_QUEUED_STATE] = IN_SLAB,
	[CANARY_REDZONE] = IN_SLAB,
	[CANARY_REDZONE_LEFT] = IN_SLAB,
	[CANARY_POISON] = IN_SLAB,
	[CANARY_POISON_END] = IN_SLAB,
#undef NOT_DIGESTED
#undef IN_SLAB
#undef UNSAFE
};

static bool cache_queues(struct canary *c, struct kmem_cache *s)
{
	return walk_queues(c, s, c->k->queue);
}

static bool cache_slabs(struct canary *c, struct kmem_cache *s)
{
	return walk_slabs(c, s, c->k->slab);
}

/* Walk the kind's candidates (c->want: the one to corrupt). */
static bool pick(struct canary *c)
{
	const struct canary_kind *k = c->k;

	if (k->pick)
		return k->pick(c);
	if (k->block)
		return walk_blocks(c, k->block);
	return walk_caches(c, k->cache ? k->cache : k->queue ? cache_queues : cache_slabs);
}

/*
 * A cache the program made since the last clean check (the harness's own
 * record, not the core's marks) must be read by the next incremental check,
 * from the view that check left: a corruption in it is held to that check
 * as it stands.
 */
static bool in_new_cache(const struct canary *c)
{
	unsigned long full, incremental;

	if (!c->in_cache || !c->m->check.valid)
		return false;
	check_stats(c->m, &full, &incremental);
	for (unsigned int h = 0; h < SF_PROG_MAX_OPS; h++) {
		const struct cache_h *ch = &c->r->caches[h];

		if (ch->live && ch->cache == c->in_cache && ch->owner == (int)h &&
		    ch->made_at_check == full + incremental)
			return true;
	}
	return false;
}

static bool held_to_incremental(const struct canary *c, const struct canary_kind *k)
{
	return k->title && k->id && k->id[0] == 'S' && !k->free_reason && !k->misuse &&
	       (in_boot_cache(c) || in_new_cache(c));
}

/*
 * The incremental check needs a view a clean check left (a caught
 * corruption leaves none, and check points come every few ops): the
 * corruption taken back, a full check, the same candidate corrupted again.
 */
static void incremental_view(struct canary *c, const char *kind)
{
	struct run *r = c->r;
	unsigned int want = c->want;

	restore(c);
	run_expect_clear(r);
	if (!check_machine(r->m))
		run_fail(r, "HARNESS: check_machine failed without a report", "before corrupt %s",
			 kind);
	run_after_call(r);
	c->n = 0;
	c->validate = NULL;
	c->in_cache = NULL;
	c->says[0] = 0;
	if (!pick(c) || c->want != want)
		run_fail(r, "HARNESS: canary lost its target", "corrupt %s: candidate %u again",
			 kind, want);
}

/*
 * A page-layer kind (P) at an odd candidate is held to check_page_layer, the
 * page layer's own entry point (the unit tests' and an mm developer's), at an
 * even one to check_machine: both must catch it.
 */
static bool by_page_layer(const struct canary *c, const struct canary_kind *k)
{
	return k->id && k->id[0] == 'P' && (c->want & 1);
}

/* Does the body name invariant id first ("P2: ...", "cache X: S6: ...")? */
static bool body_names(const char *body, const char *id)
{
	size_t l = strlen(id);

	if (!strncmp(body, "cache ", 6)) {
		const char *colon = strstr(body, ": ");

		if (colon)
			body = colon + 2;
	}
	return !strncmp(body, id, l) && body[l] == ':';
}

/* The corruption is in place: the check must report exactly it. */
static void expect_caught(struct canary *c, const struct canary_kind *k, const char *kind)
{
	struct run *r = c->r;
	char title[SF_REPORT_TITLE_MAX];
	unsigned long seen;
	bool ok;

	if (k->id)
		snprintf(title, sizeof(title), "%s", k->title);
	else
		snprintf(title, sizeof(title), "BUG %s (Not tainted): %s", c->validate->name,
			 k->title);
	run_expect_clear(r);
	run_expect(r, title);
	r->nr_caught = 0;
	if (r->o->test_canary_check)
		ok = !r->o->test_canary_check(c->m, k->id ? NULL : c->validate, r->o->test_arg);
	else if (held_to_incremental(c, k))
		ok = !check_machine_incremental(c->m, ~0u);
	else if (by_page_layer(c, k))
		ok = !check_page_layer(c->m);
	else if (k->id)
		ok = !check_machine(c->m);
	else
		ok = kmem_cache_validate(c->m, c->validate) == 1;
	seen = run_seen(r, title);
	run_expect_clear(r);
	run_after_call(r);
	if (!seen) {
		restore(c);
		run_fail(r, "HARNESS: checker missed a corruption",
			 "corrupt %s (%s%s%s): %s; no '%s' report", kind, k->id ? k->id : "validator",
			 k->id ? "" : " of cache ", k->id ? "" : c->validate->name, c->target, title);
	}
	if (seen == 1 && !ok && (!k->id || body_names(r->caught.body, k->id))) {
		restore(c);
		run_fail(r, "HARNESS: checker reported but passed",
			 "corrupt %s (%s): %s; the '%s' report came, but the check returned "
			 "success:\n%s", kind, k->id ? k->id : "validator", c->target, title,
			 r->caught.body);
	}
	if (seen != 1 || !ok || (k->id && !body_names(r->caught.body, k->id))) {
		restore(c);
		run_fail(r, "HARNESS: checker named another invariant",
			 "corrupt %s (%s): %s; expected one '%s' report%s%s, got %lu (%s check "
			 "result), the first:\n%s", kind, k->id ? k->id : "validator", c->target,
			 title, k->id ? " of " : "", k->id ? k->id : "", seen,
			 ok ? "the expected" : "another", r->caught.body);
	}
	if (c->says[0] && !strstr(r->caught.body, c->says)) {
		restore(c);
		run_fail(r, "HARNESS: checker report does not say what broke",
			 "corrupt %s (%s): %s; the report does not say '%s':\n%s", kind,
			 k->id ? k->id : "validator", c->target, c->says, r->caught.body);
	}
}

/*
 * A free-time kind: the corruption is in place, the core's free of the
 * block must refuse it with exactly the report of the broken page. A
 * refused free changes nothing (free_pages_check runs first): the block
 * stays allocated and the program's handle keeps owning it.
 */
static void expect_refused(struct canary *c, const struct canary_kind *k, const char *kind)
{
	struct run *r = c->r;
	struct injected saved = r->inj;
	unsigned long seen;

	r->inj.armed = false;	/* no interrupt between the corruption and the free */
	run_expect_clear(r);
	run_expect(r, k->title);
	r->nr_caught = 0;
	if (r->o->test_canary_free)
		r->o->test_canary_free(c->m, c->free_head, c->free_order);
	else
		__free_pages(c->m, c->free_head, c->free_order);
	seen = run_seen(r, k->title);
	run_expect_clear(r);
	run_after_call(r);
	r->inj = saved;
	if (!seen) {
		restore(c);
		run_fail(r, "HARNESS: free-time check missed a corruption",
			 "corrupt %s: %s; __free_pages order %u gave no '%s' report", kind, c->target,
			 c->free_order, k->title);
	}
	if (seen != 1 || r->caught.pfn != (int64_t)c->free_pfn ||
	    !strstr(r->caught.body, k->free_reason)) {
		restore(c);
		run_fail(r, "HARNESS: free-time check named another fault",
			 "corrupt %s: %s; expected one '%s' report of pfn %#llx (%s), got %lu, the "
			 "first of pfn %#llx:\n%s", kind, c->target, k->title,
			 (unsigned long long)c->free_pfn, k->free_reason, seen,
			 (unsigned long long)r->caught.pfn, r->caught.body);
	}
}

/*
 * A lock-time kind: the misuse must give exactly one report of the kind's
 * title, and the lock's state (word, remote request, owner flags) must be
 * what it was: the core skips a misused lock operation.
 */
static void expect_misuse_reported(struct canary *c, const struct canary_kind *k,
				   const char *kind)
{
	struct run *r = c->r;
	struct kmem_cache_cpu *q = c->queue;
	uintptr_t lock = atomic_load(&q->lock);
	int req = atomic_load(&q->remote_req), active = atomic_load(&q->owner_active);
	bool locked = q->owner_locked;
	unsigned long seen;

	run_expect_clear(r);
	run_expect(r, k->title);
	if (r->o->test_canary_misuse)
		r->o->test_canary_misuse(c->m, q, c->kind);
	else
		queue_misuse(c->m, q, c->kind);
	seen = run_seen(r, k->title);
	run_expect_clear(r);
	run_after_call(r);
	if (seen != 1)
		run_fail(r, "HARNESS: misuse not reported",
			 "corrupt %s: %s; expected one '%s' report, got %lu", kind, c->target,
			 k->title, seen);
	if (atomic_load(&q->lock) != lock || atomic_load(&q->remote_req) != req ||
	    atomic_load(&q->owner_active) != active || q->owner_locked != locked)
		run_fail(r, "HARNESS: lock misuse changed the lock",
			 "corrupt %s: %s; lock %#lx remote_req %d owner_active %d owner_locked %d, "
			 "before %#lx %d %d %d", kind, c->target,
			 (unsigned long)atomic_load(&q->lock), atomic_load(&q->remote_req),
			 atomic_load(&q->owner_active), q->owner_locked, (unsigned long)lock, req,
			 active, locked);
}

/*
 * The state digest must see the corruption: it is what the snapshot
 * reset-equivalence oracle compares, and a field it misses would let a
 * reset that forgets that field pass. Two digests walk the whole machine
 * (a few times one check): taken at every DIGEST_EVERY-th op only.
 */
#define DIGEST_EVERY 4

/* The two digests, kept from op to op and run to run: grown by doubling
 * to a fuzz machine's size (about 100 KB) and freed at every op, they were
 * most of what fuzz_gfp gave back to the heap, i.e. to ASan's quarantine. */
static struct sf_digest canary_before, canary_after;

static bool digest_due(const struct run *r, int kid)
{
	return !digest_blind[kid] && r->op_index % DIGEST_EVERY == 0;
}

static int digest_take(struct run *r, struct sf_digest *d)
{
	return r->o->test_digest ? r->o->test_digest(r->m, d) : sf_digest_take(r->m, d);
}

static void expect_digest_changed(struct canary *c, const struct sf_digest *before,
				  const char *kind)
{
	if (digest_take(c->r, &canary_after))
		return;		/* host memory short: no comparison */
	if (sf_digest_diff(before, &canary_after) < 0) {
		restore(c);
		run_fail(c->r, "HARNESS: digest blind to a corruption",
			 "corrupt %s: %s; the state digest (core/digest.c) is the same before and "
			 "after", kind, c->target);
	}
}

static bool op_corrupt(struct run *r, const struct sf_op *op)
{
	int kid = (int)(op->arg[0] % NR_CANARY_KINDS);
	const struct canary_kind *k = &canary_kinds[kid];
	const char *kind = sf_canary_names[kid];
	struct canary c = { .r = r, .m = r->m, .kind = kid, .k = k, .want = UINT_MAX,
			    .aliens = k->alien };
	bool digest = digest_due(r, kid);
	unsigned int count;

	pick(&c);
	count = c.n;
	if (count) {
		c.want = op->arg[1] % count;
		c.n = 0;
		c.validate = NULL;
		c.says[0] = 0;
		if (digest && digest_take(r, &canary_before))
			digest = false;
		if (!pick(&c))
			run_fail(r, "HARNESS: canary lost its target", "corrupt %s: candidate %u of %u",
				 kind, c.want, count);
		if (r->o->trace)
			fprintf(r->o->trace, "     corrupt: %s (candidate %u of %u%s)\n", c.target,
				c.want, count, digest ? ", digest compared" : "");
		if (digest)
			expect_digest_changed(&c, &canary_before, kind);
		if (held_to_incremental(&c, k) && !in_new_cache(&c))
			incremental_view(&c, kind);
		if (k->free_reason)
			expect_refused(&c, k, kind);
		else if (k->misuse)
			expect_misuse_reported(&c, k, kind);
		else if (k->order)
			expect_order_kept(&c, kind);
		else if (k->title)
			expect_caught(&c, k, kind);
		restore(&c);
	} else if (r->o->trace) {
		fprintf(r->o->trace, "     (no %s candidate at stage %s: nothing corrupted)\n", kind,
			boot_stage_name(machine_stage(r->m)));
	}
	/*
	 * Restored byte for byte. The state is checked clean again by the
	 * next check point and by the full check at the end of the run (a
	 * second full check here cost a sixth of fuzz_slab's time).
	 */
	run_expect_clear(r);
	run_after_call(r);
	return true;
}

static void canary_irq_op(struct run *r, const struct sf_op *op)
{
	(void)r;
	(void)op;
}

static void canary_nothing(struct run *r)
{
	(void)r;
}

static const op_fn canary_op_table[NR_OPCODES] = {
	[OP_CORRUPT] = op_corrupt,
};

const struct interp_module canary_module = {
	"canary", canary_op_table, canary_irq_op, canary_nothing, canary_nothing, NULL, NULL,
};
