/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A phone's way to a TLS server (tls_dial.h): the TVS client and the
 * CallManager registration dial through these, each with its own
 * certificate rule applied after the handshake.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "tls_dial.h"

int
pv_hostport_parse(const char *spec, unsigned default_port, struct pv_hostport *t)
{
	const char *colon = strrchr(spec, ':'), *hs = spec;
	size_t hl;
	char *end;
	unsigned long p = default_port;

	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (rb == NULL)
			return -1;
		hs = spec + 1;
		hl = (size_t)(rb - hs);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && colon == NULL)
			return -1;
	} else if (colon != NULL && strchr(spec, ':') != colon) {
		colon = NULL; /* a bare IPv6 address */
		hl = strlen(spec);
	} else {
		hl = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	}
	if (colon != NULL) {
		errno = 0;
		p = strtoul(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || colon[1] == '\0' || p == 0 || p > 65535)
			return -1;
	}
	if (hl == 0 || hl >= sizeof(t->host))
		return -1;
	memcpy(t->host, hs, hl);
	t->host[hl] = '\0';
	t->port = (unsigned)p;
	return 0;
}


uint64_t
pv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
pv_wait_fd(int fd, int want_write, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = want_write ? POLLOUT : POLLIN };
	uint64_t t;
	int r;

	for (;;) {
		if ((t = pv_now_ms()) >= deadline)
			return -1;
		r = poll(&p, 1, (int)(deadline - t));
		if (r > 0)
			return 0;
		if (r == 0 || errno != EINTR)
			return -1;
	}
}

int
pv_tcp_connect(const struct pv_hostport *t, uint64_t deadline, const char **family, char *why,
               size_t cap)
{
	struct addrinfo hints, *ai = NULL;
	char port[8];
	int fd = -1, err = 0, gai;
	socklen_t el = sizeof(err);

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", t->port);
	if ((gai = getaddrinfo(t->host, port, &hints, &ai)) != 0 || ai == NULL) {
		snprintf(why, cap, "cannot resolve %.80s: %s", t->host, gai_strerror(gai));
		return -1;
	}
	*family = ai->ai_family == AF_INET6 ? "IPv6" : "IPv4";
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
	    (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS)) {
		snprintf(why, cap, "connect: %s", strerror(errno));
		goto fail;
	}
	if (pv_wait_fd(fd, 1, deadline) != 0) {
		snprintf(why, cap, "connect: no answer within the deadline");
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
		snprintf(why, cap, "connect: %s", strerror(err != 0 ? err : errno));
		goto fail;
	}
	freeaddrinfo(ai);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

int
pv_ssl_step(SSL *ssl, int fd, int r, uint64_t deadline)
{
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_NONE:
		return 1;
	case SSL_ERROR_WANT_READ:
		return pv_wait_fd(fd, 0, deadline) == 0 ? 0 : -1;
	case SSL_ERROR_WANT_WRITE:
		return pv_wait_fd(fd, 1, deadline) == 0 ? 0 : -1;
	default:
		return -1;
	}
}
