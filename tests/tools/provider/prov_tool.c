/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov-tool: a CTL Provider client for the tests, built on the libctl
 * codec: well-formed requests, hostile ones (oversized, slow, garbage,
 * truncated, dropped uploads, plain TCP), the concurrent load test, and
 * clients that never log in (hold, unauth). --bind picks the source
 * address (127.x.y.z), so tests can play several peers on loopback.
 * Prints "status NAME (CODE)" and "message: TEXT" for every response.
 * Exit: 0 status OK, 1 other status, 2 usage, 3 no response (closed,
 * TLS or connect failure).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <ctl/ctl.h>
#include <ctl/prov.h>

struct opts {
	const char *host;
	unsigned port;
	const char *user;
	const char *password;
	int no_login;
	unsigned timeout;
	const char *out;
	int override;
	const char *reason;
	unsigned long long stop_after;
	unsigned delay_ms;
	int quiet;
	const char *bind;            /* source address; NULL: any */
	int spread;                  /* load: connection i from 127.0.1.(i % 250 + 1) */
};

struct conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	uint32_t next_id;
};

struct resp {
	struct ctl_prov_msg m;
	uint8_t *body;
};

static const char *const status_names[] = {
	"OK", "BAD_REQUEST", "UNSUPPORTED", "AUTH_REQUIRED", "AUTH_FAILED", "THROTTLED",
	"NOT_FOUND", "CTL_MALFORMED", "CTL_SIGNATURE", "CTL_NOT_TRUSTED", "TOO_LARGE", "IO",
	"INTERNAL",
};

static const char *
sname(uint16_t st)
{
	return st < sizeof(status_names) / sizeof(status_names[0]) ? status_names[st] : "UNKNOWN";
}

static CTL_MUST_USE int
tcp_connect(const struct opts *o)
{
	struct sockaddr_in sa, src;
	struct timeval tv = { (time_t)o->timeout, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	memset(&sa, 0, sizeof(sa));
	memset(&src, 0, sizeof(src));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	src.sin_family = AF_INET;
	if (fd < 0 || inet_pton(AF_INET, o->host, &sa.sin_addr) != 1 ||
	    (o->bind != NULL && (inet_pton(AF_INET, o->bind, &src.sin_addr) != 1 ||
	                         bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static CTL_MUST_USE int
conn_open(struct conn *c, const struct opts *o)
{
	memset(c, 0, sizeof(*c));
	c->next_id = 1;
	if ((c->fd = tcp_connect(o)) < 0) {
		fprintf(stderr, "prov-tool: cannot connect to %s:%u: %s\n", o->host, o->port,
		        strerror(errno));
		return -1;
	}
	/* The tests pin nothing: the server certificate is checked by the client engineer's code. */
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    (c->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    SSL_connect(c->ssl) != 1) {
		char buf[256] = "";

		ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
		fprintf(stderr, "prov-tool: TLS handshake failed: %s\n", buf);
		return -1;
	}
	return 0;
}

static void
conn_close(struct conn *c, int polite)
{
	if (c->ssl != NULL) {
		if (polite)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int
send_all(struct conn *c, const void *p, size_t n)
{
	size_t done;

	return SSL_write_ex(c->ssl, p, n, &done) == 1 && done == n ? 0 : -1;
}

static CTL_MUST_USE int
recv_all(struct conn *c, void *p, size_t n)
{
	uint8_t *b = p;
	size_t got = 0, k;

	while (got < n) {
		if (SSL_read_ex(c->ssl, b + got, n - got, &k) != 1)
			return -1;
		got += k;
	}
	return 0;
}

static void
resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

/* Reads one response; -1 when the connection ends first. */
static CTL_MUST_USE int
read_resp(struct conn *c, struct resp *r)
{
	uint8_t hdr[CTL_PROV_HDR_LEN];
	struct ctl_diag d;

	memset(r, 0, sizeof(*r));
	if (recv_all(c, hdr, sizeof(hdr)) != 0)
		return -1;
	if (ctl_prov_parse_header(hdr, sizeof(hdr), &r->m, &d) != CTL_OK) {
		fprintf(stderr, "prov-tool: bad response header: %s\n", d.msg);
		return -1;
	}
	if ((r->body = malloc(r->m.body_len + 1)) == NULL || recv_all(c, r->body, r->m.body_len) != 0 ||
	    ctl_prov_parse_body(r->body, r->m.body_len, &r->m, &d) != CTL_OK) {
		resp_free(r);
		return -1;
	}
	return 0;
}

static void
print_text(const char *label, const struct ctl_prov_item *it)
{
	if (it != NULL)
		printf("%s: %.*s\n", label, (int)it->len, (const char *)it->val);
}

static void
print_u32(const char *label, const struct ctl_prov_item *it)
{
	if (it != NULL && it->len == 4)
		printf("%s: %lu\n", label, (unsigned long)it->val[0] << 24 | (unsigned long)it->val[1] << 16 |
		       (unsigned long)it->val[2] << 8 | it->val[3]);
}

static void
print_resp(const struct resp *r)
{
	const struct ctl_prov_item *it;
	size_t i;

	printf("status %s (%u) id %u\n", sname(r->m.status), r->m.status, r->m.id);
	print_text("message", ctl_prov_find(&r->m, CTL_PROV_T_MESSAGE));
	print_text("hostname", ctl_prov_find(&r->m, CTL_PROV_T_HOSTNAME));
	if ((it = ctl_prov_find(&r->m, CTL_PROV_T_IPV4)) != NULL && it->len == 4)
		printf("ipv4: %u.%u.%u.%u\n", it->val[0], it->val[1], it->val[2], it->val[3]);
	if ((it = ctl_prov_find(&r->m, CTL_PROV_T_MODE)) != NULL && it->len == 1)
		printf("mode: %u\n", it->val[0]);
	print_text("version", ctl_prov_find(&r->m, CTL_PROV_T_VERSION));
	print_text("md5", ctl_prov_find(&r->m, CTL_PROV_T_MD5));
	print_u32("length", ctl_prov_find(&r->m, CTL_PROV_T_LENGTH));
	print_u32("mtime", ctl_prov_find(&r->m, CTL_PROV_T_MTIME));
	for (i = 0; i < r->m.nitems; i++)
		if (r->m.items[i].tag == CTL_PROV_T_CERT && r->m.items[i].len > 2)
			printf("cert: role %u, %u bytes\n",
			       (unsigned)(r->m.items[i].val[0] << 8 | r->m.items[i].val[1]),
			       r->m.items[i].len - 2);
}

/* Builds a request into wr (caller cleans up). */
static enum ctl_err
build(struct conn *c, struct ctl_wr *wr, uint8_t type)
{
	ctl_wr_init(wr, CTL_PROV_HDR_LEN + CTL_PROV_MAX_BODY);
	return ctl_prov_begin(wr, type, 0, c->next_id++);
}

/* Sends wr, reads the response; returns its status or -1. */
static int
exchange(struct conn *c, struct ctl_wr *wr, struct resp *r, int print)
{
	int rc = -1;

	if (ctl_prov_end(wr) == CTL_OK && send_all(c, wr->buf, wr->len) == 0 && read_resp(c, r) == 0)
		rc = r->m.status;
	ctl_wr_cleanup(wr);
	if (rc < 0)
		printf("no response: connection closed\n");
	else if (print || rc != 0)
		print_resp(r);
	return rc;
}

static CTL_MUST_USE int
login(struct conn *c, const struct opts *o, int print)
{
	struct ctl_wr wr;
	struct resp r;
	int st;

	if (build(c, &wr, CTL_PROV_LOGIN) != CTL_OK ||
	    ctl_prov_put_str(&wr, CTL_PROV_T_USER, o->user) != CTL_OK ||
	    ctl_prov_put_str(&wr, CTL_PROV_T_PASSWORD, o->password) != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return -1;
	}
	st = exchange(c, &wr, &r, print);
	resp_free(&r);
	return st;
}

static int
rc_for(int st)
{
	return st < 0 ? 3 : st == 0 ? 0 : 1;
}

/* Connects and logs in unless --no-login; prints the LOGIN result when it fails. */
static int
start(struct conn *c, const struct opts *o)
{
	int st;

	if (conn_open(c, o) != 0)
		return 3;
	if (o->no_login)
		return 0;
	if ((st = login(c, o, 0)) != 0) {
		printf("login: %s\n", st < 0 ? "no response" : sname((uint16_t)st));
		return rc_for(st);
	}
	return 0;
}

/* A request with no items (info, status, get-ctl, get-itl, bye). */
static int
simple(const struct opts *o, uint8_t type)
{
	struct conn c;
	struct ctl_wr wr;
	struct resp r;
	const struct ctl_prov_item *f;
	struct ctl_diag d;
	int st, rc;

	if ((rc = start(&c, o)) != 0) {
		conn_close(&c, 0);
		return rc;
	}
	if (build(&c, &wr, type) != CTL_OK) {
		conn_close(&c, 0);
		return 3;
	}
	st = exchange(&c, &wr, &r, 1);
	if (st == 0 && (type == CTL_PROV_GET_CTL || type == CTL_PROV_GET_ITL) && o->out != NULL &&
	    (f = ctl_prov_find(&r.m, type == CTL_PROV_GET_CTL ? CTL_PROV_T_CTL_FILE :
	                       CTL_PROV_T_ITL_FILE)) != NULL &&
	    ctl_write_atomic(o->out, f->val, f->len, 0644, &d) != CTL_OK) {
		fprintf(stderr, "prov-tool: %s\n", d.msg);
		st = -1;
	}
	resp_free(&r);
	conn_close(&c, 1);
	return rc_for(st);
}

/* put-ctl FILE: the whole file, or (--stop-after N) only N bytes of the message, then a drop. */
static int
put_ctl(const struct opts *o, const char *path)
{
	struct conn c;
	struct ctl_wr wr;
	struct resp r;
	struct ctl_diag d;
	uint8_t *buf = NULL;
	size_t len;
	int st = -1, rc;

	if (ctl_read_file(path, CTL_MAX_FILE, &buf, &len, &d) != CTL_OK) {
		fprintf(stderr, "prov-tool: %s\n", d.msg);
		return 2;
	}
	if ((rc = start(&c, o)) != 0) {
		free(buf);
		conn_close(&c, 0);
		return rc;
	}
	if (build(&c, &wr, CTL_PROV_PUT_CTL) != CTL_OK ||
	    ctl_prov_put(&wr, CTL_PROV_T_CTL_FILE, buf, len) != CTL_OK ||
	    (o->override && ctl_prov_put_u8(&wr, CTL_PROV_T_OVERRIDE, 1) != CTL_OK) ||
	    (o->reason != NULL && ctl_prov_put_str(&wr, CTL_PROV_T_REASON, o->reason) != CTL_OK)) {
		fprintf(stderr, "prov-tool: message too large for the codec\n");
		ctl_wr_cleanup(&wr);
		goto out;
	}
	if (o->stop_after > 0) {
		size_t n = ctl_prov_end(&wr) == CTL_OK && o->stop_after < wr.len ? o->stop_after : 0;

		if (n > 0 && send_all(&c, wr.buf, n) == 0)
			printf("sent %zu of %zu bytes, dropping the connection\n", n, wr.len);
		ctl_wr_cleanup(&wr);
		free(buf);
		conn_close(&c, 0); /* no close_notify: a dropped upload */
		return 0;
	}
	st = exchange(&c, &wr, &r, 1);
	resp_free(&r);
out:
	free(buf);
	conn_close(&c, st >= 0);
	return rc_for(st);
}

/* A request with one u8 item: set-mode N (MODE), itl-reset N (ITL_ACTION). */
static int
u8_request(const struct opts *o, uint8_t type, uint16_t tag, const char *arg)
{
	unsigned long long v;
	struct conn c;
	struct ctl_wr wr;
	struct resp r;
	int st, rc;

	if (ctl_parse_uint(arg, 0, 255, &v) != CTL_OK)
		return 2;
	if ((rc = start(&c, o)) != 0) {
		conn_close(&c, 0);
		return rc;
	}
	if (build(&c, &wr, type) != CTL_OK || ctl_prov_put_u8(&wr, tag, (uint8_t)v) != CTL_OK) {
		ctl_wr_cleanup(&wr);
		conn_close(&c, 0);
		return 3;
	}
	st = exchange(&c, &wr, &r, 1);
	resp_free(&r);
	conn_close(&c, 1);
	return rc_for(st);
}

/* Sends raw bytes inside TLS and prints the response (or "connection closed"). */
static int
raw_exchange(const struct opts *o, const uint8_t *p, size_t n, int then_valid)
{
	struct conn c;
	struct resp r;
	int st = -1, rc;

	if ((rc = start(&c, o)) != 0) {
		conn_close(&c, 0);
		return rc;
	}
	if (send_all(&c, p, n) == 0 && read_resp(&c, &r) == 0) {
		st = r.m.status;
		print_resp(&r);
		resp_free(&r);
	} else {
		printf("no response: connection closed\n");
	}
	if (st >= 0 && then_valid) {
		struct ctl_wr wr;
		struct resp r2;

		/* The connection must still work: GET_STATUS after the bad message. */
		printf("then: ");
		if (build(&c, &wr, CTL_PROV_GET_STATUS) == CTL_OK)
			exchange(&c, &wr, &r2, 1);
		resp_free(&r2);
	}
	conn_close(&c, st >= 0);
	return rc_for(st);
}

static void
hdr(uint8_t *b, uint8_t ver, uint8_t type, uint32_t id, uint32_t len)
{
	struct ctl_wr wr;

	ctl_wr_init_fixed(&wr, b, CTL_PROV_HDR_LEN);
	/* 16 bytes into the CTL_PROV_HDR_LEN (16) bytes of b: only a bug fails here. */
	if (ctl_wr_bytes(&wr, "CTLP", 4) != CTL_OK || ctl_wr_u8(&wr, ver) != CTL_OK ||
	    ctl_wr_u8(&wr, type) != CTL_OK || ctl_wr_u16be(&wr, 0) != CTL_OK ||
	    ctl_wr_u32be(&wr, id) != CTL_OK || ctl_wr_u32be(&wr, len) != CTL_OK)
		abort();
}

/* Hostile messages by name. */
static int
hostile(const struct opts *o, const char *what)
{
	uint8_t b[64];

	memset(b, 0, sizeof(b));
	if (strcmp(what, "oversize") == 0) {
		hdr(b, 1, CTL_PROV_PUT_CTL, 7, CTL_PROV_MAX_BODY + 1);
		return raw_exchange(o, b, CTL_PROV_HDR_LEN, 0);
	}
	if (strcmp(what, "giant") == 0) {
		hdr(b, 1, CTL_PROV_PUT_CTL, 8, 0xffffffffu);
		return raw_exchange(o, b, CTL_PROV_HDR_LEN, 0);
	}
	if (strcmp(what, "bad-version") == 0) {
		hdr(b, 2, CTL_PROV_GET_INFO, 9, 0);
		return raw_exchange(o, b, CTL_PROV_HDR_LEN, 0);
	}
	if (strcmp(what, "unknown-type") == 0) {
		hdr(b, 1, 0x42, 10, 0);
		return raw_exchange(o, b, CTL_PROV_HDR_LEN, 1);
	}
	if (strcmp(what, "item-overrun") == 0) {
		/* One item announcing 100 bytes in a 10-byte body. */
		hdr(b, 1, CTL_PROV_GET_STATUS, 11, 10);
		b[16] = 0; b[17] = 1; b[18] = 0; b[19] = 0; b[20] = 0; b[21] = 100;
		return raw_exchange(o, b, CTL_PROV_HDR_LEN + 10, 1);
	}
	if (strcmp(what, "garbage") == 0) {
		static const char g[] = "GET / HTTP/1.0\r\n\r\n";

		return raw_exchange(o, (const uint8_t *)g, sizeof(g) - 1, 0);
	}
	fprintf(stderr, "prov-tool: unknown hostile message %s\n", what);
	return 2;
}

/*
 * slow: a header announcing 100 bytes, then one byte every delay_ms;
 * prints how the server ended it.
 */
static int
slow(const struct opts *o)
{
	struct conn c;
	struct resp r;
	uint8_t h[CTL_PROV_HDR_LEN], one = 0;
	unsigned i;
	int rc;

	if ((rc = start(&c, o)) != 0) {
		conn_close(&c, 0);
		return rc;
	}
	hdr(h, 1, CTL_PROV_GET_STATUS, 12, 100);
	if (send_all(&c, h, sizeof(h)) != 0)
		return 3;
	for (i = 0; i < 100; i++) {
		struct pollfd pfd = { .fd = c.fd, .events = POLLIN };

		if (poll(&pfd, 1, (int)o->delay_ms) > 0)
			break; /* the server spoke (or closed) */
		if (send_all(&c, &one, 1) != 0)
			break;
	}
	printf("sent %u body bytes\n", i);
	if (read_resp(&c, &r) == 0) {
		print_resp(&r);
		resp_free(&r);
	} else {
		printf("no response: connection closed\n");
	}
	conn_close(&c, 0);
	return 0;
}

/* plain: a valid LOGIN in plain TCP (no TLS); prints what came back. */
static int
plain(const struct opts *o, int garbage)
{
	struct ctl_wr wr;
	uint8_t back[512];
	size_t got = 0;
	ssize_t n;
	enum ctl_err r = CTL_OK;
	int fd = tcp_connect(o);

	if (fd < 0)
		return 3;
	ctl_wr_init(&wr, 4096);
	if (garbage) {
		unsigned i;

		for (i = 0; i < 256 && r == CTL_OK; i++)
			r = ctl_wr_u8(&wr, (uint8_t)(i * 167u + 13u));
	} else if ((r = ctl_prov_begin(&wr, CTL_PROV_LOGIN, 0, 1)) == CTL_OK &&
	           (r = ctl_prov_put_str(&wr, CTL_PROV_T_USER, o->user)) == CTL_OK &&
	           (r = ctl_prov_put_str(&wr, CTL_PROV_T_PASSWORD, o->password)) == CTL_OK) {
		r = ctl_prov_end(&wr);
	}
	if (r != CTL_OK) {
		printf("cannot build the message: %s\n", ctl_strerror(r));
		ctl_wr_cleanup(&wr);
		close(fd);
		return 3;
	}
	if (write(fd, wr.buf, wr.len) != (ssize_t)wr.len)
		printf("write failed: %s\n", strerror(errno));
	ctl_wr_cleanup(&wr);
	while (got < sizeof(back) && (n = read(fd, back + got, sizeof(back) - got)) > 0)
		got += (size_t)n;
	close(fd);
	printf("closed after %zu bytes; protocol data: %s\n", got,
	       got >= 4 && memcmp(back, "CTLP", 4) == 0 ? "yes" : "no");
	return got >= 4 && memcmp(back, "CTLP", 4) == 0 ? 1 : 0;
}

/* load N: N connections at once, each LOGIN + GET_INFO + BYE. */
struct load_arg {
	struct opts o;               /* a copy: bind differs per connection with --spread */
	char src[32];
	pthread_barrier_t *barrier;
	int ok;
	char why[128];
};

static void *
load_one(void *p)
{
	struct load_arg *a = p;
	struct conn c;
	struct ctl_wr wr;
	struct resp r;
	int st = -1, certs = 0;
	size_t i;

	pthread_barrier_wait(a->barrier);
	if (conn_open(&c, &a->o) != 0) {
		snprintf(a->why, sizeof(a->why), "connect/TLS failed");
		conn_close(&c, 0);
		return NULL;
	}
	if ((st = login(&c, &a->o, 0)) != 0) {
		snprintf(a->why, sizeof(a->why), "login: %s", st < 0 ? "closed" : sname((uint16_t)st));
		conn_close(&c, 0);
		return NULL;
	}
	if (build(&c, &wr, CTL_PROV_GET_INFO) == CTL_OK && (st = exchange(&c, &wr, &r, 0)) == 0) {
		for (i = 0; i < r.m.nitems; i++)
			certs += r.m.items[i].tag == CTL_PROV_T_CERT;
		a->ok = certs > 0;
		snprintf(a->why, sizeof(a->why), "%d certificates", certs);
		resp_free(&r);
	} else {
		snprintf(a->why, sizeof(a->why), "GET_INFO: %s", st < 0 ? "closed" : sname((uint16_t)st));
	}
	if (build(&c, &wr, CTL_PROV_BYE) == CTL_OK && exchange(&c, &wr, &r, 0) == 0)
		resp_free(&r);
	conn_close(&c, 1);
	return NULL;
}

static int
load(const struct opts *o, const char *arg)
{
	unsigned long long n;
	pthread_barrier_t barrier;
	pthread_attr_t attr;
	pthread_t *t;
	struct load_arg *a;
	unsigned i, ok = 0;

	if (ctl_parse_uint(arg, 1, 2000, &n) != CTL_OK)
		return 2;
	t = calloc(n, sizeof(*t));
	a = calloc(n, sizeof(*a));
	if (t == NULL || a == NULL || pthread_barrier_init(&barrier, NULL, (unsigned)n) != 0)
		return 3;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1u << 20);
	for (i = 0; i < n; i++) {
		a[i].o = *o;
		if (o->spread) {
			snprintf(a[i].src, sizeof(a[i].src), "127.0.1.%u", i % 250 + 1);
			a[i].o.bind = a[i].src;
		}
		a[i].barrier = &barrier;
		if (pthread_create(&t[i], &attr, load_one, &a[i]) != 0) {
			fprintf(stderr, "prov-tool: cannot start thread %u\n", i);
			return 3;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		ok += a[i].ok != 0;
		if (!a[i].ok)
			printf("connection %u failed: %s\n", i, a[i].why);
	}
	printf("load: %u/%llu connections ok\n", ok, n);
	pthread_barrier_destroy(&barrier);
	pthread_attr_destroy(&attr);
	free(t);
	free(a);
	return ok == n ? 0 : 1;
}

/*
 * unauth: GET_STATUS without a login every --delay-ms until the server
 * closes the connection (at most 100); prints how many were answered and
 * the last MESSAGE. Exit 0 when the server closed it.
 */
static int
unauth(const struct opts *o)
{
	struct conn c;
	struct ctl_wr wr;
	struct resp r;
	char last[512] = "";
	unsigned answered = 0;
	int closed = 0;

	if (conn_open(&c, o) != 0) {
		conn_close(&c, 0);
		return 3;
	}
	while (answered < 100) {
		const struct ctl_prov_item *m;

		if (build(&c, &wr, CTL_PROV_GET_STATUS) != CTL_OK) {
			ctl_wr_cleanup(&wr);
			break;
		}
		if (ctl_prov_end(&wr) != CTL_OK || send_all(&c, wr.buf, wr.len) != 0 ||
		    read_resp(&c, &r) != 0) {
			ctl_wr_cleanup(&wr);
			closed = 1;
			break;
		}
		ctl_wr_cleanup(&wr);
		answered++;
		if ((m = ctl_prov_find(&r.m, CTL_PROV_T_MESSAGE)) != NULL)
			snprintf(last, sizeof(last), "%.*s", (int)m->len, (const char *)m->val);
		printf("answer %u: status %s: %s\n", answered, sname(r.m.status), last);
		resp_free(&r);
		usleep(o->delay_ms * 1000u);
	}
	/* A close right after an answer may show only at the next read. */
	if (!closed && read_resp(&c, &r) != 0)
		closed = 1;
	printf("unauth: %u requests answered, then %s\n", answered,
	       closed ? "the server closed the connection" : "still open");
	conn_close(&c, 0);
	return closed ? 0 : 1;
}

/* slow-status: LOGIN, then GET_STATUS after --delay-ms (past a login deadline). */
static int
slow_status(const struct opts *o)
{
	struct conn c;
	struct ctl_wr wr;
	struct resp r;
	int st = -1, rc;

	if ((rc = start(&c, o)) != 0) {
		conn_close(&c, 0);
		return rc;
	}
	usleep(o->delay_ms * 1000u);
	if (build(&c, &wr, CTL_PROV_GET_STATUS) == CTL_OK)
		st = exchange(&c, &wr, &r, 1);
	else
		ctl_wr_cleanup(&wr);
	if (st >= 0)
		resp_free(&r);
	conn_close(&c, st >= 0);
	return rc_for(st);
}

/* hold N SECS: N threads that keep connections open without logging in. */
struct hold_arg {
	const struct opts *o;
	time_t until;
	unsigned connects, answers;
};

static void *
hold_one(void *p)
{
	struct hold_arg *h = p;

	while (time(NULL) < h->until) {
		struct conn c;
		struct ctl_wr wr;
		struct resp r;

		if (conn_open(&c, h->o) != 0) {
			conn_close(&c, 0);
			sleep(1);
			continue;
		}
		h->connects++;
		while (time(NULL) < h->until) {
			if (build(&c, &wr, CTL_PROV_GET_STATUS) != CTL_OK || ctl_prov_end(&wr) != CTL_OK ||
			    send_all(&c, wr.buf, wr.len) != 0 || read_resp(&c, &r) != 0) {
				ctl_wr_cleanup(&wr);
				break;
			}
			ctl_wr_cleanup(&wr);
			resp_free(&r);
			h->answers++;
			usleep(h->o->delay_ms * 1000u);
		}
		conn_close(&c, 0);
	}
	return NULL;
}

static int
hold(const struct opts *o, const char *nstr, const char *secs)
{
	unsigned long long n, t;
	pthread_attr_t attr;
	pthread_t *th;
	struct hold_arg *h;
	unsigned i, connects = 0, answers = 0;

	if (nstr == NULL || secs == NULL || ctl_parse_uint(nstr, 1, 2000, &n) != CTL_OK ||
	    ctl_parse_uint(secs, 1, 600, &t) != CTL_OK)
		return 2;
	th = calloc(n, sizeof(*th));
	h = calloc(n, sizeof(*h));
	if (th == NULL || h == NULL)
		return 3;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256u << 10);
	for (i = 0; i < n; i++) {
		h[i].o = o;
		h[i].until = time(NULL) + (time_t)t;
		if (pthread_create(&th[i], &attr, hold_one, &h[i]) != 0) {
			fprintf(stderr, "prov-tool: cannot start thread %u\n", i);
			return 3;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		connects += h[i].connects;
		answers += h[i].answers;
	}
	printf("hold: %llu clients, %u connections, %u unauthenticated answers\n", n, connects,
	       answers);
	pthread_attr_destroy(&attr);
	free(th);
	free(h);
	return 0;
}

static const char usage[] =
	"usage: prov-tool --connect ADDR:PORT [--user U --password P] [--no-login] [--timeout S]\n"
	"                 COMMAND [ARG]\n"
	"commands: login | info | status | get-ctl [--out FILE] | put-ctl FILE [--override]\n"
	"          [--reason R] [--stop-after BYTES] | set-mode N | bye | hostile NAME\n"
	"          (oversize, giant, bad-version, unknown-type, item-overrun, garbage) |\n"
	"          get-itl [--out FILE] | itl-reset N |\n"
	"          slow [--delay-ms MS] | plain | plain-garbage | load N [--spread] |\n"
	"          unauth [--delay-ms MS] | hold N SECS [--delay-ms MS] |\n"
	"          slow-status [--delay-ms MS]\n"
	"--bind ADDR: connect from this source address (127.x.y.z)\n";

static CTL_MUST_USE int
parse_connect(struct opts *o, char *arg)
{
	char *colon = strrchr(arg, ':');
	unsigned long long v;

	if (colon == NULL || ctl_parse_uint(colon + 1, 1, 65535, &v) != CTL_OK)
		return -1;
	*colon = '\0';
	o->host = arg;
	o->port = (unsigned)v;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "connect", required_argument, NULL, 'c' }, { "user", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'p' }, { "no-login", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' }, { "out", required_argument, NULL, 'o' },
		{ "override", no_argument, NULL, 'O' }, { "reason", required_argument, NULL, 'r' },
		{ "stop-after", required_argument, NULL, 's' },
		{ "delay-ms", required_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		{ "bind", required_argument, NULL, 'b' }, { "spread", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { "127.0.0.1", CTL_PROV_PORT, "admin", "", 0, 30, NULL, 0, NULL, 0, 500, 0,
	                  NULL, 0 };
	unsigned long long v;
	const char *cmd, *arg;
	int c;

	signal(SIGPIPE, SIG_IGN); /* a server that closes first is reported, not fatal */
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': if (parse_connect(&o, optarg) != 0) goto bad; break;
		case 'u': o.user = optarg; break;
		case 'p': o.password = optarg; break;
		case 'n': o.no_login = 1; break;
		case 't': if (ctl_parse_uint(optarg, 1, 600, &v) != CTL_OK) goto bad; o.timeout = (unsigned)v; break;
		case 'o': o.out = optarg; break;
		case 'O': o.override = 1; break;
		case 'r': o.reason = optarg; break;
		case 's': if (ctl_parse_uint(optarg, 1, 1u << 24, &o.stop_after) != CTL_OK) goto bad; break;
		case 'd': if (ctl_parse_uint(optarg, 1, 60000, &v) != CTL_OK) goto bad; o.delay_ms = (unsigned)v; break;
		case 'b': o.bind = optarg; break;
		case 'S': o.spread = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: goto bad;
		}
	}
	if (optind >= argc)
		goto bad;
	cmd = argv[optind];
	arg = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (strcmp(cmd, "login") == 0) {
		struct conn cn;
		int st;

		if (conn_open(&cn, &o) != 0) {
			conn_close(&cn, 0);
			return 3;
		}
		st = login(&cn, &o, 1);
		conn_close(&cn, st >= 0);
		return rc_for(st);
	}
	if (strcmp(cmd, "info") == 0)
		return simple(&o, CTL_PROV_GET_INFO);
	if (strcmp(cmd, "status") == 0)
		return simple(&o, CTL_PROV_GET_STATUS);
	if (strcmp(cmd, "get-ctl") == 0)
		return simple(&o, CTL_PROV_GET_CTL);
	if (strcmp(cmd, "bye") == 0)
		return simple(&o, CTL_PROV_BYE);
	if (strcmp(cmd, "put-ctl") == 0 && arg != NULL)
		return put_ctl(&o, arg);
	if (strcmp(cmd, "set-mode") == 0 && arg != NULL)
		return u8_request(&o, CTL_PROV_SET_MODE, CTL_PROV_T_MODE, arg);
	if (strcmp(cmd, "get-itl") == 0)
		return simple(&o, CTL_PROV_GET_ITL);
	if (strcmp(cmd, "itl-reset") == 0 && arg != NULL)
		return u8_request(&o, CTL_PROV_ITL_RESET, CTL_PROV_T_ITL_ACTION, arg);
	if (strcmp(cmd, "hostile") == 0 && arg != NULL)
		return hostile(&o, arg);
	if (strcmp(cmd, "slow") == 0)
		return slow(&o);
	if (strcmp(cmd, "plain") == 0)
		return plain(&o, 0);
	if (strcmp(cmd, "plain-garbage") == 0)
		return plain(&o, 1);
	if (strcmp(cmd, "load") == 0 && arg != NULL)
		return load(&o, arg);
	if (strcmp(cmd, "unauth") == 0)
		return unauth(&o);
	if (strcmp(cmd, "slow-status") == 0)
		return slow_status(&o);
	if (strcmp(cmd, "hold") == 0 && arg != NULL)
		return hold(&o, arg, optind + 2 < argc ? argv[optind + 2] : NULL);
bad:
	fputs(usage, stderr);
	return 2;
}
