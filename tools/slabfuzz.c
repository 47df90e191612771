/* SPDX-License-Identifier: MIT */
/*
 * slabfuzz: one tool for programs and crashes. `slabfuzz --help` (the
 * usage text below) lists every command, option and default.
 *
 * Every run of a program happens in a child process in its own process
 * group, so a crash of any kind is observed, never suffered, and a run that
 * exceeds the time limit (--timeout, default 10 s) is killed with its whole
 * group and titled "HARNESS: timeout". Nothing is overwritten: an output
 * path that exists is refused. Exit status: 0 done (a clean run), 1 a
 * failure (a crash, a regression that does not hold, a bad input file),
 * 2 a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interp.h"
#include "emit.h"
#include "sysfs_export.h"

#define DEFAULT_TIMEOUT 10.0

static const char *opt_target;
static const char *opt_bugs;
static const char *opt_out;
static bool opt_quiet;
static bool opt_binary;
static bool opt_dump;
static double opt_timeout = DEFAULT_TIMEOUT;

static const char usage_text[] =
	"usage: slabfuzz COMMAND [OPTIONS] FILE...\n"
	"       slabfuzz help [COMMAND] | -h | --help | COMMAND --help\n"
	"\n"
	"commands:\n"
	"  print FILE... [-o OUT.txt]  any input (engine crash file or text) as a text program\n"
	"  encode FILE.txt -o OUT      a program as canonical binary (what fuzz targets read)\n"
	"  decode FILE -o OUT.txt      a binary input as a text program (print into a file)\n"
	"  replay FILE                 run it: every op traced, the result, the state dumps\n"
	"                              (buddyinfo, zoneinfo, memory map, slabinfo) at a failure;\n"
	"                              --dump: at the end of a clean run too\n"
	"  minimise FILE -o OUT.txt    smallest program with the same title (also: minimize)\n"
	"  triage DIR...               one row per title (addresses, values and cache size\n"
	"                              classes normalised): count, smallest input\n"
	"  emit-c FILE -o OUT.c        standalone C reproducer using the core API only\n"
	"  export-sysfs DIR FILE       the end state of FILE's run as DIR/sys/kernel/slab\n"
	"                              and DIR/proc/slabinfo (DIR must not exist or be empty)\n"
	"  regress FILE...             regression inputs: '# expect: TITLE' with their\n"
	"                              '# bugs:' switch and clean without it; '# fixed: TITLE'\n"
	"                              (a fixed core bug) must run clean\n"
	"  title [LOG...]              the title of a crash log (a run's stderr, a fuzzer's\n"
	"                              log; stdin without LOG) and its triage form\n"
	"  help [COMMAND]              this text\n"
	"\n"
	"options:\n"
	"  --target NAME     run as this target (targets: below; default: '# target:' of a\n"
	"                    text file, else a path component naming a target, such as\n"
	"                    fuzz-work/fuzz_pages/crashes/ or crash-fuzz_pages-..., else program)\n"
	"  --bugs LIST       historical bug switches (below), comma-separated, or none\n"
	"                    (default: '# bugs:' of a text file, else $SLABFUZZ_BUGS, else none)\n"
	"  --timeout SECS    time limit of each run of a program (replay, minimise, triage,\n"
	"                    regress, emit-c, export-sysfs), fractional seconds (default 10); at the limit\n"
	"                    the run's process group is killed and its title is\n"
	"                    'HARNESS: timeout'; minimise gives every try the same limit\n"
	"  --dump            replay: the state dumps at the end of any run, clean or not\n"
	"  --binary          take a file that looks foreign (a known file format, text\n"
	"                    without the 'slabfuzz-program N' line, more than 64 KiB) as a\n"
	"                    fuzz input anyway (any bytes decode)\n"
	"  -o OUT            the output file; it must not exist (never overwritten)\n"
	"  -q                regress: print failures only\n"
	"  -h, --help        this text\n"
	"  --                the rest are files\n"
	"\n"
	"exit status: 0 done (a clean run), 1 a failure (a crash, a regression that does\n"
	"not hold, a file that cannot be used), 2 a usage error\n";

/* The usage text, then the targets and bug switches this build knows. */
static void print_usage(FILE *f)
{
	fputs(usage_text, f);
	fprintf(f, "\ntargets:");
	for (const struct sf_target *t = sf_targets; t->name; t++)
		fprintf(f, " %s", t->name);
	fprintf(f, "\nbug switches:");
	for (unsigned int b = 1; b; b <<= 1)
		if (strcmp(sf_bug_name((enum sf_bug)b), "?"))
			fprintf(f, " %s", sf_bug_name((enum sf_bug)b));
	fprintf(f, "\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: the problem, then the usage, on stderr; exit status 2. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "slabfuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	print_usage(stderr);
	return 2;
}

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
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

/*
 * A binary input is decoded as the fuzz targets decode it (sf_fuzz_one):
 * at most SF_PROG_BINARY_MAX bytes, a truncated last op dropped, missing
 * header bytes read as 0. Such a file is still a valid input (engines save
 * inputs cut anywhere), so it runs; the user is told on one line.
 */
static void decode_binary(const char *path, const char *buf, size_t len, struct sf_program *p)
{
	size_t used = len < SF_PROG_BINARY_MAX ? len : SF_PROG_BINARY_MAX;
	struct sf_prog_cut cut;

	sf_prog_decode_cut((const uint8_t *)buf, used, p, &cut);
	if (cut.header)
		fprintf(stderr, "slabfuzz: %s: note: truncated: ends inside the machine header "
			"(%zu bytes; the missing ones read as 0, as in the fuzz targets)\n", path, len);
	else if (cut.op_bytes)
		fprintf(stderr, "slabfuzz: %s: note: truncated: ends %zu byte%s into op #%u "
			"(dropped, as in the fuzz targets)\n", path, cut.op_bytes,
			cut.op_bytes == 1 ? "" : "s", cut.op_index);
	if (cut.ignored || used < len)
		fprintf(stderr, "slabfuzz: %s: note: the last %zu bytes are ignored (after %u ops "
			"or %u bytes, as in the fuzz targets)\n", path, cut.ignored + (len - used),
			SF_PROG_MAX_OPS, SF_PROG_BINARY_MAX);
}

static int load_input(const char *path, struct input *in)
{
	char err[512], bugs[256] = "";
	size_t len = 0;
	char *buf;
	bool text;
	struct sf_error e;
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->path = path;
	if (stat(path, &st))
		return die("%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return die("%s: is a folder, not a program file", path);
	/* An empty file is most likely a mistake, but an engine does save the
	 * empty input: with --target or --binary it is that fuzz input. */
	if ((st.st_size || (!opt_target && !opt_binary)) &&
	    sf_prog_load_file(path, &in->prog, err, sizeof(err)))
		return die("%s%s", err, st.st_size ? "" : " (--target or --binary takes it as "
			   "the empty fuzz input)");
	buf = read_all(path, &len);
	if (!buf)
		return die("%s: cannot read", path);
	in->size = len;
	text = sf_prog_is_text((const uint8_t *)buf, len);
	if (!opt_binary && !text) {
		const char *kind = foreign_kind(buf, len, opt_target != NULL);

		if (kind) {
			free(buf);
			return die("%s: not a slabfuzz program or fuzz input: %s (--binary takes "
				   "it as a fuzz input anyway)", path, kind);
		}
	}
	if (text) {
		header_comment(buf, "expect", in->expect, sizeof(in->expect));
		header_comment(buf, "bugs", bugs, sizeof(bugs));
		header_comment(buf, "fixed", in->fixed, sizeof(in->fixed));
	} else {
		decode_binary(path, buf, len, &in->prog);
	}
	in->target = infer_target(path, text ? buf : NULL);
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

/* ---- titles ---- */

#define TITLE_MAX 256
#define TIMEOUT_TITLE "HARNESS: timeout"

/*
 * The title of a run from its log (the child's stderr): the first
 * "slabfuzz: " line (a report or a harness oracle), else the sanitizer's
 * (with the first frame outside the runtime, or UBSan's source file).
 * These are the raw titles; see normalise() for what triage does to them.
 */
static void title_from_log(const char *log, char *title, size_t size)
{
	const char *s;

	title[0] = '\0';
	if (strstr(log, "\nslabfuzz: " TIMEOUT_TITLE "\n") ||
	    !strncmp(log, "slabfuzz: " TIMEOUT_TITLE "\n", 10 + sizeof(TIMEOUT_TITLE)) ||
	    strstr(log, "ERROR: libFuzzer: timeout")) {
		snprintf(title, size, "%s", TIMEOUT_TITLE);
		return;
	}
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
		/* "path/file.c:LINE:COL: runtime error: MSG": the file, not the line. */
		const char *line = s, *file = NULL, *colon;
		char where[64] = "";

		while (line > log && line[-1] != '\n')
			line--;
		colon = memchr(line, ':', (size_t)(s - line));
		if (colon && colon > line) {
			file = colon;
			while (file > line && file[-1] != '/')
				file--;
			snprintf(where, sizeof(where), " in %.*s", (int)(colon - file), file);
		}
		snprintf(title, size, "UBSan: %.*s%s", (int)strcspn(s + 15, "\n"), s + 15, where);
		return;
	}
	s = strstr(log, "ERROR: LeakSanitizer");
	if (s) {
		snprintf(title, size, "LeakSanitizer: detected memory leaks");
		return;
	}
}

/*
 * Triage's normalisation of a title: the parts that vary between inputs
 * hitting the same bug become a placeholder, so one bug is one row.
 *   addresses    0x... anywhere -> ADDR (they differ from run to run, so
 *                every command compares titles with this one applied)
 *   numbers      in sanitizer titles, decimal values outside '...' types
 *                and not a width ("64-bit", "8 byte") -> N; in any title
 *                a number after pfn/offset/size/index/object/nr/count/len
 *                -> N. Never in "internal invariant broken: COND" (code
 *                text), "killed by signal N", "exit status N", and never
 *                an order (order-3 is part of the bug, as in the kernel)
 *   cache names  the cache of "BUG <cache> (Not tainted): ..." and "BUG
 *                kmem_cache_destroy <cache>: ...": kmalloc-192, kmalloc-8k,
 *                dma-kmalloc-64, cache3 -> kmalloc-N, dma-kmalloc-N,
 *                cacheN (the size class or the program's cache number is
 *                not the bug; the dma- prefix is)
 * Returns the rules that changed something (NORM_* bits).
 */
enum { NORM_ADDRESSES = 1, NORM_NUMBERS = 2, NORM_CACHES = 4, NORM_ALL = 7 };
static const char *const norm_names[] = { "addresses", "numbers", "cache names" };

static bool is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A key word right before s (past ' ', ':', '='): the number is not identity. */
static bool keyed_number(const char *title, const char *s)
{
	static const char *const keys[] = { "pfn", "offset", "size", "index", "object",
					    "nr", "count", "len" };
	const char *e = s;

	while (e > title && (e[-1] == ' ' || e[-1] == ':' || e[-1] == '='))
		e--;
	if (e == s)
		return false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t l = strlen(keys[i]);

		if ((size_t)(e - title) >= l && !strncmp(e - l, keys[i], l) &&
		    (e - l == title || !is_word(e[-(long)l - 1])))
			return true;
	}
	return false;
}

static unsigned int normalise(const char *in, char *out, size_t size, unsigned int rules)
{
	bool sanitizer = !strncmp(in, "UBSan: ", 7) || !strncmp(in, "AddressSanitizer: ", 18) ||
			 !strncmp(in, "LeakSanitizer: ", 15);
	bool code = !strncmp(in, "internal invariant broken: ", 27) ||
		    !strncmp(in, "killed by signal ", 17) || !strncmp(in, "exit status ", 12);
	const char *cache = NULL, *cache_end = NULL;
	bool quoted = false;
	unsigned int applied = 0;
	size_t w = 0;

	/* The cache name of a slab report title. */
	if (!strncmp(in, "BUG ", 4) && strchr(in, ':')) {
		cache = in + 4;
		if (!strncmp(cache, "kmem_cache_destroy ", 19))
			cache += 19;
		cache_end = cache + strcspn(cache, " :");
	}
	for (const char *s = in; *s && w + 8 < size;) {
		const char *put = NULL;
		const char *next = s + 1;
		unsigned int rule = 0;

		if (*s == '\'')
			quoted = !quoted;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && is_hex(s[2]) &&
		    (s == in || !is_word(s[-1]))) {
			next = s + 2;
			while (is_hex(*next))
				next++;
			put = "ADDR";
			rule = NORM_ADDRESSES;
		} else if (*s >= '0' && *s <= '9' && cache && s >= cache && s < cache_end) {
			while (*next >= '0' && *next <= '9')
				next++;
			if (*next == 'k' && next + 1 == cache_end)
				next++;
			put = "N";
			rule = NORM_CACHES;
		} else if (*s >= '0' && *s <= '9' && !code && (s == in || !is_word(s[-1]))) {
			while (*next >= '0' && *next <= '9')
				next++;
			if (!is_word(*next) && !quoted &&
			    ((sanitizer && strncmp(next, "-bit", 4) && strncmp(next, " byte", 5) &&
			      strncmp(next, "-byte", 5)) ||
			     keyed_number(in, s))) {
				put = "N";
				rule = NORM_NUMBERS;
			}
		}
		if (put && (rules & rule)) {
			w += (size_t)snprintf(out + w, size - w, "%s", put);
			applied |= rule;
		} else {
			size_t l = (size_t)(next - s);

			if (l > size - 1 - w)
				l = size - 1 - w;
			memcpy(out + w, s, l);
			w += l;
		}
		s = next;
	}
	out[w] = '\0';
	return applied;
}

/* ---- running in a child ---- */

struct outcome {
	bool crashed;
	bool timed_out;
	int status;
	char raw[TITLE_MAX];	/* the title as the log gives it */
	char title[TITLE_MAX];	/* with addresses normalised: the same for every run */
	char *log;		/* child's stderr */
};

static struct sf_run_opts child_opts;

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sysfs_export *child_export;	/* export-sysfs: captured and written by the child */

static void child_main(const struct input *in, const struct sf_program *p, bool trace,
		       bool dump, int logfd, pid_t parent)
{
	/* Its own process group (killed whole at the time limit), and dead
	 * with the tool (a Ctrl-C reaches only the tool's group). */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	dup2(logfd, 2);
	close(logfd);
	if (!trace) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
	}
	memset(&child_opts, 0, sizeof(child_opts));
	child_opts.bugs = in->bugs;
	child_opts.trace = trace ? stdout : NULL;
	child_opts.dump_on_failure = dump;
	child_opts.dump_at_end = dump && opt_dump;
	child_opts.at_end = child_export ? sysfs_export_capture : NULL;
	child_opts.at_end_arg = child_export;
	sf_run_program(in->target, p, &child_opts);
	if (child_export && sysfs_export_write(child_export))
		_exit(3);
	fflush(stdout);
	_exit(0);
}

/* Read the child's stderr into out->log (1 << 14 bytes allocated) until it
 * closes or the deadline; false at the deadline. */
static bool read_log(int fd, struct outcome *out, double deadline)
{
	size_t cap = 1 << 14, len = 0;

	for (;;) {
		double left = deadline - now_seconds();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int ready;

		if (left <= 0)
			break;
		ready = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready == 0)
			continue;
		if (len == cap) {
			char *nl = realloc(out->log, (cap *= 2) + 1);

			if (!nl)
				break;
			out->log = nl;
		}
		n = read(fd, out->log + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			out->log[len] = '\0';
			return true;
		}
		len += (size_t)n;
	}
	out->log[len] = '\0';
	return deadline - now_seconds() > 0;
}

/* Wait for the child until the deadline; false at the deadline. */
static bool wait_child(pid_t pid, int *status, double deadline)
{
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			return true;
		if (now_seconds() >= deadline)
			return false;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
}

static void add_to_log(struct outcome *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_to_log(struct outcome *out, const char *fmt, ...)
{
	size_t len = out->log ? strlen(out->log) : 0;
	char line[256];
	char *nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	nl = realloc(out->log, len + strlen(line) + 1);
	if (!nl)
		return;
	memcpy(nl + len, line, strlen(line) + 1);
	out->log = nl;
}

static int run_child(const struct input *in, const struct sf_program *p, bool trace, bool dump,
		     struct outcome *out)
{
	pid_t parent = getpid();
	int pipefd[2];
	double deadline;
	bool in_time;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->log = malloc((1 << 14) + 1);
	if (!out->log)
		return die("out of memory");
	if (pipe(pipefd)) {
		free(out->log);
		out->log = NULL;
		return die("pipe: %s", strerror(errno));
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		free(out->log);
		out->log = NULL;
		return die("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(pipefd[0]);
		child_main(in, p, trace, dump, pipefd[1], parent);
	}
	setpgid(pid, pid);	/* as the child does: no window in our group */
	close(pipefd[1]);
	deadline = now_seconds() + opt_timeout;
	in_time = read_log(pipefd[0], out, deadline) && wait_child(pid, &out->status, deadline);
	close(pipefd[0]);
	if (!in_time) {
		if (kill(-pid, SIGKILL))
			kill(pid, SIGKILL);
		waitpid(pid, &out->status, 0);
		out->timed_out = true;
		add_to_log(out, "slabfuzz: " TIMEOUT_TITLE "\nno result after %g s (--timeout): "
			   "process group %d killed\n", opt_timeout, (int)pid);
	}
	out->crashed = out->timed_out ||
		       !(WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0);
	if (!out->crashed)
		return 0;
	title_from_log(out->log, out->raw, sizeof(out->raw));
	if (!out->raw[0]) {
		if (WIFSIGNALED(out->status))
			snprintf(out->raw, sizeof(out->raw), "killed by signal %d",
				 WTERMSIG(out->status));
		else
			snprintf(out->raw, sizeof(out->raw), "exit status %d",
				 WEXITSTATUS(out->status));
	}
	normalise(out->raw, out->title, sizeof(out->title), NORM_ADDRESSES);
	return 0;
}

/* ---- commands ---- */

static char textbuf[1 << 18];

static void write_text(const struct input *in, const struct sf_program *p, FILE *f,
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
}

/* Close a file create_new made; on a write error remove it (it is ours). */
static int close_new(FILE *f, const char *path)
{
	bool bad = ferror(f);

	if (fclose(f) || bad) {
		unlink(path);
		return die("%s: write error", path);
	}
	return 0;
}

/* A child's log, framed so it is never taken for the tool's own messages. */
static void print_log(FILE *f, const char *path, const struct outcome *out)
{
	fprintf(f, "---- log of the run of %s\n%s---- end of log\n", path, out->log);
}

static int cmd_print(int argc, char **argv)
{
	int ret = 0;

	if (opt_out && argc != 1)
		return usage_error("print: -o takes one input");
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
		if (f != stdout && close_new(f, opt_out))
			ret = 1;
		free(in);
	}
	return ret;
}

static int cmd_decode(int argc, char **argv)
{
	return cmd_print(argc, argv);
}

static int cmd_encode(int argc, char **argv)
{
	static uint8_t bin[SF_PROG_BINARY_MAX];
	struct input *in;
	size_t n;
	FILE *f;

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
	fwrite(bin, 1, n, f);
	return close_new(f, opt_out);
}

static int cmd_replay(int argc, char **argv)
{
	struct input *in;
	struct outcome out;

	in = malloc(sizeof(*in));
	if (!in || load_input(argv[0], in)) {
		free(in);
		return 1;
	}
	printf("== %s as %s, bugs %#x\n", argv[0], in->target->name, in->bugs);
	sf_prog_print(&in->prog, textbuf, sizeof(textbuf));
	printf("== program\n%s== trace\n", textbuf);
	if (run_child(in, &in->prog, true, true, &out)) {
		free(in);
		return 1;
	}
	printf("== log (the run's stderr: reports, state dumps)\n%s", out.log);
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
static void minimise_header(const struct input *in, struct sf_program *best, const char *title,
			    struct sf_program *q)
{
	uint8_t bin[SF_PROG_BINARY_MAX];

	for (int round = 0; round < 3; round++) {
		bool changed = false;
		size_t n;

		for (int field = 0; field < 3; field++) {
			*q = *best;
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
				*best = *q;
				changed = true;
			}
		}
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

	if (!access(opt_out, F_OK))
		return die("%s exists: refusing to overwrite it (choose another -o)", opt_out);
	in = malloc(sizeof(*in));
	best = malloc(sizeof(*best));
	q = malloc(sizeof(*q));
	if (!in || !best || !q || load_input(argv[0], in))
		goto out_free;
	if (run_child(in, &in->prog, false, false, &out))
		goto out_free;
	if (!out.crashed) {
		ret = die("%s: runs clean as %s: nothing to minimise", argv[0], in->target->name);
		goto out_free;
	}
	fprintf(stderr, "minimise: %s: '%s', %u ops%s\n", argv[0], out.title, in->prog.nr_ops,
		out.timed_out ? " (every try may take up to --timeout)" : "");
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
	minimise_header(in, best, out.title, q);
	fprintf(stderr, "minimise: %u ops left after %u runs\n", best->nr_ops, runs);
	f = create_new(opt_out);
	if (!f)
		goto out_free;
	write_text(in, best, f, out.title);
	ret = close_new(f, opt_out);
out_free:
	free(out.log);
	free(in);
	free(best);
	free(q);
	return ret;
}

struct bucket {
	char title[TITLE_MAX];	/* normalised: the dedup key */
	char raw[TITLE_MAX];	/* the smallest input's own title */
	unsigned int norm;	/* NORM_* rules that changed a title of this row */
	unsigned int count;
	bool several;		/* more than one distinct raw title */
	char first_raw[TITLE_MAX];
	size_t smallest_prog;	/* canonical binary length: text and binary alike */
	size_t smallest_size;	/* its file size */
	char smallest[1024];
};

struct triage {
	struct bucket *b;
	unsigned int nb, cap;
	unsigned int files, clean, bad;
};

static struct bucket *bucket_of(struct triage *t, const char *title)
{
	for (unsigned int i = 0; i < t->nb; i++)
		if (!strcmp(t->b[i].title, title))
			return &t->b[i];
	if (t->nb == t->cap) {
		unsigned int cap = t->cap ? t->cap * 2 : 16;
		struct bucket *nb = realloc(t->b, cap * sizeof(*nb));

		if (!nb)
			return NULL;
		t->b = nb;
		t->cap = cap;
	}
	memset(&t->b[t->nb], 0, sizeof(t->b[0]));
	snprintf(t->b[t->nb].title, TITLE_MAX, "%s", title);
	t->b[t->nb].smallest_prog = (size_t)-1;
	t->b[t->nb].smallest_size = (size_t)-1;
	return &t->b[t->nb++];
}

static int triage_file(struct triage *t, const char *path)
{
	static uint8_t bin[SF_PROG_BINARY_MAX];
	char key[TITLE_MAX];
	struct input *in = malloc(sizeof(*in));
	struct outcome out;
	struct bucket *b;
	unsigned int norm;
	size_t prog;

	if (!in || load_input(path, in)) {
		free(in);
		t->bad++;
		return 0;
	}
	t->files++;
	if (run_child(in, &in->prog, false, false, &out)) {
		free(in);
		return 1;
	}
	if (!out.crashed) {
		t->clean++;
		goto out_free;
	}
	norm = normalise(out.raw, key, sizeof(key), NORM_ALL);
	b = bucket_of(t, key);
	if (!b) {
		free(out.log);
		free(in);
		return die("out of memory");
	}
	if (!b->count++)
		snprintf(b->first_raw, sizeof(b->first_raw), "%s", out.raw);
	else if (strcmp(b->first_raw, out.raw))
		b->several = true;
	b->norm |= norm;
	prog = sf_prog_encode(&in->prog, bin, sizeof(bin));
	if (prog < b->smallest_prog || (prog == b->smallest_prog && in->size < b->smallest_size)) {
		b->smallest_prog = prog;
		b->smallest_size = in->size;
		snprintf(b->smallest, sizeof(b->smallest), "%s", path);
		snprintf(b->raw, sizeof(b->raw), "%s", out.raw);
	}
out_free:
	free(out.log);
	free(in);
	return 0;
}

static void triage_print(const struct triage *t)
{
	printf("%-6s %-60s %s\n", "count", "title", "smallest input");
	for (unsigned int i = 0; i < t->nb; i++) {
		const struct bucket *b = &t->b[i];
		char rules[64] = "";

		printf("%-6u %-60s %s (%zu bytes)\n", b->count, b->title, b->smallest,
		       b->smallest_size);
		if (!b->norm)
			continue;
		for (unsigned int r = 0; r < 3; r++)
			if (b->norm & (1u << r))
				snprintf(rules + strlen(rules), sizeof(rules) - strlen(rules), "%s%s",
					 rules[0] ? ", " : "", norm_names[r]);
		printf("%-6s normalised: %s; %s raw title%s, the smallest input's: %s\n", "",
		       rules, b->several ? "several" : "one", b->several ? "s" : "", b->raw);
	}
	printf("%u inputs: %u crash%s in %u title%s, %u clean\n", t->files, t->files - t->clean,
	       t->files - t->clean == 1 ? "" : "es", t->nb, t->nb == 1 ? "" : "s", t->clean);
}

static int cmd_triage(int argc, char **argv)
{
	struct triage t = { 0 };
	int ret = 0;

	for (int a = 0; a < argc && !ret; a++) {
		struct dirent **names;
		int n = scandir(argv[a], &names, NULL, alphasort);

		if (n < 0) {
			ret = die("%s: %s", argv[a], strerror(errno));
			break;
		}
		for (int i = 0; i < n; i++) {
			char path[1024];
			struct stat st;

			if (names[i]->d_name[0] != '.' && !ret) {
				snprintf(path, sizeof(path), "%s/%s", argv[a], names[i]->d_name);
				if (!stat(path, &st) && S_ISREG(st.st_mode))
					ret = triage_file(&t, path);
			}
			free(names[i]);
		}
		free(names);
	}
	if (!ret) {
		triage_print(&t);
		if (t.bad)
			ret = die("%u file%s not loaded (see above)", t.bad, t.bad == 1 ? "" : "s");
		else if (!t.files)
			ret = die("no input files in %s", argc == 1 ? argv[0] : "the folders");
	}
	free(t.b);
	return ret;
}

static const char *bugs_text(unsigned int bugs, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int b = 1; b && n < size; b <<= 1)
		if (bugs & b)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
					      sf_bug_name((enum sf_bug)b));
	return buf[0] ? buf : "none";
}

static int cmd_regress(int argc, char **argv)
{
	char bugs[256];
	int ret = 0;

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
			if (run_child(in, &in->prog, false, false, &out)) {
				free(in);
				return 1;
			}
			if (out.crashed) {
				print_log(stderr, argv[i], &out);
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
		for (int with = 1; with >= 0; with--) {
			if (!with)
				in->bugs = 0;
			if (run_child(in, &in->prog, false, false, &out)) {
				free(in);
				return 1;
			}
			if (with && (!out.crashed || strcmp(out.title, in->expect))) {
				print_log(stderr, argv[i], &out);
				ret = die("%s: with bugs %s expected '%s', got '%s'", argv[i],
					  bugs_text(in->bugs, bugs, sizeof(bugs)), in->expect,
					  out.crashed ? out.title : "a clean run");
			} else if (!with && out.crashed) {
				print_log(stderr, argv[i], &out);
				ret = die("%s: without the switch expected a clean run, got '%s'",
					  argv[i], out.title);
			} else if (!opt_quiet) {
				printf("%s: %s: %s\n", argv[i],
				       with ? "with the switch" : "without the switch",
				       with ? out.title : "clean");
			}
			free(out.log);
		}
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

	if (!access(opt_out, F_OK))
		return die("%s exists: refusing to overwrite it (choose another -o)", opt_out);
	in = malloc(sizeof(*in));
	if (!in || load_input(argv[0], in)) {
		free(in);
		return 1;
	}
	if (run_child(in, &in->prog, false, false, &out)) {
		free(in);
		return 1;
	}
	f = create_new(opt_out);
	if (!f) {
		free(out.log);
		free(in);
		return 1;
	}
	ret = sf_emit_c(f, in->target, &in->prog, in->bugs, out.crashed ? out.title : NULL);
	if (close_new(f, opt_out)) {
		ret = 1;
	} else if (ret) {
		/* What was written is not a reproducer: nothing half-made is kept. */
		unlink(opt_out);
		ret = die("%s: %s: cannot be emitted as C, %s not written", argv[0],
			  in->target->name, opt_out);
	}
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

	(void)argc;
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
	if (run_child(in, &in->prog, false, false, &out)) {
		ret = 1;
	} else {
		if (WIFEXITED(out.status) && WEXITSTATUS(out.status) == 3) {
			fputs(out.log, stderr);
			ret = 1;
		} else if (out.crashed) {
			fputs(out.log, stderr);
			ret = die("%s: %s: the run failed, nothing exported", argv[1], out.title);
		} else {
			printf("%s: end state of %s in %s/sys/kernel/slab and %s/proc/slabinfo\n",
			       argv[1], in->target->name, argv[0], argv[0]);
		}
		free(out.log);
	}
	sysfs_export_free(child_export);
	child_export = NULL;
	free(in);
	return ret;
}

static void print_title(const char *name, const char *log)
{
	char raw[TITLE_MAX], key[TITLE_MAX], rules[64] = "";
	unsigned int norm;

	title_from_log(log, raw, sizeof(raw));
	if (!raw[0]) {
		printf("%s: no title (no slabfuzz report or sanitizer error in the log)\n", name);
		return;
	}
	norm = normalise(raw, key, sizeof(key), NORM_ALL);
	for (unsigned int r = 0; r < 3; r++)
		if (norm & (1u << r))
			snprintf(rules + strlen(rules), sizeof(rules) - strlen(rules), "%s%s",
				 rules[0] ? ", " : "", norm_names[r]);
	printf("%s: title: %s\n%s: triage: %s\n%s: normalised: %s\n", name, raw, name, key, name,
	       rules[0] ? rules : "nothing");
}

static int cmd_title(int argc, char **argv)
{
	int ret = 0;

	if (!argc) {
		static char log[1 << 20];
		size_t n = fread(log, 1, sizeof(log) - 1, stdin);

		if (ferror(stdin))
			return die("stdin: read error");
		log[n] = '\0';
		print_title("stdin", log);
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		size_t len;
		struct stat st;
		char *log;

		if (stat(argv[i], &st)) {
			ret = die("%s: %s", argv[i], strerror(errno));
			continue;
		}
		if (!S_ISREG(st.st_mode) || st.st_size > (16 << 20)) {
			ret = die("%s: %s", argv[i], S_ISDIR(st.st_mode) ? "is a folder, not a log" :
				  !S_ISREG(st.st_mode) ? "not a regular file" :
				  "too large for a crash log (16 MiB)");
			continue;
		}
		log = read_all(argv[i], &len);
		if (!log) {
			ret = die("%s: cannot read", argv[i]);
			continue;
		}
		if (!len)
			ret = die("%s: empty file", argv[i]);
		else if (memchr(log, '\0', len))
			ret = die("%s: not a crash log: binary data (a crash input? try replay)",
				  argv[i]);
		else
			print_title(argv[i], log);
		free(log);
	}
	return ret;
}

/* ---- the command line ---- */

enum {
	OPT_INPUT = 1,		/* --target --bugs --binary */
	OPT_RUN = 2,		/* --timeout */
	OPT_DUMP = 4,
	OPT_QUIET = 8,
	OPT_OUT = 16,		/* -o, optional */
	OPT_OUT_NEEDED = 32,	/* -o, required */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	int min_files, max_files;	/* -1: any */
	unsigned int opts;
	const char *args;
};

static const struct command commands[] = {
	{ "print", cmd_print, 1, -1, OPT_INPUT | OPT_OUT, "FILE... [-o OUT.txt]" },
	{ "encode", cmd_encode, 1, 1, OPT_INPUT | OPT_OUT_NEEDED, "FILE.txt -o OUT" },
	{ "decode", cmd_decode, 1, 1, OPT_INPUT | OPT_OUT_NEEDED, "FILE -o OUT.txt (or: print)" },
	{ "replay", cmd_replay, 1, 1, OPT_INPUT | OPT_RUN | OPT_DUMP, "FILE" },
	{ "minimise", cmd_minimise, 1, 1, OPT_INPUT | OPT_RUN | OPT_OUT_NEEDED, "FILE -o OUT.txt" },
	{ "minimize", cmd_minimise, 1, 1, OPT_INPUT | OPT_RUN | OPT_OUT_NEEDED, "FILE -o OUT.txt" },
	{ "triage", cmd_triage, 1, -1, OPT_INPUT | OPT_RUN, "DIR..." },
	{ "emit-c", cmd_emit_c, 1, 1, OPT_INPUT | OPT_RUN | OPT_OUT_NEEDED, "FILE -o OUT.c" },
	{ "regress", cmd_regress, 1, -1, OPT_INPUT | OPT_RUN | OPT_QUIET, "FILE..." },
	{ "export-sysfs", cmd_export_sysfs, 2, 2, OPT_INPUT | OPT_RUN, "DIR FILE" },
	{ "title", cmd_title, 0, -1, 0, "[LOG...]" },
	{ NULL, NULL, 0, 0, 0, NULL },
};

static const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int help(void)
{
	print_usage(stdout);
	return 0;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]; NULL when it is not this option. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t l = strlen(name);

	if (strncmp(argv[*i], name, l))
		return NULL;
	if (argv[*i][l] == '=')
		return argv[*i] + l + 1;
	if (argv[*i][l])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int parse_timeout(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v <= 0 || v > 1e6)
		return usage_error("--timeout: '%s' is not a number of seconds above 0 "
				   "(at most 1e6; fractions allowed)", s);
	opt_timeout = v;
	return 0;
}

static const char *opt_timeout_text;

/* The options of command c from argv[2..]; files into files[]. */
static int parse_args(const struct command *c, int argc, char **argv, char **files, int *nfiles)
{
	static const struct {
		const char *name;
		unsigned int group;	/* the commands it applies to */
		const char **value;	/* an option with a value, or */
		bool *flag;		/* a flag */
	} specs[] = {
		{ "--target", OPT_INPUT, &opt_target, NULL },
		{ "--bugs", OPT_INPUT, &opt_bugs, NULL },
		{ "--binary", OPT_INPUT, NULL, &opt_binary },
		{ "--timeout", OPT_RUN, &opt_timeout_text, NULL },
		{ "--dump", OPT_DUMP, NULL, &opt_dump },
		{ "-q", OPT_QUIET, NULL, &opt_quiet },
		{ "-o", OPT_OUT | OPT_OUT_NEEDED, &opt_out, NULL },
	};
	bool only_files = false;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		bool missing = false;
		size_t k;

		if (only_files || a[0] != '-' || !a[1]) {
			files[(*nfiles)++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			only_files = true;
			continue;
		}
		for (k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
			if (specs[k].flag ? !strcmp(a, specs[k].name) :
			    (val = option_value(argc, argv, &i, specs[k].name, &missing)) || missing)
				break;
		}
		if (k == sizeof(specs) / sizeof(specs[0]))
			return usage_error("%s: unknown option '%s'", c->name, a);
		if (missing)
			return usage_error("%s: option %s needs a value", c->name, a);
		if (!(c->opts & specs[k].group))
			return usage_error("%s: option %s does not apply to %s", c->name, a, c->name);
		if (specs[k].flag)
			*specs[k].flag = true;
		else
			*specs[k].value = val;
	}
	if (opt_target && !sf_target_find(opt_target))
		return usage_error("%s: unknown target '%s'", c->name, opt_target);
	if (opt_timeout_text && parse_timeout(opt_timeout_text))
		return 2;
	if (*nfiles < c->min_files || (c->max_files >= 0 && *nfiles > c->max_files))
		return usage_error("%s: usage: slabfuzz %s %s", c->name, c->name, c->args);
	if ((c->opts & OPT_OUT_NEEDED) && !opt_out)
		return usage_error("%s: usage: slabfuzz %s %s", c->name, c->name, c->args);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;
	char **files;
	int nfiles = 0, ret;

	if (argc < 2)
		return usage_error("no command");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return help();
	if (!strcmp(argv[1], "help")) {
		if (argc > 2 && !command_find(argv[2]))
			return usage_error("help: unknown command '%s'", argv[2]);
		return help();
	}
	c = command_find(argv[1]);
	if (!c)
		return usage_error("unknown %s '%s'", argv[1][0] == '-' ? "option" : "command",
				   argv[1]);
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return help();
	files = calloc((size_t)argc, sizeof(*files));
	if (!files)
		return die("out of memory");
	ret = parse_args(c, argc, argv, files, &nfiles);
	if (!ret)
		ret = c->fn(nfiles, files);
	free(files);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "slabfuzz: stdout: write error\n");
		if (!ret)
			ret = 1;
	}
	return ret;
}
