/*
 * The daemon's side of fwdfilter.h: a firewall that drops what the
 * upstream forwards to the guests is said once at start, and once per
 * episode in which learned and proxied targets cannot be reached through
 * it (--check gives the details and the rule to add).
 */
#ifndef NS_MONITOR_FWDWATCH_H
#define NS_MONITOR_FWDWATCH_H

#include <stdint.h>

#include "slaves.h"

/*
 * At start: a line per slave that holds an address of a master's link,
 * and (with --proxy-ndp, or with forwarding on) one per drop.
 */
void fwdwatch_start(struct slaves *r);

/*
 * A global address that came on ifindex after the start: a line if it is
 * a slave's and in use on a master's link, as at start.
 */
void fwdwatch_addr(struct slaves *r, unsigned int ifindex,
		   const struct in6_addr *addr);

/* X was learned behind slave and proxied (--proxy-ndp). */
void fwdwatch_learned(struct slaves *r, uint16_t group, const char *slave,
		      const char *addr, uint64_t now);

#endif
