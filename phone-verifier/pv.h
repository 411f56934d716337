/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier: emulates Cisco IP phones booting against a TFTP server
 * (format section 11): request order, trust rules (trust.h), console lines
 * and status messages. One phone (boot) and a fleet (fleet) run on the
 * same engine: the event loop and TFTP client engine of libtftp/.
 */
#ifndef PV_PV_H
#define PV_PV_H

#include <stdint.h>
#include <stdio.h>

#include <openssl/types.h>

#include <ctl/err.h>

#include "tftp_client.h"
#include "trust.h"
#include "tvs_client.h"

#define PV_PROG "phone-verifier"

struct pv_phone;
struct pv_verdicts;

/* Exit statuses, documented in doc/phone-verifier.1 (EXIT STATUS). */
enum pv_exit {
	PV_EXIT_OK = 0,             /* trust list updated or unchanged; compare: files match */
	PV_EXIT_UPDATE_FAILED = 1,  /* Trust List Update Failed (untrusted signer); compare: differ */
	PV_EXIT_USAGE = 2,
	PV_EXIT_VERIFY_FAILED = 3,  /* Trust List Verification Failed; unreadable input file */
	PV_EXIT_NO_TL = 4,          /* No Trust List Installed */
	PV_EXIT_CONFIG = 5,         /* signed configuration file rejected (File auth error, ...) */
	PV_EXIT_IO = 6,             /* state directory unreadable or not writable */
	PV_EXIT_NETWORK = 8,        /* TFTP server unreachable, transfer failed */
	PV_EXIT_INTERNAL = 9,
	PV_EXIT_REG_REFUSED = 10,   /* register: a CallManager's certificate is in no trusting record */
	PV_EXIT_REG_FAILED = 11,    /* register: no CallManager reached or TLS handshake failed */
	PV_EXIT_PROV_REFUSED = 12   /* plan --providers: a provider's identity or the login refused */
};

/* Status messages (Settings > Status > Status Messages), section 11. */
enum pv_status {
	PV_ST_UPDATED = 0,     /* "Trust List Updated" */
	PV_ST_UNCHANGED,       /* no message: the held lists are the server's */
	PV_ST_UPDATE_FAILED,   /* "Trust List Update Failed" */
	PV_ST_VERIFY_FAILED,   /* "Trust List Verification Failed" (ctl-suite, section 11) */
	PV_ST_NO_TL,           /* "No Trust List Installed" */
	PV_ST_FILE_AUTH_FAIL,  /* configuration file rejected: label "File Auth Fail" (--json);
	                        * the console says the family's words (pv_status_message) */
	PV_ST_CTL_ITL_INSTALLED, /* "CTL and ITL installed": an SBD phone's first CTL and ITL */
	PV_ST_ITL_INSTALLED,   /* "ITL installed": an SBD phone's first ITL (no CTL) */
	PV_ST__COUNT
};
/* The message text; for PV_ST_UNCHANGED the label "Trust List Unchanged" (never shown as a status). */
const char *pv_status_text(enum pv_status s);
int pv_status_exit(enum pv_status s);
struct pv_env;
/*
 * The status message a phone of e's family shows for s (file: the
 * configuration file a FILE_AUTH_FAIL names), into out[cap]: 79xx "File
 * auth error" (7940), 88xx family "invalid file F, authenticated fail.
 * Reason:14." (8945), 69xx "Trust List update failed, verification
 * failure"; the rest as pv_status_text (doc/phone-verifier.1, STATUS
 * MESSAGES, says which are ctl-suite's choice).
 */
void pv_status_message(const struct pv_env *e, enum pv_status s, const char *file, char *out,
                       size_t cap);

/* Why a phone did not end well: the first failure seen. */
enum pv_cause {
	PV_C_NONE = 0,
	PV_C_TIMEOUT,          /* no answer from the TFTP server */
	PV_C_TFTP_ERROR,       /* server ERROR other than file not found, or protocol error */
	PV_C_MALFORMED,        /* trust list does not parse or is of the wrong kind */
	PV_C_BAD_SIGNATURE,    /* trust list's own signature does not verify */
	PV_C_UNTRUSTED,        /* signer not trusted by the held lists */
	PV_C_CONFIG_AUTH,      /* .sgn not signed by a TFTP certificate of the held lists */
	PV_C_STORE,            /* state directory write failed */
	PV_C_NO_TL,            /* the server offered no trust list and none is held */
	PV_C__COUNT
};
const char *pv_cause_name(enum pv_cause c);

/* The steps of a boot, in request order (format section 11). */
enum pv_step {
	PV_S_CTL = 0,   /* CTLSEP<MAC>.tlv */
	PV_S_ITLSEP,    /* ITLSEP<MAC>.tlv */
	PV_S_ITLFILE,   /* ITLFile.tlv, when ITLSEP<MAC>.tlv is not found */
	PV_S_SGN,       /* SEP<MAC>.cnf.xml.sgn, with a TFTP-capable certificate held */
	PV_S_CNF,       /* SEP<MAC>.cnf.xml */
	PV_S_ENC,       /* SEP<MAC>.cnf.xml.enc.sgn, asked before the .sgn with --encrypted */
	PV_S_DONE
};

/*
 * What a boot reports, in order: boot.c prints nothing, it hands each
 * event to env->event (console.c prints them as a phone's console does).
 */
enum pv_event_kind {
	PV_EV_LINE = 0,       /* a console line ("SECD: ...", "TFTP: [n]:...") */
	PV_EV_STATUS,         /* a status message: status says which */
	PV_EV_NOT_FOUND,      /* the "File Not Found <name>" status message */
	PV_EV_NOTE            /* ctl-suite's explanation, no phone prints it: shown with
	                       * --verbose as "ctl-suite: ...", always when err */
};

/* The level a console line is logged at (88xx logs use all four). */
enum pv_level {
	PV_LV_NOT = 0,
	PV_LV_ERR,
	PV_LV_INF,
	PV_LV_DEB,
	PV_LV_WRN
};

struct pv_event {
	enum pv_event_kind kind;
	enum pv_step step;      /* the step the phone was at */
	const char *file;       /* the file of that step ("" after the last step) */
	int err;                /* LINE: an error line (ERR); NOTE: ctl-suite's own failure */
	enum pv_level level;    /* LINE: its level (ERR when err) */
	enum pv_status status;  /* STATUS: the message; otherwise PV_ST__COUNT */
	const char *message;    /* the text, without time stamp or prefix */
};

/* Receives the events of every phone of a run; ph is lent for the call. */
typedef void pv_event_fn(void *arg, const struct pv_phone *ph, const struct pv_event *ev);

/*
 * Starts one TFTP transfer (libtftp's tftp_client_get by default): 0, or
 * -1 with errno set. g->done is called later, from the loop.
 */
typedef int pv_get_fn(void *arg, const struct tftp_get *g);
/*
 * A phone (the tftp_get.arg of its transfers) finished its boot: what the
 * transfer starter kept for it (an HTTP connection) goes.
 */
typedef void pv_get_release_fn(void *arg, const void *owner);

/*
 * How a phone reaches TVS (tvs_client.c behind it in boot): asks for the
 * certificate q names, reporting each step through pv_phone_tvs_event().
 * Returns as pv_tvs_ops.query does.
 */
typedef enum ctl_err pv_tvs_fn(void *arg, struct pv_phone *ph, const struct pv_tvs_query *q,
                               struct pv_tvs_answer *a, char *why, size_t cap);

/* The console a run prints (--console). */
enum pv_form {
	PV_FORM_79XX = 0,   /* "SECD: ...", "TFTP: [n]:..." */
	PV_FORM_88XX        /* "dgetfile(...)-GETXXTP ...", "SECUREAPP-..." */
};

struct pv_tvs_cache;

/* Shared by every phone of a run. */
struct pv_env {
	struct loop *loop;
	struct tftp_client *client;
	pv_get_fn *get;         /* how a phone starts a transfer */
	void *get_arg;
	pv_get_release_fn *get_release; /* NULL: nothing is kept per phone */
	union tftp_sa server;
	char server_str[TFTP_ADDRSTR];
	struct ctl_verifier *verifier;
	unsigned blksize, windowsize;
	pv_event_fn *event;   /* NULL: quiet */
	void *event_arg;
	unsigned task_seq;    /* the [NN] of TFTP console lines */
	/* Distinct lists seen, so a fleet holds one copy of each (bounded). */
	struct pv_tl *intern[32];
	size_t nintern;
	/* Totals. */
	uint64_t transfers, bytes, retransmits, dropped;
	/* Called once when a phone finishes its boot. */
	void (*done)(void *arg, struct pv_phone *ph);
	void *done_arg;
	/* A fleet's shared verdicts (verdicts.h; NULL: each phone judges alone). */
	struct pv_verdicts *verdicts;
	int no_fsync;         /* state written without fsync (fleet without --durable) */
	/* Security By Default (zero: none of it). */
	int sbd;                        /* an 88xx-family phone: a first install says "CTL and ITL installed" */
	enum pv_form form;
	char model[8];                  /* --model ("" unknown): 69xx status words */
	pv_tvs_fn *tvs;                 /* NULL: no TVS */
	void *tvs_arg;
	struct pv_tvs_cache *tvs_cache; /* checked before tvs, filled from it; NULL: none */
	uint64_t (*clock)(void);        /* Unix seconds for the cache; NULL: time() */
	/* Encrypted configuration files (NULL: not asked for). */
	void (*enc_got)(struct pv_phone *ph, const char *name, const uint8_t *p, size_t n);
	int (*enc_companion)(struct pv_phone *ph, const char *name, const uint8_t *p, size_t n);
	EVP_PKEY *phone_key;            /* decrypts it (borrowed) */
	X509 *phone_cert;               /* the companion's certHash is its MD5 (borrowed) */
};

struct pv_env_cfg {
	const char *tftp;        /* HOST[:PORT] */
	unsigned blksize;        /* 0: no blksize option */
	unsigned windowsize;     /* 0: no windowsize option */
	unsigned timeout_ms, retries, loss_pct;
	int no_resend;           /* --retransmit 0: the server's retransmissions only */
	uint64_t seed;
};

/*
 * Sets up loop, client and verifier (env.c). Returns PV_EXIT_OK, or an
 * exit status with the reason in why (cap bytes).
 */
CTL_MUST_USE int pv_env_init(struct pv_env *e, const struct pv_env_cfg *cfg, char *why, size_t cap);
void pv_env_cleanup(struct pv_env *e);
/* The shared copy of tl: takes over the caller's reference, returns one to the copy kept. */
struct pv_tl *pv_env_intern(struct pv_env *e, struct pv_tl *tl);
/*
 * The rules and the state as a run applies them: pv_trust_decide and
 * pv_config_check_v, keys kept in e->verifier (through e->verdicts when
 * set, same decisions), and
 * pv_state_write / pv_state_store (without fsync when e->no_fsync).
 */
enum pv_verdict pv_env_decide(struct pv_env *e, const struct pv_trust *held, enum ctl_kind kind,
                              const uint8_t *p, size_t n, const struct pv_tvs_ops *tvs,
                              struct pv_decision *d, struct pv_tl **tl);
CTL_MUST_USE enum ctl_err pv_env_config_check(struct pv_env *e, const struct pv_trust *held,
                                              const struct pv_tvs_ops *tvs, const uint8_t *p,
                                              size_t n, struct pv_decision *d,
                                              size_t *payload_off, size_t *payload_len);
CTL_MUST_USE enum ctl_err pv_env_write(struct pv_env *e, const char *dir, const char *name,
                                       const uint8_t *p, size_t n, struct ctl_diag *d);
CTL_MUST_USE enum ctl_err pv_env_store(struct pv_env *e, const char *dir, enum ctl_kind kind,
                                       const struct pv_tl *tl, struct ctl_diag *d);

/* One phone. */
struct pv_phone {
	struct pv_env *env;
	char mac[13];
	char *dir;              /* state directory (owned), NULL: memory only */
	struct pv_trust trust;
	enum pv_step step;
	unsigned flags;         /* what happened so far (F_* in boot.c) */
	enum pv_status status;  /* headline, set when done */
	enum pv_cause cause;
	unsigned task;          /* [NN] of the transfer in flight */
	uint64_t t0, ms;        /* boot start (loop ms) and duration */
	struct loop_timer timer; /* ends a boot whose transfer could not start */
	int has_src;             /* send from src (fleet --source-range) */
	union tftp_sa src;
	/* What TVS did during the boot (--json). */
	unsigned tvs_asked, tvs_vouched, tvs_cached;
	int held_at_boot;        /* held a CTL or ITL when the boot started */
	struct pv_tvs_fact tvs_last;  /* the last query's facts */
	int enc_found;           /* SEP<MAC>.cnf.xml.enc.sgn came */
	uint8_t *enc_plain;      /* decrypted configuration, until the companion .sgn checks out */
	size_t enc_len;
};

/*
 * Prepares ph (zeroed by the caller) and loads its state directory (dir
 * may be NULL). 0, or -1 with d saying why (the flash is unreadable).
 * Call pv_phone_cleanup() either way.
 */
CTL_MUST_USE int pv_phone_init(struct pv_phone *ph, struct pv_env *e, const char *mac,
                               const char *dir, struct ctl_diag *d);
void pv_phone_cleanup(struct pv_phone *ph);
/* Exit status for a finished boot: its status, refined by the cause (network, state). */
int pv_phone_exit(const struct pv_phone *ph);
/*
 * Reports one step of a TVS exchange as ph's console line (79xx or 88xx
 * form): a pv_tvs_event_fn of tvs_client.h, arg being the phone.
 */
void pv_phone_tvs_event(void *ph, enum pv_tvs_ev ev, const char *host, unsigned port,
                        const char *detail);
/* For the encrypted-configuration steps: a console line, the rejected-configuration outcome, storing the configuration. */
void pv_phone_line(struct pv_phone *ph, enum pv_level lv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pv_phone_config_fail(struct pv_phone *ph, const char *name);
/*
 * ctl-suite's explanation of a step (which record vouched, why a file was
 * refused): a PV_EV_NOTE event, printed "ctl-suite: ..." with --verbose
 * only; pv_phone_note_err for ctl-suite's own failures, printed always.
 */
void pv_phone_note(struct pv_phone *ph, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pv_phone_note_err(struct pv_phone *ph, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The phone's way to TVS (cache, then env->tvs), and the count of what a decision asked of it. */
void pv_phone_tvs_ops(struct pv_phone *ph, struct pv_tvs_ops *ops);
void pv_phone_note_tvs(struct pv_phone *ph, const struct pv_decision *d);
void pv_phone_store_config(struct pv_phone *ph, const uint8_t *p, size_t n);
/* Starts the boot; env->done is called when it ends (from the loop). */
void pv_phone_boot(struct pv_phone *ph);
/*
 * The transfer of the current step ended with r: applies the trust rules
 * to what came, reports it and starts the next step (or finishes).
 */
void pv_phone_result(struct pv_phone *ph, const struct tftp_result *r);
/* The step after s, once s ended with its file found (1) or not (0). */
enum pv_step pv_step_next(enum pv_step s, int found);
/* The file step s asks for (e.g. "CTLSEP0011215A1AE3.tlv"), into out[cap]. */
void pv_step_file(const char *mac, enum pv_step s, char *out, size_t cap);

/*
 * Fetches one file through the engine, running the loop until it ends.
 * On TFTP_CE_OK *data (free()) holds the file. r receives the result.
 * 0, or -1 when the transfer could not run.
 */
CTL_MUST_USE int pv_fetch(struct pv_env *e, const char *name, uint8_t **data, size_t *len,
                          struct tftp_result *r);

/* Commands (cmd_boot.c, fleet.c, inspect.c, cmd_erase.c). */
int pv_cmd_boot(int argc, char **argv);
int pv_cmd_fleet(int argc, char **argv);
int pv_cmd_trust_list(int argc, char **argv);
int pv_cmd_compare(int argc, char **argv);
int pv_cmd_erase(int argc, char **argv);
int pv_cmd_plan(int argc, char **argv);
int pv_cmd_register(int argc, char **argv);

#endif
