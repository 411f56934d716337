/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client: the administrator's CTL tool. Global options and dispatch to
 * one subcommand from the table below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

static const struct cmd *const commands[] = {
	&cmd_show,
	&cmd_verify,
	&cmd_build,
	&cmd_tokens,
	&cmd_sign_file,
	&cmd_mixed_mode,
	&cmd_update,
	&cmd_add_token,
	&cmd_delete_entry,
	&cmd_non_secure,
	&cmd_check,
	&cmd_reset_localkey,
	&cmd_itl_reset,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
global_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ctl-client [--version] [--help] COMMAND [OPTIONS]\n\n"
	           "Builds, signs, verifies and shows Cisco-style CTL and ITL trust lists.\n\n"
	           "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n'ctl-client COMMAND --help' describes a command. See ctl-client(1).\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		global_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		global_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ctl-client %s\n", CTL_VERSION_STRING);
		return EXIT_OK;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			break;
	if (i < NCOMMANDS) {
		cli_json_errors(argc - 1, argv + 1);
		return cli_json_finish(commands[i]->name, commands[i]->run(argc - 1, argv + 1));
	}
	cli_err("unknown command '%s'", argv[1]);
	global_usage(stderr);
	return EXIT_USAGE;
}
