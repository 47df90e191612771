/* SPDX-License-Identifier: MIT */
/*
 * GFP flags with their kernel names and meanings.
 *
 * The zone modifiers (__GFP_DMA, __GFP_DMA32, __GFP_MOVABLE) select the
 * highest zone an allocation may use; __GFP_DMA|__GFP_DMA32 is invalid and
 * gets a WARN report and a failed allocation, as gfp_zone() does.
 * The reclaim bits are masked by the machine's gfp_allowed_mask, which
 * depends on the boot stage (see machine.h).
 */
#ifndef SLABFUZZ_GFP_H
#define SLABFUZZ_GFP_H

#include "slabfuzz/types.h"

#define __GFP_DMA		0x00001u
#define __GFP_DMA32		0x00002u
#define __GFP_MOVABLE		0x00004u
#define __GFP_HIGH		0x00010u	/* may use part of the reserves */
#define __GFP_IO		0x00020u	/* may start physical IO */
#define __GFP_FS		0x00040u	/* may call into the filesystem */
#define __GFP_ZERO		0x00080u	/* return zeroed memory */
#define __GFP_DIRECT_RECLAIM	0x00100u	/* may sleep and reclaim */
#define __GFP_KSWAPD_RECLAIM	0x00200u	/* may wake kswapd */
#define __GFP_NOWARN		0x00400u	/* no allocation failure report */
#define __GFP_RETRY_MAYFAIL	0x00800u	/* retry hard, may still fail */
#define __GFP_NOFAIL		0x01000u	/* never fail while memory can be found */
#define __GFP_NORETRY		0x02000u	/* one light attempt at reclaim */
#define __GFP_THISNODE		0x04000u	/* no fallback to other nodes */
#define __GFP_COMP		0x08000u	/* compound page (head and tails) */
#define __GFP_MEMALLOC		0x10000u	/* ignore watermarks */
#define __GFP_NOMEMALLOC	0x20000u	/* never use the emergency reserves */
#define __GFP_BITS_MASK		0x3ffffu

#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ZONEMASK		(__GFP_DMA | __GFP_DMA32 | __GFP_MOVABLE)

#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_USER		GFP_KERNEL
#define GFP_HIGHUSER_MOVABLE	(GFP_USER | __GFP_MOVABLE)
#define GFP_DMA			__GFP_DMA
#define GFP_DMA32		__GFP_DMA32

/* What may be used before interrupts are on: no sleeping, no IO, no FS. */
#define GFP_BOOT_MASK		(__GFP_BITS_MASK & ~(__GFP_RECLAIM | __GFP_IO | __GFP_FS))

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return (gfp & __GFP_DIRECT_RECLAIM) != 0;
}

/*
 * Format gfp as "GFP_KERNEL|__GFP_ZERO" into buf (like %pGg).
 * Returns buf. GFP_FORMAT_MAX bytes hold every flag's name at once.
 */
#define GFP_FORMAT_MAX 320
char *gfp_format(gfp_t gfp, char *buf, size_t size);

#endif
