/* SPDX-License-Identifier: MIT */
/* The oracle tests' child runner (test_oracles.c, test_slab_oracles.c,
 * test_snapshot.c): a run that ends in abort() must not end the test. */
#ifndef SF_TEST_CHILD_H
#define SF_TEST_CHILD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Run fn(arg) in a forked child, its stderr (and stdout too when both) read
 * into out, NUL-terminated, at most cap - 1 bytes; the child exits 0 when fn
 * returns. Returns the child's wait status, -1 when no pipe or no fork.
 */
int test_child_run(void (*fn)(void *arg), void *arg, bool both, char *out, size_t cap);

#endif
