/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rendering (libctl/show.c, json.c, sums.c): the `show ctl` text of section
 * 13 line by line, and a JSON document that a strict RFC 8259 checker
 * (below, UTF-8 included) accepts, with the checksums.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/ctl.h>
#include <ctl/show.h>

#include "testutil.h"

/* ---- helpers --------------------------------------------------------- */











/* ---- a strict JSON checker (RFC 8259, UTF-8 text) ------------------------- */

struct js {
	const unsigned char *p, *end;
	int depth;
};

static void
js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* One UTF-8 sequence: shortest form, no surrogates, at most U+10FFFF. */
static int
js_utf8(struct js *j)
{
	const unsigned char *p = j->p;
	size_t left = (size_t)(j->end - p), n, i;
	unsigned long cp;

	if (p[0] < 0x80) {
		j->p++;
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	j->p += n;
	return 1;
}

static int
js_string(struct js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return 0;
		if (*j->p == '\\') {
			j->p++;
			if (j->p >= j->end)
				return 0;
			if (*j->p == 'u') {
				int k;

				for (k = 1; k <= 4; k++)
					if (j->p + k >= j->end || !strchr("0123456789abcdefABCDEF", j->p[k]) ||
					    j->p[k] == '\0')
						return 0;
				j->p += 5;
			} else if (strchr("\"\\/bfnrt", *j->p) != NULL && *j->p != '\0') {
				j->p++;
			} else {
				return 0;
			}
		} else if (!js_utf8(j)) {
			return 0;
		}
	}
	if (j->p >= j->end)
		return 0;
	j->p++;
	return 1;
}

static int
js_digits(struct js *j)
{
	const unsigned char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static int
js_number(struct js *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!js_digits(j))
		return 0;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!js_digits(j))
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!js_digits(j))
			return 0;
	}
	return 1;
}

static int
js_lit(struct js *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

static int js_value(struct js *j);

static int
js_container(struct js *j, char open, char close)
{
	int first = 1;

	if (++j->depth > 64)
		return 0;
	j->p++; /* open */
	(void)open;
	for (;;) {
		js_ws(j);
		if (j->p >= j->end)
			return 0;
		if (*j->p == (unsigned char)close) {
			j->p++;
			j->depth--;
			return 1;
		}
		if (!first) {
			if (*j->p != ',')
				return 0;
			j->p++;
			js_ws(j);
		}
		first = 0;
		if (open == '{') {
			if (!js_string(j))
				return 0;
			js_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return 0;
			j->p++;
		}
		if (!js_value(j))
			return 0;
	}
}

static int
js_value(struct js *j)
{
	js_ws(j);
	if (j->p >= j->end)
		return 0;
	switch (*j->p) {
	case '{': return js_container(j, '{', '}');
	case '[': return js_container(j, '[', ']');
	case '"': return js_string(j);
	case 't': return js_lit(j, "true");
	case 'f': return js_lit(j, "false");
	case 'n': return js_lit(j, "null");
	default: return js_number(j);
	}
}

/* 0 when s is one valid JSON object (trailing whitespace allowed), else the bad offset + 1. */
static size_t
json_check(const char *s)
{
	struct js j = { (const unsigned char *)s, (const unsigned char *)s + strlen(s), 0 };

	js_ws(&j);
	if (j.p >= j.end || *j.p != '{' || !js_value(&j))
		return (size_t)(j.p - (const unsigned char *)s) + 1;
	js_ws(&j);
	return j.p == j.end ? 0 : (size_t)(j.p - (const unsigned char *)s) + 1;
}

/* Up to 24 bytes around off, control and non-ASCII bytes as \xHH (logs stay text). */
static const char *
excerpt(const char *s, size_t off)
{
	static char out[24 * 4 + 1];
	size_t i = off > 12 ? off - 12 : 0, o = 0, n = strlen(s);

	for (; i < n && i < off + 12; i++) {
		unsigned char c = (unsigned char)s[i];

		o += (size_t)snprintf(out + o, sizeof(out) - o, c < 0x20 || c >= 0x7f ? "\\x%02x" : "%c", c);
	}
	return out;
}

#define ASSERT_JSON(s)                                                                  \
	do {                                                                            \
		size_t bad_ = json_check(s);                                            \
		ck_assert_msg(bad_ == 0, "invalid JSON at offset %zu: %s", bad_ - 1,     \
		              excerpt((s), bad_ - 1));                                  \
	} while (0)

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* ---- fixtures --------------------------------------------------------- */

static uint8_t *
make(enum ctl_kind kind, const struct tu_ent *e, size_t n, const char *signer_name, size_t *len)
{
	struct ctl_builder *b = tu_builder(kind, e, n);
	struct ctl_signer *s = tu_signer(signer_name);
	uint8_t *p;

	ctl_builder_set_timestamp(b, 1767115542u);
	p = tu_sign(b, s, len);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return p;
}

static char *
render(const struct ctl_file *f, const struct ctl_render_opts *o)
{
	char *t = NULL;

	ck_assert_int_eq(ctl_render_text(f, o, &t), CTL_OK);
	ck_assert_ptr_nonnull(t);
	return t;
}

static char *
render_json(const struct ctl_file *f, const struct ctl_render_opts *o)
{
	char *t = NULL;

	ck_assert_int_eq(ctl_render_json(f, o, &t), CTL_OK);
	ck_assert_ptr_nonnull(t);
	return t;
}

#define HAS(t, s) ck_assert_msg(strstr((t), (s)) != NULL, "no \"%s\" in the output", (s))
#define HASNT(t, s) ck_assert_msg(strstr((t), (s)) == NULL, "unexpected \"%s\" in the output", (s))

/* "XX XX ... (SHA1 Hash HEX)" of a PKI certificate. */
static void
fingerprint(const char *name, char *out, size_t cap)
{
	X509 *x = tu_cert(name);
	unsigned char *der = NULL, md[20];
	int n = i2d_X509(x, &der), i;
	unsigned int mdlen = 0;
	size_t o = 0;

	ck_assert_int_eq(EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha1(), NULL), 1);
	for (i = 0; i < 20; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%02X", i ? " " : "", md[i]);
	snprintf(out + o, cap - o, " (SHA1 Hash HEX)\n");
	OPENSSL_free(der);
	X509_free(x);
}

/* ---- show ctl ------------------------------------------------------------ */

START_TEST(show_verified_ctl)
{
	size_t len, i;
	uint8_t *p = make(CTL_KIND_CTL, tu_std_ents, TU_NSTD, "sast1", &len);
	struct ctl_file *f = tu_parse(p, len);
	struct ctl_verify_result res;
	struct ctl_render_opts o = { 0, &res, NULL };
	struct ctl_sums sums;
	char *t, line[256], fp[128];
	const struct ctl_elem *sig;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(ctl_checksums(p, len, &sums), CTL_OK);
	t = render(f, &o);
	snprintf(line, sizeof(line), "The checksum value of the CTL file:\n%s(MD5)\n%s(SHA1)\n",
	         sums.md5, sums.sha1);
	HAS(t, line);
	snprintf(line, sizeof(line), "Length of CTL file: %zu\n", len);
	HAS(t, line);
	HAS(t, "Parse CTL File\n");
	HAS(t, "Version:\t1.2\n");
	snprintf(line, sizeof(line), "HeaderLength:\t%u (BYTES)\n", ctl_file_header_length(f));
	HAS(t, line);
	HAS(t, "BYTEPOS\tTAG\t\tLENGTH\tVALUE\n");
	/* header: containers print 2 and their length; names without NUL */
	snprintf(line, sizeof(line), "3\tSIGNERID\t2\t%u\n", tu_helem(f, CTL_H_SIGNERID)->len);
	HAS(t, line);
	HAS(t, "4\tSIGNERNAME\t45\tCN=SAST-ADN4e31f914;OU=IPCBU;O=Cisco Systems\n");
	HAS(t, "5\tSERIALNUMBER\t4\t4E:31:F9:14\n");
	HAS(t, "6\tCANAME\t42\tCN=Cisco Manufacturing CA;O=Cisco Systems\n");
	HAS(t, "7\tSIGNATUREINFO\t2\t15\n");
	HAS(t, "8\tDIGESTALGORTITHM\t1\n");
	HAS(t, "9\tSIGNATUREALGOINFO\t2\t8\n");
	HAS(t, "10\tSIGNATUREALGORTITHM\t1\n");
	HAS(t, "11\tSIGNATUREMODULUS\t1\n");
	HAS(t, "14\tFILENAME\t12\n");
	HAS(t, "15\tTIMESTAMP\t4\n");
	/* the signature: lower-case hex, not zero-padded, 8 per line */
	sig = tu_helem(f, CTL_H_SIGNATURE);
	{
		char want[4096];
		size_t w = (size_t)snprintf(want, sizeof(want), "12\tSIGNATURE\t%u", sig->len);

		for (i = 0; i < sig->len; i++)
			w += (size_t)snprintf(want + w, sizeof(want) - w, "%s%x",
			                      i % 8 == 0 ? "\n\t\t" : "  ", sig->val[i]);
		snprintf(want + w, sizeof(want) - w, "\n");
		HAS(t, want);
	}
	/* records */
	for (i = 1; i <= TU_NSTD; i++) {
		snprintf(line, sizeof(line), "CTL Record #:%zu\n----\n", i);
		HAS(t, line);
	}
	snprintf(line, sizeof(line), "CTL Record #:%zu\n", (size_t)TU_NSTD + 1);
	HASNT(t, line);
	snprintf(line, sizeof(line), "1\tRECORDLENGTH\t2\t%u\n", ctl_file_record(f, 0)->length);
	HAS(t, line);
	HAS(t, "2\tDNSNAME\t1\n");
	HAS(t, "2\tDNSNAME\t21\tcucm-pub.example.lab\n");
	HAS(t, "3\tSUBJECTNAME\t45\tCN=SAST-ADN4e31f914;OU=IPCBU;O=Cisco Systems\n");
	HAS(t, "4\tFUNCTION\t2\tSystem Administrator Security Token\n");
	HAS(t, "4\tFUNCTION\t2\tCCM+TFTP\n");
	HAS(t, "4\tFUNCTION\t2\tCAPF\n");
	HAS(t, "4\tFUNCTION\t2\tTVS\n");
	HAS(t, "4\tFUNCTION\t2\tCCM\n");
	HAS(t, "5\tISSUERNAME\t42\tCN=Cisco Manufacturing CA;O=Cisco Systems\n");
	HAS(t, "6\tSERIALNUMBER\t4\t5A:7B:C2:E0\n");
	HAS(t, "7\tPUBLICKEY\t270\n");
	HAS(t, "7\tPUBLICKEY\t65\n");
	HAS(t, "8\tSIGNATURE\t256\n");
	HAS(t, "10\tIPADDRESS\t4\n");
	fingerprint("sast1", fp, sizeof(fp));
	snprintf(line, sizeof(line), "9\tCERTIFICATE\t%zu\t%s", ctl_file_record(f, 0)->cert.len, fp);
	HAS(t, line);
	fingerprint("ccm2", fp, sizeof(fp));
	HAS(t, fp);
	/* the signer sentence after role-0 records only */
	ck_assert_uint_eq(count(t, "This etoken was used to sign the CTL file.\n"), 1);
	ck_assert_uint_eq(count(t, "This etoken was not used to sign the CTL file.\n"), 1);
	ck_assert(strstr(t, "This etoken was used") < strstr(t, "CTL Record #:2\n"));
	ck_assert(strstr(t, "This etoken was not used") > strstr(t, "CTL Record #:2\n"));
	ck_assert(strstr(t, "This etoken was not used") < strstr(t, "CTL Record #:3\n"));
	HAS(t, "The CTL file was verified successfully.\n");
	HASNT(t, "Verification of the CTL File Failed");
	HASNT(t, "last modified");
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

START_TEST(show_failed_verification)
{
	size_t len;
	uint8_t *p = make(CTL_KIND_CTL, tu_std_ents, 3, "sast2", &len);
	struct ctl_file *f;
	struct ctl_verify_result res;
	struct ctl_render_opts o = { 0, &res, NULL };
	struct ctl_diag d;
	char *t;

	p[len - 1] ^= 1;
	ck_assert_int_eq(ctl_file_parse(p, len, 0, &f, &d), CTL_OK);
	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_E_SIG_INVALID);
	t = render(f, &o);
	HAS(t, "\nVerification of the CTL File Failed\n");
	HASNT(t, "verified successfully");
	free(t);
	/* no verification result: neither line */
	o.verify = NULL;
	t = render(f, &o);
	HASNT(t, "Verification of the");
	HASNT(t, "verified successfully");
	/* without a result, the signer record is the SAST matching the header */
	HAS(t, "This etoken was not used to sign the CTL file.\n");
	HAS(t, "This etoken was used to sign the CTL file.\n");
	ck_assert(strstr(t, "This etoken was used") > strstr(t, "CTL Record #:2\n"));
	free(t);
	t = render(f, NULL);
	HAS(t, "Version:\t1.2\n");
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

START_TEST(show_itl_mtime_unknown_role)
{
	static const struct tu_ent e[] = {
		{ "itlrecovery", CTL_ROLE_SAST, NULL, NULL },
		{ "ccm1", CTL_ROLE_TFTP, "cucm-pub.example.lab", NULL },
		{ "capf", 99, NULL, NULL },
		{ "tvs1", CTL_ROLE_APP_SERVER, NULL, NULL },
	};
	size_t len;
	uint8_t *p = make(CTL_KIND_ITL, e, 4, "itlrecovery", &len);
	struct ctl_file *f = tu_parse(p, len);
	struct ctl_verify_result res;
	struct ctl_render_opts o = { 1767115542, &res, NULL };
	char *t;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	t = render(f, &o);
	HAS(t, "The checksum value of the ITL file:\n");
	HAS(t, "Length of ITL file: ");
	HAS(t, "The ITL File was last modified on ");
	HAS(t, "2025\n");
	HAS(t, "ITL Record #:4\n");
	HAS(t, "4\tFUNCTION\t2\tTFTP\n");
	HAS(t, "4\tFUNCTION\t2\tUNKNOWN(99)\n");
	HAS(t, "4\tFUNCTION\t2\tAPP-SERVER\n");
	HAS(t, "This etoken was used to sign the ITL file.\n");
	HAS(t, "The ITL file was verified successfully.\n");
	ck_assert_uint_eq(count(t, "This etoken"), 1); /* role-0 records only */
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* Replaces the SUBJECTNAME text of record 1 (same length) with bad[0..n). */
static uint8_t *
hostile_with(const char *bad, size_t n, size_t *len);

/* Replaces the SUBJECTNAME text of record 1 (same length) with hostile bytes. */
static uint8_t *
hostile(size_t *len)
{
	static const char bad[] = "\"q\\\n\x01\x1b[31m\x7f\xed\xa0\x80\xe0\x80\x80\xf4\x90\x80\x80\xc0\xaf\xff<&>";

	return hostile_with(bad, sizeof(bad), len);
}

static uint8_t *
hostile_with(const char *bad, size_t n, size_t *len)
{
	uint8_t *p = make(CTL_KIND_CTL, tu_std_ents, 2, "sast1", len);
	struct ctl_file *f = tu_parse(p, *len);
	const struct ctl_record *r = ctl_file_record(f, 0);
	size_t at = (size_t)(r->subject.p - ctl_file_bytes(f, &(size_t){ 0 }));

	ck_assert_uint_gt(r->subject.len, n);
	memcpy(p + at, bad, n - 1);
	ctl_file_free(f);
	return p;
}

START_TEST(show_escapes_controls)
{
	size_t len;
	uint8_t *p = hostile(&len);
	struct ctl_file *f = tu_parse(p, len);
	char *t = render(f, NULL), *line, *eol;

	line = strstr(t, "3\tSUBJECTNAME\t");
	ck_assert_ptr_nonnull(line);
	eol = strchr(line, '\n');
	ck_assert_ptr_nonnull(eol);
	for (; line < eol; line++)
		ck_assert_msg((unsigned char)*line >= 0x20 || *line == '\t',
		              "raw control byte 0x%02x in the SUBJECTNAME line", (unsigned char)*line);
	HAS(t, "\\x0a");
	HAS(t, "\\x1b");
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* ---- JSON --------------------------------------------------------------- */

START_TEST(json_checker_self_test)
{
	ck_assert_uint_eq(json_check("{}"), 0);
	ck_assert_uint_eq(json_check("{\"a\":[1,-2.5e3,true,false,null,\"\\u00e9\\n\"],\"b\":{}}\n"), 0);
	ck_assert_uint_ne(json_check("{\"a\":1,}"), 0);
	ck_assert_uint_ne(json_check("{\"a\" 1}"), 0);
	ck_assert_uint_ne(json_check("{\"a\":\"\x01\"}"), 0);
	ck_assert_uint_ne(json_check("{\"a\":\"\xed\xa0\x80\"}"), 0);
	ck_assert_uint_ne(json_check("{\"a\":\"\xe0\x80\x80\"}"), 0);
	ck_assert_uint_ne(json_check("{\"a\":\"\\x\"}"), 0);
	ck_assert_uint_ne(json_check("{\"a\":01}"), 0);
	ck_assert_uint_ne(json_check("{} x"), 0);
	ck_assert_uint_ne(json_check("{\"a\":[1,2}"), 0);
}
END_TEST

START_TEST(json_built_ctl)
{
	size_t len;
	uint8_t *p = make(CTL_KIND_CTL, tu_std_ents, TU_NSTD, "sast1", &len);
	struct ctl_file *f = tu_parse(p, len);
	struct ctl_verify_result res;
	struct ctl_render_opts o = { 1767115542, &res, "/srv/tftp/CTLFile.tlv" };
	struct ctl_sums sums;
	char *t, want[256], fp[128];

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	ck_assert_int_eq(ctl_checksums(p, len, &sums), CTL_OK);
	t = render_json(f, &o);
	ASSERT_JSON(t);
	snprintf(want, sizeof(want), "\"md5\":\"%s\"", sums.md5);
	HAS(t, want);
	snprintf(want, sizeof(want), "\"sha1\":\"%s\"", sums.sha1);
	HAS(t, want);
	snprintf(want, sizeof(want), "\"sha256\":\"%s\"", sums.sha256);
	HAS(t, want);
	HAS(t, "\"path\":\"/srv/tftp/CTLFile.tlv\"");
	HAS(t, "\"kind\":\"CTL\"");
	HAS(t, "\"version\":\"" CTL_VERSION_STRING "\"");
	HAS(t, "\"timestamp\":1767115542");
	HAS(t, "\"ip_address\":\"192.0.2.11\"");
	HAS(t, "\"subject\":\"CN=SAST-ADN4e31f914;OU=IPCBU;O=Cisco Systems\"");
	HAS(t, "\"serial\":\"4E:31:F9:14\"");
	fingerprint("sast1", fp, sizeof(fp));
	*strstr(fp, " (SHA1") = '\0';
	snprintf(want, sizeof(want), "\"certificate_sha1\":\"%s\"", fp);
	HAS(t, want);
	HAS(t, "\"verification\":{\"ok\":true");
	ck_assert_uint_eq(count(t, "\"index\":"), TU_NSTD);
	ck_assert_uint_eq(count(t, "\"signed_file\":true"), 1);
	free(t);
	/* no options at all */
	t = render_json(f, NULL);
	ASSERT_JSON(t);
	HAS(t, "\"verification\":null");
	HASNT(t, "\"path\"");
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

START_TEST(json_sample)
{
	size_t len;
	uint8_t *p = tu_read(tu_sample_path(), &len);
	struct ctl_file *f = tu_parse(p, len);
	struct ctl_verify_result res;
	struct ctl_render_opts o = { 0, &res, NULL };
	char *t;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	t = render_json(f, &o);
	ASSERT_JSON(t);
	HAS(t, "\"md5\":\"dbf86422cbab7859f3b850c2375814f7\"");
	HAS(t, "\"sha1\":\"01e2cb144975e4b33c9af6ad75712c07a3b19cc7\"");
	HAS(t, "\"kind\":\"ITL\"");
	HAS(t, "\"header_length\":388");
	HAS(t, "\"signer_version\":\"1.0\"");
	HAS(t, "\"digest\":\"SHA1\"");
	HAS(t, "\"certificate_sha1\":\"27 7B 36 21 55 2A 59 34 56 A6 3D 59 56 45 F4 F0 90 A3 5D 9C\"");
	HAS(t, "\"subject\":\"C=US,O=Internet Security Research Group,CN=ISRG Root X1\"");
	HAS(t, "\"signer_record\":1");
	ck_assert_uint_eq(count(t, "\"index\":"), 5);
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* Quotes, backslashes, controls and invalid UTF-8 in names; a path with quotes. */
START_TEST(json_hostile_strings)
{
	size_t len;
	uint8_t *p = hostile(&len);
	struct ctl_file *f = tu_parse(p, len);
	struct ctl_render_opts o = { 0, NULL, "dir/\"q\"\\x\n.tlv" };
	char *t = render_json(f, &o);

	ASSERT_JSON(t);
	HAS(t, "\"path\":\"dir/\\\"q\\\"\\\\x\\n.tlv\"");
	HAS(t, "\"subject\":\"\\\"q\\\\");
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/*
 * One rule for names (ctl/text.h): valid UTF-8 ("é") stays as it is, each
 * byte that is not valid UTF-8 becomes U+FFFD (never a Latin-1 \u00XX), C1
 * controls are escaped whether raw or UTF-8 encoded.
 */
START_TEST(json_utf8_rule)
{
	static const char bad[] = "caf\xc3\xa9 \xe9t\xe9 \xc2\x9b[2J \x85 \xed\xa0\x80.";
	size_t len;
	uint8_t *p = hostile_with(bad, sizeof(bad), &len);
	struct ctl_file *f = tu_parse(p, len);
	char *t = render_json(f, NULL);

	ASSERT_JSON(t);
	HAS(t, "\"subject\":\"caf\xc3\xa9 \\ufffdt\\ufffd \\u009b[2J \\ufffd \\ufffd\\ufffd\\ufffd.");
	ck_assert_ptr_null(strstr(t, "\\u00e9"));
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* The text view escapes C1 controls (raw and UTF-8 encoded) and invalid bytes too. */
START_TEST(show_escapes_c1)
{
	static const char bad[] = "caf\xc3\xa9 \xc2\x9b[2J \x9b \xe9.";
	size_t len;
	uint8_t *p = hostile_with(bad, sizeof(bad), &len);
	struct ctl_file *f = tu_parse(p, len);
	char *t = render(f, NULL);

	HAS(t, "\tcaf\xc3\xa9 \\xc2\\x9b[2J \\x9b \\xe9.");
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* Unknown tags are listed with their offsets. */
START_TEST(json_unknown_tags)
{
	size_t len;
	uint8_t *p = tu_read(tu_sample_path(), &len), *q;
	struct ctl_file *f;
	struct ctl_diag d;
	char *t;

	/* the sample + a 6th record (RECORDLENGTH, FUNCTION, unknown tag 40); it
	 * no longer verifies, but it parses */
	{
		struct ctl_wr wr;
		size_t at, n;
		uint8_t *rec;

		ctl_wr_init(&wr, 64);
		ck_assert_int_eq(ctl_wr_u8(&wr, CTL_R_RECORDLENGTH), CTL_OK);
		ck_assert_int_eq(ctl_wr_u16be(&wr, 2), CTL_OK);
		ck_assert_int_eq(ctl_wr_reserve_u16(&wr, &at), CTL_OK);
		ck_assert_int_eq(ctl_wr_u8(&wr, CTL_R_FUNCTION), CTL_OK);
		ck_assert_int_eq(ctl_wr_u16be(&wr, 2), CTL_OK);
		ck_assert_int_eq(ctl_wr_u16be(&wr, 3), CTL_OK);
		ck_assert_int_eq(ctl_wr_u8(&wr, 40), CTL_OK);
		ck_assert_int_eq(ctl_wr_u16be(&wr, 0), CTL_OK);
		ck_assert_int_eq(ctl_wr_patch_u16(&wr, at, wr.len), CTL_OK);
		rec = ctl_wr_take(&wr, &n);
		q = malloc(len + n);
		memcpy(q, p, len);
		memcpy(q + len, rec, n);
		ck_assert_int_eq(ctl_file_parse(q, len + n, 0, &f, &d), CTL_OK);
		free(rec);
	}
	t = render_json(f, NULL);
	ASSERT_JSON(t);
	{
		char want[96];

		snprintf(want, sizeof(want), "\"unknown_tags\":[{\"tag\":40,\"offset\":%zu,\"length\":0}]",
		         len + 10);
		HAS(t, want);
	}
	free(t);
	t = render(f, NULL);
	HAS(t, "ITL Record #:6\n");
	HAS(t, "4\tFUNCTION\t2\tTFTP\n");
	HAS(t, "40\tUNKNOWN\t0\n");
	free(t);
	ctl_file_free(f);
	free(q);
	free(p);
}
END_TEST

START_TEST(checksums_known_values)
{
	struct ctl_sums s;

	ck_assert_int_eq(ctl_checksums((const uint8_t *)"", 0, &s), CTL_OK);
	ck_assert_str_eq(s.md5, "d41d8cd98f00b204e9800998ecf8427e");
	ck_assert_str_eq(s.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	ck_assert_str_eq(s.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert_int_eq(ctl_checksums((const uint8_t *)"abc", 3, &s), CTL_OK);
	ck_assert_str_eq(s.md5, "900150983cd24fb0d6963f7d28e17f72");
	ck_assert_str_eq(s.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
}
END_TEST

/* ---- CUCM's exact blocks (ctl/show.h) --------------------------------------- */

static char *
render_show(const struct ctl_file *f, const struct ctl_render_opts *o, unsigned flags)
{
	char *t = NULL;

	ck_assert_int_eq(ctl_render_show(f, o, flags, &t), CTL_OK);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* The checksum block: MD5 and SHA1 only; SHA256 with the flag; ctl_render_text keeps it. */
START_TEST(show_checksum_block_exact)
{
	static const char block[] = "The checksum value of the ITL file:\n"
	                            "dbf86422cbab7859f3b850c2375814f7(MD5)\n"
	                            "01e2cb144975e4b33c9af6ad75712c07a3b19cc7(SHA1)\n";
	static const char rest[] = "\nLength of ITL file: 10370\n\nParse ITL File\n";
	size_t len;
	uint8_t *p = tu_read(tu_sample_path(), &len);
	struct ctl_file *f = tu_parse(p, len);
	char *t;

	t = render_show(f, NULL, 0);
	ck_assert_msg(strncmp(t, block, strlen(block)) == 0 &&
	              strncmp(t + strlen(block), rest, strlen(rest)) == 0, "checksum block:\n%.200s", t);
	HASNT(t, "(SHA256)");
	free(t);
	t = render_show(f, NULL, CTL_SHOW_SHA256);
	ck_assert_msg(strncmp(t, block, strlen(block)) == 0, "%.200s", t);
	ck_assert_uint_eq(count(t, "(SHA256)\n"), 1);
	ck_assert(strstr(t, "(SHA256)\n\nLength of ITL file: 10370\n") != NULL);
	free(t);
	t = render(f, NULL); /* ctl-client show: the richer block */
	ck_assert_uint_eq(count(t, "(SHA256)\n"), 1);
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* The header block of the field sample, exact, up to the signature's first line. */
START_TEST(show_header_block_exact)
{
	static const char want[] =
		"Parse ITL File\n----------------\n\n"
		"Version:\t1.2\n"
		"HeaderLength:\t388 (BYTES)\n\n"
		"BYTEPOS\tTAG\t\tLENGTH\tVALUE\n"
		"-------\t---\t\t------\t-----\n"
		"28\tSIGNERVERSION\t2\t1.0\n"
		"3\tSIGNERID\t2\t71\n"
		"4\tSIGNERNAME\t23\tCN=SAST,O=SAST,OU=SAST\n"
		"6\tCANAME\t23\tCN=SAST,O=SAST,OU=SAST\n"
		"5\tSERIALNUMBER\t16\t6B:A5:DE:3A:26:0B:06:93:37:C7:5B:38:BE:3C:2D:74\n"
		"7\tSIGNATUREINFO\t2\t15\n"
		"8\tDIGESTALGORTITHM\t1\n"
		"9\tSIGNATUREALGOINFO\t2\t8\n"
		"10\tSIGNATUREALGORTITHM\t1\n"
		"11\tSIGNATUREMODULUS\t1\n"
		"12\tSIGNATURE\t256\n"
		"\t\taf  a0  9d  65  7a  c7  65  23\n";
	static const char tail[] =
		"\t\t1  2  ab  95  6e  17  d3  3b\n"
		"\t\t92  5a  c1  33  db  80  65  d2\n"
		"14\tFILENAME\t12\n"
		"15\tTIMESTAMP\t4\n\n"
		"ITL Record #:1\n";
	size_t len;
	uint8_t *p = tu_read(tu_sample_path(), &len);
	struct ctl_file *f = tu_parse(p, len);
	char *t = render_show(f, NULL, 0);

	HAS(t, want);
	HAS(t, tail);
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* Record 1 of the field sample, exact, with the signer sentence, and the last line. */
START_TEST(show_record_block_exact)
{
	static const char want[] =
		"\nITL Record #:1\n----\n"
		"BYTEPOS\tTAG\t\tLENGTH\tVALUE\n"
		"-------\t---\t\t------\t-----\n"
		"1\tRECORDLENGTH\t2\t1484\n"
		"3\tSUBJECTNAME\t23\tCN=SAST,O=SAST,OU=SAST\n"
		"5\tISSUERNAME\t23\tCN=SAST,O=SAST,OU=SAST\n"
		"6\tSERIALNUMBER\t16\t6B:A5:DE:3A:26:0B:06:93:37:C7:5B:38:BE:3C:2D:74\n"
		"4\tFUNCTION\t2\tSystem Administrator Security Token\n"
		"7\tPUBLICKEY\t270\n"
		"8\tSIGNATURE\t256\n"
		"9\tCERTIFICATE\t868\t27 7B 36 21 55 2A 59 34 56 A6 3D 59 56 45 F4 F0 90 A3 5D 9C (SHA1 Hash HEX)\n"
		"This etoken was used to sign the ITL file.\n"
		"\nITL Record #:2\n";
	static const char end[] =
		"4\tFUNCTION\t2\tAPP-SERVER\n"
		"7\tPUBLICKEY\t526\n"
		"8\tSIGNATURE\t512\n";
	static const char last[] = "\n\nThe ITL file was verified successfully.\n";
	size_t len, n;
	uint8_t *p = tu_read(tu_sample_path(), &len);
	struct ctl_file *f = tu_parse(p, len);
	struct ctl_verify_result res;
	struct ctl_render_opts o = { 0, &res, NULL };
	char *t;

	ck_assert_int_eq(ctl_file_verify(f, &res), CTL_OK);
	t = render_show(f, &o, 0);
	HAS(t, want);
	ck_assert_uint_eq(count(t, end), 2);
	n = strlen(t);
	ck_assert_uint_gt(n, strlen(last));
	ck_assert_str_eq(t + n - strlen(last), last);
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/* A missing or empty file: CUCM's three lines for a CTL, ctl-suite's for an ITL. */
START_TEST(show_missing_exact)
{
	char *t = NULL;

	ck_assert_int_eq(ctl_render_missing(CTL_KIND_CTL, &t), CTL_OK);
	ck_assert_str_eq(t, "Length of CTL file: 0\n"
	                    "CTL File not found. Please run CTLClient plugin or run the CLI - utils ctl.. "
	                    "to generate the CTL file.\n"
	                    "Error parsing the CTL File.\n");
	free(t);
	ck_assert_int_eq(ctl_render_missing(CTL_KIND_ITL, &t), CTL_OK);
	ck_assert_str_eq(t, "Length of ITL file: 0\nITL File not found.\nError parsing the ITL File.\n");
	free(t);
}
END_TEST

/* A file that does not parse: checksums of its bytes, length, the parse error line. */
START_TEST(show_unparsed_exact)
{
	char *t = NULL;

	ck_assert_int_eq(ctl_render_unparsed(CTL_KIND_CTL, (const uint8_t *)"abc", 3, 0, &t), CTL_OK);
	ck_assert_str_eq(t, "The checksum value of the CTL file:\n"
	                    "900150983cd24fb0d6963f7d28e17f72(MD5)\n"
	                    "a9993e364706816aba3e25717850c26c9cd0d89d(SHA1)\n"
	                    "\n"
	                    "Length of CTL file: 3\n"
	                    "Error parsing the CTL File.\n");
	free(t);
	ck_assert_int_eq(ctl_render_unparsed(CTL_KIND_ITL, (const uint8_t *)"abc", 3, CTL_SHOW_SHA256, &t),
	                 CTL_OK);
	ck_assert_str_eq(t, "The checksum value of the ITL file:\n"
	                    "900150983cd24fb0d6963f7d28e17f72(MD5)\n"
	                    "a9993e364706816aba3e25717850c26c9cd0d89d(SHA1)\n"
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad(SHA256)\n"
	                    "\n"
	                    "Length of ITL file: 3\n"
	                    "Error parsing the ITL File.\n");
	free(t);
}
END_TEST

/* FUNCTION in CUCM's words for every role it names, SRST for 5. */
START_TEST(show_role_names)
{
	static const struct tu_ent e[] = {
		{ "sast1", CTL_ROLE_SAST, NULL, NULL }, { "ccm1", 1, NULL, NULL },
		{ "ccm2", 2, NULL, NULL }, { "capf", 3, NULL, NULL }, { "tvs1", 4, NULL, NULL },
		{ "tvs2", 5, NULL, NULL }, { "ccm1", 7, NULL, NULL }, { "tvs1", 21, NULL, NULL },
		{ "ccm2", 6, NULL, NULL },
	};
	size_t len;
	uint8_t *p = make(CTL_KIND_CTL, e, sizeof(e) / sizeof(e[0]), "sast1", &len);
	struct ctl_file *f = tu_parse(p, len);
	char *t = render_show(f, NULL, 0);
	const char *want[] = { "System Administrator Security Token", "CCM", "CCM+TFTP", "TFTP", "CAPF",
	                       "SRST", "APP-SERVER", "TVS", "UNKNOWN(6)" };
	char line[96];
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(line, sizeof(line), "4\tFUNCTION\t2\t%s\n", want[i]);
		ck_assert_msg(count(t, line) == 1, "no single \"%s\" line", want[i]);
	}
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/*
 * The signer sentence without a verification result: the SAST record whose
 * serial and issuer match the header, the issuer compared by meaning, so a
 * header CANAME in RFC 4514 form still names a record written in CUCM form.
 */
START_TEST(show_signer_mixed_name_forms)
{
	static const char cucm[] = "CN=Cisco Manufacturing CA;O=Cisco Systems";
	static const char rfc[] = "O=Cisco Systems,CN=Cisco Manufacturing CA";
	size_t len, at;
	uint8_t *p = make(CTL_KIND_CTL, tu_std_ents, 3, "sast1", &len);
	struct ctl_file *f = tu_parse(p, len);
	const struct ctl_elem *ca = tu_helem(f, CTL_H_CANAME);
	char *t;

	ck_assert_uint_eq(ca->len, sizeof(cucm));
	ck_assert_mem_eq(ca->val, cucm, sizeof(cucm));
	at = (size_t)(ca->val - ctl_file_bytes(f, &(size_t){ 0 }));
	ctl_file_free(f);
	memcpy(p + at, rfc, sizeof(rfc));
	f = tu_parse(p, len);
	t = render_show(f, NULL, 0);
	ck_assert_uint_eq(count(t, "This etoken was used to sign the CTL file.\n"), 1);
	ck_assert(strstr(t, "This etoken was used") < strstr(t, "CTL Record #:2\n"));
	free(t);
	ctl_file_free(f);
	free(p);
}
END_TEST

/*
 * A non-secure-mode placeholder record (TechNote 118892: 33 bytes, no
 * certificate): RECORDLENGTH, DNSNAME "10.48.47.153", FUNCTION CCM+TFTP,
 * IPADDRESS, appended to the sample; its block exactly as CUCM lists it.
 */
START_TEST(show_placeholder_record_exact)
{
	static const uint8_t rec[] = {
		1, 0, 2, 0, 33,
		2, 0, 13, '1', '0', '.', '4', '8', '.', '4', '7', '.', '1', '5', '3', 0,
		4, 0, 2, 0, 2,
		10, 0, 4, 10, 48, 47, 153,
	};
	static const char want[] =
		"\nITL Record #:6\n----\n"
		"BYTEPOS\tTAG\t\tLENGTH\tVALUE\n"
		"-------\t---\t\t------\t-----\n"
		"1\tRECORDLENGTH\t2\t33\n"
		"2\tDNSNAME\t13\t10.48.47.153\n"
		"4\tFUNCTION\t2\tCCM+TFTP\n"
		"10\tIPADDRESS\t4\n";
	size_t len;
	uint8_t *p = tu_read(tu_sample_path(), &len), *q;
	struct ctl_file *f;
	struct ctl_diag d;
	char *t, *end;

	ck_assert_uint_eq(sizeof(rec), 33);
	q = malloc(len + sizeof(rec));
	ck_assert_ptr_nonnull(q);
	memcpy(q, p, len);
	memcpy(q + len, rec, sizeof(rec));
	ck_assert_int_eq(ctl_file_parse(q, len + sizeof(rec), 0, &f, &d), CTL_OK);
	t = render_show(f, NULL, 0);
	end = strstr(t, "\nITL Record #:6\n");
	ck_assert_ptr_nonnull(end);
	ck_assert_str_eq(end, want); /* the last block; no verification line without a result */
	free(t);
	ctl_file_free(f);
	free(q);
	free(p);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("render");
	TCase *txt = tcase_create("text");
	TCase *js = tcase_create("json");

	tcase_add_test(txt, show_verified_ctl);
	tcase_add_test(txt, show_failed_verification);
	tcase_add_test(txt, show_itl_mtime_unknown_role);
	tcase_add_test(txt, show_escapes_controls);
	tcase_add_test(txt, show_escapes_c1);
	tcase_add_test(txt, show_checksum_block_exact);
	tcase_add_test(txt, show_header_block_exact);
	tcase_add_test(txt, show_record_block_exact);
	tcase_add_test(txt, show_missing_exact);
	tcase_add_test(txt, show_unparsed_exact);
	tcase_add_test(txt, show_role_names);
	tcase_add_test(txt, show_signer_mixed_name_forms);
	tcase_add_test(txt, show_placeholder_record_exact);
	suite_add_tcase(s, txt);

	tcase_add_test(js, json_checker_self_test);
	tcase_add_test(js, json_built_ctl);
	tcase_add_test(js, json_sample);
	tcase_add_test(js, json_hostile_strings);
	tcase_add_test(js, json_utf8_rule);
	tcase_add_test(js, json_unknown_tags);
	tcase_add_test(js, checksums_known_values);
	suite_add_tcase(s, js);
	return s;
}

CTL_TEST_MAIN(make_suite)
