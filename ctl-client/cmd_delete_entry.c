/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client delete-entry: removes the records matching a serial number or
 * subject from the installed CTL and re-signs it. The last two SAST
 * records are never removed: a CTL needs a signing token and a backup.
 */
#include "cluster.h"

static CTL_MUST_USE int
delete_entry_run(int argc, char **argv)
{
	struct cluster cl;
	int rc = cl_parse(&cl, &cmd_delete_entry, CL_C_DELETE, argc, argv);

	if (rc != 0) {
		cl_cleanup(&cl);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_delete_entry, NULL), EXIT_USAGE);
	}
	if (cl.o.retry_failed) {
		rc = cl_retry(&cl);
	} else if (cl.o.token == NULL || (cl.o.serial == NULL) == (cl.o.subject == NULL)) {
		cli_err("--token and exactly one of --serial and --subject are required");
		rc = EXIT_USAGE;
	} else {
		struct cl_resign rs = { cl.o.token, NULL, 0, cl.o.serial, cl.o.subject };

		rc = cl_resign_run(&cl, &rs);
	}
	cl_cleanup(&cl);
	return rc;
}

const struct cmd cmd_delete_entry = {
	"delete-entry",
	"--server HOST[:PORT]... --user NAME --token TOKEN {--serial HEX | --subject NAME} [--yes]",
	"remove a record from the installed CTL and re-sign it",
	delete_entry_run,
};
