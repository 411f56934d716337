/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rollout.c, rollout_records.c, rollout_tap.c: a device's last version
 * per kind, versions interned and released, the least recently seen
 * device evicted when full, forgetting, 100,000 devices under 32 MB by
 * the table's own accounting, export/import, the summary's counts, and
 * the requested names that are (and are not) a device's.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "rollout.h"
#include "tftp_cache.h"

static void
md5_n(uint8_t md5[16], unsigned n)
{
	memset(md5, 0, 16);
	md5[0] = (uint8_t)n;
	md5[1] = (uint8_t)(n >> 8);
	md5[2] = (uint8_t)(n >> 16);
	md5[15] = 0xa5;
}

static struct sockaddr_in
v4(const char *a, unsigned port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return s;
}

START_TEST(note_keeps_last_version_per_kind)
{
	struct rollout *r = rollout_new(10, 0);
	struct sockaddr_in a = v4("127.0.0.5", 4000);
	struct rollout_records *rec;
	uint8_t m1[16], m2[16], m3[16];

	ck_assert_ptr_nonnull(r);
	md5_n(m1, 1);
	md5_n(m2, 2);
	md5_n(m3, 3);
	rollout_note(r, "SEP001122334455", ROLLOUT_CTL, m1, (struct sockaddr *)&a, 0, 1000);
	rollout_note(r, "SEP001122334455", ROLLOUT_ITL, m3, (struct sockaddr *)&a, 1, 1001);
	rollout_note(r, "SEP001122334466", ROLLOUT_CTL, m1, NULL, 1, 1002);
	ck_assert_uint_eq(rollout_versions(r), 2);
	rollout_note(r, "SEP001122334455", ROLLOUT_CTL, m2, (struct sockaddr *)&a, 1, 1005);
	ck_assert_uint_eq(rollout_devices(r), 2);
	ck_assert_uint_eq(rollout_versions(r), 3);
	ck_assert_int_eq(rollout_dirty(r), 1);
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_int_eq(rollout_dirty(r), 0);
	ck_assert_uint_eq(rec->ndevices, 2);
	/* Oldest first: ...66 was last seen at 1002, ...55 at 1005. */
	ck_assert_str_eq(rec->devices[0].name, "SEP001122334466");
	ck_assert_str_eq(rec->devices[1].name, "SEP001122334455");
	ck_assert_uint_eq(rec->devices[1].present, 3);
	ck_assert_int_eq(rec->devices[1].slot[ROLLOUT_CTL].when, 1005);
	ck_assert_uint_eq(rec->devices[1].slot[ROLLOUT_CTL].complete, 1);
	ck_assert_uint_eq(rec->devices[1].slot[ROLLOUT_CTL].family, 4);
	ck_assert_uint_eq(rec->devices[1].slot[ROLLOUT_CTL].port, 4000);
	ck_assert_mem_eq(rec->devices[1].slot[ROLLOUT_CTL].addr, "\x7f\x00\x00\x05", 4);
	ck_assert_mem_eq(rec->versions[rec->devices[1].slot[ROLLOUT_CTL].version].md5, m2, 16);
	ck_assert_mem_eq(rec->versions[rec->devices[0].slot[ROLLOUT_CTL].version].md5, m1, 16);
	rollout_records_free(rec);
	/* The last holder of m1 moves on: m1's record is released. */
	rollout_note(r, "SEP001122334466", ROLLOUT_CTL, m2, NULL, 1, 1006);
	ck_assert_uint_eq(rollout_versions(r), 2);
	/* Hostile names are counted, not stored. */
	rollout_note(r, "SEP/../etc", ROLLOUT_CTL, m2, NULL, 1, 1006);
	rollout_note(r, "SEP0011223344556677889900112233", ROLLOUT_CTL, m2, NULL, 1, 1006);
	rollout_note(r, "", ROLLOUT_CTL, m2, NULL, 1, 1006);
	ck_assert_uint_eq(rollout_devices(r), 2);
	rollout_free(r);
}
END_TEST

START_TEST(full_table_evicts_least_recently_seen)
{
	struct rollout *r = rollout_new(3, 0);
	uint8_t m[16];
	struct rollout_records *rec;

	md5_n(m, 7);
	rollout_note(r, "SEPA", ROLLOUT_CTL, m, NULL, 1, 10);
	rollout_note(r, "SEPB", ROLLOUT_CTL, m, NULL, 1, 11);
	rollout_note(r, "SEPC", ROLLOUT_CTL, m, NULL, 1, 12);
	rollout_note(r, "SEPA", ROLLOUT_ITL, m, NULL, 1, 13);   /* A seen again */
	rollout_note(r, "SEPD", ROLLOUT_CTL, m, NULL, 1, 14);   /* B goes */
	ck_assert_uint_eq(rollout_devices(r), 3);
	ck_assert_uint_eq(rollout_evicted(r), 1);
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_str_eq(rec->devices[0].name, "SEPC");
	ck_assert_str_eq(rec->devices[1].name, "SEPA");
	ck_assert_str_eq(rec->devices[2].name, "SEPD");
	rollout_records_free(rec);
	rollout_free(r);
}
END_TEST

/*
 * The seen list moves a device at most once a second: seen again in the
 * same second it keeps its place (the list is in last_seen order all the
 * same), seen in a later second it becomes the newest.
 */
START_TEST(seen_again_same_second_keeps_place)
{
	struct rollout *r = rollout_new(2, 0);
	uint8_t m[16];
	struct rollout_records *rec;

	md5_n(m, 7);
	rollout_note(r, "SEPA", ROLLOUT_CTL, m, NULL, 1, 10);
	rollout_note(r, "SEPB", ROLLOUT_CTL, m, NULL, 1, 10);
	rollout_note(r, "SEPA", ROLLOUT_ITL, m, NULL, 1, 10);   /* same second: A stays first */
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_str_eq(rec->devices[0].name, "SEPA");
	ck_assert_str_eq(rec->devices[1].name, "SEPB");
	ck_assert_int_eq(rec->devices[0].last_seen, 10);
	rollout_records_free(rec);
	rollout_note(r, "SEPA", ROLLOUT_CONFIG, m, NULL, 1, 11);   /* a later second: A last */
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_str_eq(rec->devices[0].name, "SEPB");
	ck_assert_str_eq(rec->devices[1].name, "SEPA");
	ck_assert_int_eq(rec->devices[1].last_seen, 11);
	rollout_records_free(rec);
	rollout_note(r, "SEPC", ROLLOUT_CTL, m, NULL, 1, 11);   /* full: B, seen at 10, goes */
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_uint_eq(rec->ndevices, 2);
	ck_assert_str_eq(rec->devices[0].name, "SEPA");
	ck_assert_str_eq(rec->devices[1].name, "SEPC");
	rollout_records_free(rec);
	rollout_free(r);
}
END_TEST

START_TEST(forget_drops_devices_not_seen)
{
	struct rollout *r = rollout_new(100, 3600);
	uint8_t m[16];

	md5_n(m, 1);
	rollout_note(r, "SEPOLD", ROLLOUT_CTL, m, NULL, 1, 1000);
	rollout_note(r, "SEPNEW", ROLLOUT_CTL, m, NULL, 1, 4000);
	rollout_expire(r, 4600);   /* OLD: 3600 s, not more */
	ck_assert_uint_eq(rollout_devices(r), 2);
	rollout_expire(r, 4601);
	ck_assert_uint_eq(rollout_devices(r), 1);
	rollout_expire(r, 100000);
	ck_assert_uint_eq(rollout_devices(r), 0);
	ck_assert_uint_eq(rollout_versions(r), 0);
	rollout_free(r);
}
END_TEST

/* 100,000 phones, each its own config version plus a shared CTL and ITL. */
START_TEST(hundred_thousand_devices_under_32_mb)
{
	struct rollout *r = rollout_new(100000, 0);
	struct rollout_records *rec;
	struct sockaddr_in6 a;
	uint8_t ctl[16], itl[16], cnf[16];
	char name[32];

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons(50000);
	md5_n(ctl, 0xffffff);
	md5_n(itl, 0xfffffe);
	itl[14] = 1;
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "SEP%012X", i);
		md5_n(cnf, i);
		cnf[14] = 2;
		rollout_note(r, name, ROLLOUT_CTL, ctl, (struct sockaddr *)&a, 1, 1000 + i);
		rollout_note(r, name, ROLLOUT_ITL, itl, (struct sockaddr *)&a, 1, 1000 + i);
		rollout_note(r, name, ROLLOUT_CONFIG, cnf, (struct sockaddr *)&a, 1, 1000 + i);
	}
	ck_assert_uint_eq(rollout_devices(r), 100000);
	ck_assert_uint_eq(rollout_versions(r), 2);   /* interned: the CTL and the ITL */
	ck_assert_uint_eq(rollout_evicted(r), 0);
	fprintf(stderr, "rollout: 100,000 devices, 100,002 versions: %zu bytes\n", rollout_bytes(r));
	ck_assert_uint_gt(rollout_bytes(r), 100000u * 100);   /* the accounting counts something */
	ck_assert_uint_lt(rollout_bytes(r), 32u * 1024 * 1024);
	/* Exported, each configuration md5 is a version of its own. */
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_uint_eq(rec->nversions, 100002);
	ck_assert_uint_eq(rec->versions[rec->devices[99999].slot[ROLLOUT_CONFIG].version].kind, ROLLOUT_CONFIG);
	ck_assert_mem_eq(rec->versions[rec->devices[99999].slot[ROLLOUT_CONFIG].version].md5, cnf, 16);
	rollout_records_free(rec);
	rollout_free(r);
}
END_TEST

START_TEST(export_import_round_trip_and_summary)
{
	struct rollout *r = rollout_new(100, 0), *r2 = rollout_new(100, 0);
	struct rollout_records *rec, *rec2;
	struct rollout_summary *s;
	uint8_t v1[16], v2[16], itl[16];
	const uint8_t *cur[ROLLOUT_KINDS] = { v2, itl, NULL };
	char name[32];

	md5_n(v1, 1);
	md5_n(v2, 2);
	md5_n(itl, 3);
	/* 5 phones boot on v1 at t=100; CTL changes; 2 reboot at t=200 and get v2. */
	for (unsigned i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "SEP00000000000%u", i);
		rollout_note(r, name, ROLLOUT_CTL, v1, NULL, 1, 100);
		rollout_note(r, name, ROLLOUT_ITL, itl, NULL, 1, 100);
	}
	rollout_note(r, "SEP000000000000", ROLLOUT_CTL, v2, NULL, 1, 200);
	rollout_note(r, "SEP000000000001", ROLLOUT_CTL, v2, NULL, 1, 200);
	ck_assert_int_eq(rollout_summary_new(r, cur, &s), CTL_OK);
	ck_assert_uint_eq(s->devices, 5);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].current, 2);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].older, 3);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].not_asked, 3);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].nversions, 2);
	ck_assert_int_eq(s->kind[ROLLOUT_CTL].versions[0].current, 1);
	ck_assert_mem_eq(s->kind[ROLLOUT_CTL].versions[0].md5, v2, 16);
	ck_assert_uint_eq(s->kind[ROLLOUT_CTL].versions[1].phones, 3);
	ck_assert_int_eq(s->kind[ROLLOUT_CTL].versions[1].first_served, 100);
	ck_assert_uint_eq(s->kind[ROLLOUT_ITL].current, 5);
	ck_assert_uint_eq(s->kind[ROLLOUT_ITL].not_asked, 0);
	ck_assert_uint_eq(s->kind[ROLLOUT_CONFIG].devices, 0);
	rollout_summary_free(s);

	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_int_eq(rollout_import(r2, rec), CTL_OK);
	ck_assert_uint_eq(rollout_devices(r2), 5);
	ck_assert_uint_eq(rollout_versions(r2), 3);
	ck_assert_int_eq(rollout_export(r2, &rec2), CTL_OK);
	ck_assert_uint_eq(rec2->ndevices, 5);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_str_eq(rec->devices[i].name, rec2->devices[i].name);
		ck_assert_int_eq(rec->devices[i].last_seen, rec2->devices[i].last_seen);
		ck_assert_mem_eq(rec->versions[rec->devices[i].slot[0].version].md5,
		                 rec2->versions[rec2->devices[i].slot[0].version].md5, 16);
	}
	rollout_records_free(rec);
	rollout_records_free(rec2);
	rollout_free(r);
	rollout_free(r2);
}
END_TEST

/*
 * Configuration md5s live in the device records: exported as one version
 * per distinct md5 (two devices served the same bytes share it, first
 * served when the first of them got it), restored into the records again.
 */
START_TEST(config_versions_exported_once_each)
{
	struct rollout *r = rollout_new(10, 0), *r2 = rollout_new(10, 0);
	struct rollout_records *rec, *rec2;
	uint8_t c1[16], c2[16], ctl[16];

	md5_n(c1, 11);
	md5_n(c2, 12);
	md5_n(ctl, 13);
	rollout_note(r, "SEP0000000000A2", ROLLOUT_CONFIG, c1, NULL, 1, 250);
	rollout_note(r, "SEP0000000000A1", ROLLOUT_CONFIG, c1, NULL, 1, 255);
	rollout_note(r, "SEP0000000000A3", ROLLOUT_CONFIG, c2, NULL, 0, 260);
	rollout_note(r, "SEP0000000000A3", ROLLOUT_CTL, ctl, NULL, 1, 260);
	ck_assert_uint_eq(rollout_versions(r), 1);
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_uint_eq(rec->nversions, 3);
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_CONFIG].version, rec->devices[1].slot[ROLLOUT_CONFIG].version);
	ck_assert_uint_ne(rec->devices[0].slot[ROLLOUT_CONFIG].version, rec->devices[2].slot[ROLLOUT_CONFIG].version);
	ck_assert_int_eq(rec->versions[rec->devices[0].slot[ROLLOUT_CONFIG].version].first_served, 250);
	ck_assert_mem_eq(rec->versions[rec->devices[2].slot[ROLLOUT_CONFIG].version].md5, c2, 16);
	ck_assert_uint_eq(rec->devices[2].slot[ROLLOUT_CONFIG].complete, 0);
	/* A device moving to another file moves its slot; the old md5 is exported no more. */
	rollout_note(r, "SEP0000000000A2", ROLLOUT_CONFIG, c2, NULL, 1, 270);
	ck_assert_int_eq(rollout_export(r, &rec2), CTL_OK);
	ck_assert_uint_eq(rec2->nversions, 3);   /* c1 (A1), c2 (A3, A2), the CTL */
	ck_assert_str_eq(rec2->devices[2].name, "SEP0000000000A2");
	ck_assert_mem_eq(rec2->versions[rec2->devices[2].slot[ROLLOUT_CONFIG].version].md5, c2, 16);
	ck_assert_int_eq(rollout_import(r2, rec2), CTL_OK);
	rollout_records_free(rec);
	ck_assert_int_eq(rollout_export(r2, &rec), CTL_OK);
	ck_assert_uint_eq(rec->ndevices, 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_str_eq(rec->devices[i].name, rec2->devices[i].name);
		ck_assert_mem_eq(rec->versions[rec->devices[i].slot[ROLLOUT_CONFIG].version].md5,
		                 rec2->versions[rec2->devices[i].slot[ROLLOUT_CONFIG].version].md5, 16);
		ck_assert_int_eq(rec->devices[i].slot[ROLLOUT_CONFIG].when, rec2->devices[i].slot[ROLLOUT_CONFIG].when);
	}
	rollout_records_free(rec);
	rollout_records_free(rec2);
	rollout_free(r);
	rollout_free(r2);
}
END_TEST

START_TEST(device_names_from_requests)
{
	char d[ROLLOUT_NAME_MAX + 1];
	enum rollout_kind k;

	ck_assert_int_eq(rollout_device_of("CTLSEP001122AABBCC.tlv", d, &k), 1);
	ck_assert_str_eq(d, "SEP001122AABBCC");
	ck_assert_int_eq(k, ROLLOUT_CTL);
	ck_assert_int_eq(rollout_device_of("ITLSEP001122AABBCC.tlv", d, &k), 1);
	ck_assert_int_eq(k, ROLLOUT_ITL);
	ck_assert_int_eq(rollout_device_of("SEP001122AABBCC.cnf.xml", d, &k), 1);
	ck_assert_int_eq(k, ROLLOUT_CONFIG);
	ck_assert_int_eq(rollout_device_of("SEP001122AABBCC.cnf.xml.sgn", d, &k), 1);
	ck_assert_str_eq(d, "SEP001122AABBCC");
	ck_assert_int_eq(rollout_device_of("SEP001122AABBCC.cnf.xml.enc.sgn", d, &k), 1);
	ck_assert_int_eq(rollout_device_of("CTLFile.tlv", d, &k), 0);
	ck_assert_int_eq(rollout_device_of("ITLFile.tlv", d, &k), 0);
	ck_assert_int_eq(rollout_device_of("CTLSEP.tlv", d, &k), 0);
	ck_assert_int_eq(rollout_device_of("SEP.cnf.xml", d, &k), 0);
	ck_assert_int_eq(rollout_device_of("CTLSEP0123456789012345678901.tlv", d, &k), 0);
	ck_assert_int_eq(rollout_device_of("XMLDefault.cnf.xml", d, &k), 0);
	ck_assert_int_eq(rollout_device_of("SEP001122AABBCC.cnf.xml.bak", d, &k), 0);
}
END_TEST


/* A transfer noted at its start (incomplete) and at its end (complete or not). */
START_TEST(transfers_start_and_end)
{
	struct rollout *r = rollout_new(10, 0);
	struct sockaddr_in a = v4("127.0.0.9", 6000);
	struct sockaddr_in6 a6;
	static const uint8_t bytes[] = "not a CTL, but bytes all the same";
	struct tftp_file f;
	struct rollout_records *rec;
	struct rollout_flight *k1 = NULL, *k2 = NULL, *k3 = NULL, *k4 = NULL, *k5 = NULL;

	memset(&f, 0, sizeof(f));
	f.name = "CTLFile.tlv";
	f.data = bytes;
	f.size = sizeof(bytes);
	f.ino = 42;
	rollout_start(r, &k1, "CTLSEP00AABBCCDDEE.tlv", &f, (struct sockaddr *)&a, 500);
	rollout_start(r, &k2, "ITLSEP00AABBCCDDEE.tlv", &f, (struct sockaddr *)&a, 500);
	rollout_start(r, &k3, "CTLFile.tlv", &f, (struct sockaddr *)&a, 500);   /* no device */
	/* A name no device may have: nothing noted, and its end notes nothing either. */
	rollout_start(r, &k5, "CTLSEP00AA:BBCCDDEE.tlv", &f, (struct sockaddr *)&a, 500);
	ck_assert_ptr_null(k3);
	ck_assert_ptr_null(k5);
	ck_assert_ptr_nonnull(k1);
	ck_assert_ptr_ne(k1, k2);
	rollout_end(r, &k5, 1, 501);
	ck_assert_uint_eq(rollout_devices(r), 1);
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_CTL].complete, 0);
	rollout_records_free(rec);
	rollout_end(r, &k1, 1, 501);
	rollout_end(r, &k2, 0, 501);
	rollout_end(r, &k3, 1, 501);   /* never started: nothing */
	ck_assert_ptr_null(k1);
	rollout_end(r, &k1, 1, 502);   /* ended already: nothing */
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_str_eq(rec->devices[0].name, "SEP00AABBCCDDEE");
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_CTL].complete, 1);
	ck_assert_int_eq(rec->devices[0].slot[ROLLOUT_CTL].when, 501);
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_ITL].complete, 0);
	ck_assert_int_eq(rec->devices[0].slot[ROLLOUT_ITL].when, 500);
	/* The peer, as the transfer's start saw it, noted again at its end. */
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_CTL].family, 4);
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_CTL].port, 6000);
	ck_assert_mem_eq(rec->devices[0].slot[ROLLOUT_CTL].addr, "\x7f\0\0\x09", 4);
	/* md5 of the bytes served (md5sum of "not a CTL, but bytes all the same\0"). */
	ck_assert_uint_eq(rec->nversions, 2);
	rollout_records_free(rec);
	/* An IPv6 peer: address and port kept through the end. */
	memset(&a6, 0, sizeof(a6));
	a6.sin6_family = AF_INET6;
	a6.sin6_port = htons(7000);
	ck_assert_int_eq(inet_pton(AF_INET6, "::1", &a6.sin6_addr), 1);
	rollout_start(r, &k4, "CTLSEP00AABBCCDDEE.tlv", &f, (struct sockaddr *)&a6, 600);
	rollout_end(r, &k4, 1, 601);
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_CTL].family, 6);
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_CTL].port, 7000);
	ck_assert_mem_eq(rec->devices[0].slot[ROLLOUT_CTL].addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	ck_assert_int_eq(rec->devices[0].slot[ROLLOUT_CTL].when, 601);
	rollout_records_free(rec);
	rollout_free(r);
}
END_TEST

/*
 * A transfer's end notes on the device record its start found; a record
 * that left the table in between (evicted, forgotten, replaced by a
 * restore) is not touched again: the end notes by name, as for any device,
 * and the old record is freed (ASan: no use after free, no leak).
 */
START_TEST(transfer_outlives_its_device_record)
{
	struct rollout *r = rollout_new(1, 0);
	struct sockaddr_in a = v4("127.0.0.9", 6000);
	static const uint8_t bytes[] = "config bytes";
	static const uint8_t other[16] = { 7 };
	struct tftp_file f;
	struct rollout_records *rec;
	struct rollout_flight *k1 = NULL, *k2 = NULL, *k3 = NULL;

	memset(&f, 0, sizeof(f));
	f.name = "SEP00AABBCCDDEE.cnf.xml";
	f.data = bytes;
	f.size = sizeof(bytes);
	f.ino = 43;
	rollout_start(r, &k1, "SEP00AABBCCDDEE.cnf.xml", &f, (struct sockaddr *)&a, 500);
	rollout_start(r, &k2, "CTLSEP00AABBCCDDEE.tlv", &f, (struct sockaddr *)&a, 500);
	/* A full table (one device): another device evicts the one in flight. */
	rollout_note(r, "SEP001111111111", ROLLOUT_CTL, other, NULL, 1, 510);
	ck_assert_uint_eq(rollout_devices(r), 1);
	rollout_end(r, &k1, 1, 520);
	ck_assert_uint_eq(rollout_devices(r), 1);
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_str_eq(rec->devices[0].name, "SEP00AABBCCDDEE");
	ck_assert_uint_eq(rec->devices[0].present, 1u << ROLLOUT_CONFIG);
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_CONFIG].complete, 1);
	ck_assert_int_eq(rec->devices[0].slot[ROLLOUT_CONFIG].when, 520);
	ck_assert_int_eq(rec->devices[0].last_seen, 520);
	rollout_records_free(rec);
	/* A record still in the table: the end finds it (and moves it to the newest end). */
	rollout_start(r, &k3, "ITLSEP00AABBCCDDEE.tlv", &f, (struct sockaddr *)&a, 530);
	rollout_end(r, &k3, 1, 540);
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_uint_eq(rec->ndevices, 1);
	ck_assert_uint_eq(rec->devices[0].slot[ROLLOUT_ITL].complete, 1);
	ck_assert_int_eq(rec->devices[0].slot[ROLLOUT_ITL].when, 540);
	ck_assert_int_eq(rec->devices[0].last_seen, 540);
	rollout_records_free(rec);
	/* k2 (never ended) still holds the evicted record: freed with the table. */
	rollout_free(r);
}
END_TEST

/* The config md5 a device's record holds after one transfer of f at now. */
static void
config_md5_after(struct rollout *r, const struct tftp_file *f, time_t now, uint8_t md5[16])
{
	struct sockaddr_in a = v4("127.0.0.9", 6000);
	struct rollout_records *rec;
	struct rollout_flight *k = NULL;

	rollout_start(r, &k, "SEP00AABBCCDDEE.cnf.xml.sgn", f, (struct sockaddr *)&a, now);
	rollout_end(r, &k, 1, now);
	ck_assert_int_eq(rollout_export(r, &rec), CTL_OK);
	ck_assert_uint_eq(rec->ndevices, 1);
	memcpy(md5, rec->versions[rec->devices[0].slot[ROLLOUT_CONFIG].version].md5, 16);
	rollout_records_free(rec);
}

/*
 * A phone that fetches its own configuration file again, the file's
 * identity (inode, size, times) unchanged, keeps the md5 its record holds:
 * the file is not hashed again. Seen here by serving other bytes under the
 * same identity (which a real file cannot do): the md5 does not move. A new
 * change time, or one too recent to vouch for the bytes (within 2 s of the
 * transfer: a write in the same clock tick leaves it as it was), gets the
 * bytes hashed.
 */
START_TEST(unchanged_config_not_hashed_again)
{
	struct rollout *r = rollout_new(10, 0);
	static const uint8_t one[] = "config one", two[] = "config two";
	/* md5sum of "config one\0" and "config two\0" */
	static const uint8_t md5_one[16] = { 0x8d, 0xf3, 0x19, 0x3d, 0xf7, 0x90, 0x8f, 0x6f,
	                                     0xc6, 0x6a, 0x88, 0xcd, 0xe7, 0x35, 0x72, 0x78 };
	static const uint8_t md5_two[16] = { 0xc3, 0x6e, 0x6c, 0x73, 0x8e, 0x86, 0xb9, 0x8b,
	                                     0x73, 0x8e, 0x05, 0x62, 0x7e, 0xa6, 0x9e, 0xf8 };
	uint8_t got[16];
	struct tftp_file f;

	memset(&f, 0, sizeof(f));
	f.name = "SEP00AABBCCDDEE.cnf.xml.sgn";
	f.data = one;
	f.size = sizeof(one);
	f.ino = 77;
	f.ctime_ns = f.mtime_ns = 1000ull * 1000000000u;
	config_md5_after(r, &f, 5000, got);
	ck_assert_mem_eq(got, md5_one, 16);
	/* Same identity, other bytes: the record's md5, not a hash. */
	f.data = two;
	config_md5_after(r, &f, 5100, got);
	ck_assert_mem_eq(got, md5_one, 16);
	/* A new change time: hashed. */
	f.ctime_ns += 1000000000u;
	config_md5_after(r, &f, 5200, got);
	ck_assert_mem_eq(got, md5_two, 16);
	/* Changed back to "one" within the last 2 s, same times as before that: hashed
	 * (and not remembered), then again 1 s later. */
	f.data = one;
	f.ctime_ns = f.mtime_ns = 5299ull * 1000000000u;
	config_md5_after(r, &f, 5300, got);
	ck_assert_mem_eq(got, md5_one, 16);
	f.data = two;
	config_md5_after(r, &f, 5301, got);
	ck_assert_mem_eq(got, md5_two, 16);
	/* No inode: nothing to vouch for the bytes. */
	f.ino = 0;
	f.data = one;
	f.ctime_ns = f.mtime_ns = 1000ull * 1000000000u;
	config_md5_after(r, &f, 6000, got);
	ck_assert_mem_eq(got, md5_one, 16);
	f.data = two;
	config_md5_after(r, &f, 6100, got);
	ck_assert_mem_eq(got, md5_two, 16);
	rollout_free(r);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("rollout");
	TCase *tc = tcase_create("rollout");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, note_keeps_last_version_per_kind);
	tcase_add_test(tc, full_table_evicts_least_recently_seen);
	tcase_add_test(tc, seen_again_same_second_keeps_place);
	tcase_add_test(tc, forget_drops_devices_not_seen);
	tcase_add_test(tc, hundred_thousand_devices_under_32_mb);
	tcase_add_test(tc, export_import_round_trip_and_summary);
	tcase_add_test(tc, config_versions_exported_once_each);
	tcase_add_test(tc, device_names_from_requests);
	tcase_add_test(tc, transfers_start_and_end);
	tcase_add_test(tc, transfer_outlives_its_device_record);
	tcase_add_test(tc, unchanged_config_not_hashed_again);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
