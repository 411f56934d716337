/*
 * PKCS#11 tokens through libp11 0.4.12: the only file that includes
 * libp11.h. doc/pkcs11-notes.md (cited as "notes") lists the traps this
 * code is shaped by:
 *  - slots are enumerated once per run; PKCS11_update_slots crashes (3.1);
 *  - PKCS11_KEY / PKCS11_CERT pointers dangle after the next enumeration,
 *    so certificates are copied out once per token and nothing enumerates a
 *    token after its private key was taken (3.2);
 *  - a logged-in slot accepts any PIN, so login happens once (3.3);
 *  - the PIN flags libp11 keeps are a snapshot; fresh ones come from a
 *    direct C_GetTokenInfo on the same module (3.4);
 *  - failures are read from the OpenSSL error queue, where the CK_RV is the
 *    reason of an entry in libp11's CKR library, among foreign noise (3.5, 3.6).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libp11.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>

#include "cmd.h"
#include "p11.h"
#include "p11uri.h"
#include "pin.h"

#define P11_PROXY "p11-kit-proxy.so"
#define P11_MODULE_ENV "CTL_PKCS11_MODULE"

struct p11_signer {
	struct ctl_signer pub;  /* what libctl sees; pub.arg points here */
	EVP_PKEY *pk;           /* libp11 key: signs with C_Sign on the token */
	X509 *cert;
	char name[160];         /* "token 'LABEL' (serial S)" for messages */
};

/* One slot with a token. Strings in ident are lent by libp11's slot list. */
struct p11_tok {
	PKCS11_SLOT *slot;
	struct p11_tokid ident;
	char name[160];
	int certs_read;
	size_t ncerts;
	struct p11_cert_info *certs; /* own copies: X509 referenced, label/id duplicated */
	char *uri;
	struct p11_signer *signer;   /* once logged in and the key is taken */
	int logged_in;
};

struct p11_ctx {
	PKCS11_CTX *p11;
	PKCS11_SLOT *slots;
	unsigned int nslots;
	int loaded;
	void *dl;                   /* our own reference to the module */
	CK_FUNCTION_LIST_PTR fl;    /* for fresh C_GetTokenInfo only; libp11 owns C_Initialize */
	char *module;
	const char *origin;
	char lib_manuf[33], lib_desc[33];
	unsigned lib_major, lib_minor;
	size_t ntoks;
	struct p11_tok *toks;
	struct p11_token_info *infos;
	p11_notice_fn notice;
};

/* ------------------------------------------------------------------ */
/* Errors                                                               */

const char *
p11_strerror(enum p11_err e)
{
	switch (e) {
	case P11_OK: return "success";
	case P11_E_NOMEM: return "out of memory";
	case P11_E_URI: return "bad token selector or PKCS#11 URI";
	case P11_E_MODULE_NOT_FOUND: return "PKCS#11 module not found";
	case P11_E_MODULE_LOAD: return "PKCS#11 module failed to load";
	case P11_E_NO_TOKEN: return "no such token";
	case P11_E_TOKEN_AMBIGUOUS: return "several tokens match";
	case P11_E_NO_CERT: return "no certificate on the token";
	case P11_E_CERT_AMBIGUOUS: return "several certificates match";
	case P11_E_NO_KEY: return "no private key for the certificate";
	case P11_E_KEY_UNSUPPORTED: return "unsupported key type or size";
	case P11_E_KEY_MISMATCH: return "private key does not match the certificate";
	case P11_E_PIN_CONFLICT: return "PIN given more than one way";
	case P11_E_PIN_SOURCE: return "cannot read the PIN";
	case P11_E_PIN_INCORRECT: return "wrong PIN";
	case P11_E_PIN_LOCKED: return "token is locked";
	case P11_E_LOGIN: return "login failed";
	case P11_E_SIGN: return "token failed to sign";
	case P11_E_TOKEN: return "token error";
	case P11_E__COUNT: break;
	}
	return "unknown token error";
}

int
p11_exit_for(enum p11_err e)
{
	switch (e) {
	case P11_OK: return EXIT_OK;
	case P11_E_URI: case P11_E_PIN_CONFLICT: return EXIT_USAGE;
	case P11_E_MODULE_NOT_FOUND: case P11_E_MODULE_LOAD: case P11_E_NO_TOKEN:
	case P11_E_TOKEN_AMBIGUOUS: case P11_E_NO_CERT: case P11_E_CERT_AMBIGUOUS:
	case P11_E_NO_KEY: case P11_E_KEY_UNSUPPORTED: case P11_E_KEY_MISMATCH:
	case P11_E_SIGN: case P11_E_TOKEN:
		return EXIT_TOKEN;
	case P11_E_PIN_SOURCE: case P11_E_PIN_INCORRECT: case P11_E_PIN_LOCKED: case P11_E_LOGIN:
		return EXIT_PIN;
	case P11_E_NOMEM: case P11_E__COUNT:
		return EXIT_INTERNAL;
	}
	return EXIT_INTERNAL;
}

static const struct {
	unsigned long rv;
	const char *name;
} ckr_names[] = {
	{ CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR" },
	{ CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED" },
	{ CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD" },
	{ CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR" },
	{ CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY" },
	{ CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED" },
	{ CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID" },
	{ CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED" },
	{ CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID" },
	{ CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT" },
	{ CKR_PIN_INVALID, "CKR_PIN_INVALID" },
	{ CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE" },
	{ CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED" },
	{ CKR_PIN_LOCKED, "CKR_PIN_LOCKED" },
	{ CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID" },
	{ CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT" },
	{ CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED" },
	{ CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN" },
	{ CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED" },
	{ CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED" },
};

const char *
p11_ckr_name(unsigned long rv, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(ckr_names) / sizeof(ckr_names[0]); i++)
		if (ckr_names[i].rv == rv)
			return ckr_names[i].name;
	if (snprintf(buf, len, "CKR_0x%lx", rv) >= (int)len && len > 0)
		buf[len - 1] = '\0';
	return buf;
}

enum p11_err
p11_fail(struct p11_diag *d, enum p11_err e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d == NULL)
		return e;
	memset(d, 0, sizeof(*d));
	d->err = e;
	va_start(ap, fmt);
	n = vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(d->msg))
		memcpy(d->msg + sizeof(d->msg) - 4, "...", 4); /* truncated, marked */
	return e;
}

/*
 * Drains the error queue after a failed libp11 call and returns 1 with the
 * CK_RV of the last CKR entry, if any (notes 3.5: library = the CKR code,
 * reason = CK_RV; everything else is noise, 3.6).
 */
static int
take_ckr(unsigned long *rv)
{
	int lib = ERR_get_CKR_code(), found = 0;
	unsigned long e;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_LIB(e) == lib) {
			*rv = (unsigned long)ERR_GET_REASON(e);
			found = 1;
		}
	return found;
}

/* p11_fail() with the CK_RV taken from the error queue appended. */
static enum p11_err
fail_ckr(struct p11_diag *d, enum p11_err e, const char *what, const char *name)
{
	unsigned long rv = 0;
	char buf[32];
	int has = take_ckr(&rv);

	p11_fail(d, e, "%s: %s: %s", name, what, has ? p11_ckr_name(rv, buf, sizeof(buf)) :
	         "no PKCS#11 error code reported");
	if (d != NULL && has) {
		d->has_ckr = 1;
		d->ckr = rv;
	}
	return e;
}

/* ------------------------------------------------------------------ */
/* Names and states                                                     */

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

/* Token flags read now (notes 3.4); falls back to libp11's snapshot. */
static enum p11_pin_state
tok_pin_state(const struct p11_ctx *ctx, const struct p11_tok *t)
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

/* ------------------------------------------------------------------ */
/* Context                                                              */

/* --module, else a URI's module-path (all must agree), else the environment, else the proxy. */
static enum p11_err
choose_module(struct p11_ctx *ctx, const char *module, const char *const *sels, size_t nsel,
              struct p11_diag *d)
{
	const char *m = module, *env = getenv(P11_MODULE_ENV);
	struct p11_sel *sel = NULL;
	enum p11_err r = P11_OK;
	size_t i;

	ctx->origin = "--module";
	for (i = 0; m == NULL && i < nsel; i++) {
		if ((r = p11_sel_parse(sels[i], &sel, d)) != P11_OK)
			return r;
		if (p11_sel_module_path(sel) != NULL) {
			free(ctx->module);
			ctx->module = strdup(p11_sel_module_path(sel));
			ctx->origin = "module-path in the token URI";
		}
		p11_sel_free(sel);
		if (ctx->module != NULL)
			break;
	}
	if (ctx->module == NULL && m == NULL && env != NULL && *env != '\0') {
		m = env;
		ctx->origin = P11_MODULE_ENV;
	} else if (ctx->module == NULL && m == NULL) {
		m = P11_PROXY;
		ctx->origin = "default: p11-kit proxy; none given with --module or " P11_MODULE_ENV;
	}
	if (ctx->module == NULL && (ctx->module = strdup(m)) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	return r;
}

/* Opens the module ourselves first, to tell "missing" from "not a module". */
static enum p11_err
probe_module(struct p11_ctx *ctx, struct p11_diag *d)
{
	CK_C_GetFunctionList gfl;
	struct stat st;
	const char *e;

	if (strchr(ctx->module, '/') != NULL && stat(ctx->module, &st) != 0)
		return p11_fail(d, P11_E_MODULE_NOT_FOUND, "PKCS#11 module %s (%s): %s",
		                ctx->module, ctx->origin, strerror(errno));
	dlerror();
	if ((ctx->dl = dlopen(ctx->module, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		return p11_fail(d, strchr(ctx->module, '/') != NULL ? P11_E_MODULE_LOAD :
		                P11_E_MODULE_NOT_FOUND, "PKCS#11 module %s (%s) does not load: %s",
		                ctx->module, ctx->origin, e != NULL ? e : "unknown dlopen error");
	}
	*(void **)&gfl = dlsym(ctx->dl, "C_GetFunctionList");
	if (gfl == NULL)
		return p11_fail(d, P11_E_MODULE_LOAD, "%s (%s) is not a PKCS#11 module: "
		                "no C_GetFunctionList", ctx->module, ctx->origin);
	if (gfl(&ctx->fl) != CKR_OK)
		ctx->fl = NULL;
	return P11_OK;
}

static void
copy_trimmed(char *dst, size_t cap, const unsigned char *src, size_t n)
{
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static enum p11_err
collect_tokens(struct p11_ctx *ctx, struct p11_diag *d)
{
	unsigned int i;
	struct p11_tok *t;

	if ((ctx->toks = calloc(ctx->nslots + 1, sizeof(*ctx->toks))) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	for (i = 0; i < ctx->nslots; i++) {
		PKCS11_SLOT *s = &ctx->slots[i];
		PKCS11_TOKEN *tk = s->token;

		if (tk == NULL)
			continue;
		t = &ctx->toks[ctx->ntoks++];
		t->slot = s;
		t->ident.label = nz(tk->label);
		t->ident.serial = nz(tk->serialnr);
		t->ident.manufacturer = nz(tk->manufacturer);
		t->ident.model = nz(tk->model);
		t->ident.slot_id = PKCS11_get_slotid_from_slot(s);
		t->ident.slot_description = nz(s->description);
		t->ident.slot_manufacturer = nz(s->manufacturer);
		t->ident.lib_manufacturer = ctx->lib_manuf;
		t->ident.lib_description = ctx->lib_desc;
		t->ident.lib_major = ctx->lib_major;
		t->ident.lib_minor = ctx->lib_minor;
		if (snprintf(t->name, sizeof(t->name), "token '%s' (serial %s)", t->ident.label,
		             t->ident.serial) >= (int)sizeof(t->name))
			memcpy(t->name + sizeof(t->name) - 4, "...", 4);
	}
	return P11_OK;
}

static enum p11_err
load_module(struct p11_ctx *ctx, struct p11_diag *d)
{
	CK_INFO info;
	const char *what;
	char name[400];

	if ((ctx->p11 = PKCS11_CTX_new()) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	ERR_clear_error();
	if (PKCS11_CTX_load(ctx->p11, ctx->module) != 0) {
		what = strstr(ctx->module, "softhsm") != NULL ?
		       "C_Initialize failed (SoftHSM2: check SOFTHSM2_CONF and its tokendir)" :
		       "C_Initialize failed";
		snprintf(name, sizeof(name), "PKCS#11 module %s (%s)", ctx->module, ctx->origin);
		return fail_ckr(d, P11_E_MODULE_LOAD, what, name);
	}
	ctx->loaded = 1;
	if (ctx->fl != NULL && ctx->fl->C_GetInfo(&info) == CKR_OK) {
		copy_trimmed(ctx->lib_manuf, sizeof(ctx->lib_manuf), info.manufacturerID, 32);
		copy_trimmed(ctx->lib_desc, sizeof(ctx->lib_desc), info.libraryDescription, 32);
		ctx->lib_major = info.libraryVersion.major;
		ctx->lib_minor = info.libraryVersion.minor;
	}
	ERR_clear_error();
	if (PKCS11_enumerate_slots(ctx->p11, &ctx->slots, &ctx->nslots) != 0)
		return fail_ckr(d, P11_E_TOKEN, "cannot list slots", ctx->module);
	return collect_tokens(ctx, d);
}

enum p11_err
p11_ctx_open(const char *module, const char *const *selectors, size_t nsel,
             p11_notice_fn notice, struct p11_ctx **out, struct p11_diag *d)
{
	struct p11_ctx *ctx;
	enum p11_err r;

	*out = NULL;
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	ctx->notice = notice;
	if ((r = choose_module(ctx, module, selectors, nsel, d)) != P11_OK ||
	    (r = probe_module(ctx, d)) != P11_OK || (r = load_module(ctx, d)) != P11_OK) {
		p11_ctx_free(ctx);
		return r;
	}
	ERR_clear_error(); /* SoftHSM's engine probing leaves noise (notes 3.6) */
	*out = ctx;
	return P11_OK;
}

static void
tok_cleanup(struct p11_tok *t)
{
	size_t i;

	if (t->signer != NULL) {
		EVP_PKEY_free(t->signer->pk);
		X509_free(t->signer->cert);
		free(t->signer);
	}
	for (i = 0; i < t->ncerts; i++) {
		X509_free(t->certs[i].cert);
		free((char *)t->certs[i].label);
	}
	free(t->certs);
	free(t->uri);
	if (t->logged_in)
		PKCS11_logout(t->slot);
}

/* Order tested clean with ASan (notes section 2, "end"). */
void
p11_ctx_free(struct p11_ctx *ctx)
{
	size_t i;

	if (ctx == NULL)
		return;
	for (i = 0; i < ctx->ntoks; i++)
		tok_cleanup(&ctx->toks[i]);
	free(ctx->toks);
	free(ctx->infos);
	if (ctx->slots != NULL)
		PKCS11_release_all_slots(ctx->p11, ctx->slots, ctx->nslots);
	if (ctx->loaded)
		PKCS11_CTX_unload(ctx->p11);
	if (ctx->p11 != NULL)
		PKCS11_CTX_free(ctx->p11);
	if (ctx->dl != NULL)
		dlclose(ctx->dl);
	free(ctx->module);
	free(ctx);
	ERR_clear_error();
}

const char *
p11_ctx_module(const struct p11_ctx *ctx)
{
	return ctx->module;
}

const char *
p11_ctx_module_origin(const struct p11_ctx *ctx)
{
	return ctx->origin;
}

/* ------------------------------------------------------------------ */
/* Certificates, read once per token                                    */

static int
same_id(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	return an > 0 && an == bn && memcmp(a, b, an) == 0;
}

/* Key state for each copied certificate, by CKA_ID (notes 2, "match"). */
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
			if (same_id(keys[j].id, keys[j].id_len, certs[i].id, certs[i].id_len))
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
			if (same_id(pubs[j].id, pubs[j].id_len, certs[i].id, certs[i].id_len))
				t->certs[c].key = P11_KEY_HIDDEN;
		c++;
	}
	ERR_clear_error();
}

static void
hex(char *dst, size_t cap, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < cap; i++) {
		dst[2 * i] = digits[p[i] >> 4];
		dst[2 * i + 1] = digits[p[i] & 15];
	}
	dst[2 * i] = '\0';
}

static enum p11_err
tok_certs(struct p11_tok *t, struct p11_diag *d)
{
	PKCS11_CERT *certs = NULL;
	unsigned int nc = 0, i;
	struct p11_cert_info *ci;

	if (t->certs_read || !t->slot->token->initialized)
		return P11_OK;
	ERR_clear_error();
	if (PKCS11_enumerate_certs(t->slot->token, &certs, &nc) != 0)
		return fail_ckr(d, P11_E_TOKEN, "cannot list certificates", t->name);
	if ((t->certs = calloc(nc + 1, sizeof(*t->certs))) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	for (i = 0; i < nc; i++) {
		if (certs[i].x509 == NULL)
			continue; /* not an X.509 certificate libp11 could parse */
		ci = &t->certs[t->ncerts];
		if ((ci->label = strdup(nz(certs[i].label))) == NULL)
			return p11_fail(d, P11_E_NOMEM, "out of memory");
		X509_up_ref(certs[i].x509);
		ci->cert = certs[i].x509;
		ci->id_len = certs[i].id_len < sizeof(ci->id) ? certs[i].id_len : sizeof(ci->id);
		memcpy(ci->id, certs[i].id, ci->id_len);
		hex(ci->id_hex, sizeof(ci->id_hex), ci->id, ci->id_len);
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

static enum p11_err
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
	ti->pin = tok_pin_state(ctx, t);
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
static enum p11_err
check_module(const struct p11_ctx *ctx, const struct p11_sel *sel, struct p11_diag *d)
{
	const char *mp = p11_sel_module_path(sel);

	if (mp != NULL && strcmp(mp, ctx->module) != 0)
		return p11_fail(d, P11_E_URI, "token URI names module-path %s but the module in use "
		                "is %s (%s)", mp, ctx->module, ctx->origin);
	return P11_OK;
}

static enum p11_err
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

		/* SoftHSM always adds a spare uninitialised slot (notes 2, "choose token"). */
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
static enum p11_err
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

/* Parses selector and finds its token and certificate; no login. */
static enum p11_err
resolve(struct p11_ctx *ctx, const char *selector, struct p11_sel **sel, struct p11_tok **tok,
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
	if ((r = resolve(ctx, selector, &sel, &t, &c, d)) == P11_OK) {
		X509_up_ref(c->cert);
		*out = c->cert;
	}
	p11_sel_free(sel);
	return r;
}

/* ------------------------------------------------------------------ */
/* Login and signing                                                    */

/* The message for a failed C_Login, from the CK_RV and fresh token flags. */
static enum p11_err
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
	enum p11_pin_state st = tok_pin_state(ctx, t);
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
static enum p11_err
check_pin_state(struct p11_ctx *ctx, struct p11_tok *t, struct p11_diag *d)
{
	char msg[300];
	int n = 0;

	switch (tok_pin_state(ctx, t)) {
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

static enum p11_err
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
		return P11_OK; /* a second PKCS11_login would accept any PIN (notes 3.3) */
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
	has = rc != 0 ? take_ckr(&rv) : 0;
	pin_free(pin);
	if (rc != 0)
		return login_failed(ctx, t, has, rv, d);
	t->logged_in = 1;
	return P11_OK;
}

/* RSA with a modulus CTL signatures can carry (section 5.3 of ctl-format.md). */
static enum p11_err
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
 * key list (notes 3.2).
 */
static enum p11_err
tok_key(struct p11_tok *t, const struct p11_cert_info *c, EVP_PKEY **out, struct p11_diag *d)
{
	PKCS11_KEY *keys = NULL;
	unsigned int nk = 0, i;

	ERR_clear_error();
	if (PKCS11_enumerate_keys(t->slot->token, &keys, &nk) != 0)
		return fail_ckr(d, P11_E_TOKEN, "cannot list keys", t->name);
	for (i = 0; i < nk; i++)
		if (same_id(keys[i].id, keys[i].id_len, c->id, c->id_len))
			break;
	if (i == nk)
		return p11_fail(d, P11_E_NO_KEY, "%s: no private key for certificate id %s%s%s "
		                "(%u private key%s on the token)", t->name,
		                c->id_hex[0] ? c->id_hex : "(none)", c->label[0] ? ", label " : "",
		                c->label, nk, nk == 1 ? "" : "s");
	ERR_clear_error();
	if ((*out = PKCS11_get_private_key(&keys[i])) == NULL)
		return fail_ckr(d, P11_E_TOKEN, "cannot use the private key", t->name);
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

static enum ctl_err
sign_fail(struct ctl_diag *diag, const struct p11_signer *s, const char *what)
{
	unsigned long rv = 0;
	char buf[32];
	int has = take_ckr(&rv);

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
 * C_Sign with CKM_RSA_PKCS (notes section 4); the result is then verified
 * in software against the certificate, so a faulty token cannot produce a
 * CTL that phones reject.
 */
static enum ctl_err
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

static enum p11_err
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
	if ((r = resolve(ctx, selector, &sel, &t, &c, d)) != P11_OK)
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
