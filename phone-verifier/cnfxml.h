/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a phone reads from its configuration file SEP<MAC>.cnf.xml before
 * it registers: deviceSecurityMode, deviceProtocol and the CallManager
 * group (devicePool/callManagerGroup/members/member/callManager:
 * processNodeName, ports/sipPort, securedSipPort, ethernetPhonePort), as
 * CUCM writes them. Not a general XML parser: a bounded scanner that
 * follows elements by name, decodes the five predefined entities and
 * character references, skips comments, processing instructions and
 * attributes it does not need, refuses DOCTYPE, and stops at the first
 * malformed byte with its offset.
 */
#ifndef PV_CNFXML_H
#define PV_CNFXML_H

#include <stddef.h>
#include <stdint.h>

#include <ctl/err.h>

#define PV_CNF_MAX_BYTES (1u << 20)  /* a CUCM configuration is tens of kilobytes */
#define PV_CNF_MAX_DEPTH 32
#define PV_CNF_MAX_NAME 64           /* element and attribute names */
#define PV_CNF_MAX_ATTR 1024         /* one attribute value */
#define PV_CNF_MAX_TEXT 255          /* the text of an element read */
#define PV_CNF_MAX_CCM 8             /* CallManagers kept (a CUCM group has at most 3) */

enum pv_cnf_proto { PV_CNF_PROTO_UNKNOWN = 0, PV_CNF_SIP, PV_CNF_SCCP };

struct pv_cnf_ccm {
	char host[PV_CNF_MAX_TEXT + 1];  /* processNodeName */
	unsigned priority;               /* the member's priority attribute (0 first) */
	unsigned sip_port;               /* ports/sipPort; 0: absent */
	unsigned secured_sip_port;       /* ports/securedSipPort */
	unsigned ethernet_port;          /* ports/ethernetPhonePort (SCCP) */
};

struct pv_cnf {
	int mode;                        /* deviceSecurityMode 1, 2, 3; 0: absent */
	enum pv_cnf_proto proto;         /* deviceProtocol */
	struct pv_cnf_ccm ccm[PV_CNF_MAX_CCM];
	size_t nccm;                     /* by priority, file order among equals */
};

/*
 * Reads p[0..n) into out. CTL_OK, or an error with d saying what and
 * where ("offset N: ..."): malformed markup, an unknown entity, a
 * DOCTYPE, nesting deeper than PV_CNF_MAX_DEPTH, a name, value or text
 * over its limit, a value out of range, an element given twice, a member
 * without processNodeName, more than PV_CNF_MAX_CCM CallManagers, a root
 * other than <device>.
 */
CTL_MUST_USE enum ctl_err pv_cnf_parse(const uint8_t *p, size_t n, struct pv_cnf *out,
                                       struct ctl_diag *d);

/*
 * The TLS port a phone of c's protocol connects to on m: SIP its
 * securedSipPort (default 5061); SCCP ethernetPhonePort + 443 (default
 * 2443, the CallManager's SCCP TLS port).
 */
unsigned pv_cnf_tls_port(const struct pv_cnf *c, const struct pv_cnf_ccm *m);

#endif
