/* SPDX-License-Identifier: MIT */
/* Everything public in one include. */
#ifndef SLABFUZZ_SLABFUZZ_H
#define SLABFUZZ_SLABFUZZ_H

#include "slabfuzz/types.h"
#include "slabfuzz/gfp.h"
#include "slabfuzz/topology.h"
#include "slabfuzz/report.h"
#include "slabfuzz/machine.h"
#include "slabfuzz/fault.h"
#include "slabfuzz/mm.h"
#include "slabfuzz/slab.h"
#include "slabfuzz/digest.h"
#include "slabfuzz/snapshot.h"

#endif
