/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvread.c: pairs trimmed, blank lines and comments skipped, a line without
 * '=' and an overlong line reported with their numbers; codes.c: role names
 * and numbers as configuration files write them.
 */
#include <stdio.h>
#include <string.h>

#include <ctl/ctl.h>
#include <ctl/kvread.h>

#include "testutil.h"

static const char *
write_file(const char *text)
{
	static char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/x.conf", tu_tmpdir());
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	return path;
}

START_TEST(pairs_and_errors)
{
	struct ctl_kv_reader r;
	char *k, *v;

	ck_assert_int_eq(ctl_kv_open(&r, write_file("# c\n\n  a =  1 \t\r\nb=x = y\n\tnothing here\nc=3")),
	                 0);
	ck_assert_int_eq(ctl_kv_next(&r, &k, &v), CTL_KV_PAIR);
	ck_assert_str_eq(k, "a");
	ck_assert_str_eq(v, "1");
	ck_assert_uint_eq(r.line, 3);
	ck_assert_int_eq(ctl_kv_next(&r, &k, &v), CTL_KV_PAIR);
	ck_assert_str_eq(k, "b");
	ck_assert_str_eq(v, "x = y");
	ck_assert_int_eq(ctl_kv_next(&r, &k, &v), CTL_KV_NO_EQUALS);
	ck_assert_uint_eq(r.line, 5);
	ck_assert_int_eq(ctl_kv_next(&r, &k, &v), CTL_KV_PAIR);
	ck_assert_str_eq(k, "c");
	ck_assert_str_eq(v, "3");
	ck_assert_int_eq(ctl_kv_next(&r, &k, &v), CTL_KV_END);
	ctl_kv_close(&r);
	ck_assert_int_eq(ctl_kv_open(&r, "/nonexistent/x.conf"), -1);
}
END_TEST

START_TEST(overlong_line)
{
	static char text[CTL_KV_LINE_MAX + 64];
	struct ctl_kv_reader r;
	char *k, *v;

	memset(text, 'x', sizeof(text));
	memcpy(text, "ok = 1\nk = ", 11);
	memcpy(text + sizeof(text) - 2, "\n", 2);
	ck_assert_int_eq(ctl_kv_open(&r, write_file(text)), 0);
	ck_assert_int_eq(ctl_kv_next(&r, &k, &v), CTL_KV_PAIR);
	ck_assert_int_eq(ctl_kv_next(&r, &k, &v), CTL_KV_TOO_LONG);
	ck_assert_uint_eq(r.line, 2);
	ctl_kv_close(&r);
}
END_TEST

START_TEST(role_names_and_numbers)
{
	ck_assert_int_eq(ctl_role_parse("sast", 0, 255), CTL_ROLE_SAST);
	ck_assert_int_eq(ctl_role_parse("CCM-TFTP", 0, 255), CTL_ROLE_CCM_TFTP);
	ck_assert_int_eq(ctl_role_parse("app-server", 0, 255), CTL_ROLE_APP_SERVER);
	ck_assert_int_eq(ctl_role_parse("tvs", 0, 255), CTL_ROLE_TVS);
	ck_assert_int_eq(ctl_role_parse("7", 0, 255), 7);
	ck_assert_int_eq(ctl_role_parse("256", 0, 255), -1);
	ck_assert_int_eq(ctl_role_parse("65535", 1, 65535), 65535);
	ck_assert_int_eq(ctl_role_parse("0", 1, 65535), -1);
	ck_assert_int_eq(ctl_role_parse("nosuch", 0, 255), -1);
	ck_assert_int_eq(ctl_role_parse("", 0, 255), -1);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("kvread");
	TCase *tc = tcase_create("kvread");

	tcase_add_test(tc, pairs_and_errors);
	tcase_add_test(tc, overlong_line);
	tcase_add_test(tc, role_names_and_numbers);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
