/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tokenless mode and the ITL (doc/provider-protocol.md, "Tokenless mode";
 * doc/sbd.md): SIGN_CTL builds and signs a tokenless CTL with the keys of
 * this node (the publisher) from the nodes the client lists; ITL_RESET
 * serves the reset ITL of `utils itl reset` or the normal ITL again;
 * GET_ITL returns the ITL this node serves. No key crosses the wire: the
 * client sends certificates, the node answers with the signed file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "provider.h"

#define SIGN_MAX_NODES 16
#define SIGN_MAX_TOKENS 8

static uint16_t
put_failed(enum ctl_err r, char *msg, size_t msglen)
{
	snprintf(msg, msglen, "cannot encode the response: %s", ctl_strerror(r));
	return r == CTL_E_TOO_LARGE ? CTL_PROV_TOO_LARGE : CTL_PROV_INTERNAL;
}

static CTL_MUST_USE uint16_t
not_ready(const struct prov_conn *c, char *msg, size_t msglen)
{
	if (c->srv->sbd.ready)
		return CTL_PROV_OK;
	snprintf(msg, msglen, "Security By Default is not set up on this node");
	return CTL_PROV_UNSUPPORTED;
}

/* What a SIGN_CTL request lists, with the certificates it owns. */
struct sign_req {
	struct ctl_tokenless_node nodes[SIGN_MAX_NODES];
	struct ctl_sbd_cert capf[SIGN_MAX_NODES];
	char dns[SIGN_MAX_NODES][PROV_NAME_MAX];
	uint8_t ip[SIGN_MAX_NODES][4];
	size_t nnodes;
	struct ctl_sbd_cert tokens[SIGN_MAX_TOKENS];
	size_t ntokens;
	X509 *owned[SIGN_MAX_NODES * 3 + SIGN_MAX_TOKENS];
	size_t nowned;
};

static void
sign_req_free(struct sign_req *q)
{
	size_t i;

	for (i = 0; i < q->nowned; i++)
		X509_free(q->owned[i]);
}

/* One CERT item (u16 role, DER) into the node being read. */
static CTL_MUST_USE uint16_t
add_cert_item(struct sign_req *q, const struct ctl_prov_item *it, char *msg, size_t msglen)
{
	const unsigned char *p;
	struct ctl_tokenless_node *nd;
	uint16_t role;
	X509 *x;

	if (it->len < 3) {
		snprintf(msg, msglen, "CERT item of %u bytes: a role and a certificate expected",
		         (unsigned)it->len);
		return CTL_PROV_BAD_REQUEST;
	}
	role = (uint16_t)(it->val[0] << 8 | it->val[1]);
	p = it->val + 2;
	if ((x = d2i_X509(NULL, &p, (long)(it->len - 2))) == NULL || p != it->val + it->len) {
		X509_free(x);
		snprintf(msg, msglen, "CERT item (role %u): not one DER certificate", role);
		return CTL_PROV_BAD_REQUEST;
	}
	q->owned[q->nowned++] = x;
	if (role == CTL_ROLE_SAST) {
		if (q->ntokens == SIGN_MAX_TOKENS) {
			snprintf(msg, msglen, "more than %d SAST tokens", SIGN_MAX_TOKENS);
			return CTL_PROV_BAD_REQUEST;
		}
		q->tokens[q->ntokens++] = (struct ctl_sbd_cert){ x, NULL, NULL };
		return CTL_PROV_OK;
	}
	if (q->nnodes == 0) {
		snprintf(msg, msglen, "CERT (role %u) before any HOSTNAME", role);
		return CTL_PROV_BAD_REQUEST;
	}
	nd = &q->nodes[q->nnodes - 1];
	switch (role) {
	case CTL_ROLE_CCM:
	case CTL_ROLE_CCM_TFTP:
	case CTL_ROLE_TFTP:
		if (nd->callmanager.cert != NULL)
			break;
		nd->callmanager.cert = x;
		return CTL_PROV_OK;
	case CTL_ROLE_CAPF:
		if (nd->capf != NULL)
			break;
		q->capf[q->nnodes - 1] = (struct ctl_sbd_cert){ x, nd->callmanager.dns,
		                                                nd->callmanager.ipv4 };
		nd->capf = &q->capf[q->nnodes - 1];
		return CTL_PROV_OK;
	case CTL_ROLE_TVS:
		return CTL_PROV_OK; /* TVS is never in the CTL (doc/sbd.md) */
	default:
		snprintf(msg, msglen, "CERT role %u is not a node certificate of a tokenless CTL", role);
		return CTL_PROV_BAD_REQUEST;
	}
	snprintf(msg, msglen, "node %s: a second certificate with role %u",
	         q->dns[q->nnodes - 1], role);
	return CTL_PROV_BAD_REQUEST;
}

/* The request's HOSTNAME, IPV4 and CERT items, node by node, in order. */
static CTL_MUST_USE uint16_t
read_nodes(const struct ctl_prov_msg *req, struct sign_req *q, char *msg, size_t msglen)
{
	size_t i;
	uint16_t st;

	for (i = 0; i < req->nitems; i++) {
		const struct ctl_prov_item *it = &req->items[i];

		if (it->tag == CTL_PROV_T_HOSTNAME) {
			if (q->nnodes == SIGN_MAX_NODES || it->len == 0 || it->len >= PROV_NAME_MAX ||
			    memchr(it->val, '\0', it->len) != NULL) {
				snprintf(msg, msglen, "HOSTNAME %zu: empty, too long, NUL inside or more "
				         "than %d nodes", q->nnodes + 1, SIGN_MAX_NODES);
				return CTL_PROV_BAD_REQUEST;
			}
			memcpy(q->dns[q->nnodes], it->val, it->len);
			q->dns[q->nnodes][it->len] = '\0';
			q->nodes[q->nnodes].callmanager.dns = q->dns[q->nnodes];
			q->nnodes++;
		} else if (it->tag == CTL_PROV_T_IPV4) {
			if (q->nnodes == 0 || it->len != 4) {
				snprintf(msg, msglen, "IPV4: 4 bytes after a HOSTNAME");
				return CTL_PROV_BAD_REQUEST;
			}
			memcpy(q->ip[q->nnodes - 1], it->val, 4);
			q->nodes[q->nnodes - 1].callmanager.ipv4 = q->ip[q->nnodes - 1];
		} else if (it->tag == CTL_PROV_T_CERT) {
			if ((st = add_cert_item(q, it, msg, msglen)) != CTL_PROV_OK)
				return st;
		}
	}
	for (i = 0; i < q->nnodes; i++)
		if (q->nodes[i].callmanager.cert == NULL) {
			snprintf(msg, msglen, "node %s has no CallManager (CCM+TFTP) certificate",
			         q->dns[i]);
			return CTL_PROV_BAD_REQUEST;
		}
	return CTL_PROV_OK;
}

/* Moves the node holding this node's CallManager certificate first (the publisher). */
static CTL_MUST_USE uint16_t
publisher_first(struct sign_req *q, X509 *own, char *msg, size_t msglen)
{
	struct ctl_tokenless_node tmp;
	size_t i;

	for (i = 0; i < q->nnodes; i++)
		if (X509_cmp(q->nodes[i].callmanager.cert, own) == 0)
			break;
	if (i == q->nnodes) {
		snprintf(msg, msglen, "this node's CallManager certificate is not among the nodes "
		         "listed; SIGN_CTL goes to the publisher");
		return CTL_PROV_BAD_REQUEST;
	}
	tmp = q->nodes[i];
	memmove(&q->nodes[1], &q->nodes[0], i * sizeof(q->nodes[0]));
	q->nodes[0] = tmp;
	return CTL_PROV_OK;
}

/* Builds and signs the CTL with the node's key; s->lock held. */
static CTL_MUST_USE uint16_t
sign_locked(struct prov_sbd *s, struct sign_req *q, unsigned signer, unsigned mode,
            uint8_t **out, size_t *len, char *msg, size_t msglen)
{
	const struct prov_identity *id = s->id;
	const struct ctl_signer *sg = signer == CTL_TL_SIGN_RECOVERY ? id->rec_signer : id->cm_signer;
	struct ctl_tokenless_spec spec;
	struct ctl_builder *b = NULL;
	struct ctl_diag d;
	uint16_t st;

	if (sg == NULL) {
		snprintf(msg, msglen, "this node has no %s key (%s); it cannot sign a tokenless CTL",
		         signer == CTL_TL_SIGN_RECOVERY ? "ITLRecovery" : "CallManager",
		         signer == CTL_TL_SIGN_RECOVERY ? "itlrecovery_key" : "callmanager_key");
		return CTL_PROV_UNSUPPORTED;
	}
	if ((st = publisher_first(q, id->callmanager, msg, msglen)) != CTL_PROV_OK)
		return st;
	memset(&spec, 0, sizeof(spec));
	spec.nodes = q->nodes;
	spec.nnodes = q->nnodes;
	/* Without itlrecovery_cert (a 10.x cluster) the CTL has no ITLRecovery record. */
	spec.itlrecovery = (struct ctl_sbd_cert){ id->recovery, NULL, NULL };
	spec.tokens = q->tokens;
	spec.ntokens = q->ntokens;
	spec.non_secure = mode == 0;
	spec.digest = (enum ctl_digest)s->cfg->itl_digest;
	if (ctl_tokenless_builder(&spec, &b, &d) != CTL_OK ||
	    ctl_builder_set_digest(b, (enum ctl_digest)s->cfg->itl_digest) != CTL_OK ||
	    ctl_builder_sign(b, sg, out, len, &d) != CTL_OK) {
		snprintf(msg, msglen, "cannot build the CTL: %s", d.msg);
		st = CTL_PROV_INTERNAL;
	}
	ctl_builder_free(b);
	return st;
}

uint16_t
prov_h_sign_ctl(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp,
                char *msg, size_t msglen)
{
	const struct ctl_prov_item *si = ctl_prov_find(req, CTL_PROV_T_SIGNER);
	const struct ctl_prov_item *mo = ctl_prov_find(req, CTL_PROV_T_MODE);
	struct prov_sbd *s = &c->srv->sbd;
	struct ctl_sums sums;
	struct sign_req *q;
	uint8_t *out = NULL;
	size_t len = 0;
	unsigned signer, mode;
	enum ctl_err r;
	uint16_t st;

	if ((st = not_ready(c, msg, msglen)) != CTL_PROV_OK)
		return st;
	signer = s->cfg->ctl_layout;
	if ((si != NULL && (si->len != 1 || si->val[0] > 1)) || mo == NULL || mo->len != 1 ||
	    mo->val[0] > 1) {
		snprintf(msg, msglen, "SIGN_CTL needs SIGNER (one byte, 0 ITLRecovery or 1 "
		         "CallManager) and MODE (one byte, 0 or 1)");
		return CTL_PROV_BAD_REQUEST;
	}
	if (si != NULL)
		signer = si->val[0];
	mode = mo->val[0];
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		snprintf(msg, msglen, "out of memory");
		return CTL_PROV_INTERNAL;
	}
	if ((st = read_nodes(req, q, msg, msglen)) == CTL_PROV_OK) {
		pthread_mutex_lock(&s->lock);
		st = sign_locked(s, q, signer, mode, &out, &len, msg, msglen);
		pthread_mutex_unlock(&s->lock);
	}
	if (st == CTL_PROV_OK) {
		if ((r = ctl_checksums(out, len, &sums)) != CTL_OK ||
		    (r = ctl_prov_put(resp, CTL_PROV_T_CTL_FILE, out, len)) != CTL_OK ||
		    (r = ctl_prov_put_str(resp, CTL_PROV_T_MD5, sums.md5)) != CTL_OK)
			st = put_failed(r, msg, msglen);
		else
			prov_log("SIGN_CTL from %s user %s: %s CTL for %zu node(s), %zu token(s), %zu "
			         "bytes, md5 %s, signed by %s", c->peer, c->user,
			         mode ? "mixed-mode" : "non-secure", q->nnodes, q->ntokens, len,
			         sums.md5, signer == CTL_TL_SIGN_RECOVERY ? "ITLRecovery" : "CallManager");
	}
	free(out);
	sign_req_free(q);
	free(q);
	return st;
}

uint16_t
prov_h_itl_reset(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp,
                 char *msg, size_t msglen)
{
	const struct ctl_prov_item *a = ctl_prov_find(req, CTL_PROV_T_ITL_ACTION);
	static const char *const names[] = { "normal", "reset (localkey)", "reset (remotekey)" };
	struct prov_sbd *s = &c->srv->sbd;
	uint8_t *buf = NULL;
	size_t len = 0;
	unsigned old;
	enum ctl_err r;
	uint16_t st;

	if ((st = not_ready(c, msg, msglen)) != CTL_PROV_OK)
		return st;
	if (a == NULL || a->len != 1 || a->val[0] > 2) {
		snprintf(msg, msglen, "ITL_RESET needs ITL_ACTION: one byte, 0 (normal ITL), "
		         "1 (localkey) or 2 (remotekey)");
		return CTL_PROV_BAD_REQUEST;
	}
	if (!s->cfg->itl) {
		snprintf(msg, msglen, "this node serves no ITL (itl = no)");
		return CTL_PROV_UNSUPPORTED;
	}
	pthread_mutex_lock(&s->lock);
	old = s->reset;
	s->reset = a->val[0];
	if ((st = prov_itl_rebuild_locked(s, names[a->val[0]], msg, msglen)) != CTL_PROV_OK)
		s->reset = old;
	pthread_mutex_unlock(&s->lock);
	if (st != CTL_PROV_OK)
		return st;
	prov_log("ITL_RESET %u (%s ITL) by user %s from %s", a->val[0], names[a->val[0]], c->user,
	         c->peer);
	if (prov_file_read(s->itl_path, CTL_MAX_FILE, &buf, &len, NULL, msg, msglen) != PROV_FILE_OK)
		return CTL_PROV_IO;
	{
		struct ctl_sums sums;

		if ((r = ctl_checksums(buf, len, &sums)) != CTL_OK ||
		    (r = ctl_prov_put_str(resp, CTL_PROV_T_MD5, sums.md5)) != CTL_OK ||
		    (r = ctl_prov_put_u32(resp, CTL_PROV_T_LENGTH, (uint32_t)len)) != CTL_OK)
			st = put_failed(r, msg, msglen);
	}
	free(buf);
	return st;
}

uint16_t
prov_h_get_itl(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp,
               char *msg, size_t msglen)
{
	char path[PROV_PATH_MAX + 32], why[PROV_PATH_MAX + 160];
	struct ctl_sums sums;
	uint8_t *buf = NULL;
	size_t len = 0;
	enum ctl_err r;
	uint16_t st = CTL_PROV_OK;

	(void)req;
	snprintf(path, sizeof(path), "%s/%s", c->srv->cfg->tftp_root, PROV_ITL_NAME);
	switch (prov_file_read(path, CTL_PROV_MAX_BODY - 64, &buf, &len, NULL, why, sizeof(why))) {
	case PROV_FILE_OK:
		break;
	case PROV_FILE_MISSING:
		snprintf(msg, msglen, "this node serves no ITL");
		return CTL_PROV_NOT_FOUND;
	case PROV_FILE_REFUSED:
	case PROV_FILE_IO:
		snprintf(msg, msglen, "the served ITL cannot be read: %s", why);
		return CTL_PROV_IO;
	}
	if ((r = ctl_checksums(buf, len, &sums)) != CTL_OK ||
	    (r = ctl_prov_put(resp, CTL_PROV_T_ITL_FILE, buf, len)) != CTL_OK ||
	    (r = ctl_prov_put_str(resp, CTL_PROV_T_MD5, sums.md5)) != CTL_OK)
		st = put_failed(r, msg, msglen);
	free(buf);
	return st;
}
