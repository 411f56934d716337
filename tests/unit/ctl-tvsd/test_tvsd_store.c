/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tvsd_store.c: certificates from files (PEM, DER, bundles) and
 * directories of *.pem, found by SHA-256 of the DER and by issuer + serial
 * with the issuer in CUCM's and in RFC 4514's form; a certificate named
 * twice has both lines' roles; a broken file fails the load naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "testutil.h"
#include "tvsd.h"

static struct tvsd_config cfg;

static void
add_line(const char *roles, const char *path)
{
	char val[2048], err[512];

	snprintf(val, sizeof(val), "%s:%s", roles, path);
	ck_assert_msg(tvsd_config_set(&cfg, "cert", val, NULL, err, sizeof(err)) == 0, "%s", err);
}

static void
copy(const char *from, const char *to)
{
	size_t n;
	uint8_t *p = tu_read(from, &n);
	FILE *fp = fopen(to, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	fclose(fp);
	free(p);
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
sha256_of(const char *der_name, uint8_t md[32])
{
	size_t n;
	unsigned int len = 0;
	uint8_t *p = tu_read(tu_pki(der_name), &n);

	ck_assert_int_eq(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL), 1);
	free(p);
}

/* ccm1 twice (PEM as ccm-tftp, DER as tftp), tvs1, and a directory with sast1 and capf. */
static struct tvsd_store *
standard_store(void)
{
	char dir[1024], path[1200], err[1024];
	struct tvsd_store *s = NULL;

	tvsd_config_defaults(&cfg);
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(path, sizeof(path), "%s/sast1.pem", dir);
	copy(tu_pki("sast1.pem"), path);
	snprintf(path, sizeof(path), "%s/capf.pem", dir);
	copy(tu_pki("capf.pem"), path);
	snprintf(path, sizeof(path), "%s/notes.txt", dir); /* not *.pem: not read */
	write_text(path, "garbage\n");
	add_line("ccm-tftp", tu_pki("ccm1.pem"));
	add_line("tvs", tu_pki("tvs1.pem"));
	add_line("sast,capf", dir);
	add_line("tftp", tu_pki("ccm1.der"));
	ck_assert_msg(tvsd_store_load(&cfg, &s, err, sizeof(err)) == 0, "%s", err);
	return s;
}

START_TEST(by_fingerprint)
{
	struct tvsd_store *s = standard_store();
	const struct tvsd_entry *e;
	uint8_t md[32];

	ck_assert_uint_eq(s->nents, 4);
	sha256_of("ccm1.der", md);
	e = tvsd_store_by_hash(s, md);
	ck_assert_ptr_nonnull(e);
	/* Named twice: both lines' roles, in FUNCTION order. */
	ck_assert_uint_eq(e->nroles, 2);
	ck_assert_uint_eq(e->roles[0], CTL_ROLE_CCM_TFTP);
	ck_assert_uint_eq(e->roles[1], CTL_ROLE_TFTP);
	ck_assert_str_eq(e->subject, "C=US,ST=NC,L=RTP,O=Example Voice,OU=UC,CN=cucm-pub.example.lab");
	sha256_of("tvs1.der", md);
	e = tvsd_store_by_hash(s, md);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->nroles, 1);
	ck_assert_uint_eq(e->roles[0], CTL_ROLE_TVS);
	sha256_of("sast1.der", md);
	e = tvsd_store_by_hash(s, md);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->nroles, 2);
	ck_assert_uint_eq(e->roles[0], CTL_ROLE_SAST);
	ck_assert_uint_eq(e->roles[1], CTL_ROLE_CAPF);
	/* Not in the store: ccm2; and one changed bit of a known fingerprint. */
	sha256_of("ccm2.der", md);
	ck_assert_ptr_null(tvsd_store_by_hash(s, md));
	sha256_of("tvs1.der", md);
	md[31] ^= 1;
	ck_assert_ptr_null(tvsd_store_by_hash(s, md));
	tvsd_store_free(s);
}
END_TEST

static const struct tvsd_entry *
by_issuer(const struct tvsd_store *s, const char *issuer, const uint8_t *serial, size_t n)
{
	return tvsd_store_by_issuer(s, issuer, strlen(issuer), serial, n);
}

START_TEST(by_issuer_and_serial)
{
	static const uint8_t sast1_serial[] = { 0x4e, 0x31, 0xf9, 0x14 };
	static const uint8_t padded[] = { 0x00, 0x4e, 0x31, 0xf9, 0x14 };
	static const uint8_t other[] = { 0x5a, 0x7b, 0xc2, 0xe0 }; /* sast2: not in the store */
	struct tvsd_store *s = standard_store();
	const struct tvsd_entry *e;
	uint8_t md[32];
	X509 *tvs = tu_cert("tvs1");
	uint8_t *tvs_serial = NULL;
	size_t tvs_len = 0;

	sha256_of("sast1.der", md);
	e = by_issuer(s, "CN=Cisco Manufacturing CA;O=Cisco Systems", sast1_serial, 4);
	ck_assert_ptr_nonnull(e);
	ck_assert_mem_eq(e->sha256, md, 32);
	ck_assert_ptr_eq(by_issuer(s, "CN=Cisco Manufacturing CA,O=Cisco Systems", sast1_serial, 4), e);
	ck_assert_ptr_eq(by_issuer(s, "O=Cisco Systems,CN=Cisco Manufacturing CA", sast1_serial, 4), e);
	ck_assert_ptr_eq(by_issuer(s, "cn=cisco manufacturing ca; o=Cisco  Systems", sast1_serial, 4), e);
	/* A serial sent as a DER INTEGER's content (leading zero) matches too. */
	ck_assert_ptr_eq(by_issuer(s, "CN=Cisco Manufacturing CA;O=Cisco Systems", padded, 5), e);
	ck_assert_ptr_null(by_issuer(s, "CN=Cisco Manufacturing CA;O=Cisco Systems", other, 4));
	ck_assert_ptr_null(by_issuer(s, "CN=Rogue CA;O=Rogue", sast1_serial, 4));
	ck_assert_ptr_null(by_issuer(s, "CN=Cisco Manufacturing CA", sast1_serial, 4));
	ck_assert_ptr_null(by_issuer(s, "not a name", sast1_serial, 4));
	ck_assert_ptr_null(by_issuer(s, "CN=Cisco Manufacturing CA;O=Cisco Systems", sast1_serial, 0));

	/* A self-signed certificate: its issuer is its subject, CUCM form. */
	ck_assert_int_eq(ctl_serial_bytes(tvs, &tvs_serial, &tvs_len), CTL_OK);
	e = by_issuer(s, "CN=cucm-pub-tvs.example.lab;OU=UC;O=Example Voice;L=RTP;ST=NC;C=US",
	              tvs_serial, tvs_len);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->roles[0], CTL_ROLE_TVS);
	free(tvs_serial);
	X509_free(tvs);
	tvsd_store_free(s);
}
END_TEST

START_TEST(pem_bundle)
{
	char path[1200], err[1024];
	struct tvsd_store *s = NULL;
	size_t n1, n2;
	uint8_t *a = tu_read(tu_pki("ccm2.pem"), &n1), *b = tu_read(tu_pki("capf.pem"), &n2);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/bundle.pem", tu_tmpdir());
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	fwrite(a, 1, n1, fp);
	fputs("a comment between blocks\n", fp);
	fwrite(b, 1, n2, fp);
	fclose(fp);
	free(a);
	free(b);
	tvsd_config_defaults(&cfg);
	add_line("ccm", path);
	ck_assert_msg(tvsd_store_load(&cfg, &s, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(s->nents, 2);
	tvsd_store_free(s);
}
END_TEST

/* Loading fails with err starting with want_prefix and ending with want_suffix. */
static void
load_fails(const char *want_prefix, const char *want_suffix)
{
	struct tvsd_store *s = (struct tvsd_store *)1;
	char err[2048];
	size_t n = strlen(want_suffix);

	ck_assert_int_eq(tvsd_store_load(&cfg, &s, err, sizeof(err)), -1);
	ck_assert_ptr_null(s);
	ck_assert_msg(strncmp(err, want_prefix, strlen(want_prefix)) == 0, "got '%s', wanted '%s...'",
	              err, want_prefix);
	ck_assert_msg(strlen(err) >= n && strcmp(err + strlen(err) - n, want_suffix) == 0,
	              "got '%s', wanted '...%s'", err, want_suffix);
}

START_TEST(broken_files_named)
{
	char dir[1024], bad[1200], want[1400];

	/* A broken *.pem in a directory: the file and the line that named the directory. */
	tvsd_config_defaults(&cfg);
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(bad, sizeof(bad), "%s/broken.pem", dir);
	write_text(bad, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
	add_line("tvs", tu_pki("tvs1.pem"));
	add_line("ccm", dir);
	snprintf(want, sizeof(want), "%s: not a PEM certificate (", bad);
	load_fails(want, ") (cert line command line)");

	/* PEM without a certificate (a key only). */
	tvsd_config_defaults(&cfg);
	add_line("ccm", tu_pki("ccm1.key"));
	snprintf(want, sizeof(want), "%s: no CERTIFICATE block in it", tu_pki("ccm1.key"));
	load_fails(want, "(cert line command line)");

	/* Neither PEM nor DER. */
	tvsd_config_defaults(&cfg);
	snprintf(bad, sizeof(bad), "%s/junk.der", tu_tmpdir());
	write_text(bad, "junk");
	add_line("ccm", bad);
	snprintf(want, sizeof(want), "%s: neither PEM nor one DER certificate", bad);
	load_fails(want, "(cert line command line)");

	/* Missing. */
	tvsd_config_defaults(&cfg);
	add_line("ccm", "/nonexistent/ccm.pem");
	load_fails("/nonexistent/ccm.pem: No such file or directory (cert line command line)", "");

	/* A directory without any *.pem: an empty store is refused. */
	tvsd_config_defaults(&cfg);
	add_line("ccm", tu_tmpdir());
	load_fails("the cert lines name no certificate", "");
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tvsd_store");
	TCase *tc = tcase_create("store");

	tcase_add_test(tc, by_fingerprint);
	tcase_add_test(tc, by_issuer_and_serial);
	tcase_add_test(tc, pem_bundle);
	tcase_add_test(tc, broken_files_named);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
