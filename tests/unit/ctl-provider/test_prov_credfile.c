/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_credfile.c, ctl-provider --hash-password USER --credentials FILE:
 * the file created mode 0600; a second user appended, the same user's line
 * replaced in place, other lines (comments too) kept; a file group or
 * others may read refused and left as it was; a symbolic link refused; no
 * temporary file left behind.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "provider.h"

static char *
slurp(const char *path)
{
	size_t len = 0;
	uint8_t *b = tu_read(path, &len);
	char *s = malloc(len + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, b, len);
	s[len] = '\0';
	free(b);
	return s;
}

static void
put_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* Entries of the test folder (temporary files would show). */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

START_TEST(created_0600)
{
	char path[512], err[1024], dir[400];
	struct stat st;
	char *s;

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(path, sizeof(path), "%s/creds", dir);
	umask(022);
	ck_assert_int_eq(prov_cred_put(path, "admin", "$y$hash1", err, sizeof(err)), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	s = slurp(path);
	ck_assert_str_eq(s, "admin:$y$hash1\n");
	free(s);
	ck_assert_int_eq(entries(dir), 1);
}
END_TEST

START_TEST(append_and_replace)
{
	char path[512], err[1024], dir[400];
	struct stat st;
	char *s;

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(path, sizeof(path), "%s/creds", dir);
	put_file(path, "# administrators\nadmin:$y$old\nadministrator:$y$other", 0600);
	ck_assert_int_eq(prov_cred_put(path, "bob", "$y$bob", err, sizeof(err)), 0);
	ck_assert_int_eq(prov_cred_put(path, "admin", "$y$new", err, sizeof(err)), 1);
	s = slurp(path);
	ck_assert_str_eq(s, "# administrators\nadmin:$y$new\nadministrator:$y$other\nbob:$y$bob\n");
	free(s);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(entries(dir), 1);
}
END_TEST

START_TEST(readable_refused)
{
	char path[512], err[1024], dir[400];
	struct stat st;
	char *s;

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(path, sizeof(path), "%s/creds", dir);
	put_file(path, "admin:$y$old\n", 0640);
	ck_assert_int_eq(prov_cred_put(path, "bob", "$y$bob", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "mode 0640"));
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	s = slurp(path);
	ck_assert_str_eq(s, "admin:$y$old\n");
	free(s);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(entries(dir), 1);
}
END_TEST

START_TEST(symlink_refused)
{
	char path[512], target[512], err[1024], dir[400];
	char *s;

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(target, sizeof(target), "%s/real", dir);
	snprintf(path, sizeof(path), "%s/creds", dir);
	put_file(target, "admin:$y$old\n", 0600);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(prov_cred_put(path, "bob", "$y$bob", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
	s = slurp(target);
	ck_assert_str_eq(s, "admin:$y$old\n");
	free(s);
	ck_assert_int_eq(entries(dir), 2);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_credfile");
	TCase *tc = tcase_create("ok");

	tcase_add_test(tc, created_0600);
	tcase_add_test(tc, append_and_replace);
	tcase_add_test(tc, readable_refused);
	tcase_add_test(tc, symlink_refused);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
