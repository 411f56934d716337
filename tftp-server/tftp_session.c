/*
 * One transfer (RRQ) per struct tftp_session: one allocation owning its
 * timer, a reference on the file version it serves and the OACK it may
 * have to resend. Its socket (the server's TID, RFC 1350 section 4) is
 * borrowed from the server's pool of shared transfer sockets, which hands
 * it the datagrams its client sends there. DATA is
 * sent straight from the cached file image with a 4-byte header in front
 * (scatter/gather), so a session holds no data buffer.
 *
 * Block numbers are kept as 64-bit indexes and sent modulo 2^16, so files
 * over 65535 blocks roll over 65535 -> 0 like tftp-hpa's default.
 * Retransmission happens on timeout only, never on a duplicate ACK
 * (RFC 1123 4.2.3.1, the Sorcerer's Apprentice fix); with a window
 * (RFC 7440) an ACK inside the window restarts sending after it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tftp_map.h"
#include "tftp_server.h"

#define WINDOW_BATCH 64   /* DATA packets per sendmmsg() */
#define OACK_MAX 96

enum sess_state {
	S_OACK,  /* OACK sent, waiting for ACK 0 */
	S_DATA   /* DATA flowing */
};

struct tftp_session {
	struct tftp_server *srv;
	struct tftp_session *hnext;
	int fd;            /* borrowed from the server's transfer socket pool */
	struct loop_timer timer;
	union tftp_sa peer;
	struct tftp_file *file;
	const uint8_t *img;
	size_t img_len;
	uint64_t base;     /* first unacknowledged block */
	uint64_t next;     /* next block to send */
	uint64_t last;     /* index of the final (short) block */
	uint64_t started;  /* loop ms */
	uint32_t req_hash;
	uint32_t rto;      /* current timeout, ms */
	uint32_t rto_max;
	uint32_t rto_init;
	uint16_t blksize;
	uint16_t window;
	uint16_t tries;
	uint8_t state;
	uint8_t oack_len;
	uint8_t oack[OACK_MAX];
};

static void on_timeout(struct loop *l, struct loop_timer *t, void *arg);

const union tftp_sa *tftp_session_peer(const struct tftp_session *s) { return &s->peer; }
uint32_t tftp_session_req_hash(const struct tftp_session *s) { return s->req_hash; }
struct tftp_session **tftp_session_hnext(struct tftp_session *s) { return &s->hnext; }
int tftp_session_fd(const struct tftp_session *s) { return s->fd; }

int
tftp_session_at_end(const struct tftp_session *s)
{
	return s->state == S_DATA && s->next > s->last;
}

static void
session_free(struct tftp_session *s)
{
	struct loop *l = tftp_server_loop(s->srv);
	struct tftp_stats *st = tftp_server_stats_mut(s->srv);

	tftp_server_forget(s->srv, s);
	loop_timer_cancel(l, &s->timer);
	tftp_file_unref(s->file);
	st->active--;
	tftp_server_session_ended(s->srv);
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
	struct tftp_stats *st = tftp_server_stats_mut(s->srv);
	char a[TFTP_ADDRSTR];

	st->completed++;
	st->bytes += s->img_len;
	tftp_log(TFTP_LOG_INFO, "Transferred[%s] to %s size %zu in %llu ms", s->file->name,
	         peer_str(s, a), s->img_len,
	         (unsigned long long)(loop_now(tftp_server_loop(s->srv)) - s->started));
	session_free(s);
}

static void
finish_fail(struct tftp_session *s, const char *why)
{
	char a[TFTP_ADDRSTR];

	tftp_server_stats_mut(s->srv)->failed++;
	tftp_log(TFTP_LOG_WARN, "Error: transfer of [%s] to %s failed at block %llu: %s",
	         s->file->name, peer_str(s, a), (unsigned long long)s->base, why);
	session_free(s);
}

static void
send_error(struct tftp_session *s, unsigned code, const char *msg)
{
	uint8_t pkt[128];
	size_t n;

	if (tftp_build_error(pkt, sizeof(pkt), (uint16_t)code, msg, &n) == 0)
		(void)sendto(s->fd, pkt, n, 0, &s->peer.sa, tftp_addr_len(&s->peer));
}

/* Sends blocks from s->next up to the end of the window (or the file). */
static void
send_window(struct tftp_session *s)
{
	struct mmsghdr msgs[WINDOW_BATCH];
	struct iovec iov[WINDOW_BATCH][2];
	uint8_t hdr[WINDOW_BATCH][TFTP_HDR];
	uint64_t end = s->base + s->window;

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
			iov[n][0].iov_base = hdr[n];
			iov[n][0].iov_len = TFTP_HDR;
			iov[n][1].iov_base = (void *)(s->img + (off < s->img_len ? off : 0));
			iov[n][1].iov_len = len;
			memset(&msgs[n], 0, sizeof(msgs[n]));
			msgs[n].msg_hdr.msg_name = &s->peer;
			msgs[n].msg_hdr.msg_namelen = tftp_addr_len(&s->peer);
			msgs[n].msg_hdr.msg_iov = iov[n];
			msgs[n].msg_hdr.msg_iovlen = 2;
		}
		if (n == 1)
			(void)sendmsg(s->fd, &msgs[0].msg_hdr, 0);
		else
			(void)sendmmsg(s->fd, msgs, n, 0);
		/* A send the kernel refused counts as lost: the timer resends it. */
		s->next += n;
	}
}

static void
arm(struct tftp_session *s)
{
	(void)loop_timer_set(tftp_server_loop(s->srv), &s->timer, s->rto);
}

static void
send_current(struct tftp_session *s)
{
	if (s->state == S_OACK) {
		(void)sendto(s->fd, s->oack, s->oack_len, 0, &s->peer.sa, tftp_addr_len(&s->peer));
	} else {
		s->next = s->base;
		send_window(s);
	}
}

struct tftp_session *
tftp_session_new(struct tftp_server *srv, const struct tftp_start *st)
{
	const struct tftp_config *cfg = tftp_server_config(srv);
	struct tftp_session *s = calloc(1, sizeof(*s));
	size_t olen = 0;

	if (s == NULL)
		return NULL;
	s->srv = srv;
	s->fd = st->fd;
	s->peer = *st->peer;
	s->req_hash = st->req_hash;
	s->blksize = (uint16_t)st->neg.blksize;
	s->window = (uint16_t)st->neg.windowsize;
	s->rto = st->neg.timeout_s ? st->neg.timeout_s * 1000u : cfg->timeout_ms;
	s->rto_init = s->rto;
	s->rto_max = s->rto > cfg->max_timeout_ms ? s->rto : cfg->max_timeout_ms;
	s->started = loop_now(tftp_server_loop(srv));
	s->base = s->next = 1;
	loop_timer_init(&s->timer, on_timeout, s);
	if (tftp_opts_build_oack(&st->neg, s->oack, sizeof(s->oack), &olen) < 0 ||
	    tftp_file_image(st->file, st->mode, &s->img, &s->img_len) < 0) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->oack_len = (uint8_t)olen;
	s->last = s->img_len / s->blksize + 1;
	s->state = olen > 0 ? S_OACK : S_DATA;
	s->file = st->file;
	tftp_server_stats_mut(srv)->active++;
	send_current(s);
	arm(s);
	return s;
}

void
tftp_session_abort(struct tftp_session *s)
{
	tftp_server_stats_mut(s->srv)->failed++;
	session_free(s);
}

void
tftp_session_superseded(struct tftp_session *s)
{
	/* Its client asks for something else from the same port: it has what it wanted. */
	if (tftp_session_at_end(s))
		finish_ok(s);
	else
		finish_fail(s, "client started another request");
}

void
tftp_session_duplicate(struct tftp_session *s)
{
	/* Only the first packet may be resent: later ones are driven by ACKs and timeouts. */
	if (s->state == S_OACK || (s->base == 1 && s->tries == 0)) {
		tftp_server_stats_mut(s->srv)->retransmits++;
		send_current(s);
	}
}

static void
on_ack(struct tftp_session *s, uint16_t block)
{
	uint16_t delta;

	if (s->state == S_OACK) {
		if (block != 0)
			return;
		s->state = S_DATA;
	} else {
		/* Distance from the last acknowledged block, modulo 2^16 (rollover). */
		delta = (uint16_t)(block - (uint16_t)(s->base - 1));
		if (delta == 0 || delta > s->next - s->base)
			return; /* duplicate or stale ACK: never resend on it (RFC 1123) */
		s->base += delta;
		if (s->base > s->last) {
			finish_ok(s);
			return;
		}
		if (s->base < s->next) {
			/* RFC 7440: an ACK inside the window asks to resend after it. */
			tftp_server_stats_mut(s->srv)->retransmits++;
			s->next = s->base;
		}
	}
	s->tries = 0;
	s->rto = s->rto_init;
	send_window(s);
	arm(s);
}

static void
on_client_error(struct tftp_session *s, const struct tftp_pkt *p)
{
	char msg[160], why[200];

	tftp_escape(p->emsg != NULL ? p->emsg : "", p->emsg != NULL ? p->emsg_len : 0, msg, sizeof(msg));
	snprintf(why, sizeof(why), "client sent ERROR %u \"%s\"", p->ecode, msg);
	finish_fail(s, why);
}

void
tftp_session_input(struct tftp_session *s, const uint8_t *buf, size_t n)
{
	struct tftp_pkt p;

	if (tftp_parse(buf, n, 0, &p) != TFTP_P_OK && p.op != TFTP_ERROR) {
		if (p.op == 0 || p.op == TFTP_ACK)
			return; /* garbage or a truncated ACK: ignore like a loss */
	}
	switch (p.op) {
	case TFTP_ACK:
		on_ack(s, p.block);
		return;
	case TFTP_ERROR:
		on_client_error(s, &p);
		return;
	case TFTP_RRQ:
	case TFTP_WRQ:
	case TFTP_DATA:
	case TFTP_OACK:
		break;
	}
	send_error(s, TFTP_EBADOP, "Illegal TFTP operation");
	finish_fail(s, "illegal packet from client");
}

static void
on_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tftp_session *s = arg;
	char why[64];

	(void)l;
	(void)t;
	if (s->tries >= tftp_server_config(s->srv)->retries) {
		snprintf(why, sizeof(why), "timeout after %u retries%s", s->tries,
		         tftp_session_at_end(s) ? " (final ACK)" : "");
		finish_fail(s, why);
		return;
	}
	s->tries++;
	tftp_server_stats_mut(s->srv)->retransmits++;
	if (tftp_log_enabled(TFTP_LOG_DEBUG)) {
		char a[TFTP_ADDRSTR];

		tftp_log(TFTP_LOG_DEBUG, "Retransmit[%s] to %s block %llu try %u", s->file->name,
		         peer_str(s, a), (unsigned long long)s->base, s->tries);
	}
	s->rto = s->rto * 2 > s->rto_max ? s->rto_max : s->rto * 2;
	send_current(s);
	arm(s);
}
