/*
 * The node's installed CTL (TFTP root/CTLFile.tlv) and its security mode.
 * Every write is ctl_write_atomic (temporary file, fsync, rename, fsync of
 * the directory): a killed provider, a dropped upload or a full disk leave
 * the old file whole, and ctl-tftpd, which watches the root, serves
 * whichever complete file the name points to.
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

/* ctl_write_atomic's temporaries are ".NAME.XXXXXX" beside NAME. */
static int
is_stale_temp(const char *name)
{
	static const char *const targets[] = { "." PROV_CTL_NAME ".", "." PROV_CTL_BAK "." };
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (strncmp(name, targets[i], strlen(targets[i])) == 0 &&
		    strlen(name) == strlen(targets[i]) + 6)
			return 1;
	return 0;
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
static uint16_t
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

/*
 * The phone rule against the installed CTL. An installed file that no
 * longer parses cannot vouch for anything: only an OVERRIDE replaces it.
 * *old receives the installed bytes for the backup (NULL when none).
 */
static uint16_t
check_trust(struct prov_store *s, const struct ctl_file *f, int override, uint8_t **old,
            size_t *old_len, char *msg, size_t msglen)
{
	struct ctl_verify_result vr;
	struct ctl_file *cur = NULL;
	struct ctl_diag d;
	enum ctl_err r;

	*old = NULL;
	*old_len = 0;
	if ((r = ctl_read_file(s->ctl_path, CTL_MAX_FILE, old, old_len, &d)) != CTL_OK) {
		if (r == CTL_E_IO && errno == ENOENT)
			return CTL_PROV_OK; /* first installation */
		snprintf(msg, msglen, "cannot read the installed CTL: %s", d.msg);
		return CTL_PROV_IO;
	}
	if (override)
		return CTL_PROV_OK;
	if ((r = ctl_file_parse(*old, *old_len, 0, &cur, &d)) != CTL_OK) {
		snprintf(msg, msglen, "the installed CTL does not parse (%s); replacing it needs "
		         "OVERRIDE", d.msg);
		return CTL_PROV_CTL_NOT_TRUSTED;
	}
	r = ctl_file_verify_trusted(f, cur, &vr);
	ctl_file_free(cur);
	if (r == CTL_OK)
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
	struct ctl_diag d;
	uint8_t *old = NULL;
	size_t old_len = 0;
	char signer[512];
	uint16_t st;

	memset(info, 0, sizeof(*info));
	if ((st = check_upload(p, n, &f, msg, msglen)) != CTL_PROV_OK)
		goto out;
	snprintf(signer, sizeof(signer), "%s", msg);
	pthread_mutex_lock(&s->lock);
	if ((st = check_trust(s, f, override, &old, &old_len, msg, msglen)) != CTL_PROV_OK)
		goto unlock;
	/* Backup first: after a crash between the two renames both names hold the old file. */
	if (old != NULL && ctl_write_atomic(s->bak_path, old, old_len, 0644, &d) != CTL_OK) {
		snprintf(msg, msglen, "cannot keep the backup: %s", d.msg);
		st = CTL_PROV_IO;
		goto unlock;
	}
	if (ctl_write_atomic(s->ctl_path, p, n, 0644, &d) != CTL_OK) {
		snprintf(msg, msglen, "%s; the installed CTL is unchanged", d.msg);
		st = CTL_PROV_IO;
		goto unlock;
	}
	if (prov_store_info(s, info) != CTL_PROV_OK) {
		snprintf(msg, msglen, "installed, but cannot read it back");
		st = CTL_PROV_IO;
		goto unlock;
	}
	snprintf(msg, msglen, "%s", signer);
unlock:
	pthread_mutex_unlock(&s->lock);
out:
	free(old);
	ctl_file_free(f);
	return st;
}

uint16_t
prov_store_get(struct prov_store *s, uint8_t **out, size_t *len, char *msg, size_t msglen)
{
	struct ctl_diag d;
	enum ctl_err r;

	/* The reply must fit one message: the CTL_FILE item plus the MD5 item. */
	r = ctl_read_file(s->ctl_path, CTL_PROV_MAX_BODY - 64, out, len, &d);
	if (r == CTL_OK)
		return CTL_PROV_OK;
	snprintf(msg, msglen, "%s", r == CTL_E_IO && errno == ENOENT ? "no CTL installed" : d.msg);
	return r == CTL_E_IO && errno == ENOENT ? CTL_PROV_NOT_FOUND : CTL_PROV_IO;
}

uint16_t
prov_store_info(struct prov_store *s, struct prov_ctl_info *info)
{
	struct ctl_diag d;
	struct stat sb;
	uint8_t *buf = NULL;
	size_t len = 0;
	enum ctl_err r;

	memset(info, 0, sizeof(*info));
	if ((r = ctl_read_file(s->ctl_path, CTL_MAX_FILE, &buf, &len, &d)) != CTL_OK)
		return r == CTL_E_IO && errno == ENOENT ? CTL_PROV_NOT_FOUND : CTL_PROV_IO;
	if (stat(s->ctl_path, &sb) != 0 || ctl_checksums(buf, len, &info->sums) != CTL_OK) {
		free(buf);
		return CTL_PROV_IO;
	}
	info->length = (uint32_t)len;
	info->mtime = (uint32_t)sb.st_mtime;
	free(buf);
	return CTL_PROV_OK;
}

unsigned
prov_store_mode(struct prov_store *s)
{
	char buf[8] = "";
	unsigned long long v;
	size_t n;
	FILE *fp = fopen(s->mode_path, "r");

	if (fp == NULL)
		return s->initial_mode;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (ctl_parse_uint(buf, 0, 1, &v) != CTL_OK)
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
