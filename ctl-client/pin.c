/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PIN sources and PIN memory. Each failed C_Login counts toward the token's
 * lockout (eTokens lock after 15), so nothing here ever guesses or retries:
 * exactly one source, read once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ctl/secret.h>

#include "pin.h"

struct pin {
	struct ctl_secret *sec; /* locked, out of core dumps, wiped when freed */
	const char *origin;
};

/*
 * No core dump and no ptrace attach from now on: libp11 keeps its own heap
 * copy of a good PIN (it logs in again with it after a fork) that we
 * cannot wipe early.
 */
static void
harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)setrlimit(RLIMIT_CORE, &rl);
}

static CTL_MUST_USE enum p11_err
pin_new(const char *origin, struct ctl_secret *sec, struct pin **out, struct p11_diag *d)
{
	struct pin *p;

	if (sec == NULL || (p = calloc(1, sizeof(*p))) == NULL) {
		ctl_secret_free(sec);
		return p11_fail(d, P11_E_NOMEM, "out of memory for the PIN");
	}
	p->sec = sec;
	p->origin = origin;
	harden_process();
	*out = p;
	return P11_OK;
}

void
pin_free(struct pin *p)
{
	if (p == NULL)
		return;
	ctl_secret_free(p->sec);
	free(p);
}

const char *
pin_value(const struct pin *p)
{
	return ctl_secret_str(p->sec);
}

const char *
pin_origin(const struct pin *p)
{
	return p->origin;
}

/* Removes one trailing "\n" or "\r\n" and checks what is left is a usable PIN. */
static CTL_MUST_USE enum p11_err
pin_finish(struct pin *p, size_t len, const char *where, struct p11_diag *d)
{
	const char *buf = ctl_secret_data(p->sec);

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	ctl_secret_set_len(p->sec, len);
	if (len == 0)
		return p11_fail(d, P11_E_PIN_SOURCE, "%s: the PIN is empty", where);
	if (memchr(buf, '\0', len) != NULL)
		return p11_fail(d, P11_E_PIN_SOURCE, "%s: the PIN contains a NUL byte", where);
	return P11_OK;
}

/* "file:PATH", "file://PATH" (empty host) or a plain path; no commands. */
static CTL_MUST_USE enum p11_err
source_path(const char *src, const char **path, struct p11_diag *d)
{
	if (strncmp(src, "file://", 7) == 0)
		src += 7;
	else if (strncmp(src, "file:", 5) == 0)
		src += 5;
	else if (src[0] == '|')
		return p11_fail(d, P11_E_PIN_SOURCE, "pin-source commands ('|...') are not supported; "
		                "use pin-source=file:PATH");
	if (*src == '\0')
		return p11_fail(d, P11_E_PIN_SOURCE, "pin-source names no file");
	*path = src;
	return P11_OK;
}

static CTL_MUST_USE enum p11_err
read_pin_file(struct pin *p, const char *path, struct p11_diag *d)
{
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return p11_fail(d, P11_E_PIN_SOURCE, "PIN file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return p11_fail(d, P11_E_PIN_SOURCE, "PIN file %s: not a regular file", path);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return p11_fail(d, P11_E_PIN_SOURCE, "PIN file %s is accessible by group or others "
		                "(mode %04o); chmod 600 it", path, (unsigned)(st.st_mode & 07777));
	}
	if (st.st_size > PIN_MAX + 2) {
		close(fd);
		return p11_fail(d, P11_E_PIN_SOURCE, "PIN file %s: longer than %d bytes", path, PIN_MAX);
	}
	do
		n = read(fd, ctl_secret_data(p->sec), PIN_MAX + 2);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return p11_fail(d, P11_E_PIN_SOURCE, "PIN file %s: %s", path, strerror(errno));
	return pin_finish(p, (size_t)n, path, d);
}

static CTL_MUST_USE enum p11_err
read_pin_env(struct pin *p, struct p11_diag *d)
{
	char *v = getenv(PIN_ENV);
	size_t n = strlen(v);

	if (n > PIN_MAX + 2)
		n = PIN_MAX + 3; /* reported as too long below */
	else
		memcpy(ctl_secret_data(p->sec), v, n);
	/* Wipe the original too: it is what /proc/PID/environ shows. */
	OPENSSL_cleanse(v, strlen(v));
	(void)unsetenv(PIN_ENV);
	if (n > PIN_MAX + 2)
		return p11_fail(d, P11_E_PIN_SOURCE, PIN_ENV ": longer than %d bytes", PIN_MAX);
	return pin_finish(p, n, PIN_ENV, d);
}

/* The terminal prompt is libctl's: echo off, restored on every way out. */
static CTL_MUST_USE enum p11_err
read_pin_tty(const char *prompt, struct pin **out, struct p11_diag *d)
{
	struct ctl_secret *sec = NULL;
	struct ctl_diag cd;
	enum p11_err r;

	switch (ctl_secret_prompt(prompt, PIN_MAX, 0, &sec, &cd)) {
	case CTL_OK:
		break;
	case CTL_E_TOO_LARGE:
		return p11_fail(d, P11_E_PIN_SOURCE, "PIN longer than %d bytes", PIN_MAX);
	case CTL_E_ZERO_LEN:
		return p11_fail(d, P11_E_PIN_SOURCE, "terminal: the PIN is empty");
	case CTL_E_NOMEM:
		return p11_fail(d, P11_E_NOMEM, "out of memory for the PIN");
	default:
		if (strncmp(cd.msg, "no terminal", 11) == 0)
			return p11_fail(d, P11_E_PIN_SOURCE, "no PIN given (--pin-file, pin-source= in "
			                "the URI, or " PIN_ENV ") and no terminal to ask on");
		return p11_fail(d, P11_E_PIN_SOURCE, "PIN %s", cd.msg);
	}
	if ((r = pin_new("terminal", sec, out, d)) != P11_OK)
		return r;
	if (memchr(ctl_secret_str(sec), '\0', ctl_secret_len(sec)) != NULL) {
		pin_free(*out);
		*out = NULL;
		return p11_fail(d, P11_E_PIN_SOURCE, "terminal: the PIN contains a NUL byte");
	}
	return P11_OK;
}

/* Names the sources given, refusing more than one (never try a PIN twice). */
static CTL_MUST_USE enum p11_err
pick_source(const struct pin_opts *o, const char *uri_source, const char **origin,
            struct p11_diag *d)
{
	const char *given[3];
	size_t n = 0;

	if (o != NULL && o->file != NULL)
		given[n++] = "--pin-file";
	if (uri_source != NULL)
		given[n++] = "pin-source in the token URI";
	if (getenv(PIN_ENV) != NULL)
		given[n++] = PIN_ENV;
	if (n > 1)
		return p11_fail(d, P11_E_PIN_CONFLICT, "PIN given two ways (%s and %s); give one",
		                given[0], given[1]);
	if (n == 0 && o != NULL && o->no_prompt)
		return p11_fail(d, P11_E_PIN_SOURCE, "no PIN given (--pin-file, pin-source= in the "
		                "URI, or " PIN_ENV ") and prompting is off");
	*origin = n == 1 ? given[0] : "terminal";
	return P11_OK;
}

enum p11_err
pin_get(const struct pin_opts *o, const char *uri_source, const char *prompt,
        struct pin **out, struct p11_diag *d)
{
	const char *origin = NULL, *path = NULL;
	struct pin *p = NULL;
	enum p11_err r;

	*out = NULL;
	if ((r = pick_source(o, uri_source, &origin, d)) != P11_OK)
		return r;
	if (strcmp(origin, "terminal") == 0)
		return read_pin_tty(prompt, out, d);
	/* Locked and out of core dumps before a byte of the PIN is read. */
	if ((r = pin_new(origin, ctl_secret_new(PIN_MAX + 2), &p, d)) != P11_OK)
		return r;
	if (o != NULL && o->file != NULL)
		r = read_pin_file(p, o->file, d);
	else if (uri_source != NULL) {
		if ((r = source_path(uri_source, &path, d)) == P11_OK)
			r = read_pin_file(p, path, d);
	} else
		r = read_pin_env(p, d);
	if (r != P11_OK) {
		pin_free(p);
		return r;
	}
	*out = p;
	return P11_OK;
}
