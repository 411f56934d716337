/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token selectors (ctl-client/p11uri.c): RFC 7512 URIs through p11-kit
 * with every attribute name checked, bare labels and serials, object
 * filters. Linked with p11uri.o and p11err.o only, as the fuzz target is.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p11uri.h"
#include "testutil.h"

static const struct p11_tokid tok1 = {
	"SAST-ADN61a0c001", "c137c83c220a3ddd", "SoftHSM project", "SoftHSM v2",
	0x220a3ddd, "SoftHSM slot ID 0x220a3ddd", "SoftHSM project",
	"SoftHSM", "Implementation of PKCS11", 2, 6,
};

static struct p11_sel *
parse_ok(const char *s)
{
	struct p11_sel *sel = NULL;
	struct p11_diag d;

	ck_assert_msg(p11_sel_parse(s, &sel, &d) == P11_OK, "%s: %s", s, d.msg);
	ck_assert_ptr_nonnull(sel);
	return sel;
}

static void
parse_bad(const char *s, enum p11_err want, const char *msg_part)
{
	struct p11_sel *sel = (struct p11_sel *)1;
	struct p11_diag d;

	ck_assert_int_eq(p11_sel_parse(s, &sel, &d), want);
	ck_assert_ptr_null(sel);
	ck_assert_int_eq(d.err, want);
	ck_assert_msg(strstr(d.msg, msg_part) != NULL, "'%s' not in '%s'", msg_part, d.msg);
}

/* ---- ok ----------------------------------------------------------- */

START_TEST(label_and_serial)
{
	struct p11_sel *a = parse_ok("SAST-ADN61a0c001"), *b = parse_ok("c137c83c220a3ddd");
	struct p11_sel *c = parse_ok("SAST-ADN61a0c00");

	ck_assert_int_eq(p11_sel_is_uri(a), 0);
	ck_assert_int_eq(p11_sel_match_token(a, &tok1), 1);
	ck_assert_int_eq(p11_sel_match_token(b, &tok1), 1);
	ck_assert_int_eq(p11_sel_match_token(c, &tok1), 0); /* exact, not a prefix */
	ck_assert_ptr_null(p11_sel_module_path(a));
	ck_assert_ptr_null(p11_sel_pin_source(a));
	p11_sel_free(a);
	p11_sel_free(b);
	p11_sel_free(c);
}
END_TEST

START_TEST(uri_token_attributes)
{
	struct p11_sel *s;

	s = parse_ok("pkcs11:token=SAST-ADN61a0c001;serial=c137c83c220a3ddd");
	ck_assert_int_eq(p11_sel_is_uri(s), 1);
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 1);
	p11_sel_free(s);
	s = parse_ok("pkcs11:token=SAST-ADN61a0c001;serial=0000000000000000");
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 0);
	p11_sel_free(s);
	s = parse_ok("pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2");
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 1);
	p11_sel_free(s);
	s = parse_ok("pkcs11:token=SAST%2DADN61a0c001");
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 1);
	p11_sel_free(s);
	s = parse_ok("pkcs11:");
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 1); /* matches every token */
	p11_sel_free(s);
}
END_TEST

START_TEST(uri_slot_and_library)
{
	struct p11_sel *s;

	s = parse_ok("pkcs11:slot-id=571096541");
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 1);
	p11_sel_free(s);
	s = parse_ok("pkcs11:slot-id=1");
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 0);
	p11_sel_free(s);
	s = parse_ok("pkcs11:library-manufacturer=SoftHSM;slot-description=SoftHSM%20slot%20ID%200x220a3ddd");
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 1);
	p11_sel_free(s);
	s = parse_ok("pkcs11:library-manufacturer=OpenSC");
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 0);
	p11_sel_free(s);
}
END_TEST

START_TEST(uri_query)
{
	struct p11_sel *s = parse_ok("pkcs11:token=T?module-path=/usr/lib/softhsm/libsofthsm2.so"
	                             "&pin-source=file:/run/pin");

	ck_assert_str_eq(p11_sel_module_path(s), "/usr/lib/softhsm/libsofthsm2.so");
	ck_assert_str_eq(p11_sel_pin_source(s), "file:/run/pin");
	ck_assert_str_eq(p11_sel_text(s), "pkcs11:token=T?module-path=/usr/lib/softhsm/libsofthsm2.so"
	                 "&pin-source=file:/run/pin");
	p11_sel_free(s);
}
END_TEST

START_TEST(uri_objects)
{
	static const unsigned char id1[] = { 1 }, id2[] = { 2 }, id12[] = { 1, 2 };
	struct p11_sel *s = parse_ok("pkcs11:token=T;id=%01;object=sast;type=cert");

	ck_assert_int_eq(p11_sel_match_object(s, "sast", id1, 1), 1);
	ck_assert_int_eq(p11_sel_match_object(s, "sast", id2, 1), 0);
	ck_assert_int_eq(p11_sel_match_object(s, "sast", id12, 2), 0);
	ck_assert_int_eq(p11_sel_match_object(s, "other", id1, 1), 0);
	ck_assert_int_eq(p11_sel_match_object(s, "", id1, 1), 0);
	p11_sel_free(s);
	s = parse_ok("SAST-ADN61a0c001"); /* a bare label never filters objects */
	ck_assert_int_eq(p11_sel_match_object(s, "x", id2, 1), 1);
	p11_sel_free(s);
	s = parse_ok("pkcs11:type=private");
	ck_assert_int_eq(p11_sel_match_object(s, "x", NULL, 0), 1);
	p11_sel_free(s);
}
END_TEST

START_TEST(uri_for_token)
{
	char *u = p11_uri_for_token(&tok1);
	struct p11_sel *s;

	ck_assert_ptr_nonnull(u);
	ck_assert_msg(strstr(u, "token=SAST-ADN61a0c001") != NULL, "%s", u);
	ck_assert_msg(strstr(u, "serial=c137c83c220a3ddd") != NULL, "%s", u);
	s = parse_ok(u);
	ck_assert_int_eq(p11_sel_match_token(s, &tok1), 1);
	p11_sel_free(s);
	free(u);
}
END_TEST

/* ---- malformed ---------------------------------------------------- */

START_TEST(uri_refused)
{
	parse_bad("", P11_E_URI, "empty token selector");
	parse_bad("pkcs11:token=X;colour=red", P11_E_URI, "unknown path attribute 'colour'");
	parse_bad("pkcs11:token=X?colour=red", P11_E_URI, "unknown query attribute 'colour'");
	parse_bad("pkcs11:token=X?pin-value=1234", P11_E_URI, "pin-value in a PKCS#11 URI is refused");
	parse_bad("pkcs11:token=X?pin-source=/p&pin-value=1", P11_E_URI, "pin-value");
	parse_bad("pkcs11:token=X?module-name=softhsm2", P11_E_URI, "module-name");
	parse_bad("pkcs11:type=secret-key", P11_E_URI, "type 'secret-key'");
	parse_bad("pkcs11:token", P11_E_URI, "component 'token' has no '='");
	parse_bad("pkcs11:token=%zz", P11_E_URI, "bad PKCS#11 URI");
	parse_bad("pkcs11:id=%0", P11_E_URI, "bad PKCS#11 URI");
	parse_bad("pkcs11:tokenx=1", P11_E_URI, "'tokenx'");
	parse_bad("pkcs11:toke=1", P11_E_URI, "'toke'");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("p11uri");
	TCase *ok = tcase_create("ok"), *bad = tcase_create("malformed");

	tcase_add_test(ok, label_and_serial);
	tcase_add_test(ok, uri_token_attributes);
	tcase_add_test(ok, uri_slot_and_library);
	tcase_add_test(ok, uri_query);
	tcase_add_test(ok, uri_objects);
	tcase_add_test(ok, uri_for_token);
	tcase_add_test(bad, uri_refused);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}

CTL_TEST_MAIN(make_suite)
