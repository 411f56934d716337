/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout table's life in ctl-tftpd: made at start (restored from
 * --rollout-state when it is readable and sound, otherwise empty, and
 * the log says which), forgotten devices dropped and the state file
 * written every ROLLOUT_SAVE_S seconds when the table changed, written
 * at once on SIGUSR1 (the status signal) and when the daemon stops.
 */
#ifndef ROLLOUT_KEEP_H
#define ROLLOUT_KEEP_H

#include "ctl/err.h"
#include "loop.h"
#include "rollout.h"

#define ROLLOUT_SAVE_S 3
#define ROLLOUT_MAX_DEVICES 200000

struct rollout_keep;

/* path may be NULL (in memory only). NULL only without memory (err says so). */
CTL_MUST_USE struct rollout_keep *rollout_keep_new(struct loop *l, const char *path,
                                                   unsigned forget_days, char *err, size_t errlen);
/*
 * Starts the state file's writer process (rollout_writer.h), to be called
 * once the daemon runs as its user, early: pages the daemon shares with it
 * are copied the first time the daemon writes them. Without it (or when it
 * cannot start: logged), the first timed write starts it. NULL ok.
 */
void rollout_keep_start(struct rollout_keep *k);
/* Writes the state file now (when there is one); logs a failure. */
void rollout_keep_save(struct rollout_keep *k);
/* Writes the state file and frees everything. NULL ok. */
void rollout_keep_free(struct rollout_keep *k);
struct rollout *rollout_keep_table(const struct rollout_keep *k);

#endif
