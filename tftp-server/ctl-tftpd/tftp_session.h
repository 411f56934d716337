/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One RRQ transfer: the state machine (OACK, DATA windows, ACKs,
 * retransmission on timeout, lifetime) over the environment it is given
 * at creation (tftp_session_env.h). It reads no socket and knows no
 * server: datagrams come in through tftp_session_input(), and everything
 * it does goes out through the environment's callbacks.
 */
#ifndef TFTP_SESSION_H
#define TFTP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/err.h"
#include "tftp_session_env.h"

struct tftp_session;

/*
 * Creates the transfer and sends its first packet (OACK or DATA 1).
 * env must outlive the session. Returns NULL with errno (ENOMEM) on
 * failure; the file reference then stays with the caller and nothing was
 * sent.
 */
CTL_MUST_USE struct tftp_session *tftp_session_new(const struct tftp_session_env *env,
                                                   const struct tftp_start *st);
/*
 * A datagram from the client's address and port. Returns 0, or -1 when
 * the session has ended (it is freed: do not use it again).
 */
CTL_MUST_USE int tftp_session_input(struct tftp_session *s, const uint8_t *buf, size_t n);
/* An ICMP error says the client's port is unreachable: the session ends. */
void tftp_session_unreachable(struct tftp_session *s);
/* Ends a transfer silently (server shutdown); counted as failed. */
void tftp_session_abort(struct tftp_session *s);
/* Ends a transfer with no ACK yet to make room for waiting requests. */
void tftp_session_evict(struct tftp_session *s);
/* A repeated RRQ from the session's client: resend the first packet if still unanswered. */
void tftp_session_duplicate(struct tftp_session *s);
const union tftp_sa *tftp_session_peer(const struct tftp_session *s);
/* Time of the last datagram from the client (the start time before any). */
uint64_t tftp_session_heard(const struct tftp_session *s);
/* 1 when the transfer only waits for the ACK of its last block. */
int tftp_session_at_end(const struct tftp_session *s);
/* Ends the transfer because its client made a newer request (other name, or other port). */
void tftp_session_superseded(struct tftp_session *s);

#endif
