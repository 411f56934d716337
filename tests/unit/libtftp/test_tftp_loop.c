/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event loop (libtftp/loop.c): timers fire in deadline order, re-arm
 * and cancel keep the heap consistent, fd callbacks run, and the loop ends
 * when nothing is registered.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "testutil.h"

struct rec {
	int order[64];
	int n;
};

struct tmr {
	struct loop_timer t;
	struct rec *rec;
	int id;
};

static void
on_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct tmr *m = arg;

	(void)l;
	ck_assert(!loop_timer_armed(t));
	m->rec->order[m->rec->n++] = m->id;
}

START_TEST(timers_in_order)
{
	struct loop *l = loop_new();
	struct rec rec = { { 0 }, 0 };
	struct tmr t[40];
	/* Deadlines deliberately not in creation order, some equal. */
	static const unsigned ms[40] = { 9, 3, 7, 1, 5, 2, 8, 6, 4, 0, 9, 3, 7, 1, 5, 2, 8, 6, 4, 0,
	                                 12, 11, 10, 13, 14, 15, 19, 18, 17, 16,
	                                 20, 21, 22, 23, 24, 25, 26, 27, 28, 29 };

	ck_assert_ptr_nonnull(l);
	for (int i = 0; i < 40; i++) {
		t[i].rec = &rec;
		t[i].id = i;
		loop_timer_init(&t[i].t, on_timer, &t[i]);
		ck_assert_int_eq(loop_timer_set(l, &t[i].t, ms[i]), 0);
	}
	/* Cancel a few, move a few. */
	loop_timer_cancel(l, &t[0].t);
	loop_timer_cancel(l, &t[39].t);
	loop_timer_cancel(l, &t[39].t);
	ck_assert_int_eq(loop_timer_set(l, &t[5].t, 30), 0);
	ck_assert_int_eq(loop_timer_set(l, &t[20].t, 0), 0);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_int_eq(rec.n, 38);
	for (int i = 1; i < rec.n; i++) {
		const struct tmr *a = &t[rec.order[i - 1]], *b = &t[rec.order[i]];

		ck_assert_uint_le(a->t.when, b->t.when);
	}
	ck_assert_int_eq(rec.order[rec.n - 1], 5);
	loop_free(l);
}
END_TEST

/* Two events in one batch share a wake-up: what a handler does once per batch runs once. */
static void
on_read_wakeup(struct loop *l, int fd, unsigned ev, void *arg)
{
	uint64_t *seen = arg;
	char b[8];

	ck_assert(ev & LOOP_READ);
	ck_assert_int_eq(read(fd, b, sizeof(b)), 4);
	*seen = loop_wakeups(l);
	loop_del_fd(l, fd);
}

START_TEST(wakeups_per_batch)
{
	struct loop *l = loop_new();
	uint64_t seen[2] = { 0, 0 };
	int a[2], b[2];

	ck_assert_uint_eq(loop_wakeups(l), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, a), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, b), 0);
	ck_assert_int_eq(loop_add_fd(l, a[0], LOOP_READ, on_read_wakeup, &seen[0]), 0);
	ck_assert_int_eq(loop_add_fd(l, b[0], LOOP_READ, on_read_wakeup, &seen[1]), 0);
	ck_assert_int_eq(write(a[1], "ping", 4), 4);
	ck_assert_int_eq(write(b[1], "pong", 4), 4);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_uint_eq(seen[0], 1);
	ck_assert_uint_eq(seen[1], 1);
	/* A later batch is a later wake-up. */
	ck_assert_int_eq(loop_add_fd(l, a[0], LOOP_READ, on_read_wakeup, &seen[0]), 0);
	ck_assert_int_eq(write(a[1], "ping", 4), 4);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_uint_eq(seen[0], 2);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	loop_free(l);
}
END_TEST

struct io {
	int calls;
	char got[8];
};

static void
on_read(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct io *io = arg;

	ck_assert(ev & LOOP_READ);
	ck_assert_int_eq(read(fd, io->got, sizeof(io->got)), 4);
	io->calls++;
	loop_del_fd(l, fd);
}

START_TEST(fd_callback_and_exit)
{
	struct loop *l = loop_new();
	struct io io;
	int sv[2];

	memset(&io, 0, sizeof(io));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	ck_assert_int_eq(loop_add_fd(l, sv[0], LOOP_READ, on_read, &io), 0);
	ck_assert_int_eq(loop_add_fd(l, sv[0], LOOP_READ, on_read, &io), -1);
	ck_assert_int_eq(loop_mod_fd(l, sv[1], LOOP_READ), -1);
	ck_assert_int_eq(write(sv[1], "ping", 4), 4);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_int_eq(io.calls, 1);
	ck_assert_int_eq(memcmp(io.got, "ping", 4), 0);
	close(sv[0]);
	close(sv[1]);
	loop_free(l);
	loop_free(NULL);
}
END_TEST

static void
on_read_close(struct loop *l, int fd, unsigned ev, void *arg)
{
	struct io *io = arg;

	ck_assert(ev & LOOP_READ);
	ck_assert_int_eq(read(fd, io->got, sizeof(io->got)), 4);
	io->calls++;
	loop_close_fd(l, fd);
}

/* loop_close_fd: the fd is closed and forgotten (the loop ends), its number free for a new one. */
START_TEST(close_fd_forgets_and_closes)
{
	struct loop *l = loop_new();
	struct io io;
	int sv[2], sv2[2];

	memset(&io, 0, sizeof(io));
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	ck_assert_int_eq(loop_add_fd(l, sv[0], LOOP_READ, on_read_close, &io), 0);
	ck_assert_int_eq(write(sv[1], "ping", 4), 4);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_int_eq(io.calls, 1);
	ck_assert_int_eq(write(sv[1], "gone", 4), -1); /* the peer end was closed */
	/* The lowest free number is sv[0]'s again: registering it is not EEXIST, and it works. */
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv2), 0);
	ck_assert_int_eq(sv2[0], sv[0]);
	ck_assert_int_eq(loop_add_fd(l, sv2[0], LOOP_READ, on_read_close, &io), 0);
	ck_assert_int_eq(write(sv2[1], "pong", 4), 4);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert_int_eq(io.calls, 2);
	ck_assert_int_eq(memcmp(io.got, "pong", 4), 0);
	loop_close_fd(l, -1); /* harmless */
	close(sv[1]);
	close(sv2[1]);
	loop_free(l);
}
END_TEST

static void
stop_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_stop(l);
}

START_TEST(stop_leaves_timers)
{
	struct loop *l = loop_new();
	struct loop_timer a, b;

	loop_timer_init(&a, stop_cb, NULL);
	loop_timer_init(&b, stop_cb, NULL);
	ck_assert_int_eq(loop_timer_set(l, &a, 1), 0);
	ck_assert_int_eq(loop_timer_set(l, &b, 100000), 0);
	ck_assert_int_eq(loop_run(l), 0);
	ck_assert(!loop_timer_armed(&a));
	ck_assert(loop_timer_armed(&b));
	loop_timer_cancel(l, &b);
	ck_assert(!loop_timer_armed(&b));
	ck_assert_uint_ge(loop_update_now(l), loop_now(l));
	loop_free(l);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_loop");
	TCase *ok = tcase_create("ok");

	tcase_add_test(ok, timers_in_order);
	tcase_add_test(ok, wakeups_per_batch);
	tcase_add_test(ok, fd_callback_and_exit);
	tcase_add_test(ok, close_fd_forgets_and_closes);
	tcase_add_test(ok, stop_leaves_timers);
	suite_add_tcase(s, ok);
	return s;
}

CTL_TEST_MAIN(make_suite)
