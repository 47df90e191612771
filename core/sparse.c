/* SPDX-License-Identifier: MIT */
/* Placeholder until the sparse module lands: fails loudly. */
#include "internal.h"

int sparse_init(struct machine *m) { (void)m; SF_BUG_ON("sparse not implemented"); }
void sparse_release(struct machine *m) { (void)m; }
bool pfn_valid(struct machine *m, pfn_t pfn) { (void)m; (void)pfn; SF_BUG_ON("sparse not implemented"); }
struct page *pfn_to_page(struct machine *m, pfn_t pfn) { (void)m; (void)pfn; SF_BUG_ON("sparse not implemented"); }
pfn_t page_to_pfn(struct machine *m, const struct page *page) { (void)m; (void)page; SF_BUG_ON("sparse not implemented"); }
