/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Answers to VERIFY and QUERY (doc/tvs-protocol.md). Positive answers list
 * status, [certificate,] roles, TTL in that order (the order of the
 * Cisco QUERY reply on record); an unknown certificate is answered with
 * status 1 alone, as the usecallmanager TVS answers VERIFY. QUERY looks up
 * issuer + serial only, as Cisco's TVS does; the subject is logged, not
 * compared (the phone checks the file's signature with what comes back).
 */
#include <openssl/evp.h>

#include "tvsd.h"

static CTL_MUST_USE enum ctl_err
put_found(struct ctl_wr *wr, const struct tvsd_entry *e, unsigned ttl, int with_cert)
{
	enum ctl_err r = ctl_tvs_put_u8(wr, CTL_TVS_T_STATUS, CTL_TVS_VALID);

	if (r == CTL_OK && with_cert)
		r = ctl_tvs_put(wr, CTL_TVS_T_CERT, e->der, e->der_len);
	if (r == CTL_OK)
		r = ctl_tvs_put(wr, CTL_TVS_T_ROLES, e->roles, e->nroles);
	if (r == CTL_OK)
		r = ctl_tvs_put_u32(wr, CTL_TVS_T_TTL, ttl);
	return r;
}

enum ctl_err
tvsd_answer(const struct tvsd_store *s, unsigned ttl, const struct ctl_tvs_msg *req,
            struct ctl_wr *resp, struct tvsd_outcome *out)
{
	const struct tvsd_entry *e = NULL;
	uint8_t md[32];
	unsigned int mdlen = 0;
	uint8_t cmd;
	enum ctl_err r;

	out->found = NULL;
	switch (req->cmd) {
	case CTL_TVS_VERIFY_REQ:
		cmd = CTL_TVS_VERIFY_RES;
		if (EVP_Digest(req->cert, req->cert_len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
		    mdlen != sizeof(md))
			return CTL_E_CRYPTO;
		e = tvsd_store_by_hash(s, md);
		break;
	case CTL_TVS_QUERY_REQ:
		cmd = CTL_TVS_QUERY_RES;
		e = tvsd_store_by_issuer(s, (const char *)req->issuer, req->issuer_len, req->serial,
		                         req->serial_len);
		break;
	default:
		return CTL_E_INVAL;
	}
	if ((r = ctl_tvs_begin(resp, cmd, req->session)) != CTL_OK)
		return r;
	if (e != NULL)
		r = put_found(resp, e, ttl, req->cmd == CTL_TVS_QUERY_REQ);
	else
		r = ctl_tvs_put_u8(resp, CTL_TVS_T_STATUS, CTL_TVS_UNKNOWN);
	if (r == CTL_OK)
		r = ctl_tvs_end(resp);
	out->found = e;
	return r;
}
