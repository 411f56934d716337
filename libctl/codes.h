/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Code tables of the format (libctl internal): digest algorithm, signature
 * modulus and role codes. The public names (ctl_digest_name, ctl_role_name,
 * ctl_role_short) are declared in ctl/ctl.h and defined in codes.c too.
 */
#ifndef CTL_CODES_H
#define CTL_CODES_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <ctl/err.h>

/* EVP digest for a CTL digest code, NULL when unknown. */
CTL_MUST_USE const EVP_MD *ctli_md(uint8_t code);
/* Modulus code (section 5.3) for a signature of n bytes; -1 when none. */
CTL_MUST_USE int ctli_modulus_code(size_t n);
/* Signature size in bytes for a modulus code; 0 when unknown. */
size_t ctli_modulus_bytes(uint8_t code);

#endif
