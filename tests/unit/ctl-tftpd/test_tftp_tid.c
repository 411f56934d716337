/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The transfer's own port (tftp-server/ctl-tftpd/tftp_tid.c) on
 * 127.0.0.1, carrying a real session: datagrams from the client reach the
 * session; a stranger writing to the port gets ERROR 5 and changes
 * nothing (RFC 1350 section 4), an ERROR from a stranger gets no answer;
 * an ICMP port unreachable from the client ends the transfer at once.
 * Every wait is bounded; nothing is timed.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tftp_log.h"
#include "tftp_tid.h"
#include "testutil.h"

struct world {
	struct loop *loop;
	struct loop_timer stop;
	struct tftp_session_limits lim;
	struct tftp_stats st;
	struct tftp_session_env env;
	struct tftp_file *file;
	struct tftp_tid *tid;
	struct tftp_session *s;
	int client, stranger;
	union tftp_sa client_addr, local, stranger_addr;
	int ended, completed;
};

static uint64_t
w_now(void *ctx)
{
	return loop_now(((struct world *)ctx)->loop);
}

static int
w_timer_set(void *ctx, struct loop_timer *t, uint64_t ms)
{
	return loop_timer_set(((struct world *)ctx)->loop, t, ms);
}

static void
w_timer_cancel(void *ctx, struct loop_timer *t)
{
	loop_timer_cancel(((struct world *)ctx)->loop, t);
}

static void
w_send(void *ctx, void *link, const struct tftp_dgram *d, unsigned n)
{
	(void)ctx;
	tftp_tid_send(link, d, n);
}

static void
w_acked(void *ctx, struct tftp_req *req)
{
	(void)ctx;
	(void)req;
}

static void
w_ended(void *ctx, struct tftp_req *req, void *link, int completed)
{
	struct world *w = ctx;

	(void)req;
	w->ended++;
	w->completed = completed;
	tftp_tid_free(link);
	loop_stop(w->loop);
}

static const struct tftp_session_ops ops = {
	w_now, w_timer_set, w_timer_cancel, w_send, w_acked, w_ended,
};

static void
on_stop(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(l);
}

/* Runs the loop until the session ends or ms pass (whichever first). */
static void
run_for(struct world *w, uint64_t ms)
{
	ck_assert_int_eq(loop_timer_set(w->loop, &w->stop, ms), 0);
	ck_assert_int_eq(loop_run(w->loop), 0);
	loop_timer_cancel(w->loop, &w->stop);
}

static int
udp_lo(union tftp_sa *a)
{
	struct timeval tv = { 2, 0 };  /* every blocking read is bounded */
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(a, 0, sizeof(*a));
	a->in4.sin_family = AF_INET;
	a->in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, &a->sa, sizeof(a->in4)), 0);
	ck_assert_int_eq(getsockname(fd, &a->sa, &len), 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	return fd;
}

static struct world *
world_new(unsigned timeout_ms)
{
	struct world *w = calloc(1, sizeof(*w));
	uint8_t *data = malloc(20);
	struct tftp_start st;

	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(data);
	memset(data, 'x', 20);
	ck_assert_ptr_nonnull(w->loop = loop_new());
	loop_timer_init(&w->stop, on_stop, NULL);
	w->lim.max_lifetime_s = 60;
	w->lim.timeout_ms = timeout_ms;
	w->lim.max_timeout_ms = timeout_ms;
	w->lim.retries = 20;
	w->env.ops = &ops;
	w->env.ctx = w;
	w->env.lim = &w->lim;
	w->env.stats = &w->st;
	w->file = calloc(1, sizeof(*w->file) + 8);
	ck_assert_ptr_nonnull(w->file);
	memcpy(w->file->name_buf, "f.bin", 6);
	w->file->name = w->file->name_buf;
	w->file->data = data;
	w->file->size = 20;
	w->file->refs = 2;
	w->client = udp_lo(&w->client_addr);
	w->stranger = udp_lo(&w->stranger_addr);
	w->local = w->client_addr;
	w->local.in4.sin_port = 0;
	ck_assert_ptr_nonnull(w->tid = tftp_tid_new(w->loop, &w->local, &w->client_addr));
	memset(&st, 0, sizeof(st));
	st.peer = &w->client_addr;
	st.file = w->file;
	st.mode = TFTP_MODE_OCTET;
	st.neg.blksize = 8;
	st.neg.windowsize = 1;
	st.link = w->tid;
	ck_assert_ptr_nonnull(w->s = tftp_session_new(&w->env, &st));
	tftp_tid_attach(w->tid, w->s);
	return w;
}

static void
world_free(struct world *w)
{
	if (w->ended == 0)
		tftp_session_abort(w->s);
	close(w->client);
	close(w->stranger);
	loop_free(w->loop);
	free((void *)w->file->data);
	free(w->file);
	free(w);
}

/* Reads one datagram on fd (bounded wait): its opcode and block/code; from is the sender. */
static void
expect_pkt(int fd, uint16_t op, uint16_t block, union tftp_sa *from)
{
	uint8_t pkt[600];
	socklen_t flen = sizeof(*from);
	ssize_t n = recvfrom(fd, pkt, sizeof(pkt), 0, &from->sa, &flen);

	ck_assert_int_ge(n, 4);
	ck_assert_uint_eq((uint16_t)(pkt[0] << 8 | pkt[1]), op);
	ck_assert_uint_eq((uint16_t)(pkt[2] << 8 | pkt[3]), block);
}

static void
expect_nothing(int fd)
{
	uint8_t pkt[600];

	ck_assert_int_lt(recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT), 0);
}

static void
send_pkt(int fd, const union tftp_sa *to, uint16_t op, uint16_t block)
{
	uint8_t pkt[5] = { (uint8_t)(op >> 8), (uint8_t)op, (uint8_t)(block >> 8), (uint8_t)block, 0 };

	ck_assert_int_eq(sendto(fd, pkt, op == TFTP_ERROR ? 5 : 4, 0, &to->sa, sizeof(to->in4)),
	                 op == TFTP_ERROR ? 5 : 4);
}

START_TEST(client_datagrams_reach_the_session)
{
	struct world *w = world_new(5000);
	union tftp_sa t, from;

	expect_pkt(w->client, TFTP_DATA, 1, &t);
	/* A fresh port on the request's address, not the client's. */
	ck_assert_uint_ne(tftp_addr_port(&t), 0);
	ck_assert_uint_ne(tftp_addr_port(&t), tftp_addr_port(&w->client_addr));
	for (uint16_t b = 1; b <= 3; b++) {
		send_pkt(w->client, &t, TFTP_ACK, b);
		run_for(w, 0);
		if (b < 3) {
			expect_pkt(w->client, TFTP_DATA, b + 1, &from);
			ck_assert(tftp_addr_eq(&from, &t));
		}
	}
	ck_assert_int_eq(w->ended, 1);
	ck_assert_int_eq(w->completed, 1);
	ck_assert_uint_eq(w->st.completed, 1);
	world_free(w);
}
END_TEST

START_TEST(stranger_gets_error5)
{
	struct world *w = world_new(5000);
	union tftp_sa t, from;

	expect_pkt(w->client, TFTP_DATA, 1, &t);
	send_pkt(w->stranger, &t, TFTP_ACK, 1);
	run_for(w, 0);
	expect_pkt(w->stranger, TFTP_ERROR, TFTP_EBADID, &from);
	ck_assert(tftp_addr_eq(&from, &t));
	/* The stranger's ACK moved nothing: the client got no DATA 2. */
	expect_nothing(w->client);
	/* An ERROR from a stranger is not answered, and does not end the transfer. */
	send_pkt(w->stranger, &t, TFTP_ERROR, 0);
	run_for(w, 0);
	expect_nothing(w->stranger);
	ck_assert_int_eq(w->ended, 0);
	/* The real client carries on. */
	send_pkt(w->client, &t, TFTP_ACK, 1);
	run_for(w, 0);
	expect_pkt(w->client, TFTP_DATA, 2, &from);
	world_free(w);
}
END_TEST

/* A client that closed its port: the ICMP error ends the transfer long before its 20 retries. */
START_TEST(client_port_unreachable)
{
	struct world *w = world_new(50);
	union tftp_sa t;

	expect_pkt(w->client, TFTP_DATA, 1, &t);
	close(w->client);
	w->client = -1;
	run_for(w, 5000);   /* returns as soon as the session ends */
	ck_assert_int_eq(w->ended, 1);
	ck_assert_int_eq(w->completed, 0);
	ck_assert_uint_eq(w->st.unreachable, 1);
	ck_assert_uint_eq(w->st.failed, 1);
	ck_assert_uint_lt(w->st.retransmits, 20);
	world_free(w);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_tid");
	TCase *ok = tcase_create("ok");
	TCase *hostile = tcase_create("hostile");

	tftp_log_setup("test_tftp_tid", TFTP_LOG_ERR);
	tcase_add_test(ok, client_datagrams_reach_the_session);
	tcase_add_test(hostile, stranger_gets_error5);
	tcase_add_test(hostile, client_port_unreachable);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, hostile);
	return s;
}

CTL_TEST_MAIN(make_suite)
