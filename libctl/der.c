/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal DER walk to the subjectPublicKey of a certificate. Verification
 * must compare a record's PUBLICKEY with its CERTIFICATE (section 5.4);
 * full X.509 decoding in OpenSSL 3 costs more than the RSA check itself, and
 * only the key bytes are needed. Reads through the bounded reader.
 */
#include "ctl_int.h"

struct der_tlv {
	uint8_t tag;
	struct ctl_rd body;
};

static CTL_MUST_USE enum ctl_err
der_next(struct ctl_rd *rd, struct der_tlv *t)
{
	uint8_t b, nlen, i;
	size_t len = 0;
	enum ctl_err r;

	if ((r = ctl_rd_u8(rd, &t->tag)) != CTL_OK || (r = ctl_rd_u8(rd, &b)) != CTL_OK)
		return r;
	if (b < 0x80) {
		len = b;
	} else {
		nlen = b & 0x7f;
		if (nlen == 0 || nlen > 3)
			return CTL_E_CERT; /* indefinite or absurd length */
		for (i = 0; i < nlen; i++) {
			if ((r = ctl_rd_u8(rd, &b)) != CTL_OK)
				return r;
			len = (len << 8) | b;
		}
	}
	return ctl_rd_sub(rd, &t->body, len);
}

static CTL_MUST_USE enum ctl_err
der_expect(struct ctl_rd *rd, uint8_t tag, struct der_tlv *t)
{
	enum ctl_err r;

	if ((r = der_next(rd, t)) != CTL_OK)
		return r;
	return t->tag == tag ? CTL_OK : CTL_E_CERT;
}

#define DER_SEQ 0x30
#define DER_INT 0x02
#define DER_BITSTR 0x03
#define DER_CTX0 0xa0

enum ctl_err
ctli_cert_key_bytes(const uint8_t *der, size_t len, struct ctl_bytes *key)
{
	struct ctl_rd rd, tbs;
	struct der_tlv t;
	uint8_t unused, peek;
	int i;

	key->p = NULL;
	key->len = 0;
	ctl_rd_init(&rd, der, len);
	/* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { ... } ... } */
	if (der_expect(&rd, DER_SEQ, &t) != CTL_OK)
		return CTL_E_CERT;
	rd = t.body;
	if (der_expect(&rd, DER_SEQ, &t) != CTL_OK)
		return CTL_E_CERT;
	tbs = t.body;
	/* [0] version (optional), serial, signature, issuer, validity, subject */
	if (ctl_rd_peek_u8(&tbs, &peek) != CTL_OK)
		return CTL_E_CERT;
	if (peek == DER_CTX0 && der_next(&tbs, &t) != CTL_OK)
		return CTL_E_CERT;
	if (der_expect(&tbs, DER_INT, &t) != CTL_OK)
		return CTL_E_CERT;
	for (i = 0; i < 4; i++)
		if (der_expect(&tbs, DER_SEQ, &t) != CTL_OK)
			return CTL_E_CERT;
	/* subjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING } */
	if (der_expect(&tbs, DER_SEQ, &t) != CTL_OK)
		return CTL_E_CERT;
	rd = t.body;
	if (der_expect(&rd, DER_SEQ, &t) != CTL_OK || der_expect(&rd, DER_BITSTR, &t) != CTL_OK)
		return CTL_E_CERT;
	if (ctl_rd_u8(&t.body, &unused) != CTL_OK || unused != 0)
		return CTL_E_CERT;
	key->len = ctl_rd_left(&t.body);
	return ctl_rd_view(&t.body, &key->p, key->len);
}
