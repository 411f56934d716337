/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Re-signing an installed CTL (update, add-token, delete-entry): the token
 * records of the CTL the servers hold are kept, so phones that trust it
 * accept the new one (a phone accepts a new CTL only when a SAST of the one
 * it holds signed it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "p11.h"

/* Hex digits, optional "0x" and ':' or ' ' separators; leading zero bytes dropped. */
static CTL_MUST_USE int
parse_serial(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	char dig[2 * 64 + 1];
	size_t nd = 0, i, n = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s != '\0'; s++) {
		if (*s == ':' || *s == ' ')
			continue;
		if (ctl_hex_digit((unsigned char)*s) < 0 || nd == sizeof(dig) - 2)
			return -1;
		dig[nd++] = *s;
	}
	if (nd == 0 || (nd + 1) / 2 > cap)
		return -1;
	i = 0;
	if (nd % 2 == 1)
		out[n++] = (uint8_t)ctl_hex_digit((unsigned char)dig[i++]);
	for (; i < nd; i += 2)
		out[n++] = (uint8_t)(ctl_hex_digit((unsigned char)dig[i]) << 4 | ctl_hex_digit((unsigned char)dig[i + 1]));
	while (n > 1 && out[0] == 0) {
		memmove(out, out + 1, n - 1);
		n--;
	}
	*len = n;
	return 0;
}

static CTL_MUST_USE int
serial_eq(const struct ctl_bytes *b, const uint8_t *s, size_t n)
{
	const uint8_t *p = b->p;
	size_t len = b->len;

	while (len > 1 && p[0] == 0) {
		p++;
		len--;
	}
	return len == n && memcmp(p, s, n) == 0;
}

static CTL_MUST_USE int
subject_eq(const struct ctl_bytes *b, const char *s)
{
	/* The installed CTL may say it in CUCM's form, the admin in RFC 4514's, or the reverse. */
	return b->len > 0 && ctl_name_bytes_equal(b->p, b->len, s, strlen(s));
}

/* Which records of f to keep; *nmatch counts the ones delete-entry removes. */
static CTL_MUST_USE int
keep_records(const struct cl_resign *rs, const struct ctl_file *f, struct cl_plan *p, size_t *nmatch)
{
	uint8_t ser[64];
	size_t sn = 0, i;
	char src[64];

	*nmatch = 0;
	if (rs->del_serial != NULL && parse_serial(rs->del_serial, ser, sizeof(ser), &sn) != 0) {
		cli_err("--serial '%s': expected hexadecimal digits (colons allowed)", rs->del_serial);
		return EXIT_USAGE;
	}
	for (i = 0; i < ctl_file_nrecords(f); i++) {
		const struct ctl_record *r = ctl_file_record(f, i);
		int del = (rs->del_serial != NULL && serial_eq(&r->serial, ser, sn)) ||
		          (rs->del_subject != NULL && subject_eq(&r->subject, rs->del_subject));

		if (del) {
			char hex[200];

			cli_serial_hex(r->serial.p, r->serial.len, hex, sizeof(hex));
			cli_warn("removing record %zu: %s %.*s serial %s", i + 1, ctl_role_short(r->role),
			         r->subject.len ? (int)r->subject.len - 1 : 0, (const char *)r->subject.p, hex);
			(*nmatch)++;
			continue;
		}
		if (rs->recollect && r->role != CTL_ROLE_SAST)
			continue; /* re-collected from the servers */
		(void)snprintf(src, sizeof(src), "installed CTL #%zu", i + 1);
		if (cl_plan_add_record(p, r, src) < 0)
			return EXIT_POLICY;
	}
	return EXIT_OK;
}

/* The installed CTL from the first server holding one, parsed and verified. */
static CTL_MUST_USE int
installed(const struct cluster *cl, struct ctl_file **f)
{
	struct ctl_verify_result res;
	int i, rc;

	if ((rc = cl_parse_installed(cl, f, &i)) != EXIT_OK)
		return rc;
	if (*f == NULL) {
		cli_err("no server has a CTL installed; run 'ctl-client mixed-mode' first");
		return EXIT_FAIL;
	}
	if (ctl_file_verify(*f, &res) != CTL_OK) {
		cli_err("%s: the installed CTL does not verify: %s", cl->nodes[i].t.name, res.reason);
		ctl_file_free(*f);
		*f = NULL;
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static CTL_MUST_USE int
add_token(struct p11_ctx *ctx, const char *sel, struct cl_plan *p)
{
	X509 *x = NULL;
	int rc;

	if ((rc = cl_token_cert(ctx, sel, &x)) != EXIT_OK)
		return rc;
	rc = cl_plan_add_cert(p, x, CTL_ROLE_SAST, NULL, NULL, sel);
	X509_free(x);
	if (rc == 1) {
		cli_err("token '%s' is already a SAST record of the installed CTL", sel);
		return EXIT_POLICY;
	}
	return rc == 0 ? EXIT_OK : EXIT_POLICY;
}

static CTL_MUST_USE int
plan_changes(const struct cluster *cl, const struct cl_resign *rs, const struct ctl_file *f,
             struct p11_ctx *ctx, struct cl_plan *p)
{
	size_t nmatch, before;
	int rc;

	if ((rc = keep_records(rs, f, p, &nmatch)) != EXIT_OK)
		return rc;
	if ((rs->del_serial != NULL || rs->del_subject != NULL) && nmatch == 0) {
		cli_err("no record of the installed CTL has that %s", rs->del_serial ? "serial" : "subject");
		return EXIT_FAIL;
	}
	before = 0;
	for (size_t i = 0; i < ctl_file_nrecords(f); i++)
		before += ctl_file_record(f, i)->role == CTL_ROLE_SAST;
	if (nmatch > 0 && cl_plan_nsast(p) < 2 && before >= 2) {
		cli_err("refusing: the CTL would keep %zu SAST record%s; the last two tokens are never "
		        "removed (add a token first)", cl_plan_nsast(p), cl_plan_nsast(p) == 1 ? "" : "s");
		return EXIT_POLICY;
	}
	if (rs->add_token != NULL && (rc = add_token(ctx, rs->add_token, p)) != EXIT_OK)
		return rc;
	if (rs->recollect)
		return cl_plan_add_servers(p, cl);
	return EXIT_OK;
}

/*
 * add-token on a tokenless cluster: phones hold a CTL no token signed, so a
 * tokenless CTL listing both tokens goes first (cluster_tokenless.c); the
 * token CTL is then planned from it, the added token already in it.
 */
static CTL_MUST_USE int
tokenless_bridge(struct cluster *cl, struct cl_resign *rs, struct p11_ctx *ctx, X509 *signer,
                 struct ctl_file **f, uint8_t **bridge, size_t *blen)
{
	struct ctl_file *now = NULL;
	X509 *toks[2] = { signer, NULL };
	int rc;

	if (rs->add_token == NULL)
		return EXIT_OK;
	if ((rc = cl_token_cert(ctx, rs->add_token, &toks[1])) != EXIT_OK)
		return rc;
	rc = cl_tl_bridge_tokens(cl, *f, toks, 2, bridge, blen, &now);
	X509_free(toks[1]);
	if (rc == EXIT_OK && now != NULL) {
		ctl_file_free(*f);
		*f = now;
		rs->add_token = NULL;
	}
	return rc;
}

int
cl_resign_run(struct cluster *cl, const struct cl_resign *rs_in)
{
	struct cl_resign rsc = *rs_in, *rs = &rsc;
	struct p11_ctx *ctx = NULL;
	struct ctl_file *f = NULL;
	struct cl_plan plan;
	X509 *signer = NULL;
	uint8_t *out = NULL, *bridge = NULL;
	size_t len = 0, blen = 0;
	int rc;

	plan.n = 0;
	/* Tokens first: a missing token fails before any server is touched. */
	if ((rc = cl_init(cl)) != EXIT_OK || (rc = cl_tokens_open(cl, &ctx)) != EXIT_OK ||
	    (rc = cl_token_cert(ctx, rs->sign_token, &signer)) != EXIT_OK)
		goto out;
	if (cl_run(cl, CL_OP_INFO | CL_OP_CTL) != EXIT_OK) {
		rc = cl_report_failures(cl);
		cli_err("nothing was changed");
		goto out;
	}
	if ((rc = installed(cl, &f)) != EXIT_OK ||
	    (rc = tokenless_bridge(cl, rs, ctx, signer, &f, &bridge, &blen)) != EXIT_OK ||
	    (rc = plan_changes(cl, rs, f, ctx, &plan)) != EXIT_OK)
		goto out;
	cl_plan_show(&plan, cl, cl->o.json ? stderr : stdout);
	if ((rc = cl_confirm(cl, "Sign this CTL with the token and upload it to every server?")) != EXIT_OK ||
	    (rc = cl_sign(cl, ctx, rs->sign_token, signer, &plan, &out, &len)) != EXIT_OK)
		goto out;
	if (bridge != NULL && (rc = cl_tl_apply_bridge(cl, bridge, blen)) != EXIT_OK)
		goto out;
	rc = cl_apply(cl, out, len, -1);
out:
	free(out);
	cl_plan_free(&plan);
	ctl_file_free(f);
	free(bridge); /* after f, which may be parsed from it */
	X509_free(signer);
	p11_ctx_free(ctx);
	return rc;
}
