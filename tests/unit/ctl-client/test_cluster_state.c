/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cluster commands' per-server decisions, without the network
 * (ctl-client/cluster_state.c): nodes from --server, the identity of a
 * server against pins, an earlier yes and known_hosts (pinned, known,
 * changed, known under another name, first contact), a response's items
 * taken into the node (hostile text, bad certificate items, missing host
 * name, md5 mismatch), the worst exit status, and the --retry-failed state
 * file written and read back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "cluster.h"
#include "testutil.h"

static const struct cmd cmd_fake = { "update", "", "", NULL };
static const struct cmd cmd_other = { "mixed-mode", "", "", NULL };
static uint8_t fp_a[PROV_FP_LEN], fp_b[PROV_FP_LEN];

/* A cluster with the given servers, an empty known_hosts in a fresh config directory. */
static void
setup(struct cluster *cl, const char *const *servers, size_t n)
{
	char err[600] = "";
	size_t i;

	for (i = 0; i < PROV_FP_LEN; i++) {
		fp_a[i] = (uint8_t)i;
		fp_b[i] = (uint8_t)(0xff - i);
	}
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", tu_tmpdir(), 1), 0);
	memset(cl, 0, sizeof(*cl));
	pthread_mutex_init(&cl->lock, NULL);
	cl->cmd = &cmd_fake;
	cl->o.user = "admin";
	for (i = 0; i < n; i++)
		ck_assert_int_eq(cl_node_add(cl, servers[i]), EXIT_OK);
	ck_assert_msg(prov_known_load(&cl->known, err, sizeof(err)) == 0, "%s", err);
}

static void
record(struct cluster *cl, const char *name, const uint8_t *fp)
{
	const char *names[1] = { name };
	char err[600] = "";

	ck_assert_msg(prov_known_record(&cl->known, names, 1, fp, err, sizeof(err)) == 0, "%s", err);
}

static void
assert_failed(const struct cl_node *nd, int rc, const char *part)
{
	ck_assert_int_eq(nd->failed, 1);
	ck_assert_int_eq(nd->rc, rc);
	ck_assert_msg(strstr(nd->err, part) != NULL, "'%s' not in '%s'", part, nd->err);
}

/* ---- nodes -------------------------------------------------------- */

START_TEST(nodes_from_servers)
{
	const char *s[] = { "cucm-pub", "cucm-sub1:2445" };
	struct cluster cl;
	size_t i;
	char name[32];

	setup(&cl, s, 2);
	ck_assert_uint_eq(cl.n, 2);
	ck_assert_str_eq(cl.nodes[0].t.name, "cucm-pub:2444");
	ck_assert_str_eq(cl.nodes[1].t.name, "cucm-sub1:2445");
	ck_assert_int_eq(cl.nodes[0].mode, -1);
	ck_assert_int_eq(cl.nodes[0].mode_after, -1);
	ck_assert_int_eq(cl_node_add(&cl, "cucm-pub:2444"), EXIT_USAGE); /* given twice */
	ck_assert_uint_eq(cl.n, 2);
	for (i = cl.n; i < CL_MAX_SERVERS; i++) {
		snprintf(name, sizeof(name), "node%zu", i);
		ck_assert_int_eq(cl_node_add(&cl, name), EXIT_OK);
	}
	ck_assert_int_eq(cl_node_add(&cl, "one-too-many"), EXIT_USAGE);
	ck_assert_uint_eq(cl.n, CL_MAX_SERVERS);
	cl_cleanup(&cl);
}
END_TEST

START_TEST(worst_exit_status)
{
	const char *s[] = { "a", "b", "c" };
	struct cluster cl;

	setup(&cl, s, 3);
	ck_assert_int_eq(cl_first_failure(&cl), EXIT_OK);
	cl_node_fail(&cl.nodes[0], EXIT_NETWORK, "skipped node %d", 0);
	cl.nodes[0].skip = 1; /* done earlier (--retry-failed): not counted */
	ck_assert_int_eq(cl_first_failure(&cl), EXIT_OK);
	cl_node_fail(&cl.nodes[2], EXIT_IDENTITY, "unknown");
	cl_node_fail(&cl.nodes[1], EXIT_FAIL, "refused");
	ck_assert_int_eq(cl_first_failure(&cl), EXIT_FAIL);
	cl_node_begin(&cl.nodes[1]);
	ck_assert_int_eq(cl.nodes[1].failed, 0);
	ck_assert_str_eq(cl.nodes[1].err, "");
	ck_assert_int_eq(cl_first_failure(&cl), EXIT_IDENTITY);
	cl_cleanup(&cl);
}
END_TEST

/* ---- identity ----------------------------------------------------- */

START_TEST(identity_pinned)
{
	const char *s[] = { "cucm-pub" };
	struct cluster cl;
	struct cl_node *nd;

	setup(&cl, s, 1);
	nd = &cl.nodes[0];
	nd->has_pin = 1;
	memcpy(nd->pin, fp_a, PROV_FP_LEN);
	memcpy(nd->fp, fp_a, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), 0);
	ck_assert_int_eq(nd->fp_record, 1);
	ck_assert_int_eq(nd->failed, 0);
	/* A pin wins over known_hosts, and a different certificate is refused. */
	record(&cl, "cucm-pub:2444", fp_b);
	memcpy(nd->fp, fp_b, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), -1);
	assert_failed(nd, EXIT_FAIL, "SERVER CERTIFICATE CHANGED");
	ck_assert(strstr(nd->err, "--fingerprint pins") != NULL);
	ck_assert_int_eq(nd->fp_record, 0);
	cl_cleanup(&cl);
}
END_TEST

START_TEST(identity_known_and_changed)
{
	const char *s[] = { "cucm-pub" };
	struct cluster cl;
	struct cl_node *nd;

	setup(&cl, s, 1);
	nd = &cl.nodes[0];
	record(&cl, "cucm-pub:2444", fp_a);
	memcpy(nd->fp, fp_a, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), 0);
	ck_assert_int_eq(nd->fp_record, 1);
	memcpy(nd->fp, fp_b, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), -1);
	assert_failed(nd, EXIT_FAIL, "known_hosts records");
	ck_assert(strstr(nd->err, "nothing was sent") != NULL);
	ck_assert_int_eq(nd->unknown, 0);
	cl_cleanup(&cl);
}
END_TEST

/* The name is new but the address it resolved to is known: the address decides. */
START_TEST(identity_by_address)
{
	const char *s[] = { "cucm-pub" };
	struct cluster cl;
	struct cl_node *nd;

	setup(&cl, s, 1);
	nd = &cl.nodes[0];
	record(&cl, "192.0.2.10:2444", fp_a);
	snprintf(nd->peer, sizeof(nd->peer), "192.0.2.10:2444");
	memcpy(nd->fp, fp_a, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), 0);
	ck_assert_int_eq(nd->fp_record, 1);
	memcpy(nd->fp, fp_b, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), -1);
	assert_failed(nd, EXIT_FAIL, "SERVER CERTIFICATE CHANGED");
	ck_assert(strstr(nd->err, "for 192.0.2.10:2444") != NULL);
	cl_cleanup(&cl);
}
END_TEST

START_TEST(identity_known_as_other_name)
{
	const char *s[] = { "cucm-pub.example" };
	struct cluster cl;
	struct cl_node *nd;

	setup(&cl, s, 1);
	nd = &cl.nodes[0];
	record(&cl, "cucm-pub:2444", fp_a);
	memcpy(nd->fp, fp_a, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), 0);
	ck_assert_str_eq(nd->known_as, "cucm-pub:2444");
	ck_assert_int_eq(nd->fp_record, 1);
	cl_cleanup(&cl);
}
END_TEST

START_TEST(identity_first_contact)
{
	const char *s[] = { "cucm-pub" };
	struct cluster cl;
	struct cl_node *nd;

	setup(&cl, s, 1);
	nd = &cl.nodes[0];
	memcpy(nd->fp, fp_a, PROV_FP_LEN);
	snprintf(nd->subject, sizeof(nd->subject), "CN=cucm-pub");
	ck_assert_int_eq(cl_identity(&cl, nd), -1);
	assert_failed(nd, EXIT_IDENTITY, "unknown server");
	ck_assert_int_eq(nd->unknown, 1);
	ck_assert(strstr(nd->err, "subject CN=cucm-pub") != NULL);
	ck_assert(strstr(nd->err, "--fingerprint cucm-pub:2444=SHA256:00:01:02") != NULL);
	/* Accepted on the terminal: the same certificate goes on, another one is refused. */
	cl_node_begin(nd);
	nd->accepted = 1;
	memcpy(nd->accept_fp, fp_a, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), 0);
	memcpy(nd->fp, fp_b, PROV_FP_LEN);
	ck_assert_int_eq(cl_identity(&cl, nd), -1);
	assert_failed(nd, EXIT_FAIL, "the terminal accepted");
	/* --accept-new: trusted on first use, to be recorded. */
	cl_node_begin(nd);
	nd->accepted = 0;
	cl.o.accept_new = 1;
	ck_assert_int_eq(cl_identity(&cl, nd), 0);
	ck_assert_int_eq(nd->fp_record, 1);
	ck_assert_int_eq(nd->unknown, 0);
	cl_cleanup(&cl);
}
END_TEST

/* ---- responses ---------------------------------------------------- */

static void
item(struct ctl_prov_msg *m, uint16_t tag, const void *p, size_t n)
{
	ck_assert_uint_lt(m->nitems, CTL_PROV_MAX_ITEMS);
	m->items[m->nitems].tag = tag;
	m->items[m->nitems].len = (uint32_t)n;
	m->items[m->nitems].val = p;
	m->nitems++;
}

/* A role and a DER certificate, as GET_INFO carries them (free() it). */
static uint8_t *
cert_item(const char *name, uint16_t role, size_t *n)
{
	X509 *x = tu_cert(name);
	int len = i2d_X509(x, NULL);
	uint8_t *p = malloc((size_t)len + 2), *q = p + 2;

	ck_assert_ptr_nonnull(p);
	p[0] = (uint8_t)(role >> 8);
	p[1] = (uint8_t)role;
	ck_assert_int_eq(i2d_X509(x, &q), len);
	X509_free(x);
	*n = (size_t)len + 2;
	return p;
}

START_TEST(info_taken)
{
	const char *s[] = { "cucm-pub" };
	static const uint8_t ip[4] = { 192, 0, 2, 10 }, mode = 1;
	struct ctl_prov_msg m;
	struct cluster cl;
	struct cl_node *nd;
	uint8_t *c;
	size_t cn;

	setup(&cl, s, 1);
	nd = &cl.nodes[0];
	memset(&m, 0, sizeof(m));
	c = cert_item("ccm1", 2, &cn);
	item(&m, CTL_PROV_T_HOSTNAME, "cucm\x1b[31m-pub\xc3\xa9", 15);
	item(&m, CTL_PROV_T_VERSION, "14.0", 4);
	item(&m, CTL_PROV_T_IPV4, ip, 4);
	item(&m, CTL_PROV_T_MODE, &mode, 1);
	item(&m, CTL_PROV_T_CERT, c, cn);
	ck_assert_int_eq(cl_node_take_info(nd, &m), 0);
	/* Server text is escaped: no escape sequence reaches a terminal; UTF-8 stays. */
	ck_assert_str_eq(nd->hostname, "cucm\\x1b[31m-pub\xc3\xa9");
	ck_assert_str_eq(nd->version, "14.0");
	ck_assert_int_eq(nd->has_ip, 1);
	ck_assert_mem_eq(nd->ip, ip, 4);
	ck_assert_int_eq(nd->mode, 1);
	ck_assert_uint_eq(nd->ncerts, 1);
	ck_assert_uint_eq(nd->certs[0].role, 2);
	ck_assert_ptr_nonnull(nd->certs[0].cert);
	free(c);
	cl_cleanup(&cl);
}
END_TEST

START_TEST(info_refused)
{
	const char *s[] = { "cucm-pub" };
	struct ctl_prov_msg m;
	struct cluster cl;
	struct cl_node *nd;
	uint8_t *c, junk[3] = { 0, 2, 0x30 };
	size_t cn;

	setup(&cl, s, 1);
	nd = &cl.nodes[0];
	c = cert_item("ccm1", 2, &cn);
	/* A certificate item that is not a role and one whole DER certificate. */
	memset(&m, 0, sizeof(m));
	item(&m, CTL_PROV_T_HOSTNAME, "cucm-pub", 8);
	item(&m, CTL_PROV_T_CERT, junk, sizeof(junk));
	ck_assert_int_eq(cl_node_take_info(nd, &m), -1);
	assert_failed(nd, EXIT_NETWORK, "GET_INFO: certificate item 1 is not a role and a DER");
	/* Trailing bytes after the certificate. */
	cl_node_begin(nd);
	memset(&m, 0, sizeof(m));
	item(&m, CTL_PROV_T_HOSTNAME, "cucm-pub", 8);
	item(&m, CTL_PROV_T_CERT, c, cn);
	m.items[1].len = (uint32_t)cn; /* exact */
	ck_assert_int_eq(cl_node_take_info(nd, &m), 0);
	/* No host name. */
	cl_node_begin(nd);
	memset(&m, 0, sizeof(m));
	item(&m, CTL_PROV_T_CERT, c, cn);
	ck_assert_int_eq(cl_node_take_info(nd, &m), -1);
	assert_failed(nd, EXIT_NETWORK, "GET_INFO: the server sent no host name");
	/* No certificate. */
	cl_node_begin(nd);
	nd->hostname[0] = '\0';
	for (cn = 0; cn < nd->ncerts; cn++)
		X509_free(nd->certs[cn].cert);
	nd->ncerts = 0;
	memset(&m, 0, sizeof(m));
	item(&m, CTL_PROV_T_HOSTNAME, "cucm-pub", 8);
	ck_assert_int_eq(cl_node_take_info(nd, &m), -1);
	assert_failed(nd, EXIT_NETWORK, "GET_INFO: the server sent no certificate");
	free(c);
	cl_cleanup(&cl);
}
END_TEST

START_TEST(ctl_put_mode_taken)
{
	const char *s[] = { "cucm-pub" };
	static const uint8_t file[5] = { 1, 2, 3, 4, 5 }, mode0 = 0;
	struct ctl_prov_msg m;
	struct cluster cl;
	struct cl_node *nd;

	setup(&cl, s, 1);
	nd = &cl.nodes[0];
	memset(&m, 0, sizeof(m));
	item(&m, CTL_PROV_T_MD5, "d41d8cd98f00b204e9800998ecf8427e", 32);
	ck_assert_int_eq(cl_node_take_ctl(nd, &m), -1);
	assert_failed(nd, EXIT_NETWORK, "GET_CTL: no CTL_FILE in the response");
	cl_node_begin(nd);
	item(&m, CTL_PROV_T_CTL_FILE, file, sizeof(file));
	ck_assert_int_eq(cl_node_take_ctl(nd, &m), 0);
	ck_assert_uint_eq(nd->ctl_len, 5);
	ck_assert_mem_eq(nd->ctl, file, 5);
	ck_assert_str_eq(nd->ctl_md5, "d41d8cd98f00b204e9800998ecf8427e");
	/* PUT_CTL: the server must have stored what was sent. */
	ck_assert_int_eq(cl_node_take_put(nd, "d41d8cd98f00b204e9800998ecf8427e", &m), 0);
	ck_assert_str_eq(nd->md5_after, "d41d8cd98f00b204e9800998ecf8427e");
	ck_assert_int_eq(cl_node_take_put(nd, "0123456789abcdef0123456789abcdef", &m), -1);
	assert_failed(nd, EXIT_NETWORK, "upload: the server stored md5 d41d8cd98f00b204e9800998ecf8427e, "
	              "sent 0123456789abcdef0123456789abcdef");
	/* SET_MODE: the mode the server reports, else the one asked for. */
	memset(&m, 0, sizeof(m));
	cl_node_take_mode(nd, 1, &m);
	ck_assert_int_eq(nd->mode_after, 1);
	item(&m, CTL_PROV_T_MODE, &mode0, 1);
	cl_node_take_mode(nd, 1, &m);
	ck_assert_int_eq(nd->mode_after, 0);
	cl_cleanup(&cl);
}
END_TEST

/* ---- --retry-failed state ----------------------------------------- */

START_TEST(state_round_trip)
{
	const char *s[] = { "a", "b:2500", "c" };
	static const uint8_t ctl[6] = { 9, 8, 7, 6, 5, 4 };
	struct cluster cl, back;
	uint8_t *got = NULL;
	size_t len = 0;
	int mode = -7;

	setup(&cl, s, 3);
	cl_node_fail(&cl.nodes[1], EXIT_NETWORK, "timeout");
	cl_state_save(&cl, ctl, sizeof(ctl), 1);
	memset(&back, 0, sizeof(back));
	pthread_mutex_init(&back.lock, NULL);
	back.cmd = &cmd_fake;
	ck_assert_int_eq(cl_state_load(&back, &got, &len, &mode), EXIT_OK);
	ck_assert_uint_eq(back.n, 3);
	ck_assert_str_eq(back.nodes[1].t.name, "b:2500");
	ck_assert_int_eq(back.nodes[0].skip, 1);
	ck_assert_int_eq(back.nodes[1].skip, 0);
	ck_assert_int_eq(back.nodes[2].skip, 1);
	ck_assert_int_eq(mode, 1);
	ck_assert_uint_eq(len, sizeof(ctl));
	ck_assert_mem_eq(got, ctl, sizeof(ctl));
	free(got);
	cl_cleanup(&back);
	/* Another command's job is not finished by this one. */
	memset(&back, 0, sizeof(back));
	pthread_mutex_init(&back.lock, NULL);
	back.cmd = &cmd_other;
	ck_assert_int_eq(cl_state_load(&back, &got, &len, &mode), EXIT_USAGE);
	cl_cleanup(&back);
	/* Everything done: the state is removed. */
	cl_node_begin(&cl.nodes[1]);
	cl_state_save(&cl, ctl, sizeof(ctl), 1);
	memset(&back, 0, sizeof(back));
	pthread_mutex_init(&back.lock, NULL);
	back.cmd = &cmd_fake;
	ck_assert_int_eq(cl_state_load(&back, &got, &len, &mode), EXIT_FAIL);
	ck_assert_ptr_null(got);
	cl_cleanup(&back);
	cl_cleanup(&cl);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cluster_state");
	TCase *ok = tcase_create("ok"), *id = tcase_create("identity"), *resp = tcase_create("responses");

	tcase_add_test(ok, nodes_from_servers);
	tcase_add_test(ok, worst_exit_status);
	tcase_add_test(ok, state_round_trip);
	tcase_add_test(id, identity_pinned);
	tcase_add_test(id, identity_known_and_changed);
	tcase_add_test(id, identity_by_address);
	tcase_add_test(id, identity_known_as_other_name);
	tcase_add_test(id, identity_first_contact);
	tcase_add_test(resp, info_taken);
	tcase_add_test(resp, info_refused);
	tcase_add_test(resp, ctl_put_mode_taken);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, id);
	suite_add_tcase(s, resp);
	return s;
}

CTL_TEST_MAIN(make_suite)
