/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A phone's encrypted configuration file (doc/sbd.md, "Phone"): with
 * --encrypted it asks SEP<MAC>.cnf.xml.enc.sgn before the .sgn; the file's
 * signer must be trusted as a .sgn's is (trust_enc.c), its key is unwrapped
 * with the phone's key and the configuration decrypted. The .sgn that
 * follows is then the companion: its certHash must be the MD5 of the
 * phone's certificate (a phone with another certificate would go to CAPF)
 * before the decrypted configuration is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctl/encsgn.h>
#include <ctl/text.h>

#include "boot_enc.h"

static int
is88(const struct pv_phone *ph)
{
	return ph->env->form == PV_FORM_88XX;
}

void
pv_enc_got(struct pv_phone *ph, const char *name, const uint8_t *p, size_t n)
{
	struct ctl_encsgn *e = NULL;
	struct pv_decision d;
	struct pv_tvs_ops ops;
	struct ctl_diag diag;
	uint8_t *plain = NULL;
	size_t len = 0;
	char buf[600];

	ph->enc_found = 1;
	if (ctl_encsgn_parse(p, n, &e, &diag) != CTL_OK) {
		pv_phone_line(ph, PV_LV_ERR, "SECD: validate_file_envelope: File parse FAILED: "
		              "malformed encrypted file: %s", ctl_diag_str(&diag, buf, sizeof(buf)));
		pv_phone_config_fail(ph, name);
		return;
	}
	pv_phone_tvs_ops(ph, &ops);
	if (pv_encsgn_check(&ph->trust, &ops, e, &d) != CTL_OK) {
		pv_phone_note_tvs(ph, &d);
		pv_phone_line(ph, PV_LV_ERR, "SECD: validate_file_envelope: File sign verify FAILED; "
		              "header length <%u>: %s", d.header_len, d.reason);
		pv_phone_config_fail(ph, name);
		ctl_encsgn_free(e);
		return;
	}
	pv_phone_note_tvs(ph, &d);
	if (is88(ph))
		pv_phone_line(ph, PV_LV_NOT, "SECUREAPP-Hashes match... authentication successful.");
	else
		pv_phone_line(ph, PV_LV_NOT, "SECD: validate_file_envelope: File sign verify SUCCESS; "
		              "header length <%u>", d.header_len);
	pv_phone_note(ph, "%s %s", name, d.reason);
	if (ph->env->phone_key == NULL ||
	    ctl_encsgn_decrypt(e, ph->env->phone_key, &plain, &len, &diag) != CTL_OK) {
		pv_phone_note(ph, "%s refused: cannot be decrypted: %s", name,
		              ph->env->phone_key == NULL ? "no phone key" :
		              ctl_diag_str(&diag, buf, sizeof(buf)));
		pv_phone_config_fail(ph, name);
		ctl_encsgn_free(e);
		return;
	}
	ctl_encsgn_free(e);
	pv_phone_note(ph, "%s decrypted, %zu bytes", name, len);
	free(ph->enc_plain);
	ph->enc_plain = plain;
	ph->enc_len = len;
}

/* The text of <certHash>...</certHash> in the companion, into out[cap]; -1 when absent. */
static int
cert_hash_of(const uint8_t *p, size_t n, char *out, size_t cap)
{
	static const char open[] = "<certHash>", close[] = "</certHash>";
	const uint8_t *a = memmem(p, n, open, sizeof(open) - 1), *b;
	size_t len;

	if (a == NULL)
		return -1;
	a += sizeof(open) - 1;
	if ((b = memmem(a, n - (size_t)(a - p), close, sizeof(close) - 1)) == NULL)
		return -1;
	len = (size_t)(b - a);
	if (len >= cap)
		return -1;
	memcpy(out, a, len);
	out[len] = '\0';
	return 0;
}

/* Lower-case hex MD5 of cert's DER into out (33 bytes). */
CTL_MUST_USE static int
cert_md5(X509 *cert, char *out, size_t cap)
{
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int n = cert != NULL ? i2d_X509(cert, &der) : -1, ok;

	ok = n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_md5(), NULL) == 1 &&
	     ctl_hex_encode(out, cap, md, mdlen, 0) != NULL;
	OPENSSL_free(der);
	return ok ? 0 : -1;
}

int
pv_enc_companion(struct pv_phone *ph, const char *name, const uint8_t *p, size_t n)
{
	char got[128], want[64], esc[300];

	if (!ph->enc_found)
		return 0;
	if (ph->enc_plain == NULL)
		return 1; /* the encrypted file was refused: nothing to install */
	if (cert_hash_of(p, n, got, sizeof(got)) != 0) {
		pv_phone_note(ph, "%s refused: it carries no certHash; the encrypted "
		              "configuration is not used", name);
		pv_phone_config_fail(ph, name);
		return 1;
	}
	if (cert_md5(ph->env->phone_cert, want, sizeof(want)) != 0 || strcasecmp(got, want) != 0) {
		ctl_text_escape(esc, sizeof(esc), got, strlen(got));
		pv_phone_note(ph, "%s refused: certHash %s is not the MD5 of this phone's "
		              "certificate (%s): a phone would go to CAPF", name, esc, want);
		pv_phone_config_fail(ph, name);
		return 1;
	}
	pv_phone_note(ph, "%s: certHash matches the phone certificate; using the decrypted "
	              "configuration", name);
	pv_phone_store_config(ph, ph->enc_plain, ph->enc_len);
	return 1;
}
