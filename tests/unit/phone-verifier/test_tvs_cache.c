/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's TVS cache (phone-verifier/tvs_cache.c): an answer is found
 * by issuer and serial until its TTL runs out and not a second after; the
 * flash copy survives a reload with its expiry, drops what expired, and a
 * damaged file is named with its line; a full cache gives up the entry
 * that expires first.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "tvs_cache.h"
#include "testutil.h"

static const uint8_t serial1[] = { 0x24, 0x00, 0x17 };
static const uint8_t serial2[] = { 0x24, 0x00, 0x18 };

static X509 *
cert(const char *name)
{
	struct ctl_diag d;
	X509 *c = NULL;

	ck_assert_int_eq(ctl_cert_load(tu_pki(name), &c, &d), CTL_OK);
	return c;
}

static struct pv_tvs_answer
answer(X509 *c, uint32_t ttl)
{
	struct pv_tvs_answer a;

	memset(&a, 0, sizeof(a));
	a.cert = c;
	a.roles[0] = CTL_ROLE_SAST;
	a.roles[1] = CTL_ROLE_TFTP;
	a.nroles = 2;
	a.ttl = ttl;
	return a;
}

START_TEST(issuer_any_form)
{
	struct pv_tvs_cache *c = NULL;
	X509 *ccm = cert("ccm1.pem");
	struct pv_tvs_answer a = answer(ccm, 86400), got;

	ck_assert_int_eq(pv_tvs_cache_new(&c), CTL_OK);
	/* The same issuer in CUCM's form and in RFC 4514's is one certificate. */
	ck_assert_int_eq(pv_tvs_cache_put(c, "O=Cisco Systems,CN=Cisco Manufacturing CA", serial2, 3,
	                                  &a, 1000), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=Cisco Manufacturing CA;O=Cisco Systems", serial2, 3,
	                                   1000, &got), 1);
	X509_free(got.cert);
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=Cisco Manufacturing CA;O=Rogue", serial2, 3, 1000,
	                                   &got), 0);
	pv_tvs_cache_free(c);
	X509_free(ccm);
}
END_TEST

START_TEST(found_until_ttl)
{
	struct pv_tvs_cache *c = NULL;
	X509 *ccm = cert("ccm1.pem");
	struct pv_tvs_answer a = answer(ccm, 86400), got;

	ck_assert_int_eq(pv_tvs_cache_new(&c), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", serial1, 3, 1000, &got), 0);
	ck_assert_int_eq(pv_tvs_cache_put(c, "CN=ca", serial1, 3, &a, 1000), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", serial1, 3, 1000, &got), 1);
	ck_assert_int_eq(X509_cmp(got.cert, ccm), 0);
	ck_assert_int_eq(got.cached, 1);
	ck_assert_int_eq(got.ttl, 86400);
	ck_assert_int_eq(got.nroles, 2);
	ck_assert_int_eq(got.roles[1], CTL_ROLE_TFTP);
	X509_free(got.cert);
	/* Another issuer or serial is another certificate. */
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=other", serial1, 3, 1000, &got), 0);
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", serial2, 3, 1000, &got), 0);
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", serial1, 2, 1000, &got), 0);
	/* One second before expiry: found, one second left. */
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", serial1, 3, 1000 + 86399, &got), 1);
	ck_assert_int_eq(got.ttl, 1);
	X509_free(got.cert);
	/* At expiry: gone, and dropped. */
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", serial1, 3, 1000 + 86400, &got), 0);
	ck_assert_int_eq(pv_tvs_cache_count(c), 0);
	/* A TTL of 0 is not kept. */
	a.ttl = 0;
	ck_assert_int_eq(pv_tvs_cache_put(c, "CN=ca", serial1, 3, &a, 1000), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_count(c), 0);
	pv_tvs_cache_free(c);
	X509_free(ccm);
}
END_TEST

START_TEST(flash_roundtrip)
{
	struct pv_tvs_cache *c = NULL, *c2 = NULL;
	X509 *ccm = cert("ccm1.pem"), *tvs = cert("tvs1.pem");
	struct pv_tvs_answer a = answer(ccm, 100), b = answer(tvs, 5000), got;
	const char *dir = tu_tmpdir();
	struct ctl_diag d;
	char path[4096];
	uint8_t *txt;
	size_t n;

	b.nroles = 0;
	ck_assert_int_eq(pv_tvs_cache_new(&c), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_put(c, "CN=ca;O=lab", serial1, 3, &a, 1000), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_put(c, "", serial2, 3, &b, 1000), CTL_OK);
	/* Missing file: an empty cache. */
	ck_assert_int_eq(pv_tvs_cache_new(&c2), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_load(c2, dir, 1000, &d), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_count(c2), 0);
	ck_assert_int_eq(pv_tvs_cache_save(c, dir, 1000, &d), CTL_OK);
	snprintf(path, sizeof(path), "%s/tvs-cache", dir);
	txt = tu_read(path, &n);
	ck_assert_int_ge(n, 22);
	ck_assert_int_eq(memcmp(txt, "ctl-suite tvs-cache 1\n", 22), 0);
	free(txt);
	/* Reloaded 50 s later: both entries, their expiry kept. */
	ck_assert_int_eq(pv_tvs_cache_load(c2, dir, 1050, &d), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_count(c2), 2);
	ck_assert_int_eq(pv_tvs_cache_find(c2, "CN=ca;O=lab", serial1, 3, 1050, &got), 1);
	ck_assert_int_eq(got.ttl, 50);
	ck_assert_int_eq(X509_cmp(got.cert, ccm), 0);
	X509_free(got.cert);
	ck_assert_int_eq(pv_tvs_cache_find(c2, "", serial2, 3, 1050, &got), 1);
	ck_assert_int_eq(got.nroles, 0);
	ck_assert_int_eq(X509_cmp(got.cert, tvs), 0);
	X509_free(got.cert);
	pv_tvs_cache_free(c2);
	/* Saved after the first expired: only the second is written. */
	ck_assert_int_eq(pv_tvs_cache_save(c, dir, 1100, &d), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_new(&c2), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_load(c2, dir, 1100, &d), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_count(c2), 1);
	pv_tvs_cache_free(c2);
	/* Loaded when everything expired: empty. */
	ck_assert_int_eq(pv_tvs_cache_new(&c2), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_load(c2, dir, 7000, &d), CTL_OK);
	ck_assert_int_eq(pv_tvs_cache_count(c2), 0);
	pv_tvs_cache_free(c2);
	pv_tvs_cache_free(c);
	X509_free(ccm);
	X509_free(tvs);
}
END_TEST

static void
write_text(const char *dir, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tvs-cache", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(damaged_file_named)
{
	struct pv_tvs_cache *c = NULL;
	const char *dir = tu_tmpdir();
	struct ctl_diag d;

	ck_assert_int_eq(pv_tvs_cache_new(&c), CTL_OK);
	write_text(dir, "something else\n");
	ck_assert_int_eq(pv_tvs_cache_load(c, dir, 1, &d), CTL_E_INVAL);
	ck_assert_msg(strstr(d.msg, "tvs-cache line 1") != NULL, "%s", d.msg);
	write_text(dir, "ctl-suite tvs-cache 1\n99999 0003 240017 434e3d6361 zz\n");
	ck_assert_int_eq(pv_tvs_cache_load(c, dir, 1, &d), CTL_E_INVAL);
	ck_assert_msg(strstr(d.msg, "tvs-cache line 2: damaged entry") != NULL, "%s", d.msg);
	/* Hex that is no certificate. */
	write_text(dir, "ctl-suite tvs-cache 1\n99999 0003 240017 434e3d6361 3082\n");
	ck_assert_int_eq(pv_tvs_cache_load(c, dir, 1, &d), CTL_E_INVAL);
	/* A sixth field, a missing field. */
	write_text(dir, "ctl-suite tvs-cache 1\n99999 0003 240017 434e3d6361 3082 00\n");
	ck_assert_int_eq(pv_tvs_cache_load(c, dir, 1, &d), CTL_E_INVAL);
	write_text(dir, "ctl-suite tvs-cache 1\n99999 0003 240017\n");
	ck_assert_int_eq(pv_tvs_cache_load(c, dir, 1, &d), CTL_E_INVAL);
	ck_assert_int_eq(pv_tvs_cache_count(c), 0);
	pv_tvs_cache_free(c);
}
END_TEST

START_TEST(full_cache_evicts_first_expiry)
{
	struct pv_tvs_cache *c = NULL;
	X509 *ccm = cert("ccm1.pem");
	struct pv_tvs_answer a = answer(ccm, 0), got;
	uint8_t s[2];
	unsigned i;

	ck_assert_int_eq(pv_tvs_cache_new(&c), CTL_OK);
	for (i = 0; i < PV_TVS_CACHE_MAX + 1; i++) {
		s[0] = (uint8_t)(i >> 8);
		s[1] = (uint8_t)i;
		/* Entry 5 expires first. */
		a.ttl = i == 5 ? 10 : 1000 + i;
		ck_assert_int_eq(pv_tvs_cache_put(c, "CN=ca", s, 2, &a, 0), CTL_OK);
	}
	ck_assert_int_eq(pv_tvs_cache_count(c), PV_TVS_CACHE_MAX);
	s[0] = 0;
	s[1] = 5;
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", s, 2, 1, &got), 0);
	s[1] = 6;
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", s, 2, 1, &got), 1);
	X509_free(got.cert);
	s[0] = PV_TVS_CACHE_MAX >> 8;
	s[1] = PV_TVS_CACHE_MAX & 0xff;
	ck_assert_int_eq(pv_tvs_cache_find(c, "CN=ca", s, 2, 1, &got), 1);
	X509_free(got.cert);
	pv_tvs_cache_free(c);
	X509_free(ccm);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tvs_cache");
	TCase *tc = tcase_create("cache");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, found_until_ttl);
	tcase_add_test(tc, issuer_any_form);
	tcase_add_test(tc, flash_roundtrip);
	tcase_add_test(tc, damaged_file_named);
	tcase_add_test(tc, full_cache_evicts_first_expiry);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
