/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the two boot-storm load generators (ctl-tftp-load over TFTP,
 * ctl-http-load over HTTP) share: the file templates each phone fetches,
 * their numeric options, the phones' random retry delays and the RESULT
 * line the benchmark scripts read.
 */
#ifndef CTL_BENCH_STORM_H
#define CTL_BENCH_STORM_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/ctl.h>

/* A file each phone fetches: its name with %M for the phone's MAC. */
struct storm_tmpl {
	const char *name;
	uint8_t *expect;       /* what it must equal; NULL: not verified */
	size_t expect_len;
};

/*
 * -f TEMPLATE[=EXPECTED]: cuts arg at '=' and reads EXPECTED. 0, or -1
 * with the reason on stderr (prog first).
 */
CTL_MUST_USE int storm_tmpl_parse(const char *prog, struct storm_tmpl *t, char *arg);
/* The template's name for the phone of MAC (truncated to fit cap). */
void storm_name(const char *tmpl, const char *mac, char *out, size_t cap);
/* A number option in min..max: 0, or -1 with the range on stderr. */
CTL_MUST_USE int storm_uint(const char *prog, const char *opt, const char *s,
                            unsigned long long min, unsigned long long max, unsigned *v);
/* 0..n-1 from the generator's own sequence (phones' retry jitter); 0 when n is 0. */
unsigned storm_rnd(uint64_t *rng, unsigned n);

struct storm_counts {
	uint64_t ok, failed, corrupt, retrans, busy;
	double secs;
	uint32_t p50, p99, max;   /* transfer latencies, ms */
};

/* Sorts lat[0..n) and sets the counts' p50, p99 and max (0 when n is 0). */
void storm_latency(uint32_t *lat, size_t n, struct storm_counts *c);
/* The RESULT line bench/bench-tftp.sh and bench/bench-http.sh read. */
void storm_result(const struct storm_counts *c);

#endif
