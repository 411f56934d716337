/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier/register.c's trust rule (pv_reg_match_cert): which held
 * record, if any, lets a phone trust a CallManager's TLS certificate. A
 * held CTL decides alone and only through CCM (1) and CCM+TFTP (2)
 * records; without a CTL, an ITL's CCM+TFTP (2) and TFTP (3) records.
 * The same certificate under another role, a certificate one byte off, a
 * certificate only the ITL holds while a CTL is held, and nothing held are
 * all "not found".
 */
#include <string.h>

#include <openssl/x509.h>

#include "register.h"
#include "testutil.h"

static const struct tu_ent ctl_ents[] = {
	{ "sast1", CTL_ROLE_SAST, NULL, NULL }, { "sast2", CTL_ROLE_SAST, NULL, NULL },
	{ "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL }, { "ccm2", CTL_ROLE_CCM, NULL, NULL },
	{ "capf", CTL_ROLE_CAPF, NULL, NULL }, { "tvs1", CTL_ROLE_TFTP, NULL, NULL },
};
static const struct tu_ent itl_ents[] = {
	{ "ccm1", CTL_ROLE_SAST, NULL, NULL }, { "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL },
	{ "ccm2", CTL_ROLE_CCM, NULL, NULL }, { "tvs1", CTL_ROLE_TVS, NULL, NULL },
	{ "capf", CTL_ROLE_TFTP, NULL, NULL },
};

/* A held list of kind built from e, signed by signer. */
static struct pv_tl *
held(enum ctl_kind kind, const struct tu_ent *e, size_t n, const char *signer)
{
	struct ctl_builder *b = tu_builder(kind, e, n);
	struct ctl_signer *s = tu_signer(signer);
	struct pv_tl *tl = NULL;
	struct ctl_diag d;
	size_t len = 0;
	uint8_t *p = tu_sign(b, s, &len);

	ck_assert_int_eq(pv_tl_new(p, len, &tl, &d), CTL_OK);
	free(p);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return tl;
}

/* The rule for the test PKI's certificate name; *m filled. */
static void
match(const struct pv_trust *t, const char *name, struct pv_reg_match *m)
{
	X509 *x = tu_cert(name);
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	ck_assert_int_gt(n, 0);
	pv_reg_match_cert(t, der, (size_t)n, m);
	OPENSSL_free(der);
	X509_free(x);
}

static void
expect(const struct pv_trust *t, const char *name, const char *list, int record, uint16_t role)
{
	struct pv_reg_match m;

	match(t, name, &m);
	if (list == NULL) {
		ck_assert_msg(m.list == NULL, "%s found in %s record %d", name, m.list, m.record);
		ck_assert_int_eq(m.record, 0);
		return;
	}
	ck_assert_msg(m.list != NULL && strcmp(m.list, list) == 0, "%s not found in %s", name, list);
	ck_assert_int_eq(m.record, record);
	ck_assert_uint_eq(m.role, role);
}

START_TEST(ctl_decides)
{
	struct pv_trust t;

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_CTL, held(CTL_KIND_CTL, ctl_ents, 6, "sast1"));
	expect(&t, "ccm1", "CTL", 3, CTL_ROLE_CCM_TFTP);
	expect(&t, "ccm2", "CTL", 4, CTL_ROLE_CCM);
	/* listed, but not as a CallManager */
	expect(&t, "capf", NULL, 0, 0);
	expect(&t, "sast1", NULL, 0, 0);
	expect(&t, "tvs1", NULL, 0, 0);   /* TFTP only: a CTL's TFTP server is no CallManager */
	expect(&t, "phone1", NULL, 0, 0);
	/* an ITL beside the CTL changes nothing: the CTL decides alone */
	pv_trust_set(&t, CTL_KIND_ITL, held(CTL_KIND_ITL, itl_ents, 5, "ccm1"));
	expect(&t, "capf", NULL, 0, 0);
	expect(&t, "ccm2", "CTL", 4, CTL_ROLE_CCM);
	pv_trust_cleanup(&t);
}
END_TEST

START_TEST(itl_without_ctl)
{
	struct pv_trust t;

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, held(CTL_KIND_ITL, itl_ents, 5, "ccm1"));
	expect(&t, "ccm1", "ITL", 2, CTL_ROLE_CCM_TFTP);  /* not its SAST record 1 */
	expect(&t, "capf", "ITL", 5, CTL_ROLE_TFTP);
	expect(&t, "ccm2", NULL, 0, 0);   /* CCM without TFTP: not a role an ITL vouches with */
	expect(&t, "tvs1", NULL, 0, 0);
	expect(&t, "ccm2", NULL, 0, 0);
	pv_trust_cleanup(&t);
}
END_TEST

START_TEST(exact_bytes_only)
{
	struct pv_trust t;
	struct pv_reg_match m;
	X509 *x = tu_cert("ccm1");
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	pv_trust_init(&t);
	/* nothing held: nothing found */
	pv_reg_match_cert(&t, der, (size_t)n, &m);
	ck_assert_ptr_null(m.list);
	pv_trust_set(&t, CTL_KIND_CTL, held(CTL_KIND_CTL, ctl_ents, 6, "sast1"));
	pv_reg_match_cert(&t, der, (size_t)n, &m);
	ck_assert_int_eq(m.record, 3);
	/* one byte off (in the signature), one byte short, one byte more */
	der[n - 1] ^= 1;
	pv_reg_match_cert(&t, der, (size_t)n, &m);
	ck_assert_ptr_null(m.list);
	der[n - 1] ^= 1;
	pv_reg_match_cert(&t, der, (size_t)n - 1, &m);
	ck_assert_ptr_null(m.list);
	pv_reg_match_cert(&t, der, 0, &m);
	ck_assert_ptr_null(m.list);
	OPENSSL_free(der);
	X509_free(x);
	pv_trust_cleanup(&t);
}
END_TEST

START_TEST(mode_names)
{
	ck_assert_str_eq(pv_reg_mode_name(1), "non-secure");
	ck_assert_str_eq(pv_reg_mode_name(2), "authenticated");
	ck_assert_str_eq(pv_reg_mode_name(3), "encrypted");
	ck_assert_str_eq(pv_reg_mode_name(0), "unknown");
	ck_assert_int_eq(pv_reg_ccm_valid("127.0.0.1:5061"), 1);
	ck_assert_int_eq(pv_reg_ccm_valid("[::1]:2443"), 1);
	ck_assert_int_eq(pv_reg_ccm_valid("127.0.0.1"), 0);
	ck_assert_int_eq(pv_reg_ccm_valid("127.0.0.1:0"), 0);
	ck_assert_int_eq(pv_reg_ccm_valid("127.0.0.1:65536"), 0);
	ck_assert_int_eq(pv_reg_ccm_valid(":5061"), 0);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("register");
	TCase *tc = tcase_create("ok");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ctl_decides);
	tcase_add_test(tc, itl_without_ctl);
	tcase_add_test(tc, exact_bytes_only);
	tcase_add_test(tc, mode_names);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
