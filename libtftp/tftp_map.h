/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Request names: strict validation (what may be looked up under the root
 * at all), per-device trust list mapping (CTLSEP<MAC>.tlv -> per-device
 * file or CTLFile.tlv, the same for ITLSEP), and escaping for logs.
 */
#ifndef TFTP_MAP_H
#define TFTP_MAP_H

#include "ctl/err.h"
#include <stddef.h>

/* Longest name we look up (a request holds at most 512 bytes anyway). */
#define TFTP_NAME_MAX 255

enum tftp_name_err {
	TFTP_N_OK = 0,
	TFTP_N_EMPTY,       /* nothing left after the optional leading '/' */
	TFTP_N_TOO_LONG,    /* over TFTP_NAME_MAX bytes */
	TFTP_N_CHAR,        /* control character, DEL, byte >= 0x80 or backslash */
	TFTP_N_ABSOLUTE,    /* more than one leading '/' */
	TFTP_N_DOTDOT,      /* a ".." component */
	TFTP_N_DOT,         /* a "." component */
	TFTP_N_EMPTY_PART,  /* "a//b" or a trailing '/' */
	TFTP_N_HIDDEN       /* a component starting with '.' (dot files stay private) */
};

const char *tftp_name_errstr(enum tftp_name_err e);

/*
 * Validates a requested name (n bytes, not necessarily NUL-terminated) and
 * copies it into out (cap bytes, NUL-terminated) without the one leading
 * '/' that some clients send (tftp-hpa -s does the same). The result is a
 * relative path with no ".", ".." or empty components.
 */
CTL_MUST_USE enum tftp_name_err tftp_name_check(const char *in, size_t n, char *out, size_t cap);

enum tftp_dev_kind {
	TFTP_DEV_NONE = 0,
	TFTP_DEV_CTL,  /* CTLSEP<MAC>.tlv */
	TFTP_DEV_ITL   /* ITLSEP<MAC>.tlv */
};

/*
 * Recognises CTLSEP<MAC>.tlv / ITLSEP<MAC>.tlv (prefix, MAC and suffix
 * case-insensitive, MAC = 12 hex digits) in a validated name. On a match
 * writes the canonical per-device name (upper-case prefix and MAC,
 * ".tlv") into canon (cap >= 23), the MAC (upper case) into mac[13], and
 * sets *cluster to "CTLFile.tlv" or "ITLFile.tlv".
 */
enum tftp_dev_kind tftp_map_device(const char *name, char *canon, size_t cap, char mac[13],
                                   const char **cluster);

#endif
