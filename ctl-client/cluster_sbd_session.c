/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Security By Default requests on one node's session, after login:
 * SIGN_CTL on the publisher (node 0), ITL_RESET on every node (GET_ITL
 * follows in cluster_session.c).
 * The items are built and checked by cluster_sbd.c.
 */
#include <stdlib.h>

#include "cluster.h"

static CTL_MUST_USE int
do_sign(struct cluster *cl, struct cl_node *nd, struct prov_conn *c)
{
	struct ctl_wr wr;
	struct prov_resp r;
	char e[600];
	int rc = -1;

	if (prov_begin(c, &wr, CTL_PROV_SIGN_CTL) != PROV_OK)
		return -1;
	if (cl_sbd_put_sign(&wr, cl, &cl->sign, e, sizeof(e)) != 0) {
		ctl_wr_cleanup(&wr);
		cl_node_fail(nd, EXIT_INTERNAL, "%s", e);
		return -1;
	}
	if (prov_call(c, &wr, &r, e, sizeof(e)) != PROV_OK) {
		/* UNSUPPORTED: the publisher has not the key for this signer. */
		cl_node_fail(nd, r.m.status == CTL_PROV_OK ? EXIT_NETWORK : EXIT_FAIL,
		             "SIGN_CTL refused by the publisher: %s", e);
		goto out;
	}
	free(cl->signed_ctl);
	cl->signed_ctl = NULL;
	if (cl_sbd_take_signed(&r.m, &cl->signed_ctl, &cl->signed_len, e, sizeof(e)) != 0)
		cl_node_fail(nd, EXIT_NETWORK, "%s", e);
	else
		rc = 0;
out:
	prov_resp_free(&r);
	return rc;
}

static CTL_MUST_USE int
do_itl_reset(struct cluster *cl, struct cl_node *nd, struct prov_conn *c)
{
	struct prov_resp r;
	int rc;

	nd->has_itl = 0;
	if (cl_call_u8(nd, c, CTL_PROV_ITL_RESET, CTL_PROV_T_ITL_ACTION, cl->itl_action, &r,
	               "ITL_RESET refused") != 0)
		return -1;
	rc = cl_node_take_itl_reset(nd, &r.m);
	prov_resp_free(&r);
	return rc;
}

int
cl_sbd_session(struct cluster *cl, size_t i, struct prov_conn *c)
{
	struct cl_node *nd = &cl->nodes[i];

	if ((cl->ops & CL_OP_SIGN) && i == 0 && do_sign(cl, nd, c) != 0)
		return -1;
	if ((cl->ops & CL_OP_ITL_RESET) && do_itl_reset(cl, nd, c) != 0)
		return -1;
	return 0;
}
