/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trust-list: what a phone's Settings > Security > Trust List shows (the
 * CTL and ITL with their md5 and sha1, and each record; format section 11,
 * "Checksum"). compare: the stored lists against the server's file, by md5,
 * and on a mismatch which side is newer, which records differ and whether
 * the phone would accept the server's file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include <ctl/text.h>

#include "console.h"
#include "netopt.h"
#include "num.h"
#include "pv.h"

enum { O_STATE = 500, O_JSON, O_HELP, O_SERVER_FILE, O_MAC };

static const char *
kind_label(enum ctl_kind k)
{
	return k == CTL_KIND_ITL ? "ITL" : "CTL";
}

/* Length of a stored name: up to its NUL terminator, when it has one (section 8). */
static size_t
name_len(struct ctl_bytes b)
{
	const uint8_t *z = b.len > 0 ? memchr(b.p, '\0', b.len) : NULL;

	return z != NULL ? (size_t)(z - b.p) : b.len;
}

/* A stored name for a terminal (opaque bytes: escaped, cut to fit out). */
static const char *
text(struct ctl_bytes b, char *out, size_t cap)
{
	ctl_text_escape(out, cap, b.p, name_len(b));
	return out;
}

/* A stored name as a JSON string. */
static void
json_name(FILE *f, struct ctl_bytes b)
{
	ctl_json_fput(f, b.p, name_len(b));
}

/* The value of "role" and the "role_name" pair: N,"role_name":"SAST" (null for none). */
static void
json_role(FILE *f, const struct ctl_record *r)
{
	if (r->has_role)
		fprintf(f, "%u,\"role_name\":", r->role);
	else
		fputs("null,\"role_name\":", f);
	ctl_json_fputs_or_null(f, r->has_role ? ctl_role_short(r->role) : NULL);
}

/*
 * SHA-1 of a record's certificate as show ctl prints it ("E9 D4 33 ..."),
 * or NULL when the record has none.
 */
static const char *
fingerprint(struct ctl_bytes cert, char *out, size_t cap)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	size_t n = 0;

	if (cert.len == 0 || EVP_Digest(cert.p, cert.len, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    cap < (size_t)mdlen * 3)
		return NULL;
	for (i = 0; i < mdlen; i++) {
		if (i > 0)
			out[n++] = ' ';
		if (ctl_hex_encode(out + n, cap - n, md + i, 1, CTL_HEX_UPPER) == NULL)
			return NULL;
		n += 2;
	}
	return out;
}

/* Serial number as CUCM prints it (70:CA:F6:...); a hostile length gets its size instead. */
static const char *
serial_hex(struct ctl_bytes b, char *out, size_t cap)
{
	if (ctl_hex_encode(out, cap, b.p, b.len, CTL_HEX_UPPER | CTL_HEX_COLONS) == NULL)
		snprintf(out, cap, "(%zu bytes)", b.len);
	return out;
}

static const char *
utc(uint32_t ts, char *out, size_t cap)
{
	time_t t = (time_t)ts;
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, cap, "%u", ts);
	return out;
}

/* ---- trust-list ------------------------------------------------------------------- */

static void
list_text(const char *title, const struct pv_tl *tl)
{
	char a[512], b[160], t[40];
	size_t i, n, len = 0;

	printf("%s File\n", title);
	if (tl == NULL) {
		printf("  Not Installed\n");
		return;
	}
	pv_tl_bytes(tl, &len);
	n = ctl_file_nrecords(tl->f);
	printf("  MD5:       %s\n  SHA1:      %s\n", tl->sums.md5, tl->sums.sha1);
	printf("  Length:    %zu bytes, header length %u, %zu records\n", len,
	       ctl_file_header_length(tl->f), n);
	printf("  Signer:    %s, serial %s\n", text(ctl_file_signer_name(tl->f), a, sizeof(a)),
	       serial_hex(ctl_file_signer_serial(tl->f), b, sizeof(b)));
	printf("  Timestamp: %s\n", utc(ctl_file_timestamp(tl->f), t, sizeof(t)));
	for (i = 0; i < n; i++) {
		const struct ctl_record *r = ctl_file_record(tl->f, i);

		printf("  %2zu  %-9s %s  serial %s\n", i + 1,
		       r->has_role ? ctl_role_short(r->role) : "-",
		       text(r->subject, a, sizeof(a)), serial_hex(r->serial, b, sizeof(b)));
	}
}

static void
list_json(const char *key, const struct pv_tl *tl)
{
	char b[160], t[40];
	size_t i, n, len = 0;
	struct ctl_bytes s;
	char fp[64];

	printf("\"%s\":", key);
	if (tl == NULL) {
		printf("null");
		return;
	}
	pv_tl_bytes(tl, &len);
	n = ctl_file_nrecords(tl->f);
	s = ctl_file_signer_name(tl->f);
	printf("{\"md5\":\"%s\",\"sha1\":\"%s\",\"length\":%zu,\"header_length\":%u,"
	       "\"timestamp\":%u,\"timestamp_utc\":\"%s\",\"signer\":", tl->sums.md5, tl->sums.sha1,
	       len, ctl_file_header_length(tl->f), ctl_file_timestamp(tl->f),
	       utc(ctl_file_timestamp(tl->f), t, sizeof(t)));
	json_name(stdout, s);
	printf(",\"records\":[");
	for (i = 0; i < n; i++) {
		const struct ctl_record *r = ctl_file_record(tl->f, i);
		struct ctl_sums cs;

		printf("%s{\"index\":%zu,\"role\":", i ? "," : "", i + 1);
		json_role(stdout, r);
		printf(",\"subject\":");
		json_name(stdout, r->subject);
		printf(",\"issuer\":");
		json_name(stdout, r->issuer);
		printf(",\"serial\":");
		ctl_json_fputs(stdout, serial_hex(r->serial, b, sizeof(b)));
		/* cert_sha1 (lower case) came first; certificate_sha1 is the format
		 * every tool uses, as show ctl prints it. */
		printf(",\"cert_sha1\":");
		ctl_json_fputs_or_null(stdout, r->cert.len > 0 &&
		                       ctl_checksums(r->cert.p, r->cert.len, &cs) == CTL_OK ? cs.sha1 : NULL);
		printf(",\"certificate_sha1\":");
		ctl_json_fputs_or_null(stdout, fingerprint(r->cert, fp, sizeof(fp)));
		putchar('}');
	}
	printf("]}");
}

CTL_MUST_USE static int
load_state(const char *dir, struct pv_trust *t)
{
	struct ctl_diag d;
	char buf[768];

	pv_trust_init(t);
	if (pv_state_load(dir, t, &d) != CTL_OK)
		return pv_fail(PV_EXIT_IO, "%s", ctl_diag_str(&d, buf, sizeof(buf)));
	return PV_EXIT_OK;
}

static const char trust_list_usage[] =
	"usage: phone-verifier trust-list --state DIR [--json]\n"
	"Shows the stored CTL and ITL as a phone's Settings > Security > Trust List does:\n"
	"md5 and sha1 of each file (compare with `show ctl` and md5sum), and its records.\n\n"
	"  --state DIR         the phone's state directory\n"
	"  --json              print one JSON object\n"
	"  --help              show this help\n";

int
pv_cmd_trust_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, O_STATE }, { "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *state = NULL;
	struct pv_trust t;
	int c, json = pv_argv_json(argc, argv), rc;

	pv_json_errors(json);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_HELP: fputs(trust_list_usage, stdout); return PV_EXIT_OK;
		case O_STATE: state = optarg; break;
		case O_JSON: json = 1; break;
		default:
			fputs(trust_list_usage, stderr);
			return json ? pv_fail(PV_EXIT_USAGE, "trust-list: bad option") : PV_EXIT_USAGE;
		}
	}
	if (state == NULL || optind != argc) {
		pv_fail(PV_EXIT_USAGE, "trust-list needs --state DIR");
		fputs(trust_list_usage, stderr);
		return PV_EXIT_USAGE;
	}
	if ((rc = load_state(state, &t)) != PV_EXIT_OK)
		return rc;
	if (json) {
		printf("{\"tool\":\"%s\",\"version\":\"%s\",\"state\":", PV_PROG, CTL_VERSION_STRING);
		ctl_json_fputs(stdout, state);
		putchar(',');
		list_json("ctl", t.ctl);
		putchar(',');
		list_json("itl", t.itl);
		printf("}\n");
	} else {
		list_text("CTL", t.ctl);
		list_text("ITL", t.itl);
	}
	rc = t.ctl == NULL && t.itl == NULL ? PV_EXIT_NO_TL : PV_EXIT_OK;
	pv_trust_cleanup(&t);
	return rc;
}

/* ---- compare ------------------------------------------------------------------------- */

/* The server's side of one comparison. */
struct server_side {
	enum ctl_kind kind;
	int present;            /* the server has the file */
	const char *name;       /* as requested or given */
	uint8_t *bytes;
	size_t len;
	struct ctl_sums sums;
	struct pv_tl *tl;       /* NULL when malformed */
	char why[600];          /* parse failure */
};

static void
server_side_set(struct server_side *s, uint8_t *p, size_t n)
{
	struct ctl_diag d;

	s->present = 1;
	s->bytes = p;
	s->len = n;
	if (ctl_checksums(p, n, &s->sums) != CTL_OK)
		memset(&s->sums, 0, sizeof(s->sums)); /* only on allocation failure: no md5 to show */
	if (pv_tl_new(p, n, &s->tl, &d) != CTL_OK)
		ctl_diag_str(&d, s->why, sizeof(s->why));
	else if (ctl_file_kind(s->tl->f) == CTL_KIND_ITL || ctl_file_kind(s->tl->f) == CTL_KIND_CTL)
		s->kind = ctl_file_kind(s->tl->f);
}

static void
server_side_free(struct server_side *s)
{
	free(s->bytes);
	pv_tl_unref(s->tl);
}

/* Records of a that b lacks, one line each (text) or a JSON array. */
static size_t
diff_records(const struct ctl_file *a, const struct ctl_file *b, const char *label, int json)
{
	char buf[512];
	size_t i, n = ctl_file_nrecords(a), k = 0;

	for (i = 0; i < n; i++) {
		const struct ctl_record *r = ctl_file_record(a, i);

		if (pv_record_find(b, r) >= 0)
			continue;
		if (json) {
			/* The same keys as a trust-list record: role number and short name. */
			printf("%s{\"index\":%zu,\"role\":", k ? "," : "", i + 1);
			json_role(stdout, r);
			printf(",\"subject\":");
			json_name(stdout, r->subject);
			putchar('}');
		} else {
			printf("  only on the %s: record %zu %s %s\n", label, i + 1,
			       r->has_role ? ctl_role_short(r->role) : "-", text(r->subject, buf, sizeof(buf)));
		}
		k++;
	}
	return k;
}

static const char *
newer_side(const struct pv_tl *held, const struct server_side *s)
{
	uint32_t a, b;

	if (held == NULL || s->tl == NULL)
		return "unknown";
	a = ctl_file_timestamp(held->f);
	b = ctl_file_timestamp(s->tl->f);
	return a == b ? "same" : b > a ? "server" : "phone";
}

/* Prints one comparison; returns 0 when phone and server agree, 1 when not. */
static int
compare_one(const struct pv_trust *held, const struct server_side *s, int json, int first)
{
	const struct pv_tl *h = pv_trust_get(held, s->kind);
	const char *kl = kind_label(s->kind), *newer = newer_side(h, s);
	struct pv_decision d;
	char t1[40], t2[40];
	int match;

	match = h == NULL ? !s->present : s->present && strcmp(h->sums.md5, s->sums.md5) == 0;
	memset(&d, 0, sizeof(d));
	d.v = PV_V_INVALID;
	if (s->present)
		pv_trust_decide(held, s->kind, s->bytes, s->len, NULL, NULL, &d, NULL);
	if (json) {
		printf("%s{\"kind\":\"%s\",\"server_name\":", first ? "" : ",", kl);
		ctl_json_fputs(stdout, s->name);
		printf(",\"phone_md5\":");
		h != NULL ? printf("\"%s\"", h->sums.md5) : printf("null");
		printf(",\"server_md5\":");
		s->present ? printf("\"%s\"", s->sums.md5) : printf("null");
		printf(",\"match\":%s,\"newer\":\"%s\",\"only_on_server\":[", match ? "true" : "false",
		       newer);
		if (h != NULL && s->tl != NULL)
			diff_records(s->tl->f, h->f, "server", 1);
		printf("],\"only_on_phone\":[");
		if (h != NULL && s->tl != NULL)
			diff_records(h->f, s->tl->f, "phone", 1);
		printf("],\"would_accept\":%s,\"verdict\":\"%s\",\"reason\":",
		       s->present && d.v <= PV_V_UNCHANGED ? "true" : "false",
		       s->present ? pv_verdict_name(d.v) : "absent");
		ctl_json_fputs(stdout, d.reason);
		putchar('}');
		return !match;
	}
	printf("%s: phone %s, server %s (%s): %s\n", kl, h != NULL ? h->sums.md5 : "(none)",
	       s->present ? s->sums.md5 : "(none)", s->name, match ? "match" : "MISMATCH");
	if (match || !s->present)
		return !match;
	if (s->tl == NULL) {
		printf("  the server's file is malformed (%s): the phone would refuse it\n", s->why);
		return 1;
	}
	if (h != NULL) {
		printf("  phone:  timestamp %s, %zu records\n",
		       utc(ctl_file_timestamp(h->f), t1, sizeof(t1)), ctl_file_nrecords(h->f));
		printf("  server: timestamp %s, %zu records\n",
		       utc(ctl_file_timestamp(s->tl->f), t2, sizeof(t2)), ctl_file_nrecords(s->tl->f));
		printf("  newer: %s\n", strcmp(newer, "same") == 0 ? "same timestamp" :
		       strcmp(newer, "server") == 0 ? "the server's file" : "the phone's file");
		if (diff_records(s->tl->f, h->f, "server", 0) + diff_records(h->f, s->tl->f, "phone", 0) == 0)
			printf("  same records; the header (signer, timestamp or signature) differs\n");
	}
	printf("  the phone would %s the server's file: %s\n",
	       d.v == PV_V_TOFU || d.v == PV_V_INSTALL ? "accept" : "refuse", d.reason);
	return 1;
}

CTL_MUST_USE static int
server_from_file(const char *path, struct server_side *s)
{
	struct ctl_diag d;
	const char *base = strrchr(path, '/');
	uint8_t *p = NULL;
	size_t n = 0;
	char buf[768];

	memset(s, 0, sizeof(*s));
	s->name = path;
	base = base != NULL ? base + 1 : path;
	s->kind = strncasecmp(base, "ITL", 3) == 0 ? CTL_KIND_ITL : CTL_KIND_CTL;
	if (ctl_read_file(path, CTL_MAX_FILE, &p, &n, &d) != CTL_OK)
		return pv_fail(PV_EXIT_VERIFY_FAILED, "%s", ctl_diag_str(&d, buf, sizeof(buf)));
	server_side_set(s, p, n);
	return PV_EXIT_OK;
}

/* Fetches names[0], else names[1], as a phone would. */
CTL_MUST_USE static int
server_from_tftp(struct pv_env *e, enum ctl_kind kind, const char *const names[2],
                 struct server_side *s)
{
	struct tftp_result r;
	uint8_t *p;
	size_t n, i;

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	for (i = 0; i < 2 && names[i] != NULL; i++) {
		s->name = names[i];
		if (pv_fetch(e, names[i], &p, &n, &r) != 0)
			return pv_fail(PV_EXIT_NETWORK, "%s: cannot start a TFTP transfer", names[i]);
		if (r.err == TFTP_CE_OK) {
			server_side_set(s, p, n);
			return PV_EXIT_OK;
		}
		if (r.err != TFTP_CE_SERVER || r.ecode != TFTP_ENOTFOUND)
			return pv_fail(PV_EXIT_NETWORK, "%s from %s: %s %s", names[i], e->server_str,
			               tftp_cerr_str(r.err), r.emsg);
	}
	return PV_EXIT_OK; /* not on the server */
}

static const char compare_usage[] =
	"usage: phone-verifier compare --state DIR (--server-file FILE | --tftp HOST[:PORT] --mac MAC)\n"
	"Compares the stored CTL/ITL md5 with the server's file; on a mismatch tells which\n"
	"side is newer, which records differ, and whether the phone would accept the\n"
	"server's file. With --tftp, fetches CTLSEP<MAC>.tlv and ITLSEP<MAC>.tlv\n"
	"(ITLFile.tlv when missing) as the phone does.\n\n"
	"  --state DIR         the phone's state directory\n"
	"  --server-file FILE  a CTL or ITL file from the server (e.g. fetched with tftp)\n"
	"  --mac MAC           the phone's MAC, for --tftp\n"
	PV_NET_HELP
	"  --json              print one JSON object\n"
	"  --help              show this help\n";

CTL_MUST_USE static int
compare_parse(int argc, char **argv, struct pv_env_cfg *cfg, const char **state,
              const char **file, const char **mac, int *json)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, O_STATE },
		{ "server-file", required_argument, NULL, O_SERVER_FILE },
		{ "mac", required_argument, NULL, O_MAC }, { "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, O_HELP }, PV_NET_OPTIONS, { NULL, 0, NULL, 0 },
	};
	int c, h;

	pv_net_defaults(cfg);
	*json = pv_argv_json(argc, argv);
	pv_json_errors(*json);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((h = pv_net_opt(cfg, c, optarg)) != 0) {
			if (h < 0)
				return PV_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case O_HELP: fputs(compare_usage, stdout); return -1;
		case O_STATE: *state = optarg; break;
		case O_SERVER_FILE: *file = optarg; break;
		case O_MAC: *mac = optarg; break;
		case O_JSON: *json = 1; break;
		default:
			fputs(compare_usage, stderr);
			return *json ? pv_fail(PV_EXIT_USAGE, "compare: bad option") : PV_EXIT_USAGE;
		}
	}
	if (*state == NULL || optind != argc || (*file == NULL) == (cfg->tftp == NULL) ||
	    (cfg->tftp != NULL && *mac == NULL)) {
		pv_fail(PV_EXIT_USAGE, "compare needs --state and either --server-file or --tftp with --mac");
		fputs(compare_usage, stderr);
		return PV_EXIT_USAGE;
	}
	return PV_EXIT_OK;
}

/* Fills s[] (one per compared kind); *n how many. */
CTL_MUST_USE static int
compare_sources(const struct pv_env_cfg *cfg, const char *file, const char *mac,
                struct server_side s[2], size_t *n, char names[3][64])
{
	const char *ctl_names[2], *itl_names[2];
	struct pv_env env;
	char m[13], why[768];
	int rc;

	*n = 0;
	if (file != NULL) {
		*n = 1;
		return server_from_file(file, &s[0]);
	}
	if (pv_mac_parse(mac, m) != 0)
		return pv_fail(PV_EXIT_USAGE, "--mac takes 12 hex digits, not '%s'", mac);
	snprintf(names[0], 64, "CTLSEP%s.tlv", m);
	snprintf(names[1], 64, "ITLSEP%s.tlv", m);
	snprintf(names[2], 64, "%s", PV_ITL_NAME);
	ctl_names[0] = names[0];
	ctl_names[1] = NULL;
	itl_names[0] = names[1];
	itl_names[1] = names[2];
	if ((rc = pv_env_init(&env, cfg, why, sizeof(why))) != PV_EXIT_OK)
		return pv_fail(rc, "%s", why);
	rc = server_from_tftp(&env, CTL_KIND_CTL, ctl_names, &s[0]);
	*n = 1;
	if (rc == PV_EXIT_OK) {
		rc = server_from_tftp(&env, CTL_KIND_ITL, itl_names, &s[1]);
		*n = 2;
	}
	pv_env_cleanup(&env);
	return rc;
}

int
pv_cmd_compare(int argc, char **argv)
{
	struct pv_env_cfg cfg;
	struct server_side s[2];
	struct pv_trust t;
	const char *state = NULL, *file = NULL, *mac = NULL;
	char names[3][64];
	int json = 0, rc, differ = 0;
	size_t i, n = 0;

	memset(s, 0, sizeof(s));
	if ((rc = compare_parse(argc, argv, &cfg, &state, &file, &mac, &json)) != PV_EXIT_OK)
		return rc < 0 ? PV_EXIT_OK : rc;
	if ((rc = load_state(state, &t)) != PV_EXIT_OK)
		return rc;
	if ((rc = compare_sources(&cfg, file, mac, s, &n, names)) != PV_EXIT_OK)
		goto out;
	if (json)
		printf("{\"tool\":\"%s\",\"version\":\"%s\",\"files\":[", PV_PROG, CTL_VERSION_STRING);
	for (i = 0; i < n; i++)
		differ |= compare_one(&t, &s[i], json, i == 0);
	if (json)
		printf("],\"match\":%s}\n", differ ? "false" : "true");
	rc = differ ? PV_EXIT_UPDATE_FAILED : PV_EXIT_OK;
out:
	for (i = 0; i < 2; i++)
		server_side_free(&s[i]);
	pv_trust_cleanup(&t);
	return rc;
}
