/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the cluster commands print (ctl-client/cluster_report.c): the
 * result table and the JSON object of an upload or mode change, each
 * server's outcome (ok, failed with its error, done earlier), and JSON
 * that stays valid with hostile text in an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "testutil.h"

static const struct cmd cmd_fake = { "mixed-mode", "", "", NULL };

static void
setup(struct cluster *cl)
{
	static const char *const s[] = { "cucm-pub", "cucm-sub1", "cucm-sub2" };
	size_t i;

	memset(cl, 0, sizeof(*cl));
	cl->cmd = &cmd_fake;
	cl->o.user = "admin";
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(prov_target_parse(s[i], &cl->nodes[i].t, NULL, 0), 0);
		cl->nodes[i].mode = cl->nodes[i].mode_after = -1;
	}
	cl->n = 3;
	snprintf(cl->nodes[0].hostname, sizeof(cl->nodes[0].hostname), "pub");
	snprintf(cl->nodes[0].md5_after, sizeof(cl->nodes[0].md5_after), "%s",
	         "0123456789abcdef0123456789abcdef");
	cl->nodes[0].mode_after = 1;
	cl->nodes[1].skip = 1; /* done in an earlier run */
	cl->nodes[2].failed = 1;
	cl->nodes[2].rc = EXIT_NETWORK;
	snprintf(cl->nodes[2].err, sizeof(cl->nodes[2].err), "%s", "GET_INFO: \"timeout\"\x01\xff");
}

static char *
render(const struct cluster *cl, int json, const char *md5, size_t nfail)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	if (json)
		cl_report_json(f, cl, md5, nfail);
	else
		cl_report_table(f, cl, md5, nfail);
	fclose(f);
	return buf;
}

START_TEST(table_rows)
{
	struct cluster cl;
	char *out;

	setup(&cl);
	out = render(&cl, 0, "0123456789abcdef0123456789abcdef", 1);
	ck_assert_str_eq(out,
		"SERVER                 HOST                     RESULT  CTL MD5                          MODE\n"
		"cucm-pub:2444          pub                      ok      0123456789abcdef0123456789abcdef 1 (mixed)\n"
		"cucm-sub1:2444         -                        earlier -                                -\n"
		"cucm-sub2:2444         -                        FAILED  -                                -\n"
		"  GET_INFO: \"timeout\"\x01\xff\n"
		"mixed-mode: 1 of 3 servers failed; fix the cause and run 'ctl-client mixed-mode "
		"--retry-failed --user admin' to finish\n");
	free(out);
	cl.nodes[2].failed = 0;
	cl.nodes[2].mode_after = 0;
	out = render(&cl, 0, NULL, 0);
	ck_assert(strstr(out, "cucm-sub2:2444         -                        ok      -                                0 (non-secure)\n") != NULL);
	ck_assert(strstr(out, "mixed-mode: done on all 3 servers\n") != NULL);
	free(out);
}
END_TEST

START_TEST(json_object)
{
	struct cluster cl;
	char *out, want[1024];

	setup(&cl);
	out = render(&cl, 1, "0123456789abcdef0123456789abcdef", 1);
	snprintf(want, sizeof(want),
		"{\"tool\":\"ctl-client\",\"version\":\"%s\",\"command\":\"mixed-mode\",\"ok\":false,"
		"\"md5\":\"0123456789abcdef0123456789abcdef\",\"bridge_md5\":null,\"servers\":["
		"{\"server\":\"cucm-pub:2444\",\"hostname\":\"pub\",\"result\":\"ok\","
		"\"md5\":\"0123456789abcdef0123456789abcdef\",\"mode\":1,\"error\":null},"
		"{\"server\":\"cucm-sub1:2444\",\"hostname\":\"\",\"result\":\"earlier\",\"md5\":null,"
		"\"mode\":null,\"error\":null},"
		"{\"server\":\"cucm-sub2:2444\",\"hostname\":\"\",\"result\":\"failed\",\"md5\":null,"
		"\"mode\":null,\"error\":\"GET_INFO: \\\"timeout\\\"\\u0001\\ufffd\"}]}\n",
		CTL_VERSION_STRING);
	ck_assert_str_eq(out, want);
	free(out);
	out = render(&cl, 1, NULL, 0);
	ck_assert(strstr(out, "\"ok\":true,\"md5\":null,\"bridge_md5\":null,") != NULL);
	free(out);
	/* A bridge CTL installed before the result's (tokens <-> tokenless). */
	memcpy(cl.bridge_md5, "fedcba9876543210fedcba9876543210", 33);
	out = render(&cl, 1, "0123456789abcdef0123456789abcdef", 0);
	ck_assert(strstr(out, "\"md5\":\"0123456789abcdef0123456789abcdef\","
	                      "\"bridge_md5\":\"fedcba9876543210fedcba9876543210\",") != NULL);
	free(out);
}
END_TEST

START_TEST(failures_and_installed)
{
	struct cluster cl;

	setup(&cl);
	ck_assert_int_eq(cl_report_failures(&cl), EXIT_NETWORK);
	cl.nodes[2].failed = 0;
	ck_assert_int_eq(cl_report_failures(&cl), EXIT_OK);
	ck_assert_int_eq(cl_pick_installed(&cl), -1);
	cl.nodes[1].ctl = (uint8_t *)"x";
	snprintf(cl.nodes[1].ctl_md5, sizeof(cl.nodes[1].ctl_md5), "aa");
	cl.nodes[2].ctl = (uint8_t *)"y";
	snprintf(cl.nodes[2].ctl_md5, sizeof(cl.nodes[2].ctl_md5), "bb");
	ck_assert_int_eq(cl_pick_installed(&cl), 1);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cluster_report");
	TCase *ok = tcase_create("ok");

	tcase_add_test(ok, table_rows);
	tcase_add_test(ok, json_object);
	tcase_add_test(ok, failures_and_installed);
	suite_add_tcase(s, ok);
	return s;
}

CTL_TEST_MAIN(make_suite)
