/* SPDX-License-Identifier: Apache-2.0 */
/* The parsed encrypted configuration file, shared by encsgn_parse.c and encsgn_decrypt.c. */
#ifndef CTL_ENCSGN_INT_H
#define CTL_ENCSGN_INT_H

#include <ctl/encsgn.h>

#include "ctl_int.h"

#define CTLI_AES_BLOCK 16

struct ctl_encsgn {
	struct ctl_file *f;        /* the header as hdr.c reads it; payload = the ciphertext */
	uint8_t iv_unknown;        /* tag 18 */
	uint8_t key_unknown;       /* tag 22 */
	uint8_t key_alg;           /* tag 24 */
	uint8_t pt_alg;            /* tag 26 */
	uint16_t pad;              /* tag 20 */
	uint16_t key_bits;         /* tag 23 */
	struct ctl_bytes iv;       /* tag 19, 16 bytes */
	struct ctl_bytes wrapped;  /* tag 25 */
	struct ctl_bytes pt_digest; /* tag 27 */
};

#endif
