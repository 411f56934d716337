/* SPDX-License-Identifier: Apache-2.0 */
/* The status line (see tftp_status.h). */
#include <stdio.h>

#include "tftp_status.h"

int
tftp_status_format(const struct tftp_status *ss, char *buf, size_t cap)
{
	const struct tftp_stats *st = ss->st;
	int n = snprintf(buf, cap,
	                 "Status: requests %llu completed %llu failed %llu bytes %llu active %llu "
	                 "peak %llu refused %llu notfound %llu busy %llu malformed %llu duplicates %llu "
	                 "retransmits %llu cached %zu files %zu bytes queued %zu unacked %zu stale %llu "
	                 "dropped %llu evicted %llu unreachable %llu expired %llu notimer %llu",
	                 (unsigned long long)st->requests, (unsigned long long)st->completed,
	                 (unsigned long long)st->failed, (unsigned long long)st->bytes,
	                 (unsigned long long)st->active, (unsigned long long)st->peak_active,
	                 (unsigned long long)st->refused, (unsigned long long)st->notfound,
	                 (unsigned long long)st->busy, (unsigned long long)st->malformed,
	                 (unsigned long long)st->duplicates, (unsigned long long)st->retransmits,
	                 ss->cache.files, ss->cache.bytes, ss->queued, ss->unacked,
	                 (unsigned long long)st->stale, (unsigned long long)st->dropped,
	                 (unsigned long long)st->evicted, (unsigned long long)st->unreachable,
	                 (unsigned long long)st->expired, (unsigned long long)st->notimer);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}
