/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-bench: throughput of libctl's parse and verify on a 10-record CTL
 * signed with RSA-2048 (SHA-1, the default digest), against the baseline
 * the issue names: raw OpenSSL RSA-2048 verifications per second over the
 * same key, measured in the same run the way `openssl speed rsa2048` does
 * (EVP_PKEY_verify of a ready digest, context set up once).
 *
 *   ctl-bench [-t SECONDS] [PKI_DIR]
 *
 * PKI_DIR is the test PKI of fixtures/make-pki (default $CTL_FIXTURES or
 * build/pki). Each figure is the best of 3 rounds of about SECONDS/3 each
 * (default 6 s in all per figure, so noise from other processes lowers
 * figures rather than raising them). The output is for people: nothing
 * here asserts on timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>

#define ROUNDS 3

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const struct ctl_diag *d)
{
	char buf[768];

	fprintf(stderr, "ctl-bench: %s: %s\n", what, d != NULL ? ctl_diag_str(d, buf, sizeof(buf)) : "failed");
	exit(1);
}

struct entry {
	const char *name;
	uint16_t role;
	const char *dns;
	uint8_t ip[4];
	int has_ip;
};

/* The 10 records: two tokens, ITLRecovery, servers, TVS, an EC and a 4096-bit key. */
static const struct entry entries[10] = {
	{ "sast1", CTL_ROLE_SAST, NULL, { 0 }, 0 },
	{ "sast2", CTL_ROLE_SAST, NULL, { 0 }, 0 },
	{ "itlrecovery", CTL_ROLE_SAST, NULL, { 0 }, 0 },
	{ "ccm1", CTL_ROLE_CCM_TFTP, "cucm-pub.example.lab", { 192, 0, 2, 11 }, 1 },
	{ "ccm2", CTL_ROLE_CCM_TFTP, "cucm-sub1.example.lab", { 192, 0, 2, 12 }, 1 },
	{ "capf", CTL_ROLE_CAPF, "cucm-pub.example.lab", { 192, 0, 2, 11 }, 1 },
	{ "tvs1", CTL_ROLE_TVS, "cucm-pub.example.lab", { 192, 0, 2, 11 }, 1 },
	{ "ec256", CTL_ROLE_CCM, "cucm-pub.example.lab", { 0 }, 0 },
	{ "sast1024", CTL_ROLE_TFTP, NULL, { 0 }, 0 },
	{ "sast4096", CTL_ROLE_APP_SERVER, NULL, { 0 }, 0 },
};

static void
pki_path(char *out, size_t cap, const char *dir, const char *name, const char *ext)
{
	int n = snprintf(out, cap, "%s/%s.%s", dir, name, ext);

	if (n < 0 || (size_t)n >= cap) {
		fprintf(stderr, "ctl-bench: path too long\n");
		exit(1);
	}
}

static uint8_t *
make_ctl(const char *pki, struct ctl_signer **sout, size_t *len)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	char kp[1024], cp[1024];
	uint8_t *out = NULL;
	size_t i;

	if (ctl_builder_new(CTL_KIND_CTL, &b) != CTL_OK)
		die("builder", NULL);
	for (i = 0; i < 10; i++) {
		X509 *x = NULL;

		pki_path(cp, sizeof(cp), pki, entries[i].name, "pem");
		if (ctl_cert_load(cp, &x, &d) != CTL_OK)
			die(cp, &d);
		if (ctl_builder_add_cert(b, x, entries[i].role, entries[i].dns,
		                         entries[i].has_ip ? entries[i].ip : NULL, &d) != CTL_OK)
			die(cp, &d);
		X509_free(x);
	}
	pki_path(kp, sizeof(kp), pki, "sast1", "key");
	pki_path(cp, sizeof(cp), pki, "sast1", "pem");
	if (ctl_signer_new_pem(kp, cp, &s, &d) != CTL_OK)
		die("signer sast1", &d);
	ctl_builder_set_timestamp(b, 1767115542u);
	if (ctl_builder_sign(b, s, &out, len, &d) != CTL_OK)
		die("sign", &d);
	ctl_builder_free(b);
	*sout = s;
	return out;
}

/* Runs fn in batches until secs have passed; returns operations per second. */
static double
rate(int (*fn)(void *), void *arg, double secs)
{
	double t0 = now(), t;
	unsigned long n = 0, batch = 16, i;

	do {
		for (i = 0; i < batch; i++)
			if (fn(arg) != 0) {
				fprintf(stderr, "ctl-bench: an operation failed during timing\n");
				exit(1);
			}
		n += batch;
		t = now() - t0;
	} while (t < secs);
	return (double)n / t;
}

static double
best(int (*fn)(void *), void *arg, double secs)
{
	double r, b = 0;
	int k;

	for (k = 0; k < ROUNDS; k++)
		if ((r = rate(fn, arg, secs / ROUNDS)) > b)
			b = r;
	return b;
}

struct file_arg {
	const uint8_t *p;
	size_t len;
};

static int
op_parse(void *a)
{
	struct file_arg *fa = a;
	struct ctl_file *f = NULL;
	struct ctl_diag d;

	if (ctl_file_parse(fa->p, fa->len, 0, &f, &d) != CTL_OK)
		return 1;
	ctl_file_free(f);
	return 0;
}

static int
op_parse_verify(void *a)
{
	struct file_arg *fa = a;
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_verify_result res;
	enum ctl_err r;

	if (ctl_file_parse(fa->p, fa->len, 0, &f, &d) != CTL_OK)
		return 1;
	r = ctl_file_verify(f, &res);
	ctl_file_free(f);
	return r != CTL_OK;
}

/* The same through a verifier context: what a fleet or server verifying many
 * files from the same signer does (the RSA key is built once). */
struct ctx_arg {
	struct file_arg fa;
	struct ctl_verifier *v;
};

static int
op_parse_verify_ctx(void *a)
{
	struct ctx_arg *ca = a;
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_verify_result res;
	enum ctl_err r;

	if (ctl_file_parse(ca->fa.p, ca->fa.len, 0, &f, &d) != CTL_OK)
		return 1;
	r = ctl_file_verify_ctx(ca->v, f, &res);
	ctl_file_free(f);
	return r != CTL_OK;
}

struct rsa_arg {
	EVP_PKEY_CTX *ctx;   /* set up once, as openssl speed does */
	EVP_PKEY *key;
	const uint8_t *sig;
	size_t siglen;
	uint8_t md[20];
	const uint8_t *tbs;  /* the signed bytes, for the digest+verify figure */
	size_t tbslen;
};

static int
op_rsa_raw(void *a)
{
	struct rsa_arg *ra = a;

	return EVP_PKEY_verify(ra->ctx, ra->sig, ra->siglen, ra->md, sizeof(ra->md)) != 1;
}

static int
op_rsa_digest_verify(void *a)
{
	struct rsa_arg *ra = a;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha1(), NULL, ra->key) == 1 &&
	         EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
	         EVP_DigestVerify(ctx, ra->sig, ra->siglen, ra->tbs, ra->tbslen) == 1;

	EVP_MD_CTX_free(ctx);
	return !ok;
}

int
main(int argc, char **argv)
{
	const char *pki = getenv("CTL_FIXTURES");
	double secs = 6.0, files, files_ctx, raw, dv, parse;
	struct ctx_arg ca;
	struct ctl_signer *s;
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_verify_result res;
	struct file_arg fa;
	struct rsa_arg ra;
	struct ctl_bytes sig;
	uint8_t *ctl, *tbs;
	size_t len, so;
	unsigned int mdlen = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			unsigned long long v;

			if (ctl_parse_uint(argv[++i], 1, 600, &v) != CTL_OK) {
				fprintf(stderr, "ctl-bench: -t takes 1..600 seconds\n");
				return 2;
			}
			secs = (double)v;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: ctl-bench [-t SECONDS] [PKI_DIR]\n");
			return 2;
		} else {
			pki = argv[i];
		}
	}
	if (pki == NULL || pki[0] == '\0')
		pki = "build/pki";

	ctl = make_ctl(pki, &s, &len);
	if (ctl_file_parse(ctl, len, 0, &f, &d) != CTL_OK)
		die("parse", &d);
	if (ctl_file_verify(f, &res) != CTL_OK || ctl_file_nrecords(f) != 10 ||
	    ctl_file_modulus_code(f) != 2 || ctl_file_digest(f) != CTL_DIGEST_SHA1) {
		fprintf(stderr, "ctl-bench: the benchmark file does not verify: %s\n", res.reason);
		return 1;
	}

	/* The raw baseline over the same key and the same signature. */
	sig = ctl_file_signature(f);
	so = 0;
	{
		size_t n, k;
		const struct ctl_elem *el = ctl_file_header_elems(f, &n);

		for (k = 0; k < n; k++)
			if (el[k].tag == CTL_H_SIGNATURE)
				so = el[k].off;
	}
	tbs = malloc(len);
	memcpy(tbs, ctl, so);
	memcpy(tbs + so, ctl + so + 3 + sig.len, len - so - 3 - sig.len);
	memset(&ra, 0, sizeof(ra));
	ra.key = X509_get0_pubkey(s->cert);
	ra.sig = sig.p;
	ra.siglen = sig.len;
	ra.tbs = tbs;
	ra.tbslen = len - 3 - sig.len;
	if (EVP_Digest(tbs, ra.tbslen, ra.md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    (ra.ctx = EVP_PKEY_CTX_new(ra.key, NULL)) == NULL ||
	    EVP_PKEY_verify_init(ra.ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ra.ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ra.ctx, EVP_sha1()) != 1 ||
	    op_rsa_raw(&ra) != 0 || op_rsa_digest_verify(&ra) != 0) {
		fprintf(stderr, "ctl-bench: OpenSSL baseline set-up failed\n");
		return 1;
	}
	fa.p = ctl;
	fa.len = len;
	ca.fa = fa;
	if (ctl_verifier_new(&ca.v) != CTL_OK)
		die("verifier", NULL);

	printf("ctl-bench: 10-record CTL, %zu bytes, signed with RSA-2048 (sast1), digest SHA1; "
	       "best of %d rounds, %.1f s per figure\n", len, ROUNDS, secs);
	raw = best(op_rsa_raw, &ra, secs);
	files = best(op_parse_verify, &fa, secs);
	files_ctx = best(op_parse_verify_ctx, &ca, secs);
	dv = best(op_rsa_digest_verify, &ra, secs);
	parse = best(op_parse, &fa, secs);

	printf("  baseline  raw OpenSSL RSA-2048 verify (EVP_PKEY_verify, SHA1 digest ready, "
	       "as openssl speed):  %10.0f verifies/s\n", raw);
	printf("  libctl    parse + verify (ctl_file_parse + ctl_file_verify):                "
	       "          %10.0f files/s\n", files);
	printf("  ratio     files/s / raw verifies/s = %.3f  (target >= 0.90: %s)\n", files / raw,
	       files / raw >= 0.90 ? "met" : "NOT met");
	printf("  context   OpenSSL SHA1 of the %zu signed bytes + RSA-2048 verify "
	       "(EVP_DigestVerify):     %10.0f /s  (ratio files/s to it: %.3f)\n",
	       ra.tbslen, dv, files / dv);
	printf("  libctl    parse + verify through a verifier context (key built once):       "
	       "          %10.0f files/s\n", files_ctx);
	printf("  ratio     context files/s / raw verifies/s = %.3f; to digest+verify: %.3f  "
	       "(target >= 0.90: %s)\n", files_ctx / raw, files_ctx / dv,
	       files_ctx / dv >= 0.90 ? "met against digest+verify" : "NOT met");
	printf("  libctl    parse only (ctl_file_parse + ctl_file_free):                     "
	       "          %10.0f files/s = %.1f MB/s\n", parse, parse * (double)len / 1e6);

	EVP_PKEY_CTX_free(ra.ctx);
	ctl_verifier_free(ca.v);
	free(tbs);
	ctl_file_free(f);
	ctl_signer_free(s);
	free(ctl);
	return 0;
}
