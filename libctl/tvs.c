/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TVS message codec (ctl/tvs.h). Reads go through struct ctl_rd and writes
 * through struct ctl_wr only; offsets in diagnostics count from the first
 * header byte. A message is written from offset 0 of its writer.
 */
#include <string.h>

#include <ctl/tvs.h>

#include "ctl_int.h"

/* Offset of the payload length in the header. */
#define PAYLOAD_LEN_AT 8
/* "CP-" model "-SEP" MAC: the model is 1..16 letters or digits (Cisco's are "8861", "7975"). */
#define MODEL_MAX 16
#define MAC_DIGITS 12

static int
is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_upper_hex(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Checks "CP-<model>-SEP<12 upper-case hex>" (no prefix, no NUL); 1 when it fits. */
static int
device_name_ok(const uint8_t *s, size_t n)
{
	size_t i, model;

	if (n < 3 + 1 + 4 + MAC_DIGITS || memcmp(s, "CP-", 3) != 0)
		return 0;
	model = n - 3 - 4 - MAC_DIGITS;
	if (model > MODEL_MAX || memcmp(s + 3 + model, "-SEP", 4) != 0)
		return 0;
	for (i = 0; i < model; i++)
		if (!is_alnum(s[3 + i]))
			return 0;
	for (i = n - MAC_DIGITS; i < n; i++)
		if (!is_upper_hex(s[i]))
			return 0;
	return 1;
}

enum ctl_err
ctl_tvs_parse_header(const uint8_t *hdr, size_t len, struct ctl_tvs_msg *m, struct ctl_diag *diag)
{
	struct ctl_rd rd;
	uint8_t id, ver;

	memset(m, 0, sizeof(*m));
	ctl_diag_clear(diag);
	ctl_rd_init(&rd, hdr, len);
	if (ctl_rd_u8(&rd, &id) != CTL_OK || ctl_rd_u8(&rd, &ver) != CTL_OK ||
	    ctl_rd_u8(&rd, &m->cmd) != CTL_OK || ctl_rd_u8(&rd, &m->reserved) != CTL_OK ||
	    ctl_rd_u32be(&rd, &m->session) != CTL_OK || ctl_rd_u16be(&rd, &m->payload_len) != CTL_OK)
		return ctli_fail(diag, CTL_E_TRUNCATED, ctl_rd_off(&rd), -1, 0,
		                 "TVS header shorter than %d bytes (%zu)", CTL_TVS_HDR_LEN, len);
	if (id != CTL_TVS_PROTO_ID)
		return ctli_fail(diag, CTL_E_VERSION, 0, -1, 0, "protocol id 0x%02X, a TVS message "
		                 "starts with 0x%02X", id, CTL_TVS_PROTO_ID);
	if (ver != CTL_TVS_VERSION)
		return ctli_fail(diag, CTL_E_VERSION, 1, -1, 0, "TVS protocol version %u, expected %u",
		                 ver, CTL_TVS_VERSION);
	/* Byte 3 is ignored: a Cisco TVS reply carried 0xF7 there. */
	return CTL_OK;
}

static void
clear_elems(struct ctl_tvs_msg *m)
{
	uint8_t cmd = m->cmd, reserved = m->reserved;
	uint32_t session = m->session;
	uint16_t payload_len = m->payload_len;

	memset(m, 0, sizeof(*m));
	m->cmd = cmd;
	m->reserved = reserved;
	m->session = session;
	m->payload_len = payload_len;
}

/* Text element: NUL-terminated, no NUL inside; the view excludes the NUL. */
static CTL_MUST_USE enum ctl_err
take_cstr(const uint8_t *v, uint16_t n, size_t off, uint8_t tag, const uint8_t **p, size_t *len,
          struct ctl_diag *diag)
{
	struct ctl_rd rd;
	const char *s;
	size_t sl;

	ctl_rd_init(&rd, v, n);
	if (ctl_rd_cstr(&rd, &s, &sl) != CTL_OK)
		return ctli_fail(diag, CTL_E_FIELD_LEN, off, tag, 0, "%s has no terminating NUL",
		                 tag == CTL_TVS_T_SUBJECT ? "subject" : "issuer");
	if (ctl_rd_left(&rd) != 0)
		return ctli_fail(diag, CTL_E_FIELD_LEN, off, tag, 0, "%s has a NUL at byte %zu of %u",
		                 tag == CTL_TVS_T_SUBJECT ? "subject" : "issuer", sl + 1, n);
	*p = (const uint8_t *)s;
	*len = sl;
	return CTL_OK;
}

static CTL_MUST_USE enum ctl_err
take_device(const uint8_t *v, uint16_t n, size_t off, struct ctl_tvs_msg *m, struct ctl_diag *diag)
{
	struct ctl_rd rd;
	uint8_t prefix;
	const uint8_t *name;

	ctl_rd_init(&rd, v, n);
	if (ctl_rd_u8(&rd, &prefix) != CTL_OK || prefix != 0x01)
		return ctli_fail(diag, CTL_E_INVAL, off, CTL_TVS_T_DEVICE, 0,
		                 "device name does not start with byte 0x01");
	if (ctl_rd_view(&rd, &name, ctl_rd_left(&rd)) != CTL_OK || !device_name_ok(name, n - 1u))
		return ctli_fail(diag, CTL_E_INVAL, off, CTL_TVS_T_DEVICE, 0, "device name is not "
		                 "CP-<model>-SEP<12 upper-case hex digits>");
	m->device = name;
	m->device_len = n - 1u;
	return CTL_OK;
}

/* A fixed-size number element (status u8, TTL u32). */
static CTL_MUST_USE enum ctl_err
take_number(const uint8_t *v, uint16_t n, size_t off, uint8_t tag, struct ctl_tvs_msg *m,
            struct ctl_diag *diag)
{
	struct ctl_rd rd;
	uint16_t want = tag == CTL_TVS_T_STATUS ? 1 : 4;

	if (n != want)
		return ctli_fail(diag, CTL_E_FIELD_LEN, off, tag, 0, "%s of %u bytes, the format "
		                 "requires %u", tag == CTL_TVS_T_STATUS ? "status" : "TTL", n, want);
	ctl_rd_init(&rd, v, n);
	if (tag == CTL_TVS_T_STATUS) {
		m->has_status = 1;
		return ctl_rd_u8(&rd, &m->status);
	}
	m->has_ttl = 1;
	return ctl_rd_u32be(&rd, &m->ttl);
}

static CTL_MUST_USE enum ctl_err
take_elem(uint8_t tag, const uint8_t *v, uint16_t n, size_t off, struct ctl_tvs_msg *m,
          struct ctl_diag *diag)
{
	switch (tag) {
	case CTL_TVS_T_DEVICE:
		return take_device(v, n, off, m, diag);
	case CTL_TVS_T_CERT:
	case CTL_TVS_T_SERIAL:
		if (n == 0)
			return ctli_fail(diag, CTL_E_ZERO_LEN, off, tag, 0, "empty %s",
			                 tag == CTL_TVS_T_CERT ? "certificate" : "serial number");
		if (tag == CTL_TVS_T_CERT) {
			m->cert = v;
			m->cert_len = n;
		} else {
			m->serial = v;
			m->serial_len = n;
		}
		return CTL_OK;
	case CTL_TVS_T_SUBJECT:
		return take_cstr(v, n, off, tag, &m->subject, &m->subject_len, diag);
	case CTL_TVS_T_ISSUER:
		return take_cstr(v, n, off, tag, &m->issuer, &m->issuer_len, diag);
	case CTL_TVS_T_STATUS:
	case CTL_TVS_T_TTL:
		return take_number(v, n, off, tag, m, diag);
	case CTL_TVS_T_ROLES:
		if (n > CTL_TVS_MAX_ROLES)
			return ctli_fail(diag, CTL_E_TOO_LARGE, off, tag, 0, "%u roles, at most %d",
			                 n, CTL_TVS_MAX_ROLES);
		if (n > 0)
			memcpy(m->roles, v, n);
		m->nroles = n;
		m->has_roles = 1;
		return CTL_OK;
	default:
		return ctli_fail(diag, CTL_E_BAD_TAG, off, tag, 0, "unknown TVS element tag %u", tag);
	}
}

enum ctl_err
ctl_tvs_parse_payload(const uint8_t *p, size_t len, struct ctl_tvs_msg *m, struct ctl_diag *diag)
{
	struct ctl_rd rd;
	uint32_t seen = 0;
	enum ctl_err r;

	ctl_diag_clear(diag);
	clear_elems(m);
	if (len > CTL_TVS_MAX_PAYLOAD)
		return ctli_fail(diag, CTL_E_TOO_LARGE, CTL_TVS_HDR_LEN, -1, 0, "payload of %zu bytes, "
		                 "the length field holds at most %u", len, CTL_TVS_MAX_PAYLOAD);
	ctl_rd_init_at(&rd, p, len, CTL_TVS_HDR_LEN);
	while (ctl_rd_left(&rd) > 0) {
		size_t off = ctl_rd_off(&rd);
		uint8_t tag;
		uint16_t n = 0;
		const uint8_t *v;

		if (ctl_rd_u8(&rd, &tag) != CTL_OK || ctl_rd_u16be(&rd, &n) != CTL_OK ||
		    ctl_rd_view(&rd, &v, n) != CTL_OK)
			return ctli_fail(diag, CTL_E_TRUNCATED, off, tag, 0, "element of %u bytes runs "
			                 "past the end of the %zu-byte payload", n, len);
		if (tag < 32 && (seen & (1u << tag)))
			return ctli_fail(diag, CTL_E_DUP_TAG, off, tag, 0, "element tag %u appears twice",
			                 tag);
		if ((r = take_elem(tag, v, n, off, m, diag)) != CTL_OK)
			return r;
		seen |= 1u << tag; /* take_elem accepted it: tag < 32 */
	}
	return CTL_OK;
}

enum ctl_err
ctl_tvs_parse(const uint8_t *p, size_t len, struct ctl_tvs_msg *m, struct ctl_diag *diag)
{
	struct ctl_rd rd;
	const uint8_t *payload;
	enum ctl_err r;

	if ((r = ctl_tvs_parse_header(p, len, m, diag)) != CTL_OK)
		return r;
	ctl_rd_init(&rd, p, len);
	if (ctl_rd_skip(&rd, CTL_TVS_HDR_LEN) != CTL_OK || ctl_rd_view(&rd, &payload, m->payload_len) != CTL_OK)
		return ctli_fail(diag, CTL_E_TRUNCATED, len, -1, 0, "message of %zu bytes, the header "
		                 "announces %u payload bytes", len, m->payload_len);
	if (ctl_rd_left(&rd) != 0)
		return ctli_fail(diag, CTL_E_TOO_LARGE, ctl_rd_off(&rd), -1, 0, "%zu bytes after the "
		                 "%u-byte payload", ctl_rd_left(&rd), m->payload_len);
	return ctl_tvs_parse_payload(payload, m->payload_len, m, diag);
}

enum ctl_err
ctl_tvs_check_request(const struct ctl_tvs_msg *m, struct ctl_diag *diag)
{
	static const struct {
		uint8_t tag;
		const char *what;
	} need[] = {
		{ CTL_TVS_T_DEVICE, "device name" }, { CTL_TVS_T_CERT, "certificate" },
		{ CTL_TVS_T_SUBJECT, "subject" }, { CTL_TVS_T_ISSUER, "issuer" },
		{ CTL_TVS_T_SERIAL, "serial number" },
	};
	int has[] = { m->device != NULL, m->cert != NULL, m->subject != NULL, m->issuer != NULL,
	              m->serial != NULL };
	/* VERIFY needs device and certificate; QUERY device, subject, issuer, serial. */
	static const int for_verify[] = { 1, 1, 0, 0, 0 }, for_query[] = { 1, 0, 1, 1, 1 };
	const int *want;
	size_t i;

	ctl_diag_clear(diag);
	if (m->cmd == CTL_TVS_VERIFY_REQ)
		want = for_verify;
	else if (m->cmd == CTL_TVS_QUERY_REQ)
		want = for_query;
	else
		return ctli_fail(diag, CTL_E_INVAL, 2, -1, 0, "command %u is not a request (1 VERIFY, "
		                 "3 QUERY)", m->cmd);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (want[i] && !has[i])
			return ctli_fail(diag, CTL_E_MISSING, CTL_TVS_HDR_LEN, need[i].tag, 0,
			                 "%s request without its %s (tag %u)", m->cmd == CTL_TVS_VERIFY_REQ ?
			                 "VERIFY" : "QUERY", need[i].what, need[i].tag);
	return CTL_OK;
}

enum ctl_err
ctl_tvs_begin(struct ctl_wr *wr, uint8_t cmd, uint32_t session)
{
	enum ctl_err r;
	size_t at;

	if (wr->len != 0)
		return CTL_E_INVAL; /* the length is patched at a fixed offset */
	if ((r = ctl_wr_u8(wr, CTL_TVS_PROTO_ID)) != CTL_OK || (r = ctl_wr_u8(wr, CTL_TVS_VERSION)) != CTL_OK ||
	    (r = ctl_wr_u8(wr, cmd)) != CTL_OK || (r = ctl_wr_u8(wr, 0)) != CTL_OK ||
	    (r = ctl_wr_u32be(wr, session)) != CTL_OK)
		return r;
	return ctl_wr_reserve_u16(wr, &at);
}

enum ctl_err
ctl_tvs_put(struct ctl_wr *wr, uint8_t tag, const void *p, size_t n)
{
	/* A TVS element is a CTL header element: u8 tag, u16 length (CTL_TVS_MAX_PAYLOAD). */
	return ctli_put_elem(wr, tag, p, n);
}

enum ctl_err
ctl_tvs_put_device(struct ctl_wr *wr, const char *name)
{
	size_t n = strlen(name);
	enum ctl_err r;

	if (!device_name_ok((const uint8_t *)name, n))
		return CTL_E_INVAL;
	if ((r = ctl_wr_u8(wr, CTL_TVS_T_DEVICE)) != CTL_OK ||
	    (r = ctl_wr_u16be(wr, (uint16_t)(n + 1))) != CTL_OK || (r = ctl_wr_u8(wr, 0x01)) != CTL_OK)
		return r;
	return ctl_wr_bytes(wr, name, n);
}

enum ctl_err
ctl_tvs_put_cstr(struct ctl_wr *wr, uint8_t tag, const char *s)
{
	return ctl_tvs_put(wr, tag, s, strlen(s) + 1);
}

enum ctl_err
ctl_tvs_put_u8(struct ctl_wr *wr, uint8_t tag, uint8_t v)
{
	return ctl_tvs_put(wr, tag, &v, 1);
}

enum ctl_err
ctl_tvs_put_u32(struct ctl_wr *wr, uint8_t tag, uint32_t v)
{
	uint8_t b[4];
	struct ctl_wr bw;
	enum ctl_err r;

	ctl_wr_init_fixed(&bw, b, sizeof(b));
	if ((r = ctl_wr_u32be(&bw, v)) != CTL_OK)
		return r;
	return ctl_tvs_put(wr, tag, b, sizeof(b));
}

enum ctl_err
ctl_tvs_end(struct ctl_wr *wr)
{
	if (wr->len < CTL_TVS_HDR_LEN)
		return CTL_E_INVAL;
	if (wr->len - CTL_TVS_HDR_LEN > CTL_TVS_MAX_PAYLOAD)
		return CTL_E_TOO_LARGE;
	return ctl_wr_patch_u16(wr, PAYLOAD_LEN_AT, wr->len - CTL_TVS_HDR_LEN);
}

enum ctl_err
ctl_tvs_device_name(const char *model, const char *mac, char *out, size_t cap)
{
	size_t nm = strlen(model), i;
	struct ctl_wr wr;
	enum ctl_err r;

	if (cap > 0)
		out[0] = '\0';
	if (nm == 0 || nm > MODEL_MAX || strlen(mac) != MAC_DIGITS)
		return CTL_E_INVAL;
	for (i = 0; i < nm; i++)
		if (!is_alnum((uint8_t)model[i]))
			return CTL_E_INVAL;
	for (i = 0; i < MAC_DIGITS; i++)
		if (ctl_hex_digit((unsigned char)mac[i]) < 0)
			return CTL_E_INVAL;
	ctl_wr_init_fixed(&wr, out, cap);
	if ((r = ctl_wr_bytes(&wr, "CP-", 3)) == CTL_OK && (r = ctl_wr_bytes(&wr, model, nm)) == CTL_OK)
		r = ctl_wr_bytes(&wr, "-SEP", 4);
	for (i = 0; i < MAC_DIGITS && r == CTL_OK; i++) {
		char c = mac[i];

		/* The device name carries the MAC in upper case. */
		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		r = ctl_wr_u8(&wr, (uint8_t)c);
	}
	if (r == CTL_OK)
		r = ctl_wr_u8(&wr, 0);
	if (r != CTL_OK && cap > 0)
		out[0] = '\0'; /* never a cut name */
	return r;
}
