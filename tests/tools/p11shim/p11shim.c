/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only pass-through PKCS#11 module: PIN lockout for SoftHSM2, which
 * never locks a PIN (it keeps no failure counter, unlike an eToken, which
 * locks after 15 wrong PINs). It loads the real
 * module ($P11SHIM_MODULE, default SoftHSM2), hands out a copy of its
 * function list, and replaces two entries:
 *
 *  C_Login        keeps a failure counter per token serial in
 *                 $P11SHIM_STATE/fail-SERIAL (so it survives processes, like
 *                 a token's own counter). At $P11SHIM_MAX failures (default
 *                 15, like an eToken) it returns CKR_PIN_LOCKED without
 *                 calling the real module, even for the right PIN. Otherwise
 *                 it forwards, adds one on CKR_PIN_INCORRECT and resets on
 *                 success. Every call is appended to $P11SHIM_STATE/login.log
 *                 ("SERIAL CKR") so tests can assert how often a client tried.
 *  C_GetTokenInfo forwards, then reports the counter in the flags:
 *                 COUNT_LOW when > 0, FINAL_TRY at max - 1, LOCKED at max.
 *
 * Everything else (keys, signing) is the real module: fault injection, not
 * a fake signer. Without $P11SHIM_STATE it only passes through.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST shim;
static CK_FUNCTION_LIST_PTR real;
static void *real_dl;

static unsigned long
max_tries(void)
{
	const char *s = getenv("P11SHIM_MAX");
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return 15;
	v = strtoul(s, &end, 10);
	return *end == '\0' && v > 0 && v < 1000 ? v : 15;
}

/* "$P11SHIM_STATE/NAME" into buf; 0 when no state directory is set. */
static int
state_path(char *buf, size_t cap, const char *name, const char *serial)
{
	const char *dir = getenv("P11SHIM_STATE");
	int n;

	if (dir == NULL || *dir == '\0')
		return 0;
	n = snprintf(buf, cap, "%s/%s%s", dir, name, serial != NULL ? serial : "");
	return n > 0 && (size_t)n < cap;
}

static unsigned long
read_count(const char *serial)
{
	char path[4096];
	unsigned long v = 0;
	FILE *f;

	if (!state_path(path, sizeof(path), "fail-", serial) || (f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static void
write_count(const char *serial, unsigned long v)
{
	char path[4096];
	FILE *f;

	if (!state_path(path, sizeof(path), "fail-", serial) || (f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%lu\n", v);
	fclose(f);
}

static void
log_call(const char *serial, CK_RV rv)
{
	char path[4096];
	FILE *f;

	if (!state_path(path, sizeof(path), "login.log", NULL) || (f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "%s 0x%lx\n", serial, (unsigned long)rv);
	fclose(f);
}

/* The token serial (trimmed) of a slot, as the counter's key. */
static void
slot_serial(CK_SLOT_ID slot, char out[17])
{
	CK_TOKEN_INFO ti;
	size_t n = 16;

	memcpy(out, "unknown", 8);
	if (real->C_GetTokenInfo(slot, &ti) != CKR_OK)
		return;
	while (n > 0 && ti.serialNumber[n - 1] == ' ')
		n--;
	memcpy(out, ti.serialNumber, n);
	out[n] = '\0';
}

static CK_RV
shim_login(CK_SESSION_HANDLE h, CK_USER_TYPE who, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	CK_SESSION_INFO si;
	char serial[17];
	unsigned long n, max = max_tries();
	CK_RV rv;

	if (who != CKU_USER || real->C_GetSessionInfo(h, &si) != CKR_OK)
		return real->C_Login(h, who, pin, len);
	slot_serial(si.slotID, serial);
	n = read_count(serial);
	if (n >= max) {
		log_call(serial, CKR_PIN_LOCKED);
		return CKR_PIN_LOCKED;
	}
	rv = real->C_Login(h, who, pin, len);
	log_call(serial, rv);
	if (rv == CKR_PIN_INCORRECT)
		write_count(serial, n + 1);
	else if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		write_count(serial, 0);
	return rv;
}

static CK_RV
shim_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR ti)
{
	CK_RV rv = real->C_GetTokenInfo(slot, ti);
	unsigned long n, max = max_tries();
	char serial[17];

	if (rv != CKR_OK || !(ti->flags & CKF_TOKEN_INITIALIZED) || getenv("P11SHIM_STATE") == NULL)
		return rv;
	slot_serial(slot, serial);
	n = read_count(serial);
	ti->flags &= ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
	if (n > 0)
		ti->flags |= CKF_USER_PIN_COUNT_LOW;
	if (n + 1 == max)
		ti->flags |= CKF_USER_PIN_FINAL_TRY;
	if (n >= max)
		ti->flags |= CKF_USER_PIN_LOCKED;
	return rv;
}

static CK_RV
load_real(void)
{
	const char *path = getenv("P11SHIM_MODULE");
	CK_C_GetFunctionList gfl;

	if (real != NULL)
		return CKR_OK;
	/* No default: the tests name the module they found (fixtures/softhsm-module). */
	if (path == NULL || *path == '\0')
		return CKR_GENERAL_ERROR;
	if ((real_dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return CKR_GENERAL_ERROR;
	*(void **)&gfl = dlsym(real_dl, "C_GetFunctionList");
	if (gfl == NULL || gfl(&real) != CKR_OK)
		return CKR_GENERAL_ERROR;
	shim = *real;
	shim.C_Login = shim_login;
	shim.C_GetTokenInfo = shim_token_info;
	return CKR_OK;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

CK_RV
C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	CK_RV rv;

	if (list == NULL)
		return CKR_ARGUMENTS_BAD;
	if ((rv = load_real()) != CKR_OK)
		return rv;
	*list = &shim;
	return CKR_OK;
}
