/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the bounded reader and writer (ctl_rd_*, ctl_wr_*).
 * The input is both the program and the data: each step takes an opcode
 * byte and a length from the reader itself, then applies one primitive to
 * a second reader over the same input. After every call the invariants of
 * ctl/buf.h must hold: offset within bounds, offset unchanged and outputs
 * zeroed after a failure, a child reader capped at its length.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/ctl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static volatile uint8_t sink;

static void
invariant(const struct ctl_rd *rd)
{
	CHECK(rd->off <= rd->len);
	CHECK(ctl_rd_left(rd) == rd->len - rd->off);
	CHECK(ctl_rd_off(rd) == rd->origin + rd->off);
}

/* One primitive on rd; len is a length taken from the program. */
static void
step(struct ctl_rd *rd, uint8_t op, size_t len, int depth)
{
	size_t before = ctl_rd_off(rd), left = ctl_rd_left(rd);
	enum ctl_err r;

	switch (op % 13) {
	case 0: {
		uint8_t v = 0xaa;
		r = ctl_rd_u8(rd, &v);
		CHECK(r == (left >= 1 ? CTL_OK : CTL_E_TRUNCATED));
		CHECK(r == CTL_OK || v == 0);
		break;
	}
	case 1: {
		uint16_t v = 0xaaaa;
		r = ctl_rd_u16be(rd, &v);
		CHECK(r == (left >= 2 ? CTL_OK : CTL_E_TRUNCATED));
		CHECK(r == CTL_OK || v == 0);
		break;
	}
	case 2: {
		uint32_t v = 0xaaaaaaaau;
		r = ctl_rd_u32be(rd, &v);
		CHECK(r == (left >= 4 ? CTL_OK : CTL_E_TRUNCATED));
		CHECK(r == CTL_OK || v == 0);
		break;
	}
	case 3: {
		uint8_t *dst;

		/* a copy needs a destination of len bytes: keep it near the input size */
		if (len > left + 16)
			len = left + 1 + (len & 15);
		dst = malloc(len ? len : 1);
		CHECK(dst != NULL);
		memset(dst, 0xaa, len);
		r = ctl_rd_bytes(rd, dst, len);
		CHECK(r == (len <= left ? CTL_OK : CTL_E_TRUNCATED));
		if (r != CTL_OK)
			for (size_t i = 0; i < len; i++)
				CHECK(dst[i] == 0);
		free(dst);
		break;
	}
	case 4: {
		const uint8_t *p = (const uint8_t *)1;
		r = ctl_rd_view(rd, &p, len);
		CHECK(r == (len <= left ? CTL_OK : CTL_E_TRUNCATED));
		if (r == CTL_OK) {
			for (size_t i = 0; i < len; i++)
				sink ^= p[i];
		} else {
			CHECK(p == NULL);
		}
		break;
	}
	case 5: {
		uint8_t v = 0xaa;
		r = ctl_rd_peek_u8(rd, &v);
		CHECK(r == (left >= 1 ? CTL_OK : CTL_E_TRUNCATED));
		CHECK(r == CTL_OK || v == 0);
		CHECK(ctl_rd_off(rd) == before);
		return;
	}
	case 6: {
		struct ctl_rd child;
		r = ctl_rd_sub(rd, &child, len);
		CHECK(r == (len <= left ? CTL_OK : CTL_E_TRUNCATED));
		if (r == CTL_OK) {
			CHECK(ctl_rd_left(&child) == len && ctl_rd_off(&child) == before);
			/* drain the child with its own bytes as the program */
			while (depth < 4 && ctl_rd_left(&child) > 0) {
				uint8_t cop = 0;
				uint16_t clen = 0;

				if (ctl_rd_u8(&child, &cop) != CTL_OK)
					break;
				/* a program cut short reads length 0 */
				CTL_IGNORE_RESULT(ctl_rd_u16be(&child, &clen));
				invariant(&child);
				step(&child, cop, clen, depth + 1);
			}
			invariant(&child);
			CHECK(ctl_rd_off(&child) <= before + len);
		} else {
			CHECK(ctl_rd_left(&child) == 0);
		}
		break;
	}
	case 7: {
		const char *s = (const char *)1;
		size_t n = 99;
		int has_nul = left > 0 && memchr(rd->base + rd->off, 0, left) != NULL;

		r = ctl_rd_cstr(rd, &s, &n);
		CHECK(r == (has_nul ? CTL_OK : CTL_E_TRUNCATED));
		if (r == CTL_OK)
			CHECK(s[n] == '\0' && ctl_rd_off(rd) == before + n + 1);
		else
			CHECK(s == NULL && n == 0);
		break;
	}
	case 8:
		r = ctl_rd_skip(rd, len);
		CHECK(r == (len <= left ? CTL_OK : CTL_E_TRUNCATED));
		CHECK(ctl_rd_off(rd) == (r == CTL_OK ? before + len : before));
		break;
	case 9: {
		uint16_t v = 0xaaaa, w = 0;
		r = ctl_rd_peek_u16be(rd, &v);
		CHECK(r == (left >= 2 ? CTL_OK : CTL_E_TRUNCATED));
		CHECK(ctl_rd_off(rd) == before);
		if (r == CTL_OK) {
			CHECK(ctl_rd_u16be(rd, &w) == CTL_OK && w == v);
		} else {
			CHECK(v == 0);
		}
		break;
	}
	case 10: {
		const uint8_t *p = (const uint8_t *)1;
		r = ctl_rd_peek(rd, &p, len);
		CHECK(r == (len <= left ? CTL_OK : CTL_E_TRUNCATED));
		CHECK(ctl_rd_off(rd) == before);
		if (r == CTL_OK) {
			for (size_t i = 0; i < len; i++)
				sink ^= p[i];
		} else {
			CHECK(p == NULL);
		}
		return;
	}
	case 11: {
		/* a reader over the rest, placed at the same offset */
		struct ctl_rd at;
		const uint8_t *p;
		r = ctl_rd_peek(rd, &p, left);
		CHECK(r == CTL_OK);
		ctl_rd_init_at(&at, p, left, before);
		CHECK(ctl_rd_off(&at) == before && ctl_rd_left(&at) == left);
		if (depth < 4 && left > 0)
			step(&at, p[0], len, depth + 1);
		invariant(&at);
		CHECK(ctl_rd_off(&at) <= before + left);
		return;
	}
	default: {
		/* giant lengths: never succeed past the end, never move */
		const uint8_t *p;
		r = ctl_rd_view(rd, &p, SIZE_MAX - (len & 0xff));
		CHECK(r == CTL_E_TRUNCATED);
		break;
	}
	}
	if (r != CTL_OK)
		CHECK(ctl_rd_off(rd) == before);
	invariant(rd);
}

/* The writer: a fixed buffer sized by the input, TLVs with patched lengths. */
static void
writer(const uint8_t *data, size_t size)
{
	uint8_t buf[512];
	struct ctl_wr wr;
	size_t cap = size > 0 ? data[0] * 2u : 0, i, at = 0;
	int have_at = 0;

	ctl_wr_init_fixed(&wr, buf, cap > sizeof(buf) ? sizeof(buf) : cap);
	for (i = 1; i + 1 < size && i < 64; i += 2) {
		size_t len0 = wr.len;
		enum ctl_err r;

		switch (data[i] % 6) {
		case 0: r = ctl_wr_u8(&wr, data[i + 1]); break;
		case 1: r = ctl_wr_u16be(&wr, data[i + 1]); break;
		case 2: r = ctl_wr_bytes(&wr, data, data[i + 1] < size ? data[i + 1] : size); break;
		case 3:
			r = ctl_wr_reserve_u16(&wr, &at);
			have_at |= r == CTL_OK;
			break;
		case 4:
			r = have_at ? ctl_wr_patch_u16(&wr, at, wr.len - at) : CTL_OK;
			CHECK(wr.len == len0);
			break;
		default:
			r = ctl_wr_insert(&wr, wr.len ? data[i + 1] % (wr.len + 1) : 0, data, 1);
			break;
		}
		CHECK(wr.len <= wr.cap && wr.cap <= sizeof(buf));
		if (r != CTL_OK)
			CHECK(wr.len == len0);
	}
	ctl_wr_cleanup(&wr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_rd prog, rd;
	size_t steps = 0;

	ctl_rd_init(&prog, data, size);
	ctl_rd_init(&rd, data, size);
	while (ctl_rd_left(&prog) > 0 && steps++ < 256) {
		uint8_t op = 0;
		uint16_t len = 0;

		/* op cannot fail (a byte is left); a program cut short reads length 0 */
		CTL_IGNORE_RESULT(ctl_rd_u8(&prog, &op));
		CTL_IGNORE_RESULT(ctl_rd_u16be(&prog, &len));
		invariant(&prog);
		step(&rd, op, len, 0);
	}
	writer(data, size);
	return 0;
}
