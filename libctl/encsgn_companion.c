/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The companion SEP<MAC>.cnf.xml of an encrypted configuration (ctl/encsgn.h):
 * what a phone reads, signed, from SEP<MAC>.cnf.xml.sgn before it fetches the
 * .enc.sgn file. certHash is the MD5 of the phone certificate's DER, which
 * the phone compares with its own before it asks CAPF for a new one.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/encsgn.h>

#include "ctl_int.h"

/* Elements of the full configuration the phone still needs before decrypting. */
static const char *const copied[] = { "ipAddressMode", "loadInformation", "capfAuthMode",
	                              "capfList" };
#define NCOPIED (sizeof(copied) / sizeof(copied[0]))

struct span {
	const char *p;
	size_t len;
};

static int
name_ends(char c)
{
	return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The first <name ...>...</name> or <name .../> of doc[n]; len 0 when none. */
static struct span
find_elem(const char *doc, size_t n, const char *name)
{
	struct span none = { NULL, 0 };
	char open[64], close[64];
	size_t nl = strlen(name);
	const char *at = doc, *end = doc + n;

	snprintf(open, sizeof(open), "<%s", name);
	snprintf(close, sizeof(close), "</%s>", name);
	while ((at = memmem(at, (size_t)(end - at), open, nl + 1)) != NULL) {
		const char *after = at + nl + 1, *gt, *c;

		if (after >= end || !name_ends(*after)) {
			at = after;
			continue;
		}
		if ((gt = memchr(after, '>', (size_t)(end - after))) == NULL)
			return none;
		if (gt[-1] == '/')
			return (struct span){ at, (size_t)(gt + 1 - at) };
		if ((c = memmem(gt + 1, (size_t)(end - gt - 1), close, nl + 3)) == NULL)
			return none;
		return (struct span){ at, (size_t)(c + nl + 3 - at) };
	}
	return none;
}

static CTL_MUST_USE enum ctl_err
cert_md5_hex(X509 *cert, char hex[33], struct ctl_diag *diag)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	int n;

	if ((n = i2d_X509(cert, &der)) <= 0)
		return ctli_fail_ssl(diag, CTL_E_CERT, "cannot encode the phone certificate");
	i = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_md5(), NULL) == 1 && mdlen == 16;
	OPENSSL_free(der);
	if (!i)
		return ctli_fail_ssl(diag, CTL_E_CRYPTO, "cannot compute the MD5 of the phone certificate");
	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[md[i] / 16];
		hex[2 * i + 1] = digits[md[i] % 16];
	}
	hex[32] = '\0';
	return CTL_OK;
}

static CTL_MUST_USE enum ctl_err
put_str(struct ctl_wr *wr, const char *s)
{
	return ctl_wr_bytes(wr, s, strlen(s));
}

enum ctl_err
ctl_encsgn_companion(const uint8_t *plain, size_t n, X509 *phone_cert, char **out, size_t *len,
                     struct ctl_diag *diag)
{
	struct span found[NCOPIED], t;
	char hex[33];
	struct ctl_wr wr;
	enum ctl_err r;
	size_t i, j, k = 0;

	*out = NULL;
	*len = 0;
	ctl_diag_clear(diag);
	if (phone_cert == NULL)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "no phone certificate");
	if (n > CTL_MAX_FILE)
		return ctli_fail(diag, CTL_E_TOO_LARGE, 0, -1, 0, "a %zu-byte file exceeds the %u-byte "
		                 "limit", n, CTL_MAX_FILE);
	if ((r = cert_md5_hex(phone_cert, hex, diag)) != CTL_OK)
		return r;
	for (i = 0; i < NCOPIED && plain != NULL; i++)
		if ((t = find_elem((const char *)plain, n, copied[i])).len > 0)
			found[k++] = t;
	/* In the order of the full file, as the phone would have read them there. */
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && found[j].p < found[j - 1].p; j--) {
			t = found[j];
			found[j] = found[j - 1];
			found[j - 1] = t;
		}
	ctl_wr_init(&wr, n + 1024);
	r = put_str(&wr, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<device>\n"
	            "<fullConfig>false</fullConfig>\n");
	for (i = 0; i < k && r == CTL_OK; i++)
		if ((r = ctl_wr_bytes(&wr, found[i].p, found[i].len)) == CTL_OK)
			r = put_str(&wr, "\n");
	if (r == CTL_OK && (r = put_str(&wr, "<certHash>")) == CTL_OK && (r = put_str(&wr, hex)) == CTL_OK &&
	    (r = put_str(&wr, "</certHash>\n<encrConfig>true</encrConfig>\n</device>\n")) == CTL_OK)
		r = ctl_wr_u8(&wr, 0);
	if (r != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return ctli_fail(diag, r, 0, -1, 0, "cannot write the companion file: %s", ctl_strerror(r));
	}
	*out = (char *)ctl_wr_take(&wr, len);
	*len -= 1; /* the NUL */
	return CTL_OK;
}
