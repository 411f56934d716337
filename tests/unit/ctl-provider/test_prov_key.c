/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_key.c: pkcs11: URIs (attributes, %-escapes, refusals), a node key
 * on a SoftHSM2 token signing a file that verifies with its certificate,
 * and the refusals with their messages: wrong PIN, unknown token, a PIN
 * file or PEM key others may read, no module.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctl/ctl.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

static char tokdir[PATH_MAX], hsm[PATH_MAX];

/* build/tokens beside the test binary (CTL_TOKENS overrides), made once; a private copy of sast1. */
static void
setup(void)
{
	char exe[PATH_MAX], cmd[4 * PATH_MAX];
	const char *env = getenv("CTL_TOKENS");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	if (env != NULL && *env != '\0')
		snprintf(tokdir, sizeof(tokdir), "%s", env);
	else
		snprintf(tokdir, sizeof(tokdir), "%s/../tokens", dirname(exe));
	snprintf(cmd, sizeof(cmd), "CTL_FIXTURES=%s fixtures/make-tokens %s >/dev/null", tu_pki_dir(),
	         tokdir);
	ck_assert_msg(system(cmd) == 0, "fixtures/make-tokens failed (run from the top folder)");
	snprintf(hsm, sizeof(hsm), "%s/hsm", tu_tmpdir());
	snprintf(cmd, sizeof(cmd), "fixtures/make-tokens --assemble %s %s sast1 >/dev/null", tokdir, hsm);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/softhsm2.conf", hsm);
	setenv("SOFTHSM2_CONF", cmd, 1);
	unsetenv("CTL_PKCS11_MODULE");
}

static const char *
tok(const char *ext)
{
	static char buf[4][PATH_MAX];
	static unsigned next;
	char *out = buf[next++ % 4];

	snprintf(out, PATH_MAX, "%.3000s/sast1.%.16s", tokdir, ext);
	return out;
}

/* The token's label, and a PIN file (mode 0600 unless mode) in the temporary folder. */
static void
label_and_pin(char *label, size_t lcap, char *pinfile, size_t pcap, mode_t mode)
{
	size_t len = 0;
	uint8_t *b = tu_read(tok("label"), &len);

	ck_assert_uint_lt(len, lcap);
	memcpy(label, b, len);
	label[len] = '\0';
	free(b);
	b = tu_read(tok("pin"), &len);
	snprintf(pinfile, pcap, "%.3000s/pin", hsm);
	put_file(pinfile, b, len);
	free(b);
	ck_assert_int_eq(chmod(pinfile, mode), 0);
}

START_TEST(uri_parse)
{
	struct prov_p11_uri u;
	char err[256];

	ck_assert_int_eq(prov_p11_uri_parse("pkcs11:token=SAST%20one;object=key;id=%01%ff;type=private"
	                                    "?module-path=/x/mod.so&pin-source=file:/x/pin",
	                                    &u, err, sizeof(err)), 0);
	ck_assert_str_eq(u.token, "SAST one");
	ck_assert_str_eq(u.object, "key");
	ck_assert_uint_eq(u.id_len, 2);
	ck_assert_uint_eq((unsigned char)u.id[0], 1);
	ck_assert_uint_eq((unsigned char)u.id[1], 0xff);
	ck_assert_str_eq(u.module, "/x/mod.so");
	ck_assert_str_eq(u.pin_source, "file:/x/pin");
	ck_assert_int_eq(prov_p11_uri_parse("pkcs11:token=t?pin-value=1234", &u, err, sizeof(err)), 0);
	ck_assert_str_eq(u.pin_value, "1234");
	ck_assert_int_eq(prov_p11_uri_parse("pkcs11:object=k", &u, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "pkcs11: URI names no token (token=LABEL)");
	ck_assert_int_eq(prov_p11_uri_parse("pkcs11:token=a%2", &u, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "pkcs11: URI attribute token: bad %-escape or too long");
	ck_assert_int_eq(prov_p11_uri_parse("pkcs11:token", &u, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "pkcs11: URI attribute 'token' has no value");
	ck_assert_int_eq(prov_p11_uri_parse("/etc/key.pem", &u, err, sizeof(err)), -1);
}
END_TEST

/* A token key signs an ITL that verifies with the token's certificate. */
START_TEST(token_key_signs)
{
	char label[128], pin[PATH_MAX], uri[3 * PATH_MAX], err[1024];
	struct ctl_verify_result vr;
	struct ctl_builder *b = NULL;
	struct prov_key *k = NULL;
	struct ctl_file *f;
	struct ctl_diag d;
	uint8_t *out = NULL;
	size_t len = 0;
	X509 *x = NULL;

	label_and_pin(label, sizeof(label), pin, sizeof(pin), 0600);
	snprintf(uri, sizeof(uri), "pkcs11:token=%s;type=private?module-path=%s&pin-source=file:%s",
	         label, tu_softhsm_module(), pin);
	ck_assert_msg(prov_key_load("callmanager_key", uri, tok("pem"), &k, err, sizeof(err)) == 0,
	              "%s", err);
	ck_assert_int_eq(ctl_cert_load(tok("pem"), &x, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_new(CTL_KIND_ITL, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_add_cert(b, x, CTL_ROLE_SAST, NULL, NULL, &d), CTL_OK);
	ck_assert_msg(ctl_builder_sign(b, prov_key_signer(k), &out, &len, &d) == CTL_OK, "%s", d.msg);
	ck_assert_int_eq(ctl_file_parse(out, len, 0, &f, &d), CTL_OK);
	ck_assert_msg(ctl_file_verify(f, &vr) == CTL_OK, "%s", vr.reason);
	ctl_file_free(f);
	free(out);
	ctl_builder_free(b);
	X509_free(x);
	prov_key_free(k);
	/* The module from the environment instead of the URI. */
	setenv("CTL_PKCS11_MODULE", tu_softhsm_module(), 1);
	snprintf(uri, sizeof(uri), "pkcs11:token=%s?pin-source=%s", label, pin);
	ck_assert_msg(prov_key_load("callmanager_key", uri, tok("pem"), &k, err, sizeof(err)) == 0,
	              "%s", err);
	prov_key_free(k);
}
END_TEST

START_TEST(token_refusals)
{
	char label[128], pin[PATH_MAX], uri[3 * PATH_MAX], err[1024], want[PATH_MAX + 128];
	struct prov_key *k = NULL;

	label_and_pin(label, sizeof(label), pin, sizeof(pin), 0600);
	snprintf(uri, sizeof(uri), "pkcs11:token=%s?module-path=%s&pin-value=000000", label,
	         tu_softhsm_module());
	ck_assert_int_eq(prov_key_load("callmanager_key", uri, tok("pem"), &k, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "callmanager_key: login to token '%s' failed (wrong PIN?)", label);
	ck_assert_str_eq(err, want);
	snprintf(uri, sizeof(uri), "pkcs11:token=NO-SUCH-TOKEN?module-path=%s&pin-source=%s",
	         tu_softhsm_module(), pin);
	ck_assert_int_eq(prov_key_load("callmanager_key", uri, tok("pem"), &k, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no token labelled 'NO-SUCH-TOKEN'") != NULL, "%s", err);
	/* The key on the token is not the certificate's. */
	snprintf(uri, sizeof(uri), "pkcs11:token=%s?module-path=%s&pin-source=%s", label,
	         tu_softhsm_module(), pin);
	ck_assert_int_eq(prov_key_load("callmanager_key", uri, tu_pki("ccm1.pem"), &k, err,
	                               sizeof(err)), -1);
	ck_assert_msg(strstr(err, "matches the certificate") != NULL, "%s", err);
	snprintf(uri, sizeof(uri), "pkcs11:token=%s?pin-source=%s", label, pin);
	ck_assert_int_eq(prov_key_load("itlrecovery_key", uri, tok("pem"), &k, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "itlrecovery_key: the pkcs11: URI has no module-path and "
	                 "CTL_PKCS11_MODULE is not set");
	ck_assert_int_eq(chmod(pin, 0644), 0);
	snprintf(uri, sizeof(uri), "pkcs11:token=%s?module-path=%s&pin-source=%s", label,
	         tu_softhsm_module(), pin);
	ck_assert_int_eq(prov_key_load("callmanager_key", uri, tok("pem"), &k, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "mode 0644") != NULL, "%s", err);
	ck_assert_ptr_null(k);
}
END_TEST

/* A PEM key others may read is refused, as tls_key is. */
START_TEST(pem_key_mode)
{
	char key[PATH_MAX], err[1024];
	struct prov_key *k = NULL;
	uint8_t *b;
	size_t len = 0;

	snprintf(key, sizeof(key), "%s/ccm.key", tu_tmpdir());
	b = tu_read(tu_pki("ccm1.key"), &len);
	put_file(key, b, len);
	free(b);
	ck_assert_int_eq(chmod(key, 0640), 0);
	ck_assert_int_eq(prov_key_load("callmanager_key", key, tu_pki("ccm1.pem"), &k, err,
	                               sizeof(err)), -1);
	ck_assert_msg(strstr(err, "callmanager_key") != NULL && strstr(err, "mode 0640") != NULL,
	              "%s", err);
	ck_assert_int_eq(chmod(key, 0600), 0);
	ck_assert_msg(prov_key_load("callmanager_key", key, tu_pki("ccm1.pem"), &k, err,
	                            sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(prov_key_signer(k));
	prov_key_free(k);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_key");
	TCase *tc = tcase_create("key");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, uri_parse);
	tcase_add_test(tc, token_key_signs);
	tcase_add_test(tc, token_refusals);
	tcase_add_test(tc, pem_key_mode);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
