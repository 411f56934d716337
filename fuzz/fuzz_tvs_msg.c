/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the TVS message codec (ctl_tvs_parse, libctl/tvs.c).
 * The input is a whole message; it is also parsed as a bare payload, so
 * element parsing is reached without a valid header. On success every lent
 * view must lie inside the input and be read end to end, errors must say
 * where (an offset within the message), the request check must not crash,
 * and re-encoding the elements in canonical order must parse back to the
 * same content.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/tvs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void
view(const uint8_t *base, size_t size, const uint8_t *p, size_t n)
{
	size_t i;

	if (p == NULL) {
		if (n != 0)
			__builtin_trap();
		return;
	}
	if (p < base || n > size || (size_t)(p - base) > size - n)
		__builtin_trap();
	for (i = 0; i < n; i++)
		sink ^= p[i];
}

static void
check_views(const uint8_t *base, size_t size, const struct ctl_tvs_msg *m)
{
	view(base, size, m->device, m->device_len);
	view(base, size, m->cert, m->cert_len);
	view(base, size, m->subject, m->subject_len);
	view(base, size, m->issuer, m->issuer_len);
	view(base, size, m->serial, m->serial_len);
	if (m->nroles > CTL_TVS_MAX_ROLES || (m->nroles > 0 && !m->has_roles))
		__builtin_trap();
	/* texts end in a NUL that is not part of the view */
	if ((m->subject != NULL && m->subject[m->subject_len] != 0) ||
	    (m->issuer != NULL && m->issuer[m->issuer_len] != 0))
		__builtin_trap();
}

static void
put_view(struct ctl_wr *wr, uint8_t tag, const uint8_t *p, size_t n)
{
	if (p != NULL && ctl_tvs_put(wr, tag, p, n) != CTL_OK)
		__builtin_trap();
}

/* Re-encodes m and checks the result parses to the same elements. */
static void
round_trip(const struct ctl_tvs_msg *m)
{
	struct ctl_wr wr;
	struct ctl_tvs_msg back;
	struct ctl_diag d;

	ctl_wr_init(&wr, 2u * CTL_TVS_MAX_PAYLOAD);
	if (ctl_tvs_begin(&wr, m->cmd, m->session) != CTL_OK)
		__builtin_trap();
	/* the device element as stored: 0x01 then the name */
	if (m->device != NULL) {
		if (ctl_wr_u8(&wr, CTL_TVS_T_DEVICE) != CTL_OK ||
		    ctl_wr_u16be(&wr, (uint16_t)(m->device_len + 1)) != CTL_OK ||
		    ctl_wr_u8(&wr, 1) != CTL_OK || ctl_wr_bytes(&wr, m->device, m->device_len) != CTL_OK)
			__builtin_trap();
	}
	put_view(&wr, CTL_TVS_T_CERT, m->cert, m->cert_len);
	put_view(&wr, CTL_TVS_T_SUBJECT, m->subject, m->subject != NULL ? m->subject_len + 1 : 0);
	put_view(&wr, CTL_TVS_T_ISSUER, m->issuer, m->issuer != NULL ? m->issuer_len + 1 : 0);
	put_view(&wr, CTL_TVS_T_SERIAL, m->serial, m->serial_len);
	if ((m->has_status && ctl_tvs_put_u8(&wr, CTL_TVS_T_STATUS, m->status) != CTL_OK) ||
	    (m->has_roles && ctl_tvs_put(&wr, CTL_TVS_T_ROLES, m->roles, m->nroles) != CTL_OK) ||
	    (m->has_ttl && ctl_tvs_put_u32(&wr, CTL_TVS_T_TTL, m->ttl) != CTL_OK) ||
	    ctl_tvs_end(&wr) != CTL_OK)
		__builtin_trap();
	if (ctl_tvs_parse(wr.buf, wr.len, &back, &d) != CTL_OK)
		__builtin_trap();
	if (back.cmd != m->cmd || back.session != m->session || back.reserved != 0 ||
	    back.device_len != m->device_len || back.cert_len != m->cert_len ||
	    back.subject_len != m->subject_len || back.issuer_len != m->issuer_len ||
	    back.serial_len != m->serial_len || back.has_status != m->has_status ||
	    back.status != m->status || back.has_roles != m->has_roles || back.nroles != m->nroles ||
	    back.has_ttl != m->has_ttl || back.ttl != m->ttl ||
	    (m->nroles > 0 && memcmp(back.roles, m->roles, m->nroles) != 0) ||
	    (m->cert_len > 0 && memcmp(back.cert, m->cert, m->cert_len) != 0))
		__builtin_trap();
	ctl_wr_cleanup(&wr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_tvs_msg m;
	struct ctl_diag d;
	enum ctl_err r = ctl_tvs_parse(data, size, &m, &d);

	if (r != CTL_OK) {
		if (d.err != r || d.offset > size || d.msg[0] == '\0')
			__builtin_trap();
	} else {
		if (size != CTL_TVS_HDR_LEN + (size_t)m.payload_len)
			__builtin_trap();
		check_views(data, size, &m);
		CTL_IGNORE_RESULT(ctl_tvs_check_request(&m, &d)); /* either answer; no crash */
		round_trip(&m);
	}
	memset(&m, 0, sizeof(m));
	if (ctl_tvs_parse_payload(data, size, &m, &d) == CTL_OK) {
		check_views(data, size, &m);
		round_trip(&m);
	} else if (d.offset > CTL_TVS_HDR_LEN + size) {
		__builtin_trap();
	}
	return 0;
}
