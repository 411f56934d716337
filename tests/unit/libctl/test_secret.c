/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The secret prompt and secret memory (libctl/secret.c). The prompt is
 * driven through a pseudo-terminal (openpty) that a forked child takes as
 * its controlling terminal: echo is off while it waits (nothing typed is
 * echoed back), and the terminal's echo is back afterwards, also when
 * SIGINT or SIGTERM ends the wait. The memory is zeroed, MADV_DONTDUMP and
 * locked. Every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <ctl/secret.h>

#include "testutil.h"

#define WAIT_MS 10000

/* Finds the smaps entry holding p: its VmFlags line into flags. 0 if found. */
static int
vm_flags(const void *p, char *flags, size_t len)
{
	unsigned long lo, hi, a = (unsigned long)p;
	char line[512];
	int in = 0, rc = -1;
	FILE *f = fopen("/proc/self/smaps", "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			ck_assert_int_lt(strlen(line), len);
			memcpy(flags, line, strlen(line) + 1);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* What the child reports about its prompt. */
struct result {
	int r;
	int locked;
	char val[64];
	char msg[600];
};

struct run {
	pid_t pid;
	int master, slave, res;
	char out[4096]; /* what the child wrote to the terminal */
	size_t outlen;
};

/* Child: takes the pty as controlling terminal (or as stdin/stderr), prompts, reports. */
static void
child(int slave, int res, unsigned flags, size_t max)
{
	struct ctl_secret *s = NULL;
	struct ctl_diag d;
	struct result rs;

	memset(&rs, 0, sizeof(rs));
	memset(&d, 0, sizeof(d));
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) != 0)
		_exit(90);
	if ((flags & CTL_SECRET_STDIN) && (dup2(slave, 0) < 0 || dup2(slave, 2) < 0))
		_exit(91);
	rs.r = ctl_secret_prompt("Secret: ", max, flags, &s, &d);
	if (rs.r == CTL_OK) {
		rs.locked = ctl_secret_locked(s);
		snprintf(rs.val, sizeof(rs.val), "%s", ctl_secret_str(s));
		ctl_secret_free(s);
	} else {
		snprintf(rs.msg, sizeof(rs.msg), "%s", d.msg);
	}
	_exit(write(res, &rs, sizeof(rs)) == (ssize_t)sizeof(rs) ? 0 : 92);
}

static void
start(struct run *r, unsigned flags, size_t max)
{
	int p[2];

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(openpty(&r->master, &r->slave, NULL, NULL, NULL), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ge(r->pid = fork(), 0);
	if (r->pid == 0) {
		close(r->master);
		close(p[0]);
		child(r->slave, p[1], flags, max);
	}
	close(p[1]);
	r->res = p[0];
}

/* Reads the terminal output until it contains want (bounded). */
static void
wait_output(struct run *r, const char *want)
{
	struct pollfd pfd = { r->master, POLLIN, 0 };
	ssize_t k;
	int waited = 0;

	while (strstr(r->out, want) == NULL) {
		ck_assert_msg(waited < WAIT_MS, "no '%s' on the terminal; got '%s'", want, r->out);
		if (poll(&pfd, 1, 100) <= 0) {
			waited += 100;
			continue;
		}
		k = read(r->master, r->out + r->outlen, sizeof(r->out) - 1 - r->outlen);
		ck_assert_int_gt(k, 0);
		r->outlen += (size_t)k;
		r->out[r->outlen] = '\0';
	}
}

static int
echo_on(const struct run *r)
{
	struct termios t;

	ck_assert_int_eq(tcgetattr(r->slave, &t), 0);
	return (t.c_lflag & ECHO) != 0;
}

/* The child's report and exit (bounded); the terminal output after the prompt is drained. */
static void
finish(struct run *r, struct result *rs)
{
	struct pollfd pfd = { r->res, POLLIN, 0 };
	int st = 0, i;

	ck_assert_int_eq(poll(&pfd, 1, WAIT_MS), 1);
	ck_assert_int_eq(read(r->res, rs, sizeof(*rs)), (ssize_t)sizeof(*rs));
	for (i = 0; i < WAIT_MS / 10 && waitpid(r->pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
	wait_output(r, "\n"); /* the newline after the entry */
	close(r->res);
}

static void
cleanup(struct run *r)
{
	close(r->master);
	close(r->slave);
}

START_TEST(prompt_echo_off_then_restored)
{
	struct result rs;
	struct run r;

	start(&r, 0, 64);
	ck_assert(echo_on(&r));
	wait_output(&r, "Secret: ");
	ck_assert_msg(!echo_on(&r), "echo is on while the prompt waits");
	ck_assert_int_eq(write(r.master, "hunter2\n", 8), 8);
	finish(&r, &rs);
	ck_assert_int_eq(rs.r, CTL_OK);
	ck_assert_str_eq(rs.val, "hunter2");
	ck_assert_int_eq(rs.locked, 1);
	ck_assert_msg(strstr(r.out, "hunter2") == NULL, "the secret was echoed: '%s'", r.out);
	ck_assert_msg(echo_on(&r), "echo not restored after the prompt");
	cleanup(&r);
}
END_TEST

static void
interrupted(int sig)
{
	struct result rs;
	struct run r;

	start(&r, 0, 64);
	wait_output(&r, "Secret: ");
	ck_assert(!echo_on(&r));
	ck_assert_int_eq(write(r.master, "hun", 3), 3); /* half typed, no newline */
	ck_assert_int_eq(kill(r.pid, sig), 0);
	finish(&r, &rs);
	ck_assert_int_eq(rs.r, CTL_E_IO);
	ck_assert_str_eq(rs.msg, "entry interrupted");
	ck_assert_msg(echo_on(&r), "echo left off after signal %d", sig);
	cleanup(&r);
}

START_TEST(prompt_sigint_restores_echo)
{
	interrupted(SIGINT);
}
END_TEST

START_TEST(prompt_sigterm_restores_echo)
{
	interrupted(SIGTERM);
}
END_TEST

START_TEST(prompt_stdin_terminal)
{
	struct result rs;
	struct run r;

	start(&r, CTL_SECRET_STDIN, 64);
	wait_output(&r, "Secret: ");
	ck_assert(!echo_on(&r));
	ck_assert_int_eq(write(r.master, "pw-on-stdin\n", 12), 12);
	finish(&r, &rs);
	ck_assert_int_eq(rs.r, CTL_OK);
	ck_assert_str_eq(rs.val, "pw-on-stdin");
	ck_assert(echo_on(&r));
	ck_assert(strstr(r.out, "pw-on-stdin") == NULL);
	cleanup(&r);
}
END_TEST

START_TEST(prompt_too_long_and_empty)
{
	struct result rs;
	struct run r;

	start(&r, 0, 4);
	wait_output(&r, "Secret: ");
	ck_assert_int_eq(write(r.master, "12345\n", 6), 6);
	finish(&r, &rs);
	ck_assert_int_eq(rs.r, CTL_E_TOO_LARGE);
	ck_assert_str_eq(rs.msg, "longer than 4 bytes");
	ck_assert(echo_on(&r));
	cleanup(&r);

	start(&r, 0, 4);
	wait_output(&r, "Secret: ");
	ck_assert_int_eq(write(r.master, "\n", 1), 1);
	finish(&r, &rs);
	ck_assert_int_eq(rs.r, CTL_E_ZERO_LEN);
	ck_assert(echo_on(&r));
	cleanup(&r);

	start(&r, 0, 4);
	wait_output(&r, "Secret: ");
	ck_assert_int_eq(write(r.master, "1234\n", 5), 5); /* exact fit */
	finish(&r, &rs);
	ck_assert_int_eq(rs.r, CTL_OK);
	ck_assert_str_eq(rs.val, "1234");
	cleanup(&r);
}
END_TEST

/* Standard input that is a pipe: no prompt, no terminal change, one line. */
START_TEST(prompt_stdin_pipe)
{
	struct ctl_secret *s = (struct ctl_secret *)1;
	struct ctl_diag d;
	int p[2], saved = dup(0);

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], "from-a-script\r\nsecond line\n", 27), 27);
	close(p[1]);
	ck_assert_int_eq(dup2(p[0], 0), 0);
	ck_assert_int_eq(ctl_secret_prompt("unused: ", 64, CTL_SECRET_STDIN, &s, &d), CTL_OK);
	ck_assert_str_eq(ctl_secret_str(s), "from-a-script");
	ck_assert_uint_eq(ctl_secret_len(s), 13);
	ctl_secret_free(s);
	ck_assert_int_eq(dup2(saved, 0), 0);
	close(p[0]);
	close(saved);
}
END_TEST

START_TEST(no_terminal)
{
	struct ctl_secret *s = (struct ctl_secret *)1;
	struct ctl_diag d;
	int st = 0, i;
	pid_t pid;

	/*
	 * A new session has no controlling terminal, so /dev/tty cannot be
	 * opened (in a grandchild: Check makes each test a process group
	 * leader, which setsid() refuses).
	 */
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		if (setsid() < 0)
			_exit(10);
		if (ctl_secret_prompt("Secret: ", 64, 0, &s, &d) != CTL_E_IO)
			_exit(11);
		if (s != NULL)
			_exit(12);
		_exit(strncmp(d.msg, "no terminal to ask on", 21) == 0 ? 0 : 13);
	}
	for (i = 0; i < WAIT_MS / 10 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status 0x%x", st);
}
END_TEST

START_TEST(memory_locked_and_not_dumped)
{
	struct ctl_secret *s = ctl_secret_new(1024);
	char flags[512];
	size_t i;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(ctl_secret_max(s), 1024);
	for (i = 0; i < 1025; i++)
		ck_assert_int_eq(ctl_secret_data(s)[i], 0);
	memcpy(ctl_secret_data(s), "Adm1n-secret", 12);
	ctl_secret_set_len(s, 12);
	ck_assert_str_eq(ctl_secret_str(s), "Adm1n-secret");
	ctl_secret_set_len(s, 5000); /* clamped to max */
	ck_assert_uint_eq(ctl_secret_len(s), 1024);
	ck_assert_int_eq(ctl_secret_locked(s), 1);
	ck_assert_int_eq(vm_flags(ctl_secret_data(s), flags, sizeof(flags)), 0);
	ck_assert_msg(strstr(flags, " dd") != NULL, "not MADV_DONTDUMP: %s", flags);
#if !defined(__SANITIZE_ADDRESS__)
	/* ASan turns mlock into a no-op that reports success. */
	ck_assert_msg(strstr(flags, " lo") != NULL, "not locked: %s", flags);
#endif
	ctl_secret_free(s);
	ctl_secret_free(NULL);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("secret");
	TCase *tty = tcase_create("terminal"), *mem = tcase_create("memory");

	tcase_add_test(tty, prompt_echo_off_then_restored);
	tcase_add_test(tty, prompt_sigint_restores_echo);
	tcase_add_test(tty, prompt_sigterm_restores_echo);
	tcase_add_test(tty, prompt_stdin_terminal);
	tcase_add_test(tty, prompt_too_long_and_empty);
	tcase_add_test(tty, prompt_stdin_pipe);
	tcase_add_test(tty, no_terminal);
	tcase_set_timeout(tty, 60);
	tcase_add_test(mem, memory_locked_and_not_dumped);
	suite_add_tcase(s, tty);
	suite_add_tcase(s, mem);
	return s;
}

CTL_TEST_MAIN(make_suite)
