/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state file's writer: a process of its own, forked once (as the user
 * ctl-tftpd runs as), that takes the encoded table (in a memfd, over a
 * socket pair) and writes the file (temp, fsync, rename) while the loop
 * goes on serving. A process rather than a thread: once a process has
 * started a thread, glibc takes its multi-threaded paths for good (a
 * cancellation check around every system call, locked malloc), which cost
 * a storm's transfers 1.5% of ctl-tftpd's CPU, measured side by side; a
 * process forked per write costs as much again in copied page tables and
 * pages. The writer ends when the socket closes (the daemon stops or dies).
 */
#ifndef ROLLOUT_WRITER_H
#define ROLLOUT_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctl/err.h"

struct rollout_writer;

/* A writer for path, its process started; NULL and errno when it cannot be (fork, socket). */
CTL_MUST_USE struct rollout_writer *rollout_writer_new(const char *path);
/*
 * Hands n bytes to the writer, to be written to the path. 0: sent; -1: not
 * (errno; EBUSY: the last write's outcome is not read yet, EPIPE: the
 * writer is gone: rollout_writer_poll says how, and it must be freed).
 */
CTL_MUST_USE int rollout_writer_send(struct rollout_writer *w, const uint8_t *p, size_t n);

enum rollout_writer_state {
	ROLLOUT_WRITER_IDLE,      /* nothing sent since the last outcome was read */
	ROLLOUT_WRITER_RUNNING,   /* the write sent last is not done (only when not waiting) */
	ROLLOUT_WRITER_DONE,      /* it is written */
	ROLLOUT_WRITER_FAILED,    /* it is not: msg says why */
	ROLLOUT_WRITER_GONE       /* the writer's process ended (msg says how): free it */
};

/* The outcome of the write sent last, waiting for it when wait. */
CTL_MUST_USE enum rollout_writer_state rollout_writer_poll(struct rollout_writer *w, int wait,
                                                           char *msg, size_t cap);
/* The writer's process (0 once it is known to be gone). */
pid_t rollout_writer_pid(const struct rollout_writer *w);
/* Lets the current write finish, ends the process and frees. NULL ok. */
void rollout_writer_free(struct rollout_writer *w);

#endif
