/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-device trust list resolution (tftp-server/ctl-tftpd/tftp_resolve.c)
 * over a real file cache in a temporary root: CTLSEP<MAC>.tlv is the
 * per-device file when present and not empty, else CTLFile.tlv; the same
 * for ITLSEP; an empty cluster file is never served; refusals of the
 * per-device file are reported as they are; other names pass through.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tftp_log.h"
#include "tftp_resolve.h"
#include "testutil.h"

static char root[256];

static void
put(const char *name, const char *content, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static struct tftp_cache *
cache(void)
{
	struct tftp_cache_cfg cfg = { .root = root, .max_file = 1 << 20, .max_total = 1 << 20 };
	enum tftp_cache_err e;
	int se;
	struct tftp_cache *c;

	snprintf(root, sizeof(root), "%s/root", tu_tmpdir());
	ck_assert_int_eq(mkdir(root, 0755), 0);
	c = tftp_cache_new(&cfg, &e, &se);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* Resolves name; on success checks the bytes served and releases the file. */
static enum tftp_cache_err
get(struct tftp_cache *c, const char *name, const char *want_served, const char *want_bytes)
{
	char served[TFTP_NAME_MAX + 1];
	struct tftp_file *f = (struct tftp_file *)1;
	enum tftp_cache_err e = tftp_resolve(c, name, "127.0.0.1:1", &f, served);

	ck_assert_str_eq(served, want_served);
	if (e != TFTP_C_OK) {
		ck_assert_ptr_null(f);
		return e;
	}
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->size, strlen(want_bytes));
	ck_assert_int_eq(memcmp(f->data, want_bytes, f->size), 0);
	tftp_file_unref(f);
	return e;
}

START_TEST(per_device_file_first)
{
	struct tftp_cache *c = cache();

	put("CTLFile.tlv", "cluster ctl", 0644);
	put("CTLSEP00AABBCCDDEE.tlv", "device ctl", 0644);
	put("ITLFile.tlv", "cluster itl", 0644);
	ck_assert_int_eq(get(c, "CTLSEP00AABBCCDDEE.tlv", "CTLSEP00AABBCCDDEE.tlv", "device ctl"), TFTP_C_OK);
	/* The MAC and the prefix match case-insensitively; the canonical name is looked up. */
	ck_assert_int_eq(get(c, "ctlsep00aabbccddee.TLV", "CTLSEP00AABBCCDDEE.tlv", "device ctl"), TFTP_C_OK);
	/* Another phone, or the ITL: the cluster file. */
	ck_assert_int_eq(get(c, "CTLSEP001122334455.tlv", "CTLFile.tlv", "cluster ctl"), TFTP_C_OK);
	ck_assert_int_eq(get(c, "ITLSEP00AABBCCDDEE.tlv", "ITLFile.tlv", "cluster itl"), TFTP_C_OK);
	tftp_cache_free(c);
}
END_TEST

START_TEST(empty_files_never_served)
{
	struct tftp_cache *c = cache();

	put("CTLFile.tlv", "cluster ctl", 0644);
	put("CTLSEP00AABBCCDDEE.tlv", "", 0644);
	put("ITLFile.tlv", "", 0644);
	/* An empty per-device file falls back to the cluster file. */
	ck_assert_int_eq(get(c, "CTLSEP00AABBCCDDEE.tlv", "CTLFile.tlv", "cluster ctl"), TFTP_C_OK);
	/* An empty cluster file is "not found". */
	ck_assert_int_eq(get(c, "ITLSEP00AABBCCDDEE.tlv", "ITLFile.tlv", NULL), TFTP_C_NOTFOUND);
	tftp_cache_free(c);
}
END_TEST

START_TEST(nothing_to_serve)
{
	struct tftp_cache *c = cache();

	ck_assert_int_eq(get(c, "CTLSEP00AABBCCDDEE.tlv", "CTLFile.tlv", NULL), TFTP_C_NOTFOUND);
	ck_assert_int_eq(get(c, "SEP00AABBCCDDEE.cnf.xml", "SEP00AABBCCDDEE.cnf.xml", NULL),
	                 TFTP_C_NOTFOUND);
	tftp_cache_free(c);
}
END_TEST

START_TEST(per_device_refusal_reported)
{
	struct tftp_cache *c = cache();

	put("CTLFile.tlv", "cluster ctl", 0644);
	put("CTLSEP00AABBCCDDEE.tlv", "private", 0600);
	/* A per-device file the server may not serve is an error, not a silent fallback. */
	ck_assert_int_eq(get(c, "CTLSEP00AABBCCDDEE.tlv", "CTLSEP00AABBCCDDEE.tlv", NULL), TFTP_C_PERM);
	tftp_cache_free(c);
}
END_TEST

START_TEST(other_names_as_they_are)
{
	struct tftp_cache *c = cache();

	put("SEP00AABBCCDDEE.cnf.xml", "<device/>", 0644);
	put("CTLFile.tlv", "cluster ctl", 0644);
	ck_assert_int_eq(get(c, "SEP00AABBCCDDEE.cnf.xml", "SEP00AABBCCDDEE.cnf.xml", "<device/>"),
	                 TFTP_C_OK);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "CTLFile.tlv", "cluster ctl"), TFTP_C_OK);
	/* Not a per-device name: too short a MAC. */
	ck_assert_int_eq(get(c, "CTLSEP00AABBCCDD.tlv", "CTLSEP00AABBCCDD.tlv", NULL), TFTP_C_NOTFOUND);
	tftp_cache_free(c);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_resolve");
	TCase *ok = tcase_create("ok");
	TCase *refused = tcase_create("refused");

	tftp_log_setup("test_tftp_resolve", TFTP_LOG_ERR);
	tcase_add_test(ok, per_device_file_first);
	tcase_add_test(ok, other_names_as_they_are);
	tcase_add_test(refused, empty_files_never_served);
	tcase_add_test(refused, nothing_to_serve);
	tcase_add_test(refused, per_device_refusal_reported);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, refused);
	return s;
}

CTL_TEST_MAIN(make_suite)
