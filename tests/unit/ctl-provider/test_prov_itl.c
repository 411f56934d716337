/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_itl.c: the node's ITLFile.tlv per layout and mode (records, roles,
 * signer), the rollback ITL, the reset ITLs of ITL_RESET (localkey per
 * layout, remotekey), the node's own signers for PUT_CTL, and a node
 * with itl = no writing nothing.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

struct node {
	struct prov_config cfg;
	struct prov_store store;
	struct prov_sbd sbd;
};

static void
set(struct prov_config *c, const char *key, const char *val)
{
	char err[512];

	ck_assert_msg(prov_config_set(c, key, val, err, sizeof(err)) == 0, "%s", err);
}

/* Node 1 of a two-node cluster: ccm1, tvs1 (and node 2's tvs2), capf, itlrecovery. */
static void
node_up(struct node *n, const char *layout, int extra_keys)
{
	char err[1024], peer[PROV_PATH_MAX + 64];

	memset(n, 0, sizeof(*n));
	node_config(&n->cfg, tu_tmpdir());
	set(&n->cfg, "tls_cert", tu_pki("ccm1.pem"));
	set(&n->cfg, "tls_key", tu_pki("ccm1.key"));
	set(&n->cfg, "itl", "yes");
	set(&n->cfg, "itl_layout", layout);
	set(&n->cfg, "tvs_cert", tu_pki("tvs1.pem"));
	set(&n->cfg, "capf_cert", tu_pki("capf.pem"));
	set(&n->cfg, "itlrecovery_cert", tu_pki("itlrecovery.pem"));
	set(&n->cfg, "itlrecovery_key", tu_pki("itlrecovery.key"));
	snprintf(peer, sizeof(peer), "cucm-sub1.example.lab 192.0.2.12 %s", tu_pki("tvs2.pem"));
	set(&n->cfg, "tvs_peer", peer);
	if (extra_keys) {
		set(&n->cfg, "itlrecovery_remote_cert", tu_pki("itlrecoveryB.pem"));
		set(&n->cfg, "itlrecovery_remote_key", tu_pki("itlrecoveryB.key"));
	}
	ck_assert_msg(prov_config_finish(&n->cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(prov_store_init(&n->store, &n->cfg), 0);
	ck_assert_msg(prov_sbd_init(&n->sbd, &n->cfg, &n->store, err, sizeof(err)) == 0, "%s", err);
}

static void
node_down(struct node *n)
{
	prov_sbd_cleanup(&n->sbd);
	prov_store_cleanup(&n->store);
	prov_config_cleanup(&n->cfg);
}

/* The PKI name whose DER certificate is der, or "?". */
static const char *
pki_name(const uint8_t *der, size_t n)
{
	static const char *const names[] = { "itlrecovery", "ccm1", "tvs1", "tvs2", "capf",
	                                     "itlrecoveryB", "ccm2" };
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

/*
 * The served ITL as "ROLE:NAME ..." (NAME "-" for a record without a
 * certificate) and its signer's PKI name; the file must verify.
 */
static void
served(struct node *n, char *list, size_t cap, const char **signer)
{
	struct ctl_verify_result vr;
	struct ctl_file *f;
	struct ctl_diag d;
	size_t i, used = 0;

	ck_assert_msg(ctl_file_load(n->sbd.itl_path, 0, &f, &d) == CTL_OK, "%s", d.msg);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_ITL);
	ck_assert_msg(ctl_file_verify(f, &vr) == CTL_OK, "%s", vr.reason);
	list[0] = '\0';
	for (i = 0; i < ctl_file_nrecords(f); i++) {
		const struct ctl_record *r = ctl_file_record(f, i);

		used += (size_t)snprintf(list + used, cap - used, "%s%u:%s", i ? " " : "", r->role,
		                         pki_name(r->cert.p, r->cert.len));
	}
	*signer = pki_name(ctl_file_record(f, (size_t)vr.signer_index)->cert.p,
	                   ctl_file_record(f, (size_t)vr.signer_index)->cert.len);
	ctl_file_free(f);
}

static void
rebuild(struct node *n)
{
	char msg[768];

	ck_assert_msg(prov_itl_rebuild(&n->sbd, "test", msg, sizeof(msg)) == CTL_PROV_OK, "%s", msg);
}

START_TEST(itl_12x_follows_the_mode)
{
	struct node n;
	char list[512], msg[256];
	const char *signer;

	node_up(&n, "12x", 0);
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_str_eq(list, "0:itlrecovery 0:ccm1 3:ccm1 21:tvs1 21:tvs2 4:capf");
	ck_assert_str_eq(signer, "itlrecovery");
	/* Mixed mode: CallManager becomes CCM+TFTP. */
	ck_assert_uint_eq(prov_store_set_mode(&n.store, 1, msg, sizeof(msg)), CTL_PROV_OK);
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_str_eq(list, "0:itlrecovery 0:ccm1 2:ccm1 21:tvs1 21:tvs2 4:capf");
	ck_assert_str_eq(signer, "itlrecovery");
	node_down(&n);
}
END_TEST

START_TEST(itl_8x_signed_by_callmanager)
{
	struct node n;
	char list[512];
	const char *signer;

	node_up(&n, "8x", 0);
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_str_eq(list, "0:ccm1 3:ccm1 0:itlrecovery 21:tvs1 21:tvs2 4:capf");
	ck_assert_str_eq(signer, "ccm1");
	node_down(&n);
}
END_TEST

START_TEST(itl_rollback_has_no_tftp_or_tvs_certificates)
{
	struct node n;
	char list[512];
	const char *signer;

	node_up(&n, "12x", 0);
	n.cfg.itl_rollback = 1;
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_msg(strstr(list, "3:-") != NULL && strstr(list, "21:-") != NULL &&
	              strstr(list, "21:tvs") == NULL && strstr(list, "3:ccm1") == NULL, "%s", list);
	ck_assert_str_eq(signer, "itlrecovery");
	node_down(&n);
}
END_TEST

/* ITL_RESET: 12.x localkey signs with CallManager, 8.x with ITLRecovery; remotekey with the remote pair. */
START_TEST(itl_reset_signers)
{
	struct node n;
	char list[512];
	const char *signer;

	node_up(&n, "12x", 1);
	n.sbd.reset = 1;
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_str_eq(list, "0:ccm1");
	ck_assert_str_eq(signer, "ccm1");
	n.sbd.reset = 2;
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_str_eq(list, "0:itlrecoveryB");
	ck_assert_str_eq(signer, "itlrecoveryB");
	n.sbd.reset = 0;
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_str_eq(signer, "itlrecovery");
	n.cfg.itl_layout = CTL_ITL_8X;
	n.sbd.reset = 1;
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_str_eq(list, "0:itlrecovery");
	ck_assert_str_eq(signer, "itlrecovery");
	node_down(&n);
}
END_TEST

/* Without the remote pair, remotekey is refused and the served ITL stays. */
START_TEST(itl_reset_without_key_keeps_the_file)
{
	struct node n;
	char msg[768];
	uint8_t *before;
	size_t len = 0;

	node_up(&n, "12x", 0);
	rebuild(&n);
	before = tu_read(n.sbd.itl_path, &len);
	n.sbd.reset = 2;
	ck_assert_uint_eq(prov_itl_rebuild(&n.sbd, "test", msg, sizeof(msg)), CTL_PROV_UNSUPPORTED);
	ck_assert_str_eq(msg, "no remote ITLRecovery key on this node (itlrecovery_remote_key)");
	ck_assert(same_file(n.sbd.itl_path, before, len));
	free(before);
	node_down(&n);
}
END_TEST

START_TEST(itl_off_writes_nothing)
{
	struct node n;
	char msg[768];

	node_up(&n, "8x", 0);
	n.cfg.itl = 0;
	ck_assert_uint_eq(prov_itl_rebuild(&n.sbd, "test", msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_int_eq(access(n.sbd.itl_path, F_OK), -1);
	node_down(&n);
}
END_TEST

/* PUT_CTL's "cluster's own keys": CallManager and ITLRecovery, nothing else. */
START_TEST(own_signers)
{
	struct node n;
	size_t len = 0;
	uint8_t *der;

	node_up(&n, "12x", 0);
	der = tu_read(tu_pki("ccm1.der"), &len);
	ck_assert_int_eq(prov_sbd_own_signer(&n.sbd, der, len), 1);
	free(der);
	der = tu_read(tu_pki("itlrecovery.der"), &len);
	ck_assert_int_eq(prov_sbd_own_signer(&n.sbd, der, len), 1);
	free(der);
	der = tu_read(tu_pki("ccm2.der"), &len);
	ck_assert_int_eq(prov_sbd_own_signer(&n.sbd, der, len), 0);
	free(der);
	der = tu_read(tu_pki("sast1.der"), &len);
	ck_assert_int_eq(prov_sbd_own_signer(&n.sbd, der, len), 0);
	free(der);
	node_down(&n);
}
END_TEST

/* SIGHUP: a key file readable by others is refused and the old identity kept. */
START_TEST(reload_keeps_identity_on_failure)
{
	struct node n;
	char err[1024], key[PROV_PATH_MAX], list[512];
	const char *signer;
	struct prov_identity *before;
	uint8_t *k;
	size_t len = 0;

	node_up(&n, "12x", 0);
	snprintf(key, sizeof(key), "%.900s/rec.key", n.cfg.tftp_root);
	k = tu_read(tu_pki("itlrecovery.key"), &len);
	put_file(key, k, len);
	free(k);
	ck_assert_int_eq(chmod(key, 0644), 0);
	snprintf(n.cfg.itlrecovery_key, sizeof(n.cfg.itlrecovery_key), "%s", key);
	before = n.sbd.id;
	ck_assert_int_eq(prov_sbd_reload(&n.sbd, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "itlrecovery_key") != NULL && strstr(err, "mode 0644") != NULL,
	              "%s", err);
	ck_assert_ptr_eq(n.sbd.id, before);
	ck_assert_int_eq(chmod(key, 0600), 0);
	ck_assert_msg(prov_sbd_reload(&n.sbd, err, sizeof(err)) == 0, "%s", err);
	rebuild(&n);
	served(&n, list, sizeof(list), &signer);
	ck_assert_str_eq(signer, "itlrecovery");
	node_down(&n);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_itl");
	TCase *tc = tcase_create("itl");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, itl_12x_follows_the_mode);
	tcase_add_test(tc, itl_8x_signed_by_callmanager);
	tcase_add_test(tc, itl_rollback_has_no_tftp_or_tvs_certificates);
	tcase_add_test(tc, itl_reset_signers);
	tcase_add_test(tc, itl_reset_without_key_keeps_the_file);
	tcase_add_test(tc, itl_off_writes_nothing);
	tcase_add_test(tc, own_signers);
	tcase_add_test(tc, reload_keeps_identity_on_failure);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
