/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The format's code tables (digest, signature modulus and role codes): what
 * each code means, in one file that depends on nothing else in libctl, so
 * the header parser (hdr.c), the file object (file.c), the builder and the
 * verifier all look codes up here instead of in each other.
 */
#include <openssl/evp.h>

#include <ctl/ctl.h>

#include "codes.h"

/* Role names as `show ctl` prints them (section 7). */
static const struct {
	uint16_t code;
	const char *show;
	const char *shortname;
} roles[] = {
	{ CTL_ROLE_SAST, "System Administrator Security Token", "SAST" },
	{ CTL_ROLE_CCM, "CCM", "CCM" },
	{ CTL_ROLE_CCM_TFTP, "CCM+TFTP", "CCM+TFTP" },
	{ CTL_ROLE_TFTP, "TFTP", "TFTP" },
	{ CTL_ROLE_CAPF, "CAPF", "CAPF" },
	{ CTL_ROLE_APP_SERVER, "APP-SERVER", "APP-SERVER" },
	{ CTL_ROLE_TVS, "TVS", "TVS" },
};

const char *
ctl_role_name(uint16_t role)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].code == role)
			return roles[i].show;
	return NULL;
}

const char *
ctl_role_short(uint16_t role)
{
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (roles[i].code == role)
			return roles[i].shortname;
	return "UNKNOWN";
}

const char *
ctl_digest_name(uint8_t code)
{
	switch (code) {
	case CTL_DIGEST_SHA1: return "SHA1";
	case CTL_DIGEST_SHA256: return "SHA256";
	case CTL_DIGEST_SHA512: return "SHA512";
	default: return "UNKNOWN";
	}
}

const EVP_MD *
ctli_md(uint8_t code)
{
	switch (code) {
	case CTL_DIGEST_SHA1: return EVP_sha1();
	case CTL_DIGEST_SHA256: return EVP_sha256();
	case CTL_DIGEST_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

/* Section 5.3: code = index of the signature size in (64, 128, 256, 512). */
size_t
ctli_modulus_bytes(uint8_t code)
{
	return code <= 3 ? (size_t)64 << code : 0;
}

int
ctli_modulus_code(size_t n)
{
	uint8_t c;

	for (c = 0; c <= 3; c++)
		if (ctli_modulus_bytes(c) == n)
			return c;
	return -1;
}
