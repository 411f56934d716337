/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token selectors: an RFC 7512 `pkcs11:` URI (parsed by p11-kit), or a bare
 * token label or serial number. No libp11 or PKCS#11 types in this header.
 */
#ifndef CTL_CLIENT_P11URI_H
#define CTL_CLIENT_P11URI_H

#include <stddef.h>

#include "p11err.h"

struct p11_sel;

/* What a selector is matched against; strings are trimmed, never NULL. */
struct p11_tokid {
	const char *label, *serial, *manufacturer, *model;
	unsigned long slot_id;
	const char *slot_description, *slot_manufacturer;
	const char *lib_manufacturer, *lib_description;
	unsigned lib_major, lib_minor;
};

/*
 * Parses s. A URI with an attribute RFC 7512 does not define, with
 * pin-value (visible in ps and shell history), with module-name, or with a
 * type other than cert/private/public is refused naming the attribute.
 * Free with p11_sel_free().
 */
CTL_MUST_USE enum p11_err p11_sel_parse(const char *s, struct p11_sel **out, struct p11_diag *d);
void p11_sel_free(struct p11_sel *sel);

/* The text as given (for messages). */
const char *p11_sel_text(const struct p11_sel *sel);
int p11_sel_is_uri(const struct p11_sel *sel);
/* Query attributes; NULL when absent. Lent by sel. */
const char *p11_sel_module_path(const struct p11_sel *sel);
const char *p11_sel_pin_source(const struct p11_sel *sel);

/* 1 when the token (slot, module) matches every token/slot/library attribute. */
int p11_sel_match_token(const struct p11_sel *sel, const struct p11_tokid *t);
/* 1 when an object with this CKA_LABEL and CKA_ID matches object= and id=. */
int p11_sel_match_object(const struct p11_sel *sel, const char *label,
                         const unsigned char *id, size_t id_len);

/* A `pkcs11:token=...;serial=...` URI for t; free() it. NULL on no memory. */
CTL_MUST_USE char *p11_uri_for_token(const struct p11_tokid *t);

#endif
