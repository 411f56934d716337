/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-provider log: one line per event on stderr, "TIME PROG: text"
 * ("<N>text" for journald, or syslog: logline.h), at a priority,
 * formatted into one buffer and written with one write(2) so lines from
 * connection threads never interleave (logline.c, which also escapes
 * control bytes). The program name and the --quiet level are the file-scope
 * state, set once at start: a daemon keeps no other mutable globals besides
 * its signal flags.
 */
#include <stdarg.h>
#include <stdio.h>

#include "logline.h"

#include "provider.h"

static const char *log_prog = "ctl-provider";
/* The most detailed priority written (--quiet: LOG_NOTICE); set once at start. */
static int log_max = LOG_INFO;

void
prov_log_setup(const char *prog)
{
	log_prog = prog;
}

void
prov_log_quiet(void)
{
	log_max = LOG_NOTICE;
}

void
prov_logp(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio > log_max)
		return;
	va_start(ap, fmt);
	logline_vlog(prio, log_prog, fmt, ap);
	va_end(ap);
}

void
prov_log(const char *fmt, ...)
{
	va_list ap;

	if (LOG_INFO > log_max)
		return;
	va_start(ap, fmt);
	logline_vlog(LOG_INFO, log_prog, fmt, ap);
	va_end(ap);
}
