/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout state file: what ctl-tftpd last served each device (CTL,
 * ITL and configuration versions), written by ctl-tftpd and read back by
 * ctl-tftpd at start and by show-ctl --phones. One bounded reader
 * (libctl's ctl_rd style): every length is checked before it is used, a
 * bad file is refused with the byte offset of the fault.
 *
 * Layout (all integers big-endian):
 *   "CTLROLL1"  magic, 8 bytes
 *   u32 nversions, u32 ndevices
 *   nversions x version: u8 kind, md5[16], u64 timestamp (signing time,
 *     0 unknown), u64 first_served, u8 signer_len, signer[signer_len]
 *   ndevices x device: u8 name_len (1..ROLLOUT_NAME_MAX), name,
 *     u64 last_seen, u8 kinds_present (bit per kind), then per present
 *     kind: u32 version index, u64 when, u8 complete, u8 family
 *     (0/4/6), addr[4 or 16], u16 port
 *   md5[16] of everything before it (a truncated or damaged file is
 *   refused rather than half-believed)
 *
 * The summary structures below are the answer to "which phones have the
 * current trust list": both ctl-tftpd (status page, metrics) and
 * show-ctl build them from the same records with rollout_summarize().
 */
#ifndef ROLLOUT_FILE_H
#define ROLLOUT_FILE_H

#include "ctl/err.h"
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum rollout_kind { ROLLOUT_CTL = 0, ROLLOUT_ITL = 1, ROLLOUT_CONFIG = 2 };
#define ROLLOUT_KINDS 3
#define ROLLOUT_NAME_MAX 23     /* "SEP" + 12 hex digits fits with room */
#define ROLLOUT_SIGNER_MAX 127
/* A state file larger than this is refused (100,000 devices fit in ~15 MB). */
#define ROLLOUT_FILE_MAX (64u * 1024 * 1024)

const char *rollout_kind_name(enum rollout_kind k);   /* "ctl", "itl", "config" */

/* One interned version: one record per distinct md5 and kind. */
struct rollout_rec_version {
	uint8_t kind;
	uint8_t md5[16];
	int64_t timestamp;          /* signing time of a CTL/ITL, 0 unknown */
	int64_t first_served;       /* first time any device was served it */
	char signer[ROLLOUT_SIGNER_MAX + 1];
};

/* What one device was last served of one kind. */
struct rollout_rec_slot {
	uint32_t version;           /* index into the versions */
	int64_t when;
	uint8_t complete;
	uint8_t family;             /* 0 unknown, 4, 6 */
	uint8_t addr[16];
	uint16_t port;
};

struct rollout_rec_device {
	char name[ROLLOUT_NAME_MAX + 1];
	int64_t last_seen;
	uint8_t present;            /* bit (1 << kind) */
	struct rollout_rec_slot slot[ROLLOUT_KINDS];
};

/* A whole table as flat records (the file's content). */
struct rollout_records {
	size_t nversions, ndevices;
	struct rollout_rec_version *versions;
	struct rollout_rec_device *devices;
};

void rollout_records_free(struct rollout_records *r);   /* frees the arrays and r */

/* Serializes r into a malloc'd buffer (*out, *n). */
CTL_MUST_USE enum ctl_err rollout_file_encode(const struct rollout_records *r, uint8_t **out,
                                              size_t *n);
/* Parses a state file image; on failure diag says what and at which byte. */
CTL_MUST_USE enum ctl_err rollout_file_decode(const uint8_t *p, size_t n, struct rollout_records **out,
                                              struct ctl_diag *diag);
/* Reads path (bounded by ROLLOUT_FILE_MAX) and decodes it. */
CTL_MUST_USE enum ctl_err rollout_file_read(const char *path, struct rollout_records **out,
                                            struct ctl_diag *diag);
/* Encodes and writes path atomically (temporary file, fsync, rename). */
CTL_MUST_USE enum ctl_err rollout_file_write(const char *path, const struct rollout_records *r,
                                             struct ctl_diag *diag);

/* ---- summary ------------------------------------------------------ */

struct rollout_version_info {
	uint8_t md5[16];
	size_t phones;              /* devices whose last file of this kind is it */
	char signer[ROLLOUT_SIGNER_MAX + 1];   /* "" unknown or unsigned */
	int64_t timestamp;          /* signing time, 0 unknown */
	int64_t first_served;
	int current;                /* md5 equals the root's file now */
};

struct rollout_kind_summary {
	size_t nversions;
	struct rollout_version_info *versions;   /* current first, then most phones */
	size_t devices;             /* devices that were served this kind */
	size_t current;             /* ... the current version */
	size_t older;               /* ... another version */
	size_t not_asked;           /* older, and last asked no later than the
	                               second the current version was first
	                               served (all older ones when no device has
	                               been served it yet) */
	int have_current;           /* a current md5 was given */
	uint8_t current_md5[16];
};

struct rollout_summary {
	size_t devices;
	struct rollout_kind_summary kind[ROLLOUT_KINDS];
};

/*
 * Groups records per kind and version. current[k]: md5 of the root's file
 * of kind k now (CTLFile.tlv, ITLFile.tlv), or NULL (no current: configs).
 */
CTL_MUST_USE enum ctl_err rollout_summarize(const struct rollout_records *r,
                                            const uint8_t *const current[ROLLOUT_KINDS],
                                            struct rollout_summary **out);
void rollout_summary_free(struct rollout_summary *s);

#endif
