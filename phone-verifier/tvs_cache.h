/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's TVS cache: certificates a TVS server vouched for, kept until
 * their TTL runs out (the 88xx logs "TVS added cert to TVS cache - expires
 * in 24 hours") and looked up before any connection. boot keeps it in the
 * state directory as tvs-cache (written atomically); a fleet shares one
 * in-memory copy for the run. Keyed by issuer and serial, as QUERY asks.
 */
#ifndef PV_TVS_CACHE_H
#define PV_TVS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/err.h>

#include "trust.h"

#define PV_TVS_CACHE_MAX 256   /* entries; the oldest expiry goes first when full */

struct pv_tvs_cache;

CTL_MUST_USE enum ctl_err pv_tvs_cache_new(struct pv_tvs_cache **out);
void pv_tvs_cache_free(struct pv_tvs_cache *c);
size_t pv_tvs_cache_count(const struct pv_tvs_cache *c);

/*
 * Reads DIR/tvs-cache into c (entries expired at now are dropped). A
 * missing file is an empty cache; a damaged one is CTL_E_INVAL with d
 * naming the file and line (c then holds the lines before it).
 */
CTL_MUST_USE enum ctl_err pv_tvs_cache_load(struct pv_tvs_cache *c, const char *dir, uint64_t now,
                                            struct ctl_diag *d);
/* The same from n bytes of text (where names them in d); for the loader and the fuzz target. */
CTL_MUST_USE enum ctl_err pv_tvs_cache_parse(struct pv_tvs_cache *c, const uint8_t *p, size_t n,
                                             const char *where, uint64_t now, struct ctl_diag *d);
/* The file's text for the entries still valid at now; *out: free(). */
CTL_MUST_USE enum ctl_err pv_tvs_cache_format(const struct pv_tvs_cache *c, uint64_t now,
                                              uint8_t **out, size_t *len);
/* Writes the entries still valid at now to DIR/tvs-cache, atomically. */
CTL_MUST_USE enum ctl_err pv_tvs_cache_save(const struct pv_tvs_cache *c, const char *dir, uint64_t now,
                                            struct ctl_diag *d);

/*
 * Looks up issuer + serial at now. 1 when found: a receives a new
 * reference to the certificate, the roles, ttl = the seconds left and
 * cached = 1. 0 when absent or expired.
 */
int pv_tvs_cache_find(struct pv_tvs_cache *c, const char *issuer, const uint8_t *serial,
                      size_t serial_len, uint64_t now, struct pv_tvs_answer *a);
/* Stores a's certificate and roles under issuer + serial until now + a->ttl (a 0 TTL is not stored). */
CTL_MUST_USE enum ctl_err pv_tvs_cache_put(struct pv_tvs_cache *c, const char *issuer, const uint8_t *serial,
                                           size_t serial_len, const struct pv_tvs_answer *a, uint64_t now);

#endif
