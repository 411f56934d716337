/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client side of the CTL Provider protocol (doc/provider-protocol.md): TLS
 * connection to a node's port 2444, server identity by certificate
 * fingerprint (known_hosts in the user's config dir, or pinned with
 * --fingerprint), one request/response at a time through the libctl codec,
 * the administrator password, and a parallel fan-out over servers.
 *
 * A struct prov_conn belongs to one thread at a time. Nothing here touches
 * a PKCS#11 token (token work stays in the main thread).
 */
#ifndef CTL_CLIENT_PROV_CLIENT_H
#define CTL_CLIENT_PROV_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/ctl.h>
#include <ctl/secret.h>
#include <ctl/prov.h>

#define PROV_FP_LEN 32            /* SHA-256 of the DER certificate */
#define PROV_FP_HEX (PROV_FP_LEN * 3)
#define PROV_PASSWORD_ENV "CTL_ADMIN_PASSWORD"
#define PROV_PASSWORD_MAX 1024
#define PROV_PEER_LEN 64          /* "[IPV6]:PORT" */

/* A server named on the command line: HOST, HOST:PORT or [V6ADDR]:PORT. */
struct prov_target {
	char host[256];
	char port[6];
	char name[272]; /* "host:port", the known_hosts key */
};

/* 0 on success; -1 with a message in err. */
CTL_MUST_USE int prov_target_parse(const char *s, struct prov_target *t, char *err, size_t errlen);

/* "AB:CD:..." (upper-case colon hex) into out (PROV_FP_HEX bytes). */
void prov_fp_hex(const uint8_t fp[PROV_FP_LEN], char *out, size_t outlen);
/* Accepts 64 hex digits, with or without colons, optionally "SHA256:" first. */
CTL_MUST_USE int prov_fp_parse(const char *s, uint8_t fp[PROV_FP_LEN]);

/*
 * known_hosts (prov_known.c): one "HOST:PORT SHA256-HEX" line per name. A
 * server is recorded under the name it was given and the address that name
 * resolved to, so one server has one identity whatever it is called.
 */
struct prov_known_entry {
	char name[272];
	uint8_t fp[PROV_FP_LEN];
};
struct prov_known {
	char path[4096];
	size_t n, cap;
	struct prov_known_entry *e;
};

/*
 * Loads $XDG_CONFIG_HOME/ctl-client/known_hosts (else ~/.config/...);
 * a missing file is an empty list. 0 or -1 with err.
 */
CTL_MUST_USE int prov_known_load(struct prov_known *k, char *err, size_t errlen);
/* The recorded fingerprint of name, or NULL. Lent by k. */
const uint8_t *prov_known_find(const struct prov_known *k, const char *name);
/* The first name recorded with this fingerprint, or NULL. Lent by k. */
const char *prov_known_find_fp(const struct prov_known *k, const uint8_t fp[PROV_FP_LEN]);
/*
 * Sets (adds or replaces) the fingerprint of each of the n names (NULL or
 * empty ones are skipped) and rewrites the file atomically. 0 or -1 with err.
 */
CTL_MUST_USE int prov_known_record(struct prov_known *k, const char *const *names, size_t n,
                      const uint8_t fp[PROV_FP_LEN], char *err, size_t errlen);
void prov_known_cleanup(struct prov_known *k);
/* The ctl-client config directory (created with mode 0700 when make is set). */
CTL_MUST_USE int prov_config_dir(char *out, size_t outlen, int make);

enum prov_rc {
	PROV_OK = 0,
	PROV_E_NET,      /* resolve, connect, read or write failed, closed, or past the deadline */
	PROV_E_TLS,      /* TLS handshake failed */
	PROV_E_PROTO,    /* the peer does not speak the protocol (bad magic, id, type) */
	PROV_E_STATUS,   /* a well-formed response with a status other than OK */
	PROV_E_NOMEM
};

struct prov_conn;

/*
 * TCP connect and TLS 1.2+ handshake, together bounded by timeout_s; each
 * later request (prov_call) gets timeout_s for its whole exchange. The peer
 * certificate is not checked here: *fp receives its SHA-256 fingerprint and
 * the caller decides (known_hosts, --fingerprint) before sending anything.
 * Free with prov_close().
 */
CTL_MUST_USE enum prov_rc prov_connect(const struct prov_target *t, int timeout_s, struct prov_conn **out,
                          uint8_t fp[PROV_FP_LEN], char *err, size_t errlen);
/* The address connected to, "A.B.C.D:PORT" or "[V6]:PORT". Lent by c. */
const char *prov_peer(const struct prov_conn *c);
/* The server certificate's subject (RFC 2253, printable ASCII). Lent by c. */
const char *prov_subject(const struct prov_conn *c);
/* Sends BYE when possible, shuts TLS down, frees. NULL is a no-op. */
void prov_close(struct prov_conn *c);

/* A response: the parsed message and the body its items point into. */
struct prov_resp {
	struct ctl_prov_msg m;
	uint8_t *body;
};
void prov_resp_free(struct prov_resp *r);
/* The MESSAGE item as text, or "" (copied into buf). */
const char *prov_resp_message(const struct prov_resp *r, char *buf, size_t len);

/* Starts a request of type in wr (a growable writer the call initialises). */
CTL_MUST_USE enum prov_rc prov_begin(struct prov_conn *c, struct ctl_wr *wr, uint8_t type);
/*
 * Ends, sends and wipes wr, then reads the response into resp, all before
 * one deadline (the connection's timeout). PROV_E_STATUS leaves the
 * response in resp with the server's MESSAGE in err; other errors name the
 * peer address.
 */
CTL_MUST_USE enum prov_rc prov_call(struct prov_conn *c, struct ctl_wr *wr, struct prov_resp *resp,
                       char *err, size_t errlen);
/* LOGIN with user and password (the request is built in secret memory, ctl/secret.h). */
CTL_MUST_USE enum prov_rc prov_login(struct prov_conn *c, const char *user, const char *password,
                        uint16_t *status, char *err, size_t errlen);

/*
 * The administrator password: --password-file FILE (not readable by group
 * or others; one trailing newline removed), else $CTL_ADMIN_PASSWORD (wiped
 * and unset after reading), else a prompt without echo on /dev/tty. Both a
 * file and the variable is an error. *out is secret memory (ctl/secret.h:
 * locked, out of core dumps), wiped and freed by ctl_secret_free().
 */
CTL_MUST_USE int prov_password_get(const char *file, const char *user, struct ctl_secret **out,
                                   char *err, size_t errlen);

/* snprintf into err (when not NULL); shared by the prov_*.c files. */
void prov_seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Runs fn(arg, i) for i in [0, n) in parallel threads and waits for all. */
void prov_fanout(size_t n, void (*fn)(void *arg, size_t i), void *arg);

#endif
