/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every phone of a run shares: the event loop, the TFTP client engine
 * (libtftp/), the resolved server, the key cache and one copy of each
 * distinct trust list; and the one-off fetch of compare and fleet.
 * Nothing here prints: failures come back as text for the command to show.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv.h"

/* HOST[:PORT]: numeric first (tftp_addr_parse), then a name lookup. */
CTL_MUST_USE static int
resolve(const char *spec, union tftp_sa *out)
{
	struct addrinfo hints, *ai = NULL;
	unsigned long long port = 69;
	char host[256];
	const char *colon = strrchr(spec, ':');
	socklen_t len;
	size_t hl;

	if (tftp_addr_parse(spec, 69, out, &len) == 0)
		return 0;
	hl = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (hl == 0 || hl >= sizeof(host) ||
	    (colon != NULL && ctl_parse_uint(colon + 1, 1, 65535, &port) != CTL_OK))
		return -1;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	memcpy(out, ai->ai_addr, ai->ai_addrlen < sizeof(*out) ? ai->ai_addrlen : sizeof(*out));
	freeaddrinfo(ai);
	if (out->sa.sa_family == AF_INET)
		out->in4.sin_port = htons((uint16_t)port);
	else if (out->sa.sa_family == AF_INET6)
		out->in6.sin6_port = htons((uint16_t)port);
	else
		return -1;
	return 0;
}

/* How a phone starts a transfer on the real engine. */
CTL_MUST_USE static int
client_get(void *arg, const struct tftp_get *g)
{
	return tftp_client_get(arg, g);
}

int
pv_env_init(struct pv_env *e, const struct pv_env_cfg *cfg, char *why, size_t cap)
{
	struct tftp_client_cfg cc;

	memset(e, 0, sizeof(*e));
	if (resolve(cfg->tftp, &e->server) != 0) {
		snprintf(why, cap, "--tftp: cannot resolve '%s' (HOST[:PORT])", cfg->tftp);
		return PV_EXIT_USAGE;
	}
	tftp_addr_str(&e->server, e->server_str, sizeof(e->server_str));
	memset(&cc, 0, sizeof(cc));
	cc.timeout_ms = cfg->timeout_ms;
	cc.retries = cfg->retries;
	cc.no_resend = cfg->no_resend;
	cc.loss_pct = cfg->loss_pct;
	cc.seed = cfg->seed;
	cc.max_size = CTL_MAX_FILE;
	e->blksize = cfg->blksize;
	e->windowsize = cfg->windowsize;
	if ((e->loop = loop_new()) == NULL || (e->client = tftp_client_new(e->loop, &cc)) == NULL ||
	    ctl_verifier_new(&e->verifier) != CTL_OK) {
		snprintf(why, cap, "cannot set up the TFTP client: %s", strerror(errno));
		pv_env_cleanup(e);
		return PV_EXIT_INTERNAL;
	}
	e->get = client_get;
	e->get_arg = e->client;
	return PV_EXIT_OK;
}

void
pv_env_cleanup(struct pv_env *e)
{
	size_t i;

	for (i = 0; i < e->nintern; i++)
		pv_tl_unref(e->intern[i]);
	e->nintern = 0;
	tftp_client_free(e->client);
	loop_free(e->loop);
	ctl_verifier_free(e->verifier);
	e->client = NULL;
	e->loop = NULL;
	e->verifier = NULL;
}

/* One shared copy per distinct file: a fleet of 10,000 holds a handful of lists. */
struct pv_tl *
pv_env_intern(struct pv_env *e, struct pv_tl *tl)
{
	size_t i, n, m;

	pv_tl_bytes(tl, &n);
	for (i = 0; i < e->nintern; i++) {
		pv_tl_bytes(e->intern[i], &m);
		if (m == n && strcmp(e->intern[i]->sums.sha256, tl->sums.sha256) == 0) {
			pv_tl_unref(tl);
			return pv_tl_ref(e->intern[i]);
		}
	}
	if (e->nintern < sizeof(e->intern) / sizeof(e->intern[0]))
		e->intern[e->nintern++] = pv_tl_ref(tl);
	return tl;
}

/* The one-off fetch of compare --tftp and the fleet's reference files. */

struct fetch {
	int done;
	uint8_t *data;
	size_t len;
	struct tftp_result res;
};

static void
fetch_done(void *arg, const struct tftp_result *r)
{
	struct fetch *f = arg;

	f->done = 1;
	f->res = *r;
	f->res.data = NULL;
	if (r->err == TFTP_CE_OK && (f->data = malloc(r->len ? r->len : 1)) != NULL) {
		memcpy(f->data, r->data, r->len);
		f->len = r->len;
	} else if (r->err == TFTP_CE_OK) {
		f->res.err = TFTP_CE_NOMEM;
	}
}

int
pv_fetch(struct pv_env *e, const char *name, uint8_t **data, size_t *len, struct tftp_result *r)
{
	struct fetch f;
	struct tftp_get g;

	memset(&f, 0, sizeof(f));
	memset(&g, 0, sizeof(g));
	*data = NULL;
	*len = 0;
	g.server = &e->server;
	g.file = name;
	g.mode = TFTP_MODE_OCTET;
	g.blksize = e->blksize;
	g.windowsize = e->windowsize;
	g.tsize = e->blksize != 0;
	g.done = fetch_done;
	g.arg = &f;
	if (tftp_client_get(e->client, &g) != 0)
		return -1;
	while (!f.done && tftp_client_active(e->client) > 0)
		if (loop_run(e->loop) != 0)
			break;
	*r = f.res;
	if (!f.done)
		return -1;
	*data = f.data;
	*len = f.len;
	return 0;
}
