/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The node's installed CTL (TFTP root/CTLFile.tlv) and its security mode.
 * Every write is ctl_write_atomic (temporary file, fsync, rename, fsync of
 * the directory): a killed provider, a dropped upload or a full disk leave
 * the old file whole, and ctl-tftpd, which watches the root, serves
 * whichever complete file the name points to.
 *
 * The installed file is read through prov_file_read: a symbolic link or a
 * FIFO planted under its name is refused (status IO, the reason in the
 * message), never followed, never copied to the backup. The backup keeps
 * only a file that parses, with the original's permissions at most.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "provider.h"

int
prov_store_init(struct prov_store *s, const struct prov_config *cfg)
{
	int a, b, c;

	memset(s, 0, sizeof(*s));
	a = snprintf(s->ctl_path, sizeof(s->ctl_path), "%s/%s", cfg->tftp_root, PROV_CTL_NAME);
	b = snprintf(s->bak_path, sizeof(s->bak_path), "%s/%s", cfg->tftp_root, PROV_CTL_BAK);
	c = snprintf(s->mode_path, sizeof(s->mode_path), "%s", cfg->mode_file);
	if (a < 0 || (size_t)a >= sizeof(s->ctl_path) || b < 0 || (size_t)b >= sizeof(s->bak_path) ||
	    c < 0 || (size_t)c >= sizeof(s->mode_path))
		return -1;
	s->initial_mode = cfg->initial_mode;
	return pthread_mutex_init(&s->lock, NULL) == 0 ? 0 : -1;
}

void
prov_store_cleanup(struct prov_store *s)
{
	pthread_mutex_destroy(&s->lock);
}

/* 1 when s is "." + NAME + "." + 6 characters and NAME satisfies ok(). */
static int
temp_of(const char *s, int (*ok)(const char *name, size_t len))
{
	size_t n = strlen(s);

	return n > 8 && s[0] == '.' && s[n - 7] == '.' && ok(s + 1, n - 8);
}

/* The node's own outputs: CTLFile.tlv, its backup, ITLFile.tlv, SEP<MAC>.cnf.xml.sgn / .enc.sgn. */
static int
node_output(const char *name, size_t len)
{
	static const char *const fixed[] = { PROV_CTL_NAME, PROV_CTL_BAK, PROV_ITL_NAME };
	static const char *const suffix[] = { ".sgn", ".enc.sgn" };
	char plain[32];
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (len == strlen(fixed[i]) && strncmp(name, fixed[i], len) == 0)
			return 1;
	for (i = 0; i < 2; i++) {
		size_t sl = strlen(suffix[i]);

		if (len == 23 + sl && strncmp(name + 23, suffix[i], sl) == 0) {
			memcpy(plain, name, 23);
			plain[23] = '\0';
			return prov_sgn_config_name(plain);
		}
	}
	return 0;
}

/* ctl_write_atomic's temporaries are ".NAME.XXXXXX" beside NAME. */
static int
is_stale_temp(const char *name)
{
	return temp_of(name, node_output);
}

int
prov_store_sweep(const struct prov_store *s)
{
	char dir[sizeof(s->ctl_path)], path[sizeof(s->ctl_path) + 64];
	char *slash;
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s", s->ctl_path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return 0;
	*slash = '\0';
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		int w;

		if (!is_stale_temp(de->d_name))
			continue;
		w = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (w > 0 && (size_t)w < sizeof(path) && unlink(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static uint16_t
status_for_parse(enum ctl_err e)
{
	return e == CTL_E_NOMEM ? CTL_PROV_INTERNAL : CTL_PROV_CTL_MALFORMED;
}

/* Parses and self-verifies an upload. */
static CTL_MUST_USE uint16_t
check_upload(const uint8_t *p, size_t n, struct ctl_file **out, char *msg, size_t msglen)
{
	struct ctl_verify_result vr;
	struct ctl_diag d;
	char where[600];
	enum ctl_err r;

	*out = NULL;
	if ((r = ctl_file_parse(p, n, 0, out, &d)) != CTL_OK) {
		snprintf(msg, msglen, "%s", ctl_diag_str(&d, where, sizeof(where)));
		return status_for_parse(r);
	}
	if (ctl_file_kind(*out) != CTL_KIND_CTL) {
		snprintf(msg, msglen, "not a CTL (an %s); only CTLFile.tlv is installed here",
		         ctl_file_kind(*out) == CTL_KIND_ITL ? "ITL" : "signed file");
		return CTL_PROV_CTL_MALFORMED;
	}
	if ((r = ctl_file_verify(*out, &vr)) != CTL_OK) {
		snprintf(msg, msglen, "%s: %s", ctl_strerror(r), vr.reason);
		return r == CTL_E_NOMEM || r == CTL_E_CRYPTO ? CTL_PROV_INTERNAL : CTL_PROV_CTL_SIGNATURE;
	}
	snprintf(msg, msglen, "%s", vr.reason);
	return CTL_PROV_OK;
}

/* The installed CTL's bytes; CTL_PROV_NOT_FOUND when there is none. */
static CTL_MUST_USE uint16_t
read_installed(struct prov_store *s, size_t max, uint8_t **out, size_t *len, struct stat *st,
               char *msg, size_t msglen)
{
	char why[PROV_PATH_MAX + 160];

	switch (prov_file_read(s->ctl_path, max, out, len, st, why, sizeof(why))) {
	case PROV_FILE_OK:
		return CTL_PROV_OK;
	case PROV_FILE_MISSING:
		snprintf(msg, msglen, "no CTL installed");
		return CTL_PROV_NOT_FOUND;
	case PROV_FILE_REFUSED:
	case PROV_FILE_IO:
		break;
	}
	snprintf(msg, msglen, "the installed CTL cannot be used: %s", why);
	return CTL_PROV_IO;
}

/* The installed CTL, kept for the backup only when it parses. */
struct installed {
	uint8_t *bytes;              /* NULL: none */
	size_t len;
	mode_t mode;
	struct ctl_file *parsed;     /* NULL: does not parse */
};

/*
 * 1 when f is signed by the cluster's own CallManager or ITLRecovery key
 * (tokenless mode, doc/sbd.md): the node that holds those keys made it.
 */
static int
own_signed(const struct prov_store *s, const struct ctl_file *f)
{
	struct ctl_verify_result vr;
	const struct ctl_record *rec;

	if (s->own_signer == NULL || ctl_file_verify(f, &vr) != CTL_OK || vr.signer_index < 0 ||
	    (rec = ctl_file_record(f, (size_t)vr.signer_index)) == NULL || rec->cert.len == 0)
		return 0;
	return s->own_signer(s->own_arg, rec->cert.p, rec->cert.len);
}

/*
 * The phone rule against the installed CTL. An installed file that no
 * longer parses cannot vouch for anything: only an OVERRIDE replaces it.
 */
static CTL_MUST_USE uint16_t
check_trust(struct prov_store *s, const struct ctl_file *f, int override, struct installed *old,
            char *msg, size_t msglen)
{
	struct ctl_verify_result vr;
	struct ctl_diag d;
	struct stat sb;
	enum ctl_err r;
	uint16_t st;

	memset(old, 0, sizeof(*old));
	st = read_installed(s, CTL_MAX_FILE, &old->bytes, &old->len, &sb, msg, msglen);
	if (st == CTL_PROV_NOT_FOUND)
		return CTL_PROV_OK; /* first installation */
	if (st != CTL_PROV_OK)
		return st;
	old->mode = sb.st_mode & 0644;
	r = ctl_file_parse(old->bytes, old->len, 0, &old->parsed, &d);
	if (override)
		return CTL_PROV_OK;
	if (r != CTL_OK) {
		snprintf(msg, msglen, "the installed CTL does not parse (%s); replacing it needs "
		         "OVERRIDE", d.msg);
		return CTL_PROV_CTL_NOT_TRUSTED;
	}
	if ((r = ctl_file_verify_trusted(f, old->parsed, &vr)) == CTL_OK || own_signed(s, f))
		return CTL_PROV_OK;
	snprintf(msg, msglen, "%s: %s", ctl_strerror(r), vr.reason);
	return r == CTL_E_NOT_TRUSTED || r == CTL_E_SIGNER_NOT_FOUND ? CTL_PROV_CTL_NOT_TRUSTED :
	    r == CTL_E_NOMEM || r == CTL_E_CRYPTO ? CTL_PROV_INTERNAL : CTL_PROV_CTL_SIGNATURE;
}

uint16_t
prov_store_put(struct prov_store *s, const uint8_t *p, size_t n, int override,
               struct prov_ctl_info *info, char *msg, size_t msglen)
{
	struct ctl_file *f = NULL;
	struct installed old;
	struct ctl_diag d;
	char signer[512];
	uint16_t st;

	memset(info, 0, sizeof(*info));
	memset(&old, 0, sizeof(old));
	if ((st = check_upload(p, n, &f, msg, msglen)) != CTL_PROV_OK)
		goto out;
	snprintf(signer, sizeof(signer), "%s", msg);
	pthread_mutex_lock(&s->lock);
	if ((st = check_trust(s, f, override, &old, msg, msglen)) != CTL_PROV_OK)
		goto unlock;
	/*
	 * Backup first: after a crash between the two renames both names hold
	 * the old file. A file that does not parse is not a CTL: never a backup.
	 */
	if (old.parsed != NULL &&
	    ctl_write_atomic(s->bak_path, old.bytes, old.len, old.mode, &d) != CTL_OK) {
		snprintf(msg, msglen, "cannot keep the backup: %s", d.msg);
		st = CTL_PROV_IO;
		goto unlock;
	}
	if (ctl_write_atomic(s->ctl_path, p, n, 0644, &d) != CTL_OK) {
		snprintf(msg, msglen, "%s; the installed CTL is unchanged", d.msg);
		st = CTL_PROV_IO;
		goto unlock;
	}
	if (prov_store_info(s, info, msg, msglen) != CTL_PROV_OK) {
		snprintf(msg, msglen, "installed, but cannot read it back");
		st = CTL_PROV_IO;
		goto unlock;
	}
	snprintf(msg, msglen, "%s%s", signer, old.bytes != NULL && old.parsed == NULL ?
	         "; the replaced file did not parse and was not kept as the backup" : "");
unlock:
	pthread_mutex_unlock(&s->lock);
out:
	ctl_file_free(old.parsed);
	free(old.bytes);
	ctl_file_free(f);
	return st;
}

uint16_t
prov_store_get(struct prov_store *s, uint8_t **out, size_t *len, char *msg, size_t msglen)
{
	/* The reply must fit one message: the CTL_FILE item plus the MD5 item. */
	return read_installed(s, CTL_PROV_MAX_BODY - 64, out, len, NULL, msg, msglen);
}

uint16_t
prov_store_info(struct prov_store *s, struct prov_ctl_info *info, char *msg, size_t msglen)
{
	struct stat sb;
	uint8_t *buf = NULL;
	size_t len = 0;
	uint16_t st;

	memset(info, 0, sizeof(*info));
	if ((st = read_installed(s, CTL_MAX_FILE, &buf, &len, &sb, msg, msglen)) != CTL_PROV_OK)
		return st;
	if (ctl_checksums(buf, len, &info->sums) != CTL_OK) {
		snprintf(msg, msglen, "cannot checksum the installed CTL");
		free(buf);
		return CTL_PROV_INTERNAL;
	}
	info->length = (uint32_t)len;
	info->mtime = (uint32_t)sb.st_mtime;
	free(buf);
	return CTL_PROV_OK;
}

unsigned
prov_store_mode(struct prov_store *s)
{
	char text[8], why[PROV_PATH_MAX + 160];
	unsigned long long v;
	uint8_t *buf = NULL;
	size_t n = 0;

	if (prov_file_read(s->mode_path, sizeof(text) - 1, &buf, &n, NULL, why, sizeof(why)) !=
	    PROV_FILE_OK)
		return s->initial_mode;
	memcpy(text, buf, n);
	free(buf);
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (ctl_parse_uint(text, 0, 1, &v) != CTL_OK)
		return s->initial_mode;
	return (unsigned)v;
}

uint16_t
prov_store_set_mode(struct prov_store *s, unsigned mode, char *msg, size_t msglen)
{
	struct ctl_diag d;
	char buf[4];
	uint16_t st = CTL_PROV_OK;

	snprintf(buf, sizeof(buf), "%u\n", mode);
	pthread_mutex_lock(&s->lock);
	if (ctl_write_atomic(s->mode_path, buf, strlen(buf), 0644, &d) != CTL_OK) {
		snprintf(msg, msglen, "cannot store the security mode: %s", d.msg);
		st = CTL_PROV_IO;
	}
	pthread_mutex_unlock(&s->lock);
	return st;
}
