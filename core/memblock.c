/* SPDX-License-Identifier: MIT */
/* Placeholder until the memblock module lands: fails loudly. */
#include "internal.h"

int memblock_init(struct machine *m) { (void)m; return 0; }
void memblock_release(struct machine *m) { (void)m; }
void *memblock_alloc_node(struct machine *m, size_t size, size_t align, int nid)
{ (void)m; (void)size; (void)align; (void)nid; SF_BUG_ON("memblock not implemented"); }
void *memblock_alloc(struct machine *m, size_t size, size_t align)
{ (void)m; (void)size; (void)align; SF_BUG_ON("memblock not implemented"); }
void memblock_free(struct machine *m, void *ptr, size_t size)
{ (void)m; (void)ptr; (void)size; SF_BUG_ON("memblock not implemented"); }
