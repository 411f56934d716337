/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line's shared helpers (ctl-client/cli.c, cliopts.c): every
 * libctl and token error code maps to a documented exit status, and the
 * shared option values are parsed with their bounds.
 */
#include <stdint.h>

#include "cli.h"
#include "testutil.h"

START_TEST(p11_exit_statuses)
{
	int e;

	for (e = P11_OK; e < P11_E__COUNT; e++)
		ck_assert_int_ne(cli_p11_exit_for((enum p11_err)e), EXIT_FAIL);
	ck_assert_int_eq(cli_p11_exit_for(P11_OK), 0);
	ck_assert_int_eq(cli_p11_exit_for(P11_E_URI), 2);
	ck_assert_int_eq(cli_p11_exit_for(P11_E_PIN_CONFLICT), 2);
	ck_assert_int_eq(cli_p11_exit_for(P11_E_MODULE_LOAD), 6);
	ck_assert_int_eq(cli_p11_exit_for(P11_E_NO_KEY), 6);
	ck_assert_int_eq(cli_p11_exit_for(P11_E_PIN_INCORRECT), 7);
	ck_assert_int_eq(cli_p11_exit_for(P11_E_PIN_LOCKED), 7);
	ck_assert_int_eq(cli_p11_exit_for(P11_E_PIN_SOURCE), 7);
	ck_assert_int_eq(cli_p11_exit_for(P11_E_NOMEM), 9);
	ck_assert_int_eq(cli_p11_exit_for(P11_E__COUNT), 9);
}
END_TEST

START_TEST(ctl_exit_statuses)
{
	ck_assert_int_eq(cli_exit_for(CTL_OK), 0);
	ck_assert_int_eq(cli_exit_for(CTL_E_SIG_INVALID), 1);
	ck_assert_int_eq(cli_exit_for(CTL_E_INVAL), 2);
	ck_assert_int_eq(cli_exit_for(CTL_E_TRUNCATED), 3);
	ck_assert_int_eq(cli_exit_for(CTL_E_TOO_FEW_SAST), 4);
	ck_assert_int_eq(cli_exit_for(CTL_E_IO), 5);
	ck_assert_int_eq(cli_exit_for(CTL_E_SIGNER), 6);
	ck_assert_int_eq(cli_exit_for(CTL_E_CRYPTO), 9);
	ck_assert_int_eq(cli_exit_for(CTL_E__COUNT), 9);
}
END_TEST

START_TEST(option_values)
{
	enum ctl_digest dg = CTL_DIGEST_SHA256;
	uint32_t ts = 7;

	ck_assert_int_eq(cli_parse_digest("sha1", &dg), 0);
	ck_assert_int_eq(dg, CTL_DIGEST_SHA1);
	ck_assert_int_eq(cli_parse_digest("sha512", &dg), 0);
	ck_assert_int_eq(dg, CTL_DIGEST_SHA512);
	ck_assert_int_eq(cli_parse_digest("sha256", &dg), -1);
	ck_assert_int_eq(dg, CTL_DIGEST_SHA512);
	ck_assert_int_eq(cli_parse_timestamp("4294967295", &ts), 0);
	ck_assert_uint_eq(ts, 4294967295u);
	ck_assert_int_eq(cli_parse_timestamp("4294967296", &ts), -1);
	ck_assert_int_eq(cli_parse_timestamp("-1", &ts), -1);
	ck_assert_uint_eq(ts, 4294967295u);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *ok = tcase_create("ok");

	tcase_add_test(ok, p11_exit_statuses);
	tcase_add_test(ok, ctl_exit_statuses);
	tcase_add_test(ok, option_values);
	suite_add_tcase(s, ok);
	return s;
}

CTL_TEST_MAIN(make_suite)
