/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP request heads (tftp-server/common/http_parse.c): what a phone,
 * curl and wget send is read; every malformed head is refused with its own
 * status; an incomplete one asks for more, however it is cut; bounds are
 * exact (a head or target one byte over its limit is refused, at the limit
 * accepted).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "testutil.h"

static enum http_perr
parse(const char *s, struct http_req *rq)
{
	return http_parse((const uint8_t *)s, strlen(s), rq);
}

START_TEST(phone_get)
{
	struct http_req rq;
	const char *s = "GET /CTLSEP00AABBCCDDEE.tlv HTTP/1.1\r\nHost: 10.1.1.1:6970\r\n\r\n";

	ck_assert_int_eq(parse(s, &rq), HTTP_P_OK);
	ck_assert_int_eq(rq.method, HTTP_M_GET);
	ck_assert_uint_eq(rq.minor, 1);
	ck_assert_int_eq(rq.keep_alive, 1);
	ck_assert_str_eq(rq.path, "/CTLSEP00AABBCCDDEE.tlv");
	ck_assert_uint_eq(rq.path_len, strlen("/CTLSEP00AABBCCDDEE.tlv"));
	ck_assert_uint_eq(rq.head_len, strlen(s));
}
END_TEST

START_TEST(head_and_versions)
{
	struct http_req rq;

	ck_assert_int_eq(parse("HEAD /a HTTP/1.0\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_int_eq(rq.method, HTTP_M_HEAD);
	ck_assert_uint_eq(rq.minor, 0);
	ck_assert_int_eq(rq.keep_alive, 0); /* HTTP/1.0 closes, even when it asks for keep-alive */
	ck_assert_int_eq(parse("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_int_eq(rq.keep_alive, 0);
	ck_assert_int_eq(parse("GET /a HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_int_eq(rq.keep_alive, 0);
	ck_assert_int_eq(parse("GET /a HTTP/1.1\r\nconnection:close\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_int_eq(rq.keep_alive, 0);
	ck_assert_int_eq(parse("GET /a HTTP/1.1\r\nConnection: closed\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_int_eq(rq.keep_alive, 1);
	ck_assert_int_eq(parse("GET /a HTTP/1.9\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_uint_eq(rq.minor, 1);
	ck_assert_int_eq(parse("GET /a HTTP/2.0\r\n\r\n", &rq), HTTP_P_VERSION);
	ck_assert_int_eq(parse("GET /a HTTP/0.9\r\n\r\n", &rq), HTTP_P_VERSION);
}
END_TEST

START_TEST(bare_lf_and_leading_blank_lines)
{
	struct http_req rq;
	const char *s = "\r\n\nGET /x HTTP/1.1\nHost: h\n\n";

	ck_assert_int_eq(parse(s, &rq), HTTP_P_OK);
	ck_assert_str_eq(rq.path, "/x");
	ck_assert_uint_eq(rq.head_len, strlen(s));
}
END_TEST

START_TEST(pipelined_head_len)
{
	struct http_req rq;
	const char *a = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n";
	char buf[256];

	snprintf(buf, sizeof(buf), "%sGET /two HTTP/1.1\r\n\r\n", a);
	ck_assert_int_eq(parse(buf, &rq), HTTP_P_OK);
	ck_assert_str_eq(rq.path, "/one");
	ck_assert_uint_eq(rq.head_len, strlen(a));
	ck_assert_int_eq(parse(buf + rq.head_len, &rq), HTTP_P_OK);
	ck_assert_str_eq(rq.path, "/two");
}
END_TEST

START_TEST(percent_decoding)
{
	struct http_req rq;

	ck_assert_int_eq(parse("GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_str_eq(rq.path, "/../../etc/passwd"); /* refused later by tftp_name_check */
	ck_assert_int_eq(parse("GET /a%2Fb HTTP/1.1\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_str_eq(rq.path, "/a/b");
	ck_assert_int_eq(parse("GET /CTLFile.tlv?x=%zz#f HTTP/1.1\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_str_eq(rq.path, "/CTLFile.tlv");
	ck_assert_int_eq(parse("GET /a%00b HTTP/1.1\r\n\r\n", &rq), HTTP_P_BAD);
	ck_assert_int_eq(parse("GET /a%zz HTTP/1.1\r\n\r\n", &rq), HTTP_P_BAD);
	ck_assert_int_eq(parse("GET /a%4 HTTP/1.1\r\n\r\n", &rq), HTTP_P_BAD);
	ck_assert_int_eq(parse("GET /a% HTTP/1.1\r\n\r\n", &rq), HTTP_P_BAD);
}
END_TEST

START_TEST(malformed)
{
	static const char *const bad[] = {
		"GET  /a HTTP/1.1\r\n\r\n",          /* two spaces */
		"GET /a  HTTP/1.1\r\n\r\n",
		"GET /a HTTP/1.1 \r\n\r\n",
		"GET /a\r\n\r\n",                    /* HTTP/0.9 simple request */
		"GET /a HTTP/1.1x\r\n\r\n",
		"GET /a HTTP/A.1\r\n\r\n",
		"GET a HTTP/1.1\r\n\r\n",            /* not origin-form */
		"GET http://h/a HTTP/1.1\r\n\r\n",
		"GET * HTTP/1.1\r\n\r\n",
		"G(T /a HTTP/1.1\r\n\r\n",
		" GET /a HTTP/1.1\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost : h\r\n\r\n", /* space before the colon */
		"GET /a HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
		"GET /a HTTP/1.1\r\nNoColon\r\n\r\n",
		"GET /a HTTP/1.1\r\nX: a\rb\r\n\r\n",  /* bare CR */
		"GET /a\rHTTP/1.1\r\n\r\n",
		"GET /a HTTP/1.1\r\nX: a\001b\r\n\r\n",
		"GET /a HTTP/1.1\r\nContent-Length:\r\n\r\n",
		"GET /\x80 HTTP/1.1\r\n\r\n",
	};
	struct http_req rq;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum http_perr e = parse(bad[i], &rq);

		ck_assert_msg(e == HTTP_P_BAD, "case %zu: got %d", i, (int)e);
		ck_assert_uint_eq(http_perr_status(e), 400);
	}
}
END_TEST

START_TEST(bodies_refused)
{
	struct http_req rq;

	ck_assert_int_eq(parse("GET /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &rq), HTTP_P_OK);
	ck_assert_int_eq(parse("GET /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", &rq), HTTP_P_BODY);
	ck_assert_int_eq(parse("GET /a HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n", &rq),
	                 HTTP_P_BODY);
	ck_assert_int_eq(parse("GET /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &rq),
	                 HTTP_P_BODY);
	ck_assert_uint_eq(http_perr_status(HTTP_P_BODY), 400);
}
END_TEST

START_TEST(other_methods)
{
	struct http_req rq;
	const char *s = "POST /a HTTP/1.1\r\nHost: h\r\n\r\n";

	ck_assert_int_eq(parse(s, &rq), HTTP_P_METHOD);
	ck_assert_uint_eq(rq.head_len, strlen(s)); /* the next request's start is known */
	ck_assert_int_eq(rq.keep_alive, 1);
	ck_assert_int_eq(parse("get /a HTTP/1.1\r\n\r\n", &rq), HTTP_P_METHOD); /* case-sensitive */
	ck_assert_int_eq(parse("OPTIONS * HTTP/1.1\r\n\r\n", &rq), HTTP_P_METHOD);
	ck_assert_uint_eq(http_perr_status(HTTP_P_METHOD), 405);
}
END_TEST

/* Every cut of a valid head is incomplete, never an error or a success. */
START_TEST(incomplete_at_every_cut)
{
	const char *s = "GET /ITLSEP00AABBCCDDEE.tlv HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
	struct http_req rq;

	for (size_t n = 0; n < strlen(s); n++) {
		uint8_t *copy = malloc(n + 1); /* exactly n bytes readable (ASan) */

		memcpy(copy, s, n);
		ck_assert_msg(http_parse(copy, n, &rq) == HTTP_P_INCOMPLETE, "cut at %zu", n);
		free(copy);
	}
	ck_assert_int_eq(parse(s, &rq), HTTP_P_OK);
}
END_TEST

/* Garbage is refused as soon as its first line is in, without waiting for a blank line. */
START_TEST(garbage_refused_early)
{
	struct http_req rq;

	ck_assert_int_eq(parse("\x16\x03\x01 garbage\r\n", &rq), HTTP_P_BAD);
	ck_assert_int_eq(parse("GET /a HTTP/1.1 x\r\nHost", &rq), HTTP_P_BAD);
}
END_TEST

START_TEST(target_limit)
{
	size_t cap = 64 + HTTP_TARGET_MAX;
	char *buf = malloc(cap);
	struct http_req rq;

	/* Targets of 1024 and 1025 bytes ("/a?" and a query, dropped): accepted, then 414. */
	for (size_t t = HTTP_TARGET_MAX; t <= HTTP_TARGET_MAX + 1; t++) {
		memset(buf, 'q', cap);
		memcpy(buf, "GET /a?", 7);
		snprintf(buf + 4 + t, cap - 4 - t, " HTTP/1.1\r\n\r\n");
		ck_assert_int_eq(parse(buf, &rq), t == HTTP_TARGET_MAX ? HTTP_P_OK : HTTP_P_URI_TOO_LONG);
		if (t == HTTP_TARGET_MAX)
			ck_assert_str_eq(rq.path, "/a");
	}
	/* A decoded name of 257 bytes after the '/': 414; of 256: accepted (the name check refuses it). */
	memset(buf, 'a', cap);
	memcpy(buf, "GET /", 5);
	snprintf(buf + 5 + TFTP_NAME_MAX + 1, cap - 5 - TFTP_NAME_MAX - 1, " HTTP/1.1\r\n\r\n");
	ck_assert_int_eq(parse(buf, &rq), HTTP_P_URI_TOO_LONG);
	snprintf(buf + 5 + TFTP_NAME_MAX, cap - 5 - TFTP_NAME_MAX, " HTTP/1.1\r\n\r\n");
	ck_assert_int_eq(parse(buf, &rq), HTTP_P_OK);
	ck_assert_uint_eq(rq.path_len, TFTP_NAME_MAX + 1);
	/* A request line that never ends: 414 once it is longer than any valid one. */
	memset(buf, 'a', cap);
	memcpy(buf, "GET /", 5);
	ck_assert_int_eq(http_parse((const uint8_t *)buf, cap, &rq), HTTP_P_URI_TOO_LONG);
	ck_assert_int_eq(http_parse((const uint8_t *)buf, 100, &rq), HTTP_P_INCOMPLETE);
	ck_assert_uint_eq(http_perr_status(HTTP_P_URI_TOO_LONG), 414);
	free(buf);
}
END_TEST

/* A head of exactly HTTP_HEAD_MAX bytes is accepted; one byte more is 431. */
START_TEST(head_limit)
{
	uint8_t *buf = malloc(HTTP_HEAD_MAX + 1);
	const char *start = "GET /a HTTP/1.1\r\nX: ";
	struct http_req rq;

	for (size_t total = HTTP_HEAD_MAX; total <= HTTP_HEAD_MAX + 1; total++) {
		memset(buf, 'v', total);
		memcpy(buf, start, strlen(start));
		memcpy(buf + total - 4, "\r\n\r\n", 4);
		ck_assert_int_eq(http_parse(buf, total, &rq),
		                 total == HTTP_HEAD_MAX ? HTTP_P_OK : HTTP_P_HEAD_TOO_LARGE);
	}
	/* A full buffer without the head's end: 431, not "read more". */
	memset(buf, 'v', HTTP_HEAD_MAX);
	memcpy(buf, start, strlen(start));
	ck_assert_int_eq(http_parse(buf, HTTP_HEAD_MAX, &rq), HTTP_P_HEAD_TOO_LARGE);
	ck_assert_int_eq(http_parse(buf, HTTP_HEAD_MAX - 1, &rq), HTTP_P_INCOMPLETE);
	ck_assert_uint_eq(http_perr_status(HTTP_P_HEAD_TOO_LARGE), 431);
	free(buf);
}
END_TEST

START_TEST(error_texts)
{
	for (int e = HTTP_P_OK; e <= HTTP_P_BODY; e++)
		ck_assert_ptr_nonnull(http_perr_str((enum http_perr)e));
	ck_assert_str_eq(http_perr_str(HTTP_P_HEAD_TOO_LARGE), "request header fields too large");
	ck_assert_uint_eq(http_perr_status(HTTP_P_OK), 0);
	ck_assert_uint_eq(http_perr_status(HTTP_P_VERSION), 505);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("http_parse");
	TCase *ok = tcase_create("ok");
	TCase *bad = tcase_create("malformed");
	TCase *lim = tcase_create("limits");

	tcase_add_test(ok, phone_get);
	tcase_add_test(ok, head_and_versions);
	tcase_add_test(ok, bare_lf_and_leading_blank_lines);
	tcase_add_test(ok, pipelined_head_len);
	tcase_add_test(ok, percent_decoding);
	tcase_add_test(bad, malformed);
	tcase_add_test(bad, bodies_refused);
	tcase_add_test(bad, other_methods);
	tcase_add_test(bad, garbage_refused_early);
	tcase_add_test(lim, incomplete_at_every_cut);
	tcase_add_test(lim, target_limit);
	tcase_add_test(lim, head_limit);
	tcase_add_test(ok, error_texts);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, lim);
	return s;
}

CTL_TEST_MAIN(make_suite)
