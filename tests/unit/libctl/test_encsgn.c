/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted configuration files (libctl/encsgn_*.c): build -> parse ->
 * verify -> decrypt gives the plaintext back; the byte layout (header 2.0,
 * element order, HEADER_LENGTH counting the signature, padding to 4, pad
 * count, key size, plaintext digest) checked by walking the bytes; the
 * signature and the decryption redone with OpenSSL directly; tampering, a
 * wrong phone key, a cut at every offset and hostile header values refused;
 * the companion file's certHash is the MD5 of the certificate's DER.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <ctl/buf.h>
#include <ctl/encsgn.h>

#include "testutil.h"

#define NAME "SEP001122334455.cnf.xml.enc.sgn"
#define TS 1767115542u

static const char plain_xml[] =
	"<device>\n<fullConfig>true</fullConfig>\n<deviceProtocol>SIP</deviceProtocol>\n"
	"<ipAddressMode>0</ipAddressMode>\n<capfAuthMode>0</capfAuthMode>\n"
	"<capfList><capf><phonePort>3804</phonePort></capf></capfList>\n"
	"<loadInformation>sip88xx.12-8-1-0001-455</loadInformation>\n</device>\n";

/* A phone: a self-signed certificate for a fresh key (RSA bits, or EC when 0). */
static X509 *
phone(int bits, EVP_PKEY **key)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();

	*key = bits ? EVP_RSA_gen((unsigned int)bits) : EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(*key);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 0x5eed), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	                                            (const unsigned char *)"SEP001122334455", -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_subject_name(x, nm), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, nm), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	ck_assert_int_eq(X509_set_pubkey(x, *key), 1);
	ck_assert_int_gt(X509_sign(x, *key, EVP_sha256()), 0);
	X509_NAME_free(nm);
	return x;
}

static uint8_t *
build(const void *plain, size_t n, X509 *pc, enum ctl_digest d, size_t *len)
{
	struct ctl_signer *s = tu_signer("ccm1");
	struct ctl_diag dg;
	uint8_t *out = NULL;

	ck_assert_msg(ctl_encsgn_build(plain, n, pc, s, d, NAME, TS, &out, len, &dg) == CTL_OK,
	              "build: %s", dg.msg);
	ctl_signer_free(s);
	return out;
}

static struct ctl_encsgn *
parse(const uint8_t *p, size_t n)
{
	struct ctl_encsgn *e = NULL;
	struct ctl_diag d;
	char where[600];

	ck_assert_msg(ctl_encsgn_parse(p, n, &e, &d) == CTL_OK, "parse: %s",
	              ctl_diag_str(&d, where, sizeof(where)));
	return e;
}

/* ---- round trip ------------------------------------------------------- */

/* Plaintext lengths around the block size: pad counts 16, 1, 16, 15, and a real file. */
static const size_t rt_len[] = { 0, 15, 16, 17, sizeof(plain_xml) - 1 };

START_TEST(round_trip)
{
	size_t n = rt_len[_i % 5], len, plen;
	enum ctl_digest d = _i < 5 ? CTL_DIGEST_SHA1 : CTL_DIGEST_SHA512;
	EVP_PKEY *pk;
	X509 *pc = phone(2048, &pk), *ccm1 = tu_cert("ccm1");
	uint8_t *f = build(plain_xml, n, pc, d, &len), *plain = NULL;
	struct ctl_encsgn *e = parse(f, len);
	struct ctl_diag dg;
	struct ctl_bytes b;
	char *name = NULL;

	ck_assert_uint_eq(ctl_encsgn_digest(e), d);
	ck_assert_uint_eq(ctl_encsgn_timestamp(e), TS);
	b = ctl_encsgn_filename(e);
	ck_assert_uint_eq(b.len, sizeof(NAME));
	ck_assert_mem_eq(b.p, NAME, sizeof(NAME));
	ck_assert_int_eq(ctl_name_format_string(X509_get_subject_name(ccm1), CTL_NAME_CUCM, &name), CTL_OK);
	b = ctl_encsgn_signer_name(e);
	ck_assert_uint_eq(b.len, strlen(name) + 1);
	ck_assert_mem_eq(b.p, name, strlen(name));
	ck_assert_uint_eq(ctl_encsgn_ciphertext(e).len, (n / 16 + 1) * 16);
	ck_assert_uint_eq(ctl_encsgn_header_length(e) + ctl_encsgn_ciphertext(e).len, len);
	ck_assert_msg(ctl_encsgn_verify(e, ccm1, &dg) == CTL_OK, "verify: %s", dg.msg);
	ck_assert_msg(ctl_encsgn_decrypt(e, pk, &plain, &plen, &dg) == CTL_OK, "decrypt: %s", dg.msg);
	ck_assert_uint_eq(plen, n);
	if (n > 0)
		ck_assert_mem_eq(plain, plain_xml, n);
	free(plain);
	free(name);
	ctl_encsgn_free(e);
	free(f);
	X509_free(ccm1);
	X509_free(pc);
	EVP_PKEY_free(pk);
}
END_TEST

/* A fresh key and IV each time: the same input never gives the same ciphertext. */
START_TEST(fresh_key_each_file)
{
	EVP_PKEY *pk;
	X509 *pc = phone(2048, &pk);
	size_t la, lb;
	uint8_t *a = build(plain_xml, 64, pc, CTL_DIGEST_SHA1, &la);
	uint8_t *b = build(plain_xml, 64, pc, CTL_DIGEST_SHA1, &lb);

	ck_assert_uint_eq(la, lb);
	ck_assert_int_ne(memcmp(a, b, la), 0);
	ck_assert_int_ne(memcmp(a + la - 80, b + lb - 80, 80), 0);
	free(a);
	free(b);
	X509_free(pc);
	EVP_PKEY_free(pk);
}
END_TEST

/* ---- layout ------------------------------------------------------------ */

struct el {
	uint8_t tag;
	size_t off;   /* of the tag byte */
	uint16_t len;
	const uint8_t *val;
};

/* The top-level header elements (0x0D padding as len-less tag 13). */
static size_t
walk(const uint8_t *p, size_t hl, struct el *out, size_t cap)
{
	struct ctl_rd rd;
	size_t n = 0;

	ctl_rd_init(&rd, p, hl);
	while (ctl_rd_left(&rd) > 0) {
		struct el x = { 0, ctl_rd_off(&rd), 0, NULL };

		ck_assert_uint_lt(n, cap);
		ck_assert_int_eq(ctl_rd_u8(&rd, &x.tag), CTL_OK);
		if (x.tag != 13) {
			ck_assert_int_eq(ctl_rd_u16be(&rd, &x.len), CTL_OK);
			ck_assert_int_eq(ctl_rd_view(&rd, &x.val, x.len), CTL_OK);
		}
		out[n++] = x;
	}
	return n;
}

/* The children of a container value. */
static size_t
children(const struct el *c, struct el *out, size_t cap)
{
	size_t n = walk(c->val, c->len, out, cap), i;

	for (i = 0; i < n; i++)
		out[i].off += c->off + 3;
	return n;
}

static uint16_t
u16(const uint8_t *v)
{
	struct ctl_rd rd;
	uint16_t x;

	ctl_rd_init(&rd, v, 2);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &x), CTL_OK);
	return x;
}

START_TEST(byte_layout)
{
	static const uint8_t order[] = { 1, 2, 3, 7, 12, 14, 15, 16, 26, 27 };
	size_t n = 100, len, hl, k, i, npad = 0;
	EVP_PKEY *pk;
	X509 *pc = phone(2048, &pk);
	uint8_t *f = build(plain_xml, n, pc, CTL_DIGEST_SHA512, &len);
	struct el top[32], enc[4], iv[4], key[6];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	/* VERSION 2.0, then HEADER_LENGTH */
	ck_assert_mem_eq(f, "\x01\x00\x02\x02\x00\x02\x00\x02", 8);
	hl = u16(f + 8);
	ck_assert_uint_eq(hl % 4, 0);
	ck_assert_uint_eq(len - hl, 112);   /* 100 bytes + 12 of padding */
	k = walk(f, hl, top, 32);
	for (i = 0; i < k; i++)
		if (i >= sizeof(order)) {
			ck_assert_uint_eq(top[i].tag, 13);   /* padding only at the end */
			npad++;
		} else {
			ck_assert_msg(top[i].tag == order[i], "element %zu is tag %u, expected %u", i,
			              top[i].tag, order[i]);
		}
	ck_assert_uint_lt(npad, 4);
	ck_assert_uint_eq(top[4].len, 256);   /* the RSA-2048 signature, counted in HEADER_LENGTH */
	ck_assert_uint_eq(top[6].len, 4);
	/* 16: 17 {18, 19, 20} and 21 {22, 23, 24, 25} */
	ck_assert_uint_eq(children(&top[7], enc, 4), 2);
	ck_assert_uint_eq(enc[0].tag, 17);
	ck_assert_uint_eq(enc[1].tag, 21);
	ck_assert_uint_eq(children(&enc[0], iv, 4), 3);
	ck_assert_uint_eq(iv[0].tag, 18);
	ck_assert_uint_eq(iv[0].len, 1);
	ck_assert_uint_eq(iv[0].val[0], 0);
	ck_assert_uint_eq(iv[1].tag, 19);
	ck_assert_uint_eq(iv[1].len, 16);
	ck_assert_uint_eq(iv[2].tag, 20);
	ck_assert_uint_eq(u16(iv[2].val), 12);
	ck_assert_uint_eq(children(&enc[1], key, 6), 4);
	ck_assert_uint_eq(key[0].tag, 22);
	ck_assert_uint_eq(key[0].val[0], 0);
	ck_assert_uint_eq(key[1].tag, 23);
	ck_assert_uint_eq(u16(key[1].val), 2048);
	ck_assert_uint_eq(key[2].tag, 24);
	ck_assert_uint_eq(key[2].val[0], 1);
	ck_assert_uint_eq(key[3].tag, 25);
	ck_assert_uint_eq(key[3].len, 256);
	/* 26, 27: SHA-512 of the plaintext */
	ck_assert_uint_eq(top[8].val[0], CTL_DIGEST_SHA512);
	ck_assert_int_eq(EVP_Digest(plain_xml, n, md, &mdlen, EVP_sha512(), NULL), 1);
	ck_assert_uint_eq(top[9].len, mdlen);
	ck_assert_mem_eq(top[9].val, md, mdlen);
	free(f);
	X509_free(pc);
	EVP_PKEY_free(pk);
}
END_TEST

/* The signature covers every byte but the signature element; the body opens with OpenSSL alone. */
START_TEST(independent_check)
{
	size_t n = sizeof(plain_xml) - 1, len, hl, k, i, wl = 0;
	EVP_PKEY *pk;
	X509 *pc = phone(2048, &pk), *ccm1 = tu_cert("ccm1");
	uint8_t *f = build(plain_xml, n, pc, CTL_DIGEST_SHA1, &len), *tbs, key[256], out[1024];
	struct el top[32], enc[4], iv[4], kc[6];
	EVP_MD_CTX *mc = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	size_t sig_off, klen = sizeof(key);
	int o1 = 0, o2 = 0;
	uint16_t pad;

	hl = u16(f + 8);
	k = walk(f, hl, top, 32);
	ck_assert_uint_ge(k, 10);
	sig_off = top[4].off;
	tbs = malloc(len);
	memcpy(tbs, f, sig_off);
	memcpy(tbs + sig_off, f + sig_off + 3 + 256, len - sig_off - 3 - 256);
	ck_assert_int_eq(EVP_DigestVerifyInit(mc, &pctx, EVP_sha1(), NULL, X509_get0_pubkey(ccm1)), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(EVP_DigestVerify(mc, top[4].val, 256, tbs, len - 3 - 256), 1);

	ck_assert_uint_eq(children(&top[7], enc, 4), 2);
	ck_assert_uint_eq(children(&enc[0], iv, 4), 3);
	ck_assert_uint_eq(children(&enc[1], kc, 6), 4);
	pad = u16(iv[2].val);
	pctx = EVP_PKEY_CTX_new(pk, NULL);
	ck_assert_int_eq(EVP_PKEY_decrypt_init(pctx), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(EVP_PKEY_decrypt(pctx, key, &klen, kc[3].val, kc[3].len), 1);
	ck_assert_uint_eq(klen, 16);
	ck_assert_int_eq(EVP_DecryptInit_ex(cc, EVP_aes_128_cbc(), NULL, key, iv[1].val), 1);
	ck_assert_int_eq(EVP_CIPHER_CTX_set_padding(cc, 0), 1);
	ck_assert_uint_le(len - hl, sizeof(out));
	ck_assert_int_eq(EVP_DecryptUpdate(cc, out, &o1, f + hl, (int)(len - hl)), 1);
	ck_assert_int_eq(EVP_DecryptFinal_ex(cc, out + o1, &o2), 1);
	wl = (size_t)(o1 + o2);
	ck_assert_uint_eq(wl, len - hl);
	ck_assert_uint_eq(wl - pad, n);
	ck_assert_mem_eq(out, plain_xml, n);
	for (i = n; i < wl; i++)
		ck_assert_uint_eq(out[i], 0x0D);
	EVP_PKEY_CTX_free(pctx);
	EVP_CIPHER_CTX_free(cc);
	EVP_MD_CTX_free(mc);
	free(tbs);
	free(f);
	X509_free(ccm1);
	X509_free(pc);
	EVP_PKEY_free(pk);
}
END_TEST

/* ---- refusals ---------------------------------------------------------- */

START_TEST(tampered_ciphertext)
{
	size_t len, plen, hl;
	EVP_PKEY *pk;
	X509 *pc = phone(2048, &pk), *ccm1 = tu_cert("ccm1"), *ccm2 = tu_cert("ccm2");
	uint8_t *f = build(plain_xml, sizeof(plain_xml) - 1, pc, CTL_DIGEST_SHA1, &len), *plain;
	struct ctl_encsgn *e;
	struct ctl_diag d;

	hl = u16(f + 8);
	f[hl + 20] ^= 0x01;
	e = parse(f, len);
	ck_assert_int_eq(ctl_encsgn_verify(e, ccm1, &d), CTL_E_SIG_INVALID);
	ck_assert_int_eq(d.tag, 12);
	/* decrypting it anyway: the plaintext digest catches it */
	ck_assert_int_eq(ctl_encsgn_decrypt(e, pk, &plain, &plen, &d), CTL_E_SIG_INVALID);
	ck_assert_ptr_null(plain);
	ck_assert_ptr_nonnull(strstr(d.msg, "digest"));
	ctl_encsgn_free(e);
	f[hl + 20] ^= 0x01;
	/* the header is signed too */
	f[hl - 1 - 4] ^= 0x80;   /* inside the plaintext digest, just before the padding */
	e = parse(f, len);
	ck_assert_int_eq(ctl_encsgn_verify(e, ccm1, &d), CTL_E_SIG_INVALID);
	ctl_encsgn_free(e);
	f[hl - 1 - 4] ^= 0x80;
	e = parse(f, len);
	ck_assert_int_eq(ctl_encsgn_verify(e, ccm1, &d), CTL_OK);
	/* another node's certificate does not verify it */
	ck_assert_int_eq(ctl_encsgn_verify(e, ccm2, &d), CTL_E_SIG_INVALID);
	ck_assert_int_eq(ctl_encsgn_verify(e, NULL, &d), CTL_E_KEY);
	ctl_encsgn_free(e);
	free(f);
	X509_free(ccm1);
	X509_free(ccm2);
	X509_free(pc);
	EVP_PKEY_free(pk);
}
END_TEST

START_TEST(wrong_phone_key)
{
	size_t len, plen;
	EVP_PKEY *pk, *other, *small, *ec;
	X509 *pc = phone(2048, &pk), *x1 = phone(2048, &other), *x2 = phone(1024, &small),
	     *x3 = phone(0, &ec);
	uint8_t *f = build(plain_xml, sizeof(plain_xml) - 1, pc, CTL_DIGEST_SHA1, &len), *plain;
	struct ctl_encsgn *e = parse(f, len);
	struct ctl_diag d;
	enum ctl_err r;

	r = ctl_encsgn_decrypt(e, other, &plain, &plen, &d);
	ck_assert_msg(r == CTL_E_KEY || r == CTL_E_SIG_INVALID, "another phone's key: %s (%s)",
	              ctl_strerror(r), d.msg);
	ck_assert_ptr_null(plain);
	ck_assert_uint_eq(plen, 0);
	ck_assert_int_eq(ctl_encsgn_decrypt(e, small, &plain, &plen, &d), CTL_E_KEY);
	ck_assert_ptr_nonnull(strstr(d.msg, "2048"));
	ck_assert_int_eq(ctl_encsgn_decrypt(e, ec, &plain, &plen, &d), CTL_E_KEY);
	ck_assert_int_eq(ctl_encsgn_decrypt(e, NULL, &plain, &plen, &d), CTL_E_KEY);
	ck_assert_int_eq(ctl_encsgn_decrypt(e, pk, &plain, &plen, &d), CTL_OK);
	free(plain);
	ctl_encsgn_free(e);
	free(f);
	X509_free(pc);
	X509_free(x1);
	X509_free(x2);
	X509_free(x3);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(other);
	EVP_PKEY_free(small);
	EVP_PKEY_free(ec);
}
END_TEST

/* Every cut is refused when parsed; a cut at a block boundary of the body parses but fails its signature. */
START_TEST(cut_at_every_offset)
{
	size_t len, k, hl;
	EVP_PKEY *pk;
	X509 *pc = phone(2048, &pk), *ccm1 = tu_cert("ccm1");
	uint8_t *f = build(plain_xml, sizeof(plain_xml) - 1, pc, CTL_DIGEST_SHA1, &len);
	struct ctl_encsgn *e;
	struct ctl_diag d;
	enum ctl_err r;

	hl = u16(f + 8);
	for (k = 0; k < len; k++) {
		uint8_t *cut = malloc(k ? k : 1);

		memcpy(cut, f, k);
		e = (struct ctl_encsgn *)cut;
		r = ctl_encsgn_parse(cut, k, &e, &d);
		if (r == CTL_OK) {
			ck_assert_msg(k > hl && (k - hl) % 16 == 0, "a cut at %zu parsed", k);
			ck_assert_int_eq(ctl_encsgn_verify(e, ccm1, &d), CTL_E_SIG_INVALID);
			ctl_encsgn_free(e);
		} else {
			ck_assert_ptr_null(e);
			ck_assert_int_eq(d.err, r);
			ck_assert_uint_le(d.offset, len);
			ck_assert_msg(d.msg[0] != '\0', "cut at %zu: no message", k);
		}
		free(cut);
	}
	free(f);
	X509_free(ccm1);
	X509_free(pc);
	EVP_PKEY_free(pk);
}
END_TEST

/* Byte edits of a valid file, each refused by the parser with its code and tag. */
enum edit_at { AT_VERSION, AT_TAG26, AT_VAL26, AT_PAD, AT_KEYBITS, AT_TAG17, AT_TAG27, AT_TAG16 };

static const struct {
	const char *what;
	enum edit_at at;
	uint8_t value;
	enum ctl_err err;
	int tag;
} edits[] = {
	{ "version 1.0", AT_VERSION, 1, CTL_E_VERSION, 1 },
	{ "version 3.0", AT_VERSION, 3, CTL_E_VERSION, 1 },
	{ "tag 26 unknown (30)", AT_TAG26, 30, CTL_E_BAD_TAG, 30 },
	{ "tag 26 as a second 27", AT_TAG26, 27, CTL_E_DUP_TAG, 27 },
	{ "tag 26 as tag 17 at the top", AT_TAG26, 17, CTL_E_BAD_TAG, 17 },
	{ "plaintext digest code 9", AT_VAL26, 9, CTL_E_DIGEST, 26 },
	{ "plaintext digest SHA-256 for 20 bytes", AT_VAL26, 2, CTL_E_FIELD_LEN, 27 },
	{ "pad count 0", AT_PAD, 0, CTL_E_INVAL, 20 },
	{ "pad count 17", AT_PAD, 17, CTL_E_INVAL, 20 },
	{ "key size 1272 bits for a 1024-bit key", AT_KEYBITS, 0xf8, CTL_E_FIELD_LEN, 23 },
	{ "container 17 as 22", AT_TAG17, 22, CTL_E_BAD_TAG, 22 },
	{ "container 17 as 21 (its children then misplaced)", AT_TAG17, 21, CTL_E_BAD_TAG, 18 },
	{ "tag 27 unknown (40)", AT_TAG27, 40, CTL_E_BAD_TAG, 40 },
	{ "tag 27 as a second 26", AT_TAG27, 26, CTL_E_DUP_TAG, 26 },
	{ "tag 16 as a 26 of the wrong size", AT_TAG16, 26, CTL_E_FIELD_LEN, 26 },
};

START_TEST(hostile_values)
{
	size_t i = (size_t)_i, len, hl, at = 0;
	EVP_PKEY *pk;
	X509 *pc = phone(1024, &pk);
	uint8_t *f = build(plain_xml, 40, pc, CTL_DIGEST_SHA1, &len);
	struct el top[32], enc[4], sub[6];
	struct ctl_encsgn *e = (struct ctl_encsgn *)f;
	struct ctl_diag d;
	enum ctl_err r;

	hl = u16(f + 8);
	ck_assert_uint_ge(walk(f, hl, top, 32), 10);
	ck_assert_uint_eq(children(&top[7], enc, 4), 2);
	switch (edits[i].at) {
	case AT_VERSION: at = 3; break;
	case AT_TAG26: at = top[8].off; break;
	case AT_VAL26: at = top[8].off + 3; break;
	case AT_PAD:
		ck_assert_uint_eq(children(&enc[0], sub, 6), 3);
		at = sub[2].off + 4;
		f[at - 1] = 0;
		break;
	case AT_KEYBITS:
		ck_assert_uint_eq(children(&enc[1], sub, 6), 4);
		at = sub[1].off + 4;
		break;
	case AT_TAG17: at = enc[0].off; break;
	case AT_TAG27: at = top[9].off; break;
	case AT_TAG16: at = top[7].off; break;
	}
	f[at] = edits[i].value;
	r = ctl_encsgn_parse(f, len, &e, &d);
	ck_assert_msg(r == edits[i].err, "%s: %s (%s), expected %s", edits[i].what, ctl_strerror(r),
	              d.msg, ctl_strerror(edits[i].err));
	ck_assert_ptr_null(e);
	ck_assert_msg(d.tag == edits[i].tag, "%s: tag %d, expected %d (%s)", edits[i].what, d.tag,
	              edits[i].tag, d.msg);
	free(f);
	X509_free(pc);
	EVP_PKEY_free(pk);
}
END_TEST

/* A signed file of version 2.0 without the encryption elements, and a plain .sgn. */
START_TEST(not_encrypted)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = tu_signer("ccm1");
	struct ctl_encsgn *e = NULL;
	struct ctl_diag d;
	uint8_t body[32] = { 0 }, *f;
	size_t len;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_filename(b, NAME), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_payload(b, body, sizeof(body)), CTL_OK);
	ctl_builder_set_version(b, 2, 0);
	f = tu_sign(b, s, &len);
	ck_assert_int_eq(ctl_encsgn_parse(f, len, &e, &d), CTL_E_MISSING);
	ck_assert_int_eq(d.tag, 16);
	free(f);
	ctl_builder_set_version(b, 1, 0);
	f = tu_sign(b, s, &len);
	ck_assert_int_eq(ctl_encsgn_parse(f, len, &e, &d), CTL_E_VERSION);
	ck_assert_ptr_null(e);
	free(f);
	ck_assert_int_eq(ctl_encsgn_parse(body, 0, &e, &d), CTL_E_TRUNCATED);
	ctl_builder_free(b);
	ctl_signer_free(s);
}
END_TEST

START_TEST(build_refuses)
{
	EVP_PKEY *pk, *ec;
	X509 *pc = phone(1024, &pk), *xe = phone(0, &ec);
	struct ctl_signer *s = tu_signer("ccm1");
	struct ctl_diag d;
	uint8_t *out = (uint8_t *)"x";
	size_t len = 1;

	ck_assert_int_eq(ctl_encsgn_build((const uint8_t *)"a", 1, xe, s, CTL_DIGEST_SHA1, NAME, 0,
	                                  &out, &len, &d), CTL_E_KEY);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_nonnull(strstr(d.msg, "RSA"));
	ck_assert_int_eq(ctl_encsgn_build((const uint8_t *)"a", 1, pc, s, (enum ctl_digest)7, NAME, 0,
	                                  &out, &len, &d), CTL_E_DIGEST);
	ck_assert_int_eq(ctl_encsgn_build((const uint8_t *)"a", 1, pc, s, CTL_DIGEST_SHA1, "", 0,
	                                  &out, &len, &d), CTL_E_INVAL);
	ck_assert_int_eq(ctl_encsgn_build((const uint8_t *)"a", 1, NULL, s, CTL_DIGEST_SHA1, NAME, 0,
	                                  &out, &len, &d), CTL_E_KEY);
	ck_assert_int_eq(ctl_encsgn_build((const uint8_t *)"a", 1, pc, NULL, CTL_DIGEST_SHA1, NAME, 0,
	                                  &out, &len, &d), CTL_E_INVAL);
	/* SHA-256 accepted; timestamp 0 means now */
	ck_assert_int_eq(ctl_encsgn_build((const uint8_t *)"a", 1, pc, s, CTL_DIGEST_SHA256, NAME, 0,
	                                  &out, &len, &d), CTL_OK);
	{
		struct ctl_encsgn *e = parse(out, len);
		uint8_t *plain = NULL;
		size_t plen;

		ck_assert_uint_ge(ctl_encsgn_timestamp(e), TS);
		ck_assert_int_eq(ctl_encsgn_decrypt(e, pk, &plain, &plen, &d), CTL_OK);
		ck_assert_uint_eq(plen, 1);
		ck_assert_str_eq((char *)plain, "a");
		free(plain);
		ctl_encsgn_free(e);
	}
	free(out);
	ctl_signer_free(s);
	X509_free(pc);
	X509_free(xe);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(ec);
}
END_TEST

/* ---- companion --------------------------------------------------------- */

START_TEST(companion)
{
	X509 *pc = tu_cert("ccm1");
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char hex[33], want[1024], *out = NULL;
	const char *odd = "<device><loadInformationX>1</loadInformationX><capfList/><capfAuthMode>3";
	size_t len = 0;
	struct ctl_diag d;
	int n = i2d_X509(pc, &der);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(EVP_Digest(der, (size_t)n, md, &mdlen, EVP_md5(), NULL), 1);
	ck_assert_uint_eq(mdlen, 16);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	ck_assert_int_eq(ctl_encsgn_companion((const uint8_t *)plain_xml, sizeof(plain_xml) - 1, pc,
	                                      &out, &len, &d), CTL_OK);
	snprintf(want, sizeof(want), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<device>\n"
	         "<fullConfig>false</fullConfig>\n<ipAddressMode>0</ipAddressMode>\n"
	         "<capfAuthMode>0</capfAuthMode>\n"
	         "<capfList><capf><phonePort>3804</phonePort></capf></capfList>\n"
	         "<loadInformation>sip88xx.12-8-1-0001-455</loadInformation>\n"
	         "<certHash>%s</certHash>\n<encrConfig>true</encrConfig>\n</device>\n", hex);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_ptr_null(strstr(out, "deviceProtocol"));
	free(out);

	/* look-alike names are not copied, a self-closing element is, absent ones are skipped */
	ck_assert_int_eq(ctl_encsgn_companion((const uint8_t *)odd, strlen(odd), pc, &out, &len, &d),
	                 CTL_OK);
	snprintf(want, sizeof(want), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<device>\n"
	         "<fullConfig>false</fullConfig>\n<capfList/>\n"
	         "<certHash>%s</certHash>\n<encrConfig>true</encrConfig>\n</device>\n", hex);
	ck_assert_str_eq(out, want);
	free(out);
	ck_assert_int_eq(ctl_encsgn_companion(NULL, 0, pc, &out, &len, &d), CTL_OK);
	ck_assert_ptr_nonnull(strstr(out, hex));
	free(out);
	ck_assert_int_eq(ctl_encsgn_companion(NULL, 0, NULL, &out, &len, &d), CTL_E_INVAL);
	ck_assert_ptr_null(out);
	OPENSSL_free(der);
	X509_free(pc);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("encsgn");
	TCase *tc = tcase_create("encsgn");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, round_trip, 0, 10);
	tcase_add_test(tc, fresh_key_each_file);
	tcase_add_test(tc, byte_layout);
	tcase_add_test(tc, independent_check);
	tcase_add_test(tc, tampered_ciphertext);
	tcase_add_test(tc, wrong_phone_key);
	tcase_add_test(tc, cut_at_every_offset);
	tcase_add_loop_test(tc, hostile_values, 0, (int)(sizeof(edits) / sizeof(edits[0])));
	tcase_add_test(tc, not_encrypted);
	tcase_add_test(tc, build_refuses);
	tcase_add_test(tc, companion);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
