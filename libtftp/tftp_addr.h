/* SPDX-License-Identifier: Apache-2.0 */
/* Numeric socket addresses: "ADDR:PORT" parsing and printing (IPv4 and IPv6). */
#ifndef TFTP_ADDR_H
#define TFTP_ADDR_H

#include "ctl/err.h"
#include <netinet/in.h>
#include <sys/socket.h>

union tftp_sa {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

/* Longest text tftp_addr_str() writes, NUL included. */
#define TFTP_ADDRSTR 64

/*
 * Parses "1.2.3.4:69", "[::1]:69", "1.2.3.4" or "::1" (numeric only, no
 * name lookups). Without a port, default_port is used. Returns 0 or -1.
 */
CTL_MUST_USE int tftp_addr_parse(const char *s, unsigned default_port, union tftp_sa *out, socklen_t *len);
/*
 * The same for an address to bind: port 0 is allowed too (the kernel picks
 * a free port; the listener logs the one it got).
 */
CTL_MUST_USE int tftp_addr_parse_listen(const char *s, unsigned default_port, union tftp_sa *out,
                                        socklen_t *len);
/* "1.2.3.4:69" or "[::1]:69" into buf (TFTP_ADDRSTR bytes); returns buf. */
const char *tftp_addr_str(const union tftp_sa *a, char *buf, size_t cap);
/* Same family, address and port. */
int tftp_addr_eq(const union tftp_sa *a, const union tftp_sa *b);
/* Hash of family, address and port. */
unsigned tftp_addr_hash(const union tftp_sa *a);
/* Same family and address, whatever the port. */
int tftp_addr_host_eq(const union tftp_sa *a, const union tftp_sa *b);
/* Hash of family and address only. */
unsigned tftp_addr_host_hash(const union tftp_sa *a);
socklen_t tftp_addr_len(const union tftp_sa *a);
unsigned tftp_addr_port(const union tftp_sa *a);

#endif
