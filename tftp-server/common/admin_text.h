/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The text the admin port answers with: a growing buffer, HTML escaping
 * for the status page and the Prometheus text exposition format (0.0.4)
 * for /metrics (HELP and TYPE lines, escaped label values). Built in
 * memory, then sent whole: a page is a few KiB and the port is read-only.
 */
#ifndef ADMIN_TEXT_H
#define ADMIN_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ctl/err.h"

/* Largest answer built; beyond it the buffer fails (a bounded page). */
#define ADMIN_BUF_MAX (4u << 20)

struct admin_buf {
	char *p;        /* NUL-terminated while not failed */
	size_t len, cap;
	int failed;     /* out of memory or over ADMIN_BUF_MAX: the answer is a 500 */
};

void admin_buf_init(struct admin_buf *b);
void admin_buf_free(struct admin_buf *b);
/* The appenders record a failure in b->failed instead of returning one. */
void admin_buf_add(struct admin_buf *b, const char *s, size_t n);
void admin_buf_puts(struct admin_buf *b, const char *s);
void admin_buf_printf(struct admin_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* n bytes as HTML text or attribute value: & < > " ' escaped, control bytes as '?'. */
void admin_buf_html(struct admin_buf *b, const char *s, size_t n);
/*
 * n bytes as a Prometheus label value (without its quotes): backslash,
 * double quote and newline escaped; other control bytes and bytes that
 * are not ASCII as '?', so that the exposition is always valid UTF-8.
 */
void admin_buf_label(struct admin_buf *b, const char *s, size_t n);
/* "# HELP name help" and "# TYPE name type" lines. */
void admin_metric_head(struct admin_buf *b, const char *name, const char *type, const char *help);
/* "2026-11-30 15:58:09 UTC" into out (at least 32 bytes). */
void admin_time_utc(time_t t, char *out, size_t cap);

#endif
