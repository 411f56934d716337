/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier: the command table and dispatch, nothing else. Each
 * command lives in its own file: cmd_boot.c, cmd_erase.c, cmd_register.c,
 * fleet.c and inspect.c (trust-list, compare).
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
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
	{ "plan", "predict what a cluster change does to the phones (TVS, lock-out, safe order)",
	  pv_cmd_plan },
	{ "register", "the phone's TLS handshake to its CallManager against the held trust list",
	  pv_cmd_register },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

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
	        "        [--durable] [--outcomes FILE] [--json]\n"
	        "  trust-list --state DIR [--json]\n"
	        "  compare --state DIR, then --server-file FILE or --tftp HOST[:PORT] --mac MAC; [--json]\n"
	        "  erase --state DIR\n"
	        "  plan --state-root DIR --cluster NODE.CONF... --change SPEC [--json]\n"
	        "  plan --state-root DIR --providers HOST[:PORT]... --user NAME [--password-file FILE]\n"
	        "        [--fingerprint [HOST[:PORT]=]SHA256]... [--accept-new] [--timeout S] --change SPEC\n"
	        "        [--json]\n"
	        "  register --state DIR --ccm HOST:PORT... [--phone-cert PEM --phone-key PEM]\n"
	        "        [--timeout S] [--retry-interval MS] [--console 79xx|88xx] [--json]\n"
	        "TFTP options of boot, fleet and compare: [--blksize N] [--windowsize N]\n"
	        "  [--timeout MS] [--retransmit MS] [--retries N] [--loss PCT] [--seed N]\n"
	        "HTTP option of boot and fleet (88xx family): [--http-port PORT]\n"
	        "Registration options of boot: [--register] [--ccm HOST:PORT]... [--retry-interval MS]\n"
	        "Security By Default options of boot: [--tvs HOST:PORT]... [--tvs-timeout MS]\n"
	        "  [--phone-cert PEM --phone-key PEM] [--model N] [--console 79xx|88xx] [--encrypted]\n"
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
