/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout table's life in ctl-tftpd (rollout_keep.h). A state file
 * that cannot be believed never stops the service: the daemon says what
 * was wrong and where, and starts with an empty table (the phones fill it
 * again as they ask).
 *
 * The timer's write runs off the event loop: the loop copies the table
 * into flat records and encodes them; the writer process
 * (rollout_writer.h) writes the file (temp, fsync, rename), so a storm's
 * transfers never wait for the disk. The loop reads its outcome on a later
 * tick; SIGUSR1 and stopping wait for it and then write at once on the loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl.h"
#include "rollout_keep.h"
#include "rollout_writer.h"
#include "tftp_log.h"

struct rollout_keep {
	struct rollout *r;
	const char *path;
	struct loop *loop;
	struct loop_timer timer;
	struct rollout_writer *w;   /* started at the first background write */
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

/* Reads the background write's outcome (waiting for it when wait): 1 if none runs now. */
static int
write_join(struct rollout_keep *k, int wait)
{
	char msg[sizeof(((struct ctl_diag *)0)->msg)];

	if (k->w == NULL)
		return 1;
	switch (rollout_writer_poll(k->w, wait, msg, sizeof(msg))) {
	case ROLLOUT_WRITER_RUNNING:
		return 0;
	case ROLLOUT_WRITER_IDLE:
		return 1;
	case ROLLOUT_WRITER_DONE:
		k->saved = 1;
		return 1;
	case ROLLOUT_WRITER_FAILED:
		k->saved = 0;
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path, msg);
		return 1;
	case ROLLOUT_WRITER_GONE:
		break;
	}
	k->saved = 0;
	tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s; a new one starts at the next write",
	         k->path, msg);
	rollout_writer_free(k->w);
	k->w = NULL;
	return 1;
}

/* The table written on the loop (SIGUSR1, stopping, or no writer process). */
static void
save_here(struct rollout_keep *k)
{
	struct rollout_records *rec;
	struct ctl_diag d;
	enum ctl_err e;

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

/* The writer process, started unless it runs (1: it runs). */
static int
writer_up(struct rollout_keep *k)
{
	if (k->w == NULL && (k->w = rollout_writer_new(k->path)) == NULL)
		tftp_log(TFTP_LOG_ERR, "rollout state %s: no writer process (%s): writing on the loop",
		         k->path, strerror(errno));
	return k->w != NULL;
}

void
rollout_keep_start(struct rollout_keep *k)
{
	if (k != NULL && k->path != NULL)
		(void)writer_up(k);
}

/* The timer's write: a snapshot now, encoded, written by the writer process (on the loop without one). */
static void
save_background(struct rollout_keep *k)
{
	struct rollout_records *rec;
	struct ctl_diag d;
	uint8_t *p;
	size_t n;
	enum ctl_err e;

	/* The last write still running: the table stays dirty, the next tick writes it. */
	if (!write_join(k, 0))
		return;
	if (!writer_up(k)) {
		save_here(k);
		return;
	}
	if ((e = rollout_export(k->r, &rec)) == CTL_OK) {
		e = rollout_file_encode(rec, &p, &n);
		rollout_records_free(rec);
	}
	if (e != CTL_OK) {
		k->saved = 0;   /* written when the daemon stops, if not before */
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path, ctl_strerror(e));
		return;
	}
	if (rollout_writer_send(k->w, p, n) < 0) {
		char why[sizeof(d.msg)];

		if (errno != EPIPE || rollout_writer_poll(k->w, 0, why, sizeof(why)) != ROLLOUT_WRITER_GONE)
			snprintf(why, sizeof(why), "%s", strerror(errno));
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written by the writer: %s; writing on the loop",
		         k->path, why);
		rollout_writer_free(k->w);
		k->w = NULL;
		memset(&d, 0, sizeof(d));
		if (!(k->saved = ctl_write_atomic(k->path, p, n, 0644, &d) == CTL_OK))
			tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path, d.msg);
		(void)writer_up(k);   /* for the next write */
	}
	free(p);
}

void
rollout_keep_save(struct rollout_keep *k)
{
	if (k == NULL || k->path == NULL)
		return;
	/* One writer at a time, and this write is the newer. */
	(void)write_join(k, 1);
	save_here(k);
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
	rollout_writer_free(k->w);
	rollout_free(k->r);
	free(k);
}

struct rollout *
rollout_keep_table(const struct rollout_keep *k)
{
	return k != NULL ? k->r : NULL;
}
