/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout tracker: for every device name ctl-tftpd serves
 * (CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv, SEP<MAC>.cnf.xml[.sgn|.enc.sgn], over
 * TFTP and HTTP) the last CTL, ITL and configuration version served (md5),
 * when, to which address and whether the transfer completed.
 *
 * In memory and bounded: at most max_devices devices (the least recently
 * seen one makes room for a new one), CTL and ITL versions interned (one
 * record per distinct md5 and kind, refcounted, with the signer and signing
 * time parsed once), a configuration file's md5 in its device's record.
 * Devices not seen for forget_seconds are dropped.
 * Single-threaded: called from the daemon's loop only.
 */
#ifndef ROLLOUT_H
#define ROLLOUT_H

#include "ctl/err.h"
#include "rollout_file.h"
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

struct rollout;

/* NULL on allocation failure. */
struct rollout *rollout_new(size_t max_devices, unsigned forget_seconds);
void rollout_free(struct rollout *r);

/*
 * Records that device (a device name such as "SEP001122334455") was served
 * a file of kind whose bytes have this md5. complete: 0 when the transfer
 * starts, 1 when the last byte was acknowledged/sent. peer may be NULL.
 * Names longer than ROLLOUT_NAME_MAX are ignored (counted).
 */
void rollout_note(struct rollout *r, const char *device, enum rollout_kind kind,
                  const uint8_t md5[16], const struct sockaddr *peer, int complete, time_t now);

/*
 * Describes a version once: signer and signing time parsed with libctl
 * from the served bytes (CTL/ITL). Cheap when already known; returns 0
 * when the md5 is not interned (call after rollout_note).
 */
int rollout_describe(struct rollout *r, enum rollout_kind kind, const uint8_t md5[16],
                     const uint8_t *data, size_t n);

/* Drops devices not seen for forget_seconds. */
void rollout_expire(struct rollout *r, time_t now);

/* Counts and memory accounting (bytes the table holds, allocator overhead included). */
size_t rollout_devices(const struct rollout *r);
/* Versions interned: CTL and ITL (a configuration file's md5 is kept in its device's record). */
size_t rollout_versions(const struct rollout *r);
size_t rollout_bytes(const struct rollout *r);
unsigned long rollout_evicted(const struct rollout *r);
/* Changes since the last rollout_export (the persist timer writes only then). */
int rollout_dirty(const struct rollout *r);

/*
 * The per-kind answer: versions (md5, phones, signer, timestamp, current),
 * devices current / older / not asked since the last change. current[k]
 * is the md5 of the root's CTLFile.tlv / ITLFile.tlv now (NULL: unknown).
 * Free with rollout_summary_free() (rollout_file.h).
 */
CTL_MUST_USE enum ctl_err rollout_summary_new(const struct rollout *r,
                                              const uint8_t *const current[ROLLOUT_KINDS],
                                              struct rollout_summary **out);

/* Flat records of the table (for the state file); clears the dirty mark. */
CTL_MUST_USE enum ctl_err rollout_export(struct rollout *r, struct rollout_records **out);
/* Replaces the table's content with records (state file restore). */
CTL_MUST_USE enum ctl_err rollout_import(struct rollout *r, const struct rollout_records *rec);

/* ---- what a transfer tells the table (rollout_tap.c) ---------------- */

struct tftp_file;
/* A transfer the table follows, from its start to its end (the table's; the caller holds a pointer). */
struct rollout_flight;

/*
 * A transfer of file f for the requested name starts. *fl is the caller's
 * slot for the transfer (NULL before its first start; a transfer started
 * again keeps its entry): the end finds the transfer there, with no lookup.
 * Names that are no device's (CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv,
 * SEP<MAC>.cnf.xml[.sgn|.enc.sgn]) cost a few compares and nothing else,
 * and leave *fl NULL. r may be NULL (--no-rollout). rollout_free drops the
 * transfers not ended: their slots must not be used after it.
 */
void rollout_start(struct rollout *r, struct rollout_flight **fl, const char *requested,
                   const struct tftp_file *f, const struct sockaddr *peer, time_t now);
/* The transfer in *fl ended (*fl becomes NULL; NULL: nothing); completed: its last byte was delivered. */
void rollout_end(struct rollout *r, struct rollout_flight **fl, int completed, time_t now);
/*
 * Parses a requested name: the device ("SEP<MAC>") and the kind. 0 when
 * the name is none of a device's files.
 */
int rollout_device_of(const char *requested, char device[ROLLOUT_NAME_MAX + 1],
                      enum rollout_kind *kind);

#endif
