/* SPDX-License-Identifier: MIT */
/*
 * The shared part of the stress drivers; see stress.h.
 */
#include "stress.h"

#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- options ---- */

#define STRESS_DEFAULT_SECONDS 3.0
#define STRESS_DEFAULT_SEED 0x5eedULL

static void usage(const struct stress_config *cfg, const struct stress_opt *extra,
		  size_t nr_extra)
{
	printf("usage: %s [options]\n\n%s\n\n", cfg->prog, cfg->summary);
	printf("Common options:\n"
	       "  --threads N        worker threads, 1..%d (default %u); each is bound to a\n"
	       "                     simulated cpu; more threads than host cores is fine\n"
	       "  --cpus N           simulated cpus, 1..%d (default: one per worker thread);\n"
	       "                     fewer cpus than threads makes threads take turns on a cpu\n"
	       "  --seconds S        stop after S seconds (default %g unless --ops is given)\n"
	       "  --ops N            each worker stops after N operations (with --seconds,\n"
	       "                     whichever comes first)\n"
	       "  --seed N           seed of the per-thread op streams (default %#llx);\n"
	       "                     printed on failure with the command to rerun\n"
	       "  --topology NAME    built-in machine: %s (default %s)\n"
	       "  --bugs LIST        switch historical bugs back on, e.g. slab_resize_race\n"
	       "  --debug-level N    machine debug level 0..3 (default: the build's)\n"
	       "  --quiet            no progress lines, only the summary and failures\n"
	       "  --help             this text\n",
	       SF_MAX_CPUS, cfg->threads, SF_MAX_CPUS, STRESS_DEFAULT_SECONDS,
	       (unsigned long long)STRESS_DEFAULT_SEED, stress_topology_names(), cfg->topology);
	if (nr_extra) {
		printf("\n%s options:\n", cfg->prog);
		for (size_t i = 0; i < nr_extra; i++) {
			char left[64];

			snprintf(left, sizeof(left), "--%s%s%s", extra[i].name,
				 extra[i].metavar ? " " : "",
				 extra[i].metavar ? extra[i].metavar : "");
			printf("  %-18s %s\n", left, extra[i].help);
		}
	}
	printf("\nExit status: 0 clean, 1 a check failed (report and seed printed), 2 bad usage.\n");
}

static int opt_error(const struct stress_config *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int opt_error(const struct stress_config *cfg, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cfg->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try --help)\n");
	return -1;
}

/* Strict unsigned parse: decimal or 0x hex, the whole string, in range. */
static bool parse_ull(const char *s, unsigned long long min, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_seconds(const char *s, double *out)
{
	double v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0) || v > 1e6)
		return false;
	*out = v;
	return true;
}

static bool is_common_option(const char *name)
{
	static const char *const names[] = { "threads", "cpus", "seconds", "ops", "seed",
					      "topology", "bugs", "debug-level" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static void record_cmdline(struct stress_config *cfg, int argc, char **argv)
{
	size_t len = 0;

	cfg->cmdline[0] = '\0';
	for (int i = 0; i < argc && len < sizeof(cfg->cmdline); i++) {
		int n = snprintf(cfg->cmdline + len, sizeof(cfg->cmdline) - len, "%s%s",
				 i ? " " : "", argv[i]);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

int stress_parse(struct stress_config *cfg, int argc, char **argv,
		 const struct stress_opt *extra, size_t nr_extra)
{
	bool have_seconds = false, have_seed = false;
	unsigned long long v;

	if (!cfg->threads)
		cfg->threads = 4;
	if (!cfg->topology)
		cfg->topology = "default";
	cfg->seed = STRESS_DEFAULT_SEED;
	cfg->debug_level = -1;
	record_cmdline(cfg, argc, argv);

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *name, *val = NULL;
		char namebuf[64];
		const char *eq;
		bool takes_value = true, matched = false;

		if (strncmp(arg, "--", 2) || !arg[2])
			return opt_error(cfg, "unexpected argument '%s'", arg);
		name = arg + 2;
		eq = strchr(name, '=');
		if (eq) {
			size_t n = (size_t)(eq - name);

			if (n >= sizeof(namebuf))
				return opt_error(cfg, "unknown option '%s'", arg);
			memcpy(namebuf, name, n);
			namebuf[n] = '\0';
			name = namebuf;
			val = eq + 1;
		}
		if (!strcmp(name, "help")) {
			usage(cfg, extra, nr_extra);
			return 1;
		}
		if (!strcmp(name, "quiet")) {
			if (val)
				return opt_error(cfg, "--quiet takes no value");
			cfg->quiet = true;
			continue;
		}
		for (size_t k = 0; k < nr_extra; k++) {
			if (strcmp(name, extra[k].name))
				continue;
			matched = true;
			if (extra[k].type == STRESS_OPT_FLAG)
				takes_value = false;
		}
		if (!matched && !is_common_option(name))
			return opt_error(cfg, "unknown option '--%s'", name);
		matched = false;
		if (takes_value && !val) {
			if (i + 1 >= argc)
				return opt_error(cfg, "--%s needs a value", name);
			val = argv[++i];
		}
		if (!takes_value && val)
			return opt_error(cfg, "--%s takes no value", name);

		if (!strcmp(name, "threads")) {
			if (!parse_ull(val, 1, SF_MAX_CPUS, &v))
				return opt_error(cfg, "--threads '%s': want 1..%d", val, SF_MAX_CPUS);
			cfg->threads = (unsigned int)v;
		} else if (!strcmp(name, "cpus")) {
			if (!parse_ull(val, 1, SF_MAX_CPUS, &v))
				return opt_error(cfg, "--cpus '%s': want 1..%d", val, SF_MAX_CPUS);
			cfg->cpus = (unsigned int)v;
		} else if (!strcmp(name, "seconds")) {
			if (!parse_seconds(val, &cfg->seconds))
				return opt_error(cfg, "--seconds '%s': want a number > 0", val);
			have_seconds = true;
		} else if (!strcmp(name, "ops")) {
			if (!parse_ull(val, 1, ULLONG_MAX, &v))
				return opt_error(cfg, "--ops '%s': want a count >= 1", val);
			cfg->ops = v;
		} else if (!strcmp(name, "seed")) {
			if (!parse_ull(val, 0, ULLONG_MAX, &v))
				return opt_error(cfg, "--seed '%s': want an unsigned number", val);
			cfg->seed = v;
			have_seed = true;
		} else if (!strcmp(name, "topology")) {
			struct sf_topology t;

			if (stress_topology(val, 1, &t))
				return opt_error(cfg, "--topology '%s': unknown; built-in names are %s "
						 "(program files are not supported yet)",
						 val, stress_topology_names());
			cfg->topology = val;
		} else if (!strcmp(name, "bugs")) {
			struct sf_error err;

			if (sf_bugs_parse(val, &cfg->bugs, &err))
				return opt_error(cfg, "--bugs '%s': %s", val, err.msg);
		} else if (!strcmp(name, "debug-level")) {
			if (!parse_ull(val, 0, 3, &v))
				return opt_error(cfg, "--debug-level '%s': want 0..3", val);
			cfg->debug_level = (int)v;
		} else {
			for (size_t k = 0; k < nr_extra && !matched; k++) {
				const struct stress_opt *o = &extra[k];

				if (strcmp(name, o->name))
					continue;
				matched = true;
				switch (o->type) {
				case STRESS_OPT_UINT:
					if (!parse_ull(val, o->min, o->max, &v))
						return opt_error(cfg, "--%s '%s': want %llu..%llu",
								 name, val, o->min, o->max);
					*(unsigned long long *)o->dst = v;
					break;
				case STRESS_OPT_FLAG:
					*(bool *)o->dst = true;
					break;
				case STRESS_OPT_STRING:
					*(const char **)o->dst = val;
					break;
				}
			}
			if (!matched)
				return opt_error(cfg, "unknown option '--%s'", name);
		}
	}
	if (!cfg->cpus)
		cfg->cpus = cfg->threads;
	if (!have_seconds && !cfg->ops)
		cfg->seconds = STRESS_DEFAULT_SECONDS;
	(void)have_seed;
	return 0;
}

/* ---- built-in topologies ---- */

/*
 *   default     2 nodes, 64 MiB, cpus spread over both
 *   small       1 node, 16 MiB
 *   memoryless  node 0 has cpus and no memory; node 1 has all 64 MiB
 *   numa4       4 nodes, 128 MiB, distances 10/20/30 on a ring
 */
static const char *const topology_names[] = { "default", "small", "memoryless", "numa4" };

const char *stress_topology_names(void)
{
	return "default, small, memoryless, numa4";
}

int stress_topology(const char *name, unsigned int nr_cpus, struct sf_topology *t)
{
	unsigned int which = sizeof(topology_names) / sizeof(topology_names[0]);

	for (unsigned int i = 0; i < sizeof(topology_names) / sizeof(topology_names[0]); i++)
		if (name && !strcmp(name, topology_names[i]))
			which = i;
	switch (which) {
	case 0:
		sf_topology_simple(t, 2, nr_cpus, 64);
		return 0;
	case 1:
		sf_topology_simple(t, 1, nr_cpus, 16);
		return 0;
	case 2:
		sf_topology_simple(t, 2, nr_cpus, 64);
		/* All memory on node 1: one range, node 0 keeps its cpus. */
		t->ranges[0].end_pfn = t->ranges[1].end_pfn;
		t->ranges[0].node = 1;
		t->nr_ranges = 1;
		return 0;
	case 3:
		sf_topology_simple(t, 4, nr_cpus, 128);
		for (unsigned int a = 0; a < 4; a++) {
			for (unsigned int b = 0; b < 4; b++) {
				unsigned int hops = (a > b ? a - b : b - a);

				if (hops == 3)
					hops = 1;
				t->distance[a][b] = (uint8_t)(10 + 10 * hops);
			}
		}
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- random streams ---- */

uint64_t stress_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void stress_rng_seed(struct stress_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ stress_mix64(stream + 1);

	for (int i = 0; i < 4; i++) {
		x = stress_mix64(x);
		r->s[i] = x;
	}
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t stress_rand(struct stress_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* ---- cookies ---- */

#define FILL_PATTERN_MAX 64

void stress_fill(void *p, size_t size, uint64_t cookie)
{
	unsigned char *b = p;
	size_t body = size >= 16 ? size - 8 : size;	/* the tail holds ~cookie */
	size_t end = body < FILL_PATTERN_MAX ? body : FILL_PATTERN_MAX;

	memcpy(b, &cookie, size < 8 ? size : 8);
	for (size_t i = 8; i < end; i++)
		b[i] = (unsigned char)(cookie >> ((i & 7) * 8)) ^ (unsigned char)i;
	if (size >= 16) {
		uint64_t tail = ~cookie;

		memcpy(b + size - 8, &tail, sizeof(tail));
	}
}

long stress_check(const void *p, size_t size, uint64_t cookie)
{
	const unsigned char *b = p;
	size_t body = size >= 16 ? size - 8 : size;	/* the tail holds ~cookie */
	size_t end = body < FILL_PATTERN_MAX ? body : FILL_PATTERN_MAX;
	uint64_t v;

	if (memcmp(b, &cookie, size < 8 ? size : 8))
		return 0;
	for (size_t i = 8; i < end; i++)
		if (b[i] != ((unsigned char)(cookie >> ((i & 7) * 8)) ^ (unsigned char)i))
			return (long)i;
	if (size >= 16) {
		memcpy(&v, b + size - 8, sizeof(v));
		if (v != ~cookie)
			return (long)(size - 8);
	}
	return -1;
}

/* ---- hand-off inboxes ---- */

int stress_inbox_init(struct stress_inbox *in, unsigned int cap, size_t item_size)
{
	memset(in, 0, sizeof(*in));
	in->items = calloc(cap, item_size);
	if (!in->items)
		return -ENOMEM;
	in->cap = cap;
	in->item_size = item_size;
	pthread_mutex_init(&in->lock, NULL);
	return 0;
}

void stress_inbox_destroy(struct stress_inbox *in)
{
	if (!in->items)
		return;
	pthread_mutex_destroy(&in->lock);
	free(in->items);
	in->items = NULL;
}

bool stress_inbox_push(struct stress_inbox *in, const void *item)
{
	bool ok = false;
	unsigned int n;

	pthread_mutex_lock(&in->lock);
	n = atomic_load_explicit(&in->count, memory_order_relaxed);
	if (n < in->cap) {
		unsigned int slot = (in->head + n) % in->cap;

		memcpy(in->items + (size_t)slot * in->item_size, item, in->item_size);
		atomic_store_explicit(&in->count, n + 1, memory_order_relaxed);
		ok = true;
	}
	pthread_mutex_unlock(&in->lock);
	return ok;
}

unsigned int stress_inbox_pop(struct stress_inbox *in, void *out, unsigned int max)
{
	unsigned int n, i;

	if (!atomic_load_explicit(&in->count, memory_order_relaxed))
		return 0;
	pthread_mutex_lock(&in->lock);
	n = atomic_load_explicit(&in->count, memory_order_relaxed);
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		memcpy((unsigned char *)out + (size_t)i * in->item_size,
		       in->items + (size_t)in->head * in->item_size, in->item_size);
		in->head = (in->head + 1) % in->cap;
	}
	atomic_store_explicit(&in->count,
			      atomic_load_explicit(&in->count, memory_order_relaxed) - n,
			      memory_order_relaxed);
	pthread_mutex_unlock(&in->lock);
	return n;
}

/* ---- reports ---- */

/*
 * Count by kind and print. Printing goes through sf_report_print under our
 * own lock so that lines of concurrent reports do not interleave.
 */
static void stress_report_handler(struct machine *m, const struct sf_report *r, void *data)
{
	struct stress_run *run = data;

	switch (r->kind) {
	case SF_REPORT_BUG:
		atomic_fetch_add(&run->nr_bug_reports, 1);
		break;
	case SF_REPORT_WARN:
		atomic_fetch_add(&run->nr_warn_reports, 1);
		break;
	case SF_REPORT_INFO:
		atomic_fetch_add(&run->nr_info_reports, 1);
		return;		/* notices (allocation failures under injection) stay quiet */
	}
	pthread_mutex_lock(&run->report_lock);
	sf_report_print(m, r, NULL);
	pthread_mutex_unlock(&run->report_lock);
	if (!run->expect_reports)
		stress_fail(run, "report: %s", r->title);
}

/* ---- setup ---- */

int stress_setup(struct stress_run *run, const struct stress_config *cfg,
		 unsigned int nr_helpers)
{
	struct sf_topology topo;
	struct sf_options opts;
	struct sf_error err;
	unsigned int total = cfg->threads + nr_helpers;
	int ret;

	memset(run, 0, sizeof(*run));
	run->cfg = cfg;
	run->nr_workers = cfg->threads;
	run->nr_helpers = nr_helpers;
	pthread_mutex_init(&run->fail_lock, NULL);
	pthread_mutex_init(&run->report_lock, NULL);

	if (cfg->cpus + nr_helpers > SF_MAX_CPUS) {
		fprintf(stderr, "%s: %u cpus and %u helper threads: at most %d cpus in all\n",
			cfg->prog, cfg->cpus, nr_helpers, SF_MAX_CPUS);
		return -1;
	}
	/* Helpers (tuner...) get cpus of their own after the workers' cpus. */
	if (stress_topology(cfg->topology, cfg->cpus + nr_helpers, &topo)) {
		fprintf(stderr, "%s: unknown topology '%s'\n", cfg->prog, cfg->topology);
		return -1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.bugs = cfg->bugs;
	opts.debug_level = cfg->debug_level;
	opts.seed = cfg->seed;
	run->m = machine_create(&topo, &opts, &err);
	if (!run->m) {
		fprintf(stderr, "%s: cannot create the machine: %s: %s\n", cfg->prog, err.field,
			err.msg);
		return -1;
	}
	sf_set_report_handler(run->m, stress_report_handler, run);
	ret = machine_boot(run->m, STAGE_RUNNING);
	if (ret || stress_failed(run)) {
		fprintf(stderr, "%s: boot failed (%d) at stage %s\n", cfg->prog, ret,
			boot_stage_name(machine_stage(run->m)));
		return -1;
	}

	run->threads = aligned_alloc(64, sizeof(*run->threads) * total);
	run->cpu_lock = calloc(cfg->cpus, sizeof(*run->cpu_lock));
	if (!run->threads || !run->cpu_lock) {
		fprintf(stderr, "%s: out of host memory\n", cfg->prog);
		return -1;
	}
	memset(run->threads, 0, sizeof(*run->threads) * total);
	for (unsigned int c = 0; c < cfg->cpus; c++)
		pthread_mutex_init(&run->cpu_lock[c], NULL);
	run->shared_cpus = cfg->threads > cfg->cpus;
	for (unsigned int i = 0; i < total; i++) {
		struct stress_thread *t = &run->threads[i];

		t->run = run;
		t->id = i;
		t->worker = i < cfg->threads;
		t->cpu = t->worker ? (int)(i % cfg->cpus) : (int)(cfg->cpus + i - cfg->threads);
		stress_rng_seed(&t->rng, cfg->seed, i);
	}
	return 0;
}

void stress_teardown(struct stress_run *run)
{
	machine_destroy(run->m);
	run->m = NULL;
	if (run->cpu_lock) {
		for (unsigned int c = 0; c < run->cfg->cpus; c++)
			pthread_mutex_destroy(&run->cpu_lock[c]);
	}
	free(run->cpu_lock);
	free(run->threads);
	pthread_mutex_destroy(&run->fail_lock);
	pthread_mutex_destroy(&run->report_lock);
}

/* ---- running ---- */

struct thread_start {
	struct stress_thread *t;
	stress_thread_fn fn;
};

static void *thread_main(void *arg)
{
	struct thread_start *ts = arg;
	struct stress_thread *t = ts->t;

	cpu_bind(t->run->m, t->cpu);
	ts->fn(t);
	cpu_bind(t->run->m, -1);
	atomic_store(&t->done, true);
	return NULL;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool stress_op_done(struct stress_thread *t)
{
	unsigned long long n =
		atomic_load_explicit(&t->ops, memory_order_relaxed) + 1;
	unsigned long long limit = t->run->cfg->ops;

	atomic_store_explicit(&t->ops, n, memory_order_relaxed);
	return !(t->worker && limit && n >= limit);
}

void stress_cpu_enter(struct stress_thread *t)
{
	if (t->run->shared_cpus && t->worker)
		pthread_mutex_lock(&t->run->cpu_lock[t->cpu]);
}

void stress_cpu_leave(struct stress_thread *t)
{
	if (t->run->shared_cpus && t->worker)
		pthread_mutex_unlock(&t->run->cpu_lock[t->cpu]);
}

static void print_progress(struct stress_run *run, double t, double dt)
{
	char line[2048];
	size_t len = 0;
	unsigned long long total = 0;

	for (unsigned int i = 0; i < run->nr_workers + run->nr_helpers; i++) {
		struct stress_thread *th = &run->threads[i];
		unsigned long long ops = atomic_load_explicit(&th->ops, memory_order_relaxed);
		unsigned long long d = ops - th->last_ops;
		int n;

		th->last_ops = ops;
		if (th->worker)
			total += d;
		n = snprintf(line + len, sizeof(line) - len, " %s%u=%.0f", th->worker ? "t" : "h",
			     th->id, (double)d / dt);
		if (n > 0 && (size_t)n < sizeof(line) - len)
			len += (size_t)n;
	}
	printf("%s: [%5.1fs] %.0f ops/s |%s\n", run->cfg->prog, t, (double)total / dt, line);
	fflush(stdout);
}

#define STRESS_WATCHDOG_SECONDS 30.0

/*
 * Never run forever: once told to stop, every thread must finish its
 * operation within STRESS_WATCHDOG_SECONDS. One that does not is stuck in
 * the core (a corrupted list, a lost wakeup): print the seed and abort.
 */
static void stress_watchdog(struct stress_run *run, unsigned int started)
{
	double limit = now_seconds() + STRESS_WATCHDOG_SECONDS;

	for (;;) {
		struct timespec nap = { 0, 20 * 1000 * 1000 };
		unsigned int stuck = started;

		for (unsigned int i = 0; i < started; i++)
			if (atomic_load(&run->threads[i].done))
				stuck--;
		if (!stuck)
			return;
		if (now_seconds() >= limit) {
			fprintf(stderr,
				"%s: FAIL: watchdog: %u thread(s) still running %.0f s after the end "
				"of the run (stuck in the core?); seed %#llx\n",
				run->cfg->prog, stuck, STRESS_WATCHDOG_SECONDS,
				(unsigned long long)run->cfg->seed);
			abort();
		}
		nanosleep(&nap, NULL);
	}
}

void stress_run(struct stress_run *run, stress_thread_fn worker_fn, stress_thread_fn helper_fn)
{
	unsigned int total = run->nr_workers + run->nr_helpers;
	struct thread_start *starts = calloc(total, sizeof(*starts));
	double start, last, deadline;
	unsigned int started = 0;

	if (!starts) {
		stress_fail(run, "out of host memory for threads");
		return;
	}
	start = now_seconds();
	last = start;
	deadline = run->cfg->seconds > 0 ? start + run->cfg->seconds : 0;
	for (unsigned int i = 0; i < total; i++) {
		struct stress_thread *t = &run->threads[i];

		starts[i].t = t;
		starts[i].fn = t->worker ? worker_fn : helper_fn;
		if (pthread_create(&t->tid, NULL, thread_main, &starts[i])) {
			stress_fail(run, "pthread_create failed for thread %u", i);
			atomic_store(&run->stop, true);
			break;
		}
		started++;
	}
	for (;;) {
		struct timespec nap = { 0, 20 * 1000 * 1000 };
		bool workers_done = true;
		double t;

		for (unsigned int i = 0; i < run->nr_workers && i < started; i++)
			if (!atomic_load(&run->threads[i].done))
				workers_done = false;
		t = now_seconds();
		if (workers_done || (deadline && t >= deadline) || stress_failed(run))
			break;
		if (t - last >= 1.0) {
			if (!run->cfg->quiet)
				print_progress(run, t - start, t - last);
			last = t;
		}
		nanosleep(&nap, NULL);
	}
	atomic_store(&run->stop, true);
	stress_watchdog(run, started);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(run->threads[i].tid, NULL);
	run->elapsed = now_seconds() - start;
	run->total_ops = 0;
	for (unsigned int i = 0; i < run->nr_workers; i++)
		run->total_ops += atomic_load(&run->threads[i].ops);
	free(starts);
}

/* ---- failures and the end ---- */

void stress_fail(struct stress_run *run, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&run->fail_lock);
	if (!atomic_load(&run->failed)) {
		va_start(ap, fmt);
		vsnprintf(run->fail_msg, sizeof(run->fail_msg), fmt, ap);
		va_end(ap);
		atomic_store(&run->failed, true);
	}
	pthread_mutex_unlock(&run->fail_lock);
	atomic_store(&run->stop, true);
}

int stress_slab_names(struct machine *m, char ***names_out)
{
	size_t len = slab_sysfs_list(m, NULL, 0);
	char *buf = malloc(len + 1);
	char **names;
	int n = 0;

	*names_out = NULL;
	if (!buf)
		return -ENOMEM;
	slab_sysfs_list(m, buf, len + 1);
	buf[len] = '\0';
	names = calloc(len / 2 + 2, sizeof(*names));
	if (!names) {
		free(buf);
		return -ENOMEM;
	}
	for (char *save = NULL, *tok = strtok_r(buf, "\n", &save); tok;
	     tok = strtok_r(NULL, "\n", &save)) {
		char *alias = strchr(tok, ' ');	/* "name -> target" for an alias */

		if (alias)
			*alias = '\0';
		names[n] = strdup(tok);
		if (names[n])
			n++;
	}
	free(buf);
	*names_out = names;
	return n;
}

void stress_slab_names_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void stress_quiesce(struct machine *m)
{
	char **names;
	int n = machine_stage(m) >= STAGE_SLAB_UP ? stress_slab_names(m, &names) : 0;

	for (int i = 0; i < n; i++)
		slab_attr_store(m, names[i], "shrink", "1");
	if (n > 0)
		stress_slab_names_free(names, n);
	drain_all_pages(m);
}

void stress_check_end(struct stress_run *run)
{
	struct machine *m = run->m;

	if (!check_machine(m))
		stress_fail(run, "check_machine() failed at the end of the run");
	if (!run->expect_reports &&
	    (sf_reports_of_kind(m, SF_REPORT_BUG) || sf_reports_of_kind(m, SF_REPORT_WARN)))
		stress_fail(run, "%lu BUG and %lu WARNING reports during the run",
			    sf_reports_of_kind(m, SF_REPORT_BUG),
			    sf_reports_of_kind(m, SF_REPORT_WARN));
}

void stress_info(const struct stress_run *run, const char *fmt, ...)
{
	va_list ap;

	if (run->cfg->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

int stress_finish(struct stress_run *run)
{
	const struct stress_config *cfg = run->cfg;
	double secs = run->elapsed > 0 ? run->elapsed : 1e-9;

	printf("%s: %u threads on %u cpus (%s): %llu ops in %.2fs = %.0f ops/s (%.0f per thread)\n",
	       cfg->prog, run->nr_workers, cfg->cpus, cfg->topology, run->total_ops, secs,
	       (double)run->total_ops / secs,
	       (double)run->total_ops / secs / (run->nr_workers ? run->nr_workers : 1));
	if (!stress_failed(run)) {
		printf("%s: OK (seed %#" PRIx64 ")\n", cfg->prog, cfg->seed);
		fflush(stdout);
		return STRESS_EXIT_OK;
	}
	fflush(stdout);
	fprintf(stderr, "%s: FAIL: %s\n", cfg->prog, run->fail_msg);
	if (run->m) {
		const struct sf_report *r;

		for (unsigned int i = 0; (r = sf_reports_get(run->m, i)); i++) {
			char buf[SF_REPORT_TITLE_MAX + SF_REPORT_BODY_MAX + 256];

			if (r->kind == SF_REPORT_INFO)
				continue;
			fprintf(stderr, "%s: report (x%lu): %s\n", cfg->prog,
				sf_reports_count(run->m, r->title),
				sf_report_format(r, buf, sizeof(buf)));
		}
	}
	fprintf(stderr, "%s: seed %#" PRIx64 "; rerun with: %s --seed %#" PRIx64 "\n", cfg->prog,
		cfg->seed, cfg->cmdline, cfg->seed);
	return STRESS_EXIT_FAIL;
}
