/* SPDX-License-Identifier: Apache-2.0 */
/* sd_notify's datagram, written out (sdnotify.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sdnotify.h"

/*
 * $NOTIFY_SOCKET into a socket address: "/path" as it is, "@name" as the
 * abstract name "\0name" (its length, not a NUL, ends it). Returns the
 * address length or 0 when the name is neither or too long.
 */
static socklen_t
notify_addr(const char *name, struct sockaddr_un *sa)
{
	size_t n = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if ((name[0] != '/' && name[0] != '@') || n < 2 || n > sizeof(sa->sun_path) - 1)
		return 0;
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '/'));
}

int
sdnotify_send(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	ssize_t w;
	int fd, e;

	if (name == NULL || name[0] == '\0')
		return 0;
	if ((len = notify_addr(name, &sa)) == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	e = errno;
	close(fd);
	errno = e;
	return w == (ssize_t)strlen(state) ? 1 : -1;
}

void
sdnotify_ready(void)
{
	/* A supervisor that cannot be told is not a reason to stop serving. */
	CTL_IGNORE_RESULT(sdnotify_send("READY=1"));
}

void
sdnotify_reloading(void)
{
	struct timespec ts;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000u);
	CTL_IGNORE_RESULT(sdnotify_send(msg)); /* as in sdnotify_ready */
}

void
sdnotify_stopping(void)
{
	CTL_IGNORE_RESULT(sdnotify_send("STOPPING=1")); /* as in sdnotify_ready */
}
