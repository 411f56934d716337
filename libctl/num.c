/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded number parsing (strtonum(3) in spirit): no atoi anywhere. */
#include <errno.h>
#include <stdlib.h>

#include <ctl/ctl.h>

enum ctl_err
ctl_parse_uint(const char *s, unsigned long long min, unsigned long long max,
               unsigned long long *v)
{
	char *end;
	unsigned long long x;

	*v = 0;
	if (s == NULL || *s < '0' || *s > '9')
		return CTL_E_INVAL; /* rejects "", "-1", " 1", "+1" */
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return CTL_E_INVAL;
	*v = x;
	return CTL_OK;
}

int
ctl_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
