/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CTL Provider client: targets and fingerprints, the TLS transport (every
 * wait bounded by a deadline), requests through the libctl codec, and the
 * thread fan-out. known_hosts is in prov_known.c, the password in
 * prov_password.c. See prov_client.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctl/text.h>

#include "prov_client.h"

struct prov_conn {
	int fd;                   /* non-blocking: every wait is a poll() with a deadline */
	SSL_CTX *ctx;
	SSL *ssl;
	uint32_t next_id;
	int broken;               /* an I/O error happened: no BYE */
	int timeout_s;            /* bound of the handshake and of each whole request */
	char peer[PROV_PEER_LEN]; /* the address connected to */
	char subject[256];        /* the server certificate's subject */
};

void
prov_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(err, errlen, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Targets and fingerprints                                             */

static CTL_MUST_USE int
copy_str(char *dst, size_t cap, const char *src, size_t n)
{
	if (n == 0 || n >= cap)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int
prov_target_parse(const char *s, struct prov_target *t, char *err, size_t errlen)
{
	const char *host = s, *port = NULL, *end;
	size_t hlen;
	unsigned long long v = CTL_PROV_PORT;
	int n;

	memset(t, 0, sizeof(*t));
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || (end[1] != '\0' && end[1] != ':'))
			goto bad;
		host = s + 1;
		hlen = (size_t)(end - host);
		if (end[1] == ':')
			port = end + 2;
	} else if ((end = strrchr(s, ':')) != NULL && strchr(s, ':') == end) {
		hlen = (size_t)(end - s);
		port = end + 1;
	} else {
		hlen = strlen(s); /* a bare name, or an IPv6 address without port */
	}
	if (copy_str(t->host, sizeof(t->host), host, hlen) != 0)
		goto bad;
	if (port != NULL && ctl_parse_uint(port, 1, 65535, &v) != CTL_OK)
		goto bad;
	n = snprintf(t->port, sizeof(t->port), "%llu", v);
	if (n < 0 || (size_t)n >= sizeof(t->port))
		goto bad;
	n = strchr(t->host, ':') != NULL ? snprintf(t->name, sizeof(t->name), "[%s]:%s", t->host, t->port)
	                                 : snprintf(t->name, sizeof(t->name), "%s:%s", t->host, t->port);
	if (n < 0 || (size_t)n >= sizeof(t->name))
		goto bad;
	return 0;
bad:
	prov_seterr(err, errlen, "'%s': expected HOST, HOST:PORT or [IPV6]:PORT (port 1-65535)", s);
	return -1;
}

void
prov_fp_hex(const uint8_t fp[PROV_FP_LEN], char *out, size_t outlen)
{
	/* NULL (and out "") only when outlen < PROV_FP_HEX, which the header rules out. */
	CTL_IGNORE_RESULT(ctl_hex_encode(out, outlen, fp, PROV_FP_LEN, CTL_HEX_UPPER | CTL_HEX_COLONS));
}

int
prov_fp_parse(const char *s, uint8_t fp[PROV_FP_LEN])
{
	size_t n = 0;
	int hi = -1, v;

	if (strncasecmp(s, "SHA256:", 7) == 0)
		s += 7;
	for (; *s != '\0'; s++) {
		if (*s == ':' && hi < 0)
			continue;
		if ((v = ctl_hex_digit((unsigned char)*s)) < 0 || n == PROV_FP_LEN)
			return -1;
		if (hi < 0) {
			hi = v;
		} else {
			fp[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n == PROV_FP_LEN && hi < 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Connection                                                           */

static const char *
ssl_errtext(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "connection closed";
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1: fd is ready for events; 0: the deadline passed first; -1: poll failed. */
static CTL_MUST_USE int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p;
	int64_t left;
	int n;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* Non-blocking connect bounded by the deadline; the socket stays non-blocking. */
static CTL_MUST_USE int
connect_one(const struct addrinfo *ai, int64_t deadline)
{
	socklen_t sl = sizeof(int);
	int fd, soerr = 0, w;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol)) < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		if ((w = wait_fd(fd, POLLOUT, deadline)) != 1) {
			errno = w == 0 ? ETIMEDOUT : errno;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
			errno = soerr ? soerr : errno;
			goto fail;
		}
	}
	return fd;
fail:
	soerr = errno;
	close(fd);
	errno = soerr;
	return -1;
}

/* The address a socket is connected to, as "A.B.C.D:PORT" or "[V6]:PORT". */
static void
peer_name(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char a[INET6_ADDRSTRLEN];
	const void *addr;
	unsigned port;
	int n;

	out[0] = '\0';
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

		addr = &s4->sin_addr;
		port = ntohs(s4->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

		addr = &s6->sin6_addr;
		port = ntohs(s6->sin6_port);
	} else {
		return;
	}
	if (inet_ntop(ss.ss_family, addr, a, sizeof(a)) == NULL)
		return;
	n = snprintf(out, len, ss.ss_family == AF_INET ? "%s:%u" : "[%s]:%u", a, port);
	if (n < 0 || (size_t)n >= len)
		out[0] = '\0';
}

static CTL_MUST_USE int
tcp_connect(struct prov_conn *c, const struct prov_target *t, int64_t deadline, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, rc, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(t->host, t->port, &hints, &res)) != 0) {
		prov_seterr(err, errlen, "cannot resolve %s: %s", t->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		if ((fd = connect_one(ai, deadline)) < 0)
			e = errno;
	freeaddrinfo(res);
	if (fd < 0) {
		prov_seterr(err, errlen, "cannot connect to %s: %s", t->name, strerror(e));
		return -1;
	}
	peer_name(fd, c->peer, sizeof(c->peer));
	if (c->peer[0] == '\0')
		/* The name only labels messages; one too long for peer leaves it empty. */
		CTL_IGNORE_RESULT(copy_str(c->peer, sizeof(c->peer), t->name, strlen(t->name)));
	c->fd = fd;
	return 0;
}

/* The certificate's subject (RFC 2253), escaped for a terminal (ctl_text_escape). */
static void
cert_subject(X509 *x, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char raw[512];
	int n = 0;

	out[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(b, raw, (int)sizeof(raw))) > 0)
		(void)ctl_text_escape(out, len, raw, (size_t)n); /* cut when too long, as before */
	BIO_free(b);
}

/* SSL_connect until done, failed or past the deadline (the socket is non-blocking). */
static CTL_MUST_USE enum prov_rc
tls_handshake(struct prov_conn *c, const struct prov_target *t, int64_t deadline, char *err,
              size_t errlen)
{
	char eb[256];
	int r, e, w;

	for (;;) {
		ERR_clear_error();
		if ((r = SSL_connect(c->ssl)) == 1)
			return PROV_OK;
		e = SSL_get_error(c->ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			break;
		if ((w = wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) != 1) {
			prov_seterr(err, errlen, "TLS handshake with %s (%s) %s", t->name, c->peer,
			            w == 0 ? "timed out" : "failed: poll");
			return w == 0 ? PROV_E_NET : PROV_E_TLS;
		}
	}
	prov_seterr(err, errlen, "TLS handshake with %s (%s) failed: %s", t->name, c->peer,
	            ssl_errtext(eb, sizeof(eb)));
	return PROV_E_TLS;
}

static CTL_MUST_USE enum prov_rc
tls_start(struct prov_conn *c, const struct prov_target *t, int64_t deadline, uint8_t fp[PROV_FP_LEN],
          char *err, size_t errlen)
{
	struct in6_addr a;
	X509 *peer;
	unsigned int n = 0;
	enum prov_rc rc;
	char eb[256];

	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION) != 1 || (c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		prov_seterr(err, errlen, "TLS setup: %s", ssl_errtext(eb, sizeof(eb)));
		return PROV_E_TLS;
	}
	/* CallManager certificates are self-signed: identity is the pinned fingerprint. */
	SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
	if (inet_pton(AF_INET, t->host, &a) != 1 && inet_pton(AF_INET6, t->host, &a) != 1)
		(void)SSL_set_tlsext_host_name(c->ssl, t->host);
	if ((rc = tls_handshake(c, t, deadline, err, errlen)) != PROV_OK)
		return rc;
	if ((peer = SSL_get1_peer_certificate(c->ssl)) == NULL) {
		prov_seterr(err, errlen, "%s (%s) presented no certificate", t->name, c->peer);
		return PROV_E_TLS;
	}
	cert_subject(peer, c->subject, sizeof(c->subject));
	if (X509_digest(peer, EVP_sha256(), fp, &n) != 1 || n != PROV_FP_LEN) {
		X509_free(peer);
		prov_seterr(err, errlen, "cannot hash the certificate of %s", t->name);
		return PROV_E_TLS;
	}
	X509_free(peer);
	return PROV_OK;
}

enum prov_rc
prov_connect(const struct prov_target *t, int timeout_s, struct prov_conn **out,
             uint8_t fp[PROV_FP_LEN], char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	struct prov_conn *c;
	enum prov_rc rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return PROV_E_NOMEM;
	c->next_id = 1;
	c->timeout_s = timeout_s;
	c->fd = -1;
	if (tcp_connect(c, t, deadline, err, errlen) != 0) {
		free(c);
		return PROV_E_NET;
	}
	if ((rc = tls_start(c, t, deadline, fp, err, errlen)) != PROV_OK) {
		c->broken = 1;
		prov_close(c);
		return rc;
	}
	*out = c;
	return PROV_OK;
}

const char *
prov_peer(const struct prov_conn *c)
{
	return c->peer;
}

const char *
prov_subject(const struct prov_conn *c)
{
	return c->subject;
}

/* How an exchange of n bytes ended. */
enum io_end { IO_DONE, IO_TIMEOUT, IO_CLOSED, IO_FAILED };

/* Reads or writes n bytes before the deadline; *done counts what got through. */
static enum io_end
io_all(struct prov_conn *c, void *p, size_t n, int wr, int64_t deadline, size_t *done)
{
	size_t k;
	int ok, e, w;

	*done = 0;
	while (*done < n) {
		ERR_clear_error();
		ok = wr ? SSL_write_ex(c->ssl, (uint8_t *)p + *done, n - *done, &k)
		        : SSL_read_ex(c->ssl, (uint8_t *)p + *done, n - *done, &k);
		if (ok == 1) {
			*done += k;
			continue;
		}
		e = SSL_get_error(c->ssl, 0);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if ((w = wait_fd(c->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) == 1)
				continue;
			c->broken = 1;
			return w == 0 ? IO_TIMEOUT : IO_FAILED;
		}
		c->broken = 1;
		if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ||
		    ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			return IO_CLOSED;
		return IO_FAILED;
	}
	return IO_DONE;
}

void
prov_close(struct prov_conn *c)
{
	struct ctl_wr wr;
	struct prov_resp r;

	if (c == NULL)
		return;
	if (c->ssl != NULL && !c->broken && prov_begin(c, &wr, CTL_PROV_BYE) == PROV_OK) {
		memset(&r, 0, sizeof(r));
		/* BYE is a courtesy: the connection closes whatever the answer. */
		CTL_IGNORE_RESULT(prov_call(c, &wr, &r, NULL, 0));
		prov_resp_free(&r);
	}
	if (c->ssl != NULL && !c->broken)
		(void)SSL_shutdown(c->ssl);
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

void
prov_resp_free(struct prov_resp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

const char *
prov_resp_message(const struct prov_resp *r, char *buf, size_t len)
{
	const struct ctl_prov_item *it = ctl_prov_find(&r->m, CTL_PROV_T_MESSAGE);

	if (len == 0)
		return "";
	buf[0] = '\0';
	if (it == NULL)
		return buf;
	/* Server text goes to a terminal: escaped (C0, DEL, C1, invalid UTF-8), cut when too long. */
	(void)ctl_text_escape(buf, len, it->val, it->len);
	return buf;
}

enum prov_rc
prov_begin(struct prov_conn *c, struct ctl_wr *wr, uint8_t type)
{
	ctl_wr_init(wr, CTL_PROV_HDR_LEN + CTL_PROV_MAX_BODY);
	if (ctl_prov_begin(wr, type, 0, c->next_id) != CTL_OK) {
		ctl_wr_cleanup(wr);
		return PROV_E_NOMEM;
	}
	return PROV_OK;
}

/* A failed read of part ("header" or "body", n bytes, got of them) as a message naming the peer. */
static CTL_MUST_USE enum prov_rc
read_failed(struct prov_conn *c, enum io_end e, const char *part, size_t got, size_t n, char *err,
            size_t errlen)
{
	char eb[256];

	switch (e) {
	case IO_TIMEOUT:
		prov_seterr(err, errlen, "no complete response from %s within %d s (timed out with %zu of %zu "
		            "%s bytes)", c->peer, c->timeout_s, got, n, part);
		break;
	case IO_CLOSED:
		if (got == 0 && strcmp(part, "header") == 0)
			prov_seterr(err, errlen, "%s closed the connection without responding", c->peer);
		else
			prov_seterr(err, errlen, "%s closed the connection in mid-reply (%zu of %zu %s bytes)",
			            c->peer, got, n, part);
		break;
	case IO_FAILED:
	case IO_DONE:
		prov_seterr(err, errlen, "reading the response from %s failed: %s", c->peer,
		            ssl_errtext(eb, sizeof(eb)));
		break;
	}
	return PROV_E_NET;
}

static CTL_MUST_USE enum prov_rc
read_resp(struct prov_conn *c, uint8_t type, uint32_t id, int64_t deadline, struct prov_resp *resp,
          char *err, size_t errlen)
{
	uint8_t hdr[CTL_PROV_HDR_LEN];
	struct ctl_diag d;
	enum io_end e;
	size_t got;
	char db[256];

	if ((e = io_all(c, hdr, sizeof(hdr), 0, deadline, &got)) != IO_DONE)
		return read_failed(c, e, "header", got, sizeof(hdr), err, errlen);
	if (ctl_prov_parse_header(hdr, sizeof(hdr), &resp->m, &d) != CTL_OK) {
		prov_seterr(err, errlen, "protocol error from %s: %s", c->peer, ctl_diag_str(&d, db, sizeof(db)));
		c->broken = 1;
		return PROV_E_PROTO;
	}
	if (resp->m.type != (type | CTL_PROV_RESPONSE) || resp->m.id != id) {
		prov_seterr(err, errlen, "protocol error from %s: response type 0x%02x id %u to request 0x%02x "
		            "id %u", c->peer, resp->m.type, resp->m.id, type, id);
		c->broken = 1;
		return PROV_E_PROTO;
	}
	if ((resp->body = malloc(resp->m.body_len ? resp->m.body_len : 1)) == NULL)
		return PROV_E_NOMEM;
	if ((e = io_all(c, resp->body, resp->m.body_len, 0, deadline, &got)) != IO_DONE)
		return read_failed(c, e, "body", got, resp->m.body_len, err, errlen);
	if (ctl_prov_parse_body(resp->body, resp->m.body_len, &resp->m, &d) != CTL_OK) {
		prov_seterr(err, errlen, "protocol error from %s: %s", c->peer, ctl_diag_str(&d, db, sizeof(db)));
		c->broken = 1;
		return PROV_E_PROTO;
	}
	return PROV_OK;
}

/* The request and its response share one deadline: --timeout bounds the whole exchange. */
static CTL_MUST_USE enum prov_rc
exchange(struct prov_conn *c, struct ctl_wr *wr, uint8_t type, uint32_t id, struct prov_resp *resp,
         char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (int64_t)c->timeout_s * 1000;
	enum io_end e;
	size_t got;

	if (ctl_prov_end(wr) != CTL_OK) {
		prov_seterr(err, errlen, "request too large");
		return PROV_E_NOMEM;
	}
	if ((e = io_all(c, wr->buf, wr->len, 1, deadline, &got)) != IO_DONE) {
		prov_seterr(err, errlen, "cannot send the request to %s: %s", c->peer,
		            e == IO_TIMEOUT ? "timed out" : "connection closed");
		return PROV_E_NET;
	}
	return read_resp(c, type, id, deadline, resp, err, errlen);
}

enum prov_rc
prov_call(struct prov_conn *c, struct ctl_wr *wr, struct prov_resp *resp, char *err, size_t errlen)
{
	enum prov_rc rc;
	char msg[512];
	uint8_t type;
	uint32_t id = c->next_id++;

	memset(resp, 0, sizeof(*resp));
	type = wr->len > 5 ? wr->buf[5] : 0;
	rc = exchange(c, wr, type, id, resp, err, errlen);
	/* The request may hold the password. */
	if (wr->buf != NULL)
		OPENSSL_cleanse(wr->buf, wr->cap);
	ctl_wr_cleanup(wr);
	if (rc == PROV_OK && resp->m.status != CTL_PROV_OK) {
		prov_resp_message(resp, msg, sizeof(msg));
		prov_seterr(err, errlen, "%s%s%s", ctl_prov_status_text(resp->m.status), msg[0] ? ": " : "", msg);
		return PROV_E_STATUS;
	}
	return rc;
}

enum prov_rc
prov_login(struct prov_conn *c, const char *user, const char *password, uint16_t *status,
           char *err, size_t errlen)
{
	size_t cap = CTL_PROV_HDR_LEN + 12 + strlen(user) + strlen(password);
	struct ctl_wr wr;
	struct prov_resp r;
	enum prov_rc rc;
	struct ctl_secret *buf;

	*status = 0;
	/* The request holds the password: build it in secret memory, never in a growing heap buffer. */
	if ((buf = ctl_secret_new(cap)) == NULL)
		return PROV_E_NOMEM;
	ctl_wr_init_fixed(&wr, (uint8_t *)ctl_secret_data(buf), cap);
	if (ctl_prov_begin(&wr, CTL_PROV_LOGIN, 0, c->next_id) != CTL_OK ||
	    ctl_prov_put_str(&wr, CTL_PROV_T_USER, user) != CTL_OK ||
	    ctl_prov_put_str(&wr, CTL_PROV_T_PASSWORD, password) != CTL_OK) {
		ctl_wr_cleanup(&wr);
		ctl_secret_free(buf);
		return PROV_E_NOMEM;
	}
	rc = prov_call(c, &wr, &r, err, errlen);
	ctl_secret_free(buf);
	*status = r.m.status;
	prov_resp_free(&r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Fan-out                                                              */

struct fan_job {
	void (*fn)(void *arg, size_t i);
	void *arg;
	size_t i;
};

static void *
fan_thread(void *p)
{
	struct fan_job *j = p;

	j->fn(j->arg, j->i);
	return NULL;
}

void
prov_fanout(size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
	struct fan_job *jobs;
	pthread_t *th;
	char *started;
	size_t i;

	/* A server closing mid-write must be an error, not a SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	jobs = calloc(n ? n : 1, sizeof(*jobs));
	th = calloc(n ? n : 1, sizeof(*th));
	started = calloc(n ? n : 1, 1);
	if (jobs == NULL || th == NULL || started == NULL) {
		for (i = 0; i < n; i++)
			fn(arg, i);
		goto out;
	}
	for (i = 0; i < n; i++) {
		jobs[i] = (struct fan_job){ fn, arg, i };
		started[i] = pthread_create(&th[i], NULL, fan_thread, &jobs[i]) == 0;
		if (!started[i])
			fn(arg, i); /* no thread: do it here */
	}
	for (i = 0; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
out:
	free(started);
	free(th);
	free(jobs);
}
