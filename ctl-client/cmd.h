/*
 * ctl-client subcommands: each lives in its own cmd_<name>.c and exports one
 * `const struct cmd`, listed in the table in main.c.
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

/* Diagnostics: "ctl-client: " prefix on stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "ctl-client: what: <diag>" for a libctl failure. */
void cli_diag(const char *what, const struct ctl_diag *d);
/* Exit status for a libctl error code. */
int cli_exit_for(enum ctl_err e);
/* --digest sha1|sha512 and --timestamp SECS; 0, or -1 with the error printed. */
int cli_parse_digest(const char *arg, enum ctl_digest *out);
int cli_parse_timestamp(const char *arg, uint32_t *out);
/* Writes s as a JSON string literal (quoted, escaped). */
void cli_json_string(FILE *f, const char *s);
/* The same, or null when s is NULL. */
void cli_json_string_or_null(FILE *f, const char *s);
/* Prints the command's usage line and help text to f. */
void cli_usage(FILE *f, const struct cmd *c, const char *options_help);

#endif
