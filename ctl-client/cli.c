/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Command-line helpers the subcommands share: see cli.h. The exit statuses
 * are those of doc/ctl-client.1 (EXIT STATUS).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/*
 * With --json a failed command still prints one JSON object: the first
 * error printed is kept for it, unless the command printed its own result
 * object (which then says what failed). One run, one thread: this is the
 * command line's diagnostics sink, like a logger pointer.
 */
static struct {
	int on;
	int printed;
	char first[768];
} json_errors;

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
	if (json_errors.on && json_errors.first[0] == '\0') {
		va_start(ap, fmt);
		if (vsnprintf(json_errors.first, sizeof(json_errors.first), fmt, ap) < 0)
			json_errors.first[0] = '\0';
		va_end(ap);
	}
}

void
cli_json_errors(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			json_errors.on = 1;
}

void
cli_json_printed(void)
{
	json_errors.printed = 1;
}

/* The "code" of the error object: the exit status in one word (doc/json.md). */
static const char *
exit_code_name(int rc)
{
	switch ((enum client_exit)rc) {
	case EXIT_OK: return "ok";
	case EXIT_FAIL: return "failed";
	case EXIT_USAGE: return "usage";
	case EXIT_INPUT: return "input";
	case EXIT_POLICY: return "policy";
	case EXIT_IO: return "io";
	case EXIT_TOKEN: return "token";
	case EXIT_PIN: return "pin";
	case EXIT_NETWORK: return "network";
	case EXIT_INTERNAL: return "internal";
	case EXIT_IDENTITY: return "identity";
	}
	return "internal";
}

int
cli_json_finish(const char *command, int rc)
{
	char msg[900];

	if (!json_errors.on || json_errors.printed || rc == EXIT_OK)
		return rc;
	if (json_errors.first[0] != '\0')
		ctl_json_error(stdout, exit_code_name(rc), json_errors.first);
	else if (snprintf(msg, sizeof(msg), "%s failed; see 'ctl-client %s --help'", command,
	                  command) < (int)sizeof(msg))
		ctl_json_error(stdout, exit_code_name(rc), msg);
	else
		ctl_json_error(stdout, exit_code_name(rc), "failed");
	return rc;
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

int
cli_p11_exit_for(enum p11_err e)
{
	switch (e) {
	case P11_OK: return EXIT_OK;
	case P11_E_URI: case P11_E_PIN_CONFLICT: return EXIT_USAGE;
	case P11_E_MODULE_NOT_FOUND: case P11_E_MODULE_LOAD: case P11_E_NO_TOKEN:
	case P11_E_TOKEN_AMBIGUOUS: case P11_E_NO_CERT: case P11_E_CERT_AMBIGUOUS:
	case P11_E_NO_KEY: case P11_E_KEY_UNSUPPORTED: case P11_E_KEY_MISMATCH:
	case P11_E_SIGN: case P11_E_TOKEN:
		return EXIT_TOKEN;
	case P11_E_PIN_SOURCE: case P11_E_PIN_INCORRECT: case P11_E_PIN_LOCKED: case P11_E_LOGIN:
		return EXIT_PIN;
	case P11_E_NOMEM: case P11_E__COUNT:
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

const char *
cli_serial_hex(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	if (ctl_hex_encode(out, outlen, p, n, CTL_HEX_UPPER | CTL_HEX_COLONS) == NULL &&
	    snprintf(out, outlen, "(%zu-byte serial)", n) >= (int)outlen && outlen > 0)
		out[0] = '\0';
	return out;
}
