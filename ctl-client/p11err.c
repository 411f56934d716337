/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token layer errors: see p11err.h. Only the C library and the PKCS#11
 * constants header (no library behind it) are used here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#include "p11err.h"

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
