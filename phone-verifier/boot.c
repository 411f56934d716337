/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One phone's boot (format section 11): CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv
 * (ITLFile.tlv when missing), then SEP<MAC>.cnf.xml.sgn when the trust list
 * holds a TFTP-capable certificate (section 10.4), else or when missing
 * SEP<MAC>.cnf.xml. Each step is a TFTP transfer on the shared client
 * engine; its completion callback applies the trust rules and starts the
 * next step, so a thousand phones interleave in one loop.
 *
 * Nothing here prints: each console line and status message is an event
 * handed to env->event (console.c prints them), and transfers start
 * through env->get, so the steps run without a network in the unit test.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "pv.h"
#include "tvs_cache.h"

/* File requested at each step: prefix, then the MAC when per_device, then suffix. */
static const struct {
	const char *prefix, *suffix;
	int per_device;
	enum ctl_kind kind;
} steps[] = {
	[PV_S_CTL] = { "CTLSEP", ".tlv", 1, CTL_KIND_CTL },
	[PV_S_ITLSEP] = { "ITLSEP", ".tlv", 1, CTL_KIND_ITL },
	[PV_S_ITLFILE] = { "ITLFile.tlv", "", 0, CTL_KIND_ITL },
	[PV_S_SGN] = { "SEP", ".cnf.xml.sgn", 1, CTL_KIND_SGN },
	[PV_S_CNF] = { "SEP", ".cnf.xml", 1, 0 },
	[PV_S_ENC] = { "SEP", ".cnf.xml.enc.sgn", 1, 0 },
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
#define F_ENC_TRIED    0x200u /* SEP<MAC>.cnf.xml.enc.sgn was asked for */
#define F_CTL_NEW      0x400u /* a CTL was installed */
#define F_ITL_NEW      0x800u /* an ITL was installed */
#define F_CTL_BAD      0x1000u /* a CTL was refused */
#define F_ITL_BAD      0x2000u /* an ITL was refused */
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
	case PV_ST_CTL_ITL_INSTALLED: return "CTL and ITL installed";
	case PV_ST_ITL_INSTALLED: return "ITL installed";
	case PV_ST__COUNT: break;
	}
	return "unknown";
}

/* The 69xx family (6900 guide): its own failure string. */
static int
is69(const struct pv_env *e)
{
	return e->form == PV_FORM_88XX && strncmp(e->model, "69", 2) == 0;
}

void
pv_status_message(const struct pv_env *e, enum pv_status s, const char *file, char *out,
                  size_t cap)
{
	int f88 = e->form == PV_FORM_88XX;

	switch (s) {
	case PV_ST_FILE_AUTH_FAIL:
		/* 7940: "File auth error"; 8945: "invalid file SEP....cnf.xml.sgn,
		 * authenticated fail. Reason:14." (the one reason code seen). */
		if (f88)
			snprintf(out, cap, "invalid file %s, authenticated fail. Reason:14.", file);
		else
			snprintf(out, cap, "File auth error");
		return;
	case PV_ST_VERIFY_FAILED:
	case PV_ST_UPDATE_FAILED:
		if (is69(e)) {
			snprintf(out, cap, "Trust List update failed, verification failure");
			return;
		}
		/* The 8800 guide lists one failure string for both. */
		if (f88) {
			snprintf(out, cap, "%s", pv_status_text(PV_ST_UPDATE_FAILED));
			return;
		}
		break;
	default:
		break;
	}
	snprintf(out, cap, "%s", pv_status_text(s));
}

int
pv_status_exit(enum pv_status s)
{
	switch (s) {
	case PV_ST_UPDATED: case PV_ST_UNCHANGED: case PV_ST_CTL_ITL_INSTALLED:
	case PV_ST_ITL_INSTALLED:
		return PV_EXIT_OK;
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

/* ---- events ------------------------------------------------------------ */

/*
 * The 88xx console names the 79xx lines' parts its own way: "SECD: x"
 * becomes "SECUREAPP-x" and "TFTP: [n]:x" becomes "dgetfile(n)-XXTP x"
 * (lines only an 88xx prints are written in its words where they are made).
 */
static void
to_88xx(char *msg, size_t cap)
{
	char tmp[2048];
	unsigned task;
	int at = 0;

	if (strncmp(msg, "SECD: ", 6) == 0) {
		snprintf(tmp, sizeof(tmp), "SECUREAPP-%.2000s", msg + 6);
	} else if (sscanf(msg, "TFTP: [%u]:%n", &task, &at) == 1 && at > 0) {
		snprintf(tmp, sizeof(tmp), "dgetfile(%u)-XXTP %.2000s", task, msg + at);
	} else {
		return;
	}
	snprintf(msg, cap, "%s", tmp);
}

/*
 * Hands one event to env->event. A line longer than the buffer (names are
 * at most 64 bytes and reasons 640, so it never happens) ends in "...".
 */
static void
emitv(struct pv_phone *ph, enum pv_event_kind k, enum pv_level lv, enum pv_status st,
      const char *fmt, va_list ap)
{
	struct pv_event ev;
	char msg[2048], file[64];
	int n;

	if (ph->env->event == NULL)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		msg[0] = '\0';
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	if (k == PV_EV_LINE && ph->env->form == PV_FORM_88XX)
		to_88xx(msg, sizeof(msg));
	file[0] = '\0';
	if (ph->step < PV_S_DONE)
		pv_step_file(ph->mac, ph->step, file, sizeof(file));
	ev.kind = k;
	ev.step = ph->step;
	ev.file = file;
	ev.err = lv == PV_LV_ERR;
	ev.level = lv;
	ev.status = st;
	ev.message = msg;
	ph->env->event(ph->env->event_arg, ph, &ev);
}

/* A console line: a notice, or an error line when err. */
static void line(struct pv_phone *ph, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
line(struct pv_phone *ph, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emitv(ph, PV_EV_LINE, err ? PV_LV_ERR : PV_LV_NOT, PV_ST__COUNT, fmt, ap);
	va_end(ap);
}

void
pv_phone_note(struct pv_phone *ph, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emitv(ph, PV_EV_NOTE, PV_LV_NOT, PV_ST__COUNT, fmt, ap);
	va_end(ap);
}

void
pv_phone_note_err(struct pv_phone *ph, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emitv(ph, PV_EV_NOTE, PV_LV_ERR, PV_ST__COUNT, fmt, ap);
	va_end(ap);
}

static int
is88(const struct pv_phone *ph)
{
	return ph->env->form == PV_FORM_88XX;
}

/* A status message of kind k (PV_EV_STATUS with st, or PV_EV_NOT_FOUND). */
static void status_msg(struct pv_phone *ph, enum pv_event_kind k, enum pv_status st,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
status_msg(struct pv_phone *ph, enum pv_event_kind k, enum pv_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emitv(ph, k, PV_LV_NOT, st, fmt, ap);
	va_end(ap);
}

/* ---- phone ------------------------------------------------------------------- */

static void finish_cb(struct loop *l, struct loop_timer *t, void *arg);

int
pv_phone_init(struct pv_phone *ph, struct pv_env *e, const char *mac, const char *dir,
              struct ctl_diag *d)
{
	ctl_diag_clear(d);
	ph->env = e;
	memcpy(ph->mac, mac, 13);
	pv_trust_init(&ph->trust);
	loop_timer_init(&ph->timer, finish_cb, ph);
	if (dir == NULL)
		return 0;
	if ((ph->dir = strdup(dir)) == NULL) {
		d->err = CTL_E_NOMEM;
		snprintf(d->msg, sizeof(d->msg), "%s", ctl_strerror(CTL_E_NOMEM));
		return -1;
	}
	if (pv_state_load(dir, &ph->trust, d) != CTL_OK)
		return -1;
	if (ph->trust.ctl != NULL)
		ph->trust.ctl = pv_env_intern(e, ph->trust.ctl);
	if (ph->trust.itl != NULL)
		ph->trust.itl = pv_env_intern(e, ph->trust.itl);
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
	free(ph->enc_plain);
	ph->enc_plain = NULL;
}

static void
fail(struct pv_phone *ph, unsigned flag, enum pv_cause c)
{
	ph->flags |= flag;
	if (ph->cause == PV_C_NONE)
		ph->cause = c;
}

void
pv_step_file(const char *mac, enum pv_step s, char *out, size_t cap)
{
	if (s >= PV_S_DONE) {
		snprintf(out, cap, "%s", "");
		return;
	}
	/* At most 26 bytes ("SEP" + 12 + ".cnf.xml.sgn"): every caller's buffer holds it. */
	snprintf(out, cap, "%s%s%s", steps[s].prefix, steps[s].per_device ? mac : "",
	         steps[s].suffix);
}

static const char *
canonical(enum ctl_kind k)
{
	return k == CTL_KIND_ITL ? PV_ITL_NAME : PV_CTL_NAME;
}

/* ---- TVS ----------------------------------------------------------------------- */

static uint64_t
unix_now(const struct pv_env *e)
{
	return e->clock != NULL ? e->clock() : (uint64_t)time(NULL);
}

/* Hours a TTL lasts, rounded up, as the 88xx says "expires in 24 hours". */
static unsigned long
ttl_hours(uint32_t ttl)
{
	return ((unsigned long)ttl + 3599u) / 3600u;
}

void
pv_phone_tvs_event(void *arg, enum pv_tvs_ev ev, const char *host, unsigned port,
                   const char *detail)
{
	struct pv_phone *ph = arg;
	int f88 = is88(ph);

	switch (ev) {
	case PV_TVS_EV_CONNECT:
		if (f88) {
			pv_phone_line(ph, PV_LV_INF, "SECUREAPP-Attempting connect to TVS server addr [%s], "
			      "mode [%s]", host, detail);
			pv_phone_line(ph, PV_LV_DEB, "SECUREAPP-BIO created with: addr:%s, port:%u, mode:%s",
			      host, port, detail);
		} else {
			line(ph, 0, "SECD: setupSocketToTvsServer: Connecting to TVS server %s:%u",
			     host, port);
		}
		break;
	case PV_TVS_EV_CERT_OK:
		if (f88)
			pv_phone_line(ph, PV_LV_DEB, "SECUREAPP-SSL session setup Cert Verification - Role is = %d",
			      CTL_ROLE_TVS);
		else
			line(ph, 0, "SECD: setupSocketToTvsServer: TVS server certificate is ITL %s "
			     "(role %d)", detail, CTL_ROLE_TVS);
		break;
	case PV_TVS_EV_REFUSED:
		if (f88)
			pv_phone_line(ph, PV_LV_ERR, "SECUREAPP-SSL session setup Cert Verification failed for "
			      "TVS server [%s]:%u - %s; trying the next server", host, port, detail);
		else
			line(ph, 1, "SECD: setupSocketToTvsServer: refused TVS server %s:%u: %s", host,
			     port, detail);
		break;
	case PV_TVS_EV_FAILED:
		if (f88)
			pv_phone_line(ph, PV_LV_ERR, "SECUREAPP-TVS server [%s]:%u failed - %s", host, port,
			      detail);
		else
			line(ph, 1, "SECD: setupSocketToTvsServer: TVS server %s:%u failed: %s", host,
			     port, detail);
		break;
	case PV_TVS_EV_QUERY:
		if (f88)
			pv_phone_line(ph, PV_LV_DEB, "SECUREAPP-TVS process request - processing TVS Query "
			      "Certificate request.");
		else
			line(ph, 0, "SECD: tvsQueryCert: Sent QUERY to TVS server %s:%u", host, port);
		break;
	case PV_TVS_EV_ANSWER:
		if (f88) /* the 8861 logs no line for the answer itself: ctl-suite's note */
			pv_phone_note(ph, "TVS %s:%u answered: %s", host, port, detail);
		else
			line(ph, 0, "SECD: tvsQueryCert: Response received, %s", detail);
		break;
	}
}

/*
 * The phone's pv_tvs_ops.query: the cache first (as a phone logs "No
 * matching entry found at cache"), then the run's TVS, whose answer is
 * cached for its TTL. The rules still check the certificate against the
 * file on every use, cached or not.
 */
static enum ctl_err
phone_tvs_query(void *arg, const struct pv_trust *held, const struct pv_tvs_query *q,
                struct pv_tvs_answer *a, char *why, size_t cap)
{
	struct pv_phone *ph = arg;
	struct pv_env *e = ph->env;
	uint64_t now = unix_now(e);
	enum ctl_err r;

	(void)held;
	if (e->tvs_cache != NULL) {
		if (pv_tvs_cache_find(e->tvs_cache, q->issuer, q->serial, q->serial_len, now, a)) {
			if (is88(ph))
				pv_phone_line(ph, PV_LV_INF, "SECUREAPP-TVS cert found at cache - expires in %lu "
				      "hours", ttl_hours(a->ttl));
			else
				line(ph, 0, "SECD: tvsCacheLookup: cert found at cache - expires in %lu "
				     "hours", ttl_hours(a->ttl));
			return CTL_OK;
		}
		if (is88(ph))
			pv_phone_line(ph, PV_LV_DEB, "SECUREAPP-TVS cache lookup - No matching entry found at "
			      "cache");
		else
			line(ph, 0, "SECD: tvsCacheLookup: No matching entry found at cache");
	}
	if (e->tvs == NULL) {
		snprintf(why, cap, "no TVS server configured");
		return CTL_E_MISSING;
	}
	r = e->tvs(e->tvs_arg, ph, q, a, why, cap);
	if (r == CTL_OK && e->tvs_cache != NULL && a->ttl > 0 &&
	    pv_tvs_cache_put(e->tvs_cache, q->issuer, q->serial, q->serial_len, a, now) == CTL_OK) {
		if (is88(ph))
			pv_phone_line(ph, PV_LV_INF, "SECUREAPP-TVS added cert to TVS cache - expires in %lu "
			      "hours", ttl_hours(a->ttl));
		else
			line(ph, 0, "SECD: tvsCacheAdd: added cert to TVS cache - expires in %lu hours",
			     ttl_hours(a->ttl));
	}
	return r;
}

void
pv_phone_tvs_ops(struct pv_phone *ph, struct pv_tvs_ops *ops)
{
	ops->query = phone_tvs_query;
	ops->arg = ph;
}

/* Counts what TVS did for one decision (boot --json). */
void
pv_phone_note_tvs(struct pv_phone *ph, const struct pv_decision *d)
{
	if (!d->tvs.asked)
		return;
	ph->tvs_asked++;
	ph->tvs_vouched += d->tvs.vouched != 0;
	ph->tvs_cached += d->tvs.cached != 0;
	ph->tvs_last = d->tvs;
}

/* The line of a signature that checked out: the 88xx says it its way. */
static void
verified(struct pv_phone *ph, uint16_t header_len)
{
	if (is88(ph))
		line(ph, 0, "SECUREAPP-Hashes match... authentication successful.");
	else
		line(ph, 0, "SECD: validate_file_envelope: File sign verify SUCCESS; header "
		     "length <%u>", header_len);
}

/* Installs a verified list: flash first (section 11 rule 4: nothing half-done), then memory. */
static void
install(struct pv_phone *ph, enum ctl_kind kind, struct pv_tl *tl, const struct pv_decision *d)
{
	struct ctl_diag diag;
	char buf[768];

	if (ph->dir != NULL && pv_env_store(ph->env, ph->dir, kind, tl, &diag) != CTL_OK) {
		pv_phone_note_err(ph, "cannot store %s: %s", canonical(kind),
		                  ctl_diag_str(&diag, buf, sizeof(buf)));
		pv_tl_unref(tl);
		fail(ph, F_STORE, PV_C_STORE);
		return;
	}
	tl = pv_env_intern(ph->env, tl);
	pv_trust_set(&ph->trust, kind, tl);
	ph->flags |= F_TL_UPDATED | (kind == CTL_KIND_ITL ? F_ITL_NEW : F_CTL_NEW);
	if (is88(ph)) {
		line(ph, 0, "SECUREAPP-updateFromFile: TL parse to table: CTL_SUCCESS");
		line(ph, 0, "SECUREAPP-updateFromFile: Updating master TL table");
		pv_phone_line(ph, PV_LV_DEB, "SECUREAPP-TL file verified successfully.");
		pv_phone_line(ph, PV_LV_INF, "SECUREAPP-TL file updated.");
	}
	pv_phone_note(ph, "%s updated (%s), md5 %s", canonical(kind),
	              d->v == PV_V_TOFU ? d->reset_itl ? "first contact after a reset ITL" :
	              "trust on first use" : d->reason, tl->sums.md5);
}

static void
handle_tl(struct pv_phone *ph, enum ctl_kind kind, const uint8_t *p, size_t n)
{
	struct pv_decision d;
	struct pv_tl *tl = NULL;
	const struct pv_tl *held;

	const struct pv_tvs_ops ops = { phone_tvs_query, ph };
	enum pv_verdict v = pv_env_decide(ph->env, &ph->trust, kind, p, n, &ops, &d, &tl);

	pv_phone_note_tvs(ph, &d);
	switch (v) {
	case PV_V_UNCHANGED:
		ph->flags |= F_TL_UNCHANGED;
		pv_phone_note(ph, "%s unchanged, md5 %s", canonical(kind),
		              pv_trust_get(&ph->trust, kind)->sums.md5);
		return;
	case PV_V_INVALID:
		if (d.header_len != 0)
			line(ph, 1, "SECD: validate_file_envelope: File sign verify FAILED; "
			           "header length <%u>: %s", d.header_len, d.reason);
		else
			line(ph, 1, "SECD: validate_file_envelope: File parse FAILED: %s", d.reason);
		fail(ph, F_TL_INVALID, d.parsed ? PV_C_BAD_SIGNATURE : PV_C_MALFORMED);
		break;
	case PV_V_UNTRUSTED:
		/* The signature itself checks out (a 79xx logs it); that no held
		 * list vouches for the signer is the status message's news, and an
		 * 88xx says "authentication successful" only when it is. */
		if (!is88(ph))
			line(ph, 0, "SECD: validate_file_envelope: File sign verify SUCCESS; header "
			     "length <%u>", d.header_len);
		fail(ph, F_TL_UNTRUSTED, PV_C_UNTRUSTED);
		break;
	case PV_V_TOFU:
	case PV_V_INSTALL:
		verified(ph, d.header_len);
		install(ph, kind, tl, &d);
		return;
	case PV_V__COUNT:
		return;
	}
	ph->flags |= kind == CTL_KIND_ITL ? F_ITL_BAD : F_CTL_BAD;
	held = pv_trust_get(&ph->trust, kind);
	if (held != NULL)
		pv_phone_note(ph, "%s refused: %s; keeping the held one, md5 %s", canonical(kind),
		              d.reason, held->sums.md5);
	else
		pv_phone_note(ph, "%s refused: %s; none installed", canonical(kind), d.reason);
}

void
pv_phone_store_config(struct pv_phone *ph, const uint8_t *p, size_t n)
{
	char name[64], buf[768];
	struct ctl_diag d;

	pv_step_file(ph->mac, PV_S_CNF, name, sizeof(name));
	if (ph->dir != NULL && pv_env_write(ph->env, ph->dir, name, p, n, &d) != CTL_OK) {
		pv_phone_note_err(ph, "cannot store %s: %s", name, ctl_diag_str(&d, buf, sizeof(buf)));
		fail(ph, F_STORE, PV_C_STORE);
	}
}

static void
handle_sgn(struct pv_phone *ph, const char *name, const uint8_t *p, size_t n)
{
	struct pv_decision d;
	size_t off = 0, len = 0;

	const struct pv_tvs_ops ops = { phone_tvs_query, ph };
	enum ctl_err r = pv_env_config_check(ph->env, &ph->trust, &ops, p, n, &d, &off, &len);

	pv_phone_note_tvs(ph, &d);
	if (r == CTL_OK) {
		verified(ph, d.header_len);
		pv_phone_note(ph, "%s %s", name, d.reason);
		/* After an encrypted file, this is its companion (certHash), not the configuration. */
		if (ph->enc_found && ph->env->enc_companion != NULL &&
		    ph->env->enc_companion(ph, name, p + off, len))
			return;
		pv_phone_store_config(ph, p + off, len);
		return;
	}
	if (d.header_len != 0)
		line(ph, 1, "SECD: validate_file_envelope: File sign verify FAILED; header "
		           "length <%u>: %s", d.header_len, d.reason);
	else
		line(ph, 1, "SECD: validate_file_envelope: File parse FAILED: %s", d.reason);
	pv_phone_note(ph, "%s refused: %s", name, d.reason);
	pv_phone_config_fail(ph, name);
}

void
pv_phone_config_fail(struct pv_phone *ph, const char *name)
{
	char msg[128];

	fail(ph, F_CFG_FAIL, PV_C_CONFIG_AUTH);
	pv_status_message(ph->env, PV_ST_FILE_AUTH_FAIL, name, msg, sizeof(msg));
	status_msg(ph, PV_EV_STATUS, PV_ST_FILE_AUTH_FAIL, "%s", msg);
}

void
pv_phone_line(struct pv_phone *ph, enum pv_level lv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emitv(ph, PV_EV_LINE, lv, PV_ST__COUNT, fmt, ap);
	va_end(ap);
}

static int
held_any(const struct pv_phone *ph)
{
	return ph->trust.ctl != NULL || ph->trust.itl != NULL;
}

/*
 * "Trust List Updated", or on an 88xx-family phone that held nothing (first
 * contact, or after erase) "CTL and ITL installed" / "ITL installed"
 * (doc/sbd.md, "Phone").
 */
static enum pv_status
updated(const struct pv_phone *ph)
{
	if (!ph->env->sbd || ph->held_at_boot || !(ph->flags & F_ITL_NEW))
		return PV_ST_UPDATED;
	return ph->flags & F_CTL_NEW ? PV_ST_CTL_ITL_INSTALLED : PV_ST_ITL_INSTALLED;
}

/*
 * The 8800 alarm code of the trust-list outcome (doc/phone-verifier.1
 * says how ctl-suite reads the codes: the guide lists them, not when).
 */
static void
alarm_note(struct pv_phone *ph, enum pv_status s)
{
	static const char *const name[] = { "", "TL_SUCCESS", "CTL_INITIAL_SUCCESS",
		"ITL_INITIAL_SUCCESS", "TL_INITIAL_SUCCESS", "TL_FAILED_OLD_CTL", "TL_FAILED_NO_TL",
		"TL_FAILED", "TL_FAILED_OLD_ITL", "TL_FAILED_OLD_TL" };
	int ctl_kept = (ph->flags & F_CTL_BAD) && ph->trust.ctl != NULL;
	int itl_kept = (ph->flags & F_ITL_BAD) && ph->trust.itl != NULL;
	unsigned code;

	if (s == PV_ST_NO_TL)
		return;
	if (s == PV_ST_VERIFY_FAILED || s == PV_ST_UPDATE_FAILED)
		code = ctl_kept && itl_kept ? 9 : ctl_kept ? 5 : itl_kept ? 8 :
		       !held_any(ph) ? 6 : 7;
	else if (ph->held_at_boot)
		code = 1;
	else
		code = (ph->flags & F_CTL_NEW) && (ph->flags & F_ITL_NEW) ? 4 :
		       (ph->flags & F_CTL_NEW) ? 2 : 3;
	pv_phone_note(ph, "alarm %u - %s", code, name[code]);
}

/* The trust-list status message, once, when the CTL/ITL steps are over. */
static void
tl_status(struct pv_phone *ph)
{
	enum pv_status s;
	char msg[128];

	if (ph->flags & F_TL_STATUS)
		return;
	ph->flags |= F_TL_STATUS;
	if (ph->flags & F_TL_INVALID)
		s = PV_ST_VERIFY_FAILED;
	else if (ph->flags & F_TL_FAILED)
		s = PV_ST_UPDATE_FAILED;
	else if (ph->flags & F_TL_UPDATED)
		s = updated(ph);
	else if (!held_any(ph))
		s = PV_ST_NO_TL;
	else
		return; /* unchanged: a phone shows nothing */
	pv_status_message(ph->env, s, "", msg, sizeof(msg));
	status_msg(ph, PV_EV_STATUS, s, "%s", msg);
	if (is88(ph))
		alarm_note(ph, s);
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
		return updated(ph);
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
	ph->step = PV_S_DONE;
	if (ph->env->get_release != NULL)
		ph->env->get_release(ph->env->get_arg, ph);
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

static void
on_file(void *arg, const struct tftp_result *r)
{
	pv_phone_result(arg, r);
}

/* Where a phone stores a file it fetches (the 88xx logs dest=/tmp/CTLFile.tlv). */
static const char *
dest_name(enum pv_step s, const char *name)
{
	if (s == PV_S_CTL)
		return PV_CTL_NAME;
	if (s == PV_S_ITLSEP || s == PV_S_ITLFILE)
		return PV_ITL_NAME;
	return name;
}

/* The single place a phone starts a TFTP transfer (through env->get). */
CTL_MUST_USE static int
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
	if (is88(ph))
		/* The 8861 logs the server fields empty: ctl-suite's note names it. */
		line(ph, 0, "dgetfile(%u)-GETXXTP [GT%u][src=%s][dest=/tmp/%s][serv=][serv6=][sec=0]",
		     ph->task, ph->task, name, dest_name(ph->step, name));
	if (is88(ph))
		pv_phone_note(ph, "dgetfile(%u) from %s", ph->task, e->server_str);
	else
		line(ph, 0, "TFTP: [%u]:Requesting %s from %s", ph->task, name, e->server_str);
	return e->get(e->get_arg, &g);
}

static void
advance(struct pv_phone *ph, enum pv_step s)
{
	char name[64];

	if (s == PV_S_SGN && !pv_trust_has_tftp(&ph->trust))
		s = PV_S_CNF; /* section 10.4: .sgn only with a TFTP-capable certificate held */
	if (s == PV_S_SGN && ph->env->enc_got != NULL && !(ph->flags & F_ENC_TRIED)) {
		ph->flags |= F_ENC_TRIED;
		s = PV_S_ENC; /* doc/sbd.md: the encrypted file first, the .sgn when not found */
	}
	if (s >= PV_S_SGN)
		tl_status(ph);
	ph->step = s;
	if (s == PV_S_DONE) {
		finish(ph);
		return;
	}
	pv_step_file(ph->mac, s, name, sizeof(name));
	if ((steps[s].kind == CTL_KIND_CTL || steps[s].kind == CTL_KIND_ITL) && !is88(ph))
		line(ph, 0, "SECD: tlRequestFile: Request %s", name);
	if (request(ph, name) != 0) {
		line(ph, 1, "TFTP: [%u]:Error --> cannot start the transfer: %s", ph->task,
		           strerror(errno));
		fail(ph, F_TFTP_ERR, PV_C_TFTP_ERROR);
		ph->step = PV_S_DONE;
		/* Finish from the loop, never re-entering the caller; only when no
		 * timer can be set, finish here rather than never. */
		if (loop_timer_set(ph->env->loop, &ph->timer, 0) != 0)
			finish(ph);
	}
}

enum pv_step
pv_step_next(enum pv_step s, int found)
{
	switch (s) {
	case PV_S_CTL: return PV_S_ITLSEP;
	case PV_S_ITLSEP: return found ? PV_S_SGN : PV_S_ITLFILE;
	case PV_S_ITLFILE: return PV_S_SGN;
	case PV_S_SGN: return found ? PV_S_DONE : PV_S_CNF;
	case PV_S_ENC: return PV_S_SGN; /* the companion .sgn, or the full one when not found */
	case PV_S_CNF: case PV_S_DONE: return PV_S_DONE;
	}
	return PV_S_DONE;
}

static void
got_file(struct pv_phone *ph, enum pv_step s, const char *name, const uint8_t *p, size_t n)
{
	switch (s) {
	case PV_S_CTL: case PV_S_ITLSEP: case PV_S_ITLFILE:
		handle_tl(ph, steps[s].kind, p, n);
		break;
	case PV_S_SGN:
		handle_sgn(ph, name, p, n);
		break;
	case PV_S_CNF:
		pv_phone_note(ph, "%s is not signed; using it", name);
		pv_phone_store_config(ph, p, n);
		break;
	case PV_S_ENC:
		if (ph->env->enc_got != NULL)
			ph->env->enc_got(ph, name, p, n);
		break;
	case PV_S_DONE:
		break;
	}
}

void
pv_phone_result(struct pv_phone *ph, const struct tftp_result *r)
{
	struct pv_env *e = ph->env;
	enum pv_step s = (enum pv_step)ph->step;
	char name[64];

	pv_step_file(ph->mac, s, name, sizeof(name));
	e->transfers++;
	e->retransmits += r->retransmits;
	e->dropped += r->dropped;
	if (r->err == TFTP_CE_OK) {
		e->bytes += r->len;
		if (is88(ph)) {
			line(ph, 0, "dgetfile(%u)-XXTP complete - status = 100", ph->task);
			pv_phone_note(ph, "dgetfile(%u) rcvd %zu bytes", ph->task, r->len);
		} else
			line(ph, 0, "TFTP: [%u]:Finished --> rcvd %zu bytes", ph->task, r->len);
		got_file(ph, s, name, r->data, r->len);
		advance(ph, pv_step_next(s, 1));
		return;
	}
	if (r->err == TFTP_CE_SERVER && r->ecode == TFTP_ENOTFOUND) {
		line(ph, 1, "TFTP: [%u]:Error --> File not found %s", ph->task, name);
		if (s == PV_S_CTL)
			status_msg(ph, PV_EV_NOT_FOUND, PV_ST__COUNT, "File Not Found %s", name);
		advance(ph, pv_step_next(s, 0));
		return;
	}
	if (r->err == TFTP_CE_SERVER)
		line(ph, 1, "TFTP: [%u]:Error --> %s %s: code %u \"%s\"", ph->task,
		           tftp_ecode_str(r->ecode), name, r->ecode, r->emsg);
	else
		line(ph, 1, "TFTP: [%u]:Error --> %s %s after %u retransmissions", ph->task,
		           tftp_cerr_str(r->err), name, r->retransmits);
	if (r->err == TFTP_CE_TIMEOUT) {
		/* The server is unreachable: a phone gives up this boot. */
		fail(ph, F_NET, PV_C_TIMEOUT);
		advance(ph, PV_S_DONE);
		return;
	}
	fail(ph, F_TFTP_ERR, PV_C_TFTP_ERROR);
	advance(ph, pv_step_next(s, 0));
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

void
pv_phone_boot(struct pv_phone *ph)
{
	ph->flags = 0;
	ph->cause = PV_C_NONE;
	ph->held_at_boot = held_any(ph);
	ph->t0 = loop_update_now(ph->env->loop);
	advance(ph, PV_S_CTL);
}
