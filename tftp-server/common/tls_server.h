/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS for the node's TCP daemons (ctl-provider, ctl-tvsd): the server
 * context (protocol floor, cipher suites, certificate chain and key, no
 * renegotiation) and one connection's I/O. Sockets are non-blocking and
 * every SSL call is retried after poll(2) until the connection's deadline,
 * so a whole message (or the handshake) must arrive before it: a peer
 * trickling one byte at a time cannot hold its thread longer.
 */
#ifndef NODE_TLS_SERVER_H
#define NODE_TLS_SERVER_H

#include <stddef.h>
#include <time.h>

#include <openssl/ssl.h>

#include <ctl/err.h>

/* OpenSSL's first queued reason after what ("what: reason", or what alone); clears the queue. */
void tls_reason(char *msg, size_t msglen, const char *what);

/*
 * A server context: TLS min_version or newer, the TLS 1.2 suites in ciphers
 * (TLS 1.3 suites are all AEAD), server preference, no renegotiation, the
 * certificate chain and the PEM key in their files (named "tls_cert PATH",
 * "tls_key PATH" in errors) and checked to match. NULL with the reason in err.
 */
CTL_MUST_USE SSL_CTX *tls_server_ctx(int min_version, const char *ciphers, const char *cert,
                                     const char *key, char *err, size_t errlen);

enum tls_io {
	TLS_IO_OK,
	TLS_IO_EOF,      /* peer closed cleanly */
	TLS_IO_TIMEOUT,  /* deadline passed */
	TLS_IO_ERROR     /* TLS or socket failure */
};

struct tls_conn {
	int fd;                        /* non-blocking after tls_conn_accept */
	SSL *ssl;
	struct timespec deadline;      /* CLOCK_MONOTONIC */
};

/* Sets t->deadline to now + seconds. */
void tls_conn_deadline(struct tls_conn *t, unsigned seconds);
/*
 * Handshake before t->deadline. On failure msg gets "no complete handshake
 * before the deadline" (TLS_IO_TIMEOUT) or fail_what with OpenSSL's reason;
 * a peer closing during the handshake is TLS_IO_ERROR.
 */
CTL_MUST_USE enum tls_io tls_conn_accept(struct tls_conn *t, SSL_CTX *ctx, const char *fail_what,
                                         char *msg, size_t msglen);
/*
 * Reads exactly n bytes before t->deadline; *got says how many came.
 * TLS_IO_EOF: the peer closed (with or without close_notify) after *got bytes.
 */
CTL_MUST_USE enum tls_io tls_conn_read(struct tls_conn *t, void *p, size_t n, size_t *got);
/* Writes n bytes before t->deadline (a peer closing is TLS_IO_ERROR). */
CTL_MUST_USE enum tls_io tls_conn_write(struct tls_conn *t, const void *p, size_t n);
/* close_notify (best effort, never waiting for the peer's), SSL_free, close. */
void tls_conn_close(struct tls_conn *t);

#endif
