/* SPDX-License-Identifier: Apache-2.0 */
/* Option values phone-verifier reads: bounded numbers and MAC addresses. */
#ifndef PV_NUM_H
#define PV_NUM_H

#include <ctl/err.h>

/*
 * Bounded number from the value arg of option opt (ctl_parse_uint). 0, or
 * -1 after reporting "OPT takes a number from MIN to MAX" (pv_fail, usage).
 */
CTL_MUST_USE int pv_num(const char *opt, const char *arg, unsigned long long min,
                        unsigned long long max, unsigned long long *v);

/* Checks and upper-cases a 12-hex-digit MAC into out[13]; 0, or -1 (out untouched). */
CTL_MUST_USE int pv_mac_parse(const char *s, char out[13]);

#endif
