/* SPDX-License-Identifier: MIT */
/*
 * The end state as /sys/kernel/slab and /proc/slabinfo (tools/sysfs_export.h).
 *
 * Every registered name (slab_sysfs_list: directories "name", aliases
 * "name -> cache") leads to a cache; slab_sysfs_dir_name() gives the
 * directory the kernel makes for it. A name equal to its directory is the
 * directory; any other is a symlink to it, relative as sysfs shows it
 * ("kmalloc-64 -> :0000064"). A directory holds one file per attribute
 * (slab_attr_show, the core's formats), mode 0400, 0600 for those that take
 * stores, as SLUB makes them. '/' in a name becomes '!' as kobject names
 * do. Two caches with one directory name, or a name that is "." or "..",
 * make the capture fail: the model does not merge every pair the kernel
 * would, and such a tree has no kernel form.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs_export.h"

enum entry_kind { E_DIR, E_FILE, E_LINK };

struct entry {
	enum entry_kind kind;
	char path[256];		/* relative to the export's dir */
	char *data;		/* file contents or link target */
	size_t len;
	mode_t mode;
	char cache[SLAB_NAME_MAX];	/* E_DIR of a cache: the cache's name */
};

struct sysfs_export {
	char *dir;
	struct entry *e;
	unsigned int nr, max;
	bool captured;
	char error[512];		/* a capture that cannot be rendered */
};

struct sysfs_export *sysfs_export_new(const char *dir)
{
	struct sysfs_export *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->dir = strdup(dir);
	if (!e->dir) {
		free(e);
		return NULL;
	}
	return e;
}

void sysfs_export_free(struct sysfs_export *e)
{
	if (!e)
		return;
	for (unsigned int i = 0; i < e->nr; i++)
		free(e->e[i].data);
	free(e->e);
	free(e->dir);
	free(e);
}

static void fail(struct sysfs_export *e, const char *fmt, const char *a, const char *b)
{
	if (!e->error[0])
		snprintf(e->error, sizeof(e->error), fmt, a, b);
}

static struct entry *find(struct sysfs_export *e, const char *path)
{
	for (unsigned int i = 0; i < e->nr; i++)
		if (!strcmp(e->e[i].path, path))
			return &e->e[i];
	return NULL;
}

/* A new entry; data (may be NULL) is copied. NULL after a failure. */
static struct entry *add(struct sysfs_export *e, enum entry_kind kind, const char *path,
			 const char *data, size_t len, mode_t mode)
{
	struct entry *n;

	if (e->error[0])
		return NULL;
	if (find(e, path)) {
		fail(e, "two entries would be %s%s", path, "");
		return NULL;
	}
	if (e->nr == e->max) {
		unsigned int nmax = e->max ? e->max * 2 : 256;
		struct entry *ne = realloc(e->e, nmax * sizeof(*ne));

		if (!ne) {
			fail(e, "out of memory%s%s", "", "");
			return NULL;
		}
		e->e = ne;
		e->max = nmax;
	}
	n = &e->e[e->nr];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	snprintf(n->path, sizeof(n->path), "%s", path);
	n->mode = mode;
	if (data) {
		n->data = malloc(len + 1);
		if (!n->data) {
			fail(e, "out of memory%s%s", "", "");
			return NULL;
		}
		memcpy(n->data, data, len);
		n->data[len] = '\0';
		n->len = len;
	}
	e->nr++;
	return n;
}

/* A sysfs name from a cache name: '/' as '!'; false for "." and "..". */
static bool sysfs_name(char *name)
{
	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '!';
	return strcmp(name, ".") && strcmp(name, "..");
}

static void capture_dir(struct sysfs_export *e, struct machine *m, const char *cache,
			const char *dir)
{
	static char buf[8192];
	char path[128];
	struct entry *d;
	const char *attr;
	bool writable;

	snprintf(path, sizeof(path), "sys/kernel/slab/%s", dir);
	d = find(e, path);
	if (d) {
		if (d->kind != E_DIR || strcmp(d->cache, cache))
			fail(e, "caches %s and %s would share one sysfs directory (the kernel "
				"merges such caches, the model did not)", d->cache, cache);
		return;
	}
	d = add(e, E_DIR, path, NULL, 0, 0755);
	if (!d)
		return;
	snprintf(d->cache, sizeof(d->cache), "%s", cache);
	for (unsigned int i = 0; (attr = slab_attr_name(i, &writable)); i++) {
		long len = slab_attr_show(m, cache, attr, buf, sizeof(buf));
		char file[256];

		if (len < 0 || (size_t)len >= sizeof(buf)) {
			fail(e, "%s/%s: show failed", cache, attr);
			return;
		}
		snprintf(file, sizeof(file), "%s/%s", path, attr);
		add(e, E_FILE, file, buf, (size_t)len, writable ? 0600 : 0400);
	}
}

/* One registered name leading to cache. */
static void capture_name(struct sysfs_export *e, struct machine *m, const char *name,
			 const char *cache)
{
	char kdir[64], kname[SLAB_NAME_MAX], path[160];
	long n = slab_sysfs_dir_name(m, cache, kdir, sizeof(kdir));
	char check[64];

	if (n < 0 || (size_t)n >= sizeof(kdir) ||
	    slab_sysfs_dir_name(m, name, check, sizeof(check)) != n || strcmp(check, kdir)) {
		fail(e, "registry entry %s (cache %s) does not resolve", name, cache);
		return;
	}
	snprintf(kname, sizeof(kname), "%s", name);
	if (!sysfs_name(kdir) || !sysfs_name(kname)) {
		fail(e, "a cache named %s%s has no sysfs form", name, "");
		return;
	}
	capture_dir(e, m, cache, kdir);
	if (strcmp(kname, kdir)) {
		snprintf(path, sizeof(path), "sys/kernel/slab/%s", kname);
		add(e, E_LINK, path, kdir, strlen(kdir), 0777);
	}
}

static char *dump_all(struct machine *m, size_t (*dump)(struct machine *, char *, size_t),
		      size_t *len)
{
	size_t n = dump(m, NULL, 0);
	char *buf = malloc(n + 1);

	if (buf)
		*len = dump(m, buf, n + 1);
	return buf;
}

void sysfs_export_capture(struct machine *m, void *arg)
{
	struct sysfs_export *e = arg;
	size_t len = 0;
	char *list, *info;

	e->captured = true;
	add(e, E_DIR, "sys", NULL, 0, 0755);
	add(e, E_DIR, "sys/kernel", NULL, 0, 0755);
	add(e, E_DIR, "sys/kernel/slab", NULL, 0, 0755);
	list = dump_all(m, slab_sysfs_list, &len);
	if (!list) {
		fail(e, "out of memory%s%s", "", "");
		return;
	}
	for (char *s = list; *s && !e->error[0];) {
		char *nl = strchr(s, '\n');
		char *arrow;

		if (nl)
			*nl = '\0';
		arrow = strstr(s, " -> ");
		if (arrow) {
			*arrow = '\0';
			capture_name(e, m, s, arrow + 4);
		} else {
			capture_name(e, m, s, s);
		}
		s = nl ? nl + 1 : s + strlen(s);
	}
	free(list);
	info = dump_all(m, dump_slabinfo, &len);
	if (!info) {
		fail(e, "out of memory%s%s", "", "");
		return;
	}
	add(e, E_DIR, "proc", NULL, 0, 0755);
	add(e, E_FILE, "proc/slabinfo", info, len, 0400);
	free(info);
}

static int dir_state(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			ret = 1;
			break;
		}
	closedir(d);
	return ret;
}

int sysfs_export_check_dir(const char *dir)
{
	int st = dir_state(dir);
	struct stat sb;

	if (st == 0 && !stat(dir, &sb) && !S_ISDIR(sb.st_mode))
		st = -ENOTDIR;
	if (st == 0 && stat(dir, &sb)) {
		/* to be created: its parent must take it */
		char *parent = strdup(dir), *slash;

		if (!parent)
			return 1;
		while ((slash = strrchr(parent, '/')) && slash > parent && !slash[1])
			*slash = '\0';	/* trailing slashes */
		slash = strrchr(parent, '/');
		if (slash)
			slash[slash == parent] = '\0';
		if (access(slash ? parent : ".", W_OK | X_OK)) {
			fprintf(stderr, "slabfuzz: %s: cannot create it: %s: %s\n", dir,
				slash ? parent : ".", strerror(errno));
			free(parent);
			return 1;
		}
		free(parent);
	}
	if (st > 0) {
		fprintf(stderr, "slabfuzz: %s exists and is not empty: refusing to export into it "
			"(give a new or an empty DIR)\n", dir);
		return 1;
	}
	if (st < 0) {
		fprintf(stderr, "slabfuzz: %s: %s\n", dir, strerror(-st));
		return 1;
	}
	return 0;
}

static int write_entry(const char *dir, const struct entry *n)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, n->path);
	switch (n->kind) {
	case E_DIR:
		if (mkdir(path, n->mode))
			return -errno;
		return 0;
	case E_LINK:
		if (symlink(n->data, path))
			return -errno;
		return 0;
	case E_FILE:
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, n->mode);
		if (fd < 0)
			return -errno;
		if (n->len && write(fd, n->data, n->len) != (ssize_t)n->len) {
			int err = errno ? errno : EIO;

			close(fd);
			return -err;
		}
		return close(fd) ? -errno : 0;
	}
	return -EINVAL;
}

int sysfs_export_write(struct sysfs_export *e)
{
	if (!e->captured) {
		fprintf(stderr, "slabfuzz: export-sysfs: the run never reached its end state "
			"(slabfuzz replay FILE shows where it stopped)\n");
		return 1;
	}
	if (e->error[0]) {
		fprintf(stderr, "slabfuzz: export-sysfs: %s; nothing written\n", e->error);
		return 1;
	}
	if (sysfs_export_check_dir(e->dir))
		return 1;
	if (mkdir(e->dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "slabfuzz: %s: cannot create: %s\n", e->dir, strerror(errno));
		return 1;
	}
	for (unsigned int i = 0; i < e->nr; i++) {
		int err = write_entry(e->dir, &e->e[i]);

		if (err) {
			fprintf(stderr, "slabfuzz: %s/%s: %s (the export is incomplete)\n", e->dir,
				e->e[i].path, strerror(-err));
			return 1;
		}
	}
	return 0;
}
