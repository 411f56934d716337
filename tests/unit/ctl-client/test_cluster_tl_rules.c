/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tokenless commands' rules (ctl-client/cluster_tl_rules.c): a phone
 * takes a CTL signed by one of its held CTL's SAST records only; the token
 * records kept from an installed CTL are neither the publisher's own SAST,
 * nor a node's certificate, nor an ITLRecovery certificate (a replaced one
 * included); the cluster's own keys (a node's certificate, ITLRecovery)
 * are told from a token as the signer.
 */
#include <string.h>

#include <openssl/x509.h>

#include "cluster.h"
#include "testutil.h"

/* A CTL of the given SAST certificates (plus ccm1 as CCM+TFTP), signed by signer. */
static struct ctl_file *
ctl_of(const char *const *sast, size_t n, const char *signer, uint8_t **buf)
{
	struct tu_ent e[8];
	struct ctl_signer *s = tu_signer(signer);
	struct ctl_builder *b;
	size_t i, len;

	for (i = 0; i < n; i++)
		e[i] = (struct tu_ent){ sast[i], CTL_ROLE_SAST, NULL, NULL };
	e[n] = (struct tu_ent){ "ccm1", CTL_ROLE_CCM_TFTP, "cucm-pub.example.lab", tu_ip_ccm1 };
	b = tu_builder(CTL_KIND_CTL, e, n + 1);
	*buf = tu_sign(b, s, &len);
	ctl_builder_free(b);
	ctl_signer_free(s);
	return tu_parse(*buf, len);
}

/* Two nodes announcing their CallManager certificates (CCM+TFTP). */
static struct cluster *
two_nodes(void)
{
	struct cluster *cl = calloc(1, sizeof(*cl));

	ck_assert_ptr_nonnull(cl);
	cl->n = 2;
	cl->nodes[0].certs[0] = (struct cl_cert){ CTL_ROLE_CCM_TFTP, tu_cert("ccm1") };
	cl->nodes[1].certs[0] = (struct cl_cert){ CTL_ROLE_CCM_TFTP, tu_cert("ccm2") };
	cl->nodes[0].ncerts = cl->nodes[1].ncerts = 1;
	return cl;
}

static void
free_nodes(struct cluster *cl)
{
	X509_free(cl->nodes[0].certs[0].cert);
	X509_free(cl->nodes[1].certs[0].cert);
	free(cl);
}

static int
cert_is(X509 *x, const char *name)
{
	X509 *y = tu_cert(name);
	int eq = X509_cmp(x, y) == 0;

	X509_free(y);
	return eq;
}

START_TEST(phone_acceptance)
{
	static const char *const tokens[] = { "sast1", "sast2" };
	static const char *const tl[] = { "itlrecovery", "ccm1" };
	uint8_t *b1, *b2, *b3, *b4;
	struct ctl_file *held = ctl_of(tokens, 2, "sast1", &b1);
	struct ctl_file *by2 = ctl_of(tokens, 2, "sast2", &b2);
	struct ctl_file *bytl = ctl_of(tl, 2, "itlrecovery", &b3);
	struct ctl_file *byccm = ctl_of(tl, 2, "ccm1", &b4);

	ck_assert_int_eq(cl_tl_accepts(held, by2), 1);
	ck_assert_int_eq(cl_tl_accepts(held, bytl), 0);
	ck_assert_int_eq(cl_tl_accepts(bytl, byccm), 1); /* reset-localkey: the second SAST */
	ck_assert_int_eq(cl_tl_accepts(byccm, bytl), 1);
	ck_assert_int_eq(cl_tl_accepts(bytl, held), 0);
	ctl_file_free(held);
	ctl_file_free(by2);
	ctl_file_free(bytl);
	ctl_file_free(byccm);
	free(b1);
	free(b2);
	free(b3);
	free(b4);
}
END_TEST

START_TEST(kept_tokens)
{
	/* An installed CTL with an old ITLRecovery (cluster B's name), a node's certificate and two tokens. */
	static const char *const inst[] = { "itlrecoveryB", "ccm1", "sast1", "ccm2", "sast2", "itlrecovery" };
	static const char *const fresh_sast[] = { "itlrecovery", "ccm1" };
	struct cluster *cl = two_nodes();
	struct cl_sign_req rq = { 0, 1, { NULL }, 0 };
	uint8_t *b1, *b2;
	struct ctl_file *held = ctl_of(inst, 6, "itlrecoveryB", &b1);
	struct ctl_file *fresh = ctl_of(fresh_sast, 2, "itlrecovery", &b2);

	rq.tokens[rq.ntokens++] = tu_cert("rogue"); /* given before: kept first */
	cl_tl_kept_tokens(cl, held, fresh, &rq);
	ck_assert_uint_eq(rq.ntokens, 3);
	ck_assert(cert_is(rq.tokens[0], "rogue"));
	ck_assert(cert_is(rq.tokens[1], "sast1"));
	ck_assert(cert_is(rq.tokens[2], "sast2"));
	cl_tl_tokens_free(&rq);
	ck_assert_uint_eq(rq.ntokens, 0);
	/* A tokenless CTL keeps no token. */
	cl_tl_kept_tokens(cl, fresh, fresh, &rq);
	ck_assert_uint_eq(rq.ntokens, 0);
	ctl_file_free(held);
	ctl_file_free(fresh);
	free(b1);
	free(b2);
	free_nodes(cl);
}
END_TEST

START_TEST(lists_and_own_signer)
{
	static const char *const tokens[] = { "sast1", "sast2" };
	static const char *const tl[] = { "itlrecovery", "ccm1" };
	static const char *const old[] = { "itlrecoveryB", "sast1" };
	struct cluster *cl = two_nodes();
	uint8_t *b1, *b2, *b3, *b4;
	struct ctl_file *tok = ctl_of(tokens, 2, "sast1", &b1);
	struct ctl_file *bytl = ctl_of(tl, 2, "itlrecovery", &b2);
	struct ctl_file *byccm = ctl_of(tl, 2, "ccm1", &b3);
	struct ctl_file *byold = ctl_of(old, 2, "itlrecoveryB", &b4);
	X509 *s1 = tu_cert("sast1"), *c1 = tu_cert("ccm1");

	ck_assert_int_eq(cl_tl_lists_sast(tok, s1), 1);
	ck_assert_int_eq(cl_tl_lists_sast(bytl, s1), 0);
	ck_assert_int_eq(cl_tl_lists_sast(bytl, c1), 1);
	ck_assert_int_eq(cl_tl_lists_sast(tok, c1), 0); /* listed, as CCM+TFTP only */
	ck_assert_int_eq(cl_tl_own_signed(cl, tok), 0);
	ck_assert_int_eq(cl_tl_own_signed(cl, bytl), 1);
	ck_assert_int_eq(cl_tl_own_signed(cl, byccm), 1);
	ck_assert_int_eq(cl_tl_own_signed(cl, byold), 1); /* a replaced ITLRecovery, by its name */
	X509_free(s1);
	X509_free(c1);
	ctl_file_free(tok);
	ctl_file_free(bytl);
	ctl_file_free(byccm);
	ctl_file_free(byold);
	free(b1);
	free(b2);
	free(b3);
	free(b4);
	free_nodes(cl);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cluster_tl_rules");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, phone_acceptance);
	tcase_add_test(tc, kept_tokens);
	tcase_add_test(tc, lists_and_own_signer);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
