/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The planner's changes (plan.h): a SPEC becomes the change as asked
 * (its steps, then one boot of every phone) and the orders to try when
 * phones would lock out, each of them checked by running it over the
 * phones (plan_run) before it is proposed. The orders are Cisco's
 * (doc/sbd.md, "Change planner"): regenerate TVS before CallManager and
 * let the phones take the new ITL in between; `itl-reset localkey` then
 * `done`; `reset-localkey` then `update` in mixed mode; another cluster's
 * certificates in the old cluster's TVS before a move.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "plan.h"

static void
add(struct plan_seq *q, enum plan_step_kind k, int node)
{
	if (q->n < PLAN_MAX_STEPS) {
		q->step[q->n].kind = k;
		q->step[q->n].node = node;
		q->n++;
	}
}

/* The itl-reset recovery after the change's own steps (in q already). */
static void
itl_reset_after(struct plan_seq *q)
{
	add(q, PLAN_S_ITL_RESET, -1);
	add(q, PLAN_S_BOOT, -1);
	add(q, PLAN_S_ITL_DONE, -1);
	add(q, PLAN_S_BOOT, -1);
}

CTL_MUST_USE static int
node_of(const char *arg, const struct plan_cluster *c, int *node, char *why, size_t cap)
{
	if (arg == NULL || (*node = plan_cluster_node(c, arg)) < 0) {
		snprintf(why, cap, "--change: '%s' names no node of the cluster (a host name or 1..%zu)",
		         arg != NULL ? arg : "", c->n);
		return -1;
	}
	return 0;
}

int
plan_change_parse(const char *spec, const struct plan_cluster *c, const struct plan_cluster *other,
                  struct plan_change *ch, char *why, size_t cap)
{
	const char *colon = strchr(spec, ':');
	const char *arg = colon != NULL ? colon + 1 : NULL;
	size_t kl = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	struct plan_seq *d = &ch->direct;
	int node = -1;

	memset(ch, 0, sizeof(*ch));
	snprintf(ch->spec, sizeof(ch->spec), "%s", spec);
	ch->other = other;
#define IS(s) (kl == strlen(s) && strncmp(spec, s, kl) == 0)
	if (IS("regen-callmanager") || IS("regen-callmanager+tvs") || IS("regen-tvs")) {
		int ccm = !IS("regen-tvs"), tvs = !IS("regen-callmanager");

		if (node_of(arg, c, &node, why, cap) != 0)
			return -1;
		if (ccm)
			add(d, PLAN_S_REGEN_CCM, node);
		if (tvs)
			add(d, PLAN_S_REGEN_TVS, node);
		add(d, PLAN_S_BOOT, -1);
		if (ccm && tvs) {
			/* TVS first; the phones take the ITL listing the new TVS; then CallManager. */
			add(&ch->safe[0], PLAN_S_REGEN_TVS, node);
			add(&ch->safe[0], PLAN_S_BOOT, -1);
			add(&ch->safe[0], PLAN_S_REGEN_CCM, node);
			add(&ch->safe[0], PLAN_S_BOOT, -1);
			ch->nsafe = 1;
		}
		ch->safe[ch->nsafe] = *d;
		ch->safe[ch->nsafe].n--; /* the change without its boot, then the recovery */
		itl_reset_after(&ch->safe[ch->nsafe++]);
	} else if (IS("replace-itlrecovery") && arg == NULL) {
		size_t m = c->node[0].mixed ? 0 : 1;

		add(d, PLAN_S_REGEN_REC, -1);
		add(d, PLAN_S_BOOT, -1);
		/* Mixed mode: reset-localkey, then update; non-secure: itl-reset localkey, then done. */
		add(&ch->safe[m], PLAN_S_REGEN_REC, -1);
		add(&ch->safe[m], PLAN_S_CTL_LOCALKEY, -1);
		add(&ch->safe[m], PLAN_S_BOOT, -1);
		add(&ch->safe[m], PLAN_S_CTL_UPDATE, -1);
		add(&ch->safe[m], PLAN_S_BOOT, -1);
		add(&ch->safe[1 - m], PLAN_S_REGEN_REC, -1);
		itl_reset_after(&ch->safe[1 - m]);
		ch->nsafe = 2;
	} else if (IS("tokenless-mixed") && arg == NULL) {
		add(d, PLAN_S_MIXED, -1);
		add(d, PLAN_S_BOOT, -1);
		add(&ch->safe[0], PLAN_S_MIXED, -1);
		itl_reset_after(&ch->safe[0]);
		ch->nsafe = 1;
	} else if (IS("move") && arg != NULL) {
		if (other == NULL || other->n == 0) {
			snprintf(why, cap, "--change move: the other cluster's node.conf could not be read");
			return -1;
		}
		add(d, PLAN_S_MOVE, -1);
		add(d, PLAN_S_BOOT, -1);
		add(&ch->safe[0], PLAN_S_TRUST_OTHER, -1);
		add(&ch->safe[0], PLAN_S_MOVE, -1);
		add(&ch->safe[0], PLAN_S_BOOT, -1);
		ch->nsafe = 1;
	} else {
		snprintf(why, cap, "--change: unknown change '%s' (regen-callmanager:NODE, "
		         "regen-callmanager+tvs:NODE, regen-tvs:NODE, replace-itlrecovery, "
		         "tokenless-mixed, move:NODE_CONF)", spec);
		return -1;
	}
#undef IS
	return 0;
}

void
plan_step_text(const struct plan_cluster *c, const struct plan_change *ch,
               const struct plan_step *s, char *out, size_t cap)
{
	const char *host = s->node >= 0 && (size_t)s->node < c->n ? c->node[s->node].host : "";
	const char *other = ch->other != NULL && ch->other->n > 0 ? ch->other->node[0].host : "";

	switch (s->kind) {
	case PLAN_S_REGEN_CCM:
		snprintf(out, cap, "regenerate the CallManager certificate on %s", host);
		break;
	case PLAN_S_REGEN_TVS:
		snprintf(out, cap, "regenerate the TVS certificate on %s and restart its TVS", host);
		break;
	case PLAN_S_REGEN_REC:
		snprintf(out, cap, "regenerate the cluster's ITLRecovery certificate");
		break;
	case PLAN_S_MIXED:
		snprintf(out, cap, "ctl-client mixed-mode --tokenless (the cluster goes to mixed mode)");
		break;
	case PLAN_S_MOVE:
		snprintf(out, cap, "point the phones at the other cluster's TFTP (%s)", other);
		break;
	case PLAN_S_TRUST_OTHER:
		snprintf(out, cap, "add the other cluster's CallManager and ITLRecovery certificates to "
		         "this cluster's TVS (ctl-tvsd: cert = sast,ccm-tftp:PATH) and reload it");
		break;
	case PLAN_S_ITL_RESET:
		snprintf(out, cap, "ctl-client itl-reset localkey (every node serves the reset ITL)");
		break;
	case PLAN_S_ITL_DONE:
		snprintf(out, cap, "ctl-client itl-reset done (every node serves its ITL again)");
		break;
	case PLAN_S_CTL_LOCALKEY:
		snprintf(out, cap, "ctl-client reset-localkey (the CTL signed by the publisher's "
		         "CallManager key)");
		break;
	case PLAN_S_CTL_UPDATE:
		snprintf(out, cap, "ctl-client update --tokenless (the CTL signed by ITLRecovery again)");
		break;
	case PLAN_S_BOOT:
		snprintf(out, cap, "reset the phones and wait until every phone has booted");
		break;
	}
}

/* ---- running a sequence ------------------------------------------------------------ */

/* What one run changes: its own cluster copies and the phones' working lists. */
struct run {
	struct plan_cluster home, other;
	struct plan_cluster ctl_snap; /* home when the CTL was last signed */
	int has_other;
	struct plan_world w;
	struct pv_trust *held;
	size_t *node;
};

CTL_MUST_USE static int
regen_rec(struct plan_cluster *c, char *why, size_t cap)
{
	size_t i;

	if (c->node[0].rec.cert == NULL) {
		snprintf(why, cap, "the cluster has no itlrecovery_cert to replace");
		return -1;
	}
	if (plan_cert_regen(&c->node[0].rec, why, cap) != 0)
		return -1;
	/* One cluster-wide ITLRecovery: every node gets the same new pair. */
	for (i = 1; i < c->n; i++) {
		X509_free(c->node[i].rec.cert);
		EVP_PKEY_free(c->node[i].rec.key);
		c->node[i].rec = c->node[0].rec;
		X509_up_ref(c->node[i].rec.cert);
		EVP_PKEY_up_ref(c->node[i].rec.key);
	}
	return 0;
}

/* The other cluster's CallManager and ITLRecovery certificates as SAST and CCM+TFTP in home's TVS. */
static void
trust_other(struct run *r)
{
	size_t i;

	for (i = 0; i < r->other.n; i++) {
		X509 *certs[2] = { r->other.node[i].ccm.cert, r->other.node[i].rec.cert };
		size_t k;

		for (k = 0; k < 2; k++) {
			struct plan_extra *e = &r->home.extra[r->home.nextra];

			if (certs[k] == NULL || r->home.nextra >= PLAN_MAX_EXTRA)
				continue;
			X509_up_ref(certs[k]);
			e->cert = certs[k];
			e->roles[0] = CTL_ROLE_SAST;
			e->roles[1] = CTL_ROLE_CCM_TFTP;
			e->nroles = 2;
			r->home.nextra++;
		}
	}
}

/* Every phone boots once against its node's files. */
CTL_MUST_USE static int
boot_all(struct run *r, struct plan_phone *phones, size_t n, char *why, size_t cap)
{
	struct plan_files files[PLAN_MAX_NODES];
	int built[PLAN_MAX_NODES];
	size_t i, k;
	int rc = 0;

	memset(built, 0, sizeof(built));
	for (i = 0; i < n && rc == 0; i++) {
		struct plan_phone one = phones[i];

		k = r->node[i] < r->w.serving->n ? r->node[i] : 0;
		if (!built[k]) {
			if (plan_files_build(&r->w, k, &files[k], why, cap) != 0) {
				rc = -1;
				break;
			}
			built[k] = 1;
		}
		/* The phone's working lists; its class and status accumulate in phones[i]. */
		one.held = r->held[i];
		plan_boot(&r->w, &files[k], &one);
		r->held[i] = one.held;
		phones[i].cls = one.cls;
		memcpy(phones[i].status, one.status, sizeof(one.status));
		memcpy(phones[i].why, one.why, sizeof(one.why));
	}
	for (k = 0; k < PLAN_MAX_NODES; k++)
		if (built[k])
			plan_files_free(&files[k]);
	return rc;
}

/* ctl-client signs a new CTL from the cluster as it is now. */
static void
ctl_signed_now(struct run *r)
{
	plan_cluster_free(&r->ctl_snap);
	plan_cluster_copy(&r->ctl_snap, &r->home);
}

CTL_MUST_USE static int
do_step(struct run *r, const struct plan_step *s, struct plan_phone *phones, size_t n,
        char *why, size_t cap)
{
	size_t i;

	switch (s->kind) {
	case PLAN_S_REGEN_CCM: return plan_cert_regen(&r->home.node[s->node].ccm, why, cap);
	case PLAN_S_REGEN_TVS: return plan_cert_regen(&r->home.node[s->node].tvs, why, cap);
	case PLAN_S_REGEN_REC: return regen_rec(&r->home, why, cap);
	case PLAN_S_MIXED:
		for (i = 0; i < r->home.n; i++)
			r->home.node[i].mixed = 1;
		ctl_signed_now(r);
		return 0;
	case PLAN_S_MOVE:
		/* The other cluster serves its own CTL, as signed there. */
		r->w.serving = &r->other;
		r->w.ctl_src = NULL;
		for (i = 0; i < n; i++)
			r->node[i] = 0;
		return 0;
	case PLAN_S_TRUST_OTHER: trust_other(r); return 0;
	case PLAN_S_ITL_RESET: r->w.itl = PLAN_ITL_RESET; return 0;
	case PLAN_S_ITL_DONE: r->w.itl = PLAN_ITL_NORMAL; return 0;
	case PLAN_S_CTL_LOCALKEY: r->w.ctl = PLAN_CTL_LOCALKEY; ctl_signed_now(r); return 0;
	case PLAN_S_CTL_UPDATE: r->w.ctl = PLAN_CTL_NORMAL; ctl_signed_now(r); return 0;
	case PLAN_S_BOOT: return boot_all(r, phones, n, why, cap);
	}
	return 0;
}

int
plan_run(const struct plan_cluster *c, const struct plan_change *ch, const struct plan_seq *seq,
         struct plan_phone *phones, size_t n, struct plan_result *res, char *why, size_t cap)
{
	struct run r;
	size_t i;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	plan_cluster_copy(&r.home, c);
	if (ch->other != NULL) {
		plan_cluster_copy(&r.other, ch->other);
		r.has_other = 1;
	}
	r.w.home = &r.home;
	r.w.serving = &r.home;
	/* The CTL served now is the one signed from the cluster as it is now. */
	plan_cluster_copy(&r.ctl_snap, c);
	r.w.ctl_src = &r.ctl_snap;
	r.held = calloc(n ? n : 1, sizeof(*r.held));
	r.node = calloc(n ? n : 1, sizeof(*r.node));
	if (r.held == NULL || r.node == NULL) {
		snprintf(why, cap, "out of memory");
		rc = -1;
	}
	for (i = 0; rc == 0 && i < n; i++) {
		pv_trust_init(&r.held[i]);
		pv_trust_set(&r.held[i], CTL_KIND_CTL, pv_tl_ref(phones[i].held.ctl));
		pv_trust_set(&r.held[i], CTL_KIND_ITL, pv_tl_ref(phones[i].held.itl));
		r.node[i] = plan_phone_node(&r.w, &phones[i]);
		phones[i].cls = PLAN_DIRECT;
		phones[i].status[0] = phones[i].why[0] = '\0';
	}
	for (i = 0; rc == 0 && i < seq->n; i++)
		rc = do_step(&r, &seq->step[i], phones, n, why, cap);
	for (i = 0; i < n && r.held != NULL; i++) {
		if (rc == 0)
			res->count[phones[i].cls]++;
		pv_trust_cleanup(&r.held[i]);
	}
	res->locked_any = res->count[PLAN_LOCKOUT] > 0;
	free(r.held);
	free(r.node);
	plan_cluster_free(&r.home);
	plan_cluster_free(&r.ctl_snap);
	if (r.has_other)
		plan_cluster_free(&r.other);
	return rc;
}
