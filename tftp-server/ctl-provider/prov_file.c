/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading files the provider does not fully control: CTLFile.tlv in the
 * TFTP root (anyone who can write there could plant a symbolic link to a
 * secret, or a FIFO that blocks every open), the mode file and the
 * credential file. The name is opened with O_NOFOLLOW (a link is refused,
 * never followed) and O_NONBLOCK (a FIFO or device opens at once), and the
 * descriptor is fstat'ed: only a regular file is read, and only the file
 * that was checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "provider.h"

static const char *
kind_name(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" :
	    S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" : "not a regular file";
}

/* Reads exactly n bytes (a regular file: no EAGAIN); -1 on error or a shorter file. */
static CTL_MUST_USE int
read_all(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

enum prov_file
prov_file_read(const char *path, size_t max, uint8_t **out, size_t *len, struct stat *st,
               char *msg, size_t msglen)
{
	struct stat sb;
	uint8_t *buf;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT) {
			snprintf(msg, msglen, "%s: no such file", path);
			return PROV_FILE_MISSING;
		}
		if (errno == ELOOP) {
			snprintf(msg, msglen, "%s is a symbolic link; refusing to follow it", path);
			return PROV_FILE_REFUSED;
		}
		snprintf(msg, msglen, "%s: cannot open: %s", path, strerror(errno));
		return PROV_FILE_IO;
	}
	if (fstat(fd, &sb) != 0) {
		snprintf(msg, msglen, "%s: fstat: %s", path, strerror(errno));
		close(fd);
		return PROV_FILE_IO;
	}
	if (!S_ISREG(sb.st_mode) || (unsigned long long)sb.st_size > max) {
		if (S_ISREG(sb.st_mode))
			snprintf(msg, msglen, "%s: %lld bytes, more than the %zu allowed", path,
			         (long long)sb.st_size, max);
		else
			snprintf(msg, msglen, "%s is %s, not a regular file; refusing it", path,
			         kind_name(sb.st_mode));
		close(fd);
		return PROV_FILE_REFUSED;
	}
	if ((buf = malloc(sb.st_size > 0 ? (size_t)sb.st_size : 1)) == NULL ||
	    read_all(fd, buf, (size_t)sb.st_size) != 0) {
		snprintf(msg, msglen, "%s: %s", path, buf == NULL ? "out of memory" :
		         "read failed or the file shrank while being read");
		free(buf);
		close(fd);
		return PROV_FILE_IO;
	}
	close(fd);
	*out = buf;
	*len = (size_t)sb.st_size;
	if (st != NULL)
		*st = sb;
	return PROV_FILE_OK;
}
