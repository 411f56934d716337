/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client update: after certificates changed or servers were added,
 * re-collect every server's certificates, keep the installed CTL's token
 * records, sign with a token that CTL lists and upload to every server.
 * With --tokenless the publisher signs (`utils ctl update CTLFile`).
 */
#include "cluster.h"

static CTL_MUST_USE int
update_run(int argc, char **argv)
{
	struct cluster cl;
	int rc = cl_parse(&cl, &cmd_update, CL_C_UPDATE, argc, argv);

	if (rc != 0) {
		cl_cleanup(&cl);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_update, NULL), EXIT_USAGE);
	}
	if (cl.o.retry_failed) {
		rc = cl_retry(&cl);
	} else if (cl.o.tokenless && cl.o.token != NULL) {
		cli_err("--token does not go with --tokenless: the publisher signs");
		rc = EXIT_USAGE;
	} else if (cl.o.tokenless) {
		rc = cl_tl_update(&cl, 0);
	} else if (cl.o.token == NULL) {
		cli_err("--token is required: a SAST token listed in the installed CTL signs the new one");
		rc = EXIT_USAGE;
	} else {
		struct cl_resign rs = { cl.o.token, NULL, 1, NULL, NULL };

		rc = cl_resign_run(&cl, &rs);
	}
	cl_cleanup(&cl);
	return rc;
}

const struct cmd cmd_update = {
	"update",
	"--server HOST[:PORT]... --user NAME (--token TOKEN | --tokenless [--layout 12x|10x]) [--yes] [--json]",
	"re-collect the servers' certificates and re-sign the installed CTL",
	update_run,
};
