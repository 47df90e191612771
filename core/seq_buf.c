/* SPDX-License-Identifier: MIT */
#include "slabfuzz/seq_buf.h"

#include <stdarg.h>
#include <stdio.h>

void seq_buf_printf(struct seq_buf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->len < s->size ? s->buffer + s->len : NULL,
		      s->len < s->size ? s->size - s->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

size_t seq_buf_done(struct seq_buf *s)
{
	if (s->size)
		s->buffer[s->len < s->size ? s->len : s->size - 1] = '\0';
	return s->len;
}
