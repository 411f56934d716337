/*
 * One phone's boot (format section 11): CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv
 * (ITLFile.tlv when missing), then SEP<MAC>.cnf.xml.sgn when the trust list
 * holds a TFTP-capable certificate (section 10.4), else or when missing
 * SEP<MAC>.cnf.xml. Each step is a TFTP transfer on the shared client
 * engine; its completion callback applies the trust rules and starts the
 * next step, so a thousand phones interleave in one loop.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pv.h"

enum step { S_CTL, S_ITLSEP, S_ITLFILE, S_SGN, S_CNF, S_DONE };

/* File requested at each step: prefix, then the MAC when per_device, then suffix. */
static const struct {
	const char *prefix, *suffix;
	int per_device;
	enum ctl_kind kind;
} steps[] = {
	[S_CTL] = { "CTLSEP", ".tlv", 1, CTL_KIND_CTL },
	[S_ITLSEP] = { "ITLSEP", ".tlv", 1, CTL_KIND_ITL },
	[S_ITLFILE] = { "ITLFile.tlv", "", 0, CTL_KIND_ITL },
	[S_SGN] = { "SEP", ".cnf.xml.sgn", 1, CTL_KIND_SGN },
	[S_CNF] = { "SEP", ".cnf.xml", 1, 0 },
};

/* What happened during a boot. */
#define F_TL_UPDATED   0x001u
#define F_TL_UNCHANGED 0x002u
#define F_TL_UNTRUSTED 0x004u
#define F_TL_INVALID   0x008u
#define F_NET          0x010u
#define F_TFTP_ERR     0x020u
#define F_CFG_FAIL     0x040u
#define F_STORE        0x080u
#define F_TL_STATUS    0x100u /* the trust-list status message was shown */
#define F_TL_FAILED    (F_TL_UNTRUSTED | F_NET | F_TFTP_ERR | F_STORE)

const char *
pv_status_text(enum pv_status s)
{
	switch (s) {
	case PV_ST_UPDATED: return "Trust List Updated";
	case PV_ST_UNCHANGED: return "Trust List Unchanged";
	case PV_ST_UPDATE_FAILED: return "Trust List Update Failed";
	case PV_ST_VERIFY_FAILED: return "Trust List Verification Failed";
	case PV_ST_NO_TL: return "No Trust List Installed";
	case PV_ST_FILE_AUTH_FAIL: return "File Auth Fail";
	case PV_ST__COUNT: break;
	}
	return "unknown";
}

int
pv_status_exit(enum pv_status s)
{
	switch (s) {
	case PV_ST_UPDATED: case PV_ST_UNCHANGED: return PV_EXIT_OK;
	case PV_ST_UPDATE_FAILED: return PV_EXIT_UPDATE_FAILED;
	case PV_ST_VERIFY_FAILED: return PV_EXIT_VERIFY_FAILED;
	case PV_ST_NO_TL: return PV_EXIT_NO_TL;
	case PV_ST_FILE_AUTH_FAIL: return PV_EXIT_CONFIG;
	case PV_ST__COUNT: break;
	}
	return PV_EXIT_INTERNAL;
}

const char *
pv_cause_name(enum pv_cause c)
{
	switch (c) {
	case PV_C_NONE: return "none";
	case PV_C_TIMEOUT: return "timeout";
	case PV_C_TFTP_ERROR: return "tftp-error";
	case PV_C_MALFORMED: return "malformed";
	case PV_C_BAD_SIGNATURE: return "bad-signature";
	case PV_C_UNTRUSTED: return "untrusted-signer";
	case PV_C_CONFIG_AUTH: return "config-auth";
	case PV_C_STORE: return "state-write";
	case PV_C_NO_TL: return "no-trust-list";
	case PV_C__COUNT: break;
	}
	return "unknown";
}

/* ---- console ------------------------------------------------------------- */

static void
clock_text(char *buf, size_t cap, int usec)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	if (usec)
		snprintf(buf, cap, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		         ts.tv_nsec / 1000);
	else
		snprintf(buf, cap, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
pv_console(struct pv_phone *ph, int err, const char *fmt, ...)
{
	FILE *f = ph->env->console;
	char ts[32];
	va_list ap;

	if (f == NULL)
		return;
	clock_text(ts, sizeof(ts), 1);
	if (ph->env->console_mac)
		fprintf(f, "SEP%s ", ph->mac);
	/* The sip88xx/79xx console format: "837: NOT 09:13:17.561856 SECD: ..." */
	fprintf(f, "%u: %s %s ", ++ph->env->line_seq, err ? "ERR" : "NOT", ts);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

void
pv_status_msg(struct pv_phone *ph, const char *fmt, ...)
{
	FILE *f = ph->env->console;
	char ts[16];
	va_list ap;

	if (f == NULL)
		return;
	clock_text(ts, sizeof(ts), 0);
	if (ph->env->console_mac)
		fprintf(f, "SEP%s ", ph->mac);
	fprintf(f, "%s ", ts);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* ---- environment ------------------------------------------------------------- */

/* HOST[:PORT]: numeric first (tftp_addr_parse), then a name lookup. */
static int
resolve(const char *spec, union tftp_sa *out)
{
	struct addrinfo hints, *ai = NULL;
	unsigned long long port = 69;
	char host[256];
	const char *colon = strrchr(spec, ':');
	socklen_t len;
	size_t hl;

	if (tftp_addr_parse(spec, 69, out, &len) == 0)
		return 0;
	hl = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (hl == 0 || hl >= sizeof(host) ||
	    (colon != NULL && ctl_parse_uint(colon + 1, 1, 65535, &port) != CTL_OK))
		return -1;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	memcpy(out, ai->ai_addr, ai->ai_addrlen < sizeof(*out) ? ai->ai_addrlen : sizeof(*out));
	freeaddrinfo(ai);
	if (out->sa.sa_family == AF_INET)
		out->in4.sin_port = htons((uint16_t)port);
	else if (out->sa.sa_family == AF_INET6)
		out->in6.sin6_port = htons((uint16_t)port);
	else
		return -1;
	return 0;
}

int
pv_env_init(struct pv_env *e, const struct pv_env_cfg *cfg)
{
	struct tftp_client_cfg cc;

	memset(e, 0, sizeof(*e));
	if (resolve(cfg->tftp, &e->server) != 0) {
		pv_err("--tftp: cannot resolve '%s' (HOST[:PORT])", cfg->tftp);
		return PV_EXIT_USAGE;
	}
	tftp_addr_str(&e->server, e->server_str, sizeof(e->server_str));
	memset(&cc, 0, sizeof(cc));
	cc.timeout_ms = cfg->timeout_ms;
	cc.retries = cfg->retries;
	cc.no_resend = cfg->no_resend;
	cc.loss_pct = cfg->loss_pct;
	cc.seed = cfg->seed;
	cc.max_size = CTL_MAX_FILE;
	e->blksize = cfg->blksize;
	e->windowsize = cfg->windowsize;
	if ((e->loop = loop_new()) == NULL || (e->client = tftp_client_new(e->loop, &cc)) == NULL ||
	    ctl_verifier_new(&e->verifier) != CTL_OK) {
		pv_err("cannot set up the TFTP client: %s", strerror(errno));
		pv_env_cleanup(e);
		return PV_EXIT_INTERNAL;
	}
	return PV_EXIT_OK;
}

void
pv_env_cleanup(struct pv_env *e)
{
	size_t i;

	for (i = 0; i < e->nintern; i++)
		pv_tl_unref(e->intern[i]);
	e->nintern = 0;
	tftp_client_free(e->client);
	loop_free(e->loop);
	ctl_verifier_free(e->verifier);
	e->client = NULL;
	e->loop = NULL;
	e->verifier = NULL;
}

/* One shared copy per distinct file: a fleet of 10,000 holds a handful of lists. */
static struct pv_tl *
intern(struct pv_env *e, struct pv_tl *tl)
{
	size_t i, n, m;

	pv_tl_bytes(tl, &n);
	for (i = 0; i < e->nintern; i++) {
		pv_tl_bytes(e->intern[i], &m);
		if (m == n && strcmp(e->intern[i]->sums.sha256, tl->sums.sha256) == 0) {
			pv_tl_unref(tl);
			return pv_tl_ref(e->intern[i]);
		}
	}
	if (e->nintern < sizeof(e->intern) / sizeof(e->intern[0]))
		e->intern[e->nintern++] = pv_tl_ref(tl);
	return tl;
}

/* ---- phone ------------------------------------------------------------------- */

int
pv_mac_parse(const char *s, char out[13])
{
	size_t i;

	if (strlen(s) != 12)
		return -1;
	for (i = 0; i < 12; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return -1;
		out[i] = c;
	}
	out[12] = '\0';
	return 0;
}

static void finish_cb(struct loop *l, struct loop_timer *t, void *arg);

int
pv_phone_init(struct pv_phone *ph, struct pv_env *e, const char *mac, const char *dir)
{
	struct ctl_diag d;
	char buf[768];

	ph->env = e;
	memcpy(ph->mac, mac, 13);
	pv_trust_init(&ph->trust);
	loop_timer_init(&ph->timer, finish_cb, ph);
	if (dir == NULL)
		return 0;
	if ((ph->dir = strdup(dir)) == NULL)
		return -1;
	if (pv_state_load(dir, &ph->trust, &d) != CTL_OK) {
		pv_err("%s", ctl_diag_str(&d, buf, sizeof(buf)));
		return -1;
	}
	if (ph->trust.ctl != NULL)
		ph->trust.ctl = intern(e, ph->trust.ctl);
	if (ph->trust.itl != NULL)
		ph->trust.itl = intern(e, ph->trust.itl);
	return 0;
}

void
pv_phone_cleanup(struct pv_phone *ph)
{
	if (ph->env != NULL && ph->env->loop != NULL)
		loop_timer_cancel(ph->env->loop, &ph->timer);
	pv_trust_cleanup(&ph->trust);
	free(ph->dir);
	ph->dir = NULL;
}

static void
fail(struct pv_phone *ph, unsigned flag, enum pv_cause c)
{
	ph->flags |= flag;
	if (ph->cause == PV_C_NONE)
		ph->cause = c;
}

static void
step_name(const struct pv_phone *ph, enum step s, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s%s", steps[s].prefix, steps[s].per_device ? ph->mac : "",
	         steps[s].suffix);
}

static const char *
canonical(enum ctl_kind k)
{
	return k == CTL_KIND_ITL ? PV_ITL_NAME : PV_CTL_NAME;
}

/* Installs a verified list: flash first (section 11 rule 4: nothing half-done), then memory. */
static void
install(struct pv_phone *ph, enum ctl_kind kind, struct pv_tl *tl, const struct pv_decision *d)
{
	struct ctl_diag diag;
	char buf[768];

	if (ph->dir != NULL && pv_state_store(ph->dir, kind, tl, &diag) != CTL_OK) {
		pv_console(ph, 1, "SECD: tlUpdate: cannot store %s: %s", canonical(kind),
		           ctl_diag_str(&diag, buf, sizeof(buf)));
		pv_tl_unref(tl);
		fail(ph, F_STORE, PV_C_STORE);
		return;
	}
	tl = intern(ph->env, tl);
	pv_trust_set(&ph->trust, kind, tl);
	ph->flags |= F_TL_UPDATED;
	pv_console(ph, 0, "SECD: tlUpdate: %s updated (%s), md5 %s", canonical(kind),
	           d->v == PV_V_TOFU ? "trust on first use" : d->reason, tl->sums.md5);
}

static void
handle_tl(struct pv_phone *ph, enum ctl_kind kind, const uint8_t *p, size_t n)
{
	struct pv_decision d;
	struct pv_tl *tl = NULL;
	const struct pv_tl *held;

	switch (pv_trust_decide(&ph->trust, kind, p, n, ph->env->verifier, &d, &tl)) {
	case PV_V_UNCHANGED:
		ph->flags |= F_TL_UNCHANGED;
		pv_console(ph, 0, "SECD: tlUpdate: %s unchanged, md5 %s", canonical(kind),
		           pv_trust_get(&ph->trust, kind)->sums.md5);
		return;
	case PV_V_INVALID:
		if (d.header_len != 0)
			pv_console(ph, 1, "SECD: validate_file_envelope: File sign verify FAILED; "
			           "header length <%u>: %s", d.header_len, d.reason);
		else
			pv_console(ph, 1, "SECD: validate_file_envelope: File parse FAILED: %s", d.reason);
		fail(ph, F_TL_INVALID, d.parsed ? PV_C_BAD_SIGNATURE : PV_C_MALFORMED);
		break;
	case PV_V_UNTRUSTED:
		pv_console(ph, 0, "SECD: validate_file_envelope: File sign verify SUCCESS; header "
		           "length <%u>", d.header_len);
		pv_console(ph, 1, "SECD: tlVerifyTrust: %s", d.reason);
		fail(ph, F_TL_UNTRUSTED, PV_C_UNTRUSTED);
		break;
	case PV_V_TOFU:
	case PV_V_INSTALL:
		pv_console(ph, 0, "SECD: validate_file_envelope: File sign verify SUCCESS; header "
		           "length <%u>", d.header_len);
		install(ph, kind, tl, &d);
		return;
	case PV_V__COUNT:
		return;
	}
	held = pv_trust_get(&ph->trust, kind);
	if (held != NULL)
		pv_console(ph, 1, "SECD: tlUpdate: %s not updated; keeping the held one, md5 %s",
		           canonical(kind), held->sums.md5);
	else
		pv_console(ph, 1, "SECD: tlUpdate: %s not installed", canonical(kind));
}

static void
store_config(struct pv_phone *ph, const uint8_t *p, size_t n)
{
	char name[64], buf[768];
	struct ctl_diag d;

	step_name(ph, S_CNF, name, sizeof(name));
	if (ph->dir != NULL && pv_state_write(ph->dir, name, p, n, &d) != CTL_OK) {
		pv_console(ph, 1, "SECD: cfg: cannot store %s: %s", name,
		           ctl_diag_str(&d, buf, sizeof(buf)));
		fail(ph, F_STORE, PV_C_STORE);
	}
}

static void
handle_sgn(struct pv_phone *ph, const char *name, const uint8_t *p, size_t n)
{
	struct pv_decision d;
	size_t off = 0, len = 0;

	if (pv_config_check(&ph->trust, p, n, &d, &off, &len) == CTL_OK) {
		pv_console(ph, 0, "SECD: validate_file_envelope: File sign verify SUCCESS; header "
		           "length <%u>", d.header_len);
		pv_console(ph, 0, "SECD: cfgVerify: %s %s", name, d.reason);
		store_config(ph, p + off, len);
		return;
	}
	if (d.header_len != 0)
		pv_console(ph, 1, "SECD: validate_file_envelope: File sign verify FAILED; header "
		           "length <%u>: %s", d.header_len, d.reason);
	else
		pv_console(ph, 1, "SECD: validate_file_envelope: File parse FAILED: %s", d.reason);
	fail(ph, F_CFG_FAIL, PV_C_CONFIG_AUTH);
	pv_status_msg(ph, "%s %s", pv_status_text(PV_ST_FILE_AUTH_FAIL), name);
}

static int
held_any(const struct pv_phone *ph)
{
	return ph->trust.ctl != NULL || ph->trust.itl != NULL;
}

/* The trust-list status message, once, when the CTL/ITL steps are over. */
static void
tl_status(struct pv_phone *ph)
{
	enum pv_status s;

	if (ph->flags & F_TL_STATUS)
		return;
	ph->flags |= F_TL_STATUS;
	if (ph->flags & F_TL_INVALID)
		s = PV_ST_VERIFY_FAILED;
	else if (ph->flags & F_TL_FAILED)
		s = PV_ST_UPDATE_FAILED;
	else if (ph->flags & F_TL_UPDATED)
		s = PV_ST_UPDATED;
	else if (!held_any(ph))
		s = PV_ST_NO_TL;
	else
		return; /* unchanged: a phone shows nothing */
	pv_status_msg(ph, "%s", pv_status_text(s));
}

static enum pv_status
headline(struct pv_phone *ph)
{
	if (ph->flags & F_TL_INVALID)
		return PV_ST_VERIFY_FAILED;
	if (ph->flags & F_TL_FAILED)
		return PV_ST_UPDATE_FAILED;
	if (ph->flags & F_CFG_FAIL)
		return PV_ST_FILE_AUTH_FAIL;
	if (ph->flags & F_TL_UPDATED)
		return PV_ST_UPDATED;
	if (!held_any(ph)) {
		if (ph->cause == PV_C_NONE)
			ph->cause = PV_C_NO_TL;
		return PV_ST_NO_TL;
	}
	return PV_ST_UNCHANGED;
}

static void
finish(struct pv_phone *ph)
{
	tl_status(ph);
	ph->status = headline(ph);
	ph->ms = loop_now(ph->env->loop) - ph->t0;
	ph->step = S_DONE;
	if (ph->env->done != NULL)
		ph->env->done(ph->env->done_arg, ph);
}

static void
finish_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	finish(arg);
}

static void on_file(void *arg, const struct tftp_result *r);

/* The single place a phone starts a TFTP transfer. */
static int
request(struct pv_phone *ph, const char *name)
{
	struct pv_env *e = ph->env;
	struct tftp_get g;

	memset(&g, 0, sizeof(g));
	g.server = &e->server;
	g.file = name;
	g.mode = TFTP_MODE_OCTET;
	g.blksize = e->blksize;
	g.windowsize = e->windowsize;
	g.tsize = e->blksize != 0;
	g.local_addr = ph->has_src ? &ph->src : NULL;
	g.done = on_file;
	g.arg = ph;
	ph->task = ++e->task_seq % 100;
	pv_console(ph, 0, "TFTP: [%u]:Requesting %s from %s", ph->task, name, e->server_str);
	return tftp_client_get(e->client, &g);
}

static void
advance(struct pv_phone *ph, enum step s)
{
	char name[64];

	if (s == S_SGN && !pv_trust_has_tftp(&ph->trust))
		s = S_CNF; /* section 10.4: .sgn only with a TFTP-capable certificate held */
	if (s >= S_SGN)
		tl_status(ph);
	ph->step = s;
	if (s == S_DONE) {
		finish(ph);
		return;
	}
	step_name(ph, s, name, sizeof(name));
	if (steps[s].kind == CTL_KIND_CTL || steps[s].kind == CTL_KIND_ITL)
		pv_console(ph, 0, "SECD: tlRequestFile: Request %s", name);
	if (request(ph, name) != 0) {
		pv_console(ph, 1, "TFTP: [%u]:Error --> cannot start the transfer: %s", ph->task,
		           strerror(errno));
		fail(ph, F_TFTP_ERR, PV_C_TFTP_ERROR);
		ph->step = S_DONE;
		(void)loop_timer_set(ph->env->loop, &ph->timer, 0); /* never re-enter the caller */
	}
}

/* Next step after step s ended: found (1) or not found (0). */
static enum step
next_step(enum step s, int found)
{
	switch (s) {
	case S_CTL: return S_ITLSEP;
	case S_ITLSEP: return found ? S_SGN : S_ITLFILE;
	case S_ITLFILE: return S_SGN;
	case S_SGN: return found ? S_DONE : S_CNF;
	case S_CNF: case S_DONE: return S_DONE;
	}
	return S_DONE;
}

static void
got_file(struct pv_phone *ph, enum step s, const char *name, const uint8_t *p, size_t n)
{
	switch (s) {
	case S_CTL: case S_ITLSEP: case S_ITLFILE:
		handle_tl(ph, steps[s].kind, p, n);
		break;
	case S_SGN:
		handle_sgn(ph, name, p, n);
		break;
	case S_CNF:
		pv_console(ph, 0, "SECD: cfg: %s is not signed; using it", name);
		store_config(ph, p, n);
		break;
	case S_DONE:
		break;
	}
}

static void
on_file(void *arg, const struct tftp_result *r)
{
	struct pv_phone *ph = arg;
	struct pv_env *e = ph->env;
	enum step s = (enum step)ph->step;
	char name[64];

	step_name(ph, s, name, sizeof(name));
	e->transfers++;
	e->retransmits += r->retransmits;
	e->dropped += r->dropped;
	if (r->err == TFTP_CE_OK) {
		e->bytes += r->len;
		pv_console(ph, 0, "TFTP: [%u]:Finished --> rcvd %zu bytes", ph->task, r->len);
		got_file(ph, s, name, r->data, r->len);
		advance(ph, next_step(s, 1));
		return;
	}
	if (r->err == TFTP_CE_SERVER && r->ecode == TFTP_ENOTFOUND) {
		pv_console(ph, 1, "TFTP: [%u]:Error --> File not found %s", ph->task, name);
		if (s == S_CTL)
			pv_status_msg(ph, "File Not Found %s", name);
		advance(ph, next_step(s, 0));
		return;
	}
	if (r->err == TFTP_CE_SERVER)
		pv_console(ph, 1, "TFTP: [%u]:Error --> %s %s: code %u \"%s\"", ph->task,
		           tftp_ecode_str(r->ecode), name, r->ecode, r->emsg);
	else
		pv_console(ph, 1, "TFTP: [%u]:Error --> %s %s after %u retransmissions", ph->task,
		           tftp_cerr_str(r->err), name, r->retransmits);
	if (r->err == TFTP_CE_TIMEOUT) {
		/* The server is unreachable: a phone gives up this boot. */
		fail(ph, F_NET, PV_C_TIMEOUT);
		advance(ph, S_DONE);
		return;
	}
	fail(ph, F_TFTP_ERR, PV_C_TFTP_ERROR);
	advance(ph, next_step(s, 0));
}

int
pv_phone_exit(const struct pv_phone *ph)
{
	if (ph->status == PV_ST_UPDATE_FAILED &&
	    (ph->cause == PV_C_TIMEOUT || ph->cause == PV_C_TFTP_ERROR))
		return PV_EXIT_NETWORK;
	if (ph->cause == PV_C_STORE)
		return PV_EXIT_IO;
	return pv_status_exit(ph->status);
}

int
pv_phone_boot(struct pv_phone *ph)
{
	ph->flags = 0;
	ph->cause = PV_C_NONE;
	ph->t0 = loop_update_now(ph->env->loop);
	advance(ph, S_CTL);
	return 0;
}

/* ---- one-off fetch (compare --tftp, fleet reference files) --------------------- */

struct fetch {
	int done;
	uint8_t *data;
	size_t len;
	struct tftp_result res;
};

static void
fetch_done(void *arg, const struct tftp_result *r)
{
	struct fetch *f = arg;

	f->done = 1;
	f->res = *r;
	f->res.data = NULL;
	if (r->err == TFTP_CE_OK && (f->data = malloc(r->len ? r->len : 1)) != NULL) {
		memcpy(f->data, r->data, r->len);
		f->len = r->len;
	} else if (r->err == TFTP_CE_OK) {
		f->res.err = TFTP_CE_NOMEM;
	}
}

int
pv_fetch(struct pv_env *e, const char *name, uint8_t **data, size_t *len, struct tftp_result *r)
{
	struct fetch f;
	struct tftp_get g;

	memset(&f, 0, sizeof(f));
	memset(&g, 0, sizeof(g));
	*data = NULL;
	*len = 0;
	g.server = &e->server;
	g.file = name;
	g.mode = TFTP_MODE_OCTET;
	g.blksize = e->blksize;
	g.windowsize = e->windowsize;
	g.tsize = e->blksize != 0;
	g.done = fetch_done;
	g.arg = &f;
	if (tftp_client_get(e->client, &g) != 0)
		return -1;
	while (!f.done && tftp_client_active(e->client) > 0)
		if (loop_run(e->loop) != 0)
			break;
	*r = f.res;
	if (!f.done)
		return -1;
	*data = f.data;
	*len = f.len;
	return 0;
}
