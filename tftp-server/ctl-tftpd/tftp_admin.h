/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tftpd's admin port content (--admin): the status page (what is
 * served, the rollout, the transfer counters, the top error causes) and
 * the ctltftpd_* metrics, on the admin server of admin.h.
 */
#ifndef TFTP_ADMIN_H
#define TFTP_ADMIN_H

#include <stddef.h>

#include "ctl/err.h"
#include "loop.h"
#include "tftp_server.h"

struct tftp_admin;

/*
 * Opens the admin port addrport on loop l for server s, whose files are
 * read from root (as seen after a chroot). NULL with the reason in err.
 */
CTL_MUST_USE struct tftp_admin *tftp_admin_new(struct loop *l, const char *addrport,
                                               struct tftp_server *s, const char *root,
                                               char *err, size_t errlen);
void tftp_admin_free(struct tftp_admin *a);

#endif
