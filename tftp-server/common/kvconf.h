/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node daemons' configuration values (node.conf, tvsd.conf): the file
 * read through libctl's ctl/kvread.h with errors naming file:line, and the
 * value parsers every daemon shares (strings, bounded numbers, listen
 * addresses, the mode of a secret file). Errors go to err as one line.
 */
#ifndef NODE_KVCONF_H
#define NODE_KVCONF_H

#include <stddef.h>

#include <ctl/err.h>

/* Writes the message into err and returns -1. */
CTL_MUST_USE int kv_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies a string value; refuses an empty one or one that does not fit cap. */
CTL_MUST_USE int kv_set_str(char *dst, size_t cap, const char *key, const char *val, char *err,
                            size_t errlen);
/* A number in min..max (ctl_parse_uint). */
CTL_MUST_USE int kv_set_uint(unsigned *dst, const char *key, const char *val,
                             unsigned long long min, unsigned long long max, char *err,
                             size_t errlen);

/*
 * "ADDR:PORT", "[V6]:PORT" or ":PORT" (every address: any, "0.0.0.0" or
 * "::"); with port_alone also a bare "PORT". addr gets the numeric address
 * (at least 64 bytes).
 */
CTL_MUST_USE int kv_set_listen(const char *val, const char *any, int port_alone, char *addr,
                               size_t addrcap, unsigned *port, char *err, size_t errlen);

/* A secret file (key, credentials) must not be readable or writable by group or others. */
CTL_MUST_USE int kv_secret_mode_check(const char *what, const char *path, char *err,
                                      size_t errlen);

/* Command-line settings (--set KEY=VALUE and the options that stand for a key), in order. */
struct kv_overrides {
	size_t n;
	struct {
		const char *key;
		const char *val;
	} ov[64];
};

/*
 * Adds key = arg, or with key NULL arg as "KEY=VALUE" (split in place).
 * -1 when arg has no '=' or the list is full (a usage error).
 */
CTL_MUST_USE int kv_override_add(struct kv_overrides *o, const char *key, char *arg);

/*
 * Sets one pair; origin is "FILE:LINE". Returns 0, or -1 with the reason in
 * err (kv_load prefixes FILE:LINE).
 */
typedef int (*kv_set_fn)(void *ctx, const char *key, const char *val, const char *origin,
                         char *err, size_t errlen);
/* Every pair of path through set, stopping at the first error. */
CTL_MUST_USE int kv_load(const char *path, kv_set_fn set, void *ctx, char *err, size_t errlen);

#endif
