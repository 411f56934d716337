/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event loop (see loop.h). epoll is behind the three backend functions at
 * the top; nothing else in the project includes <sys/epoll.h>. Events are
 * level-triggered: a handler reads what it wants and the kernel reports the
 * rest on the next iteration, so one busy socket cannot starve the others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_BATCH 256

struct loop_fd {
	loop_fd_cb cb;
	void *arg;
	unsigned events;
};

struct loop {
	int epfd;
	int stop;
	uint64_t now;
	uint64_t wakeups;
	struct loop_fd *fds; /* indexed by fd */
	size_t nfds_cap;
	size_t nregistered;
	struct loop_timer **heap;
	size_t nheap, heap_cap;
	struct epoll_event ev[LOOP_BATCH];
};

/* ---- backend ---------------------------------------------------------- */

static uint32_t
be_mask(unsigned events)
{
	return ((events & LOOP_READ) ? EPOLLIN : 0u) | ((events & LOOP_WRITE) ? EPOLLOUT : 0u);
}

CTL_MUST_USE static int
be_ctl(struct loop *l, int op, int fd, unsigned events)
{
	struct epoll_event e;

	memset(&e, 0, sizeof(e));
	e.events = be_mask(events);
	e.data.fd = fd;
	return epoll_ctl(l->epfd, op, fd, &e);
}

CTL_MUST_USE static int
be_wait(struct loop *l, int timeout_ms)
{
	return epoll_wait(l->epfd, l->ev, LOOP_BATCH, timeout_ms);
}

/* ---- clock ------------------------------------------------------------ */

uint64_t
loop_update_now(struct loop *l)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	l->now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	return l->now;
}

uint64_t
loop_now(const struct loop *l)
{
	return l->now;
}

uint64_t
loop_wakeups(const struct loop *l)
{
	return l->wakeups;
}

/* ---- setup ------------------------------------------------------------ */

struct loop *
loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		free(l);
		return NULL;
	}
	loop_update_now(l);
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	free(l->fds);
	free(l->heap);
	free(l);
}

/* ---- fds -------------------------------------------------------------- */

CTL_MUST_USE static int
fds_grow(struct loop *l, int fd)
{
	size_t ncap = l->nfds_cap ? l->nfds_cap : 64;
	struct loop_fd *n;

	while (ncap <= (size_t)fd)
		ncap *= 2;
	if ((n = realloc(l->fds, ncap * sizeof(*n))) == NULL)
		return -1;
	memset(n + l->nfds_cap, 0, (ncap - l->nfds_cap) * sizeof(*n));
	l->fds = n;
	l->nfds_cap = ncap;
	return 0;
}

int
loop_add_fd(struct loop *l, int fd, unsigned events, loop_fd_cb cb, void *arg)
{
	if (fd < 0 || cb == NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)fd >= l->nfds_cap && fds_grow(l, fd) < 0)
		return -1;
	if (l->fds[fd].cb != NULL) {
		errno = EEXIST;
		return -1;
	}
	if (be_ctl(l, EPOLL_CTL_ADD, fd, events) < 0)
		return -1;
	l->fds[fd].cb = cb;
	l->fds[fd].arg = arg;
	l->fds[fd].events = events;
	l->nregistered++;
	return 0;
}

int
loop_mod_fd(struct loop *l, int fd, unsigned events)
{
	if (fd < 0 || (size_t)fd >= l->nfds_cap || l->fds[fd].cb == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (l->fds[fd].events == events)
		return 0;
	if (be_ctl(l, EPOLL_CTL_MOD, fd, events) < 0)
		return -1;
	l->fds[fd].events = events;
	return 0;
}

void
loop_del_fd(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nfds_cap || l->fds[fd].cb == NULL)
		return;
	/* Can only fail for an fd epoll no longer has (closed): it is forgotten either way. */
	CTL_IGNORE_RESULT(be_ctl(l, EPOLL_CTL_DEL, fd, 0));
	memset(&l->fds[fd], 0, sizeof(l->fds[fd]));
	l->nregistered--;
}

void
loop_close_fd(struct loop *l, int fd)
{
	if (fd < 0)
		return;
	if ((size_t)fd < l->nfds_cap && l->fds[fd].cb != NULL) {
		memset(&l->fds[fd], 0, sizeof(l->fds[fd]));
		l->nregistered--;
	}
	close(fd);
}

/* ---- timers: binary min-heap on `when`, each timer knows its slot ----- */

static void
heap_put(struct loop *l, size_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->idx = i;
}

static void
heap_up(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (l->heap[p]->when <= t->when)
			break;
		heap_put(l, i, l->heap[p]);
		i = p;
	}
	heap_put(l, i, t);
}

static void
heap_down(struct loop *l, size_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[c]->when)
			c++;
		if (t->when <= l->heap[c]->when)
			break;
		heap_put(l, i, l->heap[c]);
		i = c;
	}
	heap_put(l, i, t);
}

void
loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg)
{
	t->when = 0;
	t->idx = LOOP_TIMER_IDLE;
	t->cb = cb;
	t->arg = arg;
}

void
loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	size_t i = t->idx;
	struct loop_timer *last;

	if (i == LOOP_TIMER_IDLE)
		return;
	t->idx = LOOP_TIMER_IDLE;
	last = l->heap[--l->nheap];
	if (i == l->nheap)
		return;
	heap_put(l, i, last);
	heap_up(l, i);
	heap_down(l, last->idx);
}

int
loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t ms)
{
	uint64_t when = l->now + ms;

	if (t->idx != LOOP_TIMER_IDLE) {
		uint64_t old = t->when;

		t->when = when;
		if (when < old)
			heap_up(l, t->idx);
		else
			heap_down(l, t->idx);
		return 0;
	}
	if (l->nheap == l->heap_cap) {
		size_t ncap = l->heap_cap ? l->heap_cap * 2 : 64;
		struct loop_timer **n = realloc(l->heap, ncap * sizeof(*n));

		if (n == NULL)
			return -1;
		l->heap = n;
		l->heap_cap = ncap;
	}
	t->when = when;
	heap_put(l, l->nheap++, t);
	heap_up(l, t->idx);
	return 0;
}

/* Fires every timer that is due; a callback may re-arm or cancel timers. */
static void
run_timers(struct loop *l)
{
	while (l->nheap > 0 && l->heap[0]->when <= l->now && !l->stop) {
		struct loop_timer *t = l->heap[0];

		loop_timer_cancel(l, t);
		t->cb(l, t, t->arg);
	}
}

static int
next_timeout(const struct loop *l)
{
	uint64_t d;

	if (l->nheap == 0)
		return -1;
	if (l->heap[0]->when <= l->now)
		return 0;
	d = l->heap[0]->when - l->now;
	return d > 60000 ? 60000 : (int)d;
}

/* ---- run -------------------------------------------------------------- */

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}

int
loop_run(struct loop *l)
{
	l->stop = 0;
	while (!l->stop && (l->nregistered > 0 || l->nheap > 0)) {
		int n = be_wait(l, next_timeout(l));

		loop_update_now(l);
		l->wakeups++;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			int fd = l->ev[i].data.fd;
			unsigned ev = 0;
			struct loop_fd *f;

			/* The handler of an earlier event may have closed this fd. */
			if ((size_t)fd >= l->nfds_cap || (f = &l->fds[fd])->cb == NULL)
				continue;
			if (l->ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
				ev |= LOOP_READ;
			if (l->ev[i].events & EPOLLOUT)
				ev |= LOOP_WRITE;
			f->cb(l, fd, ev & (f->events | LOOP_READ), f->arg);
		}
		run_timers(l);
	}
	return 0;
}
