/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Builder: collects records (from certificates, or copied from a parsed
 * file) and header settings; ctl_builder_sign() in sign.c serialises them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "build.h"

enum ctl_err
ctl_builder_new(enum ctl_kind kind, struct ctl_builder **out)
{
	struct ctl_builder *b;

	*out = NULL;
	if (kind != CTL_KIND_CTL && kind != CTL_KIND_ITL && kind != CTL_KIND_SGN)
		return CTL_E_INVAL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return CTL_E_NOMEM;
	b->kind = kind;
	b->digest = CTL_DIGEST_SHA1;
	/* Section 4: 1.2 in CTL/ITL files, 1.0 in .sgn files. */
	b->ver_major = 1;
	b->ver_minor = kind == CTL_KIND_SGN ? 0 : 2;
	*out = b;
	return CTL_OK;
}

static void
rec_cleanup(struct bld_rec *r)
{
	X509_free(r->cert);
	free(r->dns);
	free(r->raw);
}

void
ctl_builder_free(struct ctl_builder *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nrecs; i++)
		rec_cleanup(&b->recs[i]);
	free(b->recs);
	free(b->filename);
	free(b->payload);
	free(b->hdr_extra);
	free(b);
}

enum ctl_err
ctl_builder_set_digest(struct ctl_builder *b, enum ctl_digest d)
{
	if (ctli_md((uint8_t)d) == NULL)
		return CTL_E_DIGEST;
	b->digest = d;
	return CTL_OK;
}

enum ctl_err
ctl_builder_set_filename(struct ctl_builder *b, const char *name)
{
	char *copy;

	if (name == NULL || name[0] == '\0' || strlen(name) > 255)
		return CTL_E_INVAL;
	if ((copy = strdup(name)) == NULL)
		return CTL_E_NOMEM;
	free(b->filename);
	b->filename = copy;
	return CTL_OK;
}

void
ctl_builder_set_timestamp(struct ctl_builder *b, uint32_t ts)
{
	b->has_ts = 1;
	b->timestamp = ts;
}

void
ctl_builder_set_version(struct ctl_builder *b, uint8_t major, uint8_t minor)
{
	b->ver_major = major;
	b->ver_minor = minor;
}

void
ctl_builder_set_signer_version(struct ctl_builder *b, uint8_t major, uint8_t minor)
{
	b->has_sv = 1;
	b->sv_major = major;
	b->sv_minor = minor;
}

enum ctl_err
ctl_builder_set_name_format(struct ctl_builder *b, enum ctl_name_format f)
{
	if (f != CTL_NAME_CUCM && f != CTL_NAME_RFC4514)
		return CTL_E_INVAL;
	b->name_format = f;
	return CTL_OK;
}

/* Replaces *dst (*dst_len bytes) with a copy of p (n <= max bytes); unchanged on error. */
static CTL_MUST_USE enum ctl_err
replace_copy(uint8_t **dst, size_t *dst_len, const uint8_t *p, size_t n, size_t max)
{
	uint8_t *copy;

	if (n > max)
		return CTL_E_TOO_LARGE;
	if ((copy = malloc(n ? n : 1)) == NULL)
		return CTL_E_NOMEM;
	if (n > 0)
		memcpy(copy, p, n);
	free(*dst);
	*dst = copy;
	*dst_len = n;
	return CTL_OK;
}

enum ctl_err
ctl_builder_set_payload(struct ctl_builder *b, const uint8_t *p, size_t n)
{
	return replace_copy(&b->payload, &b->payload_len, p, n, CTL_MAX_FILE);
}

enum ctl_err
ctli_builder_set_hdr_extra(struct ctl_builder *b, const uint8_t *p, size_t n)
{
	return replace_copy(&b->hdr_extra, &b->hdr_extra_len, p, n, 0xffff);
}

static CTL_MUST_USE struct bld_rec *
new_rec(struct ctl_builder *b)
{
	if (b->nrecs == b->recs_cap) {
		size_t cap = b->recs_cap ? b->recs_cap * 2 : 8;
		struct bld_rec *nr = realloc(b->recs, cap * sizeof(*nr));
		if (nr == NULL)
			return NULL;
		b->recs = nr;
		b->recs_cap = cap;
	}
	memset(&b->recs[b->nrecs], 0, sizeof(b->recs[0]));
	return &b->recs[b->nrecs];
}

/* Completes r (from new_rec) with role and the optional address, and counts it. */
static void
add_rec(struct ctl_builder *b, struct bld_rec *r, uint16_t role, const uint8_t *ipv4)
{
	r->role = role;
	if (ipv4 != NULL) {
		r->has_ip = 1;
		memcpy(r->ip, ipv4, 4);
	}
	b->nrecs++;
}

/* Whether the builder's name form can write cert's subject and issuer (name.c). */
static CTL_MUST_USE enum ctl_err
names_writable(const struct ctl_builder *b, X509 *cert, struct ctl_diag *diag)
{
	const X509_NAME *n[2] = { X509_get_subject_name(cert), X509_get_issuer_name(cert) };
	char *s = NULL;
	enum ctl_err r = CTL_OK;
	int i;

	for (i = 0; i < 2 && r == CTL_OK; i++) {
		r = ctl_name_format_string(n[i], b->name_format, &s);
		free(s);
		s = NULL;
		if (r == CTL_E_CERT && b->name_format == CTL_NAME_CUCM)
			return ctli_fail(diag, r, 0, -1, (int)b->nrecs + 1, "record %zu: the certificate's "
			                 "%s cannot be written in CUCM's unescaped name form (a value holds a "
			                 "NUL, starts with '\"' or has ';' before TYPE=); use the RFC 4514 form",
			                 b->nrecs + 1, i == 0 ? "subject" : "issuer");
		if (r != CTL_OK)
			return ctli_fail(diag, r, 0, -1, (int)b->nrecs + 1, "record %zu: the certificate's "
			                 "%s cannot be written: %s", b->nrecs + 1,
			                 i == 0 ? "subject" : "issuer", ctl_strerror(r));
	}
	return CTL_OK;
}

enum ctl_err
ctl_builder_add_cert(struct ctl_builder *b, X509 *cert, uint16_t role, const char *dns,
                     const uint8_t ipv4[4], struct ctl_diag *diag)
{
	struct bld_rec *r;
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	enum ctl_err e;

	ctl_diag_clear(diag);
	if (pk == NULL || (!EVP_PKEY_is_a(pk, "RSA") && !EVP_PKEY_is_a(pk, "EC")))
		return ctli_fail(diag, CTL_E_KEY, 0, -1, (int)b->nrecs + 1,
		                 "record %zu: only RSA and EC certificate keys can be listed",
		                 b->nrecs + 1);
	if ((e = names_writable(b, cert, diag)) != CTL_OK)
		return e;
	if (dns != NULL && strlen(dns) > 255)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "DNS name longer than 255 bytes");
	if ((r = new_rec(b)) == NULL)
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	if (dns != NULL && (r->dns = strdup(dns)) == NULL)
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	X509_up_ref(cert);
	r->cert = cert;
	add_rec(b, r, role, ipv4);
	return CTL_OK;
}

enum ctl_err
ctli_builder_add_bare(struct ctl_builder *b, uint16_t role, const char *dns, const uint8_t *ipv4,
                      struct ctl_diag *diag)
{
	struct bld_rec *r;
	char ip[16] = "";

	ctl_diag_clear(diag);
	if (dns != NULL && strlen(dns) > 255)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "DNS name longer than 255 bytes");
	/* CUCM writes the node's address as its name in these records. */
	if (dns == NULL && ipv4 != NULL)
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", ipv4[0], ipv4[1], ipv4[2], ipv4[3]);
	if ((r = new_rec(b)) == NULL || (r->dns = strdup(dns != NULL ? dns : ip)) == NULL)
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	add_rec(b, r, role, ipv4);
	return CTL_OK;
}

/* Keeps a parsed record's elements verbatim, so a rebuild is byte-identical. */
enum ctl_err
ctl_builder_add_record(struct ctl_builder *b, const struct ctl_record *pr)
{
	struct bld_rec *r;
	struct ctl_wr wr;
	enum ctl_err e = CTL_OK;
	size_t i;

	if ((r = new_rec(b)) == NULL)
		return CTL_E_NOMEM;
	ctl_wr_init(&wr, 0xffff);
	for (i = 0; i < pr->nelems && e == CTL_OK; i++) {
		const struct ctl_elem *el = &pr->elems[i];

		if ((e = ctl_wr_u8(&wr, el->tag)) == CTL_OK && (e = ctl_wr_u16be(&wr, el->len)) == CTL_OK)
			e = ctl_wr_bytes(&wr, el->val, el->len);
	}
	if (e != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return e;
	}
	r->raw = ctl_wr_take(&wr, &r->raw_len);
	r->is_raw = 1;
	r->role = pr->role;
	if (pr->cert.len > 0) {
		const unsigned char *p = pr->cert.p;
		r->cert = d2i_X509(NULL, &p, (long)pr->cert.len); /* NULL if unparsable */
	}
	b->nrecs++;
	return CTL_OK;
}

size_t
ctl_builder_nrecords(const struct ctl_builder *b)
{
	return b->nrecs;
}

enum ctl_err
ctl_builder_from_file(const struct ctl_file *f, struct ctl_builder **out)
{
	struct ctl_builder *b;
	enum ctl_err r;
	size_t i;
	char name[256];
	size_t n = f->filename.len;

	*out = NULL;
	if ((r = ctl_builder_new(f->kind, &b)) != CTL_OK)
		return r;
	b->digest = f->digest;
	ctl_builder_set_version(b, f->ver_major, f->ver_minor);
	if (f->has_signer_version)
		ctl_builder_set_signer_version(b, f->sv_major, f->sv_minor);
	ctl_builder_set_timestamp(b, f->timestamp);
	while (n > 0 && f->filename.p[n - 1] == '\0')
		n--;
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, f->filename.p, n);
	name[n] = '\0';
	if ((r = ctl_builder_set_filename(b, name)) == CTL_OK && f->kind == CTL_KIND_SGN)
		r = ctl_builder_set_payload(b, f->payload.p, f->payload.len);
	for (i = 0; i < f->nrecs && r == CTL_OK; i++)
		r = ctl_builder_add_record(b, &f->recs[i]);
	if (r != CTL_OK) {
		ctl_builder_free(b);
		return r;
	}
	*out = b;
	return CTL_OK;
}
