/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How a phone reaches a TLS server (its TVS, its CallManager): HOST:PORT
 * parsed, a non-blocking TCP connect and every TLS step bounded by one
 * deadline. The server certificate is never checked here: each caller
 * judges it against the held trust list after the handshake.
 */
#ifndef PV_TLS_DIAL_H
#define PV_TLS_DIAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <ctl/err.h>

/* One server to try. */
struct pv_hostport {
	char host[80];
	unsigned port;
};

/* "HOST", "HOST:PORT", "[V6]:PORT" or a bare IPv6 address into t (port 1..65535, else
 * default_port): 0, or -1 when spec is none of these. */
CTL_MUST_USE int pv_hostport_parse(const char *spec, unsigned default_port, struct pv_hostport *t);

/* Monotonic milliseconds, the clock of every deadline. */
uint64_t pv_now_ms(void);

/* Waits for fd to be readable (or writable) until deadline: 0, or -1 on timeout or error. */
CTL_MUST_USE int pv_wait_fd(int fd, int want_write, uint64_t deadline);

/* Non-blocking TCP connect to t, bounded by deadline: the socket, or -1 (why says).
 * *family is "IPv4" or "IPv6" once the address is resolved. */
CTL_MUST_USE int pv_tcp_connect(const struct pv_hostport *t, uint64_t deadline,
                                const char **family, char *why, size_t cap);

/* Runs an SSL step (r = its result) to completion or the deadline: 1 done, 0 retry, -1 failed. */
CTL_MUST_USE int pv_ssl_step(SSL *ssl, int fd, int r, uint64_t deadline);

#endif
