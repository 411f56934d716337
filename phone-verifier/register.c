/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's secure registration check (register.h): TLS 1.2 to each
 * CallManager through tls_dial.c, the server certificate judged against
 * the held trust list after the handshake. TLS 1.2 is the highest a
 * CallManager's SIP and SCCP TLS ports speak, and with it a server that
 * refuses the phone's certificate ends the handshake itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "register.h"
#include "tls_dial.h"

const char *
pv_reg_mode_name(int mode)
{
	switch (mode) {
	case 1: return "non-secure";
	case 2: return "authenticated";
	case 3: return "encrypted";
	default: return "unknown";
	}
}

int
pv_reg_ccm_valid(const char *spec)
{
	struct pv_hostport t;

	return pv_hostport_parse(spec, 0, &t) == 0 && t.port != 0;
}

/* ---- the trust rule ------------------------------------------------------------ */

/* The 1-based record of tl whose role is one of roles[0..n) and whose certificate is der; 0: none. */
static int
find_cert(const struct pv_tl *tl, const uint16_t *roles, size_t n, const uint8_t *der, size_t len,
          uint16_t *role)
{
	size_t i, k;

	if (tl == NULL)
		return 0;
	for (i = 0; i < ctl_file_nrecords(tl->f); i++) {
		const struct ctl_record *r = ctl_file_record(tl->f, i);

		if (!r->has_role || r->cert.len != len || memcmp(r->cert.p, der, len) != 0)
			continue;
		for (k = 0; k < n; k++)
			if (r->role == roles[k]) {
				*role = r->role;
				return (int)i + 1;
			}
	}
	return 0;
}

void
pv_reg_match_cert(const struct pv_trust *held, const uint8_t *der, size_t len,
                  struct pv_reg_match *m)
{
	static const uint16_t ccm[] = { CTL_ROLE_CCM, CTL_ROLE_CCM_TFTP };
	static const uint16_t tftp[] = { CTL_ROLE_CCM_TFTP, CTL_ROLE_TFTP };

	memset(m, 0, sizeof(*m));
	/* A held CTL decides alone: the ITL is the phone's fallback only without one. */
	if (held->ctl != NULL) {
		if ((m->record = find_cert(held->ctl, ccm, 2, der, len, &m->role)) > 0)
			m->list = "CTL";
		return;
	}
	if ((m->record = find_cert(held->itl, tftp, 2, der, len, &m->role)) > 0)
		m->list = "ITL";
}

/* ---- console lines ------------------------------------------------------------- */

static void say(const struct pv_reg_cfg *cfg, enum pv_level lv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
say(const struct pv_reg_cfg *cfg, enum pv_level lv, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (cfg->line == NULL)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	cfg->line(cfg->line_arg, lv, msg);
}

static int
f88(const struct pv_reg_cfg *cfg)
{
	return cfg->form == PV_FORM_88XX;
}

/* ---- one CallManager --------------------------------------------------------------- */

/* The certificate's facts in the result: subject, issuer, serial, as CUCM prints them. */
static void
cert_facts(X509 *peer, struct pv_reg_result *res)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(peer);
	BIGNUM *bn = sn != NULL ? ASN1_INTEGER_to_BN(sn, NULL) : NULL;
	unsigned char buf[64];
	char *s = NULL;
	size_t used = 0;
	int i, n;

	snprintf(res->subject, sizeof(res->subject), "(unreadable)");
	snprintf(res->issuer, sizeof(res->issuer), "(unreadable)");
	/* CUCM's form (CN=..;OU=..;O=..): what show ctl and the phone's Trust List menu show. */
	if (ctl_name_format_string(X509_get_subject_name(peer), CTL_NAME_CUCM, &s) == CTL_OK)
		snprintf(res->subject, sizeof(res->subject), "%s", s);
	free(s);
	s = NULL;
	if (ctl_name_format_string(X509_get_issuer_name(peer), CTL_NAME_CUCM, &s) == CTL_OK)
		snprintf(res->issuer, sizeof(res->issuer), "%s", s);
	free(s);
	res->serial[0] = '\0';
	n = bn != NULL ? BN_bn2binpad(bn, buf, BN_num_bytes(bn) > 0 ? BN_num_bytes(bn) : 1) : -1;
	/* 70:CA:F6:4E:... as show ctl prints SERIALNUMBER. */
	for (i = 0; i < n && i < (int)sizeof(buf) && used + 4 < sizeof(res->serial); i++)
		used += (size_t)snprintf(res->serial + used, sizeof(res->serial) - used, "%s%02X",
		                         i > 0 ? ":" : "", buf[i]);
	BN_free(bn);
	res->have_cert = 1;
}

/* The TLS context of a phone: TLS 1.2, its certificate when it has one, no CA store. */
static SSL_CTX *
phone_ctx(const struct pv_reg_cfg *cfg, char *why, size_t cap)
{
	SSL_CTX *ctx;

	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1) {
		snprintf(why, cap, "cannot make a TLS context");
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* The held trust list judges the server after the handshake, not a CA chain. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (cfg->cert != NULL && cfg->key != NULL &&
	    (SSL_CTX_use_certificate(ctx, cfg->cert) != 1 ||
	     SSL_CTX_use_PrivateKey(ctx, cfg->key) != 1 || SSL_CTX_check_private_key(ctx) != 1)) {
		snprintf(why, cap, "the phone certificate and key do not go together");
		SSL_CTX_free(ctx);
		ERR_clear_error();
		return NULL;
	}
	return ctx;
}

/* The handshake's failure in words: OpenSSL's reason (an alert from the server names it). */
static void
tls_why(char *why, size_t cap, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	snprintf(why, cap, "%s%s%s", what, r != NULL ? ": " : "", r != NULL ? r : "");
	ERR_clear_error();
}

/* After the handshake: the certificate judged, the console told. */
static int
judge(const struct pv_reg_cfg *cfg, const struct pv_trust *held, SSL *ssl,
      const struct pv_hostport *t, struct pv_reg_result *res)
{
	X509 *peer = SSL_get1_peer_certificate(ssl);
	unsigned char *der = NULL;
	const char *kind;
	int n;

	snprintf(res->tls_version, sizeof(res->tls_version), "%s", SSL_get_version(ssl));
	snprintf(res->cipher, sizeof(res->cipher), "%s", SSL_get_cipher_name(ssl));
	res->cert_sent = SSL_get_certificate(ssl) != NULL && cfg->cert != NULL;
	if (f88(cfg))
		say(cfg, PV_LV_DEB, "SECUREAPP-SSL session established: %s, cipher %s",
		    res->tls_version, res->cipher);
	else
		say(cfg, PV_LV_NOT, "SECD: ccmTls: %s, cipher %s", res->tls_version, res->cipher);
	if (peer == NULL || (n = i2d_X509(peer, &der)) <= 0) {
		X509_free(peer);
		snprintf(res->why, sizeof(res->why), "%s:%u presented no certificate", t->host, t->port);
		say(cfg, PV_LV_ERR, "%s%s", f88(cfg) ? "SECUREAPP-" : "SECD: ccmTls: ", res->why);
		return PV_EXIT_REG_REFUSED;
	}
	cert_facts(peer, res);
	X509_free(peer);
	pv_reg_match_cert(held, der, (size_t)n, &res->match);
	OPENSSL_free(der);
	if (f88(cfg))
		say(cfg, PV_LV_DEB, "SECUREAPP-Server certificate subject [%s], serial [%s]",
		    res->subject, res->serial);
	else
		say(cfg, PV_LV_NOT, "SECD: ccmVerifyCert: subject %s, serial %s", res->subject,
		    res->serial);
	kind = held->ctl != NULL ? "CTL" : "ITL";
	if (res->match.list == NULL) {
		snprintf(res->why, sizeof(res->why), "the certificate of %s:%u is not found in the %s "
		         "(no %s record with it)", t->host, t->port, kind,
		         held->ctl != NULL ? "CCM or CCM+TFTP" : "CCM+TFTP or TFTP");
		if (f88(cfg))
			say(cfg, PV_LV_ERR, "SECUREAPP-SSL session setup Cert Verification failed - not "
			    "found in %s", kind);
		else
			say(cfg, PV_LV_ERR, "SECD: ccmVerifyCert: not found in %s", kind);
		return PV_EXIT_REG_REFUSED;
	}
	if (f88(cfg))
		say(cfg, PV_LV_DEB, "SECUREAPP-SSL session setup Cert Verification - Role is = %u",
		    res->match.role);
	say(cfg, PV_LV_NOT, "%sfound in %s record %d (%s)", f88(cfg) ? "SECUREAPP-" :
	    "SECD: ccmVerifyCert: ", res->match.list, res->match.record,
	    ctl_role_name(res->match.role));
	return PV_EXIT_OK;
}

/* One CallManager: connect, handshake, judge. PV_EXIT_OK, _REG_REFUSED or _REG_FAILED. */
static int
try_one(const struct pv_reg_cfg *cfg, SSL_CTX *ctx, const struct pv_trust *held,
        const struct pv_hostport *t, struct pv_reg_result *res)
{
	uint64_t deadline = pv_now_ms() + (cfg->timeout_ms != 0 ? cfg->timeout_ms : PV_REG_TIMEOUT_MS);
	const char *family = "IPv4";
	SSL *ssl = NULL;
	char why[256];
	int fd, s, rc = PV_EXIT_REG_FAILED;

	snprintf(res->server, sizeof(res->server), "%.80s:%u", t->host, t->port);
	res->have_cert = 0;
	res->tls_version[0] = res->cipher[0] = '\0';
	memset(&res->match, 0, sizeof(res->match));
	fd = pv_tcp_connect(t, deadline, &family, why, sizeof(why));
	if (f88(cfg)) {
		say(cfg, PV_LV_INF, "SECUREAPP-Attempting connect to CCM server addr [%s], mode [%s]",
		    t->host, family);
		say(cfg, PV_LV_DEB, "SECUREAPP-BIO created with: addr:%s, port:%u, mode:%s", t->host,
		    t->port, family);
	} else {
		say(cfg, PV_LV_NOT, "SECD: ccmConnect: Connecting to CallManager %s:%u over TLS "
		    "(deviceSecurityMode %d, %s)", t->host, t->port, cfg->mode,
		    pv_reg_mode_name(cfg->mode));
	}
	if (fd < 0) {
		snprintf(res->why, sizeof(res->why), "%s:%u: %s", t->host, t->port, why);
		goto out;
	}
	ERR_clear_error();
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1) {
		snprintf(res->why, sizeof(res->why), "cannot set up TLS");
		goto out;
	}
	while ((s = pv_ssl_step(ssl, fd, SSL_connect(ssl), deadline)) == 0)
		;
	if (s < 0) {
		tls_why(why, sizeof(why), "TLS handshake failed or timed out");
		snprintf(res->why, sizeof(res->why), "%s:%u: %s", t->host, t->port, why);
		goto out;
	}
	rc = judge(cfg, held, ssl, t, res);
	/* One handshake is the check: a close_notify, not waited for. */
	CTL_IGNORE_RESULT(SSL_shutdown(ssl));
out:
	if (rc == PV_EXIT_REG_FAILED)
		say(cfg, PV_LV_ERR, "%s%s", f88(cfg) ? "SECUREAPP-CCM connection failed - " :
		    "SECD: ccmConnect: ", res->why);
	SSL_free(ssl);
	ERR_clear_error();
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- the whole check -------------------------------------------------------------- */

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L };

	/* An interrupted wait only shortens the pause between tries. */
	CTL_IGNORE_RESULT(nanosleep(&ts, NULL));
}

/* Loads the held lists, trying again (up to cfg->tries) while none is held. */
static int
load_trust(const struct pv_reg_cfg *cfg, struct pv_trust *held, struct pv_reg_result *res)
{
	unsigned tries = cfg->tries != 0 ? cfg->tries : PV_REG_TRIES;
	struct ctl_diag d;
	char buf[600];

	for (res->tries = 1;; res->tries++) {
		pv_trust_cleanup(held);
		pv_trust_init(held);
		if (pv_state_load(cfg->state, held, &d) != CTL_OK) {
			snprintf(res->why, sizeof(res->why), "%s", ctl_diag_str(&d, buf, sizeof(buf)));
			return PV_EXIT_IO;
		}
		if (held->ctl != NULL || held->itl != NULL)
			return PV_EXIT_OK;
		say(cfg, PV_LV_ERR, "%sno CTL or ITL installed: cannot authenticate the CallManager "
		    "(try %u of %u)", f88(cfg) ? "SECUREAPP-" : "SECD: ccmVerifyCert: ", res->tries,
		    tries);
		if (res->tries >= tries)
			break;
		sleep_ms(cfg->interval_ms);
	}
	snprintf(res->why, sizeof(res->why), "no CTL or ITL installed after %u tries: the phone "
	         "does not register securely", tries);
	return PV_EXIT_NO_TL;
}

int
pv_register(const struct pv_reg_cfg *cfg, struct pv_reg_result *res)
{
	struct pv_trust held;
	struct pv_hostport t;
	SSL_CTX *ctx = NULL;
	size_t i;
	int rc, refused = 0;

	memset(res, 0, sizeof(*res));
	pv_trust_init(&held);
	if ((rc = load_trust(cfg, &held, res)) != PV_EXIT_OK)
		goto out;
	if ((ctx = phone_ctx(cfg, res->why, sizeof(res->why))) == NULL) {
		rc = PV_EXIT_USAGE;
		goto out;
	}
	rc = PV_EXIT_REG_FAILED;
	snprintf(res->why, sizeof(res->why), "no CallManager to try");
	for (i = 0; i < cfg->nccm; i++) {
		if (pv_hostport_parse(cfg->ccm[i], 0, &t) != 0 || t.port == 0) {
			snprintf(res->why, sizeof(res->why), "bad CallManager '%.80s' (HOST:PORT)",
			         cfg->ccm[i]);
			rc = PV_EXIT_USAGE;
			goto out;
		}
		res->tried++;
		rc = try_one(cfg, ctx, &held, &t, res);
		if (rc == PV_EXIT_OK)
			break;
		refused |= rc == PV_EXIT_REG_REFUSED;
	}
	if (rc == PV_EXIT_OK)
		say(cfg, PV_LV_NOT, "%sregistered securely with CallManager %s (deviceSecurityMode "
		    "%d, %s)", f88(cfg) ? "SECUREAPP-" : "SECD: ccmRegister: ", res->server, cfg->mode,
		    pv_reg_mode_name(cfg->mode));
	else if (refused)
		rc = PV_EXIT_REG_REFUSED; /* one refused certificate outweighs unreachable others */
out:
	SSL_CTX_free(ctx);
	pv_trust_cleanup(&held);
	res->exit = rc;
	return rc;
}
