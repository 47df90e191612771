/* SPDX-License-Identifier: MIT */
/* Placeholder until the page allocator lands: fails loudly. */
#include "internal.h"

int free_area_init(struct machine *m) { (void)m; SF_BUG_ON("page allocator not implemented"); }
int mm_core_init(struct machine *m) { (void)m; SF_BUG_ON("page allocator not implemented"); }
void page_alloc_release(struct machine *m) { (void)m; }
int page_alloc_cpu_online(struct machine *m, int cpu) { (void)m; (void)cpu; SF_BUG_ON("page allocator not implemented"); }
