/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout table's insides, shared by rollout.c (the table),
 * rollout_records.c (export, import, summary) and rollout_tap.c (what a
 * transfer tells the table). Nothing outside these files includes it.
 */
#ifndef ROLLOUT_INT_H
#define ROLLOUT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "rollout.h"

struct rver {
	struct rver *hnext;
	char *signer;           /* NULL: unknown or not parsed */
	int64_t timestamp;
	uint32_t first_served;
	uint32_t refs;          /* device slots pointing here */
	uint32_t index;         /* scratch: position in an export */
	uint8_t md5[16];
	uint8_t kind;
	uint8_t described;
};

/* A peer's address as the table keeps it: no sockaddr_storage copied per transfer. */
struct raddr {
	uint8_t family;         /* 0, 4, 6 */
	uint16_t port;
	uint8_t addr[16];
};

struct rslot {
	struct rver *ver;
	uint32_t when;
	uint8_t complete;
	uint8_t family;         /* 0, 4, 6 */
	uint16_t port;
	uint8_t addr[16];
};

struct rdev {
	struct rdev *hnext;
	struct rdev *prev, *next;   /* seen list: oldest first */
	uint32_t last_seen;
	uint8_t present;
	/* Transfers in flight holding this record (rollout_tap.c): dropped from the
	 * table while pinned, it stays allocated (dead) until the last one ends. */
	uint8_t dead;
	uint16_t pins;
	char name[ROLLOUT_NAME_MAX + 1];
	/* slot[ROLLOUT_CONFIG].ver stays NULL: config_md5 holds its md5. */
	struct rslot slot[ROLLOUT_KINDS];
	/*
	 * Each phone's configuration file is its own: interning its md5 (an
	 * allocation and a hash insert per phone at a first boot, a lookup in a
	 * table as large as the fleet) would share nothing.
	 */
	uint8_t config_md5[16];
	/* The identity of the configuration file whose md5 config_md5 holds
	 * (rollout_tap.c), 0: none. A phone that boots again with its file unchanged
	 * is not hashed again: at a rollout every phone reboots, its own file as before. */
	uint64_t config_print;
};

#include <sys/socket.h>

/* A transfer in flight (rollout_tap.c), until it ends. */
struct rollout_flight {
	struct rollout_flight *prev, *next;   /* the table's list of them (freed with it) */
	struct rdev *dev;       /* the device noted at the start (pinned), NULL: look it up by name */
	struct raddr peer;
	uint8_t md5[16];
	uint8_t kind;
	char device[ROLLOUT_NAME_MAX + 1];
};

#define MEMO_SLOTS 256

struct md5_memo {
	uint64_t dev, ino, mtime_ns, ctime_ns;
	size_t size;
	const void *data;
	uint8_t md5[16];
};

struct rollout {
	size_t max_devices;
	unsigned forget;
	struct rdev **dev_b;
	size_t dmask, ndev;
	struct rver **ver_b;
	size_t vmask, nver;
	struct rdev *oldest, *newest;
	size_t bytes;
	unsigned long evicted, forgotten, bad_names;
	int dirty;
	/* rollout_tap.c */
	struct rollout_flight *fl_live;
	size_t fl_n, inflight_bytes;
	/* Ended transfers' entries kept for the next ones (counted in inflight_bytes). */
	struct rollout_flight *fl_spare;
	size_t fl_nspare;
	struct md5_memo *memo;
	/* MD5 fetched once and one context reused: an implicit fetch per file costs more than hashing it. */
	struct evp_md_st *md5_md;
	struct evp_md_ctx_st *md5_ctx;
};

struct rver *rollout_ver_find(const struct rollout *r, unsigned kind, const uint8_t md5[16]);
struct rver *rollout_ver_get(struct rollout *r, unsigned kind, const uint8_t md5[16], int64_t now);
struct rdev *rollout_dev_find(const struct rollout *r, const char *name);
struct rdev *rollout_dev_get(struct rollout *r, const char *name, int64_t now);
/* Drops every device (and so every version). */
void rollout_clear(struct rollout *r);
/* 1 when name is a device name the table takes (what rollout_note checks). */
int rollout_name_ok(const char *name);
void rollout_addr_of(struct raddr *a, const struct sockaddr *peer);
/*
 * rollout_note for a name rollout_name_ok accepted and an address already
 * converted; the device's record (NULL without memory).
 */
struct rdev *rollout_note_ok(struct rollout *r, const char *device, enum rollout_kind kind,
                             const uint8_t md5[16], const struct raddr *a, int complete, time_t now);
/* The same on a device record still in the table (no lookup by name). */
void rollout_note_dev(struct rollout *r, struct rdev *d, enum rollout_kind kind,
                      const uint8_t md5[16], const struct raddr *a, int complete, time_t now);
/* Parses v's signer and signing time from the bytes served, once per version. */
void rollout_ver_describe(struct rollout *r, struct rver *v, const uint8_t *data, size_t n);
/* A transfer in flight lets go of d (freed if it left the table meanwhile). */
void rollout_unpin(struct rdev *d);

#endif
