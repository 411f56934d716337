/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PIN sources (ctl-client/pin.c): PIN files (mode, line ends, length),
 * pin-source forms, CTL_TOKEN_PIN (wiped and unset), "PIN given two ways"
 * and no prompt when prompting is off. The terminal prompt itself is
 * libctl's (tests/unit/libctl/test_secret.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pin.h"
#include "testutil.h"

static const char *
pin_file(const char *content, size_t n, mode_t mode)
{
	static char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/pin", tu_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, n), (ssize_t)n);
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static void
pin_ok(const struct pin_opts *o, const char *src, const char *want, const char *origin)
{
	struct pin *p = NULL;
	struct p11_diag d;

	ck_assert_msg(pin_get(o, src, "PIN: ", &p, &d) == P11_OK, "%s", d.msg);
	ck_assert_str_eq(pin_value(p), want);
	ck_assert_str_eq(pin_origin(p), origin);
	pin_free(p);
}

static void
pin_bad(const struct pin_opts *o, const char *src, enum p11_err want, const char *part)
{
	struct pin *p = (struct pin *)1;
	struct p11_diag d;

	ck_assert_int_eq(pin_get(o, src, "PIN: ", &p, &d), want);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(d.msg, part) != NULL, "'%s' not in '%s'", part, d.msg);
}

START_TEST(pin_file_line_ends)
{
	struct pin_opts o = { NULL, 1 };

	unsetenv(PIN_ENV);
	o.file = pin_file("1234", 4, 0600);
	pin_ok(&o, NULL, "1234", "--pin-file");
	o.file = pin_file("1234\n", 5, 0600);
	pin_ok(&o, NULL, "1234", "--pin-file");
	o.file = pin_file("1234\r\n", 6, 0400);
	pin_ok(&o, NULL, "1234", "--pin-file");
	o.file = pin_file("12 34\n\n", 7, 0600); /* only one line end is removed */
	pin_ok(&o, NULL, "12 34\n", "--pin-file");
}
END_TEST

START_TEST(pin_source_forms)
{
	const char *path = pin_file("5678\n", 5, 0600);
	char uri[600];

	unsetenv(PIN_ENV);
	pin_ok(NULL, path, "5678", "pin-source in the token URI");
	snprintf(uri, sizeof(uri), "file:%s", path);
	pin_ok(NULL, uri, "5678", "pin-source in the token URI");
	snprintf(uri, sizeof(uri), "file://%s", path);
	pin_ok(NULL, uri, "5678", "pin-source in the token URI");
	pin_bad(NULL, "|/bin/echo 1234", P11_E_PIN_SOURCE, "commands");
	pin_bad(NULL, "file:", P11_E_PIN_SOURCE, "names no file");
}
END_TEST

START_TEST(pin_file_refused)
{
	struct pin_opts o = { NULL, 1 };
	char big[400];

	unsetenv(PIN_ENV);
	o.file = pin_file("1234", 4, 0640);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "accessible by group or others (mode 0640)");
	o.file = pin_file("1234", 4, 0604);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "chmod 600");
	o.file = pin_file("\n", 1, 0600);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "the PIN is empty");
	o.file = pin_file("12\0" "34", 5, 0600);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "NUL byte");
	memset(big, '7', sizeof(big));
	o.file = pin_file(big, sizeof(big), 0600);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "longer than 255 bytes");
	o.file = "/nonexistent/pin";
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "No such file");
	o.file = tu_tmpdir();
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "not a regular file");
}
END_TEST

START_TEST(pin_env_wiped)
{
	char *v;

	setenv(PIN_ENV, "24682468", 1);
	v = getenv(PIN_ENV);
	pin_ok(NULL, NULL, "24682468", PIN_ENV);
	ck_assert_ptr_null(getenv(PIN_ENV));
	(void)v; /* the old string was wiped in place; setenv's copy is gone */
}
END_TEST

START_TEST(pin_two_ways)
{
	struct pin_opts o = { NULL, 1 };

	o.file = pin_file("1234", 4, 0600);
	setenv(PIN_ENV, "1", 1);
	pin_bad(&o, NULL, P11_E_PIN_CONFLICT, "PIN given two ways (--pin-file and CTL_TOKEN_PIN)");
	pin_bad(NULL, "/x", P11_E_PIN_CONFLICT, "pin-source in the token URI and CTL_TOKEN_PIN");
	unsetenv(PIN_ENV);
	pin_bad(&o, "/x", P11_E_PIN_CONFLICT, "--pin-file and pin-source");
	o.file = NULL;
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "prompting is off");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("pin");
	TCase *pin = tcase_create("pin");

	tcase_add_test(pin, pin_file_line_ends);
	tcase_add_test(pin, pin_source_forms);
	tcase_add_test(pin, pin_file_refused);
	tcase_add_test(pin, pin_env_wiped);
	tcase_add_test(pin, pin_two_ways);
	suite_add_tcase(s, pin);
	return s;
}

CTL_TEST_MAIN(make_suite)
