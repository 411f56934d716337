/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building an encrypted configuration file (ctl/encsgn.h): a fresh AES-128
 * key and IV per file, the plaintext padded with 1..16 0x0D bytes and
 * encrypted with AES-128-CBC, the key wrapped for the phone's RSA key, and
 * the encryption elements (16-27) handed to the .sgn builder, which writes
 * the signer, signature, filename and timestamp elements, pads the header
 * to a multiple of 4 and signs everything but the signature element.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <ctl/encsgn.h>

#include "build.h"

#define AES128_KEY 16
#define AES_BLOCK 16
#define PAD_BYTE 0x0D

struct enc_parts {
	uint8_t key[AES128_KEY], iv[AES_BLOCK];
	uint16_t pad;
	uint8_t *ct;             /* ciphertext, ct_len bytes */
	size_t ct_len;
	uint8_t *wrapped;        /* the key for the phone, wrapped_len bytes */
	size_t wrapped_len;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len;
};

static void
parts_cleanup(struct enc_parts *x)
{
	OPENSSL_cleanse(x->key, sizeof(x->key));
	free(x->ct);
	OPENSSL_free(x->wrapped);
}

static CTL_MUST_USE enum ctl_err
encrypt(const uint8_t *plain, size_t n, struct enc_parts *x, struct ctl_diag *diag)
{
	EVP_CIPHER_CTX *ctx;
	uint8_t *buf;
	int n1 = 0, n2 = 0, ok;

	x->pad = (uint16_t)(AES_BLOCK - n % AES_BLOCK); /* 1..16: a full block when aligned */
	x->ct_len = n + x->pad;
	if ((buf = malloc(x->ct_len)) == NULL || (x->ct = malloc(x->ct_len)) == NULL) {
		free(buf);
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	}
	if (n > 0)
		memcpy(buf, plain, n);
	memset(buf + n, PAD_BYTE, x->pad);
	ok = (ctx = EVP_CIPHER_CTX_new()) != NULL &&
	     EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, x->key, x->iv) == 1 &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	     EVP_EncryptUpdate(ctx, x->ct, &n1, buf, (int)x->ct_len) == 1 &&
	     EVP_EncryptFinal_ex(ctx, x->ct + n1, &n2) == 1 && (size_t)n1 + (size_t)n2 == x->ct_len;
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(buf, x->ct_len);
	free(buf);
	return ok ? CTL_OK : ctli_fail_ssl(diag, CTL_E_CRYPTO, "AES-128-CBC encryption failed");
}

static CTL_MUST_USE enum ctl_err
wrap(EVP_PKEY *phone, struct enc_parts *x, struct ctl_diag *diag)
{
	EVP_PKEY_CTX *ctx;
	size_t n = 0;
	int ok;

	ok = (ctx = EVP_PKEY_CTX_new(phone, NULL)) != NULL && EVP_PKEY_encrypt_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	     EVP_PKEY_encrypt(ctx, NULL, &n, x->key, sizeof(x->key)) == 1 &&
	     (x->wrapped = OPENSSL_malloc(n)) != NULL &&
	     EVP_PKEY_encrypt(ctx, x->wrapped, &n, x->key, sizeof(x->key)) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return ctli_fail_ssl(diag, CTL_E_CRYPTO, "cannot wrap the AES key for the phone");
	x->wrapped_len = n;
	return CTL_OK;
}

/* Opens container tag; *at receives where its length is patched. */
static CTL_MUST_USE enum ctl_err
open_container(struct ctl_wr *wr, uint8_t tag, size_t *at)
{
	enum ctl_err r;

	if ((r = ctl_wr_u8(wr, tag)) != CTL_OK)
		return r;
	return ctl_wr_reserve_u16(wr, at);
}

static CTL_MUST_USE enum ctl_err
close_container(struct ctl_wr *wr, size_t at)
{
	return ctl_wr_patch_u16(wr, at, wr->len - at - 2);
}

/* Tags 16 (17: 18, 19, 20; 21: 22, 23, 24, 25), 26, 27. */
static CTL_MUST_USE enum ctl_err
enc_elements(struct ctl_wr *wr, const struct enc_parts *x, enum ctl_digest d)
{
	uint8_t zero = 0, alg = 1, dcode = (uint8_t)d;
	size_t info, iv, key;
	enum ctl_err r;

	if ((r = open_container(wr, CTL_ENC_INFO, &info)) != CTL_OK ||
	    (r = open_container(wr, CTL_ENC_IV_INFO, &iv)) != CTL_OK ||
	    (r = ctli_put_elem(wr, CTL_ENC_IV_UNKNOWN, &zero, 1)) != CTL_OK ||
	    (r = ctli_put_elem(wr, CTL_ENC_IV, x->iv, sizeof(x->iv))) != CTL_OK ||
	    (r = ctli_put_u16_elem(wr, CTL_ENC_PAD_COUNT, x->pad)) != CTL_OK ||
	    (r = close_container(wr, iv)) != CTL_OK ||
	    (r = open_container(wr, CTL_ENC_KEY_INFO, &key)) != CTL_OK ||
	    (r = ctli_put_elem(wr, CTL_ENC_KEY_UNKNOWN, &zero, 1)) != CTL_OK ||
	    (r = ctli_put_u16_elem(wr, CTL_ENC_KEY_BITS, (uint16_t)(8 * x->wrapped_len))) != CTL_OK ||
	    (r = ctli_put_elem(wr, CTL_ENC_KEY_ALG, &alg, 1)) != CTL_OK ||
	    (r = ctli_put_elem(wr, CTL_ENC_WRAPPED_KEY, x->wrapped, x->wrapped_len)) != CTL_OK ||
	    (r = close_container(wr, key)) != CTL_OK || (r = close_container(wr, info)) != CTL_OK ||
	    (r = ctli_put_elem(wr, CTL_ENC_PT_DIGEST_ALG, &dcode, 1)) != CTL_OK)
		return r;
	return ctli_put_elem(wr, CTL_ENC_PT_DIGEST, x->md, x->md_len);
}

static CTL_MUST_USE enum ctl_err
check_args(size_t n, X509 *phone_cert, const struct ctl_signer *s, enum ctl_digest d,
           const char *filename, struct ctl_diag *diag)
{
	EVP_PKEY *pk = phone_cert != NULL ? X509_get0_pubkey(phone_cert) : NULL;

	if (n > CTL_MAX_FILE)
		return ctli_fail(diag, CTL_E_TOO_LARGE, 0, -1, 0, "a %zu-byte file exceeds the %u-byte "
		                 "limit", n, CTL_MAX_FILE);
	if (pk == NULL || !EVP_PKEY_is_a(pk, "RSA"))
		return ctli_fail(diag, CTL_E_KEY, 0, -1, 0, "the phone certificate needs an RSA key: "
		                 "the AES key is wrapped with RSA PKCS#1 v1.5 (no EC method is known)");
	/* Tag 23 holds the wrapped key's size in bits in 16 bits. */
	if (EVP_PKEY_get_size(pk) > 4096)
		return ctli_fail(diag, CTL_E_KEY, 0, -1, 0, "phone key of %d bits is too large",
		                 EVP_PKEY_get_bits(pk));
	if (ctli_md((uint8_t)d) == NULL)
		return ctli_fail(diag, CTL_E_DIGEST, 0, -1, 0, "digest code %d: only SHA-1 (1), SHA-256 "
		                 "(2) and SHA-512 (3) are defined", (int)d);
	if (s == NULL || s->cert == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "no signer");
	if (filename == NULL || filename[0] == '\0' || strlen(filename) > 255)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "the file name must have 1 to 255 bytes");
	return CTL_OK;
}

/* The .sgn builder with version 2.0, the ciphertext as payload and x's elements in the header. */
static CTL_MUST_USE enum ctl_err
sign_parts(const struct enc_parts *x, const struct ctl_signer *s, enum ctl_digest d,
           const char *filename, uint32_t ts, uint8_t **out, size_t *len, struct ctl_diag *diag)
{
	struct ctl_builder *b = NULL;
	struct ctl_wr wr;
	enum ctl_err r;

	ctl_wr_init(&wr, 0xffff);
	if ((r = enc_elements(&wr, x, d)) != CTL_OK || (r = ctl_builder_new(CTL_KIND_SGN, &b)) != CTL_OK ||
	    (r = ctl_builder_set_digest(b, d)) != CTL_OK ||
	    (r = ctl_builder_set_filename(b, filename)) != CTL_OK ||
	    (r = ctl_builder_set_payload(b, x->ct, x->ct_len)) != CTL_OK ||
	    (r = ctli_builder_set_hdr_extra(b, wr.buf, wr.len)) != CTL_OK) {
		r = ctli_fail(diag, r, 0, -1, 0, "cannot build the header: %s", ctl_strerror(r));
	} else {
		ctl_builder_set_version(b, 2, 0);
		if (ts != 0)
			ctl_builder_set_timestamp(b, ts);
		r = ctl_builder_sign(b, s, out, len, diag);
	}
	ctl_builder_free(b);
	ctl_wr_cleanup(&wr);
	return r;
}

enum ctl_err
ctl_encsgn_build(const uint8_t *plain, size_t n, X509 *phone_cert, const struct ctl_signer *s,
                 enum ctl_digest d, const char *filename, uint32_t ts, uint8_t **out, size_t *len,
                 struct ctl_diag *diag)
{
	struct enc_parts x;
	enum ctl_err r;

	*out = NULL;
	*len = 0;
	ctl_diag_clear(diag);
	memset(&x, 0, sizeof(x));
	if ((r = check_args(n, phone_cert, s, d, filename, diag)) != CTL_OK)
		return r;
	if (RAND_bytes(x.key, sizeof(x.key)) != 1 || RAND_bytes(x.iv, sizeof(x.iv)) != 1)
		return ctli_fail_ssl(diag, CTL_E_CRYPTO, "no random bytes for the AES key");
	if (EVP_Digest(plain, n, x.md, &x.md_len, ctli_md((uint8_t)d), NULL) != 1)
		r = ctli_fail_ssl(diag, CTL_E_CRYPTO, "cannot hash the configuration file");
	else if ((r = encrypt(plain, n, &x, diag)) == CTL_OK &&
	         (r = wrap(X509_get0_pubkey(phone_cert), &x, diag)) == CTL_OK)
		r = sign_parts(&x, s, d, filename, ts, out, len, diag);
	parts_cleanup(&x);
	return r;
}
