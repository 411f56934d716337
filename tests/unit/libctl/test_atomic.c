/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Atomic writes and bounded reads (libctl/atomic.c): the target holds the
 * old or the new content, never a mix, and no temporary file stays behind,
 * on success or failure; the same for a batch of files committed together.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctl/ctl.h>

#include "testutil.h"

/* Number of entries in dir other than . and .. */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
path_in(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);

	ck_assert(n > 0 && (size_t)n < cap);
}

START_TEST(write_new_and_replace)
{
	const char *dir = tu_tmpdir();
	char path[512];
	struct ctl_diag d;
	struct stat st;
	uint8_t *back;
	size_t n;

	path_in(path, sizeof(path), dir, "CTLFile.tlv");
	ck_assert_int_eq(ctl_write_atomic(path, "old content", 11, 0644, &d), CTL_OK);
	back = tu_read(path, &n);
	ck_assert_uint_eq(n, 11);
	ck_assert_mem_eq(back, "old content", 11);
	free(back);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(entries(dir), 1);

	ck_assert_int_eq(ctl_write_atomic(path, "new", 3, 0600, &d), CTL_OK);
	back = tu_read(path, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(back, "new", 3);
	free(back);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(entries(dir), 1);

	/* an empty file is a valid write */
	ck_assert_int_eq(ctl_write_atomic(path, "", 0, 0644, &d), CTL_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(entries(dir), 1);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A relative path (no directory part) goes through the current directory. */
START_TEST(write_relative_path)
{
	const char *dir = tu_tmpdir();
	char cwd[1024];
	struct ctl_diag d;
	uint8_t *back;
	size_t n;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(ctl_write_atomic("ITLFile.tlv", "abc", 3, 0644, &d), CTL_OK);
	back = tu_read("ITLFile.tlv", &n);
	ck_assert_mem_eq(back, "abc", 3);
	free(back);
	ck_assert_int_eq(entries("."), 1);
	unlink("ITLFile.tlv");
	ck_assert_int_eq(chdir(cwd), 0);
	rmdir(dir);
}
END_TEST

/* Failures: CTL_E_IO, the old content (or directory) intact, no temporary left. */
START_TEST(write_failures)
{
	const char *dir = tu_tmpdir();
	char path[512], sub[512], missing[512];
	struct ctl_diag d;
	struct stat st;

	/* the directory does not exist */
	path_in(missing, sizeof(missing), dir, "no/such/dir/CTLFile.tlv");
	ck_assert_int_eq(ctl_write_atomic(missing, "x", 1, 0644, &d), CTL_E_IO);
	ck_assert_int_eq(d.err, CTL_E_IO);
	ck_assert_uint_gt(strlen(d.msg), 0);
	ck_assert_int_eq(entries(dir), 0);

	/* the target is a non-empty directory: rename fails (even as root) */
	path_in(sub, sizeof(sub), dir, "CTLFile.tlv");
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	path_in(path, sizeof(path), sub, "keep");
	ck_assert_int_eq(ctl_write_atomic(path, "kept", 4, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_write_atomic(sub, "x", 1, 0644, &d), CTL_E_IO);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(entries(dir), 1);
	ck_assert_int_eq(entries(sub), 1);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

/*
 * A writer process replaces the file 200 times with alternating contents
 * of different sizes while this process reads it: every read sees exactly
 * one complete version. No timing is assumed: the reader just keeps
 * reading until the writer exits.
 */
START_TEST(readers_see_old_or_new)
{
	enum { NA = 50000, NB = 70001, ROUNDS = 200 };
	const char *dir = tu_tmpdir();
	char path[512];
	static uint8_t a[NA], b[NB];
	struct ctl_diag d;
	pid_t pid;
	int status = 0, reads = 0, done = 0;

	memset(a, 'A', sizeof(a));
	memset(b, 'B', sizeof(b));
	path_in(path, sizeof(path), dir, "CTLFile.tlv");
	ck_assert_int_eq(ctl_write_atomic(path, a, sizeof(a), 0644, &d), CTL_OK);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int i;

		for (i = 0; i < ROUNDS; i++)
			if (ctl_write_atomic(path, i % 2 ? a : b, i % 2 ? sizeof(a) : sizeof(b), 0644,
			                     NULL) != CTL_OK)
				_exit(1);
		_exit(0);
	}
	while (!done) {
		uint8_t *buf = NULL;
		size_t n = 0, k;
		pid_t w = waitpid(pid, &status, WNOHANG);

		ck_assert_int_ge(w, 0);
		done = w == pid;
		ck_assert_int_eq(ctl_read_file(path, CTL_MAX_FILE, &buf, &n, &d), CTL_OK);
		ck_assert_msg(n == NA || n == NB, "read %zu bytes: a torn file", n);
		for (k = 0; k < n; k++)
			if (buf[k] != (n == NA ? 'A' : 'B'))
				break;
		ck_assert_msg(k == n, "byte %zu of a %zu-byte read is mixed", k, n);
		free(buf);
		reads++;
	}
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_gt(reads, 0);
	ck_assert_int_eq(entries(dir), 1);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(read_file_bounds)
{
	const char *dir = tu_tmpdir();
	char path[512];
	struct ctl_diag d;
	uint8_t *buf = (uint8_t *)&buf;
	size_t n = 99;

	path_in(path, sizeof(path), dir, "f");
	ck_assert_int_eq(ctl_write_atomic(path, "0123456789", 10, 0644, &d), CTL_OK);
	/* exactly max, and one byte over */
	ck_assert_int_eq(ctl_read_file(path, 10, &buf, &n, &d), CTL_OK);
	ck_assert_uint_eq(n, 10);
	ck_assert_mem_eq(buf, "0123456789", 10);
	free(buf);
	buf = (uint8_t *)&buf;
	ck_assert_int_eq(ctl_read_file(path, 9, &buf, &n, &d), CTL_E_TOO_LARGE);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(n, 0);
	/* empty */
	ck_assert_int_eq(ctl_write_atomic(path, "", 0, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_read_file(path, 10, &buf, &n, &d), CTL_OK);
	ck_assert_uint_eq(n, 0);
	free(buf);
	/* missing, and not a regular file */
	buf = (uint8_t *)&buf;
	ck_assert_int_eq(ctl_read_file("/nonexistent/x", 10, &buf, &n, &d), CTL_E_IO);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(ctl_read_file(dir, 10, &buf, &n, &d), CTL_E_IO);
	ck_assert_ptr_null(buf);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* The file as the parser reads it: a CTL written atomically loads back. */
START_TEST(write_then_load_sample)
{
	const char *dir = tu_tmpdir();
	char path[512];
	struct ctl_diag d;
	uint8_t *p;
	size_t n;
	struct ctl_file *f = NULL;

	p = tu_read(tu_sample_path(), &n);
	path_in(path, sizeof(path), dir, "ITLSEPB000B4BA0AEE.tlv");
	ck_assert_int_eq(ctl_write_atomic(path, p, n, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_load(path, 0, &f, &d), CTL_OK);
	ck_assert_uint_eq(ctl_file_nrecords(f), 5);
	ctl_file_free(f);
	free(p);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A batch: every file complete after the commit, modes kept, no temporary left, reusable. */
START_TEST(batch_commit_all)
{
	enum { N = 300 };
	const char *dir = tu_tmpdir();
	struct ctl_atomic_batch *b = NULL;
	char name[64], path[512], body[64];
	struct ctl_diag d;
	struct stat st;
	size_t done = 99, n;
	uint8_t *back;
	int i;

	path_in(path, sizeof(path), dir, "f0");
	ck_assert_int_eq(ctl_write_atomic(path, "old", 3, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_new(dir, &b, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_commit(b, &done, &d), CTL_OK); /* empty */
	ck_assert_uint_eq(done, 0);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		snprintf(body, sizeof(body), "content of file %d", i);
		ck_assert_msg(ctl_atomic_batch_add(b, name, body, strlen(body), 0640, &d) == CTL_OK,
		              "%s", d.msg);
	}
	ck_assert_uint_eq(ctl_atomic_batch_count(b), N);
	/* before the commit: the old file untouched, the others not there */
	back = tu_read(path, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(back, "old", 3);
	free(back);
	path_in(path, sizeof(path), dir, "f1");
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(ctl_atomic_batch_commit(b, &done, &d), CTL_OK);
	ck_assert_uint_eq(done, N);
	ck_assert_uint_eq(ctl_atomic_batch_count(b), 0);
	ck_assert_int_eq(entries(dir), N);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		snprintf(body, sizeof(body), "content of file %d", i);
		path_in(path, sizeof(path), dir, name);
		back = tu_read(path, &n);
		ck_assert_uint_eq(n, strlen(body));
		ck_assert_mem_eq(back, body, n);
		free(back);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0640);
	}
	/* reusable; the same name twice: the last one added wins */
	ck_assert_int_eq(ctl_atomic_batch_add(b, "f0", "one", 3, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_add(b, "f0", "two!", 4, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_commit(b, &done, &d), CTL_OK);
	ck_assert_uint_eq(done, 2);
	path_in(path, sizeof(path), dir, "f0");
	back = tu_read(path, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_mem_eq(back, "two!", 4);
	free(back);
	ck_assert_int_eq(entries(dir), N);
	ctl_atomic_batch_free(b);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		path_in(path, sizeof(path), dir, name);
		unlink(path);
	}
	rmdir(dir);
}
END_TEST

/* Not committed: _free leaves the targets as they were and no temporary. */
START_TEST(batch_free_uncommitted)
{
	const char *dir = tu_tmpdir();
	struct ctl_atomic_batch *b = NULL;
	char path[512];
	struct ctl_diag d;
	uint8_t *back;
	size_t n;

	path_in(path, sizeof(path), dir, "keep");
	ck_assert_int_eq(ctl_write_atomic(path, "old", 3, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_new(dir, &b, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_add(b, "keep", "new", 3, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_add(b, "other", "x", 1, 0644, &d), CTL_OK);
	ck_assert_int_eq(entries(dir), 3); /* the two temporaries beside keep */
	ctl_atomic_batch_free(b);
	ck_assert_int_eq(entries(dir), 1);
	back = tu_read(path, &n);
	ck_assert_mem_eq(back, "old", 3);
	free(back);
	unlink(path);
	rmdir(dir);
}
END_TEST

/*
 * Failures: a name with '/', a directory that is not there, a write cut
 * by the file-size limit (the old file intact, no temporary), a rename
 * failing midway (the first renamed, the rest dropped, targets intact).
 */
START_TEST(batch_failures)
{
	const char *dir = tu_tmpdir();
	struct ctl_atomic_batch *b = NULL;
	char path[512], sub[512], keep[512], missing[512];
	static uint8_t big[65536];
	struct ctl_diag d;
	struct stat st;
	size_t done = 99, n;
	uint8_t *back;
	pid_t pid;
	int status = 0;

	path_in(missing, sizeof(missing), dir, "no/such");
	ck_assert_int_eq(ctl_atomic_batch_new(missing, &b, &d), CTL_E_IO);
	ck_assert_ptr_null(b);
	ck_assert_uint_gt(strlen(d.msg), 0);
	ck_assert_int_eq(ctl_atomic_batch_new(dir, &b, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_add(b, "a/b", "x", 1, 0644, &d), CTL_E_INVAL);
	ck_assert_int_eq(ctl_atomic_batch_add(b, "..", "x", 1, 0644, &d), CTL_E_INVAL);
	ck_assert_uint_eq(ctl_atomic_batch_count(b), 0);

	/* the write of the second file fails (file-size limit): the old one intact */
	path_in(path, sizeof(path), dir, "cfg");
	ck_assert_int_eq(ctl_write_atomic(path, "old", 3, 0644, &d), CTL_OK);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 4096, 4096 };
		size_t k = 99;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0 ||
		    ctl_atomic_batch_add(b, "small", "s", 1, 0644, &d) != CTL_OK)
			_exit(2);
		if (ctl_atomic_batch_add(b, "cfg", big, sizeof(big), 0644, &d) != CTL_E_IO ||
		    strstr(d.msg, "cannot write") == NULL)
			_exit(3);
		if (ctl_atomic_batch_commit(b, &k, &d) != CTL_OK || k != 1)
			_exit(4);
		ctl_atomic_batch_free(b);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	back = tu_read(path, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(back, "old", 3);
	free(back);
	path_in(keep, sizeof(keep), dir, "small");
	back = tu_read(keep, &n);
	ck_assert_uint_eq(n, 1);
	free(back);
	unlink(keep);
	ck_assert_int_eq(entries(dir), 1);

	/* the second of three renames fails (the target is a non-empty directory) */
	path_in(sub, sizeof(sub), dir, "sub");
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	path_in(keep, sizeof(keep), sub, "keep");
	ck_assert_int_eq(ctl_write_atomic(keep, "kept", 4, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_add(b, "first", "1", 1, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_add(b, "sub", "2", 1, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_add(b, "cfg", "3", 1, 0644, &d), CTL_OK);
	ck_assert_int_eq(ctl_atomic_batch_commit(b, &done, &d), CTL_E_IO);
	ck_assert_uint_eq(done, 1);
	ck_assert_ptr_nonnull(strstr(d.msg, "cannot rename into"));
	ck_assert_uint_eq(ctl_atomic_batch_count(b), 0);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	back = tu_read(path, &n);
	ck_assert_mem_eq(back, "old", 3);
	free(back);
	path_in(path, sizeof(path), dir, "first");
	back = tu_read(path, &n);
	ck_assert_mem_eq(back, "1", 1);
	free(back);
	ck_assert_int_eq(entries(dir), 3); /* cfg, sub, first: no temporary */
	ctl_atomic_batch_free(b);
	unlink(path);
	path_in(path, sizeof(path), dir, "cfg");
	unlink(path);
	unlink(keep);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("atomic");
	TCase *ok = tcase_create("ok");
	TCase *fail = tcase_create("failures");

	tcase_set_timeout(ok, 120);
	tcase_add_test(ok, write_new_and_replace);
	tcase_add_test(ok, write_relative_path);
	tcase_add_test(ok, readers_see_old_or_new);
	tcase_add_test(ok, write_then_load_sample);
	tcase_add_test(ok, batch_commit_all);
	suite_add_tcase(s, ok);

	tcase_add_test(fail, write_failures);
	tcase_add_test(fail, read_file_bounds);
	tcase_add_test(fail, batch_failures);
	tcase_add_test(fail, batch_free_uncommitted);
	suite_add_tcase(s, fail);
	return s;
}

CTL_TEST_MAIN(make_suite)
