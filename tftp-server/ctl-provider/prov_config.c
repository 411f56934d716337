/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-provider configuration: "key = value" lines (tftp-server/ctl-provider/node.conf.example),
 * '#' comments, and the same keys as command-line overrides. One table of
 * keys; the file and the value parsers are common/kvconf.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "kvconf.h"
#include "provider.h"

void
prov_config_defaults(struct prov_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen_addr, sizeof(c->listen_addr), "0.0.0.0");
	c->port = CTL_PROV_PORT;
	snprintf(c->mode_file, sizeof(c->mode_file), "/var/lib/ctl-suite/security-mode");
	c->read_timeout = 10;
	c->max_connections = 256;
	c->login_delay_ms = 1000;
	c->throttle_failures = 5;
	c->throttle_window = 300;
	c->auth_slots = 4;
	c->max_per_address = 16;
	c->login_timeout = 30;
	c->max_unauth_requests = 3;
	c->itl_layout = CTL_ITL_12X;
	c->itl_digest = CTL_DIGEST_SHA1;
	c->sign_configs = PROV_UNSET;
	c->ctl_layout = CTL_TL_SIGN_RECOVERY;
}

unsigned
prov_config_sign_configs(const struct prov_config *c)
{
	return c->sign_configs == PROV_UNSET ? c->itl : c->sign_configs;
}

/* "ADDR:PORT", "[V6]:PORT" or ":PORT"/"PORT" (all addresses). */
static CTL_MUST_USE int
set_listen(struct prov_config *c, const char *val, char *err, size_t errlen)
{
	return kv_set_listen(val, "0.0.0.0", 1, c->listen_addr, sizeof(c->listen_addr), &c->port,
	                     err, errlen);
}

int
prov_role_parse(const char *s)
{
	/* SAST (0) is a token, never a node certificate. */
	int r = ctl_role_parse(s, 1, 65535);

	return r == CTL_ROLE_SAST ? -1 : r;
}

/* cert = ROLE:PATH */
static CTL_MUST_USE int
add_cert(struct prov_config *c, const char *val, char *err, size_t errlen)
{
	const char *colon = strchr(val, ':');
	char role[32];
	int r;

	if (colon == NULL || (size_t)(colon - val) >= sizeof(role))
		return kv_fail(err, errlen, "cert: expected ROLE:PATH, got '%s'", val);
	memcpy(role, val, (size_t)(colon - val));
	role[colon - val] = '\0';
	if ((r = prov_role_parse(role)) < 0)
		return kv_fail(err, errlen, "cert: unknown role '%s' (ccm-tftp, ccm, tftp, capf, tvs, "
		            "app-server or a number)", role);
	if (c->ncerts == PROV_MAX_CERTS)
		return kv_fail(err, errlen, "cert: more than %d certificates", PROV_MAX_CERTS);
	if (kv_set_str(c->certs[c->ncerts].path, PROV_PATH_MAX, "cert", colon + 1, err, errlen) != 0)
		return -1;
	c->certs[c->ncerts++].role = (uint16_t)r;
	return 0;
}

static CTL_MUST_USE int
set_ipv4(struct prov_config *c, const char *val, char *err, size_t errlen)
{
	unsigned char ip[4];

	if (inet_pton(AF_INET, val, ip) != 1)
		return kv_fail(err, errlen, "ipv4: '%s' is not a dotted IPv4 address", val);
	memcpy(c->ipv4, ip, 4);
	c->has_ipv4 = 1;
	return 0;
}

/* yes/no, true/false, on/off, 1/0. */
static CTL_MUST_USE int
set_bool(unsigned *dst, const char *key, const char *val, char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(val, yes[i]) == 0) {
			*dst = 1;
			return 0;
		}
		if (strcasecmp(val, no[i]) == 0) {
			*dst = 0;
			return 0;
		}
	}
	return kv_fail(err, errlen, "%s: '%s' is not yes or no", key, val);
}

/* A word from a fixed list to its value (layouts, digests). */
struct word {
	const char *name;
	unsigned val;
};

static CTL_MUST_USE int
set_word(unsigned *dst, const struct word *w, size_t n, const char *key, const char *val,
         const char *choices, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(val, w[i].name) == 0) {
			*dst = w[i].val;
			return 0;
		}
	return kv_fail(err, errlen, "%s: '%s' is not one of %s", key, val, choices);
}

static CTL_MUST_USE int
set_itl_layout(struct prov_config *c, const char *val, char *err, size_t errlen)
{
	static const struct word w[] = { { "12x", CTL_ITL_12X }, { "8x", CTL_ITL_8X } };

	return set_word(&c->itl_layout, w, 2, "itl_layout", val, "12x, 8x", err, errlen);
}

static CTL_MUST_USE int
set_ctl_layout(struct prov_config *c, const char *val, char *err, size_t errlen)
{
	static const struct word w[] = { { "12x", CTL_TL_SIGN_RECOVERY },
	                                 { "10x", CTL_TL_SIGN_CALLMANAGER } };

	return set_word(&c->ctl_layout, w, 2, "ctl_layout", val, "12x, 10x", err, errlen);
}

static CTL_MUST_USE int
set_itl_digest(struct prov_config *c, const char *val, char *err, size_t errlen)
{
	static const struct word w[] = { { "sha1", CTL_DIGEST_SHA1 }, { "sha256", CTL_DIGEST_SHA256 },
	                                 { "sha512", CTL_DIGEST_SHA512 } };

	return set_word(&c->itl_digest, w, 3, "itl_digest", val, "sha1, sha256, sha512", err,
	                errlen);
}

/* tvs_peer = DNS IPV4 PATH: another node's TVS certificate for this node's ITL. */
static CTL_MUST_USE int
add_peer(struct prov_config *c, const char *val, char *err, size_t errlen)
{
	char dns[PROV_NAME_MAX], ip[64], path[PROV_PATH_MAX], extra[2];
	struct prov_peer *p;

	if (strlen(val) >= PROV_PATH_MAX + 128 ||
	    sscanf(val, "%255s %63s %1023s %1s", dns, ip, path, extra) != 3)
		return kv_fail(err, errlen, "tvs_peer: expected DNS IPV4 PATH, got '%s'", val);
	if (c->npeers == PROV_MAX_PEERS)
		return kv_fail(err, errlen, "tvs_peer: more than %d peers", PROV_MAX_PEERS);
	p = &c->peers[c->npeers];
	if (inet_pton(AF_INET, ip, p->ipv4) != 1)
		return kv_fail(err, errlen, "tvs_peer: '%s' is not a dotted IPv4 address", ip);
	memcpy(p->dns, dns, strlen(dns) + 1);
	memcpy(p->path, path, strlen(path) + 1);
	c->npeers++;
	return 0;
}

static CTL_MUST_USE int
set_sign_configs(struct prov_config *c, const char *val, char *err, size_t errlen)
{
	unsigned v;

	if (set_bool(&v, "sign_configs", val, err, errlen) != 0)
		return -1;
	c->sign_configs = v;
	return 0;
}

enum key_kind { K_STR, K_UINT, K_BOOL, K_FN };

/* Every key the config file and the command line accept. */
static const struct key {
	const char *name;
	enum key_kind kind;
	size_t off;          /* K_STR: char array, K_UINT and K_BOOL: unsigned */
	size_t size;         /* K_STR: capacity */
	unsigned long long min, max;
	int (*fn)(struct prov_config *, const char *, char *, size_t);
} keys[] = {
#define STR(k, f) { k, K_STR, offsetof(struct prov_config, f), sizeof(((struct prov_config *)0)->f), 0, 0, NULL }
#define NUM(k, f, lo, hi) { k, K_UINT, offsetof(struct prov_config, f), 0, lo, hi, NULL }
#define BOOL(k, f) { k, K_BOOL, offsetof(struct prov_config, f), 0, 0, 1, NULL }
#define FN(k, fn) { k, K_FN, 0, 0, 0, 0, fn }
	STR("hostname", hostname),
	FN("ipv4", set_ipv4),
	FN("listen", set_listen),
	STR("admin", admin),
	STR("tls_cert", tls_cert),
	STR("tls_key", tls_key),
	FN("cert", add_cert),
	STR("tftp_root", tftp_root),
	STR("credentials", credentials),
	STR("mode_file", mode_file),
	NUM("security_mode", initial_mode, 0, 1),
	NUM("read_timeout", read_timeout, 1, 3600),
	NUM("max_connections", max_connections, 1, 4096),
	NUM("login_delay_ms", login_delay_ms, 0, 60000),
	NUM("throttle_failures", throttle_failures, 1, 1000),
	NUM("throttle_window", throttle_window, 1, 86400),
	NUM("auth_slots", auth_slots, 1, 64),
	NUM("max_per_address", max_per_address, 1, 4096),
	NUM("login_timeout", login_timeout, 1, 3600),
	NUM("max_unauth_requests", max_unauth_requests, 1, 1000),
	BOOL("allow_override", allow_override),
	BOOL("allow_set_mode", allow_set_mode),
	STR("user", user),
	BOOL("itl", itl),
	FN("itl_layout", set_itl_layout),
	BOOL("itl_rollback", itl_rollback),
	FN("itl_digest", set_itl_digest),
	STR("callmanager_cert", callmanager_cert),
	STR("callmanager_key", callmanager_key),
	STR("tvs_cert", tvs_cert),
	STR("capf_cert", capf_cert),
	STR("itlrecovery_cert", itlrecovery_cert),
	STR("itlrecovery_key", itlrecovery_key),
	STR("itlrecovery_remote_cert", itlrecovery_remote_cert),
	STR("itlrecovery_remote_key", itlrecovery_remote_key),
	FN("tvs_peer", add_peer),
	FN("sign_configs", set_sign_configs),
	STR("device_cert_dir", device_cert_dir),
	FN("ctl_layout", set_ctl_layout),
#undef STR
#undef NUM
#undef BOOL
#undef FN
};

int
prov_config_set(struct prov_config *c, const char *key, const char *val, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];

		if (strcmp(key, k->name) != 0)
			continue;
		switch (k->kind) {
		case K_STR:
			return kv_set_str((char *)c + k->off, k->size, key, val, err, errlen);
		case K_UINT:
			return kv_set_uint((unsigned *)(void *)((char *)c + k->off), key, val, k->min,
			                k->max, err, errlen);
		case K_BOOL:
			return set_bool((unsigned *)(void *)((char *)c + k->off), key, val, err, errlen);
		case K_FN:
			return k->fn(c, val, err, errlen);
		}
	}
	return kv_fail(err, errlen, "unknown key '%s'", key);
}

/* kv_load's setter: the file's keys are the command line's. */
static int
set_pair(void *ctx, const char *key, const char *val, const char *origin, char *err, size_t errlen)
{
	(void)origin;
	return prov_config_set(ctx, key, val, err, errlen);
}

int
prov_config_load(struct prov_config *c, const char *path, char *err, size_t errlen)
{
	return kv_load(path, set_pair, c, err, errlen);
}

int
prov_config_finish(struct prov_config *c, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} required[] = {
		{ "hostname", offsetof(struct prov_config, hostname) },
		{ "tls_cert", offsetof(struct prov_config, tls_cert) },
		{ "tls_key", offsetof(struct prov_config, tls_key) },
		{ "tftp_root", offsetof(struct prov_config, tftp_root) },
		{ "credentials", offsetof(struct prov_config, credentials) },
	};
	struct ctl_diag d;
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (((const char *)c + required[i].off)[0] == '\0')
			return kv_fail(err, errlen, "missing setting: %s", required[i].key);
	if (!c->has_ipv4)
		return kv_fail(err, errlen, "missing setting: ipv4");
	/* The 12.x ITL is signed by ITLRecovery: a node without its key cannot serve one. */
	if (c->itl && c->itl_layout == CTL_ITL_12X &&
	    (c->itlrecovery_cert[0] == '\0' || c->itlrecovery_key[0] == '\0'))
		return kv_fail(err, errlen, "itl = yes with itl_layout = 12x needs itlrecovery_cert and "
		            "itlrecovery_key (the 12.x ITL is signed by ITLRecovery); or itl_layout = 8x");
	if ((c->itlrecovery_key[0] != '\0' && c->itlrecovery_cert[0] == '\0') ||
	    (c->itlrecovery_remote_key[0] != '\0') != (c->itlrecovery_remote_cert[0] != '\0'))
		return kv_fail(err, errlen, "an ITLRecovery key needs its certificate "
		            "(itlrecovery_cert, itlrecovery_remote_cert and _key go together)");
	for (i = 0; i < c->ncerts; i++) {
		struct prov_cert *pc = &c->certs[i];
		X509 *x = NULL;
		unsigned char *der = NULL;
		int n;

		if (ctl_cert_load(pc->path, &x, &d) != CTL_OK)
			return kv_fail(err, errlen, "cert %s: %s", pc->path, d.msg);
		n = i2d_X509(x, &der);
		X509_free(x);
		if (n <= 0)
			return kv_fail(err, errlen, "cert %s: cannot encode as DER", pc->path);
		pc->der = malloc((size_t)n);
		if (pc->der == NULL) {
			OPENSSL_free(der);
			return kv_fail(err, errlen, "out of memory");
		}
		memcpy(pc->der, der, (size_t)n);
		pc->der_len = (size_t)n;
		OPENSSL_free(der);
	}
	return 0;
}

void
prov_config_cleanup(struct prov_config *c)
{
	size_t i;

	for (i = 0; i < c->ncerts; i++) {
		free(c->certs[i].der);
		c->certs[i].der = NULL;
	}
}
