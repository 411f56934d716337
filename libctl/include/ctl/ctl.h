/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libctl: Cisco-style Certificate Trust List (CTL), Identity Trust List (ITL)
 * and signed-file (.sgn) reading, building, signing, verification and
 * rendering. The format is described in doc/ctl-format.md (section numbers
 * in comments refer to it).
 *
 * Ownership: objects from the _new() and _parse() functions are freed with the matching
 * _free(); _free(NULL) is a no-op. Getters returning const pointers lend
 * memory that lives as long as the parent object.
 */
#ifndef CTL_CTL_H
#define CTL_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/types.h>

#include <ctl/buf.h>
#include <ctl/err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CTL_VERSION_STRING "0.1.0"

/* Hard limit on a file libctl reads or writes (trust lists are KB-sized). */
#define CTL_MAX_FILE (16u * 1024u * 1024u)

/* Header tags, section 2. */
enum ctl_htag {
	CTL_H_VERSION = 1,
	CTL_H_HEADER_LENGTH = 2,
	CTL_H_SIGNERID = 3,
	CTL_H_SIGNERNAME = 4,
	CTL_H_SERIALNUMBER = 5,
	CTL_H_CANAME = 6,
	CTL_H_SIGNATUREINFO = 7,
	CTL_H_DIGESTALGORITHM = 8,
	CTL_H_SIGNATUREALGOINFO = 9,
	CTL_H_SIGNATUREALGORITHM = 10,
	CTL_H_SIGNATUREMODULUS = 11,
	CTL_H_SIGNATURE = 12,
	CTL_H_PADDING = 13,
	CTL_H_FILENAME = 14,
	CTL_H_TIMESTAMP = 15,
	CTL_H_SIGNER_VERSION = 28
};

/* Record tags, section 6. */
enum ctl_rtag {
	CTL_R_RECORDLENGTH = 1,
	CTL_R_DNSNAME = 2,
	CTL_R_SUBJECTNAME = 3,
	CTL_R_FUNCTION = 4,
	CTL_R_ISSUERNAME = 5,
	CTL_R_SERIALNUMBER = 6,
	CTL_R_PUBLICKEY = 7,
	CTL_R_SIGNATURE = 8,
	CTL_R_CERTIFICATE = 9,
	CTL_R_IPADDRESS = 10,
	CTL_R_CERTHASH = 11,
	CTL_R_HASHALGORITHM = 12
};

/* FUNCTION codes, section 7. */
enum ctl_role {
	CTL_ROLE_SAST = 0,
	CTL_ROLE_CCM = 1,
	CTL_ROLE_CCM_TFTP = 2,
	CTL_ROLE_TFTP = 3,
	CTL_ROLE_CAPF = 4,
	CTL_ROLE_SRST = 5,
	CTL_ROLE_APP_SERVER = 7,
	CTL_ROLE_TVS = 21
};

/* Digest codes (tag 8), section 5.2. */
enum ctl_digest {
	CTL_DIGEST_SHA1 = 1,
	CTL_DIGEST_SHA256 = 2,
	CTL_DIGEST_SHA512 = 3
};

enum ctl_kind {
	CTL_KIND_CTL = 1, /* CTLFile.tlv and per-device CTLSEP<MAC>.tlv */
	CTL_KIND_ITL = 2, /* ITLFile.tlv / ITLSEP<MAC>.tlv */
	CTL_KIND_SGN = 3  /* signed file: header + original payload */
};

/* How names are written into files; see ctl_name_format_string(). */
enum ctl_name_format { CTL_NAME_CUCM = 0, CTL_NAME_RFC4514 = 1 };

/* One TLV element as it stands in the file; val points into the file. */
struct ctl_elem {
	uint8_t tag;
	uint16_t len;
	size_t off; /* absolute offset of the tag byte */
	const uint8_t *val;
	int depth;  /* 0 top level, 1 inside a container, 2 inside a nested one */
};

/* A byte string lent by the parsed file (len 0 and p NULL when absent). */
struct ctl_bytes {
	const uint8_t *p;
	size_t len;
};

struct ctl_record {
	size_t off;             /* absolute offset of RECORDLENGTH */
	uint16_t length;        /* RECORDLENGTH */
	struct ctl_bytes dns;   /* text incl. its NUL, as stored */
	struct ctl_bytes subject;
	struct ctl_bytes issuer;
	struct ctl_bytes serial;
	struct ctl_bytes pubkey;
	struct ctl_bytes sig;
	struct ctl_bytes cert;  /* DER X.509 */
	struct ctl_bytes certhash;
	struct ctl_bytes hashalg;
	int has_role;
	uint16_t role;
	int has_ip;
	uint8_t ip[4];
	size_t nelems;          /* every element after RECORDLENGTH, in file order */
	struct ctl_elem *elems;
};

struct ctl_file;

/* Parse options. */
#define CTL_PARSE_STRICT 0x1u  /* unknown header tags are errors (default: kept) */
#define CTL_PARSE_SGN    0x2u  /* treat bytes after the header as payload */

/*
 * Parses a CTL/ITL (or, with CTL_PARSE_SGN or a FILENAME ending in ".sgn",
 * a signed file). The bytes are copied; the result owns them.
 * On failure *out is NULL and diag says where. Free with ctl_file_free().
 */
CTL_MUST_USE enum ctl_err ctl_file_parse(const uint8_t *buf, size_t len, unsigned flags,
                            struct ctl_file **out, struct ctl_diag *diag);
/* Reads path (at most CTL_MAX_FILE bytes) and parses it. */
CTL_MUST_USE enum ctl_err ctl_file_load(const char *path, unsigned flags, struct ctl_file **out,
                           struct ctl_diag *diag);
void ctl_file_free(struct ctl_file *f);

/* Accessors; pointers are lent by f. */
const uint8_t *ctl_file_bytes(const struct ctl_file *f, size_t *len);
enum ctl_kind ctl_file_kind(const struct ctl_file *f);
void ctl_file_version(const struct ctl_file *f, uint8_t *major, uint8_t *minor);
int ctl_file_signer_version(const struct ctl_file *f, uint8_t *major, uint8_t *minor);
uint16_t ctl_file_header_length(const struct ctl_file *f);
struct ctl_bytes ctl_file_signer_name(const struct ctl_file *f);
struct ctl_bytes ctl_file_signer_serial(const struct ctl_file *f);
struct ctl_bytes ctl_file_signer_caname(const struct ctl_file *f);
struct ctl_bytes ctl_file_filename(const struct ctl_file *f);
struct ctl_bytes ctl_file_signature(const struct ctl_file *f);
/* Payload of a .sgn file (what follows the header); empty for CTL/ITL. */
struct ctl_bytes ctl_file_payload(const struct ctl_file *f);
uint8_t ctl_file_digest(const struct ctl_file *f);
uint8_t ctl_file_sigalg(const struct ctl_file *f);
uint8_t ctl_file_modulus_code(const struct ctl_file *f);
uint32_t ctl_file_timestamp(const struct ctl_file *f);
/* Header elements in file order (containers and their children included). */
const struct ctl_elem *ctl_file_header_elems(const struct ctl_file *f, size_t *n);
size_t ctl_file_nrecords(const struct ctl_file *f);
/* Record i (0-based), NULL when out of range. */
CTL_MUST_USE const struct ctl_record *ctl_file_record(const struct ctl_file *f, size_t i);

/* Names and codes as `show ctl` prints them. */
const char *ctl_role_name(uint16_t role);   /* "System Administrator Security Token", "CCM+TFTP", ... */
const char *ctl_role_short(uint16_t role);  /* "SAST", "CCM+TFTP", ... ("UNKNOWN") */
const char *ctl_digest_name(uint8_t code);  /* "SHA1", "SHA512", "UNKNOWN" */
/*
 * A role as configuration files name it: sast, ccm, ccm-tftp, tftp, capf,
 * srst, app-server, tvs (any case), or a FUNCTION number in min..max. Returns the
 * code, -1 for anything else.
 */
CTL_MUST_USE int ctl_role_parse(const char *s, unsigned long long min, unsigned long long max);

/* ------------------------------------------------------------------ */
/* Signing                                                              */

/*
 * Signer interface: given the exact bytes covered by the signature (section
 * 5.1) and the digest to use, produce an RSA PKCS#1 v1.5 signature of
 * exactly the modulus size into sig (sig_cap bytes). A PEM key and a
 * PKCS#11 token plug in the same way.
 */
typedef enum ctl_err (*ctl_sign_fn)(void *arg, enum ctl_digest digest,
                                    const uint8_t *tbs, size_t tbs_len,
                                    uint8_t *sig, size_t sig_cap, size_t *sig_len,
                                    struct ctl_diag *diag);

struct ctl_signer {
	ctl_sign_fn sign;
	void *arg;
	X509 *cert;            /* signing certificate (borrowed) */
	size_t modulus_bytes;  /* signature size, needed before signing (section 3) */
};

/*
 * Makes a signer for an in-memory private key (PEM file or token EVP_PKEY).
 * Takes references on key and cert; free with ctl_signer_free().
 */
CTL_MUST_USE enum ctl_err ctl_signer_new_pkey(EVP_PKEY *key, X509 *cert, struct ctl_signer **out,
                                 struct ctl_diag *diag);
/* Loads a PEM private key and a PEM or DER certificate and checks they match. */
CTL_MUST_USE enum ctl_err ctl_signer_new_pem(const char *key_path, const char *cert_path,
                                struct ctl_signer **out, struct ctl_diag *diag);
void ctl_signer_free(struct ctl_signer *s);

/* ------------------------------------------------------------------ */
/* Building                                                             */

struct ctl_builder;

/* A builder for kind (CTL, ITL or SGN). Free with ctl_builder_free(). */
CTL_MUST_USE enum ctl_err ctl_builder_new(enum ctl_kind kind, struct ctl_builder **out);
void ctl_builder_free(struct ctl_builder *b);
CTL_MUST_USE enum ctl_err ctl_builder_set_digest(struct ctl_builder *b, enum ctl_digest d);
/* Defaults: "CTLFile.tlv" / "ITLFile.tlv"; required for SGN. */
CTL_MUST_USE enum ctl_err ctl_builder_set_filename(struct ctl_builder *b, const char *name);
/* Default: time(NULL) at signing. */
void ctl_builder_set_timestamp(struct ctl_builder *b, uint32_t ts);
/* VERSION; default 1.2 for CTL/ITL, 1.0 for SGN (section 4). */
void ctl_builder_set_version(struct ctl_builder *b, uint8_t major, uint8_t minor);
/* Emits tag 28 (section 4); off by default. */
void ctl_builder_set_signer_version(struct ctl_builder *b, uint8_t major, uint8_t minor);
/* Payload of a .sgn file (copied). */
CTL_MUST_USE enum ctl_err ctl_builder_set_payload(struct ctl_builder *b, const uint8_t *p, size_t n);

/*
 * Adds a record derived from cert for role; dns may be NULL (written as an
 * empty name, as eToken records are), ipv4 may be NULL (no IPADDRESS).
 * The certificate is referenced, not copied.
 */
CTL_MUST_USE enum ctl_err ctl_builder_add_cert(struct ctl_builder *b, X509 *cert, uint16_t role,
                                  const char *dns, const uint8_t ipv4[4],
                                  struct ctl_diag *diag);
/*
 * How SUBJECTNAME, ISSUERNAME, SIGNERNAME and CANAME are written (section 8,
 * ctl_name_format_string()); default CTL_NAME_CUCM. CTL_E_INVAL for another value.
 */
CTL_MUST_USE enum ctl_err ctl_builder_set_name_format(struct ctl_builder *b,
                                                      enum ctl_name_format f);
/* Copies a parsed record element for element (keeps its order and tags). */
CTL_MUST_USE enum ctl_err ctl_builder_add_record(struct ctl_builder *b, const struct ctl_record *r);
size_t ctl_builder_nrecords(const struct ctl_builder *b);

/*
 * Checks the builder's content against the rules for a deployable file:
 * min_sast SAST records (2 for a token CTL, 1 for tokenless), no duplicate
 * (certificate, role) entries, every certificate valid at `now` unless
 * allow_expired, and the signer certificate listed as SAST.
 */
struct ctl_policy {
	unsigned min_sast;
	int allow_expired;
	time_t now;
};
CTL_MUST_USE enum ctl_err ctl_builder_check(const struct ctl_builder *b, const struct ctl_policy *pol,
                               X509 *signer_cert, struct ctl_diag *diag);

/*
 * Serialises and signs. On success *out (free()) holds the file and *len
 * its size. The signer's certificate supplies SIGNERNAME, SERIALNUMBER and
 * CANAME; its modulus size fixes SIGNATUREMODULUS and HEADER_LENGTH.
 */
CTL_MUST_USE enum ctl_err ctl_builder_sign(struct ctl_builder *b, const struct ctl_signer *s,
                              uint8_t **out, size_t *len, struct ctl_diag *diag);

/* Copies a parsed file's header settings and records into a new builder. */
CTL_MUST_USE enum ctl_err ctl_builder_from_file(const struct ctl_file *f, struct ctl_builder **out);

/* ------------------------------------------------------------------ */
/* Verification                                                         */

struct ctl_verify_result {
	enum ctl_err err;
	int signer_index;   /* 0-based record index of the signer, -1 if none */
	int trusted_index;  /* with a trusted file: index of the SAST record there, else -1 */
	char reason[512];   /* one line: why it failed, or which record signed */
};

/*
 * Verifies f's signature with its own signer record (section 5.4). For a
 * .sgn file, whose signer is not inside it, use ctl_file_verify_with().
 */
CTL_MUST_USE enum ctl_err ctl_file_verify(const struct ctl_file *f, struct ctl_verify_result *res);

/*
 * A verifier context caches the public keys it has used (at most 16), so
 * verifying many files signed by the same token skips rebuilding the RSA
 * key and its Montgomery precomputation, which costs about a third of an
 * RSA-2048 verification. For fleets, servers and benchmarks. Not shared
 * between threads. Free with ctl_verifier_free().
 */
struct ctl_verifier;
CTL_MUST_USE enum ctl_err ctl_verifier_new(struct ctl_verifier **out);
void ctl_verifier_free(struct ctl_verifier *v);
/* ctl_file_verify() through a verifier context (v may be NULL). */
CTL_MUST_USE enum ctl_err ctl_file_verify_ctx(struct ctl_verifier *v, const struct ctl_file *f,
                                 struct ctl_verify_result *res);

/*
 * Verifies f and requires its signer to be a SAST record of trusted (the
 * phone rule: a new CTL is accepted only if signed by a token listed in the
 * CTL already held). trusted may be f itself.
 */
CTL_MUST_USE enum ctl_err ctl_file_verify_trusted(const struct ctl_file *f, const struct ctl_file *trusted,
                                     struct ctl_verify_result *res);

/*
 * Verifies f (typically .sgn) against a record of list whose role is in
 * roles (nroles entries) and whose serial and issuer match f's signer.
 */
CTL_MUST_USE enum ctl_err ctl_file_verify_with(const struct ctl_file *f, const struct ctl_file *list,
                                  const uint16_t *roles, size_t nroles,
                                  struct ctl_verify_result *res);
/* ctl_file_verify_with() through a verifier context (v may be NULL): a .sgn check per phone
 * reuses the signer's key instead of rebuilding it. */
CTL_MUST_USE enum ctl_err ctl_file_verify_with_ctx(struct ctl_verifier *v, const struct ctl_file *f,
                                      const struct ctl_file *list, const uint16_t *roles,
                                      size_t nroles, struct ctl_verify_result *res);

/* ------------------------------------------------------------------ */
/* Rendering and checksums                                              */

struct ctl_sums {
	char md5[33];
	char sha1[41];
	char sha256[65];
};
CTL_MUST_USE enum ctl_err ctl_checksums(const uint8_t *p, size_t n, struct ctl_sums *out);

struct ctl_render_opts {
	time_t mtime;                          /* 0: no "last modified" line */
	const struct ctl_verify_result *verify; /* NULL: no verification lines */
	const char *path;                      /* shown in JSON when set */
};

/*
 * `show ctl` text (section 13) and a stable JSON document of the same
 * content. *out is NUL-terminated; free() it.
 */
CTL_MUST_USE enum ctl_err ctl_render_text(const struct ctl_file *f, const struct ctl_render_opts *o,
                             char **out);
CTL_MUST_USE enum ctl_err ctl_render_json(const struct ctl_file *f, const struct ctl_render_opts *o,
                             char **out);

/* ------------------------------------------------------------------ */
/* Files                                                                */

/*
 * Writes n bytes to path atomically: temporary file in the same directory,
 * fsync, rename, fsync of the directory. path is never half-written.
 */
CTL_MUST_USE enum ctl_err ctl_write_atomic(const char *path, const void *p, size_t n, unsigned mode,
                              struct ctl_diag *diag);
/*
 * Many files of one directory replaced with the same guarantee at the
 * cost of one sync: _add writes a complete temporary file beside NAME (no
 * sync); _commit syncs the directory's file system once (syncfs; an
 * fsync per file when there are only a few), renames every temporary into place in the order added, then fsyncs the
 * directory once. *done is how many were renamed into place (the first
 * *done added); on a failure the rest are dropped and their temporaries
 * removed, their targets untouched. The batch is empty and reusable after
 * _commit; _free removes the temporaries of entries never committed.
 */
struct ctl_atomic_batch;
CTL_MUST_USE enum ctl_err ctl_atomic_batch_new(const char *dir, struct ctl_atomic_batch **out,
                                               struct ctl_diag *diag);
/* name: a file name in the batch's directory (no '/'). */
CTL_MUST_USE enum ctl_err ctl_atomic_batch_add(struct ctl_atomic_batch *b, const char *name,
                                               const void *p, size_t n, unsigned mode,
                                               struct ctl_diag *diag);
/* Entries added and not yet committed. */
size_t ctl_atomic_batch_count(const struct ctl_atomic_batch *b);
CTL_MUST_USE enum ctl_err ctl_atomic_batch_commit(struct ctl_atomic_batch *b, size_t *done,
                                                  struct ctl_diag *diag);
void ctl_atomic_batch_free(struct ctl_atomic_batch *b);
/* Reads a whole regular file of at most max bytes; *out is free()d by the caller. */
CTL_MUST_USE enum ctl_err ctl_read_file(const char *path, size_t max, uint8_t **out, size_t *len,
                           struct ctl_diag *diag);

/* ------------------------------------------------------------------ */
/* Certificates                                                         */

/* Loads a PEM or DER certificate; X509_free() it. */
CTL_MUST_USE enum ctl_err ctl_cert_load(const char *path, X509 **out, struct ctl_diag *diag);
/* Loads a PEM private key; EVP_PKEY_free() it. */
CTL_MUST_USE enum ctl_err ctl_key_load(const char *path, EVP_PKEY **out, struct ctl_diag *diag);
/*
 * A name in RFC 4514 form: attributes in certificate order joined by ','
 * (section 8; what files carried before CUCM's form became the default,
 * CTL_NAME_RFC4514), for messages and logs. free() it.
 */
CTL_MUST_USE enum ctl_err ctl_name_string(const X509_NAME *name, char **out);
/*
 * The forms a name is written in (section 8). CTL_NAME_CUCM is CUCM's own:
 * CN, OU, O, L, ST, C in that order whatever the certificate's order, then
 * any other attribute types in the certificate's order as SHORTNAME=value
 * (a dotted OID when OpenSSL has no short name), joined by ';' with no
 * spaces and no escaping, only the attributes present ("" for an empty
 * name). CTL_NAME_RFC4514 is ctl_name_string()'s form. (enum ctl_name_format
 * is declared with the other codes above.)
 */
/*
 * n in form f; free() *out. CUCM form refuses (CTL_E_CERT) a name it cannot
 * write so that it reads back as itself: a value holding a NUL byte,
 * starting with '"', or holding ';' followed by what reads as an attribute
 * type and '='. CTL_E_TOO_LARGE beyond 64 KiB.
 */
CTL_MUST_USE enum ctl_err ctl_name_format_string(const X509_NAME *n, enum ctl_name_format f,
                                                 char **out);
/*
 * Whether two name strings name the same distinguished name, whatever form
 * each is in: CUCM's ';' form, RFC 4514 ',' form (any order, escapes), an
 * eToken's quoted lower-case form. Identical strings are equal; otherwise
 * both are read into attributes (types upper-cased, aliases folded, values
 * trimmed, inner spaces collapsed, ASCII case ignored) and compared as sets.
 * A string that cannot be read (no TYPE=, too many attributes) equals only
 * itself. NULL equals nothing.
 */
int ctl_name_text_equal(const char *a, const char *b);
/* ctl_name_text_equal() for n-byte strings (a trailing NUL is ignored). */
int ctl_name_bytes_equal(const void *a, size_t alen, const void *b, size_t blen);
/*
 * The canonical string ctl_name_text_equal() compares: attributes as
 * TYPE=value sorted and joined by '\n' (control bytes and '\' as \hh).
 * For indexes that sort or hash names. free() *out. CTL_E_INVAL for a
 * string that is no name, CTL_E_TOO_LARGE for more than 1024 attributes.
 */
CTL_MUST_USE enum ctl_err ctl_name_canon(const char *s, size_t len, char **out);
/* The same canonical string for a certificate's name. */
CTL_MUST_USE enum ctl_err ctl_name_canon_x509(const X509_NAME *n, char **out);
/* Serial as minimal unsigned big-endian bytes (section 8); free() *out. */
CTL_MUST_USE enum ctl_err ctl_serial_bytes(const X509 *cert, uint8_t **out, size_t *len);

/* Value of one hexadecimal digit (either case), -1 for anything else. */
CTL_MUST_USE int ctl_hex_digit(int c);

/* Bounded number parser in the spirit of strtonum(3). */
CTL_MUST_USE enum ctl_err ctl_parse_uint(const char *s, unsigned long long min, unsigned long long max,
                            unsigned long long *v);

#ifdef __cplusplus
}
#endif

#endif
