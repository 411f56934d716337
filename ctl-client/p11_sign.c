/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Login and signing on a token. One C_Login per PIN the administrator
 * gave, never retried (each wrong PIN counts toward the token's lockout),
 * and none at all when the token already reports its PIN locked. The
 * private key stays on the token: OpenSSL builds the PKCS#1 DigestInfo and
 * libp11 calls C_Sign with CKM_RSA_PKCS, so the token needs only raw
 * PKCS#1 v1.5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libp11.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "p11_int.h"
#include "pin.h"

/* The message for a failed C_Login, from the CK_RV and fresh token flags. */
static CTL_MUST_USE enum p11_err
login_failed(struct p11_ctx *ctx, struct p11_tok *t, int has, unsigned long rv,
             struct p11_diag *d)
{
	static const char *const why[] = {
		[P11_PIN_OK] = "wrong PIN (the token reports no retry state)",
		[P11_PIN_COUNT_LOW] = "wrong PIN; the token reports few tries left",
		[P11_PIN_FINAL_TRY] = "wrong PIN; last try before the token locks",
		[P11_PIN_LOCKED] = "wrong PIN; the token is now locked",
		[P11_PIN_NOT_SET] = "wrong PIN",
		[P11_PIN_UNINITIALISED] = "wrong PIN",
	};
	enum p11_pin_state st = p11i_pin_state(ctx, t);
	char buf[32];
	enum p11_err e;

	if (has && (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE))
		e = p11_fail(d, P11_E_PIN_INCORRECT, "%s: %s (%s); not retried: every wrong PIN "
		             "counts toward the token's lockout", t->name, why[st],
		             p11_ckr_name(rv, buf, sizeof(buf)));
	else if (has && rv == CKR_PIN_LOCKED)
		e = p11_fail(d, P11_E_PIN_LOCKED, "%s: token is locked (CKR_PIN_LOCKED); it needs "
		             "its security officer to unblock the user PIN; sign with the other "
		             "SAST token meanwhile", t->name);
	else if (has && rv == CKR_PIN_EXPIRED)
		e = p11_fail(d, P11_E_LOGIN, "%s: the PIN has expired; change it with the token "
		             "vendor's tool first", t->name);
	else
		e = p11_fail(d, P11_E_LOGIN, "%s: login failed: %s", t->name,
		             has ? p11_ckr_name(rv, buf, sizeof(buf)) : "no PKCS#11 error code reported");
	if (d != NULL && has) {
		d->has_ckr = 1;
		d->ckr = rv;
	}
	return e;
}

/* Refuses a locked token before any PIN is read; warns on the low-count flags. */
static CTL_MUST_USE enum p11_err
check_pin_state(struct p11_ctx *ctx, struct p11_tok *t, struct p11_diag *d)
{
	char msg[300];
	int n = 0;

	switch (p11i_pin_state(ctx, t)) {
	case P11_PIN_LOCKED:
		return p11_fail(d, P11_E_PIN_LOCKED, "%s: token is locked (user PIN locked); no login "
		                "attempted. Its security officer must unblock the user PIN (vendor "
		                "tool, or pkcs11-tool --init-pin --login --login-type so); sign with "
		                "the other SAST token meanwhile", t->name);
	case P11_PIN_NOT_SET:
		return p11_fail(d, P11_E_LOGIN, "%s: the user PIN was never initialised", t->name);
	case P11_PIN_UNINITIALISED:
		return p11_fail(d, P11_E_NO_TOKEN, "%s is not initialised", t->name);
	case P11_PIN_FINAL_TRY:
		n = snprintf(msg, sizeof(msg), "%s: final try: one more wrong PIN locks this token",
		             t->name);
		break;
	case P11_PIN_COUNT_LOW:
		n = snprintf(msg, sizeof(msg), "%s: a wrong PIN was entered since the last good "
		             "login; the token reports few tries left", t->name);
		break;
	case P11_PIN_OK:
		break;
	}
	if (n > 0 && ctx->notice != NULL)
		ctx->notice(msg);
	return P11_OK;
}

static CTL_MUST_USE enum p11_err
tok_login(struct p11_ctx *ctx, struct p11_tok *t, const struct p11_sel *sel,
          const struct pin_opts *po, struct p11_diag *d)
{
	struct pin *pin = NULL;
	char prompt[220];
	unsigned long rv = 0;
	int yes = 0, rc, has;
	enum p11_err r;

	ERR_clear_error();
	if (PKCS11_is_logged_in(t->slot, 0, &yes) == 0 && yes)
		return P11_OK; /* a second PKCS11_login would accept any PIN */
	if ((r = check_pin_state(ctx, t, d)) != P11_OK)
		return r;
	if (t->slot->token->secureLogin) {
		if (ctx->notice != NULL)
			ctx->notice("enter the PIN on the reader's PIN pad");
	} else {
		if (snprintf(prompt, sizeof(prompt), "PIN for %s: ", t->name) >= (int)sizeof(prompt))
			memcpy(prompt, "PIN: ", 6);
		if ((r = pin_get(po, p11_sel_pin_source(sel), prompt, &pin, d)) != P11_OK)
			return r;
	}
	ERR_clear_error();
	rc = PKCS11_login(t->slot, 0, pin != NULL ? pin_value(pin) : NULL);
	has = rc != 0 ? p11i_take_ckr(&rv) : 0;
	pin_free(pin);
	if (rc != 0)
		return login_failed(ctx, t, has, rv, d);
	t->logged_in = 1;
	return P11_OK;
}

/* RSA with a modulus CTL signatures can carry (doc/ctl-format.md section 5.3). */
static CTL_MUST_USE enum p11_err
check_key(const struct p11_tok *t, EVP_PKEY *pk, X509 *cert, struct p11_diag *d)
{
	int bits = EVP_PKEY_get_bits(pk);

	if (!EVP_PKEY_is_a(pk, "RSA"))
		return p11_fail(d, P11_E_KEY_UNSUPPORTED, "%s: the key is not RSA; CTL signatures "
		                "are RSA PKCS#1 v1.5", t->name);
	if (bits != 512 && bits != 1024 && bits != 2048 && bits != 4096)
		return p11_fail(d, P11_E_KEY_UNSUPPORTED, "%s: RSA-%d cannot sign a CTL (512, 1024, "
		                "2048 or 4096 bits)", t->name, bits);
	if (EVP_PKEY_eq(X509_get0_pubkey(cert), pk) != 1)
		return p11_fail(d, P11_E_KEY_MISMATCH, "%s: the private key does not match the "
		                "certificate", t->name);
	return P11_OK;
}

/*
 * After login: the private key with the certificate's CKA_ID. No libp11
 * call enumerates this token afterwards; the EVP_PKEY refers into the
 * key list, which the next enumeration would free.
 */
static CTL_MUST_USE enum p11_err
tok_key(struct p11_tok *t, const struct p11_cert_info *c, EVP_PKEY **out, struct p11_diag *d)
{
	PKCS11_KEY *keys = NULL;
	unsigned int nk = 0, i;

	ERR_clear_error();
	if (PKCS11_enumerate_keys(t->slot->token, &keys, &nk) != 0)
		return p11i_fail_ckr(d, P11_E_TOKEN, "cannot list keys", t->name);
	for (i = 0; i < nk; i++)
		if (p11i_same_id(keys[i].id, keys[i].id_len, c->id, c->id_len))
			break;
	if (i == nk)
		return p11_fail(d, P11_E_NO_KEY, "%s: no private key for certificate id %s%s%s "
		                "(%u private key%s on the token)", t->name,
		                c->id_hex[0] ? c->id_hex : "(none)", c->label[0] ? ", label " : "",
		                c->label, nk, nk == 1 ? "" : "s");
	ERR_clear_error();
	if ((*out = PKCS11_get_private_key(&keys[i])) == NULL)
		return p11i_fail_ckr(d, P11_E_TOKEN, "cannot use the private key", t->name);
	return P11_OK;
}

static const EVP_MD *
digest_md(enum ctl_digest dg)
{
	switch (dg) {
	case CTL_DIGEST_SHA1: return EVP_sha1();
	case CTL_DIGEST_SHA256: return EVP_sha256();
	case CTL_DIGEST_SHA512: return EVP_sha512();
	}
	return NULL;
}

static CTL_MUST_USE enum ctl_err
sign_fail(struct ctl_diag *diag, const struct p11_signer *s, const char *what)
{
	unsigned long rv = 0;
	char buf[32];
	int has = p11i_take_ckr(&rv);

	if (diag != NULL) {
		ctl_diag_clear(diag);
		diag->err = CTL_E_SIGNER;
		diag->tag = -1;
		if (snprintf(diag->msg, sizeof(diag->msg), "%s: %s%s%s", s->name, what,
		             has ? ": " : "", has ? p11_ckr_name(rv, buf, sizeof(buf)) : "") >=
		    (int)sizeof(diag->msg))
			memcpy(diag->msg + sizeof(diag->msg) - 4, "...", 4);
	}
	return CTL_E_SIGNER;
}

/*
 * libctl signer callback. OpenSSL builds the DigestInfo, libp11 calls
 * C_Sign with CKM_RSA_PKCS; the result is then verified
 * in software against the certificate, so a faulty token cannot produce a
 * CTL that phones reject.
 */
static CTL_MUST_USE enum ctl_err
token_sign(void *arg, enum ctl_digest dg, const uint8_t *tbs, size_t tbs_len, uint8_t *sig,
           size_t sig_cap, size_t *sig_len, struct ctl_diag *diag)
{
	struct p11_signer *s = arg;
	const EVP_MD *md = digest_md(dg);
	EVP_MD_CTX *m = NULL;
	size_t len = sig_cap;
	enum ctl_err r = CTL_OK;

	ERR_clear_error();
	if (md == NULL)
		return sign_fail(diag, s, "unsupported digest");
	if (sig_cap < s->pub.modulus_bytes)
		return sign_fail(diag, s, "signature buffer too small");
	if ((m = EVP_MD_CTX_new()) == NULL)
		return sign_fail(diag, s, "out of memory");
	if (EVP_DigestSignInit(m, NULL, md, NULL, s->pk) != 1 ||
	    EVP_DigestSign(m, sig, &len, tbs, tbs_len) != 1)
		r = sign_fail(diag, s, "signing on the token failed");
	else if (len != s->pub.modulus_bytes)
		r = sign_fail(diag, s, "signature has the wrong length");
	EVP_MD_CTX_free(m);
	if (r != CTL_OK)
		return r;
	if ((m = EVP_MD_CTX_new()) == NULL)
		return sign_fail(diag, s, "out of memory");
	if (EVP_DigestVerifyInit(m, NULL, md, NULL, X509_get0_pubkey(s->cert)) != 1 ||
	    EVP_DigestVerify(m, sig, len, tbs, tbs_len) != 1)
		r = sign_fail(diag, s, "the token's signature does not verify with its certificate");
	EVP_MD_CTX_free(m);
	if (r == CTL_OK)
		*sig_len = len;
	return r;
}

static CTL_MUST_USE enum p11_err
make_signer(struct p11_tok *t, const struct p11_cert_info *c, EVP_PKEY *pk, struct p11_diag *d)
{
	struct p11_signer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	X509_up_ref(c->cert);
	s->cert = c->cert;
	s->pk = pk;
	memcpy(s->name, t->name, sizeof(s->name));
	s->pub.sign = token_sign;
	s->pub.arg = s;
	s->pub.cert = s->cert;
	s->pub.modulus_bytes = (size_t)EVP_PKEY_get_size(pk);
	t->signer = s;
	return P11_OK;
}

enum p11_err
p11_signer_new(struct p11_ctx *ctx, const char *selector, const struct pin_opts *po,
               const struct ctl_signer **out, struct p11_diag *d)
{
	const struct p11_cert_info *c = NULL;
	struct p11_sel *sel = NULL;
	struct p11_tok *t = NULL;
	EVP_PKEY *pk = NULL;
	enum p11_err r;

	*out = NULL;
	if ((r = p11i_resolve(ctx, selector, &sel, &t, &c, d)) != P11_OK)
		goto out;
	if (t->signer != NULL) {
		if (X509_cmp(t->signer->cert, c->cert) != 0)
			r = p11_fail(d, P11_E_CERT_AMBIGUOUS, "%s already signs with another "
			             "certificate in this run", t->name);
		goto out;
	}
	if ((r = tok_login(ctx, t, sel, po, d)) != P11_OK || (r = tok_key(t, c, &pk, d)) != P11_OK)
		goto out;
	if ((r = check_key(t, pk, c->cert, d)) != P11_OK || (r = make_signer(t, c, pk, d)) != P11_OK)
		EVP_PKEY_free(pk);
out:
	p11_sel_free(sel);
	ERR_clear_error();
	if (r == P11_OK)
		*out = &t->signer->pub;
	return r;
}
