/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CTL Provider client's parsing and the text it shows
 * (libprovclient/prov_client.c), without the network: --server targets
 * (names, ports, IPv6 literals, refusals), fingerprints in and out, and a
 * server's MESSAGE escaped before it reaches a terminal (C0, DEL, C1 and
 * invalid UTF-8 as \xHH; valid UTF-8 kept; cut to the buffer).
 */
#include <string.h>

#include "prov_client.h"
#include "testutil.h"

START_TEST(targets)
{
	struct prov_target t;
	char err[300];

	ck_assert_int_eq(prov_target_parse("cucm-pub", &t, err, sizeof(err)), 0);
	ck_assert_str_eq(t.name, "cucm-pub:2444");
	ck_assert_int_eq(prov_target_parse("192.0.2.10:2500", &t, err, sizeof(err)), 0);
	ck_assert_str_eq(t.host, "192.0.2.10");
	ck_assert_str_eq(t.port, "2500");
	ck_assert_int_eq(prov_target_parse("[::1]:2444", &t, err, sizeof(err)), 0);
	ck_assert_str_eq(t.host, "::1");
	ck_assert_str_eq(t.name, "[::1]:2444");
	ck_assert_int_eq(prov_target_parse("cucm:0", &t, err, sizeof(err)), -1);
	ck_assert_int_eq(prov_target_parse("cucm:65536", &t, err, sizeof(err)), -1);
	ck_assert_int_eq(prov_target_parse("", &t, err, sizeof(err)), -1);
}
END_TEST

START_TEST(fingerprints)
{
	uint8_t fp[PROV_FP_LEN], back[PROV_FP_LEN];
	char hex[PROV_FP_HEX], small[10];
	size_t i;

	for (i = 0; i < PROV_FP_LEN; i++)
		fp[i] = (uint8_t)(0xa0 + i);
	prov_fp_hex(fp, hex, sizeof(hex));
	ck_assert_uint_eq(strlen(hex), PROV_FP_HEX - 1);
	ck_assert(strncmp(hex, "A0:A1:A2:", 9) == 0);
	ck_assert_int_eq(prov_fp_parse(hex, back), 0);
	ck_assert_mem_eq(back, fp, PROV_FP_LEN);
	ck_assert_int_eq(prov_fp_parse("SHA256:a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
	                               back), 0);
	ck_assert_mem_eq(back, fp, PROV_FP_LEN);
	ck_assert_int_eq(prov_fp_parse("a0a1", back), -1);
	prov_fp_hex(fp, small, sizeof(small)); /* too small: empty, never cut */
	ck_assert_str_eq(small, "");
}
END_TEST

static const char *
message(const void *val, size_t n, char *buf, size_t len)
{
	struct prov_resp r;

	memset(&r, 0, sizeof(r));
	r.m.nitems = 1;
	r.m.items[0].tag = CTL_PROV_T_MESSAGE;
	r.m.items[0].len = (uint32_t)n;
	r.m.items[0].val = val;
	return prov_resp_message(&r, buf, len);
}

START_TEST(server_message_escaped)
{
	char buf[200], small[8];

	/* ESC, a raw C1 CSI (0x9b), a UTF-8 encoded C1 (C2 9B), DEL, an invalid byte; é kept. */
	ck_assert_str_eq(message("no\x1b[2J\x9b" "1m\xc2\x9b\x7f\xff caf\xc3\xa9", 19, buf, sizeof(buf)),
	                 "no\\x1b[2J\\x9b1m\\xc2\\x9b\\x7f\\xff caf\xc3\xa9");
	ck_assert_str_eq(message("a\\b", 3, buf, sizeof(buf)), "a\\\\b");
	ck_assert_str_eq(message("\x01\x02\x03", 3, small, sizeof(small)), "\\x01");
	ck_assert_str_eq(message("", 0, buf, sizeof(buf)), "");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_client");
	TCase *ok = tcase_create("ok"), *bad = tcase_create("hostile");

	tcase_add_test(ok, targets);
	tcase_add_test(ok, fingerprints);
	tcase_add_test(bad, server_message_escaped);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}

CTL_TEST_MAIN(make_suite)
