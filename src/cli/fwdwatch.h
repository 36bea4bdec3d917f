/*
 * The daemon's side of fwdfilter.h: a firewall that drops what the
 * upstream forwards to the guests is said once at start, and once per
 * episode in which learned and proxied targets cannot be reached through
 * it (--check gives the details and the rule to add).
 */
#ifndef NS_MONITOR_FWDWATCH_H
#define NS_MONITOR_FWDWATCH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "membership.h"

/* What was last read and said for one group. */
struct fwdwatch_group {
	uint16_t num;
	bool dropping;			/* as last read */
	bool episode;			/* said for a learned target since */
	uint64_t scanned;		/* when last read, 0: not yet */
};

struct fwdwatch {
	const struct config *cfg;
	const struct membership *members;	/* who is which (control) */
	struct fwdwatch_group *groups;		/* cfg->groups' order */
	unsigned int ngroups;
	bool started;				/* fwdwatch_start() was called */
};

/* fw for cfg's groups, reading members; -1 with errno (ENOMEM). */
int fwdwatch_init(struct fwdwatch *fw, const struct config *cfg,
		  const struct membership *members);
void fwdwatch_free(struct fwdwatch *fw);

/*
 * At start: a line per slave that holds an address of a master's link,
 * and (with --proxy-ndp, or with forwarding on) one per drop.
 */
void fwdwatch_start(struct fwdwatch *fw);

/*
 * A global address that came on ifindex after the start: a line if it is
 * a slave's and in use on a master's link, as at start.
 */
void fwdwatch_addr(const struct fwdwatch *fw, unsigned int ifindex,
		   const struct in6_addr *addr);

/* X was learned behind slave and proxied (--proxy-ndp). */
void fwdwatch_learned(struct fwdwatch *fw, uint16_t group, const char *slave,
		      const char *addr, uint64_t now);

#endif
