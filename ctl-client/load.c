/* SPDX-License-Identifier: Apache-2.0 */
/* Loading and verifying a trust list or signed file (see load.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd.h"
#include "load.h"

static CTL_MUST_USE int
load_one(const char *path, unsigned flags, struct ctl_file **out)
{
	struct ctl_diag d;
	enum ctl_err r = ctl_file_load(path, flags, out, &d);

	if (r != CTL_OK) {
		cli_diag(path, &d);
		/* Failing to read an input is an input problem, not an output one. */
		return r == CTL_E_IO ? EXIT_INPUT : cli_exit_for(r);
	}
	return EXIT_OK;
}

int
load_and_verify(const char *path, const char *trusted_path, unsigned flags, struct verdict *v)
{
	struct stat st;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = load_one(path, flags, &v->file)) != EXIT_OK)
		return rc;
	if (stat(path, &st) == 0)
		v->mtime = st.st_mtime;
	if (trusted_path != NULL && (rc = load_one(trusted_path, 0, &v->trusted)) != EXIT_OK) {
		verdict_cleanup(v);
		return rc;
	}
	if (ctl_file_kind(v->file) == CTL_KIND_SGN) {
		/* A signed file's signer (TFTP / CCM+TFTP) is listed in a trust list. */
		static const uint16_t roles[] = { CTL_ROLE_TFTP, CTL_ROLE_CCM_TFTP };

		/* The verdict, failure included, is in v->res.err: the caller reports it. */
		if (v->trusted != NULL)
			CTL_IGNORE_RESULT(ctl_file_verify_with(v->file, v->trusted, roles, 2, &v->res));
		else
			v->unverifiable = ctl_file_verify(v->file, &v->res) == CTL_E_KIND;
	} else if (v->trusted != NULL) {
		CTL_IGNORE_RESULT(ctl_file_verify_trusted(v->file, v->trusted, &v->res));
	} else {
		CTL_IGNORE_RESULT(ctl_file_verify(v->file, &v->res));
	}
	return EXIT_OK;
}

int
print_listing(const struct verdict *v, const char *path, int json)
{
	struct ctl_render_opts o = { v->mtime, v->unverifiable ? NULL : &v->res, path };
	char *text = NULL;
	enum ctl_err r;

	r = json ? ctl_render_json(v->file, &o, &text) : ctl_render_text(v->file, &o, &text);
	if (r != CTL_OK) {
		cli_err("%s: cannot render: %s", path, ctl_strerror(r));
		return cli_exit_for(r);
	}
	fputs(text, stdout);
	free(text);
	if (json)
		cli_json_printed();
	if (fflush(stdout) != 0) {
		cli_err("cannot write to standard output");
		return EXIT_IO;
	}
	return EXIT_OK;
}

void
verdict_cleanup(struct verdict *v)
{
	ctl_file_free(v->file);
	ctl_file_free(v->trusted);
	memset(v, 0, sizeof(*v));
}
