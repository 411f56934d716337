/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One CTL Provider connection: TLS handshake, then request after request,
 * each read completely within read_timeout (header, then exactly the
 * announced body, never more than CTL_PROV_MAX_BODY), dispatched, answered
 * with one response. A framing error (bad magic, version, oversized body,
 * timeout) is answered when possible and closes the connection; a body
 * whose items do not parse is answered with BAD_REQUEST and the connection
 * goes on, because the framing is intact.
 *
 * Until a LOGIN succeeds, the connection also lives under a login deadline
 * counted from accept (login_timeout) and a cap on the requests it may make
 * (max_unauth_requests, prov_handlers.c): a client that never logs in
 * cannot hold its slot by sending a request now and then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "provider.h"

/* Sends resp (if any) and reports failure to the log. */
static CTL_MUST_USE int
send_response(struct prov_conn *c, struct ctl_wr *resp)
{
	enum tls_io io;

	if (resp->len == 0)
		return -1;
	if ((io = prov_tls_write(c, resp->buf, resp->len)) != TLS_IO_OK) {
		prov_logp(LOG_WARNING, "%s: cannot send the response (%s)", c->peer,
		         io == TLS_IO_TIMEOUT ? "peer not reading" : "connection lost");
		return -1;
	}
	return 0;
}

/* Best-effort answer to a message that ends the connection. */
static void
refuse(struct prov_conn *c, struct ctl_wr *resp, uint8_t type, uint32_t id, uint16_t st,
       const char *msg)
{
	/* The connection closes either way; send_response logged a failure. */
	if (prov_error_response(resp, (uint8_t)(type | CTL_PROV_RESPONSE), id, st, msg) == CTL_OK)
		CTL_IGNORE_RESULT(send_response(c, resp));
}

static uint16_t
header_status(enum ctl_err r)
{
	return r == CTL_E_TOO_LARGE ? CTL_PROV_TOO_LARGE :
	    r == CTL_E_VERSION ? CTL_PROV_UNSUPPORTED : CTL_PROV_BAD_REQUEST;
}

static void
log_io(const struct prov_conn *c, enum tls_io io, const char *where, int login_bound)
{
	if (io == TLS_IO_TIMEOUT && login_bound)
		prov_logp(LOG_WARNING, "%s: no login within %u s of connecting; closing", c->peer,
		         c->srv->cfg->login_timeout);
	else if (io == TLS_IO_TIMEOUT)
		prov_logp(LOG_WARNING, "%s: no complete %s within %u s; closing", c->peer, where,
		         c->srv->cfg->read_timeout);
	else if (io == TLS_IO_ERROR)
		prov_logp(LOG_WARNING, "%s: connection lost while reading the %s", c->peer, where);
}

/*
 * Reads and handles one request. Returns 0 to go on, -1 to close.
 */
static CTL_MUST_USE int
serve_one(struct prov_conn *c, struct ctl_wr *resp)
{
	uint8_t hdr[CTL_PROV_HDR_LEN], *body = NULL;
	struct ctl_prov_msg *m;
	struct ctl_diag d;
	char where[600];
	enum ctl_err r;
	enum tls_io io;
	int rc = -1, login_bound;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	ctl_wr_reset(resp);
	login_bound = prov_conn_deadline(c, c->srv->cfg->read_timeout);
	if ((io = prov_tls_read(c, hdr, sizeof(hdr))) != TLS_IO_OK) {
		log_io(c, io, "message header", login_bound);
		if (io == TLS_IO_TIMEOUT)
			refuse(c, resp, 0, 0, CTL_PROV_BAD_REQUEST, login_bound ?
			       "login timeout: no login since the connection opened" :
			       "read timeout: no complete message");
		goto out;
	}
	if ((r = ctl_prov_parse_header(hdr, sizeof(hdr), m, &d)) != CTL_OK) {
		int bad_magic = r == CTL_E_BAD_TAG;

		prov_logp(LOG_WARNING, "%s: %s: %s; closing", c->peer, ctl_prov_status_text(header_status(r)), d.msg);
		refuse(c, resp, bad_magic ? 0 : m->type, bad_magic ? 0 : m->id, header_status(r), d.msg);
		goto out;
	}
	if ((body = malloc(m->body_len > 0 ? m->body_len : 1)) == NULL) {
		refuse(c, resp, m->type, m->id, CTL_PROV_INTERNAL, "out of memory");
		goto out;
	}
	if ((io = prov_tls_read(c, body, m->body_len)) != TLS_IO_OK) {
		log_io(c, io, "message body", login_bound);
		if (io == TLS_IO_TIMEOUT)
			refuse(c, resp, m->type, m->id, CTL_PROV_BAD_REQUEST, login_bound ?
			       "login timeout: no login since the connection opened" :
			       "read timeout: message body incomplete");
		goto out;
	}
	if (ctl_prov_parse_body(body, m->body_len, m, &d) != CTL_OK) {
		ctl_diag_str(&d, where, sizeof(where));
		prov_logp(LOG_WARNING, "%s: malformed request body: %s", c->peer, where);
		if (prov_error_response(resp, (uint8_t)(m->type | CTL_PROV_RESPONSE), m->id,
		                        CTL_PROV_BAD_REQUEST, where) != CTL_OK)
			goto out;
	} else {
		prov_dispatch(c, m, resp);
	}
	rc = send_response(c, resp) == 0 && !c->closing ? 0 : -1;
out:
	if (body != NULL) {
		OPENSSL_cleanse(body, m->body_len); /* may hold a password */
		free(body);
	}
	free(m);
	return rc;
}

void
prov_conn_serve(struct prov_server *srv, int fd, const char *peer, const char *peer_addr,
                const struct timespec *accepted)
{
	struct prov_conn c;
	struct ctl_wr resp;
	char msg[512];

	memset(&c, 0, sizeof(c));
	c.srv = srv;
	c.tls.fd = fd;
	c.login_deadline = *accepted;
	c.login_deadline.tv_sec += (time_t)srv->cfg->login_timeout;
	snprintf(c.peer, sizeof(c.peer), "%s", peer);
	snprintf(c.peer_addr, sizeof(c.peer_addr), "%s", peer_addr);
	if (prov_tls_accept(&c, msg, sizeof(msg)) != TLS_IO_OK) {
		prov_logp(LOG_WARNING, "TLS handshake failed from %s: %s", c.peer, msg);
		prov_tls_close(&c);
		return;
	}
	prov_log("connection from %s (%s)", c.peer, SSL_get_version(c.tls.ssl));
	ctl_wr_init(&resp, CTL_PROV_HDR_LEN + CTL_PROV_MAX_BODY);
	while (serve_one(&c, &resp) == 0)
		;
	ctl_wr_cleanup(&resp);
	prov_tls_close(&c);
	prov_log("%s: closed", c.peer);
}
