/*
 * What --proxy-ndp changes on a master, and undoes at exit:
 * net.ipv6.conf.MASTER.proxy_ndp, turned on where it is off, and
 * net.ipv6.neigh.MASTER.proxy_delay, set to 0 where it is not (the kernel
 * otherwise holds each proxied answer to a multicast NS for a random time
 * up to proxy_delay, 0.8 s by default). So that a killed run's changes are
 * undone by the next start of the same group, they are recorded in
 * RUNTIME_DIR, one file per network namespace and group, rewritten
 * atomically at each change.
 */
#ifndef NS_MONITOR_PROXY_NDP_STATE_H
#define NS_MONITOR_PROXY_NDP_STATE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PROXY_NDP_STATE_MAX 4096	/* bytes of a state file read */
/* Masters changed, per process: the file's worth. */
#define PROXY_NDP_MAX_MASTERS 64

/* What was changed on one master, and what to put back. */
struct proxy_ndp_change {
	char name[IF_NAMESIZE];
	uint16_t group;
	bool ndp;		/* proxy_ndp turned on (was 0) */
	int delay;		/* proxy_delay before it was set to 0; -1: untouched */
};

struct proxy_ndp_state {
	struct proxy_ndp_change c[PROXY_NDP_MAX_MASTERS];
	unsigned int n;
};

bool proxy_ndp_state_has(const struct proxy_ndp_state *st, const char *ifname);

/*
 * Make ifname answer for proxy entries at once, on behalf of group: turn
 * proxy_ndp on if it is off, set proxy_delay to 0 if it is not, and record
 * what was changed (memory and file, before changing it). 0; or -1 with
 * errno when proxy_ndp could not be turned on or there is no room to
 * remember it (then nothing is changed). A proxy_delay that cannot be
 * written is warned about and left as it is.
 */
int proxy_ndp_state_take(struct proxy_ndp_state *st, const char *ifname,
			 uint16_t group);

/* At exit: put back what we changed, remove the records. */
void proxy_ndp_state_undo(struct proxy_ndp_state *st);

/* At start: undo what a killed run of this group left. Count, or -1. */
int proxy_ndp_state_recover(uint16_t group);

/*
 * Pure: a state file's contents, one master a line: its name (checked as
 * a kernel interface name: '/' or ".." would escape /proc/sys/net/ipv6),
 * then "proxy_ndp" if it was turned on and "proxy_delay=N" (N the value
 * to put back) if it was set to 0. A name alone, as earlier versions
 * wrote, means proxy_ndp. Count, or -1 for a malformed file.
 */
int proxy_ndp_state_parse(const char *buf, size_t len,
			  struct proxy_ndp_change *out, unsigned int max);

#endif
