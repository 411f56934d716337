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

	int h;

	if (n < 0 || (size_t)n >= cap)
		return -1;
	if (!ss->http)
		return 0;
	h = snprintf(buf + n, cap - (size_t)n,
	             " http: conns %llu active %llu peak %llu busy %llu requests %llu ok %llu "
	             "notfound %llu refused %llu bad %llu timeouts %llu bytes %llu",
	             (unsigned long long)st->http_conns, (unsigned long long)st->http_active,
	             (unsigned long long)st->http_peak, (unsigned long long)st->http_busy,
	             (unsigned long long)st->http_requests, (unsigned long long)st->http_ok,
	             (unsigned long long)st->http_notfound, (unsigned long long)st->http_refused,
	             (unsigned long long)st->http_bad, (unsigned long long)st->http_timeouts,
	             (unsigned long long)st->http_bytes);
	return h < 0 || (size_t)h >= cap - (size_t)n ? -1 : 0;
}
