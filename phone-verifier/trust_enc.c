/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's rule for an encrypted configuration file (SEP<MAC>.cnf.xml.enc.sgn,
 * doc/sbd.md): its signer must be a TFTP or CCM+TFTP certificate of the held
 * CTL, else ITL, else one a TVS vouches for. Pure, like trust.c.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include <ctl/encsgn.h>

#include "trust.h"

CTL_MUST_USE static enum ctl_err
enc_verify(const void *obj, X509 *cert)
{
	struct ctl_diag diag;

	return ctl_encsgn_verify(obj, cert, &diag);
}

/* Index of a TFTP/CCM+TFTP record of list whose serial and issuer are the signer's, or -1. */
static int
find_by_serial(const struct ctl_file *list, struct ctl_bytes serial, struct ctl_bytes issuer)
{
	size_t i;

	for (i = 0; i < ctl_file_nrecords(list); i++) {
		const struct ctl_record *r = ctl_file_record(list, i);

		if (r->has_role && (r->role == CTL_ROLE_TFTP || r->role == CTL_ROLE_CCM_TFTP) &&
		    r->cert.len > 0 && pv_bytes_eq(r->serial, serial) &&
		    ctl_name_bytes_equal(r->issuer.p, r->issuer.len, issuer.p, issuer.len))
			return (int)i;
	}
	return -1;
}

enum ctl_err
pv_encsgn_check(const struct pv_trust *held, const struct pv_tvs_ops *tvs,
                const struct ctl_encsgn *e, struct pv_decision *d)
{
	const struct pv_tl *l[2] = { held->ctl, held->itl };
	static const char *const names[2] = { "CTL", "ITL" };
	struct ctl_bytes serial = ctl_encsgn_signer_serial(e), issuer = ctl_encsgn_signer_caname(e);
	struct ctl_diag diag;
	char buf[600];
	enum ctl_err r;
	size_t i;

	pv_decision_init(d);
	d->header_len = ctl_encsgn_header_length(e);
	d->parsed = 1;
	for (i = 0; i < 2; i++) {
		const struct ctl_record *rec;
		const unsigned char *der;
		X509 *cert;
		int idx;

		if (l[i] == NULL || (idx = find_by_serial(l[i]->f, serial, issuer)) < 0)
			continue;
		rec = ctl_file_record(l[i]->f, (size_t)idx);
		der = rec->cert.p;
		if ((cert = d2i_X509(NULL, &der, (long)rec->cert.len)) == NULL)
			continue;
		r = ctl_encsgn_verify(e, cert, &diag);
		X509_free(cert);
		d->signer_index = d->trusted_index = idx;
		if (r != CTL_OK) {
			pv_decision_set(d, PV_V_INVALID, r, "encrypted file: signature by record %d of the held "
			       "%s does not verify (%s)", idx + 1, names[i],
			       ctl_diag_str(&diag, buf, sizeof(buf)));
			return r;
		}
		d->trusted_by = names[i];
		pv_decision_set(d, PV_V_INSTALL, CTL_OK, "encrypted file signed by record %d (%s) of the held %s",
		       idx + 1, ctl_role_short(rec->role), names[i]);
		return CTL_OK;
	}
	if (pv_tvs_vouch(held, tvs, CTL_KIND_SGN, enc_verify, e, ctl_encsgn_signer_name(e), issuer,
	                 serial, d, NULL) == CTL_OK) {
		d->trusted_by = "TVS";
		pv_decision_set(d, PV_V_INSTALL, CTL_OK, "encrypted file signed by %s, vouched for by TVS%s%s",
		       pv_name_text(ctl_encsgn_signer_name(e), buf, sizeof(buf)),
		       d->tvs.cached ? " (cached)" : d->tvs.server[0] ? " " : "", d->tvs.server);
		return CTL_OK;
	}
	pv_decision_set(d, PV_V_UNTRUSTED, CTL_E_NOT_TRUSTED, "encrypted file: signer %s is no TFTP or "
	       "CCM+TFTP certificate of the held trust list%s%s",
	       pv_name_text(ctl_encsgn_signer_name(e), buf, sizeof(buf)),
	       d->tvs.asked ? "; TVS: " : "", d->tvs.asked ? d->tvs.why : "");
	return CTL_E_NOT_TRUSTED;
}

