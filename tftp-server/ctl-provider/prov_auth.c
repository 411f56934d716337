/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Administrator logins: the credential file holds "user:hash" lines, hash
 * from crypt(3) (yescrypt "$y$" or SHA-512-crypt "$6$"), written by
 * `ctl-provider --hash-password`. The file is read at every login, so an
 * edited password applies without a restart.
 *
 * Costs an attacker pays: every login computes one slow hash (also for an
 * unknown user, against the setting of the file's first entry, so both cost
 * the same and use the same method), the results are compared with
 * CRYPTO_memcmp, a failure is delayed by login_delay_ms, and
 * throttle_failures failures from one address within throttle_window
 * seconds refuse further attempts from it (THROTTLED) until the window ends.
 *
 * The failure is counted before the hash is computed (a reservation, undone
 * on success) and only one login per address is evaluated at a time (the
 * others wait for it, up to read_timeout): 60 parallel wrong passwords
 * from one address get exactly throttle_failures evaluations, not 60.
 * yescrypt is memory-hard (16 MiB per hash at the default cost), so at most
 * auth_slots hashes run at once: 200 simultaneous logins queue instead of
 * taking 3 GiB. The credential file is read without following a symbolic
 * link and refused when group or others may read it.
 */
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "provider.h"

#define CRED_MAX (64u * 1024u)

int
prov_auth_init(struct prov_auth *a, const struct prov_config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	if (pthread_mutex_init(&a->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&a->free_slot, NULL) != 0) {
		pthread_mutex_destroy(&a->lock);
		return -1;
	}
	if (pthread_cond_init(&a->addr_done, NULL) != 0) {
		pthread_cond_destroy(&a->free_slot);
		pthread_mutex_destroy(&a->lock);
		return -1;
	}
	return 0;
}

void
prov_auth_cleanup(struct prov_auth *a)
{
	pthread_cond_destroy(&a->addr_done);
	pthread_cond_destroy(&a->free_slot);
	pthread_mutex_destroy(&a->lock);
}

int
prov_hash_password(const char *method, const char *password, char *out, size_t outlen)
{
	const char *prefix = strcmp(method, "yescrypt") == 0 ? "$y$" :
	    strcmp(method, "sha512") == 0 ? "$6$" : NULL;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = -1;

	if (prefix == NULL || crypt_gensalt_rn(prefix, 0, NULL, 0, salt, sizeof(salt)) == NULL)
		return -1;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	h = crypt_r(password, salt, cd);
	if (h != NULL && h[0] == '$' && strlen(h) < outlen) {
		memcpy(out, h, strlen(h) + 1);
		rc = 0;
	}
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* A well-formed hash nobody's password matches: the dummy when the file has no entry. */
static const char fallback_dummy[] =
	"$y$j9T$O8SFZ9Aq.lTKvpW2W3xKC/$6PBM9hmY1c5h/QnV6Qv1S8BUEvAMvRZ4VkLRvY8pRv2";

/*
 * The setting of a crypt(3) hash: everything before its last '$' (method,
 * cost parameters, salt). Hashing against it costs what the full hash
 * costs, and no password matches it (the output is longer).
 */
static void
copy_setting(const char *h, size_t n, char *out, size_t cap)
{
	size_t k = n;

	while (k > 0 && h[k - 1] != '$')
		k--;
	if (k <= 1 || k - 1 >= cap) {
		snprintf(out, cap, "%s", fallback_dummy);
		return;
	}
	memcpy(out, h, k - 1);
	out[k - 1] = '\0';
}

/* Reads the credential file as text (NUL-terminated); -1 with msg. */
static CTL_MUST_USE int
read_creds(const char *path, char **text, size_t *len, char *msg, size_t msglen)
{
	char why[PROV_PATH_MAX + 128];
	struct stat sb;
	uint8_t *buf = NULL;

	*text = NULL;
	if (prov_file_read(path, CRED_MAX, &buf, len, &sb, why, sizeof(why)) != PROV_FILE_OK) {
		snprintf(msg, msglen, "credential file: %s", why);
		return -1;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(msg, msglen, "credential file %s: mode %04o lets group or others read or "
		         "write it; chmod 600 it", path, (unsigned)(sb.st_mode & 07777));
	} else if ((*text = malloc(*len + 1)) == NULL) {
		snprintf(msg, msglen, "credential file: out of memory");
	} else {
		memcpy(*text, buf, *len);
		(*text)[*len] = '\0';
	}
	OPENSSL_cleanse(buf, *len);
	free(buf);
	return *text != NULL ? 0 : -1;
}

int
prov_auth_lookup(const char *path, const char *user, char *hash, size_t hashlen, int *known,
                 char *msg, size_t msglen)
{
	size_t len, ulen = strlen(user);
	char *text, *line, *next;
	int have_dummy = 0;

	hash[0] = '\0';
	*known = 0;
	if (read_creds(path, &text, &len, msg, msglen) != 0)
		return -1;
	for (line = text; *line != '\0'; line = next) {
		size_t n;
		char *colon;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		n = strcspn(line, "\r");
		line[n] = '\0';
		if (line[0] == '#' || (colon = strchr(line, ':')) == NULL || colon[1] != '$')
			continue;
		if (!have_dummy) {
			copy_setting(colon + 1, n - (size_t)(colon + 1 - line), hash, hashlen);
			have_dummy = 1;
		}
		if ((size_t)(colon - line) != ulen || memcmp(line, user, ulen) != 0)
			continue;
		if (n - ulen - 1 < hashlen) {
			memcpy(hash, colon + 1, n - ulen);
			*known = 1;
		}
		break;
	}
	if (!*known && !have_dummy)
		snprintf(hash, hashlen, "%s", fallback_dummy);
	OPENSSL_cleanse(text, len);
	free(text);
	return 0;
}

/* One slow hash under the auth_slots limit; 1 when it matches stored. */
static int
hash_matches(struct prov_auth *a, const char *password, const char *stored)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;
	int ok = 0;

	if (cd == NULL)
		return 0;
	pthread_mutex_lock(&a->lock);
	while (a->busy >= a->cfg->auth_slots)
		pthread_cond_wait(&a->free_slot, &a->lock);
	a->busy++;
	pthread_mutex_unlock(&a->lock);

	h = crypt_r(password, stored, cd);
	/* crypt_r returns "*0"/"*1" (or NULL) for an unusable setting. */
	if (h != NULL && h[0] == '$' && strlen(h) == strlen(stored))
		ok = CRYPTO_memcmp(h, stored, strlen(stored)) == 0;

	pthread_mutex_lock(&a->lock);
	a->busy--;
	pthread_cond_signal(&a->free_slot);
	pthread_mutex_unlock(&a->lock);
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static int
slot_in_use(const struct prov_throttle_slot *s)
{
	return s->failures > 0 || s->busy;
}

/*
 * The slot for addr (call with a->lock held); creates one, evicting the
 * oldest idle one. NULL when every slot is busy with a login in progress.
 */
static CTL_MUST_USE struct prov_throttle_slot *
slot_for(struct prov_auth *a, const char *addr, time_t now)
{
	struct prov_throttle_slot *old = NULL;
	size_t i;

	for (i = 0; i < PROV_THROTTLE_SLOTS; i++) {
		struct prov_throttle_slot *s = &a->slots[i];

		if (!s->busy && s->failures > 0 && now - s->first >= (time_t)a->cfg->throttle_window)
			s->failures = 0; /* window over: forget */
		if (slot_in_use(s) && strcmp(s->addr, addr) == 0)
			return s;
		if (s->busy)
			continue;
		if (old == NULL || (slot_in_use(old) && (!slot_in_use(s) || s->first < old->first)))
			old = s;
	}
	if (old == NULL)
		return NULL;
	memset(old, 0, sizeof(*old));
	snprintf(old->addr, sizeof(old->addr), "%s", addr);
	old->first = now;
	return old;
}

/*
 * Waits until no other login from addr is being evaluated, then marks this
 * one busy and reserves a failure. NULL (with msg) when throttled, or when
 * the other login does not end within read_timeout.
 */
static CTL_MUST_USE struct prov_throttle_slot *
begin_login(struct prov_auth *a, const char *addr, char *msg, size_t msglen)
{
	struct prov_throttle_slot *s;
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += (time_t)a->cfg->read_timeout;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		time_t now = time(NULL);

		if ((s = slot_for(a, addr, now)) == NULL) {
			snprintf(msg, msglen, "%d logins in progress", PROV_THROTTLE_SLOTS);
			break;
		}
		if (s->failures >= a->cfg->throttle_failures) {
			snprintf(msg, msglen, "%u failed logins within %u s", a->cfg->throttle_failures,
			         a->cfg->throttle_window);
			s = NULL;
			break;
		}
		if (!s->busy) {
			if (s->failures == 0)
				s->first = now;
			s->failures++;
			s->busy = 1;
			break;
		}
		if (pthread_cond_timedwait(&a->addr_done, &a->lock, &until) == ETIMEDOUT) {
			snprintf(msg, msglen, "another login from this address is still in progress");
			s = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return s;
}

/* Settles the reservation: cleared on success, kept on failure, undone on error. */
static void
end_login(struct prov_auth *a, struct prov_throttle_slot *s, enum prov_auth_result r)
{
	pthread_mutex_lock(&a->lock);
	if (r == PROV_AUTH_OK)
		s->failures = 0;
	else if (r == PROV_AUTH_ERROR && s->failures > 0)
		s->failures--;
	s->busy = 0;
	pthread_cond_broadcast(&a->addr_done);
	pthread_mutex_unlock(&a->lock);
}

unsigned
prov_auth_throttled(struct prov_auth *a)
{
	time_t now = time(NULL);
	unsigned n = 0;

	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < PROV_THROTTLE_SLOTS; i++) {
		const struct prov_throttle_slot *s = &a->slots[i];

		if (s->failures >= a->cfg->throttle_failures &&
		    now - s->first < (time_t)a->cfg->throttle_window)
			n++;
	}
	pthread_mutex_unlock(&a->lock);
	return n;
}

enum prov_auth_result
prov_auth_check(struct prov_auth *a, const char *addr, const char *user, const char *password,
                char *msg, size_t msglen)
{
	struct prov_throttle_slot *slot;
	enum prov_auth_result r = PROV_AUTH_ERROR;
	char stored[512];
	int known = 0;

	msg[0] = '\0';
	if ((slot = begin_login(a, addr, msg, msglen)) == NULL)
		return PROV_AUTH_THROTTLED;
	if (prov_auth_lookup(a->cfg->credentials, user, stored, sizeof(stored), &known, msg,
	                     msglen) == 0) {
		r = hash_matches(a, password, stored) && known ? PROV_AUTH_OK : PROV_AUTH_BAD;
		/* Inside the busy window: the delay also paces this address's next attempt. */
		if (r == PROV_AUTH_BAD && a->cfg->login_delay_ms > 0)
			usleep((useconds_t)a->cfg->login_delay_ms * 1000u);
	}
	OPENSSL_cleanse(stored, sizeof(stored));
	end_login(a, slot, r);
	return r;
}
