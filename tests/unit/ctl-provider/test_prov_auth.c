/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prov_auth.c: logins against crypt(3) hashes (yescrypt and SHA-512), the
 * per-address throttle with its reservation, one login per address at a
 * time, and the dummy hash for an unknown user.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctl/ctl.h>
#include <ctl/prov.h>

#include "testutil.h"
#include "provider.h"
#include "prov_fixture.h"

START_TEST(auth_ok_and_bad)
{
	static const char *const methods[] = { "sha512", "yescrypt" };
	struct prov_config c;
	struct prov_auth a;
	char msg[256];

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, methods[_i]);
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "ops", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "Secret", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "nobody", "secret", msg, sizeof(msg)), PROV_AUTH_BAD);
	/* A prefix of a user name is not that user. */
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.2", "adm", "secret", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.2", "# administrators", "secret", msg, sizeof(msg)), PROV_AUTH_BAD);
	prov_auth_cleanup(&a);
}
END_TEST

START_TEST(auth_throttle)
{
	struct prov_config c;
	struct prov_auth a;
	char msg[256];
	int i;

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, "sha512");
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	/* Success clears the count. */
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "x", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "x", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "x", msg, sizeof(msg)), PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_THROTTLED);
	ck_assert_str_eq(msg, "3 failed logins within 300 s");
	/* Another address is not affected. */
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.9", "admin", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	/* The window over, the address may try again. */
	for (i = 0; i < PROV_THROTTLE_SLOTS; i++)
		if (strcmp(a.slots[i].addr, "10.0.0.1") == 0)
			a.slots[i].first -= 301;
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)), PROV_AUTH_OK);
	prov_auth_cleanup(&a);
}
END_TEST

START_TEST(auth_no_file)
{
	struct prov_config c;
	struct prov_auth a;
	char msg[256];

	node_config(&c, tu_tmpdir());
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.1", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_ERROR);
	ck_assert_ptr_nonnull(strstr(msg, "credential file: "));
	ck_assert_ptr_nonnull(strstr(msg, "/creds: no such file"));
	ck_assert_int_eq(prov_hash_password("md5", "x", msg, sizeof(msg)), -1);
	prov_auth_cleanup(&a);
}
END_TEST

struct par_login {
	struct prov_auth *a;
	pthread_barrier_t *start;
	enum prov_auth_result r;
};

static void *
par_login_one(void *arg)
{
	struct par_login *p = arg;
	char msg[256];

	pthread_barrier_wait(p->start);
	p->r = prov_auth_check(p->a, "10.0.0.7", "admin", "wrong", msg, sizeof(msg));
	return NULL;
}

/* 60 wrong logins at once from one address, throttle_failures 5: 5 evaluated. */
START_TEST(auth_parallel_failures_reserved)
{
	enum { N = 60 };
	struct par_login p[N];
	pthread_t t[N];
	pthread_barrier_t start;
	struct prov_config c;
	struct prov_auth a;
	unsigned bad = 0, throttled = 0, i;

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, "sha512");
	c.throttle_failures = 5;
	c.auth_slots = 64;
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	ck_assert_int_eq(pthread_barrier_init(&start, NULL, N), 0);
	for (i = 0; i < N; i++) {
		p[i].a = &a;
		p[i].start = &start;
		ck_assert_int_eq(pthread_create(&t[i], NULL, par_login_one, &p[i]), 0);
	}
	for (i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		bad += p[i].r == PROV_AUTH_BAD;
		throttled += p[i].r == PROV_AUTH_THROTTLED;
	}
	ck_assert_uint_eq(bad, 5);
	ck_assert_uint_eq(throttled, N - 5);
	pthread_barrier_destroy(&start);
	prov_auth_cleanup(&a);
}
END_TEST

struct slow_login {
	struct prov_auth *a;
	enum prov_auth_result r;
};

static void *
slow_login_one(void *arg)
{
	struct slow_login *p = arg;
	char msg[256];

	p->r = prov_auth_check(p->a, "10.0.0.8", "admin", "wrong", msg, sizeof(msg));
	return NULL;
}

/* While a login from an address is evaluated, another from it waits (here: gives up). */
START_TEST(auth_one_login_per_address)
{
	struct prov_config c;
	struct prov_auth a;
	struct slow_login sl;
	pthread_t t;
	char msg[256];
	int i, busy = 0;

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, "sha512");
	c.throttle_failures = 100;
	c.login_delay_ms = 4000; /* holds the first login in progress */
	c.read_timeout = 1;      /* how long the second one waits for it */
	ck_assert_int_eq(prov_auth_init(&a, &c), 0);
	sl.a = &a;
	ck_assert_int_eq(pthread_create(&t, NULL, slow_login_one, &sl), 0);
	for (i = 0; i < 200 && !busy; i++) {
		size_t k;

		usleep(10000);
		pthread_mutex_lock(&a.lock);
		for (k = 0; k < PROV_THROTTLE_SLOTS; k++)
			busy |= a.slots[k].busy && strcmp(a.slots[k].addr, "10.0.0.8") == 0;
		pthread_mutex_unlock(&a.lock);
	}
	ck_assert_msg(busy, "the first login is in progress");
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.8", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_THROTTLED);
	ck_assert_str_eq(msg, "another login from this address is still in progress");
	/* Another address is not held up. */
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.9", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_OK);
	pthread_join(t, NULL);
	ck_assert_int_eq(sl.r, PROV_AUTH_BAD);
	ck_assert_int_eq(prov_auth_check(&a, "10.0.0.8", "admin", "secret", msg, sizeof(msg)),
	                 PROV_AUTH_OK);
	prov_auth_cleanup(&a);
}
END_TEST

/* An unknown user is hashed with the method and cost of the file's entries. */
START_TEST(auth_dummy_same_method)
{
	static const char *const methods[] = { "sha512", "yescrypt" };
	struct prov_config c;
	char hash[512], entry[512], msg[256], *line, *colon, *last;
	uint8_t *text;
	size_t len;
	int known = 1;

	node_config(&c, tu_tmpdir());
	write_creds(c.credentials, methods[_i]);
	text = tu_read(c.credentials, &len);
	line = strstr((char *)text, "\nops:");
	ck_assert_ptr_nonnull(line);
	colon = strchr(line, ':');
	snprintf(entry, sizeof(entry), "%.*s", (int)strcspn(colon + 1, "\n"), colon + 1);
	free(text);
	ck_assert_int_eq(prov_auth_lookup(c.credentials, "admin", hash, sizeof(hash), &known, msg,
	                                  sizeof(msg)), 0);
	ck_assert_int_eq(known, 1);
	ck_assert_str_eq(hash, entry);
	ck_assert_int_eq(prov_auth_lookup(c.credentials, "mallory", hash, sizeof(hash), &known, msg,
	                                  sizeof(msg)), 0);
	ck_assert_int_eq(known, 0);
	/* The dummy is the entry's setting: method, cost and salt, without the hash. */
	last = strrchr(entry, '$');
	*last = '\0';
	ck_assert_str_eq(hash, entry);
	ck_assert_mem_eq(hash, methods[_i][0] == 's' ? "$6$" : "$y$", 3);
}
END_TEST

static Suite *
make_suite(void)
{
	Suite *s = suite_create("prov_auth");
	TCase *tc;

	tc = tcase_create("auth");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, auth_ok_and_bad, 0, 2);
	tcase_add_test(tc, auth_throttle);
	tcase_add_test(tc, auth_no_file);
	tcase_add_test(tc, auth_parallel_failures_reserved);
	tcase_add_test(tc, auth_one_login_per_address);
	tcase_add_loop_test(tc, auth_dummy_same_method, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

CTL_TEST_MAIN(make_suite)
