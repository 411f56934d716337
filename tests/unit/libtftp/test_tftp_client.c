/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TFTP client engine (libtftp/tftp_client.c): source-address blocks;
 * how often a transfer to a server that never answers sends its RRQ, from
 * which address: every retry (retries bound), never (no_resend), or until
 * idle_ms without progress (the "server" is a plain UDP socket on
 * 127.0.0.1 that only collects what arrives); and the transfer state
 * machine against a scripted server on 127.0.0.1: lock-step, a duplicate
 * DATA ACKed again, OACK then ACK 0, the server's ERROR (escaped text),
 * and DATA from a wrong port answered with ERROR 5.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tftp_client.h"
#include "testutil.h"

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

START_TEST(range_ok)
{
	struct tftp_src_range r;
	union tftp_sa a;

	ck_assert_int_eq(tftp_src_range_parse("127.1.0.0/16", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.1.0.1"));
	ck_assert_uint_eq(r.count, 65534);
	tftp_src_range_addr(&r, 0, &a);
	ck_assert_int_eq(a.sa.sa_family, AF_INET);
	ck_assert_uint_eq(ntohl(a.in4.sin_addr.s_addr), ip4("127.1.0.1"));
	ck_assert_uint_eq(ntohs(a.in4.sin_port), 0);
	tftp_src_range_addr(&r, 65533, &a);
	ck_assert_uint_eq(ntohl(a.in4.sin_addr.s_addr), ip4("127.1.255.254"));
	tftp_src_range_addr(&r, 65534, &a); /* wraps around */
	ck_assert_uint_eq(ntohl(a.in4.sin_addr.s_addr), ip4("127.1.0.1"));
	/* Host bits are ignored: the block is the one the address is in. */
	ck_assert_int_eq(tftp_src_range_parse("127.9.8.7/24", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.9.8.1"));
	ck_assert_uint_eq(r.count, 254);
	ck_assert_int_eq(tftp_src_range_parse("127.0.0.5/32", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.0.0.5"));
	ck_assert_uint_eq(r.count, 1);
	ck_assert_int_eq(tftp_src_range_parse("127.0.0.5/31", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.0.0.4"));
	ck_assert_uint_eq(r.count, 2);
	ck_assert_int_eq(tftp_src_range_parse("127.0.0.0/30", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.0.0.1"));
	ck_assert_uint_eq(r.count, 2);
	ck_assert_int_eq(tftp_src_range_parse("10.0.0.0/8", &r), 0);
	ck_assert_uint_eq(r.count, (1u << 24) - 2);
}
END_TEST

static const char *const bad_ranges[] = {
	"", "127.1.0.0", "127.1.0.0/", "/16", "127.1.0.0/7", "127.1.0.0/33", "127.1.0.0/16x",
	"127.1.0/16", "300.1.0.0/16", "::1/128", "127.1.0.0/-1", "127.1.0.0/016 ",
	"127.001.000.000.000/16",
};

START_TEST(range_bad)
{
	struct tftp_src_range r;

	ck_assert_int_eq(tftp_src_range_parse(bad_ranges[_i], &r), -1);
}
END_TEST

START_TEST(range_probe)
{
	struct tftp_src_range r;
	union tftp_sa bad;

	ck_assert_int_eq(tftp_src_range_parse("127.1.0.0/16", &r), 0);
	ck_assert_int_eq(tftp_src_range_probe(&r, &bad), 0);
	/* TEST-NET-1: held by no test host. */
	ck_assert_int_eq(tftp_src_range_parse("192.0.2.0/24", &r), 0);
	errno = 0;
	ck_assert_int_eq(tftp_src_range_probe(&r, &bad), -1);
	ck_assert_int_eq(errno, EADDRNOTAVAIL);
	ck_assert_uint_eq(ntohl(bad.in4.sin_addr.s_addr), ip4("192.0.2.1"));
}
END_TEST

/* A silent server and one transfer to it, run to its end. */
struct run {
	int srv;
	union tftp_sa srv_addr;
	struct loop *loop;
	int done;
	struct tftp_result res;
};

static void
on_done(void *arg, const struct tftp_result *r)
{
	struct run *rn = arg;

	rn->done++;
	rn->res = *r;
	loop_stop(rn->loop);
}

static void
run_silent(struct run *rn, const struct tftp_client_cfg *cfg, const union tftp_sa *local)
{
	socklen_t len = sizeof(rn->srv_addr);
	struct tftp_client *c;
	struct tftp_get g;

	memset(rn, 0, sizeof(*rn));
	rn->srv = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(rn->srv, 0);
	rn->srv_addr.in4.sin_family = AF_INET;
	rn->srv_addr.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(rn->srv, &rn->srv_addr.sa, sizeof(rn->srv_addr.in4)), 0);
	ck_assert_int_eq(getsockname(rn->srv, &rn->srv_addr.sa, &len), 0);
	ck_assert_ptr_nonnull(rn->loop = loop_new());
	ck_assert_ptr_nonnull(c = tftp_client_new(rn->loop, cfg));
	memset(&g, 0, sizeof(g));
	g.server = &rn->srv_addr;
	g.file = "CTLSEP001122334455.tlv";
	g.mode = TFTP_MODE_OCTET;
	g.local_addr = local;
	g.done = on_done;
	g.arg = rn;
	ck_assert_int_eq(tftp_client_get(c, &g), 0);
	ck_assert_int_eq(loop_run(rn->loop), 0);
	ck_assert_int_eq(rn->done, 1);
	ck_assert_int_eq(rn->res.err, TFTP_CE_TIMEOUT);
	tftp_client_free(c);
	loop_free(rn->loop);
}

/* RRQs the silent server got; each must come from want_src (host order) and name the file. */
static unsigned
count_rrqs(struct run *rn, uint32_t want_src)
{
	uint8_t pkt[600];
	union tftp_sa from;
	socklen_t flen = sizeof(from);
	unsigned n = 0;
	ssize_t r;

	while ((r = recvfrom(rn->srv, pkt, sizeof(pkt), 0, &from.sa, &flen)) > 0) {
		ck_assert_int_ge(r, 4);
		ck_assert_int_eq(pkt[0], 0);
		ck_assert_int_eq(pkt[1], 1); /* RRQ */
		ck_assert_str_eq((const char *)pkt + 2, "CTLSEP001122334455.tlv");
		ck_assert_uint_eq(ntohl(from.in4.sin_addr.s_addr), want_src);
		n++;
		flen = sizeof(from);
	}
	close(rn->srv);
	return n;
}

START_TEST(resend_every_retry)
{
	/* A long idle limit: only the retry bound ends it, however late a busy machine fires timers. */
	struct tftp_client_cfg cfg = { .timeout_ms = 10, .retries = 3, .idle_ms = 60000 };
	struct run rn;

	run_silent(&rn, &cfg, NULL);
	ck_assert_uint_eq(rn.res.retransmits, 3);
	ck_assert_uint_eq(count_rrqs(&rn, ip4("127.0.0.1")), 4);
}
END_TEST

START_TEST(no_resend)
{
	struct tftp_client_cfg cfg = { .timeout_ms = 10, .retries = 3, .no_resend = 1 };
	struct run rn;

	run_silent(&rn, &cfg, NULL);
	ck_assert_uint_eq(rn.res.retransmits, 0);
	ck_assert_uint_eq(count_rrqs(&rn, ip4("127.0.0.1")), 1);
	/* It waited as long as the retries would have (4 x 10 ms), not one timeout. */
	ck_assert_uint_ge(rn.res.ms, 40);
}
END_TEST

START_TEST(idle_limit)
{
	/* Retries unbounded: only idle_ms ends the transfer. */
	struct tftp_client_cfg cfg = { .timeout_ms = 20, .retries = UINT32_MAX, .idle_ms = 100 };
	struct run rn;
	unsigned n;

	run_silent(&rn, &cfg, NULL);
	n = count_rrqs(&rn, ip4("127.0.0.1"));
	ck_assert_uint_ge(rn.res.ms, 100);
	ck_assert_uint_eq(n, rn.res.retransmits + 1);
	/* At most one RRQ per 20 ms of the 100 (fewer when the machine is slow). */
	ck_assert_uint_ge(n, 2);
	ck_assert_uint_le(n, 5);
}
END_TEST

START_TEST(local_address)
{
	struct tftp_client_cfg cfg = { .timeout_ms = 10, .retries = 1, .idle_ms = 60000 };
	struct tftp_src_range r;
	union tftp_sa src;
	struct run rn;

	ck_assert_int_eq(tftp_src_range_parse("127.77.0.0/16", &r), 0);
	tftp_src_range_addr(&r, 41, &src);
	run_silent(&rn, &cfg, &src);
	ck_assert_uint_eq(count_rrqs(&rn, ip4("127.77.0.42")), 2);
}
END_TEST

/* ---- the state machine against a scripted server ----------------------- */

/*
 * A server on 127.0.0.1 run by the same loop: its request socket takes the
 * RRQ, its transfer socket (another port, the server's TID) answers, and
 * each scenario says what it sends for each packet it gets. Every packet
 * the client sends is logged.
 */
enum scene { SC_LOCKSTEP, SC_DUP_DATA, SC_OACK, SC_ERROR, SC_WRONG_TID };

struct peer {
	enum scene sc;
	struct loop *loop;
	int req, tid, stranger;
	union tftp_sa req_addr, client;
	uint16_t op[64], block[64];
	unsigned n;
	int done;
	struct tftp_result res;
	uint8_t data[2048];   /* the file the scenes serve */
	uint8_t got[2048];    /* what the client delivered */
};

static void
peer_send(struct peer *p, int fd, const void *pkt, size_t n)
{
	ck_assert_int_eq(sendto(fd, pkt, n, 0, &p->client.sa, sizeof(p->client.in4)), (ssize_t)n);
}

/* DATA block with n bytes of the file from byte off. */
static void
peer_data(struct peer *p, int fd, uint16_t block, size_t off, size_t n)
{
	uint8_t pkt[4 + 1024];
	size_t len;

	ck_assert_int_eq(tftp_build_data(pkt, sizeof(pkt), block, p->data + off, n, &len), 0);
	peer_send(p, fd, pkt, len);
}

static void
scene_step(struct peer *p, uint16_t op, uint16_t block)
{
	static const uint8_t oack[] = "\0\6blksize\0008\0tsize\00012";
	/* Raw ERROR bytes: valid UTF-8, a C1 byte, a backslash. */
	static const uint8_t err[] = "\0\5\0\1n\xc3\xa9\x9b\\x";

	switch (p->sc) {
	case SC_LOCKSTEP:
	case SC_WRONG_TID:
		if (op == TFTP_RRQ)
			peer_data(p, p->tid, 1, 0, 512);
		if (op == TFTP_ACK && block == 1) {
			if (p->sc == SC_WRONG_TID)
				peer_data(p, p->stranger, 2, 0, 3); /* an impostor first */
			peer_data(p, p->tid, 2, 512, 100);
		}
		return;
	case SC_DUP_DATA:
		if (op == TFTP_RRQ) {
			peer_data(p, p->tid, 1, 0, 512);
			peer_data(p, p->tid, 1, 0, 512);
		}
		if (op == TFTP_ACK && block == 1 && p->n == 3)
			peer_data(p, p->tid, 2, 512, 0);
		return;
	case SC_OACK:
		if (op == TFTP_RRQ)
			peer_send(p, p->tid, oack, sizeof(oack)); /* with its last NUL */
		if (op == TFTP_ACK && block == 0)
			peer_data(p, p->tid, 1, 0, 8);
		if (op == TFTP_ACK && block == 1)
			peer_data(p, p->tid, 2, 8, 4);
		return;
	case SC_ERROR:
		if (op == TFTP_RRQ)
			peer_send(p, p->tid, err, sizeof(err));
		return;
	}
}

static void
peer_readable(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct peer *p = arg;
	uint8_t pkt[600];
	union tftp_sa from;
	socklen_t flen = sizeof(from);
	ssize_t r;

	(void)l;
	(void)ev;
	while ((r = recvfrom(fd, pkt, sizeof(pkt), MSG_DONTWAIT, &from.sa, &flen)) >= 4) {
		uint16_t op = (uint16_t)(pkt[0] << 8 | pkt[1]), block = (uint16_t)(pkt[2] << 8 | pkt[3]);

		ck_assert_uint_lt(p->n, 64);
		p->op[p->n] = op;
		p->block[p->n] = op == TFTP_RRQ ? 0 : block;
		p->n++;
		if (fd == p->stranger)
			continue;
		/* The RRQ comes to the request port, everything else to the TID. */
		ck_assert_int_eq(fd, op == TFTP_RRQ ? p->req : p->tid);
		p->client = from;
		scene_step(p, op, block);
		flen = sizeof(from);
	}
}

static void
peer_done(void *arg, const struct tftp_result *r)
{
	struct peer *p = arg;

	p->done++;
	p->res = *r;
	p->res.data = NULL;   /* lent during the callback only: copied */
	if (r->err == TFTP_CE_OK) {
		ck_assert_uint_le(r->len, sizeof(p->got));
		memcpy(p->got, r->data, r->len);
	}
	loop_stop(p->loop);
}

static int
udp_lo(union tftp_sa *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	memset(a, 0, sizeof(*a));
	a->in4.sin_family = AF_INET;
	a->in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, &a->sa, sizeof(a->in4)), 0);
	ck_assert_int_eq(getsockname(fd, &a->sa, &len), 0);
	return fd;
}

/* Runs one transfer against the scene; asks for blksize 8 and tsize when ask is set. */
static void
run_scene(struct peer *p, enum scene sc, int ask)
{
	struct tftp_client_cfg cfg = { .timeout_ms = 2000, .retries = 2 };
	union tftp_sa a;
	struct tftp_client *c;
	struct tftp_get g;

	memset(p, 0, sizeof(*p));
	p->sc = sc;
	for (size_t i = 0; i < sizeof(p->data); i++)
		p->data[i] = (uint8_t)(i * 7 + 1);
	p->req = udp_lo(&p->req_addr);
	p->tid = udp_lo(&a);
	p->stranger = udp_lo(&a);
	ck_assert_ptr_nonnull(p->loop = loop_new());
	ck_assert_int_eq(loop_add_fd(p->loop, p->req, LOOP_READ, peer_readable, p), 0);
	ck_assert_int_eq(loop_add_fd(p->loop, p->tid, LOOP_READ, peer_readable, p), 0);
	ck_assert_int_eq(loop_add_fd(p->loop, p->stranger, LOOP_READ, peer_readable, p), 0);
	ck_assert_ptr_nonnull(c = tftp_client_new(p->loop, &cfg));
	memset(&g, 0, sizeof(g));
	g.server = &p->req_addr;
	g.file = "CTLFile.tlv";
	g.mode = TFTP_MODE_OCTET;
	g.blksize = ask ? 8 : 0;
	g.tsize = ask;
	g.done = peer_done;
	g.arg = p;
	ck_assert_int_eq(tftp_client_get(c, &g), 0);
	ck_assert_int_eq(loop_run(p->loop), 0);
	ck_assert_int_eq(p->done, 1);
	/* Whatever the client sent after its end is read too. */
	peer_readable(p->loop, p->tid, 0, p);
	peer_readable(p->loop, p->stranger, 0, p);
	tftp_client_free(c);
	loop_free(p->loop);
	close(p->req);
	close(p->tid);
	close(p->stranger);
}

static void
assert_log(const struct peer *p, const uint16_t *ops, const uint16_t *blocks, unsigned n)
{
	ck_assert_uint_eq(p->n, n);
	for (unsigned i = 0; i < n; i++) {
		ck_assert_uint_eq(p->op[i], ops[i]);
		ck_assert_uint_eq(p->block[i], blocks[i]);
	}
}

START_TEST(lockstep_transfer)
{
	static const uint16_t ops[] = { TFTP_RRQ, TFTP_ACK, TFTP_ACK };
	static const uint16_t blocks[] = { 0, 1, 2 };
	struct peer p;

	run_scene(&p, SC_LOCKSTEP, 0);
	ck_assert_int_eq(p.res.err, TFTP_CE_OK);
	ck_assert_uint_eq(p.res.len, 612);
	ck_assert_int_eq(memcmp(p.got, p.data, 612), 0);
	ck_assert_uint_eq(p.res.neg.blksize, 512);
	ck_assert_uint_eq(p.res.retransmits, 0);
	assert_log(&p, ops, blocks, 3);
}
END_TEST

/* A repeated DATA is ACKed again (the server may have lost the ACK) and not stored twice. */
START_TEST(duplicate_data_reacked)
{
	static const uint16_t ops[] = { TFTP_RRQ, TFTP_ACK, TFTP_ACK, TFTP_ACK };
	static const uint16_t blocks[] = { 0, 1, 1, 2 };
	struct peer p;

	run_scene(&p, SC_DUP_DATA, 0);
	ck_assert_int_eq(p.res.err, TFTP_CE_OK);
	ck_assert_uint_eq(p.res.len, 512);
	assert_log(&p, ops, blocks, 4);
}
END_TEST

/* RFC 2347: the OACK is answered with ACK 0 and its blksize used; tsize is reported. */
START_TEST(oack_then_data)
{
	static const uint16_t ops[] = { TFTP_RRQ, TFTP_ACK, TFTP_ACK, TFTP_ACK };
	static const uint16_t blocks[] = { 0, 0, 1, 2 };
	struct peer p;

	run_scene(&p, SC_OACK, 1);
	ck_assert_int_eq(p.res.err, TFTP_CE_OK);
	ck_assert_uint_eq(p.res.len, 12);
	ck_assert_int_eq(memcmp(p.got, p.data, 12), 0);
	ck_assert_uint_eq(p.res.neg.blksize, 8);
	ck_assert_int_eq(p.res.has_tsize, 1);
	ck_assert_uint_eq(p.res.tsize, 12);
	assert_log(&p, ops, blocks, 4);
}
END_TEST

/* The server's ERROR ends the transfer; its text is escaped as log text (ctl/text.h). */
START_TEST(server_error_escaped)
{
	static const uint16_t ops[] = { TFTP_RRQ };
	static const uint16_t blocks[] = { 0 };
	struct peer p;

	run_scene(&p, SC_ERROR, 0);
	ck_assert_int_eq(p.res.err, TFTP_CE_SERVER);
	ck_assert_uint_eq(p.res.ecode, 1);
	/* Valid UTF-8 kept; the C1 byte and the backslash escaped. */
	ck_assert_str_eq(p.res.emsg, "n\xc3\xa9\\x9b\\\\x");
	assert_log(&p, ops, blocks, 1);   /* never an ERROR for an ERROR */
}
END_TEST

/* RFC 1350 section 4: DATA from another port gets ERROR 5 there and changes nothing. */
START_TEST(wrong_tid_told_off)
{
	struct peer p;

	run_scene(&p, SC_WRONG_TID, 0);
	ck_assert_int_eq(p.res.err, TFTP_CE_OK);
	ck_assert_uint_eq(p.res.len, 612);
	ck_assert_int_eq(memcmp(p.got, p.data, 612), 0);  /* the impostor's bytes are not in it */
	/* The impostor's ERROR 5 and the final ACK reach two sockets: their order is free. */
	ck_assert_uint_eq(p.n, 4);
	ck_assert_uint_eq(p.op[0], TFTP_RRQ);
	ck_assert_uint_eq(p.op[1], TFTP_ACK);
	ck_assert_uint_eq(p.block[1], 1);
	ck_assert((p.op[2] == TFTP_ERROR && p.block[2] == TFTP_EBADID && p.op[3] == TFTP_ACK &&
	           p.block[3] == 2) ||
	          (p.op[3] == TFTP_ERROR && p.block[3] == TFTP_EBADID && p.op[2] == TFTP_ACK &&
	           p.block[2] == 2));
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_client");
	TCase *range = tcase_create("range");
	TCase *mal = tcase_create("malformed");
	TCase *resend = tcase_create("resend");
	TCase *xfer = tcase_create("transfer");

	tcase_add_test(range, range_ok);
	tcase_add_test(range, range_probe);
	tcase_add_loop_test(mal, range_bad, 0, (int)(sizeof(bad_ranges) / sizeof(bad_ranges[0])));
	tcase_add_test(resend, resend_every_retry);
	tcase_add_test(resend, no_resend);
	tcase_add_test(resend, idle_limit);
	tcase_add_test(resend, local_address);
	suite_add_tcase(s, range);
	suite_add_tcase(s, mal);
	suite_add_tcase(s, resend);
	tcase_add_test(xfer, lockstep_transfer);
	tcase_add_test(xfer, duplicate_data_reacked);
	tcase_add_test(xfer, oack_then_data);
	tcase_add_test(xfer, server_error_escaped);
	tcase_add_test(xfer, wrong_tid_told_off);
	suite_add_tcase(s, xfer);
	return s;
}

CTL_TEST_MAIN(make_suite)
