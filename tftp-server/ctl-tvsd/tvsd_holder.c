/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store in use. A reload builds a complete new store first and only
 * then swaps the pointer, so a request sees either the old store or the
 * new one, never a mix, and a broken certificate file leaves the old one
 * serving. Each connection counts the store it holds; the last holder of a
 * replaced store frees it. The store carries the TLS identity too (tvsd.c
 * attaches it), so a connection's handshake and answer come from one
 * generation, and a regenerated TVS certificate reaches new connections
 * only.
 */
#include "tvsd.h"

int
tvsd_holder_init(struct tvsd_holder *h, struct tvsd_store *s)
{
	if (pthread_mutex_init(&h->lock, NULL) != 0)
		return -1;
	h->cur = s;
	s->refs = 1; /* the holder's own reference */
	return 0;
}

void
tvsd_holder_cleanup(struct tvsd_holder *h)
{
	tvsd_store_free(h->cur);
	h->cur = NULL;
	pthread_mutex_destroy(&h->lock);
}

struct tvsd_store *
tvsd_holder_get(struct tvsd_holder *h)
{
	struct tvsd_store *s;

	pthread_mutex_lock(&h->lock);
	s = h->cur;
	s->refs++;
	pthread_mutex_unlock(&h->lock);
	return s;
}

void
tvsd_holder_put(struct tvsd_holder *h, struct tvsd_store *s)
{
	unsigned left;

	pthread_mutex_lock(&h->lock);
	left = --s->refs;
	pthread_mutex_unlock(&h->lock);
	if (left == 0)
		tvsd_store_free(s);
}

void
tvsd_holder_swap(struct tvsd_holder *h, struct tvsd_store *s)
{
	struct tvsd_store *old;

	s->refs = 1;
	pthread_mutex_lock(&h->lock);
	old = h->cur;
	h->cur = s;
	pthread_mutex_unlock(&h->lock);
	tvsd_holder_put(h, old);
}

int
tvsd_holder_reload(struct tvsd_holder *h, const struct tvsd_config *c, char *err, size_t errlen)
{
	struct tvsd_store *s;

	if (tvsd_store_load(c, &s, err, errlen) != 0)
		return -1;
	tvsd_holder_swap(h, s);
	return 0;
}
