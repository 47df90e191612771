/* SPDX-License-Identifier: MIT */
/*
 * Snapshot and restore of a machine in place (slabfuzz/snapshot.h).
 *
 * A machine's state is in three places, and the take copies each:
 *   - the host arena (core/host_arena.c): struct machine and every host
 *     structure, at an address that does not move, so its bytes copied back
 *     are valid again (pointers point into the arena, into the simulated
 *     memory, which does not move either, or at static data);
 *   - the simulated memory the machine has written: exactly the pages whose
 *     generation byte (core/host_memory.c) is the machine's at the take (the
 *     set S; handing out is the only way to writable simulated memory);
 *   - the ASan shadow of the arena and of the whole simulated memory.
 * The restore copies S's pages back, and a page handed out only after the
 * take is marked as written by an older machine: it reads as zero again
 * when next handed out, as in a fresh boot (where it would not have been
 * handed out yet). Then the shadow of the arena and of every page in S or
 * handed out since is loaded back as it was. memcpy carries MSan's
 * initialisation state with the bytes, so MSan builds need nothing more.
 *
 * Why a copy back of S rather than a MAP_PRIVATE memfd image reset with
 * MADV_DONTNEED: the memfd would make the kernel track the written pages,
 * but it cannot reset ASan's shadow (a separate mapping that ASan owns), so
 * the written set would still be needed here; the model records it itself
 * (the generation bytes), and S (the memmap, the boot's slabs) is small on
 * fuzz machines: docs/bench.md has the measured cost of both parts.
 */
#include <string.h>

#include "internal.h"

SF_NO_COVERAGE_BEGIN

struct sf_snapshot {
	struct machine *m;
	struct host_arena *arena;
	size_t arena_used;
	uint8_t *arena_copy;		/* [0, arena_used) */
	uint8_t *arena_shadow;		/* ASan shadow of it (none without ASan) */
	pfn_t *pfns;			/* S, ascending */
	size_t nr_pfns;
	uint8_t *pages;			/* nr_pfns pages, in pfns order */
	uint64_t *in_s;			/* bit per pfn of the mapping */
	uint8_t *mem_shadow;		/* ASan shadow of [0, mem_size) (none without ASan) */
	size_t bytes;			/* the copies */
	size_t resident;		/* pages of the mapping written since mapped */
};

static bool leak_counter;

void sf_snapshot_test_leak_counter(bool on)
{
	leak_counter = on;
}

#ifdef SF_HAVE_TSAN
bool sf_snapshot_supported(void)
{
	return false;
}
#else
bool sf_snapshot_supported(void)
{
	return true;
}
#endif

struct machine *sf_snapshot_machine(const struct sf_snapshot *s)
{
	return s->m;
}

size_t sf_snapshot_bytes(const struct sf_snapshot *s)
{
	return s->bytes + s->resident * PAGE_SIZE;
}

/* Copy a page of simulated memory whatever its poisoning, which stays. */
static void copy_page_out(struct sf_snapshot *s, size_t i, uint8_t *page)
{
	uint8_t shadow[PAGE_SIZE / 8];

	kasan_shadow_save(page, PAGE_SIZE, shadow);
	kasan_unpoison(page, PAGE_SIZE);
	memcpy(s->pages + i * PAGE_SIZE, page, PAGE_SIZE);
	kasan_shadow_load(page, PAGE_SIZE, shadow);
}

void sf_snapshot_destroy(struct sf_snapshot *s)
{
	if (!s)
		return;
	machine_destroy(sf_snapshot_release(s));
}

struct machine *sf_snapshot_release(struct sf_snapshot *s)
{
	struct machine *m = s->m;

	free(s);
	return m;
}

/* Everything of a snapshot is one host allocation, carved in this order. */
static uint8_t *carve(uint8_t **at, size_t size)
{
	uint8_t *p = *at;

	*at += (size + 63) & ~(size_t)63;
	return p;
}

struct sf_snapshot *sf_snapshot_take(struct machine *m)
{
	struct sf_snapshot *s;
	size_t npfn = m->max_pfn, nr = 0, used = host_arena_used(m->arena);
	size_t shadow = kasan_shadow_size(m->mem_size), ashadow = kasan_shadow_size(used);
	size_t bitmap = (npfn / 64 + 1) * sizeof(uint64_t), bytes;
	uint8_t *at;

	for (pfn_t pfn = 0; pfn < npfn; pfn++)
		nr += m->mem_dirty[pfn] == m->mem_gen;
	bytes = sizeof(*s) + 64 * 6 + used + ashadow + nr * sizeof(pfn_t) + nr * PAGE_SIZE +
		bitmap + shadow;
	s = sf_snapshot_supported() ? malloc(bytes) : NULL;
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	at = (uint8_t *)s + ((sizeof(*s) + 63) & ~(size_t)63);
	s->m = m;
	s->arena = m->arena;
	s->arena_used = used;
	s->arena_copy = carve(&at, used);
	s->arena_shadow = carve(&at, ashadow);
	s->pfns = (pfn_t *)carve(&at, nr * sizeof(pfn_t));
	s->pages = carve(&at, nr * PAGE_SIZE);
	s->in_s = (uint64_t *)carve(&at, bitmap);
	s->mem_shadow = carve(&at, shadow);
	memset(s->in_s, 0, bitmap);
	host_arena_assert_valid(m->arena);
	for (pfn_t pfn = 0; pfn < npfn; pfn++) {
		if (m->mem_dirty[pfn] != m->mem_gen)
			continue;
		s->in_s[pfn / 64] |= 1ull << (pfn % 64);
		s->pfns[s->nr_pfns] = pfn;
		copy_page_out(s, s->nr_pfns++, m->mem_base + PFN_PHYS(pfn));
	}
	kasan_shadow_save(m->mem_base, m->mem_size, s->mem_shadow);
	kasan_shadow_save(s->arena, s->arena_used, s->arena_shadow);
	kasan_unpoison(s->arena, s->arena_used);
	memcpy(s->arena_copy, s->arena, s->arena_used);
	kasan_shadow_load(s->arena, s->arena_used, s->arena_shadow);
	/* The copies, the machine's arena and its written pages. */
	s->bytes = bytes + used;
	s->resident = nr;
	return s;
}

void sf_snapshot_restore(struct sf_snapshot *s)
{
	struct machine *m = s->m;
	size_t used_now = host_arena_used(s->arena);
	uint8_t gen = m->mem_gen;
	atomic_ulong leaked[NR_SCHED_POINTS];

	memcpy(leaked, m->cpus[m->topo.boot_cpu].sched_hits, sizeof(leaked));
	/* The locks come back free (as at the take), whatever this thread held. */
	lockdep_forget_machine(m);

	/* Pages handed out since the take (all below max_pfn): as if never
	 * handed out. */
	s->resident = 0;
	for (pfn_t pfn = 0; pfn < m->max_pfn; pfn++) {
		s->resident += m->mem_dirty[pfn] != 0;
		if (m->mem_dirty[pfn] != gen || (s->in_s[pfn / 64] >> (pfn % 64)) & 1)
			continue;
		host_memory_forget(m, pfn);
		kasan_shadow_load(m->mem_base + PFN_PHYS(pfn), PAGE_SIZE,
				  s->mem_shadow + PFN_PHYS(pfn) / 8);
	}
	for (size_t i = 0; i < s->nr_pfns; i++) {
		uint8_t *page = m->mem_base + PFN_PHYS(s->pfns[i]);

		kasan_unpoison(page, PAGE_SIZE);
		memcpy(page, s->pages + i * PAGE_SIZE, PAGE_SIZE);
		kasan_shadow_load(page, PAGE_SIZE, s->mem_shadow + PFN_PHYS(s->pfns[i]) / 8);
	}
	/* The arena last: m itself lives there. */
	kasan_unpoison(s->arena, used_now > s->arena_used ? used_now : s->arena_used);
	memcpy(s->arena, s->arena_copy, s->arena_used);
	kasan_shadow_load(s->arena, s->arena_used, s->arena_shadow);
	if (used_now > s->arena_used)
		kasan_poison((uint8_t *)s->arena + s->arena_used, used_now - s->arena_used);
	if (leak_counter)
		memcpy(m->cpus[m->topo.boot_cpu].sched_hits, leaked, sizeof(leaked));
}

SF_NO_COVERAGE_END
