/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared helpers for the Check unit tests. Each tests/unit/<module>/test_<file>.c
 * defines `Suite *make_suite(void)` and uses CTL_TEST_MAIN.
 *
 * Fixture files come from build/ (made by fixtures/make-pki, run by
 * tests/run-check before the unit tests); CTL_FIXTURES overrides the folder.
 * CK_FORK=no runs in-process (for gdb); CK_RUN_SUITE / CK_RUN_CASE select.
 */
#ifndef CTL_TESTUTIL_H
#define CTL_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include <ctl/ctl.h>

/* A certificate of the test PKI and how it is listed in a test CTL. */
struct tu_ent {
	const char *name; /* build/pki/<name>.pem */
	uint16_t role;
	const char *dns;
	const uint8_t *ip;
};

extern const uint8_t tu_ip_ccm1[4], tu_ip_ccm2[4];
/* The usual token CTL: two SAST tokens, two CallManagers, CAPF, TVS, an EC cert. */
#define TU_NSTD 7
extern const struct tu_ent tu_std_ents[TU_NSTD];

/* Loaders and builders that fail the test on error (build/pki/<name>.pem/.key). */
X509 *tu_cert(const char *name);
EVP_PKEY *tu_key(const char *name);
struct ctl_signer *tu_signer(const char *name);
struct ctl_builder *tu_builder(enum ctl_kind kind, const struct tu_ent *e, size_t n);
uint8_t *tu_sign(struct ctl_builder *b, const struct ctl_signer *s, size_t *len);
struct ctl_file *tu_parse(const uint8_t *p, size_t n);
/* The first header element with tag, or NULL. */
const struct ctl_elem *tu_helem(const struct ctl_file *f, uint8_t tag);

/* Folder with the test PKI (build/pki by default). */
const char *tu_pki_dir(void);
/* Path of a file in the PKI folder, in a static ring of buffers. */
const char *tu_pki(const char *name);
/* Path of the sample ITL file from the field. */
const char *tu_sample_path(void);
/* Path of the SoftHSM2 module: $SOFTHSM_MODULE, else what
 * fixtures/softhsm-module finds (run from the top of the tree); static. */
const char *tu_softhsm_module(void);
/* Reads a whole file or fails the test. free() the result. */
uint8_t *tu_read(const char *path, size_t *len);
/*
 * A fresh temporary directory (in a static buffer, valid until the next
 * call), inside the test binary's own $TMPDIR/ctltest.XXXXXX folder, which
 * CTL_TEST_MAIN makes before the tests and removes after them, failed or not.
 */
const char *tu_tmpdir(void);
/* Makes / removes the binary's temporary folder (CTL_TEST_MAIN calls them). */
void tu_tmp_begin(void);
void tu_tmp_end(void);

#define CTL_TEST_MAIN(make_suite_fn)                                       \
	int main(void)                                                      \
	{                                                                   \
		SRunner *sr;                                                \
		int nf;                                                     \
		tu_tmp_begin();                                             \
		sr = srunner_create(make_suite_fn());                       \
		srunner_run_all(sr, CK_NORMAL);                             \
		nf = srunner_ntests_failed(sr);                             \
		srunner_free(sr);                                           \
		tu_tmp_end();                                               \
		return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;               \
	}

#endif
