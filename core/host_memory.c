/* SPDX-License-Identifier: MIT */
/*
 * The host memory behind simulated physical memory: one anonymous mapping
 * of max_pfn pages, 2 MiB aligned, holes never touched.
 *
 * Mapping and first-touch faults cost more than a boot (a huge-page fault
 * clears 2 MiB), so a destroyed machine's mapping is parked for the next
 * machine of the process: one slot, handed to the first machine whose memory
 * fits in it. A parked mapping reads exactly like a fresh one, zero, by lazy
 * clearing: a byte per page of the mapping (mem_dirty, kept with it) holds
 * the generation of the machine that last handed the page out (0: zero,
 * never handed out since mapped or given back; HOST_GEN_STALE: of some older
 * machine). Handing out memory (memblock_alloc, the page allocator: the only
 * ways to get writable simulated memory, the rest stays ASan-poisoned)
 * zeroes the pages an earlier machine wrote before this machine sees them.
 * Distinct pfns are distinct bytes, and two hand-outs of one pfn are ordered
 * by the allocator's locks.
 *
 * The sanitizer view is the fresh one: machine_destroy unpoisons its ranges
 * for ASan, and cleared memory is initialised for MSan as fresh anonymous
 * memory is (hand-out marks it after clearing).
 *
 * Which pages are cleared, and whether a mapping is reused, depend on the
 * machines before: these functions are kept out of the fuzzers' coverage
 * (SF_NO_COVERAGE, fuzzers/coverage.denylist) so the same input gives the
 * same coverage.
 *
 * Host memory stays bounded: a parked mapping whose written pages pass
 * HOST_PARK_RESIDENT_MAX gives them all back with MADV_DONTNEED (zero on the
 * next touch).
 */
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define HOST_HUGE_SIZE (2ul << 20)
#define HOST_HUGE_MIN_MEMORY (32ul << 20)
#define HOST_PARK_RESIDENT_MAX (32ul << 20)
#define HOST_GEN_STALE 255	/* generations run 1..254 */

static struct {
	pthread_mutex_t lock;
	uint8_t *base;
	size_t size;		/* of the mapping */
	uint8_t *dirty;		/* a generation byte per page of the mapping */
	uint8_t gen;		/* of the last machine that used it */
	unsigned long resident;	/* pages ever handed out since mapped or given back */
} parked = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * A fresh anonymous mapping aligned to 2 MiB and, for machines of 32 MiB and
 * more, marked for transparent huge pages, so the memmap costs one
 * huge-page fault instead of hundreds of 4 KiB ones.
 */
static SF_NO_COVERAGE uint8_t *host_map_fresh(size_t size)
{
	size_t len = size + HOST_HUGE_SIZE;
	uint8_t *raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *aligned;

	if (raw == MAP_FAILED)
		return NULL;
	aligned = (uint8_t *)(((uintptr_t)raw + HOST_HUGE_SIZE - 1) & ~(HOST_HUGE_SIZE - 1));
	if (aligned > raw)
		munmap(raw, (size_t)(aligned - raw));
	if (raw + len > aligned + size)
		munmap(aligned + size, (size_t)(raw + len - (aligned + size)));
	/* Worth it once the memmap passes a few hundred KiB; a small fuzz
	 * machine would pay a 2 MiB clear for a few pages it touches. */
	if (size >= HOST_HUGE_MIN_MEMORY)
		madvise(aligned, size, MADV_HUGEPAGE);
	return aligned;
}

static SF_NO_COVERAGE size_t map_pages(size_t size)
{
	return size >> PAGE_SHIFT;
}

SF_NO_COVERAGE int host_memory_map(struct machine *m)
{
	size_t size = m->mem_size;
	uint8_t gen = 0;

	pthread_mutex_lock(&parked.lock);
	if (parked.base && parked.size >= size) {
		m->mem_base = parked.base;
		m->mem_map_size = parked.size;
		m->mem_dirty = parked.dirty;
		gen = parked.gen;
		atomic_init(&m->mem_resident, parked.resident);
		parked.base = NULL;
		parked.dirty = NULL;
	}
	pthread_mutex_unlock(&parked.lock);
	if (m->mem_base) {
		/* Out of generations: every written page becomes stale. */
		if (++gen == HOST_GEN_STALE) {
			for (size_t i = 0; i < map_pages(m->mem_map_size); i++)
				if (m->mem_dirty[i])
					m->mem_dirty[i] = HOST_GEN_STALE;
			gen = 1;
		}
		m->mem_gen = gen;
		return 0;
	}
	m->mem_dirty = calloc(map_pages(size) + 1, 1);
	if (!m->mem_dirty)
		return -ENOMEM;
	m->mem_base = host_map_fresh(size);
	m->mem_map_size = size;
	m->mem_gen = 1;
	atomic_init(&m->mem_resident, 0);
	return m->mem_base ? 0 : -ENOMEM;
}

SF_NO_COVERAGE void host_memory_hand_out(struct machine *m, void *addr, size_t size, bool zeroing)
{
	uint64_t phys = virt_to_phys(m, addr);
	pfn_t first = PHYS_PFN(phys);
	pfn_t end = PHYS_PFN(phys + size + PAGE_SIZE - 1);
	uint8_t gen = m->mem_gen;

	for (pfn_t pfn = first; pfn < end; pfn++) {
		uint8_t *d = &m->mem_dirty[pfn];

		if (*d == gen)
			continue;
		if (!*d)
			atomic_fetch_add_explicit(&m->mem_resident, 1, memory_order_relaxed);
		/* Written by an earlier machine: clear it, unless the caller
		 * clears all of the page itself. */
		if (*d && !(zeroing && PFN_PHYS(pfn) >= phys &&
			    PFN_PHYS(pfn + 1) <= phys + size)) {
			/* Not handed out by this machine yet: all poisoned. */
			uint8_t *page = m->mem_base + PFN_PHYS(pfn);

			kasan_unpoison(page, PAGE_SIZE);
			memset(page, 0, PAGE_SIZE);
			kasan_poison(page, PAGE_SIZE);
		}
		*d = gen;
	}
}

SF_NO_COVERAGE void host_memory_forget(struct machine *m, pfn_t pfn)
{
	m->mem_dirty[pfn] = HOST_GEN_STALE;
}

SF_NO_COVERAGE void host_memory_unmap(struct machine *m)
{
	uint8_t *old, *old_dirty;
	size_t old_size;

	if (!m->mem_base) {
		free(m->mem_dirty);
		m->mem_dirty = NULL;
		return;
	}
	if (atomic_load(&m->mem_resident) > map_pages(HOST_PARK_RESIDENT_MAX)) {
		madvise(m->mem_base, m->mem_map_size, MADV_DONTNEED);
		memset(m->mem_dirty, 0, map_pages(m->mem_map_size));
		atomic_store(&m->mem_resident, 0);
	}
	old = m->mem_base;
	old_size = m->mem_map_size;
	old_dirty = m->mem_dirty;
	pthread_mutex_lock(&parked.lock);
	if (!parked.base || parked.size < m->mem_map_size) {
		/* Keep the larger: it fits every machine the smaller fits. */
		old = parked.base;
		old_size = parked.size;
		old_dirty = parked.dirty;
		parked.base = m->mem_base;
		parked.size = m->mem_map_size;
		parked.dirty = m->mem_dirty;
		parked.gen = m->mem_gen;
		parked.resident = atomic_load(&m->mem_resident);
	}
	pthread_mutex_unlock(&parked.lock);
	if (old)
		munmap(old, old_size);
	free(old_dirty);
	m->mem_base = NULL;
	m->mem_dirty = NULL;
}
