/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The status line (SIGUSR1, --status-interval): every counter with its
 * name, in a fixed order that scripts and tests read ("requests N
 * completed N ...").
 */
#ifndef TFTP_STATUS_H
#define TFTP_STATUS_H

#include <stddef.h>

#include "ctl/err.h"
#include "tftp_cache.h"
#include "tftp_stats.h"

/* What the status line shows besides the counters. */
struct tftp_status {
	const struct tftp_stats *st;
	struct tftp_cache_stats cache;
	size_t queued;    /* requests waiting for a slot */
	size_t unacked;   /* transfers with no ACK yet */
	int http;         /* append the HTTP counters (the service is on) */
};

/*
 * Writes "Status: requests N ..." into buf (cap bytes, NUL-terminated).
 * Returns 0, or -1 when it did not fit (buf then holds a cut line).
 */
CTL_MUST_USE int tftp_status_format(const struct tftp_status *ss, char *buf, size_t cap);

#endif
