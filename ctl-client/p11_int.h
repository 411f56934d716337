/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private header of the token layer: the structures p11_module.c,
 * p11_token.c, p11_sign.c and p11_errq.c share. These four files are the
 * only ones that include libp11.h; everything else sees p11.h.
 *
 * Facts about libp11 0.4.12 this code is shaped by:
 *  - PKCS11_update_slots crashes with two or more slots, so the slots are
 *    enumerated once per run;
 *  - PKCS11_KEY / PKCS11_CERT pointers dangle after the next enumeration,
 *    so certificates are copied out once per token and nothing enumerates a
 *    token after its private key was taken;
 *  - a slot that is logged in accepts any PIN in a second PKCS11_login, so
 *    login happens once;
 *  - the PIN flags libp11 keeps are a snapshot taken at enumeration; fresh
 *    ones come from a direct C_GetTokenInfo on the same module;
 *  - a failure is an OpenSSL error whose library is ERR_get_CKR_code() and
 *    whose reason is the CK_RV, among unrelated entries (SoftHSM probes
 *    OpenSSL engines while it initialises).
 */
#ifndef CTL_CLIENT_P11_INT_H
#define CTL_CLIENT_P11_INT_H

#include <libp11.h>
#include <p11-kit/pkcs11.h>

#include "p11.h"
#include "p11uri.h"

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

/* p11_errq.c: the error queue after a failed libp11 call. */
/* 1 with the CK_RV of the last CKR entry when there is one; drains the queue. */
int p11i_take_ckr(unsigned long *rv);
/* p11_fail() with "NAME: WHAT: CKR_..." from the error queue; returns e. */
CTL_MUST_USE enum p11_err p11i_fail_ckr(struct p11_diag *d, enum p11_err e, const char *what,
                                        const char *name);

/* p11_token.c: token state and selection, no login. */
/* The user PIN state from the token's flags read now (libp11's snapshot as fallback). */
enum p11_pin_state p11i_pin_state(const struct p11_ctx *ctx, const struct p11_tok *t);
/* 1 when two CKA_IDs are equal and not empty. */
int p11i_same_id(const unsigned char *a, size_t an, const unsigned char *b, size_t bn);
/*
 * Parses selector and finds its one token and certificate, without login.
 * *sel is set even on failure after parsing; p11_sel_free() it.
 */
CTL_MUST_USE enum p11_err p11i_resolve(struct p11_ctx *ctx, const char *selector,
                                       struct p11_sel **sel, struct p11_tok **tok,
                                       const struct p11_cert_info **cert, struct p11_diag *d);

#endif
