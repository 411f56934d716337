/* SPDX-License-Identifier: Apache-2.0 */
/* One log line for the node daemons (ctl-tftpd, ctl-provider, ctl-tvsd). */
#ifndef CTL_LOGLINE_H
#define CTL_LOGLINE_H

#include <stdarg.h>

#include <sys/types.h>
#include <time.h>

/*
 * Where the lines go. STDERR: "YYYY-MM-DD HH:MM:SS.mmm PROG: text\n".
 * JOURNAL (stderr is systemd's journal stream, $JOURNAL_STREAM): "<N>text\n",
 * N the syslog priority, no time or name (journald adds both). SYSLOG
 * (--syslog): syslog(3) with the program name and the priority.
 */
enum logline_sink { LOGLINE_STDERR = 0, LOGLINE_JOURNAL, LOGLINE_SYSLOG };

/*
 * 1 when env ($JOURNAL_STREAM, "DEV:INO" in decimal) names the file dev,
 * ino (stderr's st_dev, st_ino), else 0: a JOURNAL_STREAM inherited by a
 * process whose stderr was redirected elsewhere does not count.
 */
int logline_journal_stream(const char *env, dev_t dev, ino_t ino);

/*
 * One line into line[cap] for sink (STDERR or JOURNAL) with priority prio
 * (LOG_ERR..LOG_DEBUG), text already formatted; returns its length, the
 * newline included. The text goes through ctl_text_escape (backslashes
 * excepted, so a field the caller escaped stays as it is): a control byte
 * (C0, DEL, C1 0x80-0x9f) or invalid UTF-8 is written as \xHH; text that
 * does not fit is cut at a character.
 */
size_t logline_format(char *line, size_t cap, enum logline_sink sink, int prio, const char *prog,
                      const struct timespec *now, const char *text, size_t n);

/*
 * Sends every later line to syslog(3) as prog (facility daemon). Called
 * once at start, before any thread logs.
 */
void logline_use_syslog(const char *prog);

/*
 * Writes one line at priority prio to the sink: STDERR or JOURNAL (chosen
 * at the first line from $JOURNAL_STREAM) with a single write(2), so lines
 * from several threads never interleave, or syslog.
 */
void logline_vlog(int prio, const char *prog, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* logline_vlog at LOG_INFO. */
void logline_write(const char *prog, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
