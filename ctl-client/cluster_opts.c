/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cluster commands' options: one table (name, argument, the commands that
 * take it, help text) drives getopt_long and each command's --help.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"

enum { O_SERVER = 256, O_FP, O_ACCEPT_NEW, O_USER, O_PWFILE, O_TIMEOUT, O_JSON, O_YES, O_RETRY, O_OVERRIDE,
       O_REASON, O_TOKEN, O_SIGN_TOKEN, O_SAST_TOKEN, O_MODULE, O_PIN_FILE, O_SERIAL, O_SUBJECT,
       O_DAYS, O_HELP, O_PASSWORD, O_TOKENLESS, O_LAYOUT };

#define C_ALL (CL_C_MIXED | CL_C_UPDATE | CL_C_ADD_TOKEN | CL_C_DELETE | CL_C_NON_SECURE | CL_C_CHECK | \
               CL_C_RESET_LOCALKEY | CL_C_ITL_RESET)
#define C_SIGN (CL_C_MIXED | CL_C_UPDATE | CL_C_ADD_TOKEN | CL_C_DELETE)
#define C_WRITE (C_SIGN | CL_C_NON_SECURE | CL_C_RESET_LOCALKEY)
#define C_TOKENLESS (CL_C_MIXED | CL_C_UPDATE | CL_C_NON_SECURE)

struct cl_optdef {
	const char *name;
	int has_arg, id;
	unsigned cmds;
	const char *help;
};

static const struct cl_optdef optdefs[] = {
	{ "server", 1, O_SERVER, C_ALL, "  --server HOST[:PORT]  a cluster node's CTL Provider (port 2444 by default;\n"
	                                "                     repeatable, one per node)\n" },
	{ "user", 1, O_USER, C_ALL, "  --user NAME        administrator user on the servers\n" },
	{ "password-file", 1, O_PWFILE, C_ALL,
	  "  --password-file FILE  the administrator password (mode 0600); else\n"
	  "                     $CTL_ADMIN_PASSWORD, else a prompt without echo\n" },
	{ "fingerprint", 1, O_FP, C_ALL,
	  "  --fingerprint [HOST[:PORT]=]SHA256  pin a server's certificate fingerprint\n"
	  "                     (how a server never seen before is trusted in scripts)\n" },
	{ "accept-new", 0, O_ACCEPT_NEW, C_ALL,
	  "  --accept-new       trust a server never seen before on first use (shown and\n"
	  "                     recorded); without it a terminal asks, and scripts stop\n" },
	{ "timeout", 1, O_TIMEOUT, C_ALL,
	  "  --timeout SECS     deadline of the connection and of each whole request\n"
	  "                     (default 15)\n" },
	{ "token", 1, O_TOKEN, CL_C_MIXED | CL_C_UPDATE | CL_C_DELETE,
	  "  --token TOKEN      the SAST token that signs (pkcs11: URI, label or serial)\n" },
	{ "token", 1, O_TOKEN, CL_C_ADD_TOKEN,
	  "  --token TOKEN      the token to add as a SAST record (read without login)\n" },
	{ "sign-token", 1, O_SIGN_TOKEN, CL_C_ADD_TOKEN,
	  "  --sign-token TOKEN the token that signs; it must be listed in the installed CTL\n" },
	{ "sast-token", 1, O_SAST_TOKEN, CL_C_MIXED,
	  "  --sast-token TOKEN a backup token, listed as SAST (read without login; repeatable)\n" },
	{ "module", 1, O_MODULE, C_SIGN,
	  "  --module SO        PKCS#11 module (default: $CTL_PKCS11_MODULE, else p11-kit-proxy)\n" },
	{ "pin-file", 1, O_PIN_FILE, C_SIGN,
	  "  --pin-file FILE    the signing token's PIN (mode 0600); else $CTL_TOKEN_PIN or a prompt\n" },
	{ "serial", 1, O_SERIAL, CL_C_DELETE, "  --serial HEX       remove the records with this serial number\n" },
	{ "subject", 1, O_SUBJECT, CL_C_DELETE,
	  "  --subject NAME     remove the records with this subject (as `show ctl` prints it)\n" },
	{ "tokenless", 0, O_TOKENLESS, C_TOKENLESS,
	  "  --tokenless        no tokens: the publisher builds the CTL from the cluster's\n"
	  "                     certificates and signs it with its own key (CUCM 10.0+)\n" },
	{ "layout", 1, O_LAYOUT, C_TOKENLESS | CL_C_ADD_TOKEN,
	  "  --layout 12x|10x   who signs a tokenless CTL: ITLRecovery (12x, the default)\n"
	  "                     or the publisher's CallManager (10x)\n" },
	{ "days", 1, O_DAYS, CL_C_CHECK, "  --days N           warn about certificates expiring within N days (default 30)\n" },
	{ "override-trust", 0, O_OVERRIDE, C_SIGN | CL_C_RESET_LOCALKEY,
	  "  --override-trust   install even where the new CTL is not signed by a SAST of the\n"
	  "                     installed one (recovery after losing the tokens; logged)\n" },
	{ "reason", 1, O_REASON, C_SIGN | CL_C_RESET_LOCALKEY, "  --reason TEXT      why --override-trust is used (sent to the server's log)\n" },
	{ "retry-failed", 0, O_RETRY, C_WRITE,
	  "  --retry-failed     finish the last run's job on the servers where it failed\n" },
	{ "yes", 0, O_YES, C_WRITE, "  --yes              do not ask for confirmation (scripts)\n" },
	{ "json", 0, O_JSON, C_ALL, "  --json             print the results as one JSON object\n" },
	{ "help", 0, O_HELP, C_ALL, "  --help             show this help\n" },
};
#define NOPTDEFS (sizeof(optdefs) / sizeof(optdefs[0]))

void
cl_help(FILE *f, const struct cmd *cmd, unsigned bit)
{
	size_t i;

	cli_usage(f, cmd, "");
	for (i = 0; i < NOPTDEFS; i++)
		if (optdefs[i].cmds & bit)
			fputs(optdefs[i].help, f);
}

static CTL_MUST_USE int
set_opt(struct cl_opts *o, int id, const char *arg)
{
	unsigned long long v;

	switch (id) {
	case O_SERVER:
		if (o->nservers == CL_MAX_SERVERS)
			break;
		o->servers[o->nservers++] = arg;
		return 0;
	case O_FP:
		if (o->nfingerprints == CL_MAX_SERVERS)
			break;
		o->fingerprints[o->nfingerprints++] = arg;
		return 0;
	case O_SAST_TOKEN:
		if (o->nsast_tokens == CL_MAX_TOKENS)
			break;
		o->sast_tokens[o->nsast_tokens++] = arg;
		return 0;
	case O_USER: o->user = arg; return 0;
	case O_PWFILE: o->password_file = arg; return 0;
	case O_JSON: o->json = 1; return 0;
	case O_ACCEPT_NEW: o->accept_new = 1; return 0;
	case O_YES: o->yes = 1; return 0;
	case O_RETRY: o->retry_failed = 1; return 0;
	case O_OVERRIDE: o->override_trust = 1; return 0;
	case O_REASON: o->reason = arg; return 0;
	case O_TOKEN: o->token = arg; return 0;
	case O_SIGN_TOKEN: o->sign_token = arg; return 0;
	case O_MODULE: o->module = arg; return 0;
	case O_PIN_FILE: o->pin_file = arg; return 0;
	case O_SERIAL: o->serial = arg; return 0;
	case O_TOKENLESS: o->tokenless = 1; return 0;
	case O_LAYOUT:
		if (strcmp(arg, "12x") != 0 && strcmp(arg, "10x") != 0) {
			cli_err("--layout takes 12x (ITLRecovery signs) or 10x (CallManager signs), not '%s'", arg);
			return -1;
		}
		o->layout = strcmp(arg, "10x") == 0 ? CL_LAYOUT_10X : CL_LAYOUT_12X;
		o->layout_set = 1;
		return 0;
	case O_SUBJECT: o->subject = arg; return 0;
	case O_TIMEOUT:
		if (ctl_parse_uint(arg, 1, 3600, &v) != CTL_OK) {
			cli_err("--timeout takes 1 to 3600 seconds, not '%s'", arg);
			return -1;
		}
		o->timeout = (unsigned)v;
		return 0;
	case O_PASSWORD:
		/* Never echo the argument: it is the password. */
		cli_err("there is no --password option (a command line is visible to every user of this "
		        "machine); use --password-file FILE or $%s", PROV_PASSWORD_ENV);
		return -1;
	case O_DAYS:
		if (ctl_parse_uint(arg, 0, 36500, &v) != CTL_OK) {
			cli_err("--days takes 0 to 36500, not '%s'", arg);
			return -1;
		}
		o->days = (unsigned)v;
		return 0;
	default:
		return -1;
	}
	cli_err("too many values for that option (at most %d)", CL_MAX_SERVERS);
	return -1;
}

/* itl-reset's ACTION operand. */
static CTL_MUST_USE int
parse_action(struct cl_opts *o, const char *arg)
{
	static const char *const names[] = { "done", "localkey", "remotekey" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0) {
			o->itl_action = (int)i; /* enum cl_itl_action */
			o->itl_action_name = names[i];
			return 0;
		}
	cli_err("itl-reset: unknown action '%s' (localkey, remotekey or done)", arg);
	return -1;
}

int
cl_parse(struct cluster *cl, const struct cmd *cmd, unsigned bit, int argc, char **argv)
{
	struct option lo[NOPTDEFS + 2];
	size_t i, n = 0;
	int c;

	memset(cl, 0, sizeof(*cl));
	pthread_mutex_init(&cl->lock, NULL);
	cl->cmd = cmd;
	cl->o.cmd = bit;
	cl->o.timeout = 15;
	cl->o.days = 30;
	cl->set_mode = -1;
	cl->o.itl_action = -1;
	for (i = 0; i < NOPTDEFS; i++)
		if (optdefs[i].cmds & bit)
			lo[n++] = (struct option){ optdefs[i].name, optdefs[i].has_arg ? required_argument
			                                                               : no_argument, NULL,
			                           optdefs[i].id };
	/* Listed so that getopt does not take "--password SECRET" for --password-file. */
	lo[n++] = (struct option){ "password", required_argument, NULL, O_PASSWORD };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c == O_HELP) {
			cl_help(stdout, cmd, bit);
			return 1;
		}
		if (c == '?' || set_opt(&cl->o, c, optarg) != 0)
			return -1;
	}
	if (bit == CL_C_ITL_RESET && optind < argc && parse_action(&cl->o, argv[optind++]) != 0)
		return -1;
	if (optind != argc) {
		cli_err("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (bit == CL_C_ITL_RESET && cl->o.itl_action < 0 && !cl->o.retry_failed) {
		cli_err("itl-reset needs an action: localkey, remotekey or done");
		return -1;
	}
	if (cl->o.layout_set && !cl->o.tokenless && bit != CL_C_ADD_TOKEN) {
		cli_err("--layout goes with --tokenless");
		return -1;
	}
	if (cl->o.user == NULL) {
		cli_err("--user is required");
		return -1;
	}
	if (cl->o.nservers == 0 && !cl->o.retry_failed) {
		cli_err("at least one --server is required");
		return -1;
	}
	if (cl->o.reason != NULL && !cl->o.override_trust) {
		cli_err("--reason goes with --override-trust");
		return -1;
	}
	return 0;
}
