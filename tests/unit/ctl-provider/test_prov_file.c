/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_file.c: reading a file the provider does not fully control. Only a
 * regular file within the size limit is read; a symbolic link is refused,
 * never followed; a FIFO, a directory or a device is refused at once,
 * without blocking. On failure nothing is handed out and the message says
 * what and where.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

/* prov_file_read of path; asserts that a failure hands out nothing. */
static enum prov_file
read_it(const char *path, size_t max, uint8_t **out, size_t *len, struct stat *st, char *msg,
        size_t msglen)
{
	enum prov_file r;

	*out = (uint8_t *)"stale";
	*len = 99;
	r = prov_file_read(path, max, out, len, st, msg, msglen);
	if (r != PROV_FILE_OK) {
		ck_assert_ptr_null(*out);
		ck_assert_uint_eq(*len, 0);
	}
	return r;
}

START_TEST(file_regular)
{
	char path[512], msg[1024];
	struct stat st;
	uint8_t *b;
	size_t len;

	snprintf(path, sizeof(path), "%s/f", tu_tmpdir());
	put_file(path, "hello", 5);
	ck_assert_int_eq(read_it(path, 5, &b, &len, &st, msg, sizeof(msg)), PROV_FILE_OK);
	ck_assert_uint_eq(len, 5);
	ck_assert_mem_eq(b, "hello", 5);
	ck_assert_int_eq(st.st_size, 5);
	free(b);
	/* An empty file is a file. */
	put_file(path, "", 0);
	ck_assert_int_eq(read_it(path, 5, &b, &len, NULL, msg, sizeof(msg)), PROV_FILE_OK);
	ck_assert_uint_eq(len, 0);
	free(b);
}
END_TEST

START_TEST(file_missing)
{
	char path[512], want[600], msg[1024];
	uint8_t *b;
	size_t len;

	snprintf(path, sizeof(path), "%s/none", tu_tmpdir());
	ck_assert_int_eq(read_it(path, 100, &b, &len, NULL, msg, sizeof(msg)), PROV_FILE_MISSING);
	snprintf(want, sizeof(want), "%s: no such file", path);
	ck_assert_str_eq(msg, want);
}
END_TEST

START_TEST(file_too_large)
{
	char path[512], want[600], msg[1024];
	uint8_t *b;
	size_t len;

	snprintf(path, sizeof(path), "%s/big", tu_tmpdir());
	put_file(path, "123456", 6);
	ck_assert_int_eq(read_it(path, 5, &b, &len, NULL, msg, sizeof(msg)), PROV_FILE_REFUSED);
	snprintf(want, sizeof(want), "%s: 6 bytes, more than the 5 allowed", path);
	ck_assert_str_eq(msg, want);
}
END_TEST

START_TEST(file_symlink_not_followed)
{
	char dir[512], target[600], path[600], want[700], msg[1024];
	uint8_t *b;
	size_t len;

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(target, sizeof(target), "%s/secret", dir);
	snprintf(path, sizeof(path), "%s/link", dir);
	put_file(target, "KEY", 3);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(read_it(path, 100, &b, &len, NULL, msg, sizeof(msg)), PROV_FILE_REFUSED);
	snprintf(want, sizeof(want), "%s is a symbolic link; refusing to follow it", path);
	ck_assert_str_eq(msg, want);
}
END_TEST

/* A FIFO or a directory: refused at once (a blocking open would hang the tcase). */
START_TEST(file_not_regular)
{
	static const char *const kinds[] = { "a FIFO", "a directory", "a character device" };
	char path[512], want[700], msg[1024];
	uint8_t *b;
	size_t len;

	if (_i == 0) {
		snprintf(path, sizeof(path), "%s/fifo", tu_tmpdir());
		ck_assert_int_eq(mkfifo(path, 0600), 0);
	} else if (_i == 1) {
		snprintf(path, sizeof(path), "%s", tu_tmpdir());
	} else {
		snprintf(path, sizeof(path), "/dev/null");
	}
	ck_assert_int_eq(read_it(path, 100, &b, &len, NULL, msg, sizeof(msg)), PROV_FILE_REFUSED);
	snprintf(want, sizeof(want), "%s is %s, not a regular file; refusing it", path, kinds[_i]);
	ck_assert_str_eq(msg, want);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_file");
	TCase *tc = tcase_create("file");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, file_regular);
	tcase_add_test(tc, file_missing);
	tcase_add_test(tc, file_too_large);
	tcase_add_test(tc, file_symlink_not_followed);
	tcase_add_loop_test(tc, file_not_regular, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
