/* SPDX-License-Identifier: MIT */
/*
 * Each harness oracle can fail: a program runs with a test hook that breaks
 * what the core hands back (struct sf_run_opts test_*), and the run must
 * abort with exactly the oracle's title. The same program without the hook
 * must run clean, so it is the hook that the oracle caught.
 *
 *   test_oracles            every case
 *   test_oracles NAME       one case (its report is shown)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interp.h"
#include "test_child.h"
#include "internal.h"	/* white-box: the hooks break core state on purpose */
#include "slab.h"	/* sysfs_slab_add: a directory before slab_up */
#include "interp_internal.h"	/* the ownership shadow's API */
#include "sanitizer.h"
#include "slabfuzz/digest.h"

struct oracle_case {
	const char *name;
	const char *target;
	const char *program;			/* NULL: a unit case */
	void (*arm)(struct sf_run_opts *o);	/* installs the hooks */
	/* expected; NULL: must stay clean; "!title": must not be reported */
	const char *title;
};

/* A title that is AddressSanitizer's report of this kind, not the harness's. */
#define ASAN_REPORT "asan:"

#define MACHINE_1N                                                                          \
	"slabfuzz-program 2\n"                                                              \
	"machine nodes=1 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node0\n"                                                          \
	"range node0 0-0x200\n"                                                             \
	"zones dma=0x80 dma32=0x100 movable=none\n"

#define MACHINE_HOLES                                                                       \
	"slabfuzz-program 2\n"                                                              \
	"machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node1\n"                                                          \
	"range node0 0-0x80\n"                                                             \
	"range node0 0x100-0x200\n"                                                        \
	"range node1 0x280-0x400\n"                                                        \
	"zones dma=0x80 dma32=0x100 movable=none\n"

#define MACHINE_TINY                                                                        \
	"slabfuzz-program 2\n"                                                              \
	"machine nodes=1 cpus=1 boot=cpu0 max_order=5 section_shift=5 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0\n"                                                                \
	"range node0 0-0x20\n"                                                              \
	"zones dma=0x10 dma32=0x20 movable=none\n"

/* ---- hooks ---- */

static int boot_enomem(struct machine *m, int ret, void *arg)
{
	(void)m;
	(void)arg;
	return ret ? ret : -ENOMEM;
}

static void arm_boot_enomem(struct sf_run_opts *o)
{
	o->test_boot_result = boot_enomem;
}

/* A boot that leaves cpu1 offline. */
static int boot_cpu1_offline(struct machine *m, int ret, void *arg)
{
	(void)arg;
	atomic_store(&m->cpus[1].online, false);
	return ret;
}

static void arm_boot_cpu1_offline(struct sf_run_opts *o)
{
	o->test_boot_result = boot_cpu1_offline;
}

/* Boot of MACHINE_HOLES: the hole at pfn 0x80 (inside node 0's span)
 * given node 1 once the memmap exists. */
static int boot_hole_node1(struct machine *m, int ret, void *arg)
{
	(void)arg;
	if (machine_stage(m) >= STAGE_SPARSE && sparse_pfn_valid(m, 0x80))
		sparse_pfn_to_page(m, 0x80)->node = 1;
	return ret;
}

static void arm_boot_hole_node1(struct sf_run_opts *o)
{
	o->test_boot_result = boot_hole_node1;
}

/* After op 0: every zone's free page counter reads 0 (the free lists and
 * page states keep their blocks). */
static void zero_free_counters(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index)
		return;
	for (unsigned int n = 0; n < m->topo.nr_nodes; n++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			atomic_store(&m->nodes[n].node_zones[z].free_pages, 0);
}

/* The DMA zone's free page counter made to lie to the fast path (the free
 * lists and page states keep their blocks): after op 0 it reads 5 (the
 * zone's low watermark: an order-0 request fails it, passes the min one);
 * or after op 3 it reads 64 pages more. */
static void dma_free_five(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index == 0)
		atomic_store(&m->nodes[0].node_zones[ZONE_DMA].free_pages, 5);
}

static void dma_free_more(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index == 3)
		atomic_fetch_add(&m->nodes[0].node_zones[ZONE_DMA].free_pages, 64);
}

static void arm_dma_free_five(struct sf_run_opts *o)
{
	o->test_after_op = dma_free_five;
}

static void arm_dma_free_more(struct sf_run_opts *o)
{
	o->test_after_op = dma_free_more;
}

/* After op 0: the machine's own host arena chunk header made accessible. */
static void unpoison_machine_header(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		kasan_unpoison((uint8_t *)m - 16, 16);
}

static void arm_unpoison_machine_header(struct sf_run_opts *o)
{
	o->test_after_op = unpoison_machine_header;
}

/* The run ends with a lock of no machine held: the thread keeps it after
 * the machine is gone. */
static void keep_a_lock(struct machine *m, void *arg)
{
	static spinlock_t l;

	(void)m;
	(void)arg;
	spin_lock_init(&l);
	spin_lock(&l);
}

static void arm_keep_a_lock(struct sf_run_opts *o)
{
	o->at_end = keep_a_lock;
}

/* A host structure nobody frees: the release leaves it in the arena. */
static void leak_a_structure(struct machine *m, void *arg)
{
	(void)arg;
	if (!host_alloc(m->arena, 72))
		abort();
}

static void arm_leak_a_structure(struct sf_run_opts *o)
{
	o->at_end = leak_a_structure;
}

static void arm_zero_free_counters(struct sf_run_opts *o)
{
	o->test_after_op = zero_free_counters;
}

/* A page allocation that comes back NULL with the NOFAIL WARN, whatever
 * its gfp, naming the node and zone in arg (NULL: the cpu's, no zone). */
static struct page *null_with_impossible(struct machine *m, struct page *page, void *arg)
{
	const int *where = arg;
	struct report_ctx ctx = { "alloc_pages", where ? where[0] : cpu_to_node(m, this_cpu_id(m)),
				  where ? where[1] : -1, -1 };

	(void)page;
	report(m, SF_REPORT_WARN, "WARNING: __GFP_NOFAIL allocation impossible", &ctx, "test\n");
	return NULL;
}

static void arm_null_with_impossible(struct sf_run_opts *o)
{
	o->test_page_result = null_with_impossible;
}

/* The WARN names no node (the harness predicts node 0, the cpu's). */
static void arm_impossible_no_node(struct sf_run_opts *o)
{
	static const int where[2] = { -1, -1 };

	o->test_page_result = null_with_impossible;
	o->test_arg = (void *)where;
}

/* The WARN names a zone index that does not exist. */
static void arm_impossible_bad_zone(struct sf_run_opts *o)
{
	static const int where[2] = { 0, -2 };

	o->test_page_result = null_with_impossible;
	o->test_arg = (void *)where;
}

/* The block of the first page allocation, recorded as it comes back. */
static struct page *first_page;

static struct page *record_first(struct machine *m, struct page *page, void *arg)
{
	(void)m;
	(void)arg;
	if (!first_page)
		first_page = page;
	return page;
}

/* After op 0: one byte in the middle of page 2 of the first block. */
static void scribble_first(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index && first_page)
		((uint8_t *)page_address(m, first_page))[2 * SF_PAGE_SIZE + 2001] ^= 0x40;
}

static void arm_scribble(struct sf_run_opts *o)
{
	o->test_page_result = record_first;
	o->test_after_op = scribble_first;
}

/* A __GFP_ZERO block with one byte left over in the middle of page 17
 * (the old check sampled 256 bytes at each end of a page). */
static struct page *dirty_zeroed(struct machine *m, struct page *page, void *arg)
{
	(void)arg;
	if (page)
		((uint8_t *)page_address(m, page))[17 * SF_PAGE_SIZE + 1500] = 1;
	return page;
}

static void arm_dirty_zeroed(struct sf_run_opts *o)
{
	o->test_page_result = dirty_zeroed;
}

/* Every block handed out marked compound (PG_head), asked so or not. */
static struct page *head_always(struct machine *m, struct page *page, void *arg)
{
	(void)m;
	(void)arg;
	if (page)
		page->flags |= PG_head;
	return page;
}

static void arm_head_always(struct sf_run_opts *o)
{
	o->test_page_result = head_always;
}

/* Every page allocation answered from node1 instead. */
static struct page *from_node1(struct machine *m, struct page *page, void *arg)
{
	(void)arg;
	(void)page;
	return alloc_pages_node(m, 1, GFP_KERNEL | __GFP_THISNODE, 0);
}

static void arm_from_node1(struct sf_run_opts *o)
{
	o->test_page_result = from_node1;
}

/* A page allocation the core refused answered with a __GFP_MEMALLOC block
 * of the DMA zone instead: below the min watermark the gfp asked for. */
static struct page *memalloc_when_null(struct machine *m, struct page *page, void *arg)
{
	(void)arg;
	return page ? page : alloc_pages(m, GFP_ATOMIC | __GFP_DMA | __GFP_MEMALLOC, 0);
}

static void arm_memalloc_when_null(struct sf_run_opts *o)
{
	o->test_page_result = memalloc_when_null;
}

/* The sixth page allocation comes back NULL (its block freed again). */
static unsigned int page_results;

static struct page *null_sixth(struct machine *m, struct page *page, void *arg)
{
	(void)arg;
	if (++page_results != 6 || !page)
		return page;
	__free_pages(m, page, 0);
	return NULL;
}

static void arm_null_sixth(struct sf_run_opts *o)
{
	page_results = 0;
	o->test_page_result = null_sixth;
}

/* After op 5: cpu0's DMA per-cpu list takes batches of 3 (the zone's is 1). */
static void big_batch(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index == 5)
		m->nodes[0].node_zones[ZONE_DMA].pageset[0].batch = 3;
}

static void arm_big_batch(struct sf_run_opts *o)
{
	o->test_after_op = big_batch;
}

/* After op 0: one zone-alignment INFO more than the topology has zones off
 * a MAX_ORDER block (MACHINE_1N: DMA and DMA32 end off a 256-page block). */
static void extra_alignment_info(struct machine *m, unsigned int op_index, void *arg)
{
	struct report_ctx ctx = { "free_area_init", 0, ZONE_NORMAL, -1 };

	(void)arg;
	if (!op_index)
		report(m, SF_REPORT_INFO, "INFO: zone boundary not MAX_ORDER aligned", &ctx,
		       "test\n");
}

static void arm_extra_alignment_info(struct sf_run_opts *o)
{
	o->test_after_op = extra_alignment_info;
}

/* After op 0: fail_page_alloc counts one failure more than it made. */
static void count_extra_failure(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->fail_page_alloc.stats.failures++;
}

static void arm_count_extra_failure(struct sf_run_opts *o)
{
	o->test_after_op = count_extra_failure;
}

/* After op 0: the draws of fail_page_alloc go on from another state than
 * the seed's (a random sequence other than the documented one). */
static void skew_fault_draws(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->fail_page_alloc.rng ^= 0x10000;
}

static void arm_skew_fault_draws(struct sf_run_opts *o)
{
	o->test_after_op = skew_fault_draws;
}

/* After op 1 (the failslab op): the core's cache filter is another name
 * than the program's (arg: the name; "" none). */
static void swap_failslab_filter(struct machine *m, unsigned int op_index, void *arg)
{
	if (op_index == 1)
		snprintf(m->failslab.attr.cache_filter, sizeof(m->failslab.attr.cache_filter),
			 "%s", (const char *)arg);
}

static void arm_filter_other_name(struct sf_run_opts *o)
{
	o->test_after_op = swap_failslab_filter;
	o->test_arg = (void *)"cache1";
}

static void arm_filter_cleared(struct sf_run_opts *o)
{
	o->test_after_op = swap_failslab_filter;
	o->test_arg = (void *)"";
}

/* After op 1: cpu0's pending timer is forgotten before any sched point. */
static void drop_pending_timer(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index == 1)
		atomic_store(&m->cpus[0].timer_pending, false);
}

static void arm_drop_pending_timer(struct sf_run_opts *o)
{
	o->test_after_op = drop_pending_timer;
}

/* After op 0: boot memory reserved that no one holds (a sparse init that
 * kept what it took shows the same). */
static void reserve_behind_back(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index && !memblock_alloc(m, 3000, 8))
		abort();
}

static void arm_reserve_behind_back(struct sf_run_opts *o)
{
	o->test_after_op = reserve_behind_back;
}

/* After op 0: the core's current cpu moves to cpu1 behind the harness's
 * back (the harness made cpu0 current), so the next report names cpu1. */
static void move_current_cpu(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->current_cpu = 1;
}

static void arm_move_current_cpu(struct sf_run_opts *o)
{
	o->test_after_op = move_current_cpu;
}

/* After op 0: the harness's sched hook is gone (the core forgot it). */
static void drop_sched_hook(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		sched_set_hook(m, NULL, NULL);
}

static void arm_drop_sched_hook(struct sf_run_opts *o)
{
	o->test_after_op = drop_sched_hook;
}

static void arm_hide_pcp_drain_point(struct sf_run_opts *o)
{
	o->test_hide_pcp_drain_point = true;
}

/* After op 0: the DMA zone's order-0 free list counts one block more than
 * it holds. */
static void miscount_free_area(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->nodes[0].node_zones[ZONE_DMA].free_area[0].nr_free++;
}

static void arm_miscount_free_area(struct sf_run_opts *o)
{
	o->test_after_op = miscount_free_area;
}

/* After op 0: the DMA zone's largest free block counted as its two halves
 * (the same pages: only the per-order counts are wrong). */
static void split_free_area(struct machine *m, unsigned int op_index, void *arg)
{
	struct zone *z = &m->nodes[0].node_zones[ZONE_DMA];

	(void)arg;
	for (unsigned int o = m->max_order; !op_index && o-- > 1;)
		if (z->free_area[o].nr_free) {
			z->free_area[o].nr_free--;
			z->free_area[o - 1].nr_free += 2;
			return;
		}
}

static void arm_split_free_area(struct sf_run_opts *o)
{
	o->test_after_op = split_free_area;
}

/* After op 0: the DMA zone spans one page more than its node gives it. */
static void widen_zone(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->nodes[0].node_zones[ZONE_DMA].spanned_pages++;
}

static void arm_widen_zone(struct sf_run_opts *o)
{
	o->test_after_op = widen_zone;
}

/* After op 0: the DMA zone's min watermark a page higher than its rule. */
static void raise_min(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->nodes[0].node_zones[ZONE_DMA].watermark[WMARK_MIN]++;
}

static void arm_raise_min(struct sf_run_opts *o)
{
	o->test_after_op = raise_min;
}

/* After op 0: node 0 counts a present page more than its ranges hold. */
static void grow_node(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->nodes[0].node_present_pages++;
}

static void arm_grow_node(struct sf_run_opts *o)
{
	o->test_after_op = grow_node;
}

/* Every dump says it needed nothing. */
static size_t dump_len_zero(struct machine *m, unsigned int kind, size_t n)
{
	(void)m;
	(void)kind;
	(void)n;
	return 0;
}

static void arm_dump_len_zero(struct sf_run_opts *o)
{
	o->test_dump_len = dump_len_zero;
}

/* A short-buffer call returns what it wrote, not the whole length. */
static void short_len_written(const char *call, char *buf, size_t size, long *ret)
{
	(void)call;
	if (size && (size_t)*ret >= size)
		*ret = (long)strlen(buf);
}

static void arm_short_len_written(struct sf_run_opts *o)
{
	o->test_short_result = short_len_written;
}

/* slab_attr_show leaves its short buffer unterminated. */
static void short_attr_unterminated(const char *call, char *buf, size_t size, long *ret)
{
	(void)ret;
	if (!strcmp(call, "slab_attr_show") && size)
		buf[size - 1] = '?';
}

static void arm_short_attr_unterminated(struct sf_run_opts *o)
{
	o->test_short_result = short_attr_unterminated;
}

/* slab_attr_show writes its terminator one byte past its short buffer. */
static void short_attr_past_end(const char *call, char *buf, size_t size, long *ret)
{
	(void)ret;
	if (!strcmp(call, "slab_attr_show") && size)
		buf[size] = '\0';
}

static void arm_short_attr_past_end(struct sf_run_opts *o)
{
	o->test_short_result = short_attr_past_end;
}

/* slab_sysfs_dir_name's text of a short buffer is not the whole one's prefix. */
static void short_dir_name_other(const char *call, char *buf, size_t size, long *ret)
{
	(void)ret;
	if (!strcmp(call, "slab_sysfs_dir_name") && size > 1)
		buf[0] = '#';
}

static void arm_short_dir_name_other(struct sf_run_opts *o)
{
	o->test_short_result = short_dir_name_other;
}

/* alloc_pages_exact past the largest order hands out a page. */
static void *exact_beyond_granted(struct machine *m, void *ret)
{
	return ret ? ret : alloc_pages_exact(m, SF_PAGE_SIZE, GFP_KERNEL);
}

static void arm_exact_beyond_granted(struct sf_run_opts *o)
{
	o->test_exact_beyond = exact_beyond_granted;
}

/* After op 0: the harness hears every report with its body edited by
 * body_edit (its own handler, wrapped). */
static sf_report_handler_fn harness_report_fn;
static void (*body_edit)(char *body);

static void edited_report(struct machine *m, const struct sf_report *rep, void *data)
{
	static struct sf_report copy;

	copy = *rep;
	body_edit(copy.body);
	harness_report_fn(m, &copy, data);
}

static void edit_reports(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index || m->report_fn == edited_report)
		return;
	harness_report_fn = m->report_fn;
	m->report_fn = edited_report;
}

/* in_atomic() said 1 */
static void atomic_said(char *body)
{
	char *at = strstr(body, "in_atomic(): 0");

	if (at)
		at[strlen("in_atomic(): ")] = '1';
}

static void arm_say_atomic(struct sf_run_opts *o)
{
	body_edit = atomic_said;
	o->test_after_op = edit_reports;
}

/* "__GFP_DMA32" said "__GFP_DMA|0": the other zone flag lost from the names */
static void dma32_lost(char *body)
{
	char *at = strstr(body, "__GFP_DMA32");

	if (at)
		memcpy(at, "__GFP_DMA|0", strlen("__GFP_DMA32"));
}

static void arm_lose_dma32(struct sf_run_opts *o)
{
	body_edit = dma32_lost;
	o->test_after_op = edit_reports;
}

/* After op 0: reports go to the log only, the harness hears none. */
static void mute_reports(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		sf_set_report_handler(m, sf_report_collect, NULL);
}

static void arm_mute_reports(struct sf_run_opts *o)
{
	o->test_after_op = mute_reports;
}

/* After op 0: the report log forgets what it held (the prologue's INFO
 * on the unaligned DMA boundary). */
static void clear_report_log(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		sf_reports_clear(m);
}

static void arm_clear_report_log(struct sf_run_opts *o)
{
	o->test_after_op = clear_report_log;
}

/* After the last op (leak_at): a page the harness never hears about. */
static void leak_page(struct machine *m, unsigned int op_index, void *arg)
{
	if (op_index == *(const unsigned int *)arg)
		(void)alloc_pages(m, GFP_KERNEL, 2);
}

static unsigned int leak_at;

static void arm_leak0(struct sf_run_opts *o)
{
	leak_at = 0;
	o->test_after_op = leak_page;
	o->test_arg = &leak_at;
}

static void arm_leak2(struct sf_run_opts *o)
{
	leak_at = 2;
	o->test_after_op = leak_page;
	o->test_arg = &leak_at;
}

/* After op 0: one page more counted allocated than the memmap shows. */
static void miscount_allocated(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		atomic_fetch_add(&m->nr_allocated_pages, 1);
}

static void arm_miscount_allocated(struct sf_run_opts *o)
{
	o->test_after_op = miscount_allocated;
}

/*
 * After op 1 (the first check, a full one): a tail page of the highest free
 * MAX_ORDER block (a memmap chunk of its own, never split) says per-cpu,
 * with no change mark: free pages and counters as before, and the next
 * check (incremental) does not read the chunk; a whole read does (the
 * memmap view's at the end-of-run check point comes first).
 */
static void unmarked_state(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index != 1)
		return;
	for (pfn_t pfn = m->max_pfn; pfn-- > 0;) {
		struct page *p = pfn_valid(m, pfn) ? pfn_to_page(m, pfn) : NULL;

		if (p && !p->tail && page_state_get(p) == PS_BUDDY &&
		    p->order == m->max_order - 1) {
			page_state_set(p + 1, PS_PCP);
			return;
		}
	}
}

static void arm_unmarked_state(struct sf_run_opts *o)
{
	o->test_after_op = unmarked_state;
}

/* After op 0: the machine's topology record has another distance. */
static void change_topology(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->topo.distance[0][0] = 11;
}

static void arm_change_topology(struct sf_run_opts *o)
{
	o->test_after_op = change_topology;
}

/* A machine_create that takes any topology (a valid one of its own). */
static struct machine *create_anything(const struct sf_topology *t, const struct sf_options *o,
				       struct sf_error *err)
{
	struct sf_topology good;

	(void)t;
	sf_topology_simple(&good, 1, 1, 4);
	return machine_create(&good, o, err);
}

static void arm_create_anything(struct sf_run_opts *o)
{
	o->test_machine_create = create_anything;
}

/* A machine_create that refuses naming the wrong field. */
static struct machine *create_wrong_field(const struct sf_topology *t,
					  const struct sf_options *o, struct sf_error *err)
{
	(void)t;
	(void)o;
	snprintf(err->field, sizeof(err->field), "nr_cpus");
	snprintf(err->msg, sizeof(err->msg), "a made-up refusal");
	return NULL;
}

static void arm_create_wrong_field(struct sf_run_opts *o)
{
	o->test_machine_create = create_wrong_field;
}

/* A machine_create whose refusal states a section_shift bound one too high
 * (the real refusal's field, a message as a slip would word it). */
static struct machine *create_wrong_bound(const struct sf_topology *t,
					  const struct sf_options *o, struct sf_error *err)
{
	struct machine *m = machine_create(t, o, err);

	if (!m && !strcmp(err->field, "section_shift"))
		snprintf(err->msg, sizeof(err->msg), "%u; must be %u..18", t->section_shift,
			 t->max_order);
	return m;
}

static void arm_create_wrong_bound(struct sf_run_opts *o)
{
	o->test_machine_create = create_wrong_bound;
}

/* A validator whose largest vmemmap block is 32 sections, not 64. */
static int validate_vmemmap_32(const struct sf_topology *t, struct sf_error *err)
{
	if (t->vmemmap_block_sections > 32) {
		snprintf(err->field, sizeof(err->field), "vmemmap_block_sections");
		snprintf(err->msg, sizeof(err->msg), "%u; must be a power of two in 1..32",
			 t->vmemmap_block_sections);
		return -1;
	}
	return sf_topology_validate(t, err);
}

static void arm_validate_vmemmap_32(struct sf_run_opts *o)
{
	o->test_topology_validate = validate_vmemmap_32;
}

/* A refusal that names the field and nothing else. */
static struct machine *create_bare_refusal(const struct sf_topology *t,
					   const struct sf_options *o, struct sf_error *err)
{
	struct machine *m = machine_create(t, o, err);

	if (!m)
		snprintf(err->msg, sizeof(err->msg), "out of range");
	return m;
}

static void arm_create_bare_refusal(struct sf_run_opts *o)
{
	o->test_machine_create = create_bare_refusal;
}

/* The shared ownership shadow on its own: two overlapping claims. */
static void shadow_overlap(void)
{
	static struct run r;
	static const struct sf_run_opts o;
	static uint8_t mem[4 * SF_PAGE_SIZE];

	r.t = sf_target_find("fuzz_pages");
	r.o = &o;
	shadow_claim(&r, mem, 2 * SF_PAGE_SIZE, SH_PAGES, 0, "test");
	shadow_claim(&r, mem + 3 * SF_PAGE_SIZE, 64, SH_OBJECT, 1, "test");
	shadow_release(&r, mem + 3 * SF_PAGE_SIZE, SH_OBJECT, 1);
	shadow_claim(&r, mem + 2 * SF_PAGE_SIZE, SF_PAGE_SIZE, SH_MEMBLOCK, 2, "test");
	/* Inside the page block of claim 0: */
	shadow_claim(&r, mem + SF_PAGE_SIZE + 8, 32, SH_OBJECT, 3, "test");
}

/* MACHINE_1N in format version 3 (its ops). */
#define MACHINE_1N_V3                                                                       \
	"slabfuzz-program 3\n"                                                              \
	"machine nodes=1 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node0\n"                                                          \
	"range node0 0-0x200\n"                                                             \
	"zones dma=0x80 dma32=0x100 movable=none\n"

#define MACHINE_2N                                                                          \
	"slabfuzz-program 2\n"                                                              \
	"machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node1\n"                                                          \
	"distance node0 node1 20\n"                                                        \
	"range node0 0-0x200\n"                                                            \
	"range node1 0x200-0x400\n"                                                        \
	"zones dma=0x100 dma32=0x200 movable=none\n"

/* ---- cases ---- */

/* The checker canary's check, broken: an invariant left out passes
 * silently; one with the wrong id reports another invariant. */
static bool checker_blind(struct machine *m, struct kmem_cache *s, void *arg)
{
	(void)m;
	(void)s;
	(void)arg;
	return true;
}

/* A checker that files a page-layer report whose body is body. */
static void checker_report(struct machine *m, const char *body)
{
	struct report_ctx ctx = { "check_page_layer", -1, -1, -1 };

	report(m, SF_REPORT_BUG, "BUG: page allocator invariant broken", &ctx, "%s\n", body);
}

static bool checker_wrong_id(struct machine *m, struct kmem_cache *s, void *arg)
{
	(void)s;
	(void)arg;
	checker_report(m, "P5: a test's checker names the wrong invariant");
	return false;
}

/* A checker that names the right invariant for a broken memblock region
 * but not what broke. */
static bool checker_vague(struct machine *m, struct kmem_cache *s, void *arg)
{
	(void)s;
	(void)arg;
	checker_report(m, "P6: a test's checker says something is wrong with memblock");
	return false;
}

static void arm_checker_vague(struct sf_run_opts *o)
{
	o->test_canary_check = checker_vague;
}

/* A checker that files the right report (P10 for a watermark) and then
 * says the state passed. */
static bool checker_passes(struct machine *m, struct kmem_cache *s, void *arg)
{
	(void)s;
	(void)arg;
	checker_report(m, "P10: a test's checker reports and passes");
	return true;
}

static void arm_checker_passes(struct sf_run_opts *o)
{
	o->test_canary_check = checker_passes;
}

/* The canary's free, broken: one that checks nothing (and frees nothing),
 * one that names the head when a tail page is the broken one. */
static void free_blind(struct machine *m, struct page *page, unsigned int order)
{
	(void)m;
	(void)page;
	(void)order;
}

static void free_names_head(struct machine *m, struct page *page, unsigned int order)
{
	(void)order;
	report_page(m, SF_REPORT_BUG, "BUG: Bad page state", page, "__free_pages",
		    "corrupted tail page");
}

/* The canary's misuse of a queue lock, broken: one that does nothing (no
 * report), one that reports and leaves the remote request set. */
static void misuse_silent(struct machine *m, struct kmem_cache_cpu *q, int kind)
{
	(void)m;
	(void)q;
	(void)kind;
}

static void misuse_leaves_request(struct machine *m, struct kmem_cache_cpu *q, int kind)
{
	(void)kind;
	cpu_queue_unlock_remote(q);
	atomic_store(&q->remote_req, 1);
	(void)m;
}

/* The canary's unlock, broken as lockdep would be that drops the
 * innermost entry whichever lock goes (the right mutex let go). */
static void unlock_pops_innermost(struct machine *m, void *lock)
{
	spinlock_t *l = lock;

	(void)m;
	held_locks.depth--;
	pthread_mutex_unlock(&l->mutex);
}

static void arm_unlock_pops_innermost(struct sf_run_opts *o)
{
	o->test_canary_unlock = unlock_pops_innermost;
}

static void arm_misuse_silent(struct sf_run_opts *o)
{
	o->test_canary_misuse = misuse_silent;
}

static void arm_misuse_leaves_request(struct sf_run_opts *o)
{
	o->test_canary_misuse = misuse_leaves_request;
}

static void arm_free_blind(struct sf_run_opts *o)
{
	o->test_canary_free = free_blind;
}

static void arm_free_names_head(struct sf_run_opts *o)
{
	o->test_canary_free = free_names_head;
}

/* A digest that leaves out every zone's span, pages and watermarks (what
 * a node loop from 1 or a dropped field does for some). */
static int digest_no_zones(struct machine *m, struct sf_digest *d)
{
	int err = sf_digest_take(m, d);
	size_t n = 0;

	for (size_t i = 0; !err && i < d->nr; i++)
		if (d->f[i].kind != DG_ZONE)
			d->f[n++] = d->f[i];
	d->nr = n;
	return err;
}

static void arm_digest_no_zones(struct sf_run_opts *o)
{
	o->test_digest = digest_no_zones;
}

static void arm_checker_blind(struct sf_run_opts *o)
{
	o->test_canary_check = checker_blind;
}

static void arm_checker_wrong_id(struct sf_run_opts *o)
{
	o->test_canary_check = checker_wrong_id;
}

/* MACHINE_1N in format version 4 (the corrupt op). */
#define MACHINE_1N_V4                                                                       \
	"slabfuzz-program 4\n"                                                              \
	"machine nodes=1 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node0\n"                                                          \
	"range node0 0-0x200\n"                                                             \
	"zones dma=0x80 dma32=0x100 movable=none\n"

/* failslab with a cache filter (format version 5): op 1 sets it. */
#define FAILSLAB_FILTER_PROGRAM                                                             \
	"slabfuzz-program 5\n"                                                              \
	"machine nodes=1 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node0\n"                                                          \
	"range node0 0-0x200\n"                                                             \
	"zones dma=0x80 dma32=0x100 movable=none\n"                                         \
	"c0 = kmem_cache_create cache0 size=100 align=0 flags=0x4\n"                        \
	"failslab nth=1 ppm=0 persistent=1 ignore_reclaim=0 filter=cache0\n"                \
	"o0 = kmalloc size=64 GFP_KERNEL any\n"                                             \
	"o1 = kmem_cache_alloc c0 GFP_KERNEL any\n"                                         \
	"kfree o0\ncheck\n"

/* Two nodes, a cpu each, in format version 4. */
#define MACHINE_2N_V4                                                                       \
	"slabfuzz-program 4\n"                                                              \
	"machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node1\n"                                                          \
	"distance node0 node1 20\n"                                                        \
	"range node0 0-0x200\n"                                                            \
	"range node1 0x200-0x400\n"                                                        \
	"zones dma=0x80 dma32=0x200 movable=none\n"

#define CANARY_SLAB_OPS                                                                     \
	"c0 = kmem_cache_create cache0 size=64 align=0 flags=0\n"                         \
	"o0 = kmem_cache_alloc c0 GFP_KERNEL any\n"

/* After op 0: the log's first distinct report renamed; the last memory
 * region a page short (what the query op compares with its own record). */
static void rename_first_report(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index && m->reports.nr_distinct)
		m->reports.first[0].title[0] ^= 0x20;
}

static void trim_memory(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		m->memblock.memory.regions[m->memblock.memory.cnt - 1].size -= SF_PAGE_SIZE;
}

/* After op 1: the log counts the newest title twice (the default printer
 * then stays silent for a WARN); the harness's thread bound to cpu 0 behind
 * its back; the boot cpu's sched point hits forgotten. */
static void count_first_twice(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index == 1 && m->reports.nr_distinct)
		m->reports.count[m->reports.nr_distinct - 1] = 2;
}

static void bind_phantom(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index == 1)
		cpu_bind(m, 0);
}

static void forget_sched_hits(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (op_index == 1)
		for (unsigned int sp = 0; sp < NR_SCHED_POINTS; sp++)
			atomic_store(&m->cpus[0].sched_hits[sp], 0);
}

static void arm_count_first_twice(struct sf_run_opts *o)
{
	o->test_after_op = count_first_twice;
}

static void arm_bind_phantom(struct sf_run_opts *o)
{
	o->test_after_op = bind_phantom;
}

static void arm_forget_sched_hits(struct sf_run_opts *o)
{
	o->test_after_op = forget_sched_hits;
}

static void arm_rename_first_report(struct sf_run_opts *o)
{
	o->test_after_op = rename_first_report;
}

static void arm_trim_memory(struct sf_run_opts *o)
{
	o->test_after_op = trim_memory;
}

/* After op 0 (boot slab_partial): kmalloc-64 registered in sysfs before
 * slab_up. */
static void early_sysfs(struct machine *m, unsigned int op_index, void *arg)
{
	(void)arg;
	if (!op_index)
		(void)sysfs_slab_add(m, kmalloc_slab(m, 64, GFP_KERNEL));
}

static void arm_early_sysfs(struct sf_run_opts *o)
{
	o->test_after_op = early_sysfs;
}

static const struct oracle_case cases[] = {
	/* query: the tools' API against the harness's own record. */
	{ "query.report_log", "fuzz_boot",
	  MACHINE_1N_V4 "boot running\nkfree_foreign\nquery report_log n=0\n",
	  arm_rename_first_report, "HARNESS: report log differs from the reports delivered" },
	{ "query.memory_pfn", "fuzz_boot", MACHINE_1N_V4 "check\nquery memory_pfn n=0\n",
	  arm_trim_memory, "HARNESS: memblock memory differs from the topology" },
	{ "query.report_print", "fuzz_boot",
	  MACHINE_1N_V4 "boot running\nkfree_foreign\nquery report_print n=0\n",
	  arm_count_first_twice, "HARNESS: default report printer differs from the report" },
	{ "query.cpu_bind", "fuzz_boot",
	  MACHINE_1N_V4 "boot running\ncheck\nquery cpu_bind n=2\n",
	  arm_bind_phantom, "HARNESS: cpu binding differs from what was asked" },
	{ "query.sched_points", "fuzz_boot",
	  MACHINE_1N_V4 "boot running\np0 = alloc_pages GFP_KERNEL order=3\nquery sched_points n=0\n",
	  arm_forget_sched_hits, "HARNESS: sched point query differs from the hook" },
	{ "query.clean", "fuzz_boot",
	  MACHINE_1N_V4 "boot running\nkfree_foreign\nkfree_foreign\nquery report_print n=0\n"
			"query cpu_bind n=0\nquery cpu_bind n=1\nquery cpu_bind n=3\n"
			"query cpu_bind n=4\nquery sched_points n=3\nquery timers n=3\n",
	  NULL, NULL },
	/* The checker canary, one case per kind group: page layer (P1-P12),
	 * boot memory before buddy, slab layer (S1-S14), the validator. */
	{ "canary.page_layer", "fuzz_pages",
	  MACHINE_1N_V4 "p0 = alloc_pages GFP_KERNEL order=2\ncorrupt free_order index=1\n"
			"corrupt head_offset index=0\nfree p0\n",
	  arm_checker_blind, "HARNESS: checker missed a corruption" },
	{ "canary.boot_memory", "fuzz_sparse",
	  MACHINE_1N_V4 "m0 = memblock_alloc node0 size=64\ncorrupt memblock_nid index=1\n"
			"boot sparse\ncorrupt vmemmap_ref index=0\n",
	  arm_checker_blind, "HARNESS: checker missed a corruption" },
	{ "canary.slab_layer", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt slab_inuse index=2\nkmem_cache_free o0\n",
	  arm_checker_blind, "HARNESS: checker missed a corruption" },
	{ "canary.validator", "fuzz_slab",
	  "slabfuzz-program 4\nmachine nodes=1 cpus=1 boot=cpu0 max_order=9 section_shift=9 "
	  "vmemmap_block=1 memmap_together=0 debug=1 slab_debug=FZPU\ncpu_nodes node0\n"
	  "range node0 0-0x200\nzones dma=0x80 dma32=0x100 movable=none\n" CANARY_SLAB_OPS
	  "corrupt redzone index=3\ncorrupt poison index=1\nkmem_cache_free o0\n",
	  arm_checker_blind, "HARNESS: checker missed a corruption" },
	{ "canary.slab_full", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt slab_full index=0\nkmem_cache_free o0\n",
	  arm_checker_blind, "HARNESS: checker missed a corruption" },
	{ "canary.kmalloc_entry", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt kmalloc_entry index=14\n", arm_checker_blind,
	  "HARNESS: checker missed a corruption" },
	{ "canary.vague_report", "fuzz_pages",
	  MACHINE_1N_V4 "corrupt memblock_size index=1\n", arm_checker_vague,
	  "HARNESS: checker report does not say what broke" },
	{ "canary.arena_header_unpoisoned", "fuzz_pages",
	  MACHINE_1N_V4 "check\ncorrupt arena_header index=0\n", arm_unpoison_machine_header,
	  "HARNESS: host arena chunk header not poisoned" },
	{ "canary.reported_but_passed", "fuzz_pages",
	  MACHINE_1N_V4 "corrupt watermark index=2\n", arm_checker_passes,
	  "HARNESS: checker reported but passed" },
	{ "canary.queue_lock", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt queue_remote index=1\n", arm_checker_blind,
	  "HARNESS: checker missed a corruption" },
	{ "canary.slab_list_skip", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt slab_list_skip index=0\n", arm_checker_blind,
	  "HARNESS: checker missed a corruption" },
	{ "canary.misuse_silent", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt queue_unlock index=1\n", arm_misuse_silent,
	  "HARNESS: misuse not reported" },
	{ "canary.misuse_changes_lock", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt queue_unlock index=1\n",
	  arm_misuse_leaves_request, "HARNESS: lock misuse changed the lock" },
	/* slab_mutex and the list_lock of each node, released out of order
	 * (two nodes: the middle one first). */
	{ "canary.unlock_order", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt unlock_order index=3\n", NULL, NULL },
	{ "canary.unlock_order_2n", "fuzz_slab",
	  MACHINE_2N_V4 CANARY_SLAB_OPS "corrupt unlock_order index=0\n", NULL, NULL },
	{ "canary.unlock_order_stack", "fuzz_slab",
	  MACHINE_1N_V4 CANARY_SLAB_OPS "corrupt unlock_order index=3\n",
	  arm_unlock_pops_innermost, "HARNESS: held-lock stack differs from the locks held" },
	{ "canary.unlock_order_stack_2n", "fuzz_slab",
	  MACHINE_2N_V4 CANARY_SLAB_OPS "corrupt unlock_order index=0\n",
	  arm_unlock_pops_innermost, "HARNESS: held-lock stack differs from the locks held" },
	{ "canary.alien", "fuzz_slab",
	  MACHINE_2N_V4 CANARY_SLAB_OPS "cpu cpu1\nkmem_cache_free o0\ncpu cpu0\n"
			"corrupt alien_entry index=0\n",
	  arm_checker_blind, "HARNESS: checker missed a corruption" },
	{ "canary.free_blind", "fuzz_pages",
	  MACHINE_1N_V4 "p0 = alloc_pages GFP_KERNEL order=2\ncorrupt free_tail index=0\n",
	  arm_free_blind, "HARNESS: free-time check missed a corruption" },
	{ "canary.free_wrong_page", "fuzz_pages",
	  MACHINE_1N_V4 "p0 = alloc_pages GFP_KERNEL order=2\ncorrupt free_tail index=2\n",
	  arm_free_names_head, "HARNESS: free-time check named another fault" },
	{ "canary.digest_blind", "fuzz_pages",
	  MACHINE_1N_V4 "corrupt watermark index=1\n", arm_digest_no_zones,
	  "HARNESS: digest blind to a corruption" },
	{ "canary.wrong_invariant", "fuzz_pages",
	  MACHINE_1N_V4 "corrupt watermark index=2\n", arm_checker_wrong_id,
	  "HARNESS: checker named another invariant" },
	/* Holes inside a node's span belong to it (0x80-0x100 to node 0), a hole
	 * between two nodes' spans to its section's lowest memory (0x200-0x280
	 * to node 1). */
	{ "boot.memmap_topology_clean", "fuzz_boot", MACHINE_HOLES "boot running\n", NULL, NULL },
	{ "boot.memmap_hole_node", "fuzz_boot", MACHINE_HOLES "boot running\n",
	  arm_boot_hole_node1, "HARNESS: struct page differs from the topology" },
	{ "boot.enomem", "fuzz_boot", MACHINE_1N "boot running\n", arm_boot_enomem,
	  "HARNESS: boot failed with memory available" },
	{ "boot.cpus_online", "fuzz_boot", MACHINE_1N "boot running\n", arm_boot_cpu1_offline,
	  "HARNESS: cpu online state differs from the boot stage" },
	/* 32 pages: not enough by the rule, a failure is no finding. */
	{ "boot.enomem_tiny", "fuzz_boot", MACHINE_TINY "boot running\n", arm_boot_enomem, NULL },
	/* Fault injection on during boot excuses the failure. */
	{ "boot.enomem_faults", "fuzz_boot",
	  MACHINE_1N "fail_page_alloc nth=200 ppm=0 persistent=0 ignore_reclaim=0 min_order=0\n"
		     "boot running\n",
	  arm_boot_enomem, NULL },
	/* The zone counters say empty, the memmap says free: a finding. */
	{ "page.slowpath_entered", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL|__GFP_DMA order=0\n",
	  arm_dma_free_five,
	  "HARNESS: page allocation took the slow path with memory for the fast path" },
	{ "page.slowpath_skipped", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL|__GFP_DMA order=6\n"
		     "p1 = alloc_pages GFP_KERNEL|__GFP_DMA order=5\n"
		     "p2 = alloc_pages GFP_KERNEL|__GFP_DMA order=4\n"
		     "p3 = alloc_pages GFP_KERNEL|__GFP_DMA order=3\n"
		     "p4 = alloc_pages GFP_KERNEL|__GFP_DMA order=2\n",
	  arm_dma_free_more, "HARNESS: page allocation skipped the slow path" },
	{ "page.fail_free_memory", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL order=2\n",
	  arm_zero_free_counters, "HARNESS: page allocation failed with free memory" },
	{ "page.fail_faults", "fuzz_pages",
	  MACHINE_1N "fail_page_alloc nth=200 ppm=0 persistent=0 ignore_reclaim=0 min_order=0\n"
		     "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL order=2\n",
	  arm_zero_free_counters, "!HARNESS: page allocation failed with free memory" },
	{ "page.nofail_impossible_free_block", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL|__GFP_NOFAIL order=1\n",
	  arm_zero_free_counters, "HARNESS: __GFP_NOFAIL allocation impossible with a free block" },
	{ "page.impossible_without_nofail", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n",
	  arm_null_with_impossible, "HARNESS: __GFP_NOFAIL impossible WARN without __GFP_NOFAIL" },
	{ "run.left_state_behind", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n",
	  arm_keep_a_lock, "HARNESS: input left state behind" },
	{ "run.leak_at_destroy", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n",
	  arm_leak_a_structure, "HARNESS: host structures leaked at machine destroy" },
	{ "page.report_node", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL|__GFP_NOFAIL order=0\n",
	  arm_impossible_no_node, "HARNESS: report context differs from the shadow" },
	{ "page.report_field_range", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL|__GFP_NOFAIL order=0\n",
	  arm_impossible_bad_zone, "HARNESS: report field out of range" },
	{ "page.pattern_whole_block", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=2\ncheck\n",
	  arm_scribble, "HARNESS: page contents changed while allocated" },
	{ "page.zero_whole_block", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL|__GFP_ZERO order=5\n",
	  arm_dirty_zeroed, "HARNESS: __GFP_ZERO page not zeroed" },
	{ "page.struct_pages_head", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL|__GFP_COMP order=2\nfree p0\n"
		     "p1 = alloc_pages GFP_KERNEL order=1\n",
	  arm_head_always, "HARNESS: new page block's struct pages differ from the request" },
	{ "page.struct_pages_clean", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL|__GFP_COMP order=3\n"
		     "p1 = alloc_pages_exact GFP_KERNEL size=12000\n"
		     "p2 = get_free_pages GFP_KERNEL|__GFP_COMP order=1\n"
		     "p3 = alloc_pages_node node0 GFP_KERNEL order=2\nfree p0\nfree p1\n",
	  NULL, NULL },
	{ "page.thisnode", "fuzz_pages",
	  MACHINE_2N "p0 = alloc_pages_node node0 GFP_KERNEL|__GFP_THISNODE order=0\n",
	  arm_from_node1, "HARNESS: __GFP_THISNODE page from another node" },
	{ "page.preferred_node", "fuzz_pages",
	  MACHINE_2N "p0 = alloc_pages_node node0 GFP_KERNEL order=0\n",
	  arm_from_node1,
	  "HARNESS: page from another node while the preferred node has free memory" },
	/* GFP_ATOMIC empties the DMA zone down to its reserve (min 4, halved
	 * for __GFP_HIGH): the order-0 asks past it must fail. */
	{ "page.below_min_watermark", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_ATOMIC|__GFP_DMA order=6\n"
		     "p1 = alloc_pages GFP_ATOMIC|__GFP_DMA order=5\n"
		     "p2 = alloc_pages GFP_ATOMIC|__GFP_DMA order=4\n"
		     "p3 = alloc_pages GFP_ATOMIC|__GFP_DMA order=3\n"
		     "p4 = alloc_pages GFP_ATOMIC|__GFP_DMA order=2\n"
		     "p5 = alloc_pages GFP_ATOMIC|__GFP_DMA order=0\n"
		     "p6 = alloc_pages GFP_ATOMIC|__GFP_DMA order=0\n"
		     "p7 = alloc_pages GFP_ATOMIC|__GFP_DMA order=0\n",
	  arm_memalloc_when_null, "HARNESS: page allocation below the min watermark" },
	/* The sixth ask leaves 4 free DMA pages: below low (5), but GFP_ATOMIC
	 * may go down to 2. Refused, it is a finding the low bound missed. */
	{ "page.fail_min_reserve", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_ATOMIC|__GFP_DMA order=6\n"
		     "p1 = alloc_pages GFP_ATOMIC|__GFP_DMA order=5\n"
		     "p2 = alloc_pages GFP_ATOMIC|__GFP_DMA order=4\n"
		     "p3 = alloc_pages GFP_ATOMIC|__GFP_DMA order=3\n"
		     "p4 = alloc_pages GFP_ATOMIC|__GFP_DMA order=2\n"
		     "p5 = alloc_pages GFP_ATOMIC|__GFP_DMA order=0\n",
	  arm_null_sixth, "HARNESS: page allocation failed with free memory" },
	/* The sixth free takes cpu0's list to high (6): one page goes back. */
	{ "page.pcp_drain_batch", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL|__GFP_DMA order=0\n"
		     "p1 = alloc_pages GFP_KERNEL|__GFP_DMA order=0\n"
		     "p2 = alloc_pages GFP_KERNEL|__GFP_DMA order=0\n"
		     "p3 = alloc_pages GFP_KERNEL|__GFP_DMA order=0\n"
		     "p4 = alloc_pages GFP_KERNEL|__GFP_DMA order=0\n"
		     "p5 = alloc_pages GFP_KERNEL|__GFP_DMA order=0\n"
		     "free p0\nfree p1\nfree p2\nfree p3\nfree p4\nfree p5\n",
	  arm_big_batch, "HARNESS: per-cpu list drain differs from a batch" },
	{ "page.alignment_info", "fuzz_pages", MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ncheck\n",
	  arm_extra_alignment_info, "HARNESS: zone alignment INFO differs from the topology" },
	/* The second allocation fails, and only it. */
	{ "fault.counts", "fuzz_pages",
	  MACHINE_1N "fail_page_alloc nth=2 ppm=0 persistent=0 ignore_reclaim=0 min_order=0\n"
		     "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL order=0\n"
		     "p2 = alloc_pages GFP_KERNEL order=0\ncheck\n",
	  arm_count_extra_failure, "HARNESS: fault injection counts differ from its settings" },
	/* About one allocation in eight fails by the draws of the op's seed: the
	 * harness's replay of the documented draw gives the count. */
	{ "fault.draws", "fuzz_pages",
	  MACHINE_1N "fail_page_alloc nth=0 ppm=128000 persistent=0 ignore_reclaim=0 min_order=0\n"
		     "p0 = alloc_pages GFP_KERNEL|__GFP_NOWARN order=0\n"
		     "p1 = alloc_pages GFP_KERNEL|__GFP_NOWARN order=0\n"
		     "p2 = alloc_pages GFP_KERNEL|__GFP_NOWARN order=0\n"
		     "p3 = alloc_pages GFP_KERNEL|__GFP_NOWARN order=0\n"
		     "p4 = alloc_pages GFP_KERNEL|__GFP_NOWARN order=0\n"
		     "p5 = alloc_pages GFP_KERNEL|__GFP_NOWARN order=0\n"
		     "p6 = alloc_pages GFP_KERNEL|__GFP_NOWARN order=0\n"
		     "p7 = alloc_pages GFP_KERNEL|__GFP_NOWARN order=0\ncheck\n",
	  arm_skew_fault_draws, "HARNESS: fault injection counts differ from its settings" },
	/* The timer of cpu0 is due at op 2's first sched point. */
	{ "timer.fires", "fuzz_gfp",
	  MACHINE_1N "boot running\ntimer_set_pending cpu0\np0 = alloc_pages GFP_KERNEL order=0\n",
	  arm_drop_pending_timer, "HARNESS: pending timer did not fire" },
	/* The first memblock allocation of sparse init fails. */
	{ "sparse.failed_init_memblock", "fuzz_sparse",
	  MACHINE_1N "pfn_walk start=0 count=4\n"
		     "fail_page_alloc nth=1 ppm=0 persistent=0 ignore_reclaim=0 min_order=0\n"
		     "boot sparse\n",
	  arm_reserve_behind_back, "HARNESS: failed sparse init kept boot memory" },
	/* Never set: nothing may be counted. */
	{ "fault.counts_off", "fuzz_pages", MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ncheck\n",
	  arm_count_extra_failure, "HARNESS: fault injection counts differ from its settings" },
	/* failslab limited to cache0: its allocation is counted (and fails),
	 * a kmalloc's is not. The core's filter of another name skips the
	 * cache0 call; none at all counts the kmalloc. */
	{ "fault.filter", "fuzz_slab", FAILSLAB_FILTER_PROGRAM, NULL, NULL },
	{ "fault.filter_skipped", "fuzz_slab", FAILSLAB_FILTER_PROGRAM, arm_filter_other_name,
	  "HARNESS: fault injection counts differ from its settings" },
	{ "fault.filter_other", "fuzz_slab", FAILSLAB_FILTER_PROGRAM, arm_filter_cleared,
	  "HARNESS: fault injection counts differ from its settings" },
	{ "accounting.leak", "fuzz_pages", MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n",
	  arm_leak0, "HARNESS: page accounting differs from the post-boot state" },
	/* An object live at the last boot stage: the baseline is not exact,
	 * the end still must not hold more pages than after boot. */
	{ "accounting.leak_object_live_at_boot", "fuzz_boot",
	  MACHINE_1N "boot slab_up\no0 = kmalloc size=64 GFP_KERNEL any\nboot running\n",
	  arm_leak2, "HARNESS: page accounting differs from the post-boot state" },
	{ "shadow.overlap", NULL, NULL, NULL, "HARNESS: live allocations overlap" },
	/* The provoked WARN of op 1 names a cpu the harness did not make current. */
	{ "report.cpu", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL|__GFP_DMA|__GFP_DMA32 order=0\n",
	  arm_move_current_cpu, "HARNESS: report context differs from the shadow" },
	/* GFP_KERNEL with interrupts off: might_sleep() must report. */
	{ "page.atomic_blocking", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\nlocal_irq_disable\n"
		     "p1 = alloc_pages GFP_KERNEL order=0\n",
	  arm_mute_reports, "HARNESS: blocking allocation from atomic context not reported" },
	/* The same with interrupts off: the body names the context (irqs off, not
	 * atomic, not in an interrupt); said atomic, it differs. */
	{ "page.atomic_blocking_body", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\nlocal_irq_disable\n"
		     "p1 = alloc_pages GFP_KERNEL order=0\n",
	  arm_say_atomic, "HARNESS: report body differs from the shadow" },
	/* The zone-modifier WARN names the gfp it refused (both zone flags). */
	{ "report.gfp_names", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL|__GFP_DMA|__GFP_DMA32 order=0\n",
	  arm_lose_dma32, "HARNESS: report names another gfp" },
	{ "report.gfp_names_clean", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL|__GFP_DMA|__GFP_DMA32 order=0\n",
	  NULL, NULL },
	{ "page.atomic_blocking_clean", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\nlocal_irq_disable\n"
		     "p1 = alloc_pages GFP_KERNEL order=0\n",
	  NULL, NULL },
	{ "dump.buddyinfo", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ndump buddyinfo\n",
	  arm_miscount_free_area, "HARNESS: buddyinfo differs from the memmap" },
	{ "dump.buddyinfo_orders", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ndump buddyinfo\n",
	  arm_split_free_area, "HARNESS: buddyinfo differs from the memmap" },
	{ "dump.zoneinfo", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ndump zoneinfo\n",
	  arm_widen_zone, "HARNESS: zoneinfo differs from the memmap" },
	{ "dump.zoneinfo_watermark", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ndump zoneinfo\n",
	  arm_raise_min, "HARNESS: zoneinfo differs from the memmap" },
	{ "dump.length", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ndump buddyinfo\n",
	  arm_dump_len_zero, "HARNESS: dump length differs from its text" },
	{ "page.exact_beyond_limit", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages_exact GFP_KERNEL size=5000\n", arm_exact_beyond_granted,
	  "HARNESS: page allocation past the largest order succeeded" },
	{ "dump.short_length", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ndump zoneinfo\n",
	  arm_short_len_written, "HARNESS: dump into a short buffer differs from the whole text" },
	{ "dump.short_memory_map", "fuzz_sparse", MACHINE_1N "boot sparse\ndump memory_map\n",
	  arm_short_len_written, "HARNESS: dump into a short buffer differs from the whole text" },
	{ "dump.short_attr_show", "fuzz_slab",
	  MACHINE_1N "c0 = kmem_cache_create cache0 size=64 align=0 flags=0\ndump slabinfo\n",
	  arm_short_attr_unterminated,
	  "HARNESS: dump into a short buffer differs from the whole text" },
	{ "dump.short_write_past_end", "fuzz_slab",
	  MACHINE_1N "c0 = kmem_cache_create cache0 size=64 align=0 flags=0\ndump slabinfo\n",
	  arm_short_attr_past_end, ASAN_REPORT "use-after-poison" },
	{ "dump.short_dir_name", "fuzz_slab",
	  MACHINE_1N "c0 = kmem_cache_create cache0 size=64 align=0 flags=0\ndump slabinfo\n",
	  arm_short_dir_name_other,
	  "HARNESS: dump into a short buffer differs from the whole text" },
	{ "dump.memory_map", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ndump memory_map\n",
	  arm_grow_node, "HARNESS: memory map differs from the topology" },
	{ "report.log", "fuzz_pages", MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ncheck\n",
	  arm_clear_report_log, "HARNESS: report log differs from the reports delivered" },
	/* Op 1 passes sched points the hook no longer sees. */
	{ "sched.hook_calls", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL order=3\nfree p1\ncheck\n",
	  arm_drop_sched_hook, "HARNESS: sched point passed without the hook" },
	/* The free of p1 drains the per-cpu list (batch 1 on this zone). */
	{ "page.pcp_drain_point", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL order=3\nfree p1\n",
	  arm_hide_pcp_drain_point, "HARNESS: per-cpu list drain without its sched point" },
	/* Op 1's sched points run on cpu1, the harness made cpu0 current. */
	{ "sched.cpu", "fuzz_pages",
	  MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\n"
		     "p1 = alloc_pages GFP_KERNEL order=3\nfree p1\n",
	  arm_move_current_cpu, "HARNESS: sched point on another cpu" },
	{ "page.counters", "fuzz_pages", MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ncheck\n",
	  arm_miscount_allocated, "HARNESS: page counters differ from the memmap" },
	/* Small MAX_ORDER blocks: 64 memmap chunks, the top one untouched. */
	{ "memmap.unmarked", "fuzz_pages",
	  "slabfuzz-program 2\nmachine nodes=1 cpus=2 boot=cpu0 max_order=4 section_shift=9 "
	  "vmemmap_block=1 memmap_together=0 debug=1 slab_debug=none\ncpu_nodes node0 node0\n"
	  "range node0 0-0x200\nzones dma=0x80 dma32=0x100 movable=none\n"
	  "p0 = alloc_pages GFP_KERNEL order=0\ncheck\ncheck\n",
	  arm_unmarked_state, "HARNESS: memmap changed without a change mark" },
	{ "machine.topology", "fuzz_pages", MACHINE_1N "p0 = alloc_pages GFP_KERNEL order=0\ncheck\n",
	  arm_change_topology, "HARNESS: machine_topology differs from the topology given" },
	/* Refused frees whose report never comes. */
	{ "misuse.tail_page", "fuzz_pages",
	  MACHINE_1N_V3 "p0 = alloc_pages GFP_KERNEL order=2\nfree_tail_page p0\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "misuse.reserved_page", "fuzz_pages",
	  MACHINE_1N_V3 "p0 = alloc_pages GFP_KERNEL order=0\nfree_reserved_page from=0\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "misuse.foreign", "fuzz_pages",
	  MACHINE_1N_V3 "p0 = alloc_pages GFP_KERNEL order=0\nfree_foreign struct_page\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	/* A new cache under a merged cache's name, its sysfs WARN unheard. */
	{ "slab.duplicate_name", "fuzz_slab",
	  MACHINE_1N_V3 "c0 = kmem_cache_create dup size=64 align=0 flags=0\n"
		      "c1 = kmem_cache_create dup size=100 align=0 flags=0x4\n",
	  arm_mute_reports, "HARNESS: duplicate sysfs name not reported" },
	{ "slab.sysfs_before_up", "fuzz_boot", MACHINE_1N "boot slab_partial\ncheck\n",
	  arm_early_sysfs, "HARNESS: slab sysfs directory differs from the shadow" },
	{ "misuse.kfree_page", "fuzz_slab",
	  MACHINE_1N_V3 "p0 = alloc_pages GFP_KERNEL order=0\nkfree_page p0\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "misuse.wrong_cache", "fuzz_slab",
	  MACHINE_1N_V3 "c0 = kmem_cache_create cache0 size=100 align=0 flags=4\n"
			"c1 = kmem_cache_create cache1 size=200 align=0 flags=4\n"
			"o0 = kmem_cache_alloc c0 GFP_KERNEL any\n"
			"kmem_cache_free_wrong c1 o0\nkmem_cache_free o0\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "misuse.interior", "fuzz_slab",
	  MACHINE_1N_V3 "c0 = kmem_cache_create cache0 size=100 align=0 flags=4\n"
			"o0 = kmem_cache_alloc c0 GFP_KERNEL any\n"
			"kmem_cache_free_interior o0 inside\nkmem_cache_free o0\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "misuse.slab_page", "fuzz_slab",
	  MACHINE_1N_V3 "o0 = kmalloc size=100 GFP_KERNEL any\nfree_slab_page o0\nkfree o0\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "misuse.destroy_again", "fuzz_slab",
	  MACHINE_1N_V3 "c0 = kmem_cache_create cache0 size=64 align=0 flags=0\n"
			"kmem_cache_destroy c0\nkmem_cache_destroy_again c0\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "misuse.memblock_align", "fuzz_sparse",
	  MACHINE_1N_V3 "m0 = memblock_alloc any size=64\nmemblock_alloc_invalid align size=64\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "misuse.memblock_double_free", "fuzz_sparse",
	  MACHINE_1N_V3 "m0 = memblock_alloc any size=64\nmemblock_double_free m0\n",
	  arm_mute_reports, "HARNESS: misuse not reported" },
	{ "topology.accepted", "fuzz_boot", MACHINE_1N_V3 "machine_create_invalid boot_cpu\n",
	  arm_create_anything, "HARNESS: invalid topology accepted" },
	{ "topology.other_field", "fuzz_boot", MACHINE_1N_V3 "machine_create_invalid max_order\n",
	  arm_create_wrong_field, "HARNESS: invalid topology refused for another field" },
	{ "topology.bound", "fuzz_boot", MACHINE_1N_V3 "machine_create_invalid section_shift\n",
	  arm_create_wrong_bound, "HARNESS: invalid topology refused without its bound" },
	{ "topology.bound_refused", "fuzz_boot",
	  MACHINE_1N_V3 "machine_create_invalid max_order\nmachine_create_invalid vmemmap_block\n",
	  arm_validate_vmemmap_32, "HARNESS: topology at its bound refused" },
	{ "topology.bounds_clean", "fuzz_boot",
	  MACHINE_1N_V3 "machine_create_invalid no_nodes\nmachine_create_invalid too_many_nodes\n"
			"machine_create_invalid no_cpus\nmachine_create_invalid max_order\n"
			"machine_create_invalid section_shift\n"
			"machine_create_invalid vmemmap_block\n",
	  NULL, NULL },
	{ "topology.bound_range", "fuzz_boot",
	  MACHINE_1N_V3 "machine_create_invalid range_past_max_pfn\n", arm_create_bare_refusal,
	  "HARNESS: invalid topology refused without its bound" },
	/* Really impossible (no ZONE_DMA on node1 and THISNODE): no finding. */
	{ "page.nofail_really_impossible", "fuzz_pages",
	  "slabfuzz-program 2\n"
	  "machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "
	  "memmap_together=0 debug=1 slab_debug=none\n"
	  "cpu_nodes node0 node1\n"
	  "distance node0 node1 20\n"
	  "range node0 0-0x200\n"
	  "range node1 0x200-0x400\n"
	  "zones dma=0x100 dma32=0x200 movable=none\n"
	  "p0 = alloc_pages_node node1 GFP_KERNEL|__GFP_NOFAIL|__GFP_DMA|__GFP_THISNODE order=0\n",
	  NULL, NULL },
};
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static struct sf_program prog;
static char out[1 << 16];

struct child_arg {
	const struct oracle_case *c;
	bool hooked;
};

static void child_case(void *arg)
{
	const struct child_arg *a = arg;
	const struct oracle_case *c = a->c;
	struct sf_run_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	if (!c->program) {
		if (a->hooked)
			shadow_overlap();
		return;
	}
	if (a->hooked && c->arm)
		c->arm(&o);
	if (sf_prog_parse(c->program, &prog, err, sizeof(err))) {
		fprintf(stderr, "test_oracles: %s: %s\n", c->name, err);
		_exit(3);
	}
	sf_run_program(sf_target_find(c->target), &prog, &o);
}

/* Run one case in a child; returns its stderr in out and the wait status. */
static int run_child(const struct oracle_case *c, bool hooked)
{
	struct child_arg a = { c, hooked };
	int status = test_child_run(child_case, &a, false, out, sizeof(out));

	if (status < 0)
		exit(2);
	return status;
}

static bool has_title(const char *title)
{
	char line[512];

	snprintf(line, sizeof(line), "slabfuzz: %s\n", title);
	return !strncmp(out, line, strlen(line)) || strstr(out, line) != NULL;
}

/* Oracles of the sanitizer state: they run in ASan builds only. */
static bool asan_only(const struct oracle_case *c)
{
	static const char *const names[] = { "canary.arena_header_unpoisoned",
					     "dump.short_write_past_end" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(c->name, names[i]))
			return true;
	return false;
}

static bool run_case(const struct oracle_case *c, bool verbose)
{
	int st;

	if (asan_only(c) && !kasan_shadow_size(SF_PAGE_SIZE)) {
		printf("skip %s: no ASan shadow in this build\n", c->name);
		return true;
	}
	st = run_child(c, false);

	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("FAIL %s: not clean without the hook\n%s", c->name, out);
		return false;
	}
	st = run_child(c, true);
	if (verbose)
		printf("%s", out);
	if (c->title && c->title[0] == '!') {
		if (!has_title(c->title + 1)) {
			printf("ok   %s: not '%s'\n", c->name, c->title + 1);
			return true;
		}
		printf("FAIL %s: reported '%s'\n%s", c->name, c->title + 1, out);
		return false;
	}
	if (c->title && !strncmp(c->title, ASAN_REPORT, strlen(ASAN_REPORT))) {
		char want[128];

		snprintf(want, sizeof(want), "ERROR: AddressSanitizer: %s",
			 c->title + strlen(ASAN_REPORT));
		if (!(WIFEXITED(st) && !WEXITSTATUS(st)) && strstr(out, want)) {
			printf("ok   %s: %s\n", c->name, want);
			return true;
		}
		printf("FAIL %s: expected '%s'\n%s", c->name, want, out);
		return false;
	}
	if (!c->title) {
		if (WIFEXITED(st) && !WEXITSTATUS(st)) {
			printf("ok   %s: clean (no finding expected)\n", c->name);
			return true;
		}
		printf("FAIL %s: expected a clean run\n%s", c->name, out);
		return false;
	}
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && has_title(c->title)) {
		printf("ok   %s: %s\n", c->name, c->title);
		return true;
	}
	printf("FAIL %s: expected '%s'\n%s", c->name, c->title, out);
	return false;
}

int main(int argc, char **argv)
{
	unsigned int failed = 0, ran = 0;

	for (unsigned int i = 0; i < NR_CASES; i++) {
		if (argc > 1 && strcmp(argv[1], cases[i].name))
			continue;
		ran++;
		failed += !run_case(&cases[i], argc > 1);
	}
	if (!ran) {
		fprintf(stderr, "test_oracles: no case named %s\n", argc > 1 ? argv[1] : "?");
		return 2;
	}
	printf("%u/%u cases passed\n", ran - failed, ran);
	return failed ? 1 : 0;
}
