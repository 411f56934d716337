/* SPDX-License-Identifier: Apache-2.0 */
/*
 * show-ctl --phones (show_phones.h): for the CTL and the ITL, how many
 * devices ctl-tftpd last served the current file (md5 of the root's file
 * now), how many an older one (per version, with its signer and signing
 * time), how many have not asked since the current one was first served;
 * the devices of each group with --json, --stale or --version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ctl/ctl.h>
#include <ctl/text.h>

#include "rollout_file.h"
#include "show_phones.h"
#include "show_tool.h"

struct cur {
	int have;
	uint8_t md5[16];
	char hex[33];
};

static const char *const root_file[ROLLOUT_KINDS] = { "CTLFile.tlv", "ITLFile.tlv", NULL };

static void
hex16(const uint8_t m[16], char out[33])
{
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", m[i]);
}

static int
unhex16(const char *s, uint8_t out[16])
{
	static const char dig[] = "0123456789abcdef";

	if (strlen(s) != 32)
		return -1;
	for (unsigned i = 0; i < 32; i++) {
		const char *p = strchr(dig, s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);

		if (s[i] == '\0' || p == NULL)
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)((p - dig) << 4);
		else
			out[i / 2] |= (uint8_t)(p - dig);
	}
	return 0;
}

/* md5 of the root's file now; none when it is missing or unreadable. */
static void
current_of(const char *root, const char *file, struct cur *c)
{
	char path[4200];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct ctl_sums s;

	memset(c, 0, sizeof(*c));
	if (file == NULL || (size_t)snprintf(path, sizeof(path), "%s/%s", root, file) >= sizeof(path))
		return;
	if (ctl_read_file(path, CTL_MAX_FILE, &buf, &len, NULL) != CTL_OK || len == 0 ||
	    ctl_checksums(buf, len, &s) != CTL_OK) {
		free(buf);
		return;
	}
	free(buf);
	memcpy(c->hex, s.md5, 33);
	c->have = unhex16(c->hex, c->md5) == 0;
}

static void
when_str(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL || strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, n, "unknown");
}

/* The devices of each version of kind k, grouped: order[start[v]..start[v+1]). */
struct groups {
	size_t *start, *order;
};

static int
group(const struct rollout_records *r, unsigned k, struct groups *g)
{
	size_t nv = r->nversions;

	g->start = calloc(nv + 2, sizeof(*g->start));
	g->order = calloc(r->ndevices ? r->ndevices : 1, sizeof(*g->order));
	if (g->start == NULL || g->order == NULL)
		return -1;
	for (size_t i = 0; i < r->ndevices; i++)
		if (r->devices[i].present & (1u << k))
			g->start[r->devices[i].slot[k].version + 2]++;
	for (size_t v = 0; v < nv; v++)
		g->start[v + 2] += g->start[v + 1];
	for (size_t i = 0; i < r->ndevices; i++)
		if (r->devices[i].present & (1u << k))
			g->order[g->start[r->devices[i].slot[k].version + 1]++] = i;
	return 0;
}

static void
groups_free(struct groups *g)
{
	free(g->start);
	free(g->order);
}

/* A device that holds a CTL or ITL other than the current one. */
static int
is_stale(const struct rollout_records *r, const struct rollout_rec_device *d, const struct cur *cur)
{
	for (unsigned k = ROLLOUT_CTL; k <= ROLLOUT_ITL; k++)
		if (cur[k].have && (d->present & (1u << k)) &&
		    memcmp(r->versions[d->slot[k].version].md5, cur[k].md5, 16) != 0)
			return 1;
	return 0;
}

static int
holds(const struct rollout_records *r, const struct rollout_rec_device *d, const uint8_t md5[16])
{
	for (unsigned k = 0; k < ROLLOUT_KINDS; k++)
		if ((d->present & (1u << k)) && memcmp(r->versions[d->slot[k].version].md5, md5, 16) == 0)
			return 1;
	return 0;
}

static void
json_names(const struct rollout_records *r, const size_t *idx, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			putchar(',');
		ctl_json_fputs(stdout, r->devices[idx[i]].name);
	}
	putchar(']');
}

/* First time the current version of kind k was served, INT64_MAX when never. */
static int64_t
changed_at(const struct rollout_records *r, unsigned k, const struct cur *c)
{
	for (size_t v = 0; v < r->nversions; v++)
		if (c->have && r->versions[v].kind == k && memcmp(r->versions[v].md5, c->md5, 16) == 0)
			return r->versions[v].first_served;
	return INT64_MAX;
}

/* The record index of kind k's version md5, r->nversions when there is none. */
static size_t
version_index(const struct rollout_records *r, unsigned k, const uint8_t *md5)
{
	size_t v = 0;

	while (v < r->nversions && (r->versions[v].kind != k || memcmp(r->versions[v].md5, md5, 16) != 0))
		v++;
	return v;
}

static void
json_kind(const struct rollout_records *r, const struct rollout_kind_summary *ks, unsigned k,
          const struct cur *c, const struct groups *g)
{
	int64_t changed = changed_at(r, k, c);
	int first = 1;

	printf("{\"current_md5\":");
	ctl_json_fputs_or_null(stdout, c->have ? c->hex : NULL);
	printf(",\"devices\":%zu,\"current\":%zu,\"older\":%zu,\"not_asked\":%zu,\"versions\":[",
	       ks->devices, ks->current, ks->older, ks->not_asked);
	/* In the summary's order (current first, then most phones), as the text lists them. */
	for (size_t i = 0; i < ks->nversions; i++) {
		size_t v = version_index(r, k, ks->versions[i].md5);
		const struct rollout_rec_version *rv;
		size_t n;
		char h[33];

		if (v == r->nversions)
			continue;
		rv = &r->versions[v];
		n = g->start[v + 1] - g->start[v];
		hex16(rv->md5, h);
		printf("%s{\"md5\":\"%s\",\"phones\":%zu,\"signer\":", first ? "" : ",", h, n);
		ctl_json_fputs_or_null(stdout, rv->signer[0] ? rv->signer : NULL);
		if (rv->timestamp > 0)
			printf(",\"timestamp\":%lld", (long long)rv->timestamp);
		else
			printf(",\"timestamp\":null");
		printf(",\"first_served\":%lld,\"current\":%s,\"devices\":", (long long)rv->first_served,
		       c->have && memcmp(rv->md5, c->md5, 16) == 0 ? "true" : "false");
		json_names(r, g->order + g->start[v], n);
		putchar('}');
		first = 0;
	}
	printf("],\"not_asked_devices\":[");
	first = 1;
	for (size_t i = 0; c->have && i < r->ndevices; i++) {
		const struct rollout_rec_device *d = &r->devices[i];

		if (!(d->present & (1u << k)) || d->slot[k].when > changed ||
		    memcmp(r->versions[d->slot[k].version].md5, c->md5, 16) == 0)
			continue;
		if (!first)
			putchar(',');
		ctl_json_fputs(stdout, d->name);
		first = 0;
	}
	printf("]}");
}

static void
text_kind(const struct rollout_kind_summary *ks, unsigned k, const struct cur *c, const char *root)
{
	const char *up = k == ROLLOUT_CTL ? "CTL" : "ITL";

	if (c->have)
		printf("%s: current md5 %s (%s/%s)\n", up, c->hex, root, root_file[k]);
	else
		printf("%s: no %s/%s: nothing is current\n", up, root, root_file[k]);
	printf("  devices with the current %s: %zu\n", up, ks->current);
	printf("  devices with an older %s:    %zu\n", up, c->have ? ks->older : ks->devices);
	printf("  not asked since the change:   %zu\n", ks->not_asked);
	for (size_t i = 0; i < ks->nversions; i++) {
		const struct rollout_version_info *v = &ks->versions[i];
		char h[33], ts[40];

		hex16(v->md5, h);
		when_str(v->timestamp, ts, sizeof(ts));
		printf("  %s %7zu devices  signed %s by %s%s\n", h, v->phones, ts,
		       v->signer[0] ? v->signer : "(unknown)", v->current ? "  (current)" : "");
	}
}

static int
problem(const struct show_phones_args *a, const char *code, const char *msg)
{
	if (a->json)
		ctl_json_error(stdout, code, msg);
	fprintf(stderr, "%s: %s\n", a->prog, msg);
	return SHOW_EXIT_NOFILE;
}

/* Devices (names) matching a filter, one per line or as a JSON array. */
static void
list(const struct show_phones_args *a, const struct rollout_records *r, const struct cur *cur,
     const uint8_t *md5)
{
	int first = 1;

	for (size_t i = 0; i < r->ndevices; i++) {
		const struct rollout_rec_device *d = &r->devices[i];

		if (md5 != NULL ? !holds(r, d, md5) : !is_stale(r, d, cur))
			continue;
		if (a->json) {
			if (!first)
				putchar(',');
			ctl_json_fputs(stdout, d->name);
		} else {
			printf("%s\n", d->name);
		}
		first = 0;
	}
}

static int
report(const struct show_phones_args *a, const struct rollout_records *r, const struct cur *cur,
       const uint8_t *want)
{
	const uint8_t *cm[ROLLOUT_KINDS] = { cur[0].have ? cur[0].md5 : NULL,
	                                     cur[1].have ? cur[1].md5 : NULL, NULL };
	struct rollout_summary *s;
	struct groups g[2] = { { NULL, NULL }, { NULL, NULL } };
	int rc = SHOW_EXIT_OK;

	if (rollout_summarize(r, cm, &s) != CTL_OK || group(r, ROLLOUT_CTL, &g[0]) < 0 ||
	    group(r, ROLLOUT_ITL, &g[1]) < 0) {
		groups_free(&g[0]);
		groups_free(&g[1]);
		return problem(a, "internal", "out of memory");
	}
	if (!a->json && (a->stale || want != NULL)) {
		list(a, r, cur, want);
	} else if (a->json) {
		printf("{\"state\":");
		ctl_json_fputs(stdout, a->state);
		printf(",\"root\":");
		ctl_json_fputs(stdout, a->root);
		printf(",\"devices\":%zu,\"ctl\":", r->ndevices);
		json_kind(r, &s->kind[ROLLOUT_CTL], ROLLOUT_CTL, &cur[0], &g[0]);
		printf(",\"itl\":");
		json_kind(r, &s->kind[ROLLOUT_ITL], ROLLOUT_ITL, &cur[1], &g[1]);
		printf(",\"config\":{\"devices\":%zu,\"versions\":%zu}",
		       s->kind[ROLLOUT_CONFIG].devices, s->kind[ROLLOUT_CONFIG].nversions);
		if (a->stale) {
			printf(",\"stale\":[");
			list(a, r, cur, NULL);
			putchar(']');
		}
		if (want != NULL) {
			printf(",\"holding\":{\"md5\":\"%s\",\"devices\":[", a->version);
			list(a, r, cur, want);
			printf("]}");
		}
		printf("}\n");
	} else {
		printf("Rollout state %s: %zu devices\n", a->state, r->ndevices);
		text_kind(&s->kind[ROLLOUT_CTL], ROLLOUT_CTL, &cur[0], a->root);
		text_kind(&s->kind[ROLLOUT_ITL], ROLLOUT_ITL, &cur[1], a->root);
		printf("Configuration files: %zu devices, %zu versions\n", s->kind[ROLLOUT_CONFIG].devices,
		       s->kind[ROLLOUT_CONFIG].nversions);
	}
	rollout_summary_free(s);
	groups_free(&g[0]);
	groups_free(&g[1]);
	if (fflush(stdout) != 0)
		rc = SHOW_EXIT_FAIL;
	return rc;
}

int
show_phones(const struct show_phones_args *a)
{
	struct rollout_records *r = NULL;
	struct cur cur[ROLLOUT_KINDS];
	struct ctl_diag d;
	uint8_t want[16];
	char msg[800];
	int rc;

	if (a->version != NULL && unhex16(a->version, want) < 0) {
		snprintf(msg, sizeof(msg), "--version: expected an md5 of 32 hex digits, got '%s'",
		         a->version);
		if (a->json)
			ctl_json_error(stdout, "usage", msg);
		fprintf(stderr, "%s: %s\n", a->prog, msg);
		return SHOW_EXIT_USAGE;
	}
	memset(&d, 0, sizeof(d));
	if (rollout_file_read(a->state, &r, &d) != CTL_OK) {
		snprintf(msg, sizeof(msg), "%s: %s", a->state, d.msg);
		return problem(a, d.err == CTL_E_IO && d.offset == 0 ? "io" : "parse", msg);
	}
	for (unsigned k = 0; k < ROLLOUT_KINDS; k++)
		current_of(a->root, root_file[k], &cur[k]);
	rc = report(a, r, cur, a->version != NULL ? want : NULL);
	rollout_records_free(r);
	return rc;
}
