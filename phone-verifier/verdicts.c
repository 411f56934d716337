/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fleet's shared verdicts (verdicts.h): a chained hash table keyed by
 * (kind, the file's bytes, held CTL and ITL, TVS on or off). The held
 * lists are named by their own SHA-256 (pv_tl sums), so two phones that
 * loaded the same files from two state directories share entries.
 *
 * A hit is decided by comparing the whole file with the entry's copy, so
 * the bucket hash needs no cryptographic strength, only speed and a
 * spread a server cannot aim: a 64-bit multiply-mix over the file's words,
 * seeded at random per table. (A SHA-256 of every file fetched cost a
 * fleet more than all its other bookkeeping together.)
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "verdicts.h"

#define BUCKETS 1024u

struct entry {
	struct entry *next;
	enum ctl_kind kind;          /* CTL, ITL, or SGN for a configuration file */
	int with_tvs;
	uint64_t hash;
	char held_ctl[65], held_itl[65]; /* SHA-256 hex of the held lists, "" when none */
	uint8_t *bytes;              /* the file, compared on a hit */
	size_t n;
	struct pv_decision d;
	enum pv_verdict v;
	enum ctl_err ret;            /* configuration files: pv_config_check's result */
	size_t off, len;             /* ... and the payload */
	struct pv_tl *tl;            /* TOFU/INSTALL: the parsed list (one reference) */
};

struct pv_verdicts {
	struct entry *bucket[BUCKETS];
	size_t count;
	uint64_t hits, misses;
	uint64_t seed;               /* the bucket hash's, random per table */
};

enum ctl_err
pv_verdicts_new(struct pv_verdicts **out)
{
	struct pv_verdicts *vc = calloc(1, sizeof(*vc));

	*out = NULL;
	if (vc == NULL)
		return CTL_E_NOMEM;
	if (RAND_bytes((unsigned char *)&vc->seed, sizeof(vc->seed)) != 1) {
		pv_verdicts_free(vc);
		return CTL_E_CRYPTO;
	}
	*out = vc;
	return CTL_OK;
}

static void
entry_free(struct entry *e)
{
	pv_tl_unref(e->tl);
	free(e->bytes);
	free(e);
}

/* Empties the table (when full: entries made for long-gone phones go with it). */
static void
flush(struct pv_verdicts *vc)
{
	size_t i;

	for (i = 0; i < BUCKETS; i++)
		while (vc->bucket[i] != NULL) {
			struct entry *e = vc->bucket[i];

			vc->bucket[i] = e->next;
			entry_free(e);
		}
	vc->count = 0;
}

void
pv_verdicts_free(struct pv_verdicts *vc)
{
	if (vc == NULL)
		return;
	flush(vc);
	free(vc);
}

void
pv_verdicts_counts(const struct pv_verdicts *vc, uint64_t *hits, uint64_t *misses)
{
	*hits = vc != NULL ? vc->hits : 0;
	*misses = vc != NULL ? vc->misses : 0;
}

/* The lookup key of one judgement. */
struct key {
	enum ctl_kind kind;
	int with_tvs;
	uint64_t hash;
	const char *held_ctl, *held_itl;
	const uint8_t *p;
	size_t n;
};

/* One step of the bucket hash: w mixed into h (multiply, then fold the high half down). */
static uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 32);
}

/* The bucket hash of p[0..n): eight bytes a step, the tail and the length last. */
static uint64_t
file_hash(uint64_t seed, const uint8_t *p, size_t n)
{
	uint64_t h = seed, w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = mix(h, w);
	}
	w = 0;
	if (n > i)
		memcpy(&w, p + i, n - i);
	return mix(mix(h, w), (uint64_t)n);
}

static void
key_make(const struct pv_verdicts *vc, const struct pv_trust *held, enum ctl_kind kind,
         int with_tvs, const uint8_t *p, size_t n, struct key *k)
{
	k->kind = kind;
	k->with_tvs = with_tvs;
	k->held_ctl = held->ctl != NULL ? held->ctl->sums.sha256 : "";
	k->held_itl = held->itl != NULL ? held->itl->sums.sha256 : "";
	k->p = p;
	k->n = n;
	k->hash = file_hash(vc->seed, p, n);
}

static size_t
bucket_of(const struct key *k)
{
	return (size_t)(k->hash % BUCKETS);
}

static struct entry *
lookup(struct pv_verdicts *vc, const struct key *k)
{
	struct entry *e;

	for (e = vc->bucket[bucket_of(k)]; e != NULL; e = e->next)
		if (e->hash == k->hash && e->kind == k->kind && e->with_tvs == k->with_tvs &&
		    e->n == k->n &&
		    strcmp(e->held_ctl, k->held_ctl) == 0 && strcmp(e->held_itl, k->held_itl) == 0 &&
		    memcmp(e->bytes, k->p, k->n) == 0)
			return e;
	return NULL;
}

/* A new entry for k, linked in; NULL when memory runs out (the caller just does not cache). */
static struct entry *
insert(struct pv_verdicts *vc, const struct key *k)
{
	struct entry *e;
	size_t b = bucket_of(k);

	if (vc->count >= PV_VERDICTS_MAX)
		flush(vc);
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->bytes = malloc(k->n ? k->n : 1)) == NULL) {
		free(e);
		return NULL;
	}
	memcpy(e->bytes, k->p, k->n);
	e->n = k->n;
	e->kind = k->kind;
	e->with_tvs = k->with_tvs;
	e->hash = k->hash;
	memcpy(e->held_ctl, k->held_ctl, strlen(k->held_ctl) + 1);
	memcpy(e->held_itl, k->held_itl, strlen(k->held_itl) + 1);
	e->next = vc->bucket[b];
	vc->bucket[b] = e;
	vc->count++;
	return e;
}

/* Whether held already holds exactly these bytes as its list of kind (the rules' own fast path). */
static int
held_same(const struct pv_trust *held, enum ctl_kind kind, const uint8_t *p, size_t n)
{
	const struct pv_tl *old = pv_trust_get(held, kind);
	const uint8_t *ob;
	size_t on = 0;

	return old != NULL && (ob = pv_tl_bytes(old, &on)) != NULL && on == n &&
	       memcmp(ob, p, n) == 0;
}

enum pv_verdict
pv_verdicts_decide(struct pv_verdicts *vc, const struct pv_trust *held, enum ctl_kind kind,
                   const uint8_t *p, size_t n, struct ctl_verifier *v,
                   const struct pv_tvs_ops *tvs, struct pv_decision *d, struct pv_tl **tl)
{
	struct pv_tl *got = NULL;
	struct entry *e;
	struct key k;

	/* Unchanged lists cost a comparison already; without a table, no key to make. */
	if (vc == NULL || held_same(held, kind, p, n))
		return pv_trust_decide(held, kind, p, n, v, tvs, d, tl);
	key_make(vc, held, kind, tvs != NULL, p, n, &k);
	if ((e = lookup(vc, &k)) != NULL) {
		vc->hits++;
		*d = e->d;
		if (tl != NULL)
			*tl = pv_tl_ref(e->tl);
		return e->v;
	}
	vc->misses++;
	pv_trust_decide(held, kind, p, n, v, tvs, d, &got);
	if (!d->tvs.asked && (e = insert(vc, &k)) != NULL) {
		e->d = *d;
		e->v = d->v;
		e->tl = pv_tl_ref(got);
	}
	if (tl != NULL)
		*tl = got;
	else
		pv_tl_unref(got);
	return d->v;
}

enum ctl_err
pv_verdicts_config(struct pv_verdicts *vc, const struct pv_trust *held, struct ctl_verifier *v,
                   const struct pv_tvs_ops *tvs, const uint8_t *p, size_t n,
                   struct pv_decision *d, size_t *payload_off, size_t *payload_len)
{
	size_t off = 0, len = 0;
	struct entry *e;
	enum ctl_err r;
	struct key k;

	if (vc == NULL)
		return pv_config_check_v(held, v, tvs, p, n, d, payload_off, payload_len);
	key_make(vc, held, CTL_KIND_SGN, tvs != NULL, p, n, &k);
	if ((e = lookup(vc, &k)) != NULL) {
		vc->hits++;
		*d = e->d;
		off = e->off;
		len = e->len;
		r = e->ret;
	} else {
		vc->misses++;
		r = pv_config_check_v(held, v, tvs, p, n, d, &off, &len);
		if (!d->tvs.asked && (e = insert(vc, &k)) != NULL) {
			e->d = *d;
			e->v = d->v;
			e->ret = r;
			e->off = off;
			e->len = len;
		}
	}
	/* pv_config_check sets the payload only on success; so does a reused answer. */
	if (r == CTL_OK && payload_off != NULL)
		*payload_off = off;
	if (r == CTL_OK && payload_len != NULL)
		*payload_len = len;
	return r;
}
