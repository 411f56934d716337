/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Serialisation and signing (sections 2, 3, 5.1, 6). The header is written
 * without SIGNATURE but with HEADER_LENGTH already counting it (3 + N) and
 * the 0x0D padding; records follow; the signer signs that buffer, which is
 * exactly "the file with the SIGNATURE element cut out"; then the
 * SIGNATURE element is inserted after SIGNATUREMODULUS.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "build.h"

enum ctl_err
ctli_put_elem(struct ctl_wr *wr, uint8_t tag, const void *p, size_t n)
{
	enum ctl_err r;

	if (n > 0xffff)
		return CTL_E_TOO_LARGE;
	if ((r = ctl_wr_u8(wr, tag)) != CTL_OK || (r = ctl_wr_u16be(wr, (uint16_t)n)) != CTL_OK)
		return r;
	return ctl_wr_bytes(wr, p, n);
}

static CTL_MUST_USE enum ctl_err
put_u8_elem(struct ctl_wr *wr, uint8_t tag, uint8_t v)
{
	return ctli_put_elem(wr, tag, &v, 1);
}

enum ctl_err
ctli_put_u16_elem(struct ctl_wr *wr, uint8_t tag, uint16_t v)
{
	enum ctl_err r;

	if ((r = ctl_wr_u8(wr, tag)) != CTL_OK || (r = ctl_wr_u16be(wr, 2)) != CTL_OK)
		return r;
	return ctl_wr_u16be(wr, v);
}

static CTL_MUST_USE enum ctl_err
put_name(struct ctl_wr *wr, uint8_t tag, const X509_NAME *name, enum ctl_name_format f)
{
	char *s = NULL;
	enum ctl_err r;

	if ((r = ctl_name_format_string(name, f, &s)) != CTL_OK)
		return r;
	r = ctli_put_elem(wr, tag, s, strlen(s) + 1);
	free(s);
	return r;
}

static CTL_MUST_USE enum ctl_err
put_serial(struct ctl_wr *wr, uint8_t tag, const X509 *cert)
{
	uint8_t *ser = NULL;
	size_t n = 0;
	enum ctl_err r;

	if ((r = ctl_serial_bytes(cert, &ser, &n)) != CTL_OK)
		return r;
	r = ctli_put_elem(wr, tag, ser, n);
	free(ser);
	return r;
}

/* The certificate-derived elements 7, 8, 9 of a record. */
static CTL_MUST_USE enum ctl_err
put_key_sig_cert(struct ctl_wr *wr, X509 *cert)
{
	uint8_t *key = NULL;
	unsigned char *der = NULL;
	const ASN1_BIT_STRING *sig = NULL;
	size_t keylen = 0;
	int derlen;
	enum ctl_err r;

	if ((r = ctli_pkey_bytes(X509_get0_pubkey(cert), &key, &keylen)) != CTL_OK)
		return r;
	r = ctli_put_elem(wr, CTL_R_PUBLICKEY, key, keylen);
	OPENSSL_free(key);
	if (r != CTL_OK)
		return r;
	X509_get0_signature(&sig, NULL, cert);
	if (sig == NULL)
		return CTL_E_CERT;
	if ((r = ctli_put_elem(wr, CTL_R_SIGNATURE, ASN1_STRING_get0_data(sig),
	                  (size_t)ASN1_STRING_length(sig))) != CTL_OK)
		return r;
	if ((derlen = i2d_X509(cert, &der)) <= 0)
		return CTL_E_CERT;
	r = ctli_put_elem(wr, CTL_R_CERTIFICATE, der, (size_t)derlen);
	OPENSSL_free(der);
	return r;
}

/* One record, tags in ascending order (section 6, writer rule). */
static CTL_MUST_USE enum ctl_err
put_record(struct ctl_wr *wr, const struct bld_rec *rec, enum ctl_name_format nf)
{
	size_t start = wr->len, at;
	const char *dns = rec->dns != NULL ? rec->dns : "";
	enum ctl_err r;

	if ((r = ctl_wr_u8(wr, CTL_R_RECORDLENGTH)) != CTL_OK ||
	    (r = ctl_wr_u16be(wr, 2)) != CTL_OK || (r = ctl_wr_reserve_u16(wr, &at)) != CTL_OK)
		return r;
	if (rec->is_raw) {
		r = ctl_wr_bytes(wr, rec->raw, rec->raw_len);
	} else if (rec->cert == NULL) {
		/* Certificate-less record (ctli_builder_add_bare): 2, 4, [10]. */
		if ((r = ctli_put_elem(wr, CTL_R_DNSNAME, dns, strlen(dns) + 1)) == CTL_OK &&
		    (r = ctli_put_u16_elem(wr, CTL_R_FUNCTION, rec->role)) == CTL_OK && rec->has_ip)
			r = ctli_put_elem(wr, CTL_R_IPADDRESS, rec->ip, 4);
	} else if ((r = ctli_put_elem(wr, CTL_R_DNSNAME, dns, strlen(dns) + 1)) == CTL_OK &&
	           (r = put_name(wr, CTL_R_SUBJECTNAME, X509_get_subject_name(rec->cert), nf)) == CTL_OK &&
	           (r = ctli_put_u16_elem(wr, CTL_R_FUNCTION, rec->role)) == CTL_OK &&
	           (r = put_name(wr, CTL_R_ISSUERNAME, X509_get_issuer_name(rec->cert), nf)) == CTL_OK &&
	           (r = put_serial(wr, CTL_R_SERIALNUMBER, rec->cert)) == CTL_OK &&
	           (r = put_key_sig_cert(wr, rec->cert)) == CTL_OK && rec->has_ip) {
		r = ctli_put_elem(wr, CTL_R_IPADDRESS, rec->ip, 4);
	}
	if (r != CTL_OK)
		return r;
	return ctl_wr_patch_u16(wr, at, wr->len - start);
}

static CTL_MUST_USE enum ctl_err
put_signerid(struct ctl_wr *wr, X509 *cert, enum ctl_name_format nf)
{
	size_t at, start;
	enum ctl_err r;

	if ((r = ctl_wr_u8(wr, CTL_H_SIGNERID)) != CTL_OK || (r = ctl_wr_reserve_u16(wr, &at)) != CTL_OK)
		return r;
	start = wr->len;
	if ((r = put_name(wr, CTL_H_SIGNERNAME, X509_get_subject_name(cert), nf)) != CTL_OK ||
	    (r = put_serial(wr, CTL_H_SERIALNUMBER, cert)) != CTL_OK ||
	    (r = put_name(wr, CTL_H_CANAME, X509_get_issuer_name(cert), nf)) != CTL_OK)
		return r;
	return ctl_wr_patch_u16(wr, at, wr->len - start);
}

/* Writes 1, 2, [28], 3, 7 (8, 9 (10, 11)); *hl_at is HEADER_LENGTH's value. */
static CTL_MUST_USE enum ctl_err
put_header_start(struct ctl_wr *wr, const struct ctl_builder *b, const struct ctl_signer *s,
                 uint8_t mcode, size_t *hl_at)
{
	uint8_t ver[2] = { b->ver_major, b->ver_minor }, sv[2] = { b->sv_major, b->sv_minor };
	enum ctl_err r;

	if ((r = ctli_put_elem(wr, CTL_H_VERSION, ver, 2)) != CTL_OK ||
	    (r = ctl_wr_u8(wr, CTL_H_HEADER_LENGTH)) != CTL_OK ||
	    (r = ctl_wr_u16be(wr, 2)) != CTL_OK || (r = ctl_wr_reserve_u16(wr, hl_at)) != CTL_OK)
		return r;
	if (b->has_sv && (r = ctli_put_elem(wr, CTL_H_SIGNER_VERSION, sv, 2)) != CTL_OK)
		return r;
	if ((r = put_signerid(wr, s->cert, b->name_format)) != CTL_OK)
		return r;
	/* SIGNATUREINFO covers 8 and the SIGNATUREALGOINFO container (4 + 3 + 4 + 4). */
	if ((r = ctl_wr_u8(wr, CTL_H_SIGNATUREINFO)) != CTL_OK || (r = ctl_wr_u16be(wr, 15)) != CTL_OK ||
	    (r = put_u8_elem(wr, CTL_H_DIGESTALGORITHM, (uint8_t)b->digest)) != CTL_OK ||
	    (r = ctl_wr_u8(wr, CTL_H_SIGNATUREALGOINFO)) != CTL_OK ||
	    (r = ctl_wr_u16be(wr, 8)) != CTL_OK ||
	    (r = put_u8_elem(wr, CTL_H_SIGNATUREALGORITHM, 0)) != CTL_OK)
		return r;
	return put_u8_elem(wr, CTL_H_SIGNATUREMODULUS, mcode);
}

static const char *
default_name(enum ctl_kind k)
{
	return k == CTL_KIND_ITL ? "ITLFile.tlv" : "CTLFile.tlv";
}

/* FILENAME, TIMESTAMP, any extra elements, then 0x0D up to a 4-byte boundary (section 3). */
static CTL_MUST_USE enum ctl_err
put_header_end(struct ctl_wr *wr, const struct ctl_builder *b, size_t sigbytes, size_t hl_at)
{
	const char *name = b->filename != NULL ? b->filename : default_name(b->kind);
	uint32_t ts = b->has_ts ? b->timestamp : (uint32_t)time(NULL);
	uint8_t tsb[4];
	struct ctl_wr tw;
	enum ctl_err r;

	ctl_wr_init_fixed(&tw, tsb, sizeof(tsb));
	if ((r = ctl_wr_u32be(&tw, ts)) != CTL_OK ||
	    (r = ctli_put_elem(wr, CTL_H_FILENAME, name, strlen(name) + 1)) != CTL_OK ||
	    (r = ctli_put_elem(wr, CTL_H_TIMESTAMP, tsb, 4)) != CTL_OK ||
	    (r = ctl_wr_bytes(wr, b->hdr_extra, b->hdr_extra_len)) != CTL_OK)
		return r;
	while ((wr->len + 3 + sigbytes) % 4 != 0)
		if ((r = ctl_wr_u8(wr, CTL_H_PADDING)) != CTL_OK)
			return r;
	return ctl_wr_patch_u16(wr, hl_at, wr->len + 3 + sigbytes);
}

static CTL_MUST_USE enum ctl_err
put_body(struct ctl_wr *wr, const struct ctl_builder *b)
{
	enum ctl_err r = CTL_OK;
	size_t i;

	if (b->kind == CTL_KIND_SGN)
		return ctl_wr_bytes(wr, b->payload, b->payload_len);
	for (i = 0; i < b->nrecs && r == CTL_OK; i++)
		r = put_record(wr, &b->recs[i], b->name_format);
	return r;
}

static CTL_MUST_USE enum ctl_err
sign_and_insert(struct ctl_wr *wr, const struct ctl_builder *b, const struct ctl_signer *s,
                size_t sig_at, struct ctl_diag *diag)
{
	size_t n = s->modulus_bytes, got = 0;
	uint8_t *tlv;
	struct ctl_wr tw;
	enum ctl_err r;

	if (n > 0xffff)
		return ctli_fail(diag, CTL_E_TOO_LARGE, 0, -1, 0, "a %zu-byte signature", n);
	if ((tlv = malloc(3 + n)) == NULL)
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	ctl_wr_init_fixed(&tw, tlv, 3);
	if ((r = ctl_wr_u8(&tw, CTL_H_SIGNATURE)) != CTL_OK ||
	    (r = ctl_wr_u16be(&tw, (uint16_t)n)) != CTL_OK) {
		free(tlv);
		return r;
	}
	r = s->sign(s->arg, b->digest, wr->buf, wr->len, tlv + 3, n, &got, diag);
	if (r == CTL_OK && got != n)
		r = ctli_fail(diag, CTL_E_SIGNER, 0, -1, 0,
		              "signer returned %zu bytes, the modulus needs %zu", got, n);
	if (r == CTL_OK)
		r = ctl_wr_insert(wr, sig_at, tlv, 3 + n);
	free(tlv);
	return r;
}

enum ctl_err
ctl_builder_sign(struct ctl_builder *b, const struct ctl_signer *s, uint8_t **out, size_t *len,
                 struct ctl_diag *diag)
{
	struct ctl_wr wr;
	size_t hl_at, sig_at;
	int mcode = ctli_modulus_code(s->modulus_bytes);
	enum ctl_err r;

	*out = NULL;
	*len = 0;
	ctl_diag_clear(diag);
	if (mcode < 0)
		return ctli_fail(diag, CTL_E_KEY, 0, -1, 0, "a %zu-byte signature has no modulus code",
		                 s->modulus_bytes);
	if (b->kind == CTL_KIND_SGN && (b->filename == NULL || b->payload == NULL))
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "a signed file needs a name and payload");
	ctl_wr_init(&wr, CTL_MAX_FILE);
	if ((r = put_header_start(&wr, b, s, (uint8_t)mcode, &hl_at)) == CTL_OK) {
		sig_at = wr.len;
		if ((r = put_header_end(&wr, b, s->modulus_bytes, hl_at)) == CTL_OK &&
		    (r = put_body(&wr, b)) == CTL_OK)
			r = sign_and_insert(&wr, b, s, sig_at, diag);
	}
	if (r != CTL_OK) {
		ctl_wr_cleanup(&wr);
		if (diag != NULL && diag->err == CTL_OK)
			return ctli_fail(diag, r, 0, -1, 0, "cannot build the file: %s",
			                 ctl_strerror(r));
		return r;
	}
	*out = ctl_wr_take(&wr, len);
	return CTL_OK;
}
