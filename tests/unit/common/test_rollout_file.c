/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rollout_file.c: a table written and read back byte for byte; every
 * truncation refused with an offset; hostile counts, indexes, names,
 * kinds and a broken checksum refused with what and where; the summary's
 * groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "testutil.h"
#include "rollout_file.h"

/* The file encoding_is_stable expects (from the field-by-field encoder). */
#define EXPECT_LEN 341
#define EXPECT_MD5 "25e8c7ee5300d639418560190c926577"

static struct rollout_records *
sample(void)
{
	struct rollout_records *r = calloc(1, sizeof(*r));

	r->nversions = 3;
	r->ndevices = 3;
	r->versions = calloc(3, sizeof(*r->versions));
	r->devices = calloc(3, sizeof(*r->devices));
	r->versions[0] = (struct rollout_rec_version){ ROLLOUT_CTL, { 1 }, 1700000000, 100, "CN=sast1" };
	r->versions[1] = (struct rollout_rec_version){ ROLLOUT_CTL, { 2 }, 1700000500, 200, "CN=sast2" };
	r->versions[2] = (struct rollout_rec_version){ ROLLOUT_ITL, { 3 }, 0, 100, "" };
	for (unsigned i = 0; i < 3; i++) {
		struct rollout_rec_device *d = &r->devices[i];

		snprintf(d->name, sizeof(d->name), "SEP00000000000%u", i);
		d->last_seen = 150 + i * 50;
		d->present = 3;
		d->slot[ROLLOUT_CTL] = (struct rollout_rec_slot){ i == 2 ? 1 : 0, 150 + i * 50, 1, 4,
		                                                  { 127, 0, 0, 1 }, 5000 };
		d->slot[ROLLOUT_ITL] = (struct rollout_rec_slot){ 2, 150, (uint8_t)(i != 1), 6,
		                                                  { 0 }, 6000 };
		d->slot[ROLLOUT_ITL].addr[15] = 1;
	}
	return r;
}

START_TEST(round_trip)
{
	struct rollout_records *r = sample(), *back;
	struct ctl_diag d;
	uint8_t *p, *p2;
	size_t n, n2;

	ck_assert_int_eq(rollout_file_encode(r, &p, &n), CTL_OK);
	ck_assert_mem_eq(p, "CTLROLL1", 8);
	ck_assert_int_eq(rollout_file_decode(p, n, &back, &d), CTL_OK);
	ck_assert_uint_eq(back->nversions, 3);
	ck_assert_uint_eq(back->ndevices, 3);
	ck_assert_str_eq(back->versions[1].signer, "CN=sast2");
	ck_assert_int_eq(back->versions[1].timestamp, 1700000500);
	ck_assert_str_eq(back->devices[2].name, "SEP000000000002");
	ck_assert_uint_eq(back->devices[2].slot[ROLLOUT_CTL].version, 1);
	ck_assert_uint_eq(back->devices[1].slot[ROLLOUT_ITL].complete, 0);
	ck_assert_uint_eq(back->devices[1].slot[ROLLOUT_ITL].addr[15], 1);
	ck_assert_uint_eq(back->devices[0].slot[ROLLOUT_CTL].port, 5000);
	ck_assert_int_eq(rollout_file_encode(back, &p2, &n2), CTL_OK);
	ck_assert_uint_eq(n, n2);
	ck_assert_mem_eq(p, p2, n);
	free(p2);
	rollout_records_free(back);
	rollout_records_free(r);
	free(p);
}
END_TEST

/*
 * The encoder's exact bytes (md5 of the whole file, taken from the field-by-field
 * encoder): a faster encoder must write the same file. Covers IPv4, IPv6, an
 * unknown address (family 0, no address bytes), a device without kinds, a
 * signer and none.
 */
START_TEST(encoding_is_stable)
{
	struct rollout_records *r = sample();
	uint8_t *p, sum[16];
	unsigned len = 0;
	char hex[33];
	size_t n;

	r->devices[1].slot[ROLLOUT_CTL].family = 0;
	r->devices[1].present = 7;
	r->devices[1].slot[ROLLOUT_CONFIG] = (struct rollout_rec_slot){ 2, -5, 0, 9, { 9, 9 }, 69 };
	r->devices[2].present = 0;
	r->devices[0].last_seen = INT64_MIN;
	ck_assert_int_eq(rollout_file_encode(r, &p, &n), CTL_OK);
	ck_assert_uint_eq(n, EXPECT_LEN);
	ck_assert_int_eq(EVP_Digest(p, n, sum, &len, EVP_md5(), NULL), 1);
	for (unsigned i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	ck_assert_str_eq(hex, EXPECT_MD5);
	rollout_records_free(r);
	free(p);
}
END_TEST

START_TEST(every_truncation_refused)
{
	struct rollout_records *r = sample(), *back;
	struct ctl_diag d;
	uint8_t *p;
	size_t n;

	ck_assert_int_eq(rollout_file_encode(r, &p, &n), CTL_OK);
	for (size_t k = 0; k < n; k++) {
		memset(&d, 0, sizeof(d));
		ck_assert_int_ne(rollout_file_decode(p, k, &back, &d), CTL_OK);
		ck_assert_ptr_null(back);
		ck_assert_ptr_nonnull(strstr(d.msg, "at byte offset"));
	}
	rollout_records_free(r);
	free(p);
}
END_TEST

/* Re-seals a modified image with a valid checksum, as a hostile writer would. */
static void
reseal(uint8_t *p, size_t n)
{
	unsigned len;

	ck_assert_int_eq(EVP_Digest(p, n - 16, p + n - 16, &len, EVP_md5(), NULL), 1);
}

static void
expect_refused(const uint8_t *p, size_t n, const char *what, size_t off)
{
	struct rollout_records *back;
	struct ctl_diag d;
	char want[128];

	memset(&d, 0, sizeof(d));
	ck_assert_int_ne(rollout_file_decode(p, n, &back, &d), CTL_OK);
	ck_assert_ptr_null(back);
	snprintf(want, sizeof(want), "%s at byte offset %zu", what, off);
	ck_assert_str_eq(d.msg + strlen("rollout state: "), want);
}

START_TEST(hostile_files_refused_with_offset)
{
	struct rollout_records *r = sample();
	uint8_t *p, *q;
	size_t n, dev0;

	ck_assert_int_eq(rollout_file_encode(r, &p, &n), CTL_OK);
	q = malloc(n);
	/* Damage without resealing: the checksum. */
	memcpy(q, p, n);
	q[20] ^= 1;
	expect_refused(q, n, "checksum does not match (truncated or damaged)", n - 16);
	/* Magic. */
	memcpy(q, p, n);
	q[0] = 'X';
	expect_refused(q, n, "not a rollout state file (magic)", 0);
	/* A device count of 2^32-1. */
	memcpy(q, p, n);
	memset(q + 12, 0xff, 4);
	reseal(q, n);
	expect_refused(q, n, "device count larger than the file", 12);
	/* A version count of 2^32-1. */
	memcpy(q, p, n);
	memset(q + 8, 0xff, 4);
	reseal(q, n);
	expect_refused(q, n, "version count larger than the file", 8);
	/* Version 0's kind 9. */
	memcpy(q, p, n);
	q[16] = 9;
	reseal(q, n);
	expect_refused(q, n, "unknown version kind", 16);
	/* A signer length of 200. */
	memcpy(q, p, n);
	q[16 + 33] = 200;
	reseal(q, n);
	expect_refused(q, n, "signer name too long", 49);
	/* Device 0: its name length, a '/' in it, its first version index. */
	dev0 = 16 + 3 * 34 + strlen("CN=sast1") + strlen("CN=sast2");
	memcpy(q, p, n);
	q[dev0] = 0;
	reseal(q, n);
	expect_refused(q, n, "device name length not 1..23", dev0);
	memcpy(q, p, n);
	q[dev0 + 4] = '/';
	reseal(q, n);
	expect_refused(q, n, "device name has a character not allowed", dev0 + 1);
	memcpy(q, p, n);
	q[dev0 + 1 + 15 + 8 + 1 + 3] = 7;   /* CTL slot's version index 7 of 3 */
	reseal(q, n);
	expect_refused(q, n, "version index out of range", dev0 + 25);
	memcpy(q, p, n);
	q[dev0 + 1 + 15 + 8 + 1 + 3] = 2;   /* the CTL slot pointing at the ITL version */
	reseal(q, n);
	expect_refused(q, n, "version index of another kind", dev0 + 25);
	/* Device 1 renamed device 0: listed twice. */
	{
		size_t dev1 = dev0 + 1 + 15 + 8 + 1 + (4 + 8 + 2 + 4 + 2) + (4 + 8 + 2 + 16 + 2);

		memcpy(q, p, n);
		q[dev1 + 15] = '0';
		reseal(q, n);
		expect_refused(q, n, "a device listed twice", 12);
	}
	free(q);
	free(p);
	rollout_records_free(r);
}
END_TEST

START_TEST(write_then_read_file)
{
	struct rollout_records *r = sample(), *back;
	struct ctl_diag d;
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/rollout.state", tu_tmpdir());
	ck_assert_int_eq(rollout_file_write(path, r, &d), CTL_OK);
	ck_assert_int_eq(rollout_file_read(path, &back, &d), CTL_OK);
	ck_assert_uint_eq(back->ndevices, 3);
	rollout_records_free(back);
	/* An empty file, and no file. */
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	fclose(fp);
	ck_assert_int_eq(rollout_file_read(path, &back, &d), CTL_E_TRUNCATED);
	ck_assert_str_eq(d.msg, "rollout state: file too short for a header and checksum at byte offset 0");
	snprintf(path, sizeof(path), "%s/none", tu_tmpdir());
	ck_assert_int_eq(rollout_file_read(path, &back, &d), CTL_E_IO);
	rollout_records_free(r);
}
END_TEST

START_TEST(summary_groups)
{
	struct rollout_records *r = sample();
	struct rollout_summary *s;
	const uint8_t cur2[16] = { 2 }, itl[16] = { 3 };
	const uint8_t *cur[ROLLOUT_KINDS] = { cur2, itl, NULL };

	/* Versions: v1 first served at 100, v2 at 200; devices 0,1 hold v1 (asked at 150, 200), 2 holds v2. */
	ck_assert_int_eq(rollout_summarize(r, cur, &s), CTL_OK);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].devices, 3);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].current, 1);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].older, 2);
	/*
	 * Device 1 was served v1 at 200, the second v2 was first served: times
	 * are whole seconds, and a device served an older file in the very
	 * second of the change had not asked since it (the boot storm before a
	 * change ends in that second).
	 */
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].not_asked, 2);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].nversions, 2);
	ck_assert_str_eq(s->kind[ROLLOUT_CTL].versions[0].signer, "CN=sast2");
	ck_assert_int_eq(s->kind[ROLLOUT_CTL].versions[0].current, 1);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].versions[1].phones, 2);
	ck_assert_uint_eq(s->kind[ROLLOUT_ITL].current, 3);
	rollout_summary_free(s);
	/* A current CTL no device was served yet: every device is behind and has not asked. */
	{
		const uint8_t cur9[16] = { 9 };
		const uint8_t *c9[ROLLOUT_KINDS] = { cur9, NULL, NULL };

		ck_assert_int_eq(rollout_summarize(r, c9, &s), CTL_OK);
		ck_assert_uint_eq(s->kind[ROLLOUT_CTL].current, 0);
		ck_assert_uint_eq(s->kind[ROLLOUT_CTL].not_asked, 3);
		rollout_summary_free(s);
	}
	rollout_records_free(r);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("rollout_file");
	TCase *tc = tcase_create("rollout_file");

	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, encoding_is_stable);
	tcase_add_test(tc, every_truncation_refused);
	tcase_add_test(tc, hostile_files_refused_with_offset);
	tcase_add_test(tc, write_then_read_file);
	tcase_add_test(tc, summary_groups);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
