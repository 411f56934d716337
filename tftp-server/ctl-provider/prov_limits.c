/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connection admission. One address must not be able to take every
 * connection slot and lock the administrator out, so besides the total cap
 * (max_connections) each peer address may hold at most max_per_address
 * connections. The table has one entry per possible connection, so an
 * admitted connection always finds an entry.
 */
#include <stdlib.h>
#include <string.h>

#include "provider.h"

int
prov_limits_init(struct prov_limits *l, unsigned max_total, unsigned max_per_addr)
{
	memset(l, 0, sizeof(*l));
	if ((l->tab = calloc(max_total, sizeof(*l->tab))) == NULL)
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
prov_limits_cleanup(struct prov_limits *l)
{
	if (l->tab == NULL)
		return;
	pthread_mutex_destroy(&l->lock);
	free(l->tab);
	l->tab = NULL;
}

/* The entry for addr, or a free one when create (call with l->lock held). */
static struct prov_addr_count *
entry(struct prov_limits *l, const char *addr, int create)
{
	struct prov_addr_count *free_one = NULL;
	unsigned i;

	for (i = 0; i < l->max_total; i++) {
		if (l->tab[i].n > 0 && strcmp(l->tab[i].addr, addr) == 0)
			return &l->tab[i];
		if (l->tab[i].n == 0 && free_one == NULL)
			free_one = &l->tab[i];
	}
	return create ? free_one : NULL;
}

enum prov_admit
prov_limits_admit(struct prov_limits *l, const char *addr)
{
	struct prov_addr_count *e;
	enum prov_admit r = PROV_ADMIT_OK;

	pthread_mutex_lock(&l->lock);
	if (l->active >= l->max_total) {
		r = PROV_ADMIT_FULL;
	} else if ((e = entry(l, addr, 1)) == NULL) {
		r = PROV_ADMIT_FULL; /* cannot happen: active < max_total leaves an entry free */
	} else if (e->n >= l->max_per_addr) {
		r = PROV_ADMIT_ADDR_FULL;
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
prov_limits_release(struct prov_limits *l, const char *addr)
{
	struct prov_addr_count *e;

	pthread_mutex_lock(&l->lock);
	if ((e = entry(l, addr, 0)) != NULL) {
		e->n--;
		l->active--;
	}
	pthread_mutex_unlock(&l->lock);
}

unsigned
prov_limits_active(struct prov_limits *l)
{
	unsigned n;

	pthread_mutex_lock(&l->lock);
	n = l->active;
	pthread_mutex_unlock(&l->lock);
	return n;
}
