/*
 * Learning's egress: the routes (X/128 dev SLAVE, proto ns-monitor) and
 * proxy entries the engine decides on, the host's own addresses it must
 * never learn behind a slave, and the kernel's neighbor events it follows.
 * Purges what a killed run left; removes what it made at exit.
 */
#ifndef NS_MONITOR_LEARN_H
#define NS_MONITOR_LEARN_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "netmon.h"
#include "proxy_ndp_state.h"

#define LEARN_ADDRS 256		/* global addresses followed */

struct relay;
struct group;
struct engine;

struct host_addr {
	unsigned int ifindex;
	struct prefix6 prefix;
	struct in6_addr addr;
};

struct learn_counters {
	unsigned long routes_added;
	unsigned long routes_removed;
	unsigned long proxies_added;
	unsigned long proxies_removed;
};

struct learn {
	const struct config *cfg;
	struct relay *relay;
	struct engine *engine;
	struct host_addr addrs[LEARN_ADDRS];
	unsigned int naddrs;
	struct proxy_ndp_state proxy_ndp;	/* what we turned on */
	bool forwarding_warned;
	struct learn_counters c;
};

/*
 * Purge what a killed run of the same groups left: routes, proxy entries,
 * proxy_ndp turned on. Each group's routes carry a metric of their own
 * (learn_route_metric), so another instance's are left alone; no live
 * instance can own ours, as we hold the NFLOG groups.
 */
void learn_init(struct learn *l, const struct config *cfg, struct relay *relay,
		struct engine *engine);

/* Remove every route and proxy entry of ours (unless --keep-routes). */
void learn_fini(struct learn *l);

/* The engine's egress for routes and proxies (engine.h). */
int learn_route_add(struct learn *l, uint16_t group,
		    const struct in6_addr *target, unsigned int slave);
int learn_route_move(struct learn *l, uint16_t group,
		     const struct in6_addr *target, unsigned int from,
		     unsigned int to);
int learn_route_del(struct learn *l, uint16_t group,
		    const struct in6_addr *target, unsigned int slave);
void learn_proxy(struct learn *l, uint16_t group, const struct in6_addr *target,
		 unsigned int master, bool add);
/* The master of group where target has a usable neighbor entry, or 0. */
unsigned int learn_on_master(struct learn *l, uint16_t group,
		     const struct in6_addr *target);

/* Neighbor, address and link events, handed on to the engine. */
void learn_on_neigh(struct learn *l, const struct netmon_event *ev,
		    uint64_t now);
void learn_on_addr(struct learn *l, const struct netmon_event *ev);
void learn_on_link(struct learn *l, const struct netmon_event *ev);

/* The metric of group's learned routes: it marks them as the group's. */
uint32_t learn_route_metric(const struct config *cfg, uint16_t group);

/* Whether an NS from the upstream for target is for a neighbor of ours. */
bool learn_eligible(const struct learn *l, const struct group *g,
		    const struct in6_addr *target);

#endif
