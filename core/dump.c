/* SPDX-License-Identifier: MIT */
/*
 * Dumps in the kernel's formats: /proc/buddyinfo, /proc/zoneinfo (the
 * fields this model has) and a map of nodes, zones and sections.
 * Each returns the length the whole dump needs, like snprintf.
 */
#include "page_alloc.h"
#include "slabfuzz/seq_buf.h"

size_t dump_buddyinfo(struct machine *m, char *buf, size_t size)
{
	struct seq_buf d = SEQ_BUF_INIT(buf, size);

	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[n].node_zones[zt];

			if (!populated_zone(z))
				continue;
			seq_buf_printf(&d, "Node %u, zone %8s ", n, z->name);
			spin_lock(&z->lock);
			for (unsigned int o = 0; o < m->max_order; o++)
				seq_buf_printf(&d, "%6lu ", z->free_area[o].nr_free);
			spin_unlock(&z->lock);
			seq_buf_printf(&d, "\n");
		}
	}
	return seq_buf_done(&d);
}

size_t dump_zoneinfo(struct machine *m, char *buf, size_t size)
{
	struct seq_buf d = SEQ_BUF_INIT(buf, size);

	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[n].node_zones[zt];

			seq_buf_printf(&d, "Node %u, zone %8s\n", n, z->name ? z->name : zone_type_name(zt));
			if (!populated_zone(z))
				continue;
			seq_buf_printf(&d, "  pages free     %ld\n", (long)atomic_load(&z->free_pages));
			seq_buf_printf(&d, "        min      %lu\n", z->watermark[WMARK_MIN]);
			seq_buf_printf(&d, "        low      %lu\n", z->watermark[WMARK_LOW]);
			seq_buf_printf(&d, "        high     %lu\n", z->watermark[WMARK_HIGH]);
			seq_buf_printf(&d, "        spanned  %lu\n", z->spanned_pages);
			seq_buf_printf(&d, "        present  %lu\n", z->present_pages);
			seq_buf_printf(&d, "        managed  %lu\n", z->managed_pages);
			seq_buf_printf(&d, "  pagesets\n");
			for (unsigned int c = 0; z->pageset && c < m->topo.nr_cpus; c++) {
				struct per_cpu_pages *pcp = &z->pageset[c];

				spin_lock(&pcp->lock);
				seq_buf_printf(&d, "    cpu: %u\n              count: %d\n"
					"              high:  %d\n              batch: %d\n",
				    c, pcp->count, pcp->high, pcp->batch);
				spin_unlock(&pcp->lock);
			}
			seq_buf_printf(&d, "  node_unreclaimable:  0\n");
			seq_buf_printf(&d, "  start_pfn:           %llu\n",
			    (unsigned long long)z->zone_start_pfn);
		}
	}
	return seq_buf_done(&d);
}

size_t dump_memory_map(struct machine *m, char *buf, size_t size)
{
	struct seq_buf d = SEQ_BUF_INIT(buf, size);

	seq_buf_printf(&d, "machine: %u nodes, %u cpus (boot cpu %u), MAX_ORDER %u, stage %s\n",
	    m->topo.nr_nodes, m->topo.nr_cpus, m->topo.boot_cpu, m->max_order,
	    boot_stage_name(m->stage));
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		struct pglist_data *pgdat = &m->nodes[n];

		seq_buf_printf(&d, "node %u: pfn [%#llx-%#llx) present %lu%s%s cpus:", n,
		    (unsigned long long)pgdat->node_start_pfn,
		    (unsigned long long)pgdat->node_end_pfn, pgdat->node_present_pages,
		    node_state(m, (int)n, N_MEMORY) ? "" : " memoryless",
		    node_state(m, (int)n, N_NORMAL_MEMORY) ? " normal" : "");
		for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
			if (m->cpus[c].node == (int)n)
				seq_buf_printf(&d, " %u", c);
		seq_buf_printf(&d, "\n");
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &pgdat->node_zones[zt];

			if (!populated_zone(z))
				continue;
			seq_buf_printf(&d, "  zone %-7s pfn [%#llx-%#llx) present %lu%s%s\n", z->name,
			    (unsigned long long)z->zone_start_pfn,
			    (unsigned long long)z->zone_end_pfn, z->present_pages,
			    z->unaligned_start ? " unaligned-start" : "",
			    z->unaligned_end ? " unaligned-end" : "");
		}
	}
	if (m->stage >= STAGE_SPARSE && d.len < d.size)
		d.len += sparse_dump_map(m, d.buffer + d.len, d.size - d.len);
	else if (m->stage >= STAGE_SPARSE)
		d.len += sparse_dump_map(m, NULL, 0);
	return seq_buf_done(&d);
}
