/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tokenless mixed mode (CUCM 10.0+): the publisher's provider builds the
 * CTL from the certificates every node announced and signs it with
 * ITLRecovery (12.x) or its CallManager key (10.x and reset-localkey); no
 * key crosses the wire. Nothing is changed unless every node answered and
 * the publisher signed. A phone takes a new CTL only when a SAST of the one
 * it holds signed it, so each new file is checked against the installed
 * one first; between tokens and tokenless a bridge CTL, signed by what the
 * phones trust and listing what signs next, is installed before the result.
 * CUCM's lines (`utils ctl`) are printed as CUCM prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cluster.h"
#include "p11.h"

#define RESET_PHONES "You must reset all phones to ensure they received the updated CTL file."

void
cl_say(const struct cluster *cl, const char *line)
{
	FILE *f = cl->o.json ? stderr : stdout;

	fprintf(f, "%s\n", line);
	fflush(f);
}

/* GET_INFO and GET_CTL from every node: one that fails changes nothing. */
static CTL_MUST_USE int
collect(struct cluster *cl)
{
	int rc;

	if ((rc = cl_init(cl)) != EXIT_OK)
		return rc;
	if (cl_run(cl, CL_OP_INFO | CL_OP_CTL) != EXIT_OK) {
		rc = cl_report_failures(cl);
		cli_err("nothing was changed");
		return rc;
	}
	return EXIT_OK;
}

/* A signed tokenless CTL: its bytes (owned) and the file parsed from them. */
struct signed_ctl {
	uint8_t *bytes;
	size_t len;
	struct ctl_file *f;
};

static void
signed_free(struct signed_ctl *s)
{
	ctl_file_free(s->f);
	free(s->bytes);
	memset(s, 0, sizeof(*s));
}

/* SIGN_CTL on the publisher (node 0; the others are not contacted). */
static CTL_MUST_USE int
sign(struct cluster *cl, const struct cl_sign_req *rq, struct signed_ctl *out)
{
	int skip[CL_MAX_SERVERS];
	struct ctl_diag d;
	size_t i;
	int rc;

	signed_free(out);
	cl->sign = *rq;
	for (i = 1; i < cl->n; i++) {
		skip[i] = cl->nodes[i].skip;
		cl->nodes[i].skip = 1;
	}
	rc = cl_run(cl, CL_OP_SIGN);
	for (i = 1; i < cl->n; i++)
		cl->nodes[i].skip = skip[i];
	if (rc != EXIT_OK) {
		rc = cl_report_failures(cl);
		cli_err("nothing was changed");
		return rc;
	}
	out->bytes = cl->signed_ctl;
	out->len = cl->signed_len;
	cl->signed_ctl = NULL;
	if (ctl_file_parse(out->bytes, out->len, 0, &out->f, &d) != CTL_OK) {
		cli_diag("SIGN_CTL", &d); /* cl_sbd_take_signed() parsed it already */
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

/* The mode SIGN_CTL builds for when the command does not set one: the publisher's. */
static int
pub_mode(const struct cluster *cl)
{
	return cl->nodes[0].mode == 1 ? 1 : 0;
}

/*
 * SIGN_CTL for rq plus the tokens the installed CTL lists (two requests
 * when it lists any: the first tells which SAST the publisher adds).
 */
static CTL_MUST_USE int
sign_keeping_tokens(struct cluster *cl, const struct ctl_file *held, struct cl_sign_req *rq,
                    struct signed_ctl *out)
{
	size_t given = rq->ntokens;
	int rc;

	if ((rc = sign(cl, rq, out)) != EXIT_OK || held == NULL)
		return rc;
	cl_tl_kept_tokens(cl, held, out->f, rq);
	return rq->ntokens == given ? EXIT_OK : sign(cl, rq, out);
}

/* Why phones holding held would refuse next, and what to do instead. */
static void
refuse(const struct ctl_file *held, const char *instead)
{
	struct ctl_bytes s = ctl_file_signer_name(held);

	cli_err("the installed CTL is signed by '%.*s' and the new CTL is not signed by one of its SAST "
	        "certificates: phones holding it would refuse the new one; nothing was changed. %s",
	        s.len ? (int)s.len - 1 : 0, s.p ? (const char *)s.p : "", instead);
}

int
cl_tl_apply_bridge(struct cluster *cl, const uint8_t *ctl, size_t len)
{
	size_t i, nfail = 0;
	int rc;

	cl->mode_first = 1;
	cl->no_report = 1;
	rc = cl_apply(cl, ctl, len, -1);
	cl->no_report = 0;
	if (rc == EXIT_OK) {
		memcpy(cl->bridge_md5, cl->put_md5, sizeof(cl->bridge_md5));
		return EXIT_OK;
	}
	for (i = 0; i < cl->n; i++)
		nfail += cl->nodes[i].failed != 0;
	if (cl->o.json)
		cl_report_json(stdout, cl, cl->put_md5, nfail);
	else
		cl_report_table(stdout, cl, cl->put_md5, nfail);
	cli_err("the bridge CTL (md5 %s) was not installed everywhere; the CTL that follows it was not "
	        "sent", cl->put_md5);
	return rc;
}

/* The final upload; CUCM's closing lines when every node took it. */
static CTL_MUST_USE int
apply(struct cluster *cl, const struct signed_ctl *s, int mode, const char *done1, const char *done2)
{
	int rc;

	cl->mode_first = 1;
	if ((rc = cl_apply(cl, s->bytes, s->len, mode)) == EXIT_OK) {
		cl_say(cl, done1);
		if (done2 != NULL)
			cl_say(cl, done2);
	}
	return rc;
}

/* A token-signed bridge from a token CTL to a tokenless one. */
struct token_bridge {
	struct p11_ctx *ctx;
	struct cl_plan plan;
	X509 *signer;
	uint8_t *out;
	size_t len;
};

static void
bridge_free(struct token_bridge *b)
{
	free(b->out);
	cl_plan_free(&b->plan);
	X509_free(b->signer);
	p11_ctx_free(b->ctx); /* after the last use of the token signer */
	memset(b, 0, sizeof(*b));
}

/* The held CTL's SAST records, the tokenless CTL's SAST records, the servers. */
static CTL_MUST_USE int
bridge_plan(struct cluster *cl, const struct ctl_file *held, const struct ctl_file *next,
            struct token_bridge *b)
{
	const struct ctl_file *from[2] = { held, next };
	const char *src[2] = { "installed CTL", "tokenless CTL" };
	char s[64];
	size_t k, i;
	int rc;

	if ((rc = cl_tokens_open(cl, &b->ctx)) != EXIT_OK || (rc = cl_token_cert(b->ctx, cl->o.token, &b->signer)) != EXIT_OK)
		return rc;
	for (k = 0; k < 2; k++)
		for (i = 0; i < ctl_file_nrecords(from[k]); i++) {
			const struct ctl_record *r = ctl_file_record(from[k], i);

			(void)snprintf(s, sizeof(s), "%s #%zu", src[k], i + 1);
			if (r->role == CTL_ROLE_SAST && cl_plan_add_record(&b->plan, r, s) < 0)
				return EXIT_POLICY;
		}
	if ((rc = cl_plan_add_servers(&b->plan, cl)) != EXIT_OK)
		return rc;
	cl_plan_show(&b->plan, cl, stderr);
	return EXIT_OK;
}

/* Signs the bridge on the token; phones holding held must take it. */
static CTL_MUST_USE int
bridge_sign(struct cluster *cl, const struct ctl_file *held, struct token_bridge *b)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	int rc, ok;

	if ((rc = cl_sign(cl, b->ctx, cl->o.token, b->signer, &b->plan, &b->out, &b->len)) != EXIT_OK)
		return rc;
	if (ctl_file_parse(b->out, b->len, 0, &f, &d) != CTL_OK)
		return EXIT_INTERNAL;
	ok = cl_tl_accepts(held, f);
	ctl_file_free(f);
	if (!ok) {
		refuse(held, "Give --token a token the installed CTL lists.");
		return EXIT_POLICY;
	}
	return EXIT_OK;
}

int
cl_tl_mixed(struct cluster *cl)
{
	struct cl_sign_req rq = { (uint8_t)cl->o.layout, 1, { NULL }, 0 };
	struct signed_ctl s = { NULL, 0, NULL };
	struct token_bridge b;
	struct ctl_file *held = NULL;
	int rc, bridge = 0;

	memset(&b, 0, sizeof(b));
	if ((rc = collect(cl)) != EXIT_OK || (rc = cl_parse_installed(cl, &held, NULL)) != EXIT_OK ||
	    (rc = sign(cl, &rq, &s)) != EXIT_OK)
		goto out;
	if (held != NULL && !cl_tl_accepts(held, s.f) && !cl->o.override_trust) {
		if (cl->o.token == NULL) {
			refuse(held, "To leave the tokens, give --token (a token it lists): a CTL signed by it "
			             "and listing ITLRecovery is installed first.");
			rc = EXIT_POLICY;
			goto out;
		}
		if ((rc = bridge_plan(cl, held, s.f, &b)) != EXIT_OK)
			goto out;
		bridge = 1;
	}
	if ((rc = cl_confirm_cucm(cl, "This operation will set the cluster to Mixed mode.")) != EXIT_OK ||
	    (bridge && (rc = bridge_sign(cl, held, &b)) != EXIT_OK))
		goto out;
	cl_say(cl, "Moving Cluster to Mixed Mode");
	if (bridge && (rc = cl_tl_apply_bridge(cl, b.out, b.len)) != EXIT_OK)
		goto out;
	rc = apply(cl, &s, 1, "Cluster set to Mixed Mode", RESET_PHONES);
out:
	bridge_free(&b);
	ctl_file_free(held);
	signed_free(&s);
	cl_tl_tokens_free(&rq);
	return rc;
}

int
cl_tl_update(struct cluster *cl, int reset_localkey)
{
	struct cl_sign_req rq = { (uint8_t)(reset_localkey ? CL_LAYOUT_10X : cl->o.layout), 0, { NULL }, 0 };
	struct signed_ctl s = { NULL, 0, NULL };
	struct ctl_file *held = NULL;
	int rc;

	if ((rc = collect(cl)) != EXIT_OK || (rc = cl_parse_installed(cl, &held, NULL)) != EXIT_OK)
		goto out;
	if (held == NULL) {
		cli_err("no server has a CTL installed; run 'ctl-client mixed-mode --tokenless' first");
		rc = EXIT_FAIL;
		goto out;
	}
	rq.mode = (uint8_t)pub_mode(cl);
	if ((rc = sign_keeping_tokens(cl, held, &rq, &s)) != EXIT_OK)
		goto out;
	if (!cl_tl_accepts(held, s.f) && !cl->o.override_trust) {
		refuse(held, reset_localkey ? "" :
		       "If it is signed by a token, use 'update --token'; if ITLRecovery was replaced, "
		       "run 'reset-localkey' first.");
		rc = EXIT_POLICY;
		goto out;
	}
	if ((rc = cl_confirm_cucm(cl, reset_localkey ? "This operation regenerates the CTLFile and signs it with "
	                                               "the CallManager certificate." :
	                                               "This operation updates the CTLFile.")) != EXIT_OK)
		goto out;
	cl_say(cl, "Updating CTL file");
	rc = apply(cl, &s, -1, "CTL file Updated", RESET_PHONES);
	if (rc == EXIT_OK && reset_localkey)
		cl_say(cl, "Once every phone has it, run 'ctl-client update --tokenless' to sign it with the "
		           "ITLRecovery certificate again.");
out:
	ctl_file_free(held);
	signed_free(&s);
	cl_tl_tokens_free(&rq);
	return rc;
}

int
cl_tl_non_secure(struct cluster *cl)
{
	struct cl_sign_req rq = { (uint8_t)cl->o.layout, 0, { NULL }, 0 };
	struct signed_ctl s = { NULL, 0, NULL };
	struct ctl_file *held = NULL;
	int rc;

	if ((rc = collect(cl)) != EXIT_OK || (rc = cl_parse_installed(cl, &held, NULL)) != EXIT_OK ||
	    (rc = sign_keeping_tokens(cl, held, &rq, &s)) != EXIT_OK)
		goto out;
	if (held != NULL && !cl_tl_accepts(held, s.f)) {
		refuse(held, "Set non-secure mode with the tokens ('non-secure' without --tokenless).");
		rc = EXIT_POLICY;
		goto out;
	}
	if ((rc = cl_confirm_cucm(cl, "This operation will set the cluster to non secure mode.")) != EXIT_OK)
		goto out;
	cl_say(cl, "Moving Cluster to Non Secure Mode");
	rc = apply(cl, &s, 0, "Cluster set to Non Secure Mode", NULL);
out:
	ctl_file_free(held);
	signed_free(&s);
	cl_tl_tokens_free(&rq);
	return rc;
}

int
cl_tl_bridge_tokens(struct cluster *cl, const struct ctl_file *held, X509 *const *tokens, size_t ntokens,
                    uint8_t **bytes, size_t *len, struct ctl_file **now)
{
	struct cl_sign_req rq = { (uint8_t)cl->o.layout, (uint8_t)pub_mode(cl), { NULL }, 0 };
	struct signed_ctl s = { NULL, 0, NULL };
	size_t i;
	int rc;

	*bytes = NULL;
	*len = 0;
	*now = NULL;
	/*
	 * Signed by a token the phones already trust (tokens[0] signs), or a
	 * token CTL: no bridge (the token path refuses a signer it does not list).
	 */
	if (ntokens == 0 || cl_tl_lists_sast(held, tokens[0]) || !cl_tl_own_signed(cl, held))
		return EXIT_OK;
	if ((rc = sign(cl, &rq, &s)) != EXIT_OK)
		goto out;
	cl_tl_kept_tokens(cl, held, s.f, &rq);
	for (i = 0; i < ntokens && rq.ntokens < sizeof(rq.tokens) / sizeof(rq.tokens[0]); i++)
		if (X509_up_ref(tokens[i]) == 1)
			rq.tokens[rq.ntokens++] = tokens[i];
	if ((rc = sign(cl, &rq, &s)) != EXIT_OK)
		goto out;
	/* Not a tokenless cluster: the token path refuses on its own (signer not listed). */
	if (!cl_tl_accepts(held, s.f))
		goto out;
	*bytes = s.bytes;
	*len = s.len;
	*now = s.f;
	memset(&s, 0, sizeof(s));
out:
	signed_free(&s);
	cl_tl_tokens_free(&rq);
	return rc;
}
