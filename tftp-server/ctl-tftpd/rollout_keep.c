/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout table's life in ctl-tftpd (rollout_keep.h). A state file
 * that cannot be believed never stops the service: the daemon says what
 * was wrong and where, and starts with an empty table (the phones fill it
 * again as they ask).
 */
#include <errno.h>
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

void
rollout_keep_save(struct rollout_keep *k)
{
	struct rollout_records *rec;
	struct ctl_diag d;
	enum ctl_err e;

	if (k == NULL || k->path == NULL)
		return;
	memset(&d, 0, sizeof(d));
	if ((e = rollout_export(k->r, &rec)) != CTL_OK) {
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path, ctl_strerror(e));
		return;
	}
	if ((e = rollout_file_write(k->path, rec, &d)) != CTL_OK)
		tftp_log(TFTP_LOG_ERR, "rollout state %s: not written: %s", k->path,
		         d.msg[0] ? d.msg : ctl_strerror(e));
	rollout_records_free(rec);
}

static void
on_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct rollout_keep *k = arg;

	rollout_expire(k->r, time(NULL));
	if (rollout_dirty(k->r))
		rollout_keep_save(k);
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
	rollout_keep_save(k);
	rollout_free(k->r);
	free(k);
}

struct rollout *
rollout_keep_table(const struct rollout_keep *k)
{
	return k != NULL ? k->r : NULL;
}
