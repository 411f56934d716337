/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name strings (libctl/name.c, section 8): CUCM's form
 * "CN=..;OU=..;O=..;L=..;ST=..;C=.." whatever the certificate's order, the
 * RFC 4514 form kept, hostile names (empty, multi-valued RDNs, ';' ',' '='
 * and non-ASCII in values, very long), matching of any mix of forms, the
 * builder writing either form and the verifier finding a signer whose
 * records and header use different forms. Role 5 is SRST.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>
#include <ctl/sbd.h>

#include "testutil.h"

/* A name from "TYPE=value" pairs in DER order; a type prefixed '+' joins the previous RDN. */
static X509_NAME *
mkname(const char *const *pairs, size_t n)
{
	X509_NAME *nm = X509_NAME_new();
	size_t i;

	ck_assert_ptr_nonnull(nm);
	for (i = 0; i + 1 < n; i += 2) {
		const char *t = pairs[i];
		int set = 0;

		if (t[0] == '+') {
			t++;
			set = -1;
		}
		ck_assert_msg(X509_NAME_add_entry_by_txt(nm, t, MBSTRING_UTF8,
		                                         (const unsigned char *)pairs[i + 1], -1, -1,
		                                         set) == 1, "adding %s", t);
	}
	return nm;
}

static char *
fmt(const X509_NAME *nm, enum ctl_name_format f)
{
	char *s = NULL;

	ck_assert_int_eq(ctl_name_format_string(nm, f, &s), CTL_OK);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* CUCM form of nm is want, and it matches nm's RFC 4514 form and the certificate's name. */
static void
cucm_is(const X509_NAME *nm, const char *want)
{
	char *c = fmt(nm, CTL_NAME_CUCM), *r = fmt(nm, CTL_NAME_RFC4514), *canon = NULL;
	char *ccanon = NULL;

	ck_assert_str_eq(c, want);
	ck_assert_msg(ctl_name_text_equal(c, r), "%s vs %s", c, r);
	ck_assert_msg(ctl_name_text_equal(r, c), "%s vs %s", r, c);
	ck_assert_int_eq(ctl_name_canon_x509(nm, &canon), CTL_OK);
	ck_assert_int_eq(ctl_name_canon(c, strlen(c), &ccanon), CTL_OK);
	ck_assert_str_eq(canon, ccanon);
	free(canon);
	free(ccanon);
	free(c);
	free(r);
}

/* ---- writing -------------------------------------------------------------- */

START_TEST(cucm_fixed_order)
{
	static const char *const der[] = { "C", "US", "ST", "NC", "L", "RTP", "O", "Example Voice",
	                                   "OU", "UC", "CN", "cucm-pub.example.lab" };
	static const char *const shuffled[] = { "OU", "UC", "C", "US", "CN", "cucm-pub.example.lab",
	                                        "L", "RTP", "O", "Example Voice", "ST", "NC" };
	static const char *const two[] = { "O", "Cisco Systems", "CN", "Cisco Manufacturing CA" };
	X509_NAME *a = mkname(der, 12), *b = mkname(shuffled, 12), *c = mkname(two, 4);
	char *r = fmt(a, CTL_NAME_RFC4514), *old = NULL;

	cucm_is(a, "CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US");
	cucm_is(b, "CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US");
	cucm_is(c, "CN=Cisco Manufacturing CA;O=Cisco Systems");
	/* The RFC 4514 form is ctl_name_string's, unchanged. */
	ck_assert_int_eq(ctl_name_string(a, &old), CTL_OK);
	ck_assert_str_eq(r, old);
	ck_assert_str_eq(r, "C=US,ST=NC,L=RTP,O=Example Voice,OU=UC,CN=cucm-pub.example.lab");
	free(r);
	free(old);
	X509_NAME_free(a);
	X509_NAME_free(b);
	X509_NAME_free(c);
}
END_TEST

START_TEST(cucm_other_types_after_c)
{
	static const char *const der[] = { "DC", "lab", "C", "US", "emailAddress", "pki@example.lab",
	                                   "CN", "x", "1.2.3.4", "opaque", "serialNumber", "42",
	                                   "OU", "a", "OU", "b" };
	X509_NAME *a = mkname(der, 16);

	/* Two OUs keep the certificate's order; others follow C in the certificate's order. */
	cucm_is(a, "CN=x;OU=a;OU=b;C=US;DC=lab;emailAddress=pki@example.lab;1.2.3.4=opaque;"
	           "serialNumber=42");
	X509_NAME_free(a);
}
END_TEST

START_TEST(cucm_empty_and_multivalued)
{
	static const char *const mv[] = { "O", "Cisco Systems", "CN", "SAST-ADN1", "+UID", "u1" };
	X509_NAME *e = X509_NAME_new(), *m = mkname(mv, 6);
	char *s = fmt(e, CTL_NAME_CUCM);

	ck_assert_str_eq(s, "");
	free(s);
	/* A multi-valued RDN is written as separate attributes, still matching RFC 4514's '+'. */
	cucm_is(m, "CN=SAST-ADN1;O=Cisco Systems;UID=u1");
	ck_assert(ctl_name_text_equal("CN=SAST-ADN1;O=Cisco Systems;UID=u1",
	                              "O=Cisco Systems,CN=SAST-ADN1+UID=u1"));
	X509_NAME_free(e);
	X509_NAME_free(m);
}
END_TEST

START_TEST(cucm_values_unescaped)
{
	static const char *const v[] = { "C", "DE", "O", "M\xc3\xbcller, Schmidt = Partner",
	                                 "OU", "a;b", "CN", "Voice \"lab\" #1+2<3>\\" };
	X509_NAME *a = mkname(v, 8);
	char *r = fmt(a, CTL_NAME_RFC4514);

	/* No escaping at all: ',' '=' '"' '+' '\' and UTF-8 bytes as they are; ';' in a value too,
	 * since what follows it does not read as an attribute type. */
	cucm_is(a, "CN=Voice \"lab\" #1+2<3>\\;OU=a;b;O=M\xc3\xbcller, Schmidt = Partner;C=DE");
	ck_assert_ptr_nonnull(strstr(r, "a\\;b"));
	free(r);
	X509_NAME_free(a);
}
END_TEST

START_TEST(cucm_refuses_ambiguous)
{
	static const char *const semi[] = { "O", "Foo;OU=Bar", "CN", "x" };
	static const char *const semi_sp[] = { "O", "Foo; c = x", "CN", "x" };
	static const char *const quoted[] = { "CN", "\"x\"" };
	static const char *const oid[] = { "O", "a;2.5.4.3=b", "CN", "x" };
	const char *const *cases[] = { semi, semi_sp, quoted, oid };
	size_t ns[] = { 4, 4, 2, 4 }, i;

	for (i = 0; i < 4; i++) {
		X509_NAME *a = mkname(cases[i], ns[i]);
		char *s = (char *)1, *r = fmt(a, CTL_NAME_RFC4514), *c1 = NULL, *c2 = NULL;

		/* CUCM's form cannot say it so that it reads back: refused, not mis-split. */
		ck_assert_int_eq(ctl_name_format_string(a, CTL_NAME_CUCM, &s), CTL_E_CERT);
		ck_assert_ptr_null(s);
		/* RFC 4514 escapes it and reads back as the certificate's name. */
		ck_assert_int_eq(ctl_name_canon(r, strlen(r), &c1), CTL_OK);
		ck_assert_int_eq(ctl_name_canon_x509(a, &c2), CTL_OK);
		ck_assert_str_eq(c1, c2);
		free(c1);
		free(c2);
		free(r);
		X509_NAME_free(a);
	}
}
END_TEST

START_TEST(long_names)
{
	X509_NAME *a = X509_NAME_new(), *b = X509_NAME_new();
	char v[64], *c, *r, *s = (char *)1;
	int i;

	/* 300 attributes, about 19 KB: written, matched across forms. */
	for (i = 0; i < 300; i++) {
		snprintf(v, sizeof(v), "unit-%04d-%s", i, "abcdefghijklmnopqrstuvwxyzabcdefghijklmno");
		ck_assert_int_eq(X509_NAME_add_entry_by_txt(a, "OU", MBSTRING_ASC,
		                                            (const unsigned char *)v, -1, -1, 0), 1);
	}
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(a, "CN", MBSTRING_ASC,
	                                            (const unsigned char *)"long", -1, -1, 0), 1);
	c = fmt(a, CTL_NAME_CUCM);
	r = fmt(a, CTL_NAME_RFC4514);
	ck_assert_uint_gt(strlen(c), 15000);
	ck_assert(strncmp(c, "CN=long;OU=unit-0000-", 21) == 0);
	ck_assert(ctl_name_text_equal(c, r));
	free(c);
	free(r);
	/* Beyond what a 16-bit element length holds: refused. */
	for (i = 0; i < 1200; i++) {
		snprintf(v, sizeof(v), "unit-%04d-%s", i, "abcdefghijklmnopqrstuvwxyzabcdefghijklmno");
		ck_assert_int_eq(X509_NAME_add_entry_by_txt(b, "OU", MBSTRING_ASC,
		                                            (const unsigned char *)v, -1, -1, 0), 1);
	}
	ck_assert_int_eq(ctl_name_format_string(b, CTL_NAME_CUCM, &s), CTL_E_TOO_LARGE);
	ck_assert_ptr_null(s);
	X509_NAME_free(a);
	X509_NAME_free(b);
}
END_TEST

/* ---- reading and matching ---------------------------------------------------- */

START_TEST(equal_any_form)
{
	static const char cucm[] = "CN=cucm-1051-a-pub;OU=TAC;O=Cisco;L=Krakow;ST=Malopolska;C=PL";

	ck_assert(ctl_name_text_equal(cucm, cucm));
	ck_assert(ctl_name_text_equal(cucm, "C=PL,ST=Malopolska,L=Krakow,O=Cisco,OU=TAC,"
	                                    "CN=cucm-1051-a-pub"));
	ck_assert(ctl_name_text_equal(cucm, "CN=cucm-1051-a-pub,OU=TAC,O=Cisco,L=Krakow,"
	                                    "ST=Malopolska,C=PL"));
	/* The web copy's "; ST=" and case differences. */
	ck_assert(ctl_name_text_equal(cucm, "cn=CUCM-1051-a-pub;ou=TAC;o=Cisco;L=Krakow; "
	                                    "ST=Malopolska;c=pl"));
	/* The eToken form: quoted, space-padded, lower-case types. */
	ck_assert(ctl_name_text_equal("cn=\"SAST-ADN008580ef        \";ou=IPCBU;o=\"Cisco Systems\"",
	                              "O=Cisco Systems,OU=IPCBU,CN=SAST-ADN008580ef"));
	ck_assert(ctl_name_text_equal("cn=Cisco Manufacturing CA;o=Cisco Systems",
	                              "O=Cisco Systems,CN=Cisco Manufacturing CA"));
	/* A ',' in a CUCM value is RFC 4514's escaped ','; with one attribute too. */
	ck_assert(ctl_name_text_equal("CN=Cisco Systems, Inc.;C=US", "C=US,CN=Cisco Systems\\, Inc."));
	ck_assert(ctl_name_text_equal("CN=Cisco Systems, Inc.", "CN=Cisco Systems\\2C Inc."));
	/* A ';' in a CUCM value where no attribute type follows it. */
	ck_assert(ctl_name_text_equal("CN=x;O=Foo; Inc;C=US", "C=US,O=Foo\\; Inc,CN=x"));
	/* OIDs and aliases. */
	ck_assert(ctl_name_text_equal("2.5.4.3=x;E=a@b", "emailAddress=a@b,CN=x"));
	/* UTF-8 bytes compared as they are. */
	ck_assert(ctl_name_text_equal("CN=M\xc3\xbcller;C=DE", "C=DE,CN=M\xc3\xbcller"));
	ck_assert(!ctl_name_text_equal("CN=M\xc3\xbcller;C=DE", "C=DE,CN=M\xc3\x9cller"));
}
END_TEST

START_TEST(differences_stay)
{
	ck_assert(!ctl_name_text_equal("CN=a;O=b", "CN=a;O=c"));
	ck_assert(!ctl_name_text_equal("CN=a;O=b", "CN=a;O=b;C=US"));
	ck_assert(!ctl_name_text_equal("CN=a;O=b", "O=a,CN=b"));
	ck_assert(!ctl_name_text_equal("CN=a;OU=b", "CN=a;OU=b;OU=b"));
	/* A backslash is literal in CUCM's form, an escape in RFC 4514's. */
	ck_assert(!ctl_name_text_equal("CN=a\\;O=b", "CN=a;O=b"));
	ck_assert(!ctl_name_text_equal(NULL, "CN=a"));
	ck_assert(!ctl_name_text_equal("CN=a", NULL));
	/* Unreadable strings equal only themselves. */
	ck_assert(ctl_name_text_equal("no equals", "no equals"));
	ck_assert(!ctl_name_text_equal("no equals", "no  equals"));
	ck_assert(ctl_name_text_equal("", ""));
	ck_assert(!ctl_name_text_equal("", "CN=a"));
	/* Bytes: a trailing NUL (as files store names) is not part of the name. */
	ck_assert(ctl_name_bytes_equal("CN=a;O=b", 9, "O=b,CN=a", 8));
	ck_assert(!ctl_name_bytes_equal("CN=a\0;O=b", 10, "CN=a", 4));
}
END_TEST

START_TEST(hostile_bounded)
{
	size_t n = 200000, i;
	char *s = malloc(n + 1), *out = (char *)1;

	ck_assert_ptr_nonnull(s);
	/* 50,000 attributes: refused as too many, quickly and without a crash. */
	for (i = 0; i < n; i += 4)
		memcpy(s + i, "C=x;", 4);
	s[n] = '\0';
	ck_assert_int_eq(ctl_name_canon(s, n, &out), CTL_E_TOO_LARGE);
	ck_assert_ptr_null(out);
	ck_assert(ctl_name_text_equal(s, s));
	s[0] = 'D';
	ck_assert(!ctl_name_text_equal(s, s + 4));
	/* Separators only, a lone quote, NUL inside. */
	memset(s, ';', 1000);
	ck_assert_int_eq(ctl_name_canon(s, 1000, &out), CTL_E_INVAL);
	/* Long runs of separators read in one pass (each ';' of a run looks ahead to the same place):
	 * CN=a, 150,000 ';' or ',' and spaces, then O=b. */
	for (i = 0; i < 2; i++) {
		char *big = malloc(150010), sep = i == 0 ? ';' : ',';
		size_t k;

		ck_assert_ptr_nonnull(big);
		memcpy(big, "CN=a", 4);
		for (k = 4; k < 150004; k++)
			big[k] = k % 3 == 0 ? ' ' : sep;
		memcpy(big + 150004, "O=b", 4);
		ck_assert_int_eq(ctl_name_canon(big, 150007, &out), CTL_OK);
		ck_assert_str_eq(out, "CN=a\nO=b");
		free(out);
		big[150005] = ' '; /* no attribute follows any more */
		ck_assert_int_eq(ctl_name_canon(big, 150007, &out), CTL_OK);
		ck_assert_uint_gt(strlen(out), 1000);
		free(out);
		free(big);
	}
	ck_assert_int_eq(ctl_name_canon("CN=\"abc;O=x", 11, &out), CTL_OK);
	free(out);
	ck_assert_int_eq(ctl_name_canon("CN=a\0;O=b", 9, &out), CTL_E_INVAL);
	ck_assert_int_eq(ctl_name_canon("=a", 2, &out), CTL_E_INVAL);
	free(s);
}
END_TEST

START_TEST(canon_shape)
{
	char *s = NULL;

	ck_assert_int_eq(ctl_name_canon(" CN = Foo   Bar ;C=US;", 22, &s), CTL_OK);
	ck_assert_str_eq(s, "C=us\nCN=foo bar");
	free(s);
	ck_assert_int_eq(ctl_name_canon("E=a@b.example,S=NC,2.5.4.3=x", 28, &s), CTL_OK);
	ck_assert_str_eq(s, "CN=x\nEMAILADDRESS=a@b.example\nST=nc");
	free(s);
	/* A control byte or a backslash cannot fake a separator. */
	ck_assert_int_eq(ctl_name_canon("CN=a\\0aO=b,O=c\\\\", 16, &s), CTL_OK);
	ck_assert_str_eq(s, "CN=a\\0ao=b\nO=c\\5c");
	free(s);
	/* A type is a keyword or an OID: no DEL, backslash or space inside. */
	ck_assert_int_eq(ctl_name_canon("C\x7fN=a", 5, &s), CTL_E_INVAL);
	ck_assert_int_eq(ctl_name_canon("C\\N=a", 5, &s), CTL_E_INVAL);
	ck_assert_int_eq(ctl_name_canon("C N=a", 5, &s), CTL_E_INVAL);
	ck_assert_int_eq(ctl_name_canon(";;;", 3, &s), CTL_E_INVAL);
	ck_assert_int_eq(ctl_name_canon("", 0, &s), CTL_E_INVAL);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(canon_certificates)
{
	X509 *tvs = tu_cert("tvs1"), *sast = tu_cert("sast1");
	char *a = NULL, *b = NULL;
	static const char tvs_cucm[] =
		"CN=cucm-pub-tvs.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US";

	ck_assert_int_eq(ctl_name_canon_x509(X509_get_issuer_name(tvs), &a), CTL_OK);
	ck_assert_int_eq(ctl_name_canon(tvs_cucm, strlen(tvs_cucm), &b), CTL_OK);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ck_assert_int_eq(ctl_name_canon_x509(X509_get_issuer_name(sast), &a), CTL_OK);
	ck_assert_str_eq(a, "CN=cisco manufacturing ca\nO=cisco systems");
	free(a);
	X509_free(tvs);
	X509_free(sast);
}
END_TEST

/* ---- files ---------------------------------------------------------------- */

static char *
elem_text(const struct ctl_bytes b)
{
	char *s = malloc(b.len + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, b.p, b.len);
	s[b.len] = '\0';
	ck_assert_uint_eq(strlen(s) + 1, b.len); /* text + one NUL */
	return s;
}

/* Builds the standard CTL with sast1 in form f (or the default when f < 0). */
static struct ctl_file *
build_std(int f)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, TU_NSTD);
	struct ctl_signer *s = tu_signer("sast1");
	struct ctl_file *file;
	uint8_t *p;
	size_t n;

	if (f >= 0)
		ck_assert_int_eq(ctl_builder_set_name_format(b, (enum ctl_name_format)f), CTL_OK);
	ctl_builder_set_timestamp(b, 1700000000u);
	p = tu_sign(b, s, &n);
	file = tu_parse(p, n);
	free(p);
	ctl_builder_free(b);
	ctl_signer_free(s);
	return file;
}

static void
names_are(const struct ctl_file *f, enum ctl_name_format form)
{
	X509 *signer = tu_cert("sast1");
	char *want = NULL, *got;
	size_t i;

	ck_assert_int_eq(ctl_name_format_string(X509_get_subject_name(signer), form, &want), CTL_OK);
	got = elem_text(ctl_file_signer_name(f));
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	ck_assert_int_eq(ctl_name_format_string(X509_get_issuer_name(signer), form, &want), CTL_OK);
	got = elem_text(ctl_file_signer_caname(f));
	ck_assert_str_eq(got, want);
	free(got);
	free(want);
	for (i = 0; i < TU_NSTD; i++) {
		const struct ctl_record *r = ctl_file_record(f, i);
		X509 *x = tu_cert(tu_std_ents[i].name);

		ck_assert_int_eq(ctl_name_format_string(X509_get_subject_name(x), form, &want), CTL_OK);
		got = elem_text(r->subject);
		ck_assert_str_eq(got, want);
		free(got);
		free(want);
		ck_assert_int_eq(ctl_name_format_string(X509_get_issuer_name(x), form, &want), CTL_OK);
		got = elem_text(r->issuer);
		ck_assert_str_eq(got, want);
		free(got);
		free(want);
		X509_free(x);
	}
	X509_free(signer);
}

START_TEST(builder_default_cucm)
{
	struct ctl_file *d = build_std(-1), *c = build_std(CTL_NAME_CUCM), *r = build_std(CTL_NAME_RFC4514);
	struct ctl_verify_result res;
	struct ctl_builder *b = NULL;
	char *got = elem_text(ctl_file_signer_name(d));

	ck_assert_ptr_null(strchr(got, ','));
	ck_assert(strncmp(got, "CN=", 3) == 0);
	free(got);
	names_are(d, CTL_NAME_CUCM);
	names_are(c, CTL_NAME_CUCM);
	names_are(r, CTL_NAME_RFC4514);
	ck_assert_int_eq(ctl_file_verify(d, &res), CTL_OK);
	ck_assert_int_eq(ctl_file_verify(r, &res), CTL_OK);
	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_name_format(b, (enum ctl_name_format)2), CTL_E_INVAL);
	ctl_builder_free(b);
	ctl_file_free(d);
	ctl_file_free(c);
	ctl_file_free(r);
}
END_TEST

/* Re-signs f's records (kept verbatim) with a header in form hf. */
static struct ctl_file *
resign(const struct ctl_file *f, enum ctl_name_format hf)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = tu_signer("sast1");
	struct ctl_file *out;
	uint8_t *p;
	size_t n;

	ck_assert_int_eq(ctl_builder_from_file(f, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_name_format(b, hf), CTL_OK);
	p = tu_sign(b, s, &n);
	out = tu_parse(p, n);
	free(p);
	ctl_builder_free(b);
	ctl_signer_free(s);
	return out;
}

START_TEST(verify_mixed_forms)
{
	struct ctl_file *r = build_std(CTL_NAME_RFC4514), *c = build_std(CTL_NAME_CUCM);
	struct ctl_file *rc = resign(r, CTL_NAME_CUCM), *cr = resign(c, CTL_NAME_RFC4514);
	struct ctl_verify_result res;
	static const uint16_t sast[] = { CTL_ROLE_SAST };

	/* Records in one form, header in the other: the signer is still found. */
	ck_assert_msg(ctl_file_verify(rc, &res) == CTL_OK, "%s", res.reason);
	ck_assert_int_eq(res.signer_index, 0);
	ck_assert_msg(ctl_file_verify(cr, &res) == CTL_OK, "%s", res.reason);
	/* A held list in the other form trusts the new one's signer. */
	ck_assert_msg(ctl_file_verify_trusted(c, r, &res) == CTL_OK, "%s", res.reason);
	ck_assert_msg(ctl_file_verify_trusted(r, c, &res) == CTL_OK, "%s", res.reason);
	ck_assert_msg(ctl_file_verify_with(rc, c, sast, 1, &res) == CTL_OK, "%s", res.reason);
	ck_assert_msg(ctl_file_verify_with(c, r, sast, 1, &res) == CTL_OK, "%s", res.reason);
	ctl_file_free(r);
	ctl_file_free(c);
	ctl_file_free(rc);
	ctl_file_free(cr);
}
END_TEST

/* A self-signed certificate named by pairs (mkname), with sast1's key. */
static X509 *
mkcert_named(const char *const *pairs, size_t n)
{
	EVP_PKEY *k = tu_key("sast1");
	X509 *x = X509_new();
	X509_NAME *nm = mkname(pairs, n);

	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(X509_set_version(x, 2), 1);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), 4242), 1);
	ck_assert_int_eq(X509_set_subject_name(x, nm), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, nm), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
	ck_assert_int_eq(X509_set_pubkey(x, k), 1);
	ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);
	X509_NAME_free(nm);
	EVP_PKEY_free(k);
	return x;
}

START_TEST(builder_refuses_unwritable)
{
	static const char *const semi[] = { "O", "Foo;OU=Bar", "CN", "x" };
	X509 *x = mkcert_named(semi, 4);
	struct ctl_builder *b = NULL;
	struct ctl_diag d;

	/* Refused when added, with a message that says why and what to use instead. */
	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, x, CTL_ROLE_CCM, NULL, NULL, &d), CTL_E_CERT);
	ck_assert_ptr_nonnull(strstr(d.msg, "subject"));
	ck_assert_ptr_nonnull(strstr(d.msg, "RFC 4514"));
	ck_assert_uint_eq(ctl_builder_nrecords(b), 0);
	ck_assert_int_eq(ctl_builder_set_name_format(b, CTL_NAME_RFC4514), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, x, CTL_ROLE_CCM, NULL, NULL, &d), CTL_OK);
	ctl_builder_free(b);
	X509_free(x);
}
END_TEST

/* The SBD builders (ctl-provider's ITL and reset ITL) write CUCM's form too. */
START_TEST(sbd_builder_cucm)
{
	X509 *cm = tu_cert("ccm1");
	EVP_PKEY *k = tu_key("ccm1");
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	struct ctl_file *f;
	uint8_t *p;
	size_t n;
	char *got;
	static const char want[] = "CN=cucm-pub.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US";

	ck_assert_int_eq(ctl_itl_reset_builder(cm, &b, &d), CTL_OK);
	ck_assert_int_eq(ctl_signer_new_pkey(k, cm, &s, &d), CTL_OK);
	p = tu_sign(b, s, &n);
	f = tu_parse(p, n);
	got = elem_text(ctl_file_signer_name(f));
	ck_assert_str_eq(got, want);
	free(got);
	got = elem_text(ctl_file_record(f, 0)->subject);
	ck_assert_str_eq(got, want);
	free(got);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	ctl_signer_free(s);
	EVP_PKEY_free(k);
	X509_free(cm);
}
END_TEST

START_TEST(role_srst)
{
	ck_assert_str_eq(ctl_role_short(CTL_ROLE_SRST), "SRST");
	ck_assert_ptr_nonnull(ctl_role_name(CTL_ROLE_SRST));
	ck_assert_str_eq(ctl_role_name(CTL_ROLE_SRST), "SRST");
	ck_assert_int_eq(ctl_role_parse("srst", 0, 65535), CTL_ROLE_SRST);
	ck_assert_int_eq(ctl_role_parse("SRST", 0, 65535), CTL_ROLE_SRST);
	ck_assert_int_eq(ctl_role_parse("app-server", 0, 65535), CTL_ROLE_APP_SERVER);
	ck_assert_int_eq(ctl_role_parse("tvs", 0, 65535), CTL_ROLE_TVS);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("name");
	TCase *w = tcase_create("write"), *r = tcase_create("read"), *f = tcase_create("files");

	tcase_add_test(w, cucm_fixed_order);
	tcase_add_test(w, cucm_other_types_after_c);
	tcase_add_test(w, cucm_empty_and_multivalued);
	tcase_add_test(w, cucm_values_unescaped);
	tcase_add_test(w, cucm_refuses_ambiguous);
	tcase_add_test(w, long_names);
	tcase_add_test(r, equal_any_form);
	tcase_add_test(r, differences_stay);
	tcase_add_test(r, hostile_bounded);
	tcase_add_test(r, canon_shape);
	tcase_add_test(r, canon_certificates);
	tcase_set_timeout(f, 60);
	tcase_add_test(f, builder_default_cucm);
	tcase_add_test(f, verify_mixed_forms);
	tcase_add_test(f, builder_refuses_unwritable);
	tcase_add_test(f, sbd_builder_cucm);
	tcase_add_test(f, role_srst);
	suite_add_tcase(s, w);
	suite_add_tcase(s, r);
	suite_add_tcase(s, f);
	return s;
}

CTL_TEST_MAIN(make_suite)
