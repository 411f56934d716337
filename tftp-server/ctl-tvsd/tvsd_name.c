/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Issuer names as a phone writes them and as a certificate holds them, to
 * one comparable string. CUCM writes "CN=a;OU=b;O=c" (the certificate's
 * attributes, most specific first, ';'-joined); RFC 4514 tools write
 * "CN=a,OU=b,O=c", and libctl's ctl_name_string writes certificate order
 * ("O=c,OU=b,CN=a"). The canonical form sorts the attributes, so every
 * order matches; an issuer with the same attributes in another order
 * would compare equal, which the serial, also compared, makes harmless.
 *
 * Canonical attribute: TYPE (upper case, aliases folded) '=' value
 * (unescaped, trimmed, inner white space collapsed, ASCII lower-cased as
 * X.520's caseIgnoreMatch does, control bytes and '\\' written \\HH);
 * attributes sorted and joined by '\n'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "tvsd.h"

#define MAX_ATTRS 64

struct attrs {
	char *a[MAX_ATTRS];
	size_t n;
};

static void
attrs_free(struct attrs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->a[i]);
	l->n = 0;
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static unsigned char
upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

/* The canonical attribute type for t (n bytes): upper case, OIDs to short names, aliases. */
static CTL_MUST_USE enum ctl_err
put_type(struct ctl_wr *wr, const char *t, size_t n)
{
	static const struct { const char *alias, *name; } aliases[] = {
		{ "E", "EMAILADDRESS" }, { "EMAIL", "EMAILADDRESS" }, { "S", "ST" }, { "SP", "ST" },
	};
	char buf[128];
	size_t i;
	enum ctl_err r = CTL_OK;

	if (n == 0 || n >= sizeof(buf))
		return CTL_E_INVAL;
	memcpy(buf, t, n);
	buf[n] = '\0';
	if (buf[0] >= '0' && buf[0] <= '9') {
		int nid = OBJ_txt2nid(buf);

		if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
			snprintf(buf, sizeof(buf), "%s", OBJ_nid2sn(nid));
	}
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)upper((unsigned char)buf[i]);
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(buf, aliases[i].alias) == 0)
			snprintf(buf, sizeof(buf), "%s", aliases[i].name);
	/* RFC 4514 types: a keyword (letters, digits, '-') or a dotted OID. */
	for (i = 0; buf[i] != '\0' && r == CTL_OK; i++)
		if (!((buf[i] >= 'A' && buf[i] <= 'Z') || (buf[i] >= '0' && buf[i] <= '9') ||
		      buf[i] == '-' || buf[i] == '.'))
			r = CTL_E_INVAL;
	if (r == CTL_OK)
		r = ctl_wr_bytes(wr, buf, strlen(buf));
	return r;
}

/* Appends value bytes v (already unescaped) in canonical form. */
static CTL_MUST_USE enum ctl_err
put_value(struct ctl_wr *wr, const unsigned char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	enum ctl_err r = CTL_OK;
	int pending_space = 0, started = 0;
	size_t i;

	for (i = 0; i < n && r == CTL_OK; i++) {
		unsigned char c = v[i];

		if (is_space(c)) {
			pending_space = started;
			continue;
		}
		if (pending_space)
			r = ctl_wr_u8(wr, ' ');
		pending_space = 0;
		started = 1;
		if (r != CTL_OK)
			break;
		if (c < 0x20 || c == 0x7f || c == '\\') {
			uint8_t e[3] = { '\\', (uint8_t)hex[c >> 4], (uint8_t)hex[c & 15] };

			r = ctl_wr_bytes(wr, e, sizeof(e));
		} else {
			r = ctl_wr_u8(wr, lower(c));
		}
	}
	return r;
}

/* Adds "TYPE=value" (value bytes already unescaped) to l. */
static CTL_MUST_USE enum ctl_err
add_attr(struct attrs *l, const char *t, size_t tn, const unsigned char *v, size_t vn)
{
	struct ctl_wr wr;
	enum ctl_err r;
	size_t len;

	if (l->n == MAX_ATTRS)
		return CTL_E_TOO_LARGE;
	ctl_wr_init(&wr, 1u << 16);
	r = put_type(&wr, t, tn);
	if (r == CTL_OK)
		r = ctl_wr_u8(&wr, '=');
	if (r == CTL_OK)
		r = put_value(&wr, v, vn);
	if (r == CTL_OK)
		r = ctl_wr_u8(&wr, '\0');
	if (r != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return r;
	}
	if ((l->a[l->n] = (char *)ctl_wr_take(&wr, &len)) == NULL)
		return CTL_E_NOMEM;
	l->n++;
	return CTL_OK;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and joins the attributes into *out; frees them. */
static CTL_MUST_USE enum ctl_err
join(struct attrs *l, char **out)
{
	struct ctl_wr wr;
	enum ctl_err r = CTL_OK;
	size_t i, len;

	qsort(l->a, l->n, sizeof(l->a[0]), cmp_str);
	ctl_wr_init(&wr, 1u << 20);
	for (i = 0; i < l->n && r == CTL_OK; i++) {
		if (i > 0)
			r = ctl_wr_u8(&wr, '\n');
		if (r == CTL_OK)
			r = ctl_wr_bytes(&wr, l->a[i], strlen(l->a[i]));
	}
	if (r == CTL_OK)
		r = ctl_wr_u8(&wr, '\0');
	attrs_free(l);
	if (r != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return r;
	}
	*out = (char *)ctl_wr_take(&wr, &len);
	return *out != NULL ? CTL_OK : CTL_E_NOMEM;
}

/* Index of the next unescaped sep in s[i..n), or n. */
static size_t
next_sep(const char *s, size_t i, size_t n, char sep)
{
	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == sep)
			return i;
	}
	return n;
}

/* RFC 4514 unescaping of v[0..n) into out (at most n bytes); returns the length. */
static size_t
unescape(const char *v, size_t n, unsigned char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == '\\' && i + 1 < n) {
			int hi = ctl_hex_digit((unsigned char)v[i + 1]);
			int lo = i + 2 < n ? ctl_hex_digit((unsigned char)v[i + 2]) : -1;

			if (hi >= 0 && lo >= 0) {
				out[k++] = (unsigned char)(hi * 16 + lo);
				i += 2;
			} else {
				out[k++] = (unsigned char)v[++i];
			}
			continue;
		}
		out[k++] = (unsigned char)v[i];
	}
	return k;
}

/* One "TYPE=value" component s[0..n) of a name string. */
static CTL_MUST_USE enum ctl_err
add_component(struct attrs *l, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	size_t ts = 0, te, vn;
	unsigned char *v;
	enum ctl_err r;

	if (eq == NULL)
		return CTL_E_INVAL;
	te = (size_t)(eq - s);
	while (ts < te && is_space((unsigned char)s[ts]))
		ts++;
	while (te > ts && is_space((unsigned char)s[te - 1]))
		te--;
	if ((v = malloc(n + 1)) == NULL)
		return CTL_E_NOMEM;
	vn = unescape(eq + 1, n - (size_t)(eq + 1 - s), v);
	r = add_attr(l, s + ts, te - ts, v, vn);
	free(v);
	return r;
}

enum ctl_err
tvsd_name_normalise(const char *s, size_t len, char **out)
{
	struct attrs l = { { NULL }, 0 };
	char sep = next_sep(s, 0, len, ';') < len ? ';' : ',';
	size_t i = 0;
	enum ctl_err r = CTL_OK;

	*out = NULL;
	if (memchr(s, '\0', len) != NULL)
		return CTL_E_INVAL;
	while (i < len && r == CTL_OK) {
		size_t e = next_sep(s, i, len, sep), k = i;

		while (k < e && is_space((unsigned char)s[k]))
			k++;
		if (k < e) /* empty components (a trailing ';') are skipped */
			r = add_component(&l, s + i, e - i);
		i = e + 1;
	}
	if (r == CTL_OK && l.n == 0)
		r = CTL_E_INVAL;
	if (r != CTL_OK) {
		attrs_free(&l);
		return r;
	}
	return join(&l, out);
}

enum ctl_err
tvsd_name_normalise_x509(const X509_NAME *name, char **out)
{
	struct attrs l = { { NULL }, 0 };
	int i, cnt = X509_NAME_entry_count(name);
	enum ctl_err r = CTL_OK;

	*out = NULL;
	for (i = 0; i < cnt && r == CTL_OK; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(e);
		unsigned char *utf8 = NULL;
		char t[128];
		int nid = OBJ_obj2nid(o), n;

		if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
			snprintf(t, sizeof(t), "%s", OBJ_nid2sn(nid));
		else if (OBJ_obj2txt(t, sizeof(t), o, 1) <= 0)
			r = CTL_E_CERT;
		if (r != CTL_OK)
			break;
		if ((n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e))) < 0) {
			r = CTL_E_CERT;
			break;
		}
		r = add_attr(&l, t, strlen(t), utf8, (size_t)n);
		OPENSSL_free(utf8);
	}
	if (r == CTL_OK && l.n == 0)
		r = CTL_E_CERT;
	if (r != CTL_OK) {
		attrs_free(&l);
		return r;
	}
	return join(&l, out);
}
