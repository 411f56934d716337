/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parked HTTP connections (http_pool.h): a hash of chains on the owner's
 * address for the GET path, and a list oldest-first for eviction, both
 * O(1) per operation whatever the fleet's size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_pool.h"

/* Buckets: parked connections are at most a fleet's concurrency, usually. */
#define POOL_BUCKETS 1024u

struct pv_http_pool {
	size_t max, count;
	struct pv_http_conn *oldest, *newest;
	struct pv_http_conn *bucket[POOL_BUCKETS];
};

static size_t
bucket_of(const void *owner)
{
	uintptr_t v = (uintptr_t)owner;

	/* Phones are allocated apart: the low bits are the same, mix the rest in. */
	v ^= v >> 17;
	v *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(v >> 7) % POOL_BUCKETS;
}

struct pv_http_pool *
pv_http_pool_new(size_t max)
{
	struct pv_http_pool *p = calloc(1, sizeof(*p));

	if (p != NULL)
		p->max = max > 0 ? max : 1;
	return p;
}

void
pv_http_pool_free(struct pv_http_pool *p)
{
	free(p);
}

size_t
pv_http_pool_count(const struct pv_http_pool *p)
{
	return p->count;
}

struct pv_http_conn *
pv_http_pool_oldest(const struct pv_http_pool *p)
{
	return p->oldest;
}

void
pv_http_pool_remove(struct pv_http_pool *p, struct pv_http_conn *c)
{
	struct pv_http_conn **pp = &p->bucket[bucket_of(c->owner)];

	while (*pp != NULL && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp == NULL)
		return; /* not parked here */
	*pp = c->hnext;
	if (c->older != NULL)
		c->older->newer = c->newer;
	else
		p->oldest = c->newer;
	if (c->newer != NULL)
		c->newer->older = c->older;
	else
		p->newest = c->older;
	c->hnext = c->older = c->newer = NULL;
	p->count--;
}

struct pv_http_conn *
pv_http_pool_put(struct pv_http_pool *p, struct pv_http_conn *c)
{
	struct pv_http_conn *evicted = NULL;
	size_t b = bucket_of(c->owner);

	if (p->count >= p->max && (evicted = p->oldest) != NULL)
		pv_http_pool_remove(p, evicted);
	c->hnext = p->bucket[b];
	p->bucket[b] = c;
	c->older = p->newest;
	c->newer = NULL;
	if (p->newest != NULL)
		p->newest->newer = c;
	else
		p->oldest = c;
	p->newest = c;
	p->count++;
	return evicted;
}

static int
same_local(const union tftp_sa *a, const union tftp_sa *want)
{
	if (want == NULL)
		return a->sa.sa_family == 0;
	if (a->sa.sa_family != want->sa.sa_family)
		return 0;
	if (a->sa.sa_family == AF_INET6)
		return memcmp(&a->in6.sin6_addr, &want->in6.sin6_addr, sizeof(want->in6.sin6_addr)) == 0;
	return a->in4.sin_addr.s_addr == want->in4.sin_addr.s_addr;
}

struct pv_http_conn *
pv_http_pool_take(struct pv_http_pool *p, const void *owner, const union tftp_sa *local)
{
	struct pv_http_conn *c;

	for (c = p->bucket[bucket_of(owner)]; c != NULL; c = c->hnext)
		if (c->owner == owner && same_local(&c->local, local)) {
			pv_http_pool_remove(p, c);
			return c;
		}
	return NULL;
}

struct pv_http_conn *
pv_http_pool_take_owner(struct pv_http_pool *p, const void *owner)
{
	struct pv_http_conn *c;

	for (c = p->bucket[bucket_of(owner)]; c != NULL; c = c->hnext)
		if (c->owner == owner) {
			pv_http_pool_remove(p, c);
			return c;
		}
	return NULL;
}
