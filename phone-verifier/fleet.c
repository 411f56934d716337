/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet: N phones (distinct MACs) booting at once in one process, at most
 * C in flight, on the same engine and rules as `boot`. Reports counts per
 * status, how many phones ended with the server's md5, failures by cause
 * and boot-time percentiles. Also the load generator of the boot-storm
 * benchmark (bench/bench-fleet.sh).
 *
 * Memory: a phone's trust lists are shared copies (boot.c interns them)
 * and are dropped as soon as the phone is counted, so only the phones in
 * flight hold anything; 10,000 phones cost a few MB.
 *
 * Speed: phones in the same position (the same file received, the same
 * lists held) share one decision (verdicts.h), the signers' keys stay in
 * the run's verifier, and phone state is written without fsync unless
 * --durable (a crash may lose a phone's last write, as a phone losing
 * power does). Phones ask TVS themselves, each time (no TVS cache).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ctl/text.h>

#include "console.h"
#include "http_get.h"
#include "netopt.h"
#include "num.h"
#include "pv.h"
#include "sbd.h"
#include "verdicts.h"

enum {
	O_COUNT = 600, O_CONC, O_ROOT, O_PREFIX, O_JSON, O_VERBOSE, O_NO_PROGRESS, O_HELP, O_SRC,
	O_DURABLE, O_OUTCOMES
};

struct ref {
	int present;
	struct ctl_sums sums;
};

struct fleet {
	struct pv_env env;
	struct pv_console console; /* --verbose */
	struct pv_phone *phones;
	uint32_t *ms;
	size_t n, next, running, finished;
	unsigned conc;
	const char *root;
	int has_src;
	struct tftp_src_range src;
	char prefix[13];
	size_t by_status[PV_ST__COUNT];
	size_t by_cause[PV_C__COUNT];
	struct ref ref_ctl, ref_itl;
	size_t ctl_ok, itl_ok, both_ok;
	int progress_on;
	struct loop_timer progress;
	uint64_t t0, t1;
	FILE *outcomes;          /* --outcomes: one line per phone */
	size_t tvs_phones;       /* phones that asked TVS */
};

static const char fleet_usage[] =
	"usage: phone-verifier fleet --count N --tftp HOST[:PORT] [--concurrency C]\n"
	"                            [--state-root DIR] [--mac-prefix P] [options]\n"
	"Boots N phones with distinct MACs in one process (a boot storm) and reports\n"
	"counts per status, phones ending with the server's md5, failures by cause and\n"
	"boot-time percentiles.\n\n"
	"  --count N           phones to boot (1..1000000)\n"
	"  --concurrency C     phones booting at once (default 256)\n"
	"  --state-root DIR    keep each phone's state in DIR/SEP<MAC> (default: memory)\n"
	"  --mac-prefix P      first hex digits of every MAC (default 0C0FFE); the rest\n"
	"                      counts up from 0\n"
	"  --source-range A.B.C.D/N  each phone sends from an address of its own in this\n"
	"                      block, as real phones do (e.g. 127.1.0.0/16 on loopback)\n"
	"  --durable           fsync each phone's state writes (default: none; a crash\n"
	"                      may lose a phone's last write, as a phone losing power)\n"
	"  --outcomes FILE     write one line per phone: MAC, status, cause, TVS use\n"
	PV_NET_HELP
	PV_HTTP_HELP
	PV_SBD_HELP
	"  --verbose           print every phone's console lines (prefixed SEP<MAC>)\n"
	"  --no-progress       no progress bar (it is shown only on a terminal anyway)\n"
	"  --json              print the summary as one JSON object\n"
	"  --help              show this help\n";

static void start_more(struct fleet *fl);

/* The prefix, then phone number i in the remaining hex digits (prefix_ok made room). */
static void
make_mac(const struct fleet *fl, size_t i, char out[13])
{
	size_t pl = strlen(fl->prefix), k;
	uint8_t be[6];
	char hex[13];

	for (k = 6; k > 0; k--, i >>= 8)
		be[k - 1] = (uint8_t)i;
	/* 12 digits and the NUL fit hex: the encoder cannot fail here. */
	CTL_IGNORE_RESULT(ctl_hex_encode(hex, sizeof(hex), be, sizeof(be), CTL_HEX_UPPER));
	memcpy(out, fl->prefix, pl);
	memcpy(out + pl, hex + pl, 13 - pl);
}

/* One word per status for --outcomes (doc/phone-verifier.1). */
static const char *
status_word(enum pv_status s)
{
	switch (s) {
	case PV_ST_UPDATED: return "updated";
	case PV_ST_UNCHANGED: return "unchanged";
	case PV_ST_UPDATE_FAILED: return "update-failed";
	case PV_ST_VERIFY_FAILED: return "verify-failed";
	case PV_ST_NO_TL: return "no-trust-list";
	case PV_ST_FILE_AUTH_FAIL: return "file-auth-fail";
	case PV_ST_CTL_ITL_INSTALLED: return "ctl-itl-installed";
	case PV_ST_ITL_INSTALLED: return "itl-installed";
	case PV_ST__COUNT: break;
	}
	return "unknown";
}

static int
md5_is(const struct pv_tl *tl, const struct ref *r)
{
	if (!r->present)
		return tl == NULL;
	return tl != NULL && strcmp(tl->sums.md5, r->sums.md5) == 0;
}

/* Counts a finished phone and drops its lists: only phones in flight hold memory. */
static void
count_phone(struct fleet *fl, struct pv_phone *ph)
{
	size_t i = (size_t)(ph - fl->phones);
	int c = md5_is(ph->trust.ctl, &fl->ref_ctl), t = md5_is(ph->trust.itl, &fl->ref_itl);

	fl->ms[i] = ph->ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ph->ms;
	fl->by_status[ph->status]++;
	fl->by_cause[ph->cause]++;
	fl->tvs_phones += ph->tvs_asked > 0;
	if (fl->outcomes != NULL)
		fprintf(fl->outcomes, "%s %s %s tvs-asked %u tvs-vouched %u\n", ph->mac,
		        status_word(ph->status), pv_cause_name(ph->cause), ph->tvs_asked,
		        ph->tvs_vouched);
	fl->ctl_ok += (size_t)c;
	fl->itl_ok += (size_t)t;
	fl->both_ok += (size_t)(c && t);
	pv_phone_cleanup(ph);
	fl->running--;
	fl->finished++;
	if (fl->finished == fl->n) {
		fl->t1 = loop_update_now(fl->env.loop);
		loop_timer_cancel(fl->env.loop, &fl->progress);
	}
}

static void
phone_done(void *arg, struct pv_phone *ph)
{
	struct fleet *fl = arg;

	count_phone(fl, ph);
	start_more(fl);
}

static void
start_more(struct fleet *fl)
{
	char mac[13], dir[4096], why[768];
	struct ctl_diag diag;

	while (fl->running < fl->conc && fl->next < fl->n) {
		size_t i = fl->next++;
		struct pv_phone *ph = &fl->phones[i];
		const char *d = NULL;

		make_mac(fl, i, mac);
		if (fl->root != NULL) {
			int w = snprintf(dir, sizeof(dir), "%s/SEP%s", fl->root, mac);

			d = w > 0 && (size_t)w < sizeof(dir) ? dir : NULL;
		}
		fl->running++;
		if (pv_phone_init(ph, &fl->env, mac, d, &diag) != 0) {
			/* Unreadable state directory: said on stderr (the summary
			 * stays the one object on stdout), counted, never booted. */
			pv_err("%s", ctl_diag_str(&diag, why, sizeof(why)));
			ph->status = PV_ST_UPDATE_FAILED;
			ph->cause = PV_C_STORE;
			count_phone(fl, ph);
			continue;
		}
		if (fl->has_src) {
			tftp_src_range_addr(&fl->src, i, &ph->src);
			ph->has_src = 1;
		}
		pv_phone_boot(ph);
	}
}

static void
progress_draw(struct fleet *fl, int final)
{
	double secs = (double)(loop_update_now(fl->env.loop) - fl->t0) / 1000.0;
	size_t width = 40, fill = fl->n ? fl->finished * width / fl->n : width, i;
	char bar[41];

	for (i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = '\0';
	fprintf(stderr, "\r[%s] %zu/%zu phones, %.0f/s%s", bar, fl->finished, fl->n,
	        secs > 0 ? (double)fl->finished / secs : 0.0, final ? "\n" : "");
}

static void
progress_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	progress_draw(arg, 0);
	/* A progress bar that stops redrawing is all a failure here costs. */
	CTL_IGNORE_RESULT(loop_timer_set(l, t, 200));
}

/* The server's own CTLFile.tlv / ITLFile.tlv: what every phone should end with. */
CTL_MUST_USE static int
fetch_ref(struct fleet *fl, const char *name, struct ref *r)
{
	struct tftp_result res;
	uint8_t *p = NULL;
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	if (pv_fetch(&fl->env, name, &p, &n, &res) != 0)
		return pv_fail(PV_EXIT_NETWORK, "%s: cannot start a TFTP transfer", name);
	if (res.err == TFTP_CE_OK) {
		r->present = 1;
		if (ctl_checksums(p, n, &r->sums) != CTL_OK) {
			free(p);
			return pv_fail(PV_EXIT_INTERNAL, "%s: cannot compute its checksums", name);
		}
	} else if (res.err != TFTP_CE_SERVER || res.ecode != TFTP_ENOTFOUND) {
		pv_fail(PV_EXIT_NETWORK, "%s from %s: %s %s", name, fl->env.server_str,
		        tftp_cerr_str(res.err), res.emsg);
		free(p);
		return PV_EXIT_NETWORK;
	}
	free(p);
	return PV_EXIT_OK;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t
pct(const uint32_t *v, size_t n, unsigned p)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (n * p + 99) / 100; /* nearest-rank */
	return v[k == 0 ? 0 : k - 1];
}

static uint64_t
hits_of(const struct fleet *fl)
{
	uint64_t h, m;

	pv_verdicts_counts(fl->env.verdicts, &h, &m);
	return h;
}

static uint64_t
misses_of(const struct fleet *fl)
{
	uint64_t h, m;

	pv_verdicts_counts(fl->env.verdicts, &h, &m);
	return m;
}

static void
summary_text(const struct fleet *fl, double secs)
{
	size_t i, nf = 0;

	printf("fleet: %zu phones against %s in %.2f s (%.1f phones/s), concurrency %u\n", fl->n,
	       fl->env.server_str, secs, secs > 0 ? (double)fl->n / secs : 0.0, fl->conc);
	printf("status:\n");
	for (i = 0; i < PV_ST__COUNT; i++)
		if (fl->by_status[i] > 0)
			printf("  %-32s %zu\n", pv_status_text((enum pv_status)i), fl->by_status[i]);
	printf("server md5: CTL %s, ITL %s\n", fl->ref_ctl.present ? fl->ref_ctl.sums.md5 : "(none)",
	       fl->ref_itl.present ? fl->ref_itl.sums.md5 : "(none)");
	printf("phones with the server's md5: %zu of %zu (CTL %zu, ITL %zu)\n", fl->both_ok, fl->n,
	       fl->ctl_ok, fl->itl_ok);
	printf("failures by cause:");
	for (i = 1; i < PV_C__COUNT; i++)
		if (fl->by_cause[i] > 0) {
			printf(" %s %zu", pv_cause_name((enum pv_cause)i), fl->by_cause[i]);
			nf++;
		}
	printf("%s\n", nf ? "" : " none");
	printf("boot time ms: p50 %u, p95 %u, p99 %u, max %u\n", pct(fl->ms, fl->n, 50),
	       pct(fl->ms, fl->n, 95), pct(fl->ms, fl->n, 99), fl->n ? fl->ms[fl->n - 1] : 0);
	printf("transfers: %llu, %llu bytes, %llu retransmissions, %llu DATA dropped by --loss\n",
	       (unsigned long long)fl->env.transfers, (unsigned long long)fl->env.bytes,
	       (unsigned long long)fl->env.retransmits, (unsigned long long)fl->env.dropped);
	printf("decisions: %llu judged, %llu shared; %zu phones asked TVS\n",
	       (unsigned long long)misses_of(fl), (unsigned long long)hits_of(fl), fl->tvs_phones);
}

/* A "key":"md5" pair, or "key":null when the server has no such file. */
static void
json_md5(FILE *f, const char *key, const struct ref *r)
{
	fprintf(f, ",\"%s\":", key);
	ctl_json_fputs_or_null(f, r->present ? r->sums.md5 : NULL);
}

/* The summary object (doc/json.md, "phone-verifier fleet"). */
static void
summary_json(const struct fleet *fl, double secs)
{
	FILE *f = stdout;
	size_t i;

	fputs("{\"tool\":", f);
	ctl_json_fputs(f, PV_PROG);
	fputs(",\"version\":", f);
	ctl_json_fputs(f, CTL_VERSION_STRING);
	fprintf(f, ",\"phones\":%zu,\"server\":", fl->n);
	ctl_json_fputs(f, fl->env.server_str);
	fprintf(f, ",\"concurrency\":%u,\"seconds\":%.3f,\"phones_per_second\":%.1f,\"status\":{",
	        fl->conc, secs, secs > 0 ? (double)fl->n / secs : 0.0);
	for (i = 0; i < PV_ST__COUNT; i++) {
		fputs(i ? "," : "", f);
		ctl_json_fputs(f, pv_status_text((enum pv_status)i));
		fprintf(f, ":%zu", fl->by_status[i]);
	}
	fputc('}', f);
	json_md5(f, "server_ctl_md5", &fl->ref_ctl);
	json_md5(f, "server_itl_md5", &fl->ref_itl);
	fprintf(f, ",\"server_md5_phones\":%zu,\"ctl_md5_phones\":%zu,\"itl_md5_phones\":%zu,"
	        "\"failures\":{", fl->both_ok, fl->ctl_ok, fl->itl_ok);
	for (i = 1; i < PV_C__COUNT; i++) {
		fputs(i > 1 ? "," : "", f);
		ctl_json_fputs(f, pv_cause_name((enum pv_cause)i));
		fprintf(f, ":%zu", fl->by_cause[i]);
	}
	fprintf(f, "},\"boot_ms\":{\"p50\":%u,\"p95\":%u,\"p99\":%u,\"max\":%u},\"transfers\":%llu,"
	        "\"bytes\":%llu,\"retransmissions\":%llu,\"dropped\":%llu,\"decisions_judged\":%llu,"
	        "\"decisions_shared\":%llu,\"tvs_phones\":%zu}\n",
	        pct(fl->ms, fl->n, 50), pct(fl->ms, fl->n, 95), pct(fl->ms, fl->n, 99),
	        fl->n ? fl->ms[fl->n - 1] : 0, (unsigned long long)fl->env.transfers,
	        (unsigned long long)fl->env.bytes, (unsigned long long)fl->env.retransmits,
	        (unsigned long long)fl->env.dropped, (unsigned long long)misses_of(fl),
	        (unsigned long long)hits_of(fl), fl->tvs_phones);
}

struct fleet_opts {
	struct pv_env_cfg cfg;
	struct pv_sbd_opts sbd;
	unsigned long long count, conc;
	const char *root, *prefix, *outcomes;
	int json, verbose, no_progress, has_src, durable;
	unsigned http_port;
	struct tftp_src_range src;
};

CTL_MUST_USE static int
fleet_parse(int argc, char **argv, struct fleet_opts *o)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, O_COUNT },
		{ "concurrency", required_argument, NULL, O_CONC },
		{ "state-root", required_argument, NULL, O_ROOT },
		{ "mac-prefix", required_argument, NULL, O_PREFIX },
		{ "json", no_argument, NULL, O_JSON }, { "verbose", no_argument, NULL, O_VERBOSE },
		{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
		{ "source-range", required_argument, NULL, O_SRC },
		{ "durable", no_argument, NULL, O_DURABLE },
		{ "outcomes", required_argument, NULL, O_OUTCOMES },
		{ "help", no_argument, NULL, O_HELP }, PV_NET_OPTIONS, PV_SBD_OPTIONS, PV_HTTP_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c, h;

	memset(o, 0, sizeof(*o));
	o->json = pv_argv_json(argc, argv);
	pv_json_errors(o->json);
	pv_net_defaults(&o->cfg);
	pv_sbd_defaults(&o->sbd);
	o->conc = 256;
	o->prefix = "0C0FFE";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((h = pv_net_opt(&o->cfg, c, optarg)) != 0) {
			if (h < 0)
				return PV_EXIT_USAGE;
			continue;
		}
		if ((h = pv_sbd_opt(&o->sbd, c, optarg)) != 0) {
			if (h < 0)
				return PV_EXIT_USAGE;
			continue;
		}
		if ((h = pv_http_opt(&o->http_port, c, optarg)) != 0) {
			if (h < 0)
				return PV_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case O_HELP: fputs(fleet_usage, stdout); return -1;
		case O_DURABLE: o->durable = 1; break;
		case O_OUTCOMES: o->outcomes = optarg; break;
		case O_COUNT: if (pv_num("--count", optarg, 1, 1000000, &o->count)) return PV_EXIT_USAGE; break;
		case O_CONC: if (pv_num("--concurrency", optarg, 1, 8192, &o->conc)) return PV_EXIT_USAGE; break;
		case O_ROOT: o->root = optarg; break;
		case O_PREFIX: o->prefix = optarg; break;
		case O_JSON: o->json = 1; break;
		case O_VERBOSE: o->verbose = 1; break;
		case O_NO_PROGRESS: o->no_progress = 1; break;
		case O_SRC:
			if (tftp_src_range_parse(optarg, &o->src) != 0) {
				return pv_fail(PV_EXIT_USAGE,
				               "--source-range takes A.B.C.D/N with N 8..32, not '%s'", optarg);
			}
			o->has_src = 1;
			break;
		default:
			fputs(fleet_usage, stderr);
			/* getopt_long told stderr which option; JSON readers get an object too. */
			return o->json ? pv_fail(PV_EXIT_USAGE, "fleet: bad option") : PV_EXIT_USAGE;
		}
	}
	if (optind != argc || o->count == 0 || o->cfg.tftp == NULL) {
		pv_fail(PV_EXIT_USAGE, "fleet needs --count and --tftp");
		fputs(fleet_usage, stderr);
		return PV_EXIT_USAGE;
	}
	return PV_EXIT_OK;
}

/* Checks the prefix: hex digits, and room for count distinct MACs after it. */
CTL_MUST_USE static int
prefix_ok(struct fleet *fl, const char *p, unsigned long long count)
{
	size_t i, len = strlen(p), free_digits;
	unsigned long long room = 1;

	if (len > 11)
		goto bad;
	for (i = 0; i < len; i++) {
		char ch = p[i];

		if (ch >= 'a' && ch <= 'f')
			ch = (char)(ch - 'a' + 'A');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F')))
			goto bad;
		fl->prefix[i] = ch;
	}
	fl->prefix[len] = '\0';
	free_digits = 12 - len;
	for (i = 0; i < free_digits && room < count; i++)
		room *= 16;
	if (room >= count)
		return 0;
	pv_fail(PV_EXIT_USAGE, "--mac-prefix %s leaves room for only %llu MACs", p, room);
	return -1;
bad:
	pv_fail(PV_EXIT_USAGE, "--mac-prefix takes 0 to 11 hex digits, not '%s'", p);
	return -1;
}

/* The range must match the server's family and be held by this host. */
CTL_MUST_USE static int
src_range_ok(const struct fleet *fl)
{
	union tftp_sa bad;
	char buf[TFTP_ADDRSTR];

	if (fl->env.server.sa.sa_family != AF_INET)
		return pv_fail(PV_EXIT_USAGE,
		               "--source-range takes IPv4 addresses: the server must be IPv4");
	if (tftp_src_range_probe(&fl->src, &bad) == 0)
		return PV_EXIT_OK;
	return pv_fail(PV_EXIT_USAGE, "--source-range: cannot send from %s: %s",
	               tftp_addr_str(&bad, buf, sizeof(buf)), strerror(errno));
}

CTL_MUST_USE static int
fleet_run(struct fleet *fl, const struct fleet_opts *o)
{
	int rc;

	if ((rc = fetch_ref(fl, PV_CTL_NAME, &fl->ref_ctl)) != PV_EXIT_OK ||
	    (rc = fetch_ref(fl, PV_ITL_NAME, &fl->ref_itl)) != PV_EXIT_OK)
		return rc;
	fl->console.f = stdout;
	fl->console.mac_prefix = 1;
	if (o->verbose) {
		fl->console.verbose = 1; /* console lines and ctl-suite's notes */
		fl->env.event = pv_console_event;
		fl->env.event_arg = &fl->console;
	}
	fl->env.done = phone_done;
	fl->env.done_arg = fl;
	fl->env.transfers = fl->env.bytes = fl->env.retransmits = fl->env.dropped = 0;
	fl->progress_on = !o->no_progress && isatty(STDERR_FILENO);
	loop_timer_init(&fl->progress, progress_cb, fl);
	fl->t0 = loop_update_now(fl->env.loop);
	/* Without a timer there is no progress bar; the boots run all the same. */
	if (fl->progress_on)
		CTL_IGNORE_RESULT(loop_timer_set(fl->env.loop, &fl->progress, 200));
	start_more(fl);
	while (fl->finished < fl->n)
		if (loop_run(fl->env.loop) != 0)
			return pv_fail(PV_EXIT_INTERNAL, "event loop failed");
	if (fl->progress_on)
		progress_draw(fl, 1);
	return PV_EXIT_OK;
}

/* TVS, shared verdicts, state writes and --outcomes. */
CTL_MUST_USE static int
fleet_setup(struct fleet *fl, const struct fleet_opts *o, struct pv_sbd *sbd)
{
	char why[768];
	int rc;

	if ((rc = pv_sbd_setup(sbd, &o->sbd, &fl->env, why, sizeof(why))) != PV_EXIT_OK)
		return pv_fail(rc, "%s", why);
	/* Each phone has a TVS cache of its own on flash; the run's single cache
	 * would let one phone's answer serve them all, so phones ask TVS themselves. */
	fl->env.tvs_cache = NULL;
	fl->console.form = o->sbd.form;
	if (pv_verdicts_new(&fl->env.verdicts) != CTL_OK)
		return pv_fail(PV_EXIT_INTERNAL, "out of memory");
	fl->env.no_fsync = !o->durable;
	if (o->outcomes != NULL && (fl->outcomes = fopen(o->outcomes, "w")) == NULL)
		return pv_fail(PV_EXIT_IO, "--outcomes %s: %s", o->outcomes, strerror(errno));
	return PV_EXIT_OK;
}

int
pv_cmd_fleet(int argc, char **argv)
{
	struct fleet_opts o;
	struct pv_sbd sbd;
	struct pv_http *http = NULL;
	struct fleet *fl;
	char why[768];
	double secs;
	int rc;

	memset(&sbd, 0, sizeof(sbd));
	if ((rc = fleet_parse(argc, argv, &o)) != PV_EXIT_OK)
		return rc < 0 ? PV_EXIT_OK : rc;
	if ((fl = calloc(1, sizeof(*fl))) == NULL)
		return pv_fail(PV_EXIT_INTERNAL, "out of memory");
	if (prefix_ok(fl, o.prefix, o.count) != 0) {
		free(fl);
		return PV_EXIT_USAGE;
	}
	fl->n = (size_t)o.count;
	fl->conc = (unsigned)o.conc;
	fl->root = o.root;
	if ((rc = pv_env_init(&fl->env, &o.cfg, why, sizeof(why))) != PV_EXIT_OK) {
		free(fl);
		return pv_fail(rc, "%s", why);
	}
	fl->has_src = o.has_src;
	fl->src = o.src;
	if (fl->has_src && (rc = src_range_ok(fl)) != PV_EXIT_OK)
		goto out;
	if ((rc = fleet_setup(fl, &o, &sbd)) != PV_EXIT_OK)
		goto out;
	/* After the SBD setup (it decides the family); the reference files still come over TFTP. */
	if ((rc = pv_http_setup(&fl->env, o.http_port, pv_net_deadline_ms(&o.cfg), &http, why,
	                        sizeof(why))) != PV_EXIT_OK) {
		rc = pv_fail(rc, "%s", why);
		goto out;
	}
	fl->phones = calloc(fl->n, sizeof(*fl->phones));
	fl->ms = calloc(fl->n, sizeof(*fl->ms));
	if (fl->phones == NULL || fl->ms == NULL) {
		rc = pv_fail(PV_EXIT_INTERNAL, "out of memory for %zu phones", fl->n);
		goto out;
	}
	if ((rc = fleet_run(fl, &o)) != PV_EXIT_OK)
		goto out;
	qsort(fl->ms, fl->n, sizeof(*fl->ms), cmp_u32);
	secs = (double)(fl->t1 - fl->t0) / 1000.0;
	if (o.json)
		summary_json(fl, secs);
	else
		summary_text(fl, secs);
	/* Success only when every phone ended with the server's files and no failure. */
	rc = fl->both_ok == fl->n && fl->by_cause[PV_C_NONE] == fl->n ? PV_EXIT_OK
	                                                             : PV_EXIT_UPDATE_FAILED;
out:
	if (fl->outcomes != NULL && fclose(fl->outcomes) != 0 && rc == PV_EXIT_OK)
		rc = pv_fail(PV_EXIT_IO, "--outcomes %s: %s", o.outcomes, strerror(errno));
	free(fl->phones);
	free(fl->ms);
	pv_http_free(http);
	pv_sbd_cleanup(&sbd);
	pv_env_cleanup(&fl->env);
	free(fl);
	return rc;
}
