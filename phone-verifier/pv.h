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

#include "tftp_client.h"
#include "trust.h"

#define PV_PROG "phone-verifier"

struct pv_phone;

/* Exit statuses, documented in doc/phone-verifier.1 (EXIT STATUS). */
enum pv_exit {
	PV_EXIT_OK = 0,             /* trust list updated or unchanged; compare: files match */
	PV_EXIT_UPDATE_FAILED = 1,  /* Trust List Update Failed (untrusted signer); compare: differ */
	PV_EXIT_USAGE = 2,
	PV_EXIT_VERIFY_FAILED = 3,  /* Trust List Verification Failed; unreadable input file */
	PV_EXIT_NO_TL = 4,          /* No Trust List Installed */
	PV_EXIT_CONFIG = 5,         /* File Auth Fail: signed configuration file rejected */
	PV_EXIT_IO = 6,             /* state directory unreadable or not writable */
	PV_EXIT_NETWORK = 8,        /* TFTP server unreachable, transfer failed */
	PV_EXIT_INTERNAL = 9
};

/* Status messages (Settings > Status > Status Messages), section 11. */
enum pv_status {
	PV_ST_UPDATED = 0,     /* "Trust List Updated" */
	PV_ST_UNCHANGED,       /* no message: the held lists are the server's */
	PV_ST_UPDATE_FAILED,   /* "Trust List Update Failed" */
	PV_ST_VERIFY_FAILED,   /* "Trust List Verification Failed" (ctl-suite, section 11) */
	PV_ST_NO_TL,           /* "No Trust List Installed" */
	PV_ST_FILE_AUTH_FAIL,  /* "File Auth Fail" + name: configuration file rejected */
	PV_ST__COUNT
};
/* The message text; for PV_ST_UNCHANGED the label "Trust List Unchanged" (never shown as a status). */
const char *pv_status_text(enum pv_status s);
int pv_status_exit(enum pv_status s);

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

/* Shared by every phone of a run. */
struct pv_env {
	struct loop *loop;
	struct tftp_client *client;
	union tftp_sa server;
	char server_str[TFTP_ADDRSTR];
	struct ctl_verifier *verifier;
	unsigned blksize, windowsize;
	FILE *console;        /* phone console lines and status messages; NULL: quiet */
	int console_mac;      /* prefix console lines with SEP<MAC> (fleets) */
	unsigned task_seq;    /* the [NN] of TFTP console lines */
	unsigned line_seq;    /* the NNN: of console lines */
	/* Distinct lists seen, so a fleet holds one copy of each (bounded). */
	struct pv_tl *intern[32];
	size_t nintern;
	/* Totals. */
	uint64_t transfers, bytes, retransmits, dropped;
	/* Called once when a phone finishes its boot. */
	void (*done)(void *arg, struct pv_phone *ph);
	void *done_arg;
};

struct pv_env_cfg {
	const char *tftp;        /* HOST[:PORT] */
	unsigned blksize;        /* 0: no blksize option */
	unsigned windowsize;     /* 0: no windowsize option */
	unsigned timeout_ms, retries, loss_pct;
	int no_resend;           /* --retransmit 0: the server's retransmissions only */
	uint64_t seed;
};

/* Sets up loop, client and verifier; prints the reason and returns an exit status on failure. */
int pv_env_init(struct pv_env *e, const struct pv_env_cfg *cfg);
void pv_env_cleanup(struct pv_env *e);

/* One phone. */
struct pv_phone {
	struct pv_env *env;
	char mac[13];
	char *dir;              /* state directory (owned), NULL: memory only */
	struct pv_trust trust;
	unsigned step;
	unsigned flags;         /* PV_F_* in boot.c */
	enum pv_status status;  /* headline, set when done */
	enum pv_cause cause;
	unsigned task;          /* [NN] of the transfer in flight */
	uint64_t t0, ms;        /* boot start (loop ms) and duration */
	struct loop_timer timer; /* ends a boot whose transfer could not start */
	int has_src;             /* send from src (fleet --source-range) */
	union tftp_sa src;
};

/* Checks and upper-cases a 12-hex-digit MAC into out[13]; 0 or -1. */
int pv_mac_parse(const char *s, char out[13]);

/* Prepares ph (zeroed by the caller) and loads its state directory (dir may be NULL). */
int pv_phone_init(struct pv_phone *ph, struct pv_env *e, const char *mac, const char *dir);
void pv_phone_cleanup(struct pv_phone *ph);
/* Exit status for a finished boot: its status, refined by the cause (network, state). */
int pv_phone_exit(const struct pv_phone *ph);
/* Starts the boot; env->done is called when it ends (from the loop). 0 or -1. */
int pv_phone_boot(struct pv_phone *ph);

/*
 * Fetches one file through the engine, running the loop until it ends.
 * On TFTP_CE_OK *data (free()) holds the file. r receives the result.
 */
int pv_fetch(struct pv_env *e, const char *name, uint8_t **data, size_t *len,
             struct tftp_result *r);

/* Console output: "NNN: LVL HH:MM:SS.uuuuuu " + text, to env->console. */
void pv_console(struct pv_phone *ph, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A status message: "HH:MM:SS <message>". */
void pv_status_msg(struct pv_phone *ph, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Diagnostics on stderr, "phone-verifier: " prefix. */
void pv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes s (n bytes, stops at NUL) as a JSON string literal. */
void pv_json_str(FILE *f, const char *s, size_t n);

/* Options shared by boot, fleet and compare (getopt_long codes and table rows). */
enum {
	PV_O_TFTP = 300, PV_O_BLKSIZE, PV_O_WINDOWSIZE, PV_O_TIMEOUT, PV_O_RETRIES, PV_O_LOSS,
	PV_O_SEED, PV_O_RETRANSMIT
};
#define PV_NET_OPTIONS                                                         \
	{ "tftp", required_argument, NULL, PV_O_TFTP },                        \
	{ "blksize", required_argument, NULL, PV_O_BLKSIZE },                  \
	{ "windowsize", required_argument, NULL, PV_O_WINDOWSIZE },            \
	{ "timeout", required_argument, NULL, PV_O_TIMEOUT },                  \
	{ "retries", required_argument, NULL, PV_O_RETRIES },                  \
	{ "loss", required_argument, NULL, PV_O_LOSS },                        \
	{ "seed", required_argument, NULL, PV_O_SEED },                        \
	{ "retransmit", required_argument, NULL, PV_O_RETRANSMIT }
#define PV_NET_HELP                                                            \
	"  --tftp HOST[:PORT]  TFTP server (port 69 by default)\n"             \
	"  --blksize N         blksize option asked for, 8..65464 (default 1468; 0: no options)\n" \
	"  --windowsize N      windowsize option, 1..64 (default: not asked)\n" \
	"  --timeout MS        retransmission timeout (default 1000)\n"        \
	"  --retransmit MS     resend an unanswered request every MS (same as --timeout);\n" \
	"                      0: never resend, wait --timeout x (--retries + 1) per answer\n" \
	"  --retries N         retransmissions per packet before giving up (default 5)\n" \
	"  --loss PCT          drop this percentage of received DATA packets (0..90)\n" \
	"  --seed N            seed of the loss simulation (default 1)\n"
/* Sets defaults in cfg. */
void pv_net_defaults(struct pv_env_cfg *cfg);
/* Applies a shared option: 1 handled, 0 not a shared option, -1 bad value (printed). */
int pv_net_opt(struct pv_env_cfg *cfg, int c, const char *arg);
/* Bounded number from an option value; prints the error. 0 or -1. */
int pv_num(const char *opt, const char *arg, unsigned long long min, unsigned long long max,
           unsigned long long *v);

/* Commands. */
int pv_cmd_boot(int argc, char **argv);
int pv_cmd_fleet(int argc, char **argv);
int pv_cmd_trust_list(int argc, char **argv);
int pv_cmd_compare(int argc, char **argv);
int pv_cmd_erase(int argc, char **argv);

#endif
