/*
 * Secret memory: see secmem.h. The PIN has its own page in pin.c; this is
 * the same treatment for the password path.
 */
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "secmem.h"

/* n rounded up to whole pages (mlock and madvise work on pages). */
static size_t
secmem_len(size_t n)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;

	if (n == 0)
		n = 1;
	if (n > (size_t)-1 - page)
		return 0;
	return (n + page - 1) / page * page;
}

void *
secmem_alloc(size_t n)
{
	size_t len = secmem_len(n);
	void *p;

	if (len == 0)
		return NULL;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Before anything is written: a core dump must never hold the secret. */
	if (madvise(p, len, MADV_DONTDUMP) != 0) {
		(void)munmap(p, len);
		return NULL;
	}
	(void)mlock(p, len); /* best effort: RLIMIT_MEMLOCK may be too small */
	return p;
}

void
secmem_free(void *p, size_t n)
{
	size_t len = secmem_len(n);

	if (p == NULL || len == 0)
		return;
	OPENSSL_cleanse(p, len);
	(void)munlock(p, len);
	(void)munmap(p, len);
}
