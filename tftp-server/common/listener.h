/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's TCP daemons' listener (ctl-provider, ctl-tvsd): the listening
 * socket, the signals (SIGTERM/SIGINT stop, SIGHUP reload), and the accept
 * loop that gives each admitted connection a thread of its own under the
 * connection caps (connlimit.h), logs refusals at most once a second, and
 * on stop waits a bounded time for the connections still running.
 */
#ifndef NODE_LISTENER_H
#define NODE_LISTENER_H

#include <arpa/inet.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include <ctl/err.h>

#include "connlimit.h"

/* Where a listener is bound (port 0 asks the system for one). */
struct listener_addr {
	int family;                    /* AF_INET or AF_INET6 */
	char host[INET6_ADDRSTRLEN];   /* numeric */
	unsigned port;
};

/*
 * Binds addr (numeric IPv4 or IPv6) and port and listens; with dual_stack
 * an IPv6 socket takes IPv4 peers too, whatever bindv6only says. Returns
 * the socket and where it is bound, or -1 with the reason in err.
 */
CTL_MUST_USE int listener_open(const char *addr, unsigned port, int dual_stack,
                               struct listener_addr *bound, char *err, size_t errlen);

/* "ADDR:PORT" ("[V6]:PORT") and "ADDR" of a peer. */
void listener_peer_names(const struct sockaddr_storage *ss, char *peer, size_t plen, char *addr,
                         size_t alen);

/*
 * SIGTERM and SIGINT ask the loop to stop, SIGHUP to reload; SIGPIPE is
 * ignored (a peer closing while its answer is written must not end the
 * daemon) and, with ignore_xfsz, SIGXFSZ (a file-size limit fails the
 * write instead).
 */
void listener_signals(int ignore_xfsz);

/* One accepted connection; serve owns fd (closes it). */
typedef void (*listener_serve_fn)(void *ctx, int fd, const char *peer, const char *addr,
                                  const struct timespec *accepted);

struct listener {
	int fd;                        /* from listener_open; closed by listener_run */
	struct connlimit *limits;      /* initialised with the caps below */
	unsigned max_connections, max_per_address; /* for the refusal messages */
	unsigned grace;                /* seconds to wait for running connections on stop */
	listener_serve_fn serve;       /* in a new detached thread */
	void (*reload)(void *ctx);     /* on SIGHUP, in the loop's thread */
	void *ctx;
	void (*log)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
};

/*
 * Accepts connections until SIGTERM/SIGINT (listener_signals), then closes
 * the socket and waits at most l->grace seconds for the connections still
 * running (connlimit_active says whether some outlived it).
 */
void listener_run(struct listener *l);

#endif
