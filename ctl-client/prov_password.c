/*
 * The administrator password: from a file, the environment or the
 * terminal, straight into secret memory (secmem.h: locked, out of core
 * dumps, wiped on free). See prov_client.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "prov_client.h"
#include "secmem.h"

static int
password_file(const char *path, char *buf, size_t cap, char *err, size_t errlen)
{
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
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

static int
password_tty(const char *user, char *buf, size_t cap, char *err, size_t errlen)
{
	struct termios old, raw;
	char prompt[512];
	ssize_t k;
	size_t n = 0;
	int fd, pn;
	char ch;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0 || tcgetattr(fd, &old) != 0) {
		prov_seterr(err, errlen, "no password: use --password-file FILE or $%s (no terminal to ask on)",
		       PROV_PASSWORD_ENV);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	raw.c_lflag |= ICANON;
	pn = snprintf(prompt, sizeof(prompt), "Password for %s on the CTL Provider servers: ", user);
	if (pn > 0 && (size_t)pn < sizeof(prompt))
		(void)!write(fd, prompt, (size_t)pn);
	(void)tcsetattr(fd, TCSAFLUSH, &raw);
	while ((k = read(fd, &ch, 1)) == 1 && ch != '\n' && ch != '\r')
		if (n < cap - 1)
			buf[n++] = ch;
	buf[n] = '\0';
	OPENSSL_cleanse(&ch, sizeof(ch)); /* the last character typed */
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	return 0;
}

int
prov_password_get(const char *file, const char *user, char **out, char *err, size_t errlen)
{
	char *env = getenv(PROV_PASSWORD_ENV), *buf;
	int rc;

	*out = NULL;
	if (file != NULL && env != NULL) {
		prov_seterr(err, errlen, "both --password-file and $%s are set; use one", PROV_PASSWORD_ENV);
		return -1;
	}
	/* Locked and out of core dumps before a byte of the password is read. */
	if ((buf = secmem_alloc(PROV_PASSWORD_MAX + 1)) == NULL) {
		prov_seterr(err, errlen, "out of memory for the password");
		return -1;
	}
	if (file != NULL) {
		rc = password_file(file, buf, PROV_PASSWORD_MAX + 1, err, errlen);
	} else if (env != NULL) {
		size_t n = strlen(env);

		rc = n <= PROV_PASSWORD_MAX ? 0 : -1;
		if (rc == 0)
			memcpy(buf, env, n + 1);
		else
			prov_seterr(err, errlen, "$%s is longer than %d bytes", PROV_PASSWORD_ENV, PROV_PASSWORD_MAX);
		OPENSSL_cleanse(env, n);
		unsetenv(PROV_PASSWORD_ENV);
	} else {
		rc = password_tty(user, buf, PROV_PASSWORD_MAX + 1, err, errlen);
	}
	if (rc == 0 && buf[0] == '\0') {
		prov_seterr(err, errlen, "empty password");
		rc = -1;
	}
	if (rc != 0) {
		prov_password_free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

void
prov_password_free(char *p)
{
	if (p == NULL)
		return;
	secmem_free(p, PROV_PASSWORD_MAX + 1);
}

