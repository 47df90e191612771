/* SPDX-License-Identifier: MIT */
/*
 * campaign_report: a static HTML page for a campaign work folder.
 *
 *   campaign_report [-o OUT.html] [--title TEXT] WORK
 *
 * Reads what tools/campaign_scale.sh keeps in WORK:
 *   campaign.tsv            key<TAB>value (engine, jobs, seconds, started, host, bugs)
 *   <target>/stats.tsv      header, then elapsed execs exec_per_s coverage corpus crashes
 *   <target>/crashes.tsv    title count smallest size new reproduce (optional)
 * and writes one self-contained page (no scripts or styles from elsewhere):
 * coverage and exec/s over time as inline SVG plots (a line per target), the
 * crash table and the corpus size per target. OUT defaults to
 * WORK/report-YYYYmmdd-HHMMSS.html; an existing file is never overwritten.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 64
#define MAX_SAMPLES 100000
#define MAX_CRASHES 256

struct sample {
	double t, execs, eps, cov, corpus, crashes;
};

struct crash {
	char *title, *smallest, *reproduce;
	long count, size;
	bool is_new;
};

struct target {
	char name[128];
	struct sample *s;
	size_t n;
	struct crash c[MAX_CRASHES];
	size_t nc;
};

static struct target targets[MAX_TARGETS];
static size_t ntargets;
static char *meta_keys[32], *meta_vals[32];
static size_t nmeta;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "campaign_report: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: campaign_report [-o OUT.html] [--title TEXT] WORK\n");
	return 2;
}

/* Split line (modified in place) at tabs into at most max fields. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static bool parse_num(const char *s, double *v)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*v = strtod(s, &end);
	return !errno && *end == '\0' && isfinite(*v);
}

static int read_meta(const char *work)
{
	char path[4096], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/campaign.tsv", work);
	f = fopen(path, "r");
	if (!f)
		return 0; /* optional: a folder of tools/campaign.sh has none */
	while (fgets(line, sizeof(line), f) && nmeta < 32) {
		char *fl[2];

		if (split_tabs(line, fl, 2) != 2)
			continue;
		meta_keys[nmeta] = strdup(fl[0]);
		meta_vals[nmeta] = strdup(fl[1]);
		if (!meta_keys[nmeta] || !meta_vals[nmeta])
			return fail("out of memory");
		nmeta++;
	}
	fclose(f);
	return 0;
}

static const char *meta(const char *key)
{
	for (size_t i = 0; i < nmeta; i++)
		if (!strcmp(meta_keys[i], key))
			return meta_vals[i];
	return NULL;
}

static int read_stats(const char *path, struct target *t)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	unsigned long lineno = 0;
	size_t cap = 0;

	if (!f)
		return fail("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *fl[6];
		double v[6];
		size_t nf;

		lineno++;
		if (lineno == 1 && !strncmp(line, "elapsed", 7))
			continue;
		if (line[0] == '\n' || line[0] == '\0')
			continue;
		nf = split_tabs(line, fl, 6);
		if (nf != 6) {
			fclose(f);
			return fail("%s:%lu: expected 6 tab-separated fields, found %zu", path,
				    lineno, nf);
		}
		for (size_t i = 0; i < 6; i++) {
			if (!parse_num(fl[i], &v[i])) {
				fclose(f);
				return fail("%s:%lu: field %zu ('%s') is not a number", path, lineno,
					    i + 1, fl[i]);
			}
		}
		if (t->n == MAX_SAMPLES)
			break;
		if (t->n == cap) {
			struct sample *ns = realloc(t->s, (cap = cap ? 2 * cap : 64) * sizeof(*ns));

			if (!ns) {
				fclose(f);
				return fail("out of memory");
			}
			t->s = ns;
		}
		t->s[t->n++] = (struct sample){ v[0], v[1], v[2], v[3], v[4], v[5] };
	}
	fclose(f);
	if (!t->n)
		return fail("%s: no samples", path);
	return 0;
}

static int read_crashes(const char *path, struct target *t)
{
	char line[8192];
	FILE *f = fopen(path, "r");
	unsigned long lineno = 0;

	if (!f)
		return errno == ENOENT ? 0 : fail("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) && t->nc < MAX_CRASHES) {
		char *fl[6];
		double cnt, size;
		struct crash *c = &t->c[t->nc];

		lineno++;
		if (line[0] == '\n')
			continue;
		if (split_tabs(line, fl, 6) != 6 || !parse_num(fl[1], &cnt) ||
		    !parse_num(fl[3], &size)) {
			fclose(f);
			return fail("%s:%lu: expected title, count, smallest, size, new, reproduce",
				    path, lineno);
		}
		c->title = strdup(fl[0]);
		c->smallest = strdup(fl[2]);
		c->reproduce = strdup(fl[5]);
		if (!c->title || !c->smallest || !c->reproduce) {
			fclose(f);
			return fail("out of memory");
		}
		c->count = (long)cnt;
		c->size = (long)size;
		c->is_new = !strcmp(fl[4], "1");
		t->nc++;
	}
	fclose(f);
	return 0;
}

static int cmp_target(const void *a, const void *b)
{
	return strcmp(((const struct target *)a)->name, ((const struct target *)b)->name);
}

static int read_work(const char *work)
{
	DIR *d = opendir(work);
	struct dirent *e;

	if (!d)
		return fail("%s: %s", work, strerror(errno));
	if (read_meta(work)) {
		closedir(d);
		return -1;
	}
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		struct target *t;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(t->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/stats.tsv", work, e->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (ntargets == MAX_TARGETS)
			break;
		t = &targets[ntargets];
		snprintf(t->name, sizeof(t->name), "%s", e->d_name);
		if (read_stats(path, t)) {
			closedir(d);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s/crashes.tsv", work, e->d_name);
		if (read_crashes(path, t)) {
			closedir(d);
			return -1;
		}
		ntargets++;
	}
	closedir(d);
	if (!ntargets)
		return fail("%s: no <target>/stats.tsv: not a campaign work folder "
			    "(tools/campaign_scale.sh writes them)", work);
	qsort(targets, ntargets, sizeof(targets[0]), cmp_target);
	return 0;
}

/* ---- output ---- */

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char *const colours[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd",
				       "#ff7f0e", "#17becf", "#8c564b", "#e377c2" };

static double field(const struct sample *s, int which)
{
	return which == 0 ? s->cov : which == 1 ? s->eps : s->corpus;
}

/* A "nice" upper bound for an axis. */
static double nice_max(double v)
{
	double p, m;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	m = v / p;
	static const double steps[] = { 1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10 };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (m <= steps[i] + 1e-9)
			return steps[i] * p;
	return 10 * p;
}

static void fmt_num(char *buf, size_t size, double v)
{
	if (v >= 1e6)
		snprintf(buf, size, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, size, "%.0fk", v / 1e3);
	else if (v == floor(v))
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.3g", v);
}

static void plot(FILE *f, const char *id, const char *title, const char *ylabel, int which)
{
	const double W = 720, H = 300, L = 70, R = 170, T = 30, B = 45;
	double tmax = 0, ymax = 0, pw = W - L - R, ph = H - T - B;
	char buf[64];

	for (size_t i = 0; i < ntargets; i++)
		for (size_t j = 0; j < targets[i].n; j++) {
			if (targets[i].s[j].t > tmax)
				tmax = targets[i].s[j].t;
			if (field(&targets[i].s[j], which) > ymax)
				ymax = field(&targets[i].s[j], which);
		}
	tmax = nice_max(tmax);
	ymax = nice_max(ymax);
	fprintf(f, "<figure><svg class=\"plot\" id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
		   "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		   "aria-label=\"",
		id, W, H, W, H);
	esc(f, title);
	fprintf(f, "\">\n<title>");
	esc(f, title);
	fprintf(f, "</title>\n<text x=\"%.0f\" y=\"18\" class=\"ptitle\">", L);
	esc(f, title);
	fprintf(f, "</text>\n");
	/* grid and axes */
	for (int k = 0; k <= 4; k++) {
		double y = T + ph - ph * k / 4, x = L + pw * k / 4;

		fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			L, y, L + pw, y);
		fmt_num(buf, sizeof(buf), ymax * k / 4);
		fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			L - 6, y + 4, buf);
		fmt_num(buf, sizeof(buf), tmax * k / 4);
		fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
			x, T + ph + 16, buf);
	}
	fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", L,
		T + ph, L + pw, T + ph);
	fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", L, T,
		L, T + ph);
	fprintf(f, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">seconds</text>\n",
		L + pw / 2, H - 8);
	fprintf(f, "<text class=\"label\" transform=\"translate(16 %.1f) rotate(-90)\" "
		   "text-anchor=\"middle\">", T + ph / 2);
	esc(f, ylabel);
	fprintf(f, "</text>\n");
	for (size_t i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];
		const char *c = colours[i % (sizeof(colours) / sizeof(colours[0]))];

		fprintf(f, "<polyline class=\"series\" data-target=\"%s\" fill=\"none\" "
			   "stroke=\"%s\" stroke-width=\"2\" points=\"", t->name, c);
		for (size_t j = 0; j < t->n; j++)
			fprintf(f, "%s%.1f,%.1f", j ? " " : "", L + pw * t->s[j].t / tmax,
				T + ph - ph * field(&t->s[j], which) / ymax);
		if (t->n == 1) /* one sample: a short flat segment so it shows */
			fprintf(f, " %.1f,%.1f", L + pw * t->s[0].t / tmax + 3,
				T + ph - ph * field(&t->s[0], which) / ymax);
		fprintf(f, "\"/>\n");
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"4\" fill=\"%s\"/>"
			   "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
			L + pw + 14, T + 8 + 18.0 * (double)i, c, L + pw + 32, T + 13 + 18.0 * (double)i,
			t->name);
	}
	fprintf(f, "</svg></figure>\n");
}

static FILE *create_new(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);

	if (fd < 0) {
		if (errno == EEXIST)
			fail("%s exists: refusing to overwrite it (choose another -o)", path);
		else
			fail("%s: cannot create: %s", path, strerror(errno));
		return NULL;
	}
	return fdopen(fd, "w");
}

static void row_kv(FILE *f, const char *k, const char *v)
{
	fprintf(f, "<tr><th>");
	esc(f, k);
	fprintf(f, "</th><td>");
	esc(f, v ? v : "-");
	fprintf(f, "</td></tr>\n");
}

static int write_report(FILE *f, const char *work, const char *title)
{
	const char *engine = meta("engine");
	bool afl = engine && !strcmp(engine, "afl");
	size_t ncrash = 0;
	char buf[64];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>");
	esc(f, title);
	fprintf(f, "</title>\n<style>\n"
		   "body{font:14px/1.4 sans-serif;margin:24px;color:#222;max-width:1100px}\n"
		   "table{border-collapse:collapse;margin:8px 0 20px}\n"
		   "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}\n"
		   "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
		   "code{font-size:12px;word-break:break-all}\n"
		   ".plot{border:1px solid #ddd;background:#fff}\n"
		   ".grid{stroke:#eee}.axis{stroke:#444}.tick,.legend{font-size:11px;fill:#333}\n"
		   ".label{font-size:12px;fill:#333}.ptitle{font-size:14px;font-weight:bold}\n"
		   ".bar{fill:#1f77b4}.new{color:#b00;font-weight:bold}\n"
		   "</style></head><body>\n<h1>");
	esc(f, title);
	fprintf(f, "</h1>\n<table id=\"campaign\">\n");
	row_kv(f, "work folder", work);
	row_kv(f, "engine", engine);
	row_kv(f, "jobs", meta("jobs"));
	row_kv(f, "seconds per target", meta("seconds"));
	row_kv(f, "started", meta("started"));
	row_kv(f, "host", meta("host"));
	row_kv(f, "bugs switched on", meta("bugs"));
	fprintf(f, "</table>\n<h2>Coverage and speed over time</h2>\n");
	plot(f, "plot-coverage",
	     afl ? "Coverage (AFL++ bitmap %, best instance)" : "Coverage (libFuzzer cov: edges)",
	     afl ? "bitmap %" : "edges", 0);
	plot(f, "plot-execs", "Executions per second", "exec/s", 1);

	fprintf(f, "<h2>Targets</h2>\n<table id=\"targets\"><tr><th>target</th><th>seconds</th>"
		   "<th>execs</th><th>exec/s (last)</th><th>coverage</th><th>corpus</th>"
		   "<th>crashes</th><th>corpus size</th></tr>\n");
	double cmax = 1;

	for (size_t i = 0; i < ntargets; i++)
		if (targets[i].s[targets[i].n - 1].corpus > cmax)
			cmax = targets[i].s[targets[i].n - 1].corpus;
	for (size_t i = 0; i < ntargets; i++) {
		const struct sample *s = &targets[i].s[targets[i].n - 1];

		fprintf(f, "<tr><td>%s</td>", targets[i].name);
		fmt_num(buf, sizeof(buf), s->t);
		fprintf(f, "<td class=\"n\">%s</td>", buf);
		fprintf(f, "<td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>", s->execs, s->eps);
		fmt_num(buf, sizeof(buf), s->cov);
		fprintf(f, "<td class=\"n\">%s%s</td><td class=\"n\">%.0f</td><td class=\"n\">%.0f</td>",
			buf, afl ? "%" : "", s->corpus, s->crashes);
		fprintf(f, "<td><svg class=\"bar-chart\" width=\"160\" height=\"12\">"
			   "<rect class=\"bar\" x=\"0\" y=\"1\" height=\"10\" width=\"%.1f\"/></svg></td></tr>\n",
			s->corpus > 0 ? fmax(1, 160 * s->corpus / cmax) : 0);
	}
	fprintf(f, "</table>\n<h2>Crashes by report title</h2>\n");
	for (size_t i = 0; i < ntargets; i++)
		ncrash += targets[i].nc;
	if (!ncrash) {
		fprintf(f, "<p id=\"no-crashes\">No crashes.</p>\n");
	} else {
		fprintf(f, "<table id=\"crashes\"><tr><th>target</th><th>title</th><th>count</th>"
			   "<th>smallest input</th><th>reproduce</th></tr>\n");
		for (size_t i = 0; i < ntargets; i++)
			for (size_t j = 0; j < targets[i].nc; j++) {
				const struct crash *c = &targets[i].c[j];

				fprintf(f, "<tr><td>%s</td><td>%s", targets[i].name,
					c->is_new ? "<span class=\"new\">NEW</span> " : "");
				esc(f, c->title);
				fprintf(f, "</td><td class=\"n\">%ld</td><td><code>", c->count);
				esc(f, c->smallest);
				fprintf(f, "</code> (%ld bytes)</td><td><code>", c->size);
				esc(f, c->reproduce);
				fprintf(f, "</code></td></tr>\n");
			}
		fprintf(f, "</table>\n");
	}
	/* Render check: a browser that laid the page out marks the plots it drew. */
	fprintf(f, "<p id=\"render-check\" data-plots=\"0\"></p>\n<script>\n"
		   "(function(){var n=0;document.querySelectorAll('svg.plot').forEach(function(s){"
		   "var r=s.getBoundingClientRect(),ok=r.width>0&&r.height>0,lines=0;"
		   "s.querySelectorAll('polyline').forEach(function(p){var b=p.getBBox();"
		   "if(p.getTotalLength()>0&&(b.width>0||b.height>0))lines++;});"
		   "if(ok&&lines>0)n++;s.setAttribute('data-rendered-lines',lines);});"
		   "var e=document.getElementById('render-check');e.setAttribute('data-plots',n);"
		   "e.textContent='plots rendered: '+n;})();\n</script>\n");
	fprintf(f, "</body></html>\n");
	return ferror(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *work = NULL, *title = "slabfuzz campaign";
	char defpath[4096];
	FILE *f;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o")) {
			if (++i == argc)
				return fail("-o needs a file name"), usage();
			out = argv[i];
		} else if (!strcmp(argv[i], "--title")) {
			if (++i == argc)
				return fail("--title needs a text"), usage();
			title = argv[i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fail("unknown option '%s'", argv[i]);
			return usage();
		} else if (work) {
			fail("one work folder only ('%s' and '%s')", work, argv[i]);
			return usage();
		} else {
			work = argv[i];
		}
	}
	if (!work)
		return usage();
	if (read_work(work))
		return 1;
	if (!out) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(defpath, sizeof(defpath), "%s/report-%s.html", work, stamp);
		out = defpath;
	}
	f = create_new(out);
	if (!f)
		return 1;
	if (write_report(f, work, title) || fclose(f)) {
		fail("%s: write error", out);
		return 1;
	}
	printf("%s\n", out);
	return 0;
}
