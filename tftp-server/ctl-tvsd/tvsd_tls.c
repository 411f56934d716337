/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS for ctl-tvsd. By default TLS 1.2 or newer with AEAD suites only;
 * tls_min = 1.0 (79xx phones speak only TLS 1.0) adds TLS 1.0/1.1 and the
 * AES-CBC suites those phones offer, at OpenSSL security level 0 (SHA-1
 * handshake signatures): a weaker setting, for sites with such phones.
 * Static-RSA AES-GCM stays allowed after the ECDHE suites: Cisco's own TVS
 * offers it, and an answer is public data (integrity, not secrecy).
 *
 * The context's common part and the connection's I/O (deadlines, so a peer
 * trickling bytes cannot hold a thread) are common/tls_server.c.
 */
#include <stdio.h>

#include <openssl/x509_vfy.h>

#include "tvsd.h"

/* Without client_ca the certificate is asked for but its chain not checked. */
static int
accept_any(int preverify, X509_STORE_CTX *x)
{
	(void)preverify;
	(void)x;
	return 1;
}

static CTL_MUST_USE int
setup_client_certs(SSL_CTX *ctx, const struct tvsd_config *cfg, char *err, size_t errlen)
{
	int mode = SSL_VERIFY_PEER;

	if (cfg->verify_client == TVSD_CLIENT_NO) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	if (cfg->verify_client == TVSD_CLIENT_REQUIRE)
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	if (cfg->client_ca[0] == '\0') {
		SSL_CTX_set_verify(ctx, mode, accept_any);
		return 0;
	}
	if (SSL_CTX_load_verify_locations(ctx, cfg->client_ca, NULL) != 1) {
		char what[TVSD_PATH_MAX + 32];

		snprintf(what, sizeof(what), "client_ca %s", cfg->client_ca);
		tls_reason(err, errlen, what);
		return -1;
	}
	{
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->client_ca);

		/* The CA names the server announces: the client picks its certificate by them. */
		if (names != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	SSL_CTX_set_verify(ctx, mode, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	return 0;
}

SSL_CTX *
tvsd_tls_ctx(const struct tvsd_config *cfg, char *err, size_t errlen)
{
	const char *ciphers = cfg->tls_min == 10 ?
		"ECDHE+AESGCM:ECDHE+CHACHA20:AESGCM:ECDHE+AES:AES256-SHA:AES128-SHA:"
		"!aNULL:!eNULL:@SECLEVEL=0" :
		"ECDHE+AESGCM:ECDHE+CHACHA20:AESGCM:!aNULL:!eNULL";
	SSL_CTX *ctx = tls_server_ctx(cfg->tls_min == 10 ? TLS1_VERSION : TLS1_2_VERSION, ciphers,
	                              cfg->tls_cert, cfg->tls_key, err, errlen);

	if (ctx == NULL)
		return NULL;
	/* Phones do not resume sessions ("caching disabled, session not saved"). */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (setup_client_certs(ctx, cfg, err, errlen) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
