/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client sign-file: writes FILE.sgn (format section 10.4), the header
 * of a CTL with the file's own name in FILENAME and the original bytes
 * after it, signed by a TFTP or CCM+TFTP certificate, as CUCM's TFTP
 * service does for SEP<MAC>.cnf.xml in mixed mode. Phones accept it when
 * that certificate is a TFTP-capable record of their CTL or ITL.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cli.h"
#include "cmd.h"
#include "p11.h"
#include "pin.h"

struct sign_file_opts {
	const char *cert, *key, *token, *module, *pin_file, *out, *filename, *in;
	enum ctl_digest digest;
	int json, has_ts;
	uint32_t ts;
};

static const char sign_file_help[] =
	"  --cert FILE        the TFTP (or CCM+TFTP) certificate, PEM or DER\n"
	"  --key KEY          its PEM private key\n"
	"  --token TOKEN      sign on a PKCS#11 token instead (URI, label or serial);\n"
	"                     --cert is then optional (the token's certificate is used)\n"
	"  --module SO        PKCS#11 module (default: $CTL_PKCS11_MODULE, else p11-kit-proxy)\n"
	"  --pin-file FILE    read the token PIN from FILE (mode 0600)\n"
	"  --out FILE         where to write (default FILE.sgn; atomically)\n"
	"  --filename NAME    FILENAME in the header (default: the output's base name)\n"
	"  --digest ALG       sha1 (default) or sha512\n"
	"  --timestamp SECS   TIMESTAMP in Unix seconds (default: now)\n"
	"  --json             print the result as a JSON object\n"
	"  --help             show this help\n";

enum { O_CERT = 256, O_KEY, O_TOKEN, O_MODULE, O_PIN_FILE, O_OUT, O_FILENAME, O_DIGEST, O_TS,
       O_JSON, O_HELP };

static const struct option sign_file_table[] = {
	{ "cert", required_argument, NULL, O_CERT }, { "key", required_argument, NULL, O_KEY },
	{ "token", required_argument, NULL, O_TOKEN }, { "module", required_argument, NULL, O_MODULE },
	{ "pin-file", required_argument, NULL, O_PIN_FILE }, { "out", required_argument, NULL, O_OUT },
	{ "filename", required_argument, NULL, O_FILENAME },
	{ "digest", required_argument, NULL, O_DIGEST },
	{ "timestamp", required_argument, NULL, O_TS }, { "json", no_argument, NULL, O_JSON },
	{ "help", no_argument, NULL, O_HELP }, { NULL, 0, NULL, 0 },
};

static CTL_MUST_USE int
one_opt(struct sign_file_opts *o, int c, const char *arg)
{
	switch (c) {
	case O_CERT: o->cert = arg; return 0;
	case O_KEY: o->key = arg; return 0;
	case O_TOKEN: o->token = arg; return 0;
	case O_MODULE: o->module = arg; return 0;
	case O_PIN_FILE: o->pin_file = arg; return 0;
	case O_OUT: o->out = arg; return 0;
	case O_FILENAME: o->filename = arg; return 0;
	case O_JSON: o->json = 1; return 0;
	case O_DIGEST:
		return cli_parse_digest(arg, &o->digest);
	case O_TS:
		o->has_ts = 1;
		return cli_parse_timestamp(arg, &o->ts);
	default:
		return -1;
	}
}

/* 0: parsed; 1: --help shown; -1: usage error (printed). */
static CTL_MUST_USE int
parse_args(int argc, char **argv, struct sign_file_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->digest = CTL_DIGEST_SHA1;
	while ((c = getopt_long(argc, argv, "", sign_file_table, NULL)) != -1) {
		if (c == O_HELP) {
			cli_usage(stdout, &cmd_sign_file, sign_file_help);
			return 1;
		}
		if (c == '?' || one_opt(o, c, optarg) != 0)
			return -1;
	}
	if (optind + 1 != argc) {
		cli_err("sign-file takes exactly one FILE");
		return -1;
	}
	o->in = argv[optind];
	if ((o->token == NULL) == (o->key == NULL) || (o->key != NULL && o->cert == NULL)) {
		cli_err("give either --cert with --key, or --token");
		return -1;
	}
	if ((o->module != NULL || o->pin_file != NULL) && o->token == NULL) {
		cli_err("--module and --pin-file need --token");
		return -1;
	}
	return 0;
}

/* The signer: a PEM key (*pem, ctl_signer_free it) or a token (lent by *ctx). */
static CTL_MUST_USE int
get_signer(const struct sign_file_opts *o, struct ctl_signer **pem, struct p11_ctx **ctx,
           const struct ctl_signer **signer)
{
	struct pin_opts po = { o->pin_file, 0 };
	const char *sel[1] = { o->token };
	struct p11_diag pd;
	struct ctl_diag d;
	enum p11_err pr;
	enum ctl_err r;

	if (o->token == NULL) {
		if ((r = ctl_signer_new_pem(o->key, o->cert, pem, &d)) != CTL_OK) {
			cli_diag("signing key", &d);
			return cli_exit_for(r);
		}
		*signer = *pem;
		return EXIT_OK;
	}
	if ((pr = p11_ctx_open(o->module, sel, 1, NULL, ctx, &pd)) != P11_OK ||
	    (pr = p11_signer_new(*ctx, o->token, &po, signer, &pd)) != P11_OK) {
		cli_err("%s", pd.msg);
		return cli_p11_exit_for(pr);
	}
	return EXIT_OK;
}

/* With --token and --cert, the token must hold that very certificate. */
static CTL_MUST_USE int
check_token_cert(const struct sign_file_opts *o, const struct ctl_signer *s)
{
	struct ctl_diag d;
	X509 *want = NULL;
	enum ctl_err r;
	int same;

	if (o->token == NULL || o->cert == NULL)
		return EXIT_OK;
	if ((r = ctl_cert_load(o->cert, &want, &d)) != CTL_OK) {
		cli_diag(o->cert, &d);
		return cli_exit_for(r);
	}
	same = X509_cmp(want, s->cert) == 0;
	X509_free(want);
	if (same)
		return EXIT_OK;
	cli_err("%s is not the certificate on token %s", o->cert, o->token);
	return EXIT_TOKEN;
}

static CTL_MUST_USE int
output_names(const struct sign_file_opts *o, char **out, const char **filename)
{
	const char *base;
	size_t n = strlen(o->in);

	if (o->out != NULL) {
		*out = strdup(o->out);
	} else if ((*out = malloc(n + 5)) != NULL) {
		memcpy(*out, o->in, n);
		memcpy(*out + n, ".sgn", 5);
	}
	if (*out == NULL)
		return EXIT_INTERNAL;
	base = strrchr(*out, '/');
	*filename = o->filename != NULL ? o->filename : base != NULL ? base + 1 : *out;
	return EXIT_OK;
}

static CTL_MUST_USE int
report(const struct sign_file_opts *o, const char *out, const uint8_t *p, size_t n,
       size_t payload)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_sums s;
	enum ctl_err r;

	/* Never write a file that does not read back as a signed file of this payload. */
	if ((r = ctl_file_parse(p, n, CTL_PARSE_SGN, &f, &d)) != CTL_OK ||
	    ctl_file_payload(f).len != payload) {
		cli_err("internal error: the signed file does not parse back (%s)", ctl_strerror(r));
		ctl_file_free(f);
		return EXIT_INTERNAL;
	}
	if ((r = ctl_write_atomic(out, p, n, 0644, &d)) != CTL_OK) {
		cli_diag(out, &d);
		ctl_file_free(f);
		return cli_exit_for(r);
	}
	if ((r = ctl_checksums(p, n, &s)) != CTL_OK) {
		cli_err("%s: written, but its checksums cannot be computed: %s", out,
		        ctl_strerror(r));
		ctl_file_free(f);
		return cli_exit_for(r);
	}
	if (o->json) {
		cli_json_printed();
		printf("{\"tool\":\"ctl-client\",\"version\":\"%s\",\"out\":", CTL_VERSION_STRING);
		ctl_json_fputs(stdout, out);
		printf(",\"kind\":\"SGN\",\"length\":%zu,\"header_length\":%u,\"payload_length\":%zu,"
		       "\"md5\":\"%s\",\"sha1\":\"%s\"}\n", n, ctl_file_header_length(f), payload,
		       s.md5, s.sha1);
	} else {
		printf("%s: %zu bytes, header length %u, payload %zu bytes, md5 %s\n", out, n,
		       ctl_file_header_length(f), payload, s.md5);
	}
	ctl_file_free(f);
	return EXIT_OK;
}

static CTL_MUST_USE int
sign_file_run(int argc, char **argv)
{
	struct sign_file_opts o;
	struct ctl_signer *pem = NULL;
	const struct ctl_signer *signer = NULL;
	struct p11_ctx *ctx = NULL;
	struct ctl_builder *b = NULL;
	struct ctl_diag d;
	const char *filename = NULL;
	char *out = NULL;
	uint8_t *in = NULL, *file = NULL;
	size_t inlen = 0, n = 0;
	enum ctl_err r;
	int rc;

	if ((rc = parse_args(argc, argv, &o)) != 0) {
		if (rc < 0)
			cli_usage(stderr, &cmd_sign_file, NULL);
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	}
	if ((r = ctl_read_file(o.in, CTL_MAX_FILE, &in, &inlen, &d)) != CTL_OK) {
		cli_diag(o.in, &d);
		return EXIT_INPUT;
	}
	if ((rc = output_names(&o, &out, &filename)) != EXIT_OK ||
	    (rc = get_signer(&o, &pem, &ctx, &signer)) != EXIT_OK ||
	    (rc = check_token_cert(&o, signer)) != EXIT_OK)
		goto out;
	if ((r = ctl_builder_new(CTL_KIND_SGN, &b)) != CTL_OK ||
	    (r = ctl_builder_set_digest(b, o.digest)) != CTL_OK ||
	    (r = ctl_builder_set_filename(b, filename)) != CTL_OK ||
	    (r = ctl_builder_set_payload(b, in, inlen)) != CTL_OK) {
		cli_err("cannot prepare the signed file: %s", ctl_strerror(r));
		rc = cli_exit_for(r);
		goto out;
	}
	if (o.has_ts)
		ctl_builder_set_timestamp(b, o.ts);
	if ((r = ctl_builder_sign(b, signer, &file, &n, &d)) != CTL_OK) {
		cli_diag("signing", &d);
		rc = cli_exit_for(r);
		goto out;
	}
	rc = report(&o, out, file, n, inlen);
out:
	free(file);
	ctl_builder_free(b);
	ctl_signer_free(pem);
	p11_ctx_free(ctx); /* after every use of the token signer */
	free(out);
	free(in);
	return rc;
}

const struct cmd cmd_sign_file = {
	"sign-file",
	"--cert TFTP.pem {--key KEY.pem | --token TOKEN [--module SO] [--pin-file FILE]} "
	"[--out FILE.sgn] [--filename NAME] FILE",
	"sign a configuration file as FILE.sgn with a TFTP certificate", sign_file_run,
};
