/*
 * net.ipv6.conf.MASTER.proxy_ndp, turned on by --proxy-ndp and off again
 * at exit; and, so that a killed run's changes are undone by the next start
 * of the same group, a record of them in RUNTIME_DIR, one file per network
 * namespace and group, rewritten atomically at each change.
 */
#ifndef NS_MONITOR_PROXY_NDP_STATE_H
#define NS_MONITOR_PROXY_NDP_STATE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PROXY_NDP_STATE_MAX 4096	/* bytes of a state file read */
/* Masters proxy_ndp was turned on for, per process: the file's worth. */
#define PROXY_NDP_MAX_MASTERS 64

struct proxy_ndp_state {
	char names[PROXY_NDP_MAX_MASTERS][IF_NAMESIZE];	/* turned on by us */
	uint16_t groups[PROXY_NDP_MAX_MASTERS];		/* for this group */
	unsigned int n;
};

bool proxy_ndp_state_has(const struct proxy_ndp_state *st, const char *ifname);

/*
 * Turn proxy_ndp on for ifname on behalf of group and record it (memory and
 * file). 0, or -1 with errno when the sysctl could not be written or there
 * is no room to remember it (then it is left off).
 */
int proxy_ndp_state_turn_on(struct proxy_ndp_state *st, const char *ifname,
			    uint16_t group);

/* At exit: turn off what we turned on, remove the records. */
void proxy_ndp_state_undo(struct proxy_ndp_state *st);

/* At start: undo what a killed run of this group left. Count, or -1. */
int proxy_ndp_state_recover(uint16_t group);

/*
 * Pure: the interface names of a state file's contents, one a line, each
 * checked as a kernel interface name ('/' or ".." would escape
 * /proc/sys/net/ipv6/conf). Count, or -1 for a malformed file.
 */
int proxy_ndp_state_parse(const char *buf, size_t len,
			  char (*names)[IF_NAMESIZE], unsigned int max);

#endif
