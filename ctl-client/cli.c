/*
 * Command-line helpers the subcommands share: see cli.h. The exit statuses
 * are those of doc/ctl-client.1 (EXIT STATUS).
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

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
