/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot --register: after the configuration file, what the phone does
 * next. It reads deviceSecurityMode and the CallManager group from the
 * configuration the boot stored (SEP<MAC>.cnf.xml in the state directory,
 * cnfxml.c), says so and stops for a non-secure phone, and otherwise runs
 * the secure registration check (register.c) on the group's CallManagers
 * at their TLS ports, or on --ccm when given.
 */
#ifndef PV_REGISTER_BOOT_H
#define PV_REGISTER_BOOT_H

#include "register.h"

enum { PV_O_REGISTER = 380, PV_O_CCM, PV_O_RETRY_INTERVAL };
#define PV_REG_OPTIONS                                                         \
	{ "register", no_argument, NULL, PV_O_REGISTER },                      \
	{ "ccm", required_argument, NULL, PV_O_CCM },                          \
	{ "retry-interval", required_argument, NULL, PV_O_RETRY_INTERVAL }
#define PV_REG_HELP                                                            \
	"  --register          after the configuration file, register as its deviceSecurityMode\n" \
	"                      says (2, 3: TLS to its CallManagers; needs --state)\n" \
	"  --ccm HOST:PORT     with --register: these CallManagers instead of the configuration's\n" \
	"  --retry-interval MS with --register and no trust list: the wait between the four tries\n"

struct pv_boot_reg_opts {
	int on;
	const char *ccm[PV_REG_MAX_CCM];
	size_t nccm;
	unsigned interval_ms;
};

void pv_boot_reg_defaults(struct pv_boot_reg_opts *o);
/* Applies a --register option: 1 handled, 0 not one, -1 bad value (reported with pv_fail). */
CTL_MUST_USE int pv_boot_reg_opt(struct pv_boot_reg_opts *o, int c, const char *arg);

/* What boot --register did, for --json. */
struct pv_boot_reg {
	int ran;                     /* the configuration was read */
	int mode;                    /* its deviceSecurityMode (0: absent) */
	int checked;                 /* the TLS check ran (mode 2 or 3) */
	struct pv_reg_result res;
};

/*
 * After ph's boot: reads the stored configuration and registers as it
 * says, every step a console line of ph. cert and key (may be NULL) are
 * the phone's. Returns the exit status of the registration (PV_EXIT_OK
 * for a non-secure phone), r saying what happened.
 */
CTL_MUST_USE int pv_boot_register(struct pv_phone *ph, const struct pv_boot_reg_opts *o,
                                  X509 *cert, EVP_PKEY *key, struct pv_boot_reg *r);

#endif
