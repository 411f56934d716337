/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The planner's cluster read from the nodes' running ctl-providers
 * (plan.h, doc/provider-protocol.md) through libprovclient, with
 * ctl-client's server authentication and login: GET_INFO gives the host
 * name, IPv4 address, mode and the CallManager (role 1-3, the last one
 * announced), TVS (21) and CAPF (4) certificates; GET_CTL who signs the
 * CTL (its signer is CallManager, else ITLRecovery); GET_ITL the layout (its
 * signer is CallManager: 8x, else 12x), ITLRecovery (a SAST that is not
 * CallManager), the digest and the other nodes' TVS records. The result is
 * the model node.conf files give, so every prediction takes one code path.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <ctl/text.h>

#include "console.h"
#include "plan.h"
#include "prov_client.h"
#include "pv.h"

/* What the session needs besides the node it fills. */
struct prov_ctx {
	const struct plan_prov_opts *o;
	struct prov_known known;
	struct ctl_secret *password;
};

/* A certificate of the record r as X509 (NULL when it has none). */
static X509 *
rec_cert(const struct ctl_record *r)
{
	const uint8_t *p = r->cert.p;

	return r->cert.len > 0 ? d2i_X509(NULL, &p, (long)r->cert.len) : NULL;
}

static int
same(X509 *a, X509 *b)
{
	return a != NULL && b != NULL && X509_cmp(a, b) == 0;
}

/* Replaces *slot with a new reference to x. */
static void
keep(X509 **slot, X509 *x)
{
	X509_free(*slot);
	X509_up_ref(x);
	*slot = x;
}

/* GET_INFO's items into n. 0, or -1 with why. */
CTL_MUST_USE static int
take_info(struct plan_node *n, const struct ctl_prov_msg *m, char *why, size_t cap)
{
	const struct ctl_prov_item *it;
	uint16_t role;
	size_t i;
	X509 *x;

	if ((it = ctl_prov_find(m, CTL_PROV_T_HOSTNAME)) != NULL)
		(void)ctl_text_escape(n->host, sizeof(n->host), it->val, it->len);
	if ((it = ctl_prov_find(m, CTL_PROV_T_IPV4)) != NULL && it->len == 4) {
		memcpy(n->ipv4, it->val, 4);
		n->has_ip = 1;
	}
	if ((it = ctl_prov_find(m, CTL_PROV_T_MODE)) != NULL && it->len == 1)
		n->mixed = it->val[0] == 1;
	for (i = 0; i < m->nitems; i++) {
		if (m->items[i].tag != CTL_PROV_T_CERT)
			continue;
		if (prov_item_cert(&m->items[i], &role, &x) != 0) {
			snprintf(why, cap, "GET_INFO: item %zu is not a role and a DER certificate", i);
			return -1;
		}
		if (role == CTL_ROLE_CCM || role == CTL_ROLE_CCM_TFTP || role == CTL_ROLE_TFTP)
			keep(&n->ccm.cert, x);
		else if (role == CTL_ROLE_TVS)
			keep(&n->tvs.cert, x);
		else if (role == CTL_ROLE_CAPF)
			keep(&n->capf.cert, x);
		X509_free(x);
	}
	if (n->ccm.cert == NULL) {
		snprintf(why, cap, "GET_INFO announces no CallManager certificate (role 1, 2 or 3)");
		return -1;
	}
	return 0;
}

/* The signer record's certificate of a list that verifies with its own signer, or NULL. */
static X509 *
signer_of(const struct ctl_file *f)
{
	struct ctl_verify_result res;

	if (ctl_file_verify(f, &res) != CTL_OK || res.signer_index < 0)
		return NULL;
	return rec_cert(ctl_file_record(f, (size_t)res.signer_index));
}

/* A SAST record of f that is not CallManager's: ITLRecovery. */
static void
take_recovery(struct plan_node *n, const struct ctl_file *f)
{
	size_t i;

	for (i = 0; i < ctl_file_nrecords(f) && n->rec.cert == NULL; i++) {
		const struct ctl_record *r = ctl_file_record(f, i);
		X509 *x;

		if (!r->has_role || r->role != CTL_ROLE_SAST || (x = rec_cert(r)) == NULL)
			continue;
		if (!same(x, n->ccm.cert))
			keep(&n->rec.cert, x);
		X509_free(x);
	}
}

/* A TVS record of another node: a peer (DNS name and IPv4 as the ITL lists them). */
static void
take_peer(struct plan_node *n, const struct ctl_record *r, X509 *x)
{
	struct ctl_bytes d = r->dns;

	if (n->npeers == PLAN_MAX_PEERS)
		return;
	while (d.len > 0 && d.p[d.len - 1] == '\0')
		d.len--;
	(void)ctl_text_escape(n->peer[n->npeers].dns, sizeof(n->peer[n->npeers].dns), d.p, d.len);
	if (r->has_ip)
		memcpy(n->peer[n->npeers].ipv4, r->ip, 4);
	X509_up_ref(x);
	n->peer[n->npeers].cert = x;
	n->peer[n->npeers].node = -1;
	n->npeers++;
}

/* The served ITL into n: layout, ITLRecovery, digest, peers. 0, or -1 with why. */
CTL_MUST_USE static int
take_itl(struct plan_node *n, const uint8_t *p, size_t len, char *why, size_t cap)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	char db[300];
	X509 *signer;
	size_t i;

	if (ctl_file_parse(p, len, 0, &f, &d) != CTL_OK || ctl_file_kind(f) != CTL_KIND_ITL) {
		snprintf(why, cap, "GET_ITL: the served file is no ITL: %s",
		         f == NULL ? ctl_diag_str(&d, db, sizeof(db)) : "another kind");
		ctl_file_free(f);
		return -1;
	}
	if ((signer = signer_of(f)) == NULL) {
		snprintf(why, cap, "GET_ITL: the served ITL does not verify with its own signer");
		ctl_file_free(f);
		return -1;
	}
	n->layout = same(signer, n->ccm.cert) ? CTL_ITL_8X : CTL_ITL_12X;
	X509_free(signer);
	n->digest = (enum ctl_digest)ctl_file_digest(f);
	take_recovery(n, f);
	for (i = 0; i < ctl_file_nrecords(f); i++) {
		const struct ctl_record *r = ctl_file_record(f, i);
		X509 *x;

		if (!r->has_role || r->role != CTL_ROLE_TVS || (x = rec_cert(r)) == NULL)
			continue;
		if (n->tvs.cert == NULL)
			keep(&n->tvs.cert, x); /* the node's own comes first */
		else if (!same(x, n->tvs.cert))
			take_peer(n, r, x);
		X509_free(x);
	}
	ctl_file_free(f);
	return 0;
}

/* The installed CTL: who signs it (and ITLRecovery when the ITL did not say). */
static void
take_ctl(struct plan_node *n, const uint8_t *p, size_t len)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	X509 *signer;

	n->ctl_signer = CTL_TL_SIGN_RECOVERY;
	if (ctl_file_parse(p, len, 0, &f, &d) != CTL_OK)
		return;
	if ((signer = signer_of(f)) != NULL && same(signer, n->ccm.cert))
		n->ctl_signer = CTL_TL_SIGN_CALLMANAGER;
	X509_free(signer);
	take_recovery(n, f);
	ctl_file_free(f);
}

/* A request without items; PROV_OK with *r to free, else err. */
CTL_MUST_USE static enum prov_rc
ask(struct prov_conn *c, uint8_t type, struct prov_resp *r, char *err, size_t errlen)
{
	struct ctl_wr wr;
	enum prov_rc rc;

	memset(r, 0, sizeof(*r));
	if ((rc = prov_begin(c, &wr, type)) != PROV_OK)
		return rc;
	return prov_call(c, &wr, r, err, errlen);
}

/* GET_INFO, GET_CTL, GET_ITL on a logged-in connection. Exit status. */
CTL_MUST_USE static int
read_node(struct plan_node *n, struct prov_conn *c, const struct prov_target *t)
{
	const struct ctl_prov_item *it;
	struct prov_resp r;
	char e[600], md5[33];
	enum prov_rc rc;
	int ok = 0;

	if ((rc = ask(c, CTL_PROV_GET_INFO, &r, e, sizeof(e))) == PROV_OK)
		ok = take_info(n, &r.m, e, sizeof(e)) == 0;
	prov_resp_free(&r);
	if (rc != PROV_OK || !ok)
		return pv_fail(PV_EXIT_NETWORK, "--providers %s: %s%s", t->name, rc != PROV_OK ? "GET_INFO: " : "", e);
	if ((rc = ask(c, CTL_PROV_GET_CTL, &r, e, sizeof(e))) == PROV_OK &&
	    (it = ctl_prov_find(&r.m, CTL_PROV_T_CTL_FILE)) != NULL)
		take_ctl(n, it->val, it->len);
	prov_resp_free(&r);
	if (rc != PROV_OK && rc != PROV_E_STATUS)
		return pv_fail(PV_EXIT_NETWORK, "--providers %s: GET_CTL: %s", t->name, e);
	rc = ask(c, CTL_PROV_GET_ITL, &r, e, sizeof(e));
	it = rc == PROV_OK ? ctl_prov_find(&r.m, CTL_PROV_T_ITL_FILE) : NULL;
	if (rc == PROV_OK && (it == NULL || prov_md5_matches(&r.m, it->val, it->len, md5) != 0))
		snprintf(e, sizeof(e), "no ITL_FILE, or its MD5 item is not its md5");
	else if (rc == PROV_OK && take_itl(n, it->val, it->len, e, sizeof(e)) == 0)
		e[0] = '\0';
	prov_resp_free(&r);
	if (rc != PROV_OK || e[0] != '\0') {
		/* NOT_FOUND, an older provider, no answer: phones of this node find no ITL. */
		n->no_itl = 1;
		pv_err("--providers %s (%s) serves no ITL (GET_ITL: %s); planned as a node that serves none",
		       t->name, n->host, e);
	}
	if (n->layout == CTL_ITL_12X && n->rec.cert == NULL && !n->no_itl)
		return pv_fail(PV_EXIT_NETWORK, "--providers %s: the 12x ITL lists no ITLRecovery certificate",
		               t->name);
	return PV_EXIT_OK;
}

/* Connect, check the identity, log in (then record it), read. Exit status. */
CTL_MUST_USE static int
one_node(struct prov_ctx *x, struct plan_node *n, const struct prov_target *t, const uint8_t *pin)
{
	uint8_t fp[PROV_FP_LEN];
	struct prov_conn *c = NULL;
	char e[900], known_as[272], say[1024];
	int record, refused, rc;
	enum prov_rc pr;
	struct prov_id_query q;

	if ((pr = prov_connect(t, (int)x->o->timeout, &c, fp, e, sizeof(e))) != PROV_OK)
		return pv_fail(pr == PROV_E_NOMEM ? PV_EXIT_INTERNAL : PV_EXIT_NETWORK, "--providers %s", e);
	q = (struct prov_id_query){ t->name, prov_peer(c), prov_subject(c), fp, pin, "--fingerprint pins",
	                            x->o->accept_new };
	if (prov_identity_check(&x->known, &q, &record, known_as, sizeof(known_as), e, sizeof(e)) != PROV_ID_OK) {
		prov_close(c);
		return pv_fail(PV_EXIT_PROV_REFUSED, "--providers %s", e);
	}
	if (prov_login_as(c, x->o->user, ctl_secret_str(x->password), &refused, e, sizeof(e)) != PROV_OK) {
		prov_close(c);
		return pv_fail(refused ? PV_EXIT_PROV_REFUSED : PV_EXIT_NETWORK, "--providers %s: %s", t->name, e);
	}
	if (record && prov_identity_record(&x->known, &q, known_as, say, sizeof(say), e, sizeof(e)) != 0)
		pv_err("%s", e);
	else if (record && say[0] != '\0')
		pv_err("%s", say);
	rc = read_node(n, c, t);
	prov_close(c);
	return rc;
}

/* The pin --fingerprint gives target t (NULL: none). Exit status. */
CTL_MUST_USE static int
pin_of(const struct plan_prov_opts *o, const struct prov_target *t, uint8_t fp[PROV_FP_LEN], const uint8_t **pin)
{
	struct prov_target pt;
	char e[400];
	size_t i;

	*pin = NULL;
	for (i = 0; i < o->nfingerprints; i++) {
		if (prov_pin_parse(o->fingerprints[i], &pt, fp, e, sizeof(e)) != 0)
			return pv_fail(PV_EXIT_USAGE, "--fingerprint %s", e);
		if (pt.name[0] == '\0' && o->ntargets != 1)
			return pv_fail(PV_EXIT_USAGE, "--fingerprint '%s': name the provider (HOST:PORT=SHA256) "
			               "when there are several", o->fingerprints[i]);
		if (pt.name[0] == '\0' || strcmp(pt.name, t->name) == 0)
			*pin = fp;
	}
	return PV_EXIT_OK;
}

int
plan_cluster_from_providers(struct plan_cluster *c, const struct plan_prov_opts *o)
{
	struct prov_ctx x;
	struct prov_target t;
	uint8_t fp[PROV_FP_LEN];
	const uint8_t *pin;
	char e[600];
	size_t i;
	int rc = PV_EXIT_OK;

	memset(&x, 0, sizeof(x));
	x.o = o;
	/* A provider closing mid-write is an error, not a SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < o->ntargets && rc == PV_EXIT_OK; i++) {
		if (prov_target_parse(o->targets[i], &t, e, sizeof(e)) != 0)
			return pv_fail(PV_EXIT_USAGE, "--providers %s", e);
		rc = pin_of(o, &t, fp, &pin);
	}
	if (rc != PV_EXIT_OK)
		return rc;
	if (prov_known_load(&x.known, e, sizeof(e)) != 0)
		return pv_fail(PV_EXIT_IO, "%s", e);
	if (prov_password_get(o->password_file, o->user, &x.password, e, sizeof(e)) != 0) {
		prov_known_cleanup(&x.known);
		return pv_fail(PV_EXIT_USAGE, "%s", e);
	}
	for (i = 0; i < o->ntargets && rc == PV_EXIT_OK; i++) {
		struct plan_node *n = &c->node[c->n];

		if (prov_target_parse(o->targets[i], &t, e, sizeof(e)) != 0 || (rc = pin_of(o, &t, fp, &pin)) != 0)
			break; /* parsed above */
		memset(n, 0, sizeof(*n));
		snprintf(n->host, sizeof(n->host), "node%zu", c->n + 1);
		c->n++; /* counted at once: plan_cluster_free releases a half-read node */
		rc = one_node(&x, n, &t, pin);
	}
	ctl_secret_free(x.password);
	prov_known_cleanup(&x.known);
	if (rc == PV_EXIT_OK)
		plan_cluster_link(c);
	return rc;
}
