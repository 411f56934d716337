/*
 * TFTP packet codec (libtftp/tftp_codec.c) and option negotiation
 * (libtftp/tftp_opts.c): every packet kind built and parsed back, each
 * malformed request with its specific parse error and ERROR code, the
 * option rules of RFC 2347/2348/2349/7440, and builder bounds.
 */
#include <stdint.h>
#include <string.h>

#include "tftp_codec.h"
#include "tftp_opts.h"
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

/* ---- options --------------------------------------------------------- */

static struct tftp_optreq
read_opts(const char *lit, size_t n, enum tftp_perr want)
{
	struct tftp_pkt p;
	struct tftp_optreq r;

	ck_assert_int_eq(parse_lit(lit, n, &p), TFTP_P_OK);
	ck_assert_int_eq(tftp_opts_read(&p.opts, &r), want);
	return r;
}
#define READ_OPTS(lit, want) read_opts(lit, sizeof(lit) - 1, want)

START_TEST(number_parser)
{
	uint64_t v;

	ck_assert_int_eq(tftp_opt_number("0", 1, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(tftp_opt_number("0001428", 7, &v), 0);
	ck_assert_uint_eq(v, 1428);
	ck_assert_int_eq(tftp_opt_number("18446744073709551615", 20, &v), 0);
	ck_assert(v == UINT64_MAX);
	ck_assert_int_eq(tftp_opt_number("99999999999999999999999", 23, &v), 0);
	ck_assert(v == UINT64_MAX);
	ck_assert_int_eq(tftp_opt_number("", 0, &v), -1);
	ck_assert_int_eq(tftp_opt_number("-1", 2, &v), -1);
	ck_assert_int_eq(tftp_opt_number("+1", 2, &v), -1);
	ck_assert_int_eq(tftp_opt_number(" 1", 2, &v), -1);
	ck_assert_int_eq(tftp_opt_number("1x", 2, &v), -1);
	ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(first_duplicate_wins_unknown_ignored)
{
	struct tftp_optreq r = READ_OPTS("\0\1f\0octet\0BLKSIZE\0001024\0blksize\0" "512\0foo\0bar\0tsize\0000\0", TFTP_P_OK);

	ck_assert_uint_eq(r.present, (1u << TFTP_OPT_BLKSIZE) | (1u << TFTP_OPT_TSIZE));
	ck_assert_uint_eq(r.val[TFTP_OPT_BLKSIZE], 1024);
	ck_assert_uint_eq(r.unknown, 2);
}
END_TEST

START_TEST(bad_value_refused)
{
	(void)READ_OPTS("\0\1f\0octet\0blksize\0abc\0", TFTP_P_OPT_VALUE);
	(void)READ_OPTS("\0\1f\0octet\0windowsize\0\0", TFTP_P_OPT_VALUE);
	(void)READ_OPTS("\0\1f\0octet\0tsize\0-5\0", TFTP_P_OPT_VALUE);
	/* Unknown options are not checked at all. */
	(void)READ_OPTS("\0\1f\0octet\0foo\0-5\0", TFTP_P_OK);
	ck_assert_uint_eq(tftp_perr_ecode(TFTP_P_OPT_VALUE), TFTP_EOPTNEG);
}
END_TEST

static struct tftp_neg
negotiate(enum tftp_optid id, uint64_t v, enum tftp_mode mode)
{
	struct tftp_optreq r;
	struct tftp_limits lim = { 1468, 64, 0 };
	struct tftp_neg n;

	memset(&r, 0, sizeof(r));
	r.present = 1u << id;
	r.val[id] = v;
	tftp_opts_negotiate(&r, &lim, mode, 5000, &n);
	return n;
}

START_TEST(negotiation_rules)
{
	struct tftp_neg n;

	n = negotiate(TFTP_OPT_BLKSIZE, 1428, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.accepted, 1u << TFTP_OPT_BLKSIZE);
	ck_assert_uint_eq(n.blksize, 1428);
	n = negotiate(TFTP_OPT_BLKSIZE, 65464, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.blksize, 1468);
	n = negotiate(TFTP_OPT_BLKSIZE, UINT64_MAX, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.blksize, 1468);
	n = negotiate(TFTP_OPT_BLKSIZE, 7, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.accepted, 0);
	ck_assert_uint_eq(n.blksize, 512);
	n = negotiate(TFTP_OPT_BLKSIZE, 8, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.blksize, 8);
	n = negotiate(TFTP_OPT_TIMEOUT, 0, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.accepted, 0);
	n = negotiate(TFTP_OPT_TIMEOUT, 256, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.accepted, 0);
	n = negotiate(TFTP_OPT_TIMEOUT, 255, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.timeout_s, 255);
	n = negotiate(TFTP_OPT_WINDOWSIZE, 0, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.accepted, 0);
	ck_assert_uint_eq(n.windowsize, 1);
	n = negotiate(TFTP_OPT_WINDOWSIZE, 65535, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.windowsize, 64);
	n = negotiate(TFTP_OPT_TSIZE, 0, TFTP_MODE_OCTET);
	ck_assert_uint_eq(n.tsize, 5000);
	n = negotiate(TFTP_OPT_TSIZE, 0, TFTP_MODE_NETASCII);
	ck_assert_uint_eq(n.accepted, 0);
}
END_TEST

START_TEST(timeout_capped)
{
	struct tftp_optreq r;
	struct tftp_limits lim = { 1468, 64, 8 };
	struct tftp_neg n;

	/* Above the cap the option is left out (RFC 2349 allows no other value), at the cap echoed. */
	memset(&r, 0, sizeof(r));
	r.present = 1u << TFTP_OPT_TIMEOUT;
	r.val[TFTP_OPT_TIMEOUT] = 255;
	tftp_opts_negotiate(&r, &lim, TFTP_MODE_OCTET, 5000, &n);
	ck_assert_uint_eq(n.accepted, 0);
	ck_assert_uint_eq(n.timeout_s, 0);
	r.val[TFTP_OPT_TIMEOUT] = 9;
	tftp_opts_negotiate(&r, &lim, TFTP_MODE_OCTET, 5000, &n);
	ck_assert_uint_eq(n.accepted, 0);
	r.val[TFTP_OPT_TIMEOUT] = 8;
	tftp_opts_negotiate(&r, &lim, TFTP_MODE_OCTET, 5000, &n);
	ck_assert_uint_eq(n.accepted, 1u << TFTP_OPT_TIMEOUT);
	ck_assert_uint_eq(n.timeout_s, 8);
}
END_TEST

START_TEST(oack_built_and_checked)
{
	struct tftp_optreq asked, ack;
	struct tftp_limits lim = { 1468, 64, 0 };
	struct tftp_neg n, cn;
	struct tftp_pkt p;
	uint8_t buf[128];
	size_t len;

	memset(&asked, 0, sizeof(asked));
	asked.present = (1u << TFTP_OPT_BLKSIZE) | (1u << TFTP_OPT_TSIZE) | (1u << TFTP_OPT_WINDOWSIZE) |
	                (1u << TFTP_OPT_TIMEOUT);
	asked.val[TFTP_OPT_BLKSIZE] = 65464;
	asked.val[TFTP_OPT_WINDOWSIZE] = 16;
	asked.val[TFTP_OPT_TIMEOUT] = 3;
	tftp_opts_negotiate(&asked, &lim, TFTP_MODE_OCTET, 123456789, &n);
	ck_assert_int_eq(tftp_opts_build_oack(&n, buf, sizeof(buf), &len), 0);
	ck_assert_int_eq(tftp_parse(buf, len, 0, &p), TFTP_P_OK);
	ck_assert_uint_eq(p.opts.n, 4);
	ck_assert_int_eq(tftp_opts_read(&p.opts, &ack), TFTP_P_OK);
	ck_assert_int_eq(tftp_opts_check_oack(&asked, &ack, &cn), 0);
	ck_assert_uint_eq(cn.blksize, 1468);
	ck_assert_uint_eq(cn.windowsize, 16);
	ck_assert_uint_eq(cn.timeout_s, 3);
	ck_assert_uint_eq(cn.tsize, 123456789);

	/* Larger than asked, or never asked: the client must refuse (ERROR 8). */
	ack.val[TFTP_OPT_WINDOWSIZE] = 17;
	ck_assert_int_eq(tftp_opts_check_oack(&asked, &ack, &cn), -1);
	ack.val[TFTP_OPT_WINDOWSIZE] = 16;
	ack.val[TFTP_OPT_TIMEOUT] = 4;
	ck_assert_int_eq(tftp_opts_check_oack(&asked, &ack, &cn), -1);
	ack.val[TFTP_OPT_TIMEOUT] = 3;
	asked.present &= ~(1u << TFTP_OPT_TSIZE);
	ck_assert_int_eq(tftp_opts_check_oack(&asked, &ack, &cn), -1);

	/* Nothing accepted: no OACK at all (RFC 2347: plain DATA 1). */
	memset(&n, 0, sizeof(n));
	ck_assert_int_eq(tftp_opts_build_oack(&n, buf, sizeof(buf), &len), 0);
	ck_assert_uint_eq(len, 0);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_codec");
	TCase *ok = tcase_create("ok");
	TCase *mal = tcase_create("malformed");
	TCase *opt = tcase_create("options");

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
	tcase_add_test(opt, number_parser);
	tcase_add_test(opt, first_duplicate_wins_unknown_ignored);
	tcase_add_test(opt, bad_value_refused);
	tcase_add_test(opt, negotiation_rules);
	tcase_add_test(opt, timeout_capped);
	tcase_add_test(opt, oack_built_and_checked);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, mal);
	suite_add_tcase(s, opt);
	return s;
}

CTL_TEST_MAIN(make_suite)
