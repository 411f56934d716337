/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TVS certificate store: every certificate the `cert = ROLES:PATH`
 * lines name, read into memory once (at start and on each SIGHUP), and two
 * sorted indexes over it: by SHA-256 of the DER (VERIFY) and by
 * (canonical issuer, serial) (QUERY), both searched with bsearch. The store
 * is immutable once built, so connection threads read it without a lock.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "kvconf.h"
#include "tvsd.h"

/* Entries being collected, before indexing. */
struct builder {
	struct tvsd_entry *ents;
	size_t n, cap;
};

static void
entry_cleanup(struct tvsd_entry *e)
{
	free(e->der);
	free(e->issuer);
	free(e->serial);
	free(e->subject);
	memset(e, 0, sizeof(*e));
}

/* Adds the roles of src to dst, keeping them sorted and unique. */
static void
merge_roles(struct tvsd_entry *dst, const uint8_t *roles, size_t n)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		for (j = 0; j < dst->nroles && dst->roles[j] != roles[i]; j++)
			;
		if (j < dst->nroles || dst->nroles == CTL_TVS_MAX_ROLES)
			continue;
		for (k = dst->nroles; k > 0 && dst->roles[k - 1] > roles[i]; k--)
			dst->roles[k] = dst->roles[k - 1];
		dst->roles[k] = roles[i];
		dst->nroles++;
	}
}

/* Fills e from x (DER, fingerprint, names, serial) with the line's roles. */
static CTL_MUST_USE int
entry_fill(struct tvsd_entry *e, X509 *x, const struct tvsd_cert_line *l, char *why, size_t whylen)
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int n = i2d_X509(x, &der);

	memset(e, 0, sizeof(*e));
	if (n <= 0)
		return kv_fail(why, whylen, "cannot encode a certificate as DER");
	e->der = malloc((size_t)n);
	if (e->der == NULL) {
		OPENSSL_free(der);
		return kv_fail(why, whylen, "out of memory");
	}
	memcpy(e->der, der, (size_t)n);
	e->der_len = (size_t)n;
	OPENSSL_free(der);
	if (EVP_Digest(e->der, e->der_len, e->sha256, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		entry_cleanup(e);
		return kv_fail(why, whylen, "SHA-256 failed");
	}
	if (ctl_name_canon_x509(X509_get_issuer_name(x), &e->issuer) != CTL_OK ||
	    ctl_name_string(X509_get_subject_name(x), &e->subject) != CTL_OK ||
	    ctl_serial_bytes(x, &e->serial, &e->serial_len) != CTL_OK) {
		entry_cleanup(e);
		return kv_fail(why, whylen, "unusable issuer, subject or serial number");
	}
	merge_roles(e, l->roles, l->nroles);
	return 0;
}

static CTL_MUST_USE int
builder_add(struct builder *b, X509 *x, const struct tvsd_cert_line *l, char *why, size_t whylen)
{
	if (b->n == TVSD_MAX_CERTS)
		return kv_fail(why, whylen, "more than %d certificates in the store", TVSD_MAX_CERTS);
	if (b->n == b->cap) {
		size_t cap = b->cap == 0 ? 16 : b->cap * 2;
		struct tvsd_entry *p = realloc(b->ents, cap * sizeof(*p));

		if (p == NULL)
			return kv_fail(why, whylen, "out of memory");
		b->ents = p;
		b->cap = cap;
	}
	if (entry_fill(&b->ents[b->n], x, l, why, whylen) != 0)
		return -1;
	b->n++;
	return 0;
}

static void
openssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	buf[0] = '\0';
	if (e != 0)
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
}

/* Every certificate of one file: a PEM bundle or a single DER certificate. */
static CTL_MUST_USE int
load_file(struct builder *b, const char *path, const struct tvsd_cert_line *l, char *err,
          size_t errlen)
{
	struct ctl_diag d;
	uint8_t *buf = NULL;
	size_t len = 0, count = 0;
	char why[512] = "", ossl[256];
	int rc = -1;

	if (ctl_read_file(path, TVSD_MAX_FILE, &buf, &len, &d) != CTL_OK)
		return kv_fail(err, errlen, "%s: %s", path, d.msg);
	ERR_clear_error();
	if (len >= 10 && memmem(buf, len, "-----BEGIN", 10) != NULL) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);
		X509 *x;

		if (bio == NULL) {
			snprintf(why, sizeof(why), "out of memory");
			goto out;
		}
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			int r = builder_add(b, x, l, why, sizeof(why));

			X509_free(x);
			if (r != 0) {
				BIO_free(bio);
				goto out;
			}
			count++;
		}
		BIO_free(bio);
		/* The loop ends with "no start line" after the last certificate. */
		if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
			openssl_reason(ossl, sizeof(ossl));
			snprintf(why, sizeof(why), "not a PEM certificate (%s)", ossl);
			goto out;
		}
		ERR_clear_error();
		if (count == 0) {
			snprintf(why, sizeof(why), "no CERTIFICATE block in it");
			goto out;
		}
	} else {
		const unsigned char *p = buf;
		X509 *x = d2i_X509(NULL, &p, (long)len);

		if (x == NULL || p != buf + len) {
			X509_free(x);
			openssl_reason(ossl, sizeof(ossl));
			snprintf(why, sizeof(why), "neither PEM nor one DER certificate%s%s%s",
			         ossl[0] != '\0' ? " (" : "", ossl, ossl[0] != '\0' ? ")" : "");
			goto out;
		}
		rc = builder_add(b, x, l, why, sizeof(why));
		X509_free(x);
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	free(buf);
	if (rc != 0)
		return kv_fail(err, errlen, "%s: %s (cert line %s)", path, why, l->origin);
	return 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.pem regular files of a directory, in name order. */
static CTL_MUST_USE int
load_dir(struct builder *b, const char *dir, const struct tvsd_cert_line *l, char *err,
         size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, path[TVSD_PATH_MAX * 2];
	size_t n = 0, cap = 0, i;
	int rc = 0;

	if (d == NULL)
		return kv_fail(err, errlen, "%s: %s (cert line %s)", dir, strerror(errno), l->origin);
	while ((de = readdir(d)) != NULL) {
		size_t k = strlen(de->d_name);
		struct stat sb;

		if (k < 5 || de->d_name[0] == '.' || strcmp(de->d_name + k - 4, ".pem") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap == 0 ? 16 : cap * 2) * sizeof(*p));

			if (p == NULL) {
				rc = kv_fail(err, errlen, "%s: out of memory", dir);
				break;
			}
			names = p;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = kv_fail(err, errlen, "%s: out of memory", dir);
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 0) /* names is NULL for a directory without *.pem */
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = load_file(b, path, l, err, errlen);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int
cmp_hash(const void *a, const void *b)
{
	const struct tvsd_entry *x = *(const struct tvsd_entry *const *)a;
	const struct tvsd_entry *y = *(const struct tvsd_entry *const *)b;

	return memcmp(x->sha256, y->sha256, 32);
}

/* Serials compared as numbers: shorter (minimal) is smaller. */
static int
cmp_serial(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	if (an != bn)
		return an < bn ? -1 : 1;
	return an == 0 ? 0 : memcmp(a, b, an);
}

static int
cmp_issuer_serial(const void *a, const void *b)
{
	const struct tvsd_entry *x = *(const struct tvsd_entry *const *)a;
	const struct tvsd_entry *y = *(const struct tvsd_entry *const *)b;
	int c = strcmp(x->issuer, y->issuer);

	return c != 0 ? c : cmp_serial(x->serial, x->serial_len, y->serial, y->serial_len);
}

/* Merges entries with the same fingerprint (roles united), then builds both indexes. */
static CTL_MUST_USE int
index_store(struct tvsd_store *s, char *err, size_t errlen)
{
	size_t i, k = 0;

	if (s->nents == 0)
		return kv_fail(err, errlen, "the cert lines name no certificate");
	s->by_hash = calloc(s->nents, sizeof(*s->by_hash));
	s->by_name = calloc(s->nents, sizeof(*s->by_name));
	if (s->by_hash == NULL || s->by_name == NULL)
		return kv_fail(err, errlen, "out of memory");
	for (i = 0; i < s->nents; i++)
		s->by_hash[i] = &s->ents[i];
	qsort(s->by_hash, s->nents, sizeof(*s->by_hash), cmp_hash);
	for (i = 0; i < s->nents; i++) {
		struct tvsd_entry *e = s->by_hash[i];

		if (k > 0 && memcmp(s->by_hash[k - 1]->sha256, e->sha256, 32) == 0) {
			merge_roles(s->by_hash[k - 1], e->roles, e->nroles);
			continue;
		}
		s->by_hash[k++] = e;
	}
	memcpy(s->by_name, s->by_hash, k * sizeof(*s->by_name));
	qsort(s->by_name, k, sizeof(*s->by_name), cmp_issuer_serial);
	s->nents = k; /* the indexes' length; ents keeps every slot for tvsd_store_free */
	return 0;
}

int
tvsd_store_load(const struct tvsd_config *c, struct tvsd_store **out, char *err, size_t errlen)
{
	struct builder b = { NULL, 0, 0 };
	struct tvsd_store *s;
	size_t i;
	int rc = 0;

	*out = NULL;
	for (i = 0; i < c->nlines && rc == 0; i++) {
		const struct tvsd_cert_line *l = &c->lines[i];
		struct stat sb;

		if (stat(l->path, &sb) != 0)
			rc = kv_fail(err, errlen, "%s: %s (cert line %s)", l->path, strerror(errno),
			          l->origin);
		else if (S_ISDIR(sb.st_mode))
			rc = load_dir(&b, l->path, l, err, errlen);
		else
			rc = load_file(&b, l->path, l, err, errlen);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL && rc == 0)
		rc = kv_fail(err, errlen, "out of memory");
	if (s != NULL) {
		s->ents = b.ents;
		s->nents = b.n;
		s->nslots = b.n;
		s->ttl = c->ttl;
		s->read_timeout = c->read_timeout;
	} else {
		for (i = 0; i < b.n; i++)
			entry_cleanup(&b.ents[i]);
		free(b.ents);
		return -1;
	}
	if (rc == 0)
		rc = index_store(s, err, errlen);
	if (rc != 0) {
		tvsd_store_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
tvsd_store_free(struct tvsd_store *s)
{
	size_t i, n;

	if (s == NULL)
		return;
	n = s->nslots;
	for (i = 0; i < n; i++)
		entry_cleanup(&s->ents[i]);
	free(s->ents);
	free(s->by_hash);
	free(s->by_name);
	SSL_CTX_free(s->ssl_ctx);
	free(s);
}

const struct tvsd_entry *
tvsd_store_by_hash(const struct tvsd_store *s, const uint8_t sha256[32])
{
	struct tvsd_entry key, *kp = &key, **hit;

	memcpy(key.sha256, sha256, 32);
	hit = bsearch(&kp, s->by_hash, s->nents, sizeof(*s->by_hash), cmp_hash);
	return hit != NULL ? *hit : NULL;
}

const struct tvsd_entry *
tvsd_store_by_issuer(const struct tvsd_store *s, const char *issuer, size_t issuer_len,
                     const uint8_t *serial, size_t serial_len)
{
	struct tvsd_entry key, *kp = &key, **hit;
	char *canon = NULL;

	while (serial_len > 0 && serial[0] == 0) {
		serial++;
		serial_len--;
	}
	if (serial_len == 0 || ctl_name_canon(issuer, issuer_len, &canon) != CTL_OK)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.issuer = canon;
	key.serial = (uint8_t *)(uintptr_t)serial;
	key.serial_len = serial_len;
	hit = bsearch(&kp, s->by_name, s->nents, sizeof(*s->by_name), cmp_issuer_serial);
	free(canon);
	return hit != NULL ? *hit : NULL;
}
