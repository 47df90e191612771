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

struct oracle_case {
	const char *name;
	const char *target;
	const char *program;
	void (*arm)(struct sf_run_opts *o);	/* installs the hooks */
	const char *title;			/* expected; NULL: must stay clean */
};

#define MACHINE_1N                                                                          \
	"slabfuzz-program 2\n"                                                              \
	"machine nodes=1 cpus=2 boot=cpu0 max_order=9 section_shift=9 vmemmap_block=1 "     \
	"memmap_together=0 debug=1 slab_debug=none\n"                                       \
	"cpu_nodes node0 node0\n"                                                          \
	"range node0 0-0x200\n"                                                             \
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

/* ---- cases ---- */

static const struct oracle_case cases[] = {
	{ "boot.enomem", "fuzz_boot", MACHINE_1N "boot running\n", arm_boot_enomem,
	  "HARNESS: boot failed with memory available" },
	/* 32 pages: not enough by the rule, a failure is no finding. */
	{ "boot.enomem_tiny", "fuzz_boot", MACHINE_TINY "boot running\n", arm_boot_enomem, NULL },
	/* Fault injection on during boot excuses the failure. */
	{ "boot.enomem_faults", "fuzz_boot",
	  MACHINE_1N "fail_page_alloc nth=200 ppm=0 persistent=0 ignore_reclaim=0 min_order=0\n"
		     "boot running\n",
	  arm_boot_enomem, NULL },
};
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static struct sf_program prog;
static char out[1 << 16];

/* Run one case in a child; returns its stderr in out and the wait status. */
static int run_child(const struct oracle_case *c, bool hooked)
{
	int fd[2], status;
	size_t n = 0;
	ssize_t k;
	pid_t pid;

	if (pipe(fd))
		exit(2);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (!pid) {
		struct sf_run_opts o;
		char err[256];

		dup2(fd[1], 2);
		close(fd[0]);
		memset(&o, 0, sizeof(o));
		if (hooked)
			c->arm(&o);
		if (sf_prog_parse(c->program, &prog, err, sizeof(err))) {
			fprintf(stderr, "test_oracles: %s: %s\n", c->name, err);
			_exit(3);
		}
		sf_run_program(sf_target_find(c->target), &prog, &o);
		_exit(0);
	}
	close(fd[1]);
	while ((k = read(fd[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	return status;
}

static bool has_title(const char *title)
{
	char line[512];

	snprintf(line, sizeof(line), "slabfuzz: %s\n", title);
	return !strncmp(out, line, strlen(line)) || strstr(out, line) != NULL;
}

static bool run_case(const struct oracle_case *c, bool verbose)
{
	int st = run_child(c, false);

	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("FAIL %s: not clean without the hook\n%s", c->name, out);
		return false;
	}
	st = run_child(c, true);
	if (verbose)
		printf("%s", out);
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
