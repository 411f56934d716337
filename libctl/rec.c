/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record parsing (format section 6): RECORDLENGTH first, counting its own
 * 5 bytes, then elements in any order ending exactly at RECORDLENGTH.
 * Unknown tags are kept in the element list and shown, never trusted.
 */
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static CTL_MUST_USE enum ctl_err
rec_push_elem(struct ctl_record *r, struct ctl_elem e, size_t *cap)
{
	struct ctl_elem *ne;

	if (r->nelems == *cap) {
		size_t ncap = *cap ? *cap * 2 : 12;
		if ((ne = realloc(r->elems, ncap * sizeof(*ne))) == NULL)
			return CTL_E_NOMEM;
		r->elems = ne;
		*cap = ncap;
	}
	r->elems[r->nelems++] = e;
	return CTL_OK;
}

/* Where each known record tag is stored; NULL for the fixed-size ones. */
static struct ctl_bytes *
rec_slot(struct ctl_record *r, uint8_t tag)
{
	switch (tag) {
	case CTL_R_DNSNAME: return &r->dns;
	case CTL_R_SUBJECTNAME: return &r->subject;
	case CTL_R_ISSUERNAME: return &r->issuer;
	case CTL_R_SERIALNUMBER: return &r->serial;
	case CTL_R_PUBLICKEY: return &r->pubkey;
	case CTL_R_SIGNATURE: return &r->sig;
	case CTL_R_CERTIFICATE: return &r->cert;
	case CTL_R_CERTHASH: return &r->certhash;
	case CTL_R_HASHALGORITHM: return &r->hashalg;
	default: return NULL;
	}
}

static CTL_MUST_USE enum ctl_err
rec_store(struct ctl_record *r, const struct ctl_elem *e, int idx, struct ctl_diag *diag)
{
	struct ctl_bytes *slot;
	struct ctl_rd val;

	switch (e->tag) {
	case CTL_R_FUNCTION:
		ctl_rd_init_at(&val, e->val, e->len, e->off + 3);
		if (e->len != 2 || ctl_rd_u16be(&val, &r->role) != CTL_OK)
			return ctli_fail(diag, CTL_E_FIELD_LEN, e->off, e->tag, idx,
			                 "FUNCTION length %u, the format requires 2", e->len);
		r->has_role = 1;
		return CTL_OK;
	case CTL_R_IPADDRESS:
		if (e->len != 4)
			return ctli_fail(diag, CTL_E_FIELD_LEN, e->off, e->tag, idx,
			                 "IPADDRESS length %u, the format requires 4", e->len);
		r->has_ip = 1;
		memcpy(r->ip, e->val, 4);
		return CTL_OK;
	default:
		break;
	}
	if ((slot = rec_slot(r, e->tag)) == NULL)
		return CTL_OK; /* unknown: kept in elems only */
	/* DNSNAME is "\0" for tokens; the key material may never be empty. */
	if (e->len == 0 && e->tag != CTL_R_DNSNAME)
		return ctli_fail(diag, CTL_E_ZERO_LEN, e->off, e->tag, idx, "empty element");
	slot->p = e->val;
	slot->len = e->len;
	return CTL_OK;
}

static CTL_MUST_USE enum ctl_err
parse_body(struct ctl_record *r, struct ctl_rd *rd, int idx, struct ctl_diag *diag)
{
	uint32_t seen = 1u << CTL_R_RECORDLENGTH;
	size_t cap = 0;
	enum ctl_err err;

	while (ctl_rd_left(rd) > 0) {
		struct ctl_elem e = { 0, 0, ctl_rd_off(rd), NULL, 0 };

		if (ctl_rd_u8(rd, &e.tag) != CTL_OK || ctl_rd_u16be(rd, &e.len) != CTL_OK ||
		    ctl_rd_view(rd, &e.val, e.len) != CTL_OK)
			return ctli_fail(diag, CTL_E_REC_LEN, e.off, e.tag, idx,
			                 "element runs past RECORDLENGTH %u (record ends at offset %zu)",
			                 r->length, r->off + r->length);
		if (e.tag >= 1 && e.tag <= CTL_R_HASHALGORITHM) {
			if (seen & (1u << e.tag))
				return ctli_fail(diag, CTL_E_DUP_TAG, e.off, e.tag, idx,
				                 "tag %u appears twice in the record", e.tag);
			seen |= 1u << e.tag;
		}
		if ((err = rec_push_elem(r, e, &cap)) != CTL_OK)
			return err;
		if ((err = rec_store(r, &e, idx, diag)) != CTL_OK)
			return err;
	}
	if (!r->has_role)
		return ctli_fail(diag, CTL_E_MISSING, r->off, CTL_R_FUNCTION, idx,
		                 "record has no FUNCTION (tag 4)");
	return CTL_OK;
}

static CTL_MUST_USE enum ctl_err
parse_record(struct ctl_file *f, struct ctl_rd *rd, struct ctl_record *r, int idx,
             struct ctl_diag *diag)
{
	uint8_t tag;
	uint16_t len;
	struct ctl_rd body;

	memset(r, 0, sizeof(*r));
	r->off = ctl_rd_off(rd);
	if (ctl_rd_u8(rd, &tag) != CTL_OK)
		return CTL_E_TRUNCATED;
	if (tag != CTL_R_RECORDLENGTH)
		return ctli_fail(diag, CTL_E_ORDER, r->off, tag, idx,
		                 "record must start with RECORDLENGTH (tag 1)");
	if (ctl_rd_u16be(rd, &len) != CTL_OK || ctl_rd_u16be(rd, &r->length) != CTL_OK)
		return ctli_fail(diag, CTL_E_TRUNCATED, r->off, tag, idx,
		                 "file ends inside RECORDLENGTH");
	if (len != 2)
		return ctli_fail(diag, CTL_E_FIELD_LEN, r->off, tag, idx,
		                 "RECORDLENGTH length %u, the format requires 2", len);
	if (r->length < 5)
		return ctli_fail(diag, CTL_E_REC_LEN, r->off, tag, idx,
		                 "RECORDLENGTH %u is shorter than itself (5)", r->length);
	if (ctl_rd_sub(rd, &body, r->length - 5u) != CTL_OK)
		return ctli_fail(diag, CTL_E_TRUNCATED, r->off, tag, idx,
		                 "truncated record: RECORDLENGTH %u exceeds the %zu bytes left in "
		                 "the file", r->length, f->len - r->off);
	return parse_body(r, &body, idx, diag);
}

static void
record_cleanup(struct ctl_record *r)
{
	free(r->elems);
	r->elems = NULL;
}

enum ctl_err
ctli_parse_records(struct ctl_file *f, struct ctl_diag *diag)
{
	struct ctl_rd rd;
	enum ctl_err err;

	ctl_rd_init(&rd, f->data, f->len);
	if ((err = ctl_rd_skip(&rd, f->header_len)) != CTL_OK)
		return err;
	while (ctl_rd_left(&rd) > 0) {
		struct ctl_record r;

		if (f->nrecs == f->recs_cap) {
			size_t cap = f->recs_cap ? f->recs_cap * 2 : 8;
			struct ctl_record *nr = realloc(f->recs, cap * sizeof(*nr));
			if (nr == NULL)
				return CTL_E_NOMEM;
			f->recs = nr;
			f->recs_cap = cap;
		}
		if ((err = parse_record(f, &rd, &r, (int)f->nrecs + 1, diag)) != CTL_OK) {
			record_cleanup(&r);
			return err;
		}
		f->recs[f->nrecs++] = r;
	}
	return CTL_OK;
}
