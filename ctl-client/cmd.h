/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client subcommands: each lives in its own cmd_<name>.c and exports one
 * `const struct cmd`, listed in the table in main.c. The helpers they share
 * are in cli.h.
 */
#ifndef CTL_CLIENT_CMD_H
#define CTL_CLIENT_CMD_H

#include <stdio.h>

#include <ctl/ctl.h>

/* Exit statuses, documented in doc/ctl-client.1 (EXIT STATUS). */
enum client_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,        /* verification failed / operation refused */
	EXIT_USAGE = 2,       /* bad command line */
	EXIT_INPUT = 3,       /* unreadable or malformed input file */
	EXIT_POLICY = 4,      /* content refused: too few SAST, duplicate, expired, signer not listed */
	EXIT_IO = 5,          /* cannot write output */
	EXIT_TOKEN = 6,       /* token or module problem (not found, no key, module fails to load) */
	EXIT_PIN = 7,         /* wrong PIN, or token locked */
	EXIT_NETWORK = 8,     /* server unreachable or protocol error */
	EXIT_INTERNAL = 9,    /* unexpected internal or crypto failure */
	EXIT_IDENTITY = 10    /* a server never seen before was not confirmed (no terminal, or "no") */
};

struct cmd {
	const char *name;
	const char *usage;   /* one line after "ctl-client NAME " */
	const char *summary; /* one line for the global --help */
	int (*run)(int argc, char **argv);
};

extern const struct cmd cmd_show;
extern const struct cmd cmd_verify;
extern const struct cmd cmd_build;
extern const struct cmd cmd_tokens;
extern const struct cmd cmd_sign_file;
extern const struct cmd cmd_mixed_mode;
extern const struct cmd cmd_update;
extern const struct cmd cmd_add_token;
extern const struct cmd cmd_delete_entry;
extern const struct cmd cmd_non_secure;
extern const struct cmd cmd_check;
extern const struct cmd cmd_reset_localkey;
extern const struct cmd cmd_itl_reset;

#endif
