/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client build: makes a signed CTL or ITL from certificates and roles.
 * Refuses what phones would reject or what would lock a fleet out: a token
 * CTL with fewer than two SAST entries, duplicates, expired certificates,
 * and a signer that is not one of the file's SAST entries.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "cli.h"
#include "cmd.h"
#include "p11.h"
#include "pin.h"

#define MAX_ENTRIES 64
#define MAX_SAST_TOKENS 8

/* One --ROLE FILE[,dns=NAME][,ip=ADDR] argument. */
struct entry {
	uint16_t role;
	char *spec;        /* owned copy of the argument, split in place */
	const char *path;
	const char *dns;
	int has_ip;
	uint8_t ip[4];
};

struct build_opts {
	const char *out;
	enum ctl_kind kind;
	enum ctl_digest digest;
	const char *sign_key, *sign_cert, *filename;
	const char *sign_token, *module, *pin_file;
	const char *sast_tokens[MAX_SAST_TOKENS];
	size_t nsast_tokens;
	int tokenless, allow_expired, json, has_ts, has_sv;
	enum ctl_name_format name_format;
	uint32_t ts;
	uint8_t sv_major, sv_minor;
	struct entry e[MAX_ENTRIES];
	size_t n;
};

static const char build_help[] =
	"Certificates (repeatable; FILE is PEM or DER, optionally followed by\n"
	"\",dns=NAME\" and \",ip=IPV4\" for the record's DNSNAME and IPADDRESS):\n"
	"  --sast FILE        System Administrator Security Token (eToken) certificate\n"
	"  --ccm FILE         CallManager certificate (role CCM)\n"
	"  --ccm-tftp FILE    CallManager certificate of a node running TFTP (CCM+TFTP)\n"
	"  --tftp FILE        TFTP-only certificate (verifies signed configuration files)\n"
	"  --capf FILE        CAPF certificate\n"
	"  --tvs FILE         Trust Verification Service certificate (ITL)\n"
	"  --app-server FILE  application server certificate (role 7)\n"
	"  --srst FILE        SRST router certificate (role 5)\n"
	"Signing:\n"
	"  --sign-key KEY     PEM private key of the signer\n"
	"  --sign-cert FILE   signer's certificate; must be one of the --sast entries\n"
	"Tokens (PKCS#11; TOKEN is a pkcs11: URI, a token label or a serial number):\n"
	"  --sast-token TOKEN add the token's certificate as a SAST entry, read\n"
	"                     without login (repeatable; how the backup token is enrolled)\n"
	"  --sign-token TOKEN sign on the token instead of --sign-key/--sign-cert; its\n"
	"                     certificate must be one of the SAST entries\n"
	"  --module SO        PKCS#11 module (default: $CTL_PKCS11_MODULE, else p11-kit-proxy)\n"
	"  --pin-file FILE    read the token PIN from FILE (mode 0600); else pin-source=\n"
	"                     in the URI, $CTL_TOKEN_PIN, or a prompt on the terminal\n"
	"File:\n"
	"  --out FILE         where to write (atomically: temporary file, fsync, rename)\n"
	"  --itl              build an ITL (ITLFile.tlv) instead of a CTL\n"
	"  --digest ALG       sha1 (default, every phone) or sha512\n"
	"  --filename NAME    FILENAME in the header (default CTLFile.tlv / ITLFile.tlv)\n"
	"  --timestamp SECS   TIMESTAMP in Unix seconds (default: now)\n"
	"  --signer-version V write SIGNER_VERSION (tag 28): 1.0 or 1.1\n"
	"  --name-format F    names as cucm (default: CN=..;OU=..;O=..;L=..;ST=..;C=..)\n"
	"                     or rfc4514 (certificate order, ',', escaped)\n"
	"Policy:\n"
	"  --tokenless        one SAST suffices (CUCM 10+ style: a CallManager or\n"
	"                     ITLRecovery certificate listed as SAST signs the file)\n"
	"  --allow-expired    accept expired or not yet valid certificates\n"
	"Output:\n"
	"  --json             print the result as a JSON object\n"
	"  --help             show this help\n";

enum { O_SAST = 256, O_CCM, O_CCM_TFTP, O_TFTP, O_CAPF, O_TVS, O_APP, O_KEY, O_CERT, O_OUT,
       O_ITL, O_DIGEST, O_FILENAME, O_TS, O_SV, O_TOKENLESS, O_EXPIRED, O_JSON, O_HELP,
       O_SIGN_TOKEN, O_SAST_TOKEN, O_MODULE, O_PIN_FILE, O_SRST, O_NAME_FORMAT };

static const struct option build_opts_table[] = {
	{ "sast", required_argument, NULL, O_SAST }, { "ccm", required_argument, NULL, O_CCM },
	{ "ccm-tftp", required_argument, NULL, O_CCM_TFTP }, { "tftp", required_argument, NULL, O_TFTP },
	{ "capf", required_argument, NULL, O_CAPF }, { "tvs", required_argument, NULL, O_TVS },
	{ "app-server", required_argument, NULL, O_APP }, { "srst", required_argument, NULL, O_SRST },
	{ "name-format", required_argument, NULL, O_NAME_FORMAT },
	{ "sign-key", required_argument, NULL, O_KEY }, { "sign-cert", required_argument, NULL, O_CERT },
	{ "sign-token", required_argument, NULL, O_SIGN_TOKEN },
	{ "sast-token", required_argument, NULL, O_SAST_TOKEN },
	{ "module", required_argument, NULL, O_MODULE }, { "pin-file", required_argument, NULL, O_PIN_FILE },
	{ "out", required_argument, NULL, O_OUT }, { "itl", no_argument, NULL, O_ITL },
	{ "digest", required_argument, NULL, O_DIGEST },
	{ "filename", required_argument, NULL, O_FILENAME },
	{ "timestamp", required_argument, NULL, O_TS },
	{ "signer-version", required_argument, NULL, O_SV },
	{ "tokenless", no_argument, NULL, O_TOKENLESS },
	{ "allow-expired", no_argument, NULL, O_EXPIRED }, { "json", no_argument, NULL, O_JSON },
	{ "help", no_argument, NULL, O_HELP }, { NULL, 0, NULL, 0 },
};

static const struct {
	int opt;
	uint16_t role;
} role_opts[] = {
	{ O_SAST, CTL_ROLE_SAST }, { O_CCM, CTL_ROLE_CCM }, { O_CCM_TFTP, CTL_ROLE_CCM_TFTP },
	{ O_TFTP, CTL_ROLE_TFTP }, { O_CAPF, CTL_ROLE_CAPF }, { O_TVS, CTL_ROLE_TVS },
	{ O_APP, CTL_ROLE_APP_SERVER }, { O_SRST, CTL_ROLE_SRST },
};

/* Splits "FILE[,dns=NAME][,ip=ADDR]" in a private copy. */
static CTL_MUST_USE int
parse_entry(struct entry *e, uint16_t role, const char *arg)
{
	char *rest, *tok;

	memset(e, 0, sizeof(*e));
	e->role = role;
	if ((e->spec = strdup(arg)) == NULL)
		return -1;
	rest = e->spec;
	e->path = strsep(&rest, ",");
	while ((tok = strsep(&rest, ",")) != NULL) {
		if (strncmp(tok, "dns=", 4) == 0 && tok[4] != '\0') {
			e->dns = tok + 4;
		} else if (strncmp(tok, "ip=", 3) == 0 && inet_pton(AF_INET, tok + 3, e->ip) == 1) {
			e->has_ip = 1;
		} else {
			cli_err("'%s': expected FILE[,dns=NAME][,ip=IPV4], not '%s'", arg, tok);
			return -1;
		}
	}
	return 0;
}

static CTL_MUST_USE int
parse_sv(struct build_opts *o, const char *s)
{
	if (strcmp(s, "1.0") != 0 && strcmp(s, "1.1") != 0) {
		cli_err("--signer-version takes 1.0 or 1.1, not '%s'", s);
		return -1;
	}
	o->has_sv = 1;
	o->sv_major = 1;
	o->sv_minor = (uint8_t)(s[2] - '0');
	return 0;
}

static CTL_MUST_USE int
parse_name_format(struct build_opts *o, const char *s)
{
	if (strcmp(s, "cucm") == 0)
		o->name_format = CTL_NAME_CUCM;
	else if (strcmp(s, "rfc4514") == 0)
		o->name_format = CTL_NAME_RFC4514;
	else {
		cli_err("--name-format takes cucm or rfc4514, not '%s'", s);
		return -1;
	}
	return 0;
}

static CTL_MUST_USE int
parse_one_opt(struct build_opts *o, int c, const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(role_opts) / sizeof(role_opts[0]); i++) {
		if (role_opts[i].opt != c)
			continue;
		if (o->n == MAX_ENTRIES) {
			cli_err("more than %d certificates", MAX_ENTRIES);
			return -1;
		}
		return parse_entry(&o->e[o->n++], role_opts[i].role, arg);
	}
	switch (c) {
	case O_KEY: o->sign_key = arg; return 0;
	case O_CERT: o->sign_cert = arg; return 0;
	case O_SIGN_TOKEN: o->sign_token = arg; return 0;
	case O_MODULE: o->module = arg; return 0;
	case O_PIN_FILE: o->pin_file = arg; return 0;
	case O_SAST_TOKEN:
		if (o->nsast_tokens == MAX_SAST_TOKENS) {
			cli_err("more than %d --sast-token", MAX_SAST_TOKENS);
			return -1;
		}
		o->sast_tokens[o->nsast_tokens++] = arg;
		return 0;
	case O_OUT: o->out = arg; return 0;
	case O_ITL: o->kind = CTL_KIND_ITL; return 0;
	case O_FILENAME: o->filename = arg; return 0;
	case O_TOKENLESS: o->tokenless = 1; return 0;
	case O_EXPIRED: o->allow_expired = 1; return 0;
	case O_JSON: o->json = 1; return 0;
	case O_SV: return parse_sv(o, arg);
	case O_NAME_FORMAT: return parse_name_format(o, arg);
	case O_DIGEST:
		return cli_parse_digest(arg, &o->digest);
	case O_TS:
		o->has_ts = 1;
		return cli_parse_timestamp(arg, &o->ts);
	default:
		return -1;
	}
}

static void
opts_cleanup(struct build_opts *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->e[i].spec);
}

/* 0: parsed; 1: --help shown; -1: usage error (printed). */
static CTL_MUST_USE int
parse_build_args(int argc, char **argv, struct build_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->kind = CTL_KIND_CTL;
	o->digest = CTL_DIGEST_SHA1;
	while ((c = getopt_long(argc, argv, "", build_opts_table, NULL)) != -1) {
		if (c == O_HELP) {
			cli_usage(stdout, &cmd_build, build_help);
			return 1;
		}
		if (c == '?' || parse_one_opt(o, c, optarg) != 0)
			return -1;
	}
	if (optind != argc) {
		cli_err("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->out == NULL || (o->sign_token == NULL && (o->sign_key == NULL || o->sign_cert == NULL))) {
		cli_err("--out and either --sign-token or both --sign-key and --sign-cert are required");
		return -1;
	}
	if (o->sign_token != NULL && (o->sign_key != NULL || o->sign_cert != NULL)) {
		cli_err("--sign-token and --sign-key/--sign-cert exclude each other");
		return -1;
	}
	if ((o->module != NULL || o->pin_file != NULL) && o->sign_token == NULL && o->nsast_tokens == 0) {
		cli_err("--module and --pin-file need --sign-token or --sast-token");
		return -1;
	}
	if (o->pin_file != NULL && o->sign_token == NULL) {
		cli_err("--pin-file needs --sign-token (--sast-token reads no PIN)");
		return -1;
	}
	return 0;
}

/* Adds every certificate to the builder. */
static CTL_MUST_USE int
add_entries(struct ctl_builder *b, const struct build_opts *o)
{
	struct ctl_diag d;
	size_t i;

	for (i = 0; i < o->n; i++) {
		const struct entry *e = &o->e[i];
		X509 *cert = NULL;
		enum ctl_err r = ctl_cert_load(e->path, &cert, &d);

		if (r == CTL_OK)
			r = ctl_builder_add_cert(b, cert, e->role, e->dns, e->has_ip ? e->ip : NULL, &d);
		X509_free(cert);
		if (r != CTL_OK) {
			cli_diag(e->path, &d);
			return cli_exit_for(r);
		}
	}
	return EXIT_OK;
}

static CTL_MUST_USE int
configure(struct ctl_builder *b, const struct build_opts *o)
{
	if (ctl_builder_set_digest(b, o->digest) != CTL_OK ||
	    ctl_builder_set_name_format(b, o->name_format) != CTL_OK ||
	    (o->filename != NULL && ctl_builder_set_filename(b, o->filename) != CTL_OK)) {
		cli_err("invalid --digest or --filename");
		return EXIT_USAGE;
	}
	if (o->has_ts)
		ctl_builder_set_timestamp(b, o->ts);
	if (o->has_sv)
		ctl_builder_set_signer_version(b, o->sv_major, o->sv_minor);
	return add_entries(b, o);
}

static CTL_MUST_USE int
check_policy(const struct ctl_builder *b, const struct build_opts *o, X509 *signer)
{
	struct ctl_policy pol = { 2, o->allow_expired, 0 };
	struct ctl_diag d;
	enum ctl_err r;

	/* Token CTLs need a backup token (section 10.2); ITLs and tokenless CTLs one signer. */
	if (o->tokenless || o->kind == CTL_KIND_ITL)
		pol.min_sast = 1;
	if ((r = ctl_builder_check(b, &pol, signer, &d)) == CTL_OK)
		return EXIT_OK;
	cli_diag("refusing to build", &d);
	if (r == CTL_E_TOO_FEW_SAST && pol.min_sast == 2)
		cli_err("a token CTL needs two tokens (one signs, one is the backup); "
		        "--tokenless builds a CUCM 10+ style tokenless CTL");
	if (r == CTL_E_EXPIRED)
		cli_err("replace the certificate, or pass --allow-expired to override");
	return cli_exit_for(r);
}

/* Never write a file that would not verify: parse it back and check. */
static CTL_MUST_USE int
write_verified(const struct build_opts *o, const uint8_t *p, size_t n)
{
	struct ctl_file *f = NULL;
	struct ctl_verify_result res;
	struct ctl_diag d;
	struct ctl_sums s;
	enum ctl_err r;

	if ((r = ctl_file_parse(p, n, 0, &f, &d)) != CTL_OK || (r = ctl_file_verify(f, &res)) != CTL_OK) {
		cli_err("internal error: the built file does not verify (%s)", ctl_strerror(r));
		ctl_file_free(f);
		return EXIT_INTERNAL;
	}
	if ((r = ctl_write_atomic(o->out, p, n, 0644, &d)) != CTL_OK) {
		cli_diag(o->out, &d);
		ctl_file_free(f);
		return cli_exit_for(r);
	}
	if ((r = ctl_checksums(p, n, &s)) != CTL_OK) {
		cli_err("%s: written, but its checksums cannot be computed: %s", o->out,
		        ctl_strerror(r));
		ctl_file_free(f);
		return cli_exit_for(r);
	}
	if (o->json) {
		cli_json_printed();
		printf("{\"tool\":\"ctl-client\",\"version\":\"%s\",\"out\":", CTL_VERSION_STRING);
		ctl_json_fputs(stdout, o->out);
		printf(",\"kind\":\"%s\",\"length\":%zu,\"records\":%zu,\"signer_record\":%d,"
		       "\"md5\":\"%s\",\"sha1\":\"%s\",\"sha256\":\"%s\"}\n",
		       o->kind == CTL_KIND_ITL ? "ITL" : "CTL", n, ctl_file_nrecords(f),
		       res.signer_index + 1, s.md5, s.sha1, s.sha256);
	} else {
		printf("%s: %zu bytes, %zu records, signed by record %d, md5 %s\n", o->out, n,
		       ctl_file_nrecords(f), res.signer_index + 1, s.md5);
	}
	ctl_file_free(f);
	return EXIT_OK;
}

static void
token_notice(const char *msg)
{
	cli_warn("%s", msg);
}

/* One token context for the whole run, opened when any token option is given. */
static CTL_MUST_USE int
open_tokens(const struct build_opts *o, struct p11_ctx **ctx)
{
	const char *sels[MAX_SAST_TOKENS + 1];
	struct p11_diag d;
	enum p11_err r;
	size_t n = 0, i;

	*ctx = NULL;
	if (o->sign_token == NULL && o->nsast_tokens == 0)
		return EXIT_OK;
	if (o->sign_token != NULL)
		sels[n++] = o->sign_token;
	for (i = 0; i < o->nsast_tokens; i++)
		sels[n++] = o->sast_tokens[i];
	if ((r = p11_ctx_open(o->module, sels, n, token_notice, ctx, &d)) != P11_OK) {
		cli_err("%s", d.msg);
		return cli_p11_exit_for(r);
	}
	return EXIT_OK;
}

/* --sast-token: each token's certificate, read without login (no PIN try spent). */
static CTL_MUST_USE int
add_token_entries(struct ctl_builder *b, const struct build_opts *o, struct p11_ctx *ctx)
{
	struct p11_diag pd;
	struct ctl_diag d;
	enum p11_err pr;
	enum ctl_err r;
	X509 *cert;
	size_t i;

	for (i = 0; i < o->nsast_tokens; i++) {
		if ((pr = p11_token_cert(ctx, o->sast_tokens[i], &cert, &pd)) != P11_OK) {
			cli_err("%s", pd.msg);
			return cli_p11_exit_for(pr);
		}
		r = ctl_builder_add_cert(b, cert, CTL_ROLE_SAST, NULL, NULL, &d);
		X509_free(cert);
		if (r != CTL_OK) {
			cli_diag(o->sast_tokens[i], &d);
			return cli_exit_for(r);
		}
	}
	return EXIT_OK;
}

/*
 * The token signer. Its certificate is read and the policy checked before
 * login, so a token the file does not list never costs a PIN try.
 */
static CTL_MUST_USE int
token_signer(const struct build_opts *o, struct p11_ctx *ctx, const struct ctl_builder *b,
             const struct ctl_signer **signer)
{
	struct pin_opts po = { o->pin_file, 0 };
	struct p11_diag d;
	enum p11_err r;
	X509 *cert = NULL;
	int rc;

	if ((r = p11_token_cert(ctx, o->sign_token, &cert, &d)) != P11_OK) {
		cli_err("%s", d.msg);
		return cli_p11_exit_for(r);
	}
	rc = check_policy(b, o, cert);
	X509_free(cert);
	if (rc != EXIT_OK)
		return rc;
	if ((r = p11_signer_new(ctx, o->sign_token, &po, signer, &d)) != P11_OK) {
		cli_err("%s", d.msg);
		return cli_p11_exit_for(r);
	}
	return EXIT_OK;
}

/* The PEM key's signer, or the token's; *pem is set only for the PEM path (ctl_signer_free it). */
static CTL_MUST_USE int
get_signer(const struct build_opts *o, struct p11_ctx *ctx, const struct ctl_builder *b,
           struct ctl_signer **pem, const struct ctl_signer **signer)
{
	struct ctl_diag d;
	enum ctl_err r;

	if (o->sign_token != NULL)
		return token_signer(o, ctx, b, signer);
	if ((r = ctl_signer_new_pem(o->sign_key, o->sign_cert, pem, &d)) != CTL_OK) {
		cli_diag("signing key", &d);
		return cli_exit_for(r);
	}
	*signer = *pem;
	return check_policy(b, o, (*pem)->cert);
}

static CTL_MUST_USE int
build_run(int argc, char **argv)
{
	struct build_opts o;
	struct ctl_builder *b = NULL;
	struct ctl_signer *pem = NULL;
	const struct ctl_signer *signer = NULL;
	struct p11_ctx *ctx = NULL;
	struct ctl_diag d;
	uint8_t *out = NULL;
	size_t n = 0;
	enum ctl_err r;
	int rc;

	if ((rc = parse_build_args(argc, argv, &o)) != 0) {
		opts_cleanup(&o);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_build, NULL), EXIT_USAGE);
	}
	if ((r = ctl_builder_new(o.kind, &b)) != CTL_OK) {
		rc = cli_exit_for(r);
		goto out;
	}
	/* Token SAST records first, where an eToken-built CTL has them. */
	if ((rc = open_tokens(&o, &ctx)) != EXIT_OK || (rc = add_token_entries(b, &o, ctx)) != EXIT_OK ||
	    (rc = configure(b, &o)) != EXIT_OK || (rc = get_signer(&o, ctx, b, &pem, &signer)) != EXIT_OK)
		goto out;
	if ((r = ctl_builder_sign(b, signer, &out, &n, &d)) != CTL_OK) {
		cli_diag("signing", &d);
		rc = cli_exit_for(r);
		goto out;
	}
	rc = write_verified(&o, out, n);
out:
	free(out);
	ctl_signer_free(pem);
	ctl_builder_free(b);
	p11_ctx_free(ctx); /* after every use of the token signer */
	opts_cleanup(&o);
	return rc;
}

const struct cmd cmd_build = {
	"build",
	"--out FILE [--itl] [--digest sha1|sha512] --sast CERT... [--ccm-tftp CERT...] "
	"[--capf CERT...] ... [--sast-token TOKEN...] "
	"{--sign-key KEY --sign-cert CERT | --sign-token TOKEN [--module SO] [--pin-file FILE]}",
	"build and sign a CTL or ITL from certificates", build_run,
};
