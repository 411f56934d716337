/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tftp-raw: sends one hand-made UDP datagram to a TFTP server and prints
 * what comes back, for the hostile-input tests; optionally downloads a
 * file step by step (plain RFC 1350, no options) and can stall after a
 * block until a file appears, for the hot-reload test.
 *
 *   tftp-raw [options] ADDR:PORT PACKET
 * PACKET is a string with escapes \0..\7 (one digit, that byte), \n, \\, \xHH; with --hex it is hex
 * digits; with --random N it is ignored and N pseudo-random bytes are
 * sent. Output: one line per answer:
 *   ERROR <code> <message> | DATA <block> <len> | OACK <name>=<value>... |
 *   ACK <block> | OTHER <len> | NONE
 * followed by " port <server port>". Exit: 0 an answer came, 1 none, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ctl/ctl.h>

#include "tftp_addr.h"
#include "tftp_codec.h"

#define PROG "tftp-raw"

struct raw_opts {
	unsigned timeout_ms, repeat, random_len, pause_at;
	int hex, wrong_tid;
	const char *fetch, *resume_when, *paused_mark;
};

/* Decodes the PACKET argument into buf; returns its length or -1. */
static CTL_MUST_USE long
decode(const char *s, int hex, uint8_t *buf, size_t cap)
{
	size_t n = 0;

	while (*s != '\0') {
		int c = (unsigned char)*s++;

		if (n == cap)
			return -1;
		if (hex) {
			int lo;

			if (ctl_hex_digit(c) < 0 || (lo = ctl_hex_digit((unsigned char)*s++)) < 0)
				return -1;
			buf[n++] = (uint8_t)(ctl_hex_digit(c) * 16 + lo);
			continue;
		}
		if (c != '\\') {
			buf[n++] = (uint8_t)c;
			continue;
		}
		c = (unsigned char)*s++;
		if (c >= '0' && c <= '7')
			buf[n++] = (uint8_t)(c - '0'); /* one digit: \0 NUL, \1 RRQ opcode byte */
		else if (c == 'n')
			buf[n++] = '\n';
		else if (c == '\\')
			buf[n++] = '\\';
		else if (c == 'x' && ctl_hex_digit((unsigned char)s[0]) >= 0 && ctl_hex_digit((unsigned char)s[1]) >= 0) {
			buf[n++] = (uint8_t)(ctl_hex_digit((unsigned char)s[0]) * 16 + ctl_hex_digit((unsigned char)s[1]));
			s += 2;
		} else
			return -1;
	}
	return (long)n;
}

static void
print_answer(const uint8_t *p, size_t n, const union tftp_sa *from)
{
	struct tftp_pkt pkt;
	enum tftp_perr e = tftp_parse(p, n, TFTP_BLKSIZE_MAX, &pkt);

	if (e != TFTP_P_OK && pkt.op != TFTP_ERROR) {
		printf("OTHER %zu", n);
	} else {
		switch (pkt.op) {
		case TFTP_ERROR:
			printf("ERROR %u %.*s", pkt.ecode, (int)pkt.emsg_len,
			       pkt.emsg != NULL ? pkt.emsg : "");
			break;
		case TFTP_DATA:
			printf("DATA %u %zu", pkt.block, pkt.data_len);
			break;
		case TFTP_ACK:
			printf("ACK %u", pkt.block);
			break;
		case TFTP_OACK:
			printf("OACK");
			for (size_t i = 0; i < pkt.opts.n; i++)
				printf(" %s=%s", pkt.opts.opt[i].name, pkt.opts.opt[i].value);
			break;
		case TFTP_RRQ:
		case TFTP_WRQ:
			printf("OTHER %zu", n);
			break;
		}
	}
	printf(" port %u\n", tftp_addr_port(from));
	fflush(stdout);
}

static CTL_MUST_USE ssize_t
wait_recv(int fd, uint8_t *buf, size_t cap, unsigned ms, union tftp_sa *from)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	socklen_t flen = sizeof(*from);

	if (poll(&pfd, 1, (int)ms) <= 0)
		return -1;
	return recvfrom(fd, buf, cap, 0, &from->sa, &flen);
}

static void
wait_for_file(const char *path)
{
	struct stat st;
	struct timespec ts = { 0, 20 * 1000000L };

	for (int i = 0; i < 3000 && stat(path, &st) != 0; i++)
		nanosleep(&ts, NULL);
}

/* Lock-step download after the first DATA: ACK each block, keep the bytes. */
static int
fetch(int fd, const struct raw_opts *o, const uint8_t *first, size_t n, const union tftp_sa *tid)
{
	FILE *out = fopen(o->fetch, "wb");
	uint8_t buf[TFTP_HDR + 512 + 16], ack[TFTP_HDR];
	uint16_t expect = 1;
	size_t alen;
	struct tftp_pkt p;
	int tries = 0;

	if (out == NULL)
		return 1;
	memcpy(buf, first, n);
	for (;;) {
		union tftp_sa from;
		ssize_t r;

		if (tftp_parse(buf, n, 512, &p) == TFTP_P_OK && p.op == TFTP_DATA && p.block == expect) {
			fwrite(p.data, 1, p.data_len, out);
			if (o->pause_at != 0 && p.block == o->pause_at && o->resume_when != NULL) {
				FILE *m = o->paused_mark != NULL ? fopen(o->paused_mark, "w") : NULL;

				if (m != NULL)
					fclose(m);
				wait_for_file(o->resume_when);
			}
			/* An ACK always fits its 4-byte buffer. */
			CTL_IGNORE_RESULT(tftp_build_ack(ack, sizeof(ack), expect, &alen));
			sendto(fd, ack, alen, 0, &tid->sa, tftp_addr_len(tid));
			if (p.data_len < 512)
				break;
			expect++;
			tries = 0;
		} else if (p.op == TFTP_ERROR) {
			fclose(out);
			return 1;
		}
		if ((r = wait_recv(fd, buf, sizeof(buf), o->timeout_ms, &from)) < 0) {
			if (++tries > 5) {
				fclose(out);
				return 1;
			}
			sendto(fd, ack, alen, 0, &tid->sa, tftp_addr_len(tid));
			n = 0;
			continue;
		}
		n = (size_t)r;
	}
	fclose(out);
	printf("FETCHED %u blocks\n", expect);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [--hex] [--random N] [--timeout MS] [--repeat N] [--wrong-tid]\n"
	           "       [--fetch OUT [--pause-at BLOCK --resume-when PATH [--paused-mark PATH]]]\n"
	           "       ADDR:PORT PACKET\n");
}

static int
parse(int argc, char **argv, struct raw_opts *o)
{
	static const struct option lo[] = {
		{ "hex", no_argument, NULL, 'x' }, { "random", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' }, { "repeat", required_argument, NULL, 'n' },
		{ "wrong-tid", no_argument, NULL, 'W' }, { "fetch", required_argument, NULL, 'f' },
		{ "pause-at", required_argument, NULL, 'p' }, { "resume-when", required_argument, NULL, 'w' },
		{ "paused-mark", required_argument, NULL, 'm' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->timeout_ms = 1000;
	o->repeat = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'x': o->hex = 1; break;
		case 'W': o->wrong_tid = 1; break;
		case 'f': o->fetch = optarg; break;
		case 'w': o->resume_when = optarg; break;
		case 'm': o->paused_mark = optarg; break;
		case 'R': case 't': case 'n': case 'p':
			if (ctl_parse_uint(optarg, 0, 100000, &v) != CTL_OK)
				return 2;
			if (c == 'R') o->random_len = (unsigned)v;
			if (c == 't') o->timeout_ms = (unsigned)v;
			if (c == 'n') o->repeat = (unsigned)v;
			if (c == 'p') o->pause_at = (unsigned)v;
			break;
		case 'h': usage(stdout); exit(0);
		default: return 2;
		}
	}
	return argc - optind == 2 ? 0 : 2;
}

int
main(int argc, char **argv)
{
	struct raw_opts o;
	union tftp_sa srv, from;
	socklen_t slen;
	uint8_t pkt[70000], buf[70000];
	long n;
	int fd, got = 0;

	if (parse(argc, argv, &o) != 0 || tftp_addr_parse(argv[optind], 69, &srv, &slen) < 0) {
		usage(stderr);
		return 2;
	}
	if (o.random_len > 0) {
		srand((unsigned)time(NULL) ^ (unsigned)getpid());
		n = o.random_len > sizeof(pkt) ? (long)sizeof(pkt) : (long)o.random_len;
		for (long i = 0; i < n; i++)
			pkt[i] = (uint8_t)rand();
	} else if ((n = decode(argv[optind + 1], o.hex, pkt, sizeof(pkt))) < 0) {
		fprintf(stderr, PROG ": bad PACKET\n");
		return 2;
	}
	if ((fd = socket(srv.sa.sa_family, SOCK_DGRAM, 0)) < 0)
		return 2;
	for (unsigned i = 0; i < o.repeat; i++)
		sendto(fd, pkt, (size_t)n, 0, &srv.sa, slen);
	for (;;) {
		ssize_t r = wait_recv(fd, buf, sizeof(buf), o.timeout_ms, &from);

		if (r < 0)
			break;
		got++;
		print_answer(buf, (size_t)r, &from);
		if (o.fetch != NULL && buf[1] == TFTP_DATA)
			return fetch(fd, &o, buf, (size_t)r, &from);
		if (o.wrong_tid && got == 1) {
			/* An ACK from another port to the transfer's port must earn ERROR 5. */
			int fd2 = socket(srv.sa.sa_family, SOCK_DGRAM, 0);
			uint8_t ack[TFTP_HDR];
			size_t alen;

			/* An ACK always fits its 4-byte buffer. */
			CTL_IGNORE_RESULT(tftp_build_ack(ack, sizeof(ack), 1, &alen));
			sendto(fd2, ack, alen, 0, &from.sa, tftp_addr_len(&from));
			if ((r = wait_recv(fd2, buf, sizeof(buf), o.timeout_ms, &from)) >= 0) {
				printf("WRONG-TID ");
				print_answer(buf, (size_t)r, &from);
			}
			close(fd2);
		}
		if (o.timeout_ms > 300 && got >= 1 && o.repeat == 1 && !o.wrong_tid)
			break;
	}
	if (got == 0)
		printf("NONE\n");
	close(fd);
	return got > 0 ? 0 : 1;
}
