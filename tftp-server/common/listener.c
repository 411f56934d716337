/* SPDX-License-Identifier: Apache-2.0 */
/* The node's TCP daemons' listener (listener.h). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listener.h"
#include "sdnotify.h"

/* Set by the signal handler, read by the accept loop: the process has one of each. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t hup_requested;

int
listener_open(const char *addr, unsigned port, int dual_stack, struct listener_addr *bound,
              char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1, zero = 0;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		sl = sizeof(*s6);
	} else {
		snprintf(err, errlen, "bad listen address %s", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && dual_stack && ss.ss_family == AF_INET6)
		CTL_IGNORE_RESULT(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)));
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 512) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		snprintf(err, errlen, "cannot listen on %s:%u: %s", addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	bound->family = ss.ss_family;
	inet_ntop(ss.ss_family, ss.ss_family == AF_INET ? (void *)&s4->sin_addr :
	          (void *)&s6->sin6_addr, bound->host, sizeof(bound->host));
	bound->port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	return fd;
}

void
listener_peer_names(const struct sockaddr_storage *ss, char *peer, size_t plen, char *addr,
                    size_t alen)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(peer, plen, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(peer, plen, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
	snprintf(addr, alen, "%s", a);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hup_requested = 1;
	else
		stop_requested = 1;
}

void
listener_signals(int ignore_xfsz)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (ignore_xfsz)
		sigaction(SIGXFSZ, &sa, NULL);
}

struct job {
	struct listener *l;
	int fd;
	char peer[80];
	char addr[64];
	struct timespec accepted;
};

static void *
conn_thread(void *arg)
{
	struct job *j = arg;

	j->l->serve(j->l->ctx, j->fd, j->peer, j->addr, &j->accepted);
	connlimit_release(j->l->limits, j->addr);
	free(j);
	return NULL;
}

/*
 * Refused connections are logged at most once a second, the others counted
 * in the next line: a client reconnecting in a loop must not fill the disk.
 */
struct refusal_log {
	time_t second;
	unsigned more;
};

/* Logs the count of unlogged refusals once their second is over. */
static void
flush_refusals(const struct listener *l, struct refusal_log *rl, time_t now)
{
	if (rl->more > 0 && now != rl->second) {
		l->log("%u more connection(s) refused in the same second", rl->more);
		rl->more = 0;
	}
}

static void
note_refusal(const struct listener *l, struct refusal_log *rl, const char *text)
{
	time_t now = time(NULL);

	if (now == rl->second) {
		rl->more++;
		return;
	}
	flush_refusals(l, rl, now);
	rl->second = now;
	l->log("%s", text);
}

/* Accepts one connection and hands it to a new thread, within the caps. */
static void
accept_one(struct listener *l, pthread_attr_t *attr, struct refusal_log *rl)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct job *j;
	pthread_t t;
	int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	char text[256];

	if (fd < 0)
		return; /* EINTR, EAGAIN, ECONNABORTED, EMFILE: try again next round */
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		close(fd);
		return;
	}
	j->l = l;
	j->fd = fd;
	clock_gettime(CLOCK_MONOTONIC, &j->accepted);
	listener_peer_names(&ss, j->peer, sizeof(j->peer), j->addr, sizeof(j->addr));
	switch (connlimit_admit(l->limits, j->addr)) {
	case CONNLIMIT_OK:
		if (pthread_create(&t, attr, conn_thread, j) == 0)
			return;
		l->log("cannot start a thread for %s; refusing it", j->peer);
		connlimit_release(l->limits, j->addr);
		break;
	case CONNLIMIT_FULL:
		snprintf(text, sizeof(text), "connection limit (%u) reached; refusing %s",
		         l->max_connections, j->peer);
		note_refusal(l, rl, text);
		break;
	case CONNLIMIT_ADDR_FULL:
		snprintf(text, sizeof(text), "%s already holds %u connections (max_per_address); "
		         "refusing %s", j->addr, l->max_per_address, j->peer);
		note_refusal(l, rl, text);
		break;
	}
	close(fd);
	free(j);
}

void
listener_run(struct listener *l)
{
	pthread_attr_t attr;
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	struct refusal_log rl = { 0, 0 };
	unsigned waited = 0;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1u << 20);
	/* Bound, privileges dropped: systemd's Type=notify may start what waits on us. */
	sdnotify_ready();
	while (!stop_requested) {
		if (hup_requested) {
			hup_requested = 0;
			sdnotify_reloading();
			l->reload(l->ctx);
			sdnotify_ready();
		}
		if (poll(&pfd, 1, 500) > 0)
			accept_one(l, &attr, &rl);
		flush_refusals(l, &rl, time(NULL));
	}
	sdnotify_stopping();
	close(l->fd);
	l->fd = -1;
	l->log("stopping: waiting for %u connection(s)", connlimit_active(l->limits));
	while (connlimit_active(l->limits) > 0 && waited < l->grace * 10) {
		usleep(100000);
		waited++;
	}
	pthread_attr_destroy(&attr);
	l->log("stopped");
}
