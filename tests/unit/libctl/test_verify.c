/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verification (libctl/verify.c): RSA 1024/2048/4096 signers with SHA-1
 * and SHA-512, EC records, the signer rules of section 5.4, a bit flip at
 * every signed byte and every signature bit, and the phone's trust rule
 * (ctl_file_verify_trusted) with a rogue SAST.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "testutil.h"

/* ---- helpers --------------------------------------------------------- */











/* A certificate with sast1's issuer, serial and subject but another key. */
static X509 *
make_twin(const X509 *orig, EVP_PKEY *k)
{
	X509 *twin = X509_new();

	ck_assert_ptr_nonnull(twin);
	ck_assert_int_eq(X509_set_version(twin, 2), 1);
	ck_assert_int_eq(X509_set_serialNumber(twin, (ASN1_INTEGER *)X509_get0_serialNumber(orig)), 1);
	ck_assert_int_eq(X509_set_issuer_name(twin, X509_get_issuer_name(orig)), 1);
	ck_assert_int_eq(X509_set_subject_name(twin, X509_get_subject_name(orig)), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(twin), 0));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(twin), 86400));
	ck_assert_int_eq(X509_set_pubkey(twin, k), 1);
	ck_assert_int_gt(X509_sign(twin, k, EVP_sha256()), 0);
	return twin;
}

/* ---- helpers for this suite ---------------------------------------------- */

/* Builds and signs a file of ents, signed by signer_name. free() the result. */
static uint8_t *
make(enum ctl_kind kind, const struct tu_ent *e, size_t n, const char *signer_name,
     enum ctl_digest dg, size_t *len)
{
	struct ctl_builder *b = tu_builder(kind, e, n);
	struct ctl_signer *s = tu_signer(signer_name);
	uint8_t *p;

	ck_assert_int_eq(ctl_builder_set_digest(b, dg), CTL_OK);
	ctl_builder_set_timestamp(b, 1767115542u);
	p = tu_sign(b, s, len);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return p;
}

static struct ctl_file *
make_file(enum ctl_kind kind, const struct tu_ent *e, size_t n, const char *signer_name,
          enum ctl_digest dg)
{
	size_t len;
	uint8_t *p = make(kind, e, n, signer_name, dg, &len);
	struct ctl_file *f = tu_parse(p, len);

	free(p);
	return f;
}

/* ---- signers and digests ---------------------------------------------- */

static const struct {
	const char *signer;
	enum ctl_digest dg;
	uint8_t mcode;
} sig_cases[] = {
	{ "sast1024", CTL_DIGEST_SHA1, 1 },  { "sast1024", CTL_DIGEST_SHA512, 1 },
	{ "sast1", CTL_DIGEST_SHA1, 2 },     { "sast1", CTL_DIGEST_SHA512, 2 },
	{ "sast4096", CTL_DIGEST_SHA1, 3 },  { "sast4096", CTL_DIGEST_SHA512, 3 },
};

START_TEST(verify_signers_digests)
{
	size_t i = (size_t)_i;
	struct tu_ent e[TU_NSTD + 1];
	struct ctl_file *f;
	struct ctl_verify_result res;

	memcpy(e, tu_std_ents, sizeof(tu_std_ents));
	e[TU_NSTD] = (struct tu_ent){ sig_cases[i].signer, CTL_ROLE_SAST, NULL, NULL };
	f = make_file(CTL_KIND_CTL, e, TU_NSTD + 1, sig_cases[i].signer, sig_cases[i].dg);
	ck_assert_uint_eq(ctl_file_modulus_code(f), sig_cases[i].mcode);
	ck_assert_uint_eq(ctl_file_digest(f), sig_cases[i].dg);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(res.err, CTL_OK);
	/* sast1 is record 0; the others were appended */
	ck_assert_int_eq(res.signer_index, strcmp(sig_cases[i].signer, "sast1") == 0 ? 0 : (int)TU_NSTD);
	ck_assert_int_eq(res.trusted_index, -1);
	ck_assert_uint_gt(strlen(res.reason), 0);
	ctl_file_free(f);
}
END_TEST

/* Records with EC (P-256) keys verify and render; EC keys are never signers. */
START_TEST(verify_with_ec_records)
{
	static const struct tu_ent e[] = {
		{ "ec256", CTL_ROLE_CCM, "cucm-pub-ec.example.lab", NULL },
		{ "sast1", CTL_ROLE_SAST, NULL, NULL },
		{ "sast2", CTL_ROLE_SAST, NULL, NULL },
		{ "ec256", CTL_ROLE_CCM_TFTP, NULL, NULL },
	};
	struct ctl_file *f = make_file(CTL_KIND_ITL, e, 4, "sast2", CTL_DIGEST_SHA512);
	struct ctl_verify_result res;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(res.signer_index, 2);
	ck_assert_uint_eq(ctl_file_record(f, 0)->pubkey.len, 65);
	ck_assert_uint_eq(ctl_file_record(f, 0)->pubkey.p[0], 4);
	ctl_file_free(f);
}
END_TEST

/* Tokenless CTL: the CallManager certificate is SAST and CCM+TFTP, ITLRecovery SAST. */
START_TEST(verify_tokenless)
{
	static const struct tu_ent e[] = {
		{ "ccm1", CTL_ROLE_SAST, "cucm-pub.example.lab", tu_ip_ccm1 },
		{ "ccm1", CTL_ROLE_CCM_TFTP, "cucm-pub.example.lab", tu_ip_ccm1 },
		{ "itlrecovery", CTL_ROLE_SAST, NULL, NULL },
		{ "capf", CTL_ROLE_CAPF, "cucm-pub.example.lab", tu_ip_ccm1 },
		{ "tvs1", CTL_ROLE_TVS, "cucm-pub.example.lab", tu_ip_ccm1 },
	};
	struct ctl_file *f = make_file(CTL_KIND_CTL, e, 5, "ccm1", CTL_DIGEST_SHA1);
	struct ctl_file *g = make_file(CTL_KIND_ITL, e, 5, "itlrecovery", CTL_DIGEST_SHA1);
	struct ctl_verify_result res;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(res.signer_index, 0);
	ck_assert_int_eq(ctl_file_verify(g, &res), CTL_OK);
	ck_assert_int_eq(res.signer_index, 2);
	/* an ITL signed by ITLRecovery is trusted by the CTL that lists it as SAST */
	ck_assert_int_eq(ctl_file_verify_trusted(g, f, &res), CTL_OK);
	ck_assert_int_eq(res.trusted_index, 2);
	ctl_file_free(f);
	ctl_file_free(g);
}
END_TEST

START_TEST(verify_signer_not_in_file)
{
	struct ctl_file *f = make_file(CTL_KIND_CTL, tu_std_ents + 1, TU_NSTD - 1, "sast1", CTL_DIGEST_SHA1);
	struct ctl_verify_result res;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(res.err, CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(res.signer_index, -1);
	ctl_file_free(f);
}
END_TEST

/* The signer listed only in a non-SAST role is not a signer (section 5.4). */
START_TEST(verify_signer_not_sast)
{
	static const struct tu_ent e[] = {
		{ "sast1", CTL_ROLE_CCM_TFTP, NULL, NULL },
		{ "sast2", CTL_ROLE_SAST, NULL, NULL },
		{ "sast1", CTL_ROLE_TFTP, NULL, NULL },
	};
	struct ctl_file *f = make_file(CTL_KIND_CTL, e, 3, "sast1", CTL_DIGEST_SHA1);
	struct ctl_verify_result res;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIGNER_NOT_FOUND);
	ctl_file_free(f);
}
END_TEST

/* Two SAST records matching serial and issuer with different certificates. */
START_TEST(verify_signer_ambiguous)
{
	EVP_PKEY *k1 = tu_key("sast1"), *kr = tu_key("rogue");
	X509 *s1 = tu_cert("sast1"), *s2 = tu_cert("sast2");
	X509 *twin = make_twin(s1, kr);
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	struct ctl_file *f;
	struct ctl_verify_result res;
	uint8_t *p;
	size_t len;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, s1, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, s2, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, twin, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_signer_new_pkey(k1, s1, &s, &d), CTL_OK);
	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIGNER_AMBIGUOUS);
	ck_assert_int_eq(res.err, CTL_E_SIGNER_AMBIGUOUS);
	ctl_file_free(f);
	free(p);
	ctl_signer_free(s);
	ctl_builder_free(b);
	X509_free(twin);
	X509_free(s1);
	X509_free(s2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(kr);
}
END_TEST

/* ---- tampering --------------------------------------------------------- */

/* A 3-record CTL (about 4 KB): the every-byte loops stay quick under ASan. */
static const struct tu_ent small_ents[] = {
	{ "sast1", CTL_ROLE_SAST, NULL, NULL },
	{ "sast2", CTL_ROLE_SAST, NULL, NULL },
	{ "ccm1", CTL_ROLE_CCM_TFTP, "cucm-pub.example.lab", tu_ip_ccm1 },
};

START_TEST(tamper_every_signed_byte)
{
	size_t len, i, so, n;
	uint8_t *p = make(CTL_KIND_CTL, small_ents, 3, "sast2", CTL_DIGEST_SHA1, &len);
	uint8_t *copy = malloc(len);
	struct ctl_file *f = tu_parse(p, len);
	unsigned parse_fail = 0, verify_fail = 0;
	const struct ctl_elem *sig = tu_helem(f, CTL_H_SIGNATURE);

	so = sig->off;
	n = sig->len;
	ctl_file_free(f);
	for (i = 0; i < len; i++) {
		struct ctl_diag d;
		struct ctl_verify_result res;
		enum ctl_err r;

		if (i >= so && i < so + 3 + n)
			continue;
		memcpy(copy, p, len);
		copy[i] ^= (uint8_t)(1u << (i % 8));
		f = NULL;
		if ((r = ctl_file_parse(copy, len, 0, &f, &d)) != CTL_OK) {
			ck_assert_ptr_null(f);
			parse_fail++;
			continue;
		}
		r = ctl_file_verify(f, &res);
		ck_assert_msg(r != CTL_OK, "byte %zu bit %zu flipped: verifies", i, i % 8);
		ck_assert_int_eq(res.err, r);
		verify_fail++;
		ctl_file_free(f);
	}
	ck_assert_uint_eq(parse_fail + verify_fail, len - 3 - n);
	ck_assert_uint_gt(verify_fail, (len - 3 - n) * 9 / 10);
	free(copy);
	free(p);
}
END_TEST

/*
 * One verifier across many files: its per-key contexts, made once per
 * digest, give the answer a fresh verification gives, for good files,
 * flipped signature bytes and flipped signed bytes, in any order of keys
 * and digests.
 */
START_TEST(verifier_contexts_reused)
{
	static const struct {
		const char *signer;
		enum ctl_digest dg;
	} seq[] = { { "sast1", CTL_DIGEST_SHA1 },    { "sast1", CTL_DIGEST_SHA512 },
		    { "sast1024", CTL_DIGEST_SHA1 }, { "sast1", CTL_DIGEST_SHA256 },
		    { "sast1", CTL_DIGEST_SHA1 },    { "sast1024", CTL_DIGEST_SHA512 } };
	struct ctl_verifier *v = NULL;
	size_t k;

	ck_assert_int_eq(ctl_verifier_new(&v), CTL_OK);
	for (k = 0; k < sizeof(seq) / sizeof(seq[0]); k++) {
		struct tu_ent e[4] = { small_ents[0], small_ents[1], small_ents[2],
		                       { "sast1024", CTL_ROLE_SAST, NULL, NULL } };
		struct ctl_verify_result res, fresh;
		size_t len, so, n, i;
		uint8_t *p = make(CTL_KIND_CTL, e, 4, seq[k].signer, seq[k].dg, &len);
		struct ctl_file *f = tu_parse(p, len);

		ck_assert_int_eq(ctl_file_verify_ctx(v, f, &res), CTL_OK);
		so = tu_helem(f, CTL_H_SIGNATURE)->off;
		n = tu_helem(f, CTL_H_SIGNATURE)->len;
		ctl_file_free(f);
		/* Bytes of the signature, then signed bytes after it (those that still parse). */
		for (i = 0; i < 8; i++) {
			size_t at = i < 4 ? so + 3 + (k * 37 + i * 11) % n : so + 3 + n + (k * 53 + i * 97) % (len - so - 3 - n);
			struct ctl_diag d;

			p[at] ^= 0x10;
			if (ctl_file_parse(p, len, 0, &f, &d) != CTL_OK) {
				p[at] ^= 0x10;
				continue;
			}
			ck_assert_int_ne(ctl_file_verify(f, &fresh), CTL_OK);
			ck_assert_msg(ctl_file_verify_ctx(v, f, &res) == fresh.err,
			              "file %zu, byte %zu flipped: %d with the reused context, %d fresh", k,
			              at, res.err, fresh.err);
			ck_assert_str_eq(res.reason, fresh.reason);
			ctl_file_free(f);
			p[at] ^= 0x10;
		}
		f = tu_parse(p, len);
		ck_assert_int_eq(ctl_file_verify_ctx(v, f, &res), CTL_OK);
		ck_assert_int_eq(res.signer_index, strcmp(seq[k].signer, "sast1") == 0 ? 0 : 3);
		ctl_file_free(f);
		free(p);
	}
	ctl_verifier_free(v);
}
END_TEST

/* Every bit of the signature value: CTL_E_SIG_INVALID, signer identified. */
START_TEST(tamper_signature_bits)
{
	size_t len, i, so, n, bit;
	uint8_t *p = make(CTL_KIND_CTL, small_ents, 3, "sast1024", CTL_DIGEST_SHA512, &len);
	struct ctl_file *f;

	free(p);
	{
		struct tu_ent e[4] = { small_ents[0], small_ents[1], small_ents[2],
		                    { "sast1024", CTL_ROLE_SAST, NULL, NULL } };

		p = make(CTL_KIND_CTL, e, 4, "sast1024", CTL_DIGEST_SHA512, &len);
	}
	f = tu_parse(p, len);
	so = tu_helem(f, CTL_H_SIGNATURE)->off;
	n = tu_helem(f, CTL_H_SIGNATURE)->len;
	ck_assert_uint_eq(n, 128);
	ctl_file_free(f);
	for (i = so + 3; i < so + 3 + n; i++)
		for (bit = 0; bit < 8; bit++) {
			struct ctl_diag d;
			struct ctl_verify_result res;

			p[i] ^= (uint8_t)(1u << bit);
			ck_assert_int_eq(ctl_file_parse(p, len, 0, &f, &d), CTL_OK);
			ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIG_INVALID);
			ck_assert_int_eq(res.signer_index, 3);
			ctl_file_free(f);
			p[i] ^= (uint8_t)(1u << bit);
		}
	/* restored: verifies again */
	f = tu_parse(p, len);
	{
		struct ctl_verify_result res;

		ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	}
	ctl_file_free(f);
	free(p);
}
END_TEST

/* The signer's PUBLICKEY no longer matching its CERTIFICATE: CTL_E_KEY. */
START_TEST(tamper_signer_publickey)
{
	size_t len;
	uint8_t *p = make(CTL_KIND_CTL, small_ents, 3, "sast1", CTL_DIGEST_SHA1, &len);
	struct ctl_file *f = tu_parse(p, len);
	const struct ctl_record *r = ctl_file_record(f, 0);
	size_t at = (size_t)(r->pubkey.p - ctl_file_bytes(f, &(size_t){ 0 })) + 100;
	struct ctl_verify_result res;
	struct ctl_diag d;

	ctl_file_free(f);
	p[at] ^= 0x01;
	ck_assert_int_eq(ctl_file_parse(p, len, 0, &f, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_KEY);
	ck_assert_int_eq(res.signer_index, 0);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* A broken signer CERTIFICATE: CTL_E_CERT. */
START_TEST(tamper_signer_certificate)
{
	size_t len;
	uint8_t *p = make(CTL_KIND_CTL, small_ents, 3, "sast1", CTL_DIGEST_SHA1, &len);
	struct ctl_file *f = tu_parse(p, len);
	const struct ctl_record *r = ctl_file_record(f, 0);
	size_t at = (size_t)(r->cert.p - ctl_file_bytes(f, &(size_t){ 0 }));
	struct ctl_verify_result res;
	struct ctl_diag d;

	ctl_file_free(f);
	p[at] = 0x05; /* the outer SEQUENCE tag */
	ck_assert_int_eq(ctl_file_parse(p, len, 0, &f, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_CERT);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* A signer callback that returns sig_cap bytes of junk. */
static enum ctl_err
junk_sign(void *arg, enum ctl_digest digest, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
          size_t sig_cap, size_t *sig_len, struct ctl_diag *diag)
{
	(void)arg;
	(void)digest;
	(void)tbs;
	(void)tbs_len;
	(void)diag;
	memset(sig, 0x5a, sig_cap);
	*sig_len = sig_cap;
	return CTL_OK;
}

/*
 * The header says RSA-1024 (128-byte SIGNATURE, modulus code 1) but the
 * signer record holds a 2048-bit key: CTL_E_MODULUS, naming both sizes.
 * (Found by fuzz_ctl_verify: the message used to read the key after
 * freeing it.)
 */
START_TEST(verify_key_size_mismatch)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, small_ents, 3);
	X509 *x = tu_cert("sast1");
	struct ctl_signer s = { junk_sign, NULL, x, 128 };
	struct ctl_file *f;
	struct ctl_verify_result res;
	uint8_t *p;
	size_t len;
	int k;

	p = tu_sign(b, &s, &len);
	f = tu_parse(p, len);
	ck_assert_uint_eq(ctl_file_modulus_code(f), 1);
	ck_assert_uint_eq(ctl_file_signature(f).len, 128);
	for (k = 0; k < 3; k++) { /* repeated: a freed key would show up as garbage */
		ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_MODULUS);
		ck_assert_int_eq(res.err, CTL_E_MODULUS);
		ck_assert_int_eq(res.signer_index, 0);
		ck_assert_msg(strstr(res.reason, "256") != NULL && strstr(res.reason, "128") != NULL,
		              "reason should name 256 and 128: %s", res.reason);
	}
	ctl_file_free(f);
	free(p);
	X509_free(x);
	ctl_builder_free(b);
}
END_TEST

/* A record appended after signing, or removed: the signature covers all records. */
START_TEST(tamper_records_added_removed)
{
	size_t len, len4;
	struct tu_ent e4[4] = { small_ents[0], small_ents[1], small_ents[2],
	                     { "capf", CTL_ROLE_CAPF, NULL, NULL } };
	uint8_t *p = make(CTL_KIND_CTL, small_ents, 3, "sast1", CTL_DIGEST_SHA1, &len);
	uint8_t *q = make(CTL_KIND_CTL, e4, 4, "sast1", CTL_DIGEST_SHA1, &len4);
	uint8_t *mix = malloc(len4);
	struct ctl_file *f;
	struct ctl_verify_result res;
	struct ctl_diag d;

	/* p's header and records + q's 4th record */
	ck_assert_uint_gt(len4, len);
	memcpy(mix, p, len);
	memcpy(mix + len, q + len, len4 - len);
	ck_assert_int_eq(ctl_file_parse(mix, len4, 0, &f, &d), CTL_OK);
	ck_assert_uint_eq(ctl_file_nrecords(f), 4);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIG_INVALID);
	ctl_file_free(f);
	/* q with its 4th record cut */
	ck_assert_int_eq(ctl_file_parse(q, len, 0, &f, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIG_INVALID);
	ctl_file_free(f);
	free(mix);
	free(p);
	free(q);
}
END_TEST

/* ---- trust -------------------------------------------------------------- */

static const struct tu_ent trusted_ents[] = {
	{ "sast1", CTL_ROLE_SAST, NULL, NULL },
	{ "sast2", CTL_ROLE_SAST, NULL, NULL },
	{ "ccm1", CTL_ROLE_CCM_TFTP, "cucm-pub.example.lab", tu_ip_ccm1 },
};

START_TEST(trusted_accepts_listed_sast)
{
	struct ctl_file *held = make_file(CTL_KIND_CTL, trusted_ents, 3, "sast1", CTL_DIGEST_SHA1);
	static const struct tu_ent e[] = {
		{ "ccm2", CTL_ROLE_CCM_TFTP, NULL, NULL },
		{ "sast1", CTL_ROLE_SAST, NULL, NULL },
		{ "sast2", CTL_ROLE_SAST, NULL, NULL },
	};
	struct ctl_file *f = make_file(CTL_KIND_CTL, e, 3, "sast2", CTL_DIGEST_SHA1);
	struct ctl_verify_result res;

	ck_assert_int_eq(ctl_file_verify_trusted(f, held, &res), CTL_OK);
	ck_assert_int_eq(res.err, CTL_OK);
	ck_assert_int_eq(res.signer_index, 2);
	ck_assert_int_eq(res.trusted_index, 1);
	/* a file trusting itself */
	ck_assert_int_eq(ctl_file_verify_trusted(held, held, &res), CTL_OK);
	ck_assert_int_eq(res.trusted_index, 0);
	ctl_file_free(f);
	ctl_file_free(held);
}
END_TEST

START_TEST(trusted_refuses_rogue)
{
	struct ctl_file *held = make_file(CTL_KIND_CTL, trusted_ents, 3, "sast1", CTL_DIGEST_SHA1);
	static const struct tu_ent e[] = {
		{ "rogue", CTL_ROLE_SAST, NULL, NULL },
		{ "sast1", CTL_ROLE_SAST, NULL, NULL },
		{ "sast2", CTL_ROLE_SAST, NULL, NULL },
		{ "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL },
	};
	struct ctl_file *f = make_file(CTL_KIND_CTL, e, 4, "rogue", CTL_DIGEST_SHA1);
	struct ctl_verify_result res;

	/* its own signature is fine */
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(res.signer_index, 0);
	/* but the held file does not list rogue */
	ck_assert_int_eq(ctl_file_verify_trusted(f, held, &res), CTL_E_NOT_TRUSTED);
	ck_assert_int_eq(res.err, CTL_E_NOT_TRUSTED);
	ck_assert_int_eq(res.trusted_index, -1);
	ctl_file_free(f);
	ctl_file_free(held);
}
END_TEST

/* The held file lists the signer, but not as SAST. */
START_TEST(trusted_refuses_non_sast)
{
	static const struct tu_ent h[] = {
		{ "sast1", CTL_ROLE_SAST, NULL, NULL },
		{ "sast2", CTL_ROLE_CCM_TFTP, NULL, NULL },
	};
	struct ctl_file *held = make_file(CTL_KIND_CTL, h, 2, "sast1", CTL_DIGEST_SHA1);
	struct ctl_file *f = make_file(CTL_KIND_CTL, trusted_ents, 3, "sast2", CTL_DIGEST_SHA1);
	struct ctl_verify_result res;

	ck_assert_int_eq(ctl_file_verify_trusted(f, held, &res), CTL_E_NOT_TRUSTED);
	ck_assert_int_eq(res.trusted_index, -1);
	ctl_file_free(f);
	ctl_file_free(held);
}
END_TEST

/* Same serial and issuer in the held file but another certificate: not trusted. */
START_TEST(trusted_refuses_twin)
{
	EVP_PKEY *kr = tu_key("rogue"), *k1 = tu_key("sast1");
	X509 *s1 = tu_cert("sast1"), *s2 = tu_cert("sast2");
	X509 *twin = make_twin(s1, kr);
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	struct ctl_file *held, *f;
	struct ctl_verify_result res;
	uint8_t *p;
	size_t len;

	/* the attacker's file: the twin as SAST, signed with the rogue key */
	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, twin, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, s2, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_signer_new_pkey(kr, twin, &s, &d), CTL_OK);
	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	free(p);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	held = make_file(CTL_KIND_CTL, trusted_ents, 3, "sast1", CTL_DIGEST_SHA1);
	ck_assert_int_eq(ctl_file_verify_trusted(f, held, &res), CTL_E_NOT_TRUSTED);
	ctl_file_free(held);
	ctl_file_free(f);
	ctl_signer_free(s);
	ctl_builder_free(b);
	X509_free(twin);
	X509_free(s1);
	X509_free(s2);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(kr);
}
END_TEST

/* A file whose own signature fails is refused whatever the held file says. */
START_TEST(trusted_needs_valid_signature)
{
	size_t len;
	uint8_t *p = make(CTL_KIND_CTL, trusted_ents, 3, "sast1", CTL_DIGEST_SHA1, &len);
	struct ctl_file *held = tu_parse(p, len), *f;
	struct ctl_verify_result res;
	struct ctl_diag d;

	p[len - 1] ^= 0x40;
	ck_assert_int_eq(ctl_file_parse(p, len, 0, &f, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_verify_trusted(f, held, &res), CTL_E_SIG_INVALID);
	ck_assert_int_eq(res.err, CTL_E_SIG_INVALID);
	ctl_file_free(f);
	ctl_file_free(held);
	free(p);
}
END_TEST

/* ---- .sgn ---------------------------------------------------------------- */

START_TEST(sgn_verify_with)
{
	static const char xml[] = "<device><deviceProtocol>SIP</deviceProtocol></device>\n";
	static const uint16_t tftp_roles[] = { CTL_ROLE_CCM_TFTP, CTL_ROLE_TFTP };
	static const uint16_t tftp_only[] = { CTL_ROLE_TFTP };
	static const uint16_t sast_only[] = { CTL_ROLE_SAST };
	struct ctl_file *list = make_file(CTL_KIND_CTL, tu_std_ents, TU_NSTD, "sast1", CTL_DIGEST_SHA1);
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = tu_signer("ccm1");
	struct ctl_file *f;
	struct ctl_verify_result res;
	uint8_t *p;
	size_t len;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_filename(b, "SEP001122334455.cnf.xml.sgn"), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_payload(b, (const uint8_t *)xml, sizeof(xml) - 1), CTL_OK);
	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_SGN);
	/* its signer is not inside it */
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_KIND);
	ck_assert_int_eq(ctl_file_verify_with(f, list, tftp_roles, 2, &res), CTL_OK);
	ck_assert_int_eq(res.signer_index, 2); /* ccm1 */
	ck_assert_int_eq(ctl_file_verify_with(f, list, tftp_only, 1, &res), CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(ctl_file_verify_with(f, list, sast_only, 1, &res), CTL_E_SIGNER_NOT_FOUND);
	ctl_file_free(f);
	/* the payload is signed */
	p[len - 2] ^= 0x20;
	f = tu_parse(p, len);
	ck_assert_int_eq(ctl_file_verify_with(f, list, tftp_roles, 2, &res), CTL_E_SIG_INVALID);
	ctl_file_free(f);
	free(p);
	ctl_signer_free(s);
	ctl_builder_free(b);
	ctl_file_free(list);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *ok = tcase_create("ok");
	TCase *tam = tcase_create("tampered");
	TCase *tr = tcase_create("trust");

	tcase_set_timeout(ok, 60);
	tcase_add_loop_test(ok, verify_signers_digests, 0, (int)(sizeof(sig_cases) / sizeof(sig_cases[0])));
	tcase_add_test(ok, verify_with_ec_records);
	tcase_add_test(ok, verify_tokenless);
	tcase_add_test(ok, verifier_contexts_reused);
	tcase_add_test(ok, verify_signer_not_in_file);
	tcase_add_test(ok, verify_signer_not_sast);
	tcase_add_test(ok, verify_signer_ambiguous);
	tcase_add_test(ok, sgn_verify_with);
	suite_add_tcase(s, ok);

	tcase_set_timeout(tam, 120);
	tcase_add_test(tam, tamper_every_signed_byte);
	tcase_add_test(tam, tamper_signature_bits);
	tcase_add_test(tam, tamper_signer_publickey);
	tcase_add_test(tam, tamper_signer_certificate);
	tcase_add_test(tam, tamper_records_added_removed);
	tcase_add_test(tam, verify_key_size_mismatch);
	suite_add_tcase(s, tam);

	tcase_add_test(tr, trusted_accepts_listed_sast);
	tcase_add_test(tr, trusted_refuses_rogue);
	tcase_add_test(tr, trusted_refuses_non_sast);
	tcase_add_test(tr, trusted_refuses_twin);
	tcase_add_test(tr, trusted_needs_valid_signature);
	suite_add_tcase(s, tr);
	return s;
}

CTL_TEST_MAIN(make_suite)
