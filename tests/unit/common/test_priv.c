/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privilege drop both daemons share (tftp-server/common/priv.c):
 * chroot, then the configured user's groups, gid and uid, with root not
 * regainable. The drops run in a child process of their own (fork), so the
 * test binary keeps root also with CK_FORK=no; they need root, as the
 * daemons' --user does.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "priv.h"

/* Runs fn in a child; the child's exit status (0: all its checks held). */
static int
in_child(int (*fn)(const char *), const char *arg)
{
	pid_t pid = fork();
	int st = 0;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fn(arg));
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "the child died");
	return WEXITSTATUS(st);
}

START_TEST(unknown_user)
{
	char err[256];

	ck_assert_int_eq(priv_drop(NULL, "no-such-user-ctltest", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown user no-such-user-ctltest");
	ck_assert_int_eq(getuid(), 0);
}
END_TEST

START_TEST(missing_root_dir)
{
	char dir[512], err[1024], want[600];

	snprintf(dir, sizeof(dir), "%s/none", tu_tmpdir());
	snprintf(want, sizeof(want), "chroot(%s): No such file or directory", dir);
	ck_assert_int_eq(priv_drop(dir, NULL, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
}
END_TEST

/* In the child: chroot to dir, become nobody, check each effect (exit 1..5 names the failed one). */
static int
drop_to_nobody(const char *dir)
{
	struct passwd *pw = getpwnam("nobody");
	char err[256];

	if (pw == NULL || priv_drop(dir, "nobody", err, sizeof(err)) != 0)
		return 1;
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid || getgid() != pw->pw_gid)
		return 2;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 3;
	if (access("/marker", R_OK) != 0) /* the old dir is the new root */
		return 4;
	if (dir != NULL && access("/etc/passwd", F_OK) == 0)
		return 5;
	return 0;
}

START_TEST(drop_with_chroot)
{
	char dir[512], marker[600];
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	fp = fopen(marker, "w");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(marker, 0644), 0);
	ck_assert_int_eq(in_child(drop_to_nobody, dir), 0);
}
END_TEST

/* In the child: no chroot, only the user; the file system is unchanged. */
static int
drop_user_only(const char *unused)
{
	struct passwd *pw = getpwnam("nobody");
	char err[256];

	(void)unused;
	if (pw == NULL || priv_drop(NULL, "nobody", err, sizeof(err)) != 0)
		return 1;
	if (getuid() != pw->pw_uid || setuid(0) == 0)
		return 2;
	if (access("/etc/passwd", F_OK) != 0)
		return 3;
	return 0;
}

START_TEST(drop_user_without_chroot)
{
	ck_assert_int_eq(in_child(drop_user_only, NULL), 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("priv");
	TCase *tc = tcase_create("drop");

	tcase_add_test(tc, unknown_user);
	tcase_add_test(tc, missing_root_dir);
	tcase_add_test(tc, drop_with_chroot);
	tcase_add_test(tc, drop_user_without_chroot);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
