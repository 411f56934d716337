/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token layer of ctl-client: PKCS#11 security tokens (the SAST eTokens)
 * through libp11. Only p11_module.c, p11_token.c, p11_sign.c and
 * p11_errq.c (behind p11_int.h) include libp11's header; nothing here
 * depends on libp11, so a pkcs11-provider backend can replace them.
 *
 * One struct p11_ctx per run: it loads the module once, enumerates the slots
 * once (libp11 0.4.12's PKCS11_update_slots crashes with two or more slots)
 * and owns every object it lends out. All calls must come from one thread
 * and never from a forked child (libp11 registers pthread_atfork and, in a
 * child, logs in again with the cached PIN).
 */
#ifndef CTL_CLIENT_P11_H
#define CTL_CLIENT_P11_H

#include <stddef.h>

#include <ctl/ctl.h>

#include "p11err.h"

/* User PIN state from the token's flags (PKCS#11 has no retry count). */
enum p11_pin_state {
	P11_PIN_OK = 0,
	P11_PIN_COUNT_LOW,      /* a wrong PIN was entered since the last good login */
	P11_PIN_FINAL_TRY,      /* one more wrong PIN locks the token */
	P11_PIN_LOCKED,
	P11_PIN_NOT_SET,        /* the user PIN was never initialised */
	P11_PIN_UNINITIALISED   /* the token itself is not initialised */
};
const char *p11_pin_state_name(enum p11_pin_state s); /* "ok", "count low", ... */

/* Whether the private key of a certificate could be seen without login. */
enum p11_key_state {
	P11_KEY_PRESENT = 0,    /* a private key with the certificate's CKA_ID is visible */
	P11_KEY_HIDDEN,         /* only the public key is visible; the private one needs login */
	P11_KEY_NONE            /* no key object with the certificate's CKA_ID */
};
const char *p11_key_state_name(enum p11_key_state s);

struct p11_cert_info {
	X509 *cert;             /* lent */
	const char *label;      /* CKA_LABEL, "" when none */
	unsigned char id[64];   /* CKA_ID (longer ones are cut, and id_hex ends in "...") */
	size_t id_len;
	char id_hex[132];       /* CKA_ID in hex, "" when none */
	enum p11_key_state key;
};

struct p11_token_info {
	unsigned long slot_id;
	const char *slot_description;
	int removable;
	int initialized;
	const char *label, *serial, *manufacturer, *model; /* trimmed */
	enum p11_pin_state pin;
	int login_required;
	int secure_login;       /* PIN pad: the PIN is entered on the reader */
	const char *uri;        /* RFC 7512 URI naming the token */
	size_t ncerts;
	const struct p11_cert_info *certs;
};

struct p11_ctx;

/* Receives warnings meant for the administrator (shown before a PIN prompt). */
typedef void (*p11_notice_fn)(const char *msg);

/*
 * Loads a PKCS#11 module and enumerates its slots. The module is `module`
 * when not NULL (--module); else the module-path of the first selector that
 * names one (all selectors must agree); else $CTL_PKCS11_MODULE; else the
 * p11-kit proxy module. notice may be NULL. Free with p11_ctx_free().
 */
CTL_MUST_USE enum p11_err p11_ctx_open(const char *module, const char *const *selectors, size_t nsel,
                          p11_notice_fn notice, struct p11_ctx **out, struct p11_diag *d);
/* Frees signers, certificates and slots, then unloads the module. NULL is a no-op. */
void p11_ctx_free(struct p11_ctx *ctx);
/* The module in use and how it was chosen ("--module", "CTL_PKCS11_MODULE", ...). */
const char *p11_ctx_module(const struct p11_ctx *ctx);
const char *p11_ctx_module_origin(const struct p11_ctx *ctx);

/*
 * Every slot with a token (only those matching selector, when not NULL),
 * without login. *out is lent by ctx and lives until the next p11_list()
 * or p11_ctx_free(). Token state is read fresh from the module.
 * A selector matching no token is P11_E_NO_TOKEN.
 */
CTL_MUST_USE enum p11_err p11_list(struct p11_ctx *ctx, const char *selector,
                      const struct p11_token_info **out, size_t *n, struct p11_diag *d);

/*
 * The certificate of the token named by selector (RFC 7512 URI, label or
 * serial), read without login: how a backup SAST token is enrolled.
 * *out holds a new reference; X509_free() it.
 */
CTL_MUST_USE enum p11_err p11_token_cert(struct p11_ctx *ctx, const char *selector, X509 **out,
                            struct p11_diag *d);

struct pin_opts;

/*
 * Logs in to the token named by selector once (PIN from pin.c's sources)
 * and returns a libctl signer whose callback signs on the token with RSA
 * PKCS#1 v1.5; the private key never leaves it. A locked token is refused
 * before any PIN is read. A wrong PIN is never retried. *out is lent by ctx
 * (valid until p11_ctx_free(); never ctl_signer_free() it).
 */
CTL_MUST_USE enum p11_err p11_signer_new(struct p11_ctx *ctx, const char *selector,
                            const struct pin_opts *pin, const struct ctl_signer **out,
                            struct p11_diag *d);

#endif
