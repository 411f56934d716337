/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request table (see tftp_reqtab.h). Two hash indexes over the same
 * entries -- by client address:port, and by client address and name --
 * and three lists threaded through them: the admission queue (arrival
 * order), the running transfers with no ACK yet (start order) and the done
 * entries (completion order, so expiry only looks at the head). Sources
 * (client addresses) carry the per-source queue count and token bucket.
 * The hashes are seeded at random: their inputs come from the network.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tftp_reqtab.h"

#define TAB_MIN 1024

struct tftp_src {
	union tftp_sa host;       /* port 0 */
	struct tftp_src *hnext;
	struct tftp_src *prev, *next;
	size_t queued;
	uint64_t tokens;          /* thousandths of a request */
	uint64_t last;            /* ms of the last refill */
};

struct list {
	struct tftp_req *head, *tail;
	size_t n;
};

struct tftp_reqtab {
	struct tftp_reqtab_cfg cfg;
	unsigned seed;
	struct tftp_req **peer_tab, **name_tab;
	size_t tab_size, nent;
	struct tftp_src **src_tab;
	size_t src_size, nsrc;
	struct tftp_src *srcs;    /* all sources, for expiry */
	struct list queue, unacked, done;
};

/* ---- lists -------------------------------------------------------------- */

static void
list_push(struct list *l, struct tftp_req *r)
{
	r->next = NULL;
	r->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = r;
	else
		l->head = r;
	l->tail = r;
	l->n++;
}

static void
list_unlink(struct list *l, struct tftp_req *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		l->tail = r->prev;
	r->prev = r->next = NULL;
	l->n--;
}

/* The list an entry is on, or NULL (running and acknowledged). */
static struct list *
list_of(struct tftp_reqtab *t, const struct tftp_req *r)
{
	switch (r->state) {
	case TFTP_REQ_QUEUED:
		return &t->queue;
	case TFTP_REQ_RUNNING:
		return r->acked ? NULL : &t->unacked;
	case TFTP_REQ_DONE:
		return &t->done;
	}
	return NULL;
}

/* ---- hashing ------------------------------------------------------------ */

uint32_t
tftp_reqtab_name_hash(const char *name, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

static size_t
mix(const struct tftp_reqtab *t, unsigned h, size_t size)
{
	h ^= t->seed;
	h *= 0x9e3779b1u;
	return (h ^ (h >> 16)) & (size - 1);
}

static size_t
peer_slot(const struct tftp_reqtab *t, const union tftp_sa *peer)
{
	return mix(t, tftp_addr_hash(peer), t->tab_size);
}

static size_t
name_slot(const struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash)
{
	return mix(t, tftp_addr_host_hash(peer) ^ name_hash, t->tab_size);
}

static void
index_add(struct tftp_reqtab *t, struct tftp_req *r)
{
	size_t p = peer_slot(t, &r->peer), n = name_slot(t, &r->peer, r->name_hash);

	r->by_peer = t->peer_tab[p];
	t->peer_tab[p] = r;
	r->by_name = t->name_tab[n];
	t->name_tab[n] = r;
}

static void
index_del(struct tftp_reqtab *t, struct tftp_req *r)
{
	struct tftp_req **pp = &t->peer_tab[peer_slot(t, &r->peer)];

	while (*pp != r)
		pp = &(*pp)->by_peer;
	*pp = r->by_peer;
	pp = &t->name_tab[name_slot(t, &r->peer, r->name_hash)];
	while (*pp != r)
		pp = &(*pp)->by_name;
	*pp = r->by_name;
}

/* Doubles both indexes when entries outnumber buckets; a failed grow only costs speed. */
static void
index_grow(struct tftp_reqtab *t)
{
	size_t old = t->tab_size;
	struct tftp_req **op = t->peer_tab, **on = t->name_tab;
	struct tftp_req **np = calloc(old * 2, sizeof(*np)), **nn = calloc(old * 2, sizeof(*nn));

	if (np == NULL || nn == NULL) {
		free(np);
		free(nn);
		return;
	}
	t->peer_tab = np;
	t->name_tab = nn;
	t->tab_size = old * 2;
	for (size_t i = 0; i < old; i++) {
		for (struct tftp_req *r = op[i], *next; r != NULL; r = next) {
			next = r->by_peer;
			index_add(t, r);
		}
	}
	free(op);
	free(on);
}

/* ---- sources ------------------------------------------------------------ */

static struct tftp_src *
src_get(struct tftp_reqtab *t, const union tftp_sa *peer, uint64_t now)
{
	size_t i = mix(t, tftp_addr_host_hash(peer), t->src_size);
	struct tftp_src *s;

	for (s = t->src_tab[i]; s != NULL; s = s->hnext)
		if (tftp_addr_host_eq(&s->host, peer))
			return s;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->host = *peer;
	if (s->host.sa.sa_family == AF_INET6)
		s->host.in6.sin6_port = 0;
	else
		s->host.in4.sin_port = 0;
	s->tokens = (uint64_t)t->cfg.rate * 1000u;
	s->last = now;
	s->hnext = t->src_tab[i];
	t->src_tab[i] = s;
	s->next = t->srcs;
	if (t->srcs != NULL)
		t->srcs->prev = s;
	t->srcs = s;
	t->nsrc++;
	return s;
}

static void
src_refill(const struct tftp_reqtab *t, struct tftp_src *s, uint64_t now)
{
	uint64_t full = (uint64_t)t->cfg.rate * 1000u;

	if (now > s->last) {
		uint64_t add = (now - s->last) * t->cfg.rate;

		s->tokens = full - s->tokens < add ? full : s->tokens + add;
		s->last = now;
	}
}

static void
src_free(struct tftp_reqtab *t, struct tftp_src *s)
{
	struct tftp_src **pp = &t->src_tab[mix(t, tftp_addr_host_hash(&s->host), t->src_size)];

	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		t->srcs = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	t->nsrc--;
	free(s);
}

int
tftp_reqtab_rate_take(struct tftp_reqtab *t, const union tftp_sa *peer, uint64_t now)
{
	struct tftp_src *s;

	if (t->cfg.rate == 0)
		return 1;
	if ((s = src_get(t, peer, now)) == NULL)
		return 0;
	src_refill(t, s, now);
	if (s->tokens < 1000u)
		return 0;
	s->tokens -= 1000u;
	return 1;
}

/* ---- table -------------------------------------------------------------- */

struct tftp_reqtab *
tftp_reqtab_new(const struct tftp_reqtab_cfg *cfg)
{
	struct tftp_reqtab *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->cfg = *cfg;
	t->tab_size = t->src_size = TAB_MIN;
	t->peer_tab = calloc(TAB_MIN, sizeof(*t->peer_tab));
	t->name_tab = calloc(TAB_MIN, sizeof(*t->name_tab));
	t->src_tab = calloc(TAB_MIN, sizeof(*t->src_tab));
	if (t->peer_tab == NULL || t->name_tab == NULL || t->src_tab == NULL) {
		tftp_reqtab_free(t);
		return NULL;
	}
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != (ssize_t)sizeof(t->seed))
		t->seed = (unsigned)(uintptr_t)t;
	return t;
}

void
tftp_reqtab_free(struct tftp_reqtab *t)
{
	if (t == NULL)
		return;
	if (t->peer_tab != NULL)
		for (size_t i = 0; i < t->tab_size; i++)
			for (struct tftp_req *r = t->peer_tab[i], *next; r != NULL; r = next) {
				next = r->by_peer;
				free(r->pkt);
				free(r);
			}
	while (t->srcs != NULL)
		src_free(t, t->srcs);
	free(t->peer_tab);
	free(t->name_tab);
	free(t->src_tab);
	free(t);
}

struct tftp_req *
tftp_reqtab_find(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash)
{
	for (struct tftp_req *r = t->peer_tab[peer_slot(t, peer)]; r != NULL; r = r->by_peer)
		if (r->name_hash == name_hash && tftp_addr_eq(&r->peer, peer))
			return r;
	return NULL;
}

struct tftp_req *
tftp_reqtab_find_port(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash)
{
	for (struct tftp_req *r = t->peer_tab[peer_slot(t, peer)]; r != NULL; r = r->by_peer)
		if (r->name_hash != name_hash && r->state != TFTP_REQ_DONE && tftp_addr_eq(&r->peer, peer))
			return r;
	return NULL;
}

struct tftp_req *
tftp_reqtab_find_name(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash)
{
	struct tftp_req *r = t->name_tab[name_slot(t, peer, name_hash)];

	for (; r != NULL; r = r->by_name)
		if (r->name_hash == name_hash && r->state != TFTP_REQ_DONE &&
		    tftp_addr_host_eq(&r->peer, peer) && !tftp_addr_eq(&r->peer, peer))
			return r;
	return NULL;
}

static struct tftp_req *
entry_new(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash, uint64_t now)
{
	struct tftp_req *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->peer = *peer;
	r->name_hash = name_hash;
	r->seen = r->since = now;
	index_add(t, r);
	if (++t->nent > t->tab_size)
		index_grow(t);
	return r;
}

enum tftp_enq
tftp_reqtab_enqueue(struct tftp_reqtab *t, const union tftp_sa *peer, const union tftp_sa *local,
                    uint32_t name_hash, const uint8_t *pkt, size_t len, uint64_t now,
                    struct tftp_req **out)
{
	struct tftp_src *s;
	struct tftp_req *r;
	uint8_t *copy;

	*out = NULL;
	if (t->queue.n >= t->cfg.queue_max)
		return TFTP_ENQ_FULL;
	if ((s = src_get(t, peer, now)) == NULL)
		return TFTP_ENQ_NOMEM;
	if (s->queued >= t->cfg.source_max)
		return TFTP_ENQ_SOURCE;
	if ((copy = malloc(len > 0 ? len : 1)) == NULL ||
	    (r = entry_new(t, peer, name_hash, now)) == NULL) {
		free(copy);
		return TFTP_ENQ_NOMEM;
	}
	memcpy(copy, pkt, len);
	r->pkt = copy;
	r->len = len;
	r->local = *local;
	r->state = TFTP_REQ_QUEUED;
	r->src = s;
	s->queued++;
	list_push(&t->queue, r);
	*out = r;
	return TFTP_ENQ_OK;
}

void
tftp_reqtab_touch(struct tftp_req *r, uint64_t now)
{
	r->seen = now;
}

size_t tftp_reqtab_queued(const struct tftp_reqtab *t) { return t->queue.n; }
size_t tftp_reqtab_unacked(const struct tftp_reqtab *t) { return t->unacked.n; }
struct tftp_req *tftp_reqtab_oldest_unacked(const struct tftp_reqtab *t) { return t->unacked.head; }

struct tftp_req *
tftp_reqtab_head(struct tftp_reqtab *t, uint64_t now, uint64_t *stale)
{
	struct tftp_req *r;

	/*
	 * A phone that has given up stops retransmitting: serving its old
	 * request would only start an orphan transfer to a closed port.
	 */
	while ((r = t->queue.head) != NULL && now - r->seen > t->cfg.max_age_ms) {
		(*stale)++;
		tftp_reqtab_remove(t, r);
	}
	return r;
}

/* Leaves the queue: the source's count drops, the raw request is freed. */
static void
unqueue(struct tftp_reqtab *t, struct tftp_req *r)
{
	list_unlink(&t->queue, r);
	r->src->queued--;
	r->src = NULL;
	free(r->pkt);
	r->pkt = NULL;
	r->len = 0;
}

void
tftp_reqtab_run(struct tftp_reqtab *t, struct tftp_req *r, void *sess, uint64_t now)
{
	struct list *l = list_of(t, r);

	if (r->state == TFTP_REQ_QUEUED)
		unqueue(t, r);
	else if (l != NULL)
		list_unlink(l, r);
	r->state = TFTP_REQ_RUNNING;
	r->sess = sess;
	r->since = now;
	r->acked = 0;
	list_push(&t->unacked, r);
}

struct tftp_req *
tftp_reqtab_add(struct tftp_reqtab *t, const union tftp_sa *peer, uint32_t name_hash, uint64_t now)
{
	struct tftp_req *r = entry_new(t, peer, name_hash, now);

	if (r == NULL)
		return NULL;
	/* Reserved: indexed (so it is found as a duplicate) but on no list until it runs. */
	r->state = TFTP_REQ_RUNNING;
	r->acked = 1;
	return r;
}

void
tftp_reqtab_acked(struct tftp_reqtab *t, struct tftp_req *r)
{
	if (r->state != TFTP_REQ_RUNNING || r->acked)
		return;
	list_unlink(&t->unacked, r);
	r->acked = 1;
}

void
tftp_reqtab_remove(struct tftp_reqtab *t, struct tftp_req *r)
{
	struct list *l = list_of(t, r);

	if (r->state == TFTP_REQ_QUEUED)
		unqueue(t, r);
	else if (l != NULL)
		list_unlink(l, r);
	index_del(t, r);
	t->nent--;
	free(r->pkt);
	free(r);
}

void
tftp_reqtab_ended(struct tftp_reqtab *t, struct tftp_req *r, int completed, uint64_t now)
{
	struct list *l = list_of(t, r);

	if (!completed || t->cfg.linger_ms == 0) {
		tftp_reqtab_remove(t, r);
		return;
	}
	if (l != NULL)
		list_unlink(l, r);
	r->state = TFTP_REQ_DONE;
	r->sess = NULL;
	r->since = now;
	list_push(&t->done, r);
}

struct tftp_req *
tftp_reqtab_any_running(const struct tftp_reqtab *t)
{
	for (size_t i = 0; i < t->tab_size; i++)
		for (struct tftp_req *r = t->peer_tab[i]; r != NULL; r = r->by_peer)
			if (r->state == TFTP_REQ_RUNNING)
				return r;
	return NULL;
}

void
tftp_reqtab_expire(struct tftp_reqtab *t, uint64_t now)
{
	struct tftp_req *r;
	struct tftp_src *s, *next;

	while ((r = t->done.head) != NULL && now - r->since >= t->cfg.linger_ms)
		tftp_reqtab_remove(t, r);
	for (s = t->srcs; s != NULL; s = next) {
		next = s->next;
		if (s->queued > 0)
			continue;
		src_refill(t, s, now);
		if (s->tokens >= (uint64_t)t->cfg.rate * 1000u)
			src_free(t, s);
	}
}
