/*
 * Memory for secrets (the administrator password and the LOGIN request
 * that carries it): whole pages of their own, locked so they are never
 * swapped, marked MADV_DONTDUMP so a core dump leaves them out, and wiped
 * before they are unmapped.
 */
#ifndef CTL_CLIENT_SECMEM_H
#define CTL_CLIENT_SECMEM_H

#include <stddef.h>

/* At least n zeroed bytes, or NULL. Free with secmem_free(p, n), the same n. */
void *secmem_alloc(size_t n);
/* Wipes, unlocks and unmaps what secmem_alloc(n) returned. NULL is a no-op. */
void secmem_free(void *p, size_t n);

#endif
