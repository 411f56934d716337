/*
 * ctl-provider server pieces without sockets: configuration keys and
 * bounds (prov_config.c), logins with crypt(3) hashes and per-address
 * throttling (prov_auth.c), the CTL store's trust rule, backup, atomic
 * install, sweep and security mode (prov_store.c), and request dispatch
 * with its statuses and MESSAGE items (prov_handlers.c); files read from the
 * TFTP root (prov_file.c) and connection admission (prov_limits.c).
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

/* ---- fixtures ------------------------------------------------------ */

/* A CTL listing sast1, sast2 (or rogue instead of sast1) and ccm1, signed by signer_name. */
static uint8_t *
make_ctl(const char *first_sast, const char *signer_name, int extra, size_t *len)
{
	const char *names[] = { first_sast, "sast2", "ccm1", "ccm2" };
	static const uint16_t roles[] = { CTL_ROLE_SAST, CTL_ROLE_SAST, CTL_ROLE_CCM_TFTP, CTL_ROLE_CCM };
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	char kf[64], cf[64];
	uint8_t *out = NULL;
	size_t i;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	for (i = 0; i < (extra ? 4u : 3u); i++) {
		X509 *x = NULL;

		snprintf(cf, sizeof(cf), "%s.pem", names[i]);
		ck_assert_int_eq(ctl_cert_load(tu_pki(cf), &x, &d), CTL_OK);
		ck_assert_int_eq(ctl_builder_add_cert(b, x, roles[i], NULL, NULL, &d), CTL_OK);
		X509_free(x);
	}
	snprintf(kf, sizeof(kf), "%s.key", signer_name);
	snprintf(cf, sizeof(cf), "%s.pem", signer_name);
	ck_assert_msg(ctl_signer_new_pem(tu_pki(kf), tu_pki(cf), &s, &d) == CTL_OK, "%s", d.msg);
	ck_assert_msg(ctl_builder_sign(b, s, &out, len, &d) == CTL_OK, "%s", d.msg);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

static void
node_config(struct prov_config *c, const char *dir)
{
	char err[256];

	prov_config_defaults(c);
	snprintf(c->hostname, sizeof(c->hostname), "cucm-pub.example.lab");
	snprintf(c->tftp_root, sizeof(c->tftp_root), "%s", dir);
	snprintf(c->credentials, sizeof(c->credentials), "%s/creds", dir);
	snprintf(c->mode_file, sizeof(c->mode_file), "%s/mode", dir);
	ck_assert_int_eq(prov_config_set(c, "ipv4", "192.0.2.11", err, sizeof(err)), 0);
	c->login_delay_ms = 0;
	c->throttle_failures = 3;
}

static void
write_creds(const char *path, const char *method)
{
	char hash[512];
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(prov_hash_password(method, "secret", hash, sizeof(hash)), 0);
	fprintf(fp, "# administrators\nops:%s\nadmin:%s\n", hash, hash);
	fclose(fp);
	ck_assert_int_eq(chmod(path, 0600), 0);
}

static void
put_file(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	ck_assert_int_eq(fclose(fp), 0);
}

static int
same_file(const char *path, const uint8_t *p, size_t n)
{
	size_t len = 0;
	uint8_t *b = tu_read(path, &len);
	int same = len == n && memcmp(b, p, n) == 0;

	free(b);
	return same;
}

/* ---- config -------------------------------------------------------- */

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

/* ---- auth ---------------------------------------------------------- */

START_TEST(auth_ok_and_bad)
{
	static const char *const methods[] = { "sha512", "yescrypt" };
	struct prov_config c;
	struct prov_auth a;
	char msg[256];

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, methods[_i]);
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "ops", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "Secret", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "nobody", "secret", msg, sizeof(msg)), PROV_AUTH_BAD);
	/* A prefix of a user name is not that user. */
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.2", "adm", "secret", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.2", "# administrators", "secret", msg, sizeof(msg)), PROV_AUTH_BAD);
	prov_auth_cleanup(&a);
}
END_TEST

START_TEST(auth_throttle)
{
	struct prov_config c;
	struct prov_auth a;
	char msg[256];
	int i;

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, "sha512");
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	/* Success clears the count. */
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "x", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "x", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "x", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_THROTTLED);
	ck_assert_str_eq(msg, "3 failed logins within 300 s");
	/* Another address is not affected. */
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.9", "admin", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	/* The window over, the address may try again. */
	for (i = 0; i < PROV_THROTTLE_SLOTS; i++)
		if (strcmp(a.slots[i].addr, "10.0.0.1") == 0)
			a.slots[i].first -= 301;
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	prov_auth_cleanup(&a);
}
END_TEST

START_TEST(auth_no_file)
{
	struct prov_config c;
	struct prov_auth a;
	char msg[256];

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_ERROR);
	ck_assert_ptr_nonnull(strstr(msg, "credential file: "));
	ck_assert_ptr_nonnull(strstr(msg, "/creds: no such file"));
	ck_assert_int_eq(prov_hash_password("md5", "x", msg, sizeof(msg)), -1);
	prov_auth_cleanup(&a);
}
END_TEST

/* ---- store --------------------------------------------------------- */

START_TEST(store_install_and_trust)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	char msg[768], path[PROV_PATH_MAX + 32];
	size_t la, lb, lr, len;
	uint8_t *a = make_ctl("sast1", "sast1", 0, &la), *b = make_ctl("sast1", "sast2", 1, &lb);
	uint8_t *r = make_ctl("rogue", "rogue", 0, &lr), *got = NULL;

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_uint_eq(prov_store_get(&s, &got, &len, msg, sizeof(msg)), CTL_PROV_NOT_FOUND);
	ck_assert_str_eq(msg, "no CTL installed");
	ck_assert_uint_eq(prov_store_info(&s, &info, msg, sizeof(msg)), CTL_PROV_NOT_FOUND);
	/* First installation: no trust check. */
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(info.length, la);
	ck_assert_msg(same_file(s.ctl_path, a, la), "CTLFile.tlv is a");
	/* Signed by sast2, listed in a: accepted; a kept as the backup. */
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_msg(same_file(s.ctl_path, b, lb), "CTLFile.tlv is b");
	ck_assert_msg(same_file(s.bak_path, a, la), "CTLFile.tlv.bak is a");
	/* Signed by a token b does not list. */
	ck_assert_uint_eq(prov_store_put(&s, r, lr, 0, &info, msg, sizeof(msg)), CTL_PROV_CTL_NOT_TRUSTED);
	ck_assert_ptr_nonnull(strstr(msg, "is not a SAST of the trusted file"));
	ck_assert_msg(same_file(s.ctl_path, b, lb), "unchanged after the refusal");
	ck_assert_msg(same_file(s.bak_path, a, la), "backup unchanged after the refusal");
	/* With OVERRIDE. */
	ck_assert_uint_eq(prov_store_put(&s, r, lr, 1, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_msg(same_file(s.ctl_path, r, lr), "override installed");
	ck_assert_uint_eq(prov_store_get(&s, &got, &len, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(len, lr);
	free(got);
	snprintf(path, sizeof(path), "%s/.CTLFile.tlv.abc123", c.tftp_root);
	ck_assert_int_eq(ctl_write_atomic(path, "x", 1, 0644, NULL), CTL_OK);
	ck_assert_int_eq(prov_store_sweep(&s), 1);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(access(s.ctl_path, F_OK), 0);
	prov_store_cleanup(&s);
	free(a);
	free(b);
	free(r);
}
END_TEST

START_TEST(store_refusals)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	char msg[768];
	size_t la, lb;
	uint8_t *a = make_ctl("sast1", "sast1", 0, &la), *b = make_ctl("sast1", "sast2", 1, &lb);

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	/* Truncated. */
	ck_assert_uint_eq(prov_store_put(&s, b, lb / 2, 0, &info, msg, sizeof(msg)), CTL_PROV_CTL_MALFORMED);
	ck_assert_ptr_nonnull(strstr(msg, "offset "));
	/* One bit flipped inside the signed records. */
	b[lb - 40] ^= 1;
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 0, &info, msg, sizeof(msg)), CTL_PROV_CTL_SIGNATURE);
	ck_assert_ptr_nonnull(strstr(msg, "signature does not verify"));
	b[lb - 40] ^= 1;
	ck_assert_msg(same_file(s.ctl_path, a, la), "unchanged");
	/* An installed file that no longer parses cannot vouch: OVERRIDE needed. */
	ck_assert_int_eq(ctl_write_atomic(s.ctl_path, "junk", 4, 0644, NULL), CTL_OK);
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 0, &info, msg, sizeof(msg)), CTL_PROV_CTL_NOT_TRUSTED);
	ck_assert_ptr_nonnull(strstr(msg, "the installed CTL does not parse"));
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 1, &info, msg, sizeof(msg)), CTL_PROV_OK);
	prov_store_cleanup(&s);
	free(a);
	free(b);
}
END_TEST

START_TEST(store_mode)
{
	struct prov_config c;
	struct prov_store s;
	char msg[256];
	size_t len = 0;
	uint8_t *f;

	node_config(&c, tu_tmpdir());
	c.initial_mode = 1;
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_uint_eq(prov_store_mode(&s), 1);
	ck_assert_uint_eq(prov_store_set_mode(&s, 0, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(prov_store_mode(&s), 0);
	f = tu_read(s.mode_path, &len);
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(f, "0\n", 2);
	free(f);
	ck_assert_int_eq(ctl_write_atomic(s.mode_path, "7\n", 2, 0644, NULL), CTL_OK);
	ck_assert_uint_eq(prov_store_mode(&s), 1); /* garbage: the configured mode */
	snprintf(s.mode_path, sizeof(s.mode_path), "/nonexistent-dir/mode");
	ck_assert_uint_eq(prov_store_set_mode(&s, 1, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_ptr_nonnull(strstr(msg, "cannot store the security mode"));
	prov_store_cleanup(&s);
}
END_TEST

/* ---- hardening ----------------------------------------------------- */

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

/* The credential file and the TLS key: refused when group or others may read them. */
START_TEST(secret_modes)
{
	const char *dir = tu_tmpdir();
	char path[PROV_PATH_MAX + 16], err[4096], want[4096], msg[4096];
	struct prov_config c;
	struct prov_auth a;

	node_config(&c, dir);
	write_creds(c.credentials, "sha512");
	ck_assert_int_eq(prov_secret_mode_check("credentials", c.credentials, err, sizeof(err)), 0);
	ck_assert_int_eq(chmod(c.credentials, 0640), 0);
	ck_assert_int_eq(prov_secret_mode_check("credentials", c.credentials, err, sizeof(err)), -1);
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
	ck_assert_int_eq(prov_secret_mode_check("tls_key", path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "tls_key %s: mode 0604", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
}
END_TEST

struct par_login {
	struct prov_auth *a;
	pthread_barrier_t *start;
	enum prov_auth_result r;
};

static void *
par_login_one(void *arg)
{
	struct par_login *p = arg;
	char msg[256];

	pthread_barrier_wait(p->start);
	p->r = prov_auth_check(p->a, "10.0.0.7", "admin", "wrong", msg, sizeof(msg));
	return NULL;
}

/* 60 wrong logins at once from one address, throttle_failures 5: 5 evaluated. */
START_TEST(auth_parallel_failures_reserved)
{
	enum { N = 60 };
	struct par_login p[N];
	pthread_t t[N];
	pthread_barrier_t start;
	struct prov_config c;
	struct prov_auth a;
	unsigned bad = 0, throttled = 0, i;

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, "sha512");
	c.throttle_failures = 5;
	c.auth_slots = 64;
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, N), 0);
	for (i = 0; i < N; i++) {
		p[i].a = &a;
		p[i].start = &start;
		ck_assert_int_eq(pthread_create(&t[i], NULL, par_login_one, &p[i]), 0);
	}
	for (i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		bad += p[i].r == PROV_AUTH_BAD;
		throttled += p[i].r == PROV_AUTH_THROTTLED;
	}
	ck_assert_uint_eq(bad, 5);
	ck_assert_uint_eq(throttled, N - 5);
	pthread_barrier_destroy(&start);
	prov_auth_cleanup(&a);
}
END_TEST

struct slow_login {
	struct prov_auth *a;
	enum prov_auth_result r;
};

static void *
slow_login_one(void *arg)
{
	struct slow_login *p = arg;
	char msg[256];

	p->r = prov_auth_check(p->a, "10.0.0.8", "admin", "wrong", msg, sizeof(msg));
	return NULL;
}

/* While a login from an address is evaluated, another from it waits (here: gives up). */
START_TEST(auth_one_login_per_address)
{
	struct prov_config c;
	struct prov_auth a;
	struct slow_login sl;
	pthread_t t;
	char msg[256];
	int i, busy = 0;

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, "sha512");
	c.throttle_failures = 100;
	c.login_delay_ms = 4000; /* holds the first login in progress */
	c.read_timeout = 1;      /* how long the second one waits for it */
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	sl.a = &a;
	ck_assert_int_eq(pthread_create(&t, NULL, slow_login_one, &sl), 0);
	for (i = 0; i < 200 && !busy; i++) {
		size_t k;

		usleep(10000);
		pthread_mutex_lock(&a.lock);
		for (k = 0; k < PROV_THROTTLE_SLOTS; k++)
			busy |= a.slots[k].busy && strcmp(a.slots[k].addr, "10.0.0.8") == 0;
		pthread_mutex_unlock(&a.lock);
	}
	ck_assert_msg(busy, "the first login is in progress");
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.8", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_THROTTLED);
	ck_assert_str_eq(msg, "another login from this address is still in progress");
	/* Another address is not held up. */
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.9", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_OK);
	pthread_join(t, NULL);
	ck_assert_int_eq(sl.r, PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.8", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_OK);
	prov_auth_cleanup(&a);
}
END_TEST

/* An unknown user is hashed with the method and cost of the file's entries. */
START_TEST(auth_dummy_same_method)
{
	static const char *const methods[] = { "sha512", "yescrypt" };
	struct prov_config c;
	char hash[512], entry[512], msg[256], *line, *colon, *last;
	uint8_t *text;
	size_t len;
	int known = 1;

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, methods[_i]);
	text = tu_read(c.credentials, &len);
	line = strstr((char *)text, "\nops:");
	ck_assert_ptr_nonnull(line);
	colon = strchr(line, ':');
	snprintf(entry, sizeof(entry), "%.*s", (int)strcspn(colon + 1, "\n"), colon + 1);
	free(text);
	ck_assert_int_eq(prov_auth_lookup(c.credentials, "admin", hash, sizeof(hash), &known, msg,
	                                  sizeof(msg)), 0);
	ck_assert_int_eq(known, 1);
	ck_assert_str_eq(hash, entry);
	ck_assert_int_eq(prov_auth_lookup(c.credentials, "mallory", hash, sizeof(hash), &known, msg,
	                                  sizeof(msg)), 0);
	ck_assert_int_eq(known, 0);
	/* The dummy is the entry's setting: method, cost and salt, without the hash. */
	last = strrchr(entry, '$');
	*last = '\0';
	ck_assert_str_eq(hash, entry);
	ck_assert_mem_eq(hash, methods[_i][0] == 's' ? "$6$" : "$y$", 3);
}
END_TEST

/* A symbolic link named CTLFile.tlv: refused everywhere, never followed, never a backup. */
START_TEST(store_symlink_refused)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	char msg[4096], secret[PROV_PATH_MAX + 16], want[4096];
	uint8_t *got = NULL, *a;
	size_t len = 99, la;

	a = make_ctl("sast1", "sast1", 0, &la);
	node_config(&c, tu_tmpdir());
	c.allow_override = 1;
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	snprintf(secret, sizeof(secret), "%s/secret", c.tftp_root);
	put_file(secret, "TOP-SECRET-KEY-MATERIAL", 23);
	ck_assert_int_eq(chmod(secret, 0600), 0);
	ck_assert_int_eq(symlink(secret, s.ctl_path), 0);
	snprintf(want, sizeof(want), "the installed CTL cannot be used: %s is a symbolic link; "
	         "refusing to follow it", s.ctl_path);
	ck_assert_uint_eq(prov_store_get(&s, &got, &len, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_ptr_null(got);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_info(&s, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 1, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_int_ne(access(s.bak_path, F_OK), 0);
	ck_assert_msg(same_file(secret, (const uint8_t *)"TOP-SECRET-KEY-MATERIAL", 23), "target intact");
	prov_store_cleanup(&s);
	free(a);
}
END_TEST

/* A FIFO named CTLFile.tlv: every request answers at once (the tcase timeout catches a hang). */
START_TEST(store_fifo_refused)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	char msg[4096], want[4096];
	uint8_t *got = NULL, *a;
	size_t len = 0, la;

	a = make_ctl("sast1", "sast1", 0, &la);
	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_int_eq(mkfifo(s.ctl_path, 0644), 0);
	snprintf(want, sizeof(want), "the installed CTL cannot be used: %s is a FIFO, not a regular "
	         "file; refusing it", s.ctl_path);
	ck_assert_uint_eq(prov_store_info(&s, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_get(&s, &got, &len, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_ptr_null(got);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_set_mode(&s, 1, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(prov_store_mode(&s), 1);
	prov_store_cleanup(&s);
	free(a);
}
END_TEST

/*
 * The install replaces the name (a new inode): a reader holding the old
 * file (ctl-tftpd mid-transfer) keeps the old bytes whole. An in-place
 * rewrite would change them under it. The backup never is a file that
 * does not parse, and never more readable than the original.
 */
START_TEST(store_install_replaces_name)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	struct stat sb;
	char msg[768], held[PROV_PATH_MAX + 40];
	size_t la, lb;
	uint8_t *a = make_ctl("sast1", "sast1", 0, &la), *b = make_ctl("sast1", "sast2", 1, &lb);

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_int_eq(chmod(s.ctl_path, 0600), 0);
	snprintf(held, sizeof(held), "%s/held", c.tftp_root);
	ck_assert_int_eq(link(s.ctl_path, held), 0);
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_msg(same_file(s.ctl_path, b, lb), "CTLFile.tlv is b");
	ck_assert_msg(same_file(held, a, la), "the old inode still holds a, whole");
	ck_assert_msg(same_file(s.bak_path, a, la), "CTLFile.tlv.bak is a");
	ck_assert_int_eq(stat(s.bak_path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	/* A file that does not parse, replaced with OVERRIDE: not kept as the backup. */
	put_file(s.ctl_path, "junk", 4);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 1, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_ptr_nonnull(strstr(msg, "did not parse and was not kept as the backup"));
	ck_assert_msg(same_file(s.bak_path, a, la), "backup still the last CTL that parsed");
	ck_assert_msg(same_file(s.ctl_path, a, la), "installed");
	prov_store_cleanup(&s);
	free(a);
	free(b);
}
END_TEST

START_TEST(limits_per_address)
{
	struct prov_limits l;
	unsigned i;

	ck_assert_int_eq(prov_limits_init(&l, 10, 3), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(prov_limits_admit(&l, "127.0.0.1"), PROV_ADMIT_OK);
	ck_assert_int_eq(prov_limits_admit(&l, "127.0.0.1"), PROV_ADMIT_ADDR_FULL);
	ck_assert_int_eq(prov_limits_admit(&l, "127.0.0.2"), PROV_ADMIT_OK);
	ck_assert_uint_eq(prov_limits_active(&l), 4);
	prov_limits_release(&l, "127.0.0.1");
	ck_assert_int_eq(prov_limits_admit(&l, "127.0.0.1"), PROV_ADMIT_OK);
	for (i = 3; i < 9; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.0.0.%u", i);
		ck_assert_int_eq(prov_limits_admit(&l, a), PROV_ADMIT_OK);
	}
	ck_assert_uint_eq(prov_limits_active(&l), 10);
	ck_assert_int_eq(prov_limits_admit(&l, "10.9.9.9"), PROV_ADMIT_FULL);
	prov_limits_release(&l, "10.0.0.3");
	ck_assert_int_eq(prov_limits_admit(&l, "10.9.9.9"), PROV_ADMIT_OK);
	prov_limits_cleanup(&l);
}
END_TEST

/* ---- dispatch ------------------------------------------------------ */

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
	r->conn.fd = -1;
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

/* The login deadline binds until a LOGIN succeeds, the read timeout after. */
START_TEST(conn_login_deadline)
{
	struct rig r;
	struct timespec now;

	rig_init(&r);
	clock_gettime(CLOCK_MONOTONIC, &now);
	r.conn.login_deadline = now;
	r.conn.login_deadline.tv_sec += 3;
	ck_assert_int_eq(prov_conn_deadline(&r.conn, 10), 1);
	ck_assert_int_eq(r.conn.deadline.tv_sec, r.conn.login_deadline.tv_sec);
	ck_assert_int_eq(prov_conn_deadline(&r.conn, 1), 0);
	ck_assert_int_le(r.conn.deadline.tv_sec, now.tv_sec + 2);
	ck_assert_uint_eq(rig_login(&r, "admin", "secret"), CTL_PROV_OK);
	ck_assert_int_eq(prov_conn_deadline(&r.conn, 10), 0);
	ck_assert_int_ge(r.conn.deadline.tv_sec, now.tv_sec + 10);
	rig_cleanup(&r);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_server");
	TCase *cfg = tcase_create("config"), *auth = tcase_create("auth");
	TCase *store = tcase_create("store"), *disp = tcase_create("dispatch");

	tcase_add_test(cfg, config_keys);
	tcase_add_loop_test(cfg, config_bad_values, 0, 11);
	tcase_add_test(cfg, config_file);
	tcase_add_test(cfg, config_finish_loads_certs);
	tcase_add_test(cfg, config_hardening_keys);
	tcase_add_test(cfg, secret_modes);
	tcase_add_test(cfg, limits_per_address);
	suite_add_tcase(s, cfg);
	tcase_set_timeout(auth, 60);
	tcase_add_loop_test(auth, auth_ok_and_bad, 0, 2);
	tcase_add_test(auth, auth_throttle);
	tcase_add_test(auth, auth_no_file);
	tcase_add_test(auth, auth_parallel_failures_reserved);
	tcase_add_test(auth, auth_one_login_per_address);
	tcase_add_loop_test(auth, auth_dummy_same_method, 0, 2);
	suite_add_tcase(s, auth);
	tcase_set_timeout(store, 60);
	tcase_add_test(store, store_install_and_trust);
	tcase_add_test(store, store_refusals);
	tcase_add_test(store, store_mode);
	tcase_add_test(store, store_symlink_refused);
	tcase_add_test(store, store_fifo_refused);
	tcase_add_test(store, store_install_replaces_name);
	suite_add_tcase(s, store);
	tcase_set_timeout(disp, 60);
	tcase_add_test(disp, dispatch_login_gate);
	tcase_add_test(disp, dispatch_requests);
	tcase_add_test(disp, dispatch_nonzero_status);
	tcase_add_test(disp, dispatch_override_and_mode_gated);
	tcase_add_test(disp, dispatch_unauth_request_cap);
	tcase_add_test(disp, conn_login_deadline);
	suite_add_tcase(s, disp);
	return s;
}

CTL_TEST_MAIN(make_suite)
