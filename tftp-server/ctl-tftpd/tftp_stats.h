/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The counters of ctl-tftpd: the server and its sessions bump them, the
 * status line prints them. Kept apart so a session can count without
 * knowing the server.
 */
#ifndef TFTP_STATS_H
#define TFTP_STATS_H

#include <stdint.h>

struct tftp_stats {
	uint64_t requests;     /* RRQs received (duplicates included) */
	uint64_t duplicates;   /* RRQs that joined an existing transfer */
	uint64_t completed;
	uint64_t failed;       /* started but not completed */
	uint64_t refused;      /* answered with ERROR without starting */
	uint64_t notfound;
	uint64_t busy;         /* refused because of --max-transfers */
	uint64_t malformed;
	uint64_t bytes;        /* payload bytes of completed transfers */
	uint64_t retransmits;
	uint64_t active;
	uint64_t peak_active;
	uint64_t stale;        /* queued requests dropped: not repeated within the age limit */
	uint64_t dropped;      /* requests dropped: source over its queue share or rate */
	uint64_t evicted;      /* unacknowledged transfers ended to make room */
	uint64_t unreachable;  /* transfers ended by ICMP unreachable from the client */
	uint64_t expired;      /* transfers ended by --max-lifetime */
	uint64_t notimer;      /* transfers ended because their timer could not be armed */
	/* HTTP (--http): connections and requests, apart from the TFTP counts above. */
	uint64_t http_conns;     /* connections accepted */
	uint64_t http_active;    /* connections open */
	uint64_t http_peak;
	uint64_t http_busy;      /* connections refused with 503 at a connection cap */
	uint64_t http_requests;  /* requests parsed (refused ones included) */
	uint64_t http_ok;        /* answered 200 */
	uint64_t http_notfound;  /* answered 404 */
	uint64_t http_refused;   /* answered 403 (name or file refused) or 503 (busy) */
	uint64_t http_bad;       /* answered 400, 405, 414, 431 or 505 */
	uint64_t http_timeouts;  /* closed by the header (408) or the send deadline */
	uint64_t http_bytes;     /* file bytes written (bodies of 200 answers) */
};

#endif
