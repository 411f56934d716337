/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Errors of the token layer: the codes, their text and the diagnostic that
 * carries the details. This file depends on nothing else in ctl-client, so
 * the selector parser, the PIN sources and the token code can all report
 * errors without linking each other (the URI fuzz target links only
 * p11uri.c and p11err.c). What a code means for the exit status is the
 * command line's business (cli.c).
 */
#ifndef CTL_CLIENT_P11ERR_H
#define CTL_CLIENT_P11ERR_H

#include <stddef.h>

#include <ctl/err.h>

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
/* Name of a CK_RV ("CKR_PIN_INCORRECT"), or "CKR_0x..." in buf. */
const char *p11_ckr_name(unsigned long rv, char *buf, size_t len);
/*
 * Fills d (d may be NULL) and returns e. A caller that only fills the
 * diagnostic (the code is already known) drops the result on purpose.
 */
CTL_MUST_USE enum p11_err p11_fail(struct p11_diag *d, enum p11_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
