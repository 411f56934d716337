/* SPDX-License-Identifier: Apache-2.0 */
/* Option values several commands share (--digest, --timestamp). */
#include <stdint.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

int
cli_parse_digest(const char *arg, enum ctl_digest *out)
{
	if (strcmp(arg, "sha1") == 0) {
		*out = CTL_DIGEST_SHA1;
		return 0;
	}
	if (strcmp(arg, "sha512") == 0) {
		*out = CTL_DIGEST_SHA512;
		return 0;
	}
	cli_err("--digest takes sha1 or sha512, not '%s'", arg);
	return -1;
}

int
cli_parse_timestamp(const char *arg, uint32_t *out)
{
	unsigned long long v;

	if (ctl_parse_uint(arg, 0, UINT32_MAX, &v) != CTL_OK) {
		cli_err("--timestamp takes Unix seconds (0 to %u), not '%s'", UINT32_MAX, arg);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}
