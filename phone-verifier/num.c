/* SPDX-License-Identifier: Apache-2.0 */
/* Option values: bounded numbers and MAC addresses (see num.h). */
#include <string.h>

#include <ctl/ctl.h>

#include "console.h"
#include "num.h"

int
pv_num(const char *opt, const char *arg, unsigned long long min, unsigned long long max,
       unsigned long long *v)
{
	if (ctl_parse_uint(arg, min, max, v) == CTL_OK)
		return 0;
	pv_fail(PV_EXIT_USAGE, "%s takes a number from %llu to %llu, not '%s'", opt, min, max, arg);
	return -1;
}

int
pv_mac_parse(const char *s, char out[13])
{
	char m[13];
	size_t i;

	if (strlen(s) != 12)
		return -1;
	for (i = 0; i < 12; i++) {
		char c = s[i];

		if (c >= 'a' && c <= 'f')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return -1;
		m[i] = c;
	}
	m[12] = '\0';
	memcpy(out, m, sizeof(m));
	return 0;
}
