/* SPDX-License-Identifier: MIT */
/*
 * The harness's own walk of a cache's queues (white-box, as the canary):
 * for counts the shadow cannot record because the core decides when queues
 * flush. It reads the queues' fills, never a count the core computed.
 */
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
