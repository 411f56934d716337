/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed files (.sgn, format section 10.4) through libctl: build with a
 * CCM+TFTP certificate, parse back (VERSION 1.0, FILENAME with .sgn, the
 * payload unchanged from HEADER_LENGTH on), verify against a trust list's
 * TFTP-capable records (also through a verifier's cached keys), and the
 * refusals: no signer in the file itself, wrong role, other signer, every
 * payload bit flip, truncation.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "testutil.h"

static const char payload[] =
	"<device xsi:type=\"axl:XIPPhone\"><fullConfig>true</fullConfig>"
	"<deviceProtocol>SIP</deviceProtocol></device>\n";

static struct ctl_signer *
signer(const char *name)
{
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	char key[512], crt[512];

	snprintf(key, sizeof(key), "%s.key", name);
	snprintf(crt, sizeof(crt), "%s.pem", name);
	snprintf(key, sizeof(key), "%s", tu_pki(key));
	snprintf(crt, sizeof(crt), "%s", tu_pki(crt));
	ck_assert_int_eq(ctl_signer_new_pem(key, crt, &s, &d), CTL_OK);
	return s;
}

static uint8_t *
make_sgn(const char *who, size_t *len)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = signer(who);
	struct ctl_diag d;
	uint8_t *out = NULL;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_filename(b, "SEP0011215A1AE3.cnf.xml.sgn"), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_payload(b, (const uint8_t *)payload, strlen(payload)), CTL_OK);
	ctl_builder_set_timestamp(b, 1700000000);
	ck_assert_int_eq(ctl_builder_sign(b, s, &out, len, &d), CTL_OK);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

/* A CTL listing ccm1 with role. */
static struct ctl_file *
list_with(uint16_t role)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = signer("sast1");
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	uint8_t *out = NULL;
	size_t n;
	X509 *c = NULL;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, s->cert, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_cert_load(tu_pki("ccm1.pem"), &c, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, c, role, "cucm-pub.example.lab", NULL, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_sign(b, s, &out, &n, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_parse(out, n, 0, &f, &d), CTL_OK);
	X509_free(c);
	free(out);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return f;
}

static const uint16_t tftp_roles[] = { CTL_ROLE_TFTP, CTL_ROLE_CCM_TFTP };

START_TEST(sgn_roundtrip)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	struct ctl_bytes b;
	uint8_t maj = 9, min = 9;
	size_t n;
	uint8_t *p = make_sgn("ccm1", &n);
	uint16_t hl;

	/* The .sgn FILENAME alone makes it a signed file; the flag forces it. */
	ck_assert_int_eq(ctl_file_parse(p, n, 0, &f, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_SGN);
	ctl_file_version(f, &maj, &min);
	ck_assert_uint_eq(maj, 1);
	ck_assert_uint_eq(min, 0);
	ck_assert_int_eq(ctl_file_signer_version(f, &maj, &min), 0);
	hl = ctl_file_header_length(f);
	ck_assert_uint_eq(hl % 4, 0);
	ck_assert_uint_eq(hl + strlen(payload), n);
	b = ctl_file_filename(f);
	ck_assert_uint_eq(b.len, strlen("SEP0011215A1AE3.cnf.xml.sgn") + 1);
	ck_assert_mem_eq(b.p, "SEP0011215A1AE3.cnf.xml.sgn", b.len);
	b = ctl_file_payload(f);
	ck_assert_uint_eq(b.len, strlen(payload));
	ck_assert_mem_eq(b.p, payload, b.len);
	ck_assert_mem_eq(p + hl, payload, b.len); /* stripping = bytes from HEADER_LENGTH on */
	ck_assert_uint_eq(ctl_file_nrecords(f), 0);
	ck_assert_uint_eq(ctl_file_timestamp(f), 1700000000);
	ctl_file_free(f);
	ck_assert_int_eq(ctl_file_parse(p, n, CTL_PARSE_SGN, &f, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_SGN);
	ctl_file_free(f);
	free(p);
}
END_TEST

START_TEST(sgn_verify_with_list)
{
	struct ctl_file *f = NULL, *l_tftp = list_with(CTL_ROLE_CCM_TFTP),
	                *l_only_tftp = list_with(CTL_ROLE_TFTP), *l_ccm = list_with(CTL_ROLE_CCM);
	struct ctl_verify_result res;
	struct ctl_diag d;
	size_t n;
	uint8_t *p = make_sgn("ccm1", &n);

	ck_assert_int_eq(ctl_file_parse(p, n, 0, &f, &d), CTL_OK);
	/* Its signer is not inside it. */
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_KIND);
	ck_assert_int_eq(ctl_file_verify_with(f, l_tftp, tftp_roles, 2, &res), CTL_OK);
	ck_assert_int_eq(res.signer_index, 1);
	ck_assert_int_eq(ctl_file_verify_with(f, l_only_tftp, tftp_roles, 2, &res), CTL_OK);
	ck_assert_int_eq(ctl_file_verify_with(f, l_ccm, tftp_roles, 2, &res), CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(res.signer_index, -1);
	ctl_file_free(f);
	free(p);
	/* Signed by ccm2: no record of the list matches. */
	p = make_sgn("ccm2", &n);
	ck_assert_int_eq(ctl_file_parse(p, n, 0, &f, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_verify_with(f, l_tftp, tftp_roles, 2, &res), CTL_E_SIGNER_NOT_FOUND);
	ctl_file_free(f);
	free(p);
	ctl_file_free(l_tftp);
	ctl_file_free(l_only_tftp);
	ctl_file_free(l_ccm);
}
END_TEST

/* f against l with and without the verifier: the same result, reason included. */
static enum ctl_err
same_with_ctx(struct ctl_verifier *v, const struct ctl_file *f, const struct ctl_file *l)
{
	struct ctl_verify_result a, b;
	enum ctl_err ra = ctl_file_verify_with(f, l, tftp_roles, 2, &a);
	enum ctl_err rb = ctl_file_verify_with_ctx(v, f, l, tftp_roles, 2, &b);

	ck_assert_int_eq(ra, rb);
	ck_assert_int_eq(a.err, b.err);
	ck_assert_int_eq(a.signer_index, b.signer_index);
	ck_assert_str_eq(a.reason, b.reason);
	return ra;
}

/*
 * ctl_file_verify_with_ctx keeps the signer's key in the verifier and
 * decides as ctl_file_verify_with: lists with and without an eligible
 * record, another signer, and payload flips after the key was cached.
 */
START_TEST(sgn_verify_with_ctx_same)
{
	struct ctl_file *l[3] = { list_with(CTL_ROLE_CCM_TFTP), list_with(CTL_ROLE_TFTP),
	                          list_with(CTL_ROLE_CCM) };
	struct ctl_verifier *v = NULL;
	struct ctl_file *f;
	struct ctl_diag d;
	size_t n1, n2, i, k, hl;
	uint8_t *p1 = make_sgn("ccm1", &n1), *p2 = make_sgn("ccm2", &n2);
	unsigned ok = 0, bad = 0;

	ck_assert_int_eq(ctl_verifier_new(&v), CTL_OK);
	hl = n1 - strlen(payload);
	for (k = 0; k < 3; k++) {
		f = NULL;
		ck_assert_int_eq(ctl_file_parse(p1, n1, 0, &f, &d), CTL_OK);
		ok += same_with_ctx(v, f, l[k]) == CTL_OK;
		ok += same_with_ctx(v, f, l[k]) == CTL_OK; /* the cached key */
		ctl_file_free(f);
		f = NULL;
		ck_assert_int_eq(ctl_file_parse(p2, n2, 0, &f, &d), CTL_OK);
		ck_assert_int_eq(same_with_ctx(v, f, l[k]), CTL_E_SIGNER_NOT_FOUND);
		ctl_file_free(f);
		for (i = hl; i < n1; i += 7) {
			p1[i] ^= 0x01;
			f = NULL;
			ck_assert_int_eq(ctl_file_parse(p1, n1, 0, &f, &d), CTL_OK);
			bad += same_with_ctx(v, f, l[k]) == CTL_E_SIG_INVALID;
			ctl_file_free(f);
			p1[i] ^= 0x01;
		}
	}
	ck_assert_uint_eq(ok, 4);      /* the two lists with a TFTP-capable ccm1, twice */
	ck_assert_uint_eq(bad, 2 * ((n1 - hl + 6) / 7));
	ctl_verifier_free(v);
	for (k = 0; k < 3; k++)
		ctl_file_free(l[k]);
	free(p1);
	free(p2);
}
END_TEST

START_TEST(sgn_payload_bit_flips)
{
	struct ctl_file *l = list_with(CTL_ROLE_CCM_TFTP), *f;
	struct ctl_verify_result res;
	struct ctl_diag d;
	size_t n, i, hl;
	uint8_t *p = make_sgn("ccm1", &n);

	hl = n - strlen(payload);
	for (i = hl; i < n; i++) {
		p[i] ^= 0x01;
		f = NULL;
		ck_assert_int_eq(ctl_file_parse(p, n, 0, &f, &d), CTL_OK);
		ck_assert_msg(ctl_file_verify_with(f, l, tftp_roles, 2, &res) == CTL_E_SIG_INVALID,
		              "flip at %zu verified", i);
		ctl_file_free(f);
		p[i] ^= 0x01;
	}
	ctl_file_free(l);
	free(p);
}
END_TEST

START_TEST(sgn_refusals)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = signer("ccm1");
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	uint8_t *out = NULL;
	size_t n = 0, cut;

	/* A signed file needs a name and a payload. */
	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_sign(b, s, &out, &n, &d), CTL_E_INVAL);
	ck_assert_ptr_null(out);
	ctl_builder_free(b);
	ctl_signer_free(s);
	/* Cut inside the header: a parse error, never a short payload. */
	out = make_sgn("ccm1", &n);
	for (cut = 1; cut < n - strlen(payload); cut += 7) {
		ck_assert_int_ne(ctl_file_parse(out, cut, 0, &f, &d), CTL_OK);
		ck_assert_ptr_null(f);
	}
	free(out);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("sgn");
	TCase *ok = tcase_create("ok"), *bad = tcase_create("malformed");

	tcase_set_timeout(ok, 60);
	tcase_set_timeout(bad, 120);
	tcase_add_test(ok, sgn_roundtrip);
	tcase_add_test(ok, sgn_verify_with_list);
	tcase_add_test(ok, sgn_verify_with_ctx_same);
	tcase_add_test(bad, sgn_payload_bit_flips);
	tcase_add_test(bad, sgn_refusals);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}

CTL_TEST_MAIN(make_suite)
