/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client show FILE [--json] [--trusted OLD]: the `show ctl` listing.
 * Exit 0 when the signature verifies, 1 with the failure line when not.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd.h"
#include "load.h"

static const char show_help[] =
	"Options:\n"
	"  --json           print a JSON document instead of the listing\n"
	"  --trusted FILE   also require the signer to be a SAST of FILE\n"
	"  --sgn            treat FILE as a signed file (.sgn) even without the suffix\n"
	"  --help           show this help\n";

static CTL_MUST_USE int
show_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "trusted", required_argument, NULL, 't' },
		{ "sgn", no_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct verdict v;
	const char *trusted = NULL;
	unsigned flags = 0;
	int json = 0, c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 't': trusted = optarg; break;
		case 's': flags |= CTL_PARSE_SGN; break;
		case 'h': cli_usage(stdout, &cmd_show, show_help); return EXIT_OK;
		default: cli_usage(stderr, &cmd_show, show_help); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_usage(stderr, &cmd_show, show_help);
		return EXIT_USAGE;
	}
	if ((rc = load_and_verify(argv[optind], trusted, flags, &v)) != EXIT_OK)
		return rc;
	rc = print_listing(&v, argv[optind], json);
	if (rc == EXIT_OK && v.unverifiable) {
		/* Its signer (a TFTP certificate) is listed in a trust list, not in it. */
		cli_warn("%s: signature not checked: give the trust list that lists its signer "
		         "with --trusted CTLFile.tlv", argv[optind]);
	} else if (rc == EXIT_OK && v.res.err != CTL_OK) {
		cli_err("%s: %s: %s", argv[optind], ctl_strerror(v.res.err), v.res.reason);
		rc = cli_exit_for(v.res.err);
	}
	verdict_cleanup(&v);
	return rc;
}

const struct cmd cmd_show = {
	"show", "[--json] [--trusted OLD.tlv] [--sgn] FILE",
	"show a CTL, ITL or signed file as `show ctl` does, and verify it", show_run,
};
