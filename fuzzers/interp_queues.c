/* SPDX-License-Identifier: MIT */
/*
 * The harness's own walk of the slab layer's queues and slab lists
 * (white-box, as the canary): for counts the shadow cannot record because
 * the core decides when queues flush and free slabs go. It reads the fills
 * and the lists, never a count the core computed.
 */
#include <stdio.h>
#include "interp_internal.h"
#include "slab.h"

/* The objects in every node's alien buffer for every other node (whichever
 * node the objects are of); one node has no buffers. */
unsigned long slab_alien_walk(struct machine *m, void *cache)
{
	struct kmem_cache *s = cache;
	unsigned long nr = 0;

	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		for (unsigned int i = 0; n && i < n->nr_alien; i++)
			if (n->alien[i])
				nr += n->alien[i]->ac->avail;
	}
	return nr;
}

unsigned long slab_free_slabs_walk(struct machine *m, char *who, size_t len)
{
	unsigned long nr = 0;
	struct list_head *pos;

	who[0] = '\0';
	list_for_each(pos, &m->slab->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);

		for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
			struct kmem_cache_node *n = get_node(s, (int)nid);
			unsigned long here = 0;

			for (struct list_head *e = n ? n->slabs_free.next : NULL;
			     e && e != &n->slabs_free; e = e->next)
				here++;
			if (here && !who[0])
				snprintf(who, len, "%s node %u: %lu", s->name, nid, here);
			nr += here;
		}
	}
	return nr;
}

/*
 * SLAB's free limit, by the harness's own formula: a node keeps at most
 * (1 + cpus allocating from it) * batchcount + objects-per-slab free
 * objects while it holds a free slab. Every free_block trims free slabs
 * while the node's free objects exceed it, and a slab grows only when its
 * node had no free object, so between single-threaded calls a node with a
 * free slab is never above it. The free objects are counted on the lists
 * (objects - in use), never the core's counter; false and who set when a
 * node of cache breaks the rule.
 */
bool slab_free_limit_walk(struct machine *m, void *cache, unsigned int batch_floor, char *who,
			  size_t len)
{
	struct kmem_cache *s = cache;
	unsigned int batch = s->batchcount > batch_floor ? s->batchcount : batch_floor;

	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);
		unsigned long cpus = 0, free = 0, slabs_free = 0, limit;
		struct list_head *lists[2];

		if (!n)
			continue;
		lists[0] = &n->slabs_partial;
		lists[1] = &n->slabs_free;
		for (int l = 0; l < 2; l++)
			for (struct list_head *e = lists[l]->next; e != lists[l]; e = e->next) {
				struct page *page = list_entry(e, struct page, lru);

				free += s->objects - page->slab_inuse;
				slabs_free += l;
			}
		for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
			if (m->slab->mem_node[c] == (int)nid)
				cpus++;
		limit = (1 + cpus) * batch + s->objects;
		if (slabs_free && free > limit) {
			snprintf(who, len, "%s node %u: %lu free objects, %lu free slabs, limit %lu "
				 "((1 + %lu cpus) * batch %u + %u objects)", s->name, nid, free,
				 slabs_free, limit, cpus, batch, s->objects);
			return false;
		}
	}
	return true;
}

void *slab_cache_of_page(struct machine *m, const void *x)
{
	struct page *page;

	if (!virt_addr_valid(m, x))
		return NULL;
	page = compound_head(virt_to_page(m, x));
	return page->flags & PG_slab ? page->slab_cache : NULL;
}

/*
 * SLAB's remote free: an object of node nid freed from a cpu that
 * allocates from another node waits in that node's alien buffer for nid
 * (when the buffer is full it is drained to nid first, then the object is
 * added), so right after the free it is the buffer's last entry. True when
 * x is not remote or is there; else why says what the walk found.
 */
bool slab_alien_holds(struct machine *m, void *cache, int cpu, const void *x, char *why,
		      size_t len)
{
	struct kmem_cache *s = cache;
	struct page *page = compound_head(virt_to_page(m, x));
	int local = m->slab->mem_node[cpu], nid = page->node;
	struct kmem_cache_node *n = get_node(s, local);
	struct array_cache *ac;

	if (nid == local)
		return true;
	if (!n || (unsigned int)nid >= n->nr_alien || !n->alien[nid]) {
		snprintf(why, len, "%s: node %d has no alien buffer for node %d", s->name, local,
			 nid);
		return false;
	}
	ac = n->alien[nid]->ac;
	if (!ac->avail || ac->entry[ac->avail - 1] != x) {
		snprintf(why, len, "%s: node %d's alien buffer for node %d holds %u, last %p",
			 s->name, local, nid, ac->avail, ac->avail ? ac->entry[ac->avail - 1] : NULL);
		return false;
	}
	return true;
}

bool slab_free_queue_state(struct machine *m, void *cache, int cpu, const void *x,
			   struct queue_state *st)
{
	struct kmem_cache *s = cache;
	struct page *page = compound_head(virt_to_page(m, x));
	int local = m->slab->mem_node[cpu], nid = page->node;
	struct kmem_cache_node *n = get_node(s, local), *rn = get_node(s, nid);
	struct array_cache *ac;

	st->local = nid == local;
	if (st->local && n && s->cpu_slab[cpu].ac)
		ac = s->cpu_slab[cpu].ac;
	else if (!st->local && n && rn && (unsigned int)nid < n->nr_alien && n->alien[nid])
		ac = n->alien[nid]->ac;
	else
		return false;
	st->batch = ac->batchcount;
	st->nid = nid;
	st->avail = ac->avail;
	st->limit = ac->limit;
	st->shared = rn->shared != NULL;
	st->shared_avail = rn->shared ? rn->shared->avail : 0;
	st->shared_limit = rn->shared ? rn->shared->limit : 0;
	return true;
}

bool slab_flush_fills_shared(void *cache, const struct queue_state *st, char *why, size_t len)
{
	struct kmem_cache *s = cache;
	struct kmem_cache_node *rn = get_node(s, st->nid);
	unsigned int want = st->shared_avail, now;

	if (!st->shared || !rn || !rn->shared)
		return true;
	if (st->avail == st->limit) {
		want += st->local ? st->batch : st->avail;
		if (want > st->shared_limit)
			want = st->shared_limit > st->shared_avail ? st->shared_limit : st->shared_avail;
	}
	now = rn->shared->avail;
	if (now == want)
		return true;
	snprintf(why, len, "%s: node %d's shared queue holds %u (limit %u), %u before; the %s "
		 "held %u of %u (batch %u)", s->name, st->nid, now, st->shared_limit,
		 st->shared_avail, st->local ? "cpu queue" : "alien buffer", st->avail,
		 st->limit, st->batch);
	return false;
}
