/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File cache (tftp-server/ctl-tftpd/tftp_cache.c): loading, refusals (symlink
 * escape, hard link, FIFO, directory, unreadable, too large), refcounted
 * versions across a reload, inotify-driven invalidation, the stat check
 * without inotify, netascii images; uncached versions shared while held,
 * their memory budget, and the SIGHUP reload (flush, root reopened).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tftp_cache.h"
#include "testutil.h"

static char root[256], outside[256];

/*
 * The rename of a race: armed, the next inotify_add_watch first renames a
 * new version of race_name into place (a node installing a rebuilt
 * ITLFile.tlv), then adds the watch. The executable's definition takes
 * the place of libc's for the cache under test.
 */
static const char *race_name, *race_content;

static void put(const char *dir, const char *name, const char *content, mode_t mode);

int
inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	if (race_name != NULL) {
		const char *n = race_name;

		race_name = NULL;
		put(root, n, race_content, 0644);
	}
	return (int)syscall(SYS_inotify_add_watch, fd, path, mask);
}

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
	const char *base = tu_tmpdir();
	char p[512], q[512];

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
new_cache_cfg(const char *dir, int no_inotify, size_t max_file, size_t max_total,
              size_t max_uncached)
{
	struct tftp_cache_cfg cfg = {
		.root = dir, .max_file = max_file, .max_total = max_total,
		.no_inotify = no_inotify, .max_uncached = max_uncached
	};
	enum tftp_cache_err e;
	int se;
	struct tftp_cache *c = tftp_cache_new(&cfg, &e, &se);

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(e, TFTP_C_OK);
	return c;
}

static struct tftp_cache *
new_cache(int no_inotify, size_t max_file)
{
	return new_cache_cfg(root, no_inotify, max_file, 1u << 20, 0);
}

/* A cache that keeps nothing: every version is uncached. */
static struct tftp_cache *
new_nocache(size_t max_uncached)
{
	return new_cache_cfg(root, 0, 1000, 0, max_uncached);
}

static struct tftp_file *
hold(struct tftp_cache *c, const char *name, const char *want)
{
	struct tftp_file *f = NULL;

	ck_assert_int_eq(tftp_cache_get(c, name, &f, NULL), TFTP_C_OK);
	ck_assert_uint_eq(f->size, strlen(want));
	ck_assert_int_eq(memcmp(f->data, want, f->size), 0);
	return f;
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

/*
 * A file replaced by rename while the cache first reads it, before the
 * directory is watched: the next request gets the new bytes, not the
 * version read before the watch existed.
 */
START_TEST(rename_during_first_load)
{
	struct tftp_cache *c = new_cache(0, 1000);
	struct tftp_file *f = NULL;

	put(root, "ITLFile.tlv", "itl one", 0644);
	race_name = "ITLFile.tlv";
	race_content = "itl two";
	ck_assert_int_eq(tftp_cache_get(c, "ITLFile.tlv", &f, NULL), TFTP_C_OK);
	ck_assert_ptr_null(race_name); /* the rename happened inside the lookup */
	tftp_file_unref(f);
	tftp_cache_poll(c);
	ck_assert_int_eq(get(c, "ITLFile.tlv", "itl two"), TFTP_C_OK);
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
	struct tftp_cache_cfg cfg = { .root = "/nonexistent/tftp-root", .max_file = 100, .max_total = 100 };
	enum tftp_cache_err e;
	int se;

	ck_assert_ptr_null(tftp_cache_new(&cfg, &e, &se));
	ck_assert_int_eq(e, TFTP_C_NOTFOUND);
	ck_assert_int_eq(se, ENOENT);
}
END_TEST

/* ---- uncached versions: one shared copy while held, under a budget ---- */

START_TEST(uncached_shared_while_held)
{
	struct tftp_cache *c = new_nocache(0);
	struct tftp_file *a = hold(c, "CTLFile.tlv", "version 1");
	struct tftp_file *b = hold(c, "CTLFile.tlv", "version 1");
	struct tftp_cache_stats st;

	/* The second transfer shares the first one's copy instead of reading its own. */
	ck_assert_ptr_eq(a, b);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.files, 0);
	ck_assert_uint_eq(st.loads, 1);
	ck_assert_uint_eq(st.shared_files, 1);
	ck_assert_uint_eq(st.shared_bytes, 9);
	ck_assert_uint_eq(st.shared_hits, 1);
	tftp_file_unref(a);
	tftp_file_unref(b);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.shared_files, 0);
	ck_assert_uint_eq(st.shared_bytes, 0);
	/* Nobody holds it any more: the next request reads the file again. */
	ck_assert_int_eq(get(c, "CTLFile.tlv", "version 1"), TFTP_C_OK);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.loads, 2);
	tftp_cache_free(c);
}
END_TEST

START_TEST(uncached_changed_not_shared)
{
	struct tftp_cache *c = new_nocache(0);
	struct tftp_file *a = hold(c, "CTLFile.tlv", "version 1");
	struct tftp_file *b;

	put(root, "CTLFile.tlv", "version 2", 0644); /* same size, new inode */
	b = hold(c, "CTLFile.tlv", "version 2");
	ck_assert_ptr_ne(a, b);
	ck_assert_int_eq(memcmp(a->data, "version 1", 9), 0);
	tftp_file_unref(a);
	tftp_file_unref(b);
	tftp_cache_free(c);
}
END_TEST

START_TEST(uncached_budget)
{
	/* 9 + 5 bytes do not fit in a 12-byte budget. */
	struct tftp_cache *c = new_nocache(12);
	struct tftp_file *a = hold(c, "CTLFile.tlv", "version 1");
	struct tftp_file *b = hold(c, "CTLFile.tlv", "version 1");
	struct tftp_cache_stats st;

	ck_assert_int_eq(get(c, "text.txt", ""), TFTP_C_BUSY);
	ck_assert_int_eq(tftp_cache_ecode(TFTP_C_BUSY), 0);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.busy, 1);
	ck_assert_uint_eq(st.shared_bytes, 9);
	tftp_file_unref(a);
	tftp_file_unref(b);
	ck_assert_int_eq(get(c, "text.txt", "a\nb\rc"), TFTP_C_OK);
	tftp_cache_free(c);
}
END_TEST

START_TEST(default_budget_is_max_file)
{
	/* Cache size 0: the budget is one largest file (here 10 bytes). */
	struct tftp_cache *c = new_cache_cfg(root, 0, 10, 0, 0);
	struct tftp_file *a = hold(c, "CTLFile.tlv", "version 1");

	ck_assert_int_eq(get(c, "text.txt", ""), TFTP_C_BUSY);
	tftp_file_unref(a);
	ck_assert_int_eq(get(c, "text.txt", "a\nb\rc"), TFTP_C_OK);
	tftp_cache_free(c);
}
END_TEST

START_TEST(dropped_version_counted_while_held)
{
	struct tftp_cache *c = new_cache(0, 1000);
	struct tftp_file *old = hold(c, "CTLFile.tlv", "version 1");
	struct tftp_cache_stats st;

	put(root, "CTLFile.tlv", "version 2 longer", 0644);
	tftp_cache_poll(c);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.files, 0);
	ck_assert_uint_eq(st.shared_bytes, 9);
	tftp_file_unref(old);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.shared_bytes, 0);
	tftp_cache_free(c);
}
END_TEST

START_TEST(held_uncached_outlives_cache)
{
	struct tftp_cache *c = new_nocache(0);
	struct tftp_file *f = hold(c, "CTLFile.tlv", "version 1");

	tftp_cache_free(c);
	ck_assert_ptr_null(f->owner);
	ck_assert_int_eq(memcmp(f->data, "version 1", 9), 0);
	tftp_file_unref(f);
}
END_TEST

/* ---- reload (SIGHUP) ---------------------------------------------------- */

START_TEST(reload_reads_again)
{
	struct tftp_cache *c = new_cache(0, 1000);
	struct tftp_file *held;
	struct tftp_cache_stats st;

	ck_assert_int_eq(get(c, "CTLFile.tlv", "version 1"), TFTP_C_OK);
	held = hold(c, "text.txt", "a\nb\rc");
	ck_assert_int_eq(tftp_cache_reload(c, NULL), TFTP_C_OK);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.files, 0);
	ck_assert_uint_eq(st.shared_files, 1);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "version 1"), TFTP_C_OK);
	/* A version held across the reload is not reused: the file is read again. */
	ck_assert_int_eq(get(c, "text.txt", "a\nb\rc"), TFTP_C_OK);
	tftp_cache_stats(c, &st);
	ck_assert_uint_eq(st.loads, 4);
	ck_assert_uint_eq(st.shared_hits, 0);
	tftp_file_unref(held);
	tftp_cache_free(c);
}
END_TEST

START_TEST(reload_reopens_root)
{
	char base[256], a[300], b[300], link_path[300];
	struct tftp_cache *c;

	/* Deployments swap the root: a symlink moved from release A to release B. */
	snprintf(base, sizeof(base), "%s", root);
	*strrchr(base, '/') = '\0';
	snprintf(a, sizeof(a), "%s/relA", base);
	snprintf(b, sizeof(b), "%s/relB", base);
	snprintf(link_path, sizeof(link_path), "%s/current", base);
	ck_assert_int_eq(mkdir(a, 0755), 0);
	ck_assert_int_eq(mkdir(b, 0755), 0);
	put(a, "CTLFile.tlv", "release A", 0644);
	put(b, "CTLFile.tlv", "release B", 0644);
	ck_assert_int_eq(symlink("relA", link_path), 0);
	c = new_cache_cfg(link_path, 1, 1000, 1u << 20, 0);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "release A"), TFTP_C_OK);
	ck_assert_int_eq(unlink(link_path), 0);
	ck_assert_int_eq(symlink("relB", link_path), 0);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "release A"), TFTP_C_OK);
	ck_assert_int_eq(tftp_cache_reload(c, NULL), TFTP_C_OK);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "release B"), TFTP_C_OK);
	/* A root that vanished: the old one is kept and the error returned. */
	ck_assert_int_eq(unlink(link_path), 0);
	ck_assert_int_eq(tftp_cache_reload(c, NULL), TFTP_C_NOTFOUND);
	ck_assert_int_eq(get(c, "CTLFile.tlv", "release B"), TFTP_C_OK);
	tftp_cache_free(c);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_cache");
	TCase *ok = tcase_create("ok");
	TCase *mal = tcase_create("refusals");
	TCase *rl = tcase_create("reload");
	TCase *sh = tcase_create("shared");

	tcase_add_checked_fixture(ok, setup, NULL);
	tcase_add_checked_fixture(mal, setup, NULL);
	tcase_add_checked_fixture(rl, setup, NULL);
	tcase_add_checked_fixture(sh, setup, NULL);
	tcase_add_test(sh, uncached_shared_while_held);
	tcase_add_test(sh, uncached_changed_not_shared);
	tcase_add_test(sh, uncached_budget);
	tcase_add_test(sh, default_budget_is_max_file);
	tcase_add_test(sh, dropped_version_counted_while_held);
	tcase_add_test(sh, held_uncached_outlives_cache);
	tcase_add_test(rl, reload_reads_again);
	tcase_add_test(rl, reload_reopens_root);
	tcase_add_test(ok, load_and_hit);
	tcase_add_test(ok, netascii_image);
	tcase_add_test(mal, refusals);
	tcase_add_test(mal, bad_root);
	tcase_add_test(rl, version_survives_reload);
	tcase_add_test(rl, held_version_outlives_cache);
	tcase_add_test(rl, delete_and_chmod_seen);
	tcase_add_test(rl, rename_during_first_load);
	tcase_add_test(rl, stat_check_without_inotify);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, mal);
	suite_add_tcase(s, rl);
	suite_add_tcase(s, sh);
	return s;
}

CTL_TEST_MAIN(make_suite)
