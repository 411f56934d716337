/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node daemons' log line (tftp-server/common/logline.c): the layout
 * "DATE TIME.mmm PROG: text", and the escaping every line gets, whatever a
 * caller passed: control bytes (C0, DEL, C1, raw or UTF-8 encoded) and
 * invalid UTF-8 as \xHH; valid UTF-8 and text a caller already escaped
 * unchanged; a line too long cut, still one line. For journald
 * ($JOURNAL_STREAM naming stderr): "<N>text", N the syslog priority.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <ctl/text.h>

#include "testutil.h"
#include "logline.h"

static void
log_it(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logline_write("prog", fmt, ap);
	va_end(ap);
}

/* What one logline_write call wrote to stderr; free() the result. */
static char *
logged(const char *fmt, const char *arg)
{
	char path[512];
	size_t len = 0;
	uint8_t *b;
	char *s;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/err", tu_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_it(fmt, arg);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(fd);
	b = tu_read(path, &len);
	s = malloc(len + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, b, len);
	s[len] = '\0';
	free(b);
	return s;
}

/* The text after "PROG: ", without the newline; checks the line's frame. */
static const char *
body(char *line)
{
	char *p = strstr(line, " prog: ");
	size_t n = strlen(line);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(line[n - 1], '\n');
	ck_assert_ptr_eq(strchr(line, '\n'), line + n - 1);
	line[n - 1] = '\0';
	/* "YYYY-MM-DD HH:MM:SS.mmm" */
	ck_assert_uint_eq((size_t)(p - line), 23);
	ck_assert_int_eq(line[4], '-');
	ck_assert_int_eq(line[19], '.');
	return p + 7;
}

START_TEST(plain_text)
{
	char *l = logged("login ok for user %s", "admin");

	ck_assert_str_eq(body(l), "login ok for user admin");
	free(l);
}
END_TEST

START_TEST(control_bytes_escaped)
{
	static const char *const cases[][2] = {
		{ "a\x1b[2Jb", "a\\x1b[2Jb" },           /* ESC: a terminal sequence */
		{ "x\ny", "x\\x0ay" },                    /* a forged second line */
		{ "del\x7f", "del\\x7f" },
		{ "c1\xc2\x9b" "31m", "c1\\xc2\\x9b31m" }, /* U+009B, CSI in UTF-8 */
		{ "raw\x85", "raw\\x85" },                /* a raw C1 byte (invalid UTF-8) */
		{ "bad\xff\xfe", "bad\\xff\\xfe" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },         /* valid UTF-8 stays */
	};
	char *l = logged("user %s", cases[_i][0]);
	char want[128];

	snprintf(want, sizeof(want), "user %s", cases[_i][1]);
	ck_assert_str_eq(body(l), want);
	free(l);
}
END_TEST

/* A field the caller escaped with ctl_text_escape is not escaped twice. */
START_TEST(escaped_field_unchanged)
{
	char esc[64], *l;

	ctl_text_escape(esc, sizeof(esc), "a\x1b\\b", 4);
	ck_assert_str_eq(esc, "a\\x1b\\\\b");
	l = logged("user %s", esc);
	ck_assert_str_eq(body(l), "user a\\x1b\\\\b");
	free(l);
}
END_TEST

START_TEST(long_line_cut)
{
	char big[6000], *l;
	const char *b;

	memset(big, '\x01', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	l = logged("%s", big);
	b = body(l);
	ck_assert_uint_gt(strlen(b), 1000);
	ck_assert_uint_lt(strlen(l), 2048);
	ck_assert_uint_eq(strlen(b) % 4, 0); /* whole \x01 escapes only */
	ck_assert_int_eq(strncmp(b, "\\x01\\x01", 8), 0);
	free(l);
}
END_TEST

/* logline_format for the journal: "<N>text\n", no time, no name. */
START_TEST(journal_prefix)
{
	struct timespec ts = { 1767115542, 0 };
	char line[256];
	size_t n;

	n = logline_format(line, sizeof(line), LOGLINE_JOURNAL, LOG_WARNING, "prog", &ts,
	                   "login failed\x01", 13);
	ck_assert_str_eq(line, "<4>login failed\\x01\n");
	ck_assert_uint_eq(n, strlen(line));
	logline_format(line, sizeof(line), LOGLINE_JOURNAL, LOG_DEBUG, "prog", &ts, "x", 1);
	ck_assert_str_eq(line, "<7>x\n");
	logline_format(line, sizeof(line), LOGLINE_JOURNAL, LOG_ERR, "prog", &ts, "x", 1);
	ck_assert_str_eq(line, "<3>x\n");
	/* The plain form keeps time and name, whatever the priority. */
	n = logline_format(line, sizeof(line), LOGLINE_STDERR, LOG_ERR, "prog", &ts, "x", 1);
	ck_assert_uint_eq(n, 23 + strlen(" prog: x\n"));
	ck_assert_str_eq(line + 23, " prog: x\n");
}
END_TEST

/* "DEV:INO" must name exactly stderr's file. */
START_TEST(journal_stream_match)
{
	ck_assert_int_eq(logline_journal_stream("8:1234", 8, 1234), 1);
	ck_assert_int_eq(logline_journal_stream("8:1234", 8, 1235), 0);
	ck_assert_int_eq(logline_journal_stream("9:1234", 8, 1234), 0);
	ck_assert_int_eq(logline_journal_stream("8:1234x", 8, 1234), 0);
	ck_assert_int_eq(logline_journal_stream("8", 8, 1234), 0);
	ck_assert_int_eq(logline_journal_stream("", 8, 1234), 0);
	ck_assert_int_eq(logline_journal_stream(NULL, 8, 1234), 0);
}
END_TEST

/* A line too long for the buffer is cut, still "<N>" first and one newline last. */
START_TEST(journal_cut)
{
	struct timespec ts = { 0, 0 };
	char line[80], text[300];

	memset(text, 'a', sizeof(text));
	ck_assert_uint_eq(logline_format(line, sizeof(line), LOGLINE_JOURNAL, LOG_INFO, "p", &ts, text,
	                                 sizeof(text)), sizeof(line) - 1);
	ck_assert_int_eq(strncmp(line, "<6>aaa", 6), 0);
	ck_assert_int_eq(line[sizeof(line) - 2], '\n');
	ck_assert_int_eq(line[sizeof(line) - 1], '\0');
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("logline");
	TCase *tc = tcase_create("ok");

	tcase_add_test(tc, plain_text);
	tcase_add_loop_test(tc, control_bytes_escaped, 0, 7);
	tcase_add_test(tc, escaped_field_unchanged);
	tcase_add_test(tc, long_line_cut);
	tcase_add_test(tc, journal_prefix);
	tcase_add_test(tc, journal_stream_match);
	tcase_add_test(tc, journal_cut);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
