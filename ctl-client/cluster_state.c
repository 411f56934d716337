/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the cluster commands know about each server, and every decision
 * made from it without the network: the nodes from --server and
 * --fingerprint, the server's identity against the pins and known_hosts
 * (pinned, known, changed, first contact), a response's items taken into
 * the node, the exit status of the worst node, which identities get
 * recorded, and the --retry-failed state file. cluster_session.c does the
 * talking and calls these; nothing here calls back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cluster.h"

void
cl_node_fail(struct cl_node *nd, int rc, const char *fmt, ...)
{
	va_list ap;

	nd->failed = 1;
	nd->rc = rc;
	va_start(ap, fmt);
	if (vsnprintf(nd->err, sizeof(nd->err), fmt, ap) < 0)
		nd->err[0] = '\0';
	va_end(ap);
}

/* --fingerprint [HOST[:PORT]=]FP: applies to the named node, or to the only one. */
static CTL_MUST_USE int
apply_pins(struct cluster *cl)
{
	struct prov_target t;
	char err[400];
	size_t i, k;

	for (i = 0; i < cl->o.nfingerprints; i++) {
		const char *a = cl->o.fingerprints[i];
		struct cl_node *nd = NULL;
		uint8_t fp[PROV_FP_LEN];

		if (prov_pin_parse(a, &t, fp, err, sizeof(err)) != 0) {
			cli_err("--fingerprint %s", err);
			return EXIT_USAGE;
		}
		if (t.name[0] == '\0' && cl->n == 1)
			nd = &cl->nodes[0];
		for (k = 0; k < cl->n && t.name[0] != '\0'; k++)
			if (strcmp(cl->nodes[k].t.name, t.name) == 0)
				nd = &cl->nodes[k];
		if (nd == NULL) {
			cli_err("--fingerprint '%s': expected [HOST[:PORT]=]SHA256 (64 hex digits) naming "
			        "one of the --server nodes", a);
			return EXIT_USAGE;
		}
		nd->has_pin = 1;
		memcpy(nd->pin, fp, PROV_FP_LEN);
	}
	return EXIT_OK;
}

int
cl_node_add(struct cluster *cl, const char *spec)
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

static CTL_MUST_USE int
init_nodes(struct cluster *cl)
{
	size_t i;
	int rc;

	for (i = 0; i < cl->o.nservers; i++)
		if ((rc = cl_node_add(cl, cl->o.servers[i])) != EXIT_OK)
			return rc;
	return EXIT_OK;
}

/* Everything before the first connection: known_hosts, pins, the password. */
int
cl_init_common(struct cluster *cl)
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
	return cl_init_common(cl);
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
	free(cl->signed_ctl);
	cl->signed_ctl = NULL;
	ctl_secret_free(cl->password);
	prov_known_cleanup(&cl->known);
	pthread_mutex_destroy(&cl->lock);
}

void
cl_node_begin(struct cl_node *nd)
{
	nd->failed = 0;
	nd->err[0] = '\0';
	nd->unknown = 0;
	nd->logged_in = 0;
}

int
cl_first_failure(const struct cluster *cl)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (!cl->nodes[i].skip && cl->nodes[i].failed)
			return cl->nodes[i].rc;
	return EXIT_OK;
}

/* The query prov_identity_check and prov_identity_record take for nd. */
static struct prov_id_query
id_query(const struct cluster *cl, const struct cl_node *nd)
{
	struct prov_id_query q = { nd->t.name, nd->peer, nd->subject, nd->fp, NULL, NULL, cl->o.accept_new };

	if (nd->has_pin || nd->accepted) {
		q.want = nd->has_pin ? nd->pin : nd->accept_fp;
		q.want_source = nd->has_pin ? "--fingerprint pins" : "the terminal accepted";
	}
	return q;
}

/*
 * The server's identity before anything is sent (prov_identity_check). A
 * first contact is asked about on the terminal after the fan-out; accepted
 * identities are recorded after login.
 */
int
cl_identity(struct cluster *cl, struct cl_node *nd)
{
	struct prov_id_query q = id_query(cl, nd);
	char e[sizeof(nd->err)];

	switch (prov_identity_check(&cl->known, &q, &nd->fp_record, nd->known_as, sizeof(nd->known_as), e,
	                            sizeof(e))) {
	case PROV_ID_OK:
		return 0;
	case PROV_ID_CHANGED:
		cl_node_fail(nd, EXIT_FAIL, "%s", e);
		return -1;
	case PROV_ID_UNKNOWN:
		nd->unknown = 1;
		cl_node_fail(nd, EXIT_IDENTITY, "%s", e);
		return -1;
	}
	return -1;
}

/* Server text into a fixed buffer, escaped for a terminal (ctl_text_escape), cut when too long. */
static void
copy_text(char *dst, size_t cap, const struct ctl_prov_item *it)
{
	dst[0] = '\0';
	if (it != NULL)
		(void)ctl_text_escape(dst, cap, it->val, it->len);
}

static CTL_MUST_USE int
get_cert_item(struct cl_node *nd, const struct ctl_prov_item *it)
{
	if (nd->ncerts == CL_MAX_CERTS ||
	    prov_item_cert(it, &nd->certs[nd->ncerts].role, &nd->certs[nd->ncerts].cert) != 0)
		return -1;
	nd->ncerts++;
	return 0;
}

int
cl_node_take_info(struct cl_node *nd, const struct ctl_prov_msg *m)
{
	const struct ctl_prov_item *it;
	size_t i;

	copy_text(nd->hostname, sizeof(nd->hostname), ctl_prov_find(m, CTL_PROV_T_HOSTNAME));
	copy_text(nd->version, sizeof(nd->version), ctl_prov_find(m, CTL_PROV_T_VERSION));
	if ((it = ctl_prov_find(m, CTL_PROV_T_IPV4)) != NULL && it->len == 4) {
		nd->has_ip = 1;
		memcpy(nd->ip, it->val, 4);
	}
	if ((it = ctl_prov_find(m, CTL_PROV_T_MODE)) != NULL && it->len == 1)
		nd->mode = it->val[0];
	for (i = 0; i < m->nitems; i++)
		if (m->items[i].tag == CTL_PROV_T_CERT && get_cert_item(nd, &m->items[i]) != 0) {
			cl_node_fail(nd, EXIT_NETWORK, "GET_INFO: certificate item %zu is not a role and a DER "
			             "certificate (or more than %d)", i, CL_MAX_CERTS);
			return -1;
		}
	if (nd->ncerts == 0 || nd->hostname[0] == '\0') {
		cl_node_fail(nd, EXIT_NETWORK, "GET_INFO: the server sent no %s",
		             nd->ncerts == 0 ? "certificate" : "host name");
		return -1;
	}
	return 0;
}

int
cl_node_take_ctl(struct cl_node *nd, const struct ctl_prov_msg *m)
{
	const struct ctl_prov_item *f = ctl_prov_find(m, CTL_PROV_T_CTL_FILE);

	if (f == NULL || f->len == 0) {
		cl_node_fail(nd, EXIT_NETWORK, "GET_CTL: no CTL_FILE in the response");
		return -1;
	}
	if ((nd->ctl = malloc(f->len)) == NULL) {
		cl_node_fail(nd, EXIT_INTERNAL, "GET_CTL: out of memory");
		return -1;
	}
	memcpy(nd->ctl, f->val, f->len);
	nd->ctl_len = f->len;
	copy_text(nd->ctl_md5, sizeof(nd->ctl_md5), ctl_prov_find(m, CTL_PROV_T_MD5));
	return 0;
}

int
cl_node_take_put(struct cl_node *nd, const char *sent_md5, const struct ctl_prov_msg *m)
{
	copy_text(nd->md5_after, sizeof(nd->md5_after), ctl_prov_find(m, CTL_PROV_T_MD5));
	if (strcmp(nd->md5_after, sent_md5) != 0) {
		cl_node_fail(nd, EXIT_NETWORK, "upload: the server stored md5 %s, sent %s", nd->md5_after,
		             sent_md5);
		return -1;
	}
	return 0;
}

void
cl_node_take_mode(struct cl_node *nd, int asked, const struct ctl_prov_msg *m)
{
	const struct ctl_prov_item *it = ctl_prov_find(m, CTL_PROV_T_MODE);

	nd->mode_after = (it != NULL && it->len == 1) ? it->val[0] : asked;
}

/* After a login: records the server's name and address, saying so unless only an alias was added. */
static void
record_one(struct cluster *cl, struct cl_node *nd)
{
	struct prov_id_query q = id_query(cl, nd);
	char err[600], say[1024];

	if (prov_identity_record(&cl->known, &q, nd->known_as, say, sizeof(say), err, sizeof(err)) != 0)
		cli_warn("%s", err);
	else if (say[0] != '\0')
		cli_err("%s", say);
}

/* Only after a successful login: a wrong address is not remembered. */
void
cl_record_identities(struct cluster *cl)
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

static CTL_MUST_USE int
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
void
cl_state_save(const struct cluster *cl, const uint8_t *ctl, size_t len, int mode)
{
	char sp[4200], tp[4200], line[400];
	struct ctl_wr wr;
	struct ctl_diag d;
	enum ctl_err r = CTL_OK;
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
		r = ctl_wr_bytes(&wr, line, (size_t)n);
	for (i = 0; i < cl->n && r == CTL_OK; i++) {
		n = snprintf(line, sizeof(line), "server %s %s\n", cl->nodes[i].t.name,
		             cl->nodes[i].failed ? "failed" : "ok");
		if (n > 0 && (size_t)n < sizeof(line))
			r = ctl_wr_bytes(&wr, line, (size_t)n);
	}
	/* A state that does not list every server would retry the wrong ones. */
	if (r != CTL_OK || (ctl != NULL && ctl_write_atomic(tp, ctl, len, 0600, &d) != CTL_OK) ||
	    ctl_write_atomic(sp, wr.buf, wr.len, 0600, &d) != CTL_OK)
		cli_warn("cannot save the state for --retry-failed in %s", sp);
	ctl_wr_cleanup(&wr);
}

/* Reads the saved state: the servers, which failed, the mode and the CTL. */
int
cl_state_load(struct cluster *cl, uint8_t **ctl, size_t *len, int *mode)
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
			if ((rc = cl_node_add(cl, name)) != EXIT_OK) {
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
