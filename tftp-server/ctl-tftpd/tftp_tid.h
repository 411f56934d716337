/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transfer's own UDP port: the server's TID (RFC 1350 section 4). It
 * reads the socket and hands the client's datagrams to the session; it
 * answers strangers with ERROR 5 and reports an ICMP unreachable from the
 * client. The server creates it, gives it to the session as the link in
 * tftp_start, and frees it when the session reports its end.
 */
#ifndef TFTP_TID_H
#define TFTP_TID_H

#include "ctl/err.h"
#include "loop.h"
#include "tftp_addr.h"
#include "tftp_session.h"

struct tftp_tid;

/*
 * Opens a socket on local's address, port 0 (the kernel picks), for a
 * transfer to peer, registered on l. NULL with errno on failure. Free with
 * tftp_tid_free().
 */
CTL_MUST_USE struct tftp_tid *tftp_tid_new(struct loop *l, const union tftp_sa *local,
                                           const union tftp_sa *peer);
/* The session the client's datagrams go to (set once it exists). */
void tftp_tid_attach(struct tftp_tid *t, struct tftp_session *s);
/* Sends n datagrams to the peer; a refused send counts as lost. */
void tftp_tid_send(struct tftp_tid *t, const struct tftp_dgram *d, unsigned n);
/* Unregisters and closes the socket. NULL ok. */
void tftp_tid_free(struct tftp_tid *t);

#endif
