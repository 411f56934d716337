/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boot --register (register_boot.h): the stored configuration read with
 * cnfxml.c, then register.c on its CallManagers, every line through the
 * phone's console.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnfxml.h"
#include "console.h"
#include "register_boot.h"

void
pv_boot_reg_defaults(struct pv_boot_reg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ms = PV_REG_INTERVAL_MS;
}

int
pv_boot_reg_opt(struct pv_boot_reg_opts *o, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case PV_O_REGISTER:
		o->on = 1;
		return 1;
	case PV_O_CCM:
		if (o->nccm == PV_REG_MAX_CCM) {
			pv_fail(PV_EXIT_USAGE, "--ccm: at most %d CallManagers", PV_REG_MAX_CCM);
			return -1;
		}
		if (!pv_reg_ccm_valid(arg)) {
			pv_fail(PV_EXIT_USAGE, "--ccm takes HOST:PORT or [IPV6]:PORT, not '%s'", arg);
			return -1;
		}
		o->ccm[o->nccm++] = arg;
		return 1;
	case PV_O_RETRY_INTERVAL:
		if (ctl_parse_uint(arg, 0, 600000, &v) != CTL_OK) {
			pv_fail(PV_EXIT_USAGE, "--retry-interval takes 0..600000 ms, not '%s'", arg);
			return -1;
		}
		o->interval_ms = (unsigned)v;
		return 1;
	default:
		return 0;
	}
}

/* A pv_reg_line_fn: the line as the phone's own (arg: the phone). */
static void
phone_line(void *arg, enum pv_level lv, const char *msg)
{
	pv_phone_line(arg, lv, "%s", msg);
}

static const char *
prefix(const struct pv_phone *ph)
{
	return ph->env->form == PV_FORM_88XX ? "SECUREAPP-" : "SECD: ccmRegister: ";
}

/* Reads and parses the stored configuration: PV_EXIT_OK, or a failure told on the console. */
static int
read_config(struct pv_phone *ph, struct pv_cnf *cnf, struct pv_boot_reg *r)
{
	char name[64], path[4200], buf[700];
	struct ctl_diag d;
	uint8_t *p = NULL;
	size_t n = 0;
	enum ctl_err e;

	pv_step_file(ph->mac, PV_S_CNF, name, sizeof(name));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", ph->dir, name) >= sizeof(path)) {
		snprintf(r->res.why, sizeof(r->res.why), "state directory path too long");
		return PV_EXIT_USAGE;
	}
	if (ctl_read_file(path, PV_CNF_MAX_BYTES, &p, &n, &d) != CTL_OK) {
		snprintf(r->res.why, sizeof(r->res.why), "no configuration to register with: %s",
		         ctl_diag_str(&d, buf, sizeof(buf)));
		pv_phone_line(ph, PV_LV_ERR, "%s%s", prefix(ph), r->res.why);
		return PV_EXIT_CONFIG;
	}
	e = pv_cnf_parse(p, n, cnf, &d);
	free(p);
	if (e != CTL_OK) {
		snprintf(r->res.why, sizeof(r->res.why), "%s: %s", name,
		         ctl_diag_str(&d, buf, sizeof(buf)));
		pv_phone_line(ph, PV_LV_ERR, "%s%s", prefix(ph), r->res.why);
		return PV_EXIT_CONFIG;
	}
	r->ran = 1;
	r->mode = cnf->mode;
	return PV_EXIT_OK;
}

int
pv_boot_register(struct pv_phone *ph, const struct pv_boot_reg_opts *o, X509 *cert,
                 EVP_PKEY *key, struct pv_boot_reg *r)
{
	char spec[PV_CNF_MAX_CCM][PV_CNF_MAX_TEXT + 16];
	const char *list[PV_REG_MAX_CCM];
	struct pv_reg_cfg cfg;
	struct pv_cnf cnf;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	r->res.exit = PV_EXIT_OK;
	if (ph->cause == PV_C_CONFIG_AUTH) {
		/* File Auth Fail: the phone does not use the configuration it refused. */
		snprintf(r->res.why, sizeof(r->res.why), "the configuration file was refused: no "
		         "registration");
		pv_phone_line(ph, PV_LV_ERR, "%s%s", prefix(ph), r->res.why);
		return r->res.exit = PV_EXIT_CONFIG;
	}
	if ((rc = read_config(ph, &cnf, r)) != PV_EXIT_OK)
		return r->res.exit = rc;
	if (cnf.mode < 2) {
		/* Absent counts as non-secure: the phone registers over TCP, nothing to check. */
		pv_phone_line(ph, PV_LV_NOT, "%sdeviceSecurityMode %d (non-secure): registering over "
		              "TCP, no TLS, no certificate checked", prefix(ph),
		              cnf.mode != 0 ? cnf.mode : 1);
		return PV_EXIT_OK;
	}
	memset(&cfg, 0, sizeof(cfg));
	for (i = 0; i < o->nccm; i++)
		list[i] = o->ccm[i];
	cfg.nccm = o->nccm;
	for (i = 0; o->nccm == 0 && i < cnf.nccm; i++) {
		const char *h = cnf.ccm[i].host;

		/* An IPv6 address takes brackets before its port. */
		snprintf(spec[i], sizeof(spec[i]), strchr(h, ':') != NULL && h[0] != '[' ?
		         "[%s]:%u" : "%s:%u", h, pv_cnf_tls_port(&cnf, &cnf.ccm[i]));
		list[cfg.nccm++] = spec[i];
	}
	if (cfg.nccm == 0) {
		snprintf(r->res.why, sizeof(r->res.why), "deviceSecurityMode %d but the configuration "
		         "lists no CallManager", cnf.mode);
		pv_phone_line(ph, PV_LV_ERR, "%s%s", prefix(ph), r->res.why);
		return r->res.exit = PV_EXIT_REG_FAILED;
	}
	cfg.state = ph->dir;
	cfg.ccm = list;
	cfg.cert = cert;
	cfg.key = key;
	cfg.interval_ms = o->interval_ms;
	cfg.mode = cnf.mode;
	cfg.form = ph->env->form;
	cfg.line = phone_line;
	cfg.line_arg = ph;
	r->checked = 1;
	return pv_register(&cfg, &r->res);
}
