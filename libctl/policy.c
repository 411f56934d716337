/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deployment rules for a file about to be signed: enough SAST entries, no
 * duplicate entries, certificates within their validity, and a signer that
 * phones will find among the SAST records (section 5.4, 10.2).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "build.h"

/* "record N (CN=...)" for messages. */
static void
rec_label(const struct bld_rec *r, size_t i, char *out, size_t n)
{
	char *name = NULL;

	if (r->cert != NULL && ctl_name_string(X509_get_subject_name(r->cert), &name) == CTL_OK) {
		snprintf(out, n, "record %zu (%s, %s)", i + 1, ctl_role_short(r->role), name);
		free(name);
	} else {
		snprintf(out, n, "record %zu (%s)", i + 1, ctl_role_short(r->role));
	}
}

static CTL_MUST_USE enum ctl_err
check_dups(const struct ctl_builder *b, struct ctl_diag *diag)
{
	char la[300], lb[300];
	size_t i, j;

	for (i = 0; i < b->nrecs; i++)
		for (j = i + 1; j < b->nrecs; j++) {
			const struct bld_rec *x = &b->recs[i], *y = &b->recs[j];

			if (x->role != y->role || x->cert == NULL || y->cert == NULL ||
			    X509_cmp(x->cert, y->cert) != 0)
				continue;
			rec_label(x, i, la, sizeof(la));
			rec_label(y, j, lb, sizeof(lb));
			return ctli_fail(diag, CTL_E_DUP_ENTRY, 0, -1, (int)j + 1,
			                 "%s repeats %s: the same certificate and role twice", lb, la);
		}
	return CTL_OK;
}

static CTL_MUST_USE enum ctl_err
check_dates(const struct ctl_builder *b, time_t now, struct ctl_diag *diag)
{
	char label[300], when[64];
	size_t i;

	for (i = 0; i < b->nrecs; i++) {
		const struct bld_rec *r = &b->recs[i];
		const ASN1_TIME *t = NULL;
		const char *what = NULL;
		struct tm tm;

		if (r->cert == NULL)
			continue;
		if (X509_cmp_time(X509_get0_notAfter(r->cert), &now) < 0) {
			t = X509_get0_notAfter(r->cert);
			what = "expired on";
		} else if (X509_cmp_time(X509_get0_notBefore(r->cert), &now) > 0) {
			t = X509_get0_notBefore(r->cert);
			what = "is not valid before";
		}
		if (t == NULL)
			continue;
		rec_label(r, i, label, sizeof(label));
		if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
			snprintf(when, sizeof(when), "(unreadable date)");
		return ctli_fail(diag, CTL_E_EXPIRED, 0, -1, (int)i + 1, "%s: certificate %s %s",
		                 label, what, when);
	}
	return CTL_OK;
}

enum ctl_err
ctl_builder_check(const struct ctl_builder *b, const struct ctl_policy *pol, X509 *signer_cert,
                  struct ctl_diag *diag)
{
	size_t i, nsast = 0;
	int signer_listed = signer_cert == NULL;
	enum ctl_err r;

	ctl_diag_clear(diag);
	for (i = 0; i < b->nrecs; i++) {
		if (b->recs[i].role != CTL_ROLE_SAST)
			continue;
		nsast++;
		if (signer_cert != NULL && b->recs[i].cert != NULL &&
		    X509_cmp(b->recs[i].cert, signer_cert) == 0)
			signer_listed = 1;
	}
	if (nsast < pol->min_sast)
		return ctli_fail(diag, CTL_E_TOO_FEW_SAST, 0, -1, 0,
		                 "%zu SAST entr%s, at least %u needed", nsast, nsast == 1 ? "y" : "ies",
		                 pol->min_sast);
	if ((r = check_dups(b, diag)) != CTL_OK)
		return r;
	if (!pol->allow_expired && (r = check_dates(b, pol->now ? pol->now : time(NULL), diag)) != CTL_OK)
		return r;
	if (!signer_listed) {
		char *name = NULL;

		if (ctl_name_string(X509_get_subject_name(signer_cert), &name) != CTL_OK)
			name = NULL; /* the error is about the entry, not its name: say it without */
		r = ctli_fail(diag, CTL_E_SIGNER_NOT_LISTED, 0, -1, 0, "the signing certificate %s is "
		              "not one of the file's SAST entries: phones could not verify it",
		              name ? name : "");
		free(name);
		return r;
	}
	return CTL_OK;
}
