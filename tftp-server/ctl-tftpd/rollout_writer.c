/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state file's writer process (rollout_writer.h). One job at a time:
 * the loop sends the byte count with a memfd holding the bytes (one small
 * message, so a send never waits for the writer); the writer maps it,
 * writes the file with ctl_write_atomic and answers with the outcome.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "rollout_writer.h"

struct rollout_writer {
	pid_t pid;
	int sock;
	int busy;   /* a write sent, its outcome not read yet */
	char gone[160];   /* how the process ended, once reaped */
};

struct writer_reply {
	int ok;
	char msg[sizeof(((struct ctl_diag *)0)->msg)];
};

/*
 * The writer's only descriptors: the standard ones and its socket. Sockets
 * it inherited would otherwise stay open in it: an HTTP connection the loop
 * closes would not end while the writer lives.
 */
static void
close_all_but(int keep)
{
	if (keep > 3)
		(void)close_range(3, (unsigned)keep - 1, 0);
	if (close_range((unsigned)keep + 1, ~0u, 0) < 0)
		for (int fd = keep + 1; fd < 65536; fd++)
			(void)close(fd);
}

/* One job: 1 with *len and *fd, 0 at end of file (the daemon is gone or stopping), -1 on error. */
static int
recv_job(int sock, uint64_t *len, int *fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { len, sizeof(*len) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
	                    .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *h;
	ssize_t n;

	while ((n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	h = CMSG_FIRSTHDR(&m);
	if (n != sizeof(*len) || h == NULL || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS ||
	    h->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(fd, CMSG_DATA(h), sizeof(int));
	return 1;
}

/* Writes the job's bytes (the memfd's first len) to path. */
static void
write_job(const char *path, int fd, uint64_t len, struct writer_reply *rep)
{
	struct ctl_diag d;
	struct stat st;
	void *p = NULL;

	memset(&d, 0, sizeof(d));
	memset(rep, 0, sizeof(*rep));
	if (fstat(fd, &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size < len || len > SIZE_MAX ||
	    (len > 0 && (p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)) {
		snprintf(rep->msg, sizeof(rep->msg), "the writer cannot read the table: %s", strerror(errno));
		return;
	}
	rep->ok = ctl_write_atomic(path, len > 0 ? p : "", (size_t)len, 0644, &d) == CTL_OK;
	if (!rep->ok)
		snprintf(rep->msg, sizeof(rep->msg), "%s", d.msg[0] ? d.msg : "cannot write");
	if (len > 0)
		munmap(p, (size_t)len);
}

/* The writer process: jobs until the socket closes. Never returns. */
static void
writer_main(int sock, const char *path)
{
	struct writer_reply rep;
	uint64_t len;
	int fd, r;

	close_all_but(sock);
	(void)prctl(PR_SET_NAME, "rollout-writer", 0, 0, 0);
	while ((r = recv_job(sock, &len, &fd)) > 0) {
		write_job(path, fd, len, &rep);
		close(fd);
		if (send(sock, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep))
			_exit(1);
	}
	/* _exit: the loop's atexit handlers and stdio buffers are not the writer's. */
	_exit(r == 0 ? 0 : 1);
}

struct rollout_writer *
rollout_writer_new(const char *path)
{
	struct rollout_writer *w = calloc(1, sizeof(*w));
	int sv[2], e;

	if (w == NULL)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		free(w);
		return NULL;
	}
	if ((w->pid = fork()) == 0) {
		close(sv[0]);
		writer_main(sv[1], path);
	}
	e = errno;
	close(sv[1]);
	if (w->pid < 0) {
		close(sv[0]);
		free(w);
		errno = e;
		return NULL;
	}
	w->sock = sv[0];
	return w;
}

static void writer_reap(struct rollout_writer *w, int kill_first, char *msg, size_t cap);

/* A memfd holding p[0..n). -1: errno. */
static int
memfd_of(const uint8_t *p, size_t n)
{
	int fd = memfd_create("rollout-state", MFD_CLOEXEC), e;
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < n) {
		ssize_t k = write(fd, p + off, n - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			e = k < 0 ? errno : EIO;
			close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)k;
	}
	return fd;
}

int
rollout_writer_send(struct rollout_writer *w, const uint8_t *p, size_t n)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	uint64_t len = n;
	struct iovec iov = { &len, sizeof(len) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
	                    .msg_controllen = sizeof(c.buf) };
	struct cmsghdr *h;
	ssize_t k;
	int fd, e;

	if (w->busy) {
		errno = EBUSY;
		return -1;
	}
	if ((fd = memfd_of(p, n)) < 0)
		return -1;
	memset(c.buf, 0, sizeof(c.buf));
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	while ((k = sendmsg(w->sock, &m, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0 && errno == EINTR)
		;
	e = errno;
	close(fd);   /* the writer holds its own copy now */
	if (k != (ssize_t)sizeof(len)) {
		/* Its end of the socket is closed only by its exit (or it stopped reading): reaped now. */
		writer_reap(w, !(k < 0 && (e == EPIPE || e == ECONNRESET)), w->gone, sizeof(w->gone));
		errno = EPIPE;
		return -1;
	}
	w->busy = 1;
	return 0;
}

/* How the writer's process ended: reaped (killed first when it may still run: kill_first). */
static void
writer_reap(struct rollout_writer *w, int kill_first, char *msg, size_t cap)
{
	int st = 0;
	pid_t p;

	if (w->pid <= 0)
		return;
	if (kill_first)
		(void)kill(w->pid, SIGKILL);
	while ((p = waitpid(w->pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (p == w->pid && WIFSIGNALED(st))
		snprintf(msg, cap, "the writer process (pid %ld) was killed by signal %d", (long)w->pid,
		         WTERMSIG(st));
	else if (p == w->pid && WIFEXITED(st))
		snprintf(msg, cap, "the writer process (pid %ld) exited with status %d", (long)w->pid,
		         WEXITSTATUS(st));
	else
		snprintf(msg, cap, "the writer process (pid %ld) is gone", (long)w->pid);
	w->pid = 0;
}

pid_t
rollout_writer_pid(const struct rollout_writer *w)
{
	return w->pid;
}

enum rollout_writer_state
rollout_writer_poll(struct rollout_writer *w, int wait, char *msg, size_t cap)
{
	struct writer_reply rep;
	ssize_t n;

	if (cap > 0)
		msg[0] = '\0';
	if (w->pid <= 0) {
		snprintf(msg, cap, "%s", w->gone[0] ? w->gone : "the writer process is gone");
		return ROLLOUT_WRITER_GONE;
	}
	if (!w->busy)
		return ROLLOUT_WRITER_IDLE;
	while ((n = recv(w->sock, &rep, sizeof(rep), wait ? 0 : MSG_DONTWAIT)) < 0 && errno == EINTR)
		;
	if (n < 0 && !wait && (errno == EAGAIN || errno == EWOULDBLOCK))
		return ROLLOUT_WRITER_RUNNING;
	w->busy = 0;
	if (n != (ssize_t)sizeof(rep)) {
		/* End of file: the writer has exited (or is exiting); anything else: make sure it has. */
		writer_reap(w, n != 0, w->gone, sizeof(w->gone));
		snprintf(msg, cap, "%s", w->gone);
		return ROLLOUT_WRITER_GONE;
	}
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	if (rep.ok)
		return ROLLOUT_WRITER_DONE;
	snprintf(msg, cap, "%s", rep.msg);
	return ROLLOUT_WRITER_FAILED;
}

void
rollout_writer_free(struct rollout_writer *w)
{
	int st;

	if (w == NULL)
		return;
	/* End of file ends the writer once its current write (if any) is done. */
	close(w->sock);
	if (w->pid > 0)
		while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR)
			;
	free(w);
}
