/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier/num.c and netopt.c: bounded option numbers (exact bounds,
 * one past them, garbage), MAC addresses, and the shared TFTP options with
 * their special values (--blksize 0, --retransmit 0).
 */
#include <string.h>

#include "netopt.h"
#include "num.h"
#include "testutil.h"

START_TEST(numbers)
{
	unsigned long long v = 7;

	ck_assert_int_eq(pv_num("--count", "1", 1, 1000000, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(pv_num("--count", "1000000", 1, 1000000, &v), 0);
	ck_assert_uint_eq(v, 1000000);
	ck_assert_int_eq(pv_num("--count", "0", 1, 1000000, &v), -1);
	ck_assert_int_eq(pv_num("--count", "1000001", 1, 1000000, &v), -1);
	ck_assert_int_eq(pv_num("--count", "12x", 1, 1000000, &v), -1);
	ck_assert_int_eq(pv_num("--count", "", 1, 1000000, &v), -1);
	ck_assert_int_eq(pv_num("--count", "-1", 0, 10, &v), -1);
	ck_assert_int_eq(pv_num("--seed", "18446744073709551615", 0, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
}
END_TEST

START_TEST(macs)
{
	char m[13] = "unchanged!!!";

	ck_assert_int_eq(pv_mac_parse("0011215a1ae3", m), 0);
	ck_assert_str_eq(m, "0011215A1AE3");
	memcpy(m, "unchanged!!!", 13);
	ck_assert_int_eq(pv_mac_parse("0011215A1AE", m), -1);
	ck_assert_int_eq(pv_mac_parse("0011215A1AE30", m), -1);
	ck_assert_int_eq(pv_mac_parse("0011215A1AEG", m), -1);
	ck_assert_int_eq(pv_mac_parse("00:11:21:5A", m), -1);
	ck_assert_str_eq(m, "unchanged!!!");
}
END_TEST

START_TEST(net_options)
{
	struct pv_env_cfg cfg;

	pv_net_defaults(&cfg);
	ck_assert_uint_eq(cfg.blksize, 1468);
	ck_assert_uint_eq(cfg.timeout_ms, 1000);
	ck_assert_uint_eq(cfg.retries, 5);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_TFTP, "127.0.0.1:69"), 1);
	ck_assert_str_eq(cfg.tftp, "127.0.0.1:69");
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_BLKSIZE, "0"), 1);
	ck_assert_uint_eq(cfg.blksize, 0);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_BLKSIZE, "7"), -1);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_BLKSIZE, "8"), 1);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_BLKSIZE, "65465"), -1);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_WINDOWSIZE, "65"), -1);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_RETRANSMIT, "0"), 1);
	ck_assert_int_eq(cfg.no_resend, 1);
	ck_assert_uint_eq(cfg.timeout_ms, 1000);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_RETRANSMIT, "9"), -1);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_RETRANSMIT, "250"), 1);
	ck_assert_int_eq(cfg.no_resend, 0);
	ck_assert_uint_eq(cfg.timeout_ms, 250);
	ck_assert_int_eq(pv_net_opt(&cfg, PV_O_LOSS, "91"), -1);
	ck_assert_int_eq(pv_net_opt(&cfg, 'x', "1"), 0);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("num");
	TCase *tc = tcase_create("ok");

	tcase_add_test(tc, numbers);
	tcase_add_test(tc, macs);
	tcase_add_test(tc, net_options);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
