/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tvsd configuration: "key = value" lines (tftp-server/ctl-tvsd/tvsd.conf.example),
 * '#' comments, and the same keys as command-line overrides. One table of
 * keys; the file and the value parsers are common/kvconf.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "kvconf.h"
#include "tvsd.h"

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

/* "ADDR:PORT", "[V6]:PORT" or ":PORT" (every address). */
static CTL_MUST_USE int
set_listen(struct tvsd_config *c, const char *val, char *err, size_t errlen)
{
	return kv_set_listen(val, "::", 0, c->listen_addr, sizeof(c->listen_addr), &c->port, err,
	                     errlen);
}

/* One role word: a name or a FUNCTION number 0..255 (one byte on the wire). */
static int
role_word(const char *w)
{
	return ctl_role_parse(w, 0, 255);
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
			return kv_fail(err, errlen, "empty or overlong role in the list");
		memcpy(word, s, k);
		word[k] = '\0';
		if ((r = role_word(word)) < 0)
			return kv_fail(err, errlen, "unknown role '%s' (sast, ccm, ccm-tftp, tftp, capf, "
			            "app-server, tvs or a number 0..255)", word);
		for (i = 0; i < n && roles[i] != r; i++)
			;
		if (i == n) {
			if (n == CTL_TVS_MAX_ROLES)
				return kv_fail(err, errlen, "more than %d roles", CTL_TVS_MAX_ROLES);
			/* Insertion keeps the FUNCTION order (SAST, CCM, ..., TVS) an answer lists. */
			for (j = n; j > 0 && roles[j - 1] > r; j--)
				roles[j] = roles[j - 1];
			roles[j] = (uint8_t)r;
			n++;
		}
		s += k;
		if (*s == ',' && *++s == '\0')
			return kv_fail(err, errlen, "empty role at the end of the list");
	}
	if (n == 0)
		return kv_fail(err, errlen, "no role");
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
		return kv_fail(err, errlen, "cert: expected ROLES:PATH, got '%s'", val);
	if (c->nlines == TVSD_MAX_CERT_LINES)
		return kv_fail(err, errlen, "cert: more than %d cert lines", TVSD_MAX_CERT_LINES);
	l = &c->lines[c->nlines];
	memcpy(roles, val, (size_t)(colon - val));
	roles[colon - val] = '\0';
	if (tvsd_roles_parse(roles, l->roles, &l->nroles, sub, sizeof(sub)) != 0)
		return kv_fail(err, errlen, "cert: %s", sub);
	if (kv_set_str(l->path, sizeof(l->path), "cert", colon + 1, err, errlen) != 0)
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
		return kv_fail(err, errlen, "tls_min: '%s' is not 1.0 or 1.2", val);
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
		return kv_fail(err, errlen, "verify_client: '%s' is not no, optional or require", val);
	return 0;
}

int
tvsd_config_set(struct tvsd_config *c, const char *key, const char *val, const char *origin,
                char *err, size_t errlen)
{
	if (strcmp(key, "listen") == 0)
		return set_listen(c, val, err, errlen);
	if (strcmp(key, "tls_cert") == 0)
		return kv_set_str(c->tls_cert, sizeof(c->tls_cert), key, val, err, errlen);
	if (strcmp(key, "tls_key") == 0)
		return kv_set_str(c->tls_key, sizeof(c->tls_key), key, val, err, errlen);
	if (strcmp(key, "client_ca") == 0)
		return kv_set_str(c->client_ca, sizeof(c->client_ca), key, val, err, errlen);
	if (strcmp(key, "cert") == 0)
		return add_cert(c, val, origin, err, errlen);
	if (strcmp(key, "ttl") == 0)
		return kv_set_uint(&c->ttl, key, val, 1, CTL_TVS_TTL_MAX, err, errlen);
	if (strcmp(key, "tls_min") == 0)
		return set_tls_min(c, val, err, errlen);
	if (strcmp(key, "read_timeout") == 0)
		return kv_set_uint(&c->read_timeout, key, val, 1, 3600, err, errlen);
	if (strcmp(key, "max_connections") == 0)
		return kv_set_uint(&c->max_connections, key, val, 1, 4096, err, errlen);
	if (strcmp(key, "max_per_address") == 0)
		return kv_set_uint(&c->max_per_address, key, val, 1, 4096, err, errlen);
	if (strcmp(key, "verify_client") == 0)
		return set_verify_client(c, val, err, errlen);
	if (strcmp(key, "user") == 0)
		return kv_set_str(c->user, sizeof(c->user), key, val, err, errlen);
	return kv_fail(err, errlen, "unknown key '%s'", key);
}

/* kv_load's setter: the file's keys are the command line's; cert lines remember FILE:LINE. */
static int
set_pair(void *ctx, const char *key, const char *val, const char *origin, char *err, size_t errlen)
{
	return tvsd_config_set(ctx, key, val, origin, err, errlen);
}

int
tvsd_config_load(struct tvsd_config *c, const char *path, char *err, size_t errlen)
{
	return kv_load(path, set_pair, c, err, errlen);
}

int
tvsd_config_finish(const struct tvsd_config *c, char *err, size_t errlen)
{
	if (c->tls_cert[0] == '\0')
		return kv_fail(err, errlen, "missing setting: tls_cert (the node's TVS certificate)");
	if (c->tls_key[0] == '\0')
		return kv_fail(err, errlen, "missing setting: tls_key (the TVS certificate's key)");
	if (c->nlines == 0)
		return kv_fail(err, errlen, "missing setting: cert (at least one ROLES:PATH)");
	return kv_secret_mode_check("tls_key", c->tls_key, err, errlen);
}
