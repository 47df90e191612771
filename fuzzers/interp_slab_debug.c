/* SPDX-License-Identifier: MIT */
/*
 * The slab debug shadow: what the harness knows of the debug state of its
 * own objects, from its own geometry (slab_geom.c) and its own record of
 * each call, never from the core's answer:
 *   - red zones (SLAB_RED_ZONE): while an object is allocated, the left
 *     red zone and the right one up to the geometry's inuse hold the
 *     kernel's active value;
 *   - the alloc track (SLAB_STORE_USER), read where the geometry puts it:
 *     a sequence number above every one read before (exactly the count of
 *     the tracked allocs and frees the harness made, while only its own
 *     caches are tracked), the caller inside
 *     the harness's call wrappers (slab_calls.c), the cpu the harness made
 *     current and the stage; unchanged while the object lives;
 *   - object reports the harness provokes: the cache named in the title
 *     and the first body line (name, object size, stride, pointer), the
 *     message line of the check that fired, the tracks of the object and
 *     the report's node, zone and pfn: the head of the object's slab.
 * The core's red zones and tracks are ASan-poisoned: the harness reads
 * them through peek(), which ASan does not instrument.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "interp_internal.h"
#include "slab_calls.h"

#define RED_ACTIVE 0xccu	/* the kernel's SLUB_RED_ACTIVE */

/* One track record as the core lays it out (GEOM_TRACK_SIZE bytes). */
struct track_view {
	uint64_t seq;		/* 0: never */
	uintptr_t caller;
	const void *op;
	int32_t cpu;
	int32_t stage;
};
_Static_assert(sizeof(struct track_view) == GEOM_TRACK_SIZE, "track record size");

/* Volatile byte reads: no ASan check and no memcpy the compiler could
 * make of the loop (ASan intercepts memcpy). */
__attribute__((no_sanitize_address)) static void peek(void *dst, const void *src, size_t n)
{
	const volatile uint8_t *s = src;
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

/* The geometry of a live object with debug state (false: none). */
static bool debug_geom(struct run *r, const struct obj_h *o, struct slab_geom *g)
{
	return slab_obj_geom(r, o, g) && (g->flags & (SLAB_RED_ZONE | SLAB_STORE_USER));
}

static void check_redzones(struct run *r, unsigned int h, const struct slab_geom *g,
			   const char *when)
{
	const struct obj_h *o = &r->objs[h];
	const uint8_t *slot = o->ptr - g->red_left_pad;

	for (unsigned int i = 0; i < g->inuse; i++) {
		uint8_t b;

		if (i == g->red_left_pad)
			i += g->object_size;
		if (i >= g->inuse)
			break;
		peek(&b, slot + i, 1);
		if (b != RED_ACTIVE)
			run_fail(r, "HARNESS: slab red zone differs from the shadow",
				 "o%u %p %s: slot byte %u is %#x, not %#x (object at %u, size %u, "
				 "red zone to %u)", h, (void *)o->ptr, when, i, b, RED_ACTIVE,
				 g->red_left_pad, g->object_size, g->inuse);
	}
}

static void read_track(const struct obj_h *o, const struct slab_geom *g, unsigned int item,
		       struct track_view *t)
{
	peek(t, o->ptr - g->red_left_pad + g->track_offset + item * GEOM_TRACK_SIZE, sizeof(*t));
}

static _Noreturn void track_fail(struct run *r, unsigned int h, const char *why,
				 const struct track_view *t)
{
	run_fail(r, "HARNESS: slab alloc track differs from the shadow",
		 "o%u %p: %s; the track: seq %" PRIu64 " caller %#lx cpu %d stage %d; the harness: "
		 "cpu %d stage %d, last seq %" PRIu64, h, (void *)r->objs[h].ptr, why, t->seq,
		 (unsigned long)t->caller, t->cpu, t->stage, r->objs[h].track_cpu,
		 r->objs[h].track_stage, r->track_seq);
}

/* Only the harness's own calls are tracked: the count is exact. */
static bool exact_seq(const struct run *r)
{
	return !r->track_inexact &&
	       !(geom_debug_flags(sf_prog_slab_debug(&r->p->h)) & SLAB_STORE_USER);
}

void slab_debug_free_event(struct run *r, const struct obj_h *o)
{
	struct slab_geom g;

	if (slab_obj_geom(r, o, &g) && (g.flags & SLAB_STORE_USER))
		r->track_events++;
}

void slab_debug_new(struct run *r, unsigned int h, const char *op)
{
	struct obj_h *o = &r->objs[h];
	struct slab_geom g;
	struct track_view t;

	if (!debug_geom(r, o, &g))
		return;
	if (g.flags & SLAB_RED_ZONE)
		check_redzones(r, h, &g, "at allocation");
	if (!(g.flags & SLAB_STORE_USER))
		return;
	o->track_op = op;
	o->track_cpu = r->cur_cpu;
	o->track_stage = (int)machine_stage(r->m);
	read_track(o, &g, 0, &t);
	r->track_events++;
	if (!t.seq || t.seq <= r->track_seq)
		track_fail(r, h, "sequence number not above every earlier one", &t);
	if (exact_seq(r) && t.seq != r->track_events)
		track_fail(r, h, "sequence number not the count of tracked allocs and frees", &t);
	if (!slab_call_site(t.caller))
		track_fail(r, h, "caller not the harness's call", &t);
	if (t.cpu != o->track_cpu || t.stage != o->track_stage)
		track_fail(r, h, "cpu or stage not the caller's", &t);
	o->track_seq = t.seq;
	r->track_seq = t.seq;
}

void slab_debug_check(struct run *r)
{
	unsigned int n = r->p->nr_handles[HK_OBJ] + 8;

	for (unsigned int h = 0; h < n && h < SF_PROG_MAX_OPS; h++) {
		const struct obj_h *o = &r->objs[h];
		struct slab_geom g;
		struct track_view t;

		if (!o->live || !debug_geom(r, o, &g))
			continue;
		if (g.flags & SLAB_RED_ZONE)
			check_redzones(r, h, &g, "at a check point");
		if (!(g.flags & SLAB_STORE_USER))
			continue;
		read_track(o, &g, 0, &t);
		if (t.seq != o->track_seq || !slab_call_site(t.caller) || t.cpu != o->track_cpu ||
		    t.stage != o->track_stage)
			track_fail(r, h, "changed while allocated", &t);
	}
}

/* ---- object reports ---- */

void slab_report_expect(struct run *r, int obj, int cache, const void *ptr, const char *op,
			const char *fmt, ...)
{
	struct slab_report_want *w = &r->objrep;
	va_list ap;

	w->on = true;
	w->obj = obj;
	w->cache = cache;
	w->ptr = ptr;
	w->op = op;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
}

static _Noreturn void report_fail(struct run *r, const struct sf_report *rep, const char *why,
				  const char *want)
{
	run_fail(r, "HARNESS: object report differs from the shadow",
		 "%s: report '%s' op %s node %d zone %d pfn %lld; the harness expected:\n%s\n"
		 "the body:\n%s", why, rep->title, rep->op ? rep->op : "-", rep->node, rep->zone,
		 (long long)rep->pfn, want, rep->body);
}

/* "Allocated by ..." or "Freed by ..." of the report, against the harness. */
static const char *check_track_line(const char *line, const char *what,
				    const char *op, int cpu, int stage, uint64_t seq_min,
				    uint64_t seq_exact, uint64_t *seq)
{
	char want[64], got_op[40], got_stage[24];
	unsigned long caller;
	int got_cpu, n = 0;
	unsigned long long s;

	snprintf(want, sizeof(want), "%s by %%39s caller=%%lx cpu=%%d stage=%%23s seq=%%llu%%n",
		 what);
	if (sscanf(line, want, got_op, &caller, &got_cpu, got_stage, &s, &n) != 5 || !n ||
	    line[n] != '\n')
		return "a track line missing or malformed";
	if (strcmp(got_op, op) || got_cpu != cpu ||
	    strcmp(got_stage, boot_stage_name((enum boot_stage)stage)))
		return "a track's op, cpu or stage";
	if (!slab_call_site(caller))
		return "a track's caller not the harness's call";
	if (seq_exact ? s != seq_exact : s <= seq_min)
		return "a track's sequence number";
	*seq = s;
	return NULL;
}

void slab_report_check(struct run *r, const struct sf_report *rep)
{
	struct slab_report_want *w = &r->objrep;
	const struct obj_h *o;
	struct slab_geom og, g;
	char name[SLAB_NAME_MAX], want[SF_REPORT_TITLE_MAX + 256];
	const char *why = NULL, *p;
	pfn_t head;
	size_t len;

	if (!w->on || strncmp(rep->title, "BUG ", 4))
		return;
	w->on = false;
	o = &r->objs[w->obj];
	if (!slab_obj_geom(r, o, &og))
		return;
	/* The cache reported on: the one passed, or the object's own. */
	if (w->cache >= 0) {
		g = r->caches[w->cache].geom;
		slab_cache_name(r, w->cache, name, sizeof(name));
	} else {
		g = og;
		if (o->cache >= 0)
			slab_cache_name(r, o->cache, name, sizeof(name));
		else
			kmalloc_class_name(name, sizeof(name), o->kclass, o->dma);
	}
	head = page_to_pfn(r->m, virt_to_page(r->m, o->ptr)) & ~(((pfn_t)1 << og.order) - 1);
	snprintf(want, sizeof(want), "BUG %s (Not tainted): ", name);
	if (strncmp(rep->title, want, strlen(want)))
		report_fail(r, rep, "the cache in the title", want);
	snprintf(want, sizeof(want),
		 "op %s node %d zone %s pfn %#llx (the head of the object's slab)", w->op,
		 run_pfn_node(r, head), zone_type_name(run_pfn_zone(r, head)),
		 (unsigned long long)head);
	if (!rep->op || strcmp(rep->op, w->op) || rep->node != run_pfn_node(r, head) ||
	    rep->zone != (int)run_pfn_zone(r, head) || rep->pfn != (int64_t)head)
		report_fail(r, rep, "the report's op, node, zone or pfn", want);
	snprintf(want, sizeof(want), "cache %s object_size %u size %u: object %p\n%s\n", name,
		 g.object_size, g.size, w->ptr, w->msg);
	len = strlen(want);
	if (strncmp(rep->body, want, len))
		report_fail(r, rep, "the object lines", want);
	p = rep->body + len;
	/* Tracks: of an object start of its own cache with SLAB_STORE_USER. */
	if (w->cache < 0 && w->ptr == o->ptr && (g.flags & SLAB_STORE_USER)) {
		uint64_t seq;

		why = check_track_line(p, "Allocated", o->track_op, o->track_cpu,
				       o->track_stage, 0, o->track_seq, &seq);
		p = why ? p : strchr(p, '\n') + 1;
		/* The object was freed once: by the op that freed it, on
		 * this cpu and stage, after everything read before. */
		if (!why)
			why = check_track_line(p, "Freed", w->op, r->cur_cpu,
					       (int)machine_stage(r->m), r->track_seq, 0, &seq);
		if (why)
			report_fail(r, rep, why, "the tracks of the harness's alloc and free");
		r->track_seq = seq;
		p = strchr(p, '\n') + 1;
	}
	if (*p)
		report_fail(r, rep, "text past the object's lines", want);
}
