/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CTL Provider message codec (doc/provider-protocol.md). Every length is
 * checked against the bytes present and CTL_PROV_MAX_BODY before use.
 */
#include <string.h>

#include <ctl/prov.h>

#include "ctl_int.h"

static const uint8_t magic[4] = { 'C', 'T', 'L', 'P' };

const char *
ctl_prov_status_text(uint16_t status)
{
	switch ((enum ctl_prov_status)status) {
	case CTL_PROV_OK: return "ok";
	case CTL_PROV_BAD_REQUEST: return "bad request";
	case CTL_PROV_UNSUPPORTED: return "unsupported protocol version or request";
	case CTL_PROV_AUTH_REQUIRED: return "login required";
	case CTL_PROV_AUTH_FAILED: return "login failed";
	case CTL_PROV_THROTTLED: return "too many failed logins; try later";
	case CTL_PROV_NOT_FOUND: return "not found";
	case CTL_PROV_CTL_MALFORMED: return "CTL file malformed";
	case CTL_PROV_CTL_SIGNATURE: return "CTL signature does not verify";
	case CTL_PROV_CTL_NOT_TRUSTED: return "CTL not signed by a SAST of the installed CTL";
	case CTL_PROV_TOO_LARGE: return "message too large";
	case CTL_PROV_IO: return "server cannot write the file";
	case CTL_PROV_INTERNAL: return "internal server error";
	case CTL_PROV_STATUS__COUNT: break;
	}
	return "unknown status";
}

enum ctl_err
ctl_prov_parse_header(const uint8_t *hdr, size_t len, struct ctl_prov_msg *m, struct ctl_diag *diag)
{
	struct ctl_rd rd;
	uint8_t mg[4], ver;

	memset(m, 0, sizeof(*m));
	ctl_diag_clear(diag);
	ctl_rd_init(&rd, hdr, len);
	if (ctl_rd_bytes(&rd, mg, 4) != CTL_OK || ctl_rd_u8(&rd, &ver) != CTL_OK ||
	    ctl_rd_u8(&rd, &m->type) != CTL_OK || ctl_rd_u16be(&rd, &m->status) != CTL_OK ||
	    ctl_rd_u32be(&rd, &m->id) != CTL_OK || ctl_rd_u32be(&rd, &m->body_len) != CTL_OK)
		return ctli_fail(diag, CTL_E_TRUNCATED, ctl_rd_off(&rd), -1, 0,
		                 "message header shorter than %d bytes", CTL_PROV_HDR_LEN);
	if (memcmp(mg, magic, 4) != 0)
		return ctli_fail(diag, CTL_E_BAD_TAG, 0, -1, 0, "not a CTL Provider message (bad magic)");
	if (ver != CTL_PROV_VERSION)
		return ctli_fail(diag, CTL_E_VERSION, 4, -1, 0, "protocol version %u, expected %u",
		                 ver, CTL_PROV_VERSION);
	if (m->body_len > CTL_PROV_MAX_BODY)
		return ctli_fail(diag, CTL_E_TOO_LARGE, 12, -1, 0, "body of %u bytes exceeds the "
		                 "%u-byte limit", m->body_len, CTL_PROV_MAX_BODY);
	return CTL_OK;
}

enum ctl_err
ctl_prov_parse_body(const uint8_t *body, size_t len, struct ctl_prov_msg *m, struct ctl_diag *diag)
{
	struct ctl_rd rd;

	ctl_diag_clear(diag);
	m->nitems = 0;
	if (len != m->body_len)
		return ctli_fail(diag, CTL_E_TRUNCATED, CTL_PROV_HDR_LEN + len, -1, 0,
		                 "body has %zu bytes, header says %u", len, m->body_len);
	ctl_rd_init_at(&rd, body, len, CTL_PROV_HDR_LEN);
	while (ctl_rd_left(&rd) > 0) {
		struct ctl_prov_item it;
		size_t off = ctl_rd_off(&rd);

		if (m->nitems == CTL_PROV_MAX_ITEMS)
			return ctli_fail(diag, CTL_E_TOO_LARGE, off, -1, 0, "more than %d items",
			                 CTL_PROV_MAX_ITEMS);
		if (ctl_rd_u16be(&rd, &it.tag) != CTL_OK || ctl_rd_u32be(&rd, &it.len) != CTL_OK ||
		    ctl_rd_view(&rd, &it.val, it.len) != CTL_OK)
			return ctli_fail(diag, CTL_E_TRUNCATED, off, it.tag, 0,
			                 "item runs past the end of the message body");
		m->items[m->nitems++] = it;
	}
	return CTL_OK;
}

const struct ctl_prov_item *
ctl_prov_find(const struct ctl_prov_msg *m, uint16_t tag)
{
	size_t i;

	for (i = 0; i < m->nitems; i++)
		if (m->items[i].tag == tag)
			return &m->items[i];
	return NULL;
}

/* Offset of the body length field within the header. */
#define BODY_LEN_AT 12

enum ctl_err
ctl_prov_begin(struct ctl_wr *wr, uint8_t type, uint16_t status, uint32_t id)
{
	enum ctl_err r;
	size_t at;

	if ((r = ctl_wr_bytes(wr, magic, 4)) != CTL_OK || (r = ctl_wr_u8(wr, CTL_PROV_VERSION)) != CTL_OK ||
	    (r = ctl_wr_u8(wr, type)) != CTL_OK || (r = ctl_wr_u16be(wr, status)) != CTL_OK ||
	    (r = ctl_wr_u32be(wr, id)) != CTL_OK)
		return r;
	return ctl_wr_reserve_u32(wr, &at);
}

enum ctl_err
ctl_prov_put(struct ctl_wr *wr, uint16_t tag, const void *p, size_t n)
{
	enum ctl_err r;

	if (n > CTL_PROV_MAX_BODY)
		return CTL_E_TOO_LARGE;
	if ((r = ctl_wr_u16be(wr, tag)) != CTL_OK || (r = ctl_wr_u32be(wr, (uint32_t)n)) != CTL_OK)
		return r;
	return ctl_wr_bytes(wr, p, n);
}

enum ctl_err
ctl_prov_put_str(struct ctl_wr *wr, uint16_t tag, const char *s)
{
	return ctl_prov_put(wr, tag, s, strlen(s));
}

enum ctl_err
ctl_prov_put_u8(struct ctl_wr *wr, uint16_t tag, uint8_t v)
{
	return ctl_prov_put(wr, tag, &v, 1);
}

enum ctl_err
ctl_prov_put_u32(struct ctl_wr *wr, uint16_t tag, uint32_t v)
{
	uint8_t b[4];
	struct ctl_wr bw;
	enum ctl_err r;

	ctl_wr_init_fixed(&bw, b, sizeof(b));
	if ((r = ctl_wr_u32be(&bw, v)) != CTL_OK)
		return r;
	return ctl_prov_put(wr, tag, b, sizeof(b));
}

enum ctl_err
ctl_prov_end(struct ctl_wr *wr)
{
	if (wr->len < CTL_PROV_HDR_LEN)
		return CTL_E_INVAL;
	if (wr->len - CTL_PROV_HDR_LEN > CTL_PROV_MAX_BODY)
		return CTL_E_TOO_LARGE;
	return ctl_wr_patch_u32(wr, BODY_LEN_AT, wr->len - CTL_PROV_HDR_LEN);
}
