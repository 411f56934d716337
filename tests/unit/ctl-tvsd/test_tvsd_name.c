/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tvsd_name.c: an issuer in CUCM's ';' form, in RFC 4514's ',' form, in
 * either order, and as a certificate holds it, all give one string.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "testutil.h"
#include "tvsd.h"

static char *
norm(const char *s)
{
	char *out = NULL;

	ck_assert_int_eq(tvsd_name_normalise(s, strlen(s), &out), CTL_OK);
	ck_assert_ptr_nonnull(out);
	return out;
}

static void
same(const char *a, const char *b)
{
	char *x = norm(a), *y = norm(b);

	ck_assert_str_eq(x, y);
	free(x);
	free(y);
}

START_TEST(canonical_string)
{
	char *s = norm(" CN = Foo   Bar ;C=US;");

	ck_assert_str_eq(s, "C=us\nCN=foo bar");
	free(s);
	s = norm("E=a@b.example,S=NC,2.5.4.3=x");
	ck_assert_str_eq(s, "CN=x\nEMAILADDRESS=a@b.example\nST=nc");
	free(s);
	/* A control byte or a backslash cannot fake a separator. */
	s = norm("CN=a\\0aO=b,O=c\\\\");
	ck_assert_str_eq(s, "CN=a\\0ao=b\nO=c\\5c");
	free(s);
}
END_TEST

START_TEST(both_forms_and_orders)
{
	same("CN=cucm-pub-tvs.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US",
	     "CN=cucm-pub-tvs.example.lab,OU=UC,O=Example Voice,L=RTP,ST=NC,C=US");
	same("CN=cucm-pub-tvs.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US",
	     "C=US,ST=NC,L=RTP,O=Example Voice,OU=UC,CN=cucm-pub-tvs.example.lab");
	same("cn=CUCM-PUB-TVS.example.lab; ou=uc; o=example voice; l=rtp; st=nc; c=us",
	     "C=US,ST=NC,L=RTP,O=Example Voice,OU=UC,CN=cucm-pub-tvs.example.lab");
	/* A comma inside a CUCM-form value, escaped in RFC 4514. */
	same("CN=Cisco Systems, Inc.;C=US", "CN=Cisco Systems\\, Inc.,C=US");
	same("CN=Cisco Systems, Inc.;C=US", "CN=Cisco Systems\\2C Inc.,C=US");
}
END_TEST

START_TEST(differences_stay)
{
	char *a = norm("CN=a;O=b"), *b = norm("CN=a;O=c"), *c = norm("CN=a;O=b;C=US");

	ck_assert_str_ne(a, b);
	ck_assert_str_ne(a, c);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(refused)
{
	char *out = (char *)1;

	ck_assert_int_eq(tvsd_name_normalise("", 0, &out), CTL_E_INVAL);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(tvsd_name_normalise("no equals", 9, &out), CTL_E_INVAL);
	ck_assert_int_eq(tvsd_name_normalise("CN=a;=b", 7, &out), CTL_E_INVAL);
	ck_assert_int_eq(tvsd_name_normalise("CN=a\0;O=b", 9, &out), CTL_E_INVAL);
	ck_assert_int_eq(tvsd_name_normalise(";;;", 3, &out), CTL_E_INVAL);
	/* A type is a keyword or an OID: no DEL, backslash or space inside (found by fuzz_tvsd_name). */
	ck_assert_int_eq(tvsd_name_normalise("C\x7fN=a", strlen("C\x7fN=a"), &out), CTL_E_INVAL);
	ck_assert_int_eq(tvsd_name_normalise("C\\N=a", 5, &out), CTL_E_INVAL);
	ck_assert_int_eq(tvsd_name_normalise("C N=a", 5, &out), CTL_E_INVAL);
}
END_TEST

START_TEST(certificate_names)
{
	X509 *tvs = tu_cert("tvs1");
	X509 *sast = tu_cert("sast1");
	char *a = NULL, *b = NULL;

	ck_assert_int_eq(tvsd_name_normalise_x509(X509_get_issuer_name(tvs), &a), CTL_OK);
	b = norm("CN=cucm-pub-tvs.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ck_assert_int_eq(tvsd_name_normalise_x509(X509_get_issuer_name(sast), &a), CTL_OK);
	ck_assert_str_eq(a, "CN=cisco manufacturing ca\nO=cisco systems");
	free(a);
	X509_free(tvs);
	X509_free(sast);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tvsd_name");
	TCase *tc = tcase_create("name");

	tcase_add_test(tc, canonical_string);
	tcase_add_test(tc, both_forms_and_orders);
	tcase_add_test(tc, differences_stay);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, certificate_names);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
