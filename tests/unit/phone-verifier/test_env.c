/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A run's state writes (phone-verifier/env.c): without fsync (fleet) and
 * with it (boot, fleet --durable) a phone's file lands whole under its
 * name, its folder and the missing root are made on the first write, a
 * rewrite replaces the bytes, no temporary file is left, and a folder that
 * cannot be made is an I/O error naming the path.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctl/ctl.h>

#include "pv.h"
#include "testutil.h"

static void
read_back(const char *dir, const char *name, const char *want)
{
	char path[1024];
	uint8_t *p;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	p = tu_read(path, &n);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_int_eq(memcmp(p, want, n), 0);
	free(p);
	snprintf(path, sizeof(path), "%s/.%s.tmp", dir, name);
	ck_assert_int_ne(access(path, F_OK), 0); /* no temporary left behind */
}

static void
writes(int no_fsync)
{
	struct pv_env e;
	struct ctl_diag d;
	char dir[1024];

	memset(&e, 0, sizeof(e));
	e.no_fsync = no_fsync;
	/* A root that does not exist yet, two levels down. */
	snprintf(dir, sizeof(dir), "%s/root/deeper/SEP001122334455", tu_tmpdir());
	ck_assert_int_eq(pv_env_write(&e, dir, "SEP001122334455.cnf.xml", (const uint8_t *)"<a/>", 4, &d),
	                 CTL_OK);
	read_back(dir, "SEP001122334455.cnf.xml", "<a/>");
	/* A rewrite replaces the bytes (shorter: nothing of the old file remains). */
	ck_assert_int_eq(pv_env_write(&e, dir, "SEP001122334455.cnf.xml", (const uint8_t *)"<b>", 3, &d),
	                 CTL_OK);
	read_back(dir, "SEP001122334455.cnf.xml", "<b>");
	/* A second phone beside the first: only its own folder is new. */
	snprintf(dir, sizeof(dir), "%s/root/deeper/SEP001122334456", tu_tmpdir());
	ck_assert_int_eq(pv_env_write(&e, dir, "x", (const uint8_t *)"", 0, &d), CTL_OK);
	read_back(dir, "x", "");
}

START_TEST(write_without_fsync)
{
	writes(1);
}
END_TEST

START_TEST(write_durable)
{
	writes(0);
}
END_TEST

START_TEST(write_refused)
{
	struct pv_env e;
	struct ctl_diag d;
	char file[1024], dir[1100];
	FILE *f;

	memset(&e, 0, sizeof(e));
	e.no_fsync = 1;
	snprintf(file, sizeof(file), "%s/plainfile", tu_tmpdir());
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	ck_assert_int_eq(fclose(f), 0);
	/* The phone's folder would live under a regular file. */
	snprintf(dir, sizeof(dir), "%s/SEP001122334455", file);
	ck_assert_int_eq(pv_env_write(&e, dir, "CTLFile.tlv", (const uint8_t *)"x", 1, &d), CTL_E_IO);
	ck_assert_ptr_nonnull(strstr(d.msg, "plainfile"));
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("env");
	TCase *tc = tcase_create("state");

	tcase_add_test(tc, write_without_fsync);
	tcase_add_test(tc, write_durable);
	tcase_add_test(tc, write_refused);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
