/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The planner's simulation (plan.h): the files a node serves in a world,
 * the TVS a phone would reach there, and one phone's boot through the
 * rules of boot.c (pv_trust_decide, pv_config_check) in its order: CTL,
 * ITL, then the signed configuration when a TFTP certificate is held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "plan.h"

const char *
plan_class_name(enum plan_class c)
{
	switch (c) {
	case PLAN_DIRECT: return "direct";
	case PLAN_TVS: return "tvs";
	case PLAN_LOCKOUT: return "lockout";
	case PLAN__NCLASS: break;
	}
	return "unknown";
}

/* ---- the files -------------------------------------------------------------- */

CTL_MUST_USE static int
sign(struct ctl_builder *b, const struct plan_cert *pc, const char *what, uint8_t **out,
     size_t *len, char *why, size_t cap)
{
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	char buf[600];

	if (pc->key == NULL) {
		snprintf(why, cap, "cannot simulate the %s: the planner cannot read its signing key%s%s "
		         "(a PEM file the user can read is needed; a token key is not used)", what,
		         pc->key_path[0] ? " " : "", pc->key_path);
		return -1;
	}
	if (ctl_signer_new_pkey(pc->key, pc->cert, &s, &d) != CTL_OK ||
	    ctl_builder_sign(b, s, out, len, &d) != CTL_OK) {
		ctl_signer_free(s);
		snprintf(why, cap, "cannot sign the simulated %s: %s", what,
		         ctl_diag_str(&d, buf, sizeof(buf)));
		return -1;
	}
	ctl_signer_free(s);
	return 0;
}

static struct ctl_sbd_cert
sbd_of(X509 *cert, const char *dns, const uint8_t *ip)
{
	struct ctl_sbd_cert s = { cert, dns, ip };

	return s;
}

/* The node's ITL in w (normal, or the reset ITL of itl-reset localkey). */
CTL_MUST_USE static int
build_itl(const struct plan_world *w, size_t i, struct plan_files *f, char *why, size_t cap)
{
	const struct plan_cluster *c = w->serving;
	const struct plan_node *n = &c->node[i];
	struct ctl_sbd_cert tvs[1 + PLAN_MAX_PEERS], capf;
	struct ctl_itl_spec spec;
	struct ctl_builder *b = NULL;
	const struct plan_cert *signer;
	struct ctl_diag d;
	char buf[600];
	size_t k, nt = 0;
	int rc;

	if (w->itl == PLAN_ITL_RESET) {
		/* 12x: the CallManager key signs the reset ITL; 8x: ITLRecovery (doc/sbd.md). */
		signer = n->layout == CTL_ITL_12X || n->rec.cert == NULL ? &n->ccm : &n->rec;
		if (ctl_itl_reset_builder(signer->cert, &b, &d) != CTL_OK) {
			snprintf(why, cap, "reset ITL: %s", ctl_diag_str(&d, buf, sizeof(buf)));
			return -1;
		}
		rc = sign(b, signer, "reset ITL", &f->itl, &f->nitl, why, cap);
		ctl_builder_free(b);
		return rc;
	}
	if (n->tvs.cert != NULL)
		tvs[nt++] = sbd_of(n->tvs.cert, n->host, n->has_ip ? n->ipv4 : NULL);
	for (k = 0; k < n->npeers; k++) {
		/* A peer's TVS as that node holds it now (regenerated, perhaps). */
		X509 *pc = n->peer[k].node >= 0 ? c->node[n->peer[k].node].tvs.cert : n->peer[k].cert;

		tvs[nt++] = sbd_of(pc, n->peer[k].dns, n->peer[k].ipv4);
	}
	memset(&spec, 0, sizeof(spec));
	spec.layout = n->layout;
	spec.mixed = n->mixed;
	spec.callmanager = sbd_of(n->ccm.cert, n->host, n->has_ip ? n->ipv4 : NULL);
	spec.itlrecovery = sbd_of(n->rec.cert, NULL, NULL);
	spec.tvs = tvs;
	spec.ntvs = nt;
	capf = sbd_of(n->capf.cert, n->host, n->has_ip ? n->ipv4 : NULL);
	spec.capf = n->capf.cert != NULL ? &capf : NULL;
	spec.digest = n->digest;
	if (ctl_itl_builder(&spec, &b, &d) != CTL_OK) {
		snprintf(why, cap, "ITL of %s: %s", n->host, ctl_diag_str(&d, buf, sizeof(buf)));
		return -1;
	}
	signer = n->layout == CTL_ITL_12X ? &n->rec : &n->ccm;
	rc = sign(b, signer, n->layout == CTL_ITL_12X ? "ITL (ITLRecovery key)" :
	          "ITL (CallManager key)", &f->itl, &f->nitl, why, cap);
	ctl_builder_free(b);
	return rc;
}

/* The cluster's tokenless CTL in mixed mode (the publisher is node 0), as last signed. */
CTL_MUST_USE static int
build_ctl(const struct plan_world *w, struct plan_files *f, char *why, size_t cap)
{
	const struct plan_cluster *c = w->ctl_src != NULL ? w->ctl_src : w->serving;
	const struct plan_node *pub = &c->node[0];
	struct ctl_tokenless_node nodes[PLAN_MAX_NODES];
	struct ctl_sbd_cert capf[PLAN_MAX_NODES];
	struct ctl_tokenless_spec spec;
	struct ctl_builder *b = NULL;
	const struct plan_cert *signer;
	struct ctl_diag d;
	char buf[600];
	size_t i;
	int rc;

	memset(nodes, 0, sizeof(nodes));
	for (i = 0; i < c->n; i++) {
		const struct plan_node *n = &c->node[i];

		nodes[i].callmanager = sbd_of(n->ccm.cert, n->host, n->has_ip ? n->ipv4 : NULL);
		capf[i] = sbd_of(n->capf.cert, n->host, n->has_ip ? n->ipv4 : NULL);
		nodes[i].capf = n->capf.cert != NULL ? &capf[i] : NULL;
	}
	memset(&spec, 0, sizeof(spec));
	spec.nodes = nodes;
	spec.nnodes = c->n;
	spec.itlrecovery = sbd_of(pub->rec.cert, NULL, NULL);
	spec.digest = pub->digest;
	if (ctl_tokenless_builder(&spec, &b, &d) != CTL_OK) {
		snprintf(why, cap, "tokenless CTL: %s", ctl_diag_str(&d, buf, sizeof(buf)));
		return -1;
	}
	signer = w->ctl == PLAN_CTL_LOCALKEY || pub->ctl_signer == CTL_TL_SIGN_CALLMANAGER ||
	         pub->rec.cert == NULL ? &pub->ccm : &pub->rec;
	rc = sign(b, signer, signer == &pub->ccm ? "CTL (CallManager key)" : "CTL (ITLRecovery key)",
	          &f->ctl, &f->nctl, why, cap);
	ctl_builder_free(b);
	return rc;
}

CTL_MUST_USE static int
build_sgn(const struct plan_node *n, struct plan_files *f, char *why, size_t cap)
{
	static const char payload[] = "<device><!-- phone-verifier plan --></device>\n";
	struct ctl_builder *b = NULL;
	int rc;

	if (ctl_builder_new(CTL_KIND_SGN, &b) != CTL_OK ||
	    ctl_builder_set_filename(b, "SEP000000000000.cnf.xml.sgn") != CTL_OK ||
	    ctl_builder_set_payload(b, (const uint8_t *)payload, sizeof(payload) - 1) != CTL_OK) {
		ctl_builder_free(b);
		snprintf(why, cap, "out of memory");
		return -1;
	}
	rc = sign(b, &n->ccm, "signed configuration (CallManager key)", &f->sgn, &f->nsgn, why, cap);
	ctl_builder_free(b);
	return rc;
}

int
plan_files_build(const struct plan_world *w, size_t node, struct plan_files *f, char *why,
                 size_t cap)
{
	memset(f, 0, sizeof(*f));
	/* A node that serves no ITL: the phone finds none and keeps what it holds. */
	if ((w->serving->node[0].mixed && build_ctl(w, f, why, cap) != 0) ||
	    (!w->serving->node[node].no_itl && build_itl(w, node, f, why, cap) != 0) ||
	    build_sgn(&w->serving->node[node], f, why, cap) != 0) {
		plan_files_free(f);
		return -1;
	}
	return 0;
}

void
plan_files_free(struct plan_files *f)
{
	free(f->ctl);
	free(f->itl);
	free(f->sgn);
	memset(f, 0, sizeof(*f));
}

/* ---- which node, which TVS --------------------------------------------------- */

/* Whether list holds cert with a role in roles. */
static int
lists(const struct pv_tl *list, X509 *cert, const uint16_t *roles, size_t nroles)
{
	unsigned char *der = NULL;
	size_t i, k;
	int n, found = 0;

	if (list == NULL || cert == NULL || (n = i2d_X509(cert, &der)) <= 0)
		return 0;
	for (i = 0; i < ctl_file_nrecords(list->f) && !found; i++) {
		const struct ctl_record *r = ctl_file_record(list->f, i);

		for (k = 0; k < nroles; k++)
			found |= r->has_role && r->role == roles[k] && r->cert.len == (size_t)n &&
			         memcmp(r->cert.p, der, (size_t)n) == 0;
	}
	OPENSSL_free(der);
	return found;
}

size_t
plan_phone_node(const struct plan_world *w, const struct plan_phone *ph)
{
	static const uint16_t tftp[] = { CTL_ROLE_TFTP, CTL_ROLE_CCM_TFTP, CTL_ROLE_SAST };
	size_t i;

	for (i = 0; i < w->serving->n; i++)
		if (lists(ph->held.itl, w->serving->node[i].ccm.cert, tftp, 3))
			return i;
	return 0;
}

/* The TVS a phone asks: a QUERY against the cluster's store after the change. */
struct tvs_sim {
	const struct plan_world *w;
};

/* Whether store certificate x is the one q names (issuer text and serial bytes). */
static int
names(X509 *x, const struct pv_tvs_query *q)
{
	uint8_t *sb = NULL;
	size_t sn = 0;
	char *iss = NULL;
	int ok;

	if (x == NULL || ctl_name_string(X509_get_issuer_name(x), &iss) != CTL_OK ||
	    ctl_serial_bytes(x, &sb, &sn) != CTL_OK) {
		free(iss);
		return 0;
	}
	/* The file may name the issuer in CUCM's form or RFC 4514's. */
	ok = ctl_name_text_equal(iss, q->issuer) && sn == q->serial_len && memcmp(sb, q->serial, sn) == 0;
	free(iss);
	free(sb);
	return ok;
}

static enum ctl_err
answer(X509 *x, const uint8_t *roles, size_t nroles, const char *host,
       struct pv_tvs_answer *a)
{
	X509_up_ref(x);
	a->cert = x;
	memcpy(a->roles, roles, nroles);
	a->nroles = nroles;
	a->ttl = 86400;
	snprintf(a->server, sizeof(a->server), "%.80s:2445", host);
	return CTL_OK;
}

/*
 * The phone's TVS servers are its ITL's TVS records; a server is believed
 * only when the certificate it presents (the node's TVS certificate now)
 * equals that record. Its store: every node's CallManager (CCM+TFTP), TVS
 * and CAPF, and what the administrator added.
 */
static enum ctl_err
tvs_query(void *arg, const struct pv_trust *held, const struct pv_tvs_query *q,
          struct pv_tvs_answer *a, char *why, size_t cap)
{
	static const uint16_t tvs_role[] = { CTL_ROLE_TVS };
	static const uint8_t r_ccm[] = { CTL_ROLE_CCM_TFTP }, r_tvs[] = { CTL_ROLE_TVS },
	                     r_capf[] = { CTL_ROLE_CAPF };
	const struct tvs_sim *ts = arg;
	const struct plan_cluster *c = ts->w->home;
	size_t i;

	for (i = 0; i < c->n && !lists(held->itl, c->node[i].tvs.cert, tvs_role, 1); i++)
		;
	if (i == c->n) {
		snprintf(why, cap, "no TVS server of the held ITL presents the certificate the ITL "
		         "lists (TVS regenerated, or another cluster's)");
		return CTL_E_CERT;
	}
	{
		const char *host = c->node[i].host;
		size_t k;

		for (k = 0; k < c->n; k++) {
			const struct plan_node *n = &c->node[k];

			if (names(n->ccm.cert, q))
				return answer(n->ccm.cert, r_ccm, 1, host, a);
			if (names(n->tvs.cert, q))
				return answer(n->tvs.cert, r_tvs, 1, host, a);
			if (names(n->capf.cert, q))
				return answer(n->capf.cert, r_capf, 1, host, a);
		}
		for (k = 0; k < c->nextra; k++)
			if (names(c->extra[k].cert, q))
				return answer(c->extra[k].cert, c->extra[k].roles, c->extra[k].nroles, host, a);
		snprintf(why, cap, "TVS %s: certificate unknown", host);
		return CTL_E_NOT_TRUSTED;
	}
}

/* ---- one boot ----------------------------------------------------------------- */

static void
worse(struct plan_phone *ph, enum plan_class c)
{
	if (c > ph->cls)
		ph->cls = c;
}

/* One trust list step; 1 when the phone took or kept the file, 0 when it refused it. */
static int
tl_step(struct plan_phone *ph, enum ctl_kind kind, const uint8_t *p, size_t n,
        const struct pv_tvs_ops *ops, int *updated)
{
	struct pv_decision d;
	struct pv_tl *tl = NULL;

	switch (pv_trust_decide(&ph->held, kind, p, n, NULL, ops, &d, &tl)) {
	case PV_V_TOFU:
	case PV_V_INSTALL:
		pv_trust_set(&ph->held, kind, tl);
		*updated = 1;
		if (d.tvs.vouched)
			worse(ph, PLAN_TVS);
		return 1;
	case PV_V_UNCHANGED:
		return 1;
	default:
		/* The rule's reason (it says what TVS answered when TVS was asked). */
		if (ph->why[0] == '\0')
			snprintf(ph->why, sizeof(ph->why), "%s: %s", kind == CTL_KIND_CTL ? "CTL" : "ITL",
			         d.reason);
		return 0;
	}
}

void
plan_boot(const struct plan_world *w, const struct plan_files *f, struct plan_phone *ph)
{
	struct tvs_sim ts = { w };
	const struct pv_tvs_ops ops = { tvs_query, &ts };
	struct pv_decision d;
	int updated = 0, ok = 1, first = ph->held.ctl == NULL && ph->held.itl == NULL;

	pv_decision_init(&d);
	if (f->ctl != NULL)
		ok &= tl_step(ph, CTL_KIND_CTL, f->ctl, f->nctl, &ops, &updated);
	if (f->itl != NULL)
		ok &= tl_step(ph, CTL_KIND_ITL, f->itl, f->nitl, &ops, &updated);
	if (!ok) {
		worse(ph, PLAN_LOCKOUT);
		snprintf(ph->status, sizeof(ph->status), "update-failed");
		return;
	}
	/* boot.c asks the .sgn only with a TFTP-capable certificate held. */
	if (pv_trust_has_tftp(&ph->held) &&
	    pv_config_check(&ph->held, &ops, f->sgn, f->nsgn, &d, NULL, NULL) != CTL_OK) {
		worse(ph, PLAN_LOCKOUT);
		snprintf(ph->why, sizeof(ph->why), "signed configuration: %s", d.reason);
		snprintf(ph->status, sizeof(ph->status), "file-auth-fail");
		return;
	}
	if (d.tvs.vouched)
		worse(ph, PLAN_TVS);
	/* An SBD phone that held nothing says what it installed (boot.c, fleet --outcomes). */
	snprintf(ph->status, sizeof(ph->status), "%s",
	         !updated ? "unchanged" : !first ? "updated" :
	         ph->held.ctl != NULL ? "ctl-itl-installed" : "itl-installed");
}
