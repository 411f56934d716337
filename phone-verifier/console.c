/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console lines, status messages, diagnostics and --json errors: the one
 * place phone-verifier formats text for people. boot.c reports events and
 * never prints; this file turns them into the phone's console format.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ctl/text.h>

#include "console.h"

/*
 * The output mode of the run, set by the command before it parses its
 * options; the only file-scope state besides the logger's, as a CLI's
 * diagnostics need it everywhere a failure can be reported.
 */
static int json_errors;

static void
clock_text(char *buf, size_t cap, int usec)
{
	static const char *const mon[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		"Aug", "Sep", "Oct", "Nov", "Dec" };
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	/* cap is at least 32: the fields are bounded, the text is never cut. */
	if (usec == 2)
		snprintf(buf, cap, "%s %02d %02d:%02d:%02d.%06ld", mon[tm.tm_mon % 12], tm.tm_mday,
		         tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	else if (usec)
		snprintf(buf, cap, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		         ts.tv_nsec / 1000);
	else
		snprintf(buf, cap, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
pv_console_event(void *arg, const struct pv_phone *ph, const struct pv_event *ev)
{
	struct pv_console *c = arg;
	char ts[32];

	if (c == NULL || c->f == NULL)
		return;
	if (ev->kind == PV_EV_NOTE && !c->verbose && !ev->err)
		return;
	if (c->mac_prefix)
		fprintf(c->f, "SEP%s ", ph->mac);
	if (ev->kind == PV_EV_NOTE) {
		/* No phone prints it: marked as ctl-suite's, without a phone's prefix. */
		fputs("ctl-suite: ", c->f);
	} else if (ev->kind == PV_EV_LINE && c->form == PV_FORM_88XX) {
		static const char *const lv[] = { "NOT", "ERR", "INF", "DEB", "WRN" };

		clock_text(ts, sizeof(ts), 2);
		/* The sip88xx console: "3233 NOT Nov 29 06:33:59.033132 dgetfile(...)..." */
		fprintf(c->f, "%u %s %s ", ++c->line_seq,
		        ev->err ? "ERR" : (unsigned)ev->level < 5 ? lv[ev->level] : "NOT", ts);
	} else if (ev->kind == PV_EV_LINE) {
		clock_text(ts, sizeof(ts), 1);
		/* The 79xx console format: "837: NOT 09:13:17.561856 SECD: ..." */
		fprintf(c->f, "%u: %s %s ", ++c->line_seq, ev->err ? "ERR" : "NOT", ts);
	} else {
		clock_text(ts, sizeof(ts), 0);
		fprintf(c->f, "%s ", ts);
	}
	/* boot.c builds messages from escaped parts only (libtftp escapes the
	 * server's error text, trust.c the names it quotes): printed as is. */
	fputs(ev->message, c->f);
	fputc('\n', c->f);
}

void
pv_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PV_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *
pv_fail_code(int status)
{
	switch (status) {
	case PV_EXIT_OK: return "ok";
	case PV_EXIT_UPDATE_FAILED: return "update-failed";
	case PV_EXIT_USAGE: return "usage";
	case PV_EXIT_VERIFY_FAILED: return "verify";
	case PV_EXIT_NO_TL: return "no-trust-list";
	case PV_EXIT_CONFIG: return "config-auth";
	case PV_EXIT_IO: return "io";
	case PV_EXIT_NETWORK: return "network";
	case PV_EXIT_INTERNAL: return "internal";
	case PV_EXIT_REG_REFUSED: return "register-refused";
	case PV_EXIT_REG_FAILED: return "register-failed";
	case PV_EXIT_PROV_REFUSED: return "provider-refused";
	default: return "internal"; /* not one of ours: an exit status is an int */
	}
}

int
pv_fail(int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4); /* a cut message says so */
	if (json_errors) {
		ctl_json_error(stdout, pv_fail_code(status), msg);
		fflush(stdout);
	} else {
		pv_err("%s", msg);
	}
	return status;
}

void
pv_json_errors(int on)
{
	json_errors = on != 0;
}

int
pv_argv_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (strcmp(argv[i], "--") == 0)
			break;
		/* getopt_long takes "--j", "--js", ...: no other option starts with j. */
		if (n >= 3 && n <= 6 && strncmp(argv[i], "--json", n) == 0)
			return 1;
	}
	return 0;
}
