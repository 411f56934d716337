/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CTL Provider message codec (libctl/prov.c, doc/provider-protocol.md):
 * the documented example bytes, round trips, and every header and body
 * bound: each header length short of 16, each magic byte, versions, body
 * length at and over the limit, body/header disagreement, item headers cut
 * at every byte, item lengths one past and giant, the item count limit,
 * and the writer's caps. Failures assert the code and the diagnostic offset.
 */
#include <string.h>

#include <ctl/ctl.h>
#include <ctl/prov.h>

#include "testutil.h"

/* The LOGIN example of doc/provider-protocol.md, as encoded by the codec. */
static size_t
login_example(struct ctl_wr *wr)
{
	ctl_wr_init(wr, 4096);
	ck_assert_int_eq(ctl_prov_begin(wr, CTL_PROV_LOGIN, 0, 1), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_str(wr, CTL_PROV_T_USER, "admin"), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_str(wr, CTL_PROV_T_PASSWORD, "secret"), CTL_OK);
	ck_assert_int_eq(ctl_prov_end(wr), CTL_OK);
	return wr->len;
}

/* A 16-byte header with the given fields. */
static void
mkhdr(uint8_t *h, uint8_t ver, uint8_t type, uint16_t st, uint32_t id, uint32_t len)
{
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, h, CTL_PROV_HDR_LEN);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "CTLP", 4), CTL_OK);
	ck_assert_int_eq(ctl_wr_u8(&wr, ver), CTL_OK);
	ck_assert_int_eq(ctl_wr_u8(&wr, type), CTL_OK);
	ck_assert_int_eq(ctl_wr_u16be(&wr, st), CTL_OK);
	ck_assert_int_eq(ctl_wr_u32be(&wr, id), CTL_OK);
	ck_assert_int_eq(ctl_wr_u32be(&wr, len), CTL_OK);
}

/* ---- ok ------------------------------------------------------------ */

START_TEST(doc_example_bytes)
{
	static const uint8_t want[] = {
		0x43, 0x54, 0x4C, 0x50, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x17, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 'a', 'd', 'm',
		'i', 'n', 0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 's', 'e', 'c', 'r', 'e', 't',
	};
	struct ctl_wr wr;

	ck_assert_uint_eq(login_example(&wr), sizeof(want));
	ck_assert_mem_eq(wr.buf, want, sizeof(want));
	ctl_wr_cleanup(&wr);
}
END_TEST

START_TEST(round_trip)
{
	struct ctl_prov_msg m;
	struct ctl_diag d;
	struct ctl_wr wr;
	const struct ctl_prov_item *it;
	static const uint8_t ip[4] = { 192, 0, 2, 11 };

	ctl_wr_init(&wr, 4096);
	ck_assert_int_eq(ctl_prov_begin(&wr, CTL_PROV_GET_INFO | CTL_PROV_RESPONSE, CTL_PROV_IO,
	                                0xdeadbeef), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_str(&wr, CTL_PROV_T_HOSTNAME, "cucm"), CTL_OK);
	ck_assert_int_eq(ctl_prov_put(&wr, CTL_PROV_T_IPV4, ip, 4), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_u8(&wr, CTL_PROV_T_MODE, 1), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_u32(&wr, CTL_PROV_T_LENGTH, 0x01020304), CTL_OK);
	ck_assert_int_eq(ctl_prov_put(&wr, 0x7777, "", 0), CTL_OK); /* unknown tag, empty */
	ck_assert_int_eq(ctl_prov_put_str(&wr, CTL_PROV_T_HOSTNAME, "second"), CTL_OK);
	ck_assert_int_eq(ctl_prov_end(&wr), CTL_OK);

	ck_assert_int_eq(ctl_prov_parse_header(wr.buf, CTL_PROV_HDR_LEN, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.type, 0x82);
	ck_assert_uint_eq(m.status, CTL_PROV_IO);
	ck_assert_uint_eq(m.id, 0xdeadbeef);
	ck_assert_uint_eq(m.body_len, wr.len - CTL_PROV_HDR_LEN);
	ck_assert_int_eq(ctl_prov_parse_body(wr.buf + CTL_PROV_HDR_LEN, m.body_len, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.nitems, 6);
	it = ctl_prov_find(&m, CTL_PROV_T_HOSTNAME); /* the first one */
	ck_assert_ptr_nonnull(it);
	ck_assert_uint_eq(it->len, 4);
	ck_assert_mem_eq(it->val, "cucm", 4);
	it = ctl_prov_find(&m, CTL_PROV_T_LENGTH);
	ck_assert_mem_eq(it->val, "\x01\x02\x03\x04", 4);
	it = ctl_prov_find(&m, 0x7777);
	ck_assert_uint_eq(it->len, 0);
	ck_assert_ptr_null(ctl_prov_find(&m, CTL_PROV_T_CTL_FILE));
	ctl_wr_cleanup(&wr);
}
END_TEST

START_TEST(empty_body)
{
	uint8_t h[CTL_PROV_HDR_LEN];
	struct ctl_prov_msg m;
	struct ctl_diag d;

	mkhdr(h, 1, CTL_PROV_BYE, 0, 9, 0);
	ck_assert_int_eq(ctl_prov_parse_header(h, sizeof(h), &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_body(h, 0, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.nitems, 0);
}
END_TEST

START_TEST(body_at_limit)
{
	uint8_t h[CTL_PROV_HDR_LEN];
	struct ctl_prov_msg m;
	struct ctl_diag d;

	mkhdr(h, 1, CTL_PROV_PUT_CTL, 0, 1, CTL_PROV_MAX_BODY);
	ck_assert_int_eq(ctl_prov_parse_header(h, sizeof(h), &m, &d), CTL_OK);
	ck_assert_uint_eq(m.body_len, CTL_PROV_MAX_BODY);
}
END_TEST

START_TEST(items_at_limit)
{
	struct ctl_prov_msg m;
	struct ctl_diag d;
	struct ctl_wr wr;
	int i;

	ctl_wr_init(&wr, 4096);
	ck_assert_int_eq(ctl_prov_begin(&wr, CTL_PROV_GET_INFO, 0, 1), CTL_OK);
	for (i = 0; i < CTL_PROV_MAX_ITEMS; i++)
		ck_assert_int_eq(ctl_prov_put_u8(&wr, CTL_PROV_T_MODE, (uint8_t)i), CTL_OK);
	ck_assert_int_eq(ctl_prov_end(&wr), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_header(wr.buf, wr.len, &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_body(wr.buf + 16, wr.len - 16, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.nitems, CTL_PROV_MAX_ITEMS);
	ck_assert_uint_eq(m.items[63].val[0], 63);
	ctl_wr_cleanup(&wr);
}
END_TEST

START_TEST(status_texts)
{
	uint16_t s;

	for (s = 0; s < CTL_PROV_STATUS__COUNT; s++)
		ck_assert_str_ne(ctl_prov_status_text(s), "unknown status");
	ck_assert_str_eq(ctl_prov_status_text(CTL_PROV_STATUS__COUNT), "unknown status");
	ck_assert_str_eq(ctl_prov_status_text(0xffff), "unknown status");
	/* Codes are on the wire: never renumbered. */
	ck_assert_int_eq(CTL_PROV_CTL_NOT_TRUSTED, 9);
	ck_assert_int_eq(CTL_PROV_INTERNAL, 12);
}
END_TEST

/* ---- header bounds ------------------------------------------------- */

START_TEST(header_short)
{
	uint8_t h[CTL_PROV_HDR_LEN];
	struct ctl_prov_msg m;
	struct ctl_diag d;

	mkhdr(h, 1, CTL_PROV_LOGIN, 0, 1, 0);
	ck_assert_int_eq(ctl_prov_parse_header(h, (size_t)_i, &m, &d), CTL_E_TRUNCATED);
	ck_assert_int_eq(d.err, CTL_E_TRUNCATED);
}
END_TEST

START_TEST(header_bad_magic)
{
	uint8_t h[CTL_PROV_HDR_LEN];
	struct ctl_prov_msg m;
	struct ctl_diag d;

	mkhdr(h, 1, CTL_PROV_LOGIN, 0, 1, 0);
	h[_i] ^= 0x20;
	ck_assert_int_eq(ctl_prov_parse_header(h, sizeof(h), &m, &d), CTL_E_BAD_TAG);
	ck_assert_uint_eq(d.offset, 0);
	ck_assert_str_eq(d.msg, "not a CTL Provider message (bad magic)");
}
END_TEST

START_TEST(header_bad_version)
{
	static const uint8_t vers[] = { 0, 2, 0x80, 0xff };
	uint8_t h[CTL_PROV_HDR_LEN];
	struct ctl_prov_msg m;
	struct ctl_diag d;

	mkhdr(h, vers[_i], CTL_PROV_LOGIN, 0, 1, 0);
	ck_assert_int_eq(ctl_prov_parse_header(h, sizeof(h), &m, &d), CTL_E_VERSION);
	ck_assert_uint_eq(d.offset, 4);
}
END_TEST

START_TEST(header_too_large)
{
	static const uint32_t lens[] = { CTL_PROV_MAX_BODY + 1, 0x7fffffff, 0xffffffff };
	uint8_t h[CTL_PROV_HDR_LEN];
	struct ctl_prov_msg m;
	struct ctl_diag d;

	mkhdr(h, 1, CTL_PROV_PUT_CTL, 0, 1, lens[_i]);
	ck_assert_int_eq(ctl_prov_parse_header(h, sizeof(h), &m, &d), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(d.offset, 12);
}
END_TEST

/* ---- body bounds --------------------------------------------------- */

START_TEST(body_len_mismatch)
{
	struct ctl_prov_msg m;
	struct ctl_diag d;
	struct ctl_wr wr;

	login_example(&wr);
	ck_assert_int_eq(ctl_prov_parse_header(wr.buf, 16, &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_body(wr.buf + 16, m.body_len - 1, &m, &d), CTL_E_TRUNCATED);
	ck_assert_int_eq(ctl_prov_parse_body(wr.buf + 16, m.body_len + 1, &m, &d), CTL_E_TRUNCATED);
	ctl_wr_cleanup(&wr);
}
END_TEST

/* A body cut after _i bytes of the first item's 6-byte header. */
START_TEST(item_header_cut)
{
	static const uint8_t body[6] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0x00 };
	struct ctl_prov_msg m;
	struct ctl_diag d;

	memset(&m, 0, sizeof(m));
	m.body_len = (uint32_t)_i;
	ck_assert_int_eq(ctl_prov_parse_body(body, (size_t)_i, &m, &d), CTL_E_TRUNCATED);
	ck_assert_uint_eq(d.offset, CTL_PROV_HDR_LEN);
	ck_assert_uint_eq(m.nitems, 0);
}
END_TEST

/* Item value one byte short, and giant lengths; second item offset in the diagnostic. */
START_TEST(item_value_overrun)
{
	static const uint32_t lens[] = { 6, 7, 0xffff, 0x7fffffff, 0xffffffff };
	uint8_t body[32];
	struct ctl_prov_msg m;
	struct ctl_diag d;
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, body, sizeof(body));
	ck_assert_int_eq(ctl_prov_put_u8(&wr, CTL_PROV_T_MODE, 1), CTL_OK); /* 7 bytes */
	ck_assert_int_eq(ctl_wr_u16be(&wr, CTL_PROV_T_USER), CTL_OK);
	ck_assert_int_eq(ctl_wr_u32be(&wr, lens[_i]), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "admin", 5), CTL_OK); /* 5 value bytes present */
	memset(&m, 0, sizeof(m));
	m.body_len = (uint32_t)wr.len;
	ck_assert_int_eq(ctl_prov_parse_body(body, wr.len, &m, &d), CTL_E_TRUNCATED);
	ck_assert_uint_eq(d.offset, CTL_PROV_HDR_LEN + 7);
	ck_assert_int_eq(d.tag, CTL_PROV_T_USER);
}
END_TEST

START_TEST(item_value_exact)
{
	uint8_t body[32];
	struct ctl_prov_msg m;
	struct ctl_diag d;
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, body, sizeof(body));
	ck_assert_int_eq(ctl_wr_u16be(&wr, CTL_PROV_T_USER), CTL_OK);
	ck_assert_int_eq(ctl_wr_u32be(&wr, 5), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "admin", 5), CTL_OK);
	memset(&m, 0, sizeof(m));
	m.body_len = (uint32_t)wr.len;
	ck_assert_int_eq(ctl_prov_parse_body(body, wr.len, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.nitems, 1);
	ck_assert_ptr_eq(m.items[0].val, body + 6); /* lent, not copied */
}
END_TEST

START_TEST(too_many_items)
{
	struct ctl_prov_msg m;
	struct ctl_diag d;
	struct ctl_wr wr;
	int i;

	ctl_wr_init(&wr, 4096);
	ck_assert_int_eq(ctl_prov_begin(&wr, CTL_PROV_GET_INFO, 0, 1), CTL_OK);
	for (i = 0; i <= CTL_PROV_MAX_ITEMS; i++)
		ck_assert_int_eq(ctl_prov_put(&wr, CTL_PROV_T_MESSAGE, "", 0), CTL_OK);
	ck_assert_int_eq(ctl_prov_end(&wr), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_header(wr.buf, 16, &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_body(wr.buf + 16, m.body_len, &m, &d), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(d.offset, CTL_PROV_HDR_LEN + 6 * CTL_PROV_MAX_ITEMS);
	ctl_wr_cleanup(&wr);
}
END_TEST

/* ---- writer -------------------------------------------------------- */

START_TEST(writer_caps)
{
	struct ctl_wr wr;
	uint8_t *big = calloc(1, CTL_PROV_MAX_BODY + 1);
	uint8_t small[20];

	ck_assert_ptr_nonnull(big);
	ctl_wr_init(&wr, 4u * CTL_PROV_MAX_BODY);
	ck_assert_int_eq(ctl_prov_begin(&wr, CTL_PROV_PUT_CTL, 0, 1), CTL_OK);
	/* One item value over the body limit is refused before writing. */
	ck_assert_int_eq(ctl_prov_put(&wr, CTL_PROV_T_CTL_FILE, big, CTL_PROV_MAX_BODY + 1),
	                 CTL_E_TOO_LARGE);
	ck_assert_uint_eq(wr.len, CTL_PROV_HDR_LEN);
	/* Exactly the limit: one item of MAX_BODY - 6 value bytes. */
	ck_assert_int_eq(ctl_prov_put(&wr, CTL_PROV_T_CTL_FILE, big, CTL_PROV_MAX_BODY - 6), CTL_OK);
	ck_assert_int_eq(ctl_prov_end(&wr), CTL_OK);
	/* One more byte makes the body too large for end(). */
	ck_assert_int_eq(ctl_wr_u8(&wr, 0), CTL_OK);
	ck_assert_int_eq(ctl_prov_end(&wr), CTL_E_TOO_LARGE);
	ctl_wr_cleanup(&wr);
	/* end() without a header. */
	ctl_wr_init_fixed(&wr, small, sizeof(small));
	ck_assert_int_eq(ctl_prov_end(&wr), CTL_E_INVAL);
	/* A fixed buffer too small for the item. */
	ck_assert_int_eq(ctl_prov_begin(&wr, CTL_PROV_LOGIN, 0, 1), CTL_OK);
	ck_assert_int_ne(ctl_prov_put_str(&wr, CTL_PROV_T_USER, "admin"), CTL_OK);
	free(big);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov");
	TCase *ok = tcase_create("ok"), *hdr = tcase_create("header"), *body = tcase_create("body");
	TCase *wr = tcase_create("writer");

	tcase_add_test(ok, doc_example_bytes);
	tcase_add_test(ok, round_trip);
	tcase_add_test(ok, empty_body);
	tcase_add_test(ok, body_at_limit);
	tcase_add_test(ok, items_at_limit);
	tcase_add_test(ok, status_texts);
	suite_add_tcase(s, ok);
	tcase_add_loop_test(hdr, header_short, 0, CTL_PROV_HDR_LEN);
	tcase_add_loop_test(hdr, header_bad_magic, 0, 4);
	tcase_add_loop_test(hdr, header_bad_version, 0, 4);
	tcase_add_loop_test(hdr, header_too_large, 0, 3);
	suite_add_tcase(s, hdr);
	tcase_add_test(body, body_len_mismatch);
	tcase_add_loop_test(body, item_header_cut, 1, 6);
	tcase_add_loop_test(body, item_value_overrun, 0, 5);
	tcase_add_test(body, item_value_exact);
	tcase_add_test(body, too_many_items);
	suite_add_tcase(s, body);
	tcase_add_test(wr, writer_caps);
	suite_add_tcase(s, wr);
	return s;
}

CTL_TEST_MAIN(make_suite)
