/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TFTP client engine: many read transfers at once in one process, driven
 * by the event loop (loop.h), with options (blksize, windowsize, tsize,
 * timeout), retransmission and an optional simulated loss rate. The load
 * generator (ctl-tftp-load), the test tools and the phone emulator all
 * use it: one TFTP client in the project.
 *
 * Each transfer uses its own UDP socket (its own source port, the client
 * TID) and ends with exactly one call of its callback, never from inside
 * tftp_client_get(). The engine keeps no global state.
 */
#ifndef TFTP_CLIENT_H
#define TFTP_CLIENT_H

#include "ctl/err.h"
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "tftp_addr.h"
#include "tftp_codec.h"
#include "tftp_opts.h"

enum tftp_cerr {
	TFTP_CE_OK = 0,
	TFTP_CE_TIMEOUT,      /* no answer after the configured retries */
	TFTP_CE_SERVER,       /* the server sent ERROR (code and text in the result) */
	TFTP_CE_PROTOCOL,     /* unacceptable OACK or packet; ERROR sent to the server */
	TFTP_CE_TOO_LARGE,    /* file over max_size; ERROR 3 sent */
	TFTP_CE_SOCKET,       /* socket could not be created or bound */
	TFTP_CE_NOMEM
};

const char *tftp_cerr_str(enum tftp_cerr e);

struct tftp_client_cfg {
	unsigned timeout_ms;  /* retransmission timeout; 0 = 1000 */
	unsigned retries;     /* retransmissions before giving up; RFC 1350 receiver */
	/*
	 * Never retransmit: the RRQ and each ACK are sent once and the server's
	 * own retransmissions must carry the transfer (a duplicate DATA is still
	 * answered with an ACK). A transfer then fails after idle_ms without
	 * progress. Boot-storm runs compare servers with and without
	 * retransmitting clients.
	 */
	int no_resend;
	/* Give up after this long without progress; 0 = timeout_ms x (retries + 1). */
	unsigned idle_ms;
	unsigned loss_pct;    /* 0..100: received DATA packets dropped on purpose */
	uint64_t seed;        /* loss simulation PRNG seed */
	size_t max_size;      /* largest file accepted; 0 = 256 MiB */
};

struct tftp_result {
	enum tftp_cerr err;
	unsigned ecode;        /* TFTP_CE_SERVER: the server's ERROR code */
	char emsg[128];        /* TFTP_CE_SERVER: its message, escaped */
	const uint8_t *data;   /* TFTP_CE_OK: the file, lent during the callback */
	size_t len;
	int has_tsize;
	uint64_t tsize;        /* from the OACK */
	struct tftp_neg neg;   /* what the transfer ran with */
	unsigned retransmits;  /* packets this client sent again */
	unsigned dropped;      /* DATA packets dropped by the loss simulation */
	uint64_t ms;           /* from the RRQ to the end */
};

typedef void (*tftp_done_fn)(void *arg, const struct tftp_result *r);

struct tftp_get {
	const union tftp_sa *server;  /* request address and port */
	const char *file;
	enum tftp_mode mode;
	unsigned blksize;     /* 0: do not ask */
	unsigned windowsize;  /* 0: do not ask */
	int tsize;            /* ask for tsize */
	unsigned timeout_s;   /* 0: do not ask */
	/*
	 * Local port (0: any). A load generator gives every transfer a port of
	 * its own: with a reused port, a late packet from a server's previous
	 * transfer to that port (tftp-hpa forks a second sender for each
	 * repeated RRQ) would be taken for the first answer of the new one.
	 */
	unsigned local_port;
	/*
	 * Local address (NULL: any), port ignored. Emulated phones each send
	 * from an address of their own, as real ones do (127.x.y.z on
	 * loopback), so per-source limits in a server see many clients.
	 */
	const union tftp_sa *local_addr;
	tftp_done_fn done;
	void *arg;
};

struct tftp_client;

/* A client engine on loop l; cfg is copied. NULL when out of memory. */
CTL_MUST_USE struct tftp_client *tftp_client_new(struct loop *l, const struct tftp_client_cfg *cfg);
/* Frees the engine and every transfer still running, without callbacks. NULL ok. */
void tftp_client_free(struct tftp_client *c);

/*
 * Starts a read transfer and sends the RRQ. Returns 0 (the callback will
 * follow from the loop), or -1 with errno when it could not start (no
 * callback then; EADDRINUSE when local_port is taken).
 */
CTL_MUST_USE int tftp_client_get(struct tftp_client *c, const struct tftp_get *g);
/* Transfers in progress. */
size_t tftp_client_active(const struct tftp_client *c);

/*
 * A block of IPv4 source addresses handed out one per emulated phone,
 * parsed from "A.B.C.D/N" (N 8..32). A block of 4 or more leaves out its
 * first and last address (network and broadcast on a real segment).
 */
struct tftp_src_range {
	uint32_t first;  /* host byte order */
	uint32_t count;
};

/* 0, or -1 when s is not A.B.C.D/N with N in 8..32. */
CTL_MUST_USE int tftp_src_range_parse(const char *s, struct tftp_src_range *r);
/* The i-th address of the block (wrapping around), port 0, into out. */
void tftp_src_range_addr(const struct tftp_src_range *r, uint64_t i, union tftp_sa *out);
/*
 * Binds the block's first and last address once: a block this host does
 * not hold is found before any phone starts. 0, or -1 with errno and the
 * address that failed in *bad.
 */
CTL_MUST_USE int tftp_src_range_probe(const struct tftp_src_range *r, union tftp_sa *bad);

#endif
