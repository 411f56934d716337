/* SPDX-License-Identifier: Apache-2.0 */
/* phone-verifier erase: the phone's "erase CTL and ITL" (Reset Security Settings). */
#include <getopt.h>
#include <stdio.h>

#include "console.h"
#include "pv.h"

enum { O_STATE = 450, O_HELP };

static const char erase_usage[] =
	"usage: phone-verifier erase --state DIR\n"
	"Removes the stored CTLFile.tlv and ITLFile.tlv (Settings > Security > Reset\n"
	"Security Settings, or \"erase CTL and ITL\"): the next boot trusts on first use.\n\n"
	"  --state DIR         the phone's state directory\n"
	"  --help              show this help\n";

int
pv_cmd_erase(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, O_STATE }, { "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL;
	struct ctl_diag d;
	unsigned removed = 0;
	char buf[768];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(erase_usage, stdout);
			return PV_EXIT_OK;
		}
		if (c != O_STATE) {
			fputs(erase_usage, stderr);
			return PV_EXIT_USAGE;
		}
		state = optarg;
	}
	if (state == NULL || optind != argc) {
		pv_fail(PV_EXIT_USAGE, "erase needs --state DIR");
		fputs(erase_usage, stderr);
		return PV_EXIT_USAGE;
	}
	printf("Erasing CTL and ITL files\n");
	if (pv_state_erase(state, &removed, &d) != CTL_OK)
		return pv_fail(PV_EXIT_IO, "%s", ctl_diag_str(&d, buf, sizeof(buf)));
	printf("%u file%s removed from %s\n", removed, removed == 1 ? "" : "s", state);
	return PV_EXIT_OK;
}
