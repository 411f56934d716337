/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request-name validation and per-device mapping
 * (libtftp/tftp_map.c).
 */
#include <string.h>

#include "tftp_map.h"
#include "testutil.h"

static enum tftp_name_err
check_name(const char *in, char *out, size_t cap)
{
	return tftp_name_check(in, strlen(in), out, cap);
}

START_TEST(names_ok)
{
	char out[TFTP_NAME_MAX + 1];

	ck_assert_int_eq(check_name("CTLFile.tlv", out, sizeof(out)), TFTP_N_OK);
	ck_assert_str_eq(out, "CTLFile.tlv");
	ck_assert_int_eq(check_name("/SEP001122334455.cnf.xml", out, sizeof(out)), TFTP_N_OK);
	ck_assert_str_eq(out, "SEP001122334455.cnf.xml");
	ck_assert_int_eq(check_name("firmware/sip88xx.loads", out, sizeof(out)), TFTP_N_OK);
	ck_assert_str_eq(out, "firmware/sip88xx.loads");
	ck_assert_int_eq(check_name("a..b", out, sizeof(out)), TFTP_N_OK);
	ck_assert_int_eq(check_name("x/...", out, sizeof(out)), TFTP_N_HIDDEN);
}
END_TEST

static const struct {
	const char *name;
	enum tftp_name_err err;
} bad_names[] = {
	{ "", TFTP_N_EMPTY },
	{ "/", TFTP_N_EMPTY },
	{ "//etc/passwd", TFTP_N_ABSOLUTE },
	{ "..", TFTP_N_DOTDOT },
	{ "../etc/passwd", TFTP_N_DOTDOT },
	{ "/../etc/passwd", TFTP_N_DOTDOT },
	{ "a/../../b", TFTP_N_DOTDOT },
	{ "a/..", TFTP_N_DOTDOT },
	{ ".", TFTP_N_DOT },
	{ "./a", TFTP_N_DOT },
	{ "a//b", TFTP_N_EMPTY_PART },
	{ "a/", TFTP_N_EMPTY_PART },
	{ ".hidden", TFTP_N_HIDDEN },
	{ "dir/.tmp.CTLFile.tlv", TFTP_N_HIDDEN },
	{ "..\\..\\windows", TFTP_N_CHAR },
	{ "a\nb", TFTP_N_CHAR },
	{ "a\x7f", TFTP_N_CHAR },
	{ "\xc0\xae\xc0\xae/etc", TFTP_N_CHAR },
};

START_TEST(names_bad)
{
	char out[TFTP_NAME_MAX + 1] = "junk";

	ck_assert_int_eq(check_name(bad_names[_i].name, out, sizeof(out)), bad_names[_i].err);
	ck_assert_str_eq(out, "");
	ck_assert_str_ne(tftp_name_errstr(bad_names[_i].err), "bad name");
}
END_TEST

START_TEST(names_length)
{
	char in[TFTP_NAME_MAX + 2], out[TFTP_NAME_MAX + 1];

	memset(in, 'a', sizeof(in));
	ck_assert_int_eq(tftp_name_check(in, TFTP_NAME_MAX, out, sizeof(out)), TFTP_N_OK);
	ck_assert_uint_eq(strlen(out), TFTP_NAME_MAX);
	ck_assert_int_eq(tftp_name_check(in, TFTP_NAME_MAX + 1, out, sizeof(out)), TFTP_N_TOO_LONG);
	ck_assert_int_eq(tftp_name_check(in, 10, out, 10), TFTP_N_TOO_LONG);
	/* An embedded NUL cannot hide a suffix: it is a control character. */
	ck_assert_int_eq(tftp_name_check("a\0/../x", 7, out, sizeof(out)), TFTP_N_CHAR);
}
END_TEST

START_TEST(device_mapping)
{
	char canon[32], mac[13];
	const char *cluster;

	ck_assert_int_eq(tftp_map_device("CTLSEP00AABBCCDDEE.tlv", canon, sizeof(canon), mac, &cluster), TFTP_DEV_CTL);
	ck_assert_str_eq(canon, "CTLSEP00AABBCCDDEE.tlv");
	ck_assert_str_eq(mac, "00AABBCCDDEE");
	ck_assert_str_eq(cluster, "CTLFile.tlv");
	ck_assert_int_eq(tftp_map_device("itlsep00aabbccddee.TLV", canon, sizeof(canon), mac, &cluster), TFTP_DEV_ITL);
	ck_assert_str_eq(canon, "ITLSEP00AABBCCDDEE.tlv");
	ck_assert_str_eq(cluster, "ITLFile.tlv");
	ck_assert_int_eq(tftp_map_device("CTLSEP00AABBCCDDEG.tlv", canon, sizeof(canon), mac, &cluster), TFTP_DEV_NONE);
	ck_assert_ptr_null(cluster);
	ck_assert_int_eq(tftp_map_device("CTLSEP00AABBCCDDE.tlv", canon, sizeof(canon), mac, &cluster), TFTP_DEV_NONE);
	ck_assert_int_eq(tftp_map_device("CTLSEP00AABBCCDDEEF.tlv", canon, sizeof(canon), mac, &cluster), TFTP_DEV_NONE);
	ck_assert_int_eq(tftp_map_device("SEP00AABBCCDDEE.cnf.xml", canon, sizeof(canon), mac, &cluster), TFTP_DEV_NONE);
	ck_assert_int_eq(tftp_map_device("CTLFile.tlv", canon, sizeof(canon), mac, &cluster), TFTP_DEV_NONE);
	ck_assert_int_eq(tftp_map_device("XTLSEP00AABBCCDDEE.tlv", canon, sizeof(canon), mac, &cluster), TFTP_DEV_NONE);
	ck_assert_int_eq(tftp_map_device("CTLSEP00AABBCCDDEE.tlv", canon, 22, mac, &cluster), TFTP_DEV_NONE);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_map");
	TCase *ok = tcase_create("ok");
	TCase *mal = tcase_create("malformed");

	tcase_add_test(ok, names_ok);
	tcase_add_test(ok, device_mapping);
	tcase_add_loop_test(mal, names_bad, 0, (int)(sizeof(bad_names) / sizeof(bad_names[0])));
	tcase_add_test(mal, names_length);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, mal);
	return s;
}

CTL_TEST_MAIN(make_suite)
