/* SPDX-License-Identifier: MIT */
/*
 * Dumps in the kernel's formats: /proc/buddyinfo, /proc/zoneinfo (the
 * fields this model has) and a map of nodes, zones and sections.
 * Each returns the length the whole dump needs, like snprintf.
 */
#include <stdarg.h>

#include "page_alloc.h"

struct dump_buf {
	char *buf;
	size_t size;
	size_t len;
};

static void out(struct dump_buf *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(struct dump_buf *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d->len < d->size ? d->buf + d->len : NULL,
		      d->len < d->size ? d->size - d->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->len += (size_t)n;
}

static size_t dump_done(struct dump_buf *d)
{
	if (d->size)
		d->buf[d->len < d->size ? d->len : d->size - 1] = '\0';
	return d->len;
}

size_t dump_buddyinfo(struct machine *m, char *buf, size_t size)
{
	struct dump_buf d = { buf, size, 0 };

	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[n].node_zones[zt];

			if (!populated_zone(z))
				continue;
			out(&d, "Node %u, zone %8s ", n, z->name);
			spin_lock(&z->lock);
			for (unsigned int o = 0; o < m->max_order; o++)
				out(&d, "%6lu ", z->free_area[o].nr_free);
			spin_unlock(&z->lock);
			out(&d, "\n");
		}
	}
	return dump_done(&d);
}

size_t dump_zoneinfo(struct machine *m, char *buf, size_t size)
{
	struct dump_buf d = { buf, size, 0 };

	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &m->nodes[n].node_zones[zt];

			out(&d, "Node %u, zone %8s\n", n, z->name ? z->name : zone_type_name(zt));
			if (!populated_zone(z))
				continue;
			out(&d, "  pages free     %ld\n", (long)atomic_load(&z->free_pages));
			out(&d, "        min      %lu\n", z->watermark[WMARK_MIN]);
			out(&d, "        low      %lu\n", z->watermark[WMARK_LOW]);
			out(&d, "        high     %lu\n", z->watermark[WMARK_HIGH]);
			out(&d, "        spanned  %lu\n", z->spanned_pages);
			out(&d, "        present  %lu\n", z->present_pages);
			out(&d, "        managed  %lu\n", z->managed_pages);
			out(&d, "  pagesets\n");
			for (unsigned int c = 0; z->pageset && c < m->topo.nr_cpus; c++) {
				struct per_cpu_pages *pcp = &z->pageset[c];

				spin_lock(&pcp->lock);
				out(&d, "    cpu: %u\n              count: %d\n"
					"              high:  %d\n              batch: %d\n",
				    c, pcp->count, pcp->high, pcp->batch);
				spin_unlock(&pcp->lock);
			}
			out(&d, "  node_unreclaimable:  0\n");
			out(&d, "  start_pfn:           %llu\n",
			    (unsigned long long)z->zone_start_pfn);
		}
	}
	return dump_done(&d);
}

size_t dump_memory_map(struct machine *m, char *buf, size_t size)
{
	struct dump_buf d = { buf, size, 0 };

	out(&d, "machine: %u nodes, %u cpus (boot cpu %u), MAX_ORDER %u, stage %s\n",
	    m->topo.nr_nodes, m->topo.nr_cpus, m->topo.boot_cpu, m->max_order,
	    boot_stage_name(m->stage));
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++) {
		struct pglist_data *pgdat = &m->nodes[n];

		out(&d, "node %u: pfn [%#llx-%#llx) present %lu%s%s cpus:", n,
		    (unsigned long long)pgdat->node_start_pfn,
		    (unsigned long long)pgdat->node_end_pfn, pgdat->node_present_pages,
		    node_state(m, (int)n, N_MEMORY) ? "" : " memoryless",
		    node_state(m, (int)n, N_NORMAL_MEMORY) ? " normal" : "");
		for (unsigned int c = 0; c < m->topo.nr_cpus; c++)
			if (m->cpus[c].node == (int)n)
				out(&d, " %u", c);
		out(&d, "\n");
		for (int zt = 0; zt < MAX_NR_ZONES; zt++) {
			struct zone *z = &pgdat->node_zones[zt];

			if (!populated_zone(z))
				continue;
			out(&d, "  zone %-7s pfn [%#llx-%#llx) present %lu%s%s\n", z->name,
			    (unsigned long long)z->zone_start_pfn,
			    (unsigned long long)z->zone_end_pfn, z->present_pages,
			    z->unaligned_start ? " unaligned-start" : "",
			    z->unaligned_end ? " unaligned-end" : "");
		}
	}
	if (m->stage >= STAGE_SPARSE && d.len < d.size)
		d.len += sparse_dump_map(m, d.buf + d.len, d.size - d.len);
	else if (m->stage >= STAGE_SPARSE)
		d.len += sparse_dump_map(m, NULL, 0);
	return dump_done(&d);
}
