/* SPDX-License-Identifier: Apache-2.0 */
/* The admin port's text (see admin_text.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_text.h"

void
admin_buf_init(struct admin_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
admin_buf_free(struct admin_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Room for n more bytes and a NUL; 0, or -1 with b->failed set. */
static int
reserve(struct admin_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->failed)
		return -1;
	if (n > ADMIN_BUF_MAX - b->len) {
		b->failed = 1;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < want)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
admin_buf_add(struct admin_buf *b, const char *s, size_t n)
{
	if (reserve(b, n) < 0)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
admin_buf_puts(struct admin_buf *b, const char *s)
{
	admin_buf_add(b, s, strlen(s));
}

void
admin_buf_printf(struct admin_buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		admin_buf_add(b, small, (size_t)n);
		return;
	}
	if (reserve(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
admin_buf_html(struct admin_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '&': admin_buf_puts(b, "&amp;"); break;
		case '<': admin_buf_puts(b, "&lt;"); break;
		case '>': admin_buf_puts(b, "&gt;"); break;
		case '"': admin_buf_puts(b, "&quot;"); break;
		case '\'': admin_buf_puts(b, "&#39;"); break;
		default:
			/* Bytes >= 0x80 pass: the page is UTF-8; a bad sequence shows as U+FFFD. */
			admin_buf_add(b, c < 0x20 || c == 0x7f ? "?" : (const char *)&s[i], 1);
		}
	}
}

void
admin_buf_label(struct admin_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			admin_buf_puts(b, "\\\\");
		else if (c == '"')
			admin_buf_puts(b, "\\\"");
		else if (c == '\n')
			admin_buf_puts(b, "\\n");
		else
			admin_buf_add(b, c < 0x20 || c >= 0x7f ? "?" : (const char *)&s[i], 1);
	}
}

void
admin_metric_head(struct admin_buf *b, const char *name, const char *type, const char *help)
{
	admin_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
admin_time_utc(time_t t, char *out, size_t cap)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, cap, "@%lld", (long long)t);
}
