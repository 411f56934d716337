/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The token layer (ctl-client/p11_*.c) against SoftHSM2 through libp11, under
 * ASan/UBSan in `make check`: listing, certificates without login, signing
 * on the token and verifying with libctl, wrong PIN, the lockout shim, and
 * the module / token / key errors. Each test gets private copies of the
 * tokens from fixtures/make-tokens (CTL_TOKENS, default build/tokens).
 */
#include <libgen.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "p11.h"
#include "pin.h"
#include "testutil.h"

#define MOD tu_softhsm_module()

static char tokdir[PATH_MAX], shim[PATH_MAX], work[PATH_MAX];

/* snprintf that fails the test on truncation. */
static void pathf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
pathf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < cap);
}

static const char *
tokens_dir(void)
{
	const char *d = getenv("CTL_TOKENS");

	return d != NULL && *d != '\0' ? d : "build/tokens";
}

static const char *
tok_file(const char *name, const char *ext)
{
	static char ring[4][PATH_MAX];
	static unsigned next;
	char *out = ring[next++ % 4];

	pathf(out, PATH_MAX, "%s/%s.%s", tokdir, name, ext);
	return out;
}

/* Fresh copies of the standard tokens for this test; the shim's state dir. */
static void
setup(void)
{
	char cmd[3 * PATH_MAX], exe[PATH_MAX];
	ssize_t n;

	ck_assert_ptr_nonnull(realpath(".", work));
	pathf(cmd, sizeof(cmd), "CTL_FIXTURES=%s fixtures/make-tokens %s >/dev/null",
	         tu_pki_dir(), tokens_dir());
	ck_assert_msg(system(cmd) == 0, "fixtures/make-tokens failed (run from the top folder)");
	ck_assert_ptr_nonnull(realpath(tokens_dir(), tokdir));
	pathf(work, sizeof(work), "%s", tu_tmpdir());
	pathf(cmd, sizeof(cmd), "fixtures/make-tokens --assemble %s %s sast1 sast2 rogue "
	         "sast1024 sast4096 nocert nokey", tokdir, work);
	ck_assert_int_eq(system(cmd), 0);
	pathf(cmd, sizeof(cmd), "%s/softhsm2.conf", work);
	setenv("SOFTHSM2_CONF", cmd, 1);
	pathf(cmd, sizeof(cmd), "%s/shim", work);
	ck_assert_int_eq(mkdir(cmd, 0700), 0);
	setenv("P11SHIM_STATE", cmd, 1);
	setenv("P11SHIM_MODULE", MOD, 1);
	setenv("P11SHIM_MAX", "2", 1);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	pathf(shim, sizeof(shim), "%s/libp11shim.so", dirname(exe));
	unsetenv(PIN_ENV);
	unsetenv("CTL_PKCS11_MODULE");
}

static void
teardown(void)
{
}

static struct p11_ctx *
open_ok(const char *module)
{
	struct p11_ctx *ctx = NULL;
	struct p11_diag d;

	ck_assert_msg(p11_ctx_open(module, NULL, 0, NULL, &ctx, &d) == P11_OK, "%s", d.msg);
	return ctx;
}

static unsigned
login_calls(void)
{
	char path[PATH_MAX], line[256];
	unsigned n = 0;
	FILE *f;

	pathf(path, sizeof(path), "%s/login.log", getenv("P11SHIM_STATE"));
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n++;
	fclose(f);
	return n;
}

static X509 *
load_pem(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	ck_assert_ptr_nonnull(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	return x;
}

/* ---- ok ----------------------------------------------------------- */

START_TEST(list_tokens)
{
	struct p11_ctx *ctx = open_ok(MOD);
	const struct p11_token_info *t;
	struct p11_diag d;
	size_t n, i, init = 0;

	ck_assert_int_eq(p11_list(ctx, NULL, &t, &n, &d), P11_OK);
	for (i = 0; i < n; i++) {
		if (!t[i].initialized) {
			ck_assert_int_eq(t[i].pin, P11_PIN_UNINITIALISED);
			continue;
		}
		init++;
		ck_assert_int_eq(t[i].pin, P11_PIN_OK);
		ck_assert_int_eq(t[i].login_required, 1);
		ck_assert_str_eq(t[i].model, "SoftHSM v2");
		if (strcmp(t[i].label, "SAST-NOCERT") == 0) {
			ck_assert_uint_eq(t[i].ncerts, 0);
		} else {
			ck_assert_uint_eq(t[i].ncerts, 1);
			ck_assert_str_eq(t[i].certs[0].id_hex, "01");
			ck_assert_int_eq(t[i].certs[0].key, strcmp(t[i].label, "SAST-NOKEY") == 0 ?
			                 P11_KEY_NONE : P11_KEY_HIDDEN);
		}
	}
	ck_assert_uint_eq(init, 7);
	ck_assert_int_eq(p11_list(ctx, "SAST-ADN61a0c002", &t, &n, &d), P11_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(t[0].label, "SAST-ADN61a0c002");
	ck_assert_int_eq(p11_list(ctx, "SAST-NONE", &t, &n, &d), P11_E_NO_TOKEN);
	p11_ctx_free(ctx);
}
END_TEST

START_TEST(cert_without_login)
{
	struct p11_ctx *ctx = open_ok(shim);
	X509 *x = NULL, *want = load_pem(tok_file("sast2", "pem"));
	struct p11_diag d;

	ck_assert_int_eq(p11_token_cert(ctx, "SAST-ADN61a0c002", &x, &d), P11_OK);
	ck_assert_int_eq(X509_cmp(x, want), 0);
	ck_assert_uint_eq(login_calls(), 0);
	X509_free(x);
	X509_free(want);
	p11_ctx_free(ctx);
}
END_TEST

/* Signs through libctl (builder) on token NAME and verifies the file with libctl. */
static void
sign_and_verify(const char *module, const char *name, enum ctl_digest dg, size_t modbytes)
{
	struct p11_ctx *ctx = open_ok(module);
	struct pin_opts po = { tok_file(name, "pin"), 1 };
	const struct ctl_signer *s = NULL, *again = NULL;
	struct ctl_builder *b = NULL;
	struct ctl_file *f = NULL;
	struct ctl_verify_result res;
	struct ctl_diag cd;
	struct p11_diag d;
	char label[64];
	FILE *lf = fopen(tok_file(name, "label"), "r");
	uint8_t *out = NULL;
	size_t len = 0;

	ck_assert_ptr_nonnull(lf);
	ck_assert_ptr_nonnull(fgets(label, sizeof(label), lf));
	fclose(lf);
	ck_assert_msg(p11_signer_new(ctx, label, &po, &s, &d) == P11_OK, "%s", d.msg);
	ck_assert_uint_eq(s->modulus_bytes, modbytes);
	ck_assert_int_eq(p11_signer_new(ctx, label, &po, &again, &d), P11_OK);
	ck_assert_ptr_eq(s, again); /* one login per token and run */
	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_digest(b, dg), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, s->cert, CTL_ROLE_SAST, NULL, NULL, &cd), CTL_OK);
	ck_assert_msg(ctl_builder_sign(b, s, &out, &len, &cd) == CTL_OK, "%s", cd.msg);
	ck_assert_int_eq(ctl_file_parse(out, len, 0, &f, &cd), CTL_OK);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_uint_eq(ctl_file_signature(f).len, modbytes);
	ck_assert_uint_eq(ctl_file_digest(f), dg);
	ctl_file_free(f);
	free(out);
	ctl_builder_free(b);
	p11_ctx_free(ctx);
}

START_TEST(sign_sha1_2048)
{
	sign_and_verify(MOD, "sast1", CTL_DIGEST_SHA1, 256);
}
END_TEST

START_TEST(sign_sha512_2048_through_shim)
{
	sign_and_verify(shim, "sast2", CTL_DIGEST_SHA512, 256);
	ck_assert_uint_eq(login_calls(), 1);
}
END_TEST

START_TEST(sign_rsa1024_and_4096)
{
	sign_and_verify(MOD, "sast1024", CTL_DIGEST_SHA1, 128);
	sign_and_verify(MOD, "sast4096", CTL_DIGEST_SHA512, 512);
}
END_TEST

/* ---- PIN ---------------------------------------------------------- */

START_TEST(wrong_pin_then_locked)
{
	struct pin_opts po = { NULL, 1 }, good = { tok_file("sast1", "pin"), 1 };
	const struct ctl_signer *s = NULL;
	struct p11_ctx *ctx;
	struct p11_diag d;
	char path[PATH_MAX];
	FILE *f;

	pathf(path, sizeof(path), "%s/bad.pin", work);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("0000", f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0600), 0);
	po.file = path;
	ctx = open_ok(shim);
	ck_assert_int_eq(p11_signer_new(ctx, "SAST-ADN61a0c001", &po, &s, &d), P11_E_PIN_INCORRECT);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(d.has_ckr, 1);
	ck_assert_uint_eq(d.ckr, 0xa0);
	ck_assert_msg(strstr(d.msg, "last try before the token locks") != NULL, "%s", d.msg);
	ck_assert_uint_eq(login_calls(), 1);
	p11_ctx_free(ctx);
	ctx = open_ok(shim);
	ck_assert_int_eq(p11_signer_new(ctx, "SAST-ADN61a0c001", &po, &s, &d), P11_E_PIN_INCORRECT);
	ck_assert_msg(strstr(d.msg, "the token is now locked") != NULL, "%s", d.msg);
	p11_ctx_free(ctx);
	ctx = open_ok(shim);
	ck_assert_int_eq(p11_signer_new(ctx, "SAST-ADN61a0c001", &good, &s, &d), P11_E_PIN_LOCKED);
	ck_assert_msg(strstr(d.msg, "token is locked") != NULL, "%s", d.msg);
	ck_assert_uint_eq(login_calls(), 2); /* refused before C_Login */
	p11_ctx_free(ctx);
}
END_TEST

/* ---- errors ------------------------------------------------------- */

START_TEST(module_errors)
{
	struct p11_ctx *ctx = (struct p11_ctx *)1;
	struct p11_diag d;

	ck_assert_int_eq(p11_ctx_open("/nonexistent/mod.so", NULL, 0, NULL, &ctx, &d),
	                 P11_E_MODULE_NOT_FOUND);
	ck_assert_ptr_null(ctx);
	ck_assert_msg(strstr(d.msg, "(--module)") != NULL, "%s", d.msg);
	ck_assert_int_eq(p11_ctx_open(tok_file("sast1", "pem"), NULL, 0, NULL, &ctx, &d),
	                 P11_E_MODULE_LOAD);
	setenv("CTL_PKCS11_MODULE", "/nonexistent/env.so", 1);
	ck_assert_int_eq(p11_ctx_open(NULL, NULL, 0, NULL, &ctx, &d), P11_E_MODULE_NOT_FOUND);
	ck_assert_msg(strstr(d.msg, "/nonexistent/env.so (CTL_PKCS11_MODULE)") != NULL, "%s", d.msg);
	unsetenv("CTL_PKCS11_MODULE");
	setenv("SOFTHSM2_CONF", "/nonexistent.conf", 1);
	ck_assert_int_eq(p11_ctx_open(MOD, NULL, 0, NULL, &ctx, &d), P11_E_MODULE_LOAD);
	ck_assert_int_eq(d.has_ckr, 1);
	ck_assert_uint_eq(d.ckr, 0x5); /* CKR_GENERAL_ERROR */
}
END_TEST

START_TEST(token_errors)
{
	struct p11_ctx *ctx = open_ok(MOD);
	struct pin_opts po = { tok_file("nokey", "pin"), 1 };
	const struct ctl_signer *s = NULL;
	struct p11_diag d;
	X509 *x = NULL;

	ck_assert_int_eq(p11_token_cert(ctx, "SAST-NOCERT", &x, &d), P11_E_NO_CERT);
	ck_assert_ptr_null(x);
	ck_assert_int_eq(p11_token_cert(ctx, "pkcs11:model=SoftHSM%20v2", &x, &d),
	                 P11_E_TOKEN_AMBIGUOUS);
	ck_assert_int_eq(p11_token_cert(ctx, "pkcs11:token=SAST-ADN61a0c001;id=%02", &x, &d),
	                 P11_E_NO_CERT);
	ck_assert_int_eq(p11_token_cert(ctx, "pkcs11:token=SAST-ADN61a0c001;id=%01", &x, &d), P11_OK);
	X509_free(x);
	ck_assert_int_eq(p11_signer_new(ctx, "SAST-NOKEY", &po, &s, &d), P11_E_NO_KEY);
	ck_assert_msg(strstr(d.msg, "no private key for certificate id 01") != NULL, "%s", d.msg);
	ck_assert_int_eq(p11_token_cert(ctx, "pkcs11:token=X?module-path=/x.so", &x, &d), P11_E_URI);
	p11_ctx_free(ctx);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("p11");
	TCase *ok = tcase_create("ok"), *pin = tcase_create("pin"), *bad = tcase_create("errors");

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_checked_fixture(pin, setup, teardown);
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_set_timeout(ok, 60);
	tcase_add_test(ok, list_tokens);
	tcase_add_test(ok, cert_without_login);
	tcase_add_test(ok, sign_sha1_2048);
	tcase_add_test(ok, sign_sha512_2048_through_shim);
	tcase_add_test(ok, sign_rsa1024_and_4096);
	tcase_add_test(pin, wrong_pin_then_locked);
	tcase_add_test(bad, module_errors);
	tcase_add_test(bad, token_errors);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, pin);
	suite_add_tcase(s, bad);
	return s;
}

CTL_TEST_MAIN(make_suite)
