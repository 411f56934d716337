/*
 * File cache (tftp-server/tftp_cache.c): loading, refusals (symlink
 * escape, hard link, FIFO, directory, unreadable, too large), refcounted
 * versions across a reload, inotify-driven invalidation, the stat check
 * without inotify, and netascii images.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tftp-server/tftp_cache.h"
#include "testutil.h"

static char root[256], outside[256];

static void
put(const char *dir, const char *name, const char *content, mode_t mode)
{
	char path[512], tmp[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, name);
	f = fopen(tmp, "wb");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(tmp, mode), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

static void
setup(void)
{
	char base[] = "/tmp/test_tftp_cache.XXXXXX";
	char p[512], q[512];

	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	ck_assert_int_eq(mkdir(outside, 0755), 0);
	put(root, "CTLFile.tlv", "version 1", 0644);
	put(root, "text.txt", "a\nb\rc", 0644);
	put(root, "private", "secret", 0600);
	put(outside, "secret", "TOPSECRET", 0644);
	snprintf(p, sizeof(p), "%s/secret", outside);
	snprintf(q, sizeof(q), "%s/escape", root);
	ck_assert_int_eq(symlink(p, q), 0);
	snprintf(q, sizeof(q), "%s/hard", root);
	ck_assert_int_eq(link(p, q), 0);
	snprintf(q, sizeof(q), "%s/inside", root);
	ck_assert_int_eq(symlink("CTLFile.tlv", q), 0);
	snprintf(q, sizeof(q), "%s/fifo", root);
	ck_assert_int_eq(mkfifo(q, 0644), 0);
	snprintf(q, sizeof(q), "%s/dir", root);
	ck_assert_int_eq(mkdir(q, 0755), 0);
}

static struct tftp_cache *
new_cache(int no_inotify, size_t max_file)
{
	struct tftp_cache_cfg cfg = { root, max_file, 1u << 20, 0, no_inotify };
	enum tftp_cache_err e;
	int se;
	struct tftp_cache *c = tftp_cache_new(&cfg, &e, &se);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(e, TFTP_C_OK);
	return c;
}

static enum tftp_cache_err
get(struct tftp_cache *c, const char *name, const char *want)
{
	struct tftp_file *f = NULL;
	enum tftp_cache_err e = tftp_cache_get(c, name, &f, NULL);

	if (e == TFTP_C_OK) {
		ck_assert_uint_eq(f->size, strlen(want));
		ck_assert_int_eq(memcmp(f->data, want, f->size), 0);
		tftp_file_unref(f);
	} else {
		ck_assert_ptr_null(f);
	}
	return e;
}

START_TEST(load_and_hit)
{
	struct tftp_cache *c = new_cache(0, 1000);
	struct tftp_cache_stats st;

	ck_assert_int_eq(get(c, "CTLFile.tlv", "version 1"), TFTP_C_OK);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "version 1"), TFTP_C_OK);
	ck_assert_int_eq(get(c, "inside", "version 1"), TFTP_C_OK);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.loads, 2);
	ck_assert_uint_eq(st.files, 2);
	tftp_cache_free(c);
}
END_TEST

START_TEST(refusals)
{
	struct tftp_cache *c = new_cache(0, 8);

	ck_assert_int_eq(get(c, "nosuch", ""), TFTP_C_NOTFOUND);
	ck_assert_int_eq(get(c, "CTLFile.tlv/x", ""), TFTP_C_NOTFOUND);
	ck_assert_int_eq(get(c, "escape", ""), TFTP_C_ESCAPE);
	ck_assert_int_eq(get(c, "hard", ""), TFTP_C_HARDLINK);
	ck_assert_int_eq(get(c, "fifo", ""), TFTP_C_NOTREG);
	ck_assert_int_eq(get(c, "dir", ""), TFTP_C_DIR);
	ck_assert_int_eq(get(c, "private", ""), TFTP_C_PERM);
	ck_assert_int_eq(get(c, "CTLFile.tlv", ""), TFTP_C_TOO_LARGE);
	ck_assert_int_eq(tftp_cache_ecode(TFTP_C_NOTFOUND), 1);
	ck_assert_int_eq(tftp_cache_ecode(TFTP_C_ESCAPE), 2);
	ck_assert_int_eq(tftp_cache_ecode(TFTP_C_TOO_LARGE), 3);
	tftp_cache_free(c);
}
END_TEST

START_TEST(version_survives_reload)
{
	struct tftp_cache *c = new_cache(0, 1000);
	struct tftp_file *old = NULL;

	ck_assert_int_eq(tftp_cache_get(c, "CTLFile.tlv", &old, NULL), TFTP_C_OK);
	put(root, "CTLFile.tlv", "version 2 longer", 0644);
	tftp_cache_poll(c);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "version 2 longer"), TFTP_C_OK);
	/* The transfer holding the old version still sees all of it. */
	ck_assert_uint_eq(old->size, 9);
	ck_assert_int_eq(memcmp(old->data, "version 1", 9), 0);
	tftp_file_unref(old);
	tftp_cache_free(c);
}
END_TEST

START_TEST(held_version_outlives_cache)
{
	struct tftp_cache *c = new_cache(0, 1000);
	struct tftp_file *f = NULL;

	ck_assert_int_eq(tftp_cache_get(c, "CTLFile.tlv", &f, NULL), TFTP_C_OK);
	tftp_cache_free(c);
	ck_assert_int_eq(memcmp(f->data, "version 1", 9), 0);
	tftp_file_unref(f);
	tftp_file_unref(NULL);
}
END_TEST

START_TEST(delete_and_chmod_seen)
{
	struct tftp_cache *c = new_cache(0, 1000);
	char p[512];

	ck_assert_int_eq(get(c, "text.txt", "a\nb\rc"), TFTP_C_OK);
	snprintf(p, sizeof(p), "%s/text.txt", root);
	ck_assert_int_eq(chmod(p, 0600), 0);
	tftp_cache_poll(c);
	ck_assert_int_eq(get(c, "text.txt", ""), TFTP_C_PERM);
	ck_assert_int_eq(unlink(p), 0);
	tftp_cache_poll(c);
	ck_assert_int_eq(get(c, "text.txt", ""), TFTP_C_NOTFOUND);
	tftp_cache_free(c);
}
END_TEST

START_TEST(stat_check_without_inotify)
{
	struct tftp_cache *c = new_cache(1, 1000);

	ck_assert_int_eq(tftp_cache_fd(c), -1);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "version 1"), TFTP_C_OK);
	put(root, "CTLFile.tlv", "version 3", 0644);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "version 3"), TFTP_C_OK);
	tftp_cache_free(c);
}
END_TEST

START_TEST(netascii_image)
{
	struct tftp_cache *c = new_cache(0, 1000);
	struct tftp_file *f = NULL;
	const uint8_t *p;
	size_t n;

	ck_assert_int_eq(tftp_cache_get(c, "text.txt", &f, NULL), TFTP_C_OK);
	ck_assert_int_eq(tftp_file_image(f, TFTP_MODE_NETASCII, &p, &n), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_int_eq(memcmp(p, "a\r\nb\r\0c", 7), 0);
	ck_assert_int_eq(tftp_file_image(f, TFTP_MODE_OCTET, &p, &n), 0);
	ck_assert_uint_eq(n, 5);
	tftp_file_unref(f);
	tftp_cache_free(c);
}
END_TEST

START_TEST(bad_root)
{
	struct tftp_cache_cfg cfg = { "/nonexistent/tftp-root", 100, 100, 0, 0 };
	enum tftp_cache_err e;
	int se;

	ck_assert_ptr_null(tftp_cache_new(&cfg, &e, &se));
	ck_assert_int_eq(e, TFTP_C_NOTFOUND);
	ck_assert_int_eq(se, ENOENT);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_cache");
	TCase *ok = tcase_create("ok");
	TCase *mal = tcase_create("refusals");
	TCase *rl = tcase_create("reload");

	tcase_add_checked_fixture(ok, setup, NULL);
	tcase_add_checked_fixture(mal, setup, NULL);
	tcase_add_checked_fixture(rl, setup, NULL);
	tcase_add_test(ok, load_and_hit);
	tcase_add_test(ok, netascii_image);
	tcase_add_test(mal, refusals);
	tcase_add_test(mal, bad_root);
	tcase_add_test(rl, version_survives_reload);
	tcase_add_test(rl, held_version_outlives_cache);
	tcase_add_test(rl, delete_and_chmod_seen);
	tcase_add_test(rl, stat_check_without_inotify);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, mal);
	suite_add_tcase(s, rl);
	return s;
}

CTL_TEST_MAIN(make_suite)
