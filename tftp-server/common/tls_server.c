/* SPDX-License-Identifier: Apache-2.0 */
/* TLS for the node's TCP daemons (tls_server.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "tls_server.h"

void
tls_reason(char *msg, size_t msglen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(msg, msglen, "%s%s%s", what, buf[0] != '\0' ? ": " : "", buf);
}

SSL_CTX *
tls_server_ctx(int min_version, const char *ciphers, const char *cert, const char *key,
               char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	char what[4200];

	if (ctx == NULL) {
		tls_reason(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	                             SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (SSL_CTX_set_min_proto_version(ctx, min_version) != 1) {
		tls_reason(err, errlen, "cannot set the lowest TLS version");
		goto fail;
	}
	if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
		tls_reason(err, errlen, "cannot set the TLS 1.2 cipher suites");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		snprintf(what, sizeof(what), "tls_cert %s", cert);
		tls_reason(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(what, sizeof(what), "tls_key %s", key);
		tls_reason(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(what, sizeof(what), "tls_key %s does not match tls_cert %s", key, cert);
		tls_reason(err, errlen, what);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void
tls_conn_deadline(struct tls_conn *t, unsigned seconds)
{
	clock_gettime(CLOCK_MONOTONIC, &t->deadline);
	t->deadline.tv_sec += (time_t)seconds;
}

/* Milliseconds left until t->deadline, at least 0. */
static int
remaining_ms(const struct tls_conn *t)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(t->deadline.tv_sec - now.tv_sec) * 1000 +
	     (t->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
}

/* After an SSL call returned ret: waits for what it asks. TLS_IO_OK: call again. */
static CTL_MUST_USE enum tls_io
wait_ssl(struct tls_conn *t, int ret)
{
	int e = SSL_get_error(t->ssl, ret), ms, n;
	struct pollfd pfd = { .fd = t->fd };

	if (e == SSL_ERROR_WANT_READ)
		pfd.events = POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		pfd.events = POLLOUT;
	else if (e == SSL_ERROR_ZERO_RETURN)
		return TLS_IO_EOF;
	else
		return TLS_IO_ERROR;
	for (;;) {
		if ((ms = remaining_ms(t)) == 0)
			return TLS_IO_TIMEOUT;
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return TLS_IO_OK;
		if (n == 0)
			return TLS_IO_TIMEOUT;
		if (errno != EINTR)
			return TLS_IO_ERROR;
	}
}

enum tls_io
tls_conn_accept(struct tls_conn *t, SSL_CTX *ctx, const char *fail_what, char *msg,
                size_t msglen)
{
	int flags = fcntl(t->fd, F_GETFL), ret;
	enum tls_io io;

	msg[0] = '\0';
	if (flags < 0 || fcntl(t->fd, F_SETFL, flags | O_NONBLOCK) != 0) {
		snprintf(msg, msglen, "fcntl: %s", strerror(errno));
		return TLS_IO_ERROR;
	}
	if ((t->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(t->ssl, t->fd) != 1) {
		tls_reason(msg, msglen, "SSL_new");
		return TLS_IO_ERROR;
	}
	ERR_clear_error();
	while ((ret = SSL_accept(t->ssl)) != 1) {
		if ((io = wait_ssl(t, ret)) != TLS_IO_OK) {
			if (io == TLS_IO_TIMEOUT)
				snprintf(msg, msglen, "no complete handshake before the deadline");
			else
				tls_reason(msg, msglen, fail_what);
			return io == TLS_IO_EOF ? TLS_IO_ERROR : io;
		}
	}
	return TLS_IO_OK;
}

enum tls_io
tls_conn_read(struct tls_conn *t, void *p, size_t n, size_t *got)
{
	uint8_t *b = p;
	enum tls_io io;

	*got = 0;
	while (*got < n) {
		size_t k = 0;
		int ret;

		ERR_clear_error();
		ret = SSL_read_ex(t->ssl, b + *got, n - *got, &k);
		if (ret == 1) {
			*got += k;
			continue;
		}
		io = wait_ssl(t, ret);
		if (io == TLS_IO_ERROR && SSL_get_error(t->ssl, ret) == SSL_ERROR_SYSCALL &&
		    ERR_peek_error() == 0)
			io = TLS_IO_EOF; /* closed without close_notify */
		if (io != TLS_IO_OK)
			return io;
	}
	return TLS_IO_OK;
}

enum tls_io
tls_conn_write(struct tls_conn *t, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t done = 0;
	enum tls_io io;

	while (done < n) {
		size_t k = 0;
		int ret;

		ERR_clear_error();
		ret = SSL_write_ex(t->ssl, b + done, n - done, &k);
		if (ret == 1) {
			done += k;
			continue;
		}
		if ((io = wait_ssl(t, ret)) != TLS_IO_OK)
			return io == TLS_IO_EOF ? TLS_IO_ERROR : io;
	}
	return TLS_IO_OK;
}

void
tls_conn_close(struct tls_conn *t)
{
	if (t->ssl != NULL) {
		if (SSL_is_init_finished(t->ssl))
			SSL_shutdown(t->ssl);
		SSL_free(t->ssl);
		t->ssl = NULL;
	}
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
}
