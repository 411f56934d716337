/* SPDX-License-Identifier: Apache-2.0 */
/* Builder internals shared by build.c, policy.c and sign.c. */
#ifndef CTL_BUILD_H
#define CTL_BUILD_H

#include "ctl_int.h"

struct bld_rec {
	X509 *cert;       /* referenced; NULL for a copied record without a usable certificate */
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
	struct bld_rec *recs;
	size_t nrecs, recs_cap;
};

#endif
