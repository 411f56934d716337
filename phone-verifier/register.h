/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's secure registration check (doc/phone-verifier.1, REGISTER):
 * a TLS handshake to each CallManager in turn, as a phone whose
 * configuration says deviceSecurityMode 2 or 3 makes it. The server is
 * believed only when its certificate equals (DER) a CCM (1) or CCM+TFTP (2)
 * record of the held CTL; a phone without a CTL takes a TFTP-capable
 * (CCM+TFTP or TFTP) record of its ITL instead. No CA chain, no host name:
 * the trust list is the phone's only anchor. Nothing here prints: every
 * console line goes to the caller's line function, already in the
 * family's words (79xx SECD, 88xx SECUREAPP).
 */
#ifndef PV_REGISTER_H
#define PV_REGISTER_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <ctl/err.h>

#include "pv.h"

#define PV_REG_TIMEOUT_MS 5000u     /* one CallManager's connect and handshake */
#define PV_REG_TRIES 4u             /* without a trust list: tries before giving up */
#define PV_REG_INTERVAL_MS 10000u   /* between those tries */
#define PV_REG_MAX_CCM 8

/* Where the server's certificate is in the held lists. */
struct pv_reg_match {
	const char *list;   /* "CTL" or "ITL"; NULL: in neither */
	int record;         /* 1-based record number */
	uint16_t role;
};

/* The trust rule: which record of held (if any) lets a phone trust the server certificate der. */
void pv_reg_match_cert(const struct pv_trust *held, const uint8_t *der, size_t len,
                       struct pv_reg_match *m);

typedef void pv_reg_line_fn(void *arg, enum pv_level lv, const char *msg);

struct pv_reg_cfg {
	const char *state;              /* the phone's flash: CTLFile.tlv, ITLFile.tlv */
	const char *const *ccm;         /* "HOST:PORT" in the order tried */
	size_t nccm;
	X509 *cert;                     /* the phone's MIC or LSC, presented (borrowed; may be NULL) */
	EVP_PKEY *key;
	unsigned timeout_ms;            /* per CallManager; 0: PV_REG_TIMEOUT_MS */
	unsigned tries;                 /* without a trust list; 0: PV_REG_TRIES */
	unsigned interval_ms;           /* between them */
	int mode;                       /* deviceSecurityMode: 2 authenticated, 3 encrypted */
	enum pv_form form;
	pv_reg_line_fn *line;           /* NULL: quiet */
	void *line_arg;
};

/* What the phone found, for the console summary and --json. */
struct pv_reg_result {
	int exit;                       /* PV_EXIT_OK, _REG_REFUSED, _REG_FAILED, _NO_TL, _IO, _USAGE */
	unsigned tries;                 /* times the trust list was looked for */
	size_t tried;                   /* CallManagers tried */
	char server[96];                /* the CallManager the result is about ("" none reached) */
	int have_cert;                  /* subject, issuer, serial are set */
	char subject[512], issuer[512], serial[160];
	struct pv_reg_match match;
	char tls_version[24], cipher[80];
	int cert_sent;                  /* the phone's certificate went to the server */
	char why[512];                  /* one line: why not registered */
};

/*
 * Runs the check: the trust list read from cfg->state (again before each
 * try while none is held), then each CallManager in order until one is
 * trusted. Returns res->exit.
 */
CTL_MUST_USE int pv_register(const struct pv_reg_cfg *cfg, struct pv_reg_result *res);

/* "authenticated", "encrypted", "non-secure" for deviceSecurityMode 1..3, else "unknown". */
const char *pv_reg_mode_name(int mode);
/* Whether spec names a CallManager: "HOST:PORT" or "[IPV6]:PORT", port 1..65535. */
int pv_reg_ccm_valid(const char *spec);

/* cmd_register.c: the result's JSON members (no braces), shared with boot --register. */
void pv_reg_json_fields(FILE *f, const struct pv_reg_result *r, int mode);
/* cmd_register.c: --phone-cert and --phone-key loaded (both or neither); a usage failure reported. */
CTL_MUST_USE int pv_reg_load_identity(const char *cert, const char *key, X509 **x,
                                      EVP_PKEY **k);

#endif
