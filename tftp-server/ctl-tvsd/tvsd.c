/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tvsd: the Trust Verification Service of one cluster node (TCP 2445,
 * TLS), doc/tvs-protocol.md and doc/ctl-tvsd.8.
 *
 * A bounded thread per connection (max_connections), like ctl-provider:
 * each connection is one TLS handshake (RSA private-key work) and one
 * small lookup, and a thread blocked on a slow peer stalls only itself.
 * The bounds: the total cap, max_per_address per peer address (one
 * address cannot take every slot), one deadline for handshake and request
 * (read_timeout), a request of at most 10 + 65535 bytes. The store is
 * immutable and swapped whole on SIGHUP (tvsd_holder.c), together with
 * the TLS identity and the settings of the configuration read again then.
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

#include <openssl/bn.h>
#include <openssl/x509.h>

#include "kvconf.h"
#include "listener.h"
#include "logline.h"
#include "priv.h"
#include "tvsd.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,    /* cannot listen */
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3   /* configuration, certificate, key or store unusable */
};

static const char usage_text[] =
	"usage: ctl-tvsd [--config FILE] [--listen ADDR:PORT] [--set KEY=VALUE]... [--check-config]\n";

static const char help_text[] =
	"Serves the node's Trust Verification Service (TCP 2445, TLS): phones ask\n"
	"whether a certificate is trusted (VERIFY) and for the certificate with an\n"
	"issuer and serial number (QUERY).\n"
	"\n"
	"  --config FILE        key = value settings (see tvsd.conf.example)\n"
	"  --listen ADDR:PORT   address and port (default [::]:2445; port 0: any)\n"
	"  --set KEY=VALUE      any config key (repeatable)\n"
	"  --check-config       load the configuration, key and certificate store, then exit\n"
	"  --syslog             log to syslog(3) (facility daemon), not standard error\n"
	"  --version            print the version\n"
	"  --help               show this help\n"
	"\n"
	"Exit status: 0 stopped by SIGTERM/SIGINT or --check-config passed, 1 cannot\n"
	"listen, 2 usage, 3 configuration, key or certificate store unusable.\n";

/* Binds and listens; logs the actual address (port 0 picks one). */
static CTL_MUST_USE int
open_listener(const struct tvsd_config *cfg, char *err, size_t errlen)
{
	struct listener_addr a;
	/* [::] also takes IPv4 phones, whatever the system's bindv6only says. */
	int fd = listener_open(cfg->listen_addr, cfg->port, 1, &a, err, errlen);

	if (fd < 0)
		return -1;
	tvsd_log(a.family == AF_INET ? "listening on %s:%u (TLS %s+, client certificates: %s)" :
	         "listening on [%s]:%u (TLS %s+, client certificates: %s)", a.host, a.port,
	         cfg->tls_min == 10 ? "1.0" : "1.2",
	         cfg->verify_client == TVSD_CLIENT_NO ? "no" :
	         cfg->verify_client == TVSD_CLIENT_OPTIONAL ? "optional" : "require");
	return fd;
}

static void
serve_conn(void *ctx, int fd, const char *peer, const char *addr, const struct timespec *accepted)
{
	(void)addr;
	(void)accepted;
	tvsd_conn_serve(ctx, fd, peer);
}

/*
 * The configuration: defaults, then the --config file, then the command
 * line's settings on top. At start and again on SIGHUP. Returns 0, or the
 * exit status with the reason in err.
 */
static CTL_MUST_USE int
read_config(struct tvsd_config *cfg, const char *path, const struct kv_overrides *ov,
            char *err, size_t errlen)
{
	char sub[512];
	size_t i;

	tvsd_config_defaults(cfg);
	if (path != NULL && tvsd_config_load(cfg, path, err, errlen) != 0)
		return EXIT_CONFIG;
	for (i = 0; i < ov->n; i++) {
		if (tvsd_config_set(cfg, ov->ov[i].key, ov->ov[i].val, NULL, sub, sizeof(sub)) != 0) {
			snprintf(err, errlen, "command line: %s", sub);
			return EXIT_USAGE;
		}
	}
	if (tvsd_config_finish(cfg, err, errlen) != 0)
		return EXIT_CONFIG;
	return 0;
}

/*
 * One generation: the store of cfg's cert lines with the TLS identity of
 * its tls_cert and tls_key attached (their match checked). Nothing is kept
 * on failure: -1, the file and the reason in err.
 */
static CTL_MUST_USE int
load_generation(const struct tvsd_config *cfg, struct tvsd_store **out, char *err,
                size_t errlen)
{
	SSL_CTX *ctx = tvsd_tls_ctx(cfg, err, errlen);

	*out = NULL;
	if (ctx == NULL)
		return -1;
	if (tvsd_store_load(cfg, out, err, errlen) != 0) {
		SSL_CTX_free(ctx);
		return -1;
	}
	(*out)->ssl_ctx = ctx;
	return 0;
}

/* The serial of the identity's certificate in hex, as `openssl x509 -serial` prints it. */
static void
identity_serial(SSL_CTX *ctx, char *out, size_t cap)
{
	X509 *x = SSL_CTX_get0_certificate(ctx);
	BIGNUM *bn = x != NULL ? ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL) : NULL;
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(out, cap, "%s", hex != NULL ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

/* Settings the running daemon cannot take without a restart: logged when changed. */
static void
log_restart_keys(const struct tvsd_config *run, const struct tvsd_config *now,
                 const char *path)
{
	const char *file = path != NULL ? path : "the configuration";

	if (strcmp(run->listen_addr, now->listen_addr) != 0 || run->port != now->port)
		tvsd_log("SIGHUP: listen changed in %s: needs a restart; still listening on %s%s%s:%u",
		         file, strchr(run->listen_addr, ':') != NULL ? "[" : "", run->listen_addr,
		         strchr(run->listen_addr, ':') != NULL ? "]" : "", run->port);
	if (strcmp(run->user, now->user) != 0)
		tvsd_log("SIGHUP: user changed in %s: needs a restart; still running as %s", file,
		         run->user[0] != '\0' ? run->user : "the starting user");
	if (run->max_connections != now->max_connections)
		tvsd_log("SIGHUP: max_connections changed in %s: needs a restart; still %u", file,
		         run->max_connections);
	if (run->max_per_address != now->max_per_address)
		tvsd_log("SIGHUP: max_per_address changed in %s: needs a restart; still %u", file,
		         run->max_per_address);
}

/*
 * SIGHUP: the configuration read again, then a new generation (store, TLS
 * identity, ttl, read_timeout) swapped in; connections in progress finish
 * with theirs. Any failure keeps the generation in use.
 */
static void
reload(void *ctx)
{
	struct tvsd_server *srv = ctx;
	struct tvsd_config *cfg = malloc(sizeof(*cfg));
	struct tvsd_store *s = NULL;
	char err[1024], serial[128];

	if (cfg == NULL)
		snprintf(err, sizeof(err), "out of memory");
	if (cfg == NULL || read_config(cfg, srv->config_path, srv->ov, err, sizeof(err)) != 0 ||
	    load_generation(cfg, &s, err, sizeof(err)) != 0) {
		s = tvsd_holder_get(&srv->holder);
		tvsd_log("SIGHUP: reload failed: %s; still serving the %zu certificate(s) loaded "
		         "before and the TLS certificate loaded before", err, s->nents);
		tvsd_holder_put(&srv->holder, s);
		free(cfg);
		return;
	}
	log_restart_keys(srv->cfg, cfg, srv->config_path);
	identity_serial(s->ssl_ctx, serial, sizeof(serial));
	tvsd_log("SIGHUP: store reloaded: %zu certificate(s) from %zu cert line(s); TLS "
	         "certificate serial %s (%s)", s->nents, cfg->nlines, serial, cfg->tls_cert);
	tvsd_holder_swap(&srv->holder, s);
	free(cfg);
}

static int
serve(struct tvsd_server *srv, int lfd)
{
	struct listener l = {
		.fd = lfd, .limits = &srv->limits, .max_connections = srv->cfg->max_connections,
		.max_per_address = srv->cfg->max_per_address,
		/* A connection ends within read_timeout for the request and again for the answer. */
		.grace = 2 * srv->cfg->read_timeout + 2,
		.serve = serve_conn, .reload = reload, .ctx = srv, .log = tvsd_log,
	};

	listener_run(&l);
	return EXIT_OK;
}

/*
 * Runs the daemon; *busy is set when connection threads outlived the stop
 * grace period: they still use cfg, which must then not be freed.
 */
static int
run(struct tvsd_config *cfg, const char *config_path, const struct kv_overrides *ov,
    int check_only, int *busy)
{
	struct tvsd_server srv;
	struct tvsd_store *store = NULL;
	char err[1024];
	int lfd, rc = EXIT_CONFIG, held = 0;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	srv.config_path = config_path;
	srv.ov = ov;
	if (load_generation(cfg, &store, err, sizeof(err)) != 0) {
		fprintf(stderr, "ctl-tvsd: %s\n", err);
		goto out;
	}
	if (tvsd_holder_init(&srv.holder, store) != 0) {
		tvsd_store_free(store);
		fprintf(stderr, "ctl-tvsd: cannot initialise\n");
		goto out;
	}
	held = 1;
	if (check_only) {
		printf("configuration ok: %zu certificate(s) in the store\n", store->nents);
		rc = EXIT_OK;
		goto out;
	}
	if (connlimit_init(&srv.limits, cfg->max_connections, cfg->max_per_address) != 0) {
		fprintf(stderr, "ctl-tvsd: cannot initialise the connection table\n");
		goto out;
	}
	tvsd_log("store: %zu certificate(s) from %zu cert line(s)", store->nents, cfg->nlines);
	if (cfg->verify_client != TVSD_CLIENT_NO && cfg->client_ca[0] == '\0')
		tvsd_log("verify_client without client_ca: a client certificate is asked for, "
		         "its issuer is not checked");
	if ((lfd = open_listener(cfg, err, sizeof(err))) < 0) {
		tvsd_log("%s", err);
		rc = EXIT_FAIL;
		goto out;
	}
	if (cfg->user[0] != '\0') {
		if (priv_drop(NULL, cfg->user, err, sizeof(err)) != 0) {
			tvsd_log("%s", err);
			close(lfd);
			goto out;
		}
		tvsd_log("running as user %s (uid %u)", cfg->user, (unsigned)getuid());
	}
	rc = serve(&srv, lfd);
out:
	/* Connection threads still running after the stop grace period keep their store. */
	*busy = srv.limits.tab != NULL && connlimit_active(&srv.limits) > 0;
	if (!*busy) {
		if (held)
			tvsd_holder_cleanup(&srv.holder);
		connlimit_cleanup(&srv.limits);
	}
	return rc;
}

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "set", required_argument, NULL, 's' },
	{ "check-config", no_argument, NULL, 'C' },
	{ "syslog", no_argument, NULL, 'S' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
main(int argc, char **argv)
{
	struct kv_overrides ov = { 0 };
	struct tvsd_config *cfg;
	const char *config = NULL;
	char err[1024];
	int c, check_only = 0, rc, busy = 0;

	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'C': check_only = 1; break;
		case 'S': logline_use_syslog("ctl-tvsd"); break;
		case 'l':
		case 's':
			if (kv_override_add(&ov, c == 'l' ? "listen" : NULL, optarg) != 0)
				goto usage;
			break;
		case 'V': printf("%s\n", TVSD_SOFTWARE_VERSION); return EXIT_OK;
		case 'h': fputs(usage_text, stdout); fputs(help_text, stdout); return EXIT_OK;
		default: goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	/* The config is large (64 cert lines of paths): on the heap, not the stack. */
	if ((cfg = malloc(sizeof(*cfg))) == NULL) {
		fprintf(stderr, "ctl-tvsd: out of memory\n");
		return EXIT_FAIL;
	}
	if ((rc = read_config(cfg, config, &ov, err, sizeof(err))) != 0) {
		fprintf(stderr, "ctl-tvsd: %s\n", err);
		free(cfg);
		return rc;
	}
	listener_signals(0);
	rc = run(cfg, config, &ov, check_only, &busy);
	if (!busy)
		free(cfg);
	return rc;
usage:
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
