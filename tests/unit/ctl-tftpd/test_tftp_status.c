/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Status line (tftp-server/ctl-tftpd/tftp_status.c): every counter under
 * its name, in the order scripts read them; a buffer too small is
 * reported, never silently cut.
 */
#include <stdint.h>
#include <string.h>

#include "tftp_status.h"
#include "testutil.h"

static void
fill(struct tftp_stats *st, struct tftp_status *ss)
{
	memset(st, 0, sizeof(*st));
	memset(ss, 0, sizeof(*ss));
	st->requests = 1;
	st->completed = 2;
	st->failed = 3;
	st->bytes = 4;
	st->active = 5;
	st->peak_active = 6;
	st->refused = 7;
	st->notfound = 8;
	st->busy = 9;
	st->malformed = 10;
	st->duplicates = 11;
	st->retransmits = 12;
	ss->cache.files = 13;
	ss->cache.bytes = 14;
	ss->queued = 15;
	ss->unacked = 16;
	st->stale = 17;
	st->dropped = 18;
	st->evicted = 19;
	st->unreachable = 20;
	st->expired = 21;
	st->notimer = 22;
	ss->st = st;
}

START_TEST(every_counter_named_in_order)
{
	struct tftp_stats st;
	struct tftp_status ss;
	char line[1024];

	fill(&st, &ss);
	ck_assert_int_eq(tftp_status_format(&ss, line, sizeof(line)), 0);
	ck_assert_str_eq(line,
	                 "Status: requests 1 completed 2 failed 3 bytes 4 active 5 peak 6 refused 7 "
	                 "notfound 8 busy 9 malformed 10 duplicates 11 retransmits 12 cached 13 files "
	                 "14 bytes queued 15 unacked 16 stale 17 dropped 18 evicted 19 unreachable 20 "
	                 "expired 21 notimer 22");
}
END_TEST

START_TEST(largest_values_fit)
{
	struct tftp_stats st;
	struct tftp_status ss;
	char line[1024];

	fill(&st, &ss);
	memset(&st, 0xff, sizeof(st));
	ss.cache.files = ss.cache.bytes = ss.queued = ss.unacked = SIZE_MAX;
	ck_assert_int_eq(tftp_status_format(&ss, line, sizeof(line)), 0);
	ck_assert_ptr_nonnull(strstr(line, " notimer 18446744073709551615"));
}
END_TEST

START_TEST(too_small_reported)
{
	struct tftp_stats st;
	struct tftp_status ss;
	char line[40];

	fill(&st, &ss);
	ck_assert_int_eq(tftp_status_format(&ss, line, sizeof(line)), -1);
	ck_assert_uint_eq(strlen(line), sizeof(line) - 1);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_status");
	TCase *ok = tcase_create("ok");
	TCase *lim = tcase_create("limits");

	tcase_add_test(ok, every_counter_named_in_order);
	tcase_add_test(lim, largest_values_fit);
	tcase_add_test(lim, too_small_reported);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, lim);
	return s;
}

CTL_TEST_MAIN(make_suite)
