/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file checksums: the md5 is what phones display under Trust List. */
#include <openssl/evp.h>

#include <ctl/ctl.h>
#include <ctl/text.h>

static CTL_MUST_USE enum ctl_err
hex_digest(const EVP_MD *md, const uint8_t *p, size_t n, char *out, size_t outlen)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;

	if (EVP_Digest(p, n, d, &dl, md, NULL) != 1)
		return CTL_E_CRYPTO;
	return ctl_hex_encode(out, outlen, d, dl, 0) != NULL ? CTL_OK : CTL_E_TOO_LARGE;
}

enum ctl_err
ctl_checksums(const uint8_t *p, size_t n, struct ctl_sums *out)
{
	enum ctl_err r;

	if ((r = hex_digest(EVP_md5(), p, n, out->md5, sizeof(out->md5))) != CTL_OK ||
	    (r = hex_digest(EVP_sha1(), p, n, out->sha1, sizeof(out->sha1))) != CTL_OK)
		return r;
	return hex_digest(EVP_sha256(), p, n, out->sha256, sizeof(out->sha256));
}
