/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request ports (see tftp_listen.h). Requests are drained from a socket at
 * once, up to RX_ROUNDS batches per wake, whatever the admission state, so
 * the server can match a retransmission to its request instead of letting
 * it pile up behind it in the socket buffer and each become a transfer
 * later.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tftp_listen.h"
#include "tftp_log.h"

#define RX_BATCH 64
#define RX_ROUNDS 16
#define RX_BUF 1024   /* over 512 so an oversize request is seen as such */

struct rx {
	uint8_t buf[RX_BATCH][RX_BUF];
	union tftp_sa from[RX_BATCH];
	uint8_t cmsg[RX_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov[RX_BATCH];
	struct mmsghdr msg[RX_BATCH];
};

/* What a registered socket's callback gets: its listener and the set. */
struct slot {
	struct tftp_listen *ls;
	struct tftp_listener l;
};

struct tftp_listen {
	struct loop *loop;
	struct tftp_listen_handler h;
	struct rx rx;     /* shared: one batch is read at a time */
	size_t n;
	struct slot slot[];
};

/* The address a datagram was sent to, from IP_PKTINFO / IPV6_PKTINFO. */
static void
local_addr(const struct tftp_listener *l, struct msghdr *mh, union tftp_sa *local)
{
	*local = l->addr;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    local->sa.sa_family == AF_INET) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local->in4.sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		           local->sa.sa_family == AF_INET6) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local->in6.sin6_addr = pi.ipi6_addr;
			local->in6.sin6_scope_id = IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr) ? pi.ipi6_ifindex : 0;
		}
	}
}

static void
rx_prep(struct rx *rx)
{
	for (int i = 0; i < RX_BATCH; i++) {
		rx->iov[i].iov_base = rx->buf[i];
		rx->iov[i].iov_len = RX_BUF;
		memset(&rx->msg[i], 0, sizeof(rx->msg[i]));
		rx->msg[i].msg_hdr.msg_name = &rx->from[i];
		rx->msg[i].msg_hdr.msg_namelen = sizeof(rx->from[i]);
		rx->msg[i].msg_hdr.msg_iov = &rx->iov[i];
		rx->msg[i].msg_hdr.msg_iovlen = 1;
		rx->msg[i].msg_hdr.msg_control = rx->cmsg[i];
		rx->msg[i].msg_hdr.msg_controllen = sizeof(rx->cmsg[i]);
	}
}

/* One recvmmsg() batch; returns the number of datagrams read. */
static int
rx_batch(struct tftp_listen *ls, const struct tftp_listener *l)
{
	struct rx *rx = &ls->rx;
	int n;

	rx_prep(rx);
	n = recvmmsg(l->fd, rx->msg, RX_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		union tftp_sa local;
		struct msghdr *mh = &rx->msg[i].msg_hdr;

		if (mh->msg_namelen > sizeof(rx->from[i]) ||
		    rx->from[i].sa.sa_family != l->addr.sa.sa_family)
			continue;
		local_addr(l, mh, &local);
		ls->h.packet(ls->h.ctx, l, &rx->from[i], &local, rx->buf[i], rx->msg[i].msg_len,
		             (mh->msg_flags & MSG_TRUNC) != 0);
	}
	return n;
}

static void
on_listener(struct loop *lp, int fd, unsigned ev, void *arg)
{
	struct slot *sl = arg;
	struct tftp_listen *ls = sl->ls;

	(void)lp;
	(void)fd;
	(void)ev;
	ls->h.before(ls->h.ctx);
	for (int round = 0; round < RX_ROUNDS; round++)
		if (rx_batch(ls, &sl->l) < RX_BATCH)
			break;
	ls->h.after(ls->h.ctx);
}

CTL_MUST_USE static int
set_rcvbuf(int fd, size_t want, size_t *got)
{
	int v = want > (size_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)want;
	int have = 0;
	socklen_t len = sizeof(have);

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len) == 0 && (size_t)have / 2 < want)
		/* Above net.core.rmem_max only with CAP_NET_ADMIN (SO_RCVBUFFORCE). */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v));
	len = sizeof(have);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len) < 0)
		return -1;
	*got = (size_t)have;
	return 0;
}

CTL_MUST_USE static int
open_listener(struct tftp_listen *ls, struct slot *sl, const union tftp_sa *a, size_t rcvbuf,
              char *err, size_t errlen)
{
	struct tftp_listener *l = &sl->l;
	char as[TFTP_ADDRSTR];
	socklen_t alen;
	size_t got = 0;
	int one = 1;

	tftp_addr_str(a, as, sizeof(as));
	sl->ls = ls;
	l->addr = *a;
	l->fd = socket(a->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto fail;
	if (a->sa.sa_family == AF_INET6) {
		(void)setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		(void)setsockopt(l->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	} else {
		(void)setsockopt(l->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	if (set_rcvbuf(l->fd, rcvbuf, &got) < 0)
		goto fail;
	/* Bind exactly what was asked, or fail loudly: never a silent wildcard. */
	if (bind(l->fd, &a->sa, tftp_addr_len(a)) < 0)
		goto fail;
	/* Port 0 binds a port the kernel picks: log the one we got. */
	alen = sizeof(l->addr);
	if (getsockname(l->fd, &l->addr.sa, &alen) < 0)
		goto fail;
	tftp_addr_str(&l->addr, as, sizeof(as));
	if (loop_add_fd(ls->loop, l->fd, LOOP_READ, on_listener, sl) < 0)
		goto fail;
	tftp_log(TFTP_LOG_INFO, "Listening on %s, receive buffer %zu bytes%s", as, got,
	         got / 2 < rcvbuf ? " (capped by net.core.rmem_max)" : "");
	return 0;
fail:
	snprintf(err, errlen, "cannot listen on %s: %s", as, strerror(errno));
	if (l->fd >= 0)
		close(l->fd);
	return -1;
}

struct tftp_listen *
tftp_listen_new(struct loop *l, const union tftp_sa *addrs, size_t n, size_t rcvbuf,
                const struct tftp_listen_handler *h, char *err, size_t errlen)
{
	struct tftp_listen *ls = calloc(1, sizeof(*ls) + n * sizeof(ls->slot[0]));

	if (ls == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ls->loop = l;
	ls->h = *h;
	for (size_t i = 0; i < n; i++) {
		ls->slot[i].l.index = (unsigned)i;
		if (open_listener(ls, &ls->slot[i], &addrs[i], rcvbuf, err, errlen) < 0) {
			tftp_listen_free(ls);
			return NULL;
		}
		ls->n++;
	}
	return ls;
}

const struct tftp_listener *
tftp_listen_get(const struct tftp_listen *ls, unsigned index)
{
	return &ls->slot[index].l;
}

void
tftp_listen_free(struct tftp_listen *ls)
{
	if (ls == NULL)
		return;
	for (size_t i = 0; i < ls->n; i++) {
		loop_del_fd(ls->loop, ls->slot[i].l.fd);
		close(ls->slot[i].l.fd);
	}
	free(ls);
}
