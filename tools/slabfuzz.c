/* SPDX-License-Identifier: MIT */
/*
 * slabfuzz: one tool for programs and crashes.
 *
 *   slabfuzz print FILE                 any input (engine crash or text) as a text program
 *   slabfuzz encode FILE.txt -o OUT     text program -> binary
 *   slabfuzz decode FILE -o OUT.txt     binary -> text program (print into a file)
 *   slabfuzz replay FILE                trace every op, the report, a state dump
 *   slabfuzz minimise FILE -o OUT.txt   smallest program with the same report title
 *   slabfuzz triage DIR                 one line per report title: count, smallest input
 *                                       (smallest program: canonical binary length)
 *   slabfuzz emit-c FILE -o OUT.c       standalone C reproducer using the core API only
 *   slabfuzz export-sysfs DIR FILE      end state as DIR/sys/kernel/slab/... and DIR/proc/slabinfo
 *   slabfuzz regress FILE...            regression inputs: title with their bug switch,
 *                                       clean without it; a fixed core bug ('# fixed:
 *                                       TITLE', the title it had) must run clean
 * Options: --target NAME (fuzz_pages ...; else "# target:" in a text file, a
 * path component naming a target, or "program"), --bugs LIST (else
 * SLABFUZZ_BUGS). Every run of a program happens in a child process, so a
 * crash of any kind is observed, never suffered. Nothing is overwritten:
 * an output path that exists is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interp.h"
#include "emit.h"
#include "sysfs_export.h"

static const char *opt_target;
static const char *opt_bugs;
static const char *opt_out;
static bool opt_quiet;
static bool opt_binary;

static int usage(void)
{
	fprintf(stderr,
		"usage: slabfuzz COMMAND [--target NAME] [--bugs LIST] [--binary] [-o OUT] FILE...\n"
		"commands: print encode decode replay minimise triage emit-c regress export-sysfs\n"
		"export-sysfs DIR FILE: the end state of FILE's run as DIR/sys/kernel/slab and\n"
		"          DIR/proc/slabinfo (DIR must not exist or be empty)\n"
		"--binary: take a file that looks foreign (text without the\n"
		"          'slabfuzz-program' line, a known file format) as a fuzz input\n");
	return 2;
}

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "slabfuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return 1;
}

/* ---- files ---- */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, (cap = cap ? cap * 2 : 4096) + 1);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (!got)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Create path exclusively: an existing file is never overwritten. */
static FILE *create_new(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0) {
		if (errno == EEXIST)
			die("%s exists: refusing to overwrite it (choose another -o)", path);
		else
			die("%s: cannot create: %s", path, strerror(errno));
		return NULL;
	}
	return fdopen(fd, "wb");
}

/* The "# key: value" comment of a text program, into val. */
static bool header_comment(const char *text, const char *key, char *val, size_t size)
{
	size_t kl = strlen(key);

	for (const char *s = text; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '#')
			continue;
		s++;
		while (*s == ' ')
			s++;
		if (!strncmp(s, key, kl) && s[kl] == ':') {
			size_t l;

			s += kl + 1;
			while (*s == ' ')
				s++;
			l = strcspn(s, "\n");
			while (l && (s[l - 1] == ' ' || s[l - 1] == '\r'))
				l--;
			snprintf(val, size, "%.*s", (int)l, s);
			return true;
		}
	}
	return false;
}

struct input {
	const char *path;
	struct sf_program prog;
	const struct sf_target *target;
	unsigned int bugs;
	char expect[SF_REPORT_TITLE_MAX];	/* "# expect:" of a text program */
	char fixed[SF_REPORT_TITLE_MAX];	/* "# fixed:": a core bug's title, now clean */
	size_t size;
};

/*
 * Every byte string is a valid fuzz input, but a file that is clearly
 * something else was most likely named by mistake: a known file format, text
 * that is not a program, or far more than any engine is allowed to write.
 * Returns what it looks like, or NULL. --binary takes it anyway; with
 * --target the caller says it is a fuzz input, and text is one.
 */
static const char *foreign_kind(const char *buf, size_t len, bool text_ok)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *what;
	} magics[] = {
		{ "\x7f" "ELF", 4, "an ELF file" },
		{ "\x89PNG", 4, "a PNG image" },
		{ "\x1f\x8b", 2, "a gzip file" },
		{ "PK\x03\x04", 4, "a zip file" },
		{ "%PDF", 4, "a PDF file" },
		{ "!<arch>", 7, "an ar archive" },
	};
	bool text = true;

	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (len >= magics[i].len && !memcmp(buf, magics[i].magic, magics[i].len))
			return magics[i].what;
	if (len > (1u << 16))
		return "larger than any fuzz input (64 KiB)";
	for (size_t i = 0; i < len && text; i++) {
		unsigned char c = (unsigned char)buf[i];

		text = c == '\n' || c == '\t' || c == '\r' || (c >= 0x20 && c != 0x7f);
	}
	/* Text of a few lines: a fuzz input hardly looks like that (unless
	 * --target says what it is: fuzz_program_text inputs are text). */
	if (text && !text_ok && len >= 16 && memchr(buf, '\n', len))
		return "text without the 'slabfuzz-program N' line";
	return NULL;
}

static const struct sf_target *infer_target(const char *path, const char *text)
{
	char name[64];

	if (opt_target)
		return sf_target_find(opt_target);
	if (text && header_comment(text, "target", name, sizeof(name)))
		return sf_target_find(name);
	for (const struct sf_target *t = sf_targets; t->name; t++) {
		const char *hit = strstr(path, t->name);
		size_t l = strlen(t->name);

		/* A whole path component or the libFuzzer artifact prefix. */
		if (hit && (hit == path || hit[-1] == '/' || hit[-1] == '-') &&
		    (hit[l] == '/' || hit[l] == '\0' || hit[l] == '-' || hit[l] == '.'))
			return t;
	}
	return sf_target_find("program");
}

static int load_input(const char *path, struct input *in)
{
	char err[512], bugs[256] = "";
	size_t len = 0;
	char *buf;
	struct sf_error e;
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->path = path;
	if (stat(path, &st))
		return die("%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return die("%s: is a folder, not a program file", path);
	if (sf_prog_load_file(path, &in->prog, err, sizeof(err)))
		return die("%s", err);
	buf = read_all(path, &len);
	if (!buf)
		return die("%s: cannot read", path);
	in->size = len;
	if (!opt_binary && !sf_prog_is_text((const uint8_t *)buf, len)) {
		const char *kind = foreign_kind(buf, len, opt_target != NULL);

		if (kind) {
			free(buf);
			return die("%s: not a slabfuzz program or fuzz input: %s (--binary takes "
				   "it as a fuzz input anyway)", path, kind);
		}
	}
	if (sf_prog_is_text((const uint8_t *)buf, len)) {
		header_comment(buf, "expect", in->expect, sizeof(in->expect));
		header_comment(buf, "bugs", bugs, sizeof(bugs));
		header_comment(buf, "fixed", in->fixed, sizeof(in->fixed));
	}
	in->target = infer_target(path, sf_prog_is_text((const uint8_t *)buf, len) ? buf : NULL);
	free(buf);
	if (!in->target)
		return die("%s: unknown target '%s' (fuzz_boot fuzz_gfp fuzz_pages fuzz_sparse "
			   "fuzz_slab program)", path, opt_target ? opt_target : "?");
	if (!strcmp(in->target->name, "fuzz_program_text"))
		in->target = sf_target_find("program");
	if (opt_bugs)
		snprintf(bugs, sizeof(bugs), "%s", opt_bugs);
	else if (!bugs[0] && getenv("SLABFUZZ_BUGS"))
		snprintf(bugs, sizeof(bugs), "%s", getenv("SLABFUZZ_BUGS"));
	if (bugs[0] && strcmp(bugs, "none") && sf_bugs_parse(bugs, &in->bugs, &e))
		return die("%s: bugs: %s", path, e.msg);
	return 0;
}

/* ---- running in a child ---- */

struct outcome {
	bool crashed;
	int status;
	char title[256];
	char *log;		/* child's stderr */
};

static void normalise(char *s)
{
	char *w = s;

	/* Addresses and long numbers out: titles are dedup keys. */
	for (char *r = s; *r;) {
		if (r[0] == '0' && r[1] == 'x') {
			*w++ = '0';
			*w++ = 'x';
			r += 2;
			while ((*r >= '0' && *r <= '9') || (*r >= 'a' && *r <= 'f'))
				r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

static void title_from_log(const char *log, char *title, size_t size)
{
	const char *s;

	title[0] = '\0';
	s = strstr(log, "slabfuzz: internal invariant broken: ");
	if (s) {
		s += strlen("slabfuzz: ");
		snprintf(title, size, "%.*s", (int)strcspn(s, "\n"), s);
		if (strstr(title, " at "))
			*strstr(title, " at ") = '\0';
		return;
	}
	for (s = log; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
		if (!strncmp(s, "slabfuzz: ", 10) && strncmp(s, "slabfuzz: at op", 15) &&
		    strncmp(s, "slabfuzz: during", 16)) {
			s += 10;
			snprintf(title, size, "%.*s", (int)strcspn(s, "\n"), s);
			return;
		}
	}
	s = strstr(log, "ERROR: AddressSanitizer: ");
	if (s) {
		const char *frame;
		char fn[96] = "";

		s += strlen("ERROR: ");
		frame = strstr(s, "    #");
		while (frame) {
			const char *in = strstr(frame, " in ");
			size_t l;

			if (!in || in > strchr(frame, '\n'))
				break;
			in += 4;
			l = strcspn(in, " \n");
			if (strncmp(in, "__", 2) && strncmp(in, "memcpy", 6) &&
			    strncmp(in, "memset", 6) && strncmp(in, "memcmp", 6)) {
				snprintf(fn, sizeof(fn), " in %.*s", (int)l, in);
				break;
			}
			frame = strstr(in, "    #");
		}
		s += strlen("AddressSanitizer: ");
		snprintf(title, size, "AddressSanitizer: %.*s%s", (int)strcspn(s, " \n"), s, fn);
		return;
	}
	s = strstr(log, "runtime error: ");
	if (s) {
		snprintf(title, size, "UBSan: %.*s", (int)strcspn(s + 15, "\n"), s + 15);
		normalise(title);
		return;
	}
	s = strstr(log, "ERROR: LeakSanitizer");
	if (s) {
		snprintf(title, size, "LeakSanitizer: detected memory leaks");
		return;
	}
}

static struct sf_run_opts child_opts;
static struct sysfs_export *child_export;	/* export-sysfs: captured and written by the child */

static int run_child(const struct input *in, const struct sf_program *p, bool trace, bool dump,
		     struct outcome *out)
{
	int pipefd[2];
	pid_t pid;
	size_t cap = 1 << 14, len = 0;

	memset(out, 0, sizeof(*out));
	if (pipe(pipefd))
		return die("pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(pipefd[0]);
		dup2(pipefd[1], 2);
		close(pipefd[1]);
		if (!trace) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0)
				dup2(null, 1);
		}
		memset(&child_opts, 0, sizeof(child_opts));
		child_opts.bugs = in->bugs;
		child_opts.trace = trace ? stdout : NULL;
		child_opts.dump_on_failure = dump;
		child_opts.at_end = child_export ? sysfs_export_capture : NULL;
		child_opts.at_end_arg = child_export;
		sf_run_program(in->target, p, &child_opts);
		if (child_export && sysfs_export_write(child_export))
			_exit(3);
		fflush(stdout);
		_exit(0);
	}
	close(pipefd[1]);
	out->log = malloc(cap + 1);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nl = realloc(out->log, (cap *= 2) + 1);

			if (!nl)
				break;
			out->log = nl;
		}
		n = read(pipefd[0], out->log + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out->log[len] = '\0';
	close(pipefd[0]);
	waitpid(pid, &out->status, 0);
	out->crashed = !(WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0);
	if (out->crashed) {
		title_from_log(out->log, out->title, sizeof(out->title));
		if (!out->title[0]) {
			if (WIFSIGNALED(out->status))
				snprintf(out->title, sizeof(out->title), "killed by signal %d",
					 WTERMSIG(out->status));
			else
				snprintf(out->title, sizeof(out->title), "exit status %d",
					 WEXITSTATUS(out->status));
		}
	}
	return 0;
}

/* ---- commands ---- */

static char textbuf[1 << 18];

static int write_text(const struct input *in, const struct sf_program *p, FILE *f,
		      const char *title)
{
	size_t n = sf_prog_print(p, textbuf, sizeof(textbuf));

	fprintf(f, "# target: %s\n", in->target->name);
	if (title && title[0])
		fprintf(f, "# expect: %s\n", title);
	if (in->bugs) {
		fprintf(f, "# bugs: ");
		for (unsigned int b = 1, first = 1; b; b <<= 1) {
			if (!(in->bugs & b))
				continue;
			fprintf(f, "%s%s", first ? "" : ",", sf_bug_name((enum sf_bug)b));
			first = 0;
		}
		fprintf(f, "\n");
	}
	fwrite(textbuf, 1, n < sizeof(textbuf) ? n : sizeof(textbuf) - 1, f);
	return 0;
}

static int cmd_print(int argc, char **argv)
{
	int ret = 0;

	if (argc < 1)
		return usage();
	if (opt_out && argc != 1)
		return die("-o takes one input");
	for (int i = 0; i < argc; i++) {
		struct input *in = malloc(sizeof(*in));
		FILE *f = stdout;

		if (!in || load_input(argv[i], in)) {
			free(in);
			ret = 1;
			continue;
		}
		if (opt_out && !(f = create_new(opt_out))) {
			free(in);
			return 1;
		}
		if (argc > 1)
			printf("# ---- %s\n", argv[i]);
		write_text(in, &in->prog, f, in->expect);
		if (f != stdout)
			fclose(f);
		free(in);
	}
	return ret;
}

static int cmd_encode(int argc, char **argv)
{
	static uint8_t bin[SF_PROG_BINARY_MAX];
	struct input *in;
	size_t n;
	FILE *f;

	if (argc != 1 || !opt_out)
		return die("encode: usage: slabfuzz encode FILE.txt -o OUT");
	in = malloc(sizeof(*in));
	if (!in || load_input(argv[0], in)) {
		free(in);
		return 1;
	}
	n = sf_prog_encode(&in->prog, bin, sizeof(bin));
	free(in);
	f = create_new(opt_out);
	if (!f)
		return 1;
	if (fwrite(bin, 1, n, f) != n || fclose(f))
		return die("%s: write error", opt_out);
	return 0;
}

static int cmd_replay(int argc, char **argv)
{
	struct input *in;
	struct outcome out;

	if (argc != 1)
		return die("replay: usage: slabfuzz replay FILE");
	in = malloc(sizeof(*in));
	if (!in || load_input(argv[0], in)) {
		free(in);
		return 1;
	}
	printf("== %s as %s, bugs %#x\n", argv[0], in->target->name, in->bugs);
	sf_prog_print(&in->prog, textbuf, sizeof(textbuf));
	printf("== program\n%s== trace\n", textbuf);
	run_child(in, &in->prog, true, true, &out);
	fputs(out.log, stdout);
	if (out.crashed)
		printf("== result: %s\n", out.title);
	else
		printf("== result: clean run\n");
	free(out.log);
	free(in);
	return out.crashed ? 1 : 0;
}

/* Remove ops [from, from+n) and renumber; false when nothing changed. */
static bool without(const struct sf_program *p, unsigned int from, unsigned int n,
		    struct sf_program *q)
{
	*q = *p;
	if (from >= p->nr_ops)
		return false;
	if (from + n > p->nr_ops)
		n = p->nr_ops - from;
	memmove(&q->ops[from], &q->ops[from + n], (q->nr_ops - from - n) * sizeof(q->ops[0]));
	q->nr_ops -= n;
	sf_prog_renumber(q);
	return true;
}

static bool same_title(const struct input *in, const struct sf_program *p, const char *title)
{
	struct outcome out;
	bool same;

	if (run_child(in, p, false, false, &out))
		return false;
	same = out.crashed && !strcmp(out.title, title);
	free(out.log);
	return same;
}

/* Simplify the header: fewer ranges, cpus, nodes; smaller debug level. */
static void minimise_header(const struct input *in, struct sf_program **best, const char *title,
			    struct sf_program *q)
{
	uint8_t bin[SF_PROG_BINARY_MAX];

	for (int round = 0; round < 3; round++) {
		struct sf_program *b = *best;
		struct sf_header h = b->h;
		bool changed = false;
		size_t n;

		for (int field = 0; field < 3; field++) {
			*q = *b;
			if (field == 0 && q->h.slab_debug > 0)
				q->h.slab_debug = 0;
			else if (field == 0 && q->h.debug_level > 0)
				q->h.debug_level--;
			else if (field == 1 && q->h.nr_ranges > 1)
				q->h.nr_ranges--;
			else if (field == 2 && q->h.nr_cpus > 1 && q->h.boot_cpu < q->h.nr_cpus - 1)
				q->h.nr_cpus--;
			else
				continue;
			/* Re-decode to clamp everything that depends on the change. */
			n = sf_prog_encode(q, bin, sizeof(bin));
			sf_prog_decode(bin, n, q);
			if (same_title(in, q, title)) {
				**best = *q;
				changed = true;
			}
		}
		(void)h;
		if (!changed)
			break;
	}
}

static int cmd_minimise(int argc, char **argv)
{
	struct input *in;
	struct outcome out = { 0 };
	struct sf_program *best, *q;
	unsigned int runs = 0;
	FILE *f;
	int ret = 1;

	if (argc != 1 || !opt_out)
		return die("minimise: usage: slabfuzz minimise FILE -o OUT.txt");
	if (!access(opt_out, F_OK))
		return die("%s exists: refusing to overwrite it (choose another -o)", opt_out);
	in = malloc(sizeof(*in));
	best = malloc(sizeof(*best));
	q = malloc(sizeof(*q));
	if (!in || !best || !q || load_input(argv[0], in))
		goto out_free;
	run_child(in, &in->prog, false, false, &out);
	if (!out.crashed) {
		ret = die("%s: runs clean as %s: nothing to minimise", argv[0], in->target->name);
		goto out_free;
	}
	fprintf(stderr, "minimise: %s: '%s', %u ops\n", argv[0], out.title, in->prog.nr_ops);
	*best = in->prog;
	for (unsigned int chunk = best->nr_ops ? best->nr_ops : 1;; chunk /= 2) {
		unsigned int from = 0;

		while (from < best->nr_ops && without(best, from, chunk, q)) {
			runs++;
			if (same_title(in, q, out.title))
				*best = *q;	/* try the same position again */
			else
				from += chunk;
		}
		if (chunk <= 1)
			break;
	}
	minimise_header(in, &best, out.title, q);
	fprintf(stderr, "minimise: %u ops left after %u runs\n", best->nr_ops, runs);
	f = create_new(opt_out);
	if (!f)
		goto out_free;
	write_text(in, best, f, out.title);
	fclose(f);
	ret = 0;
out_free:
	free(out.log);
	free(in);
	free(best);
	free(q);
	return ret;
}

struct bucket {
	char title[256];
	unsigned int count;
	size_t smallest_prog;	/* canonical binary length: text and binary alike */
	size_t smallest_size;	/* its file size */
	char smallest[1024];
};

static int cmd_triage(int argc, char **argv)
{
	struct bucket *b = calloc(256, sizeof(*b));
	unsigned int nb = 0, files = 0, clean = 0, bad = 0;
	int ret = 0;

	if (argc < 1 || !b)
		return die("triage: usage: slabfuzz triage DIR...");
	for (int a = 0; a < argc; a++) {
		DIR *d = opendir(argv[a]);
		struct dirent *e;

		if (!d) {
			ret = die("%s: %s", argv[a], strerror(errno));
			continue;
		}
		while ((e = readdir(d))) {
			char path[1024];
			struct input *in;
			struct outcome out;
			struct stat st;
			unsigned int i;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[a], e->d_name);
			if (stat(path, &st) || !S_ISREG(st.st_mode))
				continue;
			in = malloc(sizeof(*in));
			if (!in || load_input(path, in)) {
				free(in);
				bad++;
				continue;
			}
			files++;
			run_child(in, &in->prog, false, false, &out);
			if (!out.crashed) {
				clean++;
				free(out.log);
				free(in);
				continue;
			}
			for (i = 0; i < nb; i++)
				if (!strcmp(b[i].title, out.title))
					break;
			if (i == nb && nb < 256) {
				snprintf(b[nb].title, sizeof(b[nb].title), "%s", out.title);
				b[nb].smallest_prog = (size_t)-1;
				b[nb].smallest_size = (size_t)-1;
				nb++;
			}
			if (i < nb) {
				static uint8_t bin[SF_PROG_BINARY_MAX];
				size_t prog = sf_prog_encode(&in->prog, bin, sizeof(bin));

				b[i].count++;
				if (prog < b[i].smallest_prog ||
				    (prog == b[i].smallest_prog && in->size < b[i].smallest_size)) {
					b[i].smallest_prog = prog;
					b[i].smallest_size = in->size;
					snprintf(b[i].smallest, sizeof(b[i].smallest), "%s", path);
				}
			}
			free(out.log);
			free(in);
		}
		closedir(d);
	}
	printf("%-6s %-60s %s\n", "count", "title", "smallest input");
	for (unsigned int i = 0; i < nb; i++)
		printf("%-6u %-60s %s (%zu bytes)\n", b[i].count, b[i].title, b[i].smallest,
		       b[i].smallest_size);
	printf("%u inputs: %u crash%s in %u title%s, %u clean\n", files, files - clean,
	       files - clean == 1 ? "" : "es", nb, nb == 1 ? "" : "s", clean);
	free(b);
	if (bad)
		ret = die("%u file%s not loaded (see above)", bad, bad == 1 ? "" : "s");
	else if (!files && !ret)
		ret = die("no input files in %s", argc == 1 ? argv[0] : "the folders");
	return ret;
}

static int cmd_regress(int argc, char **argv)
{
	int ret = 0;

	if (argc < 1)
		return die("regress: usage: slabfuzz regress FILE...");
	for (int i = 0; i < argc; i++) {
		struct input *in = malloc(sizeof(*in));
		struct outcome out;

		if (!in || load_input(argv[i], in)) {
			free(in);
			ret = 1;
			continue;
		}
		if (in->fixed[0] && !in->expect[0]) {
			in->bugs = 0;
			run_child(in, &in->prog, false, false, &out);
			if (out.crashed) {
				fprintf(stderr, "%s", out.log);
				ret = die("%s: fixed core bug '%s' is back: got '%s'", argv[i],
					  in->fixed, out.title);
			} else if (!opt_quiet) {
				printf("%s: fixed '%s': clean\n", argv[i], in->fixed);
			}
			free(out.log);
			free(in);
			continue;
		}
		if (!in->expect[0] || !in->bugs) {
			ret = die("%s: a regression needs '# expect: TITLE' and '# bugs: LIST', or "
				  "'# fixed: TITLE' for a fixed core bug", argv[i]);
			free(in);
			continue;
		}
		run_child(in, &in->prog, false, false, &out);
		if (!out.crashed || strcmp(out.title, in->expect)) {
			fprintf(stderr, "%s", out.log);
			ret = die("%s: with bugs %#x expected '%s', got '%s'", argv[i], in->bugs,
				  in->expect, out.crashed ? out.title : "a clean run");
		} else if (!opt_quiet) {
			printf("%s: with the switch: %s\n", argv[i], out.title);
		}
		free(out.log);
		in->bugs = 0;
		run_child(in, &in->prog, false, false, &out);
		if (out.crashed) {
			fprintf(stderr, "%s", out.log);
			ret = die("%s: without the switch expected a clean run, got '%s'", argv[i],
				  out.title);
		} else if (!opt_quiet) {
			printf("%s: without the switch: clean\n", argv[i]);
		}
		free(out.log);
		free(in);
	}
	return ret;
}

static int cmd_emit_c(int argc, char **argv)
{
	struct input *in;
	struct outcome out;
	FILE *f;
	int ret;

	if (argc != 1 || !opt_out)
		return die("emit-c: usage: slabfuzz emit-c FILE -o OUT.c");
	if (!access(opt_out, F_OK))
		return die("%s exists: refusing to overwrite it (choose another -o)", opt_out);
	in = malloc(sizeof(*in));
	if (!in || load_input(argv[0], in)) {
		free(in);
		return 1;
	}
	run_child(in, &in->prog, false, false, &out);
	f = create_new(opt_out);
	if (!f) {
		free(out.log);
		free(in);
		return 1;
	}
	ret = sf_emit_c(f, in->target, &in->prog, in->bugs, out.crashed ? out.title : NULL);
	if (fclose(f))
		ret = die("%s: write error", opt_out);
	free(out.log);
	free(in);
	return ret;
}

/* The child writes the tree after a clean run, exits 3 when it cannot. */
static int cmd_export_sysfs(int argc, char **argv)
{
	struct input *in;
	struct outcome out;
	int ret = 0;

	if (argc != 2)
		return die("export-sysfs: usage: slabfuzz export-sysfs DIR FILE");
	if (sysfs_export_check_dir(argv[0]))
		return 1;
	in = malloc(sizeof(*in));
	if (!in || load_input(argv[1], in)) {
		free(in);
		return 1;
	}
	child_export = sysfs_export_new(argv[0]);
	if (!child_export) {
		free(in);
		return die("out of memory");
	}
	run_child(in, &in->prog, false, false, &out);
	if (WIFEXITED(out.status) && WEXITSTATUS(out.status) == 3) {
		fputs(out.log, stderr);
		ret = 1;
	} else if (out.crashed) {
		fputs(out.log, stderr);
		ret = die("%s: %s: the run failed, nothing exported", argv[1], out.title);
	} else {
		printf("%s: end state of %s in %s/sys/kernel/slab and %s/proc/slabinfo\n", argv[1],
		       in->target->name, argv[0], argv[0]);
	}
	sysfs_export_free(child_export);
	child_export = NULL;
	free(out.log);
	free(in);
	return ret;
}

static int run_command(const char *cmd, int nfiles, char **files)
{
	if (!strcmp(cmd, "print"))
		return cmd_print(nfiles, files);
	if (!strcmp(cmd, "decode")) {
		if (!opt_out)
			return die("decode: usage: slabfuzz decode FILE -o OUT.txt (or: print)");
		return cmd_print(nfiles, files);
	}
	if (!strcmp(cmd, "encode"))
		return cmd_encode(nfiles, files);
	if (!strcmp(cmd, "replay"))
		return cmd_replay(nfiles, files);
	if (!strcmp(cmd, "minimise") || !strcmp(cmd, "minimize"))
		return cmd_minimise(nfiles, files);
	if (!strcmp(cmd, "triage"))
		return cmd_triage(nfiles, files);
	if (!strcmp(cmd, "regress"))
		return cmd_regress(nfiles, files);
	if (!strcmp(cmd, "emit-c"))
		return cmd_emit_c(nfiles, files);
	if (!strcmp(cmd, "export-sysfs"))
		return cmd_export_sysfs(nfiles, files);
	fprintf(stderr, "slabfuzz: unknown command '%s'\n", cmd);
	return usage();
}

int main(int argc, char **argv)
{
	const char *cmd;
	char **files;
	int nfiles = 0, ret;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	files = calloc((size_t)argc, sizeof(*files));
	if (!files)
		return 1;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--target") && i + 1 < argc) {
			opt_target = argv[++i];
			if (!sf_target_find(opt_target)) {
				ret = die("unknown target '%s'", opt_target);
				goto out_free;
			}
		} else if (!strcmp(argv[i], "--bugs") && i + 1 < argc) {
			opt_bugs = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			opt_out = argv[++i];
		} else if (!strcmp(argv[i], "-q")) {
			opt_quiet = true;
		} else if (!strcmp(argv[i], "--binary")) {
			opt_binary = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			ret = die("unknown option '%s'", argv[i]);
			goto out_free;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	ret = run_command(cmd, nfiles, files);
out_free:
	free(files);
	return ret;
}
