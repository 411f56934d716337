/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-provider: the node's CTL Provider service (TCP 2444, TLS 1.2+),
 * doc/provider-protocol.md. Internal interfaces between provider.c (main,
 * listener, threads), prov_config.c, prov_auth.c, prov_file.c,
 * prov_store.c, prov_tls.c, prov_conn.c, prov_handlers.c
 * and prov_log.c; Security By Default (doc/sbd.md) in prov_identity.c,
 * prov_itl.c, prov_sgnwatch.c and prov_tokenless.c.
 */
#ifndef PROV_PROVIDER_H
#define PROV_PROVIDER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>
#include <time.h>
#include <sys/stat.h>

#include <openssl/ssl.h>

#include <ctl/ctl.h>
#include <ctl/prov.h>
#include <ctl/sbd.h>

#include "connlimit.h"
#include "kvconf.h"
#include "tls_server.h"

#define PROV_MAX_CERTS 8
#define PROV_PATH_MAX 1024
#define PROV_NAME_MAX 256
#define PROV_THROTTLE_SLOTS 1024
#define PROV_CTL_NAME "CTLFile.tlv"
#define PROV_CTL_BAK "CTLFile.tlv.bak"
#define PROV_ITL_NAME "ITLFile.tlv"
#define PROV_MAX_PEERS 96
#define PROV_UNSET 2u                /* a yes/no key not given: its default depends on another */

/* One certificate the node announces in GET_INFO. */
struct prov_cert {
	uint16_t role;               /* libctl FUNCTION code */
	char path[PROV_PATH_MAX];
	uint8_t *der;                /* loaded at startup; free() */
	size_t der_len;
};

/* Another node's TVS certificate, listed in this node's ITL (tvs_peer = DNS IPV4 PATH). */
struct prov_peer {
	char dns[PROV_NAME_MAX];
	uint8_t ipv4[4];
	char path[PROV_PATH_MAX];
};

/* Everything the daemon is told, from the config file and the command line. */
struct prov_config {
	char hostname[PROV_NAME_MAX];
	uint8_t ipv4[4];
	int has_ipv4;
	char listen_addr[64];        /* numeric IPv4/IPv6 address */
	char admin[80];              /* admin = ADDR:PORT (--admin): status page, metrics; "" off */
	unsigned port;               /* 0: any free port (logged) */
	char tls_cert[PROV_PATH_MAX];
	char tls_key[PROV_PATH_MAX];
	struct prov_cert certs[PROV_MAX_CERTS];
	size_t ncerts;
	char tftp_root[PROV_PATH_MAX];
	char credentials[PROV_PATH_MAX];
	char mode_file[PROV_PATH_MAX];
	unsigned initial_mode;       /* security_mode: used while mode_file does not exist */
	unsigned read_timeout;       /* seconds a whole message (or the handshake) may take */
	unsigned max_connections;
	unsigned login_delay_ms;     /* added to every failed login */
	unsigned throttle_failures;  /* failures per address ... */
	unsigned throttle_window;    /* ... within this many seconds before THROTTLED */
	unsigned auth_slots;         /* password hashes computed at once (memory-hard) */
	unsigned max_per_address;    /* connections from one address at once */
	unsigned login_timeout;      /* seconds from accept until a login must have succeeded */
	unsigned max_unauth_requests; /* requests answered before a login; then the connection closes */
	unsigned allow_override;     /* 1: PUT_CTL may carry OVERRIDE */
	unsigned allow_set_mode;     /* 1: SET_MODE is served */
	char user[PROV_NAME_MAX];    /* drop to this user after binding; "" keeps the uid */
	/* Security By Default (doc/sbd.md); all off unless itl or sign_configs is yes. */
	unsigned itl;                /* 1: build and serve ITLFile.tlv */
	unsigned itl_layout;         /* enum ctl_itl_layout */
	unsigned itl_rollback;       /* 1: the "rollback to pre-8.0" ITL */
	unsigned itl_digest;         /* enum ctl_digest of every file the node signs */
	unsigned sign_configs;       /* 0, 1, or PROV_UNSET: follows itl */
	unsigned ctl_layout;         /* enum ctl_tokenless_signer: SIGN_CTL's default signer */
	char callmanager_cert[PROV_PATH_MAX]; /* "": tls_cert */
	char callmanager_key[PROV_PATH_MAX];  /* "": tls_key */
	char tvs_cert[PROV_PATH_MAX];
	char capf_cert[PROV_PATH_MAX];
	char itlrecovery_cert[PROV_PATH_MAX];
	char itlrecovery_key[PROV_PATH_MAX];
	char itlrecovery_remote_cert[PROV_PATH_MAX];
	char itlrecovery_remote_key[PROV_PATH_MAX];
	char device_cert_dir[PROV_PATH_MAX];
	struct prov_peer peers[PROV_MAX_PEERS];
	size_t npeers;
};

/* sign_configs as it applies: the key, or itl when the key is not given. */
unsigned prov_config_sign_configs(const struct prov_config *c);

/* Sets the defaults (port 2444, timeout 10 s, 256 connections, ...). */
void prov_config_defaults(struct prov_config *c);
/*
 * Reads "key = value" lines from path into c. On failure writes
 * "path:line: why" into err and returns -1.
 */
CTL_MUST_USE int prov_config_load(struct prov_config *c, const char *path, char *err, size_t errlen);
/* Applies one key = value setting (config file and command line share it). */
CTL_MUST_USE int prov_config_set(struct prov_config *c, const char *key, const char *val,
                                 char *err, size_t errlen);
/* Checks required keys and loads the announced certificates (DER into c->certs). */
CTL_MUST_USE int prov_config_finish(struct prov_config *c, char *err, size_t errlen);
void prov_config_cleanup(struct prov_config *c);
/* Role name ("ccm-tftp", "capf", ...) or number to a FUNCTION code; -1 if unknown. */
CTL_MUST_USE int prov_role_parse(const char *s);
/* Secrets (the credential file, the TLS key) go through kv_secret_mode_check (common/kvconf.h). */

/* ------------------------------------------------------------------ */
/* Files in the TFTP root and beside it (prov_file.c) */

enum prov_file {
	PROV_FILE_OK,
	PROV_FILE_MISSING,  /* ENOENT */
	PROV_FILE_REFUSED,  /* a symbolic link, not a regular file, or too large */
	PROV_FILE_IO        /* open/read failed otherwise */
};

/*
 * Reads a regular file without following a symbolic link at its name and
 * without blocking on a FIFO or device (O_NOFOLLOW|O_NONBLOCK, then fstat).
 * On PROV_FILE_OK *out (free()d by the caller) holds *len bytes and st, if
 * not NULL, the file's fstat; otherwise msg says what and where.
 */
CTL_MUST_USE enum prov_file prov_file_read(const char *path, size_t max, uint8_t **out,
                                           size_t *len, struct stat *st, char *msg,
                                           size_t msglen);

/* ------------------------------------------------------------------ */
/*
 * Logging: one line per event on stderr, written with a single write(2),
 * with journald's <N> priority instead of a timestamp under systemd, or to
 * syslog with --syslog (logline.h).
 */

void prov_log_setup(const char *prog);
/* prio: LOG_ERR (the daemon or a signing failed), LOG_WARNING (a peer's
 * refused or failed request, a failed login), LOG_NOTICE (mode changes,
 * overrides, reloads), LOG_INFO (the rest; prov_log). */
void prov_logp(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* --quiet: from now on only notices, warnings and errors (no per-request lines). */
void prov_log_quiet(void);
void prov_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Attacker-supplied bytes (a user name, a reason) go into a line through
 * ctl_text_escape (ctl/text.h) first. */

/*
 * --hash-password USER --credentials FILE (prov_credfile.c): USER's line
 * "USER:hash" replaces the one in FILE or is appended; FILE is created
 * mode 0600 and replaced whole (temporary file, fsync, rename), keeping
 * its owner. An existing FILE that is a symbolic link, not a regular file,
 * or readable by group or others is refused. Returns 0 (added), 1
 * (replaced) or -1 with the reason in err.
 */
CTL_MUST_USE int prov_cred_put(const char *path, const char *user, const char *hash, char *err,
                               size_t errlen);

/* ------------------------------------------------------------------ */
/* Authentication (prov_auth.c) */

struct prov_throttle_slot {
	char addr[64];
	unsigned failures;           /* counted before the hash is computed (a reservation) */
	time_t first;
	int busy;                    /* a login from addr is being evaluated */
};

struct prov_auth {
	const struct prov_config *cfg;
	pthread_mutex_t lock;        /* guards slots, busy */
	pthread_cond_t free_slot;
	pthread_cond_t addr_done;    /* a login ended: waiting logins from its address retry */
	unsigned busy;               /* password hashes being computed */
	struct prov_throttle_slot slots[PROV_THROTTLE_SLOTS];
};

enum prov_auth_result {
	PROV_AUTH_OK,
	PROV_AUTH_BAD,       /* unknown user or wrong password */
	PROV_AUTH_THROTTLED, /* too many failures from this address */
	PROV_AUTH_ERROR      /* credential file unreadable or malformed (msg says why) */
};

CTL_MUST_USE int prov_auth_init(struct prov_auth *a, const struct prov_config *cfg);
/* Addresses refused logins right now (throttle_failures within throttle_window). */
unsigned prov_auth_throttled(struct prov_auth *a);
void prov_auth_cleanup(struct prov_auth *a);
/*
 * Checks user/password against the credential file, throttled per addr
 * (an address without the port). The password is not modified; the
 * caller wipes it. msg receives a reason for the log on PROV_AUTH_ERROR.
 */
CTL_MUST_USE enum prov_auth_result prov_auth_check(struct prov_auth *a, const char *addr,
                                                   const char *user, const char *password,
                                                   char *msg, size_t msglen);
/*
 * The stored hash for user in the credential file at path, into hash; for
 * an unknown user (*known 0) the setting (method, cost, salt) of the
 * file's first entry, so that hashing against it costs the same as for a
 * real account. Returns 0, or -1 with the reason in msg (file unreadable,
 * a symbolic link, group- or world-readable).
 */
CTL_MUST_USE int prov_auth_lookup(const char *path, const char *user, char *hash, size_t hashlen,
                                  int *known, char *msg, size_t msglen);
/*
 * Hashes password with crypt(3): method "yescrypt" ($y$) or "sha512"
 * ($6$). out receives the hash string. Returns 0, -1 on failure.
 */
CTL_MUST_USE int prov_hash_password(const char *method, const char *password, char *out, size_t outlen);

/* ------------------------------------------------------------------ */
/* The installed CTL and the security mode (prov_store.c) */

struct prov_store {
	char ctl_path[PROV_PATH_MAX + 32];
	char bak_path[PROV_PATH_MAX + 32];
	char mode_path[PROV_PATH_MAX];
	unsigned initial_mode;
	pthread_mutex_t lock;        /* serialises PUT_CTL and SET_MODE */
	/* NULL, or 1 when a CTL signed by certificate der is the cluster's own (prov_sbd_own_signer). */
	int (*own_signer)(void *arg, const uint8_t *der, size_t n);
	void *own_arg;
};

struct prov_ctl_info {
	struct ctl_sums sums;
	uint32_t length;
	uint32_t mtime;
};

CTL_MUST_USE int prov_store_init(struct prov_store *s, const struct prov_config *cfg);
void prov_store_cleanup(struct prov_store *s);
/* Removes temporary files a killed writer left in the TFTP root; returns how many. */
int prov_store_sweep(const struct prov_store *s);
/*
 * Validates and installs a CTL: parse, verify, trust against the installed
 * CTL unless override, then backup and atomic replace. Returns a protocol
 * status; msg receives the reason (failures) or the signer (success).
 */
CTL_MUST_USE uint16_t prov_store_put(struct prov_store *s, const uint8_t *p, size_t n,
                                     int override, struct prov_ctl_info *info, char *msg,
                                     size_t msglen);
/* Reads the installed CTL (*out free()d by the caller); CTL_PROV_NOT_FOUND when none. */
CTL_MUST_USE uint16_t prov_store_get(struct prov_store *s, uint8_t **out, size_t *len,
                                     char *msg, size_t msglen);
/*
 * Checksums, length and mtime of the installed CTL; CTL_PROV_NOT_FOUND when
 * none; CTL_PROV_IO with the reason in msg when it cannot be used.
 */
CTL_MUST_USE uint16_t prov_store_info(struct prov_store *s, struct prov_ctl_info *info,
                                      char *msg, size_t msglen);
unsigned prov_store_mode(struct prov_store *s);
/* Persists the mode atomically; a protocol status. */
CTL_MUST_USE uint16_t prov_store_set_mode(struct prov_store *s, unsigned mode, char *msg, size_t msglen);

/* ------------------------------------------------------------------ */
/* Security By Default (doc/sbd.md) */

/* What a pkcs11: URI names (RFC 7512 subset, prov_key.c). */
struct prov_p11_uri {
	char token[64];              /* token label (required) */
	char serial[64];
	char object[128];            /* key label */
	char id[64];                 /* CKA_ID bytes */
	size_t id_len;
	char module[PROV_PATH_MAX];  /* module-path; "": $CTL_PKCS11_MODULE */
	char pin_source[PROV_PATH_MAX];
	char pin_value[128];
};

/* Parses a pkcs11: URI; -1 with the reason in err. */
CTL_MUST_USE int prov_p11_uri_parse(const char *s, struct prov_p11_uri *u, char *err,
                                    size_t errlen);

/* A signing key: a PEM file or a token key, with its signer (prov_key.c). */
struct prov_key;
/*
 * Loads key (a PEM path, owner-only, or a pkcs11: URI) for the certificate
 * at cert_path; what names the config key in messages. -1 with err set.
 */
CTL_MUST_USE int prov_key_load(const char *what, const char *key, const char *cert_path,
                               struct prov_key **out, char *err, size_t errlen);
const struct ctl_signer *prov_key_signer(const struct prov_key *k);
void prov_key_free(struct prov_key *k);

/* The node's identity: certificates and signing keys, loaded together (prov_identity.c). */
struct prov_identity {
	X509 *callmanager;                  /* callmanager_cert (default tls_cert) */
	const struct ctl_signer *cm_signer; /* callmanager_key (default tls_key); lent by cm_key */
	X509 *tvs, *capf;                   /* NULL: not configured */
	X509 *recovery;                     /* itlrecovery_cert; NULL: not configured */
	const struct ctl_signer *rec_signer; /* NULL: no itlrecovery_key on this node */
	X509 *remote;                       /* itlrecovery_remote_cert */
	const struct ctl_signer *remote_signer; /* itlrecovery_remote_key */
	struct prov_key *cm_key, *rec_key, *remote_key; /* own the signers above */
	X509 *peers[PROV_MAX_PEERS];        /* tvs_peer certificates, in config order */
	size_t npeers;
};

/*
 * Loads every certificate and key the configuration names (a key file must
 * be owner-only, like tls_key). Returns 0, or -1 with "KEY PATH: why" in err.
 */
CTL_MUST_USE int prov_identity_load(const struct prov_config *cfg, struct prov_identity **out,
                                    char *err, size_t errlen);
void prov_identity_free(struct prov_identity *id);

struct prov_sgnwatch;

/* What the node signs and serves; shared by the connection threads and the watcher. */
struct prov_sbd {
	const struct prov_config *cfg;
	struct prov_store *store;           /* the security mode */
	int ready;                          /* prov_sbd_init succeeded */
	pthread_mutex_t lock;               /* guards id and reset; one ITL or .sgn written at once */
	struct prov_identity *id;
	unsigned reset;                     /* ITL_ACTION in force: 0 normal, 1 localkey, 2 remotekey */
	char itl_path[PROV_PATH_MAX + 32];
	struct prov_sgnwatch *watch;        /* NULL: sign_configs off */
};

/* Loads the identity. With neither itl nor sign_configs a node still loads it (GET_INFO, SIGN_CTL). */
CTL_MUST_USE int prov_sbd_init(struct prov_sbd *s, const struct prov_config *cfg,
                               struct prov_store *store, char *err, size_t errlen);
void prov_sbd_cleanup(struct prov_sbd *s);
/* SIGHUP: re-reads the certificate and key files; on failure keeps the old identity. */
CTL_MUST_USE int prov_sbd_reload(struct prov_sbd *s, char *err, size_t errlen);
/*
 * 1 when der is this node's CallManager or ITLRecovery certificate: a CTL
 * they sign is the cluster's own (PUT_CTL without OVERRIDE). arg: the sbd.
 */
int prov_sbd_own_signer(void *arg, const uint8_t *der, size_t n);

/*
 * Builds, signs and installs ITLFile.tlv (prov_itl.c) for the current
 * identity, mode and reset state; a no-op returning CTL_PROV_OK when itl
 * is off. why goes into the log line. A protocol status, reason in msg.
 */
CTL_MUST_USE uint16_t prov_itl_rebuild(struct prov_sbd *s, const char *why, char *msg,
                                       size_t msglen);
/* The same with s->lock already held. */
CTL_MUST_USE uint16_t prov_itl_rebuild_locked(struct prov_sbd *s, const char *why, char *msg,
                                              size_t msglen);

/*
 * Signed configuration files (prov_sgnwatch.c): an inotify watch on the
 * TFTP root keeps SEP<MAC>.cnf.xml.sgn (and .enc.sgn) in step with
 * SEP<MAC>.cnf.xml. start: watch, scan once, then a thread.
 */
CTL_MUST_USE int prov_sgnwatch_start(struct prov_sbd *s, char *err, size_t errlen);
void prov_sgnwatch_stop(struct prov_sbd *s);
/* Signs (or removes the outputs of) one name in the TFTP root; 1 when written, 0 skipped, -1 failed. */
int prov_sgn_update(struct prov_sbd *s, const char *name);
/* Every SEP*.cnf.xml in the root again (start, SIGHUP); returns how many were signed. */
int prov_sgn_scan(struct prov_sbd *s);
/* 1 when name is SEP<12 hex digits>.cnf.xml. */
int prov_sgn_config_name(const char *name);

/* ------------------------------------------------------------------ */
/* Connections (prov_tls.c, prov_handlers.c) */

/* Connection admission: common/connlimit.h. */

/* Shared by all connection threads; read-only except for the locked parts. */
struct prov_server {
	const struct prov_config *cfg;
	SSL_CTX *ssl_ctx;
	struct prov_auth auth;
	struct prov_store store;
	struct connlimit limits;
	struct prov_sbd sbd;         /* zero (ready 0) when not initialised: SBD requests answer UNSUPPORTED */
	struct prov_admin *admin;    /* --admin (prov_admin.c); NULL without it */
};

/* ------------------------------------------------------------------ */
/* prov_admin.c: the admin port (--admin): status page and metrics      */

struct prov_admin;
/* Binds addrport and serves it from a thread of its own; NULL with the reason in err. */
CTL_MUST_USE struct prov_admin *prov_admin_start(struct prov_server *srv, const char *addrport,
                                                 char *err, size_t errlen);
/* Stops the thread and closes the port. NULL is a no-op. */
void prov_admin_stop(struct prov_admin *a);
/* Records a login's outcome (any thread; NULL a is a no-op). */
void prov_admin_note_login(struct prov_admin *a, const char *addr, const char *user,
                           enum prov_auth_result r);
/* Records an upload: installed (ok, md5 and length) or refused (why). */
void prov_admin_note_upload(struct prov_admin *a, const char *peer, const char *user,
                            const char *md5, unsigned length, int ok, const char *why);

struct prov_conn {
	struct prov_server *srv;
	struct tls_conn tls;         /* socket, TLS and the current deadline */
	char peer[80];               /* "ADDR:PORT" */
	char peer_addr[64];          /* "ADDR": the throttling key */
	char user[PROV_NAME_MAX];    /* logged-in user, "" before LOGIN */
	int authed;
	int closing;                 /* BYE or fatal framing error: close after the response */
	unsigned unauth_requests;    /* requests answered while not logged in */
	struct timespec login_deadline; /* accept + login_timeout; binds until LOGIN succeeds */
};

/*
 * Server context with the node's CallManager certificate and key: TLS 1.3,
 * or TLS 1.2 with ECDHE key exchange and an AEAD cipher only.
 */
CTL_MUST_USE SSL_CTX *prov_tls_ctx(const struct prov_config *cfg, char *err, size_t errlen);

/* I/O results are common/tls_server.h's (TLS_IO_EOF: peer closed cleanly between messages). */

/*
 * Sets c->tls.deadline to now + seconds (CLOCK_MONOTONIC), but no later than
 * c->login_deadline while the connection is not logged in. Returns 1 when
 * the login deadline is the one that binds.
 */
int prov_conn_deadline(struct prov_conn *c, unsigned seconds);
/* TLS handshake within the read timeout. msg gets OpenSSL's reason on failure. */
CTL_MUST_USE enum tls_io prov_tls_accept(struct prov_conn *c, char *msg, size_t msglen);
/* Reads exactly n bytes before c->tls.deadline. */
CTL_MUST_USE enum tls_io prov_tls_read(struct prov_conn *c, void *p, size_t n);
/* Writes n bytes, within the read timeout from now. */
CTL_MUST_USE enum tls_io prov_tls_write(struct prov_conn *c, const void *p, size_t n);
void prov_tls_close(struct prov_conn *c);

/*
 * Serves one accepted connection until BYE, EOF, timeout or error; closes
 * fd. accepted: when accept(2) returned it (CLOCK_MONOTONIC), the start of
 * the login deadline.
 */
void prov_conn_serve(struct prov_server *srv, int fd, const char *peer, const char *peer_addr,
                     const struct timespec *accepted);

/*
 * Handles one parsed request and writes the whole response message into
 * resp (initialised by the caller). Exposed for the unit tests.
 */
void prov_dispatch(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp);
/* A request handler: items into resp, or a failure status with the reason in msg. */
typedef uint16_t (*prov_handler_fn)(struct prov_conn *c, const struct ctl_prov_msg *req,
                                    struct ctl_wr *resp, char *msg, size_t msglen);
/* Tokenless mode and the ITL (prov_tokenless.c). */
uint16_t prov_h_sign_ctl(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp,
                         char *msg, size_t msglen);
uint16_t prov_h_itl_reset(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp,
                          char *msg, size_t msglen);
uint16_t prov_h_get_itl(struct prov_conn *c, const struct ctl_prov_msg *req, struct ctl_wr *resp,
                        char *msg, size_t msglen);
/* Writes an error response (type | 0x80, status, id, MESSAGE msg). */
CTL_MUST_USE enum ctl_err prov_error_response(struct ctl_wr *resp, uint8_t type, uint32_t id,
                                              uint16_t status, const char *msg);

#define PROV_SOFTWARE_VERSION "ctl-provider " CTL_VERSION_STRING

#endif
