/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TFTP packet codec (see tftp_codec.h). Layouts from RFC 1350 section 5
 * and RFC 2347; every read goes through struct ctl_rd, every write
 * through a fixed struct ctl_wr.
 */
#include <string.h>
#include <strings.h>

#include <ctl/buf.h>

#include "tftp_codec.h"

const char *
tftp_perr_str(enum tftp_perr e)
{
	switch (e) {
	case TFTP_P_OK: return "ok";
	case TFTP_P_EMPTY: return "empty datagram";
	case TFTP_P_SHORT: return "packet too short";
	case TFTP_P_OPCODE: return "unknown opcode";
	case TFTP_P_TOO_LONG: return "packet too long";
	case TFTP_P_FILE_NUL: return "filename not terminated";
	case TFTP_P_FILE_EMPTY: return "empty filename";
	case TFTP_P_MODE_NUL: return "mode missing or not terminated";
	case TFTP_P_MODE: return "unknown transfer mode";
	case TFTP_P_OPT_NUL: return "option name not terminated";
	case TFTP_P_OPT_NO_VALUE: return "option without value";
	case TFTP_P_OPT_VALUE: return "malformed option value";
	}
	return "unknown parse error";
}

enum tftp_ecode
tftp_perr_ecode(enum tftp_perr e)
{
	switch (e) {
	case TFTP_P_OK:
	case TFTP_P_EMPTY:
		return TFTP_EUNDEF;
	case TFTP_P_OPT_VALUE:
		return TFTP_EOPTNEG; /* RFC 2347: refused negotiation */
	case TFTP_P_SHORT:
	case TFTP_P_OPCODE:
	case TFTP_P_TOO_LONG:
	case TFTP_P_FILE_NUL:
	case TFTP_P_FILE_EMPTY:
	case TFTP_P_MODE_NUL:
	case TFTP_P_MODE:
	case TFTP_P_OPT_NUL:
	case TFTP_P_OPT_NO_VALUE:
		return TFTP_EBADOP;
	}
	return TFTP_EBADOP;
}

const char *
tftp_ecode_str(unsigned code)
{
	static const char *const names[] = {
		"Undefined error", "File not found", "Access violation",
		"Disk full or allocation exceeded", "Illegal TFTP operation",
		"Unknown transfer ID", "File already exists", "No such user",
		"Option negotiation refused",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "Unknown error code";
}

const char *
tftp_mode_str(enum tftp_mode m)
{
	switch (m) {
	case TFTP_MODE_NETASCII: return "netascii";
	case TFTP_MODE_OCTET: return "octet";
	case TFTP_MODE_MAIL: return "mail";
	}
	return "octet";
}

int
tftp_opt_is(const struct tftp_opt *o, const char *s)
{
	return strlen(s) == o->name_len && strncasecmp(o->name, s, o->name_len) == 0;
}

/* name/value pairs to the end of the packet (RFC 2347). */
CTL_MUST_USE static enum tftp_perr
parse_opts(struct ctl_rd *rd, struct tftp_optlist *ol)
{
	while (ctl_rd_left(rd) > 0) {
		struct tftp_opt o;

		if (ctl_rd_cstr(rd, &o.name, &o.name_len) != CTL_OK)
			return TFTP_P_OPT_NUL;
		if (ctl_rd_left(rd) == 0 || ctl_rd_cstr(rd, &o.value, &o.value_len) != CTL_OK)
			return TFTP_P_OPT_NO_VALUE;
		if (ol->n < TFTP_MAX_OPTS)
			ol->opt[ol->n++] = o;
		ol->total++;
	}
	return TFTP_P_OK;
}

CTL_MUST_USE static enum tftp_perr
parse_mode(const char *s, size_t n, enum tftp_mode *m)
{
	static const struct { const char *name; enum tftp_mode mode; } modes[] = {
		{ "octet", TFTP_MODE_OCTET },
		{ "netascii", TFTP_MODE_NETASCII },
		{ "mail", TFTP_MODE_MAIL },
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strlen(modes[i].name) == n && strncasecmp(s, modes[i].name, n) == 0) {
			*m = modes[i].mode;
			return TFTP_P_OK;
		}
	}
	return TFTP_P_MODE;
}

CTL_MUST_USE static enum tftp_perr
parse_req(struct ctl_rd *rd, size_t total, struct tftp_pkt *pkt)
{
	size_t mode_len;
	enum tftp_perr e;

	if (total > TFTP_REQ_MAX)
		return TFTP_P_TOO_LONG;
	if (ctl_rd_left(rd) == 0)
		return TFTP_P_SHORT;
	if (ctl_rd_cstr(rd, &pkt->file, &pkt->file_len) != CTL_OK)
		return TFTP_P_FILE_NUL;
	if (pkt->file_len == 0)
		return TFTP_P_FILE_EMPTY;
	if (ctl_rd_cstr(rd, &pkt->mode_str, &mode_len) != CTL_OK)
		return TFTP_P_MODE_NUL;
	if ((e = parse_mode(pkt->mode_str, mode_len, &pkt->mode)) != TFTP_P_OK)
		return e;
	return parse_opts(rd, &pkt->opts);
}

CTL_MUST_USE static enum tftp_perr
parse_error(struct ctl_rd *rd, struct tftp_pkt *pkt)
{
	const uint8_t *rest;
	size_t left;

	if (ctl_rd_u16be(rd, &pkt->ecode) != CTL_OK)
		return TFTP_P_SHORT;
	if (ctl_rd_cstr(rd, &pkt->emsg, &pkt->emsg_len) == CTL_OK)
		return TFTP_P_OK;
	/* RFC 1350 wants a NUL; a packet without one still ends the transfer. */
	left = ctl_rd_left(rd);
	if (ctl_rd_view(rd, &rest, left) != CTL_OK)
		return TFTP_P_SHORT;
	pkt->emsg = NULL;
	pkt->emsg_len = left;
	return TFTP_P_OK;
}

CTL_MUST_USE static enum tftp_perr
parse_body(struct ctl_rd *rd, size_t n, size_t max_data, struct tftp_pkt *pkt)
{
	switch (pkt->op) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		return parse_req(rd, n, pkt);
	case TFTP_DATA:
		if (ctl_rd_u16be(rd, &pkt->block) != CTL_OK)
			return TFTP_P_SHORT;
		pkt->data_len = ctl_rd_left(rd);
		if (pkt->data_len > max_data)
			return TFTP_P_TOO_LONG;
		if (ctl_rd_view(rd, &pkt->data, pkt->data_len) != CTL_OK)
			return TFTP_P_SHORT;
		return TFTP_P_OK;
	case TFTP_ACK:
		/* Trailing bytes after the block number are tolerated, as tftp-hpa does. */
		return ctl_rd_u16be(rd, &pkt->block) == CTL_OK ? TFTP_P_OK : TFTP_P_SHORT;
	case TFTP_ERROR:
		return parse_error(rd, pkt);
	case TFTP_OACK:
		return parse_opts(rd, &pkt->opts);
	}
	return TFTP_P_OPCODE;
}

enum tftp_perr
tftp_parse(const uint8_t *p, size_t n, size_t max_data, struct tftp_pkt *pkt)
{
	struct ctl_rd rd;
	uint16_t op;
	enum tftp_perr e;

	memset(pkt, 0, sizeof(*pkt));
	if (n == 0)
		return TFTP_P_EMPTY;
	ctl_rd_init(&rd, p, n);
	if (ctl_rd_u16be(&rd, &op) != CTL_OK)
		return TFTP_P_SHORT;
	if (op < TFTP_RRQ || op > TFTP_OACK)
		return TFTP_P_OPCODE;
	pkt->op = (enum tftp_op)op;
	if ((e = parse_body(&rd, n, max_data, pkt)) != TFTP_P_OK) {
		memset(pkt, 0, sizeof(*pkt));
		pkt->op = (enum tftp_op)op;
	}
	return e;
}

/* ---- builders --------------------------------------------------------- */

CTL_MUST_USE static int
wr_opts(struct ctl_wr *wr, const struct tftp_opt *opts, size_t nopts)
{
	for (size_t i = 0; i < nopts; i++) {
		if (opts[i].name == NULL || opts[i].value == NULL || opts[i].name[0] == '\0')
			return -1;
		if (ctl_wr_cstr(wr, opts[i].name) != CTL_OK || ctl_wr_cstr(wr, opts[i].value) != CTL_OK)
			return -1;
	}
	return 0;
}

int
tftp_build_req(uint8_t *buf, size_t cap, enum tftp_op op, const char *file,
               const char *mode, const struct tftp_opt *opts, size_t nopts, size_t *len)
{
	struct ctl_wr wr;

	*len = 0;
	if ((op != TFTP_RRQ && op != TFTP_WRQ) || file == NULL || file[0] == '\0' || mode == NULL)
		return -1;
	ctl_wr_init_fixed(&wr, buf, cap < TFTP_REQ_MAX ? cap : TFTP_REQ_MAX);
	if (ctl_wr_u16be(&wr, (uint16_t)op) != CTL_OK || ctl_wr_cstr(&wr, file) != CTL_OK ||
	    ctl_wr_cstr(&wr, mode) != CTL_OK || wr_opts(&wr, opts, nopts) < 0)
		return -1;
	*len = wr.len;
	return 0;
}

int
tftp_build_oack(uint8_t *buf, size_t cap, const struct tftp_opt *opts, size_t nopts, size_t *len)
{
	struct ctl_wr wr;

	*len = 0;
	ctl_wr_init_fixed(&wr, buf, cap);
	if (ctl_wr_u16be(&wr, TFTP_OACK) != CTL_OK || wr_opts(&wr, opts, nopts) < 0)
		return -1;
	*len = wr.len;
	return 0;
}

void
tftp_build_data_hdr(uint8_t hdr[TFTP_HDR], uint16_t block)
{
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, hdr, TFTP_HDR);
	/* Two u16 into the TFTP_HDR (4) bytes of hdr: these writes cannot fail. */
	CTL_IGNORE_RESULT(ctl_wr_u16be(&wr, TFTP_DATA));
	CTL_IGNORE_RESULT(ctl_wr_u16be(&wr, block));
}

int
tftp_build_data(uint8_t *buf, size_t cap, uint16_t block, const uint8_t *data, size_t n,
                size_t *len)
{
	struct ctl_wr wr;

	*len = 0;
	ctl_wr_init_fixed(&wr, buf, cap);
	if (ctl_wr_u16be(&wr, TFTP_DATA) != CTL_OK || ctl_wr_u16be(&wr, block) != CTL_OK ||
	    ctl_wr_bytes(&wr, data, n) != CTL_OK)
		return -1;
	*len = wr.len;
	return 0;
}

int
tftp_build_ack(uint8_t *buf, size_t cap, uint16_t block, size_t *len)
{
	struct ctl_wr wr;

	*len = 0;
	ctl_wr_init_fixed(&wr, buf, cap);
	if (ctl_wr_u16be(&wr, TFTP_ACK) != CTL_OK || ctl_wr_u16be(&wr, block) != CTL_OK)
		return -1;
	*len = wr.len;
	return 0;
}

int
tftp_build_error(uint8_t *buf, size_t cap, uint16_t code, const char *msg, size_t *len)
{
	struct ctl_wr wr;
	size_t room;

	*len = 0;
	if (msg == NULL)
		msg = tftp_ecode_str(code);
	ctl_wr_init_fixed(&wr, buf, cap);
	if (ctl_wr_u16be(&wr, TFTP_ERROR) != CTL_OK || ctl_wr_u16be(&wr, code) != CTL_OK ||
	    cap - wr.len < 1)
		return -1;
	room = cap - wr.len - 1;
	for (size_t i = 0; msg[i] != '\0' && i < room; i++) {
		unsigned char c = (unsigned char)msg[i];

		if (ctl_wr_u8(&wr, c < 0x20 || c >= 0x7f ? '?' : c) != CTL_OK)
			return -1;
	}
	if (ctl_wr_u8(&wr, 0) != CTL_OK)
		return -1;
	*len = wr.len;
	return 0;
}
