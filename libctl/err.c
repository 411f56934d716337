/* SPDX-License-Identifier: Apache-2.0 */
/* Error codes to text, and diagnostic formatting. */
#include <stdio.h>
#include <string.h>

#include <ctl/err.h>

const char *
ctl_strerror(enum ctl_err e)
{
	/* No default: -Wswitch (via -Wall -Werror) flags a code without text. */
	switch (e) {
	case CTL_OK: return "success";
	case CTL_E_TRUNCATED: return "truncated input";
	case CTL_E_BAD_TAG: return "unexpected tag";
	case CTL_E_DUP_TAG: return "duplicated element";
	case CTL_E_ORDER: return "element out of order";
	case CTL_E_HDR_LEN: return "header length inconsistent";
	case CTL_E_REC_LEN: return "record length inconsistent";
	case CTL_E_CONTAINER_LEN: return "container length differs from its contents";
	case CTL_E_FIELD_LEN: return "element has the wrong length";
	case CTL_E_ZERO_LEN: return "empty element";
	case CTL_E_MISSING: return "required element missing";
	case CTL_E_VERSION: return "unsupported version";
	case CTL_E_DIGEST: return "unknown digest algorithm";
	case CTL_E_SIGALG: return "unknown signature algorithm";
	case CTL_E_MODULUS: return "signature modulus code does not match the signature";
	case CTL_E_TOO_LARGE: return "size limit exceeded";
	case CTL_E_NOMEM: return "out of memory";
	case CTL_E_IO: return "input/output error";
	case CTL_E_CRYPTO: return "cryptographic library error";
	case CTL_E_CERT: return "bad certificate";
	case CTL_E_KEY: return "bad key";
	case CTL_E_SIG_INVALID: return "signature does not verify";
	case CTL_E_SIGNER_NOT_FOUND: return "signer not in file";
	case CTL_E_SIGNER_AMBIGUOUS: return "signer ambiguous";
	case CTL_E_NOT_TRUSTED: return "signer not trusted";
	case CTL_E_INVAL: return "invalid argument";
	case CTL_E_EXPIRED: return "certificate expired or not yet valid";
	case CTL_E_TOO_FEW_SAST: return "too few SAST entries";
	case CTL_E_DUP_ENTRY: return "duplicate entry";
	case CTL_E_SIGNER_NOT_LISTED: return "signing certificate is not a SAST entry";
	case CTL_E_SIGNER: return "signer failed";
	case CTL_E_KIND: return "wrong kind of file";
	case CTL_E__COUNT: break;
	}
	return "unknown error";
}

void
ctl_diag_clear(struct ctl_diag *d)
{
	if (d == NULL)
		return;
	memset(d, 0, sizeof(*d));
	d->tag = -1;
}

const char *
ctl_diag_str(const struct ctl_diag *d, char *out, size_t outlen)
{
	const char *msg = d->msg[0] != '\0' ? d->msg : ctl_strerror(d->err);
	char where[96] = "";
	int n;

	if (d->tag >= 0 && d->record > 0)
		n = snprintf(where, sizeof(where), "offset %zu (record %d): tag %d: ",
		             d->offset, d->record, d->tag);
	else if (d->tag >= 0)
		n = snprintf(where, sizeof(where), "offset %zu: tag %d: ", d->offset, d->tag);
	else if (d->offset > 0)
		n = snprintf(where, sizeof(where), "offset %zu: ", d->offset);
	else
		n = 0;
	if (n < 0 || (size_t)n >= sizeof(where))
		where[0] = '\0';
	n = snprintf(out, outlen, "%s%s", where, msg);
	if (n < 0 && outlen > 0)
		out[0] = '\0';
	return out;
}
