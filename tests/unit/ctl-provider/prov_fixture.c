/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixtures the ctl-provider unit tests share (prov_fixture.h): CTLs signed
 * by the test PKI, a node configuration in a temporary folder, credential
 * files, file writes and comparisons.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <ctl/ctl.h>

#include "testutil.h"
#include "prov_fixture.h"

/* A CTL listing sast1, sast2 (or rogue instead of sast1) and ccm1, signed by signer_name. */
uint8_t *
make_ctl(const char *first_sast, const char *signer_name, int extra, size_t *len)
{
	const char *names[] = { first_sast, "sast2", "ccm1", "ccm2" };
	static const uint16_t roles[] = { CTL_ROLE_SAST, CTL_ROLE_SAST, CTL_ROLE_CCM_TFTP, CTL_ROLE_CCM };
	struct ctl_builder *b = NULL;
	struct ctl_signer *s = NULL;
	struct ctl_diag d;
	char kf[64], cf[64];
	uint8_t *out = NULL;
	size_t i;

	ck_assert_int_eq(ctl_builder_new(CTL_KIND_CTL, &b), CTL_OK);
	for (i = 0; i < (extra ? 4u : 3u); i++) {
		X509 *x = NULL;

		snprintf(cf, sizeof(cf), "%s.pem", names[i]);
		ck_assert_int_eq(ctl_cert_load(tu_pki(cf), &x, &d), CTL_OK);
		ck_assert_int_eq(ctl_builder_add_cert(b, x, roles[i], NULL, NULL, &d), CTL_OK);
		X509_free(x);
	}
	snprintf(kf, sizeof(kf), "%s.key", signer_name);
	snprintf(cf, sizeof(cf), "%s.pem", signer_name);
	ck_assert_msg(ctl_signer_new_pem(tu_pki(kf), tu_pki(cf), &s, &d) == CTL_OK, "%s", d.msg);
	ck_assert_msg(ctl_builder_sign(b, s, &out, len, &d) == CTL_OK, "%s", d.msg);
	ctl_signer_free(s);
	ctl_builder_free(b);
	return out;
}

void
node_config(struct prov_config *c, const char *dir)
{
	char err[256];

	prov_config_defaults(c);
	snprintf(c->hostname, sizeof(c->hostname), "cucm-pub.example.lab");
	snprintf(c->tftp_root, sizeof(c->tftp_root), "%s", dir);
	snprintf(c->credentials, sizeof(c->credentials), "%s/creds", dir);
	snprintf(c->mode_file, sizeof(c->mode_file), "%s/mode", dir);
	ck_assert_int_eq(prov_config_set(c, "ipv4", "192.0.2.11", err, sizeof(err)), 0);
	c->login_delay_ms = 0;
	c->throttle_failures = 3;
}

void
write_creds(const char *path, const char *method)
{
	char hash[512];
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(prov_hash_password(method, "secret", hash, sizeof(hash)), 0);
	fprintf(fp, "# administrators\nops:%s\nadmin:%s\n", hash, hash);
	fclose(fp);
	ck_assert_int_eq(chmod(path, 0600), 0);
}

void
put_file(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	ck_assert_int_eq(fclose(fp), 0);
}

int
same_file(const char *path, const uint8_t *p, size_t n)
{
	size_t len = 0;
	uint8_t *b = tu_read(path, &len);
	int same = len == n && memcmp(b, p, n) == 0;

	free(b);
	return same;
}
