/*
 * Logger (see tftp_log.h). The level and program name are the one piece
 * of file-scope state the style allows. Each line is formatted into one
 * buffer and written with a single write(2), so lines never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tftp_log.h"

static const char *log_prog = "ctl-tftpd";
static enum tftp_loglevel log_max = TFTP_LOG_INFO;

void
tftp_log_setup(const char *prog, enum tftp_loglevel max)
{
	log_prog = prog;
	log_max = max;
}

int
tftp_log_enabled(enum tftp_loglevel lvl)
{
	return lvl <= log_max;
}

void
tftp_log(enum tftp_loglevel lvl, const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int w;
	va_list ap;

	if (lvl > log_max)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
	w = snprintf(line + n, sizeof(line) - n, ".%03ld %s: ", ts.tv_nsec / 1000000L, log_prog);
	if (w < 0 || (size_t)w >= sizeof(line) - n)
		return;
	n += (size_t)w;
	va_start(ap, fmt);
	w = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	n = (size_t)w >= sizeof(line) - n ? sizeof(line) - 1 : n + (size_t)w;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
