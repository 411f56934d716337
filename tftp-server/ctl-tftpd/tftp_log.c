/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logger (see tftp_log.h). The level and program name are the one piece
 * of file-scope state the style allows. Each line is formatted into one
 * buffer and written with a single write(2), so lines never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
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

/* NOTICE is shown at every level, as ERR is. */
static unsigned
level_of(enum tftp_loglevel lvl)
{
	return (unsigned)lvl & 0xffu;
}

int
tftp_log_enabled(enum tftp_loglevel lvl)
{
	return level_of(lvl) <= (unsigned)log_max;
}

void
tftp_log(enum tftp_loglevel lvl, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	va_list ap;

	if (!tftp_log_enabled(lvl) || level_of(lvl) > TFTP_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	logline_vlog(lvl == TFTP_LOG_NOTICE ? LOG_NOTICE : prio[level_of(lvl)], log_prog, fmt, ap);
	va_end(ap);
}
