/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libctl error codes and parse diagnostics. Codes are stable: append new
 * ones before CTL_E__COUNT, never renumber.
 */
#ifndef CTL_ERR_H
#define CTL_ERR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * On every function whose result says whether it worked (an enum ctl_err,
 * 0/-1, a pointer that is NULL on failure): ignoring it is a compile error
 * under -Werror. A result dropped on purpose goes through
 * CTL_IGNORE_RESULT (GCC does not accept a plain (void) cast for this
 * attribute), next to a comment that says why.
 */
#if defined(__GNUC__) || defined(__clang__)
#define CTL_MUST_USE __attribute__((warn_unused_result))
#else
#define CTL_MUST_USE
#endif
#define CTL_IGNORE_RESULT(expr) \
	do { \
		if (expr) { \
		} \
	} while (0)

enum ctl_err {
	CTL_OK = 0,
	CTL_E_TRUNCATED,         /* a read or element runs past the available bytes */
	CTL_E_BAD_TAG,           /* tag not allowed where it stands */
	CTL_E_DUP_TAG,           /* element present twice */
	CTL_E_ORDER,             /* element out of the order the format requires */
	CTL_E_HDR_LEN,           /* HEADER_LENGTH inconsistent with the header */
	CTL_E_REC_LEN,           /* RECORDLENGTH inconsistent with the record */
	CTL_E_CONTAINER_LEN,     /* container length differs from its children */
	CTL_E_FIELD_LEN,         /* fixed-size element of the wrong length */
	CTL_E_ZERO_LEN,          /* element that may not be empty is empty */
	CTL_E_MISSING,           /* a required element is absent */
	CTL_E_VERSION,           /* unsupported VERSION */
	CTL_E_DIGEST,            /* unknown digest algorithm code */
	CTL_E_SIGALG,            /* unknown signature algorithm code */
	CTL_E_MODULUS,           /* modulus code unknown or not matching SIGNATURE */
	CTL_E_TOO_LARGE,         /* input or output exceeds a size limit */
	CTL_E_NOMEM,             /* allocation failed */
	CTL_E_IO,                /* file system error (errno in diag) */
	CTL_E_CRYPTO,            /* OpenSSL failure (its error text in diag) */
	CTL_E_CERT,              /* certificate unreadable or unusable */
	CTL_E_KEY,               /* key unreadable, unsupported or not matching */
	CTL_E_SIG_INVALID,       /* signature does not verify */
	CTL_E_SIGNER_NOT_FOUND,  /* no SAST record matches the header signer */
	CTL_E_SIGNER_AMBIGUOUS,  /* several different certificates match the signer */
	CTL_E_NOT_TRUSTED,       /* signer not listed as SAST in the trusted file */
	CTL_E_INVAL,             /* invalid argument */
	CTL_E_EXPIRED,           /* certificate expired or not yet valid */
	CTL_E_TOO_FEW_SAST,      /* a token CTL needs at least two SAST entries */
	CTL_E_DUP_ENTRY,         /* same certificate listed twice for one role */
	CTL_E_SIGNER_NOT_LISTED, /* signing certificate is not a SAST entry */
	CTL_E_SIGNER,            /* the signer callback failed */
	CTL_E_KIND,              /* file is of another kind than expected */
	CTL_E__COUNT
};

/* Static English text for an error code; never NULL. */
const char *ctl_strerror(enum ctl_err e);

/*
 * Where and why a call failed. Parsers set offset (absolute byte offset in
 * the file), tag (-1 when none) and record (1-based, 0 for the header).
 */
struct ctl_diag {
	enum ctl_err err;
	size_t offset;
	int tag;
	int record;
	char msg[512];
};

/* Clears d (d may be NULL). */
void ctl_diag_clear(struct ctl_diag *d);

/*
 * Formats "offset N[ (record R)]: tag T: msg" (or just msg where the error
 * has no location) into out; returns out.
 */
const char *ctl_diag_str(const struct ctl_diag *d, char *out, size_t outlen);

#ifdef __cplusplus
}
#endif

#endif
