/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's trust rules (format section 11) and its state directory.
 * See trust.h for the rules; nothing here touches the network or prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <ctl/text.h>

#include "trust.h"

/* ---- held lists ---------------------------------------------------------- */

enum ctl_err
pv_tl_new(const uint8_t *p, size_t n, struct pv_tl **out, struct ctl_diag *d)
{
	struct pv_tl *tl;
	enum ctl_err r;

	*out = NULL;
	if ((tl = calloc(1, sizeof(*tl))) == NULL)
		return CTL_E_NOMEM;
	if ((r = ctl_file_parse(p, n, 0, &tl->f, d)) != CTL_OK ||
	    (r = ctl_checksums(p, n, &tl->sums)) != CTL_OK) {
		ctl_file_free(tl->f);
		free(tl);
		return r;
	}
	tl->refs = 1;
	*out = tl;
	return CTL_OK;
}

struct pv_tl *
pv_tl_ref(struct pv_tl *tl)
{
	if (tl != NULL)
		tl->refs++;
	return tl;
}

void
pv_tl_unref(struct pv_tl *tl)
{
	if (tl == NULL || --tl->refs > 0)
		return;
	ctl_file_free(tl->f);
	free(tl);
}

const uint8_t *
pv_tl_bytes(const struct pv_tl *tl, size_t *len)
{
	return ctl_file_bytes(tl->f, len);
}

void
pv_trust_init(struct pv_trust *t)
{
	t->ctl = NULL;
	t->itl = NULL;
}

void
pv_trust_cleanup(struct pv_trust *t)
{
	pv_tl_unref(t->ctl);
	pv_tl_unref(t->itl);
	pv_trust_init(t);
}

struct pv_tl *
pv_trust_get(const struct pv_trust *t, enum ctl_kind kind)
{
	return kind == CTL_KIND_ITL ? t->itl : kind == CTL_KIND_CTL ? t->ctl : NULL;
}

void
pv_trust_set(struct pv_trust *t, enum ctl_kind kind, struct pv_tl *tl)
{
	struct pv_tl **slot = kind == CTL_KIND_ITL ? &t->itl : &t->ctl;

	pv_tl_unref(*slot);
	*slot = tl;
}

const char *
pv_verdict_name(enum pv_verdict v)
{
	switch (v) {
	case PV_V_TOFU: return "tofu";
	case PV_V_INSTALL: return "install";
	case PV_V_UNCHANGED: return "unchanged";
	case PV_V_UNTRUSTED: return "untrusted";
	case PV_V_INVALID: return "invalid";
	case PV_V__COUNT: break;
	}
	return "unknown";
}

/* ---- helpers ------------------------------------------------------------- */

int
pv_bytes_eq(struct ctl_bytes a, struct ctl_bytes b)
{
	return a.len == b.len && (a.len == 0 || CRYPTO_memcmp(a.p, b.p, a.len) == 0);
}

static const char *
kind_name(enum ctl_kind k)
{
	return k == CTL_KIND_ITL ? "ITL" : k == CTL_KIND_SGN ? "signed file" : "CTL";
}

const char *
pv_name_text(struct ctl_bytes b, char *out, size_t cap)
{
	const uint8_t *z = b.len > 0 ? memchr(b.p, '\0', b.len) : NULL;
	size_t n = z != NULL ? (size_t)(z - b.p) : b.len;

	/* Names are opaque bytes (section 8): escaped for the console, cut to fit. */
	ctl_text_escape(out, cap, b.p, n);
	return n > 0 ? out : "(no name)";
}

enum pv_verdict
pv_decision_set(struct pv_decision *d, enum pv_verdict v, enum ctl_err e, const char *fmt, ...)
{
	va_list ap;

	d->v = v;
	d->err = e;
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	return v;
}

/* Index of a record of list holding cert in one of roles, or -1. */
static int
find_cert(const struct ctl_file *list, struct ctl_bytes cert, const uint16_t *roles, size_t nroles)
{
	size_t i, k, n = ctl_file_nrecords(list);

	for (i = 0; i < n; i++) {
		const struct ctl_record *r = ctl_file_record(list, i);

		for (k = 0; k < nroles; k++)
			if (r->has_role && r->role == roles[k] && pv_bytes_eq(r->cert, cert))
				return (int)i;
	}
	return -1;
}

void
pv_decision_init(struct pv_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->signer_index = -1;
	d->trusted_index = -1;
}

/* ---- the rules ------------------------------------------------------------- */

static const uint16_t roles_sast[] = { CTL_ROLE_SAST };
static const uint16_t roles_ctl_for_itl[] = { CTL_ROLE_SAST, CTL_ROLE_CCM_TFTP, CTL_ROLE_TFTP };
static const uint16_t roles_tftp[] = { CTL_ROLE_TFTP, CTL_ROLE_CCM_TFTP };

/* Which held list (and roles in it) may vouch for a new file of kind, in order. */
struct vouch {
	const struct pv_tl *list;
	const char *name;
	const uint16_t *roles;
	size_t nroles;
};

static size_t
vouchers(const struct pv_trust *held, enum ctl_kind kind, struct vouch out[2])
{
	size_t n = 0;

	if (kind == CTL_KIND_CTL) {
		/* Section 11 rule 2: the SAST of the held CTL; with no CTL yet,
		 * a SAST of the held ITL (the CUCM 10+ path into mixed mode). */
		if (held->ctl != NULL)
			out[n++] = (struct vouch){ held->ctl, "CTL", roles_sast, 1 };
		else if (held->itl != NULL)
			out[n++] = (struct vouch){ held->itl, "ITL", roles_sast, 1 };
		return n;
	}
	/* An ITL: the held CTL first, then the held ITL (SBD: its SAST, or the
	 * TFTP/CCM+TFTP CallManager certificate that signs 8.x ITLs). A reset
	 * ITL vouches for nothing: the next ITL is first contact. */
	if (held->ctl != NULL)
		out[n++] = (struct vouch){ held->ctl, "CTL", roles_ctl_for_itl, 3 };
	if (held->itl != NULL && !pv_trust_itl_is_reset(held->itl))
		out[n++] = (struct vouch){ held->itl, "ITL", roles_ctl_for_itl, 3 };
	return n;
}

int
pv_trust_itl_is_reset(const struct pv_tl *itl)
{
	size_t i;

	if (itl == NULL)
		return 0;
	for (i = 0; i < ctl_file_nrecords(itl->f); i++) {
		const struct ctl_record *r = ctl_file_record(itl->f, i);

		/* A record without a certificate (the rollback ITL's) vouches for nothing. */
		if (r->has_role && r->cert.len > 0 && (r->role == CTL_ROLE_TFTP ||
		    r->role == CTL_ROLE_CCM_TFTP || r->role == CTL_ROLE_TVS))
			return 0;
	}
	return 1;
}

int
pv_tvs_role_ok(enum ctl_kind kind, uint16_t role)
{
	if (role == CTL_ROLE_TFTP || role == CTL_ROLE_CCM_TFTP)
		return 1;
	return kind != CTL_KIND_SGN && role == CTL_ROLE_SAST;
}

/* ---- TVS ----------------------------------------------------------------- */

/* Text of a header name (up to its NUL), into out[cap]; bytes kept as they are for the query. */
static const char *
cstr_of(struct ctl_bytes b, char *out, size_t cap)
{
	const uint8_t *z = b.len > 0 ? memchr(b.p, '\0', b.len) : NULL;
	size_t n = z != NULL ? (size_t)(z - b.p) : b.len;

	if (n >= cap)
		n = cap - 1;
	if (n > 0)
		memcpy(out, b.p, n);
	out[n] = '\0';
	return out;
}

static const EVP_MD *
md_of(uint8_t code)
{
	switch (code) {
	case CTL_DIGEST_SHA1: return EVP_sha1();
	case CTL_DIGEST_SHA256: return EVP_sha256();
	case CTL_DIGEST_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

/*
 * f's signature (PKCS#1 v1.5 over every byte but the SIGNATURE element,
 * format section 5.4) checked with cert's key: how a certificate a TVS
 * returned is put to the test, since it is in no list.
 */
CTL_MUST_USE static enum ctl_err
verify_with_cert(const struct ctl_file *f, X509 *cert)
{
	size_t n = 0, off, tail;
	const uint8_t *data = ctl_file_bytes(f, &n);
	struct ctl_bytes sig = ctl_file_signature(f);
	const EVP_MD *md = md_of(ctl_file_digest(f));
	EVP_PKEY *key = cert != NULL ? X509_get0_pubkey(cert) : NULL;
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	/* The element is tag (1), length (2), value: the value lies inside the file. */
	if (key == NULL || md == NULL || sig.len == 0 || sig.p < data + 3 || sig.p + sig.len > data + n)
		return CTL_E_SIG_INVALID;
	off = (size_t)(sig.p - data) - 3;
	tail = (size_t)(sig.p - data) + sig.len;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return CTL_E_NOMEM;
	ERR_clear_error();
	ok = EVP_PKEY_get_size(key) == (int)sig.len &&
	     EVP_DigestVerifyInit(ctx, &pctx, md, NULL, key) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
	     EVP_DigestVerifyUpdate(ctx, data, off) == 1 &&
	     EVP_DigestVerifyUpdate(ctx, data + tail, n - tail) == 1 &&
	     EVP_DigestVerifyFinal(ctx, sig.p, sig.len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? CTL_OK : CTL_E_SIG_INVALID;
}

/* A list or .sgn: checked by verify_with_cert. */
CTL_MUST_USE static enum ctl_err
file_verify(const void *obj, X509 *cert)
{
	return verify_with_cert(obj, cert);
}

enum ctl_err
pv_tvs_vouch(const struct pv_trust *held, const struct pv_tvs_ops *tvs, enum ctl_kind kind,
             pv_sig_check_fn *check, const void *obj, struct ctl_bytes name,
             struct ctl_bytes issuer, struct ctl_bytes serial, struct pv_decision *d, X509 **cert)
{
	struct pv_tvs_fact *tf = &d->tvs;
	struct pv_tvs_answer a;
	struct pv_tvs_query q;
	char subj[512], iss[512];
	enum ctl_err r;
	size_t i;
	int role_ok = 0;

	if (cert != NULL)
		*cert = NULL;
	if (tvs == NULL || tvs->query == NULL)
		return CTL_E_NOT_TRUSTED;
	memset(&a, 0, sizeof(a));
	q.kind = kind;
	q.subject = cstr_of(name, subj, sizeof(subj));
	q.issuer = cstr_of(issuer, iss, sizeof(iss));
	q.serial = serial.p;
	q.serial_len = serial.len;
	tf->asked = 1;
	tf->why[0] = '\0';
	r = tvs->query(tvs->arg, held, &q, &a, tf->why, sizeof(tf->why));
	tf->err = r;
	if (r != CTL_OK) {
		X509_free(a.cert);
		return r;
	}
	tf->cached = a.cached;
	tf->ttl = a.ttl;
	tf->nroles = a.nroles > PV_TVS_MAX_ROLES ? PV_TVS_MAX_ROLES : a.nroles;
	memcpy(tf->roles, a.roles, tf->nroles);
	snprintf(tf->server, sizeof(tf->server), "%s", a.server);
	for (i = 0; i < tf->nroles; i++)
		role_ok |= pv_tvs_role_ok(kind, tf->roles[i]);
	if (!role_ok) {
		snprintf(tf->why, sizeof(tf->why), "the TVS answer's roles allow no %s signer",
		         kind == CTL_KIND_SGN ? "configuration file" : "trust list");
		r = CTL_E_NOT_TRUSTED;
	} else if (check(obj, a.cert) != CTL_OK) {
		snprintf(tf->why, sizeof(tf->why), "the certificate the TVS returned does not verify "
		         "the file's signature");
		r = CTL_E_NOT_TRUSTED;
	}
	tf->err = r;
	tf->vouched = r == CTL_OK;
	if (r == CTL_OK && cert != NULL)
		*cert = a.cert;
	else
		X509_free(a.cert);
	return r;
}

/* After the file's own signature checked out: is its signer trusted by what is held? */
static enum pv_verdict
judge_signer(const struct pv_trust *held, enum ctl_kind kind, const struct ctl_file *f,
             const struct pv_tvs_ops *tvs, struct pv_decision *d)
{
	const struct ctl_record *sr = ctl_file_record(f, (size_t)d->signer_index);
	struct vouch vs[2];
	size_t i, n = vouchers(held, kind, vs);
	char name[256];
	int reset = kind == CTL_KIND_ITL && pv_trust_itl_is_reset(held->itl);

	if (held->ctl == NULL && held->itl == NULL) {
		d->trusted_by = "itself";
		return pv_decision_set(d, PV_V_TOFU, CTL_OK, "no trust list held: trusting the %s signed by "
		              "record %d (%s) on first use", kind_name(kind), d->signer_index + 1,
		              pv_name_text(sr->subject, name, sizeof(name)));
	}
	for (i = 0; i < n; i++) {
		int idx = find_cert(vs[i].list->f, sr->cert, vs[i].roles, vs[i].nroles);

		if (idx < 0)
			continue;
		d->trusted_index = idx;
		d->trusted_by = vs[i].name;
		return pv_decision_set(d, PV_V_INSTALL, CTL_OK, "signed by %s, record %d (%s) of the held %s",
		              pv_name_text(sr->subject, name, sizeof(name)), idx + 1,
		              ctl_role_short(ctl_file_record(vs[i].list->f, (size_t)idx)->role),
		              vs[i].name);
	}
	if (reset) {
		/* `itl-reset`: the held ITL lists no TFTP or TVS certificate to ask. */
		d->trusted_by = "itself";
		d->reset_itl = 1;
		return pv_decision_set(d, PV_V_TOFU, CTL_OK, "the held ITL is a reset ITL: trusting the ITL "
		              "signed by record %d (%s) as on first contact", d->signer_index + 1,
		              pv_name_text(sr->subject, name, sizeof(name)));
	}
	if (pv_tvs_vouch(held, tvs, kind, file_verify, f, ctl_file_signer_name(f),
	                 ctl_file_signer_caname(f), ctl_file_signer_serial(f), d, NULL) == CTL_OK) {
		d->trusted_by = "TVS";
		return pv_decision_set(d, PV_V_INSTALL, CTL_OK, "signed by %s, record %d, vouched for by TVS%s%s",
		              pv_name_text(sr->subject, name, sizeof(name)), d->signer_index + 1,
		              d->tvs.cached ? " (cached)" : d->tvs.server[0] ? " " : "", d->tvs.server);
	}
	if (n == 0)
		return pv_decision_set(d, PV_V_UNTRUSTED, CTL_E_NOT_TRUSTED, "signer %s (record %d) is not "
		              "trusted by the held lists%s%s",
		              pv_name_text(sr->subject, name, sizeof(name)), d->signer_index + 1,
		              d->tvs.asked ? "; TVS: " : "", d->tvs.asked ? d->tvs.why : "");
	return pv_decision_set(d, PV_V_UNTRUSTED, CTL_E_NOT_TRUSTED, "signer %s (record %d) is not %s of "
	              "the held %s%s%s%s", pv_name_text(sr->subject, name, sizeof(name)),
	              d->signer_index + 1, kind == CTL_KIND_CTL ? "a SAST" : "a trusted signer",
	              vs[0].name, n > 1 ? " or ITL" : "",
	              d->tvs.asked ? "; TVS: " : "", d->tvs.asked ? d->tvs.why : "");
}

enum pv_verdict
pv_trust_decide(const struct pv_trust *held, enum ctl_kind kind, const uint8_t *p, size_t n,
                struct ctl_verifier *v, const struct pv_tvs_ops *tvs, struct pv_decision *d,
                struct pv_tl **tl)
{
	const struct pv_tl *old = pv_trust_get(held, kind);
	struct ctl_verify_result res;
	struct pv_tl *nt = NULL;
	struct ctl_diag diag;
	const uint8_t *ob;
	size_t on = 0;
	enum ctl_err r;
	char buf[600];

	pv_decision_init(d);
	if (tl != NULL)
		*tl = NULL;
	if (old != NULL && (ob = pv_tl_bytes(old, &on)) != NULL && on == n &&
	    CRYPTO_memcmp(ob, p, n) == 0) {
		d->header_len = ctl_file_header_length(old->f);
		return pv_decision_set(d, PV_V_UNCHANGED, CTL_OK, "same as the held %s (md5 %s)",
		              kind_name(kind), old->sums.md5);
	}
	if ((r = pv_tl_new(p, n, &nt, &diag)) != CTL_OK)
		return pv_decision_set(d, PV_V_INVALID, r, "malformed %s: %s", kind_name(kind),
		              ctl_diag_str(&diag, buf, sizeof(buf)));
	d->header_len = ctl_file_header_length(nt->f);
	if (ctl_file_kind(nt->f) != kind) {
		enum ctl_kind got = ctl_file_kind(nt->f);

		pv_tl_unref(nt);
		return pv_decision_set(d, PV_V_INVALID, CTL_E_KIND, "expected a %s, the file is a %s",
		              kind_name(kind), kind_name(got));
	}
	d->parsed = 1;
	if ((r = ctl_file_verify_ctx(v, nt->f, &res)) != CTL_OK) {
		pv_tl_unref(nt);
		return pv_decision_set(d, PV_V_INVALID, r, "%s: %s", ctl_strerror(r), res.reason);
	}
	d->signer_index = res.signer_index;
	if (judge_signer(held, kind, nt->f, tvs, d) == PV_V_UNTRUSTED) {
		pv_tl_unref(nt);
		return d->v;
	}
	if (tl != NULL)
		*tl = nt;
	else
		pv_tl_unref(nt);
	return d->v;
}

int
pv_trust_has_tftp(const struct pv_trust *held)
{
	const struct pv_tl *l[2] = { held->ctl, held->itl };
	size_t i, k;

	for (i = 0; i < 2; i++)
		for (k = 0; l[i] != NULL && k < ctl_file_nrecords(l[i]->f); k++) {
			const struct ctl_record *r = ctl_file_record(l[i]->f, k);

			if (r->has_role && r->cert.len > 0 &&
			    (r->role == CTL_ROLE_TFTP || r->role == CTL_ROLE_CCM_TFTP))
				return 1;
		}
	return 0;
}

enum ctl_err
pv_config_check(const struct pv_trust *held, const struct pv_tvs_ops *tvs, const uint8_t *p,
                size_t n, struct pv_decision *d, size_t *payload_off, size_t *payload_len)
{
	return pv_config_check_v(held, NULL, tvs, p, n, d, payload_off, payload_len);
}

enum ctl_err
pv_config_check_v(const struct pv_trust *held, struct ctl_verifier *v, const struct pv_tvs_ops *tvs,
                  const uint8_t *p, size_t n, struct pv_decision *d, size_t *payload_off,
                  size_t *payload_len)
{
	const struct pv_tl *l[2] = { held->ctl, held->itl };
	static const char *const names[2] = { "CTL", "ITL" };
	struct ctl_verify_result res;
	struct ctl_file *f = NULL;
	struct ctl_diag diag;
	enum ctl_err r, first = CTL_OK;
	char buf[600], why[520] = "";
	size_t i;

	pv_decision_init(d);
	if ((r = ctl_file_parse(p, n, CTL_PARSE_SGN, &f, &diag)) != CTL_OK) {
		pv_decision_set(d, PV_V_INVALID, r, "malformed signed file: %s",
		       ctl_diag_str(&diag, buf, sizeof(buf)));
		return r;
	}
	d->header_len = ctl_file_header_length(f);
	d->parsed = 1;
	for (i = 0; i < 2; i++) {
		if (l[i] == NULL)
			continue;
		r = ctl_file_verify_with_ctx(v, f, l[i]->f, roles_tftp, 2, &res);
		if (r == CTL_OK) {
			d->signer_index = d->trusted_index = res.signer_index;
			d->trusted_by = names[i];
			pv_decision_set(d, PV_V_INSTALL, CTL_OK, "signed by record %d (%s) of the held %s",
			       res.signer_index + 1,
			       ctl_role_short(ctl_file_record(l[i]->f, (size_t)res.signer_index)->role),
			       names[i]);
			break;
		}
		if (first == CTL_OK) {
			first = r;
			snprintf(why, sizeof(why), "%s: %s", names[i], res.reason);
		}
	}
	if (d->trusted_by == NULL && (first == CTL_OK || first == CTL_E_SIGNER_NOT_FOUND)) {
		/* No eligible signer in the held lists: a TVS may know it (a bad
		 * signature by a known signer is a corrupt file, not a question). */
		if (pv_tvs_vouch(held, tvs, CTL_KIND_SGN, file_verify, f, ctl_file_signer_name(f),
		                 ctl_file_signer_caname(f), ctl_file_signer_serial(f), d,
		                 NULL) == CTL_OK) {
			d->trusted_by = "TVS";
			pv_decision_set(d, PV_V_INSTALL, CTL_OK, "signed by %s, vouched for by TVS%s%s",
			       pv_name_text(ctl_file_signer_name(f), buf, sizeof(buf)),
			       d->tvs.cached ? " (cached)" : d->tvs.server[0] ? " " : "", d->tvs.server);
		}
	}
	if (d->trusted_by != NULL) {
		if (payload_off != NULL)
			*payload_off = ctl_file_header_length(f);
		if (payload_len != NULL)
			*payload_len = ctl_file_payload(f).len;
		ctl_file_free(f);
		return CTL_OK;
	}
	ctl_file_free(f);
	if (first == CTL_OK) {
		pv_decision_set(d, PV_V_UNTRUSTED, CTL_E_NOT_TRUSTED, "no trust list held to verify it "
		       "against%s%s", d->tvs.asked ? "; TVS: " : "", d->tvs.asked ? d->tvs.why : "");
		return CTL_E_NOT_TRUSTED;
	}
	/* A signer found but a bad signature is a corrupt file; no eligible signer is untrusted. */
	pv_decision_set(d, first == CTL_E_SIGNER_NOT_FOUND ? PV_V_UNTRUSTED : PV_V_INVALID, first,
	       "not signed by a TFTP or CCM+TFTP certificate of the held trust list (%s)%s%s", why,
	       d->tvs.asked ? "; TVS: " : "", d->tvs.asked ? d->tvs.why : "");
	return first;
}

/* ---- state directory ------------------------------------------------------- */

enum ctl_err
pv_io_fail(struct ctl_diag *d, const char *what, const char *path)
{
	int e = errno;

	ctl_diag_clear(d);
	d->err = CTL_E_IO;
	d->tag = -1;
	snprintf(d->msg, sizeof(d->msg), "%s %.300s: %s", what, path, strerror(e));
	return CTL_E_IO;
}

CTL_MUST_USE static enum ctl_err
join(char *out, size_t cap, const char *dir, const char *name, struct ctl_diag *d)
{
	int w = snprintf(out, cap, "%s/%s", dir, name);

	if (w < 0 || (size_t)w >= cap) {
		ctl_diag_clear(d);
		d->err = CTL_E_TOO_LARGE;
		d->tag = -1;
		snprintf(d->msg, sizeof(d->msg), "path too long: %s/%s", dir, name);
		return CTL_E_TOO_LARGE;
	}
	return CTL_OK;
}

CTL_MUST_USE static enum ctl_err
load_one(const char *dir, const char *name, enum ctl_kind kind, struct pv_tl **out,
         struct ctl_diag *d)
{
	char path[4096], buf[600];
	uint8_t *p = NULL;
	size_t n = 0;
	struct stat st;
	enum ctl_err r;

	*out = NULL;
	if ((r = join(path, sizeof(path), dir, name, d)) != CTL_OK)
		return r;
	if (stat(path, &st) != 0)
		return errno == ENOENT ? CTL_OK : pv_io_fail(d, "cannot stat", path);
	if ((r = ctl_read_file(path, CTL_MAX_FILE, &p, &n, d)) != CTL_OK)
		return r;
	r = pv_tl_new(p, n, out, d);
	free(p);
	if (r == CTL_OK && ctl_file_kind((*out)->f) != kind) {
		pv_tl_unref(*out);
		*out = NULL;
		ctl_diag_clear(d);
		d->err = r = CTL_E_KIND;
		d->tag = -1;
	}
	if (r != CTL_OK) {
		ctl_diag_str(d, buf, sizeof(buf));
		snprintf(d->msg, sizeof(d->msg), "stored %.200s is damaged (%.200s); erase it",
		         path, r == CTL_E_KIND ? "wrong kind" : buf);
		d->offset = 0;
		d->tag = -1;
	}
	return r;
}

enum ctl_err
pv_state_load(const char *dir, struct pv_trust *t, struct ctl_diag *d)
{
	struct pv_tl *ctl = NULL, *itl = NULL;
	enum ctl_err r;

	if ((r = load_one(dir, PV_CTL_NAME, CTL_KIND_CTL, &ctl, d)) != CTL_OK)
		return r;
	if ((r = load_one(dir, PV_ITL_NAME, CTL_KIND_ITL, &itl, d)) != CTL_OK) {
		pv_tl_unref(ctl);
		return r;
	}
	pv_trust_set(t, CTL_KIND_CTL, ctl);
	pv_trust_set(t, CTL_KIND_ITL, itl);
	return CTL_OK;
}

enum ctl_err
pv_state_make_dirs(const char *dir, struct ctl_diag *d)
{
	char path[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return join(path, 1, dir, "", d);
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return pv_io_fail(d, "cannot create", path);
		path[i] = dir[i];
	}
	return CTL_OK;
}

enum ctl_err
pv_state_write(const char *dir, const char *name, const uint8_t *p, size_t n, struct ctl_diag *d)
{
	char path[4096];
	enum ctl_err r;

	if ((r = pv_state_make_dirs(dir, d)) != CTL_OK || (r = join(path, sizeof(path), dir, name, d)) != CTL_OK)
		return r;
	return ctl_write_atomic(path, p, n, 0644, d);
}

enum ctl_err
pv_state_store(const char *dir, enum ctl_kind kind, const struct pv_tl *tl, struct ctl_diag *d)
{
	size_t n = 0;
	const uint8_t *p = pv_tl_bytes(tl, &n);

	return pv_state_write(dir, kind == CTL_KIND_ITL ? PV_ITL_NAME : PV_CTL_NAME, p, n, d);
}

enum ctl_err
pv_state_erase(const char *dir, unsigned *removed, struct ctl_diag *d)
{
	/* The TVS answers go too: an erased phone starts as a new one. */
	static const char *const names[] = { PV_CTL_NAME, PV_ITL_NAME, PV_TVS_CACHE_NAME };
	char path[4096];
	enum ctl_err r;
	size_t i;

	*removed = 0;
	for (i = 0; i < 3; i++) {
		if ((r = join(path, sizeof(path), dir, names[i], d)) != CTL_OK)
			return r;
		if (unlink(path) == 0)
			(*removed)++;
		else if (errno != ENOENT)
			return pv_io_fail(d, "cannot remove", path);
	}
	return CTL_OK;
}

/* ---- comparison ------------------------------------------------------------- */

int
pv_record_same(const struct ctl_record *a, const struct ctl_record *b)
{
	if (a->has_role != b->has_role || a->role != b->role)
		return 0;
	if (a->cert.len > 0 || b->cert.len > 0)
		return pv_bytes_eq(a->cert, b->cert);
	return a->length == b->length && pv_bytes_eq(a->subject, b->subject) &&
	       pv_bytes_eq(a->dns, b->dns) && a->has_ip == b->has_ip &&
	       memcmp(a->ip, b->ip, sizeof(a->ip)) == 0;
}

int
pv_record_find(const struct ctl_file *f, const struct ctl_record *r)
{
	size_t i, n = ctl_file_nrecords(f);

	for (i = 0; i < n; i++)
		if (pv_record_same(ctl_file_record(f, i), r))
			return (int)i;
	return -1;
}
