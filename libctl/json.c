/*
 * Stable JSON rendering of a parsed file: the same content as `show ctl`,
 * plus the values CUCM does not print (IP address, timestamp, codes).
 * Keys are never renamed; new keys may be added.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "show.h"

/*
 * Length of a valid UTF-8 sequence at p (n bytes left), 0 if invalid:
 * shortest form only, no surrogates, nothing above U+10FFFF (RFC 3629).
 */
static size_t
utf8_len(const uint8_t *p, size_t n)
{
	size_t want, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		want = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		want = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		want = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (want > n)
		return 0;
	for (i = 1; i < want; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((want == 2 && cp < 0x80) || (want == 3 && cp < 0x800) || (want == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return want;
}

/* A JSON string from raw bytes: trailing NULs dropped, invalid UTF-8 as \u00XX. */
static enum ctl_err
json_str(struct ctl_wr *wr, const uint8_t *p, size_t n)
{
	enum ctl_err r = ctl_wr_u8(wr, '"');
	size_t i = 0, k;

	while (n > 0 && p[n - 1] == '\0')
		n--;
	while (i < n && r == CTL_OK) {
		uint8_t c = p[i];

		if (c == '"' || c == '\\') {
			r = ctli_wr_printf(wr, "\\%c", c);
			i++;
		} else if (c == '\n' || c == '\r' || c == '\t') {
			r = ctli_wr_printf(wr, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			r = ctli_wr_printf(wr, "\\u%04x", c);
			i++;
		} else if ((k = utf8_len(p + i, n - i)) == 0) {
			r = ctli_wr_printf(wr, "\\u%04x", c);
			i++;
		} else {
			r = ctl_wr_bytes(wr, p + i, k);
			i += k;
		}
	}
	return r == CTL_OK ? ctl_wr_u8(wr, '"') : r;
}

static enum ctl_err
json_cstr(struct ctl_wr *wr, const char *s)
{
	return json_str(wr, (const uint8_t *)s, strlen(s));
}

static enum ctl_err
json_hex(struct ctl_wr *wr, struct ctl_bytes b, const char *sep)
{
	enum ctl_err r;

	if ((r = ctl_wr_u8(wr, '"')) == CTL_OK && (r = ctli_put_hex(wr, b.p, b.len, sep)) == CTL_OK)
		r = ctl_wr_u8(wr, '"');
	return r;
}

/* "key": prefix, with a comma unless first. */
static enum ctl_err
json_key(struct ctl_wr *wr, const char *key, int *first)
{
	enum ctl_err r = *first ? CTL_OK : ctl_wr_u8(wr, ',');

	*first = 0;
	if (r == CTL_OK && (r = json_cstr(wr, key)) == CTL_OK)
		r = ctl_wr_u8(wr, ':');
	return r;
}

static enum ctl_err
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

static enum ctl_err
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

static enum ctl_err
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

static enum ctl_err
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
