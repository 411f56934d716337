/* SPDX-License-Identifier: Apache-2.0 */
/*
 * In-memory file cache for the TFTP root. Each name maps to its current
 * version, a refcounted immutable image of the file. A transfer holds a
 * reference for its whole life, so a reload never changes the bytes of a
 * transfer in progress; the next request gets the new version.
 *
 * Reload is driven by inotify on the directories holding cached files
 * (create, close-after-write, rename, delete, attribute change drop the
 * cached version). Writers in this project replace files with rename(2),
 * so a file is opened either before or after the replacement, never half
 * written; a read that sees the size or mtime change under it is retried.
 * Without inotify every lookup re-checks the file with fstatat().
 *
 * Memory stays bounded whatever the cache state: a version that does not
 * fit in the cache (or was dropped from it while transfers still hold it)
 * is kept in a second table for as long as any transfer holds it, so
 * every request for the same name and the same file (device, inode, size,
 * mtime, ctime) shares one copy. Those uncached versions together stay
 * under a budget; a request that would exceed it is refused as busy
 * (TFTP ERROR 0, the phone retries) instead of reading another copy.
 */
#ifndef TFTP_CACHE_H
#define TFTP_CACHE_H

#include "ctl/err.h"
#include <stddef.h>
#include <stdint.h>

#include "tftp_codec.h"

enum tftp_cache_err {
	TFTP_C_OK = 0,
	TFTP_C_NOTFOUND,   /* no such file (or a path component is not a directory) */
	TFTP_C_ESCAPE,     /* resolution would leave the root (symlink, mount) */
	TFTP_C_NOTREG,     /* device, FIFO, socket */
	TFTP_C_DIR,        /* a directory */
	TFTP_C_PERM,       /* not world-readable, or the server may not read it */
	TFTP_C_HARDLINK,   /* regular file with more than one link */
	TFTP_C_TOO_LARGE,  /* over the configured maximum file size */
	TFTP_C_CHANGING,   /* kept changing while being read */
	TFTP_C_IO,         /* other read error */
	TFTP_C_NOMEM,
	TFTP_C_BUSY        /* uncached versions would exceed their memory budget */
};

const char *tftp_cache_errstr(enum tftp_cache_err e);
/* TFTP ERROR code for a lookup failure (1 not found, 2 access, 0 other). */
enum tftp_ecode tftp_cache_ecode(enum tftp_cache_err e);

struct tftp_cache_cfg {
	const char *root;      /* directory served; also the inotify base path */
	size_t max_file;       /* largest file served, bytes */
	size_t max_total;      /* bytes kept cached; larger sets are served uncached */
	int allow_hardlinks;   /* serve files with st_nlink > 1 */
	int no_inotify;        /* force the fstatat() check on every lookup */
	size_t max_uncached;   /* budget for versions held outside the cache;
	                          0 = the larger of max_total and max_file */
};

struct tftp_cache;

/* One version of one file; read-only once published. */
struct tftp_file {
	const char *name;      /* relative name as looked up */
	const uint8_t *data;
	size_t size;
	/* internal */
	unsigned refs;
	int cached;
	uint32_t hash;
	struct tftp_file *hnext;
	uint8_t *ascii;        /* netascii image, made on first use */
	size_t ascii_size;
	uint64_t dev, ino, mtime_ns, ctime_ns;
	struct tftp_cache *owner;   /* set while in the uncached (shared) table */
	int stale;                  /* shared no more: a reload asked for a fresh read */
	struct tftp_file *lnext, **lprev;
	char name_buf[];
};

/* Opens the root and sets up inotify. NULL on failure with *err set. */
CTL_MUST_USE struct tftp_cache *tftp_cache_new(const struct tftp_cache_cfg *cfg, enum tftp_cache_err *err,
                                               int *sys_errno);
/* Drops the cache's references; files still held by transfers stay valid. */
void tftp_cache_free(struct tftp_cache *c);

/* inotify descriptor to watch for LOOP_READ, or -1 without inotify. */
int tftp_cache_fd(const struct tftp_cache *c);
/* Reads pending inotify events and drops changed versions. Never blocks. */
void tftp_cache_poll(struct tftp_cache *c);

/*
 * Reload (SIGHUP): reopens the root directory (it may have been replaced),
 * drops every cached version and every inotify watch, so each name is
 * looked up afresh on its next request. Versions held by transfers stay
 * valid. On failure to reopen the root the old root is kept and the
 * error returned (sys_errno, may be NULL, gets the errno); the cache is
 * flushed either way.
 */
CTL_MUST_USE enum tftp_cache_err tftp_cache_reload(struct tftp_cache *c, int *sys_errno);

/*
 * Looks up a validated relative name; loads it on a miss. On success *out
 * holds a new reference (release with tftp_file_unref()). sys_errno (may
 * be NULL) receives the errno behind TFTP_C_IO.
 */
CTL_MUST_USE enum tftp_cache_err tftp_cache_get(struct tftp_cache *c, const char *name,
                                                struct tftp_file **out, int *sys_errno);

/* Takes one more reference. */
struct tftp_file *tftp_file_ref(struct tftp_file *f);
/* Releases a reference; the version is freed with its last one. NULL ok. */
void tftp_file_unref(struct tftp_file *f);

/*
 * The bytes to send in mode: the file itself for octet, its netascii
 * image (LF -> CR LF, CR -> CR NUL; RFC 764) for netascii, made once per
 * version. Returns 0, or -1 when memory runs out.
 */
CTL_MUST_USE int tftp_file_image(struct tftp_file *f, enum tftp_mode mode, const uint8_t **p, size_t *n);

/* Counters for the status line. */
struct tftp_cache_stats {
	size_t files;
	size_t bytes;
	uint64_t loads;
	uint64_t reloads;     /* versions dropped because the file changed */
	size_t shared_files;  /* uncached versions still held by transfers */
	size_t shared_bytes;
	uint64_t shared_hits; /* requests served from a held uncached version */
	uint64_t busy;        /* requests refused by the uncached budget */
};
void tftp_cache_stats(const struct tftp_cache *c, struct tftp_cache_stats *st);

#endif
