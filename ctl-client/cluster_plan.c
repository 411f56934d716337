/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CTL a cluster command signs: a plan of records (token certificates,
 * servers' certificates, records kept from the installed CTL), shown to the
 * administrator, then built, checked, signed on the token and verified.
 * Token calls happen here, in the main thread only: libp11 is not
 * thread-safe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cluster.h"
#include "p11.h"
#include "pin.h"

static CTL_MUST_USE int
der_eq(X509 *a, const struct ctl_bytes *b)
{
	unsigned char *der = NULL;
	int n = i2d_X509(a, &der), eq;

	eq = n > 0 && (size_t)n == b->len && memcmp(der, b->p, b->len) == 0;
	OPENSSL_free(der);
	return eq;
}

/* Is (cert or rec, role) already planned? */
static CTL_MUST_USE int
plan_has(const struct cl_plan *p, X509 *cert, const struct ctl_record *rec, uint16_t role)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct cl_entry *e = &p->e[i];

		if (e->role != role)
			continue;
		if (cert != NULL && e->cert != NULL && X509_cmp(e->cert, cert) == 0)
			return 1;
		if (cert != NULL && e->rec != NULL && der_eq(cert, &e->rec->cert))
			return 1;
		if (rec != NULL && e->cert != NULL && der_eq(e->cert, &rec->cert))
			return 1;
		if (rec != NULL && e->rec != NULL && e->rec->cert.len == rec->cert.len &&
		    memcmp(e->rec->cert.p, rec->cert.p, rec->cert.len) == 0)
			return 1;
	}
	return 0;
}

static void
set_source(struct cl_entry *e, const char *source)
{
	int n = snprintf(e->source, sizeof(e->source), "%s", source);

	if (n < 0)
		e->source[0] = '\0';
}

int
cl_plan_add_cert(struct cl_plan *p, X509 *cert, uint16_t role, const char *dns, const uint8_t *ip,
                 const char *source)
{
	struct cl_entry *e;

	if (plan_has(p, cert, NULL, role))
		return 1;
	if (p->n == CL_MAX_ENTRIES) {
		cli_err("more than %d records", CL_MAX_ENTRIES);
		return -1;
	}
	e = &p->e[p->n];
	memset(e, 0, sizeof(*e));
	e->role = role;
	if (X509_up_ref(cert) != 1)
		return -1;
	e->cert = cert;
	if (dns != NULL && snprintf(e->dns, sizeof(e->dns), "%s", dns) < 0)
		e->dns[0] = '\0';
	if (ip != NULL) {
		e->has_ip = 1;
		memcpy(e->ip, ip, 4);
	}
	set_source(e, source);
	p->n++;
	return 0;
}

int
cl_plan_add_record(struct cl_plan *p, const struct ctl_record *r, const char *source)
{
	struct cl_entry *e;

	if (plan_has(p, NULL, r, r->role))
		return 1;
	if (p->n == CL_MAX_ENTRIES) {
		cli_err("more than %d records", CL_MAX_ENTRIES);
		return -1;
	}
	e = &p->e[p->n++];
	memset(e, 0, sizeof(*e));
	e->role = r->role;
	e->rec = r;
	if (r->dns.len > 1 && snprintf(e->dns, sizeof(e->dns), "%.*s", (int)(r->dns.len - 1),
	                               (const char *)r->dns.p) < 0)
		e->dns[0] = '\0';
	e->has_ip = r->has_ip;
	memcpy(e->ip, r->ip, 4);
	set_source(e, source);
	return 0;
}

int
cl_plan_add_servers(struct cl_plan *p, const struct cluster *cl)
{
	size_t i, k;

	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];

		for (k = 0; k < nd->ncerts; k++)
			/* A node's TVS certificate belongs to its ITL: CUCM never lists TVS in a CTL. */
			if (nd->certs[k].role != CTL_ROLE_TVS &&
			    cl_plan_add_cert(p, nd->certs[k].cert, nd->certs[k].role, nd->hostname,
			                     nd->has_ip ? nd->ip : NULL, nd->t.name) < 0)
				return EXIT_POLICY;
	}
	return EXIT_OK;
}

size_t
cl_plan_nsast(const struct cl_plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->e[i].role == CTL_ROLE_SAST;
	return n;
}

void
cl_plan_free(struct cl_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		X509_free(p->e[i].cert);
	p->n = 0;
}

/* Subject and serial of an entry, for display (the subject escaped for a terminal). */
static void
entry_names(const struct cl_entry *e, char *subj, size_t slen, char *ser, size_t serlen)
{
	char *s = NULL;
	uint8_t *sb = NULL;
	size_t sn = 0;

	subj[0] = ser[0] = '\0';
	if (e->cert != NULL) {
		if (ctl_name_string(X509_get_subject_name(e->cert), &s) == CTL_OK)
			(void)ctl_text_escape(subj, slen, s, strlen(s));
		if (ctl_serial_bytes(e->cert, &sb, &sn) == CTL_OK)
			cli_serial_hex(sb, sn, ser, serlen);
		free(s);
		free(sb);
		return;
	}
	if (e->rec->subject.len > 1) /* SUBJECTNAME ends in its NUL */
		(void)ctl_text_escape(subj, slen, e->rec->subject.p, e->rec->subject.len - 1);
	cli_serial_hex(e->rec->serial.p, e->rec->serial.len, ser, serlen);
}

void
cl_plan_show(const struct cl_plan *p, const struct cluster *cl, FILE *f)
{
	char subj[256], ser[100], hex[PROV_FP_HEX], where[300];
	size_t i;

	fprintf(f, "The CTL will hold %zu records:\n", p->n);
	fprintf(f, "  %-3s %-9s %-30s %s\n", "#", "ROLE", "DNSNAME/IP", "FROM");
	for (i = 0; i < p->n; i++) {
		const struct cl_entry *e = &p->e[i];
		int n;

		entry_names(e, subj, sizeof(subj), ser, sizeof(ser));
		if (e->has_ip)
			n = snprintf(where, sizeof(where), "%s/%u.%u.%u.%u", e->dns[0] ? e->dns : "-", e->ip[0],
			             e->ip[1], e->ip[2], e->ip[3]);
		else
			n = snprintf(where, sizeof(where), "%s", e->dns[0] ? e->dns : "-");
		if (n < 0)
			where[0] = '\0';
		fprintf(f, "  %-3zu %-9s %-30s %s\n", i + 1, ctl_role_short(e->role), where, e->source);
		fprintf(f, "      %s, serial %s\n", subj, ser);
	}
	fprintf(f, "Servers (TLS certificate SHA-256 fingerprint):\n");
	for (i = 0; i < cl->n; i++) {
		if (cl->nodes[i].skip || !cl->nodes[i].fp_seen)
			continue;
		prov_fp_hex(cl->nodes[i].fp, hex, sizeof(hex));
		fprintf(f, "  %-22s %-16s %s\n", cl->nodes[i].t.name, cl->nodes[i].hostname, hex);
	}
}

/* ------------------------------------------------------------------ */
/* Tokens and signing                                                   */

static void
token_notice(const char *msg)
{
	cli_warn("%s", msg);
}

int
cl_tokens_open(const struct cluster *cl, struct p11_ctx **ctx)
{
	const char *sels[CL_MAX_TOKENS + 2];
	struct p11_diag d;
	enum p11_err r;
	size_t n = 0, i;

	*ctx = NULL;
	if (cl->o.token != NULL)
		sels[n++] = cl->o.token;
	if (cl->o.sign_token != NULL)
		sels[n++] = cl->o.sign_token;
	for (i = 0; i < cl->o.nsast_tokens; i++)
		sels[n++] = cl->o.sast_tokens[i];
	if ((r = p11_ctx_open(cl->o.module, sels, n, token_notice, ctx, &d)) != P11_OK) {
		cli_err("%s", d.msg);
		return cli_p11_exit_for(r);
	}
	return EXIT_OK;
}

int
cl_token_cert(struct p11_ctx *ctx, const char *sel, X509 **out)
{
	struct p11_diag d;
	enum p11_err r;

	if ((r = p11_token_cert(ctx, sel, out, &d)) != P11_OK) {
		cli_err("%s", d.msg);
		return cli_p11_exit_for(r);
	}
	return EXIT_OK;
}

static CTL_MUST_USE int
plan_build(const struct cl_plan *p, struct ctl_builder **out)
{
	struct ctl_builder *b = NULL;
	struct ctl_diag d;
	enum ctl_err r;
	size_t i;

	if ((r = ctl_builder_new(CTL_KIND_CTL, &b)) != CTL_OK)
		return cli_exit_for(r);
	for (i = 0; i < p->n; i++) {
		const struct cl_entry *e = &p->e[i];

		r = e->rec != NULL ? ctl_builder_add_record(b, e->rec)
		                   : ctl_builder_add_cert(b, e->cert, e->role, e->dns[0] ? e->dns : NULL,
		                                          e->has_ip ? e->ip : NULL, &d);
		if (r != CTL_OK) {
			if (e->rec != NULL)
				cli_err("record %zu (%s): %s", i + 1, e->source, ctl_strerror(r));
			else
				cli_diag(e->source, &d);
			ctl_builder_free(b);
			return cli_exit_for(r);
		}
	}
	*out = b;
	return EXIT_OK;
}

static CTL_MUST_USE int
policy(const struct ctl_builder *b, X509 *signer)
{
	struct ctl_policy pol = { 2, 0, 0 };
	struct ctl_diag d;
	enum ctl_err r;

	if ((r = ctl_builder_check(b, &pol, signer, &d)) == CTL_OK)
		return EXIT_OK;
	cli_diag("refusing to sign", &d);
	if (r == CTL_E_TOO_FEW_SAST)
		cli_err("a CTL needs two SAST tokens (one signs, one is the backup)");
	if (r == CTL_E_SIGNER_NOT_LISTED)
		cli_err("the signing token must be one of the CTL's SAST records");
	if (r == CTL_E_EXPIRED)
		cli_err("replace the expired certificate on the server first");
	return cli_exit_for(r);
}

int
cl_sign(const struct cluster *cl, struct p11_ctx *ctx, const char *sel, X509 *signer,
        const struct cl_plan *p, uint8_t **out, size_t *len)
{
	struct pin_opts po = { cl->o.pin_file, 0 };
	const struct ctl_signer *s = NULL;
	struct ctl_builder *b = NULL;
	struct ctl_file *f = NULL;
	struct ctl_verify_result res;
	struct p11_diag pd;
	struct ctl_diag d;
	enum p11_err pr;
	enum ctl_err r;
	int rc;

	*out = NULL;
	if ((rc = plan_build(p, &b)) != EXIT_OK || (rc = policy(b, signer)) != EXIT_OK)
		goto out;
	if ((pr = p11_signer_new(ctx, sel, &po, &s, &pd)) != P11_OK) {
		cli_err("%s", pd.msg);
		rc = cli_p11_exit_for(pr);
		goto out;
	}
	if ((r = ctl_builder_sign(b, s, out, len, &d)) != CTL_OK) {
		cli_diag("signing", &d);
		rc = cli_exit_for(r);
		goto out;
	}
	/* Never upload a file that would not verify. */
	if ((r = ctl_file_parse(*out, *len, 0, &f, &d)) != CTL_OK || (r = ctl_file_verify(f, &res)) != CTL_OK) {
		cli_err("internal error: the signed CTL does not verify (%s)", ctl_strerror(r));
		free(*out);
		*out = NULL;
		rc = EXIT_INTERNAL;
	}
out:
	ctl_file_free(f);
	ctl_builder_free(b);
	return rc;
}
