/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decrypting an encrypted configuration file (ctl/encsgn.h): unwrap the
 * AES-128 key with the phone's RSA key (PKCS#1 v1.5), AES-128-CBC without
 * cipher padding (the file pads with 0x0D bytes and says how many), then
 * the plaintext digest of tag 27 must match.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "encsgn_int.h"

#define AES128_KEY 16

/* The 16-byte AES key from the wrapped key; CTL_E_KEY when it is not for this key. */
static CTL_MUST_USE enum ctl_err
unwrap(const struct ctl_encsgn *e, EVP_PKEY *phone_key, uint8_t key[AES128_KEY],
       struct ctl_diag *diag)
{
	EVP_PKEY_CTX *ctx;
	uint8_t *buf;
	size_t n = e->wrapped.len;
	int ok;

	if ((buf = malloc(n)) == NULL)
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	ok = (ctx = EVP_PKEY_CTX_new(phone_key, NULL)) != NULL && EVP_PKEY_decrypt_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	     EVP_PKEY_decrypt(ctx, buf, &n, e->wrapped.p, e->wrapped.len) == 1 && n == AES128_KEY;
	if (ok)
		memcpy(key, buf, AES128_KEY);
	OPENSSL_cleanse(buf, e->wrapped.len);
	free(buf);
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return ctli_fail_ssl(diag, CTL_E_KEY, "the wrapped AES key (tag %d) does not open "
		                     "with the phone key: the file is for another phone", CTL_ENC_WRAPPED_KEY);
	return CTL_OK;
}

static CTL_MUST_USE enum ctl_err
aes_cbc_decrypt(const struct ctl_encsgn *e, const uint8_t key[AES128_KEY], uint8_t *out,
                struct ctl_diag *diag)
{
	struct ctl_bytes ct = e->f->payload;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n1 = 0, n2 = 0, ok;

	ok = ctx != NULL && EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, e->iv.p) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_DecryptUpdate(ctx, out, &n1, ct.p, (int)ct.len) == 1 &&
	     EVP_DecryptFinal_ex(ctx, out + n1, &n2) == 1 && (size_t)n1 + (size_t)n2 == ct.len;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return ctli_fail_ssl(diag, CTL_E_CRYPTO, "AES-128-CBC decryption failed");
	return CTL_OK;
}

static CTL_MUST_USE enum ctl_err
check_digest(const struct ctl_encsgn *e, const uint8_t *plain, size_t n, struct ctl_diag *diag)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(plain, n, md, &mdlen, ctli_md(e->pt_alg), NULL) != 1)
		return ctli_fail_ssl(diag, CTL_E_CRYPTO, "cannot hash the decrypted file");
	if (mdlen != e->pt_digest.len || CRYPTO_memcmp(md, e->pt_digest.p, mdlen) != 0)
		return ctli_fail(diag, CTL_E_SIG_INVALID, e->f->header_len, CTL_ENC_PT_DIGEST, 0,
		                 "the decrypted file does not match the plaintext %s digest (tag %d): "
		                 "wrong phone key or altered ciphertext", ctl_digest_name(e->pt_alg),
		                 CTL_ENC_PT_DIGEST);
	return CTL_OK;
}

enum ctl_err
ctl_encsgn_decrypt(const struct ctl_encsgn *e, EVP_PKEY *phone_key, uint8_t **out, size_t *len,
                   struct ctl_diag *diag)
{
	uint8_t key[AES128_KEY];
	uint8_t *plain;
	size_t n = e->f->payload.len;
	enum ctl_err r;

	*out = NULL;
	*len = 0;
	ctl_diag_clear(diag);
	if (e->key_alg != 1)
		return ctli_fail(diag, CTL_E_INVAL, 0, CTL_ENC_KEY_ALG, 0, "key algorithm %u: only 1 "
		                 "(AES-128) is known", e->key_alg);
	if (phone_key == NULL || !EVP_PKEY_is_a(phone_key, "RSA"))
		return ctli_fail(diag, CTL_E_KEY, 0, -1, 0, "the phone key must be RSA (the AES key "
		                 "is wrapped with RSA PKCS#1 v1.5)");
	if ((size_t)EVP_PKEY_get_size(phone_key) != e->wrapped.len)
		return ctli_fail(diag, CTL_E_KEY, 0, CTL_ENC_WRAPPED_KEY, 0, "the AES key is wrapped "
		                 "for a %zu-bit RSA key, the phone key has %d bits",
		                 8 * e->wrapped.len, EVP_PKEY_get_bits(phone_key));
	if ((r = unwrap(e, phone_key, key, diag)) != CTL_OK)
		return r;
	if ((plain = malloc(n + 1)) == NULL) {
		OPENSSL_cleanse(key, sizeof(key));
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	}
	r = aes_cbc_decrypt(e, key, plain, diag);
	OPENSSL_cleanse(key, sizeof(key));
	/* The parser holds 1 <= pad <= n; the 0x0D bytes go, the digest covers the rest. */
	if (r == CTL_OK)
		r = check_digest(e, plain, n - e->pad, diag);
	if (r != CTL_OK) {
		OPENSSL_cleanse(plain, n);
		free(plain);
		return r;
	}
	plain[n - e->pad] = '\0'; /* a convenience for text; *len excludes it */
	*out = plain;
	*len = n - e->pad;
	return CTL_OK;
}
