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

#include "priv.h"
#include "tvsd.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,    /* cannot listen */
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3   /* configuration, certificate, key or store unusable */
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t hup_requested;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hup_requested = 1;
	else
		stop_requested = 1;
}

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
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	char shown[INET6_ADDRSTRLEN];
	int fd, one = 1, zero = 0;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, cfg->listen_addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)cfg->port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, cfg->listen_addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)cfg->port);
		sl = sizeof(*s6);
	} else {
		snprintf(err, errlen, "bad listen address %s", cfg->listen_addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* [::] also takes IPv4 phones, whatever the system's bindv6only says. */
	if (fd >= 0 && ss.ss_family == AF_INET6)
		CTL_IGNORE_RESULT(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)));
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 512) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		snprintf(err, errlen, "cannot listen on %s:%u: %s", cfg->listen_addr, cfg->port,
		         strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	inet_ntop(ss.ss_family, ss.ss_family == AF_INET ? (void *)&s4->sin_addr :
	          (void *)&s6->sin6_addr, shown, sizeof(shown));
	tvsd_log(ss.ss_family == AF_INET ? "listening on %s:%u (TLS %s+, client certificates: %s)" :
	         "listening on [%s]:%u (TLS %s+, client certificates: %s)", shown,
	         ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port),
	         cfg->tls_min == 10 ? "1.0" : "1.2",
	         cfg->verify_client == TVSD_CLIENT_NO ? "no" :
	         cfg->verify_client == TVSD_CLIENT_OPTIONAL ? "optional" : "require");
	return fd;
}

struct job {
	struct tvsd_server *srv;
	int fd;
	char peer[80];
	char addr[64];
};

static void *
conn_thread(void *arg)
{
	struct job *j = arg;

	tvsd_conn_serve(j->srv, j->fd, j->peer);
	connlimit_release(&j->srv->limits, j->addr);
	free(j);
	return NULL;
}

static void
peer_names(const struct sockaddr_storage *ss, char *peer, size_t plen, char *addr, size_t alen)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(peer, plen, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(peer, plen, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
	snprintf(addr, alen, "%s", a);
}

/*
 * Refused connections are logged at most once a second, the others counted
 * in the next line: a client reconnecting in a loop must not fill the disk.
 */
struct refusal_log {
	time_t second;
	unsigned more;
};

static void
flush_refusals(struct refusal_log *rl, time_t now)
{
	if (rl->more > 0 && now != rl->second) {
		tvsd_log("%u more connection(s) refused in the same second", rl->more);
		rl->more = 0;
	}
}

static void
note_refusal(struct refusal_log *rl, const char *text)
{
	time_t now = time(NULL);

	if (now == rl->second) {
		rl->more++;
		return;
	}
	flush_refusals(rl, now);
	rl->second = now;
	tvsd_log("%s", text);
}

/* Accepts one connection and hands it to a new thread, within the caps. */
static void
accept_one(struct tvsd_server *srv, int lfd, pthread_attr_t *attr, struct refusal_log *rl)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct job *j;
	pthread_t t;
	int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	char text[256];

	if (fd < 0)
		return; /* EINTR, EAGAIN, ECONNABORTED, EMFILE: try again next round */
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		close(fd);
		return;
	}
	j->srv = srv;
	j->fd = fd;
	peer_names(&ss, j->peer, sizeof(j->peer), j->addr, sizeof(j->addr));
	switch (connlimit_admit(&srv->limits, j->addr)) {
	case CONNLIMIT_OK:
		if (pthread_create(&t, attr, conn_thread, j) == 0)
			return;
		tvsd_log("cannot start a thread for %s; refusing it", j->peer);
		connlimit_release(&srv->limits, j->addr);
		break;
	case CONNLIMIT_FULL:
		snprintf(text, sizeof(text), "connection limit (%u) reached; refusing %s",
		         srv->cfg->max_connections, j->peer);
		note_refusal(rl, text);
		break;
	case CONNLIMIT_ADDR_FULL:
		snprintf(text, sizeof(text), "%s already holds %u connections (max_per_address); "
		         "refusing %s", j->addr, srv->cfg->max_per_address, j->peer);
		note_refusal(rl, text);
		break;
	}
	close(fd);
	free(j);
}

static void
reload(struct tvsd_server *srv)
{
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
	pthread_attr_t attr;
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	struct refusal_log rl = { 0, 0 };
	unsigned waited = 0;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1u << 20);
	while (!stop_requested) {
		if (hup_requested) {
			hup_requested = 0;
			reload(srv);
		}
		if (poll(&pfd, 1, 500) > 0)
			accept_one(srv, lfd, &attr, &rl);
		flush_refusals(&rl, time(NULL));
	}
	close(lfd);
	tvsd_log("stopping: waiting for %u connection(s)", connlimit_active(&srv->limits));
	/* A connection ends within read_timeout for the request and again for the answer. */
	while (connlimit_active(&srv->limits) > 0 && waited < (2 * srv->cfg->read_timeout + 2) * 10) {
		usleep(100000);
		waited++;
	}
	pthread_attr_destroy(&attr);
	tvsd_log("stopped");
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

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	/* A peer that closes while its answer is written must not end the daemon. */
	sigaction(SIGPIPE, &sa, NULL);
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

struct override {
	const char *key;
	const char *val;
};

int
main(int argc, char **argv)
{
	struct override ov[64];
	struct tvsd_config *cfg;
	const char *config = NULL;
	char err[1024];
	size_t nov = 0, i;
	int c, check_only = 0, rc, busy = 0;

	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		char *eq;

		switch (c) {
		case 'c': config = optarg; break;
		case 'C': check_only = 1; break;
		case 'l':
		case 's':
			if (nov == sizeof(ov) / sizeof(ov[0]))
				goto usage;
			if (c == 'l') {
				ov[nov].key = "listen";
				ov[nov++].val = optarg;
				break;
			}
			if ((eq = strchr(optarg, '=')) == NULL)
				goto usage;
			*eq = '\0';
			ov[nov].key = optarg;
			ov[nov++].val = eq + 1;
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
	for (i = 0; i < nov; i++) {
		if (tvsd_config_set(cfg, ov[i].key, ov[i].val, NULL, err, sizeof(err)) != 0) {
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
	install_signals();
	rc = run(cfg, check_only, &busy);
	if (!busy)
		free(cfg);
	return rc;
usage:
	fputs(usage_text, stderr);
	return EXIT_USAGE;
}
