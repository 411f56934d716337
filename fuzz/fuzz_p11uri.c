/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the token selector parser (RFC 7512 pkcs11: URIs,
 * labels and serials), the one parser in ctl-client that reads
 * administrator- or script-supplied text before any token is touched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p11uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p11_sel *sel = NULL;
	struct p11_diag d;
	char *s;

	if (size > 4096 || (s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (p11_sel_parse(s, &sel, &d) == P11_OK) {
		(void)p11_sel_text(sel);
		(void)p11_sel_is_uri(sel);
		(void)p11_sel_module_path(sel);
		(void)p11_sel_pin_source(sel);
		p11_sel_free(sel);
	}
	free(s);
	return 0;
}
