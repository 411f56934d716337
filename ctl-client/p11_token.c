/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tokens without login: their PIN state, their certificates (copied out
 * once per token, with whether each one's private key is visible), the
 * listing, and selecting one token and one certificate for a selector.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libp11.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <ctl/text.h>

#include "p11_int.h"

const char *
p11_pin_state_name(enum p11_pin_state s)
{
	switch (s) {
	case P11_PIN_OK: return "ok";
	case P11_PIN_COUNT_LOW: return "count low";
	case P11_PIN_FINAL_TRY: return "final try";
	case P11_PIN_LOCKED: return "locked";
	case P11_PIN_NOT_SET: return "not initialised";
	case P11_PIN_UNINITIALISED: return "token not initialised";
	}
	return "unknown";
}

const char *
p11_key_state_name(enum p11_key_state s)
{
	switch (s) {
	case P11_KEY_PRESENT: return "yes";
	case P11_KEY_HIDDEN: return "needs login to be seen (public key present)";
	case P11_KEY_NONE: return "no";
	}
	return "unknown";
}

enum p11_pin_state
p11i_pin_state(const struct p11_ctx *ctx, const struct p11_tok *t)
{
	const PKCS11_TOKEN *tk = t->slot->token;
	CK_TOKEN_INFO ti;
	CK_FLAGS f = 0;

	if (!tk->initialized)
		return P11_PIN_UNINITIALISED;
	if (ctx->fl != NULL && ctx->fl->C_GetTokenInfo(t->ident.slot_id, &ti) == CKR_OK) {
		f = ti.flags;
	} else {
		f |= tk->userPinLocked ? CKF_USER_PIN_LOCKED : 0;
		f |= tk->userPinFinalTry ? CKF_USER_PIN_FINAL_TRY : 0;
		f |= tk->userPinCountLow ? CKF_USER_PIN_COUNT_LOW : 0;
		f |= tk->userPinSet ? CKF_USER_PIN_INITIALIZED : 0;
	}
	if (f & CKF_USER_PIN_LOCKED)
		return P11_PIN_LOCKED;
	if (f & CKF_USER_PIN_FINAL_TRY)
		return P11_PIN_FINAL_TRY;
	if (f & CKF_USER_PIN_COUNT_LOW)
		return P11_PIN_COUNT_LOW;
	if (!(f & CKF_USER_PIN_INITIALIZED))
		return P11_PIN_NOT_SET;
	return P11_PIN_OK;
}


int
p11i_same_id(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	return an > 0 && an == bn && memcmp(a, b, an) == 0;
}

/* Key state for each copied certificate: a key object with the same CKA_ID. */
static void
tok_key_states(struct p11_tok *t, PKCS11_CERT *certs, unsigned int nc)
{
	PKCS11_KEY *keys = NULL, *pubs = NULL;
	unsigned int nk = 0, np = 0, i, j;
	size_t c = 0;

	ERR_clear_error();
	if (PKCS11_enumerate_keys(t->slot->token, &keys, &nk) != 0)
		nk = 0;
	for (i = 0; i < nc; i++) {
		if (certs[i].x509 == NULL)
			continue;
		t->certs[c].key = P11_KEY_NONE;
		for (j = 0; j < nk; j++)
			if (p11i_same_id(keys[j].id, keys[j].id_len, certs[i].id, certs[i].id_len))
				t->certs[c].key = P11_KEY_PRESENT;
		c++;
	}
	ERR_clear_error();
	if (PKCS11_enumerate_public_keys(t->slot->token, &pubs, &np) != 0)
		np = 0;
	for (i = 0, c = 0; i < nc; i++) {
		if (certs[i].x509 == NULL)
			continue;
		for (j = 0; j < np && t->certs[c].key == P11_KEY_NONE; j++)
			if (p11i_same_id(pubs[j].id, pubs[j].id_len, certs[i].id, certs[i].id_len))
				t->certs[c].key = P11_KEY_HIDDEN;
		c++;
	}
	ERR_clear_error();
}

static CTL_MUST_USE enum p11_err
tok_certs(struct p11_tok *t, struct p11_diag *d)
{
	PKCS11_CERT *certs = NULL;
	unsigned int nc = 0, i;
	struct p11_cert_info *ci;

	if (t->certs_read || !t->slot->token->initialized)
		return P11_OK;
	ERR_clear_error();
	if (PKCS11_enumerate_certs(t->slot->token, &certs, &nc) != 0)
		return p11i_fail_ckr(d, P11_E_TOKEN, "cannot list certificates", t->name);
	if ((t->certs = calloc(nc + 1, sizeof(*t->certs))) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	for (i = 0; i < nc; i++) {
		if (certs[i].x509 == NULL)
			continue; /* not an X.509 certificate libp11 could parse */
		ci = &t->certs[t->ncerts];
		if ((ci->label = strdup(certs[i].label != NULL ? certs[i].label : "")) == NULL)
			return p11_fail(d, P11_E_NOMEM, "out of memory");
		X509_up_ref(certs[i].x509);
		ci->cert = certs[i].x509;
		ci->id_len = certs[i].id_len < sizeof(ci->id) ? certs[i].id_len : sizeof(ci->id);
		memcpy(ci->id, certs[i].id, ci->id_len);
		CTL_IGNORE_RESULT(ctl_hex_encode(ci->id_hex, sizeof(ci->id_hex), ci->id, ci->id_len, 0)); /* id_hex holds 64 bytes' hex */
		if (ci->id_len < certs[i].id_len)
			memcpy(ci->id_hex + 2 * ci->id_len, "...", 4);
		t->ncerts++;
	}
	tok_key_states(t, certs, nc);
	t->certs_read = 1;
	return P11_OK;
}

/* ------------------------------------------------------------------ */
/* Listing                                                              */

static CTL_MUST_USE enum p11_err
fill_info(struct p11_ctx *ctx, struct p11_tok *t, struct p11_token_info *ti, struct p11_diag *d)
{
	const PKCS11_TOKEN *tk = t->slot->token;
	enum p11_err r;

	if ((r = tok_certs(t, d)) != P11_OK)
		return r;
	if (t->uri == NULL && (t->uri = p11_uri_for_token(&t->ident)) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	ti->slot_id = t->ident.slot_id;
	ti->slot_description = t->ident.slot_description;
	ti->removable = t->slot->removable;
	ti->initialized = tk->initialized;
	ti->label = t->ident.label;
	ti->serial = t->ident.serial;
	ti->manufacturer = t->ident.manufacturer;
	ti->model = t->ident.model;
	ti->pin = p11i_pin_state(ctx, t);
	ti->login_required = tk->loginRequired;
	ti->secure_login = tk->secureLogin;
	ti->uri = t->uri;
	ti->ncerts = t->ncerts;
	ti->certs = t->certs;
	return P11_OK;
}

static const char *tok_names(const struct p11_ctx *ctx, const struct p11_sel *sel, char *buf,
                             size_t cap);
static enum p11_err check_module(const struct p11_ctx *ctx, const struct p11_sel *sel,
                                 struct p11_diag *d);

enum p11_err
p11_list(struct p11_ctx *ctx, const char *selector, const struct p11_token_info **out,
         size_t *n, struct p11_diag *d)
{
	struct p11_sel *sel = NULL;
	enum p11_err r = P11_OK;
	size_t i, k = 0;
	char names[400];

	free(ctx->infos);
	if ((ctx->infos = calloc(ctx->ntoks + 1, sizeof(*ctx->infos))) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	if (selector != NULL && (r = p11_sel_parse(selector, &sel, d)) != P11_OK)
		return r;
	if (sel != NULL && (r = check_module(ctx, sel, d)) != P11_OK) {
		p11_sel_free(sel);
		return r;
	}
	for (i = 0; i < ctx->ntoks && r == P11_OK; i++) {
		struct p11_tok *t = &ctx->toks[i];

		if (sel != NULL && (!t->slot->token->initialized || !p11_sel_match_token(sel, &t->ident)))
			continue;
		r = fill_info(ctx, t, &ctx->infos[k++], d);
	}
	if (r == P11_OK && sel != NULL && k == 0)
		r = p11_fail(d, P11_E_NO_TOKEN, "no token matches '%s' in module %s (tokens "
		             "present: %s)", selector, ctx->module, tok_names(ctx, NULL, names,
		             sizeof(names)));
	p11_sel_free(sel);
	if (r != P11_OK)
		return r;
	*out = ctx->infos;
	*n = k;
	return P11_OK;
}

/* ------------------------------------------------------------------ */
/* Selection                                                            */

/* "'A' (serial 1), 'B' (serial 2)" into buf, for "which tokens are there" messages. */
static const char *
tok_names(const struct p11_ctx *ctx, const struct p11_sel *sel, char *buf, size_t cap)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < ctx->ntoks && off < cap; i++) {
		const struct p11_tok *t = &ctx->toks[i];

		if (!t->slot->token->initialized || (sel != NULL && !p11_sel_match_token(sel, &t->ident)))
			continue;
		n = snprintf(buf + off, cap - off, "%s'%s' (serial %s)", off ? ", " : "",
		             t->ident.label, t->ident.serial);
		if (n < 0 || (size_t)n >= cap - off)
			break;
		off += (size_t)n;
	}
	return off ? buf : "none";
}

/* A URI's module-path must be the module in use (one module per run). */
static CTL_MUST_USE enum p11_err
check_module(const struct p11_ctx *ctx, const struct p11_sel *sel, struct p11_diag *d)
{
	const char *mp = p11_sel_module_path(sel);

	if (mp != NULL && strcmp(mp, ctx->module) != 0)
		return p11_fail(d, P11_E_URI, "token URI names module-path %s but the module in use "
		                "is %s (%s)", mp, ctx->module, ctx->origin);
	return P11_OK;
}

static CTL_MUST_USE enum p11_err
find_token(struct p11_ctx *ctx, const struct p11_sel *sel, struct p11_tok **out,
           struct p11_diag *d)
{
	struct p11_tok *found = NULL;
	size_t i, n = 0;
	char names[400];
	enum p11_err r;

	if ((r = check_module(ctx, sel, d)) != P11_OK)
		return r;
	for (i = 0; i < ctx->ntoks; i++) {
		struct p11_tok *t = &ctx->toks[i];

		/* SoftHSM always adds a spare uninitialised slot; it is never a match. */
		if (t->slot->token->initialized && p11_sel_match_token(sel, &t->ident)) {
			found = t;
			n++;
		}
	}
	if (n == 0)
		return p11_fail(d, P11_E_NO_TOKEN, "no token matches '%s' in module %s "
		                "(tokens present: %s)", p11_sel_text(sel), ctx->module,
		                tok_names(ctx, NULL, names, sizeof(names)));
	if (n > 1)
		return p11_fail(d, P11_E_TOKEN_AMBIGUOUS, "%zu tokens match '%s': %s; add serial= "
		                "or token= to choose one", n, p11_sel_text(sel),
		                tok_names(ctx, sel, names, sizeof(names)));
	*out = found;
	return P11_OK;
}

/* Narrows the token's certificates to one (URI id=/object=, then those with a key). */
static CTL_MUST_USE enum p11_err
pick_cert(struct p11_tok *t, const struct p11_sel *sel, const struct p11_cert_info **out,
          struct p11_diag *d)
{
	const struct p11_cert_info *match = NULL, *keyed = NULL;
	size_t i, n = 0, nk = 0;

	for (i = 0; i < t->ncerts; i++) {
		const struct p11_cert_info *c = &t->certs[i];

		if (!p11_sel_match_object(sel, c->label, c->id, c->id_len))
			continue;
		match = c;
		n++;
		if (c->key != P11_KEY_NONE) {
			keyed = c;
			nk++;
		}
	}
	if (n == 0 && t->ncerts == 0)
		return p11_fail(d, P11_E_NO_CERT, "%s shows no certificate%s", t->name,
		                t->slot->token->loginRequired ? " without login (a SAST token must "
		                "hold its certificate as a public object)" : "");
	if (n == 0)
		return p11_fail(d, P11_E_NO_CERT, "%s: no certificate matches the id=/object= "
		                "of '%s'", t->name, p11_sel_text(sel));
	if (n > 1 && nk == 1)
		match = keyed;
	else if (n > 1)
		return p11_fail(d, P11_E_CERT_AMBIGUOUS, "%s holds %zu matching certificates; add "
		                "id=%%xx or object=LABEL to the token URI", t->name, n);
	*out = match;
	return P11_OK;
}

enum p11_err
p11i_resolve(struct p11_ctx *ctx, const char *selector, struct p11_sel **sel, struct p11_tok **tok,
        const struct p11_cert_info **cert, struct p11_diag *d)
{
	enum p11_err r;

	if ((r = p11_sel_parse(selector, sel, d)) != P11_OK)
		return r;
	if ((r = find_token(ctx, *sel, tok, d)) != P11_OK)
		return r;
	if ((r = tok_certs(*tok, d)) != P11_OK)
		return r;
	return pick_cert(*tok, *sel, cert, d);
}

enum p11_err
p11_token_cert(struct p11_ctx *ctx, const char *selector, X509 **out, struct p11_diag *d)
{
	const struct p11_cert_info *c = NULL;
	struct p11_sel *sel = NULL;
	struct p11_tok *t = NULL;
	enum p11_err r;

	*out = NULL;
	if ((r = p11i_resolve(ctx, selector, &sel, &t, &c, d)) == P11_OK) {
		X509_up_ref(c->cert);
		*out = c->cert;
	}
	p11_sel_free(sel);
	return r;
}
