/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rules the tokenless commands decide by, without the network: would a
 * phone holding the installed CTL take the new one, which SAST records of
 * the installed CTL are tokens (kept in the next tokenless CTL), and did
 * the cluster's own keys sign it (so a tokenless bridge can lead to tokens).
 */
#include <string.h>
#include <strings.h>

#include <openssl/x509.h>

#include "cluster.h"

int
cl_tl_accepts(const struct ctl_file *held, const struct ctl_file *next)
{
	struct ctl_verify_result res;

	return ctl_file_verify_trusted(next, held, &res) == CTL_OK;
}

static CTL_MUST_USE int
rec_is(const struct ctl_record *r, const struct ctl_record *o)
{
	return r->cert.len > 0 && r->cert.len == o->cert.len && memcmp(r->cert.p, o->cert.p, r->cert.len) == 0;
}

/* Does some node announce x? */
static CTL_MUST_USE int
node_cert(const struct cluster *cl, X509 *x)
{
	size_t i, k;

	for (i = 0; i < cl->n; i++)
		for (k = 0; k < cl->nodes[i].ncerts; k++)
			if (X509_cmp(cl->nodes[i].certs[k].cert, x) == 0)
				return 1;
	return 0;
}

/* CUCM names the ITLRecovery certificate ITLRECOVERY_<publisher>. */
static CTL_MUST_USE int
itlrecovery_name(X509 *x)
{
	char cn[256];

	return X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) > 0 &&
	       strncasecmp(cn, "ITLRECOVERY", 11) == 0;
}

void
cl_tl_kept_tokens(const struct cluster *cl, const struct ctl_file *held, const struct ctl_file *fresh,
                  struct cl_sign_req *rq)
{
	size_t i, k;

	for (i = 0; i < ctl_file_nrecords(held); i++) {
		const struct ctl_record *r = ctl_file_record(held, i);
		const unsigned char *p = r->cert.p;
		int theirs = 0;
		X509 *x;

		if (r->role != CTL_ROLE_SAST || r->cert.len == 0)
			continue;
		for (k = 0; k < ctl_file_nrecords(fresh) && !theirs; k++)
			theirs = rec_is(r, ctl_file_record(fresh, k));
		if (theirs || (x = d2i_X509(NULL, &p, (long)r->cert.len)) == NULL)
			continue;
		if (node_cert(cl, x) || itlrecovery_name(x)) {
			X509_free(x);
			continue;
		}
		if (rq->ntokens == sizeof(rq->tokens) / sizeof(rq->tokens[0])) {
			cli_warn("more than %zu tokens in the installed CTL: record %zu is not kept",
			         rq->ntokens, i + 1);
			X509_free(x);
			continue;
		}
		rq->tokens[rq->ntokens++] = x;
	}
}

void
cl_tl_tokens_free(struct cl_sign_req *rq)
{
	size_t i;

	for (i = 0; i < rq->ntokens; i++)
		X509_free(rq->tokens[i]);
	rq->ntokens = 0;
}

int
cl_tl_lists_sast(const struct ctl_file *f, X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der), found = 0;
	size_t i;

	for (i = 0; n > 0 && i < ctl_file_nrecords(f) && !found; i++) {
		const struct ctl_record *r = ctl_file_record(f, i);

		found = r->role == CTL_ROLE_SAST && r->cert.len == (size_t)n && memcmp(r->cert.p, der, (size_t)n) == 0;
	}
	OPENSSL_free(der);
	return found;
}

int
cl_tl_own_signed(const struct cluster *cl, const struct ctl_file *held)
{
	struct ctl_verify_result res;
	const struct ctl_record *r;
	const unsigned char *p;
	X509 *x;
	int yes;

	if (ctl_file_verify(held, &res) != CTL_OK || res.signer_index < 0 ||
	    (r = ctl_file_record(held, (size_t)res.signer_index)) == NULL || r->cert.len == 0)
		return 0;
	p = r->cert.p;
	if ((x = d2i_X509(NULL, &p, (long)r->cert.len)) == NULL)
		return 0;
	yes = node_cert(cl, x) || itlrecovery_name(x);
	X509_free(x);
	return yes;
}
