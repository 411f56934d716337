/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-provider log: one line per event on stderr, "TIME PROG: text"
 * ("<N>text" for journald, or syslog: logline.h), at a priority,
 * formatted into one buffer and written with one write(2) so lines from
 * connection threads never interleave (logline.c, which also escapes
 * control bytes). The program name is the one piece of file-scope state:
 * a daemon keeps no other mutable globals besides its signal flags.
 */
#include <stdarg.h>
#include <stdio.h>

#include "logline.h"

#include "provider.h"

static const char *log_prog = "ctl-provider";

void
prov_log_setup(const char *prog)
{
	log_prog = prog;
}

void
prov_logp(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logline_vlog(prio, log_prog, fmt, ap);
	va_end(ap);
}

void
prov_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logline_vlog(LOG_INFO, log_prog, fmt, ap);
	va_end(ap);
}
