/* SPDX-License-Identifier: Apache-2.0 */
/* The parsed file object: parse entry point, accessors, free. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

static enum ctl_kind
kind_of(const struct ctl_file *f, unsigned flags)
{
	const char *n = (const char *)f->filename.p;
	size_t len = f->filename.len;

	while (len > 0 && n[len - 1] == '\0')
		len--;
	if ((flags & CTL_PARSE_SGN) || (len >= 4 && strncasecmp(n + len - 4, ".sgn", 4) == 0))
		return CTL_KIND_SGN;
	if (len >= 3 && strncasecmp(n, "ITL", 3) == 0)
		return CTL_KIND_ITL;
	return CTL_KIND_CTL;
}

enum ctl_err
ctl_file_parse(const uint8_t *buf, size_t len, unsigned flags, struct ctl_file **out,
               struct ctl_diag *diag)
{
	struct ctl_file *f;
	struct hdr_ctx c;
	enum ctl_err r;

	*out = NULL;
	ctl_diag_clear(diag);
	if (len > CTL_MAX_FILE)
		return ctli_fail(diag, CTL_E_TOO_LARGE, 0, -1, 0,
		                 "file of %zu bytes exceeds the %u-byte limit", len, CTL_MAX_FILE);
	if (len == 0)
		return ctli_fail(diag, CTL_E_TRUNCATED, 0, -1, 0, "empty file");
	if ((f = calloc(1, sizeof(*f))) == NULL || (f->data = malloc(len)) == NULL) {
		free(f);
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	}
	memcpy(f->data, buf, len);
	f->len = len;
	c = (struct hdr_ctx){ f, flags & ~CTLI_PARSE_ENC, 0, diag }; /* internal bit: encsgn_parse.c */
	if ((r = ctli_parse_header(&c)) != CTL_OK)
		goto out;
	f->kind = kind_of(f, flags);
	if (f->kind == CTL_KIND_SGN) {
		f->payload.p = f->data + f->header_len;
		f->payload.len = f->len - f->header_len;
	} else if ((r = ctli_parse_records(f, diag)) != CTL_OK) {
		goto out;
	}
	*out = f;
	return CTL_OK;
out:
	if (r == CTL_E_NOMEM)
		r = ctli_fail(diag, r, 0, -1, 0, "out of memory");
	ctl_file_free(f);
	return r;
}

enum ctl_err
ctl_file_load(const char *path, unsigned flags, struct ctl_file **out, struct ctl_diag *diag)
{
	uint8_t *buf;
	size_t len;
	enum ctl_err r;

	*out = NULL;
	if ((r = ctl_read_file(path, CTL_MAX_FILE, &buf, &len, diag)) != CTL_OK)
		return r;
	r = ctl_file_parse(buf, len, flags, out, diag);
	free(buf);
	return r;
}

void
ctl_file_free(struct ctl_file *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nrecs; i++)
		free(f->recs[i].elems);
	free(f->recs);
	free(f->helems);
	free(f->data);
	free(f);
}

const uint8_t *
ctl_file_bytes(const struct ctl_file *f, size_t *len)
{
	*len = f->len;
	return f->data;
}

enum ctl_kind ctl_file_kind(const struct ctl_file *f) { return f->kind; }
uint16_t ctl_file_header_length(const struct ctl_file *f) { return f->header_len; }
struct ctl_bytes ctl_file_signer_name(const struct ctl_file *f) { return f->signer_name; }
struct ctl_bytes ctl_file_signer_serial(const struct ctl_file *f) { return f->signer_serial; }
struct ctl_bytes ctl_file_signer_caname(const struct ctl_file *f) { return f->caname; }
struct ctl_bytes ctl_file_filename(const struct ctl_file *f) { return f->filename; }
struct ctl_bytes ctl_file_signature(const struct ctl_file *f) { return f->signature; }
struct ctl_bytes ctl_file_payload(const struct ctl_file *f) { return f->payload; }
uint8_t ctl_file_digest(const struct ctl_file *f) { return f->digest; }
uint8_t ctl_file_sigalg(const struct ctl_file *f) { return f->sigalg; }
uint8_t ctl_file_modulus_code(const struct ctl_file *f) { return f->modulus; }
uint32_t ctl_file_timestamp(const struct ctl_file *f) { return f->timestamp; }
size_t ctl_file_nrecords(const struct ctl_file *f) { return f->nrecs; }

void
ctl_file_version(const struct ctl_file *f, uint8_t *major, uint8_t *minor)
{
	*major = f->ver_major;
	*minor = f->ver_minor;
}

int
ctl_file_signer_version(const struct ctl_file *f, uint8_t *major, uint8_t *minor)
{
	*major = f->sv_major;
	*minor = f->sv_minor;
	return f->has_signer_version;
}

const struct ctl_elem *
ctl_file_header_elems(const struct ctl_file *f, size_t *n)
{
	*n = f->nhelems;
	return f->helems;
}

const struct ctl_record *
ctl_file_record(const struct ctl_file *f, size_t i)
{
	return i < f->nrecs ? &f->recs[i] : NULL;
}
