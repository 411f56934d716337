/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TVS message codec (libctl/tvs.c): the worked bytes of a Cisco phone's
 * QUERY and of a Cisco TVS reply (reserved byte 0xF7), every rejection
 * ctl/tvs.h lists with its offset and tag, request checks, the writer's
 * limits, round trips, and a cut at every offset.
 */
#include <string.h>

#include <ctl/buf.h>
#include <ctl/tvs.h>

#include "testutil.h"

#define DEVICE "CP-8861-SEPB000B4BA0AEE"
/* 65 characters and the NUL: the 66-byte subject of the Cisco capture. */
#define SUBJECT "CN=ucm11pub.example.lab;OU=TAC;O=Cisco;L=Sydney;ST=NSW;C=AU;x=123"
/* 21 characters and the NUL. */
#define ISSUER "CN=ucm11pub;O=Cisco;C"

static const uint8_t serial19[19] = { 0x5f, 0x3a, 0x10, 0x22, 0x91, 0x04, 0x7e, 0x33, 0x18, 0xa0,
	                              0x0b, 0xcc, 0x71, 0x2d, 0x45, 0x66, 0x09, 0xe1, 0x02 };

/* The phone's QUERY head as captured, then the issuer and serial elements. */
static size_t
worked_request(uint8_t *out, size_t cap)
{
	static const uint8_t head[] = { 0x57, 0x01, 0x03, 0x00, 0x00, 0x00, 0x03, 0xE9, 0x00, 0x8F,
		                        0x01, 0x00, 0x18, 0x01 };
	struct ctl_wr wr;
	size_t n;

	ck_assert_uint_eq(strlen(SUBJECT) + 1, 66);
	ck_assert_uint_eq(strlen(ISSUER) + 1, 22);
	ctl_wr_init_fixed(&wr, out, cap);
	ck_assert_int_eq(ctl_wr_bytes(&wr, head, sizeof(head)), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, DEVICE, 23), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "\x03\x00\x42", 3), CTL_OK);
	ck_assert_int_eq(ctl_wr_cstr(&wr, SUBJECT), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "\x04\x00\x16", 3), CTL_OK);
	ck_assert_int_eq(ctl_wr_cstr(&wr, ISSUER), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "\x05\x00\x13", 3), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, serial19, sizeof(serial19)), CTL_OK);
	n = wr.len;
	ck_assert_uint_eq(n, 10 + 0x8F);
	return n;
}

/* The TVS reply: head 57 01 04 F7, 1470-byte payload: status, a 1451-byte certificate, roles 0 3, TTL. */
static size_t
worked_reply(uint8_t *out, size_t cap)
{
	static const uint8_t head[] = { 0x57, 0x01, 0x04, 0xF7, 0x00, 0x00, 0x03, 0xE9, 0x05, 0xBE,
		                        0x07, 0x00, 0x01, 0x00, 0x02, 0x05, 0xAB, 0x30, 0x82, 0x05, 0xA7 };
	struct ctl_wr wr;
	size_t i;

	ctl_wr_init_fixed(&wr, out, cap);
	ck_assert_int_eq(ctl_wr_bytes(&wr, head, sizeof(head)), CTL_OK);
	for (i = 0; i < 1447; i++)
		ck_assert_int_eq(ctl_wr_u8(&wr, (uint8_t)(i * 7)), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "\x08\x00\x02\x00\x03", 5), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, "\x09\x00\x04\x00\x01\x51\x80", 7), CTL_OK);
	ck_assert_uint_eq(wr.len, 10 + 1470);
	return wr.len;
}

START_TEST(worked_query_request)
{
	uint8_t msg[256], *enc;
	size_t n = worked_request(msg, sizeof(msg)), elen;
	struct ctl_tvs_msg m;
	struct ctl_diag d;
	struct ctl_wr wr;

	ck_assert_int_eq(ctl_tvs_parse(msg, n, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.cmd, CTL_TVS_QUERY_REQ);
	ck_assert_uint_eq(m.reserved, 0);
	ck_assert_uint_eq(m.session, 0x3E9);
	ck_assert_uint_eq(m.payload_len, 0x8F);
	ck_assert_uint_eq(m.device_len, 23);
	ck_assert_mem_eq(m.device, DEVICE, 23);
	ck_assert_uint_eq(m.subject_len, 65);
	ck_assert_mem_eq(m.subject, SUBJECT, 65);
	ck_assert_uint_eq(m.issuer_len, 21);
	ck_assert_mem_eq(m.issuer, ISSUER, 21);
	ck_assert_uint_eq(m.serial_len, 19);
	ck_assert_mem_eq(m.serial, serial19, 19);
	ck_assert_ptr_null(m.cert);
	ck_assert_int_eq(m.has_status, 0);
	ck_assert_int_eq(m.has_roles, 0);
	ck_assert_int_eq(m.has_ttl, 0);
	ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_OK);

	/* the writer produces the phone's bytes */
	ctl_wr_init(&wr, 4096);
	ck_assert_int_eq(ctl_tvs_begin(&wr, CTL_TVS_QUERY_REQ, 0x3E9), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_device(&wr, DEVICE), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_cstr(&wr, CTL_TVS_T_SUBJECT, SUBJECT), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_cstr(&wr, CTL_TVS_T_ISSUER, ISSUER), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_SERIAL, serial19, sizeof(serial19)), CTL_OK);
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_OK);
	enc = ctl_wr_take(&wr, &elen);
	ck_assert_uint_eq(elen, n);
	ck_assert_mem_eq(enc, msg, n);
	free(enc);
}
END_TEST

START_TEST(worked_reply_reserved_byte_ignored)
{
	static uint8_t msg[1600];
	size_t n = worked_reply(msg, sizeof(msg));
	struct ctl_tvs_msg m;
	struct ctl_diag d;

	ck_assert_int_eq(ctl_tvs_parse(msg, n, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.cmd, CTL_TVS_QUERY_RES);
	ck_assert_uint_eq(m.reserved, 0xF7);
	ck_assert_uint_eq(m.session, 0x3E9);
	ck_assert_uint_eq(m.payload_len, 1470);
	ck_assert_int_eq(m.has_status, 1);
	ck_assert_uint_eq(m.status, CTL_TVS_VALID);
	ck_assert_uint_eq(m.cert_len, 1451);
	ck_assert_mem_eq(m.cert, "\x30\x82\x05\xA7", 4);
	ck_assert_int_eq(m.has_roles, 1);
	ck_assert_uint_eq(m.nroles, 2);
	ck_assert_uint_eq(m.roles[0], 0);
	ck_assert_uint_eq(m.roles[1], 3);
	ck_assert_int_eq(m.has_ttl, 1);
	ck_assert_uint_eq(m.ttl, CTL_TVS_TTL_DEFAULT);
	/* a reply is no request */
	ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_E_INVAL);
}
END_TEST

/* ---- rejections --------------------------------------------------------- */

/* A message with a header announcing exactly the payload given. */
static size_t
message(uint8_t *out, size_t cap, const void *payload, size_t n)
{
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, out, cap);
	ck_assert_int_eq(ctl_tvs_begin(&wr, CTL_TVS_QUERY_REQ, 7), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(&wr, payload, n), CTL_OK);
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_OK);
	return wr.len;
}

#define DEV_OK "\x01\x00\x18\x01" DEVICE
#define P(s) s, sizeof(s) - 1

static const struct {
	const char *name;
	const char *payload;
	size_t n;
	enum ctl_err err;
	size_t off;   /* absolute offset in the message */
	int tag;
} rejects[] = {
	{ "element past the payload", P(DEV_OK "\x02\x00\x05\x30\x82"), CTL_E_TRUNCATED, 37, 2 },
	{ "length field cut", P(DEV_OK "\x02\x00"), CTL_E_TRUNCATED, 37, 2 },
	{ "repeated element", P(DEV_OK "\x05\x00\x01\x01\x05\x00\x01\x02"), CTL_E_DUP_TAG, 41, 5 },
	{ "repeated device", P(DEV_OK DEV_OK), CTL_E_DUP_TAG, 37, 1 },
	{ "unknown tag 6", P(DEV_OK "\x06\x00\x01\x00"), CTL_E_BAD_TAG, 37, 6 },
	{ "unknown tag 0", P("\x00\x00\x00"), CTL_E_BAD_TAG, 10, 0 },
	{ "subject without NUL", P("\x03\x00\x04" "CN=a"), CTL_E_FIELD_LEN, 10, 3 },
	{ "empty subject", P("\x03\x00\x00"), CTL_E_FIELD_LEN, 10, 3 },
	{ "subject with an inner NUL", P("\x03\x00\x05" "CN\0a\0"), CTL_E_FIELD_LEN, 10, 3 },
	{ "issuer without NUL", P(DEV_OK "\x04\x00\x02" "CN"), CTL_E_FIELD_LEN, 37, 4 },
	{ "issuer with an inner NUL", P("\x04\x00\x03" "\0a\0"), CTL_E_FIELD_LEN, 10, 4 },
	{ "device without the 0x01 prefix", P("\x01\x00\x18\x02" DEVICE), CTL_E_INVAL, 10, 1 },
	{ "device without prefix byte", P("\x01\x00\x17" DEVICE), CTL_E_INVAL, 10, 1 },
	{ "empty device", P("\x01\x00\x00"), CTL_E_INVAL, 10, 1 },
	{ "device in lower case", P("\x01\x00\x18\x01" "CP-8861-SEPb000b4ba0aee"), CTL_E_INVAL, 10, 1 },
	{ "device with 11 hex digits", P("\x01\x00\x17\x01" "CP-8861-SEPB000B4BA0AE"), CTL_E_INVAL, 10, 1 },
	{ "device with 13 hex digits", P("\x01\x00\x19\x01" "CP-8861-SEPB000B4BA0AEEF"), CTL_E_INVAL, 10, 1 },
	{ "device without CP-", P("\x01\x00\x18\x01" "XP-8861-SEPB000B4BA0AEE"), CTL_E_INVAL, 10, 1 },
	{ "device without -SEP", P("\x01\x00\x18\x01" "CP-8861-SIPB000B4BA0AEE"), CTL_E_INVAL, 10, 1 },
	{ "device with an empty model", P("\x01\x00\x14\x01" "CP--SEPB000B4BA0AEE"), CTL_E_INVAL, 10, 1 },
	{ "device model with a dash", P("\x01\x00\x19\x01" "CP-88-61-SEPB000B4BA0AEE"), CTL_E_INVAL, 10, 1 },
	{ "device with a NUL", P("\x01\x00\x19\x01" DEVICE "\0"), CTL_E_INVAL, 10, 1 },
	{ "status of 2 bytes", P("\x07\x00\x02\x00\x00"), CTL_E_FIELD_LEN, 10, 7 },
	{ "status of 0 bytes", P("\x07\x00\x00"), CTL_E_FIELD_LEN, 10, 7 },
	{ "TTL of 3 bytes", P("\x07\x00\x01\x00\x09\x00\x03\x01\x51\x80"), CTL_E_FIELD_LEN, 14, 9 },
	{ "TTL of 8 bytes", P("\x09\x00\x08\x00\x00\x00\x00\x00\x01\x51\x80"), CTL_E_FIELD_LEN, 10, 9 },
	{ "17 roles", P("\x08\x00\x11" "\x00\x01\x02\x03\x04\x07\x15\x00\x01\x02\x03\x04\x07\x15\x00\x01\x02"),
	  CTL_E_TOO_LARGE, 10, 8 },
	{ "empty certificate", P("\x02\x00\x00"), CTL_E_ZERO_LEN, 10, 2 },
	{ "empty serial", P("\x05\x00\x00"), CTL_E_ZERO_LEN, 10, 5 },
};

START_TEST(payload_rejected)
{
	size_t i = (size_t)_i, n;
	uint8_t msg[256];
	struct ctl_tvs_msg m;
	struct ctl_diag d;
	enum ctl_err r;

	n = message(msg, sizeof(msg), rejects[i].payload, rejects[i].n);
	r = ctl_tvs_parse(msg, n, &m, &d);
	ck_assert_msg(r == rejects[i].err, "%s: got %s (%s), expected %s", rejects[i].name,
	              ctl_strerror(r), d.msg, ctl_strerror(rejects[i].err));
	ck_assert_int_eq(d.err, r);
	ck_assert_msg(d.offset == rejects[i].off && d.tag == rejects[i].tag,
	              "%s: offset %zu tag %d, expected %zu and %d (%s)", rejects[i].name, d.offset,
	              d.tag, rejects[i].off, rejects[i].tag, d.msg);
	ck_assert_msg(d.msg[0] != '\0', "%s: no message", rejects[i].name);
}
END_TEST

/* The 17-role case proves the limit; exactly 16 roles and an empty list pass. */
START_TEST(roles_at_the_limit)
{
	uint8_t msg[64];
	struct ctl_tvs_msg m;
	struct ctl_diag d;
	size_t n = message(msg, sizeof(msg), P("\x08\x00\x10" "\x00\x01\x02\x03\x04\x07\x15\x00"
	                                       "\x01\x02\x03\x04\x07\x15\x00\x01"));

	ck_assert_int_eq(ctl_tvs_parse(msg, n, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.nroles, CTL_TVS_MAX_ROLES);
	ck_assert_uint_eq(m.roles[6], 21);
	n = message(msg, sizeof(msg), P("\x08\x00\x00"));
	ck_assert_int_eq(ctl_tvs_parse(msg, n, &m, &d), CTL_OK);
	ck_assert_int_eq(m.has_roles, 1);
	ck_assert_uint_eq(m.nroles, 0);
}
END_TEST

START_TEST(header_rejected)
{
	uint8_t msg[256] = { 0 };
	size_t n = worked_request(msg, sizeof(msg));
	struct ctl_tvs_msg m;
	struct ctl_diag d;

	ck_assert_int_eq(ctl_tvs_parse_header(msg, 9, &m, &d), CTL_E_TRUNCATED);
	ck_assert_int_eq(ctl_tvs_parse_header(msg, 0, &m, &d), CTL_E_TRUNCATED);
	msg[0] = 0x58;
	ck_assert_int_eq(ctl_tvs_parse_header(msg, n, &m, &d), CTL_E_VERSION);
	ck_assert_uint_eq(d.offset, 0);
	ck_assert_ptr_nonnull(strstr(d.msg, "0x58"));
	msg[0] = 0x57;
	msg[1] = 2;
	ck_assert_int_eq(ctl_tvs_parse(msg, n, &m, &d), CTL_E_VERSION);
	ck_assert_uint_eq(d.offset, 1);
	msg[1] = 0;
	ck_assert_int_eq(ctl_tvs_parse(msg, n, &m, &d), CTL_E_VERSION);
	msg[1] = 1;
	/* header alone parses; the payload length tells the caller what to read */
	ck_assert_int_eq(ctl_tvs_parse_header(msg, CTL_TVS_HDR_LEN, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.payload_len, 0x8F);
	/* payload shorter than announced, and bytes after it */
	ck_assert_int_eq(ctl_tvs_parse(msg, n - 1, &m, &d), CTL_E_TRUNCATED);
	ck_assert_int_eq(ctl_tvs_parse(msg, n + 1, &m, &d), CTL_E_TOO_LARGE);
	ck_assert_uint_eq(d.offset, n);
	ck_assert_int_eq(ctl_tvs_parse_payload(msg, (size_t)CTL_TVS_MAX_PAYLOAD + 1, &m, &d),
	                 CTL_E_TOO_LARGE);
}
END_TEST

/* The payload parser keeps the header's fields and forgets earlier elements. */
START_TEST(payload_after_header)
{
	uint8_t msg[256];
	size_t n = worked_request(msg, sizeof(msg));
	struct ctl_tvs_msg m;
	struct ctl_diag d;

	ck_assert_int_eq(ctl_tvs_parse(msg, n, &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_tvs_parse_payload((const uint8_t *)"\x07\x00\x01\x01", 4, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.session, 0x3E9);
	ck_assert_uint_eq(m.cmd, CTL_TVS_QUERY_REQ);
	ck_assert_ptr_null(m.device);
	ck_assert_ptr_null(m.subject);
	ck_assert_int_eq(m.has_status, 1);
	ck_assert_uint_eq(m.status, CTL_TVS_UNKNOWN);
	ck_assert_int_eq(ctl_tvs_parse_payload(NULL, 0, &m, &d), CTL_OK);
	ck_assert_int_eq(m.has_status, 0);
}
END_TEST

/* Every cut of a valid message is refused cleanly (read under ASan). */
START_TEST(cut_at_every_offset)
{
	static uint8_t msg[1600];
	uint8_t *copy;
	size_t n = worked_reply(msg, sizeof(msg)), k;
	struct ctl_tvs_msg m;
	struct ctl_diag d;

	for (k = 0; k < n; k++) {
		copy = malloc(k ? k : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, msg, k);
		ck_assert_int_eq(ctl_tvs_parse(copy, k, &m, &d), CTL_E_TRUNCATED);
		ck_assert_uint_le(d.offset, n);
		free(copy);
	}
	ck_assert_int_eq(ctl_tvs_parse(msg, n, &m, &d), CTL_OK);
}
END_TEST

/* ---- requests ----------------------------------------------------------- */

START_TEST(request_needs_its_elements)
{
	uint8_t msg[256];
	struct ctl_tvs_msg m;
	struct ctl_diag d;
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, msg, sizeof(msg));
	ck_assert_int_eq(ctl_tvs_begin(&wr, CTL_TVS_VERIFY_REQ, 1), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_device(&wr, DEVICE), CTL_OK);
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_OK);
	ck_assert_int_eq(ctl_tvs_parse(msg, wr.len, &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_E_MISSING);
	ck_assert_int_eq(d.tag, CTL_TVS_T_CERT);
	ck_assert_ptr_nonnull(strstr(d.msg, "VERIFY"));

	ctl_wr_init_fixed(&wr, msg, sizeof(msg));
	ck_assert_int_eq(ctl_tvs_begin(&wr, CTL_TVS_VERIFY_REQ, 1), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_CERT, "\x30\x00", 2), CTL_OK);
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_OK);
	ck_assert_int_eq(ctl_tvs_parse(msg, wr.len, &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_E_MISSING);
	ck_assert_int_eq(d.tag, CTL_TVS_T_DEVICE);

	ctl_wr_init_fixed(&wr, msg, sizeof(msg));
	ck_assert_int_eq(ctl_tvs_begin(&wr, CTL_TVS_QUERY_REQ, 1), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_device(&wr, DEVICE), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_cstr(&wr, CTL_TVS_T_SUBJECT, "CN=a"), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_cstr(&wr, CTL_TVS_T_ISSUER, "CN=b"), CTL_OK);
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_OK);
	ck_assert_int_eq(ctl_tvs_parse(msg, wr.len, &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_E_MISSING);
	ck_assert_int_eq(d.tag, CTL_TVS_T_SERIAL);
	ck_assert_ptr_nonnull(strstr(d.msg, "QUERY"));

	m.cmd = CTL_TVS_VERIFY_RES;
	ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_E_INVAL);
	m.cmd = 0;
	ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_E_INVAL);
}
END_TEST

/* ---- writer ------------------------------------------------------------- */

START_TEST(writer_limits)
{
	static uint8_t big[CTL_TVS_MAX_PAYLOAD + 1];
	uint8_t small[16];
	struct ctl_wr wr;

	ctl_wr_init(&wr, 1u << 20);
	ck_assert_int_eq(ctl_tvs_begin(&wr, CTL_TVS_QUERY_RES, 9), CTL_OK);
	/* a second message may not start inside the first */
	ck_assert_int_eq(ctl_tvs_begin(&wr, CTL_TVS_QUERY_RES, 9), CTL_E_INVAL);
	ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_CERT, big, sizeof(big)), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_CERT, big, CTL_TVS_MAX_PAYLOAD - 3), CTL_OK);
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_OK);   /* exactly 65535 */
	ck_assert_int_eq(ctl_tvs_put_u8(&wr, CTL_TVS_T_STATUS, 0), CTL_OK);
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_E_TOO_LARGE);
	ctl_wr_cleanup(&wr);

	ctl_wr_init_fixed(&wr, small, sizeof(small));
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_E_INVAL);   /* no header */
	ck_assert_int_eq(ctl_tvs_begin(&wr, CTL_TVS_VERIFY_REQ, 1), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_device(&wr, DEVICE), CTL_E_TOO_LARGE);
	ck_assert_int_eq(ctl_tvs_put_device(&wr, "CP-8861-SEPb000b4ba0aee"), CTL_E_INVAL);
	ck_assert_int_eq(ctl_tvs_put_device(&wr, "SEPB000B4BA0AEE"), CTL_E_INVAL);
	ck_assert_int_eq(ctl_tvs_put_device(&wr, ""), CTL_E_INVAL);
}
END_TEST

START_TEST(device_names)
{
	char out[64];

	ck_assert_int_eq(ctl_tvs_device_name("8861", "b000b4ba0aee", out, sizeof(out)), CTL_OK);
	ck_assert_str_eq(out, DEVICE);
	ck_assert_int_eq(ctl_tvs_device_name("7975", "001122334455", out, sizeof(out)), CTL_OK);
	ck_assert_str_eq(out, "CP-7975-SEP001122334455");
	ck_assert_int_eq(ctl_tvs_device_name("8861", "b000b4ba0aee", out, 24), CTL_OK);
	ck_assert_int_eq(ctl_tvs_device_name("8861", "b000b4ba0aee", out, 23), CTL_E_TOO_LARGE);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(ctl_tvs_device_name("8861", "b000b4ba0ae", out, sizeof(out)), CTL_E_INVAL);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(ctl_tvs_device_name("8861", "b000b4ba0aeg", out, sizeof(out)), CTL_E_INVAL);
	ck_assert_int_eq(ctl_tvs_device_name("88-61", "b000b4ba0aee", out, sizeof(out)), CTL_E_INVAL);
	ck_assert_int_eq(ctl_tvs_device_name("", "b000b4ba0aee", out, sizeof(out)), CTL_E_INVAL);
	ck_assert_int_eq(ctl_tvs_device_name("12345678901234567", "b000b4ba0aee", out, sizeof(out)),
	                 CTL_E_INVAL);
}
END_TEST

/* ---- round trips -------------------------------------------------------- */

static const uint8_t der[] = { 0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x05 };
static const uint8_t roles_ok[] = { CTL_ROLE_SAST, CTL_ROLE_TFTP, CTL_ROLE_TVS };

/* Writes one message of each kind ctl-tvsd and the phone exchange. */
static size_t
write_kind(int kind, uint8_t *out, size_t cap)
{
	struct ctl_wr wr;
	uint8_t cmd = kind == 0 ? CTL_TVS_VERIFY_REQ : kind == 3 ? CTL_TVS_QUERY_REQ :
	              kind == 4 ? CTL_TVS_QUERY_RES : CTL_TVS_VERIFY_RES;

	ctl_wr_init_fixed(&wr, out, cap);
	ck_assert_int_eq(ctl_tvs_begin(&wr, cmd, 0xA1B2C3D4u), CTL_OK);
	switch (kind) {
	case 0:   /* VERIFY request */
		ck_assert_int_eq(ctl_tvs_put_device(&wr, DEVICE), CTL_OK);
		ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_CERT, der, sizeof(der)), CTL_OK);
		break;
	case 1:   /* VERIFY answer, valid */
	case 4:   /* QUERY answer */
		ck_assert_int_eq(ctl_tvs_put_u8(&wr, CTL_TVS_T_STATUS, CTL_TVS_VALID), CTL_OK);
		if (kind == 4)
			ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_CERT, der, sizeof(der)), CTL_OK);
		ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_ROLES, roles_ok, sizeof(roles_ok)), CTL_OK);
		ck_assert_int_eq(ctl_tvs_put_u32(&wr, CTL_TVS_T_TTL, CTL_TVS_TTL_MAX), CTL_OK);
		break;
	case 2:   /* unknown: status 1 alone */
		ck_assert_int_eq(ctl_tvs_put_u8(&wr, CTL_TVS_T_STATUS, CTL_TVS_UNKNOWN), CTL_OK);
		break;
	default:  /* QUERY request */
		ck_assert_int_eq(ctl_tvs_put_device(&wr, DEVICE), CTL_OK);
		ck_assert_int_eq(ctl_tvs_put_cstr(&wr, CTL_TVS_T_SUBJECT, SUBJECT), CTL_OK);
		ck_assert_int_eq(ctl_tvs_put_cstr(&wr, CTL_TVS_T_ISSUER, ISSUER), CTL_OK);
		ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_SERIAL, serial19, 1), CTL_OK);
		break;
	}
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_OK);
	return wr.len;
}

/* Re-encodes a parsed message in the canonical element order. */
static size_t
rewrite(const struct ctl_tvs_msg *m, uint8_t *out, size_t cap)
{
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, out, cap);
	ck_assert_int_eq(ctl_tvs_begin(&wr, m->cmd, m->session), CTL_OK);
	if (m->has_status)
		ck_assert_int_eq(ctl_tvs_put_u8(&wr, CTL_TVS_T_STATUS, m->status), CTL_OK);
	if (m->device != NULL) {
		char name[64];

		ck_assert_uint_lt(m->device_len, sizeof(name));
		memcpy(name, m->device, m->device_len);
		name[m->device_len] = '\0';
		ck_assert_int_eq(ctl_tvs_put_device(&wr, name), CTL_OK);
	}
	if (m->subject != NULL)
		ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_SUBJECT, m->subject, m->subject_len + 1), CTL_OK);
	if (m->issuer != NULL)
		ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_ISSUER, m->issuer, m->issuer_len + 1), CTL_OK);
	if (m->serial != NULL)
		ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_SERIAL, m->serial, m->serial_len), CTL_OK);
	if (m->cert != NULL)
		ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_CERT, m->cert, m->cert_len), CTL_OK);
	if (m->has_roles)
		ck_assert_int_eq(ctl_tvs_put(&wr, CTL_TVS_T_ROLES, m->roles, m->nroles), CTL_OK);
	if (m->has_ttl)
		ck_assert_int_eq(ctl_tvs_put_u32(&wr, CTL_TVS_T_TTL, m->ttl), CTL_OK);
	ck_assert_int_eq(ctl_tvs_end(&wr), CTL_OK);
	return wr.len;
}

START_TEST(round_trip)
{
	int kind = _i;
	uint8_t a[512], b[512];
	size_t na = write_kind(kind, a, sizeof(a)), nb;
	struct ctl_tvs_msg m;
	struct ctl_diag d;

	ck_assert_int_eq(ctl_tvs_parse(a, na, &m, &d), CTL_OK);
	ck_assert_uint_eq(m.session, 0xA1B2C3D4u);
	ck_assert_uint_eq(m.payload_len, na - CTL_TVS_HDR_LEN);
	if (kind == 1 || kind == 4) {
		ck_assert_uint_eq(m.nroles, 3);
		ck_assert_mem_eq(m.roles, roles_ok, 3);
		ck_assert_uint_eq(m.ttl, CTL_TVS_TTL_MAX);
	}
	if (kind == 2) {
		ck_assert_int_eq(m.has_roles, 0);
		ck_assert_int_eq(m.has_ttl, 0);
		ck_assert_uint_eq(m.status, CTL_TVS_UNKNOWN);
	}
	if (kind == 0 || kind == 3)
		ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_OK);
	nb = rewrite(&m, b, sizeof(b));
	ck_assert_uint_eq(nb, na);
	ck_assert_mem_eq(b, a, na);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tvs");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, worked_query_request);
	tcase_add_test(tc, worked_reply_reserved_byte_ignored);
	tcase_add_loop_test(tc, payload_rejected, 0, (int)(sizeof(rejects) / sizeof(rejects[0])));
	tcase_add_test(tc, roles_at_the_limit);
	tcase_add_test(tc, header_rejected);
	tcase_add_test(tc, payload_after_header);
	tcase_add_test(tc, cut_at_every_offset);
	tcase_add_test(tc, request_needs_its_elements);
	tcase_add_test(tc, writer_limits);
	tcase_add_test(tc, device_names);
	tcase_add_loop_test(tc, round_trip, 0, 5);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
