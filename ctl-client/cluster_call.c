/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A request with one u8 item on a node's session (SET_MODE, ITL_RESET),
 * for cluster_session.c and cluster_sbd_session.c: sent, and a refusal
 * recorded in the node.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cluster.h"

int
cl_call_u8(struct cl_node *nd, struct prov_conn *c, uint8_t type, uint16_t tag, uint8_t v,
           struct prov_resp *r, const char *fmt, ...)
{
	struct ctl_wr wr;
	char e[600], what[200];
	va_list ap;

	if (prov_begin(c, &wr, type) != PROV_OK)
		return -1;
	if (ctl_prov_put_u8(&wr, tag, v) != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return -1;
	}
	if (prov_call(c, &wr, r, e, sizeof(e)) == PROV_OK)
		return 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* An error status is the node's answer; anything else, the network's. */
	cl_node_fail(nd, r->m.status == CTL_PROV_OK ? EXIT_NETWORK : EXIT_FAIL, "%s: %s", what, e);
	prov_resp_free(r);
	return -1;
}
