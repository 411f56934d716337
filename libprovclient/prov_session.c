/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every user of the provider client decides the same way: a server's
 * identity before anything is sent (a pinned fingerprint, known_hosts, a
 * first contact), recording it after a login, the login and its refusals
 * in one wording, and the items of an answer (a role and DER certificate,
 * a file and its MD5). See prov_client.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "prov_client.h"

/* "NAME" or "NAME (ADDRESS)" when the name resolved to another text. */
static const char *
who(const char *name, const char *peer, char *buf, size_t cap)
{
	if (peer == NULL || peer[0] == '\0' || strcmp(peer, name) == 0)
		return name;
	if (snprintf(buf, cap, "%s (%s)", name, peer) < 0)
		return name;
	return buf;
}

/* A certificate other than the one expected under key: refused before login. */
static enum prov_id
changed(const struct prov_id_query *q, const char *key, const uint8_t *want, const char *source, char *err,
        size_t errlen)
{
	char got[PROV_FP_HEX], exp[PROV_FP_HEX], wb[400];

	prov_fp_hex(q->fp, got, sizeof(got));
	prov_fp_hex(want, exp, sizeof(exp));
	prov_seterr(err, errlen,
	            "SERVER CERTIFICATE CHANGED: %s presents SHA256 %s but %s %s for %s; refusing to log in "
	            "(nothing was sent). If the node's certificate was replaced on purpose, check the "
	            "new fingerprint on the node and pass --fingerprint %s=%s",
	            who(q->name, q->peer, wb, sizeof(wb)), got, source, exp, key, q->name, got);
	return PROV_ID_CHANGED;
}

enum prov_id
prov_identity_check(const struct prov_known *k, const struct prov_id_query *q, int *record, char *known_as,
                    size_t kacap, char *err, size_t errlen)
{
	const char *names[2] = { q->name, q->peer != NULL ? q->peer : "" }, *other;
	const uint8_t *want;
	char hex[PROV_FP_HEX];
	size_t i, seen = 0;

	*record = 0;
	if (kacap > 0)
		known_as[0] = '\0';
	if (q->want != NULL) {
		if (CRYPTO_memcmp(q->want, q->fp, PROV_FP_LEN) != 0)
			return changed(q, q->name, q->want, q->want_source, err, errlen);
		*record = 1;
		return PROV_ID_OK;
	}
	for (i = 0; i < 2; i++) {
		if (names[i][0] == '\0' || (i == 1 && strcmp(names[1], names[0]) == 0) ||
		    (want = prov_known_find(k, names[i])) == NULL)
			continue;
		if (CRYPTO_memcmp(want, q->fp, PROV_FP_LEN) != 0)
			return changed(q, names[i], want, "known_hosts records", err, errlen);
		seen++;
	}
	if (seen > 0) {
		*record = 1; /* adds the name or the address if one is missing */
		return PROV_ID_OK;
	}
	if ((other = prov_known_find_fp(k, q->fp)) != NULL) {
		(void)snprintf(known_as, kacap, "%s", other);
		*record = 1;
		return PROV_ID_OK;
	}
	if (q->accept_new) {
		*record = 1;
		return PROV_ID_OK;
	}
	prov_fp_hex(q->fp, hex, sizeof(hex));
	prov_seterr(err, errlen,
	            "unknown server: certificate SHA256 %s (subject %s) was never seen before; refusing to "
	            "log in (nothing was sent). Compare it with the fingerprint shown on the node, then "
	            "pass --fingerprint %s=SHA256:%s, or --accept-new to trust it on first use",
	            hex, q->subject != NULL && q->subject[0] ? q->subject : "-", q->name, hex);
	return PROV_ID_UNKNOWN;
}

int
prov_identity_record(struct prov_known *k, const struct prov_id_query *q, const char *known_as, char *say,
                     size_t saycap, char *err, size_t errlen)
{
	const char *peer = q->peer != NULL ? q->peer : "";
	const char *names[2] = { q->name, peer };
	const uint8_t *old = prov_known_find(k, q->name);
	const uint8_t *olda = peer[0] ? prov_known_find(k, peer) : NULL;
	int same = old != NULL && CRYPTO_memcmp(old, q->fp, PROV_FP_LEN) == 0;
	int samea = peer[0] == '\0' || (olda != NULL && CRYPTO_memcmp(olda, q->fp, PROV_FP_LEN) == 0);
	int was_new = old == NULL && olda == NULL;
	char hex[PROV_FP_HEX];

	if (saycap > 0)
		say[0] = '\0';
	if (same && samea)
		return 0;
	prov_fp_hex(q->fp, hex, sizeof(hex));
	if (prov_known_record(k, names, 2, q->fp, err, errlen) != 0)
		return -1;
	if (known_as != NULL && known_as[0] != '\0')
		(void)snprintf(say, saycap, "server %s: certificate known as %s; recorded in %s", q->name, known_as,
		               k->path);
	else if (was_new)
		(void)snprintf(say, saycap, "new server %s: certificate SHA256 fingerprint %s; recorded in %s",
		               q->name, hex, k->path);
	else if ((old != NULL && !same) || (olda != NULL && !samea))
		(void)snprintf(say, saycap, "pinned server %s: certificate SHA256 fingerprint %s; recorded in %s",
		               q->name, hex, k->path);
	return 0;
}

enum prov_rc
prov_login_as(struct prov_conn *c, const char *user, const char *password, int *refused, char *err,
              size_t errlen)
{
	char e[600];
	uint16_t st;
	enum prov_rc rc = prov_login(c, user, password, &st, e, sizeof(e));

	*refused = 0;
	if (rc == PROV_OK)
		return rc;
	if (rc == PROV_E_STATUS && st == CTL_PROV_AUTH_FAILED) {
		*refused = 1;
		prov_seterr(err, errlen, "login as '%s' refused: wrong user name or password", user);
	} else if (rc == PROV_E_STATUS && st == CTL_PROV_THROTTLED) {
		*refused = 1;
		prov_seterr(err, errlen, "login refused: too many failed logins from this address; wait and retry");
	} else {
		prov_seterr(err, errlen, "LOGIN: %s", e);
	}
	return rc;
}

int
prov_item_cert(const struct ctl_prov_item *it, uint16_t *role, X509 **out)
{
	const uint8_t *p;
	X509 *x;

	*out = NULL;
	if (it == NULL || it->tag != CTL_PROV_T_CERT || it->len < 3)
		return -1;
	p = it->val + 2;
	if ((x = d2i_X509(NULL, &p, (long)(it->len - 2))) == NULL || p != it->val + it->len) {
		X509_free(x);
		return -1;
	}
	*role = (uint16_t)(it->val[0] << 8 | it->val[1]);
	*out = x;
	return 0;
}

int
prov_pin_parse(const char *arg, struct prov_target *t, uint8_t fp[PROV_FP_LEN], char *err, size_t errlen)
{
	const char *eq = strrchr(arg, '=');
	char name[300];

	memset(t, 0, sizeof(*t));
	if (eq != NULL) {
		if ((size_t)(eq - arg) >= sizeof(name) || eq == arg) {
			prov_seterr(err, errlen, "'%s': expected [HOST[:PORT]=]SHA256 (64 hex digits)", arg);
			return -1;
		}
		memcpy(name, arg, (size_t)(eq - arg));
		name[eq - arg] = '\0';
		if (prov_target_parse(name, t, err, errlen) != 0)
			return -1;
	}
	if (prov_fp_parse(eq != NULL ? eq + 1 : arg, fp) != 0) {
		prov_seterr(err, errlen, "'%s': expected [HOST[:PORT]=]SHA256 (64 hex digits)", arg);
		return -1;
	}
	return 0;
}

int
prov_md5_matches(const struct ctl_prov_msg *m, const uint8_t *p, size_t n, char out[33])
{
	const struct ctl_prov_item *it = ctl_prov_find(m, CTL_PROV_T_MD5);
	struct ctl_sums s;

	if (ctl_checksums(p, n, &s) != CTL_OK)
		return -1;
	memcpy(out, s.md5, 33);
	return it != NULL && it->len == 32 && memcmp(it->val, s.md5, 32) == 0 ? 0 : -1;
}
