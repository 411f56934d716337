/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client add-token: adds a token's certificate as a SAST record of the
 * installed CTL (read without login), re-signed by a token already listed.
 * On a tokenless cluster a tokenless CTL listing both tokens goes first
 * (cluster_resign.c).
 */
#include "cluster.h"

static CTL_MUST_USE int
add_token_run(int argc, char **argv)
{
	struct cluster cl;
	int rc = cl_parse(&cl, &cmd_add_token, CL_C_ADD_TOKEN, argc, argv);

	if (rc != 0) {
		cl_cleanup(&cl);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_add_token, NULL), EXIT_USAGE);
	}
	if (cl.o.retry_failed) {
		rc = cl_retry(&cl);
	} else if (cl.o.token == NULL || cl.o.sign_token == NULL) {
		cli_err("--token (the token to add) and --sign-token (a token the installed CTL lists) "
		        "are required");
		rc = EXIT_USAGE;
	} else {
		struct cl_resign rs = { cl.o.sign_token, cl.o.token, 1, NULL, NULL };

		rc = cl_resign_run(&cl, &rs);
	}
	cl_cleanup(&cl);
	return rc;
}

const struct cmd cmd_add_token = {
	"add-token",
	"--server HOST[:PORT]... --user NAME --token TOKEN --sign-token TOKEN [--layout 12x|10x] [--yes] [--json]",
	"add a token's certificate to the installed CTL",
	add_token_run,
};
