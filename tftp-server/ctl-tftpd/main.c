/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tftpd: read-only TFTP service for CTL, ITL and per-device files.
 * Parses the options into one struct tftp_config, binds, drops privileges
 * and runs the event loop until SIGTERM/SIGINT (SIGHUP reloads, SIGUSR1
 * logs the counters). Exit status: 0 after a signal, 1 when the service
 * cannot start, 2 for usage errors (doc/ctl-tftpd.8).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <ctl/ctl.h>

#include "logline.h"
#include "loop.h"
#include "sdnotify.h"
#include "priv.h"
#include "tftp_admin.h"
#include "tftp_server.h"

#define PROG "ctl-tftpd"

enum {
	OPT_TIMEOUT = 256, OPT_MAX_TIMEOUT, OPT_RETRIES, OPT_MTU, OPT_MAX_BLKSIZE,
	OPT_MAX_WINDOW, OPT_RCVBUF, OPT_MAX_FILE, OPT_CACHE, OPT_HARDLINKS, OPT_NO_INOTIFY,
	OPT_WRQ_ERROR, OPT_STATUS, OPT_ADMIT,
	OPT_QUEUE, OPT_SOURCE_QUEUE, OPT_SOURCE_RATE, OPT_MAX_LIFETIME,
	OPT_ADMIN, OPT_HTTP, OPT_HTTP_MAX_CONNS, OPT_HTTP_SOURCE_CONNS, OPT_HTTP_HEADER_TIMEOUT, OPT_HTTP_SEND_TIMEOUT,
	OPT_ROLLOUT_STATE, OPT_ROLLOUT_FORGET, OPT_NO_ROLLOUT, OPT_SYSLOG
};

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "root", required_argument, NULL, 'r' },
	{ "http", required_argument, NULL, OPT_HTTP },
	{ "http-max-conns", required_argument, NULL, OPT_HTTP_MAX_CONNS },
	{ "http-source-conns", required_argument, NULL, OPT_HTTP_SOURCE_CONNS },
	{ "http-header-timeout", required_argument, NULL, OPT_HTTP_HEADER_TIMEOUT },
	{ "http-send-timeout", required_argument, NULL, OPT_HTTP_SEND_TIMEOUT },
	{ "admin", required_argument, NULL, OPT_ADMIN },
	{ "user", required_argument, NULL, 'u' },
	{ "chroot", no_argument, NULL, 'c' },
	{ "max-transfers", required_argument, NULL, 'm' },
	{ "admit", required_argument, NULL, OPT_ADMIT },
	{ "queue", required_argument, NULL, OPT_QUEUE },
	{ "source-queue", required_argument, NULL, OPT_SOURCE_QUEUE },
	{ "source-rate", required_argument, NULL, OPT_SOURCE_RATE },
	{ "max-lifetime", required_argument, NULL, OPT_MAX_LIFETIME },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-timeout", required_argument, NULL, OPT_MAX_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "max-blksize", required_argument, NULL, OPT_MAX_BLKSIZE },
	{ "max-windowsize", required_argument, NULL, OPT_MAX_WINDOW },
	{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
	{ "max-file-size", required_argument, NULL, OPT_MAX_FILE },
	{ "cache-size", required_argument, NULL, OPT_CACHE },
	{ "allow-hardlinks", no_argument, NULL, OPT_HARDLINKS },
	{ "no-inotify", no_argument, NULL, OPT_NO_INOTIFY },
	{ "wrq-error", required_argument, NULL, OPT_WRQ_ERROR },
	{ "status-interval", required_argument, NULL, OPT_STATUS },
	{ "rollout-state", required_argument, NULL, OPT_ROLLOUT_STATE },
	{ "rollout-forget", required_argument, NULL, OPT_ROLLOUT_FORGET },
	{ "no-rollout", no_argument, NULL, OPT_NO_ROLLOUT },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [options]\n"
	    "Read-only TFTP service for CTL, ITL and per-device files.\n"
	    "\n"
	    "  -l, --listen ADDR:PORT   listen here (repeatable; default 0.0.0.0:69 and [::]:69)\n"
	    "  -r, --root DIR           directory served (default /srv/tftp)\n"
	    "      --http ADDR:PORT     also serve the files over HTTP here (repeatable;\n"
	    "                           CUCM uses TCP 6970, e.g. [::]:6970)\n"
	    "      --http-max-conns N   HTTP connections open at once (default 10000)\n"
	    "      --http-source-conns N  of those, from one client address (default 64)\n"
	    "      --http-header-timeout MS  a request head must arrive within MS (default 10000)\n"
	    "      --http-send-timeout MS    an answer must progress within MS (default 30000)\n"
	    "      --admin ADDR:PORT    status page (/) and Prometheus metrics (/metrics)\n"
	    "                           here, read-only (e.g. 127.0.0.1:9069)\n"
	    "  -u, --user USER          drop privileges to USER after binding\n"
	    "  -c, --chroot             chroot into the root directory after binding\n"
	    "  -m, --max-transfers N    Max Serving Count: concurrent transfers (default 10000)\n"
	    "      --admit N            start at most N transfers at once; later requests wait\n"
	    "                           in the admission queue (default 256, 0 = no limit)\n"
	    "      --queue N            requests waiting for a transfer slot (default 4096)\n"
	    "      --source-queue N     of those, from one client address (default 1024)\n"
	    "      --source-rate N      new requests per second from one client address\n"
	    "                           (default 0: no limit)\n"
	    "      --max-lifetime S     longest life of one transfer (default 60)\n"
	    "      --timeout MS         first retransmission timeout (default 1000)\n"
	    "      --max-timeout MS     backoff ceiling (default 8000)\n"
	    "      --retries N          retransmissions before giving up (default 6)\n"
	    "      --mtu N              path MTU capping blksize (default 1500: 1468 IPv4, 1448 IPv6)\n"
	    "      --max-blksize N      explicit blksize cap (8..65464; overrides --mtu)\n"
	    "      --max-windowsize N   windowsize cap (1..65535, default 64)\n"
	    "      --rcvbuf BYTES       request/transfer socket receive buffer (default 16777216)\n"
	    "      --max-file-size BYTES  largest file served (default 268435456)\n"
	    "      --cache-size BYTES   bytes of files kept in memory (default 536870912)\n"
	    "      --allow-hardlinks    serve files that have several hard links\n"
	    "      --no-inotify         check files with stat on every request\n"
	    "      --wrq-error CODE     ERROR code for write requests: 2 or 4 (default 2)\n"
	    "      --status-interval S  log the counters every S seconds (default 0: SIGUSR1 only)\n"
	    "      --rollout-state FILE keep what each phone was served in FILE (restored at\n"
	    "                           start; default $STATE_DIRECTORY/rollout.state under\n"
	    "                           systemd, else in memory only); SIGUSR1 writes it now\n"
	    "      --rollout-forget DAYS  forget phones not seen for DAYS (default 30, 0 = never)\n"
	    "      --no-rollout         do not track what phones were served\n"
	    "      --syslog             log to syslog(3) (facility daemon), not standard error\n"
	    "  -q, --quiet              errors and status lines only\n"
	    "  -v, --verbose            also retransmissions and duplicate requests\n"
	    "  -h, --help               this help\n"
	    "  -V, --version            version\n");
}

CTL_MUST_USE static int
num_arg(const char *opt, const char *s, unsigned long long min, unsigned long long max,
        unsigned long long *v)
{
	if (ctl_parse_uint(s, min, max, v) == CTL_OK)
		return 0;
	fprintf(stderr, PROG ": --%s: expected a number in %llu..%llu, got '%s'\n", opt, min, max, s);
	return -1;
}

static void
config_defaults(struct tftp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->root = "/srv/tftp";
	c->max_transfers = 10000;
	c->admit = 256;
	c->queue_max = 4096;
	c->source_queue = 1024;
	c->max_lifetime_s = 60;
	c->timeout_ms = 1000;
	c->max_timeout_ms = 8000;
	c->retries = 6;
	c->mtu = 1500;
	c->windowsize_max = 64;
	c->rcvbuf = 16u << 20;
	c->max_file = 256u << 20;
	c->cache_max = 512u << 20;
	c->wrq_error = TFTP_EACCESS;
	c->loglevel = TFTP_LOG_INFO;
	c->http.max_conns = 10000;
	c->http.source_conns = 64;
	c->http.lim.header_timeout_ms = 10000;
	c->http.lim.send_timeout_ms = 30000;
	c->rollout_forget_days = 30;
}

/* One numeric option into its config field. */
CTL_MUST_USE static int
set_number(struct tftp_config *c, int opt, const char *name, const char *arg)
{
	unsigned long long v;

	switch (opt) {
	case 'm': if (num_arg(name, arg, 1, 1000000, &v)) return -1; c->max_transfers = (unsigned)v; break;
	case OPT_TIMEOUT: if (num_arg(name, arg, 10, 255000, &v)) return -1; c->timeout_ms = (unsigned)v; break;
	case OPT_MAX_TIMEOUT: if (num_arg(name, arg, 10, 255000, &v)) return -1; c->max_timeout_ms = (unsigned)v; break;
	case OPT_RETRIES: if (num_arg(name, arg, 0, 1000, &v)) return -1; c->retries = (unsigned)v; break;
	case OPT_MTU: if (num_arg(name, arg, 68, 65535, &v)) return -1; c->mtu = (unsigned)v; break;
	case OPT_MAX_BLKSIZE: if (num_arg(name, arg, 8, 65464, &v)) return -1; c->blksize_max = (unsigned)v; break;
	case OPT_MAX_WINDOW: if (num_arg(name, arg, 1, 65535, &v)) return -1; c->windowsize_max = (unsigned)v; break;
	case OPT_RCVBUF: if (num_arg(name, arg, 4096, 1u << 30, &v)) return -1; c->rcvbuf = (size_t)v; break;
	case OPT_MAX_FILE: if (num_arg(name, arg, 1, 1ull << 40, &v)) return -1; c->max_file = (size_t)v; break;
	case OPT_CACHE: if (num_arg(name, arg, 0, 1ull << 40, &v)) return -1; c->cache_max = (size_t)v; break;
	case OPT_ADMIT: if (num_arg(name, arg, 0, 1000000, &v)) return -1; c->admit = (unsigned)v; break;
	case OPT_QUEUE: if (num_arg(name, arg, 1, 1000000, &v)) return -1; c->queue_max = (unsigned)v; break;
	case OPT_SOURCE_QUEUE: if (num_arg(name, arg, 1, 1000000, &v)) return -1; c->source_queue = (unsigned)v; break;
	case OPT_SOURCE_RATE: if (num_arg(name, arg, 0, 1000000, &v)) return -1; c->source_rate = (unsigned)v; break;
	case OPT_MAX_LIFETIME: if (num_arg(name, arg, 1, 86400, &v)) return -1; c->max_lifetime_s = (unsigned)v; break;
	case OPT_STATUS: if (num_arg(name, arg, 0, 86400, &v)) return -1; c->status_interval = (unsigned)v; break;
	case OPT_ROLLOUT_FORGET: if (num_arg(name, arg, 0, 36500, &v)) return -1; c->rollout_forget_days = (unsigned)v; break;
	case OPT_HTTP_MAX_CONNS: if (num_arg(name, arg, 1, 1000000, &v)) return -1; c->http.max_conns = (unsigned)v; break;
	case OPT_HTTP_SOURCE_CONNS: if (num_arg(name, arg, 1, 1000000, &v)) return -1; c->http.source_conns = (unsigned)v; break;
	case OPT_HTTP_HEADER_TIMEOUT: if (num_arg(name, arg, 10, 3600000, &v)) return -1; c->http.lim.header_timeout_ms = (unsigned)v; break;
	case OPT_HTTP_SEND_TIMEOUT: if (num_arg(name, arg, 10, 3600000, &v)) return -1; c->http.lim.send_timeout_ms = (unsigned)v; break;
	case OPT_WRQ_ERROR:
		if (num_arg(name, arg, 2, 4, &v) || v == 3) {
			fprintf(stderr, PROG ": --wrq-error: 2 or 4\n");
			return -1;
		}
		c->wrq_error = (unsigned)v;
		break;
	default:
		return -1;
	}
	return 0;
}

/*
 * The rollout state file: under systemd's StateDirectory= by default. It
 * is written after the privilege drop, so not from inside a chroot (the
 * path would then name a file in the TFTP root, served to anyone).
 */
CTL_MUST_USE static int
rollout_defaults(struct tftp_config *c)
{
	static char path[4096];
	const char *sd = getenv("STATE_DIRECTORY");

	if (c->no_rollout) {
		c->rollout_state = NULL;
		return 0;
	}
	if (c->rollout_state == NULL && sd != NULL && sd[0] == '/' && !c->chroot &&
	    strchr(sd, ':') == NULL && (size_t)snprintf(path, sizeof(path), "%s/rollout.state", sd) < sizeof(path))
		c->rollout_state = path;
	if (c->rollout_state != NULL && c->chroot) {
		fprintf(stderr, PROG ": --rollout-state cannot be written from inside --chroot\n");
		return -1;
	}
	return 0;
}

/* 0 ok, 1 exit 0 (help/version), 2 usage error. */
CTL_MUST_USE static int
parse_args(int argc, char **argv, struct tftp_config *c, const char **admin)
{
	int opt, idx;

	config_defaults(c);
	while ((opt = getopt_long(argc, argv, "l:r:u:cm:qvhV", longopts, &idx)) != -1) {
		socklen_t len;
		const char *name = "";

		for (const struct option *o = longopts; o->name != NULL; o++)
			if (o->val == opt)
				name = o->name;
		switch (opt) {
		case 'l':
			if (c->nlisten == TFTP_MAX_LISTEN ||
			    tftp_addr_parse_listen(optarg, 69, &c->listen[c->nlisten], &len) < 0) {
				fprintf(stderr, PROG ": --listen: bad or too many addresses: '%s'\n", optarg);
				return 2;
			}
			c->nlisten++;
			break;
		case OPT_HTTP:
			if (c->http.n == HTTP_MAX_LISTEN ||
			    tftp_addr_parse_listen(optarg, 6970, &c->http.addr[c->http.n], &len) < 0) {
				fprintf(stderr, PROG ": --http: bad or too many addresses: '%s'\n", optarg);
				return 2;
			}
			c->http.n++;
			break;
		case 'r': c->root = optarg; break;
		case OPT_ADMIN: *admin = optarg; break;
		case 'u': c->user = optarg; break;
		case 'c': c->chroot = 1; break;
		case 'q': c->loglevel = TFTP_LOG_ERR; break;
		case OPT_SYSLOG: logline_use_syslog(PROG); break;
		case 'v': c->loglevel = TFTP_LOG_DEBUG; break;
		case OPT_HARDLINKS: c->allow_hardlinks = 1; break;
		case OPT_NO_INOTIFY: c->no_inotify = 1; break;
		case OPT_ROLLOUT_STATE: c->rollout_state = optarg; break;
		case OPT_NO_ROLLOUT: c->no_rollout = 1; break;
		case 'h': usage(stdout); return 1;
		case 'V': printf(PROG " " CTL_VERSION_STRING "\n"); return 1;
		case '?': usage(stderr); return 2;
		default:
			if (set_number(c, opt, name, optarg) < 0)
				return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (rollout_defaults(c) < 0)
		return 2;
	if (c->nlisten == 0) {
		socklen_t len;

		/* Constant literals: they always parse. */
		CTL_IGNORE_RESULT(tftp_addr_parse("0.0.0.0:69", 69, &c->listen[c->nlisten++], &len));
		CTL_IGNORE_RESULT(tftp_addr_parse("[::]:69", 69, &c->listen[c->nlisten++], &len));
	}
	return 0;
}

struct sigctx {
	struct tftp_server *srv;
	int fd;
};

static void
on_signal(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct sigctx *sc = arg;
	struct signalfd_siginfo si;

	(void)ev;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1) {
			tftp_server_log_status(sc->srv);
		} else if (si.ssi_signo == SIGHUP) {
			/* logrotate-style "reload": never stop provisioning for it. */
			sdnotify_reloading();
			tftp_server_reload(sc->srv);
			sdnotify_ready();
		} else {
			tftp_log(TFTP_LOG_NOTICE, "signal %u: shutting down", si.ssi_signo);
			sdnotify_stopping();
			loop_stop(l);
		}
	}
}

CTL_MUST_USE static int
setup_signals(struct loop *l, struct sigctx *sc)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (sc->fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return loop_add_fd(l, sc->fd, LOOP_READ, on_signal, sc);
}

int
main(int argc, char **argv)
{
	struct tftp_config cfg;
	struct loop *loop = NULL;
	struct tftp_server *srv = NULL;
	struct tftp_admin *admin = NULL;
	const char *admin_addr = NULL;
	struct sigctx sc = { NULL, -1 };
	char err[512];
	int rc, status = 1;

	if ((rc = parse_args(argc, argv, &cfg, &admin_addr)) != 0)
		return rc == 1 ? 0 : 2;
	tftp_log_setup(PROG, cfg.loglevel);
	if ((loop = loop_new()) == NULL) {
		tftp_log(TFTP_LOG_ERR, "epoll: %s", strerror(errno));
		return 1;
	}
	if ((srv = tftp_server_new(&cfg, loop, err, sizeof(err))) == NULL)
		goto fail;
	sc.srv = srv;
	/* Bound before the privilege drop, like the other ports; files read from the root after it. */
	if (admin_addr != NULL &&
	    (admin = tftp_admin_new(loop, admin_addr, srv, cfg.chroot ? "/" : cfg.root, err,
	                            sizeof(err))) == NULL)
		goto fail;
	if (setup_signals(loop, &sc) < 0) {
		snprintf(err, sizeof(err), "signals: %s", strerror(errno));
		goto fail;
	}
	if (priv_drop(cfg.chroot ? cfg.root : NULL, cfg.user, err, sizeof(err)) < 0 ||
	    tftp_server_start(srv, cfg.chroot ? "/" : cfg.root, err, sizeof(err)) < 0)
		goto fail;
	tftp_log(TFTP_LOG_INFO, "ctl-tftpd " CTL_VERSION_STRING " serving %s%s, Max Serving Count %u",
	         cfg.root, cfg.chroot ? " (chroot)" : "", cfg.max_transfers);
	/* Every socket bound and the root open: systemd's Type=notify readiness. */
	sdnotify_ready();
	if (loop_run(loop) < 0) {
		snprintf(err, sizeof(err), "event loop: %s", strerror(errno));
		goto fail;
	}
	tftp_server_log_status(srv);
	status = 0;
	goto out;
fail:
	tftp_log(TFTP_LOG_ERR, "%s", err);
out:
	if (sc.fd >= 0) {
		loop_del_fd(loop, sc.fd);
		close(sc.fd);
	}
	tftp_admin_free(admin);
	tftp_server_free(srv);
	loop_free(loop);
	return status;
}
