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
 * immutable and swapped whole on SIGHUP (tvsd_holder.c).
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

#include "kvconf.h"
#include "listener.h"
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

static void
reload(void *ctx)
{
	struct tvsd_server *srv = ctx;
	char err[1024];
	struct tvsd_store *s;

	if (tvsd_holder_reload(&srv->holder, srv->cfg, err, sizeof(err)) != 0) {
		s = tvsd_holder_get(&srv->holder);
		tvsd_log("SIGHUP: reload failed: %s; still serving the %zu certificate(s) loaded "
		         "before", err, s->nents);
		tvsd_holder_put(&srv->holder, s);
		return;
	}
	s = tvsd_holder_get(&srv->holder);
	tvsd_log("SIGHUP: store reloaded: %zu certificate(s)", s->nents);
	tvsd_holder_put(&srv->holder, s);
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
run(struct tvsd_config *cfg, int check_only, int *busy)
{
	struct tvsd_server srv;
	struct tvsd_store *store = NULL;
	char err[1024];
	int lfd, rc = EXIT_CONFIG, held = 0;

	memset(&srv, 0, sizeof(srv));
	srv.cfg = cfg;
	if ((srv.ssl_ctx = tvsd_tls_ctx(cfg, err, sizeof(err))) == NULL ||
	    tvsd_store_load(cfg, &store, err, sizeof(err)) != 0) {
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
		SSL_CTX_free(srv.ssl_ctx);
	}
	return rc;
}

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "listen", required_argument, NULL, 'l' },
	{ "set", required_argument, NULL, 's' },
	{ "check-config", no_argument, NULL, 'C' },
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
	size_t i;
	int c, check_only = 0, rc, busy = 0;

	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'C': check_only = 1; break;
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
	tvsd_config_defaults(cfg);
	if (config != NULL && tvsd_config_load(cfg, config, err, sizeof(err)) != 0) {
		fprintf(stderr, "ctl-tvsd: %s\n", err);
		free(cfg);
		return EXIT_CONFIG;
	}
	for (i = 0; i < ov.n; i++) {
		if (tvsd_config_set(cfg, ov.ov[i].key, ov.ov[i].val, NULL, err, sizeof(err)) != 0) {
			fprintf(stderr, "ctl-tvsd: command line: %s\n", err);
			free(cfg);
			return EXIT_USAGE;
		}
	}
	if (tvsd_config_finish(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "ctl-tvsd: %s\n", err);
		free(cfg);
		return EXIT_CONFIG;
	}
	listener_signals(0);
	rc = run(cfg, check_only, &busy);
	if (!busy)
		free(cfg);
	return rc;
usage:
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
