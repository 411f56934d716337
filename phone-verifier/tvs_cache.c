/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's TVS cache (tvs_cache.h). On flash it is text, one entry a
 * line after a version line, every field hex so no byte of a certificate or
 * name needs quoting:
 *   ctl-suite tvs-cache 1
 *   EXPIRY ROLES SERIAL ISSUER CERT
 * EXPIRY is Unix seconds (decimal), ROLES one hex byte per role code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509.h>

#include <ctl/buf.h>
#include <ctl/text.h>

#include "tvs_cache.h"

#define CACHE_MAGIC "ctl-suite tvs-cache 1"
#define CACHE_MAX_FILE (8u << 20)
#define CERT_MAX 16384u
#define NAME_MAX_LEN 1024u
#define SERIAL_MAX 64u

struct entry {
	uint64_t expiry;
	char *issuer;
	uint8_t serial[SERIAL_MAX];
	size_t serial_len;
	uint8_t roles[PV_TVS_MAX_ROLES];
	size_t nroles;
	X509 *cert;
	uint8_t *der;
	size_t der_len;
};

struct pv_tvs_cache {
	struct entry e[PV_TVS_CACHE_MAX];
	size_t n;
};

enum ctl_err
pv_tvs_cache_new(struct pv_tvs_cache **out)
{
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? CTL_OK : CTL_E_NOMEM;
}

static void
entry_clear(struct entry *e)
{
	free(e->issuer);
	X509_free(e->cert);
	free(e->der);
	memset(e, 0, sizeof(*e));
}

void
pv_tvs_cache_free(struct pv_tvs_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		entry_clear(&c->e[i]);
	free(c);
}

size_t
pv_tvs_cache_count(const struct pv_tvs_cache *c)
{
	return c->n;
}

static void
drop(struct pv_tvs_cache *c, size_t i)
{
	entry_clear(&c->e[i]);
	c->e[i] = c->e[c->n - 1];
	memset(&c->e[c->n - 1], 0, sizeof(c->e[0]));
	c->n--;
}

static int
key_eq(const struct entry *e, const char *issuer, const uint8_t *serial, size_t serial_len)
{
	/* One signer's issuer may be written in CUCM's form by one file, RFC 4514's by another. */
	return e->serial_len == serial_len && memcmp(e->serial, serial, serial_len) == 0 &&
	       ctl_name_text_equal(e->issuer, issuer);
}

int
pv_tvs_cache_find(struct pv_tvs_cache *c, const char *issuer, const uint8_t *serial,
                  size_t serial_len, uint64_t now, struct pv_tvs_answer *a)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct entry *e = &c->e[i];

		if (!key_eq(e, issuer, serial, serial_len))
			continue;
		if (e->expiry <= now) {
			drop(c, i);
			return 0;
		}
		if (X509_up_ref(e->cert) != 1)
			return 0;
		memset(a, 0, sizeof(*a));
		a->cert = e->cert;
		memcpy(a->roles, e->roles, e->nroles);
		a->nroles = e->nroles;
		a->ttl = (uint32_t)(e->expiry - now > UINT32_MAX ? UINT32_MAX : e->expiry - now);
		a->cached = 1;
		return 1;
	}
	return 0;
}

/* Fills e from its parts (copied); the DER is parsed to the X509 kept for answers. */
CTL_MUST_USE static enum ctl_err
entry_set(struct entry *e, uint64_t expiry, const char *issuer, const uint8_t *serial,
          size_t serial_len, const uint8_t *roles, size_t nroles, const uint8_t *der,
          size_t der_len)
{
	const unsigned char *p = der;

	if (serial_len == 0 || serial_len > SERIAL_MAX || nroles > PV_TVS_MAX_ROLES ||
	    der_len == 0 || der_len > CERT_MAX || strlen(issuer) > NAME_MAX_LEN)
		return CTL_E_INVAL;
	memset(e, 0, sizeof(*e));
	e->expiry = expiry;
	memcpy(e->serial, serial, serial_len);
	e->serial_len = serial_len;
	if (nroles > 0)
		memcpy(e->roles, roles, nroles);
	e->nroles = nroles;
	if ((e->issuer = strdup(issuer)) == NULL || (e->der = malloc(der_len)) == NULL) {
		entry_clear(e);
		return CTL_E_NOMEM;
	}
	memcpy(e->der, der, der_len);
	e->der_len = der_len;
	if ((e->cert = d2i_X509(NULL, &p, (long)der_len)) == NULL || p != der + der_len) {
		entry_clear(e);
		return CTL_E_INVAL;
	}
	return CTL_OK;
}

/* A slot for a new entry: a free one, else the one expiring first. */
static struct entry *
slot(struct pv_tvs_cache *c)
{
	size_t i, old = 0;

	if (c->n < PV_TVS_CACHE_MAX)
		return &c->e[c->n++];
	for (i = 1; i < c->n; i++)
		if (c->e[i].expiry < c->e[old].expiry)
			old = i;
	entry_clear(&c->e[old]);
	return &c->e[old];
}

enum ctl_err
pv_tvs_cache_put(struct pv_tvs_cache *c, const char *issuer, const uint8_t *serial,
                 size_t serial_len, const struct pv_tvs_answer *a, uint64_t now)
{
	unsigned char *der = NULL;
	struct entry tmp, *e;
	enum ctl_err r;
	size_t i;
	int n;

	if (a->ttl == 0 || a->cert == NULL)
		return CTL_OK;
	if ((n = i2d_X509(a->cert, &der)) <= 0)
		return CTL_E_CERT;
	r = entry_set(&tmp, now + a->ttl, issuer, serial, serial_len, a->roles, a->nroles, der,
	              (size_t)n);
	OPENSSL_free(der);
	if (r != CTL_OK)
		return r;
	for (i = 0; i < c->n; i++)
		if (key_eq(&c->e[i], issuer, serial, serial_len)) {
			drop(c, i);
			break;
		}
	e = slot(c);
	*e = tmp;
	return CTL_OK;
}

/* ---- flash ------------------------------------------------------------------ */

CTL_MUST_USE static enum ctl_err
fail_at(struct ctl_diag *d, enum ctl_err e, const char *path, size_t line, const char *what)
{
	ctl_diag_clear(d);
	d->err = e;
	d->tag = -1;
	snprintf(d->msg, sizeof(d->msg), "%.300s line %zu: %s", path, line, what);
	return e;
}

/* Decodes hex text [s, s+n) into out (cap bytes); -1 when not hex or too long. */
static long
unhex(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t i;

	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (i = 0; i < n; i += 2) {
		int hi = ctl_hex_digit((unsigned char)s[i]), lo = ctl_hex_digit((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

/* A field: "-" for empty, else hex. */
static long
field(const char *s, uint8_t *out, size_t cap)
{
	return strcmp(s, "-") == 0 ? 0 : unhex(s, strlen(s), out, cap);
}

/* One entry line (NUL-terminated, no newline) into c; expired ones are skipped. */
CTL_MUST_USE static enum ctl_err
parse_line(struct pv_tvs_cache *c, char *s, uint64_t now)
{
	char *f[5], *save = NULL, *end;
	uint8_t roles[PV_TVS_MAX_ROLES], serial[SERIAL_MAX], *der;
	char issuer[NAME_MAX_LEN + 1];
	long nr, ns, ni, nd;
	unsigned long long exp;
	enum ctl_err r;
	size_t k;

	for (k = 0; k < 5; k++)
		if ((f[k] = strtok_r(k == 0 ? s : NULL, " ", &save)) == NULL)
			return CTL_E_INVAL;
	if (strtok_r(NULL, " ", &save) != NULL)
		return CTL_E_INVAL;
	errno = 0;
	exp = strtoull(f[0], &end, 10);
	if (errno != 0 || *end != '\0' || f[0][0] < '0' || f[0][0] > '9')
		return CTL_E_INVAL;
	if ((nr = field(f[1], roles, sizeof(roles))) < 0 ||
	    (ns = field(f[2], serial, sizeof(serial))) <= 0 ||
	    (ni = field(f[3], (uint8_t *)issuer, NAME_MAX_LEN)) < 0 ||
	    memchr(issuer, '\0', (size_t)ni) != NULL)
		return CTL_E_INVAL;
	issuer[ni] = '\0';
	if ((der = malloc(strlen(f[4]) / 2 + 1)) == NULL)
		return CTL_E_NOMEM;
	if ((nd = unhex(f[4], strlen(f[4]), der, CERT_MAX)) <= 0) {
		free(der);
		return CTL_E_INVAL;
	}
	r = CTL_OK;
	if (exp > now && c->n < PV_TVS_CACHE_MAX) {
		struct entry *e = &c->e[c->n];

		if ((r = entry_set(e, exp, issuer, serial, (size_t)ns, roles, (size_t)nr, der,
		                   (size_t)nd)) == CTL_OK)
			c->n++;
	}
	free(der);
	return r;
}

enum ctl_err
pv_tvs_cache_parse(struct pv_tvs_cache *c, const uint8_t *p, size_t n, const char *where,
                   uint64_t now, struct ctl_diag *d)
{
	char *text, *line, *save = NULL;
	size_t lineno = 1;
	enum ctl_err r = CTL_OK;

	if ((text = malloc(n + 1)) == NULL)
		return CTL_E_NOMEM;
	if (n > 0)
		memcpy(text, p, n);
	text[n] = '\0';
	if (memchr(text, '\0', n) != NULL ||
	    (line = strtok_r(text, "\n", &save)) == NULL || strcmp(line, CACHE_MAGIC) != 0) {
		r = fail_at(d, CTL_E_INVAL, where, 1, "not a tvs-cache file (first line \""
		            CACHE_MAGIC "\" expected)");
	} else {
		while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
			lineno++;
			if ((r = parse_line(c, line, now)) != CTL_OK) {
				r = fail_at(d, r, where, lineno, r == CTL_E_NOMEM ? "out of memory" :
				            "damaged entry (EXPIRY ROLES SERIAL ISSUER CERT in hex expected)");
				break;
			}
		}
	}
	free(text);
	return r;
}

enum ctl_err
pv_tvs_cache_load(struct pv_tvs_cache *c, const char *dir, uint64_t now, struct ctl_diag *d)
{
	char path[4096];
	uint8_t *p = NULL;
	size_t n = 0;
	struct stat st;
	enum ctl_err r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, PV_TVS_CACHE_NAME) >= (int)sizeof(path))
		return fail_at(d, CTL_E_TOO_LARGE, dir, 0, "path too long");
	if (stat(path, &st) != 0 && errno == ENOENT)
		return CTL_OK;
	if ((r = ctl_read_file(path, CACHE_MAX_FILE, &p, &n, d)) != CTL_OK)
		return r;
	r = pv_tvs_cache_parse(c, p, n, path, now, d);
	free(p);
	return r;
}

/* " " then the hex of p[0..n), or " -" for nothing (an empty field would vanish between spaces). */
CTL_MUST_USE static enum ctl_err
put_hex(struct ctl_wr *wr, const void *p, size_t n, int first)
{
	char hex[2 * CERT_MAX + 1];
	enum ctl_err r;

	if (!first && (r = ctl_wr_u8(wr, ' ')) != CTL_OK)
		return r;
	if (n == 0)
		return ctl_wr_u8(wr, '-');
	if (ctl_hex_encode(hex, sizeof(hex), p, n, 0) == NULL)
		return CTL_E_TOO_LARGE;
	return ctl_wr_bytes(wr, hex, strlen(hex));
}

enum ctl_err
pv_tvs_cache_format(const struct pv_tvs_cache *c, uint64_t now, uint8_t **out, size_t *len)
{
	struct ctl_wr wr;
	char num[32];
	size_t i;
	enum ctl_err r;

	ctl_wr_init(&wr, CACHE_MAX_FILE);
	r = ctl_wr_bytes(&wr, CACHE_MAGIC "\n", strlen(CACHE_MAGIC) + 1);
	for (i = 0; r == CTL_OK && i < c->n; i++) {
		const struct entry *e = &c->e[i];

		if (e->expiry <= now)
			continue;
		snprintf(num, sizeof(num), "%llu ", (unsigned long long)e->expiry);
		if ((r = ctl_wr_bytes(&wr, num, strlen(num))) == CTL_OK &&
		    (r = put_hex(&wr, e->roles, e->nroles, 1)) == CTL_OK &&
		    (r = put_hex(&wr, e->serial, e->serial_len, 0)) == CTL_OK &&
		    (r = put_hex(&wr, e->issuer, strlen(e->issuer), 0)) == CTL_OK &&
		    (r = put_hex(&wr, e->der, e->der_len, 0)) == CTL_OK)
			r = ctl_wr_u8(&wr, '\n');
	}
	if (r != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return r;
	}
	*out = ctl_wr_take(&wr, len);
	return *out != NULL ? CTL_OK : CTL_E_NOMEM;
}

enum ctl_err
pv_tvs_cache_save(const struct pv_tvs_cache *c, const char *dir, uint64_t now, struct ctl_diag *d)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	enum ctl_err r;

	if ((r = pv_tvs_cache_format(c, now, &buf, &len)) != CTL_OK)
		return fail_at(d, r, dir, 0, "cannot build the tvs-cache file");
	r = pv_state_write(dir, PV_TVS_CACHE_NAME, buf, len, d);
	free(buf);
	return r;
}
