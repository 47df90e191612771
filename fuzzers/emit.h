/* SPDX-License-Identifier: MIT */
/* Standalone C reproducers: a program as direct calls to the core API. */
#ifndef SLABFUZZ_FUZZ_EMIT_H
#define SLABFUZZ_FUZZ_EMIT_H

#include <stdio.h>

#include "interp.h"

/*
 * Write a C file that builds the machine of p, runs target t's prologue and
 * p's operations as core API calls (no harness), and prints every BUG/WARN
 * report. When title is given it exits 1 with "reproduced: TITLE" if that
 * report was seen, 0 otherwise. Returns 0.
 */
int sf_emit_c(FILE *f, const struct sf_target *t, const struct sf_program *p, unsigned int bugs,
	      const char *title);

#endif
