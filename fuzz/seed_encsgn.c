/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Seed maker for fuzz_encsgn_parse (fuzz/make-corpus.sh builds and runs it;
 * not a fuzz target):
 *   seed_encsgn PLAIN PHONE-CERT SIGN-CERT SIGN-KEY sha1|sha512 OUT
 * encrypts PLAIN for PHONE-CERT's key and signs it with SIGN-KEY.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <ctl/encsgn.h>

int
main(int argc, char **argv)
{
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	X509 *pc = NULL;
	uint8_t *plain = NULL, *out = NULL;
	size_t n = 0, len = 0;
	enum ctl_digest dg;
	char where[600];

	if (argc != 7) {
		fprintf(stderr, "usage: seed_encsgn PLAIN PHONE-CERT SIGN-CERT SIGN-KEY sha1|sha512 OUT\n");
		return 2;
	}
	dg = strcmp(argv[5], "sha512") == 0 ? CTL_DIGEST_SHA512 : CTL_DIGEST_SHA1;
	ctl_diag_clear(&d);
	if (ctl_read_file(argv[1], 65536, &plain, &n, &d) != CTL_OK ||
	    ctl_cert_load(argv[2], &pc, &d) != CTL_OK ||
	    ctl_signer_new_pem(argv[4], argv[3], &s, &d) != CTL_OK ||
	    ctl_encsgn_build(plain, n, pc, s, dg, "SEP001122334455.cnf.xml.enc.sgn", 1767115542u,
	                     &out, &len, &d) != CTL_OK ||
	    ctl_write_atomic(argv[6], out, len, 0644, &d) != CTL_OK) {
		fprintf(stderr, "seed_encsgn: %s\n", ctl_diag_str(&d, where, sizeof(where)));
		return 1;
	}
	free(out);
	free(plain);
	ctl_signer_free(s);
	X509_free(pc);
	return 0;
}
