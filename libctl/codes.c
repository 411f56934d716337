/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The format's code tables (digest, signature modulus and role codes): what
 * each code means, in one file that depends on nothing else in libctl but
 * the number parser (num.c), so the header parser (hdr.c), the file object
 * (file.c), the builder, the verifier and the daemons' configuration
 * readers all look codes up here instead of in each other.
 */
#include <strings.h>

#include <openssl/evp.h>

#include <ctl/ctl.h>

#include "codes.h"

/* Role names as `show ctl` prints them (section 7) and as configuration files write them. */
static const struct {
	uint16_t code;
	const char *show;
	const char *shortname;
	const char *conf;
} roles[] = {
	{ CTL_ROLE_SAST, "System Administrator Security Token", "SAST", "sast" },
	{ CTL_ROLE_CCM, "CCM", "CCM", "ccm" },
	{ CTL_ROLE_CCM_TFTP, "CCM+TFTP", "CCM+TFTP", "ccm-tftp" },
	{ CTL_ROLE_TFTP, "TFTP", "TFTP", "tftp" },
	{ CTL_ROLE_CAPF, "CAPF", "CAPF", "capf" },
	/* Section 7: 5 in early certutils; CallManager 4.x's parser printed "SRST". */
	{ CTL_ROLE_SRST, "SRST", "SRST", "srst" },
	{ CTL_ROLE_APP_SERVER, "APP-SERVER", "APP-SERVER", "app-server" },
	{ CTL_ROLE_TVS, "TVS", "TVS", "tvs" },
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

int
ctl_role_parse(const char *s, unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcasecmp(s, roles[i].conf) == 0)
			return roles[i].code;
	if (max > 65535)
		max = 65535;
	if (ctl_parse_uint(s, min, max, &v) == CTL_OK)
		return (int)v;
	return -1;
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
