/*
 * Token selectors (ctl-client/p11uri.c) and PIN sources (ctl-client/pin.c):
 * RFC 7512 URIs through p11-kit with every attribute name checked, bare
 * labels and serials, object filters; PIN files (mode, line ends, length),
 * CTL_TOKEN_PIN (wiped and unset), and "PIN given two ways".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p11uri.h"
#include "pin.h"
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

START_TEST(errors_have_text_and_exit)
{
	int e;

	for (e = P11_OK; e < P11_E__COUNT; e++) {
		ck_assert_str_ne(p11_strerror((enum p11_err)e), "unknown token error");
		ck_assert_int_ge(p11_exit_for((enum p11_err)e), 0);
	}
	ck_assert_int_eq(p11_exit_for(P11_E_URI), 2);
	ck_assert_int_eq(p11_exit_for(P11_E_PIN_CONFLICT), 2);
	ck_assert_int_eq(p11_exit_for(P11_E_MODULE_LOAD), 6);
	ck_assert_int_eq(p11_exit_for(P11_E_NO_KEY), 6);
	ck_assert_int_eq(p11_exit_for(P11_E_PIN_INCORRECT), 7);
	ck_assert_int_eq(p11_exit_for(P11_E_PIN_LOCKED), 7);
	ck_assert_str_eq(p11_strerror(P11_E__COUNT), "unknown token error");
}
END_TEST

START_TEST(ckr_names)
{
	char buf[32];

	ck_assert_str_eq(p11_ckr_name(0xa0, buf, sizeof(buf)), "CKR_PIN_INCORRECT");
	ck_assert_str_eq(p11_ckr_name(0xa4, buf, sizeof(buf)), "CKR_PIN_LOCKED");
	ck_assert_str_eq(p11_ckr_name(0x12345, buf, sizeof(buf)), "CKR_0x12345");
}
END_TEST

/* ---- PIN sources -------------------------------------------------- */

static const char *
pin_file(const char *content, size_t n, mode_t mode)
{
	static char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/pin", tu_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, n), (ssize_t)n);
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static void
pin_ok(const struct pin_opts *o, const char *src, const char *want, const char *origin)
{
	struct pin *p = NULL;
	struct p11_diag d;

	ck_assert_msg(pin_get(o, src, "PIN: ", &p, &d) == P11_OK, "%s", d.msg);
	ck_assert_str_eq(pin_value(p), want);
	ck_assert_str_eq(pin_origin(p), origin);
	pin_free(p);
}

static void
pin_bad(const struct pin_opts *o, const char *src, enum p11_err want, const char *part)
{
	struct pin *p = (struct pin *)1;
	struct p11_diag d;

	ck_assert_int_eq(pin_get(o, src, "PIN: ", &p, &d), want);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(d.msg, part) != NULL, "'%s' not in '%s'", part, d.msg);
}

START_TEST(pin_file_line_ends)
{
	struct pin_opts o = { NULL, 1 };

	unsetenv(PIN_ENV);
	o.file = pin_file("1234", 4, 0600);
	pin_ok(&o, NULL, "1234", "--pin-file");
	o.file = pin_file("1234\n", 5, 0600);
	pin_ok(&o, NULL, "1234", "--pin-file");
	o.file = pin_file("1234\r\n", 6, 0400);
	pin_ok(&o, NULL, "1234", "--pin-file");
	o.file = pin_file("12 34\n\n", 7, 0600); /* only one line end is removed */
	pin_ok(&o, NULL, "12 34\n", "--pin-file");
}
END_TEST

START_TEST(pin_source_forms)
{
	const char *path = pin_file("5678\n", 5, 0600);
	char uri[600];

	unsetenv(PIN_ENV);
	pin_ok(NULL, path, "5678", "pin-source in the token URI");
	snprintf(uri, sizeof(uri), "file:%s", path);
	pin_ok(NULL, uri, "5678", "pin-source in the token URI");
	snprintf(uri, sizeof(uri), "file://%s", path);
	pin_ok(NULL, uri, "5678", "pin-source in the token URI");
	pin_bad(NULL, "|/bin/echo 1234", P11_E_PIN_SOURCE, "commands");
	pin_bad(NULL, "file:", P11_E_PIN_SOURCE, "names no file");
}
END_TEST

START_TEST(pin_file_refused)
{
	struct pin_opts o = { NULL, 1 };
	char big[400];

	unsetenv(PIN_ENV);
	o.file = pin_file("1234", 4, 0640);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "accessible by group or others (mode 0640)");
	o.file = pin_file("1234", 4, 0604);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "chmod 600");
	o.file = pin_file("\n", 1, 0600);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "the PIN is empty");
	o.file = pin_file("12\0" "34", 5, 0600);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "NUL byte");
	memset(big, '7', sizeof(big));
	o.file = pin_file(big, sizeof(big), 0600);
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "longer than 255 bytes");
	o.file = "/nonexistent/pin";
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "No such file");
	o.file = tu_tmpdir();
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "not a regular file");
}
END_TEST

START_TEST(pin_env_wiped)
{
	char *v;

	setenv(PIN_ENV, "24682468", 1);
	v = getenv(PIN_ENV);
	pin_ok(NULL, NULL, "24682468", PIN_ENV);
	ck_assert_ptr_null(getenv(PIN_ENV));
	(void)v; /* the old string was wiped in place; setenv's copy is gone */
}
END_TEST

START_TEST(pin_two_ways)
{
	struct pin_opts o = { NULL, 1 };

	o.file = pin_file("1234", 4, 0600);
	setenv(PIN_ENV, "1", 1);
	pin_bad(&o, NULL, P11_E_PIN_CONFLICT, "PIN given two ways (--pin-file and CTL_TOKEN_PIN)");
	pin_bad(NULL, "/x", P11_E_PIN_CONFLICT, "pin-source in the token URI and CTL_TOKEN_PIN");
	unsetenv(PIN_ENV);
	pin_bad(&o, "/x", P11_E_PIN_CONFLICT, "--pin-file and pin-source");
	o.file = NULL;
	pin_bad(&o, NULL, P11_E_PIN_SOURCE, "prompting is off");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("p11uri");
	TCase *ok = tcase_create("ok"), *bad = tcase_create("malformed"), *pin = tcase_create("pin");

	tcase_add_test(ok, label_and_serial);
	tcase_add_test(ok, uri_token_attributes);
	tcase_add_test(ok, uri_slot_and_library);
	tcase_add_test(ok, uri_query);
	tcase_add_test(ok, uri_objects);
	tcase_add_test(ok, uri_for_token);
	tcase_add_test(ok, errors_have_text_and_exit);
	tcase_add_test(ok, ckr_names);
	tcase_add_test(bad, uri_refused);
	tcase_add_test(pin, pin_file_line_ends);
	tcase_add_test(pin, pin_source_forms);
	tcase_add_test(pin, pin_file_refused);
	tcase_add_test(pin, pin_env_wiped);
	tcase_add_test(pin, pin_two_ways);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	suite_add_tcase(s, pin);
	return s;
}

CTL_TEST_MAIN(make_suite)
