/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The planner's cluster (plan.h): nodes read from ctl-provider node.conf
 * files (the keys doc/sbd.md lists; anything else is ignored), and the
 * certificate regeneration a change simulates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>
#include <ctl/kvread.h>

#include "plan.h"

CTL_MUST_USE static int
parse_ipv4(const char *s, uint8_t out[4])
{
	unsigned a, b, c, d;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 ||
	    d > 255)
		return -1;
	out[0] = (uint8_t)a;
	out[1] = (uint8_t)b;
	out[2] = (uint8_t)c;
	out[3] = (uint8_t)d;
	return 0;
}

CTL_MUST_USE static int
load_cert(const char *path, X509 **out, const char *conf, unsigned line, char *why, size_t cap)
{
	struct ctl_diag d;
	char buf[600];

	if (ctl_cert_load(path, out, &d) == CTL_OK)
		return 0;
	snprintf(why, cap, "%s:%u: %s", conf, line, ctl_diag_str(&d, buf, sizeof(buf)));
	return -1;
}

/* The values of one file before they are loaded (keys may come in any order). */
struct conf {
	char ccm[512], ccm_key[512], tls[512], tls_key[512], tvs[512], rec[512], rec_key[512];
	char capf[512], mode_file[512];
	unsigned ccm_line, tls_line, tvs_line, rec_line, capf_line;
	int security_mode;
};

/* One tvs_peer value "DNS IPV4 PATH". */
CTL_MUST_USE static int
add_peer(struct plan_node *n, char *v, const char *conf, unsigned line, char *why, size_t cap)
{
	char *dns = strtok(v, " \t"), *ip = strtok(NULL, " \t"), *path = strtok(NULL, " \t");

	if (dns == NULL || ip == NULL || path == NULL || n->npeers >= PLAN_MAX_PEERS) {
		snprintf(why, cap, "%s:%u: tvs_peer takes DNS IPV4 PATH (at most %d)", conf, line,
		         PLAN_MAX_PEERS);
		return -1;
	}
	snprintf(n->peer[n->npeers].dns, sizeof(n->peer[n->npeers].dns), "%s", dns);
	if (parse_ipv4(ip, n->peer[n->npeers].ipv4) != 0) {
		snprintf(why, cap, "%s:%u: tvs_peer: '%s' is not an IPv4 address", conf, line, ip);
		return -1;
	}
	if (load_cert(path, &n->peer[n->npeers].cert, conf, line, why, cap) != 0)
		return -1;
	n->peer[n->npeers].node = -1;
	n->npeers++;
	return 0;
}

#define COPY(dst, src) snprintf(dst, sizeof(dst), "%s", src)

/* One "key = value" line. */
CTL_MUST_USE static int
one_key(struct plan_node *n, struct conf *cf, const char *k, char *v, const char *conf,
        unsigned line, char *why, size_t cap)
{
	if (strcmp(k, "hostname") == 0)
		COPY(n->host, v);
	else if (strcmp(k, "ipv4") == 0) {
		if (parse_ipv4(v, n->ipv4) != 0) {
			snprintf(why, cap, "%s:%u: ipv4 '%s' is not an IPv4 address", conf, line, v);
			return -1;
		}
		n->has_ip = 1;
	} else if (strcmp(k, "itl") == 0)
		n->no_itl = strcmp(v, "no") == 0;
	else if (strcmp(k, "itl_layout") == 0)
		n->layout = strcmp(v, "8x") == 0 ? CTL_ITL_8X : CTL_ITL_12X;
	else if (strcmp(k, "ctl_layout") == 0)
		n->ctl_signer = strcmp(v, "10x") == 0 ? CTL_TL_SIGN_CALLMANAGER : CTL_TL_SIGN_RECOVERY;
	else if (strcmp(k, "itl_digest") == 0)
		n->digest = strcmp(v, "sha512") == 0 ? CTL_DIGEST_SHA512 :
		            strcmp(v, "sha256") == 0 ? CTL_DIGEST_SHA256 : CTL_DIGEST_SHA1;
	else if (strcmp(k, "callmanager_cert") == 0) {
		COPY(cf->ccm, v);
		cf->ccm_line = line;
	} else if (strcmp(k, "callmanager_key") == 0)
		COPY(cf->ccm_key, v);
	else if (strcmp(k, "tls_cert") == 0) {
		COPY(cf->tls, v);
		cf->tls_line = line;
	} else if (strcmp(k, "tls_key") == 0)
		COPY(cf->tls_key, v);
	else if (strcmp(k, "tvs_cert") == 0) {
		COPY(cf->tvs, v);
		cf->tvs_line = line;
	} else if (strcmp(k, "itlrecovery_cert") == 0) {
		COPY(cf->rec, v);
		cf->rec_line = line;
	} else if (strcmp(k, "itlrecovery_key") == 0)
		COPY(cf->rec_key, v);
	else if (strcmp(k, "capf_cert") == 0) {
		COPY(cf->capf, v);
		cf->capf_line = line;
	} else if (strcmp(k, "mode_file") == 0)
		COPY(cf->mode_file, v);
	else if (strcmp(k, "security_mode") == 0)
		cf->security_mode = strcmp(v, "1") == 0;
	else if (strcmp(k, "tvs_peer") == 0)
		return add_peer(n, v, conf, line, why, cap);
	return 0;
}

/* A key the planner signs with: a PEM file it can read; a token key (pkcs11:) it cannot use. */
static void
load_key(struct plan_cert *pc, const char *path)
{
	struct ctl_diag d;

	COPY(pc->key_path, path);
	if (path[0] == '\0' || strncmp(path, "pkcs11:", 7) == 0 ||
	    ctl_key_load(path, &pc->key, &d) != CTL_OK)
		pc->key = NULL;
}

/* The cluster's mode: the node's mode file when it exists, else security_mode. */
static int
read_mode(const struct conf *cf)
{
	FILE *f = cf->mode_file[0] ? fopen(cf->mode_file, "r") : NULL;
	int c;

	if (f == NULL)
		return cf->security_mode;
	c = fgetc(f);
	fclose(f);
	return c == '1';
}

CTL_MUST_USE static int
finish(struct plan_node *n, const struct conf *cf, const char *conf, char *why, size_t cap)
{
	const char *ccm = cf->ccm[0] ? cf->ccm : cf->tls;

	if (ccm[0] == '\0') {
		snprintf(why, cap, "%s: no callmanager_cert (nor tls_cert)", conf);
		return -1;
	}
	if (load_cert(ccm, &n->ccm.cert, conf, cf->ccm[0] ? cf->ccm_line : cf->tls_line, why, cap) != 0 ||
	    (cf->tvs[0] && load_cert(cf->tvs, &n->tvs.cert, conf, cf->tvs_line, why, cap) != 0) ||
	    (cf->rec[0] && load_cert(cf->rec, &n->rec.cert, conf, cf->rec_line, why, cap) != 0) ||
	    (cf->capf[0] && load_cert(cf->capf, &n->capf.cert, conf, cf->capf_line, why, cap) != 0))
		return -1;
	if (n->layout == CTL_ITL_12X && n->rec.cert == NULL && !n->no_itl) {
		snprintf(why, cap, "%s: the 12x ITL layout needs itlrecovery_cert", conf);
		return -1;
	}
	load_key(&n->ccm, cf->ccm[0] ? cf->ccm_key : cf->tls_key);
	load_key(&n->rec, cf->rec_key);
	n->mixed = read_mode(cf);
	return 0;
}

int
plan_cluster_add(struct plan_cluster *c, const char *conf, char *why, size_t cap)
{
	struct plan_node *n;
	struct conf cf;
	struct ctl_kv_reader r;
	char *key, *val;
	enum ctl_kv k;
	int rc = 0;

	if (c->n >= PLAN_MAX_NODES) {
		snprintf(why, cap, "%s: at most %d nodes per cluster", conf, PLAN_MAX_NODES);
		return -1;
	}
	if (ctl_kv_open(&r, conf) != 0) {
		snprintf(why, cap, "%s: %s", conf, strerror(errno));
		return -1;
	}
	n = &c->node[c->n];
	memset(n, 0, sizeof(*n));
	memset(&cf, 0, sizeof(cf));
	while (rc == 0 && (k = ctl_kv_next(&r, &key, &val)) != CTL_KV_END) {
		if (k == CTL_KV_PAIR) {
			rc = one_key(n, &cf, key, val, conf, r.line, why, cap);
			continue;
		}
		if (k == CTL_KV_TOO_LONG)
			snprintf(why, cap, "%s:%u: line longer than %d bytes", conf, r.line,
			         CTL_KV_LINE_MAX);
		else
			snprintf(why, cap, "%s:%u: expected KEY = VALUE", conf, r.line);
		rc = -1;
	}
	ctl_kv_close(&r);
	if (rc == 0)
		rc = finish(n, &cf, conf, why, cap);
	/* A node without a hostname is named by its position, as --change NODE may be. */
	if (rc == 0 && n->host[0] == '\0')
		snprintf(n->host, sizeof(n->host), "node%zu", c->n + 1);
	if (rc != 0) {
		struct plan_cluster one;

		memset(&one, 0, sizeof(one));
		one.node[0] = *n;
		one.n = 1;
		plan_cluster_free(&one);
		memset(n, 0, sizeof(*n));
		return -1;
	}
	c->n++;
	return 0;
}

static int
same_cert(X509 *a, X509 *b)
{
	return a != NULL && b != NULL && X509_cmp(a, b) == 0;
}

void
plan_cluster_link(struct plan_cluster *c)
{
	size_t i, k, m;

	for (i = 0; i < c->n; i++)
		for (k = 0; k < c->node[i].npeers; k++)
			for (m = 0; m < c->n; m++)
				if (same_cert(c->node[i].peer[k].cert, c->node[m].tvs.cert))
					c->node[i].peer[k].node = (int)m;
}

static void
cert_ref(struct plan_cert *pc)
{
	if (pc->cert != NULL)
		X509_up_ref(pc->cert);
	if (pc->key != NULL)
		EVP_PKEY_up_ref(pc->key);
}

static void
cert_unref(struct plan_cert *pc)
{
	X509_free(pc->cert);
	EVP_PKEY_free(pc->key);
	pc->cert = NULL;
	pc->key = NULL;
}

void
plan_cluster_copy(struct plan_cluster *dst, const struct plan_cluster *src)
{
	size_t i, k;

	*dst = *src;
	for (i = 0; i < dst->n; i++) {
		struct plan_node *n = &dst->node[i];

		cert_ref(&n->ccm);
		cert_ref(&n->tvs);
		cert_ref(&n->rec);
		cert_ref(&n->capf);
		for (k = 0; k < n->npeers; k++)
			X509_up_ref(n->peer[k].cert);
	}
	for (i = 0; i < dst->nextra; i++)
		X509_up_ref(dst->extra[i].cert);
}

void
plan_cluster_free(struct plan_cluster *c)
{
	size_t i, k;

	for (i = 0; i < c->n; i++) {
		struct plan_node *n = &c->node[i];

		cert_unref(&n->ccm);
		cert_unref(&n->tvs);
		cert_unref(&n->rec);
		cert_unref(&n->capf);
		for (k = 0; k < n->npeers; k++)
			X509_free(n->peer[k].cert);
		n->npeers = 0;
	}
	for (i = 0; i < c->nextra; i++)
		X509_free(c->extra[i].cert);
	c->n = c->nextra = 0;
}

int
plan_cluster_node(const struct plan_cluster *c, const char *spec)
{
	unsigned long long v;
	size_t i;

	if (ctl_parse_uint(spec, 1, c->n, &v) == CTL_OK)
		return (int)v - 1;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->node[i].host, spec) == 0)
			return (int)i;
	return -1;
}

int
plan_cert_regen(struct plan_cert *pc, char *why, size_t cap)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	ASN1_INTEGER *sn = NULL;
	BIGNUM *bn = BN_new();
	int ok;

	ok = key != NULL && x != NULL && bn != NULL && pc->cert != NULL &&
	     BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
	     (sn = BN_to_ASN1_INTEGER(bn, NULL)) != NULL && X509_set_version(x, 2) == 1 &&
	     X509_set_serialNumber(x, sn) == 1 &&
	     X509_set_subject_name(x, X509_get_subject_name(pc->cert)) == 1 &&
	     X509_set_issuer_name(x, X509_get_subject_name(pc->cert)) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(x), -86400) != NULL &&
	     X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) != NULL &&
	     X509_set_pubkey(x, key) == 1 && X509_sign(x, key, EVP_sha256()) > 0;
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		EVP_PKEY_free(key);
		snprintf(why, cap, "cannot make a new certificate in memory");
		return -1;
	}
	cert_unref(pc);
	pc->cert = x;
	pc->key = key;
	return 0;
}
