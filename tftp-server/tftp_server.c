/*
 * ctl-tftpd server: listening sockets and the pool of shared transfer
 * sockets, all read in batches with recvmmsg(), request validation, name mapping and file lookup, the Max Serving Count,
 * and the table of transfers by client address that turns a repeated RRQ
 * into a join instead of a second transfer. Every per-client problem ends
 * in an ERROR packet and a counter, never in an exit.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tftp_map.h"
#include "tftp_server.h"

#define RX_BATCH 64
#define RX_ROUNDS 16
#define RX_BUF 1024   /* over 512 so an oversize request is seen as such */
/*
 * Transfer sockets per local address. RFC 1350 section 4 only needs the
 * (server port, client address:port) pair to be unique per transfer, and
 * the session table already holds at most one transfer per client
 * address:port, so transfers can share a few sockets instead of creating,
 * binding, registering and closing one each (which dominated a boot storm
 * of 20,000 short transfers). Several sockets, picked in turn, so a client
 * that reuses its port for its next request is unlikely to land on the
 * same server port as its last one.
 */
#define POOL_SOCKS 8

struct listener {
	struct tftp_server *srv;
	int fd;
	union tftp_sa addr;
};

struct rx {
	uint8_t buf[RX_BATCH][RX_BUF];
	union tftp_sa from[RX_BATCH];
	uint8_t cmsg[RX_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov[RX_BATCH];
	struct mmsghdr msg[RX_BATCH];
};

/* The transfer sockets for one local address. */
struct pool {
	union tftp_sa local;   /* port 0 */
	int fd[POOL_SOCKS];
	unsigned next;
};

struct tftp_server {
	const struct tftp_config *cfg;
	struct loop *loop;
	struct tftp_cache *cache;
	struct listener ls[TFTP_MAX_LISTEN];
	size_t nls;
	struct tftp_session **tab;   /* sessions by client address */
	size_t tab_size, nsess;
	struct tftp_stats st;
	struct loop_timer status;
	struct rx *rx;
	struct pool *pools;
	size_t npools;
	int paused; /* listeners not read: cfg->admit transfers under way */
};

static void on_status(struct loop *l, struct loop_timer *t, void *arg);

struct tftp_stats *tftp_server_stats_mut(struct tftp_server *s) { return &s->st; }
const struct tftp_stats *tftp_server_stats(const struct tftp_server *s) { return &s->st; }
const struct tftp_config *tftp_server_config(const struct tftp_server *s) { return s->cfg; }
struct loop *tftp_server_loop(const struct tftp_server *s) { return s->loop; }

/* ---- session table ---------------------------------------------------- */

static struct tftp_session **
tab_slot(struct tftp_server *s, const union tftp_sa *peer)
{
	struct tftp_session **pp = &s->tab[tftp_addr_hash(peer) & (s->tab_size - 1)];

	while (*pp != NULL && !tftp_addr_eq(tftp_session_peer(*pp), peer))
		pp = tftp_session_hnext(*pp);
	return pp;
}

static void
tab_grow(struct tftp_server *s)
{
	size_t nsize = s->tab_size * 2;
	struct tftp_session **n = calloc(nsize, sizeof(*n));

	if (n == NULL)
		return;
	for (size_t i = 0; i < s->tab_size; i++) {
		struct tftp_session *e = s->tab[i], *next;

		for (; e != NULL; e = next) {
			struct tftp_session **head = &n[tftp_addr_hash(tftp_session_peer(e)) & (nsize - 1)];

			next = *tftp_session_hnext(e);
			*tftp_session_hnext(e) = *head;
			*head = e;
		}
	}
	free(s->tab);
	s->tab = n;
	s->tab_size = nsize;
}

void
tftp_server_forget(struct tftp_server *s, struct tftp_session *sess)
{
	struct tftp_session **pp = tab_slot(s, tftp_session_peer(sess));

	if (*pp == sess) {
		*pp = *tftp_session_hnext(sess);
		s->nsess--;
	}
}

static void
tab_insert(struct tftp_server *s, struct tftp_session *sess)
{
	struct tftp_session **pp = tab_slot(s, tftp_session_peer(sess));

	*tftp_session_hnext(sess) = NULL;
	*pp = sess;
	if (++s->nsess > s->tab_size)
		tab_grow(s);
}

/* ---- answers ---------------------------------------------------------- */

static void
reply_error(int fd, const union tftp_sa *to, unsigned code, const char *msg)
{
	uint8_t pkt[160];
	size_t n;

	if (tftp_build_error(pkt, sizeof(pkt), (uint16_t)code, msg, &n) == 0)
		(void)sendto(fd, pkt, n, 0, &to->sa, tftp_addr_len(to));
}

static uint32_t
name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void
log_request(const struct tftp_pkt *p, const char *from)
{
	char name[300], opts[400];
	size_t o = 0;

	if (!tftp_log_enabled(TFTP_LOG_INFO))
		return;
	opts[0] = '\0';
	for (size_t i = 0; i < p->opts.n && o < sizeof(opts); i++) {
		char k[40], v[40];
		int w = snprintf(opts + o, sizeof(opts) - o, " %s[%s]",
		                 tftp_escape(p->opts.opt[i].name, p->opts.opt[i].name_len, k, sizeof(k)),
		                 tftp_escape(p->opts.opt[i].value, p->opts.opt[i].value_len, v, sizeof(v)));

		if (w < 0 || (size_t)w >= sizeof(opts) - o)
			break;
		o += (size_t)w;
	}
	tftp_log(TFTP_LOG_INFO, "Read Request from[%s] for[%s] mode[%s]%s", from,
	         tftp_escape(p->file, p->file_len, name, sizeof(name)), tftp_mode_str(p->mode), opts);
}

/* ---- file resolution -------------------------------------------------- */

/*
 * Per-device trust lists (tftp-notes section 3): CTLSEP<MAC>.tlv is the
 * per-device file when it exists and is not empty, else CTLFile.tlv; the
 * same for ITLSEP/ITLFile. Other names are looked up as they are.
 */
static enum tftp_cache_err
resolve(struct tftp_server *s, const char *name, const char *from, struct tftp_file **out,
        char served[TFTP_NAME_MAX + 1])
{
	char *canon = served, mac[13];
	const char *cluster;
	const char *tag;
	enum tftp_dev_kind kind = tftp_map_device(name, canon, TFTP_NAME_MAX + 1, mac, &cluster);
	enum tftp_cache_err e;

	if (kind == TFTP_DEV_NONE) {
		snprintf(served, TFTP_NAME_MAX + 1, "%s", name);
		return tftp_cache_get(s->cache, name, out, NULL);
	}
	tag = kind == TFTP_DEV_CTL ? "HandleCTL" : "HandleITL";
	tftp_log(TFTP_LOG_INFO, "%s: [%s] is %sSEPMac.tlv file, Searching[%s] for %s", tag, name,
	         kind == TFTP_DEV_CTL ? "CTL" : "ITL", mac, from);
	e = tftp_cache_get(s->cache, canon, out, NULL);
	if (e == TFTP_C_OK && (*out)->size > 0) {
		tftp_log(TFTP_LOG_INFO, "%s: found per-device file [%s]", tag, canon);
		return e;
	}
	if (e == TFTP_C_OK) {
		tftp_file_unref(*out);
		*out = NULL;
	} else if (e != TFTP_C_NOTFOUND) {
		return e; /* served already names the per-device file */
	}
	tftp_log(TFTP_LOG_INFO, "%s: no per-device file [%s], serving [%s]", tag, canon, cluster);
	snprintf(served, TFTP_NAME_MAX + 1, "%s", cluster);
	e = tftp_cache_get(s->cache, cluster, out, NULL);
	if (e == TFTP_C_OK && (*out)->size == 0) {
		/* An empty trust list is never served (CUCM leaks on those; phones choke). */
		tftp_file_unref(*out);
		*out = NULL;
		e = TFTP_C_NOTFOUND;
	}
	return e;
}

/* ---- requests --------------------------------------------------------- */

static int pool_fd(struct tftp_server *s, const union tftp_sa *local);
static int set_rcvbuf(int fd, size_t want, size_t *got);

static void
start_transfer(struct tftp_server *s, struct listener *l, const union tftp_sa *from,
               const union tftp_sa *local, const struct tftp_pkt *p, const char *fromstr)
{
	const struct tftp_config *cfg = s->cfg;
	char name[TFTP_NAME_MAX + 1], served[TFTP_NAME_MAX + 1], esc[300];
	struct tftp_start st;
	struct tftp_optreq req;
	struct tftp_limits lim;
	struct tftp_session *sess;
	enum tftp_name_err ne;
	enum tftp_cache_err ce;
	unsigned hdr = from->sa.sa_family == AF_INET6 ? 52 : 32;

	if ((ne = tftp_name_check(p->file, p->file_len, name, sizeof(name))) != TFTP_N_OK) {
		s->st.refused++;
		tftp_log(TFTP_LOG_WARN, "Access denied[%s] for %s: %s",
		         tftp_escape(p->file, p->file_len, esc, sizeof(esc)), fromstr, tftp_name_errstr(ne));
		reply_error(l->fd, from, TFTP_EACCESS, tftp_name_errstr(ne));
		return;
	}
	if (tftp_opts_read(&p->opts, &req) != TFTP_P_OK) {
		s->st.malformed++;
		tftp_log(TFTP_LOG_WARN, "Malformed request from %s: %s", fromstr,
		         tftp_perr_str(TFTP_P_OPT_VALUE));
		reply_error(l->fd, from, TFTP_EOPTNEG, tftp_perr_str(TFTP_P_OPT_VALUE));
		return;
	}
	memset(&st, 0, sizeof(st));
	if ((ce = resolve(s, name, fromstr, &st.file, served)) != TFTP_C_OK) {
		if (ce == TFTP_C_NOTFOUND) {
			s->st.notfound++;
			tftp_log(TFTP_LOG_INFO, "File not found[%s] for %s", served, fromstr);
		} else {
			s->st.refused++;
			tftp_log(TFTP_LOG_WARN, "Access denied[%s] for %s: %s", served, fromstr,
			         tftp_cache_errstr(ce));
		}
		reply_error(l->fd, from, tftp_cache_ecode(ce),
		            ce == TFTP_C_NOTFOUND ? "File not found" : tftp_cache_errstr(ce));
		return;
	}
	lim.blksize_max = cfg->blksize_max ? cfg->blksize_max
	                : cfg->mtu > hdr + TFTP_BLKSIZE_MIN ? cfg->mtu - hdr : TFTP_BLKSIZE_MIN;
	lim.windowsize_max = cfg->windowsize_max;
	tftp_opts_negotiate(&req, &lim, p->mode, st.file->size, &st.neg);
	st.peer = from;
	st.mode = p->mode;
	st.req_hash = name_hash(p->file, p->file_len);
	if ((st.fd = pool_fd(s, local)) < 0 || (sess = tftp_session_new(s, &st)) == NULL) {
		s->st.refused++;
		tftp_log(TFTP_LOG_ERR, "Error: cannot start transfer of [%s] to %s: %s", served, fromstr,
		         strerror(errno));
		reply_error(l->fd, from, TFTP_EUNDEF, "Server out of resources, retry later");
		tftp_file_unref(st.file);
		return;
	}
	tab_insert(s, sess);
	if (s->st.active > s->st.peak_active)
		s->st.peak_active = s->st.active;
	tftp_log(TFTP_LOG_INFO, "Serving[%s] to %s size %zu blksize %u windowsize %u, Serving Count[%llu]",
	         served, fromstr, st.file->size, st.neg.blksize, st.neg.windowsize,
	         (unsigned long long)s->st.active);
}

static void
handle_rrq(struct tftp_server *s, struct listener *l, const union tftp_sa *from,
           const union tftp_sa *local, const struct tftp_pkt *p)
{
	char fromstr[TFTP_ADDRSTR];
	struct tftp_session **pp;

	s->st.requests++;
	tftp_addr_str(from, fromstr, sizeof(fromstr));
	log_request(p, fromstr);
	if (*(pp = tab_slot(s, from)) != NULL) {
		if (tftp_session_req_hash(*pp) == name_hash(p->file, p->file_len)) {
			/* tftp-notes 2: a retransmitted RRQ joins its transfer. */
			s->st.duplicates++;
			tftp_log(TFTP_LOG_DEBUG, "Duplicate request from %s joins its transfer", fromstr);
			tftp_session_duplicate(*pp);
			return;
		}
		tftp_session_superseded(*pp);
	}
	if (p->mode == TFTP_MODE_MAIL) {
		s->st.malformed++;
		tftp_log(TFTP_LOG_WARN, "Malformed request from %s: mail mode", fromstr);
		reply_error(l->fd, from, TFTP_EBADOP, "Mail mode not supported");
		return;
	}
	if (s->st.active >= s->cfg->max_transfers) {
		s->st.busy++;
		tftp_log(TFTP_LOG_WARN, "Serving Count[%llu] reached Max Serving Count[%u], refusing %s",
		         (unsigned long long)s->st.active, s->cfg->max_transfers, fromstr);
		reply_error(l->fd, from, TFTP_EUNDEF, "Server busy (Max Serving Count reached), retry later");
		return;
	}
	start_transfer(s, l, from, local, p, fromstr);
}

static void
handle_packet(struct tftp_server *s, struct listener *l, const union tftp_sa *from,
              const union tftp_sa *local, const uint8_t *buf, size_t n, int truncated)
{
	struct tftp_pkt p;
	enum tftp_perr e = tftp_parse(buf, n, TFTP_BLKSIZE_MAX, &p);
	char fromstr[TFTP_ADDRSTR];

	if (truncated && (p.op == TFTP_RRQ || p.op == TFTP_WRQ))
		e = TFTP_P_TOO_LONG;
	if (e == TFTP_P_EMPTY || p.op == TFTP_ERROR)
		return; /* nothing to answer; never answer an ERROR with one */
	if (e == TFTP_P_OK && p.op == TFTP_RRQ) {
		handle_rrq(s, l, from, local, &p);
		return;
	}
	tftp_addr_str(from, fromstr, sizeof(fromstr));
	if (e != TFTP_P_OK) {
		s->st.malformed++;
		if (p.op == TFTP_RRQ)
			s->st.requests++;
		tftp_log(TFTP_LOG_WARN, "Malformed request from %s: %s", fromstr, tftp_perr_str(e));
		reply_error(l->fd, from, tftp_perr_ecode(e), tftp_perr_str(e));
		return;
	}
	switch (p.op) {
	case TFTP_WRQ:
		s->st.refused++;
		tftp_log(TFTP_LOG_WARN, "Write request from %s refused: read-only server", fromstr);
		reply_error(l->fd, from, s->cfg->wrq_error, "Write not allowed: read-only server");
		return;
	case TFTP_DATA:
	case TFTP_ACK:
	case TFTP_OACK:
		/* Transfer packets belong on a transfer's port, not here. */
		s->st.malformed++;
		tftp_log(TFTP_LOG_DEBUG, "Packet %u from %s on the request port", p.op, fromstr);
		reply_error(l->fd, from, TFTP_EBADID, "Unknown transfer ID");
		return;
	case TFTP_RRQ:
	case TFTP_ERROR:
		return;
	}
}

/* The address a datagram was sent to, from IP_PKTINFO / IPV6_PKTINFO. */
static void
local_addr(const struct listener *l, struct msghdr *mh, union tftp_sa *local)
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

static int rx_batch(struct tftp_server *s, struct listener *l, int fd);

/*
 * Admission: with cfg->admit transfers under way, stop reading requests and
 * let them wait in the listeners' (large) receive buffers. In a boot storm,
 * starting every transfer at once makes all of them slow, so phones time out
 * and retransmit; serving them in groups finishes each sooner and the storm
 * as a whole faster. Requests are never refused for this, only delayed.
 */
static int
over_admit(const struct tftp_server *s)
{
	return s->cfg->admit != 0 && s->st.active >= s->cfg->admit;
}

static void
set_listening(struct tftp_server *s, int on)
{
	size_t i;

	for (i = 0; i < s->nls; i++)
		if (loop_mod_fd(s->loop, s->ls[i].fd, on ? LOOP_READ : 0) < 0)
			tftp_log(TFTP_LOG_ERR, "cannot %s listener: %s", on ? "resume" : "pause",
			         strerror(errno));
	s->paused = !on;
}

void
tftp_server_session_ended(struct tftp_server *s)
{
	/* Resume below three quarters of the limit, so a pause lasts a batch or more. */
	if (s->paused && s->st.active < s->cfg->admit - s->cfg->admit / 4)
		set_listening(s, 1);
}

static void
on_listener(struct loop *lp, int fd, unsigned ev, void *arg)
{
	struct listener *l = arg;
	struct tftp_server *s = l->srv;

	(void)lp;
	(void)ev;
	/* Changes on disk first, so a request sent after a rename gets the new file. */
	tftp_cache_poll(s->cache);
	/*
	 * Up to RX_ROUNDS batches per wake: in a storm every phone should get
	 * its first answer before its RRQ timer fires, and starting a transfer
	 * costs far less than a retransmitted request joining it later.
	 */
	for (int round = 0; round < RX_ROUNDS && !over_admit(s); round++)
		if (rx_batch(s, l, fd) < RX_BATCH)
			break;
	if (over_admit(s) && !s->paused)
		set_listening(s, 0);
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
rx_batch(struct tftp_server *s, struct listener *l, int fd)
{
	struct rx *rx = s->rx;
	unsigned want = RX_BATCH;
	int n;

	/* Never read more requests than may start: the rest wait in the kernel. */
	if (s->cfg->admit != 0)
		want = s->st.active >= s->cfg->admit ? 0 :
		       (unsigned)(s->cfg->admit - s->st.active < RX_BATCH ? s->cfg->admit - s->st.active : RX_BATCH);
	if (want == 0)
		return 0;
	rx_prep(rx);
	n = recvmmsg(fd, rx->msg, want, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		union tftp_sa local;
		struct msghdr *mh = &rx->msg[i].msg_hdr;

		if (mh->msg_namelen > sizeof(rx->from[i]) ||
		    rx->from[i].sa.sa_family != l->addr.sa.sa_family)
			continue;
		local_addr(l, mh, &local);
		handle_packet(s, l, &rx->from[i], &local, rx->buf[i], rx->msg[i].msg_len,
		              (mh->msg_flags & MSG_TRUNC) != 0);
	}
	return n;
}

/* ---- transfer sockets ------------------------------------------------- */

/* One batch from a transfer socket, each datagram handed to its session. */
static int
tx_sock_batch(struct tftp_server *s, int fd)
{
	struct rx *rx = s->rx;
	int n;

	rx_prep(rx);
	n = recvmmsg(fd, rx->msg, RX_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		const union tftp_sa *from = &rx->from[i];
		struct tftp_session *sess;
		struct tftp_pkt p;

		if (rx->msg[i].msg_hdr.msg_namelen > sizeof(rx->from[i]) ||
		    (from->sa.sa_family != AF_INET && from->sa.sa_family != AF_INET6))
			continue;
		sess = *tab_slot(s, from);
		if (sess != NULL && tftp_session_fd(sess) == fd) {
			tftp_session_input(sess, rx->buf[i], rx->msg[i].msg_len);
			continue;
		}
		/* RFC 1350 section 4: no transfer of this source here; answer it, keep going. */
		(void)tftp_parse(rx->buf[i], rx->msg[i].msg_len, 0, &p);
		if (p.op != TFTP_ERROR)
			reply_error(fd, from, TFTP_EBADID, "Unknown transfer ID");
	}
	return n;
}

static void
on_transfer_sock(struct loop *lp, int fd, unsigned ev, void *arg)
{
	(void)lp;
	(void)ev;
	for (int round = 0; round < RX_ROUNDS; round++)
		if (tx_sock_batch(arg, fd) < RX_BATCH)
			break;
}

static void
pool_close(struct tftp_server *s, struct pool *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		loop_del_fd(s->loop, p->fd[i]);
		close(p->fd[i]);
	}
}

/* Opens the transfer sockets of a local address: fresh ports on the address the requests come to. */
static int
pool_open(struct tftp_server *s, struct pool *p)
{
	size_t got;
	unsigned i;

	for (i = 0; i < POOL_SOCKS; i++) {
		int fd = socket(p->local.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		/* Thousands of transfers share it: absorb their ACKs like the listener does. */
		(void)set_rcvbuf(fd, s->cfg->rcvbuf, &got);
		if (bind(fd, &p->local.sa, tftp_addr_len(&p->local)) < 0 ||
		    loop_add_fd(s->loop, fd, LOOP_READ, on_transfer_sock, s) < 0) {
			int e = errno;

			close(fd);
			errno = e;
			break;
		}
		p->fd[i] = fd;
	}
	if (i == POOL_SOCKS)
		return 0;
	pool_close(s, p, i);
	return -1;
}

/* A transfer socket on local's address (port ignored), or -1 with errno. */
static int
pool_fd(struct tftp_server *s, const union tftp_sa *local)
{
	union tftp_sa a = *local;
	struct pool *p = NULL, *n;

	if (a.sa.sa_family == AF_INET6)
		a.in6.sin6_port = 0;
	else
		a.in4.sin_port = 0;
	for (size_t i = 0; i < s->npools && p == NULL; i++)
		if (tftp_addr_eq(&s->pools[i].local, &a))
			p = &s->pools[i];
	if (p == NULL) {
		if ((n = realloc(s->pools, (s->npools + 1) * sizeof(*n))) == NULL)
			return -1;
		s->pools = n;
		p = &n[s->npools];
		memset(p, 0, sizeof(*p));
		p->local = a;
		if (pool_open(s, p) < 0)
			return -1;
		s->npools++;
	}
	return p->fd[p->next++ % POOL_SOCKS];
}

/* ---- setup ------------------------------------------------------------ */

static int
set_rcvbuf(int fd, size_t want, size_t *got)
{
	int v = want > (size_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)want;
	int have = 0;
	socklen_t len = sizeof(have);

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len) == 0 && (size_t)have / 2 < want)
		/* Above net.core.rmem_max only with CAP_NET_ADMIN (tftp-notes 5.2). */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v));
	len = sizeof(have);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &have, &len) < 0)
		return -1;
	*got = (size_t)have;
	return 0;
}

static int
open_listener(struct tftp_server *s, const union tftp_sa *a, char *err, size_t errlen)
{
	struct listener *l = &s->ls[s->nls];
	char as[TFTP_ADDRSTR];
	socklen_t alen;
	size_t got = 0;
	int one = 1;

	tftp_addr_str(a, as, sizeof(as));
	l->srv = s;
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
	if (set_rcvbuf(l->fd, s->cfg->rcvbuf, &got) < 0)
		goto fail;
	/* Bind exactly what was asked, or fail loudly (tftp-notes 5.7). */
	if (bind(l->fd, &a->sa, tftp_addr_len(a)) < 0)
		goto fail;
	/* Port 0 binds a port the kernel picks: log the one we got. */
	alen = sizeof(l->addr);
	if (getsockname(l->fd, &l->addr.sa, &alen) < 0)
		goto fail;
	tftp_addr_str(&l->addr, as, sizeof(as));
	if (loop_add_fd(s->loop, l->fd, LOOP_READ, on_listener, l) < 0)
		goto fail;
	s->nls++;
	tftp_log(TFTP_LOG_INFO, "Listening on %s, receive buffer %zu bytes%s", as, got,
	         got / 2 < s->cfg->rcvbuf ? " (capped by net.core.rmem_max)" : "");
	return 0;
fail:
	snprintf(err, errlen, "cannot listen on %s: %s", as, strerror(errno));
	if (l->fd >= 0)
		close(l->fd);
	return -1;
}

struct tftp_server *
tftp_server_new(const struct tftp_config *cfg, struct loop *loop, char *err, size_t errlen)
{
	struct tftp_server *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->rx = calloc(1, sizeof(*s->rx))) == NULL ||
	    (s->tab = calloc(1024, sizeof(*s->tab))) == NULL) {
		snprintf(err, errlen, "out of memory");
		tftp_server_free(s);
		return NULL;
	}
	s->cfg = cfg;
	s->loop = loop;
	s->tab_size = 1024;
	loop_timer_init(&s->status, on_status, s);
	for (size_t i = 0; i < cfg->nlisten; i++) {
		if (open_listener(s, &cfg->listen[i], err, errlen) < 0) {
			tftp_server_free(s);
			return NULL;
		}
	}
	return s;
}

static void
on_cache_event(struct loop *l, int fd, unsigned ev, void *arg)
{
	(void)l;
	(void)fd;
	(void)ev;
	tftp_cache_poll(arg);
}

static void
on_status(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tftp_server *s = arg;

	tftp_server_log_status(s);
	(void)loop_timer_set(l, t, (uint64_t)s->cfg->status_interval * 1000u);
}

int
tftp_server_start(struct tftp_server *s, const char *root, char *err, size_t errlen)
{
	struct tftp_cache_cfg cc;
	enum tftp_cache_err ce;
	int e;

	memset(&cc, 0, sizeof(cc));
	cc.root = root;
	cc.max_file = s->cfg->max_file;
	cc.max_total = s->cfg->cache_max;
	cc.allow_hardlinks = s->cfg->allow_hardlinks;
	cc.no_inotify = s->cfg->no_inotify;
	if ((s->cache = tftp_cache_new(&cc, &ce, &e)) == NULL) {
		snprintf(err, errlen, "cannot open root %s: %s", root,
		         e != 0 ? strerror(e) : tftp_cache_errstr(ce));
		return -1;
	}
	if (tftp_cache_fd(s->cache) >= 0 &&
	    loop_add_fd(s->loop, tftp_cache_fd(s->cache), LOOP_READ, on_cache_event, s->cache) < 0) {
		snprintf(err, errlen, "cannot watch root: %s", strerror(errno));
		return -1;
	}
	if (tftp_cache_fd(s->cache) < 0)
		tftp_log(TFTP_LOG_WARN, "inotify unavailable: files are checked with stat on every request");
	if (s->cfg->status_interval > 0)
		(void)loop_timer_set(s->loop, &s->status, (uint64_t)s->cfg->status_interval * 1000u);
	return 0;
}

void
tftp_server_log_status(struct tftp_server *s)
{
	struct tftp_cache_stats cs;

	memset(&cs, 0, sizeof(cs));
	if (s->cache != NULL)
		tftp_cache_stats(s->cache, &cs);
	tftp_log(TFTP_LOG_ERR,
	         "Status: requests %llu completed %llu failed %llu bytes %llu active %llu peak %llu "
	         "refused %llu notfound %llu busy %llu malformed %llu duplicates %llu retransmits %llu "
	         "cached %zu files %zu bytes",
	         (unsigned long long)s->st.requests, (unsigned long long)s->st.completed,
	         (unsigned long long)s->st.failed, (unsigned long long)s->st.bytes,
	         (unsigned long long)s->st.active, (unsigned long long)s->st.peak_active,
	         (unsigned long long)s->st.refused, (unsigned long long)s->st.notfound,
	         (unsigned long long)s->st.busy, (unsigned long long)s->st.malformed,
	         (unsigned long long)s->st.duplicates, (unsigned long long)s->st.retransmits,
	         cs.files, cs.bytes);
}

void
tftp_server_reload(struct tftp_server *s)
{
	enum tftp_cache_err e;
	int se = 0;

	if (s->cache == NULL)
		return;
	if ((e = tftp_cache_reload(s->cache, &se)) != TFTP_C_OK) {
		tftp_log(TFTP_LOG_ERR, "SIGHUP: cannot reopen root %s: %s; still serving the previous one",
		         s->cfg->root, se != 0 ? strerror(se) : tftp_cache_errstr(e));
		return;
	}
	tftp_log(TFTP_LOG_ERR, "SIGHUP: reloaded: root %s rescanned, cached files dropped", s->cfg->root);
}

void
tftp_server_free(struct tftp_server *s)
{
	if (s == NULL)
		return;
	if (s->tab != NULL)
		for (size_t i = 0; i < s->tab_size; i++)
			while (s->tab[i] != NULL)
				tftp_session_abort(s->tab[i]);
	for (size_t i = 0; i < s->nls; i++) {
		loop_del_fd(s->loop, s->ls[i].fd);
		close(s->ls[i].fd);
	}
	for (size_t i = 0; i < s->npools; i++)
		pool_close(s, &s->pools[i], POOL_SOCKS);
	free(s->pools);
	if (s->cache != NULL) {
		if (tftp_cache_fd(s->cache) >= 0)
			loop_del_fd(s->loop, tftp_cache_fd(s->cache));
		tftp_cache_free(s->cache);
	}
	loop_timer_cancel(s->loop, &s->status);
	free(s->tab);
	free(s->rx);
	free(s);
}
