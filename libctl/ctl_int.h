/* SPDX-License-Identifier: Apache-2.0 */
/* libctl internals shared between its files (prefix ctli_). */
#ifndef CTL_INT_H
#define CTL_INT_H

#include <stdarg.h>

#include <ctl/ctl.h>

#include "codes.h"

struct ctl_file {
	uint8_t *data;
	size_t len;
	enum ctl_kind kind;
	uint8_t ver_major, ver_minor;
	int has_signer_version;
	uint8_t sv_major, sv_minor;
	uint16_t header_len;
	struct ctl_bytes signer_name, signer_serial, caname, filename, signature, payload;
	uint8_t digest, sigalg, modulus;
	uint32_t timestamp;
	size_t sig_off;       /* offset of the SIGNATURE tag byte */
	size_t sig_tlv_len;   /* 3 + signature length */
	struct ctl_elem *helems;
	size_t nhelems, helems_cap;
	struct ctl_record *recs;
	size_t nrecs, recs_cap;
};

/* Records failure details in d (may be NULL) and returns e. */
CTL_MUST_USE enum ctl_err ctli_fail(struct ctl_diag *d, enum ctl_err e, size_t off, int tag, int rec,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Same, appending OpenSSL's error queue to the message (and clearing it). */
CTL_MUST_USE enum ctl_err ctli_fail_ssl(struct ctl_diag *d, enum ctl_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One element as CTL headers (and TVS messages, .enc.sgn headers) hold it: u8 tag, u16 big-endian
 * length, value; CTL_E_TOO_LARGE over 65535 bytes (sign.c). */
CTL_MUST_USE enum ctl_err ctli_put_elem(struct ctl_wr *wr, uint8_t tag, const void *p, size_t n);
/* The same with a u16 big-endian value. */
CTL_MUST_USE enum ctl_err ctli_put_u16_elem(struct ctl_wr *wr, uint8_t tag, uint16_t v);

/* printf into a growable writer (text rendering). */
CTL_MUST_USE enum ctl_err ctli_wr_printf(struct ctl_wr *wr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));


/* The subjectPublicKey bytes of a DER certificate (RSAPublicKey DER or EC point). */
CTL_MUST_USE enum ctl_err ctli_cert_key_bytes(const uint8_t *der, size_t len, struct ctl_bytes *key);
/* Public key bytes as CTL records store them (section 8). OPENSSL_free() *out. */
CTL_MUST_USE enum ctl_err ctli_pkey_bytes(EVP_PKEY *pk, uint8_t **out, size_t *len);
/* Public key object from record PUBLICKEY bytes (RSA PKCS#1 DER). */
CTL_MUST_USE EVP_PKEY *ctli_pkey_from_record(const struct ctl_record *r);

/* Checks the signature of f with key; CTL_OK or CTL_E_SIG_INVALID. */
CTL_MUST_USE enum ctl_err ctli_verify_sig(const struct ctl_file *f, EVP_PKEY *key, char *why, size_t whylen);

#endif
