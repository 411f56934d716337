/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File I/O: whole-file reads with a size cap, and atomic replacement
 * (temporary file in the same directory, fsync, rename, fsync of the
 * directory), so a crash leaves either the old or the new file, never a
 * half-written one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_int.h"

static CTL_MUST_USE enum ctl_err
io_fail(struct ctl_diag *d, const char *what, const char *path)
{
	int e = errno;

	ctl_diag_clear(d);
	return ctli_fail(d, CTL_E_IO, 0, -1, 0, "%s %s: %s", what, path, strerror(e));
}

enum ctl_err
ctl_read_file(const char *path, size_t max, uint8_t **out, size_t *len, struct ctl_diag *diag)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd;

	*out = NULL;
	*len = 0;
	ctl_diag_clear(diag);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return io_fail(diag, "cannot open", path);
	if (fstat(fd, &st) != 0) {
		close(fd);
		return io_fail(diag, "cannot stat", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ctli_fail(diag, CTL_E_IO, 0, -1, 0, "%s: not a regular file", path);
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return ctli_fail(diag, CTL_E_TOO_LARGE, 0, -1, 0, "%s: %lld bytes exceeds the "
		                 "%zu-byte limit", path, (long long)st.st_size, max);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			enum ctl_err r = n < 0 ? io_fail(diag, "cannot read", path) :
			    ctli_fail(diag, CTL_E_IO, 0, -1, 0, "%s: file shrank while reading", path);
			free(buf);
			close(fd);
			return r;
		}
		got += (size_t)n;
	}
	close(fd);
	*out = buf;
	*len = got;
	return CTL_OK;
}

static CTL_MUST_USE int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory so the rename itself survives a crash. */
static CTL_MUST_USE int
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

enum ctl_err
ctl_write_atomic(const char *path, const void *p, size_t n, unsigned mode, struct ctl_diag *diag)
{
	char *copy = NULL, tmp[4096];
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	int fd = -1, len;
	enum ctl_err r = CTL_OK;

	ctl_diag_clear(diag);
	if ((copy = strdup(path)) == NULL)
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	len = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(copy), base);
	free(copy);
	if (len < 0 || (size_t)len >= sizeof(tmp))
		return ctli_fail(diag, CTL_E_IO, 0, -1, 0, "%s: path too long", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return io_fail(diag, "cannot create a temporary file for", path);
	if (write_all(fd, p, n) != 0)
		r = io_fail(diag, "cannot write", tmp);
	else if (fchmod(fd, (mode_t)mode) != 0)
		r = io_fail(diag, "cannot set the mode of", tmp);
	else if (fsync(fd) != 0)
		r = io_fail(diag, "cannot fsync", tmp);
	if (close(fd) != 0 && r == CTL_OK)
		r = io_fail(diag, "cannot close", tmp);
	if (r == CTL_OK && rename(tmp, path) != 0)
		r = io_fail(diag, "cannot rename into", path);
	if (r != CTL_OK) {
		unlink(tmp);
		return r;
	}
	if (sync_dir(path) != 0)
		return io_fail(diag, "cannot fsync the directory of", path);
	return CTL_OK;
}
