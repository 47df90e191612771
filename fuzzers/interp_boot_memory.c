/* SPDX-License-Identifier: MIT */
/*
 * Boot memory after a failed sparse init (white-box: memblock's
 * reservations are not in the core's API). The rule is the harness's own:
 * before sparse only the program allocates boot memory.
 *
 * Finding: "HARNESS: failed sparse init kept boot memory".
 */
#include "interp_internal.h"
#include "internal.h"

/*
 * A sparse init that failed gives back all it took: before sparse only the
 * program allocates boot memory, so memblock's reservations are then
 * exactly the program's live memblock allocations (the harness's record),
 * byte for byte.
 */
void page_check_failed_sparse(struct run *r)
{
	const struct memblock_type *rsv = &r->m->memblock.reserved;
	uint64_t reserved = 0, held = 0;

	for (unsigned int i = 0; i < rsv->cnt; i++)
		reserved += rsv->regions[i].size;
	for (unsigned int i = 0; i < r->p->nr_handles[HK_MEMBLOCK]; i++)
		if (r->mbs[i].live)
			held += r->mbs[i].size;
	if (reserved != held)
		run_fail(r, "HARNESS: failed sparse init kept boot memory",
			 "memblock reserves %llu bytes in %u regions after the failed sparse "
			 "stage, the program holds %llu",
			 (unsigned long long)reserved, rsv->cnt, (unsigned long long)held);
}
