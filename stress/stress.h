/* SPDX-License-Identifier: MIT */
/*
 * The shared part of the stress drivers (stress_pages, stress_pcpu,
 * stress_lifecycle): options, built-in topologies, seeded per-thread random
 * streams, cookies, hand-off inboxes, the run loop with progress output and
 * the failure path.
 *
 * A driver is a normal program: it parses its options with stress_parse(),
 * builds a machine with stress_machine(), runs its worker threads with
 * stress_run(), checks its accounting and returns stress_finish().
 *
 * Threads and simulated cpus: worker i runs on cpu i % cpus. When several
 * workers share a cpu they take turns through the cpu's run lock (a burst of
 * operations at a time), as tasks take turns on a real cpu; two host threads
 * never run the same simulated cpu at once.
 *
 * Lock order: stress_run.fail_lock and stress_inbox.lock are leaves; the run
 * lock of a cpu is taken outside every core lock.
 */
#ifndef SLABFUZZ_STRESS_H
#define SLABFUZZ_STRESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slabfuzz/slabfuzz.h"
#include "slabfuzz/slab.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define STRESS_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) && !defined(STRESS_TSAN)
#define STRESS_TSAN 1
#endif
#ifndef STRESS_TSAN
#define STRESS_TSAN 0
#endif

/* Exit codes of every driver. */
#define STRESS_EXIT_OK 0	/* ran, accounting and checks clean */
#define STRESS_EXIT_FAIL 1	/* a check failed: the report and the seed are printed */
#define STRESS_EXIT_USAGE 2	/* bad option or value */

/* Work-set sizes are divided by this under ThreadSanitizer (slow, memory hungry). */
#define STRESS_TSAN_SCALE 4
static inline unsigned int stress_scaled(unsigned int n)
{
	unsigned int s = STRESS_TSAN ? n / STRESS_TSAN_SCALE : n;

	return s ? s : 1;
}

/* ---- options ---- */

enum stress_opt_type {
	STRESS_OPT_UINT,	/* unsigned long long in [min, max] */
	STRESS_OPT_FLAG,	/* bool, no argument */
	STRESS_OPT_STRING,	/* const char * */
};

/* A driver-specific option, described once for the parser and --help. */
struct stress_opt {
	const char *name;		/* long name without the dashes */
	enum stress_opt_type type;
	const char *metavar;		/* "N", "PPM"; NULL for a flag */
	const char *help;		/* one line */
	unsigned long long min;		/* STRESS_OPT_UINT bounds */
	unsigned long long max;
	void *dst;			/* unsigned long long *, bool * or const char ** */
};

struct stress_config {
	const char *prog;		/* driver name for messages */
	const char *summary;		/* one paragraph for --help */
	unsigned int threads;		/* worker threads, 1..SF_MAX_CPUS */
	unsigned int cpus;		/* simulated cpus, 1..SF_MAX_CPUS; 0: = threads */
	double seconds;			/* time bound; 0: none (then ops must be set) */
	unsigned long long ops;		/* operations per worker; 0: none */
	uint64_t seed;			/* base of every per-thread stream */
	const char *topology;		/* built-in topology name */
	bool quiet;			/* no progress lines */
	unsigned int bugs;		/* enum sf_bug bits to switch on */
	int debug_level;		/* machine debug level; -1: build default */
	char cmdline[1024];		/* the command to reproduce this run */
};

/*
 * Fill cfg with the defaults, then parse argv. extra[] are the driver's own
 * options. Returns 0 to run, 1 when --help was printed (exit 0), or -1 after
 * printing an error naming the bad option or value (exit STRESS_EXIT_USAGE).
 */
int stress_parse(struct stress_config *cfg, int argc, char **argv,
		 const struct stress_opt *extra, size_t nr_extra);

/*
 * Fill t with the built-in topology name with nr_cpus cpus. Returns 0, or
 * -EINVAL when name is unknown (the names are listed in --help).
 */
int stress_topology(const char *name, unsigned int nr_cpus, struct sf_topology *t);
/* The built-in topology names, comma separated, for messages. */
const char *stress_topology_names(void);

/* ---- random streams ---- */

struct stress_rng {
	uint64_t s[4];			/* xoshiro256** state, never all zero */
};

void stress_rng_seed(struct stress_rng *r, uint64_t seed, uint64_t stream);
uint64_t stress_rand(struct stress_rng *r);
/* Uniform in [0, n), n > 0. */
static inline uint64_t stress_below(struct stress_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)stress_rand(r) * n) >> 64);
}
/* True with probability ppm / 1e6. */
static inline bool stress_chance(struct stress_rng *r, uint32_t ppm)
{
	return stress_below(r, 1000000) < ppm;
}
uint64_t stress_mix64(uint64_t x);

/* ---- cookies ---- */

/*
 * An object's cookie names its owner: the worker that allocated it and the
 * worker's allocation sequence number (unique for the run).
 */
static inline uint64_t stress_cookie(unsigned int thread, uint64_t seq)
{
	return stress_mix64(((uint64_t)thread << 48) ^ seq) | 1;
}

/*
 * Fill size bytes (>= 1) at p with cookie: the cookie in the first 8 bytes
 * (fewer when size < 8), a pattern derived from it after them (up to 64
 * bytes) and its complement in the last 8 bytes (when size >= 16).
 */
void stress_fill(void *p, size_t size, uint64_t cookie);
/*
 * Check a fill. Returns -1 when intact, otherwise the offset of the first
 * byte that differs.
 */
long stress_check(const void *p, size_t size, uint64_t cookie);

/* ---- hand-off inboxes ---- */

/* A bounded queue of fixed-size items that other workers push into. */
struct stress_inbox {
	pthread_mutex_t lock;
	atomic_uint count;		/* items queued; read without the lock as a hint */
	unsigned int head;		/* next item to pop, < cap */
	unsigned int cap;		/* capacity in items */
	size_t item_size;
	unsigned char *items;		/* cap * item_size */
};

int stress_inbox_init(struct stress_inbox *in, unsigned int cap, size_t item_size);
void stress_inbox_destroy(struct stress_inbox *in);
/* Copy item in. Returns false (nothing done) when the inbox is full. */
bool stress_inbox_push(struct stress_inbox *in, const void *item);
/* Move up to max items into out. Returns how many. */
unsigned int stress_inbox_pop(struct stress_inbox *in, void *out, unsigned int max);

/* ---- the run ---- */

struct stress_run;

struct stress_thread {
	struct stress_run *run;
	unsigned int id;		/* worker index, or nr_workers + i for helpers */
	int cpu;			/* simulated cpu this thread runs on */
	bool worker;			/* false for helpers (tuner...) */
	pthread_t tid;
	struct stress_rng rng;		/* the thread's op stream */
	atomic_ullong ops;		/* operations done; read by the progress loop */
	atomic_bool done;		/* returned from its function */
	unsigned long long last_ops;	/* progress loop only */
	void *priv;			/* the driver's per-thread state */
} __attribute__((aligned(64)));

typedef void (*stress_thread_fn)(struct stress_thread *t);

struct stress_run {
	const struct stress_config *cfg;
	struct machine *m;
	unsigned int nr_workers;
	unsigned int nr_helpers;
	struct stress_thread *threads;	/* nr_workers workers, then helpers */
	bool shared_cpus;		/* more workers than cpus: run locks in use */
	pthread_mutex_t *cpu_lock;	/* [cpus]: who runs the cpu */
	atomic_bool stop;		/* workers and helpers stop when set */
	atomic_bool failed;		/* stress_fail() was called */
	pthread_mutex_t fail_lock;	/* first failure message */
	char fail_msg[512];
	atomic_ulong nr_bug_reports;	/* BUG reports seen by the handler */
	atomic_ulong nr_warn_reports;	/* WARNING reports */
	atomic_ulong nr_info_reports;
	pthread_mutex_t report_lock;	/* serialises printing */
	bool expect_reports;		/* BUG/WARN reports are part of the test */
	double elapsed;			/* seconds the workers ran */
	unsigned long long total_ops;
	void *priv;			/* the driver's state */
};

/*
 * Create the machine of cfg (topology, cpus, bugs, debug level), boot it to
 * STAGE_RUNNING with a report handler that counts and prints, and set up
 * run. Returns 0, or -1 after printing why.
 */
int stress_setup(struct stress_run *run, const struct stress_config *cfg,
		 unsigned int nr_helpers);
void stress_teardown(struct stress_run *run);

/*
 * Start the workers (worker_fn) and helpers (helper_fn, may be NULL when
 * there are none), print progress once a second, stop them at the time
 * bound or when every worker is done, and join them all. The main thread is
 * unbound from any cpu again on return.
 */
void stress_run(struct stress_run *run, stress_thread_fn worker_fn, stress_thread_fn helper_fn);

/* Should t stop? Counts nothing. */
static inline bool stress_stopping(const struct stress_thread *t)
{
	return atomic_load_explicit(&t->run->stop, memory_order_relaxed);
}
/* Count one operation; returns false when t has done its share. */
bool stress_op_done(struct stress_thread *t);

/* Take and release the thread's cpu for a burst of operations. */
void stress_cpu_enter(struct stress_thread *t);
void stress_cpu_leave(struct stress_thread *t);

/*
 * Record a failure: the first message is kept and printed with the seed at
 * the end; every thread stops. Safe from any thread.
 */
void stress_fail(struct stress_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline bool stress_failed(const struct stress_run *run)
{
	return atomic_load_explicit(&run->failed, memory_order_relaxed);
}

/* drain_all_pages, and shrink every slab cache when the slab layer is up. */
void stress_quiesce(struct machine *m);

/*
 * The names of every registered slab directory and alias (slab_sysfs_list),
 * as an array of n strings. Returns n or -ENOMEM.
 */
int stress_slab_names(struct machine *m, char ***names);
void stress_slab_names_free(char **names, int n);

/*
 * The common end-of-run checks: check_machine() and no BUG or WARN report
 * (unless run->expect_reports). Calls stress_fail() for what broke.
 */
void stress_check_end(struct stress_run *run);

/*
 * Print the summary line and, after a failure, the failure, the reports and
 * the seed with the command that reproduces the run. Returns the exit code.
 */
int stress_finish(struct stress_run *run);

/* printf unless --quiet. */
void stress_info(const struct stress_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
