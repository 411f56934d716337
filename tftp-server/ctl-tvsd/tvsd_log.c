/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tvsd log: one line per event on stderr, "TIME ctl-tvsd: text",
 * written with one write(2) so lines from connection threads never
 * interleave, control bytes escaped (logline.c).
 */
#include <stdarg.h>

#include "logline.h"

#include "tvsd.h"

void
tvsd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logline_write("ctl-tvsd", fmt, ap);
	va_end(ap);
}
