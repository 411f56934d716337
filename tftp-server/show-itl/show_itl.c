/* SPDX-License-Identifier: Apache-2.0 */
/*
 * show-itl: `show itl` on the server node (doc/show-itl.8), the node's
 * ITLFile.tlv in show ctl's shape: checksums, length, last modification,
 * the parsed header and records, then "The ITL file was verified
 * successfully.". No real `show itl` output is known; the shape follows
 * `show ctl` (ctl-suite's choice). The program body is tftp-server/common's
 * show_tool.c, shared with show-ctl.
 */
#include "show_tool.h"

int
main(int argc, char **argv)
{
	static const struct show_tool t = {
		"show-itl", CTL_KIND_ITL, "ITLFile.tlv",
		"Shows the node's ITL as `show ctl` shows a CTL and verifies its signature.",
		0,
	};

	return show_tool_main(&t, argc, argv);
}
