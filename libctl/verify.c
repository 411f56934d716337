/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Verification (section 5). The signed bytes are the file with the
 * SIGNATURE element cut out; the signer is the SAST record whose serial
 * and issuer match the header, its PUBLICKEY equal to its CERTIFICATE key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "ctl_int.h"

static int
bytes_eq(struct ctl_bytes a, struct ctl_bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static void
result_init(struct ctl_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	res->signer_index = -1;
	res->trusted_index = -1;
}

static CTL_MUST_USE enum ctl_err
result_fail(struct ctl_verify_result *res, enum ctl_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static CTL_MUST_USE enum ctl_err
result_fail(struct ctl_verify_result *res, enum ctl_err e, const char *fmt, ...)
{
	va_list ap;

	res->err = e;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	return e;
}

enum ctl_err
ctli_verify_sig(const struct ctl_file *f, EVP_PKEY *key, char *why, size_t whylen)
{
	const EVP_MD *md = ctli_md(f->digest);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t tail = f->sig_off + f->sig_tlv_len;
	int ok;

	ERR_clear_error();
	ok = ctx != NULL && md != NULL &&
	     EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
	     EVP_DigestVerifyUpdate(ctx, f->data, f->sig_off) == 1 &&
	     EVP_DigestVerifyUpdate(ctx, f->data + tail, f->len - tail) == 1 &&
	     EVP_DigestVerifyFinal(ctx, f->signature.p, f->signature.len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		snprintf(why, whylen, "RSA %s signature does not match the file's contents",
		         ctl_digest_name(f->digest));
	return ok ? CTL_OK : CTL_E_SIG_INVALID;
}

#define VERIFIER_SLOTS 16
/* Digest codes (enum ctl_digest) are 1..3: index 0 is unused. */
#define VERIFIER_DIGESTS 4

/*
 * A verifier keeps, per key, a context made ready for PKCS#1 v1.5
 * verification with each digest it met, and one fetched digest each: a
 * fleet checks thousands of configuration files signed by one key, and
 * setting up a context (EVP_DigestVerifyInit: provider lookups, key
 * checks) cost a third as much as the RSA operation itself.
 */
struct verifier_slot {
	uint8_t *pub;
	size_t len;
	EVP_PKEY *key;
	EVP_PKEY_CTX *vctx[VERIFIER_DIGESTS];
};

struct ctl_verifier {
	struct verifier_slot slot[VERIFIER_SLOTS];
	size_t next; /* round-robin replacement */
	EVP_MD *md[VERIFIER_DIGESTS];
	EVP_MD_CTX *mdctx;
};

static void
slot_clear(struct verifier_slot *s)
{
	size_t d;

	free(s->pub);
	EVP_PKEY_free(s->key);
	for (d = 0; d < VERIFIER_DIGESTS; d++)
		EVP_PKEY_CTX_free(s->vctx[d]);
	memset(s, 0, sizeof(*s));
}

enum ctl_err
ctl_verifier_new(struct ctl_verifier **out)
{
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? CTL_OK : CTL_E_NOMEM;
}

void
ctl_verifier_free(struct ctl_verifier *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < VERIFIER_SLOTS; i++)
		slot_clear(&v->slot[i]);
	for (i = 0; i < VERIFIER_DIGESTS; i++)
		EVP_MD_free(v->md[i]);
	EVP_MD_CTX_free(v->mdctx);
	free(v);
}

/* The cached key for these PUBLICKEY bytes, built and cached on a miss. */
static EVP_PKEY *
verifier_key(struct ctl_verifier *v, const struct ctl_record *r)
{
	size_t i;
	EVP_PKEY *key;
	uint8_t *copy;

	for (i = 0; i < VERIFIER_SLOTS; i++)
		if (v->slot[i].key != NULL && v->slot[i].len == r->pubkey.len &&
		    memcmp(v->slot[i].pub, r->pubkey.p, r->pubkey.len) == 0) {
			EVP_PKEY_up_ref(v->slot[i].key);
			return v->slot[i].key;
		}
	if ((key = ctli_pkey_from_record(r)) == NULL || (copy = malloc(r->pubkey.len)) == NULL)
		return key;
	memcpy(copy, r->pubkey.p, r->pubkey.len);
	i = v->next++ % VERIFIER_SLOTS;
	slot_clear(&v->slot[i]);
	v->slot[i].pub = copy;
	v->slot[i].len = r->pubkey.len;
	v->slot[i].key = key;
	EVP_PKEY_up_ref(key);
	return key;
}

/* Key for record r: its PUBLICKEY, which must equal its certificate's key. */
static CTL_MUST_USE enum ctl_err
record_key(struct ctl_verifier *v, const struct ctl_record *r, size_t idx, EVP_PKEY **key,
           char *why, size_t whylen)
{
	struct ctl_bytes ck;

	*key = NULL;
	if (r->cert.len == 0 || r->pubkey.len == 0) {
		snprintf(why, whylen, "record %zu has no CERTIFICATE or PUBLICKEY", idx + 1);
		return CTL_E_MISSING;
	}
	if (ctli_cert_key_bytes(r->cert.p, r->cert.len, &ck) != CTL_OK) {
		snprintf(why, whylen, "record %zu: CERTIFICATE is not a readable X.509 DER", idx + 1);
		return CTL_E_CERT;
	}
	if (!bytes_eq(ck, r->pubkey)) {
		snprintf(why, whylen, "record %zu: PUBLICKEY differs from the CERTIFICATE's key", idx + 1);
		return CTL_E_KEY;
	}
	if ((*key = v != NULL ? verifier_key(v, r) : ctli_pkey_from_record(r)) == NULL) {
		ERR_clear_error();
		snprintf(why, whylen, "record %zu: PUBLICKEY is not an RSA key", idx + 1);
		return CTL_E_KEY;
	}
	return CTL_OK;
}

/* Index of the signer record of f within list (roles given), or an error. */
static CTL_MUST_USE enum ctl_err
find_signer(const struct ctl_file *f, const struct ctl_file *list, const uint16_t *roles,
            size_t nroles, int *idx, char *why, size_t whylen)
{
	size_t i, k;

	*idx = -1;
	for (i = 0; i < list->nrecs; i++) {
		const struct ctl_record *r = &list->recs[i];
		int role_ok = 0;

		for (k = 0; k < nroles; k++)
			role_ok |= r->role == roles[k];
		/* Issuer text in any form on either side (CUCM's or RFC 4514's, section 8). */
		if (!role_ok || !bytes_eq(r->serial, f->signer_serial) ||
		    !ctl_name_bytes_equal(r->issuer.p, r->issuer.len, f->caname.p, f->caname.len))
			continue;
		if (*idx >= 0 && !bytes_eq(list->recs[*idx].cert, r->cert)) {
			snprintf(why, whylen, "records %d and %zu both match the header's signer with "
			         "different certificates", *idx + 1, i + 1);
			return CTL_E_SIGNER_AMBIGUOUS;
		}
		if (*idx < 0)
			*idx = (int)i;
	}
	if (*idx < 0) {
		snprintf(why, whylen, "no %s record matches the header's signer serial and issuer",
		         nroles == 1 && roles[0] == CTL_ROLE_SAST ? "SAST" : "eligible");
		return CTL_E_SIGNER_NOT_FOUND;
	}
	return CTL_OK;
}

/*
 * The slot's context for digest d, made on first use: verification set
 * up, PKCS#1 v1.5 padding, the digest the DigestInfo must name. NULL when
 * OpenSSL cannot (the caller then takes the uncached way).
 */
static EVP_PKEY_CTX *
slot_vctx(struct ctl_verifier *v, struct verifier_slot *s, unsigned d)
{
	EVP_PKEY_CTX *c;

	if (s->vctx[d] != NULL)
		return s->vctx[d];
	if (v->md[d] == NULL && (v->md[d] = EVP_MD_fetch(NULL, EVP_MD_get0_name(ctli_md((uint8_t)d)),
	                                                 NULL)) == NULL)
		return NULL;
	if ((c = EVP_PKEY_CTX_new_from_pkey(NULL, s->key, NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_verify_init(c) != 1 || EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(c, v->md[d]) != 1) {
		EVP_PKEY_CTX_free(c);
		return NULL;
	}
	return s->vctx[d] = c;
}

/*
 * ctli_verify_sig with the verifier's ready contexts when key is one of
 * its own (the same check: the digest of the signed bytes, then the RSA
 * verification against it); otherwise ctli_verify_sig itself.
 */
static CTL_MUST_USE enum ctl_err
verify_sig_cached(struct ctl_verifier *v, const struct ctl_file *f, EVP_PKEY *key, char *why,
                  size_t whylen)
{
	size_t tail = f->sig_off + f->sig_tlv_len, i;
	unsigned char dg[EVP_MAX_MD_SIZE];
	unsigned d = f->digest, dlen = 0;
	struct verifier_slot *s = NULL;
	EVP_PKEY_CTX *c;
	int ok;

	for (i = 0; v != NULL && i < VERIFIER_SLOTS && s == NULL; i++)
		if (v->slot[i].key == key)
			s = &v->slot[i];
	if (s == NULL || d == 0 || d >= VERIFIER_DIGESTS || ctli_md((uint8_t)d) == NULL ||
	    (v->mdctx == NULL && (v->mdctx = EVP_MD_CTX_new()) == NULL) ||
	    (c = slot_vctx(v, s, d)) == NULL) {
		ERR_clear_error();
		return ctli_verify_sig(f, key, why, whylen);
	}
	ok = EVP_DigestInit_ex2(v->mdctx, v->md[d], NULL) == 1 &&
	     EVP_DigestUpdate(v->mdctx, f->data, f->sig_off) == 1 &&
	     EVP_DigestUpdate(v->mdctx, f->data + tail, f->len - tail) == 1 &&
	     EVP_DigestFinal_ex(v->mdctx, dg, &dlen) == 1 &&
	     EVP_PKEY_verify(c, f->signature.p, f->signature.len, dg, dlen) == 1;
	ERR_clear_error();
	if (!ok)
		snprintf(why, whylen, "RSA %s signature does not match the file's contents",
		         ctl_digest_name(f->digest));
	return ok ? CTL_OK : CTL_E_SIG_INVALID;
}

static CTL_MUST_USE enum ctl_err
verify_against(struct ctl_verifier *v, const struct ctl_file *f, const struct ctl_file *list,
               const uint16_t *roles, size_t nroles, struct ctl_verify_result *res)
{
	EVP_PKEY *key = NULL;
	enum ctl_err e;
	int idx, keysize;

	if ((e = find_signer(f, list, roles, nroles, &idx, res->reason, sizeof(res->reason))) != CTL_OK)
		return res->err = e;
	res->signer_index = idx;
	if ((e = record_key(v, &list->recs[idx], (size_t)idx, &key, res->reason,
	                    sizeof(res->reason))) != CTL_OK)
		return res->err = e;
	if ((keysize = EVP_PKEY_get_size(key)) != (int)f->signature.len) {
		EVP_PKEY_free(key);
		return result_fail(res, CTL_E_MODULUS, "record %d key is %d bytes, the signature %zu",
		                   idx + 1, keysize, f->signature.len);
	}
	e = verify_sig_cached(v, f, key, res->reason, sizeof(res->reason));
	EVP_PKEY_free(key);
	if (e != CTL_OK)
		return res->err = e;
	snprintf(res->reason, sizeof(res->reason), "signed by record %d", idx + 1);
	return CTL_OK;
}

enum ctl_err
ctl_file_verify_ctx(struct ctl_verifier *v, const struct ctl_file *f, struct ctl_verify_result *res)
{
	static const uint16_t sast[] = { CTL_ROLE_SAST };

	result_init(res);
	if (f->kind == CTL_KIND_SGN)
		return result_fail(res, CTL_E_KIND, "a signed file's signer is not inside it; verify "
		                   "it against a trust list");
	return verify_against(v, f, f, sast, 1, res);
}

enum ctl_err
ctl_file_verify(const struct ctl_file *f, struct ctl_verify_result *res)
{
	return ctl_file_verify_ctx(NULL, f, res);
}

enum ctl_err
ctl_file_verify_trusted(const struct ctl_file *f, const struct ctl_file *trusted,
                        struct ctl_verify_result *res)
{
	static const uint16_t sast[] = { CTL_ROLE_SAST };
	const struct ctl_record *sr;
	enum ctl_err e;
	int own;

	if ((e = ctl_file_verify(f, res)) != CTL_OK)
		return e;
	own = res->signer_index;
	sr = &f->recs[own];
	/* The phone rule: the signer must be a SAST of the list already held;
	 * equal certificates means equal keys, so the signature check above holds. */
	if (find_signer(f, trusted, sast, 1, &res->trusted_index, res->reason,
	                sizeof(res->reason)) != CTL_OK ||
	    !bytes_eq(trusted->recs[res->trusted_index].cert, sr->cert)) {
		res->trusted_index = -1;
		return result_fail(res, CTL_E_NOT_TRUSTED, "signer %.*s (record %d) is not a SAST of "
		                   "the trusted file", (int)(sr->subject.len > 200 ? 200 :
		                   sr->subject.len), sr->subject.len ? (const char *)sr->subject.p : "",
		                   own + 1);
	}
	snprintf(res->reason, sizeof(res->reason), "signed by record %d, SAST record %d of the "
	         "trusted file", own + 1, res->trusted_index + 1);
	return CTL_OK;
}

enum ctl_err
ctl_file_verify_with_ctx(struct ctl_verifier *v, const struct ctl_file *f, const struct ctl_file *list,
                         const uint16_t *roles, size_t nroles, struct ctl_verify_result *res)
{
	result_init(res);
	return verify_against(v, f, list, roles, nroles, res);
}

enum ctl_err
ctl_file_verify_with(const struct ctl_file *f, const struct ctl_file *list, const uint16_t *roles,
                     size_t nroles, struct ctl_verify_result *res)
{
	return ctl_file_verify_with_ctx(NULL, f, list, roles, nroles, res);
}
