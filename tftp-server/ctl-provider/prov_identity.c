/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's identity for Security By Default (doc/sbd.md): its
 * CallManager certificate and key (by default the TLS pair), its TVS and
 * CAPF certificates, the cluster's ITLRecovery certificate and key, a
 * remote ITLRecovery pair for `itl-reset remotekey`, and the other nodes'
 * TVS certificates. Keys are PEM files or token keys (prov_key.c).
 * Everything is loaded at once, so a SIGHUP either replaces the whole
 * identity or keeps the old one: a half-read set of certificates never
 * signs anything. Keys stay in this process (or on their token); no
 * request ever returns one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "provider.h"

void
prov_identity_free(struct prov_identity *id)
{
	size_t i;

	if (id == NULL)
		return;
	X509_free(id->callmanager);
	X509_free(id->tvs);
	X509_free(id->capf);
	X509_free(id->recovery);
	X509_free(id->remote);
	prov_key_free(id->cm_key);
	prov_key_free(id->rec_key);
	prov_key_free(id->remote_key);
	for (i = 0; i < id->npeers; i++)
		X509_free(id->peers[i]);
	free(id);
}

/* A certificate named by key; an empty path leaves *out NULL. */
static CTL_MUST_USE int
load_cert(const char *key, const char *path, X509 **out, char *err, size_t errlen)
{
	struct ctl_diag d;

	*out = NULL;
	if (path[0] == '\0')
		return 0;
	if (ctl_cert_load(path, out, &d) != CTL_OK) {
		snprintf(err, errlen, "%s %s: %s", key, path, d.msg);
		return -1;
	}
	return 0;
}

/* A key (PEM file or pkcs11: URI, prov_key.c) with its certificate; an empty path: none. */
static CTL_MUST_USE int
load_signer(const char *key, const char *key_path, const char *cert_path, struct prov_key **k,
            const struct ctl_signer **out, char *err, size_t errlen)
{
	*k = NULL;
	*out = NULL;
	if (key_path[0] == '\0')
		return 0;
	if (prov_key_load(key, key_path, cert_path, k, err, errlen) != 0)
		return -1;
	*out = prov_key_signer(*k);
	return 0;
}

int
prov_identity_load(const struct prov_config *cfg, struct prov_identity **out, char *err,
                   size_t errlen)
{
	const char *cm_cert = cfg->callmanager_cert[0] != '\0' ? cfg->callmanager_cert : cfg->tls_cert;
	const char *cm_key = cfg->callmanager_key[0] != '\0' ? cfg->callmanager_key : cfg->tls_key;
	struct prov_identity *id = calloc(1, sizeof(*id));
	size_t i;

	*out = NULL;
	if (id == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (load_cert("callmanager_cert", cm_cert, &id->callmanager, err, errlen) != 0 ||
	    load_signer("callmanager_key", cm_key, cm_cert, &id->cm_key, &id->cm_signer, err,
	                errlen) != 0 ||
	    load_cert("tvs_cert", cfg->tvs_cert, &id->tvs, err, errlen) != 0 ||
	    load_cert("capf_cert", cfg->capf_cert, &id->capf, err, errlen) != 0 ||
	    load_cert("itlrecovery_cert", cfg->itlrecovery_cert, &id->recovery, err, errlen) != 0 ||
	    load_signer("itlrecovery_key", cfg->itlrecovery_key, cfg->itlrecovery_cert,
	                &id->rec_key, &id->rec_signer, err, errlen) != 0 ||
	    load_cert("itlrecovery_remote_cert", cfg->itlrecovery_remote_cert, &id->remote, err,
	              errlen) != 0 ||
	    load_signer("itlrecovery_remote_key", cfg->itlrecovery_remote_key,
	                cfg->itlrecovery_remote_cert, &id->remote_key, &id->remote_signer, err,
	                errlen) != 0)
		goto fail;
	for (i = 0; i < cfg->npeers; i++) {
		if (load_cert("tvs_peer", cfg->peers[i].path, &id->peers[i], err, errlen) != 0)
			goto fail;
		id->npeers++;
	}
	*out = id;
	return 0;
fail:
	prov_identity_free(id);
	return -1;
}

int
prov_sbd_init(struct prov_sbd *s, const struct prov_config *cfg, struct prov_store *store,
              char *err, size_t errlen)
{
	int n;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->store = store;
	n = snprintf(s->itl_path, sizeof(s->itl_path), "%s/%s", cfg->tftp_root, PROV_ITL_NAME);
	if (n < 0 || (size_t)n >= sizeof(s->itl_path)) {
		snprintf(err, errlen, "tftp_root too long");
		return -1;
	}
	if (prov_identity_load(cfg, &s->id, err, errlen) != 0)
		return -1;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		prov_identity_free(s->id);
		s->id = NULL;
		snprintf(err, errlen, "cannot initialise a mutex");
		return -1;
	}
	store->own_signer = prov_sbd_own_signer;
	store->own_arg = s;
	s->ready = 1;
	return 0;
}

void
prov_sbd_cleanup(struct prov_sbd *s)
{
	if (!s->ready)
		return;
	prov_sgnwatch_stop(s);
	prov_identity_free(s->id);
	s->id = NULL;
	pthread_mutex_destroy(&s->lock);
	s->ready = 0;
}

int
prov_sbd_reload(struct prov_sbd *s, char *err, size_t errlen)
{
	struct prov_identity *id = NULL, *old;

	if (!s->ready)
		return 0;
	if (prov_identity_load(s->cfg, &id, err, errlen) != 0)
		return -1;
	pthread_mutex_lock(&s->lock);
	old = s->id;
	s->id = id;
	pthread_mutex_unlock(&s->lock);
	prov_identity_free(old);
	return 0;
}

/* 1 when x's DER is exactly der[0..n). */
static int
same_der(X509 *x, const uint8_t *der, size_t n)
{
	unsigned char *mine = NULL;
	int len, same;

	if (x == NULL || (len = i2d_X509(x, &mine)) <= 0)
		return 0;
	same = (size_t)len == n && memcmp(mine, der, n) == 0;
	OPENSSL_free(mine);
	return same;
}

int
prov_sbd_own_signer(void *arg, const uint8_t *der, size_t n)
{
	struct prov_sbd *s = arg;
	int own;

	if (s == NULL || !s->ready)
		return 0;
	pthread_mutex_lock(&s->lock);
	own = s->id != NULL && (same_der(s->id->callmanager, der, n) ||
	                        same_der(s->id->recovery, der, n));
	pthread_mutex_unlock(&s->lock);
	return own;
}
