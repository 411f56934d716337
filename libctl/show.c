/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `show ctl` rendering (section 13): the layout CUCM prints, tag numbers in
 * the BYTEPOS column, tab-separated, names without their NUL, serials in
 * upper-case colon hex, certificates as their SHA-1 fingerprint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <ctl/show.h>
#include <ctl/text.h>

#include "show.h"

/*
 * FUNCTION as `show ctl` words it: CUCM's names for 0-4, 7 and 21, and
 * SRST for 5 (the name a Cisco CTL parser of the CallManager 4.x era
 * printed). Kept here, beside the listing, so the display does not change
 * with the configuration names of codes.c; other codes fall back to them.
 */
static const char *
role_show_name(uint16_t role)
{
	static const struct {
		uint16_t code;
		const char *name;
	} names[] = {
		{ 0, "System Administrator Security Token" }, { 1, "CCM" }, { 2, "CCM+TFTP" },
		{ 3, "TFTP" }, { 4, "CAPF" }, { 5, "SRST" }, { 7, "APP-SERVER" }, { 21, "TVS" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == role)
			return names[i].name;
	return ctl_role_name(role);
}

/* Header tag names as CUCM spells them (misspellings verbatim). */
static const char *
htag_name(uint8_t tag)
{
	switch (tag) {
	case CTL_H_SIGNERID: return "SIGNERID";
	case CTL_H_SIGNERNAME: return "SIGNERNAME";
	case CTL_H_SERIALNUMBER: return "SERIALNUMBER";
	case CTL_H_CANAME: return "CANAME";
	case CTL_H_SIGNATUREINFO: return "SIGNATUREINFO";
	case CTL_H_DIGESTALGORITHM: return "DIGESTALGORTITHM";
	case CTL_H_SIGNATUREALGOINFO: return "SIGNATUREALGOINFO";
	case CTL_H_SIGNATUREALGORITHM: return "SIGNATUREALGORTITHM";
	case CTL_H_SIGNATUREMODULUS: return "SIGNATUREMODULUS";
	case CTL_H_SIGNATURE: return "SIGNATURE";
	case CTL_H_FILENAME: return "FILENAME";
	case CTL_H_TIMESTAMP: return "TIMESTAMP";
	case CTL_H_SIGNER_VERSION: return "SIGNERVERSION";
	default: return "UNKNOWN";
	}
}

static const char *
rtag_name(uint8_t tag)
{
	switch (tag) {
	case CTL_R_RECORDLENGTH: return "RECORDLENGTH";
	case CTL_R_DNSNAME: return "DNSNAME";
	case CTL_R_SUBJECTNAME: return "SUBJECTNAME";
	case CTL_R_FUNCTION: return "FUNCTION";
	case CTL_R_ISSUERNAME: return "ISSUERNAME";
	case CTL_R_SERIALNUMBER: return "SERIALNUMBER";
	case CTL_R_PUBLICKEY: return "PUBLICKEY";
	case CTL_R_SIGNATURE: return "SIGNATURE";
	case CTL_R_CERTIFICATE: return "CERTIFICATE";
	case CTL_R_IPADDRESS: return "IPADDRESS";
	case CTL_R_CERTHASH: return "CERTHASH";
	case CTL_R_HASHALGORITHM: return "HASH ALGORITHM";
	default: return "UNKNOWN";
	}
}

const char *
ctli_kind_word(enum ctl_kind k)
{
	return k == CTL_KIND_ITL ? "ITL" : k == CTL_KIND_SGN ? "SGN" : "CTL";
}

enum ctl_err
ctli_put_text(struct ctl_wr *wr, const uint8_t *p, size_t n)
{
	size_t need;
	char *s;
	enum ctl_err r;

	while (n > 0 && p[n - 1] == '\0')
		n--;
	/* Attacker-supplied bytes reach a terminal: the one escaper of ctl/text.h. */
	need = ctl_text_escape(NULL, 0, p, n);
	if ((s = malloc(need + 1)) == NULL)
		return CTL_E_NOMEM;
	ctl_text_escape(s, need + 1, p, n);
	r = ctl_wr_bytes(wr, s, need);
	free(s);
	return r;
}

enum ctl_err
ctli_put_hex(struct ctl_wr *wr, const uint8_t *p, size_t n, const char *sep)
{
	enum ctl_err r = CTL_OK;
	char h[3];
	size_t i;

	for (i = 0; i < n && r == CTL_OK; i++) {
		if (ctl_hex_encode(h, sizeof(h), p + i, 1, CTL_HEX_UPPER) == NULL)
			return CTL_E_INVAL;
		if (i > 0 && (r = ctl_wr_bytes(wr, sep, strlen(sep))) != CTL_OK)
			return r;
		r = ctl_wr_bytes(wr, h, 2);
	}
	return r;
}

enum ctl_err
ctli_cert_sha1(struct ctl_bytes cert, uint8_t out[20])
{
	unsigned int n = 0;

	return EVP_Digest(cert.p, cert.len, out, &n, EVP_sha1(), NULL) == 1 && n == 20 ?
	    CTL_OK : CTL_E_CRYPTO;
}

int
ctli_is_signer_record(const struct ctl_file *f, size_t i, const struct ctl_verify_result *v)
{
	const struct ctl_record *r = &f->recs[i];

	if (v != NULL && v->signer_index >= 0)
		return (size_t)v->signer_index == i;
	/* The issuer by meaning: a CTL re-signed may write its header and records in different name forms. */
	return r->role == CTL_ROLE_SAST && r->serial.len == f->signer_serial.len && r->serial.len > 0 &&
	       memcmp(r->serial.p, f->signer_serial.p, r->serial.len) == 0 &&
	       ctl_name_bytes_equal(r->issuer.p, r->issuer.len, f->caname.p, f->caname.len);
}

static CTL_MUST_USE enum ctl_err
show_header_elem(struct ctl_wr *wr, const struct ctl_elem *e)
{
	enum ctl_err r;
	size_t i;

	if (e->tag == CTL_H_VERSION || e->tag == CTL_H_HEADER_LENGTH)
		return CTL_OK; /* printed as "Version:" and "HeaderLength:" above the table */
	if (e->tag == CTL_H_SIGNERID || e->tag == CTL_H_SIGNATUREINFO ||
	    e->tag == CTL_H_SIGNATUREALGOINFO)
		return ctli_wr_printf(wr, "%u\t%s\t2\t%u\n", e->tag, htag_name(e->tag), e->len);
	if ((r = ctli_wr_printf(wr, "%u\t%s\t%u", e->tag, htag_name(e->tag), e->len)) != CTL_OK)
		return r;
	switch (e->tag) {
	case CTL_H_SIGNERNAME: case CTL_H_CANAME:
		if ((r = ctl_wr_u8(wr, '\t')) == CTL_OK)
			r = ctli_put_text(wr, e->val, e->len);
		break;
	case CTL_H_SERIALNUMBER:
		if ((r = ctl_wr_u8(wr, '\t')) == CTL_OK)
			r = ctli_put_hex(wr, e->val, e->len, ":");
		break;
	case CTL_H_SIGNER_VERSION:
		r = ctli_wr_printf(wr, "\t%u.%u", e->val[0], e->val[1]);
		break;
	case CTL_H_SIGNATURE:
		/* Lower-case, not zero-padded, 8 per line. */
		for (i = 0; i < e->len && r == CTL_OK; i++)
			r = ctli_wr_printf(wr, "%s%x", i % 8 == 0 ? "\n\t\t" : "  ", e->val[i]);
		break;
	default:
		break;
	}
	return r == CTL_OK ? ctl_wr_u8(wr, '\n') : r;
}

/* "The checksum value of the KIND file:", MD5, SHA1 [, SHA256], a blank line, the length. */
static CTL_MUST_USE enum ctl_err
show_sums(struct ctl_wr *wr, const char *k, const uint8_t *p, size_t n, unsigned flags)
{
	struct ctl_sums s;
	enum ctl_err r;

	if ((r = ctl_checksums(p, n, &s)) != CTL_OK)
		return r;
	if ((r = ctli_wr_printf(wr, "The checksum value of the %s file:\n%s(MD5)\n%s(SHA1)\n", k,
	                        s.md5, s.sha1)) != CTL_OK)
		return r;
	if ((flags & CTL_SHOW_SHA256) && (r = ctli_wr_printf(wr, "%s(SHA256)\n", s.sha256)) != CTL_OK)
		return r;
	return ctli_wr_printf(wr, "\nLength of %s file: %zu\n", k, n);
}

static CTL_MUST_USE enum ctl_err
show_preamble(struct ctl_wr *wr, const struct ctl_file *f, const struct ctl_render_opts *o,
              unsigned flags)
{
	const char *k = ctli_kind_word(f->kind);
	enum ctl_err r;
	char when[64];
	struct tm tm;

	if ((r = show_sums(wr, k, f->data, f->len, flags)) != CTL_OK)
		return r;
	if (o != NULL && o->mtime != 0 && localtime_r(&o->mtime, &tm) != NULL &&
	    strftime(when, sizeof(when), "%a %b %d %H:%M:%S %Z %Y", &tm) > 0 &&
	    (r = ctli_wr_printf(wr, "The %s File was last modified on %s\n", k, when)) != CTL_OK)
		return r;
	return ctli_wr_printf(wr, "\nParse %s File\n----------------\n\nVersion:\t%u.%u\n"
	                      "HeaderLength:\t%u (BYTES)\n\nBYTEPOS\tTAG\t\tLENGTH\tVALUE\n"
	                      "-------\t---\t\t------\t-----\n", k, f->ver_major, f->ver_minor,
	                      f->header_len);
}

static CTL_MUST_USE enum ctl_err
show_record_elem(struct ctl_wr *wr, const struct ctl_elem *e, const struct ctl_record *rec)
{
	uint8_t fp[20];
	const char *role;
	enum ctl_err r;

	if ((r = ctli_wr_printf(wr, "%u\t%s\t%u", e->tag, rtag_name(e->tag), e->len)) != CTL_OK)
		return r;
	switch (e->tag) {
	case CTL_R_DNSNAME: case CTL_R_SUBJECTNAME: case CTL_R_ISSUERNAME:
		if (e->len > 1 && (r = ctl_wr_u8(wr, '\t')) == CTL_OK)
			r = ctli_put_text(wr, e->val, e->len);
		break;
	case CTL_R_FUNCTION:
		role = role_show_name(rec->role);
		r = role ? ctli_wr_printf(wr, "\t%s", role) : ctli_wr_printf(wr, "\tUNKNOWN(%u)", rec->role);
		break;
	case CTL_R_SERIALNUMBER:
		if ((r = ctl_wr_u8(wr, '\t')) == CTL_OK)
			r = ctli_put_hex(wr, e->val, e->len, ":");
		break;
	case CTL_R_CERTIFICATE:
		if ((r = ctli_cert_sha1((struct ctl_bytes){ e->val, e->len }, fp)) == CTL_OK &&
		    (r = ctl_wr_u8(wr, '\t')) == CTL_OK && (r = ctli_put_hex(wr, fp, 20, " ")) == CTL_OK)
			r = ctli_wr_printf(wr, " (SHA1 Hash HEX)");
		break;
	default:
		break; /* PUBLICKEY, SIGNATURE, IPADDRESS, ... print no value in `show ctl` */
	}
	return r == CTL_OK ? ctl_wr_u8(wr, '\n') : r;
}

static CTL_MUST_USE enum ctl_err
show_record(struct ctl_wr *wr, const struct ctl_file *f, size_t i, const struct ctl_verify_result *v)
{
	const struct ctl_record *rec = &f->recs[i];
	enum ctl_err r;
	size_t k;

	if ((r = ctli_wr_printf(wr, "\n%s Record #:%zu\n----\nBYTEPOS\tTAG\t\tLENGTH\tVALUE\n"
	                        "-------\t---\t\t------\t-----\n1\tRECORDLENGTH\t2\t%u\n",
	                        ctli_kind_word(f->kind), i + 1, rec->length)) != CTL_OK)
		return r;
	for (k = 0; k < rec->nelems && r == CTL_OK; k++)
		r = show_record_elem(wr, &rec->elems[k], rec);
	if (r != CTL_OK || rec->role != CTL_ROLE_SAST)
		return r;
	return ctli_wr_printf(wr, "This etoken was %sused to sign the %s file.\n",
	                      ctli_is_signer_record(f, i, v) ? "" : "not ", ctli_kind_word(f->kind));
}

enum ctl_err
ctl_render_text(const struct ctl_file *f, const struct ctl_render_opts *o, char **out)
{
	return ctl_render_show(f, o, CTL_SHOW_SHA256, out);
}

/* Ends wr with a NUL and hands its bytes to *out, or frees them on an error r. */
static CTL_MUST_USE enum ctl_err
show_finish(struct ctl_wr *wr, enum ctl_err r, char **out)
{
	size_t len;

	if (r == CTL_OK)
		r = ctl_wr_u8(wr, '\0');
	if (r != CTL_OK) {
		ctl_wr_cleanup(wr);
		return r;
	}
	*out = (char *)ctl_wr_take(wr, &len);
	return CTL_OK;
}

enum ctl_err
ctl_render_missing(enum ctl_kind kind, char **out)
{
	const char *k = ctli_kind_word(kind);
	struct ctl_wr wr;
	enum ctl_err r;

	*out = NULL;
	ctl_wr_init(&wr, 4096);
	r = ctli_wr_printf(&wr, "Length of %s file: 0\n", k);
	/* CUCM's words for a CTL (TechNote 118892); no source shows `show itl` without a file. */
	if (r == CTL_OK)
		r = kind == CTL_KIND_ITL ? ctli_wr_printf(&wr, "ITL File not found.\n") :
		    ctli_wr_printf(&wr, "%s File not found. Please run CTLClient plugin or run the CLI - "
		                   "utils ctl.. to generate the CTL file.\n", k);
	if (r == CTL_OK)
		r = ctli_wr_printf(&wr, "Error parsing the %s File.\n", k);
	return show_finish(&wr, r, out);
}

enum ctl_err
ctl_render_unparsed(enum ctl_kind kind, const uint8_t *p, size_t n, unsigned flags, char **out)
{
	const char *k = ctli_kind_word(kind);
	struct ctl_wr wr;
	enum ctl_err r;

	*out = NULL;
	ctl_wr_init(&wr, 4096);
	if ((r = show_sums(&wr, k, p, n, flags)) == CTL_OK)
		r = ctli_wr_printf(&wr, "Error parsing the %s File.\n", k);
	return show_finish(&wr, r, out);
}

enum ctl_err
ctl_render_show(const struct ctl_file *f, const struct ctl_render_opts *o, unsigned flags, char **out)
{
	const struct ctl_verify_result *v = o != NULL ? o->verify : NULL;
	const char *k = ctli_kind_word(f->kind);
	struct ctl_wr wr;
	enum ctl_err r;
	size_t i;

	*out = NULL;
	ctl_wr_init(&wr, 64u * 1024u * 1024u);
	r = show_preamble(&wr, f, o, flags);
	for (i = 0; i < f->nhelems && r == CTL_OK; i++)
		r = show_header_elem(&wr, &f->helems[i]);
	for (i = 0; i < f->nrecs && r == CTL_OK; i++)
		r = show_record(&wr, f, i, v);
	if (r == CTL_OK && f->kind == CTL_KIND_SGN)
		r = ctli_wr_printf(&wr, "\nPAYLOAD\t%zu bytes at offset %u\n", f->payload.len, f->header_len);
	if (r == CTL_OK && v != NULL)
		r = v->err == CTL_OK ?
		    ctli_wr_printf(&wr, "\nThe %s file was verified successfully.\n", k) :
		    ctli_wr_printf(&wr, "\nVerification of the %s File Failed\n", k);
	return show_finish(&wr, r, out);
}
