/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-http-load: the boot storm over HTTP (CUCM's TCP 6970). Emulates N
 * phones, each opening one keep-alive connection from its own address
 * (--source-range) and fetching its files over it in order (default
 * CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv, SEP<MAC>.cnf.xml), C phones at a time
 * (all at once by default), in one process on the event loop over
 * non-blocking sockets. Every body is compared with the file it should
 * equal as it arrives. A phone whose connection is refused, reset, answered
 * 503 or silent for --timeout ms reconnects after a randomised delay (as
 * phones retry) and resumes with the file it was fetching; it gives up after
 * --give-up ms without progress. Prints the same RESULT line as
 * ctl-tftp-load. Exit status: 0 all transfers ok, 1 failures or
 * corruption, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctl/ctl.h>

#include "loop.h"
#include "storm.h"
#include "tftp_addr.h"
#include "tftp_client.h"

#define PROG "ctl-http-load"
#define MAX_FILES 8
#define HEAD_CAP 2048

struct load;

enum pstate { P_IDLE, P_CONNECTING, P_WAITING, P_DONE };

struct phone {
	struct load *ld;
	unsigned idx, file;
	int fd;
	enum pstate st;
	struct loop_timer timer;
	union tftp_sa src;
	char mac[13];
	uint64_t progress, started;   /* last progress; the file's first request */
	char req[320];
	size_t req_len, req_off;
	char head[HEAD_CAP];
	size_t head_len;
	int in_body;
	unsigned status;
	size_t clen, got;
	int bad;                      /* the body differs from the expected file */
};

struct load {
	struct loop *loop;
	union tftp_sa server;
	struct storm_tmpl files[MAX_FILES];
	unsigned nfiles, phones, concurrency, launched, finished;
	unsigned timeout_ms, give_up_ms;
	int quiet, has_src;
	struct tftp_src_range src;
	unsigned long long mac_base;
	struct phone *ph;
	uint32_t *lat;
	size_t nlat;
	uint64_t ok, failed, corrupt, busy, retries, t0, t1, rng;
};

static void phone_connect(struct phone *p);

static void
phone_close(struct phone *p)
{
	if (p->fd >= 0) {
		loop_del_fd(p->ld->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
}

static void launch_more(struct load *ld);

/* The phone is finished (every file done or given up): its slot frees. */
static void
phone_finish(struct phone *p)
{
	struct load *ld = p->ld;

	phone_close(p);
	loop_timer_cancel(ld->loop, &p->timer);
	p->st = P_DONE;
	if (++ld->finished == ld->phones) {
		ld->t1 = loop_update_now(ld->loop);
		loop_stop(ld->loop);
		return;
	}
	launch_more(ld);
}

static void
arm(struct phone *p, uint64_t ms)
{
	if (loop_timer_set(p->ld->loop, &p->timer, ms) < 0) {
		fprintf(stderr, PROG ": phone %s: cannot arm its timer\n", p->mac);
		p->ld->failed += p->ld->nfiles - p->file;
		phone_finish(p);
	}
}

/* Something went wrong: retry after 0.5-1.5 s, or give the rest up. */
static void
phone_retry(struct phone *p, const char *why)
{
	struct load *ld = p->ld;
	uint64_t now = loop_now(ld->loop);

	phone_close(p);
	if (now - p->progress >= ld->give_up_ms) {
		if (!ld->quiet)
			fprintf(stderr, PROG ": phone %s gives up at file %u: %s\n", p->mac, p->file, why);
		ld->failed += ld->nfiles - p->file;
		phone_finish(p);
		return;
	}
	ld->retries++;
	p->st = P_IDLE;
	arm(p, 500 + storm_rnd(&ld->rng, 1000));
}

static void
build_request(struct phone *p)
{
	char name[200];

	storm_name(p->ld->files[p->file].name, p->mac, name, sizeof(name));
	p->req_len = (size_t)snprintf(p->req, sizeof(p->req),
	                              "GET /%s HTTP/1.1\r\nHost: ctl-http-load\r\nConnection: keep-alive\r\n\r\n", name);
	p->req_off = 0;
	p->head_len = 0;
	p->in_body = 0;
	p->got = 0;
	p->bad = 0;
	if (p->started == 0)
		p->started = loop_now(p->ld->loop);
}

/* The current file arrived whole: checked, counted, next file or done. */
static void
file_done(struct phone *p)
{
	struct load *ld = p->ld;
	const struct storm_tmpl *f = &ld->files[p->file];

	if (p->bad || (f->expect != NULL && p->clen != f->expect_len)) {
		ld->corrupt++;
		if (!ld->quiet)
			fprintf(stderr, PROG ": phone %s file %u: body differs from the expected file\n", p->mac, p->file);
	} else {
		ld->ok++;
		ld->lat[ld->nlat++] = (uint32_t)(loop_now(ld->loop) - p->started);
	}
	p->started = 0;
	p->progress = loop_now(ld->loop);
	if (++p->file == ld->nfiles) {
		phone_finish(p);
		return;
	}
	build_request(p);
}

/* The head is in: status and Content-Length. 0 go on, -1 retry. */
static int
head_done(struct phone *p, size_t end)
{
	unsigned long long cl = 0;
	const char *c;

	p->head[end] = '\0';
	if (sscanf(p->head, "HTTP/1.%*u %u", &p->status) != 1)
		return -1;
	for (c = p->head; (c = strchr(c, '\n')) != NULL; c++)
		if (strncasecmp(c + 1, "Content-Length:", 15) == 0)
			cl = strtoull(c + 16, NULL, 10);
	p->clen = (size_t)cl;
	p->in_body = 1;
	return 0;
}

/* Bytes from the server; returns 0, or -1 to retry the phone. */
static int
consume(struct phone *p, const uint8_t *b, size_t n)
{
	const struct storm_tmpl *f;

	while (n > 0 && p->st == P_WAITING) {
		if (!p->in_body) {
			size_t k = n < HEAD_CAP - 1 - p->head_len ? n : HEAD_CAP - 1 - p->head_len;
			char *e;

			memcpy(p->head + p->head_len, b, k);
			p->head_len += k;
			p->head[p->head_len] = '\0';
			if ((e = strstr(p->head, "\r\n\r\n")) == NULL) {
				if (p->head_len == HEAD_CAP - 1)
					return -1;
				return 0;
			}
			k -= p->head_len - (size_t)(e + 4 - p->head);
			b += k;
			n -= k;
			if (head_done(p, (size_t)(e + 4 - p->head)) < 0)
				return -1;
			if (p->status == 503) {
				p->ld->busy++;
				return -1;
			}
			if (p->status != 200) {
				fprintf(stderr, PROG ": phone %s file %u: status %u\n", p->mac, p->file, p->status);
				p->ld->failed++;
				p->bad = 1;
			}
		}
		f = &p->ld->files[p->file];
		{
			size_t k = n < p->clen - p->got ? n : p->clen - p->got;

			if (f->expect != NULL && (p->got + k > f->expect_len ||
			                          memcmp(f->expect + p->got, b, k) != 0))
				p->bad = 1;
			p->got += k;
			b += k;
			n -= k;
		}
		p->progress = loop_now(p->ld->loop);
		if (p->got == p->clen) {
			if (p->status != 200) {
				/* Counted as failed above: skip this file. */
				p->started = 0;
				if (++p->file == p->ld->nfiles) {
					phone_finish(p);
					return 0;
				}
				build_request(p);
			} else {
				file_done(p);
			}
			if (p->st == P_WAITING && p->req_off == 0 && p->fd >= 0 &&
			    send(p->fd, p->req, p->req_len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)p->req_len)
				p->req_off = p->req_len;
		}
	}
	return 0;
}

static void
on_io(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct phone *p = arg;
	uint8_t buf[65536];
	ssize_t r;

	(void)l;
	if (p->st == P_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
			phone_retry(p, "connect failed");
			return;
		}
		p->st = P_WAITING;
		if (loop_mod_fd(l, fd, LOOP_READ) < 0) {
			phone_retry(p, "event loop");
			return;
		}
		ev = 0;
	}
	if (p->req_off < p->req_len) {
		r = send(fd, p->req + p->req_off, p->req_len - p->req_off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (r > 0)
			p->req_off += (size_t)r;
		else if (errno != EAGAIN) {
			phone_retry(p, "send failed");
			return;
		}
	}
	if (!(ev & LOOP_READ))
		return;
	r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		phone_retry(p, r == 0 ? "closed by the server" : "connection reset");
		return;
	}
	if (r > 0 && consume(p, buf, (size_t)r) < 0)
		phone_retry(p, "bad or busy answer");
	else if (p->st == P_WAITING)
		arm(p, p->ld->timeout_ms);
}

static void
on_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct phone *p = arg;

	(void)l;
	(void)t;
	if (p->st == P_IDLE)
		phone_connect(p);
	else
		phone_retry(p, "timeout");
}

static void
phone_connect(struct phone *p)
{
	struct load *ld = p->ld;
	int fd = socket(ld->server.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (p->progress == 0)
		p->progress = loop_now(ld->loop);
	build_request(p);
	if (fd < 0) {
		phone_retry(p, strerror(errno));
		return;
	}
	p->fd = fd;
	if ((ld->has_src && bind(fd, &p->src.sa, tftp_addr_len(&p->src)) < 0) ||
	    (connect(fd, &ld->server.sa, tftp_addr_len(&ld->server)) < 0 && errno != EINPROGRESS)) {
		phone_retry(p, strerror(errno));
		return;
	}
	p->st = P_CONNECTING;
	if (loop_add_fd(ld->loop, fd, LOOP_WRITE, on_io, p) < 0) {
		phone_retry(p, "event loop");
		return;
	}
	arm(p, ld->timeout_ms);
}

static void
launch_more(struct load *ld)
{
	while (ld->launched < ld->phones &&
	       (ld->concurrency == 0 || ld->launched - ld->finished < ld->concurrency))
		phone_connect(&ld->ph[ld->launched++]);
}

static void
report(struct load *ld)
{
	struct storm_counts c = { .ok = ld->ok, .failed = ld->failed, .corrupt = ld->corrupt,
	                          .retrans = ld->retries, .busy = ld->busy,
	                          .secs = (double)(ld->t1 - ld->t0) / 1000.0 };

	storm_latency(ld->lat, ld->nlat, &c);
	if (!ld->quiet)
		printf("%s: %u phones x %u files over HTTP against port %u: ok %llu failed %llu corrupt %llu "
		       "in %.3f s\n", PROG, ld->phones, ld->nfiles, tftp_addr_port(&ld->server),
		       (unsigned long long)ld->ok, (unsigned long long)ld->failed,
		       (unsigned long long)ld->corrupt, c.secs);
	storm_result(&c);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " -s ADDR:PORT [options]\n"
	    "Boot storm over HTTP: N emulated phones fetch their files on keep-alive connections.\n"
	    "\n"
	    "  -s, --server ADDR:PORT  HTTP server to load (required)\n"
	    "  -n, --phones N          phones (default 10000)\n"
	    "  -c, --concurrency N     phones in flight at once (default 0: all)\n"
	    "  -f, --file TEMPLATE[=EXPECTED]  file each phone fetches, in order (repeatable;\n"
	    "                          %%M = MAC; default CTLSEP%%M.tlv, ITLSEP%%M.tlv)\n"
	    "      --mac-base HEX      first MAC (default 001122000000)\n"
	    "      --source-range A.B.C.D/N  each phone connects from an address of its own\n"
	    "      --timeout MS        no answer for MS: reconnect (default 5000)\n"
	    "      --give-up MS        without progress for MS a phone gives up (default 30000)\n"
	    "  -q, --quiet             only the RESULT line\n"
	    "  -h, --help              this help\n");
}

/* 0 ok, 1 help, 2 usage error. */
static int
parse_args(int argc, char **argv, struct load *ld)
{
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' }, { "phones", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'c' }, { "file", required_argument, NULL, 'f' },
		{ "mac-base", required_argument, NULL, 'M' }, { "source-range", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 'T' }, { "give-up", required_argument, NULL, 'G' },
		{ "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int o, have_server = 0;
	socklen_t len;

	while ((o = getopt_long(argc, argv, "s:n:c:f:qh", lo, NULL)) != -1) {
		switch (o) {
		case 's':
			if (tftp_addr_parse(optarg, 6970, &ld->server, &len) < 0)
				return 2;
			have_server = 1;
			break;
		case 'n': if (storm_uint(PROG, "--phones", optarg, 1, 1000000, &ld->phones)) return 2; break;
		case 'c': if (storm_uint(PROG, "--concurrency", optarg, 0, 1000000, &ld->concurrency)) return 2; break;
		case 'T': if (storm_uint(PROG, "--timeout", optarg, 10, 600000, &ld->timeout_ms)) return 2; break;
		case 'G': if (storm_uint(PROG, "--give-up", optarg, 10, 3600000, &ld->give_up_ms)) return 2; break;
		case 'f':
			if (ld->nfiles == MAX_FILES || storm_tmpl_parse(PROG, &ld->files[ld->nfiles++], optarg) < 0)
				return 2;
			break;
		case 'M': ld->mac_base = strtoull(optarg, NULL, 16); break;
		case 'S':
			if (tftp_src_range_parse(optarg, &ld->src) != 0)
				return 2;
			ld->has_src = 1;
			break;
		case 'q': ld->quiet = 1; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (!have_server || optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char def_ctl[] = "CTLSEP%M.tlv", def_itl[] = "ITLSEP%M.tlv";
	struct load ld;
	struct rlimit rl;
	int rc;

	memset(&ld, 0, sizeof(ld));
	ld.phones = 10000;
	ld.timeout_ms = 5000;
	ld.give_up_ms = 30000;
	ld.mac_base = 0x001122000000ull;
	ld.rng = 0x9e3779b97f4a7c15ull;
	if ((rc = parse_args(argc, argv, &ld)) != 0)
		return rc == 1 ? 0 : 2;
	if (ld.nfiles == 0) {
		ld.files[ld.nfiles++].name = def_ctl;
		ld.files[ld.nfiles++].name = def_itl;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	ld.ph = calloc(ld.phones, sizeof(*ld.ph));
	ld.lat = calloc((size_t)ld.phones * ld.nfiles, sizeof(*ld.lat));
	if (ld.ph == NULL || ld.lat == NULL || (ld.loop = loop_new()) == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (unsigned i = 0; i < ld.phones; i++) {
		struct phone *p = &ld.ph[i];

		p->ld = &ld;
		p->idx = i;
		p->fd = -1;
		snprintf(p->mac, sizeof(p->mac), "%012llX", (ld.mac_base + i) & 0xffffffffffffull);
		loop_timer_init(&p->timer, on_timer, p);
		if (ld.has_src)
			tftp_src_range_addr(&ld.src, i, &p->src);
	}
	ld.t0 = loop_update_now(ld.loop);
	launch_more(&ld);
	if (loop_run(ld.loop) < 0) {
		fprintf(stderr, PROG ": event loop: %s\n", strerror(errno));
		return 1;
	}
	if (ld.t1 == 0)
		ld.t1 = loop_update_now(ld.loop);
	report(&ld);
	return ld.failed == 0 && ld.corrupt == 0 ? 0 : 1;
}
