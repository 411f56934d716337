/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_handlers.c: request dispatch without sockets, its login gate,
 * statuses and MESSAGE items, the OVERRIDE and SET_MODE switches, and the
 * cap on requests before a login.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctl/ctl.h>
#include <ctl/prov.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

struct rig {
	struct prov_config cfg;
	struct prov_server srv;
	struct prov_conn conn;
	struct ctl_wr resp;
	struct ctl_prov_msg out;
	uint32_t id;
};

static void
rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	node_config(&r->cfg, tu_tmpdir());
	write_creds(r->cfg.credentials, "sha512");
	r->cfg.allow_set_mode = 1;
	r->srv.cfg = &r->cfg;
	ck_assert_int_eq(prov_auth_init(&r->srv.auth, &r->cfg), 0);
	ck_assert_int_eq(prov_store_init(&r->srv.store, &r->cfg), 0);
	r->conn.srv = &r->srv;
	r->conn.tls.fd = -1;
	snprintf(r->conn.peer, sizeof(r->conn.peer), "192.0.2.99:5000");
	snprintf(r->conn.peer_addr, sizeof(r->conn.peer_addr), "192.0.2.99");
	ctl_wr_init(&r->resp, CTL_PROV_HDR_LEN + CTL_PROV_MAX_BODY);
}

static void
rig_cleanup(struct rig *r)
{
	ctl_wr_cleanup(&r->resp);
	prov_store_cleanup(&r->srv.store);
	prov_auth_cleanup(&r->srv.auth);
}

/* Dispatches a request built in req (begun, items added) and parses the response. */
static uint16_t
rig_send(struct rig *r, struct ctl_wr *req)
{
	struct ctl_prov_msg m;
	struct ctl_diag d;

	ck_assert_int_eq(ctl_prov_end(req), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_header(req->buf, req->len, &m, &d), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_body(req->buf + 16, m.body_len, &m, &d), CTL_OK);
	ctl_wr_reset(&r->resp);
	prov_dispatch(&r->conn, &m, &r->resp);
	ck_assert_int_eq(ctl_prov_parse_header(r->resp.buf, r->resp.len, &r->out, &d), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_body(r->resp.buf + 16, r->out.body_len, &r->out, &d), CTL_OK);
	ck_assert_uint_eq(r->out.type, m.type | CTL_PROV_RESPONSE);
	ck_assert_uint_eq(r->out.id, m.id);
	ctl_wr_cleanup(req);
	return r->out.status;
}

static void
rig_begin(struct rig *r, struct ctl_wr *req, uint8_t type)
{
	ctl_wr_init(req, CTL_PROV_HDR_LEN + CTL_PROV_MAX_BODY);
	ck_assert_int_eq(ctl_prov_begin(req, type, 0, ++r->id), CTL_OK);
}

static void
assert_message(const struct rig *r, const char *want)
{
	const struct ctl_prov_item *it = ctl_prov_find(&r->out, CTL_PROV_T_MESSAGE);

	ck_assert_ptr_nonnull(it);
	ck_assert_int_eq((int)it->len, (int)strlen(want));
	ck_assert_mem_eq(it->val, want, it->len);
}

static uint16_t
rig_login(struct rig *r, const char *user, const char *pw)
{
	struct ctl_wr req;

	rig_begin(r, &req, CTL_PROV_LOGIN);
	if (user != NULL)
		ck_assert_int_eq(ctl_prov_put_str(&req, CTL_PROV_T_USER, user), CTL_OK);
	if (pw != NULL)
		ck_assert_int_eq(ctl_prov_put_str(&req, CTL_PROV_T_PASSWORD, pw), CTL_OK);
	return rig_send(r, &req);
}

START_TEST(dispatch_login_gate)
{
	struct rig r;
	struct ctl_wr req;
	uint8_t t;

	rig_init(&r);
	for (t = CTL_PROV_GET_INFO; t <= CTL_PROV_GET_STATUS; t++) {
		rig_begin(&r, &req, t);
		ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_AUTH_REQUIRED);
		ck_assert_ptr_nonnull(ctl_prov_find(&r.out, CTL_PROV_T_MESSAGE));
	}
	ck_assert_uint_eq(rig_login(&r, "admin", NULL), CTL_PROV_BAD_REQUEST);
	assert_message(&r, "LOGIN needs USER and PASSWORD");
	ck_assert_uint_eq(rig_login(&r, "admin", "wrong"), CTL_PROV_AUTH_FAILED);
	assert_message(&r, "unknown user or wrong password");
	ck_assert_uint_eq(rig_login(&r, "nobody", "secret"), CTL_PROV_AUTH_FAILED);
	assert_message(&r, "unknown user or wrong password");
	ck_assert_int_eq(r.conn.authed, 0);
	ck_assert_uint_eq(rig_login(&r, "admin", "secret"), CTL_PROV_OK);
	ck_assert_int_eq(r.conn.authed, 1);
	ck_assert_uint_eq(r.out.nitems, 0);
	/* A failed re-login logs the connection out. */
	ck_assert_uint_eq(rig_login(&r, "admin", "wrong"), CTL_PROV_AUTH_FAILED);
	ck_assert_int_eq(r.conn.authed, 0);
	ck_assert_uint_eq(rig_login(&r, "admin", "wrong"), CTL_PROV_AUTH_FAILED);
	ck_assert_uint_eq(rig_login(&r, "admin", "wrong"), CTL_PROV_AUTH_FAILED);
	/* Three failures since the last success: throttled, even with the password. */
	ck_assert_uint_eq(rig_login(&r, "admin", "secret"), CTL_PROV_THROTTLED);
	ck_assert_ptr_nonnull(ctl_prov_find(&r.out, CTL_PROV_T_MESSAGE));
	rig_cleanup(&r);
}
END_TEST

START_TEST(dispatch_requests)
{
	struct rig r;
	struct ctl_wr req;
	const struct ctl_prov_item *it;
	size_t la;
	uint8_t *a = make_ctl("sast1", "sast1", 0, &la);

	rig_init(&r);
	ck_assert_uint_eq(rig_login(&r, "admin", "secret"), CTL_PROV_OK);
	rig_begin(&r, &req, 0x42);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_UNSUPPORTED);
	assert_message(&r, "unknown request type 0x42");
	rig_begin(&r, &req, CTL_PROV_GET_STATUS | CTL_PROV_RESPONSE);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_UNSUPPORTED);

	rig_begin(&r, &req, CTL_PROV_GET_STATUS);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	ck_assert_ptr_nonnull(ctl_prov_find(&r.out, CTL_PROV_T_HOSTNAME));
	ck_assert_ptr_null(ctl_prov_find(&r.out, CTL_PROV_T_MD5));

	rig_begin(&r, &req, CTL_PROV_PUT_CTL);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_BAD_REQUEST);
	assert_message(&r, "PUT_CTL needs a CTL_FILE item");
	rig_begin(&r, &req, CTL_PROV_PUT_CTL);
	ck_assert_int_eq(ctl_prov_put(&req, CTL_PROV_T_CTL_FILE, a, la), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_OVERRIDE, 2), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_BAD_REQUEST);
	assert_message(&r, "OVERRIDE must be the single byte 01");
	rig_begin(&r, &req, CTL_PROV_PUT_CTL);
	ck_assert_int_eq(ctl_prov_put(&req, CTL_PROV_T_CTL_FILE, a, la), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	ck_assert_ptr_nonnull(ctl_prov_find(&r.out, CTL_PROV_T_MD5));
	it = ctl_prov_find(&r.out, CTL_PROV_T_LENGTH);
	ck_assert_ptr_nonnull(it);
	ck_assert_uint_eq(it->len, 4);

	rig_begin(&r, &req, CTL_PROV_GET_CTL);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	it = ctl_prov_find(&r.out, CTL_PROV_T_CTL_FILE);
	ck_assert_ptr_nonnull(it);
	ck_assert_uint_eq(it->len, la);
	ck_assert_mem_eq(it->val, a, la);

	rig_begin(&r, &req, CTL_PROV_SET_MODE);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_MODE, 2), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_BAD_REQUEST);
	rig_begin(&r, &req, CTL_PROV_SET_MODE);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_MODE, 1), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	it = ctl_prov_find(&r.out, CTL_PROV_T_MODE);
	ck_assert_uint_eq(it->val[0], 1);

	rig_begin(&r, &req, CTL_PROV_GET_INFO);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	it = ctl_prov_find(&r.out, CTL_PROV_T_IPV4);
	ck_assert_mem_eq(it->val, "\xc0\x00\x02\x0b", 4);
	it = ctl_prov_find(&r.out, CTL_PROV_T_MODE);
	ck_assert_uint_eq(it->val[0], 1);

	rig_begin(&r, &req, CTL_PROV_BYE);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	ck_assert_int_eq(r.conn.closing, 1);
	rig_cleanup(&r);
	free(a);
}
END_TEST

START_TEST(dispatch_nonzero_status)
{
	struct rig r;
	struct ctl_wr req;

	rig_init(&r);
	ctl_wr_init(&req, 4096);
	ck_assert_int_eq(ctl_prov_begin(&req, CTL_PROV_BYE, 3, 77), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_BAD_REQUEST);
	assert_message(&r, "a request carries status 0, not 3");
	ck_assert_int_eq(r.conn.closing, 0);
	rig_cleanup(&r);
}
END_TEST

START_TEST(dispatch_override_and_mode_gated)
{
	struct rig r;
	struct ctl_wr req;
	size_t la, lr;
	uint8_t *a = make_ctl("sast1", "sast1", 0, &la), *ro = make_ctl("rogue", "rogue", 0, &lr);

	rig_init(&r);
	r.cfg.allow_set_mode = 0;
	ck_assert_uint_eq(rig_login(&r, "admin", "secret"), CTL_PROV_OK);
	rig_begin(&r, &req, CTL_PROV_PUT_CTL);
	ck_assert_int_eq(ctl_prov_put(&req, CTL_PROV_T_CTL_FILE, a, la), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	rig_begin(&r, &req, CTL_PROV_PUT_CTL);
	ck_assert_int_eq(ctl_prov_put(&req, CTL_PROV_T_CTL_FILE, ro, lr), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_OVERRIDE, 1), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_UNSUPPORTED);
	assert_message(&r, "OVERRIDE is disabled on this node (allow_override = no); the installed "
	               "CTL is unchanged");
	ck_assert_msg(same_file(r.srv.store.ctl_path, a, la), "unchanged");
	rig_begin(&r, &req, CTL_PROV_SET_MODE);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_MODE, 1), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_UNSUPPORTED);
	assert_message(&r, "SET_MODE is disabled on this node (allow_set_mode = no); the security "
	               "mode is unchanged");
	ck_assert_uint_eq(prov_store_mode(&r.srv.store), 0);
	ck_assert_int_ne(access(r.cfg.mode_file, F_OK), 0);
	/* Enabled: both work. */
	r.cfg.allow_override = 1;
	r.cfg.allow_set_mode = 1;
	rig_begin(&r, &req, CTL_PROV_PUT_CTL);
	ck_assert_int_eq(ctl_prov_put(&req, CTL_PROV_T_CTL_FILE, ro, lr), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_OVERRIDE, 1), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	ck_assert_msg(same_file(r.srv.store.ctl_path, ro, lr), "override installed");
	rig_begin(&r, &req, CTL_PROV_SET_MODE);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_MODE, 1), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	ck_assert_uint_eq(prov_store_mode(&r.srv.store), 1);
	rig_cleanup(&r);
	free(a);
	free(ro);
}
END_TEST

/* Requests without a login: max_unauth_requests answers, then the connection closes. */
START_TEST(dispatch_unauth_request_cap)
{
	struct rig r;
	struct ctl_wr req;
	int i;

	rig_init(&r);
	r.cfg.max_unauth_requests = 3;
	for (i = 0; i < 2; i++) {
		rig_begin(&r, &req, CTL_PROV_GET_STATUS);
		ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_AUTH_REQUIRED);
		ck_assert_int_eq(r.conn.closing, 0);
	}
	ck_assert_uint_eq(rig_login(&r, "admin", "wrong"), CTL_PROV_AUTH_FAILED);
	ck_assert_int_eq(r.conn.closing, 1);
	/* Logged in, requests are not counted. */
	rig_cleanup(&r);
	rig_init(&r);
	r.cfg.max_unauth_requests = 2;
	ck_assert_uint_eq(rig_login(&r, "admin", "secret"), CTL_PROV_OK);
	for (i = 0; i < 5; i++) {
		rig_begin(&r, &req, CTL_PROV_GET_STATUS);
		ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	}
	ck_assert_int_eq(r.conn.closing, 0);
	rig_cleanup(&r);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_handlers");
	TCase *tc;

	tc = tcase_create("dispatch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dispatch_login_gate);
	tcase_add_test(tc, dispatch_requests);
	tcase_add_test(tc, dispatch_nonzero_status);
	tcase_add_test(tc, dispatch_override_and_mode_gated);
	tcase_add_test(tc, dispatch_unauth_request_cap);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
