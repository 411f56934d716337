/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-token: CTL signatures per second on a PKCS#11 token (through
 * ctl-client's token signer: libp11, C_Sign with CKM_RSA_PKCS, then the
 * software verify-after-sign) against OpenSSL's raw RSA signing of the same
 * bytes with a software key of the same size, in the same run.
 *
 *   bench-token [-t SECONDS] MODULE TOKEN PINFILE KEY.pem
 *
 * Prints one line per figure and the ratio. Never fails on timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "p11.h"
#include "pin.h"

#define TBS_LEN 5000 /* a CTL with a few records */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Signatures per second of the token signer over `secs` seconds. */
static double
rate_token(const struct ctl_signer *s, const uint8_t *tbs, double secs)
{
	uint8_t sig[512];
	size_t len;
	struct ctl_diag d;
	double t0 = now(), t;
	unsigned long n = 0;

	do {
		if (s->sign(s->arg, CTL_DIGEST_SHA1, tbs, TBS_LEN, sig, sizeof(sig), &len, &d) != CTL_OK) {
			fprintf(stderr, "bench-token: %s\n", d.msg);
			exit(1);
		}
		n++;
	} while ((t = now() - t0) < secs);
	return (double)n / t;
}

static double
rate_raw(EVP_PKEY *pk, const uint8_t *tbs, double secs)
{
	uint8_t sig[512];
	size_t len;
	double t0 = now(), t;
	unsigned long n = 0;
	EVP_MD_CTX *m;

	do {
		len = sizeof(sig);
		if ((m = EVP_MD_CTX_new()) == NULL || EVP_DigestSignInit(m, NULL, EVP_sha1(), NULL, pk) != 1 ||
		    EVP_DigestSign(m, sig, &len, tbs, TBS_LEN) != 1) {
			fprintf(stderr, "bench-token: OpenSSL signing failed\n");
			exit(1);
		}
		EVP_MD_CTX_free(m);
		n++;
	} while ((t = now() - t0) < secs);
	return (double)n / t;
}

static EVP_PKEY *
load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *pk;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL) {
		fprintf(stderr, "bench-token: %s: not a PEM private key\n", path);
		exit(1);
	}
	return pk;
}

int
main(int argc, char **argv)
{
	struct p11_ctx *ctx = NULL;
	const struct ctl_signer *s = NULL;
	struct p11_diag d;
	struct pin_opts po = { NULL, 1 };
	uint8_t tbs[TBS_LEN];
	double secs = 3, tok, raw;
	EVP_PKEY *pk;
	int c;

	while ((c = getopt(argc, argv, "t:")) != -1) {
		if (c != 't' || (secs = strtod(optarg, NULL)) <= 0 || secs > 600) {
			fprintf(stderr, "usage: bench-token [-t SECONDS] MODULE TOKEN PINFILE KEY.pem\n");
			return 2;
		}
	}
	if (argc - optind != 4) {
		fprintf(stderr, "usage: bench-token [-t SECONDS] MODULE TOKEN PINFILE KEY.pem\n");
		return 2;
	}
	po.file = argv[optind + 2];
	if (RAND_bytes(tbs, sizeof(tbs)) != 1)
		return 1;
	if (p11_ctx_open(argv[optind], NULL, 0, NULL, &ctx, &d) != P11_OK ||
	    p11_signer_new(ctx, argv[optind + 1], &po, &s, &d) != P11_OK) {
		fprintf(stderr, "bench-token: %s\n", d.msg);
		p11_ctx_free(ctx);
		return 1;
	}
	pk = load_key(argv[optind + 3]);
	raw = rate_raw(pk, tbs, secs / 2); /* warm-up, discarded */
	tok = rate_token(s, tbs, secs);
	raw = rate_raw(pk, tbs, secs);
	printf("token signer (%s, RSA-%zu, SHA-1, %d-byte CTL, incl. verify-after-sign): %8.0f sig/s\n",
	       argv[optind + 1], 8 * s->modulus_bytes, TBS_LEN, tok);
	printf("OpenSSL raw RSA-%d signing, same bytes, software key:%*s%8.0f sig/s\n",
	       EVP_PKEY_get_bits(pk), 22, "", raw);
	printf("token path overhead: %.2fx the raw time per signature (target: within 2x for SoftHSM2)\n",
	       raw / tok);
	EVP_PKEY_free(pk);
	p11_ctx_free(ctx);
	return 0;
}
