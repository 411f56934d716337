/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-tvsd: the node's Trust Verification Service (TCP 2445, TLS),
 * doc/tvs-protocol.md and doc/ctl-tvsd.8. Internal interfaces between
 * tvsd_config.c, tvsd_store.c, tvsd_holder.c, tvsd_answer.c,
 * tvsd_tls.c, tvsd_log.c, tvsd_conn.c and tvsd.c (main, listener,
 * threads): each file calls only files listed before it.
 */
#ifndef TVSD_H
#define TVSD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>

#include <ctl/ctl.h>
#include <ctl/tvs.h>

#include "connlimit.h"
#include "kvconf.h"
#include "tls_server.h"

#define TVSD_PATH_MAX 1024
#define TVSD_NAME_MAX 256
#define TVSD_MAX_CERT_LINES 64
#define TVSD_MAX_FILE (1u << 20)     /* one certificate file (PEM bundle or DER) */
#define TVSD_MAX_CERTS 4096          /* certificates in the whole store */

enum tvsd_verify_client {
	TVSD_CLIENT_NO,        /* no certificate requested */
	TVSD_CLIENT_OPTIONAL,  /* requested; a client without one is served */
	TVSD_CLIENT_REQUIRE    /* a client without one fails the handshake */
};

/* One `cert = ROLES:PATH` line. */
struct tvsd_cert_line {
	uint8_t roles[CTL_TVS_MAX_ROLES];
	size_t nroles;
	char path[TVSD_PATH_MAX];      /* a PEM/DER file or a directory of *.pem */
	char origin[TVSD_PATH_MAX + 16]; /* "FILE:LINE" or "command line", for messages */
};

struct tvsd_config {
	char listen_addr[64];          /* numeric IPv4/IPv6 address */
	unsigned port;                 /* 0: any free port (logged) */
	char tls_cert[TVSD_PATH_MAX];
	char tls_key[TVSD_PATH_MAX];
	char client_ca[TVSD_PATH_MAX]; /* "" : a client certificate is not chain-checked */
	struct tvsd_cert_line lines[TVSD_MAX_CERT_LINES];
	size_t nlines;
	unsigned ttl;                  /* seconds, sent in every positive answer */
	unsigned tls_min;              /* 10 (TLS 1.0, for 79xx phones) or 12 */
	unsigned read_timeout;         /* seconds for handshake + request */
	unsigned max_connections;
	unsigned max_per_address;
	enum tvsd_verify_client verify_client;
	char user[TVSD_NAME_MAX];      /* drop to this user after binding; "" keeps the uid */
};

/* Defaults: [::]:2445, ttl 86400, TLS 1.2, 10 s, 256 connections, 16 per address. */
void tvsd_config_defaults(struct tvsd_config *c);
/*
 * Applies one key = value setting; origin ("FILE:LINE") is kept with a
 * cert line. On failure writes "key: why" into err and returns -1.
 */
CTL_MUST_USE int tvsd_config_set(struct tvsd_config *c, const char *key, const char *val,
                                 const char *origin, char *err, size_t errlen);
/* Reads "key = value" lines; on failure "path:line: why" in err, -1. */
CTL_MUST_USE int tvsd_config_load(struct tvsd_config *c, const char *path, char *err, size_t errlen);
/* Checks required keys and that tls_key is owner-only. */
CTL_MUST_USE int tvsd_config_finish(const struct tvsd_config *c, char *err, size_t errlen);
/* "sast,ccm-tftp,21" into roles (sorted, no duplicates); -1 with the bad word in err. */
CTL_MUST_USE int tvsd_roles_parse(const char *s, uint8_t *roles, size_t *nroles, char *err,
                                  size_t errlen);

/* ------------------------------------------------------------------ */
/* The certificate store (tvsd_store.c) */

struct tvsd_entry {
	uint8_t *der;
	size_t der_len;
	uint8_t sha256[32];
	char *issuer;                  /* ctl_name_canon_x509 form (libctl) */
	uint8_t *serial;               /* minimal unsigned big-endian */
	size_t serial_len;
	char *subject;                 /* RFC 4514 (ctl_name_string), for the log */
	uint8_t roles[CTL_TVS_MAX_ROLES];
	size_t nroles;
};

struct tvsd_store {
	struct tvsd_entry *ents;       /* nslots entries, merged duplicates included */
	size_t nslots;
	size_t nents;                  /* distinct certificates: the indexes' length */
	struct tvsd_entry **by_hash;   /* sorted by sha256 */
	struct tvsd_entry **by_name;   /* sorted by (issuer, serial) */
	unsigned refs;                 /* tvsd_holder.c's count */
	/*
	 * What a connection is served with besides the certificates, swapped
	 * with them on SIGHUP: the TLS identity (owned, freed with the store;
	 * NULL until tvsd.c attaches one) and the settings of the
	 * configuration the store was loaded from.
	 */
	SSL_CTX *ssl_ctx;
	unsigned ttl;
	unsigned read_timeout;
};

/*
 * Loads every certificate the cert lines name (a directory: its *.pem
 * files, in name order; a file: every certificate in a PEM bundle, or one
 * DER certificate) and indexes them. A certificate named twice gets the
 * union of its roles. Nothing is kept on failure: -1 with "FILE: why" in
 * err.
 */
CTL_MUST_USE int tvsd_store_load(const struct tvsd_config *c, struct tvsd_store **out, char *err,
                                 size_t errlen);
void tvsd_store_free(struct tvsd_store *s);
/* The entry whose DER has this SHA-256, or NULL. */
const struct tvsd_entry *tvsd_store_by_hash(const struct tvsd_store *s, const uint8_t sha256[32]);
/*
 * The entry with this issuer (either text form, not normalised) and
 * serial (leading zero bytes ignored), or NULL.
 */
const struct tvsd_entry *tvsd_store_by_issuer(const struct tvsd_store *s, const char *issuer,
                                              size_t issuer_len, const uint8_t *serial,
                                              size_t serial_len);

/* ------------------------------------------------------------------ */
/* The store in use, swapped on SIGHUP (tvsd_holder.c) */

struct tvsd_holder {
	pthread_mutex_t lock;          /* guards cur and every store's refs */
	struct tvsd_store *cur;
};

/* Takes ownership of s. -1 when the mutex cannot be made. */
CTL_MUST_USE int tvsd_holder_init(struct tvsd_holder *h, struct tvsd_store *s);
/* Frees the current store; call when no connection holds one. */
void tvsd_holder_cleanup(struct tvsd_holder *h);
/* The current store, counted: give it back with tvsd_holder_put. */
struct tvsd_store *tvsd_holder_get(struct tvsd_holder *h);
void tvsd_holder_put(struct tvsd_holder *h, struct tvsd_store *s);
/*
 * Swaps in s, complete (certificates, TLS identity, settings), taking
 * ownership; connections that hold the old store finish with it.
 */
void tvsd_holder_swap(struct tvsd_holder *h, struct tvsd_store *s);
/*
 * Builds a new store from c and swaps it in (tvsd_holder_swap); it has no
 * TLS identity. On failure the old store stays: -1, reason in err.
 */
CTL_MUST_USE int tvsd_holder_reload(struct tvsd_holder *h, const struct tvsd_config *c,
                                    char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Answers (tvsd_answer.c) */

/* What an answer said, for the log. */
struct tvsd_outcome {
	const struct tvsd_entry *found; /* NULL: unknown */
};

/*
 * Writes the response to a checked request (ctl_tvs_check_request) into
 * resp: VERIFY looks the certificate up by SHA-256, QUERY by issuer and
 * serial; found: status 0, [QUERY: certificate], roles, TTL; unknown:
 * status 1 alone. The session id is echoed.
 */
CTL_MUST_USE enum ctl_err tvsd_answer(const struct tvsd_store *s, unsigned ttl,
                                      const struct ctl_tvs_msg *req, struct ctl_wr *resp,
                                      struct tvsd_outcome *out);

/* ------------------------------------------------------------------ */
/* TLS (tvsd_tls.c) */

/*
 * Server context with the node's TVS certificate and key: TLS 1.2+ with
 * AEAD suites, or with tls_min 10 also TLS 1.0/1.1 and CBC suites; client
 * certificates per verify_client (checked against client_ca when set).
 */
CTL_MUST_USE SSL_CTX *tvsd_tls_ctx(const struct tvsd_config *cfg, char *err, size_t errlen);

/* One connection's I/O: struct tls_conn and tls_conn_* (common/tls_server.h). */

/* ------------------------------------------------------------------ */
/* Logging (tvsd_log.c): one line per event on stderr. */

void tvsd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ------------------------------------------------------------------ */
/* One connection (tvsd_conn.c) */

struct tvsd_server {
	const struct tvsd_config *cfg; /* as started: listen, user and the caps */
	const char *config_path;       /* --config FILE, read again on SIGHUP; NULL: none */
	const struct kv_overrides *ov; /* the command line's settings, applied on top */
	struct tvsd_holder holder;     /* store, TLS identity, ttl, read_timeout */
	struct connlimit limits;
};

/*
 * Serves one accepted connection: handshake and one request within
 * read_timeout, one answer, close. A malformed request is logged and
 * closed without an answer. Closes fd.
 */
void tvsd_conn_serve(struct tvsd_server *srv, int fd, const char *peer);

#define TVSD_SOFTWARE_VERSION "ctl-tvsd " CTL_VERSION_STRING

#endif
