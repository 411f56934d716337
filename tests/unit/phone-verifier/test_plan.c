/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The change planner (phone-verifier/plan_*.c) on clusters read from
 * node.conf files written here (test PKI certificates and keys) and phones
 * whose lists came from those nodes: a CallManager regeneration taken
 * directly in the 12x layout and through TVS in the 8x layout;
 * CallManager and TVS together locking 8x phones out, with TVS first as
 * the safe order; a mixed fleet (another cluster's phones locked out, new
 * phones taking anything); a replaced ITLRecovery (itl-reset in
 * non-secure mode, reset-localkey then update in mixed mode); tokenless
 * mixed mode; a move to another cluster, safe once its certificates are in
 * the old TVS; bad specs.
 */
#include <stdio.h>
#include <string.h>

#include <ctl/ctl.h>

#include "plan.h"
#include "testutil.h"

/* Writes a node.conf for node (hostname nodeN.example.lab) and returns its path (static ring). */
static const char *
conf(const char *name, const char *layout, const char *ccm, const char *tvs, const char *rec,
     const char *extra)
{
	static char ring[4][512];
	static unsigned k;
	char *path = ring[k++ % 4];
	FILE *f;

	snprintf(path, 512, "%s/%s.conf", tu_tmpdir(), name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "# %s\nhostname = %s.example.lab\nipv4 = 192.0.2.11\nitl = yes\n", name, name);
	fprintf(f, "itl_layout = %s\ncallmanager_cert = %s.pem\n", layout, tu_pki(ccm));
	fprintf(f, "callmanager_key = %s.key\n", tu_pki(ccm));
	fprintf(f, "tvs_cert = %s.pem\n", tu_pki(tvs));
	fprintf(f, "itlrecovery_cert = %s.pem\n", tu_pki(rec));
	fprintf(f, "itlrecovery_key = %s.key\n%s", tu_pki(rec), extra != NULL ? extra : "");
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void
cluster(struct plan_cluster *c, const char *path)
{
	char why[1024];

	memset(c, 0, sizeof(*c));
	ck_assert_msg(plan_cluster_add(c, path, why, sizeof(why)) == 0, "%s", why);
	plan_cluster_link(c);
}

/* Phones that booted from node 0 of c (they hold what it serves now), then `fresh` with nothing. */
static struct plan_phone *
phones_of(const struct plan_cluster *c, size_t booted, size_t fresh, struct plan_phone *ph,
          unsigned base)
{
	struct plan_world w = { c, c, PLAN_ITL_NORMAL, PLAN_CTL_NORMAL, NULL };
	struct plan_files f;
	char why[1024];
	size_t i;

	ck_assert_msg(plan_files_build(&w, 0, &f, why, sizeof(why)) == 0, "%s", why);
	for (i = 0; i < booted + fresh; i++) {
		memset(&ph[i], 0, sizeof(ph[i]));
		snprintf(ph[i].mac, sizeof(ph[i].mac), "0011223300%02X", base + (unsigned)i);
		pv_trust_init(&ph[i].held);
		if (i < booted) {
			plan_boot(&w, &f, &ph[i]);
			ck_assert_str_eq(ph[i].status, c->node[0].mixed ? "ctl-itl-installed" : "itl-installed");
			ck_assert_ptr_nonnull(ph[i].held.itl);
		}
	}
	plan_files_free(&f);
	return ph;
}

static void
phones_free(struct plan_phone *ph, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pv_trust_cleanup(&ph[i].held);
}

/* Runs the change as asked; returns the result, classes in ph. */
static struct plan_result
run_direct(const struct plan_cluster *c, const struct plan_cluster *other, const char *spec,
           struct plan_phone *ph, size_t n, struct plan_change *ch)
{
	struct plan_result r;
	char why[1024];

	ck_assert_msg(plan_change_parse(spec, c, other, ch, why, sizeof(why)) == 0, "%s", why);
	ck_assert_msg(plan_run(c, ch, &ch->direct, ph, n, &r, why, sizeof(why)) == 0, "%s", why);
	return r;
}

/* Index of the first safe order that locks nobody out, or -1; ph is left with its classes. */
static int
first_safe(const struct plan_cluster *c, const struct plan_change *ch, struct plan_phone *ph,
           size_t n)
{
	struct plan_result r;
	char why[1024];
	size_t i;

	for (i = 0; i < ch->nsafe; i++) {
		ck_assert_msg(plan_run(c, ch, &ch->safe[i], ph, n, &r, why, sizeof(why)) == 0, "%s", why);
		if (!r.locked_any)
			return (int)i;
	}
	return -1;
}

static void
counts(const struct plan_result *r, size_t direct, size_t tvs, size_t lockout)
{
	ck_assert_uint_eq(r->count[PLAN_DIRECT], direct);
	ck_assert_uint_eq(r->count[PLAN_TVS], tvs);
	ck_assert_uint_eq(r->count[PLAN_LOCKOUT], lockout);
}

START_TEST(regen_callmanager_12x_direct)
{
	struct plan_cluster c;
	struct plan_phone ph[4];
	struct plan_change ch;
	struct plan_result r;

	cluster(&c, conf("node1", "12x", "ccm1", "tvs1", "itlrecovery", NULL));
	phones_of(&c, 3, 1, ph, 0);
	r = run_direct(&c, NULL, "regen-callmanager:1", ph, 4, &ch);
	/* The ITL is still signed by ITLRecovery; the .sgn's new signer comes in it. */
	counts(&r, 4, 0, 0);
	ck_assert_str_eq(ph[0].status, "updated");
	ck_assert_str_eq(ph[3].status, "itl-installed");
	phones_free(ph, 4);
	plan_cluster_free(&c);
}
END_TEST

START_TEST(regen_callmanager_8x_tvs)
{
	struct plan_cluster c;
	struct plan_phone ph[4];
	struct plan_change ch;
	struct plan_result r;

	cluster(&c, conf("node1", "8x", "ccm1", "tvs1", "itlrecovery", NULL));
	phones_of(&c, 3, 1, ph, 0);
	r = run_direct(&c, NULL, "regen-callmanager:node1.example.lab", ph, 4, &ch);
	/* The 8x ITL's signer is the new CallManager: only TVS knows it. A new phone takes anything. */
	counts(&r, 1, 3, 0);
	ck_assert_int_eq(ph[0].cls, PLAN_TVS);
	ck_assert_int_eq(ph[3].cls, PLAN_DIRECT);
	phones_free(ph, 4);
	plan_cluster_free(&c);
}
END_TEST

START_TEST(regen_both_8x_lockout_tvs_first)
{
	struct plan_cluster c;
	struct plan_phone ph[3];
	struct plan_change ch;
	struct plan_result r;
	int s;

	cluster(&c, conf("node1", "8x", "ccm1", "tvs1", "itlrecovery", NULL));
	phones_of(&c, 3, 0, ph, 0);
	r = run_direct(&c, NULL, "regen-callmanager+tvs:1", ph, 3, &ch);
	counts(&r, 0, 0, 3);
	ck_assert_int_eq(r.locked_any, 1);
	ck_assert_str_eq(ph[1].status, "update-failed");
	ck_assert_ptr_nonnull(strstr(ph[1].why, "ITL"));
	/* The new TVS presents a certificate the held ITL does not list. */
	ck_assert_msg(strstr(ph[1].why, "TVS: no TVS server of the held ITL") != NULL, "%s", ph[1].why);
	/* Cisco's order: TVS, the phones take the ITL listing it, then CallManager (through TVS). */
	s = first_safe(&c, &ch, ph, 3);
	ck_assert_int_eq(s, 0);
	ck_assert_uint_eq(ch.safe[0].n, 4);
	ck_assert_int_eq(ch.safe[0].step[0].kind, PLAN_S_REGEN_TVS);
	ck_assert_int_eq(ch.safe[0].step[2].kind, PLAN_S_REGEN_CCM);
	ck_assert_int_eq(ph[0].cls, PLAN_TVS);
	phones_free(ph, 3);
	plan_cluster_free(&c);
}
END_TEST

START_TEST(mixed_positions)
{
	struct plan_cluster a, b;
	struct plan_phone ph[5];
	struct plan_change ch;
	struct plan_result r;

	cluster(&a, conf("node1", "8x", "ccm1", "tvs1", "itlrecovery", NULL));
	cluster(&b, conf("nodeB", "8x", "ccmB", "tvsB", "itlrecoveryB", NULL));
	phones_of(&a, 3, 1, ph, 0);
	phones_of(&b, 1, 0, ph + 4, 0x10); /* a phone of cluster B booting here */
	r = run_direct(&a, NULL, "regen-callmanager:1", ph, 5, &ch);
	counts(&r, 1, 3, 1);
	ck_assert_int_eq(ph[4].cls, PLAN_LOCKOUT);
	ck_assert_int_eq(ph[3].cls, PLAN_DIRECT);
	/* Nothing but an erase brings the other cluster's phone over. */
	ck_assert_int_eq(first_safe(&a, &ch, ph, 5), -1);
	phones_free(ph, 5);
	plan_cluster_free(&a);
	plan_cluster_free(&b);
}
END_TEST

START_TEST(replace_itlrecovery_nonsecure_itl_reset)
{
	struct plan_cluster c;
	struct plan_phone ph[2];
	struct plan_change ch;
	struct plan_result r;
	int s;

	cluster(&c, conf("node1", "12x", "ccm1", "tvs1", "itlrecovery", NULL));
	phones_of(&c, 2, 0, ph, 0);
	r = run_direct(&c, NULL, "replace-itlrecovery", ph, 2, &ch);
	counts(&r, 0, 0, 2);
	s = first_safe(&c, &ch, ph, 2);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(ch.safe[s].step[1].kind, PLAN_S_ITL_RESET);
	phones_free(ph, 2);
	plan_cluster_free(&c);
}
END_TEST

START_TEST(replace_itlrecovery_mixed_localkey)
{
	struct plan_cluster c;
	struct plan_phone ph[2];
	struct plan_change ch;
	struct plan_result r;
	char mode[512], extra[600];
	FILE *f;
	int s;

	snprintf(mode, sizeof(mode), "%s/mode", tu_tmpdir());
	ck_assert_ptr_nonnull(f = fopen(mode, "w"));
	fputs("1\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(extra, sizeof(extra), "mode_file = %s\n", mode);
	cluster(&c, conf("node1", "12x", "ccm1", "tvs1", "itlrecovery", extra));
	ck_assert_int_eq(c.node[0].mixed, 1);
	phones_of(&c, 2, 0, ph, 0);
	ck_assert_ptr_nonnull(ph[0].held.ctl);
	r = run_direct(&c, NULL, "replace-itlrecovery", ph, 2, &ch);
	counts(&r, 0, 0, 2);
	/* The nodes keep serving the CTL ctl-client signed last; the ITL, signed by the new
	 * ITLRecovery, is what the phones refuse. */
	ck_assert_msg(strncmp(ph[0].why, "ITL: ", 5) == 0, "%s", ph[0].why);
	s = first_safe(&c, &ch, ph, 2);
	ck_assert_int_eq(s, 0);
	ck_assert_int_eq(ch.safe[0].step[1].kind, PLAN_S_CTL_LOCALKEY);
	ck_assert_int_eq(ch.safe[0].step[3].kind, PLAN_S_CTL_UPDATE);
	phones_free(ph, 2);
	plan_cluster_free(&c);
}
END_TEST

START_TEST(tokenless_mixed_direct)
{
	struct plan_cluster c;
	struct plan_phone ph[3];
	struct plan_change ch;
	struct plan_result r;

	cluster(&c, conf("node1", "12x", "ccm1", "tvs1", "itlrecovery", NULL));
	phones_of(&c, 2, 1, ph, 0);
	/* The CTL is signed by ITLRecovery, a SAST of the held 12x ITL. */
	r = run_direct(&c, NULL, "tokenless-mixed", ph, 3, &ch);
	counts(&r, 3, 0, 0);
	phones_free(ph, 3);
	plan_cluster_free(&c);
}
END_TEST

START_TEST(move_needs_other_cluster_in_tvs)
{
	struct plan_cluster a, b;
	struct plan_phone ph[2];
	struct plan_change ch;
	struct plan_result r;
	char spec[600];

	cluster(&a, conf("node1", "12x", "ccm1", "tvs1", "itlrecovery", NULL));
	cluster(&b, conf("nodeB", "12x", "ccmB", "tvsB", "itlrecoveryB", NULL));
	phones_of(&a, 2, 0, ph, 0);
	snprintf(spec, sizeof(spec), "move:%s/nodeB.conf", tu_tmpdir());
	r = run_direct(&a, &b, spec, ph, 2, &ch);
	counts(&r, 0, 0, 2);
	ck_assert_int_eq(first_safe(&a, &ch, ph, 2), 0);
	ck_assert_int_eq(ch.safe[0].step[0].kind, PLAN_S_TRUST_OTHER);
	ck_assert_int_eq(ph[0].cls, PLAN_TVS);
	phones_free(ph, 2);
	plan_cluster_free(&a);
	plan_cluster_free(&b);
}
END_TEST

START_TEST(bad_specs)
{
	struct plan_cluster c;
	struct plan_change ch;
	char why[1024];

	cluster(&c, conf("node1", "12x", "ccm1", "tvs1", "itlrecovery", NULL));
	ck_assert_int_ne(plan_change_parse("regen-callmanager:3", &c, NULL, &ch, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "names no node"));
	ck_assert_int_ne(plan_change_parse("regen-everything", &c, NULL, &ch, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "unknown change"));
	ck_assert_int_ne(plan_change_parse("move:/nonexistent", &c, NULL, &ch, why, sizeof(why)), 0);
	plan_cluster_free(&c);
	memset(&c, 0, sizeof(c));
	ck_assert_int_ne(plan_cluster_add(&c, "/nonexistent/node.conf", why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "/nonexistent/node.conf"));
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("plan");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, regen_callmanager_12x_direct);
	tcase_add_test(tc, regen_callmanager_8x_tvs);
	tcase_add_test(tc, regen_both_8x_lockout_tvs_first);
	tcase_add_test(tc, mixed_positions);
	tcase_add_test(tc, replace_itlrecovery_nonsecure_itl_reset);
	tcase_add_test(tc, replace_itlrecovery_mixed_localkey);
	tcase_add_test(tc, tokenless_mixed_direct);
	tcase_add_test(tc, move_needs_other_cluster_in_tvs);
	tcase_add_test(tc, bad_specs);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
