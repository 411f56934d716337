/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "key = value" configuration files of the node (node.conf, tvsd.conf),
 * read one pair at a time: blank lines and '#' comments are skipped, key
 * and value trimmed of spaces and tabs. The caller checks each pair and
 * words its own errors, naming the file and r->line.
 */
#ifndef CTL_KVREAD_H
#define CTL_KVREAD_H

#include <stdio.h>

#include <ctl/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest line, without its newline. */
#define CTL_KV_LINE_MAX 2046

struct ctl_kv_reader {
	FILE *fp;
	unsigned line;                  /* number of the line last read, from 1 */
	char buf[CTL_KV_LINE_MAX + 2];
};

enum ctl_kv {
	CTL_KV_END = 0,                 /* no more lines */
	CTL_KV_PAIR,                    /* *key and *val point into r->buf */
	CTL_KV_NO_EQUALS,               /* a line that is neither blank, comment nor key = value */
	CTL_KV_TOO_LONG                 /* a line longer than CTL_KV_LINE_MAX */
};

/* Opens path; -1 with errno set when it cannot be read. */
CTL_MUST_USE int ctl_kv_open(struct ctl_kv_reader *r, const char *path);
/* The next pair, or why there is none (anything but CTL_KV_PAIR ends the file for the caller). */
CTL_MUST_USE enum ctl_kv ctl_kv_next(struct ctl_kv_reader *r, char **key, char **val);
void ctl_kv_close(struct ctl_kv_reader *r);

#ifdef __cplusplus
}
#endif

#endif
