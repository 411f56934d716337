/* SPDX-License-Identifier: Apache-2.0 */
/* Parser internals shared by hdr.c, rec.c and file.c. */
#ifndef CTL_PARSE_H
#define CTL_PARSE_H

#include "ctl_int.h"

struct hdr_ctx {
	struct ctl_file *f;
	unsigned flags;
	uint32_t seen; /* bit per known header tag already read */
	struct ctl_diag *diag;
};

/*
 * Internal parse flag (above the public CTL_PARSE_* bits): the header of an
 * encrypted configuration file, version 2.x; its tags 16-27 are kept as
 * unknown elements for encsgn_parse.c to read.
 */
#define CTLI_PARSE_ENC 0x100u

CTL_MUST_USE enum ctl_err ctli_parse_header(struct hdr_ctx *c);
/* Parses the records from HEADER_LENGTH to the end of the file. */
CTL_MUST_USE enum ctl_err ctli_parse_records(struct ctl_file *f, struct ctl_diag *diag);

#endif
