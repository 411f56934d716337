/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signer backed by an EVP_PKEY: a PEM key from disk, or a token key that
 * libp11 exposes as an EVP_PKEY. RSA PKCS#1 v1.5 only (section 5.2).
 */
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ctl_int.h"

struct pkey_signer {
	struct ctl_signer pub; /* first: ctl_signer_free() casts back */
	EVP_PKEY *key;
	X509 *cert;
};

static CTL_MUST_USE enum ctl_err
pkey_sign(void *arg, enum ctl_digest digest, const uint8_t *tbs, size_t tbs_len,
          uint8_t *sig, size_t sig_cap, size_t *sig_len, struct ctl_diag *diag)
{
	struct pkey_signer *s = arg;
	const EVP_MD *md = ctli_md((uint8_t)digest);
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	size_t n = sig_cap;
	int ok;

	*sig_len = 0;
	if (md == NULL)
		return ctli_fail(diag, CTL_E_DIGEST, 0, -1, 0, "unknown digest code %d", digest);
	ERR_clear_error();
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	ok = EVP_DigestSignInit(ctx, &pctx, md, NULL, s->key) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
	     EVP_DigestSign(ctx, sig, &n, tbs, tbs_len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return ctli_fail_ssl(diag, CTL_E_SIGNER, "signing failed");
	*sig_len = n;
	return CTL_OK;
}

enum ctl_err
ctl_signer_new_pkey(EVP_PKEY *key, X509 *cert, struct ctl_signer **out, struct ctl_diag *diag)
{
	struct pkey_signer *s;
	int bits;

	*out = NULL;
	ctl_diag_clear(diag);
	if (!EVP_PKEY_is_a(key, "RSA"))
		return ctli_fail(diag, CTL_E_KEY, 0, -1, 0,
		                 "the signing key must be RSA (CTL signatures are RSA PKCS#1 v1.5)");
	bits = EVP_PKEY_get_bits(key);
	if (ctli_modulus_code((size_t)(bits + 7) / 8) < 0)
		return ctli_fail(diag, CTL_E_KEY, 0, -1, 0, "RSA-%d: the format allows 512, 1024, "
		                 "2048 or 4096-bit signing keys", bits);
	/* A key that does not belong to the certificate would sign files
	 * nobody can verify: refuse it up front. */
	if (EVP_PKEY_eq(X509_get0_pubkey(cert), key) != 1)
		return ctli_fail_ssl(diag, CTL_E_KEY, "the private key does not match the "
		                     "signing certificate");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	EVP_PKEY_up_ref(key);
	X509_up_ref(cert);
	s->key = key;
	s->cert = cert;
	s->pub.sign = pkey_sign;
	s->pub.arg = s;
	s->pub.cert = cert;
	s->pub.modulus_bytes = (size_t)(bits + 7) / 8;
	*out = &s->pub;
	return CTL_OK;
}

enum ctl_err
ctl_signer_new_pem(const char *key_path, const char *cert_path, struct ctl_signer **out,
                   struct ctl_diag *diag)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	enum ctl_err r;

	*out = NULL;
	if ((r = ctl_key_load(key_path, &key, diag)) != CTL_OK)
		return r;
	if ((r = ctl_cert_load(cert_path, &cert, diag)) == CTL_OK)
		r = ctl_signer_new_pkey(key, cert, out, diag);
	EVP_PKEY_free(key);
	X509_free(cert);
	return r;
}

void
ctl_signer_free(struct ctl_signer *s)
{
	struct pkey_signer *ps;

	if (s == NULL || s->sign != pkey_sign)
		return; /* other signers (tokens) are freed by their owners */
	ps = (struct pkey_signer *)s;
	EVP_PKEY_free(ps->key);
	X509_free(ps->cert);
	free(ps);
}
