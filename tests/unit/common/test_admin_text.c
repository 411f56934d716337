/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_text.c: HTML escaping for the status page, label escaping and the
 * HELP/TYPE lines of /metrics, and the bound on an answer's size.
 */
#include <string.h>

#include "testutil.h"
#include "admin_text.h"

START_TEST(html_escapes_markup)
{
	struct admin_buf b;
	const char s[] = "<script>a&b\"c'd</script>\x01\xc3\xa9";

	admin_buf_init(&b);
	admin_buf_html(&b, s, sizeof(s) - 1);
	ck_assert_int_eq(b.failed, 0);
	ck_assert_str_eq(b.p, "&lt;script&gt;a&amp;b&quot;c&#39;d&lt;/script&gt;?\xc3\xa9");
	admin_buf_free(&b);
}
END_TEST

START_TEST(label_escapes_quotes_backslash_newline)
{
	struct admin_buf b;
	const char s[] = "CN=a\"b\\c\nd\te\xc3\xa9";

	admin_buf_init(&b);
	admin_buf_label(&b, s, sizeof(s) - 1);
	ck_assert_int_eq(b.failed, 0);
	ck_assert_str_eq(b.p, "CN=a\\\"b\\\\c\\nd?e??");
	admin_buf_free(&b);
}
END_TEST

START_TEST(metric_head_and_printf)
{
	struct admin_buf b;

	admin_buf_init(&b);
	admin_metric_head(&b, "ctltftpd_bytes_sent_total", "counter", "File bytes sent.");
	admin_buf_printf(&b, "ctltftpd_bytes_sent_total %llu\n", 12345ull);
	ck_assert_int_eq(b.failed, 0);
	ck_assert_str_eq(b.p, "# HELP ctltftpd_bytes_sent_total File bytes sent.\n"
	                      "# TYPE ctltftpd_bytes_sent_total counter\n"
	                      "ctltftpd_bytes_sent_total 12345\n");
	admin_buf_free(&b);
}
END_TEST

START_TEST(bounded)
{
	struct admin_buf b;
	static char chunk[65536];

	memset(chunk, 'x', sizeof(chunk));
	admin_buf_init(&b);
	for (size_t i = 0; i < ADMIN_BUF_MAX / sizeof(chunk) + 2; i++)
		admin_buf_add(&b, chunk, sizeof(chunk));
	ck_assert_int_eq(b.failed, 1);
	ck_assert_uint_le(b.len, ADMIN_BUF_MAX);
	admin_buf_free(&b);
}
END_TEST

START_TEST(utc_time)
{
	char t[32];

	admin_time_utc(1795996800, t, sizeof(t));
	ck_assert_str_eq(t, "2026-11-30 00:00:00 UTC");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("admin_text");
	TCase *tc = tcase_create("admin_text");

	tcase_add_test(tc, html_escapes_markup);
	tcase_add_test(tc, label_escapes_quotes_backslash_newline);
	tcase_add_test(tc, metric_head_and_printf);
	tcase_add_test(tc, bounded);
	tcase_add_test(tc, utc_time);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
