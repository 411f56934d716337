/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bytes made safe to show: one hex encoder, one escaper for text written to
 * logs and terminals, one JSON string writer. Every tool uses these, so a
 * name, a fingerprint or a hostile file's bytes look the same everywhere.
 *
 * The rules:
 *  - hex: lower case unless CTL_HEX_UPPER; CTL_HEX_COLONS puts ':' between
 *    bytes (fingerprints as CUCM prints them).
 *  - text (logs, terminals): printable ASCII and valid UTF-8 pass through;
 *    control characters (C0, DEL and the C1 range U+0080..U+009F, whether
 *    raw bytes or UTF-8 encoded), invalid UTF-8 and backslash become
 *    \xHH per byte (\\ for backslash). A terminal never sees an escape
 *    sequence that came from input.
 *  - JSON (RFC 8259): valid UTF-8 passes through; '"', '\\' and control
 *    characters are escaped (\n \r \t, else \u00XX, C1 as \u0080..\u009f);
 *    each byte that is not part of valid UTF-8 becomes U+FFFD, so the output
 *    is always valid UTF-8 JSON. doc/json.md states the same rule.
 */
#ifndef CTL_TEXT_H
#define CTL_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include <ctl/err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTL_HEX_UPPER  1u
#define CTL_HEX_COLONS 2u

/* Characters (without the NUL) that ctl_hex_encode writes for n bytes. */
size_t ctl_hex_len(size_t n, unsigned flags);

/*
 * Writes the hex of p[0..n) and a NUL into out (outsz bytes). Returns out,
 * or NULL (out set to "" when outsz > 0) when outsz < ctl_hex_len(n) + 1:
 * never a truncated string.
 */
CTL_MUST_USE char *ctl_hex_encode(char *out, size_t outsz, const void *p, size_t n, unsigned flags);

/*
 * Escapes p[0..n) for a log line or a terminal into out (outsz bytes,
 * NUL-terminated, cut at a character boundary when too small). Returns the
 * length the whole escaped text needs (without the NUL), as snprintf does.
 */
size_t ctl_text_escape(char *out, size_t outsz, const void *p, size_t n);
/* The same, written to f. */
void ctl_text_fput(FILE *f, const void *p, size_t n);
void ctl_text_fputs(FILE *f, const char *s);

/*
 * The inside of a JSON string (no quotes) for p[0..n) into out, as
 * ctl_text_escape: NUL-terminated, cut at a unit boundary when outsz is too
 * small, returns the length the whole escaped text needs. out may be NULL
 * when outsz is 0 (to size a buffer).
 */
size_t ctl_json_escape(char *out, size_t outsz, const void *p, size_t n);

/* A JSON string (with its quotes) for p[0..n) / the C string s, to f. */
void ctl_json_fput(FILE *f, const void *p, size_t n);
void ctl_json_fputs(FILE *f, const char *s);
/* As ctl_json_fputs, or the literal null when s is NULL. */
void ctl_json_fputs_or_null(FILE *f, const char *s);
/*
 * The error object every tool prints with --json when a command fails:
 * {"error":{"code":CODE,"message":MESSAGE}} and a newline. code is a short
 * stable identifier ("usage", "io", "parse", "verify", "timeout", ...).
 */
void ctl_json_error(FILE *f, const char *code, const char *message);

/*
 * Length of the valid UTF-8 sequence at p (n > 0 bytes left), 0 when the
 * bytes there are not valid UTF-8 (RFC 3629: shortest form, no surrogates,
 * nothing above U+10FFFF).
 */
size_t ctl_utf8_len(const void *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif
