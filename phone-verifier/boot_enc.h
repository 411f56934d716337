/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The encrypted-configuration steps of a boot (boot_enc.c), wired into a
 * run's pv_env by the boot command's --encrypted.
 */
#ifndef PV_BOOT_ENC_H
#define PV_BOOT_ENC_H

#include "pv.h"

/* SEP<MAC>.cnf.xml.enc.sgn came: checked, decrypted, kept in ph->enc_plain (env->enc_got). */
void pv_enc_got(struct pv_phone *ph, const char *name, const uint8_t *p, size_t n);
/*
 * The verified .sgn's payload after it (env->enc_companion): 0 when no
 * encrypted file came (the .sgn is the configuration), else 1 once the
 * companion's certHash was checked and the decrypted file stored (or the
 * configuration refused).
 */
int pv_enc_companion(struct pv_phone *ph, const char *name, const uint8_t *p, size_t n);

#endif
