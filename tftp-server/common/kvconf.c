/* SPDX-License-Identifier: Apache-2.0 */
/* The node daemons' configuration values (kvconf.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <ctl/ctl.h>
#include <ctl/kvread.h>

#include "kvconf.h"

int
kv_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
kv_set_str(char *dst, size_t cap, const char *key, const char *val, char *err, size_t errlen)
{
	size_t n = strlen(val);

	if (n == 0 || n >= cap)
		return kv_fail(err, errlen, "%s: value empty or longer than %zu bytes", key, cap - 1);
	memcpy(dst, val, n + 1);
	return 0;
}

int
kv_set_uint(unsigned *dst, const char *key, const char *val, unsigned long long min,
            unsigned long long max, char *err, size_t errlen)
{
	unsigned long long v;

	if (ctl_parse_uint(val, min, max, &v) != CTL_OK)
		return kv_fail(err, errlen, "%s: '%s' is not a number in %llu..%llu", key, val, min, max);
	*dst = (unsigned)v;
	return 0;
}

int
kv_set_listen(const char *val, const char *any, int port_alone, char *addr, size_t addrcap,
              unsigned *port, char *err, size_t errlen)
{
	char a[64];
	const char *colon = strrchr(val, ':'), *p = colon != NULL ? colon + 1 : val;
	size_t alen = colon != NULL ? (size_t)(colon - val) : 0;
	unsigned char tmp[16];

	if (colon == NULL && !port_alone)
		return kv_fail(err, errlen, "listen: expected ADDR:PORT, got '%s'", val);
	if (alen >= 2 && val[0] == '[' && val[alen - 1] == ']') {
		val++;
		alen -= 2;
	}
	if (alen >= sizeof(a) || alen >= addrcap)
		return kv_fail(err, errlen, "listen: address too long");
	memcpy(a, val, alen);
	a[alen] = '\0';
	if (alen == 0)
		snprintf(a, sizeof(a), "%s", any);
	if (inet_pton(AF_INET, a, tmp) != 1 && inet_pton(AF_INET6, a, tmp) != 1)
		return kv_fail(err, errlen, "listen: '%s' is not a numeric IPv4 or IPv6 address", a);
	if (kv_set_uint(port, "listen port", p, 0, 65535, err, errlen) != 0)
		return -1;
	snprintf(addr, addrcap, "%s", a);
	return 0;
}

int
kv_secret_mode_check(const char *what, const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return kv_fail(err, errlen, "%s %s: %s", what, path, strerror(errno));
	/* Group or others: a secret readable (or replaceable) by anyone but its owner. */
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return kv_fail(err, errlen, "%s %s: mode %04o lets group or others read or write it; "
		               "chmod 600 it", what, path, (unsigned)(sb.st_mode & 07777));
	return 0;
}

int
kv_override_add(struct kv_overrides *o, const char *key, char *arg)
{
	char *eq;

	if (o->n == sizeof(o->ov) / sizeof(o->ov[0]))
		return -1;
	if (key == NULL) {
		if ((eq = strchr(arg, '=')) == NULL)
			return -1;
		*eq = '\0';
		key = arg;
		arg = eq + 1;
	}
	o->ov[o->n].key = key;
	o->ov[o->n++].val = arg;
	return 0;
}

int
kv_load(const char *path, kv_set_fn set, void *ctx, char *err, size_t errlen)
{
	struct ctl_kv_reader r;
	char sub[512], origin[4200];
	char *key, *val;
	enum ctl_kv k;
	int rc = 0;

	if (ctl_kv_open(&r, path) != 0)
		return kv_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	while (rc == 0 && (k = ctl_kv_next(&r, &key, &val)) != CTL_KV_END) {
		if (k == CTL_KV_TOO_LONG) {
			rc = kv_fail(err, errlen, "%s:%u: line longer than %d bytes", path, r.line,
			             CTL_KV_LINE_MAX);
		} else if (k == CTL_KV_NO_EQUALS) {
			rc = kv_fail(err, errlen, "%s:%u: expected key = value", path, r.line);
		} else {
			snprintf(origin, sizeof(origin), "%s:%u", path, r.line);
			if (set(ctx, key, val, origin, sub, sizeof(sub)) != 0)
				rc = kv_fail(err, errlen, "%s:%u: %s", path, r.line, sub);
		}
	}
	ctl_kv_close(&r);
	return rc;
}
