/* SPDX-License-Identifier: MIT */
/*
 * The target table: each fuzz target's prologue, op set, epilogue and check
 * rate. An op outside a target's set is skipped (not an error).
 */
#include <string.h>

#include "interp.h"

#define OPB(id) (1ull << OP_##id)

_Static_assert(NR_OPCODES <= 64, "an op set is a 64-bit mask");

#define CTX_OPS (OPB(CPU) | OPB(IRQ_DISABLE) | OPB(IRQ_ENABLE) | OPB(IRQ_ENTER) | \
		 OPB(IRQ_EXIT) | OPB(PREEMPT_DISABLE) | OPB(PREEMPT_ENABLE) | OPB(TIMER) | \
		 OPB(IRQ_SAVE) | OPB(IRQ_RESTORE))
#define PAGE_OPS (OPB(ALLOC_PAGES) | OPB(ALLOC_PAGES_NODE) | OPB(GET_FREE_PAGES) | \
		  OPB(ALLOC_PAGES_EXACT) | OPB(FREE) | OPB(DRAIN_LOCAL) | OPB(DRAIN_ALL) | \
		  OPB(GET_ZEROED_PAGE))
/* Frees the allocators must refuse (each with its report). */
#define PAGE_MISUSE_OPS (OPB(DOUBLE_FREE) | OPB(FREE_WRONG_ORDER) | OPB(FREE_TAIL) | \
			 OPB(FREE_RESERVED) | OPB(FREE_FOREIGN))
#define SLAB_MISUSE_OPS (OPB(SLAB_DOUBLE_FREE) | OPB(KFREE_PAGE) | OPB(KFREE_FOREIGN) | \
			 OPB(CACHE_FREE_WRONG) | OPB(CACHE_FREE_INTERIOR) | OPB(FREE_SLAB_PAGE) | \
			 OPB(CACHE_DESTROY_AGAIN))
#define MEMBLOCK_MISUSE_OPS (OPB(MEMBLOCK_ALLOC_INVALID) | OPB(MEMBLOCK_DOUBLE_FREE))
#define SLAB_OPS (OPB(CACHE_CREATE) | OPB(CACHE_DESTROY) | OPB(CACHE_ALLOC) | \
		  OPB(CACHE_FREE) | OPB(KMALLOC) | OPB(KZALLOC) | OPB(KCALLOC) | \
		  OPB(KREALLOC) | OPB(KFREE) | OPB(CACHE_TUNE) | OPB(CACHE_SHRINK) | \
		  OPB(CACHE_VALIDATE) | OPB(ATTR_SHOW) | OPB(ATTR_STORE) | \
		  OPB(KMALLOC_IRQ_AT) | OPB(FAILSLAB) | OPB(FAILSLAB_OFF))
#define FAULT_OPS (OPB(FAIL_PAGE_ALLOC) | OPB(FAIL_PAGE_ALLOC_OFF))
/* The checker canary (interp_canary.c): every machine target's states. */
#define CANARY_OPS OPB(CORRUPT)
/* The core API only tests and tools called (interp_api.c). */
#define QUERY_OPS OPB(QUERY)

const struct sf_target sf_targets[] = {
	{ "fuzz_boot", STAGE_EARLY,
	  OPB(BOOT) | OPB(MEMBLOCK_ALLOC) | OPB(MEMBLOCK_FREE) | OPB(CHECK) | OPB(DUMP) |
		  FAULT_OPS | OPB(PFN_WALK) | OPB(TIMER) | OPB(ALLOC_PAGES) | OPB(FREE) |
		  OPB(CPU) | OPB(KMALLOC) | OPB(KFREE) | OPB(TOPOLOGY_INVALID) |
		  OPB(FREE_RESERVED) | OPB(FREE_FOREIGN) | OPB(KFREE_PAGE) | OPB(KFREE_FOREIGN) |
		  MEMBLOCK_MISUSE_OPS | CANARY_OPS | QUERY_OPS,
	  true, 4 },
	{ "fuzz_gfp", STAGE_EARLY,
	  OPB(BOOT) | PAGE_OPS | CTX_OPS | OPB(IRQ_AT) | OPB(IRQ_FREE_AT) | OPB(CHECK) |
		  OPB(MEMBLOCK_ALLOC) | OPB(KMALLOC) | OPB(KZALLOC) | OPB(KFREE) |
		  OPB(KMALLOC_IRQ_AT) | OPB(CACHE_CREATE) | OPB(CACHE_ALLOC) | OPB(CACHE_FREE) |
		  CANARY_OPS,
	  false, 16 },
	{ "fuzz_pages", STAGE_RUNNING,
	  PAGE_OPS | OPB(CPU) | PAGE_MISUSE_OPS | FAULT_OPS | OPB(CHECK) | OPB(DUMP) |
		  OPB(IRQ_AT) | OPB(IRQ_FREE_AT) | OPB(IRQ_DISABLE) | OPB(IRQ_ENABLE) |
		  OPB(IRQ_SAVE) | OPB(IRQ_RESTORE) | OPB(PFN_WALK) | CANARY_OPS | QUERY_OPS,
	  false, 16 },
	{ "fuzz_sparse", STAGE_EARLY,
	  OPB(BOOT) | OPB(MEMBLOCK_ALLOC) | OPB(MEMBLOCK_FREE) | OPB(PFN_WALK) | OPB(CHECK) |
		  OPB(DUMP) | FAULT_OPS | OPB(ALLOC_PAGES) | OPB(FREE) | MEMBLOCK_MISUSE_OPS |
		  CANARY_OPS | QUERY_OPS,
	  false, 4 },
	{ "fuzz_slab", STAGE_RUNNING,
	  SLAB_OPS | SLAB_MISUSE_OPS | OPB(CPU) | OPB(CHECK) | OPB(DUMP) |
		  OPB(IRQ_DISABLE) | OPB(IRQ_ENABLE) | OPB(IRQ_SAVE) | OPB(IRQ_RESTORE) |
		  FAULT_OPS | OPB(DRAIN_ALL) |
		  OPB(ALLOC_PAGES) | OPB(FREE) | CANARY_OPS | QUERY_OPS,
	  false, 16 },
	/* Runs no program: the text parser's oracle (sf_fuzz_text). */
	{ "fuzz_program_text", STAGE_EARLY, 0, false, 8 },
	/* The tools' default for a program without a target: every op. */
	{ "program", STAGE_EARLY, ~0ull, false, 8 },
	{ NULL, STAGE_NONE, 0, false, 0 },
};

const struct sf_target *sf_target_find(const char *name)
{
	for (const struct sf_target *t = sf_targets; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}
