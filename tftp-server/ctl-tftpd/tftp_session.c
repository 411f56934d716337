/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One transfer (RRQ) per struct tftp_session: one allocation owning its
 * timer, a reference on the file version it serves and the OACK it may
 * have to resend. Its port (tftp_tid.c) and everything else it needs come
 * from the environment it was created with (tftp_session_env.h); it never
 * calls the server. DATA is sent straight from the cached file image with
 * a 4-byte header in front (scatter/gather), so a session holds no data
 * buffer.
 *
 * Block numbers are kept as 64-bit indexes and sent modulo 2^16, so files
 * over 65535 blocks roll over 65535 -> 0 like tftp-hpa's default.
 * Retransmission happens on timeout only, never on a duplicate ACK
 * (RFC 1123 4.2.3.1, the Sorcerer's Apprentice fix); with a window
 * (RFC 7440) an ACK inside the window restarts sending after it. The
 * window opens only once the client has acknowledged a DATA block: until
 * then nothing proves the request's source address is the client's, and a
 * spoofed request must not make us send more than one packet per try.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/text.h"
#include "tftp_log.h"
#include "tftp_session.h"

#define WINDOW_BATCH 64   /* DATA packets handed to the link at once */
#define OACK_MAX 96
#define DUP_GAP_MS 100    /* least time between answers to repeated RRQs */

enum sess_state {
	S_OACK,  /* OACK sent, waiting for ACK 0 */
	S_DATA   /* DATA flowing */
};

struct tftp_session {
	const struct tftp_session_env *env;
	struct tftp_req *req;  /* the server's entry for this request */
	void *link;        /* own port: the server's TID */
	struct loop_timer timer;
	union tftp_sa peer;
	struct tftp_file *file;
	const uint8_t *img;
	size_t img_len;
	uint64_t base;     /* first unacknowledged block */
	uint64_t next;     /* next block to send */
	uint64_t last;     /* index of the final (short) block */
	uint64_t started;  /* ms */
	uint64_t deadline; /* started + --max-lifetime */
	uint64_t heard;    /* last datagram from the client (ms) */
	uint64_t sent;     /* last (re)send of the current packet */
	uint32_t rto;      /* current timeout, ms */
	uint32_t rto_max;
	uint32_t rto_init;
	uint16_t blksize;
	uint16_t window;
	uint16_t tries;
	uint8_t state;
	uint8_t opened;    /* the client has ACKed a DATA block: window in use */
	uint8_t acked;     /* any ACK seen */
	uint8_t oack_len;
	uint8_t oack[OACK_MAX];
};

static void on_timeout(struct loop *l, struct loop_timer *t, void *arg);

const union tftp_sa *tftp_session_peer(const struct tftp_session *s) { return &s->peer; }
uint64_t tftp_session_heard(const struct tftp_session *s) { return s->heard; }

int
tftp_session_at_end(const struct tftp_session *s)
{
	return s->state == S_DATA && s->next > s->last;
}

static uint64_t
now_ms(const struct tftp_session *s)
{
	return s->env->ops->now(s->env->ctx);
}

static void
session_free(struct tftp_session *s, int completed)
{
	const struct tftp_session_env *env = s->env;

	env->ops->timer_cancel(env->ctx, &s->timer);
	tftp_file_unref(s->file);
	env->ops->ended(env->ctx, s->req, s->link, completed);
	free(s);
}

static const char *
peer_str(const struct tftp_session *s, char *buf)
{
	return tftp_addr_str(&s->peer, buf, TFTP_ADDRSTR);
}

static void
finish_ok(struct tftp_session *s)
{
	char a[TFTP_ADDRSTR];

	s->env->stats->completed++;
	s->env->stats->bytes += s->img_len;
	/* Tested first: formatting the address for a line not written cost a few % in a storm. */
	if (tftp_log_enabled(TFTP_LOG_INFO))
		tftp_log(TFTP_LOG_INFO, "Transferred[%s] to %s size %zu in %llu ms", s->file->name,
		         peer_str(s, a), s->img_len, (unsigned long long)(now_ms(s) - s->started));
	session_free(s, 1);
}

static void
finish_fail(struct tftp_session *s, const char *why)
{
	char a[TFTP_ADDRSTR];

	s->env->stats->failed++;
	tftp_log(TFTP_LOG_WARN, "Error: transfer of [%s] to %s failed at block %llu: %s",
	         s->file->name, peer_str(s, a), (unsigned long long)s->base, why);
	session_free(s, 0);
}

static void
send_pkt(struct tftp_session *s, const void *p, size_t n)
{
	struct tftp_dgram d = { p, n, NULL, 0 };

	s->env->ops->send(s->env->ctx, s->link, &d, 1);
}

static void
send_error(struct tftp_session *s, unsigned code, const char *msg)
{
	uint8_t pkt[128];
	size_t n;

	if (tftp_build_error(pkt, sizeof(pkt), (uint16_t)code, msg, &n) == 0)
		send_pkt(s, pkt, n);
}

/* Sends blocks from s->next up to the end of the window (or the file). */
static void
send_window(struct tftp_session *s)
{
	struct tftp_dgram d[WINDOW_BATCH];
	uint8_t hdr[WINDOW_BATCH][TFTP_HDR];
	uint64_t end = s->base + (s->opened ? s->window : 1);

	if (end > s->last + 1)
		end = s->last + 1;
	while (s->next < end) {
		unsigned n = 0;

		for (; s->next + n < end && n < WINDOW_BATCH; n++) {
			uint64_t b = s->next + n;
			size_t off = (size_t)((b - 1) * s->blksize);
			size_t len = off < s->img_len ? s->img_len - off : 0;

			if (len > s->blksize)
				len = s->blksize;
			tftp_build_data_hdr(hdr[n], (uint16_t)b);
			d[n].hdr = hdr[n];
			d[n].hdr_len = TFTP_HDR;
			d[n].data = s->img + (off < s->img_len ? off : 0);
			d[n].data_len = len;
		}
		s->env->ops->send(s->env->ctx, s->link, d, n);
		s->next += n;
	}
}

/* The retransmission timer, never past the transfer's deadline. 0 or -1. */
CTL_MUST_USE static int
arm(struct tftp_session *s)
{
	uint64_t now = now_ms(s), ms = s->rto;

	if (s->deadline <= now)
		ms = 0;
	else if (s->deadline - now < ms)
		ms = s->deadline - now;
	return s->env->ops->timer_set(s->env->ctx, &s->timer, ms);
}

/*
 * Re-arms after a send; a transfer whose timer cannot be set would never
 * retransmit nor time out, so it ends at once with an ERROR to the client.
 * Returns 0, or -1 when the session has ended.
 */
CTL_MUST_USE static int
rearm(struct tftp_session *s)
{
	if (arm(s) == 0)
		return 0;
	s->env->stats->notimer++;
	send_error(s, TFTP_EUNDEF, "Server out of resources, retry later");
	finish_fail(s, "cannot arm the retransmission timer: out of memory");
	return -1;
}

static void
send_current(struct tftp_session *s)
{
	s->sent = now_ms(s);
	if (s->state == S_OACK) {
		send_pkt(s, s->oack, s->oack_len);
	} else {
		s->next = s->base;
		send_window(s);
	}
}

struct tftp_session *
tftp_session_new(const struct tftp_session_env *env, const struct tftp_start *st)
{
	const struct tftp_session_limits *lim = env->lim;
	struct tftp_session *s = calloc(1, sizeof(*s));
	size_t olen = 0;

	if (s == NULL)
		return NULL;
	s->env = env;
	s->req = st->req;
	s->link = st->link;
	s->peer = *st->peer;
	s->blksize = (uint16_t)st->neg.blksize;
	s->window = (uint16_t)st->neg.windowsize;
	/* A negotiated timeout is at most --max-timeout (tftp_opts_negotiate), and so is the backoff. */
	s->rto = st->neg.timeout_s ? st->neg.timeout_s * 1000u : lim->timeout_ms;
	if (s->rto > lim->max_timeout_ms)
		s->rto = lim->max_timeout_ms;
	s->rto_init = s->rto;
	s->rto_max = lim->max_timeout_ms;
	s->started = s->heard = now_ms(s);
	s->deadline = s->started + (uint64_t)lim->max_lifetime_s * 1000u;
	s->base = s->next = 1;
	loop_timer_init(&s->timer, on_timeout, s);
	if (tftp_opts_build_oack(&st->neg, s->oack, sizeof(s->oack), &olen) < 0 ||
	    tftp_file_image(st->file, st->mode, &s->img, &s->img_len) < 0 || arm(s) < 0) {
		/* Nothing sent yet: the server answers the request with an ERROR. */
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->oack_len = (uint8_t)olen;
	s->last = s->img_len / s->blksize + 1;
	s->state = olen > 0 ? S_OACK : S_DATA;
	s->file = st->file;
	env->stats->active++;
	send_current(s);
	return s;
}

void
tftp_session_abort(struct tftp_session *s)
{
	s->env->stats->failed++;
	session_free(s, 0);
}

void
tftp_session_evict(struct tftp_session *s)
{
	s->env->stats->evicted++;
	finish_fail(s, "no ACK while other requests wait (evicted)");
}

void
tftp_session_superseded(struct tftp_session *s)
{
	/* Its client asks for something else, or asks again: it has what it wanted, or gave up. */
	if (tftp_session_at_end(s))
		finish_ok(s);
	else
		finish_fail(s, "superseded by a newer request from the client");
}

void
tftp_session_unreachable(struct tftp_session *s)
{
	s->env->stats->unreachable++;
	finish_fail(s, "client port unreachable (ICMP)");
}

void
tftp_session_duplicate(struct tftp_session *s)
{
	uint64_t now = now_ms(s);

	/*
	 * Only the first packet is ever resent for a repeated request, one
	 * packet (the OACK or DATA 1, never a window), and not more often than
	 * DUP_GAP_MS: a flood of spoofed RRQs must not multiply what the
	 * victim receives. Later packets are driven by ACKs and timeouts.
	 */
	if ((s->state == S_OACK || (s->base == 1 && !s->opened)) && now - s->sent >= DUP_GAP_MS) {
		s->env->stats->retransmits++;
		send_current(s);
	}
}

/* First ACK of any kind: the transfer leaves the server's unacknowledged pool. */
static void
note_ack(struct tftp_session *s)
{
	if (!s->acked) {
		s->acked = 1;
		s->env->ops->acked(s->env->ctx, s->req);
	}
}

/* Returns -1 when the ACK ended (and freed) the transfer, else 0. */
CTL_MUST_USE static int
on_ack(struct tftp_session *s, uint16_t block)
{
	uint16_t delta;

	if (s->state == S_OACK) {
		if (block != 0)
			return 0;
		note_ack(s);
		s->state = S_DATA;
	} else {
		/* Distance from the last acknowledged block, modulo 2^16 (rollover). */
		delta = (uint16_t)(block - (uint16_t)(s->base - 1));
		if (delta == 0 || delta > s->next - s->base)
			return 0; /* duplicate or stale ACK: never resend on it (RFC 1123) */
		note_ack(s);
		s->opened = 1;
		s->base += delta;
		if (s->base > s->last) {
			finish_ok(s);
			return -1;
		}
		if (s->base < s->next) {
			/* RFC 7440: an ACK inside the window asks to resend after it. */
			s->env->stats->retransmits++;
			s->next = s->base;
		}
	}
	s->tries = 0;
	s->rto = s->rto_init;
	send_window(s);
	return rearm(s);
}

static void
on_client_error(struct tftp_session *s, const struct tftp_pkt *p)
{
	char msg[160], why[200];

	(void)ctl_text_escape(msg, sizeof(msg), p->emsg != NULL ? p->emsg : "",
	                      p->emsg != NULL ? p->emsg_len : 0);
	snprintf(why, sizeof(why), "client sent ERROR %u \"%s\"", p->ecode, msg);
	finish_fail(s, why);
}

int
tftp_session_input(struct tftp_session *s, const uint8_t *buf, size_t n)
{
	struct tftp_pkt p;

	s->heard = now_ms(s);
	if (tftp_parse(buf, n, 0, &p) != TFTP_P_OK && p.op != TFTP_ERROR) {
		if (p.op == 0 || p.op == TFTP_ACK)
			return 0; /* garbage or a truncated ACK: ignore like a loss */
	}
	switch (p.op) {
	case TFTP_ACK:
		return on_ack(s, p.block);
	case TFTP_ERROR:
		on_client_error(s, &p);
		return -1;
	case TFTP_RRQ:
	case TFTP_WRQ:
	case TFTP_DATA:
	case TFTP_OACK:
		break;
	}
	send_error(s, TFTP_EBADOP, "Illegal TFTP operation");
	finish_fail(s, "illegal packet from client");
	return -1;
}

static void
on_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tftp_session *s = arg;
	char why[64];

	(void)l;
	(void)t;
	if (now_ms(s) >= s->deadline) {
		s->env->stats->expired++;
		snprintf(why, sizeof(why), "lifetime of %u s reached", s->env->lim->max_lifetime_s);
		send_error(s, TFTP_EUNDEF, "Transfer time limit reached");
		finish_fail(s, why);
		return;
	}
	if (s->tries >= s->env->lim->retries) {
		snprintf(why, sizeof(why), "timeout after %u retries%s", s->tries,
		         tftp_session_at_end(s) ? " (final ACK)" : "");
		finish_fail(s, why);
		return;
	}
	s->tries++;
	s->env->stats->retransmits++;
	if (tftp_log_enabled(TFTP_LOG_DEBUG)) {
		char a[TFTP_ADDRSTR];

		tftp_log(TFTP_LOG_DEBUG, "Retransmit[%s] to %s block %llu try %u", s->file->name,
		         peer_str(s, a), (unsigned long long)s->base, s->tries);
	}
	s->rto = s->rto * 2 > s->rto_max ? s->rto_max : s->rto * 2;
	send_current(s);
	CTL_IGNORE_RESULT(rearm(s)); /* on failure the session has ended: nothing left to do */
}
