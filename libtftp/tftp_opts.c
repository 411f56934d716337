/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Option negotiation (see tftp_opts.h). One table row per option; the
 * policy column says what happens to a value outside [min, max].
 */
#include <stdio.h>
#include <string.h>

#include "tftp_opts.h"

enum range_policy {
	RANGE_IGNORE,     /* outside [min, max]: leave the option out */
	RANGE_CLAMP_HIGH, /* below min: leave out; above max: lower to max */
	RANGE_ANY         /* any number (tsize is answered, not negotiated) */
};

static const struct opt_rule {
	const char *name;
	uint64_t min, max;
	enum range_policy policy;
} rules[TFTP_OPT__COUNT] = {
	[TFTP_OPT_BLKSIZE] = { "blksize", TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX, RANGE_CLAMP_HIGH },
	[TFTP_OPT_TSIZE] = { "tsize", 0, UINT64_MAX, RANGE_ANY },
	[TFTP_OPT_TIMEOUT] = { "timeout", 1, 255, RANGE_IGNORE },
	[TFTP_OPT_WINDOWSIZE] = { "windowsize", 1, 65535, RANGE_CLAMP_HIGH },
};

const char *
tftp_opt_name(enum tftp_optid id)
{
	return (unsigned)id < TFTP_OPT__COUNT ? rules[id].name : "?";
}

int
tftp_opt_number(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	*v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		x = x > (UINT64_MAX - d) / 10 ? UINT64_MAX : x * 10 + d;
	}
	*v = x;
	return 0;
}

static int
find_rule(const struct tftp_opt *o)
{
	for (int i = 0; i < TFTP_OPT__COUNT; i++)
		if (tftp_opt_is(o, rules[i].name))
			return i;
	return -1;
}

enum tftp_perr
tftp_opts_read(const struct tftp_optlist *ol, struct tftp_optreq *req)
{
	memset(req, 0, sizeof(*req));
	req->unknown = ol->total - ol->n;
	for (size_t i = 0; i < ol->n; i++) {
		const struct tftp_opt *o = &ol->opt[i];
		int id = find_rule(o);
		uint64_t v;

		if (id < 0 || (req->present & (1u << id))) {
			req->unknown++; /* unknown, or a duplicate: first one wins */
			continue;
		}
		if (tftp_opt_number(o->value, o->value_len, &v) < 0)
			return TFTP_P_OPT_VALUE;
		req->present |= 1u << id;
		req->val[id] = v;
	}
	return TFTP_P_OK;
}

/* Applies rule id and a server limit to a requested value; 0 = leave out. */
static int
accept_value(enum tftp_optid id, uint64_t v, uint64_t limit, uint64_t *out)
{
	const struct opt_rule *r = &rules[id];

	*out = 0;
	if (v < r->min)
		return 0;
	switch (r->policy) {
	case RANGE_IGNORE:
		if (v > r->max)
			return 0;
		break;
	case RANGE_CLAMP_HIGH:
		if (v > r->max)
			v = r->max;
		break;
	case RANGE_ANY:
		break;
	}
	*out = v < limit ? v : limit;
	return 1;
}

void
tftp_opts_negotiate(const struct tftp_optreq *req, const struct tftp_limits *lim,
                    enum tftp_mode mode, uint64_t file_size, struct tftp_neg *neg)
{
	uint64_t v;

	memset(neg, 0, sizeof(*neg));
	neg->blksize = TFTP_BLKSIZE_DEF;
	neg->windowsize = 1;
	if ((req->present & (1u << TFTP_OPT_BLKSIZE)) &&
	    accept_value(TFTP_OPT_BLKSIZE, req->val[TFTP_OPT_BLKSIZE], lim->blksize_max, &v) &&
	    v >= TFTP_BLKSIZE_MIN) {
		neg->blksize = (unsigned)v;
		neg->accepted |= 1u << TFTP_OPT_BLKSIZE;
	}
	if ((req->present & (1u << TFTP_OPT_WINDOWSIZE)) && lim->windowsize_max >= 1 &&
	    accept_value(TFTP_OPT_WINDOWSIZE, req->val[TFTP_OPT_WINDOWSIZE], lim->windowsize_max, &v)) {
		neg->windowsize = (unsigned)v;
		neg->accepted |= 1u << TFTP_OPT_WINDOWSIZE;
	}
	/*
	 * RFC 2349: timeout is accepted only by echoing exactly the request, so
	 * a value above our cap is left out of the OACK rather than lowered: a
	 * client must not make the server wait 255 s per try.
	 */
	if ((req->present & (1u << TFTP_OPT_TIMEOUT)) &&
	    accept_value(TFTP_OPT_TIMEOUT, req->val[TFTP_OPT_TIMEOUT], UINT64_MAX, &v) &&
	    (lim->timeout_max_s == 0 || v <= lim->timeout_max_s)) {
		neg->timeout_s = (unsigned)v;
		neg->accepted |= 1u << TFTP_OPT_TIMEOUT;
	}
	if ((req->present & (1u << TFTP_OPT_TSIZE)) && mode == TFTP_MODE_OCTET) {
		neg->tsize = file_size;
		neg->accepted |= 1u << TFTP_OPT_TSIZE;
	}
}

int
tftp_opts_build_oack(const struct tftp_neg *neg, uint8_t *buf, size_t cap, size_t *len)
{
	char vals[TFTP_OPT__COUNT][24];
	struct tftp_opt opts[TFTP_OPT__COUNT];
	uint64_t v[TFTP_OPT__COUNT] = {
		[TFTP_OPT_BLKSIZE] = neg->blksize,
		[TFTP_OPT_TSIZE] = neg->tsize,
		[TFTP_OPT_TIMEOUT] = neg->timeout_s,
		[TFTP_OPT_WINDOWSIZE] = neg->windowsize,
	};
	size_t n = 0;

	*len = 0;
	if (neg->accepted == 0)
		return 0;
	for (int i = 0; i < TFTP_OPT__COUNT; i++) {
		int w;

		if (!(neg->accepted & (1u << i)))
			continue;
		w = snprintf(vals[n], sizeof(vals[n]), "%llu", (unsigned long long)v[i]);
		if (w < 0 || (size_t)w >= sizeof(vals[n]))
			return -1;
		memset(&opts[n], 0, sizeof(opts[n]));
		opts[n].name = rules[i].name;
		opts[n].value = vals[n];
		n++;
	}
	return tftp_build_oack(buf, cap, opts, n, len);
}

int
tftp_opts_check_oack(const struct tftp_optreq *asked, const struct tftp_optreq *ack,
                     struct tftp_neg *neg)
{
	memset(neg, 0, sizeof(*neg));
	neg->blksize = TFTP_BLKSIZE_DEF;
	neg->windowsize = 1;
	/* RFC 2347: a server never acknowledges an option it was not sent. */
	if ((ack->present & ~asked->present) != 0 || ack->unknown != 0)
		return -1;
	neg->accepted = ack->present;
	if (ack->present & (1u << TFTP_OPT_BLKSIZE)) {
		uint64_t b = ack->val[TFTP_OPT_BLKSIZE];

		if (b < TFTP_BLKSIZE_MIN || b > TFTP_BLKSIZE_MAX || b > asked->val[TFTP_OPT_BLKSIZE])
			return -1;
		neg->blksize = (unsigned)b;
	}
	if (ack->present & (1u << TFTP_OPT_WINDOWSIZE)) {
		uint64_t w = ack->val[TFTP_OPT_WINDOWSIZE];

		if (w < 1 || w > 65535 || w > asked->val[TFTP_OPT_WINDOWSIZE])
			return -1;
		neg->windowsize = (unsigned)w;
	}
	if (ack->present & (1u << TFTP_OPT_TIMEOUT)) {
		if (ack->val[TFTP_OPT_TIMEOUT] != asked->val[TFTP_OPT_TIMEOUT])
			return -1;
		neg->timeout_s = (unsigned)ack->val[TFTP_OPT_TIMEOUT];
	}
	if (ack->present & (1u << TFTP_OPT_TSIZE))
		neg->tsize = ack->val[TFTP_OPT_TSIZE];
	return 0;
}
