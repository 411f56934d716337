/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl-bench-configs: the per-phone signed configuration files of the
 * fleet benchmark (bench/bench-fleet.sh). For each of N MACs, numbered as
 * `phone-verifier fleet` numbers them (the prefix, then a counter in the
 * remaining hex digits), it writes DIR/SEP<MAC>.cnf.xml and its .sgn,
 * signed with one key: what a TFTP node serves for a fleet. One process
 * signs them all, so 10,000 files take seconds, not a process each.
 *
 *   ctl-bench-configs DIR COUNT PREFIX CERT KEY
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctl/ctl.h>

static int
die(const char *what, const struct ctl_diag *d)
{
	char buf[768];

	fprintf(stderr, "ctl-bench-configs: %s: %s\n", what,
	        d != NULL ? ctl_diag_str(d, buf, sizeof(buf)) : "failed");
	return 1;
}

/* The MAC of phone i, as fleet makes it: prefix, then i in the remaining digits. */
static void
make_mac(const char *prefix, unsigned long i, char out[13])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t pl = strlen(prefix), k;

	for (k = 12; k > 0; k--, i >>= 4)
		out[k - 1] = hex[i & 15];
	out[12] = '\0';
	memcpy(out, prefix, pl);
}

/* A plain write: the benchmark's scratch folder needs no fsync (nor its cost). */
CTL_MUST_USE static int
put(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL) {
		perror(path);
		return 1;
	}
	ok = fwrite(p, 1, n, f) == n;
	if (fclose(f) != 0 || !ok) {
		perror(path);
		return 1;
	}
	return 0;
}

CTL_MUST_USE static int
one(const char *dir, const char *mac, const struct ctl_signer *s)
{
	char name[64], path[4096], xml[512];
	struct ctl_builder *b = NULL;
	struct ctl_diag d;
	uint8_t *file = NULL;
	size_t n = 0;
	int len, rc = 1;

	ctl_diag_clear(&d);
	len = snprintf(xml, sizeof(xml),
	               "<device><deviceProtocol>SCCP</deviceProtocol><devicePool><callManagerGroup>"
	               "<members><member priority=\"0\"><callManager><name>node1</name>"
	               "</callManager></member></members></callManagerGroup></devicePool>"
	               "<loadInformation>SIP88xx.14-2-1</loadInformation><mac>%s</mac></device>\n",
	               mac);
	snprintf(name, sizeof(name), "SEP%s.cnf.xml.sgn", mac);
	if (ctl_builder_new(CTL_KIND_SGN, &b) != CTL_OK || ctl_builder_set_filename(b, name) != CTL_OK ||
	    ctl_builder_set_payload(b, (const uint8_t *)xml, (size_t)len) != CTL_OK ||
	    ctl_builder_sign(b, s, &file, &n, &d) != CTL_OK) {
		rc = die(name, &d);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/SEP%s.cnf.xml", dir, mac);
	if (put(path, (const uint8_t *)xml, (size_t)len) != 0)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (put(path, file, n) != 0)
		goto out;
	rc = 0;
out:
	free(file);
	ctl_builder_free(b);
	return rc;
}

int
main(int argc, char **argv)
{
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	unsigned long count, i;
	char mac[13];
	int rc = 0;

	if (argc != 6 || strlen(argv[3]) > 11) {
		fprintf(stderr, "usage: ctl-bench-configs DIR COUNT PREFIX CERT KEY\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	ctl_diag_clear(&d);
	if (ctl_signer_new_pem(argv[5], argv[4], &s, &d) != CTL_OK)
		return die(argv[5], &d);
	for (i = 0; i < count && rc == 0; i++) {
		make_mac(argv[3], i, mac);
		rc = one(argv[1], mac, s);
	}
	ctl_signer_free(s);
	return rc;
}
