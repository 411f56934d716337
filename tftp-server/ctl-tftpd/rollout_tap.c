/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a transfer tells the rollout table: the device and kind from the
 * requested name, the md5 of the bytes served (remembered per file
 * version, so a storm of CTLSEP<MAC>.tlv requests hashes CTLFile.tlv
 * once), and the transfers in flight, so their end (completed or not)
 * can be noted against the device that asked.
 */
#include <malloc.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rollout_int.h"
#include "tftp_cache.h"

#define FL_MAX 65536   /* transfers in flight tracked at once */
#define FL_SPARE 1024  /* ended transfers' entries kept: a storm allocates none per transfer */

static int
has_suffix(const char *s, size_t n, const char *suf, size_t *stem)
{
	size_t k = strlen(suf);

	if (n < k || strcmp(s + n - k, suf) != 0)
		return 0;
	*stem = n - k;
	return 1;
}

int
rollout_device_of(const char *q, char device[ROLLOUT_NAME_MAX + 1], enum rollout_kind *kind)
{
	size_t n = strlen(q), stem, skip = 0;

	if (strncmp(q, "CTLSEP", 6) == 0 && has_suffix(q, n, ".tlv", &stem)) {
		*kind = ROLLOUT_CTL;
		skip = 3;
	} else if (strncmp(q, "ITLSEP", 6) == 0 && has_suffix(q, n, ".tlv", &stem)) {
		*kind = ROLLOUT_ITL;
		skip = 3;
	} else if (strncmp(q, "SEP", 3) == 0 &&
	           (has_suffix(q, n, ".cnf.xml", &stem) || has_suffix(q, n, ".cnf.xml.sgn", &stem) ||
	            has_suffix(q, n, ".cnf.xml.enc.sgn", &stem))) {
		*kind = ROLLOUT_CONFIG;
	} else {
		return 0;
	}
	/* "SEP" and at least one character, and no more than a device name holds. */
	if (stem <= skip + 3 || stem - skip > ROLLOUT_NAME_MAX)
		return 0;
	memcpy(device, q + skip, stem - skip);
	device[stem - skip] = '\0';
	return 1;
}

/* md5 of f's bytes, remembered by the file's identity (device, inode, size, times). */
static int
file_md5(struct rollout *r, const struct tftp_file *f, uint8_t md5[16])
{
	struct md5_memo *m = NULL;
	unsigned len = 0;

	if (r->memo == NULL && (r->memo = calloc(MEMO_SLOTS, sizeof(*r->memo))) != NULL)
		r->inflight_bytes += malloc_usable_size(r->memo) + sizeof(size_t);
	if (r->memo != NULL && f->ino != 0) {
		m = &r->memo[(f->ino * 0x9e3779b97f4a7c15ull ^ f->dev) >> 56];
		if (m->data == f->data && m->ino == f->ino && m->dev == f->dev && m->size == f->size &&
		    m->mtime_ns == f->mtime_ns && m->ctime_ns == f->ctime_ns) {
			memcpy(md5, m->md5, 16);
			return 0;
		}
	}
	if (r->md5_md == NULL && (r->md5_md = EVP_MD_fetch(NULL, "MD5", NULL)) == NULL)
		return -1;
	if (r->md5_ctx == NULL && (r->md5_ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(r->md5_ctx, r->md5_md, NULL) != 1 ||
	    EVP_DigestUpdate(r->md5_ctx, f->data, f->size) != 1 ||
	    EVP_DigestFinal_ex(r->md5_ctx, md5, &len) != 1 || len != 16)
		return -1;
	if (m != NULL)
		*m = (struct md5_memo){ f->dev, f->ino, f->mtime_ns, f->ctime_ns, f->size, f->data, { 0 } },
		memcpy(m->md5, md5, 16);
	return 0;
}

/*
 * A print of f's identity (device, inode, size, modification and change
 * times), never 0; 0 when it cannot stand for f's bytes: no inode, or a
 * change time within the last 2 s. Change times are coarse (a clock tick),
 * so a write just after the bytes were read may leave them as they were;
 * a write a second or more after a change time older than that cannot, and
 * no one can set a change time back.
 */
static uint64_t
file_print(const struct tftp_file *f, time_t now)
{
	const uint64_t part[5] = { f->dev, f->ino, f->size, f->mtime_ns, f->ctime_ns };
	uint64_t h = 0x9e3779b97f4a7c15ull;

	if (f->ino == 0 || (int64_t)(f->ctime_ns / 1000000000u) >= (int64_t)now - 1)
		return 0;
	for (size_t i = 0; i < 5; i++) {
		h = (h ^ part[i]) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h | 1;
}

/*
 * Notes that f starts going to device dev: md5 gets the md5 of its bytes,
 * *out the device's record (NULL without memory). A phone that fetches its
 * configuration file again, unchanged (same print), gets the md5 its record
 * holds instead of a hash of the file: at a rollout every phone reboots and
 * asks for its own file, one of thousands, each hashed only when it changes.
 * -1: no md5 (nothing noted).
 */
static int
note_start(struct rollout *r, const char *dev, enum rollout_kind kind, const struct tftp_file *f,
           const struct raddr *a, time_t now, uint8_t md5[16], struct rdev **out)
{
	uint64_t print = kind == ROLLOUT_CONFIG ? file_print(f, now) : 0;
	struct rdev *d = print != 0 ? rollout_dev_get(r, dev, now) : NULL;
	struct rver *v;

	*out = NULL;
	if (d != NULL && d->config_print == print && (d->present & (1u << ROLLOUT_CONFIG)))
		memcpy(md5, d->config_md5, 16);
	else if (file_md5(r, f, md5) < 0)
		return -1;
	if (d != NULL)
		rollout_note_dev(r, d, kind, md5, a, 0, now);
	else if ((d = rollout_note_ok(r, dev, kind, md5, a, 0, now)) == NULL)
		return 0;
	*out = d;
	if (kind == ROLLOUT_CONFIG)
		d->config_print = print;   /* config_md5 is md5 now: noted in the record, nothing to fail */
	else if ((v = d->slot[kind].ver) != NULL && memcmp(v->md5, md5, 16) == 0)
		rollout_ver_describe(r, v, f->data, f->size);
	/* else no memory for the version: the slot holds an older one */
	return 0;
}

/* Takes the flight out of the table's list: kept for the next transfer, or freed. */
static void
fl_drop(struct rollout *r, struct rollout_flight *e)
{
	*(e->prev ? &e->prev->next : &r->fl_live) = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	r->fl_n--;
	if (e->dev != NULL)
		rollout_unpin(e->dev);
	e->dev = NULL;
	if (r->fl_nspare < FL_SPARE) {
		e->next = r->fl_spare;
		r->fl_spare = e;
		r->fl_nspare++;
		return;
	}
	r->inflight_bytes -= malloc_usable_size(e) + sizeof(size_t);
	free(e);
}

/* A new flight in the table's list (a spare one when there is). */
static struct rollout_flight *
fl_new(struct rollout *r)
{
	struct rollout_flight *e;

	if (r->fl_n >= FL_MAX)
		return NULL;
	if ((e = r->fl_spare) != NULL) {
		r->fl_spare = e->next;
		r->fl_nspare--;
	} else if ((e = malloc(sizeof(*e))) != NULL) {
		r->inflight_bytes += malloc_usable_size(e) + sizeof(size_t);
	} else {
		return NULL;
	}
	e->dev = NULL;
	e->prev = NULL;
	e->next = r->fl_live;
	if (e->next != NULL)
		e->next->prev = e;
	r->fl_live = e;
	r->fl_n++;
	return e;
}

void
rollout_start(struct rollout *r, struct rollout_flight **fl, const char *requested,
              const struct tftp_file *f, const struct sockaddr *peer, time_t now)
{
	char dev[ROLLOUT_NAME_MAX + 1];
	enum rollout_kind kind;
	uint8_t md5[16];
	struct rollout_flight *e;
	struct raddr a;
	struct rdev *d;

	/* A name the table refuses costs no hashing and no entry (rollout_note would drop it). */
	if (r == NULL || !rollout_device_of(requested, dev, &kind) || !rollout_name_ok(dev))
		return;
	rollout_addr_of(&a, peer);
	if (note_start(r, dev, kind, f, &a, now, md5, &d) < 0)
		return;
	if ((e = *fl) == NULL && (e = *fl = fl_new(r)) == NULL)
		return;
	/* The end notes on this record without a lookup, unless it has left the table by then. */
	if (e->dev != NULL)
		rollout_unpin(e->dev);
	e->dev = NULL;
	if (d != NULL && d->pins < UINT16_MAX) {
		d->pins++;
		e->dev = d;
	}
	memcpy(e->device, dev, sizeof(dev));
	memcpy(e->md5, md5, 16);
	e->kind = (uint8_t)kind;
	e->peer = a;
}

void
rollout_end(struct rollout *r, struct rollout_flight **fl, int completed, time_t now)
{
	struct rollout_flight *e = *fl;

	if (r == NULL || e == NULL)
		return;
	*fl = NULL;
	if (completed) {
		if (e->dev != NULL && !e->dev->dead)
			rollout_note_dev(r, e->dev, (enum rollout_kind)e->kind, e->md5, &e->peer, 1, now);
		else
			(void)rollout_note_ok(r, e->device, (enum rollout_kind)e->kind, e->md5, &e->peer, 1,
			                      now);
	}
	fl_drop(r, e);
}
