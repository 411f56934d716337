/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: encrypted configuration files (ctl_encsgn_parse,
 * libctl/encsgn_parse.c, and through it the .sgn header parser). On
 * success the lent views must lie inside the parsed copy and be read end
 * to end, the header and ciphertext must tile the input, the ciphertext
 * must be whole AES blocks, and verifying and decrypting with an RSA-512
 * key made at start-up (64-byte signatures and wrapped keys reach the
 * crypto paths) must fail or succeed without a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/encsgn.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static volatile uint8_t sink;
static EVP_PKEY *key;
static X509 *cert;

static void
touch(struct ctl_bytes b)
{
	size_t i;

	if (b.len > 0 && b.p == NULL)
		__builtin_trap();
	for (i = 0; i < b.len; i++)
		sink ^= b.p[i];
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	X509_NAME *nm;

	(void)argc;
	(void)argv;
	if ((key = EVP_RSA_gen(512)) == NULL || (cert = X509_new()) == NULL ||
	    (nm = X509_get_subject_name(cert)) == NULL ||
	    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"fuzz", -1, -1,
	                               0) != 1 ||
	    X509_set_issuer_name(cert, nm) != 1 || X509_set_pubkey(cert, key) != 1 ||
	    X509_sign(cert, key, EVP_sha256()) <= 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_encsgn *e = NULL;
	struct ctl_diag d;
	struct ctl_bytes ct;
	uint8_t *plain = NULL;
	size_t len = 0;
	enum ctl_err r = ctl_encsgn_parse(data, size, &e, &d);

	if (r != CTL_OK) {
		if (e != NULL || d.err != r || d.offset > size || d.msg[0] == '\0')
			__builtin_trap();
		return 0;
	}
	ct = ctl_encsgn_ciphertext(e);
	if ((size_t)ctl_encsgn_header_length(e) + ct.len != size || ct.len == 0 || ct.len % 16 != 0)
		__builtin_trap();
	touch(ct);
	touch(ctl_encsgn_signer_name(e));
	touch(ctl_encsgn_signer_serial(e));
	touch(ctl_encsgn_signer_caname(e));
	touch(ctl_encsgn_filename(e));
	sink ^= (uint8_t)(ctl_encsgn_timestamp(e) ^ ctl_encsgn_digest(e));
	CTL_IGNORE_RESULT(ctl_encsgn_verify(e, cert, &d)); /* any answer; no crash */
	if (ctl_encsgn_decrypt(e, key, &plain, &len, &d) == CTL_OK) {
		if (len >= ct.len)
			__builtin_trap();
		touch((struct ctl_bytes){ plain, len });
	} else if (plain != NULL || len != 0) {
		__builtin_trap();
	}
	free(plain);
	ctl_encsgn_free(e);
	return 0;
}
