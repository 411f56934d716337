/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TFTP packet codec (RFC 1350, options per RFC 2347): parse and build
 * RRQ/WRQ, DATA, ACK, ERROR and OACK. Parsing goes through struct ctl_rd,
 * building through struct ctl_wr over a caller buffer; nothing here
 * allocates, prints or keeps state, so the server, the client engine and
 * the phone emulator share it.
 */
#ifndef TFTP_CODEC_H
#define TFTP_CODEC_H

#include "ctl/err.h"
#include <stddef.h>
#include <stdint.h>

enum tftp_op {
	TFTP_RRQ = 1,
	TFTP_WRQ = 2,
	TFTP_DATA = 3,
	TFTP_ACK = 4,
	TFTP_ERROR = 5,
	TFTP_OACK = 6
};

/* ERROR codes, RFC 1350 section 5 and RFC 2347 (8). */
enum tftp_ecode {
	TFTP_EUNDEF = 0,
	TFTP_ENOTFOUND = 1,
	TFTP_EACCESS = 2,
	TFTP_ENOSPACE = 3,
	TFTP_EBADOP = 4,
	TFTP_EBADID = 5,
	TFTP_EEXISTS = 6,
	TFTP_ENOUSER = 7,
	TFTP_EOPTNEG = 8
};

enum tftp_mode {
	TFTP_MODE_NETASCII,
	TFTP_MODE_OCTET,
	TFTP_MODE_MAIL
};

/* RFC 2347: a request, options included, fits in 512 bytes. */
#define TFTP_REQ_MAX 512
/* DATA/ACK/ERROR header: opcode + block or code. */
#define TFTP_HDR 4
/* RFC 2348 blksize range; 512 without the option. */
#define TFTP_BLKSIZE_MIN 8
#define TFTP_BLKSIZE_MAX 65464
#define TFTP_BLKSIZE_DEF 512
/* Options kept from one request; later ones are counted and ignored. */
#define TFTP_MAX_OPTS 16

/* Parse failures, each with a stable text and the ERROR code it earns. */
enum tftp_perr {
	TFTP_P_OK = 0,
	TFTP_P_EMPTY,          /* zero-length datagram: dropped, no answer */
	TFTP_P_SHORT,          /* shorter than its opcode's fixed part */
	TFTP_P_OPCODE,         /* opcode outside 1..6 */
	TFTP_P_TOO_LONG,       /* request over 512 bytes (RFC 2347) */
	TFTP_P_FILE_NUL,       /* filename not NUL-terminated */
	TFTP_P_FILE_EMPTY,     /* empty filename */
	TFTP_P_MODE_NUL,       /* mode missing or not NUL-terminated */
	TFTP_P_MODE,           /* mode not netascii/octet/mail */
	TFTP_P_OPT_NUL,        /* option name not NUL-terminated */
	TFTP_P_OPT_NO_VALUE,   /* option name without a value */
	TFTP_P_OPT_VALUE       /* option value malformed (RFC 2347: ERROR 8) */
};

/* Static text for a parse error; never NULL. */
const char *tftp_perr_str(enum tftp_perr e);
/* ERROR code a server answers a request failing with e (RFC 1350/2347). */
enum tftp_ecode tftp_perr_ecode(enum tftp_perr e);
/* Static name of an ERROR code ("File not found", ...); never NULL. */
const char *tftp_ecode_str(unsigned code);

/* An option as it stands in a packet; strings are lent by the packet
 * and NUL-terminated there. */
struct tftp_opt {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct tftp_optlist {
	size_t n;       /* stored in opt[] */
	size_t total;   /* seen in the packet (may exceed TFTP_MAX_OPTS) */
	struct tftp_opt opt[TFTP_MAX_OPTS];
};

/* A parsed packet. Pointers are lent by the datagram passed to tftp_parse(). */
struct tftp_pkt {
	enum tftp_op op;
	/* RRQ/WRQ */
	const char *file;
	size_t file_len;
	const char *mode_str;
	enum tftp_mode mode;
	/* RRQ/WRQ/OACK */
	struct tftp_optlist opts;
	/* DATA/ACK */
	uint16_t block;
	const uint8_t *data;
	size_t data_len;
	/* ERROR */
	uint16_t ecode;
	const char *emsg;  /* NUL-terminated in the packet, or NULL when it is not */
	size_t emsg_len;
};

/*
 * Parses one datagram. DATA payloads longer than max_data are refused
 * (TFTP_P_TOO_LONG) so callers bound what they accept. ERROR messages
 * without a NUL are accepted (the packet still ends the transfer); their
 * emsg is then NULL. On failure the packet is zeroed but op is set when
 * it could be read.
 */
CTL_MUST_USE enum tftp_perr tftp_parse(const uint8_t *p, size_t n, size_t max_data, struct tftp_pkt *pkt);

/* Case-insensitive match of a lent option name (name_len bytes) against s. */
int tftp_opt_is(const struct tftp_opt *o, const char *s);

/*
 * Builders write one packet into buf (cap bytes) and store its length in
 * *len. They return 0, or -1 when the packet does not fit or an argument
 * is invalid (nothing useful is left in buf then).
 */
/* RRQ/WRQ; opts[i].name/value are NUL-terminated strings (lengths ignored). */
CTL_MUST_USE int tftp_build_req(uint8_t *buf, size_t cap, enum tftp_op op, const char *file,
                                const char *mode, const struct tftp_opt *opts, size_t nopts, size_t *len);
CTL_MUST_USE int tftp_build_oack(uint8_t *buf, size_t cap, const struct tftp_opt *opts, size_t nopts,
                                 size_t *len);
CTL_MUST_USE int tftp_build_data(uint8_t *buf, size_t cap, uint16_t block, const uint8_t *data,
                                 size_t n, size_t *len);
/* The 4-byte DATA header alone, for scatter/gather sends from a file image. */
void tftp_build_data_hdr(uint8_t hdr[TFTP_HDR], uint16_t block);
CTL_MUST_USE int tftp_build_ack(uint8_t *buf, size_t cap, uint16_t block, size_t *len);
/* ERROR; msg is cut to fit cap and stripped of control characters. */
CTL_MUST_USE int tftp_build_error(uint8_t *buf, size_t cap, uint16_t code, const char *msg, size_t *len);

/* Mode name as sent on the wire ("octet", "netascii", "mail"). */
const char *tftp_mode_str(enum tftp_mode m);

#endif
