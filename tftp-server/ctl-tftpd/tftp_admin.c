/* SPDX-License-Identifier: Apache-2.0 */
/* ctl-tftpd's status page and metrics (see tftp_admin.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "admin_ctl.h"
#include "rollout.h"
#include "tftp_admin.h"
#include "tftp_log.h"
#include "tftp_status.h"

struct tftp_admin {
	struct admin *port;
	struct tftp_server *srv;
	const char *root;
};

/* A counter with its label values, for the tables and the metrics. */
struct count {
	const char *proto, *what;
	uint64_t n;
};

/* Transfers by outcome (ctltftpd_transfers_total{proto,result}). */
static size_t
transfers(const struct tftp_stats *st, struct count *c)
{
	const struct count t[] = {
		{ "tftp", "ok", st->completed }, { "tftp", "failed", st->failed },
		{ "tftp", "notfound", st->notfound }, { "tftp", "refused", st->refused },
		{ "tftp", "busy", st->busy }, { "tftp", "malformed", st->malformed },
		{ "http", "ok", st->http_ok }, { "http", "notfound", st->http_notfound },
		{ "http", "refused", st->http_refused }, { "http", "bad", st->http_bad },
		{ "http", "timeout", st->http_timeouts },
	};

	memcpy(c, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

/* Everything that is not a success, by cause (ctltftpd_failures_total{proto,cause}). */
static size_t
failures(const struct tftp_stats *st, struct count *c)
{
	const struct count t[] = {
		{ "tftp", "notfound", st->notfound }, { "tftp", "refused", st->refused },
		{ "tftp", "busy", st->busy }, { "tftp", "malformed", st->malformed },
		{ "tftp", "incomplete", st->failed }, { "tftp", "stale", st->stale },
		{ "tftp", "dropped", st->dropped }, { "tftp", "evicted", st->evicted },
		{ "tftp", "unreachable", st->unreachable }, { "tftp", "expired", st->expired },
		{ "tftp", "notimer", st->notimer },
		{ "http", "notfound", st->http_notfound }, { "http", "refused", st->http_refused },
		{ "http", "busy", st->http_busy }, { "http", "bad", st->http_bad },
		{ "http", "timeout", st->http_timeouts },
	};

	memcpy(c, t, sizeof(t));
	return sizeof(t) / sizeof(t[0]);
}

static int
by_count_desc(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

static void
page_counters(struct admin_buf *b, const struct tftp_status *ss)
{
	const struct tftp_stats *st = ss->st;
	struct count c[32];
	size_t n, shown = 0;

	admin_buf_puts(b, "<h2>Transfers</h2>\n<table>\n<tr><th></th><th>TFTP</th><th>HTTP</th></tr>\n");
	admin_buf_printf(b, "<tr><th>Requests</th><td>%llu</td><td>%llu</td></tr>\n",
	                 (unsigned long long)st->requests, (unsigned long long)st->http_requests);
	admin_buf_printf(b, "<tr><th>Completed</th><td>%llu</td><td>%llu</td></tr>\n",
	                 (unsigned long long)st->completed, (unsigned long long)st->http_ok);
	admin_buf_printf(b, "<tr><th>Bytes sent</th><td>%llu</td><td>%llu</td></tr>\n",
	                 (unsigned long long)st->bytes, (unsigned long long)st->http_bytes);
	admin_buf_printf(b, "<tr><th>Active</th><td>%llu</td><td>%llu</td></tr>\n",
	                 (unsigned long long)st->active, (unsigned long long)st->http_active);
	admin_buf_printf(b, "<tr><th>Not found</th><td>%llu</td><td>%llu</td></tr>\n",
	                 (unsigned long long)st->notfound, (unsigned long long)st->http_notfound);
	admin_buf_printf(b, "<tr><th>Duplicates</th><td>%llu</td><td></td></tr>\n",
	                 (unsigned long long)st->duplicates);
	admin_buf_printf(b, "<tr><th>Queued</th><td>%zu</td><td></td></tr>\n</table>\n", ss->queued);
	n = failures(st, c);
	qsort(c, n, sizeof(c[0]), by_count_desc);
	admin_buf_puts(b, "<h2>Top error causes</h2>\n");
	for (size_t i = 0; i < n && shown < 5 && c[i].n > 0; i++, shown++)
		admin_buf_printf(b, "%s<tr><th>%s %s</th><td>%llu</td></tr>\n", shown == 0 ? "<table>\n" : "",
		                 c[i].proto, c[i].what, (unsigned long long)c[i].n);
	admin_buf_puts(b, shown > 0 ? "</table>\n" : "<p>No errors.</p>\n");
}

/* The served files' md5 as bytes, for the tracker's "current" (NULL when not served). */
static int
hex16(const char *hex, uint8_t out[16])
{
	for (int i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* The tracker's summary against the served CTL and ITL; NULL when tracking is off or fails. */
static struct rollout_summary *
summary(const struct tftp_admin *a, const struct admin_ctl *ctl, const struct admin_ctl *itl)
{
	struct rollout *r = tftp_server_rollout(a->srv);
	struct rollout_summary *sum = NULL;
	uint8_t md5[2][16];
	const uint8_t *cur[ROLLOUT_KINDS] = { NULL, NULL, NULL };

	if (r == NULL)
		return NULL;
	if (ctl->present && hex16(ctl->md5, md5[0]) == 0)
		cur[ROLLOUT_CTL] = md5[0];
	if (itl->present && hex16(itl->md5, md5[1]) == 0)
		cur[ROLLOUT_ITL] = md5[1];
	if (rollout_summary_new(r, cur, &sum) != CTL_OK)
		return NULL;
	return sum;
}

static void
md5_hex(const uint8_t md5[16], char out[33])
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md5[i]);
}

static void
page_rollout(struct admin_buf *b, const struct tftp_admin *a, const struct rollout_summary *sum)
{
	static const char *const title[ROLLOUT_KINDS] = { "CTL", "ITL", "Configuration" };

	admin_buf_puts(b, "<h2>Rollout</h2>\n");
	if (tftp_server_rollout(a->srv) == NULL) {
		admin_buf_puts(b, "<p>Rollout tracking is off (--no-rollout).</p>\n");
		return;
	}
	if (sum == NULL) {
		admin_buf_puts(b, "<p>Rollout counts unavailable: out of memory.</p>\n");
		return;
	}
	admin_buf_printf(b, "<p>Devices seen: %zu</p>\n<table>\n<tr><th></th><th>Devices</th>"
	                 "<th>Current</th><th>Older</th><th>Not asked since the change</th></tr>\n",
	                 sum->devices);
	for (int k = 0; k < ROLLOUT_KINDS; k++) {
		const struct rollout_kind_summary *ks = &sum->kind[k];

		if (k == ROLLOUT_CONFIG)
			admin_buf_printf(b, "<tr><th>%s</th><td class=\"n\">%zu</td><td></td><td></td><td></td></tr>\n",
			                 title[k], ks->devices);
		else
			admin_buf_printf(b, "<tr><th>%s</th><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
			                 "<td class=\"n\">%zu</td><td class=\"n\">%zu</td></tr>\n",
			                 title[k], ks->devices, ks->current, ks->older, ks->not_asked);
	}
	admin_buf_puts(b, "</table>\n");
	for (int k = 0; k < ROLLOUT_CONFIG; k++) {
		const struct rollout_kind_summary *ks = &sum->kind[k];

		if (ks->nversions == 0)
			continue;
		admin_buf_printf(b, "<table>\n<tr><th>%s version (md5)</th><th>Phones</th><th>Signer</th>"
		                 "<th>Signed</th></tr>\n", title[k]);
		for (size_t i = 0; i < ks->nversions; i++) {
			const struct rollout_version_info *v = &ks->versions[i];
			char hex[33], t[32] = "";

			md5_hex(v->md5, hex);
			if (v->timestamp > 0)
				admin_time_utc((time_t)v->timestamp, t, sizeof(t));
			admin_buf_printf(b, "<tr><td>%s%s</td><td class=\"n\">%zu</td><td>", hex,
			                 v->current ? " (current)" : "", v->phones);
			admin_buf_html(b, v->signer, strlen(v->signer));
			admin_buf_printf(b, "</td><td>%s</td></tr>\n", t);
		}
		admin_buf_puts(b, "</table>\n");
	}
}

static void
metrics_rollout(struct admin_buf *b, const struct rollout_summary *sum)
{
	admin_metric_head(b, "ctltftpd_phones", "gauge",
	                  "Devices whose last file of this kind is this version.");
	for (int k = 0; sum != NULL && k < ROLLOUT_KINDS; k++)
		for (size_t i = 0; i < sum->kind[k].nversions; i++) {
			const struct rollout_version_info *v = &sum->kind[k].versions[i];
			char hex[33];

			md5_hex(v->md5, hex);
			admin_buf_printf(b, "ctltftpd_phones{kind=\"%s\",md5=\"%s\",current=\"%d\"} %zu\n",
			                 rollout_kind_name((enum rollout_kind)k), hex, v->current ? 1 : 0,
			                 v->phones);
		}
	admin_metric_head(b, "ctltftpd_phones_not_asked", "gauge",
	                  "Devices on an older CTL or ITL that have not asked since the change.");
	for (int k = 0; sum != NULL && k < ROLLOUT_CONFIG; k++)
		admin_buf_printf(b, "ctltftpd_phones_not_asked{kind=\"%s\"} %zu\n",
		                 rollout_kind_name((enum rollout_kind)k), sum->kind[k].not_asked);
	admin_metric_head(b, "ctltftpd_rollout_devices", "gauge", "Devices the rollout tracker holds.");
	if (sum != NULL)
		admin_buf_printf(b, "ctltftpd_rollout_devices %zu\n", sum->devices);
}

static void
server_status(const struct tftp_admin *a, struct tftp_status *ss)
{
	tftp_server_status(a->srv, ss);
}

static void
page(void *ctx, struct admin_buf *b)
{
	struct tftp_admin *a = ctx;
	struct tftp_status ss;
	struct admin_ctl *ctl = malloc(2 * sizeof(*ctl));
	struct rollout_summary *sum;
	time_t now = time(NULL);

	if (ctl == NULL) {
		b->failed = 1;
		return;
	}
	server_status(a, &ss);
	admin_ctl_read(a->root, "CTLFile.tlv", &ctl[0]);
	admin_ctl_read(a->root, "ITLFile.tlv", &ctl[1]);
	sum = summary(a, &ctl[0], &ctl[1]);
	admin_html_begin(b, "ctl-tftpd status", now);
	admin_buf_puts(b, "<p>Served from ");
	admin_buf_html(b, a->root, strlen(a->root));
	admin_buf_puts(b, "</p>\n");
	page_rollout(b, a, sum);
	admin_ctl_html(b, &ctl[0], now);
	admin_ctl_html(b, &ctl[1], now);
	page_counters(b, &ss);
	admin_html_end(b);
	rollout_summary_free(sum);
	free(ctl);
}

/* One counter family with a sample per label pair. */
static void
family(struct admin_buf *b, const char *name, const char *label, const char *help,
       const struct count *c, size_t n)
{
	admin_metric_head(b, name, "counter", help);
	for (size_t i = 0; i < n; i++)
		admin_buf_printf(b, "%s{proto=\"%s\",%s=\"%s\"} %llu\n", name, c[i].proto, label, c[i].what,
		                 (unsigned long long)c[i].n);
}

static void
metrics_counters(struct admin_buf *b, const struct tftp_status *ss)
{
	const struct tftp_stats *st = ss->st;
	struct count c[32];

	family(b, "ctltftpd_transfers_total", "result", "Transfers and requests answered, by outcome.",
	       c, transfers(st, c));
	family(b, "ctltftpd_failures_total", "cause", "Requests and transfers that failed, by cause.",
	       c, failures(st, c));
	admin_metric_head(b, "ctltftpd_requests_total", "counter", "Requests received.");
	admin_buf_printf(b, "ctltftpd_requests_total{proto=\"tftp\"} %llu\n"
	                 "ctltftpd_requests_total{proto=\"http\"} %llu\n",
	                 (unsigned long long)st->requests, (unsigned long long)st->http_requests);
	admin_metric_head(b, "ctltftpd_bytes_sent_total", "counter", "File bytes sent.");
	admin_buf_printf(b, "ctltftpd_bytes_sent_total{proto=\"tftp\"} %llu\n"
	                 "ctltftpd_bytes_sent_total{proto=\"http\"} %llu\n",
	                 (unsigned long long)st->bytes, (unsigned long long)st->http_bytes);
	admin_metric_head(b, "ctltftpd_duplicate_requests_total", "counter",
	                  "Repeated TFTP requests that joined a transfer already known.");
	admin_buf_printf(b, "ctltftpd_duplicate_requests_total %llu\n",
	                 (unsigned long long)st->duplicates);
	admin_metric_head(b, "ctltftpd_retransmits_total", "counter", "TFTP packets sent again.");
	admin_buf_printf(b, "ctltftpd_retransmits_total %llu\n", (unsigned long long)st->retransmits);
	admin_metric_head(b, "ctltftpd_queue_depth", "gauge", "TFTP requests waiting for a slot.");
	admin_buf_printf(b, "ctltftpd_queue_depth %zu\n", ss->queued);
	admin_metric_head(b, "ctltftpd_active_sessions", "gauge", "Transfers and connections open.");
	admin_buf_printf(b, "ctltftpd_active_sessions{proto=\"tftp\"} %llu\n"
	                 "ctltftpd_active_sessions{proto=\"http\"} %llu\n",
	                 (unsigned long long)st->active, (unsigned long long)st->http_active);
}

static void
metrics(void *ctx, struct admin_buf *b)
{
	struct tftp_admin *a = ctx;
	struct tftp_status ss;
	struct admin_ctl *ctl = malloc(2 * sizeof(*ctl));
	struct rollout_summary *sum;

	if (ctl == NULL) {
		b->failed = 1;
		return;
	}
	server_status(a, &ss);
	metrics_counters(b, &ss);
	admin_ctl_read(a->root, "CTLFile.tlv", &ctl[0]);
	admin_ctl_read(a->root, "ITLFile.tlv", &ctl[1]);
	sum = summary(a, &ctl[0], &ctl[1]);
	metrics_rollout(b, sum);
	rollout_summary_free(sum);
	admin_metric_head(b, "ctltftpd_served_file_timestamp_seconds", "gauge",
	                  "Signing time of the trust list served, by file and md5.");
	for (int i = 0; i < 2; i++)
		if (ctl[i].present)
			admin_buf_printf(b, "ctltftpd_served_file_timestamp_seconds{file=\"%s\",md5=\"%s\"} %u\n",
			                 ctl[i].name, ctl[i].md5, (unsigned)ctl[i].timestamp);
	admin_metric_head(b, "ctltftpd_cert_expiry_timestamp_seconds", "gauge",
	                  "Expiry (notAfter) of each record's certificate in the served trust lists.");
	for (int i = 0; i < 2; i++)
		admin_ctl_expiry_samples(b, "ctltftpd_cert_expiry_timestamp_seconds", &ctl[i]);
	free(ctl);
}

static void
log_line(void *ctx, const char *msg)
{
	(void)ctx;
	tftp_log(TFTP_LOG_INFO, "%s", msg);
}

struct tftp_admin *
tftp_admin_new(struct loop *l, const char *addrport, struct tftp_server *s, const char *root,
               char *err, size_t errlen)
{
	struct tftp_admin *a = calloc(1, sizeof(*a));
	struct admin_handler h = { page, metrics, log_line, NULL };

	if (a == NULL) {
		snprintf(err, errlen, "--admin: out of memory");
		return NULL;
	}
	a->srv = s;
	a->root = root;
	h.ctx = a;
	if ((a->port = admin_new(l, addrport, &h, err, errlen)) == NULL) {
		free(a);
		return NULL;
	}
	return a;
}

void
tftp_admin_free(struct tftp_admin *a)
{
	if (a == NULL)
		return;
	admin_free(a->port);
	free(a);
}
