/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Certificate helpers: loading, the name and serial encodings records use
 * (format section 8), and the public key bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ctl_int.h"

enum ctl_err
ctl_cert_load(const char *path, X509 **out, struct ctl_diag *diag)
{
	uint8_t *buf;
	size_t len;
	const unsigned char *p;
	BIO *bio;
	enum ctl_err r;

	*out = NULL;
	if ((r = ctl_read_file(path, 1u << 20, &buf, &len, diag)) != CTL_OK)
		return r;
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		*out = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (*out == NULL) {
		ERR_clear_error();
		p = buf;
		*out = d2i_X509(NULL, &p, (long)len);
	}
	free(buf);
	if (*out == NULL)
		return ctli_fail_ssl(diag, CTL_E_CERT, "%s: not a PEM or DER X.509 certificate", path);
	return CTL_OK;
}

enum ctl_err
ctl_key_load(const char *path, EVP_PKEY **out, struct ctl_diag *diag)
{
	uint8_t *buf;
	size_t len;
	BIO *bio;
	enum ctl_err r;

	*out = NULL;
	if ((r = ctl_read_file(path, 1u << 20, &buf, &len, diag)) != CTL_OK)
		return r;
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL) {
		*out = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (*out == NULL)
		return ctli_fail_ssl(diag, CTL_E_KEY, "%s: not a PEM private key", path);
	return CTL_OK;
}

/* Attribute names certutils (and RFC 4514) use; others as dotted OIDs. */
static const struct {
	int nid;
	const char *name;
} attr_names[] = {
	{ NID_commonName, "CN" }, { NID_localityName, "L" }, { NID_stateOrProvinceName, "ST" },
	{ NID_organizationName, "O" }, { NID_organizationalUnitName, "OU" },
	{ NID_countryName, "C" }, { NID_streetAddress, "STREET" },
	{ NID_domainComponent, "DC" }, { NID_userId, "UID" },
};

static CTL_MUST_USE enum ctl_err
put_attr_name(struct ctl_wr *wr, const ASN1_OBJECT *obj)
{
	int nid = OBJ_obj2nid(obj);
	size_t i;
	char oid[128];
	int n;

	for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++)
		if (attr_names[i].nid == nid)
			return ctl_wr_bytes(wr, attr_names[i].name, strlen(attr_names[i].name));
	n = OBJ_obj2txt(oid, sizeof(oid), obj, 1);
	if (n <= 0 || (size_t)n >= sizeof(oid))
		return CTL_E_CERT;
	return ctl_wr_bytes(wr, oid, (size_t)n);
}

/* RFC 4514 section 2.4 escaping of an attribute value. */
static CTL_MUST_USE enum ctl_err
put_escaped(struct ctl_wr *wr, const unsigned char *v, int n)
{
	enum ctl_err r = CTL_OK;
	int i;

	for (i = 0; i < n && r == CTL_OK; i++) {
		unsigned char ch = v[i];
		int special = strchr("\"+,;<>\\", ch) != NULL && ch != '\0';

		if (ch == '\0')
			r = ctl_wr_bytes(wr, "\\00", 3);
		else if (special || (i == 0 && (ch == '#' || ch == ' ')) || (i == n - 1 && ch == ' '))
			r = ctli_wr_printf(wr, "\\%c", ch);
		else
			r = ctl_wr_u8(wr, ch);
	}
	return r;
}

enum ctl_err
ctl_name_string(const X509_NAME *name, char **out)
{
	struct ctl_wr wr;
	enum ctl_err r = CTL_OK;
	int i, cnt = X509_NAME_entry_count(name);
	size_t len;

	*out = NULL;
	ctl_wr_init(&wr, 1u << 16);
	for (i = 0; i < cnt && r == CTL_OK; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		unsigned char *utf8 = NULL;
		int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));

		if (n < 0) {
			r = CTL_E_CERT;
			break;
		}
		if (i > 0)
			r = ctl_wr_u8(&wr, ',');
		if (r == CTL_OK)
			r = put_attr_name(&wr, X509_NAME_ENTRY_get_object(e));
		if (r == CTL_OK)
			r = ctl_wr_u8(&wr, '=');
		if (r == CTL_OK)
			r = put_escaped(&wr, utf8, n);
		OPENSSL_free(utf8);
	}
	if (r == CTL_OK)
		r = ctl_wr_u8(&wr, '\0');
	if (r != CTL_OK) {
		ctl_wr_cleanup(&wr);
		return r;
	}
	*out = (char *)ctl_wr_take(&wr, &len);
	return CTL_OK;
}

enum ctl_err
ctl_serial_bytes(const X509 *cert, uint8_t **out, size_t *len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	int n;

	*out = NULL;
	*len = 0;
	if (bn == NULL)
		return CTL_E_CERT;
	/* Magnitude, minimal length, no DER sign byte; a zero serial is one 00 byte. */
	n = BN_num_bytes(bn);
	if ((*out = calloc(1, n > 0 ? (size_t)n : 1)) == NULL) {
		BN_free(bn);
		return CTL_E_NOMEM;
	}
	BN_bn2bin(bn, *out);
	*len = n > 0 ? (size_t)n : 1;
	BN_free(bn);
	return CTL_OK;
}

enum ctl_err
ctli_pkey_bytes(EVP_PKEY *pk, uint8_t **out, size_t *len)
{
	unsigned char *der = NULL;
	int n;

	*out = NULL;
	*len = 0;
	/* RSA: PKCS#1 RSAPublicKey; EC: the X9.62 point (uncompressed by default). */
	if (!EVP_PKEY_is_a(pk, "RSA") && !EVP_PKEY_is_a(pk, "EC"))
		return CTL_E_KEY;
	if ((n = i2d_PublicKey(pk, &der)) <= 0)
		return CTL_E_KEY;
	*out = der; /* OPENSSL_malloc()ed: callers OPENSSL_free() it */
	*len = (size_t)n;
	return CTL_OK;
}

EVP_PKEY *
ctli_pkey_from_record(const struct ctl_record *r)
{
	const unsigned char *p = r->pubkey.p;

	if (r->pubkey.len == 0 || r->pubkey.len > 0x7fffffff)
		return NULL;
	return d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)r->pubkey.len);
}
