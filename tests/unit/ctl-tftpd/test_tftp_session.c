/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Transfer state machine (tftp-server/ctl-tftpd/tftp_session.c) on a fake
 * environment: no socket and no real time. The fake clock is a number the
 * test moves, the fake timer remembers when it would fire and the test
 * fires it, and every datagram the session sends is captured. Covered:
 * lock-step and windows (RFC 7440 restart after a timeout or an ACK
 * inside the window), block-number rollover past 65535, duplicate and
 * old ACKs never causing a resend (RFC 1123 4.2.3.1), OACK then ACK 0, an
 * ERROR from the client, illegal packets, the lifetime cap, the retry
 * limit, a repeated request, and a timer that cannot be armed.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "tftp_log.h"
#include "tftp_session.h"
#include "testutil.h"

#define CAP 4096   /* datagrams remembered */

struct sent {
	uint16_t op;
	uint16_t block;     /* DATA/ACK block, ERROR code */
	size_t len;         /* payload bytes (DATA) or whole length (others) */
	uint8_t first;      /* first payload byte of a DATA */
};

struct fake {
	uint64_t now;
	int timer_fail;          /* timer_set returns -1 */
	struct loop_timer *timer;
	uint64_t due;            /* when the armed timer fires; UINT64_MAX: disarmed */
	struct sent out[CAP];
	size_t nout;             /* datagrams captured (the last CAP kept) */
	size_t total;            /* datagrams sent in all */
	void *link_seen;
	unsigned acked, ended;
	int completed;
	void *ended_link;
	struct tftp_req *ended_req;
};

static uint64_t
f_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static int
f_timer_set(void *ctx, struct loop_timer *t, uint64_t ms)
{
	struct fake *f = ctx;

	if (f->timer_fail)
		return -1;
	f->timer = t;
	f->due = f->now + ms;
	return 0;
}

static void
f_timer_cancel(void *ctx, struct loop_timer *t)
{
	struct fake *f = ctx;

	if (f->timer == t)
		f->due = UINT64_MAX;
}

static void
f_send(void *ctx, void *link, const struct tftp_dgram *d, unsigned n)
{
	struct fake *f = ctx;

	f->link_seen = link;
	for (unsigned i = 0; i < n; i++) {
		uint8_t pkt[8];
		struct sent *s = &f->out[f->nout % CAP];
		size_t hl = d[i].hdr_len < sizeof(pkt) ? d[i].hdr_len : sizeof(pkt);

		ck_assert_uint_ge(d[i].hdr_len, 4);
		memcpy(pkt, d[i].hdr, hl);
		s->op = (uint16_t)(pkt[0] << 8 | pkt[1]);
		s->block = (uint16_t)(pkt[2] << 8 | pkt[3]);
		s->len = s->op == TFTP_DATA ? d[i].data_len : d[i].hdr_len + d[i].data_len;
		s->first = d[i].data_len > 0 ? ((const uint8_t *)d[i].data)[0] : 0;
		f->nout++;
		f->total++;
	}
}

static void
f_acked(void *ctx, struct tftp_req *req)
{
	(void)req;
	((struct fake *)ctx)->acked++;
}

static void
f_ended(void *ctx, struct tftp_req *req, void *link, int completed)
{
	struct fake *f = ctx;

	f->ended++;
	f->completed = completed;
	f->ended_link = link;
	f->ended_req = req;
}

static const struct tftp_session_ops fake_ops = {
	f_now, f_timer_set, f_timer_cancel, f_send, f_acked, f_ended,
};

/* One test's world: the fake, its environment, a file and the session. */
struct world {
	struct fake f;
	struct tftp_session_limits lim;
	struct tftp_stats st;
	struct tftp_session_env env;
	struct tftp_file *file;
	union tftp_sa peer;
	struct tftp_session *s;
	int link;  /* its address is the link the session is given */
	int req;   /* its address is the request entry */
};

static struct world *
world_new(size_t size)
{
	struct world *w = calloc(1, sizeof(*w));
	uint8_t *data = malloc(size ? size : 1);

	ck_assert_ptr_nonnull(w);
	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i / 8);  /* with blksize 8, block b starts with byte b-1 */
	w->f.now = 1000000;
	w->f.due = UINT64_MAX;
	w->lim.max_lifetime_s = 60;
	w->lim.timeout_ms = 1000;
	w->lim.max_timeout_ms = 4000;
	w->lim.retries = 3;
	w->env.ops = &fake_ops;
	w->env.ctx = &w->f;
	w->env.lim = &w->lim;
	w->env.stats = &w->st;
	w->file = calloc(1, sizeof(*w->file) + 16);
	ck_assert_ptr_nonnull(w->file);
	memcpy(w->file->name_buf, "CTLFile.tlv", 12);
	w->file->name = w->file->name_buf;
	w->file->data = data;
	w->file->size = size;
	w->file->refs = 2;  /* the test's and the one handed to the session */
	w->peer.in4.sin_family = AF_INET;
	w->peer.in4.sin_port = htons(40000);
	w->peer.in4.sin_addr.s_addr = htonl(0x7f000001);
	return w;
}

static void
world_free(struct world *w)
{
	free((void *)w->file->data);
	free(w->file);
	free(w);
}

/* Starts the session; an accepted option (other than none) makes it begin with an OACK. */
static void
start(struct world *w, unsigned blksize, unsigned window, unsigned accepted)
{
	struct tftp_start st;

	memset(&st, 0, sizeof(st));
	st.peer = &w->peer;
	st.file = w->file;
	st.mode = TFTP_MODE_OCTET;
	st.neg.accepted = accepted;
	st.neg.blksize = blksize;
	st.neg.windowsize = window;
	st.neg.tsize = w->file->size;
	st.req = (struct tftp_req *)&w->req;
	st.link = &w->link;
	w->s = tftp_session_new(&w->env, &st);
	ck_assert_ptr_nonnull(w->s);
}

/* Feeds an ACK; returns what tftp_session_input returned. */
static int
ack(struct world *w, uint16_t block)
{
	uint8_t p[4] = { 0, TFTP_ACK, (uint8_t)(block >> 8), (uint8_t)block };

	return tftp_session_input(w->s, p, sizeof(p));
}

static const struct sent *
last(const struct world *w)
{
	ck_assert_uint_gt(w->f.nout, 0);
	return &w->f.out[(w->f.nout - 1) % CAP];
}

/* Moves the clock to the timer's due time and fires it. */
static void
fire(struct world *w)
{
	struct loop_timer *t = w->f.timer;

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_ne(w->f.due, UINT64_MAX);
	w->f.now = w->f.due;
	w->f.due = UINT64_MAX;
	t->cb(NULL, t, t->arg);
}

static void
assert_data(const struct sent *s, uint16_t block, size_t len)
{
	ck_assert_uint_eq(s->op, TFTP_DATA);
	ck_assert_uint_eq(s->block, block);
	ck_assert_uint_eq(s->len, len);
}

static void
assert_ended(const struct world *w, int completed)
{
	ck_assert_uint_eq(w->f.ended, 1);
	ck_assert_int_eq(w->f.completed, completed);
	ck_assert_ptr_eq(w->f.ended_link, &w->link);
	ck_assert_ptr_eq(w->f.ended_req, (struct tftp_req *)&w->req);
	ck_assert_uint_eq(w->file->refs, 1);   /* its file reference released once */
	ck_assert_uint_eq(w->f.due, UINT64_MAX); /* its timer cancelled */
}

START_TEST(lockstep_to_the_end)
{
	struct world *w = world_new(20);

	start(w, 8, 1, 0);
	ck_assert_uint_eq(w->st.active, 1);
	ck_assert_ptr_eq(w->f.link_seen, &w->link);
	assert_data(last(w), 1, 8);
	ck_assert_uint_eq(w->f.due, w->f.now + 1000);
	ck_assert_int_eq(ack(w, 1), 0);
	ck_assert_uint_eq(w->f.acked, 1);
	assert_data(last(w), 2, 8);
	ck_assert_int_eq(tftp_session_at_end(w->s), 0);
	ck_assert_int_eq(ack(w, 2), 0);
	assert_data(last(w), 3, 4);
	ck_assert_int_eq(tftp_session_at_end(w->s), 1);
	ck_assert_int_eq(ack(w, 3), -1);
	assert_ended(w, 1);
	ck_assert_uint_eq(w->st.completed, 1);
	ck_assert_uint_eq(w->st.bytes, 20);
	ck_assert_uint_eq(w->st.failed, 0);
	ck_assert_uint_eq(w->f.acked, 1); /* reported once */
	ck_assert_uint_eq(w->f.total, 3);
	world_free(w);
}
END_TEST

START_TEST(exact_multiple_ends_with_empty_block)
{
	struct world *w = world_new(16);

	start(w, 8, 1, 0);
	ck_assert_int_eq(ack(w, 1), 0);
	ck_assert_int_eq(ack(w, 2), 0);
	assert_data(last(w), 3, 0);
	ck_assert_int_eq(ack(w, 3), -1);
	assert_ended(w, 1);
	world_free(w);
}
END_TEST

START_TEST(empty_file_is_one_empty_block)
{
	struct world *w = world_new(0);

	start(w, 512, 1, 0);
	assert_data(last(w), 1, 0);
	ck_assert_int_eq(ack(w, 1), -1);
	assert_ended(w, 1);
	world_free(w);
}
END_TEST

/* RFC 1123 4.2.3.1: a duplicate ACK never makes the server resend (Sorcerer's Apprentice). */
START_TEST(duplicate_ack_sends_nothing)
{
	struct world *w = world_new(100);

	start(w, 8, 1, 0);
	ck_assert_int_eq(ack(w, 1), 0);
	assert_data(last(w), 2, 8);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(ack(w, 1), 0);
	ck_assert_uint_eq(w->f.total, 2);
	ck_assert_uint_eq(w->st.retransmits, 0);
	/* The transfer goes on normally afterwards. */
	ck_assert_int_eq(ack(w, 2), 0);
	assert_data(last(w), 3, 8);
	ck_assert_uint_eq(w->f.total, 3);
	tftp_session_abort(w->s);
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.failed, 1);
	world_free(w);
}
END_TEST

/* ACKs for blocks never sent or long acknowledged are ignored: no resend, no progress. */
START_TEST(old_and_future_acks_ignored)
{
	struct world *w = world_new(100);

	start(w, 8, 1, 0);
	ck_assert_int_eq(ack(w, 1), 0);
	ck_assert_int_eq(ack(w, 2), 0);
	ck_assert_int_eq(ack(w, 3), 0);
	assert_data(last(w), 4, 8);
	ck_assert_int_eq(ack(w, 1), 0);      /* old */
	ck_assert_int_eq(ack(w, 0), 0);      /* older than the transfer */
	ck_assert_int_eq(ack(w, 9), 0);      /* not sent yet */
	ck_assert_int_eq(ack(w, 0xffff), 0); /* far away */
	ck_assert_uint_eq(w->f.total, 4);
	ck_assert_int_eq(ack(w, 4), 0);
	assert_data(last(w), 5, 8);
	tftp_session_abort(w->s);
	world_free(w);
}
END_TEST

/* RFC 7440: windows open only after the first ACK; a timeout restarts after the last ACK. */
START_TEST(window_restart_after_timeout)
{
	struct world *w = world_new(8 * 20);

	start(w, 8, 4, 0);
	ck_assert_uint_eq(w->f.total, 1);     /* one packet until the client proves itself */
	ck_assert_int_eq(ack(w, 1), 0);
	ck_assert_uint_eq(w->f.total, 5);     /* blocks 2..5 */
	assert_data(last(w), 5, 8);
	ck_assert_int_eq(ack(w, 5), 0);       /* whole window: blocks 6..9 */
	assert_data(last(w), 9, 8);
	ck_assert_uint_eq(w->f.total, 9);
	/* Blocks 6..9 are lost: the timer resends the whole window from 6. */
	fire(w);
	ck_assert_uint_eq(w->f.total, 13);
	assert_data(&w->f.out[9], 6, 8);
	ck_assert_uint_eq(w->f.out[9].first, 5);
	assert_data(last(w), 9, 8);
	ck_assert_uint_eq(w->st.retransmits, 1);
	ck_assert_uint_eq(w->f.due, w->f.now + 2000);  /* backed off */
	/* An ACK inside the window (block 7) resends from 8. */
	ck_assert_int_eq(ack(w, 7), 0);
	assert_data(&w->f.out[13], 8, 8);
	assert_data(last(w), 11, 8);
	ck_assert_uint_eq(w->f.total, 17);
	ck_assert_uint_eq(w->st.retransmits, 2);
	ck_assert_uint_eq(w->f.due, w->f.now + 1000);  /* progress resets the backoff */
	tftp_session_abort(w->s);
	world_free(w);
}
END_TEST

/* Over 65535 blocks the block number wraps 65535 -> 0 and ACKs are read modulo 2^16. */
START_TEST(block_number_rollover)
{
	size_t blocks = 65536 + 10;
	struct world *w = world_new(blocks * 8 - 3);
	uint64_t b;

	start(w, 8, 1, 0);
	for (b = 1; b < 65535; b++)
		ck_assert_int_eq(ack(w, (uint16_t)b), 0);
	assert_data(last(w), 65535, 8);
	ck_assert_uint_eq(last(w)->first, (uint8_t)65534);
	ck_assert_int_eq(ack(w, 65535), 0);
	assert_data(last(w), 0, 8);          /* block 65536 goes out as 0 */
	ck_assert_uint_eq(last(w)->first, (uint8_t)65535);
	ck_assert_int_eq(ack(w, 65535), 0);  /* the duplicate of the previous ACK */
	ck_assert_uint_eq(w->f.total, 65536);
	ck_assert_int_eq(ack(w, 0), 0);
	assert_data(last(w), 1, 8);          /* block 65537 */
	ck_assert_uint_eq(last(w)->first, (uint8_t)65536);
	for (b = 65537; b < blocks; b++)
		ck_assert_int_eq(ack(w, (uint16_t)b), 0);
	assert_data(last(w), (uint16_t)blocks, 5);
	ck_assert_int_eq(ack(w, (uint16_t)blocks), -1);
	assert_ended(w, 1);
	ck_assert_uint_eq(w->st.bytes, blocks * 8 - 3);
	world_free(w);
}
END_TEST

/* With a window across the wrap, an ACK numbered after the wrap covers the blocks before it. */
START_TEST(rollover_inside_a_window)
{
	struct world *w = world_new(70000 * 8);
	uint64_t b;
	size_t n;

	start(w, 8, 16, 0);
	ck_assert_int_eq(ack(w, 1), 0);
	for (b = 17; b < 65530; b += 16)
		ck_assert_int_eq(ack(w, (uint16_t)b), 0);
	/* Blocks 65522..65537 are in flight, the last two sent as 0 and 1. */
	ck_assert_uint_eq(b, 65537);
	assert_data(last(w), 1, 8);
	ck_assert_uint_eq(last(w)->first, (uint8_t)65536);
	ck_assert_int_eq(ack(w, 1), 0);      /* the whole window, past the wrap */
	assert_data(last(w), (uint16_t)(65537 + 16), 8);
	ck_assert_uint_eq(w->st.retransmits, 0);
	n = w->f.total;
	ck_assert_int_eq(ack(w, 65535), 0);  /* from before the wrap: old, ignored */
	ck_assert_int_eq(ack(w, 1), 0);      /* duplicate */
	ck_assert_uint_eq(w->f.total, n);
	tftp_session_abort(w->s);
	world_free(w);
}
END_TEST

START_TEST(oack_then_ack0)
{
	struct world *w = world_new(20);

	start(w, 8, 1, 1u << TFTP_OPT_BLKSIZE);
	ck_assert_uint_eq(last(w)->op, TFTP_OACK);
	ck_assert_uint_eq(w->f.total, 1);
	ck_assert_int_eq(ack(w, 1), 0);    /* not the ACK of the OACK: ignored */
	ck_assert_uint_eq(w->f.total, 1);
	ck_assert_uint_eq(w->f.acked, 0);
	fire(w);                           /* OACK resent on timeout, like DATA */
	ck_assert_uint_eq(last(w)->op, TFTP_OACK);
	ck_assert_uint_eq(w->f.total, 2);
	ck_assert_int_eq(ack(w, 0), 0);
	ck_assert_uint_eq(w->f.acked, 1);
	assert_data(last(w), 1, 8);
	ck_assert_int_eq(ack(w, 0), 0);    /* duplicate ACK 0: no resend */
	ck_assert_uint_eq(w->f.total, 3);
	ck_assert_int_eq(ack(w, 1), 0);
	ck_assert_int_eq(ack(w, 2), 0);
	ck_assert_int_eq(ack(w, 3), -1);
	assert_ended(w, 1);
	world_free(w);
}
END_TEST

START_TEST(error_from_client)
{
	static const uint8_t err8[] = { 0, TFTP_ERROR, 0, 8, 'n', 'o', 0 };
	struct world *w = world_new(20);

	start(w, 8, 1, 1u << TFTP_OPT_BLKSIZE);
	ck_assert_int_eq(tftp_session_input(w->s, err8, sizeof(err8)), -1);
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.failed, 1);
	ck_assert_uint_eq(w->f.total, 1);  /* never answer an ERROR with one */
	world_free(w);
}
END_TEST

START_TEST(illegal_packet_gets_error4)
{
	static const uint8_t data[] = { 0, TFTP_DATA, 0, 1, 'x' };
	struct world *w = world_new(20);

	start(w, 8, 1, 0);
	ck_assert_int_eq(tftp_session_input(w->s, data, sizeof(data)), -1);
	ck_assert_uint_eq(last(w)->op, TFTP_ERROR);
	ck_assert_uint_eq(last(w)->block, TFTP_EBADOP);
	assert_ended(w, 0);
	world_free(w);
}
END_TEST

START_TEST(garbage_is_ignored)
{
	static const uint8_t junk[] = { 0x42 };
	static const uint8_t short_ack[] = { 0, TFTP_ACK, 0 };
	struct world *w = world_new(20);

	start(w, 8, 1, 0);
	w->f.now += 300;
	ck_assert_int_eq(tftp_session_input(w->s, junk, sizeof(junk)), 0);
	ck_assert_int_eq(tftp_session_input(w->s, short_ack, sizeof(short_ack)), 0);
	ck_assert_uint_eq(w->f.total, 1);
	ck_assert_uint_eq(w->f.ended, 0);
	ck_assert_uint_eq(tftp_session_heard(w->s), w->f.now);
	tftp_session_abort(w->s);
	world_free(w);
}
END_TEST

START_TEST(max_retries_then_give_up)
{
	struct world *w = world_new(20);

	start(w, 8, 1, 0);
	fire(w);
	fire(w);
	fire(w);
	ck_assert_uint_eq(w->f.total, 4);   /* DATA 1 and three resends */
	ck_assert_uint_eq(w->st.retransmits, 3);
	ck_assert_uint_eq(w->f.due, w->f.now + 4000); /* 1, 2, 4, then the 4 s ceiling */
	fire(w);
	ck_assert_uint_eq(w->f.total, 4);   /* no fourth resend */
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.failed, 1);
	world_free(w);
}
END_TEST

START_TEST(lifetime_cap)
{
	struct world *w = world_new(8 * 1000);
	uint64_t t0 = w->f.now;

	w->lim.max_lifetime_s = 5;
	w->lim.retries = 1000;
	start(w, 8, 1, 0);
	/* A client that ACKs only every 900 ms keeps the transfer going, up to the cap. */
	for (uint16_t b = 1; w->f.now + 900 < t0 + 5000; b++) {
		w->f.now += 900;
		ck_assert_int_eq(ack(w, b), 0);
	}
	ck_assert_uint_le(w->f.due, t0 + 5000);  /* never armed past the deadline */
	fire(w);
	ck_assert_uint_eq(w->f.now, t0 + 5000);
	ck_assert_uint_eq(last(w)->op, TFTP_ERROR);
	ck_assert_uint_eq(last(w)->block, TFTP_EUNDEF);
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.expired, 1);
	ck_assert_uint_eq(w->st.failed, 1);
	world_free(w);
}
END_TEST

/* A repeated RRQ resends only the first packet, and not more often than every 100 ms. */
START_TEST(duplicate_request)
{
	struct world *w = world_new(100);

	start(w, 8, 4, 0);
	tftp_session_duplicate(w->s);
	ck_assert_uint_eq(w->f.total, 1);   /* too soon */
	w->f.now += 100;
	tftp_session_duplicate(w->s);
	ck_assert_uint_eq(w->f.total, 2);
	assert_data(last(w), 1, 8);
	ck_assert_uint_eq(w->st.retransmits, 1);
	ck_assert_int_eq(ack(w, 1), 0);
	w->f.now += 1000;
	tftp_session_duplicate(w->s);       /* the client has answered: nothing */
	ck_assert_uint_eq(w->f.total, 6);
	tftp_session_abort(w->s);
	world_free(w);
}
END_TEST

START_TEST(evict_and_supersede)
{
	struct world *w = world_new(20);

	start(w, 8, 1, 0);
	tftp_session_evict(w->s);
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.evicted, 1);
	ck_assert_uint_eq(w->st.failed, 1);
	world_free(w);

	/* Superseded while waiting only for the last ACK: the client has the file. */
	w = world_new(4);
	start(w, 8, 1, 0);
	ck_assert_int_eq(tftp_session_at_end(w->s), 1);
	tftp_session_superseded(w->s);
	assert_ended(w, 1);
	ck_assert_uint_eq(w->st.completed, 1);
	world_free(w);

	w = world_new(20);
	start(w, 8, 1, 0);
	tftp_session_superseded(w->s);
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.failed, 1);
	world_free(w);
}
END_TEST

START_TEST(unreachable_client)
{
	struct world *w = world_new(20);

	start(w, 8, 1, 0);
	tftp_session_unreachable(w->s);
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.unreachable, 1);
	ck_assert_uint_eq(w->st.failed, 1);
	world_free(w);
}
END_TEST

/* A timer that cannot be armed at creation: no session, nothing sent, the file stays with the caller. */
START_TEST(timer_fails_at_start)
{
	struct world *w = world_new(20);
	struct tftp_start st;

	memset(&st, 0, sizeof(st));
	st.peer = &w->peer;
	st.file = w->file;
	st.mode = TFTP_MODE_OCTET;
	st.neg.blksize = 8;
	st.neg.windowsize = 1;
	w->f.timer_fail = 1;
	ck_assert_ptr_null(tftp_session_new(&w->env, &st));
	ck_assert_uint_eq(w->f.total, 0);
	ck_assert_uint_eq(w->st.active, 0);
	ck_assert_uint_eq(w->file->refs, 2);
	world_free(w);
}
END_TEST

/*
 * A timer that cannot be re-armed after an ACK or a timeout: without it
 * the transfer would never retransmit nor time out, so it ends at once,
 * with ERROR 0 to the client, counted.
 */
START_TEST(timer_fails_after_ack)
{
	struct world *w = world_new(100);

	start(w, 8, 1, 0);
	w->f.timer_fail = 1;
	ck_assert_int_eq(ack(w, 1), -1);
	ck_assert_uint_eq(last(w)->op, TFTP_ERROR);
	ck_assert_uint_eq(last(w)->block, TFTP_EUNDEF);
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.notimer, 1);
	ck_assert_uint_eq(w->st.failed, 1);
	world_free(w);
}
END_TEST

START_TEST(timer_fails_after_timeout)
{
	struct world *w = world_new(100);

	start(w, 8, 1, 0);
	w->f.timer_fail = 1;
	fire(w);
	ck_assert_uint_eq(last(w)->op, TFTP_ERROR);
	assert_ended(w, 0);
	ck_assert_uint_eq(w->st.notimer, 1);
	world_free(w);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tftp_session");
	TCase *ok = tcase_create("ok");
	TCase *acks = tcase_create("acks");
	TCase *end = tcase_create("end");

	tftp_log_setup("test_tftp_session", TFTP_LOG_ERR);
	tcase_add_test(ok, lockstep_to_the_end);
	tcase_add_test(ok, exact_multiple_ends_with_empty_block);
	tcase_add_test(ok, empty_file_is_one_empty_block);
	tcase_add_test(ok, oack_then_ack0);
	tcase_add_test(ok, window_restart_after_timeout);
	tcase_add_test(ok, block_number_rollover);
	tcase_add_test(ok, rollover_inside_a_window);
	tcase_add_test(acks, duplicate_ack_sends_nothing);
	tcase_add_test(acks, old_and_future_acks_ignored);
	tcase_add_test(acks, garbage_is_ignored);
	tcase_add_test(acks, duplicate_request);
	tcase_add_test(end, error_from_client);
	tcase_add_test(end, illegal_packet_gets_error4);
	tcase_add_test(end, max_retries_then_give_up);
	tcase_add_test(end, lifetime_cap);
	tcase_add_test(end, evict_and_supersede);
	tcase_add_test(end, unreachable_client);
	tcase_add_test(end, timer_fails_at_start);
	tcase_add_test(end, timer_fails_after_ack);
	tcase_add_test(end, timer_fails_after_timeout);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, acks);
	suite_add_tcase(s, end);
	return s;
}

CTL_TEST_MAIN(make_suite)
