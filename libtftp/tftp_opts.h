/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Option negotiation (RFC 2347) for blksize (RFC 2348), tsize and timeout
 * (RFC 2349) and windowsize (RFC 7440), driven by one table of
 * {name, min, max, policy}. Used by the server to answer a request and by
 * the client engine to check an OACK.
 */
#ifndef TFTP_OPTS_H
#define TFTP_OPTS_H

#include "ctl/err.h"
#include <stddef.h>
#include <stdint.h>

#include "tftp_codec.h"

enum tftp_optid {
	TFTP_OPT_BLKSIZE,
	TFTP_OPT_TSIZE,
	TFTP_OPT_TIMEOUT,
	TFTP_OPT_WINDOWSIZE,
	TFTP_OPT__COUNT
};

/* Options as requested (or as acknowledged, for a client reading an OACK). */
struct tftp_optreq {
	unsigned present;              /* bit (1u << id) per option seen */
	uint64_t val[TFTP_OPT__COUNT]; /* values, saturated at UINT64_MAX */
	size_t unknown;                /* options ignored: unknown or duplicated */
};

/* Server limits applied while negotiating. */
struct tftp_limits {
	unsigned blksize_max;    /* <= TFTP_BLKSIZE_MAX: the path-MTU cap */
	unsigned windowsize_max; /* RFC 7440 leaves it to us; default 64 */
	unsigned timeout_max_s;  /* largest timeout option accepted; 0 = RFC 2349's 255 */
};

/* Outcome of a negotiation: what the transfer uses and what the OACK says. */
struct tftp_neg {
	unsigned accepted;       /* bits of the options to echo in the OACK */
	unsigned blksize;
	unsigned windowsize;
	unsigned timeout_s;      /* 0: not negotiated */
	uint64_t tsize;
};

/* Canonical lower-case name of an option. */
const char *tftp_opt_name(enum tftp_optid id);

/*
 * Parses a decimal option value: digits only, at least one, no sign or
 * blanks. Values beyond UINT64_MAX saturate (a huge blksize is clamped,
 * RFC 2348, not refused). Returns 0, or -1 for anything that is not a
 * decimal number.
 */
CTL_MUST_USE int tftp_opt_number(const char *s, size_t n, uint64_t *v);

/*
 * Reads the known options of a request or OACK into req. Names are
 * case-insensitive; the first occurrence of a name wins, later ones and
 * unknown names are counted in req->unknown and ignored (RFC 2347).
 * Returns TFTP_P_OK or TFTP_P_OPT_VALUE for a known option whose value is
 * not a number (the server answers ERROR 8).
 */
CTL_MUST_USE enum tftp_perr tftp_opts_read(const struct tftp_optlist *ol, struct tftp_optreq *req);

/*
 * Server side: decides what to accept. Out-of-range values are left out of
 * the OACK (blksize < 8, timeout outside 1..255 or above timeout_max_s,
 * windowsize 0); blksize and
 * windowsize above the limits are lowered to them (RFC 2348, RFC 7440).
 * tsize is answered with file_size in octet mode only (tftp-hpa and
 * dnsmasq do the same). neg holds defaults for whatever is not accepted.
 */
void tftp_opts_negotiate(const struct tftp_optreq *req, const struct tftp_limits *lim,
                         enum tftp_mode mode, uint64_t file_size, struct tftp_neg *neg);

/*
 * Builds the OACK for neg into buf (cap bytes); *len 0 when nothing was
 * accepted (the server then starts with DATA 1, RFC 2347). Returns 0 or -1.
 */
CTL_MUST_USE int tftp_opts_build_oack(const struct tftp_neg *neg, uint8_t *buf, size_t cap, size_t *len);

/*
 * Client side: checks an OACK (already read into ack) against what was
 * asked (asked). Every acknowledged option must have been asked for and
 * be within its rules (blksize/windowsize not above the request, timeout
 * equal). On success fills neg and returns 0; -1 means answer ERROR 8.
 */
CTL_MUST_USE int tftp_opts_check_oack(const struct tftp_optreq *asked, const struct tftp_optreq *ack,
                                      struct tftp_neg *neg);

#endif
