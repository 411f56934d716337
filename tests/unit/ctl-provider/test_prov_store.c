/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_store.c: the installed CTL's trust rule, backup, atomic install
 * (a new inode), sweep of stale temporaries and the security mode; a
 * symbolic link or FIFO planted as CTLFile.tlv is refused.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctl/ctl.h>
#include <ctl/prov.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

START_TEST(store_install_and_trust)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	char msg[768], path[PROV_PATH_MAX + 32];
	size_t la, lb, lr, len;
	uint8_t *a = make_ctl("sast1", "sast1", 0, &la), *b = make_ctl("sast1", "sast2", 1, &lb);
	uint8_t *r = make_ctl("rogue", "rogue", 0, &lr), *got = NULL;

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_uint_eq(prov_store_get(&s, &got, &len, msg, sizeof(msg)), CTL_PROV_NOT_FOUND);
	ck_assert_str_eq(msg, "no CTL installed");
	ck_assert_uint_eq(prov_store_info(&s, &info, msg, sizeof(msg)), CTL_PROV_NOT_FOUND);
	/* First installation: no trust check. */
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(info.length, la);
	ck_assert_msg(same_file(s.ctl_path, a, la), "CTLFile.tlv is a");
	/* Signed by sast2, listed in a: accepted; a kept as the backup. */
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_msg(same_file(s.ctl_path, b, lb), "CTLFile.tlv is b");
	ck_assert_msg(same_file(s.bak_path, a, la), "CTLFile.tlv.bak is a");
	/* Signed by a token b does not list. */
	ck_assert_uint_eq(prov_store_put(&s, r, lr, 0, &info, msg, sizeof(msg)), CTL_PROV_CTL_NOT_TRUSTED);
	ck_assert_ptr_nonnull(strstr(msg, "is not a SAST of the trusted file"));
	ck_assert_msg(same_file(s.ctl_path, b, lb), "unchanged after the refusal");
	ck_assert_msg(same_file(s.bak_path, a, la), "backup unchanged after the refusal");
	/* With OVERRIDE. */
	ck_assert_uint_eq(prov_store_put(&s, r, lr, 1, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_msg(same_file(s.ctl_path, r, lr), "override installed");
	ck_assert_uint_eq(prov_store_get(&s, &got, &len, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(len, lr);
	free(got);
	snprintf(path, sizeof(path), "%s/.CTLFile.tlv.abc123", c.tftp_root);
	ck_assert_int_eq(ctl_write_atomic(path, "x", 1, 0644, NULL), CTL_OK);
	ck_assert_int_eq(prov_store_sweep(&s), 1);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(access(s.ctl_path, F_OK), 0);
	prov_store_cleanup(&s);
	free(a);
	free(b);
	free(r);
}
END_TEST

/* The node's other outputs (ITL, .sgn, .enc.sgn) leave temporaries too; nothing else is touched. */
START_TEST(store_sweep_sbd_outputs)
{
	static const char *const swept[] = { ".ITLFile.tlv.abc123", ".SEP001122334455.cnf.xml.sgn.Ab12Cd",
	                                     ".SEP001122334455.cnf.xml.enc.sgn.x1Y2z3" };
	static const char *const kept[] = { ".SEP001122334455.cnf.xml.abc123", ".other.tlv.abc123",
	                                    ".SEP001122334455.cnf.xml.sgn.toolong7",
	                                    "SEP001122334455.cnf.xml.sgn" };
	char path[PROV_PATH_MAX + 64];
	struct prov_config c;
	struct prov_store s;
	size_t i;

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%.900s/%s", c.tftp_root, swept[i]);
		put_file(path, "x", 1);
	}
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%.900s/%s", c.tftp_root, kept[i]);
		put_file(path, "x", 1);
	}
	ck_assert_int_eq(prov_store_sweep(&s), 3);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%.900s/%s", c.tftp_root, swept[i]);
		ck_assert_msg(access(path, F_OK) != 0, "%s swept", swept[i]);
	}
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%.900s/%s", c.tftp_root, kept[i]);
		ck_assert_msg(access(path, F_OK) == 0, "%s kept", kept[i]);
	}
	prov_store_cleanup(&s);
}
END_TEST

START_TEST(store_refusals)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	char msg[768];
	size_t la, lb;
	uint8_t *a = make_ctl("sast1", "sast1", 0, &la), *b = make_ctl("sast1", "sast2", 1, &lb);

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	/* Truncated. */
	ck_assert_uint_eq(prov_store_put(&s, b, lb / 2, 0, &info, msg, sizeof(msg)), CTL_PROV_CTL_MALFORMED);
	ck_assert_ptr_nonnull(strstr(msg, "offset "));
	/* One bit flipped inside the signed records. */
	b[lb - 40] ^= 1;
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 0, &info, msg, sizeof(msg)), CTL_PROV_CTL_SIGNATURE);
	ck_assert_ptr_nonnull(strstr(msg, "signature does not verify"));
	b[lb - 40] ^= 1;
	ck_assert_msg(same_file(s.ctl_path, a, la), "unchanged");
	/* An installed file that no longer parses cannot vouch: OVERRIDE needed. */
	ck_assert_int_eq(ctl_write_atomic(s.ctl_path, "junk", 4, 0644, NULL), CTL_OK);
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 0, &info, msg, sizeof(msg)), CTL_PROV_CTL_NOT_TRUSTED);
	ck_assert_ptr_nonnull(strstr(msg, "the installed CTL does not parse"));
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 1, &info, msg, sizeof(msg)), CTL_PROV_OK);
	prov_store_cleanup(&s);
	free(a);
	free(b);
}
END_TEST

START_TEST(store_mode)
{
	struct prov_config c;
	struct prov_store s;
	char msg[256];
	size_t len = 0;
	uint8_t *f;

	node_config(&c, tu_tmpdir());
	c.initial_mode = 1;
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_uint_eq(prov_store_mode(&s), 1);
	ck_assert_uint_eq(prov_store_set_mode(&s, 0, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(prov_store_mode(&s), 0);
	f = tu_read(s.mode_path, &len);
	ck_assert_uint_eq(len, 2);
	ck_assert_mem_eq(f, "0\n", 2);
	free(f);
	ck_assert_int_eq(ctl_write_atomic(s.mode_path, "7\n", 2, 0644, NULL), CTL_OK);
	ck_assert_uint_eq(prov_store_mode(&s), 1); /* garbage: the configured mode */
	snprintf(s.mode_path, sizeof(s.mode_path), "/nonexistent-dir/mode");
	ck_assert_uint_eq(prov_store_set_mode(&s, 1, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_ptr_nonnull(strstr(msg, "cannot store the security mode"));
	prov_store_cleanup(&s);
}
END_TEST

/* A symbolic link named CTLFile.tlv: refused everywhere, never followed, never a backup. */
START_TEST(store_symlink_refused)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	char msg[4096], secret[PROV_PATH_MAX + 16], want[4096];
	uint8_t *got = NULL, *a;
	size_t len = 99, la;

	a = make_ctl("sast1", "sast1", 0, &la);
	node_config(&c, tu_tmpdir());
	c.allow_override = 1;
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	snprintf(secret, sizeof(secret), "%s/secret", c.tftp_root);
	put_file(secret, "TOP-SECRET-KEY-MATERIAL", 23);
	ck_assert_int_eq(chmod(secret, 0600), 0);
	ck_assert_int_eq(symlink(secret, s.ctl_path), 0);
	snprintf(want, sizeof(want), "the installed CTL cannot be used: %s is a symbolic link; "
	         "refusing to follow it", s.ctl_path);
	ck_assert_uint_eq(prov_store_get(&s, &got, &len, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_ptr_null(got);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_info(&s, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 1, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_int_ne(access(s.bak_path, F_OK), 0);
	ck_assert_msg(same_file(secret, (const uint8_t *)"TOP-SECRET-KEY-MATERIAL", 23), "target intact");
	prov_store_cleanup(&s);
	free(a);
}
END_TEST

/* A FIFO named CTLFile.tlv: every request answers at once (the tcase timeout catches a hang). */
START_TEST(store_fifo_refused)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	char msg[4096], want[4096];
	uint8_t *got = NULL, *a;
	size_t len = 0, la;

	a = make_ctl("sast1", "sast1", 0, &la);
	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_int_eq(mkfifo(s.ctl_path, 0644), 0);
	snprintf(want, sizeof(want), "the installed CTL cannot be used: %s is a FIFO, not a regular "
	         "file; refusing it", s.ctl_path);
	ck_assert_uint_eq(prov_store_info(&s, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_get(&s, &got, &len, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_ptr_null(got);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_IO);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(prov_store_set_mode(&s, 1, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_uint_eq(prov_store_mode(&s), 1);
	prov_store_cleanup(&s);
	free(a);
}
END_TEST

/*
 * The install replaces the name (a new inode): a reader holding the old
 * file (ctl-tftpd mid-transfer) keeps the old bytes whole. An in-place
 * rewrite would change them under it. The backup never is a file that
 * does not parse, and never more readable than the original.
 */
START_TEST(store_install_replaces_name)
{
	struct prov_config c;
	struct prov_store s;
	struct prov_ctl_info info;
	struct stat sb;
	char msg[768], held[PROV_PATH_MAX + 40];
	size_t la, lb;
	uint8_t *a = make_ctl("sast1", "sast1", 0, &la), *b = make_ctl("sast1", "sast2", 1, &lb);

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_store_init(&s, &c), 0);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_int_eq(chmod(s.ctl_path, 0600), 0);
	snprintf(held, sizeof(held), "%s/held", c.tftp_root);
	ck_assert_int_eq(link(s.ctl_path, held), 0);
	ck_assert_uint_eq(prov_store_put(&s, b, lb, 0, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_msg(same_file(s.ctl_path, b, lb), "CTLFile.tlv is b");
	ck_assert_msg(same_file(held, a, la), "the old inode still holds a, whole");
	ck_assert_msg(same_file(s.bak_path, a, la), "CTLFile.tlv.bak is a");
	ck_assert_int_eq(stat(s.bak_path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	/* A file that does not parse, replaced with OVERRIDE: not kept as the backup. */
	put_file(s.ctl_path, "junk", 4);
	ck_assert_uint_eq(prov_store_put(&s, a, la, 1, &info, msg, sizeof(msg)), CTL_PROV_OK);
	ck_assert_ptr_nonnull(strstr(msg, "did not parse and was not kept as the backup"));
	ck_assert_msg(same_file(s.bak_path, a, la), "backup still the last CTL that parsed");
	ck_assert_msg(same_file(s.ctl_path, a, la), "installed");
	prov_store_cleanup(&s);
	free(a);
	free(b);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_store");
	TCase *tc;

	tc = tcase_create("store");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, store_install_and_trust);
	tcase_add_test(tc, store_refusals);
	tcase_add_test(tc, store_sweep_sbd_outputs);
	tcase_add_test(tc, store_mode);
	tcase_add_test(tc, store_symlink_refused);
	tcase_add_test(tc, store_fifo_refused);
	tcase_add_test(tc, store_install_replaces_name);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
