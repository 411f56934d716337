/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kvconf.c: string and number values with their bounds, listen addresses
 * (with and without a bare port), a secret's mode, a file's errors
 * named FILE:LINE, and the command line's overrides.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "kvconf.h"

static const char *
write_file(const char *name, const char *text)
{
	static char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tu_tmpdir(), name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	return path;
}

START_TEST(values)
{
	char s[4], err[256], addr[64];
	unsigned u = 0, port = 0;

	ck_assert_int_eq(kv_set_str(s, sizeof(s), "k", "abc", err, sizeof(err)), 0);
	ck_assert_str_eq(s, "abc");
	ck_assert_int_eq(kv_set_str(s, sizeof(s), "k", "abcd", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "k: value empty or longer than 3 bytes");
	ck_assert_int_eq(kv_set_uint(&u, "n", "12", 1, 12, err, sizeof(err)), 0);
	ck_assert_uint_eq(u, 12);
	ck_assert_int_eq(kv_set_uint(&u, "n", "13", 1, 12, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "n: '13' is not a number in 1..12");

	ck_assert_int_eq(kv_set_listen("[::1]:2445", "::", 0, addr, sizeof(addr), &port, err,
	                               sizeof(err)), 0);
	ck_assert_str_eq(addr, "::1");
	ck_assert_uint_eq(port, 2445);
	ck_assert_int_eq(kv_set_listen(":0", "::", 0, addr, sizeof(addr), &port, err, sizeof(err)), 0);
	ck_assert_str_eq(addr, "::");
	ck_assert_int_eq(kv_set_listen("2444", "0.0.0.0", 1, addr, sizeof(addr), &port, err,
	                               sizeof(err)), 0);
	ck_assert_str_eq(addr, "0.0.0.0");
	ck_assert_uint_eq(port, 2444);
	ck_assert_int_eq(kv_set_listen("2444", "::", 0, addr, sizeof(addr), &port, err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err, "listen: expected ADDR:PORT, got '2444'");
	ck_assert_int_eq(kv_set_listen("host:1", "::", 0, addr, sizeof(addr), &port, err, sizeof(err)),
	                 -1);
	ck_assert_str_eq(err, "listen: 'host' is not a numeric IPv4 or IPv6 address");
}
END_TEST

START_TEST(secret_mode)
{
	const char *p = write_file("key.pem", "x");
	char err[512];

	ck_assert_int_eq(chmod(p, 0600), 0);
	ck_assert_int_eq(kv_secret_mode_check("tls_key", p, err, sizeof(err)), 0);
	ck_assert_int_eq(chmod(p, 0640), 0);
	ck_assert_int_eq(kv_secret_mode_check("tls_key", p, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "mode 0640 lets group or others read or write it"));
}
END_TEST

struct seen {
	unsigned n;
	char origin[1100];
};

static int
set_one(void *ctx, const char *key, const char *val, const char *origin, char *err, size_t errlen)
{
	struct seen *s = ctx;

	if (strcmp(key, "bad") == 0)
		return kv_fail(err, errlen, "bad: '%s' refused", val);
	s->n++;
	snprintf(s->origin, sizeof(s->origin), "%s", origin);
	return 0;
}

START_TEST(load_errors_name_the_line)
{
	struct seen s = { 0 };
	char err[1500], want[1500];
	const char *p;

	p = write_file("ok.conf", "# x\na = 1\n\nb = 2\n");
	ck_assert_int_eq(kv_load(p, set_one, &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.n, 2);
	snprintf(want, sizeof(want), "%s:4", p);
	ck_assert_str_eq(s.origin, want);

	p = write_file("bad.conf", "a = 1\nbad = 7\n");
	ck_assert_int_eq(kv_load(p, set_one, &s, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: bad: '7' refused", p);
	ck_assert_str_eq(err, want);

	p = write_file("noeq.conf", "a = 1\nnothing\n");
	ck_assert_int_eq(kv_load(p, set_one, &s, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: expected key = value", p);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(kv_load("/nonexistent/x.conf", set_one, &s, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/x.conf: cannot open: No such file or directory");
}
END_TEST

START_TEST(overrides)
{
	struct kv_overrides o = { 0 };
	char a[] = "ttl=60", b[] = "no-equals", c[] = "x=1";
	unsigned i;

	ck_assert_int_eq(kv_override_add(&o, NULL, a), 0);
	ck_assert_int_eq(kv_override_add(&o, "listen", c), 0);
	ck_assert_int_eq(kv_override_add(&o, NULL, b), -1);
	ck_assert_uint_eq(o.n, 2);
	ck_assert_str_eq(o.ov[0].key, "ttl");
	ck_assert_str_eq(o.ov[0].val, "60");
	ck_assert_str_eq(o.ov[1].key, "listen");
	ck_assert_str_eq(o.ov[1].val, "x=1");
	for (i = 2; i < 64; i++)
		ck_assert_int_eq(kv_override_add(&o, "k", c), 0);
	ck_assert_int_eq(kv_override_add(&o, "k", c), -1);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("kvconf");
	TCase *tc = tcase_create("kvconf");

	tcase_add_test(tc, values);
	tcase_add_test(tc, secret_mode);
	tcase_add_test(tc, load_errors_name_the_line);
	tcase_add_test(tc, overrides);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
