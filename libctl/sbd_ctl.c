/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tokenless CTLFile.tlv the publisher builds from the cluster's own
 * certificates (doc/ctl-format.md, "ITL layouts"). Both anchors are listed
 * whichever key signs: ITLRecovery (12.x) or CallManager (10.x-11.x and
 * `reset localkey`), so a phone holding either file accepts the other.
 */
#include <stddef.h>
#include <stdio.h>

#include "sbd_int.h"

static CTL_MUST_USE enum ctl_err
check_spec(const struct ctl_tokenless_spec *s, struct ctl_diag *diag)
{
	size_t i;

	if (s->nnodes == 0 || s->nodes == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "a tokenless CTL needs the publisher "
		                 "(node 1)");
	if (s->nodes[0].callmanager.cert == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "a tokenless CTL needs the publisher's "
		                 "CallManager certificate (its second SAST)");
	if (s->ntokens > 0 && s->tokens == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "%zu tokens announced, none given",
		                 s->ntokens);
	for (i = 1; i < s->nnodes && !s->non_secure; i++)
		if (s->nodes[i].callmanager.cert == NULL)
			return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "node %zu has no CallManager "
			                 "certificate (a mixed-mode CTL lists it)", i + 1);
	return CTL_OK;
}

static CTL_MUST_USE enum ctl_err
add_node(struct ctl_builder *b, const struct ctl_tokenless_node *n, size_t idx, int non_secure,
         struct ctl_diag *diag)
{
	char what[64];
	enum ctl_err r;

	snprintf(what, sizeof(what), "CallManager certificate of node %zu", idx + 1);
	if ((r = ctli_sbd_add(b, &n->callmanager, CTL_ROLE_CCM_TFTP, non_secure, what, diag)) != CTL_OK)
		return r;
	snprintf(what, sizeof(what), "CAPF certificate of node %zu", idx + 1);
	if (n->capf != NULL && (r = ctli_sbd_add(b, n->capf, CTL_ROLE_CAPF, 0, what, diag)) != CTL_OK)
		return r;
	snprintf(what, sizeof(what), "TVS certificate of node %zu", idx + 1);
	if (n->tvs != NULL)
		return ctli_sbd_add(b, n->tvs, CTL_ROLE_TVS, 0, what, diag);
	return CTL_OK;
}

enum ctl_err
ctl_tokenless_builder(const struct ctl_tokenless_spec *s, struct ctl_builder **out,
                      struct ctl_diag *diag)
{
	struct ctl_builder *b = NULL;
	enum ctl_err r = CTL_OK;
	char what[64];
	size_t i;

	*out = NULL;
	ctl_diag_clear(diag);
	if (s == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "no CTL specification");
	if ((r = check_spec(s, diag)) != CTL_OK ||
	    (r = ctli_sbd_new(CTL_KIND_CTL, s->digest, s->timestamp, &b, diag)) != CTL_OK)
		return r;
	/* No ITLRecovery: the 10.x CTL, CallManager its only anchor. */
	if (s->itlrecovery.cert != NULL)
		r = ctli_sbd_add(b, &s->itlrecovery, CTL_ROLE_SAST, 0, "ITLRecovery certificate", diag);
	if (r == CTL_OK)
		r = ctli_sbd_add(b, &s->nodes[0].callmanager, CTL_ROLE_SAST, 0,
		                 "publisher's CallManager certificate", diag);
	for (i = 0; i < s->nnodes && r == CTL_OK; i++)
		r = add_node(b, &s->nodes[i], i, s->non_secure != 0, diag);
	for (i = 0; i < s->ntokens && r == CTL_OK; i++) {
		snprintf(what, sizeof(what), "token certificate %zu", i + 1);
		r = ctli_sbd_add(b, &s->tokens[i], CTL_ROLE_SAST, 0, what, diag);
	}
	if (r != CTL_OK) {
		ctl_builder_free(b);
		return r;
	}
	*out = b;
	return CTL_OK;
}
