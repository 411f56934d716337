/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted configuration files (ctl/encsgn.h): parsing, accessors and the
 * signature check. hdr.c reads the header as it reads a .sgn header (tags
 * 1-15, version 2.x allowed by CTLI_PARSE_ENC) and keeps tags 16, 26 and
 * 27 as unknown elements; this file reads those through bounded readers.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "encsgn_int.h"
#include "parse.h"

/* Fixed value sizes of the encryption elements; 0 = variable, not empty. */
static const uint8_t enc_fixed[CTL_ENC_PT_DIGEST + 1] = {
	[CTL_ENC_IV_UNKNOWN] = 1, [CTL_ENC_IV] = CTLI_AES_BLOCK, [CTL_ENC_PAD_COUNT] = 2,
	[CTL_ENC_KEY_UNKNOWN] = 1, [CTL_ENC_KEY_BITS] = 2, [CTL_ENC_KEY_ALG] = 1,
	[CTL_ENC_PT_DIGEST_ALG] = 1,
};

#define BIT(t) (1u << (t))

static uint32_t
enc_children(int tag)
{
	switch (tag) {
	case CTL_ENC_INFO:
		return BIT(CTL_ENC_IV_INFO) | BIT(CTL_ENC_KEY_INFO);
	case CTL_ENC_IV_INFO:
		return BIT(CTL_ENC_IV_UNKNOWN) | BIT(CTL_ENC_IV) | BIT(CTL_ENC_PAD_COUNT);
	case CTL_ENC_KEY_INFO:
		return BIT(CTL_ENC_KEY_UNKNOWN) | BIT(CTL_ENC_KEY_BITS) | BIT(CTL_ENC_KEY_ALG) |
		       BIT(CTL_ENC_WRAPPED_KEY);
	default:
		return 0;
	}
}

static CTL_MUST_USE enum ctl_err
store(struct ctl_encsgn *e, uint8_t tag, struct ctl_rd *val, const uint8_t *v, uint16_t len)
{
	switch (tag) {
	case CTL_ENC_IV_UNKNOWN: return ctl_rd_u8(val, &e->iv_unknown);
	case CTL_ENC_KEY_UNKNOWN: return ctl_rd_u8(val, &e->key_unknown);
	case CTL_ENC_KEY_ALG: return ctl_rd_u8(val, &e->key_alg);
	case CTL_ENC_PAD_COUNT: return ctl_rd_u16be(val, &e->pad);
	case CTL_ENC_KEY_BITS: return ctl_rd_u16be(val, &e->key_bits);
	case CTL_ENC_IV: e->iv = (struct ctl_bytes){ v, len }; return CTL_OK;
	case CTL_ENC_WRAPPED_KEY: e->wrapped = (struct ctl_bytes){ v, len }; return CTL_OK;
	default: return CTL_E_BAD_TAG;
	}
}

/* The children of container (16, 17 or 21); seen collects every tag read. */
static CTL_MUST_USE enum ctl_err
enc_elems(struct ctl_encsgn *e, struct ctl_rd *rd, int container, uint32_t *seen,
          struct ctl_diag *diag)
{
	uint32_t allowed = enc_children(container);
	enum ctl_err r;

	while (ctl_rd_left(rd) > 0) {
		size_t off = ctl_rd_off(rd);
		uint8_t tag;
		uint16_t len = 0;
		const uint8_t *v;
		struct ctl_rd val;

		if (ctl_rd_u8(rd, &tag) != CTL_OK || ctl_rd_u16be(rd, &len) != CTL_OK ||
		    ctl_rd_sub(rd, &val, len) != CTL_OK || ctl_rd_peek(&val, &v, len) != CTL_OK)
			return ctli_fail(diag, CTL_E_CONTAINER_LEN, off, tag, 0, "element runs past "
			                 "the end of container tag %d", container);
		if (tag >= 32 || !(allowed & BIT(tag)))
			return ctli_fail(diag, CTL_E_BAD_TAG, off, tag, 0, "tag %u not allowed in "
			                 "container tag %d", tag, container);
		if (*seen & BIT(tag))
			return ctli_fail(diag, CTL_E_DUP_TAG, off, tag, 0, "tag %u appears twice", tag);
		*seen |= BIT(tag);
		if (enc_fixed[tag] != 0 && len != enc_fixed[tag])
			return ctli_fail(diag, CTL_E_FIELD_LEN, off, tag, 0, "length %u, the format "
			                 "requires %u", len, enc_fixed[tag]);
		if (len == 0)
			return ctli_fail(diag, CTL_E_ZERO_LEN, off, tag, 0, "empty element");
		if (enc_children(tag) != 0)
			r = enc_elems(e, &val, tag, seen, diag);
		else
			r = store(e, tag, &val, v, len);
		if (r != CTL_OK)
			return r;
	}
	return CTL_OK;
}

/* Tag 16: both containers and all their children, consistent with each other. */
static CTL_MUST_USE enum ctl_err
enc_info(struct ctl_encsgn *e, const struct ctl_elem *el, struct ctl_diag *diag)
{
	static const uint8_t need[] = { CTL_ENC_IV_INFO, CTL_ENC_IV_UNKNOWN, CTL_ENC_IV,
		                        CTL_ENC_PAD_COUNT, CTL_ENC_KEY_INFO, CTL_ENC_KEY_UNKNOWN,
		                        CTL_ENC_KEY_BITS, CTL_ENC_KEY_ALG, CTL_ENC_WRAPPED_KEY };
	struct ctl_rd rd;
	uint32_t seen = 0;
	enum ctl_err r;
	size_t i;

	ctl_rd_init_at(&rd, el->val, el->len, el->off + 3);
	if ((r = enc_elems(e, &rd, CTL_ENC_INFO, &seen, diag)) != CTL_OK)
		return r;
	for (i = 0; i < sizeof(need); i++)
		if (!(seen & BIT(need[i])))
			return ctli_fail(diag, CTL_E_MISSING, el->off, need[i], 0, "encryption info "
			                 "has no tag %u", need[i]);
	if ((size_t)e->key_bits != 8 * e->wrapped.len)
		return ctli_fail(diag, CTL_E_FIELD_LEN, el->off, CTL_ENC_KEY_BITS, 0, "wrapped key "
		                 "size %u bits, the key has %zu bytes", e->key_bits, e->wrapped.len);
	if (e->pad < 1 || e->pad > CTLI_AES_BLOCK)
		return ctli_fail(diag, CTL_E_INVAL, el->off, CTL_ENC_PAD_COUNT, 0, "pad count %u, "
		                 "the format adds 1 to 16 bytes", e->pad);
	return CTL_OK;
}

/* A header element the .sgn parser left uninterpreted: 16, 26 or 27 at the top, or wrong. */
static CTL_MUST_USE enum ctl_err
enc_elem(struct ctl_encsgn *e, const struct ctl_elem *el, uint32_t *seen, struct ctl_diag *diag)
{
	if (el->depth != 0 || (el->tag != CTL_ENC_INFO && el->tag != CTL_ENC_PT_DIGEST_ALG &&
	                       el->tag != CTL_ENC_PT_DIGEST))
		return ctli_fail(diag, CTL_E_BAD_TAG, el->off, el->tag, 0, "tag %u not allowed %s",
		                 el->tag, el->depth ? "in this container" : "in the header");
	if (*seen & BIT(el->tag))
		return ctli_fail(diag, CTL_E_DUP_TAG, el->off, el->tag, 0, "tag %u appears twice",
		                 el->tag);
	*seen |= BIT(el->tag);
	switch (el->tag) {
	case CTL_ENC_INFO:
		return enc_info(e, el, diag);
	case CTL_ENC_PT_DIGEST_ALG:
		if (el->len != 1)
			return ctli_fail(diag, CTL_E_FIELD_LEN, el->off, el->tag, 0, "length %u, the "
			                 "format requires 1", el->len);
		e->pt_alg = el->val[0];
		if (ctli_md(e->pt_alg) == NULL)
			return ctli_fail(diag, CTL_E_DIGEST, el->off, el->tag, 0, "unknown digest "
			                 "algorithm code %u", e->pt_alg);
		return CTL_OK;
	default:
		e->pt_digest = (struct ctl_bytes){ el->val, el->len };
		return CTL_OK;
	}
}

static int
known_sgn_tag(uint8_t tag)
{
	return (tag >= CTL_H_VERSION && tag <= CTL_H_TIMESTAMP) || tag == CTL_H_SIGNER_VERSION;
}

/* Tags 16, 26, 27 present and consistent; the ciphertext whole AES blocks. */
static CTL_MUST_USE enum ctl_err
enc_header(struct ctl_encsgn *e, struct ctl_diag *diag)
{
	const struct ctl_file *f = e->f;
	uint32_t seen = 0;
	enum ctl_err r;
	size_t i, dlen;

	for (i = 0; i < f->nhelems; i++)
		if (!known_sgn_tag(f->helems[i].tag) &&
		    (r = enc_elem(e, &f->helems[i], &seen, diag)) != CTL_OK)
			return r;
	for (i = 0; i < 3; i++) {
		uint8_t t = i == 0 ? CTL_ENC_INFO : i == 1 ? CTL_ENC_PT_DIGEST_ALG : CTL_ENC_PT_DIGEST;

		if (!(seen & BIT(t)))
			return ctli_fail(diag, CTL_E_MISSING, f->header_len, t, 0, "header has no tag "
			                 "%u (%s)", t, i == 0 ? "encryption info" : i == 1 ?
			                 "plaintext digest algorithm" : "plaintext digest");
	}
	dlen = (size_t)EVP_MD_get_size(ctli_md(e->pt_alg));
	if (e->pt_digest.len != dlen)
		return ctli_fail(diag, CTL_E_FIELD_LEN, f->header_len, CTL_ENC_PT_DIGEST, 0, "plaintext "
		                 "digest of %zu bytes, %s gives %zu", e->pt_digest.len,
		                 ctl_digest_name(e->pt_alg), dlen);
	if (f->payload.len == 0 || f->payload.len % CTLI_AES_BLOCK != 0)
		return ctli_fail(diag, CTL_E_FIELD_LEN, f->header_len, -1, 0, "ciphertext of %zu bytes "
		                 "is not a whole number of 16-byte AES blocks", f->payload.len);
	if (e->pad > f->payload.len)
		return ctli_fail(diag, CTL_E_INVAL, f->header_len, CTL_ENC_PAD_COUNT, 0, "pad count "
		                 "%u exceeds the %zu-byte ciphertext", e->pad, f->payload.len);
	return CTL_OK;
}

enum ctl_err
ctl_encsgn_parse(const uint8_t *p, size_t n, struct ctl_encsgn **out, struct ctl_diag *diag)
{
	struct ctl_encsgn *e;
	struct hdr_ctx c;
	enum ctl_err r;

	*out = NULL;
	ctl_diag_clear(diag);
	if (n > CTL_MAX_FILE)
		return ctli_fail(diag, CTL_E_TOO_LARGE, 0, -1, 0, "file of %zu bytes exceeds the "
		                 "%u-byte limit", n, CTL_MAX_FILE);
	if (n == 0)
		return ctli_fail(diag, CTL_E_TRUNCATED, 0, -1, 0, "empty file");
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->f = calloc(1, sizeof(*e->f))) == NULL ||
	    (e->f->data = malloc(n)) == NULL) {
		ctl_encsgn_free(e);
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	}
	memcpy(e->f->data, p, n);
	e->f->len = n;
	c = (struct hdr_ctx){ e->f, CTLI_PARSE_ENC, 0, diag };
	if ((r = ctli_parse_header(&c)) == CTL_OK) {
		e->f->kind = CTL_KIND_SGN;
		e->f->payload = (struct ctl_bytes){ e->f->data + e->f->header_len,
		                                    n - e->f->header_len };
		r = enc_header(e, diag);
	}
	if (r != CTL_OK) {
		ctl_encsgn_free(e);
		if (r == CTL_E_NOMEM)
			return ctli_fail(diag, r, 0, -1, 0, "out of memory");
		return r;
	}
	*out = e;
	return CTL_OK;
}

void
ctl_encsgn_free(struct ctl_encsgn *e)
{
	if (e == NULL)
		return;
	ctl_file_free(e->f);
	free(e);
}

struct ctl_bytes ctl_encsgn_signer_name(const struct ctl_encsgn *e) { return e->f->signer_name; }
struct ctl_bytes ctl_encsgn_signer_serial(const struct ctl_encsgn *e) { return e->f->signer_serial; }
struct ctl_bytes ctl_encsgn_signer_caname(const struct ctl_encsgn *e) { return e->f->caname; }
struct ctl_bytes ctl_encsgn_filename(const struct ctl_encsgn *e) { return e->f->filename; }
uint32_t ctl_encsgn_timestamp(const struct ctl_encsgn *e) { return e->f->timestamp; }
uint8_t ctl_encsgn_digest(const struct ctl_encsgn *e) { return e->f->digest; }
uint16_t ctl_encsgn_header_length(const struct ctl_encsgn *e) { return e->f->header_len; }
struct ctl_bytes ctl_encsgn_ciphertext(const struct ctl_encsgn *e) { return e->f->payload; }

enum ctl_err
ctl_encsgn_verify(const struct ctl_encsgn *e, X509 *cert, struct ctl_diag *diag)
{
	EVP_PKEY *key = cert != NULL ? X509_get0_pubkey(cert) : NULL;
	char why[256];
	enum ctl_err r;

	ctl_diag_clear(diag);
	if (key == NULL || !EVP_PKEY_is_a(key, "RSA"))
		return ctli_fail(diag, CTL_E_KEY, 0, -1, 0, "the verifying certificate has no RSA key");
	if ((size_t)EVP_PKEY_get_size(key) != e->f->signature.len)
		return ctli_fail(diag, CTL_E_MODULUS, e->f->sig_off, CTL_H_SIGNATURE, 0, "the "
		                 "certificate's key is %d bytes, the signature %zu",
		                 EVP_PKEY_get_size(key), e->f->signature.len);
	if ((r = ctli_verify_sig(e->f, key, why, sizeof(why))) != CTL_OK)
		return ctli_fail(diag, r, e->f->sig_off, CTL_H_SIGNATURE, 0, "%s", why);
	return CTL_OK;
}
