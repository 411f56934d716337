/*
 * PIN sources and PIN memory. Each failed C_Login counts toward the token's
 * lockout (eTokens lock after 15), so nothing here ever guesses or retries:
 * exactly one source, read once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "pin.h"

struct pin {
	char *buf;          /* one page: mlock()ed, MADV_DONTDUMP */
	size_t cap;
	size_t len;
	const char *origin;
};

/* Set by the handler while the terminal's echo is off. */
static volatile sig_atomic_t pin_interrupted;

static void
on_signal(int sig)
{
	pin_interrupted = sig;
}

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

static enum p11_err
pin_alloc(const char *origin, struct pin **out, struct p11_diag *d)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct pin *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return p11_fail(d, P11_E_NOMEM, "out of memory");
	p->cap = pg > PIN_MAX ? (size_t)pg : 4096;
	p->buf = mmap(NULL, p->cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->buf == MAP_FAILED) {
		free(p);
		return p11_fail(d, P11_E_NOMEM, "out of memory for the PIN buffer");
	}
	(void)madvise(p->buf, p->cap, MADV_DONTDUMP);
	(void)mlock(p->buf, p->cap); /* best effort: RLIMIT_MEMLOCK may be 0 */
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
	OPENSSL_cleanse(p->buf, p->cap);
	(void)munlock(p->buf, p->cap);
	(void)munmap(p->buf, p->cap);
	free(p);
}

const char *
pin_value(const struct pin *p)
{
	return p->buf;
}

const char *
pin_origin(const struct pin *p)
{
	return p->origin;
}

/* Removes one trailing "\n" or "\r\n" and checks what is left is a usable PIN. */
static enum p11_err
pin_finish(struct pin *p, const char *where, struct p11_diag *d)
{
	if (p->len > 0 && p->buf[p->len - 1] == '\n')
		p->len--;
	if (p->len > 0 && p->buf[p->len - 1] == '\r')
		p->len--;
	p->buf[p->len] = '\0';
	if (p->len == 0)
		return p11_fail(d, P11_E_PIN_SOURCE, "%s: the PIN is empty", where);
	if (memchr(p->buf, '\0', p->len) != NULL)
		return p11_fail(d, P11_E_PIN_SOURCE, "%s: the PIN contains a NUL byte", where);
	return P11_OK;
}

/* "file:PATH", "file://PATH" (empty host) or a plain path; no commands. */
static enum p11_err
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

static enum p11_err
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
		n = read(fd, p->buf, PIN_MAX + 2);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return p11_fail(d, P11_E_PIN_SOURCE, "PIN file %s: %s", path, strerror(errno));
	p->len = (size_t)n;
	return pin_finish(p, path, d);
}

static enum p11_err
read_pin_env(struct pin *p, struct p11_diag *d)
{
	char *v = getenv(PIN_ENV);
	size_t n = strlen(v);

	if (n > PIN_MAX + 2)
		n = PIN_MAX + 3; /* reported as too long below */
	else
		memcpy(p->buf, v, n);
	/* Wipe the original too: it is what /proc/PID/environ shows. */
	OPENSSL_cleanse(v, strlen(v));
	(void)unsetenv(PIN_ENV);
	if (n > PIN_MAX + 2)
		return p11_fail(d, P11_E_PIN_SOURCE, PIN_ENV ": longer than %d bytes", PIN_MAX);
	p->len = n;
	return pin_finish(p, PIN_ENV, d);
}

/*
 * Reads one line from the terminal fd into p; echo is already off. The
 * terminal signals are blocked except inside ppoll(), so one arriving just
 * before a read cannot be missed (a plain read() would then block for good).
 */
static enum p11_err
read_tty_line(struct pin *p, int fd, const sigset_t *waitmask, struct p11_diag *d)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char c;
	ssize_t n;

	p->len = 0;
	for (;;) {
		if (pin_interrupted)
			return p11_fail(d, P11_E_PIN_SOURCE, "PIN entry interrupted");
		if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return p11_fail(d, P11_E_PIN_SOURCE, "terminal: %s", strerror(errno));
		}
		if ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return p11_fail(d, P11_E_PIN_SOURCE, "terminal: %s", strerror(errno));
		if (n == 0 || c == '\n' || c == '\r')
			break;
		if (p->len >= PIN_MAX)
			return p11_fail(d, P11_E_PIN_SOURCE, "PIN longer than %d bytes", PIN_MAX);
		p->buf[p->len++] = c;
	}
	OPENSSL_cleanse(&c, sizeof(c));
	return pin_finish(p, "terminal", d);
}

/* Terminal output whose failure changes nothing (the read still follows). */
static void
tty_puts(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		return;
}

static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
#define NSIG_TTY (sizeof(tty_signals) / sizeof(tty_signals[0]))

/*
 * Prompts on /dev/tty with echo off. Signals that would leave the terminal
 * without echo interrupt the read instead, and the terminal is restored.
 */
static enum p11_err
read_pin_tty(struct pin *p, const char *prompt, struct p11_diag *d)
{
	struct sigaction sa, old[NSIG_TTY];
	sigset_t block, waitmask;
	struct termios t, quiet;
	enum p11_err r;
	size_t i;
	int fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0 || tcgetattr(fd, &t) != 0) {
		if (fd >= 0)
			close(fd);
		return p11_fail(d, P11_E_PIN_SOURCE, "no PIN given (--pin-file, pin-source= in the "
		                "URI, or " PIN_ENV ") and no terminal to ask on");
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: ppoll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	pin_interrupted = 0;
	for (i = 0; i < NSIG_TTY; i++) {
		sigaddset(&block, tty_signals[i]);
		sigaction(tty_signals[i], &sa, &old[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	quiet = t;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	quiet.c_lflag |= ICANON;
	/* Echo off before the prompt: what is typed after it is never shown. */
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		r = p11_fail(d, P11_E_PIN_SOURCE, "cannot turn off terminal echo: %s", strerror(errno));
	} else {
		tty_puts(fd, prompt);
		r = read_tty_line(p, fd, &waitmask, d);
	}
	(void)tcsetattr(fd, TCSAFLUSH, &t);
	tty_puts(fd, "\n");
	for (i = 0; i < NSIG_TTY; i++)
		sigaction(tty_signals[i], &old[i], NULL);
	sigprocmask(SIG_SETMASK, &waitmask, NULL);
	close(fd);
	return r;
}

/* Names the sources given, refusing more than one (never try a PIN twice). */
static enum p11_err
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
	if ((r = pin_alloc(origin, &p, d)) != P11_OK)
		return r;
	if (o != NULL && o->file != NULL)
		r = read_pin_file(p, o->file, d);
	else if (uri_source != NULL) {
		if ((r = source_path(uri_source, &path, d)) == P11_OK)
			r = read_pin_file(p, path, d);
	} else if (getenv(PIN_ENV) != NULL)
		r = read_pin_env(p, d);
	else
		r = read_pin_tty(p, prompt, d);
	if (r != P11_OK) {
		pin_free(p);
		return r;
	}
	*out = p;
	return P11_OK;
}
