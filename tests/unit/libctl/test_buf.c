/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded reader and writer (libctl/buf.c) and error texts (libctl/err.c).
 * Every reader primitive gets: exact fit, one byte short, giant length
 * (0xFFFF and SIZE_MAX), offset unchanged after failure, out-params zeroed.
 */
#include <stdint.h>
#include <string.h>

#include <ctl/ctl.h>

#include "testutil.h"

/* A reader over the first n bytes of a patterned buffer, pre-advanced by skip. */
static uint8_t pat[64];

static void
rd_over(struct ctl_rd *rd, size_t n, size_t skip)
{
	size_t i;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(0x10 + i);
	ctl_rd_init(rd, pat, n);
	ck_assert_int_eq(ctl_rd_skip(rd, skip), CTL_OK);
}

/* ---- ok ----------------------------------------------------------- */

START_TEST(rd_u8_exact)
{
	struct ctl_rd rd;
	uint8_t v = 0;

	rd_over(&rd, 1, 0);
	ck_assert_int_eq(ctl_rd_u8(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0x10);
	ck_assert_uint_eq(ctl_rd_off(&rd), 1);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
}
END_TEST

START_TEST(rd_u16_exact)
{
	struct ctl_rd rd;
	uint16_t v = 0;
	const uint8_t be[2] = { 0xfe, 0x01 };

	rd_over(&rd, 3, 1);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0x1112);
	ck_assert_uint_eq(ctl_rd_off(&rd), 3);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
	/* big-endian, and the high bit does not sign-extend */
	ctl_rd_init(&rd, be, sizeof(be));
	ck_assert_int_eq(ctl_rd_u16be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0xfe01);
}
END_TEST

START_TEST(rd_u32_exact)
{
	struct ctl_rd rd;
	uint32_t v = 0;
	const uint8_t be[4] = { 0xff, 0x80, 0x01, 0x7f };

	rd_over(&rd, 6, 2);
	ck_assert_int_eq(ctl_rd_u32be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0x12131415u);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
	ctl_rd_init(&rd, be, sizeof(be));
	ck_assert_int_eq(ctl_rd_u32be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0xff80017fu);
}
END_TEST

START_TEST(rd_bytes_exact)
{
	struct ctl_rd rd;
	uint8_t dst[8];

	rd_over(&rd, 8, 0);
	ck_assert_int_eq(ctl_rd_bytes(&rd, dst, 8), CTL_OK);
	ck_assert_mem_eq(dst, pat, 8);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
	/* zero bytes at the end is fine and does not move */
	ck_assert_int_eq(ctl_rd_bytes(&rd, dst, 0), CTL_OK);
	ck_assert_uint_eq(ctl_rd_off(&rd), 8);
}
END_TEST

START_TEST(rd_view_exact)
{
	struct ctl_rd rd;
	const uint8_t *p = NULL;

	rd_over(&rd, 10, 3);
	ck_assert_int_eq(ctl_rd_view(&rd, &p, 7), CTL_OK);
	ck_assert_ptr_eq(p, pat + 3);
	ck_assert_uint_eq(ctl_rd_off(&rd), 10);
	ck_assert_int_eq(ctl_rd_view(&rd, &p, 0), CTL_OK);
	ck_assert_uint_eq(ctl_rd_off(&rd), 10);
}
END_TEST

START_TEST(rd_peek_exact)
{
	struct ctl_rd rd;
	uint8_t v = 0;

	rd_over(&rd, 5, 4);
	ck_assert_int_eq(ctl_rd_peek_u8(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0x14);
	ck_assert_uint_eq(ctl_rd_off(&rd), 4); /* peek does not advance */
}
END_TEST

START_TEST(rd_sub_exact)
{
	struct ctl_rd rd, child;
	uint16_t v = 0;
	uint8_t b = 0;

	rd_over(&rd, 12, 2);
	ck_assert_int_eq(ctl_rd_sub(&rd, &child, 10), CTL_OK);
	ck_assert_uint_eq(ctl_rd_off(&rd), 12);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
	ck_assert_uint_eq(ctl_rd_left(&child), 10);
	/* the child reports absolute offsets, for diagnostics */
	ck_assert_uint_eq(ctl_rd_off(&child), 2);
	ck_assert_int_eq(ctl_rd_u16be(&child, &v), CTL_OK);
	ck_assert_uint_eq(v, 0x1213);
	ck_assert_uint_eq(ctl_rd_off(&child), 4);
	/* a grandchild keeps the absolute origin too */
	{
		struct ctl_rd gc;

		ck_assert_int_eq(ctl_rd_sub(&child, &gc, 3), CTL_OK);
		ck_assert_uint_eq(ctl_rd_off(&gc), 4);
		ck_assert_int_eq(ctl_rd_u8(&gc, &b), CTL_OK);
		ck_assert_uint_eq(b, 0x14);
		ck_assert_uint_eq(ctl_rd_off(&gc), 5);
		/* the grandchild is capped: it cannot read the parent's bytes */
		ck_assert_int_eq(ctl_rd_u16be(&gc, &v), CTL_OK);
		ck_assert_int_eq(ctl_rd_u8(&gc, &b), CTL_E_TRUNCATED);
		ck_assert_uint_eq(b, 0);
	}
	ck_assert_uint_eq(ctl_rd_off(&child), 7);
}
END_TEST

START_TEST(rd_cstr_exact)
{
	static const uint8_t s[] = { 'a', 'b', 'c', 0, 'd', 0 };
	struct ctl_rd rd;
	const char *p = NULL;
	size_t n = 99;

	ctl_rd_init(&rd, s, sizeof(s));
	ck_assert_int_eq(ctl_rd_cstr(&rd, &p, &n), CTL_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_ptr_eq(p, (const char *)s);
	ck_assert_uint_eq(ctl_rd_off(&rd), 4);
	ck_assert_int_eq(ctl_rd_cstr(&rd, &p, &n), CTL_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
}
END_TEST

START_TEST(rd_init_null)
{
	struct ctl_rd rd;
	uint8_t v = 7;

	ctl_rd_init(&rd, NULL, 100);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
	ck_assert_int_eq(ctl_rd_u8(&rd, &v), CTL_E_TRUNCATED);
	ck_assert_uint_eq(v, 0);
}
END_TEST

/* ---- truncated ---------------------------------------------------- */

/* Each failing primitive: CTL_E_TRUNCATED, offset unchanged, outputs zeroed. */
START_TEST(rd_u8_short)
{
	struct ctl_rd rd;
	uint8_t v = 0xaa;

	rd_over(&rd, 4, 4);
	ck_assert_int_eq(ctl_rd_u8(&rd, &v), CTL_E_TRUNCATED);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(ctl_rd_off(&rd), 4);
	rd_over(&rd, 0, 0);
	v = 0xaa;
	ck_assert_int_eq(ctl_rd_u8(&rd, &v), CTL_E_TRUNCATED);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(ctl_rd_off(&rd), 0);
}
END_TEST

START_TEST(rd_peek_short)
{
	struct ctl_rd rd;
	uint8_t v = 0xaa;

	rd_over(&rd, 4, 4);
	ck_assert_int_eq(ctl_rd_peek_u8(&rd, &v), CTL_E_TRUNCATED);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(ctl_rd_off(&rd), 4);
}
END_TEST

START_TEST(rd_u16_short)
{
	struct ctl_rd rd;
	uint16_t v = 0xaaaa;

	rd_over(&rd, 4, 3);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &v), CTL_E_TRUNCATED);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(ctl_rd_off(&rd), 3);
	ck_assert_uint_eq(ctl_rd_left(&rd), 1);
}
END_TEST

START_TEST(rd_u32_short)
{
	struct ctl_rd rd;
	uint32_t v = 0xaaaaaaaau;
	size_t skip;

	for (skip = 1; skip <= 4; skip++) {
		rd_over(&rd, 4, skip);
		v = 0xaaaaaaaau;
		ck_assert_int_eq(ctl_rd_u32be(&rd, &v), CTL_E_TRUNCATED);
		ck_assert_uint_eq(v, 0);
		ck_assert_uint_eq(ctl_rd_off(&rd), skip);
	}
}
END_TEST

START_TEST(rd_bytes_short)
{
	struct ctl_rd rd;
	uint8_t dst[8];

	rd_over(&rd, 8, 1);
	memset(dst, 0xaa, sizeof(dst));
	ck_assert_int_eq(ctl_rd_bytes(&rd, dst, 8), CTL_E_TRUNCATED);
	{
		static const uint8_t zero[8];

		ck_assert_mem_eq(dst, zero, 8);
	}
	ck_assert_uint_eq(ctl_rd_off(&rd), 1);
	ck_assert_uint_eq(ctl_rd_left(&rd), 7);
	/* the exact remainder still reads after the failure */
	ck_assert_int_eq(ctl_rd_bytes(&rd, dst, 7), CTL_OK);
	ck_assert_mem_eq(dst, pat + 1, 7);
}
END_TEST

START_TEST(rd_view_short)
{
	struct ctl_rd rd;
	const uint8_t *p = pat;

	rd_over(&rd, 10, 3);
	ck_assert_int_eq(ctl_rd_view(&rd, &p, 8), CTL_E_TRUNCATED);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(ctl_rd_off(&rd), 3);
}
END_TEST

START_TEST(rd_sub_short)
{
	struct ctl_rd rd, child;

	rd_over(&rd, 10, 3);
	memset(&child, 0xaa, sizeof(child));
	ck_assert_int_eq(ctl_rd_sub(&rd, &child, 8), CTL_E_TRUNCATED);
	ck_assert_uint_eq(ctl_rd_off(&rd), 3);
	ck_assert_uint_eq(ctl_rd_left(&child), 0);
	ck_assert_ptr_null(child.base);
}
END_TEST

START_TEST(rd_cstr_no_nul)
{
	static const uint8_t s[] = { 'a', 'b', 'c' };
	struct ctl_rd rd;
	const char *p = "x";
	size_t n = 99;

	ctl_rd_init(&rd, s, sizeof(s));
	ck_assert_int_eq(ctl_rd_skip(&rd, 1), CTL_OK);
	ck_assert_int_eq(ctl_rd_cstr(&rd, &p, &n), CTL_E_TRUNCATED);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(ctl_rd_off(&rd), 1);
	ck_assert_int_eq(ctl_rd_skip(&rd, 2), CTL_OK);
	ck_assert_int_eq(ctl_rd_cstr(&rd, &p, &n), CTL_E_TRUNCATED);
	ck_assert_uint_eq(ctl_rd_off(&rd), 3);
}
END_TEST

/* A TLV length read from the wire can be 0xFFFF on a short buffer; a
 * size_t length can be anything: no overflow in the bounds check. */
static const size_t giant[] = { 0xffff, 0x10000, SIZE_MAX, SIZE_MAX - 1, SIZE_MAX / 2 + 1 };

START_TEST(rd_giant_lengths)
{
	size_t i = (size_t)_i;
	struct ctl_rd rd, child;
	const uint8_t *p;
	uint8_t dst[1];

	rd_over(&rd, 40, 5);
	p = pat;
	ck_assert_int_eq(ctl_rd_view(&rd, &p, giant[i]), CTL_E_TRUNCATED);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(ctl_rd_off(&rd), 5);
	ck_assert_int_eq(ctl_rd_sub(&rd, &child, giant[i]), CTL_E_TRUNCATED);
	ck_assert_uint_eq(ctl_rd_off(&rd), 5);
	ck_assert_uint_eq(ctl_rd_left(&child), 0);
	/* ctl_rd_bytes zeroes dst first, so only ask it for what dst holds
	 * beyond the end; the giant case is covered by view/sub above. */
	ck_assert_int_eq(ctl_rd_skip(&rd, 35), CTL_OK);
	dst[0] = 0xaa;
	ck_assert_int_eq(ctl_rd_bytes(&rd, dst, 1), CTL_E_TRUNCATED);
	ck_assert_uint_eq(dst[0], 0);
	ck_assert_uint_eq(ctl_rd_off(&rd), 40);
}
END_TEST

/* A TLV read as the parser does it: u8 tag, u16 length 0xFFFF, value. */
START_TEST(rd_tlv_giant_length)
{
	struct ctl_wr wr;
	struct ctl_rd rd;
	uint8_t *buf, tag;
	uint16_t len;
	const uint8_t *v;
	size_t n, at;

	ctl_wr_init(&wr, 1024);
	ck_assert_int_eq(ctl_wr_u8(&wr, 4), CTL_OK);
	ck_assert_int_eq(ctl_wr_u16be(&wr, 0xffff), CTL_OK);
	ck_assert_int_eq(ctl_wr_cstr(&wr, "CN=x"), CTL_OK);
	buf = ctl_wr_take(&wr, &n);
	ck_assert_uint_eq(n, 8);
	ctl_rd_init(&rd, buf, n);
	ck_assert_int_eq(ctl_rd_u8(&rd, &tag), CTL_OK);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &len), CTL_OK);
	ck_assert_uint_eq(len, 0xffff);
	at = ctl_rd_off(&rd);
	ck_assert_int_eq(ctl_rd_view(&rd, &v, len), CTL_E_TRUNCATED);
	ck_assert_uint_eq(ctl_rd_off(&rd), at);
	ck_assert_int_eq(ctl_rd_view(&rd, &v, ctl_rd_left(&rd)), CTL_OK);
	ck_assert_mem_eq(v, "CN=x", 5);
	free(buf);
}
END_TEST

/* ---- writer ------------------------------------------------------- */

START_TEST(wr_fixed_exact)
{
	uint8_t buf[7];
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, buf, sizeof(buf));
	ck_assert_int_eq(ctl_wr_u8(&wr, 0x01), CTL_OK);
	ck_assert_int_eq(ctl_wr_u16be(&wr, 0x0203), CTL_OK);
	ck_assert_int_eq(ctl_wr_u32be(&wr, 0x04050607), CTL_OK);
	ck_assert_uint_eq(wr.len, 7);
	{
		const uint8_t want[7] = { 1, 2, 3, 4, 5, 6, 7 };

		ck_assert_mem_eq(buf, want, 7);
	}
	/* full: every primitive refuses and leaves the length alone */
	ck_assert_int_eq(ctl_wr_u8(&wr, 0), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_wr_u16be(&wr, 0), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_wr_u32be(&wr, 0), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "x", 1), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_wr_cstr(&wr, ""), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(wr.len, 7);
	ck_assert_int_eq(ctl_wr_bytes(&wr, NULL, 0), CTL_OK);
	ctl_wr_cleanup(&wr); /* does not free the caller's buffer */
}
END_TEST

START_TEST(wr_fixed_one_short)
{
	uint8_t buf[8];
	struct ctl_wr wr;

	memset(buf, 0xee, sizeof(buf));
	ctl_wr_init_fixed(&wr, buf, 5);
	ck_assert_int_eq(ctl_wr_u16be(&wr, 0x0102), CTL_OK);
	ck_assert_int_eq(ctl_wr_u32be(&wr, 0x03040506), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(wr.len, 2);
	ck_assert_uint_eq(buf[2], 0xee); /* nothing partially written */
	ck_assert_int_eq(ctl_wr_bytes(&wr, "abcd", 4), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_wr_cstr(&wr, "abc"), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_wr_cstr(&wr, "ab"), CTL_OK);
	ck_assert_uint_eq(wr.len, 5);
	ck_assert_uint_eq(buf[4], 0);
	ck_assert_uint_eq(buf[5], 0xee);
}
END_TEST

START_TEST(wr_grow_max)
{
	struct ctl_wr wr;
	uint8_t chunk[100], *p;
	size_t i, n;

	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)i;
	ctl_wr_init(&wr, 1000);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(ctl_wr_bytes(&wr, chunk, sizeof(chunk)), CTL_OK);
	ck_assert_uint_eq(wr.len, 1000);
	ck_assert_int_eq(ctl_wr_u8(&wr, 0), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_wr_bytes(&wr, chunk, SIZE_MAX), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(wr.len, 1000);
	p = ctl_wr_take(&wr, &n);
	ck_assert_uint_eq(n, 1000);
	ck_assert_mem_eq(p + 900, chunk, 100);
	/* take resets the writer, which stays usable */
	ck_assert_uint_eq(wr.len, 0);
	ck_assert_int_eq(ctl_wr_u8(&wr, 9), CTL_OK);
	free(p);
	ctl_wr_cleanup(&wr);
}
END_TEST

START_TEST(wr_reserve_patch)
{
	struct ctl_wr wr;
	size_t at, n;
	uint8_t *p;

	ctl_wr_init(&wr, 0x20000);
	ck_assert_int_eq(ctl_wr_u8(&wr, 3), CTL_OK);
	ck_assert_int_eq(ctl_wr_reserve_u16(&wr, &at), CTL_OK);
	ck_assert_uint_eq(at, 1);
	ck_assert_int_eq(ctl_wr_cstr(&wr, "abc"), CTL_OK);
	ck_assert_int_eq(ctl_wr_patch_u16(&wr, at, wr.len - at - 2), CTL_OK);
	ck_assert_uint_eq(wr.buf[1], 0);
	ck_assert_uint_eq(wr.buf[2], 4);
	/* the largest TLV length, and one more */
	ck_assert_int_eq(ctl_wr_patch_u16(&wr, at, 0xffff), CTL_OK);
	ck_assert_uint_eq(wr.buf[1], 0xff);
	ck_assert_uint_eq(wr.buf[2], 0xff);
	ck_assert_int_eq(ctl_wr_patch_u16(&wr, at, 0x10000), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(wr.buf[1], 0xff); /* unchanged after failure */
	/* a patch must lie inside what was written */
	ck_assert_int_eq(ctl_wr_patch_u16(&wr, wr.len - 1, 1), CTL_E_INVAL);
	ck_assert_int_eq(ctl_wr_patch_u16(&wr, wr.len, 1), CTL_E_INVAL);
	ck_assert_int_eq(ctl_wr_patch_u16(&wr, SIZE_MAX, 1), CTL_E_INVAL);
	ck_assert_int_eq(ctl_wr_patch_u16(&wr, wr.len - 2, 0x4142), CTL_OK);
	p = ctl_wr_take(&wr, &n);
	ck_assert_uint_eq(n, 7);
	ck_assert_uint_eq(p[5], 0x41);
	ck_assert_uint_eq(p[6], 0x42);
	free(p);
}
END_TEST

START_TEST(wr_reserve_full)
{
	uint8_t buf[2];
	struct ctl_wr wr;
	size_t at;

	ctl_wr_init_fixed(&wr, buf, sizeof(buf));
	ck_assert_int_eq(ctl_wr_u8(&wr, 1), CTL_OK);
	ck_assert_int_eq(ctl_wr_reserve_u16(&wr, &at), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(wr.len, 1);
}
END_TEST

START_TEST(wr_insert)
{
	struct ctl_wr wr;
	uint8_t *p;
	size_t n;

	ctl_wr_init(&wr, 9);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "ad", 2), CTL_OK);
	ck_assert_int_eq(ctl_wr_insert(&wr, 1, "bc", 2), CTL_OK);
	ck_assert_int_eq(ctl_wr_insert(&wr, 0, ">", 1), CTL_OK);
	ck_assert_int_eq(ctl_wr_insert(&wr, wr.len, "<", 1), CTL_OK);
	ck_assert_uint_eq(wr.len, 6);
	ck_assert_mem_eq(wr.buf, ">abcd<", 6);
	ck_assert_int_eq(ctl_wr_insert(&wr, wr.len + 1, "x", 1), CTL_E_INVAL);
	ck_assert_int_eq(ctl_wr_insert(&wr, 2, "wxyz", 4), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(wr.len, 6);
	ck_assert_mem_eq(wr.buf, ">abcd<", 6);
	ck_assert_int_eq(ctl_wr_insert(&wr, 2, "xyz", 3), CTL_OK);
	p = ctl_wr_take(&wr, &n);
	ck_assert_uint_eq(n, 9);
	ck_assert_mem_eq(p, ">axyzbcd<", 9);
	free(p);
}
END_TEST

/* Writer output read back by the reader. */
START_TEST(wr_rd_round_trip)
{
	struct ctl_wr wr;
	struct ctl_rd rd;
	uint8_t *p, b;
	uint16_t h;
	uint32_t w;
	const char *s;
	size_t n, sl;

	ctl_wr_init(&wr, 64);
	ck_assert_int_eq(ctl_wr_u8(&wr, 0x9c), CTL_OK);
	ck_assert_int_eq(ctl_wr_u16be(&wr, 0xbeef), CTL_OK);
	ck_assert_int_eq(ctl_wr_u32be(&wr, 0x69540b16), CTL_OK);
	ck_assert_int_eq(ctl_wr_cstr(&wr, "ITLFile.tlv"), CTL_OK);
	p = ctl_wr_take(&wr, &n);
	ck_assert_uint_eq(n, 1 + 2 + 4 + 12);
	ctl_rd_init(&rd, p, n);
	ck_assert_int_eq(ctl_rd_u8(&rd, &b), CTL_OK);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &h), CTL_OK);
	ck_assert_int_eq(ctl_rd_u32be(&rd, &w), CTL_OK);
	ck_assert_int_eq(ctl_rd_cstr(&rd, &s, &sl), CTL_OK);
	ck_assert_uint_eq(b, 0x9c);
	ck_assert_uint_eq(h, 0xbeef);
	ck_assert_uint_eq(w, 1767115542u);
	ck_assert_uint_eq(sl, 11);
	ck_assert_mem_eq(s, "ITLFile.tlv", 12);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
	free(p);
}
END_TEST

/* ---- errors ------------------------------------------------------- */

START_TEST(err_every_code_has_text)
{
	int i, j;

	for (i = 0; i < CTL_E__COUNT; i++) {
		const char *s = ctl_strerror((enum ctl_err)i);

		ck_assert_ptr_nonnull(s);
		ck_assert_str_ne(s, "unknown error");
		ck_assert_uint_gt(strlen(s), 0);
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(s, ctl_strerror((enum ctl_err)j)) != 0,
			              "codes %d and %d share the text \"%s\"", i, j, s);
	}
	ck_assert_str_eq(ctl_strerror(CTL_E__COUNT), "unknown error");
	ck_assert_str_eq(ctl_strerror((enum ctl_err)1000), "unknown error");
}
END_TEST

START_TEST(err_codes_stable)
{
	/* Values are part of the ABI (never renumbered). */
	ck_assert_int_eq(CTL_OK, 0);
	ck_assert_int_eq(CTL_E_TRUNCATED, 1);
	ck_assert_int_eq(CTL_E_BAD_TAG, 2);
	ck_assert_int_eq(CTL_E_DIGEST, 12);
	ck_assert_int_eq(CTL_E_SIG_INVALID, 21);
	ck_assert_int_eq(CTL_E_NOT_TRUSTED, 24);
	ck_assert_int_eq(CTL_E_KIND, 31);
}
END_TEST

START_TEST(err_diag_str)
{
	struct ctl_diag d;
	char out[128], tiny[8];

	ctl_diag_clear(&d);
	ck_assert_int_eq(d.tag, -1);
	ck_assert_str_eq(ctl_diag_str(&d, out, sizeof(out)), "success");
	d.err = CTL_E_DIGEST;
	d.offset = 92;
	d.tag = 8;
	ck_assert_str_eq(ctl_diag_str(&d, out, sizeof(out)),
	                 "offset 92: tag 8: unknown digest algorithm");
	d.record = 2;
	d.tag = 7;
	d.offset = 1900;
	memcpy(d.msg, "bad key", 8);
	ck_assert_str_eq(ctl_diag_str(&d, out, sizeof(out)), "offset 1900 (record 2): tag 7: bad key");
	d.tag = -1;
	d.record = 0;
	ck_assert_str_eq(ctl_diag_str(&d, out, sizeof(out)), "offset 1900: bad key");
	/* truncated output stays NUL-terminated */
	ctl_diag_str(&d, tiny, sizeof(tiny));
	ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
	ctl_diag_clear(NULL);
}
END_TEST

/* ---- skip, peek, reader at an offset, writer reset ---------------- */

START_TEST(rd_skip_exact)
{
	struct ctl_rd rd;
	uint8_t v;

	rd_over(&rd, 4, 0);
	ck_assert_int_eq(ctl_rd_skip(&rd, 3), CTL_OK);
	ck_assert_uint_eq(ctl_rd_off(&rd), 3);
	ck_assert_int_eq(ctl_rd_u8(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0x13);
	ck_assert_int_eq(ctl_rd_skip(&rd, 0), CTL_OK);
	ck_assert_uint_eq(ctl_rd_left(&rd), 0);
}
END_TEST

START_TEST(rd_skip_short)
{
	size_t i = (size_t)_i;
	struct ctl_rd rd;

	rd_over(&rd, 10, 4);
	ck_assert_int_eq(ctl_rd_skip(&rd, 7), CTL_E_TRUNCATED);
	ck_assert_uint_eq(ctl_rd_off(&rd), 4);
	ck_assert_int_eq(ctl_rd_skip(&rd, giant[i]), CTL_E_TRUNCATED);
	ck_assert_uint_eq(ctl_rd_off(&rd), 4);
	ck_assert_int_eq(ctl_rd_skip(&rd, 6), CTL_OK);
	ck_assert_uint_eq(ctl_rd_off(&rd), 10);
}
END_TEST

START_TEST(rd_peek_u16_exact)
{
	struct ctl_rd rd;
	uint16_t v = 0;

	rd_over(&rd, 3, 1);
	ck_assert_int_eq(ctl_rd_peek_u16be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0x1112);
	ck_assert_uint_eq(ctl_rd_off(&rd), 1);
	ck_assert_int_eq(ctl_rd_u16be(&rd, &v), CTL_OK);
	ck_assert_uint_eq(v, 0x1112);
}
END_TEST

START_TEST(rd_peek_u16_short)
{
	struct ctl_rd rd;
	uint16_t v = 0xffff;

	rd_over(&rd, 3, 2);
	ck_assert_int_eq(ctl_rd_peek_u16be(&rd, &v), CTL_E_TRUNCATED);
	ck_assert_uint_eq(v, 0);
	ck_assert_uint_eq(ctl_rd_off(&rd), 2);
}
END_TEST

START_TEST(rd_peek_bytes)
{
	struct ctl_rd rd;
	const uint8_t *p = pat;

	rd_over(&rd, 6, 2);
	ck_assert_int_eq(ctl_rd_peek(&rd, &p, 4), CTL_OK);
	ck_assert_ptr_eq(p, pat + 2);
	ck_assert_uint_eq(ctl_rd_off(&rd), 2);
	ck_assert_int_eq(ctl_rd_peek(&rd, &p, 5), CTL_E_TRUNCATED);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(ctl_rd_peek(&rd, &p, SIZE_MAX), CTL_E_TRUNCATED);
	ck_assert_uint_eq(ctl_rd_off(&rd), 2);
}
END_TEST

/* A body that sits after a 16-byte header reports offsets in the message. */
START_TEST(rd_init_at_origin)
{
	struct ctl_rd rd, child;
	uint8_t v;

	ctl_rd_init_at(&rd, pat, 8, 16);
	ck_assert_uint_eq(ctl_rd_off(&rd), 16);
	ck_assert_int_eq(ctl_rd_u8(&rd, &v), CTL_OK);
	ck_assert_uint_eq(ctl_rd_off(&rd), 17);
	ck_assert_int_eq(ctl_rd_sub(&rd, &child, 4), CTL_OK);
	ck_assert_uint_eq(ctl_rd_off(&child), 17);
	ck_assert_int_eq(ctl_rd_skip(&child, 2), CTL_OK);
	ck_assert_uint_eq(ctl_rd_off(&child), 19);
	ck_assert_uint_eq(ctl_rd_off(&rd), 21);
	ck_assert_int_eq(ctl_rd_skip(&rd, 4), CTL_E_TRUNCATED);
	ck_assert_uint_eq(ctl_rd_off(&rd), 21);
}
END_TEST

START_TEST(wr_reset_keeps_buffer)
{
	struct ctl_wr wr;
	uint8_t *p;
	size_t n;

	ctl_wr_init(&wr, 64);
	ck_assert_int_eq(ctl_wr_cstr(&wr, "first message"), CTL_OK);
	ctl_wr_reset(&wr);
	ck_assert_int_eq(ctl_wr_u16be(&wr, 0x0102), CTL_OK);
	p = ctl_wr_take(&wr, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(p, "\x01\x02", 2);
	free(p);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *ok = tcase_create("ok");
	TCase *tr = tcase_create("truncated");
	TCase *wr = tcase_create("writer");
	TCase *er = tcase_create("errors");

	tcase_add_test(ok, rd_u8_exact);
	tcase_add_test(ok, rd_u16_exact);
	tcase_add_test(ok, rd_u32_exact);
	tcase_add_test(ok, rd_bytes_exact);
	tcase_add_test(ok, rd_view_exact);
	tcase_add_test(ok, rd_peek_exact);
	tcase_add_test(ok, rd_sub_exact);
	tcase_add_test(ok, rd_cstr_exact);
	tcase_add_test(ok, rd_init_null);
	suite_add_tcase(s, ok);

	tcase_add_test(tr, rd_u8_short);
	tcase_add_test(tr, rd_peek_short);
	tcase_add_test(tr, rd_u16_short);
	tcase_add_test(tr, rd_u32_short);
	tcase_add_test(tr, rd_bytes_short);
	tcase_add_test(tr, rd_view_short);
	tcase_add_test(tr, rd_sub_short);
	tcase_add_test(tr, rd_cstr_no_nul);
	tcase_add_loop_test(tr, rd_giant_lengths, 0, (int)(sizeof(giant) / sizeof(giant[0])));
	tcase_add_test(tr, rd_tlv_giant_length);
	tcase_add_test(ok, rd_skip_exact);
	tcase_add_loop_test(tr, rd_skip_short, 0, (int)(sizeof(giant) / sizeof(giant[0])));
	tcase_add_test(ok, rd_peek_u16_exact);
	tcase_add_test(tr, rd_peek_u16_short);
	tcase_add_test(tr, rd_peek_bytes);
	tcase_add_test(ok, rd_init_at_origin);
	tcase_add_test(wr, wr_reset_keeps_buffer);
	suite_add_tcase(s, tr);

	tcase_add_test(wr, wr_fixed_exact);
	tcase_add_test(wr, wr_fixed_one_short);
	tcase_add_test(wr, wr_grow_max);
	tcase_add_test(wr, wr_reserve_patch);
	tcase_add_test(wr, wr_reserve_full);
	tcase_add_test(wr, wr_insert);
	tcase_add_test(wr, wr_rd_round_trip);
	suite_add_tcase(s, wr);

	tcase_add_test(er, err_every_code_has_text);
	tcase_add_test(er, err_codes_stable);
	tcase_add_test(er, err_diag_str);
	suite_add_tcase(s, er);
	return s;
}

CTL_TEST_MAIN(make_suite)
