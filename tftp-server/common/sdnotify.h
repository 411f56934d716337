/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systemd's readiness protocol without libsystemd: one datagram with
 * "READY=1", "RELOADING=1" or "STOPPING=1" to the AF_UNIX socket named by
 * $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@').
 * Outside systemd (no $NOTIFY_SOCKET) every call is a no-op.
 */
#ifndef NODE_SDNOTIFY_H
#define NODE_SDNOTIFY_H

#include <ctl/err.h>

/*
 * Sends state (one or more "KEY=VALUE" lines) to $NOTIFY_SOCKET. Returns
 * 1 when sent, 0 when $NOTIFY_SOCKET is unset or empty, -1 (errno set)
 * when the name is unusable or the send failed.
 */
CTL_MUST_USE int sdnotify_send(const char *state);

/* The daemons' three moments; the result is only informative (see above). */
void sdnotify_ready(void);
void sdnotify_reloading(void);  /* also sends MONOTONIC_USEC, as systemd 253+ wants */
void sdnotify_stopping(void);

#endif
