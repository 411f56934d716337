/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A phone's Security By Default side for the commands that boot phones:
 * the options (--tvs, --tvs-timeout, --phone-cert, --phone-key, --model,
 * --console, --encrypted), and what they set up in a run's pv_env: the
 * TVS client, the TVS cache and the encrypted-configuration handling.
 */
#ifndef PV_SBD_H
#define PV_SBD_H

#include <openssl/types.h>

#include "pv.h"
#include "tvs_cache.h"

enum {
	PV_O_TVS = 350, PV_O_TVS_TIMEOUT, PV_O_PHONE_CERT, PV_O_PHONE_KEY, PV_O_MODEL,
	PV_O_CONSOLE, PV_O_ENCRYPTED
};
#define PV_SBD_OPTIONS                                                         \
	{ "tvs", required_argument, NULL, PV_O_TVS },                          \
	{ "tvs-timeout", required_argument, NULL, PV_O_TVS_TIMEOUT },          \
	{ "phone-cert", required_argument, NULL, PV_O_PHONE_CERT },            \
	{ "phone-key", required_argument, NULL, PV_O_PHONE_KEY },              \
	{ "model", required_argument, NULL, PV_O_MODEL },                      \
	{ "console", required_argument, NULL, PV_O_CONSOLE },                  \
	{ "encrypted", no_argument, NULL, PV_O_ENCRYPTED }
#define PV_SBD_HELP                                                            \
	"  --tvs HOST:PORT     TVS server to ask about unknown signers, in order (repeatable;\n" \
	"                      default: the held ITL's TVS records, port 2445)\n" \
	"  --tvs-timeout MS    time for one TVS server's whole exchange (default 3000)\n" \
	"  --phone-cert PEM    the phone's certificate (LSC or MIC), presented to TVS\n" \
	"  --phone-key PEM     its key: TLS to TVS, decrypting SEP<MAC>.cnf.xml.enc.sgn\n" \
	"  --model N           phone model: the TVS device name CP-N-SEP<MAC>, and its family\n" \
	"                      (79xx, or 78xx/88xx/99xx/69xx) for console and status words (default 7975)\n" \
	"  --console FORM      79xx or 88xx: the family's console lines and status words\n" \
	"                      (default: the family of --model)\n" \
	"  --encrypted         ask SEP<MAC>.cnf.xml.enc.sgn first (needs --phone-cert and --phone-key)\n"

#define PV_SBD_MAX_TVS 8

struct pv_sbd_opts {
	const char *tvs[PV_SBD_MAX_TVS];
	size_t ntvs;
	unsigned tvs_timeout_ms;
	const char *phone_cert, *phone_key;
	char model[8];
	enum pv_form form;   /* from --console, else from the family of --model */
	int form_given;      /* --console given: --model no longer changes the form */
	int encrypted;
};

void pv_sbd_defaults(struct pv_sbd_opts *o);
/* Applies an SBD option: 1 handled, 0 not one, -1 bad value (reported with pv_fail). */
CTL_MUST_USE int pv_sbd_opt(struct pv_sbd_opts *o, int c, const char *arg);

/* What a run holds for it; pv_sbd_cleanup() frees it. */
struct pv_sbd {
	struct pv_sbd_opts opts;
	struct pv_tvs_client *client;
	struct pv_tvs_cache *cache;
	X509 *cert;
	EVP_PKEY *key;
};

/*
 * Loads the phone certificate and key, makes the TVS client and an empty
 * cache, and wires them (and --encrypted, --console) into e. PV_EXIT_OK or
 * an exit status with why.
 */
CTL_MUST_USE int pv_sbd_setup(struct pv_sbd *s, const struct pv_sbd_opts *o, struct pv_env *e,
                              char *why, size_t cap);
void pv_sbd_cleanup(struct pv_sbd *s);

#endif
