/*
 * The host's own global addresses and their prefixes, as rtnetlink reports
 * them: what our answers to the upstream are sent from (the engine keeps
 * its own copy for its rules, engine_local_addr()). Pure; grows as needed.
 */
#ifndef NS_MONITOR_HOSTADDR_H
#define NS_MONITOR_HOSTADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct host_addr {
	unsigned int ifindex;
	struct in6_addr addr;
	uint8_t prefixlen;
};

struct hostaddrs {
	struct host_addr *v;
	unsigned int n, cap;
};

/* Add (or update) or remove an address. -1 with errno ENOMEM. */
int hostaddr_set(struct hostaddrs *h, unsigned int ifindex,
		 const struct in6_addr *addr, uint8_t prefixlen, bool present);

/*
 * Forget every address of ifindex (its device is gone); cb, when not
 * NULL, hears of each one first.
 */
void hostaddr_drop_ifindex(struct hostaddrs *h, unsigned int ifindex,
			   void (*cb)(const struct host_addr *a, void *data),
			   void *data);

/* Whether a is known on ifindex. */
bool hostaddr_has(const struct hostaddrs *h, unsigned int ifindex,
		  const struct in6_addr *a);

/* One of the addresses on ifindex (the first known), or NULL. */
const struct in6_addr *hostaddr_on_ifindex(const struct hostaddrs *h,
					   unsigned int ifindex);

void hostaddr_free(struct hostaddrs *h);

/* Whether a lies inside p. */
bool prefix6_contains(const struct prefix6 *p, const struct in6_addr *a);

#endif
