/* Log line formatting shared by ctl-tftpd and ctl-provider (logline.h). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "logline.h"

void
logline_write(const char *prog, const char *fmt, va_list ap)
{
	char line[2048];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int w;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%d %H:%M:%S", &tm);
	w = snprintf(line + n, sizeof(line) - n, ".%03ld %s: ", ts.tv_nsec / 1000000L, prog);
	if (w < 0 || (size_t)w >= sizeof(line) - n)
		return;
	n += (size_t)w;
	w = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (w < 0)
		return;
	n = (size_t)w >= sizeof(line) - n ? sizeof(line) - 1 : n + (size_t)w;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return; /* nowhere left to report it */
}
