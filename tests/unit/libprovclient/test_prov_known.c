/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client's server identities: known_hosts (libprovclient/prov_known.c)
 * records a server under its name and its address, finds a fingerprint
 * under any name, replaces one in place and reports a malformed line with
 * its number. (Secret memory is libctl's: tests/unit/libctl/test_secret.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prov_client.h"
#include "testutil.h"

static uint8_t fp_a[PROV_FP_LEN], fp_b[PROV_FP_LEN];

/* A fresh config directory: XDG_CONFIG_HOME is a new temporary folder. */
static void
fresh_config(void)
{
	size_t i;

	for (i = 0; i < PROV_FP_LEN; i++) {
		fp_a[i] = (uint8_t)i;
		fp_b[i] = (uint8_t)(0xff - i);
	}
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", tu_tmpdir(), 1), 0);
}

static void
load_ok(struct prov_known *k)
{
	char err[600] = "";

	ck_assert_msg(prov_known_load(k, err, sizeof(err)) == 0, "%s", err);
}

/* ---- ok ----------------------------------------------------------- */

START_TEST(missing_file_is_empty)
{
	struct prov_known k;

	fresh_config();
	load_ok(&k);
	ck_assert_uint_eq(k.n, 0);
	ck_assert_ptr_null(prov_known_find(&k, "127.0.0.1:2444"));
	ck_assert_ptr_null(prov_known_find_fp(&k, fp_a));
	prov_known_cleanup(&k);
}
END_TEST

START_TEST(name_and_address_recorded)
{
	const char *names[3] = { "localhost:2444", "127.0.0.1:2444", NULL };
	struct prov_known k;
	char err[600];
	const uint8_t *got;

	fresh_config();
	load_ok(&k);
	ck_assert_int_eq(prov_known_record(&k, names, 3, fp_a, err, sizeof(err)), 0);
	prov_known_cleanup(&k);
	load_ok(&k); /* what the file holds, not what memory holds */
	ck_assert_uint_eq(k.n, 2);
	ck_assert_ptr_nonnull(got = prov_known_find(&k, "localhost:2444"));
	ck_assert_mem_eq(got, fp_a, PROV_FP_LEN);
	ck_assert_ptr_nonnull(got = prov_known_find(&k, "127.0.0.1:2444"));
	ck_assert_mem_eq(got, fp_a, PROV_FP_LEN);
	ck_assert_str_eq(prov_known_find_fp(&k, fp_a), "localhost:2444");
	ck_assert_ptr_null(prov_known_find_fp(&k, fp_b));
	prov_known_cleanup(&k);
}
END_TEST

START_TEST(pin_replaces_in_place)
{
	const char *both[2] = { "cucm-sub1:2444", "192.0.2.12:2444" }, *addr[1] = { "192.0.2.12:2444" };
	struct prov_known k;
	char err[600];

	fresh_config();
	load_ok(&k);
	ck_assert_int_eq(prov_known_record(&k, both, 2, fp_a, err, sizeof(err)), 0);
	ck_assert_int_eq(prov_known_record(&k, addr, 1, fp_b, err, sizeof(err)), 0);
	prov_known_cleanup(&k);
	load_ok(&k);
	ck_assert_uint_eq(k.n, 2);
	ck_assert_mem_eq(prov_known_find(&k, "cucm-sub1:2444"), fp_a, PROV_FP_LEN);
	ck_assert_mem_eq(prov_known_find(&k, "192.0.2.12:2444"), fp_b, PROV_FP_LEN);
	ck_assert_str_eq(prov_known_find_fp(&k, fp_b), "192.0.2.12:2444");
	prov_known_cleanup(&k);
}
END_TEST

/* ---- malformed ---------------------------------------------------- */

START_TEST(malformed_line_numbered)
{
	struct prov_known k;
	char dir[4096], path[4200], err[600] = "";
	FILE *f;

	fresh_config();
	ck_assert_int_eq(prov_config_dir(dir, sizeof(dir), 1), 0);
	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/known_hosts", dir), (int)sizeof(path));
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("# comment\n127.0.0.1:2444 00:01:02\n", f);
	fclose(f);
	ck_assert_int_eq(prov_known_load(&k, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "line 2: expected 'HOST:PORT SHA256-FINGERPRINT'") != NULL, "%s", err);
	ck_assert_uint_eq(k.n, 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_known");
	TCase *ok = tcase_create("ok"), *bad = tcase_create("malformed");

	tcase_add_test(ok, missing_file_is_empty);
	tcase_add_test(ok, name_and_address_recorded);
	tcase_add_test(ok, pin_replaces_in_place);
	tcase_add_test(bad, malformed_line_numbered);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}

CTL_TEST_MAIN(make_suite)
