/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name strings (section 8): writing a certificate name in CUCM's form or
 * RFC 4514's, and reading any form back into one canonical string so that
 * records and certificates match whichever form either side uses.
 *
 * CUCM's form is "CN=a;OU=b;O=c;L=d;ST=e;C=f": that fixed order, ';', no
 * escaping. Since nothing is escaped, a ';' inside a value is read as part
 * of the value unless what follows it reads as an attribute type and '='
 * (then it is a separator). The writer reads its own output back and
 * refuses a name that would not read back as the certificate's (CTL_E_CERT),
 * so a file ctl-suite writes is never mis-split; such a certificate needs
 * the RFC 4514 form, which escapes.
 *
 * Canonical string: TYPE (upper case, OIDs and aliases folded to short
 * names) '=' value (quotes removed, unescaped, trimmed, inner white space
 * collapsed, ASCII lower-cased as X.520's caseIgnoreMatch does, control
 * bytes and '\\' as \\hh), the attributes sorted and joined by '\n'. Sorting
 * makes every order and multi-valued RDNs compare equal; the serial, always
 * compared beside the issuer, makes that harmless.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>

#include "ctl_int.h"

#define MAX_ATTRS 1024
#define MAX_NAME 0xffffu /* a 16-bit element length, the NUL included */

struct attrs {
	char **a;
	size_t n, cap;
};

static void
attrs_free(struct attrs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->a[i]);
	free(l->a);
	memset(l, 0, sizeof(*l));
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int
is_type_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The canonical attribute type for t (n bytes): short name, upper case, aliases folded. */
static CTL_MUST_USE enum ctl_err
put_type(struct ctl_wr *wr, const char *t, size_t n)
{
	static const struct { const char *alias, *name; } aliases[] = {
		{ "E", "EMAILADDRESS" }, { "EMAIL", "EMAILADDRESS" }, { "S", "ST" }, { "SP", "ST" },
	};
	char buf[128];
	size_t i;
	int nid;

	if (n == 0 || n >= sizeof(buf))
		return CTL_E_INVAL;
	memcpy(buf, t, n);
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		if (!is_type_char((unsigned char)buf[i]))
			return CTL_E_INVAL;
	if ((nid = OBJ_txt2nid(buf)) != NID_undef && OBJ_nid2sn(nid) != NULL)
		snprintf(buf, sizeof(buf), "%s", OBJ_nid2sn(nid));
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (char)(buf[i] - 'a' + 'A');
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(buf, aliases[i].alias) == 0)
			snprintf(buf, sizeof(buf), "%s", aliases[i].name);
	return ctl_wr_bytes(wr, buf, strlen(buf));
}

/* Appends value bytes v (already unescaped, unquoted) in canonical form. */
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

/* Adds "TYPE=value" to l. */
static CTL_MUST_USE enum ctl_err
add_attr(struct attrs *l, const char *t, size_t tn, const unsigned char *v, size_t vn)
{
	struct ctl_wr wr;
	enum ctl_err r;
	size_t len;

	if (l->n == MAX_ATTRS)
		return CTL_E_TOO_LARGE;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **a = realloc(l->a, cap * sizeof(*a));

		if (a == NULL)
			return CTL_E_NOMEM;
		l->a = a;
		l->cap = cap;
	}
	ctl_wr_init(&wr, 1u << 20);
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

	if (l->n > 0)
		qsort(l->a, l->n, sizeof(l->a[0]), cmp_str);
	ctl_wr_init(&wr, 1u << 24);
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

/* ---- reading a string ------------------------------------------------------------ */

/*
 * Whether s[i..n) starts an attribute: separators and spaces skipped, TYPE,
 * spaces, '='. *skip is where the skipped run ends: every separator before
 * it has the same answer, so callers resume there (linear in n, whatever
 * the run of separators).
 */
static int
starts_attr(const char *s, size_t i, size_t n, char sep, size_t *skip)
{
	size_t t;

	while (i < n && (is_space((unsigned char)s[i]) || s[i] == sep))
		i++;
	*skip = i;
	for (t = i; i < n && is_type_char((unsigned char)s[i]); i++)
		;
	if (i == t)
		return 0;
	while (i < n && is_space((unsigned char)s[i]))
		i++;
	return i < n && s[i] == '=';
}

/*
 * CUCM's ';' form when an unescaped ';' is followed by an attribute: an
 * RFC 4514 string escapes every ';' of its values.
 */
static int
is_cucm_form(const char *s, size_t n)
{
	size_t i, skip;

	for (i = 0; i < n; i++) {
		if (s[i] != ';' || (i > 0 && s[i - 1] == '\\'))
			continue;
		if (starts_attr(s, i + 1, n, ';', &skip))
			return 1;
		if (skip > i + 1)
			i = skip - 1;
	}
	return 0;
}

/* RFC 4514 section 3: '\' and a special character or two hex digits; else a literal '\'. */
static size_t
unescape(const char *v, size_t n, unsigned char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		int hi, lo;

		if (v[i] != '\\' || i + 1 >= n) {
			out[k++] = (unsigned char)v[i];
			continue;
		}
		hi = ctl_hex_digit((unsigned char)v[i + 1]);
		lo = i + 2 < n ? ctl_hex_digit((unsigned char)v[i + 2]) : -1;
		if (hi >= 0 && lo >= 0) {
			out[k++] = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (strchr(" \"#+,;<=>\\", v[i + 1]) != NULL) {
			out[k++] = (unsigned char)v[++i];
		} else {
			out[k++] = '\\';
		}
	}
	return k;
}

/* End of a quoted value starting at s[i] == '"': the index after the closing quote, or 0. */
static size_t
quote_end(const char *s, size_t i, size_t n, int rfc)
{
	for (i++; i < n; i++) {
		if (rfc && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/* Index of the separator ending the component starting at s[i] (value from v), or n. */
static size_t
component_end(const char *s, size_t v, size_t n, int cucm)
{
	size_t i = v, q, skip;

	while (i < n && is_space((unsigned char)s[i]))
		i++;
	if (i < n && s[i] == '"' && (q = quote_end(s, i, n, !cucm)) != 0)
		i = q;
	for (; i < n; i++) {
		if (!cucm && s[i] == '\\') {
			i++;
			continue;
		}
		if (cucm ? s[i] != ';' : s[i] != ',' && s[i] != '+')
			continue;
		if (starts_attr(s, i + 1, n, s[i], &skip))
			return i;
		if (skip > i + 1)
			i = skip - 1;
	}
	return n;
}

/* One "TYPE=value" component s[0..n); value quotes removed, RFC 4514 escapes undone. */
static CTL_MUST_USE enum ctl_err
add_component(struct attrs *l, const char *s, size_t n, int cucm)
{
	const char *eq = memchr(s, '=', n);
	size_t ts = 0, te, vs, ve;
	unsigned char *v;
	enum ctl_err r;

	if (eq == NULL)
		return CTL_E_INVAL;
	te = (size_t)(eq - s);
	while (ts < te && is_space((unsigned char)s[ts]))
		ts++;
	while (te > ts && is_space((unsigned char)s[te - 1]))
		te--;
	vs = (size_t)(eq + 1 - s);
	ve = n;
	while (vs < ve && is_space((unsigned char)s[vs]))
		vs++;
	while (ve > vs && is_space((unsigned char)s[ve - 1]))
		ve--;
	if (ve - vs >= 2 && s[vs] == '"' && quote_end(s, vs, ve, !cucm) == ve) {
		vs++;
		ve--;
	}
	if ((v = malloc(ve - vs + 1)) == NULL)
		return CTL_E_NOMEM;
	if (cucm) {
		memcpy(v, s + vs, ve - vs);
		r = add_attr(l, s + ts, te - ts, v, ve - vs);
	} else {
		r = add_attr(l, s + ts, te - ts, v, unescape(s + vs, ve - vs, v));
	}
	free(v);
	return r;
}

enum ctl_err
ctl_name_canon(const char *s, size_t len, char **out)
{
	struct attrs l = { NULL, 0, 0 };
	int cucm;
	size_t i = 0;
	enum ctl_err r = CTL_OK;

	*out = NULL;
	if (memchr(s, '\0', len) != NULL)
		return CTL_E_INVAL;
	cucm = is_cucm_form(s, len);
	/* Trailing separators and spaces end nothing. */
	while (len > 0 && (is_space((unsigned char)s[len - 1]) || s[len - 1] == (cucm ? ';' : ',')) &&
	       (len < 2 || s[len - 2] != '\\'))
		len--;
	while (i < len && (is_space((unsigned char)s[i]) || s[i] == (cucm ? ';' : ',')))
		i++;
	while (i < len && r == CTL_OK) {
		const char *eq = memchr(s + i, '=', len - i);
		size_t e;

		if (eq == NULL) {
			r = CTL_E_INVAL;
			break;
		}
		e = component_end(s, (size_t)(eq + 1 - s), len, cucm);
		r = add_component(&l, s + i, e - i, cucm);
		i = e + 1;
		while (i < len && (is_space((unsigned char)s[i]) || s[i] == (cucm ? ';' : ',')))
			i++;
	}
	if (r == CTL_OK && l.n == 0)
		r = CTL_E_INVAL;
	if (r != CTL_OK) {
		attrs_free(&l);
		return r;
	}
	return join(&l, out);
}

/* ---- a certificate's name ------------------------------------------------------ */

/* The short name of an attribute type (a dotted OID when OpenSSL has none). */
static CTL_MUST_USE enum ctl_err
type_name(const ASN1_OBJECT *o, char *t, size_t tlen)
{
	int nid = OBJ_obj2nid(o), n;

	if (nid != NID_undef && OBJ_nid2sn(nid) != NULL) {
		snprintf(t, tlen, "%s", OBJ_nid2sn(nid));
		return CTL_OK;
	}
	n = OBJ_obj2txt(t, (int)tlen, o, 1);
	return n > 0 && (size_t)n < tlen ? CTL_OK : CTL_E_CERT;
}

enum ctl_err
ctl_name_canon_x509(const X509_NAME *name, char **out)
{
	struct attrs l = { NULL, 0, 0 };
	int i, cnt = X509_NAME_entry_count(name);
	enum ctl_err r = CTL_OK;

	*out = NULL;
	for (i = 0; i < cnt && r == CTL_OK; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		unsigned char *utf8 = NULL;
		char t[128];
		int n;

		if ((r = type_name(X509_NAME_ENTRY_get_object(e), t, sizeof(t))) != CTL_OK)
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

/* ---- comparing ------------------------------------------------------------------ */

int
ctl_name_bytes_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	char *ca = NULL, *cb = NULL;
	int eq;

	if (a == NULL || b == NULL)
		return 0;
	/* Files store names as text and one NUL. */
	if (alen > 0 && ((const char *)a)[alen - 1] == '\0')
		alen--;
	if (blen > 0 && ((const char *)b)[blen - 1] == '\0')
		blen--;
	if (alen == blen && (alen == 0 || memcmp(a, b, alen) == 0))
		return 1;
	if (ctl_name_canon(a, alen, &ca) != CTL_OK || ctl_name_canon(b, blen, &cb) != CTL_OK) {
		free(ca);
		return 0;
	}
	eq = strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	return eq;
}

int
ctl_name_text_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return 0;
	return ctl_name_bytes_equal(a, strlen(a), b, strlen(b));
}

/* ---- writing --------------------------------------------------------------------- */

/* CUCM's order; every other type follows in the certificate's order. */
static const int cucm_order[] = {
	NID_commonName, NID_organizationalUnitName, NID_organizationName, NID_localityName,
	NID_stateOrProvinceName, NID_countryName,
};
static const char *const cucm_types[] = { "CN", "OU", "O", "L", "ST", "C" };
#define NCUCM (sizeof(cucm_order) / sizeof(cucm_order[0]))

/* Index of nid in cucm_order, NCUCM for other types. */
static size_t
cucm_rank(int nid)
{
	size_t k;

	for (k = 0; k < NCUCM; k++)
		if (cucm_order[k] == nid)
			return k;
	return NCUCM;
}

/* Appends entry e as TYPE=value (after a ';' unless first). */
static CTL_MUST_USE enum ctl_err
put_cucm_attr(struct ctl_wr *wr, const X509_NAME_ENTRY *e, size_t rank, int first)
{
	const ASN1_OBJECT *o = X509_NAME_ENTRY_get_object(e);
	unsigned char *utf8 = NULL;
	char t[128];
	enum ctl_err r = CTL_OK;
	int n;

	if (rank < NCUCM)
		snprintf(t, sizeof(t), "%s", cucm_types[rank]);
	else if ((r = type_name(o, t, sizeof(t))) != CTL_OK)
		return r;
	if ((n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e))) < 0)
		return CTL_E_CERT;
	/* A NUL would end the stored text; a leading '"' would read as a quoted value. */
	if (memchr(utf8, '\0', (size_t)n) != NULL || (n > 0 && utf8[0] == '"'))
		r = CTL_E_CERT;
	if (r == CTL_OK && !first)
		r = ctl_wr_u8(wr, ';');
	if (r == CTL_OK && (r = ctl_wr_bytes(wr, t, strlen(t))) == CTL_OK &&
	    (r = ctl_wr_u8(wr, '=')) == CTL_OK)
		r = ctl_wr_bytes(wr, utf8, (size_t)n);
	OPENSSL_free(utf8);
	return r;
}

/* Whether s reads back as the certificate's name (section 8: never mis-split). */
static CTL_MUST_USE enum ctl_err
check_reads_back(const X509_NAME *name, const char *s)
{
	char *a = NULL, *b = NULL;
	enum ctl_err r;

	if ((r = ctl_name_canon_x509(name, &a)) == CTL_OK) {
		r = ctl_name_canon(s, strlen(s), &b);
		if (r == CTL_E_INVAL || (r == CTL_OK && strcmp(a, b) != 0))
			r = CTL_E_CERT;
	}
	free(a);
	free(b);
	return r;
}

static CTL_MUST_USE enum ctl_err
cucm_string(const X509_NAME *name, char **out)
{
	struct ctl_wr wr;
	enum ctl_err r = CTL_OK;
	int i, cnt = X509_NAME_entry_count(name), first = 1;
	size_t rank, len;

	*out = NULL;
	ctl_wr_init(&wr, MAX_NAME);
	for (rank = 0; rank <= NCUCM && r == CTL_OK; rank++)
		for (i = 0; i < cnt && r == CTL_OK; i++) {
			const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);

			if (cucm_rank(OBJ_obj2nid(X509_NAME_ENTRY_get_object(e))) != rank)
				continue;
			r = put_cucm_attr(&wr, e, rank, first);
			first = 0;
		}
	if (r == CTL_OK)
		r = ctl_wr_u8(&wr, '\0');
	if (r != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return r;
	}
	*out = (char *)ctl_wr_take(&wr, &len);
	if (*out == NULL)
		return CTL_E_NOMEM;
	if (cnt > 0 && (r = check_reads_back(name, *out)) != CTL_OK) {
		free(*out);
		*out = NULL;
	}
	return r;
}

enum ctl_err
ctl_name_format_string(const X509_NAME *n, enum ctl_name_format f, char **out)
{
	*out = NULL;
	switch (f) {
	case CTL_NAME_CUCM: return cucm_string(n, out);
	case CTL_NAME_RFC4514: return ctl_name_string(n, out);
	default: return CTL_E_INVAL;
	}
}
