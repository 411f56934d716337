/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the cluster commands print about the servers: each failed node's
 * error, the agreement of the installed CTLs (and the one chosen, parsed),
 * and the result of an upload or mode change as a table or one JSON object
 * (doc/json.md; a node's object opened and closed here for every command).
 * Reads the nodes, calls nothing else in the cluster code.
 */
#include <stdio.h>
#include <string.h>

#include "cluster.h"

int
cl_report_failures(const struct cluster *cl)
{
	size_t i;
	int rc = EXIT_OK;

	for (i = 0; i < cl->n; i++) {
		if (cl->nodes[i].skip || !cl->nodes[i].failed)
			continue;
		cli_err("%s: %s", cl->nodes[i].t.name, cl->nodes[i].err);
		if (rc == EXIT_OK)
			rc = cl->nodes[i].rc;
	}
	return rc;
}

int
cl_pick_installed(const struct cluster *cl)
{
	size_t i;
	int first = -1;

	for (i = 0; i < cl->n; i++) {
		if (cl->nodes[i].ctl == NULL)
			continue;
		if (first < 0)
			first = (int)i;
		else if (strcmp(cl->nodes[i].ctl_md5, cl->nodes[first].ctl_md5) != 0)
			cli_warn("%s holds a different CTL (md5 %s) than %s (md5 %s); using the latter's "
			         "token records", cl->nodes[i].t.name, cl->nodes[i].ctl_md5,
			         cl->nodes[first].t.name, cl->nodes[first].ctl_md5);
	}
	return first;
}

int
cl_parse_installed(const struct cluster *cl, struct ctl_file **f, int *node)
{
	struct ctl_diag d;
	enum ctl_err r;
	int i = cl_pick_installed(cl);

	*f = NULL;
	if (node != NULL)
		*node = i;
	if (i < 0)
		return EXIT_OK;
	if ((r = ctl_file_parse(cl->nodes[i].ctl, cl->nodes[i].ctl_len, 0, f, &d)) != CTL_OK) {
		cli_diag(cl->nodes[i].t.name, &d);
		return cli_exit_for(r);
	}
	return EXIT_OK;
}

static const char *
mode_name(int m)
{
	return m == 1 ? "1 (mixed)" : m == 0 ? "0 (non-secure)" : "-";
}

void
cl_report_table(FILE *f, const struct cluster *cl, const char *md5, size_t nfail)
{
	size_t i;

	fprintf(f, "%-22s %-24s %-7s %-32s %s\n", "SERVER", "HOST", "RESULT", "CTL MD5", "MODE");
	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];
		const char *res = nd->failed ? "FAILED" : nd->skip ? "earlier" : "ok";

		fprintf(f, "%-22s %-24s %-7s %-32s %s\n", nd->t.name, nd->hostname[0] ? nd->hostname : "-", res,
		       nd->failed || nd->skip ? "-" : nd->md5_after[0] ? nd->md5_after : "-",
		       nd->failed || nd->skip ? "-" : mode_name(nd->mode_after));
		if (nd->failed)
			fprintf(f, "  %s\n", nd->err);
	}
	if (nfail == 0)
		fprintf(f, "%s: done on all %zu servers%s%s\n", cl->cmd->name, cl->n, md5 ? ", CTL md5 " : "",
		       md5 ? md5 : "");
	else
		fprintf(f, "%s: %zu of %zu servers failed; fix the cause and run 'ctl-client %s --retry-failed "
		       "--user %s' to finish\n", cl->cmd->name, nfail, cl->n, cl->cmd->name, cl->o.user);
}

void
cl_json_server_open(FILE *f, const struct cl_node *nd, size_t i)
{
	fprintf(f, "%s{\"server\":", i ? "," : "");
	ctl_json_fputs(f, nd->t.name);
	fputs(",\"hostname\":", f);
	ctl_json_fputs(f, nd->hostname);
}

void
cl_json_server_close(FILE *f, const struct cl_node *nd)
{
	fputs(",\"error\":", f);
	ctl_json_fputs_or_null(f, nd->failed ? nd->err : NULL);
	fputs("}", f);
}

void
cl_report_json(FILE *f, const struct cluster *cl, const char *md5, size_t nfail)
{
	size_t i;

	cli_json_printed();
	fprintf(f, "{\"tool\":\"ctl-client\",\"version\":\"%s\",\"command\":\"%s\",\"ok\":%s,\"md5\":",
	       CTL_VERSION_STRING, cl->cmd->name, nfail ? "false" : "true");
	ctl_json_fputs_or_null(f, md5);
	fputs(",\"bridge_md5\":", f);
	ctl_json_fputs_or_null(f, cl->bridge_md5[0] ? cl->bridge_md5 : NULL);
	fputs(",\"servers\":[", f);
	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];

		cl_json_server_open(f, nd, i);
		fprintf(f, ",\"result\":\"%s\",\"md5\":", nd->failed ? "failed" : nd->skip ? "earlier" : "ok");
		ctl_json_fputs_or_null(f, !nd->failed && !nd->skip && nd->md5_after[0] ? nd->md5_after : NULL);
		if (!nd->failed && !nd->skip && nd->mode_after >= 0)
			fprintf(f, ",\"mode\":%d", nd->mode_after);
		else
			fputs(",\"mode\":null", f);
		cl_json_server_close(f, nd);
	}
	fputs("]}\n", f);
}
