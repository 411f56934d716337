/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier trust rules and state directory (format section 11): pure
 * functions over libctl, no network and no printing, so the Check suite
 * (tests/unit/phone-verifier/test_trust.c) drives them on files it builds itself.
 *
 * A phone holds at most one CTL and one ITL. A received file is judged
 * against what is held:
 *   - nothing held: trust on first use, if the file's own signature
 *     verifies against its own SAST record (an unsigned, malformed or
 *     unverifiable file is refused even on first contact);
 *   - a CTL: accepted only when signed by a SAST record of the held CTL;
 *   - an ITL: accepted when signed by a SAST record of the held ITL, or by
 *     a SAST, CCM+TFTP or TFTP record of the held CTL (the TFTP node's
 *     CallManager certificate signs ITLs and is listed as CCM+TFTP in the
 *     CTL, section 9);
 *   - the same bytes as held: nothing to do.
 * A signed configuration file (.sgn) must be signed by a TFTP or CCM+TFTP
 * record of the held CTL, else of the held ITL (section 10.4).
 *
 * Security By Default (doc/sbd.md) adds, in this order after the held lists:
 *   - an ITL is also accepted when signed by a TFTP or CCM+TFTP record of
 *     the held ITL (the CallManager certificate that signs 8.x ITLs);
 *   - else a TVS server vouches: the caller's pv_tvs_ops answers a QUERY
 *     with the file's signer name, issuer (CANAME) and serial; the answer's
 *     roles must hold SAST, CCM+TFTP or TFTP (for a .sgn: CCM+TFTP or
 *     TFTP) and the file's signature must verify with the certificate
 *     returned (trusted_by "TVS");
 *   - a held reset ITL (no TFTP, CCM+TFTP or TVS record: what `itl-reset`
 *     serves) makes the next ITL first contact, unless a held CTL vouches.
 * The rules never reach the network themselves: TVS is a callback (boot
 * uses tvs_client.c, the planner a simulated TVS), NULL meaning none.
 */
#ifndef PV_TRUST_H
#define PV_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <ctl/ctl.h>
#include <ctl/encsgn.h>

/* A trust list as held or received: parsed bytes and their checksums.
 * Immutable once made; reference counted so a fleet shares one copy. */
struct pv_tl {
	unsigned refs;
	struct ctl_file *f;
	struct ctl_sums sums;
};

/* Parses p (copied). *out has one reference; release with pv_tl_unref(). */
CTL_MUST_USE enum ctl_err pv_tl_new(const uint8_t *p, size_t n, struct pv_tl **out, struct ctl_diag *d);
struct pv_tl *pv_tl_ref(struct pv_tl *tl);
/* Drops a reference; frees at zero. NULL is a no-op. */
void pv_tl_unref(struct pv_tl *tl);
/* The file's bytes (lent by tl). */
const uint8_t *pv_tl_bytes(const struct pv_tl *tl, size_t *len);

/* What one phone holds. Each pointer owns one reference (or is NULL). */
struct pv_trust {
	struct pv_tl *ctl;
	struct pv_tl *itl;
};

void pv_trust_init(struct pv_trust *t);
void pv_trust_cleanup(struct pv_trust *t);
/* The held list of kind (CTL or ITL), NULL when none. */
struct pv_tl *pv_trust_get(const struct pv_trust *t, enum ctl_kind kind);
/* Replaces the held list of kind, taking over the caller's reference to tl (tl may be NULL). */
void pv_trust_set(struct pv_trust *t, enum ctl_kind kind, struct pv_tl *tl);

/* ---- TVS ---------------------------------------------------------------- */

/* What a QUERY asks for: the signer fields of the file's header. */
struct pv_tvs_query {
	enum ctl_kind kind;        /* the file judged: CTL_KIND_CTL, _ITL or _SGN */
	const char *subject;       /* signer name, NUL-terminated text ("" when absent) */
	const char *issuer;        /* CANAME, NUL-terminated text */
	const uint8_t *serial;     /* raw serial bytes */
	size_t serial_len;
};

#define PV_TVS_MAX_ROLES 16

/* A TVS answer (status 0). */
struct pv_tvs_answer {
	X509 *cert;                /* the certificate returned; the caller X509_free()s it */
	uint8_t roles[PV_TVS_MAX_ROLES];
	size_t nroles;
	uint32_t ttl;              /* seconds, as the server sent it */
	int cached;                /* answered from the phone's TVS cache */
	char server[96];           /* "HOST:PORT" that answered ("" from the cache) */
};

/*
 * The phone's way to a TVS. query returns CTL_OK with a filled (a->cert
 * set) when a server knows the certificate; CTL_E_NOT_TRUSTED when the
 * server answered "unknown" (status 1); any other error when no server
 * could be asked (none listed, refused TLS certificate, timeout); why
 * (cap bytes) says what happened in one line. held is what the phone holds
 * (its ITL's TVS records name and authenticate the servers).
 */
struct pv_tvs_ops {
	enum ctl_err (*query)(void *arg, const struct pv_trust *held, const struct pv_tvs_query *q,
	                      struct pv_tvs_answer *a, char *why, size_t cap);
	void *arg;
};

/* Whether role is acceptable in a TVS answer for a file of kind (SAST, CCM+TFTP, TFTP; .sgn: CCM+TFTP, TFTP). */
int pv_tvs_role_ok(enum ctl_kind kind, uint16_t role);

/* What a decision learnt from TVS (asked == 0: TVS was not needed or not available). */
struct pv_tvs_fact {
	int asked;                 /* the callback was called */
	enum ctl_err err;          /* its result */
	int vouched;               /* roles acceptable and the signature verified with the cert */
	int cached;
	uint32_t ttl;
	uint8_t roles[PV_TVS_MAX_ROLES];
	size_t nroles;
	char server[96];
	char why[256];             /* the callback's one line */
};

enum pv_verdict {
	PV_V_TOFU = 0,   /* nothing held and the file verifies: install it */
	PV_V_INSTALL,    /* signed by a signer the held lists trust: install it */
	PV_V_UNCHANGED,  /* byte-identical to the held file: nothing to do */
	PV_V_UNTRUSTED,  /* valid file, signer not trusted: keep the held one */
	PV_V_INVALID,    /* malformed, wrong kind, or its signature does not verify */
	PV_V__COUNT
};

/* Static name ("tofu", "install", ...); never NULL. */
const char *pv_verdict_name(enum pv_verdict v);

struct pv_decision {
	enum pv_verdict v;
	enum ctl_err err;        /* libctl code behind an INVALID/UNTRUSTED verdict */
	uint16_t header_len;     /* header length when the header parsed, else 0 */
	int parsed;              /* the file parsed and is of the expected kind */
	int signer_index;        /* 0-based record of the signer in the file (or the list, for .sgn) */
	int trusted_index;       /* 0-based record of the trusting list, -1 when none */
	const char *trusted_by;  /* "CTL", "ITL", "TVS", "itself" (TOFU), or NULL */
	int reset_itl;           /* TOFU because the held ITL is a reset ITL */
	struct pv_tvs_fact tvs;
	char reason[640];        /* one line, no newline */
};

/*
 * Judges n bytes received for kind (CTL_KIND_CTL or CTL_KIND_ITL) against
 * held. v (a key cache) may be NULL. For TOFU and INSTALL, *tl (when tl is
 * not NULL) receives the parsed list with one reference; otherwise *tl is
 * set to NULL. Returns d->v.
 */
enum pv_verdict pv_trust_decide(const struct pv_trust *held, enum ctl_kind kind,
                                const uint8_t *p, size_t n, struct ctl_verifier *v,
                                const struct pv_tvs_ops *tvs,
                                struct pv_decision *d, struct pv_tl **tl);

/*
 * Checks a signed configuration file (.sgn) against held. Returns CTL_OK
 * when its signer is a TFTP or CCM+TFTP record of the held CTL or ITL, or
 * one tvs vouches for (tvs may be NULL); d says which (trusted_by,
 * trusted_index, tvs) or why not, and *payload (when not NULL) is set to
 * the payload offset and length in p on success.
 */
CTL_MUST_USE enum ctl_err pv_config_check(const struct pv_trust *held, const struct pv_tvs_ops *tvs,
                             const uint8_t *p, size_t n, struct pv_decision *d,
                             size_t *payload_off, size_t *payload_len);
/* The same, the signer's key kept in v (may be NULL) as pv_trust_decide does:
 * a fleet checks every phone's .sgn without rebuilding the CallManager key. */
CTL_MUST_USE enum ctl_err pv_config_check_v(const struct pv_trust *held, struct ctl_verifier *v,
                                            const struct pv_tvs_ops *tvs, const uint8_t *p, size_t n,
                                            struct pv_decision *d, size_t *payload_off,
                                            size_t *payload_len);

/*
 * Checks an encrypted configuration file's signature: the signer (serial
 * and issuer of its header) must be a TFTP or CCM+TFTP record of the held
 * CTL, else ITL, else vouched for by tvs, and ctl_encsgn_verify() must
 * accept it with that certificate. CTL_OK or the reason in d.
 */
CTL_MUST_USE enum ctl_err pv_encsgn_check(const struct pv_trust *held, const struct pv_tvs_ops *tvs,
                             const struct ctl_encsgn *e, struct pv_decision *d);

/* Checks a file's signature with cert (a list or .sgn: a struct ctl_file; an .enc.sgn: a struct ctl_encsgn). */
typedef enum ctl_err pv_sig_check_fn(const void *obj, X509 *cert);

/*
 * The TVS step of the rules, for callers that judge a file of their own
 * (encrypted files, the planner): asks tvs (may be NULL: CTL_E_NOT_TRUSTED)
 * about the signer name/issuer/serial, and returns CTL_OK when the answer
 * has a role acceptable for kind and check(obj, certificate) passes.
 * d->tvs records the facts; *cert (when cert is not NULL) receives the
 * certificate on CTL_OK (X509_free()).
 */
CTL_MUST_USE enum ctl_err pv_tvs_vouch(const struct pv_trust *held, const struct pv_tvs_ops *tvs,
                                       enum ctl_kind kind, pv_sig_check_fn *check, const void *obj,
                                       struct ctl_bytes name, struct ctl_bytes issuer,
                                       struct ctl_bytes serial, struct pv_decision *d, X509 **cert);

/* Whether a and b hold the same bytes (constant time for equal lengths). */
int pv_bytes_eq(struct ctl_bytes a, struct ctl_bytes b);
/* Printable copy of a stored name into out (attacker-controlled bytes never reach a terminal
 * raw: escaped, cut at its NUL and to cap); "(no name)" when empty. */
const char *pv_name_text(struct ctl_bytes b, char *out, size_t cap);

/* Clears d (no signer, no trusting record). */
void pv_decision_init(struct pv_decision *d);
/* Sets verdict, error and reason (printf); returns v. */
enum pv_verdict pv_decision_set(struct pv_decision *d, enum pv_verdict v, enum ctl_err e,
                                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Whether itl is a reset ITL: no TFTP, CCM+TFTP or TVS record with a
 * certificate (doc/sbd.md): what `itl-reset` serves, and the rollback ITL,
 * whose TFTP and TVS records carry none.
 */
int pv_trust_itl_is_reset(const struct pv_tl *itl);

/* Whether held lists a certificate that can sign configuration files (TFTP, CCM+TFTP; a record
 * without a certificate, as in a rollback ITL or a non-secure CTL, is none). */
int pv_trust_has_tftp(const struct pv_trust *held);

/* ---- state directory ---------------------------------------------------- */

/* Canonical names the phone stores its lists under (section 11). */
#define PV_CTL_NAME "CTLFile.tlv"
#define PV_ITL_NAME "ITLFile.tlv"
/* The phone's TVS answers (tvs_cache.h). */
#define PV_TVS_CACHE_NAME "tvs-cache"

/*
 * Loads DIR/CTLFile.tlv and DIR/ITLFile.tlv into t (initialised by the
 * caller); a missing file is simply not held. A file that is present but
 * unreadable or malformed is an error (the phone's flash is damaged:
 * erase it), with d naming the file.
 */
CTL_MUST_USE enum ctl_err pv_state_load(const char *dir, struct pv_trust *t, struct ctl_diag *d);
/* Writes tl atomically as DIR/<canonical name of kind>, creating DIR (0755) if needed. */
CTL_MUST_USE enum ctl_err pv_state_store(const char *dir, enum ctl_kind kind, const struct pv_tl *tl,
                            struct ctl_diag *d);
/* Writes any bytes atomically as DIR/name, creating DIR if needed. */
CTL_MUST_USE enum ctl_err pv_state_write(const char *dir, const char *name, const uint8_t *p, size_t n,
                            struct ctl_diag *d);
/* mkdir -p DIR (0755; a fleet's root/SEP<MAC> included), d naming the folder it cannot make. */
CTL_MUST_USE enum ctl_err pv_state_make_dirs(const char *dir, struct ctl_diag *d);
/* Sets d to CTL_E_IO "WHAT PATH: strerror(errno)" and returns CTL_E_IO. */
CTL_MUST_USE enum ctl_err pv_io_fail(struct ctl_diag *d, const char *what, const char *path);
/* Removes DIR/CTLFile.tlv, DIR/ITLFile.tlv and DIR/tvs-cache; *removed counts the files that existed. */
CTL_MUST_USE enum ctl_err pv_state_erase(const char *dir, unsigned *removed, struct ctl_diag *d);

/* ---- comparison ----------------------------------------------------------- */

/* Whether two records describe the same entry: same role and certificate
 * (or, without certificates, the same record bytes). */
int pv_record_same(const struct ctl_record *a, const struct ctl_record *b);
/* Index of a record of f equal to r (pv_record_same), or -1. */
int pv_record_find(const struct ctl_file *f, const struct ctl_record *r);

#endif
