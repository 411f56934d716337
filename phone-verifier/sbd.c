/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SBD options of the commands that boot phones, and their wiring into
 * a run (sbd.h): the TVS client behind env->tvs, the TVS cache, the
 * encrypted-configuration steps (boot_enc.c).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/tvs.h>

#include "boot_enc.h"
#include "console.h"
#include "num.h"
#include "sbd.h"

void
pv_sbd_defaults(struct pv_sbd_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tvs_timeout_ms = PV_TVS_TIMEOUT_MS;
	snprintf(o->model, sizeof(o->model), "%s", "7975");
	o->form = PV_FORM_79XX;
	o->form_given = 0;
}

/*
 * The phone family a model belongs to: 79xx phones (the 7940 to 7975)
 * print the SECD console and say "Trust List Updated" on a first install;
 * every later family (78xx, 88xx, 99xx, 69xx, 89xx) prints the SECUREAPP
 * console and says "CTL and ITL installed" / "ITL installed".
 */
static enum pv_form
model_form(const char *model)
{
	return strncmp(model, "79", 2) == 0 ? PV_FORM_79XX : PV_FORM_88XX;
}

int
pv_sbd_opt(struct pv_sbd_opts *o, int c, const char *arg)
{
	unsigned long long v;
	size_t i, n;

	switch (c) {
	case PV_O_TVS:
		if (!pv_tvs_server_valid(arg)) {
			pv_fail(PV_EXIT_USAGE, "--tvs takes HOST, HOST:PORT or [IPV6]:PORT, not '%s'",
			        arg);
			return -1;
		}
		if (o->ntvs == PV_SBD_MAX_TVS) {
			pv_fail(PV_EXIT_USAGE, "--tvs: at most %d servers", PV_SBD_MAX_TVS);
			return -1;
		}
		o->tvs[o->ntvs++] = arg;
		return 1;
	case PV_O_TVS_TIMEOUT:
		if (ctl_parse_uint(arg, 1, 600000, &v) != CTL_OK) {
			pv_fail(PV_EXIT_USAGE, "--tvs-timeout takes 1..600000 ms, not '%s'", arg);
			return -1;
		}
		o->tvs_timeout_ms = (unsigned)v;
		return 1;
	case PV_O_PHONE_CERT: o->phone_cert = arg; return 1;
	case PV_O_PHONE_KEY: o->phone_key = arg; return 1;
	case PV_O_ENCRYPTED: o->encrypted = 1; return 1;
	case PV_O_MODEL:
		/* The device name takes 4 digits (doc/sbd.md). */
		n = strlen(arg);
		for (i = 0; i < n && arg[i] >= '0' && arg[i] <= '9'; i++)
			;
		if (n != 4 || i != n) {
			pv_fail(PV_EXIT_USAGE, "--model takes 4 digits (e.g. 8861), not '%s'", arg);
			return -1;
		}
		snprintf(o->model, sizeof(o->model), "%s", arg);
		if (!o->form_given)
			o->form = model_form(o->model);
		return 1;
	case PV_O_CONSOLE:
		o->form_given = 1;
		if (strcmp(arg, "79xx") == 0)
			o->form = PV_FORM_79XX;
		else if (strcmp(arg, "88xx") == 0)
			o->form = PV_FORM_88XX;
		else {
			pv_fail(PV_EXIT_USAGE, "--console takes 79xx or 88xx, not '%s'", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

/* env->tvs: the phone's device name, then the client (every step a console line). */
static enum ctl_err
sbd_tvs(void *arg, struct pv_phone *ph, const struct pv_tvs_query *q, struct pv_tvs_answer *a,
        char *why, size_t cap)
{
	struct pv_sbd *s = arg;
	char device[64];

	if (ctl_tvs_device_name(s->opts.model, ph->mac, device, sizeof(device)) != CTL_OK) {
		snprintf(why, cap, "cannot name the device (model %s)", s->opts.model);
		return CTL_E_INVAL;
	}
	return pv_tvs_client_query(s->client, &ph->trust, device, q, a, pv_phone_tvs_event, ph,
	                           why, cap);
}

int
pv_sbd_setup(struct pv_sbd *s, const struct pv_sbd_opts *o, struct pv_env *e, char *why,
             size_t cap)
{
	struct pv_tvs_client_cfg cc;
	struct ctl_diag d;
	char buf[600];

	memset(s, 0, sizeof(*s));
	s->opts = *o;
	if ((o->phone_cert == NULL) != (o->phone_key == NULL)) {
		snprintf(why, cap, "--phone-cert and --phone-key go together");
		return PV_EXIT_USAGE;
	}
	if (o->encrypted && o->phone_key == NULL) {
		snprintf(why, cap, "--encrypted needs --phone-cert and --phone-key");
		return PV_EXIT_USAGE;
	}
	if (o->phone_cert != NULL &&
	    (ctl_cert_load(o->phone_cert, &s->cert, &d) != CTL_OK ||
	     ctl_key_load(o->phone_key, &s->key, &d) != CTL_OK)) {
		snprintf(why, cap, "%s", ctl_diag_str(&d, buf, sizeof(buf)));
		return PV_EXIT_USAGE;
	}
	memset(&cc, 0, sizeof(cc));
	cc.servers = o->tvs;
	cc.nservers = o->ntvs;
	cc.cert = s->cert;
	cc.key = s->key;
	cc.timeout_ms = o->tvs_timeout_ms;
	if (pv_tvs_client_new(&cc, &s->client, why, cap) != CTL_OK)
		return PV_EXIT_USAGE;
	if (pv_tvs_cache_new(&s->cache) != CTL_OK) {
		snprintf(why, cap, "out of memory");
		return PV_EXIT_INTERNAL;
	}
	/* The family speaks: an 88xx-family phone's first install says what it installed. */
	e->sbd = o->form == PV_FORM_88XX;
	e->form = o->form;
	snprintf(e->model, sizeof(e->model), "%s", o->model);
	e->tvs = sbd_tvs;
	e->tvs_arg = s;
	e->tvs_cache = s->cache;
	e->phone_cert = s->cert;
	e->phone_key = s->key;
	if (o->encrypted) {
		e->enc_got = pv_enc_got;
		e->enc_companion = pv_enc_companion;
	}
	return PV_EXIT_OK;
}

void
pv_sbd_cleanup(struct pv_sbd *s)
{
	pv_tvs_client_free(s->client);
	pv_tvs_cache_free(s->cache);
	X509_free(s->cert);
	EVP_PKEY_free(s->key);
	memset(s, 0, sizeof(*s));
}
