/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed configuration files (doc/sbd.md): SEP<MAC>.cnf.xml in the TFTP
 * root gets SEP<MAC>.cnf.xml.sgn beside it, signed by this node's
 * CallManager key, as the serving TFTP node signs them in CUCM. With
 * device_cert_dir/SEP<MAC>.pem, the full file also goes encrypted into
 * SEP<MAC>.cnf.xml.enc.sgn and the .sgn carries the signed companion
 * (certHash, encrConfig true) instead.
 *
 * An inotify watch on the root (IN_CLOSE_WRITE and IN_MOVED_TO: written
 * or renamed in; IN_DELETE and IN_MOVED_FROM: gone) drives one thread;
 * a scan at start and on SIGHUP covers what happened while nobody
 * watched. Only names of the form SEP<12 hex>.cnf.xml are looked at, so
 * the node never signs its own output. The plain file is read with
 * O_NOFOLLOW (prov_file_read): a symbolic link is never followed, and its
 * stale outputs are removed. Outputs of a start scan, a SIGHUP or a burst
 * of events are written together with a ctl_atomic_batch (one sync for
 * all of them, each file still renamed complete into place).
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <ctl/encsgn.h>

#include "provider.h"

#define CONFIG_MAX (4u * 1024u * 1024u)
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR | \
                    IN_DONT_FOLLOW)

struct prov_sgnwatch {
	struct prov_sbd *sbd;
	int ifd;
	pthread_t thread;
	int running;
	atomic_int stop;             /* set by prov_sgnwatch_stop, read by the thread */
};

int
prov_sgn_config_name(const char *name)
{
	size_t i;

	/* "SEP" + 12 hex digits + ".cnf.xml": exactly 23 bytes, so name + 15 is inside it. */
	if (strlen(name) != 23 || strncmp(name, "SEP", 3) != 0 || strcmp(name + 15, ".cnf.xml") != 0)
		return 0;
	for (i = 3; i < 15; i++)
		if (ctl_hex_digit((unsigned char)name[i]) < 0)
			return 0;
	return 1;
}

/* ROOT/NAME SUFFIX into out; -1 when it does not fit. */
static CTL_MUST_USE int
path_of(const struct prov_sbd *s, const char *name, const char *suffix, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s%s", s->cfg->tftp_root, name, suffix);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/*
 * A pass: the names of one start scan, one SIGHUP or one burst of inotify
 * events. Their outputs go into one ctl_atomic_batch, committed every
 * PASS_CHUNK names and at the end: one file-system sync and one directory
 * fsync per commit instead of two fsyncs per file, each output still
 * renamed complete into place. s->lock is held from the read of a chunk's
 * first name to its commit, so a SIGHUP's new key never loses to a
 * signature made with the old one, and waits at most one chunk.
 */
#define PASS_CHUNK 256

struct sgn_pending {
	char name[24];               /* SEP<MAC>.cnf.xml */
	size_t len;                  /* bytes of configuration, for the log */
	size_t end;                  /* batch entries up to and including this name's */
	int enc;                     /* .enc.sgn and the companion */
};

struct sgn_pass {
	struct prov_sbd *s;
	struct ctl_atomic_batch *batch; /* NULL: ctl_write_atomic file by file */
	struct sgn_pending pend[PASS_CHUNK];
	size_t n;
	int signed_n, failed_n;
};

static void
pass_begin(struct sgn_pass *ps, struct prov_sbd *s)
{
	struct ctl_diag d;

	memset(ps, 0, sizeof(*ps));
	ps->s = s;
	if (ctl_atomic_batch_new(s->cfg->tftp_root, &ps->batch, &d) != CTL_OK)
		prov_logp(LOG_WARNING, "signing configuration files one by one: %s", d.msg);
	pthread_mutex_lock(&s->lock);
}

/* 1 when name has outputs waiting in the batch. */
static int
pass_has(const struct sgn_pass *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (strcmp(ps->pend[i].name, name) == 0)
			return 1;
	return 0;
}

/* Commits the waiting outputs and logs each name's result. */
static void
pass_flush(struct sgn_pass *ps)
{
	struct ctl_diag d;
	size_t i, done = 0;
	enum ctl_err r = CTL_OK;

	memset(&d, 0, sizeof(d));
	if (ps->batch != NULL && ctl_atomic_batch_count(ps->batch) > 0)
		r = ctl_atomic_batch_commit(ps->batch, &done, &d);
	for (i = 0; i < ps->n; i++) {
		const struct sgn_pending *p = &ps->pend[i];

		if (ps->batch == NULL || (r == CTL_OK && p->end <= done)) {
			prov_log("signed %s.sgn%s (%zu bytes of configuration)", p->name,
			         p->enc ? " (companion) and .enc.sgn" : "", p->len);
			ps->signed_n++;
		} else {
			prov_logp(LOG_ERR, "cannot sign %s: %s", p->name, d.msg);
			ps->failed_n++;
		}
	}
	ps->n = 0;
}

/* Ends the pass; the number of names signed. */
static int
pass_end(struct sgn_pass *ps)
{
	pass_flush(ps);
	pthread_mutex_unlock(&ps->s->lock);
	ctl_atomic_batch_free(ps->batch);
	return ps->signed_n;
}

/* Records name as waiting (or, without a batch, written); a full chunk is committed. */
static void
pass_note(struct sgn_pass *ps, const char *name, size_t len, int enc)
{
	struct sgn_pending *p = &ps->pend[ps->n++];

	snprintf(p->name, sizeof(p->name), "%s", name);
	p->len = len;
	p->enc = enc;
	p->end = ps->batch != NULL ? ctl_atomic_batch_count(ps->batch) : 0;
	if (ps->n == PASS_CHUNK) {
		pass_flush(ps);
		/* Let a SIGHUP or a request in between two chunks. */
		pthread_mutex_unlock(&ps->s->lock);
		pthread_mutex_lock(&ps->s->lock);
	}
}

/* Writes ROOT/NAME SUFFIX: into the batch, or atomically on its own. */
static CTL_MUST_USE enum ctl_err
put_output(struct sgn_pass *ps, const char *name, const char *suffix, const uint8_t *p,
           size_t n, struct ctl_diag *d)
{
	char path[PROV_PATH_MAX + 64], fname[64];

	snprintf(fname, sizeof(fname), "%s%s", name, suffix);
	if (ps->batch != NULL)
		return ctl_atomic_batch_add(ps->batch, fname, p, n, 0644, d);
	if (path_of(ps->s, name, suffix, path, sizeof(path)) != 0) {
		snprintf(d->msg, sizeof(d->msg), "path too long");
		return CTL_E_TOO_LARGE;
	}
	return ctl_write_atomic(path, p, n, 0644, d);
}

/*
 * Removes NAME.sgn and NAME.enc.sgn; the plain file is gone or unusable.
 * Outputs of name still waiting in the batch are committed first, so
 * they cannot come back after the removal.
 */
static void
remove_outputs(struct sgn_pass *ps, const char *name, const char *why)
{
	static const char *const suffix[] = { ".sgn", ".enc.sgn" };
	char path[PROV_PATH_MAX + 64];
	size_t i;

	if (pass_has(ps, name))
		pass_flush(ps);
	for (i = 0; i < 2; i++)
		if (path_of(ps->s, name, suffix[i], path, sizeof(path)) == 0 && unlink(path) == 0)
			prov_log("removed %s: %s", path, why);
}

/* The device certificate device_cert_dir/SEP<MAC>.pem, or NULL (no encryption). */
static X509 *
device_cert(const struct prov_sbd *s, const char *name)
{
	char path[PROV_PATH_MAX + 64];
	struct ctl_diag d;
	X509 *x = NULL;
	int n;

	if (s->cfg->device_cert_dir[0] == '\0')
		return NULL;
	n = snprintf(path, sizeof(path), "%s/%.15s.pem", s->cfg->device_cert_dir, name);
	if (n < 0 || (size_t)n >= sizeof(path) || access(path, F_OK) != 0)
		return NULL;
	if (ctl_cert_load(path, &x, &d) != CTL_OK) {
		prov_logp(LOG_WARNING, "device certificate %s: %s; %s is not encrypted", path, d.msg, name);
		return NULL;
	}
	return x;
}

/* Signs payload as NAME.sgn. */
static CTL_MUST_USE enum ctl_err
write_sgn(struct sgn_pass *ps, const char *name, const uint8_t *p, size_t n, struct ctl_diag *d)
{
	char fname[64];
	struct ctl_builder *b = NULL;
	uint8_t *out = NULL;
	size_t len = 0;
	enum ctl_err r;

	snprintf(fname, sizeof(fname), "%s.sgn", name);
	if ((r = ctl_builder_new(CTL_KIND_SGN, &b)) == CTL_OK &&
	    (r = ctl_builder_set_digest(b, (enum ctl_digest)ps->s->cfg->itl_digest)) == CTL_OK &&
	    (r = ctl_builder_set_filename(b, fname)) == CTL_OK &&
	    (r = ctl_builder_set_payload(b, p, n)) == CTL_OK &&
	    (r = ctl_builder_sign(b, ps->s->id->cm_signer, &out, &len, d)) == CTL_OK)
		r = put_output(ps, name, ".sgn", out, len, d);
	else if (r != CTL_OK && d->msg[0] == '\0')
		snprintf(d->msg, sizeof(d->msg), "%s", ctl_strerror(r));
	free(out);
	ctl_builder_free(b);
	return r;
}

/* Encrypts plain for the device as NAME.enc.sgn, then signs the companion as NAME.sgn. */
static CTL_MUST_USE enum ctl_err
write_encrypted(struct sgn_pass *ps, const char *name, const uint8_t *p, size_t n, X509 *dev,
                struct ctl_diag *d)
{
	char fname[64];
	uint8_t *enc = NULL;
	char *comp = NULL;
	size_t elen = 0, clen = 0;
	enum ctl_err r;

	snprintf(fname, sizeof(fname), "%s.enc.sgn", name);
	if ((r = ctl_encsgn_build(p, n, dev, ps->s->id->cm_signer,
	                          (enum ctl_digest)ps->s->cfg->itl_digest, fname, 0, &enc, &elen,
	                          d)) == CTL_OK &&
	    (r = put_output(ps, name, ".enc.sgn", enc, elen, d)) == CTL_OK &&
	    (r = ctl_encsgn_companion(p, n, dev, &comp, &clen, d)) == CTL_OK)
		r = write_sgn(ps, name, (const uint8_t *)comp, clen, d);
	free(enc);
	free(comp);
	return r;
}

/*
 * The full file signed, as with encryption off; an old NAME.enc.sgn goes
 * once the new .sgn is in place (a waiting one of this pass included).
 */
static CTL_MUST_USE enum ctl_err
sign_in_clear(struct sgn_pass *ps, const char *name, const uint8_t *p, size_t n,
              struct ctl_diag *d, int *noted)
{
	char path[PROV_PATH_MAX + 64];
	int waiting = pass_has(ps, name);
	enum ctl_err r;

	if ((r = write_sgn(ps, name, p, n, d)) != CTL_OK)
		return r;
	if (path_of(ps->s, name, ".enc.sgn", path, sizeof(path)) != 0)
		return CTL_OK;
	if (waiting || access(path, F_OK) == 0) {
		pass_note(ps, name, n, 0);
		*noted = 1;
		pass_flush(ps);
		if (unlink(path) == 0)
			prov_log("removed %s: no device certificate for it any more", path);
	}
	return CTL_OK;
}

/*
 * One name of a pass (s->lock held): 1 when its outputs are written or
 * waiting in the batch, 0 skipped, -1 failed (logged).
 */
static int
pass_add(struct sgn_pass *ps, const char *name)
{
	struct prov_sbd *s = ps->s;
	char path[PROV_PATH_MAX + 64], why[PROV_PATH_MAX + 160];
	struct ctl_diag d;
	uint8_t *p = NULL;
	size_t n = 0;
	X509 *dev = NULL;
	enum ctl_err r;
	int rc = -1, noted = 0;

	if (!prov_sgn_config_name(name) || path_of(s, name, "", path, sizeof(path)) != 0)
		return 0;
	switch (prov_file_read(path, CONFIG_MAX, &p, &n, NULL, why, sizeof(why))) {
	case PROV_FILE_OK:
		break;
	case PROV_FILE_MISSING:
		remove_outputs(ps, name, "its configuration file is gone");
		return 0;
	case PROV_FILE_REFUSED:
	case PROV_FILE_IO:
		prov_logp(LOG_WARNING, "not signing %s: %s", name, why);
		remove_outputs(ps, name, "its configuration file cannot be signed");
		return -1;
	}
	memset(&d, 0, sizeof(d));
	dev = device_cert(s, name);
	if (s->id->cm_signer == NULL) {
		snprintf(d.msg, sizeof(d.msg), "no CallManager key");
		r = CTL_E_INVAL;
	} else if (dev != NULL &&
	           (r = write_encrypted(ps, name, p, n, dev, &d)) == CTL_OK) {
		/* encrypted, and the companion signed */
	} else {
		/*
		 * No device certificate, or one libctl cannot encrypt for (an EC
		 * key): the full file signed, as with encryption off.
		 */
		if (dev != NULL) {
			prov_logp(LOG_WARNING, "cannot encrypt %s for its device certificate: %s; signing it in "
			         "clear", name, d.msg);
			X509_free(dev);
			dev = NULL;
			memset(&d, 0, sizeof(d));
		}
		r = sign_in_clear(ps, name, p, n, &d, &noted);
	}
	if (r == CTL_OK) {
		if (!noted)          /* else noted and committed by sign_in_clear */
			pass_note(ps, name, n, dev != NULL);
		rc = 1;
	} else {
		prov_logp(LOG_ERR, "cannot sign %s: %s", name, d.msg);
	}
	X509_free(dev);
	free(p);
	return rc;
}

int
prov_sgn_update(struct prov_sbd *s, const char *name)
{
	struct sgn_pass *ps;
	int rc;

	if (!prov_sgn_config_name(name))
		return 0;
	if ((ps = malloc(sizeof(*ps))) == NULL) {
		prov_logp(LOG_ERR, "cannot sign %s: out of memory", name);
		return -1;
	}
	pass_begin(ps, s);
	rc = pass_add(ps, name);
	pass_end(ps);
	/* Written only if its commit worked. */
	if (rc == 1 && ps->failed_n > 0)
		rc = -1;
	free(ps);
	return rc;
}

int
prov_sgn_scan(struct prov_sbd *s)
{
	struct sgn_pass *ps;
	struct dirent *de;
	DIR *dir;
	int n;

	if ((dir = opendir(s->cfg->tftp_root)) == NULL) {
		prov_logp(LOG_ERR, "cannot scan %s for configuration files: %s", s->cfg->tftp_root,
		         strerror(errno));
		return 0;
	}
	if ((ps = malloc(sizeof(*ps))) == NULL) {
		closedir(dir);
		prov_logp(LOG_ERR, "cannot scan %s: out of memory", s->cfg->tftp_root);
		return 0;
	}
	pass_begin(ps, s);
	while ((de = readdir(dir)) != NULL)
		if (prov_sgn_config_name(de->d_name))
			(void)pass_add(ps, de->d_name); /* logged there or at the commit */
	n = pass_end(ps);
	free(ps);
	closedir(dir);
	return n;
}

/*
 * Handles the inotify records that are there, and those that come while
 * handling them, as one pass (a burst of files renamed in: one commit).
 */
static void
drain(struct prov_sgnwatch *w)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct sgn_pass *ps;
	int overflow = 0;
	ssize_t n;

	if ((ps = malloc(sizeof(*ps))) == NULL) {
		prov_logp(LOG_ERR, "configuration files: out of memory; looking again at the next event");
		return;
	}
	pass_begin(ps, w->sbd);
	while ((n = read(w->ifd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev = (const void *)(buf + off);

			if (ev->len > (size_t)n - off - sizeof(*ev))
				break;
			/* Results are logged where they happen; the watch goes on. */
			if (ev->mask & IN_Q_OVERFLOW)
				overflow = 1;
			else if (ev->len > 0 && prov_sgn_config_name(ev->name))
				(void)pass_add(ps, ev->name);
			off += sizeof(*ev) + ev->len;
		}
	}
	(void)pass_end(ps); /* logged name by name */
	free(ps);
	if (overflow)
		(void)prov_sgn_scan(w->sbd); /* events lost: look at everything */
}

static void *
watch_thread(void *arg)
{
	struct prov_sgnwatch *w = arg;
	struct pollfd pfd = { .fd = w->ifd, .events = POLLIN };

	while (!atomic_load(&w->stop)) {
		/* A bounded wait, so a stop request is seen within half a second. */
		if (poll(&pfd, 1, 500) > 0)
			drain(w);
	}
	return NULL;
}

int
prov_sgnwatch_start(struct prov_sbd *s, char *err, size_t errlen)
{
	struct prov_sgnwatch *w;
	int n;

	if (!s->ready || !prov_config_sign_configs(s->cfg) || s->watch != NULL)
		return 0;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	w->sbd = s;
	/* Watch first, then scan: a file written in between is seen by one or the other. */
	if ((w->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(w->ifd, s->cfg->tftp_root, WATCH_MASK) < 0) {
		snprintf(err, errlen, "sign_configs: cannot watch %s: %s", s->cfg->tftp_root,
		         strerror(errno));
		if (w->ifd >= 0)
			close(w->ifd);
		free(w);
		return -1;
	}
	s->watch = w;
	n = prov_sgn_scan(s);
	if (pthread_create(&w->thread, NULL, watch_thread, w) != 0) {
		snprintf(err, errlen, "sign_configs: cannot start the watcher thread");
		prov_sgnwatch_stop(s);
		return -1;
	}
	w->running = 1;
	prov_log("signing configuration files in %s (%d signed at start)", s->cfg->tftp_root, n);
	return 0;
}

void
prov_sgnwatch_stop(struct prov_sbd *s)
{
	struct prov_sgnwatch *w = s->watch;

	if (w == NULL)
		return;
	atomic_store(&w->stop, 1);
	if (w->running)
		pthread_join(w->thread, NULL);
	close(w->ifd);
	free(w);
	s->watch = NULL;
}
