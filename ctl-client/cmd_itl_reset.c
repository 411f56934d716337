/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client itl-reset localkey|remotekey|done: CUCM's bulk ITL reset
 * (`utils itl reset`). Every node serves a reset ITL signed with its own
 * ITLRecovery key (localkey) or the remote one (remotekey), which phones
 * that trust neither the ITL signer nor TVS still accept; `done` makes the
 * nodes serve their normal ITL again. Every node must answer GET_INFO
 * first; then ITL_RESET goes to all of them and CUCM's lines say which
 * node took it.
 */
#include <stdio.h>

#include "cluster.h"

static void
print_lines(const struct cluster *cl, const char *what)
{
	char line[600];
	size_t i, nok = 0;

	for (i = 0; i < cl->n; i++)
		nok += !cl->nodes[i].failed;
	if (nok > 0) {
		(void)snprintf(line, sizeof(line), "The %s file was generated successfully", what);
		cl_say(cl, line);
	}
	cl_say(cl, "Locating active Tftp servers in the cluster.....");
	cl_say(cl, "Following is the list of Active tftp servers in the cluster");
	cl_say(cl, "====================");
	for (i = 0; i < cl->n; i++)
		cl_say(cl, cl->nodes[i].hostname);
	cl_say(cl, "=====================");
	(void)snprintf(line, sizeof(line), "Number of Active TFTP servers in the cluster : %zu", cl->n);
	cl_say(cl, line);
	(void)snprintf(line, sizeof(line), "Transferring new %s file to the TFTP server nodes in the cluster.........",
	               what);
	cl_say(cl, line);
	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];

		if (nd->failed)
			(void)snprintf(line, sizeof(line), "Failed to transfer %s to node %s (%s): %s", what,
			               nd->hostname, nd->t.name, nd->err);
		else
			(void)snprintf(line, sizeof(line), "Successfully transferred %s to node %s", what, nd->hostname);
		cl_say(cl, line);
	}
}

/* The result object (doc/json.md, `itl-reset --json`). */
static void
print_json(const struct cluster *cl, int ok)
{
	size_t i;

	cli_json_printed();
	printf("{\"tool\":\"ctl-client\",\"version\":\"%s\",\"command\":\"itl-reset\",\"action\":\"%s\",\"ok\":%s,"
	       "\"servers\":[", CTL_VERSION_STRING, cl->o.itl_action_name, ok ? "true" : "false");
	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];

		cl_json_server_open(stdout, nd, i);
		printf(",\"result\":\"%s\",\"itl_md5\":", nd->failed ? "failed" : "ok");
		ctl_json_fputs_or_null(stdout, nd->failed ? NULL : nd->itl_md5);
		if (nd->failed)
			fputs(",\"itl_length\":null", stdout);
		else
			printf(",\"itl_length\":%u", (unsigned)nd->itl_len);
		cl_json_server_close(stdout, nd);
	}
	fputs("]}\n", stdout);
}

static CTL_MUST_USE int
itl_reset(struct cluster *cl)
{
	const char *what = cl->o.itl_action == CL_ITL_DONE ? "ITL" : "reset ITL";
	char line[128];
	int rc;

	if ((rc = cl_init(cl)) != EXIT_OK)
		return rc;
	if (cl_run(cl, CL_OP_INFO) != EXIT_OK) {
		rc = cl_report_failures(cl);
		cli_err("nothing was changed");
		return rc;
	}
	(void)snprintf(line, sizeof(line), "Generating the %s file.....", what);
	cl_say(cl, line);
	cl->itl_action = (uint8_t)cl->o.itl_action;
	rc = cl_run(cl, CL_OP_ITL_RESET);
	print_lines(cl, what);
	if (cl->o.json)
		print_json(cl, rc == EXIT_OK);
	return rc;
}

static CTL_MUST_USE int
itl_reset_run(int argc, char **argv)
{
	struct cluster cl;
	int rc = cl_parse(&cl, &cmd_itl_reset, CL_C_ITL_RESET, argc, argv);

	if (rc != 0) {
		cl_cleanup(&cl);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_itl_reset, NULL), EXIT_USAGE);
	}
	rc = itl_reset(&cl);
	cl_cleanup(&cl);
	return rc;
}

const struct cmd cmd_itl_reset = {
	"itl-reset",
	"localkey|remotekey|done --server HOST[:PORT]... --user NAME [--json]",
	"serve the reset ITL on every node (CUCM's utils itl reset), or the normal one again",
	itl_reset_run,
};
