/* SPDX-License-Identifier: MIT */
/*
 * seq_buf: append formatted text to a caller's buffer, counting the length
 * the whole text needs even when it does not fit (like snprintf), so dump
 * functions can return "the size you would have needed".
 */
#ifndef SLABFUZZ_SEQ_BUF_H
#define SLABFUZZ_SEQ_BUF_H

#include <stddef.h>

struct seq_buf {
	char *buffer;	/* may be NULL when size is 0 */
	size_t size;
	size_t len;	/* would-be length; > size means truncated */
};

#define SEQ_BUF_INIT(buf, sz) ((struct seq_buf){ (buf), (sz), 0 })

void seq_buf_printf(struct seq_buf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminate what fits and return the would-be length. */
size_t seq_buf_done(struct seq_buf *s);

#endif
