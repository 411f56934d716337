/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stable JSON rendering of a parsed file: the same content as `show ctl`,
 * plus the values CUCM does not print (IP address, timestamp, codes).
 * Keys are never renamed; new keys may be added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ctl/text.h>

#include "show.h"

/*
 * A JSON string from raw bytes, trailing NULs dropped, by the one rule of
 * ctl/text.h: valid UTF-8 kept, controls escaped, invalid bytes as U+FFFD.
 */
static CTL_MUST_USE enum ctl_err
json_str(struct ctl_wr *wr, const uint8_t *p, size_t n)
{
	size_t need;
	char *s;
	enum ctl_err r;

	while (n > 0 && p[n - 1] == '\0')
		n--;
	need = ctl_json_escape(NULL, 0, p, n);
	if ((s = malloc(need + 1)) == NULL)
		return CTL_E_NOMEM;
	ctl_json_escape(s, need + 1, p, n);
	if ((r = ctl_wr_u8(wr, '"')) == CTL_OK && (r = ctl_wr_bytes(wr, s, need)) == CTL_OK)
		r = ctl_wr_u8(wr, '"');
	free(s);
	return r;
}

static CTL_MUST_USE enum ctl_err
json_cstr(struct ctl_wr *wr, const char *s)
{
	return json_str(wr, (const uint8_t *)s, strlen(s));
}

static CTL_MUST_USE enum ctl_err
json_hex(struct ctl_wr *wr, struct ctl_bytes b, const char *sep)
{
	enum ctl_err r;

	if ((r = ctl_wr_u8(wr, '"')) == CTL_OK && (r = ctli_put_hex(wr, b.p, b.len, sep)) == CTL_OK)
		r = ctl_wr_u8(wr, '"');
	return r;
}

/* "key": prefix, with a comma unless first. */
static CTL_MUST_USE enum ctl_err
json_key(struct ctl_wr *wr, const char *key, int *first)
{
	enum ctl_err r = *first ? CTL_OK : ctl_wr_u8(wr, ',');

	*first = 0;
	if (r == CTL_OK && (r = json_cstr(wr, key)) == CTL_OK)
		r = ctl_wr_u8(wr, ':');
	return r;
}

static CTL_MUST_USE enum ctl_err
json_unknown(struct ctl_wr *wr, const struct ctl_elem *e, size_t n, int is_known(uint8_t))
{
	enum ctl_err r = ctl_wr_u8(wr, '[');
	int first = 1;
	size_t i;

	for (i = 0; i < n && r == CTL_OK; i++) {
		if (is_known(e[i].tag))
			continue;
		r = ctli_wr_printf(wr, "%s{\"tag\":%u,\"offset\":%zu,\"length\":%u}", first ? "" : ",",
		                   e[i].tag, e[i].off, e[i].len);
		first = 0;
	}
	return r == CTL_OK ? ctl_wr_u8(wr, ']') : r;
}

static int
hdr_known(uint8_t t)
{
	return (t >= 1 && t <= 15) || t == CTL_H_SIGNER_VERSION;
}

static int
rec_known(uint8_t t)
{
	return t >= 1 && t <= CTL_R_HASHALGORITHM;
}

static CTL_MUST_USE enum ctl_err
json_header(struct ctl_wr *wr, const struct ctl_file *f)
{
	char ts[32];
	time_t t = (time_t)f->timestamp;
	struct tm tm;
	int first = 1;
	enum ctl_err r;

	if (gmtime_r(&t, &tm) == NULL || strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		ts[0] = '\0';
	if ((r = ctli_wr_printf(wr, "{\"version\":\"%u.%u\",\"header_length\":%u,", f->ver_major,
	                        f->ver_minor, f->header_len)) != CTL_OK)
		return r;
	r = f->has_signer_version ?
	    ctli_wr_printf(wr, "\"signer_version\":\"%u.%u\"", f->sv_major, f->sv_minor) :
	    ctli_wr_printf(wr, "\"signer_version\":null");
	first = 0;
	if (r == CTL_OK && (r = json_key(wr, "signer_name", &first)) == CTL_OK)
		r = json_str(wr, f->signer_name.p, f->signer_name.len);
	if (r == CTL_OK && (r = json_key(wr, "signer_serial", &first)) == CTL_OK)
		r = json_hex(wr, f->signer_serial, ":");
	if (r == CTL_OK && (r = json_key(wr, "ca_name", &first)) == CTL_OK)
		r = json_str(wr, f->caname.p, f->caname.len);
	if (r == CTL_OK)
		r = ctli_wr_printf(wr, ",\"digest\":\"%s\",\"digest_code\":%u,\"signature_algorithm\":%u,"
		                   "\"modulus_code\":%u,\"signature_length\":%zu,\"signature_offset\":%zu",
		                   ctl_digest_name(f->digest), f->digest, f->sigalg, f->modulus,
		                   f->signature.len, f->sig_off);
	if (r == CTL_OK && (r = json_key(wr, "filename", &first)) == CTL_OK)
		r = json_str(wr, f->filename.p, f->filename.len);
	if (r == CTL_OK)
		r = ctli_wr_printf(wr, ",\"timestamp\":%u,\"timestamp_utc\":\"%s\",\"unknown_tags\":",
		                   f->timestamp, ts);
	if (r == CTL_OK)
		r = json_unknown(wr, f->helems, f->nhelems, hdr_known);
	return r == CTL_OK ? ctl_wr_u8(wr, '}') : r;
}

static CTL_MUST_USE enum ctl_err
json_record(struct ctl_wr *wr, const struct ctl_file *f, size_t i, const struct ctl_verify_result *v)
{
	const struct ctl_record *rec = &f->recs[i];
	const char *role = ctl_role_name(rec->role);
	uint8_t fp[20];
	int first = 0;
	enum ctl_err r;

	r = ctli_wr_printf(wr, "%s{\"index\":%zu,\"offset\":%zu,\"length\":%u,\"role\":%u,"
	                   "\"role_name\":\"%s\"", i ? "," : "", i + 1, rec->off, rec->length,
	                   rec->role, ctl_role_short(rec->role));
	if (r == CTL_OK && (r = json_key(wr, "function", &first)) == CTL_OK)
		r = role ? json_cstr(wr, role) : ctli_wr_printf(wr, "\"UNKNOWN(%u)\"", rec->role);
	if (r == CTL_OK && (r = json_key(wr, "dns_name", &first)) == CTL_OK)
		r = json_str(wr, rec->dns.p, rec->dns.len);
	if (r == CTL_OK && (r = json_key(wr, "subject", &first)) == CTL_OK)
		r = json_str(wr, rec->subject.p, rec->subject.len);
	if (r == CTL_OK && (r = json_key(wr, "issuer", &first)) == CTL_OK)
		r = json_str(wr, rec->issuer.p, rec->issuer.len);
	if (r == CTL_OK && (r = json_key(wr, "serial", &first)) == CTL_OK)
		r = json_hex(wr, rec->serial, ":");
	if (r == CTL_OK)
		r = ctli_wr_printf(wr, ",\"public_key_length\":%zu,\"signature_length\":%zu,"
		                   "\"certificate_length\":%zu", rec->pubkey.len, rec->sig.len, rec->cert.len);
	if (r == CTL_OK && (r = json_key(wr, "certificate_sha1", &first)) == CTL_OK)
		r = rec->cert.len > 0 && ctli_cert_sha1(rec->cert, fp) == CTL_OK ?
		    json_hex(wr, (struct ctl_bytes){ fp, 20 }, " ") : ctli_wr_printf(wr, "null");
	if (r == CTL_OK)
		r = rec->has_ip ? ctli_wr_printf(wr, ",\"ip_address\":\"%u.%u.%u.%u\"", rec->ip[0],
		                                 rec->ip[1], rec->ip[2], rec->ip[3]) :
		    ctli_wr_printf(wr, ",\"ip_address\":null");
	if (r == CTL_OK)
		r = ctli_wr_printf(wr, ",\"signed_file\":%s,\"unknown_tags\":",
		                   rec->role == CTL_ROLE_SAST && ctli_is_signer_record(f, i, v) ?
		                   "true" : "false");
	if (r == CTL_OK)
		r = json_unknown(wr, rec->elems, rec->nelems, rec_known);
	return r == CTL_OK ? ctl_wr_u8(wr, '}') : r;
}

static CTL_MUST_USE enum ctl_err
json_verify(struct ctl_wr *wr, const struct ctl_verify_result *v)
{
	enum ctl_err r;
	int first = 0;

	if (v == NULL)
		return ctli_wr_printf(wr, ",\"verification\":null");
	r = ctli_wr_printf(wr, ",\"verification\":{\"ok\":%s,\"error\":", v->err == CTL_OK ? "true" : "false");
	if (r == CTL_OK)
		r = v->err == CTL_OK ? ctli_wr_printf(wr, "null") : json_cstr(wr, ctl_strerror(v->err));
	if (r == CTL_OK && (r = json_key(wr, "reason", &first)) == CTL_OK)
		r = json_cstr(wr, v->reason);
	if (r == CTL_OK)
		r = v->signer_index >= 0 ? ctli_wr_printf(wr, ",\"signer_record\":%d}", v->signer_index + 1) :
		    ctli_wr_printf(wr, ",\"signer_record\":null}");
	return r;
}

enum ctl_err
ctl_render_json(const struct ctl_file *f, const struct ctl_render_opts *o, char **out)
{
	struct ctl_sums s;
	struct ctl_wr wr;
	enum ctl_err r;
	size_t i, len;
	int first = 0;

	*out = NULL;
	if ((r = ctl_checksums(f->data, f->len, &s)) != CTL_OK)
		return r;
	ctl_wr_init(&wr, 64u * 1024u * 1024u);
	r = ctli_wr_printf(&wr, "{\"tool\":\"libctl\",\"version\":\"%s\",\"kind\":\"%s\"",
	                   CTL_VERSION_STRING, ctli_kind_word(f->kind));
	if (r == CTL_OK && o != NULL && o->path != NULL && (r = json_key(&wr, "path", &first)) == CTL_OK)
		r = json_cstr(&wr, o->path);
	if (r == CTL_OK)
		r = ctli_wr_printf(&wr, ",\"length\":%zu,\"md5\":\"%s\",\"sha1\":\"%s\",\"sha256\":\"%s\","
		                   "\"mtime\":%lld,\"header\":", f->len, s.md5, s.sha1, s.sha256,
		                   o != NULL ? (long long)o->mtime : 0LL);
	if (r == CTL_OK)
		r = json_header(&wr, f);
	if (r == CTL_OK)
		r = ctli_wr_printf(&wr, ",\"records\":[");
	for (i = 0; i < f->nrecs && r == CTL_OK; i++)
		r = json_record(&wr, f, i, o != NULL ? o->verify : NULL);
	if (r == CTL_OK)
		r = ctli_wr_printf(&wr, "],\"payload_length\":%zu", f->payload.len);
	if (r == CTL_OK)
		r = json_verify(&wr, o != NULL ? o->verify : NULL);
	if (r == CTL_OK)
		r = ctl_wr_bytes(&wr, "}\n", 3);
	if (r != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return r;
	}
	*out = (char *)ctl_wr_take(&wr, &len);
	return CTL_OK;
}
