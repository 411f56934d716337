/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small event loop in the spirit of Redis's ae: fd-indexed registration,
 * millisecond timers in a binary heap, callbacks. The only code in the
 * project that calls epoll; the server, the client engine and the load
 * generator all run on it.
 */
#ifndef TFTP_LOOP_H
#define TFTP_LOOP_H

#include "ctl/err.h"
#include <stddef.h>
#include <stdint.h>

#define LOOP_READ  0x1u
#define LOOP_WRITE 0x2u

struct loop;
struct loop_timer;

typedef void (*loop_fd_cb)(struct loop *l, int fd, unsigned events, void *arg);
typedef void (*loop_timer_cb)(struct loop *l, struct loop_timer *t, void *arg);

/* Caller-owned timer; embed it in the object it times. */
struct loop_timer {
	uint64_t when;   /* absolute, loop_now() milliseconds */
	size_t idx;      /* heap slot, LOOP_TIMER_IDLE when not armed */
	loop_timer_cb cb;
	void *arg;
};
#define LOOP_TIMER_IDLE ((size_t)-1)

/* A new loop, or NULL (errno set). Free with loop_free(). */
CTL_MUST_USE struct loop *loop_new(void);
/* Frees the loop; registered fds are not closed. NULL is a no-op. */
void loop_free(struct loop *l);

/* Registers fd for events (LOOP_READ/LOOP_WRITE); 0 or -1 with errno. */
CTL_MUST_USE int loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_cb cb, void *arg);
/* Changes the events watched for a registered fd. */
CTL_MUST_USE int loop_mod_fd(struct loop *l, int fd, unsigned events);
/* Unregisters fd (call before close()); pending events for it are dropped. */
void loop_del_fd(struct loop *l, int fd);
/*
 * Unregisters and closes fd in one step, without an epoll_ctl(DEL): the
 * kernel drops an fd from the epoll set when its file's last reference is
 * closed. Only for an fd that was never duplicated (dup, fork, SCM_RIGHTS),
 * like the per-transfer sockets: one system call saved per transfer.
 */
void loop_close_fd(struct loop *l, int fd);

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg);
/* Arms (or re-arms) t to fire ms milliseconds from loop_now(); 0 or -1. */
CTL_MUST_USE int loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t ms);
/* Disarms t; harmless when it is not armed. */
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
static inline int loop_timer_armed(const struct loop_timer *t) { return t->idx != LOOP_TIMER_IDLE; }

/* Monotonic milliseconds, refreshed once per loop iteration. */
uint64_t loop_now(const struct loop *l);
/* Re-reads the clock (for code that needs a fresh value mid-iteration). */
uint64_t loop_update_now(struct loop *l);
/*
 * Returns from the kernel's wait so far: what a handler compares to do a
 * thing once per batch of events (every event of a batch was ready when
 * the wait returned).
 */
uint64_t loop_wakeups(const struct loop *l);

/*
 * Runs until loop_stop() or until nothing is registered and no timer is
 * armed. Returns 0, or -1 with errno when epoll itself fails.
 */
CTL_MUST_USE int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
