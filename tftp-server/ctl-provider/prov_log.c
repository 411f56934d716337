/*
 * ctl-provider log: one line per event on stderr, "TIME PROG: text",
 * formatted into one buffer and written with one write(2) so lines from
 * connection threads never interleave. The program name is the one piece
 * of file-scope state (style.md, Daemons).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "logline.h"

#include "provider.h"

static const char *log_prog = "ctl-provider";

void
prov_log_setup(const char *prog)
{
	log_prog = prog;
}

void
prov_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logline_write(log_prog, fmt, ap);
	va_end(ap);
}

const char *
prov_log_escape(const uint8_t *p, size_t n, char *out, size_t out_len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (out_len == 0)
		return out;
	for (i = 0; i < n; i++) {
		uint8_t b = p[i];

		if (b >= 0x20 && b < 0x7f && b != '\\') {
			if (o + 1 >= out_len)
				break;
			out[o++] = (char)b;
		} else {
			if (o + 4 >= out_len)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[b >> 4];
			out[o++] = hex[b & 15];
		}
	}
	out[o] = '\0';
	return out;
}
