/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-client check: the troubleshooting checklist an administrator walks by
 * hand. For every server, the installed CTL against the live certificates
 * (serial, issuer, subject, validity dates, public key), the CTLs against
 * each other (md5), and every certificate expiring within --days. The md5
 * of the ITL a node serves (GET_ITL) is shown beside its CTL's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cluster.h"

#define MAX_FINDINGS 256

struct finding {
	size_t node;
	const char *kind; /* serial, issuer, subject, validity, public-key, missing, expired, ... */
	char msg[700];
};

struct check {
	struct cluster *cl;
	struct finding f[MAX_FINDINGS];
	size_t n;
};

static void add(struct check *ck, size_t node, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
add(struct check *ck, size_t node, const char *kind, const char *fmt, ...)
{
	va_list ap;
	struct finding *f;

	if (ck->n == MAX_FINDINGS)
		return;
	f = &ck->f[ck->n++];
	f->node = node;
	f->kind = kind;
	va_start(ap, fmt);
	if (vsnprintf(f->msg, sizeof(f->msg), fmt, ap) < 0)
		f->msg[0] = '\0';
	va_end(ap);
}

static void
date_str(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 || strftime(out, len, "%Y-%m-%d", &tm) == 0)
		(void)snprintf(out, len, "?");
}

/* Text of a record's name element (stored with its NUL). */
static CTL_MUST_USE int
text_eq(const struct ctl_bytes *b, const char *s)
{
	/* The CTL may say it in CUCM's form, the server's certificate in RFC 4514's. */
	return b->len > 0 && ctl_name_bytes_equal(b->p, b->len, s, strlen(s));
}

static void
names(X509 *x, char *subj, size_t slen, char *iss, size_t ilen)
{
	char *s = NULL, *i = NULL;

	/* A name that cannot be decoded (s or i left NULL) is shown as "?". */
	CTL_IGNORE_RESULT(ctl_name_string(X509_get_subject_name(x), &s));
	CTL_IGNORE_RESULT(ctl_name_string(X509_get_issuer_name(x), &i));
	(void)snprintf(subj, slen, "%s", s ? s : "?");
	(void)snprintf(iss, ilen, "%s", i ? i : "?");
	free(s);
	free(i);
}

/* Compares one live certificate with its CTL record, field by field. */
static void
compare(struct check *ck, size_t ni, const char *role, X509 *live, const struct ctl_record *r, size_t ri)
{
	char subj[300], iss[300], a[200], b[200];
	const unsigned char *p = r->cert.p;
	X509 *rc = r->cert.len ? d2i_X509(NULL, &p, (long)r->cert.len) : NULL;
	uint8_t *ser = NULL;
	size_t sn = 0;

	names(live, subj, sizeof(subj), iss, sizeof(iss));
	if (ctl_serial_bytes(live, &ser, &sn) == CTL_OK &&
	    (r->serial.len != sn || memcmp(r->serial.p, ser, sn) != 0)) {
		cli_serial_hex(r->serial.p, r->serial.len, a, sizeof(a));
		cli_serial_hex(ser, sn, b, sizeof(b));
		add(ck, ni, "serial", "%s record %zu: serial %s in the CTL, %s on the server", role, ri + 1, a, b);
	}
	free(ser);
	if (!text_eq(&r->issuer, iss))
		add(ck, ni, "issuer", "%s record %zu: issuer '%.*s' in the CTL, '%s' on the server", role, ri + 1,
		    r->issuer.len ? (int)r->issuer.len - 1 : 0, (const char *)r->issuer.p, iss);
	if (!text_eq(&r->subject, subj))
		add(ck, ni, "subject", "%s record %zu: subject '%.*s' in the CTL, '%s' on the server", role, ri + 1,
		    r->subject.len ? (int)r->subject.len - 1 : 0, (const char *)r->subject.p, subj);
	if (rc == NULL) {
		add(ck, ni, "validity", "%s record %zu: no readable certificate in the CTL", role, ri + 1);
		return;
	}
	if (ASN1_TIME_compare(X509_get0_notBefore(rc), X509_get0_notBefore(live)) != 0 ||
	    ASN1_TIME_compare(X509_get0_notAfter(rc), X509_get0_notAfter(live)) != 0) {
		char a2[32], b2[32];

		date_str(X509_get0_notBefore(rc), a, sizeof(a));
		date_str(X509_get0_notAfter(rc), a2, sizeof(a2));
		date_str(X509_get0_notBefore(live), b, sizeof(b));
		date_str(X509_get0_notAfter(live), b2, sizeof(b2));
		add(ck, ni, "validity", "%s record %zu: valid %s to %s in the CTL, %s to %s on the server", role,
		    ri + 1, a, a2, b, b2);
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(rc), X509_get0_pubkey(live)) != 1)
		add(ck, ni, "public-key", "%s record %zu: the public key differs from the server's", role, ri + 1);
	X509_free(rc);
}

/* The record for a live certificate: same role and certificate, else same role and host. */
static long
find_record(const struct ctl_file *f, const struct cl_node *nd, uint16_t role, X509 *live)
{
	long best = -1;
	size_t i;

	for (i = 0; i < ctl_file_nrecords(f); i++) {
		const struct ctl_record *r = ctl_file_record(f, i);
		unsigned char *der = NULL;
		int n, same;

		if (r->role != role)
			continue;
		n = i2d_X509(live, &der);
		same = n > 0 && (size_t)n == r->cert.len && memcmp(der, r->cert.p, r->cert.len) == 0;
		OPENSSL_free(der);
		/* Identical certificates are listed once (CAPF shared by nodes): any host. */
		if (same)
			return (long)i;
		if (best < 0 && (text_eq(&r->dns, nd->hostname) ||
		                 (r->has_ip && nd->has_ip && memcmp(r->ip, nd->ip, 4) == 0)))
			best = (long)i;
	}
	return best;
}

static void
expiry(struct check *ck, size_t ni, const char *what, X509 *x)
{
	int days = 0, secs = 0;
	char d[32], subj[300], iss[300];

	if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) != 1)
		return;
	names(x, subj, sizeof(subj), iss, sizeof(iss));
	date_str(X509_get0_notAfter(x), d, sizeof(d));
	if (days < 0 || (days == 0 && secs < 0))
		add(ck, ni, "expired", "%s (%s) expired on %s", what, subj, d);
	else if ((unsigned)days < ck->cl->o.days)
		add(ck, ni, "expiring", "%s (%s) expires on %s, in %d day%s", what, subj, d, days,
		    days == 1 ? "" : "s");
	if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
		date_str(X509_get0_notBefore(x), d, sizeof(d));
		add(ck, ni, "not-yet-valid", "%s (%s) is not valid before %s", what, subj, d);
	}
}

static void
check_node(struct check *ck, size_t ni)
{
	const struct cl_node *nd = &ck->cl->nodes[ni];
	struct ctl_verify_result res;
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	char what[400], db[300];
	size_t k;

	for (k = 0; k < nd->ncerts; k++) {
		(void)snprintf(what, sizeof(what), "live %s certificate", ctl_role_short(nd->certs[k].role));
		expiry(ck, ni, what, nd->certs[k].cert);
	}
	if (nd->ctl == NULL) {
		add(ck, ni, "no-ctl", "no CTL installed");
		return;
	}
	if (ctl_file_parse(nd->ctl, nd->ctl_len, 0, &f, &d) != CTL_OK) {
		add(ck, ni, "malformed", "the installed CTL does not parse: %s", ctl_diag_str(&d, db, sizeof(db)));
		return;
	}
	if (ctl_file_verify(f, &res) != CTL_OK)
		add(ck, ni, "signature", "the installed CTL does not verify: %s", res.reason);
	for (k = 0; k < nd->ncerts; k++) {
		const char *role = ctl_role_short(nd->certs[k].role);
		long ri = find_record(f, nd, nd->certs[k].role, nd->certs[k].cert);

		if (ri < 0 && nd->certs[k].role == CTL_ROLE_TVS)
			continue; /* TVS is listed in the ITL, never in a CTL */
		if (ri < 0)
			add(ck, ni, "missing", "the server's %s certificate has no record for %s in the CTL", role,
			    nd->hostname);
		else
			compare(ck, ni, role, nd->certs[k].cert, ctl_file_record(f, (size_t)ri), (size_t)ri);
	}
	for (k = 0; k < ctl_file_nrecords(f); k++) {
		const struct ctl_record *r = ctl_file_record(f, k);
		const unsigned char *p = r->cert.p;
		X509 *x = r->cert.len ? d2i_X509(NULL, &p, (long)r->cert.len) : NULL;

		if (x == NULL)
			continue;
		(void)snprintf(what, sizeof(what), "CTL record %zu %s", k + 1, ctl_role_short(r->role));
		expiry(ck, ni, what, x);
		X509_free(x);
	}
	ctl_file_free(f);
}

/* Every installed CTL must be the same file (phones of every node fetch the same CTL). */
static void
check_md5(struct check *ck)
{
	struct cluster *cl = ck->cl;
	long ref = -1;
	size_t i;

	for (i = 0; i < cl->n; i++) {
		if (cl->nodes[i].failed || cl->nodes[i].ctl == NULL)
			continue;
		if (ref < 0)
			ref = (long)i;
		else if (strcmp(cl->nodes[i].ctl_md5, cl->nodes[ref].ctl_md5) != 0)
			add(ck, i, "md5", "CTL md5 %s differs from %s's %s", cl->nodes[i].ctl_md5,
			    cl->nodes[ref].t.name, cl->nodes[ref].ctl_md5);
	}
}

static void
print_text(const struct check *ck)
{
	const struct cluster *cl = ck->cl;
	size_t i, k, nprob = 0;

	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];

		if (nd->failed) {
			printf("%s: FAILED: %s\n", nd->t.name, nd->err);
			continue;
		}
		printf("%s (%s): mode %d, CTL md5 %s", nd->t.name, nd->hostname, nd->mode,
		       nd->ctl ? nd->ctl_md5 : "- (none installed)");
		if (nd->has_itl)
			printf(", ITL md5 %s", nd->itl_md5);
		putchar('\n');
		for (k = 0; k < ck->n; k++)
			if (ck->f[k].node == i)
				printf("  %s: %s\n", ck->f[k].kind, ck->f[k].msg);
	}
	for (i = 0; i < cl->n; i++)
		nprob += cl->nodes[i].failed;
	nprob += ck->n;
	if (nprob == 0)
		printf("check: %zu server%s, no problem found\n", cl->n, cl->n == 1 ? "" : "s");
	else
		printf("check: %zu problem%s found\n", nprob, nprob == 1 ? "" : "s");
}

static void
print_json(const struct check *ck, int ok)
{
	const struct cluster *cl = ck->cl;
	size_t i;

	cli_json_printed();
	printf("{\"tool\":\"ctl-client\",\"version\":\"%s\",\"command\":\"check\",\"ok\":%s,\"servers\":[",
	       CTL_VERSION_STRING, ok ? "true" : "false");
	for (i = 0; i < cl->n; i++) {
		const struct cl_node *nd = &cl->nodes[i];

		cl_json_server_open(stdout, nd, i);
		if (nd->mode >= 0)
			printf(",\"mode\":%d,\"md5\":", nd->mode);
		else
			fputs(",\"mode\":null,\"md5\":", stdout);
		ctl_json_fputs_or_null(stdout, nd->ctl ? nd->ctl_md5 : NULL);
		fputs(",\"itl_md5\":", stdout);
		ctl_json_fputs_or_null(stdout, nd->has_itl ? nd->itl_md5 : NULL);
		cl_json_server_close(stdout, nd);
	}
	fputs("],\"findings\":[", stdout);
	for (i = 0; i < ck->n; i++) {
		printf("%s{\"server\":", i ? "," : "");
		ctl_json_fputs(stdout, cl->nodes[ck->f[i].node].t.name);
		printf(",\"kind\":\"%s\",\"message\":", ck->f[i].kind);
		ctl_json_fputs(stdout, ck->f[i].msg);
		fputs("}", stdout);
	}
	fputs("]}\n", stdout);
}

static CTL_MUST_USE int
check_run(int argc, char **argv)
{
	struct cluster cl;
	struct check *ck = NULL;
	size_t i;
	int rc = cl_parse(&cl, &cmd_check, CL_C_CHECK, argc, argv), netrc;

	if (rc != 0) {
		cl_cleanup(&cl);
		return rc > 0 ? EXIT_OK : (cli_usage(stderr, &cmd_check, NULL), EXIT_USAGE);
	}
	if ((rc = cl_init(&cl)) != EXIT_OK)
		goto out;
	if ((ck = calloc(1, sizeof(*ck))) == NULL) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	ck->cl = &cl;
	netrc = cl_run(&cl, CL_OP_INFO | CL_OP_CTL | CL_OP_ITL);
	for (i = 0; i < cl.n; i++)
		if (!cl.nodes[i].failed)
			check_node(ck, i);
	check_md5(ck);
	rc = netrc != EXIT_OK ? netrc : ck->n > 0 ? EXIT_FAIL : EXIT_OK;
	if (cl.o.json)
		print_json(ck, rc == EXIT_OK);
	else
		print_text(ck);
out:
	free(ck);
	cl_cleanup(&cl);
	return rc;
}

const struct cmd cmd_check = {
	"check",
	"--server HOST[:PORT]... --user NAME [--days N] [--json]",
	"compare each server's installed CTL with its live certificates and the other servers'",
	check_run,
};
