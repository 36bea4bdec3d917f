/* The host's addresses and neighbors, for collide_judge() (collide.h). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collide.h"
#include "rtnl.h"

#define MAX_USED 256

struct used {
	struct in6_addr a[MAX_USED];
	char what[MAX_USED][64];	/* "the host's address on m0" */
	size_t n;
};

static unsigned int plen_of(const struct sockaddr_in6 *m)
{
	unsigned int len = 0;

	for (int b = 0; b < 16; b++)
		len += (unsigned int)__builtin_popcount(m->sin6_addr.s6_addr[b]);
	return len;
}

static bool global(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_UNSPECIFIED(a);
}

static bool named(const struct ifspec *s, unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (ifspec_match(&s[i], name))
			return true;
	return false;
}

/* ifname, only: that address of that slave alone (NULL: every one). */
static int scan(const struct ifspec *masters, unsigned int nmasters,
		const struct ifspec *slaves, unsigned int nslaves,
		const char *ifname, const struct in6_addr *only,
		collide_cb cb, void *data)
{
	struct used *u = calloc(1, sizeof(*u));
	struct ifaddrs *ifa = NULL, *p, *q;
	struct rtnl_entry *ne = NULL;
	size_t nne = 0;
	struct rtnl nl;
	int found = 0;

	if (!u || getifaddrs(&ifa) == -1) {
		free(u);
		return -1;
	}
	for (p = ifa; p; p = p->ifa_next) {
		const struct sockaddr_in6 *a = (const void *)p->ifa_addr;

		if (!a || a->sin6_family != AF_INET6 || !global(&a->sin6_addr) ||
		    !named(masters, nmasters, p->ifa_name) || u->n == MAX_USED)
			continue;
		u->a[u->n] = a->sin6_addr;
		snprintf(u->what[u->n++], sizeof(u->what[0]),
			 "the host's address on %.16s", p->ifa_name);
	}
	/* Neighbors that answer there: the upstream router, other hosts. */
	if (rtnl_open(&nl) == 0) {
		if (rtnl_neighbors(&nl, &ne, &nne) == -1)
			nne = 0;
		rtnl_close(&nl);
	}
	for (size_t i = 0; i < nne && u->n < MAX_USED; i++) {
		char name[IF_NAMESIZE];

		if (!(ne[i].state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY |
				     NUD_PROBE | NUD_PERMANENT)) ||
		    !global(&ne[i].dst) || !if_indextoname(ne[i].ifindex, name) ||
		    !named(masters, nmasters, name))
			continue;
		u->a[u->n] = ne[i].dst;
		snprintf(u->what[u->n++], sizeof(u->what[0]),
			 "a neighbor on %.16s (the upstream router?)", name);
	}
	free(ne);
	for (p = ifa; p; p = p->ifa_next) {
		const struct sockaddr_in6 *a = (const void *)p->ifa_addr;
		const struct sockaddr_in6 *m = (const void *)p->ifa_netmask;
		char addr[INET6_ADDRSTRLEN], text[256];
		unsigned int plen;

		if (!a || !m || a->sin6_family != AF_INET6 ||
		    !global(&a->sin6_addr) || !named(slaves, nslaves, p->ifa_name) ||
		    named(masters, nmasters, p->ifa_name) ||
		    (ifname && strcmp(p->ifa_name, ifname) != 0) ||
		    (only && memcmp(&a->sin6_addr, only, sizeof(*only)) != 0))
			continue;
		plen = plen_of(m);
		inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof(addr));
		/* Against each master prefix. */
		for (q = ifa; q; q = q->ifa_next) {
			const struct sockaddr_in6 *ma = (const void *)q->ifa_addr;
			const struct sockaddr_in6 *mm = (const void *)q->ifa_netmask;
			char used[INET6_ADDRSTRLEN];
			size_t which = 0;
			enum collide_kind k;

			if (!ma || !mm || ma->sin6_family != AF_INET6 ||
			    !global(&ma->sin6_addr) ||
			    !named(masters, nmasters, q->ifa_name))
				continue;
			k = collide_judge(&a->sin6_addr, plen, &ma->sin6_addr,
					  plen_of(mm), u->a, u->n, &which);
			if (k == COLLIDE_NONE)
				continue;
			inet_ntop(AF_INET6, &u->a[which], used, sizeof(used));
			if (k == COLLIDE_SAME)
				snprintf(text, sizeof(text), "slave %s holds %s, in use on %s's link (%s)",
					 p->ifa_name, addr, q->ifa_name, u->what[which]);
			else if (k == COLLIDE_WHOLE)
				snprintf(text, sizeof(text), "slave %s has %s/%u on-link, all of %s's prefix: its guests may get addresses in use there",
					 p->ifa_name, addr, plen, q->ifa_name);
			else
				snprintf(text, sizeof(text), "slave %s has %s/%u on-link, which holds %s (%s)",
					 p->ifa_name, addr, plen, used, u->what[which]);
			cb(text, data);
			found++;
			break;
		}
	}
	freeifaddrs(ifa);
	free(u);
	return found;
}

int collide_scan(const struct ifspec *masters, unsigned int nmasters,
		 const struct ifspec *slaves, unsigned int nslaves,
		 collide_cb cb, void *data)
{
	return scan(masters, nmasters, slaves, nslaves, NULL, NULL, cb, data);
}

int collide_scan_addr(const struct ifspec *masters, unsigned int nmasters,
		      const struct ifspec *slaves, unsigned int nslaves,
		      const char *ifname, const struct in6_addr *addr,
		      collide_cb cb, void *data)
{
	if (!named(slaves, nslaves, ifname) || named(masters, nmasters, ifname))
		return 0;
	return scan(masters, nmasters, slaves, nslaves, ifname, addr, cb, data);
}
