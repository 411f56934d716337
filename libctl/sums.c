/* Whole-file checksums: the md5 is what phones display under Trust List. */
#include <stdio.h>

#include <openssl/evp.h>

#include <ctl/ctl.h>

static enum ctl_err
hex_digest(const EVP_MD *md, const uint8_t *p, size_t n, char *out, size_t outlen)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0, i;

	if (EVP_Digest(p, n, d, &dl, md, NULL) != 1 || (size_t)dl * 2 + 1 > outlen)
		return CTL_E_CRYPTO;
	for (i = 0; i < dl; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	return CTL_OK;
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
