/* SPDX-License-Identifier: MIT */
/*
 * Slab attributes like /sys/kernel/slab/<cache>/<attr>, and /proc/slabinfo.
 *
 * The registry is a table of names (directories and alias links) under
 * sysfs_lock. Lookups and attribute reads take slab_mutex first, so a cache
 * cannot be destroyed while one of its attributes is read; registration and
 * removal happen under slab_mutex too (SF_BUG_SLAB_SYSFS_RACE moves them
 * out, as before the 2010 fix). Names are unique: a second directory of the
 * same name is refused with the kernel's sysfs warning.
 */
#include <string.h>

#include "slab.h"

static struct slab_sysfs_entry *sysfs_find(struct slab_state *ss, const char *name)
{
	for (unsigned int i = 0; i < ss->nr_sysfs; i++)
		if (!strcmp(ss->sysfs[i].name, name))
			return &ss->sysfs[i];
	return NULL;
}

static int sysfs_insert(struct machine *m, struct kmem_cache *s, const char *name, bool alias)
{
	struct slab_state *ss = m->slab;
	struct slab_sysfs_entry *e;
	int ret = 0;

	spin_lock(&ss->sysfs_lock);
	e = sysfs_find(ss, name);
	if (e && alias && e->alias) {
		e->s = s;	/* a link of that name is replaced */
		goto out;
	}
	if (e) {
		struct report_ctx ctx = REPORT_CTX_NONE(alias ? "sysfs_slab_alias" : "sysfs_slab_add");

		report(m, SF_REPORT_WARN, "WARNING: sysfs: cannot create duplicate filename", &ctx,
		       "sysfs: cannot create duplicate filename '/kernel/slab/%s'\n", name);
		ret = -EEXIST;
		goto out;
	}
	if (ss->nr_sysfs == ss->max_sysfs) {
		unsigned int nmax = ss->max_sysfs ? ss->max_sysfs * 2 : 64;
		struct slab_sysfs_entry *n = host_realloc(m->arena, ss->sysfs, nmax * sizeof(*n));

		if (!n) {
			ret = -ENOMEM;
			goto out;
		}
		ss->sysfs = n;
		ss->max_sysfs = nmax;
	}
	e = &ss->sysfs[ss->nr_sysfs++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->s = s;
	e->alias = alias;
out:
	spin_unlock(&ss->sysfs_lock);
	return ret;
}

int sysfs_slab_add(struct machine *m, struct kmem_cache *s)
{
	int ret = sysfs_insert(m, s, s->name, false);

	if (!ret)
		s->sysfs_registered = true;
	return ret;
}

int sysfs_slab_alias(struct machine *m, struct kmem_cache *s, const char *name)
{
	return sysfs_insert(m, s, name, true);
}

/* Remove the directory of s and every alias to it. s is not dereferenced. */
void sysfs_slab_remove(struct machine *m, struct kmem_cache *s)
{
	struct slab_state *ss = m->slab;

	spin_lock(&ss->sysfs_lock);
	for (unsigned int i = 0; i < ss->nr_sysfs;) {
		if (ss->sysfs[i].s == s)
			ss->sysfs[i] = ss->sysfs[--ss->nr_sysfs];
		else
			i++;
	}
	spin_unlock(&ss->sysfs_lock);
}

void slab_sysfs_release(struct machine *m)
{
	struct slab_state *ss = m->slab;
	struct list_head *pos;

	spin_lock(&ss->sysfs_lock);
	host_free(m->arena, ss->sysfs);
	ss->sysfs = NULL;
	ss->nr_sysfs = ss->max_sysfs = 0;
	spin_unlock(&ss->sysfs_lock);
	list_for_each(pos, &ss->caches)
		list_entry(pos, struct kmem_cache, list)->sysfs_registered = false;
}

/* ---- attributes (slab_mutex held) ---- */

struct slab_totals {
	unsigned long slabs, partial, free_slabs, total_objects, inuse, shared_avail, free_objects;
};

static void cache_totals(struct machine *m, struct kmem_cache *s, struct slab_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);

		if (!n)
			continue;
		spin_lock(&n->list_lock);
		t->slabs += n->nr_partial + n->nr_full + n->nr_free;
		t->partial += n->nr_partial;
		t->free_slabs += n->nr_free;
		t->total_objects += n->total_objects;
		t->free_objects += n->free_objects;
		t->inuse += n->total_objects - n->free_objects;
		t->shared_avail += n->shared ? n->shared->avail : 0;
		spin_unlock(&n->list_lock);
	}
}

static unsigned long count_aliases(struct machine *m, struct kmem_cache *s)
{
	struct slab_state *ss = m->slab;
	unsigned long n = 0;

	spin_lock(&ss->sysfs_lock);
	for (unsigned int i = 0; i < ss->nr_sysfs; i++)
		n += ss->sysfs[i].s == s && ss->sysfs[i].alias;
	spin_unlock(&ss->sysfs_lock);
	return n;
}

enum slab_attr_id {
	A_OBJECT_SIZE, A_SLAB_SIZE, A_OBJS_PER_SLAB, A_ORDER, A_OBJECTS, A_TOTAL_OBJECTS,
	A_SLABS, A_PARTIAL, A_CPU_QUEUE_SIZE, A_BATCH, A_SHARED, A_ALIEN, A_ALIASES, A_ALIGN,
	A_CACHE_DMA, A_SANITY, A_RED_ZONE, A_POISON, A_STORE_USER, A_VALIDATE, A_SHRINK,
	A_OBJECTS_PARTIAL, A_HWCACHE_ALIGN, NR_SLAB_ATTRS
};

static const struct {
	const char *name;
	bool writable;
} slab_attrs[NR_SLAB_ATTRS] = {
	[A_OBJECT_SIZE] = { "object_size", false },
	[A_SLAB_SIZE] = { "slab_size", false },
	[A_OBJS_PER_SLAB] = { "objs_per_slab", false },
	[A_ORDER] = { "order", false },
	[A_OBJECTS] = { "objects", false },
	[A_TOTAL_OBJECTS] = { "total_objects", false },
	[A_SLABS] = { "slabs", false },
	[A_PARTIAL] = { "partial", false },
	[A_CPU_QUEUE_SIZE] = { "cpu_queue_size", true },
	[A_BATCH] = { "batch", true },
	[A_SHARED] = { "shared", true },
	[A_ALIEN] = { "alien", false },
	[A_ALIASES] = { "aliases", false },
	[A_ALIGN] = { "align", false },
	[A_CACHE_DMA] = { "cache_dma", false },
	[A_SANITY] = { "sanity_checks", false },
	[A_RED_ZONE] = { "red_zone", false },
	[A_POISON] = { "poison", false },
	[A_STORE_USER] = { "store_user", false },
	[A_VALIDATE] = { "validate", true },
	[A_SHRINK] = { "shrink", true },
	[A_OBJECTS_PARTIAL] = { "objects_partial", false },
	[A_HWCACHE_ALIGN] = { "hwcache_align", false },
};

static int attr_lookup(const char *name)
{
	for (int i = 0; i < NR_SLAB_ATTRS; i++)
		if (!strcmp(slab_attrs[i].name, name))
			return i;
	return -1;
}

const char *slab_attr_name(unsigned int i, bool *writable)
{
	if (i >= NR_SLAB_ATTRS)
		return NULL;
	if (writable)
		*writable = slab_attrs[i].writable;
	return slab_attrs[i].name;
}

/*
 * The counters SLUB's show_slab_objects() prints, per node: slabs, partial
 * slabs, total objects, objects in use and not queued (objects), objects
 * allocated from partial slabs (objects_partial, queued ones included).
 */
static bool node_counts(struct machine *m, struct kmem_cache *s, int id,
			unsigned long nr[SF_MAX_NODES])
{
	unsigned long queued[SF_MAX_NODES];

	switch (id) {
	case A_OBJECTS: case A_TOTAL_OBJECTS: case A_SLABS: case A_PARTIAL:
	case A_OBJECTS_PARTIAL:
		break;
	default:
		return false;
	}
	if (id == A_OBJECTS)
		slab_queued_by_node(m, s, false, queued);
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++) {
		struct kmem_cache_node *n = get_node(s, (int)nid);
		struct list_head *pos;

		nr[nid] = 0;
		if (!n)
			continue;
		spin_lock(&n->list_lock);
		switch (id) {
		case A_OBJECTS:
			nr[nid] = n->total_objects - n->free_objects - queued[nid];
			break;
		case A_TOTAL_OBJECTS: nr[nid] = n->total_objects; break;
		case A_SLABS: nr[nid] = n->nr_partial + n->nr_full + n->nr_free; break;
		case A_PARTIAL: nr[nid] = n->nr_partial; break;
		default:
			list_for_each(pos, &n->slabs_partial)
				nr[nid] += list_entry(pos, struct page, lru)->slab_inuse;
			break;
		}
		spin_unlock(&n->list_lock);
	}
	return true;
}

static unsigned long attr_value(struct machine *m, struct kmem_cache *s, int id)
{
	switch (id) {
	case A_OBJECT_SIZE: return s->object_size;
	case A_SLAB_SIZE: return s->size;
	case A_OBJS_PER_SLAB: return s->objects;
	case A_ORDER: return s->order;
	case A_CPU_QUEUE_SIZE: return s->limit;
	case A_BATCH: return s->batchcount;
	case A_SHARED: return s->shared;
	case A_ALIEN: return slab_queued_objects(m, s, true);
	case A_ALIASES: return count_aliases(m, s);
	case A_ALIGN: return s->align;
	case A_CACHE_DMA: return !!(s->flags & SLAB_CACHE_DMA);
	case A_SANITY: return !!(s->flags & SLAB_CONSISTENCY_CHECKS);
	case A_RED_ZONE: return !!(s->flags & SLAB_RED_ZONE);
	case A_POISON: return !!(s->flags & SLAB_POISON);
	case A_STORE_USER: return !!(s->flags & SLAB_STORE_USER);
	case A_HWCACHE_ALIGN: return !!(s->flags & SLAB_HWCACHE_ALIGN);
	default: return 0;
	}
}

/*
 * As the kernel formats it: one number and a newline; the counters as
 * "total N<node>=<count>..." for the nodes with a count (a CONFIG_NUMA
 * kernel, on one node too); validate and shrink read empty.
 */
static long attr_format(struct machine *m, struct kmem_cache *s, int id, char *buf,
			size_t size)
{
	unsigned long nr[SF_MAX_NODES], total = 0;
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	if (id == A_VALIDATE || id == A_SHRINK)
		return 0;
	if (!node_counts(m, s, id, nr))
		return snprintf(buf, size, "%lu\n", attr_value(m, s, id));
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++)
		total += nr[nid];
	len += (size_t)snprintf(buf, size, "%lu", total);
	for (unsigned int nid = 0; nid < m->topo.nr_nodes; nid++)
		if (nr[nid])
			len += (size_t)snprintf(len < size ? buf + len : NULL,
						len < size ? size - len : 0, " N%u=%lu", nid,
						nr[nid]);
	len += (size_t)snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				"\n");
	return (long)len;
}

/* The cache behind a registered name, slab_mutex held. */
static struct kmem_cache *sysfs_lookup(struct machine *m, const char *name)
{
	struct slab_state *ss = m->slab;
	struct slab_sysfs_entry *e;
	struct kmem_cache *s;

	spin_lock(&ss->sysfs_lock);
	e = sysfs_find(ss, name);
	s = e ? e->s : NULL;
	spin_unlock(&ss->sysfs_lock);
	return s;
}

long slab_attr_show(struct machine *m, const char *cache, const char *attr, char *buf,
		    size_t size)
{
	struct slab_state *ss = m->slab;
	struct kmem_cache *s;
	int id = attr ? attr_lookup(attr) : -1;
	long len;

	if (!ss || !cache || id < 0)
		return -ENOENT;
	spin_lock(&ss->slab_mutex);
	s = sysfs_lookup(m, cache);
	if (!s) {
		spin_unlock(&ss->slab_mutex);
		return -ENOENT;
	}
	len = attr_format(m, s, id, buf, size);
	spin_unlock(&ss->slab_mutex);
	return len;
}

/*
 * SLUB's directory name (sysfs_slab_add): a cache that can never merge is
 * named by its name; a mergeable one by its unique id ":[flags-]size"
 * (create_unique_id: 'd' for SLAB_CACHE_DMA, the model's only flag of the
 * id; the slot size in seven digits), its name and aliases link to it.
 */
long slab_sysfs_dir_name(struct machine *m, const char *cache, char *buf, size_t size)
{
	struct slab_state *ss = m->slab;
	struct kmem_cache *s;
	long len;

	if (!ss || !cache)
		return -ENOENT;
	spin_lock(&ss->slab_mutex);
	s = sysfs_lookup(m, cache);
	if (!s)
		len = -ENOENT;
	else if (slab_unmergeable(s))
		len = snprintf(buf, size, "%s", s->name);
	else
		len = snprintf(buf, size, ":%s%07u", (s->flags & SLAB_CACHE_DMA) ? "d-" : "",
			       s->size);
	spin_unlock(&ss->slab_mutex);
	return len;
}

static int parse_ulong(const char *val, unsigned long *out)
{
	char *end;

	if (!val || !*val)
		return -EINVAL;
	*out = strtoul(val, &end, 10);
	if (end == val || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

int slab_attr_store(struct machine *m, const char *cache, const char *attr, const char *val)
{
	struct slab_state *ss = m->slab;
	struct kmem_cache *s;
	int id = attr ? attr_lookup(attr) : -1;
	unsigned long v;
	int ret = 0;

	if (!ss || !cache || id < 0)
		return -ENOENT;
	if (!slab_attrs[id].writable)
		return -EACCES;
	if (parse_ulong(val, &v) || v > SLAB_LIMIT_MAX)
		return -EINVAL;
	spin_lock(&ss->slab_mutex);
	s = sysfs_lookup(m, cache);
	if (!s) {
		ret = -ENOENT;
		goto out;
	}
	switch (id) {
	case A_CPU_QUEUE_SIZE: {
		unsigned int batch = s->batchcount > v ? (unsigned int)v : s->batchcount;

		if (v < 1)
			ret = -EINVAL;
		else
			ret = slab_do_tune(m, s, (unsigned int)v, batch ? batch : 1, s->shared);
		break;
	}
	case A_BATCH:
		if (v < 1 || v > s->limit || v > SLAB_BATCH_MAX)
			ret = -EINVAL;
		else
			ret = slab_do_tune(m, s, s->limit, (unsigned int)v, s->shared);
		break;
	case A_SHARED:
		if (v > SLAB_SHARED_MAX)
			ret = -EINVAL;
		else
			ret = slab_do_tune(m, s, s->limit, s->batchcount, (unsigned int)v);
		break;
	case A_VALIDATE:
		if (v == 1)
			slab_validate_cache(m, s);
		else
			ret = -EINVAL;
		break;
	case A_SHRINK:
		if (v == 1) {
			slab_drain_all(m, s);
			slab_shrink_nodes(m, s);
		} else {
			ret = -EINVAL;
		}
		break;
	default:
		ret = -EACCES;
		break;
	}
out:
	spin_unlock(&ss->slab_mutex);
	return ret;
}

size_t slab_sysfs_list(struct machine *m, char *buf, size_t size)
{
	struct slab_state *ss = m->slab;
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	if (!ss)
		return 0;
	spin_lock(&ss->sysfs_lock);
	for (unsigned int i = 0; i < ss->nr_sysfs; i++) {
		int n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				 "%s%s\n", ss->sysfs[i].name, ss->sysfs[i].alias ? " ->" : "");

		if (ss->sysfs[i].alias) {
			len += (size_t)n - 1;
			n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				     " %s\n", ss->sysfs[i].s->name);
		}
		len += (size_t)n;
	}
	spin_unlock(&ss->sysfs_lock);
	return len;
}

/* ---- /proc/slabinfo ---- */

size_t dump_slabinfo(struct machine *m, char *buf, size_t size)
{
	struct slab_state *ss = m->slab;
	struct list_head *pos;
	size_t len = 0;
	int n;

#define EMIT(...)                                                                        \
	do {                                                                             \
		n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, \
			     __VA_ARGS__);                                               \
		len += (size_t)n;                                                        \
	} while (0)

	if (size)
		buf[0] = '\0';
	EMIT("slabinfo - version: 2.1\n");
	EMIT("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	     " : tunables <limit> <batchcount> <sharedfactor>"
	     " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	if (!ss)
		return len;
	spin_lock(&ss->slab_mutex);
	list_for_each(pos, &ss->caches) {
		struct kmem_cache *s = list_entry(pos, struct kmem_cache, list);
		struct slab_totals t;

		cache_totals(m, s, &t);
		EMIT("%-17s %6lu %6lu %6u %4u %4u : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu\n",
		     s->name, t.inuse, t.total_objects, s->size, s->objects, 1u << s->order,
		     s->limit, s->batchcount, s->shared, t.slabs - t.free_slabs, t.slabs,
		     t.shared_avail);
	}
	spin_unlock(&ss->slab_mutex);
#undef EMIT
	return len;
}
