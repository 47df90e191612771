/* SPDX-License-Identifier: MIT */
/*
 * The interpreter every fuzz target, the replay binaries and the slabfuzz
 * tool share: it builds the machine a program describes, runs its
 * operations against a shadow model, and stops at the first problem.
 *
 * Oracles (any failure prints "slabfuzz: <title>" and aborts, so the
 * engine keeps the input):
 *   - a BUG or WARN report the harness did not provoke on purpose (it knows
 *     when it passes invalid gfp, a too large order, a blocking gfp from
 *     atomic context, a misuse op ...); INFO reports never stop a run;
 *   - a boot stage that fails while the harness's own count says the
 *     memory is enough (and no fault injection is on);
 *   - shadow model of owned pages and objects: no overlap (the ownership
 *     shadow), aligned, in the zone and node the gfp allows (and on the
 *     preferred node while it has a free block), zeroed when asked, the
 *     pattern written at allocation still there at free and at check
 *     points, NOFAIL never NULL without the "impossible" report and that
 *     report only when no eligible zone has a free block, no NULL while
 *     the memmap shows an eligible free block above the watermark,
 *     invalid requests refused;
 *   - slab objects against the harness's own geometry (slab_geom.c): in a
 *     slab of their cache, at an object start, never over the management
 *     area, exact ksize, natural/HWCACHE alignment, __GFP_THISNODE node;
 *     create/tune/attribute results and attribute reads as the cache
 *     shadow predicts; at the end every object accounted and every cache
 *     empty once all are freed (docs/fuzzing.md lists the titles); red
 *     zones and alloc tracks of debug caches, and the text of the object
 *     reports the harness provokes (interp_slab_debug.c);
 *   - dumps: buddyinfo, zoneinfo, the memory map and slabinfo against the
 *     memmap, the topology and the cache shadow (interp_dump.c);
 *   - interrupt state: nothing enables interrupts or leaves interrupt
 *     context behind the caller's back;
 *   - check_machine() every few operations (incremental but every
 *     full_check_every-th time) and in full at the end;
 *   - at the end everything is freed and page accounting (the memmap's
 *     page states) is back to what it was after the last boot stage.
 * Titles of harness oracles start with "HARNESS: ".
 */
#ifndef SLABFUZZ_FUZZ_INTERP_H
#define SLABFUZZ_FUZZ_INTERP_H

#include <stdio.h>

#include "program.h"

struct sf_digest;
struct kmem_cache_cpu;

struct sf_target {
	const char *name;		/* fuzz_pages */
	enum boot_stage prologue;	/* boot to this stage before the ops */
	uint64_t ops;			/* bit per enum sf_opcode: ops run; others skipped */
	bool workload;			/* epilogue: boot fully, small workload on every cpu */
	unsigned int check_every;	/* check_machine() every this many ops */
};

/* All targets (fuzz_program_text included), NULL-terminated by name. */
extern const struct sf_target sf_targets[];
const struct sf_target *sf_target_find(const char *name);

#define RUN_FULL_CHECK_EVERY 8

struct sf_run_opts {
	unsigned int bugs;		/* enum sf_bug bits, from SLABFUZZ_BUGS only */
	FILE *trace;			/* each op as it runs, NULL for none */
	bool dump_on_failure;		/* buddyinfo, zoneinfo, slabinfo at failure */
	bool dump_at_end;		/* the same on stderr at the end of a clean run,
					 * after the ops and epilogue, before teardown */
	/*
	 * The end state: called after the last op (and the target's
	 * workload), before the harness frees what the program holds and
	 * destroys the machine. Only a read of the machine may happen there;
	 * the run goes on to its end checks afterwards, so it can still fail.
	 */
	void (*at_end)(struct machine *m, void *arg);
	void *at_end_arg;
	/*
	 * Every this many check points the full check_machine() and a whole
	 * read of the memmap; the others are incremental (what changed since
	 * the last check point). 0: RUN_FULL_CHECK_EVERY. The end of every run
	 * and a boot that fails with memory available check fully anyway.
	 */
	unsigned int full_check_every;

	/*
	 * Tests of the oracles only (fuzzers/test_oracles.c): break what the
	 * core hands back, to show an oracle fires. NULL in every fuzz build.
	 */
	int (*test_boot_result)(struct machine *m, int ret, void *arg);
	struct page *(*test_page_result)(struct machine *m, struct page *page, void *arg);
	void (*test_after_op)(struct machine *m, unsigned int op_index, void *arg);
	void *test_arg;
	/* Tests only (fuzzers/test_slab_oracles.c): called with each new slab
	 * object before the harness checks it; a test corrupts the object or
	 * the core's state there to prove an oracle fires. NULL otherwise. */
	void (*test_slab_result)(struct machine *m, const char *op, void **ptr, size_t size);
	/* ... and with the return value of each tune and attribute store (and
	 * after each destroy and each free of a live object, 0 passed and the
	 * value ignored). */
	int (*test_slab_ret)(struct machine *m, const char *op, int ret);
	/* Tests only: machine_create_invalid calls this instead of
	 * machine_create (a core that accepts, or names another field). */
	struct machine *(*test_machine_create)(const struct sf_topology *t,
					       const struct sf_options *o, struct sf_error *err);
	/* Tests only: machine_create_invalid's check that a field at its bound
	 * is accepted calls this instead of sf_topology_validate. */
	int (*test_topology_validate)(const struct sf_topology *t, struct sf_error *err);
	/* Tests only (test_oracles.c): the checker canary's check of a
	 * corrupted state (check_machine, or kmem_cache_validate of cache s for
	 * a validator kind) is this instead: a checker with invariants left
	 * out. Returns true when the check passed. */
	bool (*test_canary_check)(struct machine *m, struct kmem_cache *s, void *arg);
	/* Tests only (test_oracles.c): the canary's free of a held block with
	 * a field broken (__free_pages), and its state digest (sf_digest_take),
	 * are these instead: a free that checks less, a digest that sees less. */
	void (*test_canary_free)(struct machine *m, struct page *page, unsigned int order);
	/* ... and its misuse of a cpu queue lock (the lock-time kinds): a
	 * lock that reports less. */
	void (*test_canary_misuse)(struct machine *m, struct kmem_cache_cpu *q, int kind);
	/* ... and its unlock of a spinlock (unlock_order; lock: a spinlock_t):
	 * an unlock that keeps the wrong stack. */
	void (*test_canary_unlock)(struct machine *m, void *lock);
	int (*test_digest)(struct machine *m, struct sf_digest *d);
	/* Tests only (test_slab_oracles.c): right after the end of run shuts
	 * the slab layer down. */
	void (*test_after_release)(struct machine *m);
	/* Tests only (test_oracles.c): the length a dump op's dump returned. */
	size_t (*test_dump_len)(struct machine *m, unsigned int kind, size_t n);
	/* Tests only (test_oracles.c): the result of a short-buffer call of
	 * the dump check (call: the API function's name), buf its size bytes. */
	void (*test_short_result)(const char *call, char *buf, size_t size, long *ret);
	/* Tests only (test_oracles.c): what alloc_pages_exact past the largest
	 * order returned (interp_page.c). */
	void *(*test_exact_beyond)(struct machine *m, void *ret);
	/* Tests only (test_oracles.c): a free's drain of a per-cpu list passes
	 * no SP_PCP_DRAIN as far as the harness sees (neither the hook nor the
	 * core's count of the point). */
	bool test_hide_pcp_drain_point;

	/*
	 * Start from a snapshot of the booted machine when the cache holds one
	 * of the same boot configuration (target prologue, header, bug
	 * switches), else boot and keep one (fuzzers/interp_snapshot.c). Only
	 * for targets whose prologue boots; never in TSan builds. Off in the
	 * fuzz entry points unless SLABFUZZ_SNAPSHOT=1 (measured slower than
	 * booting, docs/bench.md).
	 */
	bool snapshot;
#define SF_SNAPSHOT_CHECK_EVERY 32
	/* One program in this many (by its hash), snapshots on or off, also
	 * runs a second time (by the other path when the run has a snapshot,
	 * else as snapshot_check_path says) and the final digests must match;
	 * a failure of a run that has a snapshot is run again by the other
	 * path and must fail with the same title: else "HARNESS: snapshot
	 * reset diverged". 0: never (SLABFUZZ_SNAPSHOT_CHECK). */
	unsigned int snapshot_check_every;
	/*
	 * How a checked run that has no snapshot from the cache runs again,
	 * when its target's prologue boots and the build has snapshots: by
	 * the program's hash (SF_CHECK_BY_HASH, the default) half of the
	 * programs from a snapshot of this run's own boot, taken for the check
	 * and freed after it ("HARNESS: snapshot reset diverged" when the
	 * two differ), half from a second fresh boot ("HARNESS: same input
	 * gave another state"); tests pick one.
	 */
	enum sf_check_path {
		SF_CHECK_BY_HASH,
		SF_CHECK_FRESH,
		SF_CHECK_RESTORE,
	} snapshot_check_path;
};

/*
 * Run p as target t. Returns 0 when the run was clean; on a failure prints
 * the report and aborts (never returns).
 */
int sf_run_program(const struct sf_target *t, const struct sf_program *p,
		   const struct sf_run_opts *o);

/* The fuzz entry points' helpers: SLABFUZZ_BUGS into the options (exits
 * with a message on a bad list), and one input of target name. */
void sf_fuzz_init(struct sf_run_opts *o);
int sf_fuzz_one(const char *target, const struct sf_run_opts *o, const uint8_t *data,
		size_t size);

/* The fuzz_program_text oracle: parse text; on success print/parse/encode/
 * decode must agree. Aborts on a disagreement. */
int sf_fuzz_text(const uint8_t *data, size_t size);

#endif
