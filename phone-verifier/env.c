/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every phone of a run shares: the event loop, the TFTP client engine
 * (libtftp/), the resolved server, the key cache and one copy of each
 * distinct trust list; and the one-off fetch of compare and fleet.
 * Nothing here prints: failures come back as text for the command to show.
 * A fleet also shares its verdicts (verdicts.h) and may write phone state
 * without fsync (pv_env_write).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pv.h"
#include "verdicts.h"

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
	pv_verdicts_free(e->verdicts);
	e->verdicts = NULL;
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

/* ---- the rules and the state, as a run does them ------------------------------------ */

enum pv_verdict
pv_env_decide(struct pv_env *e, const struct pv_trust *held, enum ctl_kind kind,
              const uint8_t *p, size_t n, const struct pv_tvs_ops *tvs, struct pv_decision *d,
              struct pv_tl **tl)
{
	/* pv_verdicts_decide without a table is pv_trust_decide itself. */
	return pv_verdicts_decide(e->verdicts, held, kind, p, n, e->verifier, tvs, d, tl);
}

enum ctl_err
pv_env_config_check(struct pv_env *e, const struct pv_trust *held, const struct pv_tvs_ops *tvs,
                    const uint8_t *p, size_t n, struct pv_decision *d, size_t *payload_off,
                    size_t *payload_len)
{
	return pv_verdicts_config(e->verdicts, held, e->verifier, tvs, p, n, d, payload_off, payload_len);
}

/*
 * Temporary file, write, rename, without fsync: a crash may lose the last
 * write, as a phone losing power does, but a reader never sees half a
 * file. The folder is made only when the first open finds it missing, so
 * a phone costs no directory walk per file.
 */
CTL_MUST_USE static enum ctl_err
write_fast(const char *dir, const char *name, const uint8_t *p, size_t n, struct ctl_diag *d)
{
	char path[4096], tmp[4096];
	size_t done = 0;
	int fd, w1, w2;

	w1 = snprintf(path, sizeof(path), "%s/%s", dir, name);
	w2 = snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	if (w1 < 0 || w2 < 0 || (size_t)w1 >= sizeof(path) || (size_t)w2 >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return pv_io_fail(d, "cannot write", dir);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	/* A new phone: its own folder first; the whole path only when the root is missing too. */
	if (fd < 0 && errno == ENOENT &&
	    ((mkdir(dir, 0755) == 0 || errno == EEXIST) || pv_state_make_dirs(dir, d) == CTL_OK))
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return pv_io_fail(d, "cannot create", tmp);
	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			enum ctl_err r = pv_io_fail(d, "cannot write", tmp);

			close(fd);
			/* Best effort: the error worth reporting is the write's. */
			CTL_IGNORE_RESULT(unlink(tmp));
			return r;
		}
		done += (size_t)w;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		enum ctl_err r = pv_io_fail(d, "cannot write", path);

		/* Best effort: the error worth reporting is the close's or rename's. */
		CTL_IGNORE_RESULT(unlink(tmp));
		return r;
	}
	return CTL_OK;
}

enum ctl_err
pv_env_write(struct pv_env *e, const char *dir, const char *name, const uint8_t *p, size_t n,
             struct ctl_diag *d)
{
	if (!e->no_fsync)
		return pv_state_write(dir, name, p, n, d);
	ctl_diag_clear(d);
	return write_fast(dir, name, p, n, d);
}

enum ctl_err
pv_env_store(struct pv_env *e, const char *dir, enum ctl_kind kind, const struct pv_tl *tl,
             struct ctl_diag *d)
{
	size_t n = 0;
	const uint8_t *p = pv_tl_bytes(tl, &n);

	return pv_env_write(e, dir, kind == CTL_KIND_ITL ? PV_ITL_NAME : PV_CTL_NAME, p, n, d);
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
