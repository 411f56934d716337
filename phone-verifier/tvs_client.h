/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The phone's TVS client (doc/sbd.md, "Phone"): one QUERY per TLS
 * connection to each TVS server in turn, until one answers. A server is
 * believed only when its TLS certificate equals (DER) a TVS (21) record of
 * the held ITL; otherwise it is refused and the next one tried. Every
 * server gets a bounded time for the whole exchange. Messages are built
 * and parsed by libctl (<ctl/tvs.h>); nothing here prints: each step is
 * reported to the caller's event function.
 */
#ifndef PV_TVS_CLIENT_H
#define PV_TVS_CLIENT_H

#include <stddef.h>

#include <openssl/types.h>

#include <ctl/err.h>

#include "trust.h"

#define PV_TVS_TIMEOUT_MS 3000u
#define PV_TVS_MAX_SERVERS 8

/* What the client reports, in order, for one server. */
enum pv_tvs_ev {
	PV_TVS_EV_CONNECT = 0,  /* connecting; detail: "IPv4" or "IPv6" */
	PV_TVS_EV_CERT_OK,      /* TLS up; detail: the ITL record that matched ("record 3") */
	PV_TVS_EV_REFUSED,      /* TLS certificate in no TVS record of the ITL: server skipped */
	PV_TVS_EV_FAILED,       /* connect, TLS, deadline or reply failed; detail says which */
	PV_TVS_EV_QUERY,        /* the QUERY was sent */
	PV_TVS_EV_ANSWER        /* the reply parsed; detail: "status 0" or "status 1" */
};

/* host: the address as given or listed ("127.0.0.1"); port its port. */
typedef void pv_tvs_event_fn(void *arg, enum pv_tvs_ev ev, const char *host, unsigned port,
                             const char *detail);

struct pv_tvs_client_cfg {
	const char *const *servers;  /* "HOST:PORT" or "HOST" (port 2445); NULL: the held ITL's TVS records */
	size_t nservers;
	X509 *cert;                  /* the phone's certificate presented to TVS (borrowed; may be NULL) */
	EVP_PKEY *key;               /* its key (borrowed) */
	unsigned timeout_ms;         /* per server; 0: PV_TVS_TIMEOUT_MS */
};

struct pv_tvs_client;

/* Whether spec is a server the client can use: "HOST", "HOST:PORT" or "[IPV6]:PORT" (port 1..65535). */
int pv_tvs_server_valid(const char *spec);

/*
 * Copies cfg; the TLS context is made once. Ignores SIGPIPE for the
 * process (a server that resets the connection fails its write, it does not
 * end the run). why (cap) says what failed.
 */
CTL_MUST_USE enum ctl_err pv_tvs_client_new(const struct pv_tvs_client_cfg *cfg,
                                            struct pv_tvs_client **out, char *why, size_t cap);
void pv_tvs_client_free(struct pv_tvs_client *c);

/*
 * Asks each server in turn (the configured ones, else the held ITL's TVS
 * records at port 2445) for the certificate q names, as device
 * ("CP-8861-SEP0011215A1AE3"); the first server
 * that answers decides. Returns as pv_tvs_ops.query does: CTL_OK with a
 * filled (a->cert to X509_free()), CTL_E_NOT_TRUSTED for "unknown", another
 * error when no server answered. ev (may be NULL) sees every step.
 */
CTL_MUST_USE enum ctl_err pv_tvs_client_query(struct pv_tvs_client *c, const struct pv_trust *held,
                                              const char *device, const struct pv_tvs_query *q,
                                              struct pv_tvs_answer *a,
                                              pv_tvs_event_fn *ev, void *ev_arg, char *why, size_t cap);

#endif
