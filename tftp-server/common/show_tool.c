/* SPDX-License-Identifier: Apache-2.0 */
/*
 * show-ctl and show-itl: read the node's file (or FILE), print it as
 * `show ctl` does (libctl's ctl/show.h) and verify its signature. A missing
 * or empty file and a file that does not parse print CUCM's lines; the
 * reason goes to standard error. With --json, libctl's JSON document or an
 * error object (doc/json.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ctl/show.h>
#include <ctl/text.h>

#include "show_phones.h"
#include "show_tool.h"

struct show_args {
	const char *path;
	int json;
	unsigned flags;
};

static void
usage(const struct show_tool *t, FILE *out)
{
	fprintf(out, "usage: %s [--root DIR | FILE] [--json] [--sha256]\n", t->prog);
	if (t->phones)
		fprintf(out, "       %s --phones [--root DIR] [--rollout-state FILE] [--json] [--stale]"
		        " [--version MD5]\n", t->prog);
}

static void
help(const struct show_tool *t)
{
	usage(t, stdout);
	printf("%s\n\n"
	       "  --root DIR   TFTP root holding %s (default /srv/tftp)\n"
	       "  FILE         show this file instead\n"
	       "  --json       print a JSON document instead of the listing\n"
	       "  --sha256     add the SHA256 checksum line after MD5 and SHA1\n"
	       "  --help       show this help\n"
	       "  --version    print the version\n", t->what, t->file);
	if (t->phones)
		printf("\n"
		       "  --phones     the rollout: devices ctl-tftpd last served the current\n"
		       "               CTLFile.tlv / ITLFile.tlv of DIR, an older one, or that\n"
		       "               have not asked since it changed\n"
		       "  --rollout-state FILE  ctl-tftpd's state file (default %s)\n"
		       "  --stale      list the devices whose CTL or ITL is not the current one\n"
		       "  --version MD5  list the devices holding the file with this md5\n",
		       SHOW_PHONES_STATE_DEFAULT);
}

/* With --json a failure is an error object on stdout: "PATH: why". */
static void
json_problem(const char *code, const char *path, const char *why)
{
	size_t n = strlen(path) + strlen(why) + 3;
	char *msg = malloc(n);

	if (msg != NULL)
		snprintf(msg, n, "%s: %s", path, why);
	ctl_json_error(stdout, code, msg != NULL ? msg : why);
	free(msg);
}

/* No file, an empty one, or one that does not parse: CUCM's lines, the reason on stderr. */
static int
show_problem(const struct show_tool *t, const struct show_args *a, const uint8_t *buf, size_t len,
             const char *why)
{
	char *text = NULL;
	enum ctl_err r;

	if (a->json) {
		json_problem(buf != NULL && len > 0 ? "parse" : "io", a->path, why);
	} else {
		r = buf != NULL && len > 0 ? ctl_render_unparsed(t->kind, buf, len, a->flags, &text) :
		    ctl_render_missing(t->kind, &text);
		if (r == CTL_OK)
			fputs(text, stdout);
		free(text);
	}
	fprintf(stderr, "%s: %s: %s\n", t->prog, a->path, why);
	return SHOW_EXIT_NOFILE;
}

/* Lists the parsed file f of path and verifies it; the exit status says whether it verified. */
static int
show_parsed(const struct show_tool *t, const struct show_args *a, const struct ctl_file *f)
{
	struct ctl_verify_result vr;
	struct ctl_render_opts o;
	struct stat sb;
	char *text = NULL;
	enum ctl_err r;
	int rc;

	/* Its result is also vr.err, which the listing shows and the exit status reports. */
	CTL_IGNORE_RESULT(ctl_file_verify(f, &vr));
	memset(&o, 0, sizeof(o));
	o.mtime = stat(a->path, &sb) == 0 ? sb.st_mtime : 0;
	o.verify = &vr;
	o.path = a->path;
	r = a->json ? ctl_render_json(f, &o, &text) : ctl_render_show(f, &o, a->flags, &text);
	if (r != CTL_OK) {
		fprintf(stderr, "%s: %s: cannot render\n", t->prog, a->path);
		if (a->json)
			json_problem("internal", a->path, "cannot render");
		rc = SHOW_EXIT_FAIL;
	} else {
		fputs(text, stdout);
		rc = vr.err == CTL_OK ? SHOW_EXIT_OK : SHOW_EXIT_FAIL;
		if (vr.err != CTL_OK)
			fprintf(stderr, "%s: %s: %s: %s\n", t->prog, a->path, ctl_strerror(vr.err), vr.reason);
	}
	free(text);
	return rc;
}

static int
show(const struct show_tool *t, const struct show_args *a)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	uint8_t *buf = NULL;
	size_t len = 0;
	char where[600];
	int rc;

	if (ctl_read_file(a->path, CTL_MAX_FILE, &buf, &len, &d) != CTL_OK)
		return show_problem(t, a, NULL, 0, d.msg);
	if (len == 0)
		rc = show_problem(t, a, buf, 0, "empty file");
	else if (ctl_file_parse(buf, len, 0, &f, &d) != CTL_OK)
		rc = show_problem(t, a, buf, len, ctl_diag_str(&d, where, sizeof(where)));
	else
		rc = show_parsed(t, a, f);
	ctl_file_free(f);
	free(buf);
	return fflush(stdout) == 0 ? rc : SHOW_EXIT_FAIL;
}

int
show_tool_main(const struct show_tool *t, int argc, char **argv)
{
	/* The last four are show-ctl's (t->phones); show-itl ends the table before them. */
	static const struct option all[] = {
		{ "root", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
		{ "sha256", no_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ "version", optional_argument, NULL, 'V' }, { "phones", no_argument, NULL, 'p' },
		{ "stale", no_argument, NULL, 'S' }, { "rollout-state", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct option opts[sizeof(all) / sizeof(all[0])];
	struct show_args a = { NULL, 0, 0 };
	struct show_phones_args pa = { t->prog, SHOW_PHONES_STATE_DEFAULT, NULL, 0, 0, NULL };
	const char *root = NULL;
	char path[4096];
	int c, n, phones = 0, want_version = 0, state_given = 0;

	memcpy(opts, all, sizeof(all));
	if (!t->phones) {
		memset(&opts[5], 0, sizeof(opts[5]));
		opts[4].has_arg = no_argument;
	}
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': phones = 1; break;
		case 'S': pa.stale = 1; break;
		case 'R': pa.state = optarg; state_given = 1; break;
		case 'r': root = optarg; break;
		case 'j': a.json = 1; break;
		case 's': a.flags |= CTL_SHOW_SHA256; break;
		case 'h': help(t); return SHOW_EXIT_OK;
		case 'V':
			/* With --phones, "--version MD5" names a version (the md5 is the next word). */
			if (optarg == NULL && t->phones && optind < argc && strlen(argv[optind]) == 32 &&
			    argv[optind][0] != '-')
				optarg = argv[optind++];
			if (optarg != NULL && t->phones) {
				pa.version = optarg;
				break;
			}
			want_version = 1;
			break;
		default: usage(t, stderr); return SHOW_EXIT_USAGE;
		}
	}
	if (want_version) {
		printf("%s %s\n", t->prog, CTL_VERSION_STRING);
		return SHOW_EXIT_OK;
	}
	if ((pa.stale || pa.version != NULL || state_given) && !phones) {
		if (a.json)
			ctl_json_error(stdout, "usage", "--stale, --version MD5 and --rollout-state need --phones");
		fprintf(stderr, "%s: --stale, --version MD5 and --rollout-state need --phones\n", t->prog);
		return SHOW_EXIT_USAGE;
	}
	if (phones) {
		if (argc - optind > 0) {
			if (a.json)
				ctl_json_error(stdout, "usage", "--phones takes no FILE (use --root)");
			usage(t, stderr);
			return SHOW_EXIT_USAGE;
		}
		pa.json = a.json;
		pa.root = root != NULL ? root : "/srv/tftp";
		return show_phones(&pa);
	}
	if (argc - optind > 1 || (argc - optind == 1 && root != NULL)) {
		if (a.json)
			ctl_json_error(stdout, "usage", "FILE and --root exclude each other; one FILE at most");
		usage(t, stderr);
		return SHOW_EXIT_USAGE;
	}
	if (argc - optind == 1) {
		a.path = argv[optind];
		return show(t, &a);
	}
	n = snprintf(path, sizeof(path), "%s/%s", root != NULL ? root : "/srv/tftp", t->file);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "%s: --root: path too long\n", t->prog);
		if (a.json)
			ctl_json_error(stdout, "usage", "--root: path too long");
		return SHOW_EXIT_USAGE;
	}
	a.path = path;
	return show(t, &a);
}
