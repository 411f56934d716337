/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File cache (see tftp_cache.h): a chained hash of current versions, a
 * second chained hash of uncached versions still held by transfers (the
 * shared table, which bounds memory when the cache is full), an inotify
 * watch per directory that holds a cached file, and safe opening
 * with openat2(RESOLVE_BENEATH) so nothing outside the root is reachable,
 * whatever symlinks the root contains.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tftp_cache.h"

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | \
                    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define READ_TRIES 3

struct watch {
	int wd;
	char *dir; /* relative to the root, "" for the root itself */
};

struct tftp_cache {
	struct tftp_cache_cfg cfg;
	char *root;
	int rootfd;
	int ifd;                 /* inotify, -1 when unavailable */
	int have_openat2;
	struct tftp_file **tab;
	size_t tab_size, nfiles, bytes;
	struct watch *watches;
	size_t nwatches;
	uint64_t loads, reloads;
	struct tftp_file **shared;  /* uncached versions, by name hash */
	size_t shared_size, nshared, shared_bytes, shared_max;
	uint64_t shared_hits, busy;
};

const char *
tftp_cache_errstr(enum tftp_cache_err e)
{
	switch (e) {
	case TFTP_C_OK: return "ok";
	case TFTP_C_NOTFOUND: return "file not found";
	case TFTP_C_ESCAPE: return "path leaves the root";
	case TFTP_C_NOTREG: return "not a regular file";
	case TFTP_C_DIR: return "is a directory";
	case TFTP_C_PERM: return "not world-readable";
	case TFTP_C_HARDLINK: return "file has several hard links";
	case TFTP_C_TOO_LARGE: return "file too large";
	case TFTP_C_CHANGING: return "file kept changing while read";
	case TFTP_C_IO: return "read error";
	case TFTP_C_NOMEM: return "out of memory";
	case TFTP_C_BUSY: return "server busy, uncached files over their memory budget";
	}
	return "cache error";
}

enum tftp_ecode
tftp_cache_ecode(enum tftp_cache_err e)
{
	switch (e) {
	case TFTP_C_NOTFOUND:
		return TFTP_ENOTFOUND;
	case TFTP_C_ESCAPE:
	case TFTP_C_NOTREG:
	case TFTP_C_DIR:
	case TFTP_C_PERM:
	case TFTP_C_HARDLINK:
		return TFTP_EACCESS;
	case TFTP_C_TOO_LARGE:
		return TFTP_ENOSPACE;
	case TFTP_C_OK:
	case TFTP_C_CHANGING:
	case TFTP_C_IO:
	case TFTP_C_NOMEM:
	case TFTP_C_BUSY:
		return TFTP_EUNDEF;
	}
	return TFTP_EUNDEF;
}

static uint32_t
hash_name(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static uint64_t
ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* ---- versions --------------------------------------------------------- */

struct tftp_file *
tftp_file_ref(struct tftp_file *f)
{
	f->refs++;
	return f;
}

static void shared_del(struct tftp_file *f);

void
tftp_file_unref(struct tftp_file *f)
{
	if (f == NULL || --f->refs > 0)
		return;
	shared_del(f);
	free((void *)f->data);
	free(f->ascii);
	free(f);
}

int
tftp_file_image(struct tftp_file *f, enum tftp_mode mode, const uint8_t **p, size_t *n)
{
	size_t extra = 0, o = 0;

	if (mode != TFTP_MODE_NETASCII) {
		*p = f->data;
		*n = f->size;
		return 0;
	}
	if (f->ascii == NULL) {
		for (size_t i = 0; i < f->size; i++)
			extra += f->data[i] == '\n' || f->data[i] == '\r';
		if ((f->ascii = malloc(f->size + extra + 1)) == NULL)
			return -1;
		for (size_t i = 0; i < f->size; i++) {
			uint8_t c = f->data[i];

			if (c == '\n') {
				f->ascii[o++] = '\r';
				f->ascii[o++] = '\n';
			} else if (c == '\r') {
				f->ascii[o++] = '\r';
				f->ascii[o++] = '\0';
			} else {
				f->ascii[o++] = c;
			}
		}
		f->ascii_size = o;
	}
	*p = f->ascii;
	*n = f->ascii_size;
	return 0;
}

/* ---- shared (uncached) versions ---------------------------------------- */

/*
 * A version outside the cache is linked here while transfers hold it;
 * the last tftp_file_unref() unlinks it. The cache holds no reference,
 * so the table never keeps a version alive by itself.
 */
static void
shared_link(struct tftp_file **head, struct tftp_file *f)
{
	f->lnext = *head;
	f->lprev = head;
	if (*head != NULL)
		(*head)->lprev = &f->lnext;
	*head = f;
}

static void
shared_grow(struct tftp_cache *c)
{
	size_t nsize = c->shared_size * 2;
	struct tftp_file **n = calloc(nsize, sizeof(*n));

	if (n == NULL)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < c->shared_size; i++)
		while (c->shared[i] != NULL) {
			struct tftp_file *f = c->shared[i];

			c->shared[i] = f->lnext;
			shared_link(&n[f->hash & (nsize - 1)], f);
		}
	free(c->shared);
	c->shared = n;
	c->shared_size = nsize;
}

static void
shared_add(struct tftp_cache *c, struct tftp_file *f)
{
	f->owner = c;
	shared_link(&c->shared[f->hash & (c->shared_size - 1)], f);
	c->nshared++;
	c->shared_bytes += f->size;
	if (c->nshared > c->shared_size)
		shared_grow(c);
}

static void
shared_del(struct tftp_file *f)
{
	struct tftp_cache *c = f->owner;

	if (c == NULL)
		return;
	*f->lprev = f->lnext;
	if (f->lnext != NULL)
		f->lnext->lprev = f->lprev;
	f->lnext = NULL;
	f->lprev = NULL;
	f->owner = NULL;
	c->nshared--;
	c->shared_bytes -= f->size;
}

/* The held version of name whose file is still the one st describes, or NULL. */
static struct tftp_file *
shared_find(struct tftp_cache *c, const char *name, uint32_t h, const struct stat *st)
{
	struct tftp_file *f = c->shared[h & (c->shared_size - 1)];

	for (; f != NULL; f = f->lnext)
		if (!f->stale && f->hash == h && strcmp(f->name, name) == 0 && f->dev == (uint64_t)st->st_dev &&
		    f->ino == (uint64_t)st->st_ino && f->size == (size_t)st->st_size &&
		    f->mtime_ns == ts_ns(&st->st_mtim) && f->ctime_ns == ts_ns(&st->st_ctim))
			return f;
	return NULL;
}

/* Cache teardown: held versions stay valid but no longer point at the cache. */
static void
shared_detach_all(struct tftp_cache *c)
{
	for (size_t i = 0; i < c->shared_size; i++)
		while (c->shared[i] != NULL)
			shared_del(c->shared[i]);
}

/* ---- table ------------------------------------------------------------ */

static struct tftp_file **
slot_of(struct tftp_cache *c, const char *name, uint32_t h)
{
	struct tftp_file **pp = &c->tab[h & (c->tab_size - 1)];

	while (*pp != NULL && ((*pp)->hash != h || strcmp((*pp)->name, name) != 0))
		pp = &(*pp)->hnext;
	return pp;
}

static void
drop_slot(struct tftp_cache *c, struct tftp_file **pp)
{
	struct tftp_file *f = *pp;

	*pp = f->hnext;
	f->hnext = NULL;
	f->cached = 0;
	c->nfiles--;
	c->bytes -= f->size;
	/* Still held by transfers: its memory now counts against the uncached budget. */
	if (f->refs > 1)
		shared_add(c, f);
	tftp_file_unref(f);
}

static void
drop_name(struct tftp_cache *c, const char *name)
{
	struct tftp_file **pp = slot_of(c, name, hash_name(name));

	if (*pp != NULL) {
		drop_slot(c, pp);
		c->reloads++;
	}
}

static void
flush_all(struct tftp_cache *c)
{
	for (size_t i = 0; i < c->tab_size; i++)
		while (c->tab[i] != NULL) {
			drop_slot(c, &c->tab[i]);
			c->reloads++;
		}
}

static void
grow_table(struct tftp_cache *c)
{
	size_t nsize = c->tab_size * 2;
	struct tftp_file **n = calloc(nsize, sizeof(*n));

	if (n == NULL)
		return; /* longer chains, still correct */
	for (size_t i = 0; i < c->tab_size; i++) {
		struct tftp_file *f = c->tab[i], *next;

		for (; f != NULL; f = next) {
			next = f->hnext;
			f->hnext = n[f->hash & (nsize - 1)];
			n[f->hash & (nsize - 1)] = f;
		}
	}
	free(c->tab);
	c->tab = n;
	c->tab_size = nsize;
}

/* ---- inotify ---------------------------------------------------------- */

static struct watch *
watch_by_wd(struct tftp_cache *c, int wd)
{
	for (size_t i = 0; i < c->nwatches; i++)
		if (c->watches[i].wd == wd)
			return &c->watches[i];
	return NULL;
}

/* Watches the directory of name; 0, or -1 when it cannot be watched. */
CTL_MUST_USE static int
watch_dir_of(struct tftp_cache *c, const char *name)
{
	const char *slash = strrchr(name, '/');
	size_t dlen = slash != NULL ? (size_t)(slash - name) : 0;
	char path[4096];
	struct watch *nw;
	char *dir;
	int wd, w;

	if (c->ifd < 0)
		return -1;
	for (size_t i = 0; i < c->nwatches; i++)
		if (strlen(c->watches[i].dir) == dlen && strncmp(c->watches[i].dir, name, dlen) == 0)
			return 0;
	w = snprintf(path, sizeof(path), "%s/%.*s", c->root, (int)dlen, name);
	if (w < 0 || (size_t)w >= sizeof(path))
		return -1;
	/* IN_DONT_FOLLOW: a symlinked directory is checked by stat instead. */
	if ((wd = inotify_add_watch(c->ifd, path, WATCH_MASK | IN_DONT_FOLLOW)) < 0)
		return -1;
	if ((dir = strndup(name, dlen)) == NULL)
		return -1;
	if ((nw = realloc(c->watches, (c->nwatches + 1) * sizeof(*nw))) == NULL) {
		free(dir);
		return -1;
	}
	c->watches = nw;
	c->watches[c->nwatches].wd = wd;
	c->watches[c->nwatches].dir = dir;
	c->nwatches++;
	return 0;
}

static void
forget_watch(struct tftp_cache *c, struct watch *w)
{
	free(w->dir);
	*w = c->watches[--c->nwatches];
}

static void
handle_event(struct tftp_cache *c, const struct inotify_event *ev)
{
	struct watch *w;
	char path[4096];
	int n;

	if (ev->mask & IN_Q_OVERFLOW) {
		flush_all(c);
		return;
	}
	if ((w = watch_by_wd(c, ev->wd)) == NULL)
		return;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
		/* The directory itself went away or moved: every name under it is stale. */
		if (ev->mask & IN_IGNORED)
			forget_watch(c, w);
		flush_all(c);
		return;
	}
	if (ev->len == 0)
		return;
	n = w->dir[0] != '\0' ? snprintf(path, sizeof(path), "%s/%s", w->dir, ev->name)
	                      : snprintf(path, sizeof(path), "%s", ev->name);
	if (n < 0 || (size_t)n >= sizeof(path))
		flush_all(c);
	else
		drop_name(c, path);
}

void
tftp_cache_poll(struct tftp_cache *c)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (c->ifd < 0)
		return;
	while ((n = read(c->ifd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		/* Records come from the kernel, each a struct plus len name bytes. */
		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev = (const void *)(buf + off);

			if (ev->len > (size_t)n - off - sizeof(*ev))
				break;
			handle_event(c, ev);
			off += sizeof(*ev) + ev->len;
		}
	}
}

int
tftp_cache_fd(const struct tftp_cache *c)
{
	return c->ifd;
}

/* ---- opening and reading ---------------------------------------------- */

CTL_MUST_USE static int
open_beneath(struct tftp_cache *c, const char *name)
{
	struct open_how how;
	int fd;

	if (c->have_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
		fd = (int)syscall(SYS_openat2, c->rootfd, name, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		c->have_openat2 = 0;
	}
	/* Kernels before 5.6: no symlink is followed at all. */
	{
		char part[4096];
		const char *p = name;
		int dfd = dup(c->rootfd);

		if (dfd < 0)
			return -1;
		for (;;) {
			const char *slash = strchr(p, '/');
			size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
			int nfd;

			if (len >= sizeof(part)) {
				close(dfd);
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(part, p, len);
			part[len] = '\0';
			nfd = openat(dfd, part, (slash != NULL ? O_DIRECTORY | O_PATH : O_RDONLY | O_NONBLOCK |
			             O_NOCTTY) | O_NOFOLLOW | O_CLOEXEC);
			close(dfd);
			if (nfd < 0 || slash == NULL)
				return nfd;
			dfd = nfd;
			p = slash + 1;
		}
	}
}

static enum tftp_cache_err
map_open_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		return TFTP_C_NOTFOUND;
	case EXDEV: /* RESOLVE_BENEATH / RESOLVE_NO_XDEV refusal */
	case ELOOP: /* O_NOFOLLOW on a symlink, or a loop */
		return TFTP_C_ESCAPE;
	case EACCES:
	case EPERM:
		return TFTP_C_PERM;
	case ENOMEM:
		return TFTP_C_NOMEM;
	case ENXIO:
	case ENODEV:
		return TFTP_C_NOTREG;
	default:
		return TFTP_C_IO;
	}
}

CTL_MUST_USE static enum tftp_cache_err
check_stat(const struct tftp_cache *c, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return TFTP_C_DIR;
	if (!S_ISREG(st->st_mode))
		return TFTP_C_NOTREG;
	if (!(st->st_mode & S_IROTH))
		return TFTP_C_PERM;
	/* A hard link could make a file from elsewhere on the file system appear in the root. */
	if (st->st_nlink > 1 && !c->cfg.allow_hardlinks)
		return TFTP_C_HARDLINK;
	if ((uint64_t)st->st_size > c->cfg.max_file)
		return TFTP_C_TOO_LARGE;
	return TFTP_C_OK;
}

static int
same_version(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       ts_ns(&a->st_mtim) == ts_ns(&b->st_mtim) && ts_ns(&a->st_ctim) == ts_ns(&b->st_ctim);
}

/* Reads the whole file; TFTP_C_CHANGING when it changed while being read. */
CTL_MUST_USE static enum tftp_cache_err
read_all(int fd, const struct stat *st, uint8_t **out)
{
	size_t size = (size_t)st->st_size, got = 0;
	uint8_t *buf = malloc(size > 0 ? size : 1);
	struct stat st2;

	*out = NULL;
	if (buf == NULL)
		return TFTP_C_NOMEM;
	while (got < size) {
		ssize_t r = pread(fd, buf + got, size - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return r == 0 ? TFTP_C_CHANGING : TFTP_C_IO;
		}
		got += (size_t)r;
	}
	if (fstat(fd, &st2) < 0 || !same_version(st, &st2)) {
		free(buf);
		return TFTP_C_CHANGING;
	}
	*out = buf;
	return TFTP_C_OK;
}

/* 1 when a new copy of size bytes fits in the cache or in the uncached budget. */
static int
may_read(const struct tftp_cache *c, size_t size)
{
	return c->bytes + size <= c->cfg.max_total || c->shared_bytes + size <= c->shared_max;
}

/*
 * Opens name; a version of the same file that transfers still hold is
 * shared (*out then has owner set), otherwise the file is read into a new
 * version. *out is a new reference.
 */
CTL_MUST_USE static enum tftp_cache_err
load_once(struct tftp_cache *c, const char *name, uint32_t h, struct tftp_file **out,
          int *sys_errno)
{
	size_t nlen = strlen(name);
	struct tftp_file *f;
	struct stat st;
	uint8_t *data;
	enum tftp_cache_err e;
	int fd;

	*out = NULL;
	if ((fd = open_beneath(c, name)) < 0) {
		*sys_errno = errno;
		return map_open_errno(errno);
	}
	if (fstat(fd, &st) < 0) {
		*sys_errno = errno;
		close(fd);
		return TFTP_C_IO;
	}
	if ((e = check_stat(c, &st)) == TFTP_C_OK && (f = shared_find(c, name, h, &st)) != NULL) {
		close(fd);
		c->shared_hits++;
		*out = tftp_file_ref(f);
		return TFTP_C_OK;
	}
	if (e == TFTP_C_OK && !may_read(c, (size_t)st.st_size)) {
		close(fd);
		c->busy++;
		return TFTP_C_BUSY;
	}
	if (e != TFTP_C_OK || (e = read_all(fd, &st, &data)) != TFTP_C_OK) {
		*sys_errno = errno;
		close(fd);
		return e;
	}
	close(fd);
	if ((f = calloc(1, sizeof(*f) + nlen + 1)) == NULL) {
		free(data);
		return TFTP_C_NOMEM;
	}
	memcpy(f->name_buf, name, nlen + 1);
	f->name = f->name_buf;
	f->data = data;
	f->size = (size_t)st.st_size;
	f->refs = 1;
	f->hash = h;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->mtime_ns = ts_ns(&st.st_mtim);
	f->ctime_ns = ts_ns(&st.st_ctim);
	*out = f;
	return TFTP_C_OK;
}

/* Without a reliable inotify watch, a cached version is checked by stat. */
static int
still_current(struct tftp_cache *c, const struct tftp_file *f)
{
	struct stat st;

	if (fstatat(c->rootfd, f->name, &st, 0) < 0)
		return 0;
	return (uint64_t)st.st_dev == f->dev && (uint64_t)st.st_ino == f->ino &&
	       (size_t)st.st_size == f->size && ts_ns(&st.st_mtim) == f->mtime_ns &&
	       ts_ns(&st.st_ctim) == f->ctime_ns;
}

/* 1 when name (or its directory) is a symlink, so inotify on the name's directory is not enough. */
static int
needs_stat_check(struct tftp_cache *c, const char *name)
{
	struct stat st;

	if (c->ifd < 0 || watch_dir_of(c, name) < 0)
		return 1;
	return fstatat(c->rootfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISLNK(st.st_mode);
}

enum tftp_cache_err
tftp_cache_get(struct tftp_cache *c, const char *name, struct tftp_file **out, int *sys_errno)
{
	uint32_t h = hash_name(name);
	struct tftp_file **pp = slot_of(c, name, h);
	struct tftp_file *f = NULL;
	enum tftp_cache_err e = TFTP_C_CHANGING;
	int dummy = 0;

	*out = NULL;
	if (sys_errno == NULL)
		sys_errno = &dummy;
	*sys_errno = 0;
	if (*pp != NULL) {
		/* cached == 2: version found through a symlink or unwatched directory. */
		if ((*pp)->cached == 1 || still_current(c, *pp)) {
			*out = tftp_file_ref(*pp);
			return TFTP_C_OK;
		}
		drop_slot(c, pp);
		c->reloads++;
	}
	/*
	 * Watch the directory before reading: a rename between the read and a
	 * later watch would raise no event, and the old bytes would stay cached
	 * as current. A directory that cannot be watched is stat-checked
	 * instead (needs_stat_check below).
	 */
	if (c->ifd >= 0)
		CTL_IGNORE_RESULT(watch_dir_of(c, name));
	for (int i = 0; i < READ_TRIES && e == TFTP_C_CHANGING; i++)
		e = load_once(c, name, h, &f, sys_errno);
	if (e != TFTP_C_OK)
		return e;
	if (f->owner == NULL)
		c->loads++;
	if (c->bytes + f->size <= c->cfg.max_total) {
		shared_del(f); /* a held version moves (back) into the cache */
		f->cached = needs_stat_check(c, name) ? 2 : 1;
		pp = slot_of(c, name, h);
		f->hnext = NULL;
		*pp = tftp_file_ref(f);
		c->nfiles++;
		c->bytes += f->size;
		if (c->nfiles > c->tab_size)
			grow_table(c);
	} else if (f->owner == NULL) {
		shared_add(c, f);
	}
	*out = f;
	return TFTP_C_OK;
}

/* ---- reload ----------------------------------------------------------- */

static void
forget_all_watches(struct tftp_cache *c)
{
	/* The IN_IGNORED events that follow name unknown descriptors and are skipped. */
	for (size_t i = 0; i < c->nwatches; i++) {
		(void)inotify_rm_watch(c->ifd, c->watches[i].wd);
		free(c->watches[i].dir);
	}
	c->nwatches = 0;
}

CTL_MUST_USE static enum tftp_cache_err
reopen_root(struct tftp_cache *c, int *sys_errno)
{
	char *real = realpath(c->cfg.root, NULL);
	int fd;

	if (real == NULL) {
		*sys_errno = errno;
		return errno == ENOMEM ? TFTP_C_NOMEM : map_open_errno(errno);
	}
	if ((fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*sys_errno = errno;
		free(real);
		return map_open_errno(*sys_errno);
	}
	close(c->rootfd);
	c->rootfd = fd;
	free(c->root);
	c->root = real;
	return TFTP_C_OK;
}

enum tftp_cache_err
tftp_cache_reload(struct tftp_cache *c, int *sys_errno)
{
	int dummy = 0;

	if (sys_errno == NULL)
		sys_errno = &dummy;
	*sys_errno = 0;
	flush_all(c);
	/* Held versions keep counting against the budget but are read afresh for new requests. */
	for (size_t i = 0; i < c->shared_size; i++)
		for (struct tftp_file *f = c->shared[i]; f != NULL; f = f->lnext)
			f->stale = 1;
	if (c->ifd >= 0)
		forget_all_watches(c);
	return reopen_root(c, sys_errno);
}

/* ---- life cycle ------------------------------------------------------- */

static int
probe_openat2(int rootfd)
{
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH;
	fd = (int)syscall(SYS_openat2, rootfd, ".", &how, sizeof(how));
	if (fd < 0)
		return errno != ENOSYS;
	close(fd);
	return 1;
}

struct tftp_cache *
tftp_cache_new(const struct tftp_cache_cfg *cfg, enum tftp_cache_err *err, int *sys_errno)
{
	struct tftp_cache *c = calloc(1, sizeof(*c));

	*err = TFTP_C_NOMEM;
	*sys_errno = 0;
	if (c == NULL)
		return NULL;
	c->cfg = *cfg;
	c->ifd = -1;
	c->tab_size = 64;
	/* The resolved path, so inotify (IN_DONT_FOLLOW) watches the real directory. */
	if ((c->root = realpath(cfg->root, NULL)) == NULL) {
		*sys_errno = errno;
		*err = errno == ENOMEM ? TFTP_C_NOMEM : map_open_errno(errno);
		c->rootfd = -1;
		goto fail_nofd;
	}
	c->shared_size = 64;
	c->shared_max = cfg->max_uncached != 0 ? cfg->max_uncached
	              : cfg->max_total > cfg->max_file ? cfg->max_total : cfg->max_file;
	if ((c->tab = calloc(c->tab_size, sizeof(*c->tab))) == NULL ||
	    (c->shared = calloc(c->shared_size, sizeof(*c->shared))) == NULL)
		goto fail;
	if ((c->rootfd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*sys_errno = errno;
		*err = map_open_errno(errno);
		goto fail_nofd;
	}
	c->have_openat2 = probe_openat2(c->rootfd);
	if (!cfg->no_inotify)
		c->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	*err = TFTP_C_OK;
	return c;
fail:
	c->rootfd = -1;
fail_nofd:
	free(c->shared);
	free(c->tab);
	free(c->root);
	free(c);
	return NULL;
}

void
tftp_cache_free(struct tftp_cache *c)
{
	if (c == NULL)
		return;
	flush_all(c);
	shared_detach_all(c);
	free(c->shared);
	for (size_t i = 0; i < c->nwatches; i++)
		free(c->watches[i].dir);
	free(c->watches);
	if (c->ifd >= 0)
		close(c->ifd);
	if (c->rootfd >= 0)
		close(c->rootfd);
	free(c->tab);
	free(c->root);
	free(c);
}

void
tftp_cache_stats(const struct tftp_cache *c, struct tftp_cache_stats *st)
{
	st->files = c->nfiles;
	st->bytes = c->bytes;
	st->loads = c->loads;
	st->reloads = c->reloads;
	st->shared_files = c->nshared;
	st->shared_bytes = c->shared_bytes;
	st->shared_hits = c->shared_hits;
	st->busy = c->busy;
}
