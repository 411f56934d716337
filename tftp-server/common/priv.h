/* SPDX-License-Identifier: Apache-2.0 */
/* Privilege separation for ctl-tftpd: chroot, then drop to an unprivileged user. */
#ifndef TFTP_PRIV_H
#define TFTP_PRIV_H

#include <stddef.h>

#include <ctl/err.h>

/*
 * With dir non-NULL, chroot(dir) and chdir("/"); with user non-NULL,
 * switch groups, gid and uid to user's and check that root cannot be
 * regained. Returns 0, or -1 with a message in err.
 */
CTL_MUST_USE int priv_drop(const char *dir, const char *user, char *err, size_t errlen);

#endif
