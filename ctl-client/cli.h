/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the subcommands share on the command line: diagnostics on stderr,
 * error codes turned into exit statuses, the options several commands take
 * and the usage text. main.c only dispatches; the cmd_*.c files and the
 * cluster code call these.
 */
#ifndef CTL_CLIENT_CLI_H
#define CTL_CLIENT_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <ctl/ctl.h>
#include <ctl/text.h>

#include "cmd.h"
#include "p11err.h"

/* Diagnostics: "ctl-client: " prefix on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * --json errors: cli_json_errors() turns them on when argv holds --json;
 * a command that prints its own result object calls cli_json_printed();
 * cli_json_finish() then prints {"error":{"code":...,"message":...}} on
 * stdout for a failed command that printed nothing (the message is the
 * first cli_err() text) and returns rc unchanged.
 */
void cli_json_errors(int argc, char **argv);
void cli_json_printed(void);
CTL_MUST_USE int cli_json_finish(const char *command, int rc);
/* Prints "ctl-client: what: <diag>" for a libctl failure. */
void cli_diag(const char *what, const struct ctl_diag *d);
/* Exit status (enum client_exit) for a libctl error code. */
int cli_exit_for(enum ctl_err e);
/* Exit status (enum client_exit) for a token layer error code. */
int cli_p11_exit_for(enum p11_err e);
/* --digest sha1|sha512 and --timestamp SECS; 0, or -1 with the error printed. */
CTL_MUST_USE int cli_parse_digest(const char *arg, enum ctl_digest *out);
CTL_MUST_USE int cli_parse_timestamp(const char *arg, uint32_t *out);
/*
 * A serial number as upper-case colon hex, as `show ctl` prints it, into
 * out; one too long for out is shown as "(N-byte serial)". Returns out.
 */
const char *cli_serial_hex(const uint8_t *p, size_t n, char *out, size_t outlen);
/* Prints the command's usage line and help text to f. */
void cli_usage(FILE *f, const struct cmd *c, const char *options_help);

#endif
