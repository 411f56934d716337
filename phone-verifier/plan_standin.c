/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in keys (plan.h). The planner signs what a node would serve with
 * the node's keys; where it has no key (a token key, or a cluster read over
 * the provider protocol, where no key crosses the wire) it re-keys that
 * certificate for the simulation: a new RSA key of the same size and
 * exponent whose modulus takes the place of the certificate's wherever the
 * simulation looks, in the cluster and in every list the phones hold. A
 * trust decision compares certificates by their bytes and checks
 * signatures with their keys; the renaming is one to one, so it changes no
 * decision (the certificate's own signature is kept: nothing checks it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "plan.h"

/* The RSA modulus of x (big-endian, no sign byte) and its bits; e must be 65537. */
CTL_MUST_USE static int
modulus(X509 *x, uint8_t **out, size_t *len, int *bits)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	BIGNUM *n = NULL, *e = NULL;
	int ok;

	*out = NULL;
	ok = k != NULL && EVP_PKEY_is_a(k, "RSA") && EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	     EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) == 1 && BN_is_word(e, RSA_F4) &&
	     (*len = (size_t)BN_num_bytes(n)) > 0 && (*out = malloc(*len)) != NULL &&
	     BN_bn2bin(n, *out) == (int)*len;
	if (ok)
		*bits = BN_num_bits(n);
	BN_free(n);
	BN_free(e);
	if (!ok) {
		free(*out);
		*out = NULL;
	}
	return ok ? 0 : -1;
}

/* Every occurrence of from (n bytes) in p (len bytes) replaced by to; how many. */
static size_t
replace_all(uint8_t *p, size_t len, const uint8_t *from, const uint8_t *to, size_t n)
{
	size_t done = 0;
	uint8_t *q = p, *hit;

	while (len - (size_t)(q - p) >= n && (hit = memmem(q, len - (size_t)(q - p), from, n)) != NULL) {
		memcpy(hit, to, n);
		q = hit + n;
		done++;
	}
	return done;
}

/* A stand-in for real: its DER with a new modulus of the same length, and the key. */
CTL_MUST_USE static int
make_one(X509 *real, struct plan_standin *s)
{
	uint8_t *der = NULL;
	const uint8_t *p;
	int bits, n, tries;

	memset(s, 0, sizeof(*s));
	if (modulus(real, &s->mod_real, &s->len, &bits) != 0)
		return -1;
	for (tries = 0; tries < 4 && s->mod_stand == NULL; tries++) {
		size_t len = 0;

		EVP_PKEY_free(s->key);
		if ((s->key = EVP_RSA_gen((unsigned)bits)) == NULL)
			return -1;
		X509 *probe = X509_new();
		/* The new modulus, read back the way modulus() reads a certificate's. */
		if (probe == NULL || X509_set_pubkey(probe, s->key) != 1 ||
		    modulus(probe, &s->mod_stand, &len, &bits) != 0 || len != s->len) {
			free(s->mod_stand);
			s->mod_stand = NULL;
		}
		X509_free(probe);
	}
	if (s->mod_stand == NULL || (n = i2d_X509(real, &der)) <= 0)
		return -1;
	if (replace_all(der, (size_t)n, s->mod_real, s->mod_stand, s->len) != 1) {
		OPENSSL_free(der);
		return -1;
	}
	p = der;
	s->stand = d2i_X509(NULL, &p, n);
	OPENSSL_free(der);
	if (s->stand == NULL || EVP_PKEY_eq(X509_get0_pubkey(s->stand), s->key) != 1)
		return -1;
	X509_up_ref(real);
	s->real = real;
	return 0;
}

static void
one_free(struct plan_standin *s)
{
	X509_free(s->real);
	X509_free(s->stand);
	EVP_PKEY_free(s->key);
	free(s->mod_real);
	free(s->mod_stand);
	memset(s, 0, sizeof(*s));
}

/* pc's certificate re-keyed (the same stand-in for the same certificate). */
CTL_MUST_USE static int
standin_cert(struct plan_standins *ss, struct plan_cert *pc, char *why, size_t cap)
{
	struct plan_standin *s = NULL;
	size_t i;

	if (pc->cert == NULL || pc->key != NULL)
		return 0;
	for (i = 0; i < ss->n && s == NULL; i++)
		if (X509_cmp(ss->e[i].real, pc->cert) == 0 || X509_cmp(ss->e[i].stand, pc->cert) == 0)
			s = &ss->e[i];
	if (s == NULL) {
		if (ss->n == PLAN_MAX_STANDINS || make_one(pc->cert, &ss->e[ss->n]) != 0) {
			if (ss->n < PLAN_MAX_STANDINS)
				one_free(&ss->e[ss->n]);
			snprintf(why, cap, "cannot simulate a signature of %s: the planner has no key for "
			         "it and cannot stand one in (an RSA key with exponent 65537 is needed)",
			         pc->key_path[0] ? pc->key_path : "a certificate");
			return -1;
		}
		s = &ss->e[ss->n++];
	}
	X509_free(pc->cert);
	X509_up_ref(s->stand);
	EVP_PKEY_up_ref(s->key);
	pc->cert = s->stand;
	pc->key = s->key;
	return 0;
}

int
plan_standins_make(struct plan_standins *ss, struct plan_cluster *c, char *why, size_t cap)
{
	size_t i;

	/* Only these sign: CallManager (ITL 8x, .sgn, CTL 10x, reset ITL) and ITLRecovery. */
	for (i = 0; i < c->n; i++)
		if (standin_cert(ss, &c->node[i].ccm, why, cap) != 0 ||
		    standin_cert(ss, &c->node[i].rec, why, cap) != 0)
			return -1;
	return 0;
}

int
plan_standins_list(const struct plan_standins *ss, struct pv_tl *in, struct pv_tl **out)
{
	struct ctl_diag d;
	const uint8_t *b;
	uint8_t *copy;
	size_t n = 0, i, hits = 0;
	enum ctl_err r;

	*out = NULL;
	if (in == NULL)
		return 0;
	if ((b = pv_tl_bytes(in, &n)) == NULL || (copy = malloc(n ? n : 1)) == NULL)
		return -1;
	memcpy(copy, b, n);
	for (i = 0; i < ss->n; i++)
		hits += replace_all(copy, n, ss->e[i].mod_real, ss->e[i].mod_stand, ss->e[i].len);
	r = hits == 0 ? CTL_OK : pv_tl_new(copy, n, out, &d);
	free(copy);
	if (hits == 0)
		*out = pv_tl_ref(in);
	return r == CTL_OK ? 0 : -1;
}

void
plan_standins_free(struct plan_standins *ss)
{
	while (ss->n > 0)
		one_free(&ss->e[--ss->n]);
}
