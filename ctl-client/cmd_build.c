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

#include "cmd.h"

#define MAX_ENTRIES 64

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
	int tokenless, allow_expired, json, has_ts, has_sv;
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
	"Signing:\n"
	"  --sign-key KEY     PEM private key of the signer\n"
	"  --sign-cert FILE   signer's certificate; must be one of the --sast entries\n"
	"File:\n"
	"  --out FILE         where to write (atomically: temporary file, fsync, rename)\n"
	"  --itl              build an ITL (ITLFile.tlv) instead of a CTL\n"
	"  --digest ALG       sha1 (default, every phone) or sha512\n"
	"  --filename NAME    FILENAME in the header (default CTLFile.tlv / ITLFile.tlv)\n"
	"  --timestamp SECS   TIMESTAMP in Unix seconds (default: now)\n"
	"  --signer-version V write SIGNER_VERSION (tag 28): 1.0 or 1.1\n"
	"Policy:\n"
	"  --tokenless        one SAST suffices (CUCM 10+ style: a CallManager or\n"
	"                     ITLRecovery certificate listed as SAST signs the file)\n"
	"  --allow-expired    accept expired or not yet valid certificates\n"
	"Output:\n"
	"  --json             print the result as a JSON object\n"
	"  --help             show this help\n";

enum { O_SAST = 256, O_CCM, O_CCM_TFTP, O_TFTP, O_CAPF, O_TVS, O_APP, O_KEY, O_CERT, O_OUT,
       O_ITL, O_DIGEST, O_FILENAME, O_TS, O_SV, O_TOKENLESS, O_EXPIRED, O_JSON, O_HELP };

static const struct option build_opts_table[] = {
	{ "sast", required_argument, NULL, O_SAST }, { "ccm", required_argument, NULL, O_CCM },
	{ "ccm-tftp", required_argument, NULL, O_CCM_TFTP }, { "tftp", required_argument, NULL, O_TFTP },
	{ "capf", required_argument, NULL, O_CAPF }, { "tvs", required_argument, NULL, O_TVS },
	{ "app-server", required_argument, NULL, O_APP },
	{ "sign-key", required_argument, NULL, O_KEY }, { "sign-cert", required_argument, NULL, O_CERT },
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
	{ O_APP, CTL_ROLE_APP_SERVER },
};

/* Splits "FILE[,dns=NAME][,ip=ADDR]" in a private copy. */
static int
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

static int
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

static int
parse_one_opt(struct build_opts *o, int c, const char *arg)
{
	unsigned long long v;
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
	case O_OUT: o->out = arg; return 0;
	case O_ITL: o->kind = CTL_KIND_ITL; return 0;
	case O_FILENAME: o->filename = arg; return 0;
	case O_TOKENLESS: o->tokenless = 1; return 0;
	case O_EXPIRED: o->allow_expired = 1; return 0;
	case O_JSON: o->json = 1; return 0;
	case O_SV: return parse_sv(o, arg);
	case O_DIGEST:
		if (strcmp(arg, "sha1") == 0 || strcmp(arg, "sha512") == 0) {
			o->digest = arg[3] == '1' ? CTL_DIGEST_SHA1 : CTL_DIGEST_SHA512;
			return 0;
		}
		cli_err("--digest takes sha1 or sha512, not '%s'", arg);
		return -1;
	case O_TS:
		if (ctl_parse_uint(arg, 0, UINT32_MAX, &v) != CTL_OK) {
			cli_err("--timestamp takes Unix seconds (0 to %u), not '%s'", UINT32_MAX, arg);
			return -1;
		}
		o->has_ts = 1;
		o->ts = (uint32_t)v;
		return 0;
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
static int
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
	if (o->out == NULL || o->sign_key == NULL || o->sign_cert == NULL) {
		cli_err("--out, --sign-key and --sign-cert are required");
		return -1;
	}
	return 0;
}

/* Adds every certificate to the builder. */
static int
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

static int
configure(struct ctl_builder *b, const struct build_opts *o)
{
	if (ctl_builder_set_digest(b, o->digest) != CTL_OK ||
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

static int
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
static int
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
	ctl_checksums(p, n, &s);
	if (o->json) {
		printf("{\"tool\":\"ctl-client\",\"version\":\"%s\",\"out\":", CTL_VERSION_STRING);
		cli_json_string(stdout, o->out);
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

static int
build_run(int argc, char **argv)
{
	struct build_opts o;
	struct ctl_builder *b = NULL;
	struct ctl_signer *signer = NULL;
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
	if ((rc = configure(b, &o)) != EXIT_OK)
		goto out;
	if ((r = ctl_signer_new_pem(o.sign_key, o.sign_cert, &signer, &d)) != CTL_OK) {
		cli_diag("signing key", &d);
		rc = cli_exit_for(r);
		goto out;
	}
	if ((rc = check_policy(b, &o, signer->cert)) != EXIT_OK)
		goto out;
	if ((r = ctl_builder_sign(b, signer, &out, &n, &d)) != CTL_OK) {
		cli_diag("signing", &d);
		rc = cli_exit_for(r);
		goto out;
	}
	rc = write_verified(&o, out, n);
out:
	free(out);
	ctl_signer_free(signer);
	ctl_builder_free(b);
	opts_cleanup(&o);
	return rc;
}

const struct cmd cmd_build = {
	"build",
	"--out FILE [--itl] [--digest sha1|sha512] --sast CERT... [--ccm-tftp CERT...] "
	"[--capf CERT...] ... --sign-key KEY --sign-cert CERT",
	"build and sign a CTL or ITL from certificates", build_run,
};
