/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CTL Provider requests (doc/provider-protocol.md): one handler per request
 * type, listed in one table with whether it needs a login. A handler adds
 * its response items to resp (already begun with status OK) and returns
 * CTL_PROV_OK, or returns a failure status with a reason in msg; the
 * dispatcher then replaces the response by an error response carrying
 * MESSAGE. Every request is logged with the peer address.
 *
 * OVERRIDE (install without the trust check) and SET_MODE change what new
 * phones will trust, so any password holder could use them to take over
 * the cluster's trust: both are refused (UNSUPPORTED) unless the node's
 * configuration enables them (allow_override, allow_set_mode).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include <ctl/text.h>

#include "provider.h"

#define MSG_MAX 768

typedef prov_handler_fn handler_fn;

static const char *
status_name(uint16_t st)
{
	switch ((enum ctl_prov_status)st) {
	case CTL_PROV_OK: return "OK";
	case CTL_PROV_BAD_REQUEST: return "BAD_REQUEST";
	case CTL_PROV_UNSUPPORTED: return "UNSUPPORTED";
	case CTL_PROV_AUTH_REQUIRED: return "AUTH_REQUIRED";
	case CTL_PROV_AUTH_FAILED: return "AUTH_FAILED";
	case CTL_PROV_THROTTLED: return "THROTTLED";
	case CTL_PROV_NOT_FOUND: return "NOT_FOUND";
	case CTL_PROV_CTL_MALFORMED: return "CTL_MALFORMED";
	case CTL_PROV_CTL_SIGNATURE: return "CTL_SIGNATURE";
	case CTL_PROV_CTL_NOT_TRUSTED: return "CTL_NOT_TRUSTED";
	case CTL_PROV_TOO_LARGE: return "TOO_LARGE";
	case CTL_PROV_IO: return "IO";
	case CTL_PROV_INTERNAL: return "INTERNAL";
	case CTL_PROV_STATUS__COUNT: break;
	}
	return "UNKNOWN";
}

/* A text item as a C string: no NUL inside, shorter than cap. */
static CTL_MUST_USE int
item_text(const struct ctl_prov_item *it, char *out, size_t cap)
{
	if (it == NULL || it->len >= cap || memchr(it->val, '\0', it->len) != NULL)
		return -1;
	memcpy(out, it->val, it->len);
	out[it->len] = '\0';
	return 0;
}

/* A one-byte item with a value in 0..max. */
static CTL_MUST_USE int
item_u8(const struct ctl_prov_item *it, unsigned max, unsigned *v)
{
	if (it == NULL || it->len != 1 || it->val[0] > max)
		return -1;
	*v = it->val[0];
	return 0;
}

static uint16_t
wr_status(enum ctl_err r, char *msg, size_t msglen)
{
	snprintf(msg, msglen, "cannot encode the response: %s", ctl_strerror(r));
	return r == CTL_E_TOO_LARGE ? CTL_PROV_TOO_LARGE : CTL_PROV_INTERNAL;
}

static uint16_t
h_login(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp, char *msg,
        size_t msglen)
{
	char user[PROV_NAME_MAX], pw[1024], shown[PROV_NAME_MAX * 4], why[256];
	const struct ctl_prov_item *u = ctl_prov_find(req, CTL_PROV_T_USER);
	const struct ctl_prov_item *p = ctl_prov_find(req, CTL_PROV_T_PASSWORD);
	enum prov_auth_result ar;

	(void)resp;
	c->authed = 0;
	c->user[0] = '\0';
	if (u == NULL || p == NULL || u->len == 0) {
		snprintf(msg, msglen, "LOGIN needs USER and PASSWORD");
		return CTL_PROV_BAD_REQUEST;
	}
	ctl_text_escape(shown, sizeof(shown), u->val, u->len > 64 ? 64 : u->len);
	if (item_text(u, user, sizeof(user)) != 0 || item_text(p, pw, sizeof(pw)) != 0) {
		OPENSSL_cleanse(pw, sizeof(pw));
		prov_logp(LOG_WARNING, "login failed for user %s from %s: malformed user or password item",
		         shown, c->peer);
		snprintf(msg, msglen, "USER or PASSWORD too long or contains NUL");
		return CTL_PROV_BAD_REQUEST;
	}
	ar = prov_auth_check(&c->srv->auth, c->peer_addr, user, pw, why, sizeof(why));
	OPENSSL_cleanse(pw, sizeof(pw));
	prov_admin_note_login(c->srv->admin, c->peer_addr, shown, ar);
	switch (ar) {
	case PROV_AUTH_OK:
		c->authed = 1;
		memcpy(c->user, user, sizeof(c->user));
		prov_log("login ok for user %s from %s", shown, c->peer);
		return CTL_PROV_OK;
	case PROV_AUTH_BAD:
		prov_logp(LOG_WARNING, "login failed for user %s from %s", shown, c->peer);
		snprintf(msg, msglen, "unknown user or wrong password");
		return CTL_PROV_AUTH_FAILED;
	case PROV_AUTH_THROTTLED:
		prov_logp(LOG_WARNING, "login throttled for user %s from %s: %s", shown, c->peer, why);
		snprintf(msg, msglen, "too many failed logins from %s (%s); try later",
		         c->peer_addr, why);
		return CTL_PROV_THROTTLED;
	case PROV_AUTH_ERROR:
		break;
	}
	prov_logp(LOG_ERR, "login error for user %s from %s: %s", shown, c->peer, why);
	snprintf(msg, msglen, "the credential store is unavailable");
	return CTL_PROV_INTERNAL;
}

/* One CERT item: u16 role, then the DER certificate. */
static CTL_MUST_USE enum ctl_err
put_cert(struct ctl_wr *resp, uint16_t role, const uint8_t *der, size_t n)
{
	enum ctl_err r;

	if ((r = ctl_wr_u16be(resp, CTL_PROV_T_CERT)) != CTL_OK ||
	    (r = ctl_wr_u32be(resp, (uint32_t)(2 + n))) != CTL_OK ||
	    (r = ctl_wr_u16be(resp, role)) != CTL_OK)
		return r;
	return ctl_wr_bytes(resp, der, n);
}

/* 1 when a `cert =` entry already announces der (the administrator's role wins). */
static int
announced(const struct prov_config *cfg, const uint8_t *der, size_t n)
{
	size_t i;

	for (i = 0; i < cfg->ncerts; i++)
		if (cfg->certs[i].der_len == n && memcmp(cfg->certs[i].der, der, n) == 0)
			return 1;
	return 0;
}

/*
 * The identity certificates (doc/sbd.md): CallManager as CCM+TFTP, TVS and
 * CAPF, when the node has an identity that is meant to be announced: SBD
 * on (itl or sign_configs), or the certificate named by its own key.
 */
static CTL_MUST_USE enum ctl_err
put_identity(struct prov_conn *c, struct ctl_wr *resp)
{
	struct prov_sbd *s = &c->srv->sbd;
	const struct prov_config *cfg = c->srv->cfg;
	int sbd_on = cfg->itl || prov_config_sign_configs(cfg);
	struct { X509 *x; uint16_t role; int on; } ids[3];
	enum ctl_err r = CTL_OK;
	size_t i;

	if (!s->ready)
		return CTL_OK;
	pthread_mutex_lock(&s->lock);
	ids[0].x = s->id->callmanager;
	ids[0].role = CTL_ROLE_CCM_TFTP;
	ids[0].on = sbd_on || cfg->callmanager_cert[0] != '\0';
	ids[1].x = s->id->tvs;
	ids[1].role = CTL_ROLE_TVS;
	ids[1].on = 1;
	ids[2].x = s->id->capf;
	ids[2].role = CTL_ROLE_CAPF;
	ids[2].on = 1;
	for (i = 0; i < 3 && r == CTL_OK; i++) {
		unsigned char *der = NULL;
		int n;

		if (ids[i].x == NULL || !ids[i].on || (n = i2d_X509(ids[i].x, &der)) <= 0)
			continue;
		if (!announced(cfg, der, (size_t)n))
			r = put_cert(resp, ids[i].role, der, (size_t)n);
		OPENSSL_free(der);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

static uint16_t
h_get_info(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp, char *msg,
           size_t msglen)
{
	const struct prov_config *cfg = c->srv->cfg;
	enum ctl_err r;
	size_t i;

	(void)req;
	if ((r = ctl_prov_put_str(resp, CTL_PROV_T_HOSTNAME, cfg->hostname)) != CTL_OK ||
	    (r = ctl_prov_put(resp, CTL_PROV_T_IPV4, cfg->ipv4, 4)) != CTL_OK ||
	    (r = ctl_prov_put_u8(resp, CTL_PROV_T_MODE, (uint8_t)prov_store_mode(&c->srv->store))) !=
	        CTL_OK ||
	    (r = ctl_prov_put_str(resp, CTL_PROV_T_VERSION, PROV_SOFTWARE_VERSION)) != CTL_OK)
		return wr_status(r, msg, msglen);
	for (i = 0; i < cfg->ncerts; i++) {
		const struct prov_cert *pc = &cfg->certs[i];

		if ((r = put_cert(resp, pc->role, pc->der, pc->der_len)) != CTL_OK)
			return wr_status(r, msg, msglen);
	}
	if ((r = put_identity(c, resp)) != CTL_OK)
		return wr_status(r, msg, msglen);
	return CTL_PROV_OK;
}

static uint16_t
h_get_ctl(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp, char *msg,
          size_t msglen)
{
	struct ctl_sums sums;
	uint8_t *buf = NULL;
	size_t len = 0;
	enum ctl_err r;
	uint16_t st;

	(void)req;
	if ((st = prov_store_get(&c->srv->store, &buf, &len, msg, msglen)) != CTL_PROV_OK)
		return st;
	if ((r = ctl_checksums(buf, len, &sums)) != CTL_OK ||
	    (r = ctl_prov_put(resp, CTL_PROV_T_CTL_FILE, buf, len)) != CTL_OK ||
	    (r = ctl_prov_put_str(resp, CTL_PROV_T_MD5, sums.md5)) != CTL_OK)
		st = wr_status(r, msg, msglen);
	free(buf);
	return st;
}

static uint16_t
h_put_ctl(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp, char *msg,
          size_t msglen)
{
	const struct ctl_prov_item *f = ctl_prov_find(req, CTL_PROV_T_CTL_FILE);
	const struct ctl_prov_item *o = ctl_prov_find(req, CTL_PROV_T_OVERRIDE);
	const struct ctl_prov_item *rs = ctl_prov_find(req, CTL_PROV_T_REASON);
	char reason[600] = "no reason given";
	struct prov_ctl_info info;
	unsigned override = 0;
	enum ctl_err r;
	uint16_t st;

	if (f == NULL || f->len == 0) {
		snprintf(msg, msglen, "PUT_CTL needs a CTL_FILE item");
		return CTL_PROV_BAD_REQUEST;
	}
	if (o != NULL && (item_u8(o, 1, &override) != 0 || override != 1)) {
		snprintf(msg, msglen, "OVERRIDE must be the single byte 01");
		return CTL_PROV_BAD_REQUEST;
	}
	if (override && !c->srv->cfg->allow_override) {
		snprintf(msg, msglen, "OVERRIDE is disabled on this node (allow_override = no); "
		         "the installed CTL is unchanged");
		return CTL_PROV_UNSUPPORTED;
	}
	if (rs != NULL && rs->len > 0)
		ctl_text_escape(reason, sizeof(reason), rs->val, rs->len > 128 ? 128 : rs->len);
	if (override)
		prov_logp(LOG_NOTICE, "OVERRIDE by user %s from %s: installing without the installed-CTL trust "
		         "check; reason: %s", c->user, c->peer, reason);
	st = prov_store_put(&c->srv->store, f->val, f->len, (int)override, &info, msg, msglen);
	if (st != CTL_PROV_OK) {
		prov_logp(LOG_WARNING, "PUT_CTL from %s user %s refused (%s): %s; installed CTL unchanged", c->peer,
		         c->user, status_name(st), msg);
		prov_admin_note_upload(c->srv->admin, c->peer, c->user, NULL, 0, 0, status_name(st));
		return st;
	}
	prov_log("PUT_CTL from %s user %s: installed %s, %u bytes, md5 %s (%s)", c->peer, c->user,
	         PROV_CTL_NAME, info.length, info.sums.md5, msg);
	prov_admin_note_upload(c->srv->admin, c->peer, c->user, info.sums.md5, info.length, 1, NULL);
	/* A mixed-mode CTL may carry new certificates: the ITL follows (a failure is logged). */
	if (prov_store_mode(&c->srv->store) == 1) {
		char why[MSG_MAX];

		CTL_IGNORE_RESULT(prov_itl_rebuild(&c->srv->sbd, "a CTL was installed in mixed mode",
		                                   why, sizeof(why)));
	}
	if ((r = ctl_prov_put_str(resp, CTL_PROV_T_MD5, info.sums.md5)) != CTL_OK ||
	    (r = ctl_prov_put_u32(resp, CTL_PROV_T_LENGTH, info.length)) != CTL_OK)
		return wr_status(r, msg, msglen);
	return CTL_PROV_OK;
}

static uint16_t
h_set_mode(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp, char *msg,
           size_t msglen)
{
	unsigned mode;
	enum ctl_err r;
	uint16_t st;

	if (!c->srv->cfg->allow_set_mode) {
		snprintf(msg, msglen, "SET_MODE is disabled on this node (allow_set_mode = no); "
		         "the security mode is unchanged");
		return CTL_PROV_UNSUPPORTED;
	}
	if (item_u8(ctl_prov_find(req, CTL_PROV_T_MODE), 1, &mode) != 0) {
		snprintf(msg, msglen, "SET_MODE needs MODE: one byte, 0 (non-secure) or 1 (mixed)");
		return CTL_PROV_BAD_REQUEST;
	}
	if ((st = prov_store_set_mode(&c->srv->store, mode, msg, msglen)) != CTL_PROV_OK) {
		prov_logp(LOG_WARNING, "SET_MODE from %s user %s failed: %s", c->peer, c->user, msg);
		return st;
	}
	prov_logp(LOG_NOTICE, "security mode set to %u (%s) by user %s from %s", mode,
	         mode ? "mixed" : "non-secure", c->user, c->peer);
	{
		/* CallManager's ITL role follows the mode (TFTP or CCM+TFTP); a failure is logged. */
		char why[MSG_MAX];

		CTL_IGNORE_RESULT(prov_itl_rebuild(&c->srv->sbd, mode ? "mode set to mixed" :
		                                   "mode set to non-secure", why, sizeof(why)));
	}
	if ((r = ctl_prov_put_u8(resp, CTL_PROV_T_MODE, (uint8_t)mode)) != CTL_OK)
		return wr_status(r, msg, msglen);
	return CTL_PROV_OK;
}

static uint16_t
h_get_status(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp, char *msg,
             size_t msglen)
{
	struct prov_ctl_info info;
	enum ctl_err r;
	uint16_t st;

	(void)req;
	if ((r = ctl_prov_put_str(resp, CTL_PROV_T_HOSTNAME, c->srv->cfg->hostname)) != CTL_OK ||
	    (r = ctl_prov_put_u8(resp, CTL_PROV_T_MODE, (uint8_t)prov_store_mode(&c->srv->store))) !=
	        CTL_OK)
		return wr_status(r, msg, msglen);
	if ((st = prov_store_info(&c->srv->store, &info, msg, msglen)) == CTL_PROV_NOT_FOUND)
		return CTL_PROV_OK;
	if (st != CTL_PROV_OK)
		return st;
	if ((r = ctl_prov_put_str(resp, CTL_PROV_T_MD5, info.sums.md5)) != CTL_OK ||
	    (r = ctl_prov_put_u32(resp, CTL_PROV_T_LENGTH, info.length)) != CTL_OK ||
	    (r = ctl_prov_put_u32(resp, CTL_PROV_T_MTIME, info.mtime)) != CTL_OK)
		return wr_status(r, msg, msglen);
	return CTL_PROV_OK;
}

static uint16_t
h_bye(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp, char *msg,
      size_t msglen)
{
	(void)req;
	(void)resp;
	(void)msg;
	(void)msglen;
	c->closing = 1;
	return CTL_PROV_OK;
}

static const struct handler {
	uint8_t type;
	const char *name;
	int needs_login;
	handler_fn fn;
} handlers[] = {
	{ CTL_PROV_LOGIN, "LOGIN", 0, h_login },
	{ CTL_PROV_GET_INFO, "GET_INFO", 1, h_get_info },
	{ CTL_PROV_GET_CTL, "GET_CTL", 1, h_get_ctl },
	{ CTL_PROV_PUT_CTL, "PUT_CTL", 1, h_put_ctl },
	{ CTL_PROV_SET_MODE, "SET_MODE", 1, h_set_mode },
	{ CTL_PROV_GET_STATUS, "GET_STATUS", 1, h_get_status },
	{ CTL_PROV_BYE, "BYE", 0, h_bye },
	{ CTL_PROV_SIGN_CTL, "SIGN_CTL", 1, prov_h_sign_ctl },
	{ CTL_PROV_ITL_RESET, "ITL_RESET", 1, prov_h_itl_reset },
	{ CTL_PROV_GET_ITL, "GET_ITL", 1, prov_h_get_itl },
};

enum ctl_err
prov_error_response(struct ctl_wr *resp, uint8_t type, uint32_t id, uint16_t status,
                    const char *msg)
{
	enum ctl_err r;

	ctl_wr_reset(resp);
	if ((r = ctl_prov_begin(resp, type, status, id)) != CTL_OK ||
	    (msg != NULL && msg[0] != '\0' &&
	     (r = ctl_prov_put_str(resp, CTL_PROV_T_MESSAGE, msg)) != CTL_OK))
		return r;
	return ctl_prov_end(resp);
}

static const struct handler *
find_handler(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (handlers[i].type == type)
			return &handlers[i];
	return NULL;
}

void
prov_dispatch(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp)
{
	const struct handler *h = find_handler(req->type);
	uint8_t rtype = (uint8_t)(req->type | CTL_PROV_RESPONSE);
	char msg[MSG_MAX] = "";
	uint16_t st;
	enum ctl_err r;

	if (h == NULL) {
		snprintf(msg, sizeof(msg), "unknown request type 0x%02x", req->type);
		st = CTL_PROV_UNSUPPORTED;
	} else if (req->status != 0) {
		snprintf(msg, sizeof(msg), "a request carries status 0, not %u", req->status);
		st = CTL_PROV_BAD_REQUEST;
	} else if (h->needs_login && !c->authed) {
		snprintf(msg, sizeof(msg), "%s before LOGIN", h->name);
		st = CTL_PROV_AUTH_REQUIRED;
	} else if ((r = ctl_prov_begin(resp, rtype, CTL_PROV_OK, req->id)) != CTL_OK) {
		st = wr_status(r, msg, sizeof(msg));
	} else if ((st = h->fn(c, req, resp, msg, sizeof(msg))) == CTL_PROV_OK &&
	           (r = ctl_prov_end(resp)) != CTL_OK) {
		st = wr_status(r, msg, sizeof(msg));
	}
	if (st != CTL_PROV_OK) {
		if (h == NULL || h->fn != h_login) /* logins log themselves */
			prov_logp(LOG_WARNING, "%s from %s%s%s: %s: %s", h != NULL ? h->name : "request", c->peer,
			         c->authed ? " user " : "", c->user, status_name(st), msg);
		if (prov_error_response(resp, rtype, req->id, st, msg) != CTL_OK)
			ctl_wr_reset(resp);
	} else if (h->fn != h_login && h->fn != h_put_ctl && h->fn != h_set_mode) {
		prov_log("%s from %s user %s: OK", h->name, c->peer, c->authed ? c->user : "-");
	}
	/* A client that does not log in gets a few answers, then the connection closes. */
	if (!c->authed && !c->closing &&
	    ++c->unauth_requests >= c->srv->cfg->max_unauth_requests) {
		prov_logp(LOG_WARNING, "%s: %u requests without a login; closing", c->peer, c->unauth_requests);
		c->closing = 1;
	}
}
