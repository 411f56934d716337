/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The token layer's error module (ctl-client/p11err.c): every code has its
 * own text, CK_RV names, and p11_fail() filling (and marking a cut) the
 * diagnostic. Linked with p11err.o alone: it depends on nothing.
 */
#include <string.h>

#include "p11err.h"
#include "testutil.h"

START_TEST(errors_have_text)
{
	int e;

	for (e = P11_OK; e < P11_E__COUNT; e++)
		ck_assert_str_ne(p11_strerror((enum p11_err)e), "unknown token error");
	ck_assert_str_eq(p11_strerror(P11_E__COUNT), "unknown token error");
}
END_TEST

START_TEST(ckr_names)
{
	char buf[32];

	ck_assert_str_eq(p11_ckr_name(0xa0, buf, sizeof(buf)), "CKR_PIN_INCORRECT");
	ck_assert_str_eq(p11_ckr_name(0xa4, buf, sizeof(buf)), "CKR_PIN_LOCKED");
	ck_assert_str_eq(p11_ckr_name(0x12345, buf, sizeof(buf)), "CKR_0x12345");
}
END_TEST

START_TEST(fail_fills_diag)
{
	struct p11_diag d;
	char big[700];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	d.has_ckr = 1;
	ck_assert_int_eq(p11_fail(&d, P11_E_NO_KEY, "token %d: %s", 7, "gone"), P11_E_NO_KEY);
	ck_assert_int_eq(d.err, P11_E_NO_KEY);
	ck_assert_int_eq(d.has_ckr, 0);
	ck_assert_str_eq(d.msg, "token 7: gone");
	ck_assert_int_eq(p11_fail(&d, P11_E_URI, "%s", big), P11_E_URI);
	ck_assert_uint_eq(strlen(d.msg), sizeof(d.msg) - 1);
	ck_assert_str_eq(d.msg + sizeof(d.msg) - 4, "...");
	ck_assert_int_eq(p11_fail(NULL, P11_E_SIGN, "no diag"), P11_E_SIGN);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("p11err");
	TCase *ok = tcase_create("ok");

	tcase_add_test(ok, errors_have_text);
	tcase_add_test(ok, ckr_names);
	tcase_add_test(ok, fail_fills_diag);
	suite_add_tcase(s, ok);
	return s;
}

CTL_TEST_MAIN(make_suite)
