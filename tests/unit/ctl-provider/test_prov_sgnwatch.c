/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_sgnwatch.c: which names are configuration files; SEP<MAC>.cnf.xml
 * signed into .sgn that verifies against the node's own ITL (TFTP role);
 * the outputs removed with the plain file; a symbolic link neither
 * followed nor signed; the watcher thread signing a file renamed in and
 * removing the .sgn of a deleted one within a bounded wait; the encrypted
 * file and its companion for a device with a certificate, and the file in
 * clear for a device whose certificate cannot be encrypted for (EC); a
 * burst of 1,000 files all signed, none half-written, no temporary left.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <ctl/ctl.h>
#include <ctl/encsgn.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

#define CNF "SEP001122334455.cnf.xml"
static const char plain[] = "<device><fullConfig>true</fullConfig></device>\n";

struct node {
	struct prov_config cfg;
	struct prov_store store;
	struct prov_sbd sbd;
	char cnf[PROV_PATH_MAX + 64], sgn[PROV_PATH_MAX + 64], enc[PROV_PATH_MAX + 64];
};

static void
set(struct prov_config *c, const char *key, const char *val)
{
	char err[512];

	ck_assert_msg(prov_config_set(c, key, val, err, sizeof(err)) == 0, "%s", err);
}

static void
node_up(struct node *n, const char *device_dir)
{
	char err[1024];

	memset(n, 0, sizeof(*n));
	node_config(&n->cfg, tu_tmpdir());
	set(&n->cfg, "tls_cert", tu_pki("ccm1.pem"));
	set(&n->cfg, "tls_key", tu_pki("ccm1.key"));
	set(&n->cfg, "itl", "yes");
	set(&n->cfg, "itl_layout", "8x");
	if (device_dir != NULL)
		set(&n->cfg, "device_cert_dir", device_dir);
	ck_assert_msg(prov_config_finish(&n->cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(prov_store_init(&n->store, &n->cfg), 0);
	ck_assert_msg(prov_sbd_init(&n->sbd, &n->cfg, &n->store, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(prov_itl_rebuild(&n->sbd, "test", err, sizeof(err)), CTL_PROV_OK);
	snprintf(n->cnf, sizeof(n->cnf), "%.900s/%s", n->cfg.tftp_root, CNF);
	snprintf(n->sgn, sizeof(n->sgn), "%.950s.sgn", n->cnf);
	snprintf(n->enc, sizeof(n->enc), "%.950s.enc.sgn", n->cnf);
}

static void
node_down(struct node *n)
{
	prov_sbd_cleanup(&n->sbd);
	prov_store_cleanup(&n->store);
	prov_config_cleanup(&n->cfg);
}

/* The .sgn verifies against the node's ITL (TFTP record) and carries payload exactly. */
static void
sgn_ok(struct node *n, const void *payload, size_t len)
{
	static const uint16_t roles[] = { CTL_ROLE_TFTP, CTL_ROLE_CCM_TFTP };
	struct ctl_verify_result vr;
	struct ctl_file *sgn, *itl;
	struct ctl_diag d;
	struct ctl_bytes p;

	ck_assert_msg(ctl_file_load(n->sgn, CTL_PARSE_SGN, &sgn, &d) == CTL_OK, "%s", d.msg);
	ck_assert_msg(ctl_file_load(n->sbd.itl_path, 0, &itl, &d) == CTL_OK, "%s", d.msg);
	ck_assert_msg(ctl_file_verify_with(sgn, itl, roles, 2, &vr) == CTL_OK, "%s", vr.reason);
	p = ctl_file_payload(sgn);
	ck_assert_uint_eq(p.len, len);
	ck_assert_int_eq(memcmp(p.p, payload, len), 0);
	p = ctl_file_filename(sgn);
	ck_assert_msg(p.len >= strlen(CNF ".sgn") && memcmp(p.p, CNF ".sgn", strlen(CNF ".sgn")) == 0,
	              "filename");
	ctl_file_free(sgn);
	ctl_file_free(itl);
}

START_TEST(config_names)
{
	ck_assert_int_eq(prov_sgn_config_name("SEP001122334455.cnf.xml"), 1);
	ck_assert_int_eq(prov_sgn_config_name("SEPaabbccddeeff.cnf.xml"), 1);
	ck_assert_int_eq(prov_sgn_config_name("SEP001122334455.cnf.xml.sgn"), 0);
	ck_assert_int_eq(prov_sgn_config_name("SEP001122334455.cnf.xml.enc.sgn"), 0);
	ck_assert_int_eq(prov_sgn_config_name("SEP00112233445.cnf.xml"), 0);
	ck_assert_int_eq(prov_sgn_config_name("SEP00112233445G.cnf.xml"), 0);
	ck_assert_int_eq(prov_sgn_config_name(".SEP001122334455.cnf.xml.sgn.Ab12Cd"), 0);
	ck_assert_int_eq(prov_sgn_config_name("XMLDefault.cnf.xml"), 0);
	ck_assert_int_eq(prov_sgn_config_name("SEP"), 0);
}
END_TEST

START_TEST(sign_then_remove)
{
	static const char changed[] = "<device><fullConfig>false</fullConfig></device>\n";
	struct node n;

	node_up(&n, NULL);
	put_file(n.cnf, plain, strlen(plain));
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF), 1);
	sgn_ok(&n, plain, strlen(plain));
	put_file(n.cnf, changed, strlen(changed));
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF), 1);
	sgn_ok(&n, changed, strlen(changed));
	ck_assert_int_eq(unlink(n.cnf), 0);
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF), 0);
	ck_assert_int_eq(access(n.sgn, F_OK), -1);
	/* Our own outputs are never inputs. */
	put_file(n.sgn, "x", 1);
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF ".sgn"), 0);
	ck_assert(same_file(n.sgn, (const uint8_t *)"x", 1));
	node_down(&n);
}
END_TEST

/* A symbolic link under a configuration name: not followed, not signed, old outputs gone. */
START_TEST(symlink_not_followed)
{
	char secret[PROV_PATH_MAX + 32];
	struct node n;

	node_up(&n, NULL);
	put_file(n.cnf, plain, strlen(plain));
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF), 1);
	snprintf(secret, sizeof(secret), "%.900s/secret.key", n.cfg.tftp_root);
	put_file(secret, "PRIVATE", 7);
	ck_assert_int_eq(unlink(n.cnf), 0);
	ck_assert_int_eq(symlink(secret, n.cnf), 0);
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF), -1);
	ck_assert_int_eq(access(n.sgn, F_OK), -1);
	node_down(&n);
}
END_TEST

static int
exists(const char *p)
{
	return access(p, F_OK) == 0;
}

/* Polls for at most 5 s until exists(p) == want. */
static int
wait_exists(const char *p, int want)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (exists(p) == want)
			return 1;
		usleep(50000);
	}
	return 0;
}

START_TEST(watcher_follows_the_root)
{
	char tmp[PROV_PATH_MAX + 64], err[512];
	struct node n;

	node_up(&n, NULL);
	/* Present before the watch starts: the start scan signs it. */
	put_file(n.cnf, plain, strlen(plain));
	ck_assert_msg(prov_sgnwatch_start(&n.sbd, err, sizeof(err)) == 0, "%s", err);
	ck_assert(exists(n.sgn));
	ck_assert_int_eq(unlink(n.cnf), 0);
	ck_assert_msg(wait_exists(n.sgn, 0), ".sgn of a deleted file removed");
	/* Renamed in, as provisioning tools write. */
	snprintf(tmp, sizeof(tmp), "%.950s.tmp", n.cnf);
	put_file(tmp, plain, strlen(plain));
	ck_assert_int_eq(rename(tmp, n.cnf), 0);
	ck_assert_msg(wait_exists(n.sgn, 1), ".sgn of a renamed-in file written");
	sgn_ok(&n, plain, strlen(plain));
	prov_sgnwatch_stop(&n.sbd);
	ck_assert_ptr_null(n.sbd.watch);
	node_down(&n);
}
END_TEST

/* device_cert_dir/SEP<MAC>.pem: .enc.sgn decrypts to the file, the .sgn is the companion. */
START_TEST(encrypted_for_a_device)
{
	char dir[PROV_PATH_MAX], pem[PROV_PATH_MAX + 64], want[64];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct ctl_encsgn *e;
	struct ctl_file *sgn;
	struct ctl_diag d;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	uint8_t *b, *out = NULL;
	size_t len = 0, olen = 0, i;
	struct node n;
	struct ctl_bytes p;

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(pem, sizeof(pem), "%.900s/SEP001122334455.pem", dir);
	b = tu_read(tu_pki("phone1.pem"), &len);
	put_file(pem, b, len);
	free(b);
	node_up(&n, dir);
	put_file(n.cnf, plain, strlen(plain));
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF), 1);
	b = tu_read(n.enc, &len);
	ck_assert_msg(ctl_encsgn_parse(b, len, &e, &d) == CTL_OK, "%s", d.msg);
	free(b);
	ck_assert_int_eq(ctl_cert_load(tu_pki("ccm1.pem"), &cert, &d), CTL_OK);
	ck_assert_msg(ctl_encsgn_verify(e, cert, &d) == CTL_OK, "%s", d.msg);
	ck_assert_int_eq(ctl_key_load(tu_pki("phone1.key"), &key, &d), CTL_OK);
	ck_assert_msg(ctl_encsgn_decrypt(e, key, &out, &olen, &d) == CTL_OK, "%s", d.msg);
	ck_assert_uint_eq(olen, strlen(plain));
	ck_assert_int_eq(memcmp(out, plain, olen), 0);
	/* The companion names the device certificate by the MD5 of its DER. */
	b = tu_read(tu_pki("phone1.der"), &len);
	ck_assert_int_eq(EVP_Digest(b, len, md, &mdlen, EVP_md5(), NULL), 1);
	free(b);
	for (i = 0; i < mdlen; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	ck_assert_int_eq(ctl_file_load(n.sgn, CTL_PARSE_SGN, &sgn, &d), CTL_OK);
	p = ctl_file_payload(sgn);
	ck_assert_msg(memmem(p.p, p.len, want, strlen(want)) != NULL, "certHash in the companion");
	ck_assert_msg(memmem(p.p, p.len, "fullConfig>true", 15) == NULL, "not the full file");
	ctl_file_free(sgn);
	/* The certificate goes: the next signing drops the encrypted file. */
	ck_assert_int_eq(unlink(pem), 0);
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF), 1);
	ck_assert_int_eq(access(n.enc, F_OK), -1);
	sgn_ok(&n, plain, strlen(plain));
	free(out);
	EVP_PKEY_free(key);
	X509_free(cert);
	ctl_encsgn_free(e);
	node_down(&n);
}
END_TEST

/* A device certificate libctl cannot encrypt for (EC): the full file signed in clear, no .enc.sgn. */
START_TEST(ec_device_signed_in_clear)
{
	char dir[PROV_PATH_MAX], pem[PROV_PATH_MAX + 64];
	struct node n;
	uint8_t *b;
	size_t len = 0;

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(pem, sizeof(pem), "%.900s/SEP001122334455.pem", dir);
	b = tu_read(tu_pki("ec256.pem"), &len);
	put_file(pem, b, len);
	free(b);
	node_up(&n, dir);
	put_file(n.cnf, plain, strlen(plain));
	ck_assert_int_eq(prov_sgn_update(&n.sbd, CNF), 1);
	ck_assert_int_eq(access(n.enc, F_OK), -1);
	sgn_ok(&n, plain, strlen(plain));
	node_down(&n);
}
END_TEST

/* Configuration of fleet phone i, and ROOT/SEP<MAC>.cnf.xml SUFFIX. */
static void
fleet_body(int i, char *out, size_t cap)
{
	snprintf(out, cap, "<device><name>SEP0C0FFE%06X</name></device>\n", (unsigned)i);
}

static void
fleet_path(const struct node *n, int i, const char *suffix, char *out, size_t cap)
{
	int k = snprintf(out, cap, "%s/SEP0C0FFE%06X.cnf.xml%s", n->cfg.tftp_root, (unsigned)i,
	                 suffix);

	ck_assert(k > 0 && (size_t)k < cap);
}

/* Number of fleet .sgn files present. */
static int
fleet_signed(const struct node *n, int count)
{
	char path[PROV_PATH_MAX + 64];
	int i, have = 0;

	for (i = 0; i < count; i++) {
		fleet_path(n, i, ".sgn", path, sizeof(path));
		have += exists(path);
	}
	return have;
}

/* Every fleet .sgn verifies against the node's ITL and carries its file; no temporary in the root. */
static void
fleet_ok(const struct node *n, int count)
{
	static const uint16_t roles[] = { CTL_ROLE_TFTP, CTL_ROLE_CCM_TFTP };
	char path[PROV_PATH_MAX + 64], body[128];
	struct ctl_verify_result vr;
	struct ctl_file *sgn, *itl;
	struct ctl_diag d;
	struct ctl_bytes p;
	struct dirent *de;
	DIR *dir;
	int i;

	ck_assert_msg(ctl_file_load(n->sbd.itl_path, 0, &itl, &d) == CTL_OK, "%s", d.msg);
	for (i = 0; i < count; i++) {
		fleet_path(n, i, ".sgn", path, sizeof(path));
		fleet_body(i, body, sizeof(body));
		ck_assert_msg(ctl_file_load(path, CTL_PARSE_SGN, &sgn, &d) == CTL_OK, "%s: %s", path,
		              d.msg);
		ck_assert_msg(ctl_file_verify_with(sgn, itl, roles, 2, &vr) == CTL_OK, "%s", vr.reason);
		p = ctl_file_payload(sgn);
		ck_assert_uint_eq(p.len, strlen(body));
		ck_assert_int_eq(memcmp(p.p, body, p.len), 0);
		ctl_file_free(sgn);
	}
	ctl_file_free(itl);
	ck_assert_ptr_nonnull(dir = opendir(n->cfg.tftp_root));
	while ((de = readdir(dir)) != NULL)
		ck_assert_msg(de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		              strcmp(de->d_name, "..") == 0, "temporary left: %s", de->d_name);
	closedir(dir);
}

/*
 * A burst: 1,000 configuration files renamed into a watched root (and one
 * renamed in then deleted within the burst) are all signed, every .sgn
 * complete and verifying, the deleted one without a .sgn, no temporary
 * left; a SIGHUP-style scan signs all of them again, the same way.
 */
START_TEST(burst_of_configs)
{
	enum { N = 1000 };
	char path[PROV_PATH_MAX + 64], tmp[PROV_PATH_MAX + 80], body[128], err[512];
	struct node n;
	int i, tries;

	node_up(&n, NULL);
	ck_assert_msg(prov_sgnwatch_start(&n.sbd, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i <= N; i++) {
		fleet_path(&n, i, "", path, sizeof(path));
		snprintf(tmp, sizeof(tmp), "%.950s.tmp", path);
		fleet_body(i, body, sizeof(body));
		put_file(tmp, body, strlen(body));
		ck_assert_int_eq(rename(tmp, path), 0);
	}
	fleet_path(&n, N, "", path, sizeof(path));
	ck_assert_int_eq(unlink(path), 0);
	/* Bounded: 240 s, whatever the disk. */
	for (tries = 0; tries < 4800 && fleet_signed(&n, N) < N; tries++)
		usleep(50000);
	ck_assert_int_eq(fleet_signed(&n, N), N);
	fleet_path(&n, N, ".sgn", path, sizeof(path));
	ck_assert_msg(wait_exists(path, 0), "the .sgn of the file deleted in the burst");
	prov_sgnwatch_stop(&n.sbd);
	ck_assert_int_eq(exists(path), 0);
	fleet_ok(&n, N);
	ck_assert_int_eq(prov_sgn_scan(&n.sbd), N);
	fleet_ok(&n, N);
	for (i = 0; i < N; i++) {
		fleet_path(&n, i, "", path, sizeof(path));
		unlink(path);
		fleet_path(&n, i, ".sgn", path, sizeof(path));
		unlink(path);
	}
	node_down(&n);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_sgnwatch");
	TCase *tc = tcase_create("sgn");
	TCase *burst = tcase_create("burst");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, config_names);
	tcase_add_test(tc, sign_then_remove);
	tcase_add_test(tc, symlink_not_followed);
	tcase_add_test(tc, watcher_follows_the_root);
	tcase_add_test(tc, encrypted_for_a_device);
	tcase_add_test(tc, ec_device_signed_in_clear);
	suite_add_tcase(s, tc);
	tcase_set_timeout(burst, 300);
	tcase_add_test(burst, burst_of_configs);
	suite_add_tcase(s, burst);
	return s;
}

CTL_TEST_MAIN(make_suite)
