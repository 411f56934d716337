/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CTL plan of the cluster commands (ctl-client/cluster_plan.c),
 * without tokens or network: a (certificate, role) is planned once
 * whether it comes from a server, a token or a record kept from the
 * installed CTL; the plan is bounded; the servers' certificates carry
 * their host name, address and origin; the SAST count; the listing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "testutil.h"

START_TEST(once_per_cert_and_role)
{
	struct cl_plan p;
	X509 *s1 = tu_cert("sast1"), *s2 = tu_cert("sast2");
	uint16_t r;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(cl_plan_add_cert(&p, s1, CTL_ROLE_SAST, NULL, NULL, "token A"), 0);
	ck_assert_int_eq(cl_plan_add_cert(&p, s1, CTL_ROLE_SAST, NULL, NULL, "token A again"), 1);
	ck_assert_int_eq(cl_plan_add_cert(&p, s2, CTL_ROLE_SAST, NULL, NULL, "token B"), 0);
	ck_assert_int_eq(cl_plan_add_cert(&p, s1, CTL_ROLE_CCM, "x", NULL, "server"), 0);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_uint_eq(cl_plan_nsast(&p), 2);
	ck_assert_str_eq(p.e[0].source, "token A");
	/* Bounded: the 65th distinct (certificate, role) is refused. */
	for (r = 100; p.n < CL_MAX_ENTRIES; r++)
		ck_assert_int_eq(cl_plan_add_cert(&p, s2, r, NULL, NULL, "filler"), 0);
	ck_assert_int_eq(cl_plan_add_cert(&p, s2, r, NULL, NULL, "one too many"), -1);
	ck_assert_uint_eq(p.n, CL_MAX_ENTRIES);
	cl_plan_free(&p);
	ck_assert_uint_eq(p.n, 0);
	X509_free(s1);
	X509_free(s2);
}
END_TEST

/* A record kept from the installed CTL and the same certificate from a server are one entry. */
START_TEST(kept_records)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, TU_NSTD);
	struct ctl_signer *sg = tu_signer("sast1");
	struct cl_plan p;
	struct ctl_file *f;
	uint8_t *bytes;
	size_t len, i;
	X509 *ccm1 = tu_cert("ccm1");

	bytes = tu_sign(b, sg, &len);
	f = tu_parse(bytes, len);
	memset(&p, 0, sizeof(p));
	for (i = 0; i < ctl_file_nrecords(f); i++)
		ck_assert_int_eq(cl_plan_add_record(&p, ctl_file_record(f, i), "installed CTL"), 0);
	ck_assert_uint_eq(p.n, TU_NSTD);
	ck_assert_int_eq(cl_plan_add_record(&p, ctl_file_record(f, 0), "installed CTL"), 1);
	ck_assert_int_eq(cl_plan_add_cert(&p, ccm1, CTL_ROLE_CCM_TFTP, "cucm-pub", NULL, "server"), 1);
	ck_assert_uint_eq(cl_plan_nsast(&p), 2);
	ck_assert_str_eq(p.e[2].dns, "cucm-pub.example.lab");
	ck_assert_int_eq(p.e[2].has_ip, 1);
	cl_plan_free(&p);
	X509_free(ccm1);
	ctl_file_free(f);
	free(bytes);
	ctl_signer_free(sg);
	ctl_builder_free(b);
}
END_TEST

START_TEST(servers_and_listing)
{
	static const uint8_t ip[4] = { 192, 0, 2, 11 };
	struct cluster cl;
	struct cl_plan p;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	memset(&cl, 0, sizeof(cl));
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(prov_target_parse("cucm-pub", &cl.nodes[0].t, NULL, 0), 0);
	snprintf(cl.nodes[0].hostname, sizeof(cl.nodes[0].hostname), "cucm-pub.example.lab");
	cl.nodes[0].has_ip = 1;
	memcpy(cl.nodes[0].ip, ip, 4);
	cl.nodes[0].certs[0].role = CTL_ROLE_CCM_TFTP;
	cl.nodes[0].certs[0].cert = tu_cert("ccm1");
	cl.nodes[0].certs[1].role = CTL_ROLE_CAPF;
	cl.nodes[0].certs[1].cert = tu_cert("capf");
	cl.nodes[0].ncerts = 2;
	cl.n = 1;
	ck_assert_int_eq(cl_plan_add_servers(&p, &cl), EXIT_OK);
	ck_assert_uint_eq(p.n, 2);
	ck_assert_str_eq(p.e[0].dns, "cucm-pub.example.lab");
	ck_assert_mem_eq(p.e[1].ip, ip, 4);
	ck_assert_str_eq(p.e[1].source, "cucm-pub:2444");
	ck_assert_uint_eq(cl_plan_nsast(&p), 0);
	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	cl_plan_show(&p, &cl, f);
	fclose(f);
	ck_assert_msg(strstr(out, "The CTL will hold 2 records:\n") == out, "%s", out);
	ck_assert_msg(strstr(out, "cucm-pub.example.lab/192.0.2.11") != NULL, "%s", out);
	free(out);
	cl_plan_free(&p);
	X509_free(cl.nodes[0].certs[0].cert);
	X509_free(cl.nodes[0].certs[1].cert);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cluster_plan");
	TCase *ok = tcase_create("ok");

	tcase_add_test(ok, once_per_cert_and_role);
	tcase_add_test(ok, kept_records);
	tcase_add_test(ok, servers_and_listing);
	suite_add_tcase(s, ok);
	return s;
}

CTL_TEST_MAIN(make_suite)
