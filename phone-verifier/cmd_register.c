/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier register: the phone's secure registration check on its
 * own (register.c does it): the trust list of --state, a TLS handshake to
 * each --ccm in turn, console lines in the phone family's words, or with
 * --json one result object; the exit status says whether the phone would
 * register securely.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/text.h>

#include "console.h"
#include "register.h"

enum { O_STATE = 450, O_CCM, O_CERT, O_KEY, O_TIMEOUT, O_INTERVAL, O_CONSOLE, O_JSON, O_HELP };

static const char reg_usage[] =
	"usage: phone-verifier register --state DIR --ccm HOST:PORT [options]\n"
	"The phone's secure registration check: a TLS handshake to each CallManager in turn,\n"
	"its certificate accepted only when a CCM or CCM+TFTP record of the held CTL (without\n"
	"a CTL: a CCM+TFTP or TFTP record of the held ITL) holds it. Exit status 0: the phone\n"
	"would register securely.\n\n"
	"  --state DIR         the phone's flash: CTLFile.tlv, ITLFile.tlv\n"
	"  --ccm HOST:PORT     a CallManager's TLS port (SIP 5061, SCCP 2443), in order (repeatable)\n"
	"  --phone-cert PEM    the phone's certificate (MIC or LSC), presented to the CallManager\n"
	"  --phone-key PEM     its key\n"
	"  --timeout S         one CallManager's connect and handshake, seconds (default 5)\n"
	"  --retry-interval MS without a trust list: the wait between the four tries (default 10000)\n"
	"  --console FORM      79xx or 88xx: the family's console lines (default 79xx)\n"
	"  --json              print one JSON object instead of console lines\n"
	"  --help              show this help\n";

static const struct option reg_opts[] = {
	{ "state", required_argument, NULL, O_STATE }, { "ccm", required_argument, NULL, O_CCM },
	{ "phone-cert", required_argument, NULL, O_CERT },
	{ "phone-key", required_argument, NULL, O_KEY },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "retry-interval", required_argument, NULL, O_INTERVAL },
	{ "console", required_argument, NULL, O_CONSOLE }, { "json", no_argument, NULL, O_JSON },
	{ "help", no_argument, NULL, O_HELP }, { NULL, 0, NULL, 0 },
};

/* A pv_reg_line_fn printing through the console (arg: a struct pv_console). */
static void
print_line(void *arg, enum pv_level lv, const char *msg)
{
	struct pv_phone none;
	struct pv_event ev;

	memset(&none, 0, sizeof(none));
	memset(&ev, 0, sizeof(ev));
	ev.kind = PV_EV_LINE;
	ev.step = PV_S_DONE;
	ev.file = "";
	ev.err = lv == PV_LV_ERR;
	ev.level = lv;
	ev.status = PV_ST__COUNT;
	ev.message = msg;
	pv_console_event(arg, &none, &ev);
}

void
pv_reg_json_fields(FILE *f, const struct pv_reg_result *r, int mode)
{
	fprintf(f, "\"registered\":%s,\"exit\":%d,\"mode\":%d,\"server\":",
	        r->exit == PV_EXIT_OK ? "true" : "false", r->exit, mode);
	ctl_json_fputs_or_null(f, r->server[0] != '\0' ? r->server : NULL);
	fputs(",\"subject\":", f);
	ctl_json_fputs_or_null(f, r->have_cert ? r->subject : NULL);
	fputs(",\"issuer\":", f);
	ctl_json_fputs_or_null(f, r->have_cert ? r->issuer : NULL);
	fputs(",\"serial\":", f);
	ctl_json_fputs_or_null(f, r->have_cert ? r->serial : NULL);
	if (r->match.list != NULL) {
		fprintf(f, ",\"found\":{\"list\":\"%s\",\"record\":%d,\"role\":", r->match.list,
		        r->match.record);
		ctl_json_fputs(f, ctl_role_name(r->match.role));
		fputs("}", f);
	} else {
		fputs(",\"found\":null", f);
	}
	fputs(",\"tls_version\":", f);
	ctl_json_fputs_or_null(f, r->tls_version[0] != '\0' ? r->tls_version : NULL);
	fputs(",\"cipher\":", f);
	ctl_json_fputs_or_null(f, r->cipher[0] != '\0' ? r->cipher : NULL);
	fprintf(f, ",\"phone_certificate_sent\":%s,\"tries\":%u,\"tried\":%zu,\"error\":",
	        r->cert_sent ? "true" : "false", r->tries, r->tried);
	ctl_json_fputs_or_null(f, r->exit != PV_EXIT_OK && r->why[0] != '\0' ? r->why : NULL);
}

/* The options' values checked; PV_EXIT_OK or a usage failure already reported. */
static int
reg_opt(struct pv_reg_cfg *cfg, const char **ccm, const char **cert, const char **key, int c,
        const char *arg)
{
	unsigned long long v;

	switch (c) {
	case O_STATE: cfg->state = arg; return PV_EXIT_OK;
	case O_CCM:
		if (cfg->nccm == PV_REG_MAX_CCM)
			return pv_fail(PV_EXIT_USAGE, "--ccm: at most %d CallManagers", PV_REG_MAX_CCM);
		if (!pv_reg_ccm_valid(arg))
			return pv_fail(PV_EXIT_USAGE, "--ccm takes HOST:PORT or [IPV6]:PORT, not '%s'", arg);
		ccm[cfg->nccm++] = arg;
		return PV_EXIT_OK;
	case O_CERT: *cert = arg; return PV_EXIT_OK;
	case O_KEY: *key = arg; return PV_EXIT_OK;
	case O_TIMEOUT:
		if (ctl_parse_uint(arg, 1, 600, &v) != CTL_OK)
			return pv_fail(PV_EXIT_USAGE, "--timeout takes 1..600 seconds, not '%s'", arg);
		cfg->timeout_ms = (unsigned)v * 1000u;
		return PV_EXIT_OK;
	case O_INTERVAL:
		if (ctl_parse_uint(arg, 0, 600000, &v) != CTL_OK)
			return pv_fail(PV_EXIT_USAGE, "--retry-interval takes 0..600000 ms, not '%s'", arg);
		cfg->interval_ms = (unsigned)v;
		return PV_EXIT_OK;
	case O_CONSOLE:
		if (strcmp(arg, "79xx") == 0)
			cfg->form = PV_FORM_79XX;
		else if (strcmp(arg, "88xx") == 0)
			cfg->form = PV_FORM_88XX;
		else
			return pv_fail(PV_EXIT_USAGE, "--console takes 79xx or 88xx, not '%s'", arg);
		return PV_EXIT_OK;
	default:
		return PV_EXIT_USAGE;
	}
}

int
pv_reg_load_identity(const char *cert, const char *key, X509 **x, EVP_PKEY **k)
{
	struct ctl_diag d;
	char buf[600];

	*x = NULL;
	*k = NULL;
	if ((cert == NULL) != (key == NULL))
		return pv_fail(PV_EXIT_USAGE, "--phone-cert and --phone-key go together");
	if (cert != NULL &&
	    (ctl_cert_load(cert, x, &d) != CTL_OK || ctl_key_load(key, k, &d) != CTL_OK))
		return pv_fail(PV_EXIT_USAGE, "%s", ctl_diag_str(&d, buf, sizeof(buf)));
	return PV_EXIT_OK;
}

int
pv_cmd_register(int argc, char **argv)
{
	const char *ccm[PV_REG_MAX_CCM], *cert = NULL, *key = NULL;
	struct pv_console con;
	struct pv_reg_cfg cfg;
	struct pv_reg_result res;
	int c, json = pv_argv_json(argc, argv), rc;

	pv_json_errors(json);
	memset(&con, 0, sizeof(con));
	con.f = stdout;
	memset(&cfg, 0, sizeof(cfg));
	cfg.interval_ms = PV_REG_INTERVAL_MS;
	cfg.mode = 2;
	while ((c = getopt_long(argc, argv, "", reg_opts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(reg_usage, stdout);
			return PV_EXIT_OK;
		}
		if (c == O_JSON) {
			json = 1;
			continue;
		}
		if (c == '?' || c == ':') {
			fputs(reg_usage, stderr);
			return json ? pv_fail(PV_EXIT_USAGE, "register: bad option") : PV_EXIT_USAGE;
		}
		if ((rc = reg_opt(&cfg, ccm, &cert, &key, c, optarg)) != PV_EXIT_OK)
			return rc;
	}
	if (optind != argc || cfg.state == NULL || cfg.nccm == 0) {
		pv_fail(PV_EXIT_USAGE, "register needs --state and --ccm");
		fputs(reg_usage, stderr);
		return PV_EXIT_USAGE;
	}
	cfg.ccm = ccm;
	if ((rc = pv_reg_load_identity(cert, key, &cfg.cert, &cfg.key)) != PV_EXIT_OK)
		return rc;
	con.form = cfg.form;
	if (!json) {
		cfg.line = print_line;
		cfg.line_arg = &con;
	}
	rc = pv_register(&cfg, &res);
	if (json) {
		fputs("{\"tool\":", stdout);
		ctl_json_fputs(stdout, PV_PROG);
		fputs(",\"version\":", stdout);
		ctl_json_fputs(stdout, CTL_VERSION_STRING);
		fputc(',', stdout);
		pv_reg_json_fields(stdout, &res, cfg.mode);
		fputs("}\n", stdout);
	} else if (rc != PV_EXIT_OK) {
		pv_err("not registered securely: %s", res.why);
	}
	fflush(stdout);
	X509_free(cfg.cert);
	EVP_PKEY_free(cfg.key);
	return rc;
}
