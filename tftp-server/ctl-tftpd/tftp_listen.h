/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request ports: one UDP socket per --listen address, each with a
 * large receive buffer to absorb a boot storm, read in recvmmsg() batches.
 * Each datagram goes to the handler with the address it was sent to
 * (IP_PKTINFO), so the transfer can answer from that same address. The
 * server owns the listeners and gives them its handler; they never call
 * the server otherwise.
 */
#ifndef TFTP_LISTEN_H
#define TFTP_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/err.h"
#include "loop.h"
#include "tftp_addr.h"

struct tftp_listener {
	int fd;
	unsigned index;        /* position in the --listen list */
	union tftp_sa addr;    /* as bound (the kernel's port when 0 was asked) */
};

struct tftp_listen_handler {
	/* A readiness event, before its datagrams are read. */
	void (*before)(void *ctx);
	/*
	 * One datagram from from, sent to local on l; truncated when it was
	 * longer than the receive buffer.
	 */
	void (*packet)(void *ctx, const struct tftp_listener *l, const union tftp_sa *from,
	               const union tftp_sa *local, const uint8_t *buf, size_t n, int truncated);
	/* After the datagrams of one event have all been handed over. */
	void (*after)(void *ctx);
	void *ctx;
};

struct tftp_listen;

/*
 * Binds every address (exactly as given: no silent wildcard) with a
 * receive buffer of rcvbuf bytes, registered on l. NULL on failure with
 * a message in err. Free with tftp_listen_free().
 */
CTL_MUST_USE struct tftp_listen *tftp_listen_new(struct loop *l, const union tftp_sa *addrs, size_t n,
                                                 size_t rcvbuf, const struct tftp_listen_handler *h,
                                                 char *err, size_t errlen);
/* The listener at index (< the n given to tftp_listen_new). */
const struct tftp_listener *tftp_listen_get(const struct tftp_listen *ls, unsigned index);
/* Unregisters and closes every socket. NULL ok. */
void tftp_listen_free(struct tftp_listen *ls);

#endif
