/* SPDX-License-Identifier: MIT */
/*
 * A digest of a machine's state: a sequence of named fields (free lists,
 * counters, per-cpu/shared/alien queues, caches and their attributes, the
 * memmap, the report log, the ASan poisoning of the simulated memory in ASan
 * builds), each a number or a hash of one structure. Pointers enter as
 * offsets into simulated memory or as indexes, so two machines built the same
 * way at different host addresses give the same digest. Two digests compare
 * field by field, and the first difference prints by name. Object contents
 * are not in it (they hold host pointers).
 */
#ifndef SLABFUZZ_DIGEST_H
#define SLABFUZZ_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct machine;

struct sf_digest_field {
	uint16_t kind;		/* which name (core/digest.c) */
	uint32_t a, b, c;	/* the name's indexes */
	uint64_t value;
};

struct sf_digest {
	struct sf_digest_field *f;	/* host malloc; kept between takes */
	size_t nr, cap;
};

/* Digest m into d (reusing d's storage). 0, or -ENOMEM. No lock taken: the
 * machine must be quiet (no other thread in it). */
int sf_digest_take(struct machine *m, struct sf_digest *d);
void sf_digest_free(struct sf_digest *d);
/* Index of the first field that differs (by name or value); the shorter
 * length when one is a prefix of the other; -1 when they are equal. */
long sf_digest_diff(const struct sf_digest *a, const struct sf_digest *b);
/* Name of d's field i ("zone[0.2].free_area[3].nr_free"), "(end)" past the
 * end; returns the length like snprintf. */
size_t sf_digest_field_name(const struct sf_digest *d, size_t i, char *buf, size_t len);
/* "field: A vs B" for the first difference, "" when equal. */
size_t sf_digest_describe_diff(const struct sf_digest *a, const struct sf_digest *b,
			       char *buf, size_t len);

#endif
