/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The change planner (phone-verifier plan, doc/sbd.md "Change planner"):
 * what a fleet of phones, as their state directories hold them, would do
 * if the cluster changed a certificate, its mode or the phones' cluster.
 *
 * The cluster is read from its nodes' configuration files (the keys of
 * ctl-provider's node.conf). A change is simulated in memory: regenerated
 * certificates keep their subject and get a new RSA-2048 key and serial;
 * the files the nodes would then serve (ITL, tokenless CTL, a signed
 * configuration file) are built with libctl's SBD builders and signed with
 * those keys or the node's configured ones. Each phone then runs the very
 * rules of `boot` (pv_trust_decide, pv_config_check) against them, with a
 * simulated TVS: the servers the phone's ITL lists, reachable only when
 * their certificate after the change still equals that ITL record, whose
 * store is the cluster's certificates after the change.
 *
 * The cluster may also be read from the nodes' running ctl-providers
 * (plan_providers.c: GET_INFO, GET_CTL, GET_ITL) into the same model; no
 * key crosses the wire, and a certificate whose key the planner lacks is
 * re-keyed for the simulation (plan_standin.c), which changes no decision.
 *
 * plan_cluster.c reads and changes the cluster, plan_sim.c serves the
 * files and boots the phones, plan_steps.c knows the changes and the safe
 * orders to try, cmd_plan.c is the command.
 */
#ifndef PV_PLAN_H
#define PV_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <ctl/sbd.h>

#include "trust.h"

#define PLAN_MAX_NODES 8
#define PLAN_MAX_PEERS 8
#define PLAN_MAX_EXTRA 8

/* A certificate and, when the planner can sign with it, its key. */
struct plan_cert {
	X509 *cert;        /* NULL: not configured */
	EVP_PKEY *key;     /* NULL: not readable (a token key, or not configured) */
	char key_path[512];
};

struct plan_node {
	char host[128];
	uint8_t ipv4[4];
	int has_ip;
	enum ctl_itl_layout layout;
	enum ctl_tokenless_signer ctl_signer; /* ctl_layout 12x: ITLRecovery, 10x: CallManager */
	enum ctl_digest digest;
	int mixed;
	int no_itl;        /* the node serves no ITL (node.conf itl = no; GET_ITL none) */
	struct plan_cert ccm, tvs, rec, capf;
	struct {
		char dns[128];
		uint8_t ipv4[4];
		X509 *cert;
		int node;      /* the cluster node whose TVS it is (by certificate), or -1 */
	} peer[PLAN_MAX_PEERS];
	size_t npeers;
};

/* Certificates an administrator added to a cluster's TVS (e.g. another cluster's). */
struct plan_extra {
	X509 *cert;
	uint8_t roles[4];
	size_t nroles;
};

struct plan_cluster {
	struct plan_node node[PLAN_MAX_NODES];
	size_t n;
	struct plan_extra extra[PLAN_MAX_EXTRA];
	size_t nextra;
};

/* Reads one node.conf into c (appended). 0, or -1 with why. */
CTL_MUST_USE int plan_cluster_add(struct plan_cluster *c, const char *conf, char *why, size_t cap);
/* After the last plan_cluster_add: links each tvs_peer to its node. */
void plan_cluster_link(struct plan_cluster *c);
/* A copy sharing src's certificates and keys (each referenced once more). */
void plan_cluster_copy(struct plan_cluster *dst, const struct plan_cluster *src);
void plan_cluster_free(struct plan_cluster *c);
/* Node index of spec: a 1-based number or a host name; -1 when none. */
int plan_cluster_node(const struct plan_cluster *c, const char *spec);
/* Replaces *pc with a new certificate: same subject, new RSA-2048 key and serial. 0 or -1. */
CTL_MUST_USE int plan_cert_regen(struct plan_cert *pc, char *why, size_t cap);

/* ---- a cluster read from its providers (plan_providers.c) --------------------- */

struct plan_prov_opts {
	const char *targets[PLAN_MAX_NODES];       /* HOST[:PORT], the publisher first */
	size_t ntargets;
	const char *fingerprints[PLAN_MAX_NODES];  /* [HOST[:PORT]=]SHA256 */
	size_t nfingerprints;
	const char *user, *password_file;
	unsigned timeout;                           /* seconds: the connection and each request */
	int accept_new;
};
/*
 * Reads each node from its ctl-provider into c (appended, then linked):
 * the server's identity checked as ctl-client checks it (known_hosts,
 * --fingerprint, --accept-new) before the login, then GET_INFO (host name,
 * IPv4, mode, CallManager, TVS and CAPF certificates), GET_CTL (who signs
 * the CTL) and GET_ITL (layout, ITLRecovery, digest, TVS peers). A node
 * that serves no ITL is said on stderr and planned as serving none. No
 * keys: see plan_standins_make. Exit status (PV_EXIT_*), the error printed.
 */
CTL_MUST_USE int plan_cluster_from_providers(struct plan_cluster *c, const struct plan_prov_opts *o);

/* ---- stand-in keys (plan_standin.c) ---------------------------------------------- */

#define PLAN_MAX_STANDINS (4 * PLAN_MAX_NODES)

struct plan_standin {
	X509 *real, *stand;     /* the certificate, and it with the stand-in's modulus */
	EVP_PKEY *key;          /* the stand-in key */
	uint8_t *mod_real, *mod_stand;
	size_t len;             /* of either modulus */
};
struct plan_standins {
	struct plan_standin e[PLAN_MAX_STANDINS];
	size_t n;
};
/*
 * Gives every CallManager and ITLRecovery certificate of c without a key a
 * stand-in key: a new RSA key of the same size whose modulus replaces the
 * certificate's (in c, and through plan_standins_list in the phones'
 * lists). 0, or -1 with why.
 */
CTL_MUST_USE int plan_standins_make(struct plan_standins *ss, struct plan_cluster *c, char *why, size_t cap);
/* *out: in with every stand-in's modulus in place of the real one (a new reference; NULL for NULL). 0 or -1. */
CTL_MUST_USE int plan_standins_list(const struct plan_standins *ss, struct pv_tl *in, struct pv_tl **out);
void plan_standins_free(struct plan_standins *ss);

/* ---- one simulated state of the world ---------------------------------------- */

enum plan_itl_mode {
	PLAN_ITL_NORMAL = 0,
	PLAN_ITL_RESET        /* `itl-reset localkey`: the reset ITL is served */
};

enum plan_ctl_mode {
	PLAN_CTL_NORMAL = 0,
	PLAN_CTL_LOCALKEY     /* `reset-localkey`: the CTL is signed by the publisher's CallManager */
};

struct plan_world {
	const struct plan_cluster *home;    /* the phones' cluster: its TVS answers them */
	const struct plan_cluster *serving; /* the cluster whose TFTP the phones boot from */
	enum plan_itl_mode itl;
	enum plan_ctl_mode ctl;
	/* The cluster as it was when ctl-client last signed the CTL (mixed-mode,
	 * update, reset-localkey): nodes keep serving that CTL until the next
	 * one. NULL: serving's present state. */
	const struct plan_cluster *ctl_src;
};

/* What one phone does in one world. */
enum plan_class {
	PLAN_DIRECT = 0,   /* takes every file on what it holds */
	PLAN_TVS,          /* takes them, one at least through TVS */
	PLAN_LOCKOUT,      /* refuses a file: Trust List Update Failed (or File Auth Fail) */
	PLAN__NCLASS
};
const char *plan_class_name(enum plan_class c);

struct plan_phone {
	char mac[13];
	struct pv_trust held;      /* what it holds (updated by plan_boot) */
	enum plan_class cls;
	char status[32];           /* as fleet --outcomes says it: updated, unchanged, update-failed... */
	char why[700];             /* the refusal, when locked out */
};

/* The files one node serves in a world (built once, shared by every phone). */
struct plan_files {
	uint8_t *ctl, *itl, *sgn;  /* ctl NULL: none served (non-secure) */
	size_t nctl, nitl, nsgn;
};

/* Builds what node (of w->serving) serves. 0, or -1 with why (a key the planner lacks). */
CTL_MUST_USE int plan_files_build(const struct plan_world *w, size_t node, struct plan_files *f,
                                  char *why, size_t cap);
void plan_files_free(struct plan_files *f);

/* The node of w->serving a phone boots from: the one its ITL names, else the first. */
size_t plan_phone_node(const struct plan_world *w, const struct plan_phone *ph);

/* Boots ph once against f in w (the rules of boot), updating ph->held, cls and status. */
void plan_boot(const struct plan_world *w, const struct plan_files *f, struct plan_phone *ph);

/* ---- changes and plans ---------------------------------------------------------- */

enum plan_step_kind {
	PLAN_S_REGEN_CCM = 0, PLAN_S_REGEN_TVS, PLAN_S_REGEN_REC, PLAN_S_MIXED, PLAN_S_MOVE,
	PLAN_S_TRUST_OTHER,    /* add the other cluster's CallManager and ITLRecovery to the home TVS */
	PLAN_S_ITL_RESET,      /* itl-reset localkey */
	PLAN_S_ITL_DONE,       /* itl-reset done: the normal ITL again */
	PLAN_S_CTL_LOCALKEY,   /* reset-localkey */
	PLAN_S_CTL_UPDATE,     /* update --tokenless: the CTL signed as usual again */
	PLAN_S_BOOT            /* the phones reset and boot */
};

struct plan_step {
	enum plan_step_kind kind;
	int node;              /* for the regenerations: the node, -1 for all */
};

#define PLAN_MAX_STEPS 12

struct plan_seq {
	struct plan_step step[PLAN_MAX_STEPS];
	size_t n;
};

struct plan_change {
	char spec[256];
	struct plan_seq direct;       /* the change as asked, then one boot */
	struct plan_seq safe[4];      /* orders to try, in turn, when phones would lock out */
	size_t nsafe;
	const struct plan_cluster *other; /* move: the new cluster */
};

/* Parses SPEC against c (other: the loaded cluster of move:, may be NULL). 0 or -1 with why. */
CTL_MUST_USE int plan_change_parse(const char *spec, const struct plan_cluster *c,
                                   const struct plan_cluster *other, struct plan_change *ch,
                                   char *why, size_t cap);

/* The result of running a sequence over the phones. */
struct plan_result {
	size_t count[PLAN__NCLASS];
	int locked_any;          /* some phone locked out at some step */
};

/*
 * Runs seq from c's present state over phones (their held lists are
 * copied, never changed): each BOOT step boots every phone; a phone's
 * class is the worst it met. 0, or -1 with why.
 */
CTL_MUST_USE int plan_run(const struct plan_cluster *c, const struct plan_change *ch,
                          const struct plan_seq *seq, struct plan_phone *phones, size_t n,
                          struct plan_result *res, char *why, size_t cap);

/* One line of what an administrator does for step s ("regenerate the CallManager certificate on node1"). */
void plan_step_text(const struct plan_cluster *c, const struct plan_change *ch,
                    const struct plan_step *s, char *out, size_t cap);

#endif
