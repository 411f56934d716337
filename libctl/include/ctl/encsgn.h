/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted configuration files, SEP<MAC>.cnf.xml.enc.sgn (doc/ctl-format.md,
 * "Encrypted configuration files"): header version 2.0, the signer and
 * signature elements of a .sgn (tags 3-15), encryption info (tags 16-25),
 * the plaintext digest (26, 27), padding (13) to a multiple of 4, then the
 * AES-128-CBC ciphertext. The AES key is wrapped with RSA PKCS#1 v1.5 for
 * the phone certificate's key; the file is signed (PKCS#1 v1.5) by the
 * TFTP-role key over every byte but the signature element, as a .sgn is.
 */
#ifndef CTL_ENCSGN_H
#define CTL_ENCSGN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <ctl/ctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Header tags beyond the .sgn ones. */
enum ctl_enc_tag {
	CTL_ENC_INFO = 16,        /* container: IV container, key container */
	CTL_ENC_IV_INFO = 17,     /* container: 18, 19, 20 */
	CTL_ENC_IV_UNKNOWN = 18,  /* u8, 0 */
	CTL_ENC_IV = 19,          /* 16 bytes */
	CTL_ENC_PAD_COUNT = 20,   /* u16: 0x0D bytes appended to the plaintext, 1..16 */
	CTL_ENC_KEY_INFO = 21,    /* container: 22, 23, 24, 25 */
	CTL_ENC_KEY_UNKNOWN = 22, /* u8, 0 */
	CTL_ENC_KEY_BITS = 23,    /* u16: wrapped key size in bits */
	CTL_ENC_KEY_ALG = 24,     /* u8, 1 (AES-128) */
	CTL_ENC_WRAPPED_KEY = 25, /* RSA PKCS#1 v1.5 ciphertext of the 16-byte key */
	CTL_ENC_PT_DIGEST_ALG = 26, /* u8: digest code of tag 27 */
	CTL_ENC_PT_DIGEST = 27    /* digest of the plaintext */
};

/* A parsed .enc.sgn. Views lend bytes of the parsed buffer (kept by the object). */
struct ctl_encsgn;

/* Parses a complete file (copied). Free with ctl_encsgn_free(). */
CTL_MUST_USE enum ctl_err ctl_encsgn_parse(const uint8_t *p, size_t n, struct ctl_encsgn **out,
                                           struct ctl_diag *diag);
void ctl_encsgn_free(struct ctl_encsgn *e);

/* Signer fields as stored (subject and issuer without their NUL). */
struct ctl_bytes ctl_encsgn_signer_name(const struct ctl_encsgn *e);
struct ctl_bytes ctl_encsgn_signer_serial(const struct ctl_encsgn *e);
struct ctl_bytes ctl_encsgn_signer_caname(const struct ctl_encsgn *e);
struct ctl_bytes ctl_encsgn_filename(const struct ctl_encsgn *e);
uint32_t ctl_encsgn_timestamp(const struct ctl_encsgn *e);
uint8_t ctl_encsgn_digest(const struct ctl_encsgn *e);
uint16_t ctl_encsgn_header_length(const struct ctl_encsgn *e);
struct ctl_bytes ctl_encsgn_ciphertext(const struct ctl_encsgn *e);

/*
 * Verifies the file's signature with cert's public key (the TFTP or
 * CCM+TFTP certificate the caller chose from its trust lists).
 * CTL_E_SIG_INVALID when it does not verify.
 */
CTL_MUST_USE enum ctl_err ctl_encsgn_verify(const struct ctl_encsgn *e, X509 *cert,
                                            struct ctl_diag *diag);
/*
 * Unwraps the key with the phone's private key, decrypts, strips the pad
 * count and checks the plaintext digest (tag 27). *out (free()) receives
 * the configuration file. Does not check the signature: call
 * ctl_encsgn_verify() first.
 */
CTL_MUST_USE enum ctl_err ctl_encsgn_decrypt(const struct ctl_encsgn *e, EVP_PKEY *phone_key,
                                             uint8_t **out, size_t *len, struct ctl_diag *diag);

/*
 * Builds and signs an encrypted file: a fresh random AES-128 key and IV,
 * the key wrapped for phone_cert's RSA key, signed by s with digest d
 * (SHA-1 or SHA-512 in real files; SHA-256 accepted). filename is the
 * name written in the header ("SEP<MAC>.cnf.xml.enc.sgn"). ts 0: now.
 */
CTL_MUST_USE enum ctl_err ctl_encsgn_build(const uint8_t *plain, size_t n, X509 *phone_cert,
                                           const struct ctl_signer *s, enum ctl_digest d,
                                           const char *filename, uint32_t ts,
                                           uint8_t **out, size_t *len, struct ctl_diag *diag);

/*
 * The companion SEP<MAC>.cnf.xml that goes, signed, into SEP<MAC>.cnf.xml.sgn
 * when the full configuration is encrypted: a minimal <device> with
 * fullConfig false, encrConfig true and certHash = lower-case hex MD5 of
 * phone_cert's DER; the listed elements (ipAddressMode, loadInformation,
 * capfAuthMode, capfList) are copied from plain when it has them. *out
 * (free()) is NUL-terminated text, *len without the NUL.
 */
CTL_MUST_USE enum ctl_err ctl_encsgn_companion(const uint8_t *plain, size_t n, X509 *phone_cert,
                                               char **out, size_t *len, struct ctl_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
