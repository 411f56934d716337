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
 */
#ifndef PV_TRUST_H
#define PV_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/ctl.h>

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
	const char *trusted_by;  /* "CTL", "ITL", "itself" (TOFU), or NULL */
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
                                struct pv_decision *d, struct pv_tl **tl);

/*
 * Checks a signed configuration file (.sgn) against held. Returns CTL_OK
 * when its signer is a TFTP or CCM+TFTP record of the held CTL or ITL; d
 * says which (trusted_by, trusted_index) or why not, and *payload (when
 * not NULL) is set to the payload offset and length in p on success.
 */
CTL_MUST_USE enum ctl_err pv_config_check(const struct pv_trust *held, const uint8_t *p, size_t n,
                             struct pv_decision *d, size_t *payload_off, size_t *payload_len);

/* Whether held lists a certificate that can sign configuration files (TFTP, CCM+TFTP). */
int pv_trust_has_tftp(const struct pv_trust *held);

/* ---- state directory ---------------------------------------------------- */

/* Canonical names the phone stores its lists under (section 11). */
#define PV_CTL_NAME "CTLFile.tlv"
#define PV_ITL_NAME "ITLFile.tlv"

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
/* Removes DIR/CTLFile.tlv and DIR/ITLFile.tlv; *removed counts the files that existed. */
CTL_MUST_USE enum ctl_err pv_state_erase(const char *dir, unsigned *removed, struct ctl_diag *d);

/* ---- comparison ----------------------------------------------------------- */

/* Whether two records describe the same entry: same role and certificate
 * (or, without certificates, the same record bytes). */
int pv_record_same(const struct ctl_record *a, const struct ctl_record *b);
/* Index of a record of f equal to r (pv_record_same), or -1. */
int pv_record_find(const struct ctl_file *f, const struct ctl_record *r);

#endif
