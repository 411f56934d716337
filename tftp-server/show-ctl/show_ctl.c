/* SPDX-License-Identifier: Apache-2.0 */
/*
 * show-ctl: the administrator's `show ctl` on the server node, in the
 * layout libctl renders (doc/ctl-format.md section 13): checksums, length,
 * last modification, the parsed header and records, then
 * "The CTL file was verified successfully." or
 * "Verification of the CTL File Failed". A missing file and a file that
 * does not parse print CUCM's own messages.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ctl/ctl.h>
#include <ctl/text.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_NOFILE = 3 };

static const char usage_text[] = "usage: show-ctl [--root DIR | FILE] [--json]\n";
static const char help_text[] =
	"Shows the node's installed CTL as `show ctl` does and verifies its signature.\n"
	"\n"
	"  --root DIR   TFTP root holding CTLFile.tlv (default /srv/tftp)\n"
	"  FILE         show this file instead\n"
	"  --json       print a JSON document instead of the listing\n"
	"  --help       show this help\n"
	"  --version    print the version\n";

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

/* No file, or one that does not parse: CUCM's messages, then the failure line. */
static int
show_problem(const char *path, const uint8_t *buf, size_t len, const char *why, int json)
{
	struct ctl_sums sums;

	if (json) {
		json_problem(buf != NULL ? "parse" : "io", path, why);
	} else if (buf == NULL) {
		printf("Length of CTL file: 0\n"
		       "CTL File not found . Please run CTLClient plugin or run the CLI - utils ctl.. "
		       "to generate the CTL file.\n\nVerification of the CTL File Failed\n");
	} else {
		if (ctl_checksums(buf, len, &sums) == CTL_OK)
			printf("The checksum value of the CTL file:\n%s(MD5)\n%s(SHA1)\n\n", sums.md5,
			       sums.sha1);
		printf("Length of CTL file: %zu\nError parsing the CTL File.\n\n"
		       "Verification of the CTL File Failed\n", len);
	}
	fprintf(stderr, "show-ctl: %s: %s\n", path, why);
	return EXIT_NOFILE;
}

static int
show(const char *path, int json)
{
	struct ctl_verify_result vr;
	struct ctl_render_opts o;
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct stat sb;
	uint8_t *buf = NULL;
	size_t len = 0;
	char *text = NULL, where[600];
	int rc;

	if (ctl_read_file(path, CTL_MAX_FILE, &buf, &len, &d) != CTL_OK)
		return show_problem(path, NULL, 0, d.msg, json);
	if (ctl_file_parse(buf, len, 0, &f, &d) != CTL_OK) {
		rc = show_problem(path, buf, len, ctl_diag_str(&d, where, sizeof(where)), json);
		free(buf);
		return rc;
	}
	/* Its result is also vr.err, which the listing shows and the exit status reports. */
	CTL_IGNORE_RESULT(ctl_file_verify(f, &vr));
	memset(&o, 0, sizeof(o));
	o.mtime = stat(path, &sb) == 0 ? sb.st_mtime : 0;
	o.verify = &vr;
	o.path = path;
	if ((json ? ctl_render_json(f, &o, &text) : ctl_render_text(f, &o, &text)) != CTL_OK) {
		fprintf(stderr, "show-ctl: %s: cannot render\n", path);
		if (json)
			json_problem("internal", path, "cannot render");
		rc = EXIT_FAIL;
	} else {
		fputs(text, stdout);
		rc = vr.err == CTL_OK ? EXIT_OK : EXIT_FAIL;
		if (vr.err != CTL_OK)
			fprintf(stderr, "show-ctl: %s: %s: %s\n", path, ctl_strerror(vr.err), vr.reason);
	}
	free(text);
	ctl_file_free(f);
	free(buf);
	return fflush(stdout) == 0 ? rc : EXIT_FAIL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = NULL;
	char path[4096];
	int c, json = 0, n;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'j': json = 1; break;
		case 'h': fputs(usage_text, stdout); fputs(help_text, stdout); return EXIT_OK;
		case 'V': printf("show-ctl %s\n", CTL_VERSION_STRING); return EXIT_OK;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1 || (argc - optind == 1 && root != NULL)) {
		if (json)
			ctl_json_error(stdout, "usage", "FILE and --root exclude each other; one FILE at most");
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (argc - optind == 1)
		return show(argv[optind], json);
	n = snprintf(path, sizeof(path), "%s/CTLFile.tlv", root != NULL ? root : "/srv/tftp");
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "show-ctl: --root: path too long\n");
		if (json)
			ctl_json_error(stdout, "usage", "--root: path too long");
		return EXIT_USAGE;
	}
	return show(path, json);
}
