/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tvsd configuration: "key = value" lines (tftp-server/ctl-tvsd/tvsd.conf.example),
 * '#' comments, and the same keys as command-line overrides. One table of
 * keys; numbers through ctl_parse_uint with their bounds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tvsd.h"

static CTL_MUST_USE int
fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void
tvsd_config_defaults(struct tvsd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_addr, sizeof(c->listen_addr), "::");
	c->port = CTL_TVS_PORT;
	c->ttl = CTL_TVS_TTL_DEFAULT;
	c->tls_min = 12;
	c->read_timeout = 10;
	c->max_connections = 256;
	c->max_per_address = 16;
	c->verify_client = TVSD_CLIENT_NO;
}

static CTL_MUST_USE int
set_str(char *dst, size_t cap, const char *key, const char *val, char *err, size_t errlen)
{
	size_t n = strlen(val);

	if (n == 0 || n >= cap)
		return fail(err, errlen, "%s: value empty or longer than %zu bytes", key, cap - 1);
	memcpy(dst, val, n + 1);
	return 0;
}

static CTL_MUST_USE int
set_uint(unsigned *dst, const char *key, const char *val, unsigned long long min,
         unsigned long long max, char *err, size_t errlen)
{
	unsigned long long v;

	if (ctl_parse_uint(val, min, max, &v) != CTL_OK)
		return fail(err, errlen, "%s: '%s' is not a number in %llu..%llu", key, val, min, max);
	*dst = (unsigned)v;
	return 0;
}

/* "ADDR:PORT", "[V6]:PORT" or ":PORT" (every address). */
static CTL_MUST_USE int
set_listen(struct tvsd_config *c, const char *val, char *err, size_t errlen)
{
	char addr[64];
	const char *colon = strrchr(val, ':');
	size_t alen;
	unsigned char tmp[16];

	if (colon == NULL)
		return fail(err, errlen, "listen: expected ADDR:PORT, got '%s'", val);
	alen = (size_t)(colon - val);
	if (alen >= 2 && val[0] == '[' && val[alen - 1] == ']') {
		val++;
		alen -= 2;
	}
	if (alen >= sizeof(addr))
		return fail(err, errlen, "listen: address too long");
	memcpy(addr, val, alen);
	addr[alen] = '\0';
	if (alen == 0)
		snprintf(addr, sizeof(addr), "::");
	if (inet_pton(AF_INET, addr, tmp) != 1 && inet_pton(AF_INET6, addr, tmp) != 1)
		return fail(err, errlen, "listen: '%s' is not a numeric IPv4 or IPv6 address", addr);
	if (set_uint(&c->port, "listen port", colon + 1, 0, 65535, err, errlen) != 0)
		return -1;
	memcpy(c->listen_addr, addr, strlen(addr) + 1);
	return 0;
}

static const struct {
	const char *name;
	uint8_t role;
} role_names[] = {
	{ "sast", CTL_ROLE_SAST }, { "ccm", CTL_ROLE_CCM }, { "ccm-tftp", CTL_ROLE_CCM_TFTP },
	{ "tftp", CTL_ROLE_TFTP }, { "capf", CTL_ROLE_CAPF }, { "app-server", CTL_ROLE_APP_SERVER },
	{ "tvs", CTL_ROLE_TVS },
};

/* One role word: a name or a FUNCTION number 0..255 (one byte on the wire). */
static int
role_word(const char *w)
{
	unsigned long long v;
	size_t i;

	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcasecmp(w, role_names[i].name) == 0)
			return role_names[i].role;
	if (ctl_parse_uint(w, 0, 255, &v) == CTL_OK)
		return (int)v;
	return -1;
}

int
tvsd_roles_parse(const char *s, uint8_t *roles, size_t *nroles, char *err, size_t errlen)
{
	char word[32];
	size_t n = 0, i, j;

	*nroles = 0;
	while (*s != '\0') {
		size_t k = strcspn(s, ",");
		int r;

		if (k == 0 || k >= sizeof(word))
			return fail(err, errlen, "empty or overlong role in the list");
		memcpy(word, s, k);
		word[k] = '\0';
		if ((r = role_word(word)) < 0)
			return fail(err, errlen, "unknown role '%s' (sast, ccm, ccm-tftp, tftp, capf, "
			            "app-server, tvs or a number 0..255)", word);
		for (i = 0; i < n && roles[i] != r; i++)
			;
		if (i == n) {
			if (n == CTL_TVS_MAX_ROLES)
				return fail(err, errlen, "more than %d roles", CTL_TVS_MAX_ROLES);
			/* Insertion keeps the FUNCTION order (SAST, CCM, ..., TVS) an answer lists. */
			for (j = n; j > 0 && roles[j - 1] > r; j--)
				roles[j] = roles[j - 1];
			roles[j] = (uint8_t)r;
			n++;
		}
		s += k;
		if (*s == ',' && *++s == '\0')
			return fail(err, errlen, "empty role at the end of the list");
	}
	if (n == 0)
		return fail(err, errlen, "no role");
	*nroles = n;
	return 0;
}

/* cert = ROLES:PATH */
static CTL_MUST_USE int
add_cert(struct tvsd_config *c, const char *val, const char *origin, char *err, size_t errlen)
{
	const char *colon = strchr(val, ':');
	struct tvsd_cert_line *l;
	char roles[256], sub[256];

	if (colon == NULL || colon == val || (size_t)(colon - val) >= sizeof(roles))
		return fail(err, errlen, "cert: expected ROLES:PATH, got '%s'", val);
	if (c->nlines == TVSD_MAX_CERT_LINES)
		return fail(err, errlen, "cert: more than %d cert lines", TVSD_MAX_CERT_LINES);
	l = &c->lines[c->nlines];
	memcpy(roles, val, (size_t)(colon - val));
	roles[colon - val] = '\0';
	if (tvsd_roles_parse(roles, l->roles, &l->nroles, sub, sizeof(sub)) != 0)
		return fail(err, errlen, "cert: %s", sub);
	if (set_str(l->path, sizeof(l->path), "cert", colon + 1, err, errlen) != 0)
		return -1;
	snprintf(l->origin, sizeof(l->origin), "%s", origin != NULL ? origin : "command line");
	c->nlines++;
	return 0;
}

static CTL_MUST_USE int
set_tls_min(struct tvsd_config *c, const char *val, char *err, size_t errlen)
{
	if (strcmp(val, "1.0") == 0)
		c->tls_min = 10;
	else if (strcmp(val, "1.2") == 0)
		c->tls_min = 12;
	else
		return fail(err, errlen, "tls_min: '%s' is not 1.0 or 1.2", val);
	return 0;
}

static CTL_MUST_USE int
set_verify_client(struct tvsd_config *c, const char *val, char *err, size_t errlen)
{
	if (strcmp(val, "no") == 0)
		c->verify_client = TVSD_CLIENT_NO;
	else if (strcmp(val, "optional") == 0)
		c->verify_client = TVSD_CLIENT_OPTIONAL;
	else if (strcmp(val, "require") == 0)
		c->verify_client = TVSD_CLIENT_REQUIRE;
	else
		return fail(err, errlen, "verify_client: '%s' is not no, optional or require", val);
	return 0;
}

int
tvsd_config_set(struct tvsd_config *c, const char *key, const char *val, const char *origin,
                char *err, size_t errlen)
{
	if (strcmp(key, "listen") == 0)
		return set_listen(c, val, err, errlen);
	if (strcmp(key, "tls_cert") == 0)
		return set_str(c->tls_cert, sizeof(c->tls_cert), key, val, err, errlen);
	if (strcmp(key, "tls_key") == 0)
		return set_str(c->tls_key, sizeof(c->tls_key), key, val, err, errlen);
	if (strcmp(key, "client_ca") == 0)
		return set_str(c->client_ca, sizeof(c->client_ca), key, val, err, errlen);
	if (strcmp(key, "cert") == 0)
		return add_cert(c, val, origin, err, errlen);
	if (strcmp(key, "ttl") == 0)
		return set_uint(&c->ttl, key, val, 1, CTL_TVS_TTL_MAX, err, errlen);
	if (strcmp(key, "tls_min") == 0)
		return set_tls_min(c, val, err, errlen);
	if (strcmp(key, "read_timeout") == 0)
		return set_uint(&c->read_timeout, key, val, 1, 3600, err, errlen);
	if (strcmp(key, "max_connections") == 0)
		return set_uint(&c->max_connections, key, val, 1, 4096, err, errlen);
	if (strcmp(key, "max_per_address") == 0)
		return set_uint(&c->max_per_address, key, val, 1, 4096, err, errlen);
	if (strcmp(key, "verify_client") == 0)
		return set_verify_client(c, val, err, errlen);
	if (strcmp(key, "user") == 0)
		return set_str(c->user, sizeof(c->user), key, val, err, errlen);
	return fail(err, errlen, "unknown key '%s'", key);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
tvsd_config_load(struct tvsd_config *c, const char *path, char *err, size_t errlen)
{
	char line[2048], sub[512], origin[TVSD_PATH_MAX + 16];
	FILE *fp = fopen(path, "r");
	unsigned lineno = 0;

	if (fp == NULL)
		return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = strlen(line);
		char *s, *eq;

		lineno++;
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			fclose(fp);
			return fail(err, errlen, "%s:%u: line longer than %zu bytes", path, lineno,
			            sizeof(line) - 2);
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			fclose(fp);
			return fail(err, errlen, "%s:%u: expected key = value", path, lineno);
		}
		*eq = '\0';
		snprintf(origin, sizeof(origin), "%s:%u", path, lineno);
		if (tvsd_config_set(c, trim(s), trim(eq + 1), origin, sub, sizeof(sub)) != 0) {
			fclose(fp);
			return fail(err, errlen, "%s:%u: %s", path, lineno, sub);
		}
	}
	fclose(fp);
	return 0;
}

int
tvsd_config_finish(const struct tvsd_config *c, char *err, size_t errlen)
{
	struct stat sb;

	if (c->tls_cert[0] == '\0')
		return fail(err, errlen, "missing setting: tls_cert (the node's TVS certificate)");
	if (c->tls_key[0] == '\0')
		return fail(err, errlen, "missing setting: tls_key (the TVS certificate's key)");
	if (c->nlines == 0)
		return fail(err, errlen, "missing setting: cert (at least one ROLES:PATH)");
	if (stat(c->tls_key, &sb) != 0)
		return fail(err, errlen, "tls_key %s: %s", c->tls_key, strerror(errno));
	/* Group or others: a key readable (or replaceable) by anyone but its owner. */
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return fail(err, errlen, "tls_key %s: mode %04o lets group or others read or write it; "
		            "chmod 600 it", c->tls_key, (unsigned)(sb.st_mode & 07777));
	return 0;
}
