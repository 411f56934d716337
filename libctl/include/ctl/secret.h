/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secrets typed by a person (a token PIN, an administrator password) and
 * the memory that holds them. A struct ctl_secret is whole pages of its
 * own: marked MADV_DONTDUMP before anything is written (a core dump never
 * holds it), locked with mlock so it is never swapped (best effort:
 * RLIMIT_MEMLOCK may be too small; ctl_secret_locked says), and wiped with
 * OPENSSL_cleanse before it is unmapped.
 *
 * The prompt turns echo off before it shows the prompt, so nothing typed
 * after it is ever echoed, and restores the terminal on every way out:
 * end of line, end of file, error, and SIGINT, SIGTERM, SIGHUP, SIGQUIT
 * or SIGTSTP while it waits (the signal then ends the prompt with
 * CTL_E_IO "interrupted"; the caller decides what happens next). Those
 * signals are caught only while the prompt runs; call it from one thread.
 */
#ifndef CTL_SECRET_H
#define CTL_SECRET_H

#include <stddef.h>

#include <ctl/err.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ctl_secret;

/*
 * Room for a secret of up to max bytes (and its NUL), zeroed. NULL when
 * there is no memory. Free with ctl_secret_free().
 */
CTL_MUST_USE struct ctl_secret *ctl_secret_new(size_t max);
/* Wipes, unlocks and unmaps; NULL is a no-op. */
void ctl_secret_free(struct ctl_secret *s);

/* The writable buffer (ctl_secret_max(s) + 1 bytes), lent until ctl_secret_free(). */
char *ctl_secret_data(struct ctl_secret *s);
/* The longest secret s holds. */
size_t ctl_secret_max(const struct ctl_secret *s);
/* Sets the length to n (n <= max) and writes the NUL after it. */
void ctl_secret_set_len(struct ctl_secret *s, size_t n);
/* The NUL-terminated secret and its length, lent until ctl_secret_free(). */
const char *ctl_secret_str(const struct ctl_secret *s);
size_t ctl_secret_len(const struct ctl_secret *s);
/* 1 when the pages are locked in memory, 0 when mlock was refused. */
int ctl_secret_locked(const struct ctl_secret *s);

/* ctl_secret_prompt flags. */
#define CTL_SECRET_STDIN 1u /* read standard input, not /dev/tty (see below) */

/*
 * Shows prompt and reads one line (without its "\n" or "\r\n") into a new
 * secret of at most max bytes, with echo off. The terminal is /dev/tty;
 * with CTL_SECRET_STDIN the line comes from standard input instead, and
 * when that is a terminal the prompt goes to standard error (when it is
 * not, no prompt is shown and nothing about the terminal changes: a pipe
 * in a script). Errors: CTL_E_IO (no terminal, read error, interrupted by
 * a signal), CTL_E_TOO_LARGE (longer than max), CTL_E_ZERO_LEN (empty
 * line or end of input), CTL_E_NOMEM; the message in d says which. *out
 * is set only on success; free it with ctl_secret_free().
 */
CTL_MUST_USE enum ctl_err ctl_secret_prompt(const char *prompt, size_t max, unsigned flags,
                                            struct ctl_secret **out, struct ctl_diag *d);

#ifdef __cplusplus
}
#endif

#endif
