/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One Security By Default record, with or without its certificate, and
 * the builder both SBD layouts start from.
 */
#include <stddef.h>
#include <stdio.h>

#include "sbd_int.h"

enum ctl_err
ctli_sbd_add(struct ctl_builder *b, const struct ctl_sbd_cert *c, uint16_t role, int bare,
             const char *what, struct ctl_diag *diag)
{
	enum ctl_err r;

	if (bare)
		return ctli_builder_add_bare(b, role, c->dns, c->ipv4, diag);
	if (c->cert == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, (int)b->nrecs + 1,
		                 "record %zu: the %s is missing", b->nrecs + 1, what);
	if ((r = ctl_builder_add_cert(b, c->cert, role, c->dns, c->ipv4, diag)) != CTL_OK &&
	    diag != NULL && diag->msg[0] != '\0') {
		char msg[sizeof(diag->msg)];

		snprintf(msg, sizeof(msg), "%s", diag->msg);
		snprintf(diag->msg, sizeof(diag->msg), "%.60s: %.440s", what, msg);
	}
	return r;
}

enum ctl_err
ctli_sbd_new(enum ctl_kind kind, enum ctl_digest digest, uint32_t ts, struct ctl_builder **out,
             struct ctl_diag *diag)
{
	struct ctl_builder *b = NULL;
	enum ctl_err r;

	*out = NULL;
	if ((r = ctl_builder_new(kind, &b)) != CTL_OK)
		return ctli_fail(diag, r, 0, -1, 0, "cannot start the file: %s", ctl_strerror(r));
	if (digest != 0 && (r = ctl_builder_set_digest(b, digest)) != CTL_OK) {
		ctl_builder_free(b);
		return ctli_fail(diag, r, 0, -1, 0, "digest code %d: only SHA-1 (1), SHA-256 (2) "
		                 "and SHA-512 (3) are defined", (int)digest);
	}
	if (ts != 0)
		ctl_builder_set_timestamp(b, ts);
	*out = b;
	return CTL_OK;
}
