/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What ctl-client and the planner decide the same way
 * (libprovclient/prov_session.c), without the network: a server's identity
 * against a pin, known_hosts (by name, by address, under another name) and
 * --accept-new, with the messages that say why; recording it after a login;
 * --fingerprint [HOST[:PORT]=]SHA256; a GET_INFO CERT item; the MD5 item.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "prov_client.h"
#include "testutil.h"

static uint8_t fp_a[PROV_FP_LEN], fp_b[PROV_FP_LEN];

/* A fresh config directory with known_hosts holding fp_a for "known:2444" and "10.0.0.1:2444". */
static void
known_setup(struct prov_known *k)
{
	const char *names[2] = { "known:2444", "10.0.0.1:2444" };
	char err[600] = "";
	size_t i;

	for (i = 0; i < PROV_FP_LEN; i++) {
		fp_a[i] = (uint8_t)i;
		fp_b[i] = (uint8_t)(0xff - i);
	}
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", tu_tmpdir(), 1), 0);
	ck_assert_msg(prov_known_load(k, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(prov_known_record(k, names, 2, fp_a, err, sizeof(err)) == 0, "%s", err);
}

static enum prov_id
check(const struct prov_known *k, struct prov_id_query *q, int *record, char *known_as, char *err)
{
	return prov_identity_check(k, q, record, known_as, 272, err, 900);
}

START_TEST(identity_known_by_name_or_address)
{
	struct prov_known k;
	struct prov_id_query q = { "known:2444", "10.9.9.9:2444", "CN=x", NULL, NULL, NULL, 0 };
	char err[900] = "", ka[272];
	int record = -1;

	known_setup(&k);
	q.fp = fp_a;
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_OK);
	ck_assert_int_eq(record, 1); /* the new address gets recorded */
	q.name = "other:2444";
	q.peer = "10.0.0.1:2444";
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_OK);
	ck_assert_str_eq(ka, "");
	prov_known_cleanup(&k);
}
END_TEST

START_TEST(identity_changed_names_both)
{
	struct prov_known k;
	struct prov_id_query q = { "known:2444", "10.0.0.7:2444", "CN=x", NULL, NULL, NULL, 1 };
	char err[900] = "", ka[272];
	int record = -1;

	known_setup(&k);
	q.fp = fp_b;
	/* --accept-new does not accept a changed certificate. */
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_CHANGED);
	ck_assert_int_eq(record, 0);
	ck_assert_msg(strstr(err, "SERVER CERTIFICATE CHANGED: known:2444 (10.0.0.7:2444) presents SHA256 FF:FE")
	              != NULL, "%s", err);
	ck_assert_msg(strstr(err, "known_hosts records 00:01:02") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "--fingerprint known:2444=FF:FE") != NULL, "%s", err);
	/* The address known, the name new: still a change (under the address). */
	q.name = "fresh:2444";
	q.peer = "10.0.0.1:2444";
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_CHANGED);
	ck_assert_msg(strstr(err, "for 10.0.0.1:2444") != NULL, "%s", err);
	prov_known_cleanup(&k);
}
END_TEST

START_TEST(identity_pin_wins)
{
	struct prov_known k;
	struct prov_id_query q = { "known:2444", "", "CN=x", NULL, NULL, "--fingerprint pins", 0 };
	char err[900] = "", ka[272];
	int record = -1;

	known_setup(&k);
	q.fp = fp_b;
	q.want = fp_b; /* pinned: known_hosts' fp_a does not matter */
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_OK);
	ck_assert_int_eq(record, 1);
	q.want = fp_a;
	q.fp = fp_b;
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_CHANGED);
	/* No address: only the name is said. */
	ck_assert_msg(strstr(err, "known:2444 presents SHA256 FF:FE") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "--fingerprint pins 00:01") != NULL, "%s", err);
	prov_known_cleanup(&k);
}
END_TEST

START_TEST(identity_first_contact)
{
	struct prov_known k;
	struct prov_id_query q = { "new:2444", "10.0.0.2:2444", "CN=node", NULL, NULL, NULL, 0 };
	char err[900] = "", ka[272], say[1024];
	int record = -1;

	known_setup(&k);
	q.fp = fp_b;
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_UNKNOWN);
	ck_assert_msg(strstr(err, "unknown server: certificate SHA256 FF:FE") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "(subject CN=node)") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "--fingerprint new:2444=SHA256:FF:FE") != NULL, "%s", err);
	q.accept_new = 1;
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_OK);
	ck_assert_int_eq(record, 1);
	ck_assert_msg(prov_identity_record(&k, &q, ka, say, sizeof(say), err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(strncmp(say, "new server new:2444: certificate SHA256 fingerprint FF:FE", 57) == 0, "%s", say);
	ck_assert_ptr_nonnull(prov_known_find(&k, "new:2444"));
	ck_assert_ptr_nonnull(prov_known_find(&k, "10.0.0.2:2444"));
	/* Recorded: the same query is known now, and recording again says nothing. */
	q.accept_new = 0;
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_OK);
	ck_assert_msg(prov_identity_record(&k, &q, ka, say, sizeof(say), err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(say, "");
	prov_known_cleanup(&k);
}
END_TEST

START_TEST(identity_known_as_other_name)
{
	struct prov_known k;
	struct prov_id_query q = { "alias:2444", "10.0.0.3:2444", "CN=x", NULL, NULL, NULL, 0 };
	char err[900] = "", ka[272], say[1024];
	int record = -1;

	known_setup(&k);
	q.fp = fp_a;
	ck_assert_int_eq(check(&k, &q, &record, ka, err), PROV_ID_OK);
	ck_assert_str_eq(ka, "known:2444");
	ck_assert_msg(prov_identity_record(&k, &q, ka, say, sizeof(say), err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(strstr(say, "server alias:2444: certificate known as known:2444") == say, "%s", say);
	prov_known_cleanup(&k);
}
END_TEST

START_TEST(pin_parse)
{
	static const char hex[] = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
	struct prov_target t;
	uint8_t fp[PROV_FP_LEN];
	char arg[300], err[400];
	struct prov_known k;

	known_setup(&k); /* fills fp_a */
	prov_known_cleanup(&k);
	ck_assert_int_eq(prov_pin_parse(hex, &t, fp, err, sizeof(err)), 0);
	ck_assert_str_eq(t.name, "");
	ck_assert_int_eq(memcmp(fp, fp_a, PROV_FP_LEN), 0);
	snprintf(arg, sizeof(arg), "node1=SHA256:%s", hex);
	ck_assert_int_eq(prov_pin_parse(arg, &t, fp, err, sizeof(err)), 0);
	ck_assert_str_eq(t.name, "node1:2444");
	snprintf(arg, sizeof(arg), "[::1]:9=%s", hex);
	ck_assert_int_eq(prov_pin_parse(arg, &t, fp, err, sizeof(err)), 0);
	ck_assert_str_eq(t.name, "[::1]:9");
	ck_assert_int_eq(prov_pin_parse("node1=ABCD", &t, fp, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "expected [HOST[:PORT]=]SHA256 (64 hex digits)") != NULL, "%s", err);
	snprintf(arg, sizeof(arg), "=%s", hex);
	ck_assert_int_eq(prov_pin_parse(arg, &t, fp, err, sizeof(err)), -1);
	snprintf(arg, sizeof(arg), "node1:0=%s", hex);
	ck_assert_int_eq(prov_pin_parse(arg, &t, fp, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "port 1-65535") != NULL, "%s", err);
}
END_TEST

START_TEST(cert_item)
{
	size_t n = 0;
	uint8_t *pem = tu_read(tu_pki("ccm1.pem"), &n);
	BIO *b = BIO_new_mem_buf(pem, (int)n);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL), *got = NULL;
	uint8_t *der = NULL, buf[4096];
	int dn = i2d_X509(x, &der);
	struct ctl_prov_item it = { CTL_PROV_T_CERT, 0, buf };
	uint16_t role = 0;

	ck_assert_int_gt(dn, 0);
	ck_assert_int_lt(dn + 3, (int)sizeof(buf));
	buf[0] = 0;
	buf[1] = 21;
	memcpy(buf + 2, der, (size_t)dn);
	it.len = (uint32_t)dn + 2;
	ck_assert_int_eq(prov_item_cert(&it, &role, &got), 0);
	ck_assert_uint_eq(role, 21);
	ck_assert_int_eq(X509_cmp(got, x), 0);
	X509_free(got);
	it.len = (uint32_t)dn + 3; /* a byte after the certificate */
	ck_assert_int_eq(prov_item_cert(&it, &role, &got), -1);
	ck_assert_ptr_null(got);
	it.len = (uint32_t)dn + 1; /* cut */
	ck_assert_int_eq(prov_item_cert(&it, &role, &got), -1);
	it.len = 2;
	ck_assert_int_eq(prov_item_cert(&it, &role, &got), -1);
	it.tag = CTL_PROV_T_MD5;
	it.len = (uint32_t)dn + 2;
	ck_assert_int_eq(prov_item_cert(&it, &role, &got), -1);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(b);
	free(pem);
}
END_TEST

START_TEST(md5_item)
{
	static const uint8_t body[] = "abc";
	struct ctl_prov_msg m;
	char out[33];

	memset(&m, 0, sizeof(m));
	m.nitems = 1;
	m.items[0].tag = CTL_PROV_T_MD5;
	m.items[0].val = (const uint8_t *)"900150983cd24fb0d6963f7d28e17f72";
	m.items[0].len = 32;
	ck_assert_int_eq(prov_md5_matches(&m, body, 3, out), 0);
	ck_assert_str_eq(out, "900150983cd24fb0d6963f7d28e17f72");
	ck_assert_int_eq(prov_md5_matches(&m, body, 2, out), -1);
	m.items[0].val = (const uint8_t *)"900150983CD24FB0D6963F7D28E17F72";
	ck_assert_int_eq(prov_md5_matches(&m, body, 3, out), -1);
	m.nitems = 0;
	ck_assert_int_eq(prov_md5_matches(&m, body, 3, out), -1);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_session");
	TCase *id = tcase_create("identity"), *items = tcase_create("items");

	tcase_add_test(id, identity_known_by_name_or_address);
	tcase_add_test(id, identity_changed_names_both);
	tcase_add_test(id, identity_pin_wins);
	tcase_add_test(id, identity_first_contact);
	tcase_add_test(id, identity_known_as_other_name);
	tcase_add_test(items, pin_parse);
	tcase_add_test(items, cert_item);
	tcase_add_test(items, md5_item);
	suite_add_tcase(s, id);
	suite_add_tcase(s, items);
	return s;
}

CTL_TEST_MAIN(make_suite)
