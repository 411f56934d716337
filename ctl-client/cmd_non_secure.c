/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client non-secure: sets mode 0 on every server. The CTL stays
 * installed, as on CUCM: phones keep it and accept a later one signed by
 * its tokens. With --tokenless the publisher signs a non-secure CTL
 * (certificate-less CCM+TFTP records) that every node installs.
 */
#include "cluster.h"

static CTL_MUST_USE int
non_secure_run(int argc, char **argv)
{
	struct cluster cl;
	int rc = cl_parse(&cl, &cmd_non_secure, CL_C_NON_SECURE, argc, argv);

	if (rc != 0) {
		cl_cleanup(&cl);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_non_secure, NULL), EXIT_USAGE);
	}
	if (cl.o.retry_failed) {
		rc = cl_retry(&cl);
	} else if (cl.o.tokenless) {
		rc = cl_tl_non_secure(&cl);
	} else if ((rc = cl_init(&cl)) == EXIT_OK &&
	           (rc = cl_confirm(&cl, "Set every server to non-secure mode (the CTL stays installed)?")) ==
	                   EXIT_OK) {
		rc = cl_apply(&cl, NULL, 0, 0);
	}
	cl_cleanup(&cl);
	return rc;
}

const struct cmd cmd_non_secure = {
	"non-secure",
	"--server HOST[:PORT]... --user NAME [--tokenless [--layout 12x|10x]] [--yes] [--json]",
	"set every server to non-secure mode (mode 0; the CTL stays)",
	non_secure_run,
};
