/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Trust Verification Service (TVS) messages, TCP 2445 inside TLS
 * (doc/tvs-protocol.md). One codec for ctl-tvsd and phone-verifier: every
 * byte goes through the bounds-checked reader/writer of <ctl/buf.h>.
 *
 * Header, 10 bytes, big-endian: protocol id 0x57, version 1, command,
 * reserved (0 sent, ignored on receive), session id u32, payload length u16.
 * Payload: elements, each tag u8, length u16, value.
 */
#ifndef CTL_TVS_H
#define CTL_TVS_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/buf.h>
#include <ctl/err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTL_TVS_PORT 2445
#define CTL_TVS_PROTO_ID 0x57
#define CTL_TVS_VERSION 1
#define CTL_TVS_HDR_LEN 10
#define CTL_TVS_MAX_PAYLOAD 65535u   /* the length field is u16 */
#define CTL_TVS_MAX_ELEMS 32
#define CTL_TVS_MAX_ROLES 16
#define CTL_TVS_TTL_DEFAULT 86400u
#define CTL_TVS_TTL_MAX 2592000u

enum ctl_tvs_cmd {
	CTL_TVS_VERIFY_REQ = 1,
	CTL_TVS_VERIFY_RES = 2,
	CTL_TVS_QUERY_REQ = 3,
	CTL_TVS_QUERY_RES = 4
};

enum ctl_tvs_tag {
	CTL_TVS_T_DEVICE = 1,   /* 0x01 then "CP-<model>-SEP<12 hex>", no NUL */
	CTL_TVS_T_CERT = 2,     /* DER X.509 */
	CTL_TVS_T_SUBJECT = 3,  /* text, NUL-terminated */
	CTL_TVS_T_ISSUER = 4,   /* text, NUL-terminated (tag number inferred) */
	CTL_TVS_T_SERIAL = 5,   /* raw serial bytes (tag number inferred) */
	CTL_TVS_T_STATUS = 7,   /* u8: 0 valid, 1 invalid or unknown */
	CTL_TVS_T_ROLES = 8,    /* one byte per FUNCTION code */
	CTL_TVS_T_TTL = 9       /* u32 seconds */
};

enum ctl_tvs_status {
	CTL_TVS_VALID = 0,
	CTL_TVS_UNKNOWN = 1
};

/* One decoded message. Every ctl_bytes view points into the parsed buffer
 * (lent: valid while that buffer is). Absent elements have len 0 and the
 * matching has_ flag 0. The device view excludes the 0x01 prefix; subject
 * and issuer views exclude the terminating NUL. */
struct ctl_tvs_msg {
	uint8_t cmd;
	uint8_t reserved;
	uint32_t session;
	uint16_t payload_len;
	const uint8_t *device; size_t device_len;
	const uint8_t *cert; size_t cert_len;
	const uint8_t *subject; size_t subject_len;
	const uint8_t *issuer; size_t issuer_len;
	const uint8_t *serial; size_t serial_len;
	int has_status; uint8_t status;
	uint8_t roles[CTL_TVS_MAX_ROLES]; size_t nroles; int has_roles;
	int has_ttl; uint32_t ttl;
};

/*
 * Parses the 10-byte header (len >= CTL_TVS_HDR_LEN). Wrong protocol id or
 * version is CTL_E_VERSION (diag: offset and what). Fills cmd, reserved,
 * session and payload_len; the caller then reads payload_len bytes.
 */
CTL_MUST_USE enum ctl_err ctl_tvs_parse_header(const uint8_t *hdr, size_t len, struct ctl_tvs_msg *m,
                                               struct ctl_diag *diag);
/*
 * Parses a payload of exactly len bytes into m (header fields untouched).
 * Rejects: an element running past the payload (CTL_E_TRUNCATED), a
 * repeated element (CTL_E_DUP_TAG), an unknown tag (CTL_E_BAD_TAG), a
 * subject/issuer without its NUL or with an inner NUL (CTL_E_FIELD_LEN), a
 * device name not of the form 0x01 "CP-" model "-SEP" 12 upper-case hex
 * digits, the model 1 to 16 letters or digits (CTL_E_INVAL), a status or
 * TTL of the wrong size (CTL_E_FIELD_LEN), more than CTL_TVS_MAX_ROLES
 * roles (CTL_E_TOO_LARGE), an empty certificate or serial (CTL_E_ZERO_LEN).
 * diag names the offset (from the first header byte) and tag.
 */
CTL_MUST_USE enum ctl_err ctl_tvs_parse_payload(const uint8_t *p, size_t len, struct ctl_tvs_msg *m,
                                                struct ctl_diag *diag);
/* Header then payload from one buffer holding exactly one message (fewer
 * bytes: CTL_E_TRUNCATED; bytes after it: CTL_E_TOO_LARGE). */
CTL_MUST_USE enum ctl_err ctl_tvs_parse(const uint8_t *p, size_t len, struct ctl_tvs_msg *m,
                                        struct ctl_diag *diag);
/*
 * Checks that the request carries what its command needs: VERIFY a device
 * and a certificate; QUERY a device, a subject, an issuer and a serial.
 */
CTL_MUST_USE enum ctl_err ctl_tvs_check_request(const struct ctl_tvs_msg *m, struct ctl_diag *diag);

/* Writing: begin (header with a length placeholder) into an empty writer
 * (else CTL_E_INVAL), elements, end (patches the length). */
CTL_MUST_USE enum ctl_err ctl_tvs_begin(struct ctl_wr *wr, uint8_t cmd, uint32_t session);
CTL_MUST_USE enum ctl_err ctl_tvs_put(struct ctl_wr *wr, uint8_t tag, const void *p, size_t n);
/* Device element from "CP-8861-SEPB000B4BA0AEE" (adds the 0x01 prefix);
 * CTL_E_INVAL for a name the parser would refuse. */
CTL_MUST_USE enum ctl_err ctl_tvs_put_device(struct ctl_wr *wr, const char *name);
/* Text element with its terminating NUL (subject, issuer). */
CTL_MUST_USE enum ctl_err ctl_tvs_put_cstr(struct ctl_wr *wr, uint8_t tag, const char *s);
CTL_MUST_USE enum ctl_err ctl_tvs_put_u8(struct ctl_wr *wr, uint8_t tag, uint8_t v);
CTL_MUST_USE enum ctl_err ctl_tvs_put_u32(struct ctl_wr *wr, uint8_t tag, uint32_t v);
/* Fails with CTL_E_TOO_LARGE when the payload passed 65535 bytes. */
CTL_MUST_USE enum ctl_err ctl_tvs_end(struct ctl_wr *wr);

/* "CP-<model>-SEP<MAC>" for model (e.g. "8861") and a 12-hex-digit MAC, into out[cap]. */
CTL_MUST_USE enum ctl_err ctl_tvs_device_name(const char *model, const char *mac, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
