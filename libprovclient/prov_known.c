/* SPDX-License-Identifier: Apache-2.0 */
/*
 * known_hosts: the CTL Provider servers' certificate fingerprints, one
 * "HOST:PORT SHA256" line per name. A server is recorded under the name it
 * was given and under the address that name resolved to, so the same
 * server reached as `localhost:P` or `127.0.0.1:P` has one identity.
 * See prov_client.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "prov_client.h"

int
prov_config_dir(char *out, size_t outlen, int make)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char base[4096];
	int n;

	if (x != NULL && x[0] == '/')
		n = snprintf(base, sizeof(base), "%s", x);
	else if (home != NULL && home[0] == '/')
		n = snprintf(base, sizeof(base), "%s/.config", home);
	else
		return -1;
	if (n < 0 || (size_t)n >= sizeof(base))
		return -1;
	n = snprintf(out, outlen, "%s/ctl-client", base);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	if (make) {
		if (mkdir(base, 0700) != 0 && errno != EEXIST)
			return -1;
		if (mkdir(out, 0700) != 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static CTL_MUST_USE int
known_set(struct prov_known *k, const char *name, const uint8_t fp[PROV_FP_LEN])
{
	struct prov_known_entry *e;
	size_t i, n = strlen(name);

	if (n == 0 || n >= sizeof(e->name))
		return -1;
	for (i = 0; i < k->n; i++)
		if (strcmp(k->e[i].name, name) == 0) {
			memcpy(k->e[i].fp, fp, PROV_FP_LEN);
			return 0;
		}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;

		if ((e = realloc(k->e, cap * sizeof(*e))) == NULL)
			return -1;
		k->e = e;
		k->cap = cap;
	}
	e = &k->e[k->n];
	memcpy(e->name, name, n + 1);
	memcpy(e->fp, fp, PROV_FP_LEN);
	k->n++;
	return 0;
}

int
prov_known_load(struct prov_known *k, char *err, size_t errlen)
{
	char dir[4096], line[512], *sp;
	FILE *f;
	int n, lineno = 0;

	memset(k, 0, sizeof(*k));
	if (prov_config_dir(dir, sizeof(dir), 0) != 0) {
		prov_seterr(err, errlen, "no config directory: set HOME or XDG_CONFIG_HOME");
		return -1;
	}
	n = snprintf(k->path, sizeof(k->path), "%s/known_hosts", dir);
	if (n < 0 || (size_t)n >= sizeof(k->path)) {
		prov_seterr(err, errlen, "config directory path too long");
		return -1;
	}
	if ((f = fopen(k->path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		prov_seterr(err, errlen, "%s: %s", k->path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		uint8_t fp[PROV_FP_LEN];

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((sp = strchr(line, ' ')) == NULL || (*sp = '\0', prov_fp_parse(sp + 1, fp)) != 0 ||
		    known_set(k, line, fp) != 0) {
			prov_seterr(err, errlen, "%s: line %d: expected 'HOST:PORT SHA256-FINGERPRINT'",
			            k->path, lineno);
			fclose(f);
			prov_known_cleanup(k);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

const uint8_t *
prov_known_find(const struct prov_known *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->e[i].name, name) == 0)
			return k->e[i].fp;
	return NULL;
}

const char *
prov_known_find_fp(const struct prov_known *k, const uint8_t fp[PROV_FP_LEN])
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (CRYPTO_memcmp(k->e[i].fp, fp, PROV_FP_LEN) == 0)
			return k->e[i].name;
	return NULL;
}

static CTL_MUST_USE int
known_write(const struct prov_known *k, char *err, size_t errlen)
{
	static const char head[] = "# ctl-client: known CTL Provider servers, HOST:PORT and the "
	                           "SHA-256 of the certificate\n";
	struct ctl_wr wr;
	struct ctl_diag d;
	char hex[PROV_FP_HEX], buf[256];
	size_t i;
	int rc = -1;

	ctl_wr_init(&wr, 1u << 24);
	if (ctl_wr_bytes(&wr, head, sizeof(head) - 1) != CTL_OK)
		goto out;
	for (i = 0; i < k->n; i++) {
		prov_fp_hex(k->e[i].fp, hex, sizeof(hex));
		if (ctl_wr_bytes(&wr, k->e[i].name, strlen(k->e[i].name)) != CTL_OK ||
		    ctl_wr_u8(&wr, ' ') != CTL_OK || ctl_wr_bytes(&wr, hex, strlen(hex)) != CTL_OK ||
		    ctl_wr_u8(&wr, '\n') != CTL_OK)
			goto out;
	}
	if (ctl_write_atomic(k->path, wr.buf, wr.len, 0600, &d) != CTL_OK) {
		prov_seterr(err, errlen, "cannot write %s: %s", k->path, ctl_diag_str(&d, buf, sizeof(buf)));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && err != NULL && err[0] == '\0')
		prov_seterr(err, errlen, "cannot write %s: out of memory", k->path);
	ctl_wr_cleanup(&wr);
	return rc;
}

int
prov_known_record(struct prov_known *k, const char *const *names, size_t n,
                  const uint8_t fp[PROV_FP_LEN], char *err, size_t errlen)
{
	char dir[4096];
	size_t i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	for (i = 0; i < n; i++)
		if (names[i] != NULL && names[i][0] != '\0' && known_set(k, names[i], fp) != 0) {
			prov_seterr(err, errlen, "cannot record %s in %s", names[i], k->path);
			return -1;
		}
	if (prov_config_dir(dir, sizeof(dir), 1) != 0) {
		prov_seterr(err, errlen, "cannot create the config directory for %s", k->path);
		return -1;
	}
	return known_write(k, err, errlen);
}

void
prov_known_cleanup(struct prov_known *k)
{
	free(k->e);
	k->e = NULL;
	k->n = k->cap = 0;
}
