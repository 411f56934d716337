/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier/console.c: events printed as a phone's console lines and
 * status messages (with and without the SEP<MAC> prefix of fleets), the
 * --json error object of a failing command, its codes, and --json spotted
 * in a command's arguments before they are parsed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "testutil.h"

/* Prints ev through console c (its f set here) on a memory stream; returns the text (static). */
static const char *
print_with(struct pv_console *c, const struct pv_event *ev)
{
	static char out[2048];
	struct pv_phone ph;
	FILE *f = fmemopen(out, sizeof(out), "w");

	ck_assert_ptr_nonnull(f);
	memset(&ph, 0, sizeof(ph));
	memcpy(ph.mac, "0011215A1AE3", 13);
	c->f = f;
	pv_console_event(c, &ph, ev);
	fclose(f);
	return out;
}

/* Prints ev in form, its line numbers continuing from *seq. */
static const char *
print_form(const struct pv_event *ev, int mac_prefix, unsigned *seq, enum pv_form form)
{
	struct pv_console c;
	const char *t;

	memset(&c, 0, sizeof(c));
	c.mac_prefix = mac_prefix;
	c.line_seq = *seq;
	c.form = form;
	t = print_with(&c, ev);
	*seq = c.line_seq;
	return t;
}

/* As print_form (88xx), with the console's verbose switch. */
static const char *
print_verbose(const struct pv_event *ev, int mac_prefix, int verbose)
{
	struct pv_console c;
	const char *t;

	memset(&c, 0, sizeof(c));
	c.mac_prefix = mac_prefix;
	c.form = PV_FORM_88XX;
	c.verbose = verbose;
	t = print_with(&c, ev);
	ck_assert_uint_eq(c.line_seq, 0); /* a note is no console line: no number taken */
	return t;
}

static const char *
print(const struct pv_event *ev, int mac_prefix, unsigned *seq)
{
	return print_form(ev, mac_prefix, seq, PV_FORM_79XX);
}

static struct pv_event
ev_of(enum pv_event_kind k, int err, const char *msg)
{
	struct pv_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = k;
	ev.step = PV_S_CTL;
	ev.file = "CTLSEP0011215A1AE3.tlv";
	ev.err = err;
	ev.status = k == PV_EV_STATUS ? PV_ST_UPDATED : PV_ST__COUNT;
	ev.message = msg;
	return ev;
}

/* Whether s is "HH:MM:SS" (usec: ".uuuuuu" too) followed by a space. */
static int
clock_at(const char *s, int usec)
{
	static const char shape[] = "00:00:00.000000";
	size_t i, n = usec ? 15 : 8;

	for (i = 0; i < n; i++)
		if (shape[i] == '0' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return 0;
	return s[n] == ' ';
}

START_TEST(console_line)
{
	struct pv_event ev = ev_of(PV_EV_LINE, 0, "SECD: tlRequestFile: Request CTLSEP0011215A1AE3.tlv");
	unsigned seq = 836;
	const char *o = print(&ev, 0, &seq);

	/* "837: NOT 09:13:17.561856 SECD: ..." as the sip88xx/79xx consoles print. */
	ck_assert_int_eq(strncmp(o, "837: NOT ", 9), 0);
	ck_assert(clock_at(o + 9, 1));
	ck_assert_str_eq(o + 9 + 16, "SECD: tlRequestFile: Request CTLSEP0011215A1AE3.tlv\n");
	ck_assert_uint_eq(seq, 837);
	ev = ev_of(PV_EV_LINE, 1, "TFTP: [2]:Error --> File not found ITLSEP0011215A1AE3.tlv");
	o = print(&ev, 1, &seq);
	ck_assert_int_eq(strncmp(o, "SEP0011215A1AE3 838: ERR ", 25), 0);
	ck_assert(clock_at(o + 25, 1));
	ck_assert_str_eq(o + 25 + 16, "TFTP: [2]:Error --> File not found ITLSEP0011215A1AE3.tlv\n");
}
END_TEST

/* The 88xx form: "3287 INF Nov 29 06:33:59.395199 SECUREAPP-..." with the line's level. */
START_TEST(console_line_88xx)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		"Aug", "Sep", "Oct", "Nov", "Dec" };
	struct pv_event ev = ev_of(PV_EV_LINE, 0, "SECUREAPP-TVS added cert to TVS cache - "
	                           "expires in 24 hours");
	unsigned seq = 3286;
	const char *o;
	size_t i;
	int month = 0;

	ev.level = PV_LV_INF;
	o = print_form(&ev, 0, &seq, PV_FORM_88XX);
	ck_assert_int_eq(strncmp(o, "3287 INF ", 9), 0);
	for (i = 0; i < 12; i++)
		month |= strncmp(o + 9, mon[i], 3) == 0;
	ck_assert_msg(month, "%s", o);
	ck_assert(o[12] == ' ' && o[13] >= '0' && o[13] <= '3' && o[14] >= '0' && o[14] <= '9');
	ck_assert(clock_at(o + 16, 1));
	ck_assert_str_eq(o + 16 + 16, "SECUREAPP-TVS added cert to TVS cache - expires in 24 hours\n");
	ev.level = PV_LV_DEB;
	o = print_form(&ev, 0, &seq, PV_FORM_88XX);
	ck_assert_int_eq(strncmp(o, "3288 DEB ", 9), 0);
	ev = ev_of(PV_EV_LINE, 1, "SECUREAPP-TVS server [127.0.0.1]:2445 failed");
	o = print_form(&ev, 0, &seq, PV_FORM_88XX);
	ck_assert_int_eq(strncmp(o, "3289 ERR ", 9), 0);
	/* Status messages keep their form. */
	ev = ev_of(PV_EV_STATUS, 0, "Trust List Updated");
	o = print_form(&ev, 0, &seq, PV_FORM_88XX);
	ck_assert(clock_at(o, 0));
	ck_assert_str_eq(o + 9, "Trust List Updated\n");
}
END_TEST

/* ctl-suite's notes: only with --verbose, marked "ctl-suite: "; its own failures always. */
START_TEST(notes_verbose_only)
{
	struct pv_event ev = ev_of(PV_EV_NOTE, 0, "CTLFile.tlv updated (signed by X, record 2 (SAST) "
	                           "of the held CTL), md5 00");

	ck_assert_str_eq(print_verbose(&ev, 0, 0), "");
	ck_assert_str_eq(print_verbose(&ev, 0, 1), "ctl-suite: CTLFile.tlv updated (signed by X, "
	                 "record 2 (SAST) of the held CTL), md5 00\n");
	ck_assert_str_eq(print_verbose(&ev, 1, 1), "SEP0011215A1AE3 ctl-suite: CTLFile.tlv updated "
	                 "(signed by X, record 2 (SAST) of the held CTL), md5 00\n");
	ev = ev_of(PV_EV_NOTE, 1, "cannot store CTLFile.tlv: No space left on device");
	ck_assert_str_eq(print_verbose(&ev, 0, 0), "ctl-suite: cannot store CTLFile.tlv: No space "
	                 "left on device\n");
}
END_TEST

/* The 88xx WRN level ("3334 WRN Nov 29 06:34:00.412849 SECUREAPP-AUTH: ..."). */
START_TEST(console_line_wrn)
{
	struct pv_event ev = ev_of(PV_EV_LINE, 0, "SECUREAPP-AUTH: hdr ver 1.2 (knows only upto 1.1)");
	unsigned seq = 3333;
	const char *o;

	ev.level = PV_LV_WRN;
	o = print_form(&ev, 0, &seq, PV_FORM_88XX);
	ck_assert_int_eq(strncmp(o, "3334 WRN ", 9), 0);
	ck_assert_str_eq(o + 16 + 16, "SECUREAPP-AUTH: hdr ver 1.2 (knows only upto 1.1)\n");
}
END_TEST

START_TEST(status_message)
{
	struct pv_event ev = ev_of(PV_EV_STATUS, 0, "Trust List Updated");
	unsigned seq = 5;
	const char *o = print(&ev, 0, &seq);

	/* A status message has a clock without microseconds and no line number. */
	ck_assert(clock_at(o, 0));
	ck_assert_str_eq(o + 9, "Trust List Updated\n");
	ck_assert_uint_eq(seq, 5);
	ev = ev_of(PV_EV_NOT_FOUND, 0, "File Not Found CTLSEP0011215A1AE3.tlv");
	o = print(&ev, 1, &seq);
	ck_assert_int_eq(strncmp(o, "SEP0011215A1AE3 ", 16), 0);
	ck_assert_str_eq(o + 16 + 9, "File Not Found CTLSEP0011215A1AE3.tlv\n");
}
END_TEST

START_TEST(quiet_console)
{
	struct pv_event ev = ev_of(PV_EV_LINE, 0, "x");
	struct pv_console c = { NULL, 0, 0, PV_FORM_79XX, 0 };
	struct pv_phone ph;

	memset(&ph, 0, sizeof(ph));
	pv_console_event(&c, &ph, &ev);
	pv_console_event(NULL, &ph, &ev);
	ck_assert_uint_eq(c.line_seq, 0);
}
END_TEST

/* Runs pv_fail with stdout and stderr sent to files; returns what each got. */
static void
fail_into(int json, int status, const char *arg, char *out, char *err, size_t cap)
{
	const char *dir = tu_tmpdir();
	char po[512], pe[512];
	int so = dup(1), se = dup(2), rc;
	FILE *f;
	size_t n;

	snprintf(po, sizeof(po), "%s/out", dir);
	snprintf(pe, sizeof(pe), "%s/err", dir);
	fflush(stdout);
	fflush(stderr);
	ck_assert_ptr_nonnull(freopen(po, "w", stdout));
	ck_assert_ptr_nonnull(freopen(pe, "w", stderr));
	pv_json_errors(json);
	rc = pv_fail(status, "--tftp: cannot resolve '%s' (HOST[:PORT])", arg);
	pv_json_errors(0);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	ck_assert_int_eq(rc, status);
	ck_assert_ptr_nonnull(f = fopen(po, "r"));
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(pe, "r"));
	n = fread(err, 1, cap - 1, f);
	err[n] = '\0';
	fclose(f);
}

START_TEST(fail_text_and_json)
{
	char out[1024], err[1024];

	fail_into(0, PV_EXIT_USAGE, "ph\"one\\host", out, err, sizeof(out));
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "phone-verifier: --tftp: cannot resolve 'ph\"one\\host' (HOST[:PORT])\n");
	fail_into(1, PV_EXIT_USAGE, "ph\"one\\host", out, err, sizeof(out));
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(out, "{\"error\":{\"code\":\"usage\",\"message\":"
	                      "\"--tftp: cannot resolve 'ph\\\"one\\\\host' (HOST[:PORT])\"}}\n");
	/* Valid UTF-8 passes, a lone byte becomes U+FFFD. */
	fail_into(1, PV_EXIT_NETWORK, "t\xc3\xa9l\xff", out, err, sizeof(out));
	ck_assert_str_eq(out, "{\"error\":{\"code\":\"network\",\"message\":"
	                      "\"--tftp: cannot resolve 't\xc3\xa9l\\ufffd' (HOST[:PORT])\"}}\n");
}
END_TEST

START_TEST(fail_codes)
{
	ck_assert_str_eq(pv_fail_code(PV_EXIT_USAGE), "usage");
	ck_assert_str_eq(pv_fail_code(PV_EXIT_IO), "io");
	ck_assert_str_eq(pv_fail_code(PV_EXIT_NETWORK), "network");
	ck_assert_str_eq(pv_fail_code(PV_EXIT_VERIFY_FAILED), "verify");
	ck_assert_str_eq(pv_fail_code(PV_EXIT_INTERNAL), "internal");
	ck_assert_str_eq(pv_fail_code(PV_EXIT_REG_REFUSED), "register-refused");
	ck_assert_str_eq(pv_fail_code(PV_EXIT_REG_FAILED), "register-failed");
	ck_assert_str_eq(pv_fail_code(PV_EXIT_PROV_REFUSED), "provider-refused");
	ck_assert_str_eq(pv_fail_code(77), "internal");
}
END_TEST

START_TEST(argv_json)
{
	char *a[] = { "boot", "--mac", "x", "--json", NULL };
	char *b[] = { "boot", "--js", NULL };
	char *c[] = { "boot", "--", "--json", NULL };
	char *d[] = { "boot", "--jsonx", "--j-", NULL };
	char *e[] = { "--json", "--mac", NULL };

	ck_assert_int_eq(pv_argv_json(4, a), 1);
	ck_assert_int_eq(pv_argv_json(2, b), 1);
	ck_assert_int_eq(pv_argv_json(3, c), 0);
	ck_assert_int_eq(pv_argv_json(3, d), 0);
	ck_assert_int_eq(pv_argv_json(2, e), 0); /* argv[0] is the command's name */
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("console");
	TCase *ok = tcase_create("ok"), *err = tcase_create("errors");

	tcase_add_test(ok, console_line);
	tcase_add_test(ok, status_message);
	tcase_add_test(ok, console_line_88xx);
	tcase_add_test(ok, quiet_console);
	tcase_add_test(ok, notes_verbose_only);
	tcase_add_test(ok, console_line_wrn);
	tcase_add_test(err, fail_text_and_json);
	tcase_add_test(err, fail_codes);
	tcase_add_test(err, argv_json);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, err);
	return s;
}

CTL_TEST_MAIN(make_suite)
