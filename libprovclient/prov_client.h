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
#ifndef PROVCLIENT_PROV_CLIENT_H
#define PROVCLIENT_PROV_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/ctl.h>
#include <ctl/secret.h>
#include <ctl/prov.h>

#include <openssl/types.h>

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

/*
 * A server's identity (prov_session.c), checked before anything is sent:
 * the certificate presented (fp) against want (a --fingerprint pin, or a
 * yes on the terminal, said as want_source), else what known_hosts records
 * under the name or under the address it resolved to (any difference is a
 * changed certificate), else the same certificate recorded under another
 * name (known_as), else a first contact, accepted only with accept_new.
 */
struct prov_id_query {
	const char *name;            /* "host:port" as given (prov_target.name) */
	const char *peer;            /* the address it resolved to and answered on, or "" */
	const char *subject;         /* the certificate's subject, for the first-contact message */
	const uint8_t *fp;           /* presented */
	const uint8_t *want;         /* pinned, or NULL */
	const char *want_source;     /* "--fingerprint pins", "the terminal accepted" */
	int accept_new;
};
enum prov_id {
	PROV_ID_OK = 0,   /* go on; *record: record it in known_hosts after the login */
	PROV_ID_CHANGED,  /* another certificate than the one expected: err says which and what to do */
	PROV_ID_UNKNOWN   /* never seen, no --accept-new: err shows the fingerprint to compare */
};
CTL_MUST_USE enum prov_id prov_identity_check(const struct prov_known *k, const struct prov_id_query *q,
                                              int *record, char *known_as, size_t kacap, char *err,
                                              size_t errlen);
/*
 * After a login: records the name and the address under q->fp; say gets
 * what to tell the user ("" when only an alias was added or nothing
 * changed). 0, or -1 with err (known_hosts not written).
 */
CTL_MUST_USE int prov_identity_record(struct prov_known *k, const struct prov_id_query *q, const char *known_as,
                                      char *say, size_t saycap, char *err, size_t errlen);
/*
 * LOGIN with the refusals in the tools' words: PROV_OK; with *refused set,
 * the server refused the user and password or throttles this address;
 * otherwise err is "LOGIN: why" (network, protocol, another status).
 */
CTL_MUST_USE enum prov_rc prov_login_as(struct prov_conn *c, const char *user, const char *password,
                                        int *refused, char *err, size_t errlen);
/* A CERT item (u16 role, then exactly one DER certificate) into *role and *out. 0 or -1. */
CTL_MUST_USE int prov_item_cert(const struct ctl_prov_item *it, uint16_t *role, X509 **out);
/*
 * --fingerprint [HOST[:PORT]=]SHA256: the target it names into *t (t->name
 * "" when it names none) and the fingerprint. 0, or -1 with err.
 */
CTL_MUST_USE int prov_pin_parse(const char *arg, struct prov_target *t, uint8_t fp[PROV_FP_LEN], char *err,
                                size_t errlen);
/* The answer's MD5 item against the md5 of p (its 32 lower-case hex digits into out). 0 when equal. */
CTL_MUST_USE int prov_md5_matches(const struct ctl_prov_msg *m, const uint8_t *p, size_t n, char out[33]);

/* snprintf into err (when not NULL); shared by the prov_*.c files. */
void prov_seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Runs fn(arg, i) for i in [0, n) in parallel threads and waits for all. */
void prov_fanout(size_t n, void (*fn)(void *arg, size_t i), void *arg);

#endif
