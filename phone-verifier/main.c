/*
 * phone-verifier: command table, shared options, and the boot and erase
 * commands. trust-list and compare live in inspect.c, fleet in fleet.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv.h"

struct pv_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static const struct pv_cmd commands[] = {
	{ "boot", "boot one phone against a TFTP server", pv_cmd_boot },
	{ "fleet", "boot N phones at once and summarise (boot storm)", pv_cmd_fleet },
	{ "trust-list", "show the stored CTL and ITL (Settings > Security > Trust List)",
	  pv_cmd_trust_list },
	{ "compare", "compare the stored CTL/ITL with the server's", pv_cmd_compare },
	{ "erase", "erase the stored CTL and ITL (phone recovery)", pv_cmd_erase },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

void
pv_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PV_PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
pv_json_str(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c); /* stored names are opaque bytes (section 8) */
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int
pv_num(const char *opt, const char *arg, unsigned long long min, unsigned long long max,
       unsigned long long *v)
{
	if (ctl_parse_uint(arg, min, max, v) == CTL_OK)
		return 0;
	pv_err("%s takes a number from %llu to %llu, not '%s'", opt, min, max, arg);
	return -1;
}

void
pv_net_defaults(struct pv_env_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->blksize = 1468; /* an Ethernet frame's worth, what ctl-tftpd caps at by default */
	cfg->timeout_ms = 1000;
	cfg->retries = 5;
	cfg->seed = 1;
}

int
pv_net_opt(struct pv_env_cfg *cfg, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case PV_O_TFTP:
		cfg->tftp = arg;
		return 1;
	case PV_O_BLKSIZE:
		if (pv_num("--blksize", arg, 0, TFTP_BLKSIZE_MAX, &v) != 0)
			return -1;
		if (v != 0 && v < TFTP_BLKSIZE_MIN) {
			pv_err("--blksize takes 0 or %d to %d", TFTP_BLKSIZE_MIN, TFTP_BLKSIZE_MAX);
			return -1;
		}
		cfg->blksize = (unsigned)v;
		return 1;
	case PV_O_WINDOWSIZE:
		if (pv_num("--windowsize", arg, 1, 64, &v) != 0)
			return -1;
		cfg->windowsize = (unsigned)v;
		return 1;
	case PV_O_TIMEOUT:
		if (pv_num("--timeout", arg, 10, 60000, &v) != 0)
			return -1;
		cfg->timeout_ms = (unsigned)v;
		return 1;
	case PV_O_RETRANSMIT:
		/* Phones resend about every second; 0 leaves recovery to the server. */
		if (pv_num("--retransmit", arg, 0, 60000, &v) != 0)
			return -1;
		if (v != 0 && v < 10) {
			pv_err("--retransmit takes 0 or 10 to 60000");
			return -1;
		}
		cfg->no_resend = v == 0;
		if (v != 0)
			cfg->timeout_ms = (unsigned)v;
		return 1;
	case PV_O_RETRIES:
		if (pv_num("--retries", arg, 0, 100, &v) != 0)
			return -1;
		cfg->retries = (unsigned)v;
		return 1;
	case PV_O_LOSS:
		if (pv_num("--loss", arg, 0, 90, &v) != 0)
			return -1;
		cfg->loss_pct = (unsigned)v;
		return 1;
	case PV_O_SEED:
		if (pv_num("--seed", arg, 0, UINT64_MAX, &v) != 0)
			return -1;
		cfg->seed = v;
		return 1;
	default:
		return 0;
	}
}

/* ---- boot ---------------------------------------------------------------------- */

static const char boot_usage[] =
	"usage: phone-verifier boot --mac MAC --tftp HOST[:PORT] [--state DIR] [options]\n"
	"Boots one phone: CTLSEP<MAC>.tlv, ITLSEP<MAC>.tlv (ITLFile.tlv when missing),\n"
	"SEP<MAC>.cnf.xml.sgn (SEP<MAC>.cnf.xml when missing), with the phone's trust rules.\n"
	"Prints console lines and status messages; the exit status tells the outcome.\n\n"
	"  --mac MAC           12 hex digits, e.g. 0011215A1AE3\n"
	"  --state DIR         the phone's flash: CTLFile.tlv, ITLFile.tlv, SEP<MAC>.cnf.xml\n"
	"                      (default: none kept, every boot starts empty)\n"
	PV_NET_HELP
	"  --json              print one JSON object instead of console lines\n"
	"  --help              show this help\n";

enum { O_MAC = 400, O_STATE, O_JSON, O_HELP };

static const struct option boot_opts[] = {
	{ "mac", required_argument, NULL, O_MAC }, { "state", required_argument, NULL, O_STATE },
	{ "json", no_argument, NULL, O_JSON }, { "help", no_argument, NULL, O_HELP },
	PV_NET_OPTIONS, { NULL, 0, NULL, 0 },
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

static void
boot_json(const struct pv_phone *ph, int rc)
{
	printf("{\"tool\":\"%s\",\"version\":\"%s\",\"mac\":\"%s\",\"status\":\"%s\","
	       "\"cause\":\"%s\",\"exit\":%d,\"ms\":%llu,\"ctl_md5\":", PV_PROG,
	       CTL_VERSION_STRING, ph->mac, pv_status_text(ph->status), pv_cause_name(ph->cause),
	       rc, (unsigned long long)ph->ms);
	if (ph->trust.ctl != NULL)
		printf("\"%s\"", ph->trust.ctl->sums.md5);
	else
		printf("null");
	printf(",\"itl_md5\":");
	if (ph->trust.itl != NULL)
		printf("\"%s\"", ph->trust.itl->sums.md5);
	else
		printf("null");
	printf("}\n");
}

int
pv_cmd_boot(int argc, char **argv)
{
	struct pv_env_cfg cfg;
	struct pv_env env;
	struct pv_phone ph;
	struct boot_run run = { 0 };
	const char *mac = NULL, *state = NULL;
	char m[13];
	int c, json = 0, rc, h;

	pv_net_defaults(&cfg);
	while ((c = getopt_long(argc, argv, "", boot_opts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(boot_usage, stdout);
			return PV_EXIT_OK;
		}
		if ((h = pv_net_opt(&cfg, c, optarg)) < 0)
			return PV_EXIT_USAGE;
		if (h > 0)
			continue;
		switch (c) {
		case O_MAC: mac = optarg; break;
		case O_STATE: state = optarg; break;
		case O_JSON: json = 1; break;
		default: fputs(boot_usage, stderr); return PV_EXIT_USAGE;
		}
	}
	if (optind != argc || mac == NULL || cfg.tftp == NULL) {
		pv_err("boot needs --mac and --tftp");
		fputs(boot_usage, stderr);
		return PV_EXIT_USAGE;
	}
	if (pv_mac_parse(mac, m) != 0) {
		pv_err("--mac takes 12 hex digits, not '%s'", mac);
		return PV_EXIT_USAGE;
	}
	if ((rc = pv_env_init(&env, &cfg)) != PV_EXIT_OK)
		return rc;
	env.console = json ? NULL : stdout;
	env.done = boot_done;
	env.done_arg = &run;
	memset(&ph, 0, sizeof(ph));
	if (pv_phone_init(&ph, &env, m, state) != 0) {
		rc = PV_EXIT_IO;
		goto out;
	}
	pv_phone_boot(&ph);
	while (!run.done)
		if (loop_run(env.loop) != 0)
			break;
	rc = run.done ? pv_phone_exit(&ph) : PV_EXIT_INTERNAL;
	if (json)
		boot_json(&ph, rc);
out:
	fflush(stdout);
	pv_phone_cleanup(&ph);
	pv_env_cleanup(&env);
	return rc;
}

/* ---- erase ------------------------------------------------------------------------ */

static const char erase_usage[] =
	"usage: phone-verifier erase --state DIR\n"
	"Removes the stored CTLFile.tlv and ITLFile.tlv (Settings > Security > Reset\n"
	"Security Settings, or \"erase CTL and ITL\"): the next boot trusts on first use.\n\n"
	"  --state DIR         the phone's state directory\n"
	"  --help              show this help\n";

int
pv_cmd_erase(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, O_STATE }, { "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *state = NULL;
	struct ctl_diag d;
	unsigned removed = 0;
	char buf[768];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == O_HELP) {
			fputs(erase_usage, stdout);
			return PV_EXIT_OK;
		}
		if (c != O_STATE) {
			fputs(erase_usage, stderr);
			return PV_EXIT_USAGE;
		}
		state = optarg;
	}
	if (state == NULL || optind != argc) {
		pv_err("erase needs --state DIR");
		fputs(erase_usage, stderr);
		return PV_EXIT_USAGE;
	}
	printf("Erasing CTL and ITL files\n");
	if (pv_state_erase(state, &removed, &d) != CTL_OK) {
		pv_err("%s", ctl_diag_str(&d, buf, sizeof(buf)));
		return PV_EXIT_IO;
	}
	printf("%u file%s removed from %s\n", removed, removed == 1 ? "" : "s", state);
	return PV_EXIT_OK;
}

/* ---- dispatch ------------------------------------------------------------------------ */

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [--version] [--help] COMMAND [OPTIONS]\n\n"
	           "Emulates Cisco IP phones booting against a TFTP server: trust rules,\n"
	           "status messages, trust-list checksums, boot storms.\n\nCommands:\n", PV_PROG);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSynopsis:\n"
	        "  boot --mac MAC --tftp HOST[:PORT] [--state DIR] [--json]\n"
	        "  fleet --count N --tftp HOST[:PORT] [--concurrency C] [--state-root DIR]\n"
	        "        [--mac-prefix P] [--source-range A.B.C.D/N] [--verbose] [--no-progress]\n"
	        "        [--json]\n"
	        "  trust-list --state DIR [--json]\n"
	        "  compare --state DIR, then --server-file FILE or --tftp HOST[:PORT] --mac MAC; [--json]\n"
	        "  erase --state DIR\n"
	        "TFTP options of boot, fleet and compare: [--blksize N] [--windowsize N]\n"
	        "  [--timeout MS] [--retransmit MS] [--retries N] [--loss PCT] [--seed N]\n"
	        "\n'%s COMMAND --help' describes a command. See phone-verifier(1).\n", PV_PROG);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return PV_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return PV_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PV_PROG, CTL_VERSION_STRING);
		return PV_EXIT_OK;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	pv_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return PV_EXIT_USAGE;
}
