/* SPDX-License-Identifier: MIT */
/*
 * The snapshot path of sf_run_program and its reset-equivalence oracle
 * (interp_snapshot.c), each case in a child process:
 *   - a program run several times from snapshots, each run also compared
 *     with a fresh boot, is clean;
 *   - a restore that deliberately leaks a field (the boot cpu's sched point
 *     counters, sf_snapshot_test_leak_counter) is "HARNESS: snapshot reset
 *     diverged" naming that field;
 *   - a failure is run again by the other path: the same failure by both
 *     paths is reported under its own title; a failure of one path only is
 *     "HARNESS: snapshot reset diverged".
 *   - with snapshots off each run is compared with a second fresh boot:
 *     clean, and a run whose end state differs the second time (a page
 *     taken at the end of every other run) is "HARNESS: same input gave
 *     another state" naming the field;
 *   - with snapshots off each run is compared with a restore of a snapshot
 *     of its own boot (the check's own, SF_CHECK_RESTORE): clean, the
 *     leaked field, and a failure of one path, as above.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interp.h"
#include "test_child.h"

#define PROGRAM                                                                             \
	"slabfuzz-program 2\n"                                                              \
	"machine nodes=2 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node1\n"                                                          \
	"range node0 0-0x200\n"                                                             \
	"range node1 0x200-0x400\n"                                                         \
	"zones dma=0x80 dma32=0x100 movable=none\n"                                         \
	"c0 = kmem_cache_create cache0 size=96 align=0 flags=0\n"                             \
	"o0 = kmalloc size=200 GFP_KERNEL any\n"                                            \
	"o1 = kmem_cache_alloc c0 GFP_KERNEL any\n"                                         \
	"kfree o0\n"                                                                        \
	"cpu cpu1\n"                                                                        \
	"kmem_cache_free o1\n"                                                              \
	"kmem_cache_destroy c0\n"

struct snap_case {
	const char *name;
	bool leak;
	bool snapshots_off;	/* snapshots off: each run checked by `path` */
	enum sf_check_path path;
	bool vary;		/* every other run takes a page at the end */
	int fail_runs;		/* runs whose first op breaks the core after the first run
				 * and its check against a second fresh boot (both only
				 * boot: the second run takes the snapshot): -1 all, n:
				 * the next n */
	const char *title;	/* expected title, NULL: clean */
	const char *detail;	/* also in the output */
};

static const struct snap_case cases[] = {
	{ "restore_equals_fresh", false, false, SF_CHECK_BY_HASH, false, 0, NULL,
	  "(restored from a snapshot)" },
	{ "leaked_field", true, false, SF_CHECK_BY_HASH, false, 0,
	  "HARNESS: snapshot reset diverged",
	  "from a fresh boot vs from the snapshot: cpu[0].sched_hits: " },
	{ "same_failure_both_paths", false, false, SF_CHECK_BY_HASH, false, -1,
	  "BUG: slab invariant broken", "(restored from a snapshot)" },
	{ "failure_of_one_path", false, false, SF_CHECK_BY_HASH, false, 1,
	  "HARNESS: snapshot reset diverged",
	  "from a fresh boot the run failed: BUG: slab invariant broken; "
	  "from the snapshot it is clean" },
	{ "fresh_equals_fresh", false, true, SF_CHECK_FRESH, false, 0, NULL,
	  "kmem_cache_destroy c0" },
	{ "fresh_differs", false, true, SF_CHECK_FRESH, true, 0,
	  "HARNESS: same input gave another state",
	  "final states differ, from the first fresh boot vs from the second fresh boot: " },
	{ "own_snapshot_equals_fresh", false, true, SF_CHECK_RESTORE, false, 0, NULL,
	  "(restored from a snapshot)" },
	{ "own_snapshot_leaked_field", true, true, SF_CHECK_RESTORE, false, 0,
	  "HARNESS: snapshot reset diverged",
	  "from a fresh boot vs from the snapshot: cpu[0].sched_hits: " },
	{ "own_snapshot_failure_of_one_path", false, true, SF_CHECK_RESTORE, false, 1,
	  "HARNESS: snapshot reset diverged",
	  "from a fresh boot the run failed: BUG: slab invariant broken; "
	  "from the snapshot it is clean" },
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static struct sf_program prog;
static char out[1 << 16];
static int breaks_left;
static int runs_seen;

/* A core misuse the harness did not ask for: a kmalloc object freed twice. */
static void double_kfree(struct machine *m, unsigned int op_index, void *arg)
{
	void *p;

	(void)arg;
	if (op_index || runs_seen++ < 2 || !breaks_left)
		return;
	breaks_left--;
	p = kmalloc(m, 64, GFP_KERNEL);
	kfree(m, p);
	kfree(m, p);
}

static int end_runs;

/* Every other run ends with one more page allocated: the end state of a
 * run and of its second fresh boot differ. */
static void take_a_page(struct machine *m, void *arg)
{
	(void)arg;
	if (end_runs++ % 2)
		(void)alloc_pages(m, GFP_KERNEL, 0);
}

static void child_case(void *arg)
{
	const struct snap_case *c = arg;
	struct sf_run_opts o;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.snapshot = !c->snapshots_off;
	o.snapshot_check_every = 1;
	o.snapshot_check_path = c->path;
	o.trace = stderr;
	if (c->vary)
		o.at_end = take_a_page;
	if (c->fail_runs) {
		breaks_left = c->fail_runs;
		o.test_after_op = double_kfree;
	}
	sf_snapshot_test_leak_counter(c->leak);
	if (sf_prog_parse(PROGRAM, &prog, err, sizeof(err))) {
		fprintf(stderr, "test_snapshot: %s\n", err);
		_exit(3);
	}
	for (int i = 0; i < 4; i++)
		sf_run_program(sf_target_find("fuzz_slab"), &prog, &o);
}

static int run_child(const struct snap_case *c)
{
	int status = test_child_run(child_case, (void *)c, true, out, sizeof(out));

	if (status < 0)
		exit(2);
	return status;
}

static bool has_title(const char *title)
{
	char line[512];

	snprintf(line, sizeof(line), "slabfuzz: %s\n", title);
	return strstr(out, line) != NULL;
}

static bool run_case(const struct snap_case *c, bool verbose)
{
	int st = run_child(c);
	bool ok;

	if (verbose)
		printf("%s", out);
	if (!c->title)
		ok = WIFEXITED(st) && !WEXITSTATUS(st);
	else
		ok = WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && has_title(c->title);
	ok = ok && strstr(out, c->detail) != NULL;
	printf("%s %s: %s\n", ok ? "ok  " : "FAIL", c->name, c->title ? c->title : "clean");
	if (!ok && !verbose)
		printf("%s", out);
	return ok;
}

int main(int argc, char **argv)
{
	unsigned int failed = 0, ran = 0;

	if (!sf_snapshot_supported()) {
		/* TSan builds: sf_run_program always boots (docs/fuzzing.md). */
		fprintf(stderr, "test_snapshot: this build has no snapshots\n");
		return 1;
	}
	for (unsigned int i = 0; i < NR_CASES; i++) {
		if (argc > 1 && strcmp(argv[1], cases[i].name))
			continue;
		ran++;
		failed += !run_case(&cases[i], argc > 1);
	}
	if (!ran) {
		fprintf(stderr, "test_snapshot: no case named %s\n", argc > 1 ? argv[1] : "?");
		return 2;
	}
	printf("%u/%u cases passed\n", ran - failed, ran);
	return failed ? 1 : 0;
}
