/* SPDX-License-Identifier: MIT */
/* The names of a digest's fields (digest_names.c). */
#ifndef SLABFUZZ_FUZZ_DIGEST_NAMES_H
#define SLABFUZZ_FUZZ_DIGEST_NAMES_H

#include "slabfuzz/slabfuzz.h"

/* Name of d's field i ("node[0].zone[2].free_area[3].nr_free"), "(end)"
 * past the end; returns the length like snprintf. */
size_t sf_digest_field_name(const struct sf_digest *d, size_t i, char *buf, size_t len);
/* "name: A vs B" for the first difference, "" when equal. */
size_t sf_digest_describe_diff(const struct sf_digest *a, const struct sf_digest *b,
			       char *buf, size_t len);

#endif
