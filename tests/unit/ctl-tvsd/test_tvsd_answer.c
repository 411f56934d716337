/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tvsd_answer.c: VERIFY and QUERY answers through libctl's codec: status,
 * roles and TTL for a known certificate (and its DER for QUERY), status 1
 * alone for an unknown one, the session echoed, the element order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tvsd.h"

static struct tvsd_config cfg;
static struct tvsd_store *store;

static void
setup(void)
{
	char val[2048], err[1024];

	tvsd_config_defaults(&cfg);
	snprintf(val, sizeof(val), "sast,ccm-tftp:%s", tu_pki("ccm1.pem"));
	ck_assert_int_eq(tvsd_config_set(&cfg, "cert", val, NULL, err, sizeof(err)), 0);
	snprintf(val, sizeof(val), "sast,tftp:%s", tu_pki("sast1.pem"));
	ck_assert_int_eq(tvsd_config_set(&cfg, "cert", val, NULL, err, sizeof(err)), 0);
	ck_assert_msg(tvsd_store_load(&cfg, &store, err, sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	tvsd_store_free(store);
	store = NULL;
}

/* Parses req (a whole message), answers it with ttl, parses the answer into res. */
static struct ctl_wr
answer(struct ctl_wr *req, unsigned ttl, struct ctl_tvs_msg *res, const struct tvsd_entry **found)
{
	struct ctl_tvs_msg m;
	struct ctl_diag d;
	struct ctl_wr resp;
	struct tvsd_outcome o;

	ck_assert_int_eq(ctl_tvs_end(req), CTL_OK);
	ck_assert_msg(ctl_tvs_parse(req->buf, req->len, &m, &d) == CTL_OK, "%s", d.msg);
	ck_assert_int_eq(ctl_tvs_check_request(&m, &d), CTL_OK);
	ctl_wr_init(&resp, CTL_TVS_HDR_LEN + CTL_TVS_MAX_PAYLOAD);
	ck_assert_int_eq(tvsd_answer(store, ttl, &m, &resp, &o), CTL_OK);
	ck_assert_msg(ctl_tvs_parse(resp.buf, resp.len, res, &d) == CTL_OK, "%s", d.msg);
	*found = o.found;
	return resp;
}

static void
verify_req(struct ctl_wr *wr, const char *der_name, uint32_t session)
{
	size_t n;
	uint8_t *der = tu_read(tu_pki(der_name), &n);

	ctl_wr_init(wr, 1u << 17);
	ck_assert_int_eq(ctl_tvs_begin(wr, CTL_TVS_VERIFY_REQ, session), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_device(wr, "CP-8861-SEP001122334455"), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put(wr, CTL_TVS_T_CERT, der, n), CTL_OK);
	free(der);
}

static void
query_req(struct ctl_wr *wr, const char *issuer, const uint8_t *serial, size_t n)
{
	ctl_wr_init(wr, 1u << 17);
	ck_assert_int_eq(ctl_tvs_begin(wr, CTL_TVS_QUERY_REQ, 0x3ea), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_device(wr, "CP-7975-SEP00AABBCCDDEE"), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_cstr(wr, CTL_TVS_T_SUBJECT, "CN=SAST-ADN4e31f914;OU=IPCBU;O=Cisco Systems"), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put_cstr(wr, CTL_TVS_T_ISSUER, issuer), CTL_OK);
	ck_assert_int_eq(ctl_tvs_put(wr, CTL_TVS_T_SERIAL, serial, n), CTL_OK);
}

START_TEST(verify_known)
{
	struct ctl_wr req, resp;
	struct ctl_tvs_msg r;
	const struct tvsd_entry *e;

	verify_req(&req, "ccm1.der", 0x3e9);
	resp = answer(&req, 86400, &r, &e);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(r.cmd, CTL_TVS_VERIFY_RES);
	ck_assert_uint_eq(r.session, 0x3e9);
	ck_assert_int_eq(r.has_status, 1);
	ck_assert_uint_eq(r.status, CTL_TVS_VALID);
	ck_assert_uint_eq(r.nroles, 2);
	ck_assert_uint_eq(r.roles[0], CTL_ROLE_SAST);
	ck_assert_uint_eq(r.roles[1], CTL_ROLE_CCM_TFTP);
	ck_assert_int_eq(r.has_ttl, 1);
	ck_assert_uint_eq(r.ttl, 86400);
	ck_assert_uint_eq(r.cert_len, 0);
	/* status, roles, TTL: 4 + 5 + 7 bytes, in that order. */
	ck_assert_uint_eq(resp.len, 10 + 16);
	ck_assert_uint_eq(resp.buf[10], CTL_TVS_T_STATUS);
	ck_assert_uint_eq(resp.buf[14], CTL_TVS_T_ROLES);
	ck_assert_uint_eq(resp.buf[19], CTL_TVS_T_TTL);
	ctl_wr_cleanup(&req);
	ctl_wr_cleanup(&resp);
}
END_TEST

START_TEST(verify_unknown_is_status_alone)
{
	static const uint8_t want[] = { 0x57, 0x01, 0x02, 0x00, 0x00, 0x00, 0x03, 0xe9,
	                                0x00, 0x04, 0x07, 0x00, 0x01, 0x01 };
	struct ctl_wr req, resp;
	struct ctl_tvs_msg r;
	const struct tvsd_entry *e;

	verify_req(&req, "ccm2.der", 0x3e9);
	resp = answer(&req, 86400, &r, &e);
	ck_assert_ptr_null(e);
	ck_assert_uint_eq(resp.len, sizeof(want));
	ck_assert_mem_eq(resp.buf, want, sizeof(want));
	ctl_wr_cleanup(&req);
	ctl_wr_cleanup(&resp);
}
END_TEST

START_TEST(query_known_returns_the_der)
{
	static const uint8_t serial[] = { 0x4e, 0x31, 0xf9, 0x14 };
	struct ctl_wr req, resp;
	struct ctl_tvs_msg r;
	const struct tvsd_entry *e;
	size_t n;
	uint8_t *der = tu_read(tu_pki("sast1.der"), &n);

	query_req(&req, "CN=Cisco Manufacturing CA;O=Cisco Systems", serial, sizeof(serial));
	resp = answer(&req, 3600, &r, &e);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(r.cmd, CTL_TVS_QUERY_RES);
	ck_assert_uint_eq(r.session, 0x3ea);
	ck_assert_uint_eq(r.status, CTL_TVS_VALID);
	ck_assert_uint_eq(r.cert_len, n);
	ck_assert_mem_eq(r.cert, der, n);
	ck_assert_uint_eq(r.nroles, 2);
	ck_assert_uint_eq(r.roles[0], CTL_ROLE_SAST);
	ck_assert_uint_eq(r.roles[1], CTL_ROLE_TFTP);
	ck_assert_uint_eq(r.ttl, 3600);
	/* status, then the certificate right after it, then roles and TTL. */
	ck_assert_uint_eq(resp.buf[10], CTL_TVS_T_STATUS);
	ck_assert_uint_eq(resp.buf[14], CTL_TVS_T_CERT);
	ck_assert_uint_eq(resp.buf[17 + n], CTL_TVS_T_ROLES);
	ck_assert_uint_eq(resp.buf[17 + n + 5], CTL_TVS_T_TTL);
	ck_assert_uint_eq(resp.len, 10 + 4 + 3 + n + 5 + 7);
	free(der);
	ctl_wr_cleanup(&req);
	ctl_wr_cleanup(&resp);
}
END_TEST

START_TEST(query_unknown_is_status_alone)
{
	static const uint8_t serial[] = { 0x4e, 0x31, 0xf9, 0x15 };
	struct ctl_wr req, resp;
	struct ctl_tvs_msg r;
	const struct tvsd_entry *e;

	query_req(&req, "CN=Cisco Manufacturing CA,O=Cisco Systems", serial, sizeof(serial));
	resp = answer(&req, 86400, &r, &e);
	ck_assert_ptr_null(e);
	ck_assert_uint_eq(r.cmd, CTL_TVS_QUERY_RES);
	ck_assert_uint_eq(r.status, CTL_TVS_UNKNOWN);
	ck_assert_int_eq(r.has_roles, 0);
	ck_assert_int_eq(r.has_ttl, 0);
	ck_assert_uint_eq(r.cert_len, 0);
	ck_assert_uint_eq(r.payload_len, 4);
	ctl_wr_cleanup(&req);
	ctl_wr_cleanup(&resp);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tvsd_answer");
	TCase *tc = tcase_create("answer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, verify_known);
	tcase_add_test(tc, verify_unknown_is_status_alone);
	tcase_add_test(tc, query_known_returns_the_der);
	tcase_add_test(tc, query_unknown_is_status_alone);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
