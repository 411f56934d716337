/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Security By Default: what a node's ITLFile.tlv and a tokenless
 * CTLFile.tlv contain, by CUCM layout (doc/sbd.md). One place decides the
 * records and the signer, so the node (ctl-provider), the planner
 * (phone-verifier plan) and the tests build the same files.
 */
#ifndef CTL_SBD_H
#define CTL_SBD_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include <ctl/ctl.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ctl_itl_layout {
	CTL_ITL_12X = 0,  /* 12.0+: ITLRecovery signs; SAST = ITLRecovery and CallManager */
	CTL_ITL_8X = 1    /* 8.0-11.5: CallManager signs; SAST = CallManager (and ITLRecovery when given) */
};

/* A certificate with the host it belongs to (dns and ipv4 may be NULL). */
struct ctl_sbd_cert {
	X509 *cert;            /* borrowed */
	const char *dns;
	const uint8_t *ipv4;   /* 4 bytes */
};

/* Everything one TFTP node's ITL is made of. Pointers are borrowed. */
struct ctl_itl_spec {
	enum ctl_itl_layout layout;
	int mixed;                      /* cluster in mixed mode: CallManager role CCM+TFTP, else TFTP */
	struct ctl_sbd_cert callmanager;   /* this node's CallManager certificate (required) */
	struct ctl_sbd_cert itlrecovery;   /* required for 12X; optional for 8X */
	const struct ctl_sbd_cert *tvs;    /* the TVS certificate of every node */
	size_t ntvs;
	const struct ctl_sbd_cert *capf;   /* NULL when CAPF is not active */
	int rollback;                   /* "rollback to pre-8.0": certificate-less records (doc/sbd.md) */
	enum ctl_digest digest;         /* 0: SHA-1, as CUCM signs by default */
	uint32_t timestamp;             /* 0: now */
};

/*
 * Adds the ITL records of spec to a new builder, the signer first.
 * 12X: SAST ITLRecovery, SAST CallManager, TFTP or CCM+TFTP CallManager,
 * TVS of each node, CAPF. 8X: SAST CallManager, TFTP or CCM+TFTP
 * CallManager, SAST ITLRecovery when given, TVS of each node, CAPF.
 * With rollback the TFTP/CCM+TFTP and TVS records carry no certificate
 * fields (DNSNAME, FUNCTION, IPADDRESS; DNSNAME is the IPv4 address as
 * text when dns is NULL), and a TVS entry's cert may be NULL.
 * *out: free with ctl_builder_free().
 */
CTL_MUST_USE enum ctl_err ctl_itl_builder(const struct ctl_itl_spec *spec, struct ctl_builder **out,
                                          struct ctl_diag *diag);
/*
 * The reset ITL of `utils itl reset`: only the signer's certificate, as
 * SAST. A phone that installs it holds no TFTP, CCM+TFTP or TVS record
 * and takes the next ITL as on first contact (doc/sbd.md, inferred).
 */
CTL_MUST_USE enum ctl_err ctl_itl_reset_builder(X509 *signer_cert, struct ctl_builder **out,
                                                struct ctl_diag *diag);

/* Phones cannot load an ITL larger than this (CUCM security guide). */
#define CTL_ITL_PHONE_MAX 65536u

enum ctl_tokenless_signer {
	CTL_TL_SIGN_RECOVERY = 0,   /* 12.x: ITLRecovery signs, CallManager is the second SAST */
	CTL_TL_SIGN_CALLMANAGER = 1 /* 10.x-11.x, and `reset localkey` */
};

/* One node of the cluster as the tokenless CTL lists it. */
struct ctl_tokenless_node {
	struct ctl_sbd_cert callmanager;   /* CCM+TFTP */
	const struct ctl_sbd_cert *capf;   /* NULL: none on this node */
	const struct ctl_sbd_cert *tvs;    /* NULL: not listed (the CTL need not hold TVS) */
};

struct ctl_tokenless_spec {
	const struct ctl_tokenless_node *nodes;   /* nodes[0] is the publisher */
	size_t nnodes;
	struct ctl_sbd_cert itlrecovery;          /* the cluster's ITLRecovery */
	const struct ctl_sbd_cert *tokens;        /* extra SAST records (add-token); may be NULL */
	size_t ntokens;
	int non_secure;                           /* non-secure: certificate-less CCM+TFTP records */
	enum ctl_digest digest;                   /* 0: SHA-1 */
	uint32_t timestamp;                       /* 0: now */
};

/*
 * Adds the records of a tokenless CTL: SAST ITLRecovery, SAST publisher
 * CallManager, then per node CCM+TFTP (certificate-less when non_secure,
 * and then a node's cert other than the publisher's may be NULL), CAPF
 * and TVS when given, then the tokens as SAST. The same records whichever
 * key signs (enum ctl_tokenless_signer is the caller's choice of signer).
 * itlrecovery.cert NULL: no ITLRecovery record. Free with
 * ctl_builder_free().
 */
CTL_MUST_USE enum ctl_err ctl_tokenless_builder(const struct ctl_tokenless_spec *spec,
                                                struct ctl_builder **out, struct ctl_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
