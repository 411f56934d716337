/* SPDX-License-Identifier: Apache-2.0 */
/* One log line for the node daemons (ctl-tftpd, ctl-provider). */
#ifndef CTL_LOGLINE_H
#define CTL_LOGLINE_H

#include <stdarg.h>

/*
 * Writes "YYYY-MM-DD HH:MM:SS.mmm PROG: text\n" to stderr with a single
 * write(2), so lines from several threads never interleave; text longer
 * than the line buffer is cut. The text goes through ctl_text_escape
 * (backslashes excepted, so a field the caller escaped stays as it is): a
 * control byte (C0, DEL, C1 0x80-0x9f) or invalid UTF-8 is written as \xHH.
 */
void logline_write(const char *prog, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
