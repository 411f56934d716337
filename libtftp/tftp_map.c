/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name validation and per-device mapping (see tftp_map.h). The checks are
 * the first line of defence; the file cache then opens the name with
 * RESOLVE_BENEATH so a symlink cannot lead out of the root either.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tftp_map.h"

const char *
tftp_name_errstr(enum tftp_name_err e)
{
	switch (e) {
	case TFTP_N_OK: return "ok";
	case TFTP_N_EMPTY: return "empty name";
	case TFTP_N_TOO_LONG: return "name too long";
	case TFTP_N_CHAR: return "illegal character in name";
	case TFTP_N_ABSOLUTE: return "absolute path";
	case TFTP_N_DOTDOT: return "'..' in path";
	case TFTP_N_DOT: return "'.' component in path";
	case TFTP_N_EMPTY_PART: return "empty path component";
	case TFTP_N_HIDDEN: return "hidden file";
	}
	return "bad name";
}

/* One component (between slashes) of length n at s. */
CTL_MUST_USE static enum tftp_name_err
check_part(const char *s, size_t n)
{
	if (n == 0)
		return TFTP_N_EMPTY_PART;
	if (n == 2 && s[0] == '.' && s[1] == '.')
		return TFTP_N_DOTDOT;
	if (n == 1 && s[0] == '.')
		return TFTP_N_DOT;
	if (s[0] == '.')
		return TFTP_N_HIDDEN;
	return TFTP_N_OK;
}

enum tftp_name_err
tftp_name_check(const char *in, size_t n, char *out, size_t cap)
{
	size_t start;
	enum tftp_name_err e;

	if (cap > 0)
		out[0] = '\0';
	if (n > 0 && in[0] == '/') {
		in++;
		n--;
		if (n > 0 && in[0] == '/')
			return TFTP_N_ABSOLUTE;
	}
	if (n == 0)
		return TFTP_N_EMPTY;
	if (n > TFTP_NAME_MAX || n >= cap)
		return TFTP_N_TOO_LONG;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		/* Backslash: Windows-style "..\\" must not reach anything. */
		if (c < 0x20 || c >= 0x7f || c == '\\')
			return TFTP_N_CHAR;
	}
	/* ".." is checked before other component rules so it is reported as such. */
	start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && in[i] != '/')
			continue;
		if (i - start == 2 && in[start] == '.' && in[start + 1] == '.')
			return TFTP_N_DOTDOT;
		start = i + 1;
	}
	start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && in[i] != '/')
			continue;
		if ((e = check_part(in + start, i - start)) != TFTP_N_OK)
			return e;
		start = i + 1;
	}
	memcpy(out, in, n);
	out[n] = '\0';
	return TFTP_N_OK;
}

enum tftp_dev_kind
tftp_map_device(const char *name, char *canon, size_t cap, char mac[13], const char **cluster)
{
	static const struct {
		const char *prefix;
		const char *cluster;
		enum tftp_dev_kind kind;
	} kinds[] = {
		{ "CTLSEP", "CTLFile.tlv", TFTP_DEV_CTL },
		{ "ITLSEP", "ITLFile.tlv", TFTP_DEV_ITL },
	};
	size_t n = strlen(name);

	mac[0] = '\0';
	*cluster = NULL;
	/* "CTLSEP" + 12 hex + ".tlv" = 22 bytes */
	if (n != 22 || strcasecmp(name + 18, ".tlv") != 0)
		return TFTP_DEV_NONE;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int w;

		if (strncasecmp(name, kinds[k].prefix, 6) != 0)
			continue;
		for (size_t i = 0; i < 12; i++) {
			if (!isxdigit((unsigned char)name[6 + i]))
				return TFTP_DEV_NONE;
			mac[i] = (char)toupper((unsigned char)name[6 + i]);
		}
		mac[12] = '\0';
		w = snprintf(canon, cap, "%s%s.tlv", kinds[k].prefix, mac);
		if (w < 0 || (size_t)w >= cap) {
			mac[0] = '\0';
			return TFTP_DEV_NONE;
		}
		*cluster = kinds[k].cluster;
		return kinds[k].kind;
	}
	return TFTP_DEV_NONE;
}
