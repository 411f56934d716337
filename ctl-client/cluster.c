/*
 * Cluster commands: options, per-server sessions in parallel, server
 * identity, result table and the --retry-failed state. See cluster.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cluster.h"

/* ------------------------------------------------------------------ */
/* Options                                                              */

enum { O_SERVER = 256, O_FP, O_ACCEPT_NEW, O_USER, O_PWFILE, O_TIMEOUT, O_JSON, O_YES, O_RETRY, O_OVERRIDE,
       O_REASON, O_TOKEN, O_SIGN_TOKEN, O_SAST_TOKEN, O_MODULE, O_PIN_FILE, O_SERIAL, O_SUBJECT,
       O_DAYS, O_HELP, O_PASSWORD };

#define C_ALL (CL_C_MIXED | CL_C_UPDATE | CL_C_ADD_TOKEN | CL_C_DELETE | CL_C_NON_SECURE | CL_C_CHECK)
#define C_SIGN (CL_C_MIXED | CL_C_UPDATE | CL_C_ADD_TOKEN | CL_C_DELETE)
#define C_WRITE (C_SIGN | CL_C_NON_SECURE)

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
	{ "days", 1, O_DAYS, CL_C_CHECK, "  --days N           warn about certificates expiring within N days (default 30)\n" },
	{ "override-trust", 0, O_OVERRIDE, C_SIGN,
	  "  --override-trust   install even where the new CTL is not signed by a SAST of the\n"
	  "                     installed one (recovery after losing the tokens; logged)\n" },
	{ "reason", 1, O_REASON, C_SIGN, "  --reason TEXT      why --override-trust is used (sent to the server's log)\n" },
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

static int
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
	if (optind != argc) {
		cli_err("unexpected argument '%s'", argv[optind]);
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

/* ------------------------------------------------------------------ */
/* Setup                                                                */

/* --fingerprint [HOST[:PORT]=]FP: applies to the named node, or to the only one. */
static int
apply_pins(struct cluster *cl)
{
	struct prov_target t;
	char err[300], name[300];
	size_t i, k;

	for (i = 0; i < cl->o.nfingerprints; i++) {
		const char *a = cl->o.fingerprints[i], *eq = strrchr(a, '=');
		struct cl_node *nd = NULL;
		uint8_t fp[PROV_FP_LEN];

		if (eq == NULL && cl->n == 1) {
			nd = &cl->nodes[0];
		} else if (eq != NULL && (size_t)(eq - a) < sizeof(name)) {
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = '\0';
			if (prov_target_parse(name, &t, err, sizeof(err)) != 0) {
				cli_err("--fingerprint: %s", err);
				return EXIT_USAGE;
			}
			for (k = 0; k < cl->n; k++)
				if (strcmp(cl->nodes[k].t.name, t.name) == 0)
					nd = &cl->nodes[k];
		}
		if (nd == NULL || prov_fp_parse(eq ? eq + 1 : a, fp) != 0) {
			cli_err("--fingerprint '%s': expected [HOST[:PORT]=]SHA256 (64 hex digits) naming "
			        "one of the --server nodes", a);
			return EXIT_USAGE;
		}
		nd->has_pin = 1;
		memcpy(nd->pin, fp, PROV_FP_LEN);
	}
	return EXIT_OK;
}

static int
add_node(struct cluster *cl, const char *spec)
{
	char err[300];
	size_t k;

	if (cl->n == CL_MAX_SERVERS) {
		cli_err("more than %d servers", CL_MAX_SERVERS);
		return EXIT_USAGE;
	}
	memset(&cl->nodes[cl->n], 0, sizeof(cl->nodes[cl->n]));
	if (prov_target_parse(spec, &cl->nodes[cl->n].t, err, sizeof(err)) != 0) {
		cli_err("--server %s", err);
		return EXIT_USAGE;
	}
	for (k = 0; k < cl->n; k++)
		if (strcmp(cl->nodes[k].t.name, cl->nodes[cl->n].t.name) == 0) {
			cli_err("--server %s given twice", cl->nodes[k].t.name);
			return EXIT_USAGE;
		}
	cl->nodes[cl->n].mode = -1;
	cl->nodes[cl->n].mode_after = -1;
	cl->n++;
	return EXIT_OK;
}

static int
init_nodes(struct cluster *cl)
{
	size_t i;
	int rc;

	for (i = 0; i < cl->o.nservers; i++)
		if ((rc = add_node(cl, cl->o.servers[i])) != EXIT_OK)
			return rc;
	return EXIT_OK;
}

/* Everything before the first connection: known_hosts, pins, the password. */
static int
init_common(struct cluster *cl)
{
	char err[600];
	int rc;

	if ((rc = apply_pins(cl)) != EXIT_OK)
		return rc;
	if (prov_known_load(&cl->known, err, sizeof(err)) != 0) {
		cli_err("%s", err);
		return EXIT_INPUT;
	}
	if (prov_password_get(cl->o.password_file, cl->o.user, &cl->password, err, sizeof(err)) != 0) {
		cli_err("%s", err);
		return EXIT_USAGE;
	}
	cl->progress = isatty(STDERR_FILENO);
	return EXIT_OK;
}

int
cl_init(struct cluster *cl)
{
	int rc;

	if ((rc = init_nodes(cl)) != EXIT_OK)
		return rc;
	return init_common(cl);
}

void
cl_cleanup(struct cluster *cl)
{
	size_t i, k;

	for (i = 0; i < cl->n; i++) {
		for (k = 0; k < cl->nodes[i].ncerts; k++)
			X509_free(cl->nodes[i].certs[k].cert);
		free(cl->nodes[i].ctl);
	}
	prov_password_free(cl->password);
	prov_known_cleanup(&cl->known);
	pthread_mutex_destroy(&cl->lock);
}

void
cl_progress(struct cluster *cl, const char *fmt, ...)
{
	va_list ap;

	if (!cl->progress)
		return;
	pthread_mutex_lock(&cl->lock);
	fputs("ctl-client: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&cl->lock);
}

void
cl_hex(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 <= outlen; i++) {
		if (i > 0)
			out[o++] = ':';
		out[o++] = hx[p[i] >> 4];
		out[o++] = hx[p[i] & 15];
	}
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
}

/* ------------------------------------------------------------------ */
/* Sessions                                                             */

static void node_fail(struct cl_node *nd, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
node_fail(struct cl_node *nd, int rc, const char *fmt, ...)
{
	va_list ap;

	nd->failed = 1;
	nd->rc = rc;
	va_start(ap, fmt);
	if (vsnprintf(nd->err, sizeof(nd->err), fmt, ap) < 0)
		nd->err[0] = '\0';
	va_end(ap);
}

/* Server text into a fixed buffer: printable ASCII only. */
static void
copy_text(char *dst, size_t cap, const struct ctl_prov_item *it)
{
	size_t i, n;

	dst[0] = '\0';
	if (it == NULL)
		return;
	n = it->len < cap - 1 ? it->len : cap - 1;
	for (i = 0; i < n; i++)
		dst[i] = (it->val[i] < 0x20 || it->val[i] > 0x7e) ? '?' : (char)it->val[i];
	dst[n] = '\0';
}

/* A certificate other than the one expected under name: refused before login. */
static int
changed(struct cl_node *nd, const char *name, const uint8_t *want, const char *source)
{
	char got[PROV_FP_HEX], exp[PROV_FP_HEX];

	prov_fp_hex(nd->fp, got, sizeof(got));
	prov_fp_hex(want, exp, sizeof(exp));
	node_fail(nd, EXIT_FAIL,
	          "SERVER CERTIFICATE CHANGED: %s presents SHA256 %s but %s %s for %s; refusing to log in "
	          "(nothing was sent). If the node's certificate was replaced on purpose, check the "
	          "new fingerprint on the node and pass --fingerprint %s=%s",
	          nd->t.name, got, source, exp, name, nd->t.name, got);
	return -1;
}

/* Never seen under any name: asked on a terminal after the fan-out, else refused. */
static int
unknown(struct cluster *cl, struct cl_node *nd)
{
	char hex[PROV_FP_HEX];

	if (cl->o.accept_new) {
		nd->fp_record = 1;
		return 0;
	}
	nd->unknown = 1;
	prov_fp_hex(nd->fp, hex, sizeof(hex));
	node_fail(nd, EXIT_IDENTITY,
	          "unknown server: certificate SHA256 %s (subject %s) was never seen before; refusing to "
	          "log in (nothing was sent). Compare it with the fingerprint shown on the node, then "
	          "pass --fingerprint %s=SHA256:%s, or --accept-new to trust it on first use",
	          hex, nd->subject[0] ? nd->subject : "-", nd->t.name, hex);
	return -1;
}

/*
 * The server's identity before anything is sent: pinned (--fingerprint or a
 * yes on the terminal), else what known_hosts records under the name or
 * under the address it resolved to (any difference is a changed
 * certificate), else the same certificate recorded under another name,
 * else a first contact. Accepted identities are recorded after login.
 */
static int
identity(struct cluster *cl, struct cl_node *nd)
{
	const char *names[2] = { nd->t.name, nd->peer }, *other;
	const uint8_t *want;
	size_t i, seen = 0;

	nd->fp_record = 0;
	nd->known_as[0] = '\0';
	if (nd->has_pin || nd->accepted) {
		want = nd->has_pin ? nd->pin : nd->accept_fp;
		if (CRYPTO_memcmp(want, nd->fp, PROV_FP_LEN) != 0)
			return changed(nd, nd->t.name, want, nd->has_pin ? "--fingerprint pins" : "the terminal accepted");
		nd->fp_record = 1;
		return 0;
	}
	for (i = 0; i < 2; i++) {
		if (names[i][0] == '\0' || (i == 1 && strcmp(names[1], names[0]) == 0) ||
		    (want = prov_known_find(&cl->known, names[i])) == NULL)
			continue;
		if (CRYPTO_memcmp(want, nd->fp, PROV_FP_LEN) != 0)
			return changed(nd, names[i], want, "known_hosts records");
		seen++;
	}
	if (seen > 0) {
		nd->fp_record = 1; /* adds the name or the address if one is missing */
		return 0;
	}
	if ((other = prov_known_find_fp(&cl->known, nd->fp)) != NULL) {
		(void)snprintf(nd->known_as, sizeof(nd->known_as), "%s", other);
		nd->fp_record = 1;
		return 0;
	}
	return unknown(cl, nd);
}

static int
login(struct cluster *cl, struct cl_node *nd, struct prov_conn *c)
{
	char e[600];
	uint16_t st;
	enum prov_rc rc = prov_login(c, cl->o.user, cl->password, &st, e, sizeof(e));

	if (rc == PROV_OK)
		return 0;
	if (rc == PROV_E_STATUS && st == CTL_PROV_AUTH_FAILED)
		node_fail(nd, EXIT_FAIL, "login as '%s' refused: wrong user name or password", cl->o.user);
	else if (rc == PROV_E_STATUS && st == CTL_PROV_THROTTLED)
		node_fail(nd, EXIT_FAIL, "login refused: too many failed logins from this address; "
		          "wait and retry");
	else
		node_fail(nd, EXIT_NETWORK, "LOGIN: %s", e);
	return -1;
}

static int
get_cert_item(struct cl_node *nd, const struct ctl_prov_item *it)
{
	const uint8_t *p = it->val + 2;
	X509 *x;

	if (it->len < 3 || nd->ncerts == CL_MAX_CERTS)
		return -1;
	if ((x = d2i_X509(NULL, &p, (long)(it->len - 2))) == NULL || p != it->val + it->len) {
		X509_free(x);
		return -1;
	}
	nd->certs[nd->ncerts].role = (uint16_t)(it->val[0] << 8 | it->val[1]);
	nd->certs[nd->ncerts++].cert = x;
	return 0;
}

static int
do_info(struct cl_node *nd, struct prov_conn *c)
{
	struct ctl_wr wr;
	struct prov_resp r;
	const struct ctl_prov_item *it;
	char e[600];
	size_t i;
	int rc = -1;

	if (prov_begin(c, &wr, CTL_PROV_GET_INFO) != PROV_OK)
		return -1;
	if (prov_call(c, &wr, &r, e, sizeof(e)) != PROV_OK) {
		node_fail(nd, EXIT_NETWORK, "GET_INFO: %s", e);
		goto out;
	}
	copy_text(nd->hostname, sizeof(nd->hostname), ctl_prov_find(&r.m, CTL_PROV_T_HOSTNAME));
	copy_text(nd->version, sizeof(nd->version), ctl_prov_find(&r.m, CTL_PROV_T_VERSION));
	if ((it = ctl_prov_find(&r.m, CTL_PROV_T_IPV4)) != NULL && it->len == 4) {
		nd->has_ip = 1;
		memcpy(nd->ip, it->val, 4);
	}
	if ((it = ctl_prov_find(&r.m, CTL_PROV_T_MODE)) != NULL && it->len == 1)
		nd->mode = it->val[0];
	for (i = 0; i < r.m.nitems; i++)
		if (r.m.items[i].tag == CTL_PROV_T_CERT && get_cert_item(nd, &r.m.items[i]) != 0) {
			node_fail(nd, EXIT_NETWORK, "GET_INFO: certificate item %zu is not a role and a DER "
			          "certificate (or more than %d)", i, CL_MAX_CERTS);
			goto out;
		}
	if (nd->ncerts == 0 || nd->hostname[0] == '\0') {
		node_fail(nd, EXIT_NETWORK, "GET_INFO: the server sent no %s",
		          nd->ncerts == 0 ? "certificate" : "host name");
		goto out;
	}
	rc = 0;
out:
	prov_resp_free(&r);
	return rc;
}

static int
do_get_ctl(struct cl_node *nd, struct prov_conn *c)
{
	struct ctl_wr wr;
	struct prov_resp r;
	const struct ctl_prov_item *f;
	enum prov_rc pr;
	char e[600];
	int rc = -1;

	if (prov_begin(c, &wr, CTL_PROV_GET_CTL) != PROV_OK)
		return -1;
	pr = prov_call(c, &wr, &r, e, sizeof(e));
	if (pr == PROV_E_STATUS && r.m.status == CTL_PROV_NOT_FOUND) {
		rc = 0; /* no CTL installed */
		goto out;
	}
	if (pr != PROV_OK) {
		node_fail(nd, EXIT_NETWORK, "GET_CTL: %s", e);
		goto out;
	}
	if ((f = ctl_prov_find(&r.m, CTL_PROV_T_CTL_FILE)) == NULL || f->len == 0 ||
	    (nd->ctl = malloc(f->len)) == NULL) {
		node_fail(nd, EXIT_NETWORK, "GET_CTL: no CTL_FILE in the response");
		goto out;
	}
	memcpy(nd->ctl, f->val, f->len);
	nd->ctl_len = f->len;
	copy_text(nd->ctl_md5, sizeof(nd->ctl_md5), ctl_prov_find(&r.m, CTL_PROV_T_MD5));
	rc = 0;
out:
	prov_resp_free(&r);
	return rc;
}

static int
do_put(struct cluster *cl, struct cl_node *nd, struct prov_conn *c)
{
	struct ctl_wr wr;
	struct prov_resp r;
	char e[600];
	int rc = -1;

	if (prov_begin(c, &wr, CTL_PROV_PUT_CTL) != PROV_OK)
		return -1;
	if (ctl_prov_put(&wr, CTL_PROV_T_CTL_FILE, cl->put, cl->put_len) != CTL_OK ||
	    (cl->o.override_trust &&
	     (ctl_prov_put_u8(&wr, CTL_PROV_T_OVERRIDE, 1) != CTL_OK ||
	      ctl_prov_put_str(&wr, CTL_PROV_T_REASON, cl->o.reason ? cl->o.reason
	                                                            : "ctl-client --override-trust") != CTL_OK))) {
		ctl_wr_cleanup(&wr);
		node_fail(nd, EXIT_INTERNAL, "PUT_CTL: request too large");
		return -1;
	}
	if (prov_call(c, &wr, &r, e, sizeof(e)) != PROV_OK) {
		node_fail(nd, r.m.status == CTL_PROV_OK ? EXIT_NETWORK : EXIT_FAIL, "upload refused: %s%s", e,
		          r.m.status == CTL_PROV_CTL_NOT_TRUSTED
		                  ? " (the installed CTL lists other tokens; --override-trust for recovery)" : "");
		goto out;
	}
	copy_text(nd->md5_after, sizeof(nd->md5_after), ctl_prov_find(&r.m, CTL_PROV_T_MD5));
	if (strcmp(nd->md5_after, cl->put_md5) != 0) {
		node_fail(nd, EXIT_NETWORK, "upload: the server stored md5 %s, sent %s", nd->md5_after,
		          cl->put_md5);
		goto out;
	}
	rc = 0;
out:
	prov_resp_free(&r);
	return rc;
}

static int
do_mode(struct cluster *cl, struct cl_node *nd, struct prov_conn *c)
{
	struct ctl_wr wr;
	struct prov_resp r;
	const struct ctl_prov_item *it;
	char e[600];
	int rc = -1;

	if (prov_begin(c, &wr, CTL_PROV_SET_MODE) != PROV_OK)
		return -1;
	if (ctl_prov_put_u8(&wr, CTL_PROV_T_MODE, (uint8_t)cl->set_mode) != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return -1;
	}
	if (prov_call(c, &wr, &r, e, sizeof(e)) != PROV_OK) {
		node_fail(nd, r.m.status == CTL_PROV_OK ? EXIT_NETWORK : EXIT_FAIL, "SET_MODE %d: %s",
		          cl->set_mode, e);
		goto out;
	}
	it = ctl_prov_find(&r.m, CTL_PROV_T_MODE);
	nd->mode_after = (it != NULL && it->len == 1) ? it->val[0] : cl->set_mode;
	rc = 0;
out:
	prov_resp_free(&r);
	return rc;
}

static void
session(void *arg, size_t i)
{
	struct cluster *cl = arg;
	struct cl_node *nd = &cl->nodes[i];
	struct prov_conn *c = NULL;
	char e[600];
	enum prov_rc pr;
	size_t done;

	if (nd->skip)
		return;
	nd->failed = 0;
	nd->err[0] = '\0';
	nd->unknown = 0;
	nd->logged_in = 0;
	cl_progress(cl, "%s: connecting", nd->t.name);
	if ((pr = prov_connect(&nd->t, (int)cl->o.timeout, &c, nd->fp, e, sizeof(e))) != PROV_OK) {
		node_fail(nd, pr == PROV_E_NOMEM ? EXIT_INTERNAL : EXIT_NETWORK, "%s", e);
		goto out;
	}
	nd->fp_seen = 1;
	(void)snprintf(nd->peer, sizeof(nd->peer), "%s", prov_peer(c));
	(void)snprintf(nd->subject, sizeof(nd->subject), "%s", prov_subject(c));
	if (identity(cl, nd) != 0 || login(cl, nd, c) != 0)
		goto out;
	nd->logged_in = 1;
	if (((cl->ops & CL_OP_INFO) && do_info(nd, c) != 0) || ((cl->ops & CL_OP_CTL) && do_get_ctl(nd, c) != 0) ||
	    ((cl->ops & CL_OP_PUT) && do_put(cl, nd, c) != 0) || ((cl->ops & CL_OP_MODE) && do_mode(cl, nd, c) != 0)) {
		if (!nd->failed)
			node_fail(nd, EXIT_INTERNAL, "out of memory");
	}
out:
	prov_close(c);
	pthread_mutex_lock(&cl->lock);
	done = ++cl->done;
	pthread_mutex_unlock(&cl->lock);
	if (nd->failed)
		cl_progress(cl, "[%zu/%zu] %s: FAILED: %s", done, cl->n, nd->t.name, nd->err);
	else if (cl->ops & CL_OP_INFO)
		cl_progress(cl, "[%zu/%zu] %s: %s, %zu certificate%s%s", done, cl->n, nd->t.name, nd->hostname,
		            nd->ncerts, nd->ncerts == 1 ? "" : "s", nd->ctl ? ", CTL installed" : "");
	else
		cl_progress(cl, "[%zu/%zu] %s: done", done, cl->n, nd->t.name);
}

/* After a login: records the server's name and address, saying so unless only an alias was added. */
static void
record_one(struct cluster *cl, struct cl_node *nd)
{
	const char *names[2] = { nd->t.name, nd->peer };
	const uint8_t *old = prov_known_find(&cl->known, nd->t.name);
	const uint8_t *olda = nd->peer[0] ? prov_known_find(&cl->known, nd->peer) : NULL;
	int same = old != NULL && CRYPTO_memcmp(old, nd->fp, PROV_FP_LEN) == 0;
	int samea = nd->peer[0] == '\0' || (olda != NULL && CRYPTO_memcmp(olda, nd->fp, PROV_FP_LEN) == 0);
	int was_new = old == NULL && olda == NULL;
	char hex[PROV_FP_HEX], err[600];

	if (same && samea)
		return;
	prov_fp_hex(nd->fp, hex, sizeof(hex));
	if (prov_known_record(&cl->known, names, 2, nd->fp, err, sizeof(err)) != 0) {
		cli_warn("%s", err);
		return;
	}
	if (nd->known_as[0] != '\0')
		cli_err("server %s: certificate known as %s; recorded in %s", nd->t.name, nd->known_as,
		        cl->known.path);
	else if (was_new)
		cli_err("new server %s: certificate SHA256 fingerprint %s; recorded in %s", nd->t.name, hex,
		        cl->known.path);
	else if ((old != NULL && !same) || (olda != NULL && !samea))
		cli_err("pinned server %s: certificate SHA256 fingerprint %s; recorded in %s", nd->t.name, hex,
		        cl->known.path);
}

/* Only after a successful login: a wrong address is not remembered. */
static void
record_identities(struct cluster *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++) {
		struct cl_node *nd = &cl->nodes[i];

		if (nd->skip || !nd->fp_seen || !nd->fp_record || !nd->logged_in)
			continue;
		nd->fp_record = 0;
		record_one(cl, nd);
	}
}

/* Asks on the terminal about one server never seen before. 1: accepted. */
static int
ask_new(FILE *tty, const struct cl_node *nd)
{
	char hex[PROV_FP_HEX], line[256];
	uint8_t typed[PROV_FP_LEN];

	prov_fp_hex(nd->fp, hex, sizeof(hex));
	fprintf(tty, "The CTL Provider %s (%s) was never seen before.\n"
	        "  certificate subject: %s\n"
	        "  certificate SHA256 fingerprint: %s\n"
	        "Compare the fingerprint with the one shown on the node.\n"
	        "Send the password and remember this certificate? [yes/no] ",
	        nd->t.name, nd->peer, nd->subject[0] ? nd->subject : "-", hex);
	fflush(tty);
	if (fgets(line, sizeof(line), tty) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	/* Like ssh: "yes", or the fingerprint itself pasted from the node. */
	return strcasecmp(line, "yes") == 0 ||
	       (prov_fp_parse(line, typed) == 0 && CRYPTO_memcmp(typed, nd->fp, PROV_FP_LEN) == 0);
}

/* First contacts of this run: asked on a terminal; without one they stay refused. Count accepted. */
static size_t
confirm_new(struct cluster *cl)
{
	FILE *tty = NULL;
	size_t i, n = 0;

	for (i = 0; i < cl->n; i++) {
		struct cl_node *nd = &cl->nodes[i];

		if (nd->skip || !nd->unknown)
			continue;
		if (tty == NULL && (!isatty(STDIN_FILENO) || (tty = fopen("/dev/tty", "r+")) == NULL))
			return 0; /* each node keeps its "unknown server" error */
		if (!ask_new(tty, nd)) {
			node_fail(nd, EXIT_IDENTITY, "unknown server %s not confirmed; nothing was sent",
			          nd->t.name);
			continue;
		}
		nd->accepted = 1;
		memcpy(nd->accept_fp, nd->fp, PROV_FP_LEN);
		n++;
	}
	if (tty != NULL)
		fclose(tty);
	return n;
}

/* Runs the phase again on the servers accepted on the terminal only. */
static void
rerun_accepted(struct cluster *cl)
{
	int skip[CL_MAX_SERVERS];
	size_t i;

	for (i = 0; i < cl->n; i++) {
		skip[i] = cl->nodes[i].skip;
		if (!cl->nodes[i].unknown || !cl->nodes[i].accepted)
			cl->nodes[i].skip = 1;
	}
	cl->done = 0;
	prov_fanout(cl->n, session, cl);
	for (i = 0; i < cl->n; i++)
		cl->nodes[i].skip = skip[i];
	record_identities(cl);
}

int
cl_run(struct cluster *cl, unsigned ops)
{
	size_t i;

	cl->ops = ops;
	cl->done = 0;
	for (i = 0; i < cl->n; i++)
		if (!cl->nodes[i].skip)
			cl->nodes[i].failed = 0;
	prov_fanout(cl->n, session, cl);
	record_identities(cl);
	if (confirm_new(cl) > 0)
		rerun_accepted(cl);
	for (i = 0; i < cl->n; i++)
		if (!cl->nodes[i].skip && cl->nodes[i].failed)
			return cl->nodes[i].rc;
	return EXIT_OK;
}

int
cl_report_failures(const struct cluster *cl)
{
	size_t i;
	int rc = EXIT_OK;

	for (i = 0; i < cl->n; i++) {
		if (cl->nodes[i].skip || !cl->nodes[i].failed)
			continue;
		cli_err("%s: %s", cl->nodes[i].t.name, cl->nodes[i].err);
		if (rc == EXIT_OK)
			rc = cl->nodes[i].rc;
	}
	return rc;
}

int
cl_confirm(const struct cluster *cl, const char *question)
{
	char line[32];
	FILE *tty;
	int yes;

	if (cl->o.yes)
		return EXIT_OK;
	if (!isatty(STDIN_FILENO) || (tty = fopen("/dev/tty", "r+")) == NULL) {
		cli_err("no terminal to ask for confirmation on; pass --yes to proceed without asking");
		return EXIT_USAGE;
	}
	fprintf(tty, "%s [y/N] ", question);
	fflush(tty);
	yes = fgets(line, sizeof(line), tty) != NULL && (line[0] == 'y' || line[0] == 'Y');
	fclose(tty);
	if (!yes) {
		cli_err("cancelled; nothing was changed");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int
cl_pick_installed(const struct cluster *cl)
{
	size_t i;
	int first = -1;

	for (i = 0; i < cl->n; i++) {
		if (cl->nodes[i].ctl == NULL)
			continue;
		if (first < 0)
			first = (int)i;
		else if (strcmp(cl->nodes[i].ctl_md5, cl->nodes[first].ctl_md5) != 0)
			cli_warn("%s holds a different CTL (md5 %s) than %s (md5 %s); using the latter's "
			         "token records", cl->nodes[i].t.name, cl->nodes[i].ctl_md5,
			         cl->nodes[first].t.name, cl->nodes[first].ctl_md5);
	}
	return first;
}

/* ------------------------------------------------------------------ */
/* Results and --retry-failed state                                     */

static int
state_path(char *out, size_t len, const char *file)
{
	char dir[4096];
	int n;

	if (prov_config_dir(dir, sizeof(dir), 1) != 0)
		return -1;
	n = snprintf(out, len, "%s/%s", dir, file);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Saves which servers are done; removes the state when all are. */
static void
state_save(const struct cluster *cl, const uint8_t *ctl, size_t len, int mode)
{
	char sp[4200], tp[4200], line[400];
	struct ctl_wr wr;
	struct ctl_diag d;
	size_t i, nfail = 0;
	int n;

	if (state_path(sp, sizeof(sp), "retry.state") != 0 || state_path(tp, sizeof(tp), "retry.tlv") != 0)
		return;
	for (i = 0; i < cl->n; i++)
		nfail += cl->nodes[i].failed != 0;
	if (nfail == 0) {
		(void)unlink(sp);
		(void)unlink(tp);
		return;
	}
	ctl_wr_init(&wr, 1u << 20);
	n = snprintf(line, sizeof(line), "op %s\nmode %d\nctl %d\n", cl->cmd->name, mode, ctl != NULL);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)ctl_wr_bytes(&wr, line, (size_t)n);
	for (i = 0; i < cl->n; i++) {
		n = snprintf(line, sizeof(line), "server %s %s\n", cl->nodes[i].t.name,
		             cl->nodes[i].failed ? "failed" : "ok");
		if (n > 0 && (size_t)n < sizeof(line))
			(void)ctl_wr_bytes(&wr, line, (size_t)n);
	}
	if ((ctl != NULL && ctl_write_atomic(tp, ctl, len, 0600, &d) != CTL_OK) ||
	    ctl_write_atomic(sp, wr.buf, wr.len, 0600, &d) != CTL_OK)
		cli_warn("cannot save the state for --retry-failed in %s", sp);
	ctl_wr_cleanup(&wr);
}

static const char *
mode_name(int m)
{
	return m == 1 ? "1 (mixed)" : m == 0 ? "0 (non-secure)" : "-";
}

static void
print_table(const struct cluster *cl, const char *md5, size_t nfail)
{
	size_t i;

	printf("%-22s %-24s %-7s %-32s %s\n", "SERVER", "HOST", "RESULT", "CTL MD5", "MODE");
	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];
		const char *res = nd->failed ? "FAILED" : nd->skip ? "earlier" : "ok";

		printf("%-22s %-24s %-7s %-32s %s\n", nd->t.name, nd->hostname[0] ? nd->hostname : "-", res,
		       nd->failed || nd->skip ? "-" : nd->md5_after[0] ? nd->md5_after : "-",
		       nd->failed || nd->skip ? "-" : mode_name(nd->mode_after));
		if (nd->failed)
			printf("  %s\n", nd->err);
	}
	if (nfail == 0)
		printf("%s: done on all %zu servers%s%s\n", cl->cmd->name, cl->n, md5 ? ", CTL md5 " : "",
		       md5 ? md5 : "");
	else
		printf("%s: %zu of %zu servers failed; fix the cause and run 'ctl-client %s --retry-failed "
		       "--user %s' to finish\n", cl->cmd->name, nfail, cl->n, cl->cmd->name, cl->o.user);
}

static void
print_json(const struct cluster *cl, const char *md5, size_t nfail)
{
	size_t i;

	printf("{\"tool\":\"ctl-client\",\"version\":\"%s\",\"command\":\"%s\",\"ok\":%s,\"md5\":",
	       CTL_VERSION_STRING, cl->cmd->name, nfail ? "false" : "true");
	ctl_json_fputs_or_null(stdout, md5);
	fputs(",\"servers\":[", stdout);
	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];

		printf("%s{\"server\":", i ? "," : "");
		ctl_json_fputs(stdout, nd->t.name);
		fputs(",\"hostname\":", stdout);
		ctl_json_fputs(stdout, nd->hostname);
		printf(",\"result\":\"%s\",\"md5\":", nd->failed ? "failed" : nd->skip ? "earlier" : "ok");
		ctl_json_fputs_or_null(stdout, !nd->failed && !nd->skip && nd->md5_after[0] ? nd->md5_after : NULL);
		if (!nd->failed && !nd->skip && nd->mode_after >= 0)
			printf(",\"mode\":%d", nd->mode_after);
		else
			fputs(",\"mode\":null", stdout);
		fputs(",\"error\":", stdout);
		ctl_json_fputs_or_null(stdout, nd->failed ? nd->err : NULL);
		fputs("}", stdout);
	}
	fputs("]}\n", stdout);
}

int
cl_apply(struct cluster *cl, const uint8_t *ctl, size_t len, int mode)
{
	struct ctl_sums s;
	size_t i, nfail = 0;
	int rc = EXIT_OK;

	cl->put = ctl;
	cl->put_len = len;
	cl->put_md5[0] = '\0';
	if (ctl != NULL && ctl_checksums(ctl, len, &s) == CTL_OK)
		memcpy(cl->put_md5, s.md5, sizeof(cl->put_md5));
	cl->set_mode = mode;
	(void)cl_run(cl, (ctl ? CL_OP_PUT : 0) | (mode >= 0 ? CL_OP_MODE : 0));
	state_save(cl, ctl, len, mode);
	for (i = 0; i < cl->n; i++)
		if (cl->nodes[i].failed) {
			nfail++;
			if (rc == EXIT_OK)
				rc = cl->nodes[i].rc;
		}
	if (cl->o.json)
		print_json(cl, ctl ? cl->put_md5 : NULL, nfail);
	else
		print_table(cl, ctl ? cl->put_md5 : NULL, nfail);
	return rc;
}

/* Reads the saved state: the servers, which failed, the mode and the CTL. */
static int
state_load(struct cluster *cl, uint8_t **ctl, size_t *len, int *mode)
{
	char sp[4200], tp[4200], line[400], op[64], name[300], res[16];
	struct ctl_diag d;
	int has_ctl = 0, m = -1, rc;
	FILE *f;

	*ctl = NULL;
	*len = 0;
	if (state_path(sp, sizeof(sp), "retry.state") != 0 || state_path(tp, sizeof(tp), "retry.tlv") != 0 ||
	    (f = fopen(sp, "r")) == NULL) {
		cli_err("--retry-failed: no unfinished job is recorded (the last run succeeded everywhere)");
		return EXIT_FAIL;
	}
	op[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "op %63s", op) == 1 || sscanf(line, "mode %d", &m) == 1 ||
		    sscanf(line, "ctl %d", &has_ctl) == 1)
			continue;
		if (sscanf(line, "server %299s %15s", name, res) == 2) {
			if ((rc = add_node(cl, name)) != EXIT_OK) {
				fclose(f);
				return rc;
			}
			cl->nodes[cl->n - 1].skip = strcmp(res, "ok") == 0;
		}
	}
	fclose(f);
	if (strcmp(op, cl->cmd->name) != 0) {
		cli_err("--retry-failed: the unfinished job is from '%s'; run 'ctl-client %s --retry-failed'",
		        op, op);
		return EXIT_USAGE;
	}
	if (has_ctl && ctl_read_file(tp, CTL_MAX_FILE, ctl, len, &d) != CTL_OK) {
		cli_diag(tp, &d);
		return EXIT_INPUT;
	}
	*mode = m;
	return EXIT_OK;
}

int
cl_retry(struct cluster *cl)
{
	uint8_t *ctl = NULL;
	size_t len = 0, i, k, todo = 0;
	int mode = -1, rc;

	if ((rc = state_load(cl, &ctl, &len, &mode)) != EXIT_OK)
		goto out;
	/* With --server, only those of the failed ones. */
	for (i = 0; i < cl->n; i++) {
		struct prov_target t;
		int named = cl->o.nservers == 0;

		for (k = 0; k < cl->o.nservers && !named; k++)
			named = prov_target_parse(cl->o.servers[k], &t, NULL, 0) == 0 &&
			        strcmp(t.name, cl->nodes[i].t.name) == 0;
		if (!cl->nodes[i].skip && !named) {
			cl->nodes[i].skip = 1;
			cl->nodes[i].failed = 1;
			node_fail(&cl->nodes[i], EXIT_FAIL, "not retried (not named by --server)");
		}
		todo += !cl->nodes[i].skip;
	}
	if ((rc = init_common(cl)) != EXIT_OK)
		goto out;
	cl_progress(cl, "retrying the unfinished '%s' on %zu server%s", cl->cmd->name, todo,
	            todo == 1 ? "" : "s");
	rc = cl_apply(cl, ctl, len, mode);
out:
	free(ctl);
	return rc;
}
