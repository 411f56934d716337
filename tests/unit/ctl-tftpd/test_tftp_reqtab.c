/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request table (tftp-server/ctl-tftpd/tftp_reqtab.c): a request is found again
 * whether queued, running or just completed; the queue is bounded in all
 * and per source, ages out requests the client stopped repeating, and
 * hands them out in arrival order; unacknowledged transfers are listed
 * oldest first; the per-source token bucket refills with time.
 */
#include <arpa/inet.h>
#include <string.h>

#include "tftp_reqtab.h"
#include "testutil.h"

static const uint8_t PKT[] = { 0, 1, 'a', 0, 'o', 'c', 't', 'e', 't', 0 };

static union tftp_sa
addr4(const char *ip, unsigned port)
{
	union tftp_sa a;

	memset(&a, 0, sizeof(a));
	a.in4.sin_family = AF_INET;
	a.in4.sin_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &a.in4.sin_addr), 1);
	return a;
}

static struct tftp_reqtab *
table(size_t queue_max, size_t source_max, unsigned rate)
{
	struct tftp_reqtab_cfg c = { queue_max, source_max, rate, 3000, 5000 };
	struct tftp_reqtab *t = tftp_reqtab_new(&c);

	ck_assert_ptr_nonnull(t);
	return t;
}

static struct tftp_req *
enq(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t h, uint64_t now, enum tftp_enq want)
{
	struct tftp_req *r = NULL;

	ck_assert_int_eq(tftp_reqtab_enqueue(t, peer, peer, h, PKT, sizeof(PKT), now, &r), want);
	return r;
}

START_TEST(duplicate_found_in_every_state)
{
	struct tftp_reqtab *t = table(16, 16, 0);
	union tftp_sa a = addr4("127.0.0.1", 5000), b = addr4("127.0.0.1", 5001);
	uint32_t h = tftp_reqtab_name_hash("CTLFile.tlv", 11);
	struct tftp_req *r = enq(t, &a, h, 0, TFTP_ENQ_OK);
	int sess;

	ck_assert_ptr_eq(tftp_reqtab_find(t, &a, h), r);
	ck_assert_int_eq(r->state, TFTP_REQ_QUEUED);
	ck_assert_mem_eq(r->pkt, PKT, sizeof(PKT));
	/* Another port, another name: not the same request. */
	ck_assert_ptr_null(tftp_reqtab_find(t, &b, h));
	ck_assert_ptr_null(tftp_reqtab_find(t, &a, h + 1));
	tftp_reqtab_run(t, r, &sess, 10);
	ck_assert_ptr_eq(tftp_reqtab_find(t, &a, h), r);
	ck_assert_int_eq(r->state, TFTP_REQ_RUNNING);
	ck_assert_ptr_eq(r->sess, &sess);
	ck_assert_ptr_null(r->pkt);
	ck_assert_uint_eq(tftp_reqtab_queued(t), 0);
	tftp_reqtab_ended(t, r, 1, 100);
	ck_assert_ptr_eq(tftp_reqtab_find(t, &a, h), r);
	ck_assert_int_eq(r->state, TFTP_REQ_DONE);
	/* Remembered for linger_ms, then forgotten. */
	tftp_reqtab_expire(t, 5099);
	ck_assert_ptr_nonnull(tftp_reqtab_find(t, &a, h));
	tftp_reqtab_expire(t, 5100);
	ck_assert_ptr_null(tftp_reqtab_find(t, &a, h));
	tftp_reqtab_free(t);
}
END_TEST

START_TEST(failed_transfer_is_forgotten)
{
	struct tftp_reqtab *t = table(16, 16, 0);
	union tftp_sa a = addr4("10.0.0.1", 5000);
	struct tftp_req *r = tftp_reqtab_add(t, &a, 7, 0);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_eq(tftp_reqtab_find(t, &a, 7), r);
	tftp_reqtab_run(t, r, NULL, 0);
	ck_assert_uint_eq(tftp_reqtab_unacked(t), 1);
	tftp_reqtab_ended(t, r, 0, 1);
	/* A retransmission after a failure must be served again. */
	ck_assert_ptr_null(tftp_reqtab_find(t, &a, 7));
	ck_assert_uint_eq(tftp_reqtab_unacked(t), 0);
	tftp_reqtab_free(t);
}
END_TEST

START_TEST(supersede_lookups)
{
	struct tftp_reqtab *t = table(16, 16, 0);
	union tftp_sa a = addr4("10.0.0.1", 5000), a2 = addr4("10.0.0.1", 6000), o = addr4("10.0.0.2", 5000);
	struct tftp_req *r = enq(t, &a, 1, 0, TFTP_ENQ_OK);

	/* Same address and port, other name. */
	ck_assert_ptr_eq(tftp_reqtab_find_port(t, &a, 2), r);
	ck_assert_ptr_null(tftp_reqtab_find_port(t, &a, 1));
	ck_assert_ptr_null(tftp_reqtab_find_port(t, &o, 2));
	/* Same address and name, other port. */
	ck_assert_ptr_eq(tftp_reqtab_find_name(t, &a2, 1), r);
	ck_assert_ptr_null(tftp_reqtab_find_name(t, &a, 1));
	ck_assert_ptr_null(tftp_reqtab_find_name(t, &o, 1));
	ck_assert_ptr_null(tftp_reqtab_find_name(t, &a2, 2));
	/* A completed request is not superseded. */
	tftp_reqtab_run(t, r, NULL, 0);
	tftp_reqtab_ended(t, r, 1, 0);
	ck_assert_ptr_null(tftp_reqtab_find_name(t, &a2, 1));
	ck_assert_ptr_null(tftp_reqtab_find_port(t, &a, 2));
	tftp_reqtab_free(t);
}
END_TEST

START_TEST(queue_bounds)
{
	struct tftp_reqtab *t = table(4, 2, 0);
	union tftp_sa a = addr4("10.0.0.1", 1), b = addr4("10.0.0.1", 2), c = addr4("10.0.0.1", 3);
	union tftp_sa d = addr4("10.0.0.2", 1), e = addr4("10.0.0.3", 1), f = addr4("10.0.0.4", 1);
	uint64_t stale = 0;
	struct tftp_req *ra;

	ra = enq(t, &a, 1, 0, TFTP_ENQ_OK);
	enq(t, &b, 1, 0, TFTP_ENQ_OK);
	/* Per source: a third request from 10.0.0.1 waits no more. */
	ck_assert_ptr_null(enq(t, &c, 1, 0, TFTP_ENQ_SOURCE));
	enq(t, &d, 1, 0, TFTP_ENQ_OK);
	enq(t, &e, 1, 0, TFTP_ENQ_OK);
	/* In all. */
	ck_assert_ptr_null(enq(t, &f, 1, 0, TFTP_ENQ_FULL));
	ck_assert_uint_eq(tftp_reqtab_queued(t), 4);
	/* Leaving the queue frees the source's share. */
	ck_assert_ptr_eq(tftp_reqtab_head(t, 0, &stale), ra);
	tftp_reqtab_run(t, ra, NULL, 0);
	ck_assert_ptr_nonnull(enq(t, &c, 1, 0, TFTP_ENQ_OK));
	ck_assert_uint_eq(stale, 0);
	tftp_reqtab_free(t);
}
END_TEST

START_TEST(queue_order_and_age_out)
{
	struct tftp_reqtab *t = table(16, 16, 0);
	union tftp_sa a = addr4("10.0.0.1", 1), b = addr4("10.0.0.2", 1), c = addr4("10.0.0.3", 1);
	struct tftp_req *ra = enq(t, &a, 1, 0, TFTP_ENQ_OK);
	struct tftp_req *rb = enq(t, &b, 1, 1000, TFTP_ENQ_OK);
	struct tftp_req *rc = enq(t, &c, 1, 2000, TFTP_ENQ_OK);
	uint64_t stale = 0;

	(void)rc;
	/* b's client repeats its request: it is still there. */
	tftp_reqtab_touch(rb, 3500);
	ck_assert_ptr_eq(tftp_reqtab_head(t, 3000, &stale), ra);
	ck_assert_uint_eq(stale, 0);
	/* At 4500 a (silent since 0) is stale; b, repeated at 3500, is next. */
	ck_assert_ptr_eq(tftp_reqtab_head(t, 4500, &stale), rb);
	ck_assert_uint_eq(stale, 1);
	ck_assert_ptr_null(tftp_reqtab_find(t, &a, 1));
	/* At 9000 every one is stale. */
	ck_assert_ptr_null(tftp_reqtab_head(t, 9000, &stale));
	ck_assert_uint_eq(stale, 3);
	ck_assert_uint_eq(tftp_reqtab_queued(t), 0);
	tftp_reqtab_free(t);
}
END_TEST

START_TEST(unacked_oldest_first)
{
	struct tftp_reqtab *t = table(16, 16, 0);
	union tftp_sa a = addr4("10.0.0.1", 1), b = addr4("10.0.0.2", 1), c = addr4("10.0.0.3", 1);
	struct tftp_req *ra = tftp_reqtab_add(t, &a, 1, 0), *rb = tftp_reqtab_add(t, &b, 1, 0);
	struct tftp_req *rc = tftp_reqtab_add(t, &c, 1, 0);

	ck_assert_uint_eq(tftp_reqtab_unacked(t), 0);
	tftp_reqtab_run(t, ra, NULL, 10);
	tftp_reqtab_run(t, rb, NULL, 20);
	tftp_reqtab_run(t, rc, NULL, 30);
	ck_assert_uint_eq(tftp_reqtab_unacked(t), 3);
	ck_assert_ptr_eq(tftp_reqtab_oldest_unacked(t), ra);
	tftp_reqtab_acked(t, ra);
	tftp_reqtab_acked(t, ra);
	ck_assert_ptr_eq(tftp_reqtab_oldest_unacked(t), rb);
	tftp_reqtab_ended(t, rb, 0, 40);
	ck_assert_ptr_eq(tftp_reqtab_oldest_unacked(t), rc);
	ck_assert_uint_eq(tftp_reqtab_unacked(t), 1);
	ck_assert_ptr_eq(tftp_reqtab_any_running(t), tftp_reqtab_any_running(t));
	tftp_reqtab_ended(t, ra, 1, 50);
	tftp_reqtab_ended(t, rc, 1, 50);
	ck_assert_ptr_null(tftp_reqtab_any_running(t));
	ck_assert_ptr_null(tftp_reqtab_oldest_unacked(t));
	tftp_reqtab_free(t);
}
END_TEST

START_TEST(rate_per_source)
{
	struct tftp_reqtab *t = table(16, 16, 3);
	union tftp_sa a = addr4("10.0.0.1", 1), a2 = addr4("10.0.0.1", 2), b = addr4("10.0.0.2", 1);

	/* A burst of one second's worth, whatever the port. */
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &a, 0), 1);
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &a2, 0), 1);
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &a, 0), 1);
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &a2, 0), 0);
	/* Another address has its own bucket. */
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &b, 0), 1);
	/* 3 per second: one more after a third of a second. */
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &a, 300), 0);
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &a, 334), 1);
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &a, 334), 0);
	/* Idle sources are forgotten once full again; a full bucket then starts anew. */
	tftp_reqtab_expire(t, 100000);
	ck_assert_int_eq(tftp_reqtab_rate_take(t, &a, 100000), 1);
	tftp_reqtab_free(t);
}
END_TEST

START_TEST(rate_zero_is_unlimited)
{
	struct tftp_reqtab *t = table(16, 16, 0);
	union tftp_sa a = addr4("10.0.0.1", 1);

	for (int i = 0; i < 10000; i++)
		ck_assert_int_eq(tftp_reqtab_rate_take(t, &a, 0), 1);
	tftp_reqtab_free(t);
}
END_TEST

START_TEST(many_entries_grow)
{
	struct tftp_reqtab *t = table(1, 1, 0);
	struct tftp_req *r[5000];

	/* More entries than buckets: the indexes grow and every entry is found again. */
	for (unsigned i = 0; i < 5000; i++) {
		union tftp_sa a = addr4("127.0.0.1", 1000 + i);

		ck_assert_ptr_nonnull(r[i] = tftp_reqtab_add(t, &a, i % 7, i));
		tftp_reqtab_run(t, r[i], NULL, i);
	}
	for (unsigned i = 0; i < 5000; i++) {
		union tftp_sa a = addr4("127.0.0.1", 1000 + i);

		ck_assert_ptr_eq(tftp_reqtab_find(t, &a, i % 7), r[i]);
		if (i % 2)
			tftp_reqtab_ended(t, r[i], 1, 6000);
		else
			tftp_reqtab_remove(t, r[i]);
	}
	tftp_reqtab_expire(t, 20000);
	ck_assert_ptr_null(tftp_reqtab_any_running(t));
	tftp_reqtab_free(t);
	tftp_reqtab_free(NULL);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_reqtab");
	TCase *ok = tcase_create("ok");
	TCase *lim = tcase_create("limits");

	tcase_add_test(ok, duplicate_found_in_every_state);
	tcase_add_test(ok, failed_transfer_is_forgotten);
	tcase_add_test(ok, supersede_lookups);
	tcase_add_test(ok, unacked_oldest_first);
	tcase_add_test(ok, many_entries_grow);
	tcase_add_test(lim, queue_bounds);
	tcase_add_test(lim, queue_order_and_age_out);
	tcase_add_test(lim, rate_per_source);
	tcase_add_test(lim, rate_zero_is_unlimited);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, lim);
	return s;
}

CTL_TEST_MAIN(make_suite)
