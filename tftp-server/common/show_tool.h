/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The administrator's `show ctl` and `show itl` on a node: one program body
 * for show-ctl and show-itl (options, reading, CUCM's messages for a
 * missing or broken file, verification, exit status), each tool naming its
 * file and words.
 */
#ifndef CTL_SHOW_TOOL_H
#define CTL_SHOW_TOOL_H

#include <ctl/ctl.h>

/* Exit statuses (doc/show-ctl.8, doc/show-itl.8). */
enum { SHOW_EXIT_OK = 0, SHOW_EXIT_FAIL = 1, SHOW_EXIT_USAGE = 2, SHOW_EXIT_NOFILE = 3 };

struct show_tool {
	const char *prog;      /* "show-ctl": messages, usage, --version */
	enum ctl_kind kind;    /* the words of the not-found and parse-error lines */
	const char *file;      /* "CTLFile.tlv": the file under --root */
	const char *what;      /* first line of --help */
	int phones;            /* offers --phones (show-ctl: the rollout, show_phones.h) */
};

/* Runs the tool on argv; returns the exit status. */
int show_tool_main(const struct show_tool *t, int argc, char **argv);

#endif
