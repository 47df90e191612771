/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of a machine (core/snapshot.c): the machine's whole state at
 * one point (its host arena, the simulated memory it has written, the ASan
 * shadow of both; MSan's initialisation state travels with the bytes), put
 * back in place later so the same machine continues from that point exactly
 * as it was. The machine belongs to the snapshot from the take on: use it
 * through sf_snapshot_machine, destroy both with sf_snapshot_destroy, or
 * take it back with sf_snapshot_release.
 * Builds with TSan have none (sf_snapshot_supported() false): TSan keeps
 * its own history of every byte and lock, which a copy back cannot restore.
 * The machine must be quiet (no other thread in it) at take and restore.
 */
#ifndef SLABFUZZ_SNAPSHOT_H
#define SLABFUZZ_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

struct machine;
struct sf_snapshot;

bool sf_snapshot_supported(void);
/* NULL when host memory is short or the build has no snapshots. */
struct sf_snapshot *sf_snapshot_take(struct machine *m);
/* Put the machine back as it was at the take. */
void sf_snapshot_restore(struct sf_snapshot *s);
struct machine *sf_snapshot_machine(const struct sf_snapshot *s);
/* Host bytes the snapshot keeps: its copies, the machine's arena and the
 * simulated pages the machine has written (as of the last take or restore). */
size_t sf_snapshot_bytes(const struct sf_snapshot *s);
void sf_snapshot_destroy(struct sf_snapshot *s);
/* Free the snapshot and give its machine back, as it is now (the caller
 * destroys it with machine_destroy). */
struct machine *sf_snapshot_release(struct sf_snapshot *s);

/* Tests only: the next restores leave the boot cpu's sched point counters
 * as the run left them (a deliberately leaked field). */
void sf_snapshot_test_leak_counter(bool on);

#endif
