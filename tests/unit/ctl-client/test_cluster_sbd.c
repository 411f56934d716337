/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Security By Default requests' items (ctl-client/cluster_sbd.c):
 * SIGN_CTL carries SIGNER, MODE, every node (skipped or not) with its host
 * name, address and certificates in order, then the tokens as SAST; a
 * request that would not fit the provider's item limit is refused; the
 * SIGN_CTL answer is taken only with a matching MD5, as a CTL that
 * verifies; GET_ITL's file must match its MD5; ITL_RESET's MD5 and LENGTH
 * are required and checked.
 */
#include <string.h>

#include <openssl/x509.h>

#include "cluster.h"
#include "testutil.h"

/* A message built by fn into wr, parsed into m (items lend wr's buffer). */
struct msg {
	struct ctl_wr wr;
	struct ctl_prov_msg m;
};

static void
msg_parse(struct msg *x)
{
	struct ctl_diag d;

	ck_assert_int_eq(ctl_prov_end(&x->wr), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_header(x->wr.buf, x->wr.len, &x->m, &d), CTL_OK);
	ck_assert_int_eq(ctl_prov_parse_body(x->wr.buf + CTL_PROV_HDR_LEN, x->wr.len - CTL_PROV_HDR_LEN, &x->m, &d),
	                 CTL_OK);
}

static void
msg_begin(struct msg *x, uint8_t type)
{
	ctl_wr_init(&x->wr, CTL_PROV_HDR_LEN + CTL_PROV_MAX_BODY);
	ck_assert_int_eq(ctl_prov_begin(&x->wr, type, 0, 7), CTL_OK);
}

static void
add_node(struct cluster *cl, const char *host, const uint8_t *ip, const char *c1, uint16_t r1, const char *c2,
         uint16_t r2)
{
	struct cl_node *nd = &cl->nodes[cl->n++];

	snprintf(nd->hostname, sizeof(nd->hostname), "%s", host);
	if (ip != NULL) {
		nd->has_ip = 1;
		memcpy(nd->ip, ip, 4);
	}
	nd->certs[nd->ncerts++] = (struct cl_cert){ r1, tu_cert(c1) };
	if (c2 != NULL)
		nd->certs[nd->ncerts++] = (struct cl_cert){ r2, tu_cert(c2) };
}

static void
free_nodes(struct cluster *cl)
{
	size_t i, k;

	for (i = 0; i < cl->n; i++)
		for (k = 0; k < cl->nodes[i].ncerts; k++)
			X509_free(cl->nodes[i].certs[k].cert);
}

static void
assert_cert_item(const struct ctl_prov_item *it, uint16_t role, const char *name)
{
	X509 *x = tu_cert(name);
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	ck_assert_uint_eq(it->tag, CTL_PROV_T_CERT);
	ck_assert_uint_eq(it->len, (uint32_t)n + 2);
	ck_assert_uint_eq(it->val[0] << 8 | it->val[1], role);
	ck_assert(memcmp(it->val + 2, der, (size_t)n) == 0);
	OPENSSL_free(der);
	X509_free(x);
}

START_TEST(sign_request_items)
{
	static const uint8_t ip1[4] = { 192, 0, 2, 11 };
	struct cluster *cl = calloc(1, sizeof(*cl));
	struct cl_sign_req rq = { CL_LAYOUT_10X, 1, { NULL }, 1 };
	struct msg x;
	char err[200];
	const struct ctl_prov_item *it;

	ck_assert_ptr_nonnull(cl);
	add_node(cl, "node1.example.lab", ip1, "ccm1", CTL_ROLE_CCM_TFTP, "capf", CTL_ROLE_CAPF);
	add_node(cl, "node2.example.lab", NULL, "ccm2", CTL_ROLE_CCM_TFTP, NULL, 0);
	cl->nodes[1].skip = 1; /* the publisher's session only: every node is still listed */
	rq.tokens[0] = tu_cert("sast1");
	msg_begin(&x, CTL_PROV_SIGN_CTL);
	ck_assert_int_eq(cl_sbd_put_sign(&x.wr, cl, &rq, err, sizeof(err)), 0);
	msg_parse(&x);
	ck_assert_uint_eq(x.m.type, CTL_PROV_SIGN_CTL);
	ck_assert_uint_eq(x.m.nitems, 9);
	it = x.m.items;
	ck_assert_uint_eq(it[0].tag, CTL_PROV_T_SIGNER);
	ck_assert_uint_eq(it[0].len, 1);
	ck_assert_uint_eq(it[0].val[0], 1);
	ck_assert_uint_eq(it[1].tag, CTL_PROV_T_MODE);
	ck_assert_uint_eq(it[1].val[0], 1);
	ck_assert_uint_eq(it[2].tag, CTL_PROV_T_HOSTNAME);
	ck_assert_uint_eq(it[2].len, strlen("node1.example.lab"));
	ck_assert(memcmp(it[2].val, "node1.example.lab", it[2].len) == 0);
	ck_assert_uint_eq(it[3].tag, CTL_PROV_T_IPV4);
	ck_assert_uint_eq(it[3].len, 4);
	ck_assert(memcmp(it[3].val, ip1, 4) == 0);
	assert_cert_item(&it[4], CTL_ROLE_CCM_TFTP, "ccm1");
	assert_cert_item(&it[5], CTL_ROLE_CAPF, "capf");
	/* Node 2 has no address: no IPV4 item. */
	ck_assert_uint_eq(it[6].tag, CTL_PROV_T_HOSTNAME);
	ck_assert(memcmp(it[6].val, "node2.example.lab", it[6].len) == 0);
	assert_cert_item(&it[7], CTL_ROLE_CCM_TFTP, "ccm2");
	/* The token last, as a SAST CERT. */
	assert_cert_item(&it[8], CTL_ROLE_SAST, "sast1");
	ctl_wr_cleanup(&x.wr);
	X509_free(rq.tokens[0]);
	free_nodes(cl);
	free(cl);
}
END_TEST

START_TEST(sign_request_too_many_items)
{
	struct cluster *cl = calloc(1, sizeof(*cl));
	struct cl_sign_req rq = { CL_LAYOUT_12X, 0, { NULL }, 0 };
	struct msg x;
	char err[200] = "";
	size_t i;

	ck_assert_ptr_nonnull(cl);
	/* 2 + 21 * 3 = 65 items: one more than the provider parses. */
	for (i = 0; i < 21; i++)
		add_node(cl, "n.example.lab", (const uint8_t *)"\x7f\0\0\1", "ccm2", CTL_ROLE_CCM_TFTP, NULL, 0);
	msg_begin(&x, CTL_PROV_SIGN_CTL);
	ck_assert_int_eq(cl_sbd_put_sign(&x.wr, cl, &rq, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "65 items") != NULL && strstr(err, "at most 64") != NULL, "%s", err);
	ctl_wr_cleanup(&x.wr);
	/* 64 fit. */
	cl->nodes[20].has_ip = 0;
	msg_begin(&x, CTL_PROV_SIGN_CTL);
	ck_assert_int_eq(cl_sbd_put_sign(&x.wr, cl, &rq, err, sizeof(err)), 0);
	msg_parse(&x);
	ck_assert_uint_eq(x.m.nitems, 64);
	ctl_wr_cleanup(&x.wr);
	free_nodes(cl);
	free(cl);
}
END_TEST

/* A tokenless CTL (or ITL) signed by ITLRecovery. */
static uint8_t *
tokenless(enum ctl_kind kind, size_t *len)
{
	static const struct tu_ent e[] = {
		{ "itlrecovery", CTL_ROLE_SAST, NULL, NULL },
		{ "ccm1", CTL_ROLE_SAST, "cucm-pub.example.lab", tu_ip_ccm1 },
		{ "ccm1", CTL_ROLE_CCM_TFTP, "cucm-pub.example.lab", tu_ip_ccm1 },
	};
	struct ctl_signer *s = tu_signer("itlrecovery");
	struct ctl_builder *b = tu_builder(kind, e, 3);
	uint8_t *p = tu_sign(b, s, len);

	ctl_builder_free(b);
	ctl_signer_free(s);
	return p;
}

/* A SIGN_CTL answer holding file and, when md5 is not NULL, that MD5 item. */
static void
answer(struct msg *x, uint16_t tag, const uint8_t *file, size_t len, const char *md5)
{
	msg_begin(x, CTL_PROV_SIGN_CTL | CTL_PROV_RESPONSE);
	if (file != NULL)
		ck_assert_int_eq(ctl_prov_put(&x->wr, tag, file, len), CTL_OK);
	if (md5 != NULL)
		ck_assert_int_eq(ctl_prov_put_str(&x->wr, CTL_PROV_T_MD5, md5), CTL_OK);
	msg_parse(x);
}

static int
take(const uint8_t *file, size_t len, const char *md5, char *err, size_t errlen)
{
	struct msg x;
	uint8_t *out = NULL;
	size_t olen = 0;
	int rc;

	answer(&x, CTL_PROV_T_CTL_FILE, file, len, md5);
	rc = cl_sbd_take_signed(&x.m, &out, &olen, err, errlen);
	if (rc == 0) {
		ck_assert_uint_eq(olen, len);
		ck_assert(memcmp(out, file, len) == 0);
	} else {
		ck_assert_ptr_null(out);
	}
	free(out);
	ctl_wr_cleanup(&x.wr);
	return rc;
}

START_TEST(signed_answer)
{
	struct ctl_sums s;
	struct ctl_file *f;
	size_t len, ilen;
	uint8_t *ctl = tokenless(CTL_KIND_CTL, &len), *itl = tokenless(CTL_KIND_ITL, &ilen);
	char err[600] = "", wrong[33];

	ck_assert_int_eq(ctl_checksums(ctl, len, &s), CTL_OK);
	ck_assert_int_eq(take(ctl, len, s.md5, err, sizeof(err)), 0);
	/* A wrong, upper-case or missing MD5. */
	memcpy(wrong, s.md5, sizeof(wrong));
	wrong[0] = wrong[0] == '0' ? '1' : '0';
	ck_assert_int_eq(take(ctl, len, wrong, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not the md5 of its CTL_FILE") != NULL, "%s", err);
	for (size_t i = 0; wrong[i]; i++)
		wrong[i] = s.md5[i] >= 'a' ? (char)(s.md5[i] - 32) : s.md5[i];
	ck_assert_int_eq(take(ctl, len, strcmp(wrong, s.md5) ? wrong : "", err, sizeof(err)), -1);
	ck_assert_int_eq(take(ctl, len, NULL, err, sizeof(err)), -1);
	/* No file. */
	ck_assert_int_eq(take(NULL, 0, s.md5, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no CTL_FILE") != NULL, "%s", err);
	/* An ITL is not a CTL. */
	ck_assert_int_eq(ctl_checksums(itl, ilen, &s), CTL_OK);
	ck_assert_int_eq(take(itl, ilen, s.md5, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "is not a CTL") != NULL, "%s", err);
	/* A signature that does not verify (one bit of it flipped, the MD5 matching the bytes). */
	f = tu_parse(ctl, len);
	ctl[tu_helem(f, CTL_H_SIGNATURE)->off + 3 + 5] ^= 0x01; /* past the tag and length */
	ctl_file_free(f);
	ck_assert_int_eq(ctl_checksums(ctl, len, &s), CTL_OK);
	err[0] = '\0';
	ck_assert_int_eq(take(ctl, len, s.md5, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "SIGN_CTL: the signed file ", 26) == 0, "%s", err);
	/* Bytes that are no CTL at all. */
	ck_assert_int_eq(ctl_checksums((const uint8_t *)"junk", 4, &s), CTL_OK);
	ck_assert_int_eq(take((const uint8_t *)"junk", 4, s.md5, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "does not parse") != NULL, "%s", err);
	free(ctl);
	free(itl);
}
END_TEST

START_TEST(itl_answers)
{
	struct cl_node nd;
	struct ctl_sums s;
	struct msg x;
	size_t len;
	uint8_t *itl = tokenless(CTL_KIND_ITL, &len);

	ck_assert_int_eq(ctl_checksums(itl, len, &s), CTL_OK);
	memset(&nd, 0, sizeof(nd));
	answer(&x, CTL_PROV_T_ITL_FILE, itl, len, s.md5);
	ck_assert_int_eq(cl_node_take_itl(&nd, &x.m), 0);
	ck_assert_int_eq(nd.has_itl, 1);
	ck_assert_str_eq(nd.itl_md5, s.md5);
	ck_assert_uint_eq(nd.itl_len, len);
	ctl_wr_cleanup(&x.wr);
	/* The MD5 of other bytes. */
	memset(&nd, 0, sizeof(nd));
	answer(&x, CTL_PROV_T_ITL_FILE, itl, len - 1, s.md5);
	ck_assert_int_eq(cl_node_take_itl(&nd, &x.m), -1);
	ck_assert_int_eq(nd.failed, 1);
	ck_assert_int_eq(nd.rc, EXIT_NETWORK);
	ck_assert_int_eq(nd.has_itl, 0);
	ck_assert_msg(strstr(nd.err, "GET_ITL") != NULL, "%s", nd.err);
	ctl_wr_cleanup(&x.wr);
	/* No ITL_FILE (a CTL_FILE instead). */
	memset(&nd, 0, sizeof(nd));
	answer(&x, CTL_PROV_T_CTL_FILE, itl, len, s.md5);
	ck_assert_int_eq(cl_node_take_itl(&nd, &x.m), -1);
	ck_assert_msg(strstr(nd.err, "no ITL_FILE") != NULL, "%s", nd.err);
	ctl_wr_cleanup(&x.wr);
	free(itl);
}
END_TEST

static int
take_reset(const char *md5, int with_len, struct cl_node *nd)
{
	struct msg x;
	int rc;

	memset(nd, 0, sizeof(*nd));
	msg_begin(&x, CTL_PROV_ITL_RESET | CTL_PROV_RESPONSE);
	if (md5 != NULL)
		ck_assert_int_eq(ctl_prov_put_str(&x.wr, CTL_PROV_T_MD5, md5), CTL_OK);
	if (with_len)
		ck_assert_int_eq(ctl_prov_put_u32(&x.wr, CTL_PROV_T_LENGTH, 0x01020304), CTL_OK);
	msg_parse(&x);
	rc = cl_node_take_itl_reset(nd, &x.m);
	ctl_wr_cleanup(&x.wr);
	return rc;
}

START_TEST(itl_reset_answer)
{
	struct cl_node nd;

	ck_assert_int_eq(take_reset("0123456789abcdef0123456789abcdef", 1, &nd), 0);
	ck_assert_str_eq(nd.itl_md5, "0123456789abcdef0123456789abcdef");
	ck_assert_uint_eq(nd.itl_len, 0x01020304);
	ck_assert_int_eq(nd.has_itl, 1);
	ck_assert_int_eq(take_reset("0123456789ABCDEF0123456789abcdef", 1, &nd), -1);
	ck_assert_int_eq(nd.rc, EXIT_NETWORK);
	ck_assert_int_eq(take_reset("0123456789abcdef0123456789abcdeg", 1, &nd), -1);
	ck_assert_int_eq(take_reset("0123456789abcdef0123456789abcde", 1, &nd), -1);
	ck_assert_int_eq(take_reset("0123456789abcdef0123456789abcdef", 0, &nd), -1);
	ck_assert_msg(strstr(nd.err, "MD5 or LENGTH") != NULL, "%s", nd.err);
	ck_assert_int_eq(take_reset(NULL, 1, &nd), -1);
	ck_assert_int_eq(nd.has_itl, 0);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("cluster_sbd");
	TCase *tc = tcase_create("items");

	tcase_add_test(tc, sign_request_items);
	tcase_add_test(tc, sign_request_too_many_items);
	tcase_add_test(tc, signed_answer);
	tcase_add_test(tc, itl_answers);
	tcase_add_test(tc, itl_reset_answer);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
