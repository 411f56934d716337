/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rename-pause.so: an LD_PRELOAD shim for the crash test. When the target
 * of rename(2) has the base name CTL_PAUSE_RENAME, the process stops there
 * for good (until the test kills it), either before the rename
 * (CTL_PAUSE_WHEN=before, the default: the new file is complete in its
 * temporary, the name still holds the old one) or right after it
 * (CTL_PAUSE_WHEN=after). It first creates the file CTL_PAUSE_MARK, so the
 * test knows the kill will land exactly there. Without CTL_PAUSE_RENAME
 * every rename passes through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rename(const char *from, const char *to);

static int
wanted(const char *to)
{
	const char *name = getenv("CTL_PAUSE_RENAME");
	const char *base = strrchr(to, '/');

	base = base != NULL ? base + 1 : to;
	return name != NULL && strcmp(base, name) == 0;
}

static void
stop_here(void)
{
	const char *mark = getenv("CTL_PAUSE_MARK");
	int fd;

	if (mark != NULL && (fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0)
		close(fd);
	for (;;)
		pause();
}

int
rename(const char *from, const char *to)
{
	int (*real)(const char *, const char *) =
	    (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	const char *when = getenv("CTL_PAUSE_WHEN");
	int after = when != NULL && strcmp(when, "after") == 0, rc;

	if (!wanted(to))
		return real(from, to);
	if (!after)
		stop_here();
	rc = real(from, to);
	stop_here();
	return rc;
}
