/*
 * Token layer of ctl-client: PKCS#11 security tokens (the SAST eTokens)
 * through libp11. p11.c is the only file that includes libp11.h; nothing in
 * this header depends on it, so a pkcs11-provider backend can replace it.
 *
 * One struct p11_ctx per run: it loads the module once, enumerates the slots
 * once (libp11 0.4.12's PKCS11_update_slots crashes with two or more slots,
 * see doc/pkcs11-notes.md section 3.1) and owns every object it lends out.
 * All calls must come from one thread and never from a forked child
 * (libp11 re-logs in after fork, notes section 3.7).
 */
#ifndef CTL_CLIENT_P11_H
#define CTL_CLIENT_P11_H

#include <stddef.h>

#include <ctl/ctl.h>

/* Stable codes; append before P11_E__COUNT. Text from p11_strerror(). */
enum p11_err {
	P11_OK = 0,
	P11_E_NOMEM,             /* allocation failed */
	P11_E_URI,               /* malformed selector or PKCS#11 URI */
	P11_E_MODULE_NOT_FOUND,  /* module path does not exist */
	P11_E_MODULE_LOAD,       /* module exists but does not load or initialise */
	P11_E_NO_TOKEN,          /* no initialised token matches the selector */
	P11_E_TOKEN_AMBIGUOUS,   /* several tokens match the selector */
	P11_E_NO_CERT,           /* token shows no (matching) certificate */
	P11_E_CERT_AMBIGUOUS,    /* several certificates match */
	P11_E_NO_KEY,            /* no private key for the certificate */
	P11_E_KEY_UNSUPPORTED,   /* key is not RSA 512/1024/2048/4096 */
	P11_E_KEY_MISMATCH,      /* private key does not match the certificate */
	P11_E_PIN_CONFLICT,      /* PIN given more than one way */
	P11_E_PIN_SOURCE,        /* PIN file or terminal unusable, or no PIN source */
	P11_E_PIN_INCORRECT,     /* the token rejected the PIN */
	P11_E_PIN_LOCKED,        /* the token's user PIN is locked */
	P11_E_LOGIN,             /* login failed for another reason */
	P11_E_SIGN,              /* the token failed to sign */
	P11_E_TOKEN,             /* other token or module failure */
	P11_E__COUNT
};

/* Why a call failed: code, the token's CK_RV when one was seen, one line of text. */
struct p11_diag {
	enum p11_err err;
	int has_ckr;
	unsigned long ckr;
	char msg[512];
};

/* Static text for a code; never NULL. */
const char *p11_strerror(enum p11_err e);
/* ctl-client exit status (enum client_exit in cmd.h) for a code. */
int p11_exit_for(enum p11_err e);
/* Name of a CK_RV ("CKR_PIN_INCORRECT"), or "CKR_0x..." in buf. */
const char *p11_ckr_name(unsigned long rv, char *buf, size_t len);
/* Fills d (d may be NULL) and returns e. */
enum p11_err p11_fail(struct p11_diag *d, enum p11_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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
enum p11_err p11_ctx_open(const char *module, const char *const *selectors, size_t nsel,
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
enum p11_err p11_list(struct p11_ctx *ctx, const char *selector,
                      const struct p11_token_info **out, size_t *n, struct p11_diag *d);

/*
 * The certificate of the token named by selector (RFC 7512 URI, label or
 * serial), read without login: how a backup SAST token is enrolled.
 * *out holds a new reference; X509_free() it.
 */
enum p11_err p11_token_cert(struct p11_ctx *ctx, const char *selector, X509 **out,
                            struct p11_diag *d);

struct pin_opts;

/*
 * Logs in to the token named by selector once (PIN from pin.c's sources)
 * and returns a libctl signer whose callback signs on the token with RSA
 * PKCS#1 v1.5; the private key never leaves it. A locked token is refused
 * before any PIN is read. A wrong PIN is never retried. *out is lent by ctx
 * (valid until p11_ctx_free(); never ctl_signer_free() it).
 */
enum p11_err p11_signer_new(struct p11_ctx *ctx, const char *selector,
                            const struct pin_opts *pin, const struct ctl_signer **out,
                            struct p11_diag *d);

#endif
