/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tvsd_config.c: keys and bounds, role lists, the config file with its
 * errors named by file and line, the required keys and the key's mode.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "tvsd.h"

static struct tvsd_config cfg;

/* Writes text to DIR/name and returns the path (static buffer). */
static const char *
write_conf(const char *name, const char *text)
{
	static char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tu_tmpdir(), name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

START_TEST(defaults_and_keys)
{
	char err[256];

	tvsd_config_defaults(&cfg);
	ck_assert_str_eq(cfg.listen_addr, "::");
	ck_assert_uint_eq(cfg.port, 2445);
	ck_assert_uint_eq(cfg.ttl, 86400);
	ck_assert_uint_eq(cfg.tls_min, 12);
	ck_assert_uint_eq(cfg.max_per_address, 16);
	ck_assert_int_eq(cfg.verify_client, TVSD_CLIENT_NO);
	ck_assert_int_eq(tvsd_config_set(&cfg, "listen", "127.0.0.1:0", NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.listen_addr, "127.0.0.1");
	ck_assert_uint_eq(cfg.port, 0);
	ck_assert_int_eq(tvsd_config_set(&cfg, "listen", "[::1]:2445", NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(cfg.listen_addr, "::1");
	ck_assert_int_eq(tvsd_config_set(&cfg, "tls_min", "1.0", NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.tls_min, 10);
	ck_assert_int_eq(tvsd_config_set(&cfg, "verify_client", "require", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.verify_client, TVSD_CLIENT_REQUIRE);
	ck_assert_int_eq(tvsd_config_set(&cfg, "ttl", "3600", NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.ttl, 3600);
	ck_assert_int_eq(tvsd_config_set(&cfg, "cert", "tftp,sast:/x/ccm.pem", NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nlines, 1);
	ck_assert_uint_eq(cfg.lines[0].nroles, 2);
	/* Sorted in FUNCTION order: SAST (0) before TFTP (3). */
	ck_assert_uint_eq(cfg.lines[0].roles[0], 0);
	ck_assert_uint_eq(cfg.lines[0].roles[1], 3);
	ck_assert_str_eq(cfg.lines[0].path, "/x/ccm.pem");
	ck_assert_str_eq(cfg.lines[0].origin, "command line");
}
END_TEST

START_TEST(roles)
{
	uint8_t r[CTL_TVS_MAX_ROLES];
	size_t n = 99;
	char err[256];

	ck_assert_int_eq(tvsd_roles_parse("tvs,ccm-tftp,CAPF,app-server,7,21", r, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(r[0], 2);
	ck_assert_uint_eq(r[1], 4);
	ck_assert_uint_eq(r[2], 7);
	ck_assert_uint_eq(r[3], 21);
	ck_assert_int_eq(tvsd_roles_parse("ccm,nosuch", r, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown role 'nosuch' (sast, ccm, ccm-tftp, tftp, capf, app-server, "
	                      "tvs or a number 0..255)");
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(tvsd_roles_parse("256", r, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(tvsd_roles_parse("ccm,", r, &n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "empty role at the end of the list");
	ck_assert_int_eq(tvsd_roles_parse(",ccm", r, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(tvsd_roles_parse("", r, &n, err, sizeof(err)), -1);
}
END_TEST

START_TEST(bad_values)
{
	static const char *const bad[][3] = {
		{ "ttl", "0", "ttl: '0' is not a number in 1..2592000" },
		{ "ttl", "2592001", "ttl: '2592001' is not a number in 1..2592000" },
		{ "tls_min", "1.1", "tls_min: '1.1' is not 1.0 or 1.2" },
		{ "verify_client", "yes", "verify_client: 'yes' is not no, optional or require" },
		{ "listen", "nohost:1", "listen: 'nohost' is not a numeric IPv4 or IPv6 address" },
		{ "listen", "2445", "listen: expected ADDR:PORT, got '2445'" },
		{ "listen", "127.0.0.1:65536", "listen port: '65536' is not a number in 0..65535" },
		{ "max_connections", "0", "max_connections: '0' is not a number in 1..4096" },
		{ "cert", "/x.pem", "cert: expected ROLES:PATH, got '/x.pem'" },
		{ "cert", "boss:/x.pem", "cert: unknown role 'boss' (sast, ccm, ccm-tftp, tftp, capf, "
		  "app-server, tvs or a number 0..255)" },
		{ "cert", "ccm:", "cert: value empty or longer than 1023 bytes" },
		{ "nosuch", "1", "unknown key 'nosuch'" },
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tvsd_config_defaults(&cfg);
		ck_assert_int_eq(tvsd_config_set(&cfg, bad[i][0], bad[i][1], NULL, err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i][2]);
	}
}
END_TEST

START_TEST(file_errors_name_file_and_line)
{
	char err[1200], want[1200];
	const char *p;

	tvsd_config_defaults(&cfg);
	p = write_conf("a.conf", "# TVS\n\nlisten = 127.0.0.1:0\nttl = 86400\ncert = ccm:/a.pem\n"
	                         "cert = nope:/b.pem\n");
	ck_assert_int_eq(tvsd_config_load(&cfg, p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:6: cert: unknown role 'nope' (sast, ccm, ccm-tftp, tftp, "
	         "capf, app-server, tvs or a number 0..255)", p);
	ck_assert_str_eq(err, want);

	tvsd_config_defaults(&cfg);
	p = write_conf("b.conf", "ttl = 60\nthis line has no equals sign\n");
	ck_assert_int_eq(tvsd_config_load(&cfg, p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: expected key = value", p);
	ck_assert_str_eq(err, want);

	tvsd_config_defaults(&cfg);
	p = write_conf("c.conf", "ttl = 60\n\n\nread_timeout = 0\n");
	ck_assert_int_eq(tvsd_config_load(&cfg, p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:4: read_timeout: '0' is not a number in 1..3600", p);
	ck_assert_str_eq(err, want);

	tvsd_config_defaults(&cfg);
	ck_assert_int_eq(tvsd_config_load(&cfg, "/nonexistent/tvsd.conf", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/tvsd.conf: cannot open: No such file or directory");

	/* A cert line remembers where it was written, for the store's messages. */
	tvsd_config_defaults(&cfg);
	p = write_conf("d.conf", "\n# x\ncert = tvs:/t.pem\n");
	ck_assert_int_eq(tvsd_config_load(&cfg, p, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s:3", p);
	ck_assert_str_eq(cfg.lines[0].origin, want);
}
END_TEST

START_TEST(finish_requires_and_checks_the_key)
{
	char err[1200], want[1200], key[1024];
	const char *p;

	tvsd_config_defaults(&cfg);
	ck_assert_int_eq(tvsd_config_finish(&cfg, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "missing setting: tls_cert (the node's TVS certificate)");
	ck_assert_int_eq(tvsd_config_set(&cfg, "tls_cert", tu_pki("tvs1.pem"), NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(tvsd_config_finish(&cfg, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "missing setting: tls_key (the TVS certificate's key)");
	p = write_conf("tvs.key", "not really a key\n");
	snprintf(key, sizeof(key), "%s", p);
	ck_assert_int_eq(tvsd_config_set(&cfg, "tls_key", key, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(tvsd_config_finish(&cfg, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "missing setting: cert (at least one ROLES:PATH)");
	ck_assert_int_eq(tvsd_config_set(&cfg, "cert", "tvs:/t.pem", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(chmod(key, 0644), 0);
	ck_assert_int_eq(tvsd_config_finish(&cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "tls_key %s: mode 0644 lets group or others read or write it; "
	         "chmod 600 it", key);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(chmod(key, 0600), 0);
	ck_assert_int_eq(tvsd_config_finish(&cfg, err, sizeof(err)), 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tvsd_config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, defaults_and_keys);
	tcase_add_test(tc, roles);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, file_errors_name_file_and_line);
	tcase_add_test(tc, finish_requires_and_checks_the_key);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
