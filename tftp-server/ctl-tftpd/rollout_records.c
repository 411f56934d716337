/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout table as flat records (rollout_file.h): exported for the
 * state file and for the summary, imported when the state file is
 * restored at start.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "rollout_int.h"

/*
 * The records' configuration versions, one per distinct md5 (devices hold
 * them in their record, not interned): an open-addressed index over the
 * versions being exported, slot = version index + 1.
 */
struct cfg_index {
	uint32_t *slot;
	size_t mask;
};

static int
cfg_index_init(struct cfg_index *x, size_t ndev)
{
	size_t n = 16;

	while (n < ndev * 2)
		n *= 2;
	x->mask = n - 1;
	return (x->slot = calloc(n, sizeof(*x->slot))) != NULL ? 0 : -1;
}

/* The version record for a device's configuration md5 (added on first sight); its index. */
static uint32_t
cfg_version(struct cfg_index *x, struct rollout_records *rec, size_t *nv, const uint8_t md5[16],
            uint32_t when)
{
	uint32_t h;
	size_t i;

	memcpy(&h, md5, 4);
	for (i = h & x->mask; x->slot[i] != 0; i = (i + 1) & x->mask) {
		struct rollout_rec_version *o = &rec->versions[x->slot[i] - 1];

		if (memcmp(o->md5, md5, 16) == 0) {
			if (when < o->first_served)
				o->first_served = when;   /* first served: to the first device that has it */
			return x->slot[i] - 1;
		}
	}
	rec->versions[*nv].kind = ROLLOUT_CONFIG;
	memcpy(rec->versions[*nv].md5, md5, 16);
	rec->versions[*nv].first_served = when;
	x->slot[i] = (uint32_t)++*nv;
	return x->slot[i] - 1;
}

/* The interned (CTL, ITL) versions as records, each numbered by its place. */
static size_t
export_versions(struct rollout *r, struct rollout_records *rec)
{
	size_t nv = 0;

	for (size_t i = 0; i <= r->vmask; i++)
		for (struct rver *v = r->ver_b[i]; v != NULL && nv < r->nver; v = v->hnext) {
			struct rollout_rec_version *o = &rec->versions[nv];

			v->index = (uint32_t)nv++;
			o->kind = v->kind;
			memcpy(o->md5, v->md5, 16);
			o->timestamp = v->timestamp;
			o->first_served = v->first_served;
			if (v->signer != NULL)
				strncpy(o->signer, v->signer, ROLLOUT_SIGNER_MAX);
		}
	return nv;
}

enum ctl_err
rollout_export(struct rollout *r, struct rollout_records **out)
{
	struct rollout_records *rec = calloc(1, sizeof(*rec));
	struct cfg_index cx = { NULL, 0 };
	size_t nv, nd = 0, cap = r->nver + r->ndev;   /* at most one configuration version per device */

	*out = NULL;
	if (rec == NULL || (cap && (rec->versions = calloc(cap, sizeof(*rec->versions))) == NULL) ||
	    (r->ndev && (rec->devices = calloc(r->ndev, sizeof(*rec->devices))) == NULL) ||
	    cfg_index_init(&cx, r->ndev) < 0) {
		rollout_records_free(rec);
		return CTL_E_NOMEM;
	}
	nv = export_versions(r, rec);
	/* Oldest first: an import in file order rebuilds the same seen list. */
	for (struct rdev *d = r->oldest; d != NULL && nd < r->ndev; d = d->next) {
		struct rollout_rec_device *o = &rec->devices[nd++];

		memcpy(o->name, d->name, sizeof(o->name));
		o->last_seen = d->last_seen;
		o->present = d->present;
		for (unsigned k = 0; k < ROLLOUT_KINDS; k++) {
			const struct rslot *s = &d->slot[k];

			if (!(d->present & (1u << k)))
				continue;
			o->slot[k] = (struct rollout_rec_slot){
				k == ROLLOUT_CONFIG ? cfg_version(&cx, rec, &nv, d->config_md5, s->when) : s->ver->index,
				s->when, s->complete, s->family, { 0 }, s->port };
			memcpy(o->slot[k].addr, s->addr, 16);
		}
	}
	free(cx.slot);
	rec->nversions = nv;
	rec->ndevices = nd;
	r->dirty = 0;
	*out = rec;
	return CTL_OK;
}

static void
import_version(struct rver *v, const struct rollout_rec_version *o, size_t *bytes)
{
	v->timestamp = o->timestamp;
	v->first_served = (uint32_t)(o->first_served < 0 ? 0 : o->first_served > UINT32_MAX
	                             ? UINT32_MAX : o->first_served);
	v->described = 1;
	if (o->signer[0] != '\0' && v->signer == NULL && (v->signer = strdup(o->signer)) != NULL)
		*bytes += malloc_usable_size(v->signer) + sizeof(size_t);
}

static int
cmp_seen(const void *a, const void *b)
{
	const struct rollout_rec_device *x = *(const struct rollout_rec_device *const *)a;
	const struct rollout_rec_device *y = *(const struct rollout_rec_device *const *)b;

	return x->last_seen < y->last_seen ? -1 : x->last_seen > y->last_seen;
}

enum ctl_err
rollout_import(struct rollout *r, const struct rollout_records *rec)
{
	const struct rollout_rec_device **order;

	/* Replace, not merge: the file is the whole table. */
	rollout_clear(r);
	if (rec->ndevices == 0)
		return CTL_OK;
	if ((order = malloc(rec->ndevices * sizeof(*order))) == NULL)
		return CTL_E_NOMEM;
	for (size_t i = 0; i < rec->ndevices; i++)
		order[i] = &rec->devices[i];
	qsort(order, rec->ndevices, sizeof(*order), cmp_seen);
	for (size_t i = 0; i < rec->ndevices; i++) {
		const struct rollout_rec_device *o = order[i];
		struct rdev *d = rollout_dev_get(r, o->name, o->last_seen);

		if (d == NULL) {
			free(order);
			return CTL_E_NOMEM;
		}
		for (unsigned k = 0; k < ROLLOUT_KINDS; k++) {
			const struct rollout_rec_slot *s = &o->slot[k];
			const struct rollout_rec_version *ov;
			struct rver *v;

			if (!(o->present & (1u << k)) || s->version >= rec->nversions)
				continue;
			ov = &rec->versions[s->version];
			if (ov->kind != k)
				continue;
			if (k == ROLLOUT_CONFIG) {
				v = NULL;
				memcpy(d->config_md5, ov->md5, 16);
			} else if ((v = rollout_ver_get(r, k, ov->md5, ov->first_served)) == NULL) {
				continue;
			} else {
				import_version(v, ov, &r->bytes);
			}
			d->slot[k] = (struct rslot){ v, (uint32_t)(s->when < 0 ? 0 : s->when), s->complete,
			                             s->family, s->port, { 0 } };
			memcpy(d->slot[k].addr, s->addr, 16);
			d->present |= (uint8_t)(1u << k);
		}
	}
	free(order);
	r->dirty = 0;
	return CTL_OK;
}

enum ctl_err
rollout_summary_new(const struct rollout *r, const uint8_t *const current[ROLLOUT_KINDS],
                    struct rollout_summary **out)
{
	struct rollout_records *rec;
	enum ctl_err e;
	int dirty = r->dirty;

	/* Export only numbers versions and clears the dirty mark: put it back. */
	if ((e = rollout_export((struct rollout *)r, &rec)) != CTL_OK)
		return e;
	((struct rollout *)r)->dirty = dirty;
	e = rollout_summarize(rec, current, out);
	rollout_records_free(rec);
	return e;
}
