/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_tls.c: the connection deadline. Until a LOGIN succeeds the login
 * deadline (accept + login_timeout) binds whenever it is the earlier one;
 * after it, each read gets the full read timeout.
 */
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "provider.h"

START_TEST(conn_login_deadline)
{
	struct prov_conn c;
	struct timespec now;

	memset(&c, 0, sizeof(c));
	c.tls.fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	c.login_deadline = now;
	c.login_deadline.tv_sec += 3;
	ck_assert_int_eq(prov_conn_deadline(&c, 10), 1);
	ck_assert_int_eq(c.tls.deadline.tv_sec, c.login_deadline.tv_sec);
	ck_assert_int_eq(prov_conn_deadline(&c, 1), 0);
	ck_assert_int_le(c.tls.deadline.tv_sec, now.tv_sec + 2);
	/* Logged in (what a successful LOGIN sets, test_prov_handlers). */
	c.authed = 1;
	ck_assert_int_eq(prov_conn_deadline(&c, 10), 0);
	ck_assert_int_ge(c.tls.deadline.tv_sec, now.tv_sec + 10);
}
END_TEST

/* No login deadline set (zero): the read timeout alone. */
START_TEST(conn_no_login_deadline)
{
	struct prov_conn c;
	struct timespec now;

	memset(&c, 0, sizeof(c));
	clock_gettime(CLOCK_MONOTONIC, &now);
	ck_assert_int_eq(prov_conn_deadline(&c, 5), 0);
	ck_assert_int_ge(c.tls.deadline.tv_sec, now.tv_sec + 5);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_tls");
	TCase *tc = tcase_create("deadline");

	tcase_add_test(tc, conn_login_deadline);
	tcase_add_test(tc, conn_no_login_deadline);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
