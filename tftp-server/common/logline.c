/* SPDX-License-Identifier: Apache-2.0 */
/* Log line formatting shared by the node daemons (logline.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <ctl/text.h>

#include "logline.h"

/*
 * Copies text[0..n) into out (cap bytes, NUL-terminated) through
 * ctl_text_escape, one piece between backslashes at a time: a control byte
 * (C0, DEL, C1) or invalid UTF-8 that reached the line becomes \xHH, and
 * what a caller already escaped (ctl_text_escape's \xHH and \\) is left as
 * it is, so escaping a field first never doubles its backslashes. Returns
 * the length written; text that does not fit is cut at a character.
 */
static size_t
escape_text(char *out, size_t cap, const char *text, size_t n)
{
	size_t o = 0, i = 0;

	out[0] = '\0';
	while (i < n && o + 1 < cap) {
		const char *bs = memchr(text + i, '\\', n - i);
		size_t k = bs != NULL ? (size_t)(bs - (text + i)) : n - i;

		if (ctl_text_escape(out + o, cap - o, text + i, k) >= cap - o)
			return o + strlen(out + o);
		o += strlen(out + o);
		i += k;
		if (i < n && o + 1 < cap) {
			out[o++] = '\\';
			out[o] = '\0';
			i++;
		}
	}
	return o;
}

int
logline_journal_stream(const char *env, dev_t dev, ino_t ino)
{
	unsigned long long d, i;
	int end = 0;

	if (env == NULL || sscanf(env, "%llu:%llu%n", &d, &i, &end) != 2 || env[end] != '\0')
		return 0;
	return d == (unsigned long long)dev && i == (unsigned long long)ino;
}

size_t
logline_format(char *line, size_t cap, enum logline_sink sink, int prio, const char *prog,
               const struct timespec *now, const char *text, size_t n)
{
	struct tm tm;
	size_t o = 0;
	int w;

	if (cap < 64)
		return 0;
	if (sink == LOGLINE_JOURNAL) {
		w = snprintf(line, cap, "<%d>", prio & 7);
	} else {
		localtime_r(&now->tv_sec, &tm);
		o = strftime(line, cap, "%Y-%m-%d %H:%M:%S", &tm);
		w = snprintf(line + o, cap - o, ".%03ld %s: ", now->tv_nsec / 1000000L, prog);
	}
	if (w < 0 || (size_t)w + 2 >= cap - o)
		return 0; /* room kept for the newline and the NUL */
	o += (size_t)w;
	/* One byte kept for the newline. */
	o += escape_text(line + o, cap - o - 1, text, n);
	line[o++] = '\n';
	line[o] = '\0';
	return o;
}

/*
 * The sink, the one piece of file-scope state: chosen once (pthread_once)
 * at the first line, or set to syslog at start before any thread runs.
 */
static enum logline_sink log_sink = LOGLINE_STDERR;
static pthread_once_t log_sink_once = PTHREAD_ONCE_INIT;

static void
pick_sink(void)
{
	struct stat st;

	if (log_sink == LOGLINE_STDERR && fstat(STDERR_FILENO, &st) == 0 &&
	    logline_journal_stream(getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino))
		log_sink = LOGLINE_JOURNAL;
}

void
logline_use_syslog(const char *prog)
{
	openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_sink = LOGLINE_SYSLOG;
}

void
logline_vlog(int prio, const char *prog, const char *fmt, va_list ap)
{
	char line[2048], text[2048];
	struct timespec ts;
	size_t n;
	int w;

	pthread_once(&log_sink_once, pick_sink);
	w = vsnprintf(text, sizeof(text), fmt, ap);
	if (w < 0)
		return;
	n = (size_t)w >= sizeof(text) ? sizeof(text) - 1 : (size_t)w;
	if (log_sink == LOGLINE_SYSLOG) {
		/* Escaped like the other sinks; "<N>" and time are syslog's. */
		if (escape_text(line, sizeof(line), text, n) > 0)
			syslog(prio, "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if ((n = logline_format(line, sizeof(line), log_sink, prio, prog, &ts, text, n)) == 0)
		return;
	if (write(STDERR_FILENO, line, n) < 0)
		return; /* nowhere left to report it */
}

void
logline_write(const char *prog, const char *fmt, va_list ap)
{
	logline_vlog(LOG_INFO, prog, fmt, ap);
}
