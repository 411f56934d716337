/*
 * TFTP client engine (libtftp/tftp_client.c): source-address blocks,
 * and how often a transfer to a server that never answers sends its RRQ,
 * from which address: every retry (retries bound), never (no_resend), or
 * until idle_ms without progress. The "server" is a plain UDP socket on
 * 127.0.0.1 that only collects what arrives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tftp_client.h"
#include "testutil.h"

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

START_TEST(range_ok)
{
	struct tftp_src_range r;
	union tftp_sa a;

	ck_assert_int_eq(tftp_src_range_parse("127.1.0.0/16", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.1.0.1"));
	ck_assert_uint_eq(r.count, 65534);
	tftp_src_range_addr(&r, 0, &a);
	ck_assert_int_eq(a.sa.sa_family, AF_INET);
	ck_assert_uint_eq(ntohl(a.in4.sin_addr.s_addr), ip4("127.1.0.1"));
	ck_assert_uint_eq(ntohs(a.in4.sin_port), 0);
	tftp_src_range_addr(&r, 65533, &a);
	ck_assert_uint_eq(ntohl(a.in4.sin_addr.s_addr), ip4("127.1.255.254"));
	tftp_src_range_addr(&r, 65534, &a); /* wraps around */
	ck_assert_uint_eq(ntohl(a.in4.sin_addr.s_addr), ip4("127.1.0.1"));
	/* Host bits are ignored: the block is the one the address is in. */
	ck_assert_int_eq(tftp_src_range_parse("127.9.8.7/24", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.9.8.1"));
	ck_assert_uint_eq(r.count, 254);
	ck_assert_int_eq(tftp_src_range_parse("127.0.0.5/32", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.0.0.5"));
	ck_assert_uint_eq(r.count, 1);
	ck_assert_int_eq(tftp_src_range_parse("127.0.0.5/31", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.0.0.4"));
	ck_assert_uint_eq(r.count, 2);
	ck_assert_int_eq(tftp_src_range_parse("127.0.0.0/30", &r), 0);
	ck_assert_uint_eq(r.first, ip4("127.0.0.1"));
	ck_assert_uint_eq(r.count, 2);
	ck_assert_int_eq(tftp_src_range_parse("10.0.0.0/8", &r), 0);
	ck_assert_uint_eq(r.count, (1u << 24) - 2);
}
END_TEST

static const char *const bad_ranges[] = {
	"", "127.1.0.0", "127.1.0.0/", "/16", "127.1.0.0/7", "127.1.0.0/33", "127.1.0.0/16x",
	"127.1.0/16", "300.1.0.0/16", "::1/128", "127.1.0.0/-1", "127.1.0.0/016 ",
	"127.001.000.000.000/16",
};

START_TEST(range_bad)
{
	struct tftp_src_range r;

	ck_assert_int_eq(tftp_src_range_parse(bad_ranges[_i], &r), -1);
}
END_TEST

START_TEST(range_probe)
{
	struct tftp_src_range r;
	union tftp_sa bad;

	ck_assert_int_eq(tftp_src_range_parse("127.1.0.0/16", &r), 0);
	ck_assert_int_eq(tftp_src_range_probe(&r, &bad), 0);
	/* TEST-NET-1: held by no test host. */
	ck_assert_int_eq(tftp_src_range_parse("192.0.2.0/24", &r), 0);
	errno = 0;
	ck_assert_int_eq(tftp_src_range_probe(&r, &bad), -1);
	ck_assert_int_eq(errno, EADDRNOTAVAIL);
	ck_assert_uint_eq(ntohl(bad.in4.sin_addr.s_addr), ip4("192.0.2.1"));
}
END_TEST

/* A silent server and one transfer to it, run to its end. */
struct run {
	int srv;
	union tftp_sa srv_addr;
	struct loop *loop;
	int done;
	struct tftp_result res;
};

static void
on_done(void *arg, const struct tftp_result *r)
{
	struct run *rn = arg;

	rn->done++;
	rn->res = *r;
	loop_stop(rn->loop);
}

static void
run_silent(struct run *rn, const struct tftp_client_cfg *cfg, const union tftp_sa *local)
{
	socklen_t len = sizeof(rn->srv_addr);
	struct tftp_client *c;
	struct tftp_get g;

	memset(rn, 0, sizeof(*rn));
	rn->srv = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(rn->srv, 0);
	rn->srv_addr.in4.sin_family = AF_INET;
	rn->srv_addr.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(rn->srv, &rn->srv_addr.sa, sizeof(rn->srv_addr.in4)), 0);
	ck_assert_int_eq(getsockname(rn->srv, &rn->srv_addr.sa, &len), 0);
	ck_assert_ptr_nonnull(rn->loop = loop_new());
	ck_assert_ptr_nonnull(c = tftp_client_new(rn->loop, cfg));
	memset(&g, 0, sizeof(g));
	g.server = &rn->srv_addr;
	g.file = "CTLSEP001122334455.tlv";
	g.mode = TFTP_MODE_OCTET;
	g.local_addr = local;
	g.done = on_done;
	g.arg = rn;
	ck_assert_int_eq(tftp_client_get(c, &g), 0);
	ck_assert_int_eq(loop_run(rn->loop), 0);
	ck_assert_int_eq(rn->done, 1);
	ck_assert_int_eq(rn->res.err, TFTP_CE_TIMEOUT);
	tftp_client_free(c);
	loop_free(rn->loop);
}

/* RRQs the silent server got; each must come from want_src (host order) and name the file. */
static unsigned
count_rrqs(struct run *rn, uint32_t want_src)
{
	uint8_t pkt[600];
	union tftp_sa from;
	socklen_t flen = sizeof(from);
	unsigned n = 0;
	ssize_t r;

	while ((r = recvfrom(rn->srv, pkt, sizeof(pkt), 0, &from.sa, &flen)) > 0) {
		ck_assert_int_ge(r, 4);
		ck_assert_int_eq(pkt[0], 0);
		ck_assert_int_eq(pkt[1], 1); /* RRQ */
		ck_assert_str_eq((const char *)pkt + 2, "CTLSEP001122334455.tlv");
		ck_assert_uint_eq(ntohl(from.in4.sin_addr.s_addr), want_src);
		n++;
		flen = sizeof(from);
	}
	close(rn->srv);
	return n;
}

START_TEST(resend_every_retry)
{
	struct tftp_client_cfg cfg = { .timeout_ms = 10, .retries = 3 };
	struct run rn;

	run_silent(&rn, &cfg, NULL);
	ck_assert_uint_eq(rn.res.retransmits, 3);
	ck_assert_uint_eq(count_rrqs(&rn, ip4("127.0.0.1")), 4);
}
END_TEST

START_TEST(no_resend)
{
	struct tftp_client_cfg cfg = { .timeout_ms = 10, .retries = 3, .no_resend = 1 };
	struct run rn;

	run_silent(&rn, &cfg, NULL);
	ck_assert_uint_eq(rn.res.retransmits, 0);
	ck_assert_uint_eq(count_rrqs(&rn, ip4("127.0.0.1")), 1);
	/* It waited as long as the retries would have (4 x 10 ms), not one timeout. */
	ck_assert_uint_ge(rn.res.ms, 40);
}
END_TEST

START_TEST(idle_limit)
{
	/* Retries unbounded: only idle_ms ends the transfer. */
	struct tftp_client_cfg cfg = { .timeout_ms = 20, .retries = UINT32_MAX, .idle_ms = 100 };
	struct run rn;
	unsigned n;

	run_silent(&rn, &cfg, NULL);
	n = count_rrqs(&rn, ip4("127.0.0.1"));
	ck_assert_uint_ge(rn.res.ms, 100);
	ck_assert_uint_eq(n, rn.res.retransmits + 1);
	/* At most one RRQ per 20 ms of the 100 (fewer when the machine is slow). */
	ck_assert_uint_ge(n, 2);
	ck_assert_uint_le(n, 5);
}
END_TEST

START_TEST(local_address)
{
	struct tftp_client_cfg cfg = { .timeout_ms = 10, .retries = 1 };
	struct tftp_src_range r;
	union tftp_sa src;
	struct run rn;

	ck_assert_int_eq(tftp_src_range_parse("127.77.0.0/16", &r), 0);
	tftp_src_range_addr(&r, 41, &src);
	run_silent(&rn, &cfg, &src);
	ck_assert_uint_eq(count_rrqs(&rn, ip4("127.77.0.42")), 2);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_client");
	TCase *range = tcase_create("range");
	TCase *mal = tcase_create("malformed");
	TCase *resend = tcase_create("resend");

	tcase_add_test(range, range_ok);
	tcase_add_test(range, range_probe);
	tcase_add_loop_test(mal, range_bad, 0, (int)(sizeof(bad_ranges) / sizeof(bad_ranges[0])));
	tcase_add_test(resend, resend_every_retry);
	tcase_add_test(resend, no_resend);
	tcase_add_test(resend, idle_limit);
	tcase_add_test(resend, local_address);
	suite_add_tcase(s, range);
	suite_add_tcase(s, mal);
	suite_add_tcase(s, resend);
	return s;
}

CTL_TEST_MAIN(make_suite)
