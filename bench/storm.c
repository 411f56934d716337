/* SPDX-License-Identifier: Apache-2.0 */
/* The parts of a boot storm both load generators share (storm.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storm.h"

int
storm_tmpl_parse(const char *prog, struct storm_tmpl *t, char *arg)
{
	char *eq = strchr(arg, '=');

	t->name = arg;
	t->expect = NULL;
	t->expect_len = 0;
	if (eq == NULL)
		return 0;
	*eq = '\0';
	if (ctl_read_file(eq + 1, 1u << 30, &t->expect, &t->expect_len, NULL) != CTL_OK) {
		fprintf(stderr, "%s: cannot read %s\n", prog, eq + 1);
		return -1;
	}
	return 0;
}

void
storm_name(const char *tmpl, const char *mac, char *out, size_t cap)
{
	size_t o = 0, m = strlen(mac);

	for (const char *t = tmpl; *t != '\0' && o + 1 < cap; t++) {
		if (t[0] == '%' && t[1] == 'M') {
			if (o + m >= cap)
				break;
			memcpy(out + o, mac, m);
			o += m;
			t++;
		} else {
			out[o++] = *t;
		}
	}
	out[o] = '\0';
}

int
storm_uint(const char *prog, const char *opt, const char *s, unsigned long long min,
           unsigned long long max, unsigned *v)
{
	unsigned long long x;

	if (ctl_parse_uint(s, min, max, &x) != CTL_OK) {
		fprintf(stderr, "%s: %s: expected a number in %llu..%llu\n", prog, opt, min, max);
		return -1;
	}
	*v = (unsigned)x;
	return 0;
}

unsigned
storm_rnd(uint64_t *rng, unsigned n)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	return n ? (unsigned)(*rng >> 33) % n : 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
storm_latency(uint32_t *lat, size_t n, struct storm_counts *c)
{
	c->p50 = c->p99 = c->max = 0;
	if (n == 0)
		return;
	qsort(lat, n, sizeof(lat[0]), cmp_u32);
	c->p50 = lat[n / 2];
	c->p99 = lat[n * 99 / 100];
	c->max = lat[n - 1];
}

void
storm_result(const struct storm_counts *c)
{
	printf("RESULT ok=%llu failed=%llu corrupt=%llu secs=%.3f rate=%.0f p50=%u p99=%u retrans=%llu busy=%llu\n",
	       (unsigned long long)c->ok, (unsigned long long)c->failed, (unsigned long long)c->corrupt,
	       c->secs, c->secs > 0 ? (double)c->ok / c->secs : 0.0, c->p50, c->p99,
	       (unsigned long long)c->retrans, (unsigned long long)c->busy);
}
