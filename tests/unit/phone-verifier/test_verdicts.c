/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fleet's shared verdicts (phone-verifier/verdicts.c) against each
 * phone's own: a mixed fleet (phones holding nothing, the cluster's CTL,
 * its ITL, both, another cluster's ITL, a list identical to the one
 * served) receives CTLs, ITLs, tampered and wrong-kind files and .sgn
 * files in an interleaved order; every decision taken through the table
 * equals pv_trust_decide / pv_config_check on the same input, field for
 * field, and the table is really used (hits). Decisions that asked TVS
 * are never reused: a TVS that changes its answer between phones is
 * followed phone by phone.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include <ctl/ctl.h>

#include "trust.h"
#include "verdicts.h"
#include "testutil.h"

/* Builds a list of kind signed by NAME (NAME.pem/.key), records from e. */
static uint8_t *
build(enum ctl_kind kind, const char *signer, const struct tu_ent *e, size_t n, uint32_t ts,
      size_t *len)
{
	struct ctl_builder *b = tu_builder(kind, e, n);
	struct ctl_signer *s = tu_signer(signer);
	uint8_t *out;

	ctl_builder_set_timestamp(b, ts);
	out = tu_sign(b, s, len);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

static uint8_t *
sgn(const char *signer, const char *text, size_t *len)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = tu_signer(signer);
	uint8_t *out;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_filename(b, "SEP001122334455.cnf.xml.sgn"), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_payload(b, (const uint8_t *)text, strlen(text)), CTL_OK);
	ctl_builder_set_timestamp(b, 1000);
	out = tu_sign(b, s, len);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

static const struct tu_ent ctl_a[] = {
	{ "sast1", CTL_ROLE_SAST, NULL, NULL }, { "sast2", CTL_ROLE_SAST, NULL, NULL },
	{ "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL }, { "capf", CTL_ROLE_CAPF, NULL, NULL },
};
static const struct tu_ent itl_a[] = {
	{ "ccm1", CTL_ROLE_SAST, NULL, NULL }, { "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL },
	{ "tvs1", CTL_ROLE_TVS, NULL, NULL },
};
static const struct tu_ent itl_a2[] = { /* node 1's ITL after a CallManager change */
	{ "ccm2", CTL_ROLE_SAST, NULL, NULL }, { "ccm2", CTL_ROLE_CCM_TFTP, NULL, NULL },
	{ "tvs1", CTL_ROLE_TVS, NULL, NULL },
};
static const struct tu_ent itl_b[] = {
	{ "ccmB", CTL_ROLE_SAST, NULL, NULL }, { "ccmB", CTL_ROLE_CCM_TFTP, NULL, NULL },
	{ "tvsB", CTL_ROLE_TVS, NULL, NULL },
};

enum { F_CTL_A, F_CTL_A2, F_CTL_ROGUE, F_ITL_A, F_ITL_A2, F_ITL_B, F_ITL_BAD, F_NFILES };
enum { S_SGN_1, S_SGN_2, S_SGN_B, S_SGN_BAD, S_NSGN };

struct files {
	uint8_t *f[F_NFILES];
	size_t n[F_NFILES];
	enum ctl_kind kind[F_NFILES];
	uint8_t *s[S_NSGN];
	size_t sn[S_NSGN];
};

static void
files_make(struct files *fs)
{
	fs->f[F_CTL_A] = build(CTL_KIND_CTL, "sast1", ctl_a, 4, 1000, &fs->n[F_CTL_A]);
	fs->f[F_CTL_A2] = build(CTL_KIND_CTL, "sast2", ctl_a, 4, 2000, &fs->n[F_CTL_A2]);
	fs->f[F_CTL_ROGUE] = build(CTL_KIND_CTL, "rogue",
	                           (const struct tu_ent[]){ { "rogue", CTL_ROLE_SAST, NULL, NULL },
	                                                    { "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL } },
	                           2, 1000, &fs->n[F_CTL_ROGUE]);
	fs->f[F_ITL_A] = build(CTL_KIND_ITL, "ccm1", itl_a, 3, 1000, &fs->n[F_ITL_A]);
	fs->f[F_ITL_A2] = build(CTL_KIND_ITL, "ccm2", itl_a2, 3, 2000, &fs->n[F_ITL_A2]);
	fs->f[F_ITL_B] = build(CTL_KIND_ITL, "ccmB", itl_b, 3, 1000, &fs->n[F_ITL_B]);
	fs->f[F_ITL_BAD] = build(CTL_KIND_ITL, "ccm1", itl_a, 3, 3000, &fs->n[F_ITL_BAD]);
	fs->f[F_ITL_BAD][fs->n[F_ITL_BAD] - 5] ^= 0x40; /* a record byte: the signature breaks */
	fs->kind[F_CTL_A] = fs->kind[F_CTL_A2] = fs->kind[F_CTL_ROGUE] = CTL_KIND_CTL;
	fs->kind[F_ITL_A] = fs->kind[F_ITL_A2] = fs->kind[F_ITL_B] = fs->kind[F_ITL_BAD] = CTL_KIND_ITL;
	fs->s[S_SGN_1] = sgn("ccm1", "<device>one</device>", &fs->sn[S_SGN_1]);
	fs->s[S_SGN_2] = sgn("ccm2", "<device>two</device>", &fs->sn[S_SGN_2]);
	fs->s[S_SGN_B] = sgn("ccmB", "<device>b</device>", &fs->sn[S_SGN_B]);
	fs->s[S_SGN_BAD] = sgn("ccm1", "<device>bad</device>", &fs->sn[S_SGN_BAD]);
	fs->s[S_SGN_BAD][fs->sn[S_SGN_BAD] - 3] ^= 1;
}

static void
files_free(struct files *fs)
{
	size_t i;

	for (i = 0; i < F_NFILES; i++)
		free(fs->f[i]);
	for (i = 0; i < S_NSGN; i++)
		free(fs->s[i]);
}

static struct pv_tl *
tl_of(const uint8_t *p, size_t n)
{
	struct pv_tl *tl = NULL;
	struct ctl_diag d;

	ck_assert_int_eq(pv_tl_new(p, n, &tl, &d), CTL_OK);
	return tl;
}

/* The phones' positions: which CTL and ITL each holds (-1: none). */
static const int positions[][2] = {
	{ -1, -1 }, { F_CTL_A, -1 }, { -1, F_ITL_A }, { F_CTL_A, F_ITL_A }, { -1, F_ITL_B },
	{ F_CTL_A2, F_ITL_A2 }, { -1, F_ITL_A2 }, { F_CTL_A, F_ITL_B },
};
#define NPOS (sizeof(positions) / sizeof(positions[0]))

/* Phone i of a fleet holds position i % NPOS, from its own copies (as loaded from its state). */
static void
phone_make(const struct files *fs, size_t i, struct pv_trust *t)
{
	const int *pos = positions[i % NPOS];

	pv_trust_init(t);
	if (pos[0] >= 0)
		pv_trust_set(t, CTL_KIND_CTL, tl_of(fs->f[pos[0]], fs->n[pos[0]]));
	if (pos[1] >= 0)
		pv_trust_set(t, CTL_KIND_ITL, tl_of(fs->f[pos[1]], fs->n[pos[1]]));
}

static void
same_decision(const struct pv_decision *a, const struct pv_decision *b, const char *what)
{
	ck_assert_msg(a->v == b->v, "%s: verdict %d vs %d", what, a->v, b->v);
	ck_assert_msg(a->err == b->err, "%s: err %d vs %d", what, a->err, b->err);
	ck_assert_uint_eq(a->header_len, b->header_len);
	ck_assert_int_eq(a->parsed, b->parsed);
	ck_assert_int_eq(a->signer_index, b->signer_index);
	ck_assert_int_eq(a->trusted_index, b->trusted_index);
	ck_assert_msg((a->trusted_by == NULL) == (b->trusted_by == NULL) &&
	              (a->trusted_by == NULL || strcmp(a->trusted_by, b->trusted_by) == 0),
	              "%s: trusted_by %s vs %s", what, a->trusted_by ? a->trusted_by : "-",
	              b->trusted_by ? b->trusted_by : "-");
	ck_assert_int_eq(a->reset_itl, b->reset_itl);
	ck_assert_int_eq(a->tvs.asked, b->tvs.asked);
	ck_assert_int_eq(a->tvs.vouched, b->tvs.vouched);
	ck_assert_int_eq(a->tvs.err, b->tvs.err);
	ck_assert_msg(strcmp(a->reason, b->reason) == 0, "%s: reason '%s' vs '%s'", what, a->reason,
	              b->reason);
}

static void
same_tl(const struct pv_tl *a, const struct pv_tl *b)
{
	const uint8_t *pa, *pb;
	size_t na = 0, nb = 0;

	ck_assert_int_eq(a == NULL, b == NULL);
	if (a == NULL)
		return;
	pa = pv_tl_bytes(a, &na);
	pb = pv_tl_bytes(b, &nb);
	ck_assert_uint_eq(na, nb);
	ck_assert_int_eq(memcmp(pa, pb, na), 0);
	ck_assert_str_eq(a->sums.sha256, b->sums.sha256);
}

/* One phone receives file j as kind (possibly the wrong kind): both ways, compared. */
static void
judge_both(struct pv_verdicts *vc, struct ctl_verifier *v, const struct pv_trust *t,
           enum ctl_kind kind, const uint8_t *p, size_t n, const struct pv_tvs_ops *tvs,
           const char *what)
{
	struct pv_decision own, shared;
	struct pv_tl *tl_own = NULL, *tl_shared = NULL;

	pv_trust_decide(t, kind, p, n, NULL, tvs, &own, &tl_own);
	pv_verdicts_decide(vc, t, kind, p, n, v, tvs, &shared, &tl_shared);
	same_decision(&own, &shared, what);
	same_tl(tl_own, tl_shared);
	pv_tl_unref(tl_own);
	pv_tl_unref(tl_shared);
	/* Without tl: the same verdict, nothing leaked. */
	ck_assert_int_eq(pv_verdicts_decide(vc, t, kind, p, n, v, tvs, &shared, NULL), own.v);
}

static void
check_both(struct pv_verdicts *vc, const struct pv_trust *t, const uint8_t *p, size_t n,
           const struct pv_tvs_ops *tvs, const char *what)
{
	struct pv_decision own, shared;
	size_t o1 = 7, l1 = 7, o2 = 7, l2 = 7;
	enum ctl_err r1 = pv_config_check(t, tvs, p, n, &own, &o1, &l1);
	enum ctl_err r2 = pv_verdicts_config(vc, t, NULL, tvs, p, n, &shared, &o2, &l2);

	ck_assert_int_eq(r1, r2);
	same_decision(&own, &shared, what);
	ck_assert_uint_eq(o1, o2);
	ck_assert_uint_eq(l1, l2);
}

/* The whole fleet: every phone position against every file, twice, interleaved. */
static void
run_fleet(struct pv_verdicts *vc, struct ctl_verifier *v, const struct files *fs,
          const struct pv_tvs_ops *tvs, size_t phones)
{
	size_t i, j, round;
	char what[96];

	for (round = 0; round < 2; round++)
		for (i = 0; i < phones; i++) {
			struct pv_trust t;

			phone_make(fs, i, &t);
			for (j = 0; j < F_NFILES; j++) {
				size_t k = (j + i) % F_NFILES; /* each phone in its own order */

				snprintf(what, sizeof(what), "round %zu phone %zu file %zu", round, i, k);
				judge_both(vc, v, &t, fs->kind[k], fs->f[k], fs->n[k], tvs, what);
				/* The same bytes asked as the other kind. */
				judge_both(vc, v, &t, fs->kind[k] == CTL_KIND_CTL ? CTL_KIND_ITL : CTL_KIND_CTL,
				           fs->f[k], fs->n[k], tvs, what);
			}
			for (j = 0; j < S_NSGN; j++) {
				snprintf(what, sizeof(what), "round %zu phone %zu sgn %zu", round, i, j);
				check_both(vc, &t, fs->s[j], fs->sn[j], tvs, what);
			}
			pv_trust_cleanup(&t);
		}
}

START_TEST(mixed_fleet_same_decisions)
{
	struct files fs;
	struct pv_verdicts *vc = NULL;
	struct ctl_verifier *v = NULL;
	uint64_t hits = 0, misses = 0;

	memset(&fs, 0, sizeof(fs));
	files_make(&fs);
	ck_assert_int_eq(pv_verdicts_new(&vc), CTL_OK);
	ck_assert_int_eq(ctl_verifier_new(&v), CTL_OK);
	run_fleet(vc, v, &fs, NULL, 3 * NPOS);
	pv_verdicts_counts(vc, &hits, &misses);
	/* Each position judges each distinct input once; the other phones reuse it. */
	ck_assert_uint_gt(hits, 0);
	ck_assert_uint_lt(misses, hits);
	ck_assert_uint_le(misses, NPOS * (2 * F_NFILES + S_NSGN));
	pv_verdicts_free(vc);
	ctl_verifier_free(v);
	files_free(&fs);
}
END_TEST

/* A TVS whose answer alternates: known (ccm2 as TFTP), then unknown, then known... */
struct flip {
	unsigned calls;
};

static enum ctl_err
flip_query(void *arg, const struct pv_trust *held, const struct pv_tvs_query *q,
           struct pv_tvs_answer *a, char *why, size_t cap)
{
	struct flip *fl = arg;

	(void)held;
	(void)q;
	if (fl->calls++ % 2 == 1) {
		snprintf(why, cap, "unknown (flip)");
		return CTL_E_NOT_TRUSTED;
	}
	a->cert = tu_cert("ccm2");
	a->roles[0] = CTL_ROLE_SAST;
	a->roles[1] = CTL_ROLE_TFTP;
	a->nroles = 2;
	a->ttl = 86400;
	snprintf(a->server, sizeof(a->server), "127.0.0.1:2445");
	return CTL_OK;
}

START_TEST(tvs_decisions_not_reused)
{
	struct files fs;
	struct pv_verdicts *vc = NULL;
	struct pv_trust t;
	struct pv_decision d;
	struct flip own = { 0 }, shared = { 0 };
	const struct pv_tvs_ops own_ops = { flip_query, &own }, shared_ops = { flip_query, &shared };
	size_t i;

	memset(&fs, 0, sizeof(fs));
	files_make(&fs);
	ck_assert_int_eq(pv_verdicts_new(&vc), CTL_OK);
	/* Phones holding node 1's old ITL receive the ITL signed by the new CallManager (ccm2):
	 * only TVS can vouch, and it says yes, no, yes... */
	for (i = 0; i < 6; i++) {
		struct pv_decision a, b;

		pv_trust_init(&t);
		pv_trust_set(&t, CTL_KIND_ITL, tl_of(fs.f[F_ITL_A], fs.n[F_ITL_A]));
		pv_trust_decide(&t, CTL_KIND_ITL, fs.f[F_ITL_A2], fs.n[F_ITL_A2], NULL, &own_ops, &a, NULL);
		pv_verdicts_decide(vc, &t, CTL_KIND_ITL, fs.f[F_ITL_A2], fs.n[F_ITL_A2], NULL, &shared_ops,
		                   &b, NULL);
		same_decision(&a, &b, "TVS phone");
		ck_assert_int_eq(a.tvs.asked, 1);
		ck_assert_int_eq(a.v, i % 2 == 0 ? PV_V_INSTALL : PV_V_UNTRUSTED);
		pv_trust_cleanup(&t);
	}
	/* .sgn signed by ccm2: TVS again, phone by phone. */
	for (i = 0; i < 6; i++) {
		struct pv_decision a, b;
		enum ctl_err r1, r2;

		pv_trust_init(&t);
		pv_trust_set(&t, CTL_KIND_ITL, tl_of(fs.f[F_ITL_A], fs.n[F_ITL_A]));
		r1 = pv_config_check(&t, &own_ops, fs.s[S_SGN_2], fs.sn[S_SGN_2], &a, NULL, NULL);
		r2 = pv_verdicts_config(vc, &t, NULL, &shared_ops, fs.s[S_SGN_2], fs.sn[S_SGN_2], &b, NULL, NULL);
		ck_assert_int_eq(r1, r2);
		ck_assert_int_eq(r1 == CTL_OK, i % 2 == 0);
		same_decision(&a, &b, "TVS sgn");
		pv_trust_cleanup(&t);
	}
	ck_assert_uint_eq(own.calls, shared.calls);
	ck_assert_uint_eq(own.calls, 12);
	/* A decision the held lists settle without TVS is still shared with TVS configured. */
	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_CTL, tl_of(fs.f[F_CTL_A], fs.n[F_CTL_A]));
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pv_verdicts_decide(vc, &t, CTL_KIND_CTL, fs.f[F_CTL_A2], fs.n[F_CTL_A2], NULL,
		                                    &shared_ops, &d, NULL), PV_V_INSTALL);
	ck_assert_uint_eq(shared.calls, 12);
	pv_trust_cleanup(&t);
	{
		uint64_t hits = 0, misses = 0;

		pv_verdicts_counts(vc, &hits, &misses);
		ck_assert_uint_eq(hits, 2);
	}
	pv_verdicts_free(vc);
	files_free(&fs);
}
END_TEST

/* Past the bound the table starts again: decisions stay right, memory stays bounded. */
START_TEST(bounded)
{
	struct pv_verdicts *vc = NULL;
	struct pv_trust t;
	struct pv_decision a, b;
	struct files fs;
	size_t i;

	memset(&fs, 0, sizeof(fs));
	files_make(&fs);
	ck_assert_int_eq(pv_verdicts_new(&vc), CTL_OK);
	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(fs.f[F_ITL_A], fs.n[F_ITL_A]));
	for (i = 0; i < PV_VERDICTS_MAX + 10; i++) {
		uint8_t junk[16];
		enum ctl_err r1, r2;

		memset(junk, 0, sizeof(junk));
		memcpy(junk, &i, sizeof(i));
		r1 = pv_config_check(&t, NULL, junk, sizeof(junk), &a, NULL, NULL);
		r2 = pv_verdicts_config(vc, &t, NULL, NULL, junk, sizeof(junk), &b, NULL, NULL);
		ck_assert_int_eq(r1, r2);
		same_decision(&a, &b, "junk");
	}
	check_both(vc, &t, fs.s[S_SGN_1], fs.sn[S_SGN_1], NULL, "after the flush");
	check_both(vc, &t, fs.s[S_SGN_1], fs.sn[S_SGN_1], NULL, "after the flush, again");
	pv_trust_cleanup(&t);
	pv_verdicts_free(vc);
	files_free(&fs);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("verdicts");
	TCase *tc = tcase_create("verdicts");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, mixed_fleet_same_decisions);
	tcase_add_test(tc, tvs_decisions_not_reused);
	tcase_add_test(tc, bounded);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
