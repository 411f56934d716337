/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the unit tests (see testutil.h). */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "testutil.h"

const char *
tu_pki_dir(void)
{
	const char *d = getenv("CTL_FIXTURES");

	return d != NULL && d[0] != '\0' ? d : "build/pki";
}

const char *
tu_pki(const char *name)
{
	static char ring[8][512];
	static unsigned next;
	char *out = ring[next++ % 8];
	int n = snprintf(out, sizeof(ring[0]), "%s/%s", tu_pki_dir(), name);

	ck_assert(n > 0 && (size_t)n < sizeof(ring[0]));
	return out;
}

const char *
tu_sample_path(void)
{
	const char *p = getenv("CTL_SAMPLE");

	return p != NULL && p[0] != '\0' ? p :
	    "tests/data/csptechnologies_ciscoprovsionerweb_ITLFile.tlv";
}

const char *
tu_softhsm_module(void)
{
	static char path[512];
	const char *e = getenv("SOFTHSM_MODULE");
	FILE *p;
	size_t n;

	if (e != NULL && e[0] != '\0')
		return e;
	if (path[0] != '\0')
		return path;
	p = popen("fixtures/softhsm-module", "r");
	ck_assert_msg(p != NULL, "cannot run fixtures/softhsm-module");
	n = fread(path, 1, sizeof(path) - 1, p);
	path[n] = '\0';
	ck_assert_msg(pclose(p) == 0 && n > 0 && path[n - 1] == '\n',
	              "fixtures/softhsm-module found no SoftHSM2 module");
	path[n - 1] = '\0';
	return path;
}

uint8_t *
tu_read(const char *path, size_t *len)
{
	uint8_t *buf = NULL;
	struct ctl_diag d;
	enum ctl_err r = ctl_read_file(path, CTL_MAX_FILE, &buf, len, &d);

	ck_assert_msg(r == CTL_OK, "cannot read %s: %s", path, d.msg);
	return buf;
}

/*
 * One folder per test binary, made by main() before any test runs (so
 * forked tests share it) and removed by main() after the last, whatever
 * the tests did or however they failed. tu_tmpdir() makes its folders in
 * it.
 */
static char tu_root[256];

void
tu_tmp_begin(void)
{
	const char *base = getenv("TMPDIR");
	int n = snprintf(tu_root, sizeof(tu_root), "%s/ctltest.XXXXXX",
	                 base != NULL && base[0] != '\0' ? base : "/tmp");

	if (n <= 0 || (size_t)n >= sizeof(tu_root) || mkdtemp(tu_root) == NULL) {
		perror("ctltest: cannot make the temporary folder");
		exit(EXIT_FAILURE);
	}
}

/* Pre-order: make every folder writable and searchable, so a test that
 * left one read-only (to provoke a write error) cannot block the removal. */
static int
rm_prepare(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_D || type == FTW_DNR)
		(void)chmod(path, 0700);
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) != 0)
		perror(path);
	return 0;
}

void
tu_tmp_end(void)
{
	if (tu_root[0] == '\0')
		return;
	(void)nftw(tu_root, rm_prepare, 16, FTW_PHYS);
	(void)nftw(tu_root, rm_entry, 16, FTW_PHYS | FTW_DEPTH);
	tu_root[0] = '\0';
}

const char *
tu_tmpdir(void)
{
	static char dir[300];
	int n;

	if (tu_root[0] == '\0')
		tu_tmp_begin();
	n = snprintf(dir, sizeof(dir), "%s/t.XXXXXX", tu_root);
	ck_assert(n > 0 && (size_t)n < sizeof(dir));
	ck_assert(mkdtemp(dir) != NULL);
	return dir;
}

const uint8_t tu_ip_ccm1[4] = { 192, 0, 2, 11 };
const uint8_t tu_ip_ccm2[4] = { 192, 0, 2, 12 };

/* The usual token CTL: two SAST tokens and the servers. */
const struct tu_ent tu_std_ents[TU_NSTD] = {
	{ "sast1", CTL_ROLE_SAST, NULL, NULL },
	{ "sast2", CTL_ROLE_SAST, NULL, NULL },
	{ "ccm1", CTL_ROLE_CCM_TFTP, "cucm-pub.example.lab", tu_ip_ccm1 },
	{ "ccm2", CTL_ROLE_CCM_TFTP, "cucm-sub1.example.lab", tu_ip_ccm2 },
	{ "capf", CTL_ROLE_CAPF, "cucm-pub.example.lab", tu_ip_ccm1 },
	{ "tvs1", CTL_ROLE_TVS, "cucm-pub.example.lab", tu_ip_ccm1 },
	{ "ec256", CTL_ROLE_CCM, "cucm-pub.example.lab", NULL },
};
/* Every entry filled: a shorter list would leave zeroed entries. */
_Static_assert(sizeof(tu_std_ents) / sizeof(tu_std_ents[0]) == TU_NSTD, "tu_std_ents size");

X509 *
tu_cert(const char *name)
{
	char file[64];
	X509 *x = NULL;
	struct ctl_diag d;

	snprintf(file, sizeof(file), "%s.pem", name);
	ck_assert_msg(ctl_cert_load(tu_pki(file), &x, &d) == CTL_OK, "%s: %s", file, d.msg);
	return x;
}

EVP_PKEY *
tu_key(const char *name)
{
	char file[64];
	EVP_PKEY *k = NULL;
	struct ctl_diag d;

	snprintf(file, sizeof(file), "%s.key", name);
	ck_assert_msg(ctl_key_load(tu_pki(file), &k, &d) == CTL_OK, "%s: %s", file, d.msg);
	return k;
}

struct ctl_signer *
tu_signer(const char *name)
{
	char kf[64], cf[64];
	struct ctl_signer *s = NULL;
	struct ctl_diag d;

	snprintf(kf, sizeof(kf), "%s.key", name);
	snprintf(cf, sizeof(cf), "%s.pem", name);
	ck_assert_msg(ctl_signer_new_pem(tu_pki(kf), tu_pki(cf), &s, &d) == CTL_OK, "%s: %s",
	              name, d.msg);
	return s;
}

struct ctl_builder *
tu_builder(enum ctl_kind kind, const struct tu_ent *e, size_t n)
{
	struct ctl_builder *b = NULL;
	struct ctl_diag d;
	size_t i;

	ck_assert_int_eq(ctl_builder_new(kind, &b), CTL_OK);
	for (i = 0; i < n; i++) {
		X509 *x = tu_cert(e[i].name);

		ck_assert_msg(ctl_builder_add_cert(b, x, e[i].role, e[i].dns, e[i].ip, &d) == CTL_OK,
		              "%s: %s", e[i].name, d.msg);
		X509_free(x); /* the builder holds its own reference */
	}
	ck_assert_uint_eq(ctl_builder_nrecords(b), n);
	return b;
}

uint8_t *
tu_sign(struct ctl_builder *b, const struct ctl_signer *s, size_t *len)
{
	uint8_t *out = NULL;
	struct ctl_diag d;
	char msg[768];
	enum ctl_err r = ctl_builder_sign(b, s, &out, len, &d);

	ck_assert_msg(r == CTL_OK, "sign: %s", ctl_diag_str(&d, msg, sizeof(msg)));
	ck_assert_ptr_nonnull(out);
	return out;
}

struct ctl_file *
tu_parse(const uint8_t *p, size_t n)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	char msg[768];
	enum ctl_err r = ctl_file_parse(p, n, 0, &f, &d);

	ck_assert_msg(r == CTL_OK, "parse: %s", ctl_diag_str(&d, msg, sizeof(msg)));
	return f;
}

const struct ctl_elem *
tu_helem(const struct ctl_file *f, uint8_t tag)
{
	size_t n, i;
	const struct ctl_elem *el = ctl_file_header_elems(f, &n);

	for (i = 0; i < n; i++)
		if (el[i].tag == tag)
			return &el[i];
	return NULL;
}
