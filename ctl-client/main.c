/*
 * ctl-client: the administrator's CTL tool. Global options and dispatch to
 * one subcommand from the table below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
vmsg(const char *level, const char *fmt, va_list ap)
{
	fprintf(stderr, "ctl-client: %s", level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void
cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void
cli_diag(const char *what, const struct ctl_diag *d)
{
	char buf[768];

	cli_err("%s: %s", what, ctl_diag_str(d, buf, sizeof(buf)));
}

int
cli_exit_for(enum ctl_err e)
{
	switch (e) {
	case CTL_OK:
		return EXIT_OK;
	case CTL_E_SIG_INVALID: case CTL_E_SIGNER_NOT_FOUND: case CTL_E_SIGNER_AMBIGUOUS:
	case CTL_E_NOT_TRUSTED:
		return EXIT_FAIL;
	case CTL_E_INVAL:
		return EXIT_USAGE;
	case CTL_E_TRUNCATED: case CTL_E_BAD_TAG: case CTL_E_DUP_TAG: case CTL_E_ORDER:
	case CTL_E_HDR_LEN: case CTL_E_REC_LEN: case CTL_E_CONTAINER_LEN: case CTL_E_FIELD_LEN:
	case CTL_E_ZERO_LEN: case CTL_E_MISSING: case CTL_E_VERSION: case CTL_E_DIGEST:
	case CTL_E_SIGALG: case CTL_E_MODULUS: case CTL_E_TOO_LARGE: case CTL_E_CERT:
	case CTL_E_KEY: case CTL_E_KIND:
		return EXIT_INPUT;
	case CTL_E_EXPIRED: case CTL_E_TOO_FEW_SAST: case CTL_E_DUP_ENTRY:
	case CTL_E_SIGNER_NOT_LISTED:
		return EXIT_POLICY;
	case CTL_E_IO:
		return EXIT_IO;
	case CTL_E_SIGNER:
		return EXIT_TOKEN;
	case CTL_E_NOMEM: case CTL_E_CRYPTO: case CTL_E__COUNT:
		return EXIT_INTERNAL;
	}
	return EXIT_INTERNAL;
}

void
cli_usage(FILE *f, const struct cmd *c, const char *options_help)
{
	fprintf(f, "usage: ctl-client %s %s\n%s\n", c->name, c->usage, c->summary);
	if (options_help != NULL)
		fprintf(f, "\n%s", options_help);
}

static void
global_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: ctl-client [--version] [--help] COMMAND [OPTIONS]\n\n"
	           "Builds, signs, verifies and shows Cisco-style CTL and ITL trust lists.\n\n"
	           "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
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
			return commands[i]->run(argc - 1, argv + 1);
	cli_err("unknown command '%s'", argv[1]);
	global_usage(stderr);
	return EXIT_USAGE;
}
