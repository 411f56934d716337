/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TFTP option negotiation (libtftp/tftp_opts.c): the number parser, the
 * option rules of RFC 2347/2348/2349/7440 (first duplicate wins, unknown
 * ignored, bad values refused, clamping and caps), the OACK built by the
 * server and checked by the client.
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
	Suite *s = suite_create("tftp_opts");
	TCase *opt = tcase_create("options");

	tcase_add_test(opt, number_parser);
	tcase_add_test(opt, first_duplicate_wins_unknown_ignored);
	tcase_add_test(opt, bad_value_refused);
	tcase_add_test(opt, negotiation_rules);
	tcase_add_test(opt, timeout_capped);
	tcase_add_test(opt, oack_built_and_checked);
	suite_add_tcase(s, opt);
	return s;
}

CTL_TEST_MAIN(make_suite)
