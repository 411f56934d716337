/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the Security By Default builders (sbd_itl.c, sbd_ctl.c). */
#ifndef CTL_SBD_INT_H
#define CTL_SBD_INT_H

#include <ctl/sbd.h>

#include "build.h"

/*
 * Adds c to b with role: a full record from its certificate, or with bare
 * a certificate-less one (DNSNAME, FUNCTION, IPADDRESS). what names the
 * entry in the error message ("TVS certificate 2").
 */
CTL_MUST_USE enum ctl_err ctli_sbd_add(struct ctl_builder *b, const struct ctl_sbd_cert *c,
                                       uint16_t role, int bare, const char *what,
                                       struct ctl_diag *diag);
/* A new builder of kind with the digest (0: SHA-1) and timestamp (0: now). */
CTL_MUST_USE enum ctl_err ctli_sbd_new(enum ctl_kind kind, enum ctl_digest digest, uint32_t ts,
                                       struct ctl_builder **out, struct ctl_diag *diag);

#endif
