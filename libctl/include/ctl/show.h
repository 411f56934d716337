/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What CUCM's `show ctl` prints, and ctl-suite's `show itl` in the same
 * shape (doc/show-ctl.8, doc/show-itl.8): the listing of a parsed file with
 * a choice of checksum lines, and the lines for a file that is missing,
 * empty or does not parse. ctl_render_text() in ctl/ctl.h is the richer
 * listing ctl-client shows (always with the SHA256 line).
 */
#ifndef CTL_SHOW_PUBLIC_H
#define CTL_SHOW_PUBLIC_H

#include <ctl/ctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of ctl_render_show() and ctl_render_unparsed(). */
enum {
	CTL_SHOW_SHA256 = 1u, /* a third checksum line, "<sha256>(SHA256)", after the SHA1 line */
};

/*
 * The `show ctl` listing of f: the checksum block (MD5 and SHA1 lines, the
 * SHA256 line only with CTL_SHOW_SHA256), length, last modification, header
 * block, record blocks and the verification line, as ctl_render_text().
 * *out is NUL-terminated; free() it.
 */
CTL_MUST_USE enum ctl_err ctl_render_show(const struct ctl_file *f, const struct ctl_render_opts *o,
                                          unsigned flags, char **out);

/*
 * A missing or empty file, as CUCM prints it for a CTL:
 *   Length of CTL file: 0
 *   CTL File not found. Please run CTLClient plugin or run the CLI - utils ctl.. to generate the CTL file.
 *   Error parsing the CTL File.
 * For an ITL (no real output exists; ctl-suite's choice) the second line is
 * "ITL File not found." and the others say ITL.
 */
CTL_MUST_USE enum ctl_err ctl_render_missing(enum ctl_kind kind, char **out);

/*
 * A file of n bytes that does not parse: the checksum block of the bytes,
 * a blank line, "Length of KIND file: n" and "Error parsing the KIND File.".
 */
CTL_MUST_USE enum ctl_err ctl_render_unparsed(enum ctl_kind kind, const uint8_t *p, size_t n,
                                              unsigned flags, char **out);

#ifdef __cplusplus
}
#endif

#endif
