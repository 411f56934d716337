/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transfer's port. It is a fresh kernel-chosen port per transfer, so
 * an attacker cannot learn it from transfers of its own and blind-ACK a
 * spoofed one, and an ICMP port unreachable from a client that has gone
 * (IP_RECVERR) ends the transfer at once instead of after all its
 * retries.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>       /* before linux/errqueue.h, which uses struct timespec */
#include <unistd.h>
#include <linux/errqueue.h>

#include "tftp_codec.h"
#include "tftp_tid.h"

#define TID_BATCH 64      /* datagrams per sendmmsg() */
#define RX_PER_WAKE 16    /* datagrams read per readiness event */

struct tftp_tid {
	struct loop *loop;
	struct tftp_session *sess;
	int fd;
	union tftp_sa peer;
};

static void on_sock(struct loop *l, int fd, unsigned ev, void *arg);

/*
 * Binds the address the request came to, port 0: the kernel picks a
 * random free ephemeral port (RFC 6056), so transfer ports cannot be
 * predicted from earlier ones. It stays unconnected so a datagram from a
 * wrong port still reaches us and gets its ERROR 5 (RFC 1350 section 4);
 * IP_RECVERR reports ICMP errors on it all the same.
 */
struct tftp_tid *
tftp_tid_new(struct loop *l, const union tftp_sa *local, const union tftp_sa *peer)
{
	struct tftp_tid *t = calloc(1, sizeof(*t));
	union tftp_sa a = *local;
	int one = 1, e;

	if (t == NULL)
		return NULL;
	t->loop = l;
	t->peer = *peer;
	t->fd = socket(a.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		goto fail;
	if (a.sa.sa_family == AF_INET6) {
		a.in6.sin6_port = 0;
		(void)setsockopt(t->fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	} else {
		a.in4.sin_port = 0;
		(void)setsockopt(t->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	}
	if (bind(t->fd, &a.sa, tftp_addr_len(&a)) < 0 ||
	    loop_add_fd(l, t->fd, LOOP_READ, on_sock, t) < 0)
		goto fail;
	return t;
fail:
	e = errno;
	if (t->fd >= 0)
		close(t->fd);
	free(t);
	errno = e;
	return NULL;
}

void
tftp_tid_attach(struct tftp_tid *t, struct tftp_session *s)
{
	t->sess = s;
}

void
tftp_tid_send(struct tftp_tid *t, const struct tftp_dgram *d, unsigned n)
{
	struct mmsghdr msgs[TID_BATCH];
	struct iovec iov[TID_BATCH][2];

	while (n > 0) {
		unsigned k = n < TID_BATCH ? n : TID_BATCH;

		for (unsigned i = 0; i < k; i++) {
			iov[i][0].iov_base = (void *)d[i].hdr;
			iov[i][0].iov_len = d[i].hdr_len;
			iov[i][1].iov_base = (void *)d[i].data;
			iov[i][1].iov_len = d[i].data_len;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_name = &t->peer;
			msgs[i].msg_hdr.msg_namelen = tftp_addr_len(&t->peer);
			msgs[i].msg_hdr.msg_iov = iov[i];
			msgs[i].msg_hdr.msg_iovlen = 2;
		}
		/* A send the kernel refused counts as lost: the session's timer resends it. */
		if (k == 1)
			(void)sendmsg(t->fd, &msgs[0].msg_hdr, 0);
		else
			(void)sendmmsg(t->fd, msgs, k, 0);
		d += k;
		n -= k;
	}
}

void
tftp_tid_free(struct tftp_tid *t)
{
	if (t == NULL)
		return;
	/* Never duplicated (SOCK_CLOEXEC, no fork): closing it leaves the epoll set. */
	loop_close_fd(t->loop, t->fd);
	free(t);
}

/*
 * Reads the socket's error queue. Returns 1 when an ICMP error says the
 * client's own address:port is unreachable (a phone that has closed its
 * port), 0 otherwise (errors about other addresses, e.g. an ERROR 5 sent
 * to a stray source that has gone, do not end the transfer).
 */
static int
peer_unreachable(struct tftp_tid *t)
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
		if (recvmsg(t->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			struct sock_extended_err ee;

			if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
				continue;
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			if ((ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6) &&
			    mh.msg_namelen <= sizeof(to) && tftp_addr_eq(&to, &t->peer))
				gone = 1;
		}
	}
	return gone;
}

/* RFC 1350 section 4: a stranger on this port gets ERROR 5; the transfer goes on. */
static void
answer_stranger(struct tftp_tid *t, const uint8_t *buf, size_t n, const union tftp_sa *from)
{
	struct tftp_pkt p;
	uint8_t pkt[64];
	size_t len;

	CTL_IGNORE_RESULT(tftp_parse(buf, n, 0, &p)); /* only p.op matters: never answer an ERROR */
	if (p.op != TFTP_ERROR &&
	    tftp_build_error(pkt, sizeof(pkt), TFTP_EBADID, "Unknown transfer ID", &len) == 0)
		(void)sendto(t->fd, pkt, len, 0, &from->sa, tftp_addr_len(from));
}

/* Each return after the session ended: it freed this tid in its end report. */
static void
on_sock(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct tftp_tid *t = arg;

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
			if (peer_unreachable(t)) {
				tftp_session_unreachable(t->sess);
				return;
			}
			continue;
		}
		if (flen <= sizeof(from) && tftp_addr_eq(&from, &t->peer)) {
			/*
			 * The client sends one packet and waits for the answer (an
			 * ACK per block or window), so the socket is now almost
			 * always empty: no read on to EAGAIN, which cost a system
			 * call per ACK. Level-triggered epoll reports what is left.
			 */
			CTL_IGNORE_RESULT(tftp_session_input(t->sess, buf, (size_t)n)); /* may have ended it */
			return;
		}
		if (flen <= sizeof(from) && (from.sa.sa_family == AF_INET || from.sa.sa_family == AF_INET6))
			answer_stranger(t, buf, (size_t)n, &from);
	}
}
