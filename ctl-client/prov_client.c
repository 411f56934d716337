/*
 * CTL Provider client: TLS transport, server identity (known_hosts and
 * pinned fingerprints), requests through the libctl codec, the password,
 * and the thread fan-out. See prov_client.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "prov_client.h"

struct prov_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	uint32_t next_id;
	int broken; /* an I/O error happened: no BYE */
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
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

static int
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
	seterr(err, errlen, "'%s': expected HOST, HOST:PORT or [IPV6]:PORT (port 1-65535)", s);
	return -1;
}

void
prov_fp_hex(const uint8_t fp[PROV_FP_LEN], char *out, size_t outlen)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i, o = 0;

	if (outlen < PROV_FP_HEX) {
		if (outlen > 0)
			out[0] = '\0';
		return;
	}
	for (i = 0; i < PROV_FP_LEN; i++) {
		if (i > 0)
			out[o++] = ':';
		out[o++] = hx[fp[i] >> 4];
		out[o++] = hx[fp[i] & 15];
	}
	out[o] = '\0';
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
/* known_hosts                                                          */

int
prov_config_dir(char *out, size_t outlen, int make)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char base[4096];
	int n;

	if (x != NULL && x[0] == '/')
		n = snprintf(base, sizeof(base), "%s", x);
	else if (home != NULL && home[0] == '/')
		n = snprintf(base, sizeof(base), "%s/.config", home);
	else
		return -1;
	if (n < 0 || (size_t)n >= sizeof(base))
		return -1;
	n = snprintf(out, outlen, "%s/ctl-client", base);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	if (make) {
		if (mkdir(base, 0700) != 0 && errno != EEXIST)
			return -1;
		if (mkdir(out, 0700) != 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static int
known_set(struct prov_known *k, const char *name, const uint8_t fp[PROV_FP_LEN])
{
	struct prov_known_entry *e;
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->e[i].name, name) == 0) {
			memcpy(k->e[i].fp, fp, PROV_FP_LEN);
			return 0;
		}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;

		if ((e = realloc(k->e, cap * sizeof(*e))) == NULL)
			return -1;
		k->e = e;
		k->cap = cap;
	}
	e = &k->e[k->n];
	if (copy_str(e->name, sizeof(e->name), name, strlen(name)) != 0)
		return -1;
	memcpy(e->fp, fp, PROV_FP_LEN);
	k->n++;
	return 0;
}

int
prov_known_load(struct prov_known *k, char *err, size_t errlen)
{
	char dir[4096], line[512], *sp;
	FILE *f;
	int n, lineno = 0;

	memset(k, 0, sizeof(*k));
	if (prov_config_dir(dir, sizeof(dir), 0) != 0) {
		seterr(err, errlen, "no config directory: set HOME or XDG_CONFIG_HOME");
		return -1;
	}
	n = snprintf(k->path, sizeof(k->path), "%s/known_hosts", dir);
	if (n < 0 || (size_t)n >= sizeof(k->path)) {
		seterr(err, errlen, "config directory path too long");
		return -1;
	}
	if ((f = fopen(k->path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		seterr(err, errlen, "%s: %s", k->path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		uint8_t fp[PROV_FP_LEN];

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((sp = strchr(line, ' ')) == NULL || (*sp = '\0', prov_fp_parse(sp + 1, fp)) != 0 ||
		    known_set(k, line, fp) != 0) {
			seterr(err, errlen, "%s: line %d: expected 'HOST:PORT SHA256-FINGERPRINT'",
			       k->path, lineno);
			fclose(f);
			prov_known_cleanup(k);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

const uint8_t *
prov_known_find(const struct prov_known *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->e[i].name, name) == 0)
			return k->e[i].fp;
	return NULL;
}

int
prov_known_record(struct prov_known *k, const char *name, const uint8_t fp[PROV_FP_LEN],
                  char *err, size_t errlen)
{
	struct ctl_wr wr;
	struct ctl_diag d;
	static const char head[] = "# ctl-client: known CTL Provider servers, HOST:PORT and the "
	                           "SHA-256 of the certificate\n";
	char dir[4096], hex[PROV_FP_HEX], buf[256];
	size_t i;
	int rc = -1;

	if (known_set(k, name, fp) != 0 || prov_config_dir(dir, sizeof(dir), 1) != 0) {
		seterr(err, errlen, "cannot record %s in %s", name, k->path);
		return -1;
	}
	ctl_wr_init(&wr, 1u << 24);
	if (ctl_wr_bytes(&wr, head, sizeof(head) - 1) != CTL_OK)
		goto out;
	for (i = 0; i < k->n; i++) {
		prov_fp_hex(k->e[i].fp, hex, sizeof(hex));
		if (ctl_wr_bytes(&wr, k->e[i].name, strlen(k->e[i].name)) != CTL_OK ||
		    ctl_wr_u8(&wr, ' ') != CTL_OK || ctl_wr_bytes(&wr, hex, strlen(hex)) != CTL_OK ||
		    ctl_wr_u8(&wr, '\n') != CTL_OK)
			goto out;
	}
	if (ctl_write_atomic(k->path, wr.buf, wr.len, 0600, &d) != CTL_OK) {
		seterr(err, errlen, "cannot write %s: %s", k->path, ctl_diag_str(&d, buf, sizeof(buf)));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && err != NULL && err[0] == '\0')
		seterr(err, errlen, "cannot record %s", name);
	ctl_wr_cleanup(&wr);
	return rc;
}

void
prov_known_cleanup(struct prov_known *k)
{
	free(k->e);
	k->e = NULL;
	k->n = k->cap = 0;
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

/* Non-blocking connect bounded by timeout_s, then blocking with SO_RCVTIMEO/SO_SNDTIMEO. */
static int
connect_one(const struct addrinfo *ai, int timeout_s)
{
	struct timeval tv = { timeout_s, 0 };
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, fl, soerr = 0;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0)
		return -1;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, timeout_s * 1000) != 1) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
			errno = soerr ? soerr : errno;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, fl) < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		goto fail;
	return fd;
fail:
	soerr = errno;
	close(fd);
	errno = soerr;
	return -1;
}

static int
tcp_connect(const struct prov_target *t, int timeout_s, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, rc, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(t->host, t->port, &hints, &res)) != 0) {
		seterr(err, errlen, "cannot resolve %s: %s", t->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		if ((fd = connect_one(ai, timeout_s)) < 0)
			e = errno;
	freeaddrinfo(res);
	if (fd < 0)
		seterr(err, errlen, "cannot connect to %s: %s", t->name, strerror(e));
	return fd;
}

static enum prov_rc
tls_start(struct prov_conn *c, const struct prov_target *t, uint8_t fp[PROV_FP_LEN], char *err,
          size_t errlen)
{
	struct in6_addr a;
	X509 *peer;
	unsigned int n = 0;
	char eb[256];

	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION) != 1 || (c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		seterr(err, errlen, "TLS setup: %s", ssl_errtext(eb, sizeof(eb)));
		return PROV_E_TLS;
	}
	/* CallManager certificates are self-signed: identity is the pinned fingerprint. */
	SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
	if (inet_pton(AF_INET, t->host, &a) != 1 && inet_pton(AF_INET6, t->host, &a) != 1)
		(void)SSL_set_tlsext_host_name(c->ssl, t->host);
	if (SSL_connect(c->ssl) != 1) {
		seterr(err, errlen, "TLS handshake with %s failed: %s", t->name, ssl_errtext(eb, sizeof(eb)));
		return PROV_E_TLS;
	}
	if ((peer = SSL_get1_peer_certificate(c->ssl)) == NULL) {
		seterr(err, errlen, "%s presented no certificate", t->name);
		return PROV_E_TLS;
	}
	if (X509_digest(peer, EVP_sha256(), fp, &n) != 1 || n != PROV_FP_LEN) {
		X509_free(peer);
		seterr(err, errlen, "cannot hash the certificate of %s", t->name);
		return PROV_E_TLS;
	}
	X509_free(peer);
	return PROV_OK;
}

enum prov_rc
prov_connect(const struct prov_target *t, int timeout_s, struct prov_conn **out,
             uint8_t fp[PROV_FP_LEN], char *err, size_t errlen)
{
	struct prov_conn *c;
	enum prov_rc rc;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return PROV_E_NOMEM;
	c->next_id = 1;
	if ((c->fd = tcp_connect(t, timeout_s, err, errlen)) < 0) {
		free(c);
		return PROV_E_NET;
	}
	if ((rc = tls_start(c, t, fp, err, errlen)) != PROV_OK) {
		c->broken = 1;
		prov_close(c);
		return rc;
	}
	*out = c;
	return PROV_OK;
}

static int
io_all(struct prov_conn *c, void *p, size_t n, int wr)
{
	size_t done = 0, k;

	while (done < n) {
		int ok = wr ? SSL_write_ex(c->ssl, (uint8_t *)p + done, n - done, &k)
		            : SSL_read_ex(c->ssl, (uint8_t *)p + done, n - done, &k);
		if (ok != 1) {
			c->broken = 1;
			return -1;
		}
		done += k;
	}
	return 0;
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
		(void)prov_call(c, &wr, &r, NULL, 0);
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
	size_t i, n;

	if (len == 0)
		return "";
	buf[0] = '\0';
	if (it == NULL)
		return buf;
	n = it->len < len - 1 ? it->len : len - 1;
	/* Server text goes to a terminal: control characters become '?'. */
	for (i = 0; i < n; i++)
		buf[i] = (it->val[i] < 0x20 || it->val[i] == 0x7f) ? '?' : (char)it->val[i];
	buf[n] = '\0';
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

static enum prov_rc
read_resp(struct prov_conn *c, uint8_t type, uint32_t id, struct prov_resp *resp, char *err,
          size_t errlen)
{
	uint8_t hdr[CTL_PROV_HDR_LEN];
	struct ctl_diag d;
	char db[256];

	if (io_all(c, hdr, sizeof(hdr), 0) != 0) {
		seterr(err, errlen, "no response (connection closed or timed out)");
		return PROV_E_NET;
	}
	if (ctl_prov_parse_header(hdr, sizeof(hdr), &resp->m, &d) != CTL_OK) {
		seterr(err, errlen, "protocol error: %s", ctl_diag_str(&d, db, sizeof(db)));
		c->broken = 1;
		return PROV_E_PROTO;
	}
	if (resp->m.type != (type | CTL_PROV_RESPONSE) || resp->m.id != id) {
		seterr(err, errlen, "protocol error: response type 0x%02x id %u to request 0x%02x id %u",
		       resp->m.type, resp->m.id, type, id);
		c->broken = 1;
		return PROV_E_PROTO;
	}
	if ((resp->body = malloc(resp->m.body_len ? resp->m.body_len : 1)) == NULL)
		return PROV_E_NOMEM;
	if (io_all(c, resp->body, resp->m.body_len, 0) != 0) {
		seterr(err, errlen, "response cut short (connection closed or timed out)");
		return PROV_E_NET;
	}
	if (ctl_prov_parse_body(resp->body, resp->m.body_len, &resp->m, &d) != CTL_OK) {
		seterr(err, errlen, "protocol error: %s", ctl_diag_str(&d, db, sizeof(db)));
		c->broken = 1;
		return PROV_E_PROTO;
	}
	return PROV_OK;
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
	if (ctl_prov_end(wr) != CTL_OK) {
		rc = PROV_E_NOMEM;
		seterr(err, errlen, "request too large");
	} else if (io_all(c, wr->buf, wr->len, 1) != 0) {
		rc = PROV_E_NET;
		seterr(err, errlen, "cannot send (connection closed or timed out)");
	} else {
		rc = read_resp(c, type, id, resp, err, errlen);
	}
	/* The request may hold the password. */
	if (wr->buf != NULL)
		OPENSSL_cleanse(wr->buf, wr->cap);
	ctl_wr_cleanup(wr);
	if (rc == PROV_OK && resp->m.status != CTL_PROV_OK) {
		prov_resp_message(resp, msg, sizeof(msg));
		seterr(err, errlen, "%s%s%s", ctl_prov_status_text(resp->m.status), msg[0] ? ": " : "", msg);
		return PROV_E_STATUS;
	}
	return rc;
}

enum prov_rc
prov_login(struct prov_conn *c, const char *user, const char *password, uint16_t *status,
           char *err, size_t errlen)
{
	struct ctl_wr wr;
	struct prov_resp r;
	enum prov_rc rc;

	*status = 0;
	if ((rc = prov_begin(c, &wr, CTL_PROV_LOGIN)) != PROV_OK)
		return rc;
	if (ctl_prov_put_str(&wr, CTL_PROV_T_USER, user) != CTL_OK ||
	    ctl_prov_put_str(&wr, CTL_PROV_T_PASSWORD, password) != CTL_OK) {
		OPENSSL_cleanse(wr.buf, wr.cap);
		ctl_wr_cleanup(&wr);
		return PROV_E_NOMEM;
	}
	rc = prov_call(c, &wr, &r, err, errlen);
	*status = r.m.status;
	prov_resp_free(&r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Password                                                             */

static int
password_file(const char *path, char *buf, size_t cap, char *err, size_t errlen)
{
	struct stat st;
	ssize_t k;
	size_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &st) != 0) {
		seterr(err, errlen, "--password-file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		seterr(err, errlen, "--password-file %s: must be a regular file not accessible by group "
		       "or others (chmod 600)", path);
		close(fd);
		return -1;
	}
	while (n < cap - 1 && (k = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)k;
	close(fd);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

static int
password_tty(const char *user, char *buf, size_t cap, char *err, size_t errlen)
{
	struct termios old, raw;
	char prompt[512];
	ssize_t k;
	size_t n = 0;
	int fd, pn;
	char ch;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0 || tcgetattr(fd, &old) != 0) {
		seterr(err, errlen, "no password: use --password-file FILE or $%s (no terminal to ask on)",
		       PROV_PASSWORD_ENV);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	raw.c_lflag |= ICANON;
	pn = snprintf(prompt, sizeof(prompt), "Password for %s on the CTL Provider servers: ", user);
	if (pn > 0 && (size_t)pn < sizeof(prompt))
		(void)!write(fd, prompt, (size_t)pn);
	(void)tcsetattr(fd, TCSAFLUSH, &raw);
	while ((k = read(fd, &ch, 1)) == 1 && ch != '\n' && ch != '\r')
		if (n < cap - 1)
			buf[n++] = ch;
	buf[n] = '\0';
	ch = 0;
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	return 0;
}

int
prov_password_get(const char *file, const char *user, char **out, char *err, size_t errlen)
{
	char *env = getenv(PROV_PASSWORD_ENV), *buf;
	int rc;

	*out = NULL;
	if (file != NULL && env != NULL) {
		seterr(err, errlen, "both --password-file and $%s are set; use one", PROV_PASSWORD_ENV);
		return -1;
	}
	if ((buf = calloc(1, PROV_PASSWORD_MAX + 1)) == NULL)
		return -1;
	if (file != NULL) {
		rc = password_file(file, buf, PROV_PASSWORD_MAX + 1, err, errlen);
	} else if (env != NULL) {
		size_t n = strlen(env);

		rc = n <= PROV_PASSWORD_MAX ? 0 : -1;
		if (rc == 0)
			memcpy(buf, env, n + 1);
		else
			seterr(err, errlen, "$%s is longer than %d bytes", PROV_PASSWORD_ENV, PROV_PASSWORD_MAX);
		OPENSSL_cleanse(env, n);
		unsetenv(PROV_PASSWORD_ENV);
	} else {
		rc = password_tty(user, buf, PROV_PASSWORD_MAX + 1, err, errlen);
	}
	if (rc == 0 && buf[0] == '\0') {
		seterr(err, errlen, "empty password");
		rc = -1;
	}
	if (rc != 0) {
		prov_password_free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

void
prov_password_free(char *p)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, PROV_PASSWORD_MAX + 1);
	free(p);
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
