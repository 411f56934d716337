/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TFTP packet codec (libtftp/tftp_codec.c): every packet kind built and
 * parsed back, each malformed request with its specific parse error and
 * ERROR code, and builder bounds. The option rules are in test_tftp_opts.c.
 */
#include <stdint.h>
#include <string.h>

#include "tftp_codec.h"
#include "testutil.h"

/* Parses a request given as a C literal of n bytes (embedded NULs allowed). */
static enum tftp_perr
parse_lit(const char *lit, size_t n, struct tftp_pkt *p)
{
	return tftp_parse((const uint8_t *)lit, n, TFTP_BLKSIZE_MAX, p);
}
#define PARSE(lit, p) parse_lit(lit, sizeof(lit) - 1, p)

/* ---- ok -------------------------------------------------------------- */

START_TEST(rrq_roundtrip)
{
	struct tftp_opt o[2] = { { "blksize", 0, "1428", 0 }, { "tsize", 0, "0", 0 } };
	uint8_t buf[TFTP_REQ_MAX];
	struct tftp_pkt p;
	size_t n;

	ck_assert_int_eq(tftp_build_req(buf, sizeof(buf), TFTP_RRQ, "CTLSEP00AABBCCDDEE.tlv", "octet", o, 2, &n), 0);
	ck_assert_uint_eq(n, 2 + 23 + 6 + 8 + 5 + 6 + 2);
	ck_assert_int_eq(tftp_parse(buf, n, 0, &p), TFTP_P_OK);
	ck_assert_int_eq(p.op, TFTP_RRQ);
	ck_assert_uint_eq(p.file_len, 22);
	ck_assert_int_eq(memcmp(p.file, "CTLSEP00AABBCCDDEE.tlv", 22), 0);
	ck_assert_int_eq(p.mode, TFTP_MODE_OCTET);
	ck_assert_uint_eq(p.opts.n, 2);
	ck_assert(tftp_opt_is(&p.opts.opt[0], "BLKSIZE"));
	ck_assert_str_eq(p.opts.opt[0].value, "1428");
	ck_assert_str_eq(p.opts.opt[1].name, "tsize");
}
END_TEST

START_TEST(modes_case_insensitive)
{
	struct tftp_pkt p;

	ck_assert_int_eq(PARSE("\0\1f\0NetAscii\0", &p), TFTP_P_OK);
	ck_assert_int_eq(p.mode, TFTP_MODE_NETASCII);
	ck_assert_int_eq(PARSE("\0\1f\0OCTET\0", &p), TFTP_P_OK);
	ck_assert_int_eq(p.mode, TFTP_MODE_OCTET);
	ck_assert_int_eq(PARSE("\0\2f\0mail\0", &p), TFTP_P_OK);
	ck_assert_int_eq(p.op, TFTP_WRQ);
	ck_assert_int_eq(p.mode, TFTP_MODE_MAIL);
}
END_TEST

START_TEST(data_ack_error_oack)
{
	uint8_t buf[600], payload[512];
	struct tftp_opt o[1] = { { "blksize", 0, "512", 0 } };
	struct tftp_pkt p;
	size_t n;

	memset(payload, 0xab, sizeof(payload));
	ck_assert_int_eq(tftp_build_data(buf, sizeof(buf), 65535, payload, 512, &n), 0);
	ck_assert_uint_eq(n, 516);
	ck_assert_int_eq(tftp_parse(buf, n, 512, &p), TFTP_P_OK);
	ck_assert_uint_eq(p.block, 65535);
	ck_assert_uint_eq(p.data_len, 512);
	ck_assert_int_eq(tftp_parse(buf, n, 511, &p), TFTP_P_TOO_LONG);
	ck_assert_int_eq(p.op, TFTP_DATA);

	ck_assert_int_eq(tftp_build_ack(buf, sizeof(buf), 0, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(tftp_parse(buf, n, 0, &p), TFTP_P_OK);
	ck_assert_int_eq(p.op, TFTP_ACK);
	ck_assert_uint_eq(p.block, 0);

	ck_assert_int_eq(tftp_build_error(buf, sizeof(buf), 1, "File not found", &n), 0);
	ck_assert_int_eq(tftp_parse(buf, n, 0, &p), TFTP_P_OK);
	ck_assert_uint_eq(p.ecode, 1);
	ck_assert_str_eq(p.emsg, "File not found");

	ck_assert_int_eq(tftp_build_oack(buf, sizeof(buf), o, 1, &n), 0);
	ck_assert_int_eq(tftp_parse(buf, n, 0, &p), TFTP_P_OK);
	ck_assert_int_eq(p.op, TFTP_OACK);
	ck_assert_uint_eq(p.opts.n, 1);
}
END_TEST

START_TEST(data_header_only)
{
	uint8_t h[TFTP_HDR];
	struct tftp_pkt p;

	tftp_build_data_hdr(h, 0x1234);
	ck_assert_int_eq(tftp_parse(h, sizeof(h), 512, &p), TFTP_P_OK);
	ck_assert_uint_eq(p.block, 0x1234);
	ck_assert_uint_eq(p.data_len, 0);
}
END_TEST

START_TEST(error_message_cleaned_and_cut)
{
	uint8_t buf[12];
	struct tftp_pkt p;
	size_t n;

	ck_assert_int_eq(tftp_build_error(buf, sizeof(buf), 2, "bad\nname\x01long", &n), 0);
	ck_assert_uint_eq(n, sizeof(buf));
	ck_assert_int_eq(tftp_parse(buf, n, 0, &p), TFTP_P_OK);
	ck_assert_str_eq(p.emsg, "bad?nam");
	ck_assert_int_eq(tftp_build_error(buf, 4, 2, "x", &n), -1);
}
END_TEST

START_TEST(error_without_nul_accepted)
{
	struct tftp_pkt p;

	ck_assert_int_eq(PARSE("\0\5\0\1oops", &p), TFTP_P_OK);
	ck_assert_ptr_null(p.emsg);
	ck_assert_uint_eq(p.emsg_len, 4);
	ck_assert_int_eq(PARSE("\0\5\0", &p), TFTP_P_SHORT);
	ck_assert_int_eq(p.op, TFTP_ERROR);
}
END_TEST

START_TEST(options_over_limit_counted)
{
	uint8_t buf[TFTP_REQ_MAX];
	struct tftp_opt o[20];
	struct tftp_pkt p;
	size_t n;

	for (int i = 0; i < 20; i++) {
		o[i].name = "x";
		o[i].value = "1";
	}
	ck_assert_int_eq(tftp_build_req(buf, sizeof(buf), TFTP_RRQ, "f", "octet", o, 20, &n), 0);
	ck_assert_int_eq(tftp_parse(buf, n, 0, &p), TFTP_P_OK);
	ck_assert_uint_eq(p.opts.n, TFTP_MAX_OPTS);
	ck_assert_uint_eq(p.opts.total, 20);
}
END_TEST

/* ---- malformed ------------------------------------------------------- */

static const struct {
	const char *pkt;
	size_t len;
	enum tftp_perr err;
	enum tftp_ecode code;
} bad[] = {
#define B(lit, e, c) { lit, sizeof(lit) - 1, e, c }
	B("", TFTP_P_EMPTY, TFTP_EUNDEF),
	B("\1", TFTP_P_SHORT, TFTP_EBADOP),
	B("\0\1", TFTP_P_SHORT, TFTP_EBADOP),
	B("\0\0", TFTP_P_OPCODE, TFTP_EBADOP),
	B("\0\7x\0octet\0", TFTP_P_OPCODE, TFTP_EBADOP),
	B("\xff\xff", TFTP_P_OPCODE, TFTP_EBADOP),
	B("\0\1file", TFTP_P_FILE_NUL, TFTP_EBADOP),
	B("\0\1\0octet\0", TFTP_P_FILE_EMPTY, TFTP_EBADOP),
	B("\0\1file\0", TFTP_P_MODE_NUL, TFTP_EBADOP),
	B("\0\1file\0octet", TFTP_P_MODE_NUL, TFTP_EBADOP),
	B("\0\1file\0binary\0", TFTP_P_MODE, TFTP_EBADOP),
	B("\0\1file\0\0", TFTP_P_MODE, TFTP_EBADOP),
	B("\0\1file\0octet\0blksize", TFTP_P_OPT_NUL, TFTP_EBADOP),
	B("\0\1file\0octet\0blksize\0", TFTP_P_OPT_NO_VALUE, TFTP_EBADOP),
	B("\0\1file\0octet\0blksize\0" "512", TFTP_P_OPT_NO_VALUE, TFTP_EBADOP),
	B("\0\3\0", TFTP_P_SHORT, TFTP_EBADOP),
	B("\0\4\0", TFTP_P_SHORT, TFTP_EBADOP),
#undef B
};

START_TEST(malformed_table)
{
	struct tftp_pkt p;

	ck_assert_int_eq(parse_lit(bad[_i].pkt, bad[_i].len, &p), bad[_i].err);
	ck_assert_int_eq(tftp_perr_ecode(bad[_i].err), bad[_i].code);
	ck_assert_ptr_null(p.file);
	ck_assert_uint_eq(p.opts.n, 0);
	ck_assert_str_ne(tftp_perr_str(bad[_i].err), "unknown parse error");
}
END_TEST

START_TEST(request_over_512)
{
	uint8_t buf[600];
	struct tftp_pkt p;

	memset(buf, 'a', sizeof(buf));
	buf[0] = 0;
	buf[1] = 1;
	buf[520] = 0;
	memcpy(buf + 521, "octet", 6);
	ck_assert_int_eq(tftp_parse(buf, 527, 0, &p), TFTP_P_TOO_LONG);
	ck_assert_int_eq(tftp_parse(buf, 512, 0, &p), TFTP_P_FILE_NUL);
}
END_TEST

START_TEST(builders_refuse_overflow)
{
	uint8_t buf[10];
	struct tftp_opt o[1] = { { "blksize", 0, "1428", 0 } };
	size_t n = 99;

	ck_assert_int_eq(tftp_build_req(buf, sizeof(buf), TFTP_RRQ, "longfilename", "octet", NULL, 0, &n), -1);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tftp_build_req(buf, sizeof(buf), TFTP_DATA, "f", "octet", NULL, 0, &n), -1);
	ck_assert_int_eq(tftp_build_req(buf, sizeof(buf), TFTP_RRQ, "", "octet", NULL, 0, &n), -1);
	ck_assert_int_eq(tftp_build_oack(buf, sizeof(buf), o, 1, &n), -1);
	ck_assert_int_eq(tftp_build_data(buf, sizeof(buf), 1, (const uint8_t *)"0123456789", 10, &n), -1);
	ck_assert_int_eq(tftp_build_ack(buf, 3, 1, &n), -1);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_codec");
	TCase *ok = tcase_create("ok");
	TCase *mal = tcase_create("malformed");

	tcase_add_test(ok, rrq_roundtrip);
	tcase_add_test(ok, modes_case_insensitive);
	tcase_add_test(ok, data_ack_error_oack);
	tcase_add_test(ok, data_header_only);
	tcase_add_test(ok, error_message_cleaned_and_cut);
	tcase_add_test(ok, error_without_nul_accepted);
	tcase_add_test(ok, options_over_limit_counted);
	tcase_add_loop_test(mal, malformed_table, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(mal, request_over_512);
	tcase_add_test(mal, builders_refuse_overflow);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, mal);
	return s;
}

CTL_TEST_MAIN(make_suite)
