/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One session per server, run in parallel: connect, check the identity,
 * log in, then the phase's requests (GET_INFO, GET_CTL, PUT_CTL,
 * SET_MODE, the SBD ones of cluster_sbd_session.c, GET_ITL). The answers
 * go into the node through cluster_state.c; first contacts are asked about
 * on the terminal after the fan-out; the result is printed by
 * cluster_report.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cluster.h"

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

static CTL_MUST_USE int
login(struct cluster *cl, struct cl_node *nd, struct prov_conn *c)
{
	char e[600];
	int refused;

	if (prov_login_as(c, cl->o.user, ctl_secret_str(cl->password), &refused, e, sizeof(e)) == PROV_OK)
		return 0;
	cl_node_fail(nd, refused ? EXIT_FAIL : EXIT_NETWORK, "%s", e);
	return -1;
}

/*
 * A request without items (GET_INFO, GET_CTL, GET_ITL) whose answer take()
 * moves into the node. A status listed in absent means the node has none:
 * 0 without take. Any other failure is the node's error "what: reason".
 */
static CTL_MUST_USE int
get(struct cl_node *nd, struct prov_conn *c, uint8_t type, const char *what, const uint16_t *absent,
    size_t nabsent, int (*take)(struct cl_node *, const struct ctl_prov_msg *))
{
	struct ctl_wr wr;
	struct prov_resp r;
	enum prov_rc pr;
	char e[600];
	size_t k;
	int rc = -1;

	if (prov_begin(c, &wr, type) != PROV_OK)
		return -1;
	pr = prov_call(c, &wr, &r, e, sizeof(e));
	for (k = 0; pr == PROV_E_STATUS && k < nabsent; k++)
		if (r.m.status == absent[k])
			break;
	if (pr == PROV_E_STATUS && k < nabsent)
		rc = 0;
	else if (pr != PROV_OK)
		cl_node_fail(nd, EXIT_NETWORK, "%s: %s", what, e);
	else
		rc = take(nd, &r.m);
	prov_resp_free(&r);
	return rc;
}

static CTL_MUST_USE int
do_info(struct cl_node *nd, struct prov_conn *c)
{
	return get(nd, c, CTL_PROV_GET_INFO, "GET_INFO", NULL, 0, cl_node_take_info);
}

static CTL_MUST_USE int
do_get_ctl(struct cl_node *nd, struct prov_conn *c)
{
	static const uint16_t none[] = { CTL_PROV_NOT_FOUND }; /* no CTL installed */

	return get(nd, c, CTL_PROV_GET_CTL, "GET_CTL", none, 1, cl_node_take_ctl);
}

/* After the SBD requests of the session (an ITL_RESET changes the ITL). */
static CTL_MUST_USE int
do_get_itl(struct cl_node *nd, struct prov_conn *c)
{
	/* NOT_FOUND: no ITL served; UNSUPPORTED: a provider from before GET_ITL. */
	static const uint16_t none[] = { CTL_PROV_NOT_FOUND, CTL_PROV_UNSUPPORTED };

	nd->has_itl = 0;
	return get(nd, c, CTL_PROV_GET_ITL, "GET_ITL", none, 2, cl_node_take_itl);
}

static CTL_MUST_USE int
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
		cl_node_fail(nd, EXIT_INTERNAL, "PUT_CTL: request too large");
		return -1;
	}
	if (prov_call(c, &wr, &r, e, sizeof(e)) != PROV_OK) {
		cl_node_fail(nd, r.m.status == CTL_PROV_OK ? EXIT_NETWORK : EXIT_FAIL, "upload refused: %s%s", e,
		          r.m.status == CTL_PROV_CTL_NOT_TRUSTED
		                  ? " (the installed CTL lists other tokens; --override-trust for recovery)" : "");
		goto out;
	}
	rc = cl_node_take_put(nd, cl->put_md5, &r.m);
out:
	prov_resp_free(&r);
	return rc;
}

static CTL_MUST_USE int
do_mode(struct cluster *cl, struct cl_node *nd, struct prov_conn *c)
{
	struct prov_resp r;

	if (cl_call_u8(nd, c, CTL_PROV_SET_MODE, CTL_PROV_T_MODE, (uint8_t)cl->set_mode, &r, "SET_MODE %d",
	               cl->set_mode) != 0)
		return -1;
	cl_node_take_mode(nd, cl->set_mode, &r.m);
	prov_resp_free(&r);
	return 0;
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
	cl_node_begin(nd);
	cl_progress(cl, "%s: connecting", nd->t.name);
	if ((pr = prov_connect(&nd->t, (int)cl->o.timeout, &c, nd->fp, e, sizeof(e))) != PROV_OK) {
		cl_node_fail(nd, pr == PROV_E_NOMEM ? EXIT_INTERNAL : EXIT_NETWORK, "%s", e);
		goto out;
	}
	nd->fp_seen = 1;
	(void)snprintf(nd->peer, sizeof(nd->peer), "%s", prov_peer(c));
	(void)snprintf(nd->subject, sizeof(nd->subject), "%s", prov_subject(c));
	if (cl_identity(cl, nd) != 0 || login(cl, nd, c) != 0)
		goto out;
	nd->logged_in = 1;
	if (((cl->ops & CL_OP_INFO) && do_info(nd, c) != 0) || ((cl->ops & CL_OP_CTL) && do_get_ctl(nd, c) != 0) ||
	    (cl->mode_first && (cl->ops & CL_OP_MODE) && do_mode(cl, nd, c) != 0) ||
	    ((cl->ops & CL_OP_PUT) && do_put(cl, nd, c) != 0) ||
	    (!cl->mode_first && (cl->ops & CL_OP_MODE) && do_mode(cl, nd, c) != 0) ||
	    cl_sbd_session(cl, i, c) != 0 || ((cl->ops & CL_OP_ITL) && do_get_itl(nd, c) != 0)) {
		if (!nd->failed)
			cl_node_fail(nd, EXIT_INTERNAL, "out of memory");
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

/* Asks on the terminal about one server never seen before. 1: accepted. */
static CTL_MUST_USE int
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
			cl_node_fail(nd, EXIT_IDENTITY, "unknown server %s not confirmed; nothing was sent",
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
	cl_record_identities(cl);
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
	cl_record_identities(cl);
	if (confirm_new(cl) > 0)
		rerun_accepted(cl);
	return cl_first_failure(cl);
}

/* Asks prompt (printed as is) on the terminal unless --yes; y or Y goes on. */
static CTL_MUST_USE int
ask(const struct cluster *cl, const char *prompt, const char *suffix)
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
	fprintf(tty, "%s%s", prompt, suffix);
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
cl_confirm(const struct cluster *cl, const char *question)
{
	return ask(cl, question, " [y/N] ");
}

int
cl_confirm_cucm(const struct cluster *cl, const char *question)
{
	return ask(cl, question, " Do you want to continue? (y/n):");
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
	/* Each node's outcome is in its failed/rc, counted below for every node. */
	CTL_IGNORE_RESULT(cl_run(cl, (ctl ? CL_OP_PUT : 0) | (mode >= 0 ? CL_OP_MODE : 0)));
	cl_state_save(cl, ctl, len, mode);
	for (i = 0; i < cl->n; i++)
		if (cl->nodes[i].failed) {
			nfail++;
			if (rc == EXIT_OK)
				rc = cl->nodes[i].rc;
		}
	if (cl->no_report)
		return rc;
	if (cl->o.json)
		cl_report_json(stdout, cl, ctl ? cl->put_md5 : NULL, nfail);
	else
		cl_report_table(stdout, cl, ctl ? cl->put_md5 : NULL, nfail);
	return rc;
}

int
cl_retry(struct cluster *cl)
{
	uint8_t *ctl = NULL;
	size_t len = 0, i, k, todo = 0;
	int mode = -1, rc;

	if ((rc = cl_state_load(cl, &ctl, &len, &mode)) != EXIT_OK)
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
			cl_node_fail(&cl->nodes[i], EXIT_FAIL, "not retried (not named by --server)");
		}
		todo += !cl->nodes[i].skip;
	}
	if ((rc = cl_init_common(cl)) != EXIT_OK)
		goto out;
	cl_progress(cl, "retrying the unfinished '%s' on %zu server%s", cl->cmd->name, todo,
	            todo == 1 ? "" : "s");
	rc = cl_apply(cl, ctl, len, mode);
out:
	free(ctl);
	return rc;
}
