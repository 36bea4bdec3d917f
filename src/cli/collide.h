/*
 * Does a slave hold an address in use on a master's link? Docker puts a
 * network's first address (often the upstream router's) on its bridge and
 * hands out the rest, the host's own master address among them, when the
 * network is given the master's whole /64.
 */
#ifndef NS_MONITOR_COLLIDE_H
#define NS_MONITOR_COLLIDE_H

#include <netinet/in.h>
#include <stddef.h>

#include "ifspec.h"

enum collide_kind {
	COLLIDE_NONE,
	COLLIDE_SAME,		/* the slave has an address in use on the link */
	COLLIDE_WHOLE,		/* its on-link prefix is the master's, or wider */
	COLLIDE_HOLDS,		/* its on-link prefix holds an address in use */
};

/*
 * Pure: the slave's address addr/plen against the master's prefix
 * mprefix/mplen and the addresses in use on its link (used[], n). *which
 * gets the used address concerned (SAME, HOLDS).
 */
enum collide_kind collide_judge(const struct in6_addr *addr, unsigned int plen,
				const struct in6_addr *mprefix, unsigned int mplen,
				const struct in6_addr *used, size_t n, size_t *which);

/* For each collision found, what it is, without advice (under 200 characters). */
typedef void (*collide_cb)(const char *text, void *data);

/*
 * Read the host's addresses and neighbor entries (the master's own global
 * addresses, usable global neighbors on the masters) and the slaves'
 * addresses, and call cb for each collision. The number found, or -1.
 */
int collide_scan(const struct ifspec *masters, unsigned int nmasters,
		 const struct ifspec *slaves, unsigned int nslaves,
		 collide_cb cb, void *data);

/*
 * The same for one address of one interface (one that just came): nothing
 * unless ifname is one of the slaves and not a master.
 */
int collide_scan_addr(const struct ifspec *masters, unsigned int nmasters,
		      const struct ifspec *slaves, unsigned int nslaves,
		      const char *ifname, const struct in6_addr *addr,
		      collide_cb cb, void *data);

#endif
