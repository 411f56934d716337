/* SPDX-License-Identifier: Apache-2.0 */
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

#include "logline.h"

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
	va_list ap;

	if (lvl > log_max)
		return;
	va_start(ap, fmt);
	logline_write(log_prog, fmt, ap);
	va_end(ap);
}
