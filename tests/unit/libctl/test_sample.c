/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The real ITL file from the field (format section 15 is its walk-through):
 * every fact listed there, its signature, every-offset truncation, a bit
 * flip at every byte, and a rebuild that keeps its records byte for byte.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "testutil.h"

static uint8_t *sample;
static size_t sample_len;

static void
load_sample(void)
{
	sample = tu_read(tu_sample_path(), &sample_len);
}

static void
free_sample(void)
{
	free(sample);
	sample = NULL;
}

static struct ctl_file *
parse_sample(void)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	char s[768];
	enum ctl_err r = ctl_file_parse(sample, sample_len, 0, &f, &d);

	ck_assert_msg(r == CTL_OK, "sample: %s", ctl_diag_str(&d, s, sizeof(s)));
	return f;
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * n] = '\0';
}

static void
assert_text(struct ctl_bytes b, const char *s)
{
	ck_assert_uint_eq(b.len, strlen(s) + 1);
	ck_assert_mem_eq(b.p, s, b.len); /* includes the NUL */
}

/* ---- facts of section 15 -------------------------------------------- */

START_TEST(sample_header)
{
	struct ctl_file *f = parse_sample();
	uint8_t maj = 0, min = 0;
	char h[80];
	struct ctl_bytes b;

	ck_assert_uint_eq(sample_len, 10370);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_ITL);
	ctl_file_version(f, &maj, &min);
	ck_assert_uint_eq(maj, 1);
	ck_assert_uint_eq(min, 2);
	ck_assert_uint_eq(ctl_file_header_length(f), 388);
	ck_assert_int_ne(ctl_file_signer_version(f, &maj, &min), 0);
	ck_assert_uint_eq(maj, 1);
	ck_assert_uint_eq(min, 0);
	assert_text(ctl_file_signer_name(f), "CN=SAST,O=SAST,OU=SAST");
	assert_text(ctl_file_signer_caname(f), "CN=SAST,O=SAST,OU=SAST");
	b = ctl_file_signer_serial(f);
	hex(b.p, b.len, h);
	ck_assert_str_eq(h, "6ba5de3a260b069337c75b38be3c2d74");
	ck_assert_uint_eq(ctl_file_digest(f), CTL_DIGEST_SHA1);
	ck_assert_str_eq(ctl_digest_name(ctl_file_digest(f)), "SHA1");
	ck_assert_uint_eq(ctl_file_sigalg(f), 0);
	ck_assert_uint_eq(ctl_file_modulus_code(f), 2);
	b = ctl_file_signature(f);
	ck_assert_uint_eq(b.len, 256);
	ck_assert_ptr_eq(b.p, ctl_file_bytes(f, &(size_t){ 0 }) + 110);
	assert_text(ctl_file_filename(f), "ITLFile.tlv");
	ck_assert_uint_eq(ctl_file_timestamp(f), 1767115542u);
	ck_assert_uint_eq(ctl_file_payload(f).len, 0);
	ctl_file_free(f);
}
END_TEST

/* Offsets of section 15's table, through the element list. */
START_TEST(sample_header_elems)
{
	static const struct {
		uint8_t tag;
		size_t off;
		uint16_t len;
		int depth;
	} want[] = {
		{ CTL_H_SIGNER_VERSION, 10, 2, 0 }, { CTL_H_SIGNERID, 15, 71, 0 },
		{ CTL_H_SIGNERNAME, 18, 23, 1 },    { CTL_H_CANAME, 44, 23, 1 },
		{ CTL_H_SERIALNUMBER, 70, 16, 1 },  { CTL_H_SIGNATUREINFO, 89, 15, 0 },
		{ CTL_H_DIGESTALGORITHM, 92, 1, 1 }, { CTL_H_SIGNATUREALGOINFO, 96, 8, 1 },
		{ CTL_H_SIGNATUREALGORITHM, 99, 1, 2 }, { CTL_H_SIGNATUREMODULUS, 103, 1, 2 },
		{ CTL_H_SIGNATURE, 107, 256, 0 },   { CTL_H_FILENAME, 366, 12, 0 },
		{ CTL_H_TIMESTAMP, 381, 4, 0 },
	};
	struct ctl_file *f = parse_sample();
	const struct ctl_elem *el;
	size_t n, i, k = 0;

	el = ctl_file_header_elems(f, &n);
	/* VERSION and HEADER_LENGTH may or may not be listed (test_parse checks) */
	while (k < n && (el[k].tag == CTL_H_VERSION || el[k].tag == CTL_H_HEADER_LENGTH))
		k++;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++, k++) {
		ck_assert_uint_lt(k, n);
		ck_assert_uint_eq(el[k].tag, want[i].tag);
		ck_assert_uint_eq(el[k].off, want[i].off);
		ck_assert_uint_eq(el[k].len, want[i].len);
		ck_assert_int_eq(el[k].depth, want[i].depth);
	}
	ck_assert_uint_eq(k, n); /* no padding in this file */
	ctl_file_free(f);
}
END_TEST

static const struct {
	size_t off;
	uint16_t len;
	uint16_t role;
	const char *subject;
	const char *serial;
	size_t key, sig, cert;
} recs[5] = {
	{ 388, 1484, CTL_ROLE_SAST, "CN=SAST,O=SAST,OU=SAST", "6ba5de3a260b069337c75b38be3c2d74",
	  270, 256, 868 },
	{ 1872, 1675, CTL_ROLE_CCM,
	  "CN=ccm01.csptech.org,O=CSP Technologies,OU=CSP Community PBX Texas",
	  "7b9e9bdbbfe0faa0c8d623061e1e300c", 270, 256, 971 },
	{ 3547, 1692, CTL_ROLE_CCM,
	  "CN=ccm02.csptech.org,O=CSP Technologies,OU=CSP Community PBX Minnesota",
	  "81a3951a5c4c1c9b7eb4b4f00b8d6e38", 270, 256, 980 },
	{ 5239, 2585, CTL_ROLE_APP_SERVER, "C=US,O=Internet Security Research Group,CN=ISRG Root X1",
	  "8210cfb0d240e3594463e0bb63828b00", 526, 512, 1391 },
	{ 7824, 2546, CTL_ROLE_APP_SERVER, "C=US,O=Google Trust Services LLC,CN=GTS Root R1",
	  "0203e5936f31b01349886ba217", 526, 512, 1371 },
};

START_TEST(sample_records)
{
	static const uint8_t order[8] = { 1, 3, 5, 6, 4, 7, 8, 9 };
	struct ctl_file *f = parse_sample();
	size_t i = (size_t)_i, k;
	const struct ctl_record *r;
	char h[80];

	ck_assert_uint_eq(ctl_file_nrecords(f), 5);
	r = ctl_file_record(f, i);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->off, recs[i].off);
	ck_assert_uint_eq(r->length, recs[i].len);
	ck_assert_int_ne(r->has_role, 0);
	ck_assert_uint_eq(r->role, recs[i].role);
	assert_text(r->subject, recs[i].subject);
	assert_text(r->issuer, recs[i].subject); /* all self-signed */
	hex(r->serial.p, r->serial.len, h);
	ck_assert_str_eq(h, recs[i].serial);
	ck_assert_uint_eq(r->pubkey.len, recs[i].key);
	ck_assert_uint_eq(r->sig.len, recs[i].sig);
	ck_assert_uint_eq(r->cert.len, recs[i].cert);
	ck_assert_uint_eq(r->dns.len, 0);
	ck_assert_int_eq(r->has_ip, 0);
	ck_assert_uint_eq(r->certhash.len, 0);
	/* certutils order: 1, 3, 5, 6, 4, 7, 8, 9 (RECORDLENGTH not in elems) */
	ck_assert_uint_eq(r->nelems, 7);
	for (k = 0; k < 7; k++)
		ck_assert_uint_eq(r->elems[k].tag, order[k + 1]);
	ctl_file_free(f);
}
END_TEST

START_TEST(sample_roles)
{
	struct ctl_file *f = parse_sample();

	ck_assert_str_eq(ctl_role_short(ctl_file_record(f, 0)->role), "SAST");
	ck_assert_str_eq(ctl_role_short(ctl_file_record(f, 1)->role), "CCM");
	ck_assert_str_eq(ctl_role_short(ctl_file_record(f, 2)->role), "CCM");
	ck_assert_uint_eq(ctl_file_record(f, 3)->role, 7);
	ck_assert_str_eq(ctl_role_short(ctl_file_record(f, 3)->role), "APP-SERVER");
	ck_assert_str_eq(ctl_role_short(ctl_file_record(f, 4)->role), "APP-SERVER");
	ck_assert_str_eq(ctl_role_name(CTL_ROLE_SAST), "System Administrator Security Token");
	ctl_file_free(f);
}
END_TEST

/* Record 5 + header = file (section 1: no trailer). */
START_TEST(sample_sizes_add_up)
{
	struct ctl_file *f = parse_sample();
	size_t i, sum = ctl_file_header_length(f);

	for (i = 0; i < ctl_file_nrecords(f); i++)
		sum += ctl_file_record(f, i)->length;
	ck_assert_uint_eq(sum, sample_len);
	ctl_file_free(f);
}
END_TEST

START_TEST(sample_checksums)
{
	struct ctl_sums s;

	ck_assert_int_eq(ctl_checksums(sample, sample_len, &s), CTL_OK);
	ck_assert_str_eq(s.md5, "dbf86422cbab7859f3b850c2375814f7");
	ck_assert_str_eq(s.sha1, "01e2cb144975e4b33c9af6ad75712c07a3b19cc7");
	ck_assert_uint_eq(strlen(s.sha256), 64);
}
END_TEST

/* Section 8 facts, checked against OpenSSL's reading of each certificate. */
START_TEST(sample_record_content_matches_cert)
{
	struct ctl_file *f = parse_sample();
	size_t i = (size_t)_i;
	const struct ctl_record *r = ctl_file_record(f, i);
	const unsigned char *p = r->cert.p;
	X509 *x = d2i_X509(NULL, &p, (long)r->cert.len);
	const ASN1_BIT_STRING *sig = NULL;
	unsigned char *key = NULL;
	int keylen;
	BIGNUM *bn;
	uint8_t ser[64];
	int serlen;
	char *name = NULL;

	ck_assert_ptr_nonnull(x);
	/* PUBLICKEY = PKCS#1 RSAPublicKey DER of the certificate key */
	keylen = i2d_PublicKey(X509_get0_pubkey(x), &key);
	ck_assert_int_gt(keylen, 0);
	ck_assert_uint_eq(r->pubkey.len, (size_t)keylen);
	ck_assert_mem_eq(r->pubkey.p, key, (size_t)keylen);
	OPENSSL_free(key);
	/* SIGNATURE = the certificate's signatureValue */
	X509_get0_signature(&sig, NULL, x);
	ck_assert_uint_eq(r->sig.len, (size_t)ASN1_STRING_length(sig));
	ck_assert_mem_eq(r->sig.p, ASN1_STRING_get0_data(sig), r->sig.len);
	/* SERIALNUMBER = minimal magnitude */
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	serlen = BN_bn2bin(bn, ser);
	BN_free(bn);
	ck_assert_uint_eq(r->serial.len, (size_t)serlen);
	ck_assert_mem_eq(r->serial.p, ser, (size_t)serlen);
	/* our name rendering reproduces certutils' */
	ck_assert_int_eq(ctl_name_string(X509_get_subject_name(x), &name), CTL_OK);
	ck_assert_str_eq(name, recs[i].subject);
	free(name);
	ck_assert_int_eq(ctl_name_string(X509_get_issuer_name(x), &name), CTL_OK);
	ck_assert_str_eq(name, recs[i].subject);
	free(name);
	X509_free(x);
	ctl_file_free(f);
}
END_TEST

/* ctl_serial_bytes on the sample's certificates: 16 bytes where DER has 17. */
START_TEST(sample_serial_bytes)
{
	struct ctl_file *f = parse_sample();
	size_t i;

	for (i = 0; i < 5; i++) {
		const struct ctl_record *r = ctl_file_record(f, i);
		const unsigned char *p = r->cert.p;
		X509 *x = d2i_X509(NULL, &p, (long)r->cert.len);
		uint8_t *ser = NULL;
		size_t n = 0;

		ck_assert_ptr_nonnull(x);
		ck_assert_int_eq(ctl_serial_bytes(x, &ser, &n), CTL_OK);
		ck_assert_uint_eq(n, r->serial.len);
		ck_assert_mem_eq(ser, r->serial.p, n);
		free(ser);
		X509_free(x);
	}
	ctl_file_free(f);
}
END_TEST

/* ---- verification ------------------------------------------------------ */

START_TEST(sample_verifies)
{
	struct ctl_file *f = parse_sample();
	struct ctl_verify_result res;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(res.err, CTL_OK);
	ck_assert_int_eq(res.signer_index, 0);
	/* trusting itself (TOFU) */
	ck_assert_int_eq(ctl_file_verify_trusted(f, f, &res), CTL_OK);
	ck_assert_int_eq(res.signer_index, 0);
	ck_assert_int_eq(res.trusted_index, 0);
	ctl_file_free(f);
}
END_TEST

START_TEST(sample_load)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_verify_result res;

	ck_assert_int_eq(ctl_file_load(tu_sample_path(), 0, &f, &d), CTL_OK);
	ck_assert_uint_eq(ctl_file_nrecords(f), 5);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ctl_file_free(f);
	ck_assert_int_eq(ctl_file_load("/nonexistent/ITLFile.tlv", 0, &f, &d), CTL_E_IO);
	ck_assert_ptr_null(f);
}
END_TEST

/* One bit flipped at every byte outside SIGNATURE: never verifies. */
START_TEST(sample_flip_every_signed_byte)
{
	uint8_t *copy = malloc(sample_len);
	size_t i;
	unsigned parse_fail = 0, verify_fail = 0;

	for (i = 0; i < sample_len; i++) {
		struct ctl_file *f = NULL;
		struct ctl_diag d;
		struct ctl_verify_result res;
		enum ctl_err r;

		if (i >= 107 && i < 366)
			continue; /* the SIGNATURE element, not signed */
		memcpy(copy, sample, sample_len);
		copy[i] ^= (uint8_t)(1u << (i % 8));
		r = ctl_file_parse(copy, sample_len, 0, &f, &d);
		if (r != CTL_OK) {
			ck_assert_ptr_null(f);
			parse_fail++;
			continue;
		}
		r = ctl_file_verify(f, &res);
		ck_assert_msg(r != CTL_OK, "bit %zu of byte %zu flipped: still verifies (%s)",
		              i % 8, i, res.reason);
		ck_assert_int_eq(res.err, r);
		ck_assert_int_ne(r, CTL_E_NOMEM);
		verify_fail++;
		ctl_file_free(f);
	}
	ck_assert_uint_eq(parse_fail + verify_fail, sample_len - 259);
	ck_assert_uint_gt(verify_fail, 9000); /* most flips parse and must fail the signature */
	free(copy);
}
END_TEST

/* Flips inside the signature value: CTL_E_SIG_INVALID, signer still found. */
START_TEST(sample_flip_signature)
{
	uint8_t *copy = malloc(sample_len);
	size_t i;

	for (i = 110; i < 366; i++) {
		struct ctl_file *f = NULL;
		struct ctl_diag d;
		struct ctl_verify_result res;

		memcpy(copy, sample, sample_len);
		copy[i] ^= (uint8_t)(0x80u >> (i % 8));
		ck_assert_int_eq(ctl_file_parse(copy, sample_len, 0, &f, &d), CTL_OK);
		ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIG_INVALID);
		ck_assert_int_eq(res.signer_index, 0);
		ctl_file_free(f);
	}
	free(copy);
}
END_TEST

/* Changing the signed data without touching the signature: a wrong digest
 * code, or a record's role, fails the signature rather than the parse. */
START_TEST(sample_digest_code_changed)
{
	uint8_t *copy = malloc(sample_len);
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_verify_result res;

	memcpy(copy, sample, sample_len);
	copy[95] = CTL_DIGEST_SHA512; /* value byte of DIGESTALGORTITHM at 92 */
	ck_assert_int_eq(ctl_file_parse(copy, sample_len, 0, &f, &d), CTL_OK);
	ck_assert_uint_eq(ctl_file_digest(f), CTL_DIGEST_SHA512);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIG_INVALID);
	ctl_file_free(f);
	free(copy);
}
END_TEST

/* ---- truncation ------------------------------------------------------ */

START_TEST(sample_truncated_every_offset)
{
	size_t cut;
	unsigned nok = 0;

	for (cut = 0; cut < sample_len; cut++) {
		struct ctl_file *f = NULL;
		struct ctl_diag d;
		struct ctl_verify_result res;
		uint8_t *copy = malloc(cut ? cut : 1);
		enum ctl_err r;
		char s[768];

		memcpy(copy, sample, cut); /* exact size: ASan sees any overread */
		r = ctl_file_parse(copy, cut, 0, &f, &d);
		free(copy);
		if (r == CTL_OK) {
			/* only at a record boundary; verification then fails */
			ck_assert_msg(cut == 388 || cut == 1872 || cut == 3547 || cut == 5239 ||
			              cut == 7824, "cut at %zu parsed", cut);
			/* header only: no signer record left */
			ck_assert_int_eq(ctl_file_verify(f, &res),
			                 cut == 388 ? CTL_E_SIGNER_NOT_FOUND : CTL_E_SIG_INVALID);
			ctl_file_free(f);
			nok++;
			continue;
		}
		ck_assert_ptr_null(f);
		ctl_diag_str(&d, s, sizeof(s));
		ck_assert_msg(r == CTL_E_TRUNCATED || r == CTL_E_HDR_LEN || r == CTL_E_REC_LEN ||
		              r == CTL_E_CONTAINER_LEN,
		              "cut at %zu: %s (%d): %s", cut, ctl_strerror(r), r, s);
		ck_assert_int_eq(d.err, r);
		ck_assert_msg(d.offset <= cut, "cut at %zu: diag offset %zu: %s", cut, d.offset, s);
	}
	ck_assert_uint_eq(nok, 5);
}
END_TEST

/* ---- rendering ---------------------------------------------------------- */

START_TEST(sample_show)
{
	struct ctl_file *f = parse_sample();
	struct ctl_verify_result res;
	struct ctl_render_opts o = { 0, &res, NULL };
	char *t = NULL;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(ctl_render_text(f, &o, &t), CTL_OK);
	ck_assert_ptr_nonnull(strstr(t, "dbf86422cbab7859f3b850c2375814f7(MD5)\n"));
	ck_assert_ptr_nonnull(strstr(t, "01e2cb144975e4b33c9af6ad75712c07a3b19cc7(SHA1)\n"));
	ck_assert_ptr_nonnull(strstr(t, "Length of ITL file: 10370\n"));
	ck_assert_ptr_nonnull(strstr(t, "Version:\t1.2\n"));
	ck_assert_ptr_nonnull(strstr(t, "HeaderLength:\t388 (BYTES)\n"));
	ck_assert_ptr_nonnull(strstr(t, "4\tSIGNERNAME\t23\tCN=SAST,O=SAST,OU=SAST\n"));
	ck_assert_ptr_nonnull(strstr(t, "5\tSERIALNUMBER\t16\t6B:A5:DE:3A:26:0B:06:93:37:C7:5B:38:BE:3C:2D:74\n"));
	ck_assert_ptr_nonnull(strstr(t, "3\tSIGNERID\t2\t71\n"));
	ck_assert_ptr_nonnull(strstr(t, "7\tSIGNATUREINFO\t2\t15\n"));
	ck_assert_ptr_nonnull(strstr(t, "8\tDIGESTALGORTITHM\t1\n"));
	ck_assert_ptr_nonnull(strstr(t, "12\tSIGNATURE\t256\n\t\taf  a0"));
	ck_assert_ptr_nonnull(strstr(t, "Record #:1\n"));
	ck_assert_ptr_nonnull(strstr(t, "Record #:5\n"));
	ck_assert_ptr_null(strstr(t, "Record #:6\n"));
	ck_assert_ptr_nonnull(strstr(t, "1\tRECORDLENGTH\t2\t1484\n"));
	ck_assert_ptr_nonnull(strstr(t, "4\tFUNCTION\t2\tSystem Administrator Security Token\n"));
	ck_assert_ptr_nonnull(strstr(t, "4\tFUNCTION\t2\tCCM\n"));
	ck_assert_ptr_nonnull(strstr(t, "9\tCERTIFICATE\t868\t27 7B 36 21 55 2A 59 34 56 A6 3D 59 56 45 F4 F0 90 A3 5D 9C (SHA1 Hash HEX)\n"));
	ck_assert_ptr_nonnull(strstr(t, "EF C5 12 8E 5F C1 65 2F A1 66 92 6E 48 ED 0D 57 4A B7 24 CA (SHA1 Hash HEX)\n"));
	ck_assert_ptr_nonnull(strstr(t, "This etoken was used to sign the ITL file.\n"));
	ck_assert_ptr_null(strstr(t, "This etoken was not used"));
	ck_assert_ptr_nonnull(strstr(t, "The ITL file was verified successfully.\n"));
	free(t);
	ctl_file_free(f);
}
END_TEST

/* ---- rebuild ------------------------------------------------------------ */

/* Re-signed with another key, the records stay byte-identical. */
START_TEST(sample_rebuild_keeps_records)
{
	struct ctl_file *f = parse_sample(), *g = NULL;
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	uint8_t *out = NULL;
	size_t len = 0, glen;
	const uint8_t *gb;
	struct ctl_verify_result res;
	char msg[768];

	ck_assert_int_eq(ctl_builder_from_file(f, &b), CTL_OK);
	ck_assert_uint_eq(ctl_builder_nrecords(b), 5);
	ck_assert_int_eq(ctl_signer_new_pem(tu_pki("sast1.key"), tu_pki("sast1.pem"), &s, &d), CTL_OK);
	ck_assert_msg(ctl_builder_sign(b, s, &out, &len, &d) == CTL_OK, "%s",
	              ctl_diag_str(&d, msg, sizeof(msg)));
	ck_assert_int_eq(ctl_file_parse(out, len, 0, &g, &d), CTL_OK);
	gb = ctl_file_bytes(g, &glen);
	ck_assert_uint_eq(glen - ctl_file_header_length(g), sample_len - 388);
	ck_assert_mem_eq(gb + ctl_file_header_length(g), sample + 388, sample_len - 388);
	ck_assert_uint_eq(ctl_file_timestamp(g), 1767115542u);
	ck_assert_int_eq(ctl_file_kind(g), CTL_KIND_ITL);
	assert_text(ctl_file_filename(g), "ITLFile.tlv");
	/* signed by sast1, which is not in the list */
	ck_assert_int_eq(ctl_file_verify(g, &res), CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(res.signer_index, -1);
	free(out);
	ctl_file_free(g);
	ctl_signer_free(s);
	ctl_builder_free(b);
	ctl_file_free(f);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("sample");
	TCase *ok = tcase_create("ok");
	TCase *ver = tcase_create("verify");
	TCase *tr = tcase_create("truncated");

	tcase_add_checked_fixture(ok, load_sample, free_sample);
	tcase_add_test(ok, sample_header);
	tcase_add_test(ok, sample_header_elems);
	tcase_add_loop_test(ok, sample_records, 0, 5);
	tcase_add_test(ok, sample_roles);
	tcase_add_test(ok, sample_sizes_add_up);
	tcase_add_test(ok, sample_checksums);
	tcase_add_loop_test(ok, sample_record_content_matches_cert, 0, 5);
	tcase_add_test(ok, sample_serial_bytes);
	tcase_add_test(ok, sample_show);
	tcase_add_test(ok, sample_rebuild_keeps_records);
	suite_add_tcase(s, ok);

	tcase_add_checked_fixture(ver, load_sample, free_sample);
	tcase_set_timeout(ver, 120);
	tcase_add_test(ver, sample_verifies);
	tcase_add_test(ver, sample_load);
	tcase_add_test(ver, sample_flip_every_signed_byte);
	tcase_add_test(ver, sample_flip_signature);
	tcase_add_test(ver, sample_digest_code_changed);
	suite_add_tcase(s, ver);

	tcase_add_checked_fixture(tr, load_sample, free_sample);
	tcase_set_timeout(tr, 120);
	tcase_add_test(tr, sample_truncated_every_offset);
	suite_add_tcase(s, tr);
	return s;
}

CTL_TEST_MAIN(make_suite)
