/* SPDX-License-Identifier: Apache-2.0 */
/* Builder internals shared by build.c, policy.c and sign.c. */
#ifndef CTL_BUILD_H
#define CTL_BUILD_H

#include "ctl_int.h"

struct bld_rec {
	X509 *cert;       /* referenced; NULL for a copied record without a usable certificate,
	                   * and for a certificate-less record (is_raw 0, cert NULL) */
	uint16_t role;
	char *dns;
	int has_ip;
	uint8_t ip[4];
	int is_raw;       /* copied from a parsed file: raw holds its elements verbatim */
	uint8_t *raw;
	size_t raw_len;
};

struct ctl_builder {
	enum ctl_kind kind;
	enum ctl_digest digest;
	char *filename;
	int has_ts;
	uint32_t timestamp;
	uint8_t ver_major, ver_minor;
	int has_sv;
	uint8_t sv_major, sv_minor;
	uint8_t *payload;
	size_t payload_len;
	uint8_t *hdr_extra;   /* header elements written after TIMESTAMP (encsgn_build.c) */
	size_t hdr_extra_len;
	struct bld_rec *recs;
	size_t nrecs, recs_cap;
	enum ctl_name_format name_format; /* of names derived from certificates (name.c) */
};

/*
 * Adds a certificate-less record: DNSNAME, FUNCTION and IPADDRESS only, as
 * CUCM writes the CCM+TFTP records of a non-secure CTL (33 bytes with an
 * IP address as the name). dns NULL: the IPv4 address as text when ipv4 is
 * given, else empty. ipv4 NULL: no IPADDRESS.
 */
CTL_MUST_USE enum ctl_err ctli_builder_add_bare(struct ctl_builder *b, uint16_t role, const char *dns,
                                                const uint8_t *ipv4, struct ctl_diag *diag);

/*
 * Header elements (complete TLVs, copied) that go after TIMESTAMP and
 * before the padding: the encryption elements of a .enc.sgn file.
 */
CTL_MUST_USE enum ctl_err ctli_builder_set_hdr_extra(struct ctl_builder *b, const uint8_t *p,
                                                     size_t n);

#endif
