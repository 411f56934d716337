/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PIN entry for tokens: a terminal prompt without echo, or for automation
 * exactly one of --pin-file, a pin-source= in the token URI, or the
 * CTL_TOKEN_PIN environment variable. The PIN lives in locked memory that is
 * excluded from core dumps, and is wiped when freed; once a PIN is read the
 * process stops being dumpable. No PIN is ever taken from the command line.
 */
#ifndef CTL_CLIENT_PIN_H
#define CTL_CLIENT_PIN_H

#include "p11err.h"

#define PIN_ENV "CTL_TOKEN_PIN"
#define PIN_MAX 255 /* longest PIN accepted, in bytes */

struct pin_opts {
	const char *file; /* --pin-file, NULL when not given */
	int no_prompt;    /* fail instead of prompting on the terminal */
};

struct pin;

/*
 * Reads the PIN from the one source given: opts->file, uri_source (the
 * URI's pin-source: "file:PATH" or a path), $CTL_TOKEN_PIN, else a prompt
 * on /dev/tty showing `prompt`. Two sources at once is P11_E_PIN_CONFLICT.
 * A PIN file must be a regular file not accessible by group or others; one
 * trailing "\n" or "\r\n" is removed. CTL_TOKEN_PIN is wiped in place and
 * unset after reading, so a second call never reuses it.
 * Free with pin_free().
 */
CTL_MUST_USE enum p11_err pin_get(const struct pin_opts *opts, const char *uri_source, const char *prompt,
                     struct pin **out, struct p11_diag *d);
/* The NUL-terminated PIN, lent until pin_free(). */
const char *pin_value(const struct pin *p);
/* Where it came from: "--pin-file", "pin-source", "CTL_TOKEN_PIN", "terminal". */
const char *pin_origin(const struct pin *p);
/* Wipes and frees; NULL is a no-op. */
void pin_free(struct pin *p);

#endif
