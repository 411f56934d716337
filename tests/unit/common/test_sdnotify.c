/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systemd's readiness datagram (tftp-server/common/sdnotify.c): sent to a
 * socket path and to an abstract name ("@name"), exactly the state text;
 * nothing without $NOTIFY_SOCKET; a name that is neither refused.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "testutil.h"
#include "sdnotify.h"

/* A datagram socket bound to name ('@' first: abstract). */
static int
bound(const char *name)
{
	struct sockaddr_un sa;
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa,
	                      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)), 0);
	return fd;
}

static void
expect(int fd, const char *want)
{
	char buf[256];
	ssize_t r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_int_eq(r, (ssize_t)strlen(want));
	buf[r] = '\0';
	ck_assert_str_eq(buf, want);
}

START_TEST(path_socket)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/notify", tu_tmpdir());
	fd = bound(path);
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(sdnotify_send("READY=1"), 1);
	expect(fd, "READY=1");
	sdnotify_stopping();
	expect(fd, "STOPPING=1");
	close(fd);
}
END_TEST

START_TEST(abstract_socket)
{
	char name[64], buf[256];
	ssize_t r;
	int fd;

	snprintf(name, sizeof(name), "@ctltest-notify-%ld", (long)getpid());
	fd = bound(name);
	setenv("NOTIFY_SOCKET", name, 1);
	sdnotify_ready();
	expect(fd, "READY=1");
	sdnotify_reloading();
	r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	ck_assert_int_gt(r, 0);
	buf[r] = '\0';
	ck_assert_int_eq(strncmp(buf, "RELOADING=1\nMONOTONIC_USEC=", 27), 0);
	ck_assert_uint_gt(strtoull(buf + 27, NULL, 10), 0);
	close(fd);
}
END_TEST

START_TEST(unset_or_bad)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(sdnotify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_int_eq(sdnotify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/name", 1);
	ck_assert_int_eq(sdnotify_send("READY=1"), -1);
	setenv("NOTIFY_SOCKET", "/nonexistent-ctltest/notify", 1);
	ck_assert_int_eq(sdnotify_send("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("sdnotify");
	TCase *tc = tcase_create("ok");

	tcase_add_test(tc, path_socket);
	tcase_add_test(tc, abstract_socket);
	tcase_add_test(tc, unset_or_bad);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
