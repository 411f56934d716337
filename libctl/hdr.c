/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Header parsing (format sections 1-5). VERSION must come first and
 * HEADER_LENGTH second; then elements, containers and 0x0D padding bytes up
 * to exactly HEADER_LENGTH. Containers 3, 7 and 9 are parsed through child
 * readers capped at their length, so a container whose length differs from
 * the sum of its children is caught where it happens.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_int.h"
#include "parse.h"

/* Fixed element sizes; 0 = variable. */
static const uint8_t hdr_fixed_len[29] = {
	[CTL_H_VERSION] = 2, [CTL_H_HEADER_LENGTH] = 2, [CTL_H_DIGESTALGORITHM] = 1,
	[CTL_H_SIGNATUREALGORITHM] = 1, [CTL_H_SIGNATUREMODULUS] = 1,
	[CTL_H_TIMESTAMP] = 4, [CTL_H_SIGNER_VERSION] = 2,
};

static CTL_MUST_USE enum ctl_err
push_elem(struct ctl_file *f, uint8_t tag, uint16_t len, size_t off, const uint8_t *val, int depth)
{
	struct ctl_elem *ne;

	if (f->nhelems == f->helems_cap) {
		size_t cap = f->helems_cap ? f->helems_cap * 2 : 24;
		if ((ne = realloc(f->helems, cap * sizeof(*ne))) == NULL)
			return CTL_E_NOMEM;
		f->helems = ne;
		f->helems_cap = cap;
	}
	f->helems[f->nhelems++] = (struct ctl_elem){ tag, len, off, val, depth };
	return CTL_OK;
}

/* Parses the children of a container; allowed is a bitmask of tags. */
static CTL_MUST_USE enum ctl_err parse_elems(struct hdr_ctx *c, struct ctl_rd *rd,
                                             uint32_t allowed, int depth, int container_tag);

/* v and val are the same value bytes: v for single bytes, val for numbers. */
static CTL_MUST_USE enum ctl_err
store_value(struct hdr_ctx *c, uint8_t tag, const uint8_t *v, struct ctl_rd *val, uint16_t len,
            size_t off)
{
	struct ctl_file *f = c->f;
	struct ctl_bytes b = { v, len };

	if (hdr_fixed_len[tag] != 0 && len != hdr_fixed_len[tag])
		return ctli_fail(c->diag, CTL_E_FIELD_LEN, off, tag, 0,
		                 "length %u, the format requires %u", len, hdr_fixed_len[tag]);
	if (len == 0)
		return ctli_fail(c->diag, CTL_E_ZERO_LEN, off, tag, 0, "empty element");
	switch (tag) {
	case CTL_H_SIGNERNAME: f->signer_name = b; break;
	case CTL_H_SERIALNUMBER: f->signer_serial = b; break;
	case CTL_H_CANAME: f->caname = b; break;
	case CTL_H_DIGESTALGORITHM:
		if (ctli_md(v[0]) == NULL)
			return ctli_fail(c->diag, CTL_E_DIGEST, off, tag, 0,
			                 "unknown digest algorithm code %u", v[0]);
		f->digest = v[0];
		break;
	case CTL_H_SIGNATUREALGORITHM:
		if (v[0] != 0)
			return ctli_fail(c->diag, CTL_E_SIGALG, off, tag, 0,
			                 "signature algorithm %u (only 0, RSA, is defined)", v[0]);
		f->sigalg = v[0];
		break;
	case CTL_H_SIGNATUREMODULUS:
		if (ctli_modulus_bytes(v[0]) == 0)
			return ctli_fail(c->diag, CTL_E_MODULUS, off, tag, 0,
			                 "unknown modulus code %u", v[0]);
		f->modulus = v[0];
		break;
	case CTL_H_SIGNATURE:
		f->signature = b;
		f->sig_off = off;
		f->sig_tlv_len = 3u + len;
		break;
	case CTL_H_FILENAME: f->filename = b; break;
	case CTL_H_TIMESTAMP:
		if (ctl_rd_u32be(val, &f->timestamp) != CTL_OK)
			return ctli_fail(c->diag, CTL_E_FIELD_LEN, off, tag, 0, "TIMESTAMP cut short");
		break;
	case CTL_H_SIGNER_VERSION:
		f->has_signer_version = 1;
		f->sv_major = v[0];
		f->sv_minor = v[1];
		break;
	default:
		break;
	}
	return CTL_OK;
}

/* Allowed children of each container (section 2). */
static uint32_t
container_children(uint8_t tag)
{
	switch (tag) {
	case CTL_H_SIGNERID:
		return (1u << CTL_H_SIGNERNAME) | (1u << CTL_H_SERIALNUMBER) | (1u << CTL_H_CANAME);
	case CTL_H_SIGNATUREINFO:
		return (1u << CTL_H_DIGESTALGORITHM) | (1u << CTL_H_SIGNATUREALGOINFO);
	case CTL_H_SIGNATUREALGOINFO:
		return (1u << CTL_H_SIGNATUREALGORITHM) | (1u << CTL_H_SIGNATUREMODULUS);
	default:
		return 0;
	}
}

static int
is_container(uint8_t tag)
{
	return container_children(tag) != 0;
}

static CTL_MUST_USE enum ctl_err
parse_one(struct hdr_ctx *c, struct ctl_rd *rd, uint32_t allowed, int depth, int container_tag)
{
	size_t off = ctl_rd_off(rd);
	uint8_t tag;
	uint16_t len;
	const uint8_t *val;
	struct ctl_rd body;
	enum ctl_err r;
	int known;

	if ((r = ctl_rd_u8(rd, &tag)) != CTL_OK)
		return r;
	if (tag == CTL_H_PADDING) {
		if (depth > 0)
			return ctli_fail(c->diag, CTL_E_CONTAINER_LEN, off, container_tag, 0,
			                 "padding byte inside container tag %d", container_tag);
		return CTL_OK;
	}
	if (ctl_rd_u16be(rd, &len) != CTL_OK || ctl_rd_sub(rd, &body, len) != CTL_OK ||
	    ctl_rd_peek(&body, &val, len) != CTL_OK) {
		if (depth > 0)
			return ctli_fail(c->diag, CTL_E_CONTAINER_LEN, off, tag, 0,
			                 "element runs past the end of container tag %d", container_tag);
		return ctli_fail(c->diag, CTL_E_HDR_LEN, off, tag, 0,
		                 "element runs past HEADER_LENGTH %u", c->f->header_len);
	}
	known = tag < 32 && (tag <= CTL_H_TIMESTAMP || tag == CTL_H_SIGNER_VERSION);
	if (known && !(allowed & (1u << tag))) {
		if (tag == CTL_H_VERSION || tag == CTL_H_HEADER_LENGTH)
			return ctli_fail(c->diag, CTL_E_DUP_TAG, off, tag, 0,
			                 "%s appears again", tag == 1 ? "VERSION" : "HEADER_LENGTH");
		return ctli_fail(c->diag, CTL_E_BAD_TAG, off, tag, 0, "tag %u not allowed %s",
		                 tag, depth ? "in this container" : "outside its container");
	}
	if (known && (c->seen & (1u << tag)))
		return ctli_fail(c->diag, CTL_E_DUP_TAG, off, tag, 0, "tag %u appears twice", tag);
	if (!known && (c->flags & CTL_PARSE_STRICT))
		return ctli_fail(c->diag, CTL_E_BAD_TAG, off, tag, 0, "unknown header tag %u", tag);
	if (known)
		c->seen |= 1u << tag;
	if ((r = push_elem(c->f, tag, len, off, val, depth)) != CTL_OK)
		return r;
	if (!known)
		return CTL_OK; /* kept and shown, not interpreted */
	if (!is_container(tag))
		return store_value(c, tag, val, &body, len, off);
	if (len == 0)
		return ctli_fail(c->diag, CTL_E_ZERO_LEN, off, tag, 0, "empty container");
	/* A container's value is its children (section 1): re-read them. */
	return parse_elems(c, &body, container_children(tag), depth + 1, tag);
}

static CTL_MUST_USE enum ctl_err
parse_elems(struct hdr_ctx *c, struct ctl_rd *rd, uint32_t allowed, int depth, int container_tag)
{
	enum ctl_err r;

	while (ctl_rd_left(rd) > 0)
		if ((r = parse_one(c, rd, allowed, depth, container_tag)) != CTL_OK)
			return r;
	return CTL_OK;
}

/* Top-level header elements allowed after VERSION and HEADER_LENGTH. */
#define TOP_ALLOWED ((1u << CTL_H_SIGNERID) | (1u << CTL_H_SIGNATUREINFO) | \
                     (1u << CTL_H_SIGNATURE) | (1u << CTL_H_FILENAME) |       \
                     (1u << CTL_H_TIMESTAMP) | (1u << CTL_H_SIGNER_VERSION))

static const struct {
	uint8_t tag;
	const char *name;
} required[] = {
	{ CTL_H_SIGNERNAME, "SIGNERNAME" }, { CTL_H_SERIALNUMBER, "SERIALNUMBER" },
	{ CTL_H_CANAME, "CANAME" }, { CTL_H_DIGESTALGORITHM, "DIGESTALGORTITHM" },
	{ CTL_H_SIGNATUREALGORITHM, "SIGNATUREALGORTITHM" },
	{ CTL_H_SIGNATUREMODULUS, "SIGNATUREMODULUS" }, { CTL_H_SIGNATURE, "SIGNATURE" },
	{ CTL_H_FILENAME, "FILENAME" }, { CTL_H_TIMESTAMP, "TIMESTAMP" },
};

static CTL_MUST_USE enum ctl_err
check_complete(struct hdr_ctx *c)
{
	struct ctl_file *f = c->f;
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(c->seen & (1u << required[i].tag)))
			return ctli_fail(c->diag, CTL_E_MISSING, f->header_len, required[i].tag, 0,
			                 "header has no %s (tag %u)", required[i].name, required[i].tag);
	if (ctli_modulus_bytes(f->modulus) != f->signature.len)
		return ctli_fail(c->diag, CTL_E_MODULUS, f->sig_off, CTL_H_SIGNATURE, 0,
		                 "signature is %zu bytes but modulus code %u means %zu",
		                 f->signature.len, f->modulus, ctli_modulus_bytes(f->modulus));
	return CTL_OK;
}

/* VERSION then HEADER_LENGTH, fixed at offsets 0 and 5 (section 2). */
static CTL_MUST_USE enum ctl_err
parse_prefix(struct hdr_ctx *c, struct ctl_rd *rd)
{
	struct ctl_file *f = c->f;
	uint8_t tag;
	uint16_t len, num;
	int i;

	for (i = 0; i < 2; i++) {
		size_t off = ctl_rd_off(rd);
		uint8_t want = i == 0 ? CTL_H_VERSION : CTL_H_HEADER_LENGTH;
		const uint8_t *v;

		if (ctl_rd_u8(rd, &tag) != CTL_OK || ctl_rd_u16be(rd, &len) != CTL_OK ||
		    (tag == want && len == 2 && (ctl_rd_peek_u16be(rd, &num) != CTL_OK ||
		                                 ctl_rd_view(rd, &v, 2) != CTL_OK)))
			return ctli_fail(c->diag, CTL_E_TRUNCATED, off, want, 0,
			                 "file ends inside the header (%zu bytes)", f->len);
		if (tag != want)
			return ctli_fail(c->diag, CTL_E_ORDER, off, tag, 0, "%s must be %s (tag %u)",
			                 i == 0 ? "the file" : "VERSION", i == 0 ?
			                 "start with VERSION" : "followed by HEADER_LENGTH", want);
		if (len != 2)
			return ctli_fail(c->diag, CTL_E_FIELD_LEN, off, tag, 0,
			                 "length %u, the format requires 2", len);
		if (push_elem(f, tag, len, off, v, 0) != CTL_OK)
			return CTL_E_NOMEM;
		if (i == 0) {
			f->ver_major = v[0];
			f->ver_minor = v[1];
		} else {
			f->header_len = num;
		}
	}
	/* An encrypted configuration file says 2.0; everything else 1.x. */
	if (f->ver_major != ((c->flags & CTLI_PARSE_ENC) ? 2 : 1))
		return ctli_fail(c->diag, CTL_E_VERSION, 0, CTL_H_VERSION, 0,
		                 "version %u.%u: only major version %d is supported%s",
		                 f->ver_major, f->ver_minor, (c->flags & CTLI_PARSE_ENC) ? 2 : 1,
		                 (c->flags & CTLI_PARSE_ENC) ? " in an encrypted file" : "");
	return CTL_OK;
}

enum ctl_err
ctli_parse_header(struct hdr_ctx *c)
{
	struct ctl_file *f = c->f;
	struct ctl_rd rd, hdr;
	enum ctl_err r;

	ctl_rd_init(&rd, f->data, f->len);
	if ((r = parse_prefix(c, &rd)) != CTL_OK)
		return r;
	if (f->header_len > f->len)
		return ctli_fail(c->diag, CTL_E_TRUNCATED, 5, CTL_H_HEADER_LENGTH, 0,
		                 "HEADER_LENGTH %u exceeds the file size %zu", f->header_len, f->len);
	if (f->header_len < 10)
		return ctli_fail(c->diag, CTL_E_HDR_LEN, 5, CTL_H_HEADER_LENGTH, 0,
		                 "HEADER_LENGTH %u is shorter than VERSION and HEADER_LENGTH",
		                 f->header_len);
	ctl_rd_init(&hdr, f->data, f->header_len);
	if ((r = ctl_rd_skip(&hdr, 10)) != CTL_OK)
		return r;
	if ((r = parse_elems(c, &hdr, TOP_ALLOWED, 0, -1)) != CTL_OK)
		return r;
	return check_complete(c);
}
