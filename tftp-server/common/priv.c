/* SPDX-License-Identifier: Apache-2.0 */
/*
 * chroot and privilege drop (see priv.h). Called after the sockets are
 * bound, before any request is read (OpenBSD tftpd's order). The user is
 * looked up before chroot, while /etc/passwd is still visible.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "priv.h"

int
priv_drop(const char *dir, const char *user, char *err, size_t errlen)
{
	struct passwd *pw = NULL;
	uid_t uid = 0;
	gid_t gid = 0;

	if (user != NULL) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL) {
			snprintf(err, errlen, "unknown user %s", user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		if (initgroups(user, gid) < 0) {
			snprintf(err, errlen, "initgroups(%s): %s", user, strerror(errno));
			return -1;
		}
	}
	if (dir != NULL && (chroot(dir) < 0 || chdir("/") < 0)) {
		snprintf(err, errlen, "chroot(%s): %s", dir, strerror(errno));
		return -1;
	}
	if (user == NULL)
		return 0;
	if (setgid(gid) < 0 || setuid(uid) < 0) {
		snprintf(err, errlen, "cannot switch to %s: %s", user, strerror(errno));
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "could regain root after switching to %s", user);
		return -1;
	}
	return 0;
}
