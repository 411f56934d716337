/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bytes made safe to show (libctl/text.c): the hex encoder, the log and
 * terminal escaper, the JSON string writer and the --json error object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/text.h>

#include "testutil.h"

/* What a FILE writer printed, as a NUL-terminated heap string. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void
cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	ck_assert_ptr_nonnull(c->f);
}

static char *
cap_close(struct capture *c)
{
	ck_assert_int_eq(fclose(c->f), 0);
	return c->buf;
}

/* ---- hex ------------------------------------------------------------ */

static const unsigned char hexin[] = { 0x00, 0x1a, 0xbf, 0xff };

START_TEST(hex_lower)
{
	char out[9];

	ck_assert_uint_eq(ctl_hex_len(4, 0), 8);
	ck_assert_ptr_eq(ctl_hex_encode(out, sizeof(out), hexin, 4, 0), out);
	ck_assert_str_eq(out, "001abfff");
}
END_TEST

START_TEST(hex_upper_colons)
{
	char out[12];

	ck_assert_uint_eq(ctl_hex_len(4, CTL_HEX_COLONS), 11);
	ck_assert_ptr_eq(ctl_hex_encode(out, sizeof(out), hexin, 4, CTL_HEX_UPPER | CTL_HEX_COLONS), out);
	ck_assert_str_eq(out, "00:1A:BF:FF");
	ck_assert_ptr_eq(ctl_hex_encode(out, sizeof(out), hexin, 4, CTL_HEX_COLONS), out);
	ck_assert_str_eq(out, "00:1a:bf:ff");
	ck_assert_ptr_eq(ctl_hex_encode(out, sizeof(out), hexin, 4, CTL_HEX_UPPER), out);
	ck_assert_str_eq(out, "001ABFFF");
}
END_TEST

START_TEST(hex_empty)
{
	char out[1] = { 'x' };

	ck_assert_uint_eq(ctl_hex_len(0, CTL_HEX_COLONS), 0);
	ck_assert_ptr_eq(ctl_hex_encode(out, sizeof(out), hexin, 0, CTL_HEX_COLONS), out);
	ck_assert_str_eq(out, "");
}
END_TEST

/* One byte too small: NULL and an empty string, never a cut hex string. */
START_TEST(hex_too_small)
{
	char out[11];

	memset(out, 'x', sizeof(out));
	ck_assert_ptr_null(ctl_hex_encode(out, 8, hexin, 4, 0));
	ck_assert_str_eq(out, "");
	memset(out, 'x', sizeof(out));
	ck_assert_ptr_null(ctl_hex_encode(out, sizeof(out), hexin, 4, CTL_HEX_COLONS));
	ck_assert_str_eq(out, "");
	ck_assert_ptr_null(ctl_hex_encode(NULL, 0, hexin, 4, 0));
	ck_assert_ptr_null(ctl_hex_encode(out, sizeof(out), hexin, SIZE_MAX / 2, 0));
}
END_TEST

/* ---- log / terminal escaper ------------------------------------------ */

struct esc_case {
	const char *in;
	size_t n;
	const char *want;
};

#define EC(lit, want) { lit, sizeof(lit) - 1, want }
static const struct esc_case esc_cases[] = {
	EC("plain text", "plain text"),
	EC("a\nb\tc\rd\x01\x1b[31m", "a\\x0ab\\x09c\\x0dd\\x01\\x1b[31m"),
	EC("del\x7f", "del\\x7f"),
	EC("back\\slash", "back\\\\slash"),
	EC("\x80\x85\x9b\x9f", "\\x80\\x85\\x9b\\x9f"),                      /* raw C1 */
	EC("\xc2\x80\xc2\x9b[2J\xc2\x9f", "\\xc2\\x80\\xc2\\x9b[2J\\xc2\\x9f"), /* UTF-8 C1 */
	EC("\xc2\xa0nbsp", "\xc2\xa0nbsp"),                                 /* U+00A0 is not C1 */
	EC("caf\xc3\xa9", "caf\xc3\xa9"),                                   /* é stays */
	EC("\xe9t\xe9", "\\xe9t\\xe9"),                                     /* Latin-1 é */
	EC("\xed\xa0\x80", "\\xed\\xa0\\x80"),                              /* surrogate */
	EC("\xc0\xaf\xff", "\\xc0\\xaf\\xff"),                              /* overlong, 0xff */
	EC("nul\0x", "nul\\x00x"),
};

START_TEST(escape_cases)
{
	const struct esc_case *c = &esc_cases[_i];
	char out[128];
	size_t need = ctl_text_escape(out, sizeof(out), c->in, c->n);

	ck_assert_str_eq(out, c->want);
	ck_assert_uint_eq(need, strlen(c->want));
	ck_assert_uint_eq(ctl_text_escape(NULL, 0, c->in, c->n), need);
}
END_TEST

START_TEST(escape_fput_same)
{
	const struct esc_case *c = &esc_cases[_i];
	struct capture cap;
	char *s;

	cap_open(&cap);
	ctl_text_fput(cap.f, c->in, c->n);
	s = cap_close(&cap);
	ck_assert_str_eq(s, c->want);
	free(s);
}
END_TEST

/* A buffer too small cuts at a unit boundary: never half of \xHH or of é. */
START_TEST(escape_truncates_at_unit)
{
	static const char in[] = "ab\x1b" "c\xc3\xa9";
	char out[16];
	size_t need;

	need = ctl_text_escape(out, 4, in, sizeof(in) - 1);
	ck_assert_uint_eq(need, 9);
	ck_assert_str_eq(out, "ab");
	ck_assert_uint_eq(ctl_text_escape(out, 7, in, sizeof(in) - 1), 9);
	ck_assert_str_eq(out, "ab\\x1b");
	ck_assert_uint_eq(ctl_text_escape(out, 9, in, sizeof(in) - 1), 9);
	ck_assert_str_eq(out, "ab\\x1bc");
	ck_assert_uint_eq(ctl_text_escape(out, 10, in, sizeof(in) - 1), 9);
	ck_assert_str_eq(out, "ab\\x1bc\xc3\xa9");
	out[0] = 'x';
	ck_assert_uint_eq(ctl_text_escape(out, 1, in, sizeof(in) - 1), 9);
	ck_assert_str_eq(out, "");
}
END_TEST

/* ---- JSON strings ------------------------------------------------------ */

static const struct esc_case json_cases[] = {
	EC("plain", "\"plain\""),
	EC("q\"b\\", "\"q\\\"b\\\\\""),
	EC("a\nb\tc\rd\x01\x1f\x7f", "\"a\\nb\\tc\\rd\\u0001\\u001f\\u007f\""),
	EC("caf\xc3\xa9", "\"caf\xc3\xa9\""),                          /* é stays é */
	EC("\xe9t\xe9", "\"\\ufffdt\\ufffd\""),                        /* never \u00e9 */
	EC("\xc2\x85\xc2\x9b", "\"\\u0085\\u009b\""),                  /* UTF-8 C1 */
	EC("\x85", "\"\\ufffd\""),                                     /* raw C1: invalid */
	EC("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""),               /* surrogate */
	EC("\xf0\x9f\x94\x92", "\"\xf0\x9f\x94\x92\""),                /* 4-byte UTF-8 */
	EC("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""),    /* above U+10FFFF */
	EC("nul\0", "\"nul\\u0000\""),
};

START_TEST(json_cases_fput)
{
	const struct esc_case *c = &json_cases[_i];
	struct capture cap;
	char *s;

	cap_open(&cap);
	ctl_json_fput(cap.f, c->in, c->n);
	s = cap_close(&cap);
	ck_assert_str_eq(s, c->want);
	free(s);
}
END_TEST

/* ctl_json_escape writes the same without the quotes. */
START_TEST(json_cases_escape)
{
	const struct esc_case *c = &json_cases[_i];
	char out[128];
	size_t need = ctl_json_escape(out, sizeof(out), c->in, c->n);

	ck_assert_uint_eq(need, strlen(c->want) - 2);
	ck_assert_mem_eq(out, c->want + 1, need);
	ck_assert_uint_eq(out[need], '\0');
	ck_assert_uint_eq(ctl_json_escape(NULL, 0, c->in, c->n), need);
}
END_TEST

START_TEST(json_escape_truncates_at_unit)
{
	char out[8];

	ck_assert_uint_eq(ctl_json_escape(out, sizeof(out), "ab\xff" "c", 4), 9);
	ck_assert_str_eq(out, "ab");
}
END_TEST

START_TEST(json_null_and_cstr)
{
	struct capture cap;
	char *s;

	cap_open(&cap);
	ctl_json_fputs_or_null(cap.f, NULL);
	fputc(' ', cap.f);
	ctl_json_fputs_or_null(cap.f, "x\xc3\xa9");
	fputc(' ', cap.f);
	ctl_json_fputs(cap.f, "");
	s = cap_close(&cap);
	ck_assert_str_eq(s, "null \"x\xc3\xa9\" \"\"");
	free(s);
}
END_TEST

START_TEST(json_error_object)
{
	struct capture cap;
	char *s;

	cap_open(&cap);
	ctl_json_error(cap.f, "parse", "CTLFile.tlv: offset 0x1a4: \"bad\"\n\xff");
	s = cap_close(&cap);
	ck_assert_str_eq(s, "{\"error\":{\"code\":\"parse\",\"message\":"
	                    "\"CTLFile.tlv: offset 0x1a4: \\\"bad\\\"\\n\\ufffd\"}}\n");
	free(s);
}
END_TEST

/* ---- UTF-8 ------------------------------------------------------------- */

START_TEST(utf8_len_rule)
{
	ck_assert_uint_eq(ctl_utf8_len("a", 1), 1);
	ck_assert_uint_eq(ctl_utf8_len("\xc3\xa9", 2), 2);
	ck_assert_uint_eq(ctl_utf8_len("\xc3\xa9", 1), 0);     /* cut short */
	ck_assert_uint_eq(ctl_utf8_len("\xe2\x82\xac", 3), 3); /* € */
	ck_assert_uint_eq(ctl_utf8_len("\xf0\x9f\x94\x92", 4), 4);
	ck_assert_uint_eq(ctl_utf8_len("\xc0\x80", 2), 0);     /* overlong NUL */
	ck_assert_uint_eq(ctl_utf8_len("\xe0\x80\x80", 3), 0); /* overlong */
	ck_assert_uint_eq(ctl_utf8_len("\xed\xa0\x80", 3), 0); /* surrogate */
	ck_assert_uint_eq(ctl_utf8_len("\xf4\x90\x80\x80", 4), 0);
	ck_assert_uint_eq(ctl_utf8_len("\x80", 1), 0);
	ck_assert_uint_eq(ctl_utf8_len("\xff", 1), 0);
	ck_assert_uint_eq(ctl_utf8_len("", 0), 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("text");
	TCase *hx = tcase_create("hex");
	TCase *es = tcase_create("escape");
	TCase *js = tcase_create("json");
	int ne = (int)(sizeof(esc_cases) / sizeof(esc_cases[0]));
	int nj = (int)(sizeof(json_cases) / sizeof(json_cases[0]));

	tcase_add_test(hx, hex_lower);
	tcase_add_test(hx, hex_upper_colons);
	tcase_add_test(hx, hex_empty);
	tcase_add_test(hx, hex_too_small);
	suite_add_tcase(s, hx);
	tcase_add_loop_test(es, escape_cases, 0, ne);
	tcase_add_loop_test(es, escape_fput_same, 0, ne);
	tcase_add_test(es, escape_truncates_at_unit);
	tcase_add_test(es, utf8_len_rule);
	suite_add_tcase(s, es);
	tcase_add_loop_test(js, json_cases_fput, 0, nj);
	tcase_add_loop_test(js, json_cases_escape, 0, nj);
	tcase_add_test(js, json_escape_truncates_at_unit);
	tcase_add_test(js, json_null_and_cstr);
	tcase_add_test(js, json_error_object);
	suite_add_tcase(s, js);
	return s;
}

CTL_TEST_MAIN(make_suite)
