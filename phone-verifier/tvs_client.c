/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's TVS client (tvs_client.h): TLS over TCP with a deadline per
 * server, the server certificate checked against the held ITL's TVS
 * records (not against a CA: the ITL is the phone's only anchor), one
 * QUERY, one reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctl/buf.h>
#include <ctl/text.h>
#include <ctl/tvs.h>

#include "tls_dial.h"
#include "tvs_client.h"

#define TVS_SESSION 0x3E9u   /* the session id Cisco phones start with */

struct pv_tvs_client {
	SSL_CTX *ctx;
	char *servers[PV_TVS_MAX_SERVERS];
	size_t nservers;
	unsigned timeout_ms;
};

/* ---- set-up ----------------------------------------------------------------- */

enum ctl_err
pv_tvs_client_new(const struct pv_tvs_client_cfg *cfg, struct pv_tvs_client **out, char *why,
                  size_t cap)
{
	struct pv_tvs_client *c;
	size_t i;

	*out = NULL;
	/* A server may reset the connection under a write: let the write fail
	 * with EPIPE (the server is skipped) instead of SIGPIPE ending the run. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		snprintf(why, cap, "cannot ignore SIGPIPE");
		return CTL_E_IO;
	}
	if (cfg->nservers > PV_TVS_MAX_SERVERS) {
		snprintf(why, cap, "at most %d TVS servers", PV_TVS_MAX_SERVERS);
		return CTL_E_TOO_LARGE;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return CTL_E_NOMEM;
	c->timeout_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms : PV_TVS_TIMEOUT_MS;
	for (i = 0; i < cfg->nservers; i++) {
		if ((c->servers[i] = strdup(cfg->servers[i])) == NULL) {
			pv_tvs_client_free(c);
			return CTL_E_NOMEM;
		}
		c->nservers++;
	}
	ERR_clear_error();
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(why, cap, "cannot make a TLS context");
		pv_tvs_client_free(c);
		return CTL_E_CRYPTO;
	}
	/* The server is authenticated by the ITL (checked after the
	 * handshake), not by a CA chain. */
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(c->ctx, SSL_SESS_CACHE_OFF);
	if (cfg->cert != NULL && cfg->key != NULL &&
	    (SSL_CTX_use_certificate(c->ctx, cfg->cert) != 1 ||
	     SSL_CTX_use_PrivateKey(c->ctx, cfg->key) != 1 ||
	     SSL_CTX_check_private_key(c->ctx) != 1)) {
		snprintf(why, cap, "the phone certificate and key do not go together");
		ERR_clear_error();
		pv_tvs_client_free(c);
		return CTL_E_KEY;
	}
	*out = c;
	return CTL_OK;
}

void
pv_tvs_client_free(struct pv_tvs_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nservers; i++)
		free(c->servers[i]);
	SSL_CTX_free(c->ctx);
	free(c);
}

/* ---- targets -------------------------------------------------------------------- */

int
pv_tvs_server_valid(const char *spec)
{
	struct pv_hostport t;

	return pv_hostport_parse(spec, CTL_TVS_PORT, &t) == 0;
}

/* The servers to try: configured, else the held ITL's TVS records (address, else name). */
static size_t
targets(const struct pv_tvs_client *c, const struct pv_trust *held, struct pv_hostport *out,
        size_t cap, char *why, size_t wcap)
{
	size_t i, n = 0;

	if (c->nservers > 0) {
		for (i = 0; i < c->nservers && n < cap; i++)
			if (pv_hostport_parse(c->servers[i], CTL_TVS_PORT, &out[n]) == 0)
				n++;
		return n;
	}
	if (held->itl == NULL) {
		snprintf(why, wcap, "no ITL held: no TVS server known");
		return 0;
	}
	for (i = 0; i < ctl_file_nrecords(held->itl->f) && n < cap; i++) {
		const struct ctl_record *r = ctl_file_record(held->itl->f, i);

		if (!r->has_role || r->role != CTL_ROLE_TVS)
			continue;
		if (r->has_ip) {
			snprintf(out[n].host, sizeof(out[n].host), "%u.%u.%u.%u", r->ip[0], r->ip[1],
			         r->ip[2], r->ip[3]);
		} else if (r->dns.len > 0) {
			const uint8_t *z = memchr(r->dns.p, '\0', r->dns.len);
			size_t l = z != NULL ? (size_t)(z - r->dns.p) : r->dns.len;

			if (l == 0 || l >= sizeof(out[n].host))
				continue;
			memcpy(out[n].host, r->dns.p, l);
			out[n].host[l] = '\0';
		} else {
			continue;
		}
		out[n++].port = CTL_TVS_PORT;
	}
	if (n == 0)
		snprintf(why, wcap, "the held ITL lists no TVS server");
	return n;
}

/* Index of the held ITL's TVS record whose certificate is der, or -1. */
static int
tvs_record(const struct pv_trust *held, const uint8_t *der, size_t len)
{
	size_t i;

	if (held->itl == NULL)
		return -1;
	for (i = 0; i < ctl_file_nrecords(held->itl->f); i++) {
		const struct ctl_record *r = ctl_file_record(held->itl->f, i);

		if (r->has_role && r->role == CTL_ROLE_TVS && r->cert.len == len &&
		    memcmp(r->cert.p, der, len) == 0)
			return (int)i;
	}
	return -1;
}

/* ---- one exchange, within a deadline ----------------------------------------------- */

CTL_MUST_USE static int
ssl_write_all(SSL *ssl, int fd, const uint8_t *p, size_t n, uint64_t deadline)
{
	size_t done = 0;

	while (done < n) {
		size_t w = 0;
		int r = SSL_write_ex(ssl, p + done, n - done, &w), s;

		if (r == 1) {
			done += w;
			continue;
		}
		if ((s = pv_ssl_step(ssl, fd, r, deadline)) < 0)
			return -1;
	}
	return 0;
}

CTL_MUST_USE static int
ssl_read_all(SSL *ssl, int fd, uint8_t *p, size_t n, uint64_t deadline)
{
	size_t done = 0;

	while (done < n) {
		size_t got = 0;
		int r = SSL_read_ex(ssl, p + done, n - done, &got);

		if (r == 1) {
			done += got;
			continue;
		}
		if (pv_ssl_step(ssl, fd, r, deadline) < 0)
			return -1;
	}
	return 0;
}

/* The QUERY message for q. *out: free(). */
CTL_MUST_USE static enum ctl_err
build_query(const char *device, const struct pv_tvs_query *q, uint8_t **out, size_t *len)
{
	struct ctl_wr wr;
	enum ctl_err r;

	ctl_wr_init(&wr, CTL_TVS_HDR_LEN + CTL_TVS_MAX_PAYLOAD);
	if ((r = ctl_tvs_begin(&wr, CTL_TVS_QUERY_REQ, TVS_SESSION)) != CTL_OK ||
	    (r = ctl_tvs_put_device(&wr, device)) != CTL_OK ||
	    (r = ctl_tvs_put_cstr(&wr, CTL_TVS_T_SUBJECT, q->subject)) != CTL_OK ||
	    (r = ctl_tvs_put_cstr(&wr, CTL_TVS_T_ISSUER, q->issuer)) != CTL_OK ||
	    (r = ctl_tvs_put(&wr, CTL_TVS_T_SERIAL, q->serial, q->serial_len)) != CTL_OK ||
	    (r = ctl_tvs_end(&wr)) != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return r;
	}
	*out = ctl_wr_take(&wr, len);
	return *out != NULL ? CTL_OK : CTL_E_NOMEM;
}

/* Reads and checks the reply into a: CTL_OK, CTL_E_NOT_TRUSTED (status 1), or a failure (why). */
CTL_MUST_USE static enum ctl_err
read_reply(SSL *ssl, int fd, uint64_t deadline, struct pv_tvs_answer *a, char *why, size_t cap)
{
	uint8_t hdr[CTL_TVS_HDR_LEN], *payload = NULL;
	struct ctl_tvs_msg m;
	struct ctl_diag d;
	const unsigned char *der;
	enum ctl_err r;
	char buf[600];

	memset(&m, 0, sizeof(m));
	if (ssl_read_all(ssl, fd, hdr, sizeof(hdr), deadline) != 0) {
		snprintf(why, cap, "no reply within the deadline (or the connection closed)");
		return CTL_E_IO;
	}
	if ((r = ctl_tvs_parse_header(hdr, sizeof(hdr), &m, &d)) != CTL_OK) {
		snprintf(why, cap, "bad reply header: %s", ctl_diag_str(&d, buf, sizeof(buf)));
		return r;
	}
	if (m.cmd != CTL_TVS_QUERY_RES || m.session != TVS_SESSION) {
		snprintf(why, cap, "reply is command %u session %u, not a QUERY reply to session %u",
		         m.cmd, (unsigned)m.session, TVS_SESSION);
		return CTL_E_BAD_TAG;
	}
	if ((payload = malloc(m.payload_len + 1u)) == NULL)
		return CTL_E_NOMEM;
	if (ssl_read_all(ssl, fd, payload, m.payload_len, deadline) != 0) {
		free(payload);
		snprintf(why, cap, "reply cut short: %u payload bytes announced", m.payload_len);
		return CTL_E_TRUNCATED;
	}
	if ((r = ctl_tvs_parse_payload(payload, m.payload_len, &m, &d)) != CTL_OK) {
		snprintf(why, cap, "bad reply: %s", ctl_diag_str(&d, buf, sizeof(buf)));
		free(payload);
		return r;
	}
	if (!m.has_status) {
		free(payload);
		snprintf(why, cap, "reply without a status");
		return CTL_E_MISSING;
	}
	if (m.status != CTL_TVS_VALID) {
		free(payload);
		snprintf(why, cap, "the TVS does not know the certificate (status %u)", m.status);
		return CTL_E_NOT_TRUSTED;
	}
	der = m.cert;
	if (m.cert_len == 0 || (a->cert = d2i_X509(NULL, &der, (long)m.cert_len)) == NULL ||
	    der != m.cert + m.cert_len) {
		X509_free(a->cert);
		a->cert = NULL;
		free(payload);
		snprintf(why, cap, "status 0 without a readable certificate");
		return CTL_E_CERT;
	}
	a->nroles = m.nroles > PV_TVS_MAX_ROLES ? PV_TVS_MAX_ROLES : m.nroles;
	memcpy(a->roles, m.roles, a->nroles);
	/* A reply without TTL: the 24 hours a Cisco TVS sends. */
	a->ttl = m.has_ttl ? (m.ttl > CTL_TVS_TTL_MAX ? CTL_TVS_TTL_MAX : m.ttl) : CTL_TVS_TTL_DEFAULT;
	free(payload);
	return CTL_OK;
}

/* Reports ev, when there is someone to tell. */
static void
report(pv_tvs_event_fn *ev, void *arg, enum pv_tvs_ev what, const struct pv_hostport *t,
       const char *detail)
{
	if (ev != NULL)
		ev(arg, what, t->host, t->port, detail);
}

/* The whole exchange with one server. CTL_OK and CTL_E_NOT_TRUSTED are answers; else: the next. */
CTL_MUST_USE static enum ctl_err
ask_one(struct pv_tvs_client *c, const struct pv_trust *held, const struct pv_hostport *t,
        const uint8_t *msg, size_t msglen, struct pv_tvs_answer *a, pv_tvs_event_fn *ev,
        void *ev_arg, char *why, size_t cap)
{
	uint64_t deadline = pv_now_ms() + c->timeout_ms;
	const char *family = "IPv4";
	unsigned char *der = NULL;
	X509 *peer = NULL;
	SSL *ssl = NULL;
	enum ctl_err r = CTL_E_IO;
	char detail[64];
	int fd, s, idx, n;

	if ((fd = pv_tcp_connect(t, deadline, &family, why, cap)) < 0) {
		report(ev, ev_arg, PV_TVS_EV_CONNECT, t, family);
		report(ev, ev_arg, PV_TVS_EV_FAILED, t, why);
		return CTL_E_IO;
	}
	report(ev, ev_arg, PV_TVS_EV_CONNECT, t, family);
	ERR_clear_error();
	if ((ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(ssl, fd) != 1) {
		snprintf(why, cap, "cannot set up TLS");
		goto out;
	}
	while ((s = pv_ssl_step(ssl, fd, SSL_connect(ssl), deadline)) == 0)
		;
	if (s < 0) {
		snprintf(why, cap, "TLS handshake failed or timed out");
		goto out;
	}
	if ((peer = SSL_get1_peer_certificate(ssl)) == NULL || (n = i2d_X509(peer, &der)) <= 0) {
		snprintf(why, cap, "the server presented no certificate");
		r = CTL_E_CERT;
		report(ev, ev_arg, PV_TVS_EV_REFUSED, t, why);
		goto out;
	}
	if ((idx = tvs_record(held, der, (size_t)n)) < 0) {
		snprintf(why, cap, "the server's certificate is no TVS record of the held ITL");
		report(ev, ev_arg, PV_TVS_EV_REFUSED, t, why);
		r = CTL_E_CERT;
		goto out;
	}
	snprintf(detail, sizeof(detail), "record %d", idx + 1);
	report(ev, ev_arg, PV_TVS_EV_CERT_OK, t, detail);
	if (ssl_write_all(ssl, fd, msg, msglen, deadline) != 0) {
		snprintf(why, cap, "cannot send the QUERY within the deadline");
		goto out;
	}
	report(ev, ev_arg, PV_TVS_EV_QUERY, t, "");
	r = read_reply(ssl, fd, deadline, a, why, cap);
	if (r == CTL_OK || r == CTL_E_NOT_TRUSTED) {
		report(ev, ev_arg, PV_TVS_EV_ANSWER, t, r == CTL_OK ? "status 0" : "status 1");
		snprintf(a->server, sizeof(a->server), "%.80s:%u", t->host, t->port);
		goto out;
	}
	r = r == CTL_E_NOMEM ? r : CTL_E_IO;
out:
	if (r != CTL_OK && r != CTL_E_NOT_TRUSTED && r != CTL_E_CERT)
		report(ev, ev_arg, PV_TVS_EV_FAILED, t, why);
	if (ssl != NULL) {
		/* One request per connection: a close_notify, not waited for. */
		CTL_IGNORE_RESULT(SSL_shutdown(ssl));
		SSL_free(ssl);
	}
	ERR_clear_error();
	OPENSSL_free(der);
	X509_free(peer);
	close(fd);
	return r;
}

enum ctl_err
pv_tvs_client_query(struct pv_tvs_client *c, const struct pv_trust *held, const char *device,
                    const struct pv_tvs_query *q, struct pv_tvs_answer *a, pv_tvs_event_fn *ev,
                    void *ev_arg, char *why, size_t cap)
{
	struct pv_hostport ts[PV_TVS_MAX_SERVERS];
	char one[256], all[512] = "";
	size_t i, n, used = 0;
	uint8_t *msg = NULL;
	size_t msglen = 0;
	enum ctl_err r;

	memset(a, 0, sizeof(a[0]));
	if ((n = targets(c, held, ts, PV_TVS_MAX_SERVERS, why, cap)) == 0)
		return CTL_E_MISSING;
	if ((r = build_query(device, q, &msg, &msglen)) != CTL_OK) {
		snprintf(why, cap, "cannot build the QUERY: %s", ctl_strerror(r));
		return r;
	}
	for (i = 0; i < n; i++) {
		r = ask_one(c, held, &ts[i], msg, msglen, a, ev, ev_arg, one, sizeof(one));
		if (r == CTL_OK || r == CTL_E_NOT_TRUSTED) {
			free(msg);
			snprintf(why, cap, "%s", r == CTL_OK ? "" : one);
			return r;
		}
		/* Keep every server's reason: the last line names them all. */
		used += (size_t)snprintf(all + used, used < sizeof(all) ? sizeof(all) - used : 0,
		                         "%s%s:%u: %s", i > 0 ? "; " : "", ts[i].host, ts[i].port, one);
		if (used >= sizeof(all))
			used = sizeof(all) - 1;
	}
	free(msg);
	snprintf(why, cap, "no TVS server answered (%s)", all);
	return CTL_E_IO;
}
