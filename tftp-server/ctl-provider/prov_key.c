/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A node's signing keys (doc/sbd.md, "The node's identity"): a PEM file
 * readable by its owner only, or a key on a PKCS#11 token named by a
 * pkcs11: URI (RFC 7512), used through libp11. The token key never leaves
 * the token: OpenSSL hands each signature to the token (C_Sign), and the
 * libctl signer made from it verifies nothing itself, so the key is
 * checked against its certificate once, when it is loaded.
 *
 * URI attributes understood: token (label, required), serial, object
 * (key label), id (CKA_ID, percent-encoded bytes); in the query,
 * module-path (else $CTL_PKCS11_MODULE), pin-source (a file readable by
 * its owner only, "file:" prefix optional) or pin-value. Without object
 * and id, the token key matching the certificate is taken.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libp11.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "provider.h"

#define MODULE_ENV "CTL_PKCS11_MODULE"

struct prov_key {
	PKCS11_CTX *ctx;             /* NULL for a PEM key */
	PKCS11_SLOT *slots;
	unsigned int nslots;
	struct ctl_signer *signer;
};

/* Percent-decodes src[0..n) into dst (cap bytes, NUL added); -1 on a bad escape or overflow. */
static CTL_MUST_USE int
pct_decode(const char *src, size_t n, char *dst, size_t cap, size_t *outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n || (hi = ctl_hex_digit(src[i + 1])) < 0 ||
			    (lo = ctl_hex_digit(src[i + 2])) < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	*outlen = o;
	return 0;
}

/* Stores one "name=value" attribute of the URI into u. */
static CTL_MUST_USE int
uri_attr(struct prov_p11_uri *u, const char *a, size_t n, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		size_t off, cap;
	} attrs[] = {
#define A(k, f) { k, offsetof(struct prov_p11_uri, f), sizeof(((struct prov_p11_uri *)0)->f) }
		A("token", token), A("serial", serial), A("object", object), A("id", id),
		A("module-path", module), A("pin-source", pin_source), A("pin-value", pin_value),
#undef A
	};
	const char *eq = memchr(a, '=', n);
	size_t i, len = 0;

	if (n == 0)
		return 0;
	if (eq == NULL) {
		snprintf(err, errlen, "pkcs11: URI attribute '%.*s' has no value", (int)(n > 64 ? 64 : n), a);
		return -1;
	}
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if (strlen(attrs[i].name) != (size_t)(eq - a) ||
		    strncmp(a, attrs[i].name, (size_t)(eq - a)) != 0)
			continue;
		if (pct_decode(eq + 1, n - (size_t)(eq - a) - 1, (char *)u + attrs[i].off,
		               attrs[i].cap, &len) != 0) {
			snprintf(err, errlen, "pkcs11: URI attribute %s: bad %%-escape or too long",
			         attrs[i].name);
			return -1;
		}
		if (attrs[i].off == offsetof(struct prov_p11_uri, id))
			u->id_len = len;
		return 0;
	}
	return 0; /* type, slot-id, manufacturer, ...: not needed to find the key */
}

int
prov_p11_uri_parse(const char *s, struct prov_p11_uri *u, char *err, size_t errlen)
{
	const char *p, *q, *end;

	memset(u, 0, sizeof(*u));
	if (strncmp(s, "pkcs11:", 7) != 0) {
		snprintf(err, errlen, "not a pkcs11: URI");
		return -1;
	}
	p = s + 7;
	q = strchr(p, '?');
	end = q != NULL ? q : p + strlen(p);
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *stop = semi != NULL ? semi : end;

		if (uri_attr(u, p, (size_t)(stop - p), err, errlen) != 0)
			return -1;
		p = stop + (semi != NULL);
	}
	for (p = q != NULL ? q + 1 : end; q != NULL && *p != '\0';) {
		const char *amp = strchr(p, '&');
		const char *stop = amp != NULL ? amp : p + strlen(p);

		if (uri_attr(u, p, (size_t)(stop - p), err, errlen) != 0)
			return -1;
		p = stop + (amp != NULL);
	}
	if (u->token[0] == '\0') {
		snprintf(err, errlen, "pkcs11: URI names no token (token=LABEL)");
		return -1;
	}
	return 0;
}

void
prov_key_free(struct prov_key *k)
{
	if (k == NULL)
		return;
	ctl_signer_free(k->signer); /* its EVP_PKEY refers into the token: before the slots */
	if (k->ctx != NULL) {
		if (k->slots != NULL)
			PKCS11_release_all_slots(k->ctx, k->slots, k->nslots);
		PKCS11_CTX_unload(k->ctx);
		PKCS11_CTX_free(k->ctx);
	}
	free(k);
}

const struct ctl_signer *
prov_key_signer(const struct prov_key *k)
{
	return k != NULL ? k->signer : NULL;
}

/* The PIN from pin-source (owner-only file) or pin-value, into pin; "" when none. */
static CTL_MUST_USE int
read_pin(const char *what, const struct prov_p11_uri *u, char *pin, size_t cap, char *err,
         size_t errlen)
{
	const char *path = u->pin_source;
	char why[PROV_PATH_MAX + 160];
	uint8_t *b = NULL;
	size_t n = 0;

	pin[0] = '\0';
	if (path[0] == '\0') {
		snprintf(pin, cap, "%s", u->pin_value);
		return 0;
	}
	if (strncmp(path, "file:", 5) == 0)
		path += 5;
	if (kv_secret_mode_check("pin-source", path, why, sizeof(why)) != 0 ||
	    prov_file_read(path, cap - 1, &b, &n, NULL, why, sizeof(why)) != PROV_FILE_OK) {
		snprintf(err, errlen, "%s: %s", what, why);
		return -1;
	}
	while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		n--;
	memcpy(pin, b, n);
	pin[n] = '\0';
	OPENSSL_cleanse(b, n);
	free(b);
	return 0;
}

/* The slot whose token has u's label (and serial when given). */
static PKCS11_SLOT *
find_slot(struct prov_key *k, const struct prov_p11_uri *u)
{
	unsigned int i;

	for (i = 0; i < k->nslots; i++) {
		const PKCS11_TOKEN *t = k->slots[i].token;

		if (t != NULL && t->label != NULL && strcmp(t->label, u->token) == 0 &&
		    (u->serial[0] == '\0' || (t->serialnr != NULL && strcmp(t->serialnr, u->serial) == 0)))
			return &k->slots[i];
	}
	return NULL;
}

/* The token's private key for u (id, label, or the one matching cert). */
static EVP_PKEY *
find_key(PKCS11_SLOT *slot, const struct prov_p11_uri *u, X509 *cert)
{
	PKCS11_KEY *keys = NULL;
	unsigned int nk = 0, i;

	if (PKCS11_enumerate_keys(slot->token, &keys, &nk) != 0)
		return NULL;
	for (i = 0; i < nk; i++) {
		EVP_PKEY *pk;

		if (u->id_len > 0 && (keys[i].id_len != u->id_len ||
		                      memcmp(keys[i].id, u->id, u->id_len) != 0))
			continue;
		if (u->object[0] != '\0' && (keys[i].label == NULL || strcmp(keys[i].label, u->object) != 0))
			continue;
		if ((pk = PKCS11_get_private_key(&keys[i])) == NULL)
			continue;
		if (EVP_PKEY_eq(pk, X509_get0_pubkey(cert)) == 1)
			return pk;
		EVP_PKEY_free(pk);
	}
	return NULL;
}

/* Opens the token of u, logs in and makes the signer for cert. */
static CTL_MUST_USE int
load_token(struct prov_key *k, const char *what, const char *uri, X509 *cert, char *err,
           size_t errlen)
{
	struct prov_p11_uri u;
	const char *module;
	PKCS11_SLOT *slot;
	EVP_PKEY *pk = NULL;
	struct ctl_diag d;
	char pin[256];
	int rc = -1;

	if (prov_p11_uri_parse(uri, &u, err, errlen) != 0)
		return -1;
	module = u.module[0] != '\0' ? u.module : getenv(MODULE_ENV);
	if (module == NULL || module[0] == '\0') {
		snprintf(err, errlen, "%s: the pkcs11: URI has no module-path and %s is not set",
		         what, MODULE_ENV);
		return -1;
	}
	if (read_pin(what, &u, pin, sizeof(pin), err, errlen) != 0)
		return -1;
	ERR_clear_error();
	if ((k->ctx = PKCS11_CTX_new()) == NULL || PKCS11_CTX_load(k->ctx, module) != 0) {
		snprintf(err, errlen, "%s: cannot load the PKCS#11 module %s", what, module);
		goto out;
	}
	if (PKCS11_enumerate_slots(k->ctx, &k->slots, &k->nslots) != 0 ||
	    (slot = find_slot(k, &u)) == NULL) {
		snprintf(err, errlen, "%s: no token labelled '%s' in %s", what, u.token, module);
		goto out;
	}
	if (pin[0] != '\0' && PKCS11_login(slot, 0, pin) != 0) {
		snprintf(err, errlen, "%s: login to token '%s' failed (wrong PIN?)", what, u.token);
		goto out;
	}
	if ((pk = find_key(slot, &u, cert)) == NULL) {
		snprintf(err, errlen, "%s: no private key on token '%s' matches the certificate%s",
		         what, u.token, pin[0] == '\0' ? " (no PIN given: private keys need a login)" : "");
		goto out;
	}
	if (ctl_signer_new_pkey(pk, cert, &k->signer, &d) != CTL_OK) {
		snprintf(err, errlen, "%s: %s", what, d.msg);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return rc;
}

int
prov_key_load(const char *what, const char *key, const char *cert_path, struct prov_key **out,
              char *err, size_t errlen)
{
	struct prov_key *k;
	struct ctl_diag d;
	char why[PROV_PATH_MAX + 160];
	X509 *cert = NULL;
	int rc;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (strncmp(key, "pkcs11:", 7) == 0) {
		if (ctl_cert_load(cert_path, &cert, &d) != CTL_OK) {
			snprintf(err, errlen, "%s: certificate %s: %s", what, cert_path, d.msg);
			rc = -1;
		} else {
			rc = load_token(k, what, key, cert, err, errlen);
		}
		X509_free(cert);
	} else if (kv_secret_mode_check(what, key, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s", why);
		rc = -1;
	} else if (ctl_signer_new_pem(key, cert_path, &k->signer, &d) != CTL_OK) {
		snprintf(err, errlen, "%s %s (certificate %s): %s", what, key, cert_path, d.msg);
		rc = -1;
	} else {
		rc = 0;
	}
	if (rc != 0) {
		prov_key_free(k);
		return -1;
	}
	*out = k;
	return 0;
}
