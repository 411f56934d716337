/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client tokens [--module SO] [--token SEL] [--json]: every PKCS#11
 * token of the module with its PIN state and certificates, without login,
 * so an administrator can tell the SAST tokens apart before signing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cli.h"
#include "cmd.h"
#include "p11.h"

static const char tokens_help[] =
	"Options:\n"
	"  --module SO    PKCS#11 module (default: $CTL_PKCS11_MODULE, else the\n"
	"                 p11-kit proxy, which loads every registered module)\n"
	"  --token SEL    list only the token SEL: a pkcs11: URI (RFC 7512), a\n"
	"                 token label or a token serial number\n"
	"  --json         print a JSON document instead of the listing\n"
	"  --help         show this help\n"
	"No PIN is needed: private keys are usually hidden until login, so a key\n"
	"pair shows as \"needs login to be seen (public key present)\".\n";

/* Certificate fields as `tokens` prints them; strings are free()d by cert_text_free(). */
struct cert_text {
	char *subject, *issuer;
	char serial[80];
	char not_after[32];
	const char *key_type;
	int key_bits;
};

static void
cert_text_free(struct cert_text *c)
{
	free(c->subject);
	free(c->issuer);
}

static void
cert_text(X509 *x, struct cert_text *c)
{
	const ASN1_TIME *na = X509_get0_notAfter(x);
	EVP_PKEY *pk = X509_get0_pubkey(x);
	uint8_t *sn = NULL;
	size_t snl = 0;
	struct tm tm;

	memset(c, 0, sizeof(*c));
	if (ctl_name_string(X509_get_subject_name(x), &c->subject) != CTL_OK)
		c->subject = NULL;
	if (ctl_name_string(X509_get_issuer_name(x), &c->issuer) != CTL_OK)
		c->issuer = NULL;
	/* Upper-case colon hex, as `show ctl` and every --json serial. */
	if (ctl_serial_bytes(x, &sn, &snl) == CTL_OK)
		cli_serial_hex(sn, snl, c->serial, sizeof(c->serial));
	free(sn);
	if (na != NULL && ASN1_TIME_to_tm(na, &tm) == 1)
		strftime(c->not_after, sizeof(c->not_after), "%Y-%m-%dT%H:%M:%SZ", &tm);
	c->key_type = pk == NULL ? "unknown" : EVP_PKEY_is_a(pk, "RSA") ? "RSA" :
	              EVP_PKEY_is_a(pk, "EC") ? "EC" : EVP_PKEY_get0_type_name(pk);
	c->key_bits = pk != NULL ? EVP_PKEY_get_bits(pk) : 0;
	if (c->key_type == NULL)
		c->key_type = "unknown";
}

static const char *
or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/* prefix, then text from the token, escaped for the terminal (ctl_text_fputs), then end. */
static void
field(const char *prefix, const char *value, const char *end)
{
	fputs(prefix, stdout);
	ctl_text_fputs(stdout, or_dash(value));
	fputs(end, stdout);
}

static void
print_cert_text(size_t i, const struct p11_cert_info *ci)
{
	struct cert_text c;

	cert_text(ci->cert, &c);
	printf("  certificate %zu: ", i + 1);
	field("label ", ci->label, ", ");
	field("id ", ci->id_hex, "\n");
	field("    subject:     ", c.subject, "\n");
	field("    issuer:      ", c.issuer, "\n");
	printf("    serial:      %s\n", or_dash(c.serial));
	printf("    not after:   %s\n", or_dash(c.not_after));
	printf("    key:         %s %d\n", c.key_type, c.key_bits);
	printf("    private key: %s\n", p11_key_state_name(ci->key));
	cert_text_free(&c);
}

static void
print_text(const struct p11_ctx *ctx, const struct p11_token_info *t, size_t n)
{
	size_t i, j;

	printf("Module: %s (%s)\n", p11_ctx_module(ctx), p11_ctx_module_origin(ctx));
	if (n == 0)
		printf("\nNo token present.\n");
	for (i = 0; i < n; i++) {
		if (!t[i].initialized) {
			printf("\nSlot 0x%lx ", t[i].slot_id);
			field("(", t[i].slot_description, "): token not initialised\n");
			continue;
		}
		field("\nToken ", t[i].label, "\n");
		field("  URI:          ", t[i].uri, "\n");
		field("  serial:       ", t[i].serial, "\n");
		field("  manufacturer: ", t[i].manufacturer, "\n");
		field("  model:        ", t[i].model, "\n");
		printf("  slot:         0x%lx ", t[i].slot_id);
		field("", t[i].slot_description, t[i].removable ? " (removable)\n" : "\n");
		printf("  PIN:          %s%s\n", p11_pin_state_name(t[i].pin),
		       t[i].secure_login ? " (entered on the reader's PIN pad)" : "");
		if (t[i].ncerts == 0)
			printf("  certificates: none visible without login\n");
		for (j = 0; j < t[i].ncerts; j++)
			print_cert_text(j, &t[i].certs[j]);
	}
}

static void
json_field(const char *name, const char *v, int comma)
{
	printf("%s\"%s\":", comma ? "," : "", name);
	ctl_json_fputs(stdout, v != NULL ? v : "");
}

static const char *
key_json(enum p11_key_state s)
{
	switch (s) {
	case P11_KEY_PRESENT: return "present";
	case P11_KEY_HIDDEN: return "hidden-until-login";
	case P11_KEY_NONE: return "none";
	}
	return "unknown";
}

static void
print_cert_json(const struct p11_cert_info *ci)
{
	struct cert_text c;

	cert_text(ci->cert, &c);
	json_field("label", ci->label, 0);
	fputs(",\"id\":", stdout);
	ctl_json_fputs_or_null(stdout, ci->id_hex[0] ? ci->id_hex : NULL);
	json_field("subject", c.subject, 1);
	json_field("issuer", c.issuer, 1);
	json_field("serial", c.serial, 1);
	json_field("not_after", c.not_after, 1);
	json_field("key_type", c.key_type, 1);
	printf(",\"key_bits\":%d", c.key_bits);
	json_field("private_key", key_json(ci->key), 1);
	cert_text_free(&c);
}

static void
print_json(const struct p11_ctx *ctx, const struct p11_token_info *t, size_t n)
{
	size_t i, j;

	cli_json_printed();
	printf("{\"tool\":\"ctl-client\",\"version\":\"%s\"", CTL_VERSION_STRING);
	json_field("module", p11_ctx_module(ctx), 1);
	json_field("module_origin", p11_ctx_module_origin(ctx), 1);
	printf(",\"tokens\":[");
	for (i = 0; i < n; i++) {
		printf("%s{\"slot_id\":%lu", i ? "," : "", t[i].slot_id);
		json_field("slot_description", t[i].slot_description, 1);
		printf(",\"removable\":%s,\"initialized\":%s", t[i].removable ? "true" : "false",
		       t[i].initialized ? "true" : "false");
		json_field("label", t[i].label, 1);
		json_field("serial", t[i].serial, 1);
		json_field("manufacturer", t[i].manufacturer, 1);
		json_field("model", t[i].model, 1);
		json_field("pin", p11_pin_state_name(t[i].pin), 1);
		printf(",\"login_required\":%s,\"pin_pad\":%s", t[i].login_required ? "true" : "false",
		       t[i].secure_login ? "true" : "false");
		fputs(",\"uri\":", stdout);
		ctl_json_fputs_or_null(stdout, t[i].initialized ? t[i].uri : NULL);
		printf(",\"certificates\":[");
		for (j = 0; j < t[i].ncerts; j++) {
			printf("%s{", j ? "," : "");
			print_cert_json(&t[i].certs[j]);
			printf("}");
		}
		printf("]}");
	}
	printf("]}\n");
}

static void
notice(const char *msg)
{
	cli_warn("%s", msg);
}

static CTL_MUST_USE int
tokens_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "module", required_argument, NULL, 'm' }, { "token", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct p11_token_info *t = NULL;
	const char *module = NULL, *sel = NULL;
	struct p11_ctx *ctx = NULL;
	struct p11_diag d;
	size_t n = 0;
	enum p11_err r;
	int c, json = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': module = optarg; break;
		case 't': sel = optarg; break;
		case 'j': json = 1; break;
		case 'h': cli_usage(stdout, &cmd_tokens, tokens_help); return EXIT_OK;
		default: cli_usage(stderr, &cmd_tokens, tokens_help); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_err("unexpected argument '%s'", argv[optind]);
		cli_usage(stderr, &cmd_tokens, tokens_help);
		return EXIT_USAGE;
	}
	if ((r = p11_ctx_open(module, &sel, sel != NULL, notice, &ctx, &d)) != P11_OK ||
	    (r = p11_list(ctx, sel, &t, &n, &d)) != P11_OK) {
		cli_err("%s", d.msg);
		p11_ctx_free(ctx);
		return cli_p11_exit_for(r);
	}
	if (json)
		print_json(ctx, t, n);
	else
		print_text(ctx, t, n);
	p11_ctx_free(ctx);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_IO;
}

const struct cmd cmd_tokens = {
	"tokens", "[--module SO] [--token URI|LABEL|SERIAL] [--json]",
	"list PKCS#11 tokens (SAST eTokens): PIN state and certificates, no PIN needed",
	tokens_run,
};
