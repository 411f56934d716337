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
};

#endif
