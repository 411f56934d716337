/* SPDX-License-Identifier: Apache-2.0 */
/* Numeric socket addresses (see tftp_addr.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <ctl/ctl.h>

#include "tftp_addr.h"

CTL_MUST_USE static int
parse_port(const char *s, unsigned min, unsigned *port)
{
	unsigned long long v;

	if (ctl_parse_uint(s, min, 65535, &v) != CTL_OK)
		return -1;
	*port = (unsigned)v;
	return 0;
}

CTL_MUST_USE static int
parse_addr(const char *s, unsigned default_port, unsigned min_port, union tftp_sa *out,
           socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_s = NULL, *colon;
	unsigned port = default_port;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	*len = 0;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return -1;
		hlen = (size_t)(end - s - 1);
		s++;
		port_s = end[1] == ':' ? end + 2 : NULL;
	} else if ((colon = strchr(s, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		hlen = (size_t)(colon - s);
		port_s = colon + 1;
	} else {
		hlen = strlen(s);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (port_s != NULL && parse_port(port_s, min_port, &port) < 0)
		return -1;
	if (port > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &out->in4.sin_addr) == 1) {
		out->in4.sin_family = AF_INET;
		out->in4.sin_port = htons((uint16_t)port);
		*len = sizeof(out->in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &out->in6.sin6_addr) == 1) {
		out->in6.sin6_family = AF_INET6;
		out->in6.sin6_port = htons((uint16_t)port);
		*len = sizeof(out->in6);
		return 0;
	}
	return -1;
}

int
tftp_addr_parse(const char *s, unsigned default_port, union tftp_sa *out, socklen_t *len)
{
	return parse_addr(s, default_port, 1, out, len);
}

int
tftp_addr_parse_listen(const char *s, unsigned default_port, union tftp_sa *out, socklen_t *len)
{
	return parse_addr(s, default_port, 0, out, len);
}

const char *
tftp_addr_str(const union tftp_sa *a, char *buf, size_t cap)
{
	char h[INET6_ADDRSTRLEN];
	int n = -1;

	if (a->sa.sa_family == AF_INET && inet_ntop(AF_INET, &a->in4.sin_addr, h, sizeof(h)) != NULL)
		n = snprintf(buf, cap, "%s:%u", h, ntohs(a->in4.sin_port));
	else if (a->sa.sa_family == AF_INET6 &&
	         inet_ntop(AF_INET6, &a->in6.sin6_addr, h, sizeof(h)) != NULL)
		n = snprintf(buf, cap, "[%s]:%u", h, ntohs(a->in6.sin6_port));
	if ((n < 0 || (size_t)n >= cap) && cap > 0)
		snprintf(buf, cap, "?");
	return buf;
}

int
tftp_addr_eq(const union tftp_sa *a, const union tftp_sa *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return 0;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_port == b->in4.sin_port &&
		       a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return a->in6.sin6_port == b->in6.sin6_port &&
		       memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr)) == 0;
	return 0;
}

unsigned
tftp_addr_hash(const union tftp_sa *a)
{
	const unsigned char *p;
	size_t n;
	unsigned h = 2166136261u;

	if (a->sa.sa_family == AF_INET) {
		p = (const unsigned char *)&a->in4.sin_addr;
		n = sizeof(a->in4.sin_addr);
	} else {
		p = (const unsigned char *)&a->in6.sin6_addr;
		n = sizeof(a->in6.sin6_addr);
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ tftp_addr_port(a)) * 16777619u;
	return h ^ (h >> 15);
}

int
tftp_addr_host_eq(const union tftp_sa *a, const union tftp_sa *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return 0;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof(a->in6.sin6_addr)) == 0;
	return 0;
}

unsigned
tftp_addr_host_hash(const union tftp_sa *a)
{
	union tftp_sa h = *a;

	if (h.sa.sa_family == AF_INET6)
		h.in6.sin6_port = 0;
	else
		h.in4.sin_port = 0;
	return tftp_addr_hash(&h);
}

socklen_t
tftp_addr_len(const union tftp_sa *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in4);
}

unsigned
tftp_addr_port(const union tftp_sa *a)
{
	return a->sa.sa_family == AF_INET6 ? ntohs(a->in6.sin6_port) : ntohs(a->in4.sin_port);
}
