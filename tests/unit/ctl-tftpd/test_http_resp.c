/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Response heads (tftp-server/ctl-tftpd/http_resp.c): the exact bytes of a
 * 200 and of each refusal, the fields that go with some statuses, and a
 * buffer too small reported instead of a cut head.
 */
#include <stdio.h>
#include <string.h>

#include "http_resp.h"
#include "testutil.h"

START_TEST(file_head)
{
	char b[HTTP_RESP_HEAD_MAX];
	size_t n = http_resp_file(b, sizeof(b), 4962, 1);

	ck_assert_uint_eq(n, strlen(b));
	ck_assert_str_eq(b, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
	                    "Content-Length: 4962\r\n\r\n");
	n = http_resp_file(b, sizeof(b), 0, 0);
	ck_assert_str_eq(b, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
	                    "Content-Length: 0\r\nConnection: close\r\n\r\n");
	ck_assert_uint_eq(n, strlen(b));
}
END_TEST

START_TEST(error_heads)
{
	static const unsigned codes[] = { 400, 403, 404, 405, 408, 414, 431, 503, 505 };
	char b[HTTP_RESP_HEAD_MAX], want[64];
	const char *body;
	size_t bl;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		size_t n = http_resp_error(b, sizeof(b), codes[i], 0, &body, &bl);

		ck_assert_uint_ne(n, 0);
		snprintf(want, sizeof(want), "HTTP/1.1 %u %s\r\n", codes[i], http_status_reason(codes[i]));
		ck_assert_msg(strncmp(b, want, strlen(want)) == 0, "%u: %s", codes[i], b);
		ck_assert_ptr_nonnull(strstr(b, "Connection: close\r\n\r\n"));
		ck_assert_uint_eq(bl, strlen(body));
		snprintf(want, sizeof(want), "Content-Length: %zu\r\n", bl);
		ck_assert_ptr_nonnull(strstr(b, want));
		snprintf(want, sizeof(want), "%u %s\n", codes[i], http_status_reason(codes[i]));
		ck_assert_str_eq(body, want);
	}
}
END_TEST

START_TEST(special_fields)
{
	char b[HTTP_RESP_HEAD_MAX];
	const char *body;
	size_t bl;

	CTL_IGNORE_RESULT(http_resp_error(b, sizeof(b), 405, 1, &body, &bl));
	ck_assert_str_eq(b, "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\n"
	                    "Content-Length: 23\r\nAllow: GET, HEAD\r\n\r\n");
	ck_assert_str_eq(body, "405 Method Not Allowed\n");
	CTL_IGNORE_RESULT(http_resp_error(b, sizeof(b), 503, 0, &body, &bl));
	ck_assert_ptr_nonnull(strstr(b, "\r\nRetry-After: 1\r\n"));
	CTL_IGNORE_RESULT(http_resp_error(b, sizeof(b), 404, 1, &body, &bl));
	ck_assert_ptr_null(strstr(b, "Connection:"));
	ck_assert_str_eq(http_status_reason(431), "Request Header Fields Too Large");
	ck_assert_str_eq(http_status_reason(999), "Internal Server Error");
}
END_TEST

START_TEST(too_small)
{
	char b[40];
	const char *body;
	size_t bl;

	ck_assert_uint_eq(http_resp_file(b, sizeof(b), 1, 1), 0);
	ck_assert_uint_eq(http_resp_error(b, sizeof(b), 404, 1, &body, &bl), 0);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("http_resp");
	TCase *ok = tcase_create("ok");
	TCase *lim = tcase_create("limits");

	tcase_add_test(ok, file_head);
	tcase_add_test(ok, error_heads);
	tcase_add_test(ok, special_fields);
	tcase_add_test(lim, too_small);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, lim);
	return s;
}

CTL_TEST_MAIN(make_suite)
