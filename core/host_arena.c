/* SPDX-License-Identifier: MIT */
/*
 * The host allocations of one machine (struct machine itself, memblock
 * regions, slab_state, per-cpu, shared and alien queues, sysfs entries,
 * sections) come from one arena: a reservation at an address that does not
 * move while the machine lives, so a copy of the arena's bytes taken at one
 * point (core/snapshot.c) is that machine's host state and stays valid when
 * copied back in place: every pointer in it points into the arena, into the
 * simulated memory (which does not move either) or at static data.
 *
 * Layout: the control block (struct host_arena) at the start, then chunks
 * bumped one after the other. A chunk is a 16-byte header and its data,
 * chunk sizes are powers of two from 64 bytes, and data starts 64-byte
 * aligned (a cache line, as the per-cpu arrays want). A freed chunk goes
 * on the free list of its size class and is taken again first (LIFO).
 * ASan builds poison everything but the live bytes of live chunks: the
 * headers, the rounding slack after each allocation, and freed chunks, so an
 * overflow or a use after free of a host structure is caught at the access.
 * MSan builds mark a new allocation uninitialised (host_zalloc: zero).
 *
 * Like the simulated memory's mapping (core/host_memory.c), a destroyed
 * machine's reservation is parked for the next machine: mapping and first
 * touch cost more than the allocations. A parked arena is reset to empty
 * before reuse, so what a machine's allocations return depends on that
 * machine alone; only whether the reservation is new depends on the machines
 * before (SF_NO_COVERAGE, fuzzers/coverage.denylist).
 */
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define ARENA_MAGIC 0x736c6172656e61ull	/* "slarena" */
#define CHUNK_MAGIC 0x6b6e6863u		/* "chnk" */
#define CHUNK_HDR 16u
#define CHUNK_MIN_SHIFT 6		/* 64 bytes */
#define ARENA_NR_CLASSES 24		/* 64 B .. 512 MiB */
#define ARENA_RESERVE (256ul << 20)	/* virtual; only what is used is touched */
#define ARENA_NONE 0u			/* a free list's end (offset 0 is the control block) */

struct host_arena {
	uint64_t magic;
	uint64_t reserve;			/* bytes of the reservation */
	uint64_t used;				/* offset of the bump end */
	uint64_t nr_live;			/* chunks handed out and not freed */
	pthread_mutex_t lock;			/* a leaf: stress threads resize queues */
	uint32_t free_head[ARENA_NR_CLASSES];	/* offset of a chunk, ARENA_NONE */
};

struct arena_chunk {
	uint32_t magic;
	uint8_t class;
	uint8_t free;
	uint16_t unused;
	uint32_t next_free;			/* offset, while free */
	uint32_t size;				/* bytes asked for, while live */
};

_Static_assert(sizeof(struct arena_chunk) == CHUNK_HDR, "a chunk header is 16 bytes");

/* The first chunk's header ends on a 64-byte boundary after the control block. */
#define ARENA_FIRST ((sizeof(struct host_arena) + CHUNK_HDR + 63) / 64 * 64 - CHUNK_HDR)

static struct {
	pthread_mutex_t lock;
	struct host_arena *a;
} parked_arena = { .lock = PTHREAD_MUTEX_INITIALIZER };

static inline uint8_t *arena_base(const struct host_arena *a)
{
	return (uint8_t *)a;
}

static inline struct arena_chunk *chunk_at(const struct host_arena *a, uint64_t off)
{
	return (struct arena_chunk *)(arena_base(a) + off);
}

static inline uint64_t chunk_off(const struct host_arena *a, const struct arena_chunk *c)
{
	return (uint64_t)((const uint8_t *)c - arena_base(a));
}

static inline size_t class_size(unsigned int class)
{
	return (size_t)1 << (class + CHUNK_MIN_SHIFT);
}

/* Headers stay poisoned except while the arena reads or writes them. */
static inline struct arena_chunk *hdr_open(const struct host_arena *a, uint64_t off)
{
	struct arena_chunk *c = chunk_at(a, off);

	kasan_unpoison(c, CHUNK_HDR);
	return c;
}

static inline void hdr_close(struct arena_chunk *c)
{
	kasan_poison(c, CHUNK_HDR);
}

/* A copy of a header without touching its poisoning (the validator). */
__attribute__((no_sanitize("address"))) static struct arena_chunk hdr_read(
	const struct host_arena *a, uint64_t off)
{
	const volatile struct arena_chunk *c = chunk_at(a, off);
	struct arena_chunk h;

	h.magic = c->magic;
	h.class = c->class;
	h.free = c->free;
	h.unused = 0;
	h.next_free = c->next_free;
	h.size = c->size;
	return h;
}

static SF_NO_COVERAGE struct host_arena *arena_map(void)
{
	void *p = mmap(NULL, ARENA_RESERVE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static SF_NO_COVERAGE void arena_unmap(struct host_arena *a)
{
	kasan_unpoison(a, a->used);
	munmap(a, ARENA_RESERVE);
}

SF_NO_COVERAGE struct host_arena *host_arena_new(void)
{
	struct host_arena *a;

	pthread_mutex_lock(&parked_arena.lock);
	a = parked_arena.a;
	parked_arena.a = NULL;
	pthread_mutex_unlock(&parked_arena.lock);
	if (a)
		kasan_unpoison(a, a->used);
	else if (!(a = arena_map()))
		return NULL;
	memset(a, 0, sizeof(*a));
	pthread_mutex_init(&a->lock, NULL);
	a->magic = ARENA_MAGIC;
	a->reserve = ARENA_RESERVE;
	a->used = ARENA_FIRST;
	return a;
}

SF_NO_COVERAGE void host_arena_delete(struct host_arena *a)
{
	struct host_arena *old;

	if (!a)
		return;
	/* Its control block stays as it is until the next host_arena_new:
	 * host_arena_parked_live reads what was still allocated. */
	pthread_mutex_destroy(&a->lock);
	pthread_mutex_lock(&parked_arena.lock);
	old = parked_arena.a;
	parked_arena.a = a;
	pthread_mutex_unlock(&parked_arena.lock);
	if (old)
		arena_unmap(old);
}

static unsigned int size_class(size_t size)
{
	unsigned int class = 0;

	while (class < ARENA_NR_CLASSES && class_size(class) < size + CHUNK_HDR)
		class++;
	return class;
}

static void *arena_alloc(struct host_arena *a, size_t size)
{
	unsigned int class = size_class(size);
	struct arena_chunk *c;
	uint64_t off;

	if (class >= ARENA_NR_CLASSES)
		return NULL;
	off = a->free_head[class];
	if (off != ARENA_NONE) {
		c = hdr_open(a, off);
		a->free_head[class] = c->next_free;
	} else {
		if (a->used + class_size(class) > a->reserve)
			return NULL;
		off = a->used;
		a->used += class_size(class);
		c = hdr_open(a, off);
		c->magic = CHUNK_MAGIC;
		c->class = (uint8_t)class;
		/* Fresh bytes of a reused reservation: an earlier machine's. */
		kasan_poison((uint8_t *)c + CHUNK_HDR, class_size(class) - CHUNK_HDR);
	}
	c->free = 0;
	c->next_free = ARENA_NONE;
	c->size = (uint32_t)size;
	hdr_close(c);
	a->nr_live++;
	kasan_unpoison((uint8_t *)c + CHUNK_HDR, size);
	kmsan_mark_uninit((uint8_t *)c + CHUNK_HDR, size);
	return (uint8_t *)c + CHUNK_HDR;
}

void *host_alloc(struct host_arena *a, size_t size)
{
	void *p;

	pthread_mutex_lock(&a->lock);
	p = arena_alloc(a, size);
	pthread_mutex_unlock(&a->lock);
	return p;
}

void *host_zalloc(struct host_arena *a, size_t size)
{
	void *p = host_alloc(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *host_calloc(struct host_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return host_zalloc(a, n * size);
}

/* The header of p, which must be a live chunk of a (SF_BUG_ON otherwise:
 * the core freeing a host pointer twice or a foreign one is the core's bug). */
static struct arena_chunk *live_chunk(struct host_arena *a, const void *p)
{
	uint64_t off = (uint64_t)((const uint8_t *)p - arena_base(a)) - CHUNK_HDR;
	struct arena_chunk *c;

	SF_BUG_ON((const uint8_t *)p < arena_base(a) + ARENA_FIRST + CHUNK_HDR ||
		  off >= a->used || (off + CHUNK_HDR) % 64);
	c = hdr_open(a, off);
	SF_BUG_ON(c->magic != CHUNK_MAGIC || c->free);
	return c;
}

static void arena_free(struct host_arena *a, void *p)
{
	struct arena_chunk *c = live_chunk(a, p);

	c->free = 1;
	c->size = 0;
	c->next_free = a->free_head[c->class];
	a->free_head[c->class] = (uint32_t)chunk_off(a, c);
	kasan_poison(p, class_size(c->class) - CHUNK_HDR);
	hdr_close(c);
	a->nr_live--;
}

void host_free(struct host_arena *a, void *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&a->lock);
	arena_free(a, p);
	pthread_mutex_unlock(&a->lock);
}

/* Always moves (the core grows its arrays by doubling, past the class). */
void *host_realloc(struct host_arena *a, void *p, size_t size)
{
	struct arena_chunk *c;
	size_t old;
	void *n;

	if (!p)
		return host_alloc(a, size);
	pthread_mutex_lock(&a->lock);
	c = live_chunk(a, p);
	old = c->size;
	hdr_close(c);
	n = arena_alloc(a, size);
	if (n) {
		memcpy(n, p, old < size ? old : size);
		arena_free(a, p);
	}
	pthread_mutex_unlock(&a->lock);
	return n;
}

bool host_arena_contains(const struct host_arena *a, const void *p)
{
	const uint8_t *b = p;

	return b >= arena_base(a) && b < arena_base(a) + a->reserve;
}

size_t host_arena_used(const struct host_arena *a)
{
	return a->used;
}

unsigned long host_arena_live(const struct host_arena *a)
{
	return (unsigned long)a->nr_live;
}

/*
 * Chunks of the arena parked last (the machine destroyed last) that were
 * still live when it was deleted: a release that forgot a structure. The
 * sizes of the first few go in why. 0 when none, or when no arena is parked.
 */
unsigned long host_arena_parked_live(char *why, size_t len)
{
	unsigned long live = 0;
	size_t used = 0;

	if (len)
		why[0] = '\0';
	pthread_mutex_lock(&parked_arena.lock);
	if (parked_arena.a)
		live = (unsigned long)parked_arena.a->nr_live;
	for (uint64_t off = ARENA_FIRST; live && off < parked_arena.a->used;) {
		struct arena_chunk h = hdr_read(parked_arena.a, off);

		if (h.magic != CHUNK_MAGIC || h.class >= ARENA_NR_CLASSES)
			break;	/* a broken arena: the validator names it */
		if (!h.free && used < len)
			used += (size_t)snprintf(why + used, len - used, "%s%u", used ? ", " : "",
						 h.size);
		off += class_size(h.class);
	}
	pthread_mutex_unlock(&parked_arena.lock);
	return live;
}

/*
 * Every chunk from the first to the bump end has a good header and a class
 * that keeps the next one in place; a free chunk is on its class's list
 * exactly once and nothing else is; the live count is right. 0, or -1 with
 * the first problem in why.
 */
int host_arena_validate(const struct host_arena *a, char *why, size_t len)
{
	unsigned long nr_free[ARENA_NR_CLASSES] = { 0 };
	uint64_t live = 0, off = 0, csize;
	const char *what = "control block";
	struct arena_chunk h = { 0 };
	unsigned int class = 0;

	/* Each test of a header whole (|, not ||): one branch a header. */
	if ((a->magic != ARENA_MAGIC) | (a->reserve != ARENA_RESERVE) | (a->used < ARENA_FIRST) |
	    (a->used > a->reserve))
		goto bad;
	what = "chunk header";
	for (off = ARENA_FIRST; off < a->used; off += class_size(h.class)) {
		h = hdr_read(a, off);
		csize = (uint64_t)1 << ((h.class & 31) + CHUNK_MIN_SHIFT);
		if ((h.magic != CHUNK_MAGIC) | (h.class >= ARENA_NR_CLASSES) |
		    (off + csize > a->used) | (h.free > 1) | (!h.free & (h.size + CHUNK_HDR > csize)))
			goto bad;
		if (h.free)
			nr_free[h.class]++;
		else
			live++;
	}
	what = "live count";
	if (live != a->nr_live)
		goto bad;
	for (class = 0; class < ARENA_NR_CLASSES; class++) {
		unsigned long n = 0;

		what = "free list entry";
		for (off = a->free_head[class]; off != ARENA_NONE; off = h.next_free, n++) {
			if ((off < ARENA_FIRST) | (off >= a->used) | ((off + CHUNK_HDR) % 64 != 0) |
			    (n >= nr_free[class]))
				goto bad;
			h = hdr_read(a, off);
			if ((h.magic != CHUNK_MAGIC) | !h.free | (h.class != class))
				goto bad;
		}
		what = "free list length";
		if (n != nr_free[class])
			goto bad;
	}
	return 0;
bad:
	snprintf(why, len, "arena %s bad at offset %llu: magic %#x class %u free %u size %u; "
		 "list of class %u, bump end %llu, %llu live chunks (count %llu)", what,
		 (unsigned long long)off, h.magic, h.class, h.free, h.size, class,
		 (unsigned long long)a->used, (unsigned long long)live,
		 (unsigned long long)a->nr_live);
	return -1;
}

int host_arena_check(struct host_arena *a, char *why, size_t len)
{
	int ret;

	pthread_mutex_lock(&a->lock);
	ret = host_arena_validate(a, why, len);
	pthread_mutex_unlock(&a->lock);
	return ret;
}

void host_arena_assert_valid(const struct host_arena *a)
{
	char why[256];

	if (host_arena_validate(a, why, sizeof(why))) {
		fprintf(stderr, "slabfuzz: host arena: %s\n", why);
		sf_bug_on_fail("host_arena_validate(a)", __FILE__, __LINE__, __func__);
	}
}
