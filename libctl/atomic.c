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

/*
 * A batch: the same guarantee for many files of one directory at the cost
 * of one sync. Each add writes a complete temporary file (no sync); commit
 * makes them all durable with one syncfs(2) of the directory's file
 * system (an fsync each for a few files), renames each into place in the order added, then fsyncs the
 * directory once. A reader sees the old or the new complete file under
 * the final name; a crash before the renames leaves only temporaries
 * (named .NAME.XXXXXX, as ctl_write_atomic's), never a torn target.
 */
struct batch_entry {
	char *tmp;
	char *path;
};

struct ctl_atomic_batch {
	char *dir;
	int dfd;                     /* the directory: syncfs and the final fsync */
	struct batch_entry *e;
	size_t n, cap;
};

enum ctl_err
ctl_atomic_batch_new(const char *dir, struct ctl_atomic_batch **out, struct ctl_diag *diag)
{
	struct ctl_atomic_batch *b;

	*out = NULL;
	ctl_diag_clear(diag);
	if ((b = calloc(1, sizeof(*b))) == NULL || (b->dir = strdup(dir)) == NULL) {
		free(b);
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	}
	if ((b->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		enum ctl_err r = io_fail(diag, "cannot open the directory", dir);

		free(b->dir);
		free(b);
		return r;
	}
	*out = b;
	return CTL_OK;
}

size_t
ctl_atomic_batch_count(const struct ctl_atomic_batch *b)
{
	return b->n;
}

/* Room for one more entry. */
static CTL_MUST_USE int
batch_grow(struct ctl_atomic_batch *b)
{
	struct batch_entry *e;
	size_t cap = b->cap != 0 ? b->cap * 2 : 64;

	if (b->n < b->cap)
		return 0;
	if ((e = realloc(b->e, cap * sizeof(*e))) == NULL)
		return -1;
	b->e = e;
	b->cap = cap;
	return 0;
}

/* Writes the temporary file tmp (a mkostemp template) with p and mode; unlinked on failure. */
static CTL_MUST_USE enum ctl_err
batch_write_tmp(char *tmp, const void *p, size_t n, unsigned mode, struct ctl_diag *diag)
{
	enum ctl_err r = CTL_OK;
	int fd;

	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return io_fail(diag, "cannot create the temporary file", tmp);
	if (write_all(fd, p, n) != 0)
		r = io_fail(diag, "cannot write", tmp);
	else if (fchmod(fd, (mode_t)mode) != 0)
		r = io_fail(diag, "cannot set the mode of", tmp);
	if (close(fd) != 0 && r == CTL_OK)
		r = io_fail(diag, "cannot close", tmp);
	if (r != CTL_OK)
		unlink(tmp);
	return r;
}

enum ctl_err
ctl_atomic_batch_add(struct ctl_atomic_batch *b, const char *name, const void *p, size_t n,
                     unsigned mode, struct ctl_diag *diag)
{
	struct batch_entry e = { NULL, NULL };
	enum ctl_err r;

	ctl_diag_clear(diag);
	if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return ctli_fail(diag, CTL_E_INVAL, 0, -1, 0, "%s: not a file name in %s", name,
		                 b->dir);
	if (batch_grow(b) != 0 || asprintf(&e.tmp, "%s/.%s.XXXXXX", b->dir, name) < 0 ||
	    asprintf(&e.path, "%s/%s", b->dir, name) < 0) {
		free(e.tmp);
		return ctli_fail(diag, CTL_E_NOMEM, 0, -1, 0, "out of memory");
	}
	if ((r = batch_write_tmp(e.tmp, p, n, mode, diag)) != CTL_OK) {
		free(e.tmp);
		free(e.path);
		return r;
	}
	b->e[b->n++] = e;
	return CTL_OK;
}

/* Forgets the entries from i on, removing their temporary files. */
static void
batch_drop(struct ctl_atomic_batch *b, size_t i)
{
	for (; i < b->n; i++) {
		unlink(b->e[i].tmp);
		free(b->e[i].tmp);
		free(b->e[i].path);
	}
}

/*
 * A few files: an fsync each (a file-system sync could wait for other
 * writers' data). More: one syncfs, which writes them all in one go.
 */
#define BATCH_FSYNC_MAX 8

static CTL_MUST_USE enum ctl_err
batch_sync(struct ctl_atomic_batch *b, struct ctl_diag *diag)
{
	size_t i;
	int fd, rc;

	if (b->n > BATCH_FSYNC_MAX)
		return syncfs(b->dfd) == 0 ? CTL_OK :
		       io_fail(diag, "cannot sync the file system of", b->dir);
	for (i = 0; i < b->n; i++) {
		if ((fd = open(b->e[i].tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			return io_fail(diag, "cannot open", b->e[i].tmp);
		rc = fsync(fd);
		close(fd);
		if (rc != 0)
			return io_fail(diag, "cannot fsync", b->e[i].tmp);
	}
	return CTL_OK;
}

enum ctl_err
ctl_atomic_batch_commit(struct ctl_atomic_batch *b, size_t *done, struct ctl_diag *diag)
{
	enum ctl_err r = CTL_OK;
	size_t i = 0;

	*done = 0;
	ctl_diag_clear(diag);
	if (b->n == 0)
		return CTL_OK;
	/* Every temporary's data and inode durable before any name points at it. */
	r = batch_sync(b, diag);
	for (; r == CTL_OK && i < b->n; i++) {
		if (rename(b->e[i].tmp, b->e[i].path) != 0) {
			r = io_fail(diag, "cannot rename into", b->e[i].path);
			break;
		}
		free(b->e[i].tmp);
		free(b->e[i].path);
	}
	*done = i;
	batch_drop(b, i);
	b->n = 0;
	if (i > 0 && fsync(b->dfd) != 0 && r == CTL_OK)
		r = io_fail(diag, "cannot fsync the directory", b->dir);
	return r;
}

void
ctl_atomic_batch_free(struct ctl_atomic_batch *b)
{
	if (b == NULL)
		return;
	batch_drop(b, 0);
	free(b->e);
	close(b->dfd);
	free(b->dir);
	free(b);
}
