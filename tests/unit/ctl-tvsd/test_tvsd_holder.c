/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tvsd_holder.c: a reload swaps in a complete new store; a broken file
 * keeps the old store serving (same store, same certificates) and names
 * the file; a connection holding the old store keeps it until it is done.
 * A generation's TLS identity and settings travel with its store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "tvsd.h"

static struct tvsd_config cfg;

static void
add_line(const char *roles, const char *path)
{
	char val[2048], err[512];

	snprintf(val, sizeof(val), "%s:%s", roles, path);
	ck_assert_msg(tvsd_config_set(&cfg, "cert", val, NULL, err, sizeof(err)) == 0, "%s", err);
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

static const struct tvsd_entry *
find(const struct tvsd_store *s, const char *der_name)
{
	size_t n;
	unsigned int len = 0;
	uint8_t md[32], *p = tu_read(tu_pki(der_name), &n);

	ck_assert_int_eq(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL), 1);
	free(p);
	return tvsd_store_by_hash(s, md);
}

START_TEST(reload_swaps_and_keeps_old_on_error)
{
	struct tvsd_holder h;
	struct tvsd_store *s0 = NULL, *held, *now;
	char dir[1024], path[1200], err[2048], want[1400];
	size_t n;
	uint8_t *p;

	tvsd_config_defaults(&cfg);
	snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
	snprintf(path, sizeof(path), "%s/tvs1.pem", dir);
	p = tu_read(tu_pki("tvs1.pem"), &n);
	write_file(path, p, n);
	free(p);
	add_line("tvs", dir);
	ck_assert_msg(tvsd_store_load(&cfg, &s0, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(tvsd_holder_init(&h, s0), 0);

	/* A connection holds the first store while the administrator adds ccmB. */
	held = tvsd_holder_get(&h);
	ck_assert_ptr_eq(held, s0);
	snprintf(path, sizeof(path), "%s/ccmB.pem", dir);
	p = tu_read(tu_pki("ccmB.pem"), &n);
	write_file(path, p, n);
	free(p);
	ck_assert_msg(tvsd_holder_reload(&h, &cfg, err, sizeof(err)) == 0, "%s", err);
	now = tvsd_holder_get(&h);
	ck_assert_ptr_ne(now, held);
	ck_assert_uint_eq(now->nents, 2);
	ck_assert_ptr_nonnull(find(now, "ccmB.der"));
	/* The old store is intact for its holder, and freed when it lets go (ASan). */
	ck_assert_uint_eq(held->nents, 1);
	ck_assert_ptr_nonnull(find(held, "tvs1.der"));
	ck_assert_ptr_null(find(held, "ccmB.der"));
	tvsd_holder_put(&h, held);
	tvsd_holder_put(&h, now);

	/* A broken file: the reload fails naming it, the store in use stays. */
	snprintf(path, sizeof(path), "%s/zz-broken.pem", dir);
	{
		static const char broken[] = "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n";

		write_file(path, broken, strlen(broken));
	}
	ck_assert_int_eq(tvsd_holder_reload(&h, &cfg, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a PEM certificate", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got '%s'", err);
	held = tvsd_holder_get(&h);
	ck_assert_ptr_eq(held, now);
	ck_assert_uint_eq(held->nents, 2);
	ck_assert_ptr_nonnull(find(held, "ccmB.der"));
	ck_assert_ptr_nonnull(find(held, "tvs1.der"));
	tvsd_holder_put(&h, held);

	/* A certificate removed: the next good reload drops it. */
	ck_assert_int_eq(remove(path), 0);
	snprintf(path, sizeof(path), "%s/tvs1.pem", dir);
	ck_assert_int_eq(remove(path), 0);
	ck_assert_msg(tvsd_holder_reload(&h, &cfg, err, sizeof(err)) == 0, "%s", err);
	held = tvsd_holder_get(&h);
	ck_assert_uint_eq(held->nents, 1);
	ck_assert_ptr_null(find(held, "tvs1.der"));
	tvsd_holder_put(&h, held);
	tvsd_holder_cleanup(&h);
}
END_TEST

/* Whether a context presents the PKI certificate pem_name. */
static int
ctx_presents(SSL_CTX *ctx, const char *pem_name)
{
	X509 *x = SSL_CTX_get0_certificate(ctx), *want;
	FILE *fp = fopen(tu_pki(pem_name), "r");
	int same;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(fp);
	want = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(want);
	same = X509_cmp(x, want) == 0;
	X509_free(want);
	return same;
}

static struct tvsd_store *
generation(const char *cert, const char *key)
{
	struct tvsd_store *s = NULL;
	char err[2048];

	snprintf(cfg.tls_cert, sizeof(cfg.tls_cert), "%s", tu_pki(cert));
	snprintf(cfg.tls_key, sizeof(cfg.tls_key), "%s", tu_pki(key));
	ck_assert_msg(tvsd_store_load(&cfg, &s, err, sizeof(err)) == 0, "%s", err);
	s->ssl_ctx = tvsd_tls_ctx(&cfg, err, sizeof(err));
	ck_assert_msg(s->ssl_ctx != NULL, "%s", err);
	return s;
}

START_TEST(swap_carries_identity_and_settings)
{
	struct tvsd_holder h;
	struct tvsd_store *s1, *s2, *held, *now;
	char err[2048];

	tvsd_config_defaults(&cfg);
	add_line("tvs", tu_pki("tvs1.pem"));
	cfg.ttl = 600;
	s1 = generation("tvs1.pem", "tvs1.key");
	ck_assert_uint_eq(s1->ttl, 600);
	ck_assert_uint_eq(s1->read_timeout, 10);
	ck_assert(ctx_presents(s1->ssl_ctx, "tvs1.pem"));
	ck_assert_int_eq(tvsd_holder_init(&h, s1), 0);

	/* A connection in its handshake holds the first identity across the swap. */
	held = tvsd_holder_get(&h);
	cfg.ttl = 1200;
	cfg.read_timeout = 3;
	s2 = generation("tvs2.pem", "tvs2.key");
	tvsd_holder_swap(&h, s2);
	now = tvsd_holder_get(&h);
	ck_assert_ptr_eq(now, s2);
	ck_assert(ctx_presents(now->ssl_ctx, "tvs2.pem"));
	ck_assert_uint_eq(now->ttl, 1200);
	ck_assert_uint_eq(now->read_timeout, 3);
	/* The old generation is intact for its holder; its context freed with it (ASan). */
	ck_assert(ctx_presents(held->ssl_ctx, "tvs1.pem"));
	ck_assert_uint_eq(held->ttl, 600);
	tvsd_holder_put(&h, held);
	tvsd_holder_put(&h, now);

	/* A key that does not belong to the certificate: no context, the key file named. */
	snprintf(cfg.tls_cert, sizeof(cfg.tls_cert), "%s", tu_pki("tvs1.pem"));
	snprintf(cfg.tls_key, sizeof(cfg.tls_key), "%s", tu_pki("tvs2.key"));
	ck_assert_ptr_null(tvsd_tls_ctx(&cfg, err, sizeof(err)));
	ck_assert_msg(strncmp(err, "tls_key ", 8) == 0 && strstr(err, tu_pki("tvs2.key")) != NULL,
	              "%s", err);
	now = tvsd_holder_get(&h);
	ck_assert(ctx_presents(now->ssl_ctx, "tvs2.pem"));
	tvsd_holder_put(&h, now);
	tvsd_holder_cleanup(&h);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("tvsd_holder");
	TCase *tc = tcase_create("holder");

	tcase_add_test(tc, reload_swaps_and_keeps_old_on_error);
	tcase_add_test(tc, swap_carries_identity_and_settings);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
