/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client reset-localkey: CUCM's `utils ctl reset localkey`. The
 * publisher re-signs the tokenless CTL with its CallManager key, the second
 * SAST of the installed CTL: phones take it after the ITLRecovery that
 * signed their CTL was replaced. 'update --tokenless' then signs with the
 * new ITLRecovery again (cluster_tokenless.c).
 */
#include "cluster.h"

static CTL_MUST_USE int
reset_localkey_run(int argc, char **argv)
{
	struct cluster cl;
	int rc = cl_parse(&cl, &cmd_reset_localkey, CL_C_RESET_LOCALKEY, argc, argv);

	if (rc != 0) {
		cl_cleanup(&cl);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_reset_localkey, NULL), EXIT_USAGE);
	}
	rc = cl.o.retry_failed ? cl_retry(&cl) : cl_tl_update(&cl, 1);
	cl_cleanup(&cl);
	return rc;
}

const struct cmd cmd_reset_localkey = {
	"reset-localkey",
	"--server HOST[:PORT]... --user NAME [--yes] [--json]",
	"re-sign the tokenless CTL with the publisher's CallManager key (ITLRecovery replaced)",
	reset_localkey_run,
};
