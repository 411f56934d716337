/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rollout_writer.c: a real writer process (forked by the test) writes the
 * bytes it is given, one write at a time; says why a write failed; a
 * writer that was killed is reported gone, with the signal; stopping lets
 * the current write finish; the writer holds none of the daemon's sockets.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "rollout_writer.h"

static char dir[] = "/tmp/test_rollout_writer.XXXXXX";

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/test_rollout_writer.XXXXXX");
}

/* The file's bytes (at most cap), their count; -1 when it cannot be read. */
static long
slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

START_TEST(writes_what_it_is_given)
{
	char path[256], msg[256];
	uint8_t got[64];
	struct rollout_writer *w;

	snprintf(path, sizeof(path), "%s/rollout.state", dir);
	ck_assert_ptr_nonnull(w = rollout_writer_new(path));
	ck_assert_int_gt(rollout_writer_pid(w), 0);
	ck_assert_int_eq(rollout_writer_poll(w, 0, msg, sizeof(msg)), ROLLOUT_WRITER_IDLE);
	ck_assert_int_eq(rollout_writer_send(w, (const uint8_t *)"first table", 11), 0);
	/* One write at a time: the next waits until this one's outcome is read. */
	ck_assert_int_eq(rollout_writer_send(w, (const uint8_t *)"x", 1), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(rollout_writer_poll(w, 1, msg, sizeof(msg)), ROLLOUT_WRITER_DONE);
	ck_assert_int_eq(slurp(path, got, sizeof(got)), 11);
	ck_assert_mem_eq(got, "first table", 11);
	/* Replaced whole, not appended or overwritten in place. */
	ck_assert_int_eq(rollout_writer_send(w, (const uint8_t *)"second", 6), 0);
	ck_assert_int_eq(rollout_writer_poll(w, 1, msg, sizeof(msg)), ROLLOUT_WRITER_DONE);
	ck_assert_int_eq(slurp(path, got, sizeof(got)), 6);
	ck_assert_mem_eq(got, "second", 6);
	ck_assert_int_eq(rollout_writer_poll(w, 0, msg, sizeof(msg)), ROLLOUT_WRITER_IDLE);
	rollout_writer_free(w);
}
END_TEST

START_TEST(a_failed_write_says_why)
{
	char path[256], msg[256];
	struct rollout_writer *w;

	snprintf(path, sizeof(path), "%s/no-such-dir/rollout.state", dir);
	ck_assert_ptr_nonnull(w = rollout_writer_new(path));
	ck_assert_int_eq(rollout_writer_send(w, (const uint8_t *)"table", 5), 0);
	ck_assert_int_eq(rollout_writer_poll(w, 1, msg, sizeof(msg)), ROLLOUT_WRITER_FAILED);
	ck_assert_msg(strstr(msg, "no-such-dir") != NULL && strstr(msg, strerror(ENOENT)) != NULL,
	              "message: %s", msg);
	/* The writer is still there for the next one. */
	ck_assert_int_gt(rollout_writer_pid(w), 0);
	ck_assert_int_eq(rollout_writer_send(w, (const uint8_t *)"table", 5), 0);
	ck_assert_int_eq(rollout_writer_poll(w, 1, msg, sizeof(msg)), ROLLOUT_WRITER_FAILED);
	rollout_writer_free(w);
}
END_TEST

/* A writer killed while a write was in its hands: reported gone, with the signal; never a hang. */
START_TEST(a_killed_writer_is_gone)
{
	char path[256], msg[256];
	struct rollout_writer *w;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/rollout.state", dir);
	ck_assert_ptr_nonnull(w = rollout_writer_new(path));
	pid = rollout_writer_pid(w);
	ck_assert_int_eq(kill(pid, SIGSTOP), 0);
	ck_assert_int_eq(rollout_writer_send(w, (const uint8_t *)"table", 5), 0);
	ck_assert_int_eq(rollout_writer_poll(w, 0, msg, sizeof(msg)), ROLLOUT_WRITER_RUNNING);
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(rollout_writer_poll(w, 1, msg, sizeof(msg)), ROLLOUT_WRITER_GONE);
	ck_assert_msg(strstr(msg, "killed by signal 9") != NULL, "message: %s", msg);
	ck_assert_int_eq(rollout_writer_pid(w), 0);
	ck_assert_int_eq(access(path, F_OK), -1);   /* nothing half-written in its place */
	/* Gone: nothing more is taken. */
	ck_assert_int_eq(rollout_writer_poll(w, 1, msg, sizeof(msg)), ROLLOUT_WRITER_GONE);
	rollout_writer_free(w);
}
END_TEST

/* Stopping (free) right after a send: the write in the writer's hands is finished, whole. */
START_TEST(stopping_lets_the_write_finish)
{
	enum { N = 8 << 20 };
	char path[256];
	uint8_t *big = malloc(N), *got = malloc(N + 1);
	struct rollout_writer *w;

	ck_assert_ptr_nonnull(big);
	ck_assert_ptr_nonnull(got);
	for (size_t i = 0; i < N; i++)
		big[i] = (uint8_t)(i * 31 + (i >> 13));
	snprintf(path, sizeof(path), "%s/rollout.state", dir);
	ck_assert_ptr_nonnull(w = rollout_writer_new(path));
	ck_assert_int_eq(rollout_writer_send(w, big, N), 0);
	rollout_writer_free(w);
	ck_assert_int_eq(slurp(path, got, N + 1), N);
	ck_assert_int_eq(memcmp(got, big, N), 0);
	free(big);
	free(got);
}
END_TEST

/* The writer holds none of the caller's descriptors (an HTTP connection closed must end). */
START_TEST(holds_no_socket_of_ours)
{
	char path[256], fds[64], msg[256];
	struct rollout_writer *w;
	struct dirent *e;
	int sv[2], n = 0;
	DIR *d;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	snprintf(path, sizeof(path), "%s/rollout.state", dir);
	ck_assert_ptr_nonnull(w = rollout_writer_new(path));
	/* Once it has written, it has surely closed what it inherited. */
	ck_assert_int_eq(rollout_writer_send(w, (const uint8_t *)"t", 1), 0);
	ck_assert_int_eq(rollout_writer_poll(w, 1, msg, sizeof(msg)), ROLLOUT_WRITER_DONE);
	snprintf(fds, sizeof(fds), "/proc/%ld/fd", (long)rollout_writer_pid(w));
	ck_assert_ptr_nonnull(d = opendir(fds));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n++;
	}
	closedir(d);
	/* Standard input, output, error and its socket: not our pair (nor the test runner's). */
	ck_assert_int_le(n, 4);
	rollout_writer_free(w);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("rollout_writer");
	TCase *tc = tcase_create("rollout_writer");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, writes_what_it_is_given);
	tcase_add_test(tc, a_failed_write_says_why);
	tcase_add_test(tc, a_killed_writer_is_gone);
	tcase_add_test(tc, stopping_lets_the_write_finish);
	tcase_add_test(tc, holds_no_socket_of_ours);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
