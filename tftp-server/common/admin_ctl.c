/* SPDX-License-Identifier: Apache-2.0 */
/* A served trust list on the admin port (see admin_ctl.h). */
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "admin_ctl.h"
#include "ctl/ctl.h"

/* Lent bytes (text stored with its NUL) into a C string. */
static void
bytes_str(struct ctl_bytes b, char *out, size_t cap)
{
	size_t n = b.len;

	while (n > 0 && b.p[n - 1] == '\0')
		n--;
	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(out, b.p, n);
	out[n] = '\0';
}

static time_t
cert_not_after(struct ctl_bytes der)
{
	const unsigned char *p = der.p;
	X509 *x = der.len > 0 ? d2i_X509(NULL, &p, (long)der.len) : NULL;
	struct tm tm;
	time_t t = 0;

	if (x != NULL && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		t = timegm(&tm);
	X509_free(x);
	return t;
}

void
admin_ctl_read(const char *dir, const char *name, struct admin_ctl *out)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_sums sums;
	const uint8_t *bytes;
	size_t len;
	char path[4096];

	memset(out, 0, sizeof(*out));
	out->name = name;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	memset(&d, 0, sizeof(d));
	if (ctl_file_load(path, 0, &f, &d) != CTL_OK) {
		snprintf(out->err, sizeof(out->err), "%.190s", d.msg[0] ? d.msg : "cannot read");
		return;
	}
	bytes = ctl_file_bytes(f, &len);
	if (ctl_checksums(bytes, len, &sums) != CTL_OK) {
		snprintf(out->err, sizeof(out->err), "cannot checksum");
		ctl_file_free(f);
		return;
	}
	out->present = 1;
	memcpy(out->md5, sums.md5, sizeof(out->md5));
	bytes_str(ctl_file_signer_name(f), out->signer, sizeof(out->signer));
	out->timestamp = ctl_file_timestamp(f);
	out->nrecords = ctl_file_nrecords(f);
	for (size_t i = 0; i < out->nrecords && i < ADMIN_CTL_MAX_RECORDS; i++) {
		const struct ctl_record *r = ctl_file_record(f, i);

		if (r == NULL)
			break;
		snprintf(out->rec[i].role, sizeof(out->rec[i].role), "%s",
		         r->has_role ? ctl_role_short(r->role) : "");
		bytes_str(r->subject, out->rec[i].subject, sizeof(out->rec[i].subject));
		out->rec[i].not_after = cert_not_after(r->cert);
	}
	ctl_file_free(f);
}

void
admin_html_begin(struct admin_buf *b, const char *title, time_t now)
{
	char t[32];

	admin_time_utc(now, t, sizeof(t));
	admin_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	               "<title>");
	admin_buf_html(b, title, strlen(title));
	admin_buf_puts(b, "</title>\n<style>body{font-family:sans-serif;margin:0.5em;max-width:60em}"
	               "table{border-collapse:collapse;margin-bottom:1em;width:100%}"
	               "td,th{border:1px solid #999;padding:0.2em 0.4em;text-align:left;"
	               "overflow-wrap:anywhere;vertical-align:top}"
	               ".warn{background:#fdd;font-weight:bold}td.n{overflow-wrap:normal;white-space:nowrap}"
	               "</style>\n</head><body>\n<h1>");
	admin_buf_html(b, title, strlen(title));
	admin_buf_printf(b, "</h1>\n<p>As of %s</p>\n", t);
}

void
admin_html_end(struct admin_buf *b)
{
	admin_buf_puts(b, "</body></html>\n");
}

/* One "<tr><th>k</th><td>v</td></tr>" with v escaped. */
static void
row(struct admin_buf *b, const char *k, const char *v)
{
	admin_buf_printf(b, "<tr><th>%s</th><td>", k);
	admin_buf_html(b, v, strlen(v));
	admin_buf_puts(b, "</td></tr>\n");
}

void
admin_ctl_html(struct admin_buf *b, const struct admin_ctl *c, time_t now)
{
	char t[32];

	admin_buf_puts(b, "<h2>");
	admin_buf_html(b, c->name, strlen(c->name));
	admin_buf_puts(b, "</h2>\n");
	if (!c->present) {
		admin_buf_puts(b, "<p>Not served: ");
		admin_buf_html(b, c->err, strlen(c->err));
		admin_buf_puts(b, "</p>\n");
		return;
	}
	admin_buf_puts(b, "<table>\n");
	row(b, "MD5", c->md5);
	row(b, "Signer", c->signer);
	admin_time_utc((time_t)c->timestamp, t, sizeof(t));
	row(b, "Timestamp", t);
	admin_buf_printf(b, "<tr><th>Records</th><td>%zu</td></tr>\n</table>\n", c->nrecords);
	admin_buf_puts(b, "<table>\n<tr><th>#</th><th>Role</th><th>Subject</th><th>Expires</th></tr>\n");
	for (size_t i = 0; i < c->nrecords && i < ADMIN_CTL_MAX_RECORDS; i++) {
		const struct admin_ctl_record *r = &c->rec[i];
		int soon = r->not_after != 0 &&
		           r->not_after - now < (time_t)ADMIN_EXPIRY_WARN_DAYS * 86400;

		admin_buf_printf(b, "<tr%s><td>%zu</td><td>", soon ? " class=\"warn\"" : "", i + 1);
		admin_buf_html(b, r->role, strlen(r->role));
		admin_buf_puts(b, "</td><td>");
		admin_buf_html(b, r->subject, strlen(r->subject));
		admin_buf_puts(b, "</td><td>");
		if (r->not_after == 0) {
			admin_buf_puts(b, "unreadable");
		} else {
			admin_time_utc(r->not_after, t, sizeof(t));
			admin_buf_puts(b, t);
			if (r->not_after <= now)
				admin_buf_puts(b, " EXPIRED");
			else if (soon)
				admin_buf_printf(b, " EXPIRES IN %lld DAYS",
				                 (long long)((r->not_after - now) / 86400));
		}
		admin_buf_puts(b, "</td></tr>\n");
	}
	admin_buf_puts(b, "</table>\n");
}

void
admin_ctl_expiry_samples(struct admin_buf *b, const char *metric, const struct admin_ctl *c)
{
	if (!c->present)
		return;
	for (size_t i = 0; i < c->nrecords && i < ADMIN_CTL_MAX_RECORDS; i++) {
		if (c->rec[i].not_after == 0)
			continue;
		admin_buf_printf(b, "%s{file=\"", metric);
		admin_buf_label(b, c->name, strlen(c->name));
		admin_buf_printf(b, "\",record=\"%zu\",subject=\"", i + 1);
		admin_buf_label(b, c->rec[i].subject, strlen(c->rec[i].subject));
		admin_buf_printf(b, "\"} %lld\n", (long long)c->rec[i].not_after);
	}
}
