/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A phone's encrypted configuration (phone-verifier/boot_enc.c,
 * trust_enc.c) through the boot steps without a network: with the
 * encrypted steps wired, the phone asks SEP<MAC>.cnf.xml.enc.sgn after the
 * trust lists, verifies it against the held TFTP certificate, decrypts it
 * with its key, then takes the .sgn as the companion whose certHash must be
 * its certificate's MD5, and stores the decrypted file. "Not found" falls
 * back to the .sgn as the configuration. Refused: an untrusted signer, a
 * tampered file, a file encrypted for another phone, a companion naming
 * another phone's certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>
#include <ctl/encsgn.h>

#include "boot_enc.h"
#include "testutil.h"

#define MAC "0011215A1AE3"
#define MAXEV 96

static const char cnf[] = "<device><deviceProtocol>SIP</deviceProtocol>"
                          "<loadInformation>sip88xx.14-2-1</loadInformation></device>\n";

struct rig {
	struct pv_env env;
	struct pv_phone ph;
	char asked[8][64];
	size_t nasked;
	tftp_done_fn done;
	void *done_arg;
	char ev[MAXEV][1024];
	int ev_status[MAXEV];
	size_t nev;
	int finished;
	X509 *cert;
	EVP_PKEY *key;
};

static int
fake_get(void *arg, const struct tftp_get *g)
{
	struct rig *r = arg;

	ck_assert_uint_lt(r->nasked, 8);
	snprintf(r->asked[r->nasked++], 64, "%s", g->file);
	r->done = g->done;
	r->done_arg = g->arg;
	return 0;
}

static void
collect(void *arg, const struct pv_phone *ph, const struct pv_event *ev)
{
	struct rig *r = arg;

	(void)ph;
	ck_assert_uint_lt(r->nev, MAXEV);
	r->ev_status[r->nev] = ev->kind == PV_EV_STATUS ? (int)ev->status : -1;
	snprintf(r->ev[r->nev++], 1024, "%s", ev->message);
}

static void
on_done(void *arg, struct pv_phone *ph)
{
	(void)ph;
	((struct rig *)arg)->finished++;
}

/* A phone holding nothing, its key and certificate those of PKI name phone. */
static void
rig_init(struct rig *r, const char *dir, const char *phone)
{
	struct ctl_diag d;
	char f[64];

	memset(r, 0, sizeof(*r));
	ck_assert_ptr_nonnull(r->env.loop = loop_new());
	ck_assert_int_eq(ctl_verifier_new(&r->env.verifier), CTL_OK);
	r->env.get = fake_get;
	r->env.get_arg = r;
	r->env.event = collect;
	r->env.event_arg = r;
	r->env.done = on_done;
	r->env.done_arg = r;
	snprintf(r->env.server_str, sizeof(r->env.server_str), "127.0.0.1:69");
	snprintf(f, sizeof(f), "%s.pem", phone);
	ck_assert_int_eq(ctl_cert_load(tu_pki(f), &r->cert, &d), CTL_OK);
	snprintf(f, sizeof(f), "%s.key", phone);
	ck_assert_int_eq(ctl_key_load(tu_pki(f), &r->key, &d), CTL_OK);
	r->env.phone_cert = r->cert;
	r->env.phone_key = r->key;
	r->env.enc_got = pv_enc_got;
	r->env.enc_companion = pv_enc_companion;
	ck_assert_int_eq(pv_phone_init(&r->ph, &r->env, MAC, dir, &d), 0);
}

static void
rig_free(struct rig *r)
{
	pv_phone_cleanup(&r->ph);
	pv_env_cleanup(&r->env);
	X509_free(r->cert);
	EVP_PKEY_free(r->key);
}

static void
answer(struct rig *r, enum tftp_cerr err, const uint8_t *p, size_t n)
{
	struct tftp_result res;
	tftp_done_fn done = r->done;

	ck_assert_ptr_nonnull(done);
	memset(&res, 0, sizeof(res));
	res.err = err;
	if (err == TFTP_CE_SERVER) {
		res.ecode = TFTP_ENOTFOUND;
		snprintf(res.emsg, sizeof(res.emsg), "File not found");
	}
	res.data = p;
	res.len = n;
	r->done = NULL;
	done(r->done_arg, &res);
}

static int
has_ev(const struct rig *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->nev; i++)
		if (strstr(r->ev[i], text) != NULL)
			return 1;
	return 0;
}

/* The CTL every case starts from: ccm1 is CCM+TFTP. */
static uint8_t *
ctl(size_t *n)
{
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, tu_std_ents, 5);
	struct ctl_signer *s = tu_signer("sast1");
	uint8_t *out = tu_sign(b, s, n);

	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

/* payload signed by signer as SEP<MAC>.cnf.xml.sgn. */
static uint8_t *
sgn(const char *signer, const void *payload, size_t plen, size_t *n)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = tu_signer(signer);
	uint8_t *out;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_filename(b, "SEP" MAC ".cnf.xml.sgn"), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_payload(b, payload, plen), CTL_OK);
	out = tu_sign(b, s, n);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

/* cnf encrypted for phone's certificate, signed by signer. */
static uint8_t *
enc(const char *signer, const char *phone, size_t *n)
{
	struct ctl_signer *s = tu_signer(signer);
	struct ctl_diag d;
	X509 *pc = NULL;
	uint8_t *out = NULL;
	char f[64];

	snprintf(f, sizeof(f), "%s.pem", phone);
	ck_assert_int_eq(ctl_cert_load(tu_pki(f), &pc, &d), CTL_OK);
	ck_assert_msg(ctl_encsgn_build((const uint8_t *)cnf, strlen(cnf), pc, s, CTL_DIGEST_SHA1,
	                               "SEP" MAC ".cnf.xml.enc.sgn", 0, &out, n, &d) == CTL_OK,
	              "%s", d.msg);
	X509_free(pc);
	ctl_signer_free(s);
	return out;
}

/* The signed companion naming phone's certificate. */
static uint8_t *
companion(const char *phone, size_t *n)
{
	struct ctl_diag d;
	X509 *pc = NULL;
	char *text = NULL, f[64];
	size_t len = 0;
	uint8_t *out;

	snprintf(f, sizeof(f), "%s.pem", phone);
	ck_assert_int_eq(ctl_cert_load(tu_pki(f), &pc, &d), CTL_OK);
	ck_assert_int_eq(ctl_encsgn_companion((const uint8_t *)cnf, strlen(cnf), pc, &text, &len, &d),
	                 CTL_OK);
	ck_assert_ptr_nonnull(strstr(text, "<certHash>"));
	out = sgn("ccm1", text, len, n);
	free(text);
	X509_free(pc);
	return out;
}

/* Boots through the trust lists (CTL found, no ITL) up to the configuration steps. */
static void
to_config(struct rig *r, const uint8_t *c, size_t nc)
{
	pv_phone_boot(&r->ph);
	answer(r, TFTP_CE_OK, c, nc);
	answer(r, TFTP_CE_SERVER, NULL, 0);
	answer(r, TFTP_CE_SERVER, NULL, 0);
	ck_assert_uint_eq(r->nasked, 4);
	ck_assert_str_eq(r->asked[3], "SEP" MAC ".cnf.xml.enc.sgn");
}

/* The stored configuration, or NULL (free()). */
static uint8_t *
stored(const char *dir, size_t *n)
{
	char p[1024];
	FILE *f;
	uint8_t *out;

	snprintf(p, sizeof(p), "%s/SEP%s.cnf.xml", dir, MAC);
	if ((f = fopen(p, "rb")) == NULL)
		return NULL;
	fclose(f);
	out = tu_read(p, n);
	return out;
}

START_TEST(decrypted_and_stored)
{
	struct rig r;
	const char *dir = tu_tmpdir();
	size_t nc, ne, ns, n = 0;
	uint8_t *c = ctl(&nc), *e = enc("ccm1", "phone1", &ne), *s = companion("phone1", &ns), *got;

	rig_init(&r, dir, "phone1");
	to_config(&r, c, nc);
	answer(&r, TFTP_CE_OK, e, ne);
	ck_assert_uint_eq(r.nasked, 5);
	ck_assert_str_eq(r.asked[4], "SEP" MAC ".cnf.xml.sgn");
	answer(&r, TFTP_CE_OK, s, ns);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_uint_eq(r.nasked, 5);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_OK);
	/* ctl-suite's notes (shown with --verbose) say what a phone does not print. */
	ck_assert(has_ev(&r, "SEP" MAC ".cnf.xml.enc.sgn decrypted, "));
	ck_assert(has_ev(&r, "SEP" MAC ".cnf.xml.sgn: certHash matches the phone certificate"));
	ck_assert(!has_ev(&r, "cfgDecrypt"));
	ck_assert(!has_ev(&r, "cfgVerify"));
	ck_assert_ptr_nonnull(got = stored(dir, &n));
	ck_assert_uint_eq(n, strlen(cnf));
	ck_assert_mem_eq(got, cnf, n);
	free(got);
	rig_free(&r);
	free(c);
	free(e);
	free(s);
}
END_TEST

/* CUCM answers "not found" when encryption is off: the .sgn is the configuration. */
START_TEST(not_found_falls_back)
{
	struct rig r;
	const char *dir = tu_tmpdir();
	size_t nc, ns, n = 0;
	uint8_t *c = ctl(&nc), *s = sgn("ccm1", cnf, strlen(cnf), &ns), *got;

	rig_init(&r, dir, "phone1");
	to_config(&r, c, nc);
	answer(&r, TFTP_CE_SERVER, NULL, 0);
	ck_assert_str_eq(r.asked[4], "SEP" MAC ".cnf.xml.sgn");
	answer(&r, TFTP_CE_OK, s, ns);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_OK);
	ck_assert_ptr_nonnull(got = stored(dir, &n));
	ck_assert_mem_eq(got, cnf, strlen(cnf));
	free(got);
	rig_free(&r);
	free(c);
	free(s);
}
END_TEST

/* Each refusal ends with the 7940's "File auth error" (exit 5) and no configuration stored. */
static void
refused(const char *phone, uint8_t *e, size_t ne, uint8_t *s, size_t ns, const char *why)
{
	struct rig r;
	const char *dir = tu_tmpdir();
	size_t nc, n = 0;
	uint8_t *c = ctl(&nc);

	rig_init(&r, dir, phone);
	to_config(&r, c, nc);
	answer(&r, TFTP_CE_OK, e, ne);
	answer(&r, TFTP_CE_OK, s, ns);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_CONFIG);
	ck_assert_msg(has_ev(&r, why), "no '%s' among the lines", why);
	ck_assert(has_ev(&r, "File auth error"));
	ck_assert(!has_ev(&r, "SECD: cfg"));
	ck_assert_ptr_null(stored(dir, &n));
	rig_free(&r);
	free(c);
}

START_TEST(untrusted_signer)
{
	size_t ne, ns;
	uint8_t *e = enc("sast2", "phone1", &ne), *s = companion("phone1", &ns);

	/* sast2 is in the CTL, but as SAST: no TFTP role for configuration files. */
	refused("phone1", e, ne, s, ns, "is no TFTP or CCM+TFTP certificate of the held trust list");
	free(e);
	free(s);
}
END_TEST

START_TEST(tampered)
{
	size_t ne, ns;
	uint8_t *e = enc("ccm1", "phone1", &ne), *s = companion("phone1", &ns);

	e[ne - 1] ^= 0x01;
	refused("phone1", e, ne, s, ns, "File sign verify FAILED");
	free(e);
	free(s);
}
END_TEST

START_TEST(for_another_phone)
{
	size_t ne, ns;
	uint8_t *e = enc("ccm1", "phone2", &ne), *s = companion("phone2", &ns);

	refused("phone1", e, ne, s, ns, "cannot be decrypted");
	free(e);
	free(s);
}
END_TEST

START_TEST(companion_for_another_phone)
{
	size_t ne, ns;
	uint8_t *e = enc("ccm1", "phone1", &ne), *s = companion("phone2", &ns);

	refused("phone1", e, ne, s, ns, "is not the MD5 of this phone's certificate");
	free(e);
	free(s);
}
END_TEST

/* A TVS stub for the phone: answers ccm2 with role TFTP. */
static enum ctl_err
tvs_ccm2(void *arg, struct pv_phone *ph, const struct pv_tvs_query *q, struct pv_tvs_answer *a,
         char *why, size_t cap)
{
	struct ctl_diag d;

	(void)ph;
	(void)why;
	(void)cap;
	(*(int *)arg)++;
	ck_assert_int_eq(q->kind, CTL_KIND_SGN);
	memset(a, 0, sizeof(*a));
	ck_assert_int_eq(ctl_cert_load(tu_pki("ccm2.pem"), &a->cert, &d), CTL_OK);
	a->roles[0] = CTL_ROLE_TFTP;
	a->nroles = 1;
	a->ttl = 3600;
	return CTL_OK;
}

/* A signer the held lists do not name (ccm2 left out of the CTL), vouched for by TVS. */
START_TEST(signer_through_tvs)
{
	static const struct tu_ent only[] = {
		{ "sast1", CTL_ROLE_SAST, NULL, NULL }, { "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL },
	};
	struct ctl_builder *b = tu_builder(CTL_KIND_CTL, only, 2);
	struct ctl_signer *sg = tu_signer("sast1");
	struct rig r;
	const char *dir = tu_tmpdir();
	size_t nc, ne, ns, n = 0;
	uint8_t *c = tu_sign(b, sg, &nc), *e = enc("ccm2", "phone1", &ne),
	        *s = companion("phone1", &ns), *got;
	int calls = 0;

	rig_init(&r, dir, "phone1");
	r.env.tvs = tvs_ccm2;
	r.env.tvs_arg = &calls;
	to_config(&r, c, nc);
	answer(&r, TFTP_CE_OK, e, ne);
	answer(&r, TFTP_CE_OK, s, ns);
	ck_assert_int_eq(calls, 1);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_OK);
	ck_assert_uint_eq(r.ph.tvs_vouched, 1);
	ck_assert(has_ev(&r, "vouched for by TVS"));
	ck_assert_ptr_nonnull(got = stored(dir, &n));
	ck_assert_mem_eq(got, cnf, strlen(cnf));
	free(got);
	rig_free(&r);
	ctl_signer_free(sg);
	ctl_builder_free(b);
	free(c);
	free(e);
	free(s);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("boot_enc");
	TCase *tc = tcase_create("enc");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, decrypted_and_stored);
	tcase_add_test(tc, not_found_falls_back);
	tcase_add_test(tc, untrusted_signer);
	tcase_add_test(tc, tampered);
	tcase_add_test(tc, for_another_phone);
	tcase_add_test(tc, companion_for_another_phone);
	tcase_add_test(tc, signer_through_tvs);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
