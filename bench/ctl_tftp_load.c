/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tftp-load: boot-storm load generator. Emulates N phones, each
 * fetching its files (default CTLSEP<MAC>.tlv then ITLSEP<MAC>.tlv) from
 * its own source port (and with --source-range its own address, as real
 * phones), C phones at a time (all at once by default), in one process on
 * the event loop, through the shared TFTP client engine. Phones resend an
 * unanswered RRQ or ACK every --retransmit ms (phones: about 1 s), or never.
 * Every download can be compared with the file it should equal. A server
 * ERROR 0 (busy, Max Serving Count) is retried after a randomised delay,
 * as phones do. Exit status: 0 all transfers ok, 1 failures or
 * corruption, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <ctl/ctl.h>

#include "loop.h"
#include "storm.h"
#include "tftp_client.h"

#define PROG "ctl-tftp-load"
#define MAX_FILES 8

struct load;

struct phone {
	struct load *ld;
	unsigned idx, file, busy_tries, local_tries;
	struct loop_timer retry;
	union tftp_sa src;     /* with --source-range: the phone's own address */
	char mac[13];
};

struct load {
	struct loop *loop;
	struct tftp_client *cl;
	union tftp_sa server;
	struct storm_tmpl files[MAX_FILES];
	unsigned nfiles, phones, concurrency, launched, finished_phones;
	unsigned blksize, windowsize, timeout_s, busy_max, busy_delay_ms;
	unsigned port_lo, port_hi, next_port;
	int tsize, quiet, has_src;
	struct tftp_src_range src;
	unsigned long long mac_base;
	struct phone *ph;
	uint32_t *lat;
	size_t nlat;
	uint64_t ok, failed, corrupt, busy, retrans, t0, t1, rng;
};

static void phone_step(struct phone *p);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " -s ADDR:PORT [options]\n"
	    "Boot storm: N emulated phones fetch their trust lists from a TFTP server.\n"
	    "\n"
	    "  -s, --server ADDR:PORT  server to load (required)\n"
	    "  -n, --phones N          phones (default 10000)\n"
	    "  -c, --concurrency N     phones in flight at once (default 0: all)\n"
	    "  -f, --file TEMPLATE[=EXPECTED]  file each phone fetches, in order (repeatable;\n"
	    "                          %%M = MAC; default CTLSEP%%M.tlv and ITLSEP%%M.tlv);\n"
	    "                          EXPECTED is a local file the download must equal\n"
	    "      --mac-base HEX      first MAC (default 001122000000)\n"
	    "      --blksize N         ask for blksize N\n"
	    "      --windowsize N      ask for windowsize N\n"
	    "      --tsize             ask for tsize\n"
	    "      --timeout MS        client retransmission timeout (default 1000)\n"
	    "      --retransmit MS     resend an unanswered RRQ or ACK every MS, as phones do\n"
	    "                          (overrides --timeout); 0: never resend, each answer is\n"
	    "                          awaited --timeout x (--retries + 1) or --give-up\n"
	    "      --retries N         client retransmissions before failing (default 30)\n"
	    "      --give-up MS        a transfer fails after MS without progress, however\n"
	    "                          many retransmissions (overrides --retries)\n"
	    "      --source-range A.B.C.D/N  each phone sends from an address of its own in\n"
	    "                          this block, in turn (e.g. 127.1.0.0/16 on loopback)\n"
	    "      --loss PCT          drop PCT%% of received DATA packets (default 0)\n"
	    "      --busy-retries N    retries after a server busy ERROR (default 50)\n"
	    "      --busy-delay MS     mean delay before such a retry (default 200)\n"
	    "      --ports LO-HI       local ports, one per transfer in turn, so no port is\n"
	    "                          reused while a server may still send to it\n"
	    "                          (default 10000-32767; 0 = kernel's choice)\n"
	    "  -q, --quiet             only the RESULT line\n"
	    "  -h, --help              this help\n"
	    "Exit status: 0 every transfer ok, 1 failures or corrupt data, 2 usage.\n");
}

static void
launch_next(struct load *ld)
{
	while (ld->launched < ld->phones &&
	       (ld->concurrency == 0 || ld->launched - ld->finished_phones < ld->concurrency)) {
		struct phone *p = &ld->ph[ld->launched++];

		phone_step(p);
	}
	if (ld->finished_phones == ld->phones)
		loop_stop(ld->loop);
}

static void
phone_done_file(struct phone *p)
{
	struct load *ld = p->ld;

	p->busy_tries = 0;
	p->local_tries = 0;
	if (++p->file < ld->nfiles) {
		phone_step(p);
		return;
	}
	ld->finished_phones++;
	ld->t1 = loop_update_now(ld->loop);
	launch_next(ld);
}

/* Schedules the phone's next try; 0, or -1 (the phone then fails: nothing would wake it). */
CTL_MUST_USE static int
retry_later(struct phone *p, unsigned mean_ms)
{
	struct load *ld = p->ld;

	if (loop_timer_set(ld->loop, &p->retry, mean_ms / 2 + storm_rnd(&ld->rng, mean_ms + 1)) == 0)
		return 0;
	ld->failed++;
	if (!ld->quiet)
		fprintf(stderr, PROG ": phone %s: cannot arm its retry timer\n", p->mac);
	phone_done_file(p);
	return -1;
}

static void
on_done(void *arg, const struct tftp_result *r)
{
	struct phone *p = arg;
	struct load *ld = p->ld;
	const struct storm_tmpl *t = &ld->files[p->file];

	ld->retrans += r->retransmits;
	if (r->err == TFTP_CE_SERVER && r->ecode == TFTP_EUNDEF && p->busy_tries < ld->busy_max) {
		/* Busy (Max Serving Count): phones come back later. */
		ld->busy++;
		p->busy_tries++;
		CTL_IGNORE_RESULT(retry_later(p, ld->busy_delay_ms)); /* a failure is counted there */
		return;
	}
	if (r->err != TFTP_CE_OK) {
		ld->failed++;
		if (!ld->quiet && ld->failed <= 10)
			fprintf(stderr, PROG ": phone %s file %u: %s%s%s\n", p->mac, p->file,
			        tftp_cerr_str(r->err), r->err == TFTP_CE_SERVER ? ": " : "", r->emsg);
	} else if (t->expect != NULL &&
	           (r->len != t->expect_len || memcmp(r->data, t->expect, r->len) != 0)) {
		ld->corrupt++;
		if (!ld->quiet && ld->corrupt <= 10)
			fprintf(stderr, PROG ": phone %s file %u: %zu bytes differ from the expected %zu\n",
			        p->mac, p->file, r->len, t->expect_len);
	} else {
		ld->ok++;
		ld->lat[ld->nlat++] = (uint32_t)r->ms;
	}
	phone_done_file(p);
}

static void
on_retry(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	phone_step(arg);
}

static void
phone_step(struct phone *p)
{
	struct load *ld = p->ld;
	char name[256];
	struct tftp_get g;

	storm_name(ld->files[p->file].name, p->mac, name, sizeof(name));
	memset(&g, 0, sizeof(g));
	g.server = &ld->server;
	g.file = name;
	g.mode = TFTP_MODE_OCTET;
	g.blksize = ld->blksize;
	g.windowsize = ld->windowsize;
	g.tsize = ld->tsize;
	g.timeout_s = ld->timeout_s;
	g.local_addr = ld->has_src ? &p->src : NULL;
	g.done = on_done;
	g.arg = p;
	/* A fresh local port per transfer, in order, skipping ports in use. */
	for (unsigned tries = 0; tries <= ld->port_hi - ld->port_lo; tries++) {
		if (ld->port_lo != 0) {
			g.local_port = ld->next_port;
			ld->next_port = ld->next_port >= ld->port_hi ? ld->port_lo : ld->next_port + 1;
		}
		if (tftp_client_get(ld->cl, &g) == 0)
			return;
		if (errno != EADDRINUSE)
			break;
	}
	/* Out of sockets for a moment (EMFILE, ENOBUFS): try again shortly. */
	if (++p->local_tries <= 100) {
		CTL_IGNORE_RESULT(retry_later(p, 20)); /* a failure is counted there */
		return;
	}
	ld->failed++;
	if (!ld->quiet)
		fprintf(stderr, PROG ": phone %s: cannot start: %s\n", p->mac, strerror(errno));
	phone_done_file(p);
}

static void
report(struct load *ld, const char *server)
{
	struct storm_counts c = { .ok = ld->ok, .failed = ld->failed, .corrupt = ld->corrupt,
	                          .retrans = ld->retrans, .busy = ld->busy,
	                          .secs = (double)(ld->t1 - ld->t0) / 1000.0 };
	uint64_t total = (uint64_t)ld->phones * ld->nfiles;

	storm_latency(ld->lat, ld->nlat, &c);
	if (!ld->quiet) {
		printf("%s: %llu transfers (%u phones x %u files, concurrency %u) against %s%s\n", PROG,
		       (unsigned long long)total, ld->phones, ld->nfiles,
		       ld->concurrency ? ld->concurrency : ld->phones, server,
		       ld->has_src ? ", one source address per phone" : "");
		printf("  ok %llu  failed %llu  corrupt %llu  busy-retries %llu  client-retransmits %llu\n",
		       (unsigned long long)ld->ok, (unsigned long long)ld->failed,
		       (unsigned long long)ld->corrupt, (unsigned long long)ld->busy,
		       (unsigned long long)ld->retrans);
		printf("  time %.3f s  rate %.0f transfers/s  latency p50 %u ms  p99 %u ms  max %u ms\n",
		       c.secs, c.secs > 0 ? (double)ld->ok / c.secs : 0.0, c.p50, c.p99, c.max);
	}
	storm_result(&c);
}

CTL_MUST_USE static int
add_file(struct load *ld, char *arg)
{
	if (ld->nfiles == MAX_FILES)
		return -1;
	return storm_tmpl_parse(PROG, &ld->files[ld->nfiles++], arg);
}

CTL_MUST_USE static int
parse_ports(struct load *ld, char *arg)
{
	char *dash = strchr(arg, '-');
	unsigned long long lo, hi;

	if (strcmp(arg, "0") == 0) {
		ld->port_lo = ld->port_hi = 0;
		return 0;
	}
	if (dash == NULL)
		return -1;
	*dash = '\0';
	if (ctl_parse_uint(arg, 1024, 65535, &lo) != CTL_OK ||
	    ctl_parse_uint(dash + 1, lo, 65535, &hi) != CTL_OK) {
		fprintf(stderr, PROG ": --ports: LO-HI within 1024-65535\n");
		return -1;
	}
	ld->port_lo = (unsigned)lo;
	ld->port_hi = (unsigned)hi;
	return 0;
}

static int
parse_args(int argc, char **argv, struct load *ld, struct tftp_client_cfg *cc, const char **server)
{
	static const struct option lo[] = {
		{ "server", required_argument, NULL, 's' }, { "phones", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'c' }, { "file", required_argument, NULL, 'f' },
		{ "mac-base", required_argument, NULL, 'M' }, { "blksize", required_argument, NULL, 'b' },
		{ "windowsize", required_argument, NULL, 'w' }, { "tsize", no_argument, NULL, 'T' },
		{ "timeout", required_argument, NULL, 't' }, { "retries", required_argument, NULL, 'r' },
		{ "loss", required_argument, NULL, 'L' }, { "busy-retries", required_argument, NULL, 'B' },
		{ "busy-delay", required_argument, NULL, 'D' }, { "quiet", no_argument, NULL, 'q' },
		{ "ports", required_argument, NULL, 'P' },
		{ "retransmit", required_argument, NULL, 'X' }, { "give-up", required_argument, NULL, 'G' },
		{ "source-range", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int opt, bad = 0;
	unsigned retransmit = UINT32_MAX;
	socklen_t len;
	char *end;

	while ((opt = getopt_long(argc, argv, "s:n:c:f:qh", lo, NULL)) != -1 && !bad) {
		switch (opt) {
		case 's': *server = optarg; break;
		case 'n': bad = storm_uint(PROG, "--phones", optarg, 1, 1000000, &ld->phones); break;
		case 'c': bad = storm_uint(PROG, "--concurrency", optarg, 0, 1000000, &ld->concurrency); break;
		case 'f': bad = add_file(ld, optarg); break;
		case 'M':
			errno = 0;
			ld->mac_base = strtoull(optarg, &end, 16);
			bad = errno != 0 || *end != '\0' || ld->mac_base > 0xffffffffffffull ? -1 : 0;
			break;
		case 'b': bad = storm_uint(PROG, "--blksize", optarg, 8, 65464, &ld->blksize); break;
		case 'w': bad = storm_uint(PROG, "--windowsize", optarg, 1, 65535, &ld->windowsize); break;
		case 'T': ld->tsize = 1; break;
		case 't': bad = storm_uint(PROG, "--timeout", optarg, 1, 600000, &cc->timeout_ms); break;
		case 'r': bad = storm_uint(PROG, "--retries", optarg, 0, 10000, &cc->retries); break;
		case 'L': bad = storm_uint(PROG, "--loss", optarg, 0, 99, &cc->loss_pct); break;
		case 'B': bad = storm_uint(PROG, "--busy-retries", optarg, 0, 100000, &ld->busy_max); break;
		case 'D': bad = storm_uint(PROG, "--busy-delay", optarg, 1, 600000, &ld->busy_delay_ms); break;
		case 'q': ld->quiet = 1; break;
		case 'P': bad = parse_ports(ld, optarg); break;
		case 'X': bad = storm_uint(PROG, "--retransmit", optarg, 0, 600000, &retransmit); break;
		case 'G': bad = storm_uint(PROG, "--give-up", optarg, 1, 3600000, &cc->idle_ms); break;
		case 'S':
			if (tftp_src_range_parse(optarg, &ld->src) != 0) {
				fprintf(stderr, PROG ": --source-range: expected A.B.C.D/N with N 8..32\n");
				bad = -1;
			}
			ld->has_src = 1;
			break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (bad || optind != argc || *server == NULL ||
	    tftp_addr_parse(*server, 69, &ld->server, &len) < 0) {
		if (!bad)
			fprintf(stderr, PROG ": --server ADDR:PORT is required (numeric address)\n");
		usage(stderr);
		return 2;
	}
	if (retransmit == 0)
		cc->no_resend = 1;
	else if (retransmit != UINT32_MAX)
		cc->timeout_ms = retransmit;
	if (cc->idle_ms != 0)
		cc->retries = UINT32_MAX;
	if (ld->has_src && ld->server.sa.sa_family != AF_INET) {
		fprintf(stderr, PROG ": --source-range takes IPv4 addresses: the server must be IPv4\n");
		return 2;
	}
	return 0;
}

/* A range the host does not hold is a clear error before any phone starts. */
CTL_MUST_USE static int
check_src_range(const struct load *ld)
{
	union tftp_sa bad;
	char buf[TFTP_ADDRSTR];

	if (tftp_src_range_probe(&ld->src, &bad) == 0)
		return 0;
	fprintf(stderr, PROG ": --source-range: cannot send from %s: %s\n",
	        tftp_addr_str(&bad, buf, sizeof(buf)), strerror(errno));
	return -1;
}

int
main(int argc, char **argv)
{
	static char def_ctl[] = "CTLSEP%M.tlv", def_itl[] = "ITLSEP%M.tlv";
	struct load ld;
	struct tftp_client_cfg cc;
	const char *server = NULL;
	struct rlimit rl;
	int rc;

	memset(&ld, 0, sizeof(ld));
	memset(&cc, 0, sizeof(cc));
	ld.phones = 10000;
	ld.mac_base = 0x001122000000ull;
	ld.busy_max = 50;
	ld.busy_delay_ms = 200;
	ld.port_lo = 10000;
	ld.port_hi = 32767;
	ld.rng = (uint64_t)time(NULL);
	cc.timeout_ms = 1000;
	cc.retries = 30;
	cc.seed = 42;
	if ((rc = parse_args(argc, argv, &ld, &cc, &server)) != 0)
		return rc == 1 ? 0 : 2;
	if (ld.has_src && check_src_range(&ld) != 0)
		return 2;
	if (ld.nfiles == 0) {
		ld.files[ld.nfiles++].name = def_ctl;
		ld.files[ld.nfiles++].name = def_itl;
	}
	/* One socket per phone in flight. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	ld.loop = loop_new();
	ld.cl = ld.loop != NULL ? tftp_client_new(ld.loop, &cc) : NULL;
	ld.ph = calloc(ld.phones, sizeof(*ld.ph));
	ld.lat = calloc((size_t)ld.phones * ld.nfiles, sizeof(*ld.lat));
	if (ld.cl == NULL || ld.ph == NULL || ld.lat == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (unsigned i = 0; i < ld.phones; i++) {
		ld.ph[i].ld = &ld;
		ld.ph[i].idx = i;
		snprintf(ld.ph[i].mac, sizeof(ld.ph[i].mac), "%012llX",
		         (ld.mac_base + i) & 0xffffffffffffull);
		loop_timer_init(&ld.ph[i].retry, on_retry, &ld.ph[i]);
		if (ld.has_src)
			tftp_src_range_addr(&ld.src, i, &ld.ph[i].src);
	}
	ld.next_port = ld.port_lo;
	ld.t0 = ld.t1 = loop_update_now(ld.loop);
	launch_next(&ld);
	if (ld.finished_phones < ld.phones && loop_run(ld.loop) < 0) {
		fprintf(stderr, PROG ": event loop: %s\n", strerror(errno));
		return 1;
	}
	report(&ld, server);
	for (unsigned i = 0; i < ld.phones; i++)
		loop_timer_cancel(ld.loop, &ld.ph[i].retry);
	tftp_client_free(ld.cl);
	loop_free(ld.loop);
	for (unsigned i = 0; i < ld.nfiles; i++)
		free(ld.files[i].expect);
	free(ld.ph);
	free(ld.lat);
	return ld.failed == 0 && ld.corrupt == 0 ? 0 : 1;
}
