/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PKCS#11 module of a run: which one (--module, a URI's module-path,
 * $CTL_PKCS11_MODULE, the p11-kit proxy), loading it through libp11, the
 * one enumeration of its slots, and freeing everything in the order that
 * leaves no leak behind (keys and certificates, logout, slots, unload).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libp11.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "p11_int.h"

#define P11_PROXY "p11-kit-proxy.so"
#define P11_MODULE_ENV "CTL_PKCS11_MODULE"

/* --module, else a URI's module-path (all must agree), else the environment, else the proxy. */
static CTL_MUST_USE enum p11_err
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
static CTL_MUST_USE enum p11_err
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

static CTL_MUST_USE enum p11_err
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

static CTL_MUST_USE enum p11_err
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
		return p11i_fail_ckr(d, P11_E_MODULE_LOAD, what, name);
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
		return p11i_fail_ckr(d, P11_E_TOKEN, "cannot list slots", ctx->module);
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
	ERR_clear_error(); /* SoftHSM leaves engine-probing errors even on success */
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

/* This order (keys, logout, slots, unload, free) runs clean under ASan. */
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
