/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client mixed-mode: the CTL client's first run on a cluster. Collects
 * every server's certificates in parallel, lists the tokens as SAST records
 * (the signing token plus at least one backup), shows the result, signs on
 * the token, uploads to every server and sets mode 1 (mixed). With
 * --tokenless the publisher signs instead (cluster_tokenless.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cluster.h"
#include "p11.h"

/* Token records: the signer first, then each backup, read without login. */
static CTL_MUST_USE int
plan_tokens(const struct cluster *cl, struct p11_ctx *ctx, struct cl_plan *p, X509 **signer)
{
	size_t i;
	X509 *x;
	int rc;

	if ((rc = cl_token_cert(ctx, cl->o.token, signer)) != EXIT_OK)
		return rc;
	if (cl_plan_add_cert(p, *signer, CTL_ROLE_SAST, NULL, NULL, cl->o.token) != 0)
		return EXIT_POLICY;
	for (i = 0; i < cl->o.nsast_tokens; i++) {
		if ((rc = cl_token_cert(ctx, cl->o.sast_tokens[i], &x)) != EXIT_OK)
			return rc;
		rc = cl_plan_add_cert(p, x, CTL_ROLE_SAST, NULL, NULL, cl->o.sast_tokens[i]);
		X509_free(x);
		if (rc != 0) {
			cli_err("--sast-token %s: the same certificate as another token", cl->o.sast_tokens[i]);
			return EXIT_POLICY;
		}
	}
	return EXIT_OK;
}

static CTL_MUST_USE int
mixed_mode(struct cluster *cl)
{
	struct p11_ctx *ctx = NULL;
	struct cl_plan plan;
	X509 *signer = NULL;
	uint8_t *out = NULL;
	size_t len = 0;
	int rc;

	plan.n = 0;
	if ((rc = cl_init(cl)) != EXIT_OK || (rc = cl_tokens_open(cl, &ctx)) != EXIT_OK ||
	    (rc = plan_tokens(cl, ctx, &plan, &signer)) != EXIT_OK)
		goto out;
	if (cl_run(cl, CL_OP_INFO) != EXIT_OK) {
		rc = cl_report_failures(cl);
		cli_err("could not collect every server's certificates; nothing was changed");
		goto out;
	}
	if ((rc = cl_plan_add_servers(&plan, cl)) != EXIT_OK)
		goto out;
	cl_plan_show(&plan, cl, cl->o.json ? stderr : stdout);
	if ((rc = cl_confirm(cl, "Sign this CTL with the token, upload it to every server and set "
	                         "mixed mode?")) != EXIT_OK ||
	    (rc = cl_sign(cl, ctx, cl->o.token, signer, &plan, &out, &len)) != EXIT_OK)
		goto out;
	rc = cl_apply(cl, out, len, 1);
out:
	free(out);
	cl_plan_free(&plan);
	X509_free(signer);
	p11_ctx_free(ctx); /* after the last use of the token signer */
	return rc;
}

static CTL_MUST_USE int
mixed_mode_run(int argc, char **argv)
{
	struct cluster cl;
	int rc = cl_parse(&cl, &cmd_mixed_mode, CL_C_MIXED, argc, argv);

	if (rc != 0) {
		cl_cleanup(&cl);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_mixed_mode, NULL), EXIT_USAGE);
	}
	if (cl.o.retry_failed) {
		rc = cl_retry(&cl);
	} else if (cl.o.tokenless && cl.o.nsast_tokens > 0) {
		cli_err("--sast-token does not go with --tokenless (add tokens later with add-token)");
		rc = EXIT_USAGE;
	} else if (cl.o.tokenless) {
		rc = cl_tl_mixed(&cl);
	} else if (cl.o.token == NULL) {
		cli_err("--token is required: the SAST token that signs the CTL");
		cli_usage(stderr, &cmd_mixed_mode, NULL);
		rc = EXIT_USAGE;
	} else if (1 + cl.o.nsast_tokens < 2) {
		cli_err("a CTL needs at least two SAST tokens: add the backup token with --sast-token "
		        "(losing the only token would leave every phone unable to accept a new CTL)");
		rc = EXIT_POLICY;
	} else {
		rc = mixed_mode(&cl);
	}
	cl_cleanup(&cl);
	return rc;
}

const struct cmd cmd_mixed_mode = {
	"mixed-mode",
	"--server HOST[:PORT]... --user NAME (--token TOKEN --sast-token TOKEN... | --tokenless "
	"[--layout 12x|10x] [--token TOKEN]) [--yes] [--json]",
	"collect the cluster's certificates, sign a CTL (token or tokenless), set mixed mode",
	mixed_mode_run,
};
