/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_config.c: configuration keys and their bounds, the config file,
 * loading the announced certificates, and the secret-mode check of the
 * credential file and the TLS key.
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

START_TEST(config_keys)
{
	struct prov_config c;
	char err[256];

	prov_config_defaults(&c);
	ck_assert_uint_eq(c.port, 2444);
	ck_assert_uint_eq(c.read_timeout, 10);
	ck_assert_uint_eq(c.max_connections, 256);
	ck_assert_int_eq(prov_config_set(&c, "listen", "127.0.0.1:0", err, sizeof(err)), 0);
	ck_assert_str_eq(c.listen_addr, "127.0.0.1");
	ck_assert_uint_eq(c.port, 0);
	ck_assert_int_eq(prov_config_set(&c, "listen", "[::1]:2445", err, sizeof(err)), 0);
	ck_assert_str_eq(c.listen_addr, "::1");
	ck_assert_uint_eq(c.port, 2445);
	ck_assert_int_eq(prov_config_set(&c, "listen", ":2446", err, sizeof(err)), 0);
	ck_assert_str_eq(c.listen_addr, "0.0.0.0");
	ck_assert_int_eq(prov_config_set(&c, "read_timeout", "3600", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.read_timeout, 3600);
	ck_assert_int_eq(prov_config_set(&c, "security_mode", "1", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.initial_mode, 1);
	ck_assert_int_eq(prov_config_set(&c, "cert", "capf:/x/capf.pem", err, sizeof(err)), 0);
	ck_assert_int_eq(prov_config_set(&c, "cert", "21:/x/tvs.pem", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.ncerts, 2);
	ck_assert_uint_eq(c.certs[0].role, CTL_ROLE_CAPF);
	ck_assert_str_eq(c.certs[0].path, "/x/capf.pem");
	ck_assert_uint_eq(c.certs[1].role, CTL_ROLE_TVS);
}
END_TEST

START_TEST(config_bad_values)
{
	static const char *const bad[][3] = {
		{ "read_timeout", "0", "read_timeout: '0' is not a number in 1..3600" },
		{ "read_timeout", "3601", "read_timeout: '3601' is not a number in 1..3600" },
		{ "max_connections", "-1", "max_connections: '-1' is not a number in 1..4096" },
		{ "security_mode", "2", "security_mode: '2' is not a number in 0..1" },
		{ "listen", "nohost:1", "listen: 'nohost' is not a numeric IPv4 or IPv6 address" },
		{ "listen", "127.0.0.1:65536", "listen port: '65536' is not a number in 0..65535" },
		{ "ipv4", "192.0.2", "ipv4: '192.0.2' is not a dotted IPv4 address" },
		{ "cert", "sast:/x.pem", "cert: unknown role 'sast' (ccm-tftp, ccm, tftp, capf, tvs, app-server or a number)" },
		{ "cert", "/x.pem", "cert: expected ROLE:PATH, got '/x.pem'" },
		{ "hostname", "", "hostname: value empty or longer than 255 bytes" },
		{ "colour", "blue", "unknown key 'colour'" },
	};
	struct prov_config c;
	char err[256];

	prov_config_defaults(&c);
	ck_assert_int_eq(prov_config_set(&c, bad[_i][0], bad[_i][1], err, sizeof(err)), -1);
	ck_assert_str_eq(err, bad[_i][2]);
}
END_TEST

START_TEST(config_file)
{
	const char *dir = tu_tmpdir();
	char path[512], err[512];
	struct prov_config c;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/node.conf", dir);
	fp = fopen(path, "w");
	fprintf(fp, "# node\n\n  hostname =  cucm-pub \nipv4=192.0.2.11\nread_timeout = 5\n"
	            "no equals sign\n");
	fclose(fp);
	prov_config_defaults(&c);
	ck_assert_int_eq(prov_config_load(&c, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "node.conf:6: expected key = value"));
	ck_assert_str_eq(c.hostname, "cucm-pub");
	ck_assert_uint_eq(c.read_timeout, 5);
	ck_assert_int_eq(prov_config_finish(&c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "missing setting: tls_cert");
}
END_TEST

START_TEST(config_finish_loads_certs)
{
	struct prov_config c;
	char err[512], v[600];

	node_config(&c, tu_tmpdir());
	snprintf(c.tls_cert, sizeof(c.tls_cert), "%s", tu_pki("ccm1.pem"));
	snprintf(c.tls_key, sizeof(c.tls_key), "%s", tu_pki("ccm1.key"));
	snprintf(v, sizeof(v), "ccm-tftp:%s", tu_pki("ccm1.pem"));
	ck_assert_int_eq(prov_config_set(&c, "cert", v, err, sizeof(err)), 0);
	ck_assert_int_eq(prov_config_finish(&c, err, sizeof(err)), 0);
	ck_assert_uint_gt(c.certs[0].der_len, 500);
	ck_assert_uint_eq(c.certs[0].der[0], 0x30); /* DER SEQUENCE */
	prov_config_cleanup(&c);
}
END_TEST

START_TEST(config_hardening_keys)
{
	struct prov_config c;
	char err[256];

	prov_config_defaults(&c);
	ck_assert_uint_eq(c.allow_override, 0);
	ck_assert_uint_eq(c.allow_set_mode, 0);
	ck_assert_str_eq(c.user, "");
	ck_assert_uint_eq(c.max_per_address, 16);
	ck_assert_uint_eq(c.login_timeout, 30);
	ck_assert_uint_eq(c.max_unauth_requests, 3);
	ck_assert_int_eq(prov_config_set(&c, "allow_override", "yes", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.allow_override, 1);
	ck_assert_int_eq(prov_config_set(&c, "allow_set_mode", "On", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.allow_set_mode, 1);
	ck_assert_int_eq(prov_config_set(&c, "allow_set_mode", "no", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.allow_set_mode, 0);
	ck_assert_int_eq(prov_config_set(&c, "allow_override", "maybe", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "allow_override: 'maybe' is not yes or no");
	ck_assert_int_eq(prov_config_set(&c, "user", "nobody", err, sizeof(err)), 0);
	ck_assert_str_eq(c.user, "nobody");
	ck_assert_int_eq(prov_config_set(&c, "max_per_address", "0", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "max_per_address: '0' is not a number in 1..4096");
	ck_assert_int_eq(prov_config_set(&c, "login_timeout", "5", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.login_timeout, 5);
	ck_assert_int_eq(prov_config_set(&c, "max_unauth_requests", "2", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.max_unauth_requests, 2);
}
END_TEST

/* Security By Default keys (doc/sbd.md): off by default, every key and its refusals. */
START_TEST(config_sbd_keys)
{
	struct prov_config c;
	char err[512], v[PROV_PATH_MAX];

	prov_config_defaults(&c);
	ck_assert_uint_eq(c.itl, 0);
	ck_assert_uint_eq(c.itl_layout, CTL_ITL_12X);
	ck_assert_uint_eq(c.itl_rollback, 0);
	ck_assert_uint_eq(c.itl_digest, CTL_DIGEST_SHA1);
	ck_assert_uint_eq(c.ctl_layout, CTL_TL_SIGN_RECOVERY);
	ck_assert_uint_eq(prov_config_sign_configs(&c), 0);
	ck_assert_int_eq(prov_config_set(&c, "itl", "yes", err, sizeof(err)), 0);
	/* sign_configs follows itl until it is given. */
	ck_assert_uint_eq(prov_config_sign_configs(&c), 1);
	ck_assert_int_eq(prov_config_set(&c, "sign_configs", "no", err, sizeof(err)), 0);
	ck_assert_uint_eq(prov_config_sign_configs(&c), 0);
	ck_assert_int_eq(prov_config_set(&c, "itl_layout", "8x", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.itl_layout, CTL_ITL_8X);
	ck_assert_int_eq(prov_config_set(&c, "itl_digest", "sha512", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.itl_digest, CTL_DIGEST_SHA512);
	ck_assert_int_eq(prov_config_set(&c, "ctl_layout", "10x", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.ctl_layout, CTL_TL_SIGN_CALLMANAGER);
	ck_assert_int_eq(prov_config_set(&c, "itl_rollback", "yes", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.itl_rollback, 1);
	ck_assert_int_eq(prov_config_set(&c, "tvs_peer", "node2.example.lab 192.0.2.12 /x/tvs2.pem",
	                                 err, sizeof(err)), 0);
	ck_assert_uint_eq(c.npeers, 1);
	ck_assert_str_eq(c.peers[0].dns, "node2.example.lab");
	ck_assert_uint_eq(c.peers[0].ipv4[3], 12);
	ck_assert_str_eq(c.peers[0].path, "/x/tvs2.pem");
	ck_assert_int_eq(prov_config_set(&c, "device_cert_dir", "/x/dev", err, sizeof(err)), 0);
	ck_assert_str_eq(c.device_cert_dir, "/x/dev");
	ck_assert_int_eq(prov_config_set(&c, "itlrecovery_remote_key", "/x/r.key", err, sizeof(err)), 0);
	ck_assert_str_eq(c.itlrecovery_remote_key, "/x/r.key");
	ck_assert_int_eq(prov_config_set(&c, "itl_layout", "9x", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "itl_layout: '9x' is not one of 12x, 8x");
	ck_assert_int_eq(prov_config_set(&c, "itl_digest", "md5", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "itl_digest: 'md5' is not one of sha1, sha256, sha512");
	ck_assert_int_eq(prov_config_set(&c, "ctl_layout", "8x", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "ctl_layout: '8x' is not one of 12x, 10x");
	ck_assert_int_eq(prov_config_set(&c, "tvs_peer", "node2 192.0.2.12", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "tvs_peer: expected DNS IPV4 PATH, got 'node2 192.0.2.12'");
	ck_assert_int_eq(prov_config_set(&c, "tvs_peer", "node2 192.0.2 /x", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "tvs_peer: '192.0.2' is not a dotted IPv4 address");
	snprintf(v, sizeof(v), "n 192.0.2.1 /x/p");
	while (c.npeers < PROV_MAX_PEERS)
		ck_assert_int_eq(prov_config_set(&c, "tvs_peer", v, err, sizeof(err)), 0);
	ck_assert_int_eq(prov_config_set(&c, "tvs_peer", v, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "tvs_peer: more than 96 peers");
}
END_TEST

/* itl = yes in the 12.x layout cannot start without the ITLRecovery pair that signs it. */
START_TEST(config_sbd_finish)
{
	struct prov_config c;
	char err[512];

	node_config(&c, tu_tmpdir());
	snprintf(c.tls_cert, sizeof(c.tls_cert), "%s", tu_pki("ccm1.pem"));
	snprintf(c.tls_key, sizeof(c.tls_key), "%s", tu_pki("ccm1.key"));
	ck_assert_int_eq(prov_config_set(&c, "itl", "yes", err, sizeof(err)), 0);
	ck_assert_int_eq(prov_config_finish(&c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "itl = yes with itl_layout = 12x needs itlrecovery_cert and "
	                 "itlrecovery_key (the 12.x ITL is signed by ITLRecovery); or itl_layout = 8x");
	ck_assert_int_eq(prov_config_set(&c, "itl_layout", "8x", err, sizeof(err)), 0);
	ck_assert_int_eq(prov_config_finish(&c, err, sizeof(err)), 0);
	prov_config_cleanup(&c);
	ck_assert_int_eq(prov_config_set(&c, "itlrecovery_key", "/x/r.key", err, sizeof(err)), 0);
	ck_assert_int_eq(prov_config_finish(&c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "an ITLRecovery key needs its certificate") != NULL, "%s", err);
}
END_TEST

/* The credential file and the TLS key: refused when group or others may read them. */
START_TEST(secret_modes)
{
	const char *dir = tu_tmpdir();
	char path[PROV_PATH_MAX + 16], err[4096], want[4096], msg[4096];
	struct prov_config c;
	struct prov_auth a;

	node_config(&c, dir);
	write_creds(c.credentials, "sha512");
	ck_assert_int_eq(kv_secret_mode_check("credentials", c.credentials, err, sizeof(err)), 0);
	ck_assert_int_eq(chmod(c.credentials, 0640), 0);
	ck_assert_int_eq(kv_secret_mode_check("credentials", c.credentials, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "credentials %s: mode 0640 lets group or others read or write "
	         "it; chmod 600 it", c.credentials);
	ck_assert_str_eq(err, want);
	/* Also at login time: the file is read at every login. */
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_ERROR);
	snprintf(want, sizeof(want), "credential file %s: mode 0640", c.credentials);
	ck_assert_msg(strstr(msg, want) != NULL, "%s", msg);
	prov_auth_cleanup(&a);
	snprintf(path, sizeof(path), "%s/tls.key", dir);
	put_file(path, "k", 1);
	ck_assert_int_eq(chmod(path, 0604), 0);
	ck_assert_int_eq(kv_secret_mode_check("tls_key", path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "tls_key %s: mode 0604", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_config");
	TCase *tc;

	tc = tcase_create("config");
	tcase_add_test(tc, config_keys);
	tcase_add_loop_test(tc, config_bad_values, 0, 11);
	tcase_add_test(tc, config_file);
	tcase_add_test(tc, config_finish_loads_certs);
	tcase_add_test(tc, config_hardening_keys);
	tcase_add_test(tc, secret_modes);
	tcase_add_test(tc, config_sbd_keys);
	tcase_add_test(tc, config_sbd_finish);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
