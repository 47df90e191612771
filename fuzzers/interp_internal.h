/* SPDX-License-Identifier: MIT */
/*
 * Interpreter state shared by interp.c (the core: machine, contexts,
 * boot, accounting), interp_page.c (pages, memblock, pfn walks) and
 * interp_slab.c (caches and objects). File-local to fuzzers/.
 */
#ifndef SLABFUZZ_FUZZ_INTERP_INTERNAL_H
#define SLABFUZZ_FUZZ_INTERP_INTERNAL_H

#include "interp.h"
#include "slab_geom.h"

/*
 * Every function of a file from here to SF_NO_COVERAGE_END out of the
 * fuzzers' coverage feedback (core/sanitizer.h has the same for core/): the
 * snapshot oracle's plumbing, which runs or not depending on the inputs
 * before (a cached configuration, every Nth run).
 */
#if defined(__clang__) && __clang_major__ >= 13
#define SF_NO_COVERAGE_BEGIN \
	_Pragma("clang attribute push (__attribute__((no_sanitize(\"coverage\"))), apply_to = function)")
#define SF_NO_COVERAGE_END _Pragma("clang attribute pop")
#define SF_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define SF_NO_COVERAGE
#define SF_NO_COVERAGE_BEGIN
#define SF_NO_COVERAGE_END
#endif

#define RUN_MAX_EXPECT 6
#define RUN_MAX_TITLES 16
#define RUN_MAX_PFN 8192	/* > the largest pfn a program can describe */

enum page_h_kind { PH_PAGES, PH_ADDR, PH_EXACT };

struct page_h {
	bool live;
	uint8_t kind;		/* enum page_h_kind */
	unsigned int order;	/* PH_PAGES, PH_ADDR */
	struct page *page;
	void *addr;
	size_t size;		/* PH_EXACT: bytes asked */
	pfn_t pfn;
	unsigned long nr;	/* pages owned */
};

struct mb_h {
	bool live;
	uint8_t *ptr;
	size_t size;
};

struct cache_h {
	bool live;
	void *cache;		/* struct kmem_cache * */
	size_t size;		/* object size asked */
	unsigned int align;
	unsigned int flags;
	unsigned int name;	/* index into the program's cache names */
	bool ctor;
	int kmalloc;		/* merged into the kmalloc cache of this class, 0: none */
	struct slab_geom geom;	/* the harness's layout of the core cache */
	int owner;		/* handle that made the core cache, -1: a kmalloc cache */
	bool alias;		/* merged with an attribute alias registered */
	bool gone;		/* the core cache was destroyed */
	bool tuned;		/* tunables set by the program (else defaults) */
	bool tuned_early;	/* ... before STAGE_SLAB_UP, which resets them */
	unsigned int tuned_at;	/* the op of that tune + 1 (0: never) */
	/* A tune lowered the batch from relax_batch (0: none): SLAB's tune
	 * frees the old queues under the old free limit, the next free_block
	 * trims to the new one; until a free finds the nodes within the new
	 * limit, the old one holds. */
	unsigned int relax_batch;
	unsigned int limit, batch, shared;
	/* The checker's clean checks (full and incremental) when the program
	 * made this core cache (owner == the handle): none since means the
	 * next incremental check must read it. */
	unsigned long made_at_check;
};

struct obj_h {
	bool live;
	uint8_t *ptr;
	size_t size;		/* bytes asked (pattern covers them) */
	int cache;		/* cache handle, -1 for kmalloc */
	uint8_t seed;		/* pattern seed */
	size_t ks;		/* ksize: the pattern covers [0, ks) */
	unsigned int kclass;	/* kmalloc: class size, 0 for a large kmalloc */
	bool dma;		/* kmalloc: from the DMA caches */
	/* SLAB_STORE_USER: the alloc track as read at allocation. */
	const char *track_op;	/* the core's name of the API the harness called */
	uint64_t track_seq;
	int track_cpu;
	int track_stage;
};

/*
 * An object report the slab module provokes (interp_slab_debug.c): about
 * the object of handle obj (the pointer passed is ptr), reported on the
 * cache of handle cache (-1: the cache the object is in), with the core
 * operation op and the message line msg.
 */
struct slab_report_want {
	bool on;
	int obj;
	int cache;
	const void *ptr;
	const char *op;
	char msg[96];
};

#define RUN_MAX_IRQ_SAVE 4

struct cpu_shadow {
	bool irqs_on;
	int irq_depth;
	int preempt;
	/* local_irq_save: what it returned (given back to restore), the
	 * state the shadow saved, innermost last, and the interrupt depth of
	 * each save (restored only at the same depth). */
	unsigned int nr_saved;
	bool flags[RUN_MAX_IRQ_SAVE];
	bool saved[RUN_MAX_IRQ_SAVE];
	int saved_depth[RUN_MAX_IRQ_SAVE];
	/* timer_set_pending by the program, not yet seen to fire: the
	 * cpu's timer_fired count when it was set. */
	bool timer_set;
	unsigned long timer_fired_at_set;
};

struct injected {
	bool armed;
	enum sched_point sp;
	uint8_t code;		/* OP_IRQ_AT, OP_IRQ_FREE_AT, OP_KMALLOC_IRQ_AT */
	const struct sf_op *op;
};

/* The harness's count of the memmap's page states (interp_memmap.c). */
#define NR_SF_PAGE_STATES (SF_PAGE_ALLOCATED + 1)
#define RUN_MAX_SEGMENTS 512	/* > chunks + 4 per range: ranges, zones, chunks cut */

struct memmap_segment {
	pfn_t lo, hi;		/* pfns of one node, zone and memmap chunk */
	int8_t node, zone;
	unsigned long seen;	/* the chunk's change count when read */
	uint32_t count[NR_SF_PAGE_STATES];	/* pages in each enum sf_page_state */
};

struct memmap_view {
	bool valid;
	unsigned int chunk_shift;
	unsigned int nr;
	struct memmap_segment seg[RUN_MAX_SEGMENTS];
};

/*
 * The context the harness predicts for an expected report: the nodes it
 * may name (a bit per node, bit nr_nodes for the invalid node a misuse
 * names; 0 when not predicted) and its zone (when zone_set, -1 for none).
 */
struct run_where {
	uint32_t nodes;
	bool zone_set;
	int zone;
	int pfn;		/* RUN_PFN_*: what the report says of pfn and node */
};

enum {
	RUN_PFN_ANY,		/* not predicted */
	RUN_PFN_NODE,		/* a pfn of memory, and the node the topology gives it */
	RUN_PFN_NONE,		/* pfn -1 and node -1: the report is about no memory */
};

struct run {
	const struct sf_target *t;
	const struct sf_program *p;
	const struct sf_run_opts *o;
	struct machine *m;
	struct sf_topology topo;
	unsigned int op_index;		/* op running, nr_ops for the epilogue */
	const char *phase;		/* "prologue", "op", "epilogue", "teardown" */

	/* Reports the harness provokes on purpose during the current call. */
	const char *expect[RUN_MAX_EXPECT];
	unsigned int nr_expect;
	unsigned long expect_seen[RUN_MAX_EXPECT];
	/* Where the harness predicts each expected report (run_expect_at). */
	struct run_where expect_where[RUN_MAX_EXPECT];
	/* replay mode: the first unexpected report, shown after the op */
	bool deferred;
	struct sf_report deferred_report;
	/* The first expected report since nr_caught was last reset (the
	 * checker canary reads its body). */
	unsigned long nr_caught;
	struct sf_report caught;

	struct cpu_shadow cpu[SF_PROG_MAX_CPUS];
	int cur_cpu;			/* the cpu the harness last made current */
	unsigned long sched_base;	/* sched points passed before the hook was set */
	unsigned long sched_seen[NR_SCHED_POINTS];	/* calls of the harness's sched hook */
	unsigned long slab_reclaim_seen;	/* sched_seen[SP_ALLOC_PAGES_RECLAIM] before a slab alloc */
	bool slab_alloc_armed;		/* an injected interrupt was armed over it */
	/* Reports delivered to the harness, counted by itself: the first
	 * RUN_MAX_TITLES titles, every kind. */
	struct run_title {
		char title[SF_REPORT_TITLE_MAX];
		unsigned long n;
	} titles[RUN_MAX_TITLES];
	unsigned int nr_titles;
	unsigned long reports_by_kind[3];
	bool in_hook;
	struct injected inj;
	/* The slab debug shadow (interp_slab_debug.c): the highest track
	 * sequence number read, the tracked allocs and frees the harness
	 * made (exact while no slab_debug= tracks the machine's own caches
	 * and no interrupt came into a krealloc between its two events), the
	 * object report provoked. */
	uint64_t track_seq;
	uint64_t track_events;
	bool track_inexact;
	struct slab_report_want objrep;

	struct page_h pages[SF_PROG_MAX_OPS];
	struct mb_h mbs[SF_PROG_MAX_OPS];
	struct cache_h caches[SF_PROG_MAX_OPS];
	struct obj_h objs[SF_PROG_MAX_OPS];
	uint64_t owned[RUN_MAX_PFN / 64];	/* pfns in live page handles */
	long live_pages;
	long base_alloc;		/* nr_allocated_pages without ours, after boot */
	long base_free;
	bool have_base;
	bool base_exact;		/* no program object or cache live at the baseline */
	bool slab_used;			/* slab ops ran since the baseline */

	/* Fault injection as the program set it (the harness's own record). */
	bool fail_page_on;
	bool failslab_on;
	struct fault_attr fail_page_attr, failslab_attr;	/* as set while on */
	/* The documented draw replayed by the harness: its xorshift state and
	 * the counted calls and failures it has decided so far. */
	struct fault_shadow {
		uint64_t rng;
		unsigned long calls, failures;
	} fail_page_shadow, failslab_shadow;
	/* The slab calls announced (run_failslab_call) since the outermost
	 * one started (in process context or in an injected interrupt,
	 * failslab_win.hook): failslab's count then, and the announced calls
	 * its settings make eligible. failslab_may: per context (process,
	 * interrupt), failslab may fail the call announced last there. */
	struct {
		bool open, hook;
		unsigned long core_from, eligible;
	} failslab_win;
	bool failslab_may[2];
	bool boot_excused;		/* a boot failed with faults on, or memory short */

	struct memmap_view memmap;	/* interp_memmap.c */
	bool memmap_topo_checked;	/* memmap_topology_check ran this run */
	unsigned int checks_since_full;	/* check points since the last full check */

	/* The ownership shadow, sorted by start (interp_shadow.c). */
	struct shadow_span {
		uintptr_t start, end;
		uint8_t kind;		/* enum shadow_kind */
		int handle;
	} shadow[4 * SF_PROG_MAX_OPS];
	unsigned int nr_shadow;

	/* Snapshots (interp_snapshot.c), set by sf_run_program for each run. */
	struct snap_entry *snap;	/* the cache entry of this run's machine, NULL: none */
	bool from_snapshot;		/* the machine was restored, not booted */
};

/*
 * Snapshots of the booted machine (interp_snapshot.c). run_snapshot_start
 * restores the machine and the harness's post-prologue state when the cache
 * has the run's boot configuration (true), run_snapshot_keep takes one after
 * a prologue that booted. run_snapshot_digest before teardown and
 * run_snapshot_end after it: the reset-equivalence check every
 * o->snapshot_check_every runs (the same program again, by the other path
 * when the run has a snapshot, from a fresh boot when not; end digests
 * compared); run_snapshot_end is true when the machine belongs to
 * the cache (not destroyed). run_snapshot_failed before a failure
 * is printed: the same program by the other path must fail with the same
 * title.
 */
bool run_snapshot_start(struct run *r);
void run_snapshot_keep(struct run *r);
void run_snapshot_digest(struct run *r);	/* the end state, before teardown */
bool run_snapshot_end(struct run *r);
void run_snapshot_failed(struct run *r, const char *title);

_Noreturn void run_fail(struct run *r, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void run_expect(struct run *r, const char *title);
/* Expect title (or refine its expectation) at the nodes and zone given. */
void run_expect_at(struct run *r, const char *title, uint32_t nodes, int zone);
void run_expect_pfn(struct run *r, const char *title, int rule);
void run_expect_clear(struct run *r);
/* machine_destroy(m), then nothing process-wide may refer to it. */
void run_destroy(struct run *r, struct machine *m);
unsigned long run_seen(const struct run *r, const char *title);
struct cpu_shadow *run_cpu(struct run *r);
/* Make cpu current (cpu_switch) and record it: the harness's own idea of the
 * current cpu, which reports must name. */
void run_cpu_switch(struct run *r, int cpu);
/* The topology's node of pfn (-1 in a hole) and its zone (by the boundaries). */
int run_pfn_node(const struct run *r, pfn_t pfn);
/* The first pfn past the topology's memory. */
pfn_t run_end_pfn(const struct run *r);
/* Node nid's span by the topology: its lowest range start to its highest
 * range end (SF_MAX_PFN and 0 for a node without memory). */
void run_node_span(const struct sf_topology *t, int nid, pfn_t *start, pfn_t *end);
/* nid has memory below ZONE_MOVABLE (N_NORMAL_MEMORY, by the topology). */
bool run_node_has_normal(const struct run *r, int nid);
enum zone_type run_pfn_zone(const struct run *r, pfn_t pfn);
/*
 * Fault injection as the harness models it (interp.c, docs/fuzzing.md
 * "Fault injection counts"). The slab side announces each slab API call
 * before it makes it: the name of the cache whose failslab check the call
 * passes (NULL: it passes none: size 0, a large kmalloc, a kept krealloc)
 * and its gfp. run_failslab_call_end after the call: the core counted
 * exactly the announced calls the settings make eligible (the call's own
 * and those of an interrupt that came into it), else "HARNESS: fault
 * injection counts differ from its settings". run_fault_may_fail_slab:
 * could fault injection have failed the call announced last (failslab
 * eligible for it, or fail_page_alloc for a block of that order)?
 */
void run_failslab_call(struct run *r, const char *cache, gfp_t gfp);
void run_failslab_call_end(struct run *r, const char *op);
bool run_fault_may_fail_slab(const struct run *r, unsigned int order);
/* Expected reports of an allocation with gfp (page or slab) in the current
 * context; returns true when the request is invalid and must fail. */
bool run_expect_alloc(struct run *r, gfp_t gfp, bool slab);
void run_after_call(struct run *r);

/*
 * Op modules. The core (interp.c) dispatches each op through the modules'
 * tables (op code -> handler; NULL: not this module's) and calls their
 * hooks; a module reaches the core only through the run_* functions above.
 */
typedef bool (*op_fn)(struct run *r, const struct sf_op *op);	/* false: skipped */

struct interp_module {
	const char *name;
	const op_fn *ops;			/* [NR_OPCODES] */
	/* The injected interrupt an op of this module armed (r->inj.op). */
	void (*irq_op)(struct run *r, const struct sf_op *op);
	/* Epilogue: a small workload on the current cpu (process context). */
	void (*cpu_workload)(struct run *r);
	/* End of run: give back everything the module's handles own. */
	void (*teardown)(struct run *r);
	/* Every check point: the module's shadow checks (NULL: none). */
	void (*check_point)(struct run *r);
	/* A report the run expected (title and context checked): the
	 * module's checks of its text (NULL: none). */
	void (*on_report)(struct run *r, const struct sf_report *rep);
};

/*
 * The ownership shadow (interp_shadow.c): every live allocation the harness
 * holds, as the range [p, p+len) of simulated memory it covers, of one kind
 * and handle. A claim that overlaps a live one is
 * "HARNESS: live allocations overlap" (both named). Page blocks and
 * memblock allocations claim here (interp_page.c).
 *
 * Note for the slab side: claim each object at allocation with SH_OBJECT
 * (or SH_LARGE_KMALLOC for kmalloc sizes the page allocator serves) over
 * [p, p+ksize) and release it before the free; an object inside a page
 * block, a memblock allocation or another object is then caught at once.
 */
enum shadow_kind { SH_PAGES, SH_MEMBLOCK, SH_OBJECT, SH_LARGE_KMALLOC, NR_SHADOW_KINDS };

void shadow_claim(struct run *r, const void *p, size_t len, enum shadow_kind kind, int handle,
		  const char *op);
/* Release the claim starting at p of (kind, handle); a missing claim is
 * "HARNESS: shadow release of an unclaimed range" (a harness bug). */
void shadow_release(struct run *r, const void *p, enum shadow_kind kind, int handle);

/* The pfns [lo, hi) run_pfn_zone gives zone zt. */
void run_zone_bounds(const struct run *r, enum zone_type zt, pfn_t *lo, pfn_t *hi);

/*
 * The memmap view (interp_memmap.c): per segment (one node, zone and memmap
 * chunk of the topology's memory) the pages in each state, counted by the
 * harness. reset: read every segment anew (after every boot stage: the
 * core's change counts start again at sparse_init); refresh: read again the
 * segments whose chunk the core marked changed; verify: refresh, then read
 * every segment and fail when one differs from the view (a change without
 * its mark). zone: the counts of node nid's zone zt; totals: allocated and
 * free (buddy + per-cpu) pages of the machine.
 */
void memmap_view_reset(struct run *r);
void memmap_view_refresh(struct run *r);
void memmap_view_verify(struct run *r);
void memmap_view_zone(struct run *r, int nid, enum zone_type zt, uint32_t *count);
void memmap_view_totals(struct run *r, long *allocated, long *free_pages);

extern const struct interp_module page_module;	/* interp_page.c */
/* The memmap's page states counted (pfn_page_state): allocated, and free
 * (buddy + per-cpu) pages of the whole machine. */
void page_memmap_count(struct run *r, long *allocated, long *free_pages);
/* After a sparse stage that failed: memblock reserves what the program holds. */
void page_check_failed_sparse(struct run *r);
/* A new block's struct pages as the request makes them (interp_page_struct.c). */
void page_struct_check(struct run *r, const struct page_h *ph, gfp_t eff, const char *op);
void memmap_topology_check(struct run *r);
/* The page-failure rule for the slab side: a free order-order block above
 * the watermark bound for eff from nid's zonelist (writes where into why). */
bool page_block_available(struct run *r, gfp_t eff, unsigned int order, int nid, char *why,
			  size_t len);
/* The text of dump_buddyinfo against the memmap: per node and zone, the
 * free-list counts (blocks of each order) add up to the pages the memmap
 * shows in free blocks of that zone; a zone with such pages has its line. */
void page_check_buddyinfo(struct run *r, const char *text);
/* interp_dump.c: the texts of dump_buddyinfo (each order's block count)
 * and dump_zoneinfo against the topology and the memmap. */
void dump_check_buddyinfo(struct run *r, const char *text);
void dump_check_zoneinfo(struct run *r, const char *text);
/* ... and dump_memory_map against the topology. */
void dump_check_memory_map(struct run *r, const char *text);
/* ... and every dump (kind as the dump op numbers them; the slab one also
 * the sysfs reads) into exactly-sized short buffers, like snprintf. */
void dump_check_short(struct run *r, unsigned int kind);
extern const struct interp_module slab_module;	/* interp_slab.c */
extern const struct interp_module canary_module;	/* interp_canary.c: corrupt */
extern const struct interp_module api_module;		/* interp_api.c: query */
/* interp_topology.c: machine_create_invalid (a core op). */
bool topology_invalid_op(struct run *r, const struct sf_op *op);

/* interp_slab.c */
bool slab_op(struct run *r, const struct sf_op *op);
void slab_irq_op(struct run *r, const struct sf_op *op);
void slab_shrink_all(struct run *r);
void slab_teardown(struct run *r);
void slab_workload(struct run *r);
size_t slab_dump(struct run *r, char *buf, size_t size);
/* The text of dump_slabinfo against the cache shadow. */
void slab_check_slabinfo(struct run *r, const char *text);
/* The layout of the slab object o lives in (false: a large kmalloc). */
bool slab_obj_geom(struct run *r, const struct obj_h *o, struct slab_geom *g);
/* The core's name of handle h's cache (a kmalloc cache's, or the name of
 * the handle that made it). */
void slab_cache_name(const struct run *r, int h, char *buf, size_t size);

/* interp_queues.c: the objects in cache's alien buffers, by the harness's
 * own walk of them (cache: a struct kmem_cache *). */
unsigned long slab_alien_walk(struct machine *m, void *cache);
/* The free slabs (all objects back in the slab) of every listed cache, by
 * the harness's walk of the node lists; who: the first cache with one. */
unsigned long slab_free_slabs_walk(struct machine *m, char *who, size_t len);
/* SLAB's free limit on every node of cache, by the harness's own formula
 * (with the cache's batch, or batch_floor when larger) and count of the
 * lists; false: who says which node is above it. */
bool slab_free_limit_walk(struct machine *m, void *cache, unsigned int batch_floor, char *who,
			  size_t len);
/* The cache (struct kmem_cache *) of the slab page x is in, or NULL. */
void *slab_cache_of_page(struct machine *m, const void *x);
/* A remote free of x (of cache) from cpu left x last in the cpu's node's
 * alien buffer for x's node (true too when x is local); why: else. */
bool slab_alien_holds(struct machine *m, void *cache, int cpu, const void *x, char *why,
		      size_t len);
/* Before a free of x (of cache) from cpu: the queue it goes to (the cpu's
 * queue for a local free, else the alien buffer for x's node), the batch
 * and the shared queue of x's node (false: no such queue). */
struct queue_state {
	int nid;
	bool local;
	unsigned int avail, limit, batch;	/* of that queue */
	unsigned int shared_avail, shared_limit;
	bool shared;
};
bool slab_free_queue_state(struct machine *m, void *cache, int cpu, const void *x,
			   struct queue_state *st);
/* After that free: a full queue was flushed into the shared queue first,
 * as SLAB's __drain_alien_cache (the whole buffer, up to the shared
 * queue's room) and cache_flusharray (a batch, up to the room) do; else the
 * shared queue is unchanged; why: else. */
bool slab_flush_fills_shared(void *cache, const struct queue_state *st, char *why, size_t len);

/* interp_slab_debug.c: the slab debug shadow. A new object h (not kept in
 * place by krealloc) allocated through core API op: red zones active, the
 * alloc track this call's; every check point: both unchanged. */
void slab_debug_new(struct run *r, unsigned int h, const char *op);
void slab_debug_check(struct run *r);
/* A free of o the core tracks (SLAB_STORE_USER) is made: counted. */
void slab_debug_free_event(struct run *r, const struct obj_h *o);
/* Before a call that must give an object report (slab_report_want), and
 * the check of the report's text. */
void slab_report_expect(struct run *r, int obj, int cache, const void *ptr, const char *op,
			const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void slab_report_check(struct run *r, const struct sf_report *rep);

#endif
