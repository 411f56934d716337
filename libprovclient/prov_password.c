/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The administrator password: from a file, the environment or the
 * terminal, straight into secret memory (ctl/secret.h: locked, out of core
 * dumps, wiped on free). The terminal prompt is libctl's, the same as the
 * PIN's. See prov_client.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "prov_client.h"

static CTL_MUST_USE int
password_file(const char *path, struct ctl_secret *s, char *err, size_t errlen)
{
	char *buf = ctl_secret_data(s);
	size_t cap = ctl_secret_max(s) + 1;
	struct stat st;
	ssize_t k;
	size_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &st) != 0) {
		prov_seterr(err, errlen, "--password-file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
		prov_seterr(err, errlen, "--password-file %s: must be a regular file not accessible by group "
		       "or others (chmod 600)", path);
		close(fd);
		return -1;
	}
	while (n < cap - 1 && (k = read(fd, buf + n, cap - 1 - n)) > 0)
		n += (size_t)k;
	close(fd);
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	ctl_secret_set_len(s, n);
	return 0;
}

static CTL_MUST_USE int
password_env(const char *env, struct ctl_secret *s, char *err, size_t errlen)
{
	size_t n = strlen(env);
	int rc = n <= ctl_secret_max(s) ? 0 : -1;

	if (rc == 0) {
		memcpy(ctl_secret_data(s), env, n);
		ctl_secret_set_len(s, n);
	} else {
		prov_seterr(err, errlen, "$%s is longer than %d bytes", PROV_PASSWORD_ENV, PROV_PASSWORD_MAX);
	}
	/* Wipe the original too: it is what /proc/PID/environ shows. */
	OPENSSL_cleanse((char *)env, n);
	(void)unsetenv(PROV_PASSWORD_ENV);
	return rc;
}

static CTL_MUST_USE int
password_tty(const char *user, struct ctl_secret **out, char *err, size_t errlen)
{
	struct ctl_diag d;
	char prompt[512];
	int pn;

	pn = snprintf(prompt, sizeof(prompt), "Password for %s on the CTL Provider servers: ", user);
	if (pn < 0 || (size_t)pn >= sizeof(prompt))
		(void)snprintf(prompt, sizeof(prompt), "Password for the CTL Provider servers: ");
	switch (ctl_secret_prompt(prompt, PROV_PASSWORD_MAX, 0, out, &d)) {
	case CTL_OK:
		return 0;
	case CTL_E_ZERO_LEN:
		prov_seterr(err, errlen, "empty password");
		return -1;
	default:
		if (strncmp(d.msg, "no terminal", 11) == 0)
			prov_seterr(err, errlen, "no password: use --password-file FILE or $%s (no terminal to "
			            "ask on)", PROV_PASSWORD_ENV);
		else
			prov_seterr(err, errlen, "password: %s", d.msg);
		return -1;
	}
}

int
prov_password_get(const char *file, const char *user, struct ctl_secret **out, char *err,
                  size_t errlen)
{
	char *env = getenv(PROV_PASSWORD_ENV);
	struct ctl_secret *s;
	int rc;

	*out = NULL;
	if (file != NULL && env != NULL) {
		prov_seterr(err, errlen, "both --password-file and $%s are set; use one", PROV_PASSWORD_ENV);
		return -1;
	}
	if (file == NULL && env == NULL)
		return password_tty(user, out, err, errlen);
	/* Locked and out of core dumps before a byte of the password is read. */
	if ((s = ctl_secret_new(PROV_PASSWORD_MAX)) == NULL) {
		prov_seterr(err, errlen, "out of memory for the password");
		return -1;
	}
	rc = file != NULL ? password_file(file, s, err, errlen) : password_env(env, s, err, errlen);
	if (rc == 0 && ctl_secret_len(s) == 0) {
		prov_seterr(err, errlen, "empty password");
		rc = -1;
	}
	if (rc != 0) {
		ctl_secret_free(s);
		return -1;
	}
	*out = s;
	return 0;
}
