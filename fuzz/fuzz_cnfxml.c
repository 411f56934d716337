/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: a phone's configuration file SEP<MAC>.cnf.xml as
 * phone-verifier/cnfxml.c reads it before registering. Whatever it accepts
 * keeps the promises of cnfxml.h: mode 0..3, at most PV_CNF_MAX_CCM
 * CallManagers in priority order, each with a host name and a TLS port in
 * 1..65535; a refusal leaves nothing behind; the same bytes read the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cnfxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pv_cnf a, b;
	struct ctl_diag d;
	enum ctl_err r = pv_cnf_parse(data, size, &a, &d);
	size_t k;

	if (pv_cnf_parse(data, size, &b, &d) != r || memcmp(&a, &b, sizeof(a)) != 0)
		__builtin_trap();
	if (r != CTL_OK) {
		if (a.mode != 0 || a.nccm != 0 || d.msg[0] == '\0' || d.offset > size)
			__builtin_trap();
		return 0;
	}
	if (a.mode < 0 || a.mode > 3 || a.nccm > PV_CNF_MAX_CCM)
		__builtin_trap();
	for (k = 0; k < a.nccm; k++) {
		unsigned port = pv_cnf_tls_port(&a, &a.ccm[k]);

		if (a.ccm[k].host[0] == '\0' || memchr(a.ccm[k].host, '\0', sizeof(a.ccm[k].host)) == NULL ||
		    port == 0 || port > 65535 || (k > 0 && a.ccm[k - 1].priority > a.ccm[k].priority))
			__builtin_trap();
	}
	return 0;
}
