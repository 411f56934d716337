/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS for the CTL Provider: TLS 1.2 or newer only, the node's CallManager
 * certificate and key, no renegotiation (common/tls_server.c). Until a
 * LOGIN succeeds, the login deadline bounds every read as well, and a
 * response gets read_timeout of its own.
 */
#include <stdio.h>
#include <string.h>

#include "provider.h"

SSL_CTX *
prov_tls_ctx(const struct prov_config *cfg, char *err, size_t errlen)
{
	/*
	 * TLS 1.2: ECDHE only (a static-RSA key exchange would let whoever
	 * later gets the node's key decrypt recorded logins) and AEAD only.
	 * TLS 1.3 suites are all ECDHE/DHE and AEAD.
	 */
	return tls_server_ctx(TLS1_2_VERSION, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL", cfg->tls_cert,
	                      cfg->tls_key, err, errlen);
}

int
prov_conn_deadline(struct prov_conn *c, unsigned seconds)
{
	const struct timespec *l = &c->login_deadline;
	struct timespec *d = &c->tls.deadline;

	tls_conn_deadline(&c->tls, seconds);
	if (c->authed || (l->tv_sec == 0 && l->tv_nsec == 0))
		return 0;
	if (l->tv_sec > d->tv_sec || (l->tv_sec == d->tv_sec && l->tv_nsec >= d->tv_nsec))
		return 0;
	*d = *l;
	return 1;
}

enum tls_io
prov_tls_accept(struct prov_conn *c, char *msg, size_t msglen)
{
	int login_bound = prov_conn_deadline(c, c->srv->cfg->read_timeout);
	enum tls_io io = tls_conn_accept(&c->tls, c->srv->ssl_ctx, "not a TLS 1.2+ client", msg,
	                                 msglen);

	if (io == TLS_IO_TIMEOUT)
		snprintf(msg, msglen, "no complete handshake within %u s",
		         login_bound ? c->srv->cfg->login_timeout : c->srv->cfg->read_timeout);
	return io;
}

enum tls_io
prov_tls_read(struct prov_conn *c, void *p, size_t n)
{
	size_t got;
	enum tls_io io = tls_conn_read(&c->tls, p, n, &got);

	/* EOF before a message started is a clean close; inside one it is an error. */
	return io == TLS_IO_EOF && got > 0 ? TLS_IO_ERROR : io;
}

enum tls_io
prov_tls_write(struct prov_conn *c, const void *p, size_t n)
{
	/* A response (also the one announcing the login timeout) gets its own time. */
	tls_conn_deadline(&c->tls, c->srv->cfg->read_timeout);
	return tls_conn_write(&c->tls, p, n);
}

void
prov_tls_close(struct prov_conn *c)
{
	tls_conn_close(&c->tls);
}
