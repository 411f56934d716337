/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builder and signer (libctl/build.c, sign.c, signer.c, policy.c, cert.c):
 * byte-identical rebuilds, the header layout and closed-form HEADER_LENGTH
 * of section 3, the signed-bytes rule of section 5.1 checked with OpenSSL
 * directly, record contents derived from certificates (section 8), and the
 * deployment policy of ctl_builder_check().
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "testutil.h"

/* ---- helpers --------------------------------------------------------- */











/* A certificate made in the test: serial, subject CN, validity offsets from now. */
static X509 *
mkcert(EVP_PKEY *k, const uint8_t *serial, size_t nserial, const char *cn, long from, long to)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	BIGNUM *bn = BN_bin2bn(serial, (int)nserial, NULL);
	ASN1_INTEGER *ai = BN_to_ASN1_INTEGER(bn, NULL);

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(ai);
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ck_assert_int_eq(X509_set_serialNumber(x, ai), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_ASC,
	                                            (const unsigned char *)"Cisco Systems", -1, -1, 0), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	                                            (const unsigned char *)cn, -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_subject_name(x, nm), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, nm), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), from));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), to));
	ck_assert_int_eq(X509_set_pubkey(x, k), 1);
	ck_assert_int_gt(X509_sign(x, k, EVP_PKEY_is_a(k, "ED25519") ? NULL : EVP_sha256()), 0);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	X509_NAME_free(nm);
	return x;
}

/* ---- round trips ------------------------------------------------------ */

/* Rebuilding a parsed file with the same signer and timestamp gives the same bytes. */
static const struct {
	const char *signer;
	enum ctl_digest digest;
	enum ctl_kind kind;
	int sv; /* emit SIGNER_VERSION 1.1 */
} rt_cases[] = {
	{ "sast1", CTL_DIGEST_SHA1, CTL_KIND_CTL, 0 },
	{ "sast1", CTL_DIGEST_SHA512, CTL_KIND_CTL, 0 },
	{ "sast1024", CTL_DIGEST_SHA1, CTL_KIND_CTL, 0 },
	{ "sast1024", CTL_DIGEST_SHA512, CTL_KIND_ITL, 1 },
	{ "sast4096", CTL_DIGEST_SHA1, CTL_KIND_ITL, 0 },
	{ "sast4096", CTL_DIGEST_SHA512, CTL_KIND_CTL, 1 },
	{ "sast2", CTL_DIGEST_SHA1, CTL_KIND_ITL, 1 },
};

START_TEST(round_trip_identical)
{
	size_t i = (size_t)_i;
	struct tu_ent ents[TU_NSTD + 1];
	struct ctl_builder *b, *b2 = NULL;
	struct ctl_signer *s = tu_signer(rt_cases[i].signer);
	struct ctl_file *f;
	struct ctl_verify_result res;
	uint8_t *a, *c;
	size_t alen, clen;

	memcpy(ents, tu_std_ents, sizeof(tu_std_ents));
	ents[TU_NSTD] = (struct tu_ent){ rt_cases[i].signer, CTL_ROLE_SAST, NULL, NULL };
	/* the signer is listed once as SAST (sast1/sast2 already are) */
	b = tu_builder(rt_cases[i].kind, ents, strcmp(rt_cases[i].signer, "sast1") == 0 ||
	            strcmp(rt_cases[i].signer, "sast2") == 0 ? TU_NSTD : TU_NSTD + 1);
	ck_assert_int_eq(ctl_builder_set_digest(b, rt_cases[i].digest), CTL_OK);
	ctl_builder_set_timestamp(b, 1767115542u);
	if (rt_cases[i].sv)
		ctl_builder_set_signer_version(b, 1, 1);
	a = tu_sign(b, s, &alen);

	f = tu_parse(a, alen);
	ck_assert_int_eq(ctl_file_kind(f), rt_cases[i].kind);
	ck_assert_uint_eq(ctl_file_digest(f), rt_cases[i].digest);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(ctl_builder_from_file(f, &b2), CTL_OK);
	ck_assert_uint_eq(ctl_builder_nrecords(b2), ctl_file_nrecords(f));
	c = tu_sign(b2, s, &clen);
	ck_assert_uint_eq(clen, alen);
	ck_assert_mem_eq(c, a, alen);

	free(c);
	free(a);
	ctl_file_free(f);
	ctl_builder_free(b2);
	ctl_builder_free(b);
	ctl_signer_free(s);
}
END_TEST

/* Signing twice gives the same bytes (PKCS#1 v1.5 is deterministic). */
START_TEST(deterministic)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, TU_NSTD);
	struct ctl_signer *s = tu_signer("sast1");
	uint8_t *a, *c;
	size_t alen, clen;

	ctl_builder_set_timestamp(b, 1700000000u);
	a = tu_sign(b, s, &alen);
	c = tu_sign(b, s, &clen);
	ck_assert_uint_eq(alen, clen);
	ck_assert_mem_eq(a, c, alen);
	free(a);
	free(c);
	ctl_builder_free(b);
	ctl_signer_free(s);
}
END_TEST

/* Without a timestamp the builder stamps the signing time. */
START_TEST(default_timestamp)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, 2);
	struct ctl_signer *s = tu_signer("sast1");
	struct ctl_file *f;
	uint8_t *a;
	size_t alen;
	time_t before = time(NULL), after;

	a = tu_sign(b, s, &alen);
	after = time(NULL);
	f = tu_parse(a, alen);
	ck_assert_uint_ge(ctl_file_timestamp(f), (uint32_t)before);
	ck_assert_uint_le(ctl_file_timestamp(f), (uint32_t)after);
	ctl_file_free(f);
	free(a);
	ctl_builder_free(b);
	ctl_signer_free(s);
}
END_TEST

/* ---- header layout ------------------------------------------------------ */

/* Section 3: raw = 44 + S + N + F (+5 with tag 28), rounded up to 4 with 0x0D. */
static void
check_header_layout(const uint8_t *p, size_t len, size_t nsig, int sv, const char *fname)
{
	struct ctl_file *f = tu_parse(p, len);
	struct ctl_bytes nm = ctl_file_signer_name(f), se = ctl_file_signer_serial(f);
	struct ctl_bytes ca = ctl_file_signer_caname(f);
	size_t S = 9 + nm.len + se.len + ca.len, F = strlen(fname) + 1;
	size_t raw = 44 + S + nsig + F + (sv ? 5 : 0);
	size_t hl = (raw + 3) / 4 * 4, i, n, k;
	const struct ctl_elem *el = ctl_file_header_elems(f, &n);
	const struct ctl_elem *ts = tu_helem(f, CTL_H_TIMESTAMP);
	static const uint8_t order[] = { CTL_H_SIGNER_VERSION, CTL_H_SIGNERID, CTL_H_SIGNERNAME,
	                                 CTL_H_SERIALNUMBER, CTL_H_CANAME, CTL_H_SIGNATUREINFO,
	                                 CTL_H_DIGESTALGORITHM, CTL_H_SIGNATUREALGOINFO,
	                                 CTL_H_SIGNATUREALGORITHM, CTL_H_SIGNATUREMODULUS,
	                                 CTL_H_SIGNATURE, CTL_H_FILENAME, CTL_H_TIMESTAMP };
	struct ctl_rd rd;
	uint8_t b;
	uint16_t v;

	ck_assert_uint_eq(ctl_file_header_length(f), hl);
	ck_assert_uint_eq(hl % 4, 0);
	ck_assert_uint_eq(tu_helem(f, CTL_H_SIGNERID)->len, S);
	ck_assert_uint_eq(tu_helem(f, CTL_H_SIGNATUREINFO)->len, 15);
	ck_assert_uint_eq(tu_helem(f, CTL_H_SIGNATUREALGOINFO)->len, 8);
	/* TIMESTAMP ends the raw header; 0x0D fills the rest */
	ck_assert_ptr_nonnull(ts);
	ck_assert_uint_eq(ts->off + 7, raw);
	for (i = raw; i < hl; i++)
		ck_assert_uint_eq(p[i], CTL_H_PADDING);
	/* VERSION at 0, HEADER_LENGTH at 5, read back through the reader */
	ctl_rd_init(&rd, p, len);
	ck_assert_int_eq(ctl_rd_u8(&rd, &b), CTL_OK);
	ck_assert_uint_eq(b, CTL_H_VERSION);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &v), CTL_OK);
	ck_assert_int_eq(ctl_rd_u8(&rd, &b), CTL_OK);
	ck_assert_uint_eq(b, CTL_H_HEADER_LENGTH);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, hl);
	/* the writer's order (section 2): 1, 2, [28], 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15 */
	for (i = 0, k = sv ? 0 : 1; i < n; i++) {
		if (el[i].tag == CTL_H_VERSION || el[i].tag == CTL_H_HEADER_LENGTH ||
		    el[i].tag == CTL_H_PADDING)
			continue;
		ck_assert_uint_lt(k, sizeof(order));
		ck_assert_msg(el[i].tag == order[k], "header element %zu: tag %u, wanted %u", i,
		              el[i].tag, order[k]);
		k++;
	}
	ck_assert_uint_eq(k, sizeof(order));
	ck_assert_uint_eq(ctl_file_signature(f).len, nsig);
	ctl_file_free(f);
}

START_TEST(header_closed_form)
{
	static const char *names[] = { "CTLFile.tlv", "CTLSEPB000B4BA0AEE.tlv", "a.tlv", "ab.tlv",
	                               "abc.tlv", "abcd.tlv" };
	static const char *signers[] = { "sast1024", "sast1", "sast4096" };
	static const size_t nsig[] = { 128, 256, 512 };
	size_t i, j, sv;
	int pads[4] = { 0, 0, 0, 0 };

	for (j = 0; j < 3; j++) {
		struct ctl_signer *s = tu_signer(signers[j]);

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			for (sv = 0; sv < 2; sv++) {
				struct tu_ent e[3] = { tu_std_ents[0], tu_std_ents[1], { signers[j], CTL_ROLE_SAST, NULL, NULL } };
				struct ctl_builder *b = tu_builder(CTL_KIND_CTL, e, j == 1 ? 2 : 3);
				uint8_t *p;
				size_t len;
				struct ctl_file *f;

				ck_assert_int_eq(ctl_builder_set_filename(b, names[i]), CTL_OK);
				ctl_builder_set_timestamp(b, 1767115542u);
				if (sv)
					ctl_builder_set_signer_version(b, 1, 0);
				p = tu_sign(b, s, &len);
				check_header_layout(p, len, nsig[j], (int)sv, names[i]);
				f = tu_parse(p, len);
				pads[ctl_file_header_length(f) - tu_helem(f, CTL_H_TIMESTAMP)->off - 7]++;
				ctl_file_free(f);
				free(p);
				ctl_builder_free(b);
			}
		ctl_signer_free(s);
	}
	/* every padding count 0..3 occurred */
	ck_assert(pads[0] && pads[1] && pads[2] && pads[3]);
}
END_TEST

/* Defaults: VERSION 1.2, FILENAME by kind, no SIGNER_VERSION, digest SHA-1. */
START_TEST(builder_defaults)
{
	static const enum ctl_kind kinds[] = { CTL_KIND_CTL, CTL_KIND_ITL };
	static const char *fnames[] = { "CTLFile.tlv", "ITLFile.tlv" };
	struct ctl_signer *s = tu_signer("sast1");
	size_t i;

	for (i = 0; i < 2; i++) {
		struct ctl_builder *b = tu_builder(kinds[i], tu_std_ents, 2);
		uint8_t *p, maj, min;
		size_t len;
		struct ctl_file *f;

		p = tu_sign(b, s, &len);
		f = tu_parse(p, len);
		ck_assert_int_eq(ctl_file_kind(f), kinds[i]);
		ctl_file_version(f, &maj, &min);
		ck_assert_uint_eq(maj, 1);
		ck_assert_uint_eq(min, 2);
		ck_assert_int_eq(ctl_file_signer_version(f, &maj, &min), 0);
		ck_assert_ptr_null(tu_helem(f, CTL_H_SIGNER_VERSION));
		ck_assert_uint_eq(ctl_file_filename(f).len, strlen(fnames[i]) + 1);
		ck_assert_mem_eq(ctl_file_filename(f).p, fnames[i], strlen(fnames[i]) + 1);
		ck_assert_uint_eq(ctl_file_digest(f), CTL_DIGEST_SHA1);
		ck_assert_uint_eq(ctl_file_modulus_code(f), 2);
		ck_assert_uint_eq(ctl_file_sigalg(f), 0);
		ctl_file_free(f);
		free(p);
		ctl_builder_free(b);
	}
	ctl_signer_free(s);
}
END_TEST

START_TEST(builder_settings)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = tu_signer("sast1");
	struct ctl_file *f;
	uint8_t *p, maj, min;
	size_t len;
	char longname[300];

	ck_assert_int_eq(ctl_builder_new((enum ctl_kind)0, &b), CTL_E_INVAL);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(ctl_builder_new((enum ctl_kind)9, &b), CTL_E_INVAL);
	b = tu_builder(CTL_KIND_CTL, tu_std_ents, 2);
	ck_assert_int_eq(ctl_builder_set_digest(b, (enum ctl_digest)4), CTL_E_DIGEST);
	ck_assert_int_eq(ctl_builder_set_digest(b, (enum ctl_digest)0), CTL_E_DIGEST);
	ck_assert_int_eq(ctl_builder_set_filename(b, ""), CTL_E_INVAL);
	ck_assert_int_eq(ctl_builder_set_filename(b, NULL), CTL_E_INVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(ctl_builder_set_filename(b, longname), CTL_E_INVAL);
	ctl_builder_set_version(b, 1, 1);
	ctl_builder_set_signer_version(b, 1, 1);
	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	ctl_file_version(f, &maj, &min);
	ck_assert_uint_eq(min, 1);
	ck_assert_int_ne(ctl_file_signer_version(f, &maj, &min), 0);
	ck_assert_uint_eq(maj, 1);
	ck_assert_uint_eq(min, 1);
	ck_assert_uint_eq(tu_helem(f, CTL_H_SIGNER_VERSION)->off, 10);
	ctl_file_free(f);
	free(p);
	ctl_builder_free(b);
	ctl_builder_free(NULL);
	ctl_signer_free(s);
	ctl_signer_free(NULL);
}
END_TEST

/* Section 5.1 checked without libctl's verifier: the signature covers the
 * file minus the SIGNATURE element, as RSA PKCS#1 v1.5 with the digest. */
START_TEST(signed_bytes_rule)
{
	static const char *signers[] = { "sast1024", "sast1", "sast4096" };
	static const enum ctl_digest dg[] = { CTL_DIGEST_SHA1, CTL_DIGEST_SHA512 };
	size_t i = (size_t)_i / 2, j = (size_t)_i % 2;
	struct tu_ent e[3] = { tu_std_ents[0], tu_std_ents[1], { signers[i], CTL_ROLE_SAST, NULL, NULL } };
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, e, i == 1 ? 2 : 3);
	struct ctl_signer *s = tu_signer(signers[i]);
	X509 *x = tu_cert(signers[i]);
	uint8_t *p, *tbs;
	size_t len, so, n;
	struct ctl_file *f;
	const struct ctl_elem *sig;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	ck_assert_int_eq(ctl_builder_set_digest(b, dg[j]), CTL_OK);
	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	sig = tu_helem(f, CTL_H_SIGNATURE);
	so = sig->off;
	n = sig->len;
	/* right after SIGNATUREMODULUS */
	ck_assert_uint_eq(so, tu_helem(f, CTL_H_SIGNATUREMODULUS)->off + 4);
	tbs = malloc(len - 3 - n);
	memcpy(tbs, p, so);
	memcpy(tbs + so, p + so + 3 + n, len - so - 3 - n);
	ck_assert_int_eq(EVP_DigestVerifyInit(ctx, &pctx, dg[j] == CTL_DIGEST_SHA1 ? EVP_sha1() :
	                                      EVP_sha512(), NULL, X509_get0_pubkey(x)), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING), 1);
	ck_assert_int_eq(EVP_DigestVerify(ctx, sig->val, n, tbs, len - 3 - n), 1);
	EVP_MD_CTX_free(ctx);
	free(tbs);
	X509_free(x);
	ctl_file_free(f);
	free(p);
	ctl_signer_free(s);
	ctl_builder_free(b);
}
END_TEST

/* ---- records from certificates (section 8) ------------------------------ */

static void
check_record_from_cert(const struct ctl_record *r, const char *name, uint16_t role,
                       const char *dns, const uint8_t *ip)
{
	X509 *x = tu_cert(name);
	unsigned char *der = NULL, *pk = NULL;
	int derlen = i2d_X509(x, &der), pklen = i2d_PublicKey(X509_get0_pubkey(x), &pk);
	const ASN1_BIT_STRING *sig = NULL;
	char *subj = NULL, *iss = NULL;
	uint8_t *ser = NULL;
	size_t nser = 0, k;
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	uint8_t mag[64];
	int nmag = BN_bn2bin(bn, mag);
	static const uint8_t asc_full[] = { 2, 3, 4, 5, 6, 7, 8, 9, 10 };

	ck_assert_int_eq(r->role, role);
	ck_assert_int_ne(r->has_role, 0);
	/* CERTIFICATE = the DER certificate */
	ck_assert_uint_eq(r->cert.len, (size_t)derlen);
	ck_assert_mem_eq(r->cert.p, der, (size_t)derlen);
	/* PUBLICKEY = PKCS#1 RSAPublicKey DER, or the EC point */
	ck_assert_uint_eq(r->pubkey.len, (size_t)pklen);
	ck_assert_mem_eq(r->pubkey.p, pk, (size_t)pklen);
	/* SIGNATURE = the certificate's signatureValue */
	X509_get0_signature(&sig, NULL, x);
	ck_assert_uint_eq(r->sig.len, (size_t)ASN1_STRING_length(sig));
	ck_assert_mem_eq(r->sig.p, ASN1_STRING_get0_data(sig), r->sig.len);
	/* SERIALNUMBER = minimal magnitude */
	ck_assert_uint_eq(r->serial.len, (size_t)nmag);
	ck_assert_mem_eq(r->serial.p, mag, (size_t)nmag);
	ck_assert_int_eq(ctl_serial_bytes(x, &ser, &nser), CTL_OK);
	ck_assert_uint_eq(nser, (size_t)nmag);
	/* names: CUCM's form (the default), with their NUL */
	ck_assert_int_eq(ctl_name_format_string(X509_get_subject_name(x), CTL_NAME_CUCM, &subj), CTL_OK);
	ck_assert_int_eq(ctl_name_format_string(X509_get_issuer_name(x), CTL_NAME_CUCM, &iss), CTL_OK);
	ck_assert_uint_eq(r->subject.len, strlen(subj) + 1);
	ck_assert_mem_eq(r->subject.p, subj, strlen(subj) + 1);
	ck_assert_uint_eq(r->issuer.len, strlen(iss) + 1);
	ck_assert_mem_eq(r->issuer.p, iss, strlen(iss) + 1);
	/* DNSNAME: the given name, or "\0" as eToken records have */
	dns = dns != NULL ? dns : "";
	ck_assert_uint_eq(r->dns.len, strlen(dns) + 1);
	ck_assert_mem_eq(r->dns.p, dns, strlen(dns) + 1);
	ck_assert_int_eq(r->has_ip, ip != NULL);
	if (ip != NULL)
		ck_assert_mem_eq(r->ip, ip, 4);
	/* ascending tag order (writer rule, section 6) */
	ck_assert_uint_eq(r->nelems, ip != NULL ? 9 : 8);
	for (k = 0; k < r->nelems; k++)
		ck_assert_uint_eq(r->elems[k].tag, asc_full[k]);
	ck_assert_uint_eq(r->length, 5 + (r->nelems * 3) + r->dns.len + r->subject.len + 2 +
	                  r->issuer.len + r->serial.len + r->pubkey.len + r->sig.len + r->cert.len +
	                  (ip != NULL ? 4 : 0));
	BN_free(bn);
	free(ser);
	free(subj);
	free(iss);
	OPENSSL_free(der);
	OPENSSL_free(pk);
	X509_free(x);
}

START_TEST(records_from_certs)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, TU_NSTD);
	struct ctl_signer *s = tu_signer("sast1");
	uint8_t *p;
	size_t len, i;
	struct ctl_file *f;

	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	ck_assert_uint_eq(ctl_file_nrecords(f), TU_NSTD);
	for (i = 0; i < TU_NSTD; i++)
		check_record_from_cert(ctl_file_record(f, i), tu_std_ents[i].name, tu_std_ents[i].role,
		                       tu_std_ents[i].dns, tu_std_ents[i].ip);
	ctl_file_free(f);
	free(p);
	ctl_signer_free(s);
	ctl_builder_free(b);
}
END_TEST

/* The literal strings of the test PKI: DER order joined by ',' (section 8). */
START_TEST(names_certutils_style)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, 3);
	struct ctl_signer *s = tu_signer("sast1");
	uint8_t *p;
	size_t len;
	struct ctl_file *f;
	static const char sast1[] = "O=Cisco Systems,OU=IPCBU,CN=SAST-ADN4e31f914";
	static const char ca[] = "O=Cisco Systems,CN=Cisco Manufacturing CA";
	static const char ccm1[] = "C=US,ST=NC,L=RTP,O=Example Voice,OU=UC,CN=cucm-pub.example.lab";
	static const uint8_t serial[4] = { 0x4e, 0x31, 0xf9, 0x14 };
	const struct ctl_record *r;

	/* certutils' form is still available (the default is CUCM's, test_name.c) */
	ck_assert_int_eq(ctl_builder_set_name_format(b, CTL_NAME_RFC4514), CTL_OK);
	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	ck_assert_uint_eq(ctl_file_signer_name(f).len, sizeof(sast1));
	ck_assert_mem_eq(ctl_file_signer_name(f).p, sast1, sizeof(sast1));
	ck_assert_uint_eq(ctl_file_signer_caname(f).len, sizeof(ca));
	ck_assert_mem_eq(ctl_file_signer_caname(f).p, ca, sizeof(ca));
	ck_assert_uint_eq(ctl_file_signer_serial(f).len, 4);
	ck_assert_mem_eq(ctl_file_signer_serial(f).p, serial, 4);
	r = ctl_file_record(f, 0);
	ck_assert_mem_eq(r->subject.p, sast1, sizeof(sast1));
	ck_assert_mem_eq(r->issuer.p, ca, sizeof(ca));
	ck_assert_mem_eq(r->serial.p, serial, 4);
	r = ctl_file_record(f, 2);
	ck_assert_uint_eq(r->subject.len, sizeof(ccm1));
	ck_assert_mem_eq(r->subject.p, ccm1, sizeof(ccm1));
	ck_assert_mem_eq(r->issuer.p, ccm1, sizeof(ccm1));
	ctl_file_free(f);
	free(p);
	ctl_signer_free(s);
	ctl_builder_free(b);
}
END_TEST

/* RFC 4514 escaping, UTF-8 passthrough, unnamed attributes as dotted OIDs. */
START_TEST(name_escaping)
{
	X509_NAME *nm = X509_NAME_new();
	char *s = NULL;

	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "O", MBSTRING_UTF8,
	                 (const unsigned char *)"Example, Inc.", -1, -1, 0), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "OU", MBSTRING_UTF8,
	                 (const unsigned char *)"#1 \"R+D\"", -1, -1, 0), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "L", MBSTRING_UTF8,
	                 (const unsigned char *)"Z\xc3\xbcrich", -1, -1, 0), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "title", MBSTRING_UTF8,
	                 (const unsigned char *)"a;b ", -1, -1, 0), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_UTF8,
	                 (const unsigned char *)"x\\y", -1, -1, 0), 1);
	ck_assert_int_eq(ctl_name_string(nm, &s), CTL_OK);
	ck_assert_str_eq(s, "O=Example\\, Inc.,OU=\\#1 \\\"R\\+D\\\",L=Z\xc3\xbcrich,"
	                    "2.5.4.12=a\\;b\\ ,CN=x\\\\y");
	free(s);
	X509_NAME_free(nm);
	nm = X509_NAME_new();
	ck_assert_int_eq(ctl_name_string(nm, &s), CTL_OK);
	ck_assert_str_eq(s, "");
	free(s);
	X509_NAME_free(nm);
}
END_TEST

/* Key sizes of section 8: 140, 270, 526 bytes; EC P-256: 04 || X || Y. */
START_TEST(publickey_sizes)
{
	static const struct tu_ent e[] = {
		{ "sast1", CTL_ROLE_SAST, NULL, NULL }, { "sast2", CTL_ROLE_SAST, NULL, NULL },
		{ "sast1024", CTL_ROLE_TFTP, NULL, NULL }, { "sast4096", CTL_ROLE_APP_SERVER, NULL, NULL },
		{ "ec256", CTL_ROLE_CCM, NULL, NULL },
	};
	struct ctl_builder *b = tu_builder(CTL_KIND_ITL, e, 5);
	struct ctl_signer *s = tu_signer("sast1");
	uint8_t *p;
	size_t len;
	struct ctl_file *f;
	const struct ctl_record *r;
	X509 *x = tu_cert("ec256");
	BIGNUM *qx = NULL, *qy = NULL;
	uint8_t xy[64];

	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	ck_assert_uint_eq(ctl_file_record(f, 0)->pubkey.len, 270);
	ck_assert_uint_eq(ctl_file_record(f, 2)->pubkey.len, 140);
	ck_assert_uint_eq(ctl_file_record(f, 3)->pubkey.len, 526);
	ck_assert_uint_eq(ctl_file_record(f, 3)->sig.len, 256); /* signed by the 2048-bit CA */
	r = ctl_file_record(f, 4);
	ck_assert_uint_eq(r->pubkey.len, 65);
	ck_assert_uint_eq(r->pubkey.p[0], 0x04);
	ck_assert_int_eq(EVP_PKEY_get_bn_param(X509_get0_pubkey(x), "qx", &qx), 1);
	ck_assert_int_eq(EVP_PKEY_get_bn_param(X509_get0_pubkey(x), "qy", &qy), 1);
	ck_assert_int_eq(BN_bn2binpad(qx, xy, 32), 32);
	ck_assert_int_eq(BN_bn2binpad(qy, xy + 32, 32), 32);
	ck_assert_mem_eq(r->pubkey.p + 1, xy, 64);
	check_record_from_cert(r, "ec256", CTL_ROLE_CCM, NULL, NULL);
	BN_free(qx);
	BN_free(qy);
	X509_free(x);
	ctl_file_free(f);
	free(p);
	ctl_signer_free(s);
	ctl_builder_free(b);
}
END_TEST

/* Serials: the eToken one needs 10 bytes where DER has 11; zero is one 00 byte. */
START_TEST(serial_minimal)
{
	static const uint8_t etoken[10] = { 0x83, 0xe9, 0x08, 0x00, 0x00, 0x00, 0x55, 0x45, 0xaf, 0x31 };
	static const uint8_t padded[4] = { 0x00, 0x00, 0x01, 0x02 };
	static const uint8_t zero[1] = { 0 };
	EVP_PKEY *k = tu_key("sast1");
	X509 *a = mkcert(k, etoken, sizeof(etoken), "SAST-ADN0054f509", 0, 86400);
	X509 *c = mkcert(k, padded, sizeof(padded), "padded", 0, 86400);
	X509 *z = mkcert(k, zero, 1, "zero", 0, 86400);
	uint8_t *ser = NULL;
	size_t n = 0;
	unsigned char *der = NULL;
	int derlen;

	/* DER needs the 00 sign byte here */
	derlen = i2d_ASN1_INTEGER(X509_get0_serialNumber(a), &der);
	ck_assert_int_eq(derlen, 2 + 11);
	OPENSSL_free(der);
	ck_assert_int_eq(ctl_serial_bytes(a, &ser, &n), CTL_OK);
	ck_assert_uint_eq(n, 10);
	ck_assert_mem_eq(ser, etoken, 10);
	free(ser);
	ck_assert_int_eq(ctl_serial_bytes(c, &ser, &n), CTL_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(ser, padded + 2, 2);
	free(ser);
	ck_assert_int_eq(ctl_serial_bytes(z, &ser, &n), CTL_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ser[0], 0);
	free(ser);
	X509_free(a);
	X509_free(c);
	X509_free(z);
	EVP_PKEY_free(k);
}
END_TEST

/* Certificates with those serials, built, parsed, signed by themselves. */
START_TEST(serial_records_round_trip)
{
	static const uint8_t etoken[10] = { 0x83, 0xe9, 0x08, 0x00, 0x00, 0x00, 0x55, 0x45, 0xaf, 0x31 };
	static const uint8_t zero[1] = { 0 };
	EVP_PKEY *k = tu_key("sast1");
	X509 *a = mkcert(k, etoken, sizeof(etoken), "SAST-ADN0054f509", 0, 86400);
	X509 *z = mkcert(k, zero, 1, "zero", 0, 86400);
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	struct ctl_file *f;
	struct ctl_verify_result res;
	uint8_t *p;
	size_t len;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, a, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, z, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_signer_new_pkey(k, a, &s, &d), CTL_OK);
	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	ck_assert_uint_eq(ctl_file_signer_serial(f).len, 10);
	ck_assert_mem_eq(ctl_file_signer_serial(f).p, etoken, 10);
	ck_assert_uint_eq(ctl_file_record(f, 0)->serial.len, 10);
	ck_assert_uint_eq(ctl_file_record(f, 1)->serial.len, 1);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(res.signer_index, 0);
	ctl_file_free(f);
	free(p);
	ctl_signer_free(s);
	ctl_builder_free(b);
	X509_free(a);
	X509_free(z);
	EVP_PKEY_free(k);
}
END_TEST

/* ---- .sgn ------------------------------------------------------------- */

START_TEST(sgn_build)
{
	static const char xml[] = "<device><deviceProtocol>SIP</deviceProtocol></device>\n";
	static const char name[] = "SEP001122334455.cnf.xml.sgn";
	struct ctl_builder *b = NULL, *b2 = NULL;
	struct ctl_signer *s = tu_signer("ccm1");
	struct ctl_diag d;
	struct ctl_file *f;
	uint8_t *p, *p2 = NULL, maj, min;
	size_t len, len2 = 0;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	/* name and payload are required */
	ck_assert_int_eq(ctl_builder_sign(b, s, &p2, &len2, &d), CTL_E_INVAL);
	ck_assert_ptr_null(p2);
	ck_assert_int_eq(ctl_builder_set_filename(b, name), CTL_OK);
	ck_assert_int_eq(ctl_builder_sign(b, s, &p2, &len2, &d), CTL_E_INVAL);
	ck_assert_int_eq(ctl_builder_set_payload(b, (const uint8_t *)xml, sizeof(xml) - 1), CTL_OK);
	ctl_builder_set_timestamp(b, 1767115542u);
	p = tu_sign(b, s, &len);
	f = tu_parse(p, len);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_SGN);
	ctl_file_version(f, &maj, &min);
	ck_assert_uint_eq(maj, 1);
	ck_assert_uint_eq(min, 0);
	ck_assert_int_eq(ctl_file_signer_version(f, &maj, &min), 0);
	ck_assert_uint_eq(ctl_file_nrecords(f), 0);
	ck_assert_uint_eq(ctl_file_payload(f).len, sizeof(xml) - 1);
	ck_assert_mem_eq(ctl_file_payload(f).p, xml, sizeof(xml) - 1);
	/* stripping = the bytes from HEADER_LENGTH on */
	ck_assert_uint_eq(len - ctl_file_header_length(f), sizeof(xml) - 1);
	ck_assert_mem_eq(p + ctl_file_header_length(f), xml, sizeof(xml) - 1);
	check_header_layout(p, len, 256, 0, name);
	/* rebuild: identical */
	ck_assert_int_eq(ctl_builder_from_file(f, &b2), CTL_OK);
	p2 = tu_sign(b2, s, &len2);
	ck_assert_uint_eq(len2, len);
	ck_assert_mem_eq(p2, p, len);
	free(p2);
	ctl_builder_free(b2);
	ctl_file_free(f);
	free(p);
	ctl_builder_free(b);
	ctl_signer_free(s);
}
END_TEST

/* ---- signers and certificates ----------------------------------------- */

START_TEST(signer_errors)
{
	struct ctl_signer *s = (struct ctl_signer *)&s;
	struct ctl_diag d;
	EVP_PKEY *k;
	X509 *x;

	/* key and certificate of different pairs */
	ck_assert_int_eq(ctl_signer_new_pem(tu_pki("sast1.key"), tu_pki("sast2.pem"), &s, &d), CTL_E_KEY);
	ck_assert_ptr_null(s);
	/* EC keys cannot sign a CTL (RSA PKCS#1 v1.5 only, section 5.2) */
	ck_assert_int_eq(ctl_signer_new_pem(tu_pki("ec256.key"), tu_pki("ec256.pem"), &s, &d), CTL_E_KEY);
	ck_assert_ptr_null(s);
	/* files that are missing or not what they claim */
	ck_assert_int_eq(ctl_signer_new_pem(tu_pki("nonexistent.key"), tu_pki("sast1.pem"), &s, &d),
	                 CTL_E_IO);
	ck_assert_int_eq(ctl_signer_new_pem(tu_pki("sast1.pem"), tu_pki("sast1.pem"), &s, &d), CTL_E_KEY);
	ck_assert_int_eq(ctl_signer_new_pem(tu_pki("sast1.key"), tu_pki("sast1.key"), &s, &d), CTL_E_CERT);
	ck_assert_int_eq(ctl_cert_load(tu_pki("hosts.txt"), &x, &d), CTL_E_CERT);
	ck_assert_ptr_null(x);
	ck_assert_int_eq(ctl_key_load(tu_pki("hosts.txt"), &k, &d), CTL_E_KEY);
	ck_assert_ptr_null(k);
	/* DER certificates load too */
	ck_assert_int_eq(ctl_cert_load(tu_pki("sast1.der"), &x, &d), CTL_OK);
	X509_free(x);
	/* signer sizes */
	s = tu_signer("sast1024");
	ck_assert_uint_eq(s->modulus_bytes, 128);
	ctl_signer_free(s);
	s = tu_signer("sast4096");
	ck_assert_uint_eq(s->modulus_bytes, 512);
	ctl_signer_free(s);
}
END_TEST

/* Only RSA and EC keys can be listed. */
START_TEST(add_cert_unsupported_key)
{
	static const uint8_t serial[2] = { 1, 2 };
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *x;
	struct ctl_builder *b = NULL;
	struct ctl_diag d;

	ck_assert_ptr_nonnull(k);
	x = mkcert(k, serial, 2, "ed", 0, 86400);
	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, x, CTL_ROLE_CCM, NULL, NULL, &d), CTL_E_KEY);
	ck_assert_int_eq(d.err, CTL_E_KEY);
	ck_assert_uint_eq(ctl_builder_nrecords(b), 0);
	ctl_builder_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

/* A signer callback that fails, or returns the wrong size. */
static enum ctl_err
bad_sign(void *arg, enum ctl_digest digest, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
         size_t sig_cap, size_t *sig_len, struct ctl_diag *diag)
{
	int mode = *(int *)arg;

	(void)digest;
	(void)tbs;
	(void)tbs_len;
	(void)diag;
	memset(sig, 0, sig_cap);
	*sig_len = mode == 0 ? 0 : sig_cap - 1;
	return mode == 0 ? CTL_E_SIGNER : CTL_OK;
}

START_TEST(signer_callback_failures)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, 2);
	X509 *x = tu_cert("sast1");
	int mode = 0;
	struct ctl_signer s = { bad_sign, &mode, x, 256 };
	struct ctl_diag d;
	uint8_t *p = (uint8_t *)&p;
	size_t len = 99;

	ck_assert_int_eq(ctl_builder_sign(b, &s, &p, &len, &d), CTL_E_SIGNER);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(len, 0);
	mode = 1;
	ck_assert_int_eq(ctl_builder_sign(b, &s, &p, &len, &d), CTL_E_SIGNER);
	ck_assert_ptr_null(p);
	/* a modulus size the format has no code for */
	s.modulus_bytes = 384;
	ck_assert_int_eq(ctl_builder_sign(b, &s, &p, &len, &d), CTL_E_KEY);
	X509_free(x);
	ctl_builder_free(b);
}
END_TEST

/* ---- policy ------------------------------------------------------------- */

static struct ctl_policy
pol_token(void)
{
	struct ctl_policy p = { 2, 0, 0 };

	return p;
}

START_TEST(policy_ok)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, TU_NSTD);
	X509 *s1 = tu_cert("sast1"), *s2 = tu_cert("sast2");
	struct ctl_policy p = pol_token();
	struct ctl_diag d;

	ck_assert_int_eq(ctl_builder_check(b, &p, s1, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_check(b, &p, s2, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_check(b, &p, NULL, &d), CTL_OK);
	X509_free(s1);
	X509_free(s2);
	ctl_builder_free(b);
}
END_TEST

START_TEST(policy_too_few_sast)
{
	static const struct tu_ent e[] = { { "sast1", CTL_ROLE_SAST, NULL, NULL },
	                                { "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL },
	                                { "sast2", CTL_ROLE_CCM, NULL, NULL } };
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, e, 3);
	X509 *s1 = tu_cert("sast1");
	struct ctl_policy p = pol_token();
	struct ctl_diag d;

	ck_assert_int_eq(ctl_builder_check(b, &p, s1, &d), CTL_E_TOO_FEW_SAST);
	ck_assert_int_eq(d.err, CTL_E_TOO_FEW_SAST);
	/* tokenless: one SAST is enough */
	p.min_sast = 1;
	ck_assert_int_eq(ctl_builder_check(b, &p, s1, &d), CTL_OK);
	X509_free(s1);
	ctl_builder_free(b);
	/* none at all */
	b = tu_builder(CTL_KIND_CTL, e + 1, 1);
	ck_assert_int_eq(ctl_builder_check(b, &p, NULL, &d), CTL_E_TOO_FEW_SAST);
	ctl_builder_free(b);
}
END_TEST

START_TEST(policy_dup_entry)
{
	static const struct tu_ent e[] = { { "sast1", CTL_ROLE_SAST, NULL, NULL },
	                                { "sast2", CTL_ROLE_SAST, NULL, NULL },
	                                { "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL },
	                                { "ccm1", CTL_ROLE_CCM_TFTP, "other", NULL } };
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, e, 4);
	X509 *s1 = tu_cert("sast1");
	struct ctl_policy p = pol_token();
	struct ctl_diag d;

	ck_assert_int_eq(ctl_builder_check(b, &p, s1, &d), CTL_E_DUP_ENTRY);
	ck_assert_int_eq(d.record, 4);
	ctl_builder_free(b);
	/* the same certificate in two roles is fine (tokenless CTL: SAST and CCM+TFTP) */
	{
		static const struct tu_ent e2[] = { { "ccm1", CTL_ROLE_SAST, NULL, NULL },
		                                 { "itlrecovery", CTL_ROLE_SAST, NULL, NULL },
		                                 { "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL } };
		X509 *c1 = tu_cert("ccm1");

		b = tu_builder(CTL_KIND_CTL, e2, 3);
		ck_assert_int_eq(ctl_builder_check(b, &p, c1, &d), CTL_OK);
		ctl_builder_free(b);
		X509_free(c1);
	}
	/* the same SAST twice does not make two tokens: a duplicate */
	{
		static const struct tu_ent e3[] = { { "sast1", CTL_ROLE_SAST, NULL, NULL },
		                                 { "sast1", CTL_ROLE_SAST, NULL, NULL } };

		b = tu_builder(CTL_KIND_CTL, e3, 2);
		ck_assert_int_eq(ctl_builder_check(b, &p, s1, &d), CTL_E_DUP_ENTRY);
		ck_assert_int_eq(d.record, 2);
		ctl_builder_free(b);
	}
	X509_free(s1);
}
END_TEST

START_TEST(policy_expired)
{
	static const struct tu_ent e[] = { { "sast1", CTL_ROLE_SAST, NULL, NULL },
	                                { "sast2", CTL_ROLE_SAST, NULL, NULL },
	                                { "expired", CTL_ROLE_CCM_TFTP, NULL, NULL } };
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, e, 3);
	X509 *s1 = tu_cert("sast1");
	struct ctl_policy p = pol_token();
	struct ctl_diag d;

	ck_assert_int_eq(ctl_builder_check(b, &p, s1, &d), CTL_E_EXPIRED);
	ck_assert_int_eq(d.record, 3);
	ck_assert_ptr_nonnull(strstr(d.msg, "2020"));
	p.allow_expired = 1;
	ck_assert_int_eq(ctl_builder_check(b, &p, s1, &d), CTL_OK);
	/* at a chosen time: in 2017 the "expired" certificate was valid */
	p.allow_expired = 0;
	p.now = 1500000000;
	ck_assert_int_eq(ctl_builder_check(b, &p, s1, &d), CTL_E_EXPIRED); /* sast1 not yet valid */
	ctl_builder_free(b);
	b = tu_builder(CTL_KIND_CTL, e + 2, 1);
	p.min_sast = 0;
	ck_assert_int_eq(ctl_builder_check(b, &p, NULL, &d), CTL_OK);
	/* and long after every test certificate */
	p.now = (time_t)4102444800; /* 2100 */
	ck_assert_int_eq(ctl_builder_check(b, &p, NULL, &d), CTL_E_EXPIRED);
	ctl_builder_free(b);
	X509_free(s1);
}
END_TEST

/* A certificate whose notBefore lies ahead. */
START_TEST(policy_not_yet_valid)
{
	static const uint8_t serial[2] = { 0x12, 0x34 };
	EVP_PKEY *k = tu_key("sast2");
	X509 *x = mkcert(k, serial, 2, "future", 86400L * 30, 86400L * 60);
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, 2);
	struct ctl_policy p = pol_token();
	struct ctl_diag d;

	ck_assert_int_eq(ctl_builder_add_cert(b, x, CTL_ROLE_CAPF, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_check(b, &p, NULL, &d), CTL_E_EXPIRED);
	ck_assert_int_eq(d.record, 3);
	p.allow_expired = 1;
	ck_assert_int_eq(ctl_builder_check(b, &p, NULL, &d), CTL_OK);
	ctl_builder_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
}
END_TEST

START_TEST(policy_signer_not_listed)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, TU_NSTD);
	X509 *c1 = tu_cert("ccm1"), *rogue = tu_cert("rogue");
	struct ctl_policy p = pol_token();
	struct ctl_diag d;

	/* listed, but as CCM+TFTP, not as SAST */
	ck_assert_int_eq(ctl_builder_check(b, &p, c1, &d), CTL_E_SIGNER_NOT_LISTED);
	/* not listed at all */
	ck_assert_int_eq(ctl_builder_check(b, &p, rogue, &d), CTL_E_SIGNER_NOT_LISTED);
	X509_free(c1);
	X509_free(rogue);
	ctl_builder_free(b);
}
END_TEST

/* Records copied from a parsed file take part in the policy too. */
START_TEST(policy_copied_records)
{
	static const struct tu_ent e[] = { { "sast1", CTL_ROLE_SAST, NULL, NULL },
	                                { "sast2", CTL_ROLE_SAST, NULL, NULL },
	                                { "expired", CTL_ROLE_CCM_TFTP, NULL, NULL } };
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, e, 3), *b2 = NULL;
	struct ctl_signer *s = tu_signer("sast1");
	struct ctl_policy p = pol_token();
	struct ctl_diag d;
	struct ctl_file *f;
	uint8_t *bytes;
	size_t len;
	X509 *x;

	bytes = tu_sign(b, s, &len);
	f = tu_parse(bytes, len);
	ck_assert_int_eq(ctl_builder_from_file(f, &b2), CTL_OK);
	ck_assert_int_eq(ctl_builder_check(b2, &p, s->cert, &d), CTL_E_EXPIRED);
	ck_assert_int_eq(d.record, 3);
	p.allow_expired = 1;
	ck_assert_int_eq(ctl_builder_check(b2, &p, s->cert, &d), CTL_OK);
	/* adding the same SAST again, from its certificate: duplicate */
	x = tu_cert("sast2");
	ck_assert_int_eq(ctl_builder_add_cert(b2, x, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_check(b2, &p, s->cert, &d), CTL_E_DUP_ENTRY);
	ck_assert_int_eq(d.record, 4);
	X509_free(x);
	ctl_file_free(f);
	free(bytes);
	ctl_builder_free(b2);
	ctl_builder_free(b);
	ctl_signer_free(s);
}
END_TEST

/* ---- misc helpers ------------------------------------------------------- */

START_TEST(parse_uint)
{
	unsigned long long v = 7;

	ck_assert_int_eq(ctl_parse_uint("0", 0, 10, &v), CTL_OK);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(ctl_parse_uint("69", 1, 65535, &v), CTL_OK);
	ck_assert_uint_eq(v, 69);
	ck_assert_int_eq(ctl_parse_uint("65535", 1, 65535, &v), CTL_OK);
	ck_assert_int_eq(ctl_parse_uint("18446744073709551615", 0, ~0ULL, &v), CTL_OK);
	ck_assert_uint_eq(v, ~0ULL);
	v = 7;
	ck_assert_int_eq(ctl_parse_uint("65536", 1, 65535, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint("0", 1, 65535, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint("", 0, 10, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint("-1", 0, 10, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint("+1", 0, 10, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint(" 1", 0, 10, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint("1x", 0, 10, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint("0x10", 0, 100, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint("18446744073709551616", 0, ~0ULL, &v), CTL_E_INVAL);
	ck_assert_int_eq(ctl_parse_uint(NULL, 0, 10, &v), CTL_E_INVAL);
}
END_TEST

START_TEST(role_and_digest_names)
{
	ck_assert_str_eq(ctl_role_name(CTL_ROLE_SAST), "System Administrator Security Token");
	ck_assert_str_eq(ctl_role_name(CTL_ROLE_CCM), "CCM");
	ck_assert_str_eq(ctl_role_name(CTL_ROLE_CCM_TFTP), "CCM+TFTP");
	ck_assert_str_eq(ctl_role_name(CTL_ROLE_TFTP), "TFTP");
	ck_assert_str_eq(ctl_role_name(CTL_ROLE_CAPF), "CAPF");
	ck_assert_str_eq(ctl_role_name(CTL_ROLE_TVS), "TVS");
	ck_assert_str_eq(ctl_role_short(CTL_ROLE_SAST), "SAST");
	ck_assert_str_eq(ctl_role_short(CTL_ROLE_APP_SERVER), "APP-SERVER");
	ck_assert_str_eq(ctl_role_short(99), "UNKNOWN");
	ck_assert_str_eq(ctl_digest_name(CTL_DIGEST_SHA1), "SHA1");
	ck_assert_str_eq(ctl_digest_name(CTL_DIGEST_SHA512), "SHA512");
	ck_assert_str_eq(ctl_digest_name(9), "UNKNOWN");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("build");
	TCase *rt = tcase_create("round-trip");
	TCase *hdr = tcase_create("header");
	TCase *rec = tcase_create("records");
	TCase *sg = tcase_create("signer");
	TCase *pol = tcase_create("policy");
	TCase *misc = tcase_create("misc");

	tcase_set_timeout(rt, 60);
	tcase_add_loop_test(rt, round_trip_identical, 0, (int)(sizeof(rt_cases) / sizeof(rt_cases[0])));
	tcase_add_test(rt, deterministic);
	tcase_add_test(rt, default_timestamp);
	tcase_add_test(rt, sgn_build);
	suite_add_tcase(s, rt);

	tcase_set_timeout(hdr, 60);
	tcase_add_test(hdr, header_closed_form);
	tcase_add_test(hdr, builder_defaults);
	tcase_add_test(hdr, builder_settings);
	tcase_add_loop_test(hdr, signed_bytes_rule, 0, 6);
	suite_add_tcase(s, hdr);

	tcase_add_test(rec, records_from_certs);
	tcase_add_test(rec, names_certutils_style);
	tcase_add_test(rec, name_escaping);
	tcase_add_test(rec, publickey_sizes);
	tcase_add_test(rec, serial_minimal);
	tcase_add_test(rec, serial_records_round_trip);
	suite_add_tcase(s, rec);

	tcase_add_test(sg, signer_errors);
	tcase_add_test(sg, add_cert_unsupported_key);
	tcase_add_test(sg, signer_callback_failures);
	suite_add_tcase(s, sg);

	tcase_add_test(pol, policy_ok);
	tcase_add_test(pol, policy_too_few_sast);
	tcase_add_test(pol, policy_dup_entry);
	tcase_add_test(pol, policy_expired);
	tcase_add_test(pol, policy_not_yet_valid);
	tcase_add_test(pol, policy_signer_not_listed);
	tcase_add_test(pol, policy_copied_records);
	suite_add_tcase(s, pol);

	tcase_add_test(misc, parse_uint);
	tcase_add_test(misc, role_and_digest_names);
	suite_add_tcase(s, misc);
	return s;
}

CTL_TEST_MAIN(make_suite)
