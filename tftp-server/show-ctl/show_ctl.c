/* SPDX-License-Identifier: Apache-2.0 */
/*
 * show-ctl: the administrator's `show ctl` on the server node (doc/show-ctl.8):
 * checksums, length, last modification, the parsed header and records, then
 * "The CTL file was verified successfully."; a missing, empty or broken file
 * prints CUCM's own lines. The program body is tftp-server/common's
 * show_tool.c, shared with show-itl.
 */
#include "show_tool.h"

int
main(int argc, char **argv)
{
	static const struct show_tool t = {
		"show-ctl", CTL_KIND_CTL, "CTLFile.tlv",
		"Shows the node's installed CTL as `show ctl` does and verifies its signature.",
		1,
	};

	return show_tool_main(&t, argc, argv);
}
