/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CTL Provider protocol (TCP 2444, inside TLS) message codec, shared by
 * ctl-provider and ctl-client. doc/provider-protocol.md describes every
 * byte. Parsing goes through the bounded reader; items lend pointers into
 * the caller's body buffer.
 */
#ifndef CTL_PROV_H
#define CTL_PROV_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/buf.h>
#include <ctl/err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTL_PROV_PORT 2444
#define CTL_PROV_VERSION 1
#define CTL_PROV_HDR_LEN 16
#define CTL_PROV_MAX_BODY (1u << 20) /* larger messages are refused unread */
#define CTL_PROV_MAX_ITEMS 64

/* Request types; a response carries the request type | 0x80. */
enum ctl_prov_type {
	CTL_PROV_LOGIN = 0x01,
	CTL_PROV_GET_INFO = 0x02,
	CTL_PROV_GET_CTL = 0x03,
	CTL_PROV_PUT_CTL = 0x04,
	CTL_PROV_SET_MODE = 0x05,
	CTL_PROV_GET_STATUS = 0x06,
	CTL_PROV_BYE = 0x07,
	/* Security By Default (doc/provider-protocol.md, "Tokenless mode"). */
	CTL_PROV_SIGN_CTL = 0x08,   /* publisher: build a tokenless CTL from the nodes sent, sign it */
	CTL_PROV_ITL_RESET = 0x09,  /* serve the reset ITL (ITL_ACTION 1, 2) or the normal one again (0) */
	CTL_PROV_GET_ITL = 0x0A,    /* the ITL this node serves */
	CTL_PROV_RESPONSE = 0x80
};

/* Item tags. */
enum ctl_prov_tag {
	CTL_PROV_T_USER = 1,      /* text */
	CTL_PROV_T_PASSWORD = 2,  /* text */
	CTL_PROV_T_HOSTNAME = 3,  /* text */
	CTL_PROV_T_IPV4 = 4,      /* 4 bytes */
	CTL_PROV_T_CERT = 5,      /* u16 role, then DER certificate; repeatable */
	CTL_PROV_T_CTL_FILE = 6,  /* a whole CTLFile.tlv */
	CTL_PROV_T_MODE = 7,      /* u8: 0 non-secure, 1 mixed */
	CTL_PROV_T_OVERRIDE = 8,  /* u8 1: install although not signed by an installed SAST */
	CTL_PROV_T_MESSAGE = 9,   /* text: why a request failed */
	CTL_PROV_T_MD5 = 10,      /* text: 32 lower-case hex digits */
	CTL_PROV_T_LENGTH = 11,   /* u32 */
	CTL_PROV_T_MTIME = 12,    /* u32 Unix seconds */
	CTL_PROV_T_VERSION = 13,  /* text: server software version */
	CTL_PROV_T_REASON = 14,   /* text: administrator's reason for an override */
	CTL_PROV_T_SIGNER = 15,   /* u8: 0 ITLRecovery, 1 CallManager (enum ctl_tokenless_signer) */
	CTL_PROV_T_ITL_ACTION = 16, /* u8: 0 normal ITL, 1 reset with the local ITLRecovery key, 2 with the remote one */
	CTL_PROV_T_ITL_FILE = 17  /* a whole ITLFile.tlv */
};

/* Response status codes. */
enum ctl_prov_status {
	CTL_PROV_OK = 0,
	CTL_PROV_BAD_REQUEST = 1,
	CTL_PROV_UNSUPPORTED = 2,
	CTL_PROV_AUTH_REQUIRED = 3,
	CTL_PROV_AUTH_FAILED = 4,
	CTL_PROV_THROTTLED = 5,
	CTL_PROV_NOT_FOUND = 6,
	CTL_PROV_CTL_MALFORMED = 7,
	CTL_PROV_CTL_SIGNATURE = 8,
	CTL_PROV_CTL_NOT_TRUSTED = 9,
	CTL_PROV_TOO_LARGE = 10,
	CTL_PROV_IO = 11,
	CTL_PROV_INTERNAL = 12,
	CTL_PROV_STATUS__COUNT
};

const char *ctl_prov_status_text(uint16_t status);

struct ctl_prov_item {
	uint16_t tag;
	uint32_t len;
	const uint8_t *val; /* lent by the body buffer */
};

struct ctl_prov_msg {
	uint8_t type;
	uint16_t status;
	uint32_t id;
	uint32_t body_len;
	size_t nitems;
	struct ctl_prov_item items[CTL_PROV_MAX_ITEMS];
};

/* Parses the fixed 16-byte header: magic, version, type, status, id, body length. */
CTL_MUST_USE enum ctl_err ctl_prov_parse_header(const uint8_t *hdr, size_t len, struct ctl_prov_msg *m,
                                   struct ctl_diag *diag);
/* Parses the body items (m->body_len bytes at body) into m->items. */
CTL_MUST_USE enum ctl_err ctl_prov_parse_body(const uint8_t *body, size_t len, struct ctl_prov_msg *m,
                                 struct ctl_diag *diag);
/* First item with tag, or NULL. */
CTL_MUST_USE const struct ctl_prov_item *ctl_prov_find(const struct ctl_prov_msg *m, uint16_t tag);

/* Writing: begin (header with a length placeholder), items, end (patches the length). */
CTL_MUST_USE enum ctl_err ctl_prov_begin(struct ctl_wr *wr, uint8_t type, uint16_t status, uint32_t id);
CTL_MUST_USE enum ctl_err ctl_prov_put(struct ctl_wr *wr, uint16_t tag, const void *p, size_t n);
CTL_MUST_USE enum ctl_err ctl_prov_put_str(struct ctl_wr *wr, uint16_t tag, const char *s);
CTL_MUST_USE enum ctl_err ctl_prov_put_u8(struct ctl_wr *wr, uint16_t tag, uint8_t v);
CTL_MUST_USE enum ctl_err ctl_prov_put_u32(struct ctl_wr *wr, uint16_t tag, uint32_t v);
CTL_MUST_USE enum ctl_err ctl_prov_end(struct ctl_wr *wr);

#ifdef __cplusplus
}
#endif

#endif
