/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Security By Default requests' items (doc/provider-protocol.md):
 * what SIGN_CTL sends (the nodes as GET_INFO described them, the tokens)
 * and what SIGN_CTL, GET_ITL and ITL_RESET answer, checked before anything
 * is believed. No network here: cluster_sbd_session.c sends and receives.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cluster.h"

/* One CERT item: u16 role, then the DER certificate. */
static CTL_MUST_USE int
put_cert(struct ctl_wr *wr, uint16_t role, X509 *x)
{
	unsigned char *der = NULL, *buf;
	int n = i2d_X509(x, &der);
	enum ctl_err r = CTL_E_NOMEM;

	if (n <= 0)
		return -1;
	if ((buf = malloc((size_t)n + 2)) != NULL) {
		buf[0] = (uint8_t)(role >> 8);
		buf[1] = (uint8_t)role;
		memcpy(buf + 2, der, (size_t)n);
		r = ctl_prov_put(wr, CTL_PROV_T_CERT, buf, (size_t)n + 2);
		free(buf);
	}
	OPENSSL_free(der);
	return r == CTL_OK ? 0 : -1;
}

/* Items the request will hold: the provider parses at most CTL_PROV_MAX_ITEMS. */
static size_t
count_items(const struct cluster *cl, const struct cl_sign_req *rq)
{
	size_t i, n = 2 + rq->ntokens;

	for (i = 0; i < cl->n; i++)
		n += 1 + (size_t)cl->nodes[i].has_ip + cl->nodes[i].ncerts;
	return n;
}

int
cl_sbd_put_sign(struct ctl_wr *wr, const struct cluster *cl, const struct cl_sign_req *rq, char *err,
                size_t errlen)
{
	size_t i, k, n = count_items(cl, rq);

	if (n > CTL_PROV_MAX_ITEMS) {
		prov_seterr(err, errlen, "SIGN_CTL: %zu items (nodes, certificates, tokens) do not fit in one "
		            "request (at most %d)", n, CTL_PROV_MAX_ITEMS);
		return -1;
	}
	if (ctl_prov_put_u8(wr, CTL_PROV_T_SIGNER, rq->signer) != CTL_OK ||
	    ctl_prov_put_u8(wr, CTL_PROV_T_MODE, rq->mode) != CTL_OK)
		goto full;
	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];

		if (ctl_prov_put_str(wr, CTL_PROV_T_HOSTNAME, nd->hostname) != CTL_OK ||
		    (nd->has_ip && ctl_prov_put(wr, CTL_PROV_T_IPV4, nd->ip, 4) != CTL_OK))
			goto full;
		for (k = 0; k < nd->ncerts; k++)
			if (put_cert(wr, nd->certs[k].role, nd->certs[k].cert) != 0)
				goto full;
	}
	for (i = 0; i < rq->ntokens; i++)
		if (put_cert(wr, CTL_ROLE_SAST, rq->tokens[i]) != 0)
			goto full;
	return 0;
full:
	prov_seterr(err, errlen, "SIGN_CTL: request too large");
	return -1;
}

int
cl_sbd_take_signed(const struct ctl_prov_msg *m, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	const struct ctl_prov_item *f = ctl_prov_find(m, CTL_PROV_T_CTL_FILE);
	struct ctl_verify_result res;
	struct ctl_file *file = NULL;
	struct ctl_diag d;
	char md5[33], db[300];
	int kind_ok;

	*out = NULL;
	*len = 0;
	if (f == NULL || f->len == 0) {
		prov_seterr(err, errlen, "SIGN_CTL: no CTL_FILE in the answer");
		return -1;
	}
	if (prov_md5_matches(m, f->val, f->len, md5) != 0) {
		prov_seterr(err, errlen, "SIGN_CTL: the answer's MD5 item is not the md5 of its CTL_FILE (%s)", md5);
		return -1;
	}
	if (ctl_file_parse(f->val, f->len, 0, &file, &d) != CTL_OK) {
		prov_seterr(err, errlen, "SIGN_CTL: the signed CTL does not parse: %s", ctl_diag_str(&d, db, sizeof(db)));
		return -1;
	}
	kind_ok = ctl_file_kind(file) == CTL_KIND_CTL;
	if (!kind_ok || ctl_file_verify(file, &res) != CTL_OK) {
		prov_seterr(err, errlen, "SIGN_CTL: the signed file %s", kind_ok ? res.reason : "is not a CTL");
		ctl_file_free(file);
		return -1;
	}
	ctl_file_free(file);
	if ((*out = malloc(f->len)) == NULL) {
		prov_seterr(err, errlen, "SIGN_CTL: out of memory");
		return -1;
	}
	memcpy(*out, f->val, f->len);
	*len = f->len;
	return 0;
}

int
cl_node_take_itl(struct cl_node *nd, const struct ctl_prov_msg *m)
{
	const struct ctl_prov_item *f = ctl_prov_find(m, CTL_PROV_T_ITL_FILE);
	char md5[33];

	if (f == NULL || f->len == 0) {
		cl_node_fail(nd, EXIT_NETWORK, "GET_ITL: no ITL_FILE in the answer");
		return -1;
	}
	if (prov_md5_matches(m, f->val, f->len, md5) != 0) {
		cl_node_fail(nd, EXIT_NETWORK, "GET_ITL: the answer's MD5 item is not the md5 of its ITL_FILE (%s)",
		             md5);
		return -1;
	}
	memcpy(nd->itl_md5, md5, sizeof(nd->itl_md5));
	nd->itl_len = (uint32_t)f->len;
	nd->has_itl = 1;
	return 0;
}

int
cl_node_take_itl_reset(struct cl_node *nd, const struct ctl_prov_msg *m)
{
	const struct ctl_prov_item *md5 = ctl_prov_find(m, CTL_PROV_T_MD5);
	const struct ctl_prov_item *len = ctl_prov_find(m, CTL_PROV_T_LENGTH);
	size_t i;

	if (md5 == NULL || md5->len != 32 || len == NULL || len->len != 4) {
		cl_node_fail(nd, EXIT_NETWORK, "ITL_RESET: the answer lacks the ITL's MD5 or LENGTH");
		return -1;
	}
	for (i = 0; i < 32; i++)
		if (ctl_hex_digit(md5->val[i]) < 0 || (md5->val[i] >= 'A' && md5->val[i] <= 'F')) {
			cl_node_fail(nd, EXIT_NETWORK, "ITL_RESET: the MD5 item is not 32 lower-case hex digits");
			return -1;
		}
	memcpy(nd->itl_md5, md5->val, 32);
	nd->itl_md5[32] = '\0';
	nd->itl_len = (uint32_t)len->val[0] << 24 | (uint32_t)len->val[1] << 16 | (uint32_t)len->val[2] << 8 |
	              len->val[3];
	nd->has_itl = 1;
	return 0;
}
