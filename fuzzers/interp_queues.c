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
