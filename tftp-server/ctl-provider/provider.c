/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-provider: the CTL Provider of one cluster node (TCP 2444, TLS 1.2+),
 * doc/provider-protocol.md and doc/ctl-provider.8.
 *
 * Concurrency: a bounded thread per connection (max_connections, default
 * 256), not the epoll loop ctl-tftpd uses. The work behind a request is
 * blocking and CPU- or memory-heavy: a yescrypt hash (tens of ms, 16 MiB),
 * RSA verification of an uploaded CTL, fsync of the TFTP root. In one event
 * loop each of these would stall every other client; with threads they only
 * stall their own. The bounds that keep this safe: the connection cap, a
 * whole-message deadline per read (prov_tls.c), at most auth_slots password
 * hashes at once (prov_auth.c), one mutex serialising PUT_CTL and SET_MODE
 * (prov_store.c) and one for the login-throttle table. Threads share only
 * struct prov_server, which is read-only apart from those locked parts.
 *
 * Unauthenticated clients are bounded three ways, so that one address
 * cannot lock the administrator out: max_per_address connections per peer
 * address (common/connlimit.c), a login deadline counted from accept, and
 * max_unauth_requests requests before a login (prov_conn.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ctl/secret.h>

#include "listener.h"
#include "logline.h"
#include "priv.h"
#include "provider.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,    /* cannot listen, or --hash-password failed */
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3   /* configuration, certificate or key unusable */
};

static const char usage_text[] =
	"usage: ctl-provider [--config FILE] [--listen ADDR:PORT] [--set KEY=VALUE]... [options]\n"
	"       ctl-provider --hash-password USER [--method yescrypt|sha512] [--credentials FILE]\n"
	"       ctl-provider --check-config [--config FILE] [options]\n";

static const char help_text[] =
	"Serves the node's CTL Provider (TCP 2444, TLS 1.2+): node certificates, the\n"
	"installed CTL, CTL uploads and the cluster security mode.\n"
	"\n"
	"  --config FILE          key = value settings (see node.conf.example)\n"
	"  --listen ADDR:PORT     address and port (default 0.0.0.0:2444; port 0: any)\n"
	"  --tftp-root DIR        TFTP root holding CTLFile.tlv\n"
	"  --credentials FILE     administrator credential file (user:hash lines)\n"
	"  --mode-file FILE       where the security mode is kept\n"
	"  --read-timeout SECS    time a whole request may take (default 10)\n"
	"  --max-connections N    simultaneous connections (default 256)\n"
	"  --login-delay-ms MS    delay after a failed login (default 1000)\n"
	"  --admin ADDR:PORT      status page (/) and Prometheus metrics (/metrics)\n"
	"                         here, read-only (e.g. 127.0.0.1:9444)\n"
	"  --set KEY=VALUE        any config key (repeatable)\n"
	"  --check-config         load the configuration, certificates and key, then exit\n"
	"  --hash-password USER   read a password from standard input and print a\n"
	"                         credential line USER:HASH (with --credentials FILE:\n"
	"                         write it into FILE, created mode 0600)\n"
	"  --method METHOD        yescrypt (default) or sha512, with --hash-password\n"
	"  --syslog               log to syslog(3) (facility daemon), not standard error\n"
	"  --quiet                log notices, warnings and errors only (no line per\n"
	"                         connection, login or request that went well)\n"
	"  --version              print the version\n"
	"  --help                 show this help\n";

/*
 * --hash-password: the line on standard output, or with --credentials FILE
 * written into FILE (prov_cred_put: created 0600, replaced whole).
 */
static int
hash_password_mode(const char *user, const char *method, const char *credfile)
{
	char err[PROV_PATH_MAX + 256];
	int put;
	struct ctl_secret *pw = NULL;
	struct ctl_diag d;
	char hash[512];
	enum ctl_err r;
	size_t i;

	for (i = 0; user[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-",
		           user[i]) == NULL)
			break;
	if (user[i] != '\0' || i == 0 || i > 64) {
		fprintf(stderr, "ctl-provider: user name: 1-64 of A-Z a-z 0-9 . _ @ -\n");
		return EXIT_USAGE;
	}
	if (strcmp(method, "yescrypt") != 0 && strcmp(method, "sha512") != 0) {
		fprintf(stderr, "ctl-provider: --method: yescrypt or sha512\n");
		return EXIT_USAGE;
	}
	/*
	 * libctl's secret prompt: echo off on a terminal (restored on Ctrl-C),
	 * the password in locked memory that is wiped when freed.
	 */
	if ((r = ctl_secret_prompt("Password: ", 1023, CTL_SECRET_STDIN, &pw, &d)) != CTL_OK) {
		if (r == CTL_E_ZERO_LEN)
			fprintf(stderr, "ctl-provider: no password on standard input\n");
		else
			fprintf(stderr, "ctl-provider: password: %s\n", d.msg);
		return EXIT_FAIL;
	}
	i = (size_t)prov_hash_password(method, ctl_secret_str(pw), hash, sizeof(hash));
	ctl_secret_free(pw);
	if (i != 0) {
		fprintf(stderr, "ctl-provider: crypt(3) cannot hash with %s\n", method);
		return EXIT_FAIL;
	}
	if (credfile == NULL) {
		printf("%s:%s\n", user, hash);
		OPENSSL_cleanse(hash, sizeof(hash));
		return EXIT_OK;
	}
	put = prov_cred_put(credfile, user, hash, err, sizeof(err));
	OPENSSL_cleanse(hash, sizeof(hash));
	if (put < 0) {
		fprintf(stderr, "ctl-provider: %s\n", err);
		return EXIT_FAIL;
	}
	fprintf(stderr, "ctl-provider: %s: user %s %s\n", credfile, user, put ? "replaced" : "added");
	return EXIT_OK;
}

/* Binds and listens; logs the actual address (port 0 picks one). */
static CTL_MUST_USE int
open_listener(const struct prov_config *cfg, char *err, size_t errlen)
{
	struct listener_addr a;
	int fd = listener_open(cfg->listen_addr, cfg->port, 0, &a, err, errlen);

	if (fd >= 0)
		prov_logp(LOG_NOTICE, "listening on %s:%u (node %s, TLS 1.2+)", a.host, a.port,
		          cfg->hostname);
	return fd;
}

static void
serve_conn(void *ctx, int fd, const char *peer, const char *addr, const struct timespec *accepted)
{
	prov_conn_serve(ctx, fd, peer, addr, accepted);
}

/*
 * SIGHUP with Security By Default on: the certificate and key files are
 * read again (all or nothing), the ITL rebuilt, every configuration file
 * signed again (a new CallManager key, a new device certificate).
 */
static void
reload_sbd(struct prov_server *srv)
{
	char err[1024];
	int n;

	if (prov_sbd_reload(&srv->sbd, err, sizeof(err)) != 0) {
		prov_logp(LOG_ERR, "SIGHUP: cannot re-read the node identity (%s); keeping the old one", err);
		return;
	}
	prov_logp(LOG_NOTICE, "SIGHUP: node identity re-read");
	CTL_IGNORE_RESULT(prov_itl_rebuild(&srv->sbd, "SIGHUP", err, sizeof(err))); /* logged */
	if (srv->sbd.watch != NULL) {
		n = prov_sgn_scan(&srv->sbd);
		prov_logp(LOG_NOTICE, "SIGHUP: %d configuration file(s) signed again", n);
	}
}

/* SIGHUP. */
static void
reload(void *ctx)
{
	struct prov_server *srv = ctx;

	/* logrotate-style reload: the log is stderr, owned by the supervisor. */
	if (srv->cfg->itl || prov_config_sign_configs(srv->cfg))
		reload_sbd(srv);
	else
		prov_logp(LOG_NOTICE, "SIGHUP: nothing to reload (the credential file is read at every "
		         "login; other settings need a restart); still serving");
}

static int
serve(struct prov_server *srv, int lfd)
{
	struct listener l = {
		.fd = lfd, .limits = &srv->limits, .max_connections = srv->cfg->max_connections,
		.max_per_address = srv->cfg->max_per_address,
		/* Requests finish within read_timeout; a PUT_CTL is never cut off mid-write. */
		.grace = srv->cfg->read_timeout + 5,
		.serve = serve_conn, .reload = reload, .ctx = srv, .log = prov_log,
	};

	listener_run(&l);
	return EXIT_OK;
}

/*
 * After binding: drops to cfg->user, then checks that the credential file
 * is still readable, so a wrong owner shows at startup, not at the first
 * login.
 */
static CTL_MUST_USE int
drop_privileges(const struct prov_config *cfg, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char why[PROV_PATH_MAX + 128];

	if (cfg->user[0] == '\0')
		return 0;
	if (priv_drop(NULL, cfg->user, err, errlen) != 0)
		return -1;
	if (prov_file_read(cfg->credentials, 64u * 1024u, &buf, &len, NULL, why, sizeof(why)) !=
	    PROV_FILE_OK) {
		int w = snprintf(err, errlen, "credentials as user %s: %s", cfg->user, why);

		if (w < 0 || (size_t)w >= errlen)
			snprintf(err, errlen, "credentials unreadable as user %s", cfg->user);
		return -1;
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	prov_log("running as user %s (uid %u)", cfg->user, (unsigned)getuid());
	return 0;
}

/*
 * The credential file as every login will read it (a regular file, not a
 * symbolic link, owner-only): a mistake shows at startup, not as failed
 * logins.
 */
static CTL_MUST_USE int
check_credentials(const struct prov_config *cfg, char *err, size_t errlen)
{
	char hash[512];
	int known = 0, rc;

	rc = prov_auth_lookup(cfg->credentials, "", hash, sizeof(hash), &known, err, errlen);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

static int
run(struct prov_config *cfg, int check_only)
{
	struct prov_server srv;
	char err[1024];
	int lfd, rc = EXIT_CONFIG, n;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	if (kv_secret_mode_check("credentials", cfg->credentials, err, sizeof(err)) != 0 ||
	    kv_secret_mode_check("tls_key", cfg->tls_key, err, sizeof(err)) != 0 ||
	    check_credentials(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "ctl-provider: %s\n", err);
		return EXIT_CONFIG;
	}
	if ((srv.ssl_ctx = prov_tls_ctx(cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "ctl-provider: %s\n", err);
		return EXIT_CONFIG;
	}
	if (prov_auth_init(&srv.auth, cfg) != 0 || prov_store_init(&srv.store, cfg) != 0 ||
	    connlimit_init(&srv.limits, cfg->max_connections, cfg->max_per_address) != 0) {
		fprintf(stderr, "ctl-provider: cannot initialise (paths too long?)\n");
		goto out;
	}
	if (prov_sbd_init(&srv.sbd, cfg, &srv.store, err, sizeof(err)) != 0) {
		fprintf(stderr, "ctl-provider: %s\n", err);
		goto out;
	}
	if (check_only) {
		printf("configuration ok: node %s, %zu certificate(s), TFTP root %s\n", cfg->hostname,
		       cfg->ncerts, cfg->tftp_root);
		rc = EXIT_OK;
		goto out;
	}
	if ((n = prov_store_sweep(&srv.store)) > 0)
		prov_log("removed %d temporary file(s) an interrupted upload left in %s", n,
		         cfg->tftp_root);
	/* The ITL and the signed configurations exist before the node says it listens. */
	if (prov_itl_rebuild(&srv.sbd, "start", err, sizeof(err)) != CTL_PROV_OK)
		prov_logp(LOG_WARNING, "serving no new ITL: %s", err);
	if (prov_sgnwatch_start(&srv.sbd, err, sizeof(err)) != 0) {
		prov_logp(LOG_ERR, "%s", err);
		goto out;
	}
	if ((lfd = open_listener(cfg, err, sizeof(err))) < 0) {
		prov_logp(LOG_ERR, "%s", err);
		rc = EXIT_FAIL;
		goto out;
	}
	/* Bound before the privilege drop, like the service port. */
	if (cfg->admin[0] != '\0' &&
	    (srv.admin = prov_admin_start(&srv, cfg->admin, err, sizeof(err))) == NULL) {
		prov_logp(LOG_ERR, "%s", err);
		close(lfd);
		rc = EXIT_FAIL;
		goto out;
	}
	if (drop_privileges(cfg, err, sizeof(err)) != 0) {
		prov_logp(LOG_ERR, "%s", err);
		close(lfd);
		rc = EXIT_CONFIG;
		goto out;
	}
	rc = serve(&srv, lfd);
out:
	/* Connection threads may still note a login: the admin record goes only when none runs. */
	if (srv.limits.tab == NULL || connlimit_active(&srv.limits) == 0)
		prov_admin_stop(srv.admin);
	/* Connection threads still running after the grace period may still sign: keep the identity. */
	if (srv.limits.tab == NULL || connlimit_active(&srv.limits) == 0)
		prov_sbd_cleanup(&srv.sbd);
	else
		prov_sgnwatch_stop(&srv.sbd);
	/* Connection threads still running after the stop grace period keep the table. */
	if (srv.limits.tab != NULL && connlimit_active(&srv.limits) == 0)
		connlimit_cleanup(&srv.limits);
	SSL_CTX_free(srv.ssl_ctx);
	return rc;
}

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "tftp-root", required_argument, NULL, 'r' },
	{ "credentials", required_argument, NULL, 'u' },
	{ "mode-file", required_argument, NULL, 'm' },
	{ "read-timeout", required_argument, NULL, 't' },
	{ "max-connections", required_argument, NULL, 'n' },
	{ "login-delay-ms", required_argument, NULL, 'd' },
	{ "set", required_argument, NULL, 's' },
	{ "admin", required_argument, NULL, 'A' },
	{ "check-config", no_argument, NULL, 'C' },
	{ "hash-password", required_argument, NULL, 'H' },
	{ "method", required_argument, NULL, 'M' },
	{ "syslog", no_argument, NULL, 'S' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Option letter to config key, for the plain overrides. */
static const char *
option_key(int c)
{
	static const struct { int opt; const char *key; } map[] = {
		{ 'l', "listen" }, { 'r', "tftp_root" }, { 'u', "credentials" },
		{ 'm', "mode_file" }, { 't', "read_timeout" }, { 'n', "max_connections" },
		{ 'd', "login_delay_ms" }, { 'A', "admin" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].opt == c)
			return map[i].key;
	return NULL;
}

int
main(int argc, char **argv)
{
	struct kv_overrides ov = { 0 };
	struct prov_config cfg;
	const char *config = NULL, *hash_user = NULL, *method = "yescrypt";
	char err[1024];
	size_t i;
	int c, check_only = 0, rc;

	prov_log_setup("ctl-provider");
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		const char *key = option_key(c);

		if (key != NULL || c == 's') {
			if (kv_override_add(&ov, key, optarg) != 0)
				goto usage;
			continue;
		}
		switch (c) {
		case 'c': config = optarg; break;
		case 'C': check_only = 1; break;
		case 'H': hash_user = optarg; break;
		case 'M': method = optarg; break;
		case 'S': logline_use_syslog("ctl-provider"); break;
		case 'q': prov_log_quiet(); break;
		case 'V': printf("%s\n", PROV_SOFTWARE_VERSION); return EXIT_OK;
		case 'h': fputs(usage_text, stdout); fputs(help_text, stdout); return EXIT_OK;
		default: goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (hash_user != NULL) {
		const char *credfile = NULL;

		for (i = 0; i < ov.n; i++)
			if (strcmp(ov.ov[i].key, "credentials") == 0)
				credfile = ov.ov[i].val;
		return hash_password_mode(hash_user, method, credfile);
	}

	prov_config_defaults(&cfg);
	if (config != NULL && prov_config_load(&cfg, config, err, sizeof(err)) != 0) {
		fprintf(stderr, "ctl-provider: %s\n", err);
		return EXIT_CONFIG;
	}
	for (i = 0; i < ov.n; i++) {
		if (prov_config_set(&cfg, ov.ov[i].key, ov.ov[i].val, err, sizeof(err)) != 0) {
			fprintf(stderr, "ctl-provider: command line: %s\n", err);
			return EXIT_USAGE;
		}
	}
	if (prov_config_finish(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "ctl-provider: %s\n", err);
		prov_config_cleanup(&cfg);
		return EXIT_CONFIG;
	}
	/* A file-size limit makes the write fail (EFBIG: status IO), not the daemon die. */
	listener_signals(1);
	rc = run(&cfg, check_only);
	prov_config_cleanup(&cfg);
	return rc;
usage:
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
