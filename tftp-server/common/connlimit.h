/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connection admission for the node's TCP daemons: a total cap and a cap
 * per peer address, so one address cannot take every slot and lock other
 * clients out. Thread-safe (one mutex).
 */
#ifndef NODE_CONNLIMIT_H
#define NODE_CONNLIMIT_H

#include <pthread.h>

#include <ctl/err.h>

struct connlimit_addr {
	char addr[64];
	unsigned n;                  /* 0: entry free */
};

struct connlimit {
	pthread_mutex_t lock;        /* guards everything below */
	unsigned max_total, max_per_addr, active;
	struct connlimit_addr *tab;  /* max_total entries: an admitted connection always has one */
};

enum connlimit_admit {
	CONNLIMIT_OK,
	CONNLIMIT_FULL,              /* max_total reached */
	CONNLIMIT_ADDR_FULL          /* max_per_addr reached for this address */
};

/* Returns 0, or -1 when memory or the mutex cannot be had. */
CTL_MUST_USE int connlimit_init(struct connlimit *l, unsigned max_total, unsigned max_per_addr);
void connlimit_cleanup(struct connlimit *l);
/* Counts a new connection from addr unless a cap is reached. */
CTL_MUST_USE enum connlimit_admit connlimit_admit(struct connlimit *l, const char *addr);
/* Uncounts a connection connlimit_admit admitted. */
void connlimit_release(struct connlimit *l, const char *addr);
unsigned connlimit_active(struct connlimit *l);

#endif
