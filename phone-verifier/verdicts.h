/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fleet's shared verdicts: the trust rules (trust.h) are a pure function
 * of the file received, its kind and the lists a phone holds, so a fleet
 * judges each distinct (kind, bytes of the file, held CTL, held ITL)
 * once and hands the same decision to every phone in the same position.
 * A phone holding other lists gets its own decision. A decision that asked
 * TVS depends on the server and on the phone's TVS cache, not on the files
 * alone: it is never reused. The bytes are kept and compared on a hit, so
 * a reused decision is always one the phone's own code would have made
 * (tests/unit/phone-verifier/test_verdicts.c).
 *
 * Bounded: past PV_VERDICTS_MAX entries the table starts again empty.
 */
#ifndef PV_VERDICTS_H
#define PV_VERDICTS_H

#include <stddef.h>
#include <stdint.h>

#include "trust.h"

#define PV_VERDICTS_MAX 4096u

struct pv_verdicts;

CTL_MUST_USE enum ctl_err pv_verdicts_new(struct pv_verdicts **out);
void pv_verdicts_free(struct pv_verdicts *vc);

/*
 * pv_trust_decide(), answered from the table when the same file was
 * judged against the same held lists (the same TVS setting) before.
 * v (a key cache) and tvs are handed to pv_trust_decide() on a miss.
 */
enum pv_verdict pv_verdicts_decide(struct pv_verdicts *vc, const struct pv_trust *held,
                                   enum ctl_kind kind, const uint8_t *p, size_t n,
                                   struct ctl_verifier *v, const struct pv_tvs_ops *tvs,
                                   struct pv_decision *d, struct pv_tl **tl);

/* pv_config_check_v(), answered from the table in the same way (v on a miss). */
CTL_MUST_USE enum ctl_err pv_verdicts_config(struct pv_verdicts *vc, const struct pv_trust *held,
                                             struct ctl_verifier *v,
                                             const struct pv_tvs_ops *tvs, const uint8_t *p,
                                             size_t n, struct pv_decision *d,
                                             size_t *payload_off, size_t *payload_len);

/* Decisions answered from the table, and computed. */
void pv_verdicts_counts(const struct pv_verdicts *vc, uint64_t *hits, uint64_t *misses);

#endif
