/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OpenSSL error queue after a failed libp11 call, turned into a
 * p11_diag. libp11 pushes an entry whose library is ERR_get_CKR_code() and
 * whose reason is the CK_RV; every other entry is noise (SoftHSM probes
 * OpenSSL engines while it initialises and leaves their errors behind),
 * and every successful libp11 call clears the queue, so it is read right
 * after the call that failed.
 */
#include <libp11.h>
#include <openssl/err.h>

#include "p11_int.h"

int
p11i_take_ckr(unsigned long *rv)
{
	int lib = ERR_get_CKR_code(), found = 0;
	unsigned long e;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_LIB(e) == lib) {
			*rv = (unsigned long)ERR_GET_REASON(e);
			found = 1;
		}
	return found;
}

enum p11_err
p11i_fail_ckr(struct p11_diag *d, enum p11_err e, const char *what, const char *name)
{
	unsigned long rv = 0;
	char buf[32];
	int has = p11i_take_ckr(&rv);

	e = p11_fail(d, e, "%s: %s: %s", name, what, has ? p11_ckr_name(rv, buf, sizeof(buf)) :
	             "no PKCS#11 error code reported");
	if (d != NULL && has) {
		d->has_ckr = 1;
		d->ckr = rv;
	}
	return e;
}
