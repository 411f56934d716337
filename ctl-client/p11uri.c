/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token selectors: RFC 7512 `pkcs11:` URIs through p11-kit's parser, or a
 * bare label / serial. p11-kit accepts attributes it does not know (and
 * pin-value together with pin-source) without complaint, so every attribute
 * name is also checked here against RFC 7512's list, to name the offending
 * one in the error.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

#include "p11uri.h"

struct p11_sel {
	char *text;
	P11KitUri *uri; /* NULL for a bare label or serial */
};

/* RFC 7512 section 2.3: path attributes, then query attributes. */
static const char *const path_attrs[] = {
	"token", "manufacturer", "serial", "model", "library-manufacturer",
	"library-description", "library-version", "object", "type", "id",
	"slot-description", "slot-manufacturer", "slot-id",
};
static const char *const query_attrs[] = {
	"pin-source", "pin-value", "module-name", "module-path",
};
/* Object types a signing token can hold that selecting a certificate or key makes sense for. */
static const char *const types_ok[] = { "cert", "private", "public" };

static CTL_MUST_USE int
in_list(const char *name, size_t n, const char *const *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strlen(list[i]) == n && memcmp(list[i], name, n) == 0)
			return 1;
	return 0;
}

/*
 * Checks one `name=value` component [p, p+n) of the path (query == 0) or
 * the query part. Refuses unknown names, pin-value and module-name.
 */
static CTL_MUST_USE enum p11_err
check_attr(const char *p, size_t n, int query, struct p11_diag *d)
{
	const char *eq = memchr(p, '=', n);
	size_t nl, vl;

	if (n == 0)
		return P11_OK; /* empty component, e.g. trailing ';' */
	if (eq == NULL)
		return p11_fail(d, P11_E_URI, "PKCS#11 URI component '%.*s' has no '='", (int)n, p);
	nl = (size_t)(eq - p);
	vl = n - nl - 1;
	if (query ? !in_list(p, nl, query_attrs, 4) :
	    !in_list(p, nl, path_attrs, sizeof(path_attrs) / sizeof(path_attrs[0])))
		return p11_fail(d, P11_E_URI, "unknown %s attribute '%.*s' in PKCS#11 URI",
		                query ? "query" : "path", (int)nl, p);
	if (nl == 9 && memcmp(p, "pin-value", 9) == 0)
		return p11_fail(d, P11_E_URI, "pin-value in a PKCS#11 URI is refused: it shows in ps "
		                "and shell history; use pin-source=file:PATH, --pin-file or CTL_TOKEN_PIN");
	if (nl == 11 && memcmp(p, "module-name", 11) == 0)
		return p11_fail(d, P11_E_URI, "module-name in a PKCS#11 URI is not supported; "
		                "use module-path= or --module");
	if (nl == 4 && memcmp(p, "type", 4) == 0 && !in_list(eq + 1, vl, types_ok, 3))
		return p11_fail(d, P11_E_URI, "PKCS#11 URI type '%.*s' cannot name a signing "
		                "certificate or key (use cert, private or public)", (int)vl, eq + 1);
	return P11_OK;
}

/* Checks the components of [p, end) separated by sep. */
static CTL_MUST_USE enum p11_err
check_part(const char *p, const char *end, char sep, int query, struct p11_diag *d)
{
	enum p11_err r;

	for (;;) {
		const char *s = memchr(p, sep, (size_t)(end - p));
		const char *e = s != NULL ? s : end;

		if ((r = check_attr(p, (size_t)(e - p), query, d)) != P11_OK)
			return r;
		if (s == NULL)
			return P11_OK;
		p = s + 1;
	}
}

/* Walks the components of the URI after "pkcs11:" (RFC 7512 section 2.3). */
static CTL_MUST_USE enum p11_err
check_attrs(const char *s, struct p11_diag *d)
{
	const char *q = strchr(s, '?');
	enum p11_err r;

	if ((r = check_part(s, q != NULL ? q : s + strlen(s), ';', 0, d)) != P11_OK)
		return r;
	return q != NULL ? check_part(q + 1, q + strlen(q), '&', 1, d) : P11_OK;
}

static CTL_MUST_USE enum p11_err
parse_uri(struct p11_sel *sel, struct p11_diag *d)
{
	enum p11_err r;
	int rc;

	if ((r = check_attrs(sel->text + P11_KIT_URI_SCHEME_LEN + 1, d)) != P11_OK)
		return r;
	if ((sel->uri = p11_kit_uri_new()) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	rc = p11_kit_uri_parse(sel->text, P11_KIT_URI_FOR_ANY, sel->uri);
	if (rc != P11_KIT_URI_OK)
		return p11_fail(d, P11_E_URI, "bad PKCS#11 URI: %s", p11_kit_uri_message(rc));
	if (p11_kit_uri_any_unrecognized(sel->uri))
		return p11_fail(d, P11_E_URI, "PKCS#11 URI has an attribute p11-kit does not support");
	return P11_OK;
}

enum p11_err
p11_sel_parse(const char *s, struct p11_sel **out, struct p11_diag *d)
{
	struct p11_sel *sel;
	enum p11_err r;

	*out = NULL;
	if (s == NULL || *s == '\0')
		return p11_fail(d, P11_E_URI, "empty token selector");
	if ((sel = calloc(1, sizeof(*sel))) == NULL || (sel->text = strdup(s)) == NULL) {
		free(sel);
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	}
	if (strncmp(s, P11_KIT_URI_SCHEME ":", P11_KIT_URI_SCHEME_LEN + 1) == 0 &&
	    (r = parse_uri(sel, d)) != P11_OK) {
		p11_sel_free(sel);
		return r;
	}
	*out = sel;
	return P11_OK;
}

void
p11_sel_free(struct p11_sel *sel)
{
	if (sel == NULL)
		return;
	if (sel->uri != NULL)
		p11_kit_uri_free(sel->uri);
	if (sel->text != NULL)
		OPENSSL_cleanse(sel->text, strlen(sel->text)); /* may hold a pin-source path */
	free(sel->text);
	free(sel);
}

const char *
p11_sel_text(const struct p11_sel *sel)
{
	return sel->text;
}

int
p11_sel_is_uri(const struct p11_sel *sel)
{
	return sel->uri != NULL;
}

const char *
p11_sel_module_path(const struct p11_sel *sel)
{
	return sel->uri != NULL ? p11_kit_uri_get_module_path(sel->uri) : NULL;
}

const char *
p11_sel_pin_source(const struct p11_sel *sel)
{
	return sel->uri != NULL ? p11_kit_uri_get_pin_source(sel->uri) : NULL;
}

/* PKCS#11 info strings are blank-padded, not NUL-terminated. */
static void
pad(unsigned char *dst, size_t n, const char *s)
{
	size_t l = s != NULL ? strlen(s) : 0;

	memset(dst, ' ', n);
	memcpy(dst, s != NULL ? s : "", l < n ? l : n);
}

static void
fill_token(CK_TOKEN_INFO *ti, const struct p11_tokid *t)
{
	memset(ti, 0, sizeof(*ti));
	pad(ti->label, sizeof(ti->label), t->label);
	pad(ti->manufacturerID, sizeof(ti->manufacturerID), t->manufacturer);
	pad(ti->model, sizeof(ti->model), t->model);
	pad(ti->serialNumber, sizeof(ti->serialNumber), t->serial);
}

int
p11_sel_match_token(const struct p11_sel *sel, const struct p11_tokid *t)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	CK_INFO mi;
	CK_SLOT_ID want;

	if (sel->uri == NULL)
		return strcmp(sel->text, t->label) == 0 || strcmp(sel->text, t->serial) == 0;
	fill_token(&ti, t);
	memset(&si, 0, sizeof(si));
	pad(si.slotDescription, sizeof(si.slotDescription), t->slot_description);
	pad(si.manufacturerID, sizeof(si.manufacturerID), t->slot_manufacturer);
	memset(&mi, 0, sizeof(mi));
	pad(mi.manufacturerID, sizeof(mi.manufacturerID), t->lib_manufacturer);
	pad(mi.libraryDescription, sizeof(mi.libraryDescription), t->lib_description);
	mi.libraryVersion.major = (CK_BYTE)t->lib_major;
	mi.libraryVersion.minor = (CK_BYTE)t->lib_minor;
	want = p11_kit_uri_get_slot_id(sel->uri);
	if (want != (CK_SLOT_ID)-1 && want != t->slot_id)
		return 0;
	return p11_kit_uri_match_token_info(sel->uri, &ti) &&
	       p11_kit_uri_match_slot_info(sel->uri, &si) &&
	       p11_kit_uri_match_module_info(sel->uri, &mi);
}

int
p11_sel_match_object(const struct p11_sel *sel, const char *label,
                     const unsigned char *id, size_t id_len)
{
	CK_ATTRIBUTE_PTR a;

	if (sel->uri == NULL)
		return 1;
	a = p11_kit_uri_get_attribute(sel->uri, CKA_ID);
	if (a != NULL && (a->ulValueLen != id_len || (id_len > 0 && memcmp(a->pValue, id, id_len) != 0)))
		return 0;
	a = p11_kit_uri_get_attribute(sel->uri, CKA_LABEL);
	if (a != NULL && (label == NULL || a->ulValueLen != strlen(label) ||
	                  memcmp(a->pValue, label, a->ulValueLen) != 0))
		return 0;
	return 1;
}

char *
p11_uri_for_token(const struct p11_tokid *t)
{
	P11KitUri *uri = p11_kit_uri_new();
	char *s = NULL;

	if (uri == NULL)
		return NULL;
	fill_token(p11_kit_uri_get_token_info(uri), t);
	/* Only label and serial: what an administrator needs to tell two eTokens apart. */
	memset(p11_kit_uri_get_token_info(uri)->manufacturerID, 0, 32);
	memset(p11_kit_uri_get_token_info(uri)->model, 0, 16);
	if (p11_kit_uri_format(uri, P11_KIT_URI_FOR_TOKEN, &s) != P11_KIT_URI_OK)
		s = NULL;
	p11_kit_uri_free(uri);
	return s;
}
