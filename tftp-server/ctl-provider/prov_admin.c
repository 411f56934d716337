/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-provider's admin port (--admin): the status page (node, security
 * mode, installed CTL, recent logins and uploads) and the ctlprovider_*
 * metrics, on the admin server of admin.h.
 *
 * Threads: ctl-provider has no event loop (its main thread waits in
 * listener_run's poll, every client connection has a thread of its own,
 * see provider.c), so the admin server runs on a libtftp loop in one more
 * thread, which is the only one that touches that loop; it is stopped
 * through an eventfd the loop watches. What the connection threads record
 * (logins, uploads) is kept here under one mutex; the page copies it under
 * that mutex and renders outside it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "admin_ctl.h"
#include "provider.h"

#define RECENT 16

struct login_event {
	time_t when;
	char addr[64];
	char user[PROV_NAME_MAX];
	enum prov_auth_result result;
};

struct upload_event {
	time_t when;
	char peer[80];
	char user[PROV_NAME_MAX];
	char md5[33];
	unsigned length;
	int ok;
	char why[120];
};

struct activity {
	struct login_event logins[RECENT];   /* ring, newest at (nlogins - 1) % RECENT */
	struct upload_event uploads[RECENT];
	uint64_t nlogins, nuploads;
	uint64_t logins_ok, logins_failed, logins_throttled, uploads_ok, uploads_refused;
};

struct prov_admin {
	struct prov_server *srv;
	struct loop *loop;
	struct admin *port;
	int stopfd;
	pthread_t thread;
	pthread_mutex_t lock;     /* guards act */
	struct activity act;
};

static const char *
login_word(enum prov_auth_result r)
{
	switch (r) {
	case PROV_AUTH_OK: return "ok";
	case PROV_AUTH_BAD: return "failed";
	case PROV_AUTH_THROTTLED: return "throttled";
	default: return "error";
	}
}

void
prov_admin_note_login(struct prov_admin *a, const char *addr, const char *user,
                      enum prov_auth_result r)
{
	struct login_event *e;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	e = &a->act.logins[a->act.nlogins++ % RECENT];
	e->when = time(NULL);
	snprintf(e->addr, sizeof(e->addr), "%s", addr);
	snprintf(e->user, sizeof(e->user), "%s", user);
	e->result = r;
	if (r == PROV_AUTH_OK)
		a->act.logins_ok++;
	else if (r == PROV_AUTH_BAD)
		a->act.logins_failed++;
	else if (r == PROV_AUTH_THROTTLED)
		a->act.logins_throttled++;
	pthread_mutex_unlock(&a->lock);
}

void
prov_admin_note_upload(struct prov_admin *a, const char *peer, const char *user, const char *md5,
                       unsigned length, int ok, const char *why)
{
	struct upload_event *e;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	e = &a->act.uploads[a->act.nuploads++ % RECENT];
	e->when = time(NULL);
	snprintf(e->peer, sizeof(e->peer), "%s", peer);
	snprintf(e->user, sizeof(e->user), "%s", user);
	snprintf(e->md5, sizeof(e->md5), "%s", md5 != NULL ? md5 : "");
	snprintf(e->why, sizeof(e->why), "%.119s", why != NULL ? why : "");
	e->length = length;
	e->ok = ok;
	if (ok)
		a->act.uploads_ok++;
	else
		a->act.uploads_refused++;
	pthread_mutex_unlock(&a->lock);
}

/* A cell with escaped text. */
static void
cell(struct admin_buf *b, const char *s)
{
	admin_buf_puts(b, "<td>");
	admin_buf_html(b, s, strlen(s));
	admin_buf_puts(b, "</td>");
}

static void
page_logins(struct admin_buf *b, const struct activity *act)
{
	char t[32];

	admin_buf_printf(b, "<h2>Recent logins</h2>\n<p>ok %llu, failed %llu, throttled %llu</p>\n",
	                 (unsigned long long)act->logins_ok, (unsigned long long)act->logins_failed,
	                 (unsigned long long)act->logins_throttled);
	if (act->nlogins == 0) {
		admin_buf_puts(b, "<p>No logins yet.</p>\n");
		return;
	}
	admin_buf_puts(b, "<table>\n<tr><th>When</th><th>Address</th><th>User</th><th>Result</th></tr>\n");
	for (uint64_t i = 0; i < RECENT && i < act->nlogins; i++) {
		const struct login_event *e = &act->logins[(act->nlogins - 1 - i) % RECENT];

		admin_time_utc(e->when, t, sizeof(t));
		admin_buf_printf(b, "<tr%s>", e->result == PROV_AUTH_OK ? "" : " class=\"warn\"");
		cell(b, t);
		cell(b, e->addr);
		cell(b, e->user);
		cell(b, login_word(e->result));
		admin_buf_puts(b, "</tr>\n");
	}
	admin_buf_puts(b, "</table>\n");
}

static void
page_uploads(struct admin_buf *b, const struct activity *act)
{
	char t[32], len[24];

	admin_buf_printf(b, "<h2>Recent uploads</h2>\n<p>installed %llu, refused %llu</p>\n",
	                 (unsigned long long)act->uploads_ok, (unsigned long long)act->uploads_refused);
	if (act->nuploads == 0) {
		admin_buf_puts(b, "<p>No uploads yet.</p>\n");
		return;
	}
	admin_buf_puts(b, "<table>\n<tr><th>When</th><th>From</th><th>User</th><th>Result</th>"
	               "<th>MD5</th><th>Bytes</th></tr>\n");
	for (uint64_t i = 0; i < RECENT && i < act->nuploads; i++) {
		const struct upload_event *e = &act->uploads[(act->nuploads - 1 - i) % RECENT];

		admin_time_utc(e->when, t, sizeof(t));
		snprintf(len, sizeof(len), "%u", e->length);
		admin_buf_printf(b, "<tr%s>", e->ok ? "" : " class=\"warn\"");
		cell(b, t);
		cell(b, e->peer);
		cell(b, e->user);
		cell(b, e->ok ? "installed" : e->why);
		cell(b, e->md5);
		cell(b, e->ok ? len : "");
		admin_buf_puts(b, "</tr>\n");
	}
	admin_buf_puts(b, "</table>\n");
}

static const char *
mode_word(unsigned mode)
{
	return mode == 0 ? "non-secure (0)" : mode == 1 ? "mixed (1)" : "unknown";
}

static void
page(void *ctx, struct admin_buf *b)
{
	struct prov_admin *a = ctx;
	const struct prov_config *cfg = a->srv->cfg;
	struct activity *act = malloc(sizeof(*act));
	struct admin_ctl *ctl = malloc(sizeof(*ctl));
	time_t now = time(NULL);

	if (act == NULL || ctl == NULL) {
		free(act);
		free(ctl);
		b->failed = 1;
		return;
	}
	pthread_mutex_lock(&a->lock);
	*act = a->act;
	pthread_mutex_unlock(&a->lock);
	admin_html_begin(b, "ctl-provider status", now);
	admin_buf_puts(b, "<table>\n<tr><th>Node</th><td>");
	admin_buf_html(b, cfg->hostname, strlen(cfg->hostname));
	admin_buf_printf(b, "</td></tr>\n<tr><th>Security mode</th><td>%s</td></tr>\n",
	                 mode_word(prov_store_mode(&a->srv->store)));
	admin_buf_printf(b, "<tr><th>Throttled addresses</th><td>%u</td></tr>\n</table>\n",
	                 prov_auth_throttled(&a->srv->auth));
	admin_ctl_read(cfg->tftp_root, PROV_CTL_NAME, ctl);
	admin_ctl_html(b, ctl, now);
	page_logins(b, act);
	page_uploads(b, act);
	admin_html_end(b);
	free(ctl);
	free(act);
}

static void
metrics(void *ctx, struct admin_buf *b)
{
	struct prov_admin *a = ctx;
	struct admin_ctl *ctl = malloc(sizeof(*ctl));
	struct activity act;

	if (ctl == NULL) {
		b->failed = 1;
		return;
	}
	pthread_mutex_lock(&a->lock);
	act = a->act;
	pthread_mutex_unlock(&a->lock);
	admin_metric_head(b, "ctlprovider_logins_total", "counter", "Administrator logins, by result.");
	admin_buf_printf(b, "ctlprovider_logins_total{result=\"ok\"} %llu\n"
	                 "ctlprovider_logins_total{result=\"failed\"} %llu\n"
	                 "ctlprovider_logins_total{result=\"throttled\"} %llu\n",
	                 (unsigned long long)act.logins_ok, (unsigned long long)act.logins_failed,
	                 (unsigned long long)act.logins_throttled);
	admin_metric_head(b, "ctlprovider_uploads_total", "counter", "CTL uploads (PUT_CTL), by result.");
	admin_buf_printf(b, "ctlprovider_uploads_total{result=\"ok\"} %llu\n"
	                 "ctlprovider_uploads_total{result=\"refused\"} %llu\n",
	                 (unsigned long long)act.uploads_ok, (unsigned long long)act.uploads_refused);
	admin_metric_head(b, "ctlprovider_throttled_addresses", "gauge",
	                  "Client addresses refused logins now (too many failures).");
	admin_buf_printf(b, "ctlprovider_throttled_addresses %u\n", prov_auth_throttled(&a->srv->auth));
	admin_metric_head(b, "ctlprovider_security_mode", "gauge", "Cluster security mode (0 non-secure, 1 mixed).");
	admin_buf_printf(b, "ctlprovider_security_mode %u\n", prov_store_mode(&a->srv->store));
	admin_ctl_read(a->srv->cfg->tftp_root, PROV_CTL_NAME, ctl);
	admin_metric_head(b, "ctlprovider_installed_ctl_timestamp_seconds", "gauge",
	                  "Signing time of the installed CTL, by md5.");
	if (ctl->present)
		admin_buf_printf(b, "ctlprovider_installed_ctl_timestamp_seconds{md5=\"%s\"} %u\n", ctl->md5,
		                 (unsigned)ctl->timestamp);
	admin_metric_head(b, "ctlprovider_cert_expiry_timestamp_seconds", "gauge",
	                  "Expiry (notAfter) of each record's certificate in the installed CTL.");
	admin_ctl_expiry_samples(b, "ctlprovider_cert_expiry_timestamp_seconds", ctl);
	free(ctl);
}

static void
log_line(void *ctx, const char *msg)
{
	(void)ctx;
	prov_log("%s", msg);
}

static void
on_stop(struct loop *l, int fd, unsigned ev, void *arg)
{
	uint64_t v;

	(void)ev;
	(void)arg;
	CTL_IGNORE_RESULT(read(fd, &v, sizeof(v)) < 0); /* stopping either way */
	loop_stop(l);
}

static void *
run_loop(void *arg)
{
	struct prov_admin *a = arg;

	if (loop_run(a->loop) < 0)
		prov_log("admin: event loop: %s; the admin port stops", strerror(errno));
	return NULL;
}

static void
destroy(struct prov_admin *a)
{
	admin_free(a->port);
	if (a->stopfd >= 0) {
		loop_del_fd(a->loop, a->stopfd);
		close(a->stopfd);
	}
	loop_free(a->loop);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

struct prov_admin *
prov_admin_start(struct prov_server *srv, const char *addrport, char *err, size_t errlen)
{
	struct prov_admin *a = calloc(1, sizeof(*a));
	struct admin_handler h = { page, metrics, log_line, NULL };
	sigset_t all, old;
	int rc;

	if (a == NULL) {
		snprintf(err, errlen, "--admin: out of memory");
		return NULL;
	}
	a->srv = srv;
	a->stopfd = -1;
	pthread_mutex_init(&a->lock, NULL);
	h.ctx = a;
	if ((a->loop = loop_new()) == NULL || (a->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    loop_add_fd(a->loop, a->stopfd, LOOP_READ, on_stop, a) < 0) {
		snprintf(err, errlen, "--admin: %s", strerror(errno));
		destroy(a);
		return NULL;
	}
	if ((a->port = admin_new(a->loop, addrport, &h, err, errlen)) == NULL) {
		destroy(a);
		return NULL;
	}
	/* Signals stay with the main thread's accept loop (listener_signals). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&a->thread, NULL, run_loop, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "--admin: cannot start its thread: %s", strerror(rc));
		destroy(a);
		return NULL;
	}
	return a;
}

void
prov_admin_stop(struct prov_admin *a)
{
	uint64_t one = 1;

	if (a == NULL)
		return;
	if (write(a->stopfd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		/* Its thread still runs: leave it its memory (the process is ending). */
		prov_log("admin: cannot signal its thread: %s", strerror(errno));
		return;
	}
	pthread_join(a->thread, NULL);
	destroy(a);
}
