/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A TFTP node's ITLFile.tlv by CUCM layout (doc/ctl-format.md, "ITL
 * layouts"). The signing certificate comes first, as in CUCM's files:
 * ITLRecovery in the 12.x layout, CallManager in the 8.x one. The caller
 * signs with ctl_builder_sign(): the signer must be one of the SAST records.
 */
#include <stddef.h>
#include <stdio.h>

#include "sbd_int.h"

static CTL_MUST_USE enum ctl_err
check_spec(const struct ctl_itl_spec *s, struct ctl_diag *diag)
{
	if (s->layout != CTL_ITL_12X && s->layout != CTL_ITL_8X)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "ITL layout %d: only 12x (0) and 8x (1) "
		                 "are defined", (int)s->layout);
	if (s->callmanager.cert == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "an ITL needs the node's CallManager "
		                 "certificate");
	if (s->layout == CTL_ITL_12X && s->itlrecovery.cert == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "the 12x ITL layout needs the "
		                 "ITLRecovery certificate (it signs the file)");
	if (s->ntvs > 0 && s->tvs == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "%zu TVS certificates announced, none "
		                 "given", s->ntvs);
	return CTL_OK;
}

/* SAST records: the signer first, then the other anchor. */
static CTL_MUST_USE enum ctl_err
add_sast(struct ctl_builder *b, const struct ctl_itl_spec *s, uint16_t ccm_role,
         struct ctl_diag *diag)
{
	enum ctl_err r;
	int bare = s->rollback != 0;

	if (s->layout == CTL_ITL_12X) {
		if ((r = ctli_sbd_add(b, &s->itlrecovery, CTL_ROLE_SAST, 0, "ITLRecovery certificate",
		                      diag)) != CTL_OK ||
		    (r = ctli_sbd_add(b, &s->callmanager, CTL_ROLE_SAST, 0, "CallManager certificate",
		                      diag)) != CTL_OK)
			return r;
		return ctli_sbd_add(b, &s->callmanager, ccm_role, bare, "CallManager certificate", diag);
	}
	if ((r = ctli_sbd_add(b, &s->callmanager, CTL_ROLE_SAST, 0, "CallManager certificate",
	                      diag)) != CTL_OK ||
	    (r = ctli_sbd_add(b, &s->callmanager, ccm_role, bare, "CallManager certificate",
	                      diag)) != CTL_OK)
		return r;
	if (s->itlrecovery.cert == NULL)
		return CTL_OK;
	return ctli_sbd_add(b, &s->itlrecovery, CTL_ROLE_SAST, 0, "ITLRecovery certificate", diag);
}

enum ctl_err
ctl_itl_builder(const struct ctl_itl_spec *s, struct ctl_builder **out, struct ctl_diag *diag)
{
	struct ctl_builder *b = NULL;
	uint16_t ccm_role;
	enum ctl_err r;
	char what[64];
	size_t i;

	*out = NULL;
	ctl_diag_clear(diag);
	if (s == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "no ITL specification");
	if ((r = check_spec(s, diag)) != CTL_OK ||
	    (r = ctli_sbd_new(CTL_KIND_ITL, s->digest, s->timestamp, &b, diag)) != CTL_OK)
		return r;
	ccm_role = s->mixed ? CTL_ROLE_CCM_TFTP : CTL_ROLE_TFTP;
	r = add_sast(b, s, ccm_role, diag);
	for (i = 0; i < s->ntvs && r == CTL_OK; i++) {
		/* A rollback TVS record keeps the node's name and address only. */
		snprintf(what, sizeof(what), "TVS certificate %zu", i + 1);
		r = ctli_sbd_add(b, &s->tvs[i], CTL_ROLE_TVS, s->rollback != 0, what, diag);
	}
	if (r == CTL_OK && s->capf != NULL)
		r = ctli_sbd_add(b, s->capf, CTL_ROLE_CAPF, 0, "CAPF certificate", diag);
	if (r != CTL_OK) {
		ctl_builder_free(b);
		return r;
	}
	*out = b;
	return CTL_OK;
}

enum ctl_err
ctl_itl_reset_builder(X509 *signer_cert, struct ctl_builder **out, struct ctl_diag *diag)
{
	struct ctl_sbd_cert c = { signer_cert, NULL, NULL };
	struct ctl_builder *b = NULL;
	enum ctl_err r;

	*out = NULL;
	ctl_diag_clear(diag);
	if ((r = ctli_sbd_new(CTL_KIND_ITL, CTL_DIGEST_SHA1, 0, &b, diag)) != CTL_OK)
		return r;
	if ((r = ctli_sbd_add(b, &c, CTL_ROLE_SAST, 0, "signing certificate", diag)) != CTL_OK) {
		ctl_builder_free(b);
		return r;
	}
	*out = b;
	return CTL_OK;
}
