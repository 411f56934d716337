/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Numeric socket addresses (libtftp/tftp_addr.c): "ADDR:PORT" parsing for
 * IPv4 and bracketed IPv6, default ports, port bounds (0 only for a
 * listener), everything that is not a numeric address refused with the
 * output cleared; printing, equality and hashes with and without the port.
 */
#include <arpa/inet.h>
#include <string.h>

#include "tftp_addr.h"
#include "testutil.h"

static void
parse_ok(const char *s, unsigned def, const char *want)
{
	union tftp_sa a;
	socklen_t len = 0;
	char buf[TFTP_ADDRSTR];

	ck_assert_msg(tftp_addr_parse(s, def, &a, &len) == 0, "%s refused", s);
	ck_assert_uint_eq(len, tftp_addr_len(&a));
	ck_assert_str_eq(tftp_addr_str(&a, buf, sizeof(buf)), want);
}

static void
parse_bad(const char *s)
{
	union tftp_sa a;
	socklen_t len = 99;

	memset(&a, 0xa5, sizeof(a));
	ck_assert_msg(tftp_addr_parse(s, 69, &a, &len) == -1, "%s accepted", s);
	ck_assert_uint_eq(len, 0);
	ck_assert_uint_eq(a.sa.sa_family, 0);
}

START_TEST(parse_forms)
{
	parse_ok("127.0.0.1:16969", 69, "127.0.0.1:16969");
	parse_ok("127.0.0.1", 69, "127.0.0.1:69");
	parse_ok("[::1]:16969", 69, "[::1]:16969");
	parse_ok("[::1]", 69, "[::1]:69");
	parse_ok("::1", 6969, "[::1]:6969");
	/* Without brackets an IPv6 address takes no port: all of it is the address. */
	parse_ok("2001:db8::1:69", 6969, "[2001:db8::1:69]:6969");
	parse_ok("10.0.0.1:65535", 69, "10.0.0.1:65535");
	parse_ok("10.0.0.1:1", 69, "10.0.0.1:1");
}
END_TEST

START_TEST(parse_refused)
{
	static const char *bad[] = {
		"", ":69", "localhost", "localhost:69", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:+69", "127.0.0.1:6 9", "127.0.0.1:69x", "127.0.0.256",
		"[::1", "[::1]x", "[::1]:", "[]:69", "[127.0.0.1]:69x", "[::1]:99999",
		"1.2.3.4.5", "[0123456789abcdef0123456789abcdef0123456789abcdef]:69",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_bad(bad[i]);
}
END_TEST

/* Port 0 asks the kernel for a port: only for an address to bind. */
START_TEST(listen_port_zero)
{
	union tftp_sa a;
	socklen_t len;
	char buf[TFTP_ADDRSTR];

	ck_assert_int_eq(tftp_addr_parse_listen("127.0.0.1:0", 69, &a, &len), 0);
	ck_assert_str_eq(tftp_addr_str(&a, buf, sizeof(buf)), "127.0.0.1:0");
	ck_assert_uint_eq(tftp_addr_port(&a), 0);
	ck_assert_int_eq(tftp_addr_parse_listen("[::1]:0", 69, &a, &len), 0);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(tftp_addr_parse_listen("127.0.0.1:65536", 69, &a, &len), -1);
	ck_assert_int_eq(tftp_addr_parse("127.0.0.1:0", 69, &a, &len), -1);
}
END_TEST

START_TEST(print_bounds)
{
	union tftp_sa a;
	socklen_t len;
	char small[8], one[1];

	ck_assert_int_eq(tftp_addr_parse("[2001:db8::1234:5678]:65535", 69, &a, &len), 0);
	/* Too small a buffer gets "?", never a cut address. */
	ck_assert_str_eq(tftp_addr_str(&a, small, sizeof(small)), "?");
	ck_assert_str_eq(tftp_addr_str(&a, one, sizeof(one)), "");
	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(tftp_addr_str(&a, small, sizeof(small)), "?");  /* no family */
}
END_TEST

START_TEST(equality_and_hashes)
{
	union tftp_sa a, b, c, d, e;
	socklen_t len;

	ck_assert_int_eq(tftp_addr_parse("127.0.0.1:1000", 69, &a, &len), 0);
	ck_assert_int_eq(tftp_addr_parse("127.0.0.1:1000", 69, &b, &len), 0);
	ck_assert_int_eq(tftp_addr_parse("127.0.0.1:1001", 69, &c, &len), 0);
	ck_assert_int_eq(tftp_addr_parse("127.0.0.2:1000", 69, &d, &len), 0);
	ck_assert_int_eq(tftp_addr_parse("[::ffff:127.0.0.1]:1000", 69, &e, &len), 0);
	ck_assert_int_eq(tftp_addr_eq(&a, &b), 1);
	ck_assert_uint_eq(tftp_addr_hash(&a), tftp_addr_hash(&b));
	ck_assert_int_eq(tftp_addr_eq(&a, &c), 0);
	ck_assert_int_eq(tftp_addr_eq(&a, &d), 0);
	ck_assert_int_eq(tftp_addr_eq(&a, &e), 0);        /* another family is another address */
	ck_assert_int_eq(tftp_addr_host_eq(&a, &c), 1);   /* same host, other port */
	ck_assert_uint_eq(tftp_addr_host_hash(&a), tftp_addr_host_hash(&c));
	ck_assert_int_eq(tftp_addr_host_eq(&a, &d), 0);
	ck_assert_int_eq(tftp_addr_host_eq(&a, &e), 0);
	ck_assert_uint_eq(tftp_addr_port(&c), 1001);
	ck_assert_uint_eq(tftp_addr_port(&e), 1000);
	ck_assert_uint_eq(tftp_addr_len(&a), sizeof(struct sockaddr_in));
	ck_assert_uint_eq(tftp_addr_len(&e), sizeof(struct sockaddr_in6));
	/* The port is part of the full hash (these two happen to differ; equality is what matters). */
	ck_assert_uint_ne(tftp_addr_hash(&a), tftp_addr_hash(&c));
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_addr");
	TCase *ok = tcase_create("ok");
	TCase *mal = tcase_create("malformed");

	tcase_add_test(ok, parse_forms);
	tcase_add_test(ok, listen_port_zero);
	tcase_add_test(ok, equality_and_hashes);
	tcase_add_test(mal, parse_refused);
	tcase_add_test(mal, print_bounds);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, mal);
	return s;
}

CTL_TEST_MAIN(make_suite)
