/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cluster commands' shared machinery, one file per concern, calls running
 * one way (cmd_*.c -> session -> state, report; everything -> opts' struct):
 *  - cluster_opts.c: the common options and --help;
 *  - cluster_state.c: the nodes and every decision made without the
 *    network (identity, a response taken into a node, worst exit status,
 *    known_hosts records, the --retry-failed state file);
 *  - cluster_session.c: one session per server in parallel (collect
 *    certificates and installed CTLs, upload, set the mode), confirmation;
 *  - cluster_report.c: failures, installed CTLs, the result table or JSON;
 *  - cluster_plan.c: the CTL plan and token signing (main thread only);
 *  - cluster_resign.c: update, add-token and delete-entry;
 *  - cluster_sbd.c: the Security By Default requests' items (SIGN_CTL,
 *    GET_ITL, ITL_RESET), built and taken without the network;
 *  - cluster_sbd_session.c: those requests on a node's session;
 *  - cluster_tl_rules.c: what the tokenless commands decide without the
 *    network (would a phone take it, which records are tokens);
 *  - cluster_tokenless.c: tokenless mixed mode, update, non-secure and
 *    reset-localkey, and the bridge CTLs between tokens and tokenless.
 */
#ifndef CTL_CLIENT_CLUSTER_H
#define CTL_CLIENT_CLUSTER_H

#include <pthread.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "cli.h"
#include "cmd.h"
#include "prov_client.h"

#define CL_MAX_SERVERS 32
#define CL_MAX_TOKENS 8
#define CL_MAX_CERTS 16   /* certificates one server returns */
#define CL_MAX_ENTRIES 64 /* records in a CTL plan */

/* Which command is parsing: selects the options it accepts. */
enum {
	CL_C_MIXED = 1u << 0,
	CL_C_UPDATE = 1u << 1,
	CL_C_ADD_TOKEN = 1u << 2,
	CL_C_DELETE = 1u << 3,
	CL_C_NON_SECURE = 1u << 4,
	CL_C_CHECK = 1u << 5,
	CL_C_RESET_LOCALKEY = 1u << 6,
	CL_C_ITL_RESET = 1u << 7
};

/* --layout: who signs a tokenless CTL (the SIGNER item, enum ctl_tokenless_signer). */
enum cl_layout {
	CL_LAYOUT_12X = 0, /* ITLRecovery signs, CallManager is the second SAST */
	CL_LAYOUT_10X = 1  /* the publisher's CallManager signs */
};

/* itl-reset ACTION: the ITL_ACTION item. */
enum cl_itl_action {
	CL_ITL_DONE = 0,     /* serve the normal ITL again */
	CL_ITL_LOCALKEY = 1, /* the reset ITL, signed with the node's own key */
	CL_ITL_REMOTEKEY = 2 /* the reset ITL, signed with itlrecovery_remote_key */
};

struct cl_opts {
	unsigned cmd;
	const char *servers[CL_MAX_SERVERS];
	size_t nservers;
	const char *fingerprints[CL_MAX_SERVERS];
	size_t nfingerprints;
	const char *user, *password_file;
	unsigned timeout;
	int json, yes, retry_failed, override_trust, accept_new;
	const char *reason;
	const char *token, *sign_token, *module, *pin_file;
	const char *sast_tokens[CL_MAX_TOKENS];
	size_t nsast_tokens;
	const char *serial, *subject;
	unsigned days;
	int tokenless;             /* --tokenless */
	int layout, layout_set;    /* --layout (enum cl_layout) */
	int itl_action;            /* itl-reset ACTION (enum cl_itl_action), -1 when none */
	const char *itl_action_name;
};

struct cl_cert {
	uint16_t role;
	X509 *cert;
};

struct cl_node {
	struct prov_target t;
	int skip;                      /* not part of this phase (--retry-failed) */
	int has_pin;
	uint8_t pin[PROV_FP_LEN];      /* --fingerprint */
	uint8_t fp[PROV_FP_LEN];       /* presented by the server */
	int fp_seen, fp_record;        /* fp valid; record it in known_hosts */
	char peer[PROV_PEER_LEN];      /* the address the name resolved to and answered */
	char subject[256];             /* the server certificate's subject */
	char known_as[272];            /* fp known under this other name */
	int unknown;                   /* first contact, not (yet) confirmed */
	int accepted;                  /* confirmed on the terminal: accept_fp is pinned */
	uint8_t accept_fp[PROV_FP_LEN];
	int logged_in;
	/* GET_INFO */
	char hostname[256], version[64];
	int has_ip, mode;
	uint8_t ip[4];
	struct cl_cert certs[CL_MAX_CERTS];
	size_t ncerts;
	/* GET_CTL */
	uint8_t *ctl;
	size_t ctl_len;
	char ctl_md5[33];
	/* PUT_CTL / SET_MODE */
	char md5_after[33];
	int mode_after;
	/* GET_ITL (has_itl 0: the node serves none), ITL_RESET */
	int has_itl;
	char itl_md5[33];
	uint32_t itl_len;
	/* outcome of the last phase */
	int failed, rc;
	char err[600];
};

/* What a fan-out session does after login. */
enum {
	CL_OP_INFO = 1u << 0,
	CL_OP_CTL = 1u << 1,
	CL_OP_PUT = 1u << 2,
	CL_OP_MODE = 1u << 3,
	CL_OP_SIGN = 1u << 4,      /* SIGN_CTL, on the publisher (node 0) only */
	CL_OP_ITL = 1u << 5,       /* GET_ITL */
	CL_OP_ITL_RESET = 1u << 6  /* ITL_RESET */
};

/* A SIGN_CTL request's own items: the nodes come from the cluster. */
struct cl_sign_req {
	uint8_t signer;                 /* enum cl_layout */
	uint8_t mode;                   /* 1 mixed, 0 non-secure */
	X509 *tokens[CL_MAX_TOKENS + 4]; /* extra SAST records (borrowed) */
	size_t ntokens;
};

struct cluster {
	struct cl_opts o;
	const struct cmd *cmd;
	struct cl_node nodes[CL_MAX_SERVERS];
	size_t n;
	struct prov_known known;
	struct ctl_secret *password;
	pthread_mutex_t lock;
	int progress;
	size_t done;
	/* the current phase */
	unsigned ops;
	const uint8_t *put;
	size_t put_len;
	char put_md5[33];
	int set_mode;
	int mode_first;            /* SET_MODE before PUT_CTL (the tokenless commands) */
	int no_report;             /* cl_apply prints nothing (a bridge step) */
	char bridge_md5[33];       /* a bridge CTL installed before the result's */
	struct cl_sign_req sign;   /* CL_OP_SIGN's request */
	uint8_t *signed_ctl;       /* ... and its answer (freed by cl_cleanup) */
	size_t signed_len;
	uint8_t itl_action;        /* CL_OP_ITL_RESET */
};

/* cluster_opts.c */
/*
 * Parses the options of cmd (bit in CL_C_*) into cl->o; `help` is printed
 * for --help. 0: parsed; 1: --help shown; -1: usage error (printed).
 */
CTL_MUST_USE int cl_parse(struct cluster *cl, const struct cmd *cmd, unsigned bit, int argc, char **argv);
/* The --help text of the command with bit. */
void cl_help(FILE *f, const struct cmd *cmd, unsigned bit);
/* cluster_state.c */
/* Servers and pins from the options, known_hosts, the password. Exit status. */
CTL_MUST_USE int cl_init(struct cluster *cl);
/* Pins, known_hosts and the password, for nodes already added. Exit status. */
CTL_MUST_USE int cl_init_common(struct cluster *cl);
void cl_cleanup(struct cluster *cl);
/* Adds a node for --server HOST[:PORT] (refused twice or past the maximum). Exit status. */
CTL_MUST_USE int cl_node_add(struct cluster *cl, const char *spec);
/* Marks nd failed with an exit status and a message. */
void cl_node_fail(struct cl_node *nd, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Clears the outcome of the last phase before a new session. */
void cl_node_begin(struct cl_node *nd);
/* The exit status of the first failed node not skipped, or EXIT_OK. */
CTL_MUST_USE int cl_first_failure(const struct cluster *cl);
/*
 * The presented certificate nd->fp against --fingerprint, an earlier yes
 * on the terminal and known_hosts. 0: go on (nd->fp_record says whether
 * to record it after login); -1: nd failed (changed certificate, or a first
 * contact: nd->unknown, asked on the terminal later unless --accept-new).
 */
CTL_MUST_USE int cl_identity(struct cluster *cl, struct cl_node *nd);
/* Records the identities of the nodes that logged in (known_hosts). */
void cl_record_identities(struct cluster *cl);
/*
 * A response's items into the node: GET_INFO (host name, version, IPv4,
 * mode, role + DER certificates), GET_CTL (the file and its md5), PUT_CTL
 * (the stored md5 must be the one sent), SET_MODE (the mode now; `asked`
 * when the server does not say). 0, or -1 with nd failed.
 */
CTL_MUST_USE int cl_node_take_info(struct cl_node *nd, const struct ctl_prov_msg *m);
CTL_MUST_USE int cl_node_take_ctl(struct cl_node *nd, const struct ctl_prov_msg *m);
CTL_MUST_USE int cl_node_take_put(struct cl_node *nd, const char *sent_md5, const struct ctl_prov_msg *m);
void cl_node_take_mode(struct cl_node *nd, int asked, const struct ctl_prov_msg *m);
/*
 * --retry-failed state in the config directory: which servers of this
 * command's job failed, the mode and the CTL. Saving with no failure
 * removes it. Loading adds the nodes (ok ones skipped). Exit status.
 */
void cl_state_save(const struct cluster *cl, const uint8_t *ctl, size_t len, int mode);
CTL_MUST_USE int cl_state_load(struct cluster *cl, uint8_t **ctl, size_t *len, int *mode);

/* cluster_session.c */
/* Runs ops (CL_OP_*) on every node not skipped, in parallel. Exit status of the worst node. */
CTL_MUST_USE int cl_run(struct cluster *cl, unsigned ops);

/* cluster_call.c */
/*
 * Sends request type with one u8 item (tag, v). 0: *r holds the OK answer
 * (prov_resp_free it). -1: nothing to free; a refusal or network error is
 * the node's error "FMT...: reason" (none when the request could not be built).
 */
CTL_MUST_USE int cl_call_u8(struct cl_node *nd, struct prov_conn *c, uint8_t type, uint16_t tag, uint8_t v,
                            struct prov_resp *r, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* cluster_report.c */
/* Prints each failed node's error; returns the first failed node's exit status. */
CTL_MUST_USE int cl_report_failures(const struct cluster *cl);
/* The result of an upload / mode change: table, or one JSON object (doc/json.md). */
void cl_report_table(FILE *f, const struct cluster *cl, const char *md5, size_t nfail);
void cl_report_json(FILE *f, const struct cluster *cl, const char *md5, size_t nfail);
/* A node's object in a JSON "servers" array: `{"server":NAME,"hostname":HOST` (after a comma
 * unless i is 0); the command adds its members; close adds `"error":` (null unless failed) and `}`. */
void cl_json_server_open(FILE *f, const struct cl_node *nd, size_t i);
void cl_json_server_close(FILE *f, const struct cl_node *nd);

/* The CTL plan: what will be signed. */
struct cl_entry {
	uint16_t role;
	X509 *cert;                     /* owned reference, or NULL for a kept record */
	const struct ctl_record *rec;   /* a record kept from the installed CTL */
	char dns[256];
	int has_ip;
	uint8_t ip[4];
	char source[300];
};
struct cl_plan {
	struct cl_entry e[CL_MAX_ENTRIES];
	size_t n;
};
/* 0 added, 1 an identical (certificate, role) is there already, -1 full or error. */
CTL_MUST_USE int cl_plan_add_cert(struct cl_plan *p, X509 *cert, uint16_t role, const char *dns,
                     const uint8_t *ip, const char *source);
CTL_MUST_USE int cl_plan_add_record(struct cl_plan *p, const struct ctl_record *r, const char *source);
/* Adds every collected server certificate (CCM+TFTP etc. with hostname and IP). */
CTL_MUST_USE int cl_plan_add_servers(struct cl_plan *p, const struct cluster *cl);
size_t cl_plan_nsast(const struct cl_plan *p);
void cl_plan_show(const struct cl_plan *p, const struct cluster *cl, FILE *f);
void cl_plan_free(struct cl_plan *p);

struct p11_ctx;
/* Opens the module for the token options (main thread). Exit status. */
CTL_MUST_USE int cl_tokens_open(const struct cluster *cl, struct p11_ctx **ctx);
/* A token's certificate without login. Exit status. */
CTL_MUST_USE int cl_token_cert(struct p11_ctx *ctx, const char *sel, X509 **out);
/*
 * Builds the plan into a CTL, checks policy (two SAST, no duplicates or
 * expired certificates, the signer listed) before login, signs on the
 * token sel, and verifies the result. *out is free()d by the caller.
 */
CTL_MUST_USE int cl_sign(const struct cluster *cl, struct p11_ctx *ctx, const char *sel, X509 *signer,
            const struct cl_plan *p, uint8_t **out, size_t *len);

/* Asks on the terminal unless --yes. EXIT_OK to go on. */
CTL_MUST_USE int cl_confirm(const struct cluster *cl, const char *question);
/*
 * Uploads ctl (when not NULL) and sets mode (when >= 0) on every node not
 * skipped, then saves the --retry-failed state and prints the result table
 * (or JSON). Exit status: EXIT_OK only when every node succeeded.
 */
CTL_MUST_USE int cl_apply(struct cluster *cl, const uint8_t *ctl, size_t len, int mode);
/* --retry-failed: repeats the saved job of this command on the nodes that failed. */
CTL_MUST_USE int cl_retry(struct cluster *cl);
/* Prints the installed CTLs' agreement; returns the chosen node index or -1. */
int cl_pick_installed(const struct cluster *cl);
/* That CTL parsed (*f NULL when no node holds one; a parse error printed with the node's
 * name); *node (may be NULL) its node index or -1. EXIT_OK or the exit status. */
CTL_MUST_USE int cl_parse_installed(const struct cluster *cl, struct ctl_file **f, int *node);

/*
 * update, add-token, delete-entry: fetch the installed CTL, keep its token
 * records (or, for delete-entry, every record but the matches), add a
 * token, re-collect the servers' certificates, sign with a token the
 * installed CTL lists, upload. Exit status.
 */
struct cl_resign {
	const char *sign_token;
	const char *add_token;   /* add-token: read without login */
	int recollect;           /* update, add-token */
	const char *del_serial, *del_subject;
};
CTL_MUST_USE int cl_resign_run(struct cluster *cl, const struct cl_resign *rs);

/* cluster_sbd.c */
/*
 * The SIGN_CTL items after the header: SIGNER, MODE, then per node (every
 * one, skipped or not) HOSTNAME, IPV4 and its certificates as GET_INFO announced them,
 * then the tokens as CERT items of role SAST. 0, or -1 with err (too many
 * items for one message, out of memory).
 */
CTL_MUST_USE int cl_sbd_put_sign(struct ctl_wr *wr, const struct cluster *cl, const struct cl_sign_req *rq,
                                 char *err, size_t errlen);
/*
 * The SIGN_CTL answer: a CTL_FILE whose MD5 item matches, that parses as a
 * CTL and verifies with its own signer. *out is malloc()ed. 0, or -1 with err.
 */
CTL_MUST_USE int cl_sbd_take_signed(const struct ctl_prov_msg *m, uint8_t **out, size_t *len, char *err,
                                    size_t errlen);
/* GET_ITL's ITL_FILE (its md5 must match MD5) and ITL_RESET's MD5 and LENGTH into nd. 0, or -1 with nd failed. */
CTL_MUST_USE int cl_node_take_itl(struct cl_node *nd, const struct ctl_prov_msg *m);
CTL_MUST_USE int cl_node_take_itl_reset(struct cl_node *nd, const struct ctl_prov_msg *m);

/* cluster_sbd_session.c */
/* The SBD requests of cl->ops (CL_OP_SIGN, CL_OP_ITL_RESET) on node i's session. 0, or -1. */
CTL_MUST_USE int cl_sbd_session(struct cluster *cl, size_t i, struct prov_conn *c);

/* cluster_tl_rules.c */
/* Would a phone holding held install next (signed by one of held's SAST records)? */
CTL_MUST_USE int cl_tl_accepts(const struct ctl_file *held, const struct ctl_file *next);
/*
 * Adds to rq->tokens (which then owns them) the token SAST records of held,
 * kept in the next tokenless CTL: each SAST that is not one the publisher
 * adds itself (a SAST of fresh), not a node's certificate (GET_INFO), and
 * not an ITLRecovery certificate (CUCM names it ITLRECOVERY_<host>; a
 * replaced one must go).
 */
void cl_tl_kept_tokens(const struct cluster *cl, const struct ctl_file *held, const struct ctl_file *fresh,
                       struct cl_sign_req *rq);
void cl_tl_tokens_free(struct cl_sign_req *rq);
/* Is x a SAST record of f? */
CTL_MUST_USE int cl_tl_lists_sast(const struct ctl_file *f, X509 *x);
/* Did the cluster's own keys sign f (a node's certificate, or an ITLRecovery one)? */
CTL_MUST_USE int cl_tl_own_signed(const struct cluster *cl, const struct ctl_file *f);

/* cluster_tokenless.c */
/* mixed-mode / update / non-secure --tokenless, reset-localkey. Exit status. */
CTL_MUST_USE int cl_tl_mixed(struct cluster *cl);
CTL_MUST_USE int cl_tl_update(struct cluster *cl, int reset_localkey);
CTL_MUST_USE int cl_tl_non_secure(struct cluster *cl);
/*
 * add-token on a tokenless cluster: when the installed CTL's signer is not
 * a SAST the token CTL could be signed by, installs first a tokenless CTL
 * that also lists the tokens as SAST (a phone holding the installed CTL
 * accepts it, and then the token-signed one). *now: that CTL, parsed (NULL
 * when no bridge was needed); *bytes keeps its buffer. Exit status.
 */
CTL_MUST_USE int cl_tl_bridge_tokens(struct cluster *cl, const struct ctl_file *installed, X509 *const *tokens,
                                     size_t ntokens, uint8_t **bytes, size_t *len, struct ctl_file **now);
/*
 * Installs a bridge CTL on every node, printing nothing unless it fails
 * somewhere (then the result table or JSON, and the status). Exit status.
 */
CTL_MUST_USE int cl_tl_apply_bridge(struct cluster *cl, const uint8_t *ctl, size_t len);
/* Prints one of CUCM's lines: on stdout, on stderr with --json. */
void cl_say(const struct cluster *cl, const char *line);
/* Asks CUCM's question ("... (y/n):") on the terminal unless --yes. EXIT_OK to go on. */
CTL_MUST_USE int cl_confirm_cucm(const struct cluster *cl, const char *question);

/* Progress line on a terminal (thread-safe). */
void cl_progress(struct cluster *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
