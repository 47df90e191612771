/* SPDX-License-Identifier: MIT */
/*
 * slabfuzz export-sysfs: the end state of a run as the files the kernel's
 * slab tools read, DIR/sys/kernel/slab/<dir>/<attribute> (SLUB's layout:
 * mergeable caches in ":[d-]<size>" directories with their names as
 * links) and DIR/proc/slabinfo. Captured in memory from the at_end hook of
 * a run (core API only), written once the run has ended clean.
 */
#ifndef SLABFUZZ_TOOLS_SYSFS_EXPORT_H
#define SLABFUZZ_TOOLS_SYSFS_EXPORT_H

#include "slabfuzz/slabfuzz.h"

struct sysfs_export;

/* An export into dir (not written yet); NULL when out of memory. */
struct sysfs_export *sysfs_export_new(const char *dir);
void sysfs_export_free(struct sysfs_export *e);

/* The at_end hook (arg: the export): render the tree of machine m. */
void sysfs_export_capture(struct machine *m, void *arg);

/*
 * dir must not exist or be an empty directory: 0, else a message naming it
 * on stderr and 1.
 */
int sysfs_export_check_dir(const char *dir);

/*
 * Write what was captured. Creates dir if missing, refuses a non-empty
 * one, never replaces a file. 0, or 1 with a message on stderr (a capture
 * that could not be rendered, an I/O error: what was written stays).
 */
int sysfs_export_write(struct sysfs_export *e);

#endif
