/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connection admission (connlimit.h). The table has one entry per possible
 * connection, so an admitted connection always finds an entry; a lookup is
 * a linear scan, cheap next to a TLS handshake.
 */
#include <stdlib.h>
#include <string.h>

#include "connlimit.h"

int
connlimit_init(struct connlimit *l, unsigned max_total, unsigned max_per_addr)
{
	memset(l, 0, sizeof(*l));
	if (max_total == 0 || (l->tab = calloc(max_total, sizeof(*l->tab))) == NULL)
		return -1;
	if (pthread_mutex_init(&l->lock, NULL) != 0) {
		free(l->tab);
		l->tab = NULL;
		return -1;
	}
	l->max_total = max_total;
	l->max_per_addr = max_per_addr;
	return 0;
}

void
connlimit_cleanup(struct connlimit *l)
{
	if (l->tab == NULL)
		return;
	pthread_mutex_destroy(&l->lock);
	free(l->tab);
	l->tab = NULL;
}

/* The entry for addr, or a free one when create (call with l->lock held). */
static struct connlimit_addr *
entry(struct connlimit *l, const char *addr, int create)
{
	struct connlimit_addr *free_one = NULL;
	unsigned i;

	for (i = 0; i < l->max_total; i++) {
		if (l->tab[i].n > 0 && strcmp(l->tab[i].addr, addr) == 0)
			return &l->tab[i];
		if (l->tab[i].n == 0 && free_one == NULL)
			free_one = &l->tab[i];
	}
	return create ? free_one : NULL;
}

enum connlimit_admit
connlimit_admit(struct connlimit *l, const char *addr)
{
	struct connlimit_addr *e;
	enum connlimit_admit r = CONNLIMIT_OK;

	pthread_mutex_lock(&l->lock);
	if (l->active >= l->max_total || (e = entry(l, addr, 1)) == NULL) {
		r = CONNLIMIT_FULL;
	} else if (e->n >= l->max_per_addr) {
		r = CONNLIMIT_ADDR_FULL;
	} else {
		if (e->n == 0) {
			size_t n = strlen(addr);

			if (n >= sizeof(e->addr))
				n = sizeof(e->addr) - 1;
			memcpy(e->addr, addr, n);
			e->addr[n] = '\0';
		}
		e->n++;
		l->active++;
	}
	pthread_mutex_unlock(&l->lock);
	return r;
}

void
connlimit_release(struct connlimit *l, const char *addr)
{
	struct connlimit_addr *e;

	pthread_mutex_lock(&l->lock);
	if ((e = entry(l, addr, 0)) != NULL) {
		e->n--;
		l->active--;
	}
	pthread_mutex_unlock(&l->lock);
}

unsigned
connlimit_active(struct connlimit *l)
{
	unsigned n;

	pthread_mutex_lock(&l->lock);
	n = l->active;
	pthread_mutex_unlock(&l->lock);
	return n;
}
