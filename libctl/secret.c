/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secret memory and the secret prompt: see ctl/secret.h. The only
 * file-scope state is the flag the signal handler sets while a prompt
 * waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ctl/secret.h>

struct ctl_secret {
	char *buf;     /* size bytes of their own pages */
	size_t size;   /* whole pages */
	size_t max;
	size_t len;
	int locked;
};

struct ctl_secret *
ctl_secret_new(size_t max)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	struct ctl_secret *s;

	if (max > (size_t)-1 - 2 * page || (s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->max = max;
	s->size = (max + 1 + page - 1) / page * page;
	s->buf = mmap(NULL, s->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->buf == MAP_FAILED) {
		free(s);
		return NULL;
	}
	/* Before anything is written: a core dump must never hold the secret. */
	if (madvise(s->buf, s->size, MADV_DONTDUMP) != 0) {
		(void)munmap(s->buf, s->size);
		free(s);
		return NULL;
	}
	s->locked = mlock(s->buf, s->size) == 0;
	return s;
}

void
ctl_secret_free(struct ctl_secret *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s->buf, s->size);
	if (s->locked)
		(void)munlock(s->buf, s->size);
	(void)munmap(s->buf, s->size);
	free(s);
}

char *
ctl_secret_data(struct ctl_secret *s)
{
	return s->buf;
}

size_t
ctl_secret_max(const struct ctl_secret *s)
{
	return s->max;
}

void
ctl_secret_set_len(struct ctl_secret *s, size_t n)
{
	s->len = n <= s->max ? n : s->max;
	s->buf[s->len] = '\0';
}

const char *
ctl_secret_str(const struct ctl_secret *s)
{
	return s->buf;
}

size_t
ctl_secret_len(const struct ctl_secret *s)
{
	return s->len;
}

int
ctl_secret_locked(const struct ctl_secret *s)
{
	return s->locked;
}

/* ------------------------------------------------------------------ */
/* The prompt                                                           */

static enum ctl_err fail(struct ctl_diag *d, enum ctl_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum ctl_err
fail(struct ctl_diag *d, enum ctl_err e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d != NULL) {
		ctl_diag_clear(d);
		d->err = e;
		d->tag = -1;
		va_start(ap, fmt);
		n = vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
		va_end(ap);
		if (n < 0 || (size_t)n >= sizeof(d->msg))
			memcpy(d->msg + sizeof(d->msg) - 4, "...", 4);
	}
	return e;
}

/* Set by the handler while echo is off. */
static volatile sig_atomic_t secret_interrupted;

static void
on_signal(int sig)
{
	secret_interrupted = sig;
}

static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
#define NSIG_TTY (sizeof(tty_signals) / sizeof(tty_signals[0]))

/*
 * Reads one line from fd into s. The terminal signals are blocked except
 * inside ppoll(), so one arriving just before a read cannot be missed (a
 * plain read() would then block for good).
 */
static enum ctl_err
read_line(int fd, const sigset_t *waitmask, struct ctl_secret *s, struct ctl_diag *d)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t n = 0;
	ssize_t k;
	char c = 0;
	enum ctl_err r = CTL_OK;

	for (;;) {
		if (waitmask != NULL && secret_interrupted) {
			r = fail(d, CTL_E_IO, "entry interrupted");
			break;
		}
		if (waitmask != NULL && ppoll(&pfd, 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			r = fail(d, CTL_E_IO, "terminal: %s", strerror(errno));
			break;
		}
		if ((k = read(fd, &c, 1)) < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = fail(d, CTL_E_IO, "read: %s", strerror(errno));
			break;
		}
		/* A terminal without ICRNL ends the line with '\r'. */
		if (k == 0 || c == '\n' || (waitmask != NULL && c == '\r'))
			break;
		if (n == s->max) {
			r = fail(d, CTL_E_TOO_LARGE, "longer than %zu bytes", s->max);
			break;
		}
		s->buf[n++] = c;
	}
	OPENSSL_cleanse(&c, sizeof(c)); /* the last character typed */
	if (r == CTL_OK && n > 0 && s->buf[n - 1] == '\r')
		n--;
	ctl_secret_set_len(s, n);
	if (r == CTL_OK && n == 0)
		r = fail(d, CTL_E_ZERO_LEN, "nothing was entered");
	return r;
}

/* Terminal output whose failure changes nothing (the read still follows). */
static void
tty_puts(int fd, const char *str)
{
	size_t n = strlen(str);
	ssize_t k;

	while (n > 0 && ((k = write(fd, str, n)) > 0 || (k < 0 && errno == EINTR)))
		if (k > 0) {
			str += k;
			n -= (size_t)k;
		}
}

/* Echo off on in, prompt on out, one line, terminal and signals restored. */
static enum ctl_err
read_terminal(int in, int out, const char *prompt, struct ctl_secret *s, struct ctl_diag *d)
{
	struct sigaction sa, old[NSIG_TTY];
	sigset_t block, waitmask;
	struct termios t, quiet;
	enum ctl_err r;
	size_t i;

	if (tcgetattr(in, &t) != 0)
		return fail(d, CTL_E_IO, "terminal: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: ppoll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	secret_interrupted = 0;
	for (i = 0; i < NSIG_TTY; i++) {
		sigaddset(&block, tty_signals[i]);
		sigaction(tty_signals[i], &sa, &old[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	quiet = t;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	quiet.c_lflag |= ICANON;
	/* Echo off before the prompt: what is typed after it is never shown. */
	if (tcsetattr(in, TCSAFLUSH, &quiet) != 0) {
		r = fail(d, CTL_E_IO, "cannot turn off terminal echo: %s", strerror(errno));
	} else {
		tty_puts(out, prompt);
		r = read_line(in, &waitmask, s, d);
	}
	(void)tcsetattr(in, TCSAFLUSH, &t);
	tty_puts(out, "\n");
	for (i = 0; i < NSIG_TTY; i++)
		sigaction(tty_signals[i], &old[i], NULL);
	sigprocmask(SIG_SETMASK, &waitmask, NULL);
	return r;
}

enum ctl_err
ctl_secret_prompt(const char *prompt, size_t max, unsigned flags, struct ctl_secret **out,
                  struct ctl_diag *d)
{
	struct ctl_secret *s;
	enum ctl_err r;
	int fd = -1;

	*out = NULL;
	if ((flags & CTL_SECRET_STDIN) == 0 &&
	    (fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
		return fail(d, CTL_E_IO, "no terminal to ask on: /dev/tty: %s", strerror(errno));
	if ((s = ctl_secret_new(max)) == NULL) {
		if (fd >= 0)
			close(fd);
		return fail(d, CTL_E_NOMEM, "out of memory for a secret");
	}
	if (fd >= 0)
		r = read_terminal(fd, fd, prompt, s, d);
	else if (isatty(STDIN_FILENO))
		r = read_terminal(STDIN_FILENO, STDERR_FILENO, prompt, s, d);
	else
		r = read_line(STDIN_FILENO, NULL, s, d);
	if (fd >= 0)
		close(fd);
	if (r != CTL_OK) {
		ctl_secret_free(s);
		return r;
	}
	*out = s;
	return CTL_OK;
}
