/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Daemon log lines: one line per event, to stderr with a timestamp, to the
 * journal with a <N> priority, or to syslog (logline.h).
 */
#ifndef TFTP_LOG_H
#define TFTP_LOG_H

enum tftp_loglevel {
	TFTP_LOG_ERR = 0,   /* always shown */
	TFTP_LOG_WARN = 1,  /* refusals, failed transfers; shown unless --quiet */
	TFTP_LOG_INFO = 2,  /* one line per request and per transfer (default) */
	TFTP_LOG_DEBUG = 3, /* --verbose: retransmissions, duplicates, options */
	/*
	 * Always shown, like ERR, but not a failure: status lines, reloads,
	 * the shutdown. Priority notice for journald and syslog (the others:
	 * err, warning, info, debug).
	 */
	TFTP_LOG_NOTICE = 0x100
};

/* Sets the program name and the most detailed level printed. */
void tftp_log_setup(const char *prog, enum tftp_loglevel max);
int tftp_log_enabled(enum tftp_loglevel lvl);
void tftp_log(enum tftp_loglevel lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
