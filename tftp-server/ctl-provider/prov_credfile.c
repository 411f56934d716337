/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-provider --hash-password USER --credentials FILE: the credential line
 * written into the file itself (provider.h). The file is the administrators'
 * password hashes: it is created mode 0600, an existing one that group or
 * others may read is refused rather than silently narrowed (the hashes may
 * already have leaked: the administrator decides), and the new contents
 * replace the old in one rename, so a login never reads half a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "provider.h"

#define CRED_MAX (64u * 1024u)

/* Writes all of buf to fd. */
static CTL_MUST_USE int
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * old[0..n) with USER's line replaced by line (or line appended) into out
 * (cap bytes). Returns the length, *updated set; 0 when it does not fit.
 */
static size_t
merge(const char *old, size_t n, const char *user, const char *line, char *out, size_t cap,
      int *updated)
{
	size_t ulen = strlen(user), llen = strlen(line), o = 0, i = 0;

	*updated = 0;
	while (i < n) {
		const char *nl = memchr(old + i, '\n', n - i);
		size_t k = nl != NULL ? (size_t)(nl - (old + i)) + 1 : n - i;
		int mine = k > ulen && memcmp(old + i, user, ulen) == 0 && old[i + ulen] == ':';

		if (mine && !*updated) {
			if (o + llen >= cap)
				return 0;
			memcpy(out + o, line, llen);
			o += llen;
			*updated = 1;
		} else if (!mine) {
			if (o + k + 1 >= cap)
				return 0;
			memcpy(out + o, old + i, k);
			o += k;
			if (old[i + k - 1] != '\n')
				out[o++] = '\n';
		}
		i += k;
	}
	if (!*updated) {
		if (o + llen >= cap)
			return 0;
		memcpy(out + o, line, llen);
		o += llen;
	}
	return o;
}

/* Reads the existing file (not a link, owner-only) into buf; 0 ok, 1 missing, -1 error. */
static int
read_existing(const char *path, char *buf, size_t cap, size_t *n, struct stat *st, char *err,
              size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t r;

	*n = 0;
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path,
		         errno == ELOOP ? "a symbolic link; refusing" : strerror(errno));
		return -1;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if ((st->st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: mode %04o lets group or others read the password hashes; "
		         "refusing to add to it (chmod 600 %s, and consider changing the passwords)",
		         path, (unsigned)(st->st_mode & 07777), path);
		close(fd);
		return -1;
	}
	while ((r = read(fd, buf + *n, cap - *n)) > 0)
		*n += (size_t)r;
	close(fd);
	if (r < 0 || *n >= cap) {
		snprintf(err, errlen, "%s: %s", path, r < 0 ? strerror(errno) : "larger than 64 KiB");
		return -1;
	}
	return 0;
}

/* A temporary file beside path holding buf, mode 0600, owner kept, synced; renamed over path. */
static CTL_MUST_USE int
replace_file(const char *path, const char *buf, size_t n, const struct stat *old, char *err,
             size_t errlen)
{
	char tmp[PROV_PATH_MAX + 32], dir[PROV_PATH_MAX];
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp) ||
	    snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	/* A root-run tool updating the service user's file leaves it that user's. */
	if (fchmod(fd, 0600) != 0 || (old != NULL && geteuid() == 0 &&
	                              fchown(fd, old->st_uid, old->st_gid) != 0) ||
	    write_all(fd, buf, n) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		/* The rename is done; a directory that cannot be synced still holds it. */
		CTL_IGNORE_RESULT(fsync(dfd));
		close(dfd);
	}
	return 0;
}

int
prov_cred_put(const char *path, const char *user, const char *hash, char *err, size_t errlen)
{
	char *old = NULL, *out = NULL, line[1024];
	struct stat st;
	size_t n = 0, m;
	int rc = -1, exists, updated = 0;

	if (snprintf(line, sizeof(line), "%s:%s\n", user, hash) >= (int)sizeof(line)) {
		snprintf(err, errlen, "credential line too long");
		return -1;
	}
	if ((old = malloc(CRED_MAX)) == NULL || (out = malloc(CRED_MAX)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((exists = read_existing(path, old, CRED_MAX, &n, &st, err, errlen)) < 0)
		goto out;
	if ((m = merge(old, n, user, line, out, CRED_MAX, &updated)) == 0) {
		snprintf(err, errlen, "%s: would grow past 64 KiB", path);
		goto out;
	}
	if (replace_file(path, out, m, exists == 0 ? &st : NULL, err, errlen) == 0)
		rc = updated;
out:
	if (old != NULL)
		OPENSSL_cleanse(old, CRED_MAX);
	if (out != NULL)
		OPENSSL_cleanse(out, CRED_MAX);
	OPENSSL_cleanse(line, sizeof(line));
	free(old);
	free(out);
	return rc;
}
