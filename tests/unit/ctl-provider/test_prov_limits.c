/* SPDX-License-Identifier: Apache-2.0 */
/* prov_limits.c: connection admission, a total cap and a cap per peer address. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctl/ctl.h>
#include <ctl/prov.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

START_TEST(limits_per_address)
{
	struct prov_limits l;
	unsigned i;

	ck_assert_int_eq(prov_limits_init(&l, 10, 3), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(prov_limits_admit(&l, "127.0.0.1"), PROV_ADMIT_OK);
	ck_assert_int_eq(prov_limits_admit(&l, "127.0.0.1"), PROV_ADMIT_ADDR_FULL);
	ck_assert_int_eq(prov_limits_admit(&l, "127.0.0.2"), PROV_ADMIT_OK);
	ck_assert_uint_eq(prov_limits_active(&l), 4);
	prov_limits_release(&l, "127.0.0.1");
	ck_assert_int_eq(prov_limits_admit(&l, "127.0.0.1"), PROV_ADMIT_OK);
	for (i = 3; i < 9; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.0.0.%u", i);
		ck_assert_int_eq(prov_limits_admit(&l, a), PROV_ADMIT_OK);
	}
	ck_assert_uint_eq(prov_limits_active(&l), 10);
	ck_assert_int_eq(prov_limits_admit(&l, "10.9.9.9"), PROV_ADMIT_FULL);
	prov_limits_release(&l, "10.0.0.3");
	ck_assert_int_eq(prov_limits_admit(&l, "10.9.9.9"), PROV_ADMIT_OK);
	prov_limits_cleanup(&l);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_limits");
	TCase *tc;

	tc = tcase_create("limits");
	tcase_add_test(tc, limits_per_address);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
