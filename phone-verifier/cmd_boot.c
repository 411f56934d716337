/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier boot: one phone against a TFTP server. boot.c runs the
 * steps and reports events; this command prints them (console.c) or, with
 * --json, the result object, and maps the outcome to the exit status.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ctl/text.h>

#include "console.h"
#include "http_get.h"
#include "netopt.h"
#include "num.h"
#include "pv.h"
#include "register_boot.h"
#include "sbd.h"

enum { O_MAC = 400, O_STATE, O_JSON, O_HELP, O_VERBOSE };

static const char boot_usage[] =
	"usage: phone-verifier boot --mac MAC --tftp HOST[:PORT] [--state DIR] [options]\n"
	"Boots one phone: CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv (ITLFile.tlv when missing),\n"
	"SEP<MAC>.cnf.xml.sgn (SEP<MAC>.cnf.xml when missing), with the phone's trust rules.\n"
	"Prints console lines and status messages; the exit status tells the outcome.\n\n"
	"  --mac MAC           12 hex digits, e.g. 0011215A1AE3\n"
	"  --state DIR         the phone's flash: CTLFile.tlv, ITLFile.tlv, SEP<MAC>.cnf.xml\n"
	"                      (default: none kept, every boot starts empty)\n"
	PV_NET_HELP
	PV_HTTP_HELP
	PV_SBD_HELP
	PV_REG_HELP
	"  --json              print one JSON object instead of console lines\n"
	"  --verbose           also print ctl-suite's explanations (\"ctl-suite: ...\" lines:\n"
	"                      which held record vouched for a file, why one was refused)\n"
	"  --help              show this help\n";

static const struct option boot_opts[] = {
	{ "mac", required_argument, NULL, O_MAC }, { "state", required_argument, NULL, O_STATE },
	{ "json", no_argument, NULL, O_JSON }, { "help", no_argument, NULL, O_HELP },
	{ "verbose", no_argument, NULL, O_VERBOSE },
	PV_REG_OPTIONS,
	PV_NET_OPTIONS, PV_SBD_OPTIONS, PV_HTTP_OPTIONS, { NULL, 0, NULL, 0 },
};

struct boot_run {
	int done;
};

static void
boot_done(void *arg, struct pv_phone *ph)
{
	(void)ph;
	((struct boot_run *)arg)->done = 1;
}

/* The TVS facts of a boot: how often asked, vouched, answered from the cache; the last answer. */
static void
tvs_json(FILE *f, const struct pv_phone *ph)
{
	const struct pv_tvs_fact *t = &ph->tvs_last;
	size_t i;

	fprintf(f, ",\"tvs\":{\"asked\":%u,\"vouched\":%u,\"cached\":%u,\"server\":",
	        ph->tvs_asked, ph->tvs_vouched, ph->tvs_cached);
	ctl_json_fputs_or_null(f, ph->tvs_asked > 0 && t->server[0] != '\0' ? t->server : NULL);
	if (ph->tvs_asked > 0 && t->err == CTL_OK)
		fprintf(f, ",\"ttl\":%lu", (unsigned long)t->ttl);
	else
		fputs(",\"ttl\":null", f);
	fputs(",\"roles\":[", f);
	for (i = 0; ph->tvs_asked > 0 && i < t->nroles; i++)
		fprintf(f, "%s%u", i > 0 ? "," : "", t->roles[i]);
	fputs("],\"error\":", f);
	ctl_json_fputs_or_null(f, ph->tvs_asked > 0 && !t->vouched ? t->why : NULL);
	fputs("}", f);
}

/* The result object (doc/json.md, "phone-verifier boot"); reg: what --register did, or NULL. */
static void
boot_json(const struct pv_phone *ph, int rc, const struct pv_boot_reg *reg)
{
	FILE *f = stdout;

	fputs("{\"tool\":", f);
	ctl_json_fputs(f, PV_PROG);
	fputs(",\"version\":", f);
	ctl_json_fputs(f, CTL_VERSION_STRING);
	fputs(",\"mac\":", f);
	ctl_json_fputs(f, ph->mac);
	fputs(",\"status\":", f);
	ctl_json_fputs(f, pv_status_text(ph->status));
	fputs(",\"cause\":", f);
	ctl_json_fputs(f, pv_cause_name(ph->cause));
	fprintf(f, ",\"exit\":%d,\"ms\":%llu,\"ctl_md5\":", rc, (unsigned long long)ph->ms);
	ctl_json_fputs_or_null(f, ph->trust.ctl != NULL ? ph->trust.ctl->sums.md5 : NULL);
	fputs(",\"itl_md5\":", f);
	ctl_json_fputs_or_null(f, ph->trust.itl != NULL ? ph->trust.itl->sums.md5 : NULL);
	tvs_json(f, ph);
	if (reg != NULL && reg->ran) {
		fputs(",\"register\":{", f);
		pv_reg_json_fields(f, &reg->res, reg->mode);
		fputs("}", f);
	} else if (reg != NULL) {
		fputs(",\"register\":null", f);
	}
	fputs("}\n", f);
}

int
pv_cmd_boot(int argc, char **argv)
{
	struct pv_env_cfg cfg;
	struct pv_env env;
	struct pv_phone ph;
	struct pv_console con = { stdout, 0, 0, PV_FORM_79XX, 0 };
	struct pv_sbd_opts so;
	struct pv_sbd sbd;
	struct boot_run run = { 0 };
	struct pv_boot_reg_opts ro;
	struct pv_boot_reg reg;
	struct pv_http *http = NULL;
	unsigned http_port = 0;
	struct ctl_diag d;
	const char *mac = NULL, *state = NULL;
	char m[13], why[768];
	int c, json = pv_argv_json(argc, argv), rc, h;

	pv_json_errors(json);
	pv_net_defaults(&cfg);
	pv_sbd_defaults(&so);
	pv_boot_reg_defaults(&ro);
	memset(&reg, 0, sizeof(reg));
	memset(&sbd, 0, sizeof(sbd));
	while ((c = getopt_long(argc, argv, "", boot_opts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(boot_usage, stdout);
			return PV_EXIT_OK;
		}
		if ((h = pv_net_opt(&cfg, c, optarg)) < 0)
			return PV_EXIT_USAGE;
		if (h > 0)
			continue;
		if ((h = pv_sbd_opt(&so, c, optarg)) < 0)
			return PV_EXIT_USAGE;
		if (h > 0)
			continue;
		if ((h = pv_boot_reg_opt(&ro, c, optarg)) < 0)
			return PV_EXIT_USAGE;
		if (h > 0)
			continue;
		if ((h = pv_http_opt(&http_port, c, optarg)) < 0)
			return PV_EXIT_USAGE;
		if (h > 0)
			continue;
		switch (c) {
		case O_MAC: mac = optarg; break;
		case O_STATE: state = optarg; break;
		case O_JSON: json = 1; break;
		case O_VERBOSE: con.verbose = 1; break;
		default:
			fputs(boot_usage, stderr);
			/* getopt_long told stderr which option; JSON readers get an object too. */
			return json ? pv_fail(PV_EXIT_USAGE, "boot: bad option") : PV_EXIT_USAGE;
		}
	}
	if (optind != argc || mac == NULL || cfg.tftp == NULL) {
		pv_fail(PV_EXIT_USAGE, "boot needs --mac and --tftp");
		fputs(boot_usage, stderr);
		return PV_EXIT_USAGE;
	}
	if (pv_mac_parse(mac, m) != 0)
		return pv_fail(PV_EXIT_USAGE, "--mac takes 12 hex digits, not '%s'", mac);
	if (ro.on && state == NULL)
		return pv_fail(PV_EXIT_USAGE, "--register needs --state (the configuration and the "
		               "trust list are read from the phone's flash)");
	if (!ro.on && ro.nccm > 0)
		return pv_fail(PV_EXIT_USAGE, "--ccm goes with --register");
	if ((rc = pv_env_init(&env, &cfg, why, sizeof(why))) != PV_EXIT_OK)
		return pv_fail(rc, "%s", why);
	memset(&ph, 0, sizeof(ph));
	if ((rc = pv_sbd_setup(&sbd, &so, &env, why, sizeof(why))) != PV_EXIT_OK) {
		rc = pv_fail(rc, "%s", why);
		goto out;
	}
	con.form = so.form;
	/* After the SBD setup: the family it decided says whether HTTP comes first. */
	if ((rc = pv_http_setup(&env, http_port, pv_net_deadline_ms(&cfg), &http, why,
	                        sizeof(why))) != PV_EXIT_OK) {
		rc = pv_fail(rc, "%s", why);
		goto out;
	}
	if (!json) {
		env.event = pv_console_event;
		env.event_arg = &con;
	}
	/* The TVS cache lives with the lists; a damaged one is only a warning (it is a cache). */
	if (state != NULL && pv_tvs_cache_load(sbd.cache, state, (uint64_t)time(NULL), &d) != CTL_OK)
		pv_err("%s; starting with an empty TVS cache", ctl_diag_str(&d, why, sizeof(why)));
	env.done = boot_done;
	env.done_arg = &run;
	if (pv_phone_init(&ph, &env, m, state, &d) != 0) {
		rc = pv_fail(PV_EXIT_IO, "%s", ctl_diag_str(&d, why, sizeof(why)));
		goto out;
	}
	pv_phone_boot(&ph);
	while (!run.done)
		if (loop_run(env.loop) != 0)
			break;
	rc = run.done ? pv_phone_exit(&ph) : PV_EXIT_INTERNAL;
	/* After the configuration file the phone registers; the boot's own failure comes first. */
	if (ro.on && run.done) {
		int rr = pv_boot_register(&ph, &ro, sbd.cert, sbd.key, &reg);

		if (rc == PV_EXIT_OK)
			rc = rr;
	}
	/* New TVS answers go to flash with the lists. */
	if (state != NULL && ph.tvs_asked > ph.tvs_cached &&
	    pv_tvs_cache_save(sbd.cache, state, (uint64_t)time(NULL), &d) != CTL_OK)
		pv_err("%s", ctl_diag_str(&d, why, sizeof(why)));
	if (json)
		boot_json(&ph, rc, ro.on ? &reg : NULL);
out:
	fflush(stdout);
	pv_phone_cleanup(&ph);
	pv_http_free(http);
	pv_sbd_cleanup(&sbd);
	pv_env_cleanup(&env);
	return rc;
}
