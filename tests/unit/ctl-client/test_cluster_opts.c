/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cluster commands' options (ctl-client/cluster_opts.c): defaults,
 * the options each command takes, bounds, and the refusals (a --password
 * on the command line, --reason without --override-trust, no --user or
 * --server, stray arguments).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "testutil.h"

static const struct cmd cmd_fake = { "check", "--server HOST --user NAME", "", NULL };

static int
parse(struct cluster *cl, unsigned bit, const char *a1, const char *a2, const char *a3,
      const char *a4, const char *a5)
{
	char *argv[8] = { (char *)"check" };
	const char *in[5] = { a1, a2, a3, a4, a5 };
	int argc = 1, i, rc;

	for (i = 0; i < 5 && in[i] != NULL; i++)
		argv[argc++] = (char *)in[i];
	opterr = 0; /* getopt's own messages are not what is tested */
	rc = cl_parse(cl, &cmd_fake, bit, argc, argv);
	pthread_mutex_destroy(&cl->lock);
	return rc;
}

START_TEST(defaults_and_values)
{
	struct cluster cl;

	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server", "a", "--user", "admin", NULL), 0);
	ck_assert_uint_eq(cl.o.nservers, 1);
	ck_assert_str_eq(cl.o.servers[0], "a");
	ck_assert_str_eq(cl.o.user, "admin");
	ck_assert_uint_eq(cl.o.timeout, 15);
	ck_assert_uint_eq(cl.o.days, 30);
	ck_assert_int_eq(cl.set_mode, -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", "--days=0", "--timeout=3600",
	                       "--json"), 0);
	ck_assert_uint_eq(cl.o.days, 0);
	ck_assert_uint_eq(cl.o.timeout, 3600);
	ck_assert_int_eq(cl.o.json, 1);
	/* --retry-failed needs no --server: the servers come from the saved state. */
	ck_assert_int_eq(parse(&cl, CL_C_UPDATE, "--user=u", "--retry-failed", NULL, NULL, NULL), 0);
}
END_TEST

START_TEST(refused)
{
	struct cluster cl;

	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", "--timeout=0", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", "--timeout=3601", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", "--days=36501", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", "--password", "s3cret", NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", NULL, NULL, NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--user=u", NULL, NULL, NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", "stray", NULL, NULL), -1);
	/* Options of other commands. */
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", "--yes", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_NON_SECURE, "--server=a", "--user=u", "--token=t", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_MIXED, "--server=a", "--user=u", "--reason=x", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_MIXED, "--server=a", "--user=u", "--reason=x", "--override-trust",
	                       NULL), 0);
}
END_TEST

START_TEST(help_lists_the_command_options)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	cl_help(f, &cmd_fake, CL_C_CHECK);
	fclose(f);
	ck_assert(strstr(buf, "usage: ctl-client check --server HOST --user NAME\n") == buf);
	ck_assert(strstr(buf, "  --days N ") != NULL);
	ck_assert(strstr(buf, "  --yes ") == NULL);
	ck_assert(strstr(buf, "  --token ") == NULL);
	free(buf);
}
END_TEST

START_TEST(tokenless_and_layout)
{
	struct cluster cl;

	ck_assert_int_eq(parse(&cl, CL_C_MIXED, "--server=a", "--user=u", NULL, NULL, NULL), 0);
	ck_assert_int_eq(cl.o.tokenless, 0);
	ck_assert_int_eq(cl.o.layout, CL_LAYOUT_12X);
	ck_assert_int_eq(parse(&cl, CL_C_MIXED, "--server=a", "--user=u", "--tokenless", NULL, NULL), 0);
	ck_assert_int_eq(cl.o.tokenless, 1);
	ck_assert_int_eq(cl.o.layout, CL_LAYOUT_12X);
	ck_assert_int_eq(parse(&cl, CL_C_UPDATE, "--server=a", "--user=u", "--tokenless", "--layout=10x", NULL), 0);
	ck_assert_int_eq(cl.o.layout, CL_LAYOUT_10X);
	ck_assert_int_eq(parse(&cl, CL_C_NON_SECURE, "--server=a", "--user=u", "--tokenless", "--layout", "12x"), 0);
	ck_assert_int_eq(cl.o.layout, CL_LAYOUT_12X);
	/* add-token picks the signer of its tokenless bridge. */
	ck_assert_int_eq(parse(&cl, CL_C_ADD_TOKEN, "--server=a", "--user=u", "--layout=10x", NULL, NULL), 0);
	ck_assert_int_eq(cl.o.layout, CL_LAYOUT_10X);
	ck_assert_int_eq(parse(&cl, CL_C_MIXED, "--server=a", "--user=u", "--tokenless", "--layout=11x", NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_MIXED, "--server=a", "--user=u", "--tokenless", "--layout=", NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_UPDATE, "--server=a", "--user=u", "--layout=10x", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", "--tokenless", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_DELETE, "--server=a", "--user=u", "--tokenless", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_RESET_LOCALKEY, "--server=a", "--user=u", "--layout=10x", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_RESET_LOCALKEY, "--server=a", "--user=u", "--token=t", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_RESET_LOCALKEY, "--server=a", "--user=u", "--yes", NULL, NULL), 0);
}
END_TEST

START_TEST(itl_reset_action)
{
	struct cluster cl;

	ck_assert_int_eq(parse(&cl, CL_C_ITL_RESET, "localkey", "--server=a", "--user=u", NULL, NULL), 0);
	ck_assert_int_eq(cl.o.itl_action, CL_ITL_LOCALKEY);
	ck_assert_str_eq(cl.o.itl_action_name, "localkey");
	/* The action may come after the options. */
	ck_assert_int_eq(parse(&cl, CL_C_ITL_RESET, "--server=a", "--user=u", "remotekey", NULL, NULL), 0);
	ck_assert_int_eq(cl.o.itl_action, CL_ITL_REMOTEKEY);
	ck_assert_int_eq(parse(&cl, CL_C_ITL_RESET, "--server=a", "done", "--user=u", NULL, NULL), 0);
	ck_assert_int_eq(cl.o.itl_action, CL_ITL_DONE);
	ck_assert_int_eq(parse(&cl, CL_C_ITL_RESET, "--server=a", "--user=u", NULL, NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_ITL_RESET, "--server=a", "--user=u", "LOCALKEY", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_ITL_RESET, "--server=a", "--user=u", "localkey", "done", NULL), -1);
	/* CUCM's `utils itl reset` asks nothing: no --yes, no --retry-failed. */
	ck_assert_int_eq(parse(&cl, CL_C_ITL_RESET, "localkey", "--server=a", "--user=u", "--yes", NULL), -1);
	/* Other commands take no operand. */
	ck_assert_int_eq(parse(&cl, CL_C_RESET_LOCALKEY, "--server=a", "--user=u", "localkey", NULL, NULL), -1);
	ck_assert_int_eq(parse(&cl, CL_C_CHECK, "--server=a", "--user=u", NULL, NULL, NULL), 0);
	ck_assert_int_eq(cl.o.itl_action, -1);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cluster_opts");
	TCase *ok = tcase_create("ok");

	tcase_add_test(ok, defaults_and_values);
	tcase_add_test(ok, refused);
	tcase_add_test(ok, help_lists_the_command_options);
	tcase_add_test(ok, tokenless_and_layout);
	tcase_add_test(ok, itl_reset_action);
	suite_add_tcase(s, ok);
	return s;
}

CTL_TEST_MAIN(make_suite)
