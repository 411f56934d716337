/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A phone's boot steps (phone-verifier/boot.c) without a network: the
 * environment's transfer function is a fake that records what the phone
 * asks for, and the test answers each request with a file, "not found" or
 * a timeout, as the TFTP engine would. The events boot.c reports (console
 * lines and status messages, with step and file) are collected and
 * asserted, with the request order, the outcome and the state directory.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <ctl/ctl.h>

#include "pv.h"
#include "testutil.h"

#define MAC "0011215A1AE3"
#define MAXEV 64

struct seen {
	enum pv_event_kind kind;
	enum pv_step step;
	char file[64];
	int err;
	enum pv_status status;
	char msg[1024];
};

/* The fake engine and the event collector. */
struct rig {
	struct pv_env env;
	struct pv_phone ph;
	char asked[8][64];   /* files requested, in order */
	size_t nasked;
	int get_rc, get_errno;
	tftp_done_fn done;   /* completion of the transfer in flight */
	void *done_arg;
	struct seen ev[MAXEV];
	size_t nev;
	int finished;
};

static int
fake_get(void *arg, const struct tftp_get *g)
{
	struct rig *r = arg;

	if (r->get_rc != 0) {
		errno = r->get_errno;
		return -1;
	}
	ck_assert_uint_lt(r->nasked, 8);
	snprintf(r->asked[r->nasked++], 64, "%s", g->file);
	ck_assert_int_eq(g->mode, TFTP_MODE_OCTET);
	r->done = g->done;
	r->done_arg = g->arg;
	return 0;
}

static void
collect(void *arg, const struct pv_phone *ph, const struct pv_event *ev)
{
	struct rig *r = arg;
	struct seen *s;

	ck_assert_str_eq(ph->mac, MAC);
	ck_assert_uint_lt(r->nev, MAXEV);
	s = &r->ev[r->nev++];
	s->kind = ev->kind;
	s->step = ev->step;
	snprintf(s->file, sizeof(s->file), "%s", ev->file);
	s->err = ev->err;
	s->status = ev->status;
	snprintf(s->msg, sizeof(s->msg), "%s", ev->message);
}

static void
on_done(void *arg, struct pv_phone *ph)
{
	struct rig *r = arg;

	ck_assert_ptr_eq(ph, &r->ph);
	r->finished++;
}

/* A phone with state directory dir (NULL: memory only), not booted yet. */
static void
rig_init(struct rig *r, const char *dir)
{
	struct ctl_diag d;

	memset(r, 0, sizeof(*r));
	r->env.loop = loop_new();
	ck_assert_ptr_nonnull(r->env.loop);
	ck_assert_int_eq(ctl_verifier_new(&r->env.verifier), CTL_OK);
	r->env.get = fake_get;
	r->env.get_arg = r;
	r->env.event = collect;
	r->env.event_arg = r;
	r->env.done = on_done;
	r->env.done_arg = r;
	r->env.blksize = 1468;
	snprintf(r->env.server_str, sizeof(r->env.server_str), "127.0.0.1:69");
	ck_assert_int_eq(pv_phone_init(&r->ph, &r->env, MAC, dir, &d), 0);
}

static void
rig_free(struct rig *r)
{
	pv_phone_cleanup(&r->ph);
	pv_env_cleanup(&r->env);
}

/* Answers the transfer in flight. */
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

static void
found(struct rig *r, const uint8_t *p, size_t n)
{
	answer(r, TFTP_CE_OK, p, n);
}

static void
not_found(struct rig *r)
{
	answer(r, TFTP_CE_SERVER, NULL, 0);
}

/* Index of the first event whose message contains text (after event from), or -1. */
static int
find_ev(const struct rig *r, size_t from, const char *text)
{
	size_t i;

	for (i = from; i < r->nev; i++)
		if (strstr(r->ev[i].msg, text) != NULL)
			return (int)i;
	return -1;
}

/* The first ctl-suite note (kind NOTE, --verbose) containing text, or -1. */
static int
find_note(const struct rig *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->nev; i++)
		if (r->ev[i].kind == PV_EV_NOTE && strstr(r->ev[i].msg, text) != NULL)
			return (int)i;
	return -1;
}

/* No event carries a line no real phone prints (those words became notes or real lines). */
static void
no_invented(const struct rig *r)
{
	static const char *const fake[] = { "tlUpdate", "tlVerifyTrust", "cfgVerify", "SECD: cfg" };
	size_t i, j;

	for (i = 0; i < r->nev; i++)
		for (j = 0; j < sizeof(fake) / sizeof(fake[0]); j++)
			ck_assert_msg(strstr(r->ev[i].msg, fake[j]) == NULL, "invented line: %s",
			              r->ev[i].msg);
}

/* The one status-message event of the boot (kind STATUS), or -1 when none. */
static int
status_ev(const struct rig *r)
{
	size_t i;
	int at = -1;

	for (i = 0; i < r->nev; i++)
		if (r->ev[i].kind == PV_EV_STATUS) {
			ck_assert_int_eq(at, -1);
			at = (int)i;
		}
	return at;
}

/* The usual CTL (SAST, CCM+TFTP, CAPF), or the rogue token's own one listing itself. */
static uint8_t *
ctl_signed_by(const char *signer, uint32_t ts, size_t *n)
{
	static const struct tu_ent rogue[] = {
		{ "rogue", CTL_ROLE_SAST, NULL, NULL }, { "sast1", CTL_ROLE_SAST, NULL, NULL },
		{ "ccm2", CTL_ROLE_CCM_TFTP, NULL, NULL },
	};
	struct ctl_builder *b = strcmp(signer, "rogue") == 0 ? tu_builder(CTL_KIND_CTL, rogue, 3)
	                                                     : tu_builder(CTL_KIND_CTL, tu_std_ents, 5);
	struct ctl_signer *s = tu_signer(signer);
	uint8_t *out;

	ctl_builder_set_timestamp(b, ts);
	out = tu_sign(b, s, n);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

static const char cnf[] = "<device><deviceProtocol>SIP</deviceProtocol></device>\n";

static uint8_t *
sgn_signed_by(const char *signer, size_t *n)
{
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = tu_signer(signer);
	uint8_t *out;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_SGN, &b), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_filename(b, "SEP" MAC ".cnf.xml.sgn"), CTL_OK);
	ck_assert_int_eq(ctl_builder_set_payload(b, (const uint8_t *)cnf, strlen(cnf)), CTL_OK);
	out = tu_sign(b, s, n);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

static const char *
path_in(const char *dir, const char *name)
{
	static char p[1024];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

START_TEST(step_table)
{
	char f[64];

	ck_assert_int_eq(pv_step_next(PV_S_CTL, 1), PV_S_ITLSEP);
	ck_assert_int_eq(pv_step_next(PV_S_CTL, 0), PV_S_ITLSEP);
	ck_assert_int_eq(pv_step_next(PV_S_ITLSEP, 1), PV_S_SGN);
	ck_assert_int_eq(pv_step_next(PV_S_ITLSEP, 0), PV_S_ITLFILE);
	ck_assert_int_eq(pv_step_next(PV_S_ITLFILE, 0), PV_S_SGN);
	ck_assert_int_eq(pv_step_next(PV_S_SGN, 1), PV_S_DONE);
	ck_assert_int_eq(pv_step_next(PV_S_SGN, 0), PV_S_CNF);
	ck_assert_int_eq(pv_step_next(PV_S_CNF, 1), PV_S_DONE);
	pv_step_file(MAC, PV_S_CTL, f, sizeof(f));
	ck_assert_str_eq(f, "CTLSEP" MAC ".tlv");
	pv_step_file(MAC, PV_S_ITLFILE, f, sizeof(f));
	ck_assert_str_eq(f, "ITLFile.tlv");
	pv_step_file(MAC, PV_S_SGN, f, sizeof(f));
	ck_assert_str_eq(f, "SEP" MAC ".cnf.xml.sgn");
	pv_step_file(MAC, PV_S_DONE, f, sizeof(f));
	ck_assert_str_eq(f, "");
}
END_TEST

/* A fresh phone: CTL on first use, no ITL, then the .sgn signed by the CCM+TFTP record. */
START_TEST(fresh_phone_tofu)
{
	const char *dir = tu_tmpdir();
	struct rig r;
	size_t nc, ns, n = 0;
	uint8_t *c = ctl_signed_by("sast1", 1000, &nc), *sg = sgn_signed_by("ccm1", &ns), *cfg;
	char line[128];
	int i, st;

	rig_init(&r, dir);
	pv_phone_boot(&r.ph);
	ck_assert_uint_eq(r.nasked, 1);
	ck_assert_str_eq(r.asked[0], "CTLSEP" MAC ".tlv");
	/* First events: the request, on the CTL step, naming its file. */
	ck_assert_str_eq(r.ev[0].msg, "SECD: tlRequestFile: Request CTLSEP" MAC ".tlv");
	ck_assert_int_eq(r.ev[0].kind, PV_EV_LINE);
	ck_assert_int_eq(r.ev[0].step, PV_S_CTL);
	ck_assert_str_eq(r.ev[0].file, "CTLSEP" MAC ".tlv");
	ck_assert_str_eq(r.ev[1].msg, "TFTP: [1]:Requesting CTLSEP" MAC ".tlv from 127.0.0.1:69");

	found(&r, c, nc);
	snprintf(line, sizeof(line), "TFTP: [1]:Finished --> rcvd %zu bytes", nc);
	ck_assert_int_ge(find_ev(&r, 0, line), 0);
	ck_assert_int_ge(find_ev(&r, 0, "SECD: validate_file_envelope: File sign verify SUCCESS; "
	                         "header length <"), 0);
	i = find_note(&r, "CTLFile.tlv updated (trust on first use), md5 ");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(r.ev[i].err, 0);
	ck_assert_uint_eq(r.nasked, 2);
	ck_assert_str_eq(r.asked[1], "ITLSEP" MAC ".tlv");

	not_found(&r);
	i = find_ev(&r, 0, "TFTP: [2]:Error --> File not found ITLSEP" MAC ".tlv");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(r.ev[i].err, 1);
	ck_assert_int_eq(r.ev[i].step, PV_S_ITLSEP);
	ck_assert_str_eq(r.asked[2], "ITLFile.tlv");
	ck_assert_int_eq(status_ev(&r), -1);

	not_found(&r);
	/* The CTL steps are over: one status message, then the signed configuration. */
	st = status_ev(&r);
	ck_assert_int_ge(st, 0);
	ck_assert_int_eq(r.ev[st].status, PV_ST_UPDATED);
	ck_assert_str_eq(r.ev[st].msg, "Trust List Updated");
	ck_assert_str_eq(r.asked[3], "SEP" MAC ".cnf.xml.sgn");

	found(&r, sg, ns);
	ck_assert_int_ge(find_note(&r, "SEP" MAC ".cnf.xml.sgn signed by record "), 0);
	no_invented(&r);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_uint_eq(r.nasked, 4);
	ck_assert_int_eq(r.ph.status, PV_ST_UPDATED);
	ck_assert_int_eq(r.ph.cause, PV_C_NONE);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_OK);
	/* The flash holds the CTL and the payload, as received. */
	cfg = tu_read(path_in(dir, "CTLFile.tlv"), &n);
	ck_assert_uint_eq(n, nc);
	ck_assert_mem_eq(cfg, c, n);
	free(cfg);
	cfg = tu_read(path_in(dir, "SEP" MAC ".cnf.xml"), &n);
	ck_assert_uint_eq(n, strlen(cnf));
	ck_assert_mem_eq(cfg, cnf, n);
	free(cfg);
	rig_free(&r);

	/* Booted again with the same server: unchanged, no status message. */
	rig_init(&r, dir);
	ck_assert_ptr_nonnull(r.ph.trust.ctl);
	pv_phone_boot(&r.ph);
	found(&r, c, nc);
	ck_assert_int_ge(find_note(&r, "CTLFile.tlv unchanged, md5 "), 0);
	not_found(&r);
	not_found(&r);
	found(&r, sg, ns);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_int_eq(status_ev(&r), -1);
	ck_assert_int_eq(r.ph.status, PV_ST_UNCHANGED);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_OK);
	rig_free(&r);
	free(c);
	free(sg);
}
END_TEST

/* A held CTL; the server's is signed by a token the CTL does not list. */
START_TEST(rogue_ctl_keeps_held)
{
	const char *dir = tu_tmpdir();
	struct rig r;
	struct pv_tl *tl = NULL;
	struct ctl_diag d;
	size_t nc, nr, n;
	uint8_t *c = ctl_signed_by("sast1", 1000, &nc), *rogue = ctl_signed_by("rogue", 2000, &nr), *b;
	int i, st;

	ck_assert_int_eq(pv_tl_new(c, nc, &tl, &d), CTL_OK);
	ck_assert_int_eq(pv_state_store(dir, CTL_KIND_CTL, tl, &d), CTL_OK);
	pv_tl_unref(tl);
	rig_init(&r, dir);
	pv_phone_boot(&r.ph);
	found(&r, rogue, nr);
	/* The signature checks out (the phone's line); the signer is nobody the CTL lists. */
	ck_assert_int_ge(find_ev(&r, 0, "SECD: validate_file_envelope: File sign verify SUCCESS"), 0);
	i = find_note(&r, "CTLFile.tlv refused: ");
	ck_assert_int_ge(i, 0);
	ck_assert_ptr_nonnull(strstr(r.ev[i].msg, "SAST-ADN0bad0bad"));
	ck_assert_ptr_nonnull(strstr(r.ev[i].msg, "; keeping the held one, md5 "));
	no_invented(&r);
	not_found(&r);
	not_found(&r);
	st = status_ev(&r);
	ck_assert_int_ge(st, 0);
	ck_assert_int_eq(r.ev[st].status, PV_ST_UPDATE_FAILED);
	ck_assert_str_eq(r.ev[st].msg, "Trust List Update Failed");
	/* The held CTL still lists a TFTP certificate: the .sgn comes next. */
	ck_assert_str_eq(r.asked[3], "SEP" MAC ".cnf.xml.sgn");
	not_found(&r);
	ck_assert_str_eq(r.asked[4], "SEP" MAC ".cnf.xml");
	found(&r, (const uint8_t *)cnf, strlen(cnf));
	ck_assert_int_eq(r.finished, 1);
	ck_assert_int_eq(r.ph.status, PV_ST_UPDATE_FAILED);
	ck_assert_int_eq(r.ph.cause, PV_C_UNTRUSTED);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_UPDATE_FAILED);
	/* Flash untouched. */
	b = tu_read(path_in(dir, "CTLFile.tlv"), &n);
	ck_assert_uint_eq(n, nc);
	ck_assert_mem_eq(b, c, n);
	free(b);
	rig_free(&r);
	free(c);
	free(rogue);
}
END_TEST

/* A CTL with a flipped signature byte: verification failed, nothing installed. */
START_TEST(tampered_ctl)
{
	struct rig r;
	size_t nc;
	uint8_t *c = ctl_signed_by("sast1", 1000, &nc);
	int st;

	c[nc - 1] ^= 0x01;
	rig_init(&r, NULL);
	pv_phone_boot(&r.ph);
	found(&r, c, nc);
	ck_assert_int_ge(find_ev(&r, 0, "SECD: validate_file_envelope: File "), 0);
	ck_assert_int_ge(find_note(&r, "CTLFile.tlv refused: "), 0);
	ck_assert_int_ge(find_note(&r, "; none installed"), 0);
	no_invented(&r);
	ck_assert_ptr_null(r.ph.trust.ctl);
	not_found(&r);
	not_found(&r);
	st = status_ev(&r);
	ck_assert_int_ge(st, 0);
	ck_assert_int_eq(r.ev[st].status, PV_ST_VERIFY_FAILED);
	/* Nothing trusted that signs configuration files: the plain one. */
	ck_assert_str_eq(r.asked[3], "SEP" MAC ".cnf.xml");
	found(&r, (const uint8_t *)cnf, strlen(cnf));
	ck_assert_int_eq(r.ph.status, PV_ST_VERIFY_FAILED);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_VERIFY_FAILED);
	rig_free(&r);
	free(c);
}
END_TEST

/* A cluster without CTL: File Not Found, then No Trust List Installed. */
START_TEST(no_trust_list)
{
	struct rig r;
	int i, st;

	rig_init(&r, NULL);
	pv_phone_boot(&r.ph);
	not_found(&r);
	i = find_ev(&r, 0, "File Not Found CTLSEP" MAC ".tlv");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(r.ev[i].kind, PV_EV_NOT_FOUND);
	not_found(&r);
	not_found(&r);
	st = status_ev(&r);
	ck_assert_int_ge(st, 0);
	ck_assert_int_eq(r.ev[st].status, PV_ST_NO_TL);
	ck_assert_str_eq(r.ev[st].msg, "No Trust List Installed");
	ck_assert_str_eq(r.asked[3], "SEP" MAC ".cnf.xml");
	found(&r, (const uint8_t *)cnf, strlen(cnf));
	ck_assert_int_ge(find_note(&r, "SEP" MAC ".cnf.xml is not signed; using it"), 0);
	no_invented(&r);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_int_eq(r.ph.status, PV_ST_NO_TL);
	ck_assert_int_eq(r.ph.cause, PV_C_NO_TL);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_NO_TL);
	rig_free(&r);
}
END_TEST

/* No answer: the phone gives up the boot at once. */
START_TEST(timeout_ends_boot)
{
	struct rig r;
	int st;

	rig_init(&r, NULL);
	pv_phone_boot(&r.ph);
	answer(&r, TFTP_CE_TIMEOUT, NULL, 0);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_uint_eq(r.nasked, 1);
	ck_assert_int_ge(find_ev(&r, 0, "TFTP: [1]:Error --> "), 0);
	st = status_ev(&r);
	ck_assert_int_ge(st, 0);
	ck_assert_int_eq(r.ev[st].status, PV_ST_UPDATE_FAILED);
	ck_assert_int_eq(r.ph.cause, PV_C_TIMEOUT);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_NETWORK);
	rig_free(&r);
}
END_TEST

/* A transfer that cannot start ends the boot from the loop, never inside pv_phone_boot. */
START_TEST(get_fails)
{
	struct rig r;

	rig_init(&r, NULL);
	r.get_rc = -1;
	r.get_errno = ENOBUFS;
	pv_phone_boot(&r.ph);
	ck_assert_int_eq(r.finished, 0);
	ck_assert_int_ge(find_ev(&r, 0, "cannot start the transfer: "), 0);
	ck_assert_int_eq(loop_run(r.env.loop), 0);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_int_eq(r.ph.cause, PV_C_TFTP_ERROR);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_NETWORK);
	rig_free(&r);
}
END_TEST

/* A damaged flash is an error of pv_phone_init, with the file named. */
START_TEST(damaged_state)
{
	const char *dir = tu_tmpdir();
	struct pv_env env;
	struct pv_phone ph;
	struct ctl_diag d;
	FILE *f = fopen(path_in(dir, "CTLFile.tlv"), "w");

	ck_assert_ptr_nonnull(f);
	fputs("not a CTL", f);
	fclose(f);
	memset(&env, 0, sizeof(env));
	memset(&ph, 0, sizeof(ph));
	env.loop = loop_new();
	ck_assert_ptr_nonnull(env.loop);
	ck_assert_int_eq(pv_phone_init(&ph, &env, MAC, dir, &d), -1);
	ck_assert_ptr_nonnull(strstr(d.msg, "CTLFile.tlv"));
	pv_phone_cleanup(&ph);
	pv_env_cleanup(&env);
}
END_TEST

/* An 8.x ITL signed by ccm1 (SAST, CCM+TFTP, TVS). */
static uint8_t *
itl_ccm1(uint32_t ts, size_t *n)
{
	static const struct tu_ent e[] = {
		{ "ccm1", CTL_ROLE_SAST, NULL, NULL }, { "ccm1", CTL_ROLE_CCM_TFTP, NULL, NULL },
		{ "tvs1", CTL_ROLE_TVS, NULL, NULL },
	};
	struct ctl_builder *b = tu_builder(CTL_KIND_ITL, e, 3);
	struct ctl_signer *s = tu_signer("ccm1");
	uint8_t *out;

	ctl_builder_set_timestamp(b, ts);
	out = tu_sign(b, s, n);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

/* Boots the phone of r through the lists: CTL (NULL: not found), ITL; returns the status shown. */
static enum pv_status
boot_lists(struct rig *r, const uint8_t *c, size_t nc, const uint8_t *i, size_t ni)
{
	int st;

	r->nev = 0;
	r->nasked = 0;
	pv_phone_boot(&r->ph);
	if (c != NULL)
		found(r, c, nc);
	else
		not_found(r);
	found(r, i, ni);
	st = status_ev(r);
	ck_assert_int_ge(st, 0);
	return r->ev[st].status;
}

/*
 * An SBD phone (env.sbd) that held nothing says "CTL and ITL installed" or
 * "ITL installed", as an 88xx does; one that held a list, or a phone
 * without SBD, says "Trust List Updated". Either is exit 0.
 */
START_TEST(first_install_status)
{
	struct rig r;
	size_t nc, ni, ni2;
	uint8_t *c = ctl_signed_by("sast1", 1000, &nc), *i = itl_ccm1(1000, &ni);
	uint8_t *i2 = itl_ccm1(2000, &ni2);

	rig_init(&r, NULL);
	r.env.sbd = 1;
	ck_assert_int_eq(boot_lists(&r, c, nc, i, ni), PV_ST_CTL_ITL_INSTALLED);
	ck_assert_str_eq(pv_status_text(PV_ST_CTL_ITL_INSTALLED), "CTL and ITL installed");
	not_found(&r);
	not_found(&r);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_OK);
	rig_free(&r);

	rig_init(&r, NULL);
	r.env.sbd = 1;
	ck_assert_int_eq(boot_lists(&r, NULL, 0, i, ni), PV_ST_ITL_INSTALLED);
	ck_assert_str_eq(pv_status_text(PV_ST_ITL_INSTALLED), "ITL installed");
	not_found(&r);
	not_found(&r);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_int_eq(pv_phone_exit(&r.ph), PV_EXIT_OK);
	/* The same phone, now holding the ITL, takes a new one: an update. */
	ck_assert_int_eq(boot_lists(&r, NULL, 0, i2, ni2), PV_ST_UPDATED);
	not_found(&r);
	not_found(&r);
	ck_assert_int_eq(r.finished, 2);
	rig_free(&r);

	rig_init(&r, NULL);
	ck_assert_int_eq(boot_lists(&r, c, nc, i, ni), PV_ST_UPDATED);
	not_found(&r);
	not_found(&r);
	rig_free(&r);
	free(c);
	free(i);
	free(i2);
}
END_TEST

/* The message of event i, which must be a console line of level lv. */
static const char *
line_at(const struct rig *r, int i, enum pv_event_kind k)
{
	ck_assert_int_ge(i, 0);
	ck_assert_int_lt(i, (int)r->nev);
	ck_assert_int_eq(r->ev[i].kind, k);
	return r->ev[i].msg;
}

/*
 * An 88xx boot reads as the 8861 transcript (TechNote 213407): per file
 * dgetfile(N)-GETXXTP, the completion, then Hashes match / updateFromFile /
 * TL file verified / TL file updated; ctl-suite's facts only as notes.
 */
START_TEST(console_88xx_first_boot)
{
	struct rig r;
	size_t nc, ni, ns;
	uint8_t *c = ctl_signed_by("sast1", 1000, &nc), *i = itl_ccm1(1000, &ni);
	uint8_t *sg = sgn_signed_by("ccm1", &ns);
	static const char tofu[] = "CTLFile.tlv updated (trust on first use), md5 ";
	char want[160];
	int k = 0, st;

	rig_init(&r, NULL);
	r.env.form = PV_FORM_88XX;
	r.env.sbd = 1;
	pv_phone_boot(&r.ph);
	ck_assert_str_eq(line_at(&r, k++, PV_EV_LINE), "dgetfile(1)-GETXXTP [GT1][src=CTLSEP" MAC
	                 ".tlv][dest=/tmp/CTLFile.tlv][serv=][serv6=][sec=0]");
	ck_assert_str_eq(line_at(&r, k++, PV_EV_NOTE), "dgetfile(1) from 127.0.0.1:69");
	found(&r, c, nc);
	ck_assert_str_eq(line_at(&r, k++, PV_EV_LINE), "dgetfile(1)-XXTP complete - status = 100");
	snprintf(want, sizeof(want), "dgetfile(1) rcvd %zu bytes", nc);
	ck_assert_str_eq(line_at(&r, k++, PV_EV_NOTE), want);
	ck_assert_str_eq(line_at(&r, k++, PV_EV_LINE), "SECUREAPP-Hashes match... authentication successful.");
	ck_assert_str_eq(line_at(&r, k++, PV_EV_LINE), "SECUREAPP-updateFromFile: TL parse to table: CTL_SUCCESS");
	ck_assert_str_eq(line_at(&r, k++, PV_EV_LINE), "SECUREAPP-updateFromFile: Updating master TL table");
	ck_assert_str_eq(line_at(&r, k, PV_EV_LINE), "SECUREAPP-TL file verified successfully.");
	ck_assert_int_eq(r.ev[k++].err, 0);
	ck_assert_str_eq(line_at(&r, k++, PV_EV_LINE), "SECUREAPP-TL file updated.");
	ck_assert_int_eq(strncmp(line_at(&r, k++, PV_EV_NOTE), tofu, strlen(tofu)), 0);
	ck_assert_str_eq(line_at(&r, k++, PV_EV_LINE), "dgetfile(2)-GETXXTP [GT2][src=ITLSEP" MAC
	                 ".tlv][dest=/tmp/ITLFile.tlv][serv=][serv6=][sec=0]");
	found(&r, i, ni);
	ck_assert_int_ge(find_note(&r, "ITLFile.tlv updated (signed by "), 0);
	ck_assert_int_ge(find_note(&r, ", record 3 (CCM+TFTP) of the held CTL), md5 "), 0);
	st = status_ev(&r);
	ck_assert_str_eq(r.ev[st].msg, "CTL and ITL installed");
	ck_assert_str_eq(line_at(&r, st + 1, PV_EV_NOTE), "alarm 4 - TL_INITIAL_SUCCESS");
	found(&r, sg, ns);
	ck_assert_int_eq(r.finished, 1);
	ck_assert_str_eq(r.ev[r.nev - 2].msg, "SECUREAPP-Hashes match... authentication successful.");
	ck_assert_int_eq(r.ev[r.nev - 1].kind, PV_EV_NOTE);
	no_invented(&r);
	/* No 79xx line in an 88xx boot. */
	ck_assert_int_eq(find_ev(&r, 0, "SECD: "), -1);
	ck_assert_int_eq(find_ev(&r, 0, "TFTP: ["), -1);
	rig_free(&r);
	free(c);
	free(i);
	free(sg);
}
END_TEST

/* An 88xx refusing a rogue CTL: no "authentication successful", the 8800 alarm code of it. */
START_TEST(console_88xx_refused)
{
	const char *dir = tu_tmpdir();
	struct rig r;
	struct pv_tl *tl = NULL;
	struct ctl_diag d;
	size_t nc, nr;
	uint8_t *c = ctl_signed_by("sast1", 1000, &nc), *rogue = ctl_signed_by("rogue", 2000, &nr);
	int st;

	ck_assert_int_eq(pv_tl_new(c, nc, &tl, &d), CTL_OK);
	ck_assert_int_eq(pv_state_store(dir, CTL_KIND_CTL, tl, &d), CTL_OK);
	pv_tl_unref(tl);
	rig_init(&r, dir);
	r.env.form = PV_FORM_88XX;
	pv_phone_boot(&r.ph);
	found(&r, rogue, nr);
	ck_assert_int_eq(find_ev(&r, 0, "authentication successful"), -1);
	ck_assert_int_eq(find_ev(&r, 0, "TL file updated."), -1);
	ck_assert_int_ge(find_note(&r, "CTLFile.tlv refused: "), 0);
	not_found(&r);
	not_found(&r);
	st = status_ev(&r);
	ck_assert_str_eq(r.ev[st].msg, "Trust List Update Failed");
	ck_assert_str_eq(line_at(&r, st + 1, PV_EV_NOTE), "alarm 5 - TL_FAILED_OLD_CTL");
	no_invented(&r);
	rig_free(&r);
	free(c);
	free(rogue);
}
END_TEST

/* Each family's status words (doc/phone-verifier.1, CONSOLE), and ctl-suite's choices. */
START_TEST(family_status_words)
{
	struct pv_env e;
	char m[160];
	const char *sgn = "SEP" MAC ".cnf.xml.sgn";

	memset(&e, 0, sizeof(e));
	e.form = PV_FORM_79XX;
	snprintf(e.model, sizeof(e.model), "7975");
	pv_status_message(&e, PV_ST_FILE_AUTH_FAIL, sgn, m, sizeof(m));
	ck_assert_str_eq(m, "File auth error");
	pv_status_message(&e, PV_ST_VERIFY_FAILED, "", m, sizeof(m));
	ck_assert_str_eq(m, "Trust List Verification Failed");
	pv_status_message(&e, PV_ST_UPDATE_FAILED, "", m, sizeof(m));
	ck_assert_str_eq(m, "Trust List Update Failed");
	pv_status_message(&e, PV_ST_NO_TL, "", m, sizeof(m));
	ck_assert_str_eq(m, "No Trust List Installed");
	e.form = PV_FORM_88XX;
	snprintf(e.model, sizeof(e.model), "8945");
	pv_status_message(&e, PV_ST_FILE_AUTH_FAIL, sgn, m, sizeof(m));
	ck_assert_str_eq(m, "invalid file SEP" MAC ".cnf.xml.sgn, authenticated fail. Reason:14.");
	pv_status_message(&e, PV_ST_VERIFY_FAILED, "", m, sizeof(m));
	ck_assert_str_eq(m, "Trust List Update Failed");
	pv_status_message(&e, PV_ST_UPDATED, "", m, sizeof(m));
	ck_assert_str_eq(m, "Trust List Updated");
	pv_status_message(&e, PV_ST_CTL_ITL_INSTALLED, "", m, sizeof(m));
	ck_assert_str_eq(m, "CTL and ITL installed");
	snprintf(e.model, sizeof(e.model), "6971");
	pv_status_message(&e, PV_ST_VERIFY_FAILED, "", m, sizeof(m));
	ck_assert_str_eq(m, "Trust List update failed, verification failure");
	pv_status_message(&e, PV_ST_UPDATE_FAILED, "", m, sizeof(m));
	ck_assert_str_eq(m, "Trust List update failed, verification failure");
	pv_status_message(&e, PV_ST_NO_TL, "", m, sizeof(m));
	ck_assert_str_eq(m, "No Trust List Installed");
	/* A 69xx model under --console 79xx speaks 79xx. */
	e.form = PV_FORM_79XX;
	pv_status_message(&e, PV_ST_VERIFY_FAILED, "", m, sizeof(m));
	ck_assert_str_eq(m, "Trust List Verification Failed");
	/* The JSON labels stay as they were. */
	ck_assert_str_eq(pv_status_text(PV_ST_FILE_AUTH_FAIL), "File Auth Fail");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("boot");
	TCase *ok = tcase_create("ok"), *refused = tcase_create("refused"),
	      *failed = tcase_create("failed");

	tcase_add_test(ok, step_table);
	tcase_add_test(ok, fresh_phone_tofu);
	tcase_add_test(ok, no_trust_list);
	tcase_add_test(ok, first_install_status);
	tcase_add_test(ok, console_88xx_first_boot);
	tcase_add_test(ok, family_status_words);
	tcase_add_test(refused, console_88xx_refused);
	tcase_add_test(refused, rogue_ctl_keeps_held);
	tcase_add_test(refused, tampered_ctl);
	tcase_add_test(failed, timeout_ends_boot);
	tcase_add_test(failed, get_fails);
	tcase_add_test(failed, damaged_state);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, refused);
	suite_add_tcase(s, failed);
	return s;
}

CTL_TEST_MAIN(make_suite)
