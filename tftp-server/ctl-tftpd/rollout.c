/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout table (rollout.h): devices in a chained hash with an
 * intrusive least-recently-seen list (eviction when full, forgetting after
 * --rollout-forget), CTL and ITL versions interned in a second hash and
 * refcounted by the device slots that point at them (configuration md5s
 * stay in the device's record: each phone's file is its own). Times are kept as 32-bit seconds
 * and addresses inline so 100,000 devices stay far under 32 MB.
 */
#include <malloc.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "ctl/ctl.h"
#include "rollout.h"
#include "rollout_int.h"

static uint32_t
secs(int64_t t)
{
	return t < 0 ? 0 : t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static size_t
acct(const void *p)
{
	/* What the allocator really holds: usable size plus its chunk header. */
	return p != NULL ? malloc_usable_size((void *)p) + sizeof(size_t) : 0;
}

static uint32_t
hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static uint32_t
hash_md5(const uint8_t md5[16], unsigned kind)
{
	uint32_t h;

	memcpy(&h, md5, 4);
	return h ^ (kind * 0x9e3779b9u);
}

struct rollout *
rollout_new(size_t max_devices, unsigned forget_seconds)
{
	struct rollout *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->max_devices = max_devices ? max_devices : 1;
	r->forget = forget_seconds;
	r->dmask = r->vmask = 1023;
	r->dev_b = calloc(r->dmask + 1, sizeof(*r->dev_b));
	r->ver_b = calloc(r->vmask + 1, sizeof(*r->ver_b));
	if (r->dev_b == NULL || r->ver_b == NULL) {
		rollout_free(r);
		return NULL;
	}
	return r;
}

static void
ver_put(struct rollout *r, struct rver *v)
{
	struct rver **pp;

	if (v == NULL || --v->refs > 0)
		return;
	for (pp = &r->ver_b[hash_md5(v->md5, v->kind) & r->vmask]; *pp != v; pp = &(*pp)->hnext)
		;
	*pp = v->hnext;
	r->bytes -= acct(v) + acct(v->signer);
	r->nver--;
	free(v->signer);
	free(v);
}

static void
dev_unlink(struct rollout *r, struct rdev *d)
{
	struct rdev **pp;

	for (pp = &r->dev_b[hash_str(d->name) & r->dmask]; *pp != d; pp = &(*pp)->hnext)
		;
	*pp = d->hnext;
	*(d->prev ? &d->prev->next : &r->oldest) = d->next;
	*(d->next ? &d->next->prev : &r->newest) = d->prev;
	for (unsigned k = 0; k < ROLLOUT_KINDS; k++)
		ver_put(r, d->slot[k].ver);
	r->bytes -= acct(d);
	r->ndev--;
	/* Out of the table either way; a pinned record is freed by its last transfer's end. */
	if (d->pins > 0)
		d->dead = 1;
	else
		free(d);
}

void
rollout_unpin(struct rdev *d)
{
	if (--d->pins == 0 && d->dead)
		free(d);
}

void
rollout_clear(struct rollout *r)
{
	while (r->oldest != NULL)
		dev_unlink(r, r->oldest);
	r->dirty = 1;
}

/* Frees what rollout_tap.c hung on the table: transfers in flight, the md5 memo and digest. */
static void
inflight_clear(struct rollout *r)
{
	for (struct rollout_flight *e = r->fl_live, *n; e != NULL; e = n) {
		n = e->next;
		if (e->dev != NULL)
			rollout_unpin(e->dev);
		free(e);
	}
	for (struct rollout_flight *e = r->fl_spare, *n; e != NULL; e = n) {
		n = e->next;
		free(e);
	}
	free(r->memo);
	EVP_MD_CTX_free(r->md5_ctx);
	EVP_MD_free(r->md5_md);
}

void
rollout_free(struct rollout *r)
{
	if (r == NULL)
		return;
	rollout_clear(r);
	inflight_clear(r);
	free(r->dev_b);
	free(r->ver_b);
	free(r);
}

/* Doubles a bucket array when its table outgrows it; failure only costs speed. */
static void
grow_devs(struct rollout *r)
{
	size_t n = (r->dmask + 1) * 2;
	struct rdev **b;

	if (r->ndev <= r->dmask || (b = calloc(n, sizeof(*b))) == NULL)
		return;
	for (struct rdev *d = r->oldest; d != NULL; d = d->next) {
		struct rdev **h = &b[hash_str(d->name) & (n - 1)];

		d->hnext = *h;
		*h = d;
	}
	free(r->dev_b);
	r->dev_b = b;
	r->dmask = n - 1;
}

static void
grow_vers(struct rollout *r)
{
	size_t n = (r->vmask + 1) * 2;
	struct rver **b;

	if (r->nver <= r->vmask || (b = calloc(n, sizeof(*b))) == NULL)
		return;
	for (size_t i = 0; i <= r->vmask; i++)
		for (struct rver *v = r->ver_b[i], *nx; v != NULL; v = nx) {
			struct rver **h = &b[hash_md5(v->md5, v->kind) & (n - 1)];

			nx = v->hnext;
			v->hnext = *h;
			*h = v;
		}
	free(r->ver_b);
	r->ver_b = b;
	r->vmask = n - 1;
}

struct rver *
rollout_ver_find(const struct rollout *r, unsigned kind, const uint8_t md5[16])
{
	for (struct rver *v = r->ver_b[hash_md5(md5, kind) & r->vmask]; v != NULL; v = v->hnext)
		if (v->kind == kind && memcmp(v->md5, md5, 16) == 0)
			return v;
	return NULL;
}

/* A new reference on the version (interned on first sight); NULL without memory. */
struct rver *
rollout_ver_get(struct rollout *r, unsigned kind, const uint8_t md5[16], int64_t now)
{
	struct rver *v = rollout_ver_find(r, kind, md5), **h;

	if (v != NULL) {
		v->refs++;
		return v;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	memcpy(v->md5, md5, 16);
	v->kind = (uint8_t)kind;
	v->refs = 1;
	v->first_served = secs(now);
	h = &r->ver_b[hash_md5(md5, kind) & r->vmask];
	v->hnext = *h;
	*h = v;
	r->bytes += acct(v);
	r->nver++;
	grow_vers(r);
	return v;
}

static struct rdev *
dev_find_h(const struct rollout *r, const char *name, uint32_t h)
{
	for (struct rdev *d = r->dev_b[h & r->dmask]; d != NULL; d = d->hnext)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

struct rdev *
rollout_dev_find(const struct rollout *r, const char *name)
{
	return dev_find_h(r, name, hash_str(name));
}

/*
 * Moves d to the newest end of the seen list, unless it was seen in this
 * second already: the list stays in last_seen order, which is all that
 * eviction and forgetting read, and a phone's six notes of one boot (the
 * start and end of three transfers) move it once rather than six times,
 * each move a write to two other records (cache misses, in a storm).
 */
static void
touch(struct rollout *r, struct rdev *d, int64_t now)
{
	uint32_t t = secs(now);

	if (d->last_seen == t || r->newest == d) {
		d->last_seen = t;
		return;
	}
	d->last_seen = t;
	*(d->prev ? &d->prev->next : &r->oldest) = d->next;
	d->next->prev = d->prev;
	d->prev = r->newest;
	d->next = NULL;
	r->newest->next = d;
	r->newest = d;
}

/* The device's record, created (the least recently seen evicted if full). */
struct rdev *
rollout_dev_get(struct rollout *r, const char *name, int64_t now)
{
	uint32_t hn = hash_str(name);
	struct rdev *d = dev_find_h(r, name, hn), **h;

	if (d != NULL) {
		touch(r, d, now);
		return d;
	}
	if (r->ndev >= r->max_devices && r->oldest != NULL) {
		dev_unlink(r, r->oldest);
		r->evicted++;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	strcpy(d->name, name);   /* length checked by the caller */
	d->last_seen = secs(now);
	h = &r->dev_b[hn & r->dmask];
	d->hnext = *h;
	*h = d;
	d->prev = r->newest;
	*(r->newest ? &r->newest->next : &r->oldest) = d;
	r->newest = d;
	r->bytes += acct(d);
	r->ndev++;
	grow_devs(r);
	return d;
}

void
rollout_addr_of(struct raddr *a, const struct sockaddr *peer)
{
	memset(a, 0, sizeof(*a));
	if (peer == NULL)
		return;
	if (peer->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)peer;

		a->family = 4;
		memcpy(a->addr, &in->sin_addr, 4);
		a->port = ntohs(in->sin_port);
	} else if (peer->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)peer;

		a->family = 6;
		memcpy(a->addr, &in6->sin6_addr, 16);
		a->port = ntohs(in6->sin6_port);
	}
}

/* Bytes a device name may hold: letters, digits, '-', '_', '.' (a table: one load per byte). */
static const uint8_t name_byte[256] = {
	['-'] = 1, ['.'] = 1, ['_'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
	['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
	['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
	['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
	['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
	['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

int
rollout_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (n >= ROLLOUT_NAME_MAX || !name_byte[(unsigned char)s[n]])
			return 0;
	return n > 0;
}

/* The slot's update once the device's record is found. */
static void
note_slot(struct rollout *r, struct rdev *d, enum rollout_kind kind, const uint8_t md5[16],
          const struct raddr *a, int complete, time_t now)
{
	struct rslot *s = &d->slot[kind];
	uint8_t bit = (uint8_t)(1u << kind);

	if (kind == ROLLOUT_CONFIG) {
		if (!(d->present & bit) || memcmp(d->config_md5, md5, 16) != 0) {
			memcpy(d->config_md5, md5, 16);
			d->present |= bit;
			d->config_print = 0;   /* set again by rollout_start when a file gave it */
		}
	} else if (s->ver == NULL || memcmp(s->ver->md5, md5, 16) != 0) {
		struct rver *v = rollout_ver_get(r, kind, md5, now);

		if (v == NULL)
			return;
		ver_put(r, s->ver);
		s->ver = v;
		d->present |= bit;
	}
	s->when = secs(now);
	s->complete = complete ? 1 : 0;
	s->family = a->family;
	s->port = a->port;
	memcpy(s->addr, a->addr, sizeof(s->addr));
	r->dirty = 1;
}

struct rdev *
rollout_note_ok(struct rollout *r, const char *device, enum rollout_kind kind,
                const uint8_t md5[16], const struct raddr *a, int complete, time_t now)
{
	struct rdev *d = rollout_dev_get(r, device, now);

	if (d != NULL)
		note_slot(r, d, kind, md5, a, complete, now);
	return d;
}

void
rollout_note_dev(struct rollout *r, struct rdev *d, enum rollout_kind kind,
                 const uint8_t md5[16], const struct raddr *a, int complete, time_t now)
{
	touch(r, d, now);   /* what rollout_dev_get does for a device it finds */
	note_slot(r, d, kind, md5, a, complete, now);
}

void
rollout_note(struct rollout *r, const char *device, enum rollout_kind kind, const uint8_t md5[16],
             const struct sockaddr *peer, int complete, time_t now)
{
	struct raddr a;

	if (r == NULL || (unsigned)kind >= ROLLOUT_KINDS)
		return;
	if (!rollout_name_ok(device)) {
		r->bad_names++;
		return;
	}
	rollout_addr_of(&a, peer);
	(void)rollout_note_ok(r, device, kind, md5, &a, complete, now);
}

int
rollout_describe(struct rollout *r, enum rollout_kind kind, const uint8_t md5[16],
                 const uint8_t *data, size_t n)
{
	struct rver *v = r != NULL ? rollout_ver_find(r, kind, md5) : NULL;

	if (v == NULL)
		return 0;
	rollout_ver_describe(r, v, data, n);
	return 1;
}

void
rollout_ver_describe(struct rollout *r, struct rver *v, const uint8_t *data, size_t n)
{
	struct ctl_file *f = NULL;
	struct ctl_bytes sn;

	if (v->described)
		return;
	v->described = 1;   /* once, whatever the outcome: a bad file is not parsed again */
	if (ctl_file_parse(data, n, 0, &f, NULL) != CTL_OK)
		return;
	v->timestamp = ctl_file_timestamp(f);
	sn = ctl_file_signer_name(f);
	if (sn.len > 0) {
		size_t len = sn.len > ROLLOUT_SIGNER_MAX ? ROLLOUT_SIGNER_MAX : sn.len;

		if ((v->signer = malloc(len + 1)) != NULL) {
			/* Shown on terminals and web pages: anything not printable becomes '?'. */
			for (size_t i = 0; i < len; i++)
				v->signer[i] = sn.p[i] >= 0x20 && sn.p[i] < 0x7f ? (char)sn.p[i] : '?';
			/* SIGNERNAME is NUL-terminated in the file. */
			while (len > 0 && sn.p[len - 1] == '\0')
				len--;
			v->signer[len] = '\0';
			r->bytes += acct(v->signer);
		}
	}
	ctl_file_free(f);
	r->dirty = 1;
}

void
rollout_expire(struct rollout *r, time_t now)
{
	uint32_t t = secs(now);

	if (r == NULL || r->forget == 0)
		return;
	while (r->oldest != NULL && t > r->oldest->last_seen &&
	       t - r->oldest->last_seen > r->forget) {
		dev_unlink(r, r->oldest);
		r->forgotten++;
		r->dirty = 1;
	}
}

size_t rollout_devices(const struct rollout *r) { return r->ndev; }
size_t rollout_versions(const struct rollout *r) { return r->nver; }
unsigned long rollout_evicted(const struct rollout *r) { return r->evicted; }
int rollout_dirty(const struct rollout *r) { return r != NULL && r->dirty; }

size_t
rollout_bytes(const struct rollout *r)
{
	return r->bytes + acct(r) + acct(r->dev_b) + acct(r->ver_b) + r->inflight_bytes;
}
