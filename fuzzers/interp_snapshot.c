/* SPDX-License-Identifier: MIT */
/*
 * Boot once, restore per input: a bounded cache of snapshots of machines
 * right after the target's prologue boot (slabfuzz/snapshot.h), keyed by
 * what decides that machine and boot: the target (its prologue), the
 * header's canonical bytes (topology, options) and the bug switches. With
 * the machine, the harness's own post-prologue state is kept (struct run
 * as the prologue left it: cpu shadows, titles and report counts, the
 * baseline, the ownership shadow) and put back with it.
 *
 * A configuration's snapshot is taken at its second boot among the last
 * SNAP_SEEN boots (most configurations a fuzzer makes are seen once). The
 * cache holds at most SNAP_MAX entries and SNAP_BYTES_MAX bytes
 * (copies, arenas and the machines' written simulated memory); the least
 * recently used entry goes first.
 *
 * The reset-equivalence oracle: one program in o->snapshot_check_every
 * (chosen by a hash of the program, so an input is checked at every run
 * or at none: AFL++'s stability and a replay see the same path), the
 * same program runs again and the digests of the two end states
 * (slabfuzz/digest.h, taken after the ops and the epilogue, before
 * teardown) must be equal. A run that has a snapshot runs again by the
 * other path (a fresh boot after a restore, a restore after a fresh boot
 * that took the snapshot), and at a failure the other path must fail with
 * the same title; either mismatch is "HARNESS: snapshot reset diverged"
 * with the first difference. A run without one (snapshots off, or its
 * configuration not cached) whose prologue boots runs again, by the
 * program's hash, either from a snapshot of its own boot (taken for the
 * check, freed after it: the snapshot code is exercised with snapshots off
 * too) or from a second fresh boot, as a run whose prologue does not boot
 * always does: same input, same result, or "HARNESS: same input gave
 * another state".
 */
#include <stdlib.h>
#include <string.h>

#include "digest_names.h"
#include "interp_internal.h"

SF_NO_COVERAGE_BEGIN

#define SNAP_MAX 16
#define SNAP_BYTES_MAX (64ul << 20)
#define SNAP_KEY_MAX 512
#define SNAP_SEEN 256		/* boots remembered to take a snapshot at the second */

/* The part of struct run the prologue sets (the handle arrays are reset
 * per program and the prologue makes no handle). */
#define RUN_HEAD_END offsetof(struct run, pages)
#define RUN_MID_START offsetof(struct run, owned)
#define RUN_MID_END offsetof(struct run, shadow)

struct snap_entry {
	const struct sf_target *t;
	unsigned int bugs;
	uint8_t key[SNAP_KEY_MAX];
	size_t key_len;
	struct sf_snapshot *s;
	uint64_t used;			/* tick of the last use */
	size_t bytes;
	uint8_t head[RUN_HEAD_END];
	uint8_t mid[RUN_MID_END - RUN_MID_START];
	struct shadow_span shadow[4 * SF_PROG_MAX_OPS];
	unsigned int nr_shadow;
};

static struct snap_entry *cache[SNAP_MAX];
static uint64_t tick;

/* The rerun of the oracle: by which path, and what the first run gave. */
enum rerun { RERUN_NONE, RERUN_COMPARE, RERUN_FAILED, RERUN_REPORTING };
static enum rerun rerun;
static bool rerun_fresh;		/* the rerun boots (else it restores) */
static bool first_from_snapshot;	/* the first run restored */
static struct sf_digest first_digest, second_digest;
static bool compare_pending;		/* first_digest is this run's: run it again */
static char first_title[SF_REPORT_TITLE_MAX + 64];
static struct sf_program key_prog;
/* The check's own snapshot of this run's boot (never in the cache). */
static struct snap_entry *oneshot;

static size_t run_key(const struct run *r, uint8_t *key)
{
	key_prog.version = r->p->version;
	key_prog.h = r->p->h;
	key_prog.nr_ops = 0;
	return sf_prog_encode(&key_prog, key, SNAP_KEY_MAX);
}

static uint64_t program_hash(const struct run *r)
{
	uint8_t key[SNAP_KEY_MAX];
	size_t len = run_key(r, key);
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	for (unsigned int i = 0; i < r->p->nr_ops; i++) {
		const struct sf_op *op = &r->p->ops[i];

		h = (h ^ op->code) * 0x100000001b3ull;
		for (unsigned int a = 0; a < SF_PROG_MAX_ARGS; a++)
			h = (h ^ op->arg[a]) * 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

/* Is this program one of the one in `every` the oracle runs twice? */
static bool program_checked(const struct run *r, unsigned int every)
{
	return every && program_hash(r) % every == 0;
}

/* A checked run with no snapshot from the cache: does it run again from a
 * snapshot of its own boot (else from a second fresh boot)? */
static bool check_by_restore(const struct run *r)
{
	if (!sf_snapshot_supported() || !program_checked(r, r->o->snapshot_check_every))
		return false;
	if (r->o->snapshot_check_path != SF_CHECK_BY_HASH)
		return r->o->snapshot_check_path == SF_CHECK_RESTORE;
	return (program_hash(r) >> 47) & 1;
}

static struct snap_entry *lookup(const struct run *r)
{
	uint8_t key[SNAP_KEY_MAX];
	size_t len = run_key(r, key);

	for (unsigned int i = 0; i < SNAP_MAX; i++) {
		struct snap_entry *e = cache[i];

		if (e && e->t == r->t && e->bugs == r->o->bugs && e->key_len == len &&
		    !memcmp(e->key, key, len))
			return e;
	}
	return NULL;
}

static void entry_free(struct snap_entry *e)
{
	sf_snapshot_destroy(e->s);
	free(e);
}

/* Room for one more entry of bytes: evict the least recently used ones,
 * never keep. */
static void make_room(size_t bytes, const struct snap_entry *keep)
{
	for (;;) {
		size_t total = bytes;
		unsigned int n = 0, lru = SNAP_MAX;

		for (unsigned int i = 0; i < SNAP_MAX; i++) {
			if (!cache[i])
				continue;
			n++;
			total += cache[i]->bytes;
			if (cache[i] != keep &&
			    (lru == SNAP_MAX || cache[i]->used < cache[lru]->used))
				lru = i;
		}
		/* keep: nothing added, only its new size. */
		if (((n < SNAP_MAX || keep) && total <= SNAP_BYTES_MAX) || lru == SNAP_MAX)
			return;
		entry_free(cache[lru]);
		cache[lru] = NULL;
	}
}

static bool snapshots_on(const struct run *r)
{
	return r->o->snapshot && sf_snapshot_supported() && r->t->prologue > STAGE_EARLY;
}

bool run_snapshot_start(struct run *r)
{
	struct snap_entry *e;
	const struct sf_target *t = r->t;
	const struct sf_program *p = r->p;
	const struct sf_run_opts *o = r->o;

	r->snap = NULL;
	r->from_snapshot = false;
	if (rerun != RERUN_NONE && !rerun_fresh && oneshot)
		e = oneshot;
	else if (!snapshots_on(r) || (rerun != RERUN_NONE && rerun_fresh) || !(e = lookup(r)))
		return false;
	sf_snapshot_restore(e->s);
	memcpy(r, e->head, RUN_HEAD_END);
	memcpy((uint8_t *)r + RUN_MID_START, e->mid, sizeof(e->mid));
	memcpy(r->shadow, e->shadow, e->nr_shadow * sizeof(e->shadow[0]));
	r->nr_shadow = e->nr_shadow;
	r->t = t;
	r->p = p;
	r->o = o;
	r->snap = e;
	r->from_snapshot = true;
	if (e == oneshot)
		return true;
	e->used = ++tick;
	/* The machine may have written more pages since: they count. */
	e->bytes = sizeof(*e) + sf_snapshot_bytes(e->s);
	make_room(0, e);
	return true;
}

/*
 * Was this configuration booted before, among the last SNAP_SEEN boots?
 * (Records it when not.) Most configurations a fuzzer makes are seen once:
 * a snapshot pays off from the second boot of one.
 */
static bool seen_before(const uint8_t *key, size_t len, const struct run *r)
{
	static uint64_t seen[SNAP_SEEN];
	static unsigned int next;
	uint64_t h = 0xcbf29ce484222325ull ^ (uintptr_t)r->t ^ ((uint64_t)r->o->bugs << 32);

	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	for (unsigned int i = 0; i < SNAP_SEEN; i++)
		if (seen[i] == h)
			return true;
	seen[next++ % SNAP_SEEN] = h;
	return false;
}

/* A snapshot of the machine and of the harness's state as the prologue
 * left them; NULL when host memory is short. */
static struct snap_entry *entry_take(struct run *r)
{
	struct snap_entry *e = malloc(sizeof(*e));

	if (!e)
		return NULL;
	e->t = r->t;
	e->bugs = r->o->bugs;
	e->key_len = run_key(r, e->key);
	e->s = sf_snapshot_take(r->m);
	if (!e->s) {
		free(e);
		return NULL;
	}
	memcpy(e->head, r, RUN_HEAD_END);
	memcpy(e->mid, (uint8_t *)r + RUN_MID_START, sizeof(e->mid));
	memcpy(e->shadow, r->shadow, r->nr_shadow * sizeof(e->shadow[0]));
	e->nr_shadow = r->nr_shadow;
	e->bytes = sizeof(*e) + sf_snapshot_bytes(e->s);
	e->used = ++tick;
	return e;
}

void run_snapshot_keep(struct run *r)
{
	struct snap_entry *e;
	uint8_t key[SNAP_KEY_MAX];

	if (rerun != RERUN_NONE)
		return;
	if (!snapshots_on(r) || lookup(r) || !seen_before(key, run_key(r, key), r)) {
		if (check_by_restore(r))
			r->snap = oneshot = entry_take(r);
		return;
	}
	e = entry_take(r);
	if (!e)
		return;
	make_room(e->bytes, NULL);
	for (unsigned int i = 0; i < SNAP_MAX; i++) {
		if (!cache[i]) {
			cache[i] = e;
			break;
		}
	}
	r->snap = e;
}

static void run_again(struct run *r, enum rerun why)
{
	const struct sf_target *t = r->t;
	const struct sf_program *p = r->p;
	const struct sf_run_opts *o = r->o;

	rerun = why;
	rerun_fresh = r->from_snapshot;
	sf_run_program(t, p, o);
}

static const char *path_name(bool fresh)
{
	return fresh ? "a fresh boot" : "the snapshot";
}

/* The compare's rerun r: did either path restore a snapshot? */
static bool snapshot_involved(const struct run *r)
{
	return first_from_snapshot || r->from_snapshot;
}

/* The compare's title and the name of its first or second path. */
static const char *compare_title(const struct run *r)
{
	return snapshot_involved(r) ? "HARNESS: snapshot reset diverged" :
				      "HARNESS: same input gave another state";
}

static const char *compare_path(const struct run *r, bool first)
{
	if (!snapshot_involved(r))
		return first ? "the first fresh boot" : "the second fresh boot";
	return path_name(first ? !rerun_fresh : rerun_fresh);
}

static void take_digest(struct run *r, struct sf_digest *d)
{
	if (sf_digest_take(r->m, d))
		run_fail(r, "HARNESS: out of host memory for the state digest", "%zu fields",
			 d->nr);
}

void run_snapshot_digest(struct run *r)
{
	char diff[256];

	if (rerun == RERUN_COMPARE) {
		take_digest(r, &second_digest);
		if (sf_digest_diff(&first_digest, &second_digest) >= 0) {
			sf_digest_describe_diff(&first_digest, &second_digest, diff, sizeof(diff));
			rerun = RERUN_REPORTING;
			run_fail(r, compare_title(r), "final states differ, from %s vs from %s: %s",
				 compare_path(r, true), compare_path(r, false), diff);
		}
		return;
	}
	if (rerun != RERUN_NONE || !r->o->snapshot_check_every ||
	    !program_checked(r, r->o->snapshot_check_every))
		return;
	take_digest(r, &first_digest);
	first_from_snapshot = r->from_snapshot;
	compare_pending = true;
}

bool run_snapshot_end(struct run *r)
{
	bool kept = r->snap != NULL;

	if (rerun == RERUN_FAILED) {
		rerun = RERUN_REPORTING;
		run_fail(r, "HARNESS: snapshot reset diverged",
			 "from %s the run failed: %s; from %s it is clean",
			 path_name(!rerun_fresh), first_title, path_name(rerun_fresh));
	}
	if (compare_pending && rerun == RERUN_NONE) {
		compare_pending = false;
		run_again(r, RERUN_COMPARE);
		rerun = RERUN_NONE;
	}
	if (oneshot && rerun == RERUN_NONE) {
		/* The check is over: the machine is the caller's to destroy. */
		sf_snapshot_release(oneshot->s);
		free(oneshot);
		oneshot = NULL;
		kept = false;
	}
	return kept;
}

void run_snapshot_failed(struct run *r, const char *title)
{
	if (rerun == RERUN_REPORTING)
		return;
	if (rerun == RERUN_COMPARE) {
		rerun = RERUN_REPORTING;
		run_fail(r, compare_title(r), "from %s the run is clean; from %s it failed: %s",
			 compare_path(r, true), compare_path(r, false), title);
	}
	if (rerun == RERUN_FAILED) {
		if (!strcmp(title, first_title))
			return;	/* the same failure by both paths: report it */
		rerun = RERUN_REPORTING;
		run_fail(r, "HARNESS: snapshot reset diverged",
			 "from %s the run failed: %s; from %s: %s", path_name(!rerun_fresh),
			 first_title, path_name(rerun_fresh), title);
	}
	if (rerun != RERUN_NONE || !r->snap || !r->o->snapshot_check_every)
		return;
	snprintf(first_title, sizeof(first_title), "%s", title);
	run_again(r, RERUN_FAILED);
}

SF_NO_COVERAGE_END
