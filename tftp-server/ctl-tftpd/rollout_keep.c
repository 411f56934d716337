/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout table's life in ctl-tftpd (rollout_keep.h). A state file
 * that cannot be believed never stops the service: the daemon says what
 * was wrong and where, and starts with an empty table (the phones fill it
 * again as they ask).
 *
 * The timer's write runs off the event loop: the loop only copies the
 * table into flat records (rollout_export); a short-lived thread encodes
 * them and writes the file (temp, fsync, rename), so a storm's transfers
 * never wait for the encoding or the disk. The thread owns its records
 * and its message; the loop joins it before the next write, and
 * SIGUSR1/stopping wait for it and then write at once on the loop.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rollout_keep.h"
#include "tftp_log.h"

struct rollout_keep {
	struct rollout *r;
	const char *path;
	struct loop *loop;
	struct loop_timer timer;
	/* The background write: running while th_on; th_done set by the thread as it ends. */
	pthread_t th;
	int th_on;
	atomic_int th_done;
	struct rollout_records *th_rec;
	char th_err[sizeof(((struct ctl_diag *)0)->msg)];
	int saved;   /* the last write succeeded (the file holds the table unless it is dirty) */
};

static void
restore(struct rollout_keep *k)
{
	struct rollout_records *rec = NULL;
	struct ctl_diag d;
	enum ctl_err e;

	memset(&d, 0, sizeof(d));
	if ((e = rollout_file_read(k->path, &rec, &d)) == CTL_E_IO && d.offset == 0 &&
	    strstr(d.msg, strerror(ENOENT)) != NULL) {
		tftp_log(TFTP_LOG_INFO, "rollout state %s: none yet, starting with an empty table", k->path);
		return;
	}
	if (e == CTL_OK && (e = rollout_import(k->r, rec)) != CTL_OK)
		snprintf(d.msg, sizeof(d.msg), "cannot restore: %s", ctl_strerror(e));
	if (e != CTL_OK) {
		tftp_log(TFTP_LOG_ERR, "rollout state %s: %s; starting with an empty table", k->path, d.msg);
		rollout_records_free(rec);
		return;
	}
	tftp_log(TFTP_LOG_ERR, "rollout state %s: restored %zu devices, %zu versions", k->path,
	         rollout_devices(k->r), rollout_versions(k->r));
	rollout_records_free(rec);
}

static void *
write_thread(void *arg)
{
	struct rollout_keep *k = arg;
	struct ctl_diag d;
	enum ctl_err e;

	memset(&d, 0, sizeof(d));
	k->th_err[0] = '\0';
	if ((e = rollout_file_write(k->path, k->th_rec, &d)) != CTL_OK)
		snprintf(k->th_err, sizeof(k->th_err), "%s", d.msg[0] ? d.msg : ctl_strerror(e));
	rollout_records_free(k->th_rec);
	k->th_rec = NULL;
	atomic_store(&k->th_done, 1);
	return NULL;
}

/* Ends the background write (waiting for it when wait, else only when it is done): 1 if none runs now. */
static int
write_join(struct rollout_keep *k, int wait)
{
	if (!k->th_on)
		return 1;
	if (!wait && !atomic_load(&k->th_done))
		return 0;
	/* The thread does not fail: its result is in th_err. */
	(void)pthread_join(k->th, NULL);
	k->th_on = 0;
	k->saved = k->th_err[0] == '\0';
	if (k->th_err[0] != '\0')
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path, k->th_err);
	return 1;
}

/* The timer's write: a snapshot now, encoded and written by a thread (on the loop if none starts). */
static void
save_background(struct rollout_keep *k)
{
	struct rollout_records *rec;
	sigset_t all, old;
	enum ctl_err e;
	int rc;

	/* The last write still running: the table stays dirty, the next tick writes it. */
	if (!write_join(k, 0))
		return;
	if ((e = rollout_export(k->r, &rec)) != CTL_OK) {
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path, ctl_strerror(e));
		return;
	}
	k->th_rec = rec;
	atomic_store(&k->th_done, 0);
	/* Signals stay with the loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&k->th, NULL, write_thread, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) {
		k->th_on = 1;
		return;
	}
	(void)write_thread(k);   /* no thread: on the loop, as before */
	k->saved = k->th_err[0] == '\0';
	if (k->th_err[0] != '\0')
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path, k->th_err);
}

void
rollout_keep_save(struct rollout_keep *k)
{
	struct rollout_records *rec;
	struct ctl_diag d;
	enum ctl_err e;

	if (k == NULL || k->path == NULL)
		return;
	/* One writer at a time, and this write is the newer. */
	(void)write_join(k, 1);
	memset(&d, 0, sizeof(d));
	if ((e = rollout_export(k->r, &rec)) != CTL_OK) {
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path, ctl_strerror(e));
		return;
	}
	k->saved = (e = rollout_file_write(k->path, rec, &d)) == CTL_OK;
	if (e != CTL_OK)
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path,
		         d.msg[0] ? d.msg : ctl_strerror(e));
	rollout_records_free(rec);
}

static void
on_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct rollout_keep *k = arg;

	rollout_expire(k->r, time(NULL));
	if (k->path != NULL && rollout_dirty(k->r))
		save_background(k);
	if (loop_timer_set(l, t, ROLLOUT_SAVE_S * 1000u) < 0)
		tftp_log(TFTP_LOG_ERR, "rollout: cannot arm the save timer; SIGUSR1 and stopping still write");
}

struct rollout_keep *
rollout_keep_new(struct loop *l, const char *path, unsigned forget_days, char *err, size_t errlen)
{
	struct rollout_keep *k = calloc(1, sizeof(*k));

	if (k == NULL ||
	    (k->r = rollout_new(ROLLOUT_MAX_DEVICES, forget_days > 49000 ? UINT32_MAX
	                                            : forget_days * 86400u)) == NULL) {
		free(k);
		snprintf(err, errlen, "rollout table: out of memory");
		return NULL;
	}
	k->path = path;
	k->loop = l;
	loop_timer_init(&k->timer, on_timer, k);
	if (path != NULL)
		restore(k);
	rollout_expire(k->r, time(NULL));
	if (loop_timer_set(l, &k->timer, ROLLOUT_SAVE_S * 1000u) < 0) {
		rollout_keep_free(k);
		snprintf(err, errlen, "rollout table: out of memory");
		return NULL;
	}
	return k;
}

void
rollout_keep_free(struct rollout_keep *k)
{
	if (k == NULL)
		return;
	loop_timer_cancel(k->loop, &k->timer);
	/* The stop's status line has just written it: again only if a transfer ended since. */
	if (k->path != NULL && (!write_join(k, 1) || rollout_dirty(k->r) || !k->saved))
		rollout_keep_save(k);
	rollout_free(k->r);
	free(k);
}

struct rollout *
rollout_keep_table(const struct rollout_keep *k)
{
	return k != NULL ? k->r : NULL;
}
