/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier trust rules (phone-verifier/trust.c, format section 11)
 * on files built here with libctl and the build/pki keys: trust on first
 * use, a CTL re-signed by the second token, a rogue token, tampering,
 * truncation, wrong kind, an ITL chain through the CTL, a phone holding only
 * an ITL taking (or refusing) its first CTL, .sgn configuration files (with
 * and without a verifier's cached keys),
 * record identity (role and certificate), and the state directory (store,
 * load, erase, damage).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509.h>

#include <ctl/ctl.h>
#include <ctl/sbd.h>

#include "trust.h"
#include "testutil.h"

struct ent {
	const char *name;
	uint16_t role;
};

/* Builds and signs a list of kind with signer NAME (NAME.key/NAME.pem); free() the result. */
static uint8_t *
build(enum ctl_kind kind, const char *signer, const struct ent *e, size_t n, uint32_t ts,
      size_t *len)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	uint8_t *out = NULL;
	char key[512], crt[512];
	size_t i;

	ck_assert_int_eq(ctl_builder_new(kind, &b), CTL_OK);
	for (i = 0; i < n; i++) {
		X509 *c = NULL;

		ck_assert_int_eq(ctl_cert_load(tu_pki(e[i].name), &c, &d), CTL_OK);
		ck_assert_int_eq(ctl_builder_add_cert(b, c, e[i].role, NULL, NULL, &d), CTL_OK);
		X509_free(c);
	}
	ctl_builder_set_timestamp(b, ts);
	snprintf(key, sizeof(key), "%s.key", signer);
	snprintf(crt, sizeof(crt), "%s.pem", signer);
	snprintf(key, sizeof(key), "%s", tu_pki(key));
	snprintf(crt, sizeof(crt), "%s", tu_pki(crt));
	ck_assert_int_eq(ctl_signer_new_pem(key, crt, &s, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_sign(b, s, &out, len, &d), CTL_OK);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

static const struct ent ctl_ents[] = {
	{ "sast1.pem", CTL_ROLE_SAST }, { "sast2.pem", CTL_ROLE_SAST },
	{ "ccm1.pem", CTL_ROLE_CCM_TFTP }, { "capf.pem", CTL_ROLE_CAPF },
};

static uint8_t *
ctl_by(const char *signer, uint32_t ts, size_t *len)
{
	return build(CTL_KIND_CTL, signer, ctl_ents, 4, ts, len);
}

/* A held trust list made from bytes (the test owns the reference). */
static struct pv_tl *
tl_of(const uint8_t *p, size_t n)
{
	struct pv_tl *tl = NULL;
	struct ctl_diag d;

	ck_assert_int_eq(pv_tl_new(p, n, &tl, &d), CTL_OK);
	return tl;
}

START_TEST(tofu_first_ctl)
{
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = NULL;
	size_t n;
	uint8_t *p = ctl_by("sast1", 1000, &n);

	pv_trust_init(&t);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, p, n, NULL, NULL, &d, &tl), PV_V_TOFU);
	ck_assert_ptr_nonnull(tl);
	ck_assert_str_eq(d.trusted_by, "itself");
	ck_assert_int_eq(d.signer_index, 0);
	ck_assert_uint_eq(d.header_len, ctl_file_header_length(tl->f));
	ck_assert_uint_eq(d.header_len % 4, 0);
	pv_trust_set(&t, CTL_KIND_CTL, tl);
	/* The same bytes again: a no-op. */
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, p, n, NULL, NULL, &d, &tl), PV_V_UNCHANGED);
	ck_assert_ptr_null(tl);
	pv_trust_cleanup(&t);
	free(p);
}
END_TEST

START_TEST(resigned_by_second_token)
{
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = NULL;
	size_t n1, n2;
	uint8_t *a = ctl_by("sast1", 1000, &n1), *b = ctl_by("sast2", 2000, &n2);
	struct ctl_verifier *v = NULL;

	ck_assert_int_eq(ctl_verifier_new(&v), CTL_OK);
	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_CTL, tl_of(a, n1));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, b, n2, v, NULL, &d, &tl), PV_V_INSTALL);
	ck_assert_str_eq(d.trusted_by, "CTL");
	ck_assert_int_eq(d.trusted_index, 1); /* sast2 is record 2 of the held CTL */
	ck_assert_int_eq(d.err, CTL_OK);
	pv_tl_unref(tl);
	pv_trust_cleanup(&t);
	ctl_verifier_free(v);
	free(a);
	free(b);
}
END_TEST

START_TEST(rogue_token_refused)
{
	static const struct ent rogue_ents[] = {
		{ "rogue.pem", CTL_ROLE_SAST }, { "sast1.pem", CTL_ROLE_SAST },
		{ "ccm2.pem", CTL_ROLE_CCM_TFTP },
	};
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = (struct pv_tl *)1;
	size_t n1, n2;
	uint8_t *a = ctl_by("sast1", 1000, &n1);
	uint8_t *b = build(CTL_KIND_CTL, "rogue", rogue_ents, 3, 3000, &n2);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_CTL, tl_of(a, n1));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, b, n2, NULL, NULL, &d, &tl), PV_V_UNTRUSTED);
	ck_assert_ptr_null(tl);
	ck_assert_int_eq(d.err, CTL_E_NOT_TRUSTED);
	ck_assert_int_eq(d.parsed, 1);
	ck_assert_ptr_nonnull(strstr(d.reason, "SAST-ADN0bad0bad"));
	ck_assert_ptr_nonnull(strstr(d.reason, "held CTL"));
	/* On a fresh phone the rogue file's own signature holds: TOFU takes it (section 11). */
	pv_trust_cleanup(&t);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, b, n2, NULL, NULL, &d, NULL), PV_V_TOFU);
	free(a);
	free(b);
}
END_TEST

START_TEST(tampered_and_truncated)
{
	struct pv_trust t;
	struct pv_decision d;
	size_t n, hl;
	uint8_t *p = ctl_by("sast1", 1000, &n);
	struct pv_tl *tl = tl_of(p, n);

	hl = ctl_file_header_length(tl->f);
	pv_tl_unref(tl);
	pv_trust_init(&t);
	p[n - 10] ^= 1; /* inside the last record's certificate: signed bytes */
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, p, n, NULL, NULL, &d, NULL), PV_V_INVALID);
	ck_assert_int_eq(d.err, CTL_E_SIG_INVALID);
	ck_assert_int_eq(d.parsed, 1);
	ck_assert_uint_eq(d.header_len, hl);
	p[n - 10] ^= 1;
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, p, hl + 3, NULL, NULL, &d, NULL), PV_V_INVALID);
	ck_assert_int_eq(d.parsed, 0);
	ck_assert_int_eq(d.err, CTL_E_TRUNCATED);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, p, 0, NULL, NULL, &d, NULL), PV_V_INVALID);
	free(p);
}
END_TEST

START_TEST(wrong_kind)
{
	static const struct ent itl_ents[] = {
		{ "ccm1.pem", CTL_ROLE_SAST }, { "tvs1.pem", CTL_ROLE_TVS },
	};
	struct pv_trust t;
	struct pv_decision d;
	size_t n;
	uint8_t *p = build(CTL_KIND_ITL, "ccm1", itl_ents, 2, 1000, &n);

	pv_trust_init(&t);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, p, n, NULL, NULL, &d, NULL), PV_V_INVALID);
	ck_assert_int_eq(d.err, CTL_E_KIND);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, p, n, NULL, NULL, &d, NULL), PV_V_TOFU);
	free(p);
}
END_TEST

START_TEST(itl_chain)
{
	static const struct ent itl_ccm[] = {
		{ "ccm1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP }, { "tvs1.pem", CTL_ROLE_TVS },
	};
	static const struct ent itl_rec[] = {
		{ "itlrecovery.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP },
	};
	static const struct ent itl_rec2[] = {
		{ "itlrecovery.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP },
		{ "tvs1.pem", CTL_ROLE_TVS },
	};
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = NULL;
	size_t nc, n1, n2, n3;
	uint8_t *c = ctl_by("sast1", 1000, &nc);
	uint8_t *i1 = build(CTL_KIND_ITL, "ccm1", itl_ccm, 3, 1000, &n1);
	uint8_t *i2 = build(CTL_KIND_ITL, "itlrecovery", itl_rec, 2, 2000, &n2);
	uint8_t *i3 = build(CTL_KIND_ITL, "itlrecovery", itl_rec2, 3, 3000, &n3);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_CTL, tl_of(c, nc));
	/* The ITL signer is the CTL's CCM+TFTP record (the TFTP node's CallManager certificate). */
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, i1, n1, NULL, NULL, &d, &tl), PV_V_INSTALL);
	ck_assert_str_eq(d.trusted_by, "CTL");
	ck_assert_int_eq(d.trusted_index, 2);
	pv_trust_set(&t, CTL_KIND_ITL, tl);
	/* ITLRecovery is in neither list: refused, the old ITL kept. */
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, i2, n2, NULL, NULL, &d, NULL), PV_V_UNTRUSTED);
	/* With an ITLRecovery ITL held (and no CTL), its successor is trusted through the ITL. */
	pv_trust_cleanup(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(i2, n2));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, i3, n3, NULL, NULL, &d, NULL), PV_V_INSTALL);
	ck_assert_str_eq(d.trusted_by, "ITL");
	ck_assert_int_eq(d.trusted_index, 0);
	/* A CTL with only an ITL held: its signer must be a SAST of the ITL. */
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, c, nc, NULL, NULL, &d, NULL), PV_V_UNTRUSTED);
	pv_trust_cleanup(&t);
	free(c);
	free(i1);
	free(i2);
	free(i3);
}
END_TEST

/* A .sgn of payload signed by NAME. */
static uint8_t *
sgn_by(const char *signer, const char *payload, size_t *len)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	uint8_t *out = NULL;
	char key[512], crt[512];

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_filename(b, "SEP0011215A1AE3.cnf.xml.sgn"), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_payload(b, (const uint8_t *)payload, strlen(payload)), CTL_OK);
	snprintf(key, sizeof(key), "%s", tu_pki(signer));
	snprintf(crt, sizeof(crt), "%s", key);
	memcpy(key + strlen(key) - 3, "key", 3);
	memcpy(crt + strlen(crt) - 3, "pem", 3);
	ck_assert_int_eq(ctl_signer_new_pem(key, crt, &s, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_sign(b, s, &out, len, &d), CTL_OK);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

START_TEST(config_sgn)
{
	static const char cfg[] = "<device><deviceProtocol>SIP</deviceProtocol></device>\n";
	static const struct ent ccm_only[] = {
		{ "sast1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM },
	};
	struct pv_trust t;
	struct pv_decision d;
	size_t nc, n1, n2, nc2, off = 0, len = 0;
	uint8_t *c = ctl_by("sast1", 1000, &nc);
	uint8_t *c2 = build(CTL_KIND_CTL, "sast1", ccm_only, 2, 1000, &nc2);
	uint8_t *good = sgn_by("ccm1.pem", cfg, &n1), *bad = sgn_by("ccm2.pem", cfg, &n2);

	pv_trust_init(&t);
	ck_assert_int_eq(pv_config_check(&t, NULL, good, n1, &d, NULL, NULL), CTL_E_NOT_TRUSTED);
	ck_assert_int_eq(pv_trust_has_tftp(&t), 0);
	pv_trust_set(&t, CTL_KIND_CTL, tl_of(c, nc));
	ck_assert_int_eq(pv_trust_has_tftp(&t), 1);
	ck_assert_int_eq(pv_config_check(&t, NULL, good, n1, &d, &off, &len), CTL_OK);
	ck_assert_str_eq(d.trusted_by, "CTL");
	ck_assert_int_eq(d.trusted_index, 2);
	ck_assert_uint_eq(len, strlen(cfg));
	ck_assert_mem_eq(good + off, cfg, len);
	/* ccm2 is listed nowhere. */
	ck_assert_int_eq(pv_config_check(&t, NULL, bad, n2, &d, NULL, NULL), CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(d.v, PV_V_UNTRUSTED);
	/* A tampered payload. */
	good[n1 - 2] ^= 0x20;
	ck_assert_int_eq(pv_config_check(&t, NULL, good, n1, &d, NULL, NULL), CTL_E_SIG_INVALID);
	ck_assert_int_eq(d.v, PV_V_INVALID);
	good[n1 - 2] ^= 0x20;
	/* ccm1 listed only as CCM (no TFTP role) does not sign configuration files. */
	pv_trust_set(&t, CTL_KIND_CTL, tl_of(c2, nc2));
	ck_assert_int_eq(pv_trust_has_tftp(&t), 0);
	ck_assert_int_eq(pv_config_check(&t, NULL, good, n1, &d, NULL, NULL), CTL_E_SIGNER_NOT_FOUND);
	pv_trust_cleanup(&t);
	free(c);
	free(c2);
	free(good);
	free(bad);
}
END_TEST

START_TEST(state_dir)
{
	char dir[512], path[600];
	struct pv_trust t;
	struct ctl_diag d;
	struct ctl_sums s;
	unsigned removed = 9;
	size_t n;
	uint8_t *p = ctl_by("sast1", 1000, &n);
	struct pv_tl *tl = tl_of(p, n);
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/phone/flash", tu_tmpdir());
	pv_trust_init(&t);
	ck_assert_int_eq(pv_state_load(dir, &t, &d), CTL_OK); /* missing: nothing held */
	ck_assert_ptr_null(t.ctl);
	ck_assert_int_eq(pv_state_store(dir, CTL_KIND_CTL, tl, &d), CTL_OK);
	ck_assert_int_eq(pv_state_load(dir, &t, &d), CTL_OK);
	ck_assert_ptr_nonnull(t.ctl);
	ck_assert_ptr_null(t.itl);
	ck_assert_int_eq(ctl_checksums(p, n, &s), CTL_OK);
	ck_assert_str_eq(t.ctl->sums.md5, s.md5);
	pv_trust_cleanup(&t);
	ck_assert_int_eq(pv_state_erase(dir, &removed, &d), CTL_OK);
	ck_assert_uint_eq(removed, 1);
	ck_assert_int_eq(pv_state_load(dir, &t, &d), CTL_OK);
	ck_assert_ptr_null(t.ctl);
	/* A damaged stored file is an error naming it, never a silent re-TOFU. */
	snprintf(path, sizeof(path), "%s/" PV_CTL_NAME, dir);
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	fwrite(p, 1, 40, f);
	fclose(f);
	ck_assert_int_ne(pv_state_load(dir, &t, &d), CTL_OK);
	ck_assert_ptr_nonnull(strstr(d.msg, PV_CTL_NAME));
	ck_assert_ptr_null(t.ctl);
	/* A CTL stored under the ITL name is refused too. */
	ck_assert_int_eq(pv_state_erase(dir, &removed, &d), CTL_OK);
	ck_assert_int_eq(pv_state_write(dir, PV_ITL_NAME, p, n, &d), CTL_OK);
	ck_assert_int_eq(pv_state_load(dir, &t, &d), CTL_E_KIND);
	pv_tl_unref(tl);
	free(p);
}
END_TEST

START_TEST(record_diff)
{
	static const struct ent more[] = {
		{ "sast1.pem", CTL_ROLE_SAST }, { "sast2.pem", CTL_ROLE_SAST },
		{ "ccm1.pem", CTL_ROLE_CCM_TFTP }, { "capf.pem", CTL_ROLE_CAPF },
		{ "ccm2.pem", CTL_ROLE_CCM_TFTP },
	};
	size_t na, nb;
	uint8_t *a = ctl_by("sast1", 1000, &na), *b = build(CTL_KIND_CTL, "sast2", more, 5, 2000, &nb);
	struct pv_tl *ta = tl_of(a, na), *tb = tl_of(b, nb);
	size_t i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pv_record_find(tb->f, ctl_file_record(ta->f, i)), (int)i);
	ck_assert_int_eq(pv_record_find(ta->f, ctl_file_record(tb->f, 4)), -1);
	/* Different certificates, same role: different entries. */
	ck_assert_int_eq(pv_record_same(ctl_file_record(ta->f, 0), ctl_file_record(ta->f, 1)), 0);
	pv_tl_unref(ta);
	pv_tl_unref(tb);
	free(a);
	free(b);
}
END_TEST

/* One certificate under two roles (the CallManager certificate as SAST and
 * CCM+TFTP, as CUCM lists it) is two entries; the same role and certificate
 * in another file is the same entry. */
START_TEST(record_same_role)
{
	static const struct ent two_roles[] = {
		{ "ccm1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP },
	};
	static const struct ent one_role[] = {
		{ "sast1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP },
	};
	size_t na, nb;
	uint8_t *a = build(CTL_KIND_CTL, "ccm1", two_roles, 2, 1000, &na);
	uint8_t *b = build(CTL_KIND_CTL, "sast1", one_role, 2, 2000, &nb);
	struct pv_tl *ta = tl_of(a, na), *tb = tl_of(b, nb);
	const struct ctl_record *sast = ctl_file_record(ta->f, 0), *ccm = ctl_file_record(ta->f, 1);

	/* The two records do hold the same certificate. */
	ck_assert_uint_eq(sast->cert.len, ccm->cert.len);
	ck_assert_int_eq(memcmp(sast->cert.p, ccm->cert.p, sast->cert.len), 0);
	ck_assert_int_eq(pv_record_same(sast, ccm), 0);
	ck_assert_int_eq(pv_record_same(ccm, sast), 0);
	ck_assert_int_eq(pv_record_same(ccm, ctl_file_record(tb->f, 1)), 1);
	/* The SAST ccm1 is not in b (only its CCM+TFTP is); the CCM+TFTP is record 2. */
	ck_assert_int_eq(pv_record_find(tb->f, sast), -1);
	ck_assert_int_eq(pv_record_find(tb->f, ccm), 1);
	ck_assert_int_eq(pv_record_find(ta->f, ccm), 1);
	pv_tl_unref(ta);
	pv_tl_unref(tb);
	free(a);
	free(b);
}
END_TEST

/*
 * A phone holding only an ITL (non-secure cluster) receives its first CTL:
 * the usual way into mixed mode. The CTL is installed when its signer is a
 * SAST record of the held ITL: the CallManager certificate (CUCM 10.x-11.x
 * tokenless CTL and ITL are both signed by it) or ITLRecovery (12.x signs
 * both with it).
 */
START_TEST(itl_only_accepts_ctl)
{
	static const struct ent itl10[] = {
		{ "ccm1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP },
		{ "tvs1.pem", CTL_ROLE_TVS },
	};
	static const struct ent ctl10[] = {
		{ "ccm1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP },
		{ "capf.pem", CTL_ROLE_CAPF },
	};
	static const struct ent itl12[] = {
		{ "itlrecovery.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_SAST },
		{ "ccm1.pem", CTL_ROLE_TFTP }, { "tvs1.pem", CTL_ROLE_TVS },
	};
	static const struct ent ctl12[] = {
		{ "itlrecovery.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_SAST },
		{ "ccm1.pem", CTL_ROLE_CCM_TFTP }, { "capf.pem", CTL_ROLE_CAPF },
	};
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = NULL;
	size_t ni, nc, ni12, nc12;
	uint8_t *i10 = build(CTL_KIND_ITL, "ccm1", itl10, 3, 1000, &ni);
	uint8_t *c10 = build(CTL_KIND_CTL, "ccm1", ctl10, 3, 2000, &nc);
	uint8_t *i12 = build(CTL_KIND_ITL, "itlrecovery", itl12, 4, 1000, &ni12);
	uint8_t *c12 = build(CTL_KIND_CTL, "itlrecovery", ctl12, 4, 2000, &nc12);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(i10, ni));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, c10, nc, NULL, NULL, &d, &tl), PV_V_INSTALL);
	ck_assert_ptr_nonnull(tl);
	ck_assert_str_eq(d.trusted_by, "ITL");
	ck_assert_int_eq(d.trusted_index, 0);
	ck_assert_int_eq(d.signer_index, 0);
	ck_assert_int_eq(d.err, CTL_OK);
	ck_assert_ptr_nonnull(strstr(d.reason, "record 1 (SAST) of the held ITL"));
	pv_trust_set(&t, CTL_KIND_CTL, tl);
	/* Now in mixed mode: the next CTL is judged by the CTL, the ITL stays held. */
	ck_assert_ptr_nonnull(pv_trust_get(&t, CTL_KIND_ITL));
	pv_trust_cleanup(&t);

	pv_trust_set(&t, CTL_KIND_ITL, tl_of(i12, ni12));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, c12, nc12, NULL, NULL, &d, NULL), PV_V_INSTALL);
	ck_assert_str_eq(d.trusted_by, "ITL");
	ck_assert_int_eq(d.trusted_index, 0);
	/* Signed by the second SAST (utils ctl reset localkey): record 2 vouches. */
	free(c12);
	c12 = build(CTL_KIND_CTL, "ccm1", ctl12, 4, 3000, &nc12);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, c12, nc12, NULL, NULL, &d, NULL), PV_V_INSTALL);
	ck_assert_str_eq(d.trusted_by, "ITL");
	ck_assert_int_eq(d.trusted_index, 1);
	pv_trust_cleanup(&t);
	free(i10);
	free(c10);
	free(i12);
	free(c12);
}
END_TEST

/*
 * The same phone refuses a CTL its ITL can no longer vouch for: the
 * CallManager certificate was regenerated (the new signer is in no held
 * list), or the signer is in the ITL but not as SAST (a TFTP record vouches
 * for configuration files, not trust lists). Nothing is installed.
 */
START_TEST(itl_only_refuses_ctl)
{
	static const struct ent itl10[] = {
		{ "ccm1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP },
		{ "tvs1.pem", CTL_ROLE_TVS },
	};
	static const struct ent ctl_new[] = {
		{ "ccm2.pem", CTL_ROLE_SAST }, { "ccm2.pem", CTL_ROLE_CCM_TFTP },
		{ "ccm1.pem", CTL_ROLE_SAST },
	};
	static const struct ent itl12[] = {
		{ "itlrecovery.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_TFTP },
	};
	static const struct ent ctl_ccm[] = {
		{ "ccm1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM_TFTP },
	};
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = (struct pv_tl *)&t;
	size_t ni, nc, ni12, ncc;
	uint8_t *i10 = build(CTL_KIND_ITL, "ccm1", itl10, 3, 1000, &ni);
	uint8_t *cn = build(CTL_KIND_CTL, "ccm2", ctl_new, 3, 2000, &nc);
	uint8_t *i12 = build(CTL_KIND_ITL, "itlrecovery", itl12, 2, 1000, &ni12);
	uint8_t *cc = build(CTL_KIND_CTL, "ccm1", ctl_ccm, 2, 2000, &ncc);
	struct pv_tl *parsed = tl_of(cn, nc);
	struct ctl_bytes subj = ctl_file_record(parsed->f, 0)->subject;
	char want[640];

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(i10, ni));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, cn, nc, NULL, NULL, &d, &tl), PV_V_UNTRUSTED);
	ck_assert_ptr_null(tl);
	ck_assert_int_eq(d.err, CTL_E_NOT_TRUSTED);
	ck_assert_int_eq(d.signer_index, 0);
	ck_assert_int_eq(d.trusted_index, -1);
	ck_assert_ptr_null(d.trusted_by);
	/* The exact reason ctl-suite explains with boot --verbose ("ctl-suite: ... refused: ..."). */
	snprintf(want, sizeof(want), "signer %.*s (record 1) is not a SAST of the held ITL",
	         (int)strnlen((const char *)subj.p, subj.len), (const char *)subj.p);
	ck_assert_str_eq(d.reason, want);
	ck_assert_ptr_nonnull(strstr(want, "CN=cucm-sub1.example.lab"));
	pv_tl_unref(parsed);
	ck_assert_ptr_null(pv_trust_get(&t, CTL_KIND_CTL));
	pv_trust_cleanup(&t);

	pv_trust_set(&t, CTL_KIND_ITL, tl_of(i12, ni12));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, cc, ncc, NULL, NULL, &d, NULL), PV_V_UNTRUSTED);
	ck_assert_int_eq(d.err, CTL_E_NOT_TRUSTED);
	ck_assert_msg(strstr(d.reason, "(record 1) is not a SAST of the held ITL") != NULL,
	              "reason: %s", d.reason);
	pv_trust_cleanup(&t);
	free(i10);
	free(cn);
	free(i12);
	free(cc);
}
END_TEST

/* ---- Security By Default: TVS, the held ITL's TFTP record, reset ITL ---- */

/* A TVS stub: answers with a PKI certificate and roles, or an error; records the query. */
struct stub {
	const char *cert;          /* PKI file returned; NULL with err CTL_OK: "unknown" */
	uint8_t roles[4];
	size_t nroles;
	enum ctl_err err;          /* CTL_OK: answer; else returned as is */
	unsigned calls;
	enum ctl_kind kind;
	char subject[512], issuer[512];
	uint8_t serial[64];
	size_t serial_len;
};

static enum ctl_err
stub_query(void *arg, const struct pv_trust *held, const struct pv_tvs_query *q,
           struct pv_tvs_answer *a, char *why, size_t cap)
{
	struct stub *st = arg;
	struct ctl_diag d;

	ck_assert_ptr_nonnull(held);
	st->calls++;
	st->kind = q->kind;
	snprintf(st->subject, sizeof(st->subject), "%s", q->subject);
	snprintf(st->issuer, sizeof(st->issuer), "%s", q->issuer);
	ck_assert_uint_le(q->serial_len, sizeof(st->serial));
	memcpy(st->serial, q->serial, q->serial_len);
	st->serial_len = q->serial_len;
	if (st->err != CTL_OK) {
		snprintf(why, cap, "no TVS server answered (stub)");
		return st->err;
	}
	if (st->cert == NULL) {
		snprintf(why, cap, "the TVS does not know the certificate (stub)");
		return CTL_E_NOT_TRUSTED;
	}
	ck_assert_int_eq(ctl_cert_load(tu_pki(st->cert), &a->cert, &d), CTL_OK);
	memcpy(a->roles, st->roles, st->nroles);
	a->nroles = st->nroles;
	a->ttl = 86400;
	snprintf(a->server, sizeof(a->server), "127.0.0.1:2445");
	return CTL_OK;
}

/* The serial bytes of a PKI certificate. */
static size_t
serial_of(const char *name, uint8_t *out, size_t cap)
{
	struct ctl_diag d;
	X509 *c = NULL;
	uint8_t *sb = NULL;
	size_t n = 0;

	ck_assert_int_eq(ctl_cert_load(tu_pki(name), &c, &d), CTL_OK);
	ck_assert_int_eq(ctl_serial_bytes(c, &sb, &n), CTL_OK);
	ck_assert_uint_le(n, cap);
	memcpy(out, sb, n);
	free(sb);
	X509_free(c);
	return n;
}

static const struct ent itl8x_ccm1[] = {
	{ "ccm1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_TFTP }, { "tvs1.pem", CTL_ROLE_TVS },
};
static const struct ent itl8x_ccm2[] = {
	{ "ccm2.pem", CTL_ROLE_SAST }, { "ccm2.pem", CTL_ROLE_TFTP }, { "tvs1.pem", CTL_ROLE_TVS },
};

/*
 * 12.x layout: the held ITL lists CallManager as TFTP only (ITLRecovery is
 * the SAST); an ITL that CallManager signs (itl-reset localkey) is vouched
 * for by that TFTP record of the held ITL, without TVS.
 */
START_TEST(itl_by_held_itl_tftp_record)
{
	static const struct ent held12[] = {
		{ "itlrecovery.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_TFTP },
		{ "tvs1.pem", CTL_ROLE_TVS },
	};
	struct stub st = { .cert = "ccm1.pem", .roles = { 3 }, .nroles = 1 };
	const struct pv_tvs_ops ops = { stub_query, &st };
	struct pv_trust t;
	struct pv_decision d;
	size_t nh, nn;
	uint8_t *h = build(CTL_KIND_ITL, "itlrecovery", held12, 3, 1000, &nh);
	uint8_t *nw = build(CTL_KIND_ITL, "ccm1", itl8x_ccm1, 3, 2000, &nn);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(h, nh));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, &ops, &d, NULL), PV_V_INSTALL);
	ck_assert_str_eq(d.trusted_by, "ITL");
	ck_assert_int_eq(d.trusted_index, 1);
	ck_assert_uint_eq(st.calls, 0);
	ck_assert_int_eq(d.tvs.asked, 0);
	ck_assert_int_eq(pv_trust_itl_is_reset(t.itl), 0);
	pv_trust_cleanup(&t);
	free(h);
	free(nw);
}
END_TEST

/*
 * 8.x layout, CallManager regenerated: the new ITL's signer (ccm2) is in no
 * held list; TVS is asked with the header's signer name, issuer and serial,
 * answers ccm2 with roles SAST and TFTP, the signature verifies with it:
 * installed, trusted by TVS. Without TVS the same file is refused.
 */
START_TEST(itl_vouched_by_tvs)
{
	struct stub st = { .cert = "ccm2.pem", .roles = { 0, 3 }, .nroles = 2 };
	const struct pv_tvs_ops ops = { stub_query, &st };
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = NULL, *parsed;
	size_t nh, nn, ns;
	uint8_t *h = build(CTL_KIND_ITL, "ccm1", itl8x_ccm1, 3, 1000, &nh);
	uint8_t *nw = build(CTL_KIND_ITL, "ccm2", itl8x_ccm2, 3, 2000, &nn);
	uint8_t want[64];
	struct ctl_bytes sn, ca;

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(h, nh));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, NULL, &d, NULL),
	                 PV_V_UNTRUSTED);
	ck_assert_int_eq(d.tvs.asked, 0);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, &ops, &d, &tl), PV_V_INSTALL);
	ck_assert_ptr_nonnull(tl);
	ck_assert_str_eq(d.trusted_by, "TVS");
	ck_assert_int_eq(d.tvs.asked, 1);
	ck_assert_int_eq(d.tvs.vouched, 1);
	ck_assert_int_eq(d.tvs.ttl, 86400);
	ck_assert_uint_eq(d.tvs.nroles, 2);
	ck_assert_str_eq(d.tvs.server, "127.0.0.1:2445");
	ck_assert_msg(strstr(d.reason, "vouched for by TVS 127.0.0.1:2445") != NULL, "%s", d.reason);
	ck_assert_uint_eq(st.calls, 1);
	ck_assert_int_eq(st.kind, CTL_KIND_ITL);
	/* The query carries the file header's signer fields. */
	parsed = tl_of(nw, nn);
	sn = ctl_file_signer_name(parsed->f);
	ca = ctl_file_signer_caname(parsed->f);
	ck_assert_uint_eq(strlen(st.subject), strnlen((const char *)sn.p, sn.len));
	ck_assert_mem_eq(st.subject, sn.p, strlen(st.subject));
	ck_assert_ptr_nonnull(strstr(st.subject, "CN="));
	ck_assert_uint_eq(strlen(st.issuer), strnlen((const char *)ca.p, ca.len));
	ck_assert_mem_eq(st.issuer, ca.p, strlen(st.issuer));
	ns = serial_of("ccm2.pem", want, sizeof(want));
	ck_assert_uint_eq(st.serial_len, ns);
	ck_assert_mem_eq(st.serial, want, ns);
	pv_tl_unref(parsed);
	pv_tl_unref(tl);
	pv_trust_cleanup(&t);
	free(h);
	free(nw);
}
END_TEST

/*
 * TVS answers that must not be believed: a certificate that does not
 * verify the file (a lying or confused server), roles that allow no trust
 * list signer (TVS, CAPF), "unknown", and no server reachable. Each is
 * refused, with the TVS reason in the line.
 */
START_TEST(tvs_answers_refused)
{
	struct stub st = { .cert = "ccm1.pem", .roles = { 0, 3 }, .nroles = 2 };
	const struct pv_tvs_ops ops = { stub_query, &st };
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = (struct pv_tl *)&t;
	size_t nh, nn;
	uint8_t *h = build(CTL_KIND_ITL, "ccm1", itl8x_ccm1, 3, 1000, &nh);
	uint8_t *nw = build(CTL_KIND_ITL, "ccm2", itl8x_ccm2, 3, 2000, &nn);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(h, nh));
	/* ccm1 returned for ccm2's file: the signature does not verify. */
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, &ops, &d, &tl),
	                 PV_V_UNTRUSTED);
	ck_assert_ptr_null(tl);
	ck_assert_int_eq(d.err, CTL_E_NOT_TRUSTED);
	ck_assert_int_eq(d.tvs.asked, 1);
	ck_assert_int_eq(d.tvs.vouched, 0);
	ck_assert_msg(strstr(d.reason, "TVS: the certificate the TVS returned does not verify") != NULL,
	              "%s", d.reason);
	/* The right certificate with roles TVS and CAPF only. */
	st.cert = "ccm2.pem";
	st.roles[0] = CTL_ROLE_TVS;
	st.roles[1] = CTL_ROLE_CAPF;
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, &ops, &d, NULL),
	                 PV_V_UNTRUSTED);
	ck_assert_msg(strstr(d.reason, "roles allow no trust list signer") != NULL, "%s", d.reason);
	/* Unknown to the TVS. */
	st.cert = NULL;
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, &ops, &d, NULL),
	                 PV_V_UNTRUSTED);
	ck_assert_int_eq(d.tvs.err, CTL_E_NOT_TRUSTED);
	ck_assert_msg(strstr(d.reason, "does not know the certificate") != NULL, "%s", d.reason);
	/* No server reached. */
	st.err = CTL_E_IO;
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, &ops, &d, NULL),
	                 PV_V_UNTRUSTED);
	ck_assert_int_eq(d.tvs.err, CTL_E_IO);
	ck_assert_msg(strstr(d.reason, "no TVS server answered") != NULL, "%s", d.reason);
	ck_assert_uint_eq(st.calls, 4);
	pv_trust_cleanup(&t);
	free(h);
	free(nw);
}
END_TEST

/*
 * A phone moved to another cluster: its held CTL does not list the new
 * cluster's signer; once the old cluster's TVS knows the certificate
 * (roles SAST and TFTP, as a real TVS answered), the new CTL is taken.
 */
START_TEST(ctl_vouched_by_tvs)
{
	static const struct ent ctlB[] = {
		{ "itlrecoveryB.pem", CTL_ROLE_SAST }, { "ccmB.pem", CTL_ROLE_SAST },
		{ "ccmB.pem", CTL_ROLE_CCM_TFTP },
	};
	struct stub st = { .cert = NULL };
	const struct pv_tvs_ops ops = { stub_query, &st };
	struct pv_trust t;
	struct pv_decision d;
	size_t nc, nb;
	uint8_t *c = ctl_by("sast1", 1000, &nc);
	uint8_t *b = build(CTL_KIND_CTL, "itlrecoveryB", ctlB, 3, 2000, &nb);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_CTL, tl_of(c, nc));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, b, nb, NULL, &ops, &d, NULL),
	                 PV_V_UNTRUSTED);
	ck_assert_msg(strstr(d.reason, "is not a SAST of the held CTL; TVS:") != NULL, "%s", d.reason);
	st.cert = "itlrecoveryB.pem";
	st.roles[0] = CTL_ROLE_SAST;
	st.roles[1] = CTL_ROLE_TFTP;
	st.nroles = 2;
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_CTL, b, nb, NULL, &ops, &d, NULL), PV_V_INSTALL);
	ck_assert_str_eq(d.trusted_by, "TVS");
	ck_assert_int_eq(st.kind, CTL_KIND_CTL);
	pv_trust_cleanup(&t);
	free(c);
	free(b);
}
END_TEST

/*
 * A .sgn whose signer is in no held list: TVS vouches only with role TFTP
 * or CCM+TFTP (SAST is a trust-list role), and only when the signature
 * verifies; a signer found locally with a bad signature is never asked about.
 */
START_TEST(sgn_vouched_by_tvs)
{
	static const char cfg[] = "<device><deviceProtocol>SIP</deviceProtocol></device>\n";
	struct stub st = { .cert = "ccm2.pem", .roles = { 0 }, .nroles = 1 };
	const struct pv_tvs_ops ops = { stub_query, &st };
	struct pv_trust t;
	struct pv_decision d;
	size_t nh, n2, n1, off = 0, len = 0;
	uint8_t *h = build(CTL_KIND_ITL, "ccm1", itl8x_ccm1, 3, 1000, &nh);
	uint8_t *s2 = sgn_by("ccm2.pem", cfg, &n2), *s1 = sgn_by("ccm1.pem", cfg, &n1);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(h, nh));
	ck_assert_int_eq(pv_config_check(&t, &ops, s2, n2, &d, NULL, NULL), CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(d.tvs.asked, 1);
	ck_assert_int_eq(st.kind, CTL_KIND_SGN);
	ck_assert_msg(strstr(d.reason, "roles allow no configuration file signer") != NULL, "%s",
	              d.reason);
	st.roles[0] = CTL_ROLE_CCM_TFTP;
	ck_assert_int_eq(pv_config_check(&t, &ops, s2, n2, &d, &off, &len), CTL_OK);
	ck_assert_str_eq(d.trusted_by, "TVS");
	ck_assert_uint_eq(len, strlen(cfg));
	ck_assert_mem_eq(s2 + off, cfg, len);
	/* The wrong certificate from TVS. */
	st.cert = "ccm1.pem";
	ck_assert_int_eq(pv_config_check(&t, &ops, s2, n2, &d, NULL, NULL), CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(d.tvs.vouched, 0);
	/* Signed by the held TFTP record but tampered: invalid, TVS not asked. */
	st.calls = 0;
	s1[n1 - 2] ^= 0x20;
	ck_assert_int_eq(pv_config_check(&t, &ops, s1, n1, &d, NULL, NULL), CTL_E_SIG_INVALID);
	ck_assert_int_eq(d.v, PV_V_INVALID);
	ck_assert_uint_eq(st.calls, 0);
	/* And a tampered file TVS is asked about does not verify with the right certificate either. */
	st.cert = "ccm2.pem";
	s2[n2 - 2] ^= 0x20;
	ck_assert_int_eq(pv_config_check(&t, &ops, s2, n2, &d, NULL, NULL), CTL_E_SIGNER_NOT_FOUND);
	ck_assert_int_eq(d.tvs.vouched, 0);
	pv_trust_cleanup(&t);
	free(h);
	free(s1);
	free(s2);
}
END_TEST

/* Both checks' outcome for one .sgn; the TVS part stays empty (no TVS here). */
static void
same_config_outcome(const struct pv_trust *t, struct ctl_verifier *v, const uint8_t *p, size_t n,
                    unsigned *nok)
{
	struct pv_decision a, b;
	size_t oa = 7, la = 7, ob = 7, lb = 7;
	enum ctl_err ra = pv_config_check(t, NULL, p, n, &a, &oa, &la);
	enum ctl_err rb = pv_config_check_v(t, v, NULL, p, n, &b, &ob, &lb);

	ck_assert_int_eq(ra, rb);
	ck_assert_int_eq(a.v, b.v);
	ck_assert_int_eq(a.err, b.err);
	ck_assert_str_eq(a.reason, b.reason);
	ck_assert_int_eq(a.signer_index, b.signer_index);
	ck_assert_int_eq(a.trusted_index, b.trusted_index);
	ck_assert_int_eq(a.header_len, b.header_len);
	ck_assert_int_eq(a.trusted_by == NULL, b.trusted_by == NULL);
	if (a.trusted_by != NULL)
		ck_assert_str_eq(a.trusted_by, b.trusted_by);
	ck_assert_uint_eq(oa, ob);
	ck_assert_uint_eq(la, lb);
	*nok += ra == CTL_OK;
}

/*
 * pv_config_check_v with one verifier kept across phones (held lists) and
 * files decides exactly as pv_config_check: a good file, an unknown signer,
 * a CCM-only record, and a file tampered after its signer's key was cached.
 */
START_TEST(config_sgn_verifier_same)
{
	static const char cfg[] = "<device><deviceProtocol>SIP</deviceProtocol></device>\n";
	static const char cfg2[] = "<device><deviceProtocol>SCCP</deviceProtocol></device>\n";
	static const struct ent ccm_only[] = {
		{ "sast1.pem", CTL_ROLE_SAST }, { "ccm1.pem", CTL_ROLE_CCM },
	};
	struct ctl_verifier *v = NULL;
	size_t nc, nc2, nh, n[4], i, k, round;
	uint8_t *c = ctl_by("sast1", 1000, &nc);
	uint8_t *c2 = build(CTL_KIND_CTL, "sast1", ccm_only, 2, 1000, &nc2);
	uint8_t *h = build(CTL_KIND_ITL, "ccm1", itl8x_ccm1, 3, 1000, &nh);
	uint8_t *f[4];
	unsigned nok = 0;

	f[0] = sgn_by("ccm1.pem", cfg, &n[0]);
	f[1] = sgn_by("ccm2.pem", cfg, &n[1]);
	f[2] = sgn_by("ccm1.pem", cfg2, &n[2]);
	f[3] = sgn_by("ccm1.pem", cfg, &n[3]);
	f[3][n[3] - 2] ^= 0x20; /* tampered payload */
	ck_assert_int_eq(ctl_verifier_new(&v), CTL_OK);
	for (round = 0; round < 2; round++)
		for (k = 0; k < 5; k++) {
			struct pv_trust t;

			pv_trust_init(&t);
			if (k == 1 || k == 4)
				pv_trust_set(&t, CTL_KIND_CTL, tl_of(c, nc));
			if (k == 2)
				pv_trust_set(&t, CTL_KIND_CTL, tl_of(c2, nc2));
			if (k == 3 || k == 4)
				pv_trust_set(&t, CTL_KIND_ITL, tl_of(h, nh));
			for (i = 0; i < 4; i++)
				same_config_outcome(&t, v, f[i], n[i], &nok);
			pv_trust_cleanup(&t);
		}
	/* The good files in the three positions that trust ccm1 for configuration, both rounds. */
	ck_assert_uint_eq(nok, 2 * 3 * 2);
	ctl_verifier_free(v);
	for (i = 0; i < 4; i++)
		free(f[i]);
	free(c);
	free(c2);
	free(h);
}
END_TEST

/*
 * A held reset ITL (itl-reset: only the signer, as SAST) makes the next ITL
 * first contact, even one signed by a certificate never seen; TVS is not
 * asked (the reset ITL lists no TVS). A held CTL that vouches still comes first.
 */
START_TEST(reset_itl_first_contact)
{
	static const struct ent reset[] = { { "ccm1.pem", CTL_ROLE_SAST } };
	struct stub st = { .cert = NULL };
	const struct pv_tvs_ops ops = { stub_query, &st };
	struct pv_trust t;
	struct pv_decision d;
	struct pv_tl *tl = NULL;
	size_t nr, nn, nc, nh;
	uint8_t *r = build(CTL_KIND_ITL, "ccm1", reset, 1, 1000, &nr);
	uint8_t *nw = build(CTL_KIND_ITL, "ccm2", itl8x_ccm2, 3, 2000, &nn);
	uint8_t *c = ctl_by("sast1", 1000, &nc);
	uint8_t *h = build(CTL_KIND_ITL, "ccm1", itl8x_ccm1, 3, 1000, &nh);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(r, nr));
	ck_assert_int_eq(pv_trust_itl_is_reset(t.itl), 1);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, &ops, &d, &tl), PV_V_TOFU);
	ck_assert_ptr_nonnull(tl);
	ck_assert_int_eq(d.reset_itl, 1);
	ck_assert_str_eq(d.trusted_by, "itself");
	ck_assert_msg(strstr(d.reason, "the held ITL is a reset ITL") != NULL, "%s", d.reason);
	ck_assert_uint_eq(st.calls, 0);
	pv_trust_set(&t, CTL_KIND_ITL, tl);
	ck_assert_int_eq(pv_trust_itl_is_reset(t.itl), 0);
	/* Once the new ITL is held, an ITL by the old signer is judged again. */
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, h, nh, NULL, NULL, &d, NULL),
	                 PV_V_UNTRUSTED);
	/* With a CTL held that lists ccm1 as CCM+TFTP: the CTL vouches for an ITL ccm1 signs. */
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(r, nr));
	pv_trust_set(&t, CTL_KIND_CTL, tl_of(c, nc));
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, h, nh, NULL, &ops, &d, NULL), PV_V_INSTALL);
	ck_assert_str_eq(d.trusted_by, "CTL");
	ck_assert_int_eq(d.reset_itl, 0);
	pv_trust_cleanup(&t);
	free(r);
	free(nw);
	free(c);
	free(h);
}
END_TEST

/*
 * The rollback ITL ("prepare cluster for rollback to pre-8.0"): its TFTP and
 * TVS records carry no certificate, so it vouches for nothing: the phone
 * takes the next ITL as on first contact and asks for no signed
 * configuration (no TFTP certificate held).
 */
START_TEST(rollback_itl_first_contact)
{
	static const uint8_t ip[4] = { 127, 0, 0, 1 };
	struct ctl_itl_spec spec;
	struct ctl_sbd_cert tvs;
	struct ctl_builder *b = NULL;
	struct ctl_signer *sg = NULL;
	struct ctl_diag d;
	struct pv_trust t;
	struct pv_decision dec;
	X509 *ccm1 = NULL, *tvs1 = NULL;
	uint8_t *rb = NULL, *nw;
	size_t nrb = 0, nn;

	ck_assert_int_eq(ctl_cert_load(tu_pki("ccm1.pem"), &ccm1, &d), CTL_OK);
	ck_assert_int_eq(ctl_cert_load(tu_pki("tvs1.pem"), &tvs1, &d), CTL_OK);
	memset(&spec, 0, sizeof(spec));
	spec.layout = CTL_ITL_8X;
	spec.callmanager = (struct ctl_sbd_cert){ ccm1, "cucm-pub.example.lab", ip };
	tvs = (struct ctl_sbd_cert){ tvs1, "cucm-pub.example.lab", ip };
	spec.tvs = &tvs;
	spec.ntvs = 1;
	spec.rollback = 1;
	ck_assert_int_eq(ctl_itl_builder(&spec, &b, &d), CTL_OK);
	ck_assert_int_eq(ctl_signer_new_pem(tu_pki("ccm1.key"), tu_pki("ccm1.pem"), &sg, &d), CTL_OK);
	ck_assert_int_eq(ctl_builder_sign(b, sg, &rb, &nrb, &d), CTL_OK);
	nw = build(CTL_KIND_ITL, "ccm2", itl8x_ccm2, 3, 2000, &nn);

	pv_trust_init(&t);
	pv_trust_set(&t, CTL_KIND_ITL, tl_of(rb, nrb));
	ck_assert_int_eq(pv_trust_itl_is_reset(t.itl), 1);
	ck_assert_int_eq(pv_trust_has_tftp(&t), 0);
	ck_assert_int_eq(pv_trust_decide(&t, CTL_KIND_ITL, nw, nn, NULL, NULL, &dec, NULL), PV_V_TOFU);
	ck_assert_int_eq(dec.reset_itl, 1);
	pv_trust_cleanup(&t);
	ctl_signer_free(sg);
	ctl_builder_free(b);
	X509_free(ccm1);
	X509_free(tvs1);
	free(rb);
	free(nw);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *ok = tcase_create("ok"), *refused = tcase_create("refused"),
	      *state = tcase_create("state");

	tcase_set_timeout(ok, 60);
	tcase_set_timeout(refused, 60);
	tcase_set_timeout(state, 60);
	tcase_add_test(ok, tofu_first_ctl);
	tcase_add_test(ok, resigned_by_second_token);
	tcase_add_test(ok, itl_chain);
	tcase_add_test(ok, config_sgn);
	tcase_add_test(refused, rogue_token_refused);
	tcase_add_test(refused, tampered_and_truncated);
	tcase_add_test(refused, wrong_kind);
	tcase_add_test(state, state_dir);
	tcase_add_test(state, record_diff);
	tcase_add_test(state, record_same_role);
	tcase_add_test(ok, itl_only_accepts_ctl);
	tcase_add_test(refused, itl_only_refuses_ctl);
	tcase_add_test(ok, itl_by_held_itl_tftp_record);
	tcase_add_test(ok, itl_vouched_by_tvs);
	tcase_add_test(refused, tvs_answers_refused);
	tcase_add_test(ok, ctl_vouched_by_tvs);
	tcase_add_test(ok, sgn_vouched_by_tvs);
	tcase_add_test(ok, config_sgn_verifier_same);
	tcase_add_test(ok, reset_itl_first_contact);
	tcase_add_test(ok, rollback_itl_first_contact);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, refused);
	suite_add_tcase(s, state);
	return s;
}

CTL_TEST_MAIN(make_suite)
