/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client verify FILE [--trusted OLD.tlv]: exit status and one line.
 * With --trusted, the phone rule: FILE must be signed by a SAST of OLD.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "cmd.h"
#include "load.h"

static const char verify_help[] =
	"Options:\n"
	"  --trusted FILE   accept only a signer listed as SAST in FILE (what a phone\n"
	"                   holding FILE would do); for a .sgn file, a TFTP or CCM+TFTP\n"
	"                   record of FILE\n"
	"  --sgn            treat FILE as a signed file (.sgn) even without the suffix\n"
	"  --json           print the result as a JSON object\n"
	"  --help           show this help\n";

static void
print_json(const struct verdict *v, const char *path)
{
	struct ctl_sums s;
	size_t len;
	const uint8_t *p = ctl_file_bytes(v->file, &len);
	int have_sums = ctl_checksums(p, len, &s) == CTL_OK;

	cli_json_printed();
	printf("{\"tool\":\"ctl-client\",\"version\":\"%s\",\"file\":", CTL_VERSION_STRING);
	ctl_json_fputs(stdout, path);
	printf(",\"ok\":%s,\"error\":", v->res.err == CTL_OK ? "true" : "false");
	if (v->res.err == CTL_OK)
		printf("null");
	else
		ctl_json_fputs(stdout, ctl_strerror(v->res.err));
	printf(",\"reason\":");
	ctl_json_fputs(stdout, v->res.reason);
	printf(",\"signer_record\":");
	if (v->res.signer_index >= 0)
		printf("%d", v->res.signer_index + 1);
	else
		printf("null");
	if (have_sums)
		printf(",\"md5\":\"%s\",\"sha1\":\"%s\"}\n", s.md5, s.sha1);
	else
		printf(",\"md5\":null,\"sha1\":null}\n");
}

static CTL_MUST_USE int
verify_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "trusted", required_argument, NULL, 't' }, { "sgn", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct verdict v;
	const char *trusted = NULL, *path;
	unsigned flags = 0;
	int c, rc, json = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': trusted = optarg; break;
		case 's': flags |= CTL_PARSE_SGN; break;
		case 'j': json = 1; break;
		case 'h': cli_usage(stdout, &cmd_verify, verify_help); return EXIT_OK;
		default: cli_usage(stderr, &cmd_verify, verify_help); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr, &cmd_verify, verify_help);
		return EXIT_USAGE;
	}
	path = argv[optind];
	if ((rc = load_and_verify(path, trusted, flags, &v)) != EXIT_OK)
		return rc;
	if (json)
		print_json(&v, path);
	else if (v.res.err == CTL_OK)
		printf("%s: OK: %s\n", path, v.res.reason);
	if (v.res.err != CTL_OK)
		cli_err("%s: verification failed: %s: %s", path, ctl_strerror(v.res.err), v.res.reason);
	rc = cli_exit_for(v.res.err);
	verdict_cleanup(&v);
	return rc;
}

const struct cmd cmd_verify = {
	"verify", "[--trusted OLD.tlv] [--sgn] [--json] FILE",
	"verify a file's signature (and, with --trusted, that a phone would accept it)", verify_run,
};
