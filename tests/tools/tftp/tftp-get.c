/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tftp-get: one download through the shared client engine, with
 * options and simulated loss (the packet-loss test's client).
 *   tftp-get [options] ADDR:PORT REMOTE LOCAL
 * Exit: 0 saved, 1 server ERROR or protocol failure, 3 timeout, 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/ctl.h>

#include "loop.h"
#include "tftp_client.h"

#define PROG "tftp-get"

struct ctx {
	const char *local;
	int status;
	struct loop *loop;
};

static void
done(void *arg, const struct tftp_result *r)
{
	struct ctx *c = arg;
	FILE *f;

	loop_stop(c->loop);
	if (r->err != TFTP_CE_OK) {
		printf("error %s", tftp_cerr_str(r->err));
		if (r->err == TFTP_CE_SERVER)
			printf(" %u %s", r->ecode, r->emsg);
		printf("\n");
		c->status = r->err == TFTP_CE_TIMEOUT ? 3 : 1;
		return;
	}
	if ((f = fopen(c->local, "wb")) == NULL || fwrite(r->data, 1, r->len, f) != r->len ||
	    fclose(f) != 0) {
		fprintf(stderr, PROG ": cannot write %s\n", c->local);
		c->status = 1;
		return;
	}
	printf("ok %zu bytes blksize %u windowsize %u retransmits %u dropped %u", r->len,
	       r->neg.blksize, r->neg.windowsize, r->retransmits, r->dropped);
	if (r->has_tsize)
		printf(" tsize %llu", (unsigned long long)r->tsize);
	printf("\n");
	c->status = 0;
}

static CTL_MUST_USE int
num(const char *s, unsigned long long max, unsigned *v)
{
	unsigned long long x;

	if (ctl_parse_uint(s, 0, max, &x) != CTL_OK)
		return -1;
	*v = (unsigned)x;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "loss", required_argument, NULL, 'L' }, { "blksize", required_argument, NULL, 'b' },
		{ "windowsize", required_argument, NULL, 'w' }, { "tsize", no_argument, NULL, 'T' },
		{ "timeout", required_argument, NULL, 't' }, { "retries", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' }, { "netascii", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	struct tftp_client_cfg cc;
	struct tftp_get g;
	struct tftp_client *cl;
	struct ctx c = { NULL, 1, NULL };
	union tftp_sa srv;
	socklen_t slen;
	unsigned seed = 1;
	int opt, bad = 0;

	memset(&cc, 0, sizeof(cc));
	memset(&g, 0, sizeof(g));
	cc.timeout_ms = 1000;
	cc.retries = 10;
	g.mode = TFTP_MODE_OCTET;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'L': bad |= num(optarg, 99, &cc.loss_pct); break;
		case 'b': bad |= num(optarg, 65464, &g.blksize); break;
		case 'w': bad |= num(optarg, 65535, &g.windowsize); break;
		case 'T': g.tsize = 1; break;
		case 't': bad |= num(optarg, 600000, &cc.timeout_ms); break;
		case 'r': bad |= num(optarg, 10000, &cc.retries); break;
		case 's': bad |= num(optarg, 1u << 30, &seed); break;
		case 'a': g.mode = TFTP_MODE_NETASCII; break;
		case 'h':
			printf("usage: " PROG " [--loss PCT] [--blksize N] [--windowsize N] [--tsize] "
			       "[--timeout MS] [--retries N] [--seed N] [--netascii] ADDR:PORT REMOTE LOCAL\n");
			return 0;
		default: bad = 1;
		}
	}
	if (bad || argc - optind != 3 || tftp_addr_parse(argv[optind], 69, &srv, &slen) < 0) {
		fprintf(stderr, "usage: " PROG " [options] ADDR:PORT REMOTE LOCAL\n");
		return 2;
	}
	cc.seed = seed;
	c.local = argv[optind + 2];
	c.loop = loop_new();
	if (c.loop == NULL || (cl = tftp_client_new(c.loop, &cc)) == NULL)
		return 1;
	g.server = &srv;
	g.file = argv[optind + 1];
	g.done = done;
	g.arg = &c;
	if (tftp_client_get(cl, &g) < 0) {
		perror(PROG);
		return 1;
	}
	if (loop_run(c.loop) < 0) {
		perror(PROG);
		c.status = 1;
	}
	tftp_client_free(cl);
	loop_free(c.loop);
	return c.status;
}
