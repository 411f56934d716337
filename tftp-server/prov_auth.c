/*
 * Administrator logins: the credential file holds "user:hash" lines, hash
 * from crypt(3) (yescrypt "$y$" or SHA-512-crypt "$6$"), written by
 * `ctl-provider --hash-password`. The file is read at every login, so an
 * edited password applies without a restart.
 *
 * Costs an attacker pays: every login computes one slow hash (also for an
 * unknown user, against a dummy hash, so both cost the same), the results
 * are compared with CRYPTO_memcmp, a failure is delayed by login_delay_ms,
 * and throttle_failures failures from one address within throttle_window
 * seconds refuse further attempts from it (THROTTLED) until the window ends.
 * yescrypt is memory-hard (16 MiB per hash at the default cost), so at most
 * auth_slots hashes run at once: 200 simultaneous logins queue instead of
 * taking 3 GiB.
 */
#include <crypt.h>
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
	return 0;
}

void
prov_auth_cleanup(struct prov_auth *a)
{
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

/*
 * The stored hash for user, copied into hash; "" when the user is unknown.
 * -1 when the file cannot be read.
 */
static int
find_user(const char *path, const char *user, char *hash, size_t hashlen, char *msg, size_t msglen)
{
	struct ctl_diag d;
	uint8_t *buf = NULL;
	size_t len, ulen = strlen(user);
	char *text, *line, *next;

	hash[0] = '\0';
	if (ctl_read_file(path, CRED_MAX, &buf, &len, &d) != CTL_OK) {
		snprintf(msg, msglen, "credential file: %s", d.msg);
		return -1;
	}
	if ((text = malloc(len + 1)) == NULL) {
		OPENSSL_cleanse(buf, len);
		free(buf);
		snprintf(msg, msglen, "credential file: out of memory");
		return -1;
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	OPENSSL_cleanse(buf, len);
	free(buf);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		size_t n;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		n = strcspn(line, "\r");
		line[n] = '\0';
		if (line[0] == '#' || n <= ulen || line[ulen] != ':' || memcmp(line, user, ulen) != 0)
			continue;
		if (n - ulen - 1 >= hashlen)
			break;
		memcpy(hash, line + ulen + 1, n - ulen);
		break;
	}
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

/* The slot for addr (call with a->lock held); creates one, evicting the oldest. */
static struct prov_throttle_slot *
slot_for(struct prov_auth *a, const char *addr, time_t now, int create)
{
	struct prov_throttle_slot *old = &a->slots[0];
	size_t i;

	for (i = 0; i < PROV_THROTTLE_SLOTS; i++) {
		struct prov_throttle_slot *s = &a->slots[i];

		if (s->failures > 0 && now - s->first >= (time_t)a->cfg->throttle_window)
			s->failures = 0; /* window over: forget */
		if (s->failures > 0 && strcmp(s->addr, addr) == 0)
			return s;
		if (s->failures == 0 || (old->failures > 0 && s->first < old->first))
			old = s;
	}
	if (!create)
		return NULL;
	memset(old, 0, sizeof(*old));
	snprintf(old->addr, sizeof(old->addr), "%s", addr);
	old->first = now;
	return old;
}

static int
throttled(struct prov_auth *a, const char *addr)
{
	struct prov_throttle_slot *s;
	int t;

	pthread_mutex_lock(&a->lock);
	s = slot_for(a, addr, time(NULL), 0);
	t = s != NULL && s->failures >= a->cfg->throttle_failures;
	pthread_mutex_unlock(&a->lock);
	return t;
}

static void
record(struct prov_auth *a, const char *addr, int success)
{
	struct prov_throttle_slot *s;

	pthread_mutex_lock(&a->lock);
	s = slot_for(a, addr, time(NULL), !success);
	if (s != NULL) {
		if (success)
			s->failures = 0;
		else
			s->failures++;
	}
	pthread_mutex_unlock(&a->lock);
}

/* A well-formed hash nobody's password matches, so an unknown user costs a full hash. */
static const char dummy_hash[] =
	"$y$j9T$O8SFZ9Aq.lTKvpW2W3xKC/$6PBM9hmY1c5h/QnV6Qv1S8BUEvAMvRZ4VkLRvY8pRv2";

enum prov_auth_result
prov_auth_check(struct prov_auth *a, const char *addr, const char *user, const char *password,
                char *msg, size_t msglen)
{
	char stored[512];
	int ok;

	msg[0] = '\0';
	if (throttled(a, addr)) {
		snprintf(msg, msglen, "%u failed logins within %u s", a->cfg->throttle_failures,
		         a->cfg->throttle_window);
		return PROV_AUTH_THROTTLED;
	}
	if (find_user(a->cfg->credentials, user, stored, sizeof(stored), msg, msglen) != 0)
		return PROV_AUTH_ERROR;
	ok = hash_matches(a, password, stored[0] != '\0' ? stored : dummy_hash) && stored[0] != '\0';
	OPENSSL_cleanse(stored, sizeof(stored));
	record(a, addr, ok);
	if (!ok && a->cfg->login_delay_ms > 0)
		usleep((useconds_t)a->cfg->login_delay_ms * 1000u);
	return ok ? PROV_AUTH_OK : PROV_AUTH_BAD;
}
