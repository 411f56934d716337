/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Security By Default layouts (libctl/sbd_itl.c, sbd_ctl.c, sbd_rec.c):
 * the records, roles and order of a node's ITL (12x, 8x, rollback), of the
 * reset ITL and of the tokenless CTL; files signed by each SAST verify with
 * ctl_file_verify(); the bytes of certificate-less records (33 bytes in
 * CUCM's non-secure CTL); the 64 KB phone limit.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>
#include <ctl/sbd.h>

#include "testutil.h"

static const uint8_t ip_pub[4] = { 10, 48, 47, 153 };
static const uint8_t ip_sub[4] = { 10, 48, 47, 154 };

/* The certificates of a two-node cluster from the test PKI. */
struct cluster {
	X509 *ccm1, *ccm2, *tvs1, *capf, *itlrec, *sast1;
	struct ctl_sbd_cert tvs[2];
};

static void
cluster_load(struct cluster *c)
{
	c->ccm1 = tu_cert("ccm1");
	c->ccm2 = tu_cert("ccm2");
	c->tvs1 = tu_cert("tvs1");
	c->capf = tu_cert("capf");
	c->itlrec = tu_cert("itlrecovery");
	c->sast1 = tu_cert("sast1");
	/* Node 2's TVS certificate: any other self-signed one does for the layout. */
	c->tvs[0] = (struct ctl_sbd_cert){ c->tvs1, "cucm-pub.example.lab", ip_pub };
	c->tvs[1] = (struct ctl_sbd_cert){ c->sast1, NULL, ip_sub };
}

static void
cluster_free(struct cluster *c)
{
	X509_free(c->ccm1);
	X509_free(c->ccm2);
	X509_free(c->tvs1);
	X509_free(c->capf);
	X509_free(c->itlrec);
	X509_free(c->sast1);
}

static struct ctl_itl_spec
spec_for(struct cluster *c, enum ctl_itl_layout layout, int mixed)
{
	static struct ctl_sbd_cert capf;
	struct ctl_itl_spec s;

	memset(&s, 0, sizeof(s));
	capf = (struct ctl_sbd_cert){ c->capf, "cucm-pub.example.lab", ip_pub };
	s.layout = layout;
	s.mixed = mixed;
	s.callmanager = (struct ctl_sbd_cert){ c->ccm1, "cucm-pub.example.lab", ip_pub };
	s.itlrecovery = (struct ctl_sbd_cert){ c->itlrec, NULL, NULL };
	s.tvs = c->tvs;
	s.ntvs = 2;
	s.capf = &capf;
	s.timestamp = 1767115542u;
	return s;
}

/* Signs b with the named PKI key and parses the result. */
static struct ctl_file *
sign_parse(struct ctl_builder *b, const char *signer, uint8_t **bytes, size_t *len)
{
	struct ctl_signer *s = tu_signer(signer);
	struct ctl_file *f;

	*bytes = tu_sign(b, s, len);
	f = tu_parse(*bytes, *len);
	ctl_signer_free(s);
	return f;
}

/* Record i has role and carries exactly cert's DER (or no certificate at all). */
static void
expect_rec(const struct ctl_file *f, size_t i, uint16_t role, X509 *cert)
{
	const struct ctl_record *r = ctl_file_record(f, i);
	unsigned char *der = NULL;
	int n;

	ck_assert_msg(r != NULL, "record %zu missing", i + 1);
	ck_assert_msg(r->has_role && r->role == role, "record %zu: role %u, expected %u", i + 1,
	              r->role, role);
	if (cert == NULL) {
		ck_assert_uint_eq(r->cert.len, 0);
		ck_assert_uint_eq(r->pubkey.len, 0);
		ck_assert_uint_eq(r->subject.len, 0);
		return;
	}
	n = i2d_X509(cert, &der);
	ck_assert_int_gt(n, 0);
	ck_assert_msg(r->cert.len == (size_t)n && memcmp(r->cert.p, der, (size_t)n) == 0,
	              "record %zu: not the expected certificate", i + 1);
	OPENSSL_free(der);
}

static void
expect_verifies(const struct ctl_file *f, int signer_index)
{
	struct ctl_verify_result res;

	ck_assert_msg(ctl_file_verify(f, &res) == CTL_OK, "verify: %s", res.reason);
	ck_assert_int_eq(res.signer_index, signer_index);
}

/* ---- the 12.x ITL ------------------------------------------------------ */

START_TEST(itl_12x_non_secure)
{
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	const struct ctl_record *r;
	struct ctl_diag d;
	uint8_t *p, maj, min;
	size_t n;

	cluster_load(&c);
	s = spec_for(&c, CTL_ITL_12X, 0);
	ck_assert_int_eq(ctl_itl_builder(&s, &b, &d), CTL_OK);
	f = sign_parse(b, "itlrecovery", &p, &n);
	ck_assert_uint_eq(ctl_file_nrecords(f), 6);
	expect_rec(f, 0, CTL_ROLE_SAST, c.itlrec);
	expect_rec(f, 1, CTL_ROLE_SAST, c.ccm1);
	expect_rec(f, 2, CTL_ROLE_TFTP, c.ccm1);
	expect_rec(f, 3, CTL_ROLE_TVS, c.tvs1);
	expect_rec(f, 4, CTL_ROLE_TVS, c.sast1);
	expect_rec(f, 5, CTL_ROLE_CAPF, c.capf);
	expect_verifies(f, 0);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_ITL);
	ck_assert_mem_eq(ctl_file_filename(f).p, "ITLFile.tlv", 12);
	ctl_file_version(f, &maj, &min);
	ck_assert_uint_eq(maj, 1);
	ck_assert_uint_eq(min, 2);
	ck_assert_uint_eq(ctl_file_digest(f), CTL_DIGEST_SHA1);
	ck_assert_uint_eq(ctl_file_timestamp(f), 1767115542u);
	/* names and addresses kept */
	r = ctl_file_record(f, 2);
	ck_assert_mem_eq(r->dns.p, "cucm-pub.example.lab", 21);
	ck_assert_int_eq(r->has_ip, 1);
	ck_assert_mem_eq(r->ip, ip_pub, 4);
	r = ctl_file_record(f, 4);
	ck_assert_mem_eq(r->ip, ip_sub, 4);
	ck_assert_uint_eq(ctl_file_record(f, 0)->has_ip, 0);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	cluster_free(&c);
}
END_TEST

START_TEST(itl_12x_mixed_callmanager_is_ccm_tftp)
{
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	uint8_t *p;
	size_t n;

	cluster_load(&c);
	s = spec_for(&c, CTL_ITL_12X, 1);
	s.capf = NULL;
	s.ntvs = 1;
	s.digest = CTL_DIGEST_SHA512;
	ck_assert_int_eq(ctl_itl_builder(&s, &b, NULL), CTL_OK);
	f = sign_parse(b, "itlrecovery", &p, &n);
	ck_assert_uint_eq(ctl_file_nrecords(f), 4);
	expect_rec(f, 0, CTL_ROLE_SAST, c.itlrec);
	expect_rec(f, 1, CTL_ROLE_SAST, c.ccm1);
	expect_rec(f, 2, CTL_ROLE_CCM_TFTP, c.ccm1);
	expect_rec(f, 3, CTL_ROLE_TVS, c.tvs1);
	ck_assert_uint_eq(ctl_file_digest(f), CTL_DIGEST_SHA512);
	expect_verifies(f, 0);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	cluster_free(&c);
}
END_TEST

/* `utils itl reset localkey` re-signs with CallManager: its SAST record verifies it. */
START_TEST(itl_12x_signed_by_callmanager_verifies)
{
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	struct ctl_diag d;
	uint8_t *p;
	size_t n;

	cluster_load(&c);
	s = spec_for(&c, CTL_ITL_12X, 0);
	ck_assert_int_eq(ctl_itl_builder(&s, &b, &d), CTL_OK);
	f = sign_parse(b, "ccm1", &p, &n);
	expect_verifies(f, 1);
	/* a non-SAST certificate of the file is not a deployable signer */
	ck_assert_int_eq(ctl_builder_check(b, &(struct ctl_policy){ 1, 1, 0 }, c.itlrec, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_check(b, &(struct ctl_policy){ 1, 1, 0 }, c.tvs1, &d),
	                 CTL_E_SIGNER_NOT_LISTED);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	cluster_free(&c);
}
END_TEST

START_TEST(itl_12x_needs_itlrecovery)
{
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_builder *b = (struct ctl_builder *)&c;
	struct ctl_diag d;

	cluster_load(&c);
	s = spec_for(&c, CTL_ITL_12X, 0);
	s.itlrecovery.cert = NULL;
	ck_assert_int_eq(ctl_itl_builder(&s, &b, &d), CTL_E_INVAL);
	ck_assert_ptr_null(b);
	ck_assert_ptr_nonnull(strstr(d.msg, "ITLRecovery"));
	s = spec_for(&c, CTL_ITL_8X, 0);
	s.callmanager.cert = NULL;
	ck_assert_int_eq(ctl_itl_builder(&s, &b, &d), CTL_E_INVAL);
	ck_assert_ptr_nonnull(strstr(d.msg, "CallManager"));
	s = spec_for(&c, (enum ctl_itl_layout)7, 0);
	ck_assert_int_eq(ctl_itl_builder(&s, &b, &d), CTL_E_INVAL);
	s = spec_for(&c, CTL_ITL_12X, 0);
	s.tvs = NULL;
	ck_assert_int_eq(ctl_itl_builder(&s, &b, &d), CTL_E_INVAL);
	s = spec_for(&c, CTL_ITL_12X, 0);
	s.digest = (enum ctl_digest)9;
	ck_assert_int_eq(ctl_itl_builder(&s, &b, &d), CTL_E_DIGEST);
	ck_assert_int_eq(ctl_itl_builder(NULL, &b, &d), CTL_E_INVAL);
	cluster_free(&c);
}
END_TEST

/* A TVS entry without its certificate is an error outside rollback. */
START_TEST(itl_tvs_without_certificate)
{
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_diag d;

	cluster_load(&c);
	c.tvs[1].cert = NULL;
	s = spec_for(&c, CTL_ITL_12X, 0);
	ck_assert_int_eq(ctl_itl_builder(&s, &b, &d), CTL_E_INVAL);
	ck_assert_ptr_null(b);
	ck_assert_msg(strstr(d.msg, "TVS certificate 2") != NULL, "%s", d.msg);
	c.tvs[1].cert = c.sast1;
	cluster_free(&c);
}
END_TEST

/* ---- the 8.x ITL ------------------------------------------------------- */

START_TEST(itl_8x_layout)
{
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	uint8_t *p;
	size_t n;

	cluster_load(&c);
	s = spec_for(&c, CTL_ITL_8X, 0);
	s.itlrecovery.cert = NULL;
	ck_assert_int_eq(ctl_itl_builder(&s, &b, NULL), CTL_OK);
	f = sign_parse(b, "ccm1", &p, &n);
	ck_assert_uint_eq(ctl_file_nrecords(f), 5);
	expect_rec(f, 0, CTL_ROLE_SAST, c.ccm1);
	expect_rec(f, 1, CTL_ROLE_TFTP, c.ccm1);
	expect_rec(f, 2, CTL_ROLE_TVS, c.tvs1);
	expect_rec(f, 3, CTL_ROLE_TVS, c.sast1);
	expect_rec(f, 4, CTL_ROLE_CAPF, c.capf);
	expect_verifies(f, 0);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);

	/* 10.x-11.5: ITLRecovery listed as SAST after the CallManager records */
	s = spec_for(&c, CTL_ITL_8X, 1);
	ck_assert_int_eq(ctl_itl_builder(&s, &b, NULL), CTL_OK);
	f = sign_parse(b, "ccm1", &p, &n);
	ck_assert_uint_eq(ctl_file_nrecords(f), 6);
	expect_rec(f, 0, CTL_ROLE_SAST, c.ccm1);
	expect_rec(f, 1, CTL_ROLE_CCM_TFTP, c.ccm1);
	expect_rec(f, 2, CTL_ROLE_SAST, c.itlrec);
	expect_rec(f, 3, CTL_ROLE_TVS, c.tvs1);
	expect_verifies(f, 0);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	cluster_free(&c);
}
END_TEST

/* ---- rollback and certificate-less records ----------------------------- */

/* RECORDLENGTH 33, DNSNAME "10.48.47.153", FUNCTION, IPADDRESS (cucm-output 1c). */
static const uint8_t bare_tftp[33] = {
	0x01, 0x00, 0x02, 0x00, 0x21,
	0x02, 0x00, 0x0d, '1', '0', '.', '4', '8', '.', '4', '7', '.', '1', '5', '3', 0x00,
	0x04, 0x00, 0x02, 0x00, 0x03,
	0x0a, 0x00, 0x04, 0x0a, 0x30, 0x2f, 0x99,
};

static void
expect_bytes(const struct ctl_file *f, size_t i, const uint8_t *want, size_t n)
{
	const struct ctl_record *r = ctl_file_record(f, i);
	size_t len;
	const uint8_t *p = ctl_file_bytes(f, &len);

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->length, n);
	ck_assert_uint_le(r->off + n, len);
	ck_assert_mem_eq(p + r->off, want, n);
}

START_TEST(itl_rollback_record_bytes)
{
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	uint8_t *p;
	size_t n;
	uint8_t tvs2[33];
	char *text = NULL;

	cluster_load(&c);
	s = spec_for(&c, CTL_ITL_12X, 0);
	s.rollback = 1;
	s.callmanager.dns = NULL;   /* the address as name, as CUCM writes it */
	c.tvs[0].dns = NULL;
	c.tvs[1].cert = NULL;       /* rollback needs no TVS certificate */
	ck_assert_int_eq(ctl_itl_builder(&s, &b, NULL), CTL_OK);
	f = sign_parse(b, "itlrecovery", &p, &n);
	ck_assert_uint_eq(ctl_file_nrecords(f), 6);
	expect_rec(f, 0, CTL_ROLE_SAST, c.itlrec);
	expect_rec(f, 1, CTL_ROLE_SAST, c.ccm1);
	expect_rec(f, 2, CTL_ROLE_TFTP, NULL);
	expect_rec(f, 3, CTL_ROLE_TVS, NULL);
	expect_rec(f, 4, CTL_ROLE_TVS, NULL);
	expect_rec(f, 5, CTL_ROLE_CAPF, c.capf);
	expect_bytes(f, 2, bare_tftp, sizeof(bare_tftp));
	memcpy(tvs2, bare_tftp, sizeof(tvs2));
	tvs2[25] = CTL_ROLE_TVS;
	expect_bytes(f, 3, tvs2, sizeof(tvs2));
	tvs2[19] = '4';
	tvs2[32] = 0x9a;
	expect_bytes(f, 4, tvs2, sizeof(tvs2));
	expect_verifies(f, 0);
	/* `show itl` prints them as CUCM's `show ctl` prints its non-secure records */
	ck_assert_int_eq(ctl_render_text(f, &(struct ctl_render_opts){ 0, NULL, NULL }, &text), CTL_OK);
	ck_assert_ptr_nonnull(strstr(text, "1\tRECORDLENGTH\t2\t33\n2\tDNSNAME\t13\t10.48.47.153\n"
	                                   "4\tFUNCTION\t2\tTFTP\n10\tIPADDRESS\t4\n"));
	free(text);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	c.tvs[1].cert = c.sast1;
	cluster_free(&c);
}
END_TEST

/* A certificate-less record without address: an empty name, no IPADDRESS (14 bytes). */
START_TEST(bare_record_without_address)
{
	static const uint8_t want[] = { 0x01, 0x00, 0x02, 0x00, 0x0e, 0x02, 0x00, 0x01, 0x00,
		                        0x04, 0x00, 0x02, 0x00, 0x15 };
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	uint8_t *p;
	size_t n;

	cluster_load(&c);
	s = spec_for(&c, CTL_ITL_8X, 0);
	s.rollback = 1;
	c.tvs[0] = (struct ctl_sbd_cert){ NULL, NULL, NULL };
	s.ntvs = 1;
	ck_assert_int_eq(ctl_itl_builder(&s, &b, NULL), CTL_OK);
	f = sign_parse(b, "ccm1", &p, &n);
	expect_rec(f, 3, CTL_ROLE_TVS, NULL);
	ck_assert_uint_eq(ctl_file_record(f, 3)->length, 14);
	expect_bytes(f, 3, want, sizeof(want));
	expect_verifies(f, 0);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	c.tvs[0].cert = c.tvs1;
	cluster_free(&c);
}
END_TEST

START_TEST(itl_reset)
{
	struct cluster c;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	struct ctl_diag d;
	uint8_t *p;
	size_t n;

	cluster_load(&c);
	ck_assert_int_eq(ctl_itl_reset_builder(c.ccm1, &b, &d), CTL_OK);
	f = sign_parse(b, "ccm1", &p, &n);
	ck_assert_uint_eq(ctl_file_nrecords(f), 1);
	expect_rec(f, 0, CTL_ROLE_SAST, c.ccm1);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_ITL);
	expect_verifies(f, 0);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	/* remotekey: the recovery key signs its own reset ITL */
	ck_assert_int_eq(ctl_itl_reset_builder(c.itlrec, &b, &d), CTL_OK);
	f = sign_parse(b, "itlrecovery", &p, &n);
	expect_rec(f, 0, CTL_ROLE_SAST, c.itlrec);
	expect_verifies(f, 0);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	ck_assert_int_eq(ctl_itl_reset_builder(NULL, &b, &d), CTL_E_INVAL);
	ck_assert_ptr_null(b);
	cluster_free(&c);
}
END_TEST

/* ---- the tokenless CTL ------------------------------------------------- */

static void
tokenless_nodes(struct cluster *c, struct ctl_tokenless_node nodes[2], struct ctl_sbd_cert *capf)
{
	*capf = (struct ctl_sbd_cert){ c->capf, "cucm-pub.example.lab", ip_pub };
	memset(nodes, 0, 2 * sizeof(nodes[0]));
	nodes[0].callmanager = (struct ctl_sbd_cert){ c->ccm1, NULL, ip_pub };
	nodes[0].capf = capf;
	nodes[1].callmanager = (struct ctl_sbd_cert){ c->ccm2, "cucm-sub1.example.lab", ip_sub };
	nodes[1].tvs = &c->tvs[1];
}

START_TEST(tokenless_mixed)
{
	struct cluster c;
	struct ctl_tokenless_node nodes[2];
	struct ctl_sbd_cert capf, token;
	struct ctl_tokenless_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	struct ctl_diag d;
	uint8_t *p;
	size_t n;

	cluster_load(&c);
	tokenless_nodes(&c, nodes, &capf);
	token = (struct ctl_sbd_cert){ c.tvs1, NULL, NULL };   /* any certificate as a token */
	memset(&s, 0, sizeof(s));
	s.nodes = nodes;
	s.nnodes = 2;
	s.itlrecovery = (struct ctl_sbd_cert){ c.itlrec, NULL, NULL };
	s.tokens = &token;
	s.ntokens = 1;
	s.timestamp = 1767115542u;
	ck_assert_int_eq(ctl_tokenless_builder(&s, &b, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_check(b, &(struct ctl_policy){ 1, 1, 0 }, c.itlrec, &d), CTL_OK);
	f = sign_parse(b, "itlrecovery", &p, &n);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_CTL);
	ck_assert_mem_eq(ctl_file_filename(f).p, "CTLFile.tlv", 12);
	ck_assert_uint_eq(ctl_file_nrecords(f), 7);
	expect_rec(f, 0, CTL_ROLE_SAST, c.itlrec);
	expect_rec(f, 1, CTL_ROLE_SAST, c.ccm1);
	expect_rec(f, 2, CTL_ROLE_CCM_TFTP, c.ccm1);
	expect_rec(f, 3, CTL_ROLE_CAPF, c.capf);
	expect_rec(f, 4, CTL_ROLE_CCM_TFTP, c.ccm2);
	expect_rec(f, 5, CTL_ROLE_TVS, c.sast1);
	expect_rec(f, 6, CTL_ROLE_SAST, c.tvs1);
	ck_assert_mem_eq(ctl_file_record(f, 4)->dns.p, "cucm-sub1.example.lab", 22);
	expect_verifies(f, 0);
	free(p);
	ctl_file_free(f);
	/* 10.x layout and `reset localkey`: the same records signed by CallManager */
	f = sign_parse(b, "ccm1", &p, &n);
	expect_verifies(f, 1);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	cluster_free(&c);
}
END_TEST

START_TEST(tokenless_non_secure_bare_records)
{
	struct cluster c;
	struct ctl_tokenless_node nodes[2];
	struct ctl_sbd_cert capf;
	struct ctl_tokenless_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_file *f;
	uint8_t *p, sub[33];
	size_t n;

	cluster_load(&c);
	tokenless_nodes(&c, nodes, &capf);
	nodes[1].callmanager.cert = NULL;   /* not needed without mixed mode */
	nodes[1].callmanager.dns = NULL;
	nodes[1].tvs = NULL;
	memset(&s, 0, sizeof(s));
	s.nodes = nodes;
	s.nnodes = 2;
	s.itlrecovery = (struct ctl_sbd_cert){ c.itlrec, NULL, NULL };
	s.non_secure = 1;
	ck_assert_int_eq(ctl_tokenless_builder(&s, &b, NULL), CTL_OK);
	f = sign_parse(b, "itlrecovery", &p, &n);
	ck_assert_uint_eq(ctl_file_nrecords(f), 5);
	expect_rec(f, 0, CTL_ROLE_SAST, c.itlrec);
	expect_rec(f, 1, CTL_ROLE_SAST, c.ccm1);
	expect_rec(f, 2, CTL_ROLE_CCM_TFTP, NULL);
	expect_rec(f, 3, CTL_ROLE_CAPF, c.capf);
	expect_rec(f, 4, CTL_ROLE_CCM_TFTP, NULL);
	memcpy(sub, bare_tftp, sizeof(sub));
	sub[25] = CTL_ROLE_CCM_TFTP;
	expect_bytes(f, 2, sub, sizeof(sub));
	sub[19] = '4';
	sub[32] = 0x9a;
	expect_bytes(f, 4, sub, sizeof(sub));
	expect_verifies(f, 0);
	free(p);
	ctl_file_free(f);
	ctl_builder_free(b);
	cluster_free(&c);
}
END_TEST

START_TEST(tokenless_rejects)
{
	struct cluster c;
	struct ctl_tokenless_node nodes[2];
	struct ctl_sbd_cert capf;
	struct ctl_tokenless_spec s;
	struct ctl_builder *b = NULL;
	struct ctl_diag d;

	cluster_load(&c);
	tokenless_nodes(&c, nodes, &capf);
	memset(&s, 0, sizeof(s));
	s.nodes = nodes;
	ck_assert_int_eq(ctl_tokenless_builder(&s, &b, &d), CTL_E_INVAL);   /* no node */
	s.nnodes = 2;
	nodes[1].callmanager.cert = NULL;
	ck_assert_int_eq(ctl_tokenless_builder(&s, &b, &d), CTL_E_INVAL);   /* mixed needs it */
	ck_assert_msg(strstr(d.msg, "node 2") != NULL, "%s", d.msg);
	nodes[1].callmanager.cert = c.ccm2;
	nodes[0].callmanager.cert = NULL;
	ck_assert_int_eq(ctl_tokenless_builder(&s, &b, &d), CTL_E_INVAL);
	nodes[0].callmanager.cert = c.ccm1;
	s.ntokens = 2;
	ck_assert_int_eq(ctl_tokenless_builder(&s, &b, &d), CTL_E_INVAL);
	ck_assert_ptr_null(b);
	/* without ITLRecovery (10.x): CallManager is the only anchor */
	s.ntokens = 0;
	ck_assert_int_eq(ctl_tokenless_builder(&s, &b, &d), CTL_OK);
	ck_assert_uint_eq(ctl_builder_nrecords(b), 5);
	ctl_builder_free(b);
	cluster_free(&c);
}
END_TEST

/* ---- the 64 KB limit --------------------------------------------------- */

/* A self-signed RSA-2048 certificate numbered i, sharing one key. */
static X509 *
numbered_cert(EVP_PKEY *k, long i)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	char cn[64];

	snprintf(cn, sizeof(cn), "tvs%ld.example.lab", i);
	ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), i + 1), 1);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn,
	                                            -1, -1, 0), 1);
	ck_assert_int_eq(X509_set_subject_name(x, nm), 1);
	ck_assert_int_eq(X509_set_issuer_name(x, nm), 1);
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	ck_assert_ptr_nonnull(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	ck_assert_int_eq(X509_set_pubkey(x, k), 1);
	ck_assert_int_gt(X509_sign(x, k, EVP_sha256()), 0);
	X509_NAME_free(nm);
	return x;
}

/*
 * The security guide: past 39 certificates the ITL outgrows what phones
 * load. Test certificates are smaller than CUCM's, so 50 TVS records here.
 */
START_TEST(itl_phone_limit)
{
	enum { NTVS = 50 };
	struct cluster c;
	struct ctl_itl_spec s;
	struct ctl_sbd_cert tvs[NTVS];
	struct ctl_builder *b = NULL;
	struct ctl_signer *sg = tu_signer("itlrecovery");
	EVP_PKEY *k = EVP_RSA_gen(2048);
	uint8_t *p;
	size_t n, i;

	ck_assert_uint_eq(CTL_ITL_PHONE_MAX, 65536u);
	ck_assert_ptr_nonnull(k);
	cluster_load(&c);
	s = spec_for(&c, CTL_ITL_12X, 0);
	ck_assert_int_eq(ctl_itl_builder(&s, &b, NULL), CTL_OK);
	p = tu_sign(b, sg, &n);
	ck_assert_uint_lt(n, CTL_ITL_PHONE_MAX);
	free(p);
	ctl_builder_free(b);
	for (i = 0; i < NTVS; i++)
		tvs[i] = (struct ctl_sbd_cert){ numbered_cert(k, (long)i), NULL, ip_sub };
	s.tvs = tvs;
	s.ntvs = NTVS;
	ck_assert_int_eq(ctl_itl_builder(&s, &b, NULL), CTL_OK);
	p = tu_sign(b, sg, &n);
	ck_assert_uint_gt(n, CTL_ITL_PHONE_MAX);
	free(p);
	ctl_builder_free(b);
	for (i = 0; i < NTVS; i++)
		X509_free(tvs[i].cert);
	EVP_PKEY_free(k);
	ctl_signer_free(sg);
	cluster_free(&c);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("sbd");
	TCase *tc = tcase_create("layouts");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, itl_12x_non_secure);
	tcase_add_test(tc, itl_12x_mixed_callmanager_is_ccm_tftp);
	tcase_add_test(tc, itl_12x_signed_by_callmanager_verifies);
	tcase_add_test(tc, itl_12x_needs_itlrecovery);
	tcase_add_test(tc, itl_tvs_without_certificate);
	tcase_add_test(tc, itl_8x_layout);
	tcase_add_test(tc, itl_rollback_record_bytes);
	tcase_add_test(tc, bare_record_without_address);
	tcase_add_test(tc, itl_reset);
	tcase_add_test(tc, tokenless_mixed);
	tcase_add_test(tc, tokenless_non_secure_bare_records);
	tcase_add_test(tc, tokenless_rejects);
	tcase_add_test(tc, itl_phone_limit);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
