/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CTL/ITL/.sgn parser (libctl/hdr.c, rec.c, file.c) on files made in the
 * test with ctl_wr: every header tag (1-15, 28, padding 0x0D, containers
 * 3/7/9), every record tag (1-12), unknown tags, truncation at every byte,
 * and one malformed file per structural rule, each asserting the specific
 * CTL_E_* code and the diagnostic's offset, tag and record.
 *
 * The files here are not signed (the parser does not verify); signed files
 * are made with the library's builder in test_build.c / test_verify.c.
 */
#include <stdio.h>
#include <string.h>

#include <ctl/ctl.h>

#include "testutil.h"

/* ---- a hand builder for header and records ------------------------- */

enum hk {
	HK_TLV,  /* tag, length, value */
	HK_CONT, /* container: tag, length of the next nkids entries, no value */
	HK_PAD,  /* one 0x0D byte */
	HK_HLEN  /* HEADER_LENGTH: value patched with the header size (or hlen) */
};

struct hel {
	int kind;
	uint8_t tag;
	const void *v;
	size_t n;
	int nkids;
	long len;   /* -1: computed; else the length field written */
	size_t off; /* out: offset of the tag byte */
};

struct rel {
	uint8_t tag;
	const void *v;
	size_t n;
	long len;   /* -1: n */
	size_t off; /* out */
};

struct hrec {
	struct rel e[20];
	size_t ne;
	long rl;    /* RECORDLENGTH value; -1: computed */
	int no_rl;  /* omit the automatic RECORDLENGTH element */
	size_t off; /* out */
	size_t size; /* out */
};

struct hand {
	struct hel h[48];
	size_t nh;
	long hlen;  /* HEADER_LENGTH value; -1: computed */
	struct hrec r[6];
	size_t nr;
	const void *tail; /* bytes appended after the records */
	size_t ntail;
	size_t hsize; /* out: bytes of header written */
};

static const uint8_t v_ver12[2] = { 1, 2 };
static const uint8_t v_sv10[2] = { 1, 0 };
static const char v_signer[] = "O=Cisco Systems,OU=IPCBU,CN=SAST-ADN4e31f914";
static const char v_ca[] = "O=Cisco Systems,CN=Cisco Manufacturing CA";
static const uint8_t v_serial[4] = { 0x4e, 0x31, 0xf9, 0x14 };
static const uint8_t v_sha1[1] = { CTL_DIGEST_SHA1 };
static const uint8_t v_rsa[1] = { 0 };
static const uint8_t v_mod1024[1] = { 1 };
static uint8_t v_sig[128];
static const char v_ctlname[] = "CTLFile.tlv";
static const uint8_t v_ts[4] = { 0x69, 0x54, 0x0b, 0x16 }; /* 1767115542 */

static const char r_dns[] = "cucm-pub.example.lab";
static const char r_subj[] = "C=US,O=Example Voice,CN=cucm-pub.example.lab";
static const uint8_t r_sast[2] = { 0, CTL_ROLE_SAST };
static const uint8_t r_ccmtftp[2] = { 0, CTL_ROLE_CCM_TFTP };
static const uint8_t r_serial[3] = { 0x83, 0xe9, 0x08 };
static uint8_t r_key[140];
static uint8_t r_csig[128];
static uint8_t r_cert[300];
static const uint8_t r_ip[4] = { 192, 0, 2, 11 };
static const uint8_t r_hash[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
static const uint8_t r_hashalg[1] = { CTL_DIGEST_SHA1 };
static const uint8_t r_unknown[3] = { 'x', 'y', 'z' };

static void
fill_pattern(void)
{
	size_t i;

	for (i = 0; i < sizeof(v_sig); i++)
		v_sig[i] = (uint8_t)(0xa0 ^ i);
	for (i = 0; i < sizeof(r_key); i++)
		r_key[i] = (uint8_t)(0x30 + i);
	for (i = 0; i < sizeof(r_csig); i++)
		r_csig[i] = (uint8_t)(0x55 ^ (i * 7));
	for (i = 0; i < sizeof(r_cert); i++)
		r_cert[i] = (uint8_t)(i * 13);
}

static struct hel *
hadd(struct hand *h, int kind, uint8_t tag, const void *v, size_t n, int nkids)
{
	struct hel *e;

	ck_assert_uint_lt(h->nh, sizeof(h->h) / sizeof(h->h[0]));
	e = &h->h[h->nh++];
	*e = (struct hel){ kind, tag, v, n, nkids, -1, 0 };
	return e;
}

static struct rel *
radd(struct hrec *r, uint8_t tag, const void *v, size_t n)
{
	struct rel *e;

	ck_assert_uint_lt(r->ne, sizeof(r->e) / sizeof(r->e[0]));
	e = &r->e[r->ne++];
	*e = (struct rel){ tag, v, n, -1, 0 };
	return e;
}

/* Inserts a copy of e before header entry at. */
static void
hinsert(struct hand *h, size_t at, struct hel e)
{
	ck_assert_uint_lt(h->nh, sizeof(h->h) / sizeof(h->h[0]));
	memmove(&h->h[at + 1], &h->h[at], (h->nh - at) * sizeof(h->h[0]));
	h->h[at] = e;
	h->nh++;
}

static void
hremove(struct hand *h, size_t at)
{
	memmove(&h->h[at], &h->h[at + 1], (h->nh - at - 1) * sizeof(h->h[0]));
	h->nh--;
}

static void
rinsert(struct hrec *r, size_t at, struct rel e)
{
	ck_assert_uint_lt(r->ne, sizeof(r->e) / sizeof(r->e[0]));
	memmove(&r->e[at + 1], &r->e[at], (r->ne - at) * sizeof(r->e[0]));
	r->e[at] = e;
	r->ne++;
}

static size_t
hel_size(const struct hel *e)
{
	switch (e->kind) {
	case HK_PAD: return 1;
	case HK_CONT: return 3;
	case HK_HLEN: return 3 + e->n;
	default: return 3 + e->n;
	}
}

/* Index of the first header entry with tag (not padding). */
static size_t
hidx(const struct hand *h, uint8_t tag)
{
	size_t i;

	for (i = 0; i < h->nh; i++)
		if (h->h[i].kind != HK_PAD && h->h[i].tag == tag)
			return i;
	ck_abort_msg("no header tag %u", tag);
	return 0;
}

static size_t
ridx(const struct hrec *r, uint8_t tag)
{
	size_t i;

	for (i = 0; i < r->ne; i++)
		if (r->e[i].tag == tag)
			return i;
	ck_abort_msg("no record tag %u", tag);
	return 0;
}

static size_t
hsize(const struct hand *h)
{
	size_t i, n = 0;

	for (i = 0; i < h->nh; i++)
		n += hel_size(&h->h[i]);
	return n;
}

/* Appends 0x0D bytes until the header is a multiple of 4 (section 3). */
static void
hpad4(struct hand *h)
{
	while (hsize(h) % 4 != 0)
		hadd(h, HK_PAD, CTL_H_PADDING, NULL, 0, 0);
}

/* The writer's element order (section 2): 1, 2, 28, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, pad. */
static void
hand_header(struct hand *h)
{
	hadd(h, HK_TLV, CTL_H_VERSION, v_ver12, 2, 0);
	hadd(h, HK_HLEN, CTL_H_HEADER_LENGTH, NULL, 2, 0);
	hadd(h, HK_TLV, CTL_H_SIGNER_VERSION, v_sv10, 2, 0);
	hadd(h, HK_CONT, CTL_H_SIGNERID, NULL, 0, 3);
	hadd(h, HK_TLV, CTL_H_SIGNERNAME, v_signer, sizeof(v_signer), 0);
	hadd(h, HK_TLV, CTL_H_SERIALNUMBER, v_serial, sizeof(v_serial), 0);
	hadd(h, HK_TLV, CTL_H_CANAME, v_ca, sizeof(v_ca), 0);
	hadd(h, HK_CONT, CTL_H_SIGNATUREINFO, NULL, 0, 4);
	hadd(h, HK_TLV, CTL_H_DIGESTALGORITHM, v_sha1, 1, 0);
	hadd(h, HK_CONT, CTL_H_SIGNATUREALGOINFO, NULL, 0, 2);
	hadd(h, HK_TLV, CTL_H_SIGNATUREALGORITHM, v_rsa, 1, 0);
	hadd(h, HK_TLV, CTL_H_SIGNATUREMODULUS, v_mod1024, 1, 0);
	hadd(h, HK_TLV, CTL_H_SIGNATURE, v_sig, sizeof(v_sig), 0);
	hadd(h, HK_TLV, CTL_H_FILENAME, v_ctlname, sizeof(v_ctlname), 0);
	hadd(h, HK_TLV, CTL_H_TIMESTAMP, v_ts, 4, 0);
	hpad4(h);
}

/* A Cisco-order record (1..10) with every known tag, and a certutils-style one. */
static void
hand_records(struct hand *h)
{
	struct hrec *r = &h->r[h->nr++];

	*r = (struct hrec){ .rl = -1 };
	radd(r, CTL_R_DNSNAME, r_dns, sizeof(r_dns));
	radd(r, CTL_R_SUBJECTNAME, r_subj, sizeof(r_subj));
	radd(r, CTL_R_FUNCTION, r_ccmtftp, 2);
	radd(r, CTL_R_ISSUERNAME, r_subj, sizeof(r_subj));
	radd(r, CTL_R_SERIALNUMBER, r_serial, sizeof(r_serial));
	radd(r, CTL_R_PUBLICKEY, r_key, sizeof(r_key));
	radd(r, CTL_R_SIGNATURE, r_csig, sizeof(r_csig));
	radd(r, CTL_R_CERTIFICATE, r_cert, sizeof(r_cert));
	radd(r, CTL_R_IPADDRESS, r_ip, 4);
	radd(r, CTL_R_CERTHASH, r_hash, sizeof(r_hash));
	radd(r, CTL_R_HASHALGORITHM, r_hashalg, 1);

	r = &h->r[h->nr++];
	*r = (struct hrec){ .rl = -1 };
	radd(r, CTL_R_SUBJECTNAME, v_signer, sizeof(v_signer));
	radd(r, CTL_R_ISSUERNAME, v_ca, sizeof(v_ca));
	radd(r, CTL_R_SERIALNUMBER, v_serial, sizeof(v_serial));
	radd(r, CTL_R_FUNCTION, r_sast, 2);
	radd(r, CTL_R_PUBLICKEY, r_key, sizeof(r_key));
	radd(r, CTL_R_CERTIFICATE, r_cert, 200);
}

static void
hand_default(struct hand *h)
{
	fill_pattern();
	memset(h, 0, sizeof(*h));
	h->hlen = -1;
	hand_header(h);
	hand_records(h);
}

static void
w_ok(enum ctl_err r)
{
	ck_assert_int_eq(r, CTL_OK);
}

/* Serialises h; fills the out offsets. free() the result. */
static uint8_t *
hand_bytes(struct hand *h, size_t *len)
{
	struct ctl_wr wr;
	size_t i, j, k, hlen_at = 0;
	int have_hlen = 0;

	ctl_wr_init(&wr, CTL_MAX_FILE);
	h->hsize = hsize(h);
	for (i = 0; i < h->nh; i++) {
		struct hel *e = &h->h[i];
		size_t len_field = e->n;

		e->off = wr.len;
		if (e->kind == HK_PAD) {
			w_ok(ctl_wr_u8(&wr, CTL_H_PADDING));
			continue;
		}
		if (e->kind == HK_CONT) {
			len_field = 0;
			for (k = 1; k <= (size_t)e->nkids && i + k < h->nh; k++)
				len_field += hel_size(&h->h[i + k]);
		}
		if (e->len >= 0)
			len_field = (size_t)e->len;
		w_ok(ctl_wr_u8(&wr, e->tag));
		w_ok(ctl_wr_u16be(&wr, (uint16_t)len_field));
		if (e->kind == HK_HLEN && e->n == 2) {
			w_ok(ctl_wr_reserve_u16(&wr, &hlen_at));
			have_hlen = 1;
		} else if (e->kind == HK_TLV) {
			w_ok(ctl_wr_bytes(&wr, e->v, e->n));
		}
	}
	ck_assert_uint_eq(wr.len, h->hsize);
	if (have_hlen)
		w_ok(ctl_wr_patch_u16(&wr, hlen_at, h->hlen >= 0 ? (size_t)h->hlen : h->hsize));
	for (j = 0; j < h->nr; j++) {
		struct hrec *r = &h->r[j];
		size_t size = r->no_rl ? 0 : 5;

		for (k = 0; k < r->ne; k++)
			size += 3 + r->e[k].n;
		r->off = wr.len;
		r->size = size;
		if (!r->no_rl) {
			w_ok(ctl_wr_u8(&wr, CTL_R_RECORDLENGTH));
			w_ok(ctl_wr_u16be(&wr, 2));
			w_ok(ctl_wr_u16be(&wr, (uint16_t)(r->rl >= 0 ? (size_t)r->rl : size)));
		}
		for (k = 0; k < r->ne; k++) {
			struct rel *e = &r->e[k];

			e->off = wr.len;
			w_ok(ctl_wr_u8(&wr, e->tag));
			w_ok(ctl_wr_u16be(&wr, (uint16_t)(e->len >= 0 ? (size_t)e->len : e->n)));
			w_ok(ctl_wr_bytes(&wr, e->v, e->n));
		}
	}
	if (h->ntail > 0)
		w_ok(ctl_wr_bytes(&wr, h->tail, h->ntail));
	return ctl_wr_take(&wr, len);
}

static enum ctl_err
hand_parse(struct hand *h, unsigned flags, struct ctl_file **out, struct ctl_diag *d)
{
	size_t len;
	uint8_t *p = hand_bytes(h, &len);
	struct ctl_file *f = NULL;
	enum ctl_err r;

	memset(d, 0x5a, sizeof(*d));
	r = ctl_file_parse(p, len, flags, &f, d);
	/* the parser copies: scribbling over the input cannot matter */
	memset(p, 0xee, len);
	free(p);
	if (r != CTL_OK)
		ck_assert_ptr_null(f);
	else
		ck_assert_ptr_nonnull(f);
	if (out != NULL)
		*out = f;
	else
		ctl_file_free(f);
	return r;
}

/*
 * Asserts a parse failure with code, offset, tag and record (1-based,
 * 0 = header). off_ is evaluated after hand_parse() has serialised h, so it
 * may name the out offsets (h.h[i].off, h.r[j].e[k].off) of this layout.
 */
#define EXPECT_FAIL(h, flags, code, off_, tag_, rec_)                                  \
	do {                                                                            \
		struct ctl_diag d_;                                                     \
		char s_[768];                                                           \
		enum ctl_err r_ = hand_parse((h), (flags), NULL, &d_);                  \
		ctl_diag_str(&d_, s_, sizeof(s_));                                      \
		ck_assert_msg(r_ == (code), "got %s (%d), wanted %s (%d); diag: %s",    \
		              ctl_strerror(r_), r_, ctl_strerror(code), code, s_);      \
		ck_assert_int_eq(d_.err, (code));                                       \
		ck_assert_msg(d_.offset == (size_t)(off_), "diag offset %zu, wanted %zu (%s)", \
		              d_.offset, (size_t)(off_), s_);                           \
		ck_assert_msg(d_.tag == (tag_), "diag tag %d, wanted %d (%s)", d_.tag,  \
		              (int)(tag_), s_);                                         \
		ck_assert_msg(d_.record == (rec_), "diag record %d, wanted %d (%s)",    \
		              d_.record, (int)(rec_), s_);                              \
	} while (0)

static struct ctl_file *
hand_parse_ok(struct hand *h, unsigned flags)
{
	struct ctl_file *f = NULL;
	struct ctl_diag d;
	char s[768];
	enum ctl_err r = hand_parse(h, flags, &f, &d);

	ck_assert_msg(r == CTL_OK, "parse failed: %s", ctl_diag_str(&d, s, sizeof(s)));
	return f;
}

static void
assert_bytes(struct ctl_bytes b, const void *p, size_t n)
{
	ck_assert_uint_eq(b.len, n);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_mem_eq(b.p, p, n);
}

/* ---- ok: every tag ------------------------------------------------- */

START_TEST(all_header_tags)
{
	struct hand h;
	struct ctl_file *f;
	const struct ctl_elem *el;
	size_t n, i, k;
	uint8_t maj, min;

	hand_default(&h);
	f = hand_parse_ok(&h, 0);
	ctl_file_version(f, &maj, &min);
	ck_assert_uint_eq(maj, 1);
	ck_assert_uint_eq(min, 2);
	ck_assert_int_ne(ctl_file_signer_version(f, &maj, &min), 0);
	ck_assert_uint_eq(maj, 1);
	ck_assert_uint_eq(min, 0);
	ck_assert_uint_eq(ctl_file_header_length(f), h.hsize);
	ck_assert_uint_eq(h.hsize % 4, 0);
	assert_bytes(ctl_file_signer_name(f), v_signer, sizeof(v_signer));
	assert_bytes(ctl_file_signer_serial(f), v_serial, sizeof(v_serial));
	assert_bytes(ctl_file_signer_caname(f), v_ca, sizeof(v_ca));
	assert_bytes(ctl_file_signature(f), v_sig, sizeof(v_sig));
	assert_bytes(ctl_file_filename(f), v_ctlname, sizeof(v_ctlname));
	ck_assert_uint_eq(ctl_file_digest(f), CTL_DIGEST_SHA1);
	ck_assert_uint_eq(ctl_file_sigalg(f), 0);
	ck_assert_uint_eq(ctl_file_modulus_code(f), 1);
	ck_assert_uint_eq(ctl_file_timestamp(f), 1767115542u);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_CTL);
	ck_assert_uint_eq(ctl_file_payload(f).len, 0);

	/* element list: file order, offsets and nesting depth; padding aside */
	el = ctl_file_header_elems(f, &n);
	for (i = 0, k = 0; i < h.nh; i++) {
		int depth = 0;

		if (h.h[i].kind == HK_PAD)
			continue;
		while (k < n && el[k].tag == CTL_H_PADDING)
			k++;
		/* VERSION and HEADER_LENGTH: see header_elems_prefix */
		if (i < 2 && (k >= n || el[k].tag != h.h[i].tag))
			continue;
		ck_assert_uint_lt(k, n);
		ck_assert_uint_eq(el[k].tag, h.h[i].tag);
		ck_assert_uint_eq(el[k].off, h.h[i].off);
		switch (h.h[i].tag) {
		case CTL_H_SIGNERNAME: case CTL_H_SERIALNUMBER: case CTL_H_CANAME:
		case CTL_H_DIGESTALGORITHM: case CTL_H_SIGNATUREALGOINFO:
			depth = 1;
			break;
		case CTL_H_SIGNATUREALGORITHM: case CTL_H_SIGNATUREMODULUS:
			depth = 2;
			break;
		default:
			break;
		}
		ck_assert_msg(el[k].depth == depth, "tag %u depth %d, wanted %d", el[k].tag,
		              el[k].depth, depth);
		if (h.h[i].kind == HK_TLV) {
			ck_assert_uint_eq(el[k].len, h.h[i].n);
			ck_assert_mem_eq(el[k].val, h.h[i].v, h.h[i].n);
		}
		if (h.h[i].tag == CTL_H_SIGNERID)
			ck_assert_uint_eq(el[k].len, 9 + sizeof(v_signer) + sizeof(v_serial) + sizeof(v_ca));
		if (h.h[i].tag == CTL_H_SIGNATUREINFO)
			ck_assert_uint_eq(el[k].len, 15);
		if (h.h[i].tag == CTL_H_SIGNATUREALGOINFO)
			ck_assert_uint_eq(el[k].len, 8);
		k++;
	}
	while (k < n && el[k].tag == CTL_H_PADDING)
		k++;
	ck_assert_uint_eq(k, n);
	ctl_file_free(f);
}
END_TEST

/* The element list starts with VERSION at 0 and HEADER_LENGTH at 5 like the file. */
START_TEST(header_elems_prefix)
{
	struct hand h;
	struct ctl_file *f;
	const struct ctl_elem *el;
	size_t n;

	hand_default(&h);
	f = hand_parse_ok(&h, 0);
	el = ctl_file_header_elems(f, &n);
	ck_assert_uint_ge(n, 3);
	ck_assert_msg(el[0].tag == CTL_H_VERSION && el[0].off == 0 && el[0].len == 2,
	              "first header element: tag %u at %zu, wanted VERSION (1) at 0",
	              el[0].tag, el[0].off);
	ck_assert_msg(el[1].tag == CTL_H_HEADER_LENGTH && el[1].off == 5 && el[1].len == 2,
	              "second header element: tag %u at %zu, wanted HEADER_LENGTH (2) at 5",
	              el[1].tag, el[1].off);
	ck_assert_int_eq(el[0].depth, 0);
	ck_assert_mem_eq(el[0].val, v_ver12, 2);
	ctl_file_free(f);
}
END_TEST

START_TEST(all_record_tags)
{
	struct hand h;
	struct ctl_file *f;
	const struct ctl_record *r;
	size_t k;

	hand_default(&h);
	f = hand_parse_ok(&h, 0);
	ck_assert_uint_eq(ctl_file_nrecords(f), 2);
	ck_assert_ptr_null(ctl_file_record(f, 2));
	ck_assert_ptr_null(ctl_file_record(f, (size_t)-1));

	r = ctl_file_record(f, 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->off, h.hsize);
	ck_assert_uint_eq(r->length, h.r[0].size);
	assert_bytes(r->dns, r_dns, sizeof(r_dns));
	assert_bytes(r->subject, r_subj, sizeof(r_subj));
	assert_bytes(r->issuer, r_subj, sizeof(r_subj));
	assert_bytes(r->serial, r_serial, sizeof(r_serial));
	assert_bytes(r->pubkey, r_key, sizeof(r_key));
	assert_bytes(r->sig, r_csig, sizeof(r_csig));
	assert_bytes(r->cert, r_cert, sizeof(r_cert));
	assert_bytes(r->certhash, r_hash, sizeof(r_hash));
	assert_bytes(r->hashalg, r_hashalg, 1);
	ck_assert_int_ne(r->has_role, 0);
	ck_assert_uint_eq(r->role, CTL_ROLE_CCM_TFTP);
	ck_assert_int_ne(r->has_ip, 0);
	ck_assert_mem_eq(r->ip, r_ip, 4);
	ck_assert_uint_eq(r->nelems, h.r[0].ne);
	for (k = 0; k < r->nelems; k++) {
		ck_assert_uint_eq(r->elems[k].tag, h.r[0].e[k].tag);
		ck_assert_uint_eq(r->elems[k].off, h.r[0].e[k].off);
		ck_assert_uint_eq(r->elems[k].len, h.r[0].e[k].n);
		ck_assert_mem_eq(r->elems[k].val, h.r[0].e[k].v, h.r[0].e[k].n);
	}

	/* certutils order; absent optional elements are empty */
	r = ctl_file_record(f, 1);
	ck_assert_uint_eq(r->off, h.hsize + h.r[0].size);
	ck_assert_uint_eq(r->off + r->length, h.hsize + h.r[0].size + h.r[1].size);
	ck_assert_uint_eq(r->role, CTL_ROLE_SAST);
	ck_assert_int_eq(r->has_ip, 0);
	ck_assert_uint_eq(r->dns.len, 0);
	ck_assert_uint_eq(r->sig.len, 0);
	ck_assert_uint_eq(r->certhash.len, 0);
	assert_bytes(r->serial, v_serial, sizeof(v_serial));
	assert_bytes(r->cert, r_cert, 200);
	ck_assert_uint_eq(r->nelems, h.r[1].ne);
	ck_assert_uint_eq(r->elems[0].tag, CTL_R_SUBJECTNAME);
	ck_assert_uint_eq(r->elems[3].tag, CTL_R_FUNCTION);
	ctl_file_free(f);
}
END_TEST

/* A non-secure-mode record (section 6): RECORDLENGTH, DNSNAME, FUNCTION, IPADDRESS = 33 bytes. */
START_TEST(minimal_record)
{
	static const char ip_text[] = "10.48.47.153";
	static const uint8_t ip[4] = { 10, 48, 47, 153 };
	struct hand h;
	struct ctl_file *f;
	const struct ctl_record *r;

	hand_default(&h);
	h.r[1] = (struct hrec){ .rl = -1 };
	radd(&h.r[1], CTL_R_DNSNAME, ip_text, sizeof(ip_text));
	radd(&h.r[1], CTL_R_FUNCTION, r_ccmtftp, 2);
	radd(&h.r[1], CTL_R_IPADDRESS, ip, 4);
	f = hand_parse_ok(&h, 0);
	r = ctl_file_record(f, 1);
	ck_assert_uint_eq(r->length, 33);
	ck_assert_uint_eq(r->cert.len, 0);
	ck_assert_mem_eq(r->ip, ip, 4);
	ctl_file_free(f);
}
END_TEST

/* eToken records have DNSNAME "\0" (length 1). */
START_TEST(etoken_empty_dns)
{
	static const char empty[] = "";
	struct hand h;
	struct ctl_file *f;

	hand_default(&h);
	rinsert(&h.r[1], 0, (struct rel){ CTL_R_DNSNAME, empty, 1, -1, 0 });
	f = hand_parse_ok(&h, 0);
	assert_bytes(ctl_file_record(f, 1)->dns, "", 1);
	ctl_file_free(f);
}
END_TEST

/* No records at all is a well-formed (if useless) file. */
START_TEST(header_only)
{
	struct hand h;
	struct ctl_file *f;

	hand_default(&h);
	h.nr = 0;
	f = hand_parse_ok(&h, 0);
	ck_assert_uint_eq(ctl_file_nrecords(f), 0);
	ctl_file_free(f);
}
END_TEST

/* Padding 0x0D is accepted between any two top-level header elements. */
START_TEST(padding_anywhere)
{
	static const uint8_t tags[] = { CTL_H_SIGNER_VERSION, CTL_H_SIGNERID, CTL_H_SIGNATUREINFO,
	                                CTL_H_SIGNATURE, CTL_H_FILENAME, CTL_H_TIMESTAMP };
	size_t i;

	for (i = 0; i < sizeof(tags); i++) {
		struct hand h;
		struct ctl_file *f;

		hand_default(&h);
		hinsert(&h, hidx(&h, tags[i]), (struct hel){ HK_PAD, CTL_H_PADDING, NULL, 0, 0, -1, 0 });
		f = hand_parse_ok(&h, 0);
		ck_assert_uint_eq(ctl_file_timestamp(f), 1767115542u);
		ck_assert_uint_eq(ctl_file_nrecords(f), 2);
		ctl_file_free(f);
	}
}
END_TEST

/* Padding of 0..3 bytes (and none when the raw size is already a multiple of 4). */
START_TEST(padding_counts)
{
	static const char *names[] = { "CTLFile.tlv", "CTLFile.tlvX", "CTLFile.tlvXY", "CTLFile.tlvXYZ" };
	size_t i;
	int seen[4] = { 0, 0, 0, 0 };

	for (i = 0; i < 4; i++) {
		struct hand h;
		struct ctl_file *f;
		size_t pads = 0, j;

		hand_default(&h);
		while (h.h[h.nh - 1].kind == HK_PAD)
			h.nh--;
		h.h[hidx(&h, CTL_H_FILENAME)].v = names[i];
		h.h[hidx(&h, CTL_H_FILENAME)].n = strlen(names[i]) + 1;
		hpad4(&h);
		for (j = 0; j < h.nh; j++)
			pads += h.h[j].kind == HK_PAD;
		seen[pads] = 1;
		f = hand_parse_ok(&h, 0);
		ck_assert_uint_eq(ctl_file_header_length(f), h.hsize);
		assert_bytes(ctl_file_filename(f), names[i], strlen(names[i]) + 1);
		ctl_file_free(f);
	}
	ck_assert(seen[0] && seen[1] && seen[2] && seen[3]);
}
END_TEST

/* Children may come in any order inside containers (the sample has 6 before 5). */
START_TEST(container_child_order)
{
	struct hand h;
	struct ctl_file *f;
	size_t s5, s10;
	struct hel t;

	hand_default(&h);
	s5 = hidx(&h, CTL_H_SERIALNUMBER);
	t = h.h[s5];
	h.h[s5] = h.h[s5 + 1];
	h.h[s5 + 1] = t;
	s10 = hidx(&h, CTL_H_SIGNATUREALGORITHM);
	t = h.h[s10];
	h.h[s10] = h.h[s10 + 1];
	h.h[s10 + 1] = t;
	f = hand_parse_ok(&h, 0);
	assert_bytes(ctl_file_signer_serial(f), v_serial, sizeof(v_serial));
	assert_bytes(ctl_file_signer_caname(f), v_ca, sizeof(v_ca));
	ck_assert_uint_eq(ctl_file_modulus_code(f), 1);
	ctl_file_free(f);
}
END_TEST

/* Without tag 28 (CUCM 10.x files). */
START_TEST(no_signer_version)
{
	struct hand h;
	struct ctl_file *f;
	uint8_t maj = 9, min = 9;

	hand_default(&h);
	hremove(&h, hidx(&h, CTL_H_SIGNER_VERSION));
	while (h.h[h.nh - 1].kind == HK_PAD)
		h.nh--;
	hpad4(&h);
	f = hand_parse_ok(&h, 0);
	ck_assert_int_eq(ctl_file_signer_version(f, &maj, &min), 0);
	ck_assert_uint_eq(ctl_file_header_length(f), h.hsize);
	ctl_file_free(f);
}
END_TEST

/* Digest SHA-512 (code 3) and every modulus code with a matching signature. */
START_TEST(digest_and_modulus_codes)
{
	static uint8_t big[512];
	static const uint8_t sha512[1] = { CTL_DIGEST_SHA512 };
	static const uint8_t codes[4][1] = { { 0 }, { 1 }, { 2 }, { 3 } };
	size_t c;

	for (c = 0; c < 4; c++) {
		struct hand h;
		struct ctl_file *f;

		hand_default(&h);
		h.h[hidx(&h, CTL_H_DIGESTALGORITHM)].v = sha512;
		h.h[hidx(&h, CTL_H_SIGNATUREMODULUS)].v = codes[c];
		h.h[hidx(&h, CTL_H_SIGNATURE)].v = big;
		h.h[hidx(&h, CTL_H_SIGNATURE)].n = (size_t)64 << c;
		while (h.h[h.nh - 1].kind == HK_PAD)
			h.nh--;
		hpad4(&h);
		f = hand_parse_ok(&h, 0);
		ck_assert_uint_eq(ctl_file_digest(f), CTL_DIGEST_SHA512);
		ck_assert_uint_eq(ctl_file_modulus_code(f), c);
		ck_assert_uint_eq(ctl_file_signature(f).len, (size_t)64 << c);
		ctl_file_free(f);
	}
}
END_TEST

/* A higher minor version is accepted (an 8861 warns and goes on, section 4). */
START_TEST(minor_version_accepted)
{
	static const uint8_t v13[2] = { 1, 3 }, v10[2] = { 1, 0 };
	struct hand h;
	struct ctl_file *f;
	uint8_t maj, min;

	hand_default(&h);
	h.h[0].v = v13;
	f = hand_parse_ok(&h, 0);
	ctl_file_version(f, &maj, &min);
	ck_assert_uint_eq(min, 3);
	ctl_file_free(f);
	hand_default(&h);
	h.h[0].v = v10;
	f = hand_parse_ok(&h, 0);
	ctl_file_free(f);
}
END_TEST

START_TEST(kind_from_filename)
{
	static const char itl[] = "ITLFile.tlv", itlsep[] = "ITLSEPB000B4BA0AEE.tlv";
	static const char ctlsep[] = "CTLSEPB000B4BA0AEE.tlv";
	struct hand h;
	struct ctl_file *f;

	hand_default(&h);
	h.h[hidx(&h, CTL_H_FILENAME)].v = itl;
	f = hand_parse_ok(&h, 0);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_ITL);
	ctl_file_free(f);

	hand_default(&h);
	h.h[hidx(&h, CTL_H_FILENAME)].v = itlsep;
	h.h[hidx(&h, CTL_H_FILENAME)].n = sizeof(itlsep);
	while (h.h[h.nh - 1].kind == HK_PAD)
		h.nh--;
	hpad4(&h);
	f = hand_parse_ok(&h, 0);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_ITL);
	ctl_file_free(f);

	hand_default(&h);
	h.h[hidx(&h, CTL_H_FILENAME)].v = ctlsep;
	h.h[hidx(&h, CTL_H_FILENAME)].n = sizeof(ctlsep);
	while (h.h[h.nh - 1].kind == HK_PAD)
		h.nh--;
	hpad4(&h);
	f = hand_parse_ok(&h, 0);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_CTL);
	ctl_file_free(f);
}
END_TEST

/* ---- unknown tags: kept, not fatal (strict mode refuses header ones) -- */

START_TEST(unknown_header_tag_kept)
{
	static const uint8_t val[5] = { 'h', 'e', 'l', 'l', 'o' };
	struct hand h;
	struct ctl_file *f;
	const struct ctl_elem *el;
	size_t n, i, at;
	int found = 0;

	hand_default(&h);
	at = hidx(&h, CTL_H_FILENAME);
	hinsert(&h, at, (struct hel){ HK_TLV, 20, val, sizeof(val), 0, -1, 0 });
	while (h.h[h.nh - 1].kind == HK_PAD)
		h.nh--;
	hpad4(&h);
	f = hand_parse_ok(&h, 0);
	el = ctl_file_header_elems(f, &n);
	for (i = 0; i < n; i++)
		if (el[i].tag == 20) {
			found++;
			ck_assert_uint_eq(el[i].off, h.h[at].off);
			ck_assert_uint_eq(el[i].len, sizeof(val));
			ck_assert_mem_eq(el[i].val, val, sizeof(val));
			ck_assert_int_eq(el[i].depth, 0);
		}
	ck_assert_int_eq(found, 1);
	ck_assert_uint_eq(ctl_file_timestamp(f), 1767115542u);
	ck_assert_uint_eq(ctl_file_nrecords(f), 2);
	ctl_file_free(f);

	EXPECT_FAIL(&h, CTL_PARSE_STRICT, CTL_E_BAD_TAG, h.h[at].off, 20, 0);
}
END_TEST

/* The encryption tags 16-27 of .enc.sgn are unknown in a .tlv header. */
START_TEST(enc_tags_in_header)
{
	static const uint8_t val[2] = { 0, 1 };
	uint8_t tag;

	for (tag = 16; tag <= 27; tag++) {
		struct hand h;
		struct ctl_file *f;
		size_t at;

		hand_default(&h);
		at = hidx(&h, CTL_H_TIMESTAMP);
		hinsert(&h, at, (struct hel){ HK_TLV, tag, val, sizeof(val), 0, -1, 0 });
		while (h.h[h.nh - 1].kind == HK_PAD)
			h.nh--;
		hpad4(&h);
		f = hand_parse_ok(&h, 0);
		ctl_file_free(f);
		EXPECT_FAIL(&h, CTL_PARSE_STRICT, CTL_E_BAD_TAG, h.h[at].off, tag, 0);
	}
}
END_TEST

START_TEST(unknown_record_tag_kept)
{
	struct hand h;
	struct ctl_file *f;
	const struct ctl_record *r;
	size_t k;
	int found = 0;

	hand_default(&h);
	rinsert(&h.r[0], 3, (struct rel){ 40, r_unknown, sizeof(r_unknown), -1, 0 });
	radd(&h.r[1], 0xff, r_unknown, 1);
	f = hand_parse_ok(&h, CTL_PARSE_STRICT);
	r = ctl_file_record(f, 0);
	ck_assert_uint_eq(r->nelems, h.r[0].ne);
	for (k = 0; k < r->nelems; k++)
		if (r->elems[k].tag == 40) {
			found++;
			ck_assert_uint_eq(r->elems[k].off, h.r[0].e[3].off);
			ck_assert_mem_eq(r->elems[k].val, r_unknown, sizeof(r_unknown));
		}
	ck_assert_int_eq(found, 1);
	ck_assert_uint_eq(r->role, CTL_ROLE_CCM_TFTP);
	assert_bytes(r->cert, r_cert, sizeof(r_cert));
	r = ctl_file_record(f, 1);
	ck_assert_uint_eq(r->elems[r->nelems - 1].tag, 0xff);
	ctl_file_free(f);
}
END_TEST

/* ---- .sgn ------------------------------------------------------------ */

START_TEST(sgn_payload)
{
	static const char name[] = "SEP001122334455.cnf.xml.sgn";
	static const char xml[] = "<device><fullConfig>true</fullConfig></device>\n";
	struct hand h;
	struct ctl_file *f;
	static const uint8_t v10[2] = { 1, 0 };

	hand_default(&h);
	h.h[0].v = v10;
	hremove(&h, hidx(&h, CTL_H_SIGNER_VERSION));
	h.h[hidx(&h, CTL_H_FILENAME)].v = name;
	h.h[hidx(&h, CTL_H_FILENAME)].n = sizeof(name);
	while (h.h[h.nh - 1].kind == HK_PAD)
		h.nh--;
	hpad4(&h);
	h.nr = 0;
	h.tail = xml;
	h.ntail = sizeof(xml) - 1;
	f = hand_parse_ok(&h, 0);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_SGN);
	ck_assert_uint_eq(ctl_file_nrecords(f), 0);
	assert_bytes(ctl_file_payload(f), xml, sizeof(xml) - 1);
	ctl_file_free(f);

	/* the same bytes as a CTL: the payload is not records */
	hand_default(&h);
	h.nr = 0;
	h.tail = xml;
	h.ntail = sizeof(xml) - 1;
	{
		struct ctl_diag d;

		ck_assert_int_ne(hand_parse(&h, 0, NULL, &d), CTL_OK);
	}
	/* CTL_PARSE_SGN forces the .sgn reading whatever the name */
	f = hand_parse_ok(&h, CTL_PARSE_SGN);
	ck_assert_int_eq(ctl_file_kind(f), CTL_KIND_SGN);
	assert_bytes(ctl_file_payload(f), xml, sizeof(xml) - 1);
	ctl_file_free(f);

	/* an empty payload is allowed */
	h.ntail = 0;
	f = hand_parse_ok(&h, CTL_PARSE_SGN);
	ck_assert_uint_eq(ctl_file_payload(f).len, 0);
	ctl_file_free(f);
}
END_TEST

/* ---- truncated ------------------------------------------------------- */

static int
structural(enum ctl_err e)
{
	switch (e) {
	case CTL_E_TRUNCATED: case CTL_E_HDR_LEN: case CTL_E_REC_LEN: case CTL_E_CONTAINER_LEN:
		return 1;
	default:
		return 0;
	}
}

START_TEST(truncated_every_offset)
{
	struct hand h;
	uint8_t *p;
	size_t len, cut;
	unsigned nok = 0;

	hand_default(&h);
	p = hand_bytes(&h, &len);
	for (cut = 0; cut < len; cut++) {
		struct ctl_file *f = NULL;
		struct ctl_diag d;
		uint8_t *copy = malloc(cut ? cut : 1);
		enum ctl_err r;
		char s[768];

		/* an exact-size heap copy: ASan catches any read past the cut */
		memcpy(copy, p, cut);
		r = ctl_file_parse(copy, cut, 0, &f, &d);
		free(copy);
		if (r == CTL_OK) {
			/* only at a record boundary: the header, or header + record 1 */
			ck_assert_msg(cut == h.hsize || cut == h.hsize + h.r[0].size,
			              "cut at %zu parsed", cut);
			ck_assert_uint_eq(ctl_file_nrecords(f), cut == h.hsize ? 0 : 1);
			ctl_file_free(f);
			nok++;
			continue;
		}
		ck_assert_ptr_null(f);
		ctl_diag_str(&d, s, sizeof(s));
		ck_assert_msg(structural(r), "cut at %zu: %s (%d): %s", cut, ctl_strerror(r), r, s);
		ck_assert_int_eq(d.err, r);
		ck_assert_msg(d.offset <= cut, "cut at %zu: diag offset %zu: %s", cut, d.offset, s);
	}
	ck_assert_uint_eq(nok, 2);
	free(p);
}
END_TEST

/* Cuts in the header give TRUNCATED; HEADER_LENGTH beyond the cut names tag 2 at offset 5. */
START_TEST(truncated_header_codes)
{
	struct hand h;
	uint8_t *p;
	size_t len, cut;

	hand_default(&h);
	p = hand_bytes(&h, &len);
	for (cut = 10; cut < h.hsize; cut++) {
		struct ctl_file *f;
		struct ctl_diag d;

		ck_assert_int_eq(ctl_file_parse(p, cut, 0, &f, &d), CTL_E_TRUNCATED);
		ck_assert_uint_eq(d.offset, 5);
		ck_assert_int_eq(d.tag, CTL_H_HEADER_LENGTH);
	}
	free(p);
}
END_TEST

/* A cut inside the last record: TRUNCATED at its RECORDLENGTH, record 2. */
START_TEST(truncated_record_codes)
{
	struct hand h;
	uint8_t *p;
	size_t len, cut;

	hand_default(&h);
	p = hand_bytes(&h, &len);
	for (cut = h.r[1].off + 5; cut < len; cut++) {
		struct ctl_file *f;
		struct ctl_diag d;

		ck_assert_int_eq(ctl_file_parse(p, cut, 0, &f, &d), CTL_E_TRUNCATED);
		ck_assert_uint_eq(d.offset, h.r[1].off);
		ck_assert_int_eq(d.tag, CTL_R_RECORDLENGTH);
		ck_assert_int_eq(d.record, 2);
	}
	free(p);
}
END_TEST

START_TEST(empty_and_tiny)
{
	struct ctl_file *f = (struct ctl_file *)&f;
	struct ctl_diag d;
	static const uint8_t one[1] = { 1 };

	ck_assert_int_eq(ctl_file_parse(one, 0, 0, &f, &d), CTL_E_TRUNCATED);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(d.offset, 0);
	ck_assert_int_eq(ctl_file_parse(one, 1, 0, &f, &d), CTL_E_TRUNCATED);
	ck_assert_uint_eq(d.offset, 0);
	ck_assert_int_eq(d.tag, CTL_H_VERSION);
}
END_TEST

START_TEST(too_large)
{
	struct ctl_file *f;
	struct ctl_diag d;
	uint8_t *big = calloc(1, (size_t)CTL_MAX_FILE + 1);

	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(ctl_file_parse(big, (size_t)CTL_MAX_FILE + 1, 0, &f, &d), CTL_E_TOO_LARGE);
	ck_assert_ptr_null(f);
	free(big);
}
END_TEST

/* ---- malformed: one rule each ------------------------------------------ */

/* Zero-length elements: variable ones are ZERO_LEN, fixed-size ones FIELD_LEN. */
START_TEST(zero_len_header)
{
	static const struct {
		uint8_t tag;
		enum ctl_err want;
	} cases[] = {
		{ CTL_H_SIGNERNAME, CTL_E_ZERO_LEN },   { CTL_H_SERIALNUMBER, CTL_E_ZERO_LEN },
		{ CTL_H_CANAME, CTL_E_ZERO_LEN },       { CTL_H_SIGNATURE, CTL_E_ZERO_LEN },
		{ CTL_H_FILENAME, CTL_E_ZERO_LEN },     { CTL_H_DIGESTALGORITHM, CTL_E_FIELD_LEN },
		{ CTL_H_SIGNATUREALGORITHM, CTL_E_FIELD_LEN },
		{ CTL_H_SIGNATUREMODULUS, CTL_E_FIELD_LEN }, { CTL_H_TIMESTAMP, CTL_E_FIELD_LEN },
		{ CTL_H_SIGNER_VERSION, CTL_E_FIELD_LEN },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hand h;
		size_t at;

		hand_default(&h);
		at = hidx(&h, cases[i].tag);
		h.h[at].n = 0;
		EXPECT_FAIL(&h, 0, cases[i].want, h.h[at].off, cases[i].tag, 0);
	}
}
END_TEST

/* VERSION and HEADER_LENGTH must be exactly 2 bytes. */
START_TEST(zero_len_prefix)
{
	struct hand h;

	hand_default(&h);
	h.h[0].n = 0;
	EXPECT_FAIL(&h, 0, CTL_E_FIELD_LEN, 0, CTL_H_VERSION, 0);
	hand_default(&h);
	h.h[1].n = 0;
	EXPECT_FAIL(&h, 0, CTL_E_FIELD_LEN, 5, CTL_H_HEADER_LENGTH, 0);
}
END_TEST

/* An empty container: its children then stand outside it. */
START_TEST(zero_len_container)
{
	static const uint8_t tags[] = { CTL_H_SIGNERID, CTL_H_SIGNATUREINFO };
	size_t i;

	for (i = 0; i < sizeof(tags); i++) {
		struct hand h;
		size_t at;

		hand_default(&h);
		at = hidx(&h, tags[i]);
		h.h[at].len = 0;
		EXPECT_FAIL(&h, 0, CTL_E_ZERO_LEN, h.h[at].off, tags[i], 0);
	}
}
END_TEST

START_TEST(zero_len_record)
{
	static const uint8_t tags[] = { CTL_R_SUBJECTNAME, CTL_R_ISSUERNAME, CTL_R_SERIALNUMBER,
	                                CTL_R_PUBLICKEY, CTL_R_SIGNATURE, CTL_R_CERTIFICATE,
	                                CTL_R_CERTHASH, CTL_R_HASHALGORITHM };
	size_t i;

	for (i = 0; i < sizeof(tags); i++) {
		struct hand h;
		size_t at;

		hand_default(&h);
		at = ridx(&h.r[0], tags[i]);
		h.r[0].e[at].n = 0;
		EXPECT_FAIL(&h, 0, CTL_E_ZERO_LEN, h.r[0].e[at].off, tags[i], 1);
	}
}
END_TEST

START_TEST(bad_fixed_len_record)
{
	struct hand h;
	size_t at;

	hand_default(&h);
	at = ridx(&h.r[0], CTL_R_FUNCTION);
	h.r[0].e[at].n = 0;
	EXPECT_FAIL(&h, 0, CTL_E_FIELD_LEN, h.r[0].e[at].off, CTL_R_FUNCTION, 1);

	hand_default(&h);
	at = ridx(&h.r[0], CTL_R_FUNCTION);
	h.r[0].e[at].n = 1;
	EXPECT_FAIL(&h, 0, CTL_E_FIELD_LEN, h.r[0].e[at].off, CTL_R_FUNCTION, 1);

	hand_default(&h);
	at = ridx(&h.r[0], CTL_R_IPADDRESS);
	h.r[0].e[at].n = 3;
	EXPECT_FAIL(&h, 0, CTL_E_FIELD_LEN, h.r[0].e[at].off, CTL_R_IPADDRESS, 1);

	hand_default(&h);
	at = hidx(&h, CTL_H_TIMESTAMP);
	h.h[at].n = 3;
	hpad4(&h);
	EXPECT_FAIL(&h, 0, CTL_E_FIELD_LEN, h.h[at].off, CTL_H_TIMESTAMP, 0);
}
END_TEST

/* Duplicated tags: the second occurrence is reported. */
START_TEST(dup_header_tags)
{
	static const uint8_t tags[] = { CTL_H_SIGNER_VERSION, CTL_H_SIGNATURE, CTL_H_FILENAME,
	                                CTL_H_TIMESTAMP };
	size_t i;

	for (i = 0; i < sizeof(tags); i++) {
		struct hand h;
		size_t at, dup;

		hand_default(&h);
		at = hidx(&h, tags[i]);
		dup = h.nh;
		hinsert(&h, dup, h.h[at]);
		hpad4(&h);
		EXPECT_FAIL(&h, 0, CTL_E_DUP_TAG, h.h[dup].off, tags[i], 0);
	}
}
END_TEST

START_TEST(dup_in_container)
{
	struct hand h;
	size_t at;

	/* SIGNERNAME twice inside SIGNERID */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNERNAME);
	hinsert(&h, at + 1, h.h[at]);
	h.h[hidx(&h, CTL_H_SIGNERID)].nkids = 4;
	hpad4(&h);
	EXPECT_FAIL(&h, 0, CTL_E_DUP_TAG, h.h[at + 1].off, CTL_H_SIGNERNAME, 0);

	/* DIGEST twice inside SIGNATUREINFO */
	hand_default(&h);
	at = hidx(&h, CTL_H_DIGESTALGORITHM);
	hinsert(&h, at + 1, h.h[at]);
	h.h[hidx(&h, CTL_H_SIGNATUREINFO)].nkids = 5;
	hpad4(&h);
	EXPECT_FAIL(&h, 0, CTL_E_DUP_TAG, h.h[at + 1].off, CTL_H_DIGESTALGORITHM, 0);

	/* a second SIGNERID container */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNERID);
	{
		size_t ts = hidx(&h, CTL_H_TIMESTAMP) + 1, k;

		for (k = 0; k < 4; k++)
			hinsert(&h, ts + k, h.h[at + k]);
		hpad4(&h);
		EXPECT_FAIL(&h, 0, CTL_E_DUP_TAG, h.h[ts].off, CTL_H_SIGNERID, 0);
	}
}
END_TEST

START_TEST(dup_version_later)
{
	struct hand h;
	size_t at;

	hand_default(&h);
	at = hidx(&h, CTL_H_FILENAME);
	hinsert(&h, at, h.h[0]);
	hpad4(&h);
	EXPECT_FAIL(&h, 0, CTL_E_DUP_TAG, h.h[at].off, CTL_H_VERSION, 0);
}
END_TEST

START_TEST(dup_record_tags)
{
	static const uint8_t tags[] = { CTL_R_DNSNAME, CTL_R_SUBJECTNAME, CTL_R_FUNCTION,
	                                CTL_R_ISSUERNAME, CTL_R_SERIALNUMBER, CTL_R_PUBLICKEY,
	                                CTL_R_SIGNATURE, CTL_R_CERTIFICATE, CTL_R_IPADDRESS,
	                                CTL_R_CERTHASH, CTL_R_HASHALGORITHM };
	size_t i;

	for (i = 0; i < sizeof(tags); i++) {
		struct hand h;
		size_t at;

		hand_default(&h);
		at = ridx(&h.r[0], tags[i]);
		radd(&h.r[0], tags[i], h.r[0].e[at].v, h.r[0].e[at].n);
		EXPECT_FAIL(&h, 0, CTL_E_DUP_TAG, h.r[0].e[h.r[0].ne - 1].off, tags[i], 1);
	}
}
END_TEST

/* A second RECORDLENGTH inside a record. */
START_TEST(dup_recordlength)
{
	static const uint8_t rl[2] = { 0, 5 };
	struct hand h;

	hand_default(&h);
	rinsert(&h.r[1], 2, (struct rel){ CTL_R_RECORDLENGTH, rl, 2, -1, 0 });
	EXPECT_FAIL(&h, 0, CTL_E_DUP_TAG, h.r[1].e[2].off, CTL_R_RECORDLENGTH, 2);
}
END_TEST

/* VERSION must be first and HEADER_LENGTH second. */
START_TEST(order_prefix)
{
	struct hand h;
	struct hel t;

	hand_default(&h);
	t = h.h[0];
	h.h[0] = h.h[1];
	h.h[1] = t;
	EXPECT_FAIL(&h, 0, CTL_E_ORDER, 0, CTL_H_HEADER_LENGTH, 0);

	hand_default(&h);
	t = h.h[1];
	h.h[1] = h.h[2]; /* SIGNER_VERSION before HEADER_LENGTH */
	h.h[2] = t;
	EXPECT_FAIL(&h, 0, CTL_E_ORDER, 5, CTL_H_SIGNER_VERSION, 0);

	hand_default(&h);
	hremove(&h, 0); /* no VERSION at all */
	EXPECT_FAIL(&h, 0, CTL_E_ORDER, 0, CTL_H_HEADER_LENGTH, 0);

	hand_default(&h);
	hinsert(&h, 0, (struct hel){ HK_PAD, CTL_H_PADDING, NULL, 0, 0, -1, 0 });
	EXPECT_FAIL(&h, 0, CTL_E_ORDER, 0, CTL_H_PADDING, 0);
}
END_TEST

/* Container children outside their container, or the reverse. */
START_TEST(bad_tag_placement)
{
	struct hand h;
	size_t at;

	/* SIGNERNAME at top level */
	hand_default(&h);
	at = hidx(&h, CTL_H_FILENAME);
	hinsert(&h, at, h.h[hidx(&h, CTL_H_SIGNERNAME)]);
	hpad4(&h);
	EXPECT_FAIL(&h, 0, CTL_E_BAD_TAG, h.h[at].off, CTL_H_SIGNERNAME, 0);

	/* DIGEST inside SIGNERID */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNERNAME);
	hinsert(&h, at, h.h[hidx(&h, CTL_H_DIGESTALGORITHM)]);
	h.h[hidx(&h, CTL_H_SIGNERID)].nkids = 4;
	hpad4(&h);
	EXPECT_FAIL(&h, 0, CTL_E_BAD_TAG, h.h[at].off, CTL_H_DIGESTALGORITHM, 0);

	/* SIGNATURE inside SIGNATUREINFO (it follows the container, section 2) */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNATURE);
	h.h[hidx(&h, CTL_H_SIGNATUREINFO)].nkids = 5;
	EXPECT_FAIL(&h, 0, CTL_E_BAD_TAG, h.h[at].off, CTL_H_SIGNATURE, 0);

	/* SIGNATUREALGORITHM directly in SIGNATUREINFO */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNATUREALGOINFO);
	h.h[at].nkids = 1; /* covers only tag 10; tag 11 falls into SIGNATUREINFO */
	EXPECT_FAIL(&h, 0, CTL_E_BAD_TAG, h.h[at + 2].off, CTL_H_SIGNATUREMODULUS, 0);
}
END_TEST

START_TEST(record_order)
{
	struct hand h;

	/* a record must start with RECORDLENGTH */
	hand_default(&h);
	h.r[1].no_rl = 1;
	EXPECT_FAIL(&h, 0, CTL_E_ORDER, h.r[1].off, h.r[1].e[0].tag, 2);
}
END_TEST

/* Container length one more or one less than its children. */
START_TEST(container_len_mismatch)
{
	struct hand h;
	size_t at;

	/* SIGNERID one byte long: it swallows the tag byte of SIGNATUREINFO */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNERID);
	h.h[at].len = 9 + (long)(sizeof(v_signer) + sizeof(v_serial) + sizeof(v_ca)) + 1;
	EXPECT_FAIL(&h, 0, CTL_E_CONTAINER_LEN, h.h[at + 4].off, CTL_H_SIGNATUREINFO, 0);

	/* SIGNERID one byte short: CANAME runs past it */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNERID);
	h.h[at].len = 9 + (long)(sizeof(v_signer) + sizeof(v_serial) + sizeof(v_ca)) - 1;
	EXPECT_FAIL(&h, 0, CTL_E_CONTAINER_LEN, h.h[at + 3].off, CTL_H_CANAME, 0);

	/* SIGNATUREINFO 16: swallows the SIGNATURE tag byte */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNATUREINFO);
	h.h[at].len = 16;
	EXPECT_FAIL(&h, 0, CTL_E_CONTAINER_LEN, h.h[at + 5].off, CTL_H_SIGNATURE, 0);

	/* SIGNATUREINFO 14: SIGNATUREALGOINFO (8) no longer fits */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNATUREINFO);
	h.h[at].len = 14;
	EXPECT_FAIL(&h, 0, CTL_E_CONTAINER_LEN, h.h[at + 2].off, CTL_H_SIGNATUREALGOINFO, 0);

	/* SIGNATUREALGOINFO 7: MODULUS runs past it */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNATUREALGOINFO);
	h.h[at].len = 7;
	EXPECT_FAIL(&h, 0, CTL_E_CONTAINER_LEN, h.h[at + 2].off, CTL_H_SIGNATUREMODULUS, 0);

	/* SIGNATUREALGOINFO 9 inside an exact SIGNATUREINFO of 15 */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNATUREALGOINFO);
	h.h[at].len = 9;
	EXPECT_FAIL(&h, 0, CTL_E_CONTAINER_LEN, h.h[at].off, CTL_H_SIGNATUREALGOINFO, 0);
}
END_TEST

START_TEST(header_length_beyond_file)
{
	struct hand h;
	size_t len;

	hand_default(&h);
	free(hand_bytes(&h, &len));
	h.hlen = (long)len + 1;
	EXPECT_FAIL(&h, 0, CTL_E_TRUNCATED, 5, CTL_H_HEADER_LENGTH, 0);
	h.hlen = 0xffff;
	EXPECT_FAIL(&h, 0, CTL_E_TRUNCATED, 5, CTL_H_HEADER_LENGTH, 0);
}
END_TEST

START_TEST(header_length_short)
{
	struct hand h;
	size_t at;

	/* HEADER_LENGTH ends inside TIMESTAMP */
	hand_default(&h);
	while (h.h[h.nh - 1].kind == HK_PAD)
		h.nh--;
	at = hidx(&h, CTL_H_TIMESTAMP);
	free(hand_bytes(&h, &(size_t){ 0 }));
	h.hlen = (long)h.h[at].off + 5;
	EXPECT_FAIL(&h, 0, CTL_E_HDR_LEN, h.h[at].off, CTL_H_TIMESTAMP, 0);

	/* below the 10 bytes of VERSION and HEADER_LENGTH */
	hand_default(&h);
	h.hlen = 9;
	EXPECT_FAIL(&h, 0, CTL_E_HDR_LEN, 5, CTL_H_HEADER_LENGTH, 0);
	h.hlen = 0;
	EXPECT_FAIL(&h, 0, CTL_E_HDR_LEN, 5, CTL_H_HEADER_LENGTH, 0);
}
END_TEST

START_TEST(header_missing_elements)
{
	static const uint8_t tags[] = { CTL_H_SIGNATURE, CTL_H_FILENAME, CTL_H_TIMESTAMP };
	size_t i;

	for (i = 0; i < sizeof(tags); i++) {
		struct hand h;

		hand_default(&h);
		hremove(&h, hidx(&h, tags[i]));
		while (h.h[h.nh - 1].kind == HK_PAD)
			h.nh--;
		hpad4(&h);
		EXPECT_FAIL(&h, 0, CTL_E_MISSING, h.hsize, tags[i], 0);
	}
}
END_TEST

START_TEST(record_length_short)
{
	static const long bad[] = { 0, 1, 4 };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct hand h;

		hand_default(&h);
		h.r[1].rl = bad[i];
		EXPECT_FAIL(&h, 0, CTL_E_REC_LEN, h.r[1].off, CTL_R_RECORDLENGTH, 2);
	}
}
END_TEST

START_TEST(record_length_beyond_eof)
{
	struct hand h;

	hand_default(&h);
	h.r[1].rl = (long)h.r[1].size + 1;
	free(hand_bytes(&h, &(size_t){ 0 }));
	h.r[1].rl = (long)h.r[1].size + 1;
	EXPECT_FAIL(&h, 0, CTL_E_TRUNCATED, h.r[1].off, CTL_R_RECORDLENGTH, 2);
	h.r[1].rl = 0xffff;
	EXPECT_FAIL(&h, 0, CTL_E_TRUNCATED, h.r[1].off, CTL_R_RECORDLENGTH, 2);
}
END_TEST

/* RECORDLENGTH off by one between two records. */
START_TEST(record_length_mismatch)
{
	struct hand h;

	/* one short: the last element of record 1 runs past it */
	hand_default(&h);
	free(hand_bytes(&h, &(size_t){ 0 }));
	h.r[0].rl = (long)h.r[0].size - 1;
	EXPECT_FAIL(&h, 0, CTL_E_REC_LEN, h.r[0].e[h.r[0].ne - 1].off, CTL_R_HASHALGORITHM, 1);

	/* one long: record 1 swallows the tag byte of record 2's RECORDLENGTH */
	hand_default(&h);
	free(hand_bytes(&h, &(size_t){ 0 }));
	h.r[0].rl = (long)h.r[0].size + 1;
	EXPECT_FAIL(&h, 0, CTL_E_REC_LEN, h.r[1].off, CTL_R_RECORDLENGTH, 1);

	/* RECORDLENGTH element of length 4 */
	hand_default(&h);
	free(hand_bytes(&h, &(size_t){ 0 }));
	{
		uint8_t *p;
		size_t len;
		struct ctl_file *f;
		struct ctl_diag d;

		p = hand_bytes(&h, &len);
		p[h.r[1].off + 2] = 4;
		ck_assert_int_eq(ctl_file_parse(p, len, 0, &f, &d), CTL_E_FIELD_LEN);
		ck_assert_uint_eq(d.offset, h.r[1].off);
		ck_assert_int_eq(d.tag, CTL_R_RECORDLENGTH);
		ck_assert_int_eq(d.record, 2);
		free(p);
	}
}
END_TEST

/* Fewer than 5 stray bytes after the last record. */
START_TEST(trailing_bytes)
{
	static const uint8_t tail1[1] = { CTL_R_RECORDLENGTH };
	static const uint8_t tail3[3] = { CTL_R_RECORDLENGTH, 0, 2 };
	struct hand h;
	size_t len;

	hand_default(&h);
	free(hand_bytes(&h, &len));
	h.tail = tail1;
	h.ntail = 1;
	EXPECT_FAIL(&h, 0, CTL_E_TRUNCATED, len, CTL_R_RECORDLENGTH, 3);
	h.tail = tail3;
	h.ntail = 3;
	EXPECT_FAIL(&h, 0, CTL_E_TRUNCATED, len, CTL_R_RECORDLENGTH, 3);
}
END_TEST

START_TEST(record_without_function)
{
	struct hand h;
	size_t at;

	hand_default(&h);
	at = ridx(&h.r[1], CTL_R_FUNCTION);
	memmove(&h.r[1].e[at], &h.r[1].e[at + 1], (h.r[1].ne - at - 1) * sizeof(h.r[1].e[0]));
	h.r[1].ne--;
	EXPECT_FAIL(&h, 0, CTL_E_MISSING, h.r[1].off, CTL_R_FUNCTION, 2);
}
END_TEST

/* SIGNATURE length must match the modulus code (section 5.3). */
START_TEST(modulus_mismatch)
{
	static const uint8_t m2[1] = { 2 }, m0[1] = { 0 }, m7[1] = { 7 };
	struct hand h;
	size_t at;

	hand_default(&h);
	h.h[hidx(&h, CTL_H_SIGNATUREMODULUS)].v = m2;
	at = hidx(&h, CTL_H_SIGNATURE);
	EXPECT_FAIL(&h, 0, CTL_E_MODULUS, h.h[at].off, CTL_H_SIGNATURE, 0);

	hand_default(&h);
	h.h[hidx(&h, CTL_H_SIGNATUREMODULUS)].v = m0;
	EXPECT_FAIL(&h, 0, CTL_E_MODULUS, h.h[at].off, CTL_H_SIGNATURE, 0);

	/* a signature one byte short of its modulus */
	hand_default(&h);
	h.h[at].n = 127;
	while (h.h[h.nh - 1].kind == HK_PAD)
		h.nh--;
	hpad4(&h);
	EXPECT_FAIL(&h, 0, CTL_E_MODULUS, h.h[at].off, CTL_H_SIGNATURE, 0);

	/* an undefined modulus code */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNATUREMODULUS);
	h.h[at].v = m7;
	EXPECT_FAIL(&h, 0, CTL_E_MODULUS, h.h[at].off, CTL_H_SIGNATUREMODULUS, 0);
}
END_TEST

/* Unknown digest codes, including 4 (a wrong SHA-512 code, section 5.2). */
START_TEST(unknown_digest)
{
	static const uint8_t codes[][1] = { { 0 }, { 4 }, { 9 }, { 0xff } };
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct hand h;
		size_t at;

		hand_default(&h);
		at = hidx(&h, CTL_H_DIGESTALGORITHM);
		h.h[at].v = codes[i];
		EXPECT_FAIL(&h, 0, CTL_E_DIGEST, h.h[at].off, CTL_H_DIGESTALGORITHM, 0);
	}
}
END_TEST

START_TEST(unknown_sigalg)
{
	static const uint8_t one[1] = { 1 };
	struct hand h;
	size_t at;

	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNATUREALGORITHM);
	h.h[at].v = one;
	EXPECT_FAIL(&h, 0, CTL_E_SIGALG, h.h[at].off, CTL_H_SIGNATUREALGORITHM, 0);
}
END_TEST

START_TEST(unsupported_version)
{
	static const uint8_t v20[2] = { 2, 0 }, v02[2] = { 0, 2 };
	struct hand h;

	hand_default(&h);
	h.h[0].v = v20;
	EXPECT_FAIL(&h, 0, CTL_E_VERSION, 0, CTL_H_VERSION, 0);
	h.h[0].v = v02;
	EXPECT_FAIL(&h, 0, CTL_E_VERSION, 0, CTL_H_VERSION, 0);
}
END_TEST

/* An element inside the header whose length runs past HEADER_LENGTH. */
START_TEST(element_past_header)
{
	struct hand h;
	size_t at;

	hand_default(&h);
	at = hidx(&h, CTL_H_FILENAME);
	h.h[at].len = (long)h.h[at].n + 200; /* still inside the file */
	EXPECT_FAIL(&h, 0, CTL_E_HDR_LEN, h.h[at].off, CTL_H_FILENAME, 0);
}
END_TEST

/* Element lengths of 0xFFFF wherever a length is read (reader rule: giant length). */
START_TEST(giant_element_lengths)
{
	struct hand h;
	size_t at;

	/* a top-level header element */
	hand_default(&h);
	at = hidx(&h, CTL_H_FILENAME);
	h.h[at].len = 0xffff;
	EXPECT_FAIL(&h, 0, CTL_E_HDR_LEN, h.h[at].off, CTL_H_FILENAME, 0);

	/* a container, and a child inside one */
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNERID);
	h.h[at].len = 0xffff;
	EXPECT_FAIL(&h, 0, CTL_E_HDR_LEN, h.h[at].off, CTL_H_SIGNERID, 0);
	hand_default(&h);
	at = hidx(&h, CTL_H_SIGNERNAME);
	h.h[at].len = 0xffff;
	EXPECT_FAIL(&h, 0, CTL_E_CONTAINER_LEN, h.h[at].off, CTL_H_SIGNERNAME, 0);

	/* an unknown header tag is skipped by its length: still bounded */
	hand_default(&h);
	at = hidx(&h, CTL_H_TIMESTAMP);
	hinsert(&h, at, (struct hel){ HK_TLV, 20, r_unknown, sizeof(r_unknown), 0, 0xffff, 0 });
	EXPECT_FAIL(&h, 0, CTL_E_HDR_LEN, h.h[at].off, 20, 0);

	/* a record element, known and unknown */
	hand_default(&h);
	at = ridx(&h.r[0], CTL_R_CERTIFICATE);
	h.r[0].e[at].len = 0xffff;
	EXPECT_FAIL(&h, 0, CTL_E_REC_LEN, h.r[0].e[at].off, CTL_R_CERTIFICATE, 1);
	hand_default(&h);
	rinsert(&h.r[1], 1, (struct rel){ 40, r_unknown, sizeof(r_unknown), 0xffff, 0 });
	EXPECT_FAIL(&h, 0, CTL_E_REC_LEN, h.r[1].e[1].off, 40, 2);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *ok = tcase_create("ok");
	TCase *unk = tcase_create("unknown");
	TCase *tr = tcase_create("truncated");
	TCase *mal = tcase_create("malformed");

	tcase_add_test(ok, all_header_tags);
	tcase_add_test(ok, header_elems_prefix);
	tcase_add_test(ok, all_record_tags);
	tcase_add_test(ok, minimal_record);
	tcase_add_test(ok, etoken_empty_dns);
	tcase_add_test(ok, header_only);
	tcase_add_test(ok, padding_anywhere);
	tcase_add_test(ok, padding_counts);
	tcase_add_test(ok, container_child_order);
	tcase_add_test(ok, no_signer_version);
	tcase_add_test(ok, digest_and_modulus_codes);
	tcase_add_test(ok, minor_version_accepted);
	tcase_add_test(ok, kind_from_filename);
	tcase_add_test(ok, sgn_payload);
	suite_add_tcase(s, ok);

	tcase_add_test(unk, unknown_header_tag_kept);
	tcase_add_test(unk, enc_tags_in_header);
	tcase_add_test(unk, unknown_record_tag_kept);
	suite_add_tcase(s, unk);

	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, truncated_every_offset);
	tcase_add_test(tr, truncated_header_codes);
	tcase_add_test(tr, truncated_record_codes);
	tcase_add_test(tr, empty_and_tiny);
	tcase_add_test(tr, too_large);
	suite_add_tcase(s, tr);

	tcase_add_test(mal, zero_len_header);
	tcase_add_test(mal, zero_len_prefix);
	tcase_add_test(mal, zero_len_container);
	tcase_add_test(mal, zero_len_record);
	tcase_add_test(mal, bad_fixed_len_record);
	tcase_add_test(mal, dup_header_tags);
	tcase_add_test(mal, dup_in_container);
	tcase_add_test(mal, dup_version_later);
	tcase_add_test(mal, dup_record_tags);
	tcase_add_test(mal, dup_recordlength);
	tcase_add_test(mal, order_prefix);
	tcase_add_test(mal, bad_tag_placement);
	tcase_add_test(mal, record_order);
	tcase_add_test(mal, container_len_mismatch);
	tcase_add_test(mal, header_length_beyond_file);
	tcase_add_test(mal, header_length_short);
	tcase_add_test(mal, header_missing_elements);
	tcase_add_test(mal, record_length_short);
	tcase_add_test(mal, record_length_beyond_eof);
	tcase_add_test(mal, record_length_mismatch);
	tcase_add_test(mal, trailing_bytes);
	tcase_add_test(mal, record_without_function);
	tcase_add_test(mal, modulus_mismatch);
	tcase_add_test(mal, unknown_digest);
	tcase_add_test(mal, unknown_sigalg);
	tcase_add_test(mal, unsupported_version);
	tcase_add_test(mal, element_past_header);
	tcase_add_test(mal, giant_element_lengths);
	suite_add_tcase(s, mal);
	return s;
}

CTL_TEST_MAIN(make_suite)
