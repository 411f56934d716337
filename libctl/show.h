/* SPDX-License-Identifier: Apache-2.0 */
/* Rendering helpers shared by show.c and json.c. */
#ifndef CTL_SHOW_H
#define CTL_SHOW_H

#include "ctl_int.h"

const char *ctli_kind_word(enum ctl_kind k);
/* Text without trailing NULs, control bytes escaped as \xNN. */
CTL_MUST_USE enum ctl_err ctli_put_text(struct ctl_wr *wr, const uint8_t *p, size_t n);
/* Upper-case hex bytes joined by sep. */
CTL_MUST_USE enum ctl_err ctli_put_hex(struct ctl_wr *wr, const uint8_t *p, size_t n, const char *sep);
CTL_MUST_USE enum ctl_err ctli_cert_sha1(struct ctl_bytes cert, uint8_t out[20]);
/* Whether record i signed f (from v when given, else by serial and issuer). */
int ctli_is_signer_record(const struct ctl_file *f, size_t i, const struct ctl_verify_result *v);

#endif
