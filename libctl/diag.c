/* SPDX-License-Identifier: Apache-2.0 */
/* Filling struct ctl_diag from inside the library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "ctl_int.h"

enum ctl_err
ctli_fail(struct ctl_diag *d, enum ctl_err e, size_t off, int tag, int rec, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return e;
	d->err = e;
	d->offset = off;
	d->tag = tag;
	d->record = rec;
	va_start(ap, fmt);
	if (vsnprintf(d->msg, sizeof(d->msg), fmt, ap) < 0)
		d->msg[0] = '\0';
	va_end(ap);
	return e;
}

enum ctl_err
ctli_fail_ssl(struct ctl_diag *d, enum ctl_err e, const char *fmt, ...)
{
	va_list ap;
	unsigned long code;
	size_t used;
	char ebuf[256];

	if (d == NULL) {
		ERR_clear_error();
		return e;
	}
	ctl_diag_clear(d);
	d->err = e;
	va_start(ap, fmt);
	if (vsnprintf(d->msg, sizeof(d->msg), fmt, ap) < 0)
		d->msg[0] = '\0';
	va_end(ap);
	/* Keep the most specific (last) OpenSSL reason. */
	if ((code = ERR_peek_last_error()) != 0) {
		ERR_error_string_n(code, ebuf, sizeof(ebuf));
		used = strlen(d->msg);
		if (used < sizeof(d->msg))
			snprintf(d->msg + used, sizeof(d->msg) - used, " (%s)", ebuf);
	}
	ERR_clear_error();
	return e;
}

enum ctl_err
ctli_wr_printf(struct ctl_wr *wr, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;
	char *big;
	enum ctl_err r;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return CTL_E_INVAL;
	if ((size_t)n < sizeof(small))
		return ctl_wr_bytes(wr, small, (size_t)n);
	if ((big = malloc((size_t)n + 1)) == NULL)
		return CTL_E_NOMEM;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r = ctl_wr_bytes(wr, big, (size_t)n);
	free(big);
	return r;
}
