/* SPDX-License-Identifier: Apache-2.0 */
/* Log line formatting shared by ctl-tftpd and ctl-provider (logline.h). */
#include <stdio.h>
#include <string.h>
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

void
logline_write(const char *prog, const char *fmt, va_list ap)
{
	char line[2048], text[2048];
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
	w = vsnprintf(text, sizeof(text), fmt, ap);
	if (w < 0)
		return;
	/* One byte kept for the newline. */
	n += escape_text(line + n, sizeof(line) - n - 1,
	                 text, (size_t)w >= sizeof(text) ? sizeof(text) - 1 : (size_t)w);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return; /* nowhere left to report it */
}
