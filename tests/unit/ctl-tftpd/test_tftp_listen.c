/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request ports (tftp-server/ctl-tftpd/tftp_listen.c) on 127.0.0.1: port 0
 * becomes the kernel's port, each datagram reaches the handler with its
 * sender, the address it was sent to and its listener, between one
 * "before" and one "after" per wake; an oversize datagram is flagged
 * truncated; an address already taken fails with a message naming it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tftp_listen.h"
#include "tftp_log.h"
#include "testutil.h"

struct seen {
	struct loop *loop;
	char trace[64];      /* b = before, p = packet, t = truncated packet, a = after */
	size_t nt;
	unsigned index[8];
	size_t len[8];
	union tftp_sa from[8], local[8];
	size_t np;
};

static void
trace(struct seen *s, char c)
{
	ck_assert_uint_lt(s->nt, sizeof(s->trace) - 1);
	s->trace[s->nt++] = c;
}

static void
h_before(void *ctx)
{
	trace(ctx, 'b');
}

static void
h_packet(void *ctx, const struct tftp_listener *l, const union tftp_sa *from,
         const union tftp_sa *local, const uint8_t *buf, size_t n, int truncated)
{
	struct seen *s = ctx;

	(void)buf;
	trace(s, truncated ? 't' : 'p');
	ck_assert_uint_lt(s->np, 8);
	s->index[s->np] = l->index;
	s->len[s->np] = n;
	s->from[s->np] = *from;
	s->local[s->np] = *local;
	s->np++;
}

static void
h_after(void *ctx)
{
	struct seen *s = ctx;

	trace(s, 'a');
	loop_stop(s->loop);
}

static union tftp_sa
lo(unsigned port)
{
	union tftp_sa a;
	socklen_t len;

	ck_assert_int_eq(tftp_addr_parse_listen("127.0.0.1", port, &a, &len), 0);
	return a;
}

static int
client(union tftp_sa *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	*a = lo(0);
	ck_assert_int_eq(bind(fd, &a->sa, sizeof(a->in4)), 0);
	ck_assert_int_eq(getsockname(fd, &a->sa, &len), 0);
	return fd;
}

START_TEST(datagrams_reach_the_handler)
{
	union tftp_sa addrs[2] = { lo(0), lo(0) }, me;
	struct seen s;
	struct tftp_listen_handler h = { h_before, h_packet, h_after, &s };
	char err[200];
	struct tftp_listen *ls;
	const struct tftp_listener *l0, *l1;
	uint8_t big[1500];
	int fd = client(&me);

	memset(&s, 0, sizeof(s));
	memset(big, 'r', sizeof(big));
	ck_assert_ptr_nonnull(s.loop = loop_new());
	ls = tftp_listen_new(s.loop, addrs, 2, 1 << 16, &h, err, sizeof(err));
	ck_assert_ptr_nonnull(ls);
	l0 = tftp_listen_get(ls, 0);
	l1 = tftp_listen_get(ls, 1);
	ck_assert_uint_eq(l0->index, 0);
	ck_assert_uint_eq(l1->index, 1);
	/* Port 0 asked: each got a real, distinct port. */
	ck_assert_uint_ne(tftp_addr_port(&l0->addr), 0);
	ck_assert_uint_ne(tftp_addr_port(&l1->addr), tftp_addr_port(&l0->addr));
	/* Two datagrams queued on listener 1, one of them over the receive buffer. */
	ck_assert_int_eq(sendto(fd, "\0\1a\0octet\0", 10, 0, &l1->addr.sa, sizeof(l1->addr.in4)), 10);
	ck_assert_int_eq(sendto(fd, big, sizeof(big), 0, &l1->addr.sa, sizeof(l1->addr.in4)),
	                 (ssize_t)sizeof(big));
	ck_assert_int_eq(loop_run(s.loop), 0);
	ck_assert_str_eq(s.trace, "bpta");
	ck_assert_uint_eq(s.index[0], 1);
	ck_assert_uint_eq(s.len[0], 10);
	ck_assert(tftp_addr_eq(&s.from[0], &me));
	ck_assert(tftp_addr_host_eq(&s.local[0], &l1->addr));
	ck_assert_uint_eq(s.len[1], 1024);   /* cut at the buffer, and said so */
	tftp_listen_free(ls);
	tftp_listen_free(NULL);
	loop_free(s.loop);
	close(fd);
}
END_TEST

START_TEST(address_taken)
{
	union tftp_sa me;
	int fd = client(&me);
	struct seen s;
	struct tftp_listen_handler h = { h_before, h_packet, h_after, &s };
	char err[200], want[100], as[TFTP_ADDRSTR];
	struct loop *l;

	ck_assert_ptr_nonnull(l = loop_new());
	ck_assert_ptr_null(tftp_listen_new(l, &me, 1, 1 << 16, &h, err, sizeof(err)));
	snprintf(want, sizeof(want), "cannot listen on %s: ", tftp_addr_str(&me, as, sizeof(as)));
	ck_assert_int_eq(strncmp(err, want, strlen(want)), 0);
	ck_assert_ptr_nonnull(strstr(err, "in use"));
	loop_free(l);
	close(fd);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_listen");
	TCase *ok = tcase_create("ok");
	TCase *bad = tcase_create("refused");

	tftp_log_setup("test_tftp_listen", TFTP_LOG_ERR);
	tcase_add_test(ok, datagrams_reach_the_handler);
	tcase_add_test(bad, address_taken);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}

CTL_TEST_MAIN(make_suite)
