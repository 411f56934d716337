/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_tokenless.c through the dispatcher: SIGN_CTL (records, signer per
 * SIGNER, the publisher first, TVS left out, tokens as SAST, refusals),
 * PUT_CTL of a CTL the cluster's own key signed (accepted without
 * OVERRIDE over a token CTL; a stranger's refused) and the ITL that
 * follows it in mixed mode, ITL_RESET and GET_ITL, and GET_INFO's identity
 * certificates without duplicates.
 */
#include <stdio.h>
#include <string.h>
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
set(struct prov_config *c, const char *key, const char *val)
{
	char err[512];

	ck_assert_msg(prov_config_set(c, key, val, err, sizeof(err)) == 0, "%s", err);
}

/* The publisher: ccm1, tvs1, capf, itlrecovery (with key unless no_rec_key), itl = yes. */
static void
rig_init(struct rig *r, int no_rec_key)
{
	char err[1024];

	memset(r, 0, sizeof(*r));
	node_config(&r->cfg, tu_tmpdir());
	write_creds(r->cfg.credentials, "sha512");
	r->cfg.allow_set_mode = 1;
	set(&r->cfg, "tls_cert", tu_pki("ccm1.pem"));
	set(&r->cfg, "tls_key", tu_pki("ccm1.key"));
	set(&r->cfg, "itl", no_rec_key ? "no" : "yes");
	set(&r->cfg, "tvs_cert", tu_pki("tvs1.pem"));
	set(&r->cfg, "capf_cert", tu_pki("capf.pem"));
	set(&r->cfg, "itlrecovery_cert", tu_pki("itlrecovery.pem"));
	if (!no_rec_key)
		set(&r->cfg, "itlrecovery_key", tu_pki("itlrecovery.key"));
	ck_assert_msg(prov_config_finish(&r->cfg, err, sizeof(err)) == 0, "%s", err);
	r->srv.cfg = &r->cfg;
	ck_assert_int_eq(prov_auth_init(&r->srv.auth, &r->cfg), 0);
	ck_assert_int_eq(prov_store_init(&r->srv.store, &r->cfg), 0);
	ck_assert_msg(prov_sbd_init(&r->srv.sbd, &r->cfg, &r->srv.store, err, sizeof(err)) == 0,
	              "%s", err);
	ck_assert_uint_eq(prov_itl_rebuild(&r->srv.sbd, "test", err, sizeof(err)), CTL_PROV_OK);
	r->conn.srv = &r->srv;
	r->conn.tls.fd = -1;
	r->conn.authed = 1;
	snprintf(r->conn.user, sizeof(r->conn.user), "admin");
	snprintf(r->conn.peer, sizeof(r->conn.peer), "192.0.2.99:5000");
	snprintf(r->conn.peer_addr, sizeof(r->conn.peer_addr), "192.0.2.99");
	ctl_wr_init(&r->resp, CTL_PROV_HDR_LEN + CTL_PROV_MAX_BODY);
}

static void
rig_cleanup(struct rig *r)
{
	ctl_wr_cleanup(&r->resp);
	prov_sbd_cleanup(&r->srv.sbd);
	prov_store_cleanup(&r->srv.store);
	prov_auth_cleanup(&r->srv.auth);
	prov_config_cleanup(&r->cfg);
}

static void
rig_begin(struct rig *r, struct ctl_wr *req, uint8_t type)
{
	ctl_wr_init(req, CTL_PROV_HDR_LEN + CTL_PROV_MAX_BODY);
	ck_assert_int_eq(ctl_prov_begin(req, type, 0, ++r->id), CTL_OK);
}

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
	ctl_wr_cleanup(req);
	return r->out.status;
}

static void
assert_message(const struct rig *r, const char *want)
{
	const struct ctl_prov_item *it = ctl_prov_find(&r->out, CTL_PROV_T_MESSAGE);
	char got[1024];

	ck_assert_ptr_nonnull(it);
	snprintf(got, sizeof(got), "%.*s", (int)it->len, (const char *)it->val);
	ck_assert_str_eq(got, want);
}

/* CERT item: u16 role, DER of the PKI certificate name. */
static void
put_cert(struct ctl_wr *req, uint16_t role, const char *name)
{
	char f[64];
	size_t len = 0;
	uint8_t *der;

	snprintf(f, sizeof(f), "%s.der", name);
	der = tu_read(tu_pki(f), &len);
	ck_assert_int_eq(ctl_wr_u16be(req, CTL_PROV_T_CERT), CTL_OK);
	ck_assert_int_eq(ctl_wr_u32be(req, (uint32_t)(len + 2)), CTL_OK);
	ck_assert_int_eq(ctl_wr_u16be(req, role), CTL_OK);
	ck_assert_int_eq(ctl_wr_bytes(req, der, len), CTL_OK);
	free(der);
}

static void
put_node(struct ctl_wr *req, const char *host, uint8_t last)
{
	const uint8_t ip[4] = { 192, 0, 2, last };

	ck_assert_int_eq(ctl_prov_put_str(req, CTL_PROV_T_HOSTNAME, host), CTL_OK);
	ck_assert_int_eq(ctl_prov_put(req, CTL_PROV_T_IPV4, ip, 4), CTL_OK);
}

/* SIGN_CTL for node 2 (ccm2) listed before the publisher (ccm1, capf, tvs1), one token. */
static uint16_t
sign_ctl(struct rig *r, int signer, uint8_t mode)
{
	struct ctl_wr req;

	rig_begin(r, &req, CTL_PROV_SIGN_CTL);
	if (signer >= 0)
		ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_SIGNER, (uint8_t)signer), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_MODE, mode), CTL_OK);
	put_node(&req, "cucm-sub1.example.lab", 12);
	put_cert(&req, CTL_ROLE_CCM_TFTP, "ccm2");
	put_node(&req, "cucm-pub.example.lab", 11);
	put_cert(&req, CTL_ROLE_CCM_TFTP, "ccm1");
	put_cert(&req, CTL_ROLE_CAPF, "capf");
	put_cert(&req, CTL_ROLE_TVS, "tvs1");
	put_cert(&req, CTL_ROLE_SAST, "sast1");
	return rig_send(r, &req);
}

/* The PKI name of a DER certificate ("-" none, "?" unknown). */
static const char *
pki_name(const uint8_t *der, size_t n)
{
	static const char *const names[] = { "itlrecovery", "ccm1", "ccm2", "capf", "tvs1", "sast1" };
	char f[64];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t len = 0;
		uint8_t *b;
		int same;

		snprintf(f, sizeof(f), "%s.der", names[i]);
		b = tu_read(tu_pki(f), &len);
		same = len == n && memcmp(b, der, n) == 0;
		free(b);
		if (same)
			return names[i];
	}
	return n == 0 ? "-" : "?";
}

/* "ROLE:NAME ..." of a trust list in p[0..n), and its signer. */
static void
records(const uint8_t *p, size_t n, char *list, size_t cap, const char **signer)
{
	struct ctl_verify_result vr;
	struct ctl_file *f;
	struct ctl_diag d;
	size_t i, used = 0;

	ck_assert_msg(ctl_file_parse(p, n, 0, &f, &d) == CTL_OK, "%s", d.msg);
	ck_assert_msg(ctl_file_verify(f, &vr) == CTL_OK, "%s", vr.reason);
	list[0] = '\0';
	for (i = 0; i < ctl_file_nrecords(f); i++) {
		const struct ctl_record *rec = ctl_file_record(f, i);

		used += (size_t)snprintf(list + used, cap - used, "%s%u:%s", i ? " " : "", rec->role,
		                         pki_name(rec->cert.p, rec->cert.len));
	}
	*signer = pki_name(ctl_file_record(f, (size_t)vr.signer_index)->cert.p,
	                   ctl_file_record(f, (size_t)vr.signer_index)->cert.len);
	ctl_file_free(f);
}

static void
md5_matches(const struct rig *r, uint16_t file_tag)
{
	const struct ctl_prov_item *f = ctl_prov_find(&r->out, file_tag);
	const struct ctl_prov_item *m = ctl_prov_find(&r->out, CTL_PROV_T_MD5);
	struct ctl_sums sums;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(ctl_checksums(f->val, f->len, &sums), CTL_OK);
	ck_assert_uint_eq(m->len, 32);
	ck_assert_mem_eq(m->val, sums.md5, 32);
}

START_TEST(sign_ctl_12x_and_10x)
{
	const struct ctl_prov_item *f;
	const char *signer;
	char list[512];
	struct rig r;

	rig_init(&r, 0);
	ck_assert_uint_eq(sign_ctl(&r, 0, 1), CTL_PROV_OK);
	md5_matches(&r, CTL_PROV_T_CTL_FILE);
	f = ctl_prov_find(&r.out, CTL_PROV_T_CTL_FILE);
	records(f->val, f->len, list, sizeof(list), &signer);
	ck_assert_msg(strncmp(list, "0:itlrecovery 0:ccm1 2:ccm1", 27) == 0, "%s", list);
	ck_assert_msg(strstr(list, "2:ccm2") != NULL && strstr(list, "4:capf") != NULL &&
	              strstr(list, "0:sast1") != NULL && strstr(list, "21:") == NULL, "%s", list);
	ck_assert_str_eq(signer, "itlrecovery");
	/* SIGNER 1: the same records, CallManager signs (10.x, reset localkey). */
	ck_assert_uint_eq(sign_ctl(&r, 1, 1), CTL_PROV_OK);
	f = ctl_prov_find(&r.out, CTL_PROV_T_CTL_FILE);
	records(f->val, f->len, list, sizeof(list), &signer);
	ck_assert_str_eq(signer, "ccm1");
	/* No SIGNER: ctl_layout decides (10x: CallManager). */
	r.cfg.ctl_layout = CTL_TL_SIGN_CALLMANAGER;
	ck_assert_uint_eq(sign_ctl(&r, -1, 1), CTL_PROV_OK);
	f = ctl_prov_find(&r.out, CTL_PROV_T_CTL_FILE);
	records(f->val, f->len, list, sizeof(list), &signer);
	ck_assert_str_eq(signer, "ccm1");
	rig_cleanup(&r);
}
END_TEST

START_TEST(sign_ctl_refusals)
{
	struct ctl_wr req;
	struct rig r;

	rig_init(&r, 1);
	ck_assert_uint_eq(sign_ctl(&r, 0, 1), CTL_PROV_UNSUPPORTED);
	assert_message(&r, "this node has no ITLRecovery key (itlrecovery_key); it cannot sign a "
	               "tokenless CTL");
	rig_begin(&r, &req, CTL_PROV_SIGN_CTL);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_MODE, 1), CTL_OK);
	put_cert(&req, CTL_ROLE_CCM_TFTP, "ccm1");
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_BAD_REQUEST);
	assert_message(&r, "CERT (role 2) before any HOSTNAME");
	rig_begin(&r, &req, CTL_PROV_SIGN_CTL);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_SIGNER, 1), CTL_OK);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_MODE, 1), CTL_OK);
	put_node(&req, "cucm-sub1.example.lab", 12);
	put_cert(&req, CTL_ROLE_CCM_TFTP, "ccm2");
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_BAD_REQUEST);
	assert_message(&r, "this node's CallManager certificate is not among the nodes listed; "
	               "SIGN_CTL goes to the publisher");
	rig_begin(&r, &req, CTL_PROV_SIGN_CTL);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_MODE, 2), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_BAD_REQUEST);
	rig_cleanup(&r);
}
END_TEST

static uint16_t
put_ctl(struct rig *r, const uint8_t *p, size_t n)
{
	struct ctl_wr req;

	rig_begin(r, &req, CTL_PROV_PUT_CTL);
	ck_assert_int_eq(ctl_prov_put(&req, CTL_PROV_T_CTL_FILE, p, n), CTL_OK);
	return rig_send(r, &req);
}

/* A token CTL installed; the tokenless one the node signed replaces it without OVERRIDE. */
START_TEST(put_ctl_own_key)
{
	const struct ctl_prov_item *f;
	const char *signer;
	char list[512], msg[256];
	uint8_t *tok, *own, *stranger;
	size_t lt = 0, lo = 0, ls = 0;
	struct rig r;

	rig_init(&r, 0);
	tok = make_ctl("sast1", "sast1", 0, &lt);
	ck_assert_uint_eq(put_ctl(&r, tok, lt), CTL_PROV_OK);
	stranger = make_ctl("rogue", "rogue", 0, &ls); /* neither an installed SAST nor ours */
	ck_assert_uint_eq(put_ctl(&r, stranger, ls), CTL_PROV_CTL_NOT_TRUSTED);
	ck_assert_uint_eq(prov_store_set_mode(&r.srv.store, 1, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(sign_ctl(&r, 0, 1), CTL_PROV_OK);
	f = ctl_prov_find(&r.out, CTL_PROV_T_CTL_FILE);
	lo = f->len;
	own = malloc(lo);
	memcpy(own, f->val, lo);
	ck_assert_uint_eq(put_ctl(&r, own, lo), CTL_PROV_OK);
	ck_assert(same_file(r.srv.store.ctl_path, own, lo));
	/* Mixed mode: the ITL was rebuilt with CallManager as CCM+TFTP. */
	{
		size_t n = 0;
		uint8_t *itl = tu_read(r.srv.sbd.itl_path, &n);

		records(itl, n, list, sizeof(list), &signer);
		ck_assert_msg(strstr(list, "2:ccm1") != NULL, "%s", list);
		free(itl);
	}
	free(tok);
	free(own);
	free(stranger);
	rig_cleanup(&r);
}
END_TEST

START_TEST(itl_reset_and_get_itl)
{
	const struct ctl_prov_item *f, *len;
	const char *signer;
	char list[512];
	struct ctl_wr req;
	struct rig r;

	rig_init(&r, 0);
	rig_begin(&r, &req, CTL_PROV_ITL_RESET);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_ITL_ACTION, 1), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	len = ctl_prov_find(&r.out, CTL_PROV_T_LENGTH);
	ck_assert_ptr_nonnull(len);
	rig_begin(&r, &req, CTL_PROV_GET_ITL);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	md5_matches(&r, CTL_PROV_T_ITL_FILE);
	f = ctl_prov_find(&r.out, CTL_PROV_T_ITL_FILE);
	ck_assert(same_file(r.srv.sbd.itl_path, f->val, f->len));
	records(f->val, f->len, list, sizeof(list), &signer);
	ck_assert_str_eq(list, "0:ccm1");
	/* remotekey without the remote pair: refused, the reset ITL stays. */
	rig_begin(&r, &req, CTL_PROV_ITL_RESET);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_ITL_ACTION, 2), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_UNSUPPORTED);
	ck_assert_uint_eq(r.srv.sbd.reset, 1);
	rig_begin(&r, &req, CTL_PROV_ITL_RESET);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_ITL_ACTION, 0), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	rig_begin(&r, &req, CTL_PROV_GET_ITL);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	f = ctl_prov_find(&r.out, CTL_PROV_T_ITL_FILE);
	records(f->val, f->len, list, sizeof(list), &signer);
	ck_assert_str_eq(signer, "itlrecovery");
	rig_begin(&r, &req, CTL_PROV_ITL_RESET);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_ITL_ACTION, 3), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_BAD_REQUEST);
	rig_cleanup(&r);
	/* A node without an ITL. */
	rig_init(&r, 1);
	rig_begin(&r, &req, CTL_PROV_GET_ITL);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_NOT_FOUND);
	rig_begin(&r, &req, CTL_PROV_ITL_RESET);
	ck_assert_int_eq(ctl_prov_put_u8(&req, CTL_PROV_T_ITL_ACTION, 1), CTL_OK);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_UNSUPPORTED);
	assert_message(&r, "this node serves no ITL (itl = no)");
	rig_cleanup(&r);
}
END_TEST

/* GET_INFO: identity certificates once each; a `cert =` line for the same certificate wins. */
START_TEST(get_info_identity)
{
	char v[PROV_PATH_MAX + 16], err[512];
	struct ctl_wr req;
	struct rig r;
	char got[256];
	size_t i, used = 0;

	rig_init(&r, 0);
	snprintf(v, sizeof(v), "ccm:%s", tu_pki("ccm1.pem"));
	set(&r.cfg, "cert", v);
	ck_assert_int_eq(prov_config_finish(&r.cfg, err, sizeof(err)), 0);
	rig_begin(&r, &req, CTL_PROV_GET_INFO);
	ck_assert_uint_eq(rig_send(&r, &req), CTL_PROV_OK);
	got[0] = '\0';
	for (i = 0; i < r.out.nitems; i++) {
		const struct ctl_prov_item *it = &r.out.items[i];

		if (it->tag != CTL_PROV_T_CERT)
			continue;
		used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%u:%s", used ? " " : "",
		                         (unsigned)(it->val[0] << 8 | it->val[1]),
		                         pki_name(it->val + 2, it->len - 2));
	}
	ck_assert_str_eq(got, "1:ccm1 21:tvs1 4:capf");
	rig_cleanup(&r);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_tokenless");
	TCase *tc = tcase_create("tokenless");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sign_ctl_12x_and_10x);
	tcase_add_test(tc, sign_ctl_refusals);
	tcase_add_test(tc, put_ctl_own_key);
	tcase_add_test(tc, itl_reset_and_get_itl);
	tcase_add_test(tc, get_info_identity);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
