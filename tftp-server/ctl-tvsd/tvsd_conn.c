/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One TVS connection: TLS handshake and one request, both before one
 * deadline (read_timeout from accept), then one answer and close. The
 * request is at most 10 + 65535 bytes (the length field is u16). Anything
 * malformed (header, payload, a missing element, an unknown command) is
 * logged with the peer and closed without an answer, as the usecallmanager
 * TVS does; a phone then tries its next TVS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tvsd.h"

/* "0,3" from the roles, into out. */
static const char *
roles_str(const uint8_t *roles, size_t n, char *out, size_t cap)
{
	size_t i, k = 0;

	out[0] = '\0';
	for (i = 0; i < n && k + 5 < cap; i++)
		k += (size_t)snprintf(out + k, cap - k, "%s%u", i > 0 ? "," : "", roles[i]);
	return out;
}

static const char *
hex_str(const uint8_t *p, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < cap; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * i] = '\0';
	return out;
}

/* The client certificate's subject for the log, or "none". */
static void
client_name(SSL *ssl, char *out, size_t cap)
{
	X509 *x = SSL_get1_peer_certificate(ssl);
	char *s = NULL;

	snprintf(out, cap, "none");
	if (x == NULL)
		return;
	if (ctl_name_string(X509_get_subject_name(x), &s) == CTL_OK)
		snprintf(out, cap, "%s", s);
	free(s);
	X509_free(x);
}

static void
log_answer(const char *peer, const struct ctl_tvs_msg *m, const struct tvsd_outcome *o,
           const char *client)
{
	char roles[CTL_TVS_MAX_ROLES * 4 + 1], hex[2 * 64 + 1];
	uint8_t md[32];
	unsigned int mdlen = 0;

	if (m->cmd == CTL_TVS_VERIFY_REQ) {
		if (o->found != NULL) {
			tvsd_log("VERIFY from %s (%.*s, client certificate %s): known, roles %s: %s",
			         peer, (int)m->device_len, (const char *)m->device, client,
			         roles_str(o->found->roles, o->found->nroles, roles, sizeof(roles)),
			         o->found->subject);
			return;
		}
		if (EVP_Digest(m->cert, m->cert_len, md, &mdlen, EVP_sha256(), NULL) != 1)
			mdlen = 0;
		tvsd_log("VERIFY from %s (%.*s, client certificate %s): unknown certificate, "
		         "SHA-256 %s", peer, (int)m->device_len, (const char *)m->device, client,
		         hex_str(md, mdlen, hex, sizeof(hex)));
		return;
	}
	hex_str(m->serial, m->serial_len < 64 ? m->serial_len : 64, hex, sizeof(hex));
	if (o->found != NULL)
		tvsd_log("QUERY from %s (%.*s, client certificate %s): issuer %.*s serial %s: "
		         "known, roles %s: %s", peer, (int)m->device_len, (const char *)m->device,
		         client, (int)m->issuer_len, (const char *)m->issuer, hex,
		         roles_str(o->found->roles, o->found->nroles, roles, sizeof(roles)),
		         o->found->subject);
	else
		tvsd_log("QUERY from %s (%.*s, client certificate %s): issuer %.*s serial %s "
		         "subject %.*s: unknown", peer, (int)m->device_len, (const char *)m->device,
		         client, (int)m->issuer_len, (const char *)m->issuer, hex,
		         (int)m->subject_len, (const char *)m->subject);
}

/* Reads header and payload into m; buf receives the payload (free()d by the caller). */
static CTL_MUST_USE int
read_request(const struct tvsd_store *s, struct tls_conn *t, const char *peer,
             struct ctl_tvs_msg *m, uint8_t **buf)
{
	uint8_t hdr[CTL_TVS_HDR_LEN];
	struct ctl_diag d;
	char where[600];
	size_t got = 0;
	enum tls_io io;

	memset(m, 0, sizeof(*m));
	*buf = NULL;
	if ((io = tls_conn_read(t, hdr, sizeof(hdr), &got)) != TLS_IO_OK) {
		if (io == TLS_IO_TIMEOUT)
			tvsd_log("no complete request header within %u s from %s (%zu of %d bytes); "
			         "closing", s->read_timeout, peer, got, CTL_TVS_HDR_LEN);
		else
			tvsd_log("%s closed the connection %s", peer, got == 0 ? "without a request" :
			         "inside the request header");
		return -1;
	}
	ctl_diag_clear(&d);
	if (ctl_tvs_parse_header(hdr, sizeof(hdr), m, &d) != CTL_OK) {
		tvsd_log("bad request header from %s: %s; closing", peer,
		         ctl_diag_str(&d, where, sizeof(where)));
		return -1;
	}
	if ((*buf = malloc(m->payload_len > 0 ? m->payload_len : 1)) == NULL) {
		tvsd_log("out of memory for a request from %s", peer);
		return -1;
	}
	if ((io = tls_conn_read(t, *buf, m->payload_len, &got)) != TLS_IO_OK) {
		if (io == TLS_IO_TIMEOUT)
			tvsd_log("no complete request within %u s from %s (payload %zu of %u bytes); "
			         "closing", s->read_timeout, peer, got, (unsigned)m->payload_len);
		else
			tvsd_log("%s closed the connection inside the payload (%zu of %u bytes)", peer,
			         got, (unsigned)m->payload_len);
		return -1;
	}
	ctl_diag_clear(&d);
	if (ctl_tvs_parse_payload(*buf, m->payload_len, m, &d) != CTL_OK ||
	    ctl_tvs_check_request(m, &d) != CTL_OK) {
		tvsd_log("bad request from %s: %s; closing", peer, ctl_diag_str(&d, where, sizeof(where)));
		return -1;
	}
	if (m->cmd != CTL_TVS_VERIFY_REQ && m->cmd != CTL_TVS_QUERY_REQ) {
		tvsd_log("unsupported command %u from %s; closing", (unsigned)m->cmd, peer);
		return -1;
	}
	return 0;
}

void
tvsd_conn_serve(struct tvsd_server *srv, int fd, const char *peer)
{
	struct tls_conn t = { .fd = fd, .ssl = NULL };
	struct tvsd_outcome o = { NULL };
	struct ctl_tvs_msg m;
	struct tvsd_store *s;
	struct ctl_wr resp;
	char msg[512], client[512];
	uint8_t *buf = NULL;
	enum tls_io io;
	enum ctl_err r;

	/*
	 * One generation for the whole connection: the TLS identity presented,
	 * the store answering and the settings, even across a SIGHUP.
	 */
	s = tvsd_holder_get(&srv->holder);
	tls_conn_deadline(&t, s->read_timeout);
	if ((io = tls_conn_accept(&t, s->ssl_ctx, "TLS handshake failed", msg, sizeof(msg))) != TLS_IO_OK) {
		if (io == TLS_IO_TIMEOUT)
			tvsd_log("no complete TLS handshake within %u s from %s; closing",
			         s->read_timeout, peer);
		else
			tvsd_log("TLS handshake failed from %s: %s", peer, msg);
		goto out;
	}
	client_name(t.ssl, client, sizeof(client));
	if (read_request(s, &t, peer, &m, &buf) != 0)
		goto out;
	ctl_wr_init(&resp, CTL_TVS_HDR_LEN + CTL_TVS_MAX_PAYLOAD);
	r = tvsd_answer(s, s->ttl, &m, &resp, &o);
	if (r == CTL_OK)
		log_answer(peer, &m, &o, client);
	else
		tvsd_log("cannot answer %s: %s", peer, ctl_strerror(r));
	if (r == CTL_OK) {
		/* The answer gets its own time: the deadline bound the request. */
		tls_conn_deadline(&t, s->read_timeout);
		if (tls_conn_write(&t, resp.buf, resp.len) != TLS_IO_OK)
			tvsd_log("cannot send the answer to %s", peer);
	}
	ctl_wr_cleanup(&resp);
out:
	free(buf);
	/* Before the put: the SSL belongs to the store's context. */
	tls_conn_close(&t);
	tvsd_holder_put(&srv->holder, s);
}
