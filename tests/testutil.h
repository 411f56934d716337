/*
 * Shared helpers for the Check unit tests. Each tests/test_<module>.c
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

/* Folder with the test PKI (build/pki by default). */
const char *tu_pki_dir(void);
/* Path of a file in the PKI folder, in a static ring of buffers. */
const char *tu_pki(const char *name);
/* Path of the sample ITL file from the field. */
const char *tu_sample_path(void);
/* Reads a whole file or fails the test. free() the result. */
uint8_t *tu_read(const char *path, size_t *len);
/* A fresh temporary directory (removed by the OS's tmp cleaning; tests use mkdtemp). */
const char *tu_tmpdir(void);

#define CTL_TEST_MAIN(make_suite_fn)                                       \
	int main(void)                                                      \
	{                                                                   \
		SRunner *sr = srunner_create(make_suite_fn());               \
		int nf;                                                     \
		srunner_run_all(sr, CK_NORMAL);                             \
		nf = srunner_ntests_failed(sr);                             \
		srunner_free(sr);                                           \
		return nf == 0 ? EXIT_SUCCESS : EXIT_FAILURE;               \
	}

#endif
