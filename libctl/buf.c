/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded reader and writer (see ctl/buf.h). The only file that indexes
 * wire bytes by offset. Bounds are checked as "n > len - off", which cannot
 * overflow because off <= len always holds.
 */
#include <stdlib.h>
#include <string.h>

#include <ctl/buf.h>

void
ctl_rd_init(struct ctl_rd *rd, const void *p, size_t len)
{
	ctl_rd_init_at(rd, p, len, 0);
}

void
ctl_rd_init_at(struct ctl_rd *rd, const void *p, size_t len, size_t origin)
{
	rd->base = p;
	rd->len = p != NULL ? len : 0;
	rd->off = 0;
	rd->origin = origin;
}

size_t
ctl_rd_left(const struct ctl_rd *rd)
{
	return rd->len - rd->off;
}

size_t
ctl_rd_off(const struct ctl_rd *rd)
{
	return rd->origin + rd->off;
}

enum ctl_err
ctl_rd_view(struct ctl_rd *rd, const uint8_t **p, size_t n)
{
	*p = NULL;
	if (n > rd->len - rd->off)
		return CTL_E_TRUNCATED;
	*p = rd->base + rd->off;
	rd->off += n;
	return CTL_OK;
}

enum ctl_err
ctl_rd_peek(const struct ctl_rd *rd, const uint8_t **p, size_t n)
{
	*p = NULL;
	if (n > rd->len - rd->off)
		return CTL_E_TRUNCATED;
	*p = rd->base + rd->off;
	return CTL_OK;
}

enum ctl_err
ctl_rd_skip(struct ctl_rd *rd, size_t n)
{
	const uint8_t *p;

	return ctl_rd_view(rd, &p, n);
}

enum ctl_err
ctl_rd_bytes(struct ctl_rd *rd, void *dst, size_t n)
{
	const uint8_t *p;
	enum ctl_err r;

	if (n > 0)
		memset(dst, 0, n);
	if ((r = ctl_rd_view(rd, &p, n)) != CTL_OK)
		return r;
	if (n > 0)
		memcpy(dst, p, n);
	return CTL_OK;
}

enum ctl_err
ctl_rd_u8(struct ctl_rd *rd, uint8_t *v)
{
	const uint8_t *p;
	enum ctl_err r;

	*v = 0;
	if ((r = ctl_rd_view(rd, &p, 1)) != CTL_OK)
		return r;
	*v = p[0];
	return CTL_OK;
}

enum ctl_err
ctl_rd_peek_u8(const struct ctl_rd *rd, uint8_t *v)
{
	*v = 0;
	if (rd->len - rd->off < 1)
		return CTL_E_TRUNCATED;
	*v = rd->base[rd->off];
	return CTL_OK;
}

enum ctl_err
ctl_rd_peek_u16be(const struct ctl_rd *rd, uint16_t *v)
{
	const uint8_t *p;
	enum ctl_err r;

	*v = 0;
	if ((r = ctl_rd_peek(rd, &p, 2)) != CTL_OK)
		return r;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return CTL_OK;
}

enum ctl_err
ctl_rd_u16be(struct ctl_rd *rd, uint16_t *v)
{
	const uint8_t *p;
	enum ctl_err r;

	*v = 0;
	if ((r = ctl_rd_view(rd, &p, 2)) != CTL_OK)
		return r;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return CTL_OK;
}

enum ctl_err
ctl_rd_u32be(struct ctl_rd *rd, uint32_t *v)
{
	const uint8_t *p;
	enum ctl_err r;

	*v = 0;
	if ((r = ctl_rd_view(rd, &p, 4)) != CTL_OK)
		return r;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	return CTL_OK;
}

enum ctl_err
ctl_rd_sub(struct ctl_rd *rd, struct ctl_rd *child, size_t n)
{
	const uint8_t *p;
	enum ctl_err r;
	size_t at = ctl_rd_off(rd);

	memset(child, 0, sizeof(*child));
	if ((r = ctl_rd_view(rd, &p, n)) != CTL_OK)
		return r;
	child->base = p;
	child->len = n;
	child->off = 0;
	child->origin = at;
	return CTL_OK;
}

enum ctl_err
ctl_rd_cstr(struct ctl_rd *rd, const char **s, size_t *n)
{
	const uint8_t *start = rd->base + rd->off;
	const uint8_t *nul;
	size_t left = rd->len - rd->off;

	*s = NULL;
	*n = 0;
	if (left == 0 || (nul = memchr(start, 0, left)) == NULL)
		return CTL_E_TRUNCATED;
	*s = (const char *)start;
	*n = (size_t)(nul - start);
	rd->off += *n + 1;
	return CTL_OK;
}

void
ctl_wr_init(struct ctl_wr *wr, size_t max)
{
	memset(wr, 0, sizeof(*wr));
	wr->max = max;
}

void
ctl_wr_init_fixed(struct ctl_wr *wr, void *buf, size_t cap)
{
	memset(wr, 0, sizeof(*wr));
	wr->buf = buf;
	wr->cap = cap;
	wr->max = cap;
	wr->fixed = 1;
}

void
ctl_wr_cleanup(struct ctl_wr *wr)
{
	if (!wr->fixed)
		free(wr->buf);
	memset(wr, 0, sizeof(*wr));
}

void
ctl_wr_reset(struct ctl_wr *wr)
{
	wr->len = 0;
}

uint8_t *
ctl_wr_take(struct ctl_wr *wr, size_t *len)
{
	uint8_t *p = wr->buf;
	size_t max = wr->max;

	*len = wr->len;
	memset(wr, 0, sizeof(*wr));
	wr->max = max;
	return p;
}

/* Makes room for n more bytes, growing geometrically up to max. */
static CTL_MUST_USE enum ctl_err
wr_room(struct ctl_wr *wr, size_t n)
{
	size_t need, ncap;
	uint8_t *nb;

	if (n > wr->max - wr->len)
		return CTL_E_TOO_LARGE;
	need = wr->len + n;
	if (need <= wr->cap)
		return CTL_OK;
	if (wr->fixed)
		return CTL_E_TOO_LARGE;
	ncap = wr->cap < 256 ? 256 : wr->cap;
	while (ncap < need)
		ncap = ncap > wr->max / 2 ? wr->max : ncap * 2;
	if ((nb = realloc(wr->buf, ncap)) == NULL)
		return CTL_E_NOMEM;
	wr->buf = nb;
	wr->cap = ncap;
	return CTL_OK;
}

enum ctl_err
ctl_wr_bytes(struct ctl_wr *wr, const void *p, size_t n)
{
	enum ctl_err r;

	if (n == 0)
		return CTL_OK;
	if ((r = wr_room(wr, n)) != CTL_OK)
		return r;
	memcpy(wr->buf + wr->len, p, n);
	wr->len += n;
	return CTL_OK;
}

enum ctl_err
ctl_wr_u8(struct ctl_wr *wr, uint8_t v)
{
	return ctl_wr_bytes(wr, &v, 1);
}

enum ctl_err
ctl_wr_u16be(struct ctl_wr *wr, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return ctl_wr_bytes(wr, b, sizeof(b));
}

enum ctl_err
ctl_wr_u32be(struct ctl_wr *wr, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return ctl_wr_bytes(wr, b, sizeof(b));
}

enum ctl_err
ctl_wr_cstr(struct ctl_wr *wr, const char *s)
{
	return ctl_wr_bytes(wr, s, strlen(s) + 1);
}

enum ctl_err
ctl_wr_insert(struct ctl_wr *wr, size_t at, const void *p, size_t n)
{
	enum ctl_err r;

	if (at > wr->len)
		return CTL_E_INVAL;
	if ((r = wr_room(wr, n)) != CTL_OK)
		return r;
	memmove(wr->buf + at + n, wr->buf + at, wr->len - at);
	memcpy(wr->buf + at, p, n);
	wr->len += n;
	return CTL_OK;
}

enum ctl_err
ctl_wr_reserve_u16(struct ctl_wr *wr, size_t *at)
{
	*at = wr->len;
	return ctl_wr_u16be(wr, 0);
}

enum ctl_err
ctl_wr_patch_u16(struct ctl_wr *wr, size_t at, size_t v)
{
	if (v > 0xffff)
		return CTL_E_TOO_LARGE;
	if (at > wr->len || wr->len - at < 2)
		return CTL_E_INVAL;
	wr->buf[at] = (uint8_t)(v >> 8);
	wr->buf[at + 1] = (uint8_t)v;
	return CTL_OK;
}

enum ctl_err
ctl_wr_reserve_u32(struct ctl_wr *wr, size_t *at)
{
	*at = wr->len;
	return ctl_wr_u32be(wr, 0);
}

enum ctl_err
ctl_wr_patch_u32(struct ctl_wr *wr, size_t at, size_t v)
{
	if (v > 0xffffffffu)
		return CTL_E_TOO_LARGE;
	if (at > wr->len || wr->len - at < 4)
		return CTL_E_INVAL;
	wr->buf[at] = (uint8_t)(v >> 24);
	wr->buf[at + 1] = (uint8_t)(v >> 16);
	wr->buf[at + 2] = (uint8_t)(v >> 8);
	wr->buf[at + 3] = (uint8_t)v;
	return CTL_OK;
}
