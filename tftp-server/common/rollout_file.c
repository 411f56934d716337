/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rollout state file (layout in rollout_file.h): encoder, the one
 * bounded decoder, atomic write, and the per-kind summary both ctl-tftpd
 * and show-ctl print. Every field of a file is checked before it is
 * believed: the file may have been truncated by a full disk or edited by
 * hand, and show-ctl runs on it as an ordinary user.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "ctl/buf.h"
#include "ctl/ctl.h"
#include "rollout_file.h"

#define MAGIC "CTLROLL1"
#define MAGIC_LEN 8
#define VERSION_MIN (1 + 16 + 8 + 8 + 1)   /* a version record without signer */
#define DEVICE_MIN (1 + 1 + 8 + 1)          /* a device with a one-byte name, no kinds */

const char *
rollout_kind_name(enum rollout_kind k)
{
	static const char *const n[ROLLOUT_KINDS] = { "ctl", "itl", "config" };

	return (unsigned)k < ROLLOUT_KINDS ? n[k] : "?";
}

void
rollout_records_free(struct rollout_records *r)
{
	if (r == NULL)
		return;
	free(r->versions);
	free(r->devices);
	free(r);
}

static int
md5_of(const void *p, size_t n, uint8_t out[16])
{
	unsigned len = 0;

	return EVP_Digest(p, n, out, &len, EVP_md5(), NULL) == 1 && len == 16 ? 0 : -1;
}

/* ---- encoder ------------------------------------------------------------ */

/*
 * The file's size is known from the records, so the encoder sizes its
 * buffer once and stores each field directly (a 100,000-device table is
 * written every few seconds; a bounds-checked call per field cost more
 * than the rest of the write).
 */

static size_t
slot_addr_len(const struct rollout_rec_slot *s)
{
	return s->family == 4 ? 4 : s->family == 6 ? 16 : 0;
}

static uint8_t *
put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *
put_u64(uint8_t *p, int64_t v)
{
	uint64_t u = (uint64_t)v;

	return put_u32(put_u32(p, (uint32_t)(u >> 32)), (uint32_t)u);
}

static uint8_t *
put_bytes(uint8_t *p, const void *b, size_t n)
{
	memcpy(p, b, n);
	return p + n;
}

/* The encoded size (without the trailing md5); 0 when over ROLLOUT_FILE_MAX. */
static size_t
encoded_size(const struct rollout_records *r)
{
	size_t n = MAGIC_LEN + 8;

	for (size_t i = 0; i < r->nversions; i++)
		n += VERSION_MIN + strnlen(r->versions[i].signer, ROLLOUT_SIGNER_MAX);
	for (size_t i = 0; i < r->ndevices && n <= ROLLOUT_FILE_MAX; i++) {
		const struct rollout_rec_device *d = &r->devices[i];

		n += 1 + strnlen(d->name, ROLLOUT_NAME_MAX) + 8 + 1;
		for (unsigned k = 0; k < ROLLOUT_KINDS; k++)
			if (d->present & (1u << k))
				n += 4 + 8 + 1 + 1 + slot_addr_len(&d->slot[k]) + 2;
	}
	return n + 16 <= ROLLOUT_FILE_MAX ? n : 0;
}

static uint8_t *
enc_version(uint8_t *p, const struct rollout_rec_version *v)
{
	size_t sl = strnlen(v->signer, ROLLOUT_SIGNER_MAX);

	*p++ = v->kind;
	p = put_bytes(p, v->md5, 16);
	p = put_u64(p, v->timestamp);
	p = put_u64(p, v->first_served);
	*p++ = (uint8_t)sl;
	return put_bytes(p, v->signer, sl);
}

static uint8_t *
enc_slot(uint8_t *p, const struct rollout_rec_slot *s)
{
	size_t alen = slot_addr_len(s);

	p = put_u32(p, s->version);
	p = put_u64(p, s->when);
	*p++ = s->complete ? 1 : 0;
	*p++ = alen ? s->family : 0;
	p = put_bytes(p, s->addr, alen);
	return put_u16(p, s->port);
}

static uint8_t *
enc_device(uint8_t *p, const struct rollout_rec_device *d)
{
	size_t nl = strnlen(d->name, ROLLOUT_NAME_MAX);

	*p++ = (uint8_t)nl;
	p = put_bytes(p, d->name, nl);
	p = put_u64(p, d->last_seen);
	*p++ = d->present & ((1u << ROLLOUT_KINDS) - 1);
	for (unsigned k = 0; k < ROLLOUT_KINDS; k++)
		if (d->present & (1u << k))
			p = enc_slot(p, &d->slot[k]);
	return p;
}

enum ctl_err
rollout_file_encode(const struct rollout_records *r, uint8_t **out, size_t *n)
{
	size_t len;
	uint8_t *buf, *p;

	*out = NULL;
	*n = 0;
	if (r->nversions > UINT32_MAX || r->ndevices > UINT32_MAX || (len = encoded_size(r)) == 0)
		return CTL_E_TOO_LARGE;
	if ((buf = malloc(len + 16)) == NULL)
		return CTL_E_NOMEM;
	p = put_bytes(buf, MAGIC, MAGIC_LEN);
	p = put_u32(p, (uint32_t)r->nversions);
	p = put_u32(p, (uint32_t)r->ndevices);
	for (size_t i = 0; i < r->nversions; i++)
		p = enc_version(p, &r->versions[i]);
	for (size_t i = 0; i < r->ndevices; i++)
		p = enc_device(p, &r->devices[i]);
	(void)p;   /* ends at buf + len: encoded_size counts the same fields */
	if (md5_of(buf, len, buf + len) < 0) {
		free(buf);
		return CTL_E_CRYPTO;
	}
	*out = buf;
	*n = len + 16;
	return CTL_OK;
}

/* ---- decoder ------------------------------------------------------------ */

static enum ctl_err
fail(struct ctl_diag *d, enum ctl_err e, size_t off, const char *what)
{
	if (d != NULL) {
		d->err = e;
		d->offset = off;
		d->tag = -1;
		d->record = -1;
		snprintf(d->msg, sizeof(d->msg), "rollout state: %s at byte offset %zu", what, off);
	}
	return e;
}

static enum ctl_err
rd_u64(struct ctl_rd *rd, int64_t *v)
{
	uint32_t hi, lo;
	enum ctl_err e;

	*v = 0;
	if ((e = ctl_rd_u32be(rd, &hi)) != CTL_OK || (e = ctl_rd_u32be(rd, &lo)) != CTL_OK)
		return e;
	*v = (int64_t)(((uint64_t)hi << 32) | lo);
	return CTL_OK;
}

/* Printable ASCII without NUL: a signer shown on a terminal or a web page. */
static int
printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

static int
name_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static enum ctl_err
dec_version(struct ctl_rd *rd, struct rollout_rec_version *v, struct ctl_diag *d)
{
	size_t at = ctl_rd_off(rd);
	uint8_t sl;

	if (ctl_rd_u8(rd, &v->kind) != CTL_OK || ctl_rd_bytes(rd, v->md5, 16) != CTL_OK ||
	    rd_u64(rd, &v->timestamp) != CTL_OK || rd_u64(rd, &v->first_served) != CTL_OK ||
	    ctl_rd_u8(rd, &sl) != CTL_OK)
		return fail(d, CTL_E_TRUNCATED, ctl_rd_off(rd), "version record truncated");
	if (v->kind >= ROLLOUT_KINDS)
		return fail(d, CTL_E_BAD_TAG, at, "unknown version kind");
	if (sl > ROLLOUT_SIGNER_MAX)
		return fail(d, CTL_E_FIELD_LEN, at + 33, "signer name too long");
	if (ctl_rd_bytes(rd, v->signer, sl) != CTL_OK)
		return fail(d, CTL_E_TRUNCATED, ctl_rd_off(rd), "signer name truncated");
	v->signer[sl] = '\0';
	if (!printable(v->signer, sl))
		return fail(d, CTL_E_INVAL, at + 34, "signer name not printable");
	return CTL_OK;
}

static enum ctl_err
dec_slot(struct ctl_rd *rd, const struct rollout_records *r, unsigned kind,
         struct rollout_rec_slot *s, struct ctl_diag *d)
{
	size_t at = ctl_rd_off(rd), alen;

	if (ctl_rd_u32be(rd, &s->version) != CTL_OK || rd_u64(rd, &s->when) != CTL_OK ||
	    ctl_rd_u8(rd, &s->complete) != CTL_OK || ctl_rd_u8(rd, &s->family) != CTL_OK)
		return fail(d, CTL_E_TRUNCATED, ctl_rd_off(rd), "device entry truncated");
	if (s->version >= r->nversions)
		return fail(d, CTL_E_INVAL, at, "version index out of range");
	if (r->versions[s->version].kind != kind)
		return fail(d, CTL_E_INVAL, at, "version index of another kind");
	if (s->complete > 1)
		return fail(d, CTL_E_INVAL, at + 12, "complete flag not 0 or 1");
	if (s->family != 0 && s->family != 4 && s->family != 6)
		return fail(d, CTL_E_INVAL, at + 13, "unknown address family");
	alen = s->family == 4 ? 4 : s->family == 6 ? 16 : 0;
	if (ctl_rd_bytes(rd, s->addr, alen) != CTL_OK || ctl_rd_u16be(rd, &s->port) != CTL_OK)
		return fail(d, CTL_E_TRUNCATED, ctl_rd_off(rd), "device address truncated");
	return CTL_OK;
}

static enum ctl_err
dec_device(struct ctl_rd *rd, const struct rollout_records *r, struct rollout_rec_device *dv,
           struct ctl_diag *d)
{
	size_t at = ctl_rd_off(rd);
	uint8_t nl;
	enum ctl_err e;

	if (ctl_rd_u8(rd, &nl) != CTL_OK)
		return fail(d, CTL_E_TRUNCATED, at, "device record truncated");
	if (nl == 0 || nl > ROLLOUT_NAME_MAX)
		return fail(d, CTL_E_FIELD_LEN, at, "device name length not 1..23");
	if (ctl_rd_bytes(rd, dv->name, nl) != CTL_OK)
		return fail(d, CTL_E_TRUNCATED, ctl_rd_off(rd), "device name truncated");
	dv->name[nl] = '\0';
	if (!name_ok(dv->name, nl))
		return fail(d, CTL_E_INVAL, at + 1, "device name has a character not allowed");
	if (rd_u64(rd, &dv->last_seen) != CTL_OK || ctl_rd_u8(rd, &dv->present) != CTL_OK)
		return fail(d, CTL_E_TRUNCATED, ctl_rd_off(rd), "device record truncated");
	if (dv->present >= (1u << ROLLOUT_KINDS))
		return fail(d, CTL_E_INVAL, ctl_rd_off(rd) - 1, "unknown kinds in device record");
	for (unsigned k = 0; k < ROLLOUT_KINDS; k++)
		if ((dv->present & (1u << k)) && (e = dec_slot(rd, r, k, &dv->slot[k], d)) != CTL_OK)
			return e;
	return CTL_OK;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct rollout_rec_device *)a)->name,
	              ((const struct rollout_rec_device *)b)->name);
}

enum ctl_err
rollout_file_decode(const uint8_t *p, size_t n, struct rollout_records **out, struct ctl_diag *diag)
{
	struct rollout_records *r;
	struct ctl_rd rd;
	uint8_t sum[16];
	uint32_t nv, nd;
	enum ctl_err e = CTL_OK;

	*out = NULL;
	if (n < MAGIC_LEN + 8 + 16)
		return fail(diag, CTL_E_TRUNCATED, n, "file too short for a header and checksum");
	if (memcmp(p, MAGIC, MAGIC_LEN) != 0)
		return fail(diag, CTL_E_BAD_TAG, 0, "not a rollout state file (magic)");
	if (md5_of(p, n - 16, sum) < 0)
		return fail(diag, CTL_E_CRYPTO, 0, "md5 unavailable");
	if (memcmp(sum, p + n - 16, 16) != 0)
		return fail(diag, CTL_E_DIGEST, n - 16, "checksum does not match (truncated or damaged)");
	ctl_rd_init(&rd, p, n - 16);
	if (ctl_rd_skip(&rd, MAGIC_LEN) != CTL_OK || ctl_rd_u32be(&rd, &nv) != CTL_OK ||
	    ctl_rd_u32be(&rd, &nd) != CTL_OK)
		return fail(diag, CTL_E_TRUNCATED, ctl_rd_off(&rd), "header truncated");
	/* Counts are believed only as far as the bytes left can hold them. */
	if (nv > ctl_rd_left(&rd) / VERSION_MIN)
		return fail(diag, CTL_E_TOO_LARGE, MAGIC_LEN, "version count larger than the file");
	if (nd > (ctl_rd_left(&rd) - (size_t)nv * VERSION_MIN) / DEVICE_MIN)
		return fail(diag, CTL_E_TOO_LARGE, MAGIC_LEN + 4, "device count larger than the file");
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (nv && (r->versions = calloc(nv, sizeof(*r->versions))) == NULL) ||
	    (nd && (r->devices = calloc(nd, sizeof(*r->devices))) == NULL)) {
		rollout_records_free(r);
		return fail(diag, CTL_E_NOMEM, 0, "out of memory");
	}
	r->nversions = nv;
	r->ndevices = nd;
	for (size_t i = 0; e == CTL_OK && i < nv; i++)
		e = dec_version(&rd, &r->versions[i], diag);
	for (size_t i = 0; e == CTL_OK && i < nd; i++)
		e = dec_device(&rd, r, &r->devices[i], diag);
	if (e == CTL_OK && ctl_rd_left(&rd) != 0)
		e = fail(diag, CTL_E_CONTAINER_LEN, ctl_rd_off(&rd), "bytes after the last device");
	if (e == CTL_OK && nd > 1) {
		struct rollout_rec_device *s = malloc((size_t)nd * sizeof(*s));

		if (s == NULL) {
			e = fail(diag, CTL_E_NOMEM, 0, "out of memory");
		} else {
			memcpy(s, r->devices, (size_t)nd * sizeof(*s));
			qsort(s, nd, sizeof(*s), cmp_name);
			for (size_t i = 1; e == CTL_OK && i < nd; i++)
				if (strcmp(s[i - 1].name, s[i].name) == 0)
					e = fail(diag, CTL_E_DUP_ENTRY, MAGIC_LEN + 4, "a device listed twice");
			free(s);
		}
	}
	if (e != CTL_OK) {
		rollout_records_free(r);
		return e;
	}
	*out = r;
	return CTL_OK;
}

enum ctl_err
rollout_file_read(const char *path, struct rollout_records **out, struct ctl_diag *diag)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	enum ctl_err e;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (diag != NULL) {
			diag->err = CTL_E_IO;
			diag->offset = 0;
			snprintf(diag->msg, sizeof(diag->msg), "%s: %s", path, strerror(errno));
		}
		return CTL_E_IO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)ROLLOUT_FILE_MAX) {
		close(fd);
		return fail(diag, S_ISREG(st.st_mode) ? CTL_E_TOO_LARGE : CTL_E_IO, 0,
		            "not a regular file of at most 64 MiB");
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return fail(diag, CTL_E_NOMEM, 0, "out of memory");
	}
	/* Read to EOF but never past the size allowed: the file may grow under us. */
	for (;;) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size + 1 - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || (got += (size_t)k) > (size_t)st.st_size)
			break;
	}
	close(fd);
	if (got > (size_t)st.st_size)
		e = fail(diag, CTL_E_IO, got, "file changed while being read");
	else
		e = rollout_file_decode(buf, got, out, diag);
	free(buf);
	return e;
}

enum ctl_err
rollout_file_write(const char *path, const struct rollout_records *r, struct ctl_diag *diag)
{
	uint8_t *p;
	size_t n;
	enum ctl_err e;

	if ((e = rollout_file_encode(r, &p, &n)) != CTL_OK)
		return fail(diag, e, 0, "cannot encode the table");
	e = ctl_write_atomic(path, p, n, 0644, diag);
	free(p);
	return e;
}

/* ---- summary ------------------------------------------------------------ */

void
rollout_summary_free(struct rollout_summary *s)
{
	if (s == NULL)
		return;
	for (unsigned k = 0; k < ROLLOUT_KINDS; k++)
		free(s->kind[k].versions);
	free(s);
}

static int
cmp_ver(const void *a, const void *b)
{
	const struct rollout_version_info *x = a, *y = b;

	if (x->current != y->current)
		return y->current - x->current;
	if (x->phones != y->phones)
		return x->phones < y->phones ? 1 : -1;
	return memcmp(x->md5, y->md5, 16);
}

/* Fills one kind: a phones count per version, then current/older/not asked. */
static enum ctl_err
summarize_kind(const struct rollout_records *r, unsigned k, const uint8_t *cur,
               struct rollout_kind_summary *ks)
{
	size_t *map = calloc(r->nversions ? r->nversions : 1, sizeof(*map)), nv = 0;
	int64_t changed = INT64_MAX;  /* no device has the current version yet */

	if (map == NULL)
		return CTL_E_NOMEM;
	ks->have_current = cur != NULL;
	if (cur != NULL)
		memcpy(ks->current_md5, cur, 16);
	for (size_t i = 0; i < r->nversions; i++)
		if (r->versions[i].kind == k)
			map[i] = ++nv;   /* 1-based slot in ks->versions */
	if (nv && (ks->versions = calloc(nv, sizeof(*ks->versions))) == NULL) {
		free(map);
		return CTL_E_NOMEM;
	}
	for (size_t i = 0; i < r->nversions; i++) {
		const struct rollout_rec_version *v = &r->versions[i];
		struct rollout_version_info *o;

		if (map[i] == 0)
			continue;
		o = &ks->versions[map[i] - 1];
		memcpy(o->md5, v->md5, 16);
		memcpy(o->signer, v->signer, sizeof(o->signer));
		o->timestamp = v->timestamp;
		o->first_served = v->first_served;
		o->current = cur != NULL && memcmp(cur, v->md5, 16) == 0;
		if (o->current)
			changed = v->first_served;
	}
	for (size_t i = 0; i < r->ndevices; i++) {
		const struct rollout_rec_device *d = &r->devices[i];
		struct rollout_version_info *o;

		if (!(d->present & (1u << k)))
			continue;
		o = &ks->versions[map[d->slot[k].version] - 1];
		o->phones++;
		ks->devices++;
		if (o->current) {
			ks->current++;
		} else {
			ks->older++;
			if (cur != NULL && d->slot[k].when <= changed)
				ks->not_asked++;
		}
	}
	/* Versions no device holds any more are not worth a line. */
	{
		size_t w = 0;

		for (size_t i = 0; i < nv; i++)
			if (ks->versions[i].phones > 0 || ks->versions[i].current)
				ks->versions[w++] = ks->versions[i];
		nv = w;
	}
	ks->nversions = nv;
	if (nv > 1)
		qsort(ks->versions, nv, sizeof(*ks->versions), cmp_ver);
	free(map);
	return CTL_OK;
}

enum ctl_err
rollout_summarize(const struct rollout_records *r, const uint8_t *const current[ROLLOUT_KINDS],
                  struct rollout_summary **out)
{
	struct rollout_summary *s = calloc(1, sizeof(*s));
	enum ctl_err e = CTL_OK;

	*out = NULL;
	if (s == NULL)
		return CTL_E_NOMEM;
	s->devices = r->ndevices;
	for (unsigned k = 0; e == CTL_OK && k < ROLLOUT_KINDS; k++)
		e = summarize_kind(r, k, current != NULL ? current[k] : NULL, &s->kind[k]);
	if (e != CTL_OK) {
		rollout_summary_free(s);
		return e;
	}
	*out = s;
	return CTL_OK;
}
