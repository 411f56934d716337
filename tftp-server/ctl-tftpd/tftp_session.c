/*
 * One transfer (RRQ) per struct tftp_session: one allocation owning its
 * timer, a reference on the file version it serves and the OACK it may
 * have to resend, and its own socket: the server's TID (RFC 1350 section
 * 4) is a fresh kernel-chosen port per transfer, so an attacker cannot
 * learn it from transfers of its own and blind-ACK a spoofed one, and an
 * ICMP port unreachable from a client that has gone (IP_RECVERR) ends the
 * transfer at once instead of after all its retries. DATA is
 * sent straight from the cached file image with a 4-byte header in front
 * (scatter/gather), so a session holds no data buffer.
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
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>       /* before linux/errqueue.h, which uses struct timespec */
#include <unistd.h>
#include <linux/errqueue.h>

#include "tftp_map.h"
#include "tftp_server.h"

#define WINDOW_BATCH 64   /* DATA packets per sendmmsg() */
#define OACK_MAX 96
#define RX_PER_WAKE 16    /* datagrams read per readiness event */
#define DUP_GAP_MS 100    /* least time between answers to repeated RRQs */

enum sess_state {
	S_OACK,  /* OACK sent, waiting for ACK 0 */
	S_DATA   /* DATA flowing */
};

struct tftp_session {
	struct tftp_server *srv;
	struct tftp_req *req;  /* the server's entry for this request */
	int fd;            /* own socket: the server's TID */
	struct loop_timer timer;
	union tftp_sa peer;
	struct tftp_file *file;
	const uint8_t *img;
	size_t img_len;
	uint64_t base;     /* first unacknowledged block */
	uint64_t next;     /* next block to send */
	uint64_t last;     /* index of the final (short) block */
	uint64_t started;  /* loop ms */
	uint64_t deadline; /* started + --max-lifetime */
	uint64_t heard;    /* last datagram from the client (loop ms) */
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

static void
session_free(struct tftp_session *s, int completed)
{
	struct loop *l = tftp_server_loop(s->srv);

	loop_timer_cancel(l, &s->timer);
	loop_del_fd(l, s->fd);
	close(s->fd);
	tftp_file_unref(s->file);
	tftp_server_session_ended(s->srv, s->req, completed);
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
	session_free(s, 1);
}

static void
finish_fail(struct tftp_session *s, const char *why)
{
	char a[TFTP_ADDRSTR];

	tftp_server_stats_mut(s->srv)->failed++;
	tftp_log(TFTP_LOG_WARN, "Error: transfer of [%s] to %s failed at block %llu: %s",
	         s->file->name, peer_str(s, a), (unsigned long long)s->base, why);
	session_free(s, 0);
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

/* The retransmission timer, never past the transfer's deadline. */
static void
arm(struct tftp_session *s)
{
	struct loop *l = tftp_server_loop(s->srv);
	uint64_t now = loop_now(l), ms = s->rto;

	if (s->deadline <= now)
		ms = 0;
	else if (s->deadline - now < ms)
		ms = s->deadline - now;
	if (loop_timer_set(l, &s->timer, ms) < 0)
		tftp_log(TFTP_LOG_ERR, "cannot arm a transfer timer: out of memory");
}

static void
send_current(struct tftp_session *s)
{
	s->sent = loop_now(tftp_server_loop(s->srv));
	if (s->state == S_OACK) {
		(void)sendto(s->fd, s->oack, s->oack_len, 0, &s->peer.sa, tftp_addr_len(&s->peer));
	} else {
		s->next = s->base;
		send_window(s);
	}
}

static void on_sock(struct loop *l, int fd, unsigned ev, void *arg);

/*
 * The transfer's own socket on the address the request came to, port 0:
 * the kernel picks a random free ephemeral port (RFC 6056), so transfer
 * ports cannot be predicted from earlier ones. It stays unconnected so a
 * datagram from a wrong port still reaches us and gets its ERROR 5 (RFC
 * 1350 section 4); IP_RECVERR reports ICMP errors on it all the same.
 */
static int
open_sock(struct tftp_session *s, const union tftp_sa *local)
{
	union tftp_sa a = *local;
	int one = 1, fd = socket(a.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (a.sa.sa_family == AF_INET6) {
		a.in6.sin6_port = 0;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	} else {
		a.in4.sin_port = 0;
		(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	}
	if (bind(fd, &a.sa, tftp_addr_len(&a)) < 0 ||
	    loop_add_fd(tftp_server_loop(s->srv), fd, LOOP_READ, on_sock, s) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	s->fd = fd;
	return 0;
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
	s->req = st->req;
	s->peer = *st->peer;
	s->blksize = (uint16_t)st->neg.blksize;
	s->window = (uint16_t)st->neg.windowsize;
	/* A negotiated timeout is at most --max-timeout (tftp_opts_negotiate), and so is the backoff. */
	s->rto = st->neg.timeout_s ? st->neg.timeout_s * 1000u : cfg->timeout_ms;
	if (s->rto > cfg->max_timeout_ms)
		s->rto = cfg->max_timeout_ms;
	s->rto_init = s->rto;
	s->rto_max = cfg->max_timeout_ms;
	s->started = s->heard = loop_now(tftp_server_loop(srv));
	s->deadline = s->started + (uint64_t)cfg->max_lifetime_s * 1000u;
	s->base = s->next = 1;
	loop_timer_init(&s->timer, on_timeout, s);
	if (tftp_opts_build_oack(&st->neg, s->oack, sizeof(s->oack), &olen) < 0 ||
	    tftp_file_image(st->file, st->mode, &s->img, &s->img_len) < 0) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	if (open_sock(s, st->local) < 0) {
		free(s);
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
	session_free(s, 0);
}

void
tftp_session_evict(struct tftp_session *s)
{
	tftp_server_stats_mut(s->srv)->evicted++;
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
tftp_session_duplicate(struct tftp_session *s)
{
	uint64_t now = loop_now(tftp_server_loop(s->srv));

	/*
	 * Only the first packet is ever resent for a repeated request, one
	 * packet (the OACK or DATA 1, never a window), and not more often than
	 * DUP_GAP_MS: a flood of spoofed RRQs must not multiply what the
	 * victim receives. Later packets are driven by ACKs and timeouts.
	 */
	if ((s->state == S_OACK || (s->base == 1 && !s->opened)) && now - s->sent >= DUP_GAP_MS) {
		tftp_server_stats_mut(s->srv)->retransmits++;
		send_current(s);
	}
}

/* First ACK of any kind: the transfer leaves the server's unacknowledged pool. */
static void
note_ack(struct tftp_session *s)
{
	if (!s->acked) {
		s->acked = 1;
		tftp_server_session_acked(s->srv, s->req);
	}
}

/* Returns 1 when the ACK completed (and freed) the transfer. */
static int
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
			return 1;
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
	return 0;
}

static void
on_client_error(struct tftp_session *s, const struct tftp_pkt *p)
{
	char msg[160], why[200];

	tftp_escape(p->emsg != NULL ? p->emsg : "", p->emsg != NULL ? p->emsg_len : 0, msg, sizeof(msg));
	snprintf(why, sizeof(why), "client sent ERROR %u \"%s\"", p->ecode, msg);
	finish_fail(s, why);
}

/* A datagram from the client. Returns 0, or -1 when the session has ended. */
static int
session_input(struct tftp_session *s, const uint8_t *buf, size_t n)
{
	struct tftp_pkt p;

	s->heard = loop_now(tftp_server_loop(s->srv));
	if (tftp_parse(buf, n, 0, &p) != TFTP_P_OK && p.op != TFTP_ERROR) {
		if (p.op == 0 || p.op == TFTP_ACK)
			return 0; /* garbage or a truncated ACK: ignore like a loss */
	}
	switch (p.op) {
	case TFTP_ACK:
		return on_ack(s, p.block) ? -1 : 0;
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

/*
 * Reads the socket's error queue. Returns 1 when an ICMP error says the
 * client's own address:port is unreachable (a phone that has closed its
 * port), 0 otherwise (errors about other addresses, e.g. an ERROR 5 sent
 * to a stray source that has gone, do not end the transfer).
 */
static int
peer_unreachable(struct tftp_session *s)
{
	int gone = 0;

	for (int i = 0; i < RX_PER_WAKE; i++) {
		union tftp_sa to;
		uint8_t data[64], ctl[256];
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh;

		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &to;
		mh.msg_namelen = sizeof(to);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		if (recvmsg(s->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			struct sock_extended_err ee;

			if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if ((ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6) &&
			    mh.msg_namelen <= sizeof(to) && tftp_addr_eq(&to, &s->peer))
				gone = 1;
		}
	}
	return gone;
}

static void
on_sock(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct tftp_session *s = arg;

	(void)l;
	(void)ev;
	for (int i = 0; i < RX_PER_WAKE; i++) {
		uint8_t buf[1024];
		union tftp_sa from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, &from.sa, &flen);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			if (peer_unreachable(s)) {
				tftp_server_stats_mut(s->srv)->unreachable++;
				finish_fail(s, "client port unreachable (ICMP)");
				return;
			}
			continue;
		}
		if (flen <= sizeof(from) && tftp_addr_eq(&from, &s->peer)) {
			if (session_input(s, buf, (size_t)n) < 0)
				return;
			continue;
		}
		/* RFC 1350 section 4: a stranger on this port gets ERROR 5; the transfer goes on. */
		if (flen <= sizeof(from) && (from.sa.sa_family == AF_INET || from.sa.sa_family == AF_INET6)) {
			struct tftp_pkt p;
			uint8_t pkt[64];
			size_t len;

			(void)tftp_parse(buf, (size_t)n, 0, &p);
			if (p.op != TFTP_ERROR &&
			    tftp_build_error(pkt, sizeof(pkt), TFTP_EBADID, "Unknown transfer ID", &len) == 0)
				(void)sendto(fd, pkt, len, 0, &from.sa, tftp_addr_len(&from));
		}
	}
}

static void
on_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tftp_session *s = arg;
	char why[64];

	(void)t;
	if (loop_now(l) >= s->deadline) {
		tftp_server_stats_mut(s->srv)->expired++;
		snprintf(why, sizeof(why), "lifetime of %u s reached",
		         tftp_server_config(s->srv)->max_lifetime_s);
		send_error(s, TFTP_EUNDEF, "Transfer time limit reached");
		finish_fail(s, why);
		return;
	}
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
