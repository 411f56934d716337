/* SPDX-License-Identifier: Apache-2.0 */
/*
 * connlimit.c: the per-address cap holds one address without touching
 * another; the total cap holds everyone; a released connection frees its
 * slot; an address leaving entirely frees its entry for a new one.
 */
#include <stdio.h>

#include "testutil.h"
#include "connlimit.h"

START_TEST(per_address_then_total)
{
	struct connlimit l;
	unsigned i;

	ck_assert_int_eq(connlimit_init(&l, 5, 2), 0);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.1"), CONNLIMIT_OK);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.1"), CONNLIMIT_OK);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(connlimit_admit(&l, "127.0.0.1"), CONNLIMIT_ADDR_FULL);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.2"), CONNLIMIT_OK);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.2"), CONNLIMIT_OK);
	ck_assert_int_eq(connlimit_admit(&l, "::1"), CONNLIMIT_OK);
	ck_assert_uint_eq(connlimit_active(&l), 5);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.3"), CONNLIMIT_FULL);
	connlimit_release(&l, "127.0.0.1");
	ck_assert_uint_eq(connlimit_active(&l), 4);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.1"), CONNLIMIT_OK);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.1"), CONNLIMIT_FULL);
	connlimit_cleanup(&l);
}
END_TEST

START_TEST(entries_are_reused)
{
	struct connlimit l;
	char addr[32];
	unsigned i;

	ck_assert_int_eq(connlimit_init(&l, 2, 1), 0);
	/* Many addresses one after the other: each leaves before the next comes. */
	for (i = 0; i < 100; i++) {
		snprintf(addr, sizeof(addr), "10.0.%u.%u", i / 250, i % 250);
		ck_assert_int_eq(connlimit_admit(&l, addr), CONNLIMIT_OK);
		ck_assert_int_eq(connlimit_admit(&l, addr), CONNLIMIT_ADDR_FULL);
		connlimit_release(&l, addr);
	}
	ck_assert_uint_eq(connlimit_active(&l), 0);
	/* Releasing an address never admitted changes nothing. */
	connlimit_release(&l, "192.0.2.1");
	ck_assert_uint_eq(connlimit_active(&l), 0);
	connlimit_cleanup(&l);
	ck_assert_int_eq(connlimit_init(&l, 0, 1), -1);
}
END_TEST

/* The caps ctl-provider runs with: ten in all, three per address. */
START_TEST(ten_total_three_per_address)
{
	struct connlimit l;
	unsigned i;

	ck_assert_int_eq(connlimit_init(&l, 10, 3), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(connlimit_admit(&l, "127.0.0.1"), CONNLIMIT_OK);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.1"), CONNLIMIT_ADDR_FULL);
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.2"), CONNLIMIT_OK);
	ck_assert_uint_eq(connlimit_active(&l), 4);
	connlimit_release(&l, "127.0.0.1");
	ck_assert_int_eq(connlimit_admit(&l, "127.0.0.1"), CONNLIMIT_OK);
	for (i = 3; i < 9; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.0.0.%u", i);
		ck_assert_int_eq(connlimit_admit(&l, a), CONNLIMIT_OK);
	}
	ck_assert_uint_eq(connlimit_active(&l), 10);
	ck_assert_int_eq(connlimit_admit(&l, "10.9.9.9"), CONNLIMIT_FULL);
	connlimit_release(&l, "10.0.0.3");
	ck_assert_int_eq(connlimit_admit(&l, "10.9.9.9"), CONNLIMIT_OK);
	connlimit_cleanup(&l);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("connlimit");
	TCase *tc = tcase_create("connlimit");

	tcase_add_test(tc, per_address_then_total);
	tcase_add_test(tc, entries_are_reused);
	tcase_add_test(tc, ten_total_three_per_address);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
