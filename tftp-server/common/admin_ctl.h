/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A served trust list (CTLFile.tlv, ITLFile.tlv) as the admin port shows
 * it: md5, signer, timestamp and each record's certificate expiry, read
 * from the file at every request (a page is rare; the file may change).
 */
#ifndef ADMIN_CTL_H
#define ADMIN_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "admin_text.h"

#define ADMIN_CTL_MAX_RECORDS 64
/* Certificates expiring within this many days are marked on the page. */
#define ADMIN_EXPIRY_WARN_DAYS 60

struct admin_ctl_record {
	char role[40];
	char subject[256];
	time_t not_after;   /* 0 when the certificate cannot be read */
};

struct admin_ctl {
	const char *name;   /* "CTLFile.tlv" */
	int present;        /* 0: missing or unreadable (why in err) */
	char err[200];
	char md5[33];
	char signer[256];
	uint32_t timestamp;
	size_t nrecords;    /* records in the file; at most ADMIN_CTL_MAX_RECORDS described */
	struct admin_ctl_record rec[ADMIN_CTL_MAX_RECORDS];
};

/* Reads dir/name into *out (always filled: present 0 with err on failure). */
void admin_ctl_read(const char *dir, const char *name, struct admin_ctl *out);
/* One section of the page: a summary table and one row per record. */
void admin_ctl_html(struct admin_buf *b, const struct admin_ctl *c, time_t now);
/* The "<prefix>_cert_expiry_timestamp_seconds" samples of c (no HELP/TYPE). */
void admin_ctl_expiry_samples(struct admin_buf *b, const char *metric, const struct admin_ctl *c);
/* Shared page frame: head with the viewport, a small style, the title. */
void admin_html_begin(struct admin_buf *b, const char *title, time_t now);
void admin_html_end(struct admin_buf *b);

#endif
