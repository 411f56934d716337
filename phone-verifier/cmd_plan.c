/* SPDX-License-Identifier: Apache-2.0 */
/*
 * phone-verifier plan: reads the phones' state under --state-root (one
 * SEP<MAC> folder each, as fleet lays them out) and the cluster's node.conf
 * files (or, --providers, its running ctl-providers), simulates --change (plan.h) and says which phones take it
 * directly, which need TVS, which lock out, and the order of steps that
 * avoids the lock-out, checked by simulating it over the same phones.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/text.h>

#include "console.h"
#include "plan.h"
#include "pv.h"

enum { O_ROOT = 700, O_CLUSTER, O_CHANGE, O_JSON, O_HELP, O_PROVIDERS, O_USER, O_PWFILE, O_FP, O_ACCEPT_NEW,
       O_TIMEOUT };

static const char plan_usage[] =
	"usage: phone-verifier plan --state-root DIR --cluster NODE.CONF... --change SPEC [--json]\n"
	"       phone-verifier plan --state-root DIR --providers HOST[:PORT]... --user NAME\n"
	"                           [--password-file FILE] [--fingerprint [HOST[:PORT]=]SHA256]...\n"
	"                           [--accept-new] [--timeout SECS] --change SPEC [--json]\n"
	"Predicts, from the phones' stored CTL and ITL, what a cluster change does to them:\n"
	"which phones take it directly, which need TVS, which lock out, and the order of\n"
	"steps that avoids the lock-out (checked over the same phones).\n\n"
	"  --state-root DIR    the phones' state, DIR/SEP<MAC> each (as fleet --state-root)\n"
	"  --cluster FILE      a node's configuration (ctl-provider node.conf); repeat per\n"
	"                      node, the publisher first\n"
	"  --providers HOST[:PORT]  read a node from its running ctl-provider (default\n"
	"                      port 2444) instead: GET_INFO, GET_CTL, GET_ITL; repeat per\n"
	"                      node, the publisher first. The server is authenticated as\n"
	"                      ctl-client does it (known_hosts, then:)\n"
	"  --user NAME         administrator user on the providers\n"
	"  --password-file FILE  the administrator password (mode 0600); else\n"
	"                      $CTL_ADMIN_PASSWORD, else asked on the terminal\n"
	"  --fingerprint [HOST[:PORT]=]SHA256  pin a provider's certificate fingerprint\n"
	"  --accept-new        trust a provider never seen before on first use\n"
	"  --timeout SECS      deadline of the connection and of each request (15)\n"
	"  --change SPEC       regen-callmanager:NODE, regen-callmanager+tvs:NODE,\n"
	"                      regen-tvs:NODE, replace-itlrecovery, tokenless-mixed,\n"
	"                      move:OTHER_NODE.CONF (NODE: a host name or 1..N)\n"
	"  --json              print the plan as one JSON object\n"
	"  --help              show this help\n"
	"Exit status: 0 no phone locks out with the change as asked, 1 some would;\n"
	"8 a provider could not be read, 12 a provider's identity or the login refused.\n";

struct plan_opts {
	const char *root, *change;
	const char *conf[PLAN_MAX_NODES];
	size_t nconf;
	int json;
	struct plan_prov_opts prov;
};

/* A --providers option's value into o->prov. 0, or the usage status (reported). */
CTL_MUST_USE static int
prov_opt(struct plan_opts *o, int c, const char *arg)
{
	unsigned long long v;

	switch (c) {
	case O_PROVIDERS:
		if (o->prov.ntargets >= PLAN_MAX_NODES)
			return pv_fail(PV_EXIT_USAGE, "--providers: at most %d nodes", PLAN_MAX_NODES);
		o->prov.targets[o->prov.ntargets++] = arg;
		return 0;
	case O_FP:
		if (o->prov.nfingerprints >= PLAN_MAX_NODES)
			return pv_fail(PV_EXIT_USAGE, "--fingerprint: at most %d", PLAN_MAX_NODES);
		o->prov.fingerprints[o->prov.nfingerprints++] = arg;
		return 0;
	case O_USER: o->prov.user = arg; return 0;
	case O_PWFILE: o->prov.password_file = arg; return 0;
	case O_ACCEPT_NEW: o->prov.accept_new = 1; return 0;
	default:
		if (ctl_parse_uint(arg, 1, 3600, &v) != CTL_OK)
			return pv_fail(PV_EXIT_USAGE, "--timeout takes 1 to 3600 seconds, not '%s'", arg);
		o->prov.timeout = (unsigned)v;
		return 0;
	}
}

/* The combination of options. 0, or the usage status (reported). */
CTL_MUST_USE static int
plan_check(const struct plan_opts *o)
{
	int prov_only = o->prov.user != NULL || o->prov.password_file != NULL || o->prov.nfingerprints > 0 ||
	                o->prov.accept_new;

	if (o->root == NULL || o->change == NULL || (o->nconf == 0) == (o->prov.ntargets == 0))
		return pv_fail(PV_EXIT_USAGE, "plan needs --state-root, --change and either --cluster or "
		               "--providers");
	if (o->prov.ntargets == 0 && prov_only)
		return pv_fail(PV_EXIT_USAGE, "--user, --password-file, --fingerprint and --accept-new go "
		               "with --providers");
	if (o->prov.ntargets > 0 && o->prov.user == NULL)
		return pv_fail(PV_EXIT_USAGE, "--providers needs --user");
	return 0;
}

CTL_MUST_USE static int
plan_parse(int argc, char **argv, struct plan_opts *o)
{
	static const struct option opts[] = {
		{ "state-root", required_argument, NULL, O_ROOT },
		{ "cluster", required_argument, NULL, O_CLUSTER },
		{ "change", required_argument, NULL, O_CHANGE },
		{ "json", no_argument, NULL, O_JSON }, { "help", no_argument, NULL, O_HELP },
		{ "providers", required_argument, NULL, O_PROVIDERS },
		{ "user", required_argument, NULL, O_USER },
		{ "password-file", required_argument, NULL, O_PWFILE },
		{ "fingerprint", required_argument, NULL, O_FP },
		{ "accept-new", no_argument, NULL, O_ACCEPT_NEW },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->prov.timeout = 15;
	o->json = pv_argv_json(argc, argv);
	pv_json_errors(o->json);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_HELP: fputs(plan_usage, stdout); return -1;
		case O_ROOT: o->root = optarg; break;
		case O_CHANGE: o->change = optarg; break;
		case O_JSON: o->json = 1; break;
		case O_CLUSTER:
			if (o->nconf >= PLAN_MAX_NODES)
				return pv_fail(PV_EXIT_USAGE, "--cluster: at most %d nodes", PLAN_MAX_NODES);
			o->conf[o->nconf++] = optarg;
			break;
		case O_PROVIDERS: case O_USER: case O_PWFILE: case O_FP: case O_ACCEPT_NEW: case O_TIMEOUT:
			if (prov_opt(o, c, optarg) != 0)
				return PV_EXIT_USAGE;
			break;
		default:
			fputs(plan_usage, stderr);
			return o->json ? pv_fail(PV_EXIT_USAGE, "plan: bad option") : PV_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pv_fail(PV_EXIT_USAGE, "plan: unexpected argument '%s'", argv[optind]);
		fputs(plan_usage, stderr);
		return PV_EXIT_USAGE;
	}
	if (plan_check(o) != 0) {
		fputs(plan_usage, stderr);
		return PV_EXIT_USAGE;
	}
	return PV_EXIT_OK;
}

/* "SEP" and 12 hex digits: a phone's folder; the MAC (upper case) into mac. */
static int
phone_dir(const char *name, char mac[13])
{
	size_t i;

	if (strncmp(name, "SEP", 3) != 0 || strlen(name) != 15)
		return 0;
	for (i = 0; i < 12; i++) {
		int v = ctl_hex_digit((unsigned char)name[3 + i]);

		if (v < 0)
			return 0;
		mac[i] = "0123456789ABCDEF"[v];
	}
	mac[12] = '\0';
	return 1;
}

static int
cmp_phone(const void *a, const void *b)
{
	return strcmp(((const struct plan_phone *)a)->mac, ((const struct plan_phone *)b)->mac);
}

static void
free_phones(struct plan_phone *ph, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pv_trust_cleanup(&ph[i].held);
	free(ph);
}

/* Distinct lists of a state root: a fleet holds a handful, each loaded once per phone. */
struct intern {
	struct pv_tl *tl[64];
	size_t n;
};

/* The shared copy of *slot's list (takes over the phone's reference). */
static void
intern(struct intern *in, struct pv_tl **slot)
{
	size_t i;

	if (*slot == NULL)
		return;
	for (i = 0; i < in->n; i++)
		if (strcmp(in->tl[i]->sums.sha256, (*slot)->sums.sha256) == 0) {
			pv_tl_unref(*slot);
			*slot = pv_tl_ref(in->tl[i]);
			return;
		}
	if (in->n < sizeof(in->tl) / sizeof(in->tl[0]))
		in->tl[in->n++] = pv_tl_ref(*slot);
}

/* Every SEP<MAC> folder under root with its lists; a damaged one is said and left out. */
CTL_MUST_USE static int
load_phones(const char *root, struct plan_phone **out, size_t *n)
{
	struct intern in = { { NULL }, 0 };
	DIR *dir = opendir(root);
	struct dirent *de;
	struct plan_phone *ph = NULL;
	size_t cap = 0;
	char path[4096], why[768], mac[13];
	struct ctl_diag d;

	*out = NULL;
	*n = 0;
	if (dir == NULL)
		return pv_fail(PV_EXIT_IO, "--state-root %s: %s", root, strerror(errno));
	while ((de = readdir(dir)) != NULL) {
		if (!phone_dir(de->d_name, mac))
			continue;
		if (*n == cap) {
			struct plan_phone *p2 = realloc(ph, (cap = cap ? cap * 2 : 64) * sizeof(*ph));

			if (p2 == NULL) {
				closedir(dir);
				free_phones(ph, *n);
				*n = 0;
				while (in.n > 0)
					pv_tl_unref(in.tl[--in.n]);
				return pv_fail(PV_EXIT_INTERNAL, "out of memory");
			}
			ph = p2;
		}
		memset(&ph[*n], 0, sizeof(ph[*n]));
		memcpy(ph[*n].mac, mac, sizeof(mac));
		pv_trust_init(&ph[*n].held);
		snprintf(path, sizeof(path), "%s/%s", root, de->d_name);
		if (pv_state_load(path, &ph[*n].held, &d) != CTL_OK) {
			pv_err("%s; phone left out of the plan", ctl_diag_str(&d, why, sizeof(why)));
			pv_trust_cleanup(&ph[*n].held);
			continue;
		}
		intern(&in, &ph[*n].held.ctl);
		intern(&in, &ph[*n].held.itl);
		(*n)++;
	}
	closedir(dir);
	while (in.n > 0)
		pv_tl_unref(in.tl[--in.n]);
	if (*n > 0)
		qsort(ph, *n, sizeof(*ph), cmp_phone);
	*out = ph;
	return PV_EXIT_OK;
}

/* ---- output -------------------------------------------------------------------- */

struct outcome {
	const struct plan_cluster *c;
	const struct plan_change *ch;
	const struct plan_phone *ph;
	size_t n;
	struct plan_result direct;
	const struct plan_seq *order;   /* the steps to follow (the change itself, or a safe order) */
	int safe_found;
};

static const char *const class_label[PLAN__NCLASS] = {
	"accept directly", "need TVS", "lock out"
};

static void
print_text(const struct outcome *o)
{
	char line[512];
	size_t i, k, shown = 0;

	printf("plan: %s, %zu phones; cluster:", o->ch->spec, o->n);
	for (i = 0; i < o->c->n; i++)
		printf(" %s (%s, %s)", o->c->node[i].host,
		       o->c->node[i].no_itl ? "no ITL" : o->c->node[i].layout == CTL_ITL_8X ? "ITL 8x" : "ITL 12x",
		       o->c->node[i].mixed ? "mixed" : "non-secure");
	printf("\n");
	for (k = 0; k < PLAN__NCLASS; k++) {
		printf("  %-16s %5zu", class_label[k], o->direct.count[k]);
		for (i = 0; i < o->n; i++)
			if (o->ph[i].cls == k)
				printf(" SEP%s", o->ph[i].mac);
		printf("\n");
	}
	for (i = 0; i < o->n && shown < 5; i++)
		if (o->ph[i].cls == PLAN_LOCKOUT) {
			printf("    SEP%s: %s\n", o->ph[i].mac, o->ph[i].why);
			shown++;
		}
	if (!o->direct.locked_any)
		printf("the change as asked locks no phone out:\n");
	else if (o->safe_found)
		printf("safe order (simulated over the same %zu phones: none locks out at any step):\n",
		       o->n);
	else
		printf("no order the planner knows avoids the lock-out: the phones above must have "
		       "their CTL and ITL erased (phone-verifier erase) or be restored\n");
	for (i = 0; o->order != NULL && i < o->order->n; i++) {
		plan_step_text(o->c, o->ch, &o->order->step[i], line, sizeof(line));
		printf("  %zu. %s\n", i + 1, line);
	}
}

static void
print_json(const struct outcome *o)
{
	FILE *f = stdout;
	char line[512];
	size_t i, k;
	int first;

	fputs("{\"tool\":", f);
	ctl_json_fputs(f, PV_PROG);
	fputs(",\"version\":", f);
	ctl_json_fputs(f, CTL_VERSION_STRING);
	fputs(",\"change\":", f);
	ctl_json_fputs(f, o->ch->spec);
	fprintf(f, ",\"phones\":%zu", o->n);
	for (k = 0; k < PLAN__NCLASS; k++) {
		fprintf(f, ",\"%s\":{\"count\":%zu,\"macs\":[", plan_class_name((enum plan_class)k),
		        o->direct.count[k]);
		for (i = 0, first = 1; i < o->n; i++)
			if (o->ph[i].cls == k) {
				fputs(first ? "" : ",", f);
				ctl_json_fputs(f, o->ph[i].mac);
				first = 0;
			}
		fputs("]}", f);
	}
	fputs(",\"outcomes\":[", f);
	for (i = 0; i < o->n; i++) {
		fprintf(f, "%s{\"mac\":", i ? "," : "");
		ctl_json_fputs(f, o->ph[i].mac);
		fputs(",\"class\":", f);
		ctl_json_fputs(f, plan_class_name(o->ph[i].cls));
		fputs(",\"status\":", f);
		ctl_json_fputs(f, o->ph[i].status);
		fputs(",\"why\":", f);
		ctl_json_fputs_or_null(f, o->ph[i].why[0] ? o->ph[i].why : NULL);
		fputc('}', f);
	}
	fprintf(f, "],\"safe_order\":{\"needed\":%s,\"found\":%s,\"steps\":[",
	        o->direct.locked_any ? "true" : "false",
	        !o->direct.locked_any || o->safe_found ? "true" : "false");
	for (i = 0; o->order != NULL && i < o->order->n; i++) {
		plan_step_text(o->c, o->ch, &o->order->step[i], line, sizeof(line));
		fputs(i ? "," : "", f);
		ctl_json_fputs(f, line);
	}
	fputs("]}}\n", f);
}

/* ---- the command --------------------------------------------------------------- */

CTL_MUST_USE static int
load_cluster(struct plan_cluster *c, const char *const *conf, size_t n)
{
	char why[1024];
	size_t i;

	for (i = 0; i < n; i++)
		if (plan_cluster_add(c, conf[i], why, sizeof(why)) != 0)
			return pv_fail(PV_EXIT_USAGE, "--cluster: %s", why);
	plan_cluster_link(c);
	return PV_EXIT_OK;
}

/*
 * The certificates whose keys the planner lacks re-keyed (plan_standins_make),
 * in both clusters and in every list the phones hold (each distinct list once).
 */
CTL_MUST_USE static int
stand_in(struct plan_standins *ss, struct plan_cluster *c, struct plan_cluster *other, struct plan_phone *ph,
         size_t n)
{
	struct pv_tl *from[128], *to[128];
	struct pv_tl **slot[2];
	size_t i, k, m, nmap = 0;
	char why[1024];
	int rc = PV_EXIT_OK;

	if (plan_standins_make(ss, c, why, sizeof(why)) != 0 || plan_standins_make(ss, other, why, sizeof(why)) != 0)
		return pv_fail(PV_EXIT_USAGE, "%s", why);
	if (ss->n == 0)
		return PV_EXIT_OK;
	for (i = 0; i < n && rc == PV_EXIT_OK; i++) {
		slot[0] = &ph[i].held.ctl;
		slot[1] = &ph[i].held.itl;
		for (k = 0; k < 2 && rc == PV_EXIT_OK; k++) {
			struct pv_tl *nt = NULL;

			if (*slot[k] == NULL)
				continue;
			for (m = 0; m < nmap && from[m] != *slot[k]; m++)
				;
			if (m < nmap) {
				nt = pv_tl_ref(to[m]);
			} else if (plan_standins_list(ss, *slot[k], &nt) != 0) {
				rc = pv_fail(PV_EXIT_INTERNAL, "SEP%s: cannot re-key its held list", ph[i].mac);
				break;
			} else if (nmap < sizeof(from) / sizeof(from[0])) {
				from[nmap] = pv_tl_ref(*slot[k]);
				to[nmap++] = pv_tl_ref(nt);
			}
			pv_tl_unref(*slot[k]);
			*slot[k] = nt;
		}
	}
	while (nmap > 0) {
		nmap--;
		pv_tl_unref(from[nmap]);
		pv_tl_unref(to[nmap]);
	}
	return rc;
}

/* The direct run, then (when phones lock out) each safe order until one locks none out. */
CTL_MUST_USE static int
evaluate(struct outcome *o, struct plan_phone *ph, size_t n)
{
	struct plan_result res;
	struct plan_phone *scratch;
	char why[1024];
	size_t i;

	if (plan_run(o->c, o->ch, &o->ch->direct, ph, n, &o->direct, why, sizeof(why)) != 0)
		return pv_fail(PV_EXIT_USAGE, "%s", why);
	o->order = &o->ch->direct;
	if (!o->direct.locked_any)
		return PV_EXIT_OK;
	o->order = NULL;
	/* The candidates run on copies: ph keeps the classes of the change as asked. */
	if ((scratch = calloc(n ? n : 1, sizeof(*scratch))) == NULL)
		return pv_fail(PV_EXIT_INTERNAL, "out of memory");
	memcpy(scratch, ph, n * sizeof(*ph));
	for (i = 0; i < o->ch->nsafe && !o->safe_found; i++) {
		if (plan_run(o->c, o->ch, &o->ch->safe[i], scratch, n, &res, why, sizeof(why)) != 0) {
			free(scratch);
			return pv_fail(PV_EXIT_USAGE, "%s", why);
		}
		if (!res.locked_any) {
			o->safe_found = 1;
			o->order = &o->ch->safe[i];
		}
	}
	free(scratch);
	return PV_EXIT_OK;
}

int
pv_cmd_plan(int argc, char **argv)
{
	struct plan_opts o;
	struct plan_cluster *c = calloc(1, sizeof(*c)), *other = calloc(1, sizeof(*other));
	struct plan_change *ch = calloc(1, sizeof(*ch));
	struct plan_phone *ph = NULL;
	struct plan_standins *ss = calloc(1, sizeof(*ss));
	struct outcome out;
	char why[1024];
	size_t n = 0;
	int rc;

	if (c == NULL || other == NULL || ch == NULL || ss == NULL) {
		rc = pv_fail(PV_EXIT_INTERNAL, "out of memory");
		goto done;
	}
	if ((rc = plan_parse(argc, argv, &o)) != PV_EXIT_OK) {
		rc = rc < 0 ? PV_EXIT_OK : rc;
		goto done;
	}
	if ((rc = o.prov.ntargets > 0 ? plan_cluster_from_providers(c, &o.prov)
	                              : load_cluster(c, o.conf, o.nconf)) != PV_EXIT_OK)
		goto done;
	if (strncmp(o.change, "move:", 5) == 0 &&
	    (rc = load_cluster(other, (const char *const[]){ o.change + 5 }, 1)) != PV_EXIT_OK)
		goto done;
	if (plan_change_parse(o.change, c, other, ch, why, sizeof(why)) != 0) {
		rc = pv_fail(PV_EXIT_USAGE, "%s", why);
		goto done;
	}
	if ((rc = load_phones(o.root, &ph, &n)) != PV_EXIT_OK || (rc = stand_in(ss, c, other, ph, n)) != PV_EXIT_OK)
		goto done;
	memset(&out, 0, sizeof(out));
	out.c = c;
	out.ch = ch;
	out.ph = ph;
	out.n = n;
	if ((rc = evaluate(&out, ph, n)) != PV_EXIT_OK)
		goto done;
	if (o.json)
		print_json(&out);
	else
		print_text(&out);
	rc = out.direct.locked_any ? PV_EXIT_UPDATE_FAILED : PV_EXIT_OK;
done:
	free_phones(ph, n);
	if (c != NULL)
		plan_cluster_free(c);
	if (other != NULL)
		plan_cluster_free(other);
	if (ss != NULL)
		plan_standins_free(ss);
	free(ss);
	free(c);
	free(other);
	free(ch);
	return rc;
}
